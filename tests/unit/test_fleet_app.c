/* The kiosk app and the fleet: staff commands queued at a real hub reach
 * the app with its first heartbeat and are carried out (display schedule,
 * screenshot only when nobody is using the kiosk, restart deferred until the
 * resident has finished; an update likewise, written as the root updater's
 * request, its outcome reported in the heartbeats); the outbox and queue
 * figures show in the staff menu. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/fleet.h"
#include "outbox/sender.h"
#include <sqlite3.h>
#include "app/screens.h"
#include "store/proof_of_play.h"
#include "store/writer.h"
#include "services/housekeeping/housekeeping.h"
#include "services/info/info.h"
#include "services/street/street.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "support/tmpfiles.h"
#include <sys/stat.h>
#include "core/version.h"

static hubproc_t hub;
static char staff_token[200];

static size_t sink(char *p, size_t s, size_t n, void *u) { return s * n; }

/* Queues command KIND (ARGS JSON) for the demo kiosk as staff. */
static void queue_command(const char *kind, const char *args)
{
    static int n;
    CURL *c = curl_easy_init();
    char url[200], body[300], auth[260], key[64];
    snprintf(url, sizeof url, "%s/v1/admin/devices/demo-01/commands", hub.url);
    snprintf(body, sizeof body, "{\"kind\": \"%s\", \"args\": %s}", kind, args);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", staff_token);
    snprintf(key, sizeof key, "Idempotency-Key: test-cmd-%d", ++n);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, key);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    assert_int_equal(code, 201);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static app_t *net_app(void)
{
    static char url[128], tok[200];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    const char *sets[] = {url, tok, "ui.locale=en", "hub.timeout=2", NULL};
    return harness_net_app(1920, 1080, sets);
}

static long long cmd_int(const char *kind, const char *col)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s FROM commands WHERE kind = '%s' ORDER BY id DESC LIMIT 1", col, kind);
    return hubproc_sql_int(&hub, sql);
}

static void commands_arrive_and_are_carried_out(void **state)
{
    queue_command("set_schedule", "{\"on\": \"07:00\", \"off\": \"22:30\"}");
    queue_command("screenshot", "{}");
    app_t *app = net_app();                          /* idle: attract loop */
    /* The result and the picture are two requests: wait for both. */
    WAIT_FOR(app, cmd_int("screenshot", "done") > 0 && cmd_int("set_schedule", "done") > 0 &&
                  hubproc_sql_int(&hub, "SELECT count(*) FROM screenshots") > 0, 8000);
    assert_int_equal(cmd_int("set_schedule", "ok"), 1);
    char v[16];
    assert_int_equal(store_setting_get(app->store, "street.night.on", v, sizeof v), 0);
    assert_string_equal(v, "07:00");
    assert_int_equal(store_setting_get(app->store, "street.night.off", v, sizeof v), 0);
    assert_string_equal(v, "22:30");
    assert_int_equal(cmd_int("screenshot", "ok"), 1);
    assert_true(hubproc_sql_int(&hub, "SELECT length(png) FROM screenshots ORDER BY id DESC LIMIT 1") > 1000);
    harness_free(app);
}

static void screenshot_refused_and_restart_deferred_during_a_visit(void **state)
{
    app_t *app = net_app();
    app_test_tap_xy(app, 900, 500);                  /* a resident starts */
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    long long before = hubproc_sql_int(&hub, "SELECT COUNT(*) FROM screenshots");
    queue_command("screenshot", "{}");
    queue_command("restart", "{}");
    /* the next heartbeat picks them up: ask for one by restarting telemetry */
    fleet_stop(app);
    fleet_start(app);
    WAIT_FOR(app, cmd_int("screenshot", "done") > 0 && app->restart_pending, 20000);
    assert_int_equal(cmd_int("screenshot", "ok"), 0);            /* never a resident's screen */
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM screenshots"), before);
    assert_true(app->restart_pending > 0);
    assert_false(app->quit);
    app_end_session(app, "finished");                            /* then it restarts */
    assert_true(app->restart);
    assert_true(app->quit);
    WAIT_FOR(app, cmd_int("restart", "done") > 0, 20000);
    assert_int_equal(cmd_int("restart", "ok"), 1);
    harness_free(app);
}

