/* Published content bundles in the console, and rollback in one step: a
 * publisher picks an earlier bundle and the hub publishes its content again
 * as the newest version (re-signed by the signer, same target, items,
 * assets and expiry), so the kiosks' rollback protection (versions only
 * grow) still holds; the target's kiosks reload. A bundle is the account's
 * when every group of its target is; a bundle for every kiosk, or for
 * single kiosks, only an account of "*" sees and rolls back. */
#ifndef HUB_CONSOLE_BUNDLES_H
#define HUB_CONSOLE_BUNDLES_H

#include "hub.h"

void console_bundle_list(hub_req_t *req, hub_resp_t *resp);       /* GET  /console/api/bundles */
void console_bundle_rollback(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/bundles/{version}/rollback */

#endif
