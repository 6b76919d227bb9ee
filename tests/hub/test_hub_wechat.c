/* A hub with provider = wechat against the simulated WeChat Pay
 * (tests/hub/wechat_sim.c), end to end over real sockets: a Native QR paid
 * through the notification or found by a query; a payment code paid, the
 * payer confirming (USERPAYING) then paying, refused, SYSTEMERROR then a
 * query; a slow and a gone provider never give a local SUCCESS and the
 * order is reversed; answers not signed by WeChat Pay; forged
 * notifications (bad signature, wrong APIv3 key, other serial, WeChat's
 * signature probe, a replay past the window) refused, changing nothing;
 * close, reverse, refund; both providers at once. Every time the number of
 * charges the simulator made is asserted (one or none), and the simulator
 * refused no request signature of the hub's. Also WeChat's published
 * signing examples and the codecs' refusals. */
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
#include "db.h"
#include "hubtest.h"
#include "pay.h"
#include "paytest.h"
#include "pay_wechat_sign.h"
#include "wechat_sim.h"

typedef struct {
    hubtest_t *t;
    wechat_sim_t *sim;
    alipay_sim_t *ali;          /* both providers only */
    pay_notify_t *notify;
    char notify_url[96];
    char secrets[160];
    int bad_signatures_sent;    /* by the test itself, on purpose */
} env_t;

static env_t *start(bool both)
{
    env_t *e = calloc(1, sizeof *e);
    e->t = paytest_hub_start();
    paytest_order_prefix("WX");
    e->sim = wxsim_start();
    char ali_secrets[160];
    if (both) e->ali = sim_start();
    paytest_wechat_providers(e->t, wxsim_secrets(e->sim), e->ali, "wechat", e->secrets, ali_secrets);
    e->notify = paytest_listen_and_init("/pay/notify", e->notify_url, sizeof e->notify_url);
    return e;
}

static int setup(void **state)
{
    *state = start(false);
    return 0;
}

static int setup_both(void **state)
{
    *state = start(true);
    return 0;
}

static int teardown(void **state)
{
    env_t *e = *state;
    assert_int_equal(wxsim_bad_signatures(e->sim), e->bad_signatures_sent);
    if (e->ali) assert_int_equal(sim_bad_signatures(e->ali), 0);
    pay_notify_stop(e->notify);
    wxsim_stop(e->sim);
    sim_stop(e->ali);
    paytest_hub_stop(e->t);
    free(e);
    return 0;
}

/* ---- QR (Native) -------------------------------------------------------- */

static void qr_paid_through_the_notification(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, no, bill, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "NOTPAY");
    const cJSON *url = hubtest_at(r.json, "order.code_url");
    assert_true(cJSON_IsString(url) && !strncmp(url->valuestring, "weixin://wxpay/bizpayurl?pr=", 28));
    hubtest_free(&r);
    paytest_expect_query(e->t, no, "NOTPAY");
    assert_int_equal(wxsim_charges(e->sim), 0);
    assert_int_equal(wxsim_payer_pays(e->sim, no, true), 0);
    /* The notification alone settled it. */
    assert_int_equal(paytest_q_int("SELECT state = 'SUCCESS' FROM orders WHERE out_trade_no = ?1", no), 1);
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(paytest_q_int("SELECT transaction_id LIKE '4200002%' FROM orders WHERE out_trade_no = ?1", no), 1);
    /* WeChat Pay sends it again (as it does until answered): nothing changes. */
    assert_int_equal(wxsim_replay_last(e->sim, e->notify_url), 200);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events", NULL), 0);
    assert_int_equal(wxsim_charges(e->sim), 1);
    assert_int_equal(wxsim_calls(e->sim, "native"), 1);
}

static void qr_paid_found_by_query(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 201, NULL);
    assert_int_equal(wxsim_payer_pays(e->sim, no, false), 0);   /* the notification is lost */
    assert_false(paytest_bill_paid(bill));
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 1);
}

static void qr_expires_and_is_closed(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 201, NULL);
    hub_time_shift(7201);
    paytest_expect_query(e->t, no, "CLOSED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "CLOSED");
    assert_int_equal(wxsim_payer_pays(e->sim, no, true), -1);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void qr_refused_keeps_nothing(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_refuse_orders(e->sim, true);
    hubtest_resp_t r = paytest_create(e->t, no, bill, NULL);
    /* A definite refusal has its own answer (the kiosk ends at once),
     * with WeChat's short code and nothing kept. */
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "provider_refused");
    assert_non_null(strstr(r.body, "no_auth"));
    hubtest_free(&r);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", no), 0);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM order_bills WHERE out_trade_no = ?1", no), 0);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
    /* The bill is free again: the same bill in a new order once the
     * provider takes orders. */
    wxsim_refuse_orders(e->sim, false);
    char no2[33];
    paytest_create_expect(e->t, no2, bill, NULL, 201, NULL);
}

