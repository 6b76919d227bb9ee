/* The one worker abstraction (core/worker.h): waits that end early on a
 * wake or a stop, a wake before the wait is not lost, timed waits on the
 * monotonic clock, and posted payloads that are freed whatever happens to
 * their event. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <SDL.h>
#include "core/clock.h"
#include "core/worker.h"

typedef struct {
    int rounds;                 /* under the worker's lock */
    int timeouts, early;        /* the job's, read after the join */
    int64_t wait_ms;
    int64_t last_wait_took;
} job_t;

/* Waits WAIT_MS per round until stopped, counting how each wait ended. */
static void waiting_job(worker_t *w, void *arg)
{
    job_t *j = arg;
    while (!worker_stopping(w)) {
        int64_t t0 = clock_real_mono_ms();
        bool early = worker_wait(w, j->wait_ms);
        j->last_wait_took = clock_real_mono_ms() - t0;
        if (early) j->early++;
        else j->timeouts++;
        worker_lock(w);
        j->rounds++;
        worker_unlock(w);
    }
}

static int rounds(worker_t *w, job_t *j)
{
    worker_lock(w);
    int n = j->rounds;
    worker_unlock(w);
    return n;
}

/* Polls until the job has done N rounds (or 5 s, a failure). */
static void await_rounds(worker_t *w, job_t *j, int n)
{
    int64_t until = clock_real_mono_ms() + 5000;
    while (rounds(w, j) < n && clock_real_mono_ms() < until) SDL_Delay(2);
    assert_true(rounds(w, j) >= n);
}

static void wake_ends_a_wait_at_once(void **state)
{
    job_t j = {.wait_ms = -1};           /* only a wake or a stop ends it */
    worker_t *w = worker_new("t-wake");
    assert_non_null(w);
    assert_int_equal(worker_start(w, waiting_job, &j), 0);
    SDL_Delay(20);
    assert_int_equal(rounds(w, &j), 0);
    worker_wake(w);
    await_rounds(w, &j, 1);
    worker_stop(w);
    assert_int_equal(j.timeouts, 0);
    assert_true(j.early >= 1);
}

static void stop_ends_a_long_wait(void **state)
{
    job_t j = {.wait_ms = 60 * 1000};
    worker_t *w = worker_new("t-stop");
    assert_int_equal(worker_start(w, waiting_job, &j), 0);
    SDL_Delay(20);
    int64_t t0 = clock_real_mono_ms();
    worker_stop(w);                      /* joins: returns when the job did */
    assert_true(clock_real_mono_ms() - t0 < 1000);
    assert_int_equal(j.rounds, 1);
    assert_int_equal(j.early, 1);
    assert_int_equal(j.timeouts, 0);
}

/* A wake that comes while the job is busy ends its next wait. */
static void wake_before_the_wait_is_kept(void **state)
{
    worker_t *w = worker_new("t-kept");
    worker_wake(w);
    int64_t t0 = clock_real_mono_ms();
    assert_true(worker_wait(w, 10 * 1000));
    assert_true(clock_real_mono_ms() - t0 < 1000);
    assert_false(worker_wait(w, 1));     /* consumed */
    worker_wake(w);
    assert_true(worker_wait(w, 0));      /* zero: just consumes it */
    assert_false(worker_wait(w, 0));
    worker_ask_stop(w);
    assert_true(worker_stopping(w));
    assert_int_equal(*worker_abort_flag(w), 1);
    assert_true(worker_wait(w, -1));     /* stopping: never blocks */
    worker_stop(w);                      /* never started: just freed */
    worker_stop(NULL);
}

/* The deadline is taken on CLOCK_MONOTONIC and the condition variable runs
 * on it: against a wall-clock condition variable that deadline (uptime, not
 * the epoch) would be long past and the wait would return at once; a wall
 * deadline on it would be decades away. Either way this fails. */
