/* Storage module: opening, WAL, migrations, corruption recovery, accessors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "app/tour.h"
#include "store/store.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 2026-11-29 01:37:55 UTC; file names carry China time (UTC+8) whatever the
 * machine's zone (the tests run with TZ=UTC). */
#define FAKE_NOW ((time_t)1795916275)
#define FAKE_STAMP "20261129-093755"
#define MAX_NOTICES 64

typedef struct {
    char dir[64];           /* the mkdtemp directory, removed in teardown */
    char var[128];          /* dir/var: the var_dir handed to store_open */
} fixture_t;

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    strcpy(fx->dir, "/tmp/kiosk-store-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->var, sizeof fx->var, "%s/var", fx->dir);
    clock_fake_set(0, FAKE_NOW);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    int rc = nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    clock_fake_off();
    return rc;
}

/* ---- helpers ---------------------------------------------------------- */

static void join(char *out, size_t outlen, const char *dir, const char *name)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < outlen);
}

static int exists(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) == 0;
}

static long file_size(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return -1;
    return (long)sb.st_size;
}

/* Deterministic filler bytes (xorshift32), so a failure is reproducible. */
static void fill_garbage(unsigned char *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)x;
    }
}

static void write_bytes(const char *path, long offset, const void *data, size_t len)
{
    FILE *f = fopen(path, exists(path) ? "r+b" : "wb");
    assert_non_null(f);
    assert_int_equal(fseek(f, offset, SEEK_SET), 0);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_garbage(const char *path, size_t len, uint32_t seed)
{
    unsigned char *buf = malloc(len);
    assert_non_null(buf);
    fill_garbage(buf, len, seed);
    write_bytes(path, 0, buf, len);
    free(buf);
}

/* 1 if the file at PATH holds exactly the garbage write_garbage(len, seed)
 * wrote. */
static int holds_garbage(const char *path, size_t len, uint32_t seed)
{
    unsigned char *want = malloc(len), *got = malloc(len + 1);
    FILE *f = fopen(path, "rb");
    int same = 0;
    if (want && got && f) {
        fill_garbage(want, len, seed);
        same = fread(got, 1, len + 1, f) == len && memcmp(want, got, len) == 0;
    }
    if (f) fclose(f);
    free(want);
    free(got);
    return same;
}

static void read_file(const char *path, unsigned char **data, long *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *len = file_size(path);
    assert_true(*len > 0);
    *data = malloc((size_t)*len);
    assert_non_null(*data);
    assert_int_equal(fread(*data, 1, (size_t)*len, f), (size_t)*len);
    fclose(f);
}

static int same_file(const char *path, const unsigned char *data, long len)
{
    unsigned char *got;
    long got_len;
    int same;
    if (file_size(path) != len) return 0;
    read_file(path, &got, &got_len);
    same = memcmp(got, data, (size_t)len) == 0;
    free(got);
    return same;
}

static store_t *open_ok(const char *var)
{
    store_t *st = NULL;
    char err[512] = "";
    int rc = store_open(var, &st, err, sizeof err);
    if (rc != 0) fail_msg("store_open(%s): %s", var, err);
    assert_non_null(st);
    return st;
}

static void exec_sql(store_t *st, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(store_db(st), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", msg ? msg : "?");
        sqlite3_free(msg);
        fail_msg("%s: %s", sql, copy);
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

static void query_str(store_t *st, const char *sql, char *buf, size_t buflen)
{
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    snprintf(buf, buflen, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
}

static notice_t make_notice(const char *category, const char *title,
                            time_t published, int pinned)
{
    notice_t n;
    memset(&n, 0, sizeof n);
    snprintf(n.category, sizeof n.category, "%s", category);
    snprintf(n.title, sizeof n.title, "%s", title);
    snprintf(n.body, sizeof n.body, "Body of %s.", title);
    n.published = published;
    n.pinned = pinned;
    return n;
}

/* Builds a closed database of many pages in VAR (about 60 KiB of notices). */
static void make_big_db(const char *var)
{
    store_t *st = open_ok(var);
    notice_t n = make_notice("event", "filler", 1000, 0);
    memset(n.body, 'x', 400);
    n.body[400] = '\0';
    for (int i = 0; i < 150; i++) {
        n.published = 1000 + i;
        assert_int_equal(store_notice_add(st, "en", &n), 0);
    }
    store_close(st);
}

/* Opens VAR, expecting the existing kiosk.db to be moved aside to
 * kiosk.db.corrupt-FAKE_STAMP, and checks the fresh database is usable. */
static store_t *open_expect_recovery(const char *var, char *aside, size_t asidelen)
{
    store_t *st = open_ok(var);
    notice_t out[MAX_NOTICES];
    const char *moved = store_recovered_path(st);

    join(aside, asidelen, var, "kiosk.db.corrupt-" FAKE_STAMP);
    assert_non_null(moved);
    assert_string_equal(moved, aside);
    assert_true(exists(aside));
    assert_int_equal(store_schema_version(st), store_schema_latest());
    assert_int_equal(store_notices(st, "en", out, MAX_NOTICES), 0);     /* fresh: no notices */
    assert_int_equal(store_setting_set(st, "after", "recovery"), 0);
    return st;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

static int valid_category(const char *c)
{
    static const char *const ok[] = {"community", "government", "event",
                                     "library", "lecture"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(c, ok[i]) == 0) return 1;
    return 0;
}

/* ---- opening ---------------------------------------------------------- */

static void test_fresh_open_wal_latest(void **state)
{
    fixture_t *fx = *state;
    char var[256], db[320], wal[320], mode[32];
    store_t *st;

    /* var_dir parents are created too. */
    join(var, sizeof var, fx->var, "a/b");
    st = open_ok(var);
    join(db, sizeof db, var, "kiosk.db");
    join(wal, sizeof wal, var, "kiosk.db-wal");

    assert_true(exists(db));
    assert_null(store_recovered_path(st));
    assert_true(store_schema_latest() >= 4);
    assert_int_equal(store_schema_version(st), store_schema_latest());
    query_str(st, "PRAGMA journal_mode", mode, sizeof mode);
    assert_string_equal(mode, "wal");
    assert_int_equal(query_ll(st, "PRAGMA synchronous"), 1);    /* NORMAL */
    assert_int_equal(query_ll(st, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_ll(st, "PRAGMA busy_timeout"), 2000);
    assert_true(sqlite3_db_readonly(store_db(st), "main") == 0);

    assert_int_equal(store_setting_set(st, "k", "v"), 0);
    assert_true(exists(wal));
    assert_true(file_size(wal) > 0);
    store_close(st);
}

static void test_reopen_keeps_data_no_rerun(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    notice_t n = make_notice("event", "Chess club", 2000000000, 0);
    notice_t m = make_notice("lecture", "Tea talk", 2000000100, 0);
    notice_t out[MAX_NOTICES];
    char buf[64];
    long long total;

    assert_int_equal(store_notice_add(st, "en", &n), 0);
    assert_int_equal(store_notice_add(st, "en", &m), 0);
    assert_int_equal(store_notice_add(st, "zh_CN", &n), 0);
    /* A deleted notice must stay deleted: no migration reruns. */
    exec_sql(st, "DELETE FROM notices WHERE locale = 'zh_CN'");
    assert_int_equal(store_setting_set(st, "volume", "7"), 0);
    assert_int_equal(store_session_log(st, 100, 160, "idle", 3), 0);
    total = query_ll(st, "SELECT count(*) FROM notices");
    assert_int_equal(total, 2);
    store_close(st);

    st = open_ok(fx->var);
    assert_null(store_recovered_path(st));
    assert_int_equal(store_schema_version(st), store_schema_latest());
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices"), total);
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices WHERE locale = 'zh_CN'"), 0);
    assert_int_equal(store_notices(st, "en", out, MAX_NOTICES), 2);
    assert_int_equal(store_setting_get(st, "volume", buf, sizeof buf), 0);
    assert_string_equal(buf, "7");
    assert_int_equal(store_session_count(st), 1);
    store_close(st);

    /* Two connections at once (e.g. kiosk and a staff tool) also agree. */
    st = open_ok(fx->var);
    store_t *other = open_ok(fx->var);
    assert_int_equal(query_ll(other, "SELECT count(*) FROM notices"), total);
    store_close(other);
    store_close(st);
}

static void test_partial_schema_resumes(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);

    /* user_version 1 means only migration 1 has run: opening applies the
     * rest, which add no notices of their own and keep the existing ones. */
    notice_t n = make_notice("community", "Lift repairs", 1795000000, 0);
    assert_int_equal(store_notice_add(st, "en", &n), 0);
    exec_sql(st, "PRAGMA user_version = 1");
    store_close(st);

    st = open_ok(fx->var);
    assert_null(store_recovered_path(st));
    assert_int_equal(store_schema_version(st), store_schema_latest());
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices"), 1);
    store_close(st);
}

/* ---- corruption recovery ---------------------------------------------- */

static void test_random_bytes_moved_aside(void **state)
{
    fixture_t *fx = *state;
    char db[256], wal[256], shm[256], aside[320], aside_wal[340], aside_shm[340];
    store_t *st;

    assert_int_equal(mkdir(fx->var, 0700), 0);
    join(db, sizeof db, fx->var, "kiosk.db");
    join(wal, sizeof wal, fx->var, "kiosk.db-wal");
    join(shm, sizeof shm, fx->var, "kiosk.db-shm");
    write_garbage(db, 65536, 11);
    write_garbage(wal, 8192, 12);
    write_garbage(shm, 32768, 13);

    st = open_expect_recovery(fx->var, aside, sizeof aside);
    snprintf(aside_wal, sizeof aside_wal, "%s-wal", aside);
    snprintf(aside_shm, sizeof aside_shm, "%s-shm", aside);
    assert_true(holds_garbage(aside, 65536, 11));
    assert_true(holds_garbage(aside_wal, 8192, 12));
    /* The -shm is only an index SQLite rebuilds from the WAL when it opens
     * one, so it moves along but its bytes are not kept. */
    assert_true(exists(aside_shm));
    assert_true(exists(db));
    store_close(st);

    /* The fresh database is a normal one from now on. */
    st = open_ok(fx->var);
    assert_null(store_recovered_path(st));
    char buf[32];
    assert_int_equal(store_setting_get(st, "after", buf, sizeof buf), 0);
    assert_string_equal(buf, "recovery");
    store_close(st);
}

static void test_truncated_db_moved_aside(void **state)
{
    fixture_t *fx = *state;
    char db[256], aside[320];
    unsigned char *orig;
    long len;
    store_t *st;

    make_big_db(fx->var);
    join(db, sizeof db, fx->var, "kiosk.db");
    assert_true(file_size(db) >= 16 * 4096);
    assert_int_equal(truncate(db, file_size(db) / 2), 0);
    read_file(db, &orig, &len);

    st = open_expect_recovery(fx->var, aside, sizeof aside);
    assert_true(same_file(aside, orig, len));
    free(orig);
    store_close(st);
}

static void test_short_db_moved_aside(void **state)
{
    fixture_t *fx = *state;
    char db[256], aside[320];
    store_t *st;

    /* Cut inside page 1: the header survives, the schema page does not. */
    make_big_db(fx->var);
    join(db, sizeof db, fx->var, "kiosk.db");
    assert_int_equal(truncate(db, 1000), 0);

    st = open_expect_recovery(fx->var, aside, sizeof aside);
    assert_int_equal(file_size(aside), 1000);
    store_close(st);
}

static void test_overwritten_page_moved_aside(void **state)
{
    fixture_t *fx = *state;
    char db[256], aside[320];
    unsigned char page[4096], *orig;
    long len, pages;
    sqlite3 *raw = NULL;
    sqlite3_stmt *stmt = NULL;
    store_t *st;

    make_big_db(fx->var);
    join(db, sizeof db, fx->var, "kiosk.db");
    pages = file_size(db) / 4096;
    assert_true(pages >= 16);
    fill_garbage(page, sizeof page, 21);
    write_bytes(db, (pages / 2) * 4096, page, sizeof page);

    /* Precondition: SQLite itself finds the file damaged. */
    assert_int_equal(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    int rc = sqlite3_prepare_v2(raw, "PRAGMA quick_check", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW)
            assert_string_not_equal((const char *)sqlite3_column_text(stmt, 0), "ok");
    }
    sqlite3_finalize(stmt);
    sqlite3_close(raw);

    read_file(db, &orig, &len);
    st = open_expect_recovery(fx->var, aside, sizeof aside);
    assert_true(same_file(aside, orig, len));
    free(orig);
    store_close(st);
}

static void test_future_version_moved_aside(void **state)
{
    fixture_t *fx = *state;
    char aside[320];
    store_t *st = open_ok(fx->var);

    assert_int_equal(store_setting_set(st, "from", "the future"), 0);
    exec_sql(st, "PRAGMA user_version = 99");
    store_close(st);

    st = open_expect_recovery(fx->var, aside, sizeof aside);
    char buf[32];
    assert_int_equal(store_setting_get(st, "from", buf, sizeof buf), -1);
    store_close(st);

    /* The moved file is intact: a newer program could still read it. */
    sqlite3 *raw = NULL;
    sqlite3_stmt *stmt = NULL;
    assert_int_equal(sqlite3_open_v2(aside, &raw, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(stmt, 0), 99);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
}

static void test_aside_name_collision(void **state)
{
    fixture_t *fx = *state;
    char db[256], aside[320], want[340];
    store_t *st;

    assert_int_equal(mkdir(fx->var, 0700), 0);
    join(db, sizeof db, fx->var, "kiosk.db");
    join(aside, sizeof aside, fx->var, "kiosk.db.corrupt-" FAKE_STAMP);
    write_garbage(aside, 100, 1);                    /* taken: plain name */
    snprintf(want, sizeof want, "%s-1-wal", aside);  /* taken: -1 via a sidecar */
    write_garbage(want, 100, 2);

    write_garbage(db, 5000, 3);
    st = open_ok(fx->var);
    snprintf(want, sizeof want, "%s-2", aside);
    assert_non_null(store_recovered_path(st));
    assert_string_equal(store_recovered_path(st), want);
    assert_true(holds_garbage(want, 5000, 3));
    assert_true(holds_garbage(aside, 100, 1));       /* never overwritten */
    store_close(st);
}

static void test_aside_name_uses_china_time(void **state)
{
    fixture_t *fx = *state;
    char db[256], want[320];
    store_t *st;

    assert_int_equal(mkdir(fx->var, 0700), 0);
    join(db, sizeof db, fx->var, "kiosk.db");
    write_garbage(db, 4096, 5);

    /* China time whatever the machine's zone (TZ is UTC here). */
    snprintf(db, sizeof db, "%s/", fx->var);        /* trailing slash is fine */
    st = open_ok(db);
    join(want, sizeof want, fx->var, "kiosk.db.corrupt-20261129-093755");
    assert_non_null(store_recovered_path(st));
    assert_string_equal(store_recovered_path(st), want);
    store_close(st);
}

/* ---- var_dir errors --------------------------------------------------- */

static void test_unwritable_var_dir(void **state)
{
    fixture_t *fx = *state;
    char file[256], under[320], err[512];
    store_t *st = (store_t *)&err;       /* must be reset to NULL */

    join(file, sizeof file, fx->dir, "plain-file");
    write_garbage(file, 10, 1);
    join(under, sizeof under, file, "var");

    memset(err, 0, sizeof err);
    assert_int_equal(store_open(under, &st, err, sizeof err), -1);
    assert_null(st);
    assert_non_null(strstr(err, under));
    assert_non_null(strstr(err, "Not a directory"));

    /* var_dir that is itself a regular file. */
    st = (store_t *)&err;
    memset(err, 0, sizeof err);
    assert_int_equal(store_open(file, &st, err, sizeof err), -1);
    assert_null(st);
    assert_non_null(strstr(err, file));

    st = (store_t *)&err;
    assert_int_equal(store_open("", &st, err, sizeof err), -1);
    assert_null(st);
    assert_true(err[0] != '\0');
    assert_int_equal(store_open(NULL, &st, NULL, 0), -1);
    assert_null(st);

    /* Permission bits do not stop root, so this part needs another user. */
    if (geteuid() != 0) {
        char ro[256];
        join(ro, sizeof ro, fx->dir, "ro");
        assert_int_equal(mkdir(ro, 0500), 0);
        st = (store_t *)&err;
        assert_int_equal(store_open(ro, &st, err, sizeof err), -1);
        assert_null(st);
        assert_non_null(strstr(err, "not writable"));
        chmod(ro, 0700);
    }
}

/* ---- notices ---------------------------------------------------------- */

static int add_sample(void *ctx, const char *locale, const notice_t *n)
{
    return store_notice_add(ctx, locale, n) == 0 ? 0 : -1;
}

/* The tour's and the tests' sample notices (assets/tour/notices.json): the
 * same five in both languages, fit for the attract loop. */
static void test_sample_notices(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    static notice_t zh[MAX_NOTICES], en[MAX_NOTICES];
    assert_int_equal(store_notices(st, "en", en, MAX_NOTICES), 0);   /* none of its own */
    assert_int_equal(tour_notices_each("assets", add_sample, st), 10);
    int nzh = store_notices(st, "zh_CN", zh, MAX_NOTICES);
    int nen = store_notices(st, "en", en, MAX_NOTICES);

    assert_int_equal(nzh, 5);
    assert_int_equal(nen, 5);
    for (int i = 0; i < 5; i++) {
        /* The same five notices in both languages, in the same order. */
        assert_string_equal(zh[i].category, en[i].category);
        assert_int_equal(zh[i].published, en[i].published);
        assert_int_equal(zh[i].pinned, en[i].pinned);
        assert_true(valid_category(zh[i].category));
        assert_int_equal(zh[i].pinned, i == 0);
        if (i > 1) assert_true(zh[i - 1].published >= zh[i].published);
        assert_true(utf8_chars(zh[i].title) > 0 && utf8_chars(zh[i].title) <= 30);
        assert_true(strlen(en[i].title) > 0 && strlen(en[i].title) <= 60);
        assert_true(strlen(zh[i].body) > 20 && strlen(en[i].body) > 20);
        assert_null(strstr(en[i].body, "\xe3\x80"));      /* no CJK punctuation */
    }
    assert_non_null(strstr(zh[0].body, "幸福里社区"));
    assert_int_equal(store_notices(st, "fr", zh, MAX_NOTICES), 0);
    store_close(st);
}

/* Migration 2 used to insert these sample notices into every kiosk;
 * migration 10 removes exactly them. A database at version 9 holding them
 * and real notices (one with a demo title but another date) keeps only the
 * real ones. */
static void test_demo_notices_removed_by_migration(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    assert_int_equal(store_schema_latest(), 10);
    assert_int_equal(tour_notices_each("assets", add_sample, st), 10);
    notice_t real = make_notice("community", "Lift repairs", 1795000000, 0);
    notice_t same_title = make_notice("government", "Heating season starts 15 November", 1795100000, 1);
    assert_int_equal(store_notice_add(st, "en", &real), 0);
    assert_int_equal(store_notice_add(st, "en", &same_title), 0);
    assert_int_equal(store_notice_add(st, "zh_CN", &real), 0);
    exec_sql(st, "PRAGMA user_version = 9");
    store_close(st);

    st = open_ok(fx->var);
    assert_null(store_recovered_path(st));
    assert_int_equal(store_schema_version(st), 10);
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices"), 3);
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices WHERE title = 'Lift repairs'"), 2);
    assert_int_equal(query_ll(st, "SELECT count(*) FROM notices WHERE published = 1795100000"), 1);
    store_close(st);
}

static void test_notice_order_and_locale(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    notice_t out[MAX_NOTICES];
    notice_t a = make_notice("community", "A", 100, 1);
    notice_t b = make_notice("government", "B", 300, 0);
    notice_t c = make_notice("event", "C", 200, 0);
    notice_t d = make_notice("library", "D", 50, 1);
    notice_t e = make_notice("lecture", "E", 300, 0);   /* ties B, added later */
    notice_t f = make_notice("event", "停水通知", 400, 0);
    notice_t bad = make_notice("weather", "X", 1, 0);
    const char *want[] = {"A", "D", "E", "B", "C"};

    exec_sql(st, "DELETE FROM notices");
    assert_int_equal(store_notice_add(st, "en", &a), 0);
    assert_int_equal(store_notice_add(st, "en", &b), 0);
    assert_int_equal(store_notice_add(st, "en", &c), 0);
    assert_int_equal(store_notice_add(st, "en", &d), 0);
    assert_int_equal(store_notice_add(st, "en", &e), 0);
    assert_int_equal(store_notice_add(st, "zh_CN", &f), 0);
    assert_int_equal(store_notice_add(st, "en", &bad), -1);   /* CHECK fails */

    assert_int_equal(store_notices(st, "en", out, MAX_NOTICES), 5);
    for (int i = 0; i < 5; i++) assert_string_equal(out[i].title, want[i]);
    assert_string_equal(out[0].category, "community");
    assert_string_equal(out[0].body, "Body of A.");
    assert_int_equal(out[0].published, 100);
    assert_int_equal(out[0].pinned, 1);
    assert_int_equal(out[4].pinned, 0);
    assert_true(out[2].id > out[3].id);
    assert_true(out[0].id > 0);

    /* MAX caps the result; the first entries are still the top ones. */
    assert_int_equal(store_notices(st, "en", out, 2), 2);
    assert_string_equal(out[0].title, "A");
    assert_string_equal(out[1].title, "D");
    assert_int_equal(store_notices(st, "en", out, 0), 0);
    assert_int_equal(store_notices(st, "en", NULL, 1), -1);

    assert_int_equal(store_notices(st, "zh_CN", out, MAX_NOTICES), 1);
    assert_string_equal(out[0].title, "停水通知");
    assert_string_equal(out[0].category, "event");
    assert_int_equal(store_notices(st, "zh", out, MAX_NOTICES), 0);
    store_close(st);
}

static void test_long_notice_cut_at_char_boundary(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    static notice_t out[MAX_NOTICES];
    sqlite3_stmt *stmt = NULL;
    char title[601];

    /* 200 three-byte characters, more than notice_t.title holds. */
    for (int i = 0; i < 200; i++) memcpy(title + 3 * i, "通", 3);
    title[600] = '\0';
    exec_sql(st, "DELETE FROM notices");
    assert_int_equal(sqlite3_prepare_v2(store_db(st),
                     "INSERT INTO notices(locale, category, title, body, published)"
                     " VALUES('zh_CN', 'community', ?1, 'b', 1)", -1, &stmt, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_bind_text(stmt, 1, title, -1, SQLITE_STATIC), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);

    assert_int_equal(store_notices(st, "zh_CN", out, MAX_NOTICES), 1);
    assert_int_equal(strlen(out[0].title), 255);              /* 85 whole chars */
    assert_memory_equal(out[0].title, title, 255);
    store_close(st);
}

/* ---- session log and settings ----------------------------------------- */

static void test_session_log_roundtrip(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    sqlite3_stmt *stmt = NULL;

    assert_int_equal(store_session_count(st), 0);
    assert_int_equal(store_session_log(st, 1000, 1060, "idle", 4), 0);
    assert_int_equal(store_session_log(st, 2000, 2300, "done", 9), 0);
    assert_int_equal(store_session_log(st, 3000, 3001, NULL, 0), 0);
    assert_int_equal(store_session_count(st), 3);
    store_close(st);

    st = open_ok(fx->var);
    assert_int_equal(store_session_count(st), 3);
    assert_int_equal(sqlite3_prepare_v2(store_db(st),
                     "SELECT started, ended, end_reason, screens FROM session_log"
                     " ORDER BY id", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(stmt, 0), 1000);
    assert_int_equal(sqlite3_column_int64(stmt, 1), 1060);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 2), "idle");
    assert_int_equal(sqlite3_column_int(stmt, 3), 4);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 2), "done");
    assert_int_equal(sqlite3_column_int(stmt, 3), 9);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_int_equal(sqlite3_column_type(stmt, 2), SQLITE_NULL);
    assert_int_equal(sqlite3_column_int64(stmt, 1), 3001);
    assert_int_equal(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
    store_close(st);
}

static void test_settings_roundtrip(void **state)
{
    fixture_t *fx = *state;
    store_t *st = open_ok(fx->var);
    char buf[64], small[4];

    assert_int_equal(store_setting_get(st, "locale", buf, sizeof buf), -1);
    assert_int_equal(store_setting_set(st, "locale", "en"), 0);
    assert_int_equal(store_setting_get(st, "locale", buf, sizeof buf), 0);
    assert_string_equal(buf, "en");
    assert_int_equal(store_setting_set(st, "locale", "zh_CN"), 0);
    assert_int_equal(store_setting_get(st, "locale", buf, sizeof buf), 0);
    assert_string_equal(buf, "zh_CN");
    assert_int_equal(query_ll(st, "SELECT count(*) FROM settings"), 1);

    assert_int_equal(store_setting_set(st, "greeting", "您好"), 0);
    assert_int_equal(store_setting_get(st, "greeting", buf, sizeof buf), 0);
    assert_string_equal(buf, "您好");
    assert_int_equal(store_setting_set(st, "empty", ""), 0);
    assert_int_equal(store_setting_get(st, "empty", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    /* Quotes are data, not SQL. */
    assert_int_equal(store_setting_set(st, "q'; DROP TABLE settings;--", "x'y"), 0);
    assert_int_equal(store_setting_get(st, "q'; DROP TABLE settings;--", buf,
                                       sizeof buf), 0);
    assert_string_equal(buf, "x'y");

    /* Exactly fits, then one byte too long. */
    assert_int_equal(store_setting_set(st, "n", "abc"), 0);
    assert_int_equal(store_setting_get(st, "n", small, sizeof small), 0);
    assert_string_equal(small, "abc");
    assert_int_equal(store_setting_set(st, "n", "abcd"), 0);
    assert_int_equal(store_setting_get(st, "n", small, sizeof small), -1);

    assert_int_equal(store_setting_set(st, NULL, "v"), -1);
    assert_int_equal(store_setting_set(st, "k", NULL), -1);
    assert_int_equal(store_setting_get(st, "k", NULL, 10), -1);
    store_close(st);

    st = open_ok(fx->var);
    assert_int_equal(store_setting_get(st, "greeting", buf, sizeof buf), 0);
    assert_string_equal(buf, "您好");
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_fresh_open_wal_latest),
        T(test_reopen_keeps_data_no_rerun),
        T(test_partial_schema_resumes),
        T(test_random_bytes_moved_aside),
        T(test_truncated_db_moved_aside),
        T(test_short_db_moved_aside),
        T(test_overwritten_page_moved_aside),
        T(test_future_version_moved_aside),
        T(test_aside_name_collision),
        T(test_aside_name_uses_china_time),
        T(test_unwritable_var_dir),
        T(test_sample_notices),
        T(test_demo_notices_removed_by_migration),
        T(test_notice_order_and_locale),
        T(test_long_notice_cut_at_char_boundary),
        T(test_session_log_roundtrip),
        T(test_settings_roundtrip),
#undef T
    };

    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
