/* libFuzzer target for the scanner's pure codecs: text_decode, qr_classify,
 * hid_keys (and dedupe). The same input is read three ways: as a scanned
 * payload's bytes, as a payload already in text, and as key events (two
 * bytes an event: the key code, then the value in the low two bits, so 3,
 * an invalid value, occurs too). Built and run by `make fuzz` and
 * tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - text_decode's output is NUL-terminated, strict UTF-8 without inner
 *     NULs, its length is the return value; into a small buffer it is a
 *     prefix of the full output, cut at a character boundary, same
 *     encoding; UTF-8 input comes back unchanged (BOM and NULs aside);
 *   - qr_classify is deterministic and its class agrees with the payload:
 *     a bill's fields rebuild the payload and its check digits verify, a
 *     payment code is the payload's digits with the right length and prefix
 *     for its wallet, a booking code is in the alphabet and ends the
 *     payload, a URL starts with its scheme, a resident code's fields
 *     have their documented shapes; every string field is NUL-terminated
 *     and fields of other classes stay empty;
 *   - hid_keys agrees with a reference model of the US layout (Shift state,
 *     repeats, Enter, the 1024-character limit): the same lines, the same
 *     drops, printable ASCII and Tab only;
 *   - a payload just seen is a repeat for dedupe. */
#include "scanner/dedupe.h"
#include "scanner/hid_keys.h"
#include "scanner/qr_classify.h"
#include "scanner/text_decode.h"
#include "utf8.h"

#include <linux/input-event-codes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz_check.h"

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static int zero_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* The payload as matched: one trailing LF or CR LF removed. */
static size_t core_len(const char *p, size_t n)
{
    if (n && p[n - 1] == '\n') {
        n--;
        if (n && p[n - 1] == '\r') n--;
    }
    return n;
}

static void check_bill(const char *p, size_t n, const qr_info_t *in)
{
    static const char *const utilities[] = {"water", "electricity", "gas", "heating"};
    CHECK(n <= BILLQR_MAX, "bill of %zu bytes", n);
    int known = 0;
    for (int i = 0; i < 4; i++) known |= !strcmp(in->bill.utility, utilities[i]);
    CHECK(known, "utility %s", in->bill.utility);
    size_t al = strlen(in->bill.account);
    CHECK(al >= 6 && al <= 20 && all_digits(in->bill.account, al), "account %s", in->bill.account);
    CHECK(in->bill.year >= 2000 && in->bill.year <= 2099 && in->bill.month >= 1 && in->bill.month <= 12,
          "period %d-%d", in->bill.year, in->bill.month);
    char period[8];
    snprintf(period, sizeof period, "%04d-%02d", in->bill.year, in->bill.month);
    CHECK(!strcmp(period, in->bill.period), "period %s", in->bill.period);
    /* The amount as written (leading zeros count for the check). */
    char head[160];
    int hl = snprintf(head, sizeof head, "XFL-BILL:1:%s:%s:%s:", in->bill.utility, in->bill.account,
                      in->bill.period);
    CHECK(hl > 0 && (size_t)hl + 4 <= n && !memcmp(p, head, (size_t)hl), "bill head");
    const char *amount = p + hl;
    size_t amlen = n - (size_t)hl - 3;
    CHECK(amount[amlen] == ':' && !memcmp(amount + amlen + 1, in->bill.check, 2), "bill tail");
    CHECK(amlen >= 1 && amlen <= 10 && all_digits(amount, amlen), "amount");
    long long v = 0;
    for (size_t i = 0; i < amlen; i++) v = v * 10 + (amount[i] - '0');
    CHECK(v == in->bill.amount_fen, "amount %lld", in->bill.amount_fen);
    char digits[64], check[3];
    int dl = snprintf(digits, sizeof digits, "%s%.4s%.2s%.*s", in->bill.account, in->bill.period,
                      in->bill.period + 5, (int)amlen, amount);
    CHECK(billqr_check(digits, (size_t)dl, check) == 0 && !strcmp(check, in->bill.check),
          "check %s, expected %s", in->bill.check, check);
}

