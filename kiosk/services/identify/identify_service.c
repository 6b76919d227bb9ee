/* The identify service's enter and leave hooks (services/identify/identify_service.h),
 * and its service_t. */
#include "services/identify/identify_service.h"

#include <string.h>
#include "app/app.h"
#include "app/service.h"
#include "core/log.h"
#include "services/identify/identify.h"

void identify_service_enter(app_t *app)
{
    if (!app->ident)
        app->ident = identify_start(&app->cfg, app->ev_base + APP_EV_IDENTIFY, ++app->ident_gen);
}

void identify_service_leave(app_t *app)
{
    identify_stop(app->ident);
    app->ident = NULL;
}

/* ---- the service as the app core sees it (app/service.h) ---------------- */

static void stop(app_t *app)
{
    identify_service_leave(app);
    if (identify_shutdown(8000) != 0) log_warn("app", "an identification worker did not stop in time");
}

static void session_ended(app_t *app)
{
    explicit_bzero(&app->ident_code, sizeof app->ident_code);
    app->ident_have_code = app->ident_card_bad = app->ident_problem = false;
    explicit_bzero(app->ident_bad_id, sizeof app->ident_bad_id);
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    identify_result(app, ev->user.data1);
}

const service_t service_identify = {
    .name = "identify",
    .free = stop,
    .session_end = session_ended,
    .events = SERVICE_EV(APP_EV_IDENTIFY),
    .on_event = on_event,
};
