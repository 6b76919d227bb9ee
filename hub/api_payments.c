/* Payment orders for bills, with a demo provider that behaves like the Chinese
 * QR payment APIs (WeChat Pay / Alipay "native" and "micropay"): states
 * NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED, PAYERROR; query, close and
 * reverse; out_trade_no as the provider-side idempotency key.
 *
 * Money safety is structural, not procedural:
 *  - every state change is one guarded UPDATE (WHERE state IN (...)), so a
 *    retried or concurrent request can move an order at most once;
 *  - bills are marked paid by the same transaction that moves the order to
 *    SUCCESS, with WHERE status = 'unpaid', and all of them or none are
 *    (a savepoint is rolled back and the order fails with
 *    "bill_paid_elsewhere" otherwise);
 *  - a bill can be in at most one open (NOTPAY/USERPAYING) order, checked
 *    inside the create transaction (BEGIN IMMEDIATE: writers are serial).
 * Lazy transitions (USERPAYING settling, NOTPAY expiring) happen when an
 * order is read. The contract is docs/api.md, "Payments". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api.h"
#include "db.h"
#include "log.h"
#include "pay.h"
#include "pii.h"
#include "scope.h"
#include "server.h"
#include "validate.h"
#include "writeoff.h"

#define SLOW_DEFAULT_MS 8000
/* The longest an open order holds its bills (demo provider): a device can
 * keep other devices' bills out of reach for this long at most. A QR order
 * expires by then at the latest, and a payment code the payer never
 * confirms (settle_s 0) is closed then. */
#define HOLD_MAX_S 7200

/* ---- demo behaviour (demo_settings) ------------------------------------ */

typedef struct {
    char mode[16];              /* success | userpaying | payerror | slow */
    long long delay_ms;         /* sleep before answering payment requests */
    long long settle_s;         /* USERPAYING -> SUCCESS after this; 0: only via demo pay */
    long long expire_s;         /* NOTPAY -> CLOSED after this */
} behaviour_t;

static const char *const modes[] = {"success", "userpaying", "payerror", "slow", NULL};

static void behaviour_load(sqlite3 *db, behaviour_t *b)
{
    static const char *const sql = "SELECT value FROM demo_settings WHERE key = ?1";
    snprintf(b->mode, sizeof b->mode, "success");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, "pay_mode", -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(b->mode, sizeof b->mode, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    const char *isql = "SELECT CAST(value AS INTEGER) FROM demo_settings WHERE key = ?1";
    b->delay_ms = db_int(db, isql, "pay_delay_ms", 0);
    b->settle_s = db_int(db, isql, "pay_settle_s", 15);
    b->expire_s = db_int(db, isql, "pay_expire_s", 7200);
}

static cJSON *behaviour_json(const behaviour_t *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "mode", b->mode);
    cJSON_AddNumberToObject(o, "delay_ms", (double)b->delay_ms);
    cJSON_AddNumberToObject(o, "settle_s", (double)b->settle_s);
    cJSON_AddNumberToObject(o, "expire_s", (double)b->expire_s);
    return o;
}

/* The demo provider's latency, run by the framework before every payment
 * handler and outside its transaction (route "before" hook), so a slow
 * provider delays only its own answers. */
static void behaviour_delay(sqlite3 *db)
{
    behaviour_t b;
    behaviour_load(db, &b);
    long long ms = b.delay_ms;
    if (ms == 0 && strcmp(b.mode, "slow") == 0) ms = SLOW_DEFAULT_MS;
    if (ms <= 0) return;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

/* Without a provider nothing is taken and nothing changes: 503
 * payment_unavailable. True when it answered so. */
static bool no_provider(const hub_req_t *req, hub_resp_t *resp)
{
    if (pay_kind(hub_config(req->hub)->demo) != PAY_NONE) return false;
    hub_error(resp, 503, "payment_unavailable",
              "this hub has no payment provider; payments are not possible");
    return true;
}

/* ---- small SQL helpers ------------------------------------------------- */

/* Prepares SQL and binds the variadic arguments by TYPES: 't' text
 * (const char *, NULL binds NULL), 'i' integer (long long). Returns the
 * statement, or NULL on a prepare error. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    for (int i = 0; types[i]; i++) {
        if (types[i] == 't') {
            const char *s = va_arg(ap, const char *);
            if (s) sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, i + 1);
        } else {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
        }
    }
    return st;
}

/* Runs a statement that returns no rows. The number of rows changed, or -1. */
static int run(sqlite3 *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prep(db, sql, types, ap);
    va_end(ap);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

/* One integer from a query; DEF when there is no row, -1 on error. */
static long long one_int(sqlite3 *db, long long def, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *st = prep(db, sql, types, ap);
    va_end(ap);
    long long v = -1;
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (rc == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE) v = def;
    sqlite3_finalize(st);
    return v;
}

/* ---- orders ------------------------------------------------------------ */

typedef struct {
    char no[33];                /* the hub's number, the provider's too */
    char device_no[33];         /* the kiosk's number (the same unless two devices chose one) */
    char device[64];
    char method[8];
    char state[12];
    char code_url[512];
    char settle_to[12];
    char transaction_id[40];
    char error[64];
    char provider[12];          /* demo | alipay */
    long long amount_fen, created, updated, settle_at;   /* settle_at 0: none */
} order_t;

static void col_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(out, len, "%s", s ? (const char *)s : "");
}

/* Reads order NO into O. 1 found, 0 not found, -1 on error. */
static int order_load(sqlite3 *db, const char *no, order_t *o)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT out_trade_no, device, method, state, code_url, settle_to, "
                           "transaction_id, error, amount_fen, created, updated, settle_at, provider, "
                           "COALESCE(device_no, out_trade_no) FROM orders WHERE out_trade_no = ?1", -1, &st, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        memset(o, 0, sizeof *o);
        col_text(st, 0, o->no, sizeof o->no);
        col_text(st, 1, o->device, sizeof o->device);
        col_text(st, 2, o->method, sizeof o->method);
        col_text(st, 3, o->state, sizeof o->state);
        col_text(st, 4, o->code_url, sizeof o->code_url);
        col_text(st, 5, o->settle_to, sizeof o->settle_to);
        col_text(st, 6, o->transaction_id, sizeof o->transaction_id);
        col_text(st, 7, o->error, sizeof o->error);
        o->amount_fen = sqlite3_column_int64(st, 8);
        o->created = sqlite3_column_int64(st, 9);
        o->updated = sqlite3_column_int64(st, 10);
        o->settle_at = sqlite3_column_int64(st, 11);
        col_text(st, 12, o->provider, sizeof o->provider);
        col_text(st, 13, o->device_no, sizeof o->device_no);
    }
    sqlite3_finalize(st);
    return found;
}

