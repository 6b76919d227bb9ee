/* The console's preview: a draft item drawn by the kiosk's own renderer
 * (the kiosk binary, `kiosk --preview`, kiosk/app/preview.h) at each of
 * the fleet's screen sizes in the standard, elder and contrast themes,
 * with whether it fits (the kiosk's strict screen checks, kiosk/ui/fit.h).
 *
 * POST /console/api/preview: the request thread validates the item, writes
 * it and its pictures (from content_assets) into a private directory,
 * runs the kiosk once per size and theme in a sandbox (sandbox.h: clean
 * environment, limits, a wall timeout that kills it), and answers the
 * PNGs as base64 with each fit report; the directory is removed after.
 * At most [console] preview_max previews run at once in a hub process;
 * more answer 429 busy at once. Nothing is written to the database.
 * docs/api.md "Staff console" is the contract; hub.ini [console] the keys. */
#ifndef HUB_CONSOLE_PREVIEW_H
#define HUB_CONSOLE_PREVIEW_H

#include "hub.h"

#define CONSOLE_PREVIEW_SIZES_DEFAULT "1920x1080,1080x1920,1280x800"
#define CONSOLE_PREVIEW_SIZES_MAX 6

void console_preview(hub_req_t *req, hub_resp_t *resp);    /* POST /console/api/preview */

/* "WxH,WxH,..." (1 to CONSOLE_PREVIEW_SIZES_MAX sizes, each side 200 to
 * 8192) into W and H: the number of sizes, or -1 when malformed. */
int console_preview_sizes(const char *text, int w[], int h[]);

#endif
