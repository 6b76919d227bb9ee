/* The simulated Alipay gateway (alipay_sim.h). Its signature checking is its
 * own (sorting, joining, SHA256withRSA through libcrypto), not the hub's. */
#include "alipay_sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <iconv.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>
#include "pay_sign.h"

#define MAX_TRADES 256
#define APP_ID "2021000000000001"

typedef struct {
    char no[65];
    char trade_no[40];
    char status[24];         /* "" (precreated, not scanned), WAIT_BUYER_PAY, TRADE_SUCCESS, TRADE_CLOSED */
    char amount[24];
    char notify_url[256];
    bool code;               /* a payment-code trade */
    char refund_no[40];      /* refunded (or cancelled after payment: "cancel"), "" if not */
} trade_t;

struct alipay_sim {
    struct MHD_Daemon *daemon;
    char gateway[64];
    EVP_PKEY *merchant;      /* the merchant's key pair (the sim keeps the public half) */
    EVP_PKEY *alipay;        /* Alipay's key pair */
    EVP_PKEY *stranger;      /* signs forgeries */
    char *merchant_priv_b64, *alipay_pub_b64;
    pthread_mutex_t lock;
    trade_t trades[MAX_TRADES];
    int ntrades, seq;
    sim_pay_mode_t mode;
    int delay_ms;
    bool gone, bad_sign, refuse_cancel, refuse_orders;
    int charges, refunds, bad_sigs, statement_urls;
    char calls[16][48];
    int ncalls[16];
};

/* ---- keys and signatures ----------------------------------------------- */

static char *b64(const unsigned char *p, int n)
{
    char *out = malloc(4 * ((size_t)n + 2) / 3 + 4);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, p, n);
    return out;
}

static char *der_b64(EVP_PKEY *k, bool priv)
{
    unsigned char *der = NULL;
    int n = priv ? i2d_PrivateKey(k, &der) : i2d_PUBKEY(k, &der);
    assert_true(n > 0);
    char *out = b64(der, n);
    OPENSSL_free(der);
    return out;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const pay_param_t *)a)->key, ((const pay_param_t *)b)->key);
}

/* Alipay's signing text: every parameter but SKIP1/SKIP2 with a value, by key. */
static char *canonical(const pay_params_t *ps, const char *skip1, const char *skip2)
{
    pay_param_t v[PAY_MAX_PARAMS];
    int n = 0;
    size_t len = 1;
    for (int i = 0; i < ps->n; i++) {
        const char *k = ps->p[i].key;
        if (!ps->p[i].value[0] || !strcmp(k, skip1) || (skip2 && !strcmp(k, skip2))) continue;
        v[n++] = ps->p[i];
        len += strlen(k) + strlen(ps->p[i].value) + 2;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_key);
    char *out = calloc(1, len);
    assert_non_null(out);
    for (int i = 0; i < n; i++) {
        if (i) strcat(out, "&");
        strcat(out, v[i].key);
        strcat(out, "=");
        strcat(out, v[i].value);
    }
    return out;
}

static char *sign(EVP_PKEY *k, const char *text, size_t len)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned char sig[512];
    size_t n = sizeof sig;
    assert_int_equal(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k), 1);
    assert_int_equal(EVP_DigestSign(c, sig, &n, (const unsigned char *)text, len), 1);
    EVP_MD_CTX_free(c);
    return b64(sig, (int)n);
}

