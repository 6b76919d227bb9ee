/* The store writer thread (see writer.h). */
#include "store/writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "core/worker.h"
#include "store/store.h"

#define MOD "store"

typedef enum { JOB_POP, JOB_PRUNE, JOB_SESSION, JOB_SETTING } job_kind_t;

typedef struct {
    job_kind_t kind;
    bool durable;
    bool last;                  /* settings: the last of its group (carries the event) */
    Uint32 done_event;
    long long tag;
    pop_record_t pop;
    time_t t1, t2;              /* prune: before; session: started, ended */
    int visited;
    char reason[32];
    char *key, *value;          /* settings, malloc'd */
} job_t;

struct store_writer {
    worker_t *w;
    store_t *st;                /* the worker's */
    /* Under the worker's lock: */
    job_t q[STORE_WRITER_QUEUE];
    int head, n;
    unsigned long long queued, finished;   /* jobs ever queued, ever committed or failed */
    long long dropped;
    /* The worker's: */
    job_t *batch;               /* what one drain took */
    char last_error[200];
};

static void job_free(job_t *j)
{
    free(j->key);
    free(j->value);
    j->key = j->value = NULL;
}

static job_t *slot(store_writer_t *w, int i)
{
    return &w->q[(w->head + i) % STORE_WRITER_QUEUE];
}

/* Locked: one proof-of-play record dropped (logged now and then). */
static void count_drop(store_writer_t *w)
{
    if (w->dropped++ % 100 == 0)
        log_warn(MOD, "write queue full: proof of play dropped (%lld so far)", w->dropped);
}

/* Locked: makes room for K more jobs by dropping the oldest proof-of-play
 * records. True when there is room. */
static bool make_room(store_writer_t *w, int k)
{
    while (w->n + k > STORE_WRITER_QUEUE) {
        int i = 0;
        while (i < w->n && slot(w, i)->kind != JOB_POP) i++;
        if (i == w->n) return false;
        for (; i > 0; i--) *slot(w, i) = *slot(w, i - 1);
        w->head = (w->head + 1) % STORE_WRITER_QUEUE;
        w->n--;
        w->finished++;
        count_drop(w);
    }
    return true;
}

/* Queues JOBS[0..K) together; takes their strings either way. */
static int enqueue(store_writer_t *w, job_t *jobs, int k)
{
    if (!w) goto refuse;
    worker_lock(w->w);
    bool room = make_room(w, k);
    if (!room && jobs[0].kind == JOB_POP) {
        count_drop(w);
    } else if (room) {
        for (int i = 0; i < k; i++) *slot(w, w->n++) = jobs[i];
        w->queued += (unsigned long long)k;
    }
    worker_unlock(w->w);
    if (!room) {
        if (jobs[0].kind != JOB_POP) log_error(MOD, "write queue full: a write was refused");
        goto refuse;
    }
    worker_wake(w->w);
    return 0;
refuse:
    for (int i = 0; i < k; i++) job_free(&jobs[i]);
    return -1;
}

int store_writer_pop(store_writer_t *w, const pop_record_t *r)
{
    if (!r) return -1;
    job_t j = {.kind = JOB_POP, .pop = *r};
    return enqueue(w, &j, 1);
}

int store_writer_pop_prune(store_writer_t *w, time_t before)
{
    job_t j = {.kind = JOB_PRUNE, .t1 = before};
    return enqueue(w, &j, 1);
}

int store_writer_session_log(store_writer_t *w, time_t started, time_t ended,
                             const char *end_reason, int screens_visited)
{
    job_t j = {.kind = JOB_SESSION, .t1 = started, .t2 = ended, .visited = screens_visited};
    snprintf(j.reason, sizeof j.reason, "%s", end_reason ? end_reason : "");
    return enqueue(w, &j, 1);
}

int store_writer_settings(store_writer_t *w, const char *const *keys,
                          const char *const *values, int n, bool durable,
                          Uint32 done_event, long long tag)
{
    if (n <= 0 || n > 8) return -1;
    job_t jobs[8];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < n; i++) {
        jobs[i].kind = JOB_SETTING;
        jobs[i].durable = durable;
        jobs[i].last = i == n - 1;
        jobs[i].done_event = done_event;
        jobs[i].tag = tag;
        jobs[i].key = keys[i] ? strdup(keys[i]) : NULL;
        jobs[i].value = values[i] ? strdup(values[i]) : NULL;
        if (!jobs[i].key || !jobs[i].value) {
            for (int k = 0; k <= i; k++) job_free(&jobs[k]);
            log_error(MOD, "out of memory: setting not written");
            return -1;
        }
    }
    return enqueue(w, jobs, n);
}

/* ---- the thread ---------------------------------------------------------- */

