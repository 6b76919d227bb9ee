/* A kiosk's database survives every upgrade (docs/fleet-updates.md "Data
 * across versions"): for each earlier schema version k (the migration list
 * cut at k, as the release that knew k migrations left its database), a
 * database holding a setting and a queued receipt when the schema has them
 * is opened by this kiosk's store_open: it migrates to the newest version,
 * never moves the file aside, and keeps the rows. The reverse (a newer
 * schema opened by an older program) is moved aside by store_open, which is
 * why the fleet updater restores its copy when it rolls back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "store/store.h"
#include "support/tmpfiles.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tmp_dir_make(dir, sizeof dir, "store-upgrade");
}

static int teardown(void **state)
{
    (void)state;
    return tmp_dir_remove(dir);
}

static bool has_table(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    bool yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
}

static int count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

/* VAR/kiosk.db at schema K with the rows a kiosk of that release could
 * hold. Returns whether it has a print queue. */
static bool old_database(const char *var, int k)
{
    char path[256], err[300];
    snprintf(path, sizeof path, "mkdir -p '%s'", var);
    assert_int_equal(system(path), 0);
    snprintf(path, sizeof path, "%s/kiosk.db", var);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec(db, "PRAGMA journal_mode = WAL");
    if (store_schema_migrate_to(db, k, err, sizeof err) != SQLITE_OK) fail_msg("schema v%d: %s", k, err);
    assert_int_equal(count(db, "PRAGMA user_version"), k);
    exec(db, "INSERT INTO settings(key, value) VALUES('upgrade.marker', 'kept')");
    bool queue = has_table(db, "print_jobs");
    if (queue)
        exec(db, "INSERT INTO print_jobs(created, receipt, summary, state)"
                 " VALUES(1795915800, 'receipt kept', 'kept', 'queued')");
    sqlite3_close(db);
    return queue;
}

static void every_earlier_schema_migrates_and_keeps_its_rows(void **state)
{
    (void)state;
    int latest = store_schema_latest();
    assert_true(latest >= 2);
    for (int k = 1; k < latest; k++) {
        char var[128], err[300], v[32];
        snprintf(var, sizeof var, "%s/v%d", dir, k);
        bool queue = old_database(var, k);
        store_t *st = NULL;
        if (store_open(var, &st, err, sizeof err) != 0) fail_msg("v%d: store_open: %s", k, err);
        if (store_recovered_path(st)) fail_msg("v%d: the database was moved aside", k);
        assert_int_equal(store_schema_version(st), latest);
        assert_int_equal(store_setting_get(st, "upgrade.marker", v, sizeof v), 0);
        assert_string_equal(v, "kept");
        if (queue)
            assert_int_equal(count(store_db(st), "SELECT COUNT(*) FROM print_jobs WHERE receipt = 'receipt kept'"
                                                 " AND state = 'queued'"), 1);
        store_close(st);
    }
}

static void a_newer_schema_is_moved_aside_not_opened(void **state)
{
    (void)state;
    char var[128], err[300], path[300];
    snprintf(var, sizeof var, "%s/newer", dir);
    old_database(var, store_schema_latest());
    snprintf(path, sizeof path, "%s/kiosk.db", var);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec(db, "PRAGMA user_version = 999");        /* what a newer release left */
    sqlite3_close(db);
    store_t *st = NULL;
    assert_int_equal(store_open(var, &st, err, sizeof err), 0);
    assert_non_null(store_recovered_path(st));    /* kept aside, a fresh database in use */
    assert_int_equal(access(store_recovered_path(st), F_OK), 0);
    char v[32];
    assert_int_not_equal(store_setting_get(st, "upgrade.marker", v, sizeof v), 0);
    store_close(st);
    assert_int_equal(store_schema_migrate_to(NULL, store_schema_latest() + 1, err, sizeof err), SQLITE_MISUSE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_earlier_schema_migrates_and_keeps_its_rows),
        cmocka_unit_test(a_newer_schema_is_moved_aside_not_opened),
    };
    return cmocka_run_group_tests_name("store_upgrade", tests, setup, teardown);
}
