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
