/* Raw requests to the hub for telemetry and `kioskctl fleet` (hub_api.h,
 * "fleet"). Its own small libcurl transport, with the typed client's rules:
 * a multi handle polled every 50 ms so the abort flag acts at once, no
 * redirects, and the same classification of answers (4xx other than 408 and
 * 429 is HUB_REFUSED; no answer, 408, 429, 1xx/3xx/5xx is HUB_UNKNOWN). */
#include "net/hub_api.h"

#include <assert.h>
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"

#define MOD "fleet"
#define ANSWER_MAX (8 * 1024 * 1024)    /* a screenshot (4 MiB) with room */

struct hub_fleet {
    CURLM *multi;
    CURL *curl;
    char *base;                   /* "http://host:port", no "/v1", no trailing '/' */
    char *auth;                   /* "Authorization: Bearer ..." or NULL */
    int timeout_ms;
    const volatile int *abort;
    char errbuf[CURL_ERROR_SIZE];
    char *body;                   /* the answer, NUL-terminated */
    size_t len, alloc;
    bool too_big;
    bool replayed;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e) return false;
    return true;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    hub_fleet_t *f = ud;
    size_t n = size * nmemb;
    if (n > ANSWER_MAX - f->len) {
        f->too_big = true;
        return 0;
    }
    if (f->len + n + 1 > f->alloc) {
        size_t want = f->alloc * 2;
        while (want < f->len + n + 1) want *= 2;
        char *nb = realloc(f->body, want);
        if (!nb) return 0;
        f->body = nb;
        f->alloc = want;
    }
    memcpy(f->body + f->len, p, n);
    f->len += n;
    f->body[f->len] = '\0';
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    hub_fleet_t *f = ud;
    size_t n = size * nmemb;
    static const char name[] = "Idempotent-Replayed: true";
    if (n >= sizeof name - 1 && strncasecmp(p, name, sizeof name - 1) == 0) f->replayed = true;
    else if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) f->replayed = false;
    return n;
}

static int aborted(const hub_fleet_t *f)
{
    return f->abort && __atomic_load_n(f->abort, __ATOMIC_RELAXED) ? 1 : 0;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    return aborted(ud);
}

hub_fleet_t *hub_fleet_new(const char *base_url, const char *token, int timeout_ms,
                           const volatile int *abort)
{
    assert(base_url && timeout_ms > 0);
    pthread_once(&curl_once, curl_init_once);
    hub_fleet_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->timeout_ms = timeout_ms;
    f->abort = abort;
    f->alloc = 4096;
    f->body = malloc(f->alloc);
    f->base = strdup(base_url);
    f->multi = curl_multi_init();
    f->curl = curl_easy_init();
    if (!f->body || !f->base || !f->multi || !f->curl) goto fail;
    f->body[0] = '\0';

    size_t n = strlen(f->base);
    while (n > 0 && f->base[n - 1] == '/') n--;
    if (n >= 3 && strncmp(f->base + n - 3, "/v1", 3) == 0) n -= 3;
    while (n > 0 && f->base[n - 1] == '/') n--;
    f->base[n] = '\0';

    if (token && token[0]) {
        if (printable(token)) {
            size_t len = strlen(token) + sizeof "Authorization: Bearer ";
            if (!(f->auth = malloc(len))) goto fail;
            snprintf(f->auth, len, "Authorization: Bearer %s", token);
        } else {
            log_warn(MOD, "the token holds control characters; not sent");
        }
    }
    CURL *h = f->curl;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, f);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "kiosk-fleet/1");
    return f;
fail:
    hub_fleet_free(f);
    return NULL;
}

void hub_fleet_free(hub_fleet_t *f)
{
    if (!f) return;
    if (f->curl) curl_easy_cleanup(f->curl);
    if (f->multi) curl_multi_cleanup(f->multi);
    if (f->auth) {
        sodium_memzero(f->auth, strlen(f->auth));
        free(f->auth);
    }
    free(f->base);
    free(f->body);
    free(f);
}

