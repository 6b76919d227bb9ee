/* The payments table (services/bills/pay_store.h). Each write is a single statement,
 * so a row is always a whole payment_t, never half of an update; every
 * statement is prepared per call and finalized before returning, as in
 * store.c. */
#include "services/bills/pay_store.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The columns pay_row reads, in its order. */
#define PAY_COLUMNS                                                               \
    "out_trade_no, method, state, bill_ids, amount_fen, create_key, cancel_key, " \
    "can_create, cancel_requested, unknown, attempts, created_ms, deadline_ms, "  \
    "next_ms, next, code_url, expires_ms, transaction_id, reason"

/* Bill ids as text: up to 12 ids of up to 20 characters and commas. */
#define BILLS_TEXT (HUB_MAX_ORDER_BILLS * 21 + 1)

static const char *const method_names[] = {[PAY_QR] = "qr", [PAY_CODE] = "code"};

static int fail(sqlite3 *db, const char *what, const char *no)
{
    log_error("store", "%s%s%s: %s", what, no ? " " : "", no ? no : "", sqlite3_errmsg(db));
    return -1;
}

static void copy_col(sqlite3_stmt *stmt, int col, char *dst, size_t size)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static void bills_to_text(const payment_t *p, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < p->n_bills && i < HUB_MAX_ORDER_BILLS && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%lld", i ? "," : "", p->bill_ids[i]);
}

/* "11,12" into P's bills. 0, or -1 when TEXT is not 1-12 comma-separated
 * integers. */
static int bills_from_text(const char *text, payment_t *p)
{
    const char *s = text;
    p->n_bills = 0;
    if (!s || !*s) return -1;
    for (;;) {
        char *end;
        long long id;
        if (p->n_bills == HUB_MAX_ORDER_BILLS || *s < '0' || *s > '9') return -1;
        id = strtoll(s, &end, 10);
        p->bill_ids[p->n_bills++] = id;
        if (*end == '\0') return 0;
        if (*end != ',') return -1;
        s = end + 1;
    }
}

static int action_parse(const char *name)
{
    for (int a = PAY_ACT_NONE; a <= PAY_ACT_REVERSE; a++)
        if (name && strcmp(name, pay_action_name((pay_action_t)a)) == 0) return a;
    return -1;
}

/* Reads the PAY_COLUMNS of the current row into P. 0, or -1 when the row
 * holds something no payment_t has (the CHECKs keep it from happening). */
static int pay_row(sqlite3_stmt *stmt, payment_t *p)
{
    const char *method = (const char *)sqlite3_column_text(stmt, 1);
    int state = pay_state_parse((const char *)sqlite3_column_text(stmt, 2));
    int next = action_parse((const char *)sqlite3_column_text(stmt, 14));

    memset(p, 0, sizeof *p);
    copy_col(stmt, 0, p->out_trade_no, sizeof p->out_trade_no);
    if (!method || state < 0 || next < 0) return -1;
    if (strcmp(method, "qr") == 0) p->method = PAY_QR;
    else if (strcmp(method, "code") == 0) p->method = PAY_CODE;
    else return -1;
    p->state = (pay_state_t)state;
    if (bills_from_text((const char *)sqlite3_column_text(stmt, 3), p) != 0) return -1;
    p->amount_fen = sqlite3_column_int64(stmt, 4);
    copy_col(stmt, 5, p->create_key, sizeof p->create_key);
    copy_col(stmt, 6, p->cancel_key, sizeof p->cancel_key);
    p->can_create = sqlite3_column_int(stmt, 7) != 0;
    p->cancel_requested = sqlite3_column_int(stmt, 8) != 0;
    p->unknown = sqlite3_column_int(stmt, 9) != 0;
    p->attempts = sqlite3_column_int(stmt, 10);
    p->created_ms = sqlite3_column_int64(stmt, 11);
    p->deadline_ms = sqlite3_column_int64(stmt, 12);
    p->next_ms = sqlite3_column_int64(stmt, 13);
    p->next = (pay_action_t)next;
    copy_col(stmt, 15, p->code_url, sizeof p->code_url);
    p->expires_ms = sqlite3_column_int64(stmt, 16);
    copy_col(stmt, 17, p->transaction_id, sizeof p->transaction_id);
    copy_col(stmt, 18, p->reason, sizeof p->reason);
    return 0;
}

