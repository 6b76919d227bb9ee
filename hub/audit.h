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
 * error is logged, never answered: the look-up itself stands. */
void audit_lookup(hub_req_t *req, const char *kind, int status);

/* Adds "lookup_misses" to FAULTS when DEVICE raised an alert in the last
 * 24 hours (the fleet view, GET /v1/admin/fleet). */
void audit_fleet_faults(hub_req_t *req, const char *device, cJSON *faults);

/* GET /v1/admin/audit?since=T[&device=ID] (staff). */
void api_admin_audit(hub_req_t *req, hub_resp_t *resp);

#endif
