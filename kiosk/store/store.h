/* The kiosk's one SQLite database, var_dir/kiosk.db, in WAL mode.
 * This module is the one place that knows the schema (store/schema.c holds the
 * migrations, applied in order and keyed on PRAGMA user_version). */
#ifndef KIOSK_STORE_H
#define KIOSK_STORE_H

#include <sqlite3.h>
#include <time.h>

typedef struct store store_t;

typedef struct {
    long long id;
    char category[32];      /* community | government | event | library | lecture */
    char title[256];
    char body[2048];
    time_t published;
    int pinned;
} notice_t;

/* Opens (creating var_dir and the database if needed) and migrates to the
 * newest schema. A file that is not a database, fails PRAGMA quick_check, or
 * whose schema is newer than this program knows is moved aside as
 * kiosk.db.corrupt-YYYYMMDD-HHMMSS (with its -wal/-shm), logged, and a fresh
 * database is created: the kiosk keeps running. Returns 0 and *out on success;
 * on error (e.g. var_dir not writable) returns -1, *out = NULL, ERR says why. */
int store_open(const char *var_dir, store_t **out, char *err, int errlen);
void store_close(store_t *st);

/* Path the last open moved a broken database to, or NULL if none. */
const char *store_recovered_path(const store_t *st);
int store_schema_version(store_t *st);
/* Number of migrations this program knows (= the newest user_version). */
int store_schema_latest(void);
/* Applies, in order, every migration DB has not had yet (schema.c), each in
 * one transaction together with its user_version bump. Called by store_open.
 * Returns SQLITE_OK, or the SQLite result code of the failing step with ERR
 * saying which migration failed and why. */
int store_schema_migrate(sqlite3 *db, char *err, int errlen);
sqlite3 *store_db(store_t *st);

/* Notices for LOCALE, pinned first, then newest first. Returns the count
 * written to OUT (<= max), or -1 on a database error. */
int store_notices(store_t *st, const char *locale, notice_t *out, int max);
int store_notice_add(store_t *st, const char *locale, const notice_t *n);

/* Anonymous session log for the staff view and telemetry: no personal data. */
int store_session_log(store_t *st, time_t started, time_t ended,
                      const char *end_reason, int screens_visited);
int store_session_count(store_t *st);

/* Small key/value settings. get returns 0 and copies into BUF, or -1 if absent
 * (or on a database error, or if the value does not fit in BUFLEN). */
int store_setting_get(store_t *st, const char *key, char *buf, int buflen);
int store_setting_set(store_t *st, const char *key, const char *value);

#endif
