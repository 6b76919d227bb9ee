/* Payment end to end, kiosk to hub to provider: the kiosk app (headless,
 * driven by widget id) against a real hub process (build/hub --demo with a
 * hub.ini whose [payment] section names a provider) and that provider's
 * simulator, run in this process on an OS-chosen port (tests/hub/
 * alipay_sim.c, tests/hub/wechat_sim.c). Every case runs once per provider
 * unless the provider cannot do it:
 *  - QR order: paid (by the notification; with it lost, by the hub's
 *    query); notification before the answer; forged notification refused;
 *    provider slow; provider gone, then back; the order refused;
 *    the hub killed while the payer pays, then restarted; the kiosk
 *    restarted while the payer pays (its close meets a paid order); paid as the
 *    resident cancels (the close meets a paid trade);
 *  - payment code: paid; payer waiting then paid; refused; provider slow;
 *    provider gone (reversed at the window's end); forged notification
 *    refused; notification before the answer (Alipay); the hub killed
 *    between the provider's charge and its answer; the hub and the kiosk
 *    both killed there (Alipay), the kiosk's engine resuming by itself;
 *    confirmed as the resident cancels (paid once, or reversed: agreed);
 *  - a hub without a provider: 503, a calm "payment is not available"
 *    screen, no order, no bill changed (QR and code).
 * The number of charges at the simulator is asserted every time (one, or
 * none), with the bills and orders at the hub and the payment row in the
 * kiosk's own database; no request of the hub's may bear a bad signature.
 * PAY_E2E_ONLY=pattern runs some cases (e.g. "wechat_code_*"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "alipay_sim.h"
#include "app/screens.h"
#include "core/clock.h"
#include "hub.h"                    /* hub_clock_anchor: the simulators read the hub's clock */
#include "services/bills/bills.h"
#include "services/bills/pay_engine.h"
#include "services/bills/pay_store.h"
#include "services/identify/identify_service.h"
#include "sim_hubini.h"
#include "store/store.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "wechat_sim.h"

/* The demo's first resident: two unpaid water bills (utility 0). */
#define ACCOUNT "3702031056"
#define ALIPAY_CODE "284567890123456789"
#define WECHAT_CODE "134567890123456789"
#define WAIT_MS 10000

typedef enum { ALIPAY, WECHAT } provider_t;

typedef struct {
    provider_t prov;
    alipay_sim_t *ali;
    wechat_sim_t *wx;
    hubproc_t hub;
    char dir[64];               /* hub.ini, secrets, the kiosk's var dir */
    char var[96];
    char notify_url[96];
    app_t *app;
} env_t;

/* ---- the provider, whichever it is ------------------------------------------ */

static int charges(env_t *e) { return e->prov == ALIPAY ? sim_charges(e->ali) : wxsim_charges(e->wx); }

static void delay_ms(env_t *e, int ms)
{
    if (e->prov == ALIPAY) sim_delay_ms(e->ali, ms);
    else wxsim_delay_ms(e->wx, ms);
}

static void gone(env_t *e, bool g)
{
    if (e->prov == ALIPAY) sim_gone(e->ali, g);
    else wxsim_gone(e->wx, g);
}

typedef enum { MODE_SUCCESS, MODE_WAIT, MODE_REFUSE } e2e_mode_t;

static void pay_mode(env_t *e, e2e_mode_t m)
{
    if (e->prov == ALIPAY)
        sim_pay_mode(e->ali, m == MODE_SUCCESS ? SIM_PAY_SUCCESS : m == MODE_WAIT ? SIM_PAY_WAIT : SIM_PAY_REFUSE);
    else
        wxsim_pay_mode(e->wx, m == MODE_SUCCESS ? WXSIM_PAY_SUCCESS
                              : m == MODE_WAIT ? WXSIM_PAY_USERPAYING : WXSIM_PAY_REFUSE);
}

/* The payer scans the QR and pays, or confirms a waiting payment code. */
static int payer_pays(env_t *e, const char *no, bool notify)
{
    return e->prov == ALIPAY ? sim_payer_pays(e->ali, no, notify) : wxsim_payer_pays(e->wx, no, notify);
}

