/* QR scanning: payload classes, text decoding (GBK through a real QR code),
 * repeat suppression, wedge-scanner key decoding, the image: source over a
 * folder of generated pictures, the camera's frame conversion and the
 * errors of missing devices. A real virtual keyboard (uinput) is used when
 * the machine offers one; otherwise that test is skipped with a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_image.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <linux/videodev2.h>
#include <pthread.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "scanner/dedupe.h"
#include "scanner/evdev.h"
#include "scanner/hid_keys.h"
#include "scanner/image_source.h"
#include "scanner/qr_classify.h"
#include "scanner/qr_decode.h"
#include "scanner/scanner.h"
#include "scanner/text_decode.h"
#include "utf8.h"
#include "scanner/v4l2.h"

/* ---- helpers ------------------------------------------------------------ */

static qr_class_t classify(const char *s, qr_info_t *info)
{
    return qr_classify(s, strlen(s), info);
}

static void assert_other(const char *s, const char *reason_part)
{
    qr_info_t info;
    if (classify(s, &info) != QR_CLASS_OTHER) fail_msg("\"%s\" classified as %s", s, qr_class_name(info.cls));
    if (reason_part) {
        if (!strstr(info.reason, reason_part))
            fail_msg("\"%s\": reason \"%s\" lacks \"%s\"", s, info.reason, reason_part);
    } else {
        assert_string_equal(info.reason, "");
    }
}

static char *digits(const char *prefix, size_t n)
{
    static char buf[64];
    size_t p = strlen(prefix);
    memcpy(buf, prefix, p);
    for (size_t i = p; i < n; i++) buf[i] = (char)('0' + (i * 7 + 3) % 10);
    buf[n] = '\0';
    return buf;
}

/* UTF-8 -> CHARSET bytes into OUT; returns the length. */
static size_t iconv_to(const char *charset, const char *utf8, char *out, size_t cap)
{
    iconv_t cd = iconv_open(charset, "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *ip = (char *)utf8, *op = out;
    size_t il = strlen(utf8), ol = cap;
    assert_int_not_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
    iconv_close(cd);
    return cap - ol;
}

/* A Y800 canvas. */
typedef struct {
    int w, h;
    uint8_t *px;
} canvas_t;

static canvas_t canvas_new(int w, int h)
{
    canvas_t c = {w, h, malloc((size_t)w * h)};
    assert_non_null(c.px);
    memset(c.px, 0xFF, (size_t)w * h);
    return c;
}

/* Draws LEN bytes as a QR code (8-bit mode), K pixels a module, with its
 * top-left corner (quiet zone included, 4 modules) at X, Y. Returns the
 * code's total side in pixels. */
static int draw_qr(canvas_t *c, const void *data, size_t len, int k, int x0, int y0)
{
    QRcode *q = QRcode_encodeData((int)len, data, 0, QR_ECLEVEL_M);
    assert_non_null(q);
    int side = (q->width + 8) * k;
    assert_true(x0 + side <= c->w && y0 + side <= c->h);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1)
                for (int dy = 0; dy < k; dy++)
                    memset(c->px + (size_t)(y0 + (y + 4) * k + dy) * c->w + x0 + (x + 4) * k, 0, (size_t)k);
    QRcode_free(q);
    return side;
}

/* Saves a canvas as PNG (or JPEG when JPEG). */
static void canvas_save(const canvas_t *c, const char *path, int jpeg)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, c->w, c->h, 24, SDL_PIXELFORMAT_RGB24);
    assert_non_null(s);
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++) {
            uint8_t *p = (uint8_t *)s->pixels + y * s->pitch + x * 3;
            p[0] = p[1] = p[2] = c->px[(size_t)y * c->w + x];
        }
    assert_int_equal(jpeg ? IMG_SaveJPG(s, path, 92) : IMG_SavePNG(s, path), 0);
    SDL_FreeSurface(s);
}

/* A one-code picture at PATH. */
static void save_code(const char *path, const void *data, size_t len, int jpeg)
{
    canvas_t c = canvas_new(400, 400);
    draw_qr(&c, data, len, 5, 20, 20);
    canvas_save(&c, path, jpeg);
    free(c.px);
}

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_scanner.XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d) return;
    struct dirent *de;
    char p[512];
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(tmpdir);
}

static const char *tmp_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

/* ---- classification ----------------------------------------------------- */

static void classify_paper_bill(void **state)
{
    qr_info_t info;
    assert_int_equal(classify("XFL-BILL:1:water:3702031056:2026-11:4100:39", &info), QR_CLASS_PAPER_BILL);
    assert_string_equal(info.bill.utility, "water");
    assert_string_equal(info.bill.account, "3702031056");
    assert_string_equal(info.bill.period, "2026-11");
    assert_int_equal(info.bill.year, 2026);
    assert_int_equal(info.bill.month, 11);
    assert_int_equal(info.bill.amount_fen, 4100);
    assert_string_equal(info.bill.check, "39");
    assert_string_equal(info.reason, "");

    /* The field limits, with check digits from the documented formula. */
    assert_int_equal(classify("XFL-BILL:1:electricity:110108000123:2025-12:1:25", &info), QR_CLASS_PAPER_BILL);
    assert_int_equal(info.bill.amount_fen, 1);
    assert_int_equal(classify("XFL-BILL:1:heating:9876543210987654321:2099-12:9999999999:17", &info),
                     QR_CLASS_PAPER_BILL);
    assert_int_equal(info.bill.amount_fen, 9999999999LL);
    assert_int_equal(classify("XFL-BILL:1:gas:123456:2000-01:0:77", &info), QR_CLASS_PAPER_BILL);
    char check[3];
    assert_int_equal(billqr_check("37020310562026114100", 20, check), 0);
    assert_string_equal(check, "39");
    assert_int_equal(billqr_check("12a", 3, check), -1);

    /* One trailing line break is tolerated, nothing more. */
    assert_int_equal(classify("XFL-BILL:1:water:3702031056:2026-11:4100:39\r\n", &info), QR_CLASS_PAPER_BILL);
    assert_int_equal(classify("XFL-BILL:1:water:3702031056:2026-11:4100:39\n", &info), QR_CLASS_PAPER_BILL);
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100:39 ", "check must be 2 digits");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100:39\n\n", "check must be 2 digits");
}

