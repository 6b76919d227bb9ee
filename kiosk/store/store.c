/* The kiosk database: opening, corruption recovery and the typed accessors.
 * Every statement is prepared per call and finalized before returning, so a
 * store_t holds no statement state and may be shared between threads (the
 * connection is opened with SQLITE_OPEN_FULLMUTEX) - except during
 * store_print_claim, whose transaction spans several statements and would
 * take in another thread's statements on the same connection. */
#include "store/store.h"

#include "core/clock.h"
#include "core/log.h"
#include "utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_PATH_MAX 4096
#define STORE_DB_NAME "kiosk.db"
#define STORE_BUSY_MS 2000
/* Gives up looking for a free kiosk.db.corrupt-STAMP-N name after this many. */
#define STORE_ASIDE_TRIES 1000

struct store {
    sqlite3 *db;
    char path[STORE_PATH_MAX];          /* var_dir/kiosk.db */
    char recovered[STORE_PATH_MAX];     /* where a broken file went, or "" */
};

/* The thread store_ui_thread_mark named (valid while ui_marked), and the
 * writes counted on it. */
static pthread_t ui_thread;
static atomic_bool ui_marked;
static atomic_long ui_writes;

void store_ui_thread_mark(bool on)
{
    if (on) ui_thread = pthread_self();
    atomic_store(&ui_writes, 0);
    atomic_store(&ui_marked, on);
}

long store_ui_thread_writes(void)
{
    return atomic_load(&ui_writes);
}

void store_write_check(const char *what)
{
    if (!atomic_load(&ui_marked) || !pthread_equal(pthread_self(), ui_thread)) return;
    if (atomic_fetch_add(&ui_writes, 1) == 0)
        log_warn("store", "%s written on the UI thread (use the store writer)", what);
}

/* Files SQLite may keep beside the database; they belong to it and move with
 * it. A -journal is included: left beside a fresh database it would be rolled
 * back into it. */
static const char *const sidecars[] = {"-wal", "-shm", "-journal"};
#define SIDECAR_COUNT ((int)(sizeof sidecars / sizeof sidecars[0]))

/* Outcome of one attempt at opening the database file. */
enum { OPEN_OK = 0, OPEN_CORRUPT = 1, OPEN_FAILED = -1 };

static void set_err(char *err, int errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, int errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen <= 0) return;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)errlen, fmt, ap);
    va_end(ap);
}

static int is_corrupt_rc(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT;
}

/* Logs a failed database call of store function WHAT; returns -1. */
static int db_fail(const store_t *st, const char *what)
{
    log_error("store", "%s: %s", what, sqlite3_errmsg(st->db));
    return -1;
}

/* Prepares and steps SQL (no parameters) once. If it yields a row, its first
 * column is copied as text into BUF (when BUF is not NULL); with no row BUF
 * becomes "". Returns SQLITE_OK or the failing result code. */
static int query_text(sqlite3 *db, const char *sql, char *buf, size_t buflen)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (buf && buflen > 0) buf[0] = '\0';
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        if (buf && buflen > 0)
            utf8_copy(buf, buflen, (const char *)sqlite3_column_text(stmt, 0));
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

/* Like query_text for a statement whose first row's first column is an
 * integer. Returns SQLITE_OK, SQLITE_DONE for no row, or the error code. */
static int query_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(stmt, 0);
        rc = SQLITE_OK;
    }
cleanup:
    sqlite3_finalize(stmt);
    return rc;
}

/* Creates DIR and any missing parents, then checks it is a writable
 * directory. Returns 0, or -1 with ERR naming the path and the reason. */
