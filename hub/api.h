/* Handlers of the /v1 API, one file per area (api_*.c). Each handler reads
 * hub_req_t, validates with validate.h and answers with hub_reply/hub_error.
 * docs/api.md describes every endpoint; tests/hub checks it. */
#ifndef HUB_API_H
#define HUB_API_H

#include "hub.h"
#include "pay.h"

/* api_health.c */
void api_health(hub_req_t *req, hub_resp_t *resp);

/* api_bills.c: utility accounts and bills */
void api_bills_get(hub_req_t *req, hub_resp_t *resp);          /* GET  /v1/bills */
void api_bills_lookup(hub_req_t *req, hub_resp_t *resp);       /* POST /v1/bills/lookup */
/* Before both, outside any transaction: the account's bills from the
 * billing system into the tables (billing.h); a system out of reach makes
 * the handler answer 503 billing_unavailable. */
void api_bills_fetch(hub_req_t *req);

/* api_payments.c: QR payment orders (demo provider behaves like the real APIs) */
void api_pay_create(hub_req_t *req, hub_resp_t *resp);         /* POST /v1/payments */
void api_pay_query(hub_req_t *req, hub_resp_t *resp);          /* GET  /v1/payments/{no} */
void api_pay_close(hub_req_t *req, hub_resp_t *resp);          /* POST /v1/payments/{no}/close */
void api_pay_reverse(hub_req_t *req, hub_resp_t *resp);        /* POST /v1/payments/{no}/reverse */
void api_demo_pay(hub_req_t *req, hub_resp_t *resp);           /* GET  /v1/demo/pay/{no} */
void api_demo_behaviour(hub_req_t *req, hub_resp_t *resp);     /* POST /v1/demo/behaviour */
/* Before every payment handler, outside its transaction: the demo
 * provider's configured latency, or a real provider's calls (pay.h). */
void api_pay_latency(hub_req_t *req);
/* api_refunds.c: POST /v1/admin/payments/{no}/refund (staff), and its
 * hook that asks a real provider for the refund outside the transaction. */
void api_admin_refund(hub_req_t *req, hub_resp_t *resp);
void api_refund_provider(hub_req_t *req);
/* Applies a real provider's verified answer R about order NO (REVERSAL: R
 * answers a cancel the kiosk asked for) in a transaction of its own: SUCCESS
 * pays the bills (if the amount matches), CLOSED/REFUSED end an open order.
 * A success the order can no longer take is recorded in payment_events.
 * 0, or -1 on a database error (nothing changed). */
int api_pay_apply(sqlite3 *db, const char *no, const pay_result_t *r, bool reversal, int64_t now);

/* api_housekeeping.c */
void api_hk_services(hub_req_t *req, hub_resp_t *resp);        /* GET  /v1/housekeeping/services */
void api_hk_slots(hub_req_t *req, hub_resp_t *resp);           /* GET  /v1/housekeeping/slots */
void api_hk_book(hub_req_t *req, hub_resp_t *resp);            /* POST /v1/housekeeping/bookings */
void api_hk_lookup(hub_req_t *req, hub_resp_t *resp);          /* POST /v1/housekeeping/bookings/lookup */
void api_hk_cancel(hub_req_t *req, hub_resp_t *resp);          /* POST /v1/housekeeping/bookings/{code}/cancel */

/* api_content.c: notices, events, library, lectures, guides, playlists */
void api_content_list(hub_req_t *req, hub_resp_t *resp);       /* GET  /v1/content */
void api_content_get(hub_req_t *req, hub_resp_t *resp);        /* GET  /v1/content/{id} */
void api_event_register(hub_req_t *req, hub_resp_t *resp);     /* POST /v1/events/{id}/registrations */

/* api_misc.c: help requests and telemetry */
void api_help_create(hub_req_t *req, hub_resp_t *resp);        /* POST /v1/help */
void api_help_status(hub_req_t *req, hub_resp_t *resp);        /* GET  /v1/help/{id} */
void api_demo_help_ack(hub_req_t *req, hub_resp_t *resp);      /* POST /v1/demo/help/{id}/ack */
void api_heartbeat(hub_req_t *req, hub_resp_t *resp);          /* POST /v1/heartbeat */
void api_proof_of_play(hub_req_t *req, hub_resp_t *resp);      /* POST /v1/proof-of-play */
/* True if any key or value in J looks like a phone or ID number (telemetry refuses it). */
bool api_personal_json(const cJSON *j);

/* api_fleet.c: remote commands, screenshots, fleet status */
/* Appends this device's undelivered commands ({id, kind, args}) to ARR and
 * marks them delivered (in the caller's transaction). 0, or -1 on a database error. */
int api_fleet_take_commands(hub_req_t *req, cJSON *arr);
void api_command_result(hub_req_t *req, hub_resp_t *resp);     /* POST /v1/commands/{id}/result */
void api_screenshot_upload(hub_req_t *req, hub_resp_t *resp);  /* POST /v1/screenshots */
void api_admin_command(hub_req_t *req, hub_resp_t *resp);      /* POST /v1/admin/devices/{id}/commands */
void api_admin_command_get(hub_req_t *req, hub_resp_t *resp);  /* GET  /v1/admin/commands/{id} */
void api_admin_fleet(hub_req_t *req, hub_resp_t *resp);        /* GET  /v1/admin/fleet */
/* The latest MAX (at most 64) commands of kiosk DEVICE, newest first, each
 * as GET /v1/admin/commands/{id} has it; NULL on a database error. */
cJSON *api_fleet_recent_commands(hub_req_t *req, const char *device, int max);
void api_admin_screenshot(hub_req_t *req, hub_resp_t *resp);   /* GET  /v1/admin/screenshots/{id} */
#define FLEET_SCREENSHOT_MAX (4 * 1024 * 1024)
/* A command without a result is handed out again after this long, at most
 * FLEET_DELIVERIES times in all (api_fleet_take_commands). */
#define FLEET_REDELIVER_S 300
#define FLEET_DELIVERIES 3

/* api_bundles.c: signed content bundles (staff publish; kiosks poll, fetch assets) */
#define BUNDLE_MAX_BODY (8 * 1024 * 1024)   /* an asset, or a manifest in its JSON */
void api_bundle_asset_put(hub_req_t *req, hub_resp_t *resp);   /* PUT  /v1/admin/content/assets/{sha256} */
void api_bundle_publish(hub_req_t *req, hub_resp_t *resp);     /* POST /v1/admin/content/bundles */
void api_bundle_poll(hub_req_t *req, hub_resp_t *resp);        /* GET  /v1/content/bundle */
void api_bundle_asset_get(hub_req_t *req, hub_resp_t *resp);   /* GET  /v1/content/assets/{sha256} */

/* demo.c: the demo data (the SQL files of hub/demo), seeded once into an empty
 * database. demo_set_dir: where the SQL files are (-1 if DIR is empty or too
 * long); NULL = the default, the source tree's hub/demo. */
int demo_set_dir(const char *dir);
int demo_seed_bills(sqlite3 *db);
int demo_seed_housekeeping(sqlite3 *db, int64_t now);
int demo_seed_content(sqlite3 *db, int64_t now);

#endif
