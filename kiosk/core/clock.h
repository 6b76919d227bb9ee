/* The one clock of the kiosk process.
 *
 * Two readings, both injectable:
 *   - the UI clock (clock_mono_ms, clock_wall): what the screens, the session
 *     and its timers see. Tests freeze it with clock_fake_set() and move it
 *     with clock_fake_advance(), so idle timeouts run in no time and frames
 *     are repeatable.
 *   - the calendar for workers (clock_wall_ms): the time stamped on records
 *     and compared with due times and expiry by threads that run in real
 *     time. Real: CLOCK_REALTIME. Once the fake is set it is the fake's
 *     starting wall time plus the real (monotonic) time elapsed since (the
 *     workers run in real time; advancing the UI clock does not move it),
 *     so a test never depends on the machine's date.
 * Waiting (deadlines of timed waits) always uses the real monotonic clock
 * (clock_real_mono_ms, clock_deadline), which neither the fake nor an NTP
 * step moves.
 *
 * Kiosk dates are China time (UTC+8, no daylight saving) whatever the
 * machine's time zone: clock_cst() breaks a time down for display.
 * All functions are thread-safe. */
#ifndef KIOSK_CLOCK_H
#define KIOSK_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_CST_OFFSET_S (8 * 3600)

/* UI clock: monotonic milliseconds since an arbitrary origin. */
uint64_t clock_mono_ms(void);
/* UI clock: wall-clock seconds since the epoch (header clock, schedules). */
time_t clock_wall(void);

/* Workers' calendar time, milliseconds since the epoch (see above). */
int64_t clock_wall_ms(void);

/* The real monotonic clock, never faked: for waits and elapsed times of
 * worker threads. */
int64_t clock_real_mono_ms(void);
/* The time MS milliseconds from now on clock CLK: the deadline of a
 * pthread_cond_timedwait on a condition variable set to CLK (use
 * CLOCK_MONOTONIC: a wall-clock deadline moves with the clock). */
struct timespec clock_deadline(clockid_t clk, int64_t ms);

/* T broken down in China time (UTC+8) into OUT; returns OUT. Never reads
 * the TZ environment. */
struct tm *clock_cst(time_t t, struct tm *out);

/* Test hooks: once clock_fake_set() is called the UI clock only moves when
 * told. */
void clock_fake_set(uint64_t mono_ms, time_t wall);
void clock_fake_advance(uint64_t ms);
void clock_fake_off(void);
int  clock_is_fake(void);

#endif
