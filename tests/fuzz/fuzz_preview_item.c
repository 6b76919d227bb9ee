/* libFuzzer target for the item a staff console preview draws
 * (kiosk/app/preview_item.c, kiosk --preview): the input, not
 * NUL-terminated, goes to preview_item_parse. Built and run by `make fuzz`
 * and tests/checks/fuzz_smoke.sh; seeds in tests/fuzz/corpus/preview_item.
 *
 * Invariants checked on every input:
 *   - it returns 0 or -1; the error text is NUL-terminated, not empty on
 *     failure, and the output is all zero then (nothing half-filled);
 *   - on success every string is NUL-terminated and valid UTF-8, the kind
 *     is one of the six, the title is not empty, places and left are both
 *     -1 or 0 <= left <= places, the picture is "" or 64 hex digits, and a
 *     draft without "published" is dated at the moment given. */
#include "app/preview_item.h"

#include <stdint.h>
#include <string.h>
#include "fuzz_check.h"
#include "utf8.h"

#define TERM_UTF8(f) CHECK(memchr((f), '\0', sizeof(f)) != NULL && utf8_valid((f), strlen(f)), \
                           "%s not terminated or not UTF-8", #f)

static int zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static preview_item_t p;
    char err[200];
    err[0] = '\x7f';
    int rc = preview_item_parse((const char *)data, size, 1795915800, &p, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc) {
        CHECK(memchr(err, '\0', sizeof err) && err[0], "empty or unterminated error");
        CHECK(zero(&p, sizeof p), "output left after a failure");
        return 0;
    }
    const info_item_t *it = &p.item;
    TERM_UTF8(it->kind); TERM_UTF8(it->category); TERM_UTF8(it->title); TERM_UTF8(it->body);
    TERM_UTF8(it->data); TERM_UTF8(p.locale);
    static const char *const kinds[] = {"notice", "event", "lecture", "library", "guide", "alert"};
    int known = 0;
    for (int i = 0; i < 6; i++) known |= !strcmp(kinds[i], it->kind);
    CHECK(known, "kind %s", it->kind);
    CHECK(it->title[0], "empty title");
    CHECK((it->places == -1 && it->left == -1) || (it->left >= 0 && it->left <= it->places), "places %d left %d",
          it->places, it->left);
    CHECK(!p.image[0] || (strlen(p.image) == 64 && strspn(p.image, "0123456789abcdef") == 64), "image %s", p.image);
    CHECK(it->published >= 0 && it->id >= 1, "published %ld id %lld", (long)it->published, it->id);
    return 0;
}
