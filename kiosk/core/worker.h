/* One background worker thread, the way every kiosk worker runs (look-up,
 * payments, printing, outbox, telemetry, content, devices, ...).
 *
 * Owns: the thread, a stop flag, one mutex and one condition variable whose
 * timed waits run on CLOCK_MONOTONIC, so a wall-clock step (NTP, staff
 * setting the time) neither cuts a wait short nor stretches it. The job
 * function and its state belong to the module that starts the worker; it
 * may guard that state with the worker's mutex (worker_lock).
 *
 * Threads: worker_new, worker_start, worker_stop and worker_detach are for
 * the owning thread; worker_wake, worker_stopping, worker_lock/unlock and
 * worker_post for any thread; worker_wait for the job function only.
 *
 * Results go to the UI thread as SDL user events carrying an owned payload
 * (worker_post). The payload's destructor rides in the event (user.data2),
 * so a payload is never leaked: it is freed at once if the event cannot be
 * queued, and worker_events_drop frees what is still queued at shutdown. A
 * handler that takes an event owns its payload (user.data1) as before.
 *
 * Errors: worker_new and worker_start return NULL / -1 (out of memory, no
 * thread); nothing is logged here, the caller says what is unavailable. */
#ifndef KIOSK_CORE_WORKER_H
#define KIOSK_CORE_WORKER_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct worker worker_t;

/* The job: runs on the worker thread until it returns. A job meant to be
 * stopped loops until worker_stopping(W). */
typedef void (*worker_fn)(worker_t *w, void *arg);
/* Frees a posted payload that was never handled. */
typedef void (*worker_free_fn)(void *payload);

/* A worker not yet running: its stop flag (worker_abort_flag) can be handed
 * to HTTP clients before the thread starts. NAME names the thread. NULL when
 * out of memory. */
worker_t *worker_new(const char *name);
/* Runs FN(W, ARG) on a new thread. 0, or -1 (W unchanged: still to be
 * stopped or freed with worker_stop). */
int worker_start(worker_t *w, worker_fn fn, void *arg);
/* Asks the job to stop, wakes it and returns at once; worker_stopping is
 * true from here on. */
void worker_ask_stop(worker_t *w);
/* Asks the job to stop, waits for it to return, frees W. Safe on NULL and
 * on a worker never started. */
void worker_stop(worker_t *w);
/* Asks the job to stop and returns at once; W is freed on the worker
 * thread when the job returns (the job frees its own state). Not for a
 * worker never started. */
void worker_detach(worker_t *w);

/* True once a stop was asked. */
bool worker_stopping(const worker_t *w);
/* The stop flag itself (non-zero: stopping), for clients that poll an
 * abort flag during a transfer (net/http.h). Valid until the worker is
 * freed. */
const volatile int *worker_abort_flag(worker_t *w);

/* Wakes a worker_wait now, or the next one if the job is not waiting
 * (a wake is never lost; several before one wait count as one). */
void worker_wake(worker_t *w);
/* Job only: waits up to MS milliseconds (< 0: until woken) on the
 * monotonic clock. Returns at once if a wake is pending or a stop was
 * asked. Returns true when woken or stopping, false when the time ran out;
 * either way the pending wake is consumed. MS == 0 only consumes it. */
bool worker_wait(worker_t *w, int64_t ms);

/* The worker's mutex, for the state the job shares with other threads.
 * Not held across worker_wait, worker_wake or worker_ask_stop (they take
 * it themselves). */
void worker_lock(worker_t *w);
void worker_unlock(worker_t *w);

/* Posts PAYLOAD to the UI thread as an event of TYPE (user.code = CODE,
 * user.data1 = PAYLOAD). The event owns PAYLOAD: FREE_FN frees it if it
 * cannot be queued (then at once) or is dropped unhandled (worker_event_free,
 * worker_events_drop). 0, or -1 when it was not queued (PAYLOAD freed). */
int worker_post(Uint32 type, Sint32 code, void *payload, worker_free_fn free_fn);
/* Frees the payload of an event posted by worker_post (no-op for others). */
void worker_event_free(SDL_Event *ev);
/* Takes every queued event of a type in [FIRST, LAST] and frees its
 * payload: for shutdown, once the workers are stopped. */
void worker_events_drop(Uint32 first, Uint32 last);

#endif
