/* The receipt print queue: see print_queue.h for the contract. */
#include "app/print_queue.h"
#include "app/devices.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "core/log.h"
#include "core/worker.h"
#include "printer/receipt.h"
#include "store/store.h"
#include "backoff.h"
#include "utf8.h"

#define PRINT_QUEUE_URI_MAX 512
/* A finish that fails (database busy beyond its timeout) is tried again this
 * often before the job is left printing, to be printed again at the next
 * start. */
#define PRINT_QUEUE_FINISH_TRIES 3
#define PRINT_QUEUE_FINISH_PAUSE_MS 200
/* A wall clock that moved back more than this (seconds) makes every queued
 * job due: their next_try was computed from the later time. */
#define PRINT_QUEUE_CLOCK_SLACK_S 2

struct print_queue {
    /* Woken when a job is submitted or made due. */
    worker_t *w;
    int live_fd;                /* under the worker's lock: the printer connection while a
                                 * job prints, else -1 */

    pthread_mutex_t submit_lock;
    store_t *submit_db;         /* submit and retry_now, from any thread, under submit_lock */

    /* The worker's own; set before it starts and read-only for the others. */
    store_t *worker_db;
    char uri[PRINT_QUEUE_URI_MAX];
    Uint32 event_type;
    print_queue_opts_t opts;
    uint32_t rng;               /* xorshift32 state for the jitter */
    time_t last_wall;           /* the wall clock the worker saw last */
    char last_logged[240];      /* the last WAITING reason logged (no repeats in the log) */
};

/* ---- pure helpers ----------------------------------------------------- */

long print_queue_backoff_ms(int attempt, uint32_t random)
{
    return (long)backoff_jitter_ms(attempt, PRINT_QUEUE_BACKOFF_BASE_MS,
                                   PRINT_QUEUE_BACKOFF_CAP_MS, random);
}

size_t print_queue_fallback_payload(const char *summary, char *out, size_t len)
{
    size_t max, n;

    if (!out || len == 0) return 0;
    if (!summary) summary = "";
    max = len - 1 < PRINT_QUEUE_QR_MAX ? len - 1 : PRINT_QUEUE_QR_MAX;
    n = strnlen(summary, max + 1);
    if (n > max) {
        /* summary[n] is the first byte left out; while it continues a
         * character, that character started before the cut: drop it. */
        n = utf8_floor(summary, max);
    }
    memcpy(out, summary, n);
    out[n] = '\0';
    return n;
}

/* ---- worker ----------------------------------------------------------- */

static uint32_t print_queue_random(print_queue_t *q)
{
    uint32_t x = q->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    q->rng = x;
    return x;
}

/* Posts a copy of EV to the UI, unless the queue is stopping (the app no
 * longer reads its events then) or events are off. */
static void print_queue_post(print_queue_t *q, const print_queue_event_t *ev)
{
    if (q->event_type == 0 || q->event_type == (Uint32)-1) return;
    if (worker_stopping(q->w)) return;
    print_queue_event_t *copy = malloc(sizeof *copy);
    if (!copy) return;
    *copy = *ev;
    worker_post(q->event_type, (Sint32)ev->outcome, copy, free);
}

/* The ESC/POS bytes of RECEIPT_JSON into *OUT (malloc'd). 0, or -1 with the
 * reason in ERR: the receipt can never print. */
static int print_queue_encode(const char *receipt_json, unsigned char **out, size_t *len,
                              char *err, int errlen)
{
    receipt_t r;
    char why[200];

    if (receipt_parse(receipt_json, strlen(receipt_json), NULL, &r, why, sizeof why) != 0) {
        snprintf(err, (size_t)errlen, "invalid receipt: %s", why);
        return -1;
    }
    int rc = receipt_encode(&r, out, len, why, sizeof why);
    receipt_free(&r);
    if (rc != 0) snprintf(err, (size_t)errlen, "cannot encode the receipt: %s", why);
    return rc;
}

/* Opens the printer, prints DATA, closes. The connection is published in
 * live_fd meanwhile so print_queue_stop can shut it down. Returns 0 when
 * R->printed, else -1 with R saying why. */
