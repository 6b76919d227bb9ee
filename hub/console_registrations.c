#include "console_registrations.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "console_reports.h"
#include "csv.h"
#include "db.h"
#include "mask.h"
#include "staff.h"

#define EVENTS_PAGE 500
#define REGS_MAX 5000              /* more than any event has places */
#define REVEAL_WINDOW_S 3600

/* A path id: 1-18 ASCII digits, value >= 1. */
static bool parse_id(const char *s, long long *out)
{
    size_t n = strspn(s, "0123456789");
    if (n < 1 || n > 18 || s[n]) return false;
    *out = strtoll(s, NULL, 10);
    return *out >= 1;
}

/* The rule of the header: may S do PERM on an event for GROUPS (the JSON
 * text of content.kiosk_groups, NULL for every kiosk)? */
static bool event_visible(const staff_t *s, staff_perm_t perm, const char *groups)
{
    if (!groups) return staff_may(s, perm, "");
    cJSON *arr = cJSON_Parse(groups);
    bool ok = cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0;
    const cJSON *g;
    cJSON_ArrayForEach(g, arr) {
        if (!ok) break;
        ok = cJSON_IsString(g) && g->valuestring[0] && staff_may(s, perm, g->valuestring);
    }
    cJSON_Delete(arr);
    return ok || staff_may(s, perm, "");
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? (const char *)v : "";
}

typedef struct {
    long long id;
    char title[256];
    bool may_publish;              /* the account is a publisher of every group of the event */
} event_t;

/* Event ID if S may do PERM on it: 1 (EV filled), 0 no such event or not
 * the account's, -1 database error. */
static int event_get(hub_req_t *req, const staff_t *s, staff_perm_t perm, long long id, event_t *ev)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT title, kiosk_groups FROM content WHERE id = :id"
                                    " AND kind IN ('event', 'lecture') AND places IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        const char *groups = sqlite3_column_type(st, 1) == SQLITE_NULL ? NULL : col_text(st, 1);
        if (!event_visible(s, perm, groups)) found = 0;
        ev->may_publish = event_visible(s, STAFF_PUBLISH, groups);
        ev->id = id;
        snprintf(ev->title, sizeof ev->title, "%s", col_text(st, 0));
    }
    sqlite3_finalize(st);
    return found;
}

