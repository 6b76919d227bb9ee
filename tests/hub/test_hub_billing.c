/* Billing systems (hub/billing.h) and the write-off queue (hub/writeoff.h)
 * against the billing simulator (billing_sim.h), in process: bills come
 * from the utility, every paid bill is credited exactly once, a failing
 * write-off is retried and shown to staff, a utility out of reach never
 * lets a bill be paid, and a hub killed (SIGKILL) right after a payment
 * credits it once when it comes back. The count of credits at the
 * simulator is asserted every time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "alipay_sim.h"
#include "auth.h"
#include "billing.h"
#include "billing_sim.h"
#include "db.h"
#include "hubtest.h"
#include "pay.h"
#include "writeoff.h"

#define HUB_ID "xfl-hub-1"
#define ACCOUNT "5100000001"

typedef struct {
    hubtest_t *t;
    billing_sim_t *sim;
    unsigned char key[32];
    char staff[AUTH_TOKEN_MAX];
    char secrets[128];
} fx_t;

/* Writes the hub's [billing] secrets file (0600) for KEY. */
static void write_secrets(const char *path, const unsigned char *key)
{
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key, 32);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "# the billing system's credentials\nhub_id = %s\nhmac_key = %s\n", HUB_ID, hex);
    fclose(fp);
    assert_int_equal(chmod(path, 0600), 0);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(true);
    randombytes_buf(f->key, sizeof f->key);
    f->sim = bsim_start(HUB_ID, f->key, sizeof f->key);
    bsim_add_account(f->sim, "water", ACCOUNT, "赵立新", "幸福里小区7号楼1单元302");
    bsim_add_bill(f->sim, "water", ACCOUNT, "W-2026-10-0001", "2026-10", 4510, 0, false);
    bsim_add_bill(f->sim, "water", ACCOUNT, "W-2026-11-0001", "2026-11", 3690, 20, false);
    bsim_add_bill(f->sim, "water", ACCOUNT, "W-2026-09-0001", "2026-09", 4100, 0, true);
    snprintf(f->secrets, sizeof f->secrets, "%s/billing.secrets", f->t->dir);
    write_secrets(f->secrets, f->key);
    billing_reset();
    char err[300];
    assert_int_equal(billing_config_key("system", "http"), 0);
    assert_int_equal(billing_config_key("base_url", bsim_url(f->sim)), 0);
    assert_int_equal(billing_config_key("secrets", f->secrets), 0);
    assert_int_equal(billing_config_key("timeout_ms", "2000"), 0);
    assert_int_equal(billing_config_key("alert_after", "2"), 0);
    if (billing_init(err, sizeof err) != 0) fail_msg("billing_init: %s", err);
    assert_int_equal(auth_staff_add(db_thread(), "alice", f->staff, sizeof f->staff), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hubtest_stop(f->t);
    bsim_stop(f->sim);
    billing_reset();
    free(f);
    return 0;
}

static long long q_int(const char *sql) { return db_int(db_thread(), sql, NULL, -1); }

/* The hub's id of the bill of PERIOD of the test account, after a look-up. */
static long long bill_id(const char *period)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT b.id FROM bills b JOIN accounts a ON a.id = b.account_id "
             "WHERE a.account_no = '" ACCOUNT "' AND b.period = '%s'", period);
    return q_int(sql);
}

static hubtest_resp_t lookup(fx_t *f)
{
    return hubtest_get(f->t, "/v1/bills?utility=water&account=" ACCOUNT);
}

/* Pays BILL by payment code (the demo provider: paid at once); the status. */
static int pay(fx_t *f, const char *no, long long bill)
{
    char body[200];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\",\"bill_ids\":[%lld],\"method\":\"code\","
             "\"auth_code\":\"134567890123456789\"}", no, bill);
    hubtest_resp_t r = hubtest_post(f->t, "/v1/payments", body);
    int status = r.status;
    if (status == 201) assert_string_equal(hubtest_at(r.json, "order.state")->valuestring, "SUCCESS");
    hubtest_free(&r);
    return status;
}

