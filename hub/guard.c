#include "guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 250

struct guard_conn {
    guard_conn_t *prev, *next;
    int fd;
    atomic_llong since_ms;           /* when the current request's deadline started */
    atomic_bool waiting;             /* headers not complete yet */
    bool shut;
};

struct guard {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool stopping;
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
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += SWEEP_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        if (!g->stopping) sweep(g);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

guard_t *guard_start(int header_timeout_s)
{
    guard_t *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->timeout_ms = (int64_t)header_timeout_s * 1000;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&g->lock, NULL);
    if (pthread_create(&g->thread, NULL, run, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void guard_stop(guard_t *g)
{
    if (!g) return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    for (guard_conn_t *c = g->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    pthread_cond_destroy(&g->wake);
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
