/* The fleet routes over a real socket: staff/device token separation,
 * commands delivered once with a heartbeat, results, fleet status shape and
 * online/offline, screenshots (round trip, PNG check, the 4 MiB cap). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "auth.h"
#include "db.h"
#include "hubtest.h"

typedef struct {
    hubtest_t *t;
    char staff[AUTH_TOKEN_MAX];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(true);
    assert_int_equal(auth_staff_add(db_thread(), "alice", f->staff, sizeof f->staff), 0);
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

static int key_n;
static const char *key(void)
{
    static char k[32];
    snprintf(k, sizeof k, "fleet-%d", ++key_n);
    return k;
}

static hubtest_resp_t staff_post(fx_t *f, const char *path, const char *body)
{
    return hubtest_req(f->t, "POST", path, f->staff, key(), body, NULL);
}

static hubtest_resp_t staff_get(fx_t *f, const char *path)
{
    return hubtest_req(f->t, "GET", path, f->staff, NULL, NULL, NULL);
}

/* Queues KIND for DEVICE; returns the command id. */
static long long queue(fx_t *f, const char *device, const char *kind)
{
    char path[128], body[128];
    snprintf(path, sizeof path, "/v1/admin/devices/%s/commands", device);
    snprintf(body, sizeof body, "{\"kind\": \"%s\"}", kind);
    hubtest_resp_t r = staff_post(f, path, body);
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "command.status")->valuestring, "queued");
    assert_string_equal(hubtest_at(r.json, "command.staff")->valuestring, "alice");
    long long id = (long long)hubtest_at(r.json, "command.id")->valuedouble;
    hubtest_free(&r);
    return id;
}

/* ---- binary requests (hubtest_req sends text bodies) ---------------------- */

typedef struct { char *buf; size_t len; } sink_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    sink_t *s = ud;
    s->buf = realloc(s->buf, s->len + size * n + 1);
    memcpy(s->buf + s->len, p, size * n);
    s->len += size * n;
    s->buf[s->len] = '\0';
    return size * n;
}

/* METHOD PATH as TOKEN with a binary BODY (NULL: GET); the answer in *OUT. */
static long raw_req(fx_t *f, const char *path, const char *token, const void *body,
                    size_t len, sink_t *out, char *ctype, size_t ctlen)
{
    CURL *c = curl_easy_init();
    char url[256], auth[256], k[64];
    snprintf(url, sizeof url, "%s%s", f->t->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(k, sizeof k, "Idempotency-Key: %s", key());
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, k);
    h = curl_slist_append(h, "Content-Type: image/png");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    char *ct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
    if (ctype) snprintf(ctype, ctlen, "%s", ct ? ct : "");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

/* A fake PNG of LEN bytes: the signature, then bytes with NULs in them. */
static unsigned char *fake_png(size_t len)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char *p = malloc(len);
    memcpy(p, sig, 8);
    for (size_t i = 8; i < len; i++) p[i] = (unsigned char)(i * 7);
    return p;
}

/* ---- tests ------------------------------------------------------------------ */

