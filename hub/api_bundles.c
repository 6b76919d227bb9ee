/* Signed content bundles (docs/api.md "Content bundles"): staff upload
 * assets and publish signed manifests; kiosks poll for the newest bundle
 * meant for them and fetch its assets by SHA-256.
 *
 * The hub never holds the signing key. It verifies a manifest's signature
 * with the public keys of hub.ini (content_keys) before anything else, so
 * a staff token alone cannot publish: an unsigned or wrongly signed
 * manifest changes nothing. The kiosk verifies again with its own key. The
 * hub also checks what it needs to serve a bundle: the version increases
 * (by at most BUNDLE_MAX_STEP, so one absurd version cannot lock every
 * later bundle out), the target is well-formed, every asset is there. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "db.h"
#include "validate.h"

/* The largest step over the newest published version: room for versions
 * that are dates (YYYYMMDDNN) or Unix times, none for 2^53. */
#define BUNDLE_MAX_STEP 10000000000LL

static bool is_sha256(const char *s)
{
    if (!s || strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static bool is_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 63) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

/* The image type from its first bytes, or NULL. */
static const char *sniff(const unsigned char *p, size_t n)
{
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) return "image/jpeg";
    return NULL;
}

/* ---- PUT /v1/admin/content/assets/{sha256} ------------------------------ */

void api_bundle_asset_put(hub_req_t *req, hub_resp_t *resp)
{
    const char *sha = req->params[0];
    if (!is_sha256(sha)) {
        hub_error(resp, 422, "invalid_field", "sha256: not 64 lowercase hex digits");
        return;
    }
    if (req->body_len == 0) {
        hub_error(resp, 422, "invalid_body", "the body (the asset's bytes) is empty");
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)req->body, req->body_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    if (strcmp(hex, sha) != 0) {
        hub_error(resp, 422, "hash_mismatch", "the body's SHA-256 is %s, not the one in the path", hex);
        return;
    }
    const char *type = sniff((const unsigned char *)req->body, req->body_len);
    if (!type) {
        hub_error(resp, 422, "invalid_type", "an asset is a PNG or JPEG image");
        return;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db,
        "INSERT INTO content_assets(sha256, type, size, data, staff, created) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(sha256) DO NOTHING", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)req->body_len);
        sqlite3_bind_blob64(st, 4, req->body, req->body_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, req->device.id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 6, req->now);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    int fresh = rc == SQLITE_OK ? sqlite3_changes(req->db) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        hub_error(resp, 503, "busy", "the asset could not be stored; retry");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *a = cJSON_AddObjectToObject(o, "asset");
    cJSON_AddStringToObject(a, "sha256", sha);
    cJSON_AddNumberToObject(a, "size", (double)req->body_len);
    cJSON_AddStringToObject(a, "type", type);
    hub_reply(resp, fresh ? 201 : 200, o);
}

/* ---- POST /v1/admin/content/bundles -------------------------------------- */

/* The quoted ETag hub_etag would give BODY, so a poll can answer 304 from the
 * stored value without loading the manifest. */
static void etag_of(const char *body, char out[40])
{
    unsigned char h[16];
    char hex[33];
    crypto_generichash(h, sizeof h, (const unsigned char *)body, strlen(body), NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, 40, "\"%s\"", hex);
}

/* 0 if SIG (64 bytes) is MANIFEST's Ed25519 signature by one of the
 * configured public keys; else the error answer and -1. */
static int verify_signature(hub_req_t *req, hub_resp_t *resp, const char *manifest,
                            const unsigned char sig[64])
{
    const hub_config_t *cfg = hub_config(req->hub);
    if (!cfg || cfg->n_content_keys == 0) {
        hub_error(resp, 422, "no_content_key",
                  "this hub has no content public key (content_keys in hub.ini); nothing can be published");
        return -1;
    }
    for (int i = 0; i < cfg->n_content_keys; i++) {
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        size_t n = 0;
        if (sodium_hex2bin(pk, sizeof pk, cfg->content_keys[i], 64, NULL, &n, NULL) != 0 || n != sizeof pk)
            continue;
        if (crypto_sign_verify_detached(sig, (const unsigned char *)manifest, strlen(manifest), pk) == 0)
            return 0;
    }
    hub_error(resp, 422, "bad_signature",
              "the signature does not verify with any content key of this hub");
    return -1;
}

/* TARGET.KEY as a JSON array text of names; NULL (with RESP set) if bad. */
static char *target_names(hub_resp_t *resp, const cJSON *target, const char *key)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(target, key);
    if (!a) return strdup("[]");
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > 256) {
        hub_error(resp, 422, "invalid_manifest", "target.%s: not an array of at most 256 names", key);
        return NULL;
    }
    for (const cJSON *s = a->child; s; s = s->next)
        if (!cJSON_IsString(s) || !is_name(s->valuestring)) {
            hub_error(resp, 422, "invalid_manifest", "target.%s: a name is not 1-63 of A-Z a-z 0-9 _ -", key);
            return NULL;
        }
    return cJSON_PrintUnformatted(a);
}

