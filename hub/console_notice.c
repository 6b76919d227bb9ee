#include "console_notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "console_pictures.h"
#include "console_publish.h"
#include "db.h"
#include "staff.h"
#include "utf8.h"

#define NOTICE_COLS "id, title, body, category, groups, days, pinned, state, author, approved_by," \
                    " published_by, created, updated, published, expires, versions, images, title_en, body_en"

static cJSON *row_json(sqlite3_stmt *st)
{
    static const char *const cols[] = {"id", "title", "body", "category", "groups", "days", "pinned",
                                       "state", "author", "approved_by", "published_by", "created",
                                       "updated", "published", "expires", "versions", "images",
                                       "title_en", "body_en"};
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < 19; i++) {
        int type = sqlite3_column_type(st, i);
        if (type == SQLITE_NULL) cJSON_AddNullToObject(o, cols[i]);
        else if (i == 4 || i == 15 || i == 16) cJSON_AddItemToObject(o, cols[i], cJSON_Parse((const char *)sqlite3_column_text(st, i)));
        else if (i == 6) cJSON_AddBoolToObject(o, cols[i], sqlite3_column_int(st, i) != 0);
        else if (type == SQLITE_INTEGER) cJSON_AddNumberToObject(o, cols[i], (double)sqlite3_column_int64(st, i));
        else cJSON_AddStringToObject(o, cols[i], (const char *)sqlite3_column_text(st, i));
    }
    return o;
}

