/* The identify service's enter and leave hooks (services/identify/identify_service.h). */
#include "services/identify/identify_service.h"

#include "app/app.h"

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
