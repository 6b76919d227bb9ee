/* The simulated WeChat Pay (wechat_sim.h). Its signing and checking are its
 * own (libcrypto directly), not the hub's. */
#include "wechat_sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "hub.h"
#include "pay_sign.h"
#include "pay_wechat_sign.h"

#define MAX_TRADES 256
#define MAX_NONCES 4096
#define MCHID "1900000109"
#define APPID "wxd930ea5d5a258f4f"
#define MERCHANT_SERIAL "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
#define PLATFORM_SERIAL "PUB_KEY_ID_0119000001092026112900000000000001"
#define APIV3_KEY "sim-apiv3-key-0123456789abcdefgh"      /* 32 bytes */
#define WRONG_APIV3_KEY "not-the-apiv3-key-0123456789abcd"
#define V2_KEY "192006250b4c09247ec02edce69f6a2d"

typedef struct {
    char no[40];
    char txn[40];
    char state[16];         /* NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED, REFUND, PAYERROR */
    char type[12];          /* NATIVE, MICROPAY */
    char notify_url[256];
    char refund_no[72];
    long long total;
    bool paid;              /* the money was taken (whatever happened after) */
    int64_t paid_at, refund_at;
    long long refund_fen;
} trade_t;

struct wechat_sim {
    struct MHD_Daemon *daemon;
    char gateway[64];
    char secrets[8192];
    EVP_PKEY *merchant, *platform, *stranger;
    pthread_mutex_t lock;
    trade_t trades[MAX_TRADES];
    int ntrades, seq;
    char nonces[MAX_NONCES][40];
    int nnonces;
    wxsim_pay_mode_t mode;
    int delay_ms;
    bool gone, refuse_orders, refuse_reverse, bad_sign, bill_tampered;
    int charges, refunds, bad_sigs;
    char calls[12][16];
    int ncalls[12];
    /* The last notification, for a replay. */
    char *last_body;
    char last_hdr[4][1100];
};

/* ---- crypto of its own --------------------------------------------------- */

static char *b64(const unsigned char *p, size_t n)
{
    char *out = malloc(4 * (n + 2) / 3 + 4);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

static char *der_b64(EVP_PKEY *k, bool priv)
{
    unsigned char *der = NULL;
    int n = priv ? i2d_PrivateKey(k, &der) : i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    char *out = b64(der, (size_t)n);
    OPENSSL_free(der);
    return out;
}

static char *rsa_sign(EVP_PKEY *k, const char *text, size_t len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t n = sizeof sig;
    assert_int_equal(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &n, (const unsigned char *)text, len), 1);
    EVP_MD_CTX_free(c);
    return b64(sig, n);
}

static bool rsa_verify(EVP_PKEY *k, const char *text, size_t len, const char *sig_b64)
{
    unsigned char sig[1024];
    size_t l = strlen(sig_b64);
    if (l < 4 || l % 4 || l > 1300) return false;
    int n = EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, (int)l);
    if (n <= 0) return false;
    n -= (sig_b64[l - 1] == '=') + (sig_b64[l - 2] == '=');
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestVerify(c, sig, (size_t)n, (const unsigned char *)text, len) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

static void nonce_hex(char out[33])
{
    unsigned char r[16];
    assert_int_equal(RAND_bytes(r, sizeof r), 1);
    for (int i = 0; i < 16; i++) sprintf(out + 2 * i, "%02x", r[i]);
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const pay_param_t *)a)->key, ((const pay_param_t *)b)->key);
}

/* The v2 sign: HMAC-SHA256 over the sorted non-empty parameters but
 * "sign", then "&key=KEY"; uppercase hex. */
static void v2_sign(const pay_params_t *ps, char out[65])
{
    pay_param_t v[PAY_MAX_PARAMS];
    int n = 0;
    for (int i = 0; i < ps->n; i++)
        if (ps->p[i].value[0] && strcmp(ps->p[i].key, "sign") != 0) v[n++] = ps->p[i];
    qsort(v, (size_t)n, sizeof *v, cmp_key);
    char text[8192] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s=%s", i ? "&" : "", v[i].key, v[i].value);
    snprintf(text + len, sizeof text - len, "&key=%s", V2_KEY);
    unsigned char mac[32];
    unsigned int ml = 0;
    HMAC(EVP_sha256(), V2_KEY, (int)strlen(V2_KEY), (const unsigned char *)text, strlen(text), mac, &ml);
    for (unsigned i = 0; i < ml; i++) sprintf(out + 2 * i, "%02X", mac[i]);
}

/* AEAD_AES_256_GCM of PLAIN: base64 of ciphertext then tag. */
static char *gcm_encrypt(const char *key, const char *nonce, const char *aad, const char *plain)
{
    size_t n = strlen(plain);
    unsigned char *ct = malloc(n + 16);
    int l1 = 0, l2 = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL), 1);
    assert_int_equal(EVP_EncryptInit_ex(c, NULL, NULL, (const unsigned char *)key, (const unsigned char *)nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(c, NULL, &l1, (const unsigned char *)aad, (int)strlen(aad)), 1);
    assert_int_equal(EVP_EncryptUpdate(c, ct, &l1, (const unsigned char *)plain, (int)n), 1);
    assert_int_equal(EVP_EncryptFinal_ex(c, ct + l1, &l2), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + l1 + l2), 1);
    EVP_CIPHER_CTX_free(c);
    char *out = b64(ct, (size_t)(l1 + l2 + 16));
    free(ct);
    return out;
}

