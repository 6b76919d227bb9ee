/* The identify service: the worker that polls the ID card reader and the
 * code scanner (services/identify/identify.h) runs while a screen that reads one is open.
 * Those screens use these as their enter and leave hooks. UI thread only.
 * The worker reports through APP_EV_IDENTIFY events tagged with
 * app->ident_gen, so a report of a stopped worker is recognised and dropped.
 * Neither function fails: without devices the worker reports nothing. */
#ifndef KIOSK_APP_IDENTIFY_SERVICE_H
#define KIOSK_APP_IDENTIFY_SERVICE_H

#include "services/identify/identify.h"

struct app;

/* Starts the worker, unless one is running. */
void identify_service_enter(struct app *app);
/* Stops it; returns at once (the worker closes the devices). */
void identify_service_leave(struct app *app);
/* The worker found something (scan.c): goes to the screen that reads it;
 * takes ownership of EV. */
void identify_result(struct app *app, ident_event_t *ev);

#endif
