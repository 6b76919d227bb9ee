/* Bills and payments over a real socket: look-ups (account, paper-bill QR,
 * ID number), masking of personal data, and every path of a payment order
 * through NOTPAY, USERPAYING, SUCCESS, CLOSED, REVOKED and PAYERROR,
 * including retries, replays and concurrent attempts at the same bill.
 * What the database holds is checked through a second SQLite connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "api.h"
#include "hubtest.h"
#include "billqr.h"
#include "idnum.h"
#include "validate.h"

#define NTHREADS 8

static int setup(void **state) { *state = hubtest_start(true); return 0; }
static int teardown(void **state) { hubtest_stop(*state); return 0; }

/* ---- helpers ----------------------------------------------------------- */

/* A connection of our own to the hub's database file. */
static sqlite3 *db_open(hubtest_t *t)
{
    char path[128];
    snprintf(path, sizeof path, "%s/hub.db", t->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    /* The demo residents in clear (the hub holds them sealed and hashed). */
    char sql[160];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS clear", t->clear_db);
    if (t->clear_db[0]) assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

/* One integer from SQL with an optional text ?1 and integer ?2. */
static long long q_int(hubtest_t *t, const char *sql, const char *text, long long num)
{
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (text) sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_int64(st, 2, num);
    int rc = sqlite3_step(st);
    long long v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One text value (malloc'd) from SQL with an integer ?1; NULL if no row. */
static char *q_text(hubtest_t *t, const char *sql, long long num)
{
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, num);
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void db_write(hubtest_t *t, const char *sql, long long num)
{
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, num);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* N unpaid bills (newest ids first) that no open order holds. */
static void fresh_bills(hubtest_t *t, int n, long long *ids)
{
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT id FROM bills b WHERE status = 'unpaid' AND amount_fen > 0 AND NOT EXISTS("
        "SELECT 1 FROM order_bills ob JOIN orders o ON o.out_trade_no = ob.out_trade_no "
        "WHERE ob.bill_id = b.id AND o.state IN ('NOTPAY', 'USERPAYING')) "
        "ORDER BY id DESC LIMIT ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int(st, 1, n);
    int got = 0;
    while (sqlite3_step(st) == SQLITE_ROW) ids[got++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(got, n);
}

static long long bill_cost(hubtest_t *t, long long id)
{
    return q_int(t, "SELECT amount_fen + late_fee_fen FROM bills WHERE ?1 IS NULL AND id = ?2", NULL, id);
}

static bool bill_paid(hubtest_t *t, long long id)
{
    return q_int(t, "SELECT status = 'paid' FROM bills WHERE ?1 IS NULL AND id = ?2", NULL, id) == 1;
}

static char *bill_paid_order(hubtest_t *t, long long id)
{
    return q_text(t, "SELECT paid_order FROM bills WHERE id = ?1", id);
}

/* How many orders ever held bill ID (closed ones included). */
static long long orders_of_bill(hubtest_t *t, long long id)
{
    return q_int(t, "SELECT COUNT(*) FROM order_bills WHERE ?1 IS NULL AND bill_id = ?2", NULL, id);
}

static void next_no(char *out, size_t len)
{
    static atomic_int seq;
    snprintf(out, len, "KIOSK01-T%05d", atomic_fetch_add(&seq, 1));
}

/* The JSON body of POST /v1/payments. AUTH may be NULL. */
static void order_body(char *out, size_t len, const char *no, const long long *ids, int n,
                       const char *method, const char *auth)
{
    int pos = snprintf(out, len, "{\"out_trade_no\":\"%s\",\"bill_ids\":[", no);
    for (int i = 0; i < n; i++) pos += snprintf(out + pos, len - pos, "%s%lld", i ? "," : "", ids[i]);
    pos += snprintf(out + pos, len - pos, "],\"method\":\"%s\"", method);
    if (auth) pos += snprintf(out + pos, len - pos, ",\"auth_code\":\"%s\"", auth);
    snprintf(out + pos, len - pos, "}");
}

static hubtest_resp_t create(hubtest_t *t, const char *no, const long long *ids, int n,
                             const char *method, const char *auth)
{
    char body[512];
    order_body(body, sizeof body, no, ids, n, method, auth);
    return hubtest_post(t, "/v1/payments", body);
}

/* Creates an order that must be accepted (201). */
static void create_ok(hubtest_t *t, const char *no, const long long *ids, int n,
                      const char *method, const char *auth)
{
    hubtest_resp_t r = create(t, no, ids, n, method, auth);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
}

static void behaviour(hubtest_t *t, const char *json)
{
    hubtest_resp_t r = hubtest_post(t, "/v1/demo/behaviour", json);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

static const char *str_at(const hubtest_resp_t *r, const char *dotted)
{
    const cJSON *j = hubtest_at(r->json, dotted);
    assert_true(cJSON_IsString(j));
    return j->valuestring;
}

static long long num_at(const hubtest_resp_t *r, const char *dotted)
{
    const cJSON *j = hubtest_at(r->json, dotted);
    assert_true(cJSON_IsNumber(j));
    return (long long)j->valuedouble;
}

/* "/v1/payments/NO" + SUFFIX. */
static hubtest_resp_t order_req(hubtest_t *t, const char *method, const char *no, const char *suffix)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/payments/%s%s", no, suffix);
    return strcmp(method, "GET") == 0 ? hubtest_get(t, path) : hubtest_post(t, path, "{}");
}

static void expect_state(hubtest_t *t, const char *no, const char *state)
{
    hubtest_resp_t r = order_req(t, "GET", no, "");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), state);
    hubtest_free(&r);
}

static hubtest_resp_t demo_pay(hubtest_t *t, const char *no)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", no);
    return hubtest_req(t, "GET", path, NULL, NULL, NULL, NULL);
}

static void expect_error(hubtest_resp_t r, int status, const char *code)
{
    if (r.status != status || strcmp(hubtest_error_code(&r), code) != 0)
        fail_msg("expected %d %s, got %d %s", status, code, r.status, r.body);
    hubtest_free(&r);
}

/* A paper-bill QR payload with its check, the way a bill printer would. */
static void make_qr(char *out, size_t len, const char *utility, const char *account,
                    const char *period, long long amount)
{
    billqr_t b = {.amount_fen = amount};
    snprintf(b.utility, sizeof b.utility, "%s", utility);
    snprintf(b.account, sizeof b.account, "%s", account);
    snprintf(b.period, sizeof b.period, "%s", period);
    assert_true(billqr_encode(&b, out, len) > 0);
}

/* ---- seed data --------------------------------------------------------- */

static void seed_is_complete_and_valid(void **state)
{
    hubtest_t *t = *state;
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM residents", NULL, 0), 8);
    assert_true(q_int(t, "SELECT COUNT(*) FROM accounts", NULL, 0) >= 20);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM accounts a WHERE (SELECT COUNT(*) FROM bills "
                              "WHERE account_id = a.id) != 12", NULL, 0), 0);
    assert_int_equal(q_int(t, "SELECT COUNT(DISTINCT period) FROM bills WHERE period "
                              "BETWEEN '2025-12' AND '2026-11'", NULL, 0), 12);
    for (int u = 0; u < 4; u++) {
        static const char *const util[] = {"water", "electricity", "gas", "heating"};
        assert_true(q_int(t, "SELECT COUNT(*) FROM accounts WHERE utility = ?1", util[u], 0) >= 3);
    }
    /* Every ID number passes the check the API applies; phones are 138.... */
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id_number, phone FROM clear.residents", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *idn = (const char *)sqlite3_column_text(st, 0);
        const char *phone = (const char *)sqlite3_column_text(st, 1);
        assert_true(idnum_valid(idn));
        assert_true(v_digits(phone, 11, 11) && strncmp(phone, "138", 3) == 0);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    /* One resident with several accounts, one account with nothing to pay,
     * late fees on overdue bills only, 1 to 3 unpaid months where unpaid. */
    assert_true(q_int(t, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM accounts GROUP BY resident_id)", NULL, 0) >= 3);
    assert_true(q_int(t, "SELECT COUNT(*) FROM accounts a WHERE NOT EXISTS(SELECT 1 FROM bills "
                         "WHERE account_id = a.id AND status = 'unpaid')", NULL, 0) >= 1);
    assert_true(q_int(t, "SELECT COUNT(*) FROM bills WHERE late_fee_fen > 0", NULL, 0) >= 3);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM bills WHERE late_fee_fen > 0 AND "
                              "(status = 'paid' OR due_date >= '2026-11-28')", NULL, 0), 0);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM (SELECT COUNT(*) n FROM bills WHERE status = 'unpaid' "
                              "GROUP BY account_id) WHERE n > 3", NULL, 0), 0);
}

