/* In-process figures for `make bench`: frame build+draw time per screen and
 * the process's proportional set size. */
#ifndef KIOSK_BENCH_H
#define KIOSK_BENCH_H

#include "app/app.h"

/* Draws every tour state ROUNDS times and prints one line per state:
 * "frame_ms <state> p50 <x> p99 <y> max <z>", then "frame_ms all p99 <y>".
 * 0, or -1 when a tour sample file is missing or malformed (logged) or
 * out of memory. */
int bench_frames(app_t *app, int rounds);

/* Pss of this process in kB from /proc/self/smaps_rollup, or -1. */
long bench_pss_kb(void);

#endif
