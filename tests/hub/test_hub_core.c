/* The hub's framework over a real socket: routing, authentication,
 * idempotency, limits and error bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <stdlib.h>
#include "hubtest.h"

static int setup(void **state) { *state = hubtest_start(true); return 0; }
static int teardown(void **state) { hubtest_stop(*state); return 0; }

static void health_needs_no_token(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/health", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "status")->valuestring, "ok");
    hubtest_free(&r);
}

static void unknown_routes_and_methods(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_get(t, "/v1/nothing/here");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "not_found");
    hubtest_free(&r);
    r = hubtest_req(t, "DELETE", "/v1/health", t->token, NULL, NULL, NULL);
    assert_int_equal(r.status, 405);
    hubtest_free(&r);
    r = hubtest_get(t, "//v1//health");
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
}

static void tokens_are_checked(void **state)
{
    hubtest_t *t = *state;
    const char *bad[] = {NULL, "test-01.nope", "test-01.0000000000000000000000000000000000000000000000000000000000000000",
                         "nobody.0000000000000000000000000000000000000000000000000000000000000000", ""};
    for (int i = 0; i < 5; i++) {
        hubtest_resp_t r = hubtest_req(t, "GET", "/v1/content", bad[i], NULL, NULL, NULL);
        assert_int_equal(r.status, 401);
        assert_string_equal(hubtest_error_code(&r), "unauthorized");
        hubtest_free(&r);
    }
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/content", t->token, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

static void post_needs_key_and_json_object(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/heartbeat", t->token, NULL, "{}", NULL);
    assert_int_equal(r.status, 400);
    assert_string_equal(hubtest_error_code(&r), "idempotency_key");
    hubtest_free(&r);
    r = hubtest_req(t, "POST", "/v1/heartbeat", t->token, "bad key!", "{}", NULL);
    assert_int_equal(r.status, 400);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/heartbeat", "{\"version\":");
    assert_int_equal(r.status, 400);
    assert_string_equal(hubtest_error_code(&r), "malformed_json");
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/heartbeat", "[1,2]");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/heartbeat", "{} trailing");
    assert_int_equal(r.status, 400);
    hubtest_free(&r);
}

static void oversized_body_gets_413(void **state)
{
    hubtest_t *t = *state;
    size_t n = HUB_MAX_BODY + 100;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    hubtest_resp_t r = hubtest_post(t, "/v1/heartbeat", big);
    assert_int_equal(r.status, 413);
    assert_string_equal(hubtest_error_code(&r), "body_too_large");
    hubtest_free(&r);
    free(big);
}

static void replay_returns_first_response(void **state)
{
    hubtest_t *t = *state;
    const char *body = "{\"version\":\"0.1.0\",\"uptime_s\":5,\"mode\":\"hall\",\"screen\":\"home\"}";
    hubtest_resp_t a = hubtest_req(t, "POST", "/v1/heartbeat", t->token, "hb-same-key", body, NULL);
    assert_int_equal(a.status, 200);
    assert_false(a.replayed);
    hubtest_resp_t b = hubtest_req(t, "POST", "/v1/heartbeat", t->token, "hb-same-key", body, NULL);
    assert_int_equal(b.status, 200);
    assert_true(b.replayed);
    assert_string_equal(a.body, b.body);
    /* Same key, other body: refused. */
    hubtest_resp_t c = hubtest_req(t, "POST", "/v1/heartbeat", t->token, "hb-same-key",
                                   "{\"version\":\"9\"}", NULL);
    assert_int_equal(c.status, 422);
    assert_string_equal(hubtest_error_code(&c), "idempotency_key_reused");
    /* Keys are per device: test-02 may use the same key for its own request. */
    hubtest_resp_t d = hubtest_req(t, "POST", "/v1/heartbeat", t->token2, "hb-same-key", body, NULL);
    assert_int_equal(d.status, 200);
    assert_false(d.replayed);
    hubtest_free(&a); hubtest_free(&b); hubtest_free(&c); hubtest_free(&d);
}

static void demo_routes_need_demo_mode(void **state)
{
    hubtest_t *t = hubtest_start(false);
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/demo/pay/X1", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(health_needs_no_token),
        cmocka_unit_test(unknown_routes_and_methods),
        cmocka_unit_test(tokens_are_checked),
        cmocka_unit_test(post_needs_key_and_json_object),
        cmocka_unit_test(oversized_body_gets_413),
        cmocka_unit_test(replay_returns_first_response),
    };
    const struct CMUnitTest solo[] = {
        cmocka_unit_test(demo_routes_need_demo_mode),
    };
    int rc = cmocka_run_group_tests_name("hub_core", tests, setup, teardown);
    return rc + cmocka_run_group_tests_name("hub_core_nodemo", solo, NULL, NULL);
}
