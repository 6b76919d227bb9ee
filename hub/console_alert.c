#include "console_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "signer.h"
#include "staff.h"
#include "utf8.h"

#define MAX_GROUPS 16
#define NO_BASE_VALID_S (365LL * 86400)   /* a bundle made from nothing but the alert */

static bool in_json_list(const char *json, const char *name)
{
    cJSON *a = cJSON_Parse(json);
    bool found = false;
    for (const cJSON *s = a ? a->child : NULL; s && !found; s = s->next)
        found = cJSON_IsString(s) && !strcmp(s->valuestring, name);
    cJSON_Delete(a);
    return found;
}

/* The newest unexpired bundle the kiosks of GROUP in MODE get (as the poll
 * picks it, leaving out bundles for single kiosks): its version (0: none)
 * and manifest (malloc'd) in *MANIFEST. -1 on a database error. */
static long long base_of(hub_req_t *req, const char *group, const char *mode, char **manifest)
{
    *manifest = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT version, groups, kiosks, manifest FROM content_bundles"
                                    " WHERE expires > :now AND mode IN (:mode, 'any') ORDER BY version DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, req->now);
    sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
    long long v = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *groups = (const char *)sqlite3_column_text(st, 1);
        const char *kiosks = (const char *)sqlite3_column_text(st, 2);
        bool all = !strcmp(groups, "[]") && !strcmp(kiosks, "[]");
        if (!all && !in_json_list(groups, group)) continue;
        v = sqlite3_column_int64(st, 0);
        *manifest = strdup((const char *)sqlite3_column_text(st, 3));
        if (!*manifest) v = -1;
        break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? v : -1;
}

/* Publishes, for GROUP and MODE, BASE's content (NULL: none) with ADD
 * appended (NULL: none) and the console alert REMOVE_ID (0: none) and every
 * expired console alert left out; the version is appended to VERSIONS.
 * 0, or the error status with RESP filled. */
static int publish(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group,
                   const char *mode, const char *base, const cJSON *add, long long remove_id,
                   long long min_expires, cJSON *versions)
{
    cJSON *m = base ? cJSON_Parse(base) : cJSON_CreateObject();
    cJSON *items = cJSON_GetObjectItemCaseSensitive(m, "items");
    char *text = NULL;
    int status = 0;
    if (!cJSON_IsObject(m)) {
        status = hub_error(resp, 500, "storage", "a published manifest cannot be read");
        goto end;
    }
    if (!base) {
        cJSON_AddNumberToObject(m, "format", 1);
        cJSON_AddArrayToObject(m, "assets");
    }
    if (!cJSON_IsArray(items)) items = cJSON_AddArrayToObject(m, "items");
    for (cJSON *it = items->child, *next; it; it = next) {
        next = it->next;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(it, "expires");
        long long idv = cJSON_IsNumber(id) ? (long long)id->valuedouble : 0;
        bool console_alert = idv >= CONSOLE_ALERT_ID_BASE && cJSON_IsString(kind) && !strcmp(kind->valuestring, "alert");
        bool gone = idv == remove_id || (cJSON_IsNumber(exp) && (long long)exp->valuedouble <= req->now);
        if (console_alert && gone) cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
    }
    if (add) cJSON_AddItemToArray(items, cJSON_Duplicate(add, true));
    long long newest = db_int(req->db, "SELECT coalesce(max(version), 0) FROM content_bundles", NULL, -1);
    if (newest < 0) {
        status = hub_error(resp, 503, "busy", "the hub is busy; try again");
        goto end;
    }
    const cJSON *bexp = cJSON_GetObjectItemCaseSensitive(m, "expires");
    long long expires = cJSON_IsNumber(bexp) ? (long long)bexp->valuedouble : req->now + NO_BASE_VALID_S;
    if (expires < min_expires) expires = min_expires;
    cJSON_DeleteItemFromObjectCaseSensitive(m, "version");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "created");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "expires");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "target");
    cJSON_AddNumberToObject(m, "version", (double)(newest + 1));
    cJSON_AddNumberToObject(m, "created", (double)req->now);
    cJSON_AddNumberToObject(m, "expires", (double)expires);
    cJSON *target = cJSON_AddObjectToObject(m, "target");
    cJSON_AddStringToObject(target, "mode", mode);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(target, "groups"), cJSON_CreateString(group));
    cJSON_AddArrayToObject(target, "kiosks");
    text = cJSON_PrintUnformatted(m);
    char sig[129], err[300];
    if (!text) {
        status = hub_error(resp, 500, "memory", "out of memory");
        goto end;
    }
    if (signer_sign(hub_config(req->hub)->console_signer, text, strlen(text), sig, err, sizeof err) != 0) {
        status = hub_error(resp, 503, "signer_unavailable", "%s", err);
        goto end;
    }
    /* Published as a staff member publishes with kioskctl: the hub checks
     * the signature against its content keys, the version, the assets. */
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "manifest", text);
    cJSON_AddStringToObject(body, "signature", sig);
    cJSON *saved = req->json;
    hub_device_t who = req->device;
    req->json = body;
    snprintf(req->device.id, sizeof req->device.id, "%s", s->name);
    api_bundle_publish(req, resp);
    req->json = saved;
    req->device = who;
    cJSON_Delete(body);
    if (resp->status != 201) {
        status = resp->status;
        goto end;
    }
    cJSON_AddItemToArray(versions, cJSON_CreateNumber((double)(newest + 1)));
