/* Content the hub publishes to kiosks (notices, events, library news,
 * lectures, one-stop service guides, display playlists) and event
 * registration. The demo content is hub/demo/content.sql.
 *
 * Visibility: an item is listed and fetchable while published <= now and
 * (expires is NULL or now <= expires). List bodies depend only on the rows
 * and on that rule, never on the clock otherwise, so the framework's ETag
 * stays the same while nothing changes. docs/api.md, "Content", is the
 * contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "content_cache.h"
#include "mask.h"
#include "db.h"
#include "log.h"
#include "rescodes.h"
#include "validate.h"

#define LIST_CAP 200                /* items per list response, documented */

static const char *const kinds[] = {"notice", "event", "library", "lecture", "guide", "playlist", NULL};

/* The columns item_json reads, in its order. places and registered are
 * those of the row that counts the item's registrations: the row its
 * places_of names (an English console item: its Chinese row, one pool of
 * places for both languages; migration 24), else its own. */
#define ITEM_COLS "id, kind, category, locale, title, body, published, expires, pinned, " \
                  "(SELECT p.places FROM content p WHERE p.id = coalesce(content.places_of, content.id))," \
                  " (SELECT p.registered FROM content p WHERE p.id = coalesce(content.places_of, content.id))," \
                  " starts, data"
/* Visible to device ?8 at ?9: published, not expired, and for its kiosk
 * group when the item names groups (a console playlist: kiosk_groups, a
 * JSON array; NULL for every kiosk). */
#define VISIBLE "published <= ?9 AND (expires IS NULL OR expires >= ?9) AND (kiosk_groups IS NULL OR" \
                " EXISTS (SELECT 1 FROM json_each(content.kiosk_groups) g JOIN devices d" \
                " ON d.kiosk_group = g.value WHERE d.id = ?8))"

/* ---- helpers ------------------------------------------------------------ */

/* A path or query id: 1-18 ASCII digits, value >= 1. */
static bool parse_id(const char *s, long long *out)
{
    if (!v_digits(s, 1, 18)) return false;
    *out = strtoll(s, NULL, 10);
    return *out >= 1;
}

/* 1..MAX bytes, each from [A-Za-z_] (locale) or [a-z0-9_-] (category). */
static bool word_ok(const char *s, size_t max, bool locale)
{
    size_t n = strlen(s);
    if (n < 1 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = locale ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
                         : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
        if (!ok) return false;
    }
    return true;
}

/* A mainland mobile number: 11 digits starting with 1. */
static bool phone_ok(const char *s)
{
    return v_digits(s, 11, 11) && s[0] == '1';
}

static void add_text(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    cJSON_AddStringToObject(o, name, s ? (const char *)s : "");
}

/* One content row (ITEM_COLS) as the API shows it. Keys always come in the
 * same order, so equal rows give equal bytes. */
static cJSON *item_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    add_text(o, "kind", st, 1);
    add_text(o, "category", st, 2);
    add_text(o, "locale", st, 3);
    add_text(o, "title", st, 4);
    add_text(o, "body", st, 5);
    cJSON_AddNumberToObject(o, "published", (double)sqlite3_column_int64(st, 6));
    if (sqlite3_column_type(st, 7) != SQLITE_NULL)
        cJSON_AddNumberToObject(o, "expires", (double)sqlite3_column_int64(st, 7));
    cJSON_AddBoolToObject(o, "pinned", sqlite3_column_int(st, 8) != 0);
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        long long places = sqlite3_column_int64(st, 9), registered = sqlite3_column_int64(st, 10);
        cJSON_AddNumberToObject(o, "places", (double)places);
        cJSON_AddNumberToObject(o, "left", (double)(places > registered ? places - registered : 0));
    }
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        cJSON_AddNumberToObject(o, "starts", (double)sqlite3_column_int64(st, 11));
    const unsigned char *data = sqlite3_column_text(st, 12);
    if (data) {
        /* Stored as text, served as JSON: a row whose data does not parse is
         * an operator error; the item is still shown, without "data". */
        cJSON *d = cJSON_Parse((const char *)data);
        if (d) cJSON_AddItemToObject(o, "data", d);
        else hub_log("content", "item %lld: data is not valid JSON", (long long)sqlite3_column_int64(st, 0));
    }
    return o;
}

