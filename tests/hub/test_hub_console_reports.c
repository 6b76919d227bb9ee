/* The console's event registrations and proof-of-play reports: names and
 * phones masked in the list and its CSV, a reveal only for a publisher of
 * the event's groups, with the CSRF token, logged without the value and
 * limited per hour; events and kiosks of other groups out of sight; plays
 * summed per China-time day across the UTC and China midnights; ranges
 * bounded; the CSV writer's quoting, BOM and defused formula cells.
 * Dates follow the hub's clock (HUBTEST_NOW or $HUB_TEST_NOW), never the
 * machine's. Requests go through hub_handle on a hub with its own database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "console_registrations.h"
#include "console_reports.h"
#include "csv.h"
#include "db.h"
#include "consoletest.h"
#include "hubtest.h"
#include "server.h"
#include "staff.h"

#define PW "reports-password-1"

typedef struct {
    hubtest_t *t;
    long long reg[3];              /* registrations: 王小明 and "=1+2" (event 1, north), 李四 (event 2, south) */
} fx_t;

static void add(const char *name, staff_role_t role, const char *groups)
{
    consoletest_add(name, role, groups, PW);
}

static void sql(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (db_exec(db_thread(), buf) != 0) fail_msg("sql: %s", buf);
}

static long long sql_int(const char *q)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db_thread(), q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Registers NAME and PHONE for EVENT at the kiosk with TOKEN, through the kiosk API. */
static long long kiosk_register(hubtest_t *t, const char *token, int event, const char *name, const char *phone)
{
    char path[64], body[160], key[48];
    static int n;
    snprintf(path, sizeof path, "/v1/events/%d/registrations", event);
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"phone\":\"%s\"}", name, phone);
    snprintf(key, sizeof key, "reg-%d-%d", event, ++n);
    hubtest_resp_t r = hubtest_req(t, "POST", path, token, key, body, NULL);
    if (r.status != 201) fail_msg("register %s: %d %s", name, r.status, r.body);
    hubtest_free(&r);
    return sql_int("SELECT max(id) FROM event_registrations");
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    add("boss", STAFF_ADMIN, NULL);
    add("pubn", STAFF_PUBLISHER, "north");
    add("vicn", STAFF_VIEWER, "north");
    sql("UPDATE devices SET kiosk_group = 'north' WHERE id = 'test-01'");
    sql("UPDATE devices SET kiosk_group = 'south' WHERE id = 'test-02'");
    long long now = hub_now();
    static const struct { int id; const char *title, *groups; } ev[] = {
        {1, "北区健康讲座", "'[\"north\"]'"}, {2, "南区书法班", "'[\"south\"]'"},
        {3, "全区运动会", "NULL"}, {4, "南北联谊会", "'[\"north\",\"south\"]'"},
    };
    for (int i = 0; i < 4; i++)
        sql("INSERT INTO content(id, kind, category, locale, title, body, published, places, starts, kiosk_groups)"
            " VALUES(%d, 'event', 'community', 'zh_CN', '%s', 'x', %lld, 30, %lld, %s)",
            ev[i].id, ev[i].title, now - 3600, now + 7 * 86400 + i, ev[i].groups);
    f->reg[0] = kiosk_register(f->t, f->t->token, 1, "王小明", "13812345678");
    f->reg[1] = kiosk_register(f->t, f->t->token, 1, "=1+2", "13900001111");
    f->reg[2] = kiosk_register(f->t, f->t->token2, 2, "李四", "13700002222");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hubtest_stop(f->t);
    free(f);
    return 0;
}

static hub_resp_t call(fx_t *f, const char *method, const char *path, const char *body, const char *h1,
                       const char *h2)
{
    return consoletest_call(f->t->hub, method, path, body, h1, h2, NULL);
}

static consoletest_sess_t login(fx_t *f, const char *name)
{
    return consoletest_login(f->t->hub, name, PW);
}

static hub_resp_t get(fx_t *f, const consoletest_sess_t *s, const char *path)
{
    return call(f, "GET", path, NULL, s->cookie, NULL);
}

