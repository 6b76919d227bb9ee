/* Payment test support for the provider suites (see paytest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "api.h"
#include "db.h"
#include "paytest.h"
#include "reconcile.h"

#define RACERS_MAX 16

static int seq;                 /* paytest_create's order numbers */
static char prefix[17] = "T";

hubtest_t *paytest_hub_start(void)
{
    pay_reset();
    hubtest_t *t = hubtest_start(false);
    assert_int_equal(demo_seed_bills(db_thread()), 0);
    return t;
}

void paytest_hub_stop(hubtest_t *t)
{
    hubtest_stop(t);
    pay_reset();
}

void paytest_write_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

void paytest_alipay_secrets(alipay_sim_t *sim, const char *path, mode_t mode)
{
    char text[8192];
    snprintf(text, sizeof text, "# test keys, made by the simulator at start\napp_id = %s\ngateway = %s\n"
             "private_key = %s\nalipay_public_key = %s\n", sim_app_id(sim), sim_gateway(sim),
             sim_merchant_private(sim), sim_alipay_public(sim));
    paytest_write_file(path, text, mode);
}

void paytest_wechat_providers(hubtest_t *t, const char *wechat_text, alipay_sim_t *ali, const char *qr_provider,
                              char secrets[160], char ali_secrets[160])
{
    snprintf(secrets, 160, "%s/wechat.secrets", t->dir);
    paytest_write_file(secrets, wechat_text, 0600);
    if (!ali) {
        assert_int_equal(pay_config_key("provider", "wechat"), 0);
        assert_int_equal(pay_config_key("secrets", secrets), 0);
        return;
    }
    snprintf(ali_secrets, 160, "%s/alipay.secrets", t->dir);
    paytest_alipay_secrets(ali, ali_secrets, 0600);
    assert_int_equal(pay_config_key("provider", "alipay,wechat"), 0);
    if (qr_provider) assert_int_equal(pay_config_key("qr_provider", qr_provider), 0);
    assert_int_equal(pay_config_key("alipay_secrets", ali_secrets), 0);
    assert_int_equal(pay_config_key("wechat_secrets", secrets), 0);
}

pay_notify_t *paytest_listen_and_init(const char *path, char *url, size_t len)
{
    char err[300];
    assert_int_equal(pay_config_key("timeout_ms", "1500"), 0);
    pay_notify_t *notify = pay_notify_start("127.0.0.1", 0, err, sizeof err);
    assert_non_null(notify);
    snprintf(url, len, "http://127.0.0.1:%d%s", pay_notify_bound_port(notify), path);
    assert_int_equal(pay_config_key("notify_url", url), 0);
    if (pay_init(false, err, sizeof err) != 0) fail_msg("pay_init: %s", err);
    return notify;
}

long long paytest_q_int(const char *sql, const char *text)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), sql, -1, &st, NULL), SQLITE_OK);
    if (text) sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

long long paytest_fresh_bill(void)
{
    return paytest_q_int("SELECT MAX(id) FROM bills b WHERE status = 'unpaid' AND amount_fen > 0 AND NOT EXISTS("
                         "SELECT 1 FROM order_bills ob WHERE ob.bill_id = b.id)", NULL);
}

bool paytest_bill_paid(long long id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT status = 'paid' FROM bills WHERE id = %lld", id);
    return paytest_q_int(sql, NULL) == 1;
}

long long paytest_amount_of(const char *no)
{
    return paytest_q_int("SELECT amount_fen FROM orders WHERE out_trade_no = ?1", no);
}

void paytest_yuan(long long fen, char out[32])
{
    snprintf(out, 32, "%lld.%02lld", fen / 100, fen % 100);
}

void paytest_order_body(char *body, size_t len, const char *no, long long bill, const char *code)
{
    if (code)
        snprintf(body, len, "{\"out_trade_no\":\"%s\",\"bill_ids\":[%lld],\"method\":\"code\","
                 "\"auth_code\":\"%s\"}", no, bill, code);
    else
        snprintf(body, len, "{\"out_trade_no\":\"%s\",\"bill_ids\":[%lld],\"method\":\"qr\"}", no, bill);
}

