/* The help-request inbox of the console: requests from kiosks of the
 * account's groups, newest first (the page polls it), each with its
 * kiosk, place, message and the resident's phone masked (138****1111; the
 * hub keeps it sealed, pii.h); any signed-in staff member of the group
 * acknowledges one, and the kiosk, which polls GET /v1/help/{id}, tells the
 * resident that staff are coming. Acknowledgements are in the change log.
 * docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_HELP_H
#define HUB_CONSOLE_HELP_H

#include "hub.h"

void console_help_list(hub_req_t *req, hub_resp_t *resp);   /* GET  /console/api/help */
void console_help_ack(hub_req_t *req, hub_resp_t *resp);    /* POST /console/api/help/{id}/ack */

#endif