static void close_an_unpaid_qr(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 0, NULL);
    paytest_post_on_expect(e->t, no, "close", 200, "CLOSED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "CLOSED");
    assert_int_equal(wxsim_payer_pays(e->sim, no, true), -1);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

/* ---- payment codes (micropay) -------------------------------------------- */

static void code_paid_at_once(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, no, bill, PAYTEST_WECHAT_CODE);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "SUCCESS");
    const cJSON *txn = hubtest_at(r.json, "order.transaction_id");
    assert_true(cJSON_IsString(txn) && strlen(txn->valuestring) == 28 && !strncmp(txn->valuestring, "4200002", 7));
    hubtest_free(&r);
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 1);
    assert_int_equal(wxsim_calls(e->sim, "micropay"), 1);
    /* An Alipay code is not taken by a WeChat-only hub. */
    r = paytest_create(e->t, no, paytest_fresh_bill(), PAYTEST_ALIPAY_CODE);
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "invalid_auth_code");
    hubtest_free(&r);
    assert_int_equal(wxsim_calls(e->sim, "micropay"), 1);
}

static void payer_confirms_then_pays(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_pay_mode(e->sim, WXSIM_PAY_USERPAYING);
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 201, "USERPAYING");
    paytest_expect_query(e->t, no, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_payer_pays(e->sim, no, false), 0);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 1);
}

static void payer_confirms_too_late_is_reversed(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    wxsim_pay_mode(e->sim, WXSIM_PAY_USERPAYING);
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 0, "USERPAYING");
    hub_time_shift(61);
    paytest_expect_query(e->t, no, "CLOSED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "REVOKED");
    assert_int_equal(wxsim_calls(e->sim, "reverse"), 1);
    assert_int_equal(wxsim_payer_pays(e->sim, no, false), -1);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void refused_code_takes_nothing(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_pay_mode(e->sim, WXSIM_PAY_REFUSE);
    hubtest_resp_t r = paytest_create(e->t, no, bill, PAYTEST_WECHAT_CODE);
    assert_int_equal(r.status, 201);
    assert_string_equal(paytest_state(&r), "PAYERROR");
    assert_string_equal(hubtest_at(r.json, "order.error")->valuestring, "insufficient_balance");
    hubtest_free(&r);
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void system_error_is_asked_again(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_pay_mode(e->sim, WXSIM_PAY_SYSTEMERROR);   /* unknown answer, but the money was taken */
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 201, "SUCCESS");    /* the query found it */
    assert_int_equal(wxsim_calls(e->sim, "query"), 1);
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 1);
}

static void slow_provider_never_succeeds_locally(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    /* Slower than timeout_ms: the payer is still confirming, no answer came. */
    wxsim_pay_mode(e->sim, WXSIM_PAY_USERPAYING);
    wxsim_delay_ms(e->sim, 2500);
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 201, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    /* Still slow at the deadline: nothing is decided without an answer. */
    hub_time_shift(61);
    paytest_expect_query(e->t, no, "USERPAYING");
    /* Answering again: unpaid, so reversed. */
    wxsim_delay_ms(e->sim, 0);
    paytest_expect_query(e->t, no, "CLOSED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void slow_provider_that_charged(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_delay_ms(e->sim, 2500);                    /* charged, the answer too late */
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 0, "USERPAYING");
    assert_false(paytest_bill_paid(bill));
    wxsim_delay_ms(e->sim, 0);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_true(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 1);
}

