/* The community resident codes (一码通) the hub issues and verifies; the
 * payload is common/rescode.h's. A code is issued to a registered resident
 * (build/hub rescode issue, POST /v1/admin/rescodes), shown at a kiosk and
 * verified here (POST /v1/identify/rescode, POST /v1/bills/lookup by
 * "rescode"): its MAC, then its row in the rescodes table (unknown,
 * revoked, superseded by a newer code of the same resident), then its
 * expiry on the hub's clock. Every refusal answers a device alike; the
 * audit log says which it was (hub_req_t.audit_detail).
 *
 * Why a MAC and not a signature: the hub is the only party that issues and
 * checks codes (a code is worth nothing without the hub's list of revoked
 * ones), so a public key would buy nothing, and a 128-bit HMAC-SHA-256
 * keeps the QR code small (version 4) where an Ed25519 signature would
 * quadruple its MAC field. The key is a file of its own (default: the
 * database's path + ".rescode.key", 0600, made when missing): replacing it
 * voids every code at once, without touching the personal-data key. The
 * database holds no MAC: a copy of it cannot make codes.
 *
 * Thread-safe once rescodes_load_key has returned; the functions run on the
 * caller's database connection. */
#ifndef HUB_RESCODES_H
#define HUB_RESCODES_H

#include <sqlite3.h>
#include <stdint.h>
#include "hub.h"
#include "rescode.h"

#define RESCODES_DAYS 365          /* a code's life unless told otherwise */
#define RESCODES_MAX_DAYS 3650

typedef enum {
    RESCODES_OK,
    RESCODES_MALFORMED,            /* not a resident code's shape */
    RESCODES_FORGED,               /* the MAC does not verify, or the fields differ from the row */
    RESCODES_UNKNOWN,              /* a valid MAC, but no such code (or no such resident) here */
    RESCODES_REVOKED,              /* revoked by staff */
    RESCODES_SUPERSEDED,           /* a newer code was issued to the resident */
    RESCODES_EXPIRED,
    RESCODES_ERROR,                /* the database failed */
} rescodes_verdict_t;

/* The key file (hub.ini rescode_key_file); "" = the default. -1 if too long. */
int rescodes_set_key_file(const char *path);
/* Loads (or makes) the key for the database at DB_PATH. 0, or -1 with ERR. */
int rescodes_load_key(const char *db_path, char *err, int errlen);

/* Issues a new code to resident RESIDENT (residents.id) valid DAYS
 * (1..RESCODES_MAX_DAYS) from NOW; BY names who (a staff member, "cli",
 * "demo"). Every earlier live code of the resident is superseded. Atomic
 * (a savepoint of its own). Fills OUT and PAYLOAD. 0, 1 when there is no
 * such resident, -1 on a database error or without a key. */
int rescodes_issue(sqlite3 *db, long long resident, int64_t now, int days, const char *by,
                   rescode_t *out, char payload[RESCODE_MAX + 1]);
/* Revokes code CODE at NOW. 0, 1 when no such live code exists, -1 on error. */
int rescodes_revoke(sqlite3 *db, const char *code, int64_t now);
/* The resident (residents.id) with ID number IDN (18 characters, checked),
 * 0 if none, -1 on error. */
long long rescodes_resident_by_id_number(sqlite3 *db, const char *idn);

/* Verifies the LEN bytes at PAYLOAD at NOW; on RESCODES_OK *RESIDENT is the
 * resident's residents.id and *OUT (when not NULL) the code's fields. */
rescodes_verdict_t rescodes_verify(sqlite3 *db, const char *payload, size_t len, int64_t now,
                                   long long *resident, rescode_t *out);
/* "found", "malformed", "forged", "unknown", "revoked", "superseded",
 * "expired", "error": the audit log's detail. */
const char *rescodes_verdict_name(rescodes_verdict_t v);

/* POST /v1/identify/rescode {"code":PAYLOAD} (device, look-up class). */
void api_identify_rescode(hub_req_t *req, hub_resp_t *resp);
/* POST /v1/admin/rescodes {"resident":N | "id_number":S, "days":D} (staff). */
void api_admin_rescode_issue(hub_req_t *req, hub_resp_t *resp);
/* POST /v1/admin/rescodes/{code}/revoke (staff). */
void api_admin_rescode_revoke(hub_req_t *req, hub_resp_t *resp);

/* build/hub rescode issue|revoke ...: ARGV[1] is "rescode". CFG holds the
 * defaults; READ_INI reads a --config file into it (0, or 2 after
 * printing). KEY_FILE is the personal-data key file ("" = default), set
 * by --key-file. Returns the exit status. */
int rescodes_cli(int argc, char **argv, hub_config_t *cfg, int (*read_ini)(const char *, hub_config_t *),
                 char *key_file, size_t key_file_len);

/* Demo hub: issues the resident with ID number ID_NUMBER a code, once per
 * database, written next to DB_PATH as demo-rescode.txt (the payload) and
 * demo-rescode.svg (its QR code). 0, or -1 (no such resident, a file). */
int rescodes_demo(sqlite3 *db, const char *db_path, const char *id_number);

#endif
