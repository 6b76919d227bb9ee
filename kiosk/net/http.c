/* The one libcurl transport of the hub clients (http.h). */
#include "net/http.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

struct http_conn {
    CURLM *multi;                 /* holds the connection cache between calls */
    CURL *curl;
    char *base;                   /* "http://host:port", no "/v1", no trailing '/' */
    char *auth;                   /* "Authorization: Bearer ..." or NULL */
    const volatile int *abort;
    const char *mod;
    char errbuf[CURL_ERROR_SIZE]; /* curl's detail of a failed transfer */
    /* the answer being received */
    char *body;                   /* NUL-terminated */
    size_t len, cap, max;
    http_sink_fn sink;
    void *sink_ud;
    bool too_big, sink_failed, replayed;
    char etag[80];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

/* Printable ASCII only: safe in a header line and in a log line. */
static bool printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* The abort flag is set by another thread (the owner's stop): read it
 * atomically. */
static int aborted(const http_conn_t *c)
{
    return c->abort && __atomic_load_n(c->abort, __ATOMIC_RELAXED) ? 1 : 0;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    return aborted(ud);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    http_conn_t *c = ud;
    size_t n = size * nmemb;
    if (n > c->max - c->len) {
        c->too_big = true;
        return 0;                       /* curl stops with CURLE_WRITE_ERROR */
    }
    if (c->sink) {
        long http = 0;
        curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &http);
        if (http >= 200 && http < 300) {
            if (c->sink(c->sink_ud, p, n) != n) {
                c->sink_failed = true;
                return 0;
            }
            c->len += n;
            return n;
        }
    }
    if (c->len + n + 1 > c->cap) {
        size_t want = c->cap ? c->cap : 4096;
        while (want < c->len + n + 1)
            want *= 2;
        char *nb = malloc(want);        /* not realloc: the old copy is wiped */
        if (!nb)
            return 0;
        if (c->body) {
            memcpy(nb, c->body, c->len + 1);
            sodium_memzero(c->body, c->cap);
            free(c->body);
        }
        c->body = nb;
        c->cap = want;
    }
    memcpy(c->body + c->len, p, n);
    c->len += n;
    c->body[c->len] = '\0';
    return n;
}

/* "NAME:" at P (N bytes): the value's bounds, trimmed, in *I and *END. */
static bool header_is(const char *p, size_t n, const char *name, size_t *i, size_t *end)
{
    size_t k = strlen(name);
    if (n <= k || strncasecmp(p, name, k) != 0)
        return false;
    *i = k;
    *end = n;
    while (*i < *end && (p[*i] == ' ' || p[*i] == '\t'))
        (*i)++;
    while (*end > *i && isspace((unsigned char)p[*end - 1]))
        (*end)--;
    return true;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    http_conn_t *c = ud;
    size_t n = size * nmemb, i, end;
    if (header_is(p, n, "Idempotent-Replayed:", &i, &end)) {
        c->replayed = end - i == 4 && strncasecmp(p + i, "true", 4) == 0;
    } else if (header_is(p, n, "ETag:", &i, &end)) {
        if (end - i < sizeof c->etag) {
            memcpy(c->etag, p + i, end - i);
            c->etag[end - i] = '\0';
        }
    } else if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        c->replayed = false;            /* a new response (after a 100 Continue) */
        c->etag[0] = '\0';
    }
    return n;
}

static char ca_file[512];

void http_set_ca_file(const char *path)
{
    snprintf(ca_file, sizeof ca_file, "%s", path ? path : "");
}

http_conn_t *http_conn_new(const char *base_url, const char *token, int timeout_ms,
                           const volatile int *abort, const char *user_agent,
                           const char *mod)
{
    pthread_once(&curl_once, curl_init_once);
    http_conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->abort = abort;
    c->mod = mod ? mod : "http";
    c->base = strdup(base_url ? base_url : "");
    c->multi = curl_multi_init();
    c->curl = curl_easy_init();
    if (!c->base || !c->multi || !c->curl)
        goto fail;

    /* "http://h:p", "http://h:p/", "http://h:p/v1", "http://h:p/v1/" are one hub. */
    size_t n = strlen(c->base);
    while (n > 0 && c->base[n - 1] == '/')
        n--;
    if (n >= 3 && strncmp(c->base + n - 3, "/v1", 3) == 0)
        n -= 3;
    while (n > 0 && c->base[n - 1] == '/')
        n--;
    c->base[n] = '\0';

    if (token && token[0]) {
        if (printable_ascii(token)) {
            size_t len = strlen(token) + sizeof "Authorization: Bearer ";
            if (!(c->auth = malloc(len)))
                goto fail;
            snprintf(c->auth, len, "Authorization: Bearer %s", token);
        } else {
            log_warn(c->mod, "the token holds control characters; not sent");
        }
    }

    CURL *h = c->curl;
    long to = timeout_ms > 0 ? (long)timeout_ms : 0L;
    if (ca_file[0]) {
        /* Only this CA: no system store, no CA directory. */
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
    }
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, to);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, to);
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
    curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent ? user_agent : "kiosk-hub-client/1");
    return c;
