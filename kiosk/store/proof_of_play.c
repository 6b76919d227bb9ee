#include "store/proof_of_play.h"

#include <cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include "core/log.h"

static int fail(sqlite3 *db, const char *what)
{
    log_error("street", "proof of play: %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

int pop_record(store_t *st, const pop_record_t *r)
{
    if (!st || !r) return -1;
    store_write_check("proof of play");
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "INSERT INTO proof_of_play(content_id, playlist_id, kind, started,"
                           " shown_ms) VALUES(:content, :playlist, :kind, :started, :shown)", -1, &s, NULL) != SQLITE_OK)
        goto end;
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":content"), r->content_id);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":playlist"), r->playlist_id);
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":kind"), r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":started"), (sqlite3_int64)r->started);
    /* The hub takes at most a day per record (an alert can stay longer). */
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":shown"), r->shown_ms < 0 ? 0 : r->shown_ms > 86400000 ? 86400000 : r->shown_ms);
    if (sqlite3_step(s) == SQLITE_DONE) rc = 0;
end:
    if (rc != 0) fail(db, "insert");
    sqlite3_finalize(s);
    return rc;
}

int pop_peek(store_t *st, pop_record_t *out, int max)
{
    if (!st || !out || max <= 0) return -1;
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL;
    int n = 0, rc;
    if (sqlite3_prepare_v2(db, "SELECT id, content_id, playlist_id, kind, started, shown_ms"
                           " FROM proof_of_play ORDER BY id LIMIT :max", -1, &s, NULL) != SQLITE_OK)
        return fail(db, "select");
    sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":max"), max);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < max) {
        pop_record_t *r = &out[n++];
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(s, 0);
        r->content_id = sqlite3_column_int64(s, 1);
        r->playlist_id = sqlite3_column_int64(s, 2);
        const unsigned char *k = sqlite3_column_text(s, 3);
        snprintf(r->kind, sizeof r->kind, "%s", k ? (const char *)k : "");
        r->started = (time_t)sqlite3_column_int64(s, 4);
        r->shown_ms = sqlite3_column_int64(s, 5);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db, "select");
    return n;
}

char *pop_json(store_t *st, int max, long long *last_id)
{
    if (last_id) *last_id = 0;
    if (max <= 0 || max > 1000) max = 1000;
    pop_record_t recs[64];
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return NULL;
    long long after = 0;
    int total = 0;
    while (total < max) {
        int want = max - total < 64 ? max - total : 64;
        /* Pages by id so a large batch needs no large buffer. */
        sqlite3 *db = st ? store_db(st) : NULL;
        sqlite3_stmt *s = NULL;
        if (!db || sqlite3_prepare_v2(db, "SELECT id, content_id, playlist_id, kind, started, shown_ms"
                                      " FROM proof_of_play WHERE id > :after ORDER BY id LIMIT :max",
                                      -1, &s, NULL) != SQLITE_OK) {
            if (db) fail(db, "select");
            cJSON_Delete(arr);
            return NULL;
        }
        sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":after"), after);
        sqlite3_bind_int(s, sqlite3_bind_parameter_index(s, ":max"), want);
        int n = 0;
        while (n < want && sqlite3_step(s) == SQLITE_ROW) {
            pop_record_t *r = &recs[n++];
            r->id = sqlite3_column_int64(s, 0);
            r->content_id = sqlite3_column_int64(s, 1);
            r->playlist_id = sqlite3_column_int64(s, 2);
            const unsigned char *k = sqlite3_column_text(s, 3);
            snprintf(r->kind, sizeof r->kind, "%s", k ? (const char *)k : "");
            r->started = (time_t)sqlite3_column_int64(s, 4);
            r->shown_ms = sqlite3_column_int64(s, 5);
        }
        sqlite3_finalize(s);
        for (int i = 0; i < n; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "content_id", (double)recs[i].content_id);
            cJSON_AddNumberToObject(o, "playlist_id", (double)recs[i].playlist_id);
            cJSON_AddStringToObject(o, "kind", recs[i].kind);
            cJSON_AddNumberToObject(o, "started", (double)recs[i].started);
            cJSON_AddNumberToObject(o, "shown_ms", (double)recs[i].shown_ms);
            cJSON_AddItemToArray(arr, o);
            after = recs[i].id;
        }
        total += n;
        if (n < want) break;
    }
    char *txt = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (txt && last_id) *last_id = after;
    return txt;
}

static int exec_count(store_t *st, const char *sql, long long arg)
{
    if (!st) return -1;
    sqlite3 *db = store_db(st);
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) return fail(db, "prepare");
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":arg"), arg);
    int rc = sqlite3_step(s);
    int n = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : sqlite3_changes(db);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fail(db, "step");
    return n;
}

int pop_ack(store_t *st, long long up_to)
{
    return exec_count(st, "DELETE FROM proof_of_play WHERE id <= :arg", up_to);
}

int pop_prune(store_t *st, time_t before)
{
    store_write_check("proof of play prune");
    return exec_count(st, "DELETE FROM proof_of_play WHERE started < :arg", (long long)before);
}

int pop_count(store_t *st)
{
    return exec_count(st, "SELECT count(*) FROM proof_of_play WHERE :arg = :arg", 0);
}
