/* WeChat Pay (微信支付), from its public documentation:
 *  - QR orders: APIv3 Native, POST /v3/pay/transactions/native (code_url);
 *    query GET /v3/pay/transactions/out-trade-no/{no}?mchid=; close POST
 *    .../{no}/close; refund POST /v3/refund/domestic/refunds; the day's
 *    statement GET /v3/bill/tradebill, and the bill file at its
 *    download_url (pay_wechat.h: signed GET, unsigned answer checked
 *    against the signed SHA1 hash_value). Every request carries the
 *    WECHATPAY2-SHA256-RSA2048 Authorization; every answer is verified with
 *    WeChat Pay's public key over its Wechatpay-Timestamp / -Nonce /
 *    -Signature headers, its Wechatpay-Serial must be the configured one and
 *    its timestamp within 5 minutes. Notifications are verified the same
 *    way, then their resource decrypted (AEAD_AES_256_GCM, APIv3 key).
 *  - Payment codes: the v2 micropay API WeChat documents for them (XML,
 *    HMAC-SHA256 "sign" with the v2 key): SUCCESS; USERPAYING (the payer
 *    confirms: query); SYSTEMERROR / BANKERROR (unknown: query, then
 *    reverse); other err_codes are refusals. Reverse is v2
 *    /secapi/pay/reverse (with the merchant's client certificate over
 *    https), asked again while it answers recall = Y.
 * Anything unsigned, badly signed, stale or unreadable is PAY_UNKNOWN:
 * never success, never a definite failure. */
#include "pay.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <stddef.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "hub.h"
#include "log.h"
#include "pay_wechat.h"
#include "pay_wechat_sign.h"
#include "secrets_file.h"

#define RESPONSE_MAX (256 * 1024)
#define BILL_MAX (32L * 1024 * 1024)     /* a day's trade bill */
#define GATEWAY_DEFAULT "https://api.mch.weixin.qq.com"

static struct {
    char mchid[40], appid[40], merchant_serial[80], platform_serial[80];
    char gateway[512], client_ip[48];
    char v2_key[64];
    unsigned char apiv3_key[PAY_WX_APIV3_KEY_LEN];
    EVP_PKEY *priv;             /* the merchant's API private key */
    EVP_PKEY *platform;         /* WeChat Pay's public key (or its platform certificate's) */
    unsigned char *cert_der;    /* the merchant's API certificate: v2 reverse over https */
    size_t cert_len;
    unsigned char *key_der;
    size_t key_len;
} wx;

/* ---- secrets ------------------------------------------------------------ */

/* WeChat Pay's public key: base64 DER of the key itself ("微信支付公钥") or
 * of a platform certificate. */
