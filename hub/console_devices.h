/* Device enrolment from the console: an admin lists the kiosks of its
 * groups, enrols a new kiosk into one of them (optionally with a community,
 * scope.h), gives a kiosk a new token, or revokes it. The token ("ID.SECRET",
 * auth.h) is in the answer of the enrol or rotate request only: the hub
 * keeps its SHA-256, the change log and the list never hold it. A kiosk
 * outside the admin's groups is answered as one that does not exist. Every
 * change is in the change log (console_log.h), before and after, without
 * the token. Worker threads, the request's connection, no state; errors are
 * the JSON error answers of docs/api.md "Staff console". */
#ifndef HUB_CONSOLE_DEVICES_H
#define HUB_CONSOLE_DEVICES_H

#include "hub.h"

void console_devices_list(hub_req_t *req, hub_resp_t *resp);   /* GET  /console/api/devices */
void console_devices_enrol(hub_req_t *req, hub_resp_t *resp);  /* POST /console/api/devices */
/* POST /console/api/devices/{id}/{action}, action "rotate" or "revoke". */
void console_devices_action(hub_req_t *req, hub_resp_t *resp);

#endif
