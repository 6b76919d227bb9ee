/* Content items for the information screens (docs/api.md "Content"): the
 * pure parser of GET /v1/content answers, and the few calls the screens
 * make (lists, event registration, help requests), over hub_send_json. */
#ifndef KIOSK_NET_HUB_INFO_H
#define KIOSK_NET_HUB_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include "net/hub_api.h"

#define INFO_TITLE_MAX 256
#define INFO_BODY_MAX 2048
#define INFO_DATA_MAX 2048

typedef struct {
    long long id;
    char kind[12];                /* notice | event | library | lecture | guide | playlist */
    char category[33];
    char title[INFO_TITLE_MAX];
    char body[INFO_BODY_MAX];     /* cut at a UTF-8 boundary when longer (logged) */
    time_t published, expires;    /* expires 0 = none */
    bool pinned;
    int places, left;             /* -1 when the item takes no registrations */
    time_t starts;                /* 0 = none */
    char data[INFO_DATA_MAX];     /* guides/playlists: the "data" object as JSON, else "" */
    char image[352];              /* a picture file to show with it (signed content), else "" */
} info_item_t;

/* {"items": [...]} of LEN bytes into OUT (at most MAX; the rest is
 * dropped and counted in *DROPPED when not NULL). Items that are malformed
 * (missing id/title/body, wrong types) are skipped and counted too, so one
 * bad item never hides the others. 0 and *N, or -1 with ERR when the answer
 * itself is not the documented shape. */
int hub_parse_content(const char *json, size_t len, info_item_t *out, int max, int *n,
                      int *dropped, char *err, size_t errlen);

/* A guide's data: up to MAX steps / things to bring, and the text fields.
 * Missing fields are empty. 0, or -1 when DATA is not a JSON object. */
#define GUIDE_LIST_MAX 12
typedef struct {
    int n_steps, n_bring;
    char steps[GUIDE_LIST_MAX][200];
    char bring[GUIDE_LIST_MAX][200];
    char where[200], hours[200], phone[120], fee[120];
} guide_data_t;
int hub_parse_guide(const char *data, guide_data_t *out);

/* GET /v1/content?kind=KIND&locale=LOCALE into OUT. */
void hub_content_list(hub_client_t *c, const char *kind, const char *locale, info_item_t *out,
                      int max, int *n, hub_status_t *st);
/* The exact body hub_event_register sends (cJSON_malloc'd: wipe, then
 * cJSON_free), for the outbox. */
char *hub_event_register_body(const char *name, const char *phone, const char *rescode);
/* "left" of a registration answer, or -1. */
int hub_parse_left(const char *json);
/* POST /v1/events/{id}/registrations; *LEFT the places left after it.
 * RESCODE: a community resident code shown this visit (the hub registers
 * its resident's name), or NULL / "". */
void hub_event_register(hub_client_t *c, long long id, const char *name, const char *phone,
                        const char *rescode, const char *idem_key, int *left, hub_status_t *st);

#endif