static bool verify(EVP_PKEY *k, const char *text, const char *sig_b64)
{
    unsigned char sig[1024];
    size_t l = strlen(sig_b64);
    if (l == 0 || l % 4 || l > 1300) return false;
    int n = EVP_DecodeBlock(sig, (const unsigned char *)sig_b64, (int)l);
    if (n <= 0) return false;
    n -= (sig_b64[l - 1] == '=') + (sig_b64[l - 2] == '=');
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit(c, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestVerify(c, sig, (size_t)n, (const unsigned char *)text, strlen(text)) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* ---- trades ------------------------------------------------------------- */

static trade_t *trade(alipay_sim_t *s, const char *no, bool create)
{
    for (int i = 0; i < s->ntrades; i++)
        if (!strcmp(s->trades[i].no, no)) return &s->trades[i];
    if (!create || s->ntrades == MAX_TRADES) return NULL;
    trade_t *t = &s->trades[s->ntrades++];
    memset(t, 0, sizeof *t);
    snprintf(t->no, sizeof t->no, "%s", no);
    snprintf(t->trade_no, sizeof t->trade_no, "2026112922001%015d", ++s->seq);
    return t;
}

static void count_call(alipay_sim_t *s, const char *method)
{
    for (int i = 0; i < 16; i++) {
        if (!s->calls[i][0]) snprintf(s->calls[i], sizeof s->calls[i], "%s", method);
        if (!strcmp(s->calls[i], method)) {
            s->ncalls[i]++;
            return;
        }
    }
}

/* Posts the notification of trade T to its notify_url (outside the lock). */
static int post_notice(alipay_sim_t *s, const char *url, const char *no, const char *trade_no,
                       const char *status, const char *amount, EVP_PKEY *key, char *body16)
{
    pay_params_t ps = {0};
    char nid[40];
    static int nseq;
    snprintf(nid, sizeof nid, "sim-notify-%d", __atomic_add_fetch(&nseq, 1, __ATOMIC_SEQ_CST));
    pay_params_add(&ps, "notify_time", "2026-11-29 09:31:00");
    pay_params_add(&ps, "notify_type", "trade_status_sync");
    pay_params_add(&ps, "notify_id", nid);
    pay_params_add(&ps, "app_id", APP_ID);
    pay_params_add(&ps, "charset", "utf-8");
    pay_params_add(&ps, "version", "1.0");
    pay_params_add(&ps, "sign_type", "RSA2");
    pay_params_add(&ps, "trade_no", trade_no);
    pay_params_add(&ps, "out_trade_no", no);
    pay_params_add(&ps, "trade_status", status);
    pay_params_add(&ps, "total_amount", amount);
    pay_params_add(&ps, "subject", "utility bills");
    char *text = canonical(&ps, "sign", "sign_type");
    char *sig = sign(key, text, strlen(text));
    pay_params_add(&ps, "sign", sig);
    char *form = pay_form_encode(&ps);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    FILE *sink = fmemopen(body16, 15, "w");
    memset(body16, 0, 16);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    long status_code = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status_code);
    fclose(sink);
    curl_easy_cleanup(c);
    free(form);
    free(sig);
    free(text);
    pay_params_free(&ps);
    return (int)status_code;
}

/* ---- the gateway ---------------------------------------------------------- */

typedef struct { char *buf; size_t len; } body_t;

/* {"NODE":{...A...},"sign":"..."}: A is signed as the text it is sent as. */
static char *answer_text(alipay_sim_t *s, const char *method, cJSON *a)
{
    char node[64];
    snprintf(node, sizeof node, "%s_response", method);
    for (char *p = node; *p; p++) if (*p == '.') *p = '_';
    char *inner = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    char *sig = sign(s->bad_sign ? s->stranger : s->alipay, inner, strlen(inner));
    size_t len = strlen(node) + strlen(inner) + strlen(sig) + 32;
    char *out = malloc(len);
    snprintf(out, len, "{\"%s\":%s,\"sign\":\"%s\"}", node, inner, sig);
    free(inner);
    free(sig);
    return out;
}

static cJSON *result(const char *code, const char *msg, const char *sub_code)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "code", code);
    cJSON_AddStringToObject(a, "msg", msg);
    if (sub_code) {
        cJSON_AddStringToObject(a, "sub_code", sub_code);
        cJSON_AddStringToObject(a, "sub_msg", sub_code);
    }
    return a;
}

/* Handles METHOD with BIZ; fills *NOTIFY_NOW when a notification must go
 * out before the answer. Under the lock. */