void paytest_order_prefix(const char *p)
{
    assert_true(strlen(p) < sizeof prefix);
    snprintf(prefix, sizeof prefix, "%s", p);
}

hubtest_resp_t paytest_create(hubtest_t *t, char *no, long long bill, const char *code)
{
    char body[256];
    snprintf(no, 33, "%s-%04d", prefix, ++seq);
    paytest_order_body(body, sizeof body, no, bill, code);
    return hubtest_post(t, "/v1/payments", body);
}

void paytest_create_expect(hubtest_t *t, char *no, long long bill, const char *code, int status, const char *state)
{
    hubtest_resp_t r = paytest_create(t, no, bill, code);
    if (status) assert_int_equal(r.status, status);
    if (state) assert_string_equal(paytest_state(&r), state);
    hubtest_free(&r);
}

const char *paytest_state(const hubtest_resp_t *r)
{
    const cJSON *s = hubtest_at(r->json, "order.state");
    return cJSON_IsString(s) ? s->valuestring : "";
}

void paytest_expect_query(hubtest_t *t, const char *no, const char *state)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/payments/%s", no);
    hubtest_resp_t r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(paytest_state(&r), state);
    hubtest_free(&r);
}

hubtest_resp_t paytest_post_on(hubtest_t *t, const char *no, const char *what)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/payments/%s/%s", no, what);
    return hubtest_post(t, path, "{}");
}

void paytest_post_on_expect(hubtest_t *t, const char *no, const char *what, int status, const char *state)
{
    hubtest_resp_t r = paytest_post_on(t, no, what);
    if (status) assert_int_equal(r.status, status);
    if (state) assert_string_equal(paytest_state(&r), state);
    hubtest_free(&r);
}

typedef struct {
    hubtest_t *t;
    const char *body, *key_prefix;
    int i, status;
} racer_t;

static void *race(void *arg)
{
    racer_t *c = arg;
    char key[32];
    snprintf(key, sizeof key, "%s-%d", c->key_prefix, c->i);
    hubtest_resp_t r = hubtest_req(c->t, "POST", "/v1/payments", c->t->token, key, c->body, NULL);
    c->status = r.status;
    hubtest_free(&r);
    return NULL;
}

int paytest_race(hubtest_t *t, const char *body, const char *key_prefix, int n)
{
    racer_t c[RACERS_MAX];
    pthread_t th[RACERS_MAX];
    assert_true(n > 0 && n <= RACERS_MAX);
    for (int i = 0; i < n; i++) {
        c[i] = (racer_t){.t = t, .body = body, .key_prefix = key_prefix, .i = i};
        assert_int_equal(pthread_create(&th[i], NULL, race, &c[i]), 0);
    }
    int created = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        assert_true(c[i].status == 201 || c[i].status == 200);
        created += c[i].status == 201;
    }
    return created;
}

void paytest_today(char day[11])
{
    time_t cst = (time_t)hub_now() + 8 * 3600;
    struct tm tm;
    gmtime_r(&cst, &tm);
    strftime(day, 11, "%Y-%m-%d", &tm);
}

int paytest_reconcile(const char *day, bool json, char **text, char *err, size_t errlen)
{
    size_t len = 0;
    FILE *out = open_memstream(text, &len);
    assert_non_null(out);
    int n = reconcile_run(db_thread(), day, json, out, err, errlen);
    fclose(out);
    return n;
}

bool paytest_has_mismatch(const cJSON *section, const char *kind, const char *no)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, hubtest_at(section, "mismatches")) {
        if (strcmp(hubtest_at(m, "kind")->valuestring, kind) != 0) continue;
        if (!strcmp(hubtest_at(m, "out_trade_no")->valuestring, no)) return true;
    }
    return false;
}
