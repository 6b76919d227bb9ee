#include "app/app.h"

#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "net/http.h"
#include "core/log.h"
#include "core/worker.h"
#include "../../common/sdnotify.h"
#include "store/writer.h"
#include "app/screens.h"
#include "app/screen_text.h"
#include "app/fleet.h"
#include "app/service.h"
#include "app/keypad.h"
#include "app/prefs.h"
#include "app/speech.h"
#include "ui/physical.h"

#define TAP_SLOP_PX 24          /* a finger that lands just outside still counts */
#define CORNER_TAPS 5           /* staff gesture: taps in the top-left corner ... */
#define CORNER_WINDOW_MS 4000   /* ... within this time */
#define TOAST_MS 3000

static const char *const screen_names[SCR_COUNT] = {
#define SCREEN(id, name) [id] = #name,
#include "app/screen_list.h"
#undef SCREEN
};

const char *app_screen_name(screen_id_t s)
{
    return s < SCR_COUNT ? screen_names[s] : "?";
}

int app_screen_find(const char *name)
{
    for (int i = 0; i < SCR_COUNT; i++)
        if (strcmp(screen_names[i], name) == 0) return i;
    return -1;
}

const char *app_locale(const app_t *app)
{
    return app->session.locale[0] ? app->session.locale : app->cfg.locale;
}

/* The layout follows large text first: large text in high contrast is the
 * elder layout, given the contrast colours by app_build. */
theme_id_t app_theme(const app_t *app)
{
    return prefs_large(app) ? THEME_ELDER : prefs_contrast(app) ? THEME_CONTRAST : THEME_STANDARD;
}

static void set_screen(app_t *app, screen_id_t s)
{
    const screen_t *old = screen_get(app->screen);
    if (old->leave && s != app->screen) old->leave(app);
    app->screen = s;
    app->screen_since_ms = clock_mono_ms();
    app->pressed[0] = '\0';
    if (app->session.state != SESSION_IDLE) app->session.screens_visited++;
    const screen_t *sc = screen_get(s);
    if (sc->enter) sc->enter(app);
    app->dirty = true;
    speech_screen_shown(app);
}

void app_go(app_t *app, screen_id_t s)
{
    if (s == app->screen) return;
    if (app->cfg.mode == MODE_STREET && screen_get(s)->personal) {
        app_toast(app, _("This service is available at the community hall kiosk."));
        return;
    }
    if (app->depth < APP_STACK) app->stack[app->depth++] = app->screen;
    set_screen(app, s);
}

void app_back(app_t *app)
{
    if (app->depth > 0) set_screen(app, app->stack[--app->depth]);
    else if (app->screen != SCR_HOME) set_screen(app, SCR_HOME);
}

void app_home(app_t *app)
{
    app->depth = 0;
    if (app->screen != SCR_HOME) set_screen(app, SCR_HOME);
}

void app_toast(app_t *app, const char *msg)
{
    snprintf(app->toast, sizeof app->toast, "%s", msg);
    app->toast_until_ms = clock_mono_ms() + TOAST_MS;
    app->dirty = true;
    speech_toast(app, TONE_NONE, msg);
}

void app_remind_card(app_t *app)
{
    /* A card left behind is an ID lost: shown, and said after the two
     * beeps of TONE_TAKE, once (a toast's words cut what was said before). */
    const char *msg = _("Please take your ID card from the reader.");
    snprintf(app->toast, sizeof app->toast, "%s", msg);
    app->toast_until_ms = clock_mono_ms() + TOAST_MS;
    app->dirty = true;
    speech_toast(app, TONE_TAKE, msg);
}

void app_fault(app_t *app, const char *msg)
{
    snprintf(app->fault_msg, sizeof app->fault_msg, "%s", msg);
    app_go(app, SCR_FAULT);
}

void app_storage_fault(app_t *app, const char *what, const char *why)
{
    char when[16];
    time_t t = clock_wall();
    struct tm tm;
    clock_cst(t, &tm);
    strftime(when, sizeof when, "%H:%M", &tm);
    snprintf(app->storage_fault, sizeof app->storage_fault, "%s %s: %s", when, what, why);
    log_error("app", "storage fault: %s: %s", what, why);
    if (app->screen == SCR_STAFF_MENU) app->dirty = true;
}