/* Order numbers are the kiosks', unique per device: the hub's number of
 * DEVICE's order DEVICE_NO into HUB_NO. 1 found, 0 none, -1 on error. */
static int order_resolve(sqlite3 *db, const char *device, const char *device_no, char hub_no[33])
{
    sqlite3_stmt *st = NULL;
    hub_no[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT out_trade_no FROM orders WHERE device = ?1 AND "
                           "COALESCE(device_no, out_trade_no) = ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, device_no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) col_text(st, 0, hub_no, 33);
    sqlite3_finalize(st);
    return found;
}

/* Loads DEVICE's order DEVICE_NO. 1 found, 0 not found, -1 on error. */
static int order_load_own(sqlite3 *db, const char *device, const char *device_no, order_t *o)
{
    char hub_no[33];
    int found = order_resolve(db, device, device_no, hub_no);
    return found == 1 ? order_load(db, hub_no, o) : found;
}

/* The hub's (and the provider's) number for DEVICE's new order DEVICE_NO:
 * the kiosk's own when no order has it, else one made from both with the
 * hub's key ("X" and 31 hex digits), so that no device can take another's
 * numbers. In the caller's transaction. 0, or -1 on error. */
static int order_number(sqlite3 *db, const char *device, const char *device_no, char hub_no[33])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM orders WHERE out_trade_no = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, device_no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        snprintf(hub_no, 33, "%s", device_no);
        return 0;
    }
    if (rc != SQLITE_ROW) return -1;
    const void *parts[] = {device, device_no};
    size_t lens[] = {strlen(device), strlen(device_no)};
    char hex[65];
    if (pii_hash_parts("order_no", 2, parts, lens, hex) != 0) return -1;
    snprintf(hub_no, 33, "X%.31s", hex);
    return 0;
}

static bool is_open(const order_t *o)
{
    return !strcmp(o->state, "NOTPAY") || !strcmp(o->state, "USERPAYING");
}

/* Whether a lazy transition of O is due at NOW. */
static bool order_due(const order_t *o, int64_t now)
{
    /* Only the demo provider's orders move by themselves: a real provider's
     * order moves when the provider says so. */
    return !strcmp(o->provider, "demo") && is_open(o) && o->settle_at > 0 && o->settle_at <= now && o->settle_to[0];
}

/* A provider trade number of realistic shape (28 digits) for order NO:
 * WeChat "4200000…" or, for an Alipay payment code, "YYYYMMDD22001…". */
static void make_transaction_id(char *out, size_t len, const char *no, int64_t when, bool alipay)
{
    unsigned long long h = 1469598103934665603ULL;          /* FNV-1a */
    for (const char *p = no; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ (unsigned long long)when) * 1099511628211ULL;
    time_t t = (time_t)(when + 8 * 3600);                   /* China Standard Time */
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y%m%d", &tm);
    if (alipay)
        snprintf(out, len, "%s22001%015llu", date, h % 1000000000000000ULL);
    else
        snprintf(out, len, "42000%05llu%s%010llu", (h >> 40) % 100000ULL, date, h % 10000000000ULL);
}

/* Moves order NO from NOTPAY/USERPAYING to SUCCESS at WHEN (TRADE_NO: the
 * provider's trade number; NULL makes a demo one) and marks its
 * bills paid, in the caller's transaction. If any bill is no longer unpaid
 * the bill updates are undone and the order becomes PAYERROR
 * "bill_paid_elsewhere" instead. An order already past those states is left
 * alone. 0 ok, -1 on a database error (the caller rolls back). */
static int order_succeed_as(sqlite3 *db, const char *no, int64_t when, const char *trade_no)
{
    char txn[72];
    if (trade_no) snprintf(txn, sizeof txn, "%s", trade_no);
    else make_transaction_id(txn, sizeof txn, no, when, false);
    int moved = run(db, "UPDATE orders SET state = 'SUCCESS', updated = ?2, "
                    "transaction_id = COALESCE(transaction_id, ?3) "
                    "WHERE out_trade_no = ?1 AND state IN ('NOTPAY', 'USERPAYING')",
                    "tit", no, (long long)when, txn);
    if (moved <= 0) return moved;
    long long nbills = one_int(db, 0, "SELECT COUNT(*) FROM order_bills WHERE out_trade_no = ?1", "t", no);
    if (nbills < 0 || run(db, "SAVEPOINT pay_bills", "") < 0) return -1;
    int paid = run(db, "UPDATE bills SET status = 'paid', paid_order = ?1, paid_at = ?2 "
                   "WHERE status = 'unpaid' AND id IN "
                   "(SELECT bill_id FROM order_bills WHERE out_trade_no = ?1)",
                   "ti", no, (long long)when);
    if (paid < 0) return -1;
    if (paid != nbills) {
        if (run(db, "ROLLBACK TO pay_bills", "") < 0 || run(db, "RELEASE pay_bills", "") < 0) return -1;
        return run(db, "UPDATE orders SET state = 'PAYERROR', error = 'bill_paid_elsewhere', "
                   "transaction_id = NULL WHERE out_trade_no = ?1", "t", no) < 0 ? -1 : 0;
    }
    if (run(db, "RELEASE pay_bills", "") < 0) return -1;
    /* The utility is credited by the queue; its row is written here, with
     * the payment, so neither exists without the other. */
    return writeoff_enqueue(db, no, txn, when);
}

static int order_succeed(sqlite3 *db, const char *no, int64_t when)
{
    return order_succeed_as(db, no, when, NULL);
}

/* Applies the lazy transition of O if it is due at NOW (inside the caller's
 * transaction) and reloads O. The transition is dated at its due time, not
 * at the time somebody looked. 0 ok, -1 on error. */