/* A "paid" notification for NO signed with a key that is not the
 * provider's: the hub's HTTP answer. */
static int forged_notice(env_t *e, const char *no, long long fen)
{
    if (e->prov == ALIPAY) {
        char amount[24], body[16];
        snprintf(amount, sizeof amount, "%lld.%02lld", fen / 100, fen % 100);
        return sim_notify(e->ali, e->notify_url, no, "TRADE_SUCCESS", amount, true, body);
    }
    return wxsim_notify(e->wx, e->notify_url, no, "SUCCESS", fen, WXSIM_NOTICE_BAD_SIGNATURE);
}

static int bad_signatures(env_t *e)
{
    return e->prov == ALIPAY ? sim_bad_signatures(e->ali) : wxsim_bad_signatures(e->wx);
}

static const char *code(const env_t *e) { return e->prov == ALIPAY ? ALIPAY_CODE : WECHAT_CODE; }

/* ---- set-up ------------------------------------------------------------------- */

/* hub.ini naming PROVIDER ("none" or the env's), with its secrets. The
 * hub's wait for one answer of the provider is short, so that "slow" and
 * "gone" cost a test seconds, not minutes. */
static void write_config(env_t *e, const char *provider, int timeout_ms)
{
    sim_hubini_t o = {.provider = provider, .ali = e->ali, .wx = e->wx,
                      .notify_port = hubproc_free_port(), .timeout_ms = timeout_ms};
    assert_true(o.notify_port > 0);
    assert_int_equal(sim_hubini_write(e->dir, &o, e->hub.config, sizeof e->hub.config, e->notify_url,
                                      sizeof e->notify_url), 0);
}

/* Writes the hub.ini (write_config) and starts the hub. The notification
 * port is picked free just before, and another socket can take it before
 * the hub binds it (the hub then exits at start, seen once in a clean-clone
 * run): a new port, up to three tries. */
static int start_hub(env_t *e, const char *provider, int timeout_ms)
{
    for (int tries = 0; tries < 3; tries++) {
        write_config(e, provider, timeout_ms);
        if (hubproc_start(&e->hub) == 0) return 0;
    }
    return -1;
}

