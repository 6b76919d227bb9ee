#include "server.h"

#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "audit.h"
#include "auth.h"
#include "content_cache.h"
#include "db.h"
#include "guard.h"
#include "pii.h"
#include "policy.h"
#include "ratelimit.h"
#include "tls.h"
#include "upload.h"
#include "log.h"
#include "validate.h"

#define IDEM_KEEP_S (48 * 3600)      /* keys live at least 24 h; kept 48 */
#define DRAIN_MAX (1024 * 1024)      /* refused bodies up to this are read, dropped, then answered */

struct hub {
    hub_config_t cfg;
    struct MHD_Daemon *daemon;
    int port;
    atomic_int active;               /* open connections */
    atomic_llong last_purge;
    atomic_llong buffered;           /* request body bytes held, all connections */
    rl_t *rl;
    guard_t *guard;
    content_cache_t *content;        /* answers of GET /v1/content (content_cache.h) */
    char spool[512];                 /* where large uploads are written */
    char *tls_cert, *tls_key;        /* PEM text, HTTPS only */
};

/* Where a request's headers and query come from: a live connection, or the
 * list given to hub_handle. */
typedef struct {
    struct MHD_Connection *conn;
    const char *const *headers;
    const char *query;               /* raw query string for hub_handle */
} source_t;

const hub_config_t *hub_config(const hub_t *hub) { return &hub->cfg; }
int hub_port(const hub_t *hub) { return hub->port; }
content_cache_t *hub_content_cache(hub_t *hub) { return hub->content; }

/* ---- responses ---------------------------------------------------------- */

int hub_reply(hub_resp_t *resp, int status, cJSON *obj)
{
    free(resp->body);
    resp->status = status;
    resp->body = obj ? cJSON_PrintUnformatted(obj) : strdup("{}");
    cJSON_Delete(obj);
    if (!resp->body) {                 /* out of memory */
        resp->status = 500;
        resp->body = NULL;
    }
    return status;
}

int hub_error(hub_resp_t *resp, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", msg);
    return hub_reply(resp, status, o);
}

static const char *src_header(const source_t *src, const char *name)
{
    if (src->conn) return MHD_lookup_connection_value(src->conn, MHD_HEADER_KIND, name);
    size_t n = strlen(name);
    for (int i = 0; src->headers && src->headers[i]; i++)
        if (strncasecmp(src->headers[i], name, n) == 0 && src->headers[i][n] == ':') {
            const char *v = src->headers[i] + n + 1;
            while (*v == ' ') v++;
            return v;
        }
    return NULL;
}