/* An empty in-memory database with DB's residents, accounts and bills
 * tables, for seeding apart from the hub. */
static sqlite3 *bills_schema_copy(sqlite3 *db)
{
    sqlite3 *mem = NULL;
    assert_int_equal(sqlite3_open(":memory:", &mem), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name IN "
                                        "('residents', 'accounts', 'bills')", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(sqlite3_exec(mem, (const char *)sqlite3_column_text(st, 0), NULL, NULL, NULL), SQLITE_OK);
    sqlite3_finalize(st);
    return mem;
}

/* The seed is deterministic and runs once: seeding a fresh copy of the
 * schema gives the same bills, and seeding again adds nothing. */
static void seed_is_deterministic_and_once(void **state)
{
    hubtest_t *t = *state;
    sqlite3 *db = db_open(t), *mem = bills_schema_copy(db);
    assert_int_equal(demo_seed_bills(mem), 0);
    assert_int_equal(demo_seed_bills(mem), 0);
    const char *fp = "SELECT COUNT(*) * 1000003 + SUM(amount_fen) + SUM(late_fee_fen) * 7 + "
                     "SUM(CAST(usage * 100 AS INTEGER)) FROM bills";
    sqlite3_stmt *a = NULL, *b = NULL;
    assert_int_equal(sqlite3_prepare_v2(mem, fp, -1, &a, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) * 1000003 + SUM(amount_fen) + "
                                        "SUM(late_fee_fen) * 7 + SUM(CAST(usage * 100 AS INTEGER)) "
                                        "FROM bills", -1, &b, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(a), SQLITE_ROW);
    assert_int_equal(sqlite3_step(b), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(a, 0), sqlite3_column_int64(b, 0));
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    sqlite3_close(mem);
    sqlite3_close(db);
}

/* The demo data is hub/demo/bills.sql: a missing file or a broken
 * statement fails the seed with nothing written; demo_set_dir chooses the
 * directory. */
static void seed_from_a_broken_or_missing_file_writes_nothing(void **state)
{
    hubtest_t *t = *state;
    sqlite3 *db = db_open(t), *mem = bills_schema_copy(db);
    char dir[] = "/tmp/hub-demo-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(demo_set_dir(dir), 0);
    assert_int_equal(demo_seed_bills(mem), -1);                /* no bills.sql */
    snprintf(path, sizeof path, "%s/bills.sql", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("-- one good statement, then a broken one\n"
          "INSERT INTO residents(name, id_number, phone) VALUES('A', '1', '2');\n"
          "INSERT INTO nowhere VALUES(1);\n", fp);
    fclose(fp);
    assert_int_equal(demo_seed_bills(mem), -1);
    sqlite3_stmt *n = NULL;
    assert_int_equal(sqlite3_prepare_v2(mem, "SELECT COUNT(*) FROM residents", -1, &n, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(n), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(n, 0), 0);
    sqlite3_finalize(n);
    assert_int_equal(demo_set_dir(""), -1);
    assert_int_equal(demo_set_dir(NULL), 0);
    assert_int_equal(demo_seed_bills(mem), 0);
    unlink(path);
    rmdir(dir);
    sqlite3_close(mem);
    sqlite3_close(db);
}

/* ---- look-ups ---------------------------------------------------------- */

static void bills_by_account(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_get(t, "/v1/bills?utility=water&account=3702031056");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "accounts")), 1);
    assert_string_equal(str_at(&r, "accounts.0.utility"), "water");
    assert_string_equal(str_at(&r, "accounts.0.account"), "3702031056");
    assert_string_equal(str_at(&r, "accounts.0.holder"), "张*国");
    assert_string_equal(str_at(&r, "accounts.0.address"), "幸福里小区3号楼****");
    assert_non_null(r.etag[0] ? r.etag : NULL);
    /* Unpaid first (oldest first), then paid newest first. */
    const cJSON *bills = hubtest_at(r.json, "accounts.0.bills");
    int n = cJSON_GetArraySize(bills);
    assert_true(n == 12);
    bool seen_paid = false;
    long long due = 0;
    char prev[8] = "";
    for (int i = 0; i < n; i++) {
        const cJSON *b = cJSON_GetArrayItem(bills, i);
        const char *st = cJSON_GetObjectItem(b, "status")->valuestring;
        const char *period = cJSON_GetObjectItem(b, "period")->valuestring;
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(b, "id")));
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(b, "usage")));
        assert_string_equal(cJSON_GetObjectItem(b, "unit")->valuestring, "m³");
        assert_true(v_date(cJSON_GetObjectItem(b, "due_date")->valuestring));
        long long fen = (long long)cJSON_GetObjectItem(b, "amount_fen")->valuedouble;
        long long late = (long long)cJSON_GetObjectItem(b, "late_fee_fen")->valuedouble;
        if (!strcmp(st, "unpaid")) {
            assert_false(seen_paid);
            if (prev[0]) assert_true(strcmp(prev, period) < 0);
            due += fen + late;
        } else {
            assert_string_equal(st, "paid");
            if (seen_paid) assert_true(strcmp(prev, period) > 0);
            seen_paid = true;
        }
        snprintf(prev, sizeof prev, "%s", period);
    }
    assert_int_equal(num_at(&r, "accounts.0.due_fen"), due);
    assert_true(due > 0);
    const cJSON *hist = hubtest_at(r.json, "accounts.0.history");
    assert_int_equal(cJSON_GetArraySize(hist), 12);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 0), "period")->valuestring, "2025-12");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(hist, 11), "period")->valuestring, "2026-11");
    hubtest_free(&r);

    /* Heating: zero months are history only, never bills. */
    r = hubtest_get(t, "/v1/bills?utility=heating&account=60310527");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "accounts.0.bills.0.unit"), "GJ");
    assert_true(cJSON_GetArraySize(hubtest_at(r.json, "accounts.0.bills")) < 12);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "accounts.0.history")), 12);
    hubtest_free(&r);
}