/* The kiosk app on the env's hub; EXTRA: one more setting, or NULL. */
static app_t *kiosk(env_t *e, const char *extra)
{
    static char url[128], tok[200], var[160];
    snprintf(url, sizeof url, "hub.url=%s", e->hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(var, sizeof var, "kiosk.var_dir=%s", e->var);
    const char *sets[] = {url, tok, var, "ui.locale=en", "payment.poll_interval=200", "hub.timeout=3",
                          "kiosk.log_level=info", extra, NULL};
    return harness_net_app(1920, 1080, sets);
}

static int setup_with(void **state, provider_t prov, const char *provider)
{
    env_t *e = calloc(1, sizeof *e);
    assert_non_null(e);
    e->prov = prov;
    strcpy(e->dir, "/tmp/kiosk-paye2e-XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->var, sizeof e->var, "%s/var", e->dir);
    assert_int_equal(mkdir(e->var, 0700), 0);
    if (prov == ALIPAY) e->ali = sim_start();
    else e->wx = wxsim_start();
    assert_int_equal(start_hub(e, provider, 1000), 0);
    /* The hub process's clock starts at the kiosk's (--now); the simulator
     * checks request times against the same one (WeChat Pay's 5 minutes). */
    if (clock_is_fake()) hub_clock_anchor(clock_wall_ms() / 1000);
    e->app = kiosk(e, NULL);
    *state = e;
    return 0;
}

/* The same hub (database, port) again, waiting TIMEOUT_MS for the
 * provider's answers: a held answer the hub does not give up on. */
static void hub_with_timeout(env_t *e, int timeout_ms)
{
    /* SIGKILL: a hub just started may not have its SIGTERM handler yet
     * (and under libfaketime one stopped that early was seen to hang). */
    hubproc_kill(&e->hub);
    assert_int_equal(start_hub(e, e->prov == ALIPAY ? "alipay" : "wechat", timeout_ms), 0);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    env_t *e = *state;
    /* Every request of the hub's bore a good signature. */
    int bad = bad_signatures(e);
    if (e->app) harness_free(e->app);
    hubproc_cleanup(&e->hub);
    if (e->ali) sim_stop(e->ali);
    if (e->wx) wxsim_stop(e->wx);
    nftw(e->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(e);
    assert_int_equal(bad, 0);
    return 0;
}

static int setup_alipay(void **state) { return setup_with(state, ALIPAY, "alipay"); }
static int setup_wechat(void **state) { return setup_with(state, WECHAT, "wechat"); }
static int setup_none_alipay(void **state) { return setup_with(state, ALIPAY, "none"); }
static int setup_none_wechat(void **state) { return setup_with(state, WECHAT, "none"); }

/* ---- the hub's and the kiosk's records ------------------------------------------ */

static long long unpaid(env_t *e)
{
    return hubproc_sql_int(&e->hub, "SELECT COUNT(*) FROM bills b JOIN accounts a ON a.id = b.account_id"
                                    " WHERE a.account_no = '" ACCOUNT "' AND b.status = 'unpaid'");
}

static long long orders_in(env_t *e, const char *state)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM orders o WHERE o.state = '%s' AND o.out_trade_no IN "
             "(SELECT ob.out_trade_no FROM order_bills ob JOIN bills b ON b.id = ob.bill_id "
             " JOIN accounts a ON a.id = b.account_id WHERE a.account_no = '" ACCOUNT "')", state);
    return hubproc_sql_int(&e->hub, sql);
}

static long long all_orders(env_t *e)
{
    return hubproc_sql_int(&e->hub, "SELECT COUNT(DISTINCT ob.out_trade_no) FROM order_bills ob"
                                    " JOIN bills b ON b.id = ob.bill_id JOIN accounts a ON a.id = b.account_id"
                                    " WHERE a.account_no = '" ACCOUNT "'");
}

/* The payment's state in the kiosk's own database (a connection of ours). */
static pay_state_t kiosk_row(env_t *e, const char *no)
{
    store_t *st;
    payment_t p;
    char err[256];
    memset(&p, 0, sizeof p);
    assert_int_equal(store_open(e->var, &st, err, sizeof err), 0);
    assert_int_equal(store_pay_get(st, no, &p, NULL), 1);
    store_close(st);
    return p.state;
}

/* Paid: one charge, one SUCCESS order, no unpaid bill, the kiosk says so
 * on screen and on disk. */
static void assert_paid(env_t *e)
{
    app_t *app = e->app;
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, WAIT_MS);
    assert_int_equal(app->screen, SCR_PAY_RESULT);
    assert_int_equal(app->bills->pay.state, PAY_PAID);
    assert_true(app_test_text_shown(app, "Payment successful"));
    assert_int_equal(charges(e), 1);
    assert_int_equal(orders_in(e, "SUCCESS"), 1);
    assert_int_equal(all_orders(e), 1);
    assert_int_equal(unpaid(e), 0);
    assert_int_equal(kiosk_row(e, app->bills->pay_no), PAY_PAID);
}

/* The kiosk, started again, finds order NO paid (on its disk too): one
 * charge, one SUCCESS order, no unpaid bill. */
static void assert_restarted_paid(env_t *e, const char *no)
{
    e->app = kiosk(e, NULL);
    WAIT_FOR(e->app, kiosk_row(e, no) == PAY_PAID, WAIT_MS);
    assert_int_equal(kiosk_row(e, no), PAY_PAID);
    assert_int_equal(charges(e), 1);
    assert_int_equal(orders_in(e, "SUCCESS"), 1);
    assert_int_equal(all_orders(e), 1);
    assert_int_equal(unpaid(e), 0);
}

/* Not paid: no charge, no SUCCESS order, both bills still unpaid. */
static void assert_nothing_taken(env_t *e, long long unpaid_before)
{
    assert_int_equal(charges(e), 0);
    assert_int_equal(orders_in(e, "SUCCESS"), 0);
    assert_int_equal(unpaid(e), unpaid_before);
}

/* ---- driving the kiosk ------------------------------------------------------------ */