static void classify_paper_bill_refused(void **state)
{
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100:38", "check digits do not match");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4101:39", "check digits do not match");
    assert_other("XFL-BILL:1:water:3702031057:2026-11:4100:39", "check digits do not match");
    assert_other("XFL-BILL:2:water:3702031056:2026-11:4100:39", "version");
    assert_other("XFL-BILL:1:phone:3702031056:2026-11:4100:39", "utility");
    assert_other("XFL-BILL:1:Water:3702031056:2026-11:4100:39", "utility");
    assert_other("XFL-BILL:1:water:37020:2026-11:4100:39", "account");
    assert_other("XFL-BILL:1:water:123456789012345678901:2026-11:4100:39", "account");
    assert_other("XFL-BILL:1:water:37020310a6:2026-11:4100:39", "account");
    assert_other("XFL-BILL:1:water:3702031056:1999-12:4100:39", "period");
    assert_other("XFL-BILL:1:water:3702031056:2100-01:4100:39", "period");
    assert_other("XFL-BILL:1:water:3702031056:2026-13:4100:39", "period");
    assert_other("XFL-BILL:1:water:3702031056:2026-00:4100:39", "period");
    assert_other("XFL-BILL:1:water:3702031056:202611:4100:39", "period");
    assert_other("XFL-BILL:1:water:3702031056:2026-11::39", "amount");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:12345678901:39", "amount");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100:3", "check must be 2 digits");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100", "7 fields");
    assert_other("XFL-BILL:1:water:3702031056:2026-11:4100:39:x", "7 fields");
    char longer[200];
    snprintf(longer, sizeof longer, "XFL-BILL:1:water:3702031056:2026-11:4100:39%0120d", 0);
    assert_other(longer, "longer than 128");
    assert_other("xfl-bill:1:water:3702031056:2026-11:4100:39", NULL);
}

static void classify_payment_codes(void **state)
{
    qr_info_t info;
    /* WeChat: exactly 18 digits, 10-15. */
    for (int p = 10; p <= 15; p++) {
        char pre[12];
        snprintf(pre, sizeof pre, "%d", p);
        assert_int_equal(classify(digits(pre, 18), &info), QR_CLASS_PAYMENT_CODE);
        assert_int_equal(info.pay.wallet, QR_WALLET_WECHAT);
        assert_string_equal(info.pay.code, digits(pre, 18));
        assert_string_equal(qr_wallet_name(info.pay.wallet), "wechat");
    }
    assert_int_equal(classify("134567890123456789", &info), QR_CLASS_PAYMENT_CODE);
    assert_other(digits("13", 17), "not a payment code");
    assert_other(digits("13", 19), "not a payment code");
    assert_other(digits("09", 18), "not a payment code");
    assert_other(digits("16", 18), "not a payment code");
    /* Alipay: 16-24 digits, 25-30. */
    assert_int_equal(classify(digits("25", 16), &info), QR_CLASS_PAYMENT_CODE);
    assert_int_equal(info.pay.wallet, QR_WALLET_ALIPAY);
    assert_string_equal(qr_wallet_name(info.pay.wallet), "alipay");
    assert_int_equal(classify(digits("30", 24), &info), QR_CLASS_PAYMENT_CODE);
    assert_int_equal(info.pay.wallet, QR_WALLET_ALIPAY);
    assert_string_equal(info.pay.code, digits("30", 24));
    assert_int_equal(classify(digits("28", 18), &info), QR_CLASS_PAYMENT_CODE);
    assert_int_equal(info.pay.wallet, QR_WALLET_ALIPAY);
    assert_other(digits("28", 15), "not a payment code");
    assert_other(digits("28", 25), "not a payment code");
    assert_other(digits("24", 18), "not a payment code");
    assert_other(digits("31", 20), "not a payment code");
    /* Not digits only, or short: plain OTHER. */
    assert_other("13456789012345678 ", NULL);
    assert_other("1345678901234567x9", NULL);
    assert_other("13456", NULL);
    /* A line break after the digits (some scanners add one) is fine. */
    assert_int_equal(classify("134567890123456789\n", &info), QR_CLASS_PAYMENT_CODE);
    assert_string_equal(info.pay.code, "134567890123456789");
}

