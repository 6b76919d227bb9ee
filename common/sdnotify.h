/* systemd's service notifications (sd_notify(3), the documented datagram
 * protocol), spoken directly rather than through libsystemd, for two
 * reasons: every send is MSG_DONTWAIT, so a listener that is gone or
 * behind never blocks the caller (the kiosk's UI thread), and the watchdog
 * is accepted from the service's main process *or its child*, as the kiosk
 * runs under cage (libsystemd's sd_watchdog_enabled answers no in a child).
 *
 * Owns one datagram socket. Not under systemd (no NOTIFY_SOCKET), every
 * call is a quiet no-op. One thread (the one that opened it) at a time.
 * Errors: sdn_send returns -1 with errno (EAGAIN when the listener is
 * behind); nothing is logged here, nothing is retried: the next ping will. */
#ifndef COMMON_SDNOTIFY_H
#define COMMON_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

typedef struct {
    int fd;                       /* -1: not under systemd */
    struct sockaddr_un addr;
    socklen_t addr_len;
    uint64_t watchdog_ms;         /* ping every this often; 0: no watchdog */
    uint64_t next_ping_ms;        /* CLOCK_MONOTONIC, ms */
} sdnotify_t;

/* Reads NOTIFY_SOCKET ("/path" or "@abstract"), WATCHDOG_USEC and
 * WATCHDOG_PID from the environment. 0 (also when not under systemd), or
 * -1 if NOTIFY_SOCKET is malformed or no socket could be made; N is then
 * inactive. The watchdog is ours when WATCHDOG_PID is unset, our pid or our
 * parent's (the compositor that started us). */
int sdn_open(sdnotify_t *n);
bool sdn_active(const sdnotify_t *n);

/* Sends MSG ("READY=1", "STOPPING=1", "STATUS=...", newline-separated
 * assignments) without blocking. 0 if sent or inactive, else -1/errno. */
int sdn_send(sdnotify_t *n, const char *msg);

/* Sends WATCHDOG=1 when half the watchdog interval has passed since the
 * last ping (real monotonic time: the watchdog is systemd's clock, not the
 * kiosk's, which tests may stop). Call from the loop the watchdog vouches for. */
void sdn_watchdog(sdnotify_t *n);

/* How long the caller may sleep before sdn_watchdog is due again, in ms
 * (UINT32_MAX without a watchdog). */
uint32_t sdn_watchdog_wait_ms(const sdnotify_t *n);

void sdn_close(sdnotify_t *n);

#endif