static void provider_gone(void **state)
{
    env_t *e = *state;
    char no[33], qr[33];
    long long bill = paytest_fresh_bill();
    wxsim_gone(e->sim, true);
    /* A QR nobody has seen: no order is kept, the bill stays free. */
    paytest_create_expect(e->t, qr, bill, NULL, 503, NULL);
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", qr), 0);
    /* A payment code: unknown, kept open, never success. */
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 201, "USERPAYING");
    paytest_expect_query(e->t, no, "USERPAYING");
    paytest_post_on_expect(e->t, no, "reverse", 503, NULL);
    /* Back: the reverse goes through; nothing was ever charged. */
    wxsim_gone(e->sim, false);
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void answers_not_signed_by_wechat(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    wxsim_bad_answer_sign(e->sim, true);
    /* Never SUCCESS on a forged answer. */
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 201, "USERPAYING");
    paytest_expect_query(e->t, no, "USERPAYING");                /* the v3 query's answer is forged too */
    assert_false(paytest_bill_paid(bill));
    /* A QR whose code_url is not signed is never shown. */
    char qr[33];
    paytest_create_expect(e->t, qr, paytest_fresh_bill(), NULL, 503, NULL);
    wxsim_bad_answer_sign(e->sim, false);
    paytest_expect_query(e->t, no, "SUCCESS");
    assert_int_equal(wxsim_charges(e->sim), 1);
}

static void reverse_refunds_a_paid_code(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 0, "SUCCESS");
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "REVOKED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_refunds(e->sim), 1);
    assert_int_equal(wxsim_charges(e->sim), 0);
}

/* Past the reverse window: the reverse refunds the payment instead. */
static void reverse_refunds_when_reverse_is_refused(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 0, "SUCCESS");
    wxsim_refuse_reverse(e->sim, true);
    paytest_post_on_expect(e->t, no, "reverse", 200, "REVOKED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "REFUND");
    assert_int_equal(wxsim_calls(e->sim, "refund"), 1);
    assert_int_equal(wxsim_refunds(e->sim), 1);
    assert_int_equal(wxsim_charges(e->sim), 0);
    assert_false(paytest_bill_paid(bill));
}

/* A QR paid while its notification was lost, then reversed by the kiosk:
 * WeChat Pay has no reverse for it, so it is refunded in full. */
static void reverse_of_a_paid_qr_refunds(void **state)
{
    env_t *e = *state;
    char no[33], st[16];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 201, NULL);
    assert_int_equal(wxsim_payer_pays(e->sim, no, false), 0);
    paytest_post_on_expect(e->t, no, "reverse", 200, "CLOSED");
    assert_string_equal(wxsim_trade_state(e->sim, no, st), "REFUND");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(wxsim_refunds(e->sim), 1);
    assert_int_equal(wxsim_charges(e->sim), 0);
}

/* Six retries of one payment code at once: one micropay, one charge. */
static void concurrent_creates_charge_once(void **state)
{
    env_t *e = *state;
    long long bill = paytest_fresh_bill();
    char body[256];
    paytest_order_body(body, sizeof body, "WX-RACE", bill, PAYTEST_WECHAT_CODE);
    wxsim_delay_ms(e->sim, 300);
    assert_int_equal(paytest_race(e->t, body, "wx-race", 6), 1);
    assert_int_equal(wxsim_calls(e->sim, "micropay"), 1);
    assert_int_equal(wxsim_charges(e->sim), 1);
    assert_true(paytest_bill_paid(bill));
}

/* ---- notifications ----------------------------------------------------- */

static void forged_notifications_change_nothing(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 201, NULL);
    long long fen = paytest_amount_of(no);
    static const wxsim_notice_t forged[] = {WXSIM_NOTICE_BAD_SIGNATURE, WXSIM_NOTICE_WRONG_KEY,
                                            WXSIM_NOTICE_WRONG_SERIAL, WXSIM_NOTICE_SIGNTEST};
    for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++)
        assert_int_equal(wxsim_notify(e->sim, e->notify_url, no, "SUCCESS", fen, forged[i]), 400);
    /* A genuine notification caught on its way and sent later: refused. */
    assert_int_equal(wxsim_notify(e->sim, "http://127.0.0.1:1/", no, "SUCCESS", fen, WXSIM_NOTICE_GOOD), 0);
    hub_time_shift(301);
    assert_int_equal(wxsim_replay_last(e->sim, e->notify_url), 400);
    hub_time_shift(-301);
    assert_int_equal(paytest_q_int("SELECT state = 'NOTPAY' FROM orders WHERE out_trade_no = ?1", no), 1);
    paytest_expect_query(e->t, no, "NOTPAY");                   /* WeChat Pay says: not paid */
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events", NULL), 0);
    assert_int_equal(wxsim_charges(e->sim), 0);
}

