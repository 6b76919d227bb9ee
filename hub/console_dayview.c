#include "console_dayview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_playlist.h"
#include "staff.h"

#define DAY_ZONE "Asia/Shanghai"
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

static bool has_group(const cJSON *groups, const char *group)
{
    for (const cJSON *g = cJSON_IsArray(groups) ? groups->child : NULL; g; g = g->next)
        if (cJSON_IsString(g) && !strcmp(g->valuestring, group)) return true;
    return false;
}

/* The playlists of GROUP (published; with DRAFTS drafts too) into IN, the
 * highest priority first (the kiosk keeps SCHED_MAX_PLAYLISTS). 0 or -1. */
static int load(sqlite3 *db, const char *group, bool drafts, int tz, day_input_t *in)
{
    sqlite3_stmt *st = NULL;
    const char *sql = drafts ? "SELECT id, name, priority, groups, schedule, items, state FROM console_playlists"
                               " WHERE state IN ('published','draft') ORDER BY priority DESC, id"
                             : "SELECT id, name, priority, groups, schedule, items, state FROM console_playlists"
                               " WHERE state = 'published' ORDER BY priority DESC, id";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *groups = cJSON_Parse((const char *)sqlite3_column_text(st, 3));
        bool mine = has_group(groups, group);
        cJSON_Delete(groups);
        if (!mine) continue;
        if (in->n == SCHED_MAX_PLAYLISTS) {
            in->left_out++;
            continue;
        }
        cJSON *sch = cJSON_Parse((const char *)sqlite3_column_text(st, 4));
        cJSON *items = cJSON_Parse((const char *)sqlite3_column_text(st, 5));
        sched_playlist_t *p = &in->pl[in->n];
        char err[160];
        memset(p, 0, sizeof *p);
        p->id = (long)sqlite3_column_int64(st, 0);
        p->priority = sqlite3_column_int(st, 2);
        p->tz_off_s = tz;
        /* Stored playlists were checked on the way in; one that no longer
         * reads is left out rather than guessed at. */
        bool ok = console_playlist_rule(sch, &p->rule, err, sizeof err) == 0;
        for (const cJSON *it = cJSON_IsArray(items) ? items->child : NULL; ok && it && p->n_items < SCHED_MAX_ITEMS; it = it->next)
            p->items[p->n_items++] = (sched_item_t){
                (long)cJSON_GetObjectItem(it, "content_id")->valuedouble,
                (int)cJSON_GetObjectItem(it, "duration_s")->valuedouble, 0, false};
        if (ok && p->n_items > 0) {
            cJSON *row = cJSON_CreateObject();
            cJSON_AddNumberToObject(row, "id", (double)p->id);
            cJSON_AddStringToObject(row, "name", (const char *)sqlite3_column_text(st, 1));
            cJSON_AddNumberToObject(row, "priority", p->priority);
            cJSON_AddStringToObject(row, "state", (const char *)sqlite3_column_text(st, 6));
            cJSON_AddItemToObject(row, "schedule", sch);
            sch = NULL;
            cJSON_AddItemToObject(row, "items", items);
            items = NULL;
            in->rows[in->n++] = row;
        }
        cJSON_Delete(sch);
        cJSON_Delete(items);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
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
    if (s->pl < 0) {
        cJSON_AddNullToObject(o, "playlist_id");
        cJSON_AddNullToObject(o, "name");
    } else {
        cJSON_AddNumberToObject(o, "playlist_id", (double)in->pl[s->pl].id);
        cJSON_AddStringToObject(o, "name", cJSON_GetObjectItem(in->rows[s->pl], "name")->valuestring);
    }
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
    if (sched_tz_offset(DAY_ZONE, &tz) != 0) {
        hub_error(resp, 500, "internal", "no offset for " DAY_ZONE);
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
    if (load(req->db, group, drafts && !strcmp(drafts, "1"), tz, &in) != 0) {
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
    cJSON_AddStringToObject(o, "time_zone", DAY_ZONE);
    if (kiosk && *kiosk) cJSON_AddStringToObject(o, "kiosk", kiosk);
    cJSON_AddStringToObject(o, "group", group);
    cJSON_AddBoolToObject(o, "drafts", drafts && !strcmp(drafts, "1"));
    cJSON_AddNumberToObject(o, "left_out", in.left_out);
    cJSON *changes = cJSON_AddArrayToObject(o, "segments"), *hours = cJSON_AddArrayToObject(o, "hours");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(changes, seg_json(&in, &seg[i], seg[i].from_min, seg[i].to_min));
    for (int h = 0; h < 24; h++) {
        cJSON *hour = cJSON_CreateObject(), *plays = NULL;
        cJSON_AddNumberToObject(hour, "hour", h);
        plays = cJSON_AddArrayToObject(hour, "plays");
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