static void tokens_do_not_cross(void **state)
{
    fx_t *f = *state;
    /* A kiosk's token on the staff routes. */
    hubtest_resp_t r = hubtest_get(f->t, "/v1/admin/fleet");
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    r = hubtest_post(f->t, "/v1/admin/devices/test-01/commands", "{\"kind\": \"restart\"}");
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    /* A staff token on the kiosk routes. */
    r = hubtest_req(f->t, "POST", "/v1/heartbeat", f->staff, key(), "{}", NULL);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    r = hubtest_req(f->t, "POST", "/v1/commands/1/result", f->staff, key(), "{\"ok\": true}", NULL);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    /* No token. */
    r = hubtest_req(f->t, "GET", "/v1/admin/fleet", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
}

static void command_delivered_once_and_result_stored(void **state)
{
    fx_t *f = *state;
    long long id = queue(f, "test-01", "reload_content");

    /* Another kiosk's heartbeat does not get it. */
    hubtest_resp_t r = hubtest_req(f->t, "POST", "/v1/heartbeat", f->t->token2, key(), "{}", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "commands")), 0);
    hubtest_free(&r);

    const char *k = "hb-once-1";
    r = hubtest_req(f->t, "POST", "/v1/heartbeat", f->t->token, k, "{\"interval_s\": 5}", NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal((int)hubtest_at(r.json, "interval_s")->valuedouble, 5);
    cJSON *cmds = cJSON_GetObjectItem(r.json, "commands");
    assert_int_equal(cJSON_GetArraySize(cmds), 1);
    cJSON *c0 = cJSON_GetArrayItem(cmds, 0);
    assert_int_equal((long long)cJSON_GetObjectItem(c0, "id")->valuedouble, id);
    assert_string_equal(cJSON_GetObjectItem(c0, "kind")->valuestring, "reload_content");
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(c0, "args")));
    hubtest_free(&r);

    /* A replay of that heartbeat repeats it; a new heartbeat does not. */
    r = hubtest_req(f->t, "POST", "/v1/heartbeat", f->t->token, k, "{\"interval_s\": 5}", NULL);
    assert_true(r.replayed);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "commands")), 1);
    hubtest_free(&r);
    r = hubtest_post(f->t, "/v1/heartbeat", "{\"interval_s\": 5}");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "commands")), 0);
    hubtest_free(&r);

    char path[96];
    snprintf(path, sizeof path, "/v1/admin/commands/%lld", id);
    r = staff_get(f, path);
    assert_string_equal(hubtest_at(r.json, "command.status")->valuestring, "delivered");
    hubtest_free(&r);

    /* Another kiosk cannot answer it. */
    snprintf(path, sizeof path, "/v1/commands/%lld/result", id);
    r = hubtest_req(f->t, "POST", path, f->t->token2, key(), "{\"ok\": true}", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_command");
    hubtest_free(&r);
    r = hubtest_post(f->t, path, "{\"ok\": true, \"message\": \"call 13812345678\"}");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "personal_data");
    hubtest_free(&r);
    r = hubtest_post(f->t, path, "{\"message\": \"x\"}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = hubtest_post(f->t, path, "{\"ok\": false, \"message\": \"no content\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "command.status")->valuestring, "done");
    hubtest_free(&r);
    r = hubtest_post(f->t, path, "{\"ok\": true}");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "command_done");
    hubtest_free(&r);

    snprintf(path, sizeof path, "/v1/admin/commands/%lld", id);
    r = staff_get(f, path);
    assert_int_equal(r.status, 200);
    assert_false(cJSON_IsTrue(hubtest_at(r.json, "command.ok")));
    assert_string_equal(hubtest_at(r.json, "command.message")->valuestring, "no content");
    hubtest_free(&r);
}

/* The number of commands in a heartbeat's answer for test-01 (a new key). */
static int heartbeat_commands(fx_t *f, long long *first_id)
{
    hubtest_resp_t r = hubtest_post(f->t, "/v1/heartbeat", "{\"interval_s\": 60}");
    assert_int_equal(r.status, 200);
    cJSON *cmds = cJSON_GetObjectItem(r.json, "commands");
    int n = cJSON_GetArraySize(cmds);
    if (n && first_id) *first_id = (long long)cJSON_GetObjectItem(cJSON_GetArrayItem(cmds, 0), "id")->valuedouble;
    hubtest_free(&r);
    return n;
}

static const char *command_status(fx_t *f, long long id, char *buf, size_t len, int *deliveries)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/admin/commands/%lld", id);
    hubtest_resp_t r = staff_get(f, path);
    snprintf(buf, len, "%s", hubtest_at(r.json, "command.status")->valuestring);
    if (deliveries) *deliveries = (int)hubtest_at(r.json, "command.deliveries")->valuedouble;
    hubtest_free(&r);
    return buf;
}

/* A command whose answer never reached the kiosk (no result comes) is
 * handed out again after FLEET_REDELIVER_S, FLEET_DELIVERIES times in all,
 * then shown as unanswered; one with a result is never handed out again. */
static void shift(long long *moved, long long s)
{
    hub_time_shift(s);
    *moved += s;
}