static void notification_for_a_closed_qr_is_kept_for_staff(void **state)
{
    env_t *e = *state;
    char no[33];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, NULL, 0, NULL);
    paytest_post_on_expect(e->t, no, "close", 0, "CLOSED");
    /* Were WeChat Pay to report it paid anyway, the order stays closed and
     * staff see it (the money would have to be refunded). */
    assert_int_equal(wxsim_notify(e->sim, e->notify_url, no, "SUCCESS", paytest_amount_of(no), WXSIM_NOTICE_GOOD), 200);
    paytest_expect_query(e->t, no, "CLOSED");
    assert_false(paytest_bill_paid(bill));
    assert_int_equal(paytest_q_int("SELECT COUNT(*) FROM payment_events WHERE out_trade_no = ?1 "
                           "AND kind = 'paid_after_close'", no), 1);
    assert_int_equal(wxsim_charges(e->sim), 0);
}

/* ---- the rest of the provider -------------------------------------------- */

static void statement_and_refund_by_number(void **state)
{
    env_t *e = *state;
    char no[33], url[512];
    long long bill = paytest_fresh_bill();
    paytest_create_expect(e->t, no, bill, PAYTEST_WECHAT_CODE, 0, "SUCCESS");
    const pay_provider_t *p = pay_provider_named("wechat");
    assert_non_null(p);
    pay_result_t res;
    p->statement("2026-11-28", url, sizeof url, &res);
    assert_int_equal(res.outcome, PAY_SUCCESS);
    assert_true(!strncmp(url, "https://api.mch.weixin.qq.com/v3/billdownload/", 46));
    long long fen = paytest_amount_of(no);
    p->refund(no, "WX-REFUND-1", fen + 1, &res);             /* more than was paid */
    assert_int_equal(res.outcome, PAY_REFUSED);
    p->refund(no, "WX-REFUND-1", fen, &res);
    assert_int_equal(res.outcome, PAY_SUCCESS);
    p->refund(no, "WX-REFUND-1", fen, &res);                 /* the same refund again */
    assert_int_equal(res.outcome, PAY_SUCCESS);
    assert_int_equal(wxsim_refunds(e->sim), 1);
    assert_int_equal(wxsim_charges(e->sim), 0);
}

/* The simulator checks request signatures as WeChat Pay does. */
static void simulator_refuses_bad_signatures(void **state)
{
    env_t *e = *state;
    char body[512];
    const char *path = "/v3/pay/transactions/out-trade-no/NOPE0001?mchid=1900000109";
    assert_int_equal(wxsim_raw_v3(e->sim, "GET", path, "", WXSIM_RAW_OK, body, sizeof body), 404);
    assert_non_null(strstr(body, "ORDER_NOT_EXIST"));
    /* NONCE_AGAIN repeats the nonce of the good request above. */
    static const wxsim_raw_t spoilt[] = {WXSIM_RAW_NONCE_AGAIN, WXSIM_RAW_STALE, WXSIM_RAW_WRONG_SERIAL};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(wxsim_raw_v3(e->sim, "GET", path, "", spoilt[i], body, sizeof body), 401);
        assert_non_null(strstr(body, "SIGN_ERROR"));
    }
    assert_int_equal(wxsim_raw_v3(e->sim, "POST", "/v3/pay/transactions/out-trade-no/NOPE0001/close",
                                  "{\"mchid\":\"1900000109\"}", WXSIM_RAW_TAMPERED_BODY, body, sizeof body), 401);
    assert_int_equal(wxsim_bad_signatures(e->sim), 4);
    e->bad_signatures_sent = 4;
}

static void secrets_file_must_be_private(void **state)
{
    env_t *e = *state;
    char err[300], path[160], text[8192];
    snprintf(path, sizeof path, "%s/open.secrets", e->t->dir);
    paytest_write_file(path, wxsim_secrets(e->sim), 0644);
    assert_int_not_equal(pay_wechat_load(path, err, sizeof err), 0);
    assert_non_null(strstr(err, "0600"));
    snprintf(text, sizeof text, "%sapiv3_key = short\n", wxsim_secrets(e->sim));
    paytest_write_file(path, text, 0600);
    assert_int_not_equal(pay_wechat_load(path, err, sizeof err), 0);
    assert_non_null(strstr(err, "apiv3_key"));
    paytest_write_file(path, wxsim_secrets(e->sim), 0600);
    assert_int_equal(pay_wechat_load(path, err, sizeof err), 0);
    /* Two providers need a file each. */
    pay_reset();
    assert_int_equal(pay_config_key("provider", "alipay,wechat"), 0);
    assert_int_equal(pay_config_key("secrets", path), 0);
    assert_int_equal(pay_config_key("notify_url", e->notify_url), 0);
    assert_int_not_equal(pay_init(false, err, sizeof err), 0);
    assert_non_null(strstr(err, "alipay_secrets"));
    assert_int_not_equal(pay_config_key("provider", "wechat,wechat"), 0);
    assert_int_not_equal(pay_config_key("provider", "alipay,cash"), 0);
    assert_int_not_equal(pay_config_key("qr_provider", "demo"), 0);
    /* WeChat Pay requires a notify_url. */
    pay_reset();
    assert_int_equal(pay_config_key("provider", "wechat"), 0);
    assert_int_equal(pay_config_key("secrets", path), 0);
    assert_int_not_equal(pay_init(false, err, sizeof err), 0);
    assert_non_null(strstr(err, "notify_url"));
    pay_reset();
}