static void bills_query_errors(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_get(t, "/v1/bills");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "missing_field");
    assert_non_null(strstr(r.body, "utility and account"));
    hubtest_free(&r);
    r = hubtest_get(t, "/v1/bills?utility=water");
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body, "account is required"));
    hubtest_free(&r);
    r = hubtest_get(t, "/v1/bills?qr=XFL-BILL&utility=water");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "conflicting_fields");
    assert_non_null(strstr(r.body, "utility"));
    hubtest_free(&r);
    expect_error(hubtest_get(t, "/v1/bills?utility=steam&account=3702031056"), 422, "invalid_field");
    expect_error(hubtest_get(t, "/v1/bills?utility=water&account=37020x1056"), 422, "invalid_field");
    expect_error(hubtest_get(t, "/v1/bills?utility=water&account=9999999999"), 404, "unknown_account");
    expect_error(hubtest_get(t, "/v1/bills?utility=gas&account=3702031056"), 404, "unknown_account");
    expect_error(hubtest_req(t, "GET", "/v1/bills?utility=water&account=3702031056", NULL, NULL, NULL, NULL),
                 401, "unauthorized");
}

static void bills_by_qr(void **state)
{
    hubtest_t *t = *state;
    char qr[160], path[2048];
    make_qr(qr, sizeof qr, "electricity", "3702118472", "2026-11", 12345);
    snprintf(path, sizeof path, "/v1/bills?qr=%s", qr);
    hubtest_resp_t r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "accounts.0.utility"), "electricity");
    assert_string_equal(str_at(&r, "accounts.0.account"), "3702118472");
    assert_string_equal(str_at(&r, "accounts.0.bills.0.unit"), "kWh");
    hubtest_free(&r);

    /* Well-formed, but no such account. */
    make_qr(qr, sizeof qr, "water", "1234567890", "2026-11", 4100);
    snprintf(path, sizeof path, "/v1/bills?qr=%s", qr);
    expect_error(hubtest_get(t, path), 404, "unknown_account");

    make_qr(qr, sizeof qr, "water", "3702031056", "2026-11", 4100);
    char bad[12][160];
    int nb = 0;
    snprintf(bad[nb++], 160, "%.*s%c", (int)strlen(qr) - 1, qr, qr[strlen(qr) - 1] == '0' ? '1' : '0');
    snprintf(bad[nb++], 160, "XFL-BILL:2%s", qr + 10);                     /* version */
    snprintf(bad[nb++], 160, "ABC-BILL%s", qr + 8);                        /* scheme */
    snprintf(bad[nb++], 160, "XFL-BILL:1:water:3702031056:2026-11:4100");  /* no check */
    snprintf(bad[nb++], 160, "%s:00", qr);                                 /* extra field */
    snprintf(bad[nb++], 160, "XFL-BILL:1:steam:3702031056:2026-11:4100:00");
    snprintf(bad[nb++], 160, "XFL-BILL:1:water:3702031056:2026-13:4100:00");
    snprintf(bad[nb++], 160, "XFL-BILL:1:water:37020:2026-11:4100:00");
    snprintf(bad[nb++], 160, "XFL-BILL:1:water:3702031056:2026-11:-41:00");
    snprintf(bad[nb++], 160, "https://example.com/pay?x=1");
    snprintf(bad[nb++], 160, "%s", "");
    make_qr(bad[nb++], 160, "water", "3702031056", "2026-11", 4100);
    bad[nb - 1][20] = '9';                                                 /* account digit flipped */
    for (int i = 0; i < nb; i++) {
        snprintf(path, sizeof path, "/v1/bills?qr=%s", bad[i]);
        r = hubtest_get(t, path);
        if (r.status != 422 || strcmp(hubtest_error_code(&r), "invalid_qr") != 0)
            fail_msg("qr \"%s\": %d %s", bad[i], r.status, r.body);
        hubtest_free(&r);
    }
}

static void bills_by_id_number(void **state)
{
    hubtest_t *t = *state;
    char *idn = q_text(t, "SELECT id_number FROM clear.residents WHERE id = ?1", 1);
    char body[128];
    snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", idn);
    hubtest_resp_t r = hubtest_post(t, "/v1/bills/lookup", body);
    assert_int_equal(r.status, 200);
    const cJSON *accs = hubtest_at(r.json, "accounts");
    assert_int_equal(cJSON_GetArraySize(accs), 4);
    static const char *const order[] = {"water", "electricity", "gas", "heating"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(accs, i), "utility")->valuestring, order[i]);
    /* The gas account is in another family member's name. */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(accs, 2), "holder")->valuestring, "王*芳");
    hubtest_free(&r);

    /* A trailing x is the same as X. */
    char *xid = q_text(t, "SELECT id_number FROM clear.residents WHERE substr(id_number, 18) = 'X' "
                          "AND id > ?1", 0);
    assert_non_null(xid);
    xid[17] = 'x';
    snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", xid);
    r = hubtest_post(t, "/v1/bills/lookup", body);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "accounts")), 2);
    assert_string_equal(str_at(&r, "accounts.0.holder"), "赵*");
    hubtest_free(&r);
    free(xid);

    /* Wrong check digit: refused, and the number is not echoed. */
    idn[17] = idn[17] == '0' ? '1' : '0';
    snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", idn);
    r = hubtest_post(t, "/v1/bills/lookup", body);
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "invalid_id_number");
    assert_null(strstr(r.body, idn));
    assert_null(strstr(r.body, "37020"));
    hubtest_free(&r);
    free(idn);

    /* Valid, but nobody here: 11010519491231002X is a textbook example. */
    expect_error(hubtest_post(t, "/v1/bills/lookup", "{\"by\":\"id_number\",\"id_number\":\"11010519491231002X\"}"),
                 404, "unknown_resident");
    expect_error(hubtest_post(t, "/v1/bills/lookup", "{\"by\":\"id_number\",\"id_number\":\"1234\"}"),
                 422, "invalid_id_number");
    expect_error(hubtest_post(t, "/v1/bills/lookup", "{\"by\":\"id_number\",\"id_number\":18}"),
                 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/bills/lookup", "{\"by\":\"id_number\"}"), 422, "missing_field");
    expect_error(hubtest_post(t, "/v1/bills/lookup", "{\"by\":\"phone\",\"phone\":\"13805321867\"}"),
                 422, "invalid_field");
}

