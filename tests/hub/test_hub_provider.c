/* The payment provider layer (hub/pay.h): a hub without --demo and without
 * a provider takes no money and changes nothing (503 payment_unavailable on
 * every payment route); the demo provider exists only in a demo hub; a demo
 * QR code never points where the request's Host header says. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "db.h"
#include "hubtest.h"
#include "pay.h"
#include "pay_sign.h"

/* One integer from the hub's database (the test's own connection). */
static long long q_int(const char *sql)
{
    return db_int(db_thread(), sql, NULL, -1);
}

/* A hub without --demo whose database holds the demo bills (as a real
 * hub's would hold real ones). */
static int setup_real(void **state)
{
    pay_reset();
    hubtest_t *t = hubtest_start(false);
    assert_int_equal(demo_seed_bills(db_thread()), 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    hubtest_stop(*state);
    pay_reset();
    return 0;
}

static void expect_unavailable(hubtest_resp_t r)
{
    assert_int_equal(r.status, 503);
    assert_string_equal(hubtest_error_code(&r), "payment_unavailable");
    hubtest_free(&r);
}

static void no_provider_takes_nothing(void **state)
{
    hubtest_t *t = *state;
    long long bill = q_int("SELECT MAX(id) FROM bills WHERE status = 'unpaid' AND amount_fen > 0");
    assert_true(bill > 0);
    long long unpaid = q_int("SELECT COUNT(*) FROM bills WHERE status = 'unpaid'");
    char body[256];
    /* The case: any payment code answered SUCCESS. */
    snprintf(body, sizeof body, "{\"out_trade_no\":\"REAL-0001\",\"bill_ids\":[%lld],"
             "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}", bill);
    expect_unavailable(hubtest_post(t, "/v1/payments", body));
    snprintf(body, sizeof body, "{\"out_trade_no\":\"REAL-0002\",\"bill_ids\":[%lld],"
             "\"method\":\"qr\"}", bill);
    expect_unavailable(hubtest_req(t, "POST", "/v1/payments", t->token, "k-real-2", body,
                                   "Host: evil.example"));
    expect_unavailable(hubtest_get(t, "/v1/payments/REAL-0001"));
    expect_unavailable(hubtest_post(t, "/v1/payments/REAL-0001/close", "{}"));
    expect_unavailable(hubtest_post(t, "/v1/payments/REAL-0001/reverse", "{}"));
    assert_int_equal(q_int("SELECT COUNT(*) FROM orders"), 0);
    assert_int_equal(q_int("SELECT COUNT(*) FROM order_bills"), 0);
    assert_int_equal(q_int("SELECT COUNT(*) FROM bills WHERE status = 'unpaid'"), unpaid);
    /* The 503 is not stored as the key's answer: nothing happened. */
    assert_int_equal(q_int("SELECT COUNT(*) FROM idempotency"), 0);
    /* The demo provider's routes do not exist here. */
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/demo/pay/REAL-0001", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
}

/* Bills are still looked up: only paying needs a provider. */
static void bills_without_provider(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_get(t, "/v1/bills?utility=water&account=3702031056");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

/* An order left by an earlier configuration is not moved either. */
static void existing_order_is_left_alone(void **state)
{
    hubtest_t *t = *state;
    long long bill = q_int("SELECT MIN(id) FROM bills WHERE status = 'unpaid' AND amount_fen > 0");
    char sql[512];
    snprintf(sql, sizeof sql, "INSERT INTO orders(out_trade_no, device, method, amount_fen, state, "
             "created, updated, settle_at, settle_to) VALUES('OLD-0001', 'test-01', 'code', 100, "
             "'USERPAYING', 1, 1, 2, 'SUCCESS'); INSERT INTO order_bills VALUES('OLD-0001', %lld);", bill);
    assert_int_equal(db_exec(db_thread(), sql), 0);
    expect_unavailable(hubtest_get(t, "/v1/payments/OLD-0001"));
    expect_unavailable(hubtest_post(t, "/v1/payments/OLD-0001/reverse", "{}"));
    assert_int_equal(q_int("SELECT state = 'USERPAYING' FROM orders WHERE out_trade_no = 'OLD-0001'"), 1);
    snprintf(sql, sizeof sql, "SELECT status = 'unpaid' FROM bills WHERE id = %lld", bill);
    assert_int_equal(q_int(sql), 1);
}

static void provider_setting(void **state)
{
    char err[300];
    pay_reset();
    assert_int_equal(pay_kind(false), PAY_NONE);
    assert_int_equal(pay_kind(true), PAY_DEMO);
    assert_int_equal(pay_config_key("provider", "demo"), 0);
    assert_int_not_equal(pay_init(false, err, sizeof err), 0);
    assert_non_null(strstr(err, "--demo"));
    assert_int_equal(pay_kind(false), PAY_NONE);
    assert_int_equal(pay_init(true, err, sizeof err), 0);
    assert_int_equal(pay_kind(true), PAY_DEMO);
    assert_int_equal(pay_config_key("provider", "none"), 0);
    assert_int_equal(pay_kind(true), PAY_NONE);
    assert_int_not_equal(pay_config_key("provider", "cash"), 0);
    assert_int_not_equal(pay_config_key("color", "blue"), 0);
    assert_int_not_equal(pay_config_key("notify_url", "ftp://x"), 0);
    assert_int_not_equal(pay_config_key("notify_url", "https://a b"), 0);
    assert_int_equal(pay_config_key("notify_url", "https://pay.example.org/alipay"), 0);
    assert_string_equal(pay_notify_url(), "https://pay.example.org/alipay");
    assert_int_not_equal(pay_config_key("timeout_ms", "5"), 0);
    assert_int_equal(pay_config_key("timeout_ms", "3000"), 0);
    assert_int_equal(pay_timeout_ms(), 3000);
    pay_reset();
}

/* Demo hub: code_url is the hub's own address (or demo_base_url), whatever
 * Host the client sends. */
static void demo_code_url_ignores_host(void **state)
{
    pay_reset();
    hubtest_t *t = hubtest_start(true);
    long long bill = q_int("SELECT MAX(id) FROM bills WHERE status = 'unpaid' AND amount_fen > 0");
    char body[256], want[160];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"DEMO-0001\",\"bill_ids\":[%lld],"
             "\"method\":\"qr\"}", bill);
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/payments", t->token, "k-demo-1", body,
                                   "Host: evil.example");
    assert_int_equal(r.status, 201);
    snprintf(want, sizeof want, "%s/v1/demo/pay/DEMO-0001", t->base);
    assert_string_equal(hubtest_at(r.json, "order.code_url")->valuestring, want);
    hubtest_free(&r);
    assert_int_equal(pay_config_key("demo_base_url", "https://kiosk-demo.example/"), 0);
    bill = q_int("SELECT MIN(id) FROM bills WHERE status = 'unpaid' AND amount_fen > 0");
    snprintf(body, sizeof body, "{\"out_trade_no\":\"DEMO-0002\",\"bill_ids\":[%lld],"
             "\"method\":\"qr\"}", bill);
    r = hubtest_post(t, "/v1/payments", body);
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "order.code_url")->valuestring,
                        "https://kiosk-demo.example/v1/demo/pay/DEMO-0002");
    hubtest_free(&r);
    hubtest_stop(t);
    pay_reset();
}

