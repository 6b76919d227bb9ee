/* Look-ups scoped to a kiosk's community (hub/scope.h): two kiosks in
 * different communities, the demo accounts of 幸福里 ("xingfuli") and the
 * one of 和平里 ("hepingli"). A kiosk sees only its community's accounts
 * (and those of none), by account, by ID number and by resident code, and
 * cannot pay a bill it cannot see; its answer for "not yours" is the very
 * bytes of "not there"; the audit keeps "out_of_area" as a miss. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "auth.h"
#include "db.h"
#include "hubtest.h"
#include "scope.h"

#define SUN_ID "370203194812030240"     /* 孙桂兰: water in xingfuli, heating in hepingli */
#define ZHANG_ID "370203196803120315"   /* 张建国: xingfuli only */
#define NOBODY_ID "370203197001010127"  /* valid check digit, no resident */

/* One answer as the wire carried it: status line and headers (the Date
 * header left out: it is the clock's, not the answer's) and the body. */
typedef struct {
    char head[2048];
    size_t head_len;
    char body[4096];
    size_t body_len;
} raw_t;

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    raw_t *r = ud;
    size_t len = sz * n;
    if (len >= 5 && !strncasecmp(p, "Date:", 5)) return len;
    if (r->head_len + len < sizeof r->head) {
        memcpy(r->head + r->head_len, p, len);
        r->head_len += len;
    }
    return len;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    raw_t *r = ud;
    size_t len = sz * n;
    if (r->body_len + len < sizeof r->body) {
        memcpy(r->body + r->body_len, p, len);
        r->body_len += len;
    }
    return len;
}

/* PATH as TOKEN, a POST of BODY with Idempotency-Key KEY (NULL: none) or
 * a GET when BODY is NULL, every byte kept. */
static raw_t *raw(hubtest_t *t, const char *path, const char *token, const char *body, const char *key)
{
    raw_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    char url[512], auth[200], idem[120];
    snprintf(url, sizeof url, "%s%s", t->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    if (key) {
        snprintf(idem, sizeof idem, "Idempotency-Key: %s", key);
        h = curl_slist_append(h, idem);
    }
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    return r;
}

static void assert_same_bytes(raw_t *a, raw_t *b)
{
    assert_int_equal(a->head_len, b->head_len);
    assert_memory_equal(a->head, b->head, a->head_len);
    assert_int_equal(a->body_len, b->body_len);
    assert_memory_equal(a->body, b->body, a->body_len);
    free(a);
    free(b);
}

static hubtest_t *start(void)
{
    hubtest_t *t = hubtest_start(true);
    sqlite3 *db = db_thread();
    assert_int_equal(scope_set_community(db, "test-01", "xingfuli"), 0);
    assert_int_equal(scope_set_community(db, "test-02", "hepingli"), 0);
    return t;
}

static long long audit_count(const char *device, const char *kind)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE device = '%s' AND kind = '%s'"
             " AND outcome = 'not_found' AND detail = '" SCOPE_OUT_OF_AREA "'", device, kind);
    return db_int(db_thread(), sql, NULL, -1);
}

static int n_accounts(hubtest_resp_t *r)
{
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r->json, "accounts"));
    hubtest_free(r);
    return n;
}

/* The rule itself. */
static void rule(void **state)
{
    assert_true(scope_visible(NULL, "xingfuli"));
    assert_true(scope_visible("", "xingfuli"));
    assert_true(scope_visible("xingfuli", NULL));
    assert_true(scope_visible("xingfuli", "xingfuli"));
    assert_false(scope_visible("xingfuli", "hepingli"));
    assert_true(scope_community_valid("xingfuli"));
    assert_false(scope_community_valid(""));
    assert_false(scope_community_valid("Xingfu Li"));
}

