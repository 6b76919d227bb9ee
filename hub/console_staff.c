#include "console_staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "staff.h"

/* Every group of LIST ("*" or "a,b") is ADMIN's to manage. */
static bool groups_mine(const staff_t *admin, const char *list)
{
    if (!strcmp(list, "*")) return !strcmp(admin->groups, "*");
    char buf[STAFF_GROUPS_MAX];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save))
        if (!staff_may(admin, STAFF_MANAGE, g)) return false;
    return true;
}

static cJSON *account_json(const staff_t *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "role", staff_role_name(s->role));
    cJSON_AddStringToObject(o, "groups", s->groups);
    cJSON_AddBoolToObject(o, "disabled", s->disabled);
    return o;
}

/* The signed-in admin into S; 0 or the error status. */
static int admin(hub_req_t *req, hub_resp_t *resp, bool change, staff_t *s)
{
    int rc = console_session_check(req, resp, change, s, NULL);
    if (rc) return rc;
    return staff_may(s, STAFF_MANAGE, NULL) ? 0 : hub_error(resp, 403, "forbidden", "only an admin manages accounts");
}

void console_staff_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me;
    if (admin(req, resp, false, &me) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT name FROM staff ORDER BY name", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "staff");
    while (sqlite3_step(st) == SQLITE_ROW) {
        staff_t s;
        if (staff_get(req->db, (const char *)sqlite3_column_text(st, 0), &s) == 1 && groups_mine(&me, s.groups))
            cJSON_AddItemToArray(arr, account_json(&s));
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void log_and_reply(hub_req_t *req, hub_resp_t *resp, const staff_t *me, const char *action,
                          const staff_t *before, const char *name, bool pw, int status)
{
    staff_t after;
    if (staff_get(req->db, name, &after) != 1) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot read the account back");
        return;
    }
    cJSON *a = account_json(&after);
    if (pw) cJSON_AddBoolToObject(a, "password_set", true);
    cJSON *bj = before ? account_json(before) : NULL;
    char *bt = bj ? cJSON_PrintUnformatted(bj) : NULL;
    cJSON_Delete(bj);
    char *at = cJSON_PrintUnformatted(a);
    console_log_change(req->db, req->now, me->name, req->addr, action, name, bt, at);
    free(bt);
    free(at);
    cJSON_DeleteItemFromObject(a, "password_set");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "account", a);
    hub_reply(resp, status, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the change could not be stored; try again");
    }
}

void console_staff_create(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me;
    if (admin(req, resp, true, &me) != 0) return;
    const char *name = jstr(req->json, "name"), *role_s = jstr(req->json, "role");
    const char *groups = jstr(req->json, "groups"), *pw = jstr(req->json, "password");
    if (!name || !role_s || !groups || !pw) {
        hub_error(resp, 422, "missing_field", "name, role, groups and password are required");
        return;
    }
    int role = staff_role_parse(role_s);
    if (role < 0 || !staff_name_ok(name) || !staff_groups_ok(groups)) {
        hub_error(resp, 422, "invalid_field", "name: 1-63 of A-Z a-z 0-9 _ . -; role: admin, publisher, editor"
                                              " or viewer; groups: g1,g2 or *");
        return;
    }
    if (!groups_mine(&me, groups)) {
        hub_error(resp, 403, "forbidden", "you can give only your own groups");
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    staff_t old;
    if (staff_get(req->db, name, &old) != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 409, "exists", "an account named %s exists already", name);
        return;
    }
    char err[200];
    /* Hashing holds the write lock a tenth of a second: accounts are made rarely. */
    if (staff_add(req->db, name, (staff_role_t)role, groups, pw, req->now, err, sizeof err) != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 422, "invalid_field", "%s", err);
        return;
    }
    log_and_reply(req, resp, &me, "staff_add", NULL, name, true, 201);
}

void console_staff_update(hub_req_t *req, hub_resp_t *resp)
{
    staff_t me, before;
    if (admin(req, resp, true, &me) != 0) return;
    const char *name = req->params[0];
    const cJSON *j = req->json;
    const char *role_s = jstr(j, "role"), *groups = jstr(j, "groups"), *pw = jstr(j, "password");
    const cJSON *dis = cJSON_GetObjectItemCaseSensitive(j, "disabled");
    int role = role_s ? staff_role_parse(role_s) : -2;
    if (role == -1 || (groups && !staff_groups_ok(groups)) || (dis && !cJSON_IsBool(dis)) ||
        (cJSON_GetObjectItemCaseSensitive(j, "password") && !pw)) {
        hub_error(resp, 422, "invalid_field", "role: admin, publisher, editor or viewer; groups: g1,g2 or *;"
                                              " disabled: true or false; password: a string");
        return;
    }
    if (!strcmp(name, me.name) && (role_s || cJSON_IsTrue(dis) || groups || pw)) {
        hub_error(resp, 409, "self", "an admin changes its own password with /console/api/password,"
                                     " and cannot change its own role, groups or access");
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    int found = staff_get(req->db, name, &before);
    if (found != 1) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, found < 0 ? 500 : 404, found < 0 ? "storage" : "not_found", "no account %s", name);
        return;
    }
    if (!groups_mine(&me, before.groups) || (groups && !groups_mine(&me, groups))) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 403, "forbidden", "this account or these groups are not yours to manage");
        return;
    }
    char err[200];
    if (pw && staff_set_password(req->db, name, pw, req->now, err, sizeof err) != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 422, "invalid_field", "%s", err);
        return;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "UPDATE staff SET role = coalesce(:role, role), groups = coalesce(:groups, groups),"
                                         " disabled = coalesce(:dis, disabled) WHERE name = :name", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (role >= 0) sqlite3_bind_text(st, 1, staff_role_name((staff_role_t)role), -1, SQLITE_STATIC);
        if (groups) sqlite3_bind_text(st, 2, groups, -1, SQLITE_TRANSIENT);
        if (dis) sqlite3_bind_int(st, 3, cJSON_IsTrue(dis));
        sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the account");
        return;
    }
    /* A disabled account or a new password: its sessions end now. */
    if (cJSON_IsTrue(dis) || pw) console_sessions_drop(req, name, false);
    log_and_reply(req, resp, &me, "staff_change", &before, name, pw != NULL, 200);
}