/* Notice ID as JSON, or NULL (not found or a database error: *DB_ERR). */
static cJSON *load(hub_req_t *req, long long id, bool *db_err)
{
    sqlite3_stmt *st = NULL;
    cJSON *o = NULL;
    *db_err = true;
    if (sqlite3_prepare_v2(req->db, "SELECT " NOTICE_COLS " FROM console_notices WHERE id = :id", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) o = row_json(st);
    *db_err = rc != SQLITE_ROW && rc != SQLITE_DONE;
    sqlite3_finalize(st);
    return o;
}

/* May S do PERM on every group of notice N? */
static bool may_all(const staff_t *s, staff_perm_t perm, const cJSON *n)
{
    const cJSON *groups = cJSON_GetObjectItem(n, "groups");
    if (!cJSON_IsArray(groups) || !groups->child) return false;
    for (const cJSON *g = groups->child; g; g = g->next)
        if (!cJSON_IsString(g) || !staff_may(s, perm, g->valuestring)) return false;
    return true;
}

static const char *state_of(const cJSON *n)
{
    const cJSON *v = cJSON_GetObjectItem(n, "state");
    return cJSON_IsString(v) ? v->valuestring : "";
}

static bool text_ok(const cJSON *v, size_t max)
{
    return cJSON_IsString(v) && v->valuestring[0] && strlen(v->valuestring) <= max &&
           utf8_valid(v->valuestring, strlen(v->valuestring));
}

static bool is_sha256(const char *s)
{
    if (strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

/* The draft's pictures (optional: none), each uploaded in the console, none
 * twice, as JSON text in *TEXT; 0 or the error status. */
static int images(hub_req_t *req, hub_resp_t *resp, char **text)
{
    const cJSON *im = cJSON_GetObjectItemCaseSensitive(req->json, "images");
    int n = im ? cJSON_GetArraySize(im) : 0;
    if (im && (!cJSON_IsArray(im) || n > CONSOLE_NOTICE_IMAGES_MAX))
        return hub_error(resp, 422, "invalid_field", "images: at most %d pictures (their sha256)",
                         CONSOLE_NOTICE_IMAGES_MAX);
    int i = 0;
    for (const cJSON *v = im ? im->child : NULL; v; v = v->next, i++) {
        if (!cJSON_IsString(v) || !is_sha256(v->valuestring))
            return hub_error(resp, 422, "invalid_field", "images[%d]: a picture's sha256 (64 lowercase hex)", i);
        for (const cJSON *u = im->child; u != v; u = u->next)
            if (!strcmp(u->valuestring, v->valuestring))
                return hub_error(resp, 422, "invalid_field", "images[%d]: the same picture twice", i);
        int known = console_picture_known(req->db, v->valuestring);
        if (known < 0) return hub_error(resp, 500, "storage", "cannot read the pictures");
        if (!known)
            return hub_error(resp, 422, "unknown_picture", "images[%d]: no picture %.12s… was uploaded", i,
                             v->valuestring);
    }
    *text = im ? cJSON_PrintUnformatted(im) : strdup("[]");
    return *text ? 0 : hub_error(resp, 500, "memory", "out of memory");
}

/* The optional English of REQ's body: title_en and body_en, both or
 * neither (absent, null or "" is none), checked as the Chinese; into
 * *TITLE and *BODY (NULL: none). 0 or the error status. */
static int english(hub_req_t *req, hub_resp_t *resp, const char **title, const char **body)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(req->json, "title_en");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(req->json, "body_en");
    bool has_t = t && !cJSON_IsNull(t) && !(cJSON_IsString(t) && !t->valuestring[0]);
    bool has_b = b && !cJSON_IsNull(b) && !(cJSON_IsString(b) && !b->valuestring[0]);
    *title = *body = NULL;
    if (has_t && !text_ok(t, CONSOLE_NOTICE_TITLE_MAX))
        return hub_error(resp, 422, "invalid_field", "title_en: 1-%d bytes of UTF-8, or none", CONSOLE_NOTICE_TITLE_MAX);
    if (has_b && !text_ok(b, CONSOLE_NOTICE_BODY_MAX))
        return hub_error(resp, 422, "invalid_field", "body_en: 1-%d bytes of UTF-8, or none", CONSOLE_NOTICE_BODY_MAX);
    if (has_t != has_b)
        return hub_error(resp, 422, "missing_field", "%s: the English needs a title and a body (or neither)",
                         has_t ? "body_en" : "title_en");
    if (has_t) {
        *title = t->valuestring;
        *body = b->valuestring;
    }
    return 0;
}

/* The fields of a draft from REQ's body, checked; 0 or the error status. */
static int fields(hub_req_t *req, hub_resp_t *resp, const staff_t *s, char **groups_text)
{
    const cJSON *j = req->json;
    const cJSON *title = cJSON_GetObjectItemCaseSensitive(j, "title"), *body = cJSON_GetObjectItemCaseSensitive(j, "body");
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(j, "category"), *days = cJSON_GetObjectItemCaseSensitive(j, "days");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "groups"), *pinned = cJSON_GetObjectItemCaseSensitive(j, "pinned");
    if (!title || !body || !cat || !days || !groups)
        return hub_error(resp, 422, "missing_field", "title, body, category, days and groups are required");
    if (!text_ok(title, CONSOLE_NOTICE_TITLE_MAX) || !text_ok(body, CONSOLE_NOTICE_BODY_MAX))
        return hub_error(resp, 422, "invalid_field", "title: 1-%d bytes, body: 1-%d bytes of UTF-8",
                         CONSOLE_NOTICE_TITLE_MAX, CONSOLE_NOTICE_BODY_MAX);
    if (!cJSON_IsString(cat) || (strcmp(cat->valuestring, "community") && strcmp(cat->valuestring, "government")))
        return hub_error(resp, 422, "invalid_field", "category: community or government");
    if (!cJSON_IsNumber(days) || days->valuedouble != (double)(long long)days->valuedouble ||
        days->valuedouble < 1 || days->valuedouble > 365)
        return hub_error(resp, 422, "invalid_field", "days: a whole number from 1 to 365");
    if (pinned && !cJSON_IsBool(pinned)) return hub_error(resp, 422, "invalid_field", "pinned: true or false");
    int rc = console_groups_check(resp, s, STAFF_WRITE_DRAFT, groups);
    if (rc) return rc;
    *groups_text = cJSON_PrintUnformatted(groups);
    return *groups_text ? 0 : hub_error(resp, 500, "memory", "out of memory");
}

static void bind_opt(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

static bool begin(hub_req_t *req, hub_resp_t *resp)
{
    if (db_exec(req->db, "BEGIN IMMEDIATE") == 0) return true;
    resp->retry_after = 1;
    hub_error(resp, 503, "busy", "the hub is busy; try again");
    return false;
}

/* Logs ACTION on notice ID (BEFORE may be NULL), answers it, commits. */
static void finish(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *action, long long id,
                   const cJSON *before, int status)
{
    bool err;
    cJSON *after = load(req, id, &err);
    if (!after) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot read the notice back");
        return;
    }
    char *bt = before ? cJSON_PrintUnformatted(before) : NULL, *at = cJSON_PrintUnformatted(after);
    char target[32];
    snprintf(target, sizeof target, "notice %lld", id);
    console_log_change(req->db, req->now, s->name, req->addr, action, target, bt, at);
    free(bt);
    free(at);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "notice", after);
    hub_reply(resp, status, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the change could not be stored; try again");
    }
}

void console_notice_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " NOTICE_COLS " FROM console_notices ORDER BY id DESC LIMIT 500",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the notices");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "notices");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *n = row_json(st);
        if (may_all(&s, STAFF_SEE_FLEET, n)) cJSON_AddItemToArray(arr, n);
        else cJSON_Delete(n);
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

