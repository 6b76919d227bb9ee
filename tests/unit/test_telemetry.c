/* Fleet telemetry: the pure parts (heartbeat body, jitter, schedule), then
 * the worker against a real hub process (build/hub --demo): heartbeats
 * arrive, a queued command is handed over once and its result stored, a
 * screenshot round-trips, fleet status goes online then offline, and the
 * worker outlives the hub going away. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "net/hub_api.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "telemetry/telemetry.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- pure ---------------------------------------------------------------------- */

static void body_has_every_field_and_nothing_personal(void **state)
{
    telemetry_snapshot_t s = {.screen = "bills_list", .content_version = "\"9f2c61d0a4b7e3f8\"",
                              .printer = TEL_DEV_OK, .reader = TEL_DEV_MISSING,
                              .paper = TEL_PAPER_LOW, .queue_depth = 3, .dead_letters = 1,
                              .display_w = 1080, .display_h = 1920};
    char *b = telemetry_body(&s, MODE_STREET, 60, 3605, 5120, 81234);
    assert_non_null(b);
    cJSON *j = cJSON_Parse(b);
    assert_non_null(j);
    static const char *const keys[] = {"version", "uptime_s", "mode", "screen", "content_version",
                                       "printer", "reader", "paper", "queue_depth",
                                       "disk_free_mb", "mem_kb", "interval_s", "dead_letters",
                                       "display_w", "display_h"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!cJSON_GetObjectItemCaseSensitive(j, keys[i])) fail_msg("no %s in %s", keys[i], b);
    assert_int_equal(cJSON_GetArraySize(j), (int)(sizeof keys / sizeof *keys));   /* nothing else */
    assert_string_equal(cJSON_GetObjectItem(j, "mode")->valuestring, "street");
    assert_string_equal(cJSON_GetObjectItem(j, "reader")->valuestring, "missing");
    assert_string_equal(cJSON_GetObjectItem(j, "paper")->valuestring, "low");
    assert_int_equal(cJSON_GetObjectItem(j, "display_w")->valueint, 1080);    /* portrait: after rotation */
    assert_int_equal(cJSON_GetObjectItem(j, "display_h")->valueint, 1920);
    cJSON_Delete(j);
    free(b);

    /* Free text that could carry a person is not sent. */
    telemetry_snapshot_t bad = {.queue_depth = -1, .dead_letters = -1, .display_w = 1920, .display_h = 100};
    snprintf(bad.screen, sizeof bad.screen, "张三 13812345678");
    snprintf(bad.content_version, sizeof bad.content_version, "a b");
    b = telemetry_body(&bad, MODE_HALL, 60, -1, -1, -1);
    j = cJSON_Parse(b);
    assert_null(cJSON_GetObjectItem(j, "screen"));
    assert_null(cJSON_GetObjectItem(j, "content_version"));
    assert_null(cJSON_GetObjectItem(j, "printer"));       /* unknown: left out */
    assert_null(cJSON_GetObjectItem(j, "queue_depth"));
    assert_null(cJSON_GetObjectItem(j, "uptime_s"));
    assert_null(cJSON_GetObjectItem(j, "display_w"));    /* not a screen: neither side sent */
    assert_null(cJSON_GetObjectItem(j, "display_h"));
    assert_null(strstr(b, "138"));
    cJSON_Delete(j);
    free(b);
}

static void jitter_within_ten_percent(void **state)
{
    int64_t lo = INT64_MAX, hi = 0;
    for (uint32_t r = 0; r < 200000; r += 7) {
        int64_t ms = telemetry_jitter_ms(60, r * 2654435761u);
        if (ms < lo) lo = ms;
        if (ms > hi) hi = ms;
    }
    assert_true(lo >= 54000 && hi <= 66000);
    assert_true(lo < 55000 && hi > 65000);        /* the whole range is used */
    assert_int_equal(telemetry_jitter_ms(1, 0), 900);
    assert_int_equal(telemetry_jitter_ms(1, UINT32_MAX) <= 1100, 1);
}