static int order_apply_due(sqlite3 *db, order_t *o, int64_t now)
{
    if (!order_due(o, now)) return 0;
    int rc;
    if (!strcmp(o->settle_to, "SUCCESS"))
        rc = order_succeed(db, o->no, o->settle_at);
    else
        rc = run(db, "UPDATE orders SET state = ?2, updated = ?3 "
                 "WHERE out_trade_no = ?1 AND state IN ('NOTPAY', 'USERPAYING')",
                 "tti", o->no, o->settle_to, o->settle_at) < 0 ? -1 : 0;
    if (rc < 0) return -1;
    char no[33];
    snprintf(no, sizeof no, "%s", o->no);
    return order_load(db, no, o) == 1 ? 0 : -1;
}

/* Applies O's due transition in a short transaction of its own: for GET
 * handlers, which the framework runs outside any transaction. 0 ok, -1 busy
 * or failed (nothing changed). */
static int order_apply_due_txn(sqlite3 *db, order_t *o, int64_t now)
{
    if (!order_due(o, now)) return 0;
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    char no[33];
    snprintf(no, sizeof no, "%s", o->no);
    if (order_load(db, no, o) != 1 || order_apply_due(db, o, now) != 0 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}

/* The order as the API shows it: {"out_trade_no","state","method",
 * "amount_fen","code_url"?,"bill_ids","created","updated","expires",
 * "transaction_id"?,"error"?}. NULL on a database error. */
static cJSON *order_json(sqlite3 *db, const order_t *o)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "out_trade_no", o->device_no[0] ? o->device_no : o->no);
    cJSON_AddStringToObject(j, "state", o->state);
    cJSON_AddStringToObject(j, "method", o->method);
    cJSON_AddNumberToObject(j, "amount_fen", (double)o->amount_fen);
    if (o->code_url[0]) cJSON_AddStringToObject(j, "code_url", o->code_url);
    cJSON *ids = cJSON_AddArrayToObject(j, "bill_ids");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT bill_id FROM order_bills WHERE out_trade_no = ?1 "
                                "ORDER BY bill_id", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, o->no, -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            cJSON_AddItemToArray(ids, cJSON_CreateNumber((double)sqlite3_column_int64(st, 0)));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(j);
        return NULL;
    }
    cJSON_AddNumberToObject(j, "created", (double)o->created);
    cJSON_AddNumberToObject(j, "updated", (double)o->updated);
    if (!strcmp(o->method, "qr") && o->settle_at) cJSON_AddNumberToObject(j, "expires", (double)o->settle_at);
    else cJSON_AddNullToObject(j, "expires");
    if (o->transaction_id[0] && (!strcmp(o->state, "SUCCESS") || !strcmp(o->state, "REVOKED")))
        cJSON_AddStringToObject(j, "transaction_id", o->transaction_id);
    if (o->error[0]) cJSON_AddStringToObject(j, "error", o->error);
    return j;
}

/* Replies STATUS {"order": O} (plus "paid": true when PAID). */
static void reply_order(sqlite3 *db, hub_resp_t *resp, int status, const order_t *o, bool paid)
{
    cJSON *j = order_json(db, o);
    if (!j) {
        hub_error(resp, 500, "storage", "cannot read the order");
        return;
    }
    cJSON *r = cJSON_CreateObject();
    if (paid) cJSON_AddBoolToObject(r, "paid", true);
    cJSON_AddItemToObject(r, "order", j);
    hub_reply(resp, status, r);
}

/* ---- request checks ---------------------------------------------------- */

/* out_trade_no: 6 to 32 of [A-Za-z0-9_-] (the providers' rule). */
static bool valid_trade_no(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 6 || n > 32) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A payment code shown by the payer's wallet: WeChat 18 digits starting
 * 10-15, Alipay 16-24 digits starting 25-30. 1 WeChat, 2 Alipay, 0 neither. */
static int auth_code_kind(const char *s)
{
    if (!v_digits(s, 16, 24)) return 0;
    int lead = (s[0] - '0') * 10 + (s[1] - '0');
    if (strlen(s) == 18 && lead >= 10 && lead <= 15) return 1;
    if (lead >= 25 && lead <= 30) return 2;
    return 0;
}

/* Where the demo provider's payer opens a QR order: [payment] demo_base_url,
 * else the hub's own address. Never the request's Host header, which the
 * client chooses. */
static void demo_base(const hub_req_t *req, char *out, size_t len)
{
    const char *conf = pay_demo_base();
    if (conf[0]) snprintf(out, len, "%s", conf);
    else snprintf(out, len, "http://%s:%d", hub_config(req->hub)->listen_addr, hub_port(req->hub));
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Whether order NO holds exactly the bills IDS (sorted, N of them). -1 on error. */
static int same_bills(sqlite3 *db, const char *no, const long long *ids, int n)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT bill_id FROM order_bills WHERE out_trade_no = ?1 "
                           "ORDER BY bill_id", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    int i = 0, same = 1, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (i >= n || sqlite3_column_int64(st, 0) != ids[i]) same = 0;
        i++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    return same && i == n;
}

/* Settles the due transitions of every open order holding BILL, so a bill
 * held by an expired or settled order is seen as it really is. 0 or -1. */
static int settle_orders_of_bill(sqlite3 *db, long long bill, int64_t now)
{
    char nos[16][33];
    int n = 0, rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT o.out_trade_no FROM order_bills ob JOIN orders o "
                           "ON o.out_trade_no = ob.out_trade_no WHERE ob.bill_id = ?1 "
                           "AND o.state IN ('NOTPAY', 'USERPAYING') LIMIT 16", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, bill);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) col_text(st, 0, nos[n++], sizeof nos[0]);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    for (int i = 0; i < n; i++) {
        order_t o;
        if (order_load(db, nos[i], &o) != 1 || order_apply_due(db, &o, now) != 0) return -1;
    }
    return 0;
}

/* Checks that every bill exists, is unpaid and is in no open order, and sums
 * what they cost. 0 and *TOTAL, or -1 with RESP filled. */
