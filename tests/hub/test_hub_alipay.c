/* A hub with provider = alipay against the simulated Alipay gateway
 * (tests/hub/alipay_sim.c), end to end over real sockets: QR paid through
 * the notification, payment code paid, payer waiting then paid, refused,
 * provider slow, provider gone, answers not signed by Alipay, notification
 * forged, notification before the answer, reverse, concurrent retries.
 * Every time the number of charges the simulator made is asserted (one or
 * none), and the simulator refused no request signature of the hub's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alipay_sim.h"
#include "api.h"
#include "auth.h"
#include "db.h"
#include "hubtest.h"
#include "pay.h"
#include "paytest.h"
#include "writeoff.h"

typedef struct {
    hubtest_t *t;
    alipay_sim_t *sim;
    pay_notify_t *notify;
    char notify_url[96];
    char secrets[128];
    int bad_signatures_sent;    /* by the test itself, on purpose */
} env_t;

static int setup(void **state)
{
    env_t *e = calloc(1, sizeof *e);
    e->t = paytest_hub_start();
    paytest_order_prefix("ALI");
    e->sim = sim_start();
    snprintf(e->secrets, sizeof e->secrets, "%s/alipay.secrets", e->t->dir);
    paytest_alipay_secrets(e->sim, e->secrets, 0600);
    assert_int_equal(pay_config_key("provider", "alipay"), 0);
    assert_int_equal(pay_config_key("secrets", e->secrets), 0);
    e->notify = paytest_listen_and_init("/alipay/notify", e->notify_url, sizeof e->notify_url);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    assert_int_equal(sim_bad_signatures(e->sim), e->bad_signatures_sent);
    pay_notify_stop(e->notify);
    sim_stop(e->sim);
    paytest_hub_stop(e->t);
    free(e);
    return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void qr_paid_through_the_notification(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, no, bill, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "NOTPAY");
    const cJSON *url = hubtest_at(r.json, "order.code_url");
    assert_true(cJSON_IsString(url) && !strncmp(url->valuestring, "https://qr.alipay.com/", 22));
    hubtest_free(&r);
    paytest_expect_query(e->t, no, "NOTPAY");
    assert_int_equal(sim_charges(e->sim), 0);
    assert_int_equal(sim_payer_pays(e->sim, no, true), 0);
    /* The notification alone settled it. */
    assert_int_equal(paytest_q_int("SELECT state = 'SUCCESS' FROM orders WHERE out_trade_no = ?1", no), 1);
    assert_true(paytest_bill_paid(bill));
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_int_equal(sim_charges(e->sim), 1);
    /* The same notification again changes nothing. */
    char body[16];
    assert_int_equal(sim_notify(e->sim, e->notify_url, no, "TRADE_SUCCESS", "0.01", false, body), 200);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events WHERE out_trade_no = ?1 "
                                   "AND kind = 'amount_differs'", no), 1);
    assert_int_equal(sim_charges(e->sim), 1);
}

static void code_paid_at_once(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, no, bill, PAYTEST_ALIPAY_CODE);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "SUCCESS");
    const cJSON *txn = hubtest_at(r.json, "order.transaction_id");
    assert_true(cJSON_IsString(txn) && !strncmp(txn->valuestring, "2026112922001", 13));
    hubtest_free(&r);
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 1);
    assert_int_equal(sim_calls(e->sim, "alipay.trade.pay"), 1);
}

/* Order numbers are per device: another kiosk's order of the same number
 * is a trade of its own at Alipay, under the hub's number for it. */
static void same_number_on_two_devices(void **state)
{
    env_t *e = *state;
    char no[33], body[256];
    paytest_create_expect(e->t, no, paytest_fresh_bill(), PAYTEST_ALIPAY_CODE, 201, NULL);
    paytest_order_body(body, sizeof body, no, paytest_fresh_bill(), PAYTEST_ALIPAY_CODE);
    hubtest_resp_t r = hubtest_req(e->t, "POST", "/v1/payments", e->t->token2, "dev2-1", body, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "SUCCESS");
    assert_string_equal(hubtest_at(r.json, "order.out_trade_no")->valuestring, no);
    hubtest_free(&r);
    assert_int_equal(sim_charges(e->sim), 2);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders WHERE device_no = ?1 AND out_trade_no LIKE 'X%'",
                                   no), 1);
    assert_string_equal(sim_trade_status(e->sim, no), "TRADE_SUCCESS");
}