static EVP_PKEY *platform_key(const char *b64)
{
    EVP_PKEY *k = pay_key_public(b64);
    if (k) return k;
    size_t n = strlen(b64);
    unsigned char *der = malloc(n + 1);
    if (!der) return NULL;
    int got = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)n);
    if (got > 0) {
        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, got);
        if (x) k = X509_get_pubkey(x);
        X509_free(x);
    }
    free(der);
    if (k && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

static unsigned char *der_of(const char *b64, size_t *len)
{
    size_t n = strlen(b64);
    unsigned char *der = n && n % 4 == 0 ? malloc(n) : NULL;
    int got = der ? EVP_DecodeBlock(der, (const unsigned char *)b64, (int)n) : -1;
    if (got <= 0) {
        free(der);
        return NULL;
    }
    *len = (size_t)got - (b64[n - 1] == '=') - (b64[n - 2] == '=');
    return der;
}

#define COPY(field) (snprintf(wx.field, sizeof wx.field, "%s", val) < (int)sizeof wx.field)

typedef struct { char *priv, *pub, *cert; bool have_v3; } wx_keys_t;

static int wx_pair(void *ctx, const char *key, const char *val, char *msg, size_t msglen)
{
    wx_keys_t *k = ctx;
    bool ok = true;
    if (!strcmp(key, "mchid")) ok = COPY(mchid);
    else if (!strcmp(key, "appid")) ok = COPY(appid);
    else if (!strcmp(key, "merchant_serial")) ok = COPY(merchant_serial);
    else if (!strcmp(key, "wechatpay_serial")) ok = COPY(platform_serial);
    else if (!strcmp(key, "gateway")) ok = COPY(gateway);
    else if (!strcmp(key, "spbill_create_ip")) ok = COPY(client_ip);
    else if (!strcmp(key, "v2_key")) ok = COPY(v2_key);
    else if (!strcmp(key, "apiv3_key")) {
        /* The APIv3 key is 32 characters, used as the AES-256 key itself. */
        if (strlen(val) != PAY_WX_APIV3_KEY_LEN) {
            snprintf(msg, msglen, "apiv3_key must be 32 characters");
            return -1;
        }
        memcpy(wx.apiv3_key, val, PAY_WX_APIV3_KEY_LEN);
        k->have_v3 = true;
    }
    else if (!strcmp(key, "private_key")) { free(k->priv); ok = (k->priv = strdup(val)) != NULL; }
    else if (!strcmp(key, "wechatpay_public_key")) { free(k->pub); ok = (k->pub = strdup(val)) != NULL; }
    else if (!strcmp(key, "merchant_cert")) { free(k->cert); ok = (k->cert = strdup(val)) != NULL; }
    else {
        snprintf(msg, msglen, "unknown key %s", key);
        return -1;
    }
    if (!ok) snprintf(msg, msglen, "%s is too long", key);
    return ok ? 0 : -1;
}

int pay_wechat_load(const char *path, char *err, size_t errlen)
{
    wx_keys_t k = {0};
    int rc = -1;
    if (!path[0]) {
        snprintf(err, errlen, "[payment] provider = wechat needs a secrets file");
        return -1;
    }
    memset(wx.mchid, 0, sizeof wx.mchid);
    wx.appid[0] = wx.merchant_serial[0] = wx.platform_serial[0] = wx.v2_key[0] = '\0';
    snprintf(wx.gateway, sizeof wx.gateway, "%s", GATEWAY_DEFAULT);
    snprintf(wx.client_ip, sizeof wx.client_ip, "127.0.0.1");
    if (secrets_file_read(path, "the merchant's private key", wx_pair, &k, err, errlen) != 0) goto fail;
    if (!wx.mchid[0] || !wx.appid[0] || !wx.merchant_serial[0] || !wx.platform_serial[0] ||
        !wx.v2_key[0] || !k.have_v3 || !k.priv || !k.pub) {
        snprintf(err, errlen, "%s: mchid, appid, merchant_serial, private_key, apiv3_key, "
                 "wechatpay_serial, wechatpay_public_key and v2_key are all needed", path);
        goto fail;
    }
    if (strncmp(wx.gateway, "https://", 8) != 0 && strncmp(wx.gateway, "http://127.0.0.1:", 17) != 0) {
        snprintf(err, errlen, "%s: gateway must be an https URL", path);
        goto fail;
    }
    size_t gl = strlen(wx.gateway);
    if (gl && wx.gateway[gl - 1] == '/') wx.gateway[gl - 1] = '\0';
    EVP_PKEY_free(wx.priv);
    EVP_PKEY_free(wx.platform);
    free(wx.cert_der);
    free(wx.key_der);
    wx.cert_der = wx.key_der = NULL;
    wx.priv = pay_key_private(k.priv);
    wx.platform = platform_key(k.pub);
    if (!wx.priv || !wx.platform) {
        snprintf(err, errlen, "%s: %s is not a base64 DER RSA key%s", path,
                 !wx.priv ? "private_key" : "wechatpay_public_key", !wx.priv ? "" : " or certificate");
        goto fail;
    }
    if (k.cert) {
        unsigned char *kd = NULL;
        int kl = i2d_PrivateKey(wx.priv, &kd);
        if (!(wx.cert_der = der_of(k.cert, &wx.cert_len)) || kl <= 0 || !(wx.key_der = malloc((size_t)kl))) {
            OPENSSL_free(kd);
            snprintf(err, errlen, "%s: merchant_cert is not base64 DER", path);
            goto fail;
        }
        memcpy(wx.key_der, kd, (size_t)kl);
        wx.key_len = (size_t)kl;
        OPENSSL_clear_free(kd, (size_t)kl);
    }
    rc = 0;
fail:
    if (k.priv) memset(k.priv, 0, strlen(k.priv));
    free(k.priv);
    free(k.pub);
    free(k.cert);
    return rc;
}

/* ---- one call ----------------------------------------------------------- */

typedef struct {
    long status;
    char *body;
    size_t len;
    bool too_big;
    size_t max;             /* 0: RESPONSE_MAX */
    char ts[24], nonce[80], sig[1024], serial[96];
} reply_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    reply_t *a = user;
    size_t add = sz * n;
    if (a->len + add > (a->max ? a->max : RESPONSE_MAX)) {
        a->too_big = true;
        return 0;
    }
    char *nb = realloc(a->body, a->len + add + 1);
    if (!nb) return 0;
    a->body = nb;
    memcpy(a->body + a->len, p, add);
    a->len += add;
    a->body[a->len] = '\0';
    return add;
}

/* Keeps the Wechatpay-* headers of the answer. */
static size_t on_header(char *p, size_t sz, size_t n, void *user)
{
    reply_t *a = user;
    size_t len = sz * n;
    static const struct { const char *name; size_t off, cap; } want[] = {
        {"Wechatpay-Timestamp:", offsetof(reply_t, ts), sizeof ((reply_t *)0)->ts},
        {"Wechatpay-Nonce:", offsetof(reply_t, nonce), sizeof ((reply_t *)0)->nonce},
        {"Wechatpay-Signature:", offsetof(reply_t, sig), sizeof ((reply_t *)0)->sig},
        {"Wechatpay-Serial:", offsetof(reply_t, serial), sizeof ((reply_t *)0)->serial},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        size_t nl = strlen(want[i].name);
        if (len <= nl || strncasecmp(p, want[i].name, nl) != 0) continue;
        const char *v = p + nl, *end = p + len;
        while (v < end && *v == ' ') v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
        if ((size_t)(end - v) < want[i].cap) {
            char *dst = (char *)a + want[i].off;
            memcpy(dst, v, (size_t)(end - v));
            dst[end - v] = '\0';
        }
    }
    return len;
}

