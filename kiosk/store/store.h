/* The kiosk's one SQLite database, var_dir/kiosk.db, in WAL mode.
 * This module is the one place that knows the schema (store/schema.c holds the
 * migrations, applied in order and keyed on PRAGMA user_version); the other
 * store files hold one table family each (proof_of_play.c, saved_requests.c,
 * writer.c), and a layer's or service's own *_store.c the rest:
 * content/content_store.c the bundle in use, services/bills/pay_store.c the
 * payments, outbox/outbox.c the outbox.
 *
 * Durability: store_open sets synchronous=NORMAL (survives a crash of the
 * process, may lose the last commits on power loss). Connections that write
 * what must survive a power cut raise it to FULL: the payment engine's
 * (store_pay_durable), the app's and the sender's (outbox_durable: outbox
 * items and the saved bookings/registrations written with them), the print
 * queue's submit connection (store_durable: a receipt) and the store
 * writer for the night schedule. Proof of play and similar records need
 * no more than NORMAL.
 *
 * Writes on the UI thread (the app's connection, synchronous=FULL, busy
 * timeout 2 s): only the durable records a resident's action creates, each
 * one short transaction that must be on disk before the screen says "saved"
 * (a power cut after "saved" must not lose it):
 *   - outbox enqueue from a screen action: help requests (fleet_enqueue),
 *     bookings and registrations saved while offline (store_tx_begin +
 *     outbox_enqueue_in + store_booking_save / store_registration_save),
 *     and their outcomes (store_*_set_state) when the sender reports: one
 *     UPDATE per item, rare, holding the check-in code the resident is
 *     shown from it ("my bookings", store_booking_recent, same thread);
 *   - receipt submit (store_print_enqueue, on the print queue's own submit
 *     connection, synchronous=FULL), so the job id the screen follows
 *     exists before "Printing your receipt..." is shown.
 * They stay synchronous because the screen acts on their result at once
 * (the job id, the outbox id, a storage fault shown instead of "saved");
 * made on the writer with a completion event they would need a "saving..."
 * state on every such screen for little gain: each is one fsync'd INSERT
 * on a resident's tap, never per frame (make bench prints the p99 and the
 * longest of them: "longest UI-thread write").
 * Everything else goes through the store writer (store/writer.h, its own
 * thread and connection): proof of play of the street display (one row per
 * item shown, pop_record, and the prune of old rows, pop_prune), the
 * session log (store_session_log, once per session) and settings
 * (store_setting_set: the street display cache at NORMAL, the night
 * schedule at FULL, acknowledged to the hub once committed). The
 * once-a-minute proof-of-play handoff to the outbox runs on the outbox
 * sender's thread and connection (outbox_sender_request_handoff,
 * app/fleet.c).
 * Checked: store_session_log, store_setting_set, pop_record and pop_prune
 * count the calls made on the thread marked by store_ui_thread_mark (the
 * app's, at app_init) - zero in tests/unit/test_street.c. */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

typedef struct store store_t;

typedef struct {
    long long id;
    char category[32];      /* community | government | event | library | lecture */
    char title[256];
    char body[2048];
    time_t published;
    int pinned;
} notice_t;

/* Opens (creating var_dir and the database if needed) and migrates to the
 * newest schema. A file that is not a database, fails PRAGMA quick_check, or
 * whose schema is newer than this program knows is moved aside as
 * kiosk.db.corrupt-YYYYMMDD-HHMMSS (with its -wal/-shm), logged, and a fresh
 * database is created: the kiosk keeps running. Returns 0 and *out on success;
 * on error (e.g. var_dir not writable) returns -1, *out = NULL, ERR says why. */
int store_open(const char *var_dir, store_t **out, char *err, int errlen);
void store_close(store_t *st);

/* Path the last open moved a broken database to, or NULL if none. */
const char *store_recovered_path(const store_t *st);
int store_schema_version(store_t *st);
/* Number of migrations this program knows (= the newest user_version). */
int store_schema_latest(void);
/* Applies, in order, every migration DB has not had yet (schema.c), each in
 * one transaction together with its user_version bump. Called by store_open.
 * Returns SQLITE_OK, or the SQLite result code of the failing step with ERR
 * saying which migration failed and why. */
int store_schema_migrate(sqlite3 *db, char *err, int errlen);
/* Applies only the first VERSION migrations: the schema as the release that
 * knew VERSION of them left it (for tests of upgrades from an earlier
 * release's database). SQLITE_MISUSE (ERR) for a VERSION not in
 * 0..store_schema_latest(). */
int store_schema_migrate_to(sqlite3 *db, int version, char *err, int errlen);
sqlite3 *store_db(store_t *st);

/* The UI-thread check: ON marks the calling thread as the UI thread (and
 * zeroes the count), off forgets it. store_write_check(WHAT), called by the
 * writes that must not run there, counts (and logs once) a call made on
 * the marked thread; store_ui_thread_writes returns the count. Any thread. */
void store_ui_thread_mark(bool on);
long store_ui_thread_writes(void);
void store_write_check(const char *what);

/* Raises ST's connection to synchronous=FULL: a commit is on disk when it
 * returns. 0, or -1 (logged; NORMAL still survives a crash). */
int store_durable(store_t *st);