static void classify_resident_code(void **state)
{
    /* The shape is common/rescode.c's (tested there): here, that the
     * classifier takes it and passes the codec's reason on. */
    qr_info_t info;
    const char *good = "XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF";
    char s[400];
    assert_int_equal(classify(good, &info), QR_CLASS_RESIDENT_CODE);
    assert_string_equal(info.resident.code, "K7M2QX9ABZ");
    assert_string_equal(info.resident.resident, "R12");
    assert_int_equal(info.resident.issued, 1796000000LL);
    assert_int_equal(info.resident.expires, 1827536000LL);
    assert_string_equal(info.resident.mac, "0123456789ABCDEF0123456789ABCDEF");
    /* A line break after it (some scanners add one) is fine. */
    snprintf(s, sizeof s, "%s\r\n", good);
    assert_int_equal(classify(s, &info), QR_CLASS_RESIDENT_CODE);

    assert_other("XFL-RES:2:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "XFL-RES:1:");
    assert_other("XFL-RES:1:K7M2QX9AB:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "code id");
    assert_other("XFL-RES:1:K7M2QX9ABZ:370203196803120315:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF",
                 "reference");
    assert_other("XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789abcdef0123456789abcdef", "MAC");
    assert_other("XFL-RES:1:R-000123:1798761600", "7 fields");
    snprintf(s, sizeof s, "%s%0200d", good, 0);
    assert_other(s, "longer");
    assert_int_equal(classify("XFL-RES:1:R-000123:1798761600", &info), QR_CLASS_OTHER);
    assert_int_equal(info.near_miss, QR_CLASS_RESIDENT_CODE);
}

static void classify_booking_code(void **state)
{
    qr_info_t info;
    assert_int_equal(classify("XFL-BOOK:7K3M9QXA", &info), QR_CLASS_BOOKING_CODE);
    assert_string_equal(info.booking.code, "7K3M9QXA");
    assert_int_equal(classify("XFL-BOOK:7k3m9qxa", &info), QR_CLASS_BOOKING_CODE);
    assert_string_equal(info.booking.code, "7K3M9QXA");
    assert_int_equal(classify("7K3M9QXA", &info), QR_CLASS_BOOKING_CODE);
    assert_string_equal(info.booking.code, "7K3M9QXA");
    assert_int_equal(classify("23456789", &info), QR_CLASS_BOOKING_CODE);
    assert_other("7k3m9qxa", NULL);          /* bare codes: upper case only */
    assert_other("7K3M9QX", NULL);
    assert_other("7K3M9QXAB", NULL);
    assert_other("7K3M9QX0", NULL);          /* 0, O, 1, I, L are not in the alphabet */
    assert_other("7K3M9QXO", NULL);
    assert_other("7K3M9QX1", NULL);
    assert_other("7K3M9QXI", NULL);
    assert_other("7K3M9QXL", NULL);
    /* The six-digit codes, with the prefix only (never a leading zero). */
    assert_int_equal(classify("XFL-BOOK:482913", &info), QR_CLASS_BOOKING_CODE);
    assert_string_equal(info.booking.code, "482913");
    assert_int_equal(classify("XFL-BOOK:482913\r\n", &info), QR_CLASS_BOOKING_CODE);
    assert_string_equal(info.booking.code, "482913");
    assert_other("482913", NULL);
    assert_other("XFL-BOOK:082913", "check-in code");
    assert_other("XFL-BOOK:48291", "check-in code");
    assert_other("XFL-BOOK:4829134", "check-in code");
    assert_other("XFL-BOOK:48291A", "check-in code");
    assert_other("XFL-BOOK:7K3M9QX", "check-in code");
    assert_other("XFL-BOOK:7K3M9QXO", "check-in code");
    assert_other("XFL-BOOK:", "check-in code");
    assert_int_equal(classify("XFL-BOOK:7K3M9QXO", &info), QR_CLASS_OTHER);
    assert_string_equal(info.booking.code, "");
}

static void classify_url_and_other(void **state)
{
    qr_info_t info;
    assert_int_equal(classify("https://hub.example/v1/pay/KIOSK-20261129-000042", &info), QR_CLASS_URL);
    assert_string_equal(info.url.scheme, "https");
    assert_string_equal(info.url.host, "hub.example");
    assert_int_equal(classify("HTTP://User:pw@Hub.Example:8470?x=1", &info), QR_CLASS_URL);
    assert_string_equal(info.url.scheme, "http");
    assert_string_equal(info.url.host, "Hub.Example");
    assert_int_equal(classify("http://[2001:db8::1]:8080/a", &info), QR_CLASS_URL);
    assert_string_equal(info.url.host, "[2001:db8::1]");
    assert_other("http://", NULL);
    assert_other("https:///path", NULL);
    assert_other("http://:80/", NULL);
    assert_other("http://[2001:db8::1/", NULL);
    assert_other("https://hub.example/a b", NULL);
    assert_other("weixin://wxpay/bizpayurl?pr=AbCdEfG", NULL);
    assert_other("ftp://hub.example/", NULL);
    assert_other("幸福里社区 供暖服务热线 6123 4567", NULL);
    assert_other("", NULL);
    assert_other("\n", NULL);
    assert_int_equal(qr_classify("7K3M9QXA\0", 9, &info), QR_CLASS_OTHER);   /* a NUL inside */
    assert_int_equal(qr_classify(NULL, 0, &info), QR_CLASS_OTHER);
    assert_string_equal(qr_class_name(QR_CLASS_PAPER_BILL), "paper_bill");
    assert_string_equal(qr_class_name(QR_CLASS_PAYMENT_CODE), "payment_code");
    assert_string_equal(qr_class_name(QR_CLASS_RESIDENT_CODE), "resident_code");
    assert_string_equal(qr_class_name(QR_CLASS_BOOKING_CODE), "booking_code");
    assert_string_equal(qr_class_name(QR_CLASS_URL), "url");
    assert_string_equal(qr_class_name(QR_CLASS_OTHER), "other");
}

/* ---- text decoding ------------------------------------------------------ */

static void text_decode_utf8(void **state)
{
    char out[64];
    text_info_t ti;
    assert_int_equal(text_decode("abc", 3, out, sizeof out, &ti), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(ti.encoding, TEXT_UTF8);
    const char *zh = "幸福里社区";
    assert_int_equal(text_decode(zh, strlen(zh), out, sizeof out, &ti), (int)strlen(zh));
    assert_string_equal(out, zh);
    assert_int_equal(ti.encoding, TEXT_UTF8);
    assert_false(ti.bom);
    /* A byte-order mark is dropped. */
    assert_int_equal(text_decode("\xEF\xBB\xBF" "abc", 6, out, sizeof out, &ti), 3);
    assert_string_equal(out, "abc");
    assert_true(ti.bom);
    assert_int_equal(ti.encoding, TEXT_UTF8);
    /* Cut at a character boundary, never inside one. */
    assert_int_equal(text_decode(zh, strlen(zh), out, 8, &ti), 6);
    assert_string_equal(out, "幸福");
    assert_true(ti.truncated);
    /* NUL cannot live in a C string: U+FFFD. */
    assert_int_equal(text_decode("a\0b", 3, out, sizeof out, &ti), 5);
    assert_string_equal(out, "a\xEF\xBF\xBD" "b");
    assert_true(ti.replaced);
    assert_int_equal(ti.encoding, TEXT_UTF8);
    /* Empty input, bad arguments. */
    assert_int_equal(text_decode("", 0, out, sizeof out, &ti), 0);
    assert_string_equal(out, "");
    assert_int_equal(text_decode("abc", 3, out, 0, &ti), -1);
    char *big = calloc(1, TEXT_IN_MAX + 1);
    assert_non_null(big);
    memset(big, 'a', TEXT_IN_MAX + 1);
    assert_int_equal(text_decode(big, TEXT_IN_MAX + 1, out, sizeof out, &ti), -1);
    assert_string_equal(out, "");
    free(big);
    assert_string_equal(text_encoding_name(TEXT_UTF8), "utf-8");
    assert_string_equal(text_encoding_name(TEXT_GBK), "gbk");
    assert_string_equal(text_encoding_name(TEXT_LATIN1), "latin-1");
}

static void text_decode_gbk_and_latin1(void **state)
{
    char gbk[128], out[256];
    text_info_t ti;
    const char *zh = "幸福里小区3号楼 水费 ￥41.00";
    size_t n = iconv_to("GBK", zh, gbk, sizeof gbk);
    assert_false(utf8_valid(gbk, n));
    assert_int_equal(text_decode(gbk, n, out, sizeof out, &ti), (int)strlen(zh));
    assert_string_equal(out, zh);
    assert_int_equal(ti.encoding, TEXT_GBK);
    /* GB18030 four-byte sequences (outside GBK) decode too. */
    const char *emoji = "缴费成功😀";
    n = iconv_to("GB18030", emoji, gbk, sizeof gbk);
    assert_int_equal(text_decode(gbk, n, out, sizeof out, &ti), (int)strlen(emoji));
    assert_string_equal(out, emoji);
    assert_int_equal(ti.encoding, TEXT_GBK);
    /* Neither UTF-8 nor GB18030: Latin-1, every byte a character. */
    assert_int_equal(text_decode("caf\xE9", 4, out, sizeof out, &ti), 5);
    assert_string_equal(out, "café");
    assert_int_equal(ti.encoding, TEXT_LATIN1);
    const unsigned char bin[] = {0x80, 0xFF, 0x00, 0x41};
    assert_int_equal(text_decode(bin, sizeof bin, out, sizeof out, &ti), 8);
    assert_string_equal(out, "\xC2\x80\xC3\xBF\xEF\xBF\xBD" "A");
    assert_int_equal(ti.encoding, TEXT_LATIN1);
    assert_true(ti.replaced);
    /* Truncated Latin-1 and GBK stay whole characters. */
    /* E9 E9 E9: the last byte starts a GB18030 pair that never ends, so
     * Latin-1; one "é" fits in 3 bytes. */
    assert_int_equal(text_decode("\xE9\xE9\xE9", 3, out, 4, &ti), 2);
    assert_string_equal(out, "é");
    assert_int_equal(ti.encoding, TEXT_LATIN1);
    n = iconv_to("GBK", "幸福里", gbk, sizeof gbk);
    assert_int_equal(text_decode(gbk, n, out, 8, &ti), 6);
    assert_string_equal(out, "幸福");
    assert_true(ti.truncated);
}

/* ---- ZBar over rendered codes ------------------------------------------- */

static void qr_decode_gbk_utf8_binary(void **state)
{
    qr_decoder_t *d = qr_decoder_create();
    assert_non_null(d);
    qr_symbol_t syms[QR_DECODE_MAX_SYMBOLS];
    scanner_result_t *res = malloc(sizeof *res);
    assert_non_null(res);

    /* A GBK payload, as Chinese paper bills print them. */
    const char *zh = "幸福里社区 供暖费 2026-11 ￥2,350.00";
    char gbk[128];
    size_t n = iconv_to("GBK", zh, gbk, sizeof gbk);
    canvas_t c = canvas_new(400, 400);
    draw_qr(&c, gbk, n, 4, 10, 10);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS), 1);
    assert_int_equal(syms[0].len, n);
    assert_memory_equal(syms[0].data, gbk, n);
    scanner_fill_result(syms[0].data, syms[0].len, res);
    assert_string_equal(res->payload, zh);
    assert_int_equal(res->text.encoding, TEXT_GBK);
    assert_int_equal(res->info.cls, QR_CLASS_OTHER);
    free(c.px);

    /* UTF-8 text, with the same decoder (it is reused frame after frame). */
    c = canvas_new(400, 400);
    draw_qr(&c, "XFL-BILL:1:water:3702031056:2026-11:4100:39", 43, 4, 10, 10);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS), 1);
    scanner_fill_result(syms[0].data, syms[0].len, res);
    assert_string_equal(res->payload, "XFL-BILL:1:water:3702031056:2026-11:4100:39");
    assert_int_equal(res->text.encoding, TEXT_UTF8);
    assert_int_equal(res->info.cls, QR_CLASS_PAPER_BILL);
    free(c.px);

    const char *utf8 = "缴费请扫码 https://hub.example/n/42";
    c = canvas_new(400, 400);
    draw_qr(&c, utf8, strlen(utf8), 4, 10, 10);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS), 1);
    scanner_fill_result(syms[0].data, syms[0].len, res);
    assert_string_equal(res->payload, utf8);
    assert_int_equal(res->text.encoding, TEXT_UTF8);
    free(c.px);

    /* Every byte value, NUL included, comes back as it was encoded. */
    unsigned char bin[256];
    for (int i = 0; i < 256; i++) bin[i] = (unsigned char)(255 - i);
    c = canvas_new(600, 600);
    draw_qr(&c, bin, sizeof bin, 4, 10, 10);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS), 1);
    assert_int_equal(syms[0].len, sizeof bin);
    assert_memory_equal(syms[0].data, bin, sizeof bin);
    scanner_fill_result(syms[0].data, syms[0].len, res);
    assert_int_equal(res->text.encoding, TEXT_LATIN1);
    assert_true(res->text.replaced);
    assert_true(utf8_valid(res->payload, res->len));
    assert_int_equal(res->len, strlen(res->payload));
    free(c.px);

    /* Two codes in one frame; then a frame without any. */
    c = canvas_new(640, 480);
    int side = draw_qr(&c, "7K3M9QXA", 8, 4, 10, 10);
    draw_qr(&c, "134567890123456789", 18, 4, 10 + side + 20, 10);
    int k = qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS);
    assert_int_equal(k, 2);
    int seen_book = 0, seen_pay = 0;
    for (int i = 0; i < k; i++) {
        seen_book |= syms[i].len == 8 && !memcmp(syms[i].data, "7K3M9QXA", 8);
        seen_pay |= syms[i].len == 18 && !memcmp(syms[i].data, "134567890123456789", 18);
    }
    assert_true(seen_book && seen_pay);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, 1), 1);
    memset(c.px, 0xFF, (size_t)c.w * c.h);
    assert_int_equal(qr_decode_frame(d, c.px, c.w, c.h, syms, QR_DECODE_MAX_SYMBOLS), 0);
    assert_int_equal(qr_decode_frame(d, c.px, 0, c.h, syms, QR_DECODE_MAX_SYMBOLS), -1);
    free(c.px);
    free(res);
    qr_decoder_free(d);
}

