/* The outbox's storage (outbox/outbox.c), key file and seal (outbox/seal.c),
 * and its pure policy (backoff, classification), on a temp database: no
 * hub, no threads. Disk full is simulated with PRAGMA max_page_count on
 * the connection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "outbox/outbox.h"
#include "outbox/seal.h"
#include "store/store.h"

#include <fcntl.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define T0 1800000000000LL          /* a wall time in ms */
#define HELP "{\"location\":\"hall\",\"message\":\"help\",\"contact\":\"13812345678\",\"consent\":true}"

typedef struct {
    char dir[64];
    char keyfile[128];
    store_t *st;
    outbox_key_t key;
} fx_t;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    char err[256];
    strcpy(fx->dir, "/tmp/kiosk-outbox-XXXXXX");
    if (!mkdtemp(fx->dir)) return -1;
    snprintf(fx->keyfile, sizeof fx->keyfile, "%s/outbox.key", fx->dir);
    if (store_open(fx->dir, &fx->st, err, sizeof err) != 0) return -1;
    if (outbox_key_load(fx->keyfile, true, &fx->key, err, sizeof err) != 0) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    store_close(fx->st);
    nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

static long long enq(fx_t *fx, const char *body, bool personal, const char *key, int64_t now)
{
    long long id = 0;
    char err[256] = "";
    int rc = outbox_enqueue(fx->st, &fx->key, "help", "/v1/help", body, personal, key, now,
                            &id, err, sizeof err);
    if (rc != 0) fprintf(stderr, "enqueue: %s\n", err);
    assert_int_equal(rc, 0);
    return id;
}

static long long sql_int(store_t *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void exec_ok(store_t *st, const char *sql)
{
    int rc = sqlite3_exec(store_db(st), sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(store_db(st)));
    assert_int_equal(rc, SQLITE_OK);
}

/* ---- enqueue ---------------------------------------------------------------- */

static void test_state_names(void **state)
{
    for (int i = 0; i < OUTBOX_STATE_COUNT; i++)
        assert_int_equal(outbox_state_parse(outbox_state_name((outbox_state_t)i)), i);
    assert_int_equal(outbox_state_parse("nope"), -1);
    assert_string_equal(outbox_state_name(OUTBOX_STATE_COUNT), "?");
}

/* The item commits and rolls back with the caller's own record. */
static void test_same_transaction(void **state)
{
    fx_t *fx = *state;
    char err[256];
    long long id = 0;
    exec_ok(fx->st, "CREATE TABLE bookings(id INTEGER PRIMARY KEY, what TEXT)");

    /* Outside a transaction: refused, nothing written. */
    assert_int_equal(outbox_enqueue_in(fx->st, &fx->key, "booking", "/v1/help", "{}", false,
                                       NULL, T0, &id, err, sizeof err), -1);
    assert_non_null(strstr(err, "not in a transaction"));

    exec_ok(fx->st, "BEGIN IMMEDIATE");
    exec_ok(fx->st, "INSERT INTO bookings(what) VALUES('room 1')");
    assert_int_equal(outbox_enqueue_in(fx->st, &fx->key, "booking", "/v1/help", HELP, true,
                                       "bk-1", T0, &id, err, sizeof err), 0);
    exec_ok(fx->st, "ROLLBACK");
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM bookings"), 0);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox"), 0);

    exec_ok(fx->st, "BEGIN IMMEDIATE");
    exec_ok(fx->st, "INSERT INTO bookings(what) VALUES('room 2')");
    assert_int_equal(outbox_enqueue_in(fx->st, &fx->key, "booking", "/v1/help", HELP, true,
                                       "bk-1", T0, &id, err, sizeof err), 0);
    exec_ok(fx->st, "COMMIT");
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM bookings"), 1);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox WHERE state='queued'"), 1);

    outbox_item_t it;
    assert_int_equal(outbox_get(fx->st, id, NULL, &it, NULL, err, sizeof err), 0);
    assert_string_equal(it.kind, "booking");
    assert_string_equal(it.method, "POST");
    assert_string_equal(it.idem_key, "bk-1");
    assert_int_equal(it.state, OUTBOX_QUEUED);
    assert_true(it.sealed);
    assert_int_equal(it.body_len, (int)strlen(HELP));
    assert_int_equal(it.next_try_ms, T0);
}