static void reply_free(reply_t *a)
{
    free(a->body);
    memset(a, 0, sizeof *a);
}

/* One HTTP exchange: METHOD URL with BODY (NULL: none) and HDR; the answer
 * in A. CLIENT_CERT: present the merchant's certificate (v2 /secapi).
 * 0, or -1 with R UNKNOWN and why. */
static int exchange(const char *method, const char *url, const char *body, struct curl_slist *hdr,
                    bool client_cert, reply_t *a, pay_result_t *r)
{
    CURL *c = curl_easy_init();
    if (!c) return -1;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    /* A bill file may be large: it gets the time reconcile gives Alipay's. */
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, pay_timeout_ms() * (a->max > RESPONSE_MAX ? 6 : 1));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, pay_timeout_ms());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    if (client_cert && wx.cert_der && !strncmp(url, "https://", 8)) {
        struct curl_blob cert = {wx.cert_der, wx.cert_len, CURL_BLOB_NOCOPY};
        struct curl_blob key = {wx.key_der, wx.key_len, CURL_BLOB_NOCOPY};
        curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "DER");
        curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &key);
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "DER");
    }
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    curl_easy_cleanup(c);
    if (cc == CURLE_OK && a->status) return 0;
    snprintf(r->error, sizeof r->error, cc == CURLE_OPERATION_TIMEDOUT ? "provider_timeout" : "provider_unreachable");
    hub_log("pay", "wechat %s %s: %s", method, url + strlen(wx.gateway),
            cc != CURLE_OK ? curl_easy_strerror(cc) : "no answer");
    return -1;
}

/* Whether answer (or notification) A is WeChat Pay's: its serial, a
 * timestamp within the window, and the signature over its body. */
static bool signed_by_wechat(const char *ts, const char *nonce, const char *sig, const char *serial,
                             const char *body, size_t len)
{
    if (!ts || !nonce || !sig || !serial || strcmp(serial, wx.platform_serial) != 0) return false;
    char *end;
    errno = 0;
    long long t = strtoll(ts, &end, 10);
    if (!ts[0] || *end || errno) return false;
    long long skew = t - (long long)hub_now();
    if (skew > PAY_WX_NOTICE_WINDOW_S || skew < -PAY_WX_NOTICE_WINDOW_S) return false;
    return pay_wx_verify(wx.platform, ts, nonce, body ? body : "", len, sig);
}

/* An APIv3 request: METHOD PATH (with its query) and BODY (NULL: none),
 * signed; the answer, not yet verified, in A. 0, or -1 with R UNKNOWN. */
static int v3_send(const char *method, const char *path, const char *body, reply_t *a, pay_result_t *r)
{
    char nonce[33], url[1024];
    struct curl_slist *hdr = NULL;
    char *auth = NULL, *line = NULL;
    int rc = -1;
    r->outcome = PAY_UNKNOWN;
    snprintf(r->error, sizeof r->error, "provider_unreachable");
    snprintf(url, sizeof url, "%s%s", wx.gateway, path);
    if (pay_wx_nonce(nonce) != 0 ||
        !(auth = pay_wx_authorization(wx.priv, wx.mchid, wx.merchant_serial, method, path, body ? body : "",
                                      hub_now(), nonce)) ||
        asprintf(&line, "Authorization: %s", auth) < 0)
        goto done;
    hdr = curl_slist_append(hdr, line);
    hdr = curl_slist_append(hdr, "Accept: application/json");
    hdr = curl_slist_append(hdr, "User-Agent: kiosk-hub");
    if (body) hdr = curl_slist_append(hdr, "Content-Type: application/json");
    if (exchange(method, url, body, hdr, false, a, r) != 0) goto done;
    rc = 0;
done:
    curl_slist_free_all(hdr);
    free(line);
    free(auth);
    return rc;
}

/* An APIv3 call: v3_send, and the answer verified as WeChat Pay's. 0, or
 * -1 with R UNKNOWN. */
static int v3_call(const char *method, const char *path, const char *body, reply_t *a, pay_result_t *r)
{
    if (v3_send(method, path, body, a, r) != 0) return -1;
    if (!signed_by_wechat(a->ts, a->nonce, a->sig, a->serial, a->body, a->len)) {
        snprintf(r->error, sizeof r->error, "provider_bad_signature");
        hub_log("pay", "wechat %s %s: HTTP %ld not signed by WeChat Pay; treated as unknown", method,
                path, a->status);
        return -1;
    }
    r->error[0] = '\0';
    return 0;
}

