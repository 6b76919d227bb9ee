/* A utility's billing system over HTTP(S): the protocol of docs/api.md
 * "Billing system protocol" (billing.h). Every request is signed with
 * HMAC-SHA256 under the key of the secrets file; answers are read strictly
 * (a field missing or of the wrong type is no answer: fetch -1, write-off
 * RETRY). */
#include "billing.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "hub.h"
#include "secrets_file.h"

#define ANSWER_MAX (256 * 1024)

static struct {
    char base_url[512];
    char hub_id[64];
    unsigned char key[64];
    size_t keylen;
} http;

static int http_pair(void *ctx, const char *key, const char *val, char *msg, size_t msglen)
{
    (void)ctx;
    if (!strcmp(key, "hub_id")) {
        if (!val[0] || strlen(val) >= sizeof http.hub_id || strpbrk(val, " \t\r\n:")) {
            snprintf(msg, msglen, "hub_id must be 1-63 characters without spaces or ':'");
            return -1;
        }
        snprintf(http.hub_id, sizeof http.hub_id, "%s", val);
    } else if (!strcmp(key, "hmac_key")) {
        size_t n = 0;
        if (strlen(val) < 64 || strlen(val) > 128 ||
            sodium_hex2bin(http.key, sizeof http.key, val, strlen(val), NULL, &n, NULL) != 0 ||
            n != strlen(val) / 2) {
            snprintf(msg, msglen, "hmac_key must be 64 to 128 hex digits (32-64 bytes)");
            return -1;
        }
        http.keylen = n;
    } else {
        snprintf(msg, msglen, "unknown key %s", key);
        return -1;
    }
    return 0;
}

int billing_http_load(const char *path, const char *base_url, char *err, size_t errlen)
{
    if (!path[0]) {
        snprintf(err, errlen, "[billing] system = http needs secrets = FILE (hub_id, hmac_key)");
        return -1;
    }
    memset(&http, 0, sizeof http);
    snprintf(http.base_url, sizeof http.base_url, "%s", base_url);
    if (secrets_file_read(path, "the billing system's key", http_pair, NULL, err, errlen) != 0) return -1;
    if (!http.hub_id[0] || !http.keylen) {
        snprintf(err, errlen, "%s: needs hub_id and hmac_key", path);
        return -1;
    }
    return 0;
}

void billing_sign(const unsigned char *key, size_t keylen, const char *method, const char *path,
                  const char *timestamp, const char *body, size_t bodylen, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    char bodyhex[65];
    crypto_hash_sha256(h, (const unsigned char *)body, bodylen);
    sodium_bin2hex(bodyhex, sizeof bodyhex, h, sizeof h);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    const char *parts[] = {method, "\n", path, "\n", timestamp, "\n", bodyhex};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], strlen(parts[i]));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

typedef struct { char *buf; size_t len; bool too_big; } sink_t;

static size_t on_body(char *p, size_t sz, size_t n, void *user)
{
    sink_t *s = user;
    size_t len = sz * n;
    if (s->len + len > ANSWER_MAX) { s->too_big = true; return 0; }
    char *nb = realloc(s->buf, s->len + len + 1);
    if (!nb) return 0;
    s->buf = nb;
    memcpy(s->buf + s->len, p, len);
    s->len += len;
    s->buf[s->len] = '\0';
    return len;
}

/* METHOD PATH (under base_url) with BODY (NULL: none). The HTTP status (0:
 * no answer, ERR says why) and the answer's bytes in *OUT (malloc'd,
 * NUL-terminated; NULL when empty), *OUTLEN of them. */
static long request(const char *method, const char *path, const char *body, char **out, size_t *outlen,
                    char *err, size_t errlen)
{
    char url[1024], ts[24], sig[65], h[200];
    sink_t s = {0};
    long status = 0;
    *out = NULL;
    *outlen = 0;
    snprintf(url, sizeof url, "%s%s", http.base_url, path);
    snprintf(ts, sizeof ts, "%lld", (long long)hub_now());
    billing_sign(http.key, http.keylen, method, path, ts, body ? body : "", body ? strlen(body) : 0, sig);
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = NULL;
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return 0;
    }
    snprintf(h, sizeof h, "X-Hub-Id: %s", http.hub_id);
    hdr = curl_slist_append(hdr, h);
    snprintf(h, sizeof h, "X-Hub-Timestamp: %s", ts);
    hdr = curl_slist_append(hdr, h);
    snprintf(h, sizeof h, "X-Hub-Signature: v1=%s", sig);
    hdr = curl_slist_append(hdr, h);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, billing_timeout_ms());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, billing_timeout_ms());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s", s.too_big ? "answer too large" : curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        *out = s.buf;
        *outlen = s.len;
        s.buf = NULL;
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    free(s.buf);
    return status;
}

/* Copies string member NAME of O into OUT (LEN); -1 if absent, not a string, or too long. */
static int get_str(const cJSON *o, const char *name, char *out, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= len) return -1;
    snprintf(out, len, "%s", v->valuestring);
    return 0;
}

static int get_fen(const cJSON *o, const char *name, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12 ||
        v->valuedouble != (double)(long long)v->valuedouble)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

