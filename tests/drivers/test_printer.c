/* The ESC/POS printer driver: encoder bytes against the protocol table,
 * wrapping, status bytes, decode(encode(x)) == x, receipt JSON, the driver
 * against the virtual printer (states, paper running out, silence, busy),
 * rendered receipts whose QR codes scan back with ZBar, missing devices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zbar.h>
#include "printer/escpos.h"
#include "printer/escpos_decode.h"
#include "printer/escpos_status.h"
#include "printer/printer.h"
#include "printer/receipt.h"
#include "sims/vprinter.h"

#define SAMPLE "tests/drivers/receipt_sample.json"

/* ------------------------------------------------------------ helpers */

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Asserts that E's bytes are exactly WANT (N bytes), then empties E. */
static void expect_bytes(escpos_t *e, const void *want, size_t n)
{
    if (e->len != n || memcmp(e->data, want, n) != 0) {
        fprintf(stderr, "got %zu bytes:", e->len);
        for (size_t i = 0; i < e->len && i < 64; i++) fprintf(stderr, " %02X", e->data[i]);
        fprintf(stderr, "\nwant %zu bytes:", n);
        for (size_t i = 0; i < n && i < 64; i++) fprintf(stderr, " %02X", ((const unsigned char *)want)[i]);
        fprintf(stderr, "\n");
        fail_msg("encoder output differs");
    }
    e->len = 0;
}

#define EXPECT(e, lit) expect_bytes((e), lit, sizeof lit - 1)

static void decode_buf(const escpos_t *e, escpos_doc_t *d)
{
    assert_int_equal(escpos_decode(e->data, e->len, d), 0);
}

