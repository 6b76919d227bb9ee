/* The write-off queue and its worker (writeoff.h). */
#include "writeoff.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backoff.h"
#include "billing.h"
#include "db.h"
#include "log.h"

#define BATCH 16

/* A credit per bill order ?1 paid (?2 its transaction id), pending from ?3. */
static const char credit_sql[] =
    "INSERT INTO writeoffs(out_trade_no, bill_id, transaction_id, amount_fen, state, attempts, next_at, created,"
    " updated) SELECT ?1, b.id, ?2, b.amount_fen + b.late_fee_fen, 'pending', 0, ?3, ?3, ?3"
    " FROM bills b WHERE b.paid_order = ?1 AND b.status = 'paid' ON CONFLICT(out_trade_no, bill_id, kind) DO NOTHING";

/* The reversal of each credit of order ?1 (refund ?2), pending from ?3. */
static const char reverse_sql[] =
    "INSERT INTO writeoffs(out_trade_no, bill_id, transaction_id, amount_fen, kind, refund_no, state, attempts,"
    " next_at, created, updated) SELECT out_trade_no, bill_id, transaction_id, amount_fen, 'reverse', ?2,"
    " 'pending', 0, ?3, ?3, ?3 FROM writeoffs WHERE out_trade_no = ?1 AND kind = 'credit'"
    " ON CONFLICT(out_trade_no, bill_id, kind) DO NOTHING";

/* SQL, credit_sql or reverse_sql, run with NO, TEXT and NOW; 0 or -1. */
static int insert(sqlite3 *db, const char *sql, const char *no, const char *text, int64_t now)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int writeoff_enqueue(sqlite3 *db, const char *no, const char *transaction_id, int64_t now)
{
    return insert(db, credit_sql, no, transaction_id, now);
}

int writeoff_reverse(sqlite3 *db, const char *no, const char *refund_no, int64_t now)
{
    return insert(db, reverse_sql, no, refund_no, now);
}

typedef struct {
    long long id, bill_id, amount_fen, paid_at;
    int attempts;
    bool reverse, credit_refused;
    char no[33], txn[72], ref[72], utility[16], account[32], device[64], refund_no[40];
} item_t;

static void col(sqlite3_stmt *st, int i, char *out, size_t len)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    snprintf(out, len, "%s", s ? (const char *)s : "");
}

/* The outcome of one attempt, in a FULL transaction of its own. */
static int record(sqlite3 *db, const item_t *it, billing_outcome_t out, const char *err, int64_t now)
{
    int attempts = it->attempts + (out == BILLING_OK ? 0 : 1);
    /* At least a second: a failure is never retried in the same round. */
    int64_t next = now + 1 + backoff_jitter_ms(attempts, WRITEOFF_BASE_MS, WRITEOFF_CAP_MS,
                                               randombytes_random()) / 1000;
    const char *state = out == BILLING_OK ? "done" : out == BILLING_REFUSED ? "refused" : "failing";
    if (it->credit_refused) state = "cancelled";      /* nothing was credited: nothing to take back */
    sqlite3_stmt *st = NULL;
    int sync = db_sync_full(db);
    int rc = sqlite3_prepare_v2(db, "UPDATE writeoffs SET state = ?2, attempts = ?3, next_at = ?4, "
                                "last_error = ?5, updated = ?6, done_at = CASE WHEN ?2 = 'done' THEN ?6 END "
                                "WHERE id = ?1 AND state IN ('pending', 'failing')", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, it->id);
        sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, attempts);
        sqlite3_bind_int64(st, 4, next);
        if (out == BILLING_OK || it->credit_refused) sqlite3_bind_null(st, 5);
        else sqlite3_bind_text(st, 5, err[0] ? err : "no answer", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    db_sync_restore(db, sync);
    if (out == BILLING_REFUSED)
        hub_log("writeoff", "the utility refused the write-off of order %s, bill %lld: %s; staff must act",
                it->no, it->bill_id, err);
    else if (out == BILLING_RETRY && attempts == billing_alert_after())
        hub_log("writeoff", "alert: the write-off of order %s, bill %lld failed %d times (%s); retrying",
                it->no, it->bill_id, attempts, err);
    return rc == SQLITE_OK ? 0 : -1;
}