/* ---- GET /v1/content ---------------------------------------------------- */

static const char list_sql[] =
    "SELECT " ITEM_COLS " FROM content WHERE kind = ?1 AND locale = ?2"
    " AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR published > ?4)"
    " AND " VISIBLE
    " ORDER BY pinned DESC, published DESC, id DESC LIMIT ?5";
static const char gen_sql[] = "SELECT gen FROM content_gen WHERE id = 1";

/* The content generation (migration 18), or -1 if it cannot be read (the
 * answer is then built and not kept). */
static long long content_gen(sqlite3 *db)
{
    sqlite3_stmt *st = db_stmt(db, gen_sql);
    long long gen = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    db_stmt_done(db, st);
    return gen;
}

static const char group_sql[] = "SELECT kiosk_group FROM devices WHERE id = ?1";

/* The device's kiosk group for the cache key: "" for none, "=NAME" for
 * one (so no group and a group named "" differ). -1 if it cannot be read
 * or does not fit (the answer is then built and not kept). */
static int device_group(hub_req_t *req, char *out, size_t len)
{
    sqlite3_stmt *st = db_stmt(req->db, group_sql);
    int rc = -1;
    if (st) {
        sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            const unsigned char *g = sqlite3_column_text(st, 0);
            int n = g ? snprintf(out, len, "=%s", (const char *)g) : snprintf(out, len, "%s", "");
            rc = n >= 0 && (size_t)n < len ? 0 : -1;
        } else if (step == SQLITE_DONE) {
            out[0] = '\0';      /* not a device (cannot happen behind ROUTE_AUTH) */
            rc = 0;
        }
    }
    db_stmt_done(req->db, st);
    return rc;
}

/* The list for validated parameters, as hub_reply gives it. */
static void list_build(hub_req_t *req, hub_resp_t *resp, const char *kind, const char *locale,
                       const char *category, const char *since)
{
    sqlite3_stmt *st = db_stmt(req->db, list_sql);
    if (!st) {
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, locale, -1, SQLITE_STATIC);
    if (category) sqlite3_bind_text(st, 3, category, -1, SQLITE_STATIC);
    if (since) sqlite3_bind_int64(st, 4, strtoll(since, NULL, 10));
    sqlite3_bind_int(st, 5, LIST_CAP);
    sqlite3_bind_text(st, 8, req->device.id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, req->now);

    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *it = item_json(st);
        if (!it || !cJSON_AddItemToArray(items, it)) {     /* out of memory */
            cJSON_Delete(it);
            rc = SQLITE_NOMEM;
            break;
        }
    }
    db_stmt_done(req->db, st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    hub_reply(resp, 200, o);
}

void api_content_list(hub_req_t *req, hub_resp_t *resp)
{
    const char *kind = hub_query(req, "kind");
    const char *locale = hub_query(req, "locale");
    const char *category = hub_query(req, "category");
    const char *since = hub_query(req, "since");
    /* kind defaults to notice, the list the attract loop shows; an empty or
     * unknown kind is an error. */
    if (!kind) kind = "notice";
    bool known = false;
    for (int i = 0; kinds[i]; i++) known = known || strcmp(kind, kinds[i]) == 0;
    if (!known) {
        hub_error(resp, 422, "invalid_field",
                  "kind must be one of: notice, event, library, lecture, guide, playlist");
        return;
    }
    if (!locale) locale = "zh_CN";
    if (!word_ok(locale, 16, true)) {
        hub_error(resp, 422, "invalid_field", "locale must be 1 to 16 of A-Z a-z _");
        return;
    }
    if (category && !word_ok(category, 32, false)) {
        hub_error(resp, 422, "invalid_field", "category must be 1 to 32 of a-z 0-9 _ -");
        return;
    }
    if (since && !v_digits(since, 1, 18)) {
        hub_error(resp, 422, "invalid_field", "since must be a Unix time (digits)");
        return;
    }

    /* The generation is read before the rows (content_cache.h). */
    content_cache_t *cc = hub_content_cache(req->hub);
    long long gen = cc ? content_gen(req->db) : -1;
    content_cache_key_t key;
    content_cache_key(&key, kind, locale, category, since, req->now, gen);
    /* Items for kiosk groups only (VISIBLE) make the answer depend on the
     * device's group: it is part of the key. */
    if (gen >= 0) {
        char group[CONTENT_CACHE_GROUP_MAX];
        if (device_group(req, group, sizeof group) != 0) gen = -1;   /* not kept */
        else content_cache_key_group(&key, group);
    }
    if (gen >= 0 && content_cache_get(cc, &key, resp)) return;
    list_build(req, resp, kind, locale, category, since);
    if (gen < 0 || resp->status != 200) return;
    hub_etag(req, resp);
    content_cache_put(cc, &key, resp);
}

