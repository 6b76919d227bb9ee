/* The information service (notices, events, guides, help) as the app core
 * sees it (app/service.h). */
#include "app/app.h"
#include "app/service.h"
#include "services/info/info.h"

static int init(app_t *app)
{
    info_init(app);
    return 0;
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    info_event(app, ev->user.data1);
}

static void tick(app_t *app, uint64_t now)
{
    info_tick(app);
}

/* A help request waiting for staff is asked about every few seconds. */
static uint64_t wait_ms(const app_t *app, uint64_t now)
{
    if (!app->info || app->info->help_state != HELP_SENT || app->screen != SCR_HELP) return UINT64_MAX;
    return app->info->help_next_poll > now ? app->info->help_next_poll - now : 0;
}

const service_t service_info = {
    .name = "info",
    .init = init,
    .free = info_free,
    .session_end = info_session_end,
    .events = SERVICE_EV(APP_EV_INFO),
    .on_event = on_event,
    .tick = tick,
    .wait_ms = wait_ms,
    .outbox_ended = info_outbox_event,
    .tour = info_tour,
};
