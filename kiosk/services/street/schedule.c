#include "services/street/schedule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static long floor_div(long long a, long b)
{
    long long q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return (long)q;
}

int sched_parse_hhmm(const char *s, int *out)
{
    if (!s || strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;
    *out = h * 60 + m;
    return 0;
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian; H. Hinnant's algorithm). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int sched_parse_date(const char *s, long *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return -1;
    long y = atol(s);
    int m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return -1;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) return -1;
    *out = days_from_civil(y, m, d);
    return 0;
}

int sched_tz_offset(const char *zone, int *out)
{
    /* Zones without daylight saving time, now and in the foreseeable past. */
    static const struct { const char *name; int off; } known[] = {
        {"Asia/Shanghai", 8 * 3600}, {"Asia/Chongqing", 8 * 3600}, {"Asia/Harbin", 8 * 3600},
        {"Asia/Hong_Kong", 8 * 3600}, {"Asia/Macau", 8 * 3600}, {"Asia/Taipei", 8 * 3600},
        {"Asia/Singapore", 8 * 3600}, {"PRC", 8 * 3600}, {"Asia/Urumqi", 6 * 3600},
        {"Asia/Tokyo", 9 * 3600}, {"Asia/Seoul", 9 * 3600}, {"Asia/Kolkata", 19800},
        {"UTC", 0}, {"Etc/UTC", 0}, {"GMT", 0}, {"Z", 0},
    };
    if (!zone) return -1;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(zone, known[i].name) == 0) { *out = known[i].off; return 0; }
    /* "UTC+8", "UTC-03:30", "+08:00", "-0530" */
    const char *p = zone;
    if (strncmp(p, "UTC", 3) == 0 || strncmp(p, "GMT", 3) == 0) p += 3;
    if (*p != '+' && *p != '-') return -1;
    int sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p)) return -1;
    int h = 0, m = 0, nd = 0;
    while (isdigit((unsigned char)*p) && nd < 2) { h = h * 10 + (*p++ - '0'); nd++; }
    if (*p == ':') p++;
    if (*p) {
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2]) return -1;
        m = (p[0] - '0') * 10 + (p[1] - '0');
    }
    if (h > 14 || m > 59) return -1;
    *out = sign * (h * 3600 + m * 60);
    return 0;
}

int sched_weekday(long day)
{
    long r = ((day % 7) + 7) % 7;          /* 1970-01-01 was a Thursday */
    return (int)((r + 3) % 7) + 1;
}

static bool day_ok(const sched_rule_t *r, long day)
{
    if (r->weekdays && !(r->weekdays & (1u << sched_weekday(day)))) return false;
    if (r->has_from && day < r->from_day) return false;
    if (r->has_to && day > r->to_day) return false;
    return true;
}

/* Window W, started on a day, covers local minutes [from, end) of that day
 * (END may pass 1440 into the next day). */
static int win_end(sched_window_t w)
{
    return w.to_min <= w.from_min ? w.to_min + 1440 : w.to_min;
}

static bool on_at(const sched_rule_t *r, int tz, time_t t)
{
    long long local = (long long)t + tz;
    long day = floor_div(local, 86400);
    int min = (int)((local - (long long)day * 86400) / 60);
    if (r->n_win == 0) return day_ok(r, day);
    for (int i = 0; i < r->n_win; i++) {
        int from = r->win[i].from_min, end = win_end(r->win[i]);
        if (min >= from && min < end && day_ok(r, day)) return true;
        if (end > 1440 && min + 1440 < end && day_ok(r, day - 1)) return true;
    }
    return false;
}

static int cmp_time(const void *a, const void *b)
{
    time_t x = *(const time_t *)a, y = *(const time_t *)b;
    return x < y ? -1 : x > y;
}