/* ---- repeat suppression ------------------------------------------------- */

static void dedupe_window(void **state)
{
    qr_dedupe_t d;
    qr_dedupe_init(&d, 3000);
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 1000), 1);
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 1040), 0);      /* the next frame */
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 3900), 0);      /* still in view: window slides */
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 6899), 0);      /* 2999 ms after the last sighting */
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 9899), 1);      /* out of view for the whole window */
    /* Two codes alternating do not re-deliver each other. */
    assert_int_equal(qr_dedupe_check(&d, "B", 1, 9900), 1);
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 9950), 0);
    assert_int_equal(qr_dedupe_check(&d, "B", 1, 9990), 0);
    /* Same prefix, other length: another payload. */
    assert_int_equal(qr_dedupe_check(&d, "AB", 2, 9995), 1);
    /* A clock going backwards counts as just seen. */
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 5000), 0);
    /* Full table: the oldest goes, the newest stay. */
    char p[16];
    for (int i = 0; i < QR_DEDUPE_SLOTS + 2; i++) {
        snprintf(p, sizeof p, "P%d", i);
        assert_int_equal(qr_dedupe_check(&d, p, strlen(p), 20000 + i), 1);
    }
    snprintf(p, sizeof p, "P%d", QR_DEDUPE_SLOTS + 1);
    assert_int_equal(qr_dedupe_check(&d, p, strlen(p), 20100), 0);
    assert_int_equal(qr_dedupe_check(&d, "B", 1, 20101), 1);    /* evicted */
    /* Reset forgets; window 0 delivers everything. */
    qr_dedupe_reset(&d);
    assert_int_equal(qr_dedupe_check(&d, "B", 1, 20102), 1);
    qr_dedupe_init(&d, 0);
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 1), 1);
    assert_int_equal(qr_dedupe_check(&d, "A", 1, 1), 1);
}

/* ---- wedge scanner keys ------------------------------------------------- */

/* Types S into K as a scanner does (Shift pressed around upper-case and
 * shifted symbols, left or right Shift by turns), then Enter. Returns the
 * last status. */