void console_events_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT c.id, c.kind, c.title, c.starts, c.places, c.registered, c.kiosk_groups,"
                                    " (SELECT count(*) FROM event_registrations r WHERE r.content_id = c.id)"
                                    " FROM content c WHERE c.kind IN ('event', 'lecture') AND c.places IS NOT NULL"
                                    " ORDER BY coalesce(c.starts, c.published) DESC, c.id DESC",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the events");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "events");
    int rc = SQLITE_DONE, n = 0;
    /* The page is counted after the groups' filter: other districts' events
     * must not push an account's own out of it. */
    while (n < EVENTS_PAGE && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *groups = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : col_text(st, 6);
        if (!event_visible(&s, STAFF_SEE_FLEET, groups)) continue;
        n++;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(e, "kind", col_text(st, 1));
        cJSON_AddStringToObject(e, "title", col_text(st, 2));
        if (sqlite3_column_type(st, 3) == SQLITE_NULL) cJSON_AddNullToObject(e, "starts");
        else cJSON_AddNumberToObject(e, "starts", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(e, "places", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(e, "registered", (double)sqlite3_column_int64(st, 5));
        cJSON_AddNumberToObject(e, "listed", (double)sqlite3_column_int64(st, 7));
        cJSON *g = groups ? cJSON_Parse(groups) : NULL;
        cJSON_AddItemToObject(e, "groups", cJSON_IsArray(g) ? g : cJSON_CreateNull());
        if (!cJSON_IsArray(g)) cJSON_Delete(g);
        cJSON_AddBoolToObject(e, "may_reveal", event_visible(&s, STAFF_PUBLISH, groups));
        cJSON_AddItemToArray(arr, e);
    }
    sqlite3_finalize(st);
    if (n < EVENTS_PAGE && rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the events");
        return;
    }
    hub_reply(resp, 200, o);
}

/* The event of the path for S with PERM into EV; false with RESP filled. */
static bool path_event(hub_req_t *req, hub_resp_t *resp, const staff_t *s, staff_perm_t perm, event_t *ev)
{
    long long id;
    int found = parse_id(req->params[0], &id) ? event_get(req, s, perm, id, ev) : 0;
    if (found < 0) hub_error(resp, 500, "storage", "cannot read the event");
    else if (found == 0) hub_error(resp, 404, "unknown_event", "no event %s", req->params[0]);
    return found == 1;
}

void console_registrations_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    event_t ev;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    const char *format = hub_query(req, "format"), *lang = hub_query(req, "lang");
    bool csv = format && !strcmp(format, "csv"), en = lang && !strcmp(lang, "en");
    if ((format && !csv && strcmp(format, "json") != 0) || (lang && !en && strcmp(lang, "zh") != 0)) {
        hub_error(resp, 422, "invalid_field", "format: json or csv; lang: zh or en");
        return;
    }
    if (!path_event(req, resp, &s, STAFF_SEE_FLEET, &ev)) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT id, pii_open(name), pii_open(phone), created, device"
                                    " FROM event_registrations WHERE content_id = :id ORDER BY id LIMIT :n",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the registrations");
        return;
    }
    sqlite3_bind_int64(st, 1, ev.id);
    sqlite3_bind_int(st, 2, REGS_MAX);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "registrations");
    csv_t c;
    csv_init(&c, true);
    static const char *const head_zh[] = {"序号", "姓名", "手机", "报名时间（北京时间）", "终端"};
    static const char *const head_en[] = {"No.", "Name", "Phone", "Registered (China time)", "Kiosk"};
    for (int i = 0; i < 5; i++) csv_cell(&c, en ? head_en[i] : head_zh[i]);
    csv_row_end(&c);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char name[96], phone[32], when[24];
        /* Opened here only to be masked: the clear text never leaves this loop. */
        mask_name(col_text(st, 1), name, sizeof name);
        mask_phone(col_text(st, 2), phone, sizeof phone);
        long long created = sqlite3_column_int64(st, 3);
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(r, "name", name);
        cJSON_AddStringToObject(r, "phone", phone);
        cJSON_AddNumberToObject(r, "created", (double)created);
        cJSON_AddStringToObject(r, "kiosk", col_text(st, 4));
        cJSON_AddItemToArray(arr, r);
        console_time_text(created, when, sizeof when);
        csv_int(&c, ++n);
        csv_cell(&c, name);
        csv_cell(&c, phone);
        csv_cell(&c, when);
        csv_cell(&c, col_text(st, 4));
        csv_row_end(&c);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        csv_free(&c);
        hub_error(resp, 500, "storage", "cannot read the registrations");
        return;
    }
    if (!csv) {
        csv_free(&c);
        cJSON *e = cJSON_AddObjectToObject(o, "event");
        cJSON_AddNumberToObject(e, "id", (double)ev.id);
        cJSON_AddStringToObject(e, "title", ev.title);
        hub_reply(resp, 200, o);
        return;
    }
    cJSON_Delete(o);
    /* A list leaving the hub as a file is on the record, masked as it is. */
    char target[48], after[48], file[64];
    snprintf(target, sizeof target, "event %lld", ev.id);
    snprintf(after, sizeof after, "{\"rows\":%d}", n);
    if (console_log_change(req->db, req->now, s.name, req->addr, "registrations_export", target, NULL, after) != 0) {
        csv_free(&c);
        hub_error(resp, 503, "storage", "the export could not be logged; try again");
        return;
    }
    snprintf(file, sizeof file, "registrations-event-%lld.csv", ev.id);
    console_reply_csv(resp, &c, file);
}

/* S's reveals in the hour before NOW: their number, and the time of the
 * oldest in *OLDEST. -1 on a database error. */
