/* The headphone jack, watched through either of Linux's two reports
 * (jack_codec.h): an ALSA card's "Headphone Jack" control (libasound's
 * snd_ctl API, events by snd_ctl_subscribe_events) or an input device's
 * SW_HEADPHONE_INSERT switch (evdev: EVIOCGSW for the state, EV_SW events
 * after).
 *
 * Owns: one open source (a control handle or an evdev descriptor).
 * Device specs:
 *   "auto"                    the first ALSA card with a headphone jack
 *                             control, else the first /dev/input/event*
 *                             with the switch. ALSA first: its controls are
 *                             readable by the audio group, input devices
 *                             only by root and the input group (the
 *                             package puts the kiosk user in both).
 *   "alsa:hw:0" / "alsa:0"    that card's control(s)
 *   "evdev:/dev/input/event7" that input device (a FIFO is taken too: a
 *                             fake device for tests and demos, read
 *                             without EVIOCGSW, its state unknown until
 *                             the first event)
 *
 * alsa-lib's own messages on stderr are turned off (snd_lib_error_set_handler,
 * process-wide, at the first jack_open): its errors come back in ERR.
 *
 * Threads: blocking calls bounded by a timeout, for a worker thread; one
 * jack_t belongs to one thread. Errors: jack_open returns NULL with the
 * reason in ERR ("alsa:hw:3: no such card", "no headphone jack found:
 * no ALSA card has a Headphone Jack control and no input device has the
 * SW_HEADPHONE_INSERT switch"); jack_wait returns -1 when the device went
 * away (close it, open again later). */
#ifndef DRV_JACK_H
#define DRV_JACK_H

#include "jack/jack_codec.h"

typedef struct jack jack_t;

/* Opens SPEC (above) and reads its state. NULL with ERR on failure. */
jack_t *jack_open(const char *spec, char *err, int errlen);
/* The state as of the last jack_open/jack_wait. */
jack_state_t jack_state(const jack_t *j);
/* What was opened: "alsa:hw:0 (Headphone Jack)", "evdev:/dev/input/event7". */
const char *jack_name(const jack_t *j);
/* Waits up to TIMEOUT_MS (< 0: forever) for the state to change, or for
 * STOP_FD (>= 0) to become readable. 1: the state changed (jack_state);
 * 0: time ran out, or STOP_FD is readable; -1: the device failed (ERR). */
int jack_wait(jack_t *j, int stop_fd, int timeout_ms, char *err, int errlen);
/* Closes J; safe on NULL. */
void jack_close(jack_t *j);

#endif