static hid_status_t type_line(hid_keys_t *k, const char *s, unsigned enter)
{
    static int right;
    hid_status_t st = HID_MORE;
    for (; *s; s++) {
        unsigned code = 0;
        int shift = 0;
        for (unsigned c = 1; c < KEY_KPDOT && !code; c++) {
            if (hid_keys_char(c, 0) == *s) code = c;
            else if (hid_keys_char(c, 1) == *s) code = c, shift = 1;
        }
        assert_int_not_equal(code, 0);
        unsigned sh = right ? KEY_RIGHTSHIFT : KEY_LEFTSHIFT;
        right = !right;
        if (shift) assert_int_equal(hid_keys_feed(k, sh, 1), HID_MORE);
        assert_int_equal(hid_keys_feed(k, code, 1), HID_MORE);
        assert_int_equal(hid_keys_feed(k, code, 0), HID_MORE);
        if (shift) assert_int_equal(hid_keys_feed(k, sh, 0), HID_MORE);
    }
    if (enter) {
        st = hid_keys_feed(k, enter, 1);
        assert_int_equal(hid_keys_feed(k, enter, 0), HID_MORE);
    }
    return st;
}

static void hid_keys_sequences(void **state)
{
    hid_keys_t k;
    hid_keys_init(&k);
    size_t len;
    const char *all = "XFL-BILL:1:water:3702031056:2026-11:4100:39 https://a.b/c?d=e&f=g#h "
                      "!@#$%^&*()_+{}|:\"<>?~`-=[]\\;',./ \tabcXYZ";
    assert_int_equal(type_line(&k, all, KEY_ENTER), HID_LINE);
    assert_string_equal(hid_keys_line(&k, &len), all);
    assert_int_equal(len, strlen(all));
    assert_int_equal(type_line(&k, "7K3M9QXA", KEY_KPENTER), HID_LINE);
    assert_string_equal(hid_keys_line(&k, NULL), "7K3M9QXA");

    /* Enter with nothing typed yields nothing, also right after a line. */
    assert_int_equal(hid_keys_feed(&k, KEY_ENTER, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_ENTER, 0), HID_MORE);

    /* Auto-repeat is ignored; a key types on press, not on release. */
    assert_int_equal(hid_keys_feed(&k, KEY_A, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_A, 2), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_A, 2), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_A, 0), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_B, 0), HID_MORE);
    /* Shift held by both hands: released one still leaves the other. */
    assert_int_equal(hid_keys_feed(&k, KEY_LEFTSHIFT, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_RIGHTSHIFT, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_LEFTSHIFT, 0), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_1, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_LEFTSHIFT, 2), HID_MORE);   /* repeat of a modifier */
    assert_int_equal(hid_keys_feed(&k, KEY_RIGHTSHIFT, 0), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_1, 1), HID_MORE);
    /* Keys that type nothing are ignored; odd values too. */
    assert_int_equal(hid_keys_feed(&k, KEY_LEFTCTRL, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_F1, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_C, 7), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_C, -1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_KP5, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_KPASTERISK, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_ENTER, 1), HID_LINE);
    assert_string_equal(hid_keys_line(&k, &len), "a!15*");
    assert_int_equal(len, 5);

    /* HID_LINE_MAX characters fit; one more drops the line at its Enter. */
    char *big = malloc(HID_LINE_MAX + 2);
    assert_non_null(big);
    memset(big, '7', HID_LINE_MAX);
    big[HID_LINE_MAX] = '\0';
    assert_int_equal(type_line(&k, big, KEY_ENTER), HID_LINE);
    assert_int_equal(strlen(hid_keys_line(&k, NULL)), HID_LINE_MAX);
    big[HID_LINE_MAX] = '8';
    big[HID_LINE_MAX + 1] = '\0';
    assert_int_equal(type_line(&k, big, 0), HID_MORE);
    assert_int_equal(type_line(&k, "more after the limit", KEY_ENTER), HID_TOO_LONG);
    assert_int_equal(hid_keys_feed(&k, KEY_ENTER, 1), HID_MORE);
    assert_int_equal(type_line(&k, "ok", KEY_ENTER), HID_LINE);
    assert_string_equal(hid_keys_line(&k, NULL), "ok");
    free(big);

    /* Reset drops a partial line and a stuck Shift. */
    assert_int_equal(hid_keys_feed(&k, KEY_LEFTSHIFT, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_Q, 1), HID_MORE);
    hid_keys_reset(&k);
    assert_int_equal(hid_keys_feed(&k, KEY_Q, 1), HID_MORE);
    assert_int_equal(hid_keys_feed(&k, KEY_ENTER, 1), HID_LINE);
    assert_string_equal(hid_keys_line(&k, NULL), "q");
}

/* ---- image: source ------------------------------------------------------ */

static void image_source_folder(void **state)
{
    make_tmpdir();
    const char *bill = "XFL-BILL:1:water:3702031056:2026-11:4100:39";
    const char *zh = "幸福里社区 水费";
    char gbk[64];
    size_t gbk_len = iconv_to("GBK", zh, gbk, sizeof gbk);
    canvas_t blank = canvas_new(320, 240);
    canvas_save(&blank, tmp_path("000-blank.png"), 0);
    save_code(tmp_path("001-bill.png"), bill, strlen(bill), 0);
    save_code(tmp_path("002-bill-again.PNG"), bill, strlen(bill), 0);
    canvas_save(&blank, tmp_path("003-blank.png"), 0);
    save_code(tmp_path("004-pay.jpg"), "134567890123456789", 18, 1);
    save_code(tmp_path("005-gbk.png"), gbk, gbk_len, 0);
    FILE *f = fopen(tmp_path("006-broken.png"), "w");
    assert_non_null(f);
    fputs("not a picture", f);
    fclose(f);
    save_code(tmp_path("007-url.jpeg"), "https://hub.example/n/42", 24, 1);
    f = fopen(tmp_path("notes.txt"), "w");
    assert_non_null(f);
    fputs("ignored", f);
    fclose(f);
    canvas_save(&blank, tmp_path(".hidden.png"), 0);
    free(blank.px);

    char err[300], uri[600];
    snprintf(uri, sizeof uri, "image:%s/", tmpdir);
    scanner_t *s = scanner_open(uri, err, sizeof err);
    if (!s) fail_msg("%s", err);
    assert_int_equal(scanner_kind(s), URI_IMAGE);
    scanner_result_t *r = malloc(sizeof *r);
    assert_non_null(r);

    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_string_equal(r->payload, bill);
    assert_int_equal(r->info.cls, QR_CLASS_PAPER_BILL);
    assert_non_null(strstr(r->source, "001-bill.png"));
    /* 002 repeats 001: suppressed; blanks give nothing. */
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_string_equal(r->payload, "134567890123456789");
    assert_int_equal(r->info.cls, QR_CLASS_PAYMENT_CODE);
    assert_int_equal(r->info.pay.wallet, QR_WALLET_WECHAT);
    assert_non_null(strstr(r->source, "004-pay.jpg"));
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_string_equal(r->payload, zh);
    assert_int_equal(r->text.encoding, TEXT_GBK);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_DROPPED);
    assert_non_null(strstr(r->error, "006-broken.png"));
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_int_equal(r->info.cls, QR_CLASS_URL);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_END);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_END);
    scanner_close(s);

    /* Without suppression both bill pictures count. A zero timeout looks
     * at one picture a call: the blank one times out. */
    s = scanner_open(uri, err, sizeof err);
    assert_non_null(s);
    scanner_set_dedupe_ms(s, 0);
    assert_int_equal(scanner_next(s, 0, r), SCANNER_TIMEOUT);
    assert_int_equal(scanner_next(s, 0, r), SCANNER_OK);
    assert_string_equal(r->payload, bill);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_string_equal(r->payload, bill);
    assert_non_null(strstr(r->source, "002-bill-again.PNG"));
    scanner_close(s);

    /* One file; a missing path; a folder without pictures. */
    snprintf(uri, sizeof uri, "image:%s", tmp_path("005-gbk.png"));
    s = scanner_open(uri, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_OK);
    assert_string_equal(r->payload, zh);
    assert_int_equal(scanner_next(s, 5000, r), SCANNER_END);
    scanner_close(s);
    snprintf(uri, sizeof uri, "image:%s", tmp_path("missing"));
    assert_null(scanner_open(uri, err, sizeof err));
    assert_non_null(strstr(err, "No such file or directory"));
    free(r);
    remove_tmpdir();
    make_tmpdir();
    snprintf(uri, sizeof uri, "image:%s", tmpdir);
    assert_null(scanner_open(uri, err, sizeof err));
    assert_non_null(strstr(err, "no PNG or JPEG files"));
    remove_tmpdir();
}

