/* libFuzzer target for the kiosk's side of a fleet update
 * (kiosk/telemetry/selfupdate.c, common/debver.c): the input is, by its
 * first byte, the update command's arguments (selfupdate_parse_args), the
 * root updater's result file (selfupdate_result_parse), or a version
 * (debver_ok). Built and run by `make fuzz` and tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - the parsers return 0 or -1; on -1 the error is a non-empty string;
 *   - an accepted version passes debver_ok, and debver_ok accepts only 1-32
 *     of [0-9A-Za-z.+~-] starting with a digit, not ending with '-' (what
 *     the updater passes to apt and its shell pattern);
 *   - an accepted result has an outcome from the fixed list, a version
 *     passing debver_ok and a command id >= 1. */
#include "telemetry/selfupdate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static void check_version(const char *v)
{
    size_t n = strlen(v);
    CHECK(n >= 1 && n <= DEBVER_MAX, "length %zu", n);
    CHECK(v[0] >= '0' && v[0] <= '9' && v[n - 1] != '-', "%s", v);
    for (size_t i = 0; i < n; i++)
        CHECK(strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-", v[i]) && v[i],
              "character %d", v[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *text = malloc(size);
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    char err[200] = "", version[DEBVER_MAX + 1] = "";
    switch (data[0] % 3) {
    case 0: {
        int rc = selfupdate_parse_args(text, version, err, sizeof err);
        CHECK(rc == 0 || rc == -1, "rc %d", rc);
        if (rc == 0) check_version(version);
        else CHECK(err[0], "no error text");
        break;
    }
    case 1: {
        selfupdate_result_t r;
        memset(&r, 0x5a, sizeof r);
        int rc = selfupdate_result_parse(text, &r, err, sizeof err);
        CHECK(rc == 0 || rc == -1, "rc %d", rc);
        if (rc == 0) {
            CHECK(!strcmp(r.outcome, "updated") || !strcmp(r.outcome, "rolled_back") ||
                  !strcmp(r.outcome, "failed") || !strcmp(r.outcome, "current"), "outcome");
            check_version(r.version);
            CHECK(r.command >= 1, "command %lld", r.command);
        } else {
            CHECK(err[0], "no error text");
        }
        break;
    }
    default:
        if (debver_ok(text)) check_version(text);
        break;
    }
    free(text);
    return 0;
}