static void bills_come_from_the_utility_and_are_credited_once(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = lookup(f);
    assert_int_equal(r.status, 200);
    const cJSON *bills = hubtest_at(r.json, "accounts");
    assert_int_equal(cJSON_GetArraySize(bills), 1);
    /* Masked as every account is, and the two unpaid bills first. */
    assert_string_equal(hubtest_at(cJSON_GetArrayItem(bills, 0), "holder")->valuestring, "赵*新");
    assert_int_equal((int)hubtest_at(cJSON_GetArrayItem(bills, 0), "due_fen")->valuedouble, 4510 + 3690 + 20);
    hubtest_free(&r);
    assert_int_equal(bsim_fetches(f->sim), 1);
    assert_int_equal(bsim_bad_requests(f->sim), 0);

    long long bill = bill_id("2026-11");
    assert_true(bill > 0);
    assert_int_equal(pay(f, "BILL-0001", bill), 201);
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE state = 'pending'"), 1);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 1);
    assert_true(bsim_bill_paid(f->sim, "W-2026-11-0001"));
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE state = 'done' AND amount_fen = 3710"), 1);
    /* Nothing is sent again. */
    hub_time_shift(7200);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 0);
    assert_int_equal(bsim_writeoff_calls(f->sim), 1);
    assert_int_equal(bsim_credits(f->sim), 1);
    /* A new look-up: the utility says paid, the hub agrees. */
    r = lookup(f);
    assert_int_equal((int)hubtest_at(cJSON_GetArrayItem(hubtest_at(r.json, "accounts"), 0), "due_fen")->valuedouble,
                     4510);
    hubtest_free(&r);
}

static void failing_writeoff_is_retried_and_shown(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = lookup(f);
    hubtest_free(&r);
    bsim_fail_writeoffs(f->sim, 2);
    assert_int_equal(pay(f, "BILL-0002", bill_id("2026-10")), 201);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 0);

    /* Staff see it failing; the fleet has no alert yet (alert_after 2). */
    r = hubtest_req(f->t, "GET", "/v1/admin/writeoffs?state=failing", f->staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *w = cJSON_GetArrayItem(hubtest_at(r.json, "writeoffs"), 0);
    assert_non_null(w);
    assert_string_equal(hubtest_at(w, "out_trade_no")->valuestring, "BILL-0002");
    assert_int_equal((int)hubtest_at(w, "attempts")->valuedouble, 1);
    assert_string_equal(hubtest_at(w, "last_error")->valuestring, "HTTP 503");
    hubtest_free(&r);
    r = hubtest_req(f->t, "GET", "/v1/admin/writeoffs?state=bogus", f->staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 422);
    hubtest_free(&r);

    /* Not due again at once: backoff (10 s at most, jittered, after the first). */
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE next_at > updated AND next_at <= updated + 11"), 1);
    hub_time_shift(12);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 0);
    r = hubtest_req(f->t, "GET", "/v1/admin/fleet", f->staff, NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "writeoff_failing"));
    hubtest_free(&r);

    hub_time_shift(22);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 1);
    assert_int_equal(bsim_writeoff_calls(f->sim), 3);
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE state = 'done' AND attempts = 2"), 1);
    r = hubtest_req(f->t, "GET", "/v1/admin/fleet", f->staff, NULL, NULL, NULL);
    assert_null(strstr(r.body, "writeoff_failing"));
    hubtest_free(&r);
}

/* A utility out of reach, or one that does not know the hub's key: no bill
 * is offered, nothing can be paid. */
