#include "server.h"

#include <arpa/inet.h>
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
#include "auth.h"
#include "db.h"
#include "log.h"
#include "validate.h"

#define IDEM_KEEP_S (48 * 3600)      /* keys live at least 24 h; kept 48 */

struct hub {
    hub_config_t cfg;
    struct MHD_Daemon *daemon;
    int port;
    atomic_int active;               /* open connections */
    atomic_llong last_purge;
};

typedef struct {
    char *buf;
    size_t len;
    size_t alloc;                    /* bytes allocated in BUF */
    size_t max;                      /* the route's body cap */
    bool too_big;
} upload_t;

/* Where a request's headers and query come from: a live connection, or the
 * list given to hub_handle. */
typedef struct {
    struct MHD_Connection *conn;
    const char *const *headers;
    const char *query;               /* raw query string for hub_handle */
} source_t;

const hub_config_t *hub_config(const hub_t *hub) { return &hub->cfg; }
int hub_port(const hub_t *hub) { return hub->port; }

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
    unsigned char h[16];
    size_t n = resp->content_type ? resp->body_len : strlen(resp->body);
    crypto_generichash(h, sizeof h, (const unsigned char *)resp->body, n, NULL, 0);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(resp->etag, sizeof resp->etag, "\"%s\"", hex);
    const char *inm = hub_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && strcmp(inm, resp->etag) == 0) resp->not_modified = true;
}

/* ---- idempotency ------------------------------------------------------- */

static void body_hash(const char *body, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)body, len);
    sodium_bin2hex(out, 65, h, sizeof h);
}

