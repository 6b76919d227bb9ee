/* The demo data of build/hub --demo: SQL files in the demo directory
 * (hub/demo/ of the source tree unless demo_dir / --demo-dir says otherwise),
 * each loaded once into an empty part of the database. Runs on the main
 * thread before the server starts. A missing or broken file is reported on
 * stderr as "hub: FILE:LINE: what is wrong" and nothing of it is written. */
#include "api.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db.h"
#include "paths.h"

#define DAY (24 * 3600)
#define CST_OFFSET (8 * 3600)       /* China Standard Time, no DST */
#define DEMO_FILE_MAX (4 * 1024 * 1024)

/* "" until demo_dir / --demo-dir: the default of paths.h. */
static char demo_dir[PATH_MAX];

int demo_set_dir(const char *dir)
{
    if (!dir) dir = paths.hub_demo;
    if (!dir[0] || strlen(dir) >= sizeof demo_dir) return -1;
    snprintf(demo_dir, sizeof demo_dir, "%s", dir);
    return 0;
}

/* demo_time(DAY, 'HH:MM'): Unix time of HH:MM China time on the seed day +
 * DAY. The seed day's midnight is the function's user data. */
static void sql_demo_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const int64_t *today = sqlite3_user_data(ctx);
    const char *hm = (const char *)sqlite3_value_text(argv[1]);
    int h, m, used = 0;
    if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER || !hm ||
        sscanf(hm, "%2d:%2d%n", &h, &m, &used) != 2 || used != 5 || hm[5] ||
        h < 0 || h > 23 || m < 0 || m > 59) {
        char *msg = sqlite3_mprintf("demo_time wants (day, 'HH:MM'), not (%s, '%s')",
                                    sqlite3_value_text(argv[0]), hm ? hm : "NULL");
        sqlite3_result_error(ctx, msg ? msg : "demo_time wants (day, 'HH:MM')", -1);
        sqlite3_free(msg);
        return;
    }
    sqlite3_result_int64(ctx, *today + sqlite3_value_int64(argv[0]) * DAY + h * 3600 + m * 60);
}

/* demo_date(DAY): the seed day + DAY as YYYY-MM-DD (China time). */
static void sql_demo_date(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const int64_t *today = sqlite3_user_data(ctx);
    if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
        sqlite3_result_error(ctx, "demo_date wants (day)", -1);
        return;
    }
    time_t t = (time_t)(*today + sqlite3_value_int64(argv[0]) * DAY + CST_OFFSET);
    struct tm tm;
    char out[11];
    if (!gmtime_r(&t, &tm) || strftime(out, sizeof out, "%Y-%m-%d", &tm) != 10) {
        sqlite3_result_error(ctx, "demo_date: day out of range", -1);
        return;
    }
    sqlite3_result_text(ctx, out, 10, SQLITE_TRANSIENT);
}

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    if (!fp) {
        snprintf(err, errlen, "%s: cannot open: %s (demo_dir / --demo-dir)", path, strerror(errno));
        return NULL;
    }
    buf = malloc(DEMO_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, DEMO_FILE_MAX + 1, fp) : 0;
    if (!buf || ferror(fp) || n > DEMO_FILE_MAX) {
        snprintf(err, errlen, "%s: cannot read (or larger than %d bytes)", path, DEMO_FILE_MAX);
        goto fail;
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        snprintf(err, errlen, "%s: not a text file", path);
        goto fail;
    }
    fclose(fp);
    return buf;
fail:
    free(buf);
    fclose(fp);
    return NULL;
}

static int line_of(const char *text, const char *at)
{
    int line = 1;
    for (const char *p = text; p < at; p++) line += *p == '\n';
    return line;
}

/* The first character of the statement at P, past blanks and -- comments. */
static const char *statement_start(const char *p)
{
    for (;;) {
        p += strspn(p, " \t\r\n");
        if (p[0] != '-' || p[1] != '-') return p;
        p += strcspn(p, "\n");
    }
}

/* Runs every statement of demo_dir/NAME. TODAY (midnight, China time, of the
 * seed day) makes demo_time/demo_date available; NULL for data without
 * dates. The caller owns the transaction. 0, or -1 with the error printed. */
