#include "console_playlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_publish.h"
#include "console_workflow.h"
#include "staff.h"
#include "utf8.h"

#define PL_COLS "id, name, priority, groups, schedule, items, state, author, published_by, created, updated, published," \
                " content_id"

static const console_wf_col_t cols[] = {
    {"id", 'v'}, {"name", 'v'}, {"priority", 'v'}, {"groups", 'j'}, {"schedule", 'j'}, {"items", 'j'}, {"state", 'v'},
    {"author", 'v'}, {"published_by", 'v'}, {"created", 'v'}, {"updated", 'v'}, {"published", 'v'}, {"content_id", 'v'}};
#define N_COLS ((int)(sizeof cols / sizeof *cols))

/* Playlist ID as JSON, or NULL (not found, or a database error: *DB_ERR). */
static cJSON *load(sqlite3 *db, long long id, bool *db_err)
{
    return console_wf_select(db, "SELECT " PL_COLS " FROM console_playlists WHERE id = :id", id, cols, N_COLS, db_err);
}

static const console_wf_kind_t kind = {"playlist", "playlists", 1LL << 53, load};

static int failf(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

/* A whole number in [LO, HI]? */
static bool whole(const cJSON *v, long long lo, long long hi, long long *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long long)v->valuedouble) return false;
    long long n = (long long)v->valuedouble;
    if (n < lo || n > hi) return false;
    *out = n;
    return true;
}

int console_playlist_rule(const cJSON *sch, sched_rule_t *r, char *err, size_t len)
{
    static const char *const keys[] = {"weekdays", "windows", "from_date", "to_date"};
    memset(r, 0, sizeof *r);
    if (!cJSON_IsObject(sch)) return failf(err, len, "schedule: an object");
    for (const cJSON *k = sch->child; k; k = k->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) known |= !strcmp(k->string, keys[i]);
        if (!known) return failf(err, len, "schedule.%.40s: unknown field (weekdays, windows, from_date, to_date)", k->string);
    }
    const cJSON *wd = cJSON_GetObjectItemCaseSensitive(sch, "weekdays");
    if (wd) {
        if (!cJSON_IsArray(wd) || !wd->child || cJSON_GetArraySize(wd) > 7)
            return failf(err, len, "schedule.weekdays: 1 to 7 weekdays (1 Monday .. 7 Sunday)");
        int i = 0;
        for (const cJSON *v = wd->child; v; v = v->next, i++) {
            long long d;
            if (!whole(v, 1, 7, &d)) return failf(err, len, "schedule.weekdays[%d]: a whole number from 1 (Monday) to 7 (Sunday)", i);
            if (r->weekdays & (1u << d)) return failf(err, len, "schedule.weekdays[%d]: %lld is listed twice", i, d);
            r->weekdays |= 1u << d;
        }
    }
    const cJSON *wins = cJSON_GetObjectItemCaseSensitive(sch, "windows");
    if (wins) {
        if (!cJSON_IsArray(wins) || cJSON_GetArraySize(wins) > SCHED_MAX_WINDOWS)
            return failf(err, len, "schedule.windows: up to %d windows", SCHED_MAX_WINDOWS);
        for (const cJSON *v = wins->child; v; v = v->next, r->n_win++) {
            const cJSON *from = cJSON_GetObjectItemCaseSensitive(v, "from"), *to = cJSON_GetObjectItemCaseSensitive(v, "to");
            sched_window_t w;
            if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 2 || !from || !to)
                return failf(err, len, "schedule.windows[%d]: {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}", r->n_win);
            if (!cJSON_IsString(from) || sched_parse_hhmm(from->valuestring, &w.from_min) != 0 || w.from_min == 1440)
                return failf(err, len, "schedule.windows[%d].from: HH:MM from 00:00 to 23:59", r->n_win);
            if (!cJSON_IsString(to) || sched_parse_hhmm(to->valuestring, &w.to_min) != 0)
                return failf(err, len, "schedule.windows[%d].to: HH:MM from 00:00 to 24:00", r->n_win);
            if (w.to_min % 1440 == w.from_min)
                return failf(err, len, "schedule.windows[%d]: from and to are the same time (for all day, give no windows)", r->n_win);
            r->win[r->n_win] = w;
        }
    }
    const cJSON *fd = cJSON_GetObjectItemCaseSensitive(sch, "from_date"), *td = cJSON_GetObjectItemCaseSensitive(sch, "to_date");
    if (fd) {
        if (!cJSON_IsString(fd) || sched_parse_date(fd->valuestring, &r->from_day) != 0)
            return failf(err, len, "schedule.from_date: a date YYYY-MM-DD");
        r->has_from = true;
    }
    if (td) {
        if (!cJSON_IsString(td) || sched_parse_date(td->valuestring, &r->to_day) != 0)
            return failf(err, len, "schedule.to_date: a date YYYY-MM-DD");
        r->has_to = true;
    }
    if (r->has_from && r->has_to && r->to_day < r->from_day)
        return failf(err, len, "schedule.to_date: before from_date");
    return 0;
}

