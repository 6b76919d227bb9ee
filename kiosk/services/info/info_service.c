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

/* How long a resident may wait on the help screen for staff before the
 * idle timer may clear it again (staff who never come must not keep a
 * visit open for ever). */
#define HELP_KEEP_ALIVE_MS (30u * 60u * 1000u)
/* The session is touched this often while help is on its way (the
 * shortest idle timeout is 10 s). */
#define HELP_TOUCH_MS 4000u

/* A help request on its way or acknowledged, on the help screen: the
 * resident is waiting for staff, not gone. */
static bool waiting_for_staff(const app_t *app, uint64_t now)
{
    const struct info_state *s = app->info;
    if (!s || app->screen != SCR_HELP || app->session.state != SESSION_ACTIVE) return false;
    bool pending = s->help_state == HELP_SENDING || s->help_state == HELP_QUEUED ||
                   s->help_state == HELP_SENT || s->help_state == HELP_ACKNOWLEDGED;
    return pending && now - s->help_since < HELP_KEEP_ALIVE_MS;
}

static void tick(app_t *app, uint64_t now)
{
    info_tick(app);
    if (waiting_for_staff(app, now)) session_touch(&app->session, now);
}

/* A help request waiting for staff is asked about every few seconds. */
static uint64_t wait_ms(const app_t *app, uint64_t now)
{
    uint64_t w = waiting_for_staff(app, now) ? HELP_TOUCH_MS : UINT64_MAX;
    if (!app->info || app->info->help_state != HELP_SENT || app->screen != SCR_HELP) return w;
    uint64_t poll = app->info->help_next_poll > now ? app->info->help_next_poll - now : 0;
    return poll < w ? poll : w;
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
