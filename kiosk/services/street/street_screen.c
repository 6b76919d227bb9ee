/* The street display: the scheduled carousel (full screen, no chrome) with
 * clock, date and a ticker of short notices; an emergency alert over it in
 * the danger colours; the night schedule's blank or dimmed screen; and the
 * area map of the browse view. State and timing: services/street/street.c. */
#include <stdio.h>
#include <string.h>
#include "services/street/street.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "app/screens.h"

static const char *tag_of(const street_item_t *it)
{
    static const struct { const char *key, *label; } cats[] = {
        {"community", N_("Community notice")}, {"government", N_("Government services")},
        {"culture", N_("Events")}, {"digital", N_("Events")}, {"health", N_("Events")},
        {"books", N_("Library")}, {"reading", N_("Library")}, {"hours", N_("Library")},
        {"safety", N_("Lectures")}, {"one_stop", N_("Service guide")},
    };
    /* A lecture on health is a lecture: the kind decides first. */
    if (strcmp(it->kind, "lecture") == 0) return _("Lectures");
    if (strcmp(it->kind, "guide") == 0) return _("Service guide");
    for (size_t i = 0; i < sizeof cats / sizeof *cats; i++)
        if (strcmp(it->category, cats[i].key) == 0) return _(cats[i].label);
    if (strcmp(it->kind, "event") == 0) return _("Events");
    if (strcmp(it->kind, "library") == 0) return _("Library");
    return _("Notice");
}

/* Top line: place name left, date and clock right. */
static void top_bar(app_t *app, ui_frame_t *f, SDL_Rect *in, SDL_Color fg, SDL_Color muted,
                    SDL_Color bg)
{
    const theme_t *th = f->th;
    char clock[16], date[64];
    chrome_clock_text(clock_wall(), clock, sizeof clock, date, sizeof date);
    int lh = ui_text_line_height(f->text, th->px_title);
    int cw = ui_text_width(f->text, th->px_title, clock, -1);
    int dw = ui_text_width(f->text, th->px_body, date, -1);
    const char *title = app->cfg.location[0] ? app->cfg.location : _("Community Service Kiosk");
    /* The place name whole: on a line of its own above the date and clock
     * when it does not fit beside them even small (portrait, large text). */
    SDL_Rect tr = {0};
    if (ui_text_width(f->text, th->px_small, title, -1) > in->w - cw - dw - th->gap * 2) {
        tr = ui_cut_top(in, lh);
        in->y += th->pad / 2; in->h -= th->pad / 2;
    }
    SDL_Rect top = ui_cut_top(in, lh);
    SDL_Rect cr = {top.x + top.w - cw, top.y, cw, top.h};
    SDL_Rect dr = {cr.x - th->gap - dw, top.y, dw, top.h};
    if (tr.w == 0 || tr.h == 0) tr = (SDL_Rect){top.x, top.y, dr.x - top.x - th->gap, top.h};
    ui_label_fit(f, "street.place", tr, title, th->px_title, th->px_small, fg, bg, UI_ALIGN_LEFT,
                 false)->valign_center = true;
    ui_label(f, "street.date", dr, date, th->px_body, muted, bg, UI_ALIGN_RIGHT, false)->valign_center = true;
    ui_label(f, "street.clock", cr, clock, th->px_title, fg, bg, UI_ALIGN_RIGHT, false)->valign_center = true;
    in->y += th->gap;
    in->h -= th->gap;
}

/* The ticker: short notices' titles on one line, starting one further at
 * each carousel step (it moves with the steps, so it costs no frames). */