void app_reload_notices(app_t *app)
{
    app->n_notices = 0;
    if (app->store) {
        int n = store_notices(app->store, app->cfg.locale, app->notices, APP_MAX_NOTICES);
        app->n_notices = n < 0 ? 0 : n;
    }
    app->attract_idx = 0;
}

/* The screen shown when nobody uses the kiosk: a service's (the street
 * display's), else the attract loop. */
static screen_id_t idle_screen(const app_t *app)
{
    for (const service_t *const *s = app_services; *s; s++) {
        int id = (*s)->idle_screen ? (*s)->idle_screen(app) : -1;
        if (id >= 0 && id < SCR_COUNT) return (screen_id_t)id;
    }
    return SCR_ATTRACT;
}

/* Back to the attract loop after a session that started at STARTED and saw
 * VISITED screens (logged when it was a real one). The session itself has
 * already been ended, and its personal data wiped, by the caller. */
static void after_session(app_t *app, const char *reason, time_t started, int visited,
                          bool was_active)
{
    app->receipt_job = 0;
    app->receipt_dismissed = false;
    explicit_bzero(app->receipt_qr, sizeof app->receipt_qr);
    for (const service_t *const *s = app_services; *s; s++)
        if ((*s)->session_end) (*s)->session_end(app);
    ui_render_forget(app->render);       /* cached QR textures hold receipt text */
    app->toast[0] = '\0';
    app->depth = 0;
    speech_session_end(app);
    keypad_session_end(app);
    if (was_active && strcmp(reason, "tour") != 0) {
        log_info("session", "ended (%s) after %d screens", reason, visited);
        store_writer_session_log(app->writer, started, clock_wall(), reason, visited);
    }
    i18n_set(app->cfg.locale);
    app_reload_notices(app);
    app->attract_next_ms = clock_mono_ms() + (uint64_t)app->cfg.attract_interval_s * 1000u;
    set_screen(app, idle_screen(app));
    fleet_session_ended(app);
}

void app_end_session(app_t *app, const char *reason)
{
    time_t started = app->session.started_wall;
    int visited = app->session.screens_visited;
    bool was_active = app->session.state != SESSION_IDLE;
    session_end(&app->session, reason);   /* wipes the session's personal data */
    after_session(app, reason, started, visited, was_active);
}

/* ---- receipts ---------------------------------------------------------- */

void app_print_receipt(app_t *app, const char *receipt_json, const char *summary)
{
    app->receipt_job = 0;
    app->receipt_dismissed = false;
    if (print_queue_submit(app->printq, receipt_json, summary, &app->receipt_job) != 0) {
        app->receipt_job = 0;
        print_queue_fallback_payload(summary, app->receipt_qr, sizeof app->receipt_qr);
    } else {
        app_toast(app, _("Printing your receipt..."));
    }
    app->dirty = true;
}

/* The queue reports on a job: only this session's receipt changes the
 * screen (retries of older jobs, and jobs of residents who left, do not). */
static void print_event(app_t *app, print_queue_event_t *pe)
{
    if (pe && pe->job_id && pe->job_id == app->receipt_job && app->session.state != SESSION_IDLE) {
        if (pe->outcome == PRINT_QUEUE_PRINTED) {
            app->receipt_qr[0] = '\0';
            app_toast(app, _("Your receipt has been printed."));
        } else if (!app->receipt_dismissed) {
            snprintf(app->receipt_qr, sizeof app->receipt_qr, "%s", pe->qr);
        }
        app->dirty = true;
    }
    free(pe);
}

/* ---- drawing ---------------------------------------------------------- */