static void payer_waits_then_pays(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_pay_mode(e->sim, SIM_PAY_WAIT);
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "USERPAYING");
    paytest_expect_query(e->t, no, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_payer_pays(e->sim, no, false), 0);   /* no notification: found by query */
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 1);
}

static void payer_waits_too_long_is_cancelled(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_pay_mode(e->sim, SIM_PAY_WAIT);
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 0, "USERPAYING");
    hub_time_shift(61);
    paytest_expect_query(e->t, no, "CLOSED");
    assert_string_equal(sim_trade_status(e->sim, no), "TRADE_CLOSED");
    assert_int_equal(sim_calls(e->sim, "alipay.trade.cancel"), 1);
    assert_int_equal(sim_payer_pays(e->sim, no, false), -1);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 0);
}

/* Alipay will not precreate (40004, a business failure): 422
 * provider_refused, no order or reservation kept, nothing charged; the bill
 * can be put in a new order once Alipay takes them. */
static void qr_refused_keeps_nothing(void **state)
{
    env_t *e = *state;
    char no[33], no2[33];
    long long bill = paytest_fresh_bill();
    sim_refuse_orders(e->sim, true);
    hubtest_resp_t r = paytest_create(e->t, no, bill, NULL);
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "provider_refused");
    hubtest_free(&r);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", no), 0);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 0);
    sim_refuse_orders(e->sim, false);
    paytest_create_expect(e->t, no2, bill, NULL, 201, NULL);
    assert_int_equal(sim_charges(e->sim), 0);
}

static void refused_code_takes_nothing(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_pay_mode(e->sim, SIM_PAY_REFUSE);
    hubtest_resp_t r = paytest_create(e->t, no, bill, PAYTEST_ALIPAY_CODE);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "PAYERROR");
    assert_string_equal(hubtest_at(r.json, "order.error")->valuestring, "insufficient_balance");
    hubtest_free(&r);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 0);
    /* A WeChat code is not taken by an Alipay hub. */
    paytest_create_expect(e->t, no, bill, "134567890123456789", 422, NULL);
}

static void system_error_is_asked_again(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_pay_mode(e->sim, SIM_PAY_SYSTEM_ERROR);   /* unknown answer, but the money was taken */
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "SUCCESS");  /* the query found it */
    assert_int_equal(sim_calls(e->sim, "alipay.trade.query"), 1);
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 1);
}

static void slow_provider(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_delay_ms(e->sim, 600);                    /* within timeout_ms */
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 0, "SUCCESS");
    assert_int_equal(sim_charges(e->sim), 1);
    /* Slower than timeout_ms: the charge happened, the answer never came. */
    sim_delay_ms(e->sim, 2500);
    bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    sim_delay_ms(e->sim, 0);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 2);
}

static void provider_gone(void **state)
{
    env_t *e = *state;
    char no[33], qr[33];
    long long bill = paytest_fresh_bill();
    sim_gone(e->sim, true);
    /* A QR nobody has seen: no order is kept, the bill stays free. */
    hubtest_resp_t r = paytest_create(e->t, qr, bill, NULL);
    assert_int_equal(r.status, 503);
    assert_string_equal(hubtest_error_code(&r), "provider_unavailable");
    hubtest_free(&r);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", qr), 0);
    /* A payment code: unknown, kept open, never success. */
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "USERPAYING");
    paytest_expect_query(e->t, no, "USERPAYING");
    paytest_post_on_expect(e->t, no, "reverse", 503, NULL);
    /* Back: the reverse goes through; nothing was ever charged. */
    sim_gone(e->sim, false);
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 0);
}

static void answers_not_signed_by_alipay(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_bad_answer_sign(e->sim, true);
    /* Never SUCCESS on a forged answer. */
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    sim_bad_answer_sign(e->sim, false);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_int_equal(sim_charges(e->sim), 1);
}

static void forged_notification_refused(void **state)
{
    env_t *e = *state;
    char no[33], body[16];
    long long bill = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, no, bill, NULL);
    assert_int_equal(r.status, 201);
    const cJSON *amt = hubtest_at(r.json, "order.amount_fen");
    char amount[32];
    snprintf(amount, sizeof amount, "%d.%02d", amt->valueint / 100, amt->valueint % 100);
    hubtest_free(&r);
    assert_int_equal(sim_notify(e->sim, e->notify_url, no, "TRADE_SUCCESS", amount, true, body), 400);
    assert_string_equal(body, "fail");
    paytest_expect_query(e->t, no, "NOTPAY");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_charges(e->sim), 0);
}