static int print_queue_print_locked(print_queue_t *q, const unsigned char *data, size_t len,
                             printer_result_t *r)
{
    printer_t p;
    char err[200];
    bool stopping;
    int rc = -1;

    memset(r, 0, sizeof *r);
    if (printer_open(&p, q->uri, err, sizeof err) != 0) {
        r->state = ESCPOS_NOT_ANSWERING;
        snprintf(r->message, sizeof r->message, "not printed: cannot connect: %s", err);
        return -1;
    }
    worker_lock(q->w);
    stopping = worker_stopping(q->w);
    if (!stopping) q->live_fd = p.t.fd;
    worker_unlock(q->w);

    if (stopping) {
        r->state = ESCPOS_NOT_ANSWERING;
        snprintf(r->message, sizeof r->message, "%s", "not printed: the print queue is stopping");
    } else {
        rc = printer_print(&p, data, len, r);
    }

    /* Unpublished before the close, so a stop never shuts down a
     * descriptor number reused by someone else. */
    worker_lock(q->w);
    q->live_fd = -1;
    stopping = worker_stopping(q->w);
    worker_unlock(q->w);
    printer_close(&p);
    /* The driver saw the stop's shutdown as the printer closing the
     * connection: say what really happened. */
    if (rc != 0 && stopping && !r->paper_ran_out)
        snprintf(r->message, sizeof r->message, "%s",
                 "not printed: the print queue stopped during the job");
    return rc;
}

/* The printer is this worker's while it prints: the device monitor does not
 * open it meanwhile (app/devices.h). */
static int print_queue_print(print_queue_t *q, const unsigned char *data, size_t len,
                             printer_result_t *r)
{
    devices_lock(DEV_PRINTER);
    int rc = print_queue_print_locked(q, data, len, r);
    devices_unlock(DEV_PRINTER);
    return rc;
}

