/* The street display's schedule engine: pure functions, no clock, no I/O.
 * Given playlists (dayparting rules, items with durations and expiry,
 * priorities), emergency alerts and "now" in a fixed-offset time zone, it
 * says what to show and until when. Fed by the hub's playlists today
 * (services/street/content.c) and by signed content bundles later. */
#ifndef KIOSK_STREET_SCHEDULE_H
#define KIOSK_STREET_SCHEDULE_H

#include <stdbool.h>
#include <time.h>

#define SCHED_MAX_WINDOWS 8
#define SCHED_MAX_ITEMS 32
#define SCHED_MAX_PLAYLISTS 8
#define SCHED_MAX_ALERTS 8
/* The longest look-ahead for a rule's next change: a rule that does not
 * change within it reports now + this (the caller simply asks again). */
#define SCHED_HORIZON_S (8 * 86400)

/* A daily window in local minutes, FROM included, TO excluded. TO <= FROM
 * runs past midnight into the next day and belongs to the day it starts
 * (docs/api.md "Playlist data"); FROM == TO is 24 hours from FROM. */
typedef struct { int from_min, to_min; } sched_window_t;

typedef struct {
    unsigned weekdays;       /* bit d set (d = 1 Monday .. 7 Sunday, ISO); 0 = every day */
    sched_window_t win[SCHED_MAX_WINDOWS];
    int n_win;               /* 0 = all day */
    bool has_from, has_to;   /* date range (local days since 1970-01-01), both included */
    long from_day, to_day;
} sched_rule_t;

typedef struct {
    long content_id;
    int duration_s;          /* > 0 */
    time_t expires;          /* last second shown; 0 = never */
    bool bad;                /* its content could not be used (missing): skipped */
} sched_item_t;

typedef struct {
    long id;                 /* the playlist's content id (0 for a made-up one) */
    int priority;            /* the highest-priority playlist that is on plays */
    int tz_off_s;            /* the zone of RULE: seconds east of UTC */
    sched_rule_t rule;
    sched_item_t items[SCHED_MAX_ITEMS];
    int n_items;
} sched_playlist_t;

typedef struct {
    long content_id;
    time_t published;        /* shown from */
    time_t expires;          /* last second shown (> 0) */
} sched_alert_t;

typedef struct {
    const sched_playlist_t *pl;
    int n_pl;
    const sched_alert_t *alerts;
    int n_alerts;
} sched_input_t;

typedef enum { SCHED_NONE, SCHED_ITEM, SCHED_ALERT } sched_what_t;

typedef struct {
    sched_what_t what;
    int pl, item;            /* SCHED_ITEM: indexes into the input */
    int alert;               /* SCHED_ALERT: index into the input */
    long content_id;         /* 0 for SCHED_NONE */
    long playlist_id;        /* SCHED_ITEM */
    time_t until;            /* ask again at this time at the latest (> now) */
} sched_pick_t;

/* Parses "HH:MM" (00:00 .. 24:00) into minutes. Returns 0, or -1 (OUT unaltered). */
int sched_parse_hhmm(const char *s, int *out);
/* Parses "YYYY-MM-DD" into days since 1970-01-01. Returns 0, or -1. */
int sched_parse_date(const char *s, long *out);
/* Offset east of UTC of a zone without daylight saving time ("Asia/Shanghai",
 * "UTC", "UTC+8", "+08:00" ...). Returns 0, or -1 for a zone not known to be
 * DST-free (OUT unaltered). */
int sched_tz_offset(const char *zone, int *out);
/* ISO weekday (1 = Monday .. 7 = Sunday) of local day DAY. */
int sched_weekday(long day);

/* Whether RULE is on at NOW; *CHANGE (may be NULL) is when that next
 * changes, at most NOW + SCHED_HORIZON_S. */
bool sched_rule_on(const sched_rule_t *r, int tz_off_s, time_t now, time_t *change);

/* What to show at NOW after having shown CUR (a previous pick; NULL or
 * SCHED_NONE to start from the beginning):
 * - the newest alert with published <= NOW <= expires, if any, until it
 *   expires or a newer alert starts;
 * - else the next usable item (not bad, not expired) after CUR's of the
 *   playlist that is on with the highest priority (ties: the first), looping;
 *   a playlist with no usable item counts as off. Until: the item's
 *   duration, its expiry, or any playlist or alert starting or stopping,
 *   whichever is first;
 * - else SCHED_NONE, until something could change. */
void sched_next(const sched_input_t *in, time_t now, const sched_pick_t *cur, sched_pick_t *out);

#endif
