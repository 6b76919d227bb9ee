/* The kiosk's tones as generated sample buffers: no sound files to ship,
 * nothing to load. Pure, no SDL, safe from any thread.
 *
 * Owns: the shape of every tone (a key click, a success chime, an error
 * tone, the "take your card / receipt" reminder, the emergency alert).
 * Errors: tone_render writes at most MAX samples and returns how many it
 * wrote; an unknown tone or a bad rate writes none. */
#ifndef KIOSK_VOICE_TONES_H
#define KIOSK_VOICE_TONES_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    TONE_NONE,
    TONE_CLICK,      /* a tapped button or a keypad key: short, quiet */
    TONE_SUCCESS,    /* paid, booked: three rising notes */
    TONE_ERROR,      /* refused, failed: two falling notes */
    TONE_TAKE,       /* before "请取走身份证" / "请取走凭条": two beeps */
    TONE_ALERT,      /* emergency alert on a street kiosk: a two-tone siren */
    TONE_COUNT
} tone_t;

/* Samples TONE lasts at RATE Hz (0 for TONE_NONE or a bad argument). */
size_t tone_length(tone_t tone, int rate);
/* Writes TONE as signed 16-bit mono at RATE Hz into OUT (at most MAX
 * samples, cut if short); returns the samples written. */
size_t tone_render(tone_t tone, int rate, int16_t *out, size_t max);
/* "click", "success", "error", "take", "alert" ("" for TONE_NONE). */
const char *tone_name(tone_t tone);

#endif