void app_build(app_t *app)
{
    theme_make(&app->theme, app_theme(app), app->w, app->h);
    if (prefs_contrast(app) && !app->theme.high_contrast) theme_use_contrast(&app->theme);
    theme_fit_panel(&app->theme, phys_mm_per_px_ini(app->cfg.diagonal, app->cfg.dpi,
                                                     app->w, app->h));
    i18n_set(app_locale(app));
    ui_frame_t *f = app->frame;
    ui_frame_begin(f, app->w, app->h, &app->theme, app->text);
    const screen_t *sc = screen_get(app->screen);
    SDL_Rect content = {0, 0, app->w, app->h};
    if (sc->chrome) {
        content.y = app->theme.header_h;
        content.h = app->h - app->theme.header_h - app->theme.nav_h;
        content.w = app->w - app->theme.nav_w;
    }
    sc->build(app, f, content);
    if (sc->chrome) {
        chrome_header(app, f);
        chrome_nav(app, f);
    }
    if (app->toast[0] && clock_mono_ms() < app->toast_until_ms)
        ui_toast(f, "toast", app->toast);
    if (app->receipt_qr[0] && app->session.state != SESSION_IDLE) chrome_receipt_overlay(app, f);
    for (const service_t *const *s = app_services; *s; s++)
        if ((*s)->overlay) (*s)->overlay(app, f);
    if (app->session.state == SESSION_WARNING) chrome_timeout_overlay(app, f);
    keypad_overlay(app, f);
    for (int i = 0; i < f->n; i++)
        if (app->pressed[0] && strcmp(f->w[i].id, app->pressed) == 0)
            f->w[i].flags |= UI_F_PRESSED;
    time_t now = clock_wall();
    app->shown_minute = (long)(now / 60);
}

static void present(app_t *app)
{
    if (app->rot_target) {
        SDL_SetRenderTarget(app->ren, NULL);
        int ww, wh;
        SDL_GetRendererOutputSize(app->ren, &ww, &wh);
        SDL_Rect dst = {(ww - app->w) / 2, (wh - app->h) / 2, app->w, app->h};
        SDL_RenderCopyEx(app->ren, app->rot_target, NULL, &dst, app->cfg.rotation, NULL, SDL_FLIP_NONE);
        SDL_RenderPresent(app->ren);
        SDL_SetRenderTarget(app->ren, app->rot_target);
    } else {
        SDL_RenderPresent(app->ren);
    }
}

void app_draw(app_t *app)
{
    app_build(app);
    screen_text_update(app);
    ui_render_frame(app->render, app->frame);
    present(app);
    app->frames++;
    app->dirty = false;
}

int app_save_png(app_t *app, const char *path)
{
    app_build(app);
    return app_render_png(app, path);
}

int app_render_png(app_t *app, const char *path)
{
    ui_render_frame(app->render, app->frame);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) return -1;
    int rc = SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch);
    if (rc == 0) rc = IMG_SavePNG(s, path);
    if (rc != 0) log_error("app", "cannot write %s: %s", path, SDL_GetError());
    SDL_FreeSurface(s);
    return rc == 0 ? 0 : -1;
}

/* ---- input ------------------------------------------------------------ */

void app_activate(app_t *app, const char *id)
{
    uint64_t now = clock_mono_ms();
    if (now - app->screen_since_ms < APP_DOUBLE_TAP_GUARD_MS) return;
    app->last_activate_ms = now;
    screen_id_t before = app->screen;
    unsigned long visits = (unsigned long)app->session.screens_visited;
    const screen_t *sc = screen_get(app->screen);
    /* A screen may hold the navigation back first (a live payment asks
     * before it is left). */
    if (!(!strncmp(id, "nav.", 4) && sc->action && sc->action(app, id)) && !chrome_action(app, id)) {
        sc = screen_get(app->screen);
        if (sc->action) sc->action(app, id);
    }
    speech_activated(app, id, app->screen != before ||
                              (unsigned long)app->session.screens_visited != visits);
}

