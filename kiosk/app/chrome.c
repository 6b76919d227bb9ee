/* Header (title, clock, language, voice and large-text toggles), navigation bar
 * (back, home, help) and the "Still there?" overlay: on every screen. */
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "app/prefs.h"
#include "app/screens.h"
#include "app/speech.h"

void chrome_clock_text(time_t t, char *clock, int clen, char *date, int dlen)
{
    static const char *wd[7] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                N_("Thu"), N_("Fri"), N_("Sat")};
    struct tm tm;
    clock_cst(t, &tm);
    snprintf(clock, clen, "%02d:%02d", tm.tm_hour, tm.tm_min);
    /* TRANSLATORS: %1$d is the month (1-12), %2$d the day, %3$s the weekday. */
    const char *fmt = _("%1$d/%2$d %3$s");
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%d/%d %s", tm.tm_mon + 1, tm.tm_mday, _(wd[tm.tm_wday]));
    /* A translated format is checked to use exactly %1$d %2$d %3$s before it
     * is trusted with printf. */
    if (strstr(fmt, "%1$d") && strstr(fmt, "%2$d") && strstr(fmt, "%3$s")) {
        int n = 0;
        for (const char *p = fmt; *p; p++) if (*p == '%') n++;
        if (n == 3) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
            snprintf(tmp, sizeof tmp, fmt, tm.tm_mon + 1, tm.tm_mday, _(wd[tm.tm_wday]));
#pragma GCC diagnostic pop
        }
    }
    snprintf(date, dlen, "%s", tmp);
}

/* The next locale in name order after the current one (screens.h). */
const char *chrome_next_locale(const app_t *app)
{
    int n = i18n_count();
    if (n < 2) return NULL;
    int i = i18n_find(app_locale(app));
    return i18n_name((i + 1) % n);
}

void chrome_header(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    SDL_Rect bar = {0, 0, f->width, th->header_h};
    ui_widget_t *bg = ui_panel(f, "hdr", bar, th->header_bg);
    bg->radius = 0;
    SDL_Rect in = ui_inset(bar, th->pad / 2);

    /* Right to left: text size, language, clock. */
    int bw = (int)(210 * th->scale * (th->id == THEME_ELDER ? 1.3f : 1.0f));
    /* The size toggle names its state, like 语音：开 beside it. A long state
     * ("Large text: on") widens it where the bar has room (landscape: the
     * place name gives way), else its type gets smaller to fit. */
    int sw = ui_text_width(f->text, th->px_body, prefs_large_label(app), -1) + th->pad * 2;
    if (sw < bw || f->height > f->width) sw = bw;
    SDL_Rect size_btn = {in.x + in.w - sw, in.y, sw, in.h};
    ui_widget_t *size = ui_button(f, "hdr.size", size_btn, prefs_large_label(app), UI_BTN_GHOST, true);
    if (size->px > th->px_body) size->px = th->px_body;

    SDL_Rect lang_btn = {size_btn.x - th->gap - bw, in.y, bw, in.h};
    const char *next = chrome_next_locale(app);
    ui_button(f, "hdr.lang", lang_btn,
              next ? i18n_get_in(next, "@language-name") : _("@language-name"),
              UI_BTN_GHOST, next != NULL)->px = th->px_body;
    int right = lang_btn.x;
    speech_header(app, f, in.y, in.h, &right);      /* the 语音 button */

    /* Clock and date stacked; sizes shrink until both fit the bar. */
    char clock[16], date[64];
    chrome_clock_text(clock_wall(), clock, sizeof clock, date, sizeof date);
    int px_c = th->px_title, px_d = th->px_small;
    while (px_c > 12 && ui_text_line_height(f->text, px_c) +
                        ui_text_line_height(f->text, px_d) > in.h) {
        px_c -= 2;
        if (px_d > px_c / 2) px_d -= 1;
    }
    int cw = ui_text_width(f->text, px_c, clock, -1);
    int dw = ui_text_width(f->text, px_d, date, -1);
    int colw = (cw > dw ? cw : dw);
    /* A narrow bar (an upright small panel in large text, its toggles at
     * 24 mm) leaves the clock less room: it gets smaller, down to the
     * small size, and gives way altogether rather than leave the screen. */
    int room = right - th->gap - in.x;
    while (colw > room && px_d > th->px_small / 2 && px_c > th->px_small) {
        px_c -= 2;
        if (px_d > px_c / 2) px_d -= 1;
        cw = ui_text_width(f->text, px_c, clock, -1);
        dw = ui_text_width(f->text, px_d, date, -1);
        colw = cw > dw ? cw : dw;
    }
    if (colw > room) return;
    SDL_Rect clk = {right - th->gap - colw, in.y, colw, in.h};
    int lh_c = ui_text_line_height(f->text, px_c);
    int lh_d = ui_text_line_height(f->text, px_d);
    int top = clk.y + (clk.h - lh_c - lh_d) / 2;
    ui_label(f, "hdr.clock", (SDL_Rect){clk.x, top, colw, lh_c}, clock, px_c,
             th->header_text, th->header_bg, UI_ALIGN_CENTER, false);
    ui_label(f, "hdr.date", (SDL_Rect){clk.x, top + lh_c, colw, lh_d}, date, px_d,
             th->header_text, th->header_bg, UI_ALIGN_CENTER, false);

    /* The place name takes what is left; on a narrow portrait screen it
     * gives way (the attract loop shows it) rather than shrink unreadably. */
    const char *title = app->cfg.location[0] ? app->cfg.location : _("Community Service Kiosk");
    SDL_Rect tr = {in.x + th->pad / 2, in.y, clk.x - in.x - th->gap * 2, in.h};
    int px = th->px_title;
    while (px > th->px_small && ui_text_width(f->text, px, title, -1) > tr.w) px -= 2;
    if (ui_text_width(f->text, px, title, -1) > tr.w) return;
    ui_widget_t *t = ui_add(f, UI_TEXT, "hdr.title", tr, title);
    t->px = px;
    t->fg = th->header_text;
    t->bg = th->header_bg;
    t->valign_center = true;
    t->flags |= UI_F_BOLD;
}