/* Binds P's fields to the named parameters :no ... :reason and :now (those
 * STMT has). SQLITE_OK or the error code. BILLS must outlive the step. */
static int bind_payment(sqlite3_stmt *stmt, const payment_t *p, const char *bills, int64_t now_ms)
{
    struct { const char *name; const char *text; } texts[] = {
        {":no", p->out_trade_no},
        {":method", method_names[p->method == PAY_CODE ? PAY_CODE : PAY_QR]},
        {":state", pay_state_name(p->state)},
        {":bills", bills},
        {":create_key", p->create_key},
        {":cancel_key", p->cancel_key},
        {":next", pay_action_name(p->next)},
        {":code_url", p->code_url},
        {":transaction_id", p->transaction_id},
        {":reason", p->reason},
    };
    struct { const char *name; int64_t value; } ints[] = {
        {":amount", p->amount_fen},
        {":can_create", p->can_create},
        {":cancel_requested", p->cancel_requested},
        {":unknown", p->unknown},
        {":attempts", p->attempts},
        {":created_ms", p->created_ms},
        {":deadline_ms", p->deadline_ms},
        {":next_ms", p->next_ms},
        {":expires_ms", p->expires_ms},
        {":now", now_ms},
    };
    int rc = SQLITE_OK;

    for (size_t i = 0; rc == SQLITE_OK && i < sizeof texts / sizeof texts[0]; i++) {
        int idx = sqlite3_bind_parameter_index(stmt, texts[i].name);
        if (idx > 0) rc = sqlite3_bind_text(stmt, idx, texts[i].text, -1, SQLITE_STATIC);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof ints / sizeof ints[0]; i++) {
        int idx = sqlite3_bind_parameter_index(stmt, ints[i].name);
        if (idx > 0) rc = sqlite3_bind_int64(stmt, idx, (sqlite3_int64)ints[i].value);
    }
    return rc;
}

/* A payment the CHECK constraints would refuse is refused here with a
 * clear message instead. */
static bool storable(const payment_t *p, const char *what)
{
    if (!p->out_trade_no[0] || p->n_bills < 1 || p->n_bills > HUB_MAX_ORDER_BILLS ||
        (unsigned)p->state >= PAY_STATE_COUNT || (p->method != PAY_QR && p->method != PAY_CODE) ||
        (unsigned)p->next > PAY_ACT_REVERSE) {
        log_error("store", "%s %s: not a valid payment", what, p->out_trade_no);
        return false;
    }
    return true;
}

int store_pay_durable(store_t *st)
{
    sqlite3 *db = store_db(st);
    if (!db) return -1;
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "pay_durable", NULL);
    return 0;
}

int store_pay_insert(store_t *st, const payment_t *p, const char *receipt_json, int64_t now_ms)
{
    static const char sql[] =
        "INSERT INTO payments(" PAY_COLUMNS ", receipt, updated_ms) VALUES("
        ":no, :method, :state, :bills, :amount, :create_key, :cancel_key, :can_create,"
        " :cancel_requested, :unknown, :attempts, :created_ms, :deadline_ms, :next_ms,"
        " :next, :code_url, :expires_ms, :transaction_id, :reason, :receipt, :now)";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    char bills[BILLS_TEXT];
    int rc;

    if (!db || !p || !storable(p, "pay_insert")) return -1;
    bills_to_text(p, bills, sizeof bills);
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = bind_payment(stmt, p, bills, now_ms);
    if (rc != SQLITE_OK) goto cleanup;
    rc = receipt_json ? sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, ":receipt"),
                                          receipt_json, -1, SQLITE_STATIC)
                      : SQLITE_OK;      /* unbound is NULL */
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : fail(db, "pay_insert", p->out_trade_no);
}