/* Query lookup for hub_handle: "a=1&b=2", no percent-decoding of keys. */
static const char *src_query(const source_t *src, const char *key, char *buf, size_t len)
{
    if (src->conn) return MHD_lookup_connection_value(src->conn, MHD_GET_ARGUMENT_KIND, key);
    if (!src->query) return NULL;
    size_t kl = strlen(key);
    for (const char *p = src->query; p && *p; ) {
        const char *amp = strchr(p, '&');
        size_t seg = amp ? (size_t)(amp - p) : strlen(p);
        if (seg > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            snprintf(buf, len, "%.*s", (int)(seg - kl - 1), p + kl + 1);
            return buf;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

/* The request's source, reachable from hub_req_t.conn. */
typedef struct {
    source_t src;
    char qbuf[8][256];
    int qn;
} req_ctx_t;

const char *hub_header(const hub_req_t *req, const char *name)
{
    return src_header(&((req_ctx_t *)req->conn)->src, name);
}

const char *hub_query(const hub_req_t *req, const char *key)
{
    req_ctx_t *ctx = req->conn;
    char *buf = ctx->qbuf[ctx->qn++ % 8];
    return src_query(&ctx->src, key, buf, sizeof ctx->qbuf[0]);
}

void hub_etag(const hub_req_t *req, hub_resp_t *resp)
{
    if (!resp->body || resp->status != 200) return;
    if (!resp->etag[0]) {            /* else the handler's, kept with its answer */
        unsigned char h[16];
        size_t n = resp->content_type ? resp->body_len : strlen(resp->body);
        crypto_generichash(h, sizeof h, (const unsigned char *)resp->body, n, NULL, 0);
        char hex[33];
        sodium_bin2hex(hex, sizeof hex, h, sizeof h);
        snprintf(resp->etag, sizeof resp->etag, "\"%s\"", hex);
    }
    const char *inm = hub_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    resp->not_modified = inm && strcmp(inm, resp->etag) == 0;
}

/* ---- idempotency ------------------------------------------------------- */

/* The request's fingerprint, "k2:" + a keyed hash (pii.h) of method, path
 * and body: a key reused on another route or with another body is refused,
 * and no plain hash of a body that holds an ID number is stored. */
static int fingerprint(const hub_req_t *req, char out[68])
{
    const void *parts[] = {req->method, req->path, req->body};
    size_t lens[] = {strlen(req->method), strlen(req->path), req->body_len};
    char hex[65];
    if (pii_hash_parts("idem", 3, parts, lens, hex) != 0) return -1;
    snprintf(out, 68, "k2:%s", hex);
    return 0;
}

/* Whether SEEN (a stored fingerprint) is REQ's. A "k1:" record (migration
 * 10, a keyed hash of the plain digest of the body alone) is matched as
 * the hub matched it before, until it expires. */
static bool same_request(const hub_req_t *req, const char *seen, const char *fp)
{
    if (strncmp(seen, "k1:", 3) != 0) return strcmp(seen, fp) == 0;
    unsigned char h[crypto_hash_sha256_BYTES];
    char old[65], hex[65];
    crypto_hash_sha256(h, (const unsigned char *)req->body, req->body_len);
    sodium_bin2hex(old, sizeof old, h, sizeof h);
    const void *parts[] = {old};
    size_t lens[] = {64};
    return pii_hash_parts("idem-v1", 1, parts, lens, hex) == 0 && strcmp(seen + 3, hex) == 0;
}

/* 1 and the stored response if (DEVICE, KEY) was seen, 0 if not, -1 on error. */
static int idem_lookup(sqlite3 *db, const char *device, const char *key, char hash_out[68],
                       hub_resp_t *resp)
{
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(db, "SELECT body_hash, status, response FROM idempotency "
                               "WHERE device = ?1 AND key = ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        snprintf(hash_out, 68, "%s", (const char *)sqlite3_column_text(st, 0));
        resp->status = sqlite3_column_int(st, 1);
        resp->body = strdup((const char *)sqlite3_column_text(st, 2));
        found = resp->body ? 1 : -1;
    } else if (rc == SQLITE_DONE) {
        found = 0;
    }
    sqlite3_finalize(st);
    return found;
}

static int idem_store(sqlite3 *db, const char *device, const char *key, const char *hash,
                      const hub_resp_t *resp, int64_t now)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO idempotency(device, key, body_hash, status, "
                                    "response, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, resp->status);
        sqlite3_bind_text(st, 5, resp->body ? resp->body : "{}", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 6, now);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

static void idem_purge(hub_t *hub, sqlite3 *db, int64_t now)
{
    long long last = atomic_load(&hub->last_purge);
    if (now - last < 60 || !atomic_compare_exchange_strong(&hub->last_purge, &last, now)) return;
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM idempotency WHERE created < %lld", (long long)(now - IDEM_KEEP_S));
    db_exec(db, sql);
}

/* Runs a POST handler exactly once per (device, key): inside one IMMEDIATE
 * transaction the key is looked up, the handler runs, and its response is
 * stored with its effects. A replay returns the stored response; the same
 * key with another body is refused. Errors >= 400 keep no effects; >= 500
 * are not stored, so a retry can succeed. */
static void run_post(hub_t *hub, hub_req_t *req, const hub_route_t *route, const char *key,
                     hub_resp_t *resp, bool *replayed)
{
    sqlite3 *db = req->db;
    char hash[68], seen[68] = "";
    if (fingerprint(req, hash) != 0) {
        hub_error(resp, 500, "storage", "the hub has no key for request fingerprints");
        return;
    }
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; retry with the same Idempotency-Key");
        return;
    }
    int found = idem_lookup(db, req->device.id, key, seen, resp);
    if (found != 0) {
        db_exec(db, "ROLLBACK");
        if (found < 0) {
            hub_error(resp, 500, "storage", "cannot read the idempotency record");
        } else if (!same_request(req, seen, hash)) {
            hub_error(resp, 422, "idempotency_key_reused",
                      "this Idempotency-Key was used with a different request (method, path or body)");
        } else {
            *replayed = true;
        }
        return;
    }
    db_exec(db, "SAVEPOINT handler");
    route->handler(req, resp);
    if (resp->status >= 500 || !resp->body) {
        db_exec(db, "ROLLBACK");
        return;
    }
    if (resp->status >= 400) db_exec(db, "ROLLBACK TO handler");
    db_exec(db, "RELEASE handler");
    if (idem_store(db, req->device.id, key, hash, resp, req->now) != 0 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the request could not be stored; retry with the same key");
        return;
    }
    idem_purge(hub, db, req->now);
}

/* ---- dispatch ---------------------------------------------------------- */

size_t hub_route_max_body(const hub_route_t *route)
{
    return route && route->max_body ? route->max_body : HUB_MAX_BODY;
}

static int route_class(const hub_route_t *route)
{
    if (route->flags & ROUTE_LOOKUP) return RATE_LOOKUP;
    if (route->flags & ROUTE_PAY) return RATE_PAY;
    if (route->flags & ROUTE_FLEET) return RATE_FLEET;
    return RATE_CONTENT;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool hub_rate_take(hub_t *hub, const char *key, int rate_class, int *retry_s)
{
    *retry_s = 0;
    return !hub->rl || rl_take(hub->rl, key, rate_class, mono_ms(), retry_s);
}

/* The client's address into OUT ("local" without a connection). Behind a
 * trusted proxy on this machine (hub.ini [console] trust_proxy), the
 * address it gives in X-Real-IP: else every staff member would share the
 * proxy's address, and its limits and lockout. */
static void client_addr(const hub_t *hub, const source_t *src, char *out, size_t len)
{
    snprintf(out, len, "local");
    const char *real = src_header(src, "X-Real-IP");
    if (hub->cfg.console_trust_proxy && real) {
        unsigned char bin[16];
        if (inet_pton(AF_INET, real, bin) == 1 || inet_pton(AF_INET6, real, bin) == 1) {
            snprintf(out, len, "%s", real);
            return;
        }
    }
    if (!src->conn) return;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(src->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)len);
}

/* One request from its headers to its answer: what the headers decided
 * (route, parameters, device) is kept for when the body has arrived. */
typedef struct {
    req_ctx_t ctx;
    char path[512], pbuf[512];
    const char *params[HUB_MAX_PARAMS];
    int np;
    const hub_route_t *route;
    hub_req_t req;
    upload_t *up;                    /* the body, for a request that passed the headers */
    hub_resp_t refusal;              /* decided at the headers, sent once a small body is drained */
    bool draining;
} call_t;

/* Everything decided from the request line and headers, before any byte of
 * the body is read: the route, the token (401), the device's rate (429),
 * the declared body size (413, CONTENT_LENGTH < 0 if not declared). 0 to
 * go on, else the status with RESP filled. */
static int on_headers(hub_t *hub, call_t *call, const char *method, const char *url,
                      long long content_length, hub_resp_t *resp)
{
    bool known = false;
    call->req = (hub_req_t){.hub = hub, .method = method, .path = call->path, .conn = &call->ctx};
    if (strlen(url) >= sizeof call->path)
        return hub_error(resp, 414, "uri_too_long", "the path is longer than %zu bytes", sizeof call->path - 1);
    snprintf(call->path, sizeof call->path, "%s", url);
    if (atomic_load(&hub->active) > hub->cfg.max_connections) {
        resp->retry_after = 1;
        return hub_error(resp, 503, "overloaded", "too many connections; retry shortly");
    }
    const hub_route_t *route = hub_route_match(method, call->path, call->pbuf, sizeof call->pbuf,
                                               call->params, &call->np, &known);
    if (route && (route->flags & ROUTE_DEMO) && !hub->cfg.demo) route = NULL, known = false;
    if (!route) {
        if (known) return hub_error(resp, 405, "method_not_allowed", "%s is not allowed on %s", method, call->path);
        return hub_error(resp, 404, "not_found", "no such endpoint: %s", call->path);
    }
    call->route = route;
    hub_req_t *req = &call->req;
    client_addr(hub, &call->ctx.src, req->addr, sizeof req->addr);
    if (route->flags & ROUTE_CONSOLE) resp->console = true;
    req->nparams = call->np;
    memcpy(req->params, call->params, sizeof req->params);
    req->now = hub_now();
    req->db = db_thread();
    if (!req->db) return hub_error(resp, 503, "storage", "the database is unavailable");
    const char *authz = src_header(&call->ctx.src, MHD_HTTP_HEADER_AUTHORIZATION);
    if ((route->flags & ROUTE_AUTH) && auth_check(req->db, authz, req->device.id, sizeof req->device.id) != 0)
        return hub_error(resp, 401, "unauthorized", "a valid device token is required");
    if ((route->flags & ROUTE_STAFF) &&
        auth_check_role(req->db, authz, "staff", req->device.id, sizeof req->device.id) != 0)
        return hub_error(resp, 401, "unauthorized", "a valid staff token is required");
    int retry = 0;
    if (route->flags & ROUTE_CONSOLE) {
        /* A browser has no device id: its address is what is counted. */
        char rkey[80];
        bool files = route->flags & ROUTE_STATIC;
        snprintf(rkey, sizeof rkey, "%s@%s", files ? "console-files" : "console", req->addr);
        if (!hub_rate_take(hub, rkey, files ? RATE_CONTENT : RATE_FLEET, &retry)) {
            resp->retry_after = retry;
            return hub_error(resp, 429, "rate_limited", "too many console requests; retry in %d s", retry);
        }
    }
    if (req->device.id[0] && hub->rl && !rl_take(hub->rl, req->device.id, route_class(route), mono_ms(), &retry)) {
        resp->retry_after = retry;
        hub_error(resp, 429, "rate_limited", "too many %s requests from this device; retry in %d s",
                  policy_class_name(route_class(route)), retry);
        if (route->flags & ROUTE_LOOKUP) audit_lookup(req, audit_kind(req, route), 429);
        return 429;
    }
    if (content_length > (long long)hub_route_max_body(route))
        return hub_error(resp, 413, "body_too_large", "the body is larger than %zu bytes", hub_route_max_body(route));
    return 0;
}

/* The route's hook and handler (POST: exactly once per key). */
static void on_route(hub_t *hub, call_t *call, const hub_route_t *route, const char *key,
                     hub_resp_t *resp, bool *replayed)
{
    hub_req_t *req = &call->req;
    const char *body = req->body;
    size_t len = req->body_len;
    if (route->before) route->before(req);
    if (route->flags & ROUTE_CONSOLE) {
        resp->console = true;
        /* A page of another site can post a form (urlencoded, multipart,
         * text/plain) without asking; JSON it can send only after a CORS
         * preflight, which the hub never grants. So can it a picture
         * (image/png, image/jpeg), which only a raw route takes. */
        const char *ct = src_header(&call->ctx.src, MHD_HTTP_HEADER_CONTENT_TYPE);
        bool picture = (route->flags & ROUTE_RAW) && ct &&
                       (!strncasecmp(ct, "image/png", 9) || !strncasecmp(ct, "image/jpeg", 10));
        if (strcmp(req->method, "POST") == 0 && !(ct && !strncasecmp(ct, "application/json", 16)) && !picture) {
            hub_error(resp, 415, "content_type", (route->flags & ROUTE_RAW)
                          ? "a picture is sent as image/png or image/jpeg"
                          : "console requests are application/json");
            return;
        }
        if (strcmp(req->method, "POST") == 0 && !(route->flags & ROUTE_RAW) &&
            v_parse_object(resp, len ? body : "{}", len ? len : 2, &req->json) != 0) return;
        route->handler(req, resp);
        cJSON_Delete(req->json);
        req->json = NULL;
        return;
    }
    if (strcmp(req->method, "POST") != 0) {
        route->handler(req, resp);
        hub_etag(req, resp);
    } else {
        if (!v_idem_key(key)) {
            hub_error(resp, 400, "idempotency_key", "an Idempotency-Key header (1 to 64 of A-Z a-z 0-9 - _ . :) is required");
            return;
        }
        if (!(route->flags & ROUTE_RAW) &&
            v_parse_object(resp, len ? body : "{}", len ? len : 2, &req->json) != 0) return;
        run_post(hub, req, route, key, resp, replayed);
        cJSON_Delete(req->json);
        req->json = NULL;
    }
    /* A handler of another class that checked a resident's proof (a
     * resident code with a booking) named an audit kind: audited too. */
    if ((route->flags & ROUTE_LOOKUP) || req->audit_kind) audit_lookup(req, audit_kind(req, route), resp->status);
}

/* The rest, once the body (BODY, LEN; BODY_STATUS from upload_status) is in. */
static void on_body(hub_t *hub, call_t *call, const char *body, size_t len, int body_status,
                    hub_resp_t *resp, bool *replayed)
{
    hub_req_t *req = &call->req;
    const hub_route_t *route = call->route;
    req->now = hub_now();            /* the body may have taken a while */
    req->body = body;
    req->body_len = len;
    if (body_status == 413 || len > hub_route_max_body(route)) {
        hub_error(resp, 413, "body_too_large", "the body is larger than %zu bytes", hub_route_max_body(route));
        return;
    }
    if (body_status == 503) {
        resp->retry_after = 5;
        hub_error(resp, 503, "overloaded", "too many request bodies in progress; retry shortly");
        return;
    }
    if (body_status) {
        hub_error(resp, 500, "storage", "the request body could not be stored");
        return;
    }
    /* Money routes commit at synchronous=FULL, the provider hook's
     * transactions too: an acknowledged payment survives a power cut. */
    int sync = (route->flags & ROUTE_DURABLE) ? db_sync_full(req->db) : -1;
    on_route(hub, call, route, src_header(&call->ctx.src, "Idempotency-Key"), resp, replayed);
    if (sync >= 0) db_sync_restore(req->db, sync);
}

hub_resp_t hub_handle(hub_t *hub, const char *method, const char *path,
                      const char *const *headers, const char *body, size_t len)
{
    char url[600];
    snprintf(url, sizeof url, "%s", path);
    char *q = strchr(url, '?');
    if (q) *q++ = '\0';
    hub_resp_t resp = {0};
    call_t *call = calloc(1, sizeof *call);
    if (!call) { hub_error(&resp, 500, "memory", "out of memory"); return resp; }
    call->ctx.src = (source_t){.headers = headers, .query = q};
    bool replayed = false;
    if (on_headers(hub, call, method, url, body ? (long long)len : 0, &resp) == 0)
        on_body(hub, call, body ? body : "", body ? len : 0, 0, &resp, &replayed);
    free(call);
    return resp;
}

/* ---- libmicrohttpd glue ------------------------------------------------ */

static enum MHD_Result send_resp(struct MHD_Connection *c, hub_resp_t *r, bool replayed)
{
    struct MHD_Response *mr;
    int status = r->not_modified ? 304 : r->status;
    if (r->not_modified || !r->body) {
        free(r->body);
        r->body = NULL;
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    } else {
        size_t n = r->content_type ? r->body_len : strlen(r->body);
        mr = MHD_create_response_from_buffer(n, r->body, MHD_RESPMEM_MUST_FREE);
    }
    if (!mr) { free(r->body); return MHD_NO; }
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type && !r->not_modified && r->body
                                ? r->content_type : "application/json; charset=utf-8");
    if (r->etag[0]) MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, r->etag);
    if (replayed) MHD_add_response_header(mr, "Idempotent-Replayed", "true");
    if (r->set_cookie[0]) MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->set_cookie2[0]) MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie2);
    if (r->disposition[0] && r->status == 200)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->disposition);
    if (r->console) {
        /* The console's pages run only their own files: no inline script or
         * style, no framing, nothing sent elsewhere. */
        MHD_add_response_header(mr, "Content-Security-Policy",
                                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(mr, "X-Frame-Options", "DENY");
        MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    }
    if (status == 503 && r->retry_after <= 0) r->retry_after = 1;
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", r->retry_after);
        MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result ok = MHD_queue_response(c, status ? (unsigned)status : 500, mr);
    MHD_destroy_response(mr);
    return ok;
}