static void schedule_parsing(void **state)
{
    telemetry_schedule_t s;
    char err[80];
    assert_int_equal(telemetry_parse_schedule("{\"on\": \"07:00\", \"off\": \"22:30\"}", &s, err, sizeof err), 0);
    assert_int_equal(s.on_min, 420);
    assert_int_equal(s.off_min, 1350);
    assert_int_equal(telemetry_parse_schedule("{\"on\": \"23:59\", \"off\": \"00:00\"}", &s, err, sizeof err), 0);
    static const char *const bad[] = {
        NULL, "", "[]", "{}", "{\"on\": \"07:00\"}", "{\"off\": \"07:00\"}",
        "{\"on\": \"7:00\", \"off\": \"22:00\"}", "{\"on\": \"24:00\", \"off\": \"22:00\"}",
        "{\"on\": \"07:60\", \"off\": \"22:00\"}", "{\"on\": 700, \"off\": \"22:00\"}",
        "{\"on\": \"07:00\", \"off\": \"07:00\"}", "{\"on\": \"07-00\", \"off\": \"22:00\"}",
        "{\"on\": \"07:00 \", \"off\": \"22:00\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        if (telemetry_parse_schedule(bad[i], &s, err, sizeof err) != -1)
            fail_msg("accepted %s", bad[i] ? bad[i] : "NULL");
        assert_true(err[0] != '\0');
    }
    assert_int_equal(telemetry_cmd_kind("screenshot"), TEL_CMD_SCREENSHOT);
    assert_int_equal(telemetry_cmd_kind("format_disk"), TEL_CMD_UNKNOWN);
}

/* ---- against a real hub -------------------------------------------------------- */

typedef struct {
    hubproc_t hub;
    char staff_token[256];
    hub_fleet_t *staff;
    config_t cfg;
    pthread_mutex_t mu;
    telemetry_cmd_t got[16];
    int n_got;
} fx_t;

static void on_cmd(void *ctx, const telemetry_cmd_t *cmd)
{
    fx_t *fx = ctx;
    pthread_mutex_lock(&fx->mu);
    if (fx->n_got < 16) fx->got[fx->n_got] = *cmd;
    fx->n_got++;
    pthread_mutex_unlock(&fx->mu);
}

static int n_got(fx_t *fx)
{
    pthread_mutex_lock(&fx->mu);
    int n = fx->n_got;
    pthread_mutex_unlock(&fx->mu);
    return n;
}

static int setup_hub(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    pthread_mutex_init(&fx->mu, NULL);
    snprintf(fx->hub.dir, sizeof fx->hub.dir, "/tmp/kiosk-tel.XXXXXX");
    if (!mkdtemp(fx->hub.dir)) return -1;
    /* A staff token, made by the hub's own command on the database the hub then serves. */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/hub staff add alice --db %s/hub.db 2>/dev/null",
             harness_build_dir(), fx->hub.dir);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    char line[256];
    while (fgets(line, sizeof line, p))
        if (strncmp(line, "alice.", 6) == 0) {
            line[strcspn(line, "\r\n")] = '\0';
            snprintf(fx->staff_token, sizeof fx->staff_token, "%s", line);
        }
    pclose(p);
    if (!fx->staff_token[0]) {
        fprintf(stderr, "no staff token from: %s\n", cmd);
        return -1;
    }
    if (hubproc_start(&fx->hub) != 0) return -1;
    fx->staff = hub_fleet_new(fx->hub.url, fx->staff_token, 5000, NULL);
    config_defaults(&fx->cfg);
    snprintf(fx->cfg.hub_url, sizeof fx->cfg.hub_url, "%s", fx->hub.url);
    snprintf(fx->cfg.device_token, sizeof fx->cfg.device_token, "%s", HUBPROC_TOKEN);
    snprintf(fx->cfg.var_dir, sizeof fx->cfg.var_dir, "%s", fx->hub.dir);
    fx->cfg.heartbeat_s = 1;
    fx->cfg.hub_timeout_s = 2;
    *state = fx;
    return 0;
}