static ident_event_t *code_event(app_t *app, const char *payload)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CODE;
    qr_classify(payload, strlen(payload), &ev->info);
    return ev;
}

/* Home -> bills -> account number -> the list. */
static void find_bills(app_t *app)
{
    app_test_tap_xy(app, 900, 500);             /* the first touch starts a session */
    assert_int_equal(app->screen, SCR_HOME);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.account"), 0);
    assert_int_equal(app_test_tap(app, "acct.utility.0"), 0);
    char id[UI_ID_LEN];
    for (const char *d = ACCOUNT; *d; d++) {
        snprintf(id, sizeof id, "acct.key.%c", *d);
        assert_int_equal(app_test_tap(app, id), 0);
    }
    assert_int_equal(app_test_tap(app, "acct.key.ok"), 0);
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
}

static bool qr_on_screen(app_t *app)
{
    app_build(app);
    return ui_find(app->frame, "pay.qr") != NULL;
}

/* The QR order made and on screen; its number. */
static const char *start_qr(env_t *e)
{
    app_t *app = e->app;
    find_bills(app);
    assert_int_equal(app_test_tap(app, "list.pay_qr"), 0);
    assert_int_equal(app->screen, SCR_PAY_QR);
    WAIT_FOR(app, qr_on_screen(app), WAIT_MS);
    assert_true(qr_on_screen(app));
    assert_int_equal(app->bills->pay.state, PAY_WAITING);
    /* The QR holds the provider's code_url, never the hub's demo page. */
    assert_null(strstr(app->bills->pay.code_url, "/v1/demo/"));
    assert_true(app->bills->pay_no[0] != '\0');
    return app->bills->pay_no;
}

/* The payment code screen, then the scanned code. */
static void scan_code(env_t *e)
{
    app_t *app = e->app;
    find_bills(app);
    assert_int_equal(app_test_tap(app, "list.pay_code"), 0);
    assert_int_equal(app->screen, SCR_PAY_CODE);
    WAIT_FOR(app, app->bills->hub_ok >= 0, 5000);
    assert_int_equal(app->bills->hub_ok, 1);
    /* A code is taken only while the engine, too, sees the hub (its own
     * probe lags a hub restarted since the app started). */
    WAIT_FOR(app, pay_engine_hub_reachable(app->pay), 5000);
    assert_true(pay_engine_hub_reachable(app->pay));
    bills_code_scanned(app, code_event(app, code(e)));
    assert_true(app->bills->pay_started);
}

/* Handles the workers' answers for MS of real time (polls go on). */
static void pump_for(app_t *app, int ms)
{
    Uint32 t0 = SDL_GetTicks();
    while (SDL_GetTicks() - t0 < (Uint32)ms) app_test_pump(app, 20, 100);
}

static void wait_final(env_t *e)
{
    WAIT_FOR(e->app, e->app->screen == SCR_PAY_RESULT, WAIT_MS);
    if (e->app->screen != SCR_PAY_RESULT)
        fail_msg("no result: screen %d, payment state %d (%s), unknown %d", (int)e->app->screen,
                 (int)e->app->bills->pay.state, e->app->bills->pay.reason, (int)e->app->bills->pay.unknown);
}

/* ---- QR order ------------------------------------------------------------------ */

static void qr_paid(void **state)
{
    env_t *e = *state;
    const char *no = start_qr(e);
    assert_int_equal(charges(e), 0);
    assert_int_equal(payer_pays(e, no, true), 0);
    assert_paid(e);
}

/* The payer pays; the notification is lost: the kiosk's polling makes the
 * hub ask the provider, whose answer is the proof. */
static void qr_paid_notification_lost(void **state)
{
    env_t *e = *state;
    const char *no = start_qr(e);
    assert_int_equal(payer_pays(e, no, false), 0);
    assert_paid(e);
}

/* The notification comes while the provider's query answers slower than
 * the hub waits: the notification alone makes it paid. */
static void qr_notification_before_the_answer(void **state)
{
    env_t *e = *state;
    const char *no = start_qr(e);
    delay_ms(e, 3000);
    assert_int_equal(payer_pays(e, no, true), 0);
    assert_paid(e);
    delay_ms(e, 0);
}

