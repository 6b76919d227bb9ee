/* libFuzzer target: the resident code's payload (common/rescode.c), which
 * the hub reads from any device and the scanner from any QR code.
 * Invariants: a payload is accepted only in its exact shape, and what was
 * accepted formats back to the same bytes; a refusal zeroes the fields
 * and names a reason starting "resident code". */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "rescode.h"
#include "fuzz_check.h"

static int zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rescode_t r;
    const char *why = NULL;
    if (rescode_parse((const char *)data, size, &r, &why) != 0) {
        CHECK(why && !strncmp(why, "resident code", 13), "reason %s", why ? why : "(none)");
        CHECK(zero(&r, sizeof r), "fields left after a refusal");
        return 0;
    }
    CHECK(size <= RESCODE_MAX, "accepted %zu bytes", size);
    char out[RESCODE_MAX + 1], part[RESCODE_MAX + 1];
    int n = rescode_format(&r, out, sizeof out);
    CHECK(n == (int)size && !memcmp(out, data, size), "does not format back");
    int m = rescode_signed(&r, part, sizeof part);
    CHECK(m == n - RESCODE_MAC_HEX - 1 && !memcmp(part, data, (size_t)m), "signed part");
    CHECK(r.issued < r.expires && rescode_resident_id(r.resident) > 0, "fields");
    CHECK(strlen(r.code) == RESCODE_CODE_LEN && strspn(r.code, RESCODE_ALPHABET) == RESCODE_CODE_LEN, "code");
    return 0;
}
