/* common/migrate.c: steps applied in order, each with its user_version bump
 * in one transaction; a failing step named and rolled back; a newer schema
 * refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <string.h>
#include "migrate.h"

static const migrate_step_t steps[] = {
    {"notes", "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL);"},
    {"seed", "INSERT INTO notes(body) VALUES('a'); INSERT INTO notes(body) VALUES('b');"},
    {"tags", "CREATE TABLE tags(note INTEGER NOT NULL REFERENCES notes(id), tag TEXT);"},
};
#define N_STEPS 3

static int count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int version(sqlite3 *db)
{
    int v = -1;
    assert_int_equal(migrate_version(db, &v), SQLITE_OK);
    return v;
}

typedef struct {
    int calls;
    int versions[8];
    const char *names[8];
} seen_t;

static void note(int v, const char *name, void *ctx)
{
    seen_t *s = ctx;
    s->versions[s->calls] = v;
    s->names[s->calls++] = name;
}

static int open_mem(void **state)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return -1;
    *state = db;
    return 0;
}

static int close_mem(void **state)
{
    sqlite3_close(*state);
    return 0;
}

static void applies_every_step_once(void **state)
{
    sqlite3 *db = *state;
    seen_t seen = {0};
    char err[200] = "stale";
    assert_int_equal(version(db), 0);
    assert_int_equal(migrate_run(db, steps, N_STEPS, note, &seen, err, sizeof err), SQLITE_OK);
    assert_string_equal(err, "");
    assert_int_equal(version(db), 3);
    assert_int_equal(seen.calls, 3);
    assert_int_equal(seen.versions[0], 1);
    assert_int_equal(seen.versions[2], 3);
    assert_string_equal(seen.names[1], "seed");
    assert_int_equal(count(db, "SELECT COUNT(*) FROM notes"), 2);
    /* Run again: nothing to do, the seed is not inserted twice. */
    assert_int_equal(migrate_run(db, steps, N_STEPS, note, &seen, err, sizeof err), SQLITE_OK);
    assert_int_equal(seen.calls, 3);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM notes"), 2);
    assert_int_equal(sqlite3_get_autocommit(db), 1);
}

static void continues_from_the_stored_version(void **state)
{
    sqlite3 *db = *state;
    seen_t seen = {0};
    assert_int_equal(migrate_run(db, steps, 1, NULL, NULL, NULL, 0), SQLITE_OK);
    assert_int_equal(version(db), 1);
    assert_int_equal(migrate_run(db, steps, N_STEPS, note, &seen, NULL, 0), SQLITE_OK);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(seen.versions[0], 2);
    assert_int_equal(version(db), 3);
}

static void a_failing_step_is_named_and_rolled_back(void **state)
{
    sqlite3 *db = *state;
    static const migrate_step_t bad[] = {
        steps[0],
        {"half done", "INSERT INTO notes(body) VALUES('kept?'); INSERT INTO nowhere VALUES(1);"},
    };
    char err[200];
    assert_int_not_equal(migrate_run(db, bad, 2, NULL, NULL, err, sizeof err), SQLITE_OK);
    assert_non_null(strstr(err, "migration 2 (half done) failed: "));
    assert_non_null(strstr(err, "nowhere"));
    assert_int_equal(version(db), 1);                        /* step 1 stays */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM notes"), 0);   /* step 2 left nothing */
    assert_int_equal(sqlite3_get_autocommit(db), 1);         /* no transaction left open */
}

static void a_newer_schema_is_refused(void **state)
{
    sqlite3 *db = *state;
    char err[200];
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(migrate_run(db, steps, N_STEPS, NULL, NULL, err, sizeof err), SQLITE_ERROR);
    assert_string_equal(err, "schema v7 is newer than this program (v3)");
    assert_int_equal(version(db), 7);
    assert_int_equal(sqlite3_get_autocommit(db), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(applies_every_step_once, open_mem, close_mem),
        cmocka_unit_test_setup_teardown(continues_from_the_stored_version, open_mem, close_mem),
        cmocka_unit_test_setup_teardown(a_failing_step_is_named_and_rolled_back, open_mem, close_mem),
        cmocka_unit_test_setup_teardown(a_newer_schema_is_refused, open_mem, close_mem),
    };
    return cmocka_run_group_tests_name("common_migrate", tests, NULL, NULL);
}
