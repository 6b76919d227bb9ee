#include "console_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "console_auth.h"
#include "console_log.h"
#include "console_reports.h"
#include "db.h"
#include "staff.h"

#define CHANGES_PAGE 5000

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *staff_json(const staff_t *s, const char *csrf)
{
    cJSON *o = cJSON_CreateObject(), *st = cJSON_AddObjectToObject(o, "staff");
    cJSON_AddStringToObject(st, "name", s->name);
    cJSON_AddStringToObject(st, "role", staff_role_name(s->role));
    cJSON_AddStringToObject(st, "groups", s->groups);
    cJSON_AddStringToObject(o, "csrf", csrf);
    return o;
}

/* A change and its log row commit together, or neither does. */
static bool begin(hub_req_t *req, hub_resp_t *resp)
{
    if (db_exec(req->db, "BEGIN IMMEDIATE") == 0) return true;
    resp->retry_after = 1;
    hub_error(resp, 503, "busy", "the hub is busy; try again");
    return false;
}

static void commit(hub_req_t *req, hub_resp_t *resp)
{
    if (db_exec(req->db, "COMMIT") == 0) return;
    db_exec(req->db, "ROLLBACK");
    hub_error(resp, 503, "storage", "the change could not be stored; try again");
}

/* The password is checked outside any transaction: Argon2id takes a tenth
 * of a second and 64 MiB, and must not hold the database's write lock. */
void console_login(hub_req_t *req, hub_resp_t *resp)
{
    const char *name = jstr(req->json, "name"), *pw = jstr(req->json, "password");
    if (!name || !pw) {
        hub_error(resp, 422, "missing_field", "name and password are required");
        return;
    }
    int retry = 0;
    char rkey[96];
    snprintf(rkey, sizeof rkey, "login@%s", req->addr);
    if (!hub_rate_take(req->hub, rkey, RATE_LOOKUP, &retry)) {
        resp->retry_after = retry;
        hub_error(resp, 429, "rate_limited", "too many sign-ins from this address; retry in %d s", retry);
        return;
    }
    /* Names are compared as given; an over-long one counts as its first 63
     * bytes in the lockout, so it cannot dodge it. */
    char key[STAFF_NAME_MAX];
    snprintf(key, sizeof key, "%s", name);
    char device[65];
    console_device_known(req, key, device);
    int wait = console_locked(req, key, device);
    if (wait > 0) {
        resp->retry_after = wait;
        hub_error(resp, 429, "locked", "too many wrong passwords; try again in %d minutes", (wait + 59) / 60);
        return;
    }
    staff_t s;
    int ok = staff_check_password(req->db, name, pw, &s);
    if (ok < 0) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    if (!begin(req, resp)) return;
    if (ok == 0) {
        bool locked = console_failed(req, key, device);
        console_log_change(req->db, req->now, key, req->addr, locked ? "lockout" : "login_failed", key, NULL, NULL);
        commit(req, resp);
        if (resp->status < 500)
            hub_error(resp, 401, "bad_credentials", "wrong name or password");
        return;
    }
    char csrf[65];
    console_failures_clear(req, s.name);
    if (console_session_new(req, resp, &s, csrf) != 0 || console_device_remember(req, resp, s.name) != 0) {
        db_exec(req->db, "ROLLBACK");
        resp->set_cookie[0] = resp->set_cookie2[0] = '\0';
        hub_error(resp, 500, "storage", "cannot store the session");
        return;
    }
    console_log_change(req->db, req->now, s.name, req->addr, "login", s.name, NULL, NULL);
    hub_reply(resp, 200, staff_json(&s, csrf));
    commit(req, resp);
    if (resp->status >= 500) resp->set_cookie[0] = resp->set_cookie2[0] = '\0';
}

void console_logout(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    console_log_change(req->db, req->now, s.name, req->addr, "logout", s.name, NULL, NULL);
    console_session_end(req, resp);
    hub_reply(resp, 200, NULL);
}

void console_me(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char csrf[65];
    if (console_session_check(req, resp, false, &s, csrf) != 0) return;
    hub_reply(resp, 200, staff_json(&s, csrf));
}

void console_password(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s, again;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    const char *cur = jstr(req->json, "current"), *next = jstr(req->json, "new");
    if (!cur || !next) {
        hub_error(resp, 422, "missing_field", "current and new are required");
        return;
    }
    size_t n = strlen(next);
    if (n < STAFF_PW_MIN || n > STAFF_PW_MAX) {
        hub_error(resp, 422, "invalid_field", "a password has %d to %d bytes", STAFF_PW_MIN, STAFF_PW_MAX);
        return;
    }
    /* A stolen session cannot take the account over: the current password
     * is asked, and wrong ones count toward the lockout like a sign-in's. */
    int wait = console_locked(req, s.name, NULL);
    if (wait > 0) {
        resp->retry_after = wait;
        hub_error(resp, 429, "locked", "too many wrong passwords; try again in %d minutes", (wait + 59) / 60);
        return;
    }
    int ok = staff_check_password(req->db, s.name, cur, &again);
    if (ok <= 0) {
        if (ok == 0 && begin(req, resp)) {
            console_failed(req, s.name, NULL);
            console_log_change(req->db, req->now, s.name, req->addr, "password_change_failed", s.name, NULL, NULL);
            commit(req, resp);
        }
        if (resp->status < 500)
            hub_error(resp, ok < 0 ? 500 : 403, ok < 0 ? "storage" : "bad_credentials", "the current password is wrong");
        return;
    }
    char err[200];
    if (!begin(req, resp)) return;
    if (staff_set_password(req->db, s.name, next, req->now, err, sizeof err) != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "%s", err);
        return;
    }
    console_sessions_drop(req, s.name, true);
    console_log_change(req->db, req->now, s.name, req->addr, "password_change", s.name, NULL, NULL);
    hub_reply(resp, 200, NULL);
    commit(req, resp);
}