/* The ids of the events answered, as "1,4". */
static void event_ids(const hub_resp_t *r, char *out, size_t len)
{
    cJSON *j = cJSON_Parse(r->body), *e;
    out[0] = '\0';
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "events")) {
        size_t n = strlen(out);
        snprintf(out + n, len - n, "%s%d", n ? "," : "", cJSON_GetObjectItem(e, "id")->valueint);
    }
    cJSON_Delete(j);
}

/* ---- the CSV writer ------------------------------------------------------- */

static void test_csv_writer(void **state)
{
    (void)state;
    csv_t c;
    csv_init(&c, true);
    csv_cell(&c, "plain");
    csv_cell(&c, "a,b");
    csv_cell(&c, "say \"hi\"");
    csv_cell(&c, "two\nlines");
    csv_cell(&c, NULL);
    csv_int(&c, -42);
    csv_row_end(&c);
    static const char *const formula[] = {"=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"};
    for (int i = 0; i < 6; i++) csv_cell(&c, formula[i]);
    csv_cell(&c, "a=b");
    csv_cell(&c, "王*明");
    csv_row_end(&c);
    size_t len;
    char *s = csv_take(&c, &len);
    assert_non_null(s);
    const char *want = "\xEF\xBB\xBF" "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,-42\r\n"
                       "'=SUM(A1),'+1,'-1,'@cmd,'\tx,\"'\rx\",a=b,王*明\r\n";
    assert_string_equal(s, want);
    assert_int_equal(len, strlen(want));
    free(s);
    assert_true(csv_formula_like("=x"));
    assert_false(csv_formula_like(""));
    assert_false(csv_formula_like(NULL));
    /* Without a BOM, and an empty writer. */
    csv_init(&c, false);
    s = csv_take(&c, &len);
    assert_non_null(s);
    assert_int_equal(len, 0);
    assert_string_equal(s, "");
    free(s);
    csv_free(&c);
}

/* ---- events and registrations -------------------------------------------- */

static void test_events_scoped(void **state)
{
    fx_t *f = *state;
    char ids[64];
    consoletest_sess_t v = login(f, "vicn"), b = login(f, "boss");
    hub_resp_t r = get(f, &v, "/console/api/events");
    assert_int_equal(r.status, 200);
    event_ids(&r, ids, sizeof ids);
    /* North's own event only: not south's, not one for every kiosk, not one shared with south. */
    assert_string_equal(ids, "1");
    cJSON *j = cJSON_Parse(r.body);
    cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "events"), 0);
    assert_int_equal(cJSON_GetObjectItem(e, "registered")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(e, "listed")->valueint, 2);
    assert_int_equal(cJSON_GetObjectItem(e, "places")->valueint, 30);
    assert_string_equal(cJSON_GetObjectItem(e, "title")->valuestring, "北区健康讲座");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(e, "may_reveal")));
    cJSON_Delete(j);
    free(r.body);
    r = get(f, &b, "/console/api/events");
    event_ids(&r, ids, sizeof ids);
    assert_string_equal(ids, "4,3,2,1");   /* latest start first */
    free(r.body);
    /* Many later events of another district do not push north's own off the page. */
    sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)"
        " INSERT INTO content(id, kind, category, locale, title, body, published, places, starts, kiosk_groups)"
        " SELECT 1000 + i, 'lecture', 'health', 'zh_CN', 'south ' || i, 'x', 0, 10, %lld + i, '[\"south\"]' FROM n",
        (long long)hub_now() + 30 * 86400);
    r = get(f, &v, "/console/api/events");
    event_ids(&r, ids, sizeof ids);
    assert_string_equal(ids, "1");
    free(r.body);
    /* Not signed in. */
    r = call(f, "GET", "/console/api/events", NULL, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
}

