#include "rescodes.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "db.h"
#include "idnum.h"
#include "log.h"
#include "mask.h"
#include "pii.h"
#include "scope.h"
#include "validate.h"

#define ISSUE_TRIES 8                  /* code ids colliding: 31^10 makes one try enough */

static unsigned char mac_key[crypto_auth_hmacsha256_KEYBYTES];
static int have_key;
static char key_file[512];

int rescodes_set_key_file(const char *path)
{
    if (!path || strlen(path) >= sizeof key_file) return -1;
    snprintf(key_file, sizeof key_file, "%s", path);
    return 0;
}

int rescodes_load_key(const char *db_path, char *err, int errlen)
{
    char path[600];
    if (key_file[0]) snprintf(path, sizeof path, "%s", key_file);
    else snprintf(path, sizeof path, "%s.rescode.key", db_path);
    have_key = 0;
    if (pii_key_file(path, mac_key, err, errlen) != 0) return -1;
    have_key = 1;
    return 0;
}

/* The 32 upper-case hex digits of the MAC over R's signed part. -1 without a key. */
static int mac_of(const rescode_t *r, char mac[RESCODE_MAC_HEX + 1])
{
    char part[RESCODE_MAX + 1];
    unsigned char h[crypto_auth_hmacsha256_BYTES];
    int n = rescode_signed(r, part, sizeof part);
    if (!have_key || n < 0) return -1;
    crypto_auth_hmacsha256(h, (const unsigned char *)part, (unsigned long long)n, mac_key);
    static const char hexd[] = "0123456789ABCDEF";
    for (int i = 0; i < RESCODE_MAC_HEX / 2; i++) {
        mac[2 * i] = hexd[h[i] >> 4];
        mac[2 * i + 1] = hexd[h[i] & 15];
    }
    mac[RESCODE_MAC_HEX] = '\0';
    sodium_memzero(h, sizeof h);
    return 0;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int rescodes_issue(sqlite3 *db, long long resident, int64_t now, int days, const char *by,
                   rescode_t *out, char payload[RESCODE_MAX + 1])
{
    if (!have_key || days < 1 || days > RESCODES_MAX_DAYS) return -1;
    memset(out, 0, sizeof *out);
    if (rescode_resident_ref(resident, out->resident) != 0) return 1;
    if (db_int(db, "SELECT count(*) FROM residents WHERE id = CAST(?1 AS INTEGER)", out->resident + 1, -1) != 1)
        return 1;
    if (db_exec(db, "SAVEPOINT rescode_issue") != 0) return -1;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    /* A newer code supersedes the resident's live ones: one code per
     * resident is ever good, the last one handed over. */
    if (sqlite3_prepare_v2(db, "UPDATE rescodes SET revoked = ?2, revoked_why = 'superseded'"
                               " WHERE resident_id = ?1 AND revoked IS NULL", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, resident);
    sqlite3_bind_int64(st, 2, now);
    if (step_done(st) != 0) goto fail;
    out->issued = now;
    out->expires = now + (int64_t)days * 86400;
    for (int i = 0; i < ISSUE_TRIES && rc != 0; i++) {
        for (int k = 0; k < RESCODE_CODE_LEN; k++)
            out->code[k] = RESCODE_ALPHABET[randombytes_uniform(sizeof RESCODE_ALPHABET - 1)];
        if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO rescodes(code, resident_id, issued, expires, issued_by)"
                                   " VALUES(?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
            goto fail;
        sqlite3_bind_text(st, 1, out->code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, resident);
        sqlite3_bind_int64(st, 3, out->issued);
        sqlite3_bind_int64(st, 4, out->expires);
        sqlite3_bind_text(st, 5, by, -1, SQLITE_TRANSIENT);
        if (step_done(st) != 0) goto fail;
        if (sqlite3_changes(db) == 1) rc = 0;
    }
    if (rc != 0 || mac_of(out, out->mac) != 0 || rescode_format(out, payload, RESCODE_MAX + 1) < 0) {
        rc = -1;
        goto fail;
    }
    if (db_exec(db, "RELEASE rescode_issue") != 0) goto fail;
    return 0;
fail:
    db_exec(db, "ROLLBACK TO rescode_issue");
    db_exec(db, "RELEASE rescode_issue");
    memset(out, 0, sizeof *out);
    return -1;
}

int rescodes_revoke(sqlite3 *db, const char *code, int64_t now)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "UPDATE rescodes SET revoked = ?2, revoked_why = 'staff'"
                               " WHERE code = ?1 AND revoked IS NULL", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    if (step_done(st) != 0) return -1;
    return sqlite3_changes(db) == 1 ? 0 : 1;
}

long long rescodes_resident_by_id_number(sqlite3 *db, const char *idn)
{
    if (!idn || !idnum_valid(idn)) return 0;
    char norm[19];
    for (int i = 0; i < 18; i++) norm[i] = (char)toupper((unsigned char)idn[i]);
    norm[18] = '\0';
    long long id = db_int(db, "SELECT coalesce((SELECT id FROM residents WHERE id_hash = pii_hash('id', ?1)), 0)",
                          norm, -1);
    sodium_memzero(norm, sizeof norm);
    return id;
}

rescodes_verdict_t rescodes_verify(sqlite3 *db, const char *payload, size_t len, int64_t now,
                                   long long *resident, rescode_t *out)
{
    rescode_t r;
    char mac[RESCODE_MAC_HEX + 1];
    *resident = 0;
    if (rescode_parse(payload, len, &r, NULL) != 0) return RESCODES_MALFORMED;
    if (mac_of(&r, mac) != 0) return RESCODES_ERROR;
    int forged = sodium_memcmp(mac, r.mac, RESCODE_MAC_HEX) != 0;
    sodium_memzero(mac, sizeof mac);
    if (forged) return RESCODES_FORGED;

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT c.resident_id, c.issued, c.expires, c.revoked, c.revoked_why,"
                               " EXISTS(SELECT 1 FROM residents WHERE id = c.resident_id)"
                               " FROM rescodes c WHERE c.code = ?1", -1, &st, NULL) != SQLITE_OK)
        return RESCODES_ERROR;
    sqlite3_bind_text(st, 1, r.code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    rescodes_verdict_t v;
    if (rc == SQLITE_DONE) {
        v = RESCODES_UNKNOWN;
    } else if (rc != SQLITE_ROW) {
        v = RESCODES_ERROR;
    } else if (sqlite3_column_int64(st, 0) != rescode_resident_id(r.resident) ||
               sqlite3_column_int64(st, 1) != r.issued || sqlite3_column_int64(st, 2) != r.expires) {
        v = RESCODES_FORGED;           /* a valid MAC on other fields: the key leaked */
    } else if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
        const unsigned char *why = sqlite3_column_text(st, 4);
        v = why && !strcmp((const char *)why, "superseded") ? RESCODES_SUPERSEDED : RESCODES_REVOKED;
    } else if (r.expires <= now) {
        v = RESCODES_EXPIRED;
    } else if (!sqlite3_column_int(st, 5)) {
        v = RESCODES_UNKNOWN;          /* the resident is gone */
    } else {
        v = RESCODES_OK;
        *resident = sqlite3_column_int64(st, 0);
        if (out) *out = r;
    }
    sqlite3_finalize(st);
    sodium_memzero(&r, sizeof r);
    return v;
}

