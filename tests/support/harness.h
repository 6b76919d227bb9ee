/* Shared set-up for UI tests: a headless app (dummy video, software
 * renderer, offscreen surface) on a fake clock, with its own temp var dir
 * and the catalogues built by make. */
#ifndef KIOSK_TEST_HARNESS_H
#define KIOSK_TEST_HARNESS_H

#include "app/app.h"

/* Fixed start time: 2026-11-29 09:30:00 in Asia/Shanghai. */
#define HARNESS_WALL 1795915800

/* Creates an app of W x H with THEME and LOCALE ("" = config default) and
 * extra "section.key=value" settings (NULL-terminated, may be NULL).
 * Fails the test on error. Free with harness_free. */
app_t *harness_app(int w, int h, const char *theme, const char *locale,
                   const char *const *sets);
void harness_free(app_t *app);
/* Same, but in a (dummy-driver) window instead of an offscreen surface, so
 * the window path (rotation, logical size) is exercised. */
app_t *harness_window_app(int w, int h, const char *const *sets);

/* Offscreen, but with the look-up worker and the payment engine running
 * (for end-to-end tests against a hub: pass hub.url and hub.token in SETS).
 * The UI clock is fake as in harness_app; the network runs in real time. */
app_t *harness_net_app(int w, int h, const char *const *sets);

/* Puts this test process on the harness's fake clock at HARNESS_WALL (every
 * harness app does too, at its creation). Suites call it before
 * hubproc_start, so that the hub's clock starts at the kiosk's time. */
void harness_clock_start(void);

/* The build dir the Makefile used (env BUILD, default "build"). */
const char *harness_build_dir(void);

/* --- driving the app like a person (tests/support/app_test.c) -------- */
/* Taps the widget with ID in the current frame (press + release at its
 * centre). Returns 0, or -1 if no such clickable widget is on screen. */
int app_test_tap(app_t *app, const char *id);
/* Taps screen coordinates. */
void app_test_tap_xy(app_t *app, int x, int y);
/* 1 if any text widget of the current frame contains NEEDLE. */
int app_test_text_shown(app_t *app, const char *needle);
/* Fast-forwards the fake clock by MS in steps, running timers. */
void app_test_advance(app_t *app, uint64_t ms);
/* Handles queued SDL events until none arrive for QUIET_MS (max MAX_MS). */
void app_test_pump(app_t *app, int quiet_ms, int max_ms);
/* Handles events (workers' answers) until COND holds or MS of real time
 * have passed; the caller asserts COND afterwards. */
#define WAIT_FOR(app, cond, ms)                                                    \
    do {                                                                           \
        Uint32 t0_ = SDL_GetTicks();                                               \
        while (!(cond) && SDL_GetTicks() - t0_ < (Uint32)(ms)) app_test_pump(app, 20, 100); \
    } while (0)

#endif