/* The text forms of Alipay's signatures (hub/pay_sign.c). */
static void signing_texts(void **state)
{
    const char *text = "{\"alipay_trade_pay_response\":{\"code\":\"10000\",\"msg\":\"}\\\"{\","
                       "\"n\":[1,{\"k\":2}]} ,\"sign\":\"abc\"}";
    const char *at;
    size_t len;
    assert_int_equal(pay_json_member(text, "alipay_trade_pay_response", &at, &len), 0);
    assert_int_equal((int)len, (int)strlen("{\"code\":\"10000\",\"msg\":\"}\\\"{\",\"n\":[1,{\"k\":2}]}"));
    assert_memory_equal(at, "{\"code\":\"10000\",", 16);
    assert_int_equal(pay_json_member(text, "sign", &at, &len), 0);
    assert_int_equal((int)len, 5);
    assert_int_equal(pay_json_member(text, "other", &at, &len), -1);
    assert_int_equal(pay_json_member("{\"a\":{\"b\":1", "a", &at, &len), -1);
    assert_int_equal(pay_json_member("[1]", "a", &at, &len), -1);

    pay_params_t ps = {0};
    const char *body = "b=x+y&a=1%2B2&sign=S&empty=&sign_type=RSA2";
    assert_int_equal(pay_form_parse(body, strlen(body), &ps), 0);
    assert_string_equal(pay_params_get(&ps, "a"), "1+2");
    assert_string_equal(pay_params_get(&ps, "b"), "x y");
    static const char *const skip[] = {"sign", "sign_type", NULL};
    char *c = pay_sign_content(&ps, skip);
    assert_string_equal(c, "a=1+2&b=x y");
    free(c);
    char *form = pay_form_encode(&ps);
    pay_params_t back = {0};
    assert_int_equal(pay_form_parse(form, strlen(form), &back), 0);
    assert_string_equal(pay_params_get(&back, "a"), "1+2");
    free(form);
    pay_params_free(&back);
    pay_params_free(&ps);
    assert_int_equal(pay_form_parse("a=%zz", 5, &ps), -1);
    assert_int_equal(pay_form_parse("a=%00", 5, &ps), -1);
    assert_int_equal(pay_form_parse("a=%4", 4, &ps), -1);
    assert_int_equal(pay_form_parse("novalue", 7, &ps), -1);
    assert_null(pay_key_private("bm90IGEga2V5"));
    assert_null(pay_key_public("!!!"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_provider_takes_nothing, setup_real, teardown),
        cmocka_unit_test_setup_teardown(bills_without_provider, setup_real, teardown),
        cmocka_unit_test_setup_teardown(existing_order_is_left_alone, setup_real, teardown),
        cmocka_unit_test(provider_setting),
        cmocka_unit_test(demo_code_url_ignores_host),
        cmocka_unit_test(signing_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