fail:
    http_conn_free(c);
    return NULL;
}

void http_conn_free(http_conn_t *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    if (c->multi)
        curl_multi_cleanup(c->multi);
    if (c->auth) {
        sodium_memzero(c->auth, strlen(c->auth));
        free(c->auth);
    }
    if (c->body)
        sodium_memzero(c->body, c->cap);
    free(c->body);
    free(c->base);
    free(c);
}

/* ---- status ----------------------------------------------------------------- */

void http_status_reset(hub_status_t *st)
{
    memset(st, 0, sizeof *st);
    st->result = HUB_UNKNOWN;
}

void http_status_set(hub_status_t *st, hub_result_t r, int http, const char *code,
                     const char *fmt, ...)
{
    st->result = r;
    st->http = http;
    snprintf(st->code, sizeof st->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->message, sizeof st->message, fmt, ap);
    va_end(ap);
}

void http_no_memory(hub_status_t *st)
{
    http_status_reset(st);
    http_status_set(st, HUB_UNKNOWN, 0, "network", "out of memory or request too long");
}

void http_garbage(const http_conn_t *c, hub_status_t *st, const char *what, const char *err)
{
    st->result = HUB_UNKNOWN;
    snprintf(st->code, sizeof st->code, "garbage");
    snprintf(st->message, sizeof st->message, "%s", err);
    log_warn(c->mod, "%s: %d answer not understood: %s", what, st->http, err);
}

void http_classify(CURLcode res, long http, bool too_big, size_t max, bool sink_failed,
                   bool ok_304, const char *why, const char *body, size_t len,
                   hub_status_t *st)
{
    if (too_big) {
        http_status_set(st, HUB_UNKNOWN, (int)http, "garbage", "answer over %zu bytes", max);
    } else if (sink_failed) {
        http_status_set(st, HUB_UNKNOWN, (int)http, "disk", "cannot write the download");
    } else if (res == CURLE_OPERATION_TIMEDOUT) {
        http_status_set(st, HUB_UNKNOWN, 0, "timeout", "%s", why);
    } else if (res == CURLE_ABORTED_BY_CALLBACK) {
        http_status_set(st, HUB_UNKNOWN, 0, "aborted", "%s", why);
    } else if (res != CURLE_OK) {
        http_status_set(st, HUB_UNKNOWN, 0, "network", "%s", why);
    } else if ((http >= 200 && http < 300) || (ok_304 && http == 304)) {
        st->result = HUB_OK;
        st->http = (int)http;
    } else {
        /* 4xx is the hub saying no; 408 and 429 only say "not now". */
        hub_result_t r = http >= 400 && http < 500 && http != 408 && http != 429
                             ? HUB_REFUSED : HUB_UNKNOWN;
        if (hub_parse_error(body, len, st) == 0) {
            st->result = r;
            st->http = (int)http;
        } else {
            char code[24];
            snprintf(code, sizeof code, "http_%ld", http);
            http_status_set(st, r, (int)http, code, "HTTP %ld without an error body", http);
        }
    }
}

/* ---- the request --------------------------------------------------------------- */

/* Runs the transfer set up on C->curl in C->multi, checking the abort flag
 * between waits of at most 50 ms, so an abort takes effect at once whatever
 * curl is doing (resolving, connecting, waiting for the answer). */