/* The navigation as a rail at the right (theme.h nav_w): back and home at
 * the top, help apart at the bottom. */
static void nav_rail(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    SDL_Rect bar = {f->width - th->nav_w, th->header_h, th->nav_w, f->height - th->header_h};
    ui_widget_t *bg = ui_panel(f, "nav", bar, th->surface);
    bg->radius = 0;
    bg->border = th->border;
    int margin = (th->nav_w - th->target * 3 / 2) / 2;     /* theme.c place_nav() */
    SDL_Rect in = ui_inset(bar, margin);
    bool home = app->screen == SCR_HOME;
    char back[64];
    snprintf(back, sizeof back, "\xE2\x86\x90 %s", _("Back"));   /* ← */
    int bh = th->target;
    ui_button(f, "nav.back", (SDL_Rect){in.x, in.y, in.w, bh}, back, UI_BTN_SECONDARY, !home);
    ui_button(f, "nav.home", (SDL_Rect){in.x, in.y + bh + th->gap, in.w, bh},
              _("Home"), UI_BTN_SECONDARY, !home);
    ui_button(f, "nav.help", (SDL_Rect){in.x, in.y + in.h - bh, in.w, bh},
              _("Help"), UI_BTN_PRIMARY, app->screen != SCR_HELP);
}

void chrome_nav(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    if (th->nav_w > 0) {
        nav_rail(app, f);
        return;
    }
    SDL_Rect bar = {0, f->height - th->nav_h, f->width, th->nav_h};
    ui_widget_t *bg = ui_panel(f, "nav", bar, th->surface);
    bg->radius = 0;
    bg->border = th->border;
    SDL_Rect in = ui_inset(bar, (th->nav_h - th->target) / 2);
    int bw = (int)(300 * th->scale * (th->id == THEME_ELDER ? 1.3f : 1.0f));
    if (bw * 3 + th->gap * 4 > in.w) bw = (in.w - th->gap * 4) / 3;
    bool home = app->screen == SCR_HOME;
    char back[64];
    snprintf(back, sizeof back, "\xE2\x86\x90 %s", _("Back"));   /* ← */
    ui_button(f, "nav.back", (SDL_Rect){in.x, in.y, bw, in.h}, back, UI_BTN_SECONDARY, !home);
    ui_button(f, "nav.home", (SDL_Rect){in.x + bw + th->gap * 2, in.y, bw, in.h},
              _("Home"), UI_BTN_SECONDARY, !home);
    ui_button(f, "nav.help", (SDL_Rect){in.x + in.w - bw, in.y, bw, in.h},
              _("Help"), UI_BTN_PRIMARY, app->screen != SCR_HELP);
}