static void ticker(app_t *app, ui_frame_t *f, SDL_Rect *in)
{
    const theme_t *th = f->th;
    const street_content_t *c = &app->street->content;
    int idx[STREET_MAX_ITEMS], n = 0;
    for (int i = 0; i < c->n_items; i++)
        if (strcmp(c->items[i].kind, "notice") == 0 && strcmp(c->items[i].category, "alert") != 0)
            idx[n++] = i;
    if (n == 0) return;
    int h = ui_text_line_height(f->text, th->px_large) + th->pad;
    SDL_Rect bar = ui_cut_bottom(in, h);
    in->h -= th->gap;
    ui_widget_t *b = ui_panel(f, "street.ticker", bar, th->header_bg);
    b->radius = th->radius;
    const char *lab = _("Notices");
    int lw = ui_text_width(f->text, th->px_body, lab, -1) + th->pad * 2;
    SDL_Rect lr = ui_inset(bar, th->pad / 4);
    lr.w = lw;
    int room = bar.x + bar.w - (lr.x + lr.w + th->pad) - th->pad;
    /* Whole titles only: as many as fit from this step's one; the others
     * come round at the next steps rather than being cut. */
    char line[1024];
    int len = 0;
    for (int k = 0; k < n && len < (int)sizeof line - 8; k++) {
        const street_item_t *it = &c->items[idx[(app->street->steps + k) % n]];
        int before = len;
        len += snprintf(line + len, sizeof line - len, "%s%s", k ? "  \xC2\xB7  " : "", it->title);
        if (len >= (int)sizeof line) len = (int)sizeof line - 1;
        if (k && ui_text_width(f->text, th->px_body, line, -1) > room) {
            line[before] = '\0';
            len = before;
            break;
        }
    }
    ui_widget_t *badge = ui_add(f, UI_RECT, "street.ticker.badge", lr, NULL);
    badge->bg = th->primary;
    badge->radius = th->radius;
    ui_label(f, "street.ticker.label", lr, lab, th->px_body, th->on_primary, th->primary,
             UI_ALIGN_CENTER, false)->valign_center = true;
    SDL_Rect tr = {lr.x + lr.w + th->pad, bar.y, bar.x + bar.w - (lr.x + lr.w + th->pad) - th->pad, bar.h};
    ui_label_fit(f, "street.ticker.text", tr, line, th->px_large, th->px_small, th->header_text,
                 th->header_bg, UI_ALIGN_LEFT, false)->valign_center = true;
}

