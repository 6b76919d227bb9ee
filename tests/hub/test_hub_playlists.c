/* Street screen playlists in the staff console: who may write, publish and
 * withdraw them (an editor writes drafts, a publisher publishes, each only
 * for the account's kiosk groups), the strict check of every field, and the
 * day view, computed by the kiosk's own schedule engine: a window past
 * midnight on both dates it touches, weekday and date-range edges,
 * priorities, drafts on request, another district's kiosk refused; and
 * that a published playlist is in its groups' signed street bundles with
 * copies of the content it plays (what a street kiosk with a content public
 * key shows), gone again when withdrawn. `hub signer` runs beside the hub
 * (a child process that dies with the suite). Requests go through hub_handle (no socket) on a hub with its own
 * database and its clock anchored (hubtest.h); every date below is given,
 * never read from the machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "auth.h"
#include "console_publish.h"
#include "db.h"
#include "consoletest.h"
#include "hubtest.h"
#include "server.h"
#include "staff.h"

#define ADMIN_PW "correct horse battery"
#define EDITOR_PW "editor-password-1"
#define PUB_PW "publisher-pw-1"
#define VIEWER_PW "viewer-password-1"

typedef struct {
    hubtest_t *t;
    hub_t *hub;                    /* t's hub with the signer configured */
    pid_t signer;
    consoletest_sess_t boss, ed, pub, vic;
} fx_t;

static hub_resp_t call(fx_t *f, const char *method, const char *path, const char *body,
                       const consoletest_sess_t *s, bool csrf)
{
    return consoletest_call_as(f->hub, method, path, body, s, csrf);
}

static void content(long id, const char *kind, const char *title)
{
    char sql[300];
    snprintf(sql, sizeof sql, "INSERT INTO content(id, kind, category, locale, title, body, published)"
                              " VALUES(%ld, '%s', 'community', 'zh_CN', '%s', 'b', 1795000000)", id, kind, title);
    assert_int_equal(db_exec(db_thread(), sql), 0);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    f->hub = consoletest_signed_hub(f->t, &f->signer, NULL);
    consoletest_add("boss", STAFF_ADMIN, NULL, ADMIN_PW);
    consoletest_add("ed", STAFF_EDITOR, "north", EDITOR_PW);
    consoletest_add("pub", STAFF_PUBLISHER, "north", PUB_PW);
    consoletest_add("vic", STAFF_VIEWER, "south", VIEWER_PW);
    content(101, "notice", "停水通知");
    content(102, "event", "书法班");
    content(103, "playlist", "a playlist is not an item");
    f->boss = consoletest_login(f->hub, "boss", ADMIN_PW);
    f->ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    f->pub = consoletest_login(f->hub, "pub", PUB_PW);
    f->vic = consoletest_login(f->hub, "vic", VIEWER_PW);
    consoletest_kiosk_group(f->hub, &f->boss, "test-01", "north");
    consoletest_kiosk_group(f->hub, &f->boss, "test-02", "south");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hub_stop(f->hub);
    consoletest_signer_stop(f->signer);
    hubtest_stop(f->t);
    free(f);
    return 0;
}

/* A playlist body: NAME, PRIORITY, SCHEDULE (a JSON object), groups north. */
static const char *body_of(char *buf, size_t len, const char *name, int priority, const char *schedule)
{
    snprintf(buf, len, "{\"name\":\"%s\",\"priority\":%d,\"groups\":[\"north\"],\"schedule\":%s,"
                       "\"items\":[{\"content_id\":101,\"duration_s\":20},{\"content_id\":102,\"duration_s\":15}]}",
             name, priority, schedule);
    return buf;
}

/* Creates (as ed) and publishes (as pub) a playlist; its id. */
static long long published(fx_t *f, const char *name, int priority, const char *schedule)
{
    char b[1024], path[64];
    hub_resp_t r = call(f, "POST", "/console/api/playlists", body_of(b, sizeof b, name, priority, schedule), &f->ed, true);
    if (r.status != 201) fail_msg("create %s: %d %s", name, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    long long id = (long long)hubtest_at(j, "playlist.id")->valuedouble;
    cJSON_Delete(j);
    free(r.body);
    snprintf(path, sizeof path, "/console/api/playlists/%lld/publish", id);
    r = call(f, "POST", path, "{}", &f->pub, true);
    if (r.status != 200) fail_msg("publish %s: %d %s", name, r.status, r.body);
    free(r.body);
    return id;
}

/* The day view's segments as "HH:MM-HH:MM name;..." ("-" for nothing scheduled). */
static const char *segments(fx_t *f, const consoletest_sess_t *s, const char *query, char *out, size_t len)
{
    char path[200];
    snprintf(path, sizeof path, "/console/api/dayview?%s", query);
    hub_resp_t r = call(f, "GET", path, NULL, s, false);
    if (r.status != 200) fail_msg("dayview %s: %d %s", query, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body), *g;
    size_t n = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(j, "segments")) {
        const cJSON *name = cJSON_GetObjectItem(g, "name");
        n += (size_t)snprintf(out + n, len - n, "%s%s-%s %s", n ? ";" : "", cJSON_GetObjectItem(g, "from")->valuestring,
                              cJSON_GetObjectItem(g, "to")->valuestring, cJSON_IsString(name) ? name->valuestring : "-");
        assert_true(n < len);
    }
    cJSON_Delete(j);
    free(r.body);
    return out;
}

