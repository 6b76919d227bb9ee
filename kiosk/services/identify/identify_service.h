/* The identify service: the worker that polls the ID card reader and the
 * code scanner (services/identify/identify.h) runs while a screen that reads one is open.
 * Those screens use these as their enter and leave hooks. UI thread only.
 * The worker reports through APP_EV_IDENTIFY events tagged with
 * app->identify->gen, so a report of a stopped worker is recognised and dropped.
 * Neither function fails: without devices the worker reports nothing. */
#ifndef KIOSK_APP_IDENTIFY_SERVICE_H
#define KIOSK_APP_IDENTIFY_SERVICE_H

#include <stdbool.h>
#include "services/identify/identify.h"

struct app;

/* The identify service's state (app->identify), allocated by its init.
 * The card's personal data goes to session.pii; a code is kept only as its
 * classification (payment codes are masked when shown). */
typedef struct identify_state {
    identify_t *worker;             /* NULL while no screen reads */
    unsigned gen;                   /* the running worker's generation */
    bool card_bad;                  /* the ID number failed its check digit */
    char bad_id[32];                /* that number, masked (not trusted, not kept) */
    bool have_code;
    qr_info_t code;
    int code_checked;               /* a resident code: as ident_event_t.rescode_checked */
    char code_name[64];             /* taken: the resident's name, masked */
    bool problem;                   /* a device could not be used */
} identify_state_t;

/* Starts the worker, unless one is running. */
void identify_service_enter(struct app *app);
/* Stops it; returns at once (the worker closes the devices). */
void identify_service_leave(struct app *app);
/* The worker found something (scan.c): goes to the screen that reads it;
 * takes ownership of EV. */
void identify_result(struct app *app, ident_event_t *ev);

#endif
