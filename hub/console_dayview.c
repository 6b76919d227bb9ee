#include "console_dayview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_playlist.h"
#include "staff.h"

#define DAY_MAX_SEGMENTS 512    /* a day of 8 playlists of 8 windows changes far fewer times */

typedef struct {
    int from_min, to_min;       /* local minutes of the date, TO excluded (1440 = midnight after) */
    int pl;                     /* index into the playlists, -1: none (the notices carousel) */
} day_seg_t;

typedef struct {
    sched_playlist_t pl[SCHED_MAX_PLAYLISTS];
    cJSON *rows[SCHED_MAX_PLAYLISTS];   /* each playlist's row as the list route gives it */
    int n;
    int left_out;               /* playlists beyond SCHED_MAX_PLAYLISTS */
    int unreadable;             /* playlists the screen would skip: a schedule it cannot read */
} day_input_t;

/* The kiosk group of kiosk ID: 1 found (GROUP "" for none), 0 no such kiosk, -1 error. */
static int kiosk_group(sqlite3 *db, const char *id, char *group, size_t len)
{
    sqlite3_stmt *st = NULL;
    group[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT kiosk_group FROM devices WHERE id = :id AND role = 'kiosk' AND revoked = 0",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(group, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return found;
}

/* Adds one playlist to IN from its columns: name, priority, schedule
 * (JSON text, NULL: always on), items (JSON text), state, content id and
 * console id (0: none). As the kiosk's reader (services/street/content.c):
 * beyond SCHED_MAX_PLAYLISTS only counted; one whose schedule does not read
 * skipped without taking a place; items with a bad id or duration dropped
 * (a playlist left without items keeps its place and never plays). */
static void add(day_input_t *in, sqlite3_stmt *st, int tz)
{
    if (in->n == SCHED_MAX_PLAYLISTS) {
        in->left_out++;
        return;
    }
    const char *sch_text = (const char *)sqlite3_column_text(st, 2);
    cJSON *sch = sch_text ? cJSON_Parse(sch_text) : cJSON_CreateObject();
    cJSON *items = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
    sched_playlist_t *p = &in->pl[in->n];
    char err[160];
    memset(p, 0, sizeof *p);
    p->id = (long)sqlite3_column_int64(st, 5);
    p->priority = sqlite3_column_int(st, 1);
    p->tz_off_s = tz;
    bool ok = console_playlist_rule(sch, &p->rule, err, sizeof err) == 0;
    for (const cJSON *it = ok && cJSON_IsArray(items) ? items->child : NULL; it; it = it->next) {
        const cJSON *cid = cJSON_GetObjectItem(it, "content_id"), *dur = cJSON_GetObjectItem(it, "duration_s");
        if (p->n_items == SCHED_MAX_ITEMS) break;
        if (cJSON_IsNumber(cid) && cid->valuedouble >= 1 && cJSON_IsNumber(dur) && dur->valuedouble >= 1 &&
            dur->valuedouble <= 3600)
            p->items[p->n_items++] = (sched_item_t){(long)cid->valuedouble, (int)dur->valuedouble, 0, false};
    }
    if (ok) {
        cJSON *row = cJSON_CreateObject();
        long long cid = sqlite3_column_int64(st, 5), pid = sqlite3_column_int64(st, 6);
        if (cid) cJSON_AddNumberToObject(row, "id", (double)cid);
        else cJSON_AddNullToObject(row, "id");
        if (pid) cJSON_AddNumberToObject(row, "console_id", (double)pid);
        else cJSON_AddNullToObject(row, "console_id");
        cJSON_AddStringToObject(row, "name", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddNumberToObject(row, "priority", p->priority);
        cJSON_AddStringToObject(row, "state", (const char *)sqlite3_column_text(st, 4));
        cJSON_AddItemToObject(row, "schedule", sch);
        sch = NULL;
        cJSON_AddItemToObject(row, "items", items);
        items = NULL;
        in->rows[in->n++] = row;
    } else {
        in->unreadable++;
    }
    cJSON_Delete(sch);
    cJSON_Delete(items);
}

/* The playlists GROUP's street screens play, in the order a screen gets
 * them: with DRAFTS, the console's drafts for GROUP first (as if published
 * now, the newest first); then the street playlists of the hub's content
 * visible now to a kiosk of GROUP, in GET /v1/content's order (console
 * playlists published, and any published with kioskctl for every kiosk).
 * 0 or -1. */
static int load(sqlite3 *db, const char *group, bool drafts, long long now, int tz, day_input_t *in)
{
    static const char *const sql[] = {
        "SELECT name, priority, schedule, items, 'draft', 0, id FROM console_playlists p"
        " WHERE state = 'draft' AND EXISTS (SELECT 1 FROM json_each(p.groups) WHERE value = :group)"
        " ORDER BY id DESC",
        "SELECT c.title, coalesce(json_extract(c.data, '$.priority'), 0), json_extract(c.data, '$.schedule'),"
        " json_extract(c.data, '$.items'), 'published', c.id, coalesce(p.id, 0)"
        " FROM content c LEFT JOIN console_playlists p ON p.content_id = c.id"
        " WHERE c.kind = 'playlist' AND c.category = 'street' AND c.locale = 'zh_CN' AND json_valid(c.data)"
        " AND c.published <= :now AND (c.expires IS NULL OR c.expires >= :now)"
        " AND (c.kiosk_groups IS NULL OR EXISTS (SELECT 1 FROM json_each(c.kiosk_groups) WHERE value = :group))"
        " ORDER BY c.pinned DESC, c.published DESC, c.id DESC",
    };
    for (int q = drafts ? 0 : 1; q < 2; q++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql[q], -1, &st, NULL) != SQLITE_OK) return -1;
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":group"), group, -1, SQLITE_TRANSIENT);
        int ni = sqlite3_bind_parameter_index(st, ":now");
        if (ni) sqlite3_bind_int64(st, ni, now);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) add(in, st, tz);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return -1;
    }
    return 0;
}

