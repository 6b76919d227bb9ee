/* The identify service's enter and leave hooks (services/identify/identify_service.h),
 * and its service_t. */
#include "services/identify/identify_service.h"

#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/service.h"
#include "core/log.h"
#include "services/identify/identify.h"

void identify_service_enter(app_t *app)
{
    identify_state_t *s = app->identify;
    /* The Scan screen shows who a resident code names: its worker asks the
     * hub; the other screens' own look-ups check the code anyway. */
    if (!s->worker)
        s->worker = identify_start(&app->cfg, app->ev_base + APP_EV_IDENTIFY, ++s->gen, app->screen == SCR_SCAN);
}

void identify_service_leave(app_t *app)
{
    identify_stop(app->identify->worker);
    app->identify->worker = NULL;
}

/* ---- the service as the app core sees it (app/service.h) ---------------- */

static int init(app_t *app)
{
    app->identify = calloc(1, sizeof *app->identify);
    return app->identify ? 0 : -1;
}

static void stop(app_t *app)
{
    if (!app->identify) return;
    identify_service_leave(app);
    if (identify_shutdown(8000) != 0) log_warn("app", "an identification worker did not stop in time");
    explicit_bzero(app->identify, sizeof *app->identify);
    free(app->identify);
    app->identify = NULL;
}

/* What was read goes with the session; the worker (stopped by its screen's
 * leave hook) and its generation stay. */
static void session_ended(app_t *app)
{
    identify_state_t *s = app->identify;
    explicit_bzero(&s->code, sizeof s->code);
    s->have_code = s->card_bad = s->problem = false;
    s->code_checked = 0;
    explicit_bzero(s->code_name, sizeof s->code_name);
    explicit_bzero(s->bad_id, sizeof s->bad_id);
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    identify_result(app, ev->user.data1);
}

const service_t service_identify = {
    .name = "identify",
    .init = init,
    .free = stop,
    .session_end = session_ended,
    .events = SERVICE_EV(APP_EV_IDENTIFY),
    .on_event = on_event,
};
