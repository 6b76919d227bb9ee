/* The hub API client (net/hub_api.c): the pure parsers; the calls against a
 * real hub process (build/hub --demo); and the classification of broken
 * answers from a tiny canned HTTP server in this file (garbage, cut
 * connections, error bodies, oversize answers), of a dead port, a timeout
 * and an abort. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/hub_api.h"
#include "support/harness.h"
#include "support/hubproc.h"

#include <arpa/inet.h>
#include <cJSON.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers -------------------------------------------------------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int parse_acc(const char *json, hub_accounts_t *out, char *err, size_t errlen)
{
    return hub_parse_accounts(json, strlen(json), out, err, errlen);
}

static int parse_ord(const char *json, hub_order_t *out, char *err, size_t errlen)
{
    return hub_parse_order(json, strlen(json), out, err, errlen);
}

/* ---- pure parsers ----------------------------------------------------------- */

static const char good_accounts[] =
    "{\"accounts\": [\n"
    "  {\"utility\": \"water\", \"account\": \"3702031056\", \"holder\": \"张*国\",\n"
    "   \"address\": \"幸福里小区3号楼****\", \"due_fen\": 8227, \"extra\": [1, {}],\n"
    "   \"bills\": [\n"
    "    {\"id\": 11, \"period\": \"2026-10\", \"usage\": 10, \"unit\": \"m³\", \"amount_fen\": 4100,\n"
    "     \"late_fee_fen\": 27, \"due_date\": \"2026-11-15\", \"status\": \"unpaid\"},\n"
    "    {\"id\": 12, \"period\": \"2026-11\", \"usage\": 10.5, \"unit\": \"m³\", \"amount_fen\": 4100,\n"
    "     \"late_fee_fen\": 0, \"due_date\": \"2026-12-15\", \"status\": \"unpaid\"},\n"
    "    {\"id\": 10, \"period\": \"2026-09\", \"usage\": 10, \"unit\": \"m³\", \"amount_fen\": 4100,\n"
    "     \"late_fee_fen\": 0, \"due_date\": \"2026-10-15\", \"status\": \"paid\", \"note\": null}],\n"
    "   \"history\": [{\"period\": \"2025-12\", \"usage\": 9}, {\"period\": \"2026-01\", \"usage\": 9.25}]}\n"
    "]}";