static void command_redelivered_until_answered(void **state)
{
    fx_t *f = *state;
    long long moved = 0;
    char st[32];
    int n;
    long long lost = queue(f, "test-01", "screenshot"), got = 0;
    assert_int_equal(heartbeat_commands(f, &got), 1);
    assert_int_equal(got, lost);
    /* Not again at once: the kiosk may be working on it. */
    shift(&moved, FLEET_REDELIVER_S - 10);
    assert_int_equal(heartbeat_commands(f, NULL), 0);
    for (int i = 2; i <= FLEET_DELIVERIES; i++) {
        shift(&moved, 11);
        got = 0;
        assert_int_equal(heartbeat_commands(f, &got), 1);
        assert_int_equal(got, lost);
        assert_string_equal(command_status(f, lost, st, sizeof st, &n), "delivered");
        assert_int_equal(n, i);
        shift(&moved, FLEET_REDELIVER_S - 11);
    }
    shift(&moved, 11);
    assert_int_equal(heartbeat_commands(f, NULL), 0);
    assert_string_equal(command_status(f, lost, st, sizeof st, &n), "unanswered");
    assert_int_equal(n, FLEET_DELIVERIES);

    /* Answered: never handed out again. */
    long long answered = queue(f, "test-01", "reload_content");
    assert_int_equal(heartbeat_commands(f, NULL), 1);
    char path[96];
    snprintf(path, sizeof path, "/v1/commands/%lld/result", answered);
    hubtest_resp_t r = hubtest_post(f->t, path, "{\"ok\": true}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    shift(&moved, FLEET_REDELIVER_S + 1);
    assert_int_equal(heartbeat_commands(f, NULL), 0);
    assert_string_equal(command_status(f, answered, st, sizeof st, &n), "done");
    assert_int_equal(n, 1);
    hub_time_shift(-moved);   /* back, for the suites after */
}

static void command_validation(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = staff_post(f, "/v1/admin/devices/nobody/commands", "{\"kind\": \"restart\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_device");
    hubtest_free(&r);
    r = staff_post(f, "/v1/admin/devices/alice/commands", "{\"kind\": \"restart\"}");
    assert_int_equal(r.status, 404);            /* a staff member is no kiosk */
    hubtest_free(&r);
    r = staff_post(f, "/v1/admin/devices/test-01/commands", "{\"kind\": \"Rm -rf\"}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = staff_post(f, "/v1/admin/devices/test-01/commands", "{\"kind\": \"restart\", \"args\": [1]}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = staff_post(f, "/v1/admin/devices/test-01/commands", "{}");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "missing_field");
    hubtest_free(&r);
}

/* update carries exactly one Debian version: what apt will be asked for on
 * the kiosk, so anything else is refused to staff at once. */
static void update_command_validation(void **state)
{
    fx_t *f = *state;
    const char *path = "/v1/admin/devices/test-01/commands";
    hubtest_resp_t r = staff_post(f, path, "{\"kind\": \"update\"}");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "missing_field");
    hubtest_free(&r);
    static const char *const bad[] = {
        "\"\"", "\"v1.0\"", "\"1.0;reboot\"", "\"1:1.0\"", "\"1.0-\"", "\"1.0 \"", "2", "null",
        "\"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0\"",          /* 33 characters */
        "\"0.2.0\", \"force\": true",                   /* nothing but version */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"kind\": \"update\", \"args\": {\"version\": %s}}", bad[i]);
        r = staff_post(f, path, body);
        if (r.status != 422) fail_msg("accepted %s", body);
        assert_string_equal(hubtest_error_code(&r), "invalid_field");
        hubtest_free(&r);
    }
    r = staff_post(f, path, "{\"kind\": \"update\", \"args\": {\"version\": \"0.2.0+b1~rc1-3\"}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "command.kind")->valuestring, "update");
    assert_string_equal(hubtest_at(r.json, "command.args.version")->valuestring, "0.2.0+b1~rc1-3");
    hubtest_free(&r);
    /* Other kinds keep free arguments (a newer kiosk may know them). */
    r = staff_post(f, path, "{\"kind\": \"restart\", \"args\": {\"version\": \"x\"}}");
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
}

/* The outcome the kiosk's heartbeat reports shows in the fleet, checked. */
static void update_outcome_in_the_fleet(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = hubtest_post(f->t, "/v1/heartbeat",
        "{\"version\": \"0.2.0\", \"interval_s\": 10, \"update_outcome\": \"exploded\"}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = hubtest_post(f->t, "/v1/heartbeat",
        "{\"version\": \"0.2.0\", \"interval_s\": 10, \"update_command\": \"7\"}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = hubtest_post(f->t, "/v1/heartbeat",
        "{\"version\": \"0.2.0\", \"interval_s\": 10, \"update_outcome\": \"rolled_back\","
        " \"update_version\": \"0.3.0\", \"update_command\": 7}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = staff_get(f, "/v1/admin/fleet");
    assert_int_equal(r.status, 200);
    const cJSON *k;
    bool seen = false;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(r.json, "kiosks")) {
        const char *id = cJSON_GetObjectItem(k, "id")->valuestring;
        assert_non_null(cJSON_GetObjectItem(k, "group"));         /* null or the kiosk's group */
        if (strcmp(id, "test-01") != 0) continue;
        seen = true;
        assert_string_equal(hubtest_at(k, "version")->valuestring, "0.2.0");
        assert_string_equal(hubtest_at(k, "update.outcome")->valuestring, "rolled_back");
        assert_string_equal(hubtest_at(k, "update.version")->valuestring, "0.3.0");
        assert_int_equal((int)hubtest_at(k, "update.command")->valuedouble, 7);
    }
    assert_true(seen);
    hubtest_free(&r);
    /* A heartbeat without an outcome: the fleet says so (null). */
    r = hubtest_post(f->t, "/v1/heartbeat", "{\"version\": \"0.2.0\", \"interval_s\": 10}");
    hubtest_free(&r);
    r = staff_get(f, "/v1/admin/fleet");
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(r.json, "kiosks"))
        if (!strcmp(cJSON_GetObjectItem(k, "id")->valuestring, "test-01"))
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(k, "update")));
    hubtest_free(&r);
}