/* Collects every personal value the database holds. */
typedef struct { char *v[128]; int n; } secrets_t;

static void secrets_load(hubtest_t *t, secrets_t *s)
{
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    s->n = 0;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM clear.residents UNION SELECT id_number FROM clear.residents "
                                        "UNION SELECT phone FROM clear.residents UNION SELECT holder FROM clear.accounts "
                                        "UNION SELECT address FROM accounts", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW && s->n < 128)
        s->v[s->n++] = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(s->n > 20);
}

static void assert_no_secret(const secrets_t *s, const char *body)
{
    for (int i = 0; i < s->n; i++)
        if (strstr(body, s->v[i])) fail_msg("response holds \"%s\": %s", s->v[i], body);
}

/* No full name, ID number, phone number or address in any response body. */
static void lookups_never_show_personal_data(void **state)
{
    hubtest_t *t = *state;
    secrets_t s;
    secrets_load(t, &s);
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    char path[256], body[128], qr[160];
    int checked = 0;

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT utility, account_no FROM accounts", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *u = (const char *)sqlite3_column_text(st, 0), *a = (const char *)sqlite3_column_text(st, 1);
        snprintf(path, sizeof path, "/v1/bills?utility=%s&account=%s", u, a);
        hubtest_resp_t r = hubtest_get(t, path);
        assert_int_equal(r.status, 200);
        assert_no_secret(&s, r.body);
        /* Masked shapes: "X*Y" / "X*" names, building kept, the rest hidden. */
        const char *holder = str_at(&r, "accounts.0.holder"), *addr = str_at(&r, "accounts.0.address");
        assert_non_null(strchr(holder, '*'));
        assert_non_null(strstr(addr, "号楼****"));
        assert_null(strstr(addr, "单元"));
        hubtest_free(&r);
        make_qr(qr, sizeof qr, u, a, "2026-11", 100);
        snprintf(path, sizeof path, "/v1/bills?qr=%s", qr);
        r = hubtest_get(t, path);
        assert_int_equal(r.status, 200);
        assert_no_secret(&s, r.body);
        hubtest_free(&r);
        checked++;
    }
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id_number FROM clear.residents", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", sqlite3_column_text(st, 0));
        hubtest_resp_t r = hubtest_post(t, "/v1/bills/lookup", body);
        assert_int_equal(r.status, 200);
        assert_no_secret(&s, r.body);
        hubtest_free(&r);
        checked++;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(checked >= 28);

    /* The masks themselves: 3+ characters keep first and last, 2 keep the first. */
    hubtest_resp_t r = hubtest_get(t, "/v1/bills?utility=electricity&account=3702112648");
    assert_string_equal(str_at(&r, "accounts.0.holder"), "欧**华");
    hubtest_free(&r);
    r = hubtest_get(t, "/v1/bills?utility=gas&account=20317740");
    assert_string_equal(str_at(&r, "accounts.0.holder"), "王*");
    hubtest_free(&r);
    for (int i = 0; i < s.n; i++) free(s.v[i]);
}

/* ---- payments ---------------------------------------------------------- */

static void qr_order_paid_by_phone(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"delay_ms\":0,\"expire_s\":7200}");
    long long ids[2];
    char no[40], url[256];
    fresh_bills(t, 2, ids);
    long long cost = bill_cost(t, ids[0]) + bill_cost(t, ids[1]);
    next_no(no, sizeof no);

    hubtest_resp_t r = create(t, no, ids, 2, "qr", NULL);
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.out_trade_no"), no);
    assert_string_equal(str_at(&r, "order.state"), "NOTPAY");
    assert_string_equal(str_at(&r, "order.method"), "qr");
    assert_int_equal(num_at(&r, "order.amount_fen"), cost);
    assert_int_equal(num_at(&r, "order.expires"), num_at(&r, "order.created") + 7200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "order.bill_ids")), 2);
    assert_int_equal(num_at(&r, "order.bill_ids.0"), ids[1]);      /* sorted */
    assert_null(hubtest_at(r.json, "order.transaction_id"));
    snprintf(url, sizeof url, "%s/v1/demo/pay/%s", t->base, no);
    assert_string_equal(str_at(&r, "order.code_url"), url);
    hubtest_free(&r);
    expect_state(t, no, "NOTPAY");
    assert_false(bill_paid(t, ids[0]));

    /* The phone opens code_url. */
    r = demo_pay(t, no);
    assert_int_equal(r.status, 200);
    assert_true(cJSON_IsTrue(hubtest_at(r.json, "paid")));
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    const char *txn = str_at(&r, "order.transaction_id");
    assert_true(v_digits(txn, 28, 28));
    hubtest_free(&r);
    expect_state(t, no, "SUCCESS");
    for (int i = 0; i < 2; i++) {
        assert_true(bill_paid(t, ids[i]));
        char *po = bill_paid_order(t, ids[i]);
        assert_string_equal(po, no);
        free(po);
    }
    long long paid_at = q_int(t, "SELECT paid_at FROM bills WHERE ?1 IS NULL AND id = ?2", NULL, ids[0]);

    /* Opening the link again changes nothing. */
    r = demo_pay(t, no);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    assert_int_equal(q_int(t, "SELECT paid_at FROM bills WHERE ?1 IS NULL AND id = ?2", NULL, ids[0]), paid_at);

    /* Paid bills cannot be paid again; a paid order cannot be closed. */
    char no2[40];
    next_no(no2, sizeof no2);
    r = create(t, no2, ids, 2, "qr", NULL);
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "bill_paid");
    hubtest_free(&r);
    r = create(t, no2, &ids[1], 1, "code", "134567890123456789");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "bill_paid");
    hubtest_free(&r);
    expect_error(order_req(t, "POST", no, "/close"), 409, "order_paid");
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", no2, 0), 0);
}