/* 1 and the stored response if (DEVICE, KEY) was seen, 0 if not, -1 on error. */
static int idem_lookup(sqlite3 *db, const char *device, const char *key, char hash_out[65],
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
        snprintf(hash_out, 65, "%s", (const char *)sqlite3_column_text(st, 0));
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
    char hash[65], seen[65] = "";
    body_hash(req->body, req->body_len, hash);
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; retry with the same Idempotency-Key");
        return;
    }
    int found = idem_lookup(db, req->device.id, key, seen, resp);
    if (found != 0) {
        db_exec(db, "ROLLBACK");
        if (found < 0) {
            hub_error(resp, 500, "storage", "cannot read the idempotency record");
        } else if (strcmp(seen, hash) != 0) {
            hub_error(resp, 422, "idempotency_key_reused",
                      "this Idempotency-Key was used with a different request body");
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

static hub_resp_t dispatch(hub_t *hub, const char *method, const char *url, const source_t *src,
                           const char *body, size_t len, bool too_big, bool *replayed)
{
    hub_resp_t resp = {0};
    char path[512], pbuf[512];
    snprintf(path, sizeof path, "%s", url);
    const char *params[HUB_MAX_PARAMS];
    int np = 0;
    bool known = false;
    req_ctx_t ctx = {.src = *src};

    if (strlen(url) >= sizeof path) {
        hub_error(&resp, 414, "uri_too_long", "the path is longer than %zu bytes", sizeof path - 1);
        return resp;
    }
    if (atomic_load(&hub->active) > hub->cfg.max_connections) {
        hub_error(&resp, 503, "overloaded", "too many connections; retry shortly");
        return resp;
    }
    const hub_route_t *route = hub_route_match(method, path, pbuf, sizeof pbuf, params, &np, &known);
    if (route && (route->flags & ROUTE_DEMO) && !hub->cfg.demo) route = NULL, known = false;
    if (!route) {
        if (known) hub_error(&resp, 405, "method_not_allowed", "%s is not allowed on %s", method, path);
        else hub_error(&resp, 404, "not_found", "no such endpoint: %s", path);
        return resp;
    }
    hub_req_t req = {.hub = hub, .method = method, .path = path, .nparams = np, .body = body,
                     .body_len = len, .conn = &ctx, .now = hub_now()};
    memcpy(req.params, params, sizeof params);
    req.db = db_thread();
    if (!req.db) {
        hub_error(&resp, 503, "storage", "the database is unavailable");
        return resp;
    }
    if ((route->flags & ROUTE_AUTH) &&
        auth_check(req.db, src_header(src, MHD_HTTP_HEADER_AUTHORIZATION), req.device.id,
                   sizeof req.device.id) != 0) {
        hub_error(&resp, 401, "unauthorized", "a valid device token is required");
        return resp;
    }
    if ((route->flags & ROUTE_STAFF) &&
        auth_check_role(req.db, src_header(src, MHD_HTTP_HEADER_AUTHORIZATION), "staff",
                        req.device.id, sizeof req.device.id) != 0) {
        hub_error(&resp, 401, "unauthorized", "a valid staff token is required");
        return resp;
    }
    if (route->before) route->before(&req);
    if (strcmp(method, "POST") != 0) {
        if (too_big || len > hub_route_max_body(route)) {   /* a PUT's body */
            hub_error(&resp, 413, "body_too_large", "the body is larger than %zu bytes",
                      hub_route_max_body(route));
            return resp;
        }
        route->handler(&req, &resp);
        hub_etag(&req, &resp);
        return resp;
    }
    if (too_big || len > hub_route_max_body(route)) {
        hub_error(&resp, 413, "body_too_large", "the body is larger than %zu bytes",
                  hub_route_max_body(route));
        return resp;
    }
    const char *key = src_header(src, "Idempotency-Key");
    if (!v_idem_key(key)) {
        hub_error(&resp, 400, "idempotency_key", "an Idempotency-Key header (1 to 64 of A-Z a-z 0-9 - _ . :) is required");
        return resp;
    }
    if (!(route->flags & ROUTE_RAW) &&
        v_parse_object(&resp, len ? body : "{}", len ? len : 2, &req.json) != 0) return resp;
    run_post(hub, &req, route, key, &resp, replayed);
    cJSON_Delete(req.json);
    return resp;
}

hub_resp_t hub_handle(hub_t *hub, const char *method, const char *path,
                      const char *const *headers, const char *body, size_t len)
{
    char url[600];
    snprintf(url, sizeof url, "%s", path);
    char *q = strchr(url, '?');
    if (q) *q++ = '\0';
    source_t src = {.headers = headers, .query = q};
    bool replayed = false;
    return dispatch(hub, method, url, &src, body ? body : "", body ? len : 0, false, &replayed);
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
    if (status == 503) MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    enum MHD_Result ok = MHD_queue_response(c, status ? (unsigned)status : 500, mr);
    MHD_destroy_response(mr);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *data_size, void **con_cls)
{
    hub_t *hub = cls;
    upload_t *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u) return MHD_NO;
        /* The body cap is the route's: a screenshot may be larger than JSON. */
        char pbuf[512];
        const char *params[HUB_MAX_PARAMS];
        int np;
        bool known;
        u->max = hub_route_max_body(hub_route_match(method, url, pbuf, sizeof pbuf, params,
                                                    &np, &known));
        *con_cls = u;
        return MHD_YES;
    }
    if (*data_size) {
        if (!u->too_big && u->len + *data_size <= u->max) {
            if (u->len + *data_size + 1 > u->alloc) {
                size_t want = u->alloc ? u->alloc : 4096;
                while (want < u->len + *data_size + 1) want *= 2;
                char *nb = realloc(u->buf, want);
                if (!nb) return MHD_NO;
                u->buf = nb;
                u->alloc = want;
            }
            memcpy(u->buf + u->len, data, *data_size);
            u->len += *data_size;
            u->buf[u->len] = '\0';
        } else {
            u->too_big = true;      /* keep reading, answer 413 at the end */
        }
        *data_size = 0;
        return MHD_YES;
    }
    source_t src = {.conn = c};
    bool replayed = false;
    hub_resp_t r = dispatch(hub, method, url, &src, u->buf ? u->buf : "", u->len, u->too_big, &replayed);
    return send_resp(c, &r, replayed);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    upload_t *u = *con_cls;
    if (u) {
        free(u->buf);
        free(u);
        *con_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    hub_t *hub = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) atomic_fetch_add(&hub->active, 1);
    else atomic_fetch_sub(&hub->active, 1);
}

hub_t *hub_new(const hub_config_t *cfg)
{
    hub_t *hub = calloc(1, sizeof *hub);
    if (!hub || sodium_init() < 0) { free(hub); return NULL; }
    hub->cfg = *cfg;
    if (hub->cfg.max_connections <= 0) hub->cfg.max_connections = 1000;
    return hub;
}

hub_t *hub_start(const hub_config_t *cfg, char *err, int errlen)
{
    hub_t *hub = hub_new(cfg);
    if (!hub) { snprintf(err, errlen, "out of memory or libsodium failed"); return NULL; }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->listen_addr, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "listen address %s is not an IPv4 address", cfg->listen_addr);
        free(hub);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    hub->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, hub,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 4),
        /* The hard limit sits above the soft one so overload gets a JSON 503. */
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(cfg->max_connections + 64),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->conn_timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, hub,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, hub,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
        MHD_OPTION_END);
    if (!hub->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d (in use?)", cfg->listen_addr, cfg->port);
        free(hub);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(hub->daemon, MHD_DAEMON_INFO_BIND_PORT);
    hub->port = info ? info->port : cfg->port;
    return hub;
}

void hub_stop(hub_t *hub)
{
    if (!hub) return;
    if (hub->daemon) MHD_stop_daemon(hub->daemon);
    free(hub);
}