/* Maps window coordinates to layout coordinates (rotation, letterbox). */
static void to_layout(const app_t *app, int *x, int *y)
{
    if (!app->rot_target || !app->win) return;
    /* Window size, not renderer output size: the latter is the rotation
     * target's while it is bound, and mouse events are in window points. */
    int ww = 0, wh = 0;
    SDL_GetWindowSize(app->win, &ww, &wh);
    float cx = ww / 2.0f, cy = wh / 2.0f, dx = *x - cx, dy = *y - cy, lx, ly;
    switch (app->cfg.rotation) {
    case 90:  lx = dy;  ly = -dx; break;
    case 180: lx = -dx; ly = -dy; break;
    case 270: lx = -dy; ly = dx;  break;
    default:  lx = dx;  ly = dy;  break;
    }
    *x = (int)(lx + app->w / 2.0f);
    *y = (int)(ly + app->h / 2.0f);
}

static void staff_gesture(app_t *app, int x, int y, uint64_t now)
{
    int corner = app->theme.target + app->theme.pad;
    if (x > corner || y > corner) {
        app->corner_taps = 0;
        return;
    }
    if (app->corner_taps == 0 || now - app->corner_first_ms > CORNER_WINDOW_MS) {
        app->corner_taps = 0;
        app->corner_first_ms = now;
    }
    if (++app->corner_taps >= CORNER_TAPS) {
        app->corner_taps = 0;
        if (app->screen != SCR_STAFF_PIN && app->screen != SCR_STAFF_MENU) {
            log_info("staff", "staff gesture");
            app_go(app, SCR_STAFF_PIN);
        }
    }
}

static void pointer_down(app_t *app, int x, int y)
{
    uint64_t now = clock_mono_ms();
    to_layout(app, &x, &y);
    staff_gesture(app, x, y, now);
    session_event_t ev = session_input(&app->session, now, clock_wall());
    const ui_widget_t *w = ui_hit(app->frame, x, y, TAP_SLOP_PX);
    if (ev == SESSION_EV_STARTED) {
        log_info("session", "started");
        bool attract = app->screen == SCR_ATTRACT;
        if (attract || app->screen == SCR_STREET) set_screen(app, SCR_HOME);
        /* The first touch wakes the kiosk and presses nothing, except the
         * attract loop's elder-mode start: the session starts in it. */
        if (attract) attract_first_touch(app, w ? w->id : NULL);
        app->pressed[0] = '\0';
        return;
    }
    if (ev == SESSION_EV_RESUMED) {
        /* Any touch answers "Still there?"; only "Finish now" does more. */
        app->dirty = true;
        app->pressed[0] = '\0';
        if (w && strcmp(w->id, "timeout.end") == 0) app_end_session(app, "finished");
        return;
    }
    snprintf(app->pressed, sizeof app->pressed, "%s", w ? w->id : "");
    app->pressed_ms = now;
    app->dirty = true;
}

static void pointer_up(app_t *app, int x, int y)
{
    to_layout(app, &x, &y);
    if (!app->pressed[0]) return;
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "%s", app->pressed);
    app->pressed[0] = '\0';
    app->dirty = true;
    /* Explore mode: a tap says what it is on, a double tap presses. */
    if (keypad_explore_tap(app, id, clock_mono_ms() - app->pressed_ms)) return;
    /* Released on the same widget, or after sliding a little off it:
     * slow or shaky fingers still get what they pressed. */
    const ui_widget_t *w = ui_hit(app->frame, x, y, TAP_SLOP_PX);
    const ui_widget_t *p = ui_find(app->frame, id);
    if ((w && strcmp(w->id, id) == 0) ||
        (p && x >= p->r.x - 2 * TAP_SLOP_PX && x < p->r.x + p->r.w + 2 * TAP_SLOP_PX &&
         y >= p->r.y - 2 * TAP_SLOP_PX && y < p->r.y + p->r.h + 2 * TAP_SLOP_PX))
        app_activate(app, id);
}

bool app_wake(app_t *app)
{
    session_event_t ev = session_input(&app->session, clock_mono_ms(), clock_wall());
    if (ev == SESSION_EV_RESUMED) app->dirty = true;
    if (ev != SESSION_EV_STARTED) return false;
    log_info("session", "started");
    if (app->screen == SCR_ATTRACT || app->screen == SCR_STREET) set_screen(app, SCR_HOME);
    app->pressed[0] = '\0';
    return true;
}

