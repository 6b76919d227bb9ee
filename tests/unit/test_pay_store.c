/* The payments table (services/bills/pay_store.h, migration 4): every field of a
 * payment_t survives a write and a reopen; the unfinished ones are listed
 * for the restart; a database that refuses writes (read-only connection,
 * locked by another writer) gives -1, never a crash; prune deletes only
 * final payments. */
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
#include "services/bills/pay_store.h"
#include "store/store.h"

#define T0 1795915800000LL

typedef struct {
    char dir[64];           /* mkdtemp, removed in teardown */
    char var[128];
    store_t *st;
} fixture_t;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    char err[256];
    if (!fx) return -1;
    strcpy(fx->dir, "/tmp/kiosk-paystore-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->var, sizeof fx->var, "%s/var", fx->dir);
    if (store_open(fx->var, &fx->st, err, sizeof err) != 0) {
        fprintf(stderr, "store_open: %s\n", err);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    store_close(fx->st);
    int rc = nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return rc;
}

static void exec_sql(store_t *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK) {
        print_error("%s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        fail();
    }
}

static long long query_ll(store_t *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    long long v;
    assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

/* A payment with every field set to something other than its default. */
static void full_payment(payment_t *p, const char *no, pay_state_t state, int64_t created)
{
    const long long bills[12] = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 9007199254740993LL};
    pay_init(p, no, PAY_CODE, bills, 12, 123456789012LL, "pay-0123456789abcdef", created);
    p->state = state;
    snprintf(p->cancel_key, sizeof p->cancel_key, "pay-0123456789abcdef:c");
    p->can_create = false;
    p->cancel_requested = true;
    p->unknown = true;
    p->attempts = 7;
    p->deadline_ms = created + 60000;
    p->next_ms = created + 4321;
    p->next = pay_is_final(state) ? PAY_ACT_NONE : PAY_ACT_REVERSE;
    snprintf(p->code_url, sizeof p->code_url, "http://127.0.0.1:8470/v1/demo/pay/%s", no);
    p->expires_ms = created + 7200000;
    snprintf(p->transaction_id, sizeof p->transaction_id, "4200016460202611292275261855");
    snprintf(p->reason, sizeof p->reason, "refused:invalid_auth_code");
}

static void assert_same(const payment_t *a, const payment_t *b)
{
    assert_string_equal(a->out_trade_no, b->out_trade_no);
    assert_int_equal(a->method, b->method);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->n_bills, b->n_bills);
    for (int i = 0; i < a->n_bills; i++) assert_true(a->bill_ids[i] == b->bill_ids[i]);
    assert_true(a->amount_fen == b->amount_fen);
    assert_string_equal(a->create_key, b->create_key);
    assert_string_equal(a->cancel_key, b->cancel_key);
    assert_int_equal(a->can_create, b->can_create);
    assert_int_equal(a->cancel_requested, b->cancel_requested);
    assert_int_equal(a->unknown, b->unknown);
    assert_int_equal(a->attempts, b->attempts);
    assert_true(a->created_ms == b->created_ms);
    assert_true(a->deadline_ms == b->deadline_ms);
    assert_true(a->next_ms == b->next_ms);
    assert_int_equal(a->next, b->next);
    assert_string_equal(a->code_url, b->code_url);
    assert_true(a->expires_ms == b->expires_ms);
    assert_string_equal(a->transaction_id, b->transaction_id);
    assert_string_equal(a->reason, b->reason);
}

/* ---- tests ------------------------------------------------------------- */