/* The first QR symbol ZBar finds in S (binary mode: the payload's bytes). */
static char *zbar_decode(SDL_Surface *s)
{
    int w = s->w, h = s->h;
    unsigned char *grey = malloc((size_t)w * h);
    assert_non_null(grey);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            grey[(size_t)y * w + x] = (unsigned char)(((Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch))[x] & 0xFF);
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
#ifdef ZBAR_CFG_BINARY
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
#endif
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    zbar_image_set_data(img, grey, (unsigned long)w * h, zbar_image_free_data);
    char *out = NULL;
    if (zbar_scan_image(sc, img) > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        out = strndup(zbar_symbol_get_data(sym), zbar_symbol_get_data_length(sym));
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    return out;
}

static vprinter_t *start_printer(vprinter_state_t st, int busy_ms, int pty)
{
    char err[200];
    vprinter_config_t cfg = {.paper_mm = 58, .state = st, .busy_ms = busy_ms, .pty = pty};
    vprinter_t *v = vprinter_start(&cfg, err, sizeof err);
    if (!v) fail_msg("%s", err);
    return v;
}

static void open_tcp(printer_t *p, vprinter_t *v)
{
    char uri[64], err[300];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", vprinter_port(v));
    if (printer_open(p, uri, err, sizeof err) != 0) fail_msg("%s", err);
    p->ready_timeout_ms = 3000;
    p->poll_ms = 20;
}

static unsigned char *sample_bytes(size_t *len, int native_qr)
{
    receipt_t r;
    char err[300];
    if (receipt_load(SAMPLE, &r, err, sizeof err) != 0) fail_msg("%s", err);
    r.native_qr = native_qr;
    unsigned char *b;
    if (receipt_encode(&r, &b, len, err, sizeof err) != 0) fail_msg("%s", err);
    receipt_free(&r);
    return b;
}

/* ------------------------------------------------------ encoder bytes */

static void encoder_basic_commands(void **state)
{
    escpos_t e;
    assert_int_equal(escpos_start(&e, 58), 0);
    assert_int_equal(e.dots, 384);
    assert_int_equal(escpos_init(&e), 0);
    EXPECT(&e, "\x1b\x40");
    assert_int_equal(escpos_align(&e, ESCPOS_LEFT), 0);
    assert_int_equal(escpos_align(&e, ESCPOS_CENTER), 0);
    assert_int_equal(escpos_align(&e, ESCPOS_RIGHT), 0);
    EXPECT(&e, "\x1b\x61\x00\x1b\x61\x01\x1b\x61\x02");
    assert_int_equal(escpos_bold(&e, 1), 0);
    assert_int_equal(escpos_bold(&e, 0), 0);
    EXPECT(&e, "\x1b\x45\x01\x1b\x45\x00");
    assert_int_equal(escpos_size(&e, 1, 1), 0);
    assert_int_equal(escpos_size(&e, 2, 3), 0);
    assert_int_equal(escpos_size(&e, 8, 8), 0);
    EXPECT(&e, "\x1d\x21\x00\x1d\x21\x12\x1d\x21\x77");
    assert_int_equal(escpos_feed(&e, 3), 0);
    EXPECT(&e, "\x1b\x64\x03");
    assert_int_equal(escpos_cut(&e, ESCPOS_CUT_FULL), 0);
    assert_int_equal(escpos_cut(&e, ESCPOS_CUT_PARTIAL), 0);
    EXPECT(&e, "\x1d\x56\x00\x1d\x56\x01");
    assert_int_equal(escpos_cut_feed(&e, ESCPOS_CUT_FULL, 0), 0);
    assert_int_equal(escpos_cut_feed(&e, ESCPOS_CUT_PARTIAL, 24), 0);
    EXPECT(&e, "\x1d\x56\x41\x00\x1d\x56\x42\x18");
    /* Refused arguments append nothing and say why. */
    assert_int_equal(escpos_size(&e, 0, 1), -1);
    assert_int_equal(escpos_size(&e, 1, 9), -1);
    assert_non_null(strstr(escpos_error(&e), "1..8"));
    assert_int_equal(escpos_feed(&e, 256), -1);
    assert_int_equal(escpos_cut_feed(&e, ESCPOS_CUT_FULL, -1), -1);
    assert_int_equal(escpos_align(&e, (escpos_align_t)3), -1);
    assert_int_equal(e.len, 0);
    escpos_free(&e);
    assert_int_equal(escpos_start(&e, 80), 0);
    assert_int_equal(e.dots, 576);
    escpos_free(&e);
    assert_int_equal(escpos_start(&e, 76), -1);
    escpos_free(&e);
}

static void encoder_qr_sequence(void **state)
{
    escpos_t e;
    escpos_start(&e, 58);
    const char *p = "https://x.cn/q?a=1";      /* 18 bytes: pL = 21 */
    assert_int_equal(escpos_qr(&e, p, strlen(p), 6), 0);
    EXPECT(&e, "\x1d\x28\x6b\x04\x00\x31\x41\x32\x00"      /* model 2 */
               "\x1d\x28\x6b\x03\x00\x31\x43\x06"          /* module 6 */
               "\x1d\x28\x6b\x03\x00\x31\x45\x31"          /* level M */
               "\x1d\x28\x6b\x15\x00\x31\x50\x30" "https://x.cn/q?a=1"
               "\x1d\x28\x6b\x03\x00\x31\x51\x30");        /* print */
    /* 300 bytes: pL + 256 pH = 303 = 0x012F */
    char big[301];
    memset(big, 'A', 300);
    big[300] = '\0';
    assert_int_equal(escpos_qr(&e, big, 300, 3), 0);
    assert_int_equal(e.len, 9 + 8 + 8 + 8 + 300 + 8);
    assert_memory_equal(e.data + 25, "\x1d\x28\x6b\x2f\x01\x31\x50\x30", 8);
    e.len = 0;
    /* A module size that would overflow the paper is lowered. */
    assert_int_equal(escpos_qr(&e, big, 300, 16), 0);
    assert_true(e.data[16] < 16 && e.data[16] >= 1);
    e.len = 0;
    /* Empty and too long are refused, nothing appended. */
    assert_int_equal(escpos_qr(&e, "", 0, 4), -1);
    assert_non_null(strstr(escpos_error(&e), "empty"));
    char *huge = malloc(ESCPOS_QR_MAX_BYTES + 1);
    memset(huge, 'x', ESCPOS_QR_MAX_BYTES + 1);
    assert_int_equal(escpos_qr(&e, huge, ESCPOS_QR_MAX_BYTES + 1, 4), -1);
    assert_non_null(strstr(escpos_error(&e), "2331"));
    assert_int_equal(escpos_qr(&e, huge, ESCPOS_QR_MAX_BYTES, 1), 0);   /* the limit itself fits */
    e.len = 0;
    assert_int_equal(escpos_qr_raster(&e, huge, ESCPOS_QR_MAX_BYTES + 1, 4), -1);
    assert_int_equal(escpos_qr(&e, "x", 1, 0), -1);
    assert_int_equal(escpos_qr(&e, "x", 1, 17), -1);
    assert_int_equal(e.len, 0);
    free(huge);
    escpos_free(&e);
}

static void encoder_raster_header(void **state)
{
    escpos_t e;
    escpos_start(&e, 58);
    /* 10 dots wide: 2 bytes a row; the 6 padding bits go out as 0. */
    const unsigned char bits[] = {0xFF, 0xFF, 0x80, 0x40};
    assert_int_equal(escpos_raster(&e, bits, 10, 2), 0);
    EXPECT(&e, "\x1d\x76\x30\x00\x02\x00\x02\x00\xff\xc0\x80\x40");
    /* 384 dots: 48 bytes; 300 rows: yL 0x2C yH 0x01 */
    unsigned char *img = calloc(48 * 2400, 1);
    assert_int_equal(escpos_raster(&e, img, 384, 300), 0);
    assert_memory_equal(e.data, "\x1d\x76\x30\x00\x30\x00\x2c\x01", 8);
    assert_int_equal(e.len, 8 + 48 * 300);
    e.len = 0;
    /* Taller than one command takes: two commands, 2303 + 97 rows. */
    assert_int_equal(escpos_raster(&e, img, 384, 2400), 0);
    assert_int_equal(e.len, 16 + 48 * 2400);
    assert_memory_equal(e.data, "\x1d\x76\x30\x00\x30\x00\xff\x08", 8);
    assert_memory_equal(e.data + 8 + 48 * 2303, "\x1d\x76\x30\x00\x30\x00\x61\x00", 8);
    e.len = 0;
    assert_int_equal(escpos_raster(&e, img, 385, 1), -1);
    assert_non_null(strstr(escpos_error(&e), "384"));
    assert_int_equal(escpos_raster(&e, img, 8, 0), -1);
    assert_int_equal(e.len, 0);
    free(img);
    escpos_free(&e);
    /* 80 mm takes 576 dots. */
    escpos_start(&e, 80);
    unsigned char row[72] = {0};
    assert_int_equal(escpos_raster(&e, row, 576, 1), 0);
    assert_int_equal(escpos_raster(&e, row, 577, 1), -1);
    escpos_free(&e);
}

static void encoder_chinese_gb18030(void **state)
{
    escpos_t e;
    escpos_start(&e, 58);
    assert_int_equal(escpos_text(&e, "中"), 0);
    EXPECT(&e, "\x1c\x26\xd6\xd0\x1c\x2e");
    assert_int_equal(escpos_text(&e, "𠀀"), 0);             /* U+20000: a 4-byte GB18030 code */
    EXPECT(&e, "\x1c\x26\x95\x32\x82\x36\x1c\x2e");
    assert_int_equal(escpos_text(&e, "A中文B"), 0);
    EXPECT(&e, "A\x1c\x26\xd6\xd0\xce\xc4\x1c\x2e" "B");
    assert_int_equal(escpos_text(&e, "￥12"), 0);             /* full-width yen sign: A3 A4 */
    EXPECT(&e, "\x1c\x26\xa3\xa4\x1c\x2e" "12");
    assert_int_equal(escpos_text(&e, "幸福里"), 0);
    EXPECT(&e, "\x1c\x26\xd0\xd2\xb8\xa3\xc0\xef\x1c\x2e");
    assert_int_equal(escpos_replaced(&e), 0);
    /* Not printable: invalid UTF-8 and control characters become '?',
     * so text can never smuggle a printer command in. */
    assert_int_equal(escpos_text(&e, "a\xff" "b\x1b@c\x10\x04\x01"), 0);
    EXPECT(&e, "a?b?@c???");
    assert_int_equal(escpos_replaced(&e), 5);
    assert_int_equal(escpos_text(&e, "\xe4\xb8"), 0);      /* a truncated sequence */
    EXPECT(&e, "??");
    escpos_free(&e);
}

static void wrapping_widths(void **state)
{
    assert_int_equal(escpos_columns(58, 1), 32);
    assert_int_equal(escpos_columns(80, 1), 48);
    assert_int_equal(escpos_columns(58, 2), 16);
    assert_int_equal(escpos_columns(80, 3), 16);
    assert_int_equal(escpos_columns(58, 8), 4);
    assert_int_equal(escpos_columns(58, 0), 0);
    assert_int_equal(escpos_columns(60, 1), 0);
    assert_int_equal(escpos_text_columns("abc"), 3);
    assert_int_equal(escpos_text_columns("幸福里"), 6);
    assert_int_equal(escpos_text_columns("订单号：A1"), 10);

    struct {
        int mm, w;
        const char *in;
        const char *lines[6];
    } cases[] = {
        /* 20 Chinese characters: 16 a line on 58 mm, 24 on 80 mm */
        {58, 1, "一二三四五六七八九十一二三四五六七八九十", {"一二三四五六七八九十一二三四五六", "七八九十"}},
        {80, 1, "一二三四五六七八九十一二三四五六七八九十", {"一二三四五六七八九十一二三四五六七八九十"}},
        {58, 2, "一二三四五六七八九十", {"一二三四五六七八", "九十"}},
        /* ASCII words wrap at spaces, the space dropped */
        {58, 1, "The quick brown fox jumps over the lazy dog", {"The quick brown fox jumps over", "the lazy dog"}},
        /* a word longer than the line is broken */
        {58, 1, "KIOSK20261129000042KIOSK20261129000042", {"KIOSK20261129000042KIOSK20261129", "000042"}},
        /* mixed: a Chinese character is 2 columns */
        {58, 1, "订单号：KIOSK20261129000042ABCDE", {"订单号：KIOSK20261129000042ABCDE"}},
        {58, 1, "订单号：KIOSK20261129000042ABCDEF", {"订单号：", "KIOSK20261129000042ABCDEF"}},
        /* a closing mark never starts a line: it takes a character along */
        {58, 1, "一二三四五六七八九十一二三四五六，好", {"一二三四五六七八九十一二三四五", "六，好"}},
        /* '\n' splits; an empty piece is an empty line */
        {58, 1, "a\n\nb", {"a", "", "b"}},
        {58, 1, "", {""}},
        /* exactly full */
        {58, 1, "12345678901234567890123456789012", {"12345678901234567890123456789012"}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        escpos_t e;
        escpos_start(&e, cases[c].mm);
        if (cases[c].w > 1) escpos_size(&e, cases[c].w, cases[c].w);
        e.len = 0;
        assert_int_equal(escpos_line(&e, cases[c].in), 0);
        escpos_doc_t d;
        decode_buf(&e, &d);
        size_t want = 0;
        while (want < 6 && cases[c].lines[want]) want++;
        if (d.n != want) fail_msg("case %zu: %zu lines, want %zu", c, d.n, want);
        for (size_t i = 0; i < want; i++) {
            assert_int_equal(d.items[i].kind, ESCPOS_ITEM_TEXT);
            assert_true(d.items[i].eol);
            if (strcmp(d.items[i].data, cases[c].lines[i]))
                fail_msg("case %zu line %zu: \"%s\", want \"%s\"", c, i, d.items[i].data, cases[c].lines[i]);
            assert_true(escpos_text_columns(d.items[i].data) <= escpos_columns(cases[c].mm, cases[c].w));
        }
        escpos_doc_free(&d);
        escpos_free(&e);
    }
}

/* ------------------------------------------------------------- status */

static void status_bytes(void **state)
{
    unsigned char req[3];
    for (int n = 1; n <= 4; n++) {
        assert_int_equal(escpos_status_request(n, req), 0);
        assert_memory_equal(req, ((unsigned char[]){0x10, 0x04, (unsigned char)n}), 3);
    }
    assert_int_equal(escpos_status_request(0, req), -1);
    assert_int_equal(escpos_status_request(5, req), -1);

    struct {
        int n;
        unsigned char b;
        escpos_state_t want;
    } cases[] = {
        {1, 0x12, ESCPOS_READY}, {2, 0x12, ESCPOS_READY}, {3, 0x12, ESCPOS_READY}, {4, 0x12, ESCPOS_READY},
        {4, 0x1E, ESCPOS_PAPER_NEAR_END}, {4, 0x16, ESCPOS_PAPER_NEAR_END},
        {4, 0x72, ESCPOS_PAPER_OUT}, {4, 0x32, ESCPOS_PAPER_OUT}, {2, 0x32, ESCPOS_PAPER_OUT},
        {2, 0x16, ESCPOS_COVER_OPEN}, {1, 0x1A, ESCPOS_OFFLINE}, {1, 0x32, ESCPOS_OFFLINE},
        {3, 0x1A, ESCPOS_ERROR}, {3, 0x32, ESCPOS_ERROR}, {3, 0x52, ESCPOS_ERROR}, {2, 0x52, ESCPOS_ERROR},
        {2, 0x1A, ESCPOS_READY},            /* feed button only */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        escpos_status_t s;
        escpos_status_clear(&s);
        assert_true(escpos_status_valid(cases[i].b));
        assert_int_equal(escpos_status_apply(&s, cases[i].n, cases[i].b), 0);
        assert_true(s.have[cases[i].n]);
        if (escpos_status_state(&s) != cases[i].want)
            fail_msg("n=%d %02X: %s, want %s", cases[i].n, cases[i].b, escpos_state_name(escpos_status_state(&s)),
                     escpos_state_name(cases[i].want));
    }
    escpos_status_t s;
    escpos_status_clear(&s);
    escpos_status_apply(&s, 2, 0x1A);
    assert_true(s.feed_button);
    escpos_status_apply(&s, 3, 0x1A);
    assert_true(s.cutter_error);
    assert_false(s.unrecoverable);
    escpos_status_apply(&s, 3, 0x32);
    assert_true(s.unrecoverable);
    escpos_status_apply(&s, 3, 0x52);
    assert_true(s.auto_recoverable);
    escpos_status_apply(&s, 1, 0x32);
    assert_true(s.waiting_recovery);
    /* The combined state: cover open first, then paper out, then errors. */
    escpos_status_clear(&s);
    escpos_status_apply(&s, 1, 0x1A);
    escpos_status_apply(&s, 2, 0x36);
    escpos_status_apply(&s, 4, 0x72);
    assert_int_equal(escpos_status_state(&s), ESCPOS_COVER_OPEN);

    /* Not status bytes: bit 0 or 7 set, bit 1 or 4 clear. */
    const unsigned char invalid[] = {0x00, 0x13, 0x92, 0x10, 0x02, 0xFF, 0x41, 0x7F};
    for (size_t i = 0; i < sizeof invalid; i++) {
        escpos_status_clear(&s);
        assert_false(escpos_status_valid(invalid[i]));
        assert_int_equal(escpos_status_apply(&s, 4, invalid[i]), -1);
        assert_false(s.have[4]);
        assert_false(s.paper_out);
    }
    assert_int_equal(escpos_status_apply(&s, 5, 0x12), -1);
    assert_int_equal(escpos_status_apply(&s, 0, 0x12), -1);

    assert_true(escpos_state_prints(ESCPOS_READY));
    assert_true(escpos_state_prints(ESCPOS_PAPER_NEAR_END));
    assert_false(escpos_state_prints(ESCPOS_PAPER_OUT));
    assert_false(escpos_state_prints(ESCPOS_NOT_ANSWERING));
    const char *names[] = {"ready", "paper_near_end", "paper_out", "cover_open", "offline", "error",
                           "not_answering", "unknown"};
    for (int st = ESCPOS_READY; st <= ESCPOS_UNKNOWN; st++) {
        assert_string_equal(escpos_state_name((escpos_state_t)st), names[st]);
        assert_true(strlen(escpos_state_message((escpos_state_t)st)) > 4);
        for (int o = ESCPOS_READY; o < st; o++)
            assert_string_not_equal(escpos_state_message((escpos_state_t)st), escpos_state_message((escpos_state_t)o));
    }
    assert_non_null(strstr(escpos_state_message(ESCPOS_PAPER_OUT), "paper"));
    assert_non_null(strstr(escpos_state_message(ESCPOS_COVER_OPEN), "cover"));
    assert_non_null(strstr(escpos_state_message(ESCPOS_NOT_ANSWERING), "not answering"));
}

/* ------------------------------------------------------------- decoder */

typedef struct {
    escpos_item_kind_t kind;
    const char *text;
    int align, bold, w, h;
    int n;          /* QR module, feed lines, raster width; cut partial */
} op_t;

/* decode(encode(ops)) yields exactly the ops. */
static void roundtrip(const op_t *ops, size_t n, int native_qr)
{
    escpos_t e;
    escpos_start(&e, 58);
    escpos_init(&e);
    unsigned char img[4 * 5];
    for (size_t i = 0; i < sizeof img; i++) img[i] = (unsigned char)(i * 37 + 11);
    for (size_t i = 0; i < n; i++) {
        const op_t *o = &ops[i];
        escpos_align(&e, (escpos_align_t)o->align);
        switch (o->kind) {
        case ESCPOS_ITEM_TEXT:
            escpos_bold(&e, o->bold);
            escpos_size(&e, o->w, o->h);
            assert_int_equal(escpos_line(&e, o->text), 0);
            break;
        case ESCPOS_ITEM_QR:
            assert_int_equal(native_qr ? escpos_qr(&e, o->text, strlen(o->text), o->n) : 0, 0);
            break;
        case ESCPOS_ITEM_RASTER: assert_int_equal(escpos_raster(&e, img, o->n, 5), 0); break;
        case ESCPOS_ITEM_FEED: assert_int_equal(escpos_feed(&e, o->n), 0); break;
        case ESCPOS_ITEM_CUT: assert_int_equal(escpos_cut_feed(&e, o->n ? ESCPOS_CUT_PARTIAL : ESCPOS_CUT_FULL, 0), 0); break;
        case ESCPOS_ITEM_STATUS: break;
        }
    }
    escpos_doc_t d;
    decode_buf(&e, &d);
    assert_int_equal(d.n, n);
    assert_int_equal(d.unknown + d.stray + (size_t)d.truncated, 0);
    assert_int_equal(d.inits, 1);
    for (size_t i = 0; i < n; i++) {
        const op_t *o = &ops[i];
        const escpos_item_t *it = &d.items[i];
        assert_int_equal(it->kind, o->kind);
        switch (o->kind) {
        case ESCPOS_ITEM_TEXT:
            assert_string_equal(it->data, o->text);
            assert_int_equal(it->align, o->align);
            assert_int_equal(it->bold, o->bold);
            assert_int_equal(it->width, o->w);
            assert_int_equal(it->height, o->h);
            assert_true(it->eol);
            break;
        case ESCPOS_ITEM_QR:
            assert_int_equal(it->len, strlen(o->text));
            assert_memory_equal(it->data, o->text, it->len);
            assert_int_equal(it->qr_module, o->n);
            assert_int_equal(it->qr_level, 1);
            assert_int_equal(it->align, o->align);
            break;
        case ESCPOS_ITEM_RASTER:
            assert_int_equal(it->bytes_per_row, (o->n + 7) / 8);
            assert_int_equal(it->rows, 5);
            assert_int_equal(it->align, o->align);
            for (int r = 0; r < 5; r++)
                for (int b = 0; b < o->n; b++) {
                    int bpr = (o->n + 7) / 8;
                    assert_int_equal(it->bits[r * bpr + b / 8] >> (7 - b % 8) & 1, img[r * bpr + b / 8] >> (7 - b % 8) & 1);
                }
            break;
        case ESCPOS_ITEM_FEED: assert_int_equal(it->feed, o->n); break;
        case ESCPOS_ITEM_CUT:
            assert_int_equal(it->partial, o->n);
            assert_int_equal(it->feed, 0);
            break;
        case ESCPOS_ITEM_STATUS: break;
        }
    }
    escpos_doc_free(&d);
    escpos_free(&e);
}

static void decode_encode_roundtrip(void **state)
{
    const op_t ops[] = {
        {ESCPOS_ITEM_TEXT, "幸福里社区", 1, 1, 2, 2, 0},
        {ESCPOS_ITEM_TEXT, "Receipt 收据 No.42", 0, 0, 1, 1, 0},
        {ESCPOS_ITEM_TEXT, "￥128.50", 2, 1, 3, 5, 0},
        {ESCPOS_ITEM_TEXT, "", 0, 0, 1, 1, 0},
        {ESCPOS_ITEM_TEXT, "𠀀𠀁 rare", 0, 0, 1, 1, 0},
        {ESCPOS_ITEM_QR, "https://hub.example/r/1?x=中文", 1, 0, 1, 1, 5},
        {ESCPOS_ITEM_RASTER, NULL, 1, 0, 1, 1, 29},
        {ESCPOS_ITEM_FEED, NULL, 0, 0, 1, 1, 3},
        {ESCPOS_ITEM_TEXT, "8x8", 0, 0, 8, 8, 0},
        {ESCPOS_ITEM_CUT, NULL, 0, 0, 1, 1, 1},
        {ESCPOS_ITEM_CUT, NULL, 0, 0, 1, 1, 0},
    };
    roundtrip(ops, sizeof ops / sizeof *ops, 1);

    /* Generated: random lines that fit, random styles, over many seeds. */
    static const char *const pieces[] = {"a", "Z", "0", "中", "文", "￥", "：", "号", "楼", "-", "*", "·", "𠀀"};
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        op_t o[12];
        char texts[12][128];
        size_t n = 0;
        for (int k = 0; k < 12; k++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 8;
            op_t *p = &o[n++];
            memset(p, 0, sizeof *p);
            p->align = (int)(r % 3);
            p->w = p->h = 1;
            switch (r / 3 % 5) {
            case 0: case 1: {
                p->kind = ESCPOS_ITEM_TEXT;
                p->bold = (int)(r / 15 % 2);
                p->w = (int)(r / 30 % 4) + 1;
                p->h = (int)(r / 120 % 8) + 1;
                int cols = 32 / p->w, used = 0;
                texts[k][0] = '\0';
                for (int c = 0; c < 20; c++) {
                    seed = seed * 1103515245u + 12345u;
                    const char *pc = pieces[(seed >> 8) % (sizeof pieces / sizeof *pieces)];
                    int cw = escpos_text_columns(pc);
                    if (used + cw > cols) break;
                    strcat(texts[k], pc);
                    used += cw;
                }
                p->text = texts[k];
                break;
            }
            case 2:
                p->kind = ESCPOS_ITEM_QR;
                snprintf(texts[k], sizeof texts[k], "https://hub.example/q/%u", r);
                p->text = texts[k];
                p->n = (int)(r % 8) + 1;
                break;
            case 3:
                p->kind = ESCPOS_ITEM_RASTER;
                p->n = (int)(r % 32) + 1;
                break;
            default:
                p->kind = ESCPOS_ITEM_FEED;
                p->n = (int)(r % 256);
                if (p->n == 0) p->n = 1;
                break;
            }
        }
        roundtrip(o, n, 1);
    }
}

static void decode_is_safe_and_faithful(void **state)
{
    escpos_doc_t d;
    /* Known commands the model ignores are skipped whole: underline, a
     * barcode, a beep block, a column image; unknown ones by their 2 bytes. */
    static const unsigned char s1[] = "\x1b@" "A" "\x1b-\x01" "B" "\x1dk\x04" "12345\x00"
                                      "\x1dk\x49\x03" "abc" "\x1b*\x00\x02\x00\xaa\xbb" "C"
                                      "\x1d(A\x02\x00\x00\x00" "\x1bZ" "D\n";
    assert_int_equal(escpos_decode(s1, sizeof s1 - 1, &d), 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.items[0].data, "ABCD");
    assert_int_equal(d.unknown, 1);                 /* ESC Z */
    assert_int_equal(d.ignored, 5);
    escpos_doc_free(&d);

    /* Truncated commands are dropped and flagged, whatever their kind. */
    static const unsigned char *const cut[] = {
        (const unsigned char *)"\x1dv0\x00\x10\x00\x10\x00\xff",          /* raster missing data */
        (const unsigned char *)"\x1d(k\x10\x00\x31\x50\x30" "ab",         /* QR store cut short */
        (const unsigned char *)"\x1b",
        (const unsigned char *)"\x1d\x56\x42",
        (const unsigned char *)"\x10\x04",
    };
    const size_t cut_len[] = {9, 10, 1, 3, 2};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(escpos_decode(cut[i], cut_len[i], &d), 0);
        assert_true(d.truncated);
        assert_int_equal(escpos_doc_count(&d, ESCPOS_ITEM_RASTER) + escpos_doc_count(&d, ESCPOS_ITEM_QR), 0);
        escpos_doc_free(&d);
    }

    /* Unknown introducers are counted with the first offset. */
    static const unsigned char s2[] = "ab\x1b\xf0" "c\x1d\xf1\x1c\xf2\x10\xf3\n";
    assert_int_equal(escpos_decode(s2, sizeof s2 - 1, &d), 0);
    assert_int_equal(d.unknown, 4);
    assert_int_equal(d.first_unknown, 2);
    assert_string_equal(d.items[0].data, "abc");
    escpos_doc_free(&d);

    /* High bytes outside Chinese mode and broken GB18030 print '?'. */
    static const unsigned char s3[] = "\xd6\xd0" "\x1c&\xd6\xd0\x81\x1c." "\x1c&\x95\x32\x1c.\n";
    assert_int_equal(escpos_decode(s3, sizeof s3 - 1, &d), 0);
    assert_string_equal(d.items[0].data, "??中??");
    assert_int_equal(d.stray, 4);
    escpos_doc_free(&d);

    /* Status requests are items; text on both sides stays one line. */
    static const unsigned char s4[] = "ab\x10\x04\x04" "cd\n\x10\x04\x01";
    assert_int_equal(escpos_decode(s4, sizeof s4 - 1, &d), 0);
    assert_int_equal(escpos_doc_count(&d, ESCPOS_ITEM_STATUS), 2);
    assert_string_equal(d.items[1].data, "abcd");
    assert_int_equal(d.items[0].status_n, 4);
    escpos_doc_free(&d);

    /* As on a printer: ESC a and a cut count only at the start of a line,
     * a style change mid-line splits the line into runs, text without LF
     * is held (a last run without eol), ESC @ discards the buffer. */
    static const unsigned char s5[] = "\x1b\x61\x01" "x\x1b\x61\x02" "y\x1b\x45\x01" "z\n"
                                      "q\x1d\x56\x01" "\n" "lost\x1b@" "kept";
    assert_int_equal(escpos_decode(s5, sizeof s5 - 1, &d), 0);
    assert_int_equal(d.n, 4);
    assert_string_equal(d.items[0].data, "xy");
    assert_int_equal(d.items[0].align, 1);
    assert_false(d.items[0].eol);
    assert_string_equal(d.items[1].data, "z");
    assert_int_equal(d.items[1].align, 1);
    assert_true(d.items[1].bold && d.items[1].eol);
    assert_string_equal(d.items[2].data, "q");
    assert_int_equal(escpos_doc_count(&d, ESCPOS_ITEM_CUT), 0);
    assert_string_equal(d.items[3].data, "kept");
    assert_false(d.items[3].eol);
    assert_int_equal(d.ignored, 2);
    escpos_doc_free(&d);

    /* ESC d after text: the line, then n - 1 more. */
    static const unsigned char s6[] = "abc\x1b\x64\x03";
    assert_int_equal(escpos_decode(s6, sizeof s6 - 1, &d), 0);
    assert_int_equal(d.n, 2);
    assert_true(d.items[0].eol);
    assert_int_equal(d.items[1].feed, 2);
    escpos_doc_free(&d);

    /* Lengths from the stream never reach past its end: a huge raster or
     * GS 8 L header with no data is truncated, not read. */
    static const unsigned char s7[] = "\x1dv0\x00\xff\xff\xff\xff";
    assert_int_equal(escpos_command_length(s7, 8), 0);
    static const unsigned char s8[] = "\x1d\x38L\xff\xff\xff\xff\x30";
    assert_int_equal(escpos_command_length(s8, 8), 0);
    assert_int_equal(escpos_decode(s8, 8, &d), 0);
    assert_true(d.truncated);
    escpos_doc_free(&d);
}

