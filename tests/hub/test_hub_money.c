/* The money path's guarantees below the handlers: payments commit at
 * synchronous=FULL (an acknowledged payment survives a power cut), and an
 * idempotency record keeps a keyed fingerprint of method, path and body
 * (never a plain hash of a body that may hold an ID number); the records
 * of before (a plain SHA-256, migration 12) are keyed and still matched;
 * a bill is in one open order at most (in the schema), and an open order
 * holds its bills two hours at most. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "hubtest.h"
#include "server.h"

static int setup(void **state) { *state = hubtest_start(true); return 0; }
static int teardown(void **state) { hubtest_stop(*state); return 0; }

#define HOLD_TEST_S 7200     /* api_payments.c HOLD_MAX_S, as docs/api.md says */

static long long q_int(const char *sql) { return db_int(db_thread(), sql, NULL, -1); }

static void sha256_hex(const char *s, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void fingerprint_is_keyed_and_covers_the_route(void **state)
{
    hubtest_t *t = *state;
    const char *body = "{\"by\":\"id_number\",\"id_number\":\"370203196803120315\"}";
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token, "fp-1", body, NULL);
    assert_true(r.status == 200 || r.status == 404);
    hubtest_free(&r);
    char plain[65], sql[256];
    sha256_hex(body, plain);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM idempotency WHERE key = 'fp-1' AND "
             "body_hash LIKE 'k2:%%' AND body_hash NOT LIKE '%%%s%%'", plain);
    assert_int_equal(q_int(sql), 1);
    /* The same key and body on another route is another request. */
    r = hubtest_req(t, "POST", "/v1/housekeeping/bookings/lookup", t->token, "fp-1", body, NULL);
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "idempotency_key_reused");
    hubtest_free(&r);
    /* The same request again is a replay. */
    r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token, "fp-1", body, NULL);
    assert_true(r.replayed);
    hubtest_free(&r);
}

/* A record a hub before migration 12 kept, as the migration leaves it. */
static void legacy_fingerprint_still_matches(void **state)
{
    hubtest_t *t = *state;
    const char *body = "{\"kind\":\"plain\"}";
    char plain[65], sql[512];
    sha256_hex(body, plain);
    snprintf(sql, sizeof sql, "INSERT INTO idempotency(device, key, body_hash, status, response, created) "
             "VALUES('test-01', 'old-1', '%s', 201, '{\"old\":true}', %lld)", plain, (long long)HUBTEST_NOW);
    assert_int_equal(db_exec(db_thread(), sql), 0);
    /* The migration's own statement, run again on the plain row. */
    assert_int_equal(db_exec(db_thread(), "UPDATE idempotency SET body_hash = 'k1:' || "
                             "pii_hash('idem-v1', body_hash) WHERE body_hash NOT LIKE 'k_:%'"), 0);
    assert_int_equal(q_int("SELECT COUNT(*) FROM idempotency WHERE key = 'old-1' AND body_hash LIKE 'k1:%'"), 1);
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/help", t->token, "old-1", body, NULL);
    assert_true(r.replayed);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    r = hubtest_req(t, "POST", "/v1/help", t->token, "old-1", "{\"kind\":\"other\"}", NULL);
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
}

/* The statements a connection ran, in order. */
static char trace_log[16384];

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)ctx, (void)x;
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);
    size_t n = strlen(trace_log);
    if (sql && n + strlen(sql) + 2 < sizeof trace_log) snprintf(trace_log + n, sizeof trace_log - n, "%s\n", sql);
    return 0;
}