static void utility_out_of_reach_offers_no_bill(void **state)
{
    fx_t *f = *state;
    bsim_gone(f->sim, true);
    hubtest_resp_t r = lookup(f);
    assert_int_equal(r.status, 503);
    assert_string_equal(hubtest_error_code(&r), "billing_unavailable");
    hubtest_free(&r);
    assert_int_equal(q_int("SELECT COUNT(*) FROM accounts WHERE account_no = '" ACCOUNT "'"), 0);
    bsim_gone(f->sim, false);

    unsigned char other[32];
    randombytes_buf(other, sizeof other);
    write_secrets(f->secrets, other);
    char err[300];
    assert_int_equal(billing_init(err, sizeof err), 0);
    r = lookup(f);
    assert_int_equal(r.status, 503);
    hubtest_free(&r);
    assert_int_equal(bsim_bad_requests(f->sim), 1);
    assert_int_equal(bsim_fetches(f->sim), 0);

    /* A secrets file others can read is refused. */
    write_secrets(f->secrets, f->key);
    assert_int_equal(chmod(f->secrets, 0644), 0);
    assert_int_equal(billing_init(err, sizeof err), -1);
    assert_non_null(strstr(err, "0600"));
}

/* A refused write-off waits for staff, and the kiosk's fleet entry says so. */
static void refused_writeoff_waits_for_staff(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = lookup(f);
    hubtest_free(&r);
    /* The hub's copy of the amount is not the utility's (a tariff the
     * utility corrected after the look-up): the credit is refused. */
    assert_int_equal(db_exec(db_thread(), "UPDATE bills SET amount_fen = amount_fen + 1 "
                             "WHERE ext_ref = 'W-2026-10-0001'"), 0);
    assert_int_equal(pay(f, "BILL-0003", bill_id("2026-10")), 201);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 0);
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE state = 'refused' "
                           "AND last_error = 'amount_differs'"), 1);
    hub_time_shift(7200);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 0);
    r = hubtest_req(f->t, "GET", "/v1/admin/fleet", f->staff, NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "writeoff_failing"));
    hubtest_free(&r);
}

static hubtest_resp_t refund(fx_t *f, const char *no, const char *refund_no, const char *key)
{
    char path[96], body[160];
    snprintf(path, sizeof path, "/v1/admin/payments/%s/refund", no);
    snprintf(body, sizeof body, "{\"refund_no\":\"%s\",\"reason\":\"paid at the counter too\"}", refund_no);
    return hubtest_req(f->t, "POST", path, f->staff, key, body, NULL);
}

static void refund_reverses_the_writeoff(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = lookup(f);
    hubtest_free(&r);
    long long nov = bill_id("2026-11"), oct = bill_id("2026-10");
    assert_int_equal(pay(f, "BILL-0004", nov), 201);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_credits(f->sim), 1);

    r = refund(f, "BILL-0004", "RF-0001", "rf-1");
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "refund.order_state")->valuestring, "REVOKED");
    assert_int_equal((int)hubtest_at(r.json, "refund.amount_fen")->valuedouble, 3710);
    assert_string_equal(hubtest_at(r.json, "refund.staff")->valuestring, "alice");
    hubtest_free(&r);
    assert_int_equal(q_int("SELECT COUNT(*) FROM bills WHERE status = 'unpaid' AND ext_ref = 'W-2026-11-0001'"), 1);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(bsim_reversals(f->sim), 1);
    assert_false(bsim_bill_paid(f->sim, "W-2026-11-0001"));

    /* The same refund again: the same answer, nothing new. */
    r = refund(f, "BILL-0004", "RF-0001", "rf-2");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    hub_time_shift(7200);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 0);
    assert_int_equal(bsim_reversals(f->sim), 1);
    r = refund(f, "BILL-0004", "RF-0002", "rf-3");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "order_refunded");
    hubtest_free(&r);
    /* Kiosks cannot refund. */
    r = hubtest_req(f->t, "POST", "/v1/admin/payments/BILL-0004/refund", f->t->token, "rf-4",
                    "{\"refund_no\":\"RF-0003\",\"reason\":\"x\"}", NULL);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);

    /* Refunded before its credit reached the utility: the credit goes
     * first, then its reversal. */
    bsim_fail_writeoffs(f->sim, 1);
    assert_int_equal(pay(f, "BILL-0005", oct), 201);
    r = refund(f, "BILL-0005", "RF-0001", "rf-5");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "refund_no_used");
    hubtest_free(&r);
    r = refund(f, "BILL-0005", "RF-0005", "rf-6");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);       /* the credit, failing */
    assert_int_equal(bsim_credits(f->sim), 1);
    hub_time_shift(12);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);       /* the credit */
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);       /* then its reversal */
    assert_int_equal(bsim_credits(f->sim), 2);
    assert_int_equal(bsim_reversals(f->sim), 2);
    assert_false(bsim_bill_paid(f->sim, "W-2026-10-0001"));
    assert_int_equal(q_int("SELECT COUNT(*) FROM writeoffs WHERE state = 'done'"), 4);
}