/* ---- both providers ------------------------------------------------------- */

static void both_providers_by_wallet(void **state)
{
    env_t *e = *state;
    char wx_no[33], ali_no[33], qr[33];
    long long b1 = paytest_fresh_bill();
    paytest_create_expect(e->t, wx_no, b1, PAYTEST_WECHAT_CODE, 0, "SUCCESS");
    long long b2 = paytest_fresh_bill();
    hubtest_resp_t r = paytest_create(e->t, ali_no, b2, PAYTEST_ALIPAY_CODE);
    assert_string_equal(paytest_state(&r), "SUCCESS");
    const cJSON *txn = hubtest_at(r.json, "order.transaction_id");
    assert_true(cJSON_IsString(txn) && !strncmp(txn->valuestring, "2026112922001", 13));
    hubtest_free(&r);
    assert_int_equal(wxsim_charges(e->sim), 1);
    assert_int_equal(sim_charges(e->ali), 1);
    assert_int_equal(paytest_q_int("SELECT provider = 'wechat' FROM orders WHERE out_trade_no = ?1", wx_no), 1);
    assert_int_equal(paytest_q_int("SELECT provider = 'alipay' FROM orders WHERE out_trade_no = ?1", ali_no), 1);
    /* QR orders go to qr_provider, and its notification to the one listener. */
    long long b3 = paytest_fresh_bill();
    r = paytest_create(e->t, qr, b3, NULL);
    assert_int_equal(r.status, 201);
    assert_true(!strncmp(hubtest_at(r.json, "order.code_url")->valuestring, "weixin://", 9));
    hubtest_free(&r);
    assert_int_equal(wxsim_payer_pays(e->sim, qr, true), 0);
    assert_true(paytest_bill_paid(b3));
    assert_int_equal(wxsim_charges(e->sim), 2);
    /* Each order is reversed by the provider that made it. */
    paytest_post_on_expect(e->t, ali_no, "reverse", 0, "REVOKED");
    assert_int_equal(sim_charges(e->ali), 0);
    assert_int_equal(wxsim_charges(e->sim), 2);
    assert_int_equal(wxsim_calls(e->sim, "reverse"), 0);
    /* A forged Alipay notification is refused by the shared listener too. */
    char body[16], amount[32];
    paytest_yuan(paytest_amount_of(wx_no), amount);
    assert_int_equal(sim_notify(e->ali, e->notify_url, ali_no, "TRADE_SUCCESS", amount, true, body), 400);
    paytest_expect_query(e->t, ali_no, "REVOKED");
    assert_true(!strcmp(pay_describe(false), "alipay,wechat (QR: wechat)"));
}

/* ---- published examples and codecs ----------------------------------------- */

/* WeChat Pay's v2 signing example (its "安全规范" page): the documented
 * parameters, key and HMAC-SHA256 result. */
