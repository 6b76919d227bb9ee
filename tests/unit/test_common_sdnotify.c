/* common/sdnotify: systemd's notifications as the kiosk sends them, to a
 * datagram socket of the test's own standing in for systemd. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "../../common/sdnotify.h"

typedef struct {
    int fd;
    char path[108];
} listener_t;

/* A listener at a fresh path (or abstract name) and NOTIFY_SOCKET naming it. */
static void listen_at(listener_t *l, bool abstract)
{
    static int seq;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(l->path, sizeof l->path, "%s/sdn-test-%d-%d", abstract ? "@" : "/tmp", (int)getpid(), seq++);
    size_t len = strlen(l->path);
    memcpy(a.sun_path, l->path, len);
    if (abstract) a.sun_path[0] = '\0';
    else unlink(l->path);
    l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(l->fd >= 0);
    assert_int_equal(bind(l->fd, (struct sockaddr *)&a, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
    setenv("NOTIFY_SOCKET", l->path, 1);
}

static void listen_close(listener_t *l)
{
    close(l->fd);
    if (l->path[0] == '/') unlink(l->path);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

/* The next datagram, or "" if none is waiting. */
static const char *next_msg(listener_t *l)
{
    static char buf[256];
    ssize_t n = recv(l->fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void ready_and_stopping_reach_the_socket(void **state)
{
    for (int abstract = 0; abstract < 2; abstract++) {
        listener_t l;
        listen_at(&l, abstract);
        sdnotify_t n;
        assert_int_equal(sdn_open(&n), 0);
        assert_true(sdn_active(&n));
        assert_int_equal(sdn_send(&n, "READY=1"), 0);
        assert_string_equal(next_msg(&l), "READY=1");
        assert_int_equal(sdn_send(&n, "STOPPING=1"), 0);
        assert_string_equal(next_msg(&l), "STOPPING=1");
        /* No watchdog asked for: no ping, and no limit on sleeping. */
        sdn_watchdog(&n);
        assert_string_equal(next_msg(&l), "");
        assert_int_equal(sdn_watchdog_wait_ms(&n), UINT32_MAX);
        sdn_close(&n);
        listen_close(&l);
    }
}

static void watchdog_pings_at_half_the_interval(void **state)
{
    listener_t l;
    listen_at(&l, false);
    setenv("WATCHDOG_USEC", "200000", 1);             /* 200 ms: a ping every 100 ms */
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    sdnotify_t n;
    assert_int_equal(sdn_open(&n), 0);
    sdn_watchdog(&n);
    assert_string_equal(next_msg(&l), "WATCHDOG=1");
    uint32_t w = sdn_watchdog_wait_ms(&n);
    assert_true(w > 50 && w <= 100);
    sdn_watchdog(&n);                                 /* too soon: nothing */
    assert_string_equal(next_msg(&l), "");
    sleep_ms(110);
    assert_int_equal(sdn_watchdog_wait_ms(&n), 0);
    sdn_watchdog(&n);
    assert_string_equal(next_msg(&l), "WATCHDOG=1");
    sdn_close(&n);
    listen_close(&l);
}

static void watchdog_of_the_parent_is_ours_another_is_not(void **state)
{
    char pid[16];
    listener_t l;
    listen_at(&l, false);
    setenv("WATCHDOG_USEC", "1000000", 1);
    snprintf(pid, sizeof pid, "%d", (int)getppid());  /* cage started us */
    setenv("WATCHDOG_PID", pid, 1);
    sdnotify_t n;
    assert_int_equal(sdn_open(&n), 0);
    assert_int_equal(n.watchdog_ms, 500);
    sdn_close(&n);
    snprintf(pid, sizeof pid, "%d", 1);               /* someone else's */
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(sdn_open(&n), 0);
    assert_int_equal(n.watchdog_ms, 0);
    sdn_close(&n);
    setenv("WATCHDOG_USEC", "soon", 1);
    unsetenv("WATCHDOG_PID");
    assert_int_equal(sdn_open(&n), 0);
    assert_int_equal(n.watchdog_ms, 0);
    sdn_close(&n);
    listen_close(&l);
}

static void outside_systemd_everything_is_a_no_op(void **state)
{
    unsetenv("NOTIFY_SOCKET");
    sdnotify_t n;
    assert_int_equal(sdn_open(&n), 0);
    assert_false(sdn_active(&n));
    assert_int_equal(sdn_send(&n, "READY=1"), 0);
    sdn_watchdog(&n);
    sdn_close(&n);
    setenv("NOTIFY_SOCKET", "relative/path", 1);      /* malformed: refused, inactive */
    assert_int_equal(sdn_open(&n), -1);
    assert_false(sdn_active(&n));
    unsetenv("NOTIFY_SOCKET");
}

/* A listener that never reads: the sender gets EAGAIN at once instead of
 * waiting, and one gone away gets an error, never a hang or a signal. */
static void a_full_or_gone_listener_never_blocks(void **state)
{
    listener_t l;
    listen_at(&l, false);
    sdnotify_t n;
    assert_int_equal(sdn_open(&n), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int refused = 0;
    for (int i = 0; i < 5000 && !refused; i++)
        if (sdn_send(&n, "STATUS=filling the queue of a listener that does not read") != 0) {
            assert_int_equal(errno, EAGAIN);
            refused = 1;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(refused);
    assert_true((t1.tv_sec - t0.tv_sec) < 2);
    listen_close(&l);                                 /* the path is gone */
    assert_int_equal(sdn_send(&n, "WATCHDOG=1"), -1);
    sdn_close(&n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ready_and_stopping_reach_the_socket),
        cmocka_unit_test(watchdog_pings_at_half_the_interval),
        cmocka_unit_test(watchdog_of_the_parent_is_ours_another_is_not),
        cmocka_unit_test(outside_systemd_everything_is_a_no_op),
        cmocka_unit_test(a_full_or_gone_listener_never_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