int console_playlist_title(sqlite3 *db, long long cid, char *title, size_t len)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT title FROM content WHERE id = :id AND kind <> 'playlist'", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, cid);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) snprintf(title, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return found;
}

void console_playlist_content(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT id, kind, title, expires FROM content WHERE kind <> 'playlist'"
                                    " AND locale = 'zh_CN' AND (expires IS NULL OR expires >= :now)"
                                    " ORDER BY published DESC, id DESC LIMIT 500", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the content");
        return;
    }
    sqlite3_bind_int64(st, 1, req->now);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "items");
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(it, "kind", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(it, "title", (const char *)sqlite3_column_text(st, 2));
        if (sqlite3_column_type(st, 3) == SQLITE_NULL) cJSON_AddNullToObject(it, "expires");
        else cJSON_AddNumberToObject(it, "expires", (double)sqlite3_column_int64(st, 3));
        cJSON_AddItemToArray(arr, it);
    }
    sqlite3_finalize(st);
    hub_reply(resp, 200, o);
}

/* ITEMS: 1..SCHED_MAX_ITEMS of {content_id, duration_s}, each naming
 * content the playlist may show. 0, or the error status with RESP filled. */
static int items_check(hub_req_t *req, hub_resp_t *resp, const cJSON *items)
{
    if (!cJSON_IsArray(items) || !items->child || cJSON_GetArraySize(items) > SCHED_MAX_ITEMS)
        return hub_error(resp, 422, "invalid_field", "items: 1 to %d items", SCHED_MAX_ITEMS);
    int i = 0;
    for (const cJSON *it = items->child; it; it = it->next, i++) {
        long long cid, dur;
        char title[8];
        if (!cJSON_IsObject(it) || cJSON_GetArraySize(it) != 2)
            return hub_error(resp, 422, "invalid_field", "items[%d]: {\"content_id\": id, \"duration_s\": seconds}", i);
        if (!whole(cJSON_GetObjectItemCaseSensitive(it, "content_id"), 1, (1LL << 53), &cid))
            return hub_error(resp, 422, "invalid_field", "items[%d].content_id: a content id (whole number >= 1)", i);
        if (!whole(cJSON_GetObjectItemCaseSensitive(it, "duration_s"), 1, CONSOLE_PLAYLIST_DURATION_MAX, &dur))
            return hub_error(resp, 422, "invalid_field", "items[%d].duration_s: whole seconds from 1 to %d", i,
                             CONSOLE_PLAYLIST_DURATION_MAX);
        int found = console_playlist_title(req->db, cid, title, sizeof title);
        if (found < 0) return hub_error(resp, 500, "storage", "cannot read the content");
        if (!found) return hub_error(resp, 422, "invalid_field", "items[%d].content_id: no content %lld", i, cid);
    }
    return 0;
}

/* The fields of a draft from REQ's body, checked; 0 or the error status.
 * GROUPS, SCHEDULE and ITEMS are their JSON text (the caller frees). */
