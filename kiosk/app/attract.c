/* Attract loop: what the kiosk shows between residents. Rotates the current
 * notices; the first touch starts a session (handled by the app, not here:
 * a first touch on "attract.elder" starts it in elder mode, see
 * attract_first_touch). */
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "app/prefs.h"
#include "app/screens.h"

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    ui_panel(f, "attract", content, th->bg)->radius = 0;
    SDL_Rect in = ui_inset(content, th->pad * 3);

    /* Top: place name left; date and clock right, on one line. */
    char clock[16], date[64];
    chrome_clock_text(clock_wall(), clock, sizeof clock, date, sizeof date);
    int lh = ui_text_line_height(f->text, th->px_title);
    int cw = ui_text_width(f->text, th->px_title, clock, -1);
    int dw = ui_text_width(f->text, th->px_body, date, -1);
    const char *title = app->cfg.location[0] ? app->cfg.location : _("Community Service Kiosk");
    /* The place name whole: a line of its own when it does not fit beside
     * the date and clock even small (portrait, large text). */
    SDL_Rect tr = {0};
    if (ui_text_width(f->text, th->px_small, title, -1) > in.w - cw - dw - th->gap * 2) {
        tr = ui_cut_top(&in, lh);
        in.y += th->pad / 2; in.h -= th->pad / 2;
    }
    SDL_Rect top = ui_cut_top(&in, lh);
    SDL_Rect cr = {top.x + top.w - cw, top.y, cw, top.h};
    SDL_Rect dr = {cr.x - th->gap - dw, top.y, dw, top.h};
    if (tr.h == 0) tr = (SDL_Rect){top.x, top.y, dr.x - top.x - th->gap, top.h};
    ui_label_fit(f, "attract.title", tr, title, th->px_title, th->px_body, th->text, th->bg,
                 UI_ALIGN_LEFT, false)->valign_center = true;
    ui_label(f, "attract.date", dr, date, th->px_body, th->text_muted, th->bg, UI_ALIGN_RIGHT,
             false)->valign_center = true;
    ui_label(f, "attract.clock", cr, clock, th->px_title, th->text, th->bg, UI_ALIGN_RIGHT,
             false)->valign_center = true;
    in.y += th->gap; in.h -= th->gap;

    /* Bottom: two equal invitations in large type, a plain start and a
     * start in elder mode (large text, and speech where [voice] speech =
     * elder); side by side, or stacked on a narrow portrait screen. On a
     * kiosk whose default is large text the second starts in normal text. */
    bool portrait = f->height > f->width;
    const char *go_txt = _("Touch the screen to start");
    const char *elder_txt = app->cfg.theme == THEME_ELDER ? _("Start in normal text")
                                                          : _("Elder mode (large text)");
    /* One line of huge type; where an invitation would not fit that line
     * even at large size (elder text on a small panel), the lines it needs
     * at large size, in thinner margins first (the notice keeps its room):
     * the invitation is never cut. */
    int cta_w = (portrait ? in.w : (in.w - th->gap) / 2) - th->pad * 2;
    int cta_h = ui_text_line_height(f->text, th->px_huge) + th->pad * 2;
    int need = ui_wrapped_height(f, th->px_large, go_txt, cta_w);
    int need2 = ui_wrapped_height(f, th->px_large, elder_txt, cta_w);
    if (need2 > need) need = need2;
    if (need + th->pad > cta_h) cta_h = need + th->pad;
    SDL_Rect cta = ui_cut_bottom(&in, portrait ? cta_h * 2 + th->gap : cta_h);
    SDL_Rect go = cta, elder = cta;
    if (portrait) {
        go.h = elder.h = cta_h;
        elder.y = go.y + cta_h + th->gap;
    } else {
        go.w = (cta.w - th->gap) / 2;
        elder.x = go.x + go.w + th->gap;
        elder.w = cta.w - go.w - th->gap;
    }
    ui_widget_t *b = ui_add(f, UI_RECT, "attract.cta", go, NULL);
    b->bg = th->primary;
    b->radius = th->radius * 2;
    SDL_Rect gr = ui_inset(go, th->pad), er = ui_inset(elder, th->pad);
    if (gr.h < need) {
        gr.y = go.y + (go.h - need) / 2;
        er.y = elder.y + (elder.h - need) / 2;
        gr.h = er.h = need;
    }
    ui_widget_t *gt = ui_label_fit(f, "attract.cta.text", gr,
                                   go_txt, th->px_huge, th->px_large,
                                   th->on_primary, th->primary, UI_ALIGN_CENTER, true);
    gt->valign_center = true;
    ui_widget_t *e = ui_add(f, UI_RECT, "attract.elder", elder, NULL);
    e->bg = th->primary;
    e->radius = th->radius * 2;
    e->flags |= UI_F_CLICK;
    ui_widget_t *et = ui_label_fit(f, "attract.elder.text", er,
                                   elder_txt, th->px_huge, th->px_large, th->on_primary, th->primary,
                                   UI_ALIGN_CENTER, true);
    et->valign_center = true;
    /* Equal choices look equal: both in the smaller of the two sizes. */
    if (!(gt->flags & UI_F_ELLIPSIS) && !(et->flags & UI_F_ELLIPSIS)) {
        if (gt->px > et->px) gt->px = et->px; else et->px = gt->px;
    }
    in.h -= th->gap;

    /* Middle: one notice card. */
    ui_widget_t *card = ui_panel(f, "attract.card", in, th->surface);
    card->radius = th->radius * 2;
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    SDL_Rect c = ui_inset(in, th->pad * 2);
    if (app->n_notices == 0) {
        ui_label_fit(f, "attract.welcome", c, _("Welcome. Pay bills, book housekeeping, read notices and get help here."),
                 th->px_title, th->px_body, th->text, th->surface, UI_ALIGN_CENTER,
                 true)->valign_center = true;
        return;
    }
    const notice_t *n = &app->notices[app->attract_idx % app->n_notices];
    int lh_t = ui_text_line_height(f->text, th->px_title);
    SDL_Rect tag = ui_cut_top(&c, ui_text_line_height(f->text, th->px_body));
    char tagtxt[96];
    snprintf(tagtxt, sizeof tagtxt, "%s%s", n->pinned ? _("[Pinned] ") : "",
             _(n->category[0] == 'g' ? N_("Government services") :
               n->category[0] == 'e' ? N_("Events") :
               n->category[0] == 'l' && n->category[1] == 'i' ? N_("Library") :
               n->category[0] == 'l' ? N_("Lectures") : N_("Community notice")));
    ui_label(f, "attract.tag", tag, tagtxt, th->px_body, th->text_muted, th->surface,
             UI_ALIGN_LEFT, false);
    c.y += th->pad / 2; c.h -= th->pad / 2;
    /* The title gives way (to body size) before the body would be cut. */
    int tpx = th->px_title;
    int dots = app->n_notices > 1 ? th->pad * 2 : 0;   /* room for the position dots */
    int th_used = ui_wrapped_height(f, tpx, n->title, c.w);
    if (th_used > lh_t * 2) th_used = lh_t * 2;
    if (th_used + th->pad + dots + ui_wrapped_height(f, th->px_body, n->body, c.w) > c.h) {
        tpx = th->px_large;
        lh_t = ui_text_line_height(f->text, tpx);
        th_used = ui_wrapped_height(f, tpx, n->title, c.w);
        if (th_used > lh_t * 2) th_used = lh_t * 2;
    }
    ui_label(f, "attract.notice.title", (SDL_Rect){c.x, c.y, c.w, th_used}, n->title,
             tpx, th->text, th->surface, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    c.y += th_used + th->pad; c.h -= th_used + th->pad;
    c.h -= dots;
    ui_label_fit(f, "attract.notice.body", c, n->body, th->px_large, th->px_small, th->text,
                 th->surface, UI_ALIGN_LEFT, true);

    /* Position dots: which notice of how many. */
    if (app->n_notices > 1) {
        int d = th->pad / 2 + 4, gap = d;
        int total = app->n_notices * d + (app->n_notices - 1) * gap;
        int x = in.x + (in.w - total) / 2, y = in.y + in.h - d - th->pad;
        for (int i = 0; i < app->n_notices; i++) {
            char id[UI_ID_LEN];
            snprintf(id, sizeof id, "attract.dot.%d", i);
            ui_widget_t *dot = ui_add(f, UI_CIRCLE, id, (SDL_Rect){x + i * (d + gap), y, d, d}, NULL);
            dot->bg = i == app->attract_idx ? th->primary : th->border;
        }
    }
}

void attract_first_touch(app_t *app, const char *id)
{
    if (id && !strcmp(id, "attract.elder"))
        prefs_set_large(app, app->cfg.theme != THEME_ELDER, true);
}

const screen_t screen_attract = {"attract", false, false, NULL, build, NULL, NULL};
