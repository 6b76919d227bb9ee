/* voice/tones.c, voice/tts.c and voice/voice.c: generated tones, speech
 * synthesised on the worker into SDL audio (dummy and disk drivers), a new
 * request cutting the old one off, the volume, the log of what was said. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "voice/tones.h"
#include "voice/tts.h"
#include "voice/voice.h"

static const char long_zh[] =
    "请选择缴费项目：水费、电费、燃气费或暖气费。请选择缴费项目：水费、电费、燃气费或暖气费。"
    "请选择缴费项目：水费、电费、燃气费或暖气费。请选择缴费项目：水费、电费、燃气费或暖气费。";

/* Waits up to MS for the worker to finish what it was given. */
static void wait_idle(voice_t *v, int ms)
{
    for (int i = 0; i < ms / 5 && !voice_idle(v); i++)
        SDL_Delay(5);
    assert_true(voice_idle(v));
}

static void tones_have_their_shapes(void **state)
{
    int16_t buf[22050 * 5];
    size_t lens[TONE_COUNT];
    for (int t = TONE_CLICK; t < TONE_COUNT; t++) {
        lens[t] = tone_length((tone_t)t, 22050);
        assert_true(lens[t] > 0);
        assert_int_equal(tone_render((tone_t)t, 22050, buf, sizeof buf / sizeof buf[0]), lens[t]);
        int peak = 0;
        for (size_t i = 0; i < lens[t]; i++)
            peak = abs(buf[i]) > peak ? abs(buf[i]) : peak;
        assert_true(peak > 3000);          /* audible */
        assert_true(peak < 32767);         /* never clips */
        assert_true(abs(buf[0]) < 200);    /* fades in: no click of its own */
        assert_true(abs(buf[lens[t] - 1]) < 2000);
        assert_true(tone_name((tone_t)t)[0]);
    }
    /* A click is short, the alert long and unmistakable. */
    assert_true(lens[TONE_CLICK] < 22050 / 20);
    assert_true(lens[TONE_ALERT] > 22050 * 2);
    assert_int_equal(tone_length(TONE_NONE, 22050), 0);
    assert_int_equal(tone_length(TONE_CLICK, 10), 0);
    assert_int_equal(tone_render(TONE_SUCCESS, 22050, buf, 100), 100);
}

static int count_sink(const int16_t *pcm, size_t n, void *arg)
{
    *(size_t *)arg += n;
    return 0;
}

static int stop_sink(const int16_t *pcm, size_t n, void *arg)
{
    *(size_t *)arg += n;
    return 1;
}

static void engine_speaks_both_languages(void **state)
{
    int rate = tts_open();
    assert_true(rate > 8000);
    assert_string_equal(tts_voice_of("zh_CN"), "cmn");
    assert_string_equal(tts_voice_of("en"), "en");
    assert_string_equal(tts_voice_of("ko"), "ko");
    size_t zh = 0, en = 0, cut = 0;
    assert_int_equal(tts_say("zh_CN", "缴费成功，共缴纳九百一十四元七角七分", 175, count_sink, &zh), 0);
    assert_int_equal(tts_say("en", "Payment complete", 175, count_sink, &en), 0);
    assert_true(zh > (size_t)rate);        /* over a second of speech */
    assert_true(en > (size_t)rate / 2);
    /* A sink that says stop stops it after the first buffer. */
    assert_int_equal(tts_say("zh_CN", long_zh, 175, stop_sink, &cut), 1);
    assert_true(cut > 0 && cut < (size_t)rate / 5);
}

static void speaks_on_the_dummy_driver(void **state)
{
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    voice_opts_t o = {.volume = 7, .rate_wpm = 175};
    voice_t *v = voice_open(&o);
    assert_non_null(v);
    assert_int_equal(voice_state(v), VOICE_OK);
    assert_true(voice_last_first_ms(v) < 0);
    voice_say(v, TONE_NONE, "zh_CN", "请选择缴费项目");
    wait_idle(v, 5000);
    double first = voice_last_first_ms(v);
    assert_true(first >= 0 && first < 1000);
    assert_true(voice_samples(v) > 0);
    voice_said_t said[4];
    assert_int_equal(voice_said(v, 0, said, 4), 1);
    assert_string_equal(said[0].text, "请选择缴费项目");
    assert_string_equal(said[0].locale, "zh_CN");
    assert_int_equal(said[0].seq, 1);
    voice_tone(v, TONE_SUCCESS);
    wait_idle(v, 2000);
    assert_int_equal(voice_said(v, 1, said, 4), 1);
    assert_int_equal(said[0].tone, TONE_SUCCESS);
    assert_string_equal(said[0].text, "");
    voice_close(v);
}

