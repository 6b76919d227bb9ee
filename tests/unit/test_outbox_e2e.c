/* The outbox sender (outbox/sender.c) against a real hub process (build/hub
 * --demo), directly and through the fault proxy (tests/support/faultproxy.h):
 * what the hub applied is counted in the hub's own database, never trusted
 * from the kiosk.
 *   - hub_send_json: 201, replay, 422 refused, bad method, garbage;
 *   - items drain, personal ones sealed, done/dead reported;
 *   - every fault mode, then a chaos run: all delivered after recovery,
 *     each exactly once;
 *   - kill -9 of a child process running the sender at random points while
 *     the queue drains, restarted each time: zero lost, zero applied twice
 *     (OUTBOX_KILL_RUNS runs, 8 by default; the bench runs 200);
 *   - a prompt stop while the hub hangs;
 *   - a locked database: the sender logs, keeps going, then delivers.
 * OUTBOX_E2E_ONLY=kill runs only the kill test (for the bench). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/hub_api.h"
#include "outbox/outbox.h"
#include "outbox/sender.h"
#include "store/store.h"
#include "support/faultproxy.h"
#include "support/hubproc.h"

#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 15000

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {}
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Every event the sender reported. */
typedef struct {
    pthread_mutex_t mu;
    int done, dead;
    long long last_dead_id;
    char last_reason[256];
} recorder_t;

static void record(void *ctx, const outbox_event_t *ev)
{
    recorder_t *r = ctx;
    pthread_mutex_lock(&r->mu);
    if (ev->state == OUTBOX_DONE) {
        r->done++;
        assert_non_null(ev->response);
    } else {
        r->dead++;
        r->last_dead_id = ev->id;
        snprintf(r->last_reason, sizeof r->last_reason, "%s", ev->reason);
    }
    pthread_mutex_unlock(&r->mu);
}

typedef struct {
    hubproc_t hub;
    char dir[64];
    store_t *st;
    outbox_key_t key;
    outbox_sender_opts_t opts;
    recorder_t rec;
} fx_t;

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    char err[256];
    if (hubproc_start(&fx->hub) != 0) return -1;
    strcpy(fx->dir, "/tmp/kiosk-obx-e2e-XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    snprintf(fx->opts.var_dir, sizeof fx->opts.var_dir, "%s", fx->dir);
    snprintf(fx->opts.key_file, sizeof fx->opts.key_file, "%s/outbox.key", fx->dir);
    snprintf(fx->opts.hub_url, sizeof fx->opts.hub_url, "%s", fx->hub.url);
    snprintf(fx->opts.token, sizeof fx->opts.token, "%s", HUBPROC_TOKEN);
    fx->opts.timeout_ms = 2000;
    fx->opts.backoff_base_ms = 20;
    fx->opts.backoff_cap_ms = 200;
    if (store_open(fx->dir, &fx->st, err, sizeof err) != 0) return -1;
    if (outbox_key_load(fx->opts.key_file, true, &fx->key, err, sizeof err) != 0) return -1;
    pthread_mutex_init(&fx->rec.mu, NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    store_close(fx->st);
    hubproc_cleanup(&fx->hub);
    nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    pthread_mutex_destroy(&fx->rec.mu);
    free(fx);
    return 0;
}

/* A help request with message PREFIX-I and a contact (personal: sealed). */
static long long enq_help(fx_t *fx, const char *prefix, int i)
{
    char body[256], err[256];
    long long id = 0;
    snprintf(body, sizeof body,
             "{\"location\":\"hall\",\"message\":\"%s-%d\",\"contact\":\"13812345678\","
             "\"consent\":true}", prefix, i);
    int rc = outbox_enqueue(fx->st, &fx->key, "help", "/v1/help", body, true, NULL,
                            wall_ms(), &id, err, sizeof err);
    if (rc != 0) fprintf(stderr, "enqueue: %s\n", err);
    assert_int_equal(rc, 0);
    return id;
}

/* Waits until nothing is queued or sending; fails the test after MS. */
static void wait_drained(fx_t *fx, int ms)
{
    long long end = mono_ms() + ms;
    outbox_counts_t c;
    for (;;) {
        assert_int_equal(outbox_counts(fx->st, &c), 0);
        if (c.queued + c.sending == 0) return;
        if (mono_ms() > end) {
            fprintf(stderr, "not drained: %d queued, %d sending, %d done, %d dead\n", c.queued,
                    c.sending, c.done, c.dead);
            fail();
        }
        sleep_ms(20);
    }
}

static long long hub_count(fx_t *fx, const char *prefix, bool distinct)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(%smessage) FROM help_requests WHERE message LIKE '%s-%%'",
             distinct ? "DISTINCT " : "", prefix);
    return hubproc_sql_int(&fx->hub, sql);
}

