/* Staff PIN entry, reached by the hidden gesture (five taps in the top-left
 * corner). The PIN is checked against the libsodium hash from kiosk.ini on a
 * worker thread; too many wrong PINs lock the entry for a while. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "services/staff/staff.h"
#include "app/screens.h"

static void enter(app_t *app)
{
    explicit_bzero(app->staff->pin, sizeof app->staff->pin);
    app->staff->pin_len = 0;
    app->staff->pin_msg[0] = '\0';
}

static bool no_pin_needed(const app_t *app)
{
    return !app->cfg.staff_pin_hash[0] && !app->cfg.lockdown;
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    int locked = staff_auth_locked(&app->staff->auth, clock_mono_ms());
    bool configured = app->cfg.staff_pin_hash[0] != '\0';
    SDL_Rect in = ui_inset(content, th->gap);
    int kw = th->target * 3 + th->gap * 2;
    int kh = th->target * 4 + th->gap * 3 / 2;
    if (kh > in.h) kh = in.h;
    /* a small panel where four rows of keys cannot keep the target height:
     * room for three rows of four (ui_keypad) */
    int g = th->gap / 8;
    if ((kh - 3 * g) / 4 < th->target && (kh - 2 * g) / 3 >= th->target)
        kw = th->target * 4 + 3 * g;
    SDL_Rect pad, left;
    if (f->height > f->width) {        /* portrait: a wide keypad under the text */
        kw = in.w * 3 / 4;
        kh = in.h / 2;
        screen_keypad_upright(f, in, &kw, &kh);
        pad = (SDL_Rect){in.x + (in.w - kw) / 2, in.y + in.h - kh, kw, kh};
        left = (SDL_Rect){in.x, in.y, in.w, in.h - kh - th->gap};
    } else {
        pad = (SDL_Rect){in.x + in.w - kw - th->gap, in.y + (in.h - kh) / 2, kw, kh};
        left = (SDL_Rect){in.x, in.y, pad.x - in.x - th->gap * 2, in.h};
    }

    ui_label_fit(f, "pin.title", ui_cut_top(&left, ui_text_line_height(f->text, th->px_huge)),
                 _("Staff PIN"), th->px_huge, th->px_large, th->text, th->bg, UI_ALIGN_LEFT, false);
    left.y += th->pad * 2; left.h -= th->pad * 2;

    char dots[64] = "";
    for (int i = 0; i < app->staff->pin_len && i < 12; i++) strcat(dots, "\xE2\x97\x8F ");  /* ● */
    if (!app->staff->pin_len) snprintf(dots, sizeof dots, "%s", "\xE2\x80\x94");           /* — */
    ui_label_fit(f, "pin.dots", ui_cut_top(&left, ui_text_line_height(f->text, th->px_huge)),
                 dots, th->px_huge, th->px_body, th->text, th->bg, UI_ALIGN_LEFT, false);
    left.y += th->pad * 2; left.h -= th->pad * 2;

    char msg[200];
    if (!configured && !no_pin_needed(app))
        snprintf(msg, sizeof msg, "%s", _("No staff PIN is set in kiosk.ini ([staff] pin_hash)."));
    else if (locked)
        snprintf(msg, sizeof msg, _("Too many wrong PINs. Try again in %d:%02d."),
                 locked / 60, locked % 60);
    else if (app->staff->pin_checking)
        snprintf(msg, sizeof msg, "%s", _("Checking the PIN..."));
    else if (app->staff->pin_msg[0])
        snprintf(msg, sizeof msg, "%s", app->staff->pin_msg);
    else
        snprintf(msg, sizeof msg, "%s", _("Enter the staff PIN, then tap the tick."));
    ui_label(f, "pin.msg", left, msg, th->px_large, th->text, th->bg, UI_ALIGN_LEFT, true);

    bool usable = configured && !locked && !app->staff->pin_checking;
    ui_keypad(f, "pin.key", pad, usable && app->staff->pin_len >= 4);
    if (!usable)
        for (int i = 0; i < f->n; i++)
            if (strncmp(f->w[i].id, "pin.key.", 8) == 0) {
                f->w[i].flags |= UI_F_DISABLED;
                f->w[i].bg = th->disabled;
                f->w[i].fg = th->on_disabled;
            }
}

static void start_check(app_t *app)
{
    int rc = staff_pin_check_start(app);
    explicit_bzero(app->staff->pin, sizeof app->staff->pin);
    app->staff->pin_len = 0;
    if (rc != 0) {
        snprintf(app->staff->pin_msg, sizeof app->staff->pin_msg, "%s", _("Could not check the PIN. Please try again."));
        return;
    }
    app->staff->pin_checking = true;
}

void staff_pin_result(app_t *app, int ok)
{
    bool asked = app->staff->pin_checking;      /* false: the session ended meanwhile */
    app->staff->pin_checking = false;
    staff_pin_check_done(app);
    int left = staff_auth_record(&app->staff->auth, ok, clock_mono_ms());
    app->dirty = true;
    if (ok) {
        log_info("staff", "staff menu opened");
        app->staff->pin_msg[0] = '\0';
        if (asked && app->screen == SCR_STAFF_PIN) {
            app->screen = SCR_STAFF_MENU;     /* replaces the PIN page: back skips it */
            staff_refresh(app);
            app->screen_since_ms = clock_mono_ms();
        }
        return;
    }
    log_warn("staff", "wrong staff PIN (%d tries left)", left);
    if (left > 0)
        snprintf(app->staff->pin_msg, sizeof app->staff->pin_msg,
                 _("Wrong PIN. %d tries left."), left);
    else
        app->staff->pin_msg[0] = '\0';
}

static bool action(app_t *app, const char *id)
{
    if (strncmp(id, "pin.key.", 8) != 0) return false;
    const char *k = id + 8;
    if (app->staff->pin_checking || staff_auth_locked(&app->staff->auth, clock_mono_ms())) return true;
    if (strcmp(k, "del") == 0) {
        if (app->staff->pin_len > 0) app->staff->pin[--app->staff->pin_len] = '\0';
    } else if (strcmp(k, "ok") == 0) {
        if (app->staff->pin_len >= 4) start_check(app);
        else snprintf(app->staff->pin_msg, sizeof app->staff->pin_msg, "%s",
                      _("A PIN has at least 4 digits."));
    } else if (k[0] >= '0' && k[0] <= '9' && app->staff->pin_len < 12) {
        app->staff->pin[app->staff->pin_len++] = k[0];
        app->staff->pin[app->staff->pin_len] = '\0';
        app->staff->pin_msg[0] = '\0';
    }
    app->dirty = true;
    return true;
}

static void enter_or_skip(app_t *app)
{
    enter(app);
    if (no_pin_needed(app)) {      /* development set-up: no PIN configured */
        app->screen = SCR_STAFF_MENU;
        staff_refresh(app);
        app->screen_since_ms = clock_mono_ms();
    }
}

const screen_t screen_staff_pin = {"staff_pin", true, false, enter_or_skip, build, action, NULL};
