/* Voice figures for `make bench`: milliseconds from a request (a screen's
 * announcement or a tap's label, voice_say on the UI thread) to its first
 * samples handed to the audio device, on SDL's dummy audio driver. Half the
 * requests cut off one still being spoken, as a resident tapping on does.
 * Prints:
 *   voice_first_sample_ms p50 X p99 Y max Z n N
 *   voice_say_call_us p50 X p99 Y max Z         (time voice_say holds the UI thread) */
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "voice/voice.h"

#define RUNS 60

static const struct {
    const char *locale, *text;
} lines[] = {
    {"zh_CN", "请选择缴费项目：水费、电费、燃气费或暖气费"},
    {"zh_CN", "缴费成功，共缴纳九百一十四元七角七分"},
    {"en", "Pay bills. Choose water, electricity, gas or heating."},
    {"zh_CN", "首页。请选择要办理的业务"},
    {"en", "Payment complete: nine hundred and fourteen yuan and seventy-seven fen"},
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, int p)
{
    int i = (n * p + 99) / 100 - 1;
    return v[i < 0 ? 0 : i];
}

int main(void)
{
    setenv("SDL_AUDIODRIVER", "dummy", 0);
    voice_opts_t o = {.volume = 7, .rate_wpm = 175};
    voice_t *v = voice_open(&o);
    if (!v || voice_state(v) != VOICE_OK) {
        fprintf(stderr, "bench_voice: no speech engine or audio device\n");
        return 1;
    }
    static double first[RUNS], call[RUNS];
    int n = 0;
    for (int i = 0; i < RUNS; i++) {
        int k = i % (int)(sizeof lines / sizeof lines[0]);
        if (i % 2 == 0)
            SDL_Delay(20);          /* the previous one still speaking: cut it */
        else
            while (!voice_idle(v))
                SDL_Delay(1);
        double t0 = now_ms();
        voice_say(v, i % 3 ? TONE_NONE : TONE_CLICK, lines[k].locale, lines[k].text);
        call[i] = (now_ms() - t0) * 1000.0;
        double ms = -1;
        for (int w = 0; w < 2000 && (ms = voice_last_first_ms(v)) < 0; w++)
            SDL_Delay(1);
        if (ms >= 0)
            first[n++] = ms;
    }
    voice_close(v);
    if (n == 0) {
        fprintf(stderr, "bench_voice: no samples ever reached the device\n");
        return 1;
    }
    qsort(first, (size_t)n, sizeof first[0], cmp);
    qsort(call, RUNS, sizeof call[0], cmp);
    printf("voice_first_sample_ms p50 %.1f p99 %.1f max %.1f n %d\n", pct(first, n, 50),
           pct(first, n, 99), first[n - 1], n);
    printf("voice_say_call_us p50 %.0f p99 %.0f max %.0f\n", pct(call, RUNS, 50), pct(call, RUNS, 99),
           call[RUNS - 1]);
    return 0;
}
