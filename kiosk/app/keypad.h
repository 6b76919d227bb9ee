/* The resident's USB keypad ([keypad] in kiosk.ini): everything on screen
 * reachable without touching it. A focus ring moves through the clickable
 * widgets of the current frame in reading order (rows top to bottom, each
 * left to right; inside an open dialog only its own buttons); the focused
 * widget's label is spoken (app/speech.h); enter activates it as a tap
 * would. The keys work in lockdown, where no other key does, and the first
 * of a session starts it (a touch screen's other keys never do) and turns
 * spoken guidance on.
 *
 * Owns: the key map (SDL keycodes resolved from kiosk.ini's names at
 * start-up: an unknown name is logged and that key keeps its default) and
 * the focus (the focused widget's id, cleared on every screen change and
 * at session end).
 * Threads: UI thread only. Errors: none past keypad_init, which returns -1
 * only when out of memory (the kiosk then runs without a keypad). */
#ifndef KIOSK_APP_KEYPAD_H
#define KIOSK_APP_KEYPAD_H

#include <SDL.h>
#include <stdbool.h>
#include <stdint.h>

#include "ui/ui.h"

struct app;

typedef enum {
    KEYPAD_UP, KEYPAD_DOWN, KEYPAD_LEFT, KEYPAD_RIGHT, KEYPAD_ENTER, KEYPAD_BACK,
    KEYPAD_HELP, KEYPAD_REPEAT, KEYPAD_VOLUME_UP, KEYPAD_VOLUME_DOWN, KEYPAD_VOICE,
    KEYPAD_EXPLORE, KEYPAD_COUNT
} keypad_key_t;

int keypad_init(struct app *app);
void keypad_free(struct app *app);

/* A key went down: true when it is one of the keypad's (then handled). */
bool keypad_handle(struct app *app, SDL_Keycode key);
/* Adds the focus ring around the focused widget to F (the last layer). */
void keypad_overlay(struct app *app, ui_frame_t *f);
/* Forgets the focus (screen change). */
void keypad_reset(struct app *app);
/* The session ended: no focus, the keypad unused. */
void keypad_session_end(struct app *app);
/* The focused widget's id, "" for none. */
const char *keypad_focus(const struct app *app);

/* Explore mode, for residents who cannot see the screen: a first tap on a
 * widget focuses it and says what it is, a second tap within
 * KEYPAD_DOUBLE_TAP_MS presses the focused widget. Switched on and off by
 * the keypad's explore key or a long press (KEYPAD_LONG_PRESS_MS) on the
 * 语音 button; off again at session end. */
#define KEYPAD_DOUBLE_TAP_MS 600
#define KEYPAD_LONG_PRESS_MS 800
/* A tap released on widget ID after HELD_MS: true when explore mode (or
 * the long press that toggles it) took it, so the app must not press ID. */
bool keypad_explore_tap(struct app *app, const char *id, uint64_t held_ms);
void keypad_explore_toggle(struct app *app);
bool keypad_exploring(const struct app *app);

/* The clickable widgets of F in reading order, at most MAX, into OUT
 * (indexes into f->w); how many. */
int keypad_order(const ui_frame_t *f, int *out, int max);

#endif