static int teardown_hub(void **state)
{
    fx_t *fx = *state;
    hub_fleet_free(fx->staff);
    hubproc_stop(&fx->hub);
    hubproc_cleanup(&fx->hub);
    pthread_mutex_destroy(&fx->mu);
    free(fx);
    return 0;
}

/* A staff request; returns the parsed answer (the caller deletes) or NULL. */
static cJSON *staff(fx_t *fx, const char *method, const char *path, const char *body)
{
    static int n;
    char key[32];
    snprintf(key, sizeof key, "t-%d-%d", (int)getpid(), ++n);
    hub_status_t st;
    const char *out;
    hub_fleet_request(fx->staff, method, path, "application/json", body, body ? strlen(body) : 0,
                      key, &out, NULL, &st);
    if (st.result != HUB_OK) {
        fprintf(stderr, "%s %s: %d %s %s\n", method, path, st.http, st.code, st.message);
        return NULL;
    }
    return cJSON_Parse(out);
}

static long long queue(fx_t *fx, const char *kind, const char *args)
{
    char body[256];
    snprintf(body, sizeof body, "{\"kind\": \"%s\", \"args\": %s}", kind, args ? args : "{}");
    cJSON *j = staff(fx, "POST", "/v1/admin/devices/demo-01/commands", body);
    assert_non_null(j);
    long long id = (long long)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "command"), "id")->valuedouble;
    cJSON_Delete(j);
    return id;
}

/* A command written straight into the hub's table, as a hub that did not
 * check its arguments would have queued it; its id. */
static long long insert_command(fx_t *fx, const char *kind, const char *args)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(fx->hub.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO commands(device, kind, args, created, staff)"
                                            " VALUES('demo-01', ?1, ?2, 0, 'alice')", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, args, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    long long id = sqlite3_last_insert_rowid(db);
    sqlite3_close(db);
    return id;
}

/* The command's "status" ("done", ...), copied into BUF; and *OK. */
static const char *command_status(fx_t *fx, long long id, char *buf, size_t len, bool *ok,
                                  long long *shot)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/admin/commands/%lld", id);
    cJSON *j = staff(fx, "GET", path, NULL);
    assert_non_null(j);
    const cJSON *c = cJSON_GetObjectItem(j, "command");
    snprintf(buf, len, "%s", cJSON_GetObjectItem(c, "status")->valuestring);
    if (ok) *ok = cJSON_IsTrue(cJSON_GetObjectItem(c, "ok"));
    const cJSON *s = cJSON_GetObjectItem(c, "screenshot");
    if (shot) *shot = cJSON_IsNumber(s) ? (long long)s->valuedouble : 0;
    cJSON_Delete(j);
    return buf;
}

/* demo-01 in GET /v1/admin/fleet: online, and its content_version into CV. */
static bool demo_online(fx_t *fx, char *cv, size_t cvlen)
{
    cJSON *j = staff(fx, "GET", "/v1/admin/fleet", NULL);
    assert_non_null(j);
    bool online = false;
    const cJSON *k;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(j, "kiosks"))
        if (!strcmp(cJSON_GetObjectItem(k, "id")->valuestring, "demo-01")) {
            online = cJSON_IsTrue(cJSON_GetObjectItem(k, "online"));
            const cJSON *v = cJSON_GetObjectItem(k, "content_version");
            if (cv) snprintf(cv, cvlen, "%s", cJSON_IsString(v) ? v->valuestring : "");
        }
    cJSON_Delete(j);
    return online;
}

static bool wait_for(bool (*cond)(fx_t *, void *), fx_t *fx, void *arg, int ms)
{
    for (int waited = 0; waited < ms; waited += 50) {
        if (cond(fx, arg)) return true;
        sleep_ms(50);
    }
    return cond(fx, arg);
}

