/* Accounts managed from the console by an admin: list, create, change role,
 * groups or password, disable and enable. An admin acts only within its own
 * groups: every group of the account (before and after) must be the
 * admin's, and only an admin of "*" gives "*". An admin cannot change its
 * own role or disable itself (the last admin must not lock everyone out by
 * a slip); its own password it changes with /console/api/password. A
 * disabled account's sessions end at once; a changed role or group applies
 * from the account's next request. Every change is in the change log, before
 * and after, without passwords. docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_STAFF_H
#define HUB_CONSOLE_STAFF_H

#include "hub.h"

void console_staff_list(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/staff */
void console_staff_create(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/staff */
void console_staff_update(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/staff/{name} */

#endif