static void notification_before_the_answer(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    sim_pay_mode(e->sim, SIM_PAY_NOTIFY_FIRST);
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events", NULL), 0);
    assert_int_equal(sim_charges(e->sim), 1);
}

/* Staff refund a paid order through Alipay, once per refund number. */
static void staff_refund_through_alipay(void **state)
{
    env_t *e = *state;
    char no[33], staff[160], path[96];
    assert_int_equal(auth_staff_add(db_thread(), "bob", staff, sizeof staff), 0);
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 201, NULL);
    snprintf(path, sizeof path, "/v1/admin/payments/%s/refund", no);
    const char *body = "{\"refund_no\":\"RF-ALI-0001\",\"reason\":\"charged twice\"}";
    /* Alipay gone: nothing changes, the same request later does it. */
    sim_gone(e->sim, true);
    hubtest_resp_t r = hubtest_req(e->t, "POST", path, staff, "rf-1", body, NULL);
    assert_int_equal(r.status, 503);
    hubtest_free(&r);
    assert_true(paytest_bill_paid(bill));
    sim_gone(e->sim, false);
    r = hubtest_req(e->t, "POST", path, staff, "rf-2", body, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "refund.order_state")->valuestring, "REVOKED");
    hubtest_free(&r);
    r = hubtest_req(e->t, "POST", path, staff, "rf-3", body, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_refunds(e->sim), 1);
    assert_int_equal(sim_charges(e->sim), 0);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM refunds WHERE out_trade_no = ?1 AND staff = 'bob'", no), 1);
}

/* hub reconcile: the simulator's statement of the day against the hub. */
static void reconcile_lists_every_mismatch(void **state)
{
    env_t *e = *state;
    char no[6][33], staff[160];
    assert_int_equal(auth_staff_add(db_thread(), "carol", staff, sizeof staff), 0);
    for (int i = 0; i < 5; i++) {
        hubtest_resp_t r = paytest_create(e->t, no[i], paytest_fresh_bill(), PAYTEST_ALIPAY_CODE);
        assert_int_equal(r.status, 201);
        hubtest_free(&r);
    }
    /* 0: clean, credited. 1: refunded at both. 2: closed at the hub only.
     * 3: another amount at the hub. 4: not credited yet. 5: paid and
     * credited at the hub, unknown to the provider. */
    char path[96], sql[1024];
    snprintf(path, sizeof path, "/v1/admin/payments/%s/refund", no[1]);
    hubtest_resp_t r = hubtest_req(e->t, "POST", path, staff, "rc-1",
                                   "{\"refund_no\":\"RF-RC-0001\",\"reason\":\"test\"}", NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    assert_true(writeoff_run(db_thread(), hub_now()) >= 4);
    snprintf(sql, sizeof sql, "UPDATE writeoffs SET state = 'failing' WHERE out_trade_no = '%s';"
             "UPDATE orders SET state = 'CLOSED' WHERE out_trade_no = '%s';"
             "UPDATE orders SET amount_fen = amount_fen + 1 WHERE out_trade_no = '%s';"
             "INSERT INTO orders(out_trade_no, device, method, amount_fen, state, created, updated, provider)"
             "  VALUES('ALI-GHOST', 'test-01', 'code', 500, 'SUCCESS', %d, %d, 'alipay');"
             "INSERT INTO writeoffs(out_trade_no, bill_id, transaction_id, amount_fen, state, next_at, created, updated)"
             "  VALUES('ALI-GHOST', 1, 'x', 500, 'done', 0, 0, 0);",
             no[4], no[2], no[3], (int)hub_now(), (int)hub_now());
    assert_int_equal(db_exec(db_thread(), sql), 0);

    char day[11];
    paytest_today(day);
    char *text = NULL;
    char err[300] = "";
    int n = paytest_reconcile(day, true, &text, err, sizeof err);
    if (n < 0) fail_msg("reconcile: %s", err);
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    assert_int_equal(n, 4);
    assert_int_equal((int)hubtest_at(j, "statement_rows")->valuedouble, 6);    /* 5 paid, 1 refund */
    static const char *const want[][2] = {{"paid_not_recorded", NULL}, {"amount_differs", NULL},
                                          {"paid_not_credited", NULL}, {"credited_not_paid", "ALI-GHOST"}};
    const char *nos[] = {no[2], no[3], no[4], "ALI-GHOST"};
    for (int i = 0; i < 4; i++) {
        if (!paytest_has_mismatch(j, want[i][0], nos[i]))
            fail_msg("no %s for %s in %s", want[i][0], nos[i], text);
    }
    cJSON_Delete(j);
    free(text);

    /* The table: a summary line, a header, one line per mismatch. */
    assert_int_equal(paytest_reconcile(day, false, &text, err, sizeof err), 4);
    char head[64];
    snprintf(head, sizeof head, "reconcile %s (alipay): statement 6 rows", day);
    assert_non_null(strstr(text, head));
    assert_non_null(strstr(text, "KIND"));
    assert_non_null(strstr(text, "amount_differs"));
    free(text);
    assert_int_equal(sim_statement_urls(e->sim), 2);

    /* The same from the command line, as staff run it: exit 3, the table. */
    char ini[200], cmd[700], line[512];
    snprintf(ini, sizeof ini, "%s/reconcile.ini", e->t->dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fprintf(fp, "[hub]\ndb = %s/hub.db\n[payment]\nprovider = alipay\nsecrets = %s\n", e->t->dir, e->secrets);
    fclose(fp);
    const char *b = getenv("BUILD");
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub reconcile --date %s --config %s 2>&1; echo \"exit $?\"",
             b && *b ? b : "build", day, ini);
    fp = popen(cmd, "r");
    assert_non_null(fp);
    bool summary = false, exit3 = false;
    int lines = 0;
    while (fgets(line, sizeof line, fp)) {
        if (!strncmp(line, "hub: ", 5)) continue;      /* pay_init's notes on stderr */
        lines++;
        if (strstr(line, head)) summary = true;
        if (!strcmp(line, "exit 3\n")) exit3 = true;
    }
    pclose(fp);
    if (!summary || !exit3) fail_msg("hub reconcile: summary %d, exit 3 %d, %d lines", summary, exit3, lines);
    assert_int_equal(lines, 1 + 1 + 4 + 1);      /* summary, header, 4 mismatches, exit */
    assert_int_equal(sim_statement_urls(e->sim), 3);
    /* A bad date is refused before anything is asked. */
    assert_int_equal(paytest_reconcile("2026-13-45", false, &text, err, sizeof err), -1);
    free(text);
    assert_int_equal(sim_statement_urls(e->sim), 3);
}

static void reverse_refunds_a_paid_code(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 0, "SUCCESS");
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_refunds(e->sim), 1);
    assert_int_equal(sim_charges(e->sim), 0);
}