static int check_bills(hub_req_t *req, hub_resp_t *resp, const long long *ids, int n,
                       long long *total)
{
    sqlite3 *db = req->db;
    char area[SCOPE_COMMUNITY_MAX];
    *total = 0;
    if (scope_device_community(db, req->device.id, area, sizeof area) != 0)
        return hub_error(resp, 500, "storage", "cannot read the bills"), -1;
    for (int i = 0; i < n; i++) {
        if (settle_orders_of_bill(db, ids[i], req->now) != 0)
            return hub_error(resp, 500, "storage", "cannot read the bills"), -1;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT status = 'paid', amount_fen + late_fee_fen, "
                               "EXISTS(SELECT 1 FROM order_bills ob JOIN orders o "
                               "ON o.out_trade_no = ob.out_trade_no WHERE ob.bill_id = b.id "
                               "AND o.state IN ('NOTPAY', 'USERPAYING')), a.community "
                               "FROM bills b LEFT JOIN accounts a ON a.id = b.account_id "
                               "WHERE b.id = ?1", -1, &st, NULL) != SQLITE_OK)
            return hub_error(resp, 500, "storage", "cannot read the bills"), -1;
        sqlite3_bind_int64(st, 1, ids[i]);
        int rc = sqlite3_step(st);
        bool paid = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
        long long fen = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
        bool held = rc == SQLITE_ROW && sqlite3_column_int(st, 2);
        /* A bill of an account out of the device's area does not exist for
         * it (scope.h): same answer, and the audit keeps the attempt. */
        bool away = rc == SQLITE_ROW && !scope_visible(area, (const char *)sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
        if (away) {
            req->audit_kind = "payment";
            req->audit_detail = SCOPE_OUT_OF_AREA;
            rc = SQLITE_DONE;
        }
        if (rc == SQLITE_DONE)
            return hub_error(resp, 404, "unknown_bill", "bill %lld does not exist", ids[i]), -1;
        if (rc != SQLITE_ROW)
            return hub_error(resp, 500, "storage", "cannot read the bills"), -1;
        if (paid)
            return hub_error(resp, 409, "bill_paid", "bill %lld is already paid", ids[i]), -1;
        if (held)
            return hub_error(resp, 409, "bill_in_order",
                             "bill %lld is in an open order; query it, then close or reverse it",
                             ids[i]), -1;
        *total += fen;
    }
    return 0;
}

/* A create request, checked. */
typedef struct {
    const char *no;             /* points into the request's JSON */
    const char *auth;           /* code only */
    bool code;
    int kind;                   /* auth_code_kind */
    long long ids[12];          /* sorted */
    int n;
} create_req_t;

/* ---- which provider (pay.h) -------------------------------------------- */

/* The provider that takes a new order C: a payment code goes to its
 * wallet's provider (by prefix: auth_code_kind), a QR order to the hub's
 * QR provider. NULL: this hub has none for it. */
static const pay_provider_t *provider_for_new(const create_req_t *c)
{
    return pay_provider_for(c->code, c->kind == 1 ? PAY_WALLET_WECHAT
                                     : c->kind == 2 ? PAY_WALLET_ALIPAY : PAY_WALLET_NONE);
}

/* The provider of an existing order: always the one that made it. NULL
 * when it is no longer configured (the order then stays as it is). */
static const pay_provider_t *provider_of_order(const order_t *o)
{
    return pay_provider_named(o->provider);
}

/* Checks the body of POST /v1/payments into C: 0, or -1 with the 422 in
 * RESP. The one check for the provider hook and the handler, so a provider
 * is never asked for a request the handler would refuse. */
static int create_parse(const hub_req_t *req, const cJSON *json, hub_resp_t *resp, create_req_t *c)
{
    static const char *const methods[] = {"qr", "code", NULL};
    const char *method;
    memset(c, 0, sizeof *c);
    if (v_string(resp, json, "out_trade_no", 6, 32, true, &c->no) != 0) return -1;
    if (!valid_trade_no(c->no))
        return hub_error(resp, 422, "invalid_field", "out_trade_no must be 6 to 32 of A-Z a-z 0-9 _ -"), -1;
    if (v_id_array(resp, json, "bill_ids", 1, 12, c->ids, &c->n) != 0) return -1;
    if (v_enum(resp, json, "method", methods, true, &method) != 0) return -1;
    if (v_string(resp, json, "auth_code", 0, 64, false, &c->auth) != 0) return -1;
    c->code = !strcmp(method, "code");
    if (c->code && !c->auth)
        return hub_error(resp, 422, "missing_field", "auth_code is required for method code"), -1;
    if (!c->code && c->auth)
        return hub_error(resp, 422, "invalid_field", "auth_code is only for method code"), -1;
    /* The messages never repeat the code: it is a payment credential. */
    if (c->code && !(c->kind = auth_code_kind(c->auth)))
        return hub_error(resp, 422, "invalid_auth_code", "auth_code is neither a WeChat (18 digits, "
                         "10-15...) nor an Alipay (16-24 digits, 25-30...) payment code"), -1;
    if (c->code && pay_kind(hub_config(req->hub)->demo) == PAY_REAL && !provider_for_new(c))
        return hub_error(resp, 422, "invalid_auth_code", "this hub takes no %s payment codes",
                         c->kind == 1 ? "WeChat" : "Alipay"), -1;
    qsort(c->ids, (size_t)c->n, sizeof *c->ids, cmp_ll);
    return 0;
}

/* ---- a real provider (pay.h) -------------------------------------------- */

/* A real provider's calls happen in the route's "before" hook, outside the
 * handler's transaction, so a slow provider never holds the database's
 * write lock: the order is reserved (bills held) in a short transaction of
 * its own, the provider is called, and its verified answer is applied in
 * another. The handler that follows, inside the framework's transaction,
 * only reads the order and answers. What the hook did for this request is
 * handed over in this thread's PHASE (hook and handler run on one thread,
 * one after the other). */
#define QR_EXPIRE_S 7200        /* a QR order's life, as the demo's default */
#define CODE_WAIT_S 60          /* a payment code's wait for the payer, then cancel */

static _Thread_local struct {
    char created[33];           /* the order this request created */
    char error[64];             /* why the provider could not be asked, "" if it was */
    bool refused;               /* the provider definitely refused to create it (PAY_REFUSED) */
} phase;

/* Records what a provider said that needs a person. In the caller's transaction. */
static void payment_event(sqlite3 *db, const char *no, const char *kind, const pay_result_t *r,
                          int64_t now)
{
    hub_log("pay", "order %s: %s (provider trade %s)", no, kind, r->trade_no[0] ? r->trade_no : "-");
    run(db, "INSERT INTO payment_events(out_trade_no, kind, trade_no, amount_fen, created) "
        "VALUES(?1, ?2, NULLIF(?3, ''), ?4, ?5)", "tttii", no, kind, r->trade_no, r->amount_fen,
        (long long)now);
}