static int run_job(store_t *st, const job_t *j)
{
    switch (j->kind) {
    case JOB_POP: return pop_record(st, &j->pop);
    case JOB_PRUNE: return pop_prune(st, j->t1) < 0 ? -1 : 0;
    case JOB_SESSION:
        return store_session_log(st, j->t1, j->t2, j->reason[0] ? j->reason : NULL, j->visited);
    case JOB_SETTING: return store_setting_set(st, j->key, j->value);
    }
    return -1;
}

static void db_error(store_writer_t *w, const char *what, const char *why)
{
    char line[sizeof w->last_error];
    snprintf(line, sizeof line, "%s: %s", what, why);
    if (strcmp(line, w->last_error) == 0) return;
    log_error(MOD, "writer: %s", line);
    memcpy(w->last_error, line, sizeof line);
}

/* Commits the jobs of JOBS[0..N) whose durability is DURABLE in one
 * transaction. 0, or -1 (nothing of them written). */
static int commit(store_writer_t *w, job_t *jobs, int n, bool durable)
{
    char err[200] = "";
    int count = 0;
    for (int i = 0; i < n; i++) count += jobs[i].durable == durable;
    if (count == 0) return 0;
    sqlite3 *db = store_db(w->st);
    if (durable && sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK) {
        db_error(w, "cannot set synchronous=FULL", sqlite3_errmsg(db));
        return -1;
    }
    int rc = store_tx_begin(w->st, err, sizeof err);
    for (int i = 0; rc == 0 && i < n; i++)
        if (jobs[i].durable == durable && run_job(w->st, &jobs[i]) != 0) {
            snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
            rc = -1;
        }
    if (rc == 0) rc = store_tx_commit(w->st, err, sizeof err);
    if (rc != 0) {
        store_tx_rollback(w->st);
        db_error(w, durable ? "durable writes lost" : "records lost", err);
    } else if (w->last_error[0]) {
        log_info(MOD, "writer: the database takes writes again");
        w->last_error[0] = '\0';
    }
    if (durable) sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    return rc;
}

static void writer_main(worker_t *wk, void *arg)
{
    store_writer_t *w = arg;
    job_t *batch = w->batch;
    for (;;) {
        worker_lock(wk);
        int n = w->n;
        for (int i = 0; i < n; i++) batch[i] = *slot(w, i);
        w->head = (w->head + n) % STORE_WRITER_QUEUE;
        w->n = 0;
        worker_unlock(wk);
        if (n == 0) {
            if (worker_stopping(wk)) break;
            worker_wait(wk, -1);
            continue;
        }
        int rc_normal = commit(w, batch, n, false);
        int rc_durable = commit(w, batch, n, true);
        for (int i = 0; i < n; i++) {
            job_t *j = &batch[i];
            if (j->done_event && j->last) {
                long long *tag = malloc(sizeof *tag);
                if (tag) {
                    *tag = j->tag;
                    worker_post(j->done_event, (j->durable ? rc_durable : rc_normal) == 0 ? 0 : -1,
                                tag, free);
                }
            }
            job_free(j);
        }
        worker_lock(wk);
        w->finished += (unsigned long long)n;
        worker_unlock(wk);
    }
}

store_writer_t *store_writer_start(const char *var_dir, char *err, int errlen)
{
    char why[512];
    store_writer_t *w = calloc(1, sizeof *w);
    if (!w || !(w->batch = calloc(STORE_WRITER_QUEUE, sizeof *w->batch)) ||
        !(w->w = worker_new("store_writer"))) {
        snprintf(err, (size_t)errlen, "out of memory");
        goto fail;
    }
    if (store_open(var_dir, &w->st, why, sizeof why) != 0) {
        snprintf(err, (size_t)errlen, "writer database: %s", why);
        goto fail;
    }
    if (worker_start(w->w, writer_main, w) != 0) {
        snprintf(err, (size_t)errlen, "cannot start the store writer thread");
        goto fail;
    }
    return w;
fail:
    if (w) {
        worker_stop(w->w);
        store_close(w->st);
        free(w->batch);
        free(w);
    }
    return NULL;
}

void store_writer_stop(store_writer_t *w)
{
    if (!w) return;
    worker_stop(w->w);            /* the thread commits what is queued, then returns */
    for (int i = 0; i < w->n; i++) job_free(slot(w, i));
    store_close(w->st);
    free(w->batch);
    free(w);
}

int store_writer_flush(store_writer_t *w, int timeout_ms)
{
    if (!w) return -1;
    worker_lock(w->w);
    unsigned long long want = w->queued;
    worker_unlock(w->w);
    Uint32 t0 = SDL_GetTicks();
    for (;;) {
        worker_lock(w->w);
        bool done = w->finished >= want;
        worker_unlock(w->w);
        if (done) return 0;
        if ((int)(SDL_GetTicks() - t0) >= timeout_ms) return -1;
        SDL_Delay(1);
    }
}

long long store_writer_dropped(store_writer_t *w)
{
    if (!w) return 0;
    worker_lock(w->w);
    long long n = w->dropped;
    worker_unlock(w->w);
    return n;
}
