/* The outbox table (see outbox.h): enqueue, claim/finish, staff actions,
 * and the pure retry policy. Every statement is prepared per call: the
 * outbox is a few items a minute, not a hot path, and the bench shows the
 * cost is the fsync, not the prepare. */
#include "outbox/outbox.h"

#include <assert.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define MOD "outbox"

static const char *const outbox_state_names[OUTBOX_STATE_COUNT] = {
    "queued", "sending", "done", "dead"};

const char *outbox_state_name(outbox_state_t s)
{
    return (unsigned)s < OUTBOX_STATE_COUNT ? outbox_state_names[s] : "?";
}

int outbox_state_parse(const char *name)
{
    for (int i = 0; name && i < OUTBOX_STATE_COUNT; i++)
        if (strcmp(name, outbox_state_names[i]) == 0)
            return i;
    return -1;
}

/* ---- helpers ---------------------------------------------------------------- */

static int outbox_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int outbox_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "database: MESSAGE" for the last error on DB (or RC when DB says nothing). */
static int outbox_db_fail(sqlite3 *db, int rc, char *err, size_t errlen)
{
    const char *msg = sqlite3_errcode(db) != SQLITE_OK ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    return outbox_fail(err, errlen, "database: %s", msg);
}

static int outbox_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void outbox_copy(char *dst, size_t size, const unsigned char *src)
{
    snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static bool outbox_kind_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= OUTBOX_KIND_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '-' || *s == '.'))
            return false;
    return true;
}

static bool outbox_path_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n >= OUTBOX_PATH_MAX || s[0] != '/')
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* docs/api.md: 1-64 of A-Z a-z 0-9 - _ . : */
static bool outbox_idem_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= OUTBOX_KEY_MAX)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.' || *s == ':'))
            return false;
    return true;
}

/* ---- enqueue ---------------------------------------------------------------- */

int outbox_enqueue_in(store_t *st, const outbox_key_t *key, const char *kind,
                      const char *path, const char *body, bool personal,
                      const char *idem_key, int64_t now_ms, long long *id,
                      char *err, size_t errlen)
{
    static const char sql[] =
        "INSERT INTO outbox(kind, method, path, idem_key, body, sealed, body_len, state,"
        " attempts, next_try_ms, created_ms, updated_ms)"
        " VALUES(?1, 'POST', ?2, ?3, ?4, ?5, ?6, 'queued', 0, ?7, ?7, ?7)";
    char fresh[OUTBOX_KEY_MAX];
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    sqlite3_stmt *stmt = NULL;
    int rc, result = -1;

    if (err && errlen) err[0] = '\0';
    sqlite3 *db = st ? store_db(st) : NULL;
    if (!db)
        return outbox_fail(err, errlen, "no database");
    if (sqlite3_get_autocommit(db))
        return outbox_fail(err, errlen, "not in a transaction (use outbox_enqueue)");
    if (!outbox_kind_ok(kind))
        return outbox_fail(err, errlen, "kind: not 1-%d of [a-z0-9_.-]", OUTBOX_KIND_MAX - 1);
    if (!outbox_path_ok(path))
        return outbox_fail(err, errlen, "path: not \"/...\" of printable ASCII");
    size_t len = body ? strlen(body) : 0;
    if (len == 0 || body[0] != '{')
        return outbox_fail(err, errlen, "body: not a JSON object");
    if (len > OUTBOX_BODY_MAX)
        return outbox_fail(err, errlen, "body: %zu bytes, at most %d", len, OUTBOX_BODY_MAX);
    if (!idem_key || !idem_key[0]) {
        hub_new_key("ob-", fresh, sizeof fresh);
        idem_key = fresh;
    } else if (!outbox_idem_ok(idem_key)) {
        return outbox_fail(err, errlen, "idem_key: not 1-64 of A-Z a-z 0-9 - _ . :");
    }
    if (personal) {
        if (!key)
            return outbox_fail(err, errlen, "personal data and no outbox key");
        if (outbox_seal(key, body, len, &sealed, &sealed_len) != 0)
            return outbox_fail(err, errlen, "out of memory");
    }

    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto db_fail;
    sqlite3_bind_text(stmt, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, idem_key, -1, SQLITE_STATIC);
    if (personal)
        sqlite3_bind_blob(stmt, 4, sealed, (int)sealed_len, SQLITE_STATIC);
    else
        sqlite3_bind_blob(stmt, 4, body, (int)len, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, personal ? 1 : 0);
    sqlite3_bind_int(stmt, 6, (int)len);
    rc = sqlite3_bind_int64(stmt, 7, now_ms);
    if (rc != SQLITE_OK) goto db_fail;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_CONSTRAINT) {
        outbox_fail(err, errlen, "idem_key: already in the outbox");
        goto end;
    }
    if (rc != SQLITE_DONE) goto db_fail;
    if (id) *id = sqlite3_last_insert_rowid(db);
    result = 0;
    goto end;
