#include "console_auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int idle_s(const hub_req_t *req)
{
    int m = hub_config(req->hub)->console_idle_min;
    return (m > 0 ? m : 15) * 60;
}

static bool secure(const hub_req_t *req)
{
    const hub_config_t *c = hub_config(req->hub);
    return c->tls_cert[0] || c->console_secure_cookie;
}

static void set_cookie(const hub_req_t *req, hub_resp_t *resp, const char *value, bool clear)
{
    snprintf(resp->set_cookie, sizeof resp->set_cookie, "%s=%s; Path=/console; HttpOnly; SameSite=Strict%s%s",
             CONSOLE_COOKIE, value, clear ? "; Max-Age=0" : "", secure(req) ? "; Secure" : "");
}

static void hash_hex(const char *id, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)id, strlen(id));
    sodium_bin2hex(out, 65, h, sizeof h);
}

static void random_hex(char out[65])
{
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
}

/* The value of cookie NAME in REQ's Cookie header into OUT (64 lowercase
 * hex); false if none or malformed. */
static bool cookie_hex(const hub_req_t *req, const char *name, char out[65])
{
    const char *c = hub_header(req, "Cookie");
    size_t nl = strlen(name);
    for (const char *p = c; p && *p; ) {
        p += strspn(p, " ;");
        if (!strncmp(p, name, nl) && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t n = strcspn(v, "; ");
            if (n != 64) return false;
            for (size_t i = 0; i < n; i++)
                if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f'))) return false;
            memcpy(out, v, 64);
            out[64] = '\0';
            return true;
        }
        p += strcspn(p, ";");
    }
    return false;
}

/* The kc_session value of REQ's Cookie header into OUT (64 hex); false if none. */
static bool cookie_id(const hub_req_t *req, char out[65])
{
    return cookie_hex(req, CONSOLE_COOKIE, out);
}

int console_session_new(hub_req_t *req, hub_resp_t *resp, const staff_t *s, char csrf[65])
{
    char id[65], h[65];
    random_hex(id);
    random_hex(csrf);
    hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    /* Old sessions go here too: a table that only grows with sign-ins. */
    sqlite3_stmt *purge = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_sessions WHERE last_seen < :idle OR created < :max",
                           -1, &purge, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(purge, 1, req->now - idle_s(req));
        sqlite3_bind_int64(purge, 2, req->now - CONSOLE_MAX_AGE_S);
        sqlite3_step(purge);
    }
    sqlite3_finalize(purge);
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO console_sessions(id_hash, staff, csrf, addr, created, last_seen)"
                                         " VALUES(:h, :staff, :csrf, :addr, :now, :now)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, s->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, req->addr, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, req->now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    set_cookie(req, resp, id, false);
    sodium_memzero(id, sizeof id);
    return 0;
}

/* The Origin header, when there is one, names the host the request was
 * sent to (the Host header): a page of another site cannot pass. */
static bool same_origin(const hub_req_t *req)
{
    const char *origin = hub_header(req, "Origin"), *host = hub_header(req, "Host");
    if (!origin) return true;
    const char *p = strstr(origin, "://");
    return p && host && strcasecmp(p + 3, host) == 0;
}

int console_session_check(hub_req_t *req, hub_resp_t *resp, bool state_change, staff_t *out,
                          char csrf[65])
{
    char id[65], h[65], token[65] = "";
    if (!cookie_id(req, id)) return hub_error(resp, 401, "not_signed_in", "sign in first");
    hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT staff, csrf, last_seen, created FROM console_sessions WHERE id_hash = :h",
                           -1, &st, NULL) != SQLITE_OK)
        return hub_error(resp, 500, "storage", "cannot read the session");
    sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        long long last = sqlite3_column_int64(st, 2), created = sqlite3_column_int64(st, 3);
        found = req->now - last <= idle_s(req) && req->now - created <= CONSOLE_MAX_AGE_S;
        found = found && staff_get(req->db, (const char *)sqlite3_column_text(st, 0), out) == 1 && !out->disabled;
        snprintf(token, sizeof token, "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return hub_error(resp, 500, "storage", "cannot read the session");
    if (!found) {
        set_cookie(req, resp, "", true);
        return hub_error(resp, 401, "not_signed_in", "the session has ended; sign in again");
    }
    if (state_change) {
        const char *sent = hub_header(req, "X-CSRF-Token");
        if (!sent || strlen(sent) != 64 || sodium_memcmp(sent, token, 64) != 0)
            return hub_error(resp, 403, "csrf", "this change needs the X-CSRF-Token of the session");
        if (!same_origin(req))
            return hub_error(resp, 403, "csrf", "this change comes from another site");
    }
    if (csrf) snprintf(csrf, 65, "%s", token);
    if (sqlite3_prepare_v2(req->db, "UPDATE console_sessions SET last_seen = :now WHERE id_hash = :h",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now);
        sqlite3_bind_text(st, 2, h, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return 0;
}

void console_session_end(hub_req_t *req, hub_resp_t *resp)
{
    char id[65], h[65];
    set_cookie(req, resp, "", true);
    if (!cookie_id(req, id)) return;
    hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_sessions WHERE id_hash = :h", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

void console_sessions_drop(hub_req_t *req, const char *name, bool keep_own)
{
    char id[65], h[65] = "";
    if (keep_own && cookie_id(req, id)) hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_sessions WHERE staff = :name AND id_hash <> :h",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, h, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

/* Failures counted for a lock within the window, and the oldest's time:
 * WHERE is the condition on console_failures (binding :v, and :w when W is
 * not NULL). */
static long long failures(hub_req_t *req, const char *where, const char *v, const char *w, long long *oldest)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*), min(time) FROM console_failures WHERE %s AND time > :since", where);
    sqlite3_stmt *st = NULL;
    long long n = 0;
    *oldest = req->now;
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":v"), v, -1, SQLITE_TRANSIENT);
    if (w) sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":w"), w, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":since"), req->now - CONSOLE_LOCK_S);
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = sqlite3_column_int64(st, 0);
        if (n) *oldest = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return n;
}

