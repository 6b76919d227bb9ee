/* kiosk --preview: one content item drawn by the kiosk's own screens, for
 * the staff console (hub/console_preview.c runs this as a child process):
 * the item on the screen residents see it on (notice/event/lecture/library
 * on the notice detail, a guide on the guide detail, an alert over the home
 * screen), a PNG of it, and a fit report on standard output: one line of
 * JSON, {"fits": bool, "size": "WxH", "theme", "locale", "screen",
 * "problems": [{"kind", "id", "message"}]}, the problems ui/fit.h finds
 * (the strict screen test's checks).
 *
 * In memory only: the kiosk's state goes to a fresh directory under $TMPDIR
 * (or /tmp), removed before it returns; it never starts the network, the
 * devices or the printer (offscreen, app/app.h). Runs on the main thread,
 * before and instead of the kiosk's loop.
 *
 * Returns the exit status: 0 drawn and reported (fitting or not), 1 it
 * could not be drawn (no video, no font, the PNG not written), 2 a bad item
 * or usage; each failure with one "kiosk: --preview ..." line on stderr. */
#ifndef KIOSK_APP_PREVIEW_H
#define KIOSK_APP_PREVIEW_H

#include <stdbool.h>
#include "core/config.h"

typedef struct {
    const char *item_path;     /* the item, one JSON object (app/preview_item.h) */
    const char *out_path;      /* the PNG to write */
    const char *images_dir;    /* its pictures, named by their SHA-256; NULL none */
    bool locale_given;         /* --locale: else the item's "locale" when it has one */
} preview_opts_t;

int preview_run(config_t *cfg, const preview_opts_t *o);

#endif
