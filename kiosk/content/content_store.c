/* The bundle in use, in SQLite (see content_store.h). */
#include "content/content_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define MOD "content"

int content_store_current(sqlite3 *db, long long *version, char *etag, size_t etag_len)
{
    sqlite3_stmt *st = NULL;
    *version = 0;
    if (etag && etag_len) etag[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT version, etag FROM content_state WHERE id = 1", -1, &st,
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

int content_store_apply(sqlite3 *db, const cm_manifest_t *m, const char *manifest,
                        const char *sig, const char *etag, long long now)
{
    sqlite3_stmt *item = NULL, *notice = NULL, *state = NULL;
    int rc = -1;
    if (exec(db, "BEGIN IMMEDIATE") != 0) {
        log_warn(MOD, "apply: cannot begin: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (exec(db, "DELETE FROM content_items; DELETE FROM notices;") != 0 ||
        sqlite3_prepare_v2(db,
            "INSERT INTO content_items(id, kind, category, locale, title, body, published,"
            " expires, pinned, priority, images, data) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
            -1, &item, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "INSERT INTO notices(id, locale, category, title, body, published, pinned)"
            " VALUES(?1,?2,?3,?4,?5,?6,?7)", -1, &notice, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
            "INSERT OR REPLACE INTO content_state(id, version, etag, manifest, signature, expires,"
            " applied) VALUES(1,?1,?2,?3,?4,?5,?6)", -1, &state, NULL) != SQLITE_OK)
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
        sqlite3_bind_int64(item, 1, it->id);
        sqlite3_bind_text(item, 2, it->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, 3, it->category, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, 4, it->locale, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, 5, it->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(item, 6, it->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(item, 7, it->published);
        if (it->expires) sqlite3_bind_int64(item, 8, it->expires);
        sqlite3_bind_int(item, 9, it->pinned);
        sqlite3_bind_int(item, 10, it->priority);
        sqlite3_bind_text(item, 11, images, -1, SQLITE_TRANSIENT);
        if (data) sqlite3_bind_text(item, 12, data, -1, SQLITE_TRANSIENT);
        int step = sqlite3_step(item);
        free(data);
        if (step != SQLITE_DONE) goto end;
        if (!is_notice(it->kind) || (it->expires && it->expires < now)) continue;
        sqlite3_reset(notice);
        sqlite3_bind_int64(notice, 1, it->id);
        sqlite3_bind_text(notice, 2, it->locale, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, 3, !strcmp(it->kind, "notice") ? it->category : it->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, 4, it->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(notice, 5, it->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(notice, 6, it->published);
        sqlite3_bind_int(notice, 7, it->pinned);
        if (sqlite3_step(notice) != SQLITE_DONE) goto end;
    }
    sqlite3_bind_int64(state, 1, m->version);
    sqlite3_bind_text(state, 2, etag ? etag : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(state, 3, manifest, -1, SQLITE_STATIC);
    sqlite3_bind_text(state, 4, sig, -1, SQLITE_STATIC);
    sqlite3_bind_int64(state, 5, m->expires);
    sqlite3_bind_int64(state, 6, now);
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
