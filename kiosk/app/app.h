/* The kiosk application: owns SDL, the state, the screen router and the event
 * loop. UI thread only; workers talk to it through SDL user events.
 * Tests drive it headless through the app_test_* calls at the bottom. */
#ifndef KIOSK_APP_H
#define KIOSK_APP_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include "app/devices.h"
#include "app/print_queue.h"
#include "core/config.h"
#include "core/session.h"
#include "outbox/seal.h"
#include "store/store.h"
#include "ui/render.h"
#include "ui/text.h"
#include "ui/theme.h"
#include "ui/ui.h"

typedef enum {
#define SCREEN(id, name) id,
#include "app/screen_list.h"
#undef SCREEN
    SCR_COUNT
} screen_id_t;

#define APP_MAX_NOTICES 16
#define APP_STACK 16
/* A second tap this soon after a screen change is dropped: a double tap
 * must not press what appears under the finger on the next screen. */
#define APP_DOUBLE_TAP_GUARD_MS 350

typedef struct {
    bool offscreen;          /* render into a surface: tour, tests, bench */
    const char *config_path; /* for the staff menu */
    bool network;            /* offscreen, still talk to the hub (end-to-end tests) */
} app_opts_t;

typedef struct app {
    config_t cfg;
    app_opts_t opts;
    store_t *store;                 /* NULL when the database could not be opened */
    struct store_writer *writer;    /* the UI thread's writes (store/writer.h); NULL without store */
    char store_err[256];
    char storage_fault[200];        /* the last failed write (disk full, I/O): for staff */

    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Surface *surface;           /* offscreen target */
    SDL_Texture *rot_target;        /* rotation != 0: drawn here, then turned */
    int w, h;                       /* logical (layout) size */

    ui_text_t *text;
    ui_render_t *render;
    theme_t theme;
    ui_frame_t *frame;
    bool dirty;
    bool quit;

    session_t session;

    screen_id_t screen;
    screen_id_t stack[APP_STACK];
    int depth;
    uint64_t screen_since_ms;

    /* attract loop */
    notice_t notices[APP_MAX_NOTICES];
    int n_notices;
    int attract_idx;
    uint64_t attract_next_ms;

    /* input */
    char pressed[UI_ID_LEN];
    uint64_t pressed_ms;            /* when it was pressed (long press) */
    int corner_taps;
    uint64_t corner_first_ms;
    uint64_t last_activate_ms;

    dev_status_t devices[DEV_COUNT];  /* for the staff menu, from the monitor */
    devices_t *devmon;              /* NULL offscreen or with no device configured */

    /* Scan / ID card: its worker and what it found this session
     * (services/identify/identify_service.h). */
    struct identify_state *identify;

    /* Receipts: the print queue (a worker), this session's receipt job and,
     * while the printer cannot print it, the receipt as a QR payload. */
    print_queue_t *printq;          /* NULL offscreen or with no printer */
    long long receipt_job;          /* 0 = none this session */
    bool receipt_dismissed;         /* the resident closed the receipt QR */
    char receipt_qr[PRINT_QUEUE_QR_MAX + 1];

    /* Bills and payment (services/bills/): the look-up worker, the payment
     * engine (both NULL offscreen unless opts.network) and this visit's
     * bills state (allocated by the service's init). */
    struct lookup *lookup;
    struct pay_engine *pay;
    struct bills_state *bills;      /* services/bills/bills.h */

    /* The outbox sender and telemetry (app/fleet.c); NULL offscreen unless
     * opts.network. The outbox key seals personal data queued from here. */
    struct outbox_sender *outbox;
    struct telemetry *telemetry;
    outbox_key_t outbox_key;
    bool have_outbox_key;
    char content_version[72];       /* of the content shown (telemetry) */
    bool content_started;           /* the content sync worker runs */
    bool restart;                   /* quit to be started again (staff command) */
    long long restart_pending;      /* that command, waiting for the session to end */
    long long update_pending;       /* an update command, waiting for the session to end */
    char update_version[33];        /* its version (debver_ok) */

    long alert_shown, alert_seen;   /* street: the alert over browsing, the one dismissed */

    /* The other services' state, each owned by its service
     * (kiosk/services/housekeeping/, info/, street/): allocated by its init,
     * wiped with the session by its session_end. */
    struct staff_state *staff;      /* services/staff/staff.h */
    struct hk_state *hk;
    struct info_state *info;
    struct street_state *street;

    struct speech *speech;          /* spoken guidance (app/speech.h); NULL: silent */
    struct keypad *keypad;          /* the resident's USB keypad (app/keypad.h) */

    char toast[160];
    uint64_t toast_until_ms;
    char fault_msg[200];

    long shown_minute;              /* wall minute the header clock shows */
    long shown_second;              /* UI-clock second a payment countdown shows */
    unsigned frames;                /* presented frames, for tests and bench */
    Uint32 ev_base;                 /* first of our SDL user event types */
} app_t;

