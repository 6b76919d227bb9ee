/* Information for residents and passers-by: notices, events, library,
 * lectures and service guides from the hub, with "take it with you" QR codes,
 * event registration and help requests. The state lives in app->info
 * (struct info_state, allocated by info_init), its personal parts wiped by
 * info_session_end. Hub calls run on a worker thread; answers arrive as
 * APP_EV_INFO events (info_event). */
#ifndef KIOSK_APP_INFO_H
#define KIOSK_APP_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include "services/info/hub_info.h"

struct app;

#define INFO_MAX 40
#define INFO_TABS 4
extern const char *const info_tab_kinds[INFO_TABS];   /* notice, event, library, lecture */

typedef enum {
    HELP_NONE,
    HELP_SENDING,         /* on its way (direct request, no outbox) */
    HELP_QUEUED,          /* saved in the outbox, sent when the hub answers */
    HELP_SENT,            /* the hub has it; waiting for staff */
    HELP_ACKNOWLEDGED,    /* staff have seen it */
    HELP_FAILED
} help_state_t;

struct info_state {
    struct info_worker *w;        /* NULL offscreen (unless opts.network) or with no hub */
    unsigned gen;                 /* answers of another generation are dropped */
    /* the notices screen */
    int tab;                      /* index in info_tab_kinds */
    info_item_t *items;           /* INFO_MAX */
    int n, first;
    int page_rows;                /* rows the list showed last (for paging) */
    bool busy, offline;
    char msg[200];
    info_item_t cur;              /* the item on the detail screen */
    guide_data_t cur_guide;       /* cur's data, parsed once when a guide is opened */
    /* guides */
    info_item_t *guides;          /* INFO_MAX */
    int n_guides, guide_first;
    int guide_page, guide_pages;  /* the open guide's page (large text pages it) */
    /* registration and help: personal, wiped with the session */
    char phone[16];
    int n_phone;
    bool reg_busy, reg_done;
    long long reg_item;           /* a registration saved in the outbox, 0 none */
    char reg_msg[200], reg_key[48];
    help_state_t help_state;
    long long help_id;
    long long help_item;          /* its outbox item, 0 when sent directly */
    bool consent;
    char help_key[48];
    uint64_t help_next_poll;
    uint64_t help_since;          /* UI clock when the request left (keeps the session alive) */
};

void info_init(struct app *app);
void info_free(struct app *app);
void info_session_end(struct app *app);
void info_event(struct app *app, void *payload);     /* takes it */
void info_event_free(void *payload);
/* Timers (polling a help request until staff acknowledge it). */
void info_tick(struct app *app);

/* Fetches the list of tab TAB (notices screen) / the guides. */
void info_show_tab(struct app *app, int tab);
void info_show_guides(struct app *app);
/* Opens guide I of the list (0 <= I < n_guides): it becomes cur, its data
 * parsed into cur_guide (empty when it has none or it is malformed). */
void info_open_guide(struct app *app, int i);
/* Registers the resident (phone typed, name from the ID card if read) for
 * the event on the detail screen. */
void info_register(struct app *app);
/* What became of a registration saved for this number and event (into
 * reg_msg), once the number is typed. */
void info_reg_recall(struct app *app);
/* The item takes registrations now (places left, not started). */
bool info_can_register(const info_item_t *it);
/* Sends a help request (with the phone for a call back only with consent)
 * through the outbox: kept in the database until the hub has it. */
void info_help_send(struct app *app);
/* An outbox item was sent or given up (app/fleet.c); EV is a
 * fleet_outbox_event_t, not taken. */
void info_outbox_event(struct app *app, const void *ev);

/* Tour states "events", "notice", "register", "guides", "guide_detail",
 * "guide_detail_more" (its last page where it is paged),
 * "help_sent", "help_ack" on the sample answers of ASSETS_DIR/tour/info.json
 * (info_tour.c; the returns of service_t.tour). */
int info_tour(struct app *app, const char *name);

/* Shows IT (a staff console preview, app/preview.h) on the screen residents
 * see it on: a guide on the guide detail, any other kind on the notice
 * detail (events with their places). 0, or -1 when the service has no
 * state (out of memory at start-up). */
int info_preview(struct app *app, const info_item_t *it);

#endif