static void timed_wait_runs_on_the_monotonic_clock(void **state)
{
    job_t j = {.wait_ms = 80};
    worker_t *w = worker_new("t-timed");
    assert_int_equal(worker_start(w, waiting_job, &j), 0);
    await_rounds(w, &j, 2);
    worker_stop(w);
    assert_true(j.timeouts >= 1);
    worker_t *v = worker_new("t-timed2");
    int64_t t0 = clock_real_mono_ms();
    assert_false(worker_wait(v, 80));
    int64_t took = clock_real_mono_ms() - t0;
    assert_true(took >= 79);
    assert_true(took < 2000);
    worker_stop(v);
}

static int live_detached;

static void detached_job(worker_t *w, void *arg)
{
    int *mine = arg;
    while (!worker_stopping(w)) worker_wait(w, -1);
    free(mine);                          /* a detached job frees its own state */
    __atomic_fetch_sub(&live_detached, 1, __ATOMIC_SEQ_CST);
}

static void detached_worker_frees_itself(void **state)
{
    worker_t *w = worker_new("t-detached");
    __atomic_store_n(&live_detached, 1, __ATOMIC_SEQ_CST);
    assert_int_equal(worker_start(w, detached_job, malloc(16)), 0);
    worker_detach(w);
    int64_t until = clock_real_mono_ms() + 5000;
    while (__atomic_load_n(&live_detached, __ATOMIC_SEQ_CST) > 0 && clock_real_mono_ms() < until)
        SDL_Delay(2);
    assert_int_equal(live_detached, 0);
    SDL_Delay(20);                       /* the thread frees W after the job */
}

static int freed;

static void count_free(void *p)
{
    freed++;
    free(p);
}

static int refuse_all(void *ud, SDL_Event *ev)
{
    return 0;
}

static void posted_payloads_are_never_leaked(void **state)
{
    assert_int_equal(SDL_Init(SDL_INIT_EVENTS), 0);
    Uint32 base = SDL_RegisterEvents(2);
    freed = 0;

    /* Handled: the handler owns the payload; the code travels too. */
    assert_int_equal(worker_post(base, 7, malloc(8), count_free), 0);
    SDL_Event ev;
    assert_int_equal(SDL_PeepEvents(&ev, 1, SDL_GETEVENT, base, base), 1);
    assert_int_equal(ev.user.code, 7);
    assert_non_null(ev.user.data1);
    worker_event_free(&ev);
    assert_int_equal(freed, 1);
    assert_null(ev.user.data1);
    worker_event_free(&ev);              /* twice: nothing */
    assert_int_equal(freed, 1);

    /* Not consumed: freed by the shutdown drain. */
    assert_int_equal(worker_post(base, 0, malloc(8), count_free), 0);
    assert_int_equal(worker_post(base + 1, 0, malloc(8), count_free), 0);
    worker_events_drop(base, base + 1);
    assert_int_equal(freed, 3);
    assert_int_equal(SDL_PeepEvents(&ev, 1, SDL_PEEKEVENT, base, base + 1), 0);

    /* Refused by the queue (filtered here): freed at once. */
    SDL_SetEventFilter(refuse_all, NULL);
    assert_int_equal(worker_post(base, 0, malloc(8), count_free), -1);
    assert_int_equal(freed, 4);
    SDL_SetEventFilter(NULL, NULL);

    /* Still queued when its worker is gone: the drain frees it. */
    worker_t *w = worker_new("t-post");
    job_t j = {.wait_ms = -1};
    assert_int_equal(worker_start(w, waiting_job, &j), 0);
    assert_int_equal(worker_post(base + 1, 0, malloc(8), count_free), 0);
    worker_stop(w);
    worker_events_drop(base, base + 1);
    assert_int_equal(freed, 5);
    SDL_Quit();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wake_ends_a_wait_at_once),
        cmocka_unit_test(stop_ends_a_long_wait),
        cmocka_unit_test(wake_before_the_wait_is_kept),
        cmocka_unit_test(timed_wait_runs_on_the_monotonic_clock),
        cmocka_unit_test(detached_worker_frees_itself),
        cmocka_unit_test(posted_payloads_are_never_leaked),
    };
    return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}