/* One carousel item in the card R. */
static void item_card(ui_frame_t *f, const char *id, SDL_Rect r, const street_item_t *it)
{
    const theme_t *th = f->th;
    char wid[UI_ID_LEN];
    ui_widget_t *card = ui_panel(f, id, r, th->surface);
    card->radius = th->radius * 2;
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    SDL_Rect c = ui_inset(r, th->pad * 2);
    if (it->image[0]) {
        bool portrait = r.h > r.w;
        SDL_Rect img = portrait ? ui_cut_top(&c, c.h * 2 / 5) : (SDL_Rect){c.x, c.y, c.w * 2 / 5, c.h};
        if (!portrait) { c.x += img.w + th->pad * 2; c.w -= img.w + th->pad * 2; }
        else { c.y += th->pad; c.h -= th->pad; }
        snprintf(wid, sizeof wid, "%s.image", id);
        ui_image(f, wid, img, it->image);
    }
    char tag[96];
    snprintf(tag, sizeof tag, "%s%s", it->pinned ? _("[Pinned] ") : "", tag_of(it));
    snprintf(wid, sizeof wid, "%s.tag", id);
    ui_label(f, wid, ui_cut_top(&c, ui_text_line_height(f->text, th->px_body)), tag, th->px_body,
             th->text_muted, th->surface, UI_ALIGN_LEFT, false);
    c.y += th->pad / 2; c.h -= th->pad / 2;
    /* The title as large as leaves the body its room at body size, the
     * body never cut where smaller type holds it (large text). */
    int tpx = th->px_huge;
    int body_h = it->body[0] ? ui_wrapped_height(f, th->px_body, it->body, c.w) : 0;
    int lh = ui_text_line_height(f->text, tpx);
    int tw = ui_wrapped_height(f, tpx, it->title, c.w);
    if (tw > lh * 2) tw = lh * 2;
    if (tw + th->pad + body_h > c.h) {
        tpx = th->px_title;
        lh = ui_text_line_height(f->text, tpx);
        tw = ui_wrapped_height(f, tpx, it->title, c.w);
        if (tw > lh * 2) tw = lh * 2;
    }
    snprintf(wid, sizeof wid, "%s.title", id);
    ui_label_fit(f, wid, (SDL_Rect){c.x, c.y, c.w, tw}, it->title, tpx, th->px_title,
                 th->text, th->surface, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    c.y += tw + th->pad; c.h -= tw + th->pad;
    snprintf(wid, sizeof wid, "%s.body", id);
    if (c.h > 0 && it->body[0])
        ui_label_fit(f, wid, c, it->body, th->px_large, th->px_small, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
}

static void alert_view(app_t *app, ui_frame_t *f, SDL_Rect content, const street_item_t *it)
{
    const theme_t *th = f->th;
    SDL_Color bg = th->danger, fg = th->on_danger;
    ui_panel(f, "street.alert", content, bg)->radius = 0;
    SDL_Rect in = ui_inset(content, th->pad * 3);
    top_bar(app, f, &in, fg, fg, bg);
    SDL_Rect head = ui_cut_top(&in, ui_text_line_height(f->text, th->px_huge) + th->pad * 2);
    ui_widget_t *band = ui_add(f, UI_RECT, "street.alert.band", head, NULL);
    band->bg = fg;
    band->radius = th->radius * 2;
    ui_label_fit(f, "street.alert.head", ui_inset(head, th->pad), _("Emergency alert"),
                 th->px_huge, th->px_title, bg, fg, UI_ALIGN_CENTER, false)->valign_center = true;
    in.y += th->pad * 2; in.h -= th->pad * 2;
    if (it->expires) {
        time_t e = it->expires;
        struct tm tm;
        clock_cst(e, &tm);
        char hm[16], until[96];
        strftime(hm, sizeof hm, "%H:%M", &tm);
        snprintf(until, sizeof until, _("In force until %s"), hm);
        ui_label(f, "street.alert.until", ui_cut_bottom(&in, ui_text_line_height(f->text, th->px_large)),
                 until, th->px_large, fg, bg, UI_ALIGN_LEFT, false);
        in.h -= th->pad;
    }
    int lh = ui_text_line_height(f->text, th->px_huge);
    int tw = ui_wrapped_height(f, th->px_huge, it->title, in.w);
    if (tw > lh * 2) tw = lh * 2;
    ui_label_fit(f, "street.alert.title", (SDL_Rect){in.x, in.y, in.w, tw}, it->title, th->px_huge,
                 th->px_title, fg, bg, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    in.y += tw + th->pad; in.h -= tw + th->pad;
    if (in.h > 0 && it->body[0])
        ui_label_fit(f, "street.alert.body", in, it->body, th->px_huge, th->px_body, fg, bg,
                     UI_ALIGN_LEFT, true);
}

/* A translucent backdrop over everything: the renderer draws what is under
 * it in colours premixed with it (no full-screen blend, render.c). */
static void shade(ui_frame_t *f, const char *id, SDL_Color c, int alpha)
{
    if (alpha <= 0) return;
    if (alpha > 254) alpha = 254;
    c.a = (Uint8)alpha;
    ui_widget_t *w = ui_add(f, UI_RECT, id, (SDL_Rect){0, 0, f->width, f->height}, NULL);
    w->bg = c;
    w->flags |= UI_F_MODAL;
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    bool dim = false;
    if (!app->street) return;
    sched_what_t what;
    const street_item_t *it = street_shown(app, &what);
    if (street_night(app, &dim) && !dim && what != SCHED_ALERT) {
        ui_panel(f, "street.night", content, (SDL_Color){0, 0, 0, 255})->radius = 0;
        return;
    }
    if (what == SCHED_ALERT && it) {
        alert_view(app, f, content, it);
        if (dim && street_night(app, NULL)) shade(f, "street.dim", (SDL_Color){0, 0, 0, 255}, 110);
        return;
    }
    ui_panel(f, "street", content, th->bg)->radius = 0;
    SDL_Rect in = ui_inset(content, th->pad * 3);
    top_bar(app, f, &in, th->text, th->text_muted, th->bg);
    ticker(app, f, &in);
    int p = 0;
    const street_item_t *out = street_fading(app, &p);
    if (out && p < 500) {
        item_card(f, "street.card", in, out);           /* the first half: the old one fades */
        shade(f, "street.fade", th->bg, p * 255 / 500);
    } else if (it) {
        item_card(f, "street.card", in, it);
        if (out) shade(f, "street.fade", th->bg, (1000 - p) * 255 / 500);
    } else {
        ui_widget_t *card = ui_panel(f, "street.card", in, th->surface);
        card->radius = th->radius * 2;
        ui_label_fit(f, "street.welcome", ui_inset(in, th->pad * 2),
                     _("Welcome. Touch the screen for notices, events, the library, service guides and the area map."),
                     th->px_title, th->px_body, th->text, th->surface, UI_ALIGN_CENTER,
                     true)->valign_center = true;
    }
    if (street_night(app, NULL) && dim) shade(f, "street.dim", (SDL_Color){0, 0, 0, 255}, 150);
}

const screen_t screen_street = {"street", false, false, street_screen_enter, build, NULL,
                                street_screen_leave};

/* ---- the area map (browse view) -------------------------------------- */

static void map_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "map.card", in);
    SDL_Rect c = ui_inset(in, th->pad);
    screen_title(f, "map.title", &c, _("Area map"), th->surface);
    SDL_Rect cap = ui_cut_bottom(&c, ui_text_line_height(f->text, th->px_body) * 2);
    ui_label_fit(f, "map.caption", cap,
                 _("You are here: the red dot. Service centre, clinic, library and bus stops are marked."),
                 th->px_body, th->px_small, th->text, th->surface, UI_ALIGN_CENTER, true);
    c.h -= th->pad;
    char path[CONFIG_STR + 32];
    snprintf(path, sizeof path, "%s/street/map.png", app->cfg.assets_dir);
    ui_image(f, "map.image", c, path)->bg = th->surface;
}

const screen_t screen_map = {"map", true, false, NULL, map_build, NULL, NULL};