static int fields(hub_req_t *req, hub_resp_t *resp, const staff_t *s, char **groups, char **schedule, char **items)
{
    const cJSON *j = req->json;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name"), *prio = cJSON_GetObjectItemCaseSensitive(j, "priority");
    const cJSON *gr = cJSON_GetObjectItemCaseSensitive(j, "groups"), *sch = cJSON_GetObjectItemCaseSensitive(j, "schedule");
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, "items");
    static const char *const keys[] = {"name", "priority", "groups", "schedule", "items"};
    for (const cJSON *k = j ? j->child : NULL; k; k = k->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) known |= !strcmp(k->string, keys[i]);
        if (!known) return hub_error(resp, 422, "invalid_field", "%.40s: unknown field (name, priority, groups, schedule, items)", k->string);
    }
    if (!name || !prio || !gr || !sch || !it)
        return hub_error(resp, 422, "missing_field", "name, priority, groups, schedule and items are required");
    if (!cJSON_IsString(name) || !name->valuestring[0] || strlen(name->valuestring) > CONSOLE_PLAYLIST_NAME_MAX ||
        !utf8_valid(name->valuestring, strlen(name->valuestring)))
        return hub_error(resp, 422, "invalid_field", "name: 1-%d bytes of UTF-8", CONSOLE_PLAYLIST_NAME_MAX);
    long long p;
    if (!whole(prio, 0, CONSOLE_PLAYLIST_PRIORITY_MAX, &p))
        return hub_error(resp, 422, "invalid_field", "priority: a whole number from 0 to %d (higher wins)",
                         CONSOLE_PLAYLIST_PRIORITY_MAX);
    sched_rule_t rule;
    char err[160];
    if (console_playlist_rule(sch, &rule, err, sizeof err) != 0) return hub_error(resp, 422, "invalid_field", "%s", err);
    int rc = items_check(req, resp, it);
    if (rc) return rc;
    if ((rc = console_groups_check(resp, s, STAFF_WRITE_DRAFT, gr)) != 0) return rc;
    *groups = cJSON_PrintUnformatted(gr);
    *schedule = cJSON_PrintUnformatted(sch);
    *items = cJSON_PrintUnformatted(it);
    return *groups && *schedule && *items ? 0 : hub_error(resp, 500, "memory", "out of memory");
}

void console_playlist_list(hub_req_t *req, hub_resp_t *resp)
{
    console_wf_list(req, resp, &kind, "SELECT " PL_COLS " FROM console_playlists ORDER BY id DESC LIMIT 500", cols, N_COLS);
}

/* Binds the checked fields to ST's named parameters. */
static void bind_fields(sqlite3_stmt *st, const hub_req_t *req, const char *groups, const char *schedule, const char *items)
{
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":name"),
                      cJSON_GetObjectItem(req->json, "name")->valuestring, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":prio"),
                       (long long)cJSON_GetObjectItem(req->json, "priority")->valuedouble);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":groups"), groups, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":sch"), schedule, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":items"), items, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
}

/* A playlist is published from its draft: no approval step of its own. */
static const console_wf_step_t edit = {"edit", {"draft", NULL, NULL}, "", STAFF_WRITE_DRAFT};
static const console_wf_step_t publish = {"publish", {"draft", NULL, NULL}, "published", STAFF_PUBLISH};

/* INSERT (ID 0) or UPDATE of playlist ID with the checked fields; 0, or -1
 * with the transaction rolled back and RESP answered. */
static int store(hub_req_t *req, hub_resp_t *resp, const staff_t *s, long long id, const char *groups,
                 const char *schedule, const char *items)
{
    const char *sql = id ? "UPDATE console_playlists SET name = :name, priority = :prio, groups = :groups,"
                           " schedule = :sch, items = :items, updated = :now WHERE id = :id"
                         : "INSERT INTO console_playlists(name, priority, groups, schedule, items,"
                           " state, author, created, updated)"
                           " VALUES(:name, :prio, :groups, :sch, :items, 'draft', :author, :now, :now)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        bind_fields(st, req, groups, schedule, items);
        if (id) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
        else sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":author"), s->name, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return 0;
    console_wf_abort(req, resp, 500, "storage", "cannot store the playlist");
    return -1;
}

void console_playlist_create(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *schedule = NULL, *items = NULL;
    if (console_wf_session(req, resp, &kind, STAFF_WRITE_DRAFT, NULL, &s, NULL) != 0) return;
    if (fields(req, resp, &s, &groups, &schedule, &items) != 0 || !console_wf_begin(req, resp) ||
        store(req, resp, &s, 0, groups, schedule, items) != 0)
        goto end;
    console_wf_finish(req, resp, &kind, &s, "playlist_create", sqlite3_last_insert_rowid(req->db), NULL, 201);
end:
    free(groups);
    free(schedule);
    free(items);
}

