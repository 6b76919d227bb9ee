/* The kiosk's client of the hub API: the pure parsers of the hub's answers,
 * then the typed calls over the shared transport (net/http.c; see hub_api.h).
 *
 * Nothing here retries: the caller (the payment engine, a screen's worker)
 * decides, from hub_status_t, whether and when to ask again. Error texts
 * name fields, never their values, so they are safe to log. */
#include "net/hub_api.h"
#include "net/jsonread.h"

#include <assert.h>
#include <cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mask.h"
#include "net/http.h"
#include "utf8.h"

#define MOD "hub"
#define BODY_MAX (1024 * 1024)          /* a bigger answer is garbage */

/* ---- order states -------------------------------------------------------- */

static const char *const state_names[ORDER_STATE_COUNT] = {
    "NOTPAY", "USERPAYING", "SUCCESS", "CLOSED", "REVOKED", "PAYERROR"};

const char *hub_order_state_name(hub_order_state_t s)
{
    return (unsigned)s < ORDER_STATE_COUNT ? state_names[s] : "?";
}

int hub_order_state_parse(const char *name)
{
    for (int i = 0; name && i < ORDER_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0)
            return i;
    return -1;
}

/* ---- parsing helpers --------------------------------------------------------
 * Each takes the JSON path of the object it reads ("accounts[1].bills[0]")
 * for the error text, and returns 0, or -1 with ERR set. */

/* V as a whole number >= MIN (exact in a double), else -1. */
static int as_int(const cJSON *v, long long min, long long *out)
{
    if (!cJSON_IsNumber(v))
        return -1;
    double d = v->valuedouble;
    if (!(d >= (double)min && d <= (double)JR_INT_MAX) || d != floor(d))
        return -1;
    *out = (long long)d;
    return 0;
}

static int get_num(const cJSON *obj, const char *path, const char *key, double *out,
                   jr_err_t *e)
{
    const cJSON *v = jr_field(obj, key);
    if (!v)
        return jr_fail(e, path, key, "missing");
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return jr_fail(e, path, key, "not a number");
    *out = v->valuedouble;
    return 0;
}

static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

/* "DDDD-DD" (PATTERN of 'D' and literal characters). */
static int shaped(const char *s, const char *pattern)
{
    for (; *pattern; s++, pattern++) {
        if (*pattern == 'D' ? !isdigit((unsigned char)*s) : *s != *pattern)
            return 0;
    }
    return *s == '\0';
}

/* Printable ASCII only: safe in a header line and in a log line. */
static bool printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

static int check_object(const cJSON *v, const char *path, jr_err_t *e)
{
    return cJSON_IsObject(v) ? 0 : jr_fail(e, path, "", "not an object");
}

/* ---- accounts -------------------------------------------------------------- */

static int parse_bill(const cJSON *b, const char *path, hub_bill_t *out, jr_err_t *e)
{
    char status[8];
    if (check_object(b, path, e) || jr_int(b, path, "id", 1, JR_INT_MAX, &out->id, e) ||
        jr_str(b, path, "period", out->period, sizeof out->period, e) ||
        get_num(b, path, "usage", &out->usage, e) ||
        jr_str(b, path, "unit", out->unit, sizeof out->unit, e) ||
        jr_int(b, path, "amount_fen", 0, JR_INT_MAX, &out->amount_fen, e) ||
        jr_int(b, path, "late_fee_fen", 0, JR_INT_MAX, &out->late_fee_fen, e) ||
        jr_str(b, path, "due_date", out->due_date, sizeof out->due_date, e) ||
        jr_str(b, path, "status", status, sizeof status, e))
        return -1;
    if (!shaped(out->period, "DDDD-DD"))
        return jr_fail(e, path, "period", "not YYYY-MM");
    if (!shaped(out->due_date, "DDDD-DD-DD"))
        return jr_fail(e, path, "due_date", "not YYYY-MM-DD");
    if (strcmp(status, "paid") != 0 && strcmp(status, "unpaid") != 0)
        return jr_fail(e, path, "status", "not paid or unpaid");
    out->paid = status[0] == 'p';
    return 0;
}