db_fail:
    outbox_db_fail(db, rc, err, errlen);
end:
    sqlite3_finalize(stmt);
    free(sealed);
    return result;
}

int outbox_enqueue(store_t *st, const outbox_key_t *key, const char *kind,
                   const char *path, const char *body, bool personal,
                   const char *idem_key, int64_t now_ms, long long *id,
                   char *err, size_t errlen)
{
    sqlite3 *db = st ? store_db(st) : NULL;
    if (!db)
        return outbox_fail(err, errlen, "no database");
    int rc = outbox_exec(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return outbox_db_fail(db, rc, err, errlen);
    if (outbox_enqueue_in(st, key, kind, path, body, personal, idem_key, now_ms, id, err,
                          errlen) != 0) {
        outbox_exec(db, "ROLLBACK");
        return -1;
    }
    rc = outbox_exec(db, "COMMIT");
    if (rc != SQLITE_OK) {
        outbox_db_fail(db, rc, err, errlen);
        /* A failed COMMIT may leave the transaction open (SQLITE_BUSY,
         * SQLITE_FULL): end it so the connection stays usable. */
        if (!sqlite3_get_autocommit(db)) outbox_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}

int outbox_durable(store_t *st)
{
    sqlite3 *db = st ? store_db(st) : NULL;
    if (!db || outbox_exec(db, "PRAGMA synchronous=FULL") != SQLITE_OK) {
        log_error(MOD, "cannot set synchronous=FULL: %s", db ? sqlite3_errmsg(db) : "no database");
        return -1;
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------------- */

#define OUTBOX_COLUMNS                                                               \
    "id, kind, method, path, idem_key, state, sealed, body_len, attempts, next_try_ms," \
    " created_ms, updated_ms, http, last_error"

static void outbox_row(sqlite3_stmt *s, outbox_item_t *it)
{
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(s, 0);
    outbox_copy(it->kind, sizeof it->kind, sqlite3_column_text(s, 1));
    outbox_copy(it->method, sizeof it->method, sqlite3_column_text(s, 2));
    outbox_copy(it->path, sizeof it->path, sqlite3_column_text(s, 3));
    outbox_copy(it->idem_key, sizeof it->idem_key, sqlite3_column_text(s, 4));
    const unsigned char *state = sqlite3_column_text(s, 5);
    int v = outbox_state_parse((const char *)state);
    it->state = v < 0 ? OUTBOX_DEAD : (outbox_state_t)v;    /* CHECK makes this moot */
    it->sealed = sqlite3_column_int(s, 6) != 0;
    it->body_len = sqlite3_column_int(s, 7);
    it->attempts = sqlite3_column_int(s, 8);
    it->next_try_ms = sqlite3_column_int64(s, 9);
    it->created_ms = sqlite3_column_int64(s, 10);
    it->updated_ms = sqlite3_column_int64(s, 11);
    it->http = sqlite3_column_int(s, 12);
    outbox_copy(it->last_error, sizeof it->last_error, sqlite3_column_text(s, 13));
}

/* ---- the sender's side ---------------------------------------------------------- */

int outbox_claim(store_t *st, int64_t now_ms, outbox_item_t *it, unsigned char **body,
                 size_t *bodylen, char *err, size_t errlen)
{
    static const char pick[] =
        "SELECT " OUTBOX_COLUMNS ", body FROM outbox"
        " WHERE state = 'queued' AND next_try_ms <= ?1 ORDER BY next_try_ms, id LIMIT 1";
    static const char take[] =
        "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_ms = ?2"
        " WHERE id = ?1";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    unsigned char *copy = NULL;
    size_t copylen = 0;
    int rc, result = -1;

    *body = NULL;
    *bodylen = 0;
    /* IMMEDIATE: a second claimer waits instead of taking the same row. */
    rc = outbox_exec(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK)
        return outbox_db_fail(db, rc, err, errlen);

    rc = sqlite3_prepare_v2(db, pick, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto db_fail;
    sqlite3_bind_int64(stmt, 1, now_ms);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        result = 0;
        goto end;
    }
    if (rc != SQLITE_ROW) goto db_fail;
    outbox_row(stmt, it);
    int n = sqlite3_column_bytes(stmt, 14);
    const void *b = sqlite3_column_blob(stmt, 14);
    copy = malloc((size_t)n + 1);
    copylen = (size_t)n + 1;
    if (!copy || (!b && n > 0)) {
        outbox_fail(err, errlen, "out of memory");
        goto end;
    }
    if (n > 0) memcpy(copy, b, (size_t)n);
    copy[n] = '\0';
    sqlite3_finalize(stmt);
    stmt = NULL;

    rc = sqlite3_prepare_v2(db, take, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto db_fail;
    sqlite3_bind_int64(stmt, 1, it->id);
    sqlite3_bind_int64(stmt, 2, now_ms);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) goto db_fail;
    sqlite3_finalize(stmt);
    stmt = NULL;
    rc = outbox_exec(db, "COMMIT");
    if (rc != SQLITE_OK) goto db_fail;
    it->state = OUTBOX_SENDING;
    it->attempts++;
    it->updated_ms = now_ms;
    *body = copy;
    *bodylen = (size_t)n;
    copy = NULL;
    result = 1;
    goto end;
db_fail:
    outbox_db_fail(db, rc, err, errlen);
end:
    sqlite3_finalize(stmt);
    if (!sqlite3_get_autocommit(db))
        outbox_exec(db, result == 0 ? "COMMIT" : "ROLLBACK");
    if (copy) {
        sodium_memzero(copy, copylen);
        free(copy);
    }
    return result;
}

int outbox_finish(store_t *st, long long id, outbox_state_t to, int http,
                  const char *error, const char *response, int64_t next_try_ms,
                  int64_t now_ms, char *err, size_t errlen)
{
    static const char sql[] =
        "UPDATE outbox SET state = ?2, http = ?3, last_error = ?4, response = ?5,"
        " next_try_ms = ?6, updated_ms = ?7 WHERE id = ?1 AND state = 'sending'";
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc;

    assert(to == OUTBOX_DONE || to == OUTBOX_QUEUED || to == OUTBOX_DEAD);
    rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK) goto db_fail;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_text(stmt, 2, outbox_state_name(to), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, http);
    sqlite3_bind_text(stmt, 4, error ? error : "", -1, SQLITE_STATIC);
    if (to == OUTBOX_DONE && response)
        sqlite3_bind_text(stmt, 5, response, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 5);
    sqlite3_bind_int64(stmt, 6, to == OUTBOX_QUEUED ? next_try_ms : 0);
    sqlite3_bind_int64(stmt, 7, now_ms);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) goto db_fail;
    sqlite3_finalize(stmt);
    if (sqlite3_changes(db) != 1) {
        outbox_fail(err, errlen, "item %lld is not sending", id);
        return OUTBOX_WRONG_STATE;
    }
    return 0;
db_fail:
    outbox_db_fail(db, rc, err, errlen);
    sqlite3_finalize(stmt);
    return -1;
}

/* Runs SQL (parameters ?1 = A, ?2 = B) to completion; the number of rows
 * changed, or -1. */
static int outbox_update(store_t *st, const char *sql, int64_t a, int64_t b)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, a);
        sqlite3_bind_int64(stmt, 2, b);
        rc = sqlite3_step(stmt);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        log_error(MOD, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    return sqlite3_changes(db);
}

int outbox_requeue_interrupted(store_t *st, int64_t now_ms)
{
    return outbox_update(st,
                         "UPDATE outbox SET state = 'queued', next_try_ms = ?1, updated_ms = ?1"
                         " WHERE state = 'sending' AND ?2 = ?2",
                         now_ms, 0);
}

int outbox_prune(store_t *st, int64_t before_ms)
{
    return outbox_update(st,
                         "DELETE FROM outbox WHERE state = 'done' AND updated_ms < ?1 AND ?2 = ?2",
                         before_ms, 0);
}

int outbox_next_due(store_t *st, int64_t *when_ms)
{
    sqlite3_stmt *stmt = NULL;
    int result = -1;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT min(next_try_ms) FROM outbox WHERE state = 'queued'", -1,
                           &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        result = sqlite3_column_type(stmt, 0) == SQLITE_NULL ? 0 : 1;
        if (result) *when_ms = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
    return result;
}

/* ---- staff ------------------------------------------------------------------ */

int outbox_counts(store_t *st, outbox_counts_t *c)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    memset(c, 0, sizeof *c);
    rc = sqlite3_prepare_v2(store_db(st),
                            "SELECT state, count(*), min(created_ms) FROM outbox GROUP BY state",
                            -1, &stmt, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int n = sqlite3_column_int(stmt, 1);
        switch (outbox_state_parse((const char *)sqlite3_column_text(stmt, 0))) {
        case OUTBOX_QUEUED:
            c->queued = n;
            c->oldest_queued_ms = sqlite3_column_int64(stmt, 2);
            break;
        case OUTBOX_SENDING: c->sending = n; break;
        case OUTBOX_DONE: c->done = n; break;
        case OUTBOX_DEAD: c->dead = n; break;
        default: break;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int outbox_list(store_t *st, int only, outbox_item_t *out, int max)
{
    sqlite3_stmt *stmt = NULL;
    int n = 0, rc;
    rc = sqlite3_prepare_v2(store_db(st),
                            "SELECT " OUTBOX_COLUMNS " FROM outbox"
                            " WHERE ?1 = '' OR state = ?1 ORDER BY id DESC LIMIT ?2",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, only >= 0 ? outbox_state_name((outbox_state_t)only) : "",
                          -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 2, max);
    }
    while (rc == SQLITE_OK && n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        outbox_row(stmt, &out[n++]);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE || (rc == SQLITE_OK && n == max) ? n : -1;
}

int outbox_get(store_t *st, long long id, const outbox_key_t *key, outbox_item_t *it,
               char **body, char *err, size_t errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt = NULL;
    int rc, result = -1;

    if (body) *body = NULL;
    rc = sqlite3_prepare_v2(db, "SELECT " OUTBOX_COLUMNS ", body FROM outbox WHERE id = ?1",
                            -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, id);
        rc = sqlite3_step(stmt);
    }
    if (rc == SQLITE_DONE) {
        outbox_fail(err, errlen, "no item %lld", id);
        result = OUTBOX_NOT_FOUND;
        goto end;
    }
    if (rc != SQLITE_ROW) {
        outbox_db_fail(db, rc, err, errlen);
        goto end;
    }
    outbox_row(stmt, it);
    const unsigned char *b = sqlite3_column_blob(stmt, 14);
    size_t n = (size_t)sqlite3_column_bytes(stmt, 14);
    if (body && !it->sealed) {
        if (!(*body = malloc(n + 1))) {
            outbox_fail(err, errlen, "out of memory");
            goto end;
        }
        if (n) memcpy(*body, b, n);
        (*body)[n] = '\0';
    } else if (body && key) {
        if (outbox_unseal(key, b, n, body, NULL) != 0) {
            outbox_fail(err, errlen, "item %lld: the body does not open with this key", id);
            goto end;
        }
    }
    result = 0;
end:
    sqlite3_finalize(stmt);
    return result;
}

/* The state of item ID: 0 with *STATE, OUTBOX_NOT_FOUND, or -1. */
static int outbox_state_of(store_t *st, long long id, outbox_state_t *state)
{
    sqlite3_stmt *stmt = NULL;
    int result = -1;
    int rc = sqlite3_prepare_v2(store_db(st), "SELECT state FROM outbox WHERE id = ?1", -1,
                                &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, id);
        rc = sqlite3_step(stmt);
    }
    if (rc == SQLITE_ROW) {
        int v = outbox_state_parse((const char *)sqlite3_column_text(stmt, 0));
        *state = v < 0 ? OUTBOX_DEAD : (outbox_state_t)v;
        result = 0;
    } else if (rc == SQLITE_DONE) {
        result = OUTBOX_NOT_FOUND;
    }
    sqlite3_finalize(stmt);
    return result;
}

/* Runs a staff UPDATE/DELETE guarded by a state condition; tells apart
 * "gone", "wrong state" and done when no row changed. */
static int outbox_staff(store_t *st, long long id, const char *sql, int64_t now_ms)
{
    int n = outbox_update(st, sql, id, now_ms);
    if (n < 0) return -1;
    if (n == 1) return 0;
    outbox_state_t state;
    int rc = outbox_state_of(st, id, &state);
    return rc == 0 ? OUTBOX_WRONG_STATE : rc;
}

int outbox_retry(store_t *st, long long id, int64_t now_ms)
{
    return outbox_staff(st, id,
                        "UPDATE outbox SET state = 'queued', attempts = 0, next_try_ms = ?2,"
                        " updated_ms = ?2 WHERE id = ?1 AND state IN ('queued','dead')",
                        now_ms);
}

int outbox_drop(store_t *st, long long id)
{
    return outbox_staff(st, id,
                        "DELETE FROM outbox WHERE id = ?1 AND state <> 'sending' AND ?2 = ?2",
                        0);
}

/* ---- policy ------------------------------------------------------------------- */

outbox_state_t outbox_classify(const hub_status_t *st)
{
    switch (st->result) {
    case HUB_OK: return OUTBOX_DONE;
    case HUB_REFUSED: return OUTBOX_DEAD;
    default: return OUTBOX_QUEUED;
    }
}