static void qr_order_expires_to_closed(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":60}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    hubtest_resp_t r = create(t, no, &id, 1, "qr", NULL);
    assert_int_equal(r.status, 201);
    long long expires = num_at(&r, "order.expires");
    assert_int_equal(expires, num_at(&r, "order.created") + 60);
    hubtest_free(&r);
    expect_state(t, no, "NOTPAY");

    hub_time_shift(61);
    r = order_req(t, "GET", no, "");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "CLOSED");
    assert_int_equal(num_at(&r, "order.updated"), expires);
    hubtest_free(&r);
    expect_error(demo_pay(t, no), 409, "order_closed");
    assert_false(bill_paid(t, id));

    /* The bill is free for a new order. */
    char no2[40];
    next_no(no2, sizeof no2);
    create_ok(t, no2, &id, 1, "qr", NULL);
    behaviour(t, "{\"expire_s\":7200}");

    /* Expiry is also applied when the bill is asked for again, without a GET. */
    hub_time_shift(61);
    char no3[40];
    next_no(no3, sizeof no3);
    create_ok(t, no3, &id, 1, "qr", NULL);
    expect_state(t, no2, "CLOSED");
    r = order_req(t, "POST", no3, "/close");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

static void close_and_reverse_unpaid_orders(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":7200}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    create_ok(t, no, &id, 1, "qr", NULL);
    hubtest_resp_t r;
    for (int i = 0; i < 2; i++) {            /* closing twice is fine */
        r = order_req(t, "POST", no, "/close");
        assert_int_equal(r.status, 200);
        assert_string_equal(str_at(&r, "order.state"), "CLOSED");
        hubtest_free(&r);
    }
    r = order_req(t, "POST", no, "/reverse");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "CLOSED");
    hubtest_free(&r);
    expect_error(demo_pay(t, no), 409, "order_closed");
    assert_false(bill_paid(t, id));

    /* Reverse of a NOTPAY order closes it. */
    next_no(no, sizeof no);
    create_ok(t, no, &id, 1, "qr", NULL);
    r = order_req(t, "POST", no, "/reverse");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "CLOSED");
    hubtest_free(&r);
    assert_false(bill_paid(t, id));
}

static void code_payment_succeeds_at_once(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\"}");
    static const char *const codes[] = {"134567890123456789", "284567890123456789",
                                        "2512345678901234", "302345678901234567890123"};
    for (int i = 0; i < 4; i++) {
        long long id;
        char no[40];
        fresh_bills(t, 1, &id);
        next_no(no, sizeof no);
        hubtest_resp_t r = create(t, no, &id, 1, "code", codes[i]);
        assert_int_equal(r.status, 201);
        assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
        assert_string_equal(str_at(&r, "order.method"), "code");
        assert_true(cJSON_IsNull(hubtest_at(r.json, "order.expires")));
        assert_null(hubtest_at(r.json, "order.code_url"));
        assert_int_equal(num_at(&r, "order.amount_fen"), bill_cost(t, id));
        const char *txn = str_at(&r, "order.transaction_id");
        assert_true(v_digits(txn, 28, 28));
        if (i == 0) assert_memory_equal(txn, "42000", 5);
        else assert_memory_equal(txn + 8, "22001", 5);
        assert_null(strstr(r.body, codes[i]));   /* the payment code is never echoed */
        hubtest_free(&r);
        assert_true(bill_paid(t, id));
        expect_state(t, no, "SUCCESS");
    }
}

static void code_payment_checks_auth_code(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\"}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    static const char *const bad[] = {
        "", "12345", "164567890123456789",       /* 18 digits, 16: neither wallet */
        "13456789012345678",                     /* WeChat prefix, 17 digits */
        "094567890123456789", "251234567890123", /* Alipay prefix, 15 digits */
        "2512345678901234567890123",             /* 25 digits */
        "31456789012345678901", "13456789012345678a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hubtest_resp_t r = create(t, no, &id, 1, "code", bad[i]);
        if (r.status != 422 || strcmp(hubtest_error_code(&r), "invalid_auth_code") != 0)
            fail_msg("auth_code \"%s\": %d %s", bad[i], r.status, r.body);
        if (bad[i][0]) assert_null(strstr(r.body, bad[i]));
        hubtest_free(&r);
    }
    expect_error(create(t, no, &id, 1, "code", NULL), 422, "missing_field");
    expect_error(create(t, no, &id, 1, "qr", "134567890123456789"), 422, "invalid_field");
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", no, 0), 0);
    assert_false(bill_paid(t, id));
}

static void userpaying_settles_after_settle_s(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"userpaying\",\"settle_s\":30}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    hubtest_resp_t r = create(t, no, &id, 1, "code", "104567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "USERPAYING");
    assert_null(hubtest_at(r.json, "order.transaction_id"));
    long long created = num_at(&r, "order.created");
    hubtest_free(&r);
    expect_state(t, no, "USERPAYING");
    assert_false(bill_paid(t, id));

    /* While the payer confirms, the bill is held. */
    char no2[40];
    next_no(no2, sizeof no2);
    expect_error(create(t, no2, &id, 1, "qr", NULL), 409, "bill_in_order");

    hub_time_shift(31);
    r = order_req(t, "GET", no, "");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    assert_int_equal(num_at(&r, "order.updated"), created + 30);
    assert_non_null(hubtest_at(r.json, "order.transaction_id"));
    hubtest_free(&r);
    assert_true(bill_paid(t, id));
    assert_int_equal(q_int(t, "SELECT paid_at FROM bills WHERE ?1 IS NULL AND id = ?2", NULL, id), created + 30);
    behaviour(t, "{\"mode\":\"success\"}");
}

static void userpaying_confirmed_on_phone(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"userpaying\",\"settle_s\":0}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    hubtest_resp_t r = create(t, no, &id, 1, "code", "114567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "USERPAYING");
    hubtest_free(&r);
    r = demo_pay(t, no);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    hubtest_free(&r);
    assert_true(bill_paid(t, id));
    behaviour(t, "{\"mode\":\"success\"}");
}

static void reverse_refunds_and_frees_bills(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"userpaying\",\"settle_s\":0}");
    long long ids[2];
    char no[40];
    fresh_bills(t, 2, ids);
    next_no(no, sizeof no);
    hubtest_resp_t r = create(t, no, ids, 2, "code", "124567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "USERPAYING");
    hubtest_free(&r);
    hub_time_shift(300);                    /* settle_s 0: it never settles by itself */
    expect_state(t, no, "USERPAYING");

    /* The kiosk gave up waiting: reverse, as the payment APIs ask. */
    for (int i = 0; i < 2; i++) {
        r = order_req(t, "POST", no, "/reverse");
        assert_int_equal(r.status, 200);
        assert_string_equal(str_at(&r, "order.state"), "REVOKED");
        hubtest_free(&r);
    }
    r = order_req(t, "POST", no, "/close");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "REVOKED");
    hubtest_free(&r);
    expect_error(demo_pay(t, no), 409, "order_closed");
    assert_false(bill_paid(t, ids[0]));
    assert_false(bill_paid(t, ids[1]));

    /* A paid order reversed: the bills are unpaid again, payable again. */
    behaviour(t, "{\"mode\":\"success\"}");
    next_no(no, sizeof no);
    r = create(t, no, ids, 2, "code", "284567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    hubtest_free(&r);
    assert_true(bill_paid(t, ids[0]) && bill_paid(t, ids[1]));
    r = order_req(t, "POST", no, "/reverse");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "REVOKED");
    hubtest_free(&r);
    assert_false(bill_paid(t, ids[0]));
    assert_false(bill_paid(t, ids[1]));
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM bills WHERE paid_order = ?1 OR paid_at IS NOT NULL "
                              "AND id IN (?2)", no, ids[0]), 0);
    next_no(no, sizeof no);
    create_ok(t, no, ids, 2, "qr", NULL);
    r = order_req(t, "POST", no, "/close");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