static void fleet_shape_online_offline_faults(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = hubtest_post(f->t, "/v1/heartbeat",
        "{\"version\": \"0.1.0\", \"interval_s\": 10, \"mode\": \"hall\", \"screen\": \"home\","
        " \"content_version\": \"abc\", \"printer\": \"offline\", \"reader\": \"ok\","
        " \"paper\": \"low\", \"dead_letters\": 2, \"disk_free_mb\": 100, \"uptime_s\": 7}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);

    r = staff_get(f, "/v1/admin/fleet");
    assert_int_equal(r.status, 200);
    cJSON *ks = cJSON_GetObjectItem(r.json, "kiosks");
    assert_true(cJSON_IsArray(ks));
    const cJSON *k1 = NULL, *k2 = NULL, *k;
    cJSON_ArrayForEach(k, ks) {
        const char *id = cJSON_GetObjectItem(k, "id")->valuestring;
        if (!strcmp(id, "test-01")) k1 = k;
        if (!strcmp(id, "test-02")) k2 = k;
        assert_string_not_equal(id, "alice");   /* staff are not kiosks */
    }
    assert_non_null(k1);
    assert_non_null(k2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(k1, "online")));
    assert_int_equal((int)cJSON_GetObjectItem(k1, "interval_s")->valuedouble, 10);
    assert_string_equal(cJSON_GetObjectItem(k1, "content_version")->valuestring, "abc");
    assert_string_equal(cJSON_GetObjectItem(k1, "version")->valuestring, "0.1.0");
    assert_string_equal(cJSON_GetObjectItem(k1, "screen")->valuestring, "home");
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(k1, "last_heartbeat")));
    char *faults = cJSON_PrintUnformatted(cJSON_GetObjectItem(k1, "faults"));
    assert_string_equal(faults, "[\"printer_not_ready\",\"paper_low\",\"dead_letters\",\"disk_low\"]");
    free(faults);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(k2, "online")));   /* beat in an earlier test */
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(r.json, "total")));
    hubtest_free(&r);

    /* 31 s later: more than 3 intervals of 10 s. */
    hub_time_shift(31);
    r = staff_get(f, "/v1/admin/fleet");
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(r.json, "kiosks"))
        if (!strcmp(cJSON_GetObjectItem(k, "id")->valuestring, "test-01"))
            assert_false(cJSON_IsTrue(cJSON_GetObjectItem(k, "online")));
    hubtest_free(&r);
    hub_time_shift(-31);
}

