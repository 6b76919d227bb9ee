/* Content bundles over HTTP (docs/api.md "Content bundles"): the kiosk's
 * poll and asset download, and the staff upload and publish used by
 * `kioskctl content publish`. Over the shared transport (net/http.c),
 * classified into hub_status_t by the rules of hub_api.h, with one
 * addition: a poll's 304 is HUB_OK with st->http == 304. */
#include "net/hub_api.h"

#include <cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"
#include "jsonnum.h"

#define MOD "content"
#define ANSWER_MAX (16 * 1024 * 1024)  /* a poll answer (manifest in JSON) */

struct hub_content {
    http_conn_t *conn;
    const char *buf;            /* the last answer (owned by CONN) */
    size_t len;
    char etag[80];
    /* an asset download: streamed to FP, hashed as it goes */
    FILE *fp;
    crypto_hash_sha256_state sha;
};

hub_content_t *hub_content_new(const char *base_url, const char *token, int timeout_ms,
                               const volatile int *abort)
{
    if (sodium_init() < 0) return NULL;
    for (const char *s = token ? token : ""; *s; s++)
        if ((unsigned char)*s < 0x21 || (unsigned char)*s >= 0x7f) return NULL;
    hub_content_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->conn = http_conn_new(base_url, token, timeout_ms > 0 ? timeout_ms : 10000, abort,
                            "kiosk-content/1", MOD);
    if (!c->conn) {
        free(c);
        return NULL;
    }
    c->buf = "";
    return c;
}

void hub_content_free(hub_content_t *c)
{
    if (!c) return;
    http_conn_free(c->conn);
    free(c);
}

/* A 2xx asset download, into C->fp and the hash. */
static size_t to_file(void *ud, const char *p, size_t n)
{
    hub_content_t *c = ud;
    if (fwrite(p, 1, n, c->fp) != n) return 0;
    crypto_hash_sha256_update(&c->sha, (const unsigned char *)p, n);
    return n;
}

/* METHOD PATH with optional BODY (LEN bytes of CTYPE). Returns the HTTP
 * status of a complete 2xx or 304 answer (in C->buf, or streamed to C->fp),
 * else 0 with ST filled. */
static int request(hub_content_t *c, const char *method, const char *path, const char *ctype,
                   const void *body, size_t len, const char *idem_key, const char *inm,
                   size_t max, hub_status_t *st)
{
    http_req_t req = {.method = method, .path = path, .body = body, .body_len = len,
                      .ctype = ctype, .idem_key = idem_key, .if_none_match = inm,
                      .ok_304 = true, .max_resp = max,
                      .sink = c->fp ? to_file : NULL, .sink_ud = c};
    http_resp_t resp;
    int http = http_request(c->conn, &req, &resp, st);
    c->buf = resp.body;
    c->len = resp.len;
    memcpy(c->etag, resp.etag, sizeof c->etag);
    return st->result == HUB_OK ? http : 0;
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
        out->version = json_whole_or(v, 0);
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
    char path[256];
    char *g = group && group[0] ? http_escape(c->conn, group) : NULL;
    snprintf(path, sizeof path, "/v1/content/bundle?mode=%s%s%s", mode, g ? "&group=" : "", g ? g : "");
    curl_free(g);
    memset(out, 0, sizeof *out);
    if (etag_out && etag_len) etag_out[0] = '\0';
    int http = request(c, "GET", path, NULL, NULL, 0, NULL, etag, ANSWER_MAX, st);
    if (etag_out && etag_len) snprintf(etag_out, etag_len, "%s", c->etag);
    if (http != 200) {
        if (http && http != 304) http_status_set(st, HUB_UNKNOWN, http, "garbage", "unexpected status %d", http);
        return;
    }
    char err[128];
    if (hub_parse_bundle(c->buf ? c->buf : "", c->len, out, err, sizeof err) != 0)
        http_status_set(st, HUB_UNKNOWN, http, "garbage", "bundle: %s", err);
}

void hub_asset_fetch(hub_content_t *c, const char *sha256, long long max_size, FILE *fp,
                     unsigned char digest[32], long long *size, hub_status_t *st)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/content/assets/%.64s", sha256);
    crypto_hash_sha256_init(&c->sha);
    c->fp = fp;
    int http = request(c, "GET", path, NULL, NULL, 0, NULL, NULL, (size_t)max_size, st);
    c->fp = NULL;
    *size = (long long)c->len;
    if (http == 200) crypto_hash_sha256_final(&c->sha, digest);
    else if (http) http_status_set(st, HUB_UNKNOWN, http, "garbage", "unexpected status %d", http);
}

void hub_asset_upload(hub_content_t *c, const char *sha256, const void *data, size_t len,
                      const char *type, hub_status_t *st)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/admin/content/assets/%.64s", sha256);
    request(c, "PUT", path, type ? type : "application/octet-stream", data, len, NULL, NULL, 65536,
            st);
}

void hub_bundle_publish(hub_content_t *c, const char *manifest, const char *signature,
                        const char *idem_key, long long *version, hub_status_t *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "manifest", manifest);
    cJSON_AddStringToObject(o, "signature", signature);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    *version = 0;
    if (!body) {
        http_status_set(st, HUB_UNKNOWN, 0, "network", "out of memory");
        return;
    }
    int http = request(c, "POST", "/v1/admin/content/bundles", "application/json", body, strlen(body),
                       idem_key, NULL, 65536, st);
    free(body);
    if (http) {
        cJSON *d = cJSON_ParseWithLength(c->buf ? c->buf : "", c->len);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "bundle"), "version");
        if (cJSON_IsNumber(v)) *version = json_whole_or(v, 0);
        else http_status_set(st, HUB_UNKNOWN, http, "garbage", "no bundle.version in the answer");
        cJSON_Delete(d);
    }
}
