/* Bills and payment end to end: the kiosk's screens, driven by widget id on
 * a headless app, against a real hub process (build/hub --demo). Every
 * payment path checks the exact number of charges at the hub. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "app/screens.h"
#include "services/bills/bills.h"
#include "services/identify/identify_service.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "support/faultproxy.h"
#include "printer/escpos_decode.h"
#include "sims/vprinter.h"

static hubproc_t hub;

static char printer_set[128];     /* "devices.printer=..." or "" */

static app_t *net_app_on(const hubproc_t *h, const char *var_dir)
{
    static char url[128], tok[200], var[256];
    snprintf(url, sizeof url, "hub.url=%s", h->url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(var, sizeof var, "kiosk.var_dir=%s", var_dir ? var_dir : "");
    const char *sets[] = {url, tok, "ui.locale=en", "payment.poll_interval=200", "hub.timeout=2",
                          printer_set[0] ? printer_set : "kiosk.log_level=info",
                          var_dir ? var : NULL, NULL};
    return harness_net_app(1920, 1080, sets);
}

static app_t *net_app(void) { return net_app_on(&hub, NULL); }

/* SQL counting the orders of ACCOUNT in STATE at the hub. */
static long long orders(const hubproc_t *h, const char *account, const char *state)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM orders o WHERE o.state = '%s' AND o.out_trade_no IN "
             "(SELECT ob.out_trade_no FROM order_bills ob JOIN bills b ON b.id = ob.bill_id "
             " JOIN accounts a ON a.id = b.account_id WHERE a.account_no = '%s')",
             state, account);
    return hubproc_sql_int(h, sql);
}

static long long all_orders(const hubproc_t *h, const char *account)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(DISTINCT ob.out_trade_no) FROM order_bills ob JOIN bills b ON b.id = ob.bill_id"
             " JOIN accounts a ON a.id = b.account_id WHERE a.account_no = '%s'", account);
    return hubproc_sql_int(h, sql);
}

static long long unpaid(const hubproc_t *h, const char *account)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM bills b JOIN accounts a ON a.id = b.account_id "
             "WHERE a.account_no = '%s' AND b.status = 'unpaid'", account);
    return hubproc_sql_int(h, sql);
}

static void wake(app_t *app)
{
    app_test_tap_xy(app, 900, 500);             /* the first touch starts a session */
    assert_int_equal(app->screen, SCR_HOME);
}

/* Home -> bills -> account number -> the list. */
static void find_by_account(app_t *app, int utility, const char *account)
{
    wake(app);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.account"), 0);
    assert_int_equal(app->screen, SCR_BILLS_ACCOUNT);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "acct.utility.%d", utility);
    assert_int_equal(app_test_tap(app, id), 0);
    for (const char *d = account; *d; d++) {
        snprintf(id, sizeof id, "acct.key.%c", *d);
        assert_int_equal(app_test_tap(app, id), 0);
    }
    assert_int_equal(app_test_tap(app, "acct.key.ok"), 0);
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST || (!app->bills->busy && app->bills->msg[0]), 5000);
}

static bool qr_on_screen(app_t *app)
{
    app_build(app);
    return ui_find(app->frame, "pay.qr") != NULL;
}

static void assert_wiped(app_t *app)
{
    const unsigned char *p = (const unsigned char *)&app->bills->acc;
    for (size_t i = 0; i < sizeof app->bills->acc; i++)
        if (p[i]) fail_msg("bills.acc byte %zu not wiped", i);
    assert_int_equal(session_pii_present(&app->session), 0);
    assert_int_equal(app->bills->pay_no[0], 0);
    assert_int_equal(app->receipt_qr[0], 0);
}

/* ---- look-up ---------------------------------------------------------------- */

static void lookup_by_account_shows_masked_bills(void **state)
{
    app_t *app = net_app();
    find_by_account(app, 0, "3702031056");
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_true(app_test_text_shown(app, "3702**1056"));
    assert_true(app_test_text_shown(app, "张*国"));
    assert_false(app_test_text_shown(app, "3702031056"));      /* never in clear */
    assert_int_equal(app->bills->acc.a[0].n_history, 12);
    app_build(app);
    assert_non_null(ui_find(app->frame, "chart.bar.11"));
    long long total;
    int n = bills_selected(app, NULL, 0, &total);
    assert_true(n >= 1);
    assert_int_equal(total, app->bills->acc.a[0].due_fen);      /* all unpaid ticked */
    harness_free(app);
}

