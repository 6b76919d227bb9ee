/* Staff accounts of the console: a name, a role, the kiosk groups the
 * account may act on, and an Argon2id password hash (libsodium's
 * crypto_pwhash_str; the hub never keeps a password). Owns the table
 * `staff` (migration "staff accounts"). staff_may is the one policy
 * function: every console route asks it, nothing else decides who may do
 * what. Functions take the caller's connection; they hold no state, so any
 * worker thread may call them. Errors: -1 (bad input or a database error,
 * nothing changed); the *_add/_set functions say which in ERR. */
#ifndef HUB_STAFF_H
#define HUB_STAFF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#define STAFF_NAME_MAX 64          /* 1-63 of A-Z a-z 0-9 _ . - */
#define STAFF_GROUPS_MAX 512       /* "g1,g2", or "*" for every group */
#define STAFF_PW_MIN 10            /* bytes; a passphrase, not a PIN */
#define STAFF_PW_MAX 128

/* Roles, each with every right of the ones before it. */
typedef enum { STAFF_VIEWER, STAFF_EDITOR, STAFF_PUBLISHER, STAFF_ADMIN } staff_role_t;

/* What a staff member may ask for. */
typedef enum {
    STAFF_SEE_FLEET,               /* viewer: fleet list, a kiosk's state */
    STAFF_WRITE_DRAFT,             /* editor: write and edit drafts */
    STAFF_PUBLISH,                 /* publisher: approve, publish, emergency alerts */
    STAFF_MANAGE,                  /* admin: accounts, devices, keys, the change log */
} staff_perm_t;

typedef struct {
    char name[STAFF_NAME_MAX];
    staff_role_t role;
    char groups[STAFF_GROUPS_MAX];
    bool disabled;
} staff_t;

/* "viewer".."admin" <-> the enum; -1 for an unknown name. */
int staff_role_parse(const char *s);
const char *staff_role_name(staff_role_t r);
bool staff_name_ok(const char *s);
/* A comma-separated list of group names (1-63 of A-Z a-z 0-9 _ -, at most
 * 16), or "*". */
bool staff_groups_ok(const char *s);
/* True if GROUP is in the comma-separated LIST (or LIST is "*"). */
bool staff_group_in(const char *list, const char *group);

/* The policy: may S do PERM on a kiosk of GROUP? GROUP NULL: an action not
 * tied to one group (the fleet list is then filtered per kiosk). A kiosk
 * with no group ("") is reachable only by accounts scoped to "*". A
 * disabled account may do nothing. */
bool staff_may(const staff_t *s, staff_perm_t perm, const char *group);

/* Creates account NAME with ROLE, GROUPS (NULL: "*" for an admin, refused
 * for the others) and PASSWORD (STAFF_PW_MIN..STAFF_PW_MAX bytes). -1 with
 * ERR if a field is bad, the name is taken or the database fails. */
int staff_add(sqlite3 *db, const char *name, staff_role_t role, const char *groups,
              const char *password, long long now, char *err, size_t errlen);
/* Loads NAME into OUT. 1 found, 0 not found, -1 database error. */
int staff_get(sqlite3 *db, const char *name, staff_t *out);
/* Checks PASSWORD for NAME in about the same time whether NAME exists or
 * not (a dummy hash is verified for an unknown name). 1 right (OUT filled),
 * 0 wrong or unknown or disabled, -1 database error. */
int staff_check_password(sqlite3 *db, const char *name, const char *password, staff_t *out);
/* Replaces NAME's password hash. -1 with ERR for a bad password or a
 * database error. */
int staff_set_password(sqlite3 *db, const char *name, const char *password, long long now,
                       char *err, size_t errlen);

/* The demo's console admin (hub --demo only): STAFF_DEMO_NAME, all groups,
 * made once per demo database with a random password, written to FILE
 * (0600, never over another file) as the demo device's token is (a fixed
 * password would open every demo hub anyone left reachable). 0, or -1 with
 * ERR on a database or file error. */
#define STAFF_DEMO_NAME "admin"
int staff_demo_seed(sqlite3 *db, long long now, const char *file, char *err, size_t errlen);

#endif
