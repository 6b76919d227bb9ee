/* The street display as the app core sees it (app/service.h). */
#include <stdio.h>
#include <stdlib.h>
#include "app/app.h"
#include "app/screens.h"
#include "app/service.h"
#include "app/speech.h"
#include "services/street/street.h"

static int idle_screen(const app_t *app)
{
    int id = street_idle_screen(app);
    return id == SCR_ATTRACT ? -1 : id;
}

/* An emergency alert takes over a passer-by's browsing too (until read, or
 * until it expires). */
static void overlay(app_t *app, ui_frame_t *f)
{
    const street_item_t *alert = app->session.state != SESSION_IDLE ? street_alert_now(app) : NULL;
    app->alert_shown = alert ? alert->id : 0;
    if (alert && alert->id != app->alert_seen) chrome_alert_overlay(app, f, alert->title, alert->body);
}

/* The hub's set_schedule command: on from ON to OFF; the night (blank
 * screen) is the rest. */
static bool command(app_t *app, const telemetry_cmd_t *cmd)
{
    if (cmd->kind != TEL_CMD_SET_SCHEDULE) return false;
    char on[8], off[8];
    snprintf(on, sizeof on, "%02d:%02d", cmd->schedule.on_min / 60 % 24, cmd->schedule.on_min % 60);
    snprintf(off, sizeof off, "%02d:%02d", cmd->schedule.off_min / 60 % 24, cmd->schedule.off_min % 60);
    /* Answered once the store writer has committed it (stored). */
    if (street_night_command(app, off, on, "blank", cmd->id) != 0)
        telemetry_command_done(app->telemetry, cmd->id, false, "storage unavailable");
    app->dirty = true;
    return true;
}

/* The set_schedule command's settings are on disk (or lost). */
static void stored(app_t *app, const SDL_Event *ev)
{
    const long long *id = ev->user.data1;
    bool ok = ev->user.code == 0;
    if (id && app->telemetry)
        telemetry_command_done(app->telemetry, *id, ok, ok ? "schedule stored" : "storage unavailable");
    free(ev->user.data1);
}

static int init(app_t *app)
{
    street_init(app);
    return 0;
}

static void session_ended(app_t *app)
{
    app->alert_seen = app->alert_shown = 0;
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    if (ev->type == app->ev_base + APP_EV_STORED) stored(app, ev);
    else street_event(app, ev->user.data1);
}

/* A new emergency alert sounds the siren once, on a street kiosk only and
 * never in the display's night schedule (dark or dimmed) nor the kiosk's
 * quiet hours (app/speech.h): it is shown either way. */
static void alert_siren(app_t *app)
{
    if (app->cfg.mode != MODE_STREET || !app->street)
        return;
    const street_item_t *a = street_alert_now(app);
    long id = a ? a->id : 0;
    bool dim = false;
    if (id && id != app->street->alert_sounded && !street_night(app, &dim))
        speech_tone(app, TONE_ALERT);
    app->street->alert_sounded = id;
}

static void tick(app_t *app, uint64_t now)
{
    street_tick(app);
    alert_siren(app);
}

static uint64_t wait_ms(const app_t *app, uint64_t now)
{
    return street_wait_ms(app);
}

const service_t service_street = {
    .name = "street",
    .init = init,
    .free = street_free,
    .session_end = session_ended,
    .events = SERVICE_EV(APP_EV_STREET) | SERVICE_EV(APP_EV_STORED),
    .on_event = on_event,
    .tick = tick,
    .wait_ms = wait_ms,
    .idle_screen = idle_screen,
    .overlay = overlay,
    .content_changed = street_use_bundle,
    .command = command,
    .tour = street_tour,
};
