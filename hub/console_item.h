/* Events, lectures, library items and service guides written in the
 * console, from draft to the kiosks' screens (console_workflow.h): an
 * editor writes and edits a draft (an approved one edited is a draft
 * again); a publisher approves it, publishes it and withdraws it. Published,
 * an item is a row of the hub's content (docs/api.md "Content") of its kind,
 * locale zh_CN, with content.kiosk_groups its groups: GET /v1/content gives
 * it only to the kiosks of those groups, and an event or lecture with
 * places takes registrations through POST /v1/events/{id}/registrations.
 * Withdrawn, that row expires. A publisher changes the places of an item
 * at any time before it is withdrawn, never below the people already
 * registered. Chinese first, English optional (title_en, body_en, and a
 * guide's data_en: steps, bring, where, hours, phone, fee in English):
 * published, the English is a second content row of locale en
 * (content_en_id) next to the Chinese one, with the same kind, category,
 * dates, pin and groups, withdrawn with it. An event's places are ONE pool:
 * the English row's places_of names the Chinese row, whose places and
 * registered count every registration through either row (api_content.c),
 * and places set here change that row only.
 * Every right is staff_may's, for every group of the item; every step is in
 * the change log with the item before and after. One transaction per
 * change. The fields are checked by console_item_fields (console_item_check.c),
 * with the limits the kiosk's screens take without cutting (INFO_*,
 * GUIDE_LIST_MAX of kiosk/services/info/hub_info.h). Dates and times of the
 * form are China time (UTC+8, no DST), like the playlists'.
 * docs/api.md "Staff console" has the routes. */
#ifndef HUB_CONSOLE_ITEM_H
#define HUB_CONSOLE_ITEM_H

#include <stdbool.h>
#include "hub.h"
#include "staff.h"

#define CONSOLE_ITEM_TITLE_MAX 240      /* bytes of UTF-8, as notices */
#define CONSOLE_ITEM_BODY_MAX 2000
#define CONSOLE_ITEM_PLACES_MAX 10000
#define CONSOLE_ITEM_LIST_MAX 12        /* guide steps, things to bring: GUIDE_LIST_MAX */
#define CONSOLE_ITEM_LINE_MAX 199       /* bytes of a step, thing to bring, where, hours */
#define CONSOLE_ITEM_SHORT_MAX 119      /* bytes of phone, fee */
#define CONSOLE_ITEM_DATA_MAX 2047      /* a guide's data as JSON text: INFO_DATA_MAX - 1 */
#define CONSOLE_ITEM_UTC_OFFSET_S (8 * 3600)

/* The checked fields of a draft; pointers into the request's JSON but for
 * GROUPS and DATA (JSON text, malloc'd: console_item_fields_free). */
typedef struct {
    const char *kind, *title, *body, *category;
    const char *published, *expires;  /* "YYYY-MM-DD" or NULL */
    const char *starts;               /* "YYYY-MM-DD HH:MM" (events, lectures) or NULL */
    bool pinned;
    long long places;                 /* 0: no registration list */
    char *groups, *data;              /* data: guides only, else NULL */
    /* The English (optional: all NULL): title and body, a guide's data (JSON text, malloc'd). */
    const char *title_en, *body_en;
    char *data_en;
} console_item_fields_t;

/* The fields of REQ's body for S (an editor of every group named),
 * checked strictly: unknown fields, a wrong kind, category or type, a
 * date or time that is not one, an expiry before the start or already past
 * at NOW, a guide's data over the kiosk's limits. 0, or the error status
 * with RESP answered (422 missing_field / invalid_field naming the field,
 * 403 forbidden); OUT needs console_item_fields_free either way. */
int console_item_fields(const hub_req_t *req, hub_resp_t *resp, const staff_t *s, console_item_fields_t *out);
void console_item_fields_free(console_item_fields_t *f);

/* "YYYY-MM-DD" (China) into the Unix time of its first second (END: of
 * its last); "YYYY-MM-DD HH:MM" into its Unix time. 0, or -1 if malformed. */
int console_item_date(const char *text, bool end, long long *out);
int console_item_time(const char *text, long long *out);

void console_item_list(hub_req_t *req, hub_resp_t *resp);     /* GET  /console/api/items */
void console_item_create(hub_req_t *req, hub_resp_t *resp);   /* POST /console/api/items */
void console_item_edit(hub_req_t *req, hub_resp_t *resp);     /* POST /console/api/items/{id} */
/* POST /console/api/items/{id}/{action}: approve, publish, withdraw, places */
void console_item_action(hub_req_t *req, hub_resp_t *resp);

#endif
