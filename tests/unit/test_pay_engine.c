/* The payment engine (services/bills/pay_engine.c) against a real hub process
 * (build/hub --demo, one per test): every way a payment ends, with the
 * charges counted in the hub's own database, never trusted from the kiosk:
 * paid, expired, cancelled, refused, confirmed late, reversed; the hub
 * dying mid-payment; a create slower than the kiosk's timeout; the kiosk
 * killed (SIGKILL) with an order open, with a payment being confirmed and
 * with the create in flight, then resumed by a new engine; a bill paid
 * elsewhere; a database that cannot store the payment (nothing is sent);
 * a bill begun twice; a prompt stop while the hub hangs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "net/hub_api.h"
#include "services/bills/pay_engine.h"
#include "services/bills/pay_store.h"
#include "store/store.h"
#include "support/harness.h"
#include "support/hubproc.h"

#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WECHAT_CODE "134567890123456789"
#define WAIT_MS 10000
#define MAX_EVENTS 4096
/* The account of the demo's first resident: two unpaid water bills. */
#define ACCOUNT "3702031056"

/* ---- helpers ---------------------------------------------------------------- */

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

/* Every event the engine reported, in order. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    pay_event_t ev[MAX_EVENTS];
} recorder_t;

static void record(void *ctx, const pay_event_t *ev)
{
    recorder_t *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (r->n < MAX_EVENTS) r->ev[r->n++] = *ev;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

typedef bool (*match_fn)(const pay_event_t *ev, int arg);

static bool is_state(const pay_event_t *ev, int state) { return ev->state == (pay_state_t)state; }
static bool is_final(const pay_event_t *ev, int unused) { return pay_is_final(ev->state); }
static bool is_unknown(const pay_event_t *ev, int unused) { return ev->unknown; }

/* The first event of payment NO that MATCH accepts, waiting up to MS for
 * it. Fails the test on a timeout. */
static pay_event_t wait_event(recorder_t *r, const char *no, match_fn match, int arg, int ms,
                              const char *what)
{
    long long end = mono_ms() + ms;
    pay_event_t out;
    memset(&out, 0, sizeof out);
    pthread_mutex_lock(&r->mu);
    for (int seen = 0;;) {
        for (; seen < r->n; seen++)
            if (strcmp(r->ev[seen].out_trade_no, no) == 0 && match(&r->ev[seen], arg)) {
                out = r->ev[seen];
                pthread_mutex_unlock(&r->mu);
                return out;
            }
        long long left = end - mono_ms();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)(left / 1000);
        ts.tv_nsec += (long)(left % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    print_error("payment %s: no %s event within %d ms (%d events)\n", no, what, ms, n);
    for (int i = 0; i < n; i++)
        if (strcmp(r->ev[i].out_trade_no, no) == 0)
            print_error("  %s unknown=%d reason='%s' left=%lld\n", pay_state_name(r->ev[i].state),
                        r->ev[i].unknown, r->ev[i].reason, (long long)r->ev[i].left_ms);
    fail();
    return out;
}

static pay_event_t wait_final(recorder_t *r, const char *no, int ms)
{
    return wait_event(r, no, is_final, 0, ms, "final");
}

/* How many events of NO MATCH accepts (so far). */
static int count_events(recorder_t *r, const char *no, match_fn match, int arg)
{
    int n = 0;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < r->n; i++)
        n += strcmp(r->ev[i].out_trade_no, no) == 0 && match(&r->ev[i], arg);
    pthread_mutex_unlock(&r->mu);
    return n;
}