int writeoff_run(sqlite3 *db, int64_t now)
{
    item_t items[BATCH];
    int n = 0, rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT w.id, w.bill_id, w.amount_fen, w.updated, w.attempts, w.out_trade_no, "
                           "w.transaction_id, COALESCE(b.ext_ref, 'hub-' || b.id), a.utility, a.account_no, "
                           "o.device, COALESCE(b.paid_at, w.created), w.kind = 'reverse', w.refund_no, "
                           "c.state = 'refused' FROM writeoffs w "
                           "JOIN bills b ON b.id = w.bill_id JOIN accounts a ON a.id = b.account_id "
                           "JOIN orders o ON o.out_trade_no = w.out_trade_no "
                           "LEFT JOIN writeoffs c ON w.kind = 'reverse' AND c.kind = 'credit' "
                           "AND c.out_trade_no = w.out_trade_no AND c.bill_id = w.bill_id "
                           "WHERE w.state IN ('pending', 'failing') AND w.next_at <= ?1 "
                           /* A reversal goes after its credit's outcome: a credit still
                            * on its way is sent first. */
                           "AND (w.kind = 'credit' OR c.state IN ('done', 'refused')) "
                           "ORDER BY w.next_at LIMIT ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, BATCH);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < BATCH) {
        item_t *it = &items[n++];
        it->id = sqlite3_column_int64(st, 0);
        it->bill_id = sqlite3_column_int64(st, 1);
        it->amount_fen = sqlite3_column_int64(st, 2);
        it->attempts = sqlite3_column_int(st, 4);
        col(st, 5, it->no, sizeof it->no);
        col(st, 6, it->txn, sizeof it->txn);
        col(st, 7, it->ref, sizeof it->ref);
        col(st, 8, it->utility, sizeof it->utility);
        col(st, 9, it->account, sizeof it->account);
        col(st, 10, it->device, sizeof it->device);
        it->paid_at = sqlite3_column_int64(st, 11);
        it->reverse = sqlite3_column_int(st, 12);
        col(st, 13, it->refund_no, sizeof it->refund_no);
        it->credit_refused = sqlite3_column_int(st, 14);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return -1;
    const billing_system_t *sys = billing_system();
    for (int i = 0; i < n; i++) {
        const item_t *it = &items[i];
        char wid[80], err[160] = "";
        snprintf(wid, sizeof wid, "%s:%lld", it->no, it->bill_id);
        billing_writeoff_t w = {.writeoff_id = wid, .bill_ref = it->ref, .utility = it->utility,
                                .account = it->account, .transaction_id = it->txn,
                                .amount_fen = it->amount_fen, .paid_at = it->paid_at};
        billing_outcome_t out = BILLING_OK;
        if (!it->reverse) out = sys->writeoff(&w, err, sizeof err);
        else if (!it->credit_refused) out = sys->reverse(&w, it->refund_no, err, sizeof err);
        if (record(db, it, out, err, now) != 0) return -1;
    }
    return n;
}

/* ---- the worker ----------------------------------------------------------- */

struct writeoff_worker {
    pthread_t thread;
    int wake[2];
};

/* Polls a pipe with a relative timeout (as retention.c, for hubs whose
 * clock is moved). */
static void *loop(void *arg)
{
    writeoff_worker_t *w = arg;
    for (;;) {
        sqlite3 *db = db_thread();
        int n = db ? writeoff_run(db, hub_now()) : -1;
        if (n < 0) hub_log("writeoff", "the queue cannot be read; next try in %d ms", WRITEOFF_POLL_MS);
        struct pollfd p = {.fd = w->wake[0], .events = POLLIN};
        int rc;
        do rc = poll(&p, 1, n == BATCH ? 0 : WRITEOFF_POLL_MS);
        while (rc < 0 && errno == EINTR);
        if (rc != 0) break;
    }
    return NULL;
}

