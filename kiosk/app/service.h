/* How the app core knows a service (kiosk/services/<name>/): one service_t
 * each, listed once in app/services.c. The core calls the hooks in a loop:
 * init in the list's order (after the store, devices and print queue are
 * up), free in the reverse order, session_end and tick in the list's order,
 * and on_event for the SDL user events a service subscribes to (after the
 * core's own handling of that kind, if any; a kind several services
 * subscribe to goes to each, in the list's order; the event's payload
 * belongs to the one service that owns the kind, or to the core). Every
 * hook may be NULL.
 *
 * UI thread only: workers reach the UI thread by posting the event kinds
 * listed here (app->ev_base + APP_EV_*). A hook never fails: a service that
 * cannot start (no hub, no device) runs degraded and says so itself.
 *
 * Services depend on the core (app/app.h), never the reverse: the core
 * includes no service header, and a service reaches another only through a
 * named interface header. */
#ifndef KIOSK_APP_SERVICE_H
#define KIOSK_APP_SERVICE_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>
#include "telemetry/telemetry.h"
#include "ui/ui.h"
#include "voice/tones.h"

struct app;

/* The bit of an APP_EV_* kind in service_t.events. */
#define SERVICE_EV(kind) (1u << (kind))

typedef struct {
    const char *name;                       /* for logs */
    /* Start: state, workers. 0, or -1 when out of memory (app_init fails). */
    int (*init)(struct app *app);
    void (*free)(struct app *app);          /* stop workers, wipe, free */
    /* The session ended (timeout, goodbye, tour): wipe what the resident
     * left (personal data above all) and drop the session's state. */
    void (*session_end)(struct app *app);
    uint32_t events;                        /* SERVICE_EV(APP_EV_x) | ... */
    void (*on_event)(struct app *app, const SDL_Event *ev);
    /* Runs due timers; NOW is clock_mono_ms(). */
    void (*tick)(struct app *app, uint64_t now);
    /* Milliseconds until its next timer is due, or UINT64_MAX. */
    uint64_t (*wait_ms)(const struct app *app, uint64_t now);
    /* The screen (a screen_id_t) to show when nobody uses the kiosk, or -1
     * for no opinion; the first service with one wins, else the attract
     * loop. */
    int (*idle_screen)(const struct app *app);
    /* Adds what it shows over any screen to F (after the chrome and the
     * receipt, under the idle warning). */
    void (*overlay)(struct app *app, ui_frame_t *f);

    /* The fleet glue's news (app/fleet.c). A new content bundle is in use. */
    void (*content_changed)(struct app *app);
    /* The outbox can take requests (its key is loaded): settle what was
     * saved for later. */
    void (*outbox_ready)(struct app *app);
    /* An outbox item was sent or given up (EV: a fleet_outbox_event_t,
     * app/fleet.h; not taken). */
    void (*outbox_ended)(struct app *app, const void *ev);
    /* A staff command from the hub that the core does not handle: true when
     * it handled CMD (and answered it with telemetry_command_done). */
    bool (*command)(struct app *app, const telemetry_cmd_t *cmd);
    /* Puts the app into tour state NAME (app/tour.c: its screen on the
     * sample data of its ASSETS_DIR/tour/ file, app/tour_data.h, a session
     * in progress): 0, TOUR_UNKNOWN for a state it does not know, or
     * TOUR_BAD_DATA when its sample file is missing or malformed (logged). */
    int (*tour)(struct app *app, const char *name);
    /* A read of the ID card reader or the scanner (EV, an ident_event_t *,
     * services/identify/identify.h) arrived while one of this service's
     * screens that asked the identify service for the devices is shown:
     * true when it took EV (it owns it then), false when the current screen
     * is not its own. The identify service hands reads out through this
     * hook only, so it depends on no other service. */
    bool (*identified)(struct app *app, void *ev);
    /* The words SCREEN (a screen_id_t) says on arrival when they depend on
     * the session's data (an amount paid, a booking's time): true when it
     * wrote them into OUT (and a TONE to play first), false to leave the
     * screen to its "speak:<name>" message (app/speech.h). Personal data
     * only through speak_personal (voice/speak_text.h). */
    bool (*announce)(struct app *app, int screen, char *out, size_t len, tone_t *tone);
} service_t;

/* Every service, NULL-terminated (app/services.c). */
extern const service_t *const app_services[];

#endif