static int pay_apply(sqlite3 *db, const char *no, const pay_result_t *r, bool reversal, int64_t now);

int api_pay_apply(sqlite3 *db, const char *no, const pay_result_t *r, bool reversal, int64_t now)
{
    /* A verified answer or notification is money moved: FULL, whoever calls
     * (the notification listener's thread runs no route of its own). */
    int sync = db_sync_full(db);
    int rc = pay_apply(db, no, r, reversal, now);
    db_sync_restore(db, sync);
    return rc;
}

static int pay_apply(sqlite3 *db, const char *no, const pay_result_t *r, bool reversal, int64_t now)
{
    order_t o;
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    int found = order_load(db, no, &o), rc = 0;
    if (found < 0) goto fail;
    if (found == 0 || !strcmp(o.provider, "demo")) {
        db_exec(db, "ROLLBACK");
        return 0;
    }
    if (r->outcome == PAY_SUCCESS && !reversal) {
        if (r->amount_fen >= 0 && r->amount_fen != o.amount_fen)
            payment_event(db, no, "amount_differs", r, now);
        else if (is_open(&o)) {
            rc = order_succeed_as(db, no, now, r->trade_no[0] ? r->trade_no : NULL);
            /* The money is taken but a bill was paid by other means meanwhile. */
            if (rc == 0 && order_load(db, no, &o) == 1 && !strcmp(o.state, "PAYERROR"))
                payment_event(db, no, "paid_bill_paid_elsewhere", r, now);
        } else if (!strcmp(o.state, "CLOSED") && !strcmp(o.method, "qr")) {
            /* A payment code's order ends by a cancel, which refunds what was
             * taken; a closed QR should not have been payable at all. */
            payment_event(db, no, "paid_after_close", r, now);
        }
    } else if (r->outcome == PAY_WAITING && r->code_url[0] && !o.code_url[0]) {
        rc = run(db, "UPDATE orders SET code_url = ?2 WHERE out_trade_no = ?1", "tt", no, r->code_url);
    } else if ((r->outcome == PAY_CLOSED || r->outcome == PAY_NOT_FOUND) && reversal) {
        if (!strcmp(o.state, "NOTPAY")) {
            rc = run(db, "UPDATE orders SET state = 'CLOSED', updated = ?2 WHERE out_trade_no = ?1 "
                     "AND state = 'NOTPAY'", "ti", no, (long long)now);
        } else if (!strcmp(o.state, "SUCCESS") || !strcmp(o.state, "USERPAYING")) {
            rc = run(db, "UPDATE orders SET state = 'REVOKED', updated = ?2 WHERE out_trade_no = ?1 "
                     "AND state IN ('SUCCESS', 'USERPAYING')", "ti", no, (long long)now);
            if (rc > 0)
                rc = run(db, "UPDATE bills SET status = 'unpaid', paid_order = NULL, paid_at = NULL "
                         "WHERE paid_order = ?1 AND status = 'paid'", "t", no);
        }
    } else if (r->outcome == PAY_CLOSED && is_open(&o)) {
        rc = run(db, "UPDATE orders SET state = 'CLOSED', updated = ?2 WHERE out_trade_no = ?1 "
                 "AND state IN ('NOTPAY', 'USERPAYING')", "ti", no, (long long)now);
    } else if (r->outcome == PAY_REFUSED && is_open(&o)) {
        rc = run(db, "UPDATE orders SET state = 'PAYERROR', updated = ?2, error = ?3 "
                 "WHERE out_trade_no = ?1 AND state IN ('NOTPAY', 'USERPAYING')", "tit", no,
                 (long long)now, r->error[0] ? r->error : "refused");
    }
    if (rc < 0 || db_exec(db, "COMMIT") != 0) goto fail;
    return 0;
fail:
    db_exec(db, "ROLLBACK");
    return -1;
}

/* Whether this device already used the request's Idempotency-Key: then the
 * framework replays the stored answer and the provider is not asked again. */
static bool key_seen(hub_req_t *req)
{
    const char *key = hub_header(req, "Idempotency-Key");
    return key && one_int(req->db, 0, "SELECT 1 FROM idempotency WHERE device = ?1 AND key = ?2",
                          "tt", req->device.id, key) != 0;
}

/* Asks the provider what became of an open order O and applies the answer;
 * past its deadline (a QR's expiry, a payment code's wait) an order still
 * unpaid is closed (QR) or cancelled (code) at the provider, as its
 * documentation says: query, then cancel. */
static void provider_settle(hub_req_t *req, const pay_provider_t *p, const order_t *o)
{
    pay_result_t r;
    p->query(o->no, &r);
    api_pay_apply(req->db, o->no, &r, false, req->now);
    if (r.outcome == PAY_SUCCESS || r.outcome == PAY_CLOSED || r.outcome == PAY_REFUSED) return;
    if (!o->settle_at || o->settle_at > req->now) return;
    if (!strcmp(o->method, "qr")) p->close(o->no, &r);
    else p->cancel(o->no, &r);
    if (r.outcome == PAY_NOT_FOUND) r.outcome = PAY_CLOSED;
    api_pay_apply(req->db, o->no, &r, false, req->now);
}

/* Resolves open orders holding any of IDS whose deadline has passed, so an
 * order a kiosk abandoned does not hold bills for ever. */
static void provider_free_bills(hub_req_t *req, const long long *ids, int n)
{
    /* A bill out of the device's area (scope.h) is left alone: asking its
     * provider would take a time a missing bill does not. */
    char area[SCOPE_COMMUNITY_MAX];
    if (scope_device_community(req->db, req->device.id, area, sizeof area) != 0) return;
    for (int i = 0; i < n; i++) {
        char no[33] = "";
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(req->db, "SELECT o.out_trade_no, a.community FROM order_bills ob JOIN orders o "
                               "ON o.out_trade_no = ob.out_trade_no JOIN bills b ON b.id = ob.bill_id "
                               "LEFT JOIN accounts a ON a.id = b.account_id WHERE ob.bill_id = ?1 AND "
                               "o.provider <> 'demo' AND o.state IN ('NOTPAY', 'USERPAYING') "
                               "AND o.settle_at <= ?2 LIMIT 1", -1, &st, NULL) != SQLITE_OK)
            return;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, req->now);
        if (sqlite3_step(st) == SQLITE_ROW && scope_visible(area, (const char *)sqlite3_column_text(st, 1)))
            col_text(st, 0, no, sizeof no);
        sqlite3_finalize(st);
        order_t o;
        const pay_provider_t *p = no[0] && order_load(req->db, no, &o) == 1 ? provider_of_order(&o) : NULL;
        if (p) provider_settle(req, p, &o);
    }
}