/* The names playing in hour H of the day view (",": joined; "" for none). */
static const char *hour(fx_t *f, const char *query, int h, char *out, size_t len)
{
    char path[200];
    snprintf(path, sizeof path, "/console/api/dayview?%s", query);
    hub_resp_t r = call(f, "GET", path, NULL, &f->ed, false);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body), *p;
    const cJSON *hr = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hours"), h);
    assert_int_equal((int)cJSON_GetObjectItem(hr, "hour")->valuedouble, h);
    size_t n = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(hr, "plays")) {
        const cJSON *name = cJSON_GetObjectItem(p, "name");
        n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "," : "", cJSON_IsString(name) ? name->valuestring : "-");
    }
    cJSON_Delete(j);
    free(r.body);
    return out;
}

/* "\"date\":\"YYYY-MM-DD\",\"weekday\":N" of today in China at the hub's clock. */
static void today(char *out, size_t len)
{
    time_t t = (time_t)(hub_now() + 8 * 3600);
    struct tm tm;
    char d[16];
    gmtime_r(&t, &tm);
    strftime(d, sizeof d, "%Y-%m-%d", &tm);
    snprintf(out, len, "\"date\":\"%s\",\"weekday\":%d", d, tm.tm_wday ? tm.tm_wday : 7);
}

/* ---- roles and states ------------------------------------------------------ */

