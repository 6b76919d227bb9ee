/* Alipay face-to-face payment (当面付) over Alipay's open API, from its public
 * documentation: alipay.trade.precreate (QR), alipay.trade.pay (payment code,
 * scene bar_code), query, close, cancel, refund; RSA2 request signatures;
 * every answer's "sign" verified over the exact text of its
 * "alipay_trade_xxx_response" member with Alipay's public key; asynchronous
 * notifications verified the same way over their sorted parameters.
 *
 * Answer codes: 10000 done; 10003 the payer must confirm (WAIT_BUYER_PAY);
 * 20000 and ACQ.SYSTEM_ERROR: unknown, ask again (query, then cancel); 40004
 * a business failure with a sub_code. Anything unsigned, badly signed or
 * unreadable is PAY_UNKNOWN: never success, never a definite failure. */
#include "pay.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "hub.h"
#include "log.h"
#include "pay_sign.h"
#include "secrets_file.h"

#define RESPONSE_MAX (256 * 1024)

static struct {
    char app_id[40];
    char gateway[512];
    EVP_PKEY *priv;            /* the merchant's application private key */
    EVP_PKEY *alipay_pub;      /* Alipay's public key: verifies answers and notifications */
} ali;

/* ---- secrets ------------------------------------------------------------ */

typedef struct { char *priv, *pub; } ali_keys_t;

static int ali_pair(void *ctx, const char *key, const char *val, char *msg, size_t msglen)
{
    ali_keys_t *k = ctx;
    bool ok = true;
    if (!strcmp(key, "app_id")) ok = snprintf(ali.app_id, sizeof ali.app_id, "%s", val) < (int)sizeof ali.app_id;
    else if (!strcmp(key, "gateway")) ok = snprintf(ali.gateway, sizeof ali.gateway, "%s", val) < (int)sizeof ali.gateway;
    else if (!strcmp(key, "private_key")) { free(k->priv); ok = (k->priv = strdup(val)) != NULL; }
    else if (!strcmp(key, "alipay_public_key")) { free(k->pub); ok = (k->pub = strdup(val)) != NULL; }
    else {
        snprintf(msg, msglen, "unknown key %s", key);
        return -1;
    }
    if (!ok) snprintf(msg, msglen, "%s is too long", key);
    return ok ? 0 : -1;
}

int pay_alipay_load(const char *path, char *err, size_t errlen)
{
    ali_keys_t k = {0};
    int rc = -1;
    if (!path[0]) {
        snprintf(err, errlen, "[payment] provider = alipay needs secrets = FILE");
        return -1;
    }
    ali.app_id[0] = ali.gateway[0] = '\0';
    if (secrets_file_read(path, "the merchant's private key", ali_pair, &k, err, errlen) != 0) goto fail;
    if (!ali.app_id[0] || !ali.gateway[0] || !k.priv || !k.pub) {
        snprintf(err, errlen, "%s: app_id, gateway, private_key and alipay_public_key are all needed", path);
        goto fail;
    }
    if (strncmp(ali.gateway, "https://", 8) != 0 && strncmp(ali.gateway, "http://127.0.0.1:", 17) != 0) {
        snprintf(err, errlen, "%s: gateway must be an https URL", path);
        goto fail;
    }
    EVP_PKEY_free(ali.priv);
    EVP_PKEY_free(ali.alipay_pub);
    ali.priv = pay_key_private(k.priv);
    ali.alipay_pub = pay_key_public(k.pub);
    if (!ali.priv || !ali.alipay_pub) {
        snprintf(err, errlen, "%s: %s is not a base64 DER RSA key", path,
                 !ali.priv ? "private_key" : "alipay_public_key");
        goto fail;
    }
    rc = 0;
fail:
    if (k.priv) memset(k.priv, 0, strlen(k.priv));
    free(k.priv);
    free(k.pub);
    return rc;
}

/* ---- one call ----------------------------------------------------------- */

typedef struct { char *buf; size_t len; bool too_big; } sink_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    sink_t *s = user;
    size_t add = sz * n;
    if (s->len + add > RESPONSE_MAX) {
        s->too_big = true;
        return 0;
    }
    char *nb = realloc(s->buf, s->len + add + 1);
    if (!nb) return 0;
    s->buf = nb;
    memcpy(s->buf + s->len, p, add);
    s->len += add;
    s->buf[s->len] = '\0';
    return add;
}

/* "12.34" for 1234 fen. */
static void yuan(char *out, size_t len, long long fen)
{
    snprintf(out, len, "%lld.%02lld", fen / 100, fen % 100);
}