writeoff_worker_t *writeoff_start(void)
{
    writeoff_worker_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (pipe2(w->wake, O_CLOEXEC) != 0) {
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, loop, w) != 0) {
        close(w->wake[0]);
        close(w->wake[1]);
        free(w);
        return NULL;
    }
    return w;
}

void writeoff_stop(writeoff_worker_t *w)
{
    if (!w) return;
    ssize_t n;
    do n = write(w->wake[1], "x", 1);
    while (n < 0 && errno == EINTR);
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    free(w);
}

/* ---- staff views ------------------------------------------------------------ */

void writeoff_fleet_faults(sqlite3 *db, const char *device, cJSON *faults)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM writeoffs w JOIN orders o ON o.out_trade_no = w.out_trade_no "
                           "WHERE o.device = ?1 AND ((w.state = 'failing' AND w.attempts >= ?2) "
                           "OR w.state = 'refused') LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, billing_alert_after());
    if (sqlite3_step(st) == SQLITE_ROW) cJSON_AddItemToArray(faults, cJSON_CreateString("writeoff_failing"));
    sqlite3_finalize(st);
}

void api_admin_writeoffs(hub_req_t *req, hub_resp_t *resp)
{
    static const char *const states[] = {"pending", "failing", "done", "refused", "cancelled"};
    const char *state = hub_query(req, "state");
    bool ok = !state;
    for (size_t i = 0; state && i < sizeof states / sizeof *states; i++) ok |= !strcmp(state, states[i]);
    if (!ok) {
        hub_error(resp, 422, "invalid_field", "state must be pending, failing, done, refused or cancelled");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT w.id, w.out_trade_no, o.device, w.bill_id, a.utility, "
                           "w.amount_fen, w.transaction_id, w.state, w.attempts, w.next_at, w.last_error, "
                           "w.created, w.updated, w.kind FROM writeoffs w JOIN orders o ON o.out_trade_no = w.out_trade_no "
                           "JOIN bills b ON b.id = w.bill_id JOIN accounts a ON a.id = b.account_id "
                           "WHERE ?1 IS NULL OR w.state = ?1 ORDER BY w.id LIMIT 500", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the write-offs");
        return;
    }
    if (state) sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "writeoffs");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *w = cJSON_CreateObject();
        char s[80];
        cJSON_AddNumberToObject(w, "id", (double)sqlite3_column_int64(st, 0));
        col(st, 1, s, sizeof s); cJSON_AddStringToObject(w, "out_trade_no", s);
        col(st, 2, s, sizeof s); cJSON_AddStringToObject(w, "device", s);
        cJSON_AddNumberToObject(w, "bill_id", (double)sqlite3_column_int64(st, 3));
        col(st, 4, s, sizeof s); cJSON_AddStringToObject(w, "utility", s);
        cJSON_AddNumberToObject(w, "amount_fen", (double)sqlite3_column_int64(st, 5));
        col(st, 6, s, sizeof s); cJSON_AddStringToObject(w, "transaction_id", s);
        col(st, 7, s, sizeof s); cJSON_AddStringToObject(w, "state", s);
        cJSON_AddNumberToObject(w, "attempts", sqlite3_column_int(st, 8));
        cJSON_AddNumberToObject(w, "next_at", (double)sqlite3_column_int64(st, 9));
        if (sqlite3_column_type(st, 10) == SQLITE_NULL) cJSON_AddNullToObject(w, "last_error");
        else { col(st, 10, s, sizeof s); cJSON_AddStringToObject(w, "last_error", s); }
        cJSON_AddNumberToObject(w, "created", (double)sqlite3_column_int64(st, 11));
        cJSON_AddNumberToObject(w, "updated", (double)sqlite3_column_int64(st, 12));
        col(st, 13, s, sizeof s); cJSON_AddStringToObject(w, "kind", s);
        cJSON_AddItemToArray(arr, w);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the write-offs");
        return;
    }
    hub_reply(resp, 200, o);
}