static void payment_commits_at_full(void **state)
{
    hubtest_t *t = *state;
    sqlite3 *db = db_thread();
    long long bill = q_int("SELECT MIN(id) FROM bills WHERE status = 'unpaid'");
    char body[200], auth[200];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"FULL-0001\",\"bill_ids\":[%lld],"
             "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}", bill);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", t->token);
    const char *headers[] = {auth, "Idempotency-Key: full-1", NULL};
    trace_log[0] = '\0';
    sqlite3_trace_v2(db, SQLITE_TRACE_STMT, on_trace, NULL);
    hub_resp_t r = hub_handle(t->hub, "POST", "/v1/payments", headers, body, strlen(body));
    sqlite3_trace_v2(db, 0, NULL, NULL);
    assert_int_equal(r.status, 201);
    free(r.body);
    const char *full = strstr(trace_log, "PRAGMA synchronous=FULL");
    const char *begin = strstr(trace_log, "BEGIN IMMEDIATE");
    const char *commit = strstr(trace_log, "COMMIT");
    const char *back = strstr(trace_log, "PRAGMA synchronous=1");
    assert_non_null(full);
    assert_non_null(begin);
    assert_non_null(commit);
    assert_non_null(back);
    assert_true(full < begin && begin < commit && commit < back);
    assert_int_equal(q_int("PRAGMA synchronous"), 1);      /* other routes: NORMAL */
    assert_int_equal(q_int("SELECT COUNT(*) FROM bills WHERE status = 'paid' AND paid_order = 'FULL-0001'"), 1);
}

static int create_code(hubtest_t *t, const char *token, const char *no, long long bill, const char *key)
{
    char body[200];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\",\"bill_ids\":[%lld],"
             "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}", no, bill);
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/payments", token, key, body, NULL);
    int status = r.status;
    hubtest_free(&r);
    return status;
}

static void open_orders_hold_bills_two_hours_at_most(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_post(t, "/v1/demo/behaviour", "{\"mode\":\"userpaying\",\"settle_s\":0}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    long long bill = q_int("SELECT MIN(id) FROM bills WHERE status = 'unpaid'");
    assert_int_equal(create_code(t, t->token, "HOLD-0001", bill, "hold-1"), 201);
    /* Another device cannot take the bill while the payer may still confirm. */
    assert_int_equal(create_code(t, t->token2, "HOLD-0002", bill, "hold-2"), 409);
    hub_time_shift(HOLD_TEST_S - 60);
    assert_int_equal(create_code(t, t->token2, "HOLD-0003", bill, "hold-3"), 409);
    /* Two hours on, nobody confirmed: the order closes and frees the bill. */
    hub_time_shift(61);
    assert_int_equal(create_code(t, t->token2, "HOLD-0004", bill, "hold-4"), 201);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT state = 'CLOSED' FROM orders WHERE out_trade_no = 'HOLD-0001'");
    assert_int_equal(q_int(sql), 1);
    /* QR orders: expire_s beyond the bound is refused. */
    r = hubtest_post(t, "/v1/demo/behaviour", "{\"expire_s\":7201}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
}

/* Whatever code inserts it, a bill in an open order cannot join another. */
static void schema_keeps_one_open_order_per_bill(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_post(t, "/v1/demo/behaviour", "{\"mode\":\"userpaying\",\"settle_s\":0}");
    hubtest_free(&r);
    long long bill = q_int("SELECT MIN(id) FROM bills WHERE status = 'unpaid'");
    assert_int_equal(create_code(t, t->token, "ONE-0001", bill, "one-1"), 201);
    char sql[400];
    snprintf(sql, sizeof sql, "INSERT INTO orders(out_trade_no, device, method, amount_fen, state, created, "
             "updated) VALUES('ONE-0002', 'test-02', 'qr', 1, 'NOTPAY', 0, 0);"
             "INSERT INTO order_bills(out_trade_no, bill_id) VALUES('ONE-0002', %lld)", bill);
    assert_int_not_equal(db_exec(db_thread(), sql), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM order_bills WHERE bill_id = %lld", bill);
    assert_int_equal(q_int(sql), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fingerprint_is_keyed_and_covers_the_route, setup, teardown),
        cmocka_unit_test_setup_teardown(legacy_fingerprint_still_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(payment_commits_at_full, setup, teardown),
        cmocka_unit_test_setup_teardown(open_orders_hold_bills_two_hours_at_most, setup, teardown),
        cmocka_unit_test_setup_teardown(schema_keeps_one_open_order_per_bill, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
