/* Spoken guidance: the app's side of the voice (voice/voice.h does the
 * sound). On arrival each screen says where the resident is and what to do
 * next; a tapped button that stays on the screen speaks its label; results
 * are read out by their service; "再听一遍" repeats the last announcement.
 *
 * What a screen says on arrival, first match wins:
 *   1. a service's announce hook (app/service.h), for words built from the
 *      session's data (the amount paid, a booking's time), made with
 *      voice/speak_text.h and its privacy rule (speak_personal);
 *   2. the message "speak:<screen name>" of the resident's locale
 *      (locales/LANG.po): adding speech for a new screen is one msgid there.
 *
 * Who hears it: a session starts with speech on when [voice] speech = on,
 * or = elder and the large-text mode is on; the header's 语音 button turns
 * it on or off for the session; during [voice] quiet_hours it starts off
 * and no tone plays unless the resident turned speech on. The choice and
 * the volume go back to kiosk.ini's at session end, and the last
 * announcement (which may hold a masked tail) is wiped.
 *
 * Where it is heard ([voice] output): through the loudspeaker, names and
 * numbers are masked (speak_personal); into headphones more may be read.
 * With output = auto a worker watches the headphone jack
 * (voice/jack_watch.h) and its changes arrive as APP_EV_JACK events:
 * plugged in, the headphone rule applies and the kiosk says so quietly
 * (no tone, a few words, then the screen again under the new rule; the
 * sound card's auto-mute silences the loudspeaker, not the kiosk); pulled
 * out, speech stops at once, the words kept for "repeat" are wiped, and
 * the loudspeaker rule applies from the next utterance on.
 *
 * Threads: UI thread only (voice_say returns at once). Errors: none; with
 * no audio device or no speech engine the kiosk runs silent, and the words
 * are still logged by the voice (voice_said) for tests and the tour. */
#ifndef KIOSK_APP_SPEECH_H
#define KIOSK_APP_SPEECH_H

#include <stdbool.h>
#include <stddef.h>

#include "ui/ui.h"
#include "voice/speak_text.h"
#include "voice/tones.h"
#include "voice/voice.h"

struct app;

/* Opens the voice (unless [voice] enabled = false). Offscreen (tour,
 * tests) the voice synthesises and logs but opens no audio device, unless
 * SPEECH_AUDIO is set in the environment. Never fails the app. */
void speech_init(struct app *app);
void speech_free(struct app *app);

/* The app core's calls: a new screen is shown; a widget ID was activated
 * (MOVED: the screen changed because of it); the session ended. */
void speech_screen_shown(struct app *app);
/* After each event and tick: the screen shown last announces itself. One
 * handling that passes through several screens (a payment's end goes back
 * to the bills, then on to the result) speaks only the one that stays. */
void speech_flush(struct app *app);
void speech_activated(struct app *app, const char *id, bool moved);
void speech_session_end(struct app *app);

/* A toast (app_toast), said aloud too (masked values as their tail); the
 * tap that caused it does not speak its label over it. */
void speech_toast(struct app *app, tone_t tone, const char *msg);
/* The "Still there?" question, asked aloud too. */
void speech_still_there(struct app *app);

/* The keypad's focus moved to widget ID, whose spoken label is LABEL. */
void speech_focus(struct app *app, const char *id, const char *label);
/* A keypad key was pressed: its user most likely cannot see the screen,
 * so speech turns on for the session unless they turned it off. */
void speech_keypad_used(struct app *app);

/* Is speech on for this session now? */
bool speech_on(const struct app *app);
/* Speaks TEXT after TONE in the resident's locale, if speech is on (a
 * tone alone plays when tones are allowed). Remembered for "repeat". */
void speech_say(struct app *app, tone_t tone, const char *text);
/* Plays TONE unless quiet hours forbid it; the emergency alert's siren
 * uses this (street kiosks). */
void speech_tone(struct app *app, tone_t tone);
/* The header's 语音 toggle, the repeat action and the volume keys. */
void speech_toggle(struct app *app);
/* A display choice (app/prefs.h) changed to STATE ("大字已打开。"): said
 * when speech was on before the change (WAS_ON) or is on after it, then,
 * when the change turned speech on, where the resident is. */
void speech_choice(struct app *app, bool was_on, const char *state);
void speech_repeat(struct app *app);
void speech_volume_step(struct app *app, int delta);

/* The words SCREEN says on arrival in the app's current state, into OUT
 * ("" when it has none). */
void speech_announcement(struct app *app, int screen, char *out, size_t len, tone_t *tone);
/* The message SCREEN says on arrival, "speak:<name>" (app/speech_screens.c),
 * or NULL for none. */
const char *speech_screen_msgid(int screen);
/* The headphone jack changed (APP_EV_JACK; STATE a jack_state_t). */
void speech_jack(struct app *app, int state);
/* What may be said through this kiosk's output now (loudspeaker/headphones:
 * [voice] output, or with auto the jack's last state). */
speak_out_t speech_output(const struct app *app);
speak_lang_t speech_lang(const struct app *app);
/* The spoken label of widget ID in the current frame: its text, or the
 * texts of its parts ("ID.title", "ID.sub", ...) joined. "" if none. */
void speech_label(const struct app *app, const char *id, char *out, size_t len);

/* The header's 语音 button, laid out leftwards from *RIGHT (updated to its
 * left edge), and the actions of the voice controls (true when ID was
 * one: "hdr.voice", "hdr.repeat"; the keypad's repeat key). */
void speech_header(struct app *app, ui_frame_t *f, int y, int h, int *right);
bool speech_action(struct app *app, const char *id);

/* The voice itself (tests read its log), or NULL when disabled. */
voice_t *speech_voice(const struct app *app);

#endif
