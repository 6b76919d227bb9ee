/* The street info-display mode (kiosk.ini mode = street): a scheduled
 * full-screen carousel between passers-by, emergency alerts over it, a night
 * schedule, proof of play. The state lives in app->street (struct
 * street_state, allocated by street_init). The schedule itself is the pure
 * engine of services/street/schedule.h; this file runs it on the UI clock.
 *
 * Frames: a step (the next item) starts a STREET_FADE_MS fade drawn at
 * STREET_FRAME_MS intervals; between fades nothing is drawn and
 * street_wait_ms lets the loop sleep until the next step. */
#ifndef KIOSK_APP_STREET_H
#define KIOSK_APP_STREET_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "services/street/content.h"
#include "services/street/feed.h"
#include "services/street/schedule.h"

struct app;

#define STREET_FADE_MS 600
#define STREET_FRAME_MS 33
#define STREET_POLL_S 180            /* content from the hub every 3 minutes */
#define STREET_CACHE_MAX (512 * 1024)

/* Settings keys (store_setting_get/set) of the night schedule, set by the
 * set_schedule remote command (street_night_set). Local times "HH:MM" in
 * the zone STREET_KEY_NIGHT_ZONE (default Asia/Shanghai); the screen is off
 * (dimmed or blank) from OFF until ON, past midnight when ON < OFF. Absent,
 * empty or equal: always on (the default). */
#define STREET_KEY_NIGHT_OFF  "street.night.off"     /* "23:00" */
#define STREET_KEY_NIGHT_ON   "street.night.on"      /* "06:00" */
#define STREET_KEY_NIGHT_MODE "street.night.mode"    /* "blank" (default) | "dim" */
#define STREET_KEY_NIGHT_ZONE "street.night.zone"    /* "Asia/Shanghai" */
/* The last good content from the hub (street_content_parse's document). */
#define STREET_KEY_CACHE      "street.content"

typedef enum { STREET_NIGHT_BLANK, STREET_NIGHT_DIM } street_night_mode_t;

struct street_state {
    street_content_t content;
    sched_pick_t cur, prev;         /* on screen now; the one fading out */
    bool active;                    /* SCR_STREET is the screen */
    uint64_t next_ms;               /* UI clock of the next step */
    bool fading;
    uint64_t fade_start_ms, last_frame_ms;
    time_t shown_wall;              /* proof of play of cur */
    uint64_t shown_ms;
    unsigned steps;                 /* for the ticker's rotation */
    /* night schedule */
    bool night_set;
    sched_rule_t night;
    int night_tz;
    street_night_mode_t night_mode;
    bool night_on;
    time_t night_change;
    street_feed_t *feed;
    long alert_sounded;             /* the alert whose siren has played (0: none) */
};

void street_init(struct app *app);
void street_free(struct app *app);
/* The screen shown when nobody uses the kiosk: SCR_STREET in street mode,
 * else SCR_ATTRACT (an int to keep this header free of app.h). */
int street_idle_screen(const struct app *app);
/* Timers (carousel steps, fade frames, alerts expiring, the night schedule). */
void street_tick(struct app *app);
/* Milliseconds until street_tick has something to do; UINT64_MAX if never. */
uint64_t street_wait_ms(const struct app *app);
void street_event(struct app *app, void *payload);   /* takes it */
/* With [content] public_key set, the street display shows the signed bundle
 * in use (and never the hub's unsigned lists): call when a new one is in use. */
void street_use_bundle(struct app *app);
void street_event_free(void *payload);

/* SCR_STREET's enter / leave hooks: start the carousel, stop it (and write
 * the proof of play of what was on screen). */
void street_screen_enter(struct app *app);
void street_screen_leave(struct app *app);

/* Replaces the content with DOC (street_content_parse's format) plus the
 * notices fallback, and picks again at once (a new alert shows now). With
 * CACHE the document is kept in the settings as the last good one. Returns
 * 0, or -1 if DOC is not understood (content unaltered). */
int street_set_content(struct app *app, const char *doc, bool cache);

/* Sets the night schedule (validated, applied now, stored under the keys
 * above by the store writer, off the UI thread). OFF and ON "HH:MM", both "" = always on; MODE "blank" or "dim"
 * (NULL = blank). Returns 0, or -1 for a bad value (nothing stored). */
int street_night_set(struct app *app, const char *off, const char *on, const char *mode);
/* The same for hub command CMD_ID (0: none): the settings are written by
 * the store writer at synchronous=FULL and, once committed (or lost), an
 * APP_EV_STORED event carrying CMD_ID says so (street_stored). */
int street_night_command(struct app *app, const char *off, const char *on, const char *mode,
                         long long cmd_id);

/* The newest emergency alert in force now (street mode), or NULL: shown
 * over a passer-by's browsing too. */
const street_item_t *street_alert_now(const struct app *app);

/* What the screen draws. */
const street_item_t *street_shown(const struct app *app, sched_what_t *what);
/* The item fading out and the fade's progress 0..1000; NULL when not fading. */
const street_item_t *street_fading(const struct app *app, int *progress);
/* The screen is off for the night: true, and *DIM when dimmed not blank. */
bool street_night(const struct app *app, bool *dim);

/* Tour states "street", "street_alert" (an alert on screen) and
 * "street_night" (dimmed), on the sample answers of
 * ASSETS_DIR/tour/street.json (street_tour.c; the returns of
 * service_t.tour). */
int street_tour(struct app *app, const char *name);

#endif