static void test_registrations_masked(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t v = login(f, "vicn"), b = login(f, "boss");
    hub_resp_t r = get(f, &v, "/console/api/events/1/registrations");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, "小"));
    cJSON *j = cJSON_Parse(r.body), *regs = cJSON_GetObjectItem(j, "registrations");
    assert_int_equal(cJSON_GetArraySize(regs), 2);
    cJSON *a = cJSON_GetArrayItem(regs, 0);
    assert_string_equal(cJSON_GetObjectItem(a, "name")->valuestring, "王*明");
    assert_string_equal(cJSON_GetObjectItem(a, "phone")->valuestring, "138****5678");
    assert_string_equal(cJSON_GetObjectItem(a, "kiosk")->valuestring, "test-01");
    assert_int_equal((long long)cJSON_GetObjectItem(a, "id")->valuedouble, f->reg[0]);
    long long created = (long long)cJSON_GetObjectItem(a, "created")->valuedouble;
    assert_true(created > hub_now() - 30 && created <= hub_now());
    assert_string_equal(hubtest_at(j, "event.title")->valuestring, "北区健康讲座");
    cJSON_Delete(j);
    free(r.body);
    /* Another group's event, one for every kiosk, an unknown one, a bad id: all "no such event". */
    static const char *const hidden[] = {"2", "3", "4", "99", "0", "x1"};
    for (int i = 0; i < 6; i++) {
        char path[80];
        snprintf(path, sizeof path, "/console/api/events/%s/registrations", hidden[i]);
        r = get(f, &v, path);
        consoletest_assert_error(r, 404, "unknown_event");
        free(r.body);
    }
    r = get(f, &b, "/console/api/events/2/registrations");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "李*"));
    assert_non_null(strstr(r.body, "137****2222"));
    free(r.body);
    /* The sealed columns hold no clear text. */
    assert_int_equal(sql_int("SELECT count(*) FROM event_registrations WHERE name LIKE '%小明%'"
                             " OR phone LIKE '%12345678%'"), 0);
}

static void test_registrations_csv(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t v = login(f, "vicn");
    hub_resp_t r = get(f, &v, "/console/api/events/1/registrations?format=csv&lang=en");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    assert_string_equal(r.disposition, "attachment; filename=\"registrations-event-1.csv\"");
    assert_memory_equal(r.body, "\xEF\xBB\xBF" "No.,Name,Phone,", 18);
    char line[160], when[24], q[96];
    /* The hub's clock runs on during the test: the time as stored. */
    snprintf(q, sizeof q, "SELECT created FROM event_registrations WHERE id = %lld", f->reg[0]);
    console_time_text(sql_int(q), when, sizeof when);
    snprintf(line, sizeof line, "\r\n1,王*明,138****5678,%s,test-01\r\n", when);
    assert_non_null(strstr(r.body, line));
    /* A name that reads as a formula stays text. */
    snprintf(q, sizeof q, "SELECT created FROM event_registrations WHERE id = %lld", f->reg[1]);
    console_time_text(sql_int(q), when, sizeof when);
    snprintf(line, sizeof line, "\r\n2,'=**2,139****1111,%s,test-01\r\n", when);
    assert_non_null(strstr(r.body, line));
    assert_null(strstr(r.body, "13812345678"));
    free(r.body);
    assert_int_equal(sql_int("SELECT count(*) FROM console_changes WHERE action = 'registrations_export'"
                             " AND staff = 'vicn' AND target = 'event 1'"), 1);
    r = get(f, &v, "/console/api/events/1/registrations?format=xml");
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = get(f, &v, "/console/api/events/2/registrations?format=csv");
    consoletest_assert_error(r, 404, "unknown_event");
    assert_string_equal(r.disposition, "");
    free(r.body);
}

static hub_resp_t reveal(fx_t *f, const consoletest_sess_t *s, int event, long long rid, bool csrf)
{
    char path[96];
    snprintf(path, sizeof path, "/console/api/events/%d/registrations/%lld/reveal", event, rid);
    return call(f, "POST", path, "{}", s->cookie, csrf ? s->csrf : NULL);
}