/* -------------------------------------------------------------- receipt */

static void receipt_json_errors(void **state)
{
    struct {
        const char *json, *want;
    } cases[] = {
        {"not json", "not valid JSON (line 1"},
        {"{\"items\": [\n{\"text\": \"a\"},\n]}", "line 3"},
        {"[]", "must be a JSON object"},
        {"{}", "items: must be a non-empty array"},
        {"{\"items\": []}", "items: must be a non-empty array"},
        {"{\"itemz\": []}", "itemz: unknown field"},
        {"{\"width\": 57, \"items\": [{\"text\": \"a\"}]}", "width: must be 58 or 80"},
        {"{\"width\": \"58\", \"items\": [{\"text\": \"a\"}]}", "width: must be 58 or 80"},
        {"{\"native_qr\": \"yes\", \"items\": [{\"text\": \"a\"}]}", "native_qr: must be true or false"},
        {"{\"items\": [{\"text\": \"a\"}, 7]}", "items[1]: must be an object"},
        {"{\"items\": [{\"text\": \"a\"}, {\"txt\": \"b\"}]}", "items[1]: needs one of text, qr, image, feed, rule, cut"},
        {"{\"items\": [{\"text\": \"a\", \"qr\": \"b\"}]}", "items[0]: has both \"text\" and \"qr\""},
        {"{\"items\": [{\"text\": \"a\", \"colour\": \"red\"}]}", "items[0].colour: unknown field for a text item"},
        {"{\"items\": [{\"feed\": 1, \"align\": \"left\"}]}", "items[0].align: unknown field for a feed item"},
        {"{\"items\": [{\"text\": 5}]}", "items[0].text: must be a string"},
        {"{\"items\": [{\"text\": \"a\\u0007b\"}]}", "items[0].text: contains the control character U+0007"},
        {"{\"items\": [{\"text\": \"a\\u001b@\"}]}", "U+001B"},
        {"{\"items\": [{\"text\": \"a\", \"size\": 9}]}", "items[0].size: must be 1-8 or [w, h]"},
        {"{\"items\": [{\"text\": \"a\", \"size\": 1.5}]}", "items[0].size: must be 1-8 or [w, h]"},
        {"{\"items\": [{\"text\": \"a\", \"size\": [2]}]}", "items[0].size: must be 1-8 or [w, h]"},
        {"{\"items\": [{\"text\": \"a\", \"size\": [2, 0]}]}", "items[0].size: must be 1-8 or [w, h]"},
        {"{\"items\": [{\"text\": \"a\", \"align\": \"middle\"}]}", "items[0].align: must be \"left\", \"center\" or \"right\""},
        {"{\"items\": [{\"text\": \"a\", \"bold\": 1}]}", "items[0].bold: must be true or false"},
        {"{\"items\": [{\"feed\": 1}, {\"qr\": \"\"}]}", "items[1].qr: must be a non-empty string"},
        {"{\"items\": [{\"qr\": \"x\", \"size\": 17}]}", "items[0].size: must be a module size of 1-16"},
        {"{\"items\": [{\"qr\": \"x\", \"size\": 0}]}", "items[0].size"},
        {"{\"items\": [{\"image\": \"\"}]}", "items[0].image: must be the path of a PNG file"},
        {"{\"items\": [{\"feed\": -1}]}", "items[0].feed: must be 0-255 lines"},
        {"{\"items\": [{\"feed\": 256}]}", "items[0].feed"},
        {"{\"items\": [{\"cut\": \"half\"}]}", "items[0].cut: must be \"partial\" or \"full\""},
        {"{\"items\": [{\"rule\": \"--\"}]}", "items[0].rule: must be one printable character"},
        {"{\"items\": [{\"rule\": \"\"}]}", "items[0].rule"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        receipt_t r;
        char err[300] = "";
        if (receipt_parse(cases[i].json, strlen(cases[i].json), NULL, &r, err, sizeof err) != -1)
            fail_msg("accepted %s", cases[i].json);
        if (!strstr(err, cases[i].want)) fail_msg("%s: \"%s\", want \"%s\"", cases[i].json, err, cases[i].want);
        assert_int_equal(r.n, 0);
        assert_null(r.items);
    }
    /* A QR payload too long for level M. */
    char payload[2341], *big = malloc(2400 + 64);
    memset(payload, 'x', 2340);
    payload[2340] = '\0';
    snprintf(big, 2400 + 64, "{\"items\": [{\"qr\": \"%s\"}]}", payload);
    receipt_t r;
    char err[300];
    assert_int_equal(receipt_parse(big, strlen(big), NULL, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "items[0].qr: 2340 bytes"));
    free(big);
    /* An image that is not there fails at encoding, naming the item. */
    const char *j = "{\"items\": [{\"text\": \"a\"}, {\"image\": \"nope.png\"}]}";
    assert_int_equal(receipt_parse(j, strlen(j), "/nonexistent", &r, err, sizeof err), 0);
    assert_string_equal(r.items[1].text, "/nonexistent/nope.png");
    unsigned char *b;
    size_t n;
    assert_int_equal(receipt_encode(&r, &b, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "items[1].image: /nonexistent/nope.png"));
    assert_null(b);
    receipt_free(&r);
    /* A missing file names itself. */
    assert_int_equal(receipt_load("/nonexistent/r.json", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/r.json: No such file"));
}

static void receipt_sample_encodes(void **state)
{
    receipt_t r;
    char err[300];
    assert_int_equal(receipt_load(SAMPLE, &r, err, sizeof err), 0);
    assert_int_equal(r.width_mm, 58);
    assert_true(r.native_qr);
    unsigned char *b;
    size_t n;
    assert_int_equal(receipt_encode(&r, &b, &n, err, sizeof err), 0);
    assert_memory_equal(b, "\x1b\x40", 2);
    escpos_doc_t d;
    assert_int_equal(escpos_decode(b, n, &d), 0);
    assert_int_equal(d.unknown + d.stray, 0);
    assert_int_equal(escpos_doc_count(&d, ESCPOS_ITEM_QR), 1);
    assert_int_equal(escpos_doc_count(&d, ESCPOS_ITEM_CUT), 1);
    assert_true(d.items[d.n - 1].kind == ESCPOS_ITEM_CUT && d.items[d.n - 1].partial);
    int found_title = 0, rules = 0;
    for (size_t i = 0; i < d.n; i++) {
        const escpos_item_t *it = &d.items[i];
        if (it->kind != ESCPOS_ITEM_TEXT) continue;
        assert_true(escpos_text_columns(it->data) * it->width <= 32);
        if (!strcmp(it->data, "幸福里社区")) {
            found_title = 1;
            assert_int_equal(it->align, 1);
            assert_true(it->bold);
            assert_int_equal(it->width, 2);
        }
        if (!strcmp(it->data, "--------------------------------")) rules++;
    }
    assert_true(found_title);
    assert_true(rules >= 2);
    escpos_doc_free(&d);
    free(b);
    /* The same receipt on 80 mm paper: rules are 48 wide. */
    r.width_mm = 80;
    assert_int_equal(receipt_encode(&r, &b, &n, err, sizeof err), 0);
    assert_non_null(memmem(b, n, "------------------------------------------------\n", 49));
    free(b);
    receipt_free(&r);
}

static void receipt_logo_image(void **state)
{
    /* A 500x100 PNG: white, a black band at rows 40-59, transparent right
     * quarter. Scaled to 384 dots wide and thresholded. */
    char dir[] = "/tmp/test_printer.XXXXXX", png[80], json[200];
    assert_non_null(mkdtemp(dir));
    snprintf(png, sizeof png, "%s/logo.png", dir);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 500, 100, 32, SDL_PIXELFORMAT_ARGB8888);
    for (int y = 0; y < 100; y++)
        for (int x = 0; x < 500; x++)
            ((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x] =
                x >= 375 ? 0x00000000u : (y >= 40 && y < 60) ? 0xFF000000u : 0xFFFFFFFFu;
    assert_int_equal(IMG_SavePNG(s, png), 0);
    SDL_FreeSurface(s);
    snprintf(json, sizeof json, "{\"items\": [{\"image\": \"logo.png\"}, {\"cut\": \"full\"}]}");
    receipt_t r;
    char err[300];
    assert_int_equal(receipt_parse(json, strlen(json), dir, &r, err, sizeof err), 0);
    unsigned char *b;
    size_t n;
    if (receipt_encode(&r, &b, &n, err, sizeof err) != 0) fail_msg("%s", err);
    escpos_doc_t d;
    assert_int_equal(escpos_decode(b, n, &d), 0);
    assert_int_equal(d.n, 2);
    const escpos_item_t *it = &d.items[0];
    assert_int_equal(it->kind, ESCPOS_ITEM_RASTER);
    assert_int_equal(it->bytes_per_row, 48);
    assert_int_equal(it->rows, 76);        /* 100 * 384 / 500 */
    assert_int_equal(it->align, 1);
    assert_int_equal(it->bits[0], 0x00);                  /* white */
    assert_int_equal(it->bits[38 * 48 + 10], 0xFF);       /* the band */
    assert_int_equal(it->bits[38 * 48 + 47], 0x00);       /* transparent = paper */
    assert_false(d.items[1].partial);
    escpos_doc_free(&d);
    free(b);
    receipt_free(&r);
    unlink(png);
    rmdir(dir);
}

/* ------------------------------------------------- rendering and ZBar */

static void rendered_qr_scans(const char *payload, int native)
{
    char json[600];
    snprintf(json, sizeof json,
             "{\"native_qr\": %s, \"items\": [{\"text\": \"扫码核验\", \"align\": \"center\"}, {\"feed\": 1},"
             "{\"qr\": \"%s\", \"size\": 5}, {\"feed\": 1}, {\"text\": \"谢谢\"}, {\"cut\": \"partial\"}]}",
             native ? "true" : "false", payload);
    receipt_t r;
    char err[300];
    if (receipt_parse(json, strlen(json), NULL, &r, err, sizeof err) != 0) fail_msg("%s", err);
    unsigned char *b;
    size_t n;
    assert_int_equal(receipt_encode(&r, &b, &n, err, sizeof err), 0);
    escpos_doc_t d;
    assert_int_equal(escpos_decode(b, n, &d), 0);
    assert_int_equal(escpos_doc_count(&d, native ? ESCPOS_ITEM_QR : ESCPOS_ITEM_RASTER), 1);
    SDL_Surface *s = vprinter_render(&d, 58, err, sizeof err);
    if (!s) fail_msg("%s", err);
    assert_int_equal(s->w, 384);
    char *got = zbar_decode(s);
    if (!got || strcmp(got, payload)) fail_msg("%s QR scanned as \"%s\", want \"%s\"", native ? "native" : "raster",
                                               got ? got : "(nothing)", payload);
    free(got);
    SDL_FreeSurface(s);
    escpos_doc_free(&d);
    free(b);
    receipt_free(&r);
}

static void rendered_receipt_qr_scans(void **state)
{
    rendered_qr_scans("https://hub.example/v1/receipts/KIOSK20261129000042?v=8f3a2c", 1);
    rendered_qr_scans("https://hub.example/v1/receipts/KIOSK20261129000042?v=8f3a2c", 0);
    rendered_qr_scans("幸福里社区 水费 ￥128.50 KIOSK20261129000042", 1);
    rendered_qr_scans("幸福里社区 水费 ￥128.50 KIOSK20261129000042", 0);
}

/* The sample receipt through the whole path: PNG and text files written,
 * the PNG read back, its QR scanned. */
static void rendered_sample_files(void **state)
{
    size_t n;
    unsigned char *b = sample_bytes(&n, 1);
    char dir[] = "/tmp/test_printer.XXXXXX", png[80], txt[80], err[300];
    assert_non_null(mkdtemp(dir));
    snprintf(png, sizeof png, "%s/r.png", dir);
    snprintf(txt, sizeof txt, "%s/r.txt", dir);
    if (vprinter_save(b, n, 58, png, txt, err, sizeof err) != 0) fail_msg("%s", err);
    SDL_Surface *raw = IMG_Load(png);
    assert_non_null(raw);
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    assert_int_equal(s->w, 384);
    assert_true(s->h > 600);
    /* Only paper white and ink: a 1-bit thermal print. */
    int ink = 0;
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            Uint32 p = ((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x] & 0xFFFFFF;
            assert_true(p == 0xFFFFFF || p == 0x1E1E1E);
            ink += p != 0xFFFFFF;
        }
    assert_true(ink > 5000);
    char *got = zbar_decode(s);
    assert_non_null(got);
    assert_string_equal(got, "https://hub.example/v1/receipts/KIOSK20261129000042?v=8f3a2c");
    free(got);
    SDL_FreeSurface(s);
    FILE *f = fopen(txt, "r");
    assert_non_null(f);
    char text[4096];
    size_t got_n = fread(text, 1, sizeof text - 1, f);
    text[got_n] = '\0';
    fclose(f);
    assert_non_null(strstr(text, "幸福里社区\n"));
    assert_non_null(strstr(text, "3702****1234"));
    assert_non_null(strstr(text, "[QR https://hub.example/v1/receipts/KIOSK20261129000042?v=8f3a2c]"));
    assert_non_null(strstr(text, "partial cut"));
    assert_null(strstr(text, "370202"));            /* masked */
    unlink(png);
    unlink(txt);
    rmdir(dir);
    free(b);
}

/* ---------------------------------------- the driver, virtual printer */

static void driver_prints_and_waits_for_ready(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 0, 0);
    printer_t p;
    open_tcp(&p, v);
    printer_status_t st;
    assert_int_equal(printer_status(&p, &st), 0);
    assert_int_equal(st.state, ESCPOS_READY);
    for (int n = 1; n <= 4; n++) assert_true(st.flags.have[n]);
    size_t n;
    unsigned char *b = sample_bytes(&n, 1);
    printer_result_t r;
    assert_int_equal(printer_print(&p, b, n, &r), 0);
    assert_true(r.printed);
    assert_false(r.paper_ran_out);
    assert_int_equal(r.bytes, n);
    assert_int_equal(r.state, ESCPOS_READY);
    /* The printer answered after the job, so it has it all already. */
    assert_int_equal(vprinter_receipt_count(v), 1);
    size_t got_n;
    unsigned char *got = vprinter_receipt(v, 0, &got_n);
    assert_int_equal(got_n, n);
    assert_memory_equal(got, b, n);
    free(got);
    assert_true(vprinter_status_requests(v) >= 8);
    printer_close(&p);
    vprinter_stop(v);
    free(b);
}

static void driver_near_end_still_prints(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_NEAR_END, 0, 0);
    printer_t p;
    open_tcp(&p, v);
    printer_result_t r;
    assert_int_equal(printer_print(&p, (const unsigned char *)"\x1b@hello\n\x1dV\x42\x00", 13, &r), 0);
    assert_true(r.printed);
    assert_int_equal(r.state, ESCPOS_PAPER_NEAR_END);
    assert_non_null(strstr(r.message, "replace it soon"));
    printer_close(&p);
    vprinter_stop(v);
}

/* Paper out, cover open, offline, cutter error: refused before a byte of
 * the job is sent, with the reason. */
static void driver_refuses_when_not_ready(void **state)
{
    struct {
        vprinter_state_t sim;
        escpos_state_t want;
        const char *says;
    } cases[] = {
        {VPRINTER_PAPER_OUT, ESCPOS_PAPER_OUT, "out of paper"},
        {VPRINTER_COVER_OPEN, ESCPOS_COVER_OPEN, "cover is open"},
        {VPRINTER_OFFLINE, ESCPOS_OFFLINE, "offline"},
        {VPRINTER_CUTTER_ERROR, ESCPOS_ERROR, "cutter"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        vprinter_t *v = start_printer(cases[i].sim, 0, 0);
        printer_t p;
        open_tcp(&p, v);
        printer_status_t st;
        assert_int_equal(printer_status(&p, &st), 0);
        assert_int_equal(st.state, cases[i].want);
        printer_result_t r;
        assert_int_equal(printer_print(&p, (const unsigned char *)"\x1b@hello\n", 8, &r), -1);
        assert_false(r.printed);
        assert_int_equal(r.state, cases[i].want);
        assert_int_equal(r.bytes, 0);
        if (!strstr(r.message, cases[i].says) || !strstr(r.message, "not printed"))
            fail_msg("%s: \"%s\"", escpos_state_name(cases[i].want), r.message);
        assert_int_equal(vprinter_data_bytes(v), 0);
        printer_close(&p);
        vprinter_stop(v);
    }
}

static void driver_reports_paper_running_out(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 0, 0);
    vprinter_set_paper_out_after(v, 200);
    printer_t p;
    open_tcp(&p, v);
    size_t n;
    unsigned char *b = sample_bytes(&n, 1);
    printer_result_t r;
    assert_int_equal(printer_print(&p, b, n, &r), -1);
    assert_false(r.printed);
    assert_true(r.paper_ran_out);
    assert_int_equal(r.state, ESCPOS_PAPER_OUT);
    assert_int_equal(r.bytes, n);
    assert_non_null(strstr(r.message, "paper ran out while printing"));
    assert_true(vprinter_dropped(v) > 0);
    /* Staff load paper: the reprint goes through. */
    vprinter_set_state(v, VPRINTER_READY);
    assert_int_equal(printer_print(&p, b, n, &r), 0);
    assert_true(r.printed);
    printer_close(&p);
    vprinter_stop(v);
    free(b);
}

static void driver_no_answer_is_bounded(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_NO_ANSWER, 0, 0);
    char uri[80], err[300];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d?timeout=300", vprinter_port(v));
    printer_t p;
    assert_int_equal(printer_open(&p, uri, err, sizeof err), 0);
    assert_int_equal(p.status_timeout_ms, 300);
    long t0 = now_ms();
    printer_status_t st;
    assert_int_equal(printer_status(&p, &st), -1);
    long took = now_ms() - t0;
    assert_int_equal(st.state, ESCPOS_NOT_ANSWERING);
    assert_non_null(strstr(st.message, "printer not answering"));
    assert_true(took >= 250 && took < 1000);
    printer_result_t r;
    t0 = now_ms();
    assert_int_equal(printer_print(&p, (const unsigned char *)"x\n", 2, &r), -1);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(r.state, ESCPOS_NOT_ANSWERING);
    assert_non_null(strstr(r.message, "not printed: "));
    assert_int_equal(vprinter_data_bytes(v), 0);
    printer_close(&p);
    vprinter_stop(v);
}

