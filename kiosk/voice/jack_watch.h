/* The headphone jack watched on a worker (drivers/jack/jack.h), its
 * changes posted to the UI thread.
 *
 * Owns: the "jack" worker, the open jack and an eventfd that wakes the
 * worker out of its wait when it is stopped.
 *
 * Events: each change of state is an SDL user event of the given type
 * with user.code the new jack_state_t (JACK_IN, JACK_OUT, or JACK_UNKNOWN
 * when the device failed or went away) and no payload. No event is posted
 * for the starting state JACK_UNKNOWN, so a kiosk without a jack hears
 * nothing from here.
 *
 * The worker opens the jack itself (a scan of the sound cards and input
 * devices never runs on the UI thread); a jack that cannot be opened, or
 * fails, is tried again every JACK_WATCH_RETRY_MS, and said once in the log.
 * A change the SDL event queue refused (full) is posted again until taken:
 * an unplug that never reached the UI would leave the headphone rule on.
 *
 * Threads: jack_watch_start and jack_watch_stop are for the owning (UI)
 * thread. Errors: jack_watch_start returns NULL only without memory or a
 * thread; nothing here ends the kiosk. */
#ifndef KIOSK_VOICE_JACK_WATCH_H
#define KIOSK_VOICE_JACK_WATCH_H

#include <SDL.h>

#include "jack/jack_codec.h"

#define JACK_WATCH_RETRY_MS 10000
#define JACK_WATCH_REPOST_MS 200    /* a change the full event queue refused, posted again */

typedef struct jack_watch jack_watch_t;

/* Watches SPEC ("auto", "alsa:hw:0", "evdev:/dev/input/event7"; jack.h)
 * and posts EV_TYPE events. */
jack_watch_t *jack_watch_start(const char *spec, Uint32 ev_type);
/* Stops the worker at once and frees W. Safe on NULL. */
void jack_watch_stop(jack_watch_t *w);

#endif