typedef struct {
    hubproc_t hub;
    char dir[64];               /* mkdtemp: the kiosk's var dir */
    config_t cfg;
    pay_policy_t pol;
    recorder_t rec;
    pay_engine_t *eng;
} fixture_t;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    pthread_mutex_init(&fx->rec.mu, NULL);
    pthread_cond_init(&fx->rec.cv, NULL);
    if (hubproc_start(&fx->hub) != 0) return -1;
    strcpy(fx->dir, "/tmp/kiosk-payeng-XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    config_defaults(&fx->cfg);
    snprintf(fx->cfg.var_dir, sizeof fx->cfg.var_dir, "%s", fx->dir);
    snprintf(fx->cfg.hub_url, sizeof fx->cfg.hub_url, "%s", fx->hub.url);
    snprintf(fx->cfg.device_token, sizeof fx->cfg.device_token, "%s", HUBPROC_TOKEN);
    fx->cfg.hub_timeout_s = 2;
    fx->pol = (pay_policy_t){.poll_ms = 100, .qr_window_s = 10, .code_window_s = 10,
                             .retry_min_ms = 100, .retry_max_ms = 500, .not_created_grace_s = 5};
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    pay_engine_stop(fx->eng);
    hubproc_cleanup(&fx->hub);
    nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    pthread_cond_destroy(&fx->rec.cv);
    pthread_mutex_destroy(&fx->rec.mu);
    free(fx);
    return 0;
}

static void start_engine(fixture_t *fx)
{
    char err[256] = "";
    fx->eng = pay_engine_start(&fx->cfg, &fx->pol, record, &fx->rec, err, sizeof err);
    if (!fx->eng) print_error("pay_engine_start: %s\n", err);
    assert_non_null(fx->eng);
}