static void payerror_leaves_bills_unpaid(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"payerror\"}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    hubtest_resp_t r = create(t, no, &id, 1, "code", "134567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "PAYERROR");
    assert_string_equal(str_at(&r, "order.error"), "insufficient_balance");
    assert_null(hubtest_at(r.json, "order.transaction_id"));
    hubtest_free(&r);
    assert_false(bill_paid(t, id));
    /* Asking again with the same out_trade_no is the same failed trade. */
    r = create(t, no, &id, 1, "code", "134567890123456789");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "PAYERROR");
    hubtest_free(&r);
    r = order_req(t, "POST", no, "/close");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "PAYERROR");
    hubtest_free(&r);
    expect_error(demo_pay(t, no), 409, "order_failed");

    /* A new order (new out_trade_no) may pay the same bill. */
    behaviour(t, "{\"mode\":\"success\"}");
    next_no(no, sizeof no);
    r = create(t, no, &id, 1, "code", "134567890123456789");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    hubtest_free(&r);
    assert_true(bill_paid(t, id));
}

/* A bill paid outside the hub (at the utility's counter) while in an open
 * order: paying the order pays nothing and fails it, all or nothing. */
static void bill_paid_elsewhere_fails_the_order(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\"}");
    long long ids[2];
    char no[40];
    fresh_bills(t, 2, ids);
    next_no(no, sizeof no);
    create_ok(t, no, ids, 2, "qr", NULL);
    hubtest_resp_t r;
    db_write(t, "UPDATE bills SET status = 'paid', paid_at = 1795000000 WHERE id = ?1", ids[0]);
    expect_error(demo_pay(t, no), 409, "order_failed");
    r = order_req(t, "GET", no, "");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "order.state"), "PAYERROR");
    assert_string_equal(str_at(&r, "order.error"), "bill_paid_elsewhere");
    hubtest_free(&r);
    assert_false(bill_paid(t, ids[1]));
    char *po = bill_paid_order(t, ids[0]);
    assert_null(po);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM bills WHERE paid_order = ?1", no, 0), 0);
}

static void create_checks_its_request(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\"}");
    long long id, paid = q_int(t, "SELECT id FROM bills WHERE status = 'paid' AND amount_fen > 0 "
                                  "AND ?1 IS NULL ORDER BY id LIMIT 1", NULL, 0);
    fresh_bills(t, 1, &id);
    long long many[13];
    for (int i = 0; i < 13; i++) many[i] = i + 1;
    expect_error(create(t, "abc12", &id, 1, "qr", NULL), 422, "invalid_field");
    expect_error(create(t, "A23456789012345678901234567890123", &id, 1, "qr", NULL), 422, "invalid_field");
    expect_error(create(t, "bad no!", &id, 1, "qr", NULL), 422, "invalid_field");
    expect_error(create(t, "KIOSK01.000001", &id, 1, "qr", NULL), 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/payments", "{\"bill_ids\":[1],\"method\":\"qr\"}"), 422, "missing_field");
    expect_error(create(t, "KIOSK01-V0001", many, 0, "qr", NULL), 422, "invalid_field");
    expect_error(create(t, "KIOSK01-V0001", many, 13, "qr", NULL), 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/payments", "{\"out_trade_no\":\"KIOSK01-V0001\",\"bill_ids\":[5,5],"
                                                 "\"method\":\"qr\"}"), 422, "invalid_field");
    expect_error(create(t, "KIOSK01-V0001", &id, 1, "cash", NULL), 422, "invalid_field");
    long long unknown[2] = {id, 99999999};
    hubtest_resp_t r = create(t, "KIOSK01-V0001", unknown, 2, "qr", NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_bill");
    assert_non_null(strstr(r.body, "99999999"));
    hubtest_free(&r);
    long long mixed[2] = {id, paid};
    r = create(t, "KIOSK01-V0001", mixed, 2, "qr", NULL);
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "bill_paid");
    char named[32];
    snprintf(named, sizeof named, "bill %lld", paid);
    assert_non_null(strstr(r.body, named));
    hubtest_free(&r);
    /* Nothing of all that was kept. */
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM orders WHERE out_trade_no = ?1", "KIOSK01-V0001", 0), 0);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM order_bills WHERE out_trade_no = ?1", "KIOSK01-V0001", 0), 0);
    expect_error(hubtest_req(t, "POST", "/v1/payments", NULL, "k-noauth", "{}", NULL), 401, "unauthorized");
}

static void replayed_create_is_one_order(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":7200}");
    long long id;
    char no[40], body[256];
    fresh_bills(t, 1, &id);
    long long before = orders_of_bill(t, id);
    next_no(no, sizeof no);
    order_body(body, sizeof body, no, &id, 1, "qr", NULL);
    hubtest_resp_t a = hubtest_req(t, "POST", "/v1/payments", t->token, "pay-replay-1", body, NULL);
    assert_int_equal(a.status, 201);
    assert_false(a.replayed);
    hub_time_shift(5);
    hubtest_resp_t b = hubtest_req(t, "POST", "/v1/payments", t->token, "pay-replay-1", body, NULL);
    assert_int_equal(b.status, 201);
    assert_true(b.replayed);
    assert_string_equal(a.body, b.body);
    hubtest_free(&a);
    hubtest_free(&b);
    /* The same key for another order is refused, not a second order. */
    char no2[40], body2[256];
    next_no(no2, sizeof no2);
    order_body(body2, sizeof body2, no2, &id, 1, "qr", NULL);
    expect_error(hubtest_req(t, "POST", "/v1/payments", t->token, "pay-replay-1", body2, NULL),
                 422, "idempotency_key_reused");
    assert_int_equal(orders_of_bill(t, id), before + 1);

    a = order_req(t, "POST", no, "/close");
    assert_int_equal(a.status, 200);
    hubtest_free(&a);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM orders", NULL, 0),
                     q_int(t, "SELECT COUNT(DISTINCT out_trade_no) FROM orders", NULL, 0));
}

/* "Did my create go through?": the kiosk sends the same out_trade_no again
 * (new Idempotency-Key) and gets the existing order. */
