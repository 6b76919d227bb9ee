/* The voice worker: takes the newest request, plays its tone, speaks its
 * text into the SDL audio queue; a generation number cuts stale work off. */
#include "voice/voice.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/worker.h"
#include "voice/tts.h"

#define TONE_RATE_FALLBACK 22050
#define CHUNK 2048               /* samples scaled per SDL_QueueAudio call */

struct voice {
    worker_t *w;
    SDL_AudioDeviceID dev;       /* 0: none */
    bool audio_inited;           /* we started SDL's audio subsystem */
    int rate;                    /* samples per second */
    bool engine;                 /* espeak-ng started */
    int rate_wpm;
    /* Under the worker's lock: */
    unsigned long gen;           /* bumped by every request and stop */
    bool pending, busy;
    voice_said_t req;            /* the request waiting for the worker */
    int volume;
    unsigned long seq;
    voice_said_t *log;           /* ring of VOICE_LOG_MAX */
    int log_n, log_head;
    double t_req_ms, first_ms;
    unsigned long long samples;  /* handed to the device since open */
    bool first_seen;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

typedef struct {
    voice_t *v;
    unsigned long gen;
} play_t;

/* Hands N samples to the device at the current volume. Non-zero when the
 * request was superseded (the caller stops). The lock is held across the
 * queueing so that a cut (voice_cut: bump, then clear) can never be
 * followed by stale samples. */
static int play(const int16_t *pcm, size_t n, void *arg)
{
    play_t *p = arg;
    voice_t *v = p->v;
    int16_t buf[CHUNK];
    while (n > 0) {
        size_t k = n < CHUNK ? n : CHUNK;
        /* Scaled outside the lock: the UI thread's voice_say never waits
         * for more than one queueing. The volume read without the lock is
         * an int the UI thread writes whole; a step late is harmless. */
        int vol = __atomic_load_n(&v->volume, __ATOMIC_RELAXED);
        for (size_t i = 0; i < k; i++)
            buf[i] = (int16_t)((int)pcm[i] * vol / VOICE_VOLUME_MAX);
        worker_lock(v->w);
        if (p->gen != v->gen || worker_stopping(v->w)) {
            worker_unlock(v->w);
            return 1;
        }
        if (!v->first_seen) {
            v->first_seen = true;
            v->first_ms = now_ms() - v->t_req_ms;
        }
        if (v->dev)
            SDL_QueueAudio(v->dev, buf, (Uint32)(k * sizeof buf[0]));
        v->samples += k;
        worker_unlock(v->w);
        pcm += k;
        n -= k;
    }
    return 0;
}

static void play_tone(voice_t *v, unsigned long gen, tone_t tone)
{
    size_t n = tone_length(tone, v->rate);
    if (!n)
        return;
    int16_t *pcm = malloc(n * sizeof *pcm);
    if (!pcm)
        return;
    tone_render(tone, v->rate, pcm, n);
    play_t p = {v, gen};
    play(pcm, n, &p);
    free(pcm);
}

static void voice_job(worker_t *w, void *arg)
{
    voice_t *v = arg;
    voice_said_t *req = malloc(sizeof *req);
    if (!req)
        return;
    while (!worker_stopping(w)) {
        worker_lock(w);
        if (!v->pending) {
            v->busy = false;
            worker_unlock(w);
            worker_wait(w, -1);
            continue;
        }
        *req = v->req;
        unsigned long gen = v->gen;
        v->pending = false;
        v->busy = true;
        worker_unlock(w);
        play_tone(v, gen, req->tone);
        if (req->text[0] && v->engine) {
            play_t p = {v, gen};
            tts_say(req->locale, req->text, v->rate_wpm, play, &p);
        }
        explicit_bzero(req, sizeof *req);     /* words may hold a masked tail */
    }
    free(req);
}

voice_t *voice_open(const voice_opts_t *opts)
{
    voice_t *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->log = calloc(VOICE_LOG_MAX, sizeof *v->log);
    v->w = worker_new("voice");
    if (!v->log || !v->w)
        goto fail;
    v->volume = opts->volume < 0 ? 0 : opts->volume > VOICE_VOLUME_MAX ? VOICE_VOLUME_MAX
                                                                      : opts->volume;
    v->rate_wpm = opts->rate_wpm;
    v->first_ms = -1;
    /* espeak-ng's rate decides the device's; started here, on the owning
     * thread, before the worker exists (tts.h: one thread at a time). */
    int rate = tts_open();
    v->rate = rate > 0 ? rate : TONE_RATE_FALLBACK;
    v->engine = rate > 0;
    if (!opts->no_device) {
        if (!SDL_WasInit(SDL_INIT_AUDIO)) {
            if (SDL_InitSubSystem(SDL_INIT_AUDIO) == 0)
                v->audio_inited = true;
        }
        if (SDL_WasInit(SDL_INIT_AUDIO)) {
            SDL_AudioSpec want = {0}, have;
            want.freq = v->rate;
            want.format = AUDIO_S16SYS;
            want.channels = 1;
            want.samples = 512;       /* ~23 ms: a cut is heard at once */
            v->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
            if (v->dev)
                SDL_PauseAudioDevice(v->dev, 0);
        }
    }
    if (worker_start(v->w, voice_job, v))
        goto fail;
    return v;
fail:
    worker_stop(v->w);
    if (v->dev)
        SDL_CloseAudioDevice(v->dev);
    if (v->audio_inited)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    free(v->log);
    free(v);
    return NULL;
}

void voice_close(voice_t *v)
{
    if (!v)
        return;
    worker_stop(v->w);
    if (v->dev)
        SDL_CloseAudioDevice(v->dev);
    if (v->audio_inited)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    explicit_bzero(v->log, VOICE_LOG_MAX * sizeof *v->log);
    free(v->log);
    free(v);
}

/* Supersedes whatever is playing: the worker's next buffer sees the new
 * generation and stops, and the device's queue is emptied. */
static void voice_cut(voice_t *v)
{
    if (v->dev)
        SDL_ClearQueuedAudio(v->dev);
}

void voice_say(voice_t *v, tone_t tone, const char *locale, const char *text)
{
    if (!v)
        return;
    worker_lock(v->w);
    v->gen++;
    voice_said_t *r = &v->req;
    r->seq = ++v->seq;
    r->tone = tone;
    snprintf(r->locale, sizeof r->locale, "%s", locale ? locale : "");
    snprintf(r->text, sizeof r->text, "%s", text ? text : "");
    v->pending = true;
    v->t_req_ms = now_ms();
    v->first_seen = false;
    v->first_ms = -1;
    int slot = (v->log_head + v->log_n) % VOICE_LOG_MAX;
    if (v->log_n == VOICE_LOG_MAX)
        v->log_head = (v->log_head + 1) % VOICE_LOG_MAX;
    else
        v->log_n++;
    v->log[slot] = *r;
    worker_unlock(v->w);
    voice_cut(v);
    worker_wake(v->w);
}

void voice_tone(voice_t *v, tone_t tone)
{
    voice_say(v, tone, NULL, NULL);
}

void voice_stop(voice_t *v)
{
    if (!v)
        return;
    worker_lock(v->w);
    v->gen++;
    v->pending = false;
    worker_unlock(v->w);
    voice_cut(v);
}

void voice_forget(voice_t *v)
{
    if (!v)
        return;
    worker_lock(v->w);
    explicit_bzero(v->log, VOICE_LOG_MAX * sizeof *v->log);
    explicit_bzero(&v->req, sizeof v->req);
    v->log_n = v->log_head = 0;
    v->pending = false;
    v->gen++;
    worker_unlock(v->w);
    voice_cut(v);
}

void voice_set_volume(voice_t *v, int volume)
{
    if (!v)
        return;
    int vol = volume < 0 ? 0 : volume > VOICE_VOLUME_MAX ? VOICE_VOLUME_MAX : volume;
    __atomic_store_n(&v->volume, vol, __ATOMIC_RELAXED);
}

int voice_volume(const voice_t *v)
{
    return v ? v->volume : 0;
}

voice_state_t voice_state(const voice_t *v)
{
    if (!v || !v->dev)
        return VOICE_NO_DEVICE;
    return v->engine ? VOICE_OK : VOICE_NO_ENGINE;
}

bool voice_idle(voice_t *v)
{
    if (!v)
        return true;
    worker_lock(v->w);
    bool idle = !v->pending && !v->busy;
    worker_unlock(v->w);
    return idle;
}

double voice_last_first_ms(voice_t *v)
{
    if (!v)
        return -1;
    worker_lock(v->w);
    double ms = v->first_ms;
    worker_unlock(v->w);
    return ms;
}

int voice_said(voice_t *v, unsigned long after, voice_said_t *out, int max)
{
    if (!v)
        return 0;
    int n = 0;
    worker_lock(v->w);
    for (int i = 0; i < v->log_n && n < max; i++) {
        const voice_said_t *s = &v->log[(v->log_head + i) % VOICE_LOG_MAX];
        if (s->seq > after)
            out[n++] = *s;
    }
    worker_unlock(v->w);
    return n;
}

unsigned long long voice_samples(voice_t *v)
{
    if (!v)
        return 0;
    worker_lock(v->w);
    unsigned long long n = v->samples;
    worker_unlock(v->w);
    return n;
}

size_t voice_queued_bytes(voice_t *v)
{
    return v && v->dev ? SDL_GetQueuedAudioSize(v->dev) : 0;
}
