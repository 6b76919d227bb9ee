/* What the street display has to show: the hub's street playlists, the
 * content items they name, and the notices (alerts among them), parsed from
 * one JSON document. The worker (services/street/feed.c) builds that document from
 * the hub; the kiosk caches the last good one in its settings; tests and the
 * tour write it by hand. Bad items are skipped or trimmed with a log line,
 * never fatal. */
#ifndef KIOSK_STREET_CONTENT_H
#define KIOSK_STREET_CONTENT_H

#include <stdbool.h>
#include <time.h>
#include "store/store.h"
#include "services/street/schedule.h"

#define STREET_MAX_ITEMS 64
#define STREET_TITLE 160     /* bytes, with the NUL: longer titles are cut */
#define STREET_BODY 1200

typedef struct {
    long id;
    char kind[12];           /* notice | event | library | lecture | guide */
    char category[24];       /* "" when unknown (logged; shown under a generic tag) */
    char title[STREET_TITLE];
    char body[STREET_BODY];
    char image[256];         /* a readable file, or "" */
    time_t published, expires;   /* expires 0 = never */
    bool pinned;
} street_item_t;

typedef struct {
    sched_playlist_t pl[SCHED_MAX_PLAYLISTS];
    int n_pl;
    street_item_t items[STREET_MAX_ITEMS];
    int n_items;
    sched_alert_t alerts[SCHED_MAX_ALERTS];
    int n_alerts;
    time_t fetched;          /* when the hub gave it; 0 = not from the hub */
} street_content_t;

/* Parses DOC: {"fetched": s, "playlists": [content items of kind playlist],
 * "items": [content items]} (items as in docs/api.md "Content"; an item may
 * carry "image", a path under ASSETS_DIR). Notices of category "alert"
 * become alerts. A playlist item naming content not in "items" is kept as
 * bad (skipped when played). Returns 0, or -1 if DOC is not such an object
 * (OUT is then empty). */
int street_content_parse(const char *doc, const char *assets_dir, street_content_t *out);

/* Adds the fallback playlist (id 0, lowest priority, always on): every
 * notice that is not an alert, DURATION_S each, so the screen is never empty
 * while no playlist is scheduled. With no notice in OUT, the store's
 * notices in LOCALE, if any, are added first. */
void street_content_fallback(street_content_t *out, store_t *st, const char *locale, int duration_s);

/* The item with content id ID, or NULL. */
const street_item_t *street_content_item(const street_content_t *c, long id);

#endif