static void lookup_unknown_account_says_so(void **state)
{
    app_t *app = net_app();
    find_by_account(app, 1, "999999");
    assert_int_equal(app->screen, SCR_BILLS_ACCOUNT);
    assert_true(app_test_text_shown(app, "No account with this number"));
    harness_free(app);
}

static ident_event_t *code_event(app_t *app, const char *payload)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CODE;
    qr_classify(payload, strlen(payload), &ev->info);
    return ev;
}

static void lookup_by_paper_bill_qr(void **state)
{
    app_t *app = net_app();
    wake(app);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.qr"), 0);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
    /* a malformed bill code (wrong check digits): explained, nothing asked */
    bills_scan_result(app, code_event(app, "XFL-BILL:1:water:3702031056:2026-11:4100:38"));
    assert_false(app->bills->busy);
    assert_true(app_test_text_shown(app, "could not be read correctly"));
    /* another kind of code */
    bills_scan_result(app, code_event(app, "https://example.org/x"));
    assert_true(app_test_text_shown(app, "not the QR code of a bill"));
    /* the real one */
    bills_scan_result(app, code_event(app, "XFL-BILL:1:water:3702031056:2026-11:4100:39"));
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_string_equal(app->bills->acc.a[0].account, "3702031056");
    harness_free(app);
}

static void lookup_by_id_card_lists_every_account_then_wipes(void **state)
{
    app_t *app = net_app();
    wake(app);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.card"), 0);
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->kind = IDENT_CARD;
    ev->result = IDCARD_OK;
    snprintf(ev->card.name, sizeof ev->card.name, "%s", "张建国");
    snprintf(ev->card.id_number, sizeof ev->card.id_number, "%s", "370203196803120315");
    bills_scan_result(app, ev);
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_int_equal(app->bills->acc.n, 4);
    app_build(app);
    assert_non_null(ui_find(app->frame, "list.acct.3"));
    assert_false(app_test_text_shown(app, "张建国"));
    assert_int_equal(app_test_tap(app, "list.acct.2"), 0);
    assert_true(app_test_text_shown(app, "王*芳"));           /* gas, in his wife's name */
    assert_true(session_pii_present(&app->session));
    app_end_session(app, "timeout");
    assert_wiped(app);
    harness_free(app);
}

/* ---- paying by QR --------------------------------------------------------------- */

static void pay_by_qr_paid_prints_receipt_and_charges_once(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "3702032291");
    app_t *app = net_app();
    find_by_account(app, 0, acct);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    assert_int_equal(app->screen, SCR_PAY_QR);
    WAIT_FOR(app, qr_on_screen(app), 5000);
    assert_true(qr_on_screen(app));
    assert_int_equal(app->bills->pay.state, PAY_WAITING);
    assert_true(bills_seconds_left(app) > 0);
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&hub, path), 200);              /* the resident pays */
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->screen, SCR_PAY_RESULT);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_true(app_test_text_shown(app, "Payment successful"));
    /* no printer here: the receipt is offered as a QR code */
    assert_true(app->receipt_qr[0] != 0);
    assert_non_null(strstr(app->receipt_qr, app->bills->pay_no));
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);
    assert_int_equal(all_orders(&hub, acct), 1);
    assert_int_equal(unpaid(&hub, acct), 0);
    /* the resident takes the receipt QR, then goes back: the bills show as paid */
    assert_int_equal(app_test_tap(app, "result.bills"), -1);      /* under the receipt */
    assert_int_equal(app_test_tap(app, "receipt.ok"), 0);
    assert_int_equal(app_test_tap(app, "result.bills"), 0);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_int_equal(bills_selected(app, NULL, 0, NULL), 0);
    assert_true(app_test_text_shown(app, "Nothing to pay"));
    harness_free(app);
}

