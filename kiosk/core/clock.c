#include "core/clock.h"

static int fake;
static uint64_t fake_mono;
static time_t fake_wall;

uint64_t clock_mono_ms(void)
{
    if (fake) return fake_mono;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

time_t clock_wall(void)
{
    if (fake) return fake_wall + (time_t)(fake_mono / 1000u);
    return time(NULL);
}

void clock_fake_set(uint64_t mono_ms, time_t wall)
{
    fake = 1;
    fake_mono = mono_ms;
    fake_wall = wall - (time_t)(mono_ms / 1000u);
}

void clock_fake_advance(uint64_t ms) { fake_mono += ms; }
void clock_fake_off(void) { fake = 0; }
int  clock_is_fake(void) { return fake; }

static int64_t ms_of(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_real_mono_ms(void) { return ms_of(CLOCK_MONOTONIC); }
int64_t clock_real_wall_ms(void) { return ms_of(CLOCK_REALTIME); }

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