static void test_parse_accounts_good(void **state)
{
    hub_accounts_t a;
    char err[128] = "x";
    assert_int_equal(parse_acc(good_accounts, &a, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(a.n, 1);
    const hub_account_t *w = &a.a[0];
    assert_string_equal(w->utility, "water");
    assert_string_equal(w->account, "3702031056");
    assert_string_equal(w->holder, "张*国");
    assert_string_equal(w->address, "幸福里小区3号楼****");
    assert_int_equal(w->due_fen, 8227);
    assert_int_equal(w->n_bills, 3);
    assert_int_equal(w->bills[0].id, 11);
    assert_string_equal(w->bills[0].period, "2026-10");
    assert_string_equal(w->bills[0].unit, "m³");
    assert_int_equal(w->bills[0].amount_fen, 4100);
    assert_int_equal(w->bills[0].late_fee_fen, 27);
    assert_string_equal(w->bills[0].due_date, "2026-11-15");
    assert_false(w->bills[0].paid);
    assert_true(w->bills[1].usage > 10.49 && w->bills[1].usage < 10.51);
    assert_true(w->bills[2].paid);
    assert_int_equal(w->n_history, 2);
    assert_string_equal(w->history[1].period, "2026-01");
    assert_true(w->history[1].usage > 9.24 && w->history[1].usage < 9.26);

    /* Not NUL-terminated: the length is what counts. */
    char *copy = malloc(sizeof good_accounts - 1);
    assert_non_null(copy);
    memcpy(copy, good_accounts, sizeof good_accounts - 1);
    assert_int_equal(hub_parse_accounts(copy, sizeof good_accounts - 1, &a, err, sizeof err), 0);
    assert_int_equal(hub_parse_accounts(copy, sizeof good_accounts - 2, &a, err, sizeof err), -1);
    free(copy);
}

/* GOOD with the value at PATH (object keys; "#N" an array index) replaced by
 * REPLACEMENT (JSON text), or deleted when REPLACEMENT is NULL. */
static char *edited(const char *good, const char *const *path, const char *replacement)
{
    cJSON *doc = cJSON_Parse(good);
    assert_non_null(doc);
    cJSON *parent = doc;
    int i = 0;
    for (; path[i + 1]; i++) {
        parent = path[i][0] == '#' ? cJSON_GetArrayItem(parent, atoi(path[i] + 1))
                                   : cJSON_GetObjectItemCaseSensitive(parent, path[i]);
        assert_non_null(parent);
    }
    if (replacement) {
        cJSON *v = cJSON_Parse(replacement);
        assert_non_null(v);
        assert_true(cJSON_ReplaceItemInObjectCaseSensitive(parent, path[i], v));
    } else {
        assert_non_null(cJSON_GetObjectItemCaseSensitive(parent, path[i]));
        cJSON_DeleteItemFromObjectCaseSensitive(parent, path[i]);
    }
    char *s = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    assert_non_null(s);
    return s;
}

/* Parsing the edited accounts fails, with an error naming WANT. */
static void accounts_fail(const char *const *path, const char *replacement, const char *want)
{
    char *s = edited(good_accounts, path, replacement);
    hub_accounts_t a;
    char err[160];
    int rc = parse_acc(s, &a, err, sizeof err);
    if (rc != -1 || !strstr(err, want))
        fail_msg("%s -> %s: rc %d, error \"%s\", wanted \"%s\"", path[0], replacement, rc,
                 err, want);
    assert_int_equal(a.n, 0);
    cJSON_free(s);
}

static void test_parse_accounts_missing(void **state)
{
    static const char *const acc_keys[] = {"utility", "account", "holder", "address",
                                           "due_fen", "bills", "history"};
    static const char *const bill_keys[] = {"id", "period", "usage", "unit", "amount_fen",
                                            "late_fee_fen", "due_date", "status"};
    char want[64];
    for (size_t i = 0; i < sizeof acc_keys / sizeof *acc_keys; i++) {
        const char *path[] = {"accounts", "#0", acc_keys[i], NULL};
        snprintf(want, sizeof want, "accounts[0].%s: missing", acc_keys[i]);
        accounts_fail(path, NULL, want);
    }
    for (size_t i = 0; i < sizeof bill_keys / sizeof *bill_keys; i++) {
        const char *path[] = {"accounts", "#0", "bills", "#1", bill_keys[i], NULL};
        snprintf(want, sizeof want, "accounts[0].bills[1].%s: missing", bill_keys[i]);
        accounts_fail(path, NULL, want);
    }
    const char *hist[] = {"accounts", "#0", "history", "#1", "usage", NULL};
    accounts_fail(hist, NULL, "accounts[0].history[1].usage: missing");
    const char *top[] = {"accounts", NULL};
    accounts_fail(top, NULL, "accounts: missing");
}

static void test_parse_accounts_types(void **state)
{
    static const struct { const char *key, *bad, *want; } acc[] = {
        {"utility", "1", "utility: not a string"},
        {"utility", "\"sewage\"", "utility: not water"},
        {"account", "3702031056", "account: not a string"},
        {"holder", "null", "holder: not a string"},
        {"address", "[]", "address: not a string"},
        {"due_fen", "\"8227\"", "due_fen: not an integer"},
        {"due_fen", "82.5", "due_fen: not an integer"},
        {"due_fen", "-1", "due_fen: not an integer"},
        {"due_fen", "1e300", "due_fen: not an integer"},
        {"bills", "{}", "bills: not an array"},
        {"history", "null", "history: not an array"},
    };
    static const struct { const char *key, *bad, *want; } bill[] = {
        {"id", "\"11\"", "id: not an integer"},
        {"id", "11.5", "id: not an integer"},
        {"id", "0", "id: not an integer"},
        {"period", "202610", "period: not a string"},
        {"period", "\"2026-1\"", "period: not YYYY-MM"},
        {"usage", "\"10\"", "usage: not a number"},
        {"unit", "false", "unit: not a string"},
        {"amount_fen", "true", "amount_fen: not an integer"},
        {"late_fee_fen", "null", "late_fee_fen: not an integer"},
        {"due_date", "\"2026/11/15\"", "due_date: not YYYY-MM-DD"},
        {"status", "\"PAID\"", "status: not paid or unpaid"},
        {"status", "1", "status: not a string"},
    };
    for (size_t i = 0; i < sizeof acc / sizeof *acc; i++) {
        const char *path[] = {"accounts", "#0", acc[i].key, NULL};
        accounts_fail(path, acc[i].bad, acc[i].want);
    }
    for (size_t i = 0; i < sizeof bill / sizeof *bill; i++) {
        const char *path[] = {"accounts", "#0", "bills", "#2", bill[i].key, NULL};
        char want[80];
        snprintf(want, sizeof want, "accounts[0].bills[2].%s", bill[i].want);
        accounts_fail(path, bill[i].bad, want);
    }
    const char *acc0[] = {"accounts", "#0", "bills", NULL};
    accounts_fail(acc0, "[1]", "accounts[0].bills[0]: not an object");
    const char *top[] = {"accounts", NULL};
    accounts_fail(top, "{}", "accounts: not an array");
    accounts_fail(top, "[[]]", "accounts[0]: not an object");

    hub_accounts_t a;
    char err[128];
    assert_int_equal(parse_acc("[]", &a, err, sizeof err), -1);
    assert_string_equal(err, "not a JSON object");
    assert_int_equal(parse_acc("{\"accounts\": []} x", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "data after the value"));
    assert_int_equal(parse_acc("{\"accounts\": [] \n", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "not JSON"));
    assert_int_equal(parse_acc("<html>", &a, err, sizeof err), -1);
    assert_int_equal(hub_parse_accounts("", 0, &a, err, sizeof err), -1);
    assert_int_equal(parse_acc(" {\"accounts\": []}\r\n", &a, err, sizeof err), 0);
    assert_int_equal(a.n, 0);
}

/* A string of N copies of C, quoted. */
static char *quoted(size_t n, const char *unit)
{
    size_t u = strlen(unit);
    char *s = malloc(n * u + 3);
    assert_non_null(s);
    s[0] = '"';
    for (size_t i = 0; i < n; i++)
        memcpy(s + 1 + i * u, unit, u);
    strcpy(s + 1 + n * u, "\"");
    return s;
}

static void test_parse_accounts_sizes(void **state)
{
    static const struct { const char *key; size_t max; } fit[] = {
        {"utility", 11}, {"account", 23}, {"holder", 63}, {"address", 159}};
    for (size_t i = 0; i < sizeof fit / sizeof *fit; i++) {
        const char *path[] = {"accounts", "#0", fit[i].key, NULL};
        char *s = quoted(fit[i].max + 1, "*");
        char want[64];
        snprintf(want, sizeof want, "accounts[0].%s: too long", fit[i].key);
        accounts_fail(path, s, want);
        free(s);
    }
    /* The longest that fits is kept whole. */
    const char *holder[] = {"accounts", "#0", "holder", NULL};
    char *s = quoted(63, "*");
    char *json = edited(good_accounts, holder, s);
    hub_accounts_t a;
    char err[128];
    assert_int_equal(parse_acc(json, &a, err, sizeof err), 0);
    assert_int_equal(strlen(a.a[0].holder), 63);
    cJSON_free(json);
    free(s);

    const char *unit[] = {"accounts", "#0", "bills", "#0", "unit", NULL};
    accounts_fail(unit, "\"kWh/m³x\"", "accounts[0].bills[0].unit: too long");

    /* Arrays: 24 bills, 12 history entries and 8 accounts fit; one more does not. */
    cJSON *doc = cJSON_Parse(good_accounts);
    cJSON *acc = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "accounts"), 0);
    cJSON *bills = cJSON_GetObjectItem(acc, "bills"), *hist = cJSON_GetObjectItem(acc, "history");
    while (cJSON_GetArraySize(bills) < HUB_MAX_BILLS)
        cJSON_AddItemToArray(bills, cJSON_Duplicate(cJSON_GetArrayItem(bills, 0), 1));
    while (cJSON_GetArraySize(hist) < HUB_HISTORY)
        cJSON_AddItemToArray(hist, cJSON_Duplicate(cJSON_GetArrayItem(hist, 0), 1));
    cJSON *accs = cJSON_GetObjectItem(doc, "accounts");
    while (cJSON_GetArraySize(accs) < HUB_MAX_ACCOUNTS)
        cJSON_AddItemToArray(accs, cJSON_Duplicate(acc, 1));
    json = cJSON_PrintUnformatted(doc);
    assert_int_equal(parse_acc(json, &a, err, sizeof err), 0);
    assert_int_equal(a.n, HUB_MAX_ACCOUNTS);
    assert_int_equal(a.a[7].n_bills, HUB_MAX_BILLS);
    assert_int_equal(a.a[7].n_history, HUB_HISTORY);
    cJSON_free(json);

    cJSON_AddItemToArray(accs, cJSON_Duplicate(acc, 1));
    json = cJSON_PrintUnformatted(doc);
    assert_int_equal(parse_acc(json, &a, err, sizeof err), -1);
    assert_string_equal(err, "accounts: too many (9, at most 8)");
    cJSON_free(json);
    cJSON_DeleteItemFromArray(accs, 8);

    cJSON_AddItemToArray(bills, cJSON_Duplicate(cJSON_GetArrayItem(bills, 0), 1));
    json = cJSON_PrintUnformatted(doc);
    assert_int_equal(parse_acc(json, &a, err, sizeof err), -1);
    assert_string_equal(err, "accounts[0].bills: too many (25, at most 24)");
    cJSON_free(json);
    cJSON_DeleteItemFromArray(bills, HUB_MAX_BILLS);

    cJSON_AddItemToArray(hist, cJSON_Duplicate(cJSON_GetArrayItem(hist, 0), 1));
    json = cJSON_PrintUnformatted(doc);
    assert_int_equal(parse_acc(json, &a, err, sizeof err), -1);
    assert_string_equal(err, "accounts[0].history: too many (13, at most 12)");
    cJSON_free(json);
    cJSON_Delete(doc);
}

