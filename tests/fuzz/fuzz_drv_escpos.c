/* libFuzzer target for the ESC/POS codecs (drivers/printer): the input is
 * read three ways.
 *
 *   1. As a byte stream from a host: escpos_decode. Invariants: every item
 *      is well formed (text is NUL-terminated UTF-8 of its stated length,
 *      sizes 1..8, alignment 0..2, QR module 1..16, raster data inside the
 *      input's size, feeds 1..255); there are no more items than bytes;
 *      cutting the stream with escpos_command_length covers it exactly,
 *      or stops where the decoder says it was truncated; decoding is
 *      deterministic.
 *   2. As status answers: escpos_status_apply accepts a byte exactly when
 *      bits 1 and 4 are set and bits 0 and 7 clear, and leaves the flags
 *      alone otherwise; every state has a name and a message.
 *   3. As text for escpos_line (first byte: paper and size): decoding the
 *      result gives only whole lines within the paper's columns, no stray
 *      byte, and the same characters in order (spaces aside, unprintable
 *      ones as '?').
 *   4. If it starts with '{', as a receipt: receipt_parse either fails with
 *      a message or gives 1..1000 items; a receipt without images then
 *      encodes, and its bytes decode cleanly to one QR code per QR item
 *      (native) and one cut per cut item. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer/escpos.h"
#include "printer/escpos_decode.h"
#include "printer/escpos_status.h"
#include "printer/receipt.h"
#include "utf8.h"

#include "fuzz_check.h"

static int valid_utf8(const char *s, size_t len)
{
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        int n = utf8_next(s + i, len - i, &cp);
        if (cp == 0xFFFD && n == 1) return 0;
        i += (size_t)n;
    }
    return 1;
}

static void check_doc(const escpos_doc_t *d, size_t size)
{
    CHECK(d->n <= size, "%zu items from %zu bytes", d->n, size);
    for (size_t i = 0; i < d->n; i++) {
        const escpos_item_t *it = &d->items[i];
        switch (it->kind) {
        case ESCPOS_ITEM_TEXT:
            CHECK(it->data && strlen(it->data) == it->len, "item %zu: text length", i);
            CHECK(valid_utf8(it->data, it->len), "item %zu: text not UTF-8", i);
            CHECK(it->width >= 1 && it->width <= 8 && it->height >= 1 && it->height <= 8, "item %zu: size", i);
            CHECK(it->bold == 0 || it->bold == 1, "item %zu: bold %d", i, it->bold);
            CHECK(it->align >= 0 && it->align <= 2, "item %zu: align %d", i, it->align);
            CHECK(it->len > 0 || it->eol, "item %zu: empty run without a line end", i);
            break;
        case ESCPOS_ITEM_QR:
            CHECK(it->data && it->len >= 1 && it->len <= size && it->data[it->len] == '\0', "item %zu: QR data", i);
            CHECK(it->qr_module >= 1 && it->qr_module <= 16, "item %zu: module %d", i, it->qr_module);
            CHECK(it->qr_level >= 0 && it->qr_level <= 3, "item %zu: level %d", i, it->qr_level);
            CHECK(it->align >= 0 && it->align <= 2, "item %zu: align %d", i, it->align);
            break;
        case ESCPOS_ITEM_RASTER:
            CHECK(it->bits && it->bytes_per_row >= 1 && it->rows >= 1, "item %zu: raster", i);
            CHECK((size_t)it->bytes_per_row * (size_t)it->rows <= size, "item %zu: raster larger than input", i);
            CHECK(it->raster_mode >= 0 && it->raster_mode <= 3, "item %zu: mode", i);
            break;
        case ESCPOS_ITEM_FEED:
            CHECK(it->feed >= 1 && it->feed <= 255, "item %zu: feed %d", i, it->feed);
            break;
        case ESCPOS_ITEM_CUT:
            CHECK(it->feed >= -1 && it->feed <= 255, "item %zu: cut feed %d", i, it->feed);
            CHECK(it->partial == 0 || it->partial == 1, "item %zu: partial", i);
            break;
        case ESCPOS_ITEM_STATUS:
            break;
        default:
            CHECK(0, "item %zu: kind %d", i, (int)it->kind);
        }
    }
}

static void stream(const uint8_t *data, size_t size)
{
    escpos_doc_t d, again;
    if (escpos_decode(data, size, &d) != 0) {
        escpos_doc_free(&d);
        return;
    }
    check_doc(&d, size);
    size_t pos = 0;
    int stopped = 0;
    while (pos < size) {
        size_t n = escpos_command_length(data + pos, size - pos);
        CHECK(n <= size - pos, "command length %zu past the end at %zu", n, pos);
        if (n == 0) {
            stopped = 1;
            break;
        }
        pos += n;
    }
    CHECK(stopped == d.truncated, "scan stopped %d, decoder truncated %d", stopped, d.truncated);
    CHECK(d.first_unknown < (long)size, "first unknown at %ld", d.first_unknown);
    CHECK((d.unknown == 0) == (d.first_unknown < 0), "unknown count and offset disagree");
    if (escpos_decode(data, size, &again) == 0) {
        CHECK(again.n == d.n && again.stray == d.stray && again.unknown == d.unknown, "not deterministic");
        for (size_t i = 0; i < d.n; i++)
            CHECK(again.items[i].kind == d.items[i].kind && again.items[i].len == d.items[i].len,
                  "item %zu differs between runs", i);
    }
    escpos_doc_free(&again);
    escpos_doc_free(&d);
}

static void status(const uint8_t *data, size_t size)
{
    escpos_status_t s;
    escpos_status_clear(&s);
    for (size_t i = 0; i < size && i < 64; i++) {
        int n = (int)(i % 4) + 1;
        escpos_status_t before = s;
        int valid = (data[i] & 0x93) == 0x12;
        CHECK(escpos_status_valid(data[i]) == valid, "validity of %02X", data[i]);
        int rc = escpos_status_apply(&s, n, data[i]);
        CHECK(rc == (valid ? 0 : -1), "apply %02X returned %d", data[i], rc);
        if (!valid) CHECK(!memcmp(&before, &s, sizeof s), "a rejected byte changed the flags");
        else CHECK(s.have[n] && s.raw[n] == data[i], "accepted byte not recorded");
        escpos_state_t st = escpos_status_state(&s);
        CHECK(st >= ESCPOS_READY && st <= ESCPOS_ERROR, "state %d", (int)st);
        CHECK(escpos_state_name(st)[0] && escpos_state_message(st)[0], "state %d unnamed", (int)st);
        if (s.cover_open) CHECK(st == ESCPOS_COVER_OPEN, "cover open but %s", escpos_state_name(st));
    }
}

/* The characters escpos_line must keep, in order: spaces and line breaks
 * dropped, unprintable ones as '?'. */
