/* Console items' routes (console_item.h) over the shared workflow. */
#include "console_item.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_publish.h"
#include "console_workflow.h"

/* The item's columns, and how many of its content row's places are taken. */
#define ITEM_COLS "i.id, i.kind, i.title, i.body, i.category, i.groups, i.published, i.expires, i.pinned," \
                  " i.starts, i.places, i.data, i.state, i.author, i.approved_by, i.published_by, i.created," \
                  " i.updated, i.published_at, i.content_id, c.registered, i.title_en, i.body_en, i.data_en," \
                  " i.content_en_id"
#define ITEM_FROM " FROM console_items i LEFT JOIN content c ON c.id = i.content_id"
static const console_wf_col_t cols[] = {
    {"id", 'v'}, {"kind", 'v'}, {"title", 'v'}, {"body", 'v'}, {"category", 'v'}, {"groups", 'j'}, {"published", 'v'},
    {"expires", 'v'}, {"pinned", 'b'}, {"starts", 'v'}, {"places", 'v'}, {"data", 'j'}, {"state", 'v'}, {"author", 'v'},
    {"approved_by", 'v'}, {"published_by", 'v'}, {"created", 'v'}, {"updated", 'v'}, {"published_at", 'v'},
    {"content_id", 'v'}, {"registered", 'v'}, {"title_en", 'v'}, {"body_en", 'v'}, {"data_en", 'j'},
    {"content_en_id", 'v'}};
#define N_COLS ((int)(sizeof cols / sizeof *cols))

/* Item ID as JSON, or NULL (not found, or a database error: *DB_ERR). */
static cJSON *load(sqlite3 *db, long long id, bool *db_err)
{
    return console_wf_select(db, "SELECT " ITEM_COLS ITEM_FROM " WHERE i.id = :id", id, cols, N_COLS, db_err);
}

static const console_wf_kind_t kind = {"item", "items", 1LL << 53, load};
/* Places change before the item is withdrawn, by a publisher (once
 * published, the kiosks show them); the state stays what it was. */
static const console_wf_step_t places_step = {"places", {"draft", "approved", "published"}, "", STAFF_PUBLISH};

void console_item_list(hub_req_t *req, hub_resp_t *resp)
{
    console_wf_list(req, resp, &kind, "SELECT " ITEM_COLS ITEM_FROM " ORDER BY i.id DESC LIMIT 500", cols, N_COLS);
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

/* INSERT (ID 0) or UPDATE of item ID with the checked fields F; 0, or -1
 * with the transaction rolled back and RESP answered. Edited, an approved
 * item is a draft again: what was approved is not what it says now. */
static int store(hub_req_t *req, hub_resp_t *resp, const staff_t *s, long long id, const console_item_fields_t *f)
{
    const char *sql = id ? "UPDATE console_items SET kind = :kind, title = :title, body = :body, category = :cat,"
                           " groups = :groups, published = :pub, expires = :exp, pinned = :pinned, starts = :starts,"
                           " places = :places, data = :data, state = 'draft', approved_by = NULL, updated = :now,"
                           " title_en = :title_en, body_en = :body_en, data_en = :data_en WHERE id = :id"
                         : "INSERT INTO console_items(kind, title, body, category, groups, published, expires, pinned,"
                           " starts, places, data, state, author, created, updated, title_en, body_en, data_en)"
                           " VALUES(:kind, :title, :body, :cat, :groups, :pub, :exp, :pinned, :starts, :places, :data,"
                           " 'draft', :author, :now, :now, :title_en, :body_en, :data_en)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_text(st, ":kind", f->kind);
        bind_text(st, ":title", f->title);
        bind_text(st, ":body", f->body);
        bind_text(st, ":cat", f->category);
        bind_text(st, ":groups", f->groups);
        bind_text(st, ":pub", f->published);
        bind_text(st, ":exp", f->expires);
        sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":pinned"), f->pinned);
        bind_text(st, ":starts", f->starts);
        if (f->places) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":places"), f->places);
        bind_text(st, ":data", f->data);
        bind_text(st, ":title_en", f->title_en);
        bind_text(st, ":body_en", f->body_en);
        bind_text(st, ":data_en", f->data_en);
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
        if (id) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
        else bind_text(st, ":author", s->name);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return 0;
    console_wf_abort(req, resp, 500, "storage", "cannot store the item");
    return -1;
}

void console_item_create(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    console_item_fields_t f = {0};
    if (console_wf_session(req, resp, &kind, STAFF_WRITE_DRAFT, NULL, &s, NULL) != 0) return;
    if (console_item_fields(req, resp, &s, &f) != 0 || !console_wf_begin(req, resp) || store(req, resp, &s, 0, &f) != 0)
        goto end;
    console_wf_finish(req, resp, &kind, &s, "item_create", sqlite3_last_insert_rowid(req->db), NULL, 201);
end:
    console_item_fields_free(&f);
}