static void test_reveal_audited(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t v = login(f, "vicn"), p = login(f, "pubn");
    /* A viewer may not; without the CSRF token nobody may. */
    hub_resp_t r = reveal(f, &v, 1, f->reg[0], true);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = reveal(f, &p, 1, f->reg[0], false);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    assert_int_equal(sql_int("SELECT count(*) FROM console_changes WHERE action = 'registration_reveal'"), 0);
    /* Another group's event, or a registration of another event under this one: not found. */
    r = reveal(f, &p, 2, f->reg[2], true);
    consoletest_assert_error(r, 404, "unknown_event");
    free(r.body);
    r = reveal(f, &p, 1, f->reg[2], true);
    consoletest_assert_error(r, 404, "unknown_registration");
    free(r.body);
    r = reveal(f, &p, 1, f->reg[0], true);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    assert_string_equal(hubtest_at(j, "registration.name")->valuestring, "王小明");
    assert_string_equal(hubtest_at(j, "registration.phone")->valuestring, "13812345678");
    assert_int_equal(hubtest_at(j, "registration.left")->valueint, REG_REVEALS_PER_HOUR - 1);
    cJSON_Delete(j);
    free(r.body);
    /* On the record: who, when, which registration; never the name or the number. */
    char q[256];
    snprintf(q, sizeof q, "SELECT count(*) FROM console_changes WHERE action = 'registration_reveal'"
             " AND staff = 'pubn' AND time BETWEEN %lld AND %lld AND target = 'event 1 registration %lld'",
             (long long)hub_now() - 30, (long long)hub_now(), f->reg[0]);
    assert_int_equal(sql_int(q), 1);
    assert_int_equal(sql_int("SELECT count(*) FROM console_changes WHERE coalesce(target, '') || coalesce(before, '')"
                             " || coalesce(after, '') LIKE '%12345678%' OR coalesce(target, '') || coalesce(after, '')"
                             " LIKE '%小明%'"), 0);
    /* An admin sees the change log entry through the API too. */
    consoletest_sess_t b = login(f, "boss");
    r = get(f, &b, "/console/api/changes");
    assert_non_null(strstr(r.body, "registration_reveal"));
    assert_null(strstr(r.body, "13812345678"));
    free(r.body);
    /* The page shows who may reveal. */
    r = get(f, &p, "/console/api/events");
    assert_non_null(strstr(r.body, "\"may_reveal\":true"));
    free(r.body);
}

static void test_reveal_limited(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t p = login(f, "pubn");
    for (int i = 0; i < REG_REVEALS_PER_HOUR; i++) {
        hub_time_shift(60);
        hub_resp_t r = reveal(f, &p, 1, f->reg[i % 2], true);
        assert_int_equal(r.status, 200);
        free(r.body);
    }
    hub_resp_t r = reveal(f, &p, 1, f->reg[0], true);
    consoletest_assert_error(r, 429, "rate_limited");
    /* The first of the hour was 19 minutes ago: 41 minutes to wait (less
     * the seconds the test itself took). */
    int wait = 3600 - (REG_REVEALS_PER_HOUR - 1) * 60 + 1;
    assert_in_range(r.retry_after, wait - 30, wait);
    assert_null(strstr(r.body, "1381234"));
    free(r.body);
    assert_int_equal(sql_int("SELECT count(*) FROM console_changes WHERE action = 'registration_reveal'"),
                     REG_REVEALS_PER_HOUR);
    /* The limit is the account's, not the session's. */
    consoletest_sess_t p2 = login(f, "pubn");
    r = reveal(f, &p2, 1, f->reg[0], true);
    consoletest_assert_error(r, 429, "rate_limited");
    free(r.body);
    hub_time_shift(wait);
    p2 = login(f, "pubn");
    r = reveal(f, &p2, 1, f->reg[0], true);
    assert_int_equal(r.status, 200);
    free(r.body);
}

/* ---- proof of play ---------------------------------------------------------- */