/* Too late to cancel: the reverse refunds the payment instead. */
static void reverse_refunds_when_cancel_is_refused(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_ALIPAY_CODE, 0, "SUCCESS");
    sim_refuse_cancel(e->sim, true);
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(sim_calls(e->sim, "alipay.trade.refund"), 1);
    assert_int_equal(sim_refunds(e->sim), 1);
    assert_int_equal(sim_charges(e->sim), 0);
}

static void close_an_unpaid_qr(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 0, NULL);
    paytest_post_on_expect(e->t, no, "close", 200, "CLOSED");
    /* The payer scans too late: Alipay no longer takes it. */
    assert_int_equal(sim_payer_pays(e->sim, no, true), -1);
    assert_int_equal(sim_charges(e->sim), 0);
    /* Were Alipay to report it paid anyway, the order stays closed and
     * staff see it (the money would have to be refunded). */
    char amount[32], body[16];
    paytest_yuan(paytest_amount_of(no), amount);
    assert_int_equal(sim_notify(e->sim, e->notify_url, no, "TRADE_SUCCESS", amount, false, body), 200);
    assert_string_equal(body, "success");
    paytest_expect_query(e->t, no, "CLOSED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events WHERE out_trade_no = ?1 "
                           "AND kind = 'paid_after_close'", no), 1);
}

