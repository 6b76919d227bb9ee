/* libFuzzer target for the parsers of the hub's housekeeping answers
 * (services/housekeeping/hub_hk.c): the input, not NUL-terminated, goes to
 * hub_hk_parse_services, hub_hk_parse_slots ("slots" and "alternatives"),
 * hub_hk_parse_booking and hub_hk_parse_bookings. Built and run by
 * `make fuzz` and tests/checks/fuzz_smoke.sh; seeds in
 * tests/fuzz/corpus/hk_parse.
 *
 * Invariants checked on every input:
 *   - each parser returns 0 or -1; on failure the error text is not empty
 *     and the output is all zero;
 *   - on success every string is NUL-terminated, counts are within their
 *     arrays, a slot's places left are within 0..capacity and it ends after
 *     it starts, ratings are within 0..5, a check-in code is 8 characters
 *     of the code alphabet, and names, phones and ID numbers are masked
 *     (hold a '*') or empty: the kiosk never shows them in clear. */
#include "services/housekeeping/hub_hk.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"

static int zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

#define TERM(f) CHECK(memchr((f), '\0', sizeof(f)) != NULL, "%s not terminated", #f)

static void masked(const char *s, const char *what)
{
    CHECK(!s[0] || strchr(s, '*') || strlen(s) <= 2, "%s not masked: %s", what, s);
}

static void check_slot(const hub_hk_slot_t *s)
{
    TERM(s->provider);
    CHECK(s->left >= 0 && s->left <= s->capacity && s->capacity >= 1, "places %d/%d", s->left, s->capacity);
    CHECK(s->end >= s->start, "slot ends before it starts");
}

static void check_booking(const hub_hk_booking_t *b)
{
    TERM(b->code); TERM(b->service_id); TERM(b->service_zh); TERM(b->service_en);
    TERM(b->name); TERM(b->phone); TERM(b->id_number);
    /* six digits not starting with 0, or the old 8 characters */
    CHECK((strlen(b->code) == 6 && strspn(b->code, "0123456789") == 6 && b->code[0] != '0') ||
          (strlen(b->code) == HUB_HK_CODE_LEN &&
           strspn(b->code, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") == HUB_HK_CODE_LEN), "code %s", b->code);
    masked(b->name, "name");
    masked(b->phone, "phone");
    masked(b->id_number, "id_number");
    check_slot(&b->slot);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    char err[160];
    static hub_hk_services_t svc;
    static hub_hk_slots_t slots;
    static hub_hk_booking_t booking;
    static hub_hk_bookings_t mine;

    err[0] = '\0';
    int rc = hub_hk_parse_services(json, size, &svc, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc) {
        CHECK(err[0] && zero(&svc, sizeof svc), "services failure: empty error or output left");
    } else {
        CHECK(svc.n >= 0 && svc.n <= HUB_HK_MAX_SERVICES, "n %d", svc.n);
        for (int i = 0; i < svc.n; i++) {
            const hub_hk_service_t *s = &svc.s[i];
            TERM(s->id); TERM(s->name_zh); TERM(s->name_en); TERM(s->includes_zh); TERM(s->includes_en);
            CHECK(s->price_fen >= 0 && s->duration_min >= 1, "price/duration");
            CHECK(s->n_providers >= 0 && s->n_providers <= HUB_HK_MAX_PROVIDERS, "providers %d", s->n_providers);
            for (int j = 0; j < s->n_providers; j++) {
                TERM(s->providers[j].name);
                CHECK(s->providers[j].rating >= 0 && s->providers[j].rating <= 5, "rating");
            }
        }
    }
    for (int k = 0; k < 2; k++) {
        err[0] = '\0';
        rc = hub_hk_parse_slots(json, size, k ? "alternatives" : "slots", &slots, err, sizeof err);
        CHECK(rc == 0 || rc == -1, "rc %d", rc);
        if (rc) {
            CHECK(err[0] && zero(&slots, sizeof slots), "slots failure: empty error or output left");
        } else {
            CHECK(slots.n >= 0 && slots.n <= HUB_HK_MAX_SLOTS, "n %d", slots.n);
            for (int i = 0; i < slots.n; i++) check_slot(&slots.s[i]);
        }
    }
    err[0] = '\0';
    rc = hub_hk_parse_booking(json, size, &booking, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc) CHECK(err[0] && zero(&booking, sizeof booking), "booking failure: empty error or output left");
    else check_booking(&booking);
    err[0] = '\0';
    rc = hub_hk_parse_bookings(json, size, &mine, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc) {
        CHECK(err[0] && zero(&mine, sizeof mine), "bookings failure: empty error or output left");
    } else {
        CHECK(mine.n >= 0 && mine.n <= HUB_HK_MAX_BOOKINGS, "n %d", mine.n);
        for (int i = 0; i < mine.n; i++) check_booking(&mine.b[i]);
    }
    return 0;
}
