#include "rescode.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PREFIX "XFL-RES:1:"
#define FIELDS 7                        /* XFL-RES, 1, code, resident, issued, expires, mac */
#define REF_DIGITS 12

/* Splits the LEN bytes at S at ':' into F (starts) and FL (lengths).
 * Returns the number of fields, FIELDS + 1 when there are more. */
static int split(const char *s, size_t len, const char **f, size_t *fl)
{
    const char *end = s + len, *p = s;
    for (int k = 0; k < FIELDS; k++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        f[k] = p;
        fl[k] = (size_t)((c ? c : end) - p);
        if (!c) return k + 1;
        p = c + 1;
    }
    return FIELDS + 1;
}

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

static long long number(const char *p, size_t n)
{
    long long v = 0;
    for (size_t i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
    return v;
}

/* Unix seconds as the payload writes them: 9-10 digits, no leading zero. */
static bool time_ok(const char *p, size_t n)
{
    return n >= 9 && n <= 10 && p[0] != '0' && digits(p, n);
}

static bool code_ok(const char *p, size_t n)
{
    if (n != RESCODE_CODE_LEN) return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\0' || !strchr(RESCODE_ALPHABET, p[i])) return false;
    return true;
}

static bool ref_ok(const char *p, size_t n)
{
    return n >= 2 && n <= 1 + REF_DIGITS && p[0] == 'R' && p[1] != '0' && digits(p + 1, n - 1);
}

static bool mac_ok(const char *p, size_t n)
{
    if (n != RESCODE_MAC_HEX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'F'))) return false;
    return true;
}

static int fail(rescode_t *out, const char **why, const char *reason)
{
    memset(out, 0, sizeof *out);
    if (why) *why = reason;
    return -1;
}

int rescode_parse(const char *s, size_t len, rescode_t *out, const char **why)
{
    const char *f[FIELDS];
    size_t fl[FIELDS];
    memset(out, 0, sizeof *out);
    if (!s || len > RESCODE_MAX) return fail(out, why, "resident code longer than 96 characters");
    if (len < sizeof PREFIX - 1 || memcmp(s, PREFIX, sizeof PREFIX - 1) != 0)
        return fail(out, why, "resident code must start XFL-RES:1:");
    if (split(s, len, f, fl) != FIELDS)
        return fail(out, why, "resident code needs 7 fields separated by ':'");
    if (!code_ok(f[2], fl[2]))
        return fail(out, why, "resident code id must be 10 characters of " RESCODE_ALPHABET);
    if (!ref_ok(f[3], fl[3]))
        return fail(out, why, "resident code reference must be R and 1-12 digits");
    if (!time_ok(f[4], fl[4]) || !time_ok(f[5], fl[5]))
        return fail(out, why, "resident code times must be Unix seconds (9-10 digits)");
    long long issued = number(f[4], fl[4]), expires = number(f[5], fl[5]);
    if (expires <= issued) return fail(out, why, "resident code expires before it was issued");
    if (!mac_ok(f[6], fl[6]))
        return fail(out, why, "resident code MAC must be 32 upper-case hex digits");
    memcpy(out->code, f[2], fl[2]);
    memcpy(out->resident, f[3], fl[3]);
    out->issued = issued;
    out->expires = expires;
    memcpy(out->mac, f[6], fl[6]);
    return 0;
}

static bool fields_ok(const rescode_t *r)
{
    char t[2][24];
    int n0 = snprintf(t[0], sizeof t[0], "%lld", r->issued);
    int n1 = snprintf(t[1], sizeof t[1], "%lld", r->expires);
    return code_ok(r->code, strnlen(r->code, sizeof r->code)) &&
           ref_ok(r->resident, strnlen(r->resident, sizeof r->resident)) &&
           time_ok(t[0], (size_t)n0) && time_ok(t[1], (size_t)n1) && r->issued < r->expires;
}

int rescode_signed(const rescode_t *r, char *out, size_t outlen)
{
    if (!fields_ok(r)) return -1;
    int n = snprintf(out, outlen, PREFIX "%s:%s:%lld:%lld", r->code, r->resident, r->issued, r->expires);
    return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int rescode_format(const rescode_t *r, char *out, size_t outlen)
{
    if (!mac_ok(r->mac, strnlen(r->mac, sizeof r->mac))) return -1;
    int n = rescode_signed(r, out, outlen);
    if (n < 0) return -1;
    int m = snprintf(out + n, outlen - (size_t)n, ":%s", r->mac);
    return m < 0 || (size_t)(n + m) >= outlen ? -1 : n + m;
}

int rescode_resident_ref(long long id, char out[14])
{
    if (id <= 0 || id > 999999999999LL) return -1;
    snprintf(out, 14, "R%lld", id);
    return 0;
}

long long rescode_resident_id(const char *ref)
{
    size_t n = ref ? strnlen(ref, 15) : 0;
    return ref_ok(ref, n) ? number(ref + 1, n - 1) : -1;
}