static void key_down(app_t *app, const SDL_KeyboardEvent *k)
{
    /* The resident's keypad, in lockdown too (app/keypad.h). */
    if (keypad_handle(app, k->keysym.sym)) return;
    /* A touch screen kiosk: keys never start a session (a stray key, or a
     * keyboard-wedge scanner outside the scan screen, must not wake it into
     * a session nobody sees); during one they count as activity. */
    if (app->session.state != SESSION_IDLE &&
        session_input(&app->session, clock_mono_ms(), clock_wall()) == SESSION_EV_RESUMED)
        app->dirty = true;
    if (app->cfg.lockdown) return;   /* Escape, Alt+F4, Ctrl+Q ... do nothing */
    if (k->keysym.sym == SDLK_q && (k->keysym.mod & KMOD_CTRL)) app->quit = true;
    else if (k->keysym.sym == SDLK_ESCAPE || k->keysym.sym == SDLK_AC_BACK) app_back(app);
}

/* Hands one of our user events to the services that subscribe to its kind. */
static void service_event(app_t *app, const SDL_Event *ev)
{
    uint32_t bit = SERVICE_EV(ev->type - app->ev_base);
    for (const service_t *const *s = app_services; *s; s++)
        if (((*s)->events & bit) && (*s)->on_event) (*s)->on_event(app, ev);
}

void app_handle_event(app_t *app, const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_QUIT:
        /* In lockdown SDL_QUIT only comes from SIGTERM/SIGINT (closing the
         * window is not a quit there, see app_init). */
        log_info("app", "quit requested");
        app->quit = true;
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) pointer_down(app, ev->button.x, ev->button.y);
        break;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button == SDL_BUTTON_LEFT) pointer_up(app, ev->button.x, ev->button.y);
        break;
    case SDL_KEYDOWN:
        key_down(app, &ev->key);
        break;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_EXPOSED ||
            ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            app->dirty = true;
        break;
    case SDL_RENDER_TARGETS_RESET:
    case SDL_RENDER_DEVICE_RESET:
        app->dirty = true;
        break;
    default:
        if (ev->type == app->ev_base + APP_EV_PRINT) {
            print_event(app, ev->user.data1);
        } else if (ev->type == app->ev_base + APP_EV_OUTBOX) {
            fleet_outbox_event(app, ev->user.data1);
        } else if (ev->type == app->ev_base + APP_EV_TELEMETRY) {
            fleet_command_event(app, ev->user.data1);
        } else if (ev->type == app->ev_base + APP_EV_CONTENT) {
            fleet_content_event(app, ev->user.data1);
        } else if (ev->type == app->ev_base + APP_EV_DEVICE) {
            devices_apply(app->devices, ev);
            fleet_snapshot(app);
            if (app->screen == SCR_STAFF_MENU) app->dirty = true;
        } else if (ev->type == app->ev_base + APP_EV_JACK) {
            speech_jack(app, ev->user.code);
        }
        if (ev->type >= app->ev_base && ev->type < app->ev_base + APP_EV_COUNT) service_event(app, ev);
        break;
    }
    speech_flush(app);
}

/* ---- time ------------------------------------------------------------- */

void app_tick(app_t *app)
{
    uint64_t now = clock_mono_ms();
    time_t started = app->session.started_wall;
    int visited = app->session.screens_visited;
    session_event_t ev = session_tick(&app->session, now);
    if (ev == SESSION_EV_WARN) {
        log_info("session", "idle: asking if the resident is still there");
        speech_still_there(app);
        app->dirty = true;
    } else if (ev == SESSION_EV_ENDED) {
        after_session(app, "timeout", started, visited, true);
    }
    if (app->session.state == SESSION_WARNING) app->dirty = true;  /* countdown */
    if (app->screen == SCR_ATTRACT && now >= app->attract_next_ms) {
        if (app->n_notices > 1) {
            app->attract_idx = (app->attract_idx + 1) % app->n_notices;
            app->dirty = true;
        }
        app->attract_next_ms = now + (uint64_t)app->cfg.attract_interval_s * 1000u;
    }
    if (app->toast[0] && now >= app->toast_until_ms) {
        app->toast[0] = '\0';
        app->dirty = true;
    }
    if (clock_wall() / 60 != app->shown_minute) {
        app->dirty = true;
        fleet_snapshot(app);            /* telemetry's view, once a minute */
    }
    for (const service_t *const *s = app_services; *s; s++)
        if ((*s)->tick) (*s)->tick(app, now);
    speech_flush(app);
}