/* The contents of APP's VAR_DIR/update/NAME into BUF ("" when absent). */
static void update_file(const app_t *app, const char *name, char *buf, size_t len)
{
    char path[600];
    snprintf(path, sizeof path, "%s/update/%s", app->cfg.var_dir, name);
    tmp_read_text(path, buf, len);
}

static void update_waits_for_the_session_then_asks_the_updater(void **state)
{
    app_t *app = net_app();
    char buf[300], want[100];
    /* The first heartbeat answered (the health file says so) before the
     * command is queued: one still in flight when fleet_stop aborts it can
     * be answered by the hub with the command, which the kiosk then never
     * sees (the hub hands a command out once). */
    WAIT_FOR(app, (update_file(app, "health", buf, sizeof buf), buf[0]), 60000);
    assert_true(buf[0]);
    app_test_tap_xy(app, 900, 500);                  /* a resident starts */
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    queue_command("update", "{\"version\": \"0.2.0\"}");
    fleet_stop(app);
    fleet_start(app);
    /* Up to a minute: a loaded machine under a moved clock (time_travel.sh)
     * has taken over 20 s to bring the command. */
    WAIT_FOR(app, app->update_pending > 0 || (update_file(app, "request", buf, sizeof buf), buf[0]), 60000);
    long long id = app->update_pending;
    if (id <= 0) {
        /* Say what happened instead, so that a failure explains itself. */
        update_file(app, "request", buf, sizeof buf);
        print_message("update not pending: session state %d, command done %lld ok %lld, request '%s'\n",
                      (int)app->session.state, cmd_int("update", "done"), cmd_int("update", "ok"), buf);
    }
    assert_true(id > 0);
    update_file(app, "request", buf, sizeof buf);
    assert_string_equal(buf, "");                    /* nothing while a resident is there */
    assert_int_equal(cmd_int("update", "done"), 0);
    app_end_session(app, "finished");
    update_file(app, "request", buf, sizeof buf);
    snprintf(want, sizeof want, "{\"id\":%lld,\"version\":\"0.2.0\"}\n", id);
    assert_string_equal(buf, want);                  /* the updater's exact pattern */
    assert_false(app->quit);                         /* the updater restarts it, not the kiosk */
    WAIT_FOR(app, cmd_int("update", "done") > 0, 20000);
    assert_int_equal(cmd_int("update", "ok"), 1);
    char msg[100];
    assert_int_equal(hubproc_sql_text(&hub, "SELECT message FROM commands WHERE kind = 'update'"
                                            " ORDER BY id DESC LIMIT 1", msg, sizeof msg), 0);
    assert_string_equal(msg, "update to 0.2.0 requested");
    /* After the first answered heartbeat, the health file names this version. */
    update_file(app, "health", buf, sizeof buf);
    assert_true(strncmp(buf, KIOSK_VERSION " ", strlen(KIOSK_VERSION) + 1) == 0);

    /* Idle: at once; a bad version never reaches the app (answered false). */
    queue_command("update", "{\"version\": \"0.3.0\"}");
    fleet_stop(app);
    fleet_start(app);
    WAIT_FOR(app, strstr((update_file(app, "request", buf, sizeof buf), buf), "0.3.0"), 20000);
    assert_non_null(strstr(buf, "\"version\":\"0.3.0\"}"));
    harness_free(app);
}

