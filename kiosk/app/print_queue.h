/* The kiosk's persistent receipt print queue.
 *
 * A receipt is first written to the database (table print_jobs, see
 * store/schema.c migration 3), then printed by a worker thread that owns the
 * printer. When the printer cannot print it (paper out, cover open, offline,
 * not answering, or the paper ran out halfway) the receipt stays queued and
 * is retried with a capped exponential backoff with full jitter, and the UI
 * is told so it can offer the receipt as a QR code on screen meanwhile
 * (print_queue_fallback_payload). A receipt counts as printed only when the
 * printer confirmed it (printer/printer.h); a job interrupted by a crash or
 * power cut is printed again in full at the next start. So a duplicate
 * receipt is possible and acceptable; a lost one is not.
 *
 * Threads and SQLite: the queue opens two connections of its own to
 * var_dir/kiosk.db (WAL lets them and the app's connection work side by side):
 * one used only by the worker, one (synchronous=FULL) for print_queue_submit and
 * print_queue_retry_now, which may be called from any thread (serialised by
 * a mutex). The app's store_t is never touched, so nothing here depends on
 * it being thread-safe.
 *
 *   q = print_queue_start(cfg.var_dir, cfg.printer_uri, ev_type, NULL);
 *   print_queue_submit(q, receipt_json, summary, &job);   UI thread, quick
 *   ... SDL events of type ev_type: user.data1 = print_queue_event_t * ...
 *   print_queue_stop(q);
 *
 * The receipt JSON and the summary may carry personal data only masked
 * (common/mask.h): the caller masks before submitting. */
#ifndef KIOSK_PRINT_QUEUE_H
#define KIOSK_PRINT_QUEUE_H

#include <SDL.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "printer/printer.h"

#define PRINT_QUEUE_POLL_MS 5000            /* idle wake-up: look for due jobs */
#define PRINT_QUEUE_BACKOFF_BASE_MS 2000    /* ceiling of the first retry delay */
#define PRINT_QUEUE_BACKOFF_CAP_MS 60000    /* no retry waits longer */
#define PRINT_QUEUE_RETRY_MIN_MS 1000       /* a refused job is not re-claimed sooner */
#define PRINT_QUEUE_KEEP_DAYS 30            /* printed/failed jobs are deleted after this */
/* Bytes of the on-screen QR fallback: well inside what a QR code at error
 * correction M holds (version 40: 2331 bytes) and still a code a phone
 * reads from a screen at arm's length (about version 13). */
#define PRINT_QUEUE_QR_MAX 300

typedef struct print_queue print_queue_t;

typedef enum {
    PRINT_QUEUE_PRINTED,    /* the printer confirmed the receipt */
    PRINT_QUEUE_WAITING,    /* not printed this time; queued for a retry */
    PRINT_QUEUE_FAILED,     /* can never print (invalid receipt, missing image) */
} print_queue_outcome_t;

/* The payload of a queue event (event.user.data1, malloc'd: the receiver
 * frees it with free()). event.user.code is the outcome too. */
typedef struct {
    long long job_id;
    print_queue_outcome_t outcome;
    escpos_state_t state;   /* what the printer reported (the reason when WAITING):
                             * PAPER_OUT, COVER_OPEN, OFFLINE, ERROR,
                             * NOT_ANSWERING (also: could not connect);
                             * FAILED: UNKNOWN (the printer was not asked) */
    bool paper_ran_out;     /* WAITING: the paper ran out during this receipt;
                             * what came out is incomplete, the whole receipt
                             * prints again */
    int attempts;           /* attempts so far, this one included (1 = first) */
    char reason[240];       /* English, for staff and logs; no personal data */
    char qr[PRINT_QUEUE_QR_MAX + 1];  /* WAITING and FAILED: the QR payload to
                                       * show instead (the job's summary) */
} print_queue_event_t;

/* Tuning; zero fields take the defaults above. Tests use a long retry_min_ms
 * to hold a refused job in the queue until print_queue_retry_now. */
typedef struct {
    int poll_ms;
    int backoff_base_ms;
    int backoff_cap_ms;
    int retry_min_ms;
} print_queue_opts_t;

/* Starts the queue for the database in VAR_DIR and the printer at
 * PRINTER_URI (printer/printer.h URIs). Events of type EVENT_TYPE are posted
 * to the SDL event queue (none when EVENT_TYPE is 0 or (Uint32)-1). OPTS may
 * be NULL. Before the worker starts, jobs left printing by an earlier run
 * are re-queued (store_print_requeue_interrupted) and printed/failed jobs
 * older than PRINT_QUEUE_KEEP_DAYS are deleted. Returns NULL when no printer
 * is configured (PRINTER_URI NULL or ""), or when the database cannot be
 * opened or the thread cannot start (logged): then there is no queue and
 * the UI offers receipts as QR codes only. */
print_queue_t *print_queue_start(const char *var_dir, const char *printer_uri, Uint32 event_type,
                                 const print_queue_opts_t *opts);

/* Stops the worker and closes the queue's connections. Returns promptly:
 * a TCP printer connection in use is shut down, which ends a blocked status
 * wait at once; otherwise the wait is bounded by the driver's timeouts (a
 * TCP connect 3 s; serial/USB: status 1 s, confirmation after a job 20 s).
 * A job interrupted by the stop stays queued (printed again next time). No
 * event is posted once stopping. NULL is a no-op. */
void print_queue_stop(print_queue_t *q);

/* Validates RECEIPT_JSON (receipt_parse; images are only read when
 * printing, relative to the working directory unless absolute) and stores
 * it with SUMMARY (the plain text behind the QR fallback), then wakes the
 * worker. Writes to the database on the calling thread: one INSERT on the
 * submit connection, synchronous=FULL (a receipt the screen announced
 * survives a power cut), quick; see store/store.h for why it stays there.
 * Returns 0 and the job id in *JOB_ID (when not NULL), or -1 (no queue,
 * invalid receipt, empty summary, database error; logged): the caller then
 * shows the receipt as a QR code only. */
int print_queue_submit(print_queue_t *q, const char *receipt_json, const char *summary,
                       long long *job_id);

/* Makes every queued job due now and wakes the worker (staff loaded paper,
 * pressed "print again"). Returns the number of queued jobs, or -1. */
int print_queue_retry_now(print_queue_t *q);

/* The delay before retry number ATTEMPT (1 = after the first refusal) with
 * the default base and cap: full jitter, RANDOM (any 32-bit value) picks
 * uniformly in [0, min(PRINT_QUEUE_BACKOFF_CAP_MS,
 * PRINT_QUEUE_BACKOFF_BASE_MS * 2^(ATTEMPT-1))]. ATTEMPT < 1 counts as 1. Pure. */
long print_queue_backoff_ms(int attempt, uint32_t random);

/* The QR payload shown when the receipt cannot print: SUMMARY itself, cut
 * to at most PRINT_QUEUE_QR_MAX bytes (and LEN - 1) at a UTF-8 character
 * boundary, never inside a multi-byte character. OUT is always terminated
 * when LEN > 0. Returns the bytes written (without the terminator). Pure. */
size_t print_queue_fallback_payload(const char *summary, char *out, size_t len);

#endif
