/* The words on the kiosk's screen, written to a file for tests and
 * diagnosis ([debug] screen_text in kiosk.ini; off, the default, it does
 * nothing). Owns nothing but the last text written (to write only changes).
 * UI thread only, called after each frame is built. The file holds one line
 * "screen NAME" then one line per text or button of the frame in drawing
 * order, "ID<TAB>X Y W H<TAB>TEXT": its widget id and rectangle in the
 * frame's pixels (before any display rotation), so a test can also press it
 * (xdotool on an X display). In TEXT newlines become spaces and any run of
 * 7 or more digits (spaces between them allowed) is replaced by "*******",
 * so a phone or ID number typed on screen never reaches the disk. Written
 * to PATH.tmp and renamed, so a reader sees a whole frame. The write is on
 * the UI thread (a few KB to a local file, and only when the words change):
 * a debug aid, which is why it is off unless asked for. A file that cannot
 * be written is logged once; the kiosk runs on. */
#ifndef KIOSK_APP_SCREEN_TEXT_H
#define KIOSK_APP_SCREEN_TEXT_H

#include <stddef.h>

struct app;

/* Writes the frame just built by app_build when its words changed. */
void screen_text_update(struct app *app);

/* The masking rule above, on TEXT into OUT (size OUTLEN, always terminated;
 * cut short to fit). For the tests. */
void screen_text_mask(const char *text, char *out, size_t outlen);

#endif