/* ---- trades ---------------------------------------------------------------- */

static trade_t *trade(wechat_sim_t *s, const char *no, bool create)
{
    for (int i = 0; i < s->ntrades; i++)
        if (!strcmp(s->trades[i].no, no)) return &s->trades[i];
    if (!create || s->ntrades == MAX_TRADES) return NULL;
    trade_t *t = &s->trades[s->ntrades++];
    memset(t, 0, sizeof *t);
    snprintf(t->no, sizeof t->no, "%s", no);
    snprintf(t->txn, sizeof t->txn, "42000029%02d20261129%010d", 0, ++s->seq);
    return t;
}

/* T was paid now (its state set by the caller). */
static void charged(wechat_sim_t *s, trade_t *t)
{
    s->charges++;
    t->paid = true;
    t->paid_at = hub_now();
}

static void count_call(wechat_sim_t *s, const char *api)
{
    for (int i = 0; i < 12; i++) {
        if (!s->calls[i][0]) snprintf(s->calls[i], sizeof s->calls[i], "%s", api);
        if (!strcmp(s->calls[i], api)) {
            s->ncalls[i]++;
            return;
        }
    }
}

/* ---- answers ------------------------------------------------------------- */

typedef struct {
    int status;
    char *body;             /* malloc'd, may be "" */
    bool v3;                /* signed with the Wechatpay-* headers */
    bool file;              /* a bill file: unsigned, as WeChat Pay sends it */
} answer_t;

static answer_t v3_json(int status, cJSON *j)
{
    answer_t a = {.status = status, .v3 = true};
    a.body = j ? cJSON_PrintUnformatted(j) : strdup("");
    cJSON_Delete(j);
    return a;
}

static answer_t v3_error(int status, const char *code, const char *message)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "code", code);
    cJSON_AddStringToObject(j, "message", message);
    return v3_json(status, j);
}

/* A v2 answer: return_code SUCCESS, signed, with RESULT_CODE, ERR_CODE (or
 * NULL) and the extra pairs of PS. */
static answer_t v2_answer(wechat_sim_t *s, const char *result_code, const char *err_code, pay_params_t *ps)
{
    char nonce[33], sig[65];
    nonce_hex(nonce);
    pay_params_add(ps, "return_code", "SUCCESS");
    pay_params_add(ps, "return_msg", "OK");
    pay_params_add(ps, "appid", APPID);
    pay_params_add(ps, "mch_id", MCHID);
    pay_params_add(ps, "nonce_str", nonce);
    pay_params_add(ps, "result_code", result_code);
    if (err_code) {
        pay_params_add(ps, "err_code", err_code);
        pay_params_add(ps, "err_code_des", err_code);
    }
    v2_sign(ps, sig);
    if (s->bad_sign) sig[0] = sig[0] == 'A' ? 'B' : 'A';
    pay_params_add(ps, "sign", sig);
    answer_t a = {.status = 200, .body = pay_wx_xml_encode(ps)};
    pay_params_free(ps);
    return a;
}

static answer_t v2_fail(const char *msg)
{
    char *body = NULL;
    assert_true(asprintf(&body, "<xml><return_code><![CDATA[FAIL]]></return_code>"
                         "<return_msg><![CDATA[%s]]></return_msg></xml>", msg) > 0);
    return (answer_t){.status = 200, .body = body};
}

static cJSON *trade_json(const trade_t *t)
{
    cJSON *j = cJSON_CreateObject(), *amount = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "appid", APPID);
    cJSON_AddStringToObject(j, "mchid", MCHID);
    cJSON_AddStringToObject(j, "out_trade_no", t->no);
    if (strcmp(t->state, "NOTPAY") != 0 && strcmp(t->state, "CLOSED") != 0)
        cJSON_AddStringToObject(j, "transaction_id", t->txn);
    cJSON_AddStringToObject(j, "trade_type", t->type);
    cJSON_AddStringToObject(j, "trade_state", t->state);
    cJSON_AddStringToObject(j, "trade_state_desc", t->state);
    cJSON_AddNumberToObject(amount, "total", (double)t->total);
    cJSON_AddStringToObject(amount, "currency", "CNY");
    cJSON_AddItemToObject(j, "amount", amount);
    return j;
}

