/* libFuzzer target for the ID-card reader codec (drivers/idcard/
 * idcard_codec.c): the input is a byte stream from a reader. Built and run by
 * `make fuzz` and tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - the stream parser never yields a frame whose checksum, length or
 *     preamble is wrong, and yields the same events and frames whether the
 *     stream comes whole or in pieces (the first byte picks the piece size);
 *   - every SW3 gets a non-empty message;
 *   - every decoded card field (from each successful-looking frame, and from
 *     the input taken directly as a read reply and as a text block) is
 *     NUL-terminated within its buffer and valid UTF-8 (no overlong forms,
 *     surrogates or code points past U+10FFFF), and id_valid agrees with a
 *     reference check-digit computation;
 *   - the host-side parser obeys the same checksum rule. */
#include "idcard/idcard_codec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "idnum.h"

#define MAX_EVENTS 512

/* Strict UTF-8 check of the NUL-terminated S. */
static int utf8_valid(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s, cp, n;
        if (c < 0x80) { s++; continue; }
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        for (unsigned i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return 0;
            cp = cp << 6 | (s[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

/* Reference check: 17 digits, then the MOD 11-2 character (x as X). */
static int reference_id_valid(const char *id)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    if (strlen(id) != 18) return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9') return 0;
        sum += (id[i] - '0') * w[i];
    }
    char c = id[17] == 'x' ? 'X' : id[17];
    return c == "10X98765432"[sum % 11];
}

#define FIELD(c, f) check_field(#f, (c)->f, sizeof (c)->f)
static void check_field(const char *name, const char *s, size_t size)
{
    CHECK(memchr(s, '\0', size) != NULL, "%s not NUL-terminated in its %zu bytes", name, size);
    CHECK(utf8_valid(s), "%s is not valid UTF-8", name);
}

static void check_card(const idcard_card_t *c)
{
    FIELD(c, name);
    FIELD(c, sex_code);
    FIELD(c, sex);
    FIELD(c, nation_code);
    FIELD(c, nation);
    FIELD(c, birth);
    FIELD(c, address);
    FIELD(c, id_number);
    FIELD(c, authority);
    FIELD(c, valid_from);
    FIELD(c, valid_to);
    CHECK(c->id_valid == (bool)reference_id_valid(c->id_number), "id_valid disagrees");
    CHECK(c->id_valid == idnum_valid(c->id_number), "id_valid is not idnum_valid");
}

typedef struct {
    idcard_event_t ev;
    uint32_t hash;      /* of a frame's body */
    size_t len;
} event_t;

static uint32_t fnv(const uint8_t *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Runs the parser over DATA in pieces of STEP, checking every frame, and
 * records up to MAX_EVENTS events into EVS; returns how many. */
static size_t run_parser(bool reader_side, const uint8_t *data, size_t size, size_t step,
                         event_t *evs, bool decode)
{
    static idcard_parser_t p;
    size_t nev = 0;
    idcard_parser_init(&p, reader_side);
    for (size_t off = 0; off < size;) {
        size_t n = size - off < step ? size - off : step;
        off += idcard_parser_feed(&p, data + off, n);
        idcard_frame_t f;
        idcard_event_t ev;
        while ((ev = idcard_parser_next(&p, &f)) != IDCARD_EV_NONE) {
            if (nev < MAX_EVENTS) evs[nev] = (event_t){ev, 0, 0};
            if (ev != IDCARD_EV_FRAME) {
                nev++;
                continue;
            }
            size_t len = f.body_len + 1;
            const uint8_t *hdr = f.body - IDCARD_HEADER_LEN;
            CHECK(f.body >= p.buf + IDCARD_HEADER_LEN && f.body + f.body_len < p.buf + p.have,
                  "frame outside the parser's bytes");
            CHECK(memcmp(hdr, "\xAA\xAA\xAA\x96\x69", 5) == 0, "frame without a preamble");
            CHECK((size_t)(hdr[5] << 8 | hdr[6]) == len, "frame length mismatch");
            CHECK(len >= (reader_side ? 4u : 3u) && len <= IDCARD_LEN_MAX, "impossible length %zu", len);
            CHECK(idcard_xor(hdr + 5, len + 1) == f.body[f.body_len], "frame with a bad checksum");
            if (nev < MAX_EVENTS) {
                evs[nev].hash = fnv(f.body, f.body_len);
                evs[nev].len = f.body_len;
            }
            nev++;
            if (!reader_side || !decode) continue;
            const char *m = idcard_sw3_message(idcard_reply_sw3(&f));
            CHECK(m && *m, "empty SW3 message");
            if (idcard_reply_sw3(&f) == IDCARD_SW_OK) {
                idcard_card_t c;
                if (idcard_parse_read(idcard_reply_data(&f), idcard_reply_data_len(&f), &c) == 0)
                    check_card(&c);
                else
                    CHECK(c.name[0] == '\0' && !c.id_valid, "a failed parse left card data");
            }
        }
    }
    CHECK(p.frames + p.bad_checksum + p.bad_length == nev, "event counters disagree");
    idcard_parser_wipe(&p);
    return nev < MAX_EVENTS ? nev : MAX_EVENTS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static event_t whole[MAX_EVENTS], pieces[MAX_EVENTS];
    size_t step = size ? (size_t)(data[0] % 17) + 1 : 1;

    size_t a = run_parser(true, data, size, size ? size : 1, whole, true);
    size_t b = run_parser(true, data, size, step, pieces, false);
    CHECK(a == b, "%zu events whole, %zu in pieces of %zu", a, b, step);
    for (size_t i = 0; i < a; i++)
        CHECK(whole[i].ev == pieces[i].ev && whole[i].hash == pieces[i].hash &&
              whole[i].len == pieces[i].len, "event %zu differs in pieces of %zu", i, step);
    run_parser(false, data, size, step, pieces, false);

    /* The input as the data of a read reply, and as a text block. */
    idcard_card_t c;
    if (idcard_parse_read(data, size, &c) == 0) check_card(&c);
    if (size >= IDCARD_TEXT_LEN) {
        idcard_decode_text(data + size - IDCARD_TEXT_LEN, &c);
        check_card(&c);
    }
    idcard_card_wipe(&c);
    return 0;
}
