#include "console_notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_pictures.h"
#include "console_publish.h"
#include "console_workflow.h"
#include "staff.h"
#include "utf8.h"

#define NOTICE_COLS "id, title, body, category, groups, days, pinned, state, author, approved_by," \
                    " published_by, created, updated, published, expires, versions, images, title_en, body_en"

static const console_wf_col_t cols[] = {
    {"id", 'v'}, {"title", 'v'}, {"body", 'v'}, {"category", 'v'}, {"groups", 'j'}, {"days", 'v'}, {"pinned", 'b'},
    {"state", 'v'}, {"author", 'v'}, {"approved_by", 'v'}, {"published_by", 'v'}, {"created", 'v'}, {"updated", 'v'},
    {"published", 'v'}, {"expires", 'v'}, {"versions", 'j'}, {"images", 'j'}, {"title_en", 'v'}, {"body_en", 'v'}};
#define N_COLS ((int)(sizeof cols / sizeof *cols))

/* Notice ID as JSON, or NULL (not found or a database error: *DB_ERR). */
static cJSON *load(sqlite3 *db, long long id, bool *db_err)
{
    return console_wf_select(db, "SELECT " NOTICE_COLS " FROM console_notices WHERE id = :id", id, cols, N_COLS,
                             db_err);
}

/* Ids below CONSOLE_NOTICE_ID_SPAN only: a notice's bundle ids
 * (console_publish.h) leave room for no more. */
static const console_wf_kind_t kind = {"notice", "notices", CONSOLE_NOTICE_ID_SPAN, load};

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
        cJSON *n = console_wf_row(st, cols, N_COLS);
        if (console_wf_may_all(&s, STAFF_SEE_FLEET, n)) cJSON_AddItemToArray(arr, n);
        else cJSON_Delete(n);
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

/* INSERT (ID 0: a new draft by S) or UPDATE of notice ID with the checked
 * fields; 0, or -1 with the transaction rolled back and RESP answered.
 * Edited, an approved notice needs approving again: what was approved is
 * not what it says now. */
static int store(hub_req_t *req, hub_resp_t *resp, const staff_t *s, long long id, const char *groups,
                 const char *pics, const char *title_en, const char *body_en)
{
    const char *sql = id ? "UPDATE console_notices SET title = :title, body = :body, category = :cat,"
                           " groups = :groups, days = :days, pinned = :pinned, state = 'draft',"
                           " approved_by = NULL, updated = :now, images = :images, title_en = :title_en,"
                           " body_en = :body_en WHERE id = :id"
                         : "INSERT INTO console_notices(title, body, category, groups, days, pinned,"
                           " state, author, created, updated, images, title_en, body_en)"
                           " VALUES(:title, :body, :cat, :groups, :days, :pinned, 'draft', :author, :now,"
                           " :now, :images, :title_en, :body_en)";
    const cJSON *j = req->json;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_opt(st, ":title", cJSON_GetObjectItem(j, "title")->valuestring);
        bind_opt(st, ":body", cJSON_GetObjectItem(j, "body")->valuestring);
        bind_opt(st, ":cat", cJSON_GetObjectItem(j, "category")->valuestring);
        bind_opt(st, ":groups", groups);
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":days"),
                           (long long)cJSON_GetObjectItem(j, "days")->valuedouble);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":pinned"),
                         cJSON_IsTrue(cJSON_GetObjectItem(j, "pinned")));
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
        bind_opt(st, ":images", pics);
        bind_opt(st, ":title_en", title_en);
        bind_opt(st, ":body_en", body_en);
        if (id) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
        else bind_opt(st, ":author", s->name);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return 0;
    console_wf_abort(req, resp, 500, "storage", "cannot store the notice");
    return -1;
}

void console_notice_create(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *pics = NULL;
    if (console_wf_session(req, resp, &kind, STAFF_WRITE_DRAFT, NULL, &s, NULL) != 0) return;
    const char *title_en, *body_en;
    if (fields(req, resp, &s, &groups) != 0 || english(req, resp, &title_en, &body_en) != 0 ||
        images(req, resp, &pics) != 0 || !console_wf_begin(req, resp) ||
        store(req, resp, &s, 0, groups, pics, title_en, body_en) != 0)
        goto end;
    /* A notice's bundle ids (console_publish.h) leave room for ids below the span only. */
    if (sqlite3_last_insert_rowid(req->db) >= CONSOLE_NOTICE_ID_SPAN) {
        console_wf_abort(req, resp, 500, "notices_full", "the hub has no notice ids left");
        goto end;
    }
    console_wf_finish(req, resp, &kind, &s, "notice_create", sqlite3_last_insert_rowid(req->db), NULL, 201);
end:
    free(groups);
    free(pics);
}