void console_notice_create(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *pics = NULL;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_WRITE_DRAFT, NULL)) {
        hub_error(resp, 403, "forbidden", "a viewer cannot write notices");
        return;
    }
    const char *title_en, *body_en;
    if (fields(req, resp, &s, &groups) != 0 || english(req, resp, &title_en, &body_en) != 0 ||
        images(req, resp, &pics) != 0 || !begin(req, resp))
        goto end;
    const cJSON *j = req->json;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO console_notices(title, body, category, groups, days, pinned,"
                                         " state, author, created, updated, images, title_en, body_en)"
                                         " VALUES(:title, :body, :cat, :groups, :days, :pinned, 'draft', :author, :now,"
                                         " :now, :images, :title_en, :body_en)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, cJSON_GetObjectItem(j, "title")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, cJSON_GetObjectItem(j, "body")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, cJSON_GetObjectItem(j, "category")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, groups, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (long long)cJSON_GetObjectItem(j, "days")->valuedouble);
        sqlite3_bind_int(st, 6, cJSON_IsTrue(cJSON_GetObjectItem(j, "pinned")));
        sqlite3_bind_text(st, 7, s.name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 8, req->now);
        sqlite3_bind_text(st, 9, pics, -1, SQLITE_TRANSIENT);
        bind_opt(st, ":title_en", title_en);
        bind_opt(st, ":body_en", body_en);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the notice");
        goto end;
    }
    /* A notice's bundle ids (console_publish.h) leave room for ids below the span only. */
    if (sqlite3_last_insert_rowid(req->db) >= CONSOLE_NOTICE_ID_SPAN) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "notices_full", "the hub has no notice ids left");
        goto end;
    }
    finish(req, resp, &s, "notice_create", sqlite3_last_insert_rowid(req->db), NULL, 201);
end:
    free(groups);
    free(pics);
}

static bool parse_id(const char *s, long long *id)
{
    char *end = NULL;
    *id = strtoll(s, &end, 10);
    return *s && !*end && *id >= 1 && *id < CONSOLE_NOTICE_ID_SPAN;
}

void console_notice_edit(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *pics = NULL;
    cJSON *before = NULL;
    long long id;
    bool err;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "not_found", "no such notice");
        return;
    }
    const char *title_en, *body_en;
    if (fields(req, resp, &s, &groups) != 0 || english(req, resp, &title_en, &body_en) != 0 ||
        images(req, resp, &pics) != 0 || !begin(req, resp))
        goto end;
    if (!(before = load(req, id, &err))) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, err ? 500 : 404, err ? "storage" : "not_found", "no such notice");
        goto end;
    }
    if (!may_all(&s, STAFF_WRITE_DRAFT, before)) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 403, "forbidden", "this notice is for groups that are not yours");
        goto end;
    }
    if (strcmp(state_of(before), "draft") && strcmp(state_of(before), "approved")) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 409, "wrong_state", "a %s notice cannot be edited", state_of(before));
        goto end;
    }
    const cJSON *j = req->json;
    sqlite3_stmt *st = NULL;
    /* Edited, an approved notice needs approving again: what was approved is not what it says now. */
    int rc = sqlite3_prepare_v2(req->db, "UPDATE console_notices SET title = :title, body = :body, category = :cat,"
                                         " groups = :groups, days = :days, pinned = :pinned, state = 'draft',"
                                         " approved_by = NULL, updated = :now, images = :images, title_en = :title_en,"
                                         " body_en = :body_en WHERE id = :id",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, cJSON_GetObjectItem(j, "title")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, cJSON_GetObjectItem(j, "body")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, cJSON_GetObjectItem(j, "category")->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, groups, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, (long long)cJSON_GetObjectItem(j, "days")->valuedouble);
        sqlite3_bind_int(st, 6, cJSON_IsTrue(cJSON_GetObjectItem(j, "pinned")));
        sqlite3_bind_int64(st, 7, req->now);
        sqlite3_bind_text(st, 8, pics, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
        bind_opt(st, ":title_en", title_en);
        bind_opt(st, ":body_en", body_en);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot store the notice");
        goto end;
    }
    finish(req, resp, &s, "notice_edit", id, before, 200);
end:
    free(groups);
    free(pics);
    cJSON_Delete(before);
}

/* The kiosk item of notice N in LOCALE ("zh_CN", or "en": its English),
 * published at NOW. */
