/* Text to speech with espeak-ng, as 16-bit mono samples handed to a sink
 * while they are made (the first ~40 ms arrive long before the sentence is
 * done, which is what keeps speech within 150 ms of a tap).
 *
 * Threads: espeak-ng is one global engine. Only one thread at a time may
 * call tts_open, tts_say and tts_voices (the voice worker in the kiosk; the
 * command line tools, which have no worker). tts_open is idempotent; the
 * engine stays up until the process ends (espeak-ng cannot be restarted
 * reliably in one process).
 *
 * Errors: tts_open returns the sample rate, or -1 when espeak-ng or its
 * data is missing; tts_say returns 0 (done), 1 (the sink asked to stop),
 * -1 (no engine, no voice for the locale, or synthesis failed). Nothing is
 * logged here; the caller says what is unavailable. */
#ifndef KIOSK_VOICE_TTS_H
#define KIOSK_VOICE_TTS_H

#include <stddef.h>
#include <stdint.h>

/* Takes N samples at PCM; non-zero stops the synthesis at once. */
typedef int (*tts_sink_fn)(const int16_t *pcm, size_t n, void *arg);

/* Starts espeak-ng (data from Debian's espeak-ng-data). Sample rate or -1. */
int tts_open(void);
/* The espeak-ng voice for a kiosk locale: "zh_CN" -> "cmn", "ko" -> "ko",
 * anything else -> "en". */
const char *tts_voice_of(const char *locale);
/* Speaks TEXT (UTF-8) in LOCALE's voice at RATE words per minute
 * (80..450; espeak's default is 175), feeding SINK. */
int tts_say(const char *locale, const char *text, int rate, tts_sink_fn sink, void *arg);

#endif