static long long json_int(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- the trade bill ------------------------------------------------------ */

static void sha1_hex(const char *text, char out[41])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    assert_true(EVP_Digest(text, strlen(text), md, &n, EVP_sha1(), NULL) && n == 20);
    for (unsigned i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Whether unix time T falls on DATE (YYYY-MM-DD), China time. */
static bool on_day(int64_t t, const char *date)
{
    time_t cst = (time_t)(t + 8 * 3600);
    struct tm tm;
    char day[11];
    gmtime_r(&cst, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    return !strncmp(day, date, 10);
}

static void yuan(char *out, size_t len, long long fen)
{
    snprintf(out, len, "%lld.%02lld", fen / 100, fen % 100);
}

/* One detail row, every field behind a backquote as WeChat Pay writes them. */
static void bill_row(FILE *f, const trade_t *t, int64_t at, const char *state, const char *refund_no,
                     long long refund_fen, const char *refund_state)
{
    char when[24], total[24], refund[24];
    time_t cst = (time_t)(at + 8 * 3600);
    struct tm tm;
    gmtime_r(&cst, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    yuan(total, sizeof total, t->total);
    yuan(refund, sizeof refund, refund_fen);
    bool is_refund = refund_no[0] != '\0';
    fprintf(f, "`%s,`%s,`%s,`0,`,`%s,`%s,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`%s,`%s,`OTHERS,`CNY,`%s,`0.00,"
            "`%s,`%s,`%s,`0.00,`%s,`%s,`bills,`,`%s0.00000,`0.60%%,`%s,`%s,`\r\n",
            when, APPID, MCHID, t->txn, t->no, t->type, state, is_refund ? "0.00" : total,
            is_refund ? "50000000382019052709732678859" : "0", is_refund ? refund_no : "0", refund,
            is_refund ? "ORIGINAL" : "", refund_state, is_refund ? "-" : "", total, refund);
}

/* The trade bill (bill_type ALL) of DATE: what the simulator charged,
 * reversed and refunded that day, in WeChat Pay's documented layout.
 * Malloc'd. Under the lock. */
static char *bill_text(wechat_sim_t *s, const char *date)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fputs("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
          "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,"
          "商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注\r\n", f);
    int n = 0;
    long long paid = 0, refunded = 0;
    for (int i = 0; i < s->ntrades; i++) {
        const trade_t *t = &s->trades[i];
        if (t->paid && on_day(t->paid_at, date)) {
            /* Reversed after payment: listed under its own state (the docs). */
            bill_row(f, t, t->paid_at, !strcmp(t->state, "REVOKED") ? "REVOKED" : "SUCCESS", "", 0, "");
            n++;
            paid += t->total;
        }
        if (t->refund_no[0] && on_day(t->refund_at, date)) {
            bill_row(f, t, t->refund_at, "REFUND", t->refund_no, t->refund_fen, "SUCCESS");
            n++;
            refunded += t->refund_fen;
        }
    }
    char p[24], r[24];
    yuan(p, sizeof p, paid);
    yuan(r, sizeof r, refunded);
    fprintf(f, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额\r\n"
            "`%d,`%s,`%s,`0.00,`0.00000,`%s,`%s\r\n", n, p, r, p, r);
    fclose(f);
    return text;
}

/* ---- the APIv3 handlers (under the lock) ---------------------------------- */

/* Checks the Authorization of METHOD URI BODY as WeChat Pay does. NULL if
 * good, else why. */
static const char *check_v3(wechat_sim_t *s, struct MHD_Connection *c, const char *method,
                            const char *uri, const char *body)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    static const char scheme[] = "WECHATPAY2-SHA256-RSA2048 ";
    if (!auth || strncmp(auth, scheme, sizeof scheme - 1) != 0) return "no WECHATPAY2-SHA256-RSA2048 Authorization";
    char f[5][700] = {{0}};
    static const char *const names[] = {"mchid", "nonce_str", "signature", "timestamp", "serial_no"};
    for (const char *p = auth + sizeof scheme - 1; *p;) {
        const char *eq = strchr(p, '=');
        if (!eq || eq[1] != '"') return "malformed Authorization";
        const char *end = strchr(eq + 2, '"');
        if (!end) return "malformed Authorization";
        for (int i = 0; i < 5; i++)
            if ((size_t)(eq - p) == strlen(names[i]) && !strncmp(p, names[i], (size_t)(eq - p)) &&
                (size_t)(end - eq - 2) < sizeof f[i])
                memcpy(f[i], eq + 2, (size_t)(end - eq - 2));
        p = end + 1;
        if (*p == ',') p++;
    }
    for (int i = 0; i < 5; i++)
        if (!f[i][0]) return "an Authorization field is missing";
    if (strcmp(f[0], MCHID) != 0) return "mchid";
    if (strcmp(f[4], MERCHANT_SERIAL) != 0) return "serial_no is not the merchant certificate's";
    long long ts = atoll(f[3]);
    if (llabs(ts - (long long)hub_now()) > 300) return "timestamp out of the 5-minute window";
    for (int i = 0; i < s->nnonces; i++)
        if (!strcmp(s->nonces[i], f[1])) return "nonce_str used before";
    char *text = NULL;
    assert_true(asprintf(&text, "%s\n%s\n%s\n%s\n%s\n", method, uri, f[3], f[1], body) > 0);
    bool ok = rsa_verify(s->merchant, text, strlen(text), f[2]);
    free(text);
    if (!ok) return "signature";
    if (s->nnonces < MAX_NONCES) snprintf(s->nonces[s->nnonces++], sizeof s->nonces[0], "%.39s", f[1]);
    return NULL;
}

/* "/v3/pay/transactions/out-trade-no/NO..." : NO into OUT, the rest in *REST. */
static bool trade_path(const char *path, char *out, size_t len, const char **rest)
{
    static const char pre[] = "/v3/pay/transactions/out-trade-no/";
    if (strncmp(path, pre, sizeof pre - 1) != 0) return false;
    const char *no = path + sizeof pre - 1;
    size_t n = strcspn(no, "/?");
    if (!n || n >= len) return false;
    memcpy(out, no, n);
    out[n] = '\0';
    *rest = no + n;
    return true;
}

static answer_t handle_v3(wechat_sim_t *s, const char *method, const char *uri, const char *body)
{
    char no[40];
    const char *rest;
    cJSON *j = body[0] ? cJSON_Parse(body) : NULL;
    answer_t a;
    if (!strcmp(method, "POST") && !strcmp(uri, "/v3/pay/transactions/native")) {
        count_call(s, "native");
        const char *tno = json_str(j, "out_trade_no"), *url = json_str(j, "notify_url");
        long long total = json_int(j, "amount", "total");
        if (strcmp(json_str(j, "appid"), APPID) != 0 || strcmp(json_str(j, "mchid"), MCHID) != 0 ||
            !tno[0] || total <= 0 || !url[0] || strcmp(json_str(cJSON_GetObjectItem(j, "amount"), "currency"), "CNY"))
            a = v3_error(400, "PARAM_ERROR", "appid, mchid, out_trade_no, notify_url, amount");
        else if (s->refuse_orders)
            a = v3_error(403, "NO_AUTH", "the merchant may not take Native payments");
        else {
            trade_t *t = trade(s, tno, true);
            if (!strcmp(t->state, "SUCCESS")) a = v3_error(400, "ORDERPAID", "paid");
            else if (t->state[0] && strcmp(t->state, "NOTPAY") != 0) a = v3_error(400, "ORDER_CLOSED", "closed");
            else {
                snprintf(t->state, sizeof t->state, "NOTPAY");
                snprintf(t->type, sizeof t->type, "NATIVE");
                snprintf(t->notify_url, sizeof t->notify_url, "%s", url);
                t->total = total;
                cJSON *r = cJSON_CreateObject();
                char code[96];
                snprintf(code, sizeof code, "weixin://wxpay/bizpayurl?pr=sim%s", t->txn + 18);
                cJSON_AddStringToObject(r, "code_url", code);
                a = v3_json(200, r);
            }
        }
    } else if (!strcmp(method, "GET") && trade_path(uri, no, sizeof no, &rest) && !strncmp(rest, "?mchid=", 7)) {
        count_call(s, "query");
        trade_t *t = trade(s, no, false);
        if (strcmp(rest + 7, MCHID) != 0) a = v3_error(400, "PARAM_ERROR", "mchid");
        else if (!t || !t->state[0]) a = v3_error(404, "ORDER_NOT_EXIST", "no such order");
        else a = v3_json(200, trade_json(t));
    } else if (!strcmp(method, "POST") && trade_path(uri, no, sizeof no, &rest) && !strcmp(rest, "/close")) {
        count_call(s, "close");
        trade_t *t = trade(s, no, false);
        if (strcmp(json_str(j, "mchid"), MCHID) != 0) a = v3_error(400, "PARAM_ERROR", "mchid");
        else if (!t || !t->state[0]) a = v3_error(404, "ORDER_NOT_EXIST", "no such order");
        else if (!strcmp(t->state, "SUCCESS")) a = v3_error(400, "ORDERPAID", "paid");
        else {
            snprintf(t->state, sizeof t->state, "CLOSED");
            a = v3_json(204, NULL);
        }
    } else if (!strcmp(method, "POST") && !strcmp(uri, "/v3/refund/domestic/refunds")) {
        count_call(s, "refund");
        trade_t *t = trade(s, json_str(j, "out_trade_no"), false);
        const char *rno = json_str(j, "out_refund_no");
        long long refund = json_int(j, "amount", "refund"), total = json_int(j, "amount", "total");
        if (!t || !rno[0]) a = v3_error(404, "RESOURCE_NOT_EXISTS", "no such order");
        else if (total != t->total || refund <= 0 || refund > total) a = v3_error(400, "PARAM_ERROR", "amount");
        else if (!strcmp(t->state, "REFUND") && !strcmp(t->refund_no, rno)) {
            cJSON *r = cJSON_CreateObject();                 /* the same refund again */
            cJSON_AddStringToObject(r, "refund_id", "50000000382019052709732678859");
            cJSON_AddStringToObject(r, "out_refund_no", rno);
            cJSON_AddStringToObject(r, "status", "SUCCESS");
            a = v3_json(200, r);
        } else if (strcmp(t->state, "SUCCESS") != 0) a = v3_error(400, "INVALID_REQUEST", "not paid");
        else {
            s->charges--;
            s->refunds++;
            snprintf(t->state, sizeof t->state, "REFUND");
            snprintf(t->refund_no, sizeof t->refund_no, "%s", rno);
            t->refund_fen = refund;
            t->refund_at = hub_now();
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "refund_id", "50000000382019052709732678859");
            cJSON_AddStringToObject(r, "out_refund_no", rno);
            cJSON_AddStringToObject(r, "status", "PROCESSING");
            a = v3_json(200, r);
        }
    } else if (!strcmp(method, "GET") && !strncmp(uri, "/v3/bill/tradebill?bill_date=", 29)) {
        count_call(s, "tradebill");
        char date[11], url[128], hash[41];
        snprintf(date, sizeof date, "%.10s", uri + 29);
        char *bill = bill_text(s, date);
        sha1_hex(bill, hash);
        free(bill);
        /* The token names the day: the file is made again when asked. */
        snprintf(url, sizeof url, "https://api.mch.weixin.qq.com/v3/billdownload/file?token=sim-%s", date);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "hash_type", "SHA1");
        cJSON_AddStringToObject(r, "hash_value", hash);
        cJSON_AddStringToObject(r, "download_url", url);
        a = v3_json(200, r);
    } else if (!strcmp(method, "GET") && !strncmp(uri, "/v3/billdownload/file?token=sim-", 32)) {
        count_call(s, "billdownload");
        a = (answer_t){.status = 200, .file = true, .body = bill_text(s, uri + 32)};
        if (s->bill_tampered && a.body[0]) a.body[strlen(a.body) - 2] ^= 1;
    } else {
        a = v3_error(404, "NOT_FOUND", "no such API");
    }
    cJSON_Delete(j);
    return a;
}