/* Fen of a "12.34" amount, -1 if it is not one. */
static long long fen_of(const char *s)
{
    if (!s) return -1;
    long long whole = 0, frac = 0;
    int digits = 0, fd = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && digits < 12; p++, digits++) whole = whole * 10 + (*p - '0');
    if (!digits) return -1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9' && fd < 2; p++, fd++) frac = frac * 10 + (*p - '0');
        if (!fd) return -1;
        if (fd == 1) frac *= 10;
    }
    return *p ? -1 : whole * 100 + frac;
}

/* The request's timestamp: the hub's clock in China time. */
static void timestamp(char *out, size_t len)
{
    time_t t = (time_t)(hub_now() + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Calls METHOD with BIZ (taken). Returns the verified answer object (the
 * value of "<method>_response", parsed), or NULL with R set to UNKNOWN
 * and a reason. */
static cJSON *call(const char *method, cJSON *biz, bool notify, pay_result_t *r)
{
    pay_params_t ps = {0};
    char ts[32], node[64];
    char *biz_text = cJSON_PrintUnformatted(biz), *content = NULL, *sig = NULL, *form = NULL;
    sink_t s = {0};
    cJSON *answer = NULL, *whole = NULL;
    CURL *c = NULL;
    struct curl_slist *hdr = NULL;
    cJSON_Delete(biz);
    r->outcome = PAY_UNKNOWN;
    snprintf(r->error, sizeof r->error, "provider_unreachable");
    timestamp(ts, sizeof ts);
    if (!biz_text || pay_params_add(&ps, "app_id", ali.app_id) || pay_params_add(&ps, "method", method) ||
        pay_params_add(&ps, "format", "JSON") || pay_params_add(&ps, "charset", "utf-8") ||
        pay_params_add(&ps, "sign_type", "RSA2") || pay_params_add(&ps, "timestamp", ts) ||
        pay_params_add(&ps, "version", "1.0") || pay_params_add(&ps, "biz_content", biz_text) ||
        (notify && pay_notify_url()[0] && pay_params_add(&ps, "notify_url", pay_notify_url())))
        goto done;
    static const char *const skip[] = {"sign", NULL};
    content = pay_sign_content(&ps, skip);
    sig = content ? pay_rsa2_sign(ali.priv, content, strlen(content)) : NULL;
    if (!sig || pay_params_add(&ps, "sign", sig) || !(form = pay_form_encode(&ps))) goto done;

    c = curl_easy_init();
    if (!c) goto done;
    hdr = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded;charset=utf-8");
    curl_easy_setopt(c, CURLOPT_URL, ali.gateway);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, pay_timeout_ms());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, pay_timeout_ms());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK || status != 200 || !s.buf) {
        if (cc == CURLE_OPERATION_TIMEDOUT) snprintf(r->error, sizeof r->error, "provider_timeout");
        hub_log("pay", "%s: %s (HTTP %ld)", method, cc != CURLE_OK ? curl_easy_strerror(cc) : "no answer", status);
        goto done;
    }
    /* Alipay signs the member's text exactly as sent: verify those bytes. */
    snprintf(node, sizeof node, "%s_response", method);
    for (char *p = node; *p; p++) if (*p == '.') *p = '_';
    const char *at;
    size_t len;
    whole = cJSON_Parse(s.buf);
    const cJSON *sign = cJSON_GetObjectItemCaseSensitive(whole, "sign");
    if (pay_json_member(s.buf, node, &at, &len) != 0 || !cJSON_IsString(sign) ||
        !pay_rsa2_verify(ali.alipay_pub, at, len, sign->valuestring)) {
        snprintf(r->error, sizeof r->error, "provider_bad_signature");
        hub_log("pay", "%s: the answer is not signed by Alipay; treated as unknown", method);
        goto done;
    }
    answer = cJSON_DetachItemFromObjectCaseSensitive(whole, node);
    if (!cJSON_IsObject(answer)) {
        cJSON_Delete(answer);
        answer = NULL;
        snprintf(r->error, sizeof r->error, "provider_bad_answer");
    } else {
        r->error[0] = '\0';
    }
done:
    cJSON_Delete(whole);
    curl_slist_free_all(hdr);
    if (c) curl_easy_cleanup(c);
    free(s.buf);
    free(form);
    free(sig);
    free(content);
    free(biz_text);
    pay_params_free(&ps);
    return answer;
}

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is(const char *a, const char *b) { return a && !strcmp(a, b); }

/* Copies the trade number and amount of answer A into R. */
static void take_trade(const cJSON *a, pay_result_t *r)
{
    const char *t = str(a, "trade_no");
    if (t) snprintf(r->trade_no, sizeof r->trade_no, "%s", t);
    r->amount_fen = fen_of(str(a, "total_amount"));
}