static void the_updaters_outcome_goes_out_with_the_heartbeat(void **state)
{
    app_t *app = net_app();
    char path[600];
    snprintf(path, sizeof path, "%s/update", app->cfg.var_dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/update/result", app->cfg.var_dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"command\":41,\"outcome\":\"rolled_back\",\"version\":\"0.3.0\",\"from\":\"0.2.0\","
          "\"reason\":\"not healthy within 60 s\"}\n", fp);
    fclose(fp);
    fleet_stop(app);
    fleet_start(app);                                /* a heartbeat at once */
    const char *q = "SELECT COUNT(*) FROM heartbeats WHERE device = 'demo-01'"
                    " AND json_extract(body, '$.update_outcome') = 'rolled_back'"
                    " AND json_extract(body, '$.update_version') = '0.3.0'"
                    " AND json_extract(body, '$.update_command') = 41";
    WAIT_FOR(app, hubproc_sql_int(&hub, q) == 1, 20000);
    assert_int_equal(hubproc_sql_int(&hub, q), 1);
    /* A malformed result is left out, never sent as it is. */
    fp = fopen(path, "w");
    fputs("{\"command\":41,\"outcome\":\"rolled back; call 13800138000\",\"version\":\"0.3.0\"}", fp);
    fclose(fp);
    fleet_stop(app);
    fleet_start(app);
    const char *none = "SELECT COUNT(*) FROM heartbeats WHERE device = 'demo-01'"
                       " AND json_extract(body, '$.update_outcome') IS NULL AND count > 1";
    WAIT_FOR(app, hubproc_sql_int(&hub, none) == 1, 20000);
    assert_int_equal(hubproc_sql_int(&hub, none), 1);
    harness_free(app);
}

static void proof_of_play_reaches_the_hub_once(void **state)
{
    app_t *app = net_app();
    for (int i = 0; i < 3; i++) {
        pop_record_t r = {.content_id = 120 + i, .playlist_id = 0, .started = 1795915800 + i * 10,
                          .shown_ms = 10000};
        snprintf(r.kind, sizeof r.kind, "%s", "item");
        assert_int_equal(store_writer_pop(app->writer, &r), 0);    /* as the street display does */
    }
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    assert_int_equal(pop_count(app->store), 3);
    fleet_snapshot(app);                             /* handed to the outbox by the sender thread */
    WAIT_FOR(app, pop_count(app->store) == 0, 5000);
    assert_int_equal(pop_count(app->store), 0);
    WAIT_FOR(app, hubproc_sql_int(&hub, "SELECT COUNT(*) FROM proof_of_play") == 3, 20000);
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM proof_of_play"), 3);
    fleet_snapshot(app);                             /* nothing new: nothing more */
    app_test_pump(app, 100, 500);
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM proof_of_play"), 3);
    harness_free(app);
}

/* A signed bundle published with kioskctl reaches the running kiosk: its
 * notices are shown, the version goes to telemetry. */