bool sched_rule_on(const sched_rule_t *r, int tz, time_t now, time_t *change)
{
    bool on = on_at(r, tz, now);
    if (!change) return on;
    /* The state can only change at a local midnight or a window edge. */
    enum { DAYS = SCHED_HORIZON_S / 86400 + 2 };
    time_t cand[DAYS * (1 + 2 * SCHED_MAX_WINDOWS)];
    int n = 0;
    long today = floor_div((long long)now + tz, 86400);
    for (long d = today - 1; d < today - 1 + DAYS; d++) {
        long long base = (long long)d * 86400 - tz;
        cand[n++] = (time_t)base;
        for (int i = 0; i < r->n_win && i < SCHED_MAX_WINDOWS; i++) {
            cand[n++] = (time_t)(base + r->win[i].from_min * 60LL);
            cand[n++] = (time_t)(base + win_end(r->win[i]) * 60LL);
        }
    }
    qsort(cand, (size_t)n, sizeof *cand, cmp_time);
    *change = now + SCHED_HORIZON_S;
    for (int i = 0; i < n; i++) {
        if (cand[i] <= now || cand[i] >= *change) continue;
        if (on_at(r, tz, cand[i]) != on) { *change = cand[i]; break; }
    }
    return on;
}

static bool item_usable(const sched_item_t *it, time_t now)
{
    return !it->bad && it->duration_s > 0 && (it->expires == 0 || now <= it->expires);
}

static void earliest(time_t *until, time_t t, time_t now)
{
    if (t > now && t < *until) *until = t;
}

void sched_next(const sched_input_t *in, time_t now, const sched_pick_t *cur, sched_pick_t *out)
{
    memset(out, 0, sizeof *out);
    out->what = SCHED_NONE;
    out->pl = out->item = out->alert = -1;
    time_t until = now + SCHED_HORIZON_S;

    /* Alerts first: the newest showing now; a later one starting cuts in. */
    int best = -1;
    for (int i = 0; i < in->n_alerts; i++) {
        const sched_alert_t *a = &in->alerts[i];
        if (a->expires <= 0) continue;
        if (a->published > now) { earliest(&until, a->published, now); continue; }
        if (now > a->expires) continue;
        if (best < 0 || a->published > in->alerts[best].published ||
            (a->published == in->alerts[best].published && a->content_id > in->alerts[best].content_id))
            best = i;
    }
    if (best >= 0) {
        earliest(&until, in->alerts[best].expires + 1, now);
        out->what = SCHED_ALERT;
        out->alert = best;
        out->content_id = in->alerts[best].content_id;
        out->until = until;
        return;
    }

    /* Which playlists are on, and when any of them changes. */
    bool on[SCHED_MAX_PLAYLISTS] = {false};
    int n_pl = in->n_pl < SCHED_MAX_PLAYLISTS ? in->n_pl : SCHED_MAX_PLAYLISTS;
    for (int p = 0; p < n_pl; p++) {
        time_t ch;
        on[p] = sched_rule_on(&in->pl[p].rule, in->pl[p].tz_off_s, now, &ch);
        earliest(&until, ch, now);
    }
    /* Highest priority first; a playlist with nothing usable is skipped. */
    bool tried[SCHED_MAX_PLAYLISTS] = {false};
    for (;;) {
        int p = -1;
        for (int i = 0; i < n_pl; i++)
            if (on[i] && !tried[i] && (p < 0 || in->pl[i].priority > in->pl[p].priority)) p = i;
        if (p < 0) break;
        tried[p] = true;
        const sched_playlist_t *pl = &in->pl[p];
        int n = pl->n_items < SCHED_MAX_ITEMS ? pl->n_items : SCHED_MAX_ITEMS;
        int start = 0;
        if (cur && cur->what == SCHED_ITEM && cur->pl == p && cur->playlist_id == pl->id)
            start = cur->item + 1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            const sched_item_t *it = &pl->items[i];
            if (!item_usable(it, now)) continue;
            earliest(&until, now + it->duration_s, now);
            if (it->expires) earliest(&until, it->expires + 1, now);
            out->what = SCHED_ITEM;
            out->pl = p;
            out->item = i;
            out->content_id = it->content_id;
            out->playlist_id = pl->id;
            out->until = until;
            return;
        }
    }
    out->until = until;
}
