#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* WATCHDOG_USEC as ms between pings (half of it, as sd_watchdog_enabled(3)
 * advises), or 0 if unset, malformed or meant for another process. */
static uint64_t watchdog_from_env(void)
{
    const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    if (!us || !*us) return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(us, &end, 10);
    if (errno || *end || v == 0) return 0;
    if (pid && *pid) {
        long p = strtol(pid, &end, 10);
        if (*end || (p != (long)getpid() && p != (long)getppid())) return 0;
    }
    uint64_t ms = v / 2000u;               /* half the interval, in ms */
    return ms ? ms : 1;
}

int sdn_open(sdnotify_t *n)
{
    memset(n, 0, sizeof *n);
    n->fd = -1;
    const char *s = getenv("NOTIFY_SOCKET");
    if (!s || !*s) return 0;
    size_t len = strlen(s);
    if ((s[0] != '/' && s[0] != '@') || len >= sizeof n->addr.sun_path) return -1;
    n->addr.sun_family = AF_UNIX;
    memcpy(n->addr.sun_path, s, len);
    if (s[0] == '@') n->addr.sun_path[0] = '\0';   /* abstract namespace */
    n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (n->fd < 0) return -1;
    n->watchdog_ms = watchdog_from_env();
    n->next_ping_ms = mono_ms();
    return 0;
}

bool sdn_active(const sdnotify_t *n)
{
    return n->fd >= 0;
}

int sdn_send(sdnotify_t *n, const char *msg)
{
    if (n->fd < 0) return 0;
    ssize_t r = sendto(n->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
                       (const struct sockaddr *)&n->addr, n->addr_len);
    return r < 0 ? -1 : 0;
}

void sdn_watchdog(sdnotify_t *n)
{
    if (n->fd < 0 || !n->watchdog_ms) return;
    uint64_t now = mono_ms();
    if (now < n->next_ping_ms) return;
    sdn_send(n, "WATCHDOG=1");             /* a lost ping: the next one is due soon */
    n->next_ping_ms = now + n->watchdog_ms;
}

uint32_t sdn_watchdog_wait_ms(const sdnotify_t *n)
{
    if (n->fd < 0 || !n->watchdog_ms) return UINT32_MAX;
    uint64_t now = mono_ms();
    uint64_t d = n->next_ping_ms > now ? n->next_ping_ms - now : 0;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

void sdn_close(sdnotify_t *n)
{
    if (n->fd >= 0) close(n->fd);
    n->fd = -1;
}