uint32_t app_wait_ms(const app_t *app)
{
    uint64_t now = clock_mono_ms();
    uint64_t wait = session_next_deadline(&app->session, now);
    time_t wall = clock_wall();
    uint64_t to_minute = (uint64_t)(60 - wall % 60) * 1000u;
    if (to_minute < wait) wait = to_minute;
    if (app->screen == SCR_ATTRACT) {
        uint64_t d = app->attract_next_ms > now ? app->attract_next_ms - now : 0;
        if (d < wait) wait = d;
    }
    if (app->toast[0]) {
        uint64_t d = app->toast_until_ms > now ? app->toast_until_ms - now : 0;
        if (d < wait) wait = d;
    }
    /* The idle warning's countdown changes once a second. */
    if (app->session.state == SESSION_WARNING) {
        uint64_t d = 1000 - (now % 1000);
        if (d < wait) wait = d;
    }
    for (const service_t *const *s = app_services; *s; s++) {
        uint64_t d = (*s)->wait_ms ? (*s)->wait_ms(app, now) : UINT64_MAX;
        if (d < wait) wait = d;
    }
    if (wait > 60000) wait = 60000;
    return (uint32_t)wait;
}

void app_run(app_t *app)
{
    /* Under systemd (Type=notify, WatchdogSec): ready once the first frame
     * is up, then a ping from this loop, never from another thread, so a
     * UI that stops turning gets the kiosk restarted. Sends never block. */
    sdnotify_t sdn;
    if (sdn_open(&sdn) != 0) log_warn("app", "NOTIFY_SOCKET unusable: systemd will not hear from the kiosk");
    bool ready = false;
    while (!app->quit) {
        if (app->dirty) app_draw(app);
        if (!ready) {
            ready = true;
            sdn_send(&sdn, "READY=1");
        }
        sdn_watchdog(&sdn);
        uint32_t wait = app_wait_ms(app), wd = sdn_watchdog_wait_ms(&sdn);
        SDL_Event ev;
        if (SDL_WaitEventTimeout(&ev, (int)(wd < wait ? wd : wait))) {
            app_handle_event(app, &ev);
            while (!app->quit && SDL_PollEvent(&ev)) app_handle_event(app, &ev);
        }
        app_tick(app);
    }
    sdn_send(&sdn, "STOPPING=1");
    sdn_close(&sdn);
}

/* ---- set-up ----------------------------------------------------------- */