static int reveals_in_window(hub_req_t *req, const staff_t *s, long long *oldest)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT count(*), coalesce(min(time), 0) FROM console_changes"
                                    " WHERE staff = :s AND action = 'registration_reveal' AND time > :since",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, s->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, req->now - REVEAL_WINDOW_S);
    int n = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int(st, 0);
        *oldest = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return n;
}

static void rollback(hub_req_t *req) { db_exec(req->db, "ROLLBACK"); }

/* The check, the count, the log row and the read are one transaction: two
 * reveals at once cannot both pass the limit, and no name or phone leaves
 * without its log row committed. */
void console_registration_reveal(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    event_t ev;
    long long rid;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!path_event(req, resp, &s, STAFF_SEE_FLEET, &ev)) return;
    if (!ev.may_publish) {
        hub_error(resp, 403, "forbidden", "only a publisher of the event's groups sees a full phone number");
        return;
    }
    if (!parse_id(req->params[1], &rid)) {
        hub_error(resp, 404, "unknown_registration", "no registration %s", req->params[1]);
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    long long oldest = 0;
    int done = reveals_in_window(req, &s, &oldest);
    if (done < 0) {
        rollback(req);
        hub_error(resp, 500, "storage", "cannot read the change log");
        return;
    }
    if (done >= REG_REVEALS_PER_HOUR) {
        rollback(req);
        long long wait = oldest + REVEAL_WINDOW_S - req->now + 1;
        resp->retry_after = wait < 1 ? 1 : (int)wait;
        hub_error(resp, 429, "rate_limited", "at most %d numbers an hour; retry in %d s",
                  REG_REVEALS_PER_HOUR, resp->retry_after);
        return;
    }
    sqlite3_stmt *st = NULL;
    int rc = SQLITE_ERROR;
    char name[128] = "", phone[64] = "", kiosk[64] = "";
    if (sqlite3_prepare_v2(req->db, "SELECT pii_open(name), pii_open(phone), device FROM event_registrations"
                                    " WHERE id = :rid AND content_id = :id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, rid);
        sqlite3_bind_int64(st, 2, ev.id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            snprintf(name, sizeof name, "%s", col_text(st, 0));
            snprintf(phone, sizeof phone, "%s", col_text(st, 1));
            snprintf(kiosk, sizeof kiosk, "%s", col_text(st, 2));
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        rollback(req);
        if (rc == SQLITE_DONE) hub_error(resp, 404, "unknown_registration", "no registration %lld of event %lld", rid, ev.id);
        else hub_error(resp, 500, "storage", "cannot read the registration");
        return;
    }
    /* A value still sealed (the key file changed) is never shown as if it were the number. */
    if (!strncmp(name, "s1:", 3) || !strncmp(phone, "s1:", 3) || !phone[0]) {
        rollback(req);
        sodium_memzero(name, sizeof name);
        sodium_memzero(phone, sizeof phone);
        hub_error(resp, 500, "sealed", "the registration cannot be opened with the hub's key");
        return;
    }
    char target[64], after[160];
    snprintf(target, sizeof target, "event %lld registration %lld", ev.id, rid);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddNumberToObject(a, "event", (double)ev.id);
    cJSON_AddNumberToObject(a, "registration", (double)rid);
    cJSON_AddStringToObject(a, "kiosk", kiosk);
    char *at = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    snprintf(after, sizeof after, "%s", at ? at : "{}");
    free(at);
    if (console_log_change(req->db, req->now, s.name, req->addr, "registration_reveal", target, NULL, after) != 0 ||
        db_exec(req->db, "COMMIT") != 0) {
        rollback(req);
        sodium_memzero(name, sizeof name);
        sodium_memzero(phone, sizeof phone);
        hub_error(resp, 503, "storage", "the reveal could not be logged; try again");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(o, "registration");
    cJSON_AddNumberToObject(r, "id", (double)rid);
    cJSON_AddNumberToObject(r, "event", (double)ev.id);
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddStringToObject(r, "phone", phone);
    cJSON_AddNumberToObject(r, "left", REG_REVEALS_PER_HOUR - done - 1);
    sodium_memzero(name, sizeof name);
    sodium_memzero(phone, sizeof phone);
    hub_reply(resp, 200, o);
}