static void pay_by_qr_cancelled_closes_the_order(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "3702035508");
    app_t *app = net_app();
    find_by_account(app, 0, acct);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, qr_on_screen(app), 5000);
    assert_int_equal(app_test_tap(app, "pay.cancel"), 0);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_CANCELLED);
    assert_true(app_test_text_shown(app, "Nothing was charged"));
    assert_int_equal(orders(&hub, acct, "CLOSED"), 1);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 0);
    assert_true(unpaid(&hub, acct) > 0);
    harness_free(app);
}

static void session_timeout_mid_payment_wipes_and_closes(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "20317740");
    app_t *app = net_app();
    find_by_account(app, 2, acct);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, qr_on_screen(app), 5000);
    /* no "Still there?" while the QR is up: paying takes a while on a phone */
    app_test_advance(app, (uint64_t)(app->cfg.idle_timeout_s + 5) * 1000);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    app_end_session(app, "timeout");
    assert_wiped(app);
    assert_int_equal(app->screen, SCR_ATTRACT);
    /* the payment resolves in the background: the QR is gone, the order closed */
    Uint32 t0 = SDL_GetTicks();
    while (orders(&hub, acct, "CLOSED") != 1 && SDL_GetTicks() - t0 < 5000) app_test_pump(app, 20, 100);
    assert_int_equal(orders(&hub, acct, "CLOSED"), 1);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 0);
    harness_free(app);
}

/* ---- paying by payment code ---------------------------------------------------- */

static void to_pay_code(app_t *app, int utility, const char *acct)
{
    find_by_account(app, utility, acct);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    assert_int_equal(app_test_tap(app, "list.pay_code"), 0);
    assert_int_equal(app->screen, SCR_PAY_CODE);
    WAIT_FOR(app, app->bills->hub_ok >= 0, 5000);
}

static void pay_by_code_success_and_wrong_shapes(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "3702119934");
    assert_int_equal(hubproc_behaviour(&hub, "{\"mode\": \"success\"}"), 200);
    app_t *app = net_app();
    to_pay_code(app, 1, acct);
    assert_int_equal(app->bills->hub_ok, 1);
    /* a number that is no payment code, and a bill code: explained, no order */
    bills_code_scanned(app, code_event(app, "123456789012"));
    assert_false(app->bills->pay_started);
    assert_true(app_test_text_shown(app, "not a payment code"));
    bills_code_scanned(app, code_event(app, "XFL-BILL:1:water:3702031056:2026-11:4100:39"));
    assert_false(app->bills->pay_started);
    assert_int_equal(all_orders(&hub, acct), 0);
    bills_code_scanned(app, code_event(app, "134567890123456789"));
    assert_true(app->bills->pay_started);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);
    assert_int_equal(all_orders(&hub, acct), 1);
    /* the code itself is nowhere in the app */
    assert_null(memmem(app, sizeof *app, "134567890123456789", 18));
    harness_free(app);
}

static void pay_by_code_userpaying_then_confirmed(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "3702115562");
    assert_int_equal(hubproc_behaviour(&hub, "{\"mode\": \"userpaying\", \"settle_s\": 0}"), 200);
    app_t *app = net_app();
    to_pay_code(app, 1, acct);
    bills_code_scanned(app, code_event(app, "284567890123456789"));   /* Alipay */
    WAIT_FOR(app, app->bills->pay.state == PAY_USERPAYING, 5000);
    assert_int_equal(app->bills->pay.state, PAY_USERPAYING);
    assert_true(app_test_text_shown(app, "confirm the payment on your phone"));
    app_build(app);
    assert_non_null(ui_find(app->frame, "pay.countdown.value"));
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&hub, path), 200);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);
    assert_int_equal(all_orders(&hub, acct), 1);
    assert_int_equal(hubproc_behaviour(&hub, "{\"mode\": \"success\", \"settle_s\": 15}"), 200);
    harness_free(app);
}

static void pay_by_code_declined(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "60310283");
    assert_int_equal(hubproc_behaviour(&hub, "{\"mode\": \"payerror\"}"), 200);
    app_t *app = net_app();
    to_pay_code(app, 3, acct);
    bills_code_scanned(app, code_event(app, "134567890123456780"));
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_FAILED);
    assert_true(app_test_text_shown(app, "not enough balance"));
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 0);
    assert_true(unpaid(&hub, acct) > 0);
    assert_int_equal(hubproc_behaviour(&hub, "{\"mode\": \"success\"}"), 200);
    harness_free(app);
}