/* The group an admin gave kiosk ID ("" for none); -1 on a database error. */
static int kiosk_group(hub_req_t *req, const char *id, char *out, size_t len)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(req->db, "SELECT kiosk_group FROM devices WHERE id = :id AND role = 'kiosk'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* The fleet view of the staff API (api_admin_fleet), kept to the kiosks of
 * the staff member's groups, each with its group. */
void console_fleet(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_SEE_FLEET, NULL)) {
        hub_error(resp, 403, "forbidden", "your role cannot see the fleet");
        return;
    }
    api_admin_fleet(req, resp);
    if (resp->status != 200) return;
    cJSON *all = cJSON_Parse(resp->body), *kiosks = cJSON_GetObjectItemCaseSensitive(all, "kiosks");
    if (!cJSON_IsArray(kiosks)) {
        cJSON_Delete(all);
        hub_error(resp, 500, "storage", "cannot read the fleet");
        return;
    }
    int total = 0, online = 0;
    for (cJSON *k = kiosks->child, *next; k; k = next) {
        next = k->next;
        char group[64];
        const char *id = jstr(k, "id");
        if (!id || kiosk_group(req, id, group, sizeof group) != 0) {
            cJSON_Delete(all);
            hub_error(resp, 500, "storage", "cannot read the kiosks' groups");
            return;
        }
        if (!staff_may(&s, STAFF_SEE_FLEET, group)) {
            cJSON_Delete(cJSON_DetachItemViaPointer(kiosks, k));
            continue;
        }
        if (group[0]) cJSON_AddStringToObject(k, "group", group);
        else cJSON_AddNullToObject(k, "group");
        total++;
        online += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(k, "online"));
    }
    cJSON_ReplaceItemInObjectCaseSensitive(all, "total", cJSON_CreateNumber(total));
    cJSON_ReplaceItemInObjectCaseSensitive(all, "online", cJSON_CreateNumber(online));
    hub_reply(resp, 200, all);
}

void console_kiosk_group(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_MANAGE, NULL)) {
        hub_error(resp, 403, "forbidden", "only an admin sets a kiosk's group");
        return;
    }
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(req->json, "group");
    const char *group = cJSON_IsString(g) ? g->valuestring : NULL;
    if (!cJSON_IsNull(g) && (!group || !staff_groups_ok(group) || strchr(group, ',') || !strcmp(group, "*"))) {
        hub_error(resp, 422, "invalid_field", "group: 1-63 of A-Z a-z 0-9 _ -, or null");
        return;
    }
    const char *id = req->params[0];
    char before[64];
    if (!begin(req, resp)) return;
    if (kiosk_group(req, id, before, sizeof before) != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot read the kiosk");
        return;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "UPDATE devices SET kiosk_group = :g WHERE id = :id AND role = 'kiosk'",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        if (group) sqlite3_bind_text(st, 1, group, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE || sqlite3_changes(req->db) != 1) {
        db_exec(req->db, "ROLLBACK");
        if (rc == SQLITE_DONE) hub_error(resp, 404, "not_found", "no kiosk %s", id);
        else hub_error(resp, 500, "storage", "cannot store the group");
        return;
    }
    cJSON *b = cJSON_CreateObject(), *a = cJSON_CreateObject();
    if (before[0]) cJSON_AddStringToObject(b, "group", before);
    else cJSON_AddNullToObject(b, "group");
    if (group) cJSON_AddStringToObject(a, "group", group);
    else cJSON_AddNullToObject(a, "group");
    char *bt = cJSON_PrintUnformatted(b), *at = cJSON_PrintUnformatted(a);
    console_log_change(req->db, req->now, s.name, req->addr, "kiosk_group", id, bt, at);
    free(bt);
    free(at);
    cJSON_Delete(b);
    cJSON *o = cJSON_CreateObject(), *k = cJSON_AddObjectToObject(o, "kiosk");
    cJSON_AddStringToObject(k, "id", id);
    cJSON_AddItemToObject(k, "group", cJSON_DetachItemFromObject(a, "group"));
    cJSON_Delete(a);
    hub_reply(resp, 200, o);
    commit(req, resp);
}

void console_changes(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_MANAGE, NULL)) {
        hub_error(resp, 403, "forbidden", "only an admin reads the change log");
        return;
    }
    const char *since_s = hub_query(req, "since"), *format = hub_query(req, "format");
    char *end = NULL;
    long long since = since_s ? strtoll(since_s, &end, 10) : 0;
    if ((since_s && (!*since_s || *end || since < 0)) ||
        (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0)) {
        hub_error(resp, 422, "invalid_field", "since: unix seconds; format: json or csv");
        return;
    }
    cJSON *rows = console_log_read(req->db, since, CHANGES_PAGE);
    if (!rows) {
        hub_error(resp, 500, "storage", "cannot read the change log");
        return;
    }
    if (format && !strcmp(format, "csv")) {
        /* The shared writer (common/csv.h): a BOM for Excel, formula cells defused; a download. */
        csv_t c;
        char file[64];
        csv_init(&c, true);
        console_log_csv(rows, &c);
        cJSON_Delete(rows);
        snprintf(file, sizeof file, "changes-since-%lld.csv", since);
        console_reply_csv(resp, &c, file);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "changes", rows);
    hub_reply(resp, 200, o);
}