/* A forged "paid" notification is refused: nothing paid, the QR stays up;
 * the resident cancels and nothing was taken. */
static void qr_forged_notification_refused(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    const char *no = start_qr(e);
    assert_int_equal(forged_notice(e, no, e->app->bills->pay.amount_fen), 400);
    pump_for(e->app, 1000);           /* a few polls */
    assert_int_equal(e->app->screen, SCR_PAY_QR);
    assert_int_equal(e->app->bills->pay.state, PAY_WAITING);
    assert_nothing_taken(e, before);
    assert_int_equal(app_test_tap(e->app, "pay.cancel"), 0);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_CANCELLED);
    assert_true(app_test_text_shown(e->app, "Nothing was charged"));
    assert_nothing_taken(e, before);
    /* And the payer can no longer pay the closed order. */
    assert_int_equal(payer_pays(e, no, false), -1);
    assert_int_equal(charges(e), 0);
}

/* The provider slow to make the order: the QR comes late, then is paid. */
static void qr_provider_slow(void **state)
{
    env_t *e = *state;
    delay_ms(e, 600);                           /* under the hub's 1 s */
    const char *no = start_qr(e);
    assert_int_equal(payer_pays(e, no, true), 0);
    assert_paid(e);
    delay_ms(e, 0);
}

/* The provider gone when the order is made: no QR, nothing taken, the
 * bills unchanged; the kiosk says it is confirming, never "paid", and asks
 * again. The provider back, the QR comes up and is paid, once. */
static void qr_provider_gone(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    gone(e, true);
    find_bills(e->app);
    assert_int_equal(app_test_tap(e->app, "list.pay_qr"), 0);
    WAIT_FOR(e->app, e->app->bills->pay.unknown, WAIT_MS);
    assert_true(e->app->bills->pay.unknown);
    assert_true(app_test_text_shown(e->app, "never be charged twice"));
    pump_for(e->app, 800);
    assert_false(qr_on_screen(e->app));
    assert_int_equal(e->app->bills->pay.state, PAY_CREATING);
    assert_nothing_taken(e, before);
    assert_int_equal(all_orders(e), 0);
    gone(e, false);
    WAIT_FOR(e->app, qr_on_screen(e->app), 3 * WAIT_MS);
    assert_true(qr_on_screen(e->app));
    assert_int_equal(payer_pays(e, e->app->bills->pay_no, true), 0);
    assert_paid(e);
}

/* The payer pays while the hub is down (SIGKILL); the notification cannot
 * arrive. The hub comes back on the same database and ports: the kiosk's
 * engine, still polling, ends paid once, and so does its record. */
static void qr_hub_killed_then_paid(void **state)
{
    env_t *e = *state;
    const char *no = start_qr(e);
    hubproc_kill(&e->hub);
    assert_int_equal(payer_pays(e, no, false), 0);      /* a notice would find nobody */
    assert_int_equal(charges(e), 1);
    pump_for(e->app, 800);
    if (e->app->bills->pay.state != PAY_WAITING)
        fail_msg("hub down: payment state %d (%s)", (int)e->app->bills->pay.state, e->app->bills->pay.reason);
    assert_int_equal(hubproc_start(&e->hub), 0);
    assert_paid(e);
}

/* The kiosk stops with the QR on screen and the payer pays meanwhile, the
 * notification lost. Back up, the kiosk's engine closes the QR nobody sees
 * any more; the hub's close meets a paid trade at the provider: paid, once,
 * on the kiosk's disk too. */
static void qr_kiosk_restarted_paid_meanwhile(void **state)
{
    env_t *e = *state;
    char no[HUB_TRADE_NO_MAX + 1];
    snprintf(no, sizeof no, "%s", start_qr(e));
    harness_free(e->app);
    e->app = NULL;
    assert_int_equal(payer_pays(e, no, false), 0);
    assert_int_equal(kiosk_row(e, no), PAY_WAITING);
    assert_restarted_paid(e, no);
}

/* ---- payment code ------------------------------------------------------------------ */