static void check_info(const char *p, size_t len, const qr_info_t *in)
{
    CHECK(terminated(in->reason, sizeof in->reason), "reason");
    CHECK(terminated(in->bill.utility, sizeof in->bill.utility) && terminated(in->bill.account, sizeof in->bill.account) &&
          terminated(in->bill.period, sizeof in->bill.period) && terminated(in->bill.check, sizeof in->bill.check) &&
          terminated(in->pay.code, sizeof in->pay.code) &&
          terminated(in->resident.code, sizeof in->resident.code) &&
          terminated(in->resident.resident, sizeof in->resident.resident) &&
          terminated(in->resident.mac, sizeof in->resident.mac) &&
          terminated(in->booking.code, sizeof in->booking.code) && terminated(in->url.scheme, sizeof in->url.scheme) &&
          terminated(in->url.host, sizeof in->url.host), "unterminated field");
    CHECK(strlen(qr_class_name(in->cls)) > 0, "class name");
    if (in->cls != QR_CLASS_OTHER) CHECK(in->reason[0] == '\0', "reason on a match: %s", in->reason);
    if (in->cls != QR_CLASS_PAPER_BILL) CHECK(zero_bytes(&in->bill, sizeof in->bill), "bill fields set");
    if (in->cls != QR_CLASS_PAYMENT_CODE) CHECK(zero_bytes(&in->pay, sizeof in->pay), "pay fields set");
    if (in->cls != QR_CLASS_RESIDENT_CODE) CHECK(zero_bytes(&in->resident, sizeof in->resident), "resident set");
    if (in->cls != QR_CLASS_BOOKING_CODE) CHECK(zero_bytes(&in->booking, sizeof in->booking), "booking set");
    if (in->cls != QR_CLASS_URL) CHECK(zero_bytes(&in->url, sizeof in->url), "url set");
    size_t n = core_len(p, len);
    if (in->cls != QR_CLASS_OTHER) CHECK(n > 0 && !memchr(p, '\0', n), "a match with a NUL");

    switch (in->cls) {
    case QR_CLASS_PAPER_BILL:
        check_bill(p, n, in);
        break;
    case QR_CLASS_PAYMENT_CODE: {
        size_t cl = strlen(in->pay.code);
        CHECK(cl == n && !memcmp(p, in->pay.code, n) && all_digits(p, n), "code differs from payload");
        int pre = (p[0] - '0') * 10 + (p[1] - '0');
        if (in->pay.wallet == QR_WALLET_WECHAT) CHECK(n == 18 && pre >= 10 && pre <= 15, "wechat shape");
        else CHECK(in->pay.wallet == QR_WALLET_ALIPAY && n >= 16 && n <= 24 && pre >= 25 && pre <= 30, "alipay shape");
        break;
    }
    case QR_CLASS_BOOKING_CODE:
        if (strlen(in->booking.code) == 6) {
            CHECK(strspn(in->booking.code, "0123456789") == 6 && in->booking.code[0] != '0', "code %s",
                  in->booking.code);
            CHECK(n == 15 && !memcmp(p, "XFL-BOOK:", 9) && !memcmp(p + 9, in->booking.code, 6),
                  "booking payload");
            break;
        }
        CHECK(strlen(in->booking.code) == 8 && strspn(in->booking.code, QR_BOOKING_ALPHABET) == 8, "code %s",
              in->booking.code);
        CHECK(n == 8 ? !memcmp(p, in->booking.code, 8) : (n == 17 && !memcmp(p, "XFL-BOOK:", 9) &&
                                                          !strncasecmp(p + 9, in->booking.code, 8)),
              "booking payload");
        break;
    case QR_CLASS_URL:
        CHECK(!strcmp(in->url.scheme, "http") || !strcmp(in->url.scheme, "https"), "scheme %s", in->url.scheme);
        CHECK(!strncasecmp(p, in->url.scheme, strlen(in->url.scheme)) && in->url.host[0], "url");
        CHECK(n <= QR_URL_MAX && strstr(p, in->url.host), "host not in the payload");
        break;
    case QR_CLASS_RESIDENT_CODE: {
        /* Formatting what was read gives the payload back, byte for byte. */
        char again[RESCODE_MAX + 1];
        CHECK(n <= QR_RESIDENT_MAX && !memcmp(p, "XFL-RES:1:", 10), "resident head");
        CHECK(rescode_format(&in->resident, again, sizeof again) == (int)n && !memcmp(again, p, n),
              "resident code does not round-trip");
        CHECK(in->resident.issued < in->resident.expires && rescode_resident_id(in->resident.resident) > 0,
              "resident fields");
        break;
    }
    case QR_CLASS_OTHER:
        break;
    }
}

static void classify_checked(const char *p, size_t len)
{
    qr_info_t a, b;
    qr_class_t c = qr_classify(p, len, &a);
    CHECK(c == a.cls, "return value");
    qr_classify(p, len, &b);
    CHECK(!memcmp(&a, &b, sizeof a), "not deterministic");
    /* Fields are compared with the payload as a C string. */
    char *z = malloc(len + 1);
    if (!z) return;
    memcpy(z, p, len);
    z[len] = '\0';
    check_info(z, len, &a);
    free(z);
}

