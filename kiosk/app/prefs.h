/* The resident's display choices: large text (长辈模式 / 大字) and high
 * contrast. Each is a toggle that names its state ("大字：开"), offered in the
 * header (large text), on the home screen (both) and on the attract loop
 * (start in elder mode, as an equal choice to a plain start).
 *
 * A choice lasts the session: session_t holds it and the session's wipe
 * resets it, so the next resident gets kiosk.ini's [ui] theme again (elder
 * = large text on, contrast = high contrast on). The two are independent;
 * both on is the elder layout in the contrast colours.
 *
 * Every change is said aloud ("大字已打开。") when speech is on before or
 * after it, since turning large text on may turn speech on ([voice] speech =
 * elder) and turning it off may turn speech off.
 *
 * Threads: UI thread only. Errors: none. */
#ifndef KIOSK_APP_PREFS_H
#define KIOSK_APP_PREFS_H

#include <stdbool.h>

struct app;

/* Is large text / high contrast on for this session now? */
bool prefs_large(const struct app *app);
bool prefs_contrast(const struct app *app);

/* Sets a choice for the session (the screen redraws, the state is said:
 * as 长辈模式 when AS_ELDER, the name of the control the resident used). */
void prefs_set_large(struct app *app, bool on, bool as_elder);
void prefs_set_contrast(struct app *app, bool on);

/* The toggles' labels, naming the state (in the current locale). */
const char *prefs_large_label(const struct app *app);     /* 大字：开 */
const char *prefs_elder_label(const struct app *app);     /* 长辈模式：开 */
const char *prefs_contrast_label(const struct app *app);  /* 高对比：关 */

/* The toggles' actions: "hdr.size", "home.elder", "home.contrast". True
 * when ID was one of them. */
bool prefs_action(struct app *app, const char *id);

#endif