static void code_paid(void **state)
{
    env_t *e = *state;
    scan_code(e);
    assert_paid(e);
    /* The code is nowhere in the app. */
    assert_null(memmem(e->app, sizeof *e->app, code(e), 18));
}

static void code_payer_waiting_then_paid(void **state)
{
    env_t *e = *state;
    pay_mode(e, MODE_WAIT);
    scan_code(e);
    WAIT_FOR(e->app, e->app->bills->pay.state == PAY_USERPAYING, WAIT_MS);
    assert_int_equal(e->app->bills->pay.state, PAY_USERPAYING);
    assert_true(app_test_text_shown(e->app, "confirm the payment on your phone"));
    assert_int_equal(charges(e), 0);
    assert_int_equal(payer_pays(e, e->app->bills->pay_no, false), 0);
    assert_paid(e);
}

static void code_refused(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    pay_mode(e, MODE_REFUSE);
    scan_code(e);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_FAILED);
    assert_true(app_test_text_shown(e->app, "not enough balance"));
    assert_nothing_taken(e, before);
    assert_int_equal(kiosk_row(e, e->app->bills->pay_no), PAY_FAILED);
}

/* The provider answers after the hub stopped waiting (the money was taken
 * first): the outcome is unknown, asked again until the provider answers. */
static void code_provider_slow(void **state)
{
    env_t *e = *state;
    delay_ms(e, 1600);                          /* the hub waits 1 s */
    scan_code(e);
    WAIT_FOR(e->app, charges(e) == 1, WAIT_MS);
    assert_int_equal(charges(e), 1);
    pump_for(e->app, 1000);
    assert_true(e->app->bills->pay.state != PAY_FAILED && e->app->bills->pay.state != PAY_CANCELLED);
    delay_ms(e, 0);
    assert_paid(e);
}

/* The provider gone: nothing can be taken; the kiosk never says paid.
 * The provider back, the payer's confirmation never comes: at the end of
 * the kiosk's window the payment is reversed, nothing charged. */
static void code_provider_gone(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    /* The payment engine's window runs on the real clock: a short one. */
    harness_free(e->app);
    e->app = kiosk(e, "payment.code_window=4");
    gone(e, true);
    scan_code(e);
    pump_for(e->app, 1500);
    assert_true(e->app->bills->pay.state != PAY_PAID);
    assert_nothing_taken(e, before);
    gone(e, false);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_CANCELLED);
    assert_true(app_test_text_shown(e->app, "Nothing was charged"));
    assert_nothing_taken(e, before);
    assert_int_equal(kiosk_row(e, e->app->bills->pay_no), PAY_CANCELLED);
}

/* Alipay's notification posted before its answer to alipay.trade.pay. */
static void code_notification_before_the_answer(void **state)
{
    env_t *e = *state;
    sim_pay_mode(e->ali, SIM_PAY_NOTIFY_FIRST);
    scan_code(e);
    assert_paid(e);
}

/* The provider took the money, the hub died before its answer reached the
 * kiosk: on restart the kiosk's engine asks again, the hub asks the
 * provider, and the kiosk ends paid, charged once. */
static void code_hub_killed_after_success(void **state)
{
    env_t *e = *state;
    hub_with_timeout(e, 10000);
    delay_ms(e, 2500);                          /* the charge is made, the answer held */
    scan_code(e);
    WAIT_FOR(e->app, charges(e) == 1, WAIT_MS);
    assert_int_equal(charges(e), 1);
    hubproc_kill(&e->hub);
    delay_ms(e, 0);
    pump_for(e->app, 800);
    assert_true(e->app->bills->pay.state != PAY_PAID && e->app->bills->pay.state != PAY_FAILED);
    assert_int_equal(hubproc_start(&e->hub), 0);
    assert_paid(e);
}

/* A forged "paid" notification while the payer is asked to confirm: refused,
 * nothing changes; the real confirmation then pays, once. */