/* What plays through local day DAY, as segments: at each moment the
 * engine's pick, until the next change of any playlist's rule. */
static int segments(const day_input_t *in, long day, int tz, day_seg_t *out, int max)
{
    sched_input_t si = {in->pl, in->n, NULL, 0};
    time_t start = (time_t)((long long)day * 86400 - tz), end = start + 86400, t = start;
    int n = 0;
    while (t < end && n < max) {
        sched_pick_t pick;
        sched_next(&si, t, NULL, &pick);
        time_t next = end;
        for (int p = 0; p < in->n; p++) {
            time_t ch;
            sched_rule_on(&in->pl[p].rule, in->pl[p].tz_off_s, t, &ch);
            if (ch > t && ch < next) next = ch;
        }
        int pl = pick.what == SCHED_ITEM ? pick.pl : -1;
        int from = (int)((t - start) / 60), to = (int)((next - start) / 60);
        if (n > 0 && out[n - 1].pl == pl) out[n - 1].to_min = to;
        else out[n++] = (day_seg_t){from, to, pl};
        t = next;
    }
    return n;
}

static void hhmm(int min, char out[8])
{
    snprintf(out, 8, "%02d:%02d", (min / 60) % 100, min % 60);
}

static cJSON *seg_json(const day_input_t *in, const day_seg_t *s, int from, int to)
{
    char a[8], b[8];
    cJSON *o = cJSON_CreateObject();
    hhmm(from, a);
    hhmm(to, b);
    cJSON_AddStringToObject(o, "from", a);
    cJSON_AddStringToObject(o, "to", b);
    const cJSON *row = s->pl < 0 ? NULL : in->rows[s->pl];
    cJSON_AddItemToObject(o, "playlist_id", row ? cJSON_Duplicate(cJSON_GetObjectItem(row, "id"), false) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "console_id", row ? cJSON_Duplicate(cJSON_GetObjectItem(row, "console_id"), false) : cJSON_CreateNull());
    if (row) cJSON_AddStringToObject(o, "name", cJSON_GetObjectItem(row, "name")->valuestring);
    else cJSON_AddNullToObject(o, "name");
    return o;
}

/* Each playlist's row with its items' titles ("" for content gone since). */
static cJSON *playlists_json(sqlite3 *db, day_input_t *in)
{
    cJSON *arr = cJSON_CreateArray();
    for (int p = 0; p < in->n; p++) {
        cJSON *it;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(in->rows[p], "items")) {
            char title[256] = "";
            if (console_playlist_title(db, (long long)cJSON_GetObjectItem(it, "content_id")->valuedouble, title,
                                       sizeof title) != 1)
                title[0] = '\0';
            cJSON_AddStringToObject(it, "title", title);
        }
        cJSON_AddItemToArray(arr, in->rows[p]);
        in->rows[p] = NULL;
    }
    return arr;
}