static void test_schema(void **state)
{
    fixture_t *fx = *state;
    assert_true(store_schema_latest() >= 4);
    assert_int_equal(store_schema_version(fx->st), store_schema_latest());
    assert_int_equal(query_ll(fx->st, "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                      " AND tbl_name = 'payments' AND sql LIKE '%(state%'"), 1);
    /* The CHECKs hold the names the code writes. */
    assert_int_not_equal(sqlite3_exec(store_db(fx->st),
        "INSERT INTO payments(out_trade_no, method, state, bill_ids, amount_fen, create_key,"
        " can_create, created_ms, next, updated_ms)"
        " VALUES('x00001', 'qr', 'PAID', '1', 1, 'k', 1, 0, 'none', 0)", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(store_db(fx->st),
        "INSERT INTO payments(out_trade_no, method, state, bill_ids, amount_fen, create_key,"
        " can_create, created_ms, next, updated_ms)"
        " VALUES('x00001', 'cash', 'paid', '1', 1, 'k', 1, 0, 'none', 0)", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(query_ll(fx->st, "SELECT count(*) FROM payments"), 0);
    assert_int_equal(store_pay_durable(fx->st), 0);
    assert_int_equal(query_ll(fx->st, "PRAGMA synchronous"), 2);      /* FULL */
}

static void test_round_trip(void **state)
{
    fixture_t *fx = *state;
    payment_t p, got;
    char *receipt = (char *)"x";
    char err[256];
    static const char rj[] = "{\"items\": [{\"text\": \"户    名：张*明\"}]}";

    full_payment(&p, "K01-20261129-0a1b2c3d4e", PAY_USERPAYING, T0);
    assert_int_equal(store_pay_insert(fx->st, &p, rj, T0), 0);
    memset(&got, 0x55, sizeof got);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, &receipt), 1);
    assert_same(&p, &got);
    assert_non_null(receipt);
    assert_string_equal(receipt, rj);
    free(receipt);

    /* Every mutable field changes; the receipt stays. */
    p.method = PAY_QR;
    p.state = PAY_CANCELLING;
    p.n_bills = 1;
    p.bill_ids[0] = 99;
    p.amount_fen = 8227;
    snprintf(p.cancel_key, sizeof p.cancel_key, "other:c");
    p.can_create = true;
    p.cancel_requested = false;
    p.unknown = false;
    p.attempts = 0;
    p.created_ms = T0 + 1;
    p.deadline_ms = 0;
    p.next_ms = T0 + 99999;
    p.next = PAY_ACT_CLOSE;
    p.code_url[0] = '\0';
    p.expires_ms = 0;
    p.transaction_id[0] = '\0';
    snprintf(p.reason, sizeof p.reason, "timeout");
    assert_int_equal(store_pay_save(fx->st, &p, T0 + 5), 0);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, &receipt), 1);
    assert_same(&p, &got);
    assert_string_equal(receipt, rj);
    free(receipt);
    assert_int_equal(query_ll(fx->st, "SELECT updated_ms FROM payments"), T0 + 5);

    /* A receipt-less payment; get without asking for the receipt. */
    full_payment(&p, "K01-20261129-ffffffffff", PAY_PAID, T0);
    assert_int_equal(store_pay_insert(fx->st, &p, NULL, T0), 0);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, &receipt), 1);
    assert_null(receipt);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, NULL), 1);
    assert_same(&p, &got);

    /* Unknown number; the same number twice; saving a payment never inserted. */
    assert_int_equal(store_pay_get(fx->st, "K01-nope", &got, &receipt), 0);
    assert_null(receipt);
    assert_int_equal(store_pay_insert(fx->st, &p, NULL, T0), -1);
    snprintf(p.out_trade_no, sizeof p.out_trade_no, "K01-20261129-never");
    assert_int_equal(store_pay_save(fx->st, &p, T0), -1);
    p.n_bills = 0;
    assert_int_equal(store_pay_insert(fx->st, &p, NULL, T0), -1);

    /* Durable across a reopen (WAL and all). */
    store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(store_open(fx->var, &fx->st, err, sizeof err), 0);
    assert_int_equal(store_pay_get(fx->st, "K01-20261129-0a1b2c3d4e", &got, NULL), 1);
    assert_int_equal(got.state, PAY_CANCELLING);
    assert_int_equal(got.bill_ids[0], 99);
    assert_int_equal(store_pay_count(fx->st, PAY_PAID), 1);
}

static void test_unfinished(void **state)
{
    fixture_t *fx = *state;
    payment_t p, out[8];
    char no[33];
    /* Inserted newest first: the listing is oldest first. */
    for (int s = PAY_STATE_COUNT - 1; s >= 0; s--) {
        snprintf(no, sizeof no, "K01-20261129-%010d", s);
        full_payment(&p, no, (pay_state_t)s, T0 + s * 1000);
        assert_int_equal(store_pay_insert(fx->st, &p, NULL, T0), 0);
    }
    for (int s = 0; s < PAY_STATE_COUNT; s++) assert_int_equal(store_pay_count(fx->st, (pay_state_t)s), 1);
    assert_int_equal(store_pay_count(fx->st, PAY_STATE_COUNT), -1);

    int n = store_pay_load_unfinished(fx->st, out, 8);
    assert_int_equal(n, 4);
    assert_int_equal(out[0].state, PAY_CREATING);
    assert_int_equal(out[1].state, PAY_WAITING);
    assert_int_equal(out[2].state, PAY_USERPAYING);
    assert_int_equal(out[3].state, PAY_CANCELLING);
    full_payment(&p, "K01-20261129-0000000002", PAY_USERPAYING, T0 + 2000);
    assert_same(&p, &out[2]);

    assert_int_equal(store_pay_load_unfinished(fx->st, out, 2), 2);
    assert_int_equal(out[1].state, PAY_WAITING);
    assert_int_equal(store_pay_load_unfinished(fx->st, out, 0), 0);

    /* A row damaged by hand is skipped (and logged), the others load. */
    exec_sql(fx->st, "UPDATE payments SET bill_ids = '1,,2' WHERE state = 'waiting'");
    assert_int_equal(store_pay_load_unfinished(fx->st, out, 8), 3);
    assert_int_equal(out[1].state, PAY_USERPAYING);
    assert_int_equal(store_pay_get(fx->st, "K01-20261129-0000000001", &p, NULL), -1);
}