/* The common reading of CODE / SUB_CODE: 20000 and ACQ.SYSTEM_ERROR are
 * unknown, other failures are refusals named by their sub_code. */
static void failure(const cJSON *a, pay_result_t *r)
{
    const char *code = str(a, "code"), *sub = str(a, "sub_code");
    if (is(code, "20000") || is(sub, "ACQ.SYSTEM_ERROR") || !code) {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_busy");
        return;
    }
    r->outcome = PAY_REFUSED;
    if (is(sub, "ACQ.BUYER_BALANCE_NOT_ENOUGH") || is(sub, "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH"))
        snprintf(r->error, sizeof r->error, "insufficient_balance");
    else if (is(sub, "ACQ.PAYMENT_AUTH_CODE_INVALID"))
        snprintf(r->error, sizeof r->error, "auth_code_invalid");
    else if (is(sub, "ACQ.TRADE_NOT_EXIST"))
        r->outcome = PAY_NOT_FOUND;
    else if (!is(code, "40004"))
        snprintf(r->error, sizeof r->error, "provider_rejected_request");
    else
        snprintf(r->error, sizeof r->error, "refused");
}

static void init_result(pay_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->amount_fen = -1;
}

static cJSON *biz_of(const char *no)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "out_trade_no", no);
    return b;
}

/* ---- operations --------------------------------------------------------- */

static void order_biz(const pay_order_t *o, cJSON *b)
{
    char amount[32];
    yuan(amount, sizeof amount, o->amount_fen);
    cJSON_AddStringToObject(b, "total_amount", amount);
    cJSON_AddStringToObject(b, "subject", o->subject && o->subject[0] ? o->subject : "bills");
}

static void ali_precreate(const pay_order_t *o, pay_result_t *r)
{
    init_result(r);
    cJSON *b = biz_of(o->out_trade_no);
    order_biz(o, b);
    if (o->expires > 0) {
        /* The QR is void when the hub's order expires, whatever happens. */
        long long mins = (o->expires - hub_now() + 59) / 60;
        char t[24];
        snprintf(t, sizeof t, "%lldm", mins < 1 ? 1 : mins > 1440 ? 1440 : mins);
        cJSON_AddStringToObject(b, "qr_code_timeout_express", t);
    }
    cJSON *a = call("alipay.trade.precreate", b, true, r);
    if (!a) return;
    const char *qr = str(a, "qr_code");
    if (is(str(a, "code"), "10000") && qr && strlen(qr) < sizeof r->code_url) {
        r->outcome = PAY_WAITING;
        snprintf(r->code_url, sizeof r->code_url, "%s", qr);
    } else if (is(str(a, "code"), "10000")) {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_bad_answer");
    } else {
        failure(a, r);
    }
    cJSON_Delete(a);
}

static void ali_pay(const pay_order_t *o, pay_result_t *r)
{
    init_result(r);
    cJSON *b = biz_of(o->out_trade_no);
    cJSON_AddStringToObject(b, "scene", "bar_code");
    cJSON_AddStringToObject(b, "auth_code", o->auth_code ? o->auth_code : "");
    order_biz(o, b);
    cJSON *a = call("alipay.trade.pay", b, true, r);
    if (!a) return;
    const char *code = str(a, "code"), *sub = str(a, "sub_code");
    take_trade(a, r);
    if (is(code, "10000")) {
        r->outcome = PAY_SUCCESS;
    } else if (is(code, "10003")) {
        r->outcome = PAY_WAITING;
    } else if (is(sub, "ACQ.TRADE_HAS_SUCCESS") || is(sub, "ACQ.TRADE_HAS_CLOSE")) {
        /* Said of an earlier attempt of this trade: ask. */
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_busy");
    } else {
        failure(a, r);
    }
    cJSON_Delete(a);
}

static void ali_query(const char *no, pay_result_t *r)
{
    init_result(r);
    cJSON *a = call("alipay.trade.query", biz_of(no), false, r);
    if (!a) return;
    const char *status = str(a, "trade_status");
    take_trade(a, r);
    if (!is(str(a, "code"), "10000")) failure(a, r);
    else if (is(status, "TRADE_SUCCESS") || is(status, "TRADE_FINISHED")) r->outcome = PAY_SUCCESS;
    else if (is(status, "WAIT_BUYER_PAY")) r->outcome = PAY_WAITING;
    else if (is(status, "TRADE_CLOSED")) r->outcome = PAY_CLOSED;
    else r->outcome = PAY_UNKNOWN;
    cJSON_Delete(a);
}

static void ali_close(const char *no, pay_result_t *r)
{
    init_result(r);
    cJSON *a = call("alipay.trade.close", biz_of(no), false, r);
    if (!a) return;
    if (is(str(a, "code"), "10000")) r->outcome = PAY_CLOSED;
    else failure(a, r);
    /* A trade that cannot be closed (paid, say) is found out by a query. */
    if (r->outcome == PAY_REFUSED) r->outcome = PAY_UNKNOWN;
    cJSON_Delete(a);
}