static long long sql(const fixture_t *fx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long sql(const fixture_t *fx, const char *fmt, ...)
{
    char q[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    return hubproc_sql_int(&fx->hub, q);
}

/* The Nth (0-based) unpaid bill of ACCOUNT at the hub. */
static long long unpaid_bill(const fixture_t *fx, int nth)
{
    long long id = sql(fx, "SELECT b.id FROM bills b JOIN accounts a ON a.id = b.account_id"
                           " WHERE a.account_no = '%s' AND b.status = 'unpaid'"
                           " ORDER BY b.id LIMIT 1 OFFSET %d", ACCOUNT, nth);
    assert_true(id > 0);
    return id;
}

static long long bill_cost(const fixture_t *fx, long long bill)
{
    return sql(fx, "SELECT amount_fen + late_fee_fen FROM bills WHERE id = %lld", bill);
}

/* Orders (any state) holding BILL; those in STATE. */
static long long orders_of(const fixture_t *fx, long long bill)
{
    return sql(fx, "SELECT count(*) FROM order_bills WHERE bill_id = %lld", bill);
}

static long long orders_in(const fixture_t *fx, long long bill, const char *state)
{
    return sql(fx, "SELECT count(*) FROM orders o JOIN order_bills ob"
                   " ON ob.out_trade_no = o.out_trade_no"
                   " WHERE ob.bill_id = %lld AND o.state = '%s'", bill, state);
}

static bool bill_paid(const fixture_t *fx, long long bill)
{
    return sql(fx, "SELECT status = 'paid' FROM bills WHERE id = %lld", bill) == 1;
}

/* 1 if order NO is in STATE at the hub, 0 if in another, -1 if absent. */
static long long order_is(const fixture_t *fx, const char *no, const char *state)
{
    return sql(fx, "SELECT state = '%s' FROM orders WHERE out_trade_no = '%s'", state, no);
}

/* Exactly one order for BILL, in STATE; the bill paid iff that is SUCCESS. */
static void assert_one_order(const fixture_t *fx, long long bill, const char *state)
{
    assert_int_equal(orders_of(fx, bill), 1);
    assert_int_equal(orders_in(fx, bill, state), 1);
    assert_int_equal(orders_in(fx, bill, "SUCCESS"), strcmp(state, "SUCCESS") == 0);
    assert_int_equal(bill_paid(fx, bill), strcmp(state, "SUCCESS") == 0);
}

static void behaviour(const fixture_t *fx, const char *json)
{
    assert_int_equal(hubproc_behaviour(&fx->hub, json), 200);
}

static int demo_pay(const fixture_t *fx, const char *no)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", no);
    return hubproc_get(&fx->hub, path);
}

/* The payment's row in the kiosk database, through a connection of our own. */
static payment_t kiosk_row(const fixture_t *fx, const char *no)
{
    store_t *st;
    payment_t p;
    char err[256];
    memset(&p, 0, sizeof p);
    assert_int_equal(store_open(fx->dir, &st, err, sizeof err), 0);
    assert_int_equal(store_pay_get(st, no, &p, NULL), 1);
    store_close(st);
    return p;
}

static bool wait_until(bool (*cond)(const fixture_t *, const char *), const fixture_t *fx,
                       const char *no, int ms)
{
    long long end = mono_ms() + ms;
    while (mono_ms() < end) {
        if (cond(fx, no)) return true;
        sleep_ms(20);
    }
    return cond(fx, no);
}

static bool reachable(pay_engine_t *e, bool want, int ms)
{
    long long end = mono_ms() + ms;
    while (pay_engine_hub_reachable(e) != want && mono_ms() < end) sleep_ms(20);
    return pay_engine_hub_reachable(e) == want;
}

/* Whether file DIR/NAME holds NEEDLE anywhere (absent file: no). */
static bool file_holds(const char *dir, const char *name, const char *needle)
{
    char path[256];
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    FILE *fp;
    bool found;

    assert_non_null(buf);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(fp = fopen(path, "rb"))) {
        free(buf);
        return false;
    }
    while ((n = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(buf, cap *= 2);
            assert_non_null(bigger);
            buf = bigger;
        }
    }
    fclose(fp);
    found = memmem(buf, len, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

static int begin(fixture_t *fx, pay_method_t m, const long long *bills, int n, char *no)
{
    return pay_engine_begin(fx->eng, m, bills, n, 100, m == PAY_CODE ? WECHAT_CODE : NULL,
                            "{\"items\": []}", no, HUB_TRADE_NO_MAX + 1);
}

/* ---- 1. qr paid ------------------------------------------------------------ */

static void test_qr_paid(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    start_engine(fx);
    assert_true(reachable(fx->eng, true, 3000));
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    /* demo-01 -> "demo01", the local date, 10 hex digits. */
    assert_int_equal(strlen(no), 6 + 1 + 8 + 1 + 10);
    assert_memory_equal(no, "demo01-", 7);
    assert_int_equal(pay_engine_unfinished(fx->eng), 1);

    pay_event_t ev = wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
    assert_non_null(strstr(ev.code_url, no));
    assert_int_equal(ev.amount_fen, bill_cost(fx, bill));       /* the hub's amount */
    assert_true(ev.left_ms > 8000 && ev.left_ms <= 10000);
    assert_false(ev.resumed);
    assert_int_equal(order_is(fx, no, "NOTPAY"), 1);

    assert_int_equal(demo_pay(fx, no), 200);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_int_equal(strlen(ev.transaction_id), 28);
    assert_int_equal(ev.left_ms, -1);
    assert_one_order(fx, bill, "SUCCESS");
    assert_int_equal(pay_engine_unfinished(fx->eng), 0);

    payment_t p = kiosk_row(fx, no);
    assert_int_equal(p.state, PAY_PAID);
    assert_string_equal(p.transaction_id, ev.transaction_id);
    assert_int_equal(p.next, PAY_ACT_NONE);
}

/* ---- 2. qr expired --------------------------------------------------------- */

static void test_qr_window_timeout(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    fx->pol.qr_window_s = 1;
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "timeout");
    assert_true(count_events(&fx->rec, no, is_state, PAY_CANCELLING) >= 1);
    assert_one_order(fx, bill, "CLOSED");
    /* The bill is free for the next payment. */
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
}

static void test_qr_hub_expiry(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"expire_s\": 1}");
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    pay_event_t ev = wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
    assert_true(ev.left_ms <= 2000);            /* the hub's expiry, not the 10 s window */
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "expired");
    assert_one_order(fx, bill, "CLOSED");
    assert_int_equal(demo_pay(fx, no), 409);    /* too late to pay */
}

/* ---- 3. qr cancelled --------------------------------------------------------- */