static void bill_paid_elsewhere_meanwhile(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "3702036731");
    app_t *app = net_app();
    find_by_account(app, 0, acct);
    /* someone pays the same bills on a phone while the list is on screen */
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bills b JOIN accounts a ON a.id = b.account_id "
             "WHERE a.account_no = '%s' AND b.status = 'unpaid'", acct);
    long long before = hubproc_sql_int(&hub, sql);
    assert_true(before > 0);
    {
        /* another kiosk's payment, through the API */
        hub_client_t *c = hub_client_new(hub.url, HUBPROC_TOKEN, 3000, NULL);
        hub_status_t st;
        hub_order_t o;
        long long ids[HUB_MAX_ORDER_BILLS];
        int n = bills_selected(app, ids, HUB_MAX_ORDER_BILLS, NULL);
        hub_pay_create(c, "other-key-1", "OTHER-0001", ids, n, "code", "134567890123456789", &o, &st);
        assert_int_equal(st.result, HUB_OK);
        assert_int_equal(o.state, ORDER_SUCCESS);
        hub_client_free(c);
    }
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_FAILED);
    assert_true(app_test_text_shown(app, "already been paid"));
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);          /* the other one only */
    assert_int_equal(all_orders(&hub, acct), 1);
    harness_free(app);
}

static void receipt_printed_with_masked_account_and_check_qr(void **state)
{
    char acct[32], err[256];
    snprintf(acct, sizeof acct, "%s", "3702112648");
    vprinter_config_t pc = {.paper_mm = 58, .state = VPRINTER_READY};
    vprinter_t *vp = vprinter_start(&pc, err, sizeof err);
    assert_non_null(vp);
    snprintf(printer_set, sizeof printer_set, "devices.printer=tcp://127.0.0.1:%d", vprinter_port(vp));
    app_t *app = net_app();
    printer_set[0] = '\0';
    to_pay_code(app, 1, acct);
    bills_code_scanned(app, code_event(app, "134567890123456789"));
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    WAIT_FOR(app, vprinter_receipt_count(vp) >= 1 && app->toast[0], 8000);
    assert_int_equal(vprinter_receipt_count(vp), 1);
    assert_int_equal(app->receipt_qr[0], 0);                   /* printed: no QR fallback */
    size_t n;
    unsigned char *bytes = vprinter_receipt(vp, 0, &n);
    escpos_doc_t doc;
    escpos_decode(bytes, n, &doc);
    char *text = vprinter_render_text(&doc, 58);
    assert_non_null(text);
    char png[256];
    snprintf(png, sizeof png, "%s/receipt-payment.png", harness_build_dir());
    vprinter_save(bytes, n, 58, png, NULL, err, sizeof err);   /* to look at */
    assert_non_null(strstr(text, "Payment receipt"));
    assert_non_null(strstr(text, "3702**2648"));                /* masked account */
    assert_null(strstr(text, acct));
    assert_non_null(strstr(text, app->bills->pay_no));
    assert_non_null(strstr(text, "demo-01"));
    char money[32], qr[128];
    snprintf(money, sizeof money, "\xC2\xA5%lld.%02lld", app->bills->pay.amount_fen / 100,
             app->bills->pay.amount_fen % 100);
    assert_non_null(strstr(text, money));
    snprintf(qr, sizeof qr, "[QR XFL-RCPT:1:%s:%lld:%s", app->bills->pay_no, app->bills->pay.amount_fen,
             app->bills->pay.transaction_id);
    if (!strstr(text, qr)) fail_msg("no check QR %s in:\n%s", qr, text);
    free(text);
    escpos_doc_free(&doc);
    free(bytes);
    harness_free(app);
    vprinter_stop(vp);
}

/* ---- the hub down ------------------------------------------------------------- */