static void test_enqueue_errors(void **state)
{
    fx_t *fx = *state;
    char err[256];
    struct { const char *kind, *path, *body, *key; bool personal; const char *why; } cases[] = {
        {"", "/v1/help", "{}", NULL, false, "kind"},
        {"Help", "/v1/help", "{}", NULL, false, "kind"},
        {"help", "v1/help", "{}", NULL, false, "path"},
        {"help", "/v1/he lp", "{}", NULL, false, "path"},
        {"help", "/v1/help", "", NULL, false, "body"},
        {"help", "/v1/help", "[1]", NULL, false, "body"},
        {"help", "/v1/help", "{}", "bad key!", false, "idem_key"},
        {"help", "/v1/help", "{}", "k-dup", false, "already in the outbox"},
    };
    enq(fx, "{}", false, "k-dup", T0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_int_equal(outbox_enqueue(fx->st, &fx->key, cases[i].kind, cases[i].path,
                                        cases[i].body, cases[i].personal, cases[i].key, T0,
                                        NULL, err, sizeof err), -1);
        assert_non_null(strstr(err, cases[i].why));
    }
    /* Personal data and no key: refused, never stored in clear. */
    assert_int_equal(outbox_enqueue(fx->st, NULL, "help", "/v1/help", HELP, true, NULL, T0,
                                    NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "no outbox key"));
    /* Too big. */
    char *big = malloc(OUTBOX_BODY_MAX + 2);
    memset(big, ' ', OUTBOX_BODY_MAX + 1);
    big[0] = '{';
    big[OUTBOX_BODY_MAX + 1] = '\0';
    assert_int_equal(outbox_enqueue(fx->st, NULL, "help", "/v1/help", big, false, NULL, T0,
                                    NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "at most"));
    free(big);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox"), 1);
    /* A fresh key when none is given, unique each time. */
    long long a = enq(fx, "{}", false, NULL, T0), b = enq(fx, "{}", false, "", T0);
    outbox_item_t ia, ib;
    assert_int_equal(outbox_get(fx->st, a, NULL, &ia, NULL, err, sizeof err), 0);
    assert_int_equal(outbox_get(fx->st, b, NULL, &ib, NULL, err, sizeof err), 0);
    assert_int_equal(strncmp(ia.idem_key, "ob-", 3), 0);
    assert_int_equal(strlen(ia.idem_key), 19);
    assert_string_not_equal(ia.idem_key, ib.idem_key);
}

/* ---- seal ------------------------------------------------------------------- */

