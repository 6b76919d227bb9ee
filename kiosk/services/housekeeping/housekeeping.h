/* Housekeeping booking (hall mode): the catalogue, a day and a free slot,
 * identification (ID card or phone number), confirmation with a check-in
 * code, and one's own bookings. The session's state lives in app->hk
 * (struct hk_state, allocated by hk_init), wiped by hk_session_end.
 *
 * The hub is asked by one worker thread (services/housekeeping/hub_hk.c), never by the UI
 * thread; its answers come back as APP_EV_HK events carrying the
 * generation of the request, and an answer the screens no longer wait for
 * (the resident went on, the session ended) is dropped.
 *
 * Personal data: the phone number typed and the ID card read are kept in
 * session.pii only (wiped at session end) and shown masked; what the hub
 * sends back is masked. A booking is only ever made by the resident's
 * "Book" tap, with one idempotency key per attempt: pressing it again after
 * an answer that never came is replayed by the hub, never booked twice.
 *
 * Offline: without the hub nothing is booked and the screen says so (the
 * outbox path, "pending confirmation", is not wired yet). */
#ifndef KIOSK_APP_HOUSEKEEPING_H
#define KIOSK_APP_HOUSEKEEPING_H

#include <stdbool.h>
#include "services/housekeeping/hub_hk.h"
#include "services/identify/identify.h"
#include "voice/tones.h"

struct app;
struct ident_event_s;

#define HK_DAYS 14                 /* today and the next 13 days, as the hub offers */

/* How the resident identified: a mobile number, the ID card, or their
 * community resident code (session.pii.rescode), which stands for the card. */
typedef enum { HK_WHO_NONE, HK_WHO_PHONE, HK_WHO_CARD, HK_WHO_CODE } hk_who_t;
typedef enum { HK_NEXT_BOOK, HK_NEXT_MINE } hk_next_t;

struct hk_state {
    struct hk_worker *worker;      /* NULL offscreen without network */
    unsigned gen;                  /* of the request the screens wait for */
    bool busy;                     /* a request is on its way */
    char msg[300];                 /* for the resident: why the last request failed */

    /* the catalogue */
    bool have_services;
    hub_hk_services_t svc;
    int service;                   /* index in svc, -1 none */

    /* the calendar */
    int day;                       /* 0 = today .. HK_DAYS-1, -1 none */
    bool have_slots;
    hub_hk_slots_t slots;          /* of service and day, or the alternatives */
    bool alternatives;             /* slots holds the 409's other free slots */
    int slot_page;
    bool days_open;                /* the calendar shown again where it is folded away */
    hub_hk_slot_t slot;            /* the one chosen (slot.id 0 = none) */

    /* who: the phone digits being typed (the number itself, once complete,
     * and the card's data go to session.pii) */
    hk_next_t next;                /* what identification leads to */
    hk_who_t who;
    char digits[12];
    int n_digits;
    bool qr_refused;               /* a resident QR code was shown: not supported */
    /* The check-in code of one of the resident's bookings (one made in this
     * visit, or the QR code of a booking slip scanned on the "who" screen):
     * with a mobile number, the hub's proof that "my bookings" are theirs. */
    char proof_code[HUB_HK_CODE_LEN + 1];
    /* The phone is in and "my bookings" waits for a booking's code: the
     * keypad now takes its six digits (or a slip's QR code, or the card). */
    bool want_code;
    bool proof_typed;              /* proof_code was typed: forgotten on leaving */

    /* booking */
    char key[40];                  /* idempotency key of the attempt, "" none */
    bool booked;
    hub_hk_booking_t booking;

    /* a booking saved in the outbox while the hub could not be reached
     * (services/housekeeping/hk_offline.c): waiting for the hub's confirmation */
    bool pending;
    char pending_ref[16];          /* the reference the resident keeps */
    long long pending_item;        /* its outbox item */
    char earlier[400];             /* what became of this resident's earlier saved bookings */

    /* my bookings */
    bool have_mine;
    hub_hk_bookings_t mine;
    int mine_page;
    int cancel_ask;                /* index asked "cancel this one?", -1 none */
};