static void v2_sign_published_example(void **state)
{
    pay_params_t ps = {0};
    pay_params_add(&ps, "appid", "wxd930ea5d5a258f4f");
    pay_params_add(&ps, "mch_id", "10000100");
    pay_params_add(&ps, "device_info", "1000");
    pay_params_add(&ps, "body", "test");
    pay_params_add(&ps, "nonce_str", "ibuaiVcKdpRxkhJA");
    pay_params_add(&ps, "empty", "");                    /* empty values are left out */
    char *sig = pay_wx_v2_sign(&ps, "192006250b4c09247ec02edce69f6a2d");
    assert_string_equal(sig, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
    free(sig);
    pay_params_add(&ps, "sign", "whatever");             /* sign itself is left out */
    sig = pay_wx_v2_sign(&ps, "192006250b4c09247ec02edce69f6a2d");
    assert_string_equal(sig, "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6");
    free(sig);
    pay_params_free(&ps);
}

/* APIv3's signing example ("签名生成"): the text signed for GET
 * /v3/certificates at 1554208460 with nonce 593BEC0C930BF1AFEB40B4A08C8FB242. */
static void v3_request_text_published_example(void **state)
{
    char *t = pay_wx_request_text("GET", "/v3/certificates", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", "");
    assert_string_equal(t, "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n");
    free(t);
}

static void codecs_refuse_what_is_not_theirs(void **state)
{
    pay_params_t ps = {0};
    const char *ok = "<xml><return_code><![CDATA[SUCCESS]]></return_code>\n<total_fee>1</total_fee></xml>";
    assert_int_equal(pay_wx_xml_parse(ok, strlen(ok), &ps), 0);
    assert_string_equal(pay_params_get(&ps, "return_code"), "SUCCESS");
    assert_string_equal(pay_params_get(&ps, "total_fee"), "1");
    char *back = pay_wx_xml_encode(&ps);
    pay_params_free(&ps);
    assert_int_equal(pay_wx_xml_parse(back, strlen(back), &ps), 0);
    assert_int_equal(ps.n, 2);
    free(back);
    pay_params_free(&ps);
    static const char *const bad[] = {
        "<xml><a>1</a><a>2</a></xml>",                  /* twice */
        "<xml><a>1&amp;</a></xml>",                     /* entity outside CDATA */
        "<xml><a>1</b></xml>",
        "<xml><a><![CDATA[x]]></a>",
        "<xml><a>1</a></xml>trailing",
        "<xmlx></xmlx>",
        "<xml><a x=\"1\">1</a></xml>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pay_wx_xml_parse(bad[i], strlen(bad[i]), &ps), -1);
    pay_params_add(&ps, "a", "x]]>y");
    assert_null(pay_wx_xml_encode(&ps));
    pay_params_free(&ps);
    size_t n;
    const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
    assert_null(pay_wx_decrypt(key, "short", "", "AAAAAAAAAAAAAAAAAAAAAA==", &n));
    assert_null(pay_wx_decrypt(key, "123456789012", "", "AAAA", &n));          /* shorter than a tag */
    assert_null(pay_wx_decrypt(key, "123456789012", "", "!!!!", &n));
    assert_null(pay_wx_decrypt(key, "123456789012", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA", &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(qr_paid_through_the_notification, setup, teardown),
        cmocka_unit_test_setup_teardown(qr_paid_found_by_query, setup, teardown),
        cmocka_unit_test_setup_teardown(qr_expires_and_is_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(qr_refused_keeps_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(close_an_unpaid_qr, setup, teardown),
        cmocka_unit_test_setup_teardown(code_paid_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(payer_confirms_then_pays, setup, teardown),
        cmocka_unit_test_setup_teardown(payer_confirms_too_late_is_reversed, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_code_takes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(system_error_is_asked_again, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_provider_never_succeeds_locally, setup, teardown),
        cmocka_unit_test_setup_teardown(slow_provider_that_charged, setup, teardown),
        cmocka_unit_test_setup_teardown(provider_gone, setup, teardown),
        cmocka_unit_test_setup_teardown(answers_not_signed_by_wechat, setup, teardown),
        cmocka_unit_test_setup_teardown(reverse_refunds_a_paid_code, setup, teardown),
        cmocka_unit_test_setup_teardown(reverse_refunds_when_reverse_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(reverse_of_a_paid_qr_refunds, setup, teardown),
        cmocka_unit_test_setup_teardown(concurrent_creates_charge_once, setup, teardown),
        cmocka_unit_test_setup_teardown(forged_notifications_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(notification_for_a_closed_qr_is_kept_for_staff, setup, teardown),
        cmocka_unit_test_setup_teardown(statement_and_refund_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(simulator_refuses_bad_signatures, setup, teardown),
        cmocka_unit_test_setup_teardown(secrets_file_must_be_private, setup, teardown),
        cmocka_unit_test_setup_teardown(both_providers_by_wallet, setup_both, teardown),
        cmocka_unit_test(v2_sign_published_example),
        cmocka_unit_test(v3_request_text_published_example),
        cmocka_unit_test(codecs_refuse_what_is_not_theirs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