static void code_forged_notification_refused(void **state)
{
    env_t *e = *state;
    pay_mode(e, MODE_WAIT);
    scan_code(e);
    WAIT_FOR(e->app, e->app->bills->pay.state == PAY_USERPAYING, WAIT_MS);
    assert_int_equal(e->app->bills->pay.state, PAY_USERPAYING);
    assert_int_equal(forged_notice(e, e->app->bills->pay_no, e->app->bills->pay.amount_fen), 400);
    pump_for(e->app, 600);
    assert_int_equal(e->app->bills->pay.state, PAY_USERPAYING);
    assert_int_equal(charges(e), 0);
    assert_int_equal(orders_in(e, "SUCCESS"), 0);
    assert_int_equal(payer_pays(e, e->app->bills->pay_no, false), 0);
    assert_paid(e);
}

/* The hub and the kiosk both die after the provider took the money (the
 * answer held, then SIGKILL for the hub, the app gone with the payment
 * unfinished). Both back on their databases: the kiosk's engine resumes
 * the payment by itself and records it paid, charged once. */
static void code_hub_and_kiosk_restarted_after_success(void **state)
{
    env_t *e = *state;
    hub_with_timeout(e, 10000);
    delay_ms(e, 2500);                          /* the charge is made, the answer held */
    scan_code(e);
    char no[HUB_TRADE_NO_MAX + 1];
    snprintf(no, sizeof no, "%s", e->app->bills->pay_no);
    WAIT_FOR(e->app, charges(e) == 1, WAIT_MS);
    assert_int_equal(charges(e), 1);
    hubproc_kill(&e->hub);
    harness_free(e->app);
    e->app = NULL;
    delay_ms(e, 0);
    assert_true(kiosk_row(e, no) != PAY_PAID);
    assert_int_equal(hubproc_start(&e->hub), 0);
    assert_restarted_paid(e, no);
}

/* The provider will not make the QR order (WeChat 403 NO_AUTH, Alipay
 * 40004 on precreate): the hub answers 422 provider_refused, so the kiosk
 * ends at once on the calm "payment unavailable" result, without waiting
 * out the QR window; nothing charged, no order kept. */
static void qr_refused(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    if (e->prov == ALIPAY) sim_refuse_orders(e->ali, true);
    else wxsim_refuse_orders(e->wx, true);
    find_bills(e->app);
    assert_int_equal(app_test_tap(e->app, "list.pay_qr"), 0);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_FAILED);
    assert_string_equal(e->app->bills->pay.reason, "provider_refused");
    assert_false(qr_on_screen(e->app));
    assert_true(app_test_text_shown(e->app, "Payment unavailable"));
    assert_true(app_test_text_shown(e->app, "The payment service refused this order"));
    assert_true(app_test_text_shown(e->app, "Back to my bills"));
    assert_false(app_test_text_shown(e->app, "Try again"));
    app_build(e->app);
    assert_string_equal(ui_find(e->app->frame, "result.icon")->text, "i");
    if (e->prov == ALIPAY) assert_int_equal(sim_calls(e->ali, "alipay.trade.precreate"), 1);
    else assert_int_equal(wxsim_calls(e->wx, "native"), 1);
    assert_int_equal(all_orders(e), 0);
    assert_nothing_taken(e, before);
}

/* Whichever way a race ends, the kiosk, the hub and the provider agree:
 * paid with one charge and no unpaid bill, or cancelled with none and the
 * bills as before. */
static void assert_agreed(env_t *e, long long unpaid_before)
{
    wait_final(e);
    pay_state_t st = e->app->bills->pay.state;
    if (st == PAY_PAID) {
        assert_int_equal(charges(e), 1);
        assert_int_equal(orders_in(e, "SUCCESS"), 1);
        assert_int_equal(unpaid(e), 0);
    } else {
        assert_int_equal(st, PAY_CANCELLED);
        assert_true(app_test_text_shown(e->app, "Nothing was charged"));
        assert_nothing_taken(e, unpaid_before);
    }
    assert_int_equal(kiosk_row(e, e->app->bills->pay_no), st);
}

/* The payer pays (no notification) as the resident taps cancel: the hub's
 * close meets a paid trade at the provider. */