/* Masks FIELD (of SIZE bytes) with MASK when it holds no '*': the hub masks,
 * but the kiosk must never show a name or address in clear, whoever sent it. */
static int mask_again(char *field_buf, size_t size, void (*mask)(const char *, char *, size_t),
                      const char *path, const char *key, jr_err_t *e)
{
    if (strchr(field_buf, '*') || field_buf[0] == '\0')
        return 0;
    char tmp[256];
    assert(size + 8 <= sizeof tmp);
    mask(field_buf, tmp, sizeof tmp);
    size_t n = strlen(tmp);
    if (n >= size || !strchr(tmp, '*'))
        return jr_fail(e, path, key, "too long once masked");
    memcpy(field_buf, tmp, n + 1);
    return 0;
}

static int parse_account(const cJSON *a, const char *path, hub_account_t *out, jr_err_t *e)
{
    static const char *const utilities[] = {"water", "electricity", "gas", "heating", NULL};
    char sub[64];
    if (check_object(a, path, e) ||
        jr_str(a, path, "utility", out->utility, sizeof out->utility, e) ||
        jr_str(a, path, "account", out->account, sizeof out->account, e) ||
        jr_str(a, path, "holder", out->holder, sizeof out->holder, e) ||
        jr_str(a, path, "address", out->address, sizeof out->address, e) ||
        jr_int(a, path, "due_fen", 0, JR_INT_MAX, &out->due_fen, e))
        return -1;
    if (!one_of(out->utility, utilities))
        return jr_fail(e, path, "utility", "not water, electricity, gas or heating");
    if (mask_again(out->holder, sizeof out->holder, mask_name, path, "holder", e) ||
        mask_again(out->address, sizeof out->address, mask_address, path, "address", e))
        return -1;

    const cJSON *bills = jr_arr(a, path, "bills", HUB_MAX_BILLS, &out->n_bills, e);
    if (!bills)
        return -1;
    int i = 0;
    for (const cJSON *b = bills->child; b; b = b->next, i++) {
        snprintf(sub, sizeof sub, "%s.bills[%d]", path, i);
        if (parse_bill(b, sub, &out->bills[i], e))
            return -1;
    }

    const cJSON *hist = jr_arr(a, path, "history", HUB_HISTORY, &out->n_history, e);
    if (!hist)
        return -1;
    i = 0;
    for (const cJSON *h = hist->child; h; h = h->next, i++) {
        snprintf(sub, sizeof sub, "%s.history[%d]", path, i);
        if (check_object(h, sub, e) ||
            jr_str(h, sub, "period", out->history[i].period, sizeof out->history[i].period, e) ||
            get_num(h, sub, "usage", &out->history[i].usage, e))
            return -1;
        if (!shaped(out->history[i].period, "DDDD-DD"))
            return jr_fail(e, sub, "period", "not YYYY-MM");
    }
    return 0;
}