static bool got_at_least(fx_t *fx, void *arg) { return n_got(fx) >= *(int *)arg; }
static bool is_done(fx_t *fx, void *arg)
{
    char buf[16];
    return !strcmp(command_status(fx, *(long long *)arg, buf, sizeof buf, NULL, NULL), "done");
}

static void heartbeats_commands_results_and_fleet(void **state)
{
    fx_t *fx = *state;
    char err[200], cv[80];
    telemetry_t *t = telemetry_start(&fx->cfg, on_cmd, fx, err, sizeof err);
    assert_non_null(t);
    telemetry_snapshot_t s = {.screen = "home", .content_version = "v42", .printer = TEL_DEV_OK,
                              .reader = TEL_DEV_OK, .paper = TEL_PAPER_OK, .queue_depth = 0,
                              .dead_letters = 0, .display_w = 1280, .display_h = 800};
    telemetry_update(t, &s);
    sleep_ms(2500);
    telemetry_stats_t st;
    telemetry_get_stats(t, &st);
    assert_true(st.heartbeats_ok >= 2);
    assert_int_equal(st.heartbeats_failed, 0);
    assert_true(hubproc_sql_int(&fx->hub, "SELECT count FROM heartbeats WHERE device = 'demo-01'") >= 2);
    /* the screen size passes the hub's personal-data filter and is kept (the console previews at it) */
    assert_int_equal(hubproc_sql_int(&fx->hub, "SELECT json_extract(body, '$.display_w') * 10000 + "
                                     "json_extract(body, '$.display_h') FROM heartbeats WHERE device = 'demo-01'"),
                     1280 * 10000 + 800);
    assert_true(demo_online(fx, cv, sizeof cv));
    assert_string_equal(cv, "v42");

    /* Commands: handed over once each; unknown and bad ones answered by the worker. */
    long long reload = queue(fx, "reload_content", NULL);
    long long sched = queue(fx, "set_schedule", "{\"on\": \"07:00\", \"off\": \"22:00\"}");
    /* The hub refuses a bad schedule to staff at once; the kiosk still
     * refuses one that an older hub let through (put in its table here). */
    assert_null(staff(fx, "POST", "/v1/admin/devices/demo-01/commands",
                      "{\"kind\": \"set_schedule\", \"args\": {\"on\": \"25:00\", \"off\": \"22:00\"}}"));
    long long bad_sched = insert_command(fx, "set_schedule", "{\"on\": \"25:00\", \"off\": \"22:00\"}");
    long long unknown = queue(fx, "format_disk", NULL);
    int two = 2;
    assert_true(wait_for(got_at_least, fx, &two, 4000));
    sleep_ms(2200);                              /* two more heartbeats: nothing handed twice */
    assert_int_equal(n_got(fx), 2);
    assert_int_equal(fx->got[0].id, reload);
    assert_int_equal(fx->got[0].kind, TEL_CMD_RELOAD_CONTENT);
    assert_int_equal(fx->got[1].id, sched);
    assert_int_equal(fx->got[1].kind, TEL_CMD_SET_SCHEDULE);
    assert_int_equal(fx->got[1].schedule.on_min, 420);
    assert_int_equal(fx->got[1].schedule.off_min, 1320);

    telemetry_command_done(t, reload, true, "content reloaded");
    telemetry_command_done(t, sched, true, NULL);
    assert_true(telemetry_flush(t, 5000));
    char buf[16];
    bool ok;
    assert_string_equal(command_status(fx, reload, buf, sizeof buf, &ok, NULL), "done");
    assert_true(ok);
    assert_true(wait_for(is_done, fx, &unknown, 3000));
    command_status(fx, unknown, buf, sizeof buf, &ok, NULL);
    assert_false(ok);
    char msg[64];
    char q[128];
    snprintf(q, sizeof q, "SELECT message FROM commands WHERE id = %lld", unknown);
    assert_int_equal(hubproc_sql_text(&fx->hub, q, msg, sizeof msg), 0);
    assert_string_equal(msg, "unknown command");
    assert_true(wait_for(is_done, fx, &bad_sched, 3000));
    command_status(fx, bad_sched, buf, sizeof buf, &ok, NULL);
    assert_false(ok);

    /* Screenshot: PNG bytes up, the same bytes down. */
    long long shot_cmd = queue(fx, "screenshot", NULL);
    int three = 3;
    assert_true(wait_for(got_at_least, fx, &three, 4000));
    assert_int_equal(fx->got[2].kind, TEL_CMD_SCREENSHOT);
    size_t n = 100000;
    unsigned char *png = malloc(n);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(png, sig, 8);
    for (size_t i = 8; i < n; i++) png[i] = (unsigned char)(i * 13);
    assert_int_equal(telemetry_upload_screenshot(t, shot_cmd, png, n), 0);
    telemetry_command_done(t, shot_cmd, true, "screenshot");
    assert_true(telemetry_flush(t, 5000));
    long long shot = 0;
    command_status(fx, shot_cmd, buf, sizeof buf, &ok, &shot);
    assert_string_equal(buf, "done");
    assert_true(shot > 0);
    char path[64];
    snprintf(path, sizeof path, "/v1/admin/screenshots/%lld", shot);
    hub_status_t hs;
    const char *out;
    size_t outlen;
    hub_fleet_request(fx->staff, "GET", path, NULL, NULL, 0, NULL, &out, &outlen, &hs);
    assert_int_equal(hs.result, HUB_OK);
    assert_int_equal(outlen, n);
    assert_memory_equal(out, png, n);
    free(png);
    telemetry_get_stats(t, &st);
    assert_int_equal(st.screenshots_sent, 1);

    /* Stopped: offline after 3 missed intervals. A stop is prompt. */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    telemetry_stop(t);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);
    assert_true(demo_online(fx, NULL, 0));
    sleep_ms(4500);
    assert_false(demo_online(fx, NULL, 0));
}

