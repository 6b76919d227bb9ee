#include "core/clock.h"

#include <stdatomic.h>

static atomic_int fake;
static atomic_ullong fake_mono;          /* UI monotonic ms */
static atomic_llong fake_wall;           /* wall seconds at fake_mono == 0 */
static atomic_llong fake_set_real_ms;    /* real monotonic ms when the fake was set */
static atomic_llong fake_start_ms;       /* wall ms when the fake was set */

static int64_t ms_of(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t clock_mono_ms(void)
{
    if (atomic_load(&fake)) return atomic_load(&fake_mono);
    return (uint64_t)ms_of(CLOCK_MONOTONIC);
}

time_t clock_wall(void)
{
    if (atomic_load(&fake)) return (time_t)(atomic_load(&fake_wall) + (long long)(atomic_load(&fake_mono) / 1000u));
    return time(NULL);
}

int64_t clock_wall_ms(void)
{
    if (!atomic_load(&fake)) return ms_of(CLOCK_REALTIME);
    /* The fake's starting wall time, then real time: workers talk to the
     * hub and the database in real time whatever the UI clock says. */
    return atomic_load(&fake_start_ms) + (ms_of(CLOCK_MONOTONIC) - atomic_load(&fake_set_real_ms));
}

void clock_fake_set(uint64_t mono_ms, time_t wall)
{
    atomic_store(&fake_mono, mono_ms);
    atomic_store(&fake_wall, (long long)wall - (long long)(mono_ms / 1000u));
    atomic_store(&fake_set_real_ms, ms_of(CLOCK_MONOTONIC));
    atomic_store(&fake_start_ms, (long long)wall * 1000);
    atomic_store(&fake, 1);
}

void clock_fake_advance(uint64_t ms)
{
    atomic_fetch_add(&fake_mono, ms);
}

void clock_fake_off(void) { atomic_store(&fake, 0); }
int  clock_is_fake(void) { return atomic_load(&fake); }

int64_t clock_real_mono_ms(void) { return ms_of(CLOCK_MONOTONIC); }

struct timespec clock_deadline(clockid_t clk, int64_t ms)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    if (ms < 0) ms = 0;
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

struct tm *clock_cst(time_t t, struct tm *out)
{
    time_t local = t + CLOCK_CST_OFFSET_S;
    if (!gmtime_r(&local, out)) return NULL;
    out->tm_isdst = 0;
    return out;
}
