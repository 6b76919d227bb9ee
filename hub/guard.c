#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_MS 250

struct guard_conn {
    guard_conn_t *prev, *next;
    int fd;
    atomic_llong since_ms;           /* when the current request's deadline started */
    atomic_bool waiting;             /* headers not complete yet */
    bool shut;
};

/* The sweep thread sleeps in poll() on a pipe, not on a condition variable:
 * a relative timeout, and libfaketime (the time-travel checks) leaves it
 * alone, where it can stretch a timed wait on a moved clock for ever. */
struct guard {
    pthread_mutex_t lock;
    pthread_t thread;
    int wake[2];                     /* a byte on wake[1] stops the thread */
    int64_t timeout_ms;
    guard_conn_t *head;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Shuts down (under the lock, so the fd is still libmicrohttpd's) every
 * connection whose headers are late. */
static void sweep(guard_t *g)
{
    int64_t now = mono_ms();
    for (guard_conn_t *c = g->head; c; c = c->next) {
        if (c->shut || !atomic_load(&c->waiting)) continue;
        if (now - atomic_load(&c->since_ms) < g->timeout_ms) continue;
        shutdown(c->fd, SHUT_RDWR);
        c->shut = true;
    }
}

static void *run(void *arg)
{
    guard_t *g = arg;
    struct pollfd pf = {.fd = g->wake[0], .events = POLLIN};
    for (;;) {
        int n = poll(&pf, 1, SWEEP_MS);
        if (n > 0) break;
        pthread_mutex_lock(&g->lock);
        sweep(g);
        pthread_mutex_unlock(&g->lock);
    }
    return NULL;
}

guard_t *guard_start(int header_timeout_s)
{
    guard_t *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->timeout_ms = (int64_t)header_timeout_s * 1000;
    if (pipe2(g->wake, O_CLOEXEC) != 0) goto fail_pipe;
    pthread_mutex_init(&g->lock, NULL);
    if (pthread_create(&g->thread, NULL, run, g) != 0) goto fail;
    return g;
fail:
    pthread_mutex_destroy(&g->lock);
    close(g->wake[0]);
    close(g->wake[1]);
fail_pipe:
    free(g);
    return NULL;
}

void guard_stop(guard_t *g)
{
    if (!g) return;
    while (write(g->wake[1], "x", 1) < 0 && errno == EINTR) {}
    pthread_join(g->thread, NULL);
    close(g->wake[0]);
    close(g->wake[1]);
    for (guard_conn_t *c = g->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    pthread_mutex_destroy(&g->lock);
    free(g);
}

guard_conn_t *guard_open(guard_t *g, int fd)
{
    guard_conn_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    atomic_store(&c->since_ms, mono_ms());
    atomic_store(&c->waiting, true);
    pthread_mutex_lock(&g->lock);
    c->next = g->head;
    if (g->head) g->head->prev = c;
    g->head = c;
    pthread_mutex_unlock(&g->lock);
    return c;
}

void guard_close(guard_t *g, guard_conn_t *c)
{
    if (!c) return;
    pthread_mutex_lock(&g->lock);
    if (c->prev) c->prev->next = c->next;
    else g->head = c->next;
    if (c->next) c->next->prev = c->prev;
    pthread_mutex_unlock(&g->lock);
    free(c);
}

void guard_headers_done(guard_conn_t *c)
{
    if (c) atomic_store(&c->waiting, false);
}

void guard_request_done(guard_conn_t *c)
{
    if (!c) return;
    atomic_store(&c->since_ms, mono_ms());
    atomic_store(&c->waiting, true);
}
