#include "console_devices.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "scope.h"
#include "staff.h"

typedef struct {
    char id[64], group[64], community[SCOPE_COMMUNITY_MAX];
    long long created, last_seen;
    bool revoked;
} devrow_t;

#define DEV_COLS "id, coalesce(kiosk_group, ''), coalesce(community, ''), created, coalesce(last_seen, 0), revoked"

static void row_read(sqlite3_stmt *st, devrow_t *d)
{
    snprintf(d->id, sizeof d->id, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(d->group, sizeof d->group, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(d->community, sizeof d->community, "%s", (const char *)sqlite3_column_text(st, 2));
    d->created = sqlite3_column_int64(st, 3);
    d->last_seen = sqlite3_column_int64(st, 4);
    d->revoked = sqlite3_column_int(st, 5) != 0;
}

/* Kiosk ID into D: 1 found, 0 not, -1 database error. */
static int row_get(sqlite3 *db, const char *id, devrow_t *d)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT " DEV_COLS " FROM devices WHERE id = ?1 AND role = 'kiosk'", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) row_read(st, d);
    sqlite3_finalize(st);
    return found;
}

/* Never the token or its hash: this is what the list and the log show. */
static cJSON *row_json(const devrow_t *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", d->id);
    if (d->group[0]) cJSON_AddStringToObject(o, "group", d->group);
    else cJSON_AddNullToObject(o, "group");
    if (d->community[0]) cJSON_AddStringToObject(o, "community", d->community);
    else cJSON_AddNullToObject(o, "community");
    cJSON_AddNumberToObject(o, "created", (double)d->created);
    if (d->last_seen) cJSON_AddNumberToObject(o, "last_seen", (double)d->last_seen);
    else cJSON_AddNullToObject(o, "last_seen");
    cJSON_AddBoolToObject(o, "revoked", d->revoked);
    return o;
}

static int admin(hub_req_t *req, hub_resp_t *resp, bool change, staff_t *s)
{
    int rc = console_session_check(req, resp, change, s, NULL);
    if (rc) return rc;
    return staff_may(s, STAFF_MANAGE, NULL) ? 0 : hub_error(resp, 403, "forbidden", "only an admin manages devices");
}

void console_devices_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me;
    if (admin(req, resp, false, &me) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " DEV_COLS " FROM devices WHERE role = 'kiosk' ORDER BY id", -1, &st,
                           NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the devices");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "devices");
    while (sqlite3_step(st) == SQLITE_ROW) {
        devrow_t d;
        row_read(st, &d);
        if (staff_may(&me, STAFF_MANAGE, d.group)) cJSON_AddItemToArray(arr, row_json(&d));
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

/* Logs ACTION on ID (BEFORE may be NULL), answers STATUS with the device and,
 * when TOKEN is not NULL, the token (once), and commits; the token is wiped. */
static void finish(hub_req_t *req, hub_resp_t *resp, const staff_t *me, const char *action, const devrow_t *before,
                   const char *id, char *token, size_t toklen, int status)
{
    devrow_t after;
    if (row_get(req->db, id, &after) != 1) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot read the device back");
        goto done;
    }
    cJSON *a = row_json(&after), *b = before ? row_json(before) : NULL;
    char *at = cJSON_PrintUnformatted(a), *bt = b ? cJSON_PrintUnformatted(b) : NULL;
    cJSON_Delete(b);
    int logged = console_log_change(req->db, req->now, me->name, req->addr, action, id, bt, at);
    free(at);
    free(bt);
    if (logged != 0 || db_exec(req->db, "COMMIT") != 0) {
        cJSON_Delete(a);
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the change could not be stored; try again");
        goto done;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "device", a);
    if (token) cJSON_AddStringToObject(o, "token", token);
    hub_reply(resp, status, o);
done:
    if (token) sodium_memzero(token, toklen);
}

void console_devices_enrol(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me;
    if (admin(req, resp, true, &me) != 0) return;
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(req->json, "id");
    const cJSON *jg = cJSON_GetObjectItemCaseSensitive(req->json, "group");
    const cJSON *jc = cJSON_GetObjectItemCaseSensitive(req->json, "community");
    if (!cJSON_IsString(jid) || !cJSON_IsString(jg)) {
        hub_error(resp, 422, "missing_field", "id and group are required");
        return;
    }
    const char *id = jid->valuestring, *group = jg->valuestring;
    const char *community = cJSON_IsString(jc) && jc->valuestring[0] ? jc->valuestring : NULL;
    if (!staff_name_ok(id) || strchr(id, '.') || !staff_groups_ok(group) || strchr(group, ',') ||
        !strcmp(group, "*") || (jc && !cJSON_IsNull(jc) && !cJSON_IsString(jc)) ||
        (community && !scope_community_valid(community))) {
        hub_error(resp, 422, "invalid_field", "id: 1-63 of A-Z a-z 0-9 _ -; group: 1-63 of A-Z a-z 0-9 _ -;"
                                              " community: 1-63 of a-z 0-9 _ - or null");
        return;
    }
    if (!staff_may(&me, STAFF_MANAGE, group)) {
        hub_error(resp, 403, "forbidden", "you enrol kiosks only into your own groups");
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    sqlite3_stmt *st = NULL;
    int taken = -1;
    if (sqlite3_prepare_v2(req->db, "SELECT 1 FROM devices WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        taken = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    if (taken != 0) {
        db_exec(req->db, "ROLLBACK");
        if (taken > 0) hub_error(resp, 409, "exists", "the id %s is taken; rotate its token instead", id);
        else hub_error(resp, 500, "storage", "cannot read the devices");
        return;
    }
    char token[AUTH_TOKEN_MAX];
    st = NULL;
    int rc = auth_device_add(req->db, id, token, sizeof token) == 0 ? SQLITE_OK : SQLITE_ERROR;
    if (rc == SQLITE_OK &&
        sqlite3_prepare_v2(req->db, "UPDATE devices SET kiosk_group = ?2 WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, group, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK && community && scope_set_community(req->db, id, community) != 0) rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        sodium_memzero(token, sizeof token);
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the device");
        return;
    }
    finish(req, resp, &me, "device_add", NULL, id, token, sizeof token, 201);
}

void console_devices_action(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me;
    if (admin(req, resp, true, &me) != 0) return;
    const char *id = req->params[0], *action = req->params[1];
    bool rotate = !strcmp(action, "rotate");
    if (!rotate && strcmp(action, "revoke") != 0) {
        hub_error(resp, 404, "not_found", "the actions are rotate and revoke");
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    devrow_t before;
    int found = row_get(req->db, id, &before);
    /* Another district's kiosk is answered as one that does not exist. */
    if (found != 1 || !staff_may(&me, STAFF_MANAGE, before.group)) {
        db_exec(req->db, "ROLLBACK");
        if (found < 0) hub_error(resp, 500, "storage", "cannot read the device");
        else hub_error(resp, 404, "unknown_device", "no kiosk %s", id);
        return;
    }
    if (before.revoked) {
        /* A revoked kiosk stays out: a new token would quietly re-admit it. */
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 409, "revoked", "kiosk %s is revoked", id);
        return;
    }
    char token[AUTH_TOKEN_MAX];
    int rc = rotate ? auth_device_add(req->db, id, token, sizeof token) : auth_device_revoke(req->db, id);
    if (rc != 0) {
        if (rotate) sodium_memzero(token, sizeof token);
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the device");
        return;
    }
    finish(req, resp, &me, rotate ? "device_rotate" : "device_revoke", &before, id, rotate ? token : NULL,
           sizeof token, 200);
}