/* A v2 call (XML): PS with appid, mch_id, nonce_str and sign added; the
 * verified answer (return_code SUCCESS, signed with the v2 key, ours) in
 * ANS. 0, or -1 with R UNKNOWN. */
static int v2_call(const char *path, pay_params_t *ps, bool client_cert, pay_params_t *ans, pay_result_t *r)
{
    char nonce[33], url[1024];
    char *sig = NULL, *xml = NULL, *check = NULL;
    reply_t a = {0};
    struct curl_slist *hdr = NULL;
    int rc = -1;
    ans->n = 0;
    r->outcome = PAY_UNKNOWN;
    snprintf(r->error, sizeof r->error, "provider_unreachable");
    snprintf(url, sizeof url, "%s%s", wx.gateway, path);
    if (pay_wx_nonce(nonce) != 0 || pay_params_add(ps, "appid", wx.appid) ||
        pay_params_add(ps, "mch_id", wx.mchid) || pay_params_add(ps, "nonce_str", nonce) ||
        pay_params_add(ps, "sign_type", "HMAC-SHA256") || !(sig = pay_wx_v2_sign(ps, wx.v2_key)) ||
        pay_params_add(ps, "sign", sig) || !(xml = pay_wx_xml_encode(ps)))
        goto done;
    hdr = curl_slist_append(hdr, "Content-Type: text/xml; charset=utf-8");
    hdr = curl_slist_append(hdr, "User-Agent: kiosk-hub");
    if (exchange("POST", url, xml, hdr, client_cert, &a, r) != 0) goto done;
    if (a.status != 200 || !a.body || pay_wx_xml_parse(a.body, a.len, ans) != 0) {
        snprintf(r->error, sizeof r->error, "provider_bad_answer");
        goto done;
    }
    const char *rcode = pay_params_get(ans, "return_code"), *asig = pay_params_get(ans, "sign");
    if (!rcode || strcmp(rcode, "SUCCESS") != 0) {
        /* Not processed (the docs: a communication flag, not the trade's). */
        snprintf(r->error, sizeof r->error, "provider_rejected_request");
        hub_log("pay", "wechat %s: return_code %s", path, rcode ? rcode : "(none)");
        goto done;
    }
    const char *mch = pay_params_get(ans, "mch_id"), *app = pay_params_get(ans, "appid");
    if (!asig || !(check = pay_wx_v2_sign(ans, wx.v2_key)) || strcmp(check, asig) != 0 ||
        !mch || strcmp(mch, wx.mchid) != 0 || !app || strcmp(app, wx.appid) != 0) {
        snprintf(r->error, sizeof r->error, "provider_bad_signature");
        hub_log("pay", "wechat %s: the answer is not signed by WeChat Pay; treated as unknown", path);
        goto done;
    }
    r->error[0] = '\0';
    rc = 0;
done:
    if (rc != 0) pay_params_free(ans);
    curl_slist_free_all(hdr);
    reply_free(&a);
    free(check);
    free(xml);
    free(sig);
    return rc;
}

/* ---- answers ------------------------------------------------------------ */

static const char *str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is(const char *a, const char *b) { return a && !strcmp(a, b); }

static void init_result(pay_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->amount_fen = -1;
}


/* WeChat's error CODE as a short lower-case name the kiosk may show and log
 * (NO_AUTH: "no_auth"): only letters, digits and '_' and short, so nothing
 * else the answer held (never a secret, but never trusted either) passes;
 * anything else is "provider_rejected_request". */
static void short_code(const char *code, char *out, size_t len)
{
    size_t n = strlen(code);
    bool ok = n > 0 && n < 32 && n < len;
    for (size_t i = 0; ok && i < n; i++)
        ok = (code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '_';
    if (!ok) {
        snprintf(out, len, "provider_rejected_request");
        return;
    }
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a' : code[i]);
}

/* A verified APIv3 answer that is not a 2xx: what its code means. */
static void v3_failure(const reply_t *a, pay_result_t *r)
{
    cJSON *j = a->body ? cJSON_Parse(a->body) : NULL;
    const char *code = str(j, "code");
    if (a->status >= 500 || !code || is(code, "SYSTEM_ERROR") || is(code, "SYSTEMERROR") ||
        is(code, "FREQUENCY_LIMITED") || is(code, "BANK_ERROR") || is(code, "ORDERPAID") ||
        is(code, "ORDER_CLOSED") || is(code, "OUT_TRADE_NO_USED")) {
        /* Unknown, or said of an earlier attempt of this trade: ask. */
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_busy");
    } else if (a->status == 404 || is(code, "ORDER_NOT_EXIST") || is(code, "RESOURCE_NOT_EXISTS")) {
        r->outcome = PAY_NOT_FOUND;
    } else if (is(code, "NOT_ENOUGH")) {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "insufficient_balance");
    } else {
        r->outcome = PAY_REFUSED;
        short_code(code, r->error, sizeof r->error);
        hub_log("pay", "wechat refused a request: HTTP %ld %s", a->status, code);
    }
    cJSON_Delete(j);
}