/* DAY (days since 1970) as YYYY-MM-DD, computed apart from the module's own. */
static void day_text(long long unix_midnight_cst, char *out, size_t len)
{
    time_t t = (time_t)(unix_midnight_cst + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%d", &tm);
}

static void play(const char *device, int content, const char *kind, long long started, int ms)
{
    sql("INSERT INTO proof_of_play(device, content_id, playlist_id, kind, started, shown_ms, received)"
        " VALUES('%s', %d, 1, '%s', %lld, %d, %lld)", device, content, kind, started, ms, (long long)hub_now());
}

typedef struct {
    long long mid;                 /* today's midnight, China time (unix) */
    char today[16], yday[16], tomorrow[16];
} days_t;

static days_t plays_fixture(void)
{
    days_t d;
    long long now = hub_now();
    d.mid = ((now + 8 * 3600) / 86400) * 86400 - 8 * 3600;
    day_text(d.mid, d.today, sizeof d.today);
    day_text(d.mid - 86400, d.yday, sizeof d.yday);
    day_text(d.mid + 86400, d.tomorrow, sizeof d.tomorrow);
    sql("INSERT INTO content(id, kind, category, locale, title, body, published)"
        " VALUES(11, 'notice', 'community', 'zh_CN', '=HYPERLINK(\"x\")', 'b', 0),"
        " (12, 'notice', 'alert', 'zh_CN', '停水通知, \"急\"', 'b', 0)");
    /* North's kiosk: the last second of yesterday (China), China midnight,
     * the last second before UTC midnight and UTC midnight (both today in China). */
    play("test-01", 11, "item", d.mid - 1, 10000);
    play("test-01", 11, "item", d.mid, 10000);
    play("test-01", 11, "item", d.mid + 8 * 3600 - 1, 5000);
    play("test-01", 11, "item", d.mid + 8 * 3600, 5400);
    play("test-01", 12, "alert", d.mid + 3600, 30000);
    play("test-01", 11, "item", d.mid + 86400, 10000);   /* tomorrow: out of a range ending today */
    /* South's kiosk, today. */
    play("test-02", 11, "item", d.mid + 100, 1000);
    play("test-02", 11, "item", d.mid + 200, 1000);
    return d;
}

static cJSON *row_of(cJSON *j, const char *day, const char *kind, int content)
{
    cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "rows")) {
        if (!strcmp(cJSON_GetObjectItem(r, "day")->valuestring, day) &&
            !strcmp(cJSON_GetObjectItem(r, "kind")->valuestring, kind) &&
            cJSON_GetObjectItem(r, "content_id")->valueint == content)
            return r;
    }
    return NULL;
}

static void assert_row(cJSON *j, const char *day, const char *kind, int content, int plays, int seconds, int kiosks)
{
    cJSON *r = row_of(j, day, kind, content);
    if (!r) fail_msg("no row %s %s %d", day, kind, content);
    assert_int_equal(cJSON_GetObjectItem(r, "plays")->valueint, plays);
    assert_int_equal(cJSON_GetObjectItem(r, "seconds")->valueint, seconds);
    assert_int_equal(cJSON_GetObjectItem(r, "kiosks")->valueint, kiosks);
}

static void test_plays_per_day(void **state)
{
    fx_t *f = *state;
    days_t d = plays_fixture();
    consoletest_sess_t v = login(f, "vicn"), b = login(f, "boss");
    char path[160];
    snprintf(path, sizeof path, "/console/api/reports/plays?from=%s&to=%s", d.yday, d.today);
    hub_resp_t r = get(f, &v, path);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rows")), 3);
    assert_row(j, d.yday, "item", 11, 1, 10, 1);
    assert_row(j, d.today, "item", 11, 3, 20, 1);     /* 10 + 5 + 5.4 s, south's plays not counted */
    assert_row(j, d.today, "alert", 12, 1, 30, 1);
    assert_null(row_of(j, d.tomorrow, "item", 11));
    assert_string_equal(cJSON_GetObjectItem(row_of(j, d.today, "item", 11), "title")->valuestring, "=HYPERLINK(\"x\")");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "rows"), 0)->child->valuestring, d.yday);
    assert_int_equal(hubtest_at(j, "totals.plays")->valueint, 5);
    assert_string_equal(hubtest_at(j, "from")->valuestring, d.yday);
    cJSON_Delete(j);
    free(r.body);
    /* Every group: south's two plays on a second kiosk. */
    r = get(f, &b, path);
    j = cJSON_Parse(r.body);
    assert_row(j, d.today, "item", 11, 5, 22, 2);
    cJSON_Delete(j);
    free(r.body);
    /* One group. */
    snprintf(path, sizeof path, "/console/api/reports/plays?from=%s&to=%s&group=south", d.today, d.tomorrow);
    r = get(f, &b, path);
    j = cJSON_Parse(r.body);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rows")), 1);
    assert_row(j, d.today, "item", 11, 2, 2, 1);
    cJSON_Delete(j);
    free(r.body);
    /* Another group's kiosks are not the viewer's to ask for. */
    r = get(f, &v, path);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    /* Without dates: the last 7 days to today (which may have just turned
     * when a time-travel run starts the clock at 23:59:30). */
    r = get(f, &v, "/console/api/reports/plays");
    j = cJSON_Parse(r.body);
    const char *to = hubtest_at(j, "to")->valuestring;
    assert_true(!strcmp(to, d.today) || !strcmp(to, d.tomorrow));
    assert_row(j, d.today, "item", 11, 3, 20, 1);
    cJSON_Delete(j);
    free(r.body);
    /* A kiosk without a group: "*" accounts only. */
    sql("UPDATE devices SET kiosk_group = NULL WHERE id = 'test-02'");
    snprintf(path, sizeof path, "/console/api/reports/plays?from=%s&to=%s", d.today, d.today);
    r = get(f, &b, path);
    j = cJSON_Parse(r.body);
    assert_row(j, d.today, "item", 11, 5, 22, 2);
    cJSON_Delete(j);
    free(r.body);
}