static void test_roles(void **state)
{
    fx_t *f = *state;
    char b[1024];
    const char *sch = "{\"weekdays\":[1,2,3,4,5],\"windows\":[{\"from\":\"07:00\",\"to\":\"09:00\"}]}";
    body_of(b, sizeof b, "早间", 10, sch);
    consoletest_expect(call(f, "POST", "/console/api/playlists", b, &f->vic, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists", b, &f->ed, false), 403, "csrf", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists", b, NULL, false), 401, NULL, NULL);
    hub_resp_t r = call(f, "POST", "/console/api/playlists", b, &f->ed, true);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"state\":\"draft\""));
    assert_non_null(strstr(r.body, "\"author\":\"ed\""));
    free(r.body);

    /* An editor cannot publish; a publisher can, once; then it is not edited. */
    consoletest_expect(call(f, "POST", "/console/api/playlists/1/publish", "{}", &f->ed, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists/1/withdraw", "{}", &f->pub, true),
                       409, "wrong_state", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists/1/approve", "{}", &f->pub, true),
                       404, "not_found", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists/9/publish", "{}", &f->pub, true),
                       404, "not_found", NULL);
    body_of(b, sizeof b, "早间（改）", 20, sch);
    r = call(f, "POST", "/console/api/playlists/1", b, &f->ed, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"priority\":20"));
    free(r.body);
    r = call(f, "POST", "/console/api/playlists/1/publish", "{}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"published\""));
    assert_non_null(strstr(r.body, "\"published_by\":\"pub\""));
    free(r.body);
    consoletest_expect(call(f, "POST", "/console/api/playlists/1/publish", "{}", &f->pub, true),
                       409, "wrong_state", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists/1", b, &f->ed, true), 409, "wrong_state", NULL);

    /* The editor's choice of content: items, not playlists. */
    r = call(f, "GET", "/console/api/playlist-content", NULL, &f->vic, false);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "{\"id\":102,\"kind\":\"event\",\"title\":\"书法班\",\"expires\":null}"));
    assert_non_null(strstr(r.body, "\"id\":101"));
    assert_null(strstr(r.body, "\"id\":103"));
    free(r.body);

    /* The list: a viewer of another district does not see it. */
    r = call(f, "GET", "/console/api/playlists", NULL, &f->vic, false);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"playlists\":[]}");
    free(r.body);
    r = call(f, "GET", "/console/api/playlists", NULL, &f->ed, false);
    assert_non_null(strstr(r.body, "早间（改）"));
    assert_non_null(strstr(r.body, "\"windows\":[{\"from\":\"07:00\",\"to\":\"09:00\"}]"));
    free(r.body);

    /* Published: a street playlist in the content of north's kiosk, not south's. */
    hubtest_resp_t k = hubtest_req(f->t, "GET", "/v1/content?kind=playlist&category=street", f->t->token, NULL, NULL, NULL);
    assert_int_equal(k.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(k.json, "items")), 1);
    const cJSON *data = hubtest_at(cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0), "data");
    char *dt = cJSON_PrintUnformatted(data);
    assert_string_equal(dt, "{\"screen\":\"street\",\"time_zone\":\"Asia/Shanghai\",\"priority\":20,"
                            "\"items\":[{\"content_id\":101,\"duration_s\":20},{\"content_id\":102,\"duration_s\":15}],"
                            "\"schedule\":{\"weekdays\":[1,2,3,4,5],\"windows\":[{\"from\":\"07:00\",\"to\":\"09:00\"}]}}");
    free(dt);
    long long cid = (long long)hubtest_at(cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0), "id")->valuedouble;
    hubtest_free(&k);
    char path[64];
    snprintf(path, sizeof path, "/v1/content/%lld", cid);
    k = hubtest_req(f->t, "GET", path, f->t->token, NULL, NULL, NULL);
    assert_int_equal(k.status, 200);
    hubtest_free(&k);
    k = hubtest_req(f->t, "GET", path, f->t->token2, NULL, NULL, NULL);
    assert_int_equal(k.status, 404);
    hubtest_free(&k);
    k = hubtest_req(f->t, "GET", "/v1/content?kind=playlist&category=street", f->t->token2, NULL, NULL, NULL);
    assert_string_equal(k.body, "{\"items\":[]}");
    hubtest_free(&k);

    r = call(f, "POST", "/console/api/playlists/1/withdraw", "{}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"withdrawn\""));
    free(r.body);
    /* Withdrawn: gone from the kiosk's content at its next poll. */
    k = hubtest_req(f->t, "GET", path, f->t->token, NULL, NULL, NULL);
    assert_int_equal(k.status, 404);
    hubtest_free(&k);
    /* Every step is in the change log, with who did it. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'playlist 1'"
                                         " AND action IN ('playlist_create','playlist_edit','playlist_publish',"
                                         "'playlist_withdraw')", NULL, 0), 4);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'playlist 1'"
                                         " AND action = 'playlist_publish' AND staff = 'pub'", NULL, 0), 1);
}

/* ---- validation ------------------------------------------------------------- */

