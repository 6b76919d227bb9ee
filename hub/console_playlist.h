/* Street screen playlists written in the console: a name, a priority, the
 * kiosk groups they are for, a schedule (date range, weekdays, daily
 * windows, past midnight too) and items (content ids with durations, in
 * order). An editor writes and edits drafts; a publisher publishes and
 * withdraws them (state draft -> published -> withdrawn; a published or
 * withdrawn playlist is not edited: write a new one). Published, a playlist
 * goes into the signed street bundle of each of its groups (with copies of
 * the content it plays: console_publish.h, CONSOLE_PLAYLIST_ID_BASE and
 * CONSOLE_COPY_ID_BASE), which street kiosks with a content key show, and
 * is a content item of kind playlist (docs/api.md "Playlist data") that
 * GET /v1/content gives only to the kiosks of its groups, for street
 * kiosks without a key and for the day view; withdrawn, it leaves the
 * bundles and that item expires.
 * Every right is staff_may's, for every group of the playlist; every step
 * is in the change log with the playlist before and after. One
 * transaction per change. The schedule is read by console_playlist_rule
 * into the kiosk's own schedule engine's rule
 * (kiosk/services/street/schedule.h), which the day view
 * (console_dayview.h) runs: one meaning of a schedule, the kiosk's.
 * docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_PLAYLIST_H
#define HUB_CONSOLE_PLAYLIST_H

#include <stddef.h>
#include "hub.h"
#include "services/street/schedule.h"

#define CONSOLE_PLAYLIST_NAME_MAX 120       /* bytes of UTF-8 */
/* The zone of every playlist's times and dates (docs/api.md "Playlist
 * data": China Standard Time, UTC+8, no DST), and of the day view's dates. */
#define CONSOLE_PLAYLIST_ZONE "Asia/Shanghai"
#define CONSOLE_PLAYLIST_PRIORITY_MAX 100
#define CONSOLE_PLAYLIST_DURATION_MAX 3600  /* seconds per item, as the kiosk's bundle check */

/* Reads schedule object SCH strictly into OUT: only the keys weekdays
 * (distinct 1..7, at least one), windows (up to SCHED_MAX_WINDOWS of
 * {"from","to"} HH:MM, from != to; to < from runs past midnight), from_date
 * and to_date (YYYY-MM-DD, to_date not before from_date); each optional.
 * 0, or -1 with ERR saying which field and why (OUT then undefined). */
int console_playlist_rule(const cJSON *sch, sched_rule_t *out, char *err, size_t errlen);

/* The title of content CONTENT_ID a playlist may name: an item of the hub's
 * content that is not a playlist (what the street screens fetch with
 * GET /v1/content/{id}), visible or not. 1 found (TITLE filled), 0 none,
 * -1 database error. */
int console_playlist_title(sqlite3 *db, long long content_id, char *title, size_t len);

/* GET /console/api/playlist-content: the content a playlist may name, not expired */
void console_playlist_content(hub_req_t *req, hub_resp_t *resp);
void console_playlist_list(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/playlists */
void console_playlist_create(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/playlists */
void console_playlist_edit(hub_req_t *req, hub_resp_t *resp);     /* POST /console/api/playlists/{id} */
/* POST /console/api/playlists/{id}/{action}: publish, withdraw */
void console_playlist_action(hub_req_t *req, hub_resp_t *resp);

#endif
