#include "staff.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const role_names[] = {"viewer", "editor", "publisher", "admin"};

/* The least role each permission needs. */
static const staff_role_t perm_role[] = {
    [STAFF_SEE_FLEET] = STAFF_VIEWER,
    [STAFF_WRITE_DRAFT] = STAFF_EDITOR,
    [STAFF_PUBLISH] = STAFF_PUBLISHER,
    [STAFF_MANAGE] = STAFF_ADMIN,
};

int staff_role_parse(const char *s)
{
    for (int i = 0; s && i < 4; i++)
        if (!strcmp(s, role_names[i])) return i;
    return -1;
}

const char *staff_role_name(staff_role_t r)
{
    return r >= STAFF_VIEWER && r <= STAFF_ADMIN ? role_names[r] : "?";
}

static bool name_chars(const char *s, size_t n, bool dot)
{
    if (n < 1 || n > 63) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || (dot && c == '.')))
            return false;
    }
    return true;
}

bool staff_name_ok(const char *s)
{
    return s && name_chars(s, strlen(s), true) && s[0] != '.';
}

bool staff_groups_ok(const char *s)
{
    if (!s) return false;
    if (!strcmp(s, "*")) return true;
    if (strlen(s) >= STAFF_GROUPS_MAX) return false;
    int n = 0;
    for (const char *p = s;; ) {
        size_t len = strcspn(p, ",");
        if (!name_chars(p, len, false) || ++n > 16) return false;
        if (!p[len]) return true;
        p += len + 1;
    }
}

bool staff_group_in(const char *list, const char *group)
{
    if (!list || !group) return false;
    if (!strcmp(list, "*")) return true;
    size_t gl = strlen(group);
    if (!gl) return false;
    for (const char *p = list; *p; ) {
        size_t len = strcspn(p, ",");
        if (len == gl && !strncmp(p, group, gl)) return true;
        p += len + (p[len] ? 1 : 0);
    }
    return false;
}

bool staff_may(const staff_t *s, staff_perm_t perm, const char *group)
{
    if (!s || s->disabled || perm < STAFF_SEE_FLEET || perm > STAFF_MANAGE) return false;
    if (s->role < perm_role[perm]) return false;
    return !group || staff_group_in(s->groups, group);
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], char *err, size_t errlen)
{
    size_t n = password ? strlen(password) : 0;
    if (n < STAFF_PW_MIN || n > STAFF_PW_MAX) {
        snprintf(err, errlen, "a password has %d to %d bytes", STAFF_PW_MIN, STAFF_PW_MAX);
        return -1;
    }
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errlen, "out of memory hashing the password");
        return -1;
    }
    return 0;
}

int staff_add(sqlite3 *db, const char *name, staff_role_t role, const char *groups,
              const char *password, long long now, char *err, size_t errlen)
{
    if (!staff_name_ok(name)) {
        snprintf(err, errlen, "a staff name is 1-63 of A-Z a-z 0-9 _ . - (not starting with .)");
        return -1;
    }
    if (role < STAFF_VIEWER || role > STAFF_ADMIN) {
        snprintf(err, errlen, "the role is admin, publisher, editor or viewer");
        return -1;
    }
    if (!groups && role == STAFF_ADMIN) groups = "*";
    if (!staff_groups_ok(groups)) {
        snprintf(err, errlen, "--groups: a comma-separated list of kiosk groups (1-63 of A-Z a-z 0-9 _ -), or *");
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(password, hash, err, errlen) != 0) return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO staff(name, role, groups, pw_hash, created, pw_changed)"
                                    " VALUES(:name, :role, :groups, :hash, :now, :now)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, role_names[role], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, groups, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, now);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    sodium_memzero(hash, sizeof hash);
    if (rc == SQLITE_CONSTRAINT) {
        snprintf(err, errlen, "a staff account named %s exists already", name);
        return -1;
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "database: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

/* 1 with OUT and HASH (may be NULL) filled, 0 not found, -1 error. */
static int load(sqlite3 *db, const char *name, staff_t *out, char hash[crypto_pwhash_STRBYTES])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT role, groups, pw_hash, disabled FROM staff WHERE name = :name",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1) {
        memset(out, 0, sizeof *out);
        snprintf(out->name, sizeof out->name, "%s", name);
        int role = staff_role_parse((const char *)sqlite3_column_text(st, 0));
        out->role = role < 0 ? STAFF_VIEWER : (staff_role_t)role;
        snprintf(out->groups, sizeof out->groups, "%s", (const char *)sqlite3_column_text(st, 1));
        if (hash) snprintf(hash, crypto_pwhash_STRBYTES, "%s", (const char *)sqlite3_column_text(st, 2));
        out->disabled = sqlite3_column_int(st, 3) != 0 || role < 0;
    }
    sqlite3_finalize(st);
    return found;
}

