/* The kiosk's UI loop under systemd (Type=notify, WatchdogSec): app_run says
 * READY=1 once the first frame is up, pings the watchdog from the loop
 * itself, waking for it even when nobody touches the screen, and says
 * STOPPING=1 on the way out. A datagram socket of the test's own stands in
 * for systemd; a thread asks the loop to quit after 400 ms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "support/harness.h"

static void *quit_later(void *arg)
{
    struct timespec ts = {0, 400 * 1000000L};
    nanosleep(&ts, NULL);
    SDL_Event ev = {.type = SDL_QUIT};
    SDL_PushEvent(&ev);
    return NULL;
}

static void ui_loop_feeds_the_watchdog(void **state)
{
    char path[108];
    snprintf(path, sizeof path, "/tmp/app-watchdog-%d", (int)getpid());
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    setenv("NOTIFY_SOCKET", path, 1);
    setenv("WATCHDOG_USEC", "100000", 1);            /* a ping every 50 ms */
    setenv("WATCHDOG_PID", pid, 1);

    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, quit_later, NULL), 0);
    app_run(app);
    pthread_join(t, NULL);

    char msgs[64][32];
    int n = 0;
    for (; n < 64; n++) {
        ssize_t r = recv(fd, msgs[n], sizeof msgs[n] - 1, MSG_DONTWAIT);
        if (r <= 0) break;
        msgs[n][r] = '\0';
    }
    assert_true(n >= 5);
    assert_string_equal(msgs[0], "READY=1");
    int pings = 0;
    for (int i = 1; i < n - 1; i++) {
        assert_string_equal(msgs[i], "WATCHDOG=1");
        pings++;
    }
    /* 400 ms at one ping per 50 ms, without a single input event. */
    assert_true(pings >= 3);
    assert_string_equal(msgs[n - 1], "STOPPING=1");

    harness_free(app);
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ui_loop_feeds_the_watchdog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