/* POST /v1/payments, provider part: reserves the order and asks the
 * provider. Anything wrong with the request is left for the handler to say. */
static void provider_create(hub_req_t *req)
{
    const pay_provider_t *p;
    cJSON *j = NULL;
    hub_resp_t dummy = {0};
    create_req_t c;
    long long total = 0;
    /* Only a request the framework and the handler will take: an object
     * body with a valid Idempotency-Key, checked as the handler checks it. */
    if (!v_idem_key(hub_header(req, "Idempotency-Key")) ||
        v_parse_object(&dummy, req->body_len ? req->body : "{}", req->body_len ? req->body_len : 2, &j) != 0 ||
        create_parse(req, j, &dummy, &c) != 0)
        goto done;
    const long long *ids = c.ids;
    int n = c.n;
    bool code = c.code;
    char no[33];                /* the hub's (and the provider's) number */
    if (key_seen(req) || !(p = provider_for_new(&c))) goto done;
    if (order_resolve(req->db, req->device.id, c.no, no) != 0) goto done;    /* the handler answers it */
    provider_free_bills(req, ids, n);

    long long deadline = req->now + (code ? CODE_WAIT_S : QR_EXPIRE_S);
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) goto done;
    int rc = order_resolve(req->db, req->device.id, c.no, no) == 0 &&
             order_number(req->db, req->device.id, c.no, no) == 0 &&
             check_bills(req, &dummy, ids, n, &total) == 0 ? 0 : -1;
    if (rc == 0)
        rc = run(req->db, "INSERT INTO orders(out_trade_no, device, method, amount_fen, state, "
                 "created, updated, settle_at, settle_to, provider, device_no) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, 'CLOSED', ?8, ?9)", "tttitiitt", no,
                 req->device.id, code ? "code" : "qr", total, code ? "USERPAYING" : "NOTPAY",
                 (long long)req->now, deadline, p->name, c.no);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = run(req->db, "INSERT INTO order_bills(out_trade_no, bill_id) VALUES(?1, ?2)", "ti", no, ids[i]);
    if (rc < 0 || db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        goto done;
    }
    snprintf(phase.created, sizeof phase.created, "%s", no);

    pay_order_t po = {.out_trade_no = no, .amount_fen = total, .subject = "utility bills",
                      .auth_code = c.auth, .expires = deadline};
    pay_result_t r;
    if (code) {
        p->pay(&po, &r);
        /* Unknown: ask at once (the docs: query, then cancel at the deadline). */
        if (r.outcome == PAY_UNKNOWN) p->query(no, &r);
        if (r.outcome == PAY_NOT_FOUND) r.outcome = PAY_WAITING;
        api_pay_apply(req->db, no, &r, false, req->now);
    } else {
        p->precreate(&po, &r);
        if (r.outcome == PAY_WAITING && r.code_url[0] &&
            api_pay_apply(req->db, no, &r, false, req->now) == 0)
            goto done;
        /* Nobody has seen a QR code: nothing can have been paid. The
         * reservation goes; the kiosk may try again later. */
        snprintf(phase.error, sizeof phase.error, "%s", r.error[0] ? r.error : "provider_refused");
        /* Only a verified, definite refusal is told as one (422); anything
         * else (no answer, a bad one, storage) stays "unavailable". */
        phase.refused = r.outcome == PAY_REFUSED;
        phase.created[0] = '\0';
        if (db_exec(req->db, "BEGIN IMMEDIATE") == 0) {
            if (run(req->db, "DELETE FROM order_bills WHERE out_trade_no = ?1", "t", no) < 0 ||
                run(req->db, "DELETE FROM orders WHERE out_trade_no = ?1", "t", no) < 0 ||
                db_exec(req->db, "COMMIT") != 0)
                db_exec(req->db, "ROLLBACK");
        }
        p->close(no, &r);
    }
done:
    free(dummy.body);
    cJSON_Delete(j);
}

/* GET, close and reverse of an order, provider part. */
static void provider_order(hub_req_t *req)
{
    const char *no = req->nparams > 0 ? req->params[0] : "";
    order_t o;
    const pay_provider_t *p;
    if (!valid_trade_no(no) || order_load_own(req->db, req->device.id, no, &o) != 1 || !strcmp(o.provider, "demo") ||
        strcmp(o.device, req->device.id) != 0 || !(p = provider_of_order(&o)))
        return;
    const char *path = req->path;
    size_t len = strlen(path);
    bool post = !strcmp(req->method, "POST");
    if (post && (!v_idem_key(hub_header(req, "Idempotency-Key")) || key_seen(req))) return;
    pay_result_t r;
    if (!post) {
        if (is_open(&o)) provider_settle(req, p, &o);
    } else if (len > 6 && !strcmp(path + len - 6, "/close")) {
        if (!is_open(&o)) return;
        p->close(o.no, &r);
        if (r.outcome == PAY_NOT_FOUND) r.outcome = PAY_CLOSED;
        if (r.outcome != PAY_CLOSED) p->query(o.no, &r);
        api_pay_apply(req->db, o.no, &r, false, req->now);
    } else if (len > 8 && !strcmp(path + len - 8, "/reverse")) {
        if (!is_open(&o) && strcmp(o.state, "SUCCESS") != 0) return;
        p->cancel(o.no, &r);
        if (r.outcome == PAY_UNKNOWN && !strcmp(r.error, "cancel_refused") &&
            !strcmp(o.state, "SUCCESS")) {
            /* Too late to cancel a verified payment: refund all of it, under
             * a refund number of its own so a retry is the same refund. */
            char refund_no[40];
            snprintf(refund_no, sizeof refund_no, "%s-R", o.no);
            p->refund(o.no, refund_no, o.amount_fen, &r);
            if (r.outcome == PAY_SUCCESS) r.outcome = PAY_CLOSED;
        }
        api_pay_apply(req->db, o.no, &r, true, req->now);
    }
}

