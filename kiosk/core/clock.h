/* The one clock of the kiosk. Production reads the system clocks; tests install
 * a fake and fast-forward it, so idle timeouts and lockouts run in no time. */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic milliseconds since an arbitrary origin. */
uint64_t clock_mono_ms(void);
/* Wall-clock seconds since the epoch (for the header clock and file names). */
time_t clock_wall(void);

/* The real clocks, never faked: for worker threads, which talk to the hub
 * and the database in real time whatever the UI clock says. */
int64_t clock_real_mono_ms(void);
int64_t clock_real_wall_ms(void);
/* The time MS milliseconds from now on clock CLK (CLOCK_MONOTONIC for a
 * condition variable set to it, else CLOCK_REALTIME): the deadline of a
 * pthread_cond_timedwait. */
struct timespec clock_deadline(clockid_t clk, int64_t ms);

/* Test hooks: once clock_fake_set() is called the clock only moves when told. */
void clock_fake_set(uint64_t mono_ms, time_t wall);
void clock_fake_advance(uint64_t ms);
void clock_fake_off(void);
int  clock_is_fake(void);

#endif