/* A connection that may not write (as on a read-only medium), and a database
 * another writer holds locked: -1, nothing changed, and reads still work. */
static void test_write_refused(void **state)
{
    fixture_t *fx = *state;
    payment_t p, got;
    char err[256], *receipt = NULL;
    store_t *other;

    full_payment(&p, "K01-20261129-0a1b2c3d4e", PAY_WAITING, T0);
    assert_int_equal(store_pay_insert(fx->st, &p, "{}", T0), 0);

    exec_sql(fx->st, "PRAGMA query_only = 1");
    full_payment(&got, "K01-20261129-second", PAY_CREATING, T0);
    assert_int_equal(store_pay_insert(fx->st, &got, NULL, T0), -1);
    p.state = PAY_PAID;
    assert_int_equal(store_pay_save(fx->st, &p, T0 + 1), -1);
    assert_int_equal(store_pay_prune(fx->st, T0 + 100000), -1);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, &receipt), 1);
    assert_int_equal(got.state, PAY_WAITING);
    free(receipt);
    assert_int_equal(store_pay_count(fx->st, PAY_CREATING), 0);
    assert_int_equal(store_pay_load_unfinished(fx->st, &got, 1), 1);
    exec_sql(fx->st, "PRAGMA query_only = 0");

    /* Locked by a second connection (busy timeout cut short for the test). */
    assert_int_equal(store_open(fx->var, &other, err, sizeof err), 0);
    exec_sql(other, "BEGIN EXCLUSIVE");
    sqlite3_busy_timeout(store_db(fx->st), 100);
    assert_int_equal(store_pay_save(fx->st, &p, T0 + 1), -1);
    full_payment(&got, "K01-20261129-third", PAY_CREATING, T0);
    assert_int_equal(store_pay_insert(fx->st, &got, NULL, T0), -1);
    exec_sql(other, "ROLLBACK");
    store_close(other);

    assert_int_equal(store_pay_save(fx->st, &p, T0 + 1), 0);
    assert_int_equal(store_pay_get(fx->st, p.out_trade_no, &got, NULL), 1);
    assert_int_equal(got.state, PAY_PAID);
    assert_int_equal(store_pay_get(fx->st, "K01-20261129-third", &got, NULL), 0);

    /* Bad arguments are refused, not crashed on. */
    assert_int_equal(store_pay_insert(NULL, &p, NULL, T0), -1);
    assert_int_equal(store_pay_save(fx->st, NULL, T0), -1);
    assert_int_equal(store_pay_get(fx->st, NULL, &got, NULL), -1);
    assert_int_equal(store_pay_load_unfinished(fx->st, NULL, 3), -1);
    assert_int_equal(store_pay_count(NULL, PAY_PAID), -1);
    assert_int_equal(store_pay_prune(NULL, 0), -1);
    assert_int_equal(store_pay_durable(NULL), -1);
}

static void test_prune(void **state)
{
    fixture_t *fx = *state;
    payment_t p;
    char no[33];
    /* Each state twice: written at T0 and at T0 + 10 s. */
    for (int s = 0; s < PAY_STATE_COUNT; s++) {
        for (int k = 0; k < 2; k++) {
            snprintf(no, sizeof no, "K01-20261129-%d-%d", s, k);
            full_payment(&p, no, (pay_state_t)s, T0);
            assert_int_equal(store_pay_insert(fx->st, &p, "{}", T0 + k * 10000), 0);
        }
    }
    assert_int_equal(store_pay_prune(fx->st, T0), 0);            /* strictly before */
    assert_int_equal(store_pay_prune(fx->st, T0 + 1), 3);        /* the old final ones */
    assert_int_equal(store_pay_prune(fx->st, T0 + 1), 0);
    for (int s = 0; s < PAY_STATE_COUNT; s++)
        assert_int_equal(store_pay_count(fx->st, (pay_state_t)s), pay_is_final((pay_state_t)s) ? 1 : 2);
    assert_int_equal(store_pay_prune(fx->st, T0 + 1000000), 3);
    for (int s = 0; s < PAY_STATE_COUNT; s++)
        assert_int_equal(store_pay_count(fx->st, (pay_state_t)s), pay_is_final((pay_state_t)s) ? 0 : 2);
    /* A save moves updated_ms: a payment that just became final stays. */
    full_payment(&p, "K01-20261129-0-0", PAY_PAID, T0);
    assert_int_equal(store_pay_save(fx->st, &p, T0 + 2000000), 0);
    assert_int_equal(store_pay_prune(fx->st, T0 + 1000000), 0);
    assert_int_equal(store_pay_count(fx->st, PAY_PAID), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unfinished, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