static void test_validation(void **state)
{
    fx_t *f = *state;
    char b[1024];
    static const struct { const char *schedule, *field; } bad[] = {
        {"[]", "schedule"},
        {"{\"days\":[1]}", "schedule.days"},
        {"{\"weekdays\":[]}", "schedule.weekdays"},
        {"{\"weekdays\":[0]}", "schedule.weekdays[0]"},
        {"{\"weekdays\":[1,8]}", "schedule.weekdays[1]"},
        {"{\"weekdays\":[2,2]}", "schedule.weekdays[1]"},
        {"{\"weekdays\":[1.5]}", "schedule.weekdays[0]"},
        {"{\"windows\":[{\"from\":\"25:00\",\"to\":\"02:00\"}]}", "schedule.windows[0].from"},
        {"{\"windows\":[{\"from\":\"24:00\",\"to\":\"02:00\"}]}", "schedule.windows[0].from"},
        {"{\"windows\":[{\"from\":\"08:00\",\"to\":\"9:00\"}]}", "schedule.windows[0].to"},
        {"{\"windows\":[{\"from\":\"08:00\",\"to\":\"09:00\"},{\"from\":\"10:00\"}]}", "schedule.windows[1]"},
        {"{\"windows\":[{\"from\":\"00:00\",\"to\":\"24:00\"}]}", "schedule.windows[0]"},
        {"{\"windows\":[{\"from\":\"08:00\",\"to\":\"08:00\"}]}", "schedule.windows[0]"},
        {"{\"from_date\":\"2026-02-29\"}", "schedule.from_date"},
        {"{\"to_date\":\"2026-12-1\"}", "schedule.to_date"},
        {"{\"from_date\":\"2026-12-10\",\"to_date\":\"2026-12-09\"}", "schedule.to_date: before"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        body_of(b, sizeof b, "x", 1, bad[i].schedule);
        consoletest_expect(call(f, "POST", "/console/api/playlists", b, &f->ed, true),
                           422, "invalid_field", bad[i].field);
    }
    static const struct { const char *body, *code, *field; } worse[] = {
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{}}", "missing_field", "items"},
        {"{\"name\":\"\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},\"items\":[]}", "invalid_field", "name"},
        {"{\"name\":\"x\",\"priority\":101,\"groups\":[\"north\"],\"schedule\":{},\"items\":[]}", "invalid_field", "priority"},
        {"{\"name\":\"x\",\"priority\":\"1\",\"groups\":[\"north\"],\"schedule\":{},\"items\":[]}", "invalid_field", "priority"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},\"items\":[]}", "invalid_field", "items"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":0}]}", "invalid_field", "items[0].duration_s"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":3601}]}", "invalid_field", "items[0].duration_s"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":5},{\"content_id\":999,\"duration_s\":5}]}",
         "invalid_field", "items[1].content_id: no content 999"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":103,\"duration_s\":5}]}", "invalid_field", "items[0].content_id: no content 103"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":5,\"extra\":1}]}", "invalid_field", "items[0]"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},\"colour\":\"red\","
         "\"items\":[{\"content_id\":101,\"duration_s\":5}]}", "invalid_field", "colour: unknown field"},
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":5}]}", "invalid_field", NULL},
        /* Another district's group: refused for this editor. */
        {"{\"name\":\"x\",\"priority\":1,\"groups\":[\"south\"],\"schedule\":{},"
         "\"items\":[{\"content_id\":101,\"duration_s\":5}]}", "forbidden", NULL},
    };
    for (size_t i = 0; i < sizeof worse / sizeof *worse; i++)
        consoletest_expect(call(f, "POST", "/console/api/playlists", worse[i].body, &f->ed, true),
               strcmp(worse[i].code, "forbidden") ? 422 : 403, worse[i].code, worse[i].field);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_playlists", NULL, 0), 0);
    /* The smallest good one: no schedule (always on), one item of the longest duration. */
    hub_resp_t r = call(f, "POST", "/console/api/playlists", "{\"name\":\"x\",\"priority\":0,\"groups\":[\"north\"],"
                        "\"schedule\":{},\"items\":[{\"content_id\":102,\"duration_s\":3600}]}", &f->ed, true);
    assert_int_equal(r.status, 201);
    free(r.body);
}

/* ---- the day view ----------------------------------------------------------- */

static void test_past_midnight(void **state)
{
    fx_t *f = *state;
    char s[512];
    /* Fridays 22:00 to 02:00; 2026-12-11 is a Friday. */
    published(f, "夜间", 30, "{\"weekdays\":[5],\"windows\":[{\"from\":\"22:00\",\"to\":\"02:00\"}]}");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-11", s, sizeof s), "00:00-22:00 -;22:00-24:00 夜间");
    /* The window belongs to Friday: on Saturday it is the first two hours. */
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-12", s, sizeof s), "00:00-02:00 夜间;02:00-24:00 -");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-10", s, sizeof s), "00:00-24:00 -");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-13", s, sizeof s), "00:00-24:00 -");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-11", 22, s, sizeof s), "夜间");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-11", 23, s, sizeof s), "夜间");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-11", 21, s, sizeof s), "-");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-12", 0, s, sizeof s), "夜间");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-12", 1, s, sizeof s), "夜间");
    assert_string_equal(hour(f, "kiosk=test-01&date=2026-12-12", 2, s, sizeof s), "-");

    /* A window ending within an hour: the hour holds both parts, with the exact times. */
    published(f, "早高峰", 40, "{\"windows\":[{\"from\":\"07:15\",\"to\":\"08:40\"}],"
                            "\"from_date\":\"2026-12-12\",\"to_date\":\"2026-12-12\"}");
    hub_resp_t r = call(f, "GET", "/console/api/dayview?kiosk=test-01&date=2026-12-12", NULL, &f->ed, false);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    char *h8 = cJSON_PrintUnformatted(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "hours"), 8));
    /* Content 101-103 are the suite's own: the second playlist published is content 105. */
    assert_string_equal(h8, "{\"hour\":8,\"plays\":[{\"from\":\"08:00\",\"to\":\"08:40\",\"playlist_id\":105,"
                            "\"console_id\":2,\"name\":\"早高峰\"},"
                            "{\"from\":\"08:40\",\"to\":\"09:00\",\"playlist_id\":null,\"console_id\":null,\"name\":null}]}");
    free(h8);
    assert_int_equal((int)hubtest_at(j, "weekday")->valuedouble, 6);
    assert_string_equal(hubtest_at(j, "group")->valuestring, "north");
    /* Each playlist playing that day, with its items' titles. */
    assert_non_null(strstr(r.body, "\"title\":\"停水通知\""));
    cJSON_Delete(j);
    free(r.body);
}