static void test_qr_cancel_and_detach(void **state)
{
    fixture_t *fx = *state;
    long long bills[2] = {unpaid_bill(fx, 0), unpaid_bill(fx, 1)};
    char no[HUB_TRADE_NO_MAX + 1], no2[HUB_TRADE_NO_MAX + 1];

    start_engine(fx);
    assert_int_equal(begin(fx, PAY_QR, &bills[0], 1, no), 0);
    assert_int_equal(begin(fx, PAY_QR, &bills[1], 1, no2), 0);
    wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
    wait_event(&fx->rec, no2, is_state, PAY_WAITING, WAIT_MS, "waiting");

    pay_engine_cancel(fx->eng, no);             /* the resident pressed cancel */
    pay_engine_detach(fx->eng, no2);            /* the session timed out */
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "cancelled");
    ev = wait_final(&fx->rec, no2, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "session_ended");
    assert_one_order(fx, bills[0], "CLOSED");
    assert_one_order(fx, bills[1], "CLOSED");
    assert_int_equal(demo_pay(fx, no), 409);
    pay_engine_cancel(fx->eng, no);             /* unknown / finished: ignored */
    pay_engine_cancel(fx->eng, "nope");
    assert_int_equal(pay_engine_unfinished(fx->eng), 0);
}

/* ---- 4. payment codes ---------------------------------------------------------- */

static void test_code_success(void **state)
{
    fixture_t *fx = *state;
    long long bills[2] = {unpaid_bill(fx, 0), unpaid_bill(fx, 1)};
    char no[HUB_TRADE_NO_MAX + 1];

    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, bills, 2, no), 0);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_int_equal(ev.amount_fen, bill_cost(fx, bills[0]) + bill_cost(fx, bills[1]));
    assert_int_equal(strlen(ev.transaction_id), 28);
    assert_one_order(fx, bills[0], "SUCCESS");
    assert_one_order(fx, bills[1], "SUCCESS");
    payment_t p = kiosk_row(fx, no);
    assert_int_equal(p.state, PAY_PAID);
    assert_int_equal(p.n_bills, 2);
    /* The payment code is never written to the kiosk's disk. */
    assert_false(file_holds(fx->dir, "kiosk.db", WECHAT_CODE));
    assert_false(file_holds(fx->dir, "kiosk.db-wal", WECHAT_CODE));
    assert_true(file_holds(fx->dir, "kiosk.db-wal", no) || file_holds(fx->dir, "kiosk.db", no));
}

static void test_code_payerror(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"payerror\"}");
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_FAILED);
    assert_string_equal(ev.reason, "insufficient_balance");
    assert_one_order(fx, bill, "PAYERROR");
}

static void test_code_userpaying_then_paid(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"userpaying\", \"settle_s\": 2}");
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    pay_event_t ev = wait_event(&fx->rec, no, is_state, PAY_USERPAYING, WAIT_MS, "userpaying");
    assert_true(ev.left_ms > 5000 && ev.left_ms <= 10000);
    /* Nobody at the screen any more: a payment code is still followed. */
    pay_engine_detach(fx->eng, no);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_true(count_events(&fx->rec, no, is_state, PAY_USERPAYING) >= 3);   /* polled */
    assert_int_equal(count_events(&fx->rec, no, is_state, PAY_CANCELLING), 0);
    assert_one_order(fx, bill, "SUCCESS");
}

static void test_code_userpaying_reversed(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"userpaying\", \"settle_s\": 0}");
    fx->pol.code_window_s = 2;
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    wait_event(&fx->rec, no, is_state, PAY_USERPAYING, WAIT_MS, "userpaying");
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "timeout");
    assert_one_order(fx, bill, "REVOKED");      /* nothing taken */
    assert_int_equal(demo_pay(fx, no), 409);
}

static void test_code_cancelled(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"userpaying\", \"settle_s\": 0}");
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    wait_event(&fx->rec, no, is_state, PAY_USERPAYING, WAIT_MS, "userpaying");
    pay_engine_cancel(fx->eng, no);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "cancelled");
    assert_one_order(fx, bill, "REVOKED");
}