/* ---- GET /v1/content/{id} ----------------------------------------------- */

void api_content_get(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_content", "no content %s", req->params[0]);
        return;
    }
    static const char sql[] = "SELECT " ITEM_COLS " FROM content WHERE id = ?1 AND " VISIBLE;
    sqlite3_stmt *st = db_stmt(req->db, sql);
    if (!st) {
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 8, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, req->now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cJSON *it = item_json(st);
        if (it) hub_reply(resp, 200, it);
        else hub_error(resp, 500, "memory", "out of memory");
    } else if (rc == SQLITE_DONE) {
        hub_error(resp, 404, "unknown_content", "no content %lld", id);
    } else {
        hub_error(resp, 500, "storage", "cannot read content");
    }
    db_stmt_done(req->db, st);
}

/* ---- POST /v1/events/{id}/registrations --------------------------------- */

/* Steps SQL once with ?1 = ID and, when TEXT is given, ?2 = TEXT. Returns
 * the step result; on SQLITE_ROW, *OUT (if given) gets column 0. */
static int step_once(sqlite3 *db, const char *sql, long long id, const char *text, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, id);
    if (text) sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Takes a place of event ID for NAME and PHONE (not registered yet). 0, or
 * -1 with the answer in RESP. */
static int register_phone(hub_req_t *req, hub_resp_t *resp, long long id, const char *name,
                          const char *phone)
{
    if (step_once(req->db, "UPDATE content SET registered = registered + 1"
                           " WHERE id = ?1 AND registered < places", id, NULL, NULL) != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot take a place");
        return -1;
    }
    if (sqlite3_changes(req->db) != 1) {
        hub_error(resp, 409, "event_full", "event %lld has no places left", id);
        return -1;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "INSERT INTO event_registrations(content_id, device, name, phone, phone_hash, created)"
            " VALUES(?1, ?2, pii_seal(?3), pii_seal(?4), pii_hash('phone', ?4), ?5)", -1, &st,
            NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot store the registration");
        return -1;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, phone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, req->now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot store the registration");
        return -1;
    }
    return 0;
}

/* A row whose places_of names another (the English row of a console item)
 * registers into that row: the place is taken from its count, the
 * registration is stored under its id, and "already registered" is asked
 * of it, so one phone holds one place whichever language it used and the
 * two languages never hand out more than the one places. The answer names
 * the id the kiosk asked for. Places are taken with a guarded UPDATE
 * (registered < places) whose change count decides, so even outside the framework's IMMEDIATE transaction two
 * requests can never both take the last place; the schema's CHECK and
 * the unique (content_id, phone_hash) index back this up. Name and phone
 * are sealed at rest (pii.h). Sign-ups taken at the service
 * centre desk are counted in content.registered without a row here. */
