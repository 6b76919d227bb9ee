#include "auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "db.h"
#include "hub.h"

static int valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n < 1 || n > 63) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static void hash_hex(const char *secret, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static int store_role(sqlite3 *db, const char *id, const char *secret, const char *role)
{
    char hex[65];
    hash_hex(secret, hex);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
        "INSERT INTO devices(id, token_hash, created, role) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(id) DO UPDATE SET token_hash = ?2, revoked = 0 WHERE role = ?4", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)hub_now());
        sqlite3_bind_text(st, 4, role, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1 ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

static int store(sqlite3 *db, const char *id, const char *secret)
{
    return store_role(db, id, secret, "kiosk");
}

static int add_role(sqlite3 *db, const char *id, const char *role, char *token, size_t toklen)
{
    if (!valid_id(id) || sodium_init() < 0) return -1;
    unsigned char raw[32];
    char secret[65];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(secret, sizeof secret, raw, sizeof raw);
    if (store_role(db, id, secret, role) != 0) return -1;
    snprintf(token, toklen, "%s.%s", id, secret);
    sodium_memzero(secret, sizeof secret);
    return 0;
}

int auth_device_add(sqlite3 *db, const char *id, char *token, size_t toklen)
{
    return add_role(db, id, "kiosk", token, toklen);
}

int auth_staff_add(sqlite3 *db, const char *name, char *token, size_t toklen)
{
    return add_role(db, name, "staff", token, toklen);
}

int auth_demo_device(sqlite3 *db, const char *token)
{
    const char *dot = strchr(token, '.');
    if (!dot || sodium_init() < 0) return -1;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(dot - token), token);
    return valid_id(id) ? store(db, id, dot + 1) : -1;
}

int auth_device_revoke(sqlite3 *db, const char *id)
{
    sqlite3_stmt *st = NULL;
    int changed = 0;
    if (sqlite3_prepare_v2(db, "UPDATE devices SET revoked = 1 WHERE id = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_DONE) changed = sqlite3_changes(db);
    }
    sqlite3_finalize(st);
    return changed ? 0 : -1;
}

static const char check_sql[] = "SELECT token_hash, revoked FROM devices WHERE id = ?1 AND role = ?2";

int auth_check_role(sqlite3 *db, const char *authorization, const char *role, char *id_out,
                    size_t idlen)
{
    if (!authorization || strncmp(authorization, "Bearer ", 7) != 0) return -1;
    const char *tok = authorization + 7;
    const char *dot = strchr(tok, '.');
    if (!dot || dot == tok || dot - tok > 63 || strlen(dot + 1) != 64) return -1;
    char id[64], hex[65], want[65] = "";
    snprintf(id, sizeof id, "%.*s", (int)(dot - tok), tok);
    if (!valid_id(id)) return -1;
    hash_hex(dot + 1, hex);
    /* Read from the database on every request, never from a copy: a token
     * revoked or replaced by any process (the hub CLI) is refused at once.
     * The statement is kept prepared on the worker's connection. */
    int revoked = 1;
    sqlite3_stmt *st = db_stmt(db, check_sql);
    if (st) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(want, sizeof want, "%s", (const char *)sqlite3_column_text(st, 0));
            revoked = sqlite3_column_int(st, 1);
        }
    }
    db_stmt_done(db, st);
    if (revoked || strlen(want) != 64 || sodium_memcmp(hex, want, 64) != 0) return -1;
    snprintf(id_out, idlen, "%s", id);
    return 0;
}

int auth_check(sqlite3 *db, const char *authorization, char *id_out, size_t idlen)
{
    return auth_check_role(db, authorization, "kiosk", id_out, idlen);
}