static void same_out_trade_no_is_the_same_order(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":7200}");
    long long ids[2];
    char no[40], body[256];
    fresh_bills(t, 2, ids);
    next_no(no, sizeof no);
    hubtest_resp_t a = create(t, no, ids, 2, "qr", NULL);
    assert_int_equal(a.status, 201);
    hub_time_shift(3);
    long long swapped[2] = {ids[1], ids[0]};
    hubtest_resp_t b = create(t, no, swapped, 2, "qr", NULL);
    assert_int_equal(b.status, 200);
    assert_false(b.replayed);
    assert_string_equal(str_at(&b, "order.out_trade_no"), no);
    assert_int_equal(num_at(&b, "order.created"), num_at(&a, "order.created"));
    assert_int_equal(num_at(&b, "order.amount_fen"), num_at(&a, "order.amount_fen"));
    assert_string_equal(str_at(&b, "order.code_url"), str_at(&a, "order.code_url"));
    hubtest_free(&a);
    hubtest_free(&b);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM order_bills WHERE out_trade_no = ?1", no, 0), 2);

    /* The same out_trade_no for something else is refused. */
    expect_error(create(t, no, ids, 1, "qr", NULL), 409, "out_trade_no_used");
    expect_error(create(t, no, ids, 2, "code", "134567890123456789"), 409, "out_trade_no_used");
    /* Another number for bills already in this open order. */
    char no2[40];
    next_no(no2, sizeof no2);
    hubtest_resp_t r = create(t, no2, &ids[1], 1, "qr", NULL);
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "bill_in_order");
    hubtest_free(&r);

    /* Orders are private to their device; unknown orders are 404. */
    char path[128];
    snprintf(path, sizeof path, "/v1/payments/%s", no);
    expect_error(hubtest_req(t, "GET", path, t->token2, NULL, NULL, NULL), 404, "unknown_order");
    snprintf(path, sizeof path, "/v1/payments/%s/close", no);
    expect_error(hubtest_req(t, "POST", path, t->token2, "other-device-2", "{}", NULL), 404, "unknown_order");
    expect_state(t, no, "NOTPAY");
    expect_error(order_req(t, "GET", "KIOSK01-NONE", ""), 404, "unknown_order");
    expect_error(order_req(t, "GET", "bad!", ""), 404, "unknown_order");
    expect_error(order_req(t, "POST", "KIOSK01-NONE", "/close"), 404, "unknown_order");
    expect_error(order_req(t, "POST", "KIOSK01-NONE", "/reverse"), 404, "unknown_order");
    expect_error(demo_pay(t, "KIOSK01-NONE"), 404, "unknown_order");
    /* Numbers are per device: another device's order of the same number is
     * its own (here refused only because the bills are held), and another
     * device's number never blocks a device (a fresh bill: 201). */
    order_body(body, sizeof body, no, ids, 2, "qr", NULL);
    expect_error(hubtest_req(t, "POST", "/v1/payments", t->token2, "other-device-1", body, NULL),
                 409, "bill_in_order");
    long long other;
    fresh_bills(t, 1, &other);
    order_body(body, sizeof body, no, &other, 1, "qr", NULL);
    hubtest_resp_t o2 = hubtest_req(t, "POST", "/v1/payments", t->token2, "other-device-3", body, NULL);
    if (o2.status != 201) fail_msg("another device, the same number: %d %s", o2.status, o2.body);
    assert_string_equal(str_at(&o2, "order.out_trade_no"), no);
    /* Its QR code names the hub's own number for it, not the first device's. */
    assert_null(strstr(str_at(&o2, "order.code_url"), no));
    hubtest_free(&o2);
    assert_int_equal(q_int(t, "SELECT COUNT(*) FROM orders WHERE device_no = ?1", no, 0), 2);
    r = order_req(t, "POST", no, "/close");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

typedef struct {
    hubtest_t *t;
    pthread_barrier_t *go;
    char path[128];
    char key[64];
    char body[256];
    bool no_auth;
    hubtest_resp_t r;
} racer_t;

static void *race(void *arg)
{
    racer_t *c = arg;
    pthread_barrier_wait(c->go);
    if (c->no_auth) c->r = hubtest_req(c->t, "GET", c->path, NULL, NULL, NULL, NULL);
    else if (c->key[0]) c->r = hubtest_req(c->t, "POST", c->path, c->t->token, c->key, c->body, NULL);
    else c->r = hubtest_post(c->t, c->path, c->body);
    return NULL;
}