void hk_init(struct app *app);
void hk_free(struct app *app);
void hk_session_end(struct app *app);
/* An APP_EV_HK event's payload (takes it); and freeing one never handled. */
void hk_event(struct app *app, void *payload);
void hk_event_free(void *payload);

/* ---- bookings saved while the hub is away (hk_offline.c) ------------------- */

/* Saves the booking being made into the outbox, with the key of the attempt
 * that got no answer (if it did land, the hub replays it: never twice), and
 * the kiosk's record of it in the same transaction. 0, or -1 (no outbox,
 * no storage). */
int hk_offline_book(struct app *app);
/* An outbox item was sent or given up (app/fleet.c); EV is a
 * fleet_outbox_event_t, not taken. */
void hk_outbox_event(struct app *app, const void *ev);
/* After identification: what became of this resident's saved bookings,
 * into hk->earlier ("" when none). */
void hk_offline_recall(struct app *app);
/* Brings the saved bookings' records up to date with their outbox items
 * (at start, and before they are shown). */
void hk_offline_reconcile(struct app *app);
/* Prints the booking slip of hk->booking (or offers it as a QR code). */
void hk_print_slip(struct app *app);

/* ---- for the screens (hk_*.c) ------------------------------------------------ */

/* Asks for the catalogue unless it is here or on its way. */
void hk_load_services(struct app *app);
/* Chooses service I of the catalogue (and forgets an earlier day's slots). */
void hk_pick_service(struct app *app, int i);
/* Opens the calendar for the chosen service at its first day. */
void hk_open_calendar(struct app *app);
/* Chooses day D (0 = today) and asks for its slots. */
void hk_pick_day(struct app *app, int d);
/* Chooses slot I of those shown; then identification (or the confirmation
 * when the resident has already identified). */
void hk_pick_slot(struct app *app, int i);
/* A key of the keypad ("0".."9", "del", "ok"): the mobile number, then
 * (want_code) a booking's six-digit check-in code. */
void hk_key(struct app *app, const char *key);
/* What the identification screen asks for once the phone is in and "my
 * bookings" needs a booking's code (translated, static). */
const char *hk_code_prompt(void);
/* A card or code read on the identification screen (takes EV). */
void hk_ident_result(struct app *app, struct ident_event_s *ev);
/* The resident pressed "Book". */
void hk_book(struct app *app);
/* "My bookings": identification first unless already given. */
void hk_open_mine(struct app *app);
/* Cancels booking I of the list (after the resident confirmed). */
void hk_cancel(struct app *app, int i);

/* Texts: the service's name and what it includes in the app's locale;
 * a slot's day ("11-30 Mon") and hours ("09:00-12:00") in China time; the
 * masked identity given this session ("" none). */
const char *hk_service_name(const struct app *app, const hub_hk_service_t *s);
const char *hk_service_includes(const struct app *app, const hub_hk_service_t *s);
const char *hk_booking_service(const struct app *app, const hub_hk_booking_t *b);
/* The words of the booked screen (service_t.announce, hk_speech.c). */
bool hk_announce(struct app *app, int screen, char *out, size_t len, tone_t *tone);
void hk_day_text(time_t t, char *out, size_t len);
void hk_hours_text(const hub_hk_slot_t *s, char *out, size_t len);
void hk_who_text(const struct app *app, char *out, size_t len);
/* YYYY-MM-DD (China time) of day D from today. */
void hk_date(int d, char *out, size_t len);
/* The chosen service, or NULL. */
const hub_hk_service_t *hk_current(const struct app *app);

/* Tour states "housekeeping", "hk_slots", "hk_slots_full", "hk_who",
 * "hk_who_code", "hk_confirm", "hk_done", "hk_mine", "hk_mine_cancel" on the sample
 * answers of ASSETS_DIR/tour/housekeeping.json (hk_tour.c; the returns of
 * service_t.tour). */
int hk_tour(struct app *app, const char *name);

#endif