/* A printer that reports offline while it cuts: the job counts as printed
 * only once it reports ready again. */
static void driver_waits_while_busy(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 400, 0);
    printer_t p;
    open_tcp(&p, v);
    long t0 = now_ms();
    printer_result_t r;
    assert_int_equal(printer_print(&p, (const unsigned char *)"\x1b@receipt\n\x1dV\x42\x00", 15, &r), 0);
    long took = now_ms() - t0;
    assert_true(r.printed);
    assert_int_equal(r.state, ESCPOS_READY);
    assert_true(took >= 350);
    /* Never ready: a bounded wait, then the reason. */
    vprinter_t *v2 = start_printer(VPRINTER_READY, 5000, 0);
    printer_t p2;
    open_tcp(&p2, v2);
    p2.ready_timeout_ms = 300;
    t0 = now_ms();
    assert_int_equal(printer_print(&p2, (const unsigned char *)"\x1b@x\n\x1dV\x42\x00", 8, &r), -1);
    assert_true(now_ms() - t0 < 1500);
    assert_false(r.printed);
    assert_int_equal(r.state, ESCPOS_OFFLINE);
    assert_non_null(strstr(r.message, "did not report ready within 300 ms"));
    printer_close(&p2);
    vprinter_stop(v2);
    printer_close(&p);
    vprinter_stop(v);
}

