#include "console_alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "console_auth.h"
#include "console_log.h"
#include "console_publish.h"
#include "db.h"
#include "staff.h"
#include "utf8.h"


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
    if (console_groups_check(resp, &s, STAFF_PUBLISH, groups) != 0) return;
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
    cJSON_AddNumberToObject(item, "published", (double)(req->now - CONSOLE_CLOCK_SKEW_S));
    cJSON_AddNumberToObject(item, "expires", (double)expires);
    cJSON_AddNumberToObject(item, "priority", 100);
    for (const cJSON *g = groups->child; g; g = g->next)
        if (console_publish_group(req, resp, &s, g->valuestring, item, 0, expires, versions) != 0) {
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
            if (console_publish_group(req, resp, &s, g->valuestring, NULL, CONSOLE_ALERT_ID_BASE + id, 0, versions) != 0)
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