static bool whole(const cJSON *v, long long min)
{
    return cJSON_IsNumber(v) && v->valuedouble >= (double)min && v->valuedouble <= 9007199254740992.0 &&
           v->valuedouble == (double)(long long)v->valuedouble;
}

/* 0 if every asset of the manifest is stored with its size, else the error. */
static int assets_present(hub_req_t *req, hub_resp_t *resp, const cJSON *assets)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT size FROM content_assets WHERE sha256 = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        hub_error(resp, 503, "busy", "the database is busy; retry");
        return -1;
    }
    int i = 0, rc = 0;
    for (const cJSON *a = assets->child; a && rc == 0; a = a->next, i++) {
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(a, "sha256");
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(a, "size");
        if (!cJSON_IsString(sha) || !is_sha256(sha->valuestring) || !whole(size, 1)) {
            rc = hub_error(resp, 422, "invalid_manifest", "assets[%d]: needs sha256 and size", i);
            break;
        }
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, sha->valuestring, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = hub_error(resp, 422, "unknown_asset", "assets[%d]: %s has not been uploaded", i,
                           sha->valuestring);
        } else if (sqlite3_column_int64(st, 0) != (long long)size->valuedouble) {
            rc = hub_error(resp, 422, "unknown_asset", "assets[%d]: the stored %s has another size", i,
                           sha->valuestring);
        }
    }
    sqlite3_finalize(st);
    return rc ? -1 : 0;
}

void api_bundle_publish(hub_req_t *req, hub_resp_t *resp)
{
    const char *manifest, *sig;
    if (v_string(resp, req->json, "manifest", 2, 8 * 1024 * 1024, true, &manifest) != 0 ||
        v_string(resp, req->json, "signature", 128, 128, true, &sig) != 0)
        return;
    unsigned char bin[64];
    size_t n = 0;
    if (sodium_hex2bin(bin, sizeof bin, sig, 128, NULL, &n, NULL) != 0 || n != 64) {
        hub_error(resp, 422, "invalid_field", "signature: not 128 hex digits");
        return;
    }
    if (verify_signature(req, resp, manifest, bin) != 0) return;
    cJSON *m = cJSON_Parse(manifest);
    char *groups = NULL, *kiosks = NULL, *body = NULL;
    sqlite3_stmt *st = NULL;
    if (!cJSON_IsObject(m)) {
        hub_error(resp, 422, "invalid_manifest", "manifest: not a JSON object");
        goto end;
    }
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(m, "version");
    const cJSON *created = cJSON_GetObjectItemCaseSensitive(m, "created");
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(m, "expires");
    const cJSON *target = cJSON_GetObjectItemCaseSensitive(m, "target");
    const cJSON *assets = cJSON_GetObjectItemCaseSensitive(m, "assets");
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(target, "mode");
    if (!whole(version, 1) || !whole(created, 0) || !whole(expires, 1)) {
        hub_error(resp, 422, "invalid_manifest", "manifest: version, created and expires must be whole numbers");
        goto end;
    }
    if (!cJSON_IsObject(target) || !cJSON_IsString(mode) ||
        (strcmp(mode->valuestring, "hall") && strcmp(mode->valuestring, "street") &&
         strcmp(mode->valuestring, "any"))) {
        hub_error(resp, 422, "invalid_manifest", "target.mode: not hall, street or any");
        goto end;
    }
    if (!cJSON_IsArray(assets)) {
        hub_error(resp, 422, "invalid_manifest", "assets: not an array");
        goto end;
    }
    if (!(groups = target_names(resp, target, "groups")) || !(kiosks = target_names(resp, target, "kiosks")))
        goto end;
    if ((long long)expires->valuedouble <= req->now) {
        hub_error(resp, 422, "expired", "the manifest expired at %lld", (long long)expires->valuedouble);
        goto end;
    }
    long long v = (long long)version->valuedouble;
    long long newest = db_int(req->db, "SELECT coalesce(max(version), 0) FROM content_bundles", NULL, -1);
    if (newest < 0) {
        hub_error(resp, 503, "busy", "the database is busy; retry");
        goto end;
    }
    if (v <= newest) {
        hub_error(resp, 409, "version_not_newer", "version %lld is not newer than the published %lld", v, newest);
        goto end;
    }
    if (v - newest > BUNDLE_MAX_STEP) {
        hub_error(resp, 422, "version_too_far",
                  "version %lld is more than %lld above the published %lld", v, BUNDLE_MAX_STEP, newest);
        goto end;
    }
    if (assets_present(req, resp, assets) != 0) goto end;

    cJSON *r = cJSON_CreateObject();
    cJSON_AddNumberToObject(r, "version", (double)v);
    cJSON_AddStringToObject(r, "manifest", manifest);
    cJSON_AddStringToObject(r, "signature", sig);
    body = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (!body) {
        hub_error(resp, 500, "internal", "out of memory");
        goto end;
    }
    char etag[40];
    etag_of(body, etag);
    int rc = sqlite3_prepare_v2(req->db,
        "INSERT INTO content_bundles(version, mode, groups, kiosks, created, expires, manifest,"
        " signature, response, etag, staff, published) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
        -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, v);
        sqlite3_bind_text(st, 2, mode->valuestring, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, groups, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, kiosks, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, (long long)created->valuedouble);
        sqlite3_bind_int64(st, 6, (long long)expires->valuedouble);
        sqlite3_bind_text(st, 7, manifest, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, sig, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 10, etag, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 11, req->device.id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 12, req->now);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc != SQLITE_OK) {
        hub_error(resp, 503, "busy", "the bundle could not be stored; retry with the same key");
        goto end;
    }
    cJSON *o = cJSON_CreateObject(), *b = cJSON_AddObjectToObject(o, "bundle");
    cJSON_AddNumberToObject(b, "version", (double)v);
    cJSON_AddStringToObject(b, "mode", mode->valuestring);
    cJSON_AddItemToObject(b, "groups", cJSON_Parse(groups));
    cJSON_AddItemToObject(b, "kiosks", cJSON_Parse(kiosks));
    cJSON_AddNumberToObject(b, "expires", expires->valuedouble);
    cJSON_AddNumberToObject(b, "assets", cJSON_GetArraySize(assets));
    hub_reply(resp, 201, o);
