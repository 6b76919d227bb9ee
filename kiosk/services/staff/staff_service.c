/* The staff side as the app core sees it (app/service.h): the PIN lockout,
 * the PIN check's thread and verdict, the PIN typed so far, and the staff
 * menu's figures kept fresh while it is open. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/service.h"
#include "services/staff/staff.h"

static int init(app_t *app)
{
    app->staff = calloc(1, sizeof *app->staff);
    if (!app->staff) return -1;
    staff_auth_init(&app->staff->auth, app->cfg.pin_max_tries, app->cfg.pin_lock_s);
    return 0;
}

static void wipe_pin(app_t *app)
{
    explicit_bzero(app->staff->pin, sizeof app->staff->pin);
    app->staff->pin_len = 0;
}

static void stop(app_t *app)
{
    if (!app->staff) return;
    staff_pin_check_done(app);
    explicit_bzero(app->staff, sizeof *app->staff);
    free(app->staff);
    app->staff = NULL;
}

static void session_ended(app_t *app)
{
    wipe_pin(app);
    app->staff->pin_checking = false;           /* a late verdict is dropped (screen check) */
    app->staff->pin_msg[0] = '\0';
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    if (ev->type == app->ev_base + APP_EV_PIN_RESULT) {
        staff_pin_result(app, ev->user.code);
    } else if (app->screen == SCR_STAFF_MENU) {      /* a payment or a print job moved */
        staff_refresh(app);
        app->dirty = true;
    }
}

/* An outbox item ended: the staff menu's outbox figures moved. */
static void outbox_ended(app_t *app, const void *ev)
{
    if (app->screen != SCR_STAFF_MENU) return;
    staff_refresh(app);
    app->dirty = true;
}

static bool lock_on_screen(const app_t *app, uint64_t now)
{
    return app->screen == SCR_STAFF_PIN && staff_auth_locked(&app->staff->auth, now);
}

static void tick(app_t *app, uint64_t now)
{
    if (lock_on_screen(app, now)) app->dirty = true;
}

static uint64_t wait_ms(const app_t *app, uint64_t now)
{
    /* The lockout's countdown on screen changes once a second. */
    return lock_on_screen(app, now) ? 1000 - (now % 1000) : UINT64_MAX;
}

/* The PIN pad with four dots, even on a kiosk without a PIN: the hash only
 * matters when a PIN is checked, which a tour never does. */
static int tour(app_t *app, const char *name)
{
    if (strcmp(name, "staff_pin") != 0) return -1;
    bool forced = !app->cfg.staff_pin_hash[0];
    if (forced) snprintf(app->cfg.staff_pin_hash, sizeof app->cfg.staff_pin_hash, "%s", "$argon2id$tour");
    app_go(app, SCR_STAFF_PIN);
    if (forced || app->screen == SCR_STAFF_PIN) {
        snprintf(app->staff->pin, sizeof app->staff->pin, "%s", "1234");   /* shows four dots */
        app->staff->pin_len = 4;
    }
    return 0;
}

const service_t service_staff = {
    .name = "staff",
    .init = init,
    .free = stop,
    .session_end = session_ended,
    .events = SERVICE_EV(APP_EV_PIN_RESULT) | SERVICE_EV(APP_EV_PAY) | SERVICE_EV(APP_EV_PRINT),
    .on_event = on_event,
    .tick = tick,
    .wait_ms = wait_ms,
    .outbox_ended = outbox_ended,
    .tour = tour,
};