/* One IMMEDIATE transaction on ST's connection spanning several store and
 * outbox calls (an outbox item and the record that points at it commit
 * together). No other thread may use ST's connection until it ends.
 * begin: 0, or -1 with ERR (may be NULL) saying why (busy past the
 * timeout, no database). commit: 0, or -1 with ERR; the caller then calls
 * rollback. rollback: ends the transaction if one is still open (after a
 * disk-full or I/O error SQLite may already have ended it); never fails. */
int store_tx_begin(store_t *st, char *err, int errlen);
int store_tx_commit(store_t *st, char *err, int errlen);
void store_tx_rollback(store_t *st);

/* Notices for LOCALE, pinned first, then newest first. Returns the count
 * written to OUT (<= max), or -1 on a database error. */
int store_notices(store_t *st, const char *locale, notice_t *out, int max);
int store_notice_add(store_t *st, const char *locale, const notice_t *n);

/* Anonymous session log for the staff view and telemetry: no personal data. */
int store_session_log(store_t *st, time_t started, time_t ended,
                      const char *end_reason, int screens_visited);
int store_session_count(store_t *st);

/* Small key/value settings. get returns 0 and copies into BUF, or -1 if absent
 * (or on a database error, or if the value does not fit in BUFLEN). */
int store_setting_get(store_t *st, const char *key, char *buf, int buflen);
int store_setting_set(store_t *st, const char *key, const char *value);

/* ---- receipt print queue (table print_jobs, migration 3) ------------------
 * Used by app/print_queue.c. Times are wall seconds (clock_wall()), passed
 * in by the caller so the queue decides what "now" is. A job moves
 *   queued --claim--> printing --finish--> printed | queued (retry) | failed
 * A job is never deleted while queued or printing: a receipt the printer has
 * not confirmed stays until it prints. The receipt JSON and the summary may
 * hold personal data only masked (common/mask.h); the caller masks. */
typedef enum {
    STORE_PRINT_QUEUED,
    STORE_PRINT_PRINTING,
    STORE_PRINT_PRINTED,
    STORE_PRINT_FAILED,
    STORE_PRINT_STATE_COUNT
} store_print_state_t;

typedef struct {
    long long id;
    time_t created;
    store_print_state_t state;
    int attempts;           /* claims so far */
    time_t next_try;        /* queued: due when <= now; 0 otherwise */
    time_t printed;         /* when the printer confirmed it, or 0 */
    char summary[512];      /* cut at a UTF-8 boundary if longer */
    char last_error[256];   /* "" when none */
} store_print_job_t;

/* "queued", "printing", "printed", "failed" (the values in the table). */
const char *store_print_state_name(store_print_state_t s);

/* Adds a queued job, due at once. RECEIPT_JSON and SUMMARY must be non-empty.
 * Returns 0 and the new id in *ID (when ID is not NULL), or -1. */
int store_print_enqueue(store_t *st, const char *receipt_json, const char *summary,
                        time_t now, long long *id);

/* Claims the oldest due job (state queued, next_try <= NOW): in one
 * IMMEDIATE transaction it becomes printing and its attempts goes up by
 * one, so two claimers never get the same job. Returns 1 with JOB filled
 * (after the claim) and *RECEIPT_JSON a malloc'd copy of the receipt (free
 * it); 0 when nothing is due; -1 on a database error. The transaction is the
 * connection's: no other thread may use ST meanwhile (the print queue's
 * worker has a connection of its own). */
int store_print_claim(store_t *st, time_t now, store_print_job_t *job, char **receipt_json);

/* Ends the attempt on job ID, which must be printing:
 *   STORE_PRINT_PRINTED  printed = NOW;
 *   STORE_PRINT_QUEUED   back in the queue, due at NEXT_TRY, ERROR kept as
 *                        last_error (a retry);
 *   STORE_PRINT_FAILED   given up (the receipt can never print), ERROR kept.
 * ERROR may be NULL. Returns 0, or -1 when the job is not printing (unknown
 * id, already finished) or on a database error. */
int store_print_finish(store_t *st, long long id, store_print_state_t state,
                       const char *error, time_t next_try, time_t now);

/* Puts every job left printing back in the queue, due at once. Only for the
 * one process that prints, before it claims anything: a job is left printing
 * when the kiosk died mid-receipt (power cut, crash), and printing it again
 * in full may give the resident a duplicate receipt, which is acceptable;
 * a lost receipt is not. Not done by store_open: other connections (a
 * second store_open by a staff tool or a test) would otherwise re-queue a
 * receipt the printer is printing at that moment. Returns the number of
 * jobs re-queued, or -1. */
int store_print_requeue_interrupted(store_t *st);

/* Makes every queued job due now (staff pressed "retry", the paper was
 * loaded). Returns the number of queued jobs, or -1. */
int store_print_retry_now(store_t *st);

/* The earliest next_try among queued jobs. Returns 1 with *WHEN set, 0 when
 * the queue is empty, -1 on a database error. */
int store_print_next_due(store_t *st, time_t *when);

/* Number of jobs in STATE, or -1. */
int store_print_count(store_t *st, store_print_state_t state);

/* The newest jobs first (for the staff menu). Returns the count written to
 * OUT (<= MAX), or -1. */
int store_print_recent(store_t *st, store_print_job_t *out, int max);

/* Deletes printed and failed jobs created before BEFORE (their receipts hold
 * masked personal data and are not kept longer than needed). Queued and
 * printing jobs are never deleted. Returns the number deleted, or -1. */
int store_print_prune(store_t *st, time_t before);

#endif
