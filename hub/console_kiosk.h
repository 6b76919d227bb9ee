/* One kiosk from the console: remote commands (screenshot for any role;
 * reload_content, restart and set_schedule for publishers), their results
 * and the screenshots kiosks send back - each allowed only for kiosks of the
 * account's groups (the group an admin gave the kiosk). The work is the
 * staff API's (api_fleet.c): these routes add the session, the role and the
 * group, and log every command. docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_KIOSK_H
#define HUB_CONSOLE_KIOSK_H

#include "hub.h"

void console_kiosk_command(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/kiosks/{id}/commands */
/* GET /console/api/kiosks/{id}: its fleet row, latest commands, newest screenshot */
void console_kiosk_get(hub_req_t *req, hub_resp_t *resp);
void console_command_get(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/commands/{id} */
void console_screenshot_get(hub_req_t *req, hub_resp_t *resp);  /* GET  /console/api/screenshots/{id} */

#endif