/* The kiosk never shows a name or an address in clear, whoever sent it. */
static void test_parse_accounts_masks(void **state)
{
    const char *holder[] = {"accounts", "#0", "holder", NULL};
    const char *address[] = {"accounts", "#0", "address", NULL};
    const struct { const char *const *path; const char *in, *out; } cases[] = {
        {holder, "\"张建国\"", "张*国"},
        {holder, "\"王芳\"", "王*"},
        {holder, "\"Li Wei\"", "L****i"},
        {holder, "\"欧*华\"", "欧*华"},          /* masked already: kept */
        {holder, "\"\"", ""},
        {address, "\"幸福里小区3号楼2单元501\"", "幸福里小区3号楼****"},
        {address, "\"Some Road 5\"", "Some****"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *json = edited(good_accounts, cases[i].path, cases[i].in);
        hub_accounts_t a;
        char err[128];
        assert_int_equal(parse_acc(json, &a, err, sizeof err), 0);
        assert_string_equal(cases[i].path == holder ? a.a[0].holder : a.a[0].address,
                            cases[i].out);
        cJSON_free(json);
    }
    /* An unmasked address that fits but would not once masked is refused. */
    char addr[200];
    memset(addr, 'a', sizeof addr);
    addr[0] = '"';
    strcpy(addr + 1 + 150, "号楼\"");
    accounts_fail(address, addr, "accounts[0].address: too long once masked");
}

static const char good_order_qr[] =
    "{\"order\": {\"out_trade_no\": \"K01-20261129-0001\", \"state\": \"NOTPAY\", \"method\": \"qr\",\n"
    "  \"amount_fen\": 8227,\n"
    "  \"code_url\": \"http://hub.xingfuli.example:8470/v1/demo/pay/K01-20261129-0001\",\n"
    "  \"bill_ids\": [11, 12], \"created\": 1795917736, \"updated\": 1795917736,\n"
    "  \"expires\": 1795924936}}";

static const char good_order_code[] =
    "{\"paid\": true, \"order\": {\"out_trade_no\": \"K01-20261129-0002\", \"state\": \"SUCCESS\", \"method\": \"code\",\n"
    "  \"amount_fen\": 10987, \"bill_ids\": [24], \"created\": 1795917736,\n"
    "  \"updated\": 1795917736, \"expires\": null,\n"
    "  \"transaction_id\": \"4200016460202611292275261855\"}}";

static void order_fail(const char *good, const char *key, const char *replacement,
                       const char *want)
{
    const char *path[] = {"order", key, NULL};
    char *s = edited(good, path, replacement);
    hub_order_t o;
    char err[160];
    int rc = parse_ord(s, &o, err, sizeof err);
    if (rc != -1 || !strstr(err, want))
        fail_msg("%s -> %s: rc %d, error \"%s\", wanted \"%s\"", key, replacement, rc, err,
                 want);
    assert_int_equal(o.n_bills, 0);
    cJSON_free(s);
}

static void test_parse_order(void **state)
{
    hub_order_t o;
    char err[160];
    assert_int_equal(parse_ord(good_order_qr, &o, err, sizeof err), 0);
    assert_string_equal(o.out_trade_no, "K01-20261129-0001");
    assert_int_equal(o.state, ORDER_NOTPAY);
    assert_string_equal(o.method, "qr");
    assert_int_equal(o.amount_fen, 8227);
    assert_string_equal(o.code_url,
                        "http://hub.xingfuli.example:8470/v1/demo/pay/K01-20261129-0001");
    assert_int_equal(o.n_bills, 2);
    assert_int_equal(o.bill_ids[0], 11);
    assert_int_equal(o.bill_ids[1], 12);
    assert_int_equal(o.created, 1795917736);
    assert_int_equal(o.updated, 1795917736);
    assert_int_equal(o.expires, 1795924936);
    assert_string_equal(o.transaction_id, "");
    assert_string_equal(o.error, "");

    assert_int_equal(parse_ord(good_order_code, &o, err, sizeof err), 0);
    assert_int_equal(o.state, ORDER_SUCCESS);
    assert_string_equal(o.method, "code");
    assert_string_equal(o.code_url, "");
    assert_int_equal(o.expires, 0);          /* null */
    assert_string_equal(o.transaction_id, "4200016460202611292275261855");

    static const char *const required[] = {"out_trade_no", "state", "method", "amount_fen",
                                           "code_url", "bill_ids", "created", "updated",
                                           "expires"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        char want[64];
        snprintf(want, sizeof want, "order.%s: missing", required[i]);
        order_fail(good_order_qr, required[i], NULL, want);
    }
    static const struct { const char *key, *bad, *want; } bad[] = {
        {"out_trade_no", "12", "order.out_trade_no: not a string"},
        {"out_trade_no", "\"\"", "order.out_trade_no: empty"},
        {"out_trade_no", "\"123456789012345678901234567890123\"", "order.out_trade_no: too long"},
        {"state", "\"PAID\"", "order.state: not an order state"},
        {"state", "\"notpay\"", "order.state: not an order state"},
        {"method", "\"card\"", "order.method: not qr or code"},
        {"amount_fen", "\"8227\"", "order.amount_fen: not an integer"},
        {"code_url", "null", "order.code_url: not a string"},
        {"code_url", "\"\"", "order.code_url: empty"},
        {"bill_ids", "[]", "order.bill_ids: empty"},
        {"bill_ids", "[1,2,3,4,5,6,7,8,9,10,11,12,13]", "order.bill_ids: too many"},
        {"bill_ids", "[11, \"12\"]", "order.bill_ids[1]: not an integer"},
        {"bill_ids", "11", "order.bill_ids: not an array"},
        {"created", "1.5", "order.created: not an integer"},
        {"updated", "-5", "order.updated: not an integer"},
        {"expires", "\"never\"", "order.expires: not an integer >= 0 or null"},
        {"expires", "false", "order.expires: not an integer >= 0 or null"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        order_fail(good_order_qr, bad[i].key, bad[i].bad, bad[i].want);
    /* code_url is optional for code orders, but typed when there. */
    order_fail(good_order_code, "expires", NULL, "order.expires: missing");
    order_fail(good_order_code, "transaction_id", "28", "order.transaction_id: not a string");
    order_fail(good_order_code, "transaction_id",
               "\"4200016460202611292275261855420001646020\"", "order.transaction_id: too long");

    /* Every state name parses. */
    for (int s = 0; s < ORDER_STATE_COUNT; s++) {
        char json[sizeof good_order_code + 16];
        const char *at = strstr(good_order_code, "SUCCESS");
        snprintf(json, sizeof json, "%.*s%s%s", (int)(at - good_order_code), good_order_code,
                 hub_order_state_name((hub_order_state_t)s), at + strlen("SUCCESS"));
        assert_int_equal(parse_ord(json, &o, err, sizeof err), 0);
        assert_int_equal(o.state, s);
    }
    assert_int_equal(parse_ord("{\"paid\": true}", &o, err, sizeof err), -1);
    assert_string_equal(err, "order: missing");
    assert_int_equal(parse_ord("{\"order\": []}", &o, err, sizeof err), -1);
    assert_string_equal(err, "order: not an object");

    /* A short error buffer gets a cut, terminated message; none at all is fine. */
    char small[8];
    assert_int_equal(parse_ord("{\"order\": 1}", &o, small, sizeof small), -1);
    assert_string_equal(small, "order: ");
    assert_int_equal(parse_ord("{\"order\": 1}", &o, NULL, 0), -1);
}

static void test_parse_error(void **state)
{
    hub_status_t st = {.code = "keep", .message = "keep"};
    static const char *const bad[] = {
        "", "<html>", "{}", "{\"error\": \"x\"}", "{\"error\": {\"code\": \"x\"}}",
        "{\"error\": {\"message\": \"x\"}}", "{\"error\": {\"code\": 4, \"message\": \"x\"}}",
        "{\"error\": {\"code\": \"\", \"message\": \"x\"}}",
        "{\"error\": {\"code\": \"x\", \"message\": null}}",
        "{\"error\": {\"code\": \"bad\\ncode\", \"message\": \"x\"}}",
        "{\"error\": {\"code\": \"0123456789012345678901234567890123456789012345678\", "
        "\"message\": \"x\"}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(hub_parse_error(bad[i], strlen(bad[i]), &st), -1);
        assert_string_equal(st.code, "keep");
        assert_string_equal(st.message, "keep");
    }
    const char *ok = "{\"error\": {\"code\": \"unknown_account\", \"message\": \"no such account\","
                     " \"more\": 1}}";
    assert_int_equal(hub_parse_error(ok, strlen(ok), &st), 0);
    assert_string_equal(st.code, "unknown_account");
    assert_string_equal(st.message, "no such account");
    const char *lines = "{\"error\": {\"code\": \"busy\", \"message\": \"a\\nb\\rc\"}}";
    assert_int_equal(hub_parse_error(lines, strlen(lines), &st), 0);
    assert_string_equal(st.message, "a b c");

    /* A long message is cut at a character boundary (it is only for logs). */
    char *msg = quoted(150, "账");
    char json[600];
    snprintf(json, sizeof json, "{\"error\": {\"code\": \"busy\", \"message\": %s}}", msg);
    free(msg);
    assert_int_equal(hub_parse_error(json, strlen(json), &st), 0);
    assert_int_equal(strlen(st.message), 66 * 3);
}

static void test_state_names_and_keys(void **state)
{
    for (int s = 0; s < ORDER_STATE_COUNT; s++)
        assert_int_equal(hub_order_state_parse(hub_order_state_name((hub_order_state_t)s)), s);
    assert_string_equal(hub_order_state_name(ORDER_USERPAYING), "USERPAYING");
    assert_int_equal(hub_order_state_parse("PAID"), -1);
    assert_int_equal(hub_order_state_parse(""), -1);

    char a[32], b[32];
    hub_new_key("pay-", a, sizeof a);
    hub_new_key("pay-", b, sizeof b);
    assert_int_equal(strlen(a), 4 + 16);
    assert_memory_equal(a, "pay-", 4);
    assert_int_equal(strspn(a + 4, "0123456789abcdef"), 16);
    assert_string_not_equal(a, b);
    char exact[3 + 17];
    hub_new_key("K1-", exact, sizeof exact);
    assert_int_equal(strlen(exact), 19);
}

/* ---- against a real hub ---------------------------------------------------- */

static hubproc_t hub;

static int hub_setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    if (hubproc_start(&hub) != 0)
        return -1;
    return hubproc_behaviour(&hub, "{\"mode\": \"success\", \"delay_ms\": 0}") == 200 ? 0 : -1;
}

static int hub_teardown(void **state)
{
    hubproc_kill(&hub);         /* a slow payment may still be sleeping in it */
    hubproc_cleanup(&hub);
    return 0;
}

static hub_client_t *client(const char *suffix, const char *token, int timeout_ms,
                            const volatile int *abort_flag)
{
    char url[96];
    snprintf(url, sizeof url, "%s%s", hub.url, suffix);
    hub_client_t *c = hub_client_new(url, token, timeout_ms, abort_flag);
    assert_non_null(c);
    return c;
}

static void test_hub_health(void **state)
{
    static const char *const suffixes[] = {"", "/", "/v1", "/v1/", "//v1//"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        hub_client_t *c = client(suffixes[i], HUBPROC_TOKEN, 5000, NULL);
        hub_status_t st;
        hub_health(c, &st);
        assert_int_equal(st.result, HUB_OK);
        assert_int_equal(st.http, 200);
        hub_accounts_t a;
        hub_bills_get(c, "water", "3702031056", NULL, &a, &st);   /* authenticated path */
        assert_int_equal(st.result, HUB_OK);
        assert_int_equal(a.n, 1);
        hub_client_free(c);
    }
}

static void test_hub_bills(void **state)
{
    hub_client_t *c = client("", HUBPROC_TOKEN, 5000, NULL);
    hub_accounts_t a;
    hub_status_t st;
    hub_bills_get(c, "water", "3702031056", NULL, &a, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 200);
    assert_string_equal(st.code, "");
    assert_int_equal(a.n, 1);
    const hub_account_t *w = &a.a[0];
    assert_string_equal(w->utility, "water");
    assert_string_equal(w->account, "3702031056");
    assert_string_equal(w->holder, "张*国");
    assert_string_equal(w->address, "幸福里小区3号楼****");
    assert_int_equal(w->due_fen, 8227);
    assert_int_equal(w->n_history, 12);
    assert_string_equal(w->history[0].period, "2025-12");
    assert_string_equal(w->history[11].period, "2026-11");
    assert_true(w->n_bills >= 3);
    assert_int_equal(w->bills[0].id, 11);
    assert_false(w->bills[0].paid);
    assert_int_equal(w->bills[0].late_fee_fen, 27);
    assert_int_equal(w->bills[1].id, 12);
    assert_string_equal(w->bills[1].unit, "m³");
    assert_true(w->bills[2].paid);
    long long due = 0;
    for (int i = 0; i < w->n_bills; i++)
        if (!w->bills[i].paid)
            due += w->bills[i].amount_fen + w->bills[i].late_fee_fen;
    assert_int_equal(due, w->due_fen);

    /* The same account by its paper bill's QR code (':' percent-encoded). */
    hub_accounts_t q;
    hub_bills_get(c, NULL, NULL, "XFL-BILL:1:water:3702031056:2026-11:4100:39", &q, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(q.n, 1);
    assert_memory_equal(&q.a[0], &a.a[0], sizeof q.a[0]);

    hub_bills_get(c, "water", "1111111111", NULL, &q, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 404);
    assert_string_equal(st.code, "unknown_account");
    assert_int_equal(q.n, 0);

    hub_bills_get(c, NULL, NULL, "XFL-BILL:1:water:3702031056:2026-11:4100:38", &q, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 422);
    assert_string_equal(st.code, "invalid_qr");

    /* Query values are encoded: '&' and '=' in a value stay inside it. */
    hub_bills_get(c, NULL, NULL, "XFL-BILL:1&utility=water&account=3702031056", &q, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_string_equal(st.code, "invalid_qr");
    hub_client_free(c);

    c = client("", "demo-01.0000000000000000000000000000000000000000000000000000000000000002",
               5000, NULL);
    hub_bills_get(c, "water", "3702031056", NULL, &q, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 401);
    assert_string_equal(st.code, "unauthorized");
    hub_client_free(c);

    c = client("", NULL, 5000, NULL);
    hub_bills_get(c, "water", "3702031056", NULL, &q, &st);
    assert_int_equal(st.http, 401);
    hub_client_free(c);
}

static void test_hub_bills_by_id(void **state)
{
    hub_client_t *c = client("", HUBPROC_TOKEN, 5000, NULL);
    hub_accounts_t a;
    hub_status_t st;
    char key[32];
    hub_new_key("lookup-", key, sizeof key);
    hub_bills_by_id(c, "370203196803120315", key, &a, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_false(st.replayed);
    assert_int_equal(a.n, 4);
    static const char *const utilities[] = {"water", "electricity", "gas", "heating"};
    static const char *const accounts[] = {"3702031056", "3702118472", "20316658", "60310527"};
    for (int i = 0; i < 4; i++) {
        assert_string_equal(a.a[i].utility, utilities[i]);
        assert_string_equal(a.a[i].account, accounts[i]);
        assert_non_null(strchr(a.a[i].holder, '*'));
    }
    assert_string_equal(a.a[2].holder, "王*芳");
    assert_int_equal(a.a[0].due_fen, 8227);

    hub_accounts_t again;
    hub_bills_by_id(c, "370203196803120315", key, &again, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_true(st.replayed);
    assert_int_equal(again.n, 4);

    /* The same key with another body is refused. */
    hub_bills_by_id(c, "370203196803120316", key, &again, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_string_equal(st.code, "idempotency_key_reused");

    hub_new_key("lookup-", key, sizeof key);
    hub_bills_by_id(c, "370203196803120316", key, &again, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 422);
    assert_string_equal(st.code, "invalid_id_number");
    assert_null(strstr(st.message, "370203"));

    /* A key the hub would refuse is not sent (so it is refused, never injected). */
    hub_bills_by_id(c, "370203196803120315", "bad\r\nX-Evil: 1", &again, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 400);
    assert_string_equal(st.code, "idempotency_key");
    hub_client_free(c);
}

static void test_hub_pay_qr(void **state)
{
    hub_client_t *c = client("", HUBPROC_TOKEN, 5000, NULL);
    hub_order_t o, r;
    hub_status_t st;
    char key[32];
    const long long ids[] = {12, 11};
    hub_new_key("create-", key, sizeof key);
    hub_pay_create(c, key, "T-QR-0001", ids, 2, "qr", NULL, &o, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 201);
    assert_false(st.replayed);
    assert_string_equal(o.out_trade_no, "T-QR-0001");
    assert_int_equal(o.state, ORDER_NOTPAY);
    assert_string_equal(o.method, "qr");
    assert_int_equal(o.amount_fen, 8227);
    assert_non_null(strstr(o.code_url, "/v1/demo/pay/T-QR-0001"));
    assert_int_equal(o.n_bills, 2);
    assert_int_equal(o.bill_ids[0], 11);
    assert_int_equal(o.bill_ids[1], 12);
    assert_true(o.created > 0 && o.expires > o.created);

    /* A retry with the same key is the stored first answer, not a new order. */
    hub_pay_create(c, key, "T-QR-0001", ids, 2, "qr", NULL, &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_true(st.replayed);
    assert_int_equal(st.http, 201);
    assert_memory_equal(&r, &o, sizeof o);
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM orders"), 1);

    hub_pay_query(c, "T-QR-0001", &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_false(st.replayed);
    assert_int_equal(r.state, ORDER_NOTPAY);

    assert_int_equal(hubproc_get(&hub, "/v1/demo/pay/T-QR-0001"), 200);
    hub_pay_query(c, "T-QR-0001", &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(r.state, ORDER_SUCCESS);
    assert_int_equal(strlen(r.transaction_id), 28);
    assert_int_equal(r.expires, o.expires);

    hub_new_key("close-", key, sizeof key);
    hub_pay_close(c, key, "T-QR-0001", &r, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 409);
    assert_string_equal(st.code, "order_paid");

    hub_accounts_t a;
    hub_bills_get(c, "water", "3702031056", NULL, &a, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(a.a[0].due_fen, 0);

    hub_pay_query(c, "NO-SUCH-ORDER", &r, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 404);
    assert_string_equal(st.code, "unknown_order");
    /* A number that is no path segment is encoded, not sent as a path. */
    hub_pay_query(c, "../health", &r, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 404);
    hub_client_free(c);
}

static void test_hub_pay_code(void **state)
{
    hub_client_t *c = client("", HUBPROC_TOKEN, 5000, NULL);
    hub_order_t o;
    hub_status_t st;
    char key[32];
    const long long ids[] = {24};
    hub_new_key("create-", key, sizeof key);
    hub_pay_create(c, key, "T-CODE-0001", ids, 1, "code", "12345", &o, &st);
    assert_int_equal(st.result, HUB_REFUSED);
    assert_int_equal(st.http, 422);
    assert_string_equal(st.code, "invalid_auth_code");
    assert_int_equal(o.n_bills, 0);

    hub_new_key("create-", key, sizeof key);
    hub_pay_create(c, key, "T-CODE-0001", ids, 1, "code", "134567890123456789", &o, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 201);
    assert_int_equal(o.state, ORDER_SUCCESS);
    assert_string_equal(o.method, "code");
    assert_int_equal(o.amount_fen, 10987);
    assert_string_equal(o.code_url, "");
    assert_int_equal(o.expires, 0);
    assert_int_equal(strlen(o.transaction_id), 28);

    hub_order_t r;
    hub_new_key("reverse-", key, sizeof key);
    hub_pay_reverse(c, key, "T-CODE-0001", &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 200);
    assert_int_equal(r.state, ORDER_REVOKED);
    assert_string_equal(r.transaction_id, o.transaction_id);
    hub_pay_reverse(c, key, "T-CODE-0001", &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_true(st.replayed);
    assert_int_equal(r.state, ORDER_REVOKED);

    /* The bill is free again: a qr order for it, then closed. */
    hub_new_key("create-", key, sizeof key);
    hub_pay_create(c, key, "T-QR-0002", ids, 1, "qr", NULL, &o, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(o.state, ORDER_NOTPAY);
    hub_new_key("close-", key, sizeof key);
    hub_pay_close(c, key, "T-QR-0002", &r, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(r.state, ORDER_CLOSED);
    hub_client_free(c);
}

/* Keep these two last: their slow answers keep the hub's threads busy. */
static void test_hub_timeout(void **state)
{
    assert_int_equal(hubproc_behaviour(&hub, "{\"delay_ms\":3000}"), 200);
    hub_client_t *c = client("", HUBPROC_TOKEN, 500, NULL);
    hub_order_t o;
    hub_status_t st;
    long long t0 = now_ms();
    hub_pay_query(c, "T-QR-0001", &o, &st);
    long long took = now_ms() - t0;
    assert_int_equal(st.result, HUB_UNKNOWN);
    assert_string_equal(st.code, "timeout");
    assert_int_equal(st.http, 0);
    assert_true(st.message[0]);
    assert_true(took >= 450 && took < 1500);
    hub_client_free(c);
}

static volatile int abort_flag;

static void *set_abort(void *arg)
{
    sleep_ms(200);
    abort_flag = 1;
    return NULL;
}

static void test_hub_abort(void **state)
{
    abort_flag = 0;
    hub_client_t *c = client("", HUBPROC_TOKEN, 10000, &abort_flag);
    hub_order_t o;
    hub_status_t st;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, set_abort, NULL), 0);
    long long t0 = now_ms();
    hub_pay_query(c, "T-QR-0001", &o, &st);
    long long took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(st.result, HUB_UNKNOWN);
    assert_string_equal(st.code, "aborted");
    assert_true(took >= 150 && took < 600);

    /* Already set: nothing is sent. */
    t0 = now_ms();
    hub_health(c, &st);
    assert_string_equal(st.code, "aborted");
    assert_true(now_ms() - t0 < 100);
    hub_client_free(c);
}

/* ---- no hub at all ---------------------------------------------------------- */

/* A loopback port nobody listens on. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_dead_network(void **state)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", closed_port());
    hub_client_t *c = hub_client_new(url, HUBPROC_TOKEN, 3000, NULL);
    assert_non_null(c);
    hub_status_t st;
    hub_order_t o;
    long long t0 = now_ms();
    const long long ids[] = {1};
    hub_pay_create(c, "k1", "T-DEAD-01", ids, 1, "code", "134567890123456789", &o, &st);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(st.result, HUB_UNKNOWN);
    assert_string_equal(st.code, "network");
    assert_int_equal(st.http, 0);
    assert_true(st.message[0]);
    hub_health(c, &st);
    assert_string_equal(st.code, "network");
    hub_client_free(c);
}

/* ---- a canned HTTP server ------------------------------------------------------
 * Accepts one connection and answers each of its requests with the next
 * canned reply, byte for byte; after the last one it closes. The requests
 * are kept for the test to look at. */

#define CANNED_MAX 4

typedef struct {
    int fd;
    int port;
    const char *reply[CANNED_MAX];
    size_t reply_len[CANNED_MAX];     /* 0: strlen */
    int n;
    char request[CANNED_MAX][4096];
    int served;
    pthread_t thread;
} canned_t;

/* Reads one request (headers and a Content-Length body) into BUF, or -1. */
static int read_request(int fd, char *buf, size_t size)
{
    size_t len = 0;
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 3000) <= 0)
            return -1;
        ssize_t n = recv(fd, buf + len, size - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            size_t want = (size_t)(end + 4 - buf) + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
            if (len >= want)
                return 0;
        }
        if (len + 1 >= size)
            return -1;
    }
}

static void *canned_main(void *arg)
{
    canned_t *s = arg;
    struct pollfd p = {s->fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0)
        return NULL;
    int conn = accept(s->fd, NULL, NULL);
    if (conn < 0)
        return NULL;
    for (int i = 0; i < s->n; i++) {
        if (read_request(conn, s->request[i], sizeof s->request[i]) != 0)
            break;
        size_t len = s->reply_len[i] ? s->reply_len[i] : strlen(s->reply[i]);
        for (size_t off = 0; off < len;) {
            ssize_t n = send(conn, s->reply[i] + off, len - off, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            off += (size_t)n;
        }
        s->served++;
    }
    shutdown(conn, SHUT_RDWR);
    close(conn);
    return NULL;
}

static void canned_start(canned_t *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->fd, 4), 0);
    assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, canned_main, s), 0);
}

static void canned_stop(canned_t *s)
{
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static hub_client_t *canned_client(const canned_t *s, const char *suffix, int timeout_ms)
{
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, suffix);
    hub_client_t *c = hub_client_new(url, "dev.secret", timeout_ms, NULL);
    assert_non_null(c);
    return c;
}

/* The status of a pay query answered by REPLY (LEN bytes, 0: strlen). */
static void canned_query(const char *reply, size_t len, hub_status_t *st, hub_order_t *o)
{
    canned_t s = {.reply = {reply}, .reply_len = {len}, .n = 1};
    canned_start(&s);
    hub_client_t *c = canned_client(&s, "", 3000);
    hub_pay_query(c, "K01-1", o, st);
    hub_client_free(c);
    canned_stop(&s);
    assert_int_equal(s.served, 1);
    assert_non_null(strstr(s.request[0], "GET /v1/payments/K01-1 HTTP/1.1\r\n"));
}

#define ORDER_BODY \
    "{\"order\":{\"out_trade_no\":\"K01-1\",\"state\":\"SUCCESS\",\"method\":\"code\"," \
    "\"amount_fen\":1,\"bill_ids\":[1],\"created\":1,\"updated\":2,\"expires\":null}}"

/* "HEAD" (status line and headers) with Content-Length (LEN, or BODY's own
 * length when -1), then BODY, into BUF. */
static const char *reply_of(char *buf, size_t size, const char *head, const char *body,
                            long len)
{
    int n = snprintf(buf, size, "%s\r\nContent-Length: %ld\r\n\r\n%s", head,
                     len >= 0 ? len : (long)strlen(body), body);
    assert_true(n > 0 && (size_t)n < size);
    return buf;
}

static void test_canned_answers(void **state)
{
    static const struct {
        const char *head, *body;
        long len;                      /* -1: the body's */
        hub_result_t result;
        int http;
        const char *code, *message;
    } cases[] = {
        {"HTTP/1.1 200 OK", "<html>hi</html>", -1, HUB_UNKNOWN, 200, "garbage", "not JSON"},
        {"HTTP/1.1 200 OK", "", -1, HUB_UNKNOWN, 200, "garbage", "empty body"},
        {"HTTP/1.1 200 OK", "{\"order\": {\"state\": \"SUCCESS\"}}", -1, HUB_UNKNOWN, 200,
         "garbage", "order.out_trade_no: missing"},
        {"HTTP/1.1 200 OK", "{\"order\": {}} {}", -1, HUB_UNKNOWN, 200, "garbage",
         "data after the value"},
        {"HTTP/1.1 500 Internal Server Error",
         "{\"error\":{\"code\":\"storage\",\"message\":\"cannot read the order\"}}", -1,
         HUB_UNKNOWN, 500, "storage", "cannot read the order"},
        {"HTTP/1.1 502 Bad Gateway", "Bad Gateway", -1, HUB_UNKNOWN, 502, "http_502",
         "HTTP 502"},
        {"HTTP/1.1 404 Not Found", "not found", -1, HUB_REFUSED, 404, "http_404", "HTTP 404"},
        {"HTTP/1.1 409 Conflict", "{\"error\":{\"code\":\"order_paid\",\"message\":\"it is paid\"}}",
         -1, HUB_REFUSED, 409, "order_paid", "it is paid"},
        {"HTTP/1.1 429 Too Many Requests",
         "{\"error\":{\"code\":\"slow_down\",\"message\":\"later\"}}", -1, HUB_UNKNOWN, 429,
         "slow_down", "later"},
        {"HTTP/1.1 408 Request Timeout", "", -1, HUB_UNKNOWN, 408, "http_408", "HTTP 408"},
        {"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/", "", -1, HUB_UNKNOWN, 302,
         "http_302", "HTTP 302"},
        /* Cut mid-body: the answer may or may not be what the hub meant. */
        {"HTTP/1.1 200 OK", "{\"order\":{\"out_trade_no\":", 500, HUB_UNKNOWN, 0, "network", ""},
        {"HTTP/1.1 409 Conflict", "{\"error\":", 500, HUB_UNKNOWN, 0, "network", ""},
        {NULL, NULL, 0, HUB_UNKNOWN, 0, "network", ""},      /* closed, no answer */
        {"HTTP/1.1 200 OK\r\nIdempotent-Replayed:  TRUE ", ORDER_BODY, -1, HUB_OK, 200, "", ""},
        {"HTTP/1.1 200 OK\r\nIdempotent-Replayed: false", ORDER_BODY, -1, HUB_OK, 200, "", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hub_status_t st;
        hub_order_t o;
        char reply[1024];
        canned_query(cases[i].head ? reply_of(reply, sizeof reply, cases[i].head,
                                              cases[i].body, cases[i].len) : "",
                     0, &st, &o);
        if (st.result != cases[i].result || st.http != cases[i].http ||
            strcmp(st.code, cases[i].code) != 0 || !strstr(st.message, cases[i].message))
            fail_msg("case %zu: result %d http %d code \"%s\" message \"%s\"", i,
                     (int)st.result, st.http, st.code, st.message);
        if (st.result == HUB_OK) {
            assert_int_equal(st.replayed, strstr(cases[i].head, "TRUE") != NULL);
            assert_int_equal(o.state, ORDER_SUCCESS);
        } else {
            assert_false(st.replayed);
            assert_int_equal(o.n_bills, 0);
        }
    }
}

/* An answer over 1 MiB is garbage, not a 1 MiB allocation per chunk. */
static void test_canned_oversize(void **state)
{
    size_t body = 2u << 20;
    char head[128];
    int hl = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body);
    char *reply = malloc((size_t)hl + body);
    assert_non_null(reply);
    memcpy(reply, head, (size_t)hl);
    memset(reply + hl, ' ', body);
    hub_status_t st;
    hub_order_t o;
    canned_query(reply, (size_t)hl + body, &st, &o);
    free(reply);
    assert_int_equal(st.result, HUB_UNKNOWN);
    assert_string_equal(st.code, "garbage");
    assert_int_equal(st.http, 200);
}

/* What goes on the wire: paths, query encoding, headers, bodies; and one
 * connection for consecutive calls. */
static void test_canned_request_bytes(void **state)
{
    char ok_order[512], ok_accounts[128];
    reply_of(ok_order, sizeof ok_order, "HTTP/1.1 201 Created", ORDER_BODY, -1);
    reply_of(ok_accounts, sizeof ok_accounts, "HTTP/1.1 200 OK", "{\"accounts\":[]}", -1);
    canned_t s = {.reply = {ok_accounts, ok_accounts, ok_order, ok_order}, .n = 4};
    canned_start(&s);
    hub_client_t *c = canned_client(&s, "/v1/", 3000);
    hub_accounts_t a;
    hub_order_t o;
    hub_status_t st;
    hub_bills_get(c, NULL, NULL, "XFL-BILL:1:water:3702031056:2026-11:4100:39", &a, &st);
    assert_int_equal(st.result, HUB_OK);
    hub_bills_get(c, "water", "12 34&x=1", NULL, &a, &st);
    assert_int_equal(st.result, HUB_OK);
    const long long ids[] = {12, 9007199254740991LL};
    hub_pay_create(c, "key-1", "K01-1", ids, 2, "code", "134567890123456789", &o, &st);
    assert_int_equal(st.result, HUB_OK);
    assert_int_equal(st.http, 201);
    assert_false(st.replayed);
    hub_pay_close(c, "key-2", "K01 1/x", &o, &st);
    assert_int_equal(st.result, HUB_OK);
    hub_client_free(c);
    canned_stop(&s);
    assert_int_equal(s.served, 4);   /* all four on the one connection */

    const char *r = s.request[0];
    assert_non_null(strstr(r, "GET /v1/bills?qr=XFL-BILL%3A1%3Awater%3A3702031056%3A2026-11"
                              "%3A4100%3A39 HTTP/1.1\r\n"));
    assert_non_null(strstr(r, "\r\nAuthorization: Bearer dev.secret\r\n"));
    assert_null(strstr(r, "Idempotency-Key"));
    assert_null(strstr(r, "Content-Type"));
    assert_non_null(strstr(s.request[1],
                           "GET /v1/bills?utility=water&account=12%2034%26x%3D1 HTTP/1.1\r\n"));

    r = s.request[2];
    assert_non_null(strstr(r, "POST /v1/payments HTTP/1.1\r\n"));
    assert_non_null(strstr(r, "\r\nIdempotency-Key: key-1\r\n"));
    assert_non_null(strstr(r, "\r\nContent-Type: application/json\r\n"));
    assert_non_null(strstr(r, "\r\nAuthorization: Bearer dev.secret\r\n"));
    const char *body = strstr(r, "\r\n\r\n") + 4;
    assert_string_equal(body, "{\"out_trade_no\":\"K01-1\",\"bill_ids\":[12,9007199254740991],"
                              "\"method\":\"code\",\"auth_code\":\"134567890123456789\"}");

    r = s.request[3];
    assert_non_null(strstr(r, "POST /v1/payments/K01%201%2Fx/close HTTP/1.1\r\n"));
    assert_non_null(strstr(r, "\r\nIdempotency-Key: key-2\r\n"));
    assert_string_equal(strstr(r, "\r\n\r\n") + 4, "{}");
}

/* The hub asking the kiosk to slow down is told apart from a fault. */
static void test_status_busy(void **state)
{
    hub_status_t st = {.result = HUB_UNKNOWN, .http = 429};
    assert_true(hub_status_busy(&st));
    st.http = 503;
    snprintf(st.code, sizeof st.code, "%s", "rate_limited");
    assert_true(hub_status_busy(&st));
    snprintf(st.code, sizeof st.code, "%s", "payment_unavailable");
    assert_false(hub_status_busy(&st));
    st.http = 500;
    assert_false(hub_status_busy(&st));
    st.http = 0;
    snprintf(st.code, sizeof st.code, "%s", "network");
    assert_false(hub_status_busy(&st));
    assert_false(hub_status_busy(NULL));
}

int main(void)
{
    const struct CMUnitTest parsers[] = {
        cmocka_unit_test(test_status_busy),
        cmocka_unit_test(test_parse_accounts_good),
        cmocka_unit_test(test_parse_accounts_missing),
        cmocka_unit_test(test_parse_accounts_types),
        cmocka_unit_test(test_parse_accounts_sizes),
        cmocka_unit_test(test_parse_accounts_masks),
        cmocka_unit_test(test_parse_order),
        cmocka_unit_test(test_parse_error),
        cmocka_unit_test(test_state_names_and_keys),
    };
    const struct CMUnitTest transport[] = {
        cmocka_unit_test(test_dead_network),
        cmocka_unit_test(test_canned_answers),
        cmocka_unit_test(test_canned_oversize),
        cmocka_unit_test(test_canned_request_bytes),
    };
    const struct CMUnitTest with_hub[] = {
        cmocka_unit_test(test_hub_health),
        cmocka_unit_test(test_hub_bills),
        cmocka_unit_test(test_hub_bills_by_id),
        cmocka_unit_test(test_hub_pay_qr),
        cmocka_unit_test(test_hub_pay_code),
        cmocka_unit_test(test_hub_timeout),
        cmocka_unit_test(test_hub_abort),
    };
    int failed = cmocka_run_group_tests_name("hub_api parsers", parsers, NULL, NULL);
    failed += cmocka_run_group_tests_name("hub_api transport", transport, NULL, NULL);
    failed += cmocka_run_group_tests_name("hub_api with a hub", with_hub, hub_setup,
                                          hub_teardown);
    return failed;
}