static void ali_cancel(const char *no, pay_result_t *r)
{
    init_result(r);
    cJSON *a = call("alipay.trade.cancel", biz_of(no), false, r);
    if (!a) return;
    if (is(str(a, "code"), "10000") && !is(str(a, "retry_flag"), "Y")) {
        r->outcome = PAY_CLOSED;
        const char *action = str(a, "action");
        snprintf(r->error, sizeof r->error, "%s", action ? action : "close");
    } else if (is(str(a, "code"), "10000")) {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_busy");
    } else {
        failure(a, r);
        /* Not cancelled, and nothing is known of the trade by that: a
         * caller that holds a verified success may refund it instead. */
        if (r->outcome == PAY_REFUSED) {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "cancel_refused");
        }
    }
    cJSON_Delete(a);
}

static void ali_refund(const char *no, const char *refund_no, long long fen, pay_result_t *r)
{
    init_result(r);
    char amount[32];
    yuan(amount, sizeof amount, fen);
    cJSON *b = biz_of(no);
    cJSON_AddStringToObject(b, "refund_amount", amount);
    cJSON_AddStringToObject(b, "out_request_no", refund_no);
    cJSON *a = call("alipay.trade.refund", b, false, r);
    if (!a) return;
    take_trade(a, r);
    if (is(str(a, "code"), "10000")) r->outcome = PAY_SUCCESS;
    else failure(a, r);
    cJSON_Delete(a);
}

static int ali_verify_notice(const char *body, size_t len, pay_header_fn header, void *ctx,
                             pay_notice_t *out)
{
    pay_params_t ps = {0};
    int rc = -1;
    memset(out, 0, sizeof *out);
    out->result.amount_fen = -1;
    if (pay_form_parse(body, len, &ps) != 0) return -1;
    static const char *const skip[] = {"sign", "sign_type", NULL};
    char *content = pay_sign_content(&ps, skip);
    const char *sig = pay_params_get(&ps, "sign"), *no = pay_params_get(&ps, "out_trade_no");
    const char *status = pay_params_get(&ps, "trade_status"), *trade = pay_params_get(&ps, "trade_no");
    const char *nid = pay_params_get(&ps, "notify_id");
    if (!content || !sig || !is(pay_params_get(&ps, "sign_type"), "RSA2") ||
        !pay_rsa2_verify(ali.alipay_pub, content, strlen(content), sig) ||
        !is(pay_params_get(&ps, "app_id"), ali.app_id) || !no || !no[0] || strlen(no) >= sizeof out->out_trade_no)
        goto done;
    snprintf(out->out_trade_no, sizeof out->out_trade_no, "%s", no);
    snprintf(out->result.trade_no, sizeof out->result.trade_no, "%s", trade ? trade : "");
    snprintf(out->notify_id, sizeof out->notify_id, "%s", nid ? nid : "");
    out->result.amount_fen = fen_of(pay_params_get(&ps, "total_amount"));
    if (is(status, "TRADE_SUCCESS") || is(status, "TRADE_FINISHED")) out->result.outcome = PAY_SUCCESS;
    else if (is(status, "TRADE_CLOSED")) out->result.outcome = PAY_CLOSED;
    else out->result.outcome = PAY_WAITING;
    rc = 0;
done:
    free(content);
    pay_params_free(&ps);
    return rc;
}

/* alipay.data.dataservice.bill.downloadurl.query, bill_type "trade": the
 * URL of the day's zipped statement (valid for a short while). */
static void ali_statement(const char *date, char *url, size_t len, pay_result_t *r)
{
    init_result(r);
    if (len) url[0] = '\0';
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "bill_type", "trade");
    cJSON_AddStringToObject(b, "bill_date", date);
    cJSON *a = call("alipay.data.dataservice.bill.downloadurl.query", b, false, r);
    if (!a) return;
    const char *u = str(a, "bill_download_url");
    if (is(str(a, "code"), "10000") && u && strlen(u) < len &&
        (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7))) {
        snprintf(url, len, "%s", u);
        r->outcome = PAY_SUCCESS;
    } else {
        failure(a, r);
    }
    cJSON_Delete(a);
}

const pay_provider_t pay_alipay = {
    .name = "alipay",
    .precreate = ali_precreate,
    .pay = ali_pay,
    .query = ali_query,
    .close = ali_close,
    .cancel = ali_cancel,
    .refund = ali_refund,
    .verify_notice = ali_verify_notice,
    .statement = ali_statement,
};