static void *open_cover_later(void *arg)
{
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
    vprinter_set_state(arg, VPRINTER_COVER_OPEN);
    return NULL;
}

/* The cover opened while the printer finishes the job: the wait ends at
 * once with that reason, not at the timeout. */
static void driver_cover_opened_mid_job(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 2000, 0);
    printer_t p;
    open_tcp(&p, v);
    p.ready_timeout_ms = 5000;
    pthread_t t;
    pthread_create(&t, NULL, open_cover_later, v);
    long t0 = now_ms();
    printer_result_t r;
    assert_int_equal(printer_print(&p, (const unsigned char *)"\x1b@abc\n\x1dV\x42\x00", 10, &r), -1);
    long took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_true(took >= 150 && took < 1500);
    assert_false(r.printed);
    assert_false(r.paper_ran_out);
    assert_int_equal(r.state, ESCPOS_COVER_OPEN);
    assert_non_null(strstr(r.message, "cover opened while printing"));
    printer_close(&p);
    vprinter_stop(v);
}

static void driver_serial_pty_and_file(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 0, 1);
    char uri[128], err[300];
    snprintf(uri, sizeof uri, "serial:%s?baud=115200", vprinter_pty_path(v));
    printer_t p;
    if (printer_open(&p, uri, err, sizeof err) != 0) fail_msg("%s", err);
    p.poll_ms = 20;
    size_t n;
    unsigned char *b = sample_bytes(&n, 0);
    printer_result_t r;
    assert_int_equal(printer_print(&p, b, n, &r), 0);
    assert_true(r.printed);
    assert_int_equal(vprinter_wait_receipts(v, 1, 2000), 0);
    size_t got_n;
    unsigned char *got = vprinter_receipt(v, 0, &got_n);
    assert_int_equal(got_n, n);
    assert_memory_equal(got, b, n);
    free(got);
    printer_close(&p);
    vprinter_stop(v);

    /* file: has no status: written, state unknown. */
    char path[] = "/tmp/test_printer.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(uri, sizeof uri, "file:%s", path);
    assert_int_equal(printer_open(&p, uri, err, sizeof err), 0);
    printer_status_t st;
    assert_int_equal(printer_status(&p, &st), 0);
    assert_int_equal(st.state, ESCPOS_UNKNOWN);
    assert_int_equal(printer_print(&p, b, n, &r), 0);
    assert_true(r.printed);
    assert_int_equal(r.state, ESCPOS_UNKNOWN);
    printer_close(&p);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((size_t)sb.st_size, n);
    unlink(path);
    free(b);
}