static void image_rgba_luma(void **state)
{
    const uint8_t px[] = {
        255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0,   /* row 0 */
        0, 0, 0, 0xAA,                                                  /* pitch padding */
        0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 128, 10, 20, 30, 255,  /* row 1 */
        0, 0, 0, 0xAA,
    };
    uint8_t y[8];
    image_src_rgba_to_y800(px, 4, 2, 20, y);
    assert_int_equal(y[0], 255);
    assert_int_equal(y[1], 0);
    assert_int_equal(y[2], 77);        /* red */
    assert_int_equal(y[3], 255);       /* transparent: the white behind it */
    assert_int_equal(y[4], 149);       /* green */
    assert_int_equal(y[5], 29);        /* blue */
    assert_int_equal(y[6], 127);       /* half-transparent black over white */
    assert_int_equal(y[7], 18);
}

/* ---- camera ------------------------------------------------------------- */

static void v4l2_frame_conversion(void **state)
{
    /* 4x2 YUYV with 2 bytes of padding a row: Y0 U Y1 V ... */
    const uint8_t yuyv[] = {
        10, 128, 20, 128, 30, 128, 40, 128, 0xEE, 0xEE,
        50, 100, 60, 200, 70, 100, 80, 200, 0xEE, 0xEE,
    };
    uint8_t y[8];
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv, 4, 2, 10, y, sizeof y), 0);
    const uint8_t want[] = {10, 20, 30, 40, 50, 60, 70, 80};
    assert_memory_equal(y, want, 8);
    /* The last row's padding may be missing; its pixels may not. */
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv - 2, 4, 2, 10, y, sizeof y), 0);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv - 3, 4, 2, 10, y, sizeof y), -1);
    /* Packed rows (bytesperline 0). */
    memset(y, 0, sizeof y);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, 16, 4, 2, 0, y, sizeof y), 0);
    const uint8_t packed[] = {10, 20, 30, 40, 0xEE, 50, 60, 70};
    assert_memory_equal(y, packed, 8);
    /* GREY is copied row by row. */
    const uint8_t grey[] = {1, 2, 3, 9, 4, 5, 6, 9};
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_GREY, grey, sizeof grey, 3, 2, 4, y, sizeof y), 0);
    const uint8_t gwant[] = {1, 2, 3, 4, 5, 6};
    assert_memory_equal(y, gwant, 6);
    /* Refused: compressed formats, bad sizes, a short destination, a stride
     * narrower than a row. */
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_MJPEG, yuyv, sizeof yuyv, 4, 2, 10, y, sizeof y), -1);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv, 0, 2, 10, y, sizeof y), -1);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv, 4, 2, 10, y, 7), -1);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, yuyv, sizeof yuyv, 4, 2, 6, y, sizeof y), -1);

    /* A 640x480 YUYV frame of a rendered code decodes after conversion. */
    canvas_t c = canvas_new(640, 480);
    draw_qr(&c, "XFL-BOOK:7K3M9QXA", 17, 5, 100, 50);
    uint8_t *frame = malloc(640 * 480 * 2);
    assert_non_null(frame);
    for (size_t i = 0; i < 640 * 480; i++) {
        frame[2 * i] = c.px[i];
        frame[2 * i + 1] = 128;
    }
    memset(c.px, 0x55, 640 * 480);
    assert_int_equal(v4l2_to_y800(V4L2_PIX_FMT_YUYV, frame, 640 * 480 * 2, 640, 480, 1280, c.px, 640 * 480), 0);
    qr_decoder_t *d = qr_decoder_create();
    qr_symbol_t sym;
    assert_int_equal(qr_decode_frame(d, c.px, 640, 480, &sym, 1), 1);
    assert_int_equal(sym.len, 17);
    assert_memory_equal(sym.data, "XFL-BOOK:7K3M9QXA", 17);
    qr_decoder_free(d);
    free(frame);
    free(c.px);
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void v4l2_missing_device(void **state)
{
    char err[300];
    v4l2_cam_t cam;
    long long t0 = mono_ms();
    assert_int_equal(v4l2_cam_open(&cam, "/dev/video99", 640, 480, err, sizeof err), -1);
    assert_true(mono_ms() - t0 < 1000);
    assert_string_equal(err, "/dev/video99: No such file or directory (no camera connected?)");
    assert_int_equal(cam.fd, -1);
    v4l2_cam_close(&cam);                          /* harmless after a failed open */
    uint8_t y[16];
    assert_int_equal(v4l2_cam_frame(&cam, 10, y, sizeof y, err, sizeof err), -1);

    assert_null(scanner_open("v4l2:/dev/video99", err, sizeof err));
    assert_non_null(strstr(err, "/dev/video99: No such file or directory"));
    /* Not a device node at all. */
    assert_int_equal(v4l2_cam_open(&cam, "/dev/null", 640, 480, err, sizeof err), -1);
    assert_non_null(strstr(err, "/dev/null: not a V4L2 device"));
    make_tmpdir();
    FILE *f = fopen(tmp_path("video0"), "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(v4l2_cam_open(&cam, tmp_path("video0"), 640, 480, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a video device"));
    remove_tmpdir();
}