static int open_video(app_t *app, char *err, int errlen)
{
    const config_t *c = &app->cfg;
    app->w = c->width;
    app->h = c->height;
    bool software = c->renderer == RENDERER_SOFTWARE || app->opts.offscreen;
    /* No GPU on most kiosk boards: the software renderer draws into the
     * window surface, which then must not go through a GL/GLES context. */
    if (c->renderer != RENDERER_ACCELERATED)
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (c->lockdown) {
        SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
        SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
        SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
        SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        snprintf(err, errlen, "cannot start video: %s", SDL_GetError());
        return -1;
    }
    if (app->opts.offscreen) {
        app->surface = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
        if (app->surface) app->ren = SDL_CreateSoftwareRenderer(app->surface);
    } else {
        /* SDL falls back to an invisible "offscreen" or "dummy" driver when
         * there is no display; a kiosk nobody can see is a start-up fault,
         * unless that driver was asked for (tests, console set-ups). */
        const char *drv = SDL_GetCurrentVideoDriver();
        if (drv && (!strcmp(drv, "offscreen") || !strcmp(drv, "dummy")) && !getenv("SDL_VIDEODRIVER")) {
            /* With DISPLAY set, X11 failed to start once (a busy X server):
             * try it again, by name, so a failure says why. */
            const char *display = getenv("DISPLAY");
            SDL_VideoQuit();
            if (!display || SDL_VideoInit("x11") != 0) {
                snprintf(err, errlen, "no display (%s): set DISPLAY, or use --tour DIR to "
                         "render the screens to PNG", display ? SDL_GetError() : "DISPLAY is not set");
                return -1;
            }
            log_warn("app", "X11 started on the second try");
        }
        bool turned = c->rotation == 90 || c->rotation == 270;
        int ww = turned ? app->h : app->w, wh = turned ? app->w : app->h;
        int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
        Uint32 flags = SDL_WINDOW_SHOWN;
        SDL_DisplayMode dm;
        if ((c->fullscreen || c->lockdown) && SDL_GetDesktopDisplayMode(0, &dm) == 0) {
            /* Cover the panel even where no window manager honours the
             * fullscreen request (a bare X server on a kiosk board): a
             * borderless window of the desktop's size at 0,0. The layout
             * keeps its configured size and is scaled to fit. */
            x = y = 0;
            ww = dm.w;
            wh = dm.h;
            flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
        }
        app->win = SDL_CreateWindow("kiosk", x, y, ww, wh, flags);
        if (!app->win) {
            snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
            return -1;
        }
        if (c->lockdown) {
            /* Under an X window manager its key and button bindings only
             * act when no client holds the keyboard and pointer: with
             * just the keyboard grabbed, Alt+middle click still lowered
             * the kiosk under openbox and handed the keyboard to the
             * window below (tests/checks/lockdown_escape.sh). Touches
             * still arrive as the pointer's presses. */
            SDL_SetWindowKeyboardGrab(app->win, SDL_TRUE);
            SDL_SetWindowMouseGrab(app->win, SDL_TRUE);
            SDL_ShowCursor(SDL_DISABLE);
        }
        Uint32 rflags = software ? SDL_RENDERER_SOFTWARE : 0;
        app->ren = SDL_CreateRenderer(app->win, -1, rflags);
        if (!app->ren && !software) app->ren = SDL_CreateRenderer(app->win, -1, SDL_RENDERER_SOFTWARE);
        if (app->ren && c->rotation) {
            app->rot_target = SDL_CreateTexture(app->ren, SDL_PIXELFORMAT_ARGB8888,
                                                SDL_TEXTUREACCESS_TARGET, app->w, app->h);
            if (app->rot_target) SDL_SetRenderTarget(app->ren, app->rot_target);
            else log_warn("app", "rotation %d unavailable: %s", c->rotation, SDL_GetError());
        } else if (app->ren && !c->rotation) {
            /* Fullscreen on a panel of another size: scale the layout. */
            SDL_RenderSetLogicalSize(app->ren, app->w, app->h);
        }
    }
    if (!app->ren) {
        snprintf(err, errlen, "cannot create a renderer: %s", SDL_GetError());
        return -1;
    }
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(app->ren, &info) == 0)
        log_info("app", "renderer %s, %dx%d", info.name, app->w, app->h);
    return 0;
}

