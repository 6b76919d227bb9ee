#include "migrate.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Runs every statement in SQL to completion. Returns SQLITE_OK or the
 * failing result code. */
static int run_script(sqlite3 *db, const char *sql)
{
    int rc = SQLITE_OK;
    sqlite3_stmt *stmt = NULL;
    const char *tail = sql;

    while (tail && *tail) {
        rc = sqlite3_prepare_v2(db, tail, -1, &stmt, &tail);
        if (rc != SQLITE_OK) goto fail;
        if (!stmt) break;           /* only whitespace or comments remained */
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {}
        if (rc != SQLITE_DONE) goto fail;
        rc = SQLITE_OK;
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
fail:
    sqlite3_finalize(stmt);
    return rc;
}

int migrate_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto fail;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) goto fail;
    *out = sqlite3_column_int(stmt, 0);
    rc = SQLITE_OK;
fail:
    sqlite3_finalize(stmt);
    return rc;
}

/* Applies the next step DB lacks, if any, in one IMMEDIATE transaction.
 * *VERSION is the version found; *APPLIED says whether a step ran. */
static int step_one(sqlite3 *db, const migrate_step_t *steps, int n, int *version,
                    bool *applied, char *err, size_t errlen)
{
    char bump[64];
    bool in_txn = false;
    int rc;

    *applied = false;
    rc = run_script(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        set_err(err, errlen, "cannot begin a migration: %s", sqlite3_errmsg(db));
        goto fail;
    }
    in_txn = true;
    rc = migrate_version(db, version);
    if (rc != SQLITE_OK) {
        set_err(err, errlen, "cannot read user_version: %s", sqlite3_errmsg(db));
        goto fail;
    }
    if (*version > n) {
        rc = SQLITE_ERROR;
        set_err(err, errlen, "schema v%d is newer than this program (v%d)", *version, n);
        goto fail;
    }
    if (*version < n) {
        const migrate_step_t *st = &steps[*version];
        rc = run_script(db, st->sql);
        if (rc != SQLITE_OK) {
            set_err(err, errlen, "migration %d (%s) failed: %s", *version + 1, st->name,
                    sqlite3_errmsg(db));
            goto fail;
        }
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d", *version + 1);
        rc = run_script(db, bump);
        if (rc != SQLITE_OK) {
            set_err(err, errlen, "migration %d (%s): cannot set user_version: %s",
                    *version + 1, st->name, sqlite3_errmsg(db));
            goto fail;
        }
        *applied = true;
    }
    rc = run_script(db, "COMMIT");
    if (rc != SQLITE_OK) {
        set_err(err, errlen, "migration %d: cannot commit: %s", *version + 1, sqlite3_errmsg(db));
        goto fail;
    }
    in_txn = false;
    if (*applied) (*version)++;
fail:
    if (in_txn) run_script(db, "ROLLBACK");
    return rc;
}

int migrate_run(sqlite3 *db, const migrate_step_t *steps, int n, migrate_done_fn done,
                void *ctx, char *err, size_t errlen)
{
    bool applied = true;
    int version = 0;

    if (err && errlen > 0) err[0] = '\0';
    while (applied) {
        int rc = step_one(db, steps, n, &version, &applied, err, errlen);
        if (rc != SQLITE_OK) return rc;
        if (applied && done) done(version, steps[version - 1].name, ctx);
    }
    return SQLITE_OK;
}