void console_dayview(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    day_input_t in;
    memset(&in, 0, sizeof in);
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    const char *kiosk = hub_query(req, "kiosk"), *group_q = hub_query(req, "group");
    const char *date = hub_query(req, "date"), *drafts = hub_query(req, "drafts");
    char group[64];
    int tz;
    long day;
    if (sched_tz_offset(CONSOLE_PLAYLIST_ZONE, &tz) != 0) {
        hub_error(resp, 500, "internal", "no offset for " CONSOLE_PLAYLIST_ZONE);
        return;
    }
    if ((kiosk && *kiosk) == (group_q && *group_q)) {
        hub_error(resp, 422, "invalid_field", "kiosk or group: give exactly one");
        return;
    }
    if (date) {
        if (sched_parse_date(date, &day) != 0) {
            hub_error(resp, 422, "invalid_field", "date: a date YYYY-MM-DD (China time)");
            return;
        }
    } else {
        long long local = (long long)req->now + tz;
        day = (long)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
    }
    if (drafts && strcmp(drafts, "0") && strcmp(drafts, "1")) {
        hub_error(resp, 422, "invalid_field", "drafts: 0 or 1");
        return;
    }
    if (kiosk && *kiosk) {
        int found = kiosk_group(req->db, kiosk, group, sizeof group);
        if (found < 0) {
            hub_error(resp, 500, "storage", "cannot read the kiosk");
            return;
        }
        /* A kiosk outside the account's groups is answered as one that does not exist. */
        if (found == 0 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
            hub_error(resp, 404, "not_found", "no such kiosk");
            return;
        }
    } else {
        if (!staff_groups_ok(group_q) || strchr(group_q, ',') || !strcmp(group_q, "*")) {
            hub_error(resp, 422, "invalid_field", "group: one group name");
            return;
        }
        if (!staff_may(&s, STAFF_SEE_FLEET, group_q)) {
            hub_error(resp, 403, "forbidden", "group %s is not yours", group_q);
            return;
        }
        snprintf(group, sizeof group, "%s", group_q);
    }
    if (load(req->db, group, drafts && !strcmp(drafts, "1"), req->now, tz, &in) != 0) {
        hub_error(resp, 500, "storage", "cannot read the playlists");
        goto end;
    }
    day_seg_t *seg = malloc(DAY_MAX_SEGMENTS * sizeof *seg);
    if (!seg) {
        hub_error(resp, 500, "memory", "out of memory");
        goto end;
    }
    int n = segments(&in, day, tz, seg, DAY_MAX_SEGMENTS);

    cJSON *o = cJSON_CreateObject();
    char ds[16];
    snprintf(ds, sizeof ds, "%s", date ? date : "");
    if (!date) {
        /* Today's date in the zone, back from the day number. */
        time_t t = (time_t)((long long)day * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(ds, sizeof ds, "%Y-%m-%d", &tm);
    }
    cJSON_AddStringToObject(o, "date", ds);
    cJSON_AddNumberToObject(o, "weekday", sched_weekday(day));
    cJSON_AddStringToObject(o, "time_zone", CONSOLE_PLAYLIST_ZONE);
    if (kiosk && *kiosk) cJSON_AddStringToObject(o, "kiosk", kiosk);
    cJSON_AddStringToObject(o, "group", group);
    cJSON_AddBoolToObject(o, "drafts", drafts && !strcmp(drafts, "1"));
    cJSON_AddNumberToObject(o, "left_out", in.left_out);
    cJSON_AddNumberToObject(o, "unreadable", in.unreadable);
    cJSON *changes = cJSON_AddArrayToObject(o, "segments"), *hours = cJSON_AddArrayToObject(o, "hours");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(changes, seg_json(&in, &seg[i], seg[i].from_min, seg[i].to_min));
    for (int h = 0; h < 24; h++) {
        cJSON *hour = cJSON_CreateObject();
        cJSON_AddNumberToObject(hour, "hour", h);
        cJSON *plays = cJSON_AddArrayToObject(hour, "plays");
        for (int i = 0; i < n; i++) {
            int from = seg[i].from_min > h * 60 ? seg[i].from_min : h * 60;
            int to = seg[i].to_min < h * 60 + 60 ? seg[i].to_min : h * 60 + 60;
            if (from < to) cJSON_AddItemToArray(plays, seg_json(&in, &seg[i], from, to));
        }
        cJSON_AddItemToArray(hours, hour);
    }
    cJSON_AddItemToObject(o, "playlists", playlists_json(req->db, &in));
    free(seg);
    hub_reply(resp, 200, o);
end:
    for (int p = 0; p < in.n; p++) cJSON_Delete(in.rows[p]);
}