void console_playlist_edit(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char *groups = NULL, *schedule = NULL, *items = NULL;
    cJSON *before = NULL;
    long long id;
    if (console_wf_session(req, resp, &kind, STAFF_WRITE_DRAFT, req->params[0], &s, &id) != 0) return;
    if (fields(req, resp, &s, &groups, &schedule, &items) != 0 ||
        !(before = console_wf_open(req, resp, &kind, &edit, &s, id)) ||
        store(req, resp, &s, id, groups, schedule, items) != 0)
        goto end;
    console_wf_finish(req, resp, &kind, &s, "playlist_edit", id, before, 200);
end:
    free(groups);
    free(schedule);
    free(items);
    cJSON_Delete(before);
}

/* Publishing: playlist P becomes a content item of kind playlist, category
 * street (docs/api.md "Playlist data", with its priority), that the street
 * screens of its groups without a content public key fetch with GET
 * /v1/content (content.kiosk_groups) at their next poll, and that the day
 * view reads (signed kiosks get it from the bundle: sign_groups). Marked published a little before now, as console
 * notices are (CONSOLE_CLOCK_SKEW_S). 0 with *CID its content id, or -1. */
static int deliver(hub_req_t *req, const cJSON *p, long long *cid)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "screen", "street");
    cJSON_AddStringToObject(data, "time_zone", CONSOLE_PLAYLIST_ZONE);
    cJSON_AddNumberToObject(data, "priority", cJSON_GetObjectItem(p, "priority")->valuedouble);
    cJSON_AddItemToObject(data, "items", cJSON_Duplicate(cJSON_GetObjectItem(p, "items"), true));
    cJSON_AddItemToObject(data, "schedule", cJSON_Duplicate(cJSON_GetObjectItem(p, "schedule"), true));
    char *dt = cJSON_PrintUnformatted(data), *gt = cJSON_PrintUnformatted(cJSON_GetObjectItem(p, "groups"));
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_ERROR;
    if (!dt || !gt) goto end;
    if (sqlite3_prepare_v2(req->db, "INSERT INTO content(kind, category, locale, title, body, published, data, kiosk_groups)"
                                    " VALUES('playlist', 'street', 'zh_CN', :name, '', :published, :data, :groups)",
                           -1, &st, NULL) != SQLITE_OK)
        goto end;
    sqlite3_bind_text(st, 1, cJSON_GetObjectItem(p, "name")->valuestring, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, req->now - CONSOLE_CLOCK_SKEW_S);
    sqlite3_bind_text(st, 3, dt, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, gt, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    *cid = sqlite3_last_insert_rowid(req->db);
end:
    sqlite3_finalize(st);
    cJSON_Delete(data);
    free(dt);
    free(gt);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Hub content item CID copied as the bundle item CONSOLE_COPY_ID_BASE + CID
 * appended to ADDS, as GET /v1/content/{id} gives it (data only for a
 * guide, the one kind besides playlists whose bundle item has data).
 * 0, or the error status with RESP filled. */
static int add_copy(hub_req_t *req, hub_resp_t *resp, long long cid, cJSON *adds)
{
    if (cid > (1LL << 53) - CONSOLE_COPY_ID_BASE)
        return hub_error(resp, 422, "invalid_field", "items: content id %lld is too large for a bundle", cid);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT kind, category, locale, title, body, published, expires, pinned, data"
                                    " FROM content WHERE id = :id AND kind <> 'playlist'", -1, &st, NULL) != SQLITE_OK)
        return hub_error(resp, 500, "storage", "cannot read the content");
    sqlite3_bind_int64(st, 1, cid);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? hub_error(resp, 422, "invalid_field", "items: no content %lld any more", cid)
                                 : hub_error(resp, 500, "storage", "cannot read the content");
    }
    const char *k = (const char *)sqlite3_column_text(st, 0);
    cJSON *it = cJSON_CreateObject();
    cJSON_AddNumberToObject(it, "id", (double)(CONSOLE_COPY_ID_BASE + cid));
    cJSON_AddStringToObject(it, "kind", k);
    cJSON_AddStringToObject(it, "category", (const char *)sqlite3_column_text(st, 1));
    cJSON_AddStringToObject(it, "locale", (const char *)sqlite3_column_text(st, 2));
    cJSON_AddStringToObject(it, "title", (const char *)sqlite3_column_text(st, 3));
    cJSON_AddStringToObject(it, "body", (const char *)sqlite3_column_text(st, 4));
    cJSON_AddNumberToObject(it, "published", (double)sqlite3_column_int64(st, 5));
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) cJSON_AddNumberToObject(it, "expires", (double)sqlite3_column_int64(st, 6));
    cJSON_AddBoolToObject(it, "pinned", sqlite3_column_int(st, 7) != 0);
    cJSON *data = !strcmp(k, "guide") ? cJSON_Parse((const char *)sqlite3_column_text(st, 8)) : NULL;
    if (data) cJSON_AddItemToObject(it, "data", data);
    sqlite3_finalize(st);
    cJSON_AddItemToArray(adds, it);
    return 0;
}