/* The seconds left of the lock on LIMIT failures whose oldest is OLDEST. */
static int left(hub_req_t *req, long long n, int limit, long long oldest)
{
    return n >= limit ? (int)(oldest + CONSOLE_LOCK_S - req->now) : 0;
}

bool console_device_known(hub_req_t *req, const char *name, char h[65])
{
    char id[65];
    h[0] = '\0';
    if (!cookie_hex(req, CONSOLE_DEVICE_COOKIE, id)) return false;
    hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    bool known = false;
    if (sqlite3_prepare_v2(req->db, "SELECT 1 FROM console_devices WHERE id_hash = :h AND staff = :name"
                                    " AND last_used > :since", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, req->now - CONSOLE_DEVICE_MAX_AGE_S);
        known = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (!known) h[0] = '\0';
    return known;
}

int console_locked(hub_req_t *req, const char *name, const char *device)
{
    long long o;
    if (device && device[0]) {
        /* A browser that signed this account in before answers only for
         * itself: strangers' wrong guesses at the name or from the same
         * address do not lock it out. */
        long long n = failures(req, "name = :v AND device = :w", name, device, &o);
        int wait = left(req, n, CONSOLE_FAILS_DEVICE, o);
        return wait > 0 ? wait : 0;
    }
    long long n = failures(req, "name = :v AND device IS NULL", name, NULL, &o);
    int wait = left(req, n, CONSOLE_FAILS_NAME, o);
    n = failures(req, "addr = :v AND device IS NULL", req->addr, NULL, &o);
    int wa = left(req, n, CONSOLE_FAILS_ADDR, o);
    if (wa > wait) wait = wa;
    return wait > 0 ? wait : 0;
}

bool console_failed(hub_req_t *req, const char *name, const char *device)
{
    const char *dev = device && device[0] ? device : NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_failures WHERE time <= :old", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now - CONSOLE_LOCK_S);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(req->db, "INSERT INTO console_failures(name, addr, time, device)"
                                    " VALUES(:name, :addr, :now, :device)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, req->addr, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, req->now);
        if (dev) sqlite3_bind_text(st, 4, dev, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    long long o;
    if (dev) return failures(req, "name = :v AND device = :w", name, dev, &o) == CONSOLE_FAILS_DEVICE;
    return failures(req, "name = :v AND device IS NULL", name, NULL, &o) == CONSOLE_FAILS_NAME ||
           failures(req, "addr = :v AND device IS NULL", req->addr, NULL, &o) == CONSOLE_FAILS_ADDR;
}

int console_device_remember(hub_req_t *req, hub_resp_t *resp, const char *name)
{
    char id[65], h[65];
    bool had = cookie_hex(req, CONSOLE_DEVICE_COOKIE, id);
    if (!had) random_hex(id);
    hash_hex(id, h);
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_devices WHERE last_used <= :old", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now - CONSOLE_DEVICE_MAX_AGE_S);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(req->db, "INSERT INTO console_devices(id_hash, staff, created, last_used)"
                                    " VALUES(:h, :name, :now, :now)"
                                    " ON CONFLICT(id_hash, staff) DO UPDATE SET last_used = excluded.last_used",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, h, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 3, req->now);
        if (sqlite3_step(st) == SQLITE_DONE) rc = 0;
    }
    sqlite3_finalize(st);
    if (rc == 0)
        /* Sent back only to the sign-in route, for as long as it is kept. */
        snprintf(resp->set_cookie2, sizeof resp->set_cookie2,
                 "%s=%s; Path=/console/api/login; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                 CONSOLE_DEVICE_COOKIE, id, CONSOLE_DEVICE_MAX_AGE_S, secure(req) ? "; Secure" : "");
    sodium_memzero(id, sizeof id);
    return rc;
}

void console_failures_clear(hub_req_t *req, const char *name)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM console_failures WHERE name = :name", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}
