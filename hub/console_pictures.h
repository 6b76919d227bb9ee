/* Pictures for console notices: an editor (or higher) uploads a PNG or JPEG
 * as the raw request body; the hub checks it and makes the picture kiosks
 * get (picture.h: upright, at most PICTURE_FIT on a side, every byte of
 * metadata gone), keeps those bytes as a content asset (content_assets,
 * named by their SHA-256, so the same picture uploaded twice is one asset)
 * and lists it in console_pictures (its size as shown, who, when). Notices
 * name their pictures by that SHA-256 (console_notice.c); publishing puts
 * them into the bundle's assets (console_publish.c).
 *
 * Decoding a picture can take 160 MiB and a second of CPU: one picture is
 * made at a time on the whole hub (a second upload meanwhile gets 503 busy
 * with Retry-After), outside any database transaction. Handlers run on the
 * request's thread; refusals are 422 with picture.h's codes. docs/api.md
 * "Staff console" has the routes. */
#ifndef HUB_CONSOLE_PICTURES_H
#define HUB_CONSOLE_PICTURES_H

#include <sqlite3.h>
#include "hub.h"

void console_picture_upload(hub_req_t *req, hub_resp_t *resp);  /* POST /console/api/pictures */
void console_picture_list(hub_req_t *req, hub_resp_t *resp);    /* GET  /console/api/pictures */
void console_picture_get(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/pictures/{sha256} */

/* 1 if SHA256 is a picture uploaded in the console, 0 if not, -1 on a database error. */
int console_picture_known(sqlite3 *db, const char *sha256);

#endif
