/* Speech into a WAV file (voice/wav.h): samples gathered in memory, then a
 * canonical 44-byte RIFF header and the data, little-endian. */
#include "voice/wav.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "voice/tts.h"

#define WAV_MAX_SAMPLES (22050 * 600)    /* ten minutes: more is a mistake */

typedef struct {
    int16_t *pcm;
    size_t n, cap;
    int oom;
} pcm_buf_t;

static int gather(const int16_t *pcm, size_t n, void *arg)
{
    pcm_buf_t *b = arg;
    if (b->n + n > WAV_MAX_SAMPLES) {
        b->oom = 1;
        return 1;
    }
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->n + n)
            cap *= 2;
        int16_t *p = realloc(b->pcm, cap * sizeof *p);
        if (!p) {
            b->oom = 1;
            return 1;
        }
        b->pcm = p;
        b->cap = cap;
    }
    memcpy(b->pcm + b->n, pcm, n * sizeof *pcm);
    b->n += n;
    return 0;
}

static void le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

int wav_speak(const char *locale, const char *text, int rate_wpm, const char *path,
              size_t *samples, char *err, size_t errlen)
{
    pcm_buf_t b = {0};
    FILE *f = NULL;
    int rate = tts_open();
    if (rate <= 0) {
        snprintf(err, errlen, "no speech engine (install espeak-ng-data)");
        goto fail;
    }
    if (tts_say(locale, text, rate_wpm, gather, &b) != 0 || b.oom) {
        snprintf(err, errlen, b.oom ? "speech too long or out of memory"
                                    : "the %s voice cannot speak this text", tts_voice_of(locale));
        goto fail;
    }
    unsigned char h[44];
    uint32_t bytes = (uint32_t)(b.n * 2);
    memcpy(h, "RIFF", 4);
    le32(h + 4, 36 + bytes);
    memcpy(h + 8, "WAVEfmt ", 8);
    le32(h + 16, 16);
    le16(h + 20, 1);                        /* PCM */
    le16(h + 22, 1);                        /* mono */
    le32(h + 24, (uint32_t)rate);
    le32(h + 28, (uint32_t)rate * 2);
    le16(h + 32, 2);
    le16(h + 34, 16);
    memcpy(h + 36, "data", 4);
    le32(h + 40, bytes);
    f = fopen(path, "wb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    int bad = fwrite(h, sizeof h, 1, f) != 1;
    for (size_t i = 0; i < b.n && !bad; i++) {
        unsigned char s[2];
        le16(s, (uint16_t)b.pcm[i]);
        bad = fwrite(s, 2, 1, f) != 1;
    }
    if (fclose(f) != 0 || bad) {
        f = NULL;
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
        unlink(path);
        goto fail;
    }
    if (samples)
        *samples = b.n;
    free(b.pcm);
    return 0;
fail:
    if (f)
        fclose(f);
    free(b.pcm);
    return -1;
}