static void survives_hub_down_and_recovers(void **state)
{
    fx_t *fx = *state;
    char err[200];
    telemetry_t *t = telemetry_start(&fx->cfg, on_cmd, fx, err, sizeof err);
    assert_non_null(t);
    sleep_ms(1500);
    telemetry_stats_t st;
    telemetry_get_stats(t, &st);
    int ok_before = st.heartbeats_ok;
    assert_true(ok_before >= 1);

    hubproc_stop(&fx->hub);                      /* same dir and port when it comes back */
    telemetry_command_done(t, 999999, true, "queued while the hub is away");
    sleep_ms(2500);
    telemetry_get_stats(t, &st);
    assert_true(st.heartbeats_failed >= 1);
    assert_false(st.hub_reachable);

    assert_int_equal(hubproc_start(&fx->hub), 0);
    sleep_ms(3000);
    telemetry_get_stats(t, &st);
    assert_true(st.heartbeats_ok > ok_before);
    assert_true(st.hub_reachable);
    /* The result queued meanwhile was settled (refused: no such command). */
    assert_true(telemetry_flush(t, 3000));
    assert_true(demo_online(fx, NULL, 0));
    telemetry_stop(t);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(body_has_every_field_and_nothing_personal),
        cmocka_unit_test(jitter_within_ten_percent),
        cmocka_unit_test(schedule_parsing),
    };
    const struct CMUnitTest hub[] = {
        cmocka_unit_test(heartbeats_commands_results_and_fleet),
        cmocka_unit_test(survives_hub_down_and_recovers),
    };
    int rc = cmocka_run_group_tests_name("telemetry", pure, NULL, NULL);
    rc += cmocka_run_group_tests_name("telemetry_hub", hub, setup_hub, teardown_hub);
    return rc;
}