static void test_plays_csv(void **state)
{
    fx_t *f = *state;
    days_t d = plays_fixture();
    consoletest_sess_t b = login(f, "boss");
    char path[160], line[200];
    snprintf(path, sizeof path, "/console/api/reports/plays?from=%s&to=%s&format=csv", d.yday, d.today);
    hub_resp_t r = get(f, &b, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    snprintf(line, sizeof line, "attachment; filename=\"plays-%s-%s.csv\"", d.yday, d.today);
    assert_string_equal(r.disposition, line);
    assert_int_equal(r.body_len, strlen(r.body));
    assert_memory_equal(r.body, "\xEF\xBB\xBF日期（北京时间）,类型,内容编号,标题,播放次数,展示秒数,终端数\r\n",
                        strlen("\xEF\xBB\xBF日期（北京时间）,类型,内容编号,标题,播放次数,展示秒数,终端数\r\n"));
    snprintf(line, sizeof line, "\r\n%s,内容,11,\"'=HYPERLINK(\"\"x\"\")\",5,22,2\r\n", d.today);
    assert_non_null(strstr(r.body, line));
    snprintf(line, sizeof line, "\r\n%s,紧急通知,12,\"停水通知, \"\"急\"\"\",1,30,1\r\n", d.today);
    assert_non_null(strstr(r.body, line));
    free(r.body);
    snprintf(path, sizeof path, "/console/api/reports/plays?from=%s&to=%s&format=csv&lang=en&group=north",
             d.today, d.today);
    r = get(f, &b, path);
    assert_memory_equal(r.body, "\xEF\xBB\xBF" "Day (China time),Kind,Item,", 30);
    snprintf(line, sizeof line, "\r\n%s,item,11,", d.today);
    assert_non_null(strstr(r.body, line));
    snprintf(line, sizeof line, "attachment; filename=\"plays-%s-%s-north.csv\"", d.today, d.today);
    assert_string_equal(r.disposition, line);
    free(r.body);
}

static void test_plays_range(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t v = login(f, "vicn");
    static const struct { const char *q; int status; const char *code; } cases[] = {
        {"from=2026-03-01&to=2026-05-31", 200, NULL},              /* 92 days */
        {"from=2026-03-01&to=2026-06-01", 422, "range_too_long"},  /* 93 */
        {"from=2025-01-01&to=2026-01-01", 422, "range_too_long"},
        {"from=2026-05-02&to=2026-05-01", 422, "invalid_field"},
        {"from=2026-02-30&to=2026-03-01", 422, "invalid_field"},
        {"from=2026-3-1&to=2026-03-02", 422, "invalid_field"},
        {"from=1969-12-31&to=1970-01-01", 422, "invalid_field"},
        {"from=2028-02-28&to=2028-03-01", 200, NULL},              /* a leap day */
        {"format=xml", 422, "invalid_field"},
        {"lang=fr", 422, "invalid_field"},
        {"group=*", 422, "invalid_field"},
        {"group=north,south", 422, "invalid_field"},
        {"group=north", 200, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[160];
        snprintf(path, sizeof path, "/console/api/reports/plays?%s", cases[i].q);
        hub_resp_t r = get(f, &v, path);
        if (r.status != cases[i].status) fail_msg("%s: %d %s", cases[i].q, r.status, r.body);
        if (cases[i].code) consoletest_assert_error(r, cases[i].status, cases[i].code);
        free(r.body);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_writer),
        cmocka_unit_test_setup_teardown(test_events_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registrations_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registrations_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reveal_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reveal_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plays_per_day, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plays_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plays_range, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