/* The route's "before" hook: the demo provider's simulated latency, or a
 * real provider's calls. */
void api_pay_latency(hub_req_t *req)
{
    phase.created[0] = phase.error[0] = '\0';
    phase.refused = false;
    pay_kind_t kind = pay_kind(hub_config(req->hub)->demo);
    if (kind == PAY_DEMO) behaviour_delay(req->db);
    if (kind != PAY_REAL || !pay_provider()) return;
    if (!strcmp(req->method, "POST") && req->nparams == 0) provider_create(req);
    else provider_order(req);
}

/* A real provider's order that its hook could not settle: 503, nothing
 * changed locally (the provider may still hold it). True when answered. */
static bool provider_pending(const order_t *o, hub_resp_t *resp, bool paid_too)
{
    if (!strcmp(o->provider, "demo") || !(is_open(o) || (paid_too && !strcmp(o->state, "SUCCESS"))))
        return false;
    hub_error(resp, 503, "provider_unavailable",
              "the payment provider did not confirm; send the same request again");
    return true;
}

/* ---- handlers ---------------------------------------------------------- */

/* POST /v1/payments: creates an order (201), or returns the existing order
 * of this out_trade_no when it is the same request (200). */
void api_pay_create(hub_req_t *req, hub_resp_t *resp)
{
    if (no_provider(req, resp)) return;
    sqlite3 *db = req->db;
    create_req_t c;
    if (create_parse(req, req->json, resp, &c) != 0) return;
    const char *method = c.code ? "code" : "qr";
    const long long *ids = c.ids;
    int n = c.n;
    bool code = c.code, real = pay_kind(hub_config(req->hub)->demo) != PAY_DEMO;
    long long total;
    char no[33];                /* the hub's (and the provider's) number */

    order_t o;
    int found = order_resolve(db, req->device.id, c.no, no);
    if (found == 1) found = order_load(db, no, &o);
    if (found < 0) {
        hub_error(resp, 500, "storage", "cannot read the orders");
        return;
    }
    if (found) {
        int same = strcmp(o.device, req->device.id) == 0 && strcmp(o.method, method) == 0
                       ? same_bills(db, no, ids, n) : 0;
        if (same < 0 || order_apply_due(db, &o, req->now) != 0) {
            hub_error(resp, 500, "storage", "cannot read the orders");
        } else if (!same) {
            hub_error(resp, 409, "out_trade_no_used",
                      "out_trade_no %s belongs to another order; use a new one", c.no);
        } else if (!code && is_open(&o) && !o.code_url[0]) {
            /* The provider is still being asked for the QR code. */
            hub_error(resp, 503, "provider_unavailable",
                      "the payment provider did not confirm; send the same request again");
        } else {
            reply_order(db, resp, strcmp(phase.created, no) ? 200 : 201, &o, false);
        }
        return;
    }
    if (check_bills(req, resp, ids, n, &total) != 0) return;
    if (real && phase.refused) {
        /* The provider refused this new order for certain: nothing exists
         * there or here (the reservation is gone), so nobody can pay it.
         * Its short code (e.g. no_auth) says why; never a secret. */
        hub_error(resp, 422, "provider_refused",
                  "the payment provider refused this order (%s); nothing was created", phase.error);
        return;
    }
    if (real) {
        /* Only the provider hook creates a real provider's order. */
        hub_error(resp, 503, "provider_unavailable", "the payment provider %s; try again later",
                  phase.error[0] ? "could not be reached or gave no clear answer" : "was not asked");
        return;
    }

    if (order_number(db, req->device.id, c.no, no) != 0) {
        hub_error(resp, 500, "storage", "cannot read the orders");
        return;
    }
    behaviour_t b;
    behaviour_load(db, &b);
    char url[600] = "", txn[40] = "";
    const char *state = "NOTPAY", *settle_to = "CLOSED", *error = NULL;
    long long settle_at = req->now + (b.expire_s < HOLD_MAX_S ? b.expire_s : HOLD_MAX_S);
    if (!code) {
        demo_base(req, url, sizeof url - 64);
        snprintf(url + strlen(url), sizeof url - strlen(url), "/v1/demo/pay/%s", no);
    } else {
        make_transaction_id(txn, sizeof txn, no, req->now, c.kind == 2);
        settle_to = "SUCCESS";
        state = "USERPAYING";
        settle_at = 0;
        if (!strcmp(b.mode, "userpaying")) {
            settle_at = req->now + (b.settle_s > 0 ? b.settle_s : HOLD_MAX_S);
            if (b.settle_s <= 0) settle_to = "CLOSED";
        } else if (!strcmp(b.mode, "payerror")) {
            state = "PAYERROR";
            error = "insufficient_balance";
        }
    }
    int rc = run(db, "INSERT INTO orders(out_trade_no, device, method, amount_fen, state, code_url, "
                 "created, updated, settle_at, settle_to, transaction_id, error, device_no) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, NULLIF(?8, 0), ?9, ?10, ?11, ?12)",
                 "tttittiitttt", no, req->device.id, method, total, state, url[0] ? url : NULL,
                 (long long)req->now, settle_at, settle_to, txn[0] ? txn : NULL, error, c.no);
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = run(db, "INSERT INTO order_bills(out_trade_no, bill_id) VALUES(?1, ?2)", "ti", no, ids[i]);
    /* Micropay that goes through at once (success, slow). */
    if (rc >= 0 && code && !strcmp(state, "USERPAYING") && strcmp(b.mode, "userpaying") != 0)
        rc = order_succeed(db, no, req->now);
    if (rc < 0 || order_load(db, no, &o) != 1) {
        hub_error(resp, 500, "storage", "cannot store the order");
        return;
    }
    reply_order(db, resp, 201, &o, false);
}

/* Loads this device's order named in the path; 0, or -1 with a 404/500 in RESP. */
static int own_order(hub_req_t *req, hub_resp_t *resp, order_t *o)
{
    const char *no = req->nparams > 0 ? req->params[0] : "";
    int found = valid_trade_no(no) ? order_load_own(req->db, req->device.id, no, o) : 0;
    if (found < 0) return hub_error(resp, 500, "storage", "cannot read the orders"), -1;
    if (!found || strcmp(o->device, req->device.id) != 0)
        return hub_error(resp, 404, "unknown_order", "no such order"), -1;
    return 0;
}

