/* The one libcurl transport behind the hub clients (hub_api.c, hub_hk.c,
 * hub_fleet.c, hub_content.c). Private to kiosk/net/.
 *
 * An http_conn_t is one connection to the hub: a CURL easy handle kept alive
 * between requests, run in a multi handle polled every 50 ms so the abort
 * flag (read atomically: another thread sets it) stops a request at once,
 * whatever curl is doing. No redirects, http and https only. One thread per
 * connection. Bodies and tokens are never logged; the log names the request
 * (WHAT, or METHOD and PATH).
 *
 * Every request is classified into a hub_status_t by http_classify, the
 * rules at the top of hub_api.h:
 *   complete 2xx (and 304 when asked)   HUB_OK, st->http set
 *   complete 4xx but 408 and 429        HUB_REFUSED, code/message from the
 *                                       error body, else "http_NNN"
 *   anything else                       HUB_UNKNOWN: "network", "timeout",
 *                                       "aborted", "garbage" (answer over the
 *                                       cap), "disk" (the sink failed), or
 *                                       the error body's code / "http_NNN" */
#ifndef KIOSK_NET_HTTP_H
#define KIOSK_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>
#include <curl/curl.h>

#include "net/hub_api.h"

typedef struct http_conn http_conn_t;

/* BASE_URL as kiosk.ini [hub] url (with or without a trailing "/" or
 * "/v1"); TOKEN sent as "Authorization: Bearer" when printable ASCII (else
 * left out, with a warning); TIMEOUT_MS for a whole request (0: none);
 * ABORT polled during a request (may be NULL); USER_AGENT; MOD the log
 * module. NULL on allocation failure. */
http_conn_t *http_conn_new(const char *base_url, const char *token, int timeout_ms,
                           const volatile int *abort, const char *user_agent,
                           const char *mod);
/* The CA certificate file (PEM) every connection made from now on trusts
 * for https instead of the system's store (kiosk.ini [hub] ca_file): pins
 * the hub's certificate authority. NULL or "": the system's store. Set once
 * at start-up, before any worker makes a connection. */
void http_set_ca_file(const char *path);

/* Frees C, wiping the token and the last answer. */
void http_conn_free(http_conn_t *c);

/* Streams a 2xx answer instead of keeping it: returns N when all was taken,
 * anything else fails the request (HUB_UNKNOWN "disk"). */
typedef size_t (*http_sink_fn)(void *ud, const char *p, size_t n);

typedef struct {
    const char *method;        /* "GET", "POST", "PUT" */
    const char *path;          /* "/v1/..."; the caller escapes variable parts */
    const char *what;          /* names it in the log; NULL: "METHOD PATH" */
    const char *accept;        /* NULL: "application/json" */
    /* A request other than GET sends BODY (BODY_LEN bytes, may hold NULs;
     * NULL: empty) as CTYPE (NULL: "application/json"). */
    const void *body;
    size_t body_len;
    const char *ctype;
    const char *idem_key;      /* Idempotency-Key, left out when the hub would
                                * refuse it (empty, over 64, not printable) */
    const char *if_none_match; /* NULL or "": not sent */
    bool ok_304;               /* a 304 is HUB_OK (a conditional poll) */
    size_t max_resp;           /* an answer over this is HUB_UNKNOWN "garbage" */
    http_sink_fn sink;         /* NULL: keep the answer in the connection */
    void *sink_ud;
} http_req_t;

typedef struct {
    const char *body;          /* the answer (any status), NUL-terminated; owned
                                * by the connection, valid until its next
                                * request. Empty when streamed to a sink. */
    size_t len;                /* its length (what the sink took, for a sink) */
    char etag[80];             /* the answer's ETag, "" if none */
} http_resp_t;

/* Performs REQ on C, ST classified as above (RESP, may be NULL, filled
 * whatever the outcome). Returns the HTTP status of a complete answer, or 0
 * when there was none (no connection, timeout, abort, over the cap, sink
 * failure). */
int http_request(http_conn_t *c, const http_req_t *req, http_resp_t *resp, hub_status_t *st);
/* Wipes the last answer kept in C's buffer (it may hold personal data):
 * done before every request, and by callers once they have parsed it. */
void http_forget(http_conn_t *c);

/* The classification (hub_api.h): the outcome RES of a transfer that got
 * status HTTP and body BODY (LEN bytes), TOO_BIG when the answer went over
 * the cap MAX, SINK_FAILED when the sink refused it; WHY curl's detail. */
void http_classify(CURLcode res, long http, bool too_big, size_t max, bool sink_failed,
                   bool ok_304, const char *why, const char *body, size_t len,
                   hub_status_t *st);

/* ---- helpers shared by the clients ------------------------------------- */

/* ST all zero, HUB_UNKNOWN. */
void http_status_reset(hub_status_t *st);
void http_status_set(hub_status_t *st, hub_result_t r, int http, const char *code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* HUB_UNKNOWN "network": out of memory or request too long (nothing sent). */
void http_no_memory(hub_status_t *st);
/* A 2xx answer whose body did not parse (ERR): the outcome is unknown. */
void http_garbage(const http_conn_t *c, hub_status_t *st, const char *what, const char *err);

/* VALUE (NULL: "") percent-encoded, or NULL; curl_free it. */
char *http_escape(http_conn_t *c, const char *value);

/* Request bodies that may hold personal data or a payment code: the printed
 * DOC (then its strings wiped and it deleted), or NULL; free it with
 * http_free_secret, which wipes it first. */
void http_wipe_json(cJSON *n);
char *http_print_secret(cJSON *doc);
void http_free_secret(char *s);

#endif