static void by_account(void **state)
{
    hubtest_t *t = start();
    const char *heat = "/v1/bills?utility=heating&account=60312275";
    const char *water = "/v1/bills?utility=water&account=3702030962";
    hubtest_resp_t r = hubtest_req(t, "GET", heat, t->token2, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = hubtest_req(t, "GET", water, t->token, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    /* Out of the area: 404 unknown_account, byte for byte a missing one's. */
    r = hubtest_req(t, "GET", heat, t->token, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_account");
    hubtest_free(&r);
    assert_same_bytes(raw(t, heat, t->token, NULL, NULL),
                      raw(t, "/v1/bills?utility=heating&account=60399999", t->token, NULL, NULL));
    assert_same_bytes(raw(t, water, t->token2, NULL, NULL),
                      raw(t, "/v1/bills?utility=water&account=3702099999", t->token2, NULL, NULL));
    assert_int_equal(audit_count("test-01", "bill_account"), 2);
    assert_int_equal(audit_count("test-02", "bill_account"), 1);
    /* A kiosk without a community sees every account. */
    char token3[AUTH_TOKEN_MAX];
    assert_int_equal(auth_device_add(db_thread(), "test-03", token3, sizeof token3), 0);
    r = hubtest_req(t, "GET", heat, token3, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = hubtest_req(t, "GET", water, token3, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    /* An account of no community is everyone's. */
    assert_int_equal(db_exec(db_thread(), "UPDATE accounts SET community = NULL WHERE account_no = '60312275'"), 0);
    r = hubtest_req(t, "GET", heat, t->token, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    hubtest_stop(t);
}

static void by_id_number(void **state)
{
    hubtest_t *t = start();
    const char *sun = "{\"by\":\"id_number\",\"id_number\":\"" SUN_ID "\"}";
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token, "scope-l1", sun, NULL);
    if (r.status != 200) print_message("%s\n", r.body);
    assert_int_equal(r.status, 200);
    const cJSON *u = hubtest_at(r.json, "accounts.0.utility");
    assert_string_equal(u ? u->valuestring : "", "water");
    assert_int_equal(n_accounts(&r), 1);
    r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token2, "scope-l2", sun, NULL);
    assert_int_equal(r.status, 200);
    u = hubtest_at(r.json, "accounts.0.utility");
    assert_string_equal(u ? u->valuestring : "", "heating");
    assert_int_equal(n_accounts(&r), 1);
    /* 张建国 has no account in 和平里: to test-02 he is nobody. */
    const char *zhang = "{\"by\":\"id_number\",\"id_number\":\"" ZHANG_ID "\"}";
    r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token, "scope-l3", zhang, NULL);
    assert_int_equal(n_accounts(&r), 4);
    r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token2, "scope-l4", zhang, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_resident");
    hubtest_free(&r);
    assert_same_bytes(raw(t, "/v1/bills/lookup", t->token2, zhang, "scope-r1"),
                      raw(t, "/v1/bills/lookup", t->token2,
                          "{\"by\":\"id_number\",\"id_number\":\"" NOBODY_ID "\"}", "scope-r2"));
    assert_int_equal(audit_count("test-02", "id_number"), 2);
    assert_int_equal(audit_count("test-01", "id_number"), 0);
    hubtest_stop(t);
}

static long long unpaid_bill_of(const char *account)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT id FROM bills WHERE account_id = (SELECT id FROM accounts"
             " WHERE account_no = '%s') AND status = 'unpaid' ORDER BY period LIMIT 1", account);
    return db_int(db_thread(), sql, NULL, -1);
}

static void payment_of_an_unseen_bill(void **state)
{
    hubtest_t *t = start();
    long long bill = unpaid_bill_of("3702031056");            /* 张建国's water, xingfuli */
    assert_true(bill > 0);
    char body[256];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"KIOSK02-S0001\",\"bill_ids\":[%lld],\"method\":\"qr\"}", bill);
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/payments", t->token2, "scope-1", body, NULL);
    if (r.status != 404) print_message("%s\n", r.body);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_bill");
    hubtest_free(&r);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM orders", NULL, -1), 0);
    assert_int_equal(audit_count("test-02", "payment"), 1);
    /* Byte for byte the answer for that bill number when no such bill
     * exists: the bill moved away for a moment, then back. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE bills SET id = 99999999 WHERE id = %lld", bill);
    assert_int_equal(db_exec(db_thread(), sql), 0);
    raw_t *none = raw(t, "/v1/payments", t->token2, body, "scope-3");
    snprintf(sql, sizeof sql, "UPDATE bills SET id = %lld WHERE id = 99999999", bill);
    assert_int_equal(db_exec(db_thread(), sql), 0);
    raw_t *away = raw(t, "/v1/payments", t->token2, body, "scope-4");
    assert_non_null(strstr(away->head, " 404"));
    assert_same_bytes(away, none);
    assert_int_equal(audit_count("test-02", "payment"), 2);
    /* The kiosk of its community pays it. */
    snprintf(body, sizeof body, "{\"out_trade_no\":\"KIOSK01-S0001\",\"bill_ids\":[%lld],\"method\":\"qr\"}", bill);
    r = hubtest_req(t, "POST", "/v1/payments", t->token, "scope-2", body, NULL);
    assert_int_equal(r.status / 100, 2);
    hubtest_free(&r);
    assert_int_equal(audit_count("test-01", "payment"), 0);
    hubtest_stop(t);
}

/* A resident code of 张建国 (xingfuli only) into PAYLOAD, issued by staff. */
static void issue_zhang(hubtest_t *t, char *payload, size_t len)
{
    char staff[AUTH_TOKEN_MAX];
    assert_int_equal(auth_staff_add(db_thread(), "desk", staff, sizeof staff), 0);
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/admin/rescodes", staff, "scope-i1",
                                   "{\"id_number\":\"" ZHANG_ID "\",\"days\":30}", NULL);
    if (r.status != 201) fail_msg("issue: %d %s", r.status, r.body);
    snprintf(payload, len, "%s", hubtest_at(r.json, "payload")->valuestring);
    hubtest_free(&r);
}

