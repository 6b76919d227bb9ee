/* Does a built frame fit its screen? The checks the strict screen test
 * (tests/unit/test_screens.c) holds every screen to, and the staff
 * console's preview (kiosk --preview, app/preview.c) holds a draft item to:
 * one implementation, so a preview flags what the tests would.
 *
 * Pure over a built ui_frame_t (measures text with the frame's own text
 * engine); UI thread, like the frame. Nothing is logged: each problem goes
 * to the caller's function, which decides what it means. */
#ifndef KIOSK_UI_FIT_H
#define KIOSK_UI_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include "ui/ui.h"

typedef enum {
    FIT_OVERFLOW,     /* the frame ran out of widget slots or text space */
    FIT_OUTSIDE,      /* a widget lies (partly) outside the screen */
    FIT_NOSIZE,       /* a text or a target without width or height */
    FIT_UNDER,        /* a screen's widget under the header or navigation bar */
    FIT_SHORT,        /* a one-line box shorter than its line (strokes clipped) */
    FIT_CUT,          /* text cut with an ellipsis */
    FIT_WRAP,         /* wrapped text taller than its box */
    FIT_WIDE,         /* one line wider than its box */
    FIT_CONTRAST,     /* text below the theme's contrast promise */
    FIT_TARGET,       /* a touch target smaller than the theme's minimum */
    FIT_KIND_COUNT
} fit_kind_t;

typedef struct {
    fit_kind_t kind;
    const ui_widget_t *w;     /* NULL for FIT_OVERFLOW */
    int need, have;           /* px: SHORT line/box, WRAP/WIDE text/box, TARGET min/size */
    double ratio, min;        /* FIT_CONTRAST: measured and promised */
} fit_problem_t;

typedef void (*fit_fn)(void *ctx, const fit_problem_t *p);

/* Checks frame F (CHROME: the screen has the header and navigation bars)
 * and calls FN for each problem in widget order. Returns the number of
 * problems; *TEXTS (may be NULL) gets the number of texts measured. */
int fit_check(const ui_frame_t *f, bool chrome, fit_fn fn, void *ctx, int *texts);

/* Index of the topmost modal backdrop, or -1: what lies below it is dimmed
 * and inactive, so it is held to no contrast or target promise. */
int fit_modal_index(const ui_frame_t *f);

/* Short stable name of KIND for reports and lists: "cut", "short",
 * "nosize", "under", "overflow", "outside", "wrap", "wide", "contrast",
 * "target". */
const char *fit_kind_key(fit_kind_t kind);

/* P in words, e.g. "notice.body: cut with an ellipsis: \"...\"" (the
 * widget's text shortened to about 60 bytes at a character boundary). */
void fit_describe(const fit_problem_t *p, char *out, size_t len);

#endif