/* A trade's state (query answer or notification) into R. */
static void trade_state(const cJSON *t, pay_result_t *r)
{
    const char *state = str(t, "trade_state"), *txn = str(t, "transaction_id");
    const cJSON *amount = cJSON_GetObjectItemCaseSensitive(t, "amount");
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(amount, "total");
    if (txn && strlen(txn) < sizeof r->trade_no) snprintf(r->trade_no, sizeof r->trade_no, "%s", txn);
    if (cJSON_IsNumber(total) && total->valuedouble >= 0 && total->valuedouble < 1e13)
        r->amount_fen = (long long)total->valuedouble;
    if (is(state, "SUCCESS")) r->outcome = PAY_SUCCESS;
    else if (is(state, "NOTPAY") || is(state, "USERPAYING")) r->outcome = PAY_WAITING;
    /* REFUND: paid, then given back: nothing is held now. */
    else if (is(state, "CLOSED") || is(state, "REVOKED") || is(state, "REFUND")) r->outcome = PAY_CLOSED;
    else if (is(state, "PAYERROR")) {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "refused");
    } else {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_bad_answer");
    }
}

/* "2026-11-29T11:30:00+08:00": the documented form of time_expire. */
static void rfc3339(char *out, size_t len, int64_t when)
{
    time_t t = (time_t)(when + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
}

/* ---- operations --------------------------------------------------------- */

static void wx_precreate(const pay_order_t *o, pay_result_t *r)
{
    init_result(r);
    char path[] = "/v3/pay/transactions/native", expire[40];
    cJSON *b = cJSON_CreateObject(), *amount = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "appid", wx.appid);
    cJSON_AddStringToObject(b, "mchid", wx.mchid);
    cJSON_AddStringToObject(b, "description", o->subject && o->subject[0] ? o->subject : "bills");
    cJSON_AddStringToObject(b, "out_trade_no", o->out_trade_no);
    if (o->expires > 0) {
        /* The QR is void when the hub's order expires, whatever happens. */
        rfc3339(expire, sizeof expire, o->expires);
        cJSON_AddStringToObject(b, "time_expire", expire);
    }
    cJSON_AddStringToObject(b, "notify_url", pay_notify_url());
    cJSON_AddNumberToObject(amount, "total", (double)o->amount_fen);
    cJSON_AddStringToObject(amount, "currency", "CNY");
    cJSON_AddItemToObject(b, "amount", amount);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    reply_t a = {0};
    if (!body) {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "out_of_memory");
    } else if (v3_call("POST", path, body, &a, r) == 0) {
        cJSON *j = a.status == 200 ? cJSON_Parse(a.body ? a.body : "") : NULL;
        const char *url = str(j, "code_url");
        if (url && url[0] && strlen(url) < sizeof r->code_url) {
            r->outcome = PAY_WAITING;
            snprintf(r->code_url, sizeof r->code_url, "%s", url);
        } else if (a.status / 100 == 2) {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "provider_bad_answer");
        } else {
            v3_failure(&a, r);
        }
        cJSON_Delete(j);
    }
    free(body);
    reply_free(&a);
}

/* The trade NO at WeChat Pay (APIv3 query); its trade_type in TYPE. */
static void query_trade(const char *no, pay_result_t *r, char *type, size_t tlen)
{
    init_result(r);
    if (tlen) type[0] = '\0';
    char path[160];
    snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s?mchid=%s", no, wx.mchid);
    reply_t a = {0};
    if (v3_call("GET", path, NULL, &a, r) == 0) {
        cJSON *j = a.status == 200 ? cJSON_Parse(a.body ? a.body : "") : NULL;
        if (a.status != 200) {
            v3_failure(&a, r);
        } else if (!j || !is(str(j, "out_trade_no"), no) || !is(str(j, "mchid"), wx.mchid)) {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "provider_bad_answer");
        } else {
            trade_state(j, r);
            const char *t = str(j, "trade_type");
            if (t && tlen) snprintf(type, tlen, "%s", t);
        }
        cJSON_Delete(j);
    }
    reply_free(&a);
}

static void wx_query(const char *no, pay_result_t *r)
{
    char type[16];
    query_trade(no, r, type, sizeof type);
}

/* What an err_code of micropay means. */
static void micropay_failure(const char *err, pay_result_t *r)
{
    if (is(err, "USERPAYING")) {
        r->outcome = PAY_WAITING;
    } else if (!err || is(err, "SYSTEMERROR") || is(err, "BANKERROR") || is(err, "ORDERPAID") ||
               is(err, "ORDERCLOSED") || is(err, "ORDERREVERSED") || is(err, "OUT_TRADE_NO_USED") ||
               is(err, "TRADE_ERROR") || is(err, "FREQUENCY_LIMITED")) {
        /* Unknown, or said of an earlier attempt of this trade: query. */
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "provider_busy");
    } else if (is(err, "NOTENOUGH")) {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "insufficient_balance");
    } else if (is(err, "AUTHCODEEXPIRE") || is(err, "AUTH_CODE_INVALID") || is(err, "AUTH_CODE_ERROR")) {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "auth_code_invalid");
    } else {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "refused");
    }
}