/* ---- the v2 handlers (under the lock) -------------------------------------- */

static answer_t handle_v2(wechat_sim_t *s, const char *uri, const char *body, size_t len)
{
    pay_params_t in = {0}, out = {0};
    char sig[65];
    if (pay_wx_xml_parse(body, len, &in) != 0) return v2_fail("XML格式错误");
    const char *given = pay_params_get(&in, "sign"), *type = pay_params_get(&in, "sign_type");
    v2_sign(&in, sig);
    if (!given || !type || strcmp(type, "HMAC-SHA256") != 0 || strcmp(given, sig) != 0) {
        s->bad_sigs++;
        pay_params_free(&in);
        return v2_fail("签名错误");
    }
    const char *mch = pay_params_get(&in, "mch_id"), *app = pay_params_get(&in, "appid");
    const char *no = pay_params_get(&in, "out_trade_no");
    if (!mch || strcmp(mch, MCHID) != 0 || !app || strcmp(app, APPID) != 0 || !no) {
        pay_params_free(&in);
        return v2_fail("mch_id, appid, out_trade_no");
    }
    answer_t a;
    if (!strcmp(uri, "/pay/micropay")) {
        count_call(s, "micropay");
        const char *code = pay_params_get(&in, "auth_code"), *fee = pay_params_get(&in, "total_fee");
        trade_t *t = trade(s, no, true);
        if (!code || strlen(code) != 18 || code[0] != '1' || code[1] > '5' || !fee || atoll(fee) <= 0 ||
            !pay_params_get(&in, "spbill_create_ip") || !pay_params_get(&in, "body")) {
            a = v2_answer(s, "FAIL", "PARAM_ERROR", &out);
        } else if (!strcmp(t->state, "SUCCESS")) {
            a = v2_answer(s, "FAIL", "ORDERPAID", &out);
        } else if (t->state[0] && strcmp(t->state, "USERPAYING") != 0) {
            a = v2_answer(s, "FAIL", "ORDERCLOSED", &out);
        } else {
            t->total = atoll(fee);
            snprintf(t->type, sizeof t->type, "MICROPAY");
            switch (s->mode) {
            case WXSIM_PAY_USERPAYING:
                snprintf(t->state, sizeof t->state, "USERPAYING");
                a = v2_answer(s, "FAIL", "USERPAYING", &out);
                break;
            case WXSIM_PAY_REFUSE:
                snprintf(t->state, sizeof t->state, "PAYERROR");
                a = v2_answer(s, "FAIL", "NOTENOUGH", &out);
                break;
            case WXSIM_PAY_SYSTEMERROR:
                snprintf(t->state, sizeof t->state, "SUCCESS");
                charged(s, t);
                a = v2_answer(s, "FAIL", "SYSTEMERROR", &out);
                break;
            default:
                snprintf(t->state, sizeof t->state, "SUCCESS");
                charged(s, t);
                pay_params_add(&out, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
                pay_params_add(&out, "trade_type", "MICROPAY");
                pay_params_add(&out, "bank_type", "OTHERS");
                pay_params_add(&out, "total_fee", fee);
                pay_params_add(&out, "cash_fee", fee);
                pay_params_add(&out, "transaction_id", t->txn);
                pay_params_add(&out, "out_trade_no", no);
                pay_params_add(&out, "time_end", "20261129093000");
                a = v2_answer(s, "SUCCESS", NULL, &out);
            }
        }
    } else if (!strcmp(uri, "/secapi/pay/reverse")) {
        count_call(s, "reverse");
        trade_t *t = trade(s, no, false);
        if (!t || !t->state[0]) {
            a = v2_answer(s, "FAIL", "ORDERNOTEXIST", &out);
        } else if (s->refuse_reverse) {
            a = v2_answer(s, "FAIL", "REVERSE_EXPIRE", &out);
        } else {
            if (!strcmp(t->state, "SUCCESS")) {
                s->charges--;
                s->refunds++;
            }
            if (strcmp(t->state, "REFUND") != 0) snprintf(t->state, sizeof t->state, "REVOKED");
            pay_params_add(&out, "recall", "N");
            a = v2_answer(s, "SUCCESS", NULL, &out);
        }
    } else {
        a = v2_fail("no such API");
    }
    pay_params_free(&in);
    return a;
}

/* ---- the server ---------------------------------------------------------- */

typedef struct { char *uri; char *buf; size_t len; bool started; } req_t;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    req_t *r = calloc(1, sizeof *r);
    if (r) r->uri = strdup(uri);
    return r;
}