static void status_set(hub_status_t *st, hub_result_t r, int http, const char *code,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void status_set(hub_status_t *st, hub_result_t r, int http, const char *code,
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

/* The transfer set up on F->curl, the abort flag checked every 50 ms. */
static CURLcode run(hub_fleet_t *f)
{
    CURLcode res = CURLE_OK;
    if (aborted(f)) return CURLE_ABORTED_BY_CALLBACK;
    if (curl_multi_add_handle(f->multi, f->curl) != CURLM_OK) return CURLE_OUT_OF_MEMORY;
    for (;;) {
        int running = 1, q;
        bool done = false;
        if (curl_multi_perform(f->multi, &running) != CURLM_OK) { res = CURLE_FAILED_INIT; break; }
        CURLMsg *m;
        while ((m = curl_multi_info_read(f->multi, &q)))
            if (m->msg == CURLMSG_DONE && m->easy_handle == f->curl) {
                res = m->data.result;
                done = true;
            }
        if (done) break;
        if (aborted(f)) { res = CURLE_ABORTED_BY_CALLBACK; break; }
        if (curl_multi_poll(f->multi, NULL, 0, 50, NULL) != CURLM_OK) { res = CURLE_FAILED_INIT; break; }
    }
    curl_multi_remove_handle(f->multi, f->curl);
    return res;
}

void hub_fleet_request(hub_fleet_t *f, const char *method, const char *path,
                       const char *ctype, const void *body, size_t len,
                       const char *idem_key, const char **out, size_t *outlen,
                       hub_status_t *st)
{
    memset(st, 0, sizeof *st);
    st->result = HUB_UNKNOWN;
    if (out) *out = NULL;
    if (outlen) *outlen = 0;
    bool post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0) {
        status_set(st, HUB_REFUSED, 0, "bad_request", "method %s not supported", method);
        return;
    }
    f->len = 0;
    f->body[0] = '\0';
    f->too_big = f->replayed = false;
    f->errbuf[0] = '\0';

    size_t ulen = strlen(f->base) + strlen(path) + 1;
    char *url = malloc(ulen);
    struct curl_slist *hd = NULL, *t;
    char keyhd[96], cthd[96];
    if (!url) {
        status_set(st, HUB_UNKNOWN, 0, "network", "out of memory");
        return;
    }
    snprintf(url, ulen, "%s%s", f->base, path);
    CURL *h = f->curl;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (post) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? len : 0));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    const char *lines[6];
    int nl = 0;
    lines[nl++] = "Accept: application/json, image/png";
    if (f->auth) lines[nl++] = f->auth;
    if (post) {
        snprintf(cthd, sizeof cthd, "Content-Type: %s", ctype ? ctype : "application/json");
        lines[nl++] = cthd;
        lines[nl++] = "Expect:";
        if (idem_key && idem_key[0] && strlen(idem_key) <= 64 && printable(idem_key)) {
            snprintf(keyhd, sizeof keyhd, "Idempotency-Key: %s", idem_key);
            lines[nl++] = keyhd;
        }
    }
    for (int i = 0; i < nl; i++) {
        if (!(t = curl_slist_append(hd, lines[i]))) {
            status_set(st, HUB_UNKNOWN, 0, "network", "out of memory");
            goto end;
        }
        hd = t;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);

    CURLcode res = run(f);
    long http = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http);
    const char *why = f->errbuf[0] ? f->errbuf : curl_easy_strerror(res);
    st->replayed = f->replayed;
    if (f->too_big) {
        status_set(st, HUB_UNKNOWN, (int)http, "garbage", "answer over %d bytes", ANSWER_MAX);
    } else if (res == CURLE_OPERATION_TIMEDOUT) {
        status_set(st, HUB_UNKNOWN, 0, "timeout", "%s", why);
    } else if (res == CURLE_ABORTED_BY_CALLBACK) {
        status_set(st, HUB_UNKNOWN, 0, "aborted", "%s", why);
    } else if (res != CURLE_OK) {
        status_set(st, HUB_UNKNOWN, 0, "network", "%s", why);
    } else if (http >= 200 && http < 300) {
        st->result = HUB_OK;
        st->http = (int)http;
        if (out) *out = f->body;
        if (outlen) *outlen = f->len;
    } else {
        hub_result_t r = http >= 400 && http < 500 && http != 408 && http != 429
                             ? HUB_REFUSED : HUB_UNKNOWN;
        if (hub_parse_error(f->body, f->len, st) == 0) {
            st->result = r;
            st->http = (int)http;
        } else {
            char code[16];
            snprintf(code, sizeof code, "http_%ld", http);
            status_set(st, r, (int)http, code, "HTTP %ld without an error body", http);
        }
    }
    if (st->result == HUB_UNKNOWN && strcmp(st->code, "aborted") != 0)
        log_warn(MOD, "%s %s: no usable answer: %s (%s)", method, path, st->code, st->message);
    else if (st->result == HUB_REFUSED)
        log_info(MOD, "%s %s: refused: %d %s", method, path, st->http, st->code);
end:
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(hd);
    free(url);
}