static void wx_pay(const pay_order_t *o, pay_result_t *r)
{
    init_result(r);
    pay_params_t ps = {0}, ans = {0};
    char fee[24];
    snprintf(fee, sizeof fee, "%lld", o->amount_fen);
    if (pay_params_add(&ps, "body", o->subject && o->subject[0] ? o->subject : "bills") ||
        pay_params_add(&ps, "out_trade_no", o->out_trade_no) || pay_params_add(&ps, "total_fee", fee) ||
        pay_params_add(&ps, "fee_type", "CNY") || pay_params_add(&ps, "spbill_create_ip", wx.client_ip) ||
        pay_params_add(&ps, "auth_code", o->auth_code ? o->auth_code : "")) {
        r->outcome = PAY_UNKNOWN;
        snprintf(r->error, sizeof r->error, "out_of_memory");
    } else if (v2_call("/pay/micropay", &ps, false, &ans, r) == 0) {
        const char *txn = pay_params_get(&ans, "transaction_id"), *total = pay_params_get(&ans, "total_fee");
        if (txn && strlen(txn) < sizeof r->trade_no) snprintf(r->trade_no, sizeof r->trade_no, "%s", txn);
        if (total && total[0] && strspn(total, "0123456789") == strlen(total) && strlen(total) < 13)
            r->amount_fen = atoll(total);
        if (is(pay_params_get(&ans, "result_code"), "SUCCESS") && is(pay_params_get(&ans, "out_trade_no"), o->out_trade_no))
            r->outcome = PAY_SUCCESS;
        else if (is(pay_params_get(&ans, "result_code"), "SUCCESS"))
            r->outcome = PAY_UNKNOWN, snprintf(r->error, sizeof r->error, "provider_bad_answer");
        else
            micropay_failure(pay_params_get(&ans, "err_code"), r);
    }
    pay_params_free(&ans);
    pay_params_free(&ps);
}

static void wx_close(const char *no, pay_result_t *r)
{
    init_result(r);
    char path[160], body[80];
    snprintf(path, sizeof path, "/v3/pay/transactions/out-trade-no/%s/close", no);
    snprintf(body, sizeof body, "{\"mchid\":\"%s\"}", wx.mchid);
    reply_t a = {0};
    if (v3_call("POST", path, body, &a, r) == 0) {
        if (a.status == 204 || a.status == 200) {
            r->outcome = PAY_CLOSED;
        } else {
            v3_failure(&a, r);
            /* A trade that cannot be closed (paid, say) is found out by a query. */
            if (r->outcome == PAY_REFUSED) r->outcome = PAY_UNKNOWN;
        }
    }
    reply_free(&a);
}

/* v2 reverse (撤销) of a payment-code trade: CLOSED, or UNKNOWN. */
static void reverse(const char *no, bool was_paid, pay_result_t *r)
{
    pay_params_t ps = {0}, ans = {0};
    if (pay_params_add(&ps, "out_trade_no", no)) {
        r->outcome = PAY_UNKNOWN;
        return;
    }
    if (v2_call("/secapi/pay/reverse", &ps, true, &ans, r) == 0) {
        const char *err = pay_params_get(&ans, "err_code");
        if (is(pay_params_get(&ans, "result_code"), "SUCCESS") && !is(pay_params_get(&ans, "recall"), "Y")) {
            r->outcome = PAY_CLOSED;
            snprintf(r->error, sizeof r->error, "%s", was_paid ? "refund" : "close");
        } else if (is(err, "ORDERNOTEXIST")) {
            r->outcome = PAY_NOT_FOUND;          /* the payment never reached WeChat */
        } else if (is(err, "REVERSE_EXPIRE")) {
            /* Past the reverse window: a caller holding a verified success refunds. */
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "cancel_refused");
        } else {
            r->outcome = PAY_UNKNOWN;            /* recall = Y, SYSTEMERROR: ask again */
            snprintf(r->error, sizeof r->error, "provider_busy");
        }
    }
    pay_params_free(&ans);
    pay_params_free(&ps);
}

static void wx_refund(const char *no, const char *refund_no, long long fen, pay_result_t *r);