int hub_parse_accounts(const char *json, size_t len, hub_accounts_t *out, char *err,
                       size_t errlen)
{
    jr_err_t e = {err, errlen};
    if (err && errlen)
        err[0] = '\0';
    memset(out, 0, sizeof *out);
    cJSON *doc = jr_parse_doc(json, len, &e);
    if (!doc)
        return -1;
    int rc = -1, n = 0;
    const cJSON *arr = jr_arr(doc, "", "accounts", HUB_MAX_ACCOUNTS, &n, &e);
    if (!arr)
        goto end;
    int i = 0;
    for (const cJSON *a = arr->child; a; a = a->next, i++) {
        char path[32];
        snprintf(path, sizeof path, "accounts[%d]", i);
        if (parse_account(a, path, &out->a[i], &e))
            goto end;
    }
    out->n = n;
    rc = 0;
end:
    cJSON_Delete(doc);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- orders ------------------------------------------------------------------ */

static int parse_order_obj(const cJSON *o, hub_order_t *out, jr_err_t *e)
{
    static const char *const methods[] = {"qr", "code", NULL};
    const char *path = "order";
    char state[16];
    long long created, updated;
    if (check_object(o, path, e) ||
        jr_str(o, path, "out_trade_no", out->out_trade_no, sizeof out->out_trade_no, e) ||
        jr_str(o, path, "state", state, sizeof state, e) ||
        jr_str(o, path, "method", out->method, sizeof out->method, e) ||
        jr_int(o, path, "amount_fen", 0, JR_INT_MAX, &out->amount_fen, e) ||
        jr_int(o, path, "created", 0, JR_INT_MAX, &created, e) ||
        jr_int(o, path, "updated", 0, JR_INT_MAX, &updated, e))
        return -1;
    if (!out->out_trade_no[0])
        return jr_fail(e, path, "out_trade_no", "empty");
    int s = hub_order_state_parse(state);
    if (s < 0)
        return jr_fail(e, path, "state", "not an order state");
    out->state = (hub_order_state_t)s;
    if (!one_of(out->method, methods))
        return jr_fail(e, path, "method", "not qr or code");
    out->created = (time_t)created;
    out->updated = (time_t)updated;

    /* code_url is what a qr order is paid through: required there. */
    if (strcmp(out->method, "qr") == 0
            ? jr_str(o, path, "code_url", out->code_url, sizeof out->code_url, e)
            : jr_opt_str(o, path, "code_url", out->code_url, sizeof out->code_url, e))
        return -1;
    if (strcmp(out->method, "qr") == 0 && !out->code_url[0])
        return jr_fail(e, path, "code_url", "empty");

    int n = 0;
    const cJSON *ids = jr_arr(o, path, "bill_ids", HUB_MAX_ORDER_BILLS, &n, e);
    if (!ids)
        return -1;
    if (n == 0)
        return jr_fail(e, path, "bill_ids", "empty");
    int i = 0;
    for (const cJSON *v = ids->child; v; v = v->next, i++) {
        if (as_int(v, 1, &out->bill_ids[i]) != 0) {
            char sub[32];
            snprintf(sub, sizeof sub, "order.bill_ids[%d]", i);
            return jr_fail(e, sub, "", "not an integer >= 1");
        }
    }
    out->n_bills = n;

    const cJSON *exp = jr_field(o, "expires");
    long long expires = 0;
    if (!exp)
        return jr_fail(e, path, "expires", "missing");
    if (!cJSON_IsNull(exp) && as_int(exp, 0, &expires) != 0)
        return jr_fail(e, path, "expires", "not an integer >= 0 or null");
    out->expires = (time_t)expires;

    if (jr_opt_str(o, path, "transaction_id", out->transaction_id,
                    sizeof out->transaction_id, e) ||
        jr_opt_str(o, path, "error", out->error, sizeof out->error, e))
        return -1;
    return 0;
}

int hub_parse_order(const char *json, size_t len, hub_order_t *out, char *err, size_t errlen)
{
    jr_err_t e = {err, errlen};
    if (err && errlen)
        err[0] = '\0';
    memset(out, 0, sizeof *out);
    cJSON *doc = jr_parse_doc(json, len, &e);
    if (!doc)
        return -1;
    const cJSON *o = jr_field(doc, "order");
    int rc = o ? parse_order_obj(o, out, &e) : jr_fail(&e, "", "order", "missing");
    cJSON_Delete(doc);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- error bodies ------------------------------------------------------------- */

int hub_parse_error(const char *json, size_t len, hub_status_t *st)
{
    jr_err_t e = {NULL, 0};
    cJSON *doc = jr_parse_doc(json, len, &e);
    if (!doc)
        return -1;
    char code[sizeof st->code];
    int rc = -1;
    const cJSON *err = jr_field(doc, "error"), *msg;
    if (!cJSON_IsObject(err) || jr_str(err, "", "code", code, sizeof code, &e) || !code[0] ||
        !printable_ascii(code))
        goto end;
    msg = jr_field(err, "message");
    if (!cJSON_IsString(msg) || !msg->valuestring)
        goto end;
    /* The message is for logs: a long one is cut, at a character boundary. */
    size_t n = strlen(msg->valuestring);
    if (n >= sizeof st->message) n = utf8_floor(msg->valuestring, sizeof st->message - 1);
    memcpy(st->code, code, sizeof code);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)msg->valuestring[i];
        st->message[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;   /* one log line */
    }
    st->message[n] = '\0';
    rc = 0;
end:
    cJSON_Delete(doc);
    return rc;
}

/* ---- transport (net/http.c) -------------------------------------------------------- */

struct hub_client {
    http_conn_t *conn;
    const char *body;             /* the last answer, NUL-terminated (owned by CONN) */
    size_t len;
};

/* Every call wipes the answer once parsed (or refused): it may hold
 * (masked) personal data, and nothing is kept between calls. */
static void forget(hub_client_t *c)
{
    http_forget(c->conn);
    c->len = 0;
}

hub_client_t *hub_client_new(const char *base_url, const char *token, int timeout_ms,
                             const volatile int *abort)
{
    assert(base_url && timeout_ms > 0);
    hub_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->conn = http_conn_new(base_url, token, timeout_ms > 0 ? timeout_ms : 1, abort,
                            "kiosk-hub-client/1", MOD);
    if (!c->conn) {
        free(c);
        return NULL;
    }
    c->body = "";
    return c;
}

void hub_client_free(hub_client_t *c)
{
    if (!c)
        return;
    http_conn_free(c->conn);
    free(c);
}

/* GET of PATH (from "/v1/..."), or with BODY a POST (KEY as its
 * Idempotency-Key); WHAT names the call in the log. Returns 1 when a 2xx
 * answer is in C->body for the caller to parse (ST HUB_UNKNOWN until it
 * does), else 0 with ST filled (refused, or no usable answer). */
static int request(hub_client_t *c, const char *what, const char *path, const char *body,
                   const char *key, hub_status_t *st)
{
    http_req_t req = {.method = body ? "POST" : "GET", .path = path, .what = what,
                      .body = body, .body_len = body ? strlen(body) : 0,
                      .idem_key = key, .max_resp = BODY_MAX};
    http_resp_t resp;
    http_request(c->conn, &req, &resp, st);
    c->body = resp.body;
    c->len = resp.len;
    if (st->result != HUB_OK) {
        forget(c);                      /* classified already */
        return 0;
    }
    st->result = HUB_UNKNOWN;           /* pending the caller's parse */
    return 1;
}

static void garbage(hub_client_t *c, hub_status_t *st, const char *what, const char *err)
{
    http_garbage(c->conn, st, what, err);
}

/* "PREFIX" + the percent-encoded VALUE + "SUFFIX" into OUT, or -1. */
static int path_with(hub_client_t *c, char *out, size_t outlen, const char *prefix,
                     const char *value, const char *suffix)
{
    char *esc = http_escape(c->conn, value);
    if (!esc)
        return -1;
    int n = snprintf(out, outlen, "%s%s%s", prefix, esc, suffix);
    curl_free(esc);
    return n >= 0 && (size_t)n < outlen ? 0 : -1;
}

/* ---- the calls --------------------------------------------------------------------- */

void hub_health(hub_client_t *c, hub_status_t *st)
{
    if (!request(c, "health", "/v1/health", NULL, NULL, st))
        return;
    char err[160];
    jr_err_t e = {err, sizeof err};
    cJSON *doc = jr_parse_doc(c->body, c->len, &e);
    if (doc) {
        const cJSON *s = jr_field(doc, "status");
        if (cJSON_IsString(s) && strcmp(s->valuestring, "ok") == 0)
            st->result = HUB_OK;
        else
            jr_fail(&e, "", "status", "not \"ok\"");
        cJSON_Delete(doc);
    }
    if (st->result != HUB_OK)
        garbage(c, st, "health", err);
    forget(c);
}

/* The end of a call whose answer its parser took (RC 0) or refused with
 * ERR: HUB_OK or garbage named WHAT; the answer forgotten either way. */
static void answered(hub_client_t *c, hub_status_t *st, const char *what, int rc, const char *err)
{
    if (rc == 0)
        st->result = HUB_OK;
    else
        garbage(c, st, what, err);
    forget(c);
}

static void accounts_answer(hub_client_t *c, const char *what, hub_accounts_t *out,
                            hub_status_t *st)
{
    char err[160];
    answered(c, st, what, hub_parse_accounts(c->body, c->len, out, err, sizeof err), err);
}

static void order_answer(hub_client_t *c, const char *what, hub_order_t *out,
                         hub_status_t *st)
{
    char err[160];
    answered(c, st, what, hub_parse_order(c->body, c->len, out, err, sizeof err), err);
}

void hub_bills_get(hub_client_t *c, const char *utility, const char *account,
                   const char *qr, hub_accounts_t *out, hub_status_t *st)
{
    char path[512];
    int rc;
    memset(out, 0, sizeof *out);
    if (qr) {
        rc = path_with(c, path, sizeof path, "/v1/bills?qr=", qr, "");
    } else {
        char tail[160];
        rc = path_with(c, tail, sizeof tail, "&account=", account, "");
        if (rc == 0)
            rc = path_with(c, path, sizeof path, "/v1/bills?utility=", utility, tail);
    }
    if (rc != 0) {
        http_no_memory(st);
        return;
    }
    if (request(c, "bills", path, NULL, NULL, st))
        accounts_answer(c, "bills", out, st);
}

/* The body of a request DOC that holds personal data or a payment code
 * (OK false: DOC is incomplete, out of memory), printed and DOC deleted
 * by http_print_secret; or NULL with ST said (nothing to send). */
static char *secret_body(cJSON *doc, bool ok, hub_status_t *st)
{
    if (!ok) {
        cJSON_Delete(doc);
        doc = NULL;
    }
    char *body = http_print_secret(doc);
    if (!body)
        http_no_memory(st);
    return body;
}

/* POST /v1/bills/lookup with {"by": BY, FIELD: VALUE}: the body holds a
 * proof of identity, so it is printed and freed as a secret. */
static void bills_lookup(hub_client_t *c, const char *by, const char *field, const char *value,
                         const char *idem_key, hub_accounts_t *out, hub_status_t *st)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_CreateObject();
    char *body = secret_body(doc, doc && cJSON_AddStringToObject(doc, "by", by) &&
                                      cJSON_AddStringToObject(doc, field, value ? value : ""), st);
    if (!body)
        return;
    if (request(c, "bills lookup", "/v1/bills/lookup", body, idem_key, st))
        accounts_answer(c, "bills lookup", out, st);
    http_free_secret(body);
}

