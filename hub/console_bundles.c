#include "console_bundles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "console_publish.h"
#include "db.h"
#include "staff.h"

#define BUNDLE_PAGE 50

/* May S do PERM on every kiosk the bundle targets (GROUPS, KIOSKS: JSON arrays)? */
static bool bundle_mine(const staff_t *s, staff_perm_t perm, const char *groups, const char *kiosks)
{
    cJSON *g = cJSON_Parse(groups), *k = cJSON_Parse(kiosks);
    bool ok = cJSON_IsArray(g) && cJSON_IsArray(k);
    if (ok && (!g->child || k->child)) ok = staff_may(s, perm, NULL) && !strcmp(s->groups, "*");
    for (const cJSON *x = ok ? g->child : NULL; x && ok; x = x->next)
        ok = cJSON_IsString(x) && staff_may(s, perm, x->valuestring);
    cJSON_Delete(g);
    cJSON_Delete(k);
    return ok;
}

void console_bundle_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT version, mode, groups, kiosks, created, expires, staff, published,"
                                    " json_array_length(manifest, '$.items') FROM content_bundles"
                                    " ORDER BY version DESC LIMIT 500", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the bundles");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "bundles");
    int n = 0;
    while (n < BUNDLE_PAGE && sqlite3_step(st) == SQLITE_ROW) {
        const char *groups = (const char *)sqlite3_column_text(st, 2), *kiosks = (const char *)sqlite3_column_text(st, 3);
        if (!bundle_mine(&s, STAFF_SEE_FLEET, groups, kiosks)) continue;
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "version", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(b, "mode", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddItemToObject(b, "groups", cJSON_Parse(groups));
        cJSON_AddItemToObject(b, "kiosks", cJSON_Parse(kiosks));
        cJSON_AddNumberToObject(b, "created", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(b, "expires", (double)sqlite3_column_int64(st, 5));
        cJSON_AddStringToObject(b, "staff", (const char *)sqlite3_column_text(st, 6));
        cJSON_AddNumberToObject(b, "published", (double)sqlite3_column_int64(st, 7));
        cJSON_AddNumberToObject(b, "items", (double)sqlite3_column_int64(st, 8));
        cJSON_AddItemToArray(arr, b);
        n++;
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

void console_bundle_rollback(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_PUBLISH, NULL)) {
        hub_error(resp, 403, "forbidden", "only a publisher rolls content back");
        return;
    }
    char *end = NULL;
    long long v = strtoll(req->params[0], &end, 10);
    if (*end || v < 1) {
        hub_error(resp, 404, "unknown_bundle", "no bundle %s", req->params[0]);
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    sqlite3_stmt *st = NULL;
    cJSON *m = NULL, *versions = cJSON_CreateArray();
    char *groups = NULL, *kiosks = NULL;
    long long expires = 0;
    int rc = sqlite3_prepare_v2(req->db, "SELECT groups, kiosks, expires, manifest FROM content_bundles"
                                         " WHERE version = :v", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, v);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            groups = strdup((const char *)sqlite3_column_text(st, 0));
            kiosks = strdup((const char *)sqlite3_column_text(st, 1));
            expires = sqlite3_column_int64(st, 2);
            m = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot read the bundle");
        goto fail;
    }
    /* Another group's bundle is answered as one that does not exist. */
    if (rc == SQLITE_DONE || !cJSON_IsObject(m) || !groups || !kiosks ||
        !bundle_mine(&s, STAFF_SEE_FLEET, groups, kiosks)) {
        hub_error(resp, 404, "unknown_bundle", "no bundle %lld", v);
        goto fail;
    }
    if (!bundle_mine(&s, STAFF_PUBLISH, groups, kiosks)) {
        hub_error(resp, 403, "forbidden", "this bundle reaches kiosks that are not yours");
        goto fail;
    }
    if (expires <= req->now) {
        hub_error(resp, 409, "expired", "bundle %lld has expired; publish its content anew", v);
        goto fail;
    }
    if (console_publish_manifest(req, resp, &s, m, versions) != 0) goto fail;
    cJSON *g = cJSON_Parse(groups);
    int qrc = 0;
    if (!g || !g->child) qrc = console_publish_reload(req, resp, &s, NULL);
    for (const cJSON *x = g ? g->child : NULL; x && !qrc; x = x->next) qrc = console_publish_reload(req, resp, &s, x->valuestring);
    cJSON_Delete(g);
    if (qrc) goto fail;
    long long nv = (long long)cJSON_GetArrayItem(versions, 0)->valuedouble;
    char target[48], before[48], after[48];
    snprintf(target, sizeof target, "bundle %lld", v);
    snprintf(before, sizeof before, "{\"version\":%lld}", v);
    snprintf(after, sizeof after, "{\"version\":%lld}", nv);
    console_log_change(req->db, req->now, s.name, req->addr, "bundle_rollback", target, before, after);
    cJSON *o = cJSON_CreateObject(), *b = cJSON_AddObjectToObject(o, "bundle");
    cJSON_AddNumberToObject(b, "version", (double)nv);
    cJSON_AddNumberToObject(b, "from", (double)v);
    hub_reply(resp, 201, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the rollback could not be stored; try again");
    }
    goto done;
fail:
    db_exec(req->db, "ROLLBACK");
done:
    free(groups);
    free(kiosks);
    cJSON_Delete(m);
    cJSON_Delete(versions);
}