/* End to end with both simulators: Alipay takes the money, the billing
 * system is credited; a refused payment charges nothing and credits
 * nothing. One each, or none. */
static void alipay_and_utility_one_each_or_none(void **state)
{
    fx_t *f = *state;
    alipay_sim_t *ali = sim_start();
    char secrets[160], err[300];
    snprintf(secrets, sizeof secrets, "%s/alipay.secrets", f->t->dir);
    FILE *fp = fopen(secrets, "w");
    assert_non_null(fp);
    fprintf(fp, "app_id = %s\ngateway = %s\nprivate_key = %s\nalipay_public_key = %s\n", sim_app_id(ali),
            sim_gateway(ali), sim_merchant_private(ali), sim_alipay_public(ali));
    fclose(fp);
    assert_int_equal(chmod(secrets, 0600), 0);
    pay_reset();
    assert_int_equal(pay_config_key("provider", "alipay"), 0);
    assert_int_equal(pay_config_key("secrets", secrets), 0);
    assert_int_equal(pay_config_key("timeout_ms", "1500"), 0);
    if (pay_init(false, err, sizeof err) != 0) fail_msg("pay_init: %s", err);

    hubtest_resp_t r = lookup(f);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    char body[200];
    snprintf(body, sizeof body, "{\"out_trade_no\":\"E2E-0001\",\"bill_ids\":[%lld],\"method\":\"code\","
             "\"auth_code\":\"286512345678901234\"}", bill_id("2026-11"));
    r = hubtest_post(f->t, "/v1/payments", body);
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "order.state")->valuestring, "SUCCESS");
    hubtest_free(&r);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 1);
    assert_int_equal(sim_charges(ali), 1);
    assert_int_equal(bsim_credits(f->sim), 1);

    sim_pay_mode(ali, SIM_PAY_REFUSE);
    snprintf(body, sizeof body, "{\"out_trade_no\":\"E2E-0002\",\"bill_ids\":[%lld],\"method\":\"code\","
             "\"auth_code\":\"286512345678901234\"}", bill_id("2026-10"));
    r = hubtest_post(f->t, "/v1/payments", body);
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "order.state")->valuestring, "PAYERROR");
    hubtest_free(&r);
    hub_time_shift(60);
    assert_int_equal(writeoff_run(db_thread(), hub_now()), 0);
    assert_int_equal(sim_charges(ali), 1);
    assert_int_equal(bsim_credits(f->sim), 1);
    assert_int_equal(bsim_writeoff_calls(f->sim), 1);
    assert_false(bsim_bill_paid(f->sim, "W-2026-10-0001"));
    sim_stop(ali);
    pay_reset();
}

/* ---- a hub process killed between the payment and the write-off ---- */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#define PROC_TOKEN "demo-01.5f0c1e2d3b4a59687766554433221100ffeeddccbbaa99887766554433221100"

/* build/hub --config DIR/hub.ini (a demo hub with the http billing system),
 * on a free port; its port, or fails the test. */
