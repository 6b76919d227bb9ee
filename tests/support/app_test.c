/* Test helpers that drive the app as a person would: taps by widget id or
 * position, time passing on the fake clock, waiting for worker events. */
#include <string.h>
#include "core/clock.h"
#include "services/staff/staff.h"
#include "support/harness.h"

static void push_button(app_t *app, Uint32 type, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = type;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = x;
    ev.button.y = y;
    app_handle_event(app, &ev);
}

void app_test_tap_xy(app_t *app, int x, int y)
{
    if (clock_is_fake()) clock_fake_advance(APP_DOUBLE_TAP_GUARD_MS + 50);
    app_build(app);
    push_button(app, SDL_MOUSEBUTTONDOWN, x, y);
    if (clock_is_fake()) clock_fake_advance(80);
    push_button(app, SDL_MOUSEBUTTONUP, x, y);
    app_tick(app);
    app_build(app);
}

int app_test_tap(app_t *app, const char *id)
{
    app_build(app);
    const ui_widget_t *w = ui_find(app->frame, id);
    if (!w || !(w->flags & UI_F_CLICK) || (w->flags & UI_F_DISABLED)) return -1;
    int x = w->r.x + w->r.w / 2, y = w->r.y + w->r.h / 2;
    if (ui_hit(app->frame, x, y, 0) != w) return -1;   /* covered by a dialog */
    app_test_tap_xy(app, x, y);
    return 0;
}

int app_test_text_shown(app_t *app, const char *needle)
{
    app_build(app);
    for (int i = 0; i < app->frame->n; i++) {
        const ui_widget_t *w = &app->frame->w[i];
        if ((w->kind == UI_TEXT || w->kind == UI_BUTTON) && w->text && strstr(w->text, needle))
            return 1;
    }
    return 0;
}

void app_test_advance(app_t *app, uint64_t ms)
{
    while (ms > 0) {
        uint64_t step = ms < 250 ? ms : 250;
        clock_fake_advance(step);
        ms -= step;
        app_tick(app);
    }
}

void app_test_pump(app_t *app, int quiet_ms, int max_ms)
{
    Uint32 start = SDL_GetTicks();
    SDL_Event ev;
    while ((int)(SDL_GetTicks() - start) < max_ms) {
        if (!SDL_WaitEventTimeout(&ev, quiet_ms)) {
            if (!app->staff->pin_checking) break;
            continue;
        }
        app_handle_event(app, &ev);
    }
}