/* Console schedule SCH in the stricter form a bundle's playlist data takes
 * (docs/api.md "Playlist data"; kiosk/content/manifest.c checks it, and a
 * kiosk refuses the whole bundle otherwise): weekdays absent is every day,
 * windows absent is all day as 00:00-12:00 and 12:00-00:00 (one window
 * cannot start and end at the same time), and a window ending at 24:00
 * ends at 00:00, past midnight, which the schedule engine reads the same
 * (the day it starts). Dates are kept. A new object. */
static cJSON *bundle_schedule(const cJSON *sch)
{
    cJSON *out = cJSON_Duplicate(sch, true);
    if (!cJSON_HasObjectItem(out, "weekdays")) {
        static const int every[] = {1, 2, 3, 4, 5, 6, 7};
        cJSON_AddItemToObject(out, "weekdays", cJSON_CreateIntArray(every, 7));
    }
    cJSON *wins = cJSON_GetObjectItemCaseSensitive(out, "windows");
    if (!cJSON_IsArray(wins) || !wins->child) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "windows");
        wins = cJSON_AddArrayToObject(out, "windows");
        static const char *const halves[][2] = {{"00:00", "12:00"}, {"12:00", "00:00"}};
        for (int i = 0; i < 2; i++) {
            cJSON *w = cJSON_CreateObject();
            cJSON_AddStringToObject(w, "from", halves[i][0]);
            cJSON_AddStringToObject(w, "to", halves[i][1]);
            cJSON_AddItemToArray(wins, w);
        }
    }
    for (cJSON *w = wins->child; w; w = w->next) {
        const cJSON *to = cJSON_GetObjectItemCaseSensitive(w, "to");
        if (cJSON_IsString(to) && !strcmp(to->valuestring, "24:00"))
            cJSON_ReplaceItemInObjectCaseSensitive(w, "to", cJSON_CreateString("00:00"));
    }
    return out;
}

/* The signed bundle's items for playlist P (console id ID): the playlist as
 * item CONSOLE_PLAYLIST_ID_BASE + ID playing the copies of its content
 * (add_copy), then each copy once. Street kiosks with a content public key
 * show the signed bundle only (street.c signed_only), so this is how the
 * playlist reaches them. An array, or NULL with RESP filled. */