static outbox_sender_t *start_sender(fx_t *fx)
{
    char err[256] = "";
    outbox_sender_t *s = outbox_sender_start(&fx->opts, record, &fx->rec, err, sizeof err);
    if (!s) fprintf(stderr, "sender: %s\n", err);
    assert_non_null(s);
    return s;
}

/* ---- hub_send_json ------------------------------------------------------------ */

static void test_send_json(void **state)
{
    fx_t *fx = *state;
    hub_client_t *c = hub_client_new(fx->hub.url, HUBPROC_TOKEN, 3000, NULL);
    hub_status_t st;
    char *resp;
    const char *body = "{\"location\":\"hall\",\"message\":\"json-1\"}";

    hub_send_json(c, "POST", "/v1/help", "sj-1", body, &resp, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 201);
    assert_false(st.replayed);
    assert_non_null(strstr(resp, "\"help\""));
    char *first = resp;
    /* The same key again: replayed, the same answer, nothing new. */
    hub_send_json(c, "POST", "/v1/help", "sj-1", body, &resp, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_true(st.replayed);
    assert_string_equal(resp, first);
    free(resp);
    free(first);
    assert_int_equal(hub_count(fx, "json", false), 1);
    /* The same key, another body: 422, refused for good. */
    hub_send_json(c, "POST", "/v1/help", "sj-1", "{\"location\":\"x\"}", &resp, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 422);
    assert_string_equal(st.code, "idempotency_key_reused");
    assert_null(resp);
    /* Invalid: refused with the hub's code. */
    hub_send_json(c, "POST", "/v1/help", "sj-2", "{\"message\":\"no location\"}", &resp, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_string_equal(st.code, "missing_field");
    /* GET. */
    hub_send_json(c, "GET", "/v1/health", NULL, NULL, &resp, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_non_null(strstr(resp, "\"ok\""));
    free(resp);
    /* Not a method we send, no body, bad path: refused, nothing sent. */
    hub_send_json(c, "PUT", "/v1/help", "sj-3", "{}", &resp, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_string_equal(st.code, "bad_request");
    hub_send_json(c, "POST", "/v1/help", "sj-3", NULL, &resp, &st);
    assert_string_equal(st.code, "bad_request");
    hub_send_json(c, "POST", "v1/help", "sj-3", "{}", &resp, &st);
    assert_string_equal(st.code, "bad_request");
    hub_client_free(c);

    /* Nobody listening: unknown (retry). */
    hubproc_stop(&fx->hub);
    c = hub_client_new(fx->hub.url, HUBPROC_TOKEN, 1000, NULL);
    hub_send_json(c, "POST", "/v1/help", "sj-4", body, &resp, &st);
    assert_int_equal(st.result, HUB_UNKNOWN);
    assert_null(resp);
    hub_client_free(c);
}

/* ---- the sender ---------------------------------------------------------------- */

static void test_drain_and_dead(void **state)
{
    fx_t *fx = *state;
    char err[256];
    for (int i = 0; i < 10; i++) enq_help(fx, "drain", i);
    long long bad = 0;
    assert_int_equal(outbox_enqueue(fx->st, NULL, "help", "/v1/help", "{\"message\":\"x\"}",
                                    false, NULL, wall_ms(), &bad, err, sizeof err), 0);
    outbox_sender_t *s = start_sender(fx);
    wait_drained(fx, WAIT_MS);
    outbox_sender_stop(s);

    assert_int_equal(hub_count(fx, "drain", false), 10);
    assert_int_equal(hubproc_sql_int(&fx->hub, "SELECT count(*) FROM help_requests"
                                     " WHERE contact LIKE 's1:%'"), 10);   /* sealed at the hub */
    outbox_counts_t c;
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.done, 10);
    assert_int_equal(c.dead, 1);
    assert_int_equal(fx->rec.done, 10);
    assert_int_equal(fx->rec.dead, 1);
    assert_int_equal(fx->rec.last_dead_id, bad);
    assert_non_null(strstr(fx->rec.last_reason, "422 missing_field"));
    outbox_item_t it;
    assert_int_equal(outbox_get(fx->st, bad, NULL, &it, NULL, err, sizeof err), 0);
    assert_int_equal(it.state, OUTBOX_DEAD);
    assert_int_equal(it.http, 422);
    assert_int_equal(it.attempts, 1);

    /* Staff retry of a dead item: sent again, dead again (still invalid). */
    assert_int_equal(outbox_retry(fx->st, bad, wall_ms()), 0);
    s = start_sender(fx);
    wait_drained(fx, WAIT_MS);
    outbox_sender_stop(s);
    assert_int_equal(fx->rec.dead, 2);
}

/* Each fault alone, then recovery: every item delivered exactly once. */
static void test_fault_modes(void **state)
{
    fx_t *fx = *state;
    faultproxy_t *p = faultproxy_start(fx->hub.port);
    assert_non_null(p);
    faultproxy_url(p, fx->opts.hub_url, sizeof fx->opts.hub_url);
    fx->opts.timeout_ms = 500;
    outbox_sender_t *s = start_sender(fx);
    const fp_mode_t modes[] = {FP_DROP, FP_RESET, FP_HTTP500, FP_TRUNCATE, FP_DELAY};
    int n = 0;
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        faultproxy_set_mode(p, modes[m], 800);          /* DELAY: over the timeout */
        long faults = faultproxy_faults(p);
        for (int i = 0; i < 3; i++) enq_help(fx, "mode", n++);
        outbox_sender_wake(s);
        long long end = mono_ms() + 5000;
        while (faultproxy_faults(p) < faults + 3 && mono_ms() < end) sleep_ms(10);
        assert_true(faultproxy_faults(p) >= faults + 3);
        outbox_counts_t c;
        assert_int_equal(outbox_counts(fx->st, &c), 0);
        assert_int_equal(c.dead, 0);
        faultproxy_set_mode(p, FP_PASS, 0);
        wait_drained(fx, WAIT_MS);
    }
    outbox_sender_stop(s);
    faultproxy_stop(p);
    assert_int_equal(hub_count(fx, "mode", false), n);
    assert_int_equal(hub_count(fx, "mode", true), n);
    assert_int_equal(fx->rec.done, n);
    assert_int_equal(fx->rec.dead, 0);
}

/* Random faults on every request for a while, then a healthy network. */
static void test_chaos(void **state)
{
    fx_t *fx = *state;
    const int n = 40;
    faultproxy_t *p = faultproxy_start(fx->hub.port);
    assert_non_null(p);
    faultproxy_seed(p, 12345);
    faultproxy_set_mode(p, FP_CHAOS, 50);
    faultproxy_url(p, fx->opts.hub_url, sizeof fx->opts.hub_url);
    fx->opts.timeout_ms = 1000;
    for (int i = 0; i < n / 2; i++) enq_help(fx, "chaos", i);
    outbox_sender_t *s = start_sender(fx);
    for (int i = n / 2; i < n; i++) {
        enq_help(fx, "chaos", i);
        outbox_sender_wake(s);
        sleep_ms(40);
    }
    sleep_ms(1500);
    long faults = faultproxy_faults(p);
    faultproxy_set_mode(p, FP_PASS, 0);
    wait_drained(fx, WAIT_MS);
    outbox_sender_stop(s);
    fprintf(stderr, "chaos: %ld requests, %ld faults\n", faultproxy_requests(p), faults);
    faultproxy_stop(p);
    assert_true(faults >= 20);
    assert_int_equal(hub_count(fx, "chaos", false), n);
    assert_int_equal(hub_count(fx, "chaos", true), n);
    assert_int_equal(fx->rec.done, n);
}

/* kill -9 while the queue drains, again and again. */
static void test_kill9(void **state)
{
    fx_t *fx = *state;
    const char *env = getenv("OUTBOX_KILL_RUNS");
    int runs = env ? atoi(env) : 8, per_run = 12, n = 0, killed_mid = 0;
    int killed_sending = 0, done_before = 0;
    unsigned seed = (unsigned)time(NULL);
    if (runs < 1) runs = 1;
    fprintf(stderr, "kill -9: %d runs, seed %u\n", runs, seed);
    srand(seed);

    for (int r = 0; r < runs; r++) {
        for (int i = 0; i < per_run; i++) enq_help(fx, "kill", n++);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);      /* never outlives a failed test */
            char err[256];
            outbox_sender_t *s = outbox_sender_start(&fx->opts, NULL, NULL, err, sizeof err);
            if (!s) _exit(3);
            for (;;) pause();
        }
        sleep_ms(5 + rand() % 40);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status));
        outbox_counts_t c;
        assert_int_equal(outbox_counts(fx->st, &c), 0);
        /* Killed with part of this run's items sent: mid-drain. */
        if (c.done > done_before && c.queued + c.sending > 0) killed_mid++;
        if (c.sending > 0) killed_sending++;
        done_before = c.done;
    }
    /* The last start drains what is left. */
    outbox_sender_t *s = start_sender(fx);
    wait_drained(fx, WAIT_MS + runs * 50);
    outbox_sender_stop(s);
    fprintf(stderr, "kill -9: %d items, %d of %d kills mid-drain, %d with an item sending\n",
            n, killed_mid, runs, killed_sending);
    assert_int_equal(hub_count(fx, "kill", false), n);     /* none applied twice */
    assert_int_equal(hub_count(fx, "kill", true), n);      /* none lost */
    outbox_counts_t c;
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.done, n);
    assert_int_equal(c.dead, 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(store_db(fx->st), "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
    sqlite3_finalize(q);
}

/* Stop while the hub hangs: prompt; the item is sent at the next start. */
static void test_prompt_stop(void **state)
{
    fx_t *fx = *state;
    faultproxy_t *p = faultproxy_start(fx->hub.port);
    faultproxy_set_mode(p, FP_DELAY, 20000);
    faultproxy_url(p, fx->opts.hub_url, sizeof fx->opts.hub_url);
    fx->opts.timeout_ms = 30000;
    enq_help(fx, "stop", 0);
    outbox_sender_t *s = start_sender(fx);
    long long end = mono_ms() + 5000;
    while (faultproxy_requests(p) < 1 && mono_ms() < end) sleep_ms(10);
    sleep_ms(50);
    long long t0 = mono_ms();
    outbox_sender_stop(s);
    long long took = mono_ms() - t0;
    assert_true(took < 500);
    outbox_counts_t c;
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.queued, 1);
    faultproxy_set_mode(p, FP_PASS, 0);
    s = start_sender(fx);
    wait_drained(fx, WAIT_MS);
    outbox_sender_stop(s);
    faultproxy_stop(p);
    assert_int_equal(hub_count(fx, "stop", false), 1);
}