/* ---- 5. the hub dies mid-payment ------------------------------------------------ */

static void test_hub_down_mid_payment(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    fx->cfg.hub_timeout_s = 1;
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    wait_event(&fx->rec, no, is_state, PAY_WAITING, WAIT_MS, "waiting");
    assert_true(reachable(fx->eng, true, 1000));

    hubproc_kill(&fx->hub);
    pay_event_t ev = wait_event(&fx->rec, no, is_unknown, 0, WAIT_MS, "unknown");
    assert_int_equal(ev.state, PAY_WAITING);    /* no answer is no reason to give up */
    assert_true(reachable(fx->eng, false, 1000));
    sleep_ms(800);                              /* a few retries */
    assert_int_equal(count_events(&fx->rec, no, is_final, 0), 0);

    assert_int_equal(hubproc_start(&fx->hub), 0);   /* same database, same port */
    assert_int_equal(demo_pay(fx, no), 200);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_false(ev.unknown);
    assert_true(reachable(fx->eng, true, 1000));
    assert_one_order(fx, bill, "SUCCESS");
}

/* A hub that is down when the kiosk starts and comes back later is noticed
 * without any payment asking it (a payment code is only taken while the
 * hub answers). */
static void test_reachable_after_hub_returns(void **state)
{
    fixture_t *fx = *state;

    hubproc_kill(&fx->hub);
    start_engine(fx);
    sleep_ms(300);
    assert_false(pay_engine_hub_reachable(fx->eng));
    assert_int_equal(hubproc_start(&fx->hub), 0);
    assert_true(reachable(fx->eng, true, 7000));
}

/* ---- 6. a create slower than the kiosk's timeout ---------------------------------- */

static void test_slow_create(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"success\", \"delay_ms\": 2500}");
    fx->cfg.hub_timeout_s = 1;
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    pay_event_t ev = wait_event(&fx->rec, no, is_unknown, 0, WAIT_MS, "unknown");
    assert_int_equal(ev.state, PAY_CREATING);
    /* The first create lands at the hub while the kiosk has given up
     * waiting; every retry (same key) finds that order. */
    long long end = mono_ms() + 6000;
    while (orders_of(fx, bill) < 1 && mono_ms() < end) sleep_ms(50);
    assert_int_equal(orders_of(fx, bill), 1);
    behaviour(fx, "{\"delay_ms\": 0}");
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_one_order(fx, bill, "SUCCESS");
}

/* ---- 7. the kiosk killed mid-payment ------------------------------------------ */

static bool hub_has_order(const fixture_t *fx, const char *no)
{
    return order_is(fx, no, "NOTPAY") >= 0;
}

/* A child process runs an engine on the fixture's var dir, begins METHOD on
 * BILL and writes the out_trade_no to NO; the parent SIGKILLs it when it
 * chooses. Returns the child's pid. */
static pid_t child_begin(fixture_t *fx, pay_method_t method, long long bill, char *no)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);          /* never outlives a failed test */
        char err[256], cno[HUB_TRADE_NO_MAX + 1] = "";
        close(fds[0]);
        pay_engine_t *e = pay_engine_start(&fx->cfg, &fx->pol, NULL, NULL, err, sizeof err);
        if (!e || pay_engine_begin(e, method, &bill, 1, 100,
                                   method == PAY_CODE ? WECHAT_CODE : NULL, NULL, cno,
                                   sizeof cno) != 0)
            _exit(1);
        if (write(fds[1], cno, sizeof cno) != (ssize_t)sizeof cno) _exit(1);
        for (;;) pause();                       /* until SIGKILL */
    }
    close(fds[1]);
    ssize_t got = read(fds[0], no, HUB_TRADE_NO_MAX + 1);
    close(fds[0]);
    if (got != HUB_TRADE_NO_MAX + 1) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("the child engine did not begin");
    }
    return pid;
}