static int proc_start(fx_t *f, const char *dir, pid_t *pid)
{
    char ini[256], portfile[256], bin[256], now[24];
    const char *b = getenv("BUILD");
    snprintf(bin, sizeof bin, "%s/hub", b && *b ? b : "build");
    snprintf(ini, sizeof ini, "%s/hub.ini", dir);
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    /* The child's clock where this process's is: the simulator checks the
     * hub's timestamps against it. */
    snprintf(now, sizeof now, "%lld", (long long)hub_now());
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fprintf(fp, "[hub]\nlisten = 127.0.0.1\nport = 0\ndb = %s/hub.db\ndemo = true\nthreads = 2\n"
            "[billing]\nsystem = http\nbase_url = %s\nsecrets = %s\ntimeout_ms = 2000\n",
            dir, bsim_url(f->sim), f->secrets);
    fclose(fp);
    unlink(portfile);
    pid_t parent = getpid();
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setenv("HUB_LOG", "quiet", 1);
        execl(bin, bin, "--config", ini, "--port-file", portfile, "--now", now, (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 200 && !port; i++) {
        fp = fopen(portfile, "r");
        if (fp) {
            if (fscanf(fp, "%d", &port) != 1) port = 0;
            fclose(fp);
        }
        if (!port) sleep_ms(25);
    }
    if (!port) fail_msg("build/hub did not start");
    return port;
}

static void hub_killed_after_payment_credits_once(void **state)
{
    fx_t *f = *state;
    char dir[] = "/tmp/hub-kill-XXXXXX", path[300], body[200], no_sql[400];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/hub.db.demo-token", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", PROC_TOKEN);
    fclose(fp);
    assert_int_equal(chmod(path, 0600), 0);
    pid_t pid;
    hubtest_t client = *f->t;
    snprintf(client.base, sizeof client.base, "http://127.0.0.1:%d", proc_start(f, dir, &pid));

    hubtest_resp_t r = hubtest_req(&client, "GET", "/v1/bills?utility=water&account=" ACCOUNT, PROC_TOKEN,
                                   NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *bills = hubtest_at(cJSON_GetArrayItem(hubtest_at(r.json, "accounts"), 0), "bills");
    long long id = (long long)hubtest_at(cJSON_GetArrayItem(bills, 0), "id")->valuedouble;
    hubtest_free(&r);
    /* The utility does not answer write-offs: the worker cannot have
     * credited anything when the hub dies. */
    bsim_fail_writeoffs(f->sim, 1000000);
    snprintf(body, sizeof body, "{\"out_trade_no\":\"KILL-0001\",\"bill_ids\":[%lld],\"method\":\"code\","
             "\"auth_code\":\"134567890123456789\"}", id);
    r = hubtest_req(&client, "POST", "/v1/payments", PROC_TOKEN, "kill-1", body, NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(hubtest_at(r.json, "order.state")->valuestring, "SUCCESS");
    hubtest_free(&r);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    assert_int_equal(bsim_credits(f->sim), 0);

    /* Back, with the utility answering: credited once, and only once. */
    bsim_fail_writeoffs(f->sim, 0);
    proc_start(f, dir, &pid);
    for (int i = 0; i < 200 && bsim_credits(f->sim) == 0; i++) sleep_ms(25);
    sleep_ms(1500);                         /* a worker round more: nothing new */
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    assert_int_equal(bsim_credits(f->sim), 1);
    assert_true(bsim_bill_paid(f->sim, "W-2026-10-0001"));
    /* At the hub: one order paid, its write-off done. */
    sqlite3 *db = NULL;
    snprintf(path, sizeof path, "%s/hub.db", dir);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    snprintf(no_sql, sizeof no_sql, "SELECT (SELECT COUNT(*) FROM orders WHERE state = 'SUCCESS') * 10 + "
             "(SELECT COUNT(*) FROM writeoffs WHERE state = 'done')");
    assert_int_equal(db_int(db, no_sql, NULL, -1), 11);
    sqlite3_close(db);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(bills_come_from_the_utility_and_are_credited_once, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_writeoff_is_retried_and_shown, setup, teardown),
        cmocka_unit_test_setup_teardown(utility_out_of_reach_offers_no_bill, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_writeoff_waits_for_staff, setup, teardown),
        cmocka_unit_test_setup_teardown(refund_reverses_the_writeoff, setup, teardown),
        cmocka_unit_test_setup_teardown(alipay_and_utility_one_each_or_none, setup, teardown),
        cmocka_unit_test_setup_teardown(hub_killed_after_payment_credits_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
