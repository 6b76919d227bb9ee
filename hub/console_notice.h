/* Notices written in the console, from draft to the kiosks' screens:
 * an editor writes a draft (and edits it: an approved draft edited is a
 * draft again); a publisher approves it, then publishes it, which puts it
 * into each of its groups' content (console_publish_group: signed by the
 * signer, the group's kiosks reload); a publisher withdraws a published
 * notice the same way. Every right is staff_may's, for every group of the
 * notice; every step is in the change log with the notice before and after.
 * A notice may carry up to CONSOLE_NOTICE_IMAGES_MAX pictures uploaded in
 * the console (console_pictures.h), named by SHA-256; published, they are
 * the item's images and the bundle's assets.
 * Chinese first; English optional: title_en and body_en (both or neither,
 * checked as the Chinese), kept with the draft and published as a second
 * bundle item of locale "en" (id CONSOLE_NOTICE_EN_ID_BASE + the notice's)
 * next to the Chinese one, withdrawn with it.
 * State: draft -> approved -> published -> withdrawn. One transaction per
 * request. docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_NOTICE_H
#define HUB_CONSOLE_NOTICE_H

#include "hub.h"

#define CONSOLE_NOTICE_TITLE_MAX 240       /* bytes */
#define CONSOLE_NOTICE_BODY_MAX 2000
#define CONSOLE_NOTICE_IMAGES_MAX 8        /* a bundle item's images (docs/api.md) */

void console_notice_list(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/notices */
void console_notice_create(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/notices */
void console_notice_edit(hub_req_t *req, hub_resp_t *resp);     /* POST /console/api/notices/{id} */
/* POST /console/api/notices/{id}/{action}: approve, publish, withdraw */
void console_notice_action(hub_req_t *req, hub_resp_t *resp);

#endif