static void decode_checked(const uint8_t *data, size_t size)
{
    static char full[TEXT_OUT_MAX], small[TEXT_OUT_MAX];
    text_info_t fi, si;
    int n = text_decode(data, size, full, sizeof full, &fi);
    if (size > TEXT_IN_MAX) {
        CHECK(n == -1 && full[0] == '\0', "oversized input accepted");
        return;
    }
    CHECK(n >= 0 && (size_t)n < sizeof full && full[n] == '\0' && strlen(full) == (size_t)n, "length %d", n);
    CHECK(utf8_valid(full, (size_t)n), "output is not UTF-8");
    CHECK(size > 3072 || !fi.truncated, "truncated a %zu-byte input", size);
    int has_nul = memchr(data, 0, size) != NULL;
    CHECK(fi.truncated ? (!fi.replaced || has_nul) : fi.replaced == has_nul, "replaced flag");
    if (fi.encoding == TEXT_UTF8 && !fi.truncated && !has_nul) {
        size_t off = fi.bom ? 3 : 0;
        CHECK((size_t)n == size - off && !memcmp(full, data + off, (size_t)n), "UTF-8 changed");
    }
    if (fi.encoding != TEXT_UTF8) CHECK(!utf8_valid((const char *)data, size), "UTF-8 input not taken as UTF-8");

    size_t cap = size ? (size_t)data[0] % 24 + 1 : 1;
    int m = text_decode(data, size, small, cap, &si);
    CHECK(m >= 0 && (size_t)m < cap && strlen(small) == (size_t)m, "small length");
    CHECK(si.encoding == fi.encoding && m <= n && !memcmp(small, full, (size_t)m), "not a prefix");
    CHECK(utf8_valid(small, (size_t)m), "small output is not UTF-8");
    /* Cut at a boundary: the next full character would not have fitted. */
    if (m < n) {
        CHECK(si.truncated, "shorter but not truncated");
        size_t k = 1;
        while ((size_t)m + k < (size_t)n && ((unsigned char)full[m + k] & 0xC0) == 0x80) k++;
        CHECK((size_t)m + k > cap - 1, "cut %d bytes early", (int)(cap - 1 - (size_t)m));
    }
    classify_checked(full, (size_t)n);
}

/* Reference model of the wedge decoder. */
typedef struct {
    int ls, rs, over;
    size_t len;
    char line[HID_LINE_MAX + 1];
} model_t;

static void keys_checked(const uint8_t *data, size_t size)
{
    hid_keys_t k;
    model_t m;
    hid_keys_init(&k);
    memset(&m, 0, sizeof m);
    for (size_t i = 0; i + 1 < size; i += 2) {
        unsigned code = data[i];
        int value = data[i + 1] & 3;
        /* Bit 2 of the value byte: jump to the other interesting keys. */
        if (data[i + 1] & 4) code = (code & 1) ? KEY_KPENTER : KEY_ENTER;
        hid_status_t st = hid_keys_feed(&k, code, value);

        hid_status_t want = HID_MORE;
        if (value == 0 || value == 1) {
            if (code == KEY_LEFTSHIFT) m.ls = value;
            else if (code == KEY_RIGHTSHIFT) m.rs = value;
            else if (value == 1 && (code == KEY_ENTER || code == KEY_KPENTER)) {
                if (m.over) want = HID_TOO_LONG;
                else if (m.len) want = HID_LINE;
                if (want != HID_MORE) {
                    m.over = 0;
                    m.line[m.len] = '\0';
                }
            } else if (value == 1) {
                char c = hid_keys_char(code, m.ls || m.rs);
                if (c) {
                    if (m.len == HID_LINE_MAX) m.over = 1;
                    else if (!m.over) m.line[m.len++] = c;
                }
            }
        }
        CHECK(st == want, "key %u value %d: got %d, model %d", code, value, st, want);
        if (st == HID_LINE) {
            size_t len;
            const char *line = hid_keys_line(&k, &len);
            CHECK(len == m.len && !strcmp(line, m.line), "line differs from the model");
            CHECK(len >= 1 && len <= HID_LINE_MAX && strlen(line) == len, "line length %zu", len);
            for (size_t j = 0; j < len; j++)
                CHECK((line[j] >= 0x20 && line[j] < 0x7F) || line[j] == '\t', "byte %02x", (unsigned char)line[j]);
            classify_checked(line, len);
        }
        if (st != HID_MORE) m.len = 0;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decode_checked(data, size);
    classify_checked((const char *)data, size);
    keys_checked(data, size);

    qr_dedupe_t d;
    qr_dedupe_init(&d, 1000);
    int64_t t = size ? data[0] : 0;
    CHECK(qr_dedupe_check(&d, data, size, t) == 1, "first sighting suppressed");
    CHECK(qr_dedupe_check(&d, data, size, t + 999) == 0, "repeat delivered");
    CHECK(qr_dedupe_check(&d, data, size, t + 999 + 1000) == 1, "window did not expire");
    return 0;
}