static void kill_child(pid_t pid)
{
    int status;
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static bool kiosk_state_is(const fixture_t *fx, const char *no, pay_state_t want)
{
    store_t *st;
    payment_t p;
    char err[256];
    int found;
    if (store_open(fx->dir, &st, err, sizeof err) != 0) return false;
    found = store_pay_get(st, no, &p, NULL);
    store_close(st);
    return found == 1 && p.state == want;
}

static bool kiosk_waiting(const fixture_t *fx, const char *no)
{
    return kiosk_state_is(fx, no, PAY_WAITING);
}

static bool kiosk_userpaying(const fixture_t *fx, const char *no)
{
    return kiosk_state_is(fx, no, PAY_USERPAYING);
}

/* (i) A QR on screen when the kiosk died: nobody can see it any more, so
 * the next start closes it. */
static void test_killed_with_qr_open(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    pid_t pid = child_begin(fx, PAY_QR, bill, no);
    assert_true(wait_until(hub_has_order, fx, no, WAIT_MS));
    assert_true(wait_until(kiosk_waiting, fx, no, WAIT_MS));
    kill_child(pid);

    start_engine(fx);
    assert_int_equal(pay_engine_unfinished(fx->eng), 1);
    long long other = bill;
    char no2[HUB_TRADE_NO_MAX + 1];
    assert_int_equal(begin(fx, PAY_QR, &other, 1, no2), -1);   /* still its bill */
    pay_event_t ev = wait_event(&fx->rec, no, is_state, PAY_CANCELLING, WAIT_MS, "cancelling");
    assert_true(ev.resumed);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);
    assert_string_equal(ev.reason, "restart");
    assert_true(ev.resumed);
    assert_one_order(fx, bill, "CLOSED");
}

/* (ii) A payment code being confirmed when the kiosk died; the resident
 * confirms meanwhile: the next start finds it paid, charged once. */
static void test_killed_while_userpaying(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"userpaying\", \"settle_s\": 0}");
    pid_t pid = child_begin(fx, PAY_CODE, bill, no);
    assert_true(wait_until(kiosk_userpaying, fx, no, WAIT_MS));
    kill_child(pid);
    assert_int_equal(demo_pay(fx, no), 200);

    start_engine(fx);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_true(ev.resumed);
    assert_one_order(fx, bill, "SUCCESS");
}

/* (iii) Killed with the create in flight: the new engine has no payment
 * code, so it may only ask. The hub does not know the order yet (the slow
 * create still sleeps): queried within the grace, it appears, and is
 * followed to its end. Never a second order. */
static void test_killed_during_create(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"success\", \"delay_ms\": 1500}");
    pid_t pid = child_begin(fx, PAY_CODE, bill, no);
    sleep_ms(300);
    kill_child(pid);
    assert_true(kiosk_state_is(fx, no, PAY_CREATING));
    assert_int_equal(orders_of(fx, bill), 0);   /* still sleeping in the hub */
    behaviour(fx, "{\"delay_ms\": 0}");

    start_engine(fx);
    pay_event_t ev = wait_event(&fx->rec, no, is_unknown, 0, WAIT_MS, "not yet created");
    assert_int_equal(ev.state, PAY_CREATING);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_one_order(fx, bill, "SUCCESS");
}

/* (iii') The same when the create never reaches the hub (the kiosk died
 * before sending it): after the grace it counts as never created. */
static void test_killed_create_never_sent(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];
    store_t *st;
    payment_t p;
    char err[256];
    const long long now = (long long)time(NULL) * 1000;

    /* The row a kiosk leaves when it dies between the insert and the send. */
    pay_init(&p, "demo01-20261129-0123456789", PAY_CODE, &bill, 1, 100, "pay-0123456789abcdef",
             now - 3000);
    assert_int_equal(store_open(fx->dir, &st, err, sizeof err), 0);
    assert_int_equal(store_pay_insert(st, &p, NULL, now - 3000), 0);
    store_close(st);
    snprintf(no, sizeof no, "%s", p.out_trade_no);

    start_engine(fx);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_FAILED);
    assert_string_equal(ev.reason, "not_created");
    assert_int_equal(orders_of(fx, bill), 0);
    assert_false(bill_paid(fx, bill));
}