static CURLcode run(http_conn_t *c)
{
    CURLcode res = CURLE_OK;
    if (aborted(c))
        return CURLE_ABORTED_BY_CALLBACK;
    if (curl_multi_add_handle(c->multi, c->curl) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    for (;;) {
        int running = 1, q;
        bool done = false;
        if (curl_multi_perform(c->multi, &running) != CURLM_OK) {
            res = CURLE_FAILED_INIT;
            break;
        }
        CURLMsg *m;
        while ((m = curl_multi_info_read(c->multi, &q)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == c->curl) {
                res = m->data.result;
                done = true;
            }
        if (done)
            break;
        if (aborted(c)) {
            res = CURLE_ABORTED_BY_CALLBACK;
            break;
        }
        if (curl_multi_poll(c->multi, NULL, 0, 50, NULL) != CURLM_OK) {
            res = CURLE_FAILED_INIT;
            break;
        }
    }
    curl_multi_remove_handle(c->multi, c->curl);
    return res;
}

/* Appends LINE to *HD; false when out of memory. */
static bool add_header(struct curl_slist **hd, const char *line)
{
    struct curl_slist *t = curl_slist_append(*hd, line);
    if (t)
        *hd = t;
    return t != NULL;
}

void http_forget(http_conn_t *c)
{
    if (!c) return;
    if (c->body) sodium_memzero(c->body, c->len + 1 <= c->cap ? c->len + 1 : c->cap);
    c->len = 0;
}

int http_request(http_conn_t *c, const http_req_t *req, http_resp_t *resp, hub_status_t *st)
{
    http_status_reset(st);
    http_forget(c);                    /* the last answer may hold personal data */
    c->max = req->max_resp;
    c->sink = req->sink;
    c->sink_ud = req->sink_ud;
    c->too_big = c->sink_failed = c->replayed = false;
    c->errbuf[0] = c->etag[0] = '\0';
    if (resp) {
        resp->body = "";
        resp->len = 0;
        resp->etag[0] = '\0';
    }

    const char *method = req->method ? req->method : "GET";
    bool get = strcmp(method, "GET") == 0;
    char what[160];
    if (req->what)
        snprintf(what, sizeof what, "%s", req->what);
    else
        snprintf(what, sizeof what, "%s %s", method, req->path);

    size_t ulen = strlen(c->base) + strlen(req->path) + 1;
    char *url = malloc(ulen);
    if (!url) {
        http_status_set(st, HUB_UNKNOWN, 0, "network", "out of memory");
        return 0;
    }
    snprintf(url, ulen, "%s%s", c->base, req->path);

    CURL *h = c->curl;
    struct curl_slist *hd = NULL;
    char keyhd[96], cthd[128], inmhd[112], accept[128];
    int http_ok = 0;
    snprintf(accept, sizeof accept, "Accept: %s", req->accept ? req->accept : "application/json");
    bool ok = add_header(&hd, accept) && (!c->auth || add_header(&hd, c->auth));
    if (ok && req->if_none_match && req->if_none_match[0]) {
        snprintf(inmhd, sizeof inmhd, "If-None-Match: %s", req->if_none_match);
        ok = add_header(&hd, inmhd);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
    if (get) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        snprintf(cthd, sizeof cthd, "Content-Type: %s", req->ctype ? req->ctype : "application/json");
        ok = ok && add_header(&hd, cthd) && add_header(&hd, "Expect:");  /* no 100-continue */
        /* A key the hub would refuse is left out: it answers 400 idempotency_key. */
        const char *key = req->idem_key;
        if (ok && key && key[0] && strlen(key) <= 64 && printable_ascii(key)) {
            snprintf(keyhd, sizeof keyhd, "Idempotency-Key: %s", key);
            ok = add_header(&hd, keyhd);
        }
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") ? method : NULL);
    }
    if (!ok) {
        http_status_set(st, HUB_UNKNOWN, 0, "network", "out of memory");
        goto end;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);

    CURLcode res = run(c);
    long http = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(res);
    http_classify(res, http, c->too_big, c->max, c->sink_failed, req->ok_304, why,
                  c->body, c->len, st);
    st->replayed = c->replayed;
    if (res == CURLE_OK && !c->too_big && !c->sink_failed)
        http_ok = (int)http;
    if (resp) {
        resp->body = c->body ? c->body : "";
        resp->len = c->len;
        memcpy(resp->etag, c->etag, sizeof resp->etag);
    }
    if (st->result == HUB_UNKNOWN && !http_ok && strcmp(st->code, "aborted") == 0)
        log_info(c->mod, "%s: aborted", what);
    else if (st->result == HUB_UNKNOWN)
        log_warn(c->mod, "%s: no usable answer: %s (%s)", what, st->code, st->message);
    else if (st->result == HUB_REFUSED)
        log_info(c->mod, "%s: refused: %d %s", what, st->http, st->code);
end:
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_slist_free_all(hd);
    free(url);
    c->sink = NULL;
    c->sink_ud = NULL;
    return http_ok;
}

/* ---- helpers ------------------------------------------------------------------- */

char *http_escape(http_conn_t *c, const char *value)
{
    return curl_easy_escape(c->curl, value ? value : "", 0);
}

void http_wipe_json(cJSON *n)
{
    for (; n; n = n->next) {
        if (n->valuestring)
            sodium_memzero(n->valuestring, strlen(n->valuestring));
        http_wipe_json(n->child);
    }
}

char *http_print_secret(cJSON *doc)
{
    char *s = doc ? cJSON_PrintUnformatted(doc) : NULL;
    http_wipe_json(doc);
    cJSON_Delete(doc);
    return s;
}

void http_free_secret(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    cJSON_free(s);
}
