#include "console_reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console_auth.h"
#include "console_log.h"
#include "services/street/schedule.h"
#include "staff.h"

/* China Standard Time, all year (no DST): the report's days, whatever the
 * machine's zone; the same offset as the playlists' (console_playlist.h). */
#define CHINA_OFFSET_S (8 * 3600)

long console_china_day(long long t)
{
    long long local = t + CHINA_OFFSET_S;
    return (long)(local >= 0 ? local / 86400 : (local - 86399) / 86400);
}

void console_day_text(long day, char *out, size_t outlen)
{
    time_t t = (time_t)day * 86400;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { snprintf(out, outlen, "?"); return; }
    snprintf(out, outlen, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void console_time_text(long long t, char *out, size_t outlen)
{
    time_t local = (time_t)(t + CHINA_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&local, &tm)) { snprintf(out, outlen, "?"); return; }
    snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
}

void console_reply_csv(hub_resp_t *resp, csv_t *c, const char *filename)
{
    size_t len = 0;
    char *text = csv_take(c, &len);
    if (!text) {
        hub_error(resp, 500, "memory", "out of memory");
        return;
    }
    free(resp->body);
    resp->status = 200;
    resp->body = text;
    resp->body_len = len;
    resp->content_type = "text/csv; charset=utf-8";
    snprintf(resp->disposition, sizeof resp->disposition, "attachment; filename=\"%s\"", filename);
}

/* One line of the report, summed over the groups the account sees. */
typedef struct {
    long day;
    char kind[8];
    long long content_id;
    char title[256];
    long long plays, shown_ms, kiosks;
} line_t;

static void line_put(const line_t *l, cJSON *rows, csv_t *c, bool en)
{
    char day[16];
    long long seconds = (l->shown_ms + 500) / 1000;
    console_day_text(l->day, day, sizeof day);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "day", day);
    cJSON_AddStringToObject(r, "kind", l->kind);
    cJSON_AddNumberToObject(r, "content_id", (double)l->content_id);
    cJSON_AddStringToObject(r, "title", l->title);
    cJSON_AddNumberToObject(r, "plays", (double)l->plays);
    cJSON_AddNumberToObject(r, "seconds", (double)seconds);
    cJSON_AddNumberToObject(r, "kiosks", (double)l->kiosks);
    cJSON_AddItemToArray(rows, r);
    bool alert = !strcmp(l->kind, "alert");
    csv_cell(c, day);
    csv_cell(c, en ? l->kind : alert ? "紧急通知" : "内容");
    csv_int(c, l->content_id);
    csv_cell(c, l->title);
    csv_int(c, l->plays);
    csv_int(c, seconds);
    csv_int(c, l->kiosks);
    csv_row_end(c);
}

/* FROM and TO of the query (defaults: the last 7 China-time days, today
 * included) into *LO and *HI, days; false with RESP filled. */
static bool range(hub_req_t *req, hub_resp_t *resp, long *lo, long *hi)
{
    const char *from = hub_query(req, "from"), *to = hub_query(req, "to");
    long today = console_china_day(req->now);
    *hi = today;
    if (to && sched_parse_date(to, hi) != 0) goto bad;
    *lo = *hi - 6;
    if (from && sched_parse_date(from, lo) != 0) goto bad;
    if (*lo < 0 || *lo > *hi) {
        hub_error(resp, 422, "invalid_field", "from: a date on or before to, from 1970-01-01 on");
        return false;
    }
    if (*hi - *lo + 1 > REPORTS_MAX_DAYS) {
        hub_error(resp, 422, "range_too_long", "at most %d days in one report", REPORTS_MAX_DAYS);
        return false;
    }
    return true;
bad:
    hub_error(resp, 422, "invalid_field", "from and to: dates YYYY-MM-DD (China time)");
    return false;
}

