/* espeak-ng in synchronous mode: espeak_Synth returns when the text is
 * spoken, calling back with each buffer on the calling thread. */
#include "voice/tts.h"

#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <string.h>

static int engine_rate;          /* 0: not started; -1: failed to start */
static char voice_now[16];       /* the voice espeak is set to */

typedef struct {
    tts_sink_fn sink;
    void *arg;
    int stopped;
} tts_call_t;

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    tts_call_t *c = events ? events->user_data : NULL;
    if (!c || !wav || n <= 0)
        return c ? c->stopped : 0;
    if (c->sink((const int16_t *)wav, (size_t)n, c->arg))
        c->stopped = 1;
    return c->stopped;
}

int tts_open(void)
{
    if (engine_rate)
        return engine_rate;
    /* 40 ms buffers: the first samples reach the sink early. DONT_EXIT:
     * missing data must not end the kiosk. */
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 40, NULL, espeakINITIALIZE_DONT_EXIT);
    engine_rate = rate > 0 ? rate : -1;
    if (engine_rate > 0)
        espeak_SetSynthCallback(on_samples);
    return engine_rate;
}

const char *tts_voice_of(const char *locale)
{
    if (locale && !strncmp(locale, "zh", 2))
        return "cmn";
    if (locale && !strncmp(locale, "ko", 2))
        return "ko";
    return "en";
}

int tts_say(const char *locale, const char *text, int rate, tts_sink_fn sink, void *arg)
{
    if (engine_rate <= 0 || !text || !sink)
        return -1;
    const char *voice = tts_voice_of(locale);
    if (strcmp(voice, voice_now)) {
        if (espeak_SetVoiceByName(voice) != EE_OK)
            return -1;
        snprintf(voice_now, sizeof voice_now, "%s", voice);
    }
    if (rate < 80)
        rate = 80;
    if (rate > 450)
        rate = 450;
    espeak_SetParameter(espeakRATE, rate, 0);
    tts_call_t c = {sink, arg, 0};
    espeak_ERROR rc = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                   espeakCHARS_UTF8, NULL, &c);
    if (c.stopped)
        return 1;
    return rc == EE_OK ? 0 : -1;
}