int staff_get(sqlite3 *db, const char *name, staff_t *out)
{
    return staff_name_ok(name) ? load(db, name, out, NULL) : 0;
}

/* A hash of a password nobody knows, verified for unknown names so that a
 * wrong name costs what a wrong password costs. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
    unsigned char pw[32];
    randombytes_buf(pw, sizeof pw);
    if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        dummy_hash[0] = '\0';
}

int staff_check_password(sqlite3 *db, const char *name, const char *password, staff_t *out)
{
    char hash[crypto_pwhash_STRBYTES] = "";
    staff_t s;
    int found = staff_name_ok(name) ? load(db, name, &s, hash) : 0;
    if (found < 0) return -1;
    size_t n = password ? strlen(password) : 0;
    /* Longer than any stored password: wrong, after the same work. */
    bool too_long = n > STAFF_PW_MAX;
    if (too_long) n = STAFF_PW_MAX;
    if (found == 0 || too_long) {
        pthread_once(&dummy_once, make_dummy);
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, password ? password : "", n) == 0)
            return 0;                    /* a random password: never guessed */
        return 0;
    }
    bool ok = crypto_pwhash_str_verify(hash, password ? password : "", n) == 0;
    sodium_memzero(hash, sizeof hash);
    if (!ok || s.disabled) return 0;
    *out = s;
    return 1;
}

int staff_set_password(sqlite3 *db, const char *name, const char *password, long long now,
                       char *err, size_t errlen)
{
    char hash[crypto_pwhash_STRBYTES];
    if (hash_password(password, hash, err, errlen) != 0) return -1;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "UPDATE staff SET pw_hash = :hash, pw_changed = :now WHERE name = :name",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    sodium_memzero(hash, sizeof hash);
    if (rc != SQLITE_DONE || sqlite3_changes(db) != 1) {
        snprintf(err, errlen, "cannot store the password: %s", rc == SQLITE_DONE ? "no such account" : sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

int staff_demo_seed(sqlite3 *db, long long now, const char *file, char *err, size_t errlen)
{
    staff_t s;
    int found = staff_get(db, STAFF_DEMO_NAME, &s);
    if (found != 0) {
        if (found < 0) snprintf(err, errlen, "cannot read the staff accounts");
        return found < 0 ? -1 : 0;
    }
    /* 16 letters and digits, none that read alike (0/O, 1/l/I): about 80
     * bits, typed from the file by whoever runs the demo. */
    static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
    char pw[17];
    for (int i = 0; i < 16; i++) pw[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    pw[16] = '\0';
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s (the demo admin's password goes there, a new file)", file, strerror(errno));
        return -1;
    }
    char line[24];
    int n = snprintf(line, sizeof line, "%s\n", pw);
    bool ok = write(fd, line, (size_t)n) == n;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        snprintf(err, errlen, "%s: cannot write the demo admin's password", file);
        unlink(file);
        return -1;
    }
    int rc = staff_add(db, STAFF_DEMO_NAME, STAFF_ADMIN, "*", pw, now, err, errlen);
    sodium_memzero(pw, sizeof pw);
    if (rc != 0) unlink(file);
    return rc;
}