/* What the handler refuses never reaches Alipay: no order, no charge. */
static void refused_requests_never_reach_alipay(void **state)
{
    env_t *e = *state;
    long long bill = paytest_fresh_bill();
    char body[256];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"ALI-DUP1\",\"bill_ids\":[%lld,%lld],"
             "\"method\":\"code\",\"auth_code\":\"%s\"}", bill, bill, PAYTEST_ALIPAY_CODE);
    hubtest_resp_t r = hubtest_post(e->t, "/v1/payments", body);
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    paytest_order_body(body, sizeof body, "ALI-NOKEY", bill, PAYTEST_ALIPAY_CODE);
    r = hubtest_req(e->t, "POST", "/v1/payments", e->t->token, NULL, body, NULL);
    assert_int_equal(r.status, 400);
    hubtest_free(&r);
    r = hubtest_req(e->t, "POST", "/v1/payments", e->t->token2, "k-other", body, NULL);
    assert_int_equal(r.status, 201);                 /* another device, fine */
    hubtest_free(&r);
    /* The same out_trade_no from a second device: refused, not paid twice. */
    r = hubtest_req(e->t, "POST", "/v1/payments", e->t->token, "k-mine", body, NULL);
    assert_int_equal(r.status, 409);
    hubtest_free(&r);
    /* The same request again with a new key: the same order, not a new charge. */
    r = hubtest_req(e->t, "POST", "/v1/payments", e->t->token2, "k-other-2", body, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(paytest_state(&r), "SUCCESS");
    hubtest_free(&r);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders", NULL), 1);
    assert_int_equal(sim_calls(e->sim, "alipay.trade.pay"), 1);
    assert_int_equal(sim_charges(e->sim), 1);
}

/* Six kiosks' retries of one payment at once: one call to Alipay, one charge. */
static void concurrent_creates_charge_once(void **state)
{
    env_t *e = *state;
    long long bill = paytest_fresh_bill();
    char body[256];
    paytest_order_body(body, sizeof body, "ALI-RACE", bill, PAYTEST_ALIPAY_CODE);
    sim_delay_ms(e->sim, 300);
    assert_int_equal(paytest_race(e->t, body, "race", 6), 1);
    assert_int_equal(sim_calls(e->sim, "alipay.trade.pay"), 1);
    assert_int_equal(sim_charges(e->sim), 1);
    assert_true(paytest_bill_paid(bill));
}

/* The simulator checks signatures as Alipay does. */
static void simulator_refuses_a_bad_signature(void **state)
{
    env_t *e = *state;
    char *ok = sim_raw_request(e->sim, "alipay.trade.query", "{\"out_trade_no\":\"NOPE0001\"}", false);
    assert_non_null(strstr(ok, "ACQ.TRADE_NOT_EXIST"));
    free(ok);
    char *bad = sim_raw_request(e->sim, "alipay.trade.query", "{\"out_trade_no\":\"NOPE0001\"}", true);
    assert_non_null(strstr(bad, "\"alipay_trade_query_response\":{\"code\":\"40002\""));
    assert_non_null(strstr(bad, "isv.invalid-signature"));
    free(bad);
    assert_int_equal(sim_bad_signatures(e->sim), 1);
    e->bad_signatures_sent = 1;
}

static void secrets_file_must_be_private(void **state)
{
    env_t *e = *state;
    char err[300], path[160];
    snprintf(path, sizeof path, "%s/open.secrets", e->t->dir);
    paytest_alipay_secrets(e->sim, path, 0644);
    assert_int_not_equal(pay_alipay_load(path, err, sizeof err), 0);
    assert_non_null(strstr(err, "0600"));
    paytest_alipay_secrets(e->sim, path, 0600);
    assert_int_equal(pay_alipay_load(path, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(qr_paid_through_the_notification, setup, teardown),
        cmocka_unit_test_setup_teardown(code_paid_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(payer_waits_then_pays, setup, teardown),
        cmocka_unit_test_setup_teardown(payer_waits_too_long_is_cancelled, setup, teardown),
        cmocka_unit_test_setup_teardown(qr_refused_keeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_code_takes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(system_error_is_asked_again, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_provider, setup, teardown),
        cmocka_unit_test_setup_teardown(provider_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(answers_not_signed_by_alipay, setup, teardown),
        cmocka_unit_test_setup_teardown(forged_notification_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(notification_before_the_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(staff_refund_through_alipay, setup, teardown),
        cmocka_unit_test_setup_teardown(same_number_on_two_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(reconcile_lists_every_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(reverse_refunds_a_paid_code, setup, teardown),
        cmocka_unit_test_setup_teardown(reverse_refunds_when_cancel_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(close_an_unpaid_qr, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_requests_never_reach_alipay, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_creates_charge_once, setup, teardown),
        cmocka_unit_test_setup_teardown(simulator_refuses_a_bad_signature, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_file_must_be_private, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