int app_init(app_t *app, const config_t *cfg, const app_opts_t *opts, char *err, int errlen)
{
    memset(app, 0, sizeof *app);
    app->cfg = *cfg;
    if (opts) app->opts = *opts;
    app->frame = calloc(1, sizeof *app->frame);
    if (!app->frame) { snprintf(err, errlen, "out of memory"); return -1; }
    if (open_video(app, err, errlen) != 0) return -1;

    char terr[256];
    app->text = ui_text_create(app->ren, cfg->font, cfg->font_index, terr, sizeof terr);
    if (!app->text) {
        snprintf(err, errlen, "font %s: %s", cfg->font, terr);
        return -1;
    }
    app->render = ui_render_create(app->ren, app->text);
    if (!app->render) { snprintf(err, errlen, "out of memory"); return -1; }

    Uint32 base = SDL_RegisterEvents(APP_EV_COUNT);
    app->ev_base = base == (Uint32)-1 ? SDL_USEREVENT : base;

    if (i18n_load_dir(cfg->locale_dir) == 0)
        log_warn("app", "no translations in %s (run make): showing message ids", cfg->locale_dir);
    if (i18n_find(cfg->locale) < 0 && i18n_count() > 0)
        log_warn("app", "locale %s not found in %s", cfg->locale, cfg->locale_dir);
    i18n_set(cfg->locale);

    if (store_open(cfg->var_dir, &app->store, app->store_err, sizeof app->store_err) != 0) {
        log_error("app", "storage unavailable: %s (carrying on without it)", app->store_err);
        app->store = NULL;
    } else if (store_recovered_path(app->store)) {
        snprintf(app->store_err, sizeof app->store_err, "%s", store_recovered_path(app->store));
    }
    if (app->store) {
        char werr[600];
        app->writer = store_writer_start(cfg->var_dir, werr, sizeof werr);
        if (!app->writer) log_error("app", "store writer: %s (proof of play, session log and "
                                    "settings are not kept)", werr);
    }
    store_ui_thread_mark(true);

    http_set_ca_file(cfg->hub_ca_file);     /* before any worker connects */
    devices_init(app->devices, cfg);
    if (!app->opts.offscreen) {
        app->devmon = devices_start(cfg, app->ev_base + APP_EV_DEVICE, 5000);
    }
    if (!app->opts.offscreen || app->opts.network)
        app->printq = print_queue_start(cfg->var_dir, cfg->printer_uri, app->ev_base + APP_EV_PRINT, NULL);
    for (const service_t *const *s = app_services; *s; s++) {
        if ((*s)->init && (*s)->init(app) != 0) {
            snprintf(err, errlen, "%s: out of memory", (*s)->name);
            return -1;
        }
    }
    fleet_start(app);
    speech_init(app);
    if (keypad_init(app) != 0) log_warn("keypad", "out of memory: no keypad");
    session_init(&app->session, cfg->idle_timeout_s, cfg->warning_s);
    theme_make(&app->theme, cfg->theme, app->w, app->h);
    theme_fit_panel(&app->theme, phys_mm_per_px_ini(cfg->diagonal, cfg->dpi, app->w, app->h));
    app_reload_notices(app);
    app->attract_next_ms = clock_mono_ms() + (uint64_t)cfg->attract_interval_s * 1000u;
    app->screen = idle_screen(app);
    app->screen_since_ms = 0;
    if (screen_get(app->screen)->enter) screen_get(app->screen)->enter(app);
    app->dirty = true;
    return 0;
}

void app_free(app_t *app)
{
    speech_free(app);
    keypad_free(app);
    devices_stop(app->devmon);
    app->devmon = NULL;
    print_queue_stop(app->printq);
    app->printq = NULL;
    fleet_stop(app);
    size_t n = 0;
    while (app_services[n]) n++;
    while (n-- > 0)
        if (app_services[n]->free) app_services[n]->free(app);
    store_writer_stop(app->writer);     /* commits what the services left queued */
    app->writer = NULL;
    store_ui_thread_mark(false);
    /* Events still queued own a payload (its destructor rides with it). */
    if (app->ev_base) worker_events_drop(app->ev_base, app->ev_base + APP_EV_COUNT - 1);
    explicit_bzero(&app->session.pii, sizeof app->session.pii);
    ui_render_destroy(app->render);
    ui_text_destroy(app->text);
    if (app->rot_target) SDL_DestroyTexture(app->rot_target);
    if (app->ren) SDL_DestroyRenderer(app->ren);
    if (app->surface) SDL_FreeSurface(app->surface);
    if (app->win) SDL_DestroyWindow(app->win);
    store_close(app->store);
    i18n_free();
    free(app->frame);
    memset(app, 0, sizeof *app);
    SDL_Quit();
}