void console_item_edit(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    console_item_fields_t f = {0};
    cJSON *before = NULL;
    long long id;
    if (console_wf_session(req, resp, &kind, STAFF_WRITE_DRAFT, req->params[0], &s, &id) != 0) return;
    if (console_item_fields(req, resp, &s, &f) != 0 || !(before = console_wf_open(req, resp, &kind, &console_wf_edit, &s, id)) ||
        store(req, resp, &s, id, &f) != 0)
        goto end;
    console_wf_finish(req, resp, &kind, &s, "item_edit", id, before, 200);
end:
    console_item_fields_free(&f);
    cJSON_Delete(before);
}

static const char *str(const cJSON *it, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(it, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A content row of a console item being published: its times (0: none)
 * and, for an English row, the Chinese row whose places it uses. */
typedef struct {
    const cJSON *it;
    long long published, expires, starts, places_of;
} content_row_t;

/* Inserts R's content row, Chinese or (EN) English, into *CID; 0 or -1.
 * One pool of places: the English row has none of its own and names the
 * Chinese row (places_of), whose places and registered count the
 * registrations through either (api_content.c). */
static int insert_row(hub_req_t *req, const content_row_t *r, bool en, long long *cid)
{
    const cJSON *places = cJSON_GetObjectItem(r->it, "places"), *data = cJSON_GetObjectItem(r->it, en ? "data_en" : "data");
    char *dt = cJSON_IsObject(data) ? cJSON_PrintUnformatted(data) : NULL;
    char *gt = cJSON_PrintUnformatted(cJSON_GetObjectItem(r->it, "groups"));
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_ERROR;
    if (!gt || sqlite3_prepare_v2(req->db, "INSERT INTO content(kind, category, locale, title, body, published, expires,"
                                           " pinned, places, starts, data, kiosk_groups, places_of) VALUES(:kind, :cat,"
                                           " :locale, :title, :body, :pub, :exp, :pinned, :places, :starts, :data, :groups,"
                                           " :of)", -1, &st, NULL) != SQLITE_OK)
        goto end;
    bind_text(st, ":kind", str(r->it, "kind"));
    bind_text(st, ":cat", str(r->it, "category"));
    bind_text(st, ":locale", en ? "en" : "zh_CN");
    bind_text(st, ":title", str(r->it, en ? "title_en" : "title"));
    bind_text(st, ":body", str(r->it, en ? "body_en" : "body"));
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":pub"), r->published);
    if (r->expires) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":exp"), r->expires);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":pinned"), cJSON_IsTrue(cJSON_GetObjectItem(r->it, "pinned")));
    if (cJSON_IsNumber(places) && !en)
        sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":places"), (long long)places->valuedouble);
    if (en) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":of"), r->places_of);
    if (r->starts) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":starts"), r->starts);
    bind_text(st, ":data", dt);
    bind_text(st, ":groups", gt);
    rc = sqlite3_step(st);
    *cid = sqlite3_last_insert_rowid(req->db);
end:
    sqlite3_finalize(st);
    free(dt);
    free(gt);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Publishing: item IT becomes a row of the hub's content (kind, category,
 * zh_CN, title, body, pinned; events' starts and places; guides' data)
 * that only its groups' kiosks get; with English, a second row (en,
 * title_en, body_en, data_en, no places of its own: places_of the Chinese
 * row, *EN_CID). Shown from its published date, but
 * never dated before now less the clock skew (a kiosk asking for what is
 * newer than its last poll would miss an item dated back); it expires at
 * the end of its expires date, an event or lecture without one at the end
 * of the day it starts. 0 with *CID, 409 when it has expired already, or
 * -1 on a database error. */
static int deliver(hub_req_t *req, hub_resp_t *resp, const cJSON *it, long long *cid, long long *en_cid)
{
    long long published = req->now - CONSOLE_CLOCK_SKEW_S, from, expires = 0, starts = 0;
    if (str(it, "published") && console_item_date(str(it, "published"), false, &from) == 0 && from > published)
        published = from;
    if (str(it, "starts") && console_item_time(str(it, "starts"), &starts) != 0) return -1;
    char day[11] = "";
    if (str(it, "expires")) snprintf(day, sizeof day, "%s", str(it, "expires"));
    else if (starts) snprintf(day, sizeof day, "%.10s", str(it, "starts"));
    if (day[0] && console_item_date(day, true, &expires) != 0) return -1;
    if (day[0] && expires < req->now) {
        console_wf_abort(req, resp, 409, "past_expiry", "its last day %s has passed; edit it first", day);
        return 409;
    }
    content_row_t row = {it, published, expires, starts, 0};
    int rc = insert_row(req, &row, false, cid);
    *en_cid = 0;
    if (rc == 0 && str(it, "title_en") && str(it, "body_en")) {
        row.places_of = *cid;
        rc = insert_row(req, &row, true, en_cid);
    }
    return rc;
}