/* ---- 8. a bill paid elsewhere ---------------------------------------------------- */

static void test_bill_paid_elsewhere(void **state)
{
    fixture_t *fx = *state;
    long long bills[2] = {unpaid_bill(fx, 0), unpaid_bill(fx, 1)};
    char no[HUB_TRADE_NO_MAX + 1];
    hub_status_t st;
    hub_order_t o;

    /* Another kiosk pays bills[0], and holds bills[1] in an open order. */
    hub_client_t *c = hub_client_new(fx->hub.url, HUBPROC_TOKEN, 5000, NULL);
    assert_non_null(c);
    hub_pay_create(c, "other-1", "other-20261129-1", &bills[0], 1, "qr", NULL, &o, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(demo_pay(fx, "other-20261129-1"), 200);
    hub_pay_create(c, "other-2", "other-20261129-2", &bills[1], 1, "qr", NULL, &o, &st);
    assert_int_equal(st.result, HUB_OK);
    hub_client_free(c);

    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, &bills[0], 1, no), 0);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_FAILED);
    assert_string_equal(ev.reason, "bill_paid");
    assert_one_order(fx, bills[0], "SUCCESS");      /* the other kiosk's, only */
    assert_int_equal(order_is(fx, no, "SUCCESS"), -1);

    assert_int_equal(begin(fx, PAY_QR, &bills[1], 1, no), 0);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_FAILED);
    assert_string_equal(ev.reason, "bill_in_order");
    assert_one_order(fx, bills[1], "NOTPAY");
}

/* ---- 9. the payment cannot be stored --------------------------------------------- */

/* Another connection holds the kiosk database's write lock past the busy
 * timeout (as a stuck process or a full disk would make every write fail):
 * the payment fails with "storage" and nothing reaches the hub. */
static void test_storage_failure(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1], err[256];
    store_t *st;

    start_engine(fx);
    assert_int_equal(store_open(fx->dir, &st, err, sizeof err), 0);
    assert_int_equal(sqlite3_exec(store_db(st), "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    sqlite3_exec(store_db(st), "ROLLBACK", NULL, NULL, NULL);
    store_close(st);
    assert_int_equal(ev.state, PAY_FAILED);
    assert_string_equal(ev.reason, "storage");
    assert_int_equal(orders_of(fx, bill), 0);
    assert_int_equal(sql(fx, "SELECT count(*) FROM orders"), 0);
    assert_false(bill_paid(fx, bill));
    assert_int_equal(pay_engine_unfinished(fx->eng), 0);

    /* Once the database writes again, the bill can be paid. */
    assert_int_equal(begin(fx, PAY_CODE, &bill, 1, no), 0);
    ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_PAID);
    assert_one_order(fx, bill, "SUCCESS");
}

/* ---- 10. a bill begun twice ------------------------------------------------------- */