end:
    free(text);
    cJSON_Delete(m);
    return status;
}

/* Publishes GROUP's content with ADD / without REMOVE_ID (see publish),
 * once for both modes when they share a bundle, and asks the group's kiosks
 * to fetch it now. */
static int publish_group(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group,
                         const cJSON *add, long long remove_id, long long min_expires, cJSON *versions)
{
    char *hall = NULL, *street = NULL;
    long long vh = base_of(req, group, "hall", &hall), vs = base_of(req, group, "street", &street);
    int status = 0;
    if (vh < 0 || vs < 0) status = hub_error(resp, 500, "storage", "cannot read the published content");
    else if (vh == vs) status = publish(req, resp, s, group, "any", hall, add, remove_id, min_expires, versions);
    else if (!(status = publish(req, resp, s, group, "hall", hall, add, remove_id, min_expires, versions)))
        status = publish(req, resp, s, group, "street", street, add, remove_id, min_expires, versions);
    free(hall);
    free(street);
    if (status) return status;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO commands(device, kind, args, created, staff)"
                                         " SELECT id, 'reload_content', '{}', :now, :staff FROM devices"
                                         " WHERE role = 'kiosk' AND revoked = 0 AND kiosk_group = :g",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now);
        sqlite3_bind_text(st, 2, s->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, group, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : hub_error(resp, 500, "storage", "cannot queue the kiosks' reload");
}

static bool text_ok(const cJSON *v, size_t max)
{
    return cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= max &&
           utf8_valid(v->valuestring, strlen(v->valuestring));
}

static cJSON *alert_json(sqlite3_stmt *st)
{
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(a, "title", (const char *)sqlite3_column_text(st, 1));
    cJSON_AddStringToObject(a, "body", (const char *)sqlite3_column_text(st, 2));
    cJSON_AddItemToObject(a, "groups", cJSON_Parse((const char *)sqlite3_column_text(st, 3)));
    cJSON_AddNumberToObject(a, "created", (double)sqlite3_column_int64(st, 4));
    cJSON_AddNumberToObject(a, "expires", (double)sqlite3_column_int64(st, 5));
    cJSON_AddStringToObject(a, "staff", (const char *)sqlite3_column_text(st, 6));
    cJSON_AddItemToObject(a, "versions", cJSON_Parse((const char *)sqlite3_column_text(st, 7)));
    if (sqlite3_column_type(st, 8) == SQLITE_NULL) cJSON_AddNullToObject(a, "withdrawn");
    else cJSON_AddNumberToObject(a, "withdrawn", (double)sqlite3_column_int64(st, 8));
    return a;
}

#define ALERT_COLS "id, title, body, groups, created, expires, staff, versions, withdrawn"