static void add_v3_headers(wechat_sim_t *s, struct MHD_Response *resp, const char *body)
{
    char ts[24], nonce[33], *text = NULL;
    snprintf(ts, sizeof ts, "%lld", (long long)hub_now());
    nonce_hex(nonce);
    assert_true(asprintf(&text, "%s\n%s\n%s\n", ts, nonce, body) > 0);
    char *sig = rsa_sign(s->bad_sign ? s->stranger : s->platform, text, strlen(text));
    MHD_add_response_header(resp, "Wechatpay-Timestamp", ts);
    MHD_add_response_header(resp, "Wechatpay-Nonce", nonce);
    MHD_add_response_header(resp, "Wechatpay-Signature", sig);
    MHD_add_response_header(resp, "Wechatpay-Serial", PLATFORM_SERIAL);
    MHD_add_response_header(resp, "Request-ID", nonce);
    free(sig);
    free(text);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    wechat_sim_t *s = cls;
    req_t *r = *con_cls;
    if (!r) return MHD_NO;
    if (!r->started) {                      /* the headers: the body follows */
        r->started = true;
        return MHD_YES;
    }
    if (*size) {
        char *nb = realloc(r->buf, r->len + *size + 1);
        if (!nb) return MHD_NO;
        r->buf = nb;
        memcpy(r->buf + r->len, data, *size);
        r->len += *size;
        r->buf[r->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    if (!r->buf && (r->buf = strdup(""))) {}           /* GET: an empty body */
    if (!r->buf) return MHD_NO;
    pthread_mutex_lock(&s->lock);
    bool gone = s->gone;
    int delay = s->delay_ms;
    answer_t a;
    if (gone) {
        pthread_mutex_unlock(&s->lock);
        return MHD_NO;
    }
    if (!strncmp(r->uri, "/v3/", 4)) {
        const char *why = check_v3(s, c, method, r->uri, r->buf);
        if (why) {
            s->bad_sigs++;
            if (getenv("WXSIM_DEBUG")) fprintf(stderr, "wechat_sim: %s %s refused: %s\n", method, r->uri, why);
            a = v3_error(401, "SIGN_ERROR", why);
        } else {
            a = handle_v3(s, method, r->uri, r->buf);
        }
    } else {
        a = handle_v2(s, r->uri, r->buf, r->len);
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(a.body), a.body, MHD_RESPMEM_MUST_FREE);
    if (a.v3) add_v3_headers(s, resp, a.body);
    pthread_mutex_unlock(&s->lock);
    MHD_add_response_header(resp, "Content-Type", a.file ? "text/plain; charset=utf-8"
                                                  : a.v3 ? "application/json" : "text/xml");
    if (delay > 0) {
        struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)a.status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    req_t *r = *con_cls;
    if (r) {
        free(r->uri);
        free(r->buf);
    }
    free(r);
    *con_cls = NULL;
}

wechat_sim_t *wxsim_start(void)
{
    wechat_sim_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    pthread_mutex_init(&s->lock, NULL);
    /* Made once per test process: key generation is the slow part. */
    static EVP_PKEY *keys[3];
    for (int i = 0; i < 3; i++) {
        if (!keys[i]) keys[i] = EVP_RSA_gen(2048);
        assert_non_null(keys[i]);
        EVP_PKEY_up_ref(keys[i]);
    }
    s->merchant = keys[0];
    s->platform = keys[1];
    s->stranger = keys[2];
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    assert_non_null(s->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->gateway, sizeof s->gateway, "http://127.0.0.1:%d", info->port);
    char *priv = der_b64(s->merchant, true), *pub = der_b64(s->platform, false);
    snprintf(s->secrets, sizeof s->secrets,
             "# test keys, made by the simulator at start\nmchid = %s\nappid = %s\n"
             "merchant_serial = %s\nprivate_key = %s\napiv3_key = %s\nwechatpay_serial = %s\n"
             "wechatpay_public_key = %s\nv2_key = %s\ngateway = %s\n",
             MCHID, APPID, MERCHANT_SERIAL, priv, APIV3_KEY, PLATFORM_SERIAL, pub, V2_KEY, s->gateway);
    free(priv);
    free(pub);
    return s;
}

void wxsim_stop(wechat_sim_t *s)
{
    if (!s) return;
    MHD_stop_daemon(s->daemon);
    EVP_PKEY_free(s->merchant);
    EVP_PKEY_free(s->platform);
    EVP_PKEY_free(s->stranger);
    free(s->last_body);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *wxsim_gateway(const wechat_sim_t *s) { return s->gateway; }
const char *wxsim_secrets(const wechat_sim_t *s) { return s->secrets; }

#define SET(field, v) do { pthread_mutex_lock(&s->lock); s->field = v; pthread_mutex_unlock(&s->lock); } while (0)
void wxsim_pay_mode(wechat_sim_t *s, wxsim_pay_mode_t mode) { SET(mode, mode); }
void wxsim_delay_ms(wechat_sim_t *s, int ms) { SET(delay_ms, ms); }
void wxsim_gone(wechat_sim_t *s, bool gone) { SET(gone, gone); }
void wxsim_refuse_orders(wechat_sim_t *s, bool refuse) { SET(refuse_orders, refuse); }
void wxsim_refuse_reverse(wechat_sim_t *s, bool refuse) { SET(refuse_reverse, refuse); }
void wxsim_bad_answer_sign(wechat_sim_t *s, bool bad) { SET(bad_sign, bad); }
void wxsim_bill_tampered(wechat_sim_t *s, bool tampered) { SET(bill_tampered, tampered); }

/* ---- notifications ---------------------------------------------------------- */

static int post(const char *url, const char *body, char hdr[4][1100])
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    for (int i = 0; i < 4; i++) h = curl_slist_append(h, hdr[i]);
    h = curl_slist_append(h, "Wechatpay-Signature-Type: WECHATPAY2-SHA256-RSA2048");
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(sink);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return (int)status;
}

static int notify(wechat_sim_t *s, const char *url, const char *no, const char *txn, const char *state,
                  long long total, wxsim_notice_t how)
{
    static int seq;
    char id[48], nonce12[13], ts[24], nonce[33], ctime[40];
    snprintf(id, sizeof id, "EV-2026112909%06d", __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST));
    nonce_hex(nonce);
    memcpy(nonce12, nonce, 12);
    nonce12[12] = '\0';
    nonce_hex(nonce);
    time_t t = (time_t)(hub_now() + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ctime, sizeof ctime, "%Y-%m-%dT%H:%M:%S+08:00", &tm);
    cJSON *p = cJSON_CreateObject(), *amount = cJSON_CreateObject(), *payer = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "mchid", MCHID);
    cJSON_AddStringToObject(p, "appid", APPID);
    cJSON_AddStringToObject(p, "out_trade_no", no);
    cJSON_AddStringToObject(p, "transaction_id", txn);
    cJSON_AddStringToObject(p, "trade_type", "NATIVE");
    cJSON_AddStringToObject(p, "trade_state", state);
    cJSON_AddStringToObject(p, "trade_state_desc", state);
    cJSON_AddStringToObject(p, "bank_type", "OTHERS");
    cJSON_AddStringToObject(p, "success_time", ctime);
    cJSON_AddStringToObject(payer, "openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
    cJSON_AddItemToObject(p, "payer", payer);
    cJSON_AddNumberToObject(amount, "total", (double)total);
    cJSON_AddNumberToObject(amount, "payer_total", (double)total);
    cJSON_AddStringToObject(amount, "currency", "CNY");
    cJSON_AddStringToObject(amount, "payer_currency", "CNY");
    cJSON_AddItemToObject(p, "amount", amount);
    char *plain = cJSON_PrintUnformatted(p);
    cJSON_Delete(p);
    char *ct = gcm_encrypt(how == WXSIM_NOTICE_WRONG_KEY ? WRONG_APIV3_KEY : APIV3_KEY, nonce12,
                           "transaction", plain);
    cJSON *n = cJSON_CreateObject(), *res = cJSON_CreateObject();
    cJSON_AddStringToObject(n, "id", id);
    cJSON_AddStringToObject(n, "create_time", ctime);
    cJSON_AddStringToObject(n, "resource_type", "encrypt-resource");
    cJSON_AddStringToObject(n, "event_type", "TRANSACTION.SUCCESS");
    cJSON_AddStringToObject(n, "summary", "支付成功");
    cJSON_AddStringToObject(res, "original_type", "transaction");
    cJSON_AddStringToObject(res, "algorithm", "AEAD_AES_256_GCM");
    cJSON_AddStringToObject(res, "ciphertext", ct);
    cJSON_AddStringToObject(res, "associated_data", "transaction");
    cJSON_AddStringToObject(res, "nonce", nonce12);
    cJSON_AddItemToObject(n, "resource", res);
    char *body = cJSON_PrintUnformatted(n);
    cJSON_Delete(n);
    snprintf(ts, sizeof ts, "%lld", (long long)hub_now());
    char *text = NULL;
    assert_true(asprintf(&text, "%s\n%s\n%s\n", ts, nonce, body) > 0);
    char *sig = how == WXSIM_NOTICE_SIGNTEST ? strdup("WECHATPAY/SIGNTEST/c2lnbmF0dXJlLXByb2Jl")
                                             : rsa_sign(how == WXSIM_NOTICE_BAD_SIGNATURE ? s->stranger : s->platform,
                                                        text, strlen(text));
    char hdr[4][1100];
    snprintf(hdr[0], sizeof hdr[0], "Wechatpay-Timestamp: %s", ts);
    snprintf(hdr[1], sizeof hdr[1], "Wechatpay-Nonce: %s", nonce);
    snprintf(hdr[2], sizeof hdr[2], "Wechatpay-Signature: %s", sig);
    snprintf(hdr[3], sizeof hdr[3], "Wechatpay-Serial: %s",
             how == WXSIM_NOTICE_WRONG_SERIAL ? "PUB_KEY_ID_0000000000000000000000000000000000" : PLATFORM_SERIAL);
    pthread_mutex_lock(&s->lock);
    free(s->last_body);
    s->last_body = strdup(body);
    memcpy(s->last_hdr, hdr, sizeof hdr);
    pthread_mutex_unlock(&s->lock);
    int status = post(url, body, hdr);
    free(sig);
    free(text);
    free(body);
    free(ct);
    free(plain);
    return status;
}

int wxsim_payer_pays(wechat_sim_t *s, const char *no, bool send)
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false), copy;
    int rc = -1;
    if (t && (!strcmp(t->state, "NOTPAY") || !strcmp(t->state, "USERPAYING"))) {
        snprintf(t->state, sizeof t->state, "SUCCESS");
        charged(s, t);
        copy = *t;
        rc = 0;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc == 0 && send && copy.notify_url[0] &&
        notify(s, copy.notify_url, copy.no, copy.txn, "SUCCESS", copy.total, WXSIM_NOTICE_GOOD) != 200)
        rc = -1;
    return rc;
}