static void hub_down_no_code_taken_then_qr_resumes(void **state)
{
    hubproc_t h2 = {0};
    assert_int_equal(hubproc_start(&h2), 0);
    app_t *app = net_app_on(&h2, NULL);
    find_by_account(app, 0, "3702031056");
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    hubproc_kill(&h2);
    assert_int_equal(app_test_tap(app, "list.pay_code"), 0);
    WAIT_FOR(app, app->bills->hub_ok >= 0, 8000);
    assert_int_equal(app->bills->hub_ok, 0);
    assert_true(app_test_text_shown(app, "cannot be reached"));
    bills_code_scanned(app, code_event(app, "134567890123456789"));
    assert_false(app->bills->pay_started);
    assert_int_equal(all_orders(&h2, "3702031056"), 0);
    /* QR instead: the order cannot be made while the hub is down; the
     * screen says it is confirming, and carries on when the hub is back */
    assert_int_equal(app_test_tap(app, "pay.use_qr"), 0);
    assert_int_equal(app->screen, SCR_PAY_QR);
    WAIT_FOR(app, app->bills->pay.unknown, 8000);
    assert_true(app->bills->pay.unknown);
    assert_true(app_test_text_shown(app, "never be charged twice"));
    assert_int_equal(hubproc_start(&h2), 0);                      /* same db, same port */
    WAIT_FOR(app, qr_on_screen(app), 15000);
    assert_true(qr_on_screen(app));
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&h2, path), 200);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 8000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_int_equal(orders(&h2, "3702031056", "SUCCESS"), 1);
    assert_int_equal(all_orders(&h2, "3702031056"), 1);
    harness_free(app);
    hubproc_cleanup(&h2);
}

/* A hub that answers 500, or a body cut short: never a guess, never a
 * second order; the payment goes on when the answers are good again. */
static void hub_answering_500_or_garbage_is_resolved_by_asking(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "20319083");
    faultproxy_t *fp = faultproxy_start(hub.port);
    assert_non_null(fp);
    hubproc_t via = hub;                             /* the same hub, behind the proxy */
    faultproxy_url(fp, via.url, sizeof via.url);
    app_t *app = net_app_on(&via, NULL);
    find_by_account(app, 2, acct);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    faultproxy_set_mode(fp, FP_HTTP500, 0);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, app->bills->pay.unknown, 5000);
    assert_true(app->bills->pay.unknown);
    assert_false(qr_on_screen(app));
    assert_true(app_test_text_shown(app, "never be charged twice"));
    faultproxy_set_mode(fp, FP_TRUNCATE, 0);         /* answers cut short: garbage */
    app_test_pump(app, 50, 1500);
    assert_false(pay_is_final(app->bills->pay.state));
    faultproxy_set_mode(fp, FP_PASS, 0);
    WAIT_FOR(app, qr_on_screen(app), 10000);
    assert_true(qr_on_screen(app));
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&hub, path), 200);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 8000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);
    assert_int_equal(all_orders(&hub, acct), 1);
    harness_free(app);
    faultproxy_stop(fp);
}

/* ---- the kiosk killed mid-payment --------------------------------------------- */

/* A child kiosk starts a QR payment for ACCT and is killed -9 once the hub has
 * the order; returns the order's out_trade_no. */
static void kill_mid_payment(const char *var, int utility, const char *acct, char *no, int len)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);          /* never outlives a failed test */
        app_t *app = net_app_on(&hub, var);
        find_by_account(app, utility, acct);
        if (app->screen != SCR_BILLS_LIST) _exit(3);
        app_test_tap(app, "list.pay_qr");
        for (;;) app_test_pump(app, 20, 100);       /* until killed */
    }
    Uint32 t0 = SDL_GetTicks();
    while (all_orders(&hub, acct) < 1 && SDL_GetTicks() - t0 < 10000) usleep(20000);
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    assert_int_equal(all_orders(&hub, acct), 1);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT ob.out_trade_no FROM order_bills ob JOIN bills b ON b.id = ob.bill_id"
             " JOIN accounts a ON a.id = b.account_id WHERE a.account_no = '%s' LIMIT 1", acct);
    assert_int_equal(hubproc_sql_text(&hub, sql, no, len), 0);
}