static void test_edges(void **state)
{
    fx_t *f = *state;
    char s[512];
    /* A one-day range with a window past midnight: it plays into the next
     * day (its window started in range), and not in the early hours of its
     * first day (that window started the day before, out of range). */
    published(f, "一天", 10, "{\"windows\":[{\"from\":\"23:00\",\"to\":\"01:30\"}],"
                            "\"from_date\":\"2026-12-15\",\"to_date\":\"2026-12-15\"}");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-15", s, sizeof s), "00:00-23:00 -;23:00-24:00 一天");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-16", s, sizeof s), "00:00-01:30 一天;01:30-24:00 -");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-14", s, sizeof s), "00:00-24:00 -");
    /* Weekends all day, at a lower priority; the higher one cuts in. */
    published(f, "周末", 5, "{\"weekdays\":[6,7]}");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-19", s, sizeof s), "00:00-24:00 周末");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-18", s, sizeof s), "00:00-24:00 -");
    /* Sunday 2026-12-20 ends with the weekend; the week starts at Monday's midnight. */
    published(f, "周日晚", 50, "{\"weekdays\":[7],\"windows\":[{\"from\":\"20:00\",\"to\":\"00:30\"}]}");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-20", s, sizeof s),
                        "00:00-20:00 周末;20:00-24:00 周日晚");
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-21", s, sizeof s), "00:00-00:30 周日晚;00:30-24:00 -");
    /* A draft is shown only on request, and for the group as well as the kiosk. */
    char b[1024];
    hub_resp_t r = call(f, "POST", "/console/api/playlists",
                        body_of(b, sizeof b, "草稿", 90, "{\"windows\":[{\"from\":\"12:00\",\"to\":\"13:00\"}]}"), &f->ed, true);
    assert_int_equal(r.status, 201);
    free(r.body);
    assert_string_equal(segments(f, &f->ed, "group=north&date=2026-12-18", s, sizeof s), "00:00-24:00 -");
    assert_string_equal(segments(f, &f->ed, "group=north&date=2026-12-18&drafts=1", s, sizeof s),
                        "00:00-12:00 -;12:00-13:00 草稿;13:00-24:00 -");
    /* No date: today in China at the hub's clock (anchored by the suite:
     * HUBTEST_NOW or $HUB_TEST_NOW, which may be a minute before midnight). */
    char before[64], after[64];
    today(before, sizeof before);
    r = call(f, "GET", "/console/api/dayview?kiosk=test-01", NULL, &f->ed, false);
    today(after, sizeof after);
    assert_int_equal(r.status, 200);
    if (!strstr(r.body, before) && !strstr(r.body, after)) fail_msg("not %s nor %s: %.80s", before, after, r.body);
    free(r.body);
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=test-01&date=2026-13-01", NULL, &f->ed, false), 422,
           "invalid_field", "date");
    consoletest_expect(call(f, "GET", "/console/api/dayview?date=2026-12-01", NULL, &f->ed, false),
                       422, "invalid_field", "kiosk or group");
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=test-01&group=north", NULL, &f->ed, false),
                       422, "invalid_field", NULL);
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=test-01&drafts=yes", NULL, &f->ed, false),
                       422, "invalid_field", "drafts");
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=test-01", NULL, NULL, false), 401, NULL, NULL);
}