/* The declared body size, or -1 (none, or chunked). */
static long long content_length(struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (!v || !*v) return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end || n < 0 ? LLONG_MAX : n;
}

/* The first call (headers complete) decides from the headers alone: an
 * answer queued then is sent without reading the body (libmicrohttpd closes
 * the connection after it, and sends no "100 Continue"). Bodies of requests
 * that pass are held in an upload (spooled to disk for the large routes). */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    hub_t *hub = cls;
    call_t *call = *con_cls;
    if (!call) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        if (ci) guard_headers_done(ci->socket_context);
        call = calloc(1, sizeof *call);
        if (!call) return MHD_NO;
        *con_cls = call;
        call->ctx.src = (source_t){.conn = c};
        hub_resp_t r = {0};
        long long cl = content_length(c);
        if (on_headers(hub, call, method, url, cl, &r) != 0) {
            /* Answered now, the connection is closed with the body unread:
             * a client still sending it may get a reset before the answer.
             * A small declared body from a client that did not ask before
             * sending is read and dropped first (nothing of it is kept). */
            const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
            if (cl > 0 && cl <= DRAIN_MAX && !(expect && strcasestr(expect, "100-continue"))) {
                call->refusal = r;
                call->draining = true;
                return MHD_YES;
            }
            return send_resp(c, &r, false);
        }
        size_t max = hub_route_max_body(call->route);
        call->up = upload_new(max, max > HUB_MAX_BODY ? hub->spool : NULL, &hub->buffered, hub->cfg.max_buffered);
        if (!call->up) return MHD_NO;
        if (cl > 0 && upload_reserve(call->up, (size_t)cl) != 0) {
            r.retry_after = 5;
            hub_error(&r, 503, "overloaded", "too many request bodies in progress; retry shortly");
            return send_resp(c, &r, false);
        }
        return MHD_YES;
    }
    if (call->draining) {
        if (*data_size) { *data_size = 0; return MHD_YES; }
        call->draining = false;
        return send_resp(c, &call->refusal, false);
    }
    if (!call->up) return MHD_NO;      /* answered at the headers */
    if (*data_size) {
        upload_add(call->up, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    bool replayed = false;
    hub_resp_t r = {0};
    size_t len = 0;
    const char *body = upload_body(call->up, &len);
    on_body(hub, call, body ? body : "", len, upload_status(call->up), &r, &replayed);
    return send_resp(c, &r, replayed);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    call_t *call = *con_cls;
    if (call) {
        if (call->draining) free(call->refusal.body);
        upload_free(call->up);
        free(call);
        *con_cls = NULL;
    }
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (ci) guard_request_done(ci->socket_context);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    hub_t *hub = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&hub->active, 1);
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = hub->guard && ci ? guard_open(hub->guard, ci->connect_fd) : NULL;
    } else {
        atomic_fetch_sub(&hub->active, 1);
        if (hub->guard) guard_close(hub->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's own messages (a client hanging up, a bad request line)
 * go through the hub's log, so HUB_LOG=quiet silences them too. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    hub_log("http", "%s", msg);
}

hub_t *hub_new(const hub_config_t *cfg)
{
    hub_t *hub = calloc(1, sizeof *hub);
    if (!hub || sodium_init() < 0) { free(hub); return NULL; }
    hub->cfg = *cfg;
    if (hub->cfg.max_connections <= 0) hub->cfg.max_connections = 1000;
    policy_defaults(&hub->cfg);
    const char *tmp = getenv("TMPDIR");
    snprintf(hub->spool, sizeof hub->spool, "%s",
             hub->cfg.spool_dir[0] ? hub->cfg.spool_dir : tmp && *tmp ? tmp : "/tmp");
    hub->rl = rl_new(hub->cfg.rate);
    hub->content = content_cache_new();
    if (!hub->rl || !hub->content) {
        rl_free(hub->rl);
        content_cache_free(hub->content);
        free(hub);
        return NULL;
    }
    return hub;
}

hub_t *hub_start(const hub_config_t *cfg, char *err, int errlen)
{
    hub_t *hub = hub_new(cfg);
    char *cert = NULL, *key = NULL;
    if (!hub) { snprintf(err, errlen, "out of memory or libsodium failed"); return NULL; }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->listen_addr, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "listen address %s is not an IPv4 address", cfg->listen_addr);
        goto fail;
    }
    if (tls_load(&hub->cfg, &cert, &key, err, (size_t)errlen) != 0) goto fail;
    hub->guard = guard_start(hub->cfg.header_timeout_s);
    if (!hub->guard) { snprintf(err, errlen, "cannot start the connection guard"); goto fail; }
    struct MHD_OptionItem tls_opts[] = {
        {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     (cert ? MHD_USE_TLS : 0);
    hub->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, hub,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, hub,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 4),
        /* The hard limit sits above the soft one so overload gets a JSON 503. */
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(hub->cfg.max_connections + 64),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)hub->cfg.per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, hub,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, hub,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    /* libmicrohttpd keeps pointers to the PEM text: it lives as long as the hub. */
    hub->tls_cert = cert;
    hub->tls_key = key;
    cert = key = NULL;
    if (!hub->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use?)", cfg->listen_addr, cfg->port);
        goto fail;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(hub->daemon, MHD_DAEMON_INFO_BIND_PORT);
    hub->port = info ? info->port : cfg->port;
    return hub;
fail:
    free(cert);
    free(key);
    hub_stop(hub);
    return NULL;
}

void hub_stop(hub_t *hub)
{
    if (!hub) return;
    if (hub->daemon) MHD_stop_daemon(hub->daemon);
    guard_stop(hub->guard);
    rl_free(hub->rl);
    content_cache_free(hub->content);
    free(hub->tls_cert);
    if (hub->tls_key) sodium_memzero(hub->tls_key, strlen(hub->tls_key));
    free(hub->tls_key);
    free(hub);
}