/* GET /v1/payments/{out_trade_no}: the order, with due transitions applied. */
void api_pay_query(hub_req_t *req, hub_resp_t *resp)
{
    if (no_provider(req, resp)) return;
    order_t o;
    if (own_order(req, resp, &o) != 0) return;
    if (order_apply_due_txn(req->db, &o, req->now) != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; query again");
        return;
    }
    reply_order(req->db, resp, 200, &o, false);
}

/* POST /v1/payments/{out_trade_no}/close: an unpaid order is abandoned. */
void api_pay_close(hub_req_t *req, hub_resp_t *resp)
{
    if (no_provider(req, resp)) return;
    order_t o;
    if (own_order(req, resp, &o) != 0) return;
    if (order_apply_due(req->db, &o, req->now) != 0) {
        hub_error(resp, 500, "storage", "cannot update the order");
        return;
    }
    if (!strcmp(o.state, "SUCCESS")) {
        hub_error(resp, 409, "order_paid", "the order is paid; reverse it to refund the payer");
        return;
    }
    if (provider_pending(&o, resp, false)) return;
    if (is_open(&o) &&
        (run(req->db, "UPDATE orders SET state = 'CLOSED', updated = ?2 WHERE out_trade_no = ?1 "
             "AND state IN ('NOTPAY', 'USERPAYING')", "ti", o.no, (long long)req->now) < 0 ||
         order_load(req->db, o.no, &o) != 1)) {
        hub_error(resp, 500, "storage", "cannot update the order");
        return;
    }
    reply_order(req->db, resp, 200, &o, false);
}

/* POST /v1/payments/{out_trade_no}/reverse: cancels a payment whatever its
 * outcome (micropay 撤销): paid or pending becomes REVOKED with the bills
 * unpaid again, not yet paid becomes CLOSED. */
void api_pay_reverse(hub_req_t *req, hub_resp_t *resp)
{
    if (no_provider(req, resp)) return;
    sqlite3 *db = req->db;
    order_t o;
    if (own_order(req, resp, &o) != 0) return;
    if (order_apply_due(db, &o, req->now) != 0) {
        hub_error(resp, 500, "storage", "cannot update the order");
        return;
    }
    if (provider_pending(&o, resp, true)) return;
    int rc = 0;
    if (!strcmp(o.state, "NOTPAY")) {
        rc = run(db, "UPDATE orders SET state = 'CLOSED', updated = ?2 WHERE out_trade_no = ?1 "
                 "AND state = 'NOTPAY'", "ti", o.no, (long long)req->now);
    } else if (!strcmp(o.state, "SUCCESS") || !strcmp(o.state, "USERPAYING")) {
        rc = run(db, "UPDATE orders SET state = 'REVOKED', updated = ?2 WHERE out_trade_no = ?1 "
                 "AND state IN ('SUCCESS', 'USERPAYING')", "ti", o.no, (long long)req->now);
        if (rc > 0)
            rc = run(db, "UPDATE bills SET status = 'unpaid', paid_order = NULL, paid_at = NULL "
                     "WHERE paid_order = ?1 AND status = 'paid'", "t", o.no);
    }
    if (rc < 0 || order_load(db, o.no, &o) != 1) {
        hub_error(resp, 500, "storage", "cannot update the order");
        return;
    }
    reply_order(db, resp, 200, &o, false);
}

/* GET /v1/demo/pay/{out_trade_no}: the payer's phone opened code_url (or
 * confirmed a pending payment code). Any device's order; no token. */
void api_demo_pay(hub_req_t *req, hub_resp_t *resp)
{
    sqlite3 *db = req->db;
    const char *no = req->nparams > 0 ? req->params[0] : "";
    order_t o;
    if (!valid_trade_no(no)) {
        hub_error(resp, 404, "unknown_order", "no such order");
        return;
    }
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; open the link again");
        return;
    }
    int found = order_load(db, no, &o);
    if (found == 1 && (order_apply_due(db, &o, req->now) != 0 ||
                       (is_open(&o) && (order_succeed(db, no, req->now) != 0 ||
                                        order_load(db, no, &o) != 1))))
        found = -1;
    if (found != 1 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        if (found == 0) hub_error(resp, 404, "unknown_order", "no such order");
        else hub_error(resp, 500, "storage", "cannot update the order");
        return;
    }
    if (!strcmp(o.state, "SUCCESS"))
        reply_order(db, resp, 200, &o, true);
    else if (!strcmp(o.state, "PAYERROR"))
        hub_error(resp, 409, "order_failed", "the payment failed (%s)", o.error[0] ? o.error : "error");
    else
        hub_error(resp, 409, "order_closed", "the order is %s and can no longer be paid",
                  !strcmp(o.state, "REVOKED") ? "revoked" : "closed");
}

/* POST /v1/demo/behaviour: sets how the demo provider answers; every field
 * is optional and the answer is the settings now in force. */
void api_demo_behaviour(hub_req_t *req, hub_resp_t *resp)
{
    static const struct { const char *field, *key; long long lo, hi; } ints[] = {
        {"delay_ms", "pay_delay_ms", 0, 30000},
        {"settle_s", "pay_settle_s", 0, 3600},
        {"expire_s", "pay_expire_s", 1, HOLD_MAX_S},
    };
    static const char *const upsert =
        "INSERT INTO demo_settings(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    const char *mode;
    if (v_enum(resp, req->json, "mode", modes, false, &mode) != 0) return;
    long long vals[3];
    for (int i = 0; i < 3; i++)
        if (v_int(resp, req->json, ints[i].field, ints[i].lo, ints[i].hi, false, -1, &vals[i]) != 0)
            return;
    int rc = mode ? run(req->db, upsert, "tt", "pay_mode", mode) : 0;
    for (int i = 0; rc >= 0 && i < 3; i++) {
        if (vals[i] < 0) continue;
        char v[24];
        snprintf(v, sizeof v, "%lld", vals[i]);
        rc = run(req->db, upsert, "tt", ints[i].key, v);
    }
    if (rc < 0) {
        hub_error(resp, 500, "storage", "cannot store the settings");
        return;
    }
    behaviour_t b;
    behaviour_load(req->db, &b);
    hub_reply(resp, 200, behaviour_json(&b));
}