static void a_published_bundle_is_shown(void **state)
{
    char dir[] = "/tmp/kiosk-bundle-XXXXXX", cmd[1200], pub[128] = "";
    assert_non_null(mkdtemp(dir));
    const char *b = harness_build_dir();
    snprintf(cmd, sizeof cmd, "%s/kioskctl content keygen --key %s/key 2>/dev/null", b, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char out[512] = "";
    assert_non_null(fgets(out, sizeof out, p));
    pclose(p);
    char *k = strstr(out, "\"public_key\":\"");
    assert_non_null(k);
    snprintf(pub, sizeof pub, "%.64s", k + 14);
    /* The hub verifies bundles too: restarted (same database and port) with
     * the new public key. */
    hubproc_stop(&hub);
    snprintf(hub.content_key, sizeof hub.content_key, "%s", pub);
    assert_int_equal(hubproc_start(&hub), 0);
    snprintf(cmd, sizeof cmd,
             "%s/kioskctl content build content/example --out %s/b >/dev/null 2>&1 && "
             "%s/kioskctl content sign %s/b --key %s/key >/dev/null 2>&1 && "
             "KIOSK_STAFF_TOKEN=%s %s/kioskctl content publish %s/b --hub %s >/dev/null 2>&1",
             b, dir, b, dir, dir, staff_token, b, dir, hub.url);
    assert_int_equal(system(cmd), 0);

    static char url[128], tok[200], key[100];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(key, sizeof key, "content.public_key=%s", pub);
    const char *sets[] = {url, tok, key, "ui.locale=zh_CN", "hub.timeout=2", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    WAIT_FOR(app, app->content_version[0], 20000);
    assert_string_equal(app->content_version, "v1");
    assert_true(app->n_notices > 0);                 /* the bundle's: a new kiosk has none */
    /* the notices screen shows the signed items, with their pictures */
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    struct info_state *s = app->info;
    assert_false(s->busy);                           /* local: no hub round trip */
    int with_image = -1;
    for (int i = 0; i < s->n; i++)
        if (s->items[i].image[0]) with_image = i;
    assert_true(with_image >= 0);
    s->cur = s->items[with_image];
    app_go(app, SCR_NOTICE);
    app_build(app);
    const ui_widget_t *img = ui_find(app->frame, "notice.image");
    assert_non_null(img);
    FILE *fp = fopen(img->text, "rb");               /* the picture is really there */
    assert_non_null(fp);
    fclose(fp);
    harness_free(app);

    /* a street display with a public key shows the signed items only
     * (bundle ids 1-9; the hub's unsigned demo content has ids over 100) */
    const char *street_sets[] = {url, tok, key, "ui.locale=zh_CN", "hub.timeout=2", "kiosk.mode=street", NULL};
    app = harness_net_app(1920, 1080, street_sets);
    WAIT_FOR(app, app->content_version[0], 20000);
    app_test_pump(app, 100, 1000);
    sched_what_t what;
    const street_item_t *shown = street_shown(app, &what);
    assert_non_null(shown);
    assert_true(shown->id >= 1 && shown->id <= 9);
    harness_free(app);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* An item sent before without an answer, and older than the hub's 48-hour
 * replay window, is not sent again (it could be applied twice): dead, for
 * staff to check. */
static void old_unanswered_items_go_to_staff_not_to_the_hub(void **state)
{
    app_t *app = net_app();
    long long before = hubproc_sql_int(&hub, "SELECT COUNT(*) FROM help_requests");
    long long id = 0;
    outbox_sender_stop(app->outbox);                  /* hold the queue still */
    app->outbox = NULL;
    assert_int_equal(fleet_enqueue(app, "help", "/v1/help", "{\"location\":\"x\"}", false, &id), 0);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE outbox SET attempts = 1, created_ms = created_ms - 49 * 3600 * 1000"
             " WHERE id = %lld", id);
    assert_int_equal(sqlite3_exec(store_db(app->store), sql, NULL, NULL, NULL), SQLITE_OK);
    fleet_stop(app);
    fleet_start(app);                                  /* a sender again: it looks at once */
    outbox_item_t it;
    int tries = 0;
    do {
        app_test_pump(app, 50, 200);
        assert_int_equal(outbox_get(app->store, id, NULL, &it, NULL, NULL, 0), 0);
    } while (it.state != OUTBOX_DEAD && ++tries < 40);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_non_null(strstr(it.last_error, "replay window"));
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM help_requests"), before);
    harness_free(app);
}

/* A full disk: the request is not queued, the resident's screen says so
 * (help falls back to sending directly), staff see the fault. */
static void a_full_disk_is_a_staff_visible_fault(void **state)
{
    app_t *app = net_app();
    sqlite3 *db = store_db(app->store);
    long long pages = 0;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) pages = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA max_page_count = %lld", pages);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    char big[6000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char body[6100];
    snprintf(body, sizeof body, "{\"location\":\"%s\"}", big);
    long long id = 0;
    assert_int_equal(fleet_enqueue(app, "help", "/v1/help", body, false, &id), -1);
    assert_non_null(strstr(app->storage_fault, "help"));
    assert_int_equal(sqlite3_exec(db, "PRAGMA integrity_check", NULL, NULL, NULL), SQLITE_OK);
    app_go(app, SCR_STAFF_MENU);
    assert_true(app_test_text_shown(app, "Storage fault"));
    harness_free(app);
}

static const char *pending_state(app_t *app, const char *table, const char *ref)
{
    static char out[16];
    char sql[160];
    sqlite3_stmt *st;
    out[0] = '\0';
    snprintf(sql, sizeof sql, "SELECT state FROM %s WHERE ref = '%s'", table, ref);
    assert_int_equal(sqlite3_prepare_v2(store_db(app->store), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* Saved bookings and registrations whose outbox item ended while nobody
 * looked (the kiosk stopped before the report, staff dropped it) catch up
 * with it when they are next looked at. */
static void saved_requests_catch_up_with_the_outbox(void **state)
{
    app_t *app = net_app();
    sqlite3 *db = store_db(app->store);
    const char *sql =
        "INSERT INTO outbox(id, kind, method, path, idem_key, body, sealed, body_len, state, created_ms,"
        " updated_ms, http, last_error) VALUES"
        " (901, 'booking', 'POST', '/v1/housekeeping/bookings', 'k901', x'7b7d', 0, 2, 'dead', 1, 1, 409,"
        "  '409 slot_full: this time slot is fully booked'),"
        " (902, 'registration', 'POST', '/v1/events/114/registrations', 'k902', x'7b7d', 0, 2, 'dead', 1, 1,"
        "  409, '409 already_registered: this phone is registered');"
        "INSERT INTO hk_pending(ref, outbox_id, who_hash, service, slot_start, slot_end, provider, state,"
        " created_ms, updated_ms) VALUES ('PDEAD', 901, 'h', 'cleaning', 1, 2, 'p', 'pending', 1, 1),"
        " ('PGONE', 903, 'h', 'cleaning', 1, 2, 'p', 'pending', 1, 1);"
        "INSERT INTO reg_pending(ref, outbox_id, who_hash, content_id, title, state, created_ms, updated_ms)"
        " VALUES ('RDUP', 902, 'h', 114, 't', 'pending', 1, 1);";
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    hk_offline_reconcile(app);
    assert_string_equal(pending_state(app, "hk_pending", "PDEAD"), "failed");
    assert_string_equal(pending_state(app, "hk_pending", "PGONE"), "failed");     /* dropped */
    /* "already registered" means the number is on the list: confirmed */
    struct info_state *is = app->info;
    snprintf(is->phone, sizeof is->phone, "%s", "13700000000");
    is->n_phone = 11;
    is->cur.id = 114;
    info_reg_recall(app);
    assert_string_equal(pending_state(app, "reg_pending", "RDUP"), "confirmed");
    harness_free(app);
}

static int setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    harness_clock_start();                  /* the hub starts at the kiosk's time */
    if (hubproc_start(&hub) != 0) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s/hub staff add tester --db %s", harness_build_dir(), hub.db);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(staff_token, sizeof staff_token, p)) return -1;
    pclose(p);
    staff_token[strcspn(staff_token, "\n")] = '\0';
    return 0;
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commands_arrive_and_are_carried_out),
        cmocka_unit_test(screenshot_refused_and_restart_deferred_during_a_visit),
        cmocka_unit_test(update_waits_for_the_session_then_asks_the_updater),
        cmocka_unit_test(the_updaters_outcome_goes_out_with_the_heartbeat),
        cmocka_unit_test(proof_of_play_reaches_the_hub_once),
        cmocka_unit_test(a_published_bundle_is_shown),
        cmocka_unit_test(old_unanswered_items_go_to_staff_not_to_the_hub),
        cmocka_unit_test(a_full_disk_is_a_staff_visible_fault),
        cmocka_unit_test(saved_requests_catch_up_with_the_outbox),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
