/* Raw requests to the hub for telemetry and `kioskctl fleet` (hub_api.h,
 * "fleet"), over the shared transport (net/http.c): its rules and its
 * classification of answers, with answers of up to 8 MiB (a screenshot). */
#include "net/hub_api.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "net/http.h"

#define MOD "fleet"
#define ANSWER_MAX (8 * 1024 * 1024)    /* a screenshot (4 MiB) with room */

struct hub_fleet {
    http_conn_t *conn;
};

hub_fleet_t *hub_fleet_new(const char *base_url, const char *token, int timeout_ms,
                           const volatile int *abort)
{
    assert(base_url && timeout_ms > 0);
    hub_fleet_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    if (!(f->conn = http_conn_new(base_url, token, timeout_ms, abort, "kiosk-fleet/1", MOD))) {
        free(f);
        return NULL;
    }
    return f;
}

void hub_fleet_free(hub_fleet_t *f)
{
    if (!f) return;
    http_conn_free(f->conn);
    free(f);
}

void hub_fleet_request(hub_fleet_t *f, const char *method, const char *path,
                       const char *ctype, const void *body, size_t len,
                       const char *idem_key, const char **out, size_t *outlen,
                       hub_status_t *st)
{
    if (out) *out = NULL;
    if (outlen) *outlen = 0;
    bool post = strcmp(method, "POST") == 0;
    if (!post && strcmp(method, "GET") != 0) {
        http_status_reset(st);
        http_status_set(st, HUB_REFUSED, 0, "bad_request", "method %s not supported", method);
        return;
    }
    http_req_t req = {.method = method, .path = path, .accept = "application/json, image/png",
                      .body = post ? body : NULL, .body_len = post ? len : 0,
                      .ctype = ctype, .idem_key = idem_key, .max_resp = ANSWER_MAX};
    http_resp_t resp;
    http_request(f->conn, &req, &resp, st);
    if (st->result == HUB_OK) {
        if (out) *out = resp.body;
        if (outlen) *outlen = resp.len;
    }
}
