/* The hk_pending and reg_pending tables (store/saved_requests.h). Every
 * statement is prepared per call and finalized before returning, as in
 * store.c. */
#include "store/saved_requests.h"

#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
    [STORE_SAVED_PENDING] = "pending",
    [STORE_SAVED_CONFIRMED] = "confirmed",
    [STORE_SAVED_FAILED] = "failed",
};

static store_saved_state_t state_parse(const unsigned char *name)
{
    for (int s = STORE_SAVED_PENDING; s <= STORE_SAVED_FAILED; s++)
        if (name && strcmp((const char *)name, state_names[s]) == 0) return (store_saved_state_t)s;
    return STORE_SAVED_PENDING;
}

static int fail(sqlite3 *db, const char *what, char *err, int errlen)
{
    log_error("store", "%s: %s", what, sqlite3_errmsg(db));
    if (err && errlen > 0) snprintf(err, (size_t)errlen, "%s", sqlite3_errmsg(db));
    return -1;
}

static int no_db(char *err, int errlen)
{
    if (err && errlen > 0) snprintf(err, (size_t)errlen, "no database");
    return -1;
}

static void copy_col(sqlite3_stmt *stmt, int col, char *dst, size_t size)
{
    const unsigned char *s = sqlite3_column_text(stmt, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt)
{
    *stmt = NULL;
    return db ? sqlite3_prepare_v2(db, sql, -1, stmt, NULL) : SQLITE_MISUSE;
}

/* SQL prepared into *STMT: 0, or -1 with nothing to finalize, the
 * failure logged as WHAT and said in ERR (ERRLEN 0: not said). */
static int open_stmt(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, const char *what, char *err, int errlen)
{
    if (prepare(db, sql, stmt) == SQLITE_OK) return 0;
    sqlite3_finalize(*stmt);
    *stmt = NULL;
    return db ? fail(db, what, err, errlen) : no_db(err, errlen);
}

static void bind_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
    sqlite3_bind_text(stmt, sqlite3_bind_parameter_index(stmt, name), value ? value : "", -1,
                      SQLITE_STATIC);
}

static void bind_int(sqlite3_stmt *stmt, const char *name, int64_t value)
{
    sqlite3_bind_int64(stmt, sqlite3_bind_parameter_index(stmt, name), (sqlite3_int64)value);
}

/* Steps a statement that returns no row; finalizes it. 0 or -1 (logged). */
static int run(sqlite3 *db, sqlite3_stmt *stmt, const char *what, char *err, int errlen)
{
    int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : fail(db, what, err, errlen);
    sqlite3_finalize(stmt);
    return rc;
}

int store_booking_save(store_t *st, const store_booking_new_t *b, int64_t now_ms,
                       char *err, int errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    if (!b)
        return db ? fail(db, "hk_pending save", err, errlen) : no_db(err, errlen);
    if (open_stmt(db, "INSERT INTO hk_pending(ref, outbox_id, who_hash, service, slot_start,"
                  " slot_end, provider, state, created_ms, updated_ms)"
                  " VALUES(:ref, :item, :who, :service, :start, :end, :provider, 'pending', :now, :now)",
                  &stmt, "hk_pending save", err, errlen) != 0)
        return -1;
    bind_text(stmt, ":ref", b->ref);
    bind_int(stmt, ":item", b->outbox_id);
    bind_text(stmt, ":who", b->who_hash);
    bind_text(stmt, ":service", b->service);
    bind_int(stmt, ":start", (int64_t)b->slot_start);
    bind_int(stmt, ":end", (int64_t)b->slot_end);
    bind_text(stmt, ":provider", b->provider);
    bind_int(stmt, ":now", now_ms);
    return run(db, stmt, "hk_pending save", err, errlen);
}

int store_booking_set_state(store_t *st, long long outbox_id, store_saved_state_t state,
                            const char *code, const char *reason, int64_t now_ms)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    if (prepare(db, "UPDATE hk_pending SET state = :state, code = :code, reason = :reason,"
                " updated_ms = :now WHERE outbox_id = :item", &stmt) != SQLITE_OK) {
        log_error("store", "cannot record the outcome of booking item %lld", outbox_id);
        sqlite3_finalize(stmt);
        return -1;
    }
    bind_text(stmt, ":state", state_names[state]);
    bind_text(stmt, ":code", code);
    bind_text(stmt, ":reason", reason);
    bind_int(stmt, ":now", now_ms);
    bind_int(stmt, ":item", outbox_id);
    return run(db, stmt, "hk_pending", NULL, 0);
}

