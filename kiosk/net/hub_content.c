/* Content bundles over HTTP (docs/api.md "Content bundles"): the kiosk's
 * poll and asset download, and the staff upload and publish used by
 * `kioskctl content publish`. A client of its own (one curl easy handle,
 * kept alive), classified into hub_status_t by the rules of hub_api.h, with
 * one addition: a poll's 304 is HUB_OK with st->http == 304. */
#include "net/hub_api.h"

#include <cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

#define MOD "content"
#define ANSWER_MAX (16 * 1024 * 1024)  /* a poll answer (manifest in JSON) */

struct hub_content {
    CURLM *multi;
    CURL *curl;
    char *base;                 /* "http://host:port", no "/v1" */
    char *auth;                 /* "Authorization: Bearer ..." or NULL */
    const volatile int *abort;
    char errbuf[CURL_ERROR_SIZE];
    /* the answer: into BUF, or streamed to FP (hashing as it goes) */
    char *buf;
    size_t len, cap, max;
    FILE *fp;
    crypto_hash_sha256_state sha;
    bool too_big, write_failed;
    char etag[80];
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static int aborted(const hub_content_t *c)
{
    return c->abort && __atomic_load_n(c->abort, __ATOMIC_RELAXED) ? 1 : 0;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    return aborted(ud);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    hub_content_t *c = ud;
    size_t n = size * nmemb;
    if (n > c->max - c->len) {
        c->too_big = true;
        return 0;
    }
    long http = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &http);
    if (c->fp && http >= 200 && http < 300) {
        if (fwrite(p, 1, n, c->fp) != n) {
            c->write_failed = true;
            return 0;
        }
        crypto_hash_sha256_update(&c->sha, (const unsigned char *)p, n);
        c->len += n;
        return n;
    }
    if (c->len + n + 1 > c->cap) {
        size_t want = c->cap ? c->cap : 16384;
        while (want < c->len + n + 1) want *= 2;
        char *nb = realloc(c->buf, want);
        if (!nb) return 0;
        c->buf = nb;
        c->cap = want;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    hub_content_t *c = ud;
    size_t n = size * nmemb;
    if (n > 5 && strncasecmp(p, "ETag:", 5) == 0) {
        size_t i = 5, end = n;
        while (i < end && (p[i] == ' ' || p[i] == '\t')) i++;
        while (end > i && isspace((unsigned char)p[end - 1])) end--;
        if (end - i < sizeof c->etag) {
            memcpy(c->etag, p + i, end - i);
            c->etag[end - i] = '\0';
        }
    }
    return n;
}

hub_content_t *hub_content_new(const char *base_url, const char *token, int timeout_ms,
                               const volatile int *abort)
{
    pthread_once(&once, init_once);
    if (sodium_init() < 0) return NULL;
    hub_content_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->abort = abort;
    c->base = strdup(base_url ? base_url : "");
    c->multi = curl_multi_init();
    c->curl = curl_easy_init();
    if (!c->base || !c->multi || !c->curl) goto fail;
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/') n--;
    if (n >= 3 && strncmp(c->base + n - 3, "/v1", 3) == 0) n -= 3;
    while (n > 0 && c->base[n - 1] == '/') n--;
    c->base[n] = '\0';
    if (token && token[0]) {
        for (const char *s = token; *s; s++)
            if ((unsigned char)*s < 0x21 || (unsigned char)*s >= 0x7f) goto fail;
        size_t len = strlen(token) + sizeof "Authorization: Bearer ";
        if (!(c->auth = malloc(len))) goto fail;
        snprintf(c->auth, len, "Authorization: Bearer %s", token);
    }
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_ms > 0 ? timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms > 0 ? timeout_ms : 10000));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kiosk-content/1");
    return c;
fail:
    hub_content_free(c);
    return NULL;
}

void hub_content_free(hub_content_t *c)
{
    if (!c) return;
    if (c->curl) curl_easy_cleanup(c->curl);
    if (c->multi) curl_multi_cleanup(c->multi);
    if (c->auth) {
        sodium_memzero(c->auth, strlen(c->auth));
        free(c->auth);
    }
    free(c->base);
    free(c->buf);
    free(c);
}