static void test_key_file(void **state)
{
    fx_t *fx = *state;
    char err[256], path[160];
    struct stat sb;
    outbox_key_t k2;

    /* Created by setup: 32 bytes, 0600; loading again gives the same key. */
    assert_int_equal(stat(fx->keyfile, &sb), 0);
    assert_int_equal(sb.st_size, OUTBOX_KEY_BYTES);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(outbox_key_load(fx->keyfile, true, &k2, err, sizeof err), 0);
    assert_memory_equal(k2.k, fx->key.k, OUTBOX_KEY_BYTES);

    /* Wrong size: refused with a clear error, and left untouched. */
    snprintf(path, sizeof path, "%s/short.key", fx->dir);
    FILE *f = fopen(path, "w");
    fputs("0123456789abcdef0", f);
    fclose(f);
    assert_int_equal(outbox_key_load(path, true, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "17 bytes, expected 32"));
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_size, 17);

    /* Missing and not to be created; a directory. */
    snprintf(path, sizeof path, "%s/none.key", fx->dir);
    assert_int_equal(outbox_key_load(path, false, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    assert_int_equal(outbox_key_load(fx->dir, true, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a regular file"));
    snprintf(path, sizeof path, "%s/no/such/dir.key", fx->dir);
    assert_int_equal(outbox_key_load(path, true, &k2, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create"));

    /* Readable by others: used (a warning is logged). */
    assert_int_equal(chmod(fx->keyfile, 0644), 0);
    assert_int_equal(outbox_key_load(fx->keyfile, true, &k2, err, sizeof err), 0);
    assert_memory_equal(k2.k, fx->key.k, OUTBOX_KEY_BYTES);
    outbox_key_wipe(&k2);
}

static void test_seal_roundtrip(void **state)
{
    fx_t *fx = *state;
    unsigned char *box, *box2;
    size_t n, n2;
    char *plain;
    size_t plen;
    outbox_key_t other;

    assert_int_equal(outbox_seal(&fx->key, HELP, strlen(HELP), &box, &n), 0);
    assert_int_equal(n, strlen(HELP) + OUTBOX_SEAL_OVERHEAD);
    assert_int_equal(outbox_seal(&fx->key, HELP, strlen(HELP), &box2, &n2), 0);
    assert_memory_not_equal(box, box2, 24);                /* a fresh nonce each time */
    assert_int_equal(outbox_unseal(&fx->key, box, n, &plain, &plen), 0);
    assert_int_equal(plen, strlen(HELP));
    assert_string_equal(plain, HELP);
    free(plain);

    randombytes_buf(other.k, sizeof other.k);
    assert_int_equal(outbox_unseal(&other, box, n, &plain, NULL), -1);
    assert_null(plain);
    box[n - 1] ^= 1;                                      /* altered */
    assert_int_equal(outbox_unseal(&fx->key, box, n, &plain, NULL), -1);
    assert_int_equal(outbox_unseal(&fx->key, box, 10, &plain, NULL), -1);   /* too short */
    free(box);
    free(box2);
}

/* A personal body never reaches the database file in clear. */
static void test_sealed_at_rest(void **state)
{
    fx_t *fx = *state;
    char err[256], path[160], *body;
    outbox_item_t it;
    outbox_key_t other;

    long long id = enq(fx, HELP, true, NULL, T0);
    long long plain_id = enq(fx, "{\"location\":\"hall\"}", false, NULL, T0);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox WHERE instr(body, '13812345678')"), 0);
    exec_ok(fx->st, "PRAGMA wal_checkpoint(TRUNCATE)");
    snprintf(path, sizeof path, "%s/kiosk.db", fx->dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char file[1 << 20];
    size_t n = fread(file, 1, sizeof file, f);
    fclose(f);
    assert_null(memmem(file, n, "13812345678", 11));
    assert_non_null(memmem(file, n, "{\"location\":\"hall\"}", 19));

    /* get: no key -> no body; the key -> the plain body; another key -> error. */
    assert_int_equal(outbox_get(fx->st, id, NULL, &it, &body, err, sizeof err), 0);
    assert_null(body);
    assert_int_equal(outbox_get(fx->st, id, &fx->key, &it, &body, err, sizeof err), 0);
    assert_string_equal(body, HELP);
    free(body);
    randombytes_buf(other.k, sizeof other.k);
    assert_int_equal(outbox_get(fx->st, id, &other, &it, &body, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not open"));
    assert_int_equal(outbox_get(fx->st, plain_id, NULL, &it, &body, err, sizeof err), 0);
    assert_string_equal(body, "{\"location\":\"hall\"}");
    free(body);
    assert_int_equal(outbox_get(fx->st, 999, NULL, &it, &body, err, sizeof err), OUTBOX_NOT_FOUND);
}

/* ---- lifecycle -------------------------------------------------------------- */

static void test_claim_finish(void **state)
{
    fx_t *fx = *state;
    char err[256], *plain;
    outbox_item_t it;
    unsigned char *raw;
    size_t len;

    long long a = enq(fx, "{\"n\":1}", false, "a", T0);
    long long b = enq(fx, HELP, true, "b", T0 + 10);
    assert_int_equal(outbox_claim(fx->st, T0 - 1, &it, &raw, &len, err, sizeof err), 0);

    /* Oldest due first; claimed items are sending, attempts counted. */
    assert_int_equal(outbox_claim(fx->st, T0 + 10, &it, &raw, &len, err, sizeof err), 1);
    assert_int_equal(it.id, a);
    assert_int_equal(it.state, OUTBOX_SENDING);
    assert_int_equal(it.attempts, 1);
    assert_int_equal(len, 7);
    assert_memory_equal(raw, "{\"n\":1}", 7);
    free(raw);
    assert_int_equal(outbox_claim(fx->st, T0 + 10, &it, &raw, &len, err, sizeof err), 1);
    assert_int_equal(it.id, b);
    assert_true(it.sealed);
    assert_int_equal(outbox_unseal(&fx->key, raw, len, &plain, NULL), 0);
    assert_string_equal(plain, HELP);
    free(plain);
    free(raw);
    assert_int_equal(outbox_claim(fx->st, T0 + 10, &it, &raw, &len, err, sizeof err), 0);

    /* A retry: due later; a done one keeps the answer. */
    assert_int_equal(outbox_finish(fx->st, a, OUTBOX_QUEUED, 500, "http_500", NULL, T0 + 500,
                                   T0 + 20, err, sizeof err), 0);
    assert_int_equal(outbox_finish(fx->st, a, OUTBOX_DONE, 201, NULL, "{}", 0, T0 + 20, err,
                                   sizeof err), OUTBOX_WRONG_STATE);
    int64_t due;
    assert_int_equal(outbox_next_due(fx->st, &due), 1);
    assert_int_equal(due, T0 + 500);
    assert_int_equal(outbox_claim(fx->st, T0 + 499, &it, &raw, &len, err, sizeof err), 0);
    assert_int_equal(outbox_claim(fx->st, T0 + 500, &it, &raw, &len, err, sizeof err), 1);
    free(raw);
    assert_int_equal(it.attempts, 2);
    assert_string_equal(it.last_error, "http_500");
    assert_int_equal(outbox_finish(fx->st, a, OUTBOX_DONE, 201, NULL, "{\"help\":{}}", 0,
                                   T0 + 600, err, sizeof err), 0);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox WHERE response = '{\"help\":{}}'"), 1);

    /* b was left sending (a crash): requeued, due at once. */
    outbox_counts_t c;
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.sending, 1);
    assert_int_equal(c.done, 1);
    assert_int_equal(outbox_requeue_interrupted(fx->st, T0 + 700), 1);
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.queued, 1);
    assert_int_equal(c.sending, 0);
    assert_int_equal(c.oldest_queued_ms, T0 + 10);
    assert_int_equal(outbox_claim(fx->st, T0 + 700, &it, &raw, &len, err, sizeof err), 1);
    free(raw);
    assert_int_equal(it.attempts, 2);
    assert_int_equal(outbox_finish(fx->st, b, OUTBOX_DEAD, 422, "422 invalid_field: contact",
                                   NULL, 0, T0 + 800, err, sizeof err), 0);
    assert_int_equal(outbox_counts(fx->st, &c), 0);
    assert_int_equal(c.dead, 1);
    assert_int_equal(c.done, 1);
    assert_int_equal(c.queued + c.sending, 0);

    /* list: newest first, filtered. */
    outbox_item_t items[4];
    assert_int_equal(outbox_list(fx->st, -1, items, 4), 2);
    assert_int_equal(items[0].id, b);
    assert_int_equal(items[0].state, OUTBOX_DEAD);
    assert_int_equal(items[0].http, 422);
    assert_int_equal(outbox_list(fx->st, OUTBOX_DONE, items, 4), 1);
    assert_int_equal(items[0].id, a);
    assert_int_equal(outbox_list(fx->st, -1, items, 1), 1);

    /* prune: done items only, by age. */
    assert_int_equal(outbox_prune(fx->st, T0 + 600), 0);
    assert_int_equal(outbox_prune(fx->st, T0 + 601), 1);
    assert_int_equal(outbox_prune(fx->st, T0 + 100000), 0);
}

static void test_staff_retry_drop(void **state)
{
    fx_t *fx = *state;
    char err[256];
    outbox_item_t it;
    unsigned char *raw;
    size_t len;

    long long a = enq(fx, "{}", false, "a", T0);
    long long b = enq(fx, "{}", false, "b", T0 + 1);
    assert_int_equal(outbox_claim(fx->st, T0, &it, &raw, &len, err, sizeof err), 1);
    free(raw);
    /* Sending: the sender's; staff can neither retry nor drop it. */
    assert_int_equal(outbox_retry(fx->st, a, T0), OUTBOX_WRONG_STATE);
    assert_int_equal(outbox_drop(fx->st, a), OUTBOX_WRONG_STATE);
    assert_int_equal(outbox_finish(fx->st, a, OUTBOX_DEAD, 401, "401 unauthorized", NULL, 0,
                                   T0, err, sizeof err), 0);
    /* Dead -> queued, attempts back to 0, due now. */
    assert_int_equal(outbox_retry(fx->st, a, T0 + 5000), 0);
    assert_int_equal(outbox_get(fx->st, a, NULL, &it, NULL, err, sizeof err), 0);
    assert_int_equal(it.state, OUTBOX_QUEUED);
    assert_int_equal(it.attempts, 0);
    assert_int_equal(it.next_try_ms, T0 + 5000);
    assert_int_equal(outbox_retry(fx->st, 999, T0), OUTBOX_NOT_FOUND);
    assert_int_equal(outbox_drop(fx->st, 999), OUTBOX_NOT_FOUND);
    assert_int_equal(outbox_drop(fx->st, b), 0);
    assert_int_equal(outbox_drop(fx->st, b), OUTBOX_NOT_FOUND);
    /* Done cannot be retried (it would be sent again), can be dropped. */
    assert_int_equal(outbox_claim(fx->st, T0 + 5000, &it, &raw, &len, err, sizeof err), 1);
    free(raw);
    assert_int_equal(outbox_finish(fx->st, a, OUTBOX_DONE, 201, NULL, "{}", 0, T0, err,
                                   sizeof err), 0);
    assert_int_equal(outbox_retry(fx->st, a, T0), OUTBOX_WRONG_STATE);
    assert_int_equal(outbox_drop(fx->st, a), 0);
}

/* Disk full during enqueue: -1 with a reason, the caller's transaction
 * still usable, earlier items intact, the database not corrupt; enqueues
 * work again once there is room. */
static void test_disk_full(void **state)
{
    fx_t *fx = *state;
    char err[256] = "", pragma[64], *body = malloc(8001);
    int rc = 0, ok = 0;

    for (int i = 0; i < 3; i++) enq(fx, HELP, true, NULL, T0);
    long long pages = sql_int(fx->st, "PRAGMA page_count");
    snprintf(pragma, sizeof pragma, "PRAGMA max_page_count=%lld", pages + 2);
    exec_ok(fx->st, pragma);
    memset(body, 'x', 8000);
    memcpy(body, "{\"x\":\"", 6);
    strcpy(body + 7990, "\"}");
    for (int i = 0; i < 50 && rc == 0; i++) {
        rc = outbox_enqueue(fx->st, &fx->key, "help", "/v1/help", body, i % 2, NULL, T0,
                            NULL, err, sizeof err);
        if (rc == 0) ok++;
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "full"));
    assert_true(sqlite3_get_autocommit(store_db(fx->st)));    /* no transaction left open */

    /* In the caller's transaction: the caller's record can roll back cleanly. */
    exec_ok(fx->st, "BEGIN IMMEDIATE");
    assert_int_equal(outbox_enqueue_in(fx->st, &fx->key, "help", "/v1/help", body, true, NULL,
                                       T0, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "full"));
    /* SQLite may already have rolled the whole transaction back (disk full). */
    if (!sqlite3_get_autocommit(store_db(fx->st))) exec_ok(fx->st, "ROLLBACK");

    exec_ok(fx->st, "PRAGMA max_page_count=1073741823");
    long long before = sql_int(fx->st, "SELECT count(*) FROM outbox");
    assert_int_equal(before, 3 + ok);
    enq(fx, HELP, true, NULL, T0);
    assert_int_equal(sql_int(fx->st, "SELECT count(*) FROM outbox"), before + 1);
    char check[16] = "";
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_prepare_v2(store_db(fx->st), "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    snprintf(check, sizeof check, "%s", sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    assert_string_equal(check, "ok");
    free(body);
}

/* ---- policy ----------------------------------------------------------------- */

static void test_classify(void **state)
{
    hub_status_t st = {0};
    st.result = HUB_OK;
    assert_int_equal(outbox_classify(&st), OUTBOX_DONE);
    st.result = HUB_REFUSED;
    assert_int_equal(outbox_classify(&st), OUTBOX_DEAD);
    st.result = HUB_UNKNOWN;
    assert_int_equal(outbox_classify(&st), OUTBOX_QUEUED);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_names),
        T(test_same_transaction),
        T(test_enqueue_errors),
        T(test_key_file),
        T(test_seal_roundtrip),
        T(test_sealed_at_rest),
        T(test_claim_finish),
        T(test_staff_retry_drop),
        T(test_disk_full),
        cmocka_unit_test(test_classify),
    };
    if (sodium_init() < 0) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