static void wx_cancel(const char *no, pay_result_t *r)
{
    /* The docs: query first, then reverse a payment-code trade; a QR
     * (Native) trade is closed, or refunded once paid. */
    char type[16];
    query_trade(no, r, type, sizeof type);
    if (r->outcome == PAY_UNKNOWN) return;
    bool paid = r->outcome == PAY_SUCCESS;
    if (r->outcome == PAY_NOT_FOUND || is(type, "MICROPAY")) {
        if (r->outcome == PAY_CLOSED) return;
        init_result(r);
        reverse(no, paid, r);
        if (r->outcome == PAY_NOT_FOUND) r->outcome = PAY_CLOSED;
    } else if (paid) {
        /* A paid QR trade has no reverse: it is refunded in full, under the
         * refund number the hub's own fallback uses, so both are one refund. */
        long long total = r->amount_fen;
        char refund_no[72];
        snprintf(refund_no, sizeof refund_no, "%s-R", no);
        wx_refund(no, refund_no, total, r);
        if (r->outcome == PAY_SUCCESS) {
            r->outcome = PAY_CLOSED;
            snprintf(r->error, sizeof r->error, "refund");
        } else if (r->outcome != PAY_UNKNOWN) {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "cancel_refused");
        }
    } else if (r->outcome != PAY_CLOSED) {
        wx_close(no, r);
    }
}

static void wx_refund(const char *no, const char *refund_no, long long fen, pay_result_t *r)
{
    /* A refund names the trade's total: ask WeChat Pay for it. */
    char type[16];
    query_trade(no, r, type, sizeof type);
    long long total = r->amount_fen;
    if (r->outcome != PAY_SUCCESS && r->outcome != PAY_CLOSED) {
        if (r->outcome != PAY_UNKNOWN) r->outcome = PAY_REFUSED, snprintf(r->error, sizeof r->error, "not_paid");
        return;
    }
    init_result(r);
    if (total < fen) {
        r->outcome = PAY_REFUSED;
        snprintf(r->error, sizeof r->error, "amount_too_large");
        return;
    }
    cJSON *b = cJSON_CreateObject(), *amount = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "out_trade_no", no);
    cJSON_AddStringToObject(b, "out_refund_no", refund_no);
    cJSON_AddNumberToObject(amount, "refund", (double)fen);
    cJSON_AddNumberToObject(amount, "total", (double)total);
    cJSON_AddStringToObject(amount, "currency", "CNY");
    cJSON_AddItemToObject(b, "amount", amount);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    reply_t a = {0};
    if (body && v3_call("POST", "/v3/refund/domestic/refunds", body, &a, r) == 0) {
        cJSON *j = a.status == 200 ? cJSON_Parse(a.body ? a.body : "") : NULL;
        const char *status = str(j, "status"), *id = str(j, "refund_id");
        if (id && strlen(id) < sizeof r->trade_no) snprintf(r->trade_no, sizeof r->trade_no, "%s", id);
        if (a.status != 200) {
            v3_failure(&a, r);
        } else if (is(status, "SUCCESS") || is(status, "PROCESSING")) {
            /* Accepted: WeChat Pay returns the money (PROCESSING: on its way). */
            r->outcome = PAY_SUCCESS;
            r->amount_fen = fen;
        } else if (is(status, "CLOSED") || is(status, "ABNORMAL")) {
            r->outcome = PAY_REFUSED;
            snprintf(r->error, sizeof r->error, "refund_%s", is(status, "CLOSED") ? "closed" : "abnormal");
        } else {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "provider_bad_answer");
        }
        cJSON_Delete(j);
    } else if (!body) {
        r->outcome = PAY_UNKNOWN;
    }
    free(body);
    reply_free(&a);
}

static int wx_verify_notice(const char *body, size_t len, pay_header_fn header, void *ctx,
                            pay_notice_t *out)
{
    memset(out, 0, sizeof *out);
    out->result.amount_fen = -1;
    if (!header || len == 0) return -1;
    const char *ts = header(ctx, "Wechatpay-Timestamp"), *nonce = header(ctx, "Wechatpay-Nonce");
    const char *sig = header(ctx, "Wechatpay-Signature"), *serial = header(ctx, "Wechatpay-Serial");
    /* Signature first: nothing of an unsigned body is read. */
    if (!signed_by_wechat(ts, nonce, sig, serial, body, len)) return -1;
    int rc = -1;
    char *text = strndup(body, len), *plain = NULL;
    cJSON *j = text ? cJSON_Parse(text) : NULL, *t = NULL;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "resource");
    const char *event = str(j, "event_type"), *id = str(j, "id");
    size_t plen = 0;
    if (!event || !is(str(res, "algorithm"), "AEAD_AES_256_GCM") ||
        !(plain = pay_wx_decrypt(wx.apiv3_key, str(res, "nonce"),
                                 str(res, "associated_data") ? str(res, "associated_data") : "",
                                 str(res, "ciphertext"), &plen)) ||
        !(t = cJSON_Parse(plain)) || !is(str(t, "mchid"), wx.mchid))
        goto done;
    const char *no = str(t, "out_trade_no");
    if (!no || !no[0] || strlen(no) >= sizeof out->out_trade_no) goto done;   /* an order of ours has a number */
    snprintf(out->out_trade_no, sizeof out->out_trade_no, "%s", no);
    snprintf(out->notify_id, sizeof out->notify_id, "%s", id && strlen(id) < sizeof out->notify_id ? id : "");
    if (!strncmp(event, "TRANSACTION.", 12)) {
        if (!is(str(t, "appid"), wx.appid)) goto done;
        trade_state(t, &out->result);
        /* A notification only ever settles; anything else waits for a query. */
        if (out->result.outcome != PAY_SUCCESS && out->result.outcome != PAY_CLOSED)
            out->result.outcome = PAY_WAITING;
    } else {
        out->result.outcome = PAY_WAITING;       /* REFUND.*: changes nothing here */
    }
    rc = 0;