static void new_request_cuts_the_old(void **state)
{
    setenv("SDL_AUDIODRIVER", "dummy", 1);
    voice_opts_t o = {.volume = 7, .rate_wpm = 175};
    voice_t *v = voice_open(&o);
    assert_non_null(v);
    voice_say(v, TONE_NONE, "zh_CN", long_zh);
    wait_idle(v, 10000);
    /* Seconds of speech wait in the device's queue ... */
    size_t queued = voice_queued_bytes(v);
    assert_true(queued > 22050 * 2 * 2);
    unsigned long long whole = voice_samples(v);
    /* ... and a stop empties it at once. */
    voice_stop(v);
    assert_int_equal(voice_queued_bytes(v), 0);
    /* A new utterance in the middle of a long one: the long one stops at
     * its next buffer, far short of its length. */
    unsigned long long before = voice_samples(v);
    voice_say(v, TONE_NONE, "zh_CN", long_zh);
    SDL_Delay(1);
    voice_say(v, TONE_NONE, "en", "Home");
    wait_idle(v, 10000);
    unsigned long long both = voice_samples(v) - before;
    assert_true(both < whole);
    assert_true(voice_queued_bytes(v) < queued);
    voice_said_t said[4];
    assert_int_equal(voice_said(v, 0, said, 4), 3);
    assert_string_equal(said[2].text, "Home");
    voice_close(v);
}

static void volume_scales_and_clamps(void **state)
{
    voice_opts_t o = {.volume = 99, .rate_wpm = 175, .no_device = true};
    voice_t *v = voice_open(&o);
    assert_non_null(v);
    assert_int_equal(voice_volume(v), VOICE_VOLUME_MAX);
    assert_int_equal(voice_state(v), VOICE_NO_DEVICE);
    voice_set_volume(v, -3);
    assert_int_equal(voice_volume(v), 0);
    voice_set_volume(v, 4);
    assert_int_equal(voice_volume(v), 4);
    /* No device: still synthesised and logged (the tests' capture). */
    voice_say(v, TONE_CLICK, "en", "Pay bills");
    wait_idle(v, 5000);
    assert_true(voice_samples(v) > tone_length(TONE_CLICK, 22050));
    /* The session's end wipes the log; numbering goes on. */
    voice_forget(v);
    voice_said_t said[2];
    assert_int_equal(voice_said(v, 0, said, 2), 0);
    voice_say(v, TONE_NONE, "en", "Home");
    assert_int_equal(voice_said(v, 0, said, 2), 1);
    assert_int_equal(said[0].seq, 2);
    wait_idle(v, 5000);
    voice_close(v);
    voice_close(NULL);
    voice_say(NULL, TONE_CLICK, "en", "x");
    assert_true(voice_idle(NULL));
}

/* SDL's disk driver writes what is played to a file: the samples heard,
 * at the volume set. */
static void disk_driver_hears_the_voice(void **state)
{
    char path[] = "/tmp/test_voice_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", path, 1);
    setenv("SDL_DISKAUDIODELAY", "0", 1);
    voice_opts_t o = {.volume = 10, .rate_wpm = 175};
    voice_t *v = voice_open(&o);
    assert_non_null(v);
    assert_int_equal(voice_state(v), VOICE_OK);
    voice_say(v, TONE_SUCCESS, "zh_CN", "缴费成功");
    wait_idle(v, 5000);
    for (int i = 0; i < 200 && voice_queued_bytes(v) > 0; i++)
        SDL_Delay(10);
    voice_close(v);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    int16_t s;
    int loud = 0;
    while (fread(&s, sizeof s, 1, f) == 1)
        loud += abs(s) > 3000;
    fclose(f);
    unlink(path);
    assert_true(loud > 1000);
    unsetenv("SDL_DISKAUDIOFILE");
    setenv("SDL_AUDIODRIVER", "dummy", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tones_have_their_shapes),
        cmocka_unit_test(engine_speaks_both_languages),
        cmocka_unit_test(speaks_on_the_dummy_driver),
        cmocka_unit_test(new_request_cuts_the_old),
        cmocka_unit_test(volume_scales_and_clamps),
        cmocka_unit_test(disk_driver_hears_the_voice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