/* ---- wedge scanner device ----------------------------------------------- */

static void evdev_missing_node(void **state)
{
    char err[300];
    evdev_t e;
    assert_int_equal(evdev_open(&e, "/dev/input/event99", err, sizeof err), -1);
    assert_string_equal(err, "/dev/input/event99: No such file or directory");
    evdev_close(&e);
    char line[16];
    assert_int_equal(evdev_read_line(&e, 10, line, sizeof line, err, sizeof err), EVDEV_ERROR);
    assert_int_equal(evdev_open(&e, "/dev/null", err, sizeof err), -1);
    assert_non_null(strstr(err, "not an input event device"));

    assert_null(scanner_open("evdev:/dev/input/by-id/usb-Scanner-event-kbd", err, sizeof err));
    assert_non_null(strstr(err, "No such file or directory"));
    assert_null(scanner_open("serial:/dev/ttyUSB0", err, sizeof err));
    assert_non_null(strstr(err, "not a QR scanner source"));
    assert_null(scanner_open("camera0", err, sizeof err));
    assert_non_null(strstr(err, "unknown scheme"));
    scanner_close(NULL);
}

/* Appends one event to EV (a batch written at once). */
static void push(struct input_event *ev, int *n, unsigned type, unsigned code, int value)
{
    memset(&ev[*n], 0, sizeof ev[*n]);
    ev[*n].type = (unsigned short)type;
    ev[*n].code = (unsigned short)code;
    ev[*n].value = value;
    (*n)++;
}

static void push_key(struct input_event *ev, int *n, unsigned code, int shift)
{
    if (shift) push(ev, n, EV_KEY, KEY_RIGHTSHIFT, 1);
    push(ev, n, EV_KEY, code, 1);
    push(ev, n, EV_SYN, SYN_REPORT, 0);
    push(ev, n, EV_KEY, code, 0);
    if (shift) push(ev, n, EV_KEY, KEY_RIGHTSHIFT, 0);
    push(ev, n, EV_SYN, SYN_REPORT, 0);
}

/* The read loop over a pipe of input events: two lines in one batch, lost
 * events (SYN_DROPPED), a line too long, a timeout and the end of input. */
static void evdev_event_stream(void **state)
{
    int p[2];
    assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    evdev_t e;
    evdev_adopt(&e, p[0], "pipe");
    char line[HID_LINE_MAX + 1], err[300];
    assert_int_equal(evdev_read_line(&e, 50, line, sizeof line, err, sizeof err), EVDEV_TIMEOUT);

    static struct input_event ev[4096];
    int n = 0;
    push_key(ev, &n, KEY_A, 1);
    push_key(ev, &n, KEY_B, 0);
    push_key(ev, &n, KEY_ENTER, 0);
    push_key(ev, &n, KEY_2, 0);
    push(ev, &n, EV_MSC, MSC_SCAN, 0x7001f);     /* other event types are ignored */
    push_key(ev, &n, KEY_KPENTER, 0);
    /* Keys, then lost events: the partial line "xy" goes, and everything up
     * to the next SYN_REPORT is skipped ("z"). */
    push_key(ev, &n, KEY_X, 0);
    push_key(ev, &n, KEY_Y, 0);
    push(ev, &n, EV_SYN, SYN_DROPPED, 0);
    push(ev, &n, EV_KEY, KEY_Z, 1);
    push(ev, &n, EV_SYN, SYN_REPORT, 0);
    push_key(ev, &n, KEY_C, 0);
    push_key(ev, &n, KEY_ENTER, 0);
    assert_int_equal(write(p[1], ev, sizeof *ev * (size_t)n), (ssize_t)(sizeof *ev * (size_t)n));

    assert_int_equal(evdev_read_line(&e, 500, line, sizeof line, err, sizeof err), EVDEV_LINE);
    assert_string_equal(line, "Ab");
    assert_int_equal(evdev_read_line(&e, 500, line, sizeof line, err, sizeof err), EVDEV_LINE);
    assert_string_equal(line, "2");
    assert_int_equal(evdev_read_line(&e, 500, line, sizeof line, err, sizeof err), EVDEV_DROPPED);
    assert_non_null(strstr(err, "events were lost"));
    assert_int_equal(evdev_read_line(&e, 500, line, sizeof line, err, sizeof err), EVDEV_LINE);
    assert_string_equal(line, "c");

    /* A line over HID_LINE_MAX, written in pieces the pipe can hold. */
    for (int i = 0; i <= HID_LINE_MAX; i += 256) {
        n = 0;
        for (int j = i; j < i + 256 && j <= HID_LINE_MAX; j++) push_key(ev, &n, KEY_9, 0);
        if (i + 256 > HID_LINE_MAX) push_key(ev, &n, KEY_ENTER, 0);
        assert_int_equal(write(p[1], ev, sizeof *ev * (size_t)n), (ssize_t)(sizeof *ev * (size_t)n));
        evdev_status_t st = evdev_read_line(&e, 100, line, sizeof line, err, sizeof err);
        assert_int_equal(st, i + 256 > HID_LINE_MAX ? EVDEV_DROPPED : EVDEV_TIMEOUT);
    }
    assert_non_null(strstr(err, "longer than 1024"));
    /* A short OUT cuts the line, NUL-terminated. */
    n = 0;
    push_key(ev, &n, KEY_1, 0);
    push_key(ev, &n, KEY_2, 0);
    push_key(ev, &n, KEY_3, 0);
    push_key(ev, &n, KEY_ENTER, 0);
    assert_int_equal(write(p[1], ev, sizeof *ev * (size_t)n), (ssize_t)(sizeof *ev * (size_t)n));
    char small[3];
    assert_int_equal(evdev_read_line(&e, 500, small, sizeof small, err, sizeof err), EVDEV_LINE);
    assert_string_equal(small, "12");
    /* The writer goes away: the end of input is an error (unplugged). */
    close(p[1]);
    assert_int_equal(evdev_read_line(&e, 500, line, sizeof line, err, sizeof err), EVDEV_ERROR);
    assert_non_null(strstr(err, "end of input"));
    evdev_close(&e);
    assert_int_equal(e.fd, -1);
}

/* A virtual keyboard through /dev/uinput; -1 (and a message) when this
 * machine has none usable. Its event node's path goes to NODE. */
