/* Puts the app into each of its screens in turn: for `--tour`, golden-image
 * tests and the frame-time bench. */
#ifndef KIOSK_TOUR_H
#define KIOSK_TOUR_H

#include "app/app.h"

/* Names of every state the tour shows, NULL-terminated: the screens plus
 * overlay states such as "timeout" (home with "Still there?"). */
extern const char *const tour_states[];

/* Resets the session and shows state NAME. Returns 0, or -1 if unknown. */
int tour_show(app_t *app, const char *name);

/* Writes DIR/<state>.png for every state. Returns the number of failures. */
int tour_run(app_t *app, const char *dir);

#endif