const char *rescodes_verdict_name(rescodes_verdict_t v)
{
    static const char *const names[] = {"found", "malformed", "forged", "unknown", "revoked",
                                        "superseded", "expired", "error"};
    return v >= RESCODES_OK && v <= RESCODES_ERROR ? names[v] : "error";
}

/* ---- routes -------------------------------------------------------------- */

void api_identify_rescode(hub_req_t *req, hub_resp_t *resp)
{
    const char *code;
    req->audit_kind = "rescode";
    if (v_string(resp, req->json, "code", 1, 512, true, &code) != 0) return;
    long long resident;
    rescode_t r;
    rescodes_verdict_t v = rescodes_verify(req->db, code, strlen(code), req->now, &resident, &r);
    req->audit_detail = rescodes_verdict_name(v);
    if (v == RESCODES_ERROR) {
        hub_error(resp, 500, "storage", "cannot check the code");
        return;
    }
    if (v != RESCODES_OK) {
        /* Unknown, revoked, superseded, expired, forged or malformed: one
         * answer, so a device learns nothing about which (the audit does). */
        hub_error(resp, 404, "unknown_resident", "this resident code is not valid");
        return;
    }
    /* A resident all of whose accounts are out of the device's area is
     * answered as an invalid code (scope.h). */
    char area[SCOPE_COMMUNITY_MAX];
    int vis = scope_device_community(req->db, req->device.id, area, sizeof area) == 0
                  ? scope_resident_visible(req->db, area, resident) : -1;
    if (vis < 0) {
        hub_error(resp, 500, "storage", "cannot check the code");
        return;
    }
    if (!vis) {
        req->audit_detail = SCOPE_OUT_OF_AREA;
        hub_error(resp, 404, "unknown_resident", "this resident code is not valid");
        return;
    }
    char name[128] = "";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT coalesce(pii_open(name), '') FROM residents WHERE id = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, resident);
        if (sqlite3_step(st) == SQLITE_ROW) mask_name((const char *)sqlite3_column_text(st, 0), name, sizeof name);
    }
    sqlite3_finalize(st);
    cJSON *o = cJSON_CreateObject();
    cJSON *res = cJSON_AddObjectToObject(o, "resident");
    cJSON_AddStringToObject(res, "ref", r.resident);
    cJSON_AddStringToObject(res, "name", name);
    cJSON *c = cJSON_AddObjectToObject(o, "code");
    cJSON_AddStringToObject(c, "id", r.code);
    cJSON_AddNumberToObject(c, "expires", (double)r.expires);
    hub_reply(resp, 200, o);
}

