/* Speech into a WAV file: `kiosk --speak TEXT --out FILE.wav` renders words
 * through the kiosk's own synthesis (voice/tts.h) for reviewers and
 * translators, without an audio device.
 *
 * Threads: calls espeak-ng on the calling thread, so never while a voice
 * (voice/voice.h) runs in the same process. Errors: 0, or -1 with one line
 * in ERR (no speech engine, out of memory, the file cannot be written; a
 * half-written file is removed). */
#ifndef KIOSK_VOICE_WAV_H
#define KIOSK_VOICE_WAV_H

#include <stddef.h>

/* Speaks TEXT in LOCALE's voice at RATE_WPM into PATH (16-bit mono PCM at
 * the engine's rate). *SAMPLES (may be NULL) gets the number of samples. */
int wav_speak(const char *locale, const char *text, int rate_wpm, const char *path,
              size_t *samples, char *err, size_t errlen);

#endif