void chrome_timeout_overlay(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    int left = session_warning_left(&app->session, clock_mono_ms());
    int count_h = ui_text_line_height(f->text, th->px_huge) + th->pad * 2;
    SDL_Rect btns = ui_modal(f, "timeout", _("Still there?"),
                             _("For your privacy the screen will be cleared soon. Touch the screen to continue."),
                             count_h + th->gap + th->target);
    ui_countdown(f, "timeout.count", (SDL_Rect){btns.x, btns.y, btns.w, count_h},
                 left, (int)(app->session.warning_ms / 1000));
    SDL_Rect row = {btns.x, btns.y + count_h + th->gap, btns.w, th->target};
    SDL_Rect a = {row.x, row.y, (row.w - th->gap) / 2, row.h};
    SDL_Rect b = {row.x + a.w + th->gap, row.y, a.w, row.h};
    ui_button(f, "timeout.end", a, _("Finish now"), UI_BTN_SECONDARY, true);
    ui_button(f, "timeout.continue", b, _("Continue"), UI_BTN_PRIMARY, true);
}

void chrome_alert_overlay(app_t *app, ui_frame_t *f, const char *title, const char *body)
{
    const theme_t *th = f->th;
    char head[300];
    snprintf(head, sizeof head, "%s: %s", _("Emergency alert"), title);
    SDL_Rect btns = ui_modal(f, "alert", head, body, th->target);
    /* the panel in the alert's colours, distinct from every other dialog */
    for (int i = 0; i < f->n; i++) {
        ui_widget_t *w = &f->w[i];
        if (!strcmp(w->id, "alert.panel")) {
            w->bg = th->danger;
            w->border = th->on_danger;
            w->border_w = 4;
        } else if (!strncmp(w->id, "alert.", 6) && w->kind == UI_TEXT) {
            w->fg = th->on_danger;
            w->bg = th->danger;
        }
    }
    ui_button(f, "alert.ok", btns, _("I have read it"), UI_BTN_SECONDARY, true);
}

void chrome_receipt_overlay(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    int qr = f->height * 2 / 5;
    if (qr > f->width / 2) qr = f->width / 2;
    SDL_Rect area = ui_modal(f, "receipt", _("Your receipt"),
                             _("The printer cannot print right now. Scan this code with your phone to keep "
                               "your receipt; it will also be printed as soon as the printer works again."),
                             qr + th->gap + th->target);
    ui_qr(f, "receipt.qr", (SDL_Rect){area.x + (area.w - qr) / 2, area.y, qr, qr}, app->receipt_qr);
    SDL_Rect b = {area.x + area.w / 4, area.y + qr + th->gap, area.w / 2, th->target};
    ui_button(f, "receipt.ok", b, _("Done"), UI_BTN_PRIMARY, true);
}

bool chrome_action(app_t *app, const char *id)
{
    if (speech_action(app, id)) return true;
    if (strcmp(id, "receipt.ok") == 0) {
        explicit_bzero(app->receipt_qr, sizeof app->receipt_qr);
        app->receipt_dismissed = true;   /* retries of the job do not bring it back */
        app->dirty = true;
        return true;
    }
    if (strcmp(id, "alert.ok") == 0) {
        app->alert_seen = app->alert_shown;      /* until another alert comes */
        app->dirty = true;
        return true;
    }
    if (strcmp(id, "nav.back") == 0) { app_back(app); return true; }
    if (strcmp(id, "nav.home") == 0) { app_home(app); return true; }
    if (strcmp(id, "nav.help") == 0) { app_go(app, SCR_HELP); return true; }
    if (strcmp(id, "timeout.end") == 0) { app_end_session(app, "finished"); return true; }
    if (strcmp(id, "timeout.continue") == 0) { app->dirty = true; return true; }
    if (strcmp(id, "hdr.lang") == 0) {
        const char *next = chrome_next_locale(app);
        if (next) snprintf(app->session.locale, sizeof app->session.locale, "%s", next);
        app->dirty = true;
        return true;
    }
    return prefs_action(app, id);
}