static void qr_paid_as_the_resident_cancels(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    const char *no = start_qr(e);
    assert_int_equal(payer_pays(e, no, false), 0);
    assert_int_equal(app_test_tap(e->app, "pay.cancel"), 0);
    wait_final(e);
    /* The money was taken before the close: only "paid" is true. */
    assert_int_equal(e->app->bills->pay.state, PAY_PAID);
    assert_agreed(e, before);
}

/* The payer confirms a waiting payment code as the resident taps cancel:
 * the kiosk's reverse and the confirmation cross. */
static void code_confirmed_as_the_resident_cancels(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    pay_mode(e, MODE_WAIT);
    scan_code(e);
    WAIT_FOR(e->app, e->app->bills->pay.state == PAY_USERPAYING, WAIT_MS);
    assert_int_equal(e->app->bills->pay.state, PAY_USERPAYING);
    assert_int_equal(payer_pays(e, e->app->bills->pay_no, false), 0);
    assert_int_equal(app_test_tap(e->app, "pay.cancel"), 0);
    assert_agreed(e, before);
}

/* ---- no provider ---------------------------------------------------------------------- */

/* provider = none: the hub answers 503 payment_unavailable; the kiosk shows
 * a calm "payment unavailable" screen, no order, no bill changed. */
static void no_provider_payment_unavailable(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    find_bills(e->app);
    assert_int_equal(app_test_tap(e->app, "list.pay_qr"), 0);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_FAILED);
    assert_true(app_test_text_shown(e->app, "Payment unavailable"));
    assert_true(app_test_text_shown(e->app, "Nothing was charged"));
    /* Calm: no alarm, and no "Try again" that would only meet the same 503. */
    assert_false(app_test_text_shown(e->app, "Try again"));
    assert_true(app_test_text_shown(e->app, "Back to my bills"));
    app_build(e->app);
    assert_string_equal(ui_find(e->app->frame, "result.icon")->text, "i");
    assert_int_equal(all_orders(e), 0);
    assert_nothing_taken(e, before);
}

/* The same by payment code: the code taken, the calm screen, no order. */
static void no_provider_code_payment_unavailable(void **state)
{
    env_t *e = *state;
    long long before = unpaid(e);
    scan_code(e);
    wait_final(e);
    assert_int_equal(e->app->bills->pay.state, PAY_FAILED);
    assert_true(app_test_text_shown(e->app, "Payment unavailable"));
    assert_int_equal(all_orders(e), 0);
    assert_nothing_taken(e, before);
    assert_null(memmem(e->app, sizeof *e->app, code(e), 18));
}

#define ALI(f) {"alipay_" #f, f, setup_alipay, teardown, NULL}
#define WX(f) {"wechat_" #f, f, setup_wechat, teardown, NULL}
#define BOTH(f) ALI(f), WX(f)

int main(void)
{
    harness_clock_start();
    const struct CMUnitTest tests[] = {
        BOTH(qr_paid),
        BOTH(qr_paid_notification_lost),
        BOTH(qr_notification_before_the_answer),
        BOTH(qr_forged_notification_refused),
        BOTH(qr_provider_slow),
        BOTH(qr_provider_gone),
        BOTH(qr_hub_killed_then_paid),
        BOTH(qr_kiosk_restarted_paid_meanwhile),
        BOTH(code_paid),
        BOTH(code_payer_waiting_then_paid),
        BOTH(code_refused),
        BOTH(code_provider_slow),
        BOTH(code_provider_gone),
        ALI(code_notification_before_the_answer),
        BOTH(qr_paid_as_the_resident_cancels),
        BOTH(code_confirmed_as_the_resident_cancels),
        BOTH(code_forged_notification_refused),
        BOTH(code_hub_killed_after_success),
        ALI(code_hub_and_kiosk_restarted_after_success),
        BOTH(qr_refused),
        {"no_provider_payment_unavailable", no_provider_payment_unavailable, setup_none_alipay, teardown, NULL},
        {"no_provider_code_payment_unavailable", no_provider_code_payment_unavailable, setup_none_wechat,
         teardown, NULL},
    };
    /* PAY_E2E_ONLY=pattern (cmocka's * and ?) runs some cases only. */
    if (getenv("PAY_E2E_ONLY")) cmocka_set_test_filter(getenv("PAY_E2E_ONLY"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