static int run_file(sqlite3 *db, const char *name, const int64_t *today)
{
    char path[PATH_MAX + 64], err[PATH_MAX + 400] = "";
    snprintf(path, sizeof path, "%s/%s", demo_dir[0] ? demo_dir : paths.hub_demo, name);
    char *sql = read_file(path, err, sizeof err);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (!sql) goto fail;
    if (today &&
        (sqlite3_create_function(db, "demo_time", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 (void *)today, sql_demo_time, NULL, NULL) != SQLITE_OK ||
         sqlite3_create_function(db, "demo_date", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 (void *)today, sql_demo_date, NULL, NULL) != SQLITE_OK)) {
        snprintf(err, sizeof err, "%s: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    for (const char *next = sql; *next;) {
        const char *start = next;
        if (sqlite3_prepare_v2(db, start, -1, &st, &next) != SQLITE_OK) {
            int off = sqlite3_error_offset(db);   /* -1 when SQLite cannot tell */
            const char *at = off >= 0 ? start + off : statement_start(start);
            snprintf(err, sizeof err, "%s:%d: %s", path, line_of(sql, at), sqlite3_errmsg(db));
            goto fail;
        }
        if (!st) continue;                  /* only comments or blanks left */
        start = statement_start(start);
        if (sqlite3_bind_parameter_count(st) != 0) {
            snprintf(err, sizeof err, "%s:%d: parameters are not supported", path, line_of(sql, start));
            goto fail;
        }
        int step = sqlite3_step(st);
        if (step != SQLITE_DONE) {
            snprintf(err, sizeof err, "%s:%d: %s", path, line_of(sql, start), sqlite3_errmsg(db));
            goto fail;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    rc = 0;
fail:
    sqlite3_finalize(st);
    if (today) {
        sqlite3_create_function(db, "demo_time", 2, SQLITE_UTF8, NULL, NULL, NULL, NULL);
        sqlite3_create_function(db, "demo_date", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    }
    if (rc != 0) fprintf(stderr, "hub: %s\n", err);
    free(sql);
    return rc;
}

/* Midnight, China time, of the day NOW falls on. */
static int64_t cst_midnight(int64_t now)
{
    return now - (((now + CST_OFFSET) % DAY) + DAY) % DAY;
}

/* Residents, accounts and a year of bills (demo/bills.sql), in one
 * transaction, only when there are no accounts yet (so a restarted demo hub
 * keeps what was paid). 0 ok, -1 on error (nothing written). */
int demo_seed_bills(sqlite3 *db)
{
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    long long n = db_int(db, "SELECT COUNT(*) FROM accounts", NULL, -1);
    if (n != 0) {
        db_exec(db, "ROLLBACK");
        return n > 0 ? 0 : -1;
    }
    if (run_file(db, "bills.sql", NULL) != 0 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}

/* The housekeeping catalogue, providers and two weeks of slots from the day
 * of NOW (demo/housekeeping.sql) into an empty catalogue; a database that
 * already has services is left alone. All or nothing. 0, or -1 on error. */
int demo_seed_housekeeping(sqlite3 *db, int64_t now)
{
    /* A savepoint works both on its own and inside a caller's transaction. */
    if (db_exec(db, "SAVEPOINT hk_seed") != 0) return -1;
    long long n = db_int(db, "SELECT count(*) FROM services", NULL, -1);
    int64_t today = cst_midnight(now);
    int rc = n < 0 ? -1 : n > 0 ? 0 : run_file(db, "housekeeping.sql", &today);
    if (rc != 0) db_exec(db, "ROLLBACK TO hk_seed");
    if (db_exec(db, "RELEASE hk_seed") != 0) return -1;
    return rc;
}

/* The demo content (demo/content.sql) once, into an empty content table,
 * with its times relative to the day of NOW: hubs seeded on the same day
 * hold the same bytes. 0, or -1 on error (nothing written). */
int demo_seed_content(sqlite3 *db, int64_t now)
{
    long long have = db_int(db, "SELECT COUNT(*) FROM content", NULL, -1);
    if (have != 0) return have > 0 ? 0 : -1;
    int64_t today = cst_midnight(now);
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    if (run_file(db, "content.sql", &today) != 0 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}