void api_admin_rescode_issue(hub_req_t *req, hub_resp_t *resp)
{
    long long resident, days;
    const char *idn;
    if (v_int(resp, req->json, "resident", 1, 999999999999LL, false, 0, &resident) != 0 ||
        v_string(resp, req->json, "id_number", 1, 32, false, &idn) != 0 ||
        v_int(resp, req->json, "days", 1, RESCODES_MAX_DAYS, false, RESCODES_DAYS, &days) != 0)
        return;
    if (!resident == !idn) {
        hub_error(resp, 422, "missing_field", "give either resident or id_number");
        return;
    }
    if (idn) {
        if (!idnum_valid(idn)) {
            hub_error(resp, 422, "invalid_id_number", "id_number is not a valid 18-digit resident ID number");
            return;
        }
        resident = rescodes_resident_by_id_number(req->db, idn);
        if (resident < 0) {
            hub_error(resp, 500, "storage", "cannot read the residents");
            return;
        }
    }
    rescode_t r;
    char payload[RESCODE_MAX + 1];
    int rc = resident > 0 ? rescodes_issue(req->db, resident, req->now, (int)days, req->device.id, &r, payload) : 1;
    if (rc == 1) {
        hub_error(resp, 404, "unknown_resident", "no such resident");
        return;
    }
    if (rc != 0) {
        hub_error(resp, 500, "storage", "cannot issue the code");
        return;
    }
    hub_log("rescode", "%s issued code %s to resident %s", req->device.id, r.code, r.resident);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", r.code);
    cJSON_AddStringToObject(o, "resident", r.resident);
    cJSON_AddNumberToObject(o, "issued", (double)r.issued);
    cJSON_AddNumberToObject(o, "expires", (double)r.expires);
    cJSON_AddStringToObject(o, "payload", payload);
    sodium_memzero(payload, sizeof payload);
    hub_reply(resp, 201, o);
}

void api_admin_rescode_revoke(hub_req_t *req, hub_resp_t *resp)
{
    int rc = rescodes_revoke(req->db, req->params[0], req->now);
    if (rc < 0) {
        hub_error(resp, 500, "storage", "cannot revoke the code");
        return;
    }
    if (rc > 0) {
        hub_error(resp, 404, "unknown_code", "no live resident code with this id");
        return;
    }
    hub_log("rescode", "%s revoked code %.10s", req->device.id, req->params[0]);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", req->params[0]);
    cJSON_AddNumberToObject(o, "revoked", (double)req->now);
    hub_reply(resp, 200, o);
}