static void kiosk_state_of(const char *var, const char *no, char *state, int len)
{
    char path[300];
    snprintf(path, sizeof path, "%s/kiosk.db", var);
    sqlite3 *db;
    state[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT state FROM payments WHERE out_trade_no = ?", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, no, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) snprintf(state, (size_t)len, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void killed_mid_payment_resumes_and_closes(void **state)
{
    char acct[32], no[64], var[] = "/tmp/kiosk-test-kill-XXXXXX", st[32];
    snprintf(acct, sizeof acct, "%s", "3702117206");
    assert_non_null(mkdtemp(var));
    kill_mid_payment(var, 1, acct, no, sizeof no);
    /* restart: the unfinished payment is found and given up (nobody sees its QR) */
    app_t *app = net_app_on(&hub, var);
    Uint32 t0 = SDL_GetTicks();
    while (orders(&hub, acct, "CLOSED") != 1 && SDL_GetTicks() - t0 < 8000) app_test_pump(app, 20, 100);
    assert_int_equal(orders(&hub, acct, "CLOSED"), 1);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 0);
    assert_int_equal(all_orders(&hub, acct), 1);
    t0 = SDL_GetTicks();
    do {
        app_test_pump(app, 20, 100);
        kiosk_state_of(var, no, st, sizeof st);
    } while (strcmp(st, "cancelled") != 0 && SDL_GetTicks() - t0 < 5000);
    assert_string_equal(st, "cancelled");
    harness_free(app);           /* removes var (a /tmp/kiosk-test- dir) */
}

static void killed_mid_payment_paid_meanwhile_is_paid_once(void **state)
{
    char acct[32], no[64], var[] = "/tmp/kiosk-test-kill-XXXXXX", st[32], path[96];
    snprintf(acct, sizeof acct, "%s", "20318215");
    assert_non_null(mkdtemp(var));
    kill_mid_payment(var, 2, acct, no, sizeof no);
    snprintf(path, sizeof path, "/v1/demo/pay/%s", no);
    assert_int_equal(hubproc_get(&hub, path), 200);      /* paid on the phone after the crash */
    app_t *app = net_app_on(&hub, var);
    Uint32 t0 = SDL_GetTicks();
    do {
        app_test_pump(app, 20, 100);
        kiosk_state_of(var, no, st, sizeof st);
    } while (strcmp(st, "paid") != 0 && SDL_GetTicks() - t0 < 8000);
    assert_string_equal(st, "paid");
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 1);
    assert_int_equal(all_orders(&hub, acct), 1);
    assert_int_equal(unpaid(&hub, acct), 0);
    harness_free(app);
}

/* ---- one account at a time, asked before leaving -------------------------------- */

static void card_event(app_t *app, const char *name, const char *id_number)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->kind = IDENT_CARD;
    ev->result = IDCARD_OK;
    snprintf(ev->card.name, sizeof ev->card.name, "%s", name);
    snprintf(ev->card.id_number, sizeof ev->card.id_number, "%s", id_number);
    bills_scan_result(app, ev);
}

/* After an ID-card look-up the pay button pays the ticked bills of the tab
 * on screen only; the result lists exactly them and says what is still
 * owed on the other accounts (never "all paid"). */
