/* The staff console's JSON API (/console/api/...) and its static pages
 * (/console/...): sign-in, sign-out, the session, password change, the
 * fleet scoped to the staff member's groups, kiosk groups, and the change
 * log. Every handler asks console_session_check first (state changes with
 * the CSRF token) and staff_may for the right; changes are written with
 * their console_changes row in one transaction. docs/api.md "Staff
 * console" is the contract. */
#ifndef HUB_CONSOLE_API_H
#define HUB_CONSOLE_API_H

#include "hub.h"

void console_login(hub_req_t *req, hub_resp_t *resp);          /* POST /console/api/login */
void console_logout(hub_req_t *req, hub_resp_t *resp);         /* POST /console/api/logout */
void console_me(hub_req_t *req, hub_resp_t *resp);             /* GET  /console/api/me */
void console_password(hub_req_t *req, hub_resp_t *resp);       /* POST /console/api/password */
void console_fleet(hub_req_t *req, hub_resp_t *resp);          /* GET  /console/api/fleet */
void console_kiosk_group(hub_req_t *req, hub_resp_t *resp);    /* POST /console/api/kiosks/{id}/group */
void console_changes(hub_req_t *req, hub_resp_t *resp);        /* GET  /console/api/changes */

/* console_static.c: GET /console/ and /console/{file} from the configured
 * directory (hub.ini [console] dir). */
void console_static(hub_req_t *req, hub_resp_t *resp);
/* hub.ini [console] KEY = VALUE into CFG: 1 taken, 0 with ERR. */
int console_ini(hub_config_t *cfg, const char *key, const char *value, char *err, size_t errlen);

#endif
