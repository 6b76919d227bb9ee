/* SQLite schema migrations keyed on PRAGMA user_version, for the kiosk's
 * store and the hub's database. A program lists its steps in order; the
 * database's user_version N means steps[0..N-1] have been applied. Each step
 * runs with its user_version bump in one BEGIN IMMEDIATE transaction, and
 * the version is read inside it, so a crash never leaves half a step and two
 * openers at once never apply one twice. A step is never edited once
 * shipped: change a schema by appending one. Runs on the caller's
 * connection, in the caller's thread. */
#ifndef COMMON_MIGRATE_H
#define COMMON_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>

typedef struct {
    const char *name;       /* for errors: "print queue" */
    const char *sql;        /* statements without parameters */
} migrate_step_t;

/* Called after step VERSION (1-based, = the new user_version) committed. */
typedef void (*migrate_done_fn)(int version, const char *name, void *ctx);

/* Reads PRAGMA user_version into *OUT. Returns SQLITE_OK or the error. */
int migrate_version(sqlite3 *db, int *out);

/* Applies the steps of STEPS (N of them) that DB lacks, calling DONE (may be
 * NULL) after each. Returns SQLITE_OK, or the failing result code with ERR
 * saying what failed, e.g. "migration 3 (print queue) failed: no such
 * table: x" or "schema v7 is newer than this program (v5)" (SQLITE_ERROR).
 * Steps committed before a failure stay. */
int migrate_run(sqlite3 *db, const migrate_step_t *steps, int n, migrate_done_fn done,
                void *ctx, char *err, size_t errlen);

#endif