void console_alert_send(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_PUBLISH, NULL)) {
        hub_error(resp, 403, "forbidden", "only a publisher sends emergency alerts");
        return;
    }
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(req->json, "title");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(req->json, "body");
    const cJSON *minutes = cJSON_GetObjectItemCaseSensitive(req->json, "minutes");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(req->json, "groups");
    if (!title || !body || !minutes || !groups) {
        hub_error(resp, 422, "missing_field", "title, body, minutes and groups are required");
        return;
    }
    if (!text_ok(title, CONSOLE_ALERT_TITLE_MAX) || !text_ok(body, CONSOLE_ALERT_BODY_MAX)) {
        hub_error(resp, 422, "invalid_field", "title: 1-%d bytes, body: 1-%d bytes of UTF-8",
                  CONSOLE_ALERT_TITLE_MAX, CONSOLE_ALERT_BODY_MAX);
        return;
    }
    if (!cJSON_IsNumber(minutes) || minutes->valuedouble != (double)(long long)minutes->valuedouble ||
        minutes->valuedouble < 1 || minutes->valuedouble > 7 * 1440) {
        hub_error(resp, 422, "invalid_field", "minutes: a whole number from 1 to 10080");
        return;
    }
    int ng = cJSON_IsArray(groups) ? cJSON_GetArraySize(groups) : 0;
    if (ng < 1 || ng > MAX_GROUPS) {
        hub_error(resp, 422, "invalid_field", "groups: 1 to %d kiosk groups", MAX_GROUPS);
        return;
    }
    for (const cJSON *g = groups->child; g; g = g->next) {
        bool name = cJSON_IsString(g) && staff_groups_ok(g->valuestring) && !strchr(g->valuestring, ',') &&
                    strcmp(g->valuestring, "*") != 0;
        if (!name) {
            hub_error(resp, 422, "invalid_field", "groups: names of 1-63 of A-Z a-z 0-9 _ -");
            return;
        }
        for (const cJSON *h = groups->child; h != g; h = h->next)
            if (!strcmp(h->valuestring, g->valuestring)) {
                hub_error(resp, 422, "invalid_field", "groups: %s twice", g->valuestring);
                return;
            }
        if (!staff_may(&s, STAFF_PUBLISH, g->valuestring)) {
            hub_error(resp, 403, "forbidden", "group %s is not yours", g->valuestring);
            return;
        }
    }
    long long expires = req->now + (long long)minutes->valuedouble * 60;
    char *groups_text = cJSON_PrintUnformatted(groups);
    cJSON *versions = cJSON_CreateArray(), *item = NULL;
    char *versions_text = NULL, *after = NULL;
    if (!groups_text) {
        hub_error(resp, 500, "memory", "out of memory");
        goto end;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        goto end;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO console_alerts(title, body, groups, created, expires, staff, versions)"
                                         " VALUES(:title, :body, :groups, :now, :expires, :staff, '[]')", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, title->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, body->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, groups_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, req->now);
        sqlite3_bind_int64(st, 5, expires);
        sqlite3_bind_text(st, 6, s.name, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    long long id = sqlite3_last_insert_rowid(req->db);
    if (rc != SQLITE_DONE) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the alert");
        goto end;
    }
    item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "id", (double)(CONSOLE_ALERT_ID_BASE + id));
    cJSON_AddStringToObject(item, "kind", "alert");
    cJSON_AddStringToObject(item, "category", "emergency");
    cJSON_AddStringToObject(item, "locale", "zh_CN");
    cJSON_AddStringToObject(item, "title", title->valuestring);
    cJSON_AddStringToObject(item, "body", body->valuestring);
    cJSON_AddNumberToObject(item, "published", (double)req->now);
    cJSON_AddNumberToObject(item, "expires", (double)expires);
    cJSON_AddNumberToObject(item, "priority", 100);
    for (const cJSON *g = groups->child; g; g = g->next)
        if (publish_group(req, resp, &s, g->valuestring, item, 0, expires, versions) != 0) {
            db_exec(req->db, "ROLLBACK");
            goto end;
        }
    versions_text = cJSON_PrintUnformatted(versions);
    if (sqlite3_prepare_v2(req->db, "UPDATE console_alerts SET versions = :v WHERE id = :id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, versions_text ? versions_text : "[]", -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, id);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "id", (double)id);
    cJSON_AddStringToObject(a, "title", title->valuestring);
    cJSON_AddItemToObject(a, "groups", cJSON_Duplicate(groups, true));
    cJSON_AddNumberToObject(a, "expires", (double)expires);
    cJSON_AddItemToObject(a, "versions", cJSON_Duplicate(versions, true));
    after = cJSON_PrintUnformatted(a);
    char target[32];
    snprintf(target, sizeof target, "alert %lld", id);
    console_log_change(req->db, req->now, s.name, req->addr, "alert_send", target, NULL, after);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "alert", a);
    hub_reply(resp, 201, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the alert could not be stored; try again");
    }
end:
    free(groups_text);
    free(versions_text);
    free(after);
    cJSON_Delete(versions);
    cJSON_Delete(item);
}