int store_pay_save(store_t *st, const payment_t *p, int64_t now_ms)
{
    static const char sql[] =
        "UPDATE payments SET method = :method, state = :state, bill_ids = :bills,"
        " amount_fen = :amount, create_key = :create_key, cancel_key = :cancel_key,"
        " can_create = :can_create, cancel_requested = :cancel_requested,"
        " unknown = :unknown, attempts = :attempts, created_ms = :created_ms,"
        " deadline_ms = :deadline_ms, next_ms = :next_ms, next = :next,"
        " code_url = :code_url, expires_ms = :expires_ms,"
        " transaction_id = :transaction_id, reason = :reason, updated_ms = :now"
        " WHERE out_trade_no = :no";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    char bills[BILLS_TEXT];
    int rc, changed = 0;

    if (!db || !p || !storable(p, "pay_save")) return -1;
    bills_to_text(p, bills, sizeof bills);
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = bind_payment(stmt, p, bills, now_ms);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        changed = sqlite3_changes(db);
    }

cleanup:
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) return fail(db, "pay_save", p->out_trade_no);
    if (changed != 1) {
        log_error("store", "pay_save %s: no such payment", p->out_trade_no);
        return -1;
    }
    return 0;
}

int store_pay_load_unfinished(store_t *st, payment_t *out, int max)
{
    static const char sql[] =
        "SELECT " PAY_COLUMNS " FROM payments"
        " WHERE state IN ('creating','waiting','userpaying','cancelling')"
        " ORDER BY created_ms, out_trade_no";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc, count = 0;

    if (!db || max < 0 || (max > 0 && !out)) return -1;
    if (max == 0) return 0;
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (count == max) {
            log_error("store", "pay_load_unfinished: more than %d unfinished payments; "
                      "the rest wait for the next start", max);
            break;
        }
        if (pay_row(stmt, &out[count]) != 0) {
            log_error("store", "pay_load_unfinished: payment %s cannot be read; skipped",
                      out[count].out_trade_no);
            continue;
        }
        count++;
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? count : fail(db, "pay_load_unfinished", NULL);
}

int store_pay_get(store_t *st, const char *no, payment_t *out, char **receipt_json)
{
    static const char sql[] =
        "SELECT " PAY_COLUMNS ", receipt FROM payments WHERE out_trade_no = ?1";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc, found = 0;

    if (receipt_json) *receipt_json = NULL;
    if (!db || !no || !out) return -1;
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, no, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        goto cleanup;
    }
    if (rc != SQLITE_ROW) goto cleanup;
    rc = SQLITE_OK;
    if (pay_row(stmt, out) != 0) {
        log_error("store", "pay_get %s: the row cannot be read", no);
        found = -1;
        goto cleanup;
    }
    if (receipt_json && sqlite3_column_type(stmt, 19) != SQLITE_NULL) {
        const unsigned char *text = sqlite3_column_text(stmt, 19);
        int bytes = sqlite3_column_bytes(stmt, 19);
        if (!text || !(*receipt_json = malloc((size_t)bytes + 1))) {
            log_error("store", "pay_get %s: out of memory", no);
            found = -1;
            goto cleanup;
        }
        memcpy(*receipt_json, text, (size_t)bytes + 1);
    }
    found = 1;

cleanup:
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) return fail(db, "pay_get", no);
    return found;
}

int store_pay_count(store_t *st, pay_state_t state)
{
    static const char sql[] = "SELECT count(*) FROM payments WHERE state = ?1";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc, count = 0;

    if (!db || (unsigned)state >= PAY_STATE_COUNT) return -1;
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, pay_state_name(state), -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) goto cleanup;
    count = sqlite3_column_int(stmt, 0);
    rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? count : fail(db, "pay_count", NULL);
}

int store_pay_prune(store_t *st, int64_t before_ms)
{
    static const char sql[] =
        "DELETE FROM payments WHERE state IN ('paid','cancelled','failed') AND updated_ms < ?1";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!db) return -1;
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)before_ms);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? sqlite3_changes(db) : fail(db, "pay_prune", NULL);
}
