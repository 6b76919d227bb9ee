/* Puts the app into each of its screens in turn: for `--tour`, golden-image
 * tests and the frame-time bench. */
#ifndef KIOSK_TOUR_H
#define KIOSK_TOUR_H

#include "app/app.h"
#include "app/tour_data.h"

/* Names of every state the tour shows, NULL-terminated: the screens plus
 * overlay states such as "timeout" (home with "Still there?"). */
extern const char *const tour_states[];

/* Resets the session and shows state NAME on the sample data of
 * ASSETS_DIR/tour/ (app/tour_data.h). Returns 0, TOUR_UNKNOWN (-1) for an
 * unknown NAME, or TOUR_BAD_DATA (-2) when a sample file is missing or
 * malformed (logged with the file and what is wrong). */
int tour_show(app_t *app, const char *name);

/* Writes DIR/<state>.png for every state. Returns the number of failures;
 * it stops at the first sample file that is missing or malformed. */
int tour_run(app_t *app, const char *dir);

/* The tour's sample notices, ASSETS_DIR/tour/notices.json: calls FN with
 * CTX, the notice's locale and the notice (ids from 1, in file order) for
 * each. A kiosk whose database has no notices shows them during a tour, in
 * memory only; tests add them to their databases. Returns the number of
 * notices, or -1 if the file is missing or malformed (logged with the file
 * and what is wrong) or FN returned non-zero. */
typedef int (*tour_notice_fn)(void *ctx, const char *locale, const notice_t *n);
int tour_notices_each(const char *assets_dir, tour_notice_fn fn, void *ctx);

#endif