void api_event_register(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_event", "no event %s", req->params[0]);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "SELECT starts, coalesce(places_of, id) FROM content WHERE id = ?1 AND kind IN ('event', 'lecture')"
            " AND (SELECT p.places FROM content p WHERE p.id = coalesce(content.places_of, content.id)) IS NOT NULL"
            " AND " VISIBLE, -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 8, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, req->now);
    int rc = sqlite3_step(st);
    bool has_start = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    long long starts = has_start ? sqlite3_column_int64(st, 0) : 0;
    long long pool = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : id;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        hub_error(resp, 404, "unknown_event", "no event %lld takes registrations", id);
        return;
    }
    if (rc != SQLITE_ROW) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }

    const char *name, *phone, *rescode;
    char held[128];
    if (v_string(resp, req->json, "name", 1, 32, true, &name) != 0) return;
    if (v_string(resp, req->json, "rescode", 1, 512, false, &rescode) != 0) return;
    if (rescode) {
        /* A community resident code shown at the kiosk: the registration is
         * in the name the hub holds for its resident, as with the ID card;
         * a code the hub does not take registers nothing. Audited. */
        long long resident;
        req->audit_kind = "registration_rescode";
        rescodes_verdict_t v = rescodes_verify(req->db, rescode, strlen(rescode), req->now, &resident, NULL);
        held[0] = '\0';
        if (v == RESCODES_OK) {
            sqlite3_stmt *q = NULL;
            if (sqlite3_prepare_v2(req->db, "SELECT coalesce(pii_open(name), '') FROM residents WHERE id = ?1",
                                   -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(q, 1, resident);
                if (sqlite3_step(q) == SQLITE_ROW)
                    snprintf(held, sizeof held, "%s", (const char *)sqlite3_column_text(q, 0));
            }
            sqlite3_finalize(q);
            if (!held[0]) v = RESCODES_UNKNOWN;
        }
        req->audit_detail = rescodes_verdict_name(v);
        if (v == RESCODES_ERROR) {
            hub_error(resp, 500, "storage", "cannot check the code");
            return;
        }
        if (v != RESCODES_OK) {
            hub_error(resp, 404, "unknown_resident", "this resident code is not valid");
            return;
        }
        name = held;
    }
    if (strspn(name, " \t") == strlen(name)) {
        hub_error(resp, 422, "invalid_field", "name must not be blank");
        return;
    }
    if (v_string(resp, req->json, "phone", 11, 11, true, &phone) != 0) return;
    if (!phone_ok(phone)) {
        hub_error(resp, 422, "invalid_field", "phone must be 11 digits starting with 1");
        return;
    }
    if (has_start && starts < req->now) {
        hub_error(resp, 409, "event_past", "event %lld has already started", id);
        return;
    }
    /* A number already registered gets the same answer as a new one (and
     * keeps its one place), so the answer never tells a device whether
     * someone else's number is on the list. A full event is full for
     * everyone, registered or not, for the same reason. */
    rc = step_once(req->db, "SELECT 1 FROM event_registrations WHERE content_id = ?1"
                   " AND phone_hash = pii_hash('phone', ?2)", pool, phone, NULL);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot read registrations");
        return;
    }
    bool already = rc == SQLITE_ROW;
    long long left = -1;
    if (step_once(req->db, "SELECT places - registered FROM content WHERE id = ?1", pool, NULL, &left) != SQLITE_ROW) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }
    if (left <= 0) {
        hub_error(resp, 409, "event_full", "event %lld has no places left", id);
        return;
    }
    if (!already && register_phone(req, resp, pool, name, phone) != 0) return;
    rc = step_once(req->db, "SELECT places - registered FROM content WHERE id = ?1", pool, NULL, &left);
    if (rc != SQLITE_ROW || left < 0) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }
    char masked[64], mphone[16];
    mask_name(name, masked, sizeof masked);
    mask_phone(phone, mphone, sizeof mphone);
    cJSON *o = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(o, "registration");
    cJSON_AddNumberToObject(r, "content_id", (double)id);
    cJSON_AddStringToObject(r, "name", masked);
    cJSON_AddStringToObject(r, "phone", mphone);
    cJSON_AddNumberToObject(o, "left", (double)left);
    hub_reply(resp, 201, o);
}
