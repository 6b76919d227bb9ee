/* The kiosk's voice: speech and tones played through SDL audio, made on
 * a worker so the UI thread never waits for them.
 *
 * Owns: the voice worker (the only thread that calls espeak-ng, tts.h),
 * one SDL audio device opened in queue mode (SDL_QueueAudio), the volume,
 * and a log of everything asked to be said (for the tests and for the
 * "repeat" action).
 *
 * Threads: every function is for the UI thread (the owner) except
 * voice_said, voice_idle, voice_last_first_ms, voice_samples and
 * voice_queued_bytes, which any thread may call.
 * voice_say and voice_tone return at once: they hand the request to the
 * worker, and a new request cuts the old one off at once (queued samples
 * cleared, synthesis stopped at its next 40 ms buffer).
 *
 * Audio: SDL's own drivers; SDL_AUDIODRIVER=dummy plays into nothing at
 * real speed (tests), SDL_AUDIODRIVER=disk writes the samples to
 * SDL_DISKAUDIOFILE (tests that listen). With no audio device at all the
 * voice still synthesises and logs (VOICE_NO_DEVICE in voice_state).
 *
 * Errors: voice_open returns NULL only when out of memory or the worker
 * cannot start; a missing speech engine or audio device leaves a voice
 * that logs what it would have said. Nothing here ends the kiosk. */
#ifndef KIOSK_VOICE_VOICE_H
#define KIOSK_VOICE_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "voice/tones.h"

#define VOICE_TEXT_MAX 1024   /* bytes of one utterance, longer is cut */
#define VOICE_LOG_MAX 256     /* utterances kept in the log (oldest dropped) */
#define VOICE_VOLUME_MAX 10

typedef struct voice voice_t;

typedef struct {
    int volume;               /* 0..VOICE_VOLUME_MAX at start */
    int rate_wpm;             /* speaking rate, words per minute (80..450) */
    bool no_device;           /* synthesise and log, but open no audio device */
} voice_opts_t;

/* What was asked of the voice, oldest first. */
typedef struct {
    unsigned long seq;        /* 1, 2, ... for each request */
    tone_t tone;              /* played before the text; TONE_NONE: none */
    char locale[16];
    char text[VOICE_TEXT_MAX];
} voice_said_t;

typedef enum {
    VOICE_OK,                 /* speech engine and audio device up */
    VOICE_NO_DEVICE,          /* no audio device: nothing is heard */
    VOICE_NO_ENGINE,          /* espeak-ng or its data missing: tones only */
} voice_state_t;

/* Opens the audio device and starts the worker. NULL only when out of
 * memory or without a thread. */
voice_t *voice_open(const voice_opts_t *opts);
/* Stops the worker, closes the device, frees V. Safe on NULL. */
void voice_close(voice_t *v);

/* Says TEXT (UTF-8, cut at VOICE_TEXT_MAX) in LOCALE's voice after TONE
 * (TONE_NONE: none), cutting off whatever was playing. TEXT NULL or "":
 * only the tone. Safe on NULL V. */
void voice_say(voice_t *v, tone_t tone, const char *locale, const char *text);
/* Plays TONE alone (a key click, a chime), cutting off what was playing. */
void voice_tone(voice_t *v, tone_t tone);
/* Silence now. */
void voice_stop(voice_t *v);
/* Silence now and wipe the log and the request waiting (session end: with
 * headphones the words may have held a name or a number). seq goes on. */
void voice_forget(voice_t *v);

/* Volume 0..VOICE_VOLUME_MAX (clamped), applied from the next buffer on. */
void voice_set_volume(voice_t *v, int volume);
int voice_volume(const voice_t *v);

voice_state_t voice_state(const voice_t *v);
/* True when nothing is being synthesised or waiting to be (queued samples
 * may still be playing). */
bool voice_idle(voice_t *v);
/* Milliseconds from the last request (voice_say/voice_tone) to its first
 * samples handed to the device; < 0 until they were. */
double voice_last_first_ms(voice_t *v);
/* Samples handed to the audio device since voice_open (what was
 * synthesised and not cut off), and the bytes still queued to play. */
unsigned long long voice_samples(voice_t *v);
size_t voice_queued_bytes(voice_t *v);
/* Copies up to MAX logged requests with seq > AFTER into OUT, oldest first;
 * returns how many. */
int voice_said(voice_t *v, unsigned long after, voice_said_t *out, int max);

#endif
