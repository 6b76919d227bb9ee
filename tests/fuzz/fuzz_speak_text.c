/* libFuzzer target for the spoken-words layer (voice/speak_text.c): the
 * input's first bytes pick the numbers, the rest is a code or a personal
 * value. Built and run by `make fuzz` and tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts):
 *   - every writer returns 0 or -1 and leaves a NUL-terminated string that
 *     fits its buffer, also when the buffer is tiny;
 *   - a result is a prefix of the same call's result in a big buffer (a
 *     short buffer cuts, never garbles);
 *   - screen text never comes out with a '*' (a masked value as shown);
 *   - the loudspeaker never hears a name, nor more than four of a
 *     number's characters: speak_personal's loudspeaker result holds no
 *     run of five spoken digits and is "" for names. */
#include "voice/speak_text.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"

#define BIG 4096

static long long take(const uint8_t **d, size_t *n)
{
    uint64_t v = 0;
    for (int i = 0; i < 8 && *n; i++, (*d)++, (*n)--)
        v = v << 8 | **d;
    return (long long)v;
}

/* Calls the writer selected by WHICH into a buffer of LEN bytes. */
static int call(int which, speak_lang_t lang, long long a, const char *s, char *out, size_t len)
{
    switch (which) {
    case 0: return speak_number(lang, a % 100000000000000000LL, out, len);
    case 1: return speak_count(lang, a % 100000000000000000LL, out, len);
    case 2: return speak_amount(lang, a % 100000000000000000LL, out, len);
    case 3: return speak_date(lang, (int)(a % 15), (int)(a / 15 % 34), (int)(a / 510 % 9) - 1, out, len);
    case 4: return speak_time(lang, (int)(a % 26) - 1, (int)(a / 26 % 62) - 1, out, len);
    case 5: return speak_duration(lang, a % 100000000000000000LL, out, len);
    case 6: return speak_digits(lang, s, out, len);
    case 7: return speak_tail(lang, s, out, len);
    case 8: return speak_screen_text(lang, s, out, len);
    default: return speak_personal(lang, (speak_out_t)(a & 1), (speak_personal_t)(a >> 1 & 3), s, out, len);
    }
}

/* Spoken digit words in a row: the loudspeaker may say at most four. */
static int longest_digit_run(const char *s)
{
    static const char *const words[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九",
                                        "zero", "one", "two", "three", "four", "five", "six",
                                        "seven", "eight", "nine"};
    int run = 0, best = 0;
    while (*s) {
        size_t hit = 0;
        for (size_t w = 0; w < sizeof words / sizeof words[0] && !hit; w++)
            if (!strncmp(s, words[w], strlen(words[w])))
                hit = strlen(words[w]);
        if (hit) {
            run++;
            best = run > best ? run : best;
            s += hit;
        } else if (*s == ' ') {
            s++;
        } else {
            run = 0;
            s++;
        }
    }
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int which = data[0] % 10;
    speak_lang_t lang = (speak_lang_t)((data[0] >> 6) % 3);   /* ZH, EN, KO */
    size_t small = data[1] % 40;
    data += 2;
    size -= 2;
    long long a = take(&data, &size);
    if (a < 0 && which != 0 && which != 1 && which != 2)
        a = -(a + 1);
    char s[512];
    size_t sl = size < sizeof s - 1 ? size : sizeof s - 1;
    memcpy(s, data, sl);
    s[sl] = '\0';

    static char big[BIG], cut[64];
    int rc = call(which, lang, a, s, big, sizeof big);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    CHECK(memchr(big, '\0', sizeof big), "no NUL");
    memset(cut, 'x', sizeof cut);
    int rc2 = call(which, lang, a, s, cut, small);
    CHECK(rc2 == 0 || rc2 == -1, "rc %d", rc2);
    if (small) {
        CHECK(memchr(cut, '\0', small), "no NUL in %zu bytes", small);
        CHECK(!strncmp(big, cut, strlen(cut)), "cut \"%s\" not a prefix of \"%s\"", cut, big);
        if (rc == 0 && rc2 == 0)
            CHECK(!strcmp(big, cut), "\"%s\" vs \"%s\"", cut, big);
    }
    for (size_t i = small; i < sizeof cut; i++)
        CHECK(cut[i] == 'x', "write past %zu bytes", small);

    if (which == 8 && rc == 0)
        CHECK(!strchr(big, '*'), "a masked value read as shown: \"%s\"", big);
    if (which == 9 && rc == 0 && (a & 1) == SPEAK_LOUDSPEAKER) {
        speak_personal_t kind = (speak_personal_t)(a >> 1 & 3);
        if (kind == SPEAK_NAME)
            CHECK(big[0] == '\0', "name spoken aloud: \"%s\"", big);
        CHECK(longest_digit_run(big) <= 4, "loudspeaker said \"%s\"", big);
    }
    return 0;
}