static void set(hub_status_t *st, hub_result_t r, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void set(hub_status_t *st, hub_result_t r, int http, const char *code, const char *fmt, ...)
{
    st->result = r;
    st->http = http;
    snprintf(st->code, sizeof st->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
}

/* The transfer, polling ABORT every 50 ms (as hub_api.c's run). */
static CURLcode run(hub_content_t *c)
{
    CURLcode res = CURLE_OK;
    if (aborted(c)) return CURLE_ABORTED_BY_CALLBACK;
    if (curl_multi_add_handle(c->multi, c->curl) != CURLM_OK) return CURLE_OUT_OF_MEMORY;
    for (bool done = false; !done;) {
        int running, q;
        if (curl_multi_perform(c->multi, &running) != CURLM_OK) { res = CURLE_FAILED_INIT; break; }
        CURLMsg *m;
        while ((m = curl_multi_info_read(c->multi, &q)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == c->curl) res = m->data.result, done = true;
        if (done) break;
        if (aborted(c)) { res = CURLE_ABORTED_BY_CALLBACK; break; }
        if (curl_multi_poll(c->multi, NULL, 0, 50, NULL) != CURLM_OK) { res = CURLE_FAILED_INIT; break; }
    }
    curl_multi_remove_handle(c->multi, c->curl);
    return res;
}

/* METHOD PATH with optional BODY (LEN bytes of CTYPE) and one extra header
 * line. Returns the HTTP status of a complete 2xx or 304 answer (in C->buf,
 * or streamed to C->fp), else 0 with ST filled. */
static int request(hub_content_t *c, const char *method, const char *path, const char *ctype,
                   const void *body, size_t len, const char *extra, size_t max, hub_status_t *st)
{
    memset(st, 0, sizeof *st);
    st->result = HUB_UNKNOWN;
    c->len = 0;
    c->max = max;
    c->too_big = c->write_failed = false;
    c->errbuf[0] = c->etag[0] = '\0';
    if (c->buf) c->buf[0] = '\0';
    char url[512];
    if (snprintf(url, sizeof url, "%s%s", c->base, path) >= (int)sizeof url) {
        set(st, HUB_REFUSED, 0, "bad_request", "URL too long");
        return 0;
    }
    CURL *h = c->curl;
    struct curl_slist *hd = NULL, *t;
    char cth[96];
    const char *lines[6];
    int nl = 0, ok = 0;
    lines[nl++] = "Accept: application/json";
    if (c->auth) lines[nl++] = c->auth;
    if (extra) lines[nl++] = extra;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
    if (body) {
        snprintf(cth, sizeof cth, "Content-Type: %s", ctype);
        lines[nl++] = cth;
        lines[nl++] = "Expect:";
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") ? method : NULL);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    }
    for (int i = 0; i < nl; i++) {
        if (!(t = curl_slist_append(hd, lines[i]))) {
            set(st, HUB_UNKNOWN, 0, "network", "out of memory");
            goto end;
        }
        hd = t;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    CURLcode res = run(c);
    long http = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(res);
    if (c->too_big) {
        set(st, HUB_UNKNOWN, (int)http, "garbage", "answer over %zu bytes", max);
    } else if (c->write_failed) {
        set(st, HUB_UNKNOWN, (int)http, "disk", "cannot write the download");
    } else if (res == CURLE_OPERATION_TIMEDOUT) {
        set(st, HUB_UNKNOWN, 0, "timeout", "%s", why);
    } else if (res == CURLE_ABORTED_BY_CALLBACK) {
        set(st, HUB_UNKNOWN, 0, "aborted", "%s", why);
    } else if (res != CURLE_OK) {
        set(st, HUB_UNKNOWN, 0, "network", "%s", why);
    } else if ((http >= 200 && http < 300) || http == 304) {
        st->result = HUB_OK;
        st->http = (int)http;
        ok = (int)http;
    } else {
        hub_result_t r = http >= 400 && http < 500 && http != 408 && http != 429 ? HUB_REFUSED : HUB_UNKNOWN;
        if (c->buf && hub_parse_error(c->buf, c->len, st) == 0) {
            st->result = r;
            st->http = (int)http;
        } else {
            set(st, r, (int)http, "http_error", "HTTP %ld without an error body", http);
        }
    }
    if (!ok) log_info(MOD, "%s %s: %s %d %s", method, path, st->result == HUB_REFUSED ? "refused" : "no usable answer",
                      st->http, st->code);
end:
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_slist_free_all(hd);
    return ok;
}

int hub_parse_bundle(const char *json, size_t len, hub_bundle_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *d = cJSON_ParseWithLength(json, len);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "version");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(d, "manifest");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "signature");
    int rc = -1;
    if (!cJSON_IsObject(d)) snprintf(err, errlen, "not a JSON object");
    else if (!cJSON_IsNumber(v) || v->valuedouble < 1) snprintf(err, errlen, "version: not a number >= 1");
    else if (!cJSON_IsString(m)) snprintf(err, errlen, "manifest: not a string");
    else if (!cJSON_IsString(s)) snprintf(err, errlen, "signature: not a string");
    else if (!(out->manifest = strdup(m->valuestring)) || !(out->signature = strdup(s->valuestring)))
        snprintf(err, errlen, "out of memory");
    else {
        out->version = (long long)v->valuedouble;
        out->manifest_len = strlen(out->manifest);
        rc = 0;
    }
    if (rc) hub_bundle_free(out);
    cJSON_Delete(d);
    return rc;
}

void hub_bundle_free(hub_bundle_t *b)
{
    free(b->manifest);
    free(b->signature);
    memset(b, 0, sizeof *b);
}

void hub_bundle_poll(hub_content_t *c, const char *mode, const char *group, const char *etag,
                     hub_bundle_t *out, char *etag_out, size_t etag_len, hub_status_t *st)
{
    char path[256], inm[112];
    char *g = group && group[0] ? curl_easy_escape(c->curl, group, 0) : NULL;
    snprintf(path, sizeof path, "/v1/content/bundle?mode=%s%s%s", mode, g ? "&group=" : "", g ? g : "");
    curl_free(g);
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag ? etag : "");
    memset(out, 0, sizeof *out);
    if (etag_out && etag_len) etag_out[0] = '\0';
    int http = request(c, "GET", path, NULL, NULL, 0, etag && etag[0] ? inm : NULL, ANSWER_MAX, st);
    if (etag_out && etag_len) snprintf(etag_out, etag_len, "%s", c->etag);
    if (http != 200) {
        if (http && http != 304) set(st, HUB_UNKNOWN, http, "garbage", "unexpected status %d", http);
        return;
    }
    char err[128];
    if (hub_parse_bundle(c->buf ? c->buf : "", c->len, out, err, sizeof err) != 0)
        set(st, HUB_UNKNOWN, http, "garbage", "bundle: %s", err);
}

void hub_asset_fetch(hub_content_t *c, const char *sha256, long long max_size, FILE *fp,
                     unsigned char digest[32], long long *size, hub_status_t *st)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/content/assets/%.64s", sha256);
    crypto_hash_sha256_init(&c->sha);
    c->fp = fp;
    int http = request(c, "GET", path, NULL, NULL, 0, NULL, (size_t)max_size, st);
    c->fp = NULL;
    *size = (long long)c->len;
    if (http == 200) crypto_hash_sha256_final(&c->sha, digest);
    else if (http) set(st, HUB_UNKNOWN, http, "garbage", "unexpected status %d", http);
}

void hub_asset_upload(hub_content_t *c, const char *sha256, const void *data, size_t len,
                      const char *type, hub_status_t *st)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/admin/content/assets/%.64s", sha256);
    request(c, "PUT", path, type ? type : "application/octet-stream", data, len, NULL, 65536, st);
}

void hub_bundle_publish(hub_content_t *c, const char *manifest, const char *signature,
                        const char *idem_key, long long *version, hub_status_t *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "manifest", manifest);
    cJSON_AddStringToObject(o, "signature", signature);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char key[96];
    snprintf(key, sizeof key, "Idempotency-Key: %s", idem_key);
    *version = 0;
    if (!body) {
        set(st, HUB_UNKNOWN, 0, "network", "out of memory");
        return;
    }
    int http = request(c, "POST", "/v1/admin/content/bundles", "application/json", body, strlen(body),
                       key, 65536, st);
    free(body);
    if (http) {
        cJSON *d = cJSON_ParseWithLength(c->buf ? c->buf : "", c->len);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "bundle"), "version");
        if (cJSON_IsNumber(v)) *version = (long long)v->valuedouble;
        else set(st, HUB_UNKNOWN, http, "garbage", "no bundle.version in the answer");
        cJSON_Delete(d);
    }
}
