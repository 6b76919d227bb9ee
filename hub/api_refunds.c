/* Refunds by staff: POST /v1/admin/payments/{out_trade_no}/refund.
 *
 * A paid order is refunded in full through its provider (pay.h refund, under
 * the staff's refund number, idempotent at the provider), once: one refund
 * per order, one order per refund number, and the same request again
 * answers the refund as it was made. The refund is recorded in table
 * refunds (who, when, why: the audit), the order becomes REVOKED, its bills
 * unpaid again, and every write-off of the order is reversed at the billing
 * system through the write-off queue (writeoff_reverse). The provider is
 * asked in the route's "before" hook, outside the handler's transaction (a
 * slow provider never holds the write lock); the handler records what it
 * said. The contract is docs/api.md, "POST /v1/admin/payments/{out_trade_no}/refund". */
#include <stdio.h>
#include <string.h>
#include "api.h"
#include "db.h"
#include "log.h"
#include "pay.h"
#include "validate.h"
#include "writeoff.h"

/* What the hook learned from the provider for this request (hook and
 * handler run on one thread, one after the other). */
static _Thread_local struct {
    bool asked;
    pay_result_t r;
} phase;

/* 6 to 32 of [A-Za-z0-9_-], as the providers' numbers. */
static bool valid_no(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 6 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

typedef struct {
    char state[12], provider[12];
    long long amount_fen;
} order_t;

/* 1 found, 0 not, -1 error. */
static int order_get(sqlite3 *db, const char *no, order_t *o)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT state, provider, amount_fen FROM orders WHERE out_trade_no = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        snprintf(o->state, sizeof o->state, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(o->provider, sizeof o->provider, "%s", (const char *)sqlite3_column_text(st, 1));
        o->amount_fen = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return found;
}

/* The order already refunded: its refund number into OUT ("" none). -1 on error. */
static int refund_of(sqlite3 *db, const char *no, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT refund_no FROM refunds WHERE out_trade_no = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void api_refund_provider(hub_req_t *req)
{
    phase.asked = false;
    const pay_provider_t *p;
    const char *no = req->nparams > 0 ? req->params[0] : "";
    if (!pay_provider() || !v_idem_key(hub_header(req, "Idempotency-Key")) || !valid_no(no)) return;
    cJSON *j = cJSON_ParseWithLength(req->body, req->body_len);
    const cJSON *rn = cJSON_GetObjectItemCaseSensitive(j, "refund_no");
    order_t o;
    char done[40];
    /* Only what the handler will take: a paid order of this provider, not
     * refunded yet (a retry of a refund made is answered from the table). */
    if (cJSON_IsString(rn) && valid_no(rn->valuestring) && order_get(req->db, no, &o) == 1 &&
        !strcmp(o.state, "SUCCESS") && strcmp(o.provider, "demo") != 0 &&
        /* the provider that took the money gives it back */
        (p = pay_provider_named(o.provider)) != NULL &&
        refund_of(req->db, no, done, sizeof done) == 0 && !done[0]) {
        p->refund(no, rn->valuestring, o.amount_fen, &phase.r);
        phase.asked = true;
    }
    cJSON_Delete(j);
}

static void reply(sqlite3 *db, hub_resp_t *resp, const char *refund_no)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT r.refund_no, r.out_trade_no, r.amount_fen, r.staff, r.reason, r.created, "
                           "o.state FROM refunds r JOIN orders o ON o.out_trade_no = r.out_trade_no "
                           "WHERE r.refund_no = ?1", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the refund");
        return;
    }
    sqlite3_bind_text(st, 1, refund_no, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        hub_error(resp, 500, "storage", "cannot read the refund");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(o, "refund");
    cJSON_AddStringToObject(r, "refund_no", (const char *)sqlite3_column_text(st, 0));
    cJSON_AddStringToObject(r, "out_trade_no", (const char *)sqlite3_column_text(st, 1));
    cJSON_AddNumberToObject(r, "amount_fen", (double)sqlite3_column_int64(st, 2));
    cJSON_AddStringToObject(r, "staff", (const char *)sqlite3_column_text(st, 3));
    cJSON_AddStringToObject(r, "reason", (const char *)sqlite3_column_text(st, 4));
    cJSON_AddNumberToObject(r, "created", (double)sqlite3_column_int64(st, 5));
    cJSON_AddStringToObject(r, "order_state", (const char *)sqlite3_column_text(st, 6));
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

static int run1(sqlite3 *db, const char *sql, const char *a, const char *b, long long n)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, n);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

void api_admin_refund(hub_req_t *req, hub_resp_t *resp)
{
    sqlite3 *db = req->db;
    const char *no = req->nparams > 0 ? req->params[0] : "", *refund_no, *reason;
    if (v_string(resp, req->json, "refund_no", 6, 32, true, &refund_no) != 0) return;
    if (!valid_no(refund_no)) {
        hub_error(resp, 422, "invalid_field", "refund_no must be 6 to 32 of A-Z a-z 0-9 _ -");
        return;
    }
    if (v_string(resp, req->json, "reason", 1, 200, true, &reason) != 0) return;
    order_t o;
    int found = valid_no(no) ? order_get(db, no, &o) : 0;
    char done[40];
    if (found < 0 || refund_of(db, no, done, sizeof done) != 0) {
        hub_error(resp, 500, "storage", "cannot read the order");
        return;
    }
    if (!found) {
        hub_error(resp, 404, "unknown_order", "no such order");
        return;
    }
    if (done[0]) {
        if (!strcmp(done, refund_no)) reply(db, resp, refund_no);      /* the same refund again */
        else hub_error(resp, 409, "order_refunded", "the order was refunded already (refund %s)", done);
        return;
    }
    sqlite3_stmt *st = NULL;
    long long used = -1;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM refunds WHERE refund_no = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, refund_no, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) used = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (used != 0) {
        if (used < 0) hub_error(resp, 500, "storage", "cannot read the refunds");
        else hub_error(resp, 409, "refund_no_used", "refund_no %s belongs to another order", refund_no);
        return;
    }
    if (strcmp(o.state, "SUCCESS") != 0) {
        hub_error(resp, 409, "order_not_paid", "only a paid order can be refunded (it is %s)", o.state);
        return;
    }
    if (strcmp(o.provider, "demo") != 0) {
        /* A real provider's word, from the hook; nothing changes without it. */
        if (!phase.asked || phase.r.outcome == PAY_UNKNOWN) {
            hub_error(resp, 503, "provider_unavailable",
                      "the payment provider did not confirm the refund; send the same request again");
            return;
        }
        if (phase.r.outcome != PAY_SUCCESS && phase.r.outcome != PAY_CLOSED) {
            hub_error(resp, 409, "refund_refused", "the payment provider refused the refund (%s)",
                      phase.r.error[0] ? phase.r.error : "refused");
            return;
        }
    }
    int rc = -1;
    if (sqlite3_prepare_v2(db, "INSERT INTO refunds(refund_no, out_trade_no, amount_fen, staff, reason, created) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, refund_no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, no, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, o.amount_fen);
        sqlite3_bind_text(st, 4, req->device.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, req->now);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    if (rc == 0)
        rc = run1(db, "UPDATE orders SET state = 'REVOKED', updated = ?3 WHERE out_trade_no = ?1 "
                  "AND state = 'SUCCESS'", no, NULL, req->now);
    if (rc == 0)
        rc = run1(db, "UPDATE bills SET status = 'unpaid', paid_order = NULL, paid_at = NULL "
                  "WHERE paid_order = ?1 AND status = 'paid'", no, NULL, req->now);
    if (rc == 0) rc = writeoff_reverse(db, no, refund_no, req->now);
    if (rc != 0) {
        hub_error(resp, 500, "storage", "cannot record the refund");
        return;
    }
    /* The audit: who refunded which order and how much (the reason stays in
     * the table: staff may write a name in it). */
    hub_log("refund", "staff %s refunded order %s (%lld fen, refund %s)", req->device.id, no, o.amount_fen,
            refund_no);
    reply(db, resp, refund_no);
}