int wxsim_notify(wechat_sim_t *s, const char *url, const char *no, const char *state, long long total,
                 wxsim_notice_t how)
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false);
    char txn[40];
    snprintf(txn, sizeof txn, "%s", t ? t->txn : "4200002999202611299999999999");
    pthread_mutex_unlock(&s->lock);
    return notify(s, url, no, txn, state, total, how);
}

int wxsim_replay_last(wechat_sim_t *s, const char *url)
{
    char hdr[4][1100];
    pthread_mutex_lock(&s->lock);
    char *body = s->last_body ? strdup(s->last_body) : NULL;
    memcpy(hdr, s->last_hdr, sizeof hdr);
    pthread_mutex_unlock(&s->lock);
    if (!body) return -1;
    int status = post(url, body, hdr);
    free(body);
    return status;
}

/* ---- counts and raw requests ------------------------------------------------ */

#define GET(field) do { pthread_mutex_lock(&s->lock); int v = s->field; pthread_mutex_unlock(&s->lock); return v; } while (0)
int wxsim_charges(wechat_sim_t *s) { GET(charges); }
int wxsim_refunds(wechat_sim_t *s) { GET(refunds); }
int wxsim_bad_signatures(wechat_sim_t *s) { GET(bad_sigs); }

int wxsim_calls(wechat_sim_t *s, const char *api)
{
    int v = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 12; i++)
        if (!strcmp(s->calls[i], api)) v = s->ncalls[i];
    pthread_mutex_unlock(&s->lock);
    return v;
}