void hub_bills_by_id(hub_client_t *c, const char *id_number, const char *idem_key,
                     hub_accounts_t *out, hub_status_t *st)
{
    bills_lookup(c, "id_number", "id_number", id_number, idem_key, out, st);
}

void hub_bills_by_rescode(hub_client_t *c, const char *code, const char *idem_key,
                          hub_accounts_t *out, hub_status_t *st)
{
    bills_lookup(c, "rescode", "code", code, idem_key, out, st);
}

void hub_identify_rescode(hub_client_t *c, const char *code, const char *idem_key, char *name,
                          size_t namelen, hub_status_t *st)
{
    name[0] = '\0';
    cJSON *doc = cJSON_CreateObject();
    char *body = secret_body(doc, doc && cJSON_AddStringToObject(doc, "code", code ? code : ""), st);
    if (!body)
        return;
    if (request(c, "identify", "/v1/identify/rescode", body, idem_key, st)) {
        char err[160], raw[64];
        jr_err_t e = {err, sizeof err};
        cJSON *ans = jr_parse_doc(c->body, c->len, &e);
        const cJSON *res = ans ? jr_obj(ans, "", "resident", &e) : NULL;
        if (res && jr_str(res, "resident", "name", raw, sizeof raw, &e) == 0) {
            mask_name(raw, name, namelen);      /* the hub masks it; so does the kiosk */
            sodium_memzero(raw, sizeof raw);
            st->result = HUB_OK;
        }
        cJSON_Delete(ans);
        if (st->result != HUB_OK) garbage(c, st, "identify", err);
        forget(c);
    }
    http_free_secret(body);
}

