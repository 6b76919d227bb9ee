/* Emergency alerts from the console: a publisher writes one for some of
 * their kiosk groups; each group's content is published again with the
 * alert as an item of kind "alert" (id CONSOLE_ALERT_ID_BASE + the alert's
 * id, priority 100, expiring with the alert) by console_publish_group, and
 * the group's kiosks fetch it with their next heartbeat. Withdrawing
 * publishes the same content without the alert. Runs on the request's thread, in one transaction per request.
 * docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_ALERT_H
#define HUB_CONSOLE_ALERT_H

#include "hub.h"
#define CONSOLE_ALERT_TITLE_MAX 240       /* bytes */
#define CONSOLE_ALERT_BODY_MAX 2000

void console_alert_send(hub_req_t *req, hub_resp_t *resp);      /* POST /console/api/alerts */
void console_alert_list(hub_req_t *req, hub_resp_t *resp);      /* GET  /console/api/alerts */
void console_alert_withdraw(hub_req_t *req, hub_resp_t *resp);  /* POST /console/api/alerts/{id}/withdraw */

#endif