const char *wxsim_trade_state(wechat_sim_t *s, const char *no, char out[16])
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false);
    snprintf(out, 16, "%s", t ? t->state : "");
    pthread_mutex_unlock(&s->lock);
    return out;
}

typedef struct { char *buf; size_t len, cap; } sink_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    sink_t *k = user;
    size_t add = sz * n;
    if (k->cap && k->len + add < k->cap) {
        memcpy(k->buf + k->len, p, add);
        k->len += add;
        k->buf[k->len] = '\0';
    }
    return add;
}

int wxsim_raw_v3(wechat_sim_t *s, const char *method, const char *path, const char *body,
                 wxsim_raw_t how, char *out, size_t len)
{
    static char last_nonce[33];
    char nonce[33], ts[24], url[256], *text = NULL, *auth = NULL;
    nonce_hex(nonce);
    if (how == WXSIM_RAW_NONCE_AGAIN) memcpy(nonce, last_nonce, sizeof nonce);
    memcpy(last_nonce, nonce, sizeof nonce);
    snprintf(ts, sizeof ts, "%lld", (long long)hub_now() - (how == WXSIM_RAW_STALE ? 600 : 0));
    assert_true(asprintf(&text, "%s\n%s\n%s\n%s\n%s\n", method, path, ts, nonce, body) > 0);
    char *sig = rsa_sign(s->merchant, text, strlen(text));
    assert_true(asprintf(&auth, "Authorization: WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\","
                         "signature=\"%s\",timestamp=\"%s\",serial_no=\"%s\"", MCHID, nonce, sig, ts,
                         how == WXSIM_RAW_WRONG_SERIAL ? "0000" : MERCHANT_SERIAL) > 0);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, "Content-Type: application/json");
    snprintf(url, sizeof url, "%s%s", s->gateway, path);
    sink_t k = {.buf = out, .cap = len};
    if (len) out[0] = '\0';
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body[0]) curl_easy_setopt(c, CURLOPT_POSTFIELDS, how == WXSIM_RAW_TAMPERED_BODY ? "{\"mchid\":\"1\"}" : body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    free(auth);
    free(sig);
    free(text);
    return (int)status;
}