static cJSON *handle(alipay_sim_t *s, const char *method, const cJSON *biz, const char *notify_url,
                     trade_t *notify_now)
{
    if (!strcmp(method, "alipay.data.dataservice.bill.downloadurl.query")) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(biz, "bill_type");
        const cJSON *date = cJSON_GetObjectItemCaseSensitive(biz, "bill_date");
        if (!cJSON_IsString(type) || strcmp(type->valuestring, "trade") != 0 || !cJSON_IsString(date) ||
            strlen(date->valuestring) != 10)
            return result("40004", "Business Failed", "isp.bill_not_exist");
        cJSON *a = result("10000", "Success", NULL);
        char url[160];
        snprintf(url, sizeof url, "%.*s/statement/%s.csv.zip", (int)(strlen(s->gateway) - strlen("/gateway.do")),
                 s->gateway, date->valuestring);
        cJSON_AddStringToObject(a, "bill_download_url", url);
        s->statement_urls++;
        return a;
    }
    const cJSON *jno = cJSON_GetObjectItemCaseSensitive(biz, "out_trade_no");
    const char *no = cJSON_IsString(jno) ? jno->valuestring : NULL;
    if (!no) return result("40002", "Invalid Arguments", "isv.missing-out-trade-no");
    /* A merchant not allowed face-to-face QR: refused before any trade exists. */
    if (s->refuse_orders && !strcmp(method, "alipay.trade.precreate"))
        return result("40004", "Business Failed", "ACQ.ACCESS_FORBIDDEN");
    trade_t *t = trade(s, no, !strcmp(method, "alipay.trade.precreate") || !strcmp(method, "alipay.trade.pay"));
    if (!t) return result("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
    cJSON *a;
    if (!strcmp(method, "alipay.trade.precreate")) {
        const cJSON *amt = cJSON_GetObjectItemCaseSensitive(biz, "total_amount");
        if (!t->amount[0] && cJSON_IsString(amt)) snprintf(t->amount, sizeof t->amount, "%s", amt->valuestring);
        snprintf(t->notify_url, sizeof t->notify_url, "%s", notify_url ? notify_url : "");
        a = result("10000", "Success", NULL);
        cJSON_AddStringToObject(a, "out_trade_no", no);
        char qr[128];
        snprintf(qr, sizeof qr, "https://qr.alipay.com/sim%s", t->trade_no + 13);
        cJSON_AddStringToObject(a, "qr_code", qr);
        return a;
    }
    if (!strcmp(method, "alipay.trade.pay")) {
        const cJSON *amt = cJSON_GetObjectItemCaseSensitive(biz, "total_amount");
        const cJSON *scene = cJSON_GetObjectItemCaseSensitive(biz, "scene");
        if (!cJSON_IsString(scene) || strcmp(scene->valuestring, "bar_code") != 0)
            return result("40002", "Invalid Arguments", "isv.invalid-scene");
        t->code = true;
        snprintf(t->notify_url, sizeof t->notify_url, "%s", notify_url ? notify_url : "");
        if (cJSON_IsString(amt)) snprintf(t->amount, sizeof t->amount, "%s", amt->valuestring);
        if (!strcmp(t->status, "TRADE_SUCCESS")) return result("40004", "Business Failed", "ACQ.TRADE_HAS_SUCCESS");
        if (!strcmp(t->status, "TRADE_CLOSED")) return result("40004", "Business Failed", "ACQ.TRADE_HAS_CLOSE");
        switch (s->mode) {
        case SIM_PAY_REFUSE:
            return result("40004", "Business Failed", "ACQ.BUYER_BALANCE_NOT_ENOUGH");
        case SIM_PAY_WAIT:
            snprintf(t->status, sizeof t->status, "WAIT_BUYER_PAY");
            a = result("10003", "Waiting for the payer", NULL);
            break;
        case SIM_PAY_SYSTEM_ERROR:
            snprintf(t->status, sizeof t->status, "TRADE_SUCCESS");
            s->charges++;
            return result("20000", "Service Currently Unavailable", "ACQ.SYSTEM_ERROR");
        case SIM_PAY_NOTIFY_FIRST:
            *notify_now = *t;
            /* fall through */
        default:
            snprintf(t->status, sizeof t->status, "TRADE_SUCCESS");
            s->charges++;
            a = result("10000", "Success", NULL);
            if (s->mode == SIM_PAY_NOTIFY_FIRST) snprintf(notify_now->status, sizeof notify_now->status, "TRADE_SUCCESS");
        }
        cJSON_AddStringToObject(a, "out_trade_no", no);
        cJSON_AddStringToObject(a, "trade_no", t->trade_no);
        cJSON_AddStringToObject(a, "total_amount", t->amount);
        return a;
    }
    if (!strcmp(method, "alipay.trade.query")) {
        if (!t->status[0]) return result("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        a = result("10000", "Success", NULL);
        cJSON_AddStringToObject(a, "out_trade_no", no);
        cJSON_AddStringToObject(a, "trade_no", t->trade_no);
        cJSON_AddStringToObject(a, "trade_status", t->status);
        cJSON_AddStringToObject(a, "total_amount", t->amount);
        return a;
    }
    if (!strcmp(method, "alipay.trade.close")) {
        if (!strcmp(t->status, "TRADE_SUCCESS")) return result("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR");
        bool existed = t->status[0];
        snprintf(t->status, sizeof t->status, "TRADE_CLOSED");   /* a QR can no longer be paid */
        if (!existed) return result("40004", "Business Failed", "ACQ.TRADE_NOT_EXIST");
        a = result("10000", "Success", NULL);
        cJSON_AddStringToObject(a, "out_trade_no", no);
        return a;
    }
    if (!strcmp(method, "alipay.trade.cancel")) {
        if (s->refuse_cancel) return result("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR");
        a = result("10000", "Success", NULL);
        cJSON_AddStringToObject(a, "out_trade_no", no);
        cJSON_AddStringToObject(a, "retry_flag", "N");
        if (!strcmp(t->status, "TRADE_SUCCESS")) {
            s->charges--;
            s->refunds++;
            snprintf(t->refund_no, sizeof t->refund_no, "cancel");
            cJSON_AddStringToObject(a, "action", "refund");
        } else {
            cJSON_AddStringToObject(a, "action", "close");
        }
        snprintf(t->status, sizeof t->status, "TRADE_CLOSED");
        return a;
    }
    if (!strcmp(method, "alipay.trade.refund")) {
        const cJSON *rno = cJSON_GetObjectItemCaseSensitive(biz, "out_request_no");
        if (!strcmp(t->status, "TRADE_CLOSED") && cJSON_IsString(rno)) {
            a = result("10000", "Success", NULL);             /* the same refund again */
            cJSON_AddStringToObject(a, "fund_change", "N");
            return a;
        }
        if (strcmp(t->status, "TRADE_SUCCESS") != 0 || !cJSON_IsString(rno))
            return result("40004", "Business Failed", "ACQ.TRADE_STATUS_ERROR");
        s->charges--;
        s->refunds++;
        snprintf(t->refund_no, sizeof t->refund_no, "%s", rno->valuestring);
        snprintf(t->status, sizeof t->status, "TRADE_CLOSED");
        a = result("10000", "Success", NULL);
        cJSON_AddStringToObject(a, "fund_change", "Y");
        return a;
    }
    return result("40004", "Business Failed", "isv.invalid-method");
}

/* ---- the day's statement ------------------------------------------------ */

/* Appends UTF-8 TEXT to OUT as GBK (the statement's encoding). */
static void gbk_append(FILE *out, const char *text)
{
    iconv_t cd = iconv_open("GBK", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t inleft = strlen(text), outleft = inleft * 2 + 8;
    char *buf = malloc(outleft), *in = (char *)text, *o = buf;
    assert_non_null(buf);
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    fwrite(buf, 1, (size_t)(o - buf), out);
    free(buf);
    iconv_close(cd);
}

/* The statement of DATE as Alipay's "trade" bill: a zip holding
 * 20880000000000000156_DATE_业务明细.csv (GBK; '#' lines around a header
 * and one row per payment 交易 and per refund 退款) and the summary file
 * 20880000000000000156_DATE_业务明细(汇总).csv. Every trade the simulator
 * holds is the day's (the suites run within one day). Malloc'd bytes in
 * *OUT, their count returned. */
static size_t statement_zip(alipay_sim_t *s, const char *date, char **out)
{
    char *csv = NULL;
    size_t csvlen = 0;
    FILE *f = open_memstream(&csv, &csvlen);
    assert_non_null(f);
    char line[512];
    gbk_append(f, "#支付宝业务明细查询\r\n#账号：[20880000000000000156]\r\n");
    snprintf(line, sizeof line, "#起始日期：[%s 00:00:00]   终止日期：[%s 23:59:59]\r\n", date, date);
    gbk_append(f, line);
    gbk_append(f, "#-----------------------------------------业务明细列表----------------------------------------\r\n");
    gbk_append(f, "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,"
                  "对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,"
                  "商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,"
                  "退款批次号/请求号,服务费（元）,分润（元）,备注\r\n");
    int rows = 0;
    for (int i = 0; i < s->ntrades; i++) {
        const trade_t *t = &s->trades[i];
        bool paid = !strcmp(t->status, "TRADE_SUCCESS") || t->refund_no[0];
        if (!paid) continue;
        snprintf(line, sizeof line, "%s\t,%s\t,交易,utility bills,%s 09:30:00,%s 09:30:05,,,,,"
                 "158****0001,%s,%s,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,,0.00,0.00,\r\n",
                 t->trade_no, t->no, date, date, t->amount, t->amount);
        gbk_append(f, line);
        rows++;
        if (t->refund_no[0]) {
            snprintf(line, sizeof line, "%s\t,%s\t,退款,utility bills,%s 09:30:00,%s 10:00:00,,,,,"
                     "158****0001,-%s,-%s,0.00,0.00,0.00,0.00,0.00,,0.00,0.00,%s\t,0.00,0.00,\r\n",
                     t->trade_no, t->no, date, date, t->amount, t->amount, t->refund_no);
            gbk_append(f, line);
            rows++;
        }
    }
    gbk_append(f, "#-----------------------------------------业务明细列表结束------------------------------------\r\n");
    snprintf(line, sizeof line, "#交易合计：%d笔\r\n#导出时间：[%s 23:59:59]\r\n", rows, date);
    gbk_append(f, line);
    fclose(f);

    char path[] = "/tmp/alipay-sim-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    zipFile z = zipOpen64(path, APPEND_STATUS_CREATE);
    assert_non_null(z);
    const char *names[] = {"_业务明细.csv", "_业务明细(汇总).csv"};
    for (int k = 0; k < 2; k++) {
        char name[128];
        snprintf(name, sizeof name, "20880000000000000156_%.4s%.2s%.2s%s", date, date + 5, date + 8, names[k]);
        zip_fileinfo zi = {0};
        assert_int_equal(zipOpenNewFileInZip64(z, name, &zi, NULL, 0, NULL, 0, NULL, Z_DEFLATED,
                                               Z_DEFAULT_COMPRESSION, 0), ZIP_OK);
        if (k == 0) assert_int_equal(zipWriteInFileInZip(z, csv, (unsigned)csvlen), ZIP_OK);
        else assert_int_equal(zipWriteInFileInZip(z, "#summary\r\n", 10), ZIP_OK);
        assert_int_equal(zipCloseFileInZip(z), ZIP_OK);
    }
    assert_int_equal(zipClose(z, NULL), ZIP_OK);
    free(csv);
    FILE *zf = fopen(path, "rb");
    assert_non_null(zf);
    fseek(zf, 0, SEEK_END);
    long n = ftell(zf);
    fseek(zf, 0, SEEK_SET);
    *out = malloc((size_t)n);
    assert_non_null(*out);
    assert_int_equal(fread(*out, 1, (size_t)n, zf), (size_t)n);
    fclose(zf);
    unlink(path);
    return (size_t)n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *http_method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    alipay_sim_t *s = cls;
    body_t *b = *con_cls;
    if (!b) {
        *con_cls = calloc(1, sizeof(body_t));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb = realloc(b->buf, b->len + *size + 1);
        if (!nb) return MHD_NO;
        b->buf = nb;
        memcpy(b->buf + b->len, data, *size);
        b->len += *size;
        b->buf[b->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    bool gone = s->gone;
    int delay = s->delay_ms;
    pthread_mutex_unlock(&s->lock);
    if (gone) return MHD_NO;
    char date[11];
    if (!strcmp(http_method, "GET") && sscanf(url, "/statement/%10[0-9-].csv.zip", date) == 1) {
        char *zip = NULL;
        pthread_mutex_lock(&s->lock);
        size_t n = statement_zip(s, date, &zip);
        pthread_mutex_unlock(&s->lock);
        struct MHD_Response *r = MHD_create_response_from_buffer(n, zip, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", "application/zip");
        enum MHD_Result ok = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ok;
    }

    pay_params_t ps = {0};
    const char *method = NULL, *sig = NULL;
    cJSON *a = NULL, *biz = NULL;
    trade_t notify_now = {0};
    if (!b->buf || pay_form_parse(b->buf, b->len, &ps) != 0) return MHD_NO;
    method = pay_params_get(&ps, "method");
    sig = pay_params_get(&ps, "sign");
    char *text = canonical(&ps, "sign", NULL);
    pthread_mutex_lock(&s->lock);
    if (method) count_call(s, method);
    if (!method || !sig || !verify(s->merchant, text, sig) ||
        strcmp(pay_params_get(&ps, "sign_type") ? pay_params_get(&ps, "sign_type") : "", "RSA2") != 0) {
        s->bad_sigs++;
        a = result("40002", "Invalid Arguments", "isv.invalid-signature");
    } else if (strcmp(pay_params_get(&ps, "app_id") ? pay_params_get(&ps, "app_id") : "", APP_ID) != 0) {
        a = result("40002", "Invalid Arguments", "isv.invalid-app-id");
    } else if (!(biz = cJSON_Parse(pay_params_get(&ps, "biz_content") ? pay_params_get(&ps, "biz_content") : ""))) {
        a = result("40002", "Invalid Arguments", "isv.invalid-biz-content");
    } else {
        a = handle(s, method, biz, pay_params_get(&ps, "notify_url"), &notify_now);
    }
    char *out = answer_text(s, method ? method : "error", a);
    pthread_mutex_unlock(&s->lock);
    free(text);
    cJSON_Delete(biz);
    pay_params_free(&ps);
    if (notify_now.status[0] && notify_now.notify_url[0]) {
        char body[16];
        post_notice(s, notify_now.notify_url, notify_now.no, notify_now.trade_no, notify_now.status,
                    notify_now.amount, s->alipay, body);
    }
    if (delay > 0) {
        struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(out), out, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "text/html;charset=utf-8");
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    body_t *b = *con_cls;
    if (b) free(b->buf);
    free(b);
    *con_cls = NULL;
}

alipay_sim_t *sim_start(void)
{
    alipay_sim_t *s = calloc(1, sizeof *s);
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
    s->alipay = keys[1];
    s->stranger = keys[2];
    s->merchant_priv_b64 = der_b64(s->merchant, true);
    s->alipay_pub_b64 = der_b64(s->alipay, false);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, s,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    assert_non_null(s->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->gateway, sizeof s->gateway, "http://127.0.0.1:%d/gateway.do", info->port);
    return s;
}

void sim_stop(alipay_sim_t *s)
{
    if (!s) return;
    MHD_stop_daemon(s->daemon);
    EVP_PKEY_free(s->merchant);
    EVP_PKEY_free(s->alipay);
    EVP_PKEY_free(s->stranger);
    free(s->merchant_priv_b64);
    free(s->alipay_pub_b64);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *sim_gateway(const alipay_sim_t *s) { return s->gateway; }
const char *sim_app_id(const alipay_sim_t *s) { return APP_ID; }
const char *sim_merchant_private(const alipay_sim_t *s) { return s->merchant_priv_b64; }
const char *sim_alipay_public(const alipay_sim_t *s) { return s->alipay_pub_b64; }

#define SET(field, v) do { pthread_mutex_lock(&s->lock); s->field = v; pthread_mutex_unlock(&s->lock); } while (0)
void sim_pay_mode(alipay_sim_t *s, sim_pay_mode_t mode) { SET(mode, mode); }
void sim_delay_ms(alipay_sim_t *s, int ms) { SET(delay_ms, ms); }
void sim_gone(alipay_sim_t *s, bool gone) { SET(gone, gone); }
void sim_refuse_orders(alipay_sim_t *s, bool refuse) { SET(refuse_orders, refuse); }
void sim_bad_answer_sign(alipay_sim_t *s, bool bad) { SET(bad_sign, bad); }
void sim_refuse_cancel(alipay_sim_t *s, bool refuse) { SET(refuse_cancel, refuse); }

int sim_payer_pays(alipay_sim_t *s, const char *no, bool notify)
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false), copy;
    int rc = -1;
    if (t && (!t->status[0] || !strcmp(t->status, "WAIT_BUYER_PAY"))) {
        snprintf(t->status, sizeof t->status, "TRADE_SUCCESS");
        s->charges++;
        copy = *t;
        rc = 0;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc == 0 && notify && copy.notify_url[0]) {
        char body[16];
        int st = post_notice(s, copy.notify_url, copy.no, copy.trade_no, copy.status, copy.amount,
                             s->alipay, body);
        if (st != 200 || strcmp(body, "success") != 0) rc = -1;
    }
    return rc;
}

int sim_notify(alipay_sim_t *s, const char *url, const char *no, const char *status,
               const char *amount, bool forged, char body[16])
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false);
    char trade_no[40];
    snprintf(trade_no, sizeof trade_no, "%s", t ? t->trade_no : "2026112922001999999999999999");
    pthread_mutex_unlock(&s->lock);
    return post_notice(s, url, no, trade_no, status, amount, forged ? s->stranger : s->alipay, body);
}

int sim_charges(alipay_sim_t *s) { pthread_mutex_lock(&s->lock); int v = s->charges; pthread_mutex_unlock(&s->lock); return v; }
int sim_statement_urls(alipay_sim_t *s) { pthread_mutex_lock(&s->lock); int v = s->statement_urls; pthread_mutex_unlock(&s->lock); return v; }
int sim_refunds(alipay_sim_t *s) { pthread_mutex_lock(&s->lock); int v = s->refunds; pthread_mutex_unlock(&s->lock); return v; }
int sim_bad_signatures(alipay_sim_t *s) { pthread_mutex_lock(&s->lock); int v = s->bad_sigs; pthread_mutex_unlock(&s->lock); return v; }

int sim_calls(alipay_sim_t *s, const char *method)
{
    int v = 0;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 16; i++)
        if (!strcmp(s->calls[i], method)) v = s->ncalls[i];
    pthread_mutex_unlock(&s->lock);
    return v;
}

const char *sim_trade_status(alipay_sim_t *s, const char *no)
{
    pthread_mutex_lock(&s->lock);
    trade_t *t = trade(s, no, false);
    const char *v = t ? t->status : "";
    pthread_mutex_unlock(&s->lock);
    return v;
}

typedef struct { char *buf; size_t len; } sink_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    sink_t *k = user;
    char *nb = realloc(k->buf, k->len + sz * n + 1);
    if (!nb) return 0;
    k->buf = nb;
    memcpy(k->buf + k->len, p, sz * n);
    k->len += sz * n;
    k->buf[k->len] = '\0';
    return sz * n;
}

char *sim_raw_request(alipay_sim_t *s, const char *method, const char *biz, bool tamper)
{
    pay_params_t ps = {0};
    pay_params_add(&ps, "app_id", APP_ID);
    pay_params_add(&ps, "method", method);
    pay_params_add(&ps, "charset", "utf-8");
    pay_params_add(&ps, "sign_type", "RSA2");
    pay_params_add(&ps, "timestamp", "2026-11-29 09:30:00");
    pay_params_add(&ps, "version", "1.0");
    pay_params_add(&ps, "biz_content", biz);
    char *text = canonical(&ps, "sign", NULL);
    char *sig = sign(s->merchant, text, strlen(text));
    pay_params_add(&ps, "sign", sig);
    if (tamper) {
        free(ps.p[6].value);
        ps.p[6].value = strdup("{\"out_trade_no\":\"TAMPERED01\"}");
    }
    char *form = pay_form_encode(&ps);
    sink_t k = {0};
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, s->gateway);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_perform(c);
    curl_easy_cleanup(c);
    free(form);
    free(sig);
    free(text);
    pay_params_free(&ps);
    return k.buf ? k.buf : strdup("");
}
