#include "scanner/qr_classify.h"

#include <stdio.h>
#include <string.h>

const char *qr_class_name(qr_class_t c)
{
    switch (c) {
    case QR_CLASS_OTHER: return "other";
    case QR_CLASS_PAPER_BILL: return "paper_bill";
    case QR_CLASS_PAYMENT_CODE: return "payment_code";
    case QR_CLASS_RESIDENT_CODE: return "resident_code";
    case QR_CLASS_BOOKING_CODE: return "booking_code";
    case QR_CLASS_URL: return "url";
    }
    return "other";
}

const char *qr_wallet_name(qr_wallet_t w)
{
    switch (w) {
    case QR_WALLET_WECHAT: return "wechat";
    case QR_WALLET_ALIPAY: return "alipay";
    case QR_WALLET_NONE: break;
    }
    return "";
}

/* A byte range of the payload. */
typedef struct {
    const char *p;
    size_t n;
} span_t;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int all_digits(span_t s)
{
    if (s.n == 0) return 0;
    for (size_t i = 0; i < s.n; i++)
        if (!is_digit(s.p[i])) return 0;
    return 1;
}

static int starts_with(span_t s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n >= n && memcmp(s.p, lit, n) == 0;
}

/* Value of two digits at P. */
static int two_digits(const char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* Copies S into DST (size CAP), cut to fit, NUL-terminated. */
static void copy_span(char *dst, size_t cap, span_t s)
{
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static qr_class_t other(qr_info_t *out, const char *reason)
{
    out->cls = QR_CLASS_OTHER;
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    return QR_CLASS_OTHER;
}

/* S starts with "XFL-BILL:". */
static qr_class_t classify_bill(span_t s, qr_info_t *out)
{
    const char *why;
    if (billqr_parse(s.p, s.n, &out->bill, &why) != 0) return other(out, why);
    out->cls = QR_CLASS_PAPER_BILL;
    return QR_CLASS_PAPER_BILL;
}

/* S is 12 or more digits. */
static qr_class_t classify_digits(span_t s, qr_info_t *out)
{
    int prefix = s.n >= 2 ? two_digits(s.p) : -1;
    qr_wallet_t w = QR_WALLET_NONE;
    if (s.n == 18 && prefix >= 10 && prefix <= 15) w = QR_WALLET_WECHAT;
    else if (s.n >= 16 && s.n <= 24 && prefix >= 25 && prefix <= 30) w = QR_WALLET_ALIPAY;
    if (w == QR_WALLET_NONE)
        return other(out, "not a payment code (WeChat: 18 digits starting 10-15; "
                          "Alipay: 16-24 digits starting 25-30)");
    out->cls = QR_CLASS_PAYMENT_CODE;
    out->pay.wallet = w;
    copy_span(out->pay.code, sizeof out->pay.code, s);
    return QR_CLASS_PAYMENT_CODE;
}

/* S starts with "XFL-RES:": the shape of common/rescode.h. */
static qr_class_t classify_resident(span_t s, qr_info_t *out)
{
    const char *why = NULL;
    if (rescode_parse(s.p, s.n, &out->resident, &why) != 0) return other(out, why);
    out->cls = QR_CLASS_RESIDENT_CODE;
    return QR_CLASS_RESIDENT_CODE;
}

/* 1 when S is a check-in code: after the "XFL-BOOK:" prefix (ANY_CASE)
 * six digits not starting with 0 (bookings since the numeric codes), or 8
 * characters of the old alphabet in either case; bare, only the old code
 * in upper case (six bare digits are too common to be taken for a code).
 * The upper-case code goes to CODE. */
static int booking_code(span_t s, int any_case, char code[9])
{
    char tmp[9];
    if (any_case && s.n == 6 && s.p[0] >= '1' && s.p[0] <= '9') {
        for (size_t i = 0; i < 6; i++)
            if (s.p[i] < '0' || s.p[i] > '9') return 0;
        memcpy(tmp, s.p, 6);
        tmp[6] = '\0';
        memcpy(code, tmp, 7);
        return 1;
    }
    if (s.n != 8) return 0;
    for (size_t i = 0; i < 8; i++) {
        char c = s.p[i];
        if (any_case && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (c == '\0' || !strchr(QR_BOOKING_ALPHABET, c)) return 0;
        tmp[i] = c;
    }
    tmp[8] = '\0';
    memcpy(code, tmp, sizeof tmp);
    return 1;
}

static int lower(char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

static int starts_with_nocase(span_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (s.n < n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s.p[i]) != lit[i]) return 0;
    return 1;
}

static qr_class_t classify_url(span_t s, qr_info_t *out)
{
    size_t skip = starts_with_nocase(s, "https://") ? 8 : 7;
    if (s.n > QR_URL_MAX) return QR_CLASS_OTHER;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c <= 0x20 || c == 0x7F) return QR_CLASS_OTHER;
    }
    /* authority = up to the first '/', '?' or '#'; host = without
     * "user@" and ":port" ("[v6]" kept whole). */
    const char *a = s.p + skip, *end = s.p + s.n, *ae = a;
    while (ae < end && *ae != '/' && *ae != '?' && *ae != '#') ae++;
    const char *h = a;
    for (const char *p = a; p < ae; p++)
        if (*p == '@') h = p + 1;
    const char *he = h;
    if (he < ae && *he == '[') {
        while (he < ae && *he != ']') he++;
        if (he == ae) return QR_CLASS_OTHER;
        he++;
    } else {
        while (he < ae && *he != ':') he++;
    }
    if (he == h) return QR_CLASS_OTHER;
    out->cls = QR_CLASS_URL;
    snprintf(out->url.scheme, sizeof out->url.scheme, "%s", skip == 8 ? "https" : "http");
    copy_span(out->url.host, sizeof out->url.host, (span_t){h, (size_t)(he - h)});
    return QR_CLASS_URL;
}

/* Records MEANT as the near miss when the payload came out OTHER. */
static qr_class_t near(qr_class_t got, qr_class_t meant, qr_info_t *out)
{
    if (got == QR_CLASS_OTHER) out->near_miss = meant;
    return got;
}

qr_class_t qr_classify(const char *payload, size_t len, qr_info_t *out)
{
    memset(out, 0, sizeof *out);
    if (!payload || len == 0) return QR_CLASS_OTHER;
    span_t s = {payload, len};
    if (s.p[s.n - 1] == '\n') {
        s.n--;
        if (s.n && s.p[s.n - 1] == '\r') s.n--;
    }
    if (s.n == 0 || memchr(s.p, '\0', s.n)) return QR_CLASS_OTHER;

    if (starts_with(s, "XFL-BILL:")) return near(classify_bill(s, out), QR_CLASS_PAPER_BILL, out);
    if (starts_with(s, "XFL-RES:")) return near(classify_resident(s, out), QR_CLASS_RESIDENT_CODE, out);
    if (starts_with(s, "XFL-BOOK:")) {
        span_t code = {s.p + 9, s.n - 9};
        if (!booking_code(code, 1, out->booking.code))
            return near(other(out, "check-in code must be 6 digits, or 8 characters of " QR_BOOKING_ALPHABET),
                        QR_CLASS_BOOKING_CODE, out);
        out->cls = QR_CLASS_BOOKING_CODE;
        return QR_CLASS_BOOKING_CODE;
    }
    if (all_digits(s) && s.n >= 12) return near(classify_digits(s, out), QR_CLASS_PAYMENT_CODE, out);
    if (booking_code(s, 0, out->booking.code)) {
        out->cls = QR_CLASS_BOOKING_CODE;
        return QR_CLASS_BOOKING_CODE;
    }
    if (starts_with_nocase(s, "http://") || starts_with_nocase(s, "https://")) return classify_url(s, out);
    return QR_CLASS_OTHER;
}