static void test_begin_twice(void **state)
{
    fixture_t *fx = *state;
    long long bills[2] = {unpaid_bill(fx, 0), unpaid_bill(fx, 1)};
    char no[HUB_TRADE_NO_MAX + 1], no2[HUB_TRADE_NO_MAX + 1], small[8];

    behaviour(fx, "{\"mode\": \"userpaying\", \"settle_s\": 0}");
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_CODE, bills, 2, no), 0);
    /* Refused at once, before the worker has even looked at the first. */
    assert_int_equal(begin(fx, PAY_CODE, &bills[1], 1, no2), -1);
    assert_string_equal(no2, "");
    assert_int_equal(begin(fx, PAY_QR, &bills[0], 1, no2), -1);
    assert_int_equal(pay_engine_unfinished(fx->eng), 1);
    /* Bad arguments. */
    assert_int_equal(pay_engine_begin(fx->eng, PAY_CODE, &bills[0], 1, 1, NULL, NULL, no2,
                                      sizeof no2), -1);
    assert_int_equal(pay_engine_begin(fx->eng, PAY_QR, &bills[0], 0, 1, NULL, NULL, no2,
                                      sizeof no2), -1);
    assert_int_equal(pay_engine_begin(fx->eng, PAY_QR, &bills[0], 1, 1, NULL, NULL, small,
                                      sizeof small), -1);
    assert_int_equal(pay_engine_begin(NULL, PAY_QR, &bills[0], 1, 1, NULL, NULL, no2,
                                      sizeof no2), -1);

    wait_event(&fx->rec, no, is_state, PAY_USERPAYING, WAIT_MS, "userpaying");
    assert_int_equal(begin(fx, PAY_QR, &bills[0], 1, no2), -1);
    pay_engine_cancel(fx->eng, no);
    wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(pay_engine_unfinished(fx->eng), 0);
    /* Free again. */
    assert_int_equal(begin(fx, PAY_QR, &bills[1], 1, no2), 0);
    assert_string_not_equal(no, no2);
    wait_event(&fx->rec, no2, is_state, PAY_WAITING, WAIT_MS, "waiting");
    assert_int_equal(orders_of(fx, bills[0]), 1);
    assert_int_equal(orders_of(fx, bills[1]), 2);
    assert_int_equal(orders_in(fx, bills[1], "SUCCESS"), 0);
}

/* ---- stop ------------------------------------------------------------------------- */

/* Stop aborts a request the hub sits on; the next start resumes the payment. */
static void test_stop_while_hub_hangs(void **state)
{
    fixture_t *fx = *state;
    long long bill = unpaid_bill(fx, 0);
    char no[HUB_TRADE_NO_MAX + 1];

    behaviour(fx, "{\"mode\": \"success\", \"delay_ms\": 2000}");
    fx->cfg.hub_timeout_s = 30;
    start_engine(fx);
    assert_int_equal(begin(fx, PAY_QR, &bill, 1, no), 0);
    sleep_ms(300);
    long long t = mono_ms();
    pay_engine_stop(fx->eng);
    fx->eng = NULL;
    assert_true(mono_ms() - t < 1000);
    assert_true(kiosk_state_is(fx, no, PAY_CREATING));

    behaviour(fx, "{\"delay_ms\": 0}");
    start_engine(fx);
    pay_event_t ev = wait_final(&fx->rec, no, WAIT_MS);
    assert_int_equal(ev.state, PAY_CANCELLED);          /* a QR nobody sees is closed */
    assert_string_equal(ev.reason, "restart");
    assert_one_order(fx, bill, "CLOSED");
}

static void test_stop_null(void **state)
{
    (void)state;
    pay_engine_stop(NULL);
    assert_int_equal(pay_engine_unfinished(NULL), 0);
    assert_false(pay_engine_hub_reachable(NULL));
    pay_engine_cancel(NULL, "x");
    pay_engine_detach(NULL, "x");
}

static void test_start_without_database(void **state)
{
    fixture_t *fx = *state;
    char err[256] = "";
    snprintf(fx->cfg.var_dir, sizeof fx->cfg.var_dir, "/proc/kiosk-no-such-dir");
    assert_null(pay_engine_start(&fx->cfg, &fx->pol, record, &fx->rec, err, sizeof err));
    assert_true(err[0] != '\0');
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_qr_paid),
        T(test_qr_window_timeout),
        T(test_qr_hub_expiry),
        T(test_qr_cancel_and_detach),
        T(test_code_success),
        T(test_code_payerror),
        T(test_code_userpaying_then_paid),
        T(test_code_userpaying_reversed),
        T(test_code_cancelled),
        T(test_hub_down_mid_payment),
        T(test_reachable_after_hub_returns),
        T(test_slow_create),
        T(test_killed_with_qr_open),
        T(test_killed_while_userpaying),
        T(test_killed_during_create),
        T(test_killed_create_never_sent),
        T(test_bill_paid_elsewhere),
        T(test_storage_failure),
        T(test_begin_twice),
        T(test_stop_while_hub_hangs),
        cmocka_unit_test(test_stop_null),
        T(test_start_without_database),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
