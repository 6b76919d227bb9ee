/* The audit of look-ups of residents: every answer of a ROUTE_LOOKUP route
 * (bills by account, by paper-bill QR code or by ID number; booking look-ups)
 * is a row of the audit table with the device, the time, the kind of
 * look-up and its outcome - never the number looked for - and, where the
 * handler names one (hub_req_t.audit_detail), a finer reason: a resident
 * code "forged", "revoked", "superseded", "expired" or "unknown", or
 * "out_of_area" when every match was out of the device's community
 * (scope.h; also a payment naming such a bill, kind "payment"). A burst of misses
 * from one device raises a fleet alert. Runs on the worker threads with the
 * request's database connection, outside the handler's transaction. */
#ifndef HUB_AUDIT_H
#define HUB_AUDIT_H

#include "hub.h"

/* The kind of look-up REQ (on ROUTE) is: the handler's REQ->audit_kind if
 * it named one ("rescode", "bill_rescode", "payment"), else "bill_account", "bill_qr",
 * "id_number", "booking", "booking_cancel", or the route's pattern. */
const char *audit_kind(const hub_req_t *req, const hub_route_t *route);

/* Records REQ's look-up of KIND answered with STATUS (200 found, 404 not
 * found, anything else refused), and raises an alert when the device's
 * misses in the configured window exceed the configured count. A database
 * error is logged, never answered: the look-up itself stands. A failed
 * proof (REQ->proof_miss) is a miss whatever STATUS, and counted against
 * its key for audit_proof_locked. */
void audit_lookup(hub_req_t *req, const char *kind, int status);

/* Failed proofs of one thing (hub_req_t.proof_miss: a phone's keyed hash)
 * by a check-in code, from any device: at most AUDIT_PROOF_MISSES in
 * AUDIT_PROOF_WINDOW_S, then the proof is refused until the oldest ages
 * out. 900,000 six-digit codes at 10 tries a day: a booking's code is
 * guessed with a chance of 1 in 90,000 a day, against 43,200 tries a day
 * (4.8%) per device at the default look-up rate (30 a minute) alone. */
#define AUDIT_PROOF_MISSES 10
#define AUDIT_PROOF_WINDOW_S (24 * 3600)

/* True if KEY had AUDIT_PROOF_MISSES failed proofs in the window before
 * NOW; *RETRY_S then says when the oldest ages out. A database error
 * counts as locked (the caller answers 500 or refuses): -1. */
int audit_proof_locked(sqlite3 *db, const char *key, int64_t now, int *retry_s);

/* Adds "lookup_misses" to FAULTS when DEVICE raised an alert in the last
 * 24 hours (the fleet view, GET /v1/admin/fleet). */
void audit_fleet_faults(hub_req_t *req, const char *device, cJSON *faults);

/* GET /v1/admin/audit?since=T[&device=ID] (staff). */
void api_admin_audit(hub_req_t *req, hub_resp_t *resp);

#endif
