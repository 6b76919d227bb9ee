#include "billqr.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define FIELDS 7

/* Splits the LEN bytes at S at ':' into F (starts) and FL (lengths).
 * Returns the number of fields, FIELDS + 1 when there are more. */
static int split(const char *s, size_t len, const char **f, size_t *fl)
{
    const char *end = s + len;
    int k = 0;
    for (const char *p = s; k <= FIELDS; k++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (k == FIELDS) return FIELDS + 1;
        f[k] = p;
        fl[k] = (size_t)((c ? c : end) - p);
        if (!c) return k + 1;
        p = c + 1;
    }
    return FIELDS + 1;
}

/* MIN..MAX ASCII digits. */
static bool digits_ok(const char *p, size_t n, size_t min, size_t max)
{
    if (n < min || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

static bool is(const char *p, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

/* The value of N digits at P (N <= 18). */
static long long number(const char *p, size_t n)
{
    long long v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
    return v;
}

/* MOD 97 of the decimal number whose digits are D (N of them), carried on
 * from R. */
static unsigned mod97(unsigned r, const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) r = (r * 10 + (unsigned)(d[i] - '0')) % 97;
    return r;
}

int billqr_check(const char *digits, size_t n, char check[3])
{
    if (n > 0 && !digits_ok(digits, n, n, n)) return -1;
    unsigned c = 98 - (mod97(0, digits, n) * 100) % 97;
    check[0] = (char)('0' + c / 10);
    check[1] = (char)('0' + c % 10);
    check[2] = '\0';
    return 0;
}

static int fail(const char **why, const char *reason)
{
    if (why) *why = reason;
    return -1;
}

int billqr_parse(const char *s, size_t len, billqr_t *out, const char **why)
{
    static const char *const utilities[] = {"water", "electricity", "gas", "heating"};
    const char *f[FIELDS];
    size_t fl[FIELDS];
    if (!s) return fail(why, "paper bill missing");
    if (len > BILLQR_MAX) return fail(why, "paper bill longer than 128 characters");
    if (split(s, len, f, fl) != FIELDS) return fail(why, "paper bill needs 7 fields separated by ':'");
    if (!is(f[0], fl[0], "XFL-BILL")) return fail(why, "paper bill must start with XFL-BILL:");
    if (!is(f[1], fl[1], "1")) return fail(why, "paper bill version not supported (expected 1)");
    bool known = false;
    for (size_t i = 0; i < sizeof utilities / sizeof *utilities; i++) known |= is(f[2], fl[2], utilities[i]);
    if (!known) return fail(why, "paper bill utility must be water, electricity, gas or heating");
    if (!digits_ok(f[3], fl[3], 6, 20)) return fail(why, "paper bill account must be 6-20 digits");
    const char *pd = f[4];
    bool period_ok = fl[4] == 7 && pd[4] == '-' && digits_ok(pd, 4, 4, 4) && digits_ok(pd + 5, 2, 2, 2);
    int year = period_ok ? (int)number(pd, 4) : 0, month = period_ok ? (int)number(pd + 5, 2) : 0;
    if (!period_ok || year < 2000 || year > 2099 || month < 1 || month > 12)
        return fail(why, "paper bill period must be YYYY-MM (2000-2099, month 01-12)");
    if (!digits_ok(f[5], fl[5], 1, 10)) return fail(why, "paper bill amount must be 1-10 digits");
    /* One way to write each amount: the check covers the digits as written,
     * and the kiosk writes the payload again from the number it read. */
    if (fl[5] > 1 && f[5][0] == '0') return fail(why, "paper bill amount must not start with 0");
    if (!digits_ok(f[6], fl[6], 2, 2)) return fail(why, "paper bill check must be 2 digits");

    /* N = account || YYYYMM || amount; valid when N || check mod 97 == 1. */
    unsigned r = mod97(0, f[3], fl[3]);
    r = mod97(r, pd, 4);
    r = mod97(r, pd + 5, 2);
    r = mod97(r, f[5], fl[5]);
    r = mod97(r, f[6], 2);
    if (r != 1) return fail(why, "paper bill check digits do not match");

    snprintf(out->utility, sizeof out->utility, "%.*s", (int)fl[2], f[2]);
    snprintf(out->account, sizeof out->account, "%.*s", (int)fl[3], f[3]);
    snprintf(out->period, sizeof out->period, "%.7s", pd);
    out->year = year;
    out->month = month;
    out->amount_fen = number(f[5], fl[5]);
    snprintf(out->check, sizeof out->check, "%.2s", f[6]);
    return 0;
}

int billqr_format(const billqr_t *b, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "XFL-BILL:1:%s:%s:%s:%lld:%s", b->utility, b->account,
                     b->period, b->amount_fen, b->check);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int billqr_encode(billqr_t *b, char *out, size_t outlen)
{
    char digits[64];
    int n = snprintf(digits, sizeof digits, "%s%.4s%.2s%lld", b->account, b->period,
                     strlen(b->period) == 7 ? b->period + 5 : "", b->amount_fen);
    if (n < 0 || (size_t)n >= sizeof digits || billqr_check(digits, (size_t)n, b->check) != 0)
        return -1;
    return billqr_format(b, out, outlen);
}
