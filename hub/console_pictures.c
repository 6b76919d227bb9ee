#include "console_pictures.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "picture.h"
#include "staff.h"

#define LIST_MAX 200

static pthread_mutex_t making = PTHREAD_MUTEX_INITIALIZER;

/* The request's Content-Type without parameters, lower-cased, into OUT ("" if none). */
static void declared_type(hub_req_t *req, char *out, size_t len)
{
    const char *ct = hub_header(req, "Content-Type");
    size_t n = ct ? strcspn(ct, "; \t") : 0;
    if (n >= len) n = len - 1;
    for (size_t i = 0; i < n; i++) out[i] = (char)(ct[i] >= 'A' && ct[i] <= 'Z' ? ct[i] + 32 : ct[i]);
    out[n] = '\0';
}

static cJSON *picture_json(const char *sha, const char *type, long long w, long long h, long long size,
                           const char *staff, long long created)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sha256", sha);
    cJSON_AddStringToObject(o, "type", type);
    cJSON_AddNumberToObject(o, "width", (double)w);
    cJSON_AddNumberToObject(o, "height", (double)h);
    cJSON_AddNumberToObject(o, "size", (double)size);
    if (staff) cJSON_AddStringToObject(o, "staff", staff);
    if (created) cJSON_AddNumberToObject(o, "created", (double)created);
    return o;
}

/* Stores PIC as SHA: the asset, its listing and (when new) the change log
 * row, in one transaction. 1 stored now, 0 there already, or the error status. */
static int store(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const picture_t *pic, const char *sha)
{
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        resp->retry_after = 1;
        return hub_error(resp, 503, "busy", "the hub is busy; try again");
    }
    sqlite3_stmt *a = NULL, *p = NULL;
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO content_assets(sha256, type, size, data, staff, created)"
                                         " VALUES(:sha, :type, :size, :data, :staff, :now)"
                                         " ON CONFLICT(sha256) DO NOTHING", -1, &a, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(req->db, "INSERT INTO console_pictures(sha256, width, height, staff, created)"
                                         " VALUES(:sha, :w, :h, :staff, :now) ON CONFLICT(sha256) DO NOTHING",
                                -1, &p, NULL);
    int fresh = 0;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(a, 1, sha, -1, SQLITE_STATIC);
        sqlite3_bind_text(a, 2, pic->type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(a, 3, (sqlite3_int64)pic->len);
        sqlite3_bind_blob64(a, 4, pic->data, pic->len, SQLITE_STATIC);
        sqlite3_bind_text(a, 5, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(a, 6, req->now);
        rc = sqlite3_step(a) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(p, 1, sha, -1, SQLITE_STATIC);
        sqlite3_bind_int(p, 2, pic->width);
        sqlite3_bind_int(p, 3, pic->height);
        sqlite3_bind_text(p, 4, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(p, 5, req->now);
        rc = sqlite3_step(p) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        fresh = rc == SQLITE_OK && sqlite3_changes(req->db) == 1;
    }
    sqlite3_finalize(a);
    sqlite3_finalize(p);
    if (rc == SQLITE_OK && fresh) {
        cJSON *after = picture_json(sha, pic->type, pic->width, pic->height, (long long)pic->len, NULL, 0);
        char *at = cJSON_PrintUnformatted(after), target[80];
        snprintf(target, sizeof target, "picture %.12s", sha);
        console_log_change(req->db, req->now, s->name, req->addr, "picture_upload", target, NULL, at);
        free(at);
        cJSON_Delete(after);
    }
    if (rc != SQLITE_OK || db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        resp->retry_after = 1;
        return hub_error(resp, 503, "storage", "the picture could not be stored; try again");
    }
    return fresh;
}

void console_picture_upload(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char type[40];
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_WRITE_DRAFT, NULL)) {
        hub_error(resp, 403, "forbidden", "a viewer cannot upload pictures");
        return;
    }
    if (req->body_len == 0) {
        hub_error(resp, 422, "invalid_picture", "the body (the picture's bytes) is empty");
        return;
    }
    declared_type(req, type, sizeof type);
    if (pthread_mutex_trylock(&making) != 0) {
        resp->retry_after = 2;
        hub_error(resp, 503, "busy", "another picture is being processed; try again in a moment");
        return;
    }
    picture_t pic;
    picture_error_t err;
    int rc = picture_process((const unsigned char *)req->body, req->body_len, type, PICTURE_FIT, &pic, &err);
    pthread_mutex_unlock(&making);
    if (rc != 0) {
        hub_error(resp, !strcmp(err.code, "memory") ? 503 : 422, err.code, "%s", err.message);
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    char sha[65];
    crypto_hash_sha256(h, pic.data, pic.len);
    sodium_bin2hex(sha, sizeof sha, h, sizeof h);
    int fresh = store(req, resp, &s, &pic, sha);
    if (fresh >= 0 && fresh <= 1)
        hub_reply(resp, fresh ? 201 : 200,
                  picture_json(sha, pic.type, pic.width, pic.height, (long long)pic.len, NULL, 0));
    picture_free(&pic);
}

void console_picture_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT p.sha256, a.type, p.width, p.height, a.size, p.staff, p.created"
                                    " FROM console_pictures p JOIN content_assets a ON a.sha256 = p.sha256"
                                    " ORDER BY p.created DESC, p.rowid DESC LIMIT :n", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the pictures");
        return;
    }
    sqlite3_bind_int(st, 1, LIST_MAX);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "pictures");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(arr, picture_json((const char *)sqlite3_column_text(st, 0),
                                               (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
                                               sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                                               (const char *)sqlite3_column_text(st, 5), sqlite3_column_int64(st, 6)));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the pictures");
        return;
    }
    hub_reply(resp, 200, o);
}

void console_picture_get(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT a.type, a.data FROM console_pictures p"
                                    " JOIN content_assets a ON a.sha256 = p.sha256 WHERE p.sha256 = :sha",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the picture");
        return;
    }
    sqlite3_bind_text(st, 1, req->params[0], -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (rc == SQLITE_DONE) hub_error(resp, 404, "not_found", "no such picture");
        else hub_error(resp, 500, "storage", "cannot read the picture");
        return;
    }
    const char *type = (const char *)sqlite3_column_text(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 1);
    char *data = malloc(n + 1);
    if (!data) {
        sqlite3_finalize(st);
        hub_error(resp, 500, "memory", "out of memory");
        return;
    }
    memcpy(data, sqlite3_column_blob(st, 1), n);
    data[n] = '\0';
    resp->content_type = !strcmp(type, "image/png") ? "image/png" : "image/jpeg";
    sqlite3_finalize(st);
    free(resp->body);
    resp->status = 200;
    resp->body = data;
    resp->body_len = n;
}

int console_picture_known(sqlite3 *db, const char *sha256)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM console_pictures WHERE sha256 = :sha", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
