/* The write-off queue: after a verified payment, the hub credits the
 * utility in a durable, retried, idempotent step of its own.
 *
 * A row of table writeoffs per paid bill is written by the payment's own
 * transaction (writeoff_enqueue, at synchronous=FULL), so a payment that is
 * acknowledged has its write-off on disk with it, whatever happens next (a
 * SIGKILL, a power cut). One worker thread (writeoff_start) sends every
 * due row to the billing system (billing.h); the credit is idempotent at
 * the utility per (transaction, bill), so a row sent again after a crash
 * is never credited twice. States:
 *   pending  -> done       credited
 *            -> failing    no usable answer: retried with capped, jittered
 *                          backoff (common/backoff.h), for ever; after
 *                          [billing] alert_after failures a fleet alert
 *                          (the paying kiosk's fault "writeoff_failing")
 *            -> refused    a definite "no" from the utility: staff act
 * A refund (api_refunds.c) queues a "reverse" row per credit, sent the
 * same way once the credit is done ("cancelled" when it was refused).
 * Staff see them: GET /v1/admin/writeoffs?state=failing.
 *
 * Threads: the worker has its own database connection; writeoff_run is
 * also callable directly (tests, with hub_time_shift). Errors are logged. */
#ifndef HUB_WRITEOFF_H
#define HUB_WRITEOFF_H

#include <sqlite3.h>
#include <stdint.h>
#include "hub.h"

#define WRITEOFF_BASE_MS 10000          /* first retry within 10 s */
#define WRITEOFF_CAP_MS (3600 * 1000)   /* then at most an hour apart */
#define WRITEOFF_POLL_MS 1000

/* Queues the write-off of every bill order NO paid (TRANSACTION_ID, at
 * NOW), in the caller's transaction; a bill already queued is left alone.
 * 0, or -1 on a database error (the caller rolls back). */
int writeoff_enqueue(sqlite3 *db, const char *no, const char *transaction_id, int64_t now);
/* Queues the reversal of every write-off of order NO, refunded under
 * REFUND_NO, in the caller's transaction. A reversal is sent once its
 * credit is done (a credit still on its way goes first); when the credit
 * was refused there is nothing to take back and it is cancelled. 0 or -1. */
int writeoff_reverse(sqlite3 *db, const char *no, const char *refund_no, int64_t now);
/* Sends every write-off due at NOW (at most a batch). The number sent, -1
 * on a database error. */
int writeoff_run(sqlite3 *db, int64_t now);

typedef struct writeoff_worker writeoff_worker_t;
writeoff_worker_t *writeoff_start(void);
void writeoff_stop(writeoff_worker_t *w);

/* Adds "writeoff_failing" to FAULTS when a write-off of DEVICE's payments
 * failed [billing] alert_after times or more and is not done. */
void writeoff_fleet_faults(sqlite3 *db, const char *device, cJSON *faults);

/* GET /v1/admin/writeoffs?state=pending|failing|done|refused|cancelled (staff). */
void api_admin_writeoffs(hub_req_t *req, hub_resp_t *resp);

#endif