static void driver_missing_device_fails_fast(void **state)
{
    /* A port that was just free: nothing listens there. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
    close(s);
    char uri[64], err[300];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    printer_t p;
    long t0 = now_ms();
    assert_int_equal(printer_open(&p, uri, err, sizeof err), -1);
    assert_true(now_ms() - t0 < 1000);
    assert_non_null(strstr(err, "Connection refused"));
    assert_non_null(strstr(err, "127.0.0.1"));
    assert_int_equal(printer_open(&p, "usb:/dev/nonexistent", err, sizeof err), -1);
    assert_string_equal(err, "/dev/nonexistent: No such file or directory");
    assert_int_equal(printer_open(&p, "v4l2:/dev/video0", err, sizeof err), -1);
    assert_non_null(strstr(err, "a printer needs"));
    assert_int_equal(printer_open(&p, "lpt1", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown scheme"));
}

/* The printer closes the connection mid-job: a clear error, no SIGPIPE. */
static void driver_connection_lost(void **state)
{
    vprinter_t *v = start_printer(VPRINTER_READY, 0, 0);
    printer_t p;
    open_tcp(&p, v);
    printer_status_t st;
    assert_int_equal(printer_status(&p, &st), 0);
    vprinter_stop(v);       /* closes every connection */
    unsigned char *big = calloc(1, 1 << 20);
    printer_result_t r;
    assert_int_equal(printer_print(&p, big, 1 << 20, &r), -1);
    assert_false(r.printed);
    assert_true(strlen(r.message) > 10);
    free(big);
    printer_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encoder_basic_commands),
        cmocka_unit_test(encoder_qr_sequence),
        cmocka_unit_test(encoder_raster_header),
        cmocka_unit_test(encoder_chinese_gb18030),
        cmocka_unit_test(wrapping_widths),
        cmocka_unit_test(status_bytes),
        cmocka_unit_test(decode_encode_roundtrip),
        cmocka_unit_test(decode_is_safe_and_faithful),
        cmocka_unit_test(receipt_json_errors),
        cmocka_unit_test(receipt_sample_encodes),
        cmocka_unit_test(receipt_logo_image),
        cmocka_unit_test(rendered_receipt_qr_scans),
        cmocka_unit_test(rendered_sample_files),
        cmocka_unit_test(driver_prints_and_waits_for_ready),
        cmocka_unit_test(driver_near_end_still_prints),
        cmocka_unit_test(driver_refuses_when_not_ready),
        cmocka_unit_test(driver_reports_paper_running_out),
        cmocka_unit_test(driver_no_answer_is_bounded),
        cmocka_unit_test(driver_waits_while_busy),
        cmocka_unit_test(driver_cover_opened_mid_job),
        cmocka_unit_test(driver_serial_pty_and_file),
        cmocka_unit_test(driver_missing_device_fails_fast),
        cmocka_unit_test(driver_connection_lost),
    };
    return cmocka_run_group_tests_name("printer", tests, NULL, NULL);
}
