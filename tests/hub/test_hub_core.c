/* The hub's framework over a real socket: routing, authentication,
 * idempotency, limits and error bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "hubtest.h"

/* A raw TCP connection to the hub, for clients that misbehave. */
static int raw_connect(hubtest_t *t)
{
    int port = atoi(strrchr(t->base, ':') + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

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
    /* A NUL escaped in a string is refused, not cut short: "1381\u0000..."
     * must not pass a check as "1381". An escaped backslash before u0000
     * is plain text. */
    r = hubtest_post(t, "/v1/heartbeat", "{\"screen\":\"home\\u000013812345678\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(hubtest_error_code(&r), "nul_in_string");
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/help", "{\"location\":\"hall\\u0000\",\"message\":\"x\"}");
    assert_int_equal(r.status, 400);
    assert_string_equal(hubtest_error_code(&r), "nul_in_string");
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/heartbeat", "{\"screen\":\"a\\\\u0000\"}");
    assert_int_equal(r.status, 200);
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

/* A client that sends half a request and stalls is cut off after the
 * timeout, and does not hold up anyone else meanwhile. */
static void slow_client_is_dropped(void **state)
{
    hubtest_t *t = hubtest_start_with(true, 50, 1);
    int fd = raw_connect(t);
    /* With a token: without one the hub answers 401 at the headers. */
    char part[512];
    snprintf(part, sizeof part, "POST /v1/heartbeat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Idempotency-Key: slow-1\r\nContent-Length: 100\r\n\r\n{\"ver", t->token);
    assert_true(write(fd, part, strlen(part)) > 0);
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/health", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    /* The server closes the stalled connection: read returns 0 (EOF) or an
     * error, within a few seconds. */
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    double t0 = now_s();
    ssize_t n = read(fd, buf, sizeof buf);
    assert_true(n <= 0);
    assert_true(now_s() - t0 < 4.5);
    close(fd);
    hubtest_stop(t);
}

/* Past the connection limit a request still gets a clear JSON answer. */
static void too_many_connections_get_503(void **state)
{
    hubtest_t *t = hubtest_start_with(true, 4, 10);
    int fds[6];
    for (int i = 0; i < 6; i++) fds[i] = raw_connect(t);
    usleep(200 * 1000);
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/health", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(hubtest_error_code(&r), "overloaded");
    hubtest_free(&r);
    for (int i = 0; i < 6; i++) close(fds[i]);
    usleep(300 * 1000);
    r = hubtest_req(t, "GET", "/v1/health", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    hubtest_stop(t);
}

/* Garbage on the socket is answered (or dropped) without harming the hub. */
static void garbage_request_line(void **state)
{
    hubtest_t *t = hubtest_start(false);
    int fd = raw_connect(t);
    const char *junk = "\x16\x03\x01\x02\x00 NOT HTTP AT ALL\r\n\r\n";
    assert_true(write(fd, junk, strlen(junk)) > 0);
    char buf[512];
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = '\0';
        assert_non_null(strstr(buf, "HTTP/1.1 4"));
    }
    close(fd);
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/health", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    hubtest_stop(t);
}

/* The hub's clock: --now's forms, and an anchored clock that advances with
 * the monotonic clock whatever the machine's date. */
static void clock_parse_and_anchor(void **state)
{
    int64_t t = 0;
    assert_int_equal(hub_clock_parse("1795915800", &t), 0);
    assert_int_equal(t, 1795915800);
    assert_int_equal(hub_clock_parse("2026-11-29T09:30:00+08:00", &t), 0);
    assert_int_equal(t, 1795915800);
    assert_int_equal(hub_clock_parse("2026-11-29T09:30", &t), 0);          /* China time */
    assert_int_equal(t, 1795915800);
    assert_int_equal(hub_clock_parse("2026-11-29T01:30:00Z", &t), 0);
    assert_int_equal(t, 1795915800);
    assert_int_equal(hub_clock_parse("2026-11-28T20:30:00-05:00", &t), 0);
    assert_int_equal(t, 1795915800);
    assert_int_equal(hub_clock_parse("2028-02-29", &t), 0);                /* a leap day */
    assert_int_equal(t, 1835366400);
    assert_int_equal(hub_clock_parse("2027-12-31T23:59:59+08:00", &t), 0);
    assert_int_equal(t, 1830268799);
    const char *bad[] = {"", "0", "-5", "abc", "2027-02-29", "2026-13-01", "2026-11-31",
                         "2026-11-29T24:00", "2026-11-29T09:30:00+8", "2026-11-29X", "1795915800x",
                         "2100-02-29", NULL};
    for (int i = 0; bad[i]; i++) {
        if (hub_clock_parse(bad[i], &t) == 0) fail_msg("accepted \"%s\"", bad[i]);
    }

    hub_clock_anchor(1000000000);
    int64_t a = hub_now();
    assert_true(a >= 1000000000 && a <= 1000000001);
    hub_time_shift(3600);
    assert_true(hub_now() - a >= 3600 && hub_now() - a <= 3601);
    hub_clock_anchor(0);                      /* the real clock again, shift cleared */
    assert_true(llabs(hub_now() - (int64_t)time(NULL)) <= 1);
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
        cmocka_unit_test(slow_client_is_dropped),
        cmocka_unit_test(too_many_connections_get_503),
        cmocka_unit_test(garbage_request_line),
        cmocka_unit_test(clock_parse_and_anchor),
    };
    int rc = cmocka_run_group_tests_name("hub_core", tests, setup, teardown);
    return rc + cmocka_run_group_tests_name("hub_core_nodemo", solo, NULL, NULL);
}
