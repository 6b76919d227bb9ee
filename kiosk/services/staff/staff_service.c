/* The staff side as the app core sees it (app/service.h): the PIN lockout,
 * the PIN check's thread and verdict, the PIN typed so far, and the staff
 * menu's figures kept fresh while it is open. */
#include <string.h>
#include "app/app.h"
#include "app/service.h"
#include "services/staff/staff.h"

static int init(app_t *app)
{
    staff_auth_init(&app->staff, app->cfg.pin_max_tries, app->cfg.pin_lock_s);
    return 0;
}

static void wipe_pin(app_t *app)
{
    explicit_bzero(app->pin, sizeof app->pin);
    app->pin_len = 0;
}

static void stop(app_t *app)
{
    staff_pin_check_done(app);
    wipe_pin(app);
}

static void session_ended(app_t *app)
{
    wipe_pin(app);
    app->pin_checking = false;           /* a late verdict is dropped (screen check) */
    app->pin_msg[0] = '\0';
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
    return app->screen == SCR_STAFF_PIN && staff_auth_locked(&app->staff, now);
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
};