static int print_queue_finish(print_queue_t *q, long long id, store_print_state_t state,
                              const char *error, time_t next_try)
{
    for (int i = 0; i < PRINT_QUEUE_FINISH_TRIES; i++) {
        if (i > 0) {
            struct timespec ts = {0, PRINT_QUEUE_FINISH_PAUSE_MS * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (store_print_finish(q->worker_db, id, state, error, next_try, clock_wall()) == 0)
            return 0;
    }
    log_error("print_queue", "job %lld: cannot record it as %s; it stays 'printing' and "
              "prints again at the next start", id, store_print_state_name(state));
    return -1;
}

/* Claims one due job and tries to print it. Returns 1 when a job was
 * handled (whatever came of it), 0 when none was due, -1 on a database
 * error. */
static int print_queue_run_one(print_queue_t *q)
{
    store_print_job_t job;
    print_queue_event_t ev;
    printer_result_t r;
    unsigned char *bytes = NULL;
    size_t len = 0;
    char *json = NULL;
    char err[240];

    int rc = store_print_claim(q->worker_db, clock_wall(), &job, &json);
    if (rc <= 0) return rc;

    memset(&ev, 0, sizeof ev);
    ev.job_id = job.id;
    ev.attempts = job.attempts;

    if (print_queue_encode(json, &bytes, &len, err, sizeof err) != 0) {
        /* Retrying cannot help: the same JSON fails the same way. */
        log_error("print_queue", "job %lld failed: %s", job.id, err);
        print_queue_finish(q, job.id, STORE_PRINT_FAILED, err, 0);
        ev.outcome = PRINT_QUEUE_FAILED;
        ev.state = ESCPOS_UNKNOWN;
        snprintf(ev.reason, sizeof ev.reason, "%s", err);
        print_queue_fallback_payload(job.summary, ev.qr, sizeof ev.qr);
        print_queue_post(q, &ev);
        free(json);
        return 1;
    }
    free(json);

    if (print_queue_print(q, bytes, len, &r) == 0) {
        log_info("print_queue", "job %lld printed (attempt %d)%s%s", job.id, job.attempts,
                 r.state == ESCPOS_PAPER_NEAR_END ? ": " : "",
                 r.state == ESCPOS_PAPER_NEAR_END ? r.message : "");
        q->last_logged[0] = '\0';
        print_queue_finish(q, job.id, STORE_PRINT_PRINTED, NULL, 0);
        ev.outcome = PRINT_QUEUE_PRINTED;
        ev.state = r.state;
        snprintf(ev.reason, sizeof ev.reason, "%s", r.message);
    } else {
        long delay = (long)backoff_jitter_ms(job.attempts, q->opts.backoff_base_ms,
                                             q->opts.backoff_cap_ms, print_queue_random(q));
        if (delay < q->opts.retry_min_ms) delay = q->opts.retry_min_ms;
        /* next_try has whole seconds: round up, never retry early. */
        time_t next_try = clock_wall() + (time_t)((delay + 999) / 1000);
        if (strcmp(q->last_logged, r.message) != 0) {
            log_warn("print_queue", "job %lld waits (attempt %d, next in %ld s): %s", job.id,
                     job.attempts, (long)(next_try - clock_wall()), r.message);
            snprintf(q->last_logged, sizeof q->last_logged, "%s", r.message);
        }
        print_queue_finish(q, job.id, STORE_PRINT_QUEUED, r.message, next_try);
        ev.outcome = PRINT_QUEUE_WAITING;
        ev.state = r.state;
        ev.paper_ran_out = r.paper_ran_out;
        snprintf(ev.reason, sizeof ev.reason, "%s", r.message);
        print_queue_fallback_payload(job.summary, ev.qr, sizeof ev.qr);
    }
    free(bytes);
    print_queue_post(q, &ev);
    return 1;
}

/* A wall clock set back (NTP, staff) would leave queued jobs waiting for a
 * next_try computed from the later time: make them due instead. */
static void print_queue_check_clock(print_queue_t *q)
{
    time_t now = clock_wall();
    if (q->last_wall && now + PRINT_QUEUE_CLOCK_SLACK_S < q->last_wall) {
        log_warn("print_queue", "the wall clock went back %lld s: queued receipts are due now",
                 (long long)(q->last_wall - now));
        store_print_retry_now(q->worker_db);
    }
    q->last_wall = now;
}

/* Milliseconds until the worker should look again: the poll interval, or
 * sooner when a queued job falls due. */
static long print_queue_wait_ms(print_queue_t *q)
{
    long wait = q->opts.poll_ms;
    time_t when;

    if (store_print_next_due(q->worker_db, &when) == 1) {
        time_t now = clock_wall();
        long ms = when > now ? (long)(when - now) * 1000L : 0;
        if (ms < wait) wait = ms;
    }
    return wait;
}

static void print_queue_worker(worker_t *w, void *arg)
{
    print_queue_t *q = arg;

    while (!worker_stopping(w)) {
        print_queue_check_clock(q);
        int rc;
        while ((rc = print_queue_run_one(q)) == 1 && !worker_stopping(w)) {}
        long wait = rc == 0 ? print_queue_wait_ms(q) : q->opts.poll_ms;
        /* A job submitted while the queue was read kicked it: no wait then. */
        worker_wait(w, wait > 0 ? wait : 0);
    }
}

/* ---- API -------------------------------------------------------------- */

static void print_queue_kick(print_queue_t *q)
{
    worker_wake(q->w);
}

static void print_queue_free(print_queue_t *q)
{
    worker_stop(q->w);
    pthread_mutex_destroy(&q->submit_lock);
    store_close(q->worker_db);
    store_close(q->submit_db);
    free(q);
}

print_queue_t *print_queue_start(const char *var_dir, const char *printer_uri, Uint32 event_type,
                                 const print_queue_opts_t *opts)
{
    print_queue_t *q;
    char err[512];
    int n;

    if (!printer_uri || !printer_uri[0]) return NULL;   /* no printer: QR codes only */
    if (!var_dir || !var_dir[0]) {
        log_error("print_queue", "no var_dir: receipts cannot be queued");
        return NULL;
    }
    q = calloc(1, sizeof *q);
    if (!q) {
        log_error("print_queue", "out of memory");
        return NULL;
    }
    q->live_fd = -1;
    q->event_type = event_type;
    pthread_mutex_init(&q->submit_lock, NULL);
    q->w = worker_new("print_queue");
    if (!q->w) {
        log_error("print_queue", "out of memory");
        print_queue_free(q);
        return NULL;
    }
    n = snprintf(q->uri, sizeof q->uri, "%s", printer_uri);
    if (n < 0 || (size_t)n >= sizeof q->uri) {
        log_error("print_queue", "printer URI is too long (%zu bytes)", strlen(printer_uri));
        print_queue_free(q);
        return NULL;
    }
    if (opts) q->opts = *opts;
    if (q->opts.poll_ms <= 0) q->opts.poll_ms = PRINT_QUEUE_POLL_MS;
    if (q->opts.backoff_base_ms <= 0) q->opts.backoff_base_ms = PRINT_QUEUE_BACKOFF_BASE_MS;
    if (q->opts.backoff_cap_ms <= 0) q->opts.backoff_cap_ms = PRINT_QUEUE_BACKOFF_CAP_MS;
    if (q->opts.retry_min_ms <= 0) q->opts.retry_min_ms = PRINT_QUEUE_RETRY_MIN_MS;
    q->rng = (uint32_t)clock_mono_ms() ^ (uint32_t)getpid() * 2654435761u ^ (uint32_t)(uintptr_t)q;
    if (q->rng == 0) q->rng = 0x9E3779B9u;

    if (store_open(var_dir, &q->worker_db, err, sizeof err) != 0 ||
        store_open(var_dir, &q->submit_db, err, sizeof err) != 0) {
        log_error("print_queue", "cannot open the database: %s", err);
        print_queue_free(q);
        return NULL;
    }
    store_durable(q->submit_db);    /* a resident's receipt survives a power cut */

    /* Before the worker claims anything: what an earlier run left printing
     * was cut off by a crash or power cut. */
    int requeued = store_print_requeue_interrupted(q->worker_db);
    if (requeued > 0)
        log_warn("print_queue", "%d receipt(s) interrupted while printing: printing them again",
                 requeued);
    store_print_prune(q->worker_db, clock_wall() - (time_t)PRINT_QUEUE_KEEP_DAYS * 86400);

    if (worker_start(q->w, print_queue_worker, q) != 0) {
        log_error("print_queue", "cannot start the print worker: %s", SDL_GetError());
        print_queue_free(q);
        return NULL;
    }
    return q;
}

void print_queue_stop(print_queue_t *q)
{
    if (!q) return;
    /* Once stopping, no new connection is published in live_fd. */
    worker_ask_stop(q->w);
    worker_lock(q->w);
    /* Ends a blocked read or write on a TCP printer at once; on a serial
     * or USB device (not a socket) it fails harmlessly and the driver's
     * timeouts bound the wait. */
    if (q->live_fd >= 0) shutdown(q->live_fd, SHUT_RDWR);
    worker_unlock(q->w);
    print_queue_free(q);            /* joins the worker first */
}

int print_queue_submit(print_queue_t *q, const char *receipt_json, const char *summary,
                       long long *job_id)
{
    receipt_t r;
    char err[200];
    long long id = 0;
    int rc;

    if (!q || !receipt_json || !summary || !summary[0]) return -1;
    /* Refused here, the caller can still show the QR code now; accepted, a
     * bad receipt would only fail later in the worker. */
    if (receipt_parse(receipt_json, strlen(receipt_json), NULL, &r, err, sizeof err) != 0) {
        log_error("print_queue", "receipt not queued: %s", err);
        return -1;
    }
    receipt_free(&r);

    pthread_mutex_lock(&q->submit_lock);
    rc = store_print_enqueue(q->submit_db, receipt_json, summary, clock_wall(), &id);
    pthread_mutex_unlock(&q->submit_lock);
    if (rc != 0) return -1;

    log_info("print_queue", "job %lld queued", id);
    print_queue_kick(q);
    if (job_id) *job_id = id;
    return 0;
}

int print_queue_retry_now(print_queue_t *q)
{
    int n;

    if (!q) return -1;
    pthread_mutex_lock(&q->submit_lock);
    n = store_print_retry_now(q->submit_db);
    pthread_mutex_unlock(&q->submit_lock);
    if (n >= 0) print_queue_kick(q);
    return n;
}
