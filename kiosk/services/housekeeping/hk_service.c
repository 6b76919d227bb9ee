/* The housekeeping service as the app core sees it (app/service.h). */
#include <string.h>
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

/* The housekeeping screens, on sample data (services/housekeeping/housekeeping.c). */
static int tour(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"housekeeping", "catalogue", SCR_HOUSEKEEPING},
        {"hk_slots", "slots", SCR_HK_SLOTS},
        {"hk_slots_full", "slots_full", SCR_HK_SLOTS},
        {"hk_who", "who", SCR_HK_WHO},
        {"hk_confirm", "confirm", SCR_HK_CONFIRM},
        {"hk_done", "done", SCR_HK_DONE},
        {"hk_mine", "mine", SCR_HK_MINE},
        {"hk_mine_cancel", "mine", SCR_HK_MINE},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, SCR_HOUSEKEEPING);
        if (states[i].screen != SCR_HOUSEKEEPING) app_go(app, states[i].screen);
        hk_sample(app, states[i].state);
        if (app->hk && !strcmp(name, "hk_mine_cancel")) app->hk->cancel_ask = 1;
        return 0;
    }
    return -1;
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
    .tour = tour,
};