static bool parse_id(const char *s, long long *id)
{
    char *end = NULL;
    *id = strtoll(s, &end, 10);
    return *s && !*end && *id >= 1 && *id < kind.id_max;
}

/* BEGIN, then notice ID, which S must have PERM on for every group: the
 * notice (the caller deletes it) inside the open transaction, or NULL with
 * RESP answered and nothing open. The caller checks its state: an edit and
 * a step say "wrong state" each in its own words (console_wf_open's would
 * change the API's messages). */
static cJSON *open_notice(hub_req_t *req, hub_resp_t *resp, const staff_t *s, staff_perm_t perm, long long id)
{
    bool err;
    if (!console_wf_begin(req, resp)) return NULL;
    cJSON *n = load(req->db, id, &err);
    if (!n) {
        console_wf_abort(req, resp, err ? 500 : 404, err ? "storage" : "not_found", "no such notice");
        return NULL;
    }
    if (console_wf_may_all(s, perm, n)) return n;
    console_wf_abort(req, resp, 403, "forbidden", "this notice is for groups that are not yours");
    cJSON_Delete(n);
    return NULL;
}

void console_notice_edit(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *pics = NULL;
    cJSON *before = NULL;
    long long id;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "not_found", "no such notice");
        return;
    }
    const char *title_en, *body_en;
    if (fields(req, resp, &s, &groups) != 0 || english(req, resp, &title_en, &body_en) != 0 ||
        images(req, resp, &pics) != 0 || !(before = open_notice(req, resp, &s, STAFF_WRITE_DRAFT, id)))
        goto end;
    const char *state = console_wf_state(before);
    if (strcmp(state, "draft") && strcmp(state, "approved")) {
        console_wf_abort(req, resp, 409, "wrong_state", "a %s notice cannot be edited", state);
        goto end;
    }
    if (store(req, resp, &s, id, groups, pics, title_en, body_en) != 0) goto end;
    console_wf_finish(req, resp, &kind, &s, "notice_edit", id, before, 200);
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
    static const console_wf_step_t *const steps[] = {&console_wf_approve, &console_wf_publish, &console_wf_withdraw};
    const char *action = req->params[1];
    const console_wf_step_t *step = console_wf_find(steps, 3, action);
    staff_t s;
    long long id;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!step || !parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "not_found", "no such notice or action");
        return;
    }
    if (!staff_may(&s, step->perm, NULL)) {
        hub_error(resp, 403, "forbidden", "only a publisher may %s a notice", action);
        return;
    }
    cJSON *before = open_notice(req, resp, &s, step->perm, id), *versions = cJSON_CreateArray(), *item = NULL;
    if (!before) goto end;
    if (strcmp(console_wf_state(before), step->from[0]) != 0) {
        hub_error(resp, 409, "wrong_state", "only a %s notice can be %s; this one is %s", step->from[0], step->to,
                  console_wf_state(before));
        goto fail;
    }
    sqlite3_stmt *st = NULL;
    long long expires = 0;
    if (step == &console_wf_approve) {
        if (sqlite3_prepare_v2(req->db, "UPDATE console_notices SET state = 'approved', approved_by = :who,"
                                        " updated = :now WHERE id = :id", -1, &st, NULL) != SQLITE_OK) goto db_fail;
    } else {
        /* Published: the Chinese item and, when written, the English one
         * next to it; withdrawn: console_publish_group takes out both. */
        if (step == &console_wf_publish) {
            item = cJSON_CreateArray();
            cJSON_AddItemToArray(item, item_of(before, id, "zh_CN", req->now));
            if (cJSON_IsString(cJSON_GetObjectItem(before, "title_en")))
                cJSON_AddItemToArray(item, item_of(before, id, "en", req->now));
        }
        expires = item ? (long long)cJSON_GetObjectItem(item->child, "expires")->valuedouble : 0;
        for (const cJSON *g = cJSON_GetObjectItem(before, "groups")->child; g; g = g->next)
            if (console_publish_group(req, resp, &s, g->valuestring, item,
                                      step == &console_wf_withdraw ? CONSOLE_NOTICE_ID_BASE + id : 0, 0, versions) != 0)
                goto fail;
        const char *sql = step == &console_wf_publish
                              ? "UPDATE console_notices SET state = 'published', published_by = :who, updated = :now,"
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
    console_wf_finish(req, resp, &kind, &s, act, id, before, 200);
    goto end;
db_fail:
    hub_error(resp, 500, "storage", "cannot store the notice");
fail:
    console_wf_rollback(req);
end:
    cJSON_Delete(before);
    cJSON_Delete(versions);
    cJSON_Delete(item);
}