static long long num(const cJSON *it, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(it, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* The places of item IT (ID) from the body {"places": N}: an event's or
 * lecture's, never fewer than the people registered already. 0, an error
 * status (rolled back, RESP answered) or -1 on a database error. */
static int set_places(hub_req_t *req, hub_resp_t *resp, const cJSON *it, long long id)
{
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(req->json, "places");
    const char *k = str(it, "kind");
    if (!k || (strcmp(k, "event") && strcmp(k, "lecture")))
        return console_wf_abort(req, resp, 422, "invalid_field", "places: only events and lectures take registrations");
    if (!cJSON_IsNumber(pl) || pl->valuedouble != (double)(long long)pl->valuedouble || pl->valuedouble < 1 ||
        pl->valuedouble > CONSOLE_ITEM_PLACES_MAX || cJSON_GetArraySize(req->json) != 1)
        return console_wf_abort(req, resp, 422, "invalid_field", "places: {\"places\": a whole number from 1 to %d}",
                                CONSOLE_ITEM_PLACES_MAX);
    long long places = (long long)pl->valuedouble, registered = num(it, "registered"), cid = num(it, "content_id");
    if (places < registered)
        return console_wf_abort(req, resp, 409, "places_taken", "places: %lld people have registered; at least %lld",
                                registered, registered);
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_ERROR;
    /* The content row first, guarded again: a registration cannot slip in
     * between (this transaction holds the write lock), and if it did the
     * guard would refuse rather than leave places below registered. */
    if (cid && str(it, "state") && !strcmp(str(it, "state"), "published")) {
        if (sqlite3_prepare_v2(req->db, "UPDATE content SET places = :p WHERE id = :cid AND registered <= :p", -1, &st,
                               NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_int64(st, 1, places);
        sqlite3_bind_int64(st, 2, cid);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return -1;
        if (sqlite3_changes(req->db) != 1)
            return console_wf_abort(req, resp, 409, "places_taken", "places: more people have registered than %lld", places);
    }
    if (sqlite3_prepare_v2(req->db, "UPDATE console_items SET places = :p, updated = :now WHERE id = :id", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, places);
    sqlite3_bind_int64(st, 2, req->now);
    sqlite3_bind_int64(st, 3, id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Approve, publish or withdraw item IT (ID) in the open transaction. 0, an
 * error status (rolled back, RESP answered) or -1 on a database error. */
static int transition(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const console_wf_step_t *step,
                      const cJSON *it, long long id)
{
    long long cid = 0, en_cid = 0;
    const char *sql;
    if (step == &console_wf_approve) {
        sql = "UPDATE console_items SET state = 'approved', approved_by = :who, updated = :now WHERE id = :id";
    } else if (step == &console_wf_publish) {
        int rc = deliver(req, resp, it, &cid, &en_cid);
        if (rc) return rc;
        sql = "UPDATE console_items SET state = 'published', published_by = :who, published_at = :now,"
              " updated = :now, content_id = :cid, content_en_id = :en_cid WHERE id = :id";
    } else {
        /* Its content row expires: the kiosks drop it at their next poll;
         * the row stays with its registration list. */
        if (console_wf_expire(req->db, num(it, "content_id"), req->now) != 0 ||
            console_wf_expire(req->db, num(it, "content_en_id"), req->now) != 0)
            return -1;
        sql = "UPDATE console_items SET state = 'withdrawn', published_by = :who, updated = :now WHERE id = :id";
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":who"), s->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
    if (cid) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":cid"), cid);
    if (en_cid) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":en_cid"), en_cid);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

void console_item_action(hub_req_t *req, hub_resp_t *resp)
{
    static const console_wf_step_t *const steps[] = {&console_wf_approve, &console_wf_publish, &console_wf_withdraw,
                                                     &places_step};
    const console_wf_step_t *step = console_wf_find(steps, 4, req->params[1]);
    staff_t s;
    long long id;
    if (console_wf_session(req, resp, &kind, step ? step->perm : STAFF_SEE_FLEET, req->params[0], &s, &id) != 0) return;
    if (!step) {
        hub_error(resp, 404, "not_found", "no such item or action");
        return;
    }
    cJSON *before = console_wf_open(req, resp, &kind, step, &s, id);
    if (!before) return;
    int rc = step == &places_step ? set_places(req, resp, before, id) : transition(req, resp, &s, step, before, id);
    if (rc < 0) {
        console_wf_abort(req, resp, 500, "storage", "cannot store the item");
    } else if (rc == 0) {
        char action[32];
        snprintf(action, sizeof action, "item_%s", step->action);
        console_wf_finish(req, resp, &kind, &s, action, id, before, 200);
    }
    cJSON_Delete(before);
}