void hub_pay_create(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                    const long long *bill_ids, int n_bills, const char *method,
                    const char *auth_code, hub_order_t *out, hub_status_t *st)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_CreateObject(), *ids = NULL;
    bool ok = doc && cJSON_AddStringToObject(doc, "out_trade_no", out_trade_no ? out_trade_no : "") &&
              (ids = cJSON_AddArrayToObject(doc, "bill_ids")) &&
              cJSON_AddStringToObject(doc, "method", method ? method : "") &&
              (!auth_code || cJSON_AddStringToObject(doc, "auth_code", auth_code));
    for (int i = 0; ok && i < n_bills; i++) {
        char num[24];
        snprintf(num, sizeof num, "%lld", bill_ids[i]);   /* exact, never 1e+15 */
        cJSON *v = cJSON_CreateRaw(num);
        ok = v && cJSON_AddItemToArray(ids, v);
        if (!ok)
            cJSON_Delete(v);
    }
    char *body = secret_body(doc, ok, st);
    if (!body)
        return;
    if (request(c, "pay create", "/v1/payments", body, idem_key, st))
        order_answer(c, "pay create", out, st);
    http_free_secret(body);
}

/* GET /v1/payments/{no}, or POST .../{no}SUFFIX with body {}. */
static void order_call(hub_client_t *c, const char *what, const char *idem_key,
                       const char *out_trade_no, const char *suffix, hub_order_t *out,
                       hub_status_t *st)
{
    char path[256];
    memset(out, 0, sizeof *out);
    if (path_with(c, path, sizeof path, "/v1/payments/", out_trade_no, suffix) != 0) {
        http_no_memory(st);
        return;
    }
    if (request(c, what, path, suffix[0] ? "{}" : NULL, idem_key, st))
        order_answer(c, what, out, st);
}

