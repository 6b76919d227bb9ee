/* Tones as notes: a table per tone, rendered with a short fade at each
 * note's ends so no note starts or stops with a click of its own. */
#include "voice/tones.h"

#include <math.h>

typedef struct {
    float hz;        /* 0: a rest */
    int ms;
    float level;     /* 0..1 of full scale */
} note_t;

#define NOTES_MAX 16

typedef struct {
    const char *name;
    note_t notes[NOTES_MAX];
} tone_shape_t;

/* Levels stay below full scale: the volume setting scales them again. */
static const tone_shape_t shapes[TONE_COUNT] = {
    [TONE_NONE] = {"", {{0, 0, 0}}},
    [TONE_CLICK] = {"click", {{1800, 18, 0.35f}}},
    [TONE_SUCCESS] = {"success", {{1047, 110, 0.45f}, {1319, 110, 0.45f}, {1568, 220, 0.45f}}},
    [TONE_ERROR] = {"error", {{330, 180, 0.5f}, {0, 60, 0}, {247, 320, 0.5f}}},
    [TONE_TAKE] = {"take", {{880, 140, 0.5f}, {0, 110, 0}, {880, 140, 0.5f}, {0, 150, 0}}},
    /* A siren distinct from every other tone: eight alternations of a
     * falling pair, as Chinese civil-defence warnings alternate. */
    [TONE_ALERT] = {"alert", {{960, 300, 0.6f}, {770, 300, 0.6f}, {960, 300, 0.6f}, {770, 300, 0.6f},
                              {960, 300, 0.6f}, {770, 300, 0.6f}, {960, 300, 0.6f}, {770, 300, 0.6f}}},
};

#define FADE_MS 5

static size_t note_samples(const note_t *n, int rate)
{
    return (size_t)n->ms * (size_t)rate / 1000;
}

size_t tone_length(tone_t tone, int rate)
{
    if (tone <= TONE_NONE || tone >= TONE_COUNT || rate < 1000 || rate > 192000)
        return 0;
    size_t total = 0;
    for (int i = 0; i < NOTES_MAX && shapes[tone].notes[i].ms; i++)
        total += note_samples(&shapes[tone].notes[i], rate);
    return total;
}

size_t tone_render(tone_t tone, int rate, int16_t *out, size_t max)
{
    if (!tone_length(tone, rate))
        return 0;
    size_t w = 0;
    size_t fade = (size_t)rate * FADE_MS / 1000;
    for (int i = 0; i < NOTES_MAX && shapes[tone].notes[i].ms; i++) {
        const note_t *n = &shapes[tone].notes[i];
        size_t len = note_samples(n, rate);
        for (size_t s = 0; s < len && w < max; s++, w++) {
            float env = 1.0f;
            if (s < fade)
                env = (float)s / (float)fade;
            else if (len - s < fade)
                env = (float)(len - s) / (float)fade;
            float v = n->hz > 0 ? sinf(2.0f * (float)M_PI * n->hz * (float)s / (float)rate) : 0.0f;
            out[w] = (int16_t)lrintf(v * env * n->level * 32767.0f);
        }
    }
    return w;
}

const char *tone_name(tone_t tone)
{
    if (tone < TONE_NONE || tone >= TONE_COUNT)
        return "";
    return shapes[tone].name;
}
