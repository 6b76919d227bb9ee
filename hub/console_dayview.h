/* The day view of street screen playlists: what a kiosk (or every kiosk of
 * a group) plays at each hour of one date, with the exact times it changes.
 * The answer is computed by the kiosk's own schedule engine
 * (kiosk/services/street/schedule.c, linked into the hub), fed with the
 * console's playlists for that group as console_playlist_rule reads them,
 * so the console and the screens cannot disagree on a schedule. Dates and
 * times are China Standard Time (Asia/Shanghai, UTC+8, no DST), as the
 * playlists' own. Read-only; the request's connection only; no state.
 * docs/api.md "Staff console: playlists" has the route and the answer. */
#ifndef HUB_CONSOLE_DAYVIEW_H
#define HUB_CONSOLE_DAYVIEW_H

#include "hub.h"

/* GET /console/api/dayview?kiosk=ID|group=G[&date=YYYY-MM-DD][&drafts=1] */
void console_dayview(hub_req_t *req, hub_resp_t *resp);

#endif