static cJSON *bundle_items(hub_req_t *req, hub_resp_t *resp, const cJSON *p, long long id)
{
    cJSON *adds = cJSON_CreateArray(), *pl = cJSON_CreateObject(), *data = cJSON_CreateObject();
    cJSON_AddNumberToObject(pl, "id", (double)(CONSOLE_PLAYLIST_ID_BASE + id));
    cJSON_AddStringToObject(pl, "kind", "playlist");
    cJSON_AddStringToObject(pl, "category", "street");
    cJSON_AddStringToObject(pl, "locale", "zh_CN");
    cJSON_AddStringToObject(pl, "title", cJSON_GetObjectItem(p, "name")->valuestring);
    cJSON_AddNumberToObject(pl, "published", (double)(req->now - CONSOLE_CLOCK_SKEW_S));
    cJSON_AddNumberToObject(pl, "priority", cJSON_GetObjectItem(p, "priority")->valuedouble);
    cJSON_AddStringToObject(data, "screen", "street");
    cJSON_AddStringToObject(data, "time_zone", CONSOLE_PLAYLIST_ZONE);
    cJSON *items = cJSON_AddArrayToObject(data, "items");
    cJSON_AddItemToObject(data, "schedule", bundle_schedule(cJSON_GetObjectItem(p, "schedule")));
    cJSON_AddItemToObject(pl, "data", data);
    cJSON_AddItemToArray(adds, pl);
    for (const cJSON *it = cJSON_GetObjectItem(p, "items")->child; it; it = it->next) {
        long long cid = (long long)cJSON_GetObjectItem(it, "content_id")->valuedouble;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "content_id", (double)(CONSOLE_COPY_ID_BASE + cid));
        cJSON_AddNumberToObject(e, "duration_s", cJSON_GetObjectItem(it, "duration_s")->valuedouble);
        cJSON_AddItemToArray(items, e);
        bool copied = false;
        for (const cJSON *a = pl->next; a && !copied; a = a->next)
            copied = (long long)cJSON_GetObjectItem(a, "id")->valuedouble == CONSOLE_COPY_ID_BASE + cid;
        if (!copied && add_copy(req, resp, cid, adds) != 0) {
            cJSON_Delete(adds);
            return NULL;
        }
    }
    return adds;
}

/* Playlist P (console id ID) into (PUB) or out of the signed street bundle
 * of each of its groups; withdrawn, the copies no other playlist of that
 * bundle plays go too (console_publish.c). 0, or the error status with
 * RESP filled. */
static int sign_groups(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const cJSON *p, long long id, bool pub)
{
    cJSON *adds = NULL, *remove = cJSON_CreateArray(), *versions = cJSON_CreateArray();
    int status = 0;
    if (pub && !(adds = bundle_items(req, resp, p, id))) status = resp->status;
    if (!pub) cJSON_AddItemToArray(remove, cJSON_CreateNumber((double)(CONSOLE_PLAYLIST_ID_BASE + id)));
    for (const cJSON *g = cJSON_GetObjectItem(p, "groups")->child; g && !status; g = g->next)
        status = console_publish_items(req, resp, s, g->valuestring, "street", adds, remove, 0, versions);
    cJSON_Delete(adds);
    cJSON_Delete(remove);
    cJSON_Delete(versions);
    return status;
}

void console_playlist_action(hub_req_t *req, hub_resp_t *resp)
{
    static const console_wf_step_t *const steps[] = {&publish, &console_wf_withdraw};
    const console_wf_step_t *step = console_wf_find(steps, 2, req->params[1]);
    staff_t s;
    long long id, cid = 0;
    if (console_wf_session(req, resp, &kind, step ? step->perm : STAFF_SEE_FLEET, req->params[0], &s, &id) != 0) return;
    if (!step) {
        hub_error(resp, 404, "not_found", "no such playlist or action");
        return;
    }
    cJSON *before = console_wf_open(req, resp, &kind, step, &s, id);
    if (!before) return;
    bool pub = step == &publish;
    /* Withdrawn, its content item expires: the screens drop it at their
     * next poll; the row stays for the proof-of-play reports. */
    const cJSON *was = cJSON_GetObjectItem(before, "content_id");
    sqlite3_stmt *st = NULL;
    if (pub ? deliver(req, before, &cid) != 0
            : console_wf_expire(req->db, cJSON_IsNumber(was) ? (long long)was->valuedouble : 0, req->now) != 0)
        goto fail;
    if (sign_groups(req, resp, &s, before, id, pub) != 0) {
        console_wf_rollback(req);
        cJSON_Delete(before);
        return;
    }
    const char *sql = pub ? "UPDATE console_playlists SET state = 'published', published_by = :who,"
                            " published = :now, updated = :now, content_id = :cid WHERE id = :id"
                          : "UPDATE console_playlists SET state = 'withdrawn', published_by = :who,"
                            " updated = :now WHERE id = :id";
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) goto fail;
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":who"), s.name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), req->now);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
    if (pub) sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":cid"), cid);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) goto fail;
    console_wf_finish(req, resp, &kind, &s, pub ? "playlist_publish" : "playlist_withdraw", id, before, 200);
    cJSON_Delete(before);
    return;
fail:
    console_wf_abort(req, resp, 500, "storage", "cannot store the playlist");
    cJSON_Delete(before);
}