/* Runs the NTHREADS requests of C at the same moment. */
static void race_all(racer_t *c)
{
    pthread_t th[NTHREADS];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        c[i].go = &go;
        assert_int_equal(pthread_create(&th[i], NULL, race, &c[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
}

static void concurrent_orders_for_one_bill(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":7200}");
    long long ids[2];
    fresh_bills(t, 2, ids);
    long long before = orders_of_bill(t, ids[0]);
    racer_t c[NTHREADS];

    /* QR orders for the same bill under different out_trade_nos: one wins. */
    memset(c, 0, sizeof c);
    for (int i = 0; i < NTHREADS; i++) {
        char no[40];
        next_no(no, sizeof no);
        c[i].t = t;
        snprintf(c[i].path, sizeof c[i].path, "/v1/payments");
        order_body(c[i].body, sizeof c[i].body, no, &ids[0], 1, "qr", NULL);
    }
    race_all(c);
    int won = -1, lost = 0;
    for (int i = 0; i < NTHREADS; i++) {
        if (c[i].r.status == 201) { assert_int_equal(won, -1); won = i; }
        else if (c[i].r.status == 409 && !strcmp(hubtest_error_code(&c[i].r), "bill_in_order")) lost++;
        else fail_msg("racer %d: %d %s", i, c[i].r.status, c[i].r.body);
    }
    assert_true(won >= 0);
    assert_int_equal(lost, NTHREADS - 1);
    char winner[40];
    snprintf(winner, sizeof winner, "%s", str_at(&c[won].r, "order.out_trade_no"));
    for (int i = 0; i < NTHREADS; i++) hubtest_free(&c[i].r);
    assert_int_equal(orders_of_bill(t, ids[0]), before + 1);

    /* Eight phones open the winner's link at once: paid exactly once. */
    memset(c, 0, sizeof c);
    for (int i = 0; i < NTHREADS; i++) {
        c[i].t = t;
        c[i].no_auth = true;
        snprintf(c[i].path, sizeof c[i].path, "/v1/demo/pay/%s", winner);
    }
    race_all(c);
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(c[i].r.status, 200);
        assert_string_equal(str_at(&c[i].r, "order.state"), "SUCCESS");
        hubtest_free(&c[i].r);
    }

    /* Payment codes for the second bill at once: one SUCCESS. */
    memset(c, 0, sizeof c);
    for (int i = 0; i < NTHREADS; i++) {
        char no[40];
        next_no(no, sizeof no);
        c[i].t = t;
        snprintf(c[i].path, sizeof c[i].path, "/v1/payments");
        order_body(c[i].body, sizeof c[i].body, no, &ids[1], 1, "code", "134567890123456789");
    }
    race_all(c);
    int ok = 0;
    for (int i = 0; i < NTHREADS; i++) {
        if (c[i].r.status == 201) {
            assert_string_equal(str_at(&c[i].r, "order.state"), "SUCCESS");
            ok++;
        } else if (c[i].r.status != 409 || (strcmp(hubtest_error_code(&c[i].r), "bill_paid") != 0 &&
                                            strcmp(hubtest_error_code(&c[i].r), "bill_in_order") != 0)) {
            fail_msg("racer %d: %d %s", i, c[i].r.status, c[i].r.body);
        }
        hubtest_free(&c[i].r);
    }
    assert_int_equal(ok, 1);

    /* The ledger: each bill paid once, by one order, charged exactly its cost. */
    sqlite3 *db = db_open(t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
        "SELECT COUNT(*), COALESCE(SUM(o.amount_fen), 0), "
        "(SELECT COUNT(*) FROM bills WHERE id IN (?1, ?2) AND status = 'paid' AND paid_order IN "
        " (SELECT out_trade_no FROM orders WHERE state = 'SUCCESS')), "
        "(SELECT SUM(amount_fen + late_fee_fen) FROM bills WHERE id IN (?1, ?2)) "
        "FROM orders o WHERE o.state = 'SUCCESS' AND o.out_trade_no IN "
        "(SELECT out_trade_no FROM order_bills WHERE bill_id IN (?1, ?2))", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, ids[0]);
    sqlite3_bind_int64(st, 2, ids[1]);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 2);
    assert_int_equal(sqlite3_column_int64(st, 2), 2);
    assert_int_equal(sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void concurrent_replays_of_one_create(void **state)
{
    hubtest_t *t = *state;
    behaviour(t, "{\"mode\":\"success\",\"expire_s\":7200}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    long long before = orders_of_bill(t, id);
    next_no(no, sizeof no);
    racer_t c[NTHREADS];
    memset(c, 0, sizeof c);
    for (int i = 0; i < NTHREADS; i++) {
        c[i].t = t;
        snprintf(c[i].path, sizeof c[i].path, "/v1/payments");
        snprintf(c[i].key, sizeof c[i].key, "pay-race-%s", no);
        order_body(c[i].body, sizeof c[i].body, no, &id, 1, "qr", NULL);
    }
    race_all(c);
    int replayed = 0;
    for (int i = 0; i < NTHREADS; i++) {
        assert_int_equal(c[i].r.status, 201);
        assert_string_equal(c[i].r.body, c[0].r.body);
        replayed += c[i].r.replayed;
    }
    assert_int_equal(replayed, NTHREADS - 1);
    for (int i = 0; i < NTHREADS; i++) hubtest_free(&c[i].r);
    assert_int_equal(orders_of_bill(t, id), before + 1);
    hubtest_resp_t r = order_req(t, "POST", no, "/close");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

static double elapsed_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void demo_behaviour_settings_and_delay(void **state)
{
    hubtest_t *t = *state;
    expect_error(hubtest_post(t, "/v1/demo/behaviour", "{\"mode\":\"bogus\"}"), 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/demo/behaviour", "{\"delay_ms\":30001}"), 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/demo/behaviour", "{\"expire_s\":0}"), 422, "invalid_field");
    expect_error(hubtest_post(t, "/v1/demo/behaviour", "{\"settle_s\":-1}"), 422, "invalid_field");
    hubtest_resp_t r = hubtest_req(t, "POST", "/v1/demo/behaviour", NULL, "beh-1",
                                   "{\"mode\":\"userpaying\",\"settle_s\":12,\"expire_s\":900}", NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/demo/behaviour", "{}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(&r, "mode"), "userpaying");
    assert_int_equal(num_at(&r, "settle_s"), 12);
    assert_int_equal(num_at(&r, "expire_s"), 900);
    assert_int_equal(num_at(&r, "delay_ms"), 0);
    hubtest_free(&r);

    /* delay_ms: every payment answer waits that long. */
    behaviour(t, "{\"mode\":\"success\",\"delay_ms\":300}");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_error(order_req(t, "GET", "KIOSK01-NONE", ""), 404, "unknown_order");
    assert_true(elapsed_since(&t0) >= 0.29);

    /* slow: a payment code goes through, slowly. */
    behaviour(t, "{\"mode\":\"slow\",\"delay_ms\":200}");
    long long id;
    char no[40];
    fresh_bills(t, 1, &id);
    next_no(no, sizeof no);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = create(t, no, &id, 1, "code", "134567890123456789");
    assert_true(elapsed_since(&t0) >= 0.19);
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(&r, "order.state"), "SUCCESS");
    hubtest_free(&r);
    behaviour(t, "{\"mode\":\"success\",\"delay_ms\":0,\"settle_s\":15,\"expire_s\":7200}");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_state(t, no, "SUCCESS");
    assert_true(elapsed_since(&t0) < 0.2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_is_complete_and_valid),
        cmocka_unit_test(seed_is_deterministic_and_once),
        cmocka_unit_test(seed_from_a_broken_or_missing_file_writes_nothing),
        cmocka_unit_test(bills_by_account),
        cmocka_unit_test(bills_query_errors),
        cmocka_unit_test(bills_by_qr),
        cmocka_unit_test(bills_by_id_number),
        cmocka_unit_test(lookups_never_show_personal_data),
        cmocka_unit_test(qr_order_paid_by_phone),
        cmocka_unit_test(qr_order_expires_to_closed),
        cmocka_unit_test(close_and_reverse_unpaid_orders),
        cmocka_unit_test(code_payment_succeeds_at_once),
        cmocka_unit_test(code_payment_checks_auth_code),
        cmocka_unit_test(userpaying_settles_after_settle_s),
        cmocka_unit_test(userpaying_confirmed_on_phone),
        cmocka_unit_test(reverse_refunds_and_frees_bills),
        cmocka_unit_test(payerror_leaves_bills_unpaid),
        cmocka_unit_test(bill_paid_elsewhere_fails_the_order),
        cmocka_unit_test(create_checks_its_request),
        cmocka_unit_test(replayed_create_is_one_order),
        cmocka_unit_test(same_out_trade_no_is_the_same_order),
        cmocka_unit_test(concurrent_orders_for_one_bill),
        cmocka_unit_test(concurrent_replays_of_one_create),
        cmocka_unit_test(demo_behaviour_settings_and_delay),
    };
    return cmocka_run_group_tests_name("hub_pay", tests, setup, teardown);
}