static size_t expected_chars(const char *s, size_t len, uint32_t *out)
{
    size_t n = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        i += (size_t)utf8_next(s + i, len - i, &cp);
        if (cp == ' ' || cp == '\n') continue;
        if (cp == 0xFFFD || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) cp = '?';
        out[n++] = cp;
    }
    return n;
}

static void text(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) return;
    int mm = data[0] & 1 ? 80 : 58, w = (data[0] >> 1 & 7) + 1;
    char *s = malloc(size);
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    size_t len = strlen(s);
    escpos_t e;
    escpos_start(&e, mm);
    escpos_size(&e, w, 1);
    size_t head = e.len;
    CHECK(escpos_line(&e, s) == 0, "escpos_line failed: %s", escpos_error(&e));
    escpos_doc_t d;
    if (escpos_decode(e.data + head, e.len - head, &d) == 0) {
        CHECK(!d.unknown && !d.stray && !d.truncated, "encoded text decodes unclean");
        int cols = escpos_columns(mm, w);
        uint32_t *want = malloc((len + 1) * sizeof *want), cp;
        size_t nwant = expected_chars(s, len, want), k = 0;
        for (size_t i = 0; i < d.n; i++) {
            const escpos_item_t *it = &d.items[i];
            CHECK(it->kind == ESCPOS_ITEM_TEXT && it->eol, "item %zu is not a whole line", i);
            CHECK(escpos_text_columns(it->data) <= cols, "line %zu wider than %d columns", i, cols);
            for (size_t j = 0; j < it->len;) {
                j += (size_t)utf8_next(it->data + j, it->len - j, &cp);
                if (cp == ' ') continue;
                CHECK(k < nwant && want[k] == cp, "character %zu: U+%04X, want U+%04X", k, (unsigned)cp,
                      k < nwant ? (unsigned)want[k] : 0u);
                k++;
            }
        }
        CHECK(k == nwant, "%zu of %zu characters printed", k, nwant);
        free(want);
    }
    escpos_doc_free(&d);
    escpos_free(&e);
    free(s);
}

static void receipt(const uint8_t *data, size_t size)
{
    if (size == 0 || data[0] != '{') return;
    receipt_t r;
    char err[400] = "";
    if (receipt_parse((const char *)data, size, "/nonexistent", &r, err, sizeof err) != 0) {
        CHECK(err[0] != '\0', "rejected without a reason");
        CHECK(r.n == 0 && r.items == NULL, "a rejected receipt kept items");
        return;
    }
    CHECK(r.n >= 1 && r.n <= RECEIPT_MAX_ITEMS, "%zu items", r.n);
    size_t qrs = 0, cuts = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.items[i].kind == RECEIPT_IMAGE) {
            receipt_free(&r);
            return;         /* would read files */
        }
        qrs += r.items[i].kind == RECEIPT_QR;
        cuts += r.items[i].kind == RECEIPT_CUT;
    }
    unsigned char *b;
    size_t n;
    CHECK(receipt_encode(&r, &b, &n, err, sizeof err) == 0, "a valid receipt did not encode: %s", err);
    escpos_doc_t d;
    if (escpos_decode(b, n, &d) == 0) {
        CHECK(!d.unknown && !d.stray && !d.truncated, "encoded receipt decodes unclean");
        CHECK(escpos_doc_count(&d, ESCPOS_ITEM_CUT) == cuts, "cuts");
        CHECK(escpos_doc_count(&d, r.native_qr ? ESCPOS_ITEM_QR : ESCPOS_ITEM_RASTER) >= (r.native_qr ? qrs : 0),
              "QR codes");
        if (r.native_qr) CHECK(escpos_doc_count(&d, ESCPOS_ITEM_QR) == qrs, "QR codes");
    }
    escpos_doc_free(&d);
    free(b);
    receipt_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    stream(data, size);
    status(data, size);
    text(data, size);
    receipt(data, size);
    return 0;
}