static cJSON *item_of(const cJSON *n, long long id, const char *locale, long long now)
{
    bool en = !strcmp(locale, "en");
    cJSON *it = cJSON_CreateObject();
    cJSON_AddNumberToObject(it, "id", (double)((en ? CONSOLE_NOTICE_EN_ID_BASE : CONSOLE_NOTICE_ID_BASE) + id));
    cJSON_AddStringToObject(it, "kind", "notice");
    cJSON_AddStringToObject(it, "category", cJSON_GetObjectItem(n, "category")->valuestring);
    cJSON_AddStringToObject(it, "locale", locale);
    cJSON_AddStringToObject(it, "title", cJSON_GetObjectItem(n, en ? "title_en" : "title")->valuestring);
    cJSON_AddStringToObject(it, "body", cJSON_GetObjectItem(n, en ? "body_en" : "body")->valuestring);
    cJSON_AddNumberToObject(it, "published", (double)(now - CONSOLE_CLOCK_SKEW_S));
    cJSON_AddNumberToObject(it, "expires", (double)(now + (long long)cJSON_GetObjectItem(n, "days")->valuedouble * 86400));
    cJSON_AddBoolToObject(it, "pinned", cJSON_IsTrue(cJSON_GetObjectItem(n, "pinned")));
    const cJSON *im = cJSON_GetObjectItem(n, "images");
    if (cJSON_GetArraySize(im) > 0) cJSON_AddItemToObject(it, "images", cJSON_Duplicate(im, true));
    return it;
}

void console_notice_action(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    long long id;
    bool err;
    const char *action = req->params[1];
    static const char *const from[] = {"draft", "approved", "published"};
    static const char *const names[] = {"approve", "publish", "withdraw"};
    int a = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(action, names[i])) a = i;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (a < 0 || !parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "not_found", "no such notice or action");
        return;
    }
    if (!staff_may(&s, STAFF_PUBLISH, NULL)) {
        hub_error(resp, 403, "forbidden", "only a publisher may %s a notice", action);
        return;
    }
    if (!begin(req, resp)) return;
    cJSON *before = load(req, id, &err), *versions = cJSON_CreateArray(), *item = NULL;
    if (!before) {
        hub_error(resp, err ? 500 : 404, err ? "storage" : "not_found", "no such notice");
        goto fail;
    }
    if (!may_all(&s, STAFF_PUBLISH, before)) {
        hub_error(resp, 403, "forbidden", "this notice is for groups that are not yours");
        goto fail;
    }
    if (strcmp(state_of(before), from[a]) != 0) {
        hub_error(resp, 409, "wrong_state", "only a %s notice can be %s; this one is %s", from[a],
                  a == 0 ? "approved" : a == 1 ? "published" : "withdrawn", state_of(before));
        goto fail;
    }
    sqlite3_stmt *st = NULL;
    long long expires = 0;
    if (a == 0) {
        if (sqlite3_prepare_v2(req->db, "UPDATE console_notices SET state = 'approved', approved_by = :who,"
                                        " updated = :now WHERE id = :id", -1, &st, NULL) != SQLITE_OK) goto db_fail;
    } else {
        /* Published: the Chinese item and, when written, the English one
         * next to it; withdrawn: console_publish_group takes out both. */
        if (a == 1) {
            item = cJSON_CreateArray();
            cJSON_AddItemToArray(item, item_of(before, id, "zh_CN", req->now));
            if (cJSON_IsString(cJSON_GetObjectItem(before, "title_en")))
                cJSON_AddItemToArray(item, item_of(before, id, "en", req->now));
        }
        expires = item ? (long long)cJSON_GetObjectItem(item->child, "expires")->valuedouble : 0;
        for (const cJSON *g = cJSON_GetObjectItem(before, "groups")->child; g; g = g->next)
            if (console_publish_group(req, resp, &s, g->valuestring, item, a == 2 ? CONSOLE_NOTICE_ID_BASE + id : 0,
                                      0, versions) != 0)
                goto fail;
        const char *sql = a == 1 ? "UPDATE console_notices SET state = 'published', published_by = :who, updated = :now,"
                                   " published = :now, expires = :exp, versions = :v WHERE id = :id"
                                 : "UPDATE console_notices SET state = 'withdrawn', published_by = :who, updated = :now,"
                                   " versions = :v WHERE id = :id";
        if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) goto db_fail;
        char *v = cJSON_PrintUnformatted(versions);
        int vi = sqlite3_bind_parameter_index(st, ":v"), ei = sqlite3_bind_parameter_index(st, ":exp");
        sqlite3_bind_text(st, vi, v ? v : "[]", -1, SQLITE_TRANSIENT);
        if (ei) sqlite3_bind_int64(st, ei, expires);
        free(v);
    }
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":who"), s.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto db_fail;
    char act[32];
    snprintf(act, sizeof act, "notice_%s", action);
    finish(req, resp, &s, act, id, before, 200);
    goto end;
db_fail:
    hub_error(resp, 500, "storage", "cannot store the notice");
fail:
    db_exec(req->db, "ROLLBACK");
end:
    cJSON_Delete(before);
    cJSON_Delete(versions);
    cJSON_Delete(item);
}
