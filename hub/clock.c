/* The hub's one clock (see hub.h: hub_now).
 *
 * Production reads CLOCK_REALTIME. A demo hub started with --now, and the
 * in-process hub tests, anchor it instead: from then on the hub's time is the
 * anchor plus the monotonic time elapsed since, so it advances in real time
 * but never depends on the machine's date, and an NTP step cannot move it.
 * hub_time_shift() moves either kind forward or back (expiry tests). */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hub.h"

static atomic_llong shift_s;        /* hub_time_shift's total */
static atomic_llong anchor_wall;    /* 0: no anchor, the real clock */
static atomic_llong anchor_mono_ms;

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hub_now(void)
{
    long long wall = atomic_load(&anchor_wall);
    long long t = wall ? wall + (mono_ms() - atomic_load(&anchor_mono_ms)) / 1000
                       : (long long)time(NULL);
    return (int64_t)(t + atomic_load(&shift_s));
}

void hub_time_shift(int64_t s) { atomic_fetch_add(&shift_s, s); }

void hub_clock_anchor(int64_t wall)
{
    atomic_store(&anchor_mono_ms, mono_ms());
    atomic_store(&shift_s, 0);
    atomic_store(&anchor_wall, wall > 0 ? wall : 0);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (civil calendar). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

int hub_clock_parse(const char *s, int64_t *out)
{
    char *end;
    if (!s || !*s) return -1;
    /* Plain unix seconds. */
    long long v = strtoll(s, &end, 10);
    if (!*end) {
        if (v <= 0 || v > 32503680000LL) return -1;      /* before 3000-01-01 */
        *out = v;
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10) return -1;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m2) != 2 || m2 != 5) return -1;
        p += 1 + m2;
        if (*p == ':') {
            int m3 = 0;
            if (sscanf(p + 1, "%2d%n", &sec, &m3) != 1 || m3 != 2) return -1;
            p += 1 + m3;
        }
    } else if (*p) {
        return -1;
    }
    int off = 8 * 3600;                  /* no zone given: China time */
    if (*p == 'Z' && !p[1]) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh > 14 || om > 59) return -1;
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else if (*p) {
        return -1;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1971 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 59)
        return -1;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return 0;
}