/* Our SDL user events (ev_base + n). */
enum { APP_EV_PIN_RESULT, APP_EV_DEVICE, APP_EV_IDENTIFY, APP_EV_PRINT, APP_EV_LOOKUP,
       APP_EV_PAY, APP_EV_HK, APP_EV_INFO, APP_EV_STREET, APP_EV_OUTBOX, APP_EV_CONTENT,
       APP_EV_TELEMETRY, APP_EV_STORED, APP_EV_JACK, APP_EV_COUNT };
/* APP_EV_STORED: the store writer committed (user.code 0) or lost (-1) a
 * write asked with a done event; user.data1 is a long long: the hub
 * command it answers (street's set_schedule).
 * APP_EV_JACK: the headphone jack changed; user.code is its jack_state_t
 * (voice/jack_watch.h), handled by speech_jack. */

/* Creates the window (or offscreen surface), fonts, store and first screen.
 * Returns 0, or -1 with a message in ERR for faults that leave nothing to
 * show (no video, no font). Everything else (database, devices) degrades and
 * is reported in the staff menu. */
int app_init(app_t *app, const config_t *cfg, const app_opts_t *opts,
             char *err, int errlen);
void app_free(app_t *app);

/* Runs until quit. Renders only when something changed. */
void app_run(app_t *app);

void app_handle_event(app_t *app, const SDL_Event *ev);
/* Runs due timers (session, attract, clock, toast). */
void app_tick(app_t *app);
/* Builds and draws the frame now, and presents it. */
void app_draw(app_t *app);
/* Builds the frame (layout only). */
void app_build(app_t *app);
/* Milliseconds until a timer is due (for SDL_WaitEventTimeout). */
uint32_t app_wait_ms(const app_t *app);

/* Does what a tap on widget ID does (the keypad's enter, back, help). */
void app_activate(app_t *app, const char *id);
/* Input other than a touch (the keypad): starts a session when none runs
 * (true: it did, and the home screen is up) or answers "Still there?". */
bool app_wake(app_t *app);
void app_go(app_t *app, screen_id_t s);        /* push */
void app_back(app_t *app);
void app_home(app_t *app);
void app_toast(app_t *app, const char *msg);
/* The toast "please take your ID card", said with its reminder tone: after
 * every card read, whichever screen took it. */
void app_remind_card(app_t *app);
void app_fault(app_t *app, const char *msg);   /* friendly fault screen */
void app_end_session(app_t *app, const char *reason);
/* Queues a receipt (RECEIPT_JSON, masked data only) for printing; SUMMARY is
 * its plain text, shown as a QR code when the printer cannot print it (no
 * printer, no paper): the resident keeps the receipt either way. */
void app_print_receipt(app_t *app, const char *receipt_json, const char *summary);

const char *app_locale(const app_t *app);
theme_id_t app_theme(const app_t *app);
const char *app_screen_name(screen_id_t s);
int app_screen_find(const char *name);         /* -1 if unknown */
void app_reload_notices(app_t *app);
/* A write to the database failed (WHAT, and SQLite's reason): logged and
 * shown in the staff menu until the kiosk restarts. */
void app_storage_fault(app_t *app, const char *what, const char *why);
/* Asks for new content now (the staff's "reload content" command). */
void app_reload_content(app_t *app);

/* Renders SCREEN (with the home screen under it for overlays) to a PNG. */
int app_save_png(app_t *app, const char *path);
/* Renders the frame as built (app_build, then anything a caller added on
 * top, e.g. a preview's alert) to a PNG. 0, or -1 (logged). */
int app_render_png(app_t *app, const char *path);

#endif
