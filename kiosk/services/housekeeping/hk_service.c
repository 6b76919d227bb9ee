/* The housekeeping service as the app core sees it (app/service.h). */
#include "app/app.h"
#include "app/service.h"
#include "services/housekeeping/housekeeping.h"

static int init(app_t *app)
{
    hk_init(app);
    return 0;
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    hk_event(app, ev->user.data1);
}

/* A read of the card reader or scanner on the "who is booking" screen. */
static bool hk_identified(app_t *app, void *ev)
{
    if (app->screen != SCR_HK_WHO) return false;
    hk_ident_result(app, ev);
    return true;
}

const service_t service_housekeeping = {
    .name = "housekeeping",
    .init = init,
    .free = hk_free,
    .session_end = hk_session_end,
    .events = SERVICE_EV(APP_EV_HK),
    .on_event = on_event,
    .outbox_ready = hk_offline_reconcile,
    .outbox_ended = hk_outbox_event,
    .tour = hk_tour,
    .identified = hk_identified,
    .announce = hk_announce,
};