static void id_card_pays_only_the_account_shown(void **state)
{
    static const char *const others[] = {"3702031056", "20316658", "60310527"};
    long long before[3];
    for (int i = 0; i < 3; i++) before[i] = unpaid(&hub, others[i]);
    app_t *app = net_app();
    wake(app);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.card"), 0);
    card_event(app, "张建国", "370203196803120315");
    assert_true(app_test_text_shown(app, "Please take your ID card"));
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->bills->acc.n, 4);
    assert_int_equal(app_test_tap(app, "list.acct.1"), 0);          /* electricity */
    assert_string_equal(app->bills->acc.a[1].utility, "electricity");
    long long total;
    int n = bills_selected(app, NULL, 0, &total);
    assert_true(n >= 1);
    assert_int_equal(total, app->bills->acc.a[1].due_fen);           /* this tab's bills only */
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, qr_on_screen(app), 5000);
    assert_int_equal(app->bills->pay.amount_fen, total);
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&hub, path), 200);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    /* the hub charged exactly that account */
    assert_int_equal(unpaid(&hub, "3702118472"), 0);
    assert_int_equal(orders(&hub, "3702118472", "SUCCESS"), 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(unpaid(&hub, others[i]), before[i]);
        assert_int_equal(all_orders(&hub, others[i]), 0);
    }
    /* the result lists what was paid, and what is still owed */
    app_build(app);
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "result.line.%d", i);
        const ui_widget_t *w = ui_find(app->frame, id);
        if (!w) fail_msg("paid line %d not listed", i);
        assert_non_null(strstr(w->text, "Electricity"));
        assert_non_null(strstr(w->text, "3702**8472"));
    }
    assert_null(ui_find(app->frame, "result.line.99"));
    assert_true(app_test_text_shown(app, "These bills are paid"));
    assert_true(app_test_text_shown(app, "Still to pay"));
    assert_false(app_test_text_shown(app, "Nothing more is owed"));
    harness_free(app);
}

/* "Back" or "Home" on a live QR payment asks first; staying keeps the QR;
 * cancelling closes the order at the hub and says nothing was charged. */
static void leaving_a_live_payment_asks_first(void **state)
{
    char acct[32];
    snprintf(acct, sizeof acct, "%s", "60310527");
    app_t *app = net_app();
    find_by_account(app, 3, acct);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    WAIT_FOR(app, qr_on_screen(app), 5000);
    assert_int_equal(app_test_tap(app, "nav.back"), 0);
    assert_int_equal(app->screen, SCR_PAY_QR);
    assert_true(app_test_text_shown(app, "Stop paying?"));
    assert_int_equal(app_test_tap(app, "pay.cancel"), -1);            /* under the dialog */
    assert_int_equal(app_test_tap(app, "payleave.stay"), 0);
    assert_false(app_test_text_shown(app, "Stop paying?"));
    assert_true(qr_on_screen(app));
    assert_int_equal(app->bills->pay.state, PAY_WAITING);
    assert_int_equal(app_test_tap(app, "nav.home"), 0);
    assert_int_equal(app->screen, SCR_PAY_QR);
    assert_int_equal(app_test_tap(app, "payleave.cancel"), 0);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->bills->pay.state, PAY_CANCELLED);
    assert_true(app_test_text_shown(app, "Nothing was charged"));
    assert_int_equal(orders(&hub, acct, "CLOSED"), 1);
    assert_int_equal(orders(&hub, acct, "SUCCESS"), 0);
    /* with nothing live, back goes back at once */
    assert_int_equal(app_test_tap(app, "nav.back"), 0);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    harness_free(app);
}

static int setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    harness_clock_start();                  /* the hub starts at the kiosk's time */
    return hubproc_start(&hub);
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lookup_by_account_shows_masked_bills),
        cmocka_unit_test(lookup_unknown_account_says_so),
        cmocka_unit_test(lookup_by_paper_bill_qr),
        cmocka_unit_test(lookup_by_id_card_lists_every_account_then_wipes),
        cmocka_unit_test(pay_by_qr_paid_prints_receipt_and_charges_once),
        cmocka_unit_test(pay_by_qr_cancelled_closes_the_order),
        cmocka_unit_test(session_timeout_mid_payment_wipes_and_closes),
        cmocka_unit_test(pay_by_code_success_and_wrong_shapes),
        cmocka_unit_test(pay_by_code_userpaying_then_confirmed),
        cmocka_unit_test(pay_by_code_declined),
        cmocka_unit_test(bill_paid_elsewhere_meanwhile),
        cmocka_unit_test(receipt_printed_with_masked_account_and_check_qr),
        cmocka_unit_test(hub_down_no_code_taken_then_qr_resumes),
        cmocka_unit_test(hub_answering_500_or_garbage_is_resolved_by_asking),
        cmocka_unit_test(killed_mid_payment_resumes_and_closes),
        cmocka_unit_test(killed_mid_payment_paid_meanwhile_is_paid_once),
        cmocka_unit_test(id_card_pays_only_the_account_shown),
        cmocka_unit_test(leaving_a_live_payment_asks_first),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