static void test_scoped(void **state)
{
    fx_t *f = *state;
    char s[512];
    published(f, "北区", 10, "{}");
    /* Another district's kiosk is answered as one that does not exist; its group is refused. */
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=test-02&date=2026-12-11", NULL, &f->ed, false),
                       404, "not_found", NULL);
    consoletest_expect(call(f, "GET", "/console/api/dayview?kiosk=nope&date=2026-12-11", NULL, &f->ed, false),
                       404, "not_found", NULL);
    consoletest_expect(call(f, "GET", "/console/api/dayview?group=south&date=2026-12-11", NULL, &f->ed, false),
                       403, "forbidden", NULL);
    consoletest_expect(call(f, "GET", "/console/api/dayview?group=a,b", NULL, &f->boss, false),
                       422, "invalid_field", "group");
    /* South's kiosk plays nothing of north's; north's plays it all day. */
    assert_string_equal(segments(f, &f->vic, "kiosk=test-02&date=2026-12-11", s, sizeof s), "00:00-24:00 -");
    /* A street playlist of the hub's content for every kiosk (kioskctl's, no
     * groups) plays on both; north's wins there by priority. One expired, or
     * with a schedule the kiosk cannot read, plays nowhere. */
    assert_int_equal(db_exec(db_thread(), "INSERT INTO content(id, kind, category, locale, title, body, published, data)"
        " VALUES(120, 'playlist', 'street', 'zh_CN', '全区', '', 1795000000, '{\"screen\":\"street\",\"priority\":5,"
        "\"items\":[{\"content_id\":101,\"duration_s\":10}],\"schedule\":{\"windows\":[{\"from\":\"18:00\",\"to\":\"01:00\"}]}}'),"
        " (121, 'playlist', 'street', 'zh_CN', '过期', '', 1795000000, '{\"screen\":\"street\",\"priority\":99,"
        "\"items\":[{\"content_id\":101,\"duration_s\":10}]}')"), 0);
    assert_int_equal(db_exec(db_thread(), "UPDATE content SET expires = 1795000001 WHERE id = 121"), 0);
    assert_string_equal(segments(f, &f->vic, "kiosk=test-02&date=2026-12-11", s, sizeof s),
                        "00:00-01:00 全区;01:00-18:00 -;18:00-24:00 全区");
    assert_string_equal(segments(f, &f->boss, "kiosk=test-01&date=2026-12-11", s, sizeof s), "00:00-24:00 北区");
    assert_int_equal(db_exec(db_thread(), "UPDATE content SET data = json_set(data, '$.schedule', json('{\"windows\":[{\"from\":\"8:00\",\"to\":\"9:00\"}]}'))"
                                          " WHERE id = 120"), 0);
    assert_string_equal(segments(f, &f->vic, "kiosk=test-02&date=2026-12-11", s, sizeof s), "00:00-24:00 -");
    assert_string_equal(segments(f, &f->boss, "kiosk=test-01&date=2026-12-11", s, sizeof s), "00:00-24:00 北区");
    /* A south viewer neither sees nor withdraws north's playlist; a south publisher cannot publish it. */
    consoletest_add("spub", STAFF_PUBLISHER, "south", "publisher-pw-2");
    consoletest_sess_t spub = consoletest_login(f->hub, "spub", "publisher-pw-2");
    consoletest_expect(call(f, "POST", "/console/api/playlists/1/withdraw", "{}", &spub, true), 403, "forbidden", NULL);
    char b[1024];
    hub_resp_t r = call(f, "POST", "/console/api/playlists", body_of(b, sizeof b, "n", 1, "{}"), &f->ed, true);
    free(r.body);
    consoletest_expect(call(f, "POST", "/console/api/playlists/2/publish", "{}", &spub, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/playlists/2", b, &spub, true), 403, "forbidden", NULL);
}

/* A screen keeps the first 8 playlists its content lists (newest first):
 * the 9th, even with the highest priority, plays nowhere, and the day view
 * says so rather than showing it. */
/* ---- the signed street bundle -------------------------------------------- */

/* The bundle device TOKEN gets in MODE for GROUP: its version (0: none) and
 * its manifest, parsed, in *M (the caller deletes it); the signature is
 * checked against the hub's content key. */
static long long bundle_for(fx_t *f, const char *token, const char *mode, const char *group, cJSON **m)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/content/bundle?mode=%s&group=%s", mode, group);
    hubtest_resp_t r = hubtest_req(f->t, "GET", path, token, NULL, NULL, NULL);
    long long v = 0;
    *m = NULL;
    if (r.status == 200) {
        const char *text = cJSON_GetObjectItem(r.json, "manifest")->valuestring;
        const char *sig = cJSON_GetObjectItem(r.json, "signature")->valuestring;
        unsigned char sb[64], pk[32];
        assert_int_equal(sodium_hex2bin(sb, sizeof sb, sig, strlen(sig), NULL, NULL, NULL), 0);
        assert_int_equal(sodium_hex2bin(pk, sizeof pk, f->t->content_pk, 64, NULL, NULL, NULL), 0);
        assert_int_equal(crypto_sign_verify_detached(sb, (const unsigned char *)text, strlen(text), pk), 0);
        v = (long long)cJSON_GetObjectItem(r.json, "version")->valuedouble;
        *m = cJSON_Parse(text);
    }
    hubtest_free(&r);
    return v;
}

/* Item ID of manifest M, or NULL. */
static const cJSON *item(const cJSON *m, long long id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(m, "items"))
        if ((long long)cJSON_GetObjectItem(it, "id")->valuedouble == id) return it;
    return NULL;
}

