/* One background worker thread (see worker.h). */
#include "core/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "core/clock.h"

struct worker {
    /* An SDL thread, not a bare pthread: SDL keeps per-thread error state
     * (set e.g. by IMG_Load when a receipt's image is missing) that it frees
     * only for threads it started. */
    SDL_Thread *thread;
    char name[32];
    worker_fn fn;
    void *arg;

    pthread_mutex_t mu;
    pthread_cond_t cv;              /* on CLOCK_MONOTONIC */
    volatile int stop;              /* written under mu, read anywhere (atomic access) */
    bool woken;                     /* under mu: a wake not yet consumed by worker_wait */
    bool detached;                  /* under mu: the thread frees W when the job returns */
    bool finished;                  /* under mu: the job returned */
};

worker_t *worker_new(const char *name)
{
    worker_t *w = calloc(1, sizeof *w);
    pthread_condattr_t ca;
    if (!w) return NULL;
    snprintf(w->name, sizeof w->name, "%s", name ? name : "worker");
    if (pthread_condattr_init(&ca) != 0) goto fail;
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 || pthread_cond_init(&w->cv, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        goto fail;
    }
    pthread_condattr_destroy(&ca);
    if (pthread_mutex_init(&w->mu, NULL) != 0) {
        pthread_cond_destroy(&w->cv);
        goto fail;
    }
    return w;
fail:
    free(w);
    return NULL;
}

static void worker_free(worker_t *w)
{
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}

static int worker_main(void *arg)
{
    worker_t *w = arg;
    w->fn(w, w->arg);
    pthread_mutex_lock(&w->mu);
    w->finished = true;
    bool detached = w->detached;
    pthread_mutex_unlock(&w->mu);
    if (detached) worker_free(w);
    return 0;
}

int worker_start(worker_t *w, worker_fn fn, void *arg)
{
    if (!w || !fn || w->thread) return -1;
    w->fn = fn;
    w->arg = arg;
    w->thread = SDL_CreateThread(worker_main, w->name, w);
    return w->thread ? 0 : -1;
}

void worker_ask_stop(worker_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    __atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void worker_stop(worker_t *w)
{
    if (!w) return;
    worker_ask_stop(w);
    if (w->thread) SDL_WaitThread(w->thread, NULL);
    worker_free(w);
}

void worker_detach(worker_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    __atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
    w->detached = true;
    bool finished = w->finished;
    SDL_Thread *t = w->thread;      /* W may be gone once unlocked */
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    SDL_DetachThread(t);
    if (finished) worker_free(w);
}

bool worker_stopping(const worker_t *w)
{
    return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) != 0;
}

const volatile int *worker_abort_flag(worker_t *w)
{
    return &w->stop;
}

void worker_wake(worker_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->woken = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

bool worker_wait(worker_t *w, int64_t ms)
{
    struct timespec until = clock_deadline(CLOCK_MONOTONIC, ms > 0 ? ms : 0);
    pthread_mutex_lock(&w->mu);
    while (ms != 0 && !w->woken && !worker_stopping(w)) {
        if (ms < 0) pthread_cond_wait(&w->cv, &w->mu);
        else if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0) break;
    }
    bool early = w->woken || worker_stopping(w);
    w->woken = false;
    pthread_mutex_unlock(&w->mu);
    return early;
}

void worker_lock(worker_t *w) { pthread_mutex_lock(&w->mu); }
void worker_unlock(worker_t *w) { pthread_mutex_unlock(&w->mu); }

/* The destructor travels in user.data2. ISO C has no conversion between
 * function and object pointers, POSIX requires one (dlsym relies on it). */
static void *free_fn_to_ptr(worker_free_fn fn)
{
    return (void *)fn;
}

static worker_free_fn ptr_to_free_fn(void *p)
{
    return (worker_free_fn)p;
}

int worker_post(Uint32 type, Sint32 code, void *payload, worker_free_fn free_fn)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = type;
    ev.user.code = code;
    ev.user.data1 = payload;
    ev.user.data2 = free_fn ? free_fn_to_ptr(free_fn) : NULL;
    if (SDL_PushEvent(&ev) == 1) return 0;
    if (payload && free_fn) free_fn(payload);
    return -1;
}

void worker_event_free(SDL_Event *ev)
{
    if (!ev || ev->type < SDL_USEREVENT || !ev->user.data2) return;
    if (ev->user.data1) ptr_to_free_fn(ev->user.data2)(ev->user.data1);
    ev->user.data1 = ev->user.data2 = NULL;
}

void worker_events_drop(Uint32 first, Uint32 last)
{
    SDL_Event ev;
    while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, first, last) == 1) worker_event_free(&ev);
}