static void screenshot_round_trip_and_cap(void **state)
{
    fx_t *f = *state;
    long long id = queue(f, "test-01", "screenshot");
    long long other = queue(f, "test-01", "restart");
    char path[96], ct[64];
    sink_t out = {0};
    size_t n = 300 * 1024;                   /* over the JSON cap, under the route's */
    unsigned char *png = fake_png(n);

    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", other);
    assert_int_equal(raw_req(f, path, f->t->token, png, n, &out, NULL, 0), 404);
    free(out.buf), out = (sink_t){0};
    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", id);
    assert_int_equal(raw_req(f, path, f->t->token2, png, n, &out, NULL, 0), 404);
    free(out.buf), out = (sink_t){0};
    assert_int_equal(raw_req(f, path, f->t->token, "not a png", 9, &out, NULL, 0), 422);
    free(out.buf), out = (sink_t){0};
    assert_int_equal(raw_req(f, path, f->t->token, png, n, &out, NULL, 0), 201);
    cJSON *j = cJSON_Parse(out.buf);
    long long shot = (long long)hubtest_at(j, "screenshot.id")->valuedouble;
    assert_int_equal((long long)hubtest_at(j, "screenshot.bytes")->valuedouble, (long long)n);
    cJSON_Delete(j);
    free(out.buf), out = (sink_t){0};

    /* One picture per command: a second upload is refused. */
    assert_int_equal(raw_req(f, path, f->t->token, png, n, &out, NULL, 0), 409);
    assert_non_null(strstr(out.buf, "screenshot_taken"));
    free(out.buf), out = (sink_t){0};

    snprintf(path, sizeof path, "/v1/admin/screenshots/%lld", shot);
    assert_int_equal(raw_req(f, path, f->staff, NULL, 0, &out, ct, sizeof ct), 200);
    assert_string_equal(ct, "image/png");
    assert_int_equal(out.len, n);
    assert_memory_equal(out.buf, png, n);
    free(out.buf), out = (sink_t){0};
    assert_int_equal(raw_req(f, path, f->t->token, NULL, 0, &out, NULL, 0), 401);
    free(out.buf), out = (sink_t){0};
    assert_int_equal(raw_req(f, "/v1/admin/screenshots/99999", f->staff, NULL, 0, &out, NULL, 0), 404);
    free(out.buf), out = (sink_t){0};

    snprintf(path, sizeof path, "/v1/admin/commands/%lld", id);
    hubtest_resp_t r = staff_get(f, path);
    assert_int_equal((long long)hubtest_at(r.json, "command.screenshot")->valuedouble, shot);
    hubtest_free(&r);

    /* Over 4 MiB: 413, nothing stored. */
    free(png);
    n = 4 * 1024 * 1024 + 1;
    png = fake_png(n);
    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", id);
    assert_int_equal(raw_req(f, path, f->t->token, png, n, &out, NULL, 0), 413);
    assert_non_null(strstr(out.buf, "body_too_large"));
    free(out.buf), out = (sink_t){0};
    free(png);

    /* The JSON routes keep the 64 KiB cap. */
    char *big = malloc(70000);
    memset(big, ' ', 69999);
    big[0] = '{';
    big[69998] = '}';
    big[69999] = '\0';
    r = hubtest_post(f->t, "/v1/heartbeat", big);
    assert_int_equal(r.status, 413);
    hubtest_free(&r);
    free(big);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_do_not_cross),
        cmocka_unit_test(command_delivered_once_and_result_stored),
        cmocka_unit_test(command_redelivered_until_answered),
        cmocka_unit_test(command_validation),
        cmocka_unit_test(update_command_validation),
        cmocka_unit_test(update_outcome_in_the_fleet),
        cmocka_unit_test(fleet_shape_online_offline_faults),
        cmocka_unit_test(screenshot_round_trip_and_cap),
    };
    return cmocka_run_group_tests_name("hub_fleet", tests, setup, teardown);
}
