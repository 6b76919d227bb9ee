/* libFuzzer target for the .mo catalogue reader (core/i18n.c): the input is
 * a .mo image, loaded with i18n_load_mo. Built and run by `make fuzz` and
 * tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - a rejected image leaves no locale loaded; an accepted one is the only,
 *     current locale;
 *   - every translation returned is a non-empty NUL-terminated string inside
 *     the loaded image, and it is the one a plain linear scan of the image's
 *     tables finds for that msgid (or the msgid itself when the scan finds
 *     none); the msgids looked up are a few fixed ones plus every
 *     NUL-separated piece of the input, so real msgids are hit;
 *   - i18n_free releases everything (LeakSanitizer). */
#include "core/i18n.h"
#include "core/log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define MAX_PIECES 64       /* NUL-separated pieces of the input looked up */

static uint32_t rd32(const unsigned char *p, int little)
{
    if (little)
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
               (uint32_t)p[3] << 24;
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
           (uint32_t)p[0] << 24;
}

/* Does the accepted image D translate MSGID to STR? (STR == MSGID: does it
 * have no usable entry for MSGID?) A linear scan, independent of the
 * reader's sorted index. */
static int reference_agrees(const unsigned char *d, size_t size, const char *msgid,
                            const char *str)
{
    int little = rd32(d, 1) == 0x950412deu;
    uint32_t n = rd32(d + 8, little), orig = rd32(d + 12, little),
             trans = rd32(d + 16, little);
    int found = 0;
    for (uint32_t i = 0; i < n; i++) {
        const unsigned char *oe = d + orig + (size_t)i * 8, *te = d + trans + (size_t)i * 8;
        uint32_t id_len = rd32(oe, little);
        const char *id = (const char *)d + rd32(oe + 4, little);
        const char *tr = (const char *)d + rd32(te + 4, little);
        if (id[0] == '\0' || memchr(id, '\x04', id_len) || tr[0] == '\0' ||
            strcmp(id, msgid) != 0)
            continue;
        if (tr == str)
            return 1;       /* one of possibly several entries for MSGID */
        found = 1;
    }
    (void)size;
    return !found && str == msgid;
}

static void check_lookup(const unsigned char *d, size_t size, const char *msgid)
{
    const char *s = i18n_get_in("fz", msgid);
    CHECK(s == i18n_get(msgid), "i18n_get and i18n_get_in differ");
    if (s != msgid) {
        const char *lo = (const char *)d, *hi = lo + size;
        CHECK(s >= lo && s < hi, "translation outside the loaded image");
        CHECK(memchr(s, '\0', (size_t)(hi - s)) != NULL,
              "translation not NUL-terminated inside the image");
        CHECK(s[0] != '\0', "empty translation returned");
    }
    CHECK(reference_agrees(d, size, msgid, s),
          "lookup of \"%s\" disagrees with a linear scan", msgid);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_QUIET);   /* no "not loaded" lines */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {
        "", "@language-name", "Pay", "Hello", "a", "\x04", "Welcome",
    };
    unsigned char *image = malloc(size ? size : 1);
    CHECK(image != NULL, "out of memory");
    memcpy(image, data, size);

    if (i18n_load_mo("fz", image, size) != 0) {     /* image already freed */
        CHECK(i18n_count() == 0 && i18n_current() == NULL,
              "a rejected image left a locale loaded");
        return 0;
    }
    CHECK(i18n_count() == 1 && i18n_find("fz") == 0, "count %d", i18n_count());
    CHECK(i18n_current() && strcmp(i18n_current(), "fz") == 0, "current locale");

    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        check_lookup(image, size, fixed[i]);

    /* Every NUL-separated piece of the input, from a private copy so a
     * msgid never aliases the image. */
    char *text = malloc(size + 1);
    CHECK(text != NULL, "out of memory");
    memcpy(text, data, size);
    text[size] = '\0';
    size_t at = 0;
    for (int pieces = 0; at <= size && pieces < MAX_PIECES; pieces++) {
        check_lookup(image, size, text + at);
        at += strlen(text + at) + 1;
    }
    free(text);

    i18n_free();
    CHECK(i18n_count() == 0 && i18n_current() == NULL, "i18n_free left locales");
    return 0;
}