end:
    sqlite3_finalize(st);
    cJSON_Delete(m);
    free(groups);
    free(kiosks);
    free(body);
}

/* ---- GET /v1/content/bundle ------------------------------------------------ */

static bool in_list(const char *json, const char *name)
{
    if (!name || !name[0]) return false;
    cJSON *a = cJSON_Parse(json);
    bool found = false;
    for (const cJSON *s = a ? a->child : NULL; s && !found; s = s->next)
        found = cJSON_IsString(s) && !strcmp(s->valuestring, name);
    cJSON_Delete(a);
    return found;
}

void api_bundle_poll(hub_req_t *req, hub_resp_t *resp)
{
    const char *mode = hub_query(req, "mode"), *group = hub_query(req, "group");
    if (!mode || (strcmp(mode, "hall") && strcmp(mode, "street"))) {
        hub_error(resp, 422, "invalid_field", "mode: hall or street is required");
        return;
    }
    if (group && group[0] && !is_name(group)) {
        hub_error(resp, 422, "invalid_field", "group: not 1-63 of A-Z a-z 0-9 _ -");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "SELECT version, mode, groups, kiosks, etag FROM content_bundles "
            "WHERE expires >= ?1 ORDER BY version DESC", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 503, "busy", "the database is busy; retry");
        return;
    }
    sqlite3_bind_int64(st, 1, req->now);
    long long found = 0;
    char etag[80] = "";
    while (!found && sqlite3_step(st) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 1);
        const char *g = (const char *)sqlite3_column_text(st, 2);
        const char *k = (const char *)sqlite3_column_text(st, 3);
        if (strcmp(m, "any") != 0 && strcmp(m, mode) != 0) continue;
        bool all = !strcmp(g, "[]") && !strcmp(k, "[]");
        if (!all && !in_list(g, group) && !in_list(k, req->device.id)) continue;
        found = sqlite3_column_int64(st, 0);
        snprintf(etag, sizeof etag, "%s", (const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_finalize(st);
    if (!found) {
        hub_error(resp, 404, "no_bundle", "no published bundle is meant for this kiosk");
        return;
    }
    const char *inm = hub_header(req, "If-None-Match");
    if (inm && !strcmp(inm, etag)) {
        resp->status = 304;               /* hub_etag leaves a non-200 alone */
        resp->not_modified = true;
        snprintf(resp->etag, sizeof resp->etag, "%s", etag);
        return;
    }
    if (sqlite3_prepare_v2(req->db, "SELECT response FROM content_bundles WHERE version = ?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, found);
        if (sqlite3_step(st) == SQLITE_ROW) {
            free(resp->body);
            resp->body = strdup((const char *)sqlite3_column_text(st, 0));
            resp->status = resp->body ? 200 : 500;
        }
    }
    sqlite3_finalize(st);
    if (resp->status != 200) hub_error(resp, 503, "busy", "the database is busy; retry");
}

/* ---- GET /v1/content/assets/{sha256} --------------------------------------- */

void api_bundle_asset_get(hub_req_t *req, hub_resp_t *resp)
{
    const char *sha = req->params[0];
    if (!is_sha256(sha)) {
        hub_error(resp, 404, "unknown_asset", "no such asset");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT type, data FROM content_assets WHERE sha256 = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        hub_error(resp, 503, "busy", "the database is busy; retry");
        return;
    }
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 1);
        const void *p = sqlite3_column_blob(st, 1);
        const char *type = (const char *)sqlite3_column_text(st, 0);
        char *buf = malloc((size_t)n + 1);
        if (buf) {
            memcpy(buf, p, (size_t)n);
            buf[n] = '\0';
            free(resp->body);
            resp->body = buf;
            resp->body_len = (size_t)n;
            resp->content_type = !strcmp(type, "image/png") ? "image/png" : "image/jpeg";
            resp->status = 200;
        } else {
            hub_error(resp, 500, "internal", "out of memory");
        }
    } else {
        hub_error(resp, 404, "unknown_asset", "no such asset");
    }
    sqlite3_finalize(st);
}