static int uinput_keyboard(char *node, size_t nodelen)
{
    int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        print_message("no usable /dev/uinput (%s): skipping the virtual keyboard test\n", strerror(errno));
        return -1;
    }
    ioctl(fd, UI_SET_EVBIT, EV_KEY);
    ioctl(fd, UI_SET_EVBIT, EV_SYN);
    for (int k = 1; k < 128; k++) ioctl(fd, UI_SET_KEYBIT, k);
    struct uinput_setup us;
    memset(&us, 0, sizeof us);
    us.id.bustype = BUS_USB;
    us.id.vendor = 0x1234;
    us.id.product = 0x5678;
    snprintf(us.name, sizeof us.name, "test_scanner wedge");
    char sys[64];
    if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0 ||
        ioctl(fd, UI_GET_SYSNAME(sizeof sys), sys) < 0) {
        print_message("/dev/uinput cannot create a device (%s): skipping the virtual keyboard test\n",
                      strerror(errno));
        close(fd);
        return -1;
    }
    /* The node appears under /sys at once, in /dev when udev (or devtmpfs)
     * has made it. */
    char dir[128];
    snprintf(dir, sizeof dir, "/sys/devices/virtual/input/%s", sys);
    node[0] = '\0';
    for (int i = 0; i < 100 && !node[0]; i++) {
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
            if (!strncmp(de->d_name, "event", 5)) {
                snprintf(node, nodelen, "/dev/input/%s", de->d_name);
                if (access(node, R_OK) != 0) node[0] = '\0';
            }
        if (d) closedir(d);
        if (!node[0]) usleep(20000);
    }
    if (!node[0]) {
        print_message("the uinput device got no /dev/input node: skipping the virtual keyboard test\n");
        ioctl(fd, UI_DEV_DESTROY);
        close(fd);
        return -1;
    }
    return fd;
}

static int emit(int fd, unsigned type, unsigned code, int value)
{
    struct input_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = (unsigned short)type;
    ev.code = (unsigned short)code;
    ev.value = value;
    return write(fd, &ev, sizeof ev) == (ssize_t)sizeof ev ? 0 : -1;
}

/* One key stroke, then a pause: the kernel keeps only 64 events for a
 * reader, so the typing runs beside the reading, as a real scanner's does. */
static int emit_key(int fd, unsigned code, int shift)
{
    int r = 0;
    if (shift) r |= emit(fd, EV_KEY, KEY_LEFTSHIFT, 1);
    r |= emit(fd, EV_KEY, code, 1);
    r |= emit(fd, EV_SYN, SYN_REPORT, 0);
    r |= emit(fd, EV_KEY, code, 0);
    if (shift) r |= emit(fd, EV_KEY, KEY_LEFTSHIFT, 0);
    r |= emit(fd, EV_SYN, SYN_REPORT, 0);
    usleep(2000);
    return r;
}

/* The typist thread: "XFL-BOOK:7k3m9qxa" and Enter twice (the second is a
 * repeat), then a payment code on the keypad and keypad Enter. */
static void *typist(void *arg)
{
    int fd = *(int *)arg, r = 0;
    const char *text = "XFL-BOOK:7k3m9qxa";
    for (int rep = 0; rep < 2; rep++) {
        for (const char *p = text; *p; p++) {
            unsigned code = 0;
            int shift = 0;
            for (unsigned c = 1; c < 128 && !code; c++) {
                if (hid_keys_char(c, 0) == *p) code = c;
                else if (hid_keys_char(c, 1) == *p) code = c, shift = 1;
            }
            r |= emit_key(fd, code, shift);
        }
        r |= emit_key(fd, KEY_ENTER, 0);
    }
    static const unsigned kp[] = {KEY_KP1, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9,
                                  KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6, KEY_KP7,
                                  KEY_KP8, KEY_KP9};
    for (size_t i = 0; i < sizeof kp / sizeof *kp; i++) r |= emit_key(fd, kp[i], 0);
    r |= emit_key(fd, KEY_KPENTER, 0);
    return r ? (void *)1 : NULL;
}

static void evdev_uinput_keyboard(void **state)
{
    char node[300];
    int ui = uinput_keyboard(node, sizeof node);
    if (ui < 0) skip();
    char err[300], uri[320];
    snprintf(uri, sizeof uri, "evdev:%s", node);
    scanner_t *s = scanner_open(uri, err, sizeof err);
    if (!s) fail_msg("%s", err);
    assert_int_equal(scanner_kind(s), URI_EVDEV);
    /* Grabbed: nobody else gets the keys (a second grab is refused). */
    int other = open(node, O_RDONLY | O_NONBLOCK);
    assert_true(other >= 0);
    assert_int_equal(ioctl(other, EVIOCGRAB, (void *)1), -1);
    assert_int_equal(errno, EBUSY);
    evdev_t e;
    assert_int_equal(evdev_open(&e, node, err, sizeof err), -1);
    assert_non_null(strstr(err, "grabbed by another process"));

    scanner_result_t *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(scanner_next(s, 100, r), SCANNER_TIMEOUT);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, typist, &ui), 0);
    scanner_status_t st1 = scanner_next(s, 5000, r);
    int ok1 = st1 == SCANNER_OK && !strcmp(r->payload, "XFL-BOOK:7k3m9qxa") &&
              r->info.cls == QR_CLASS_BOOKING_CODE && !strcmp(r->info.booking.code, "7K3M9QXA");
    scanner_status_t st2 = scanner_next(s, 5000, r);
    int ok2 = st2 == SCANNER_OK && !strcmp(r->payload, "134567890123456789") &&
              r->info.pay.wallet == QR_WALLET_WECHAT;
    void *typed;
    pthread_join(t, &typed);
    assert_null(typed);
    if (!ok1 || !ok2) fail_msg("statuses %d %d, last payload \"%s\" (%s)", st1, st2, r->payload, r->error);
    assert_int_equal(scanner_next(s, 100, r), SCANNER_TIMEOUT);
    /* Closing releases the grab. */
    scanner_close(s);
    assert_int_equal(ioctl(other, EVIOCGRAB, (void *)1), 0);
    ioctl(other, EVIOCGRAB, (void *)0);
    close(other);
    free(r);
    ioctl(ui, UI_DEV_DESTROY);
    close(ui);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classify_paper_bill),
        cmocka_unit_test(classify_paper_bill_refused),
        cmocka_unit_test(classify_payment_codes),
        cmocka_unit_test(classify_resident_code),
        cmocka_unit_test(classify_booking_code),
        cmocka_unit_test(classify_url_and_other),
        cmocka_unit_test(text_decode_utf8),
        cmocka_unit_test(text_decode_gbk_and_latin1),
        cmocka_unit_test(qr_decode_gbk_utf8_binary),
        cmocka_unit_test(dedupe_window),
        cmocka_unit_test(hid_keys_sequences),
        cmocka_unit_test(image_source_folder),
        cmocka_unit_test(image_rgba_luma),
        cmocka_unit_test(v4l2_frame_conversion),
        cmocka_unit_test(v4l2_missing_device),
        cmocka_unit_test(evdev_missing_node),
        cmocka_unit_test(evdev_event_stream),
        cmocka_unit_test(evdev_uinput_keyboard),
    };
    return cmocka_run_group_tests_name("scanner", tests, NULL, NULL);
}
