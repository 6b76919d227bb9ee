/* The bundle in use, in SQLite (see content/content_store.h). */
#include "content/content_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define MOD "content"

/* The index of named parameter NAME in STMT. */
#define P(stmt, name) sqlite3_bind_parameter_index((stmt), ":" name)

int content_store_current(store_t *store, long long *version, char *etag, size_t etag_len)
{
    sqlite3 *db = store_db(store);
    sqlite3_stmt *st = NULL;
    *version = 0;
    if (etag && etag_len) etag[0] = '\0';
    if (!db || sqlite3_prepare_v2(db, "SELECT version, etag FROM content_state WHERE id = 1", -1, &st,
                                  NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int64(st, 0);
        if (etag && etag_len) snprintf(etag, etag_len, "%s", (const char *)sqlite3_column_text(st, 1));
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static bool is_notice(const char *kind)
{
    return !strcmp(kind, "notice") || !strcmp(kind, "event") || !strcmp(kind, "library") ||
           !strcmp(kind, "lecture");
}

int content_store_apply(store_t *store, const cm_manifest_t *m, const char *manifest,
                        const char *sig, const char *etag, long long now)
{
    sqlite3 *db = store_db(store);
    sqlite3_stmt *item = NULL, *notice = NULL, *state = NULL;
    int rc = -1;
    if (exec(db, "BEGIN IMMEDIATE") != 0) {
        log_warn(MOD, "apply: cannot begin: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (exec(db, "DELETE FROM content_items; DELETE FROM notices;") != 0 ||
        sqlite3_prepare_v2(db,
            "INSERT INTO content_items(id, kind, category, locale, title, body, published,"
            " expires, pinned, priority, images, data) VALUES(:id, :kind, :category, :locale, :title,"
            " :body, :published, :expires, :pinned, :priority, :images, :data)",
            -1, &item, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "INSERT INTO notices(id, locale, category, title, body, published, pinned)"
            " VALUES(:id, :locale, :category, :title, :body, :published, :pinned)", -1, &notice, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "INSERT OR REPLACE INTO content_state(id, version, etag, manifest, signature, expires,"
            " applied) VALUES(1, :version, :etag, :manifest, :signature, :expires, :applied)", -1, &state, NULL) != SQLITE_OK)
        goto end;
    for (int i = 0; i < m->n_items; i++) {
        const cm_item_t *it = &m->items[i];
        char images[CONTENT_MAX_IMAGES * 67 + 3], *p = images;
        *p++ = '[';
        for (int k = 0; k < it->n_images; k++)
            p += sprintf(p, "%s\"%s\"", k ? "," : "", it->images[k]);
        *p++ = ']';
        *p = '\0';
        char *data = it->data ? cJSON_PrintUnformatted(it->data) : NULL;
        sqlite3_reset(item);
        sqlite3_clear_bindings(item);
        sqlite3_bind_int64(item, P(item, "id"), it->id);
        sqlite3_bind_text(item, P(item, "kind"), it->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, P(item, "category"), it->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, P(item, "locale"), it->locale, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, P(item, "title"), it->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, P(item, "body"), it->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(item, P(item, "published"), it->published);
        if (it->expires) sqlite3_bind_int64(item, P(item, "expires"), it->expires);
        sqlite3_bind_int(item, P(item, "pinned"), it->pinned);
        sqlite3_bind_int(item, P(item, "priority"), it->priority);
        sqlite3_bind_text(item, P(item, "images"), images, -1, SQLITE_TRANSIENT);
        if (data) sqlite3_bind_text(item, P(item, "data"), data, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(item);
        free(data);
        if (step != SQLITE_DONE) goto end;
        if (!is_notice(it->kind) || (it->expires && it->expires < now)) continue;
        sqlite3_reset(notice);
        sqlite3_bind_int64(notice, P(notice, "id"), it->id);
        sqlite3_bind_text(notice, P(notice, "locale"), it->locale, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, P(notice, "category"), !strcmp(it->kind, "notice") ? it->category : it->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, P(notice, "title"), it->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, P(notice, "body"), it->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(notice, P(notice, "published"), it->published);
        sqlite3_bind_int(notice, P(notice, "pinned"), it->pinned);
        if (sqlite3_step(notice) != SQLITE_DONE) goto end;
    }
    sqlite3_bind_int64(state, P(state, "version"), m->version);
    sqlite3_bind_text(state, P(state, "etag"), etag ? etag : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(state, P(state, "manifest"), manifest, -1, SQLITE_STATIC);
    sqlite3_bind_text(state, P(state, "signature"), sig, -1, SQLITE_STATIC);
    sqlite3_bind_int64(state, P(state, "expires"), m->expires);
    sqlite3_bind_int64(state, P(state, "applied"), now);
    if (sqlite3_step(state) != SQLITE_DONE) goto end;
    rc = 0;
end:
    if (rc != 0) log_warn(MOD, "apply of version %lld failed: %s", m->version, sqlite3_errmsg(db));
    sqlite3_finalize(item);
    sqlite3_finalize(notice);
    sqlite3_finalize(state);
    if (rc == 0 && exec(db, "COMMIT") != 0) {
        log_warn(MOD, "apply: commit failed: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    if (rc != 0) exec(db, "ROLLBACK");
    return rc;
}

int content_store_set_etag(store_t *store, const char *etag)
{
    sqlite3 *db = store_db(store);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (db && sqlite3_prepare_v2(db, "UPDATE content_state SET etag = :etag WHERE id = 1", -1, &st,
                                 NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":etag"), etag, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(st);
    if (rc != 0 && db) log_warn(MOD, "etag: %s", sqlite3_errmsg(db));
    return rc;
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return s ? s : "";
}

/* Steps ST (columns id, kind, category, title, body, published, expires,
 * pinned, images, data), handing each row to FN; finalizes ST. */
static int each_row(sqlite3 *db, sqlite3_stmt *st, content_row_fn *fn, void *ctx)
{
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        content_row_t r = {
            .id = sqlite3_column_int64(st, 0),
            .kind = col_text(st, 1),
            .category = col_text(st, 2),
            .title = col_text(st, 3),
            .body = col_text(st, 4),
            .published = (time_t)sqlite3_column_int64(st, 5),
            .has_expires = sqlite3_column_type(st, 6) != SQLITE_NULL,
            .expires = (time_t)sqlite3_column_int64(st, 6),
            .pinned = sqlite3_column_int(st, 7) != 0,
            .images = col_text(st, 8),
            .data = (const char *)sqlite3_column_text(st, 9),
            .priority = sqlite3_column_int(st, 10),
        };
        fn(&r, ctx);
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        log_warn(MOD, "content items: %s", sqlite3_errmsg(db));
        return -1;
    }
    return n;
}

#define ROW_COLUMNS "id, kind, category, title, body, published, expires, pinned, images, data, priority"

int content_store_live(store_t *store, const char *kind, const char *locale, time_t now, int max,
                       content_row_fn *fn, void *ctx)
{
    sqlite3 *db = store_db(store);
    sqlite3_stmt *st = NULL;
    if (!db || sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM content_items"
                                  " WHERE kind = :kind AND locale = :locale"
                                  " AND (expires IS NULL OR expires >= :now)"
                                  " ORDER BY pinned DESC, published DESC, id DESC LIMIT :max",
                                  -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":kind"), kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":locale"), locale, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), (sqlite3_int64)now);
    sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":max"), max);
    return each_row(db, st, fn, ctx);
}

int content_store_all(store_t *store, const char *locale, content_row_fn *fn, void *ctx)
{
    sqlite3 *db = store_db(store);
    sqlite3_stmt *st = NULL;
    if (!db || sqlite3_prepare_v2(db, "SELECT " ROW_COLUMNS " FROM content_items"
                                  " WHERE locale = :locale ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":locale"), locale, -1, SQLITE_STATIC);
    return each_row(db, st, fn, ctx);
}

int content_store_image(const char *images, const char *var_dir, char *out, size_t len)
{
    cJSON *arr = cJSON_Parse(images ? images : "");
    const cJSON *first = cJSON_GetArrayItem(arr, 0);
    int ok = cJSON_IsString(first) && strlen(first->valuestring) == 64 &&
             strspn(first->valuestring, "0123456789abcdef") == 64;
    if (ok) {
        int n = snprintf(out, len, "%s/content/assets/%s", var_dir, first->valuestring);
        ok = n > 0 && (size_t)n < len;
    }
    cJSON_Delete(arr);
    return ok;
}