/* The database locked by another connection longer than the busy timeout:
 * the sender logs, keeps going, and delivers once it is free. */
static void test_db_locked(void **state)
{
    fx_t *fx = *state;
    char err[256];
    outbox_sender_t *s = start_sender(fx);
    sleep_ms(200);
    assert_int_equal(sqlite3_exec(store_db(fx->st), "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(outbox_enqueue_in(fx->st, &fx->key, "help", "/v1/help",
                                       "{\"location\":\"hall\",\"message\":\"locked-0\"}",
                                       false, NULL, wall_ms(), NULL, err, sizeof err), 0);
    outbox_sender_wake(s);
    sleep_ms(3000);                                  /* over the 2 s busy timeout */
    assert_int_equal(hub_count(fx, "locked", false), 0);
    assert_int_equal(sqlite3_exec(store_db(fx->st), "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    wait_drained(fx, WAIT_MS);
    outbox_sender_stop(s);
    assert_int_equal(hub_count(fx, "locked", false), 1);
}

static void test_start_errors(void **state)
{
    fx_t *fx = *state;
    char err[256], path[160];
    snprintf(path, sizeof path, "%s/bad.key", fx->dir);
    FILE *f = fopen(path, "w");
    fputs("short", f);
    fclose(f);
    snprintf(fx->opts.key_file, sizeof fx->opts.key_file, "%s", path);
    assert_null(outbox_sender_start(&fx->opts, NULL, NULL, err, sizeof err));
    assert_non_null(strstr(err, "5 bytes, expected 32"));
    outbox_sender_stop(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest all[] = {
        T(test_send_json),
        T(test_drain_and_dead),
        T(test_fault_modes),
        T(test_chaos),
        T(test_kill9),
        T(test_prompt_stop),
        T(test_db_locked),
        T(test_start_errors),
    };
    const struct CMUnitTest kill_only[] = {T(test_kill9)};
    signal(SIGPIPE, SIG_IGN);
    if (sodium_init() < 0) return 1;
    const char *only = getenv("OUTBOX_E2E_ONLY");
    if (only && strcmp(only, "kill") == 0)
        return cmocka_run_group_tests(kill_only, NULL, NULL);
    return cmocka_run_group_tests(all, NULL, NULL);
}