void console_alert_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ALERT_COLS " FROM console_alerts ORDER BY id DESC LIMIT 200",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the alerts");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "alerts");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *a = alert_json(st);
        /* Shown only when every group of it is the reader's. */
        bool mine = true;
        for (const cJSON *g = cJSON_GetObjectItem(a, "groups")->child; g && mine; g = g->next)
            mine = cJSON_IsString(g) && staff_may(&s, STAFF_SEE_FLEET, g->valuestring);
        if (mine) cJSON_AddItemToArray(arr, a);
        else cJSON_Delete(a);
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

void console_alert_withdraw(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_PUBLISH, NULL)) {
        hub_error(resp, 403, "forbidden", "only a publisher withdraws emergency alerts");
        return;
    }
    char *end = NULL;
    long long id = strtoll(req->params[0], &end, 10);
    if (*end || id < 1) {
        hub_error(resp, 404, "not_found", "no such alert");
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    sqlite3_stmt *st = NULL;
    cJSON *a = NULL, *versions = cJSON_CreateArray();
    char *before = NULL, *after = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ALERT_COLS " FROM console_alerts WHERE id = :id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) a = alert_json(st);
    }
    sqlite3_finalize(st);
    if (!a) {
        hub_error(resp, 404, "not_found", "no such alert");
        goto fail;
    }
    const cJSON *groups = cJSON_GetObjectItem(a, "groups");
    for (const cJSON *g = groups ? groups->child : NULL; g; g = g->next)
        if (!cJSON_IsString(g) || !staff_may(&s, STAFF_PUBLISH, g->valuestring)) {
            hub_error(resp, 403, "forbidden", "this alert reaches groups that are not yours");
            goto fail;
        }
    if (!cJSON_IsNull(cJSON_GetObjectItem(a, "withdrawn"))) {
        hub_error(resp, 409, "withdrawn", "the alert was withdrawn already");
        goto fail;
    }
    before = cJSON_PrintUnformatted(a);
    /* An expired alert is off the screens already; its withdrawal only records it. */
    if ((long long)cJSON_GetObjectItem(a, "expires")->valuedouble > req->now)
        for (const cJSON *g = groups->child; g; g = g->next)
            if (publish_group(req, resp, &s, g->valuestring, NULL, CONSOLE_ALERT_ID_BASE + id, 0, versions) != 0)
                goto fail;
    if (sqlite3_prepare_v2(req->db, "UPDATE console_alerts SET withdrawn = :now, withdrawn_by = :staff WHERE id = :id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now);
        sqlite3_bind_text(st, 2, s.name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, id);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    cJSON_ReplaceItemInObject(a, "withdrawn", cJSON_CreateNumber((double)req->now));
    cJSON_AddItemToObject(a, "withdraw_versions", cJSON_Duplicate(versions, true));
    after = cJSON_PrintUnformatted(a);
    char target[32];
    snprintf(target, sizeof target, "alert %lld", id);
    console_log_change(req->db, req->now, s.name, req->addr, "alert_withdraw", target, before, after);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "alert", a);
    a = NULL;
    hub_reply(resp, 200, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the withdrawal could not be stored; try again");
    }
    goto done;
fail:
    db_exec(req->db, "ROLLBACK");
done:
    cJSON_Delete(a);
    cJSON_Delete(versions);
    free(before);
    free(after);
}
