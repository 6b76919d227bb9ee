/* "Replaying any POST with the same key never creates a second effect":
 * every POST route, given a valid request, is sent twice with one key. The
 * second answer is the stored first one (Idempotent-Replayed) and the
 * database holds exactly the same rows and values as after the first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "db.h"
#include "hubtest.h"
#include "pii.h"
#include "rescodes.h"

static sqlite3 *side;          /* a second connection, for ids and checks */

static long long q_int(const char *sql)
{
    sqlite3_stmt *st;
    long long v = -1;
    assert_int_equal(sqlite3_prepare_v2(side, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void q_text(const char *sql, char *out, size_t len)
{
    sqlite3_stmt *st;
    out[0] = '\0';
    assert_int_equal(sqlite3_prepare_v2(side, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

/* A fingerprint of every table the API writes (the idempotency records
 * aside): any second effect changes it. */
static void fingerprint(char *out, size_t len)
{
    static const char *const sql =
        "SELECT (SELECT group_concat(out_trade_no || state, ',') FROM orders) || '|' ||"
        " (SELECT group_concat(id || status || ifnull(paid_order, ''), ',') FROM bills) || '|' ||"
        " (SELECT group_concat(id || ':' || booked, ',') FROM slots) || '|' ||"
        " (SELECT group_concat(code || status, ',') FROM bookings) || '|' ||"
        " (SELECT group_concat(id || ':' || registered, ',') FROM content) || '|' ||"
        " (SELECT count(*) FROM event_registrations) || '|' ||"
        " (SELECT group_concat(id || ':' || ifnull(acknowledged, 0), ',') FROM help_requests) || '|' ||"
        " (SELECT group_concat(device || ':' || count, ',') FROM heartbeats) || '|' ||"
        " (SELECT group_concat(id || ':' || ifnull(delivered, 0) || ifnull(done, 0), ',') FROM commands) || '|' ||"
        " (SELECT count(*) FROM screenshots) || '|' ||"
        " (SELECT count(*) FROM proof_of_play) || '|' ||"
        " (SELECT count(*) FROM content_bundles) || '|' ||"
        " (SELECT group_concat(code || ':' || ifnull(revoked, 0), ',') FROM rescodes) || '|' ||"
        " ifnull((SELECT group_concat(id || kind || state, ',') FROM writeoffs), '') || '|' ||"
        " ifnull((SELECT group_concat(refund_no, ',') FROM refunds), '') || '|' ||"
        " (SELECT group_concat(key || value, ',') FROM demo_settings)";
    char *buf = malloc(1 << 20);
    q_text(sql, buf, 1 << 20);
    unsigned h = 2166136261u;
    for (char *p = buf; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    snprintf(out, len, "%zu:%08x", strlen(buf), h);
    free(buf);
}

static int replays;
static const char *as_token;   /* the token twice() sends; NULL: kiosk test-01 */

static void twice(hubtest_t *t, const char *path, const char *body, int want_status)
{
    char key[64], before[64], after[64];
    snprintf(key, sizeof key, "replay-%d", ++replays);
    const char *tok = as_token ? as_token : t->token;
    hubtest_resp_t a = hubtest_req(t, "POST", path, tok, key, body, NULL);
    if (a.status != want_status) fail_msg("POST %s: %d %s", path, a.status, a.body);
    fingerprint(before, sizeof before);
    hubtest_resp_t b = hubtest_req(t, "POST", path, tok, key, body, NULL);
    fingerprint(after, sizeof after);
    assert_int_equal(b.status, a.status);
    assert_true(b.replayed);
    assert_string_equal(a.body, b.body);
    if (strcmp(before, after) != 0) fail_msg("POST %s: the replay changed the database", path);
    hubtest_free(&a);
    hubtest_free(&b);
}

static void every_post_route_replays_without_effect(void **state)
{
    hubtest_t *t = hubtest_start(true);
    char path[256], body[512], text[128], db[128];
    snprintf(db, sizeof db, "%s/hub.db", t->dir);
    assert_int_equal(sqlite3_open(db, &side), SQLITE_OK);
    assert_int_equal(pii_register(side), SQLITE_OK);
    snprintf(text, sizeof text, "ATTACH '%s' AS clear", t->clear_db);
    assert_int_equal(sqlite3_exec(side, text, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(side, 5000);
    int covered = 0;

    q_text("SELECT id_number FROM clear.residents WHERE id IN (SELECT resident_id FROM accounts) LIMIT 1",
           text, sizeof text);
    snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", text);
    twice(t, "/v1/bills/lookup", body, 200); covered++;

    long long bill = q_int("SELECT id FROM bills WHERE status = 'unpaid' LIMIT 1");
    snprintf(body, sizeof body, "{\"out_trade_no\":\"REPLAY0001\",\"bill_ids\":[%lld],\"method\":\"qr\"}", bill);
    twice(t, "/v1/payments", body, 201); covered++;
    twice(t, "/v1/payments/REPLAY0001/close", "{}", 200); covered++;
    bill = q_int("SELECT id FROM bills WHERE status = 'unpaid' AND id NOT IN "
                 "(SELECT bill_id FROM order_bills) LIMIT 1");
    snprintf(body, sizeof body, "{\"out_trade_no\":\"REPLAY0002\",\"bill_ids\":[%lld],"
             "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}", bill);
    twice(t, "/v1/payments", body, 201);          /* (the same route, by code) */
    twice(t, "/v1/payments/REPLAY0002/reverse", "{}", 200); covered++;

    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM slots WHERE booked < capacity AND start > %lld "
             "ORDER BY start LIMIT 1", (long long)hub_now());
    long long slot = q_int(sql);
    snprintf(sql, sizeof sql, "SELECT service_id FROM slots WHERE booked < capacity AND start > %lld "
             "ORDER BY start LIMIT 1", (long long)hub_now());
    q_text(sql, text, sizeof text);
    snprintf(body, sizeof body, "{\"slot_id\":%lld,\"service_id\":\"%s\",\"name\":\"王芳\","
             "\"phone\":\"13900001111\"}", slot, text);
    twice(t, "/v1/housekeeping/bookings", body, 201); covered++;
    q_text("SELECT code FROM bookings WHERE phone_hash = pii_hash('phone', '13900001111')", text, sizeof text);
    snprintf(body, sizeof body, "{\"phone\":\"13900001111\",\"code\":\"%s\"}", text);
    twice(t, "/v1/housekeeping/bookings/lookup", body, 200); covered++;
    snprintf(path, sizeof path, "/v1/housekeeping/bookings/%s/cancel", text);
    twice(t, path, "{\"phone\":\"13900001111\"}", 200); covered++;

    snprintf(sql, sizeof sql, "SELECT id FROM content WHERE places > registered AND starts > %lld "
             "LIMIT 1", (long long)hub_now());
    long long ev = q_int(sql);
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", ev);
    twice(t, path, "{\"name\":\"李红\",\"phone\":\"13700002222\"}", 201); covered++;

    twice(t, "/v1/help", "{\"location\":\"幸福里社区服务大厅 1号机\",\"message\":\"读卡器没反应\"}", 201); covered++;
    long long help = q_int("SELECT max(id) FROM help_requests");
    snprintf(path, sizeof path, "/v1/demo/help/%lld/ack", help);
    twice(t, path, "{}", 200); covered++;
    twice(t, "/v1/heartbeat", "{\"version\":\"0.1.0\",\"uptime_s\":12,\"mode\":\"hall\"}", 200); covered++;
    twice(t, "/v1/proof-of-play", "{\"plays\":[{\"content_id\":120,\"playlist_id\":0,\"kind\":\"item\","
          "\"started\":1795915800,\"shown_ms\":10000}]}", 201); covered++;
    twice(t, "/v1/demo/behaviour", "{\"mode\":\"success\",\"delay_ms\":0}", 200); covered++;

    /* Fleet: staff queue a command; the kiosk sends a screenshot and a result. */
    char staff[AUTH_TOKEN_MAX];
    assert_int_equal(auth_staff_add(db_thread(), "replay-staff", staff, sizeof staff), 0);
    as_token = staff;
    twice(t, "/v1/admin/devices/test-01/commands", "{\"kind\":\"screenshot\"}", 201); covered++;
    /* Content: a signed bundle with no assets. */
    char *bundle = hubtest_bundle_body(t, "{\"format\":1,\"version\":1,\"created\":1,"
                                       "\"expires\":4102444800,\"target\":{\"mode\":\"any\"},"
                                       "\"items\":[],\"assets\":[]}");
    twice(t, "/v1/admin/content/bundles", bundle, 201); covered++;
    free(bundle);
    /* Resident codes: issued (a retry gets the same code), checked, revoked. */
    twice(t, "/v1/admin/rescodes", "{\"resident\":1}", 201); covered++;
    q_text("SELECT code FROM rescodes WHERE revoked IS NULL", text, sizeof text);
    snprintf(path, sizeof path, "/v1/admin/rescodes/%s/revoke", text);
    twice(t, path, "{}", 200); covered++;
    /* A refund of a paid order by staff. */
    as_token = NULL;
    bill = q_int("SELECT id FROM bills WHERE status = 'unpaid' AND id NOT IN "
                 "(SELECT bill_id FROM order_bills) LIMIT 1");
    snprintf(body, sizeof body, "{\"out_trade_no\":\"REPLAY0003\",\"bill_ids\":[%lld],"
             "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}", bill);
    twice(t, "/v1/payments", body, 201);
    as_token = staff;
    twice(t, "/v1/admin/payments/REPLAY0003/refund", "{\"refund_no\":\"RF-REPLAY-1\",\"reason\":\"test\"}",
          200); covered++;
    as_token = NULL;
    rescode_t rc;
    char payload[RESCODE_MAX + 1];
    assert_int_equal(rescodes_issue(db_thread(), 1, hub_now(), 30, "replay", &rc, payload), 0);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", payload);
    twice(t, "/v1/identify/rescode", body, 200); covered++;
    long long cmd = q_int("SELECT max(id) FROM commands");
    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", cmd);
    twice(t, path, "\x89PNG\r\n\x1a\nnot really a picture", 201); covered++;
    snprintf(path, sizeof path, "/v1/commands/%lld/result", cmd);
    twice(t, path, "{\"ok\":true,\"message\":\"screenshot sent\"}", 200); covered++;

    /* Every POST route of the table was exercised; the console's take no
     * Idempotency-Key (a browser's, with a session and a CSRF token:
     * test_hub_console). */
    int posts = 0;
    for (const hub_route_t *r = hub_routes; r->method; r++)
        if (!strcmp(r->method, "POST") && !(r->flags & ROUTE_CONSOLE)) posts++;
    assert_int_equal(covered, posts);
    sqlite3_close(side);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_post_route_replays_without_effect),
    };
    return cmocka_run_group_tests_name("hub_replay", tests, NULL, NULL);
}