static void by_resident_code(void **state)
{
    hubtest_t *t = start();
    char payload[512], ok[600], forged[600], bills_ok[700], bills_forged[700];
    issue_zhang(t, payload, sizeof payload);
    snprintf(ok, sizeof ok, "{\"code\":\"%s\"}", payload);
    size_t n = strlen(payload);
    payload[n - 1] = payload[n - 1] == 'A' ? 'B' : 'A';         /* its MAC no longer matches */
    snprintf(forged, sizeof forged, "{\"code\":\"%s\"}", payload);
    payload[n - 1] = '\0';
    snprintf(bills_ok, sizeof bills_ok, "{\"by\":\"rescode\",%s", ok + 1);
    snprintf(bills_forged, sizeof bills_forged, "{\"by\":\"rescode\",%s", forged + 1);

    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/identify/rescode", t->token, "scope-c1", ok, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = hubtest_req(t, "POST", "/v1/bills/lookup", t->token, "scope-c2", bills_ok, NULL);
    assert_int_equal(n_accounts(&r), 4);
    /* To the kiosk of 和平里 the valid code is a code that is not valid. */
    r = hubtest_req(t, "POST", "/v1/identify/rescode", t->token2, "scope-c3", ok, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_resident");
    hubtest_free(&r);
    assert_same_bytes(raw(t, "/v1/identify/rescode", t->token2, ok, "scope-c4"),
                      raw(t, "/v1/identify/rescode", t->token2, forged, "scope-c5"));
    assert_same_bytes(raw(t, "/v1/bills/lookup", t->token2, bills_ok, "scope-c6"),
                      raw(t, "/v1/bills/lookup", t->token2, bills_forged, "scope-c7"));
    assert_int_equal(audit_count("test-02", "rescode"), 2);
    assert_int_equal(audit_count("test-02", "bill_rescode"), 1);
    assert_int_equal(audit_count("test-01", "rescode") + audit_count("test-01", "bill_rescode"), 0);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule),
        cmocka_unit_test(by_account),
        cmocka_unit_test(by_id_number),
        cmocka_unit_test(by_resident_code),
        cmocka_unit_test(payment_of_an_unseen_bill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