static int make_dirs(const char *dir, char *err, int errlen)
{
    char buf[STORE_PATH_MAX];
    struct stat sb;
    size_t len = strlen(dir);
    char *p;

    if (len >= sizeof buf) {
        set_err(err, errlen, "var_dir is too long (%zu bytes)", len);
        return -1;
    }
    memcpy(buf, dir, len + 1);
    for (p = buf + 1; ; p++) {
        char c = *p;
        if (c != '/' && c != '\0') continue;
        *p = '\0';
        if (mkdir(buf, 0750) != 0 && errno != EEXIST) {
            if (c == '\0')
                set_err(err, errlen, "cannot create var_dir '%s': %s",
                        dir, strerror(errno));
            else
                set_err(err, errlen, "cannot create var_dir '%s' (at '%s'): %s",
                        dir, buf, strerror(errno));
            return -1;
        }
        *p = c;
        if (c == '\0') break;
    }
    if (stat(dir, &sb) != 0) {
        set_err(err, errlen, "cannot use var_dir '%s': %s", dir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        set_err(err, errlen, "cannot use var_dir '%s': %s", dir, strerror(ENOTDIR));
        return -1;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        set_err(err, errlen, "var_dir '%s' is not writable: %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

static void close_db(store_t *st)
{
    if (!st->db) return;
    if (sqlite3_close(st->db) != SQLITE_OK)
        log_error("store", "closing %s: %s", st->path, sqlite3_errmsg(st->db));
    st->db = NULL;
}

/* Stops the close of st->db from deleting the -wal and -shm files (SQLite
 * drops a WAL it finds no valid frames in), so they move aside with the
 * database. Valid frames are still checkpointed into the database file. */
static void keep_wal_on_close(store_t *st)
{
    int persist = 1;
    if (st->db)
        sqlite3_file_control(st->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
}

/* Opens st->path, configures the connection, checks integrity and migrates.
 * Returns OPEN_OK; OPEN_CORRUPT with WHY saying what is wrong with the file
 * (the caller moves it aside); or OPEN_FAILED with WHY as the error message.
 * st->db may be left open in the last two cases. */
static int open_db(store_t *st, char *why, int whylen)
{
    char text[256];
    char msg[512];
    int rc, version = 0;
    const char *step = "open";

    rc = sqlite3_open_v2(st->path, &st->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) goto fail;
    if (sqlite3_db_readonly(st->db, "main") == 1) {
        set_err(why, whylen, "%s: the file is read-only", st->path);
        return OPEN_FAILED;
    }
    rc = sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
    if (rc != SQLITE_OK) goto fail;

    step = "set journal_mode";
    rc = query_text(st->db, "PRAGMA journal_mode=WAL", text, sizeof text);
    if (rc != SQLITE_OK) goto fail;
    if (strcasecmp(text, "wal") != 0) {
        set_err(why, whylen, "%s: journal_mode is '%s', not wal "
                "(does the file system support shared memory?)", st->path, text);
        return OPEN_FAILED;
    }
    step = "set synchronous";
    rc = query_text(st->db, "PRAGMA synchronous=NORMAL", NULL, 0);
    if (rc != SQLITE_OK) goto fail;
    step = "set foreign_keys";
    rc = query_text(st->db, "PRAGMA foreign_keys=ON", NULL, 0);
    if (rc != SQLITE_OK) goto fail;

    step = "quick_check";
    rc = query_text(st->db, "PRAGMA quick_check", text, sizeof text);
    if (rc != SQLITE_OK) goto fail;
    if (strcmp(text, "ok") != 0) {
        char *nl;
        while ((nl = strchr(text, '\n'))) *nl = ' ';  /* one log line */
        set_err(why, whylen, "quick_check: %s", text);
        return OPEN_CORRUPT;
    }

    step = "read user_version";
    rc = query_int(st->db, "PRAGMA user_version", &version);
    if (rc != SQLITE_OK) goto fail;
    if (version > store_schema_latest()) {
        set_err(why, whylen, "schema v%d is newer than this program knows (v%d)",
                version, store_schema_latest());
        return OPEN_CORRUPT;
    }

    rc = store_schema_migrate(st->db, msg, sizeof msg);
    if (rc != SQLITE_OK) {
        if (is_corrupt_rc(rc)) {
            set_err(why, whylen, "%s", msg);
            return OPEN_CORRUPT;
        }
        set_err(why, whylen, "%s: %s", st->path, msg);
        return OPEN_FAILED;
    }
    return OPEN_OK;

fail:
    if (is_corrupt_rc(rc)) {
        set_err(why, whylen, "%s: %s", step, sqlite3_errstr(rc));
        return OPEN_CORRUPT;
    }
    set_err(why, whylen, "%s: %s: %s", st->path, step,
            st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
    return OPEN_FAILED;
}

/* 1 if PATH or any of its sidecar names is taken (or cannot be checked). */
static int name_taken(const char *path)
{
    char side[STORE_PATH_MAX + 16];
    struct stat sb;
    int i;

    if (lstat(path, &sb) == 0 || errno != ENOENT) return 1;
    for (i = 0; i < SIDECAR_COUNT; i++) {
        snprintf(side, sizeof side, "%s%s", path, sidecars[i]);
        if (lstat(side, &sb) == 0 || errno != ENOENT) return 1;
    }
    return 0;
}

/* Renames the closed database st->path and its sidecars to
 * st->path.corrupt-YYYYMMDD-HHMMSS[-N] (local time of clock_wall(), N from 1
 * when the plain name is taken) and records the new name in st->recovered.
 * A sidecar that cannot be moved is deleted, so it cannot be replayed into
 * the fresh database. Returns 0, or -1 with ERR. */
static int move_aside(store_t *st, char *err, int errlen)
{
    char stamp[32];
    char base[STORE_PATH_MAX];
    char from[STORE_PATH_MAX + 16], to[STORE_PATH_MAX + 16];
    time_t now = clock_wall();
    struct tm tm;
    struct stat sb;
    int n, len, i;

    if (!clock_cst(now, &tm) ||
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0) {
        set_err(err, errlen, "cannot format the time %lld", (long long)now);
        return -1;
    }
    for (n = 0; n < STORE_ASIDE_TRIES; n++) {
        if (n == 0)
            len = snprintf(base, sizeof base, "%s.corrupt-%s", st->path, stamp);
        else
            len = snprintf(base, sizeof base, "%s.corrupt-%s-%d", st->path, stamp, n);
        if (len < 0 || (size_t)len >= sizeof base) {
            set_err(err, errlen, "%s: path too long to move aside", st->path);
            return -1;
        }
        if (!name_taken(base)) break;
    }
    if (n == STORE_ASIDE_TRIES) {
        set_err(err, errlen, "%s: no free name to move it aside as %s.corrupt-%s-N",
                st->path, st->path, stamp);
        return -1;
    }

    if (rename(st->path, base) != 0) {
        set_err(err, errlen, "cannot move broken database %s aside: %s",
                st->path, strerror(errno));
        return -1;
    }
    utf8_copy(st->recovered, sizeof st->recovered, base);

    for (i = 0; i < SIDECAR_COUNT; i++) {
        snprintf(from, sizeof from, "%s%s", st->path, sidecars[i]);
        snprintf(to, sizeof to, "%s%s", base, sidecars[i]);
        if (lstat(from, &sb) != 0) continue;
        if (rename(from, to) == 0) continue;
        log_error("store", "cannot move %s to %s: %s", from, to, strerror(errno));
        if (unlink(from) != 0) {
            set_err(err, errlen, "cannot move or delete %s: %s", from, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int store_open(const char *var_dir, store_t **out, char *err, int errlen)
{
    store_t *st = NULL;
    char why[STORE_PATH_MAX + 512];
    size_t dirlen;
    int rc = -1, state, len;

    if (err && errlen > 0) err[0] = '\0';
    if (!out) {
        set_err(err, errlen, "store_open: no place for the result");
        return -1;
    }
    *out = NULL;
    if (!var_dir || !var_dir[0]) {
        set_err(err, errlen, "var_dir is not set");
        return -1;
    }
    if (make_dirs(var_dir, err, errlen) != 0) return -1;

    st = calloc(1, sizeof *st);
    if (!st) {
        set_err(err, errlen, "out of memory");
        goto cleanup;
    }
    dirlen = strlen(var_dir);
    while (dirlen > 1 && var_dir[dirlen - 1] == '/') dirlen--;
    len = snprintf(st->path, sizeof st->path, "%.*s/%s", (int)dirlen, var_dir,
                   STORE_DB_NAME);
    if (len < 0 || (size_t)len >= sizeof st->path) {
        set_err(err, errlen, "var_dir '%s' is too long", var_dir);
        goto cleanup;
    }

    state = open_db(st, why, sizeof why);
    if (state == OPEN_CORRUPT) {
        keep_wal_on_close(st);
        close_db(st);
        if (move_aside(st, err, errlen) != 0) goto cleanup;
        log_warn("store", "%s is unusable (%s); moved it to %s and started "
                 "a fresh database", st->path, why, st->recovered);
        state = open_db(st, why, sizeof why);
        if (state == OPEN_CORRUPT) {
            set_err(err, errlen, "fresh database %s is unusable: %s", st->path, why);
            goto cleanup;
        }
    }
    if (state != OPEN_OK) {
        set_err(err, errlen, "%s", why);
        goto cleanup;
    }

    *out = st;
    st = NULL;
    rc = 0;

cleanup:
    store_close(st);
    return rc;
}

void store_close(store_t *st)
{
    if (!st) return;
    close_db(st);
    free(st);
}

const char *store_recovered_path(const store_t *st)
{
    return st && st->recovered[0] ? st->recovered : NULL;
}

int store_schema_version(store_t *st)
{
    int version = 0;

    if (!st) return -1;
    if (query_int(st->db, "PRAGMA user_version", &version) != SQLITE_OK)
        return db_fail(st, "schema_version");
    return version;
}

sqlite3 *store_db(store_t *st) { return st ? st->db : NULL; }

static int tx_exec(store_t *st, const char *sql, char *err, int errlen)
{
    if (!st || !st->db) {
        set_err(err, errlen, "no database");
        return -1;
    }
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
    set_err(err, errlen, "%s", sqlite3_errmsg(st->db));
    return -1;
}

int store_durable(store_t *st)
{
    if (!st || sqlite3_exec(st->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK) {
        log_error("store", "cannot set synchronous=FULL: %s",
                  st ? sqlite3_errmsg(st->db) : "no database");
        return -1;
    }
    return 0;
}

int store_tx_begin(store_t *st, char *err, int errlen)
{
    return tx_exec(st, "BEGIN IMMEDIATE", err, errlen);
}

int store_tx_commit(store_t *st, char *err, int errlen)
{
    return tx_exec(st, "COMMIT", err, errlen);
}

void store_tx_rollback(store_t *st)
{
    if (st && st->db && !sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_notices(store_t *st, const char *locale, notice_t *out, int max)
{
    static const char sql[] =
        "SELECT id, category, title, body, published, pinned FROM notices"
        " WHERE locale = ?1"
        " ORDER BY pinned DESC, published DESC, id DESC LIMIT ?2";
    sqlite3_stmt *stmt = NULL;
    int rc, count = 0;

    if (!st || !locale || max < 0 || (max > 0 && !out)) return -1;
    if (max == 0) return 0;

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, locale, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int(stmt, 2, max);
    if (rc != SQLITE_OK) goto cleanup;

    while (count < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        notice_t *n = &out[count++];
        memset(n, 0, sizeof *n);
        n->id = sqlite3_column_int64(stmt, 0);
        utf8_copy(n->category, sizeof n->category,
                  (const char *)sqlite3_column_text(stmt, 1));
        utf8_copy(n->title, sizeof n->title,
                  (const char *)sqlite3_column_text(stmt, 2));
        utf8_copy(n->body, sizeof n->body,
                  (const char *)sqlite3_column_text(stmt, 3));
        n->published = (time_t)sqlite3_column_int64(stmt, 4);
        n->pinned = sqlite3_column_int(stmt, 5) != 0;
    }
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? count : db_fail(st, "notices");
}

int store_notice_add(store_t *st, const char *locale, const notice_t *n)
{
    static const char sql[] =
        "INSERT INTO notices(locale, category, title, body, published, pinned)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!st || !locale || !n) return -1;

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, locale, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    /* Lengths are bounded by the arrays: a field filled to the brim without
     * a terminator is stored as its full array, never read past. */
    rc = sqlite3_bind_text(stmt, 2, n->category,
                           (int)strnlen(n->category, sizeof n->category), SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 3, n->title,
                           (int)strnlen(n->title, sizeof n->title), SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 4, n->body,
                           (int)strnlen(n->body, sizeof n->body), SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 5, (sqlite3_int64)n->published);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int(stmt, 6, n->pinned ? 1 : 0);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : db_fail(st, "notice_add");
}

int store_session_log(store_t *st, time_t started, time_t ended,
                      const char *end_reason, int screens_visited)
{
    static const char sql[] =
        "INSERT INTO session_log(started, ended, end_reason, screens)"
        " VALUES(?1, ?2, ?3, ?4)";
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!st) return -1;
    store_write_check("session log");

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)started);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 2, (sqlite3_int64)ended);
    if (rc != SQLITE_OK) goto cleanup;
    rc = end_reason ? sqlite3_bind_text(stmt, 3, end_reason, -1, SQLITE_STATIC)
                    : sqlite3_bind_null(stmt, 3);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int(stmt, 4, screens_visited);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : db_fail(st, "session_log");
}

int store_session_count(store_t *st)
{
    int count = 0;

    if (!st) return -1;
    if (query_int(st->db, "SELECT count(*) FROM session_log", &count) != SQLITE_OK)
        return db_fail(st, "session_count");
    return count;
}

int store_setting_get(store_t *st, const char *key, char *buf, int buflen)
{
    static const char sql[] = "SELECT value FROM settings WHERE key = ?1";
    sqlite3_stmt *stmt = NULL;
    const unsigned char *value;
    int rc, bytes, result = -1;

    if (!st || !key || !buf || buflen <= 0) return -1;

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;             /* absent */
        goto cleanup;
    }
    if (rc != SQLITE_ROW) goto cleanup;
    rc = SQLITE_OK;
    value = sqlite3_column_text(stmt, 0);
    bytes = sqlite3_column_bytes(stmt, 0);
    if (!value) {
        rc = sqlite3_errcode(st->db);
        goto cleanup;
    }
    if (bytes >= buflen) {
        log_warn("store", "setting '%s' is %d bytes, buffer holds %d", key,
                 bytes, buflen - 1);
        goto cleanup;
    }
    memcpy(buf, value, (size_t)bytes + 1);
    result = 0;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? result : db_fail(st, "setting_get");
}

int store_setting_set(store_t *st, const char *key, const char *value)
{
    static const char sql[] =
        "INSERT INTO settings(key, value) VALUES(?1, ?2)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!st || !key || !value) return -1;
    store_write_check("setting");

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 2, value, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : db_fail(st, "setting_set");
}

/* ---- receipt print queue ---------------------------------------------- */

static const char *const print_state_names[STORE_PRINT_STATE_COUNT] = {
    [STORE_PRINT_QUEUED] = "queued",
    [STORE_PRINT_PRINTING] = "printing",
    [STORE_PRINT_PRINTED] = "printed",
    [STORE_PRINT_FAILED] = "failed",
};

const char *store_print_state_name(store_print_state_t s)
{
    return (unsigned)s < STORE_PRINT_STATE_COUNT ? print_state_names[s] : "?";
}

/* The state named TEXT; an unknown name (the CHECK constraint prevents it)
 * reads as failed, so it is neither printed nor retried. */
static store_print_state_t print_state_parse(const char *text)
{
    for (int i = 0; i < STORE_PRINT_STATE_COUNT; i++)
        if (text && strcmp(text, print_state_names[i]) == 0) return (store_print_state_t)i;
    return STORE_PRINT_FAILED;
}

/* The columns print_job_row reads, in its order. */
#define PRINT_JOB_COLUMNS "id, created, state, attempts, next_try, printed, summary, last_error"

static void print_job_row(sqlite3_stmt *stmt, store_print_job_t *job)
{
    memset(job, 0, sizeof *job);
    job->id = sqlite3_column_int64(stmt, 0);
    job->created = (time_t)sqlite3_column_int64(stmt, 1);
    job->state = print_state_parse((const char *)sqlite3_column_text(stmt, 2));
    job->attempts = sqlite3_column_int(stmt, 3);
    job->next_try = (time_t)sqlite3_column_int64(stmt, 4);     /* NULL reads as 0 */
    job->printed = (time_t)sqlite3_column_int64(stmt, 5);
    utf8_copy(job->summary, sizeof job->summary, (const char *)sqlite3_column_text(stmt, 6));
    utf8_copy(job->last_error, sizeof job->last_error,
              (const char *)sqlite3_column_text(stmt, 7));
}

/* Runs SQL, whose only parameter (if any) ?1 is the integer ARG, to
 * completion. Returns the number of rows it changed, or -1 (logged as
 * store function WHAT). */
static int print_exec(store_t *st, const char *sql, sqlite3_int64 arg, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc;

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    if (sqlite3_bind_parameter_count(stmt) >= 1) {
        rc = sqlite3_bind_int64(stmt, 1, arg);
        if (rc != SQLITE_OK) goto cleanup;
    }
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? sqlite3_changes(st->db) : db_fail(st, what);
}

int store_print_enqueue(store_t *st, const char *receipt_json, const char *summary,
                        time_t now, long long *id)
{
    static const char sql[] =
        "INSERT INTO print_jobs(created, receipt, summary, state, attempts, next_try)"
        " VALUES(?1, ?2, ?3, 'queued', 0, ?1)";
    sqlite3_stmt *stmt = NULL;
    int rc;

    if (!st || !receipt_json || !receipt_json[0] || !summary || !summary[0]) return -1;

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 2, receipt_json, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 3, summary, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        if (id) *id = sqlite3_last_insert_rowid(st->db);
    }

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? 0 : db_fail(st, "print_enqueue");
}

int store_print_claim(store_t *st, time_t now, store_print_job_t *job, char **receipt_json)
{
    static const char pick[] =
        "SELECT id, receipt FROM print_jobs"
        " WHERE state = 'queued' AND next_try <= ?1 ORDER BY id LIMIT 1";
    static const char take[] =
        "UPDATE print_jobs SET state = 'printing', attempts = attempts + 1"
        " WHERE id = ?1";
    static const char fetch[] =
        "SELECT " PRINT_JOB_COLUMNS " FROM print_jobs WHERE id = ?1";
    sqlite3_stmt *stmt = NULL;
    char *receipt = NULL;
    long long id = 0;
    int rc, in_txn = 0, result = -1;

    if (!st || !job || !receipt_json) return -1;
    *receipt_json = NULL;

    /* IMMEDIATE takes the write lock before reading, so a second claimer on
     * another connection waits (busy timeout) instead of picking the same
     * row. */
    rc = query_text(st->db, "BEGIN IMMEDIATE", NULL, 0);
    if (rc != SQLITE_OK) goto cleanup;
    in_txn = 1;

    rc = sqlite3_prepare_v2(st->db, pick, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, (sqlite3_int64)now);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        result = 0;                 /* nothing due */
        goto cleanup;
    }
    if (rc != SQLITE_ROW) goto cleanup;
    id = sqlite3_column_int64(stmt, 0);
    {
        const unsigned char *text = sqlite3_column_text(stmt, 1);
        int bytes = sqlite3_column_bytes(stmt, 1);
        if (!text) {
            rc = sqlite3_errcode(st->db);
            if (rc == SQLITE_OK || rc == SQLITE_ROW) rc = SQLITE_NOMEM;
            goto cleanup;
        }
        receipt = malloc((size_t)bytes + 1);
        if (!receipt) {
            rc = SQLITE_NOMEM;
            goto cleanup;
        }
        memcpy(receipt, text, (size_t)bytes + 1);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;

    rc = sqlite3_prepare_v2(st->db, take, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, id);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) goto cleanup;
    sqlite3_finalize(stmt);
    stmt = NULL;

    rc = sqlite3_prepare_v2(st->db, fetch, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, id);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE) rc = SQLITE_ERROR;  /* vanished inside our own transaction */
        goto cleanup;
    }
    print_job_row(stmt, job);
    sqlite3_finalize(stmt);
    stmt = NULL;

    rc = query_text(st->db, "COMMIT", NULL, 0);
    if (rc != SQLITE_OK) goto cleanup;
    in_txn = 0;
    *receipt_json = receipt;
    receipt = NULL;
    result = 1;

cleanup:
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) db_fail(st, "print_claim");
    if (in_txn) query_text(st->db, result == 0 ? "COMMIT" : "ROLLBACK", NULL, 0);
    free(receipt);
    return rc == SQLITE_OK ? result : -1;
}

int store_print_finish(store_t *st, long long id, store_print_state_t state,
                       const char *error, time_t next_try, time_t now)
{
    static const char done[] =
        "UPDATE print_jobs SET state = 'printed', printed = ?2, next_try = NULL"
        " WHERE id = ?1 AND state = 'printing'";
    static const char again[] =
        "UPDATE print_jobs SET state = 'queued', next_try = ?2, last_error = ?3"
        " WHERE id = ?1 AND state = 'printing'";
    static const char failed[] =
        "UPDATE print_jobs SET state = 'failed', next_try = NULL, last_error = ?3"
        " WHERE id = ?1 AND state = 'printing'";
    sqlite3_stmt *stmt = NULL;
    const char *sql;
    int rc, changed = 0;

    if (!st) return -1;
    switch (state) {
    case STORE_PRINT_PRINTED: sql = done; break;
    case STORE_PRINT_QUEUED: sql = again; break;
    case STORE_PRINT_FAILED: sql = failed; break;
    default: return -1;
    }

    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 1, id);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int64(stmt, 2, (sqlite3_int64)(state == STORE_PRINT_PRINTED ? now : next_try));
    if (rc != SQLITE_OK) goto cleanup;
    if (state != STORE_PRINT_PRINTED) {
        rc = error ? sqlite3_bind_text(stmt, 3, error, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(stmt, 3);
        if (rc != SQLITE_OK) goto cleanup;
    }
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        changed = sqlite3_changes(st->db);
    }

cleanup:
    sqlite3_finalize(stmt);
    if (rc != SQLITE_OK) return db_fail(st, "print_finish");
    if (changed != 1) {
        log_error("store", "print_finish: job %lld is not printing", id);
        return -1;
    }
    return 0;
}

int store_print_requeue_interrupted(store_t *st)
{
    if (!st) return -1;
    return print_exec(st, "UPDATE print_jobs SET state = 'queued', next_try = 0,"
                          " last_error = 'interrupted while printing: printed again in full'"
                          " WHERE state = 'printing'",
                      0, "print_requeue_interrupted");
}

int store_print_retry_now(store_t *st)
{
    if (!st) return -1;
    return print_exec(st, "UPDATE print_jobs SET next_try = 0 WHERE state = 'queued'", 0,
                      "print_retry_now");
}

int store_print_next_due(store_t *st, time_t *when)
{
    static const char sql[] =
        "SELECT min(next_try), count(*) FROM print_jobs WHERE state = 'queued'";
    sqlite3_stmt *stmt = NULL;
    int rc, result = 0;

    if (!st || !when) return -1;
    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) goto cleanup;
    rc = SQLITE_OK;
    if (sqlite3_column_int64(stmt, 1) > 0) {
        *when = (time_t)sqlite3_column_int64(stmt, 0);
        result = 1;
    }

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? result : db_fail(st, "print_next_due");
}

int store_print_count(store_t *st, store_print_state_t state)
{
    static const char sql[] = "SELECT count(*) FROM print_jobs WHERE state = ?1";
    sqlite3_stmt *stmt = NULL;
    int rc, count = 0;

    if (!st || (unsigned)state >= STORE_PRINT_STATE_COUNT) return -1;
    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_text(stmt, 1, print_state_names[state], -1, SQLITE_STATIC);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) goto cleanup;
    count = sqlite3_column_int(stmt, 0);
    rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? count : db_fail(st, "print_count");
}

int store_print_recent(store_t *st, store_print_job_t *out, int max)
{
    static const char sql[] =
        "SELECT " PRINT_JOB_COLUMNS " FROM print_jobs ORDER BY id DESC LIMIT ?1";
    sqlite3_stmt *stmt = NULL;
    int rc, count = 0;

    if (!st || max < 0 || (max > 0 && !out)) return -1;
    if (max == 0) return 0;
    rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto cleanup;
    rc = sqlite3_bind_int(stmt, 1, max);
    if (rc != SQLITE_OK) goto cleanup;
    while (count < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW)
        print_job_row(stmt, &out[count++]);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;

cleanup:
    sqlite3_finalize(stmt);
    return rc == SQLITE_OK ? count : db_fail(st, "print_recent");
}

int store_print_prune(store_t *st, time_t before)
{
    if (!st) return -1;
    return print_exec(st, "DELETE FROM print_jobs"
                          " WHERE state IN ('printed','failed') AND created < ?1",
                      (sqlite3_int64)before, "print_prune");
}