/* Creates (as ed, groups GROUPS, ITEMS) and publishes (as boss) a playlist; its id. */
static long long published_with(fx_t *f, const char *name, const char *groups, const char *items)
{
    char b[1024], path[64];
    snprintf(b, sizeof b, "{\"name\":\"%s\",\"priority\":60,\"groups\":%s,\"schedule\":{},\"items\":%s}",
             name, groups, items);
    hub_resp_t r = call(f, "POST", "/console/api/playlists", b, &f->boss, true);
    if (r.status != 201) fail_msg("create %s: %d %s", name, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    long long id = (long long)hubtest_at(j, "playlist.id")->valuedouble;
    cJSON_Delete(j);
    free(r.body);
    snprintf(path, sizeof path, "/console/api/playlists/%lld/publish", id);
    r = call(f, "POST", path, "{}", &f->boss, true);
    if (r.status != 200) fail_msg("publish %s: %d %s", name, r.status, r.body);
    free(r.body);
    return id;
}

static void withdraw(fx_t *f, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/console/api/playlists/%lld/withdraw", id);
    hub_resp_t r = call(f, "POST", path, "{}", &f->boss, true);
    if (r.status != 200) fail_msg("withdraw %lld: %d %s", id, r.status, r.body);
    free(r.body);
}

static void test_signed_bundle(void **state)
{
    fx_t *f = *state;
    char staff[AUTH_TOKEN_MAX], m[1024];
    cJSON *b = NULL;
    /* The content every kiosk has: one notice, published with kioskctl's route. */
    assert_int_equal(auth_staff_add(db_thread(), "tool", staff, sizeof staff), 0);
    long long now = hub_now();
    snprintf(m, sizeof m, "{\"format\":1,\"version\":5,\"created\":%lld,\"expires\":%lld,"
             "\"target\":{\"mode\":\"any\",\"groups\":[],\"kiosks\":[]},"
             "\"items\":[{\"id\":1,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"zh_CN\","
             "\"title\":\"base\",\"body\":\"b\",\"published\":%lld}],\"assets\":[]}", now, now + 30 * 86400, now);
    char *body = hubtest_bundle_body(f->t, m);
    hubtest_resp_t hr = hubtest_req(f->t, "POST", "/v1/admin/content/bundles", staff, "base-1", body, NULL);
    assert_int_equal(hr.status, 201);
    hubtest_free(&hr);
    free(body);

    long long p1 = published_with(f, "p1", "[\"north\"]",
                                  "[{\"content_id\":101,\"duration_s\":20},{\"content_id\":102,\"duration_s\":15}]");
    /* North's street screens: the base, the playlist and copies of what it plays. */
    assert_int_equal(bundle_for(f, f->t->token, "street", "north", &b), 6);
    assert_non_null(item(b, 1));
    const cJSON *pl = item(b, CONSOLE_PLAYLIST_ID_BASE + p1);
    assert_non_null(pl);
    assert_string_equal(cJSON_GetObjectItem(pl, "kind")->valuestring, "playlist");
    assert_string_equal(cJSON_GetObjectItem(pl, "category")->valuestring, "street");
    assert_int_equal((int)cJSON_GetObjectItem(pl, "priority")->valuedouble, 60);
    assert_string_equal(hubtest_at(pl, "data.screen")->valuestring, "street");
    /* The console's "every day, all day" ({}) in the form a kiosk's manifest
     * check takes: weekdays and windows given, no 24:00. */
    assert_int_equal(cJSON_GetArraySize(hubtest_at(pl, "data.schedule.weekdays")), 7);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(pl, "data.schedule.windows")), 2);
    assert_string_equal(cJSON_GetArrayItem(hubtest_at(pl, "data.schedule.windows"), 1)->child->next->valuestring, "00:00");
    const cJSON *pi = hubtest_at(pl, "data.items");
    assert_int_equal(cJSON_GetArraySize(pi), 2);
    assert_true((long long)hubtest_at(cJSON_GetArrayItem(pi, 0), "content_id")->valuedouble == CONSOLE_COPY_ID_BASE + 101);
    assert_int_equal((int)hubtest_at(cJSON_GetArrayItem(pi, 1), "duration_s")->valuedouble, 15);
    const cJSON *c1 = item(b, CONSOLE_COPY_ID_BASE + 101), *c2 = item(b, CONSOLE_COPY_ID_BASE + 102);
    assert_non_null(c1);
    assert_non_null(c2);
    assert_string_equal(cJSON_GetObjectItem(c1, "title")->valuestring, "停水通知");
    assert_string_equal(cJSON_GetObjectItem(c2, "kind")->valuestring, "event");
    assert_string_equal(hubtest_at(b, "target.mode")->valuestring, "street");
    assert_string_equal(cJSON_GetArrayItem(hubtest_at(b, "target.groups"), 0)->valuestring, "north");
    cJSON_Delete(b);
    /* Hall screens and another group keep the bundle they had. */
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", &b), 5);
    cJSON_Delete(b);
    assert_int_equal(bundle_for(f, f->t->token2, "street", "south", &b), 5);
    cJSON_Delete(b);
    /* Kiosks without a key still get it from the content list. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content c JOIN console_playlists p ON p.content_id = c.id",
                            NULL, -1), 1);

    /* A second playlist for both groups playing 101 only: both bundles. */
    long long p2 = published_with(f, "p2", "[\"north\",\"south\"]", "[{\"content_id\":101,\"duration_s\":30}]");
    assert_int_equal(bundle_for(f, f->t->token2, "street", "south", &b), 8);
    assert_non_null(item(b, CONSOLE_PLAYLIST_ID_BASE + p2));
    assert_non_null(item(b, CONSOLE_COPY_ID_BASE + 101));
    assert_null(item(b, CONSOLE_PLAYLIST_ID_BASE + p1));
    assert_null(item(b, CONSOLE_COPY_ID_BASE + 102));
    cJSON_Delete(b);

    /* Withdrawn: p1 and the copy only it played go; 101 stays for p2. */
    withdraw(f, p1);
    assert_int_equal(bundle_for(f, f->t->token, "street", "north", &b), 9);
    assert_null(item(b, CONSOLE_PLAYLIST_ID_BASE + p1));
    assert_null(item(b, CONSOLE_COPY_ID_BASE + 102));
    assert_non_null(item(b, CONSOLE_COPY_ID_BASE + 101));
    assert_non_null(item(b, CONSOLE_PLAYLIST_ID_BASE + p2));
    assert_non_null(item(b, 1));
    cJSON_Delete(b);
    assert_int_equal(bundle_for(f, f->t->token2, "street", "south", &b), 8);   /* untouched */
    cJSON_Delete(b);
    withdraw(f, p2);
    assert_int_equal(bundle_for(f, f->t->token, "street", "north", &b), 10);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "items")), 1);
    cJSON_Delete(b);
    assert_int_equal(bundle_for(f, f->t->token2, "street", "south", &b), 11);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "items")), 1);
    cJSON_Delete(b);

    /* Content a kiosk would refuse in a bundle (a notice of category alert)
     * refuses the publishing: nothing signed, the draft stays a draft. */
    assert_int_equal(db_exec(db_thread(), "INSERT INTO content(id, kind, category, locale, title, body, published)"
                                          " VALUES(900, 'notice', 'alert', 'zh_CN', 'old alert', 'b', 1795000000)"), 0);
    snprintf(m, sizeof m, "{\"name\":\"bad\",\"priority\":1,\"groups\":[\"north\"],\"schedule\":{},"
             "\"items\":[{\"content_id\":900,\"duration_s\":5}]}");
    hub_resp_t r = call(f, "POST", "/console/api/playlists", m, &f->boss, true);
    assert_int_equal(r.status, 201);
    cJSON *j = cJSON_Parse(r.body);
    long long bad = (long long)hubtest_at(j, "playlist.id")->valuedouble;
    cJSON_Delete(j);
    free(r.body);
    char path[64];
    snprintf(path, sizeof path, "/console/api/playlists/%lld/publish", bad);
    consoletest_expect(call(f, "POST", path, "{}", &f->boss, true), 422, "invalid_manifest", "community or government");
    assert_int_equal(db_int(db_thread(), "SELECT max(version) FROM content_bundles", NULL, 0), 11);
    char st_text[16] = "";
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), "SELECT state FROM console_playlists WHERE id = ?", -1, &st, NULL), 0);
    sqlite3_bind_int64(st, 1, bad);
    if (sqlite3_step(st) == SQLITE_ROW) snprintf(st_text, sizeof st_text, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_string_equal(st_text, "draft");
}

static void test_cap(void **state)
{
    fx_t *f = *state;
    char s[512], name[16];
    published(f, "oldest", 99, "{}");
    for (int i = 1; i <= 8; i++) {
        snprintf(name, sizeof name, "p%d", i);
        published(f, name, i, "{}");
    }
    assert_string_equal(segments(f, &f->ed, "kiosk=test-01&date=2026-12-11", s, sizeof s), "00:00-24:00 p8");
    hub_resp_t r = call(f, "GET", "/console/api/dayview?kiosk=test-01&date=2026-12-11", NULL, &f->ed, false);
    assert_non_null(strstr(r.body, "\"left_out\":1,\"unreadable\":0"));
    assert_null(strstr(r.body, "oldest"));
    free(r.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_roles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_past_midnight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_bundle, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