static int read_bill(const cJSON *j, billing_bill_t *b)
{
    char status[12];
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(j, "usage");
    if (get_str(j, "ref", b->ref, sizeof b->ref) || get_str(j, "period", b->period, sizeof b->period) ||
        get_str(j, "unit", b->unit, sizeof b->unit) || get_str(j, "due_date", b->due_date, sizeof b->due_date) ||
        get_str(j, "status", status, sizeof status) || get_fen(j, "amount_fen", &b->amount_fen) ||
        get_fen(j, "late_fee_fen", &b->late_fee_fen) || !cJSON_IsNumber(usage) || !b->ref[0] ||
        strlen(b->period) != 7 || strlen(b->due_date) != 10)
        return -1;
    if (strcmp(status, "paid") != 0 && strcmp(status, "unpaid") != 0) return -1;
    b->paid = !strcmp(status, "paid");
    b->usage = usage->valuedouble;
    return 0;
}

int billing_parse_account(const char *body, size_t len, const char *utility, const char *account,
                          billing_account_t *out, char *err, size_t errlen)
{
    cJSON *j = cJSON_ParseWithLength(body, len);
    int rc = -1;
    memset(out, 0, sizeof *out);
    const cJSON *acc = cJSON_GetObjectItemCaseSensitive(j, "account");
    const cJSON *bills = cJSON_GetObjectItemCaseSensitive(j, "bills");
    char u[16], a[32];
    if (!cJSON_IsObject(j) || !cJSON_IsObject(acc) || !cJSON_IsArray(bills) || get_str(acc, "utility", u, sizeof u) ||
        get_str(acc, "account", a, sizeof a) || strcmp(u, utility) || strcmp(a, account) ||
        get_str(acc, "holder", out->holder, sizeof out->holder) ||
        get_str(acc, "address", out->address, sizeof out->address) ||
        cJSON_GetArraySize(bills) > BILLING_MAX_BILLS) {
        snprintf(err, errlen, "the answer is not an account of the protocol");
        goto done;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, bills) {
        if (read_bill(b, &out->bills[out->n]) != 0) {
            snprintf(err, errlen, "bills[%d] is not a bill of the protocol", out->n);
            goto done;
        }
        out->n++;
    }
    rc = 0;
done:
    cJSON_Delete(j);
    if (rc != 0) memset(out, 0, sizeof *out);
    return rc;
}

/* The path segment is a known utility and digits only: nothing to escape. */
static int http_fetch(const char *utility, const char *account, billing_account_t *out, char *err,
                      size_t errlen)
{
    char path[160];
    char *body = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "/accounts/%s/%s", utility, account);
    long status = request("GET", path, NULL, &body, &len, err, errlen);
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (status == 404) rc = 0;
    else if (status != 200) {
        if (status) snprintf(err, errlen, "HTTP %ld", status);
    } else if (billing_parse_account(body, len, utility, account, out, err, errlen) == 0) {
        rc = 1;
    }
    free(body);
    return rc;
}

billing_outcome_t billing_parse_writeoff(long status, const char *body, size_t len, const char *writeoff_id,
                                         bool reversal, char *err, size_t errlen)
{
    cJSON *j = body ? cJSON_ParseWithLength(body, len) : NULL;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        j = NULL;
    }
    billing_outcome_t out = BILLING_RETRY;
    char st[16], id[80], code[48];
    if (status == 200 && j && !get_str(j, "status", st, sizeof st) &&
        !strcmp(st, reversal ? "reversed" : "credited") &&
        !get_str(j, "writeoff_id", id, sizeof id) && !strcmp(id, writeoff_id)) {
        out = BILLING_OK;
    } else if (status == 409 && j && !get_str(j, "error", code, sizeof code) && code[0]) {
        snprintf(err, errlen, "%s", code);
        out = BILLING_REFUSED;
    } else {
        snprintf(err, errlen, "HTTP %ld%s", status, j ? "" : " without a JSON object");
    }
    cJSON_Delete(j);
    return out;
}

/* POST PATH with W (and REFUND_NO for a reversal); the outcome by the
 * protocol's answers. */
static billing_outcome_t post_writeoff(const char *path, const billing_writeoff_t *w,
                                       const char *refund_no, char *err, size_t errlen)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "writeoff_id", w->writeoff_id);
    cJSON_AddStringToObject(b, "bill_ref", w->bill_ref);
    cJSON_AddStringToObject(b, "utility", w->utility);
    cJSON_AddStringToObject(b, "account", w->account);
    cJSON_AddNumberToObject(b, "amount_fen", (double)w->amount_fen);
    cJSON_AddStringToObject(b, "transaction_id", w->transaction_id);
    cJSON_AddNumberToObject(b, "paid_at", (double)w->paid_at);
    if (refund_no) cJSON_AddStringToObject(b, "refund_no", refund_no);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return BILLING_RETRY;
    }
    char *answer = NULL;
    size_t len = 0;
    long status = request("POST", path, body, &answer, &len, err, errlen);
    free(body);
    billing_outcome_t out = status ? billing_parse_writeoff(status, answer, len, w->writeoff_id,
                                                            refund_no != NULL, err, errlen)
                                   : BILLING_RETRY;
    free(answer);
    return out;
}

static billing_outcome_t http_writeoff(const billing_writeoff_t *w, char *err, size_t errlen)
{
    return post_writeoff("/writeoffs", w, NULL, err, errlen);
}

static billing_outcome_t http_reverse(const billing_writeoff_t *w, const char *refund_no, char *err,
                                      size_t errlen)
{
    return post_writeoff("/reversals", w, refund_no, err, errlen);
}

const billing_system_t billing_http = {.name = "http", .fetch = http_fetch, .writeoff = http_writeoff,
                                       .reverse = http_reverse};