done:
    if (plain) memset(plain, 0, plen);
    cJSON_Delete(t);
    cJSON_Delete(j);
    free(plain);
    free(text);
    return rc;
}

static void wx_statement(const char *date, char *url, size_t len, pay_result_t *r)
{
    init_result(r);
    if (len) url[0] = '\0';
    char path[128];
    snprintf(path, sizeof path, "/v3/bill/tradebill?bill_date=%.10s&bill_type=ALL", date);
    reply_t a = {0};
    if (v3_call("GET", path, NULL, &a, r) == 0) {
        cJSON *j = a.status == 200 ? cJSON_Parse(a.body ? a.body : "") : NULL;
        const char *u = str(j, "download_url");
        if (a.status != 200) {
            v3_failure(&a, r);
        } else if (u && strlen(u) < len) {
            snprintf(url, len, "%s", u);
            r->outcome = PAY_SUCCESS;
        } else {
            r->outcome = PAY_UNKNOWN;
            snprintf(r->error, sizeof r->error, "provider_bad_answer");
        }
        cJSON_Delete(j);
    }
    reply_free(&a);
}

/* Whether the SHA1 of TEXT is HEX (40 hex digits, either case). */
static bool sha1_is(const char *text, size_t len, const char *hex)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!hex || strlen(hex) != 40 || !EVP_Digest(text, len, md, &n, EVP_sha1(), NULL) || n != 20) return false;
    char mine[41];
    for (unsigned i = 0; i < n; i++) snprintf(mine + 2 * i, 3, "%02x", md[i]);
    return !strcasecmp(mine, hex);
}

int pay_wechat_bill(const char *date, char **text, size_t *len, char *err, size_t errlen)
{
    *text = NULL;
    *len = 0;
    if (errlen) err[0] = '\0';
    pay_result_t r;
    init_result(&r);
    char path[128], hash[48] = "", dl[1024] = "";
    reply_t a = {0};
    cJSON *j = NULL;
    int rc = -1;
    snprintf(path, sizeof path, "/v3/bill/tradebill?bill_date=%.10s&bill_type=ALL", date);
    if (v3_call("GET", path, NULL, &a, &r) != 0) {
        snprintf(err, errlen, "no verified answer to the trade bill request (%s)", r.error);
        goto done;
    }
    if (a.status != 200) {
        j = cJSON_Parse(a.body ? a.body : "");
        snprintf(err, errlen, "WeChat Pay gave no trade bill: HTTP %ld %s", a.status,
                 str(j, "code") ? str(j, "code") : "");
        goto done;
    }
    j = cJSON_Parse(a.body ? a.body : "");
    const char *u = str(j, "download_url"), *h = str(j, "hash_value"), *ht = str(j, "hash_type");
    const char *p = u ? strstr(u, "://") : NULL;
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p || strncmp(p, "/v3/", 4) != 0 || strlen(p) >= sizeof dl || !h || strlen(h) >= sizeof hash ||
        !is(ht, "SHA1")) {
        snprintf(err, errlen, "the trade bill answer lacks a download_url or its SHA1 hash_value");
        goto done;
    }
    snprintf(dl, sizeof dl, "%s", p);
    snprintf(hash, sizeof hash, "%s", h);
    reply_free(&a);
    /* The file: a signed GET whose answer is not signed (the docs). */
    a.max = BILL_MAX;
    if (v3_send("GET", dl, NULL, &a, &r) != 0 || a.status != 200) {
        snprintf(err, errlen, "cannot download the trade bill: %s",
                 a.too_big ? "larger than 32 MiB" : a.status ? "the server did not answer 200" : r.error);
        goto done;
    }
    if (!a.body && !(a.body = strdup(""))) goto done;
    if (!sha1_is(a.body, a.len, hash)) {
        snprintf(err, errlen, "the trade bill does not match its hash_value");
        goto done;
    }
    *text = a.body;
    *len = a.len;
    a.body = NULL;
    rc = 0;
done:
    if (rc != 0 && !err[0]) snprintf(err, errlen, "out of memory");
    cJSON_Delete(j);
    reply_free(&a);
    return rc;
}

const pay_provider_t pay_wechat = {
    .name = "wechat",
    .precreate = wx_precreate,
    .pay = wx_pay,
    .query = wx_query,
    .close = wx_close,
    .cancel = wx_cancel,
    .refund = wx_refund,
    .verify_notice = wx_verify_notice,
    .statement = wx_statement,
};