int store_booking_recent(store_t *st, const char *who_hash, store_booking_t *out, int max)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    int n = 0, rc;
    if (open_stmt(db, "SELECT ref, state, code, slot_start FROM hk_pending WHERE who_hash = :who"
                  " ORDER BY created_ms DESC LIMIT :max", &stmt, "hk_pending recent", NULL, 0) != 0)
        return -1;
    bind_text(stmt, ":who", who_hash);
    bind_int(stmt, ":max", max);
    while (n < max && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        store_booking_t *b = &out[n++];
        memset(b, 0, sizeof *b);
        copy_col(stmt, 0, b->ref, sizeof b->ref);
        b->state = state_parse(sqlite3_column_text(stmt, 1));
        copy_col(stmt, 2, b->code, sizeof b->code);
        b->slot_start = (time_t)sqlite3_column_int64(stmt, 3);
    }
    sqlite3_finalize(stmt);
    return n;
}

int store_registration_save(store_t *st, const store_registration_new_t *r, int64_t now_ms,
                            char *err, int errlen)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    if (!r)
        return db ? fail(db, "reg_pending save", err, errlen) : no_db(err, errlen);
    if (open_stmt(db, "INSERT INTO reg_pending(ref, outbox_id, who_hash, content_id, title, state,"
                  " created_ms, updated_ms) VALUES(:ref, :item, :who, :content, :title, 'pending',"
                  " :now, :now)", &stmt, "reg_pending save", err, errlen) != 0)
        return -1;
    bind_text(stmt, ":ref", r->ref);
    bind_int(stmt, ":item", r->outbox_id);
    bind_text(stmt, ":who", r->who_hash);
    bind_int(stmt, ":content", r->content_id);
    bind_text(stmt, ":title", r->title);
    bind_int(stmt, ":now", now_ms);
    return run(db, stmt, "reg_pending save", err, errlen);
}

int store_registration_set_state(store_t *st, long long outbox_id, store_saved_state_t state,
                                 const char *reason, int64_t now_ms)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    if (open_stmt(db, "UPDATE reg_pending SET state = :state, reason = :reason, updated_ms = :now"
                  " WHERE outbox_id = :item", &stmt, "reg_pending", NULL, 0) != 0)
        return -1;
    bind_text(stmt, ":state", state_names[state]);
    bind_text(stmt, ":reason", reason);
    bind_int(stmt, ":now", now_ms);
    bind_int(stmt, ":item", outbox_id);
    return run(db, stmt, "reg_pending", NULL, 0);
}

int store_registration_latest(store_t *st, const char *who_hash, long long content_id,
                              store_saved_state_t *state)
{
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    if (open_stmt(db, "SELECT state FROM reg_pending WHERE who_hash = :who AND content_id = :content"
                  " ORDER BY created_ms DESC LIMIT 1", &stmt, "reg_pending latest", NULL, 0) != 0)
        return -1;
    bind_text(stmt, ":who", who_hash);
    bind_int(stmt, ":content", content_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *state = state_parse(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_saved_ended(store_t *st, store_saved_table_t table, store_saved_ended_t *out, int max)
{
    static const char *const sql[] = {
        [STORE_SAVED_BOOKINGS] =
            "SELECT p.outbox_id, o.state, o.http, o.last_error, o.response FROM hk_pending p"
            " LEFT JOIN outbox o ON o.id = p.outbox_id WHERE p.state = 'pending'"
            " AND (o.id IS NULL OR o.state IN ('done', 'dead'))",
        [STORE_SAVED_REGISTRATIONS] =
            "SELECT p.outbox_id, o.state, o.http, o.last_error, o.response FROM reg_pending p"
            " LEFT JOIN outbox o ON o.id = p.outbox_id WHERE p.state = 'pending'"
            " AND (o.id IS NULL OR o.state IN ('done', 'dead'))",
    };
    sqlite3 *db = store_db(st);
    sqlite3_stmt *stmt;
    int n = 0;
    if (open_stmt(db, sql[table], &stmt, "saved requests", NULL, 0) != 0)
        return -1;
    while (n < max && sqlite3_step(stmt) == SQLITE_ROW) {
        store_saved_ended_t *e = &out[n++];
        const char *state = (const char *)sqlite3_column_text(stmt, 1);
        const char *resp = (const char *)sqlite3_column_text(stmt, 4);
        memset(e, 0, sizeof *e);
        e->outbox_id = sqlite3_column_int64(stmt, 0);
        e->gone = !state;
        e->done = state && !strcmp(state, "done");
        e->http = sqlite3_column_int(stmt, 2);
        copy_col(stmt, 3, e->last_error, sizeof e->last_error);
        if (e->done && resp) e->response = strdup(resp);
    }
    sqlite3_finalize(stmt);
    return n;
}