void hub_pay_query(hub_client_t *c, const char *out_trade_no, hub_order_t *out,
                   hub_status_t *st)
{
    order_call(c, "pay query", NULL, out_trade_no, "", out, st);
}

void hub_pay_close(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                   hub_order_t *out, hub_status_t *st)
{
    order_call(c, "pay close", idem_key, out_trade_no, "/close", out, st);
}

void hub_pay_reverse(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                     hub_order_t *out, hub_status_t *st)
{
    order_call(c, "pay reverse", idem_key, out_trade_no, "/reverse", out, st);
}

void hub_send_json(hub_client_t *c, const char *method, const char *path,
                   const char *idem_key, const char *body, char **resp_body,
                   hub_status_t *st)
{
    char what[64];
    bool post = method && strcmp(method, "POST") == 0;
    bool get = method && strcmp(method, "GET") == 0;

    *resp_body = NULL;
    if ((!post && !get) || (post && !body) || !path || path[0] != '/') {
        http_status_reset(st);
        http_status_set(st, HUB_REFUSED, 0, "bad_request", "%s: not a GET, a POST with a body, "
                   "or a path from \"/\"", method ? method : "(no method)");
        return;
    }
    /* The path names the resource (an event id at most), never a person. */
    snprintf(what, sizeof what, "%s %s", method, path);
    if (!request(c, what, path, post ? body : NULL, idem_key, st))
        return;
    char err[160];
    jr_err_t e = {err, sizeof err};
    cJSON *doc = jr_parse_doc(c->body, c->len, &e);
    if (!doc) {
        garbage(c, st, what, err);
    } else if (!(*resp_body = malloc(c->len + 1))) {
        http_no_memory(st);
    } else {
        memcpy(*resp_body, c->body, c->len);
        (*resp_body)[c->len] = '\0';
        st->result = HUB_OK;
    }
    cJSON_Delete(doc);
    forget(c);
}

void hub_new_key(const char *prefix, char *out, size_t outlen)
{
    unsigned char rnd[8];
    char hex[sizeof rnd * 2 + 1];
    assert(out && outlen >= strlen(prefix ? prefix : "") + sizeof hex);
    if (sodium_init() < 0)              /* idempotent; the app has called it */
        log_error(MOD, "sodium_init failed");
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(out, outlen, "%s%s", prefix ? prefix : "", hex);
}

int hub_status_busy(const hub_status_t *st)
{
    if (!st) return 0;
    if (st->http == 429) return 1;
    return st->http == 503 && (!strcmp(st->code, "busy") || !strcmp(st->code, "overloaded") ||
                               !strcmp(st->code, "rate_limited"));
}