void console_report_plays(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    const char *group = hub_query(req, "group"), *format = hub_query(req, "format"), *lang = hub_query(req, "lang");
    bool csv = format && !strcmp(format, "csv"), en = lang && !strcmp(lang, "en");
    if ((format && !csv && strcmp(format, "json") != 0) || (lang && !en && strcmp(lang, "zh") != 0)) {
        hub_error(resp, 422, "invalid_field", "format: json or csv; lang: zh or en");
        return;
    }
    long lo, hi;
    if (!range(req, resp, &lo, &hi)) return;
    if (group && (!staff_groups_ok(group) || strchr(group, ',') || !strcmp(group, "*"))) {
        hub_error(resp, 422, "invalid_field", "group: one group name");
        return;
    }
    if (group && !staff_may(&s, STAFF_SEE_FLEET, group)) {
        hub_error(resp, 403, "forbidden", "group %s is not yours", group);
        return;
    }
    /* Kiosks first, then their plays by the (device, started) index; rows
     * per group, so each can be kept or left out by staff_may below. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "SELECT (p.started + :off) / 86400 AS day, p.kind, p.content_id, coalesce(d.kiosk_group, '') AS g,"
            " count(*), sum(p.shown_ms), count(DISTINCT p.device),"
            " (SELECT title FROM content c WHERE c.id = p.content_id)"
            " FROM devices d JOIN proof_of_play p ON p.device = d.id"
            " WHERE d.role = 'kiosk' AND p.started >= :lo AND p.started < :hi"
            " AND (:group IS NULL OR d.kiosk_group = :group)"
            " GROUP BY day, p.kind, p.content_id, g ORDER BY day, p.kind, p.content_id, g",
            -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read proof of play");
        return;
    }
    sqlite3_bind_int(st, 1, CHINA_OFFSET_S);
    sqlite3_bind_int64(st, 2, (long long)lo * 86400 - CHINA_OFFSET_S);
    sqlite3_bind_int64(st, 3, ((long long)hi + 1) * 86400 - CHINA_OFFSET_S);
    if (group) sqlite3_bind_text(st, 4, group, -1, SQLITE_TRANSIENT);
    cJSON *o = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    csv_t c;
    csv_init(&c, true);
    static const char *const head_zh[] = {"日期（北京时间）", "类型", "内容编号", "标题", "播放次数", "展示秒数", "终端数"};
    static const char *const head_en[] = {"Day (China time)", "Kind", "Item", "Title", "Plays", "Seconds shown", "Kiosks"};
    for (int i = 0; i < 7; i++) csv_cell(&c, en ? head_en[i] : head_zh[i]);
    csv_row_end(&c);
    line_t cur = {.day = -1};
    long long plays = 0, shown = 0;
    int n = 0, rc;
    bool truncated = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *g = (const char *)sqlite3_column_text(st, 3);
        if (!staff_may(&s, STAFF_SEE_FLEET, g ? g : "")) continue;
        long day = (long)sqlite3_column_int64(st, 0);
        const char *kind = (const char *)sqlite3_column_text(st, 1);
        long long id = sqlite3_column_int64(st, 2);
        if (cur.day != day || cur.content_id != id || strcmp(cur.kind, kind ? kind : "") != 0) {
            if (cur.day >= 0) line_put(&cur, rows, &c, en);
            if (++n > REPORTS_MAX_ROWS) {
                truncated = true;
                cur.day = -1;
                break;
            }
            memset(&cur, 0, sizeof cur);
            cur.day = day;
            cur.content_id = id;
            snprintf(cur.kind, sizeof cur.kind, "%s", kind ? kind : "");
            const unsigned char *title = sqlite3_column_text(st, 7);
            snprintf(cur.title, sizeof cur.title, "%s", title ? (const char *)title : "");
        }
        long long np = sqlite3_column_int64(st, 4), ms = sqlite3_column_int64(st, 5);
        cur.plays += np;
        cur.shown_ms += ms;
        cur.kiosks += sqlite3_column_int64(st, 6);
        plays += np;
        shown += ms;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        cJSON_Delete(o);
        cJSON_Delete(rows);
        csv_free(&c);
        hub_error(resp, 500, "storage", "cannot read proof of play");
        return;
    }
    if (cur.day >= 0) line_put(&cur, rows, &c, en);
    char from[16], to[16];
    console_day_text(lo, from, sizeof from);
    console_day_text(hi, to, sizeof to);
    if (csv) {
        cJSON_Delete(o);
        cJSON_Delete(rows);
        char file[80];
        snprintf(file, sizeof file, "plays-%s-%s%s%s.csv", from, to, group ? "-" : "", group ? group : "");
        console_reply_csv(resp, &c, file);
        return;
    }
    csv_free(&c);
    cJSON_AddStringToObject(o, "from", from);
    cJSON_AddStringToObject(o, "to", to);
    if (group) cJSON_AddStringToObject(o, "group", group);
    else cJSON_AddNullToObject(o, "group");
    cJSON_AddItemToObject(o, "rows", rows);
    cJSON *tot = cJSON_AddObjectToObject(o, "totals");
    cJSON_AddNumberToObject(tot, "plays", (double)plays);
    cJSON_AddNumberToObject(tot, "seconds", (double)((shown + 500) / 1000));
    cJSON_AddBoolToObject(o, "truncated", truncated);
    hub_reply(resp, 200, o);
}
