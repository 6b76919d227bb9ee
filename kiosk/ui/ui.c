#include "ui/ui.h"
#include "core/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "core/log.h"

void ui_frame_begin(ui_frame_t *f, int w, int h, const theme_t *th, ui_text_t *text)
{
    f->n = 0;
    f->arena_used = 0;
    f->width = w;
    f->height = h;
    f->th = th;
    f->text = text;
    f->overflow = false;
}

const char *ui_strdup(ui_frame_t *f, const char *s)
{
    if (!s) return NULL;
    size_t len = strlen(s) + 1;
    if (f->arena_used + len > UI_ARENA) {
        if (!f->overflow) log_warn("ui", "frame text arena full");
        f->overflow = true;
        return "";
    }
    char *p = f->arena + f->arena_used;
    memcpy(p, s, len);
    f->arena_used += (int)len;
    return p;
}

ui_widget_t *ui_add(ui_frame_t *f, ui_kind_t kind, const char *id, SDL_Rect r,
                    const char *text)
{
    static ui_widget_t scratch;
    ui_widget_t *w;
    if (f->n >= UI_MAX_WIDGETS) {
        if (!f->overflow) log_warn("ui", "more than %d widgets in a frame", UI_MAX_WIDGETS);
        f->overflow = true;
        w = &scratch;
    } else {
        w = &f->w[f->n++];
    }
    memset(w, 0, sizeof *w);
    snprintf(w->id, sizeof w->id, "%s", id ? id : "");
    w->kind = kind;
    w->r = r;
    w->text = ui_strdup(f, text);
    w->px = f->th ? f->th->px_body : 32;
    return w;
}

const ui_widget_t *ui_find(const ui_frame_t *f, const char *id)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->w[i].id, id) == 0) return &f->w[i];
    return NULL;
}

/* Distance from (X, Y) to R, 0 inside. */
static int distance(SDL_Rect r, int x, int y)
{
    int dx = x < r.x ? r.x - x : x >= r.x + r.w ? x - (r.x + r.w - 1) : 0;
    int dy = y < r.y ? r.y - y : y >= r.y + r.h ? y - (r.y + r.h - 1) : 0;
    return dx > dy ? dx : dy;
}

const ui_widget_t *ui_hit(const ui_frame_t *f, int x, int y, int slop)
{
    /* The topmost widget under the point wins. Failing that, the nearest
     * one within SLOP, so a near miss lands on the closest target and never
     * on a farther one. A modal stops the search at its level. */
    const ui_widget_t *near = NULL;
    int best = slop + 1;
    for (int i = f->n - 1; i >= 0; i--) {
        const ui_widget_t *w = &f->w[i];
        if (!(w->flags & UI_F_CLICK) || (w->flags & UI_F_DISABLED)) {
            if (w->flags & UI_F_MODAL) break;
            continue;
        }
        int d = distance(w->r, x, y);
        if (d == 0) return w;
        if (d < best) { best = d; near = w; }
    }
    return near;
}

ui_widget_t *ui_panel(ui_frame_t *f, const char *id, SDL_Rect r, SDL_Color fill)
{
    ui_widget_t *w = ui_add(f, UI_RECT, id, r, NULL);
    w->bg = fill;
    w->radius = f->th->radius;
    return w;
}

ui_widget_t *ui_label(ui_frame_t *f, const char *id, SDL_Rect r, const char *text,
                      int px, SDL_Color fg, SDL_Color bg, ui_align_t align, bool wrap)
{
    ui_widget_t *w = ui_add(f, UI_TEXT, id, r, text);
    w->px = px;
    w->fg = fg;
    w->bg = bg;
    w->align = align;
    if (wrap) w->flags |= UI_F_WRAP;
    return w;
}

static bool fits(ui_frame_t *f, int px, const char *text, SDL_Rect r, bool wrap)
{
    /* The box holds the font's full line height: a shorter one clips the
     * bottom of Chinese strokes and of descenders ("Today" read "Todav"). */
    if (!wrap) return ui_text_width(f->text, px, text, -1) <= r.w &&
                      ui_text_line_height(f->text, px) <= r.h;
    return ui_wrapped_height(f, px, text, r.w) <= r.h;
}

ui_widget_t *ui_label_fit(ui_frame_t *f, const char *id, SDL_Rect r, const char *text,
                          int px_max, int px_min, SDL_Color fg, SDL_Color bg,
                          ui_align_t align, bool wrap)
{
    int px = px_max;
    while (px > px_min && !fits(f, px, text, r, wrap)) px -= 2;
    if (px < px_min) px = px_min;
    ui_widget_t *w = ui_label(f, id, r, text, px, fg, bg, align, wrap);
    if (!fits(f, px, text, r, wrap)) w->flags |= UI_F_ELLIPSIS;
    return w;
}

int ui_wrapped_height(ui_frame_t *f, int px, const char *text, int w)
{
    ui_line_t lines[64];
    int n = ui_text_wrap(f->text, px, text, w, lines, 64);
    return n * ui_text_line_height(f->text, px);
}

ui_widget_t *ui_button(ui_frame_t *f, const char *id, SDL_Rect r,
                       const char *label, ui_btn_style_t style, bool enabled)
{
    const theme_t *th = f->th;
    ui_widget_t *w = ui_add(f, UI_BUTTON, id, r, label);
    w->flags = UI_F_CLICK | (enabled ? 0 : UI_F_DISABLED);
    w->radius = th->radius;
    w->px = th->px_large;
    w->align = UI_ALIGN_CENTER;
    switch (style) {
    case UI_BTN_PRIMARY:   w->bg = th->primary;   w->fg = th->on_primary;   break;
    case UI_BTN_DANGER:    w->bg = th->danger;    w->fg = th->on_danger;    break;
    case UI_BTN_GHOST:     w->bg = th->header_bg; w->fg = th->header_text;
                           w->border = th->header_text; w->border_w = 2;   break;
    default:               w->bg = th->secondary; w->fg = th->on_secondary;
                           w->border = th->border; w->border_w = 2;        break;
    }
    if (!enabled) { w->bg = th->disabled; w->fg = th->on_disabled; }
    /* Shrink the label to fit rather than clip it: "Housekeeping" in elder
     * size must still read whole on a 1280x800 screen. */
    while (w->px > 12 && ui_text_width(f->text, w->px, label, -1) > r.w - 2 * th->pad / 2)
        w->px -= 2;
    ui_button_wrap_if_small(f, w);
    return w;
}

/* Whether TEXT wrapped at PX in W breaks a Latin word ("Electrici|ty"):
 * a break between two letters or digits with nothing between them. */
static bool breaks_a_word(ui_frame_t *f, int px, const char *text, int w)
{
    ui_line_t lines[16];
    int n = ui_text_wrap(f->text, px, text, w, lines, 16);
    for (int i = 0; i + 1 < n; i++) {
        int end = lines[i].start + lines[i].len;
        if (end < 1 || lines[i + 1].start != end) continue;
        unsigned char a = (unsigned char)text[end - 1], b = (unsigned char)text[end];
        if (a < 0x80 && b < 0x80 && isalnum(a) && isalnum(b)) return true;
    }
    return false;
}

/* Whether LABEL at PX stands in a button of W x H on lines of whole words. */
static bool lines_fit(ui_frame_t *f, int px, const char *label, int w, int h)
{
    const theme_t *th = f->th;
    return ui_wrapped_height(f, px, label, w - th->pad) <= h - th->pad / 2 &&
           !breaks_a_word(f, px, label, w - th->pad);
}

bool ui_button_label_fits(ui_frame_t *f, const char *label, int w, int h)
{
    const theme_t *th = f->th;
    int min = theme_min_text_px(th);
    if (min <= 0 || ui_text_width(f->text, min, label, -1) <= w - th->pad) return true;
    return lines_fit(f, min, label, w, h);
}

bool ui_button_wrap_if_small(ui_frame_t *f, ui_widget_t *w)
{
    const theme_t *th = f->th;
    int min = theme_min_text_px(th);
    if (min <= 0 || w->px >= min || !w->text) return false;
    /* A panel of known size, and a label that one line would shrink below
     * the readable minimum: it takes more lines instead, at the largest
     * size whose lines fit the button. */
    for (int px = th->px_large; px >= min; px -= 2) {
        if (lines_fit(f, px, w->text, w->r.w, w->r.h)) {
            w->px = px;
            w->flags |= UI_F_WRAP;
            return true;
        }
    }
    return false;
}

void ui_tile(ui_frame_t *f, const char *id, SDL_Rect r, SDL_Color fill,
             SDL_Color on, const char *badge, const char *title, const char *sub)
{
    const theme_t *th = f->th;
    char part[UI_ID_LEN];
    ui_widget_t *w = ui_add(f, UI_RECT, id, r, NULL);
    w->flags = UI_F_CLICK;
    w->bg = fill;
    w->radius = th->radius * 2;
    if (th->high_contrast) { w->border = th->border; w->border_w = 3; }

    SDL_Rect in = ui_inset(r, th->pad);
    int badge_d = in.h * 2 / 5;
    int title_h = ui_text_line_height(f->text, th->px_title);
    int sub_h = ui_text_line_height(f->text, th->px_body);
    if (badge_d + title_h + sub_h + th->pad > in.h) badge_d = in.h - title_h - sub_h - th->pad;
    if (badge_d < 0) badge_d = 0;
    /* A wide, low tile (large text under a row of buttons) has no room for
     * the badge above the words: it goes to their left instead. */
    bool side = badge_d < title_h && in.w > in.h * 2;
    SDL_Rect words = in;
    SDL_Rect b = {0};
    if (side) {
        badge_d = in.h * 3 / 5;
        if (badge_d > in.w / 4) badge_d = in.w / 4;
        b = (SDL_Rect){in.x, in.y + (in.h - badge_d) / 2, badge_d, badge_d};
        words.x += badge_d + th->pad;
        words.w -= badge_d + th->pad;
    }
    int y = side ? in.y + (in.h - title_h - sub_h) / 2
                 : in.y + (in.h - badge_d - title_h - sub_h - th->pad / 2) / 2;

    if (badge_d > 0) {
        if (!side) b = (SDL_Rect){in.x + (in.w - badge_d) / 2, y, badge_d, badge_d};
        snprintf(part, sizeof part, "%s.badge", id);
        ui_widget_t *c = ui_add(f, UI_CIRCLE, part, b, NULL);
        c->bg = on;
        snprintf(part, sizeof part, "%s.icon", id);
        ui_widget_t *ic = ui_add(f, UI_TEXT, part, b, badge);
        ic->px = badge_d * 11 / 20;
        ic->fg = fill;
        ic->bg = on;
        ic->align = UI_ALIGN_CENTER;
        ic->valign_center = true;
        ic->flags |= UI_F_BOLD;
    }
    if (!side) y += badge_d + th->pad / 2;
    int tpx = th->px_title;
    while (tpx > 12 && ui_text_width(f->text, tpx, title, -1) > words.w) tpx -= 2;
    snprintf(part, sizeof part, "%s.title", id);
    ui_label(f, part, (SDL_Rect){words.x, y, words.w, title_h}, title, tpx, on, fill,
             UI_ALIGN_CENTER, false);
    y += title_h;
    if (sub && *sub) {
        int spx = th->px_body;
        while (spx > 12 && ui_text_width(f->text, spx, sub, -1) > words.w) spx -= 2;
        snprintf(part, sizeof part, "%s.sub", id);
        ui_label(f, part, (SDL_Rect){words.x, y, words.w, sub_h}, sub, spx, on, fill,
                 UI_ALIGN_CENTER, false);
    }
}

int ui_list(ui_frame_t *f, const char *id, SDL_Rect r, const char *const *items,
            int n, int first)
{
    const theme_t *th = f->th;
    int row_h = th->target + th->pad / 2;
    int rows = (r.h + th->gap / 2) / (row_h + th->gap / 2);
    int shown = 0;
    char part[UI_ID_LEN];
    for (int i = first; i < n && shown < rows; i++, shown++) {
        SDL_Rect row = {r.x, r.y + shown * (row_h + th->gap / 2), r.w, row_h};
        snprintf(part, sizeof part, "%s.%d", id, i);
        ui_widget_t *w = ui_add(f, UI_RECT, part, row, NULL);
        w->flags = UI_F_CLICK;
        w->bg = th->surface;
        w->border = th->border;
        w->border_w = 2;
        w->radius = th->radius;
        snprintf(part, sizeof part, "%s.%d.text", id, i);
        ui_widget_t *t = ui_add(f, UI_TEXT, part, ui_inset(row, th->pad), items[i]);
        t->px = th->px_body;
        t->fg = th->text;
        t->bg = th->surface;
        t->valign_center = true;
    }
    return shown;
}

void ui_keypad(ui_frame_t *f, const char *id, SDL_Rect r, bool ok_enabled)
{
    static const char *keys[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9",
                                   "del", "0", "ok"};
    static const char *labels[12] = {"1", "2", "3", "4", "5", "6", "7", "8", "9",
                                     "\xE2\x86\x90", "0", "\xE2\x9C\x93"}; /* ← ✓ */
    const theme_t *th = f->th;
    char part[UI_ID_LEN];
    /* A small panel's keys keep the target size: the gaps give way first
     * (down to a quarter of the usual), the keys never; where four rows
     * still do not fit, three rows of four: the digits 1-9 as ever, and
     * ←, 0, ✓ in a fourth column. */
    int gap = th->gap / 2;
    if ((r.h - 3 * gap) / 4 < th->target && (r.h - 4 * th->target) / 3 < gap) {
        gap = (r.h - 4 * th->target) / 3;
        if (gap < th->gap / 8) gap = th->gap / 8;
    }
    bool wide = (r.h - 3 * gap) / 4 < th->target && (r.h - 2 * gap) / 3 >= th->target &&
                (r.w - 3 * gap) / 4 >= th->target;
    static const int wide_pos[12] = {0, 1, 2, 4, 5, 6, 8, 9, 10, 3, 7, 11};  /* key -> cell */
    for (int i = 0; i < 12; i++) {
        SDL_Rect cell = wide ? ui_grid_cell(r, 4, 3, gap, wide_pos[i]) : ui_grid_cell(r, 3, 4, gap, i);
        snprintf(part, sizeof part, "%s.%s", id, keys[i]);
        ui_btn_style_t st = i == 11 ? UI_BTN_PRIMARY : UI_BTN_SECONDARY;
        ui_widget_t *b = ui_button(f, part, cell, labels[i], st, true);
        b->px = th->px_title;
        /* Not ready: drawn greyed but still tappable, so that the screen
         * can say why (no utility chosen, too few digits), never a dead tap. */
        if (i == 11 && !ok_enabled) { b->bg = th->disabled; b->fg = th->on_disabled; }
    }
}

SDL_Rect ui_modal(ui_frame_t *f, const char *id, const char *title,
                  const char *body, int buttons_h)
{
    const theme_t *th = f->th;
    char part[UI_ID_LEN];
    ui_widget_t *bd = ui_add(f, UI_RECT, id, (SDL_Rect){0, 0, f->width, f->height}, NULL);
    bd->bg = th->backdrop;
    bd->flags = UI_F_MODAL;

    int pw = f->width * 3 / 4;
    if (pw > (int)(1200 * th->scale)) pw = (int)(1200 * th->scale);
    int inner_w = pw - 2 * th->pad * 2;
    ui_line_t lines[32];
    int title_h = ui_text_line_height(f->text, th->px_title);
    int nb = body ? ui_text_wrap(f->text, th->px_large, body, inner_w, lines, 32) : 0;
    int body_h = nb * ui_text_line_height(f->text, th->px_large);
    int ph = th->pad * 2 + title_h + th->pad + body_h + th->pad * 2 + buttons_h + th->pad * 2;
    if (ph > f->height - 2 * th->pad) ph = f->height - 2 * th->pad;
    SDL_Rect p = {(f->width - pw) / 2, (f->height - ph) / 2, pw, ph};
    snprintf(part, sizeof part, "%s.panel", id);
    ui_widget_t *pan = ui_panel(f, part, p, th->surface);
    pan->border = th->border;
    pan->border_w = th->high_contrast ? 4 : 0;
    pan->radius = th->radius * 2;

    SDL_Rect in = ui_inset(p, th->pad * 2);
    snprintf(part, sizeof part, "%s.title", id);
    ui_label(f, part, ui_cut_top(&in, title_h), title, th->px_title, th->text,
             th->surface, UI_ALIGN_CENTER, false);
    if (body) {
        in.y += th->pad; in.h -= th->pad;
        snprintf(part, sizeof part, "%s.body", id);
        ui_label(f, part, ui_cut_top(&in, body_h), body, th->px_large, th->text,
                 th->surface, UI_ALIGN_CENTER, true);
    }
    return (SDL_Rect){in.x, p.y + p.h - th->pad * 2 - buttons_h, in.w, buttons_h};
}

void ui_toast(ui_frame_t *f, const char *id, const char *text)
{
    const theme_t *th = f->th;
    int w = ui_text_width(f->text, th->px_large, text, -1) + 4 * th->pad;
    int room = f->width - th->nav_w;
    if (w > room - 2 * th->pad) w = room - 2 * th->pad;
    int h = ui_text_line_height(f->text, th->px_large) + 2 * th->pad;
    SDL_Rect r = {(room - w) / 2, f->height - th->nav_h - h - th->pad, w, h};
    ui_widget_t *bg = ui_panel(f, id, r, th->text);
    bg->radius = h / 2;
    char part[UI_ID_LEN];
    snprintf(part, sizeof part, "%s.text", id);
    ui_widget_t *t = ui_add(f, UI_TEXT, part, ui_inset(r, th->pad), text);
    t->px = th->px_large;
    t->fg = th->bg;
    t->bg = th->text;
    t->align = UI_ALIGN_CENTER;
    t->valign_center = true;
}

void ui_countdown(ui_frame_t *f, const char *id, SDL_Rect r, int left, int total)
{
    const theme_t *th = f->th;
    char part[UI_ID_LEN], num[64];
    /* With its unit: a bare "163" does not say it is seconds. */
    if (left < 0) left = 0;
    if (left >= 60) snprintf(num, sizeof num, _("%d min %02d s left"), left / 60, left % 60);
    else snprintf(num, sizeof num, _("%d s left"), left);
    int bar_h = th->pad;
    SDL_Rect nr = {r.x, r.y, r.w, r.h - bar_h - th->pad / 2};
    snprintf(part, sizeof part, "%s.value", id);
    int px = th->px_huge;
    while (px > th->px_small && (ui_text_line_height(f->text, px) > nr.h ||
                                 ui_text_width(f->text, px, num, -1) > nr.w))
        px -= 2;
    ui_widget_t *t = ui_add(f, UI_TEXT, part, nr, num);
    t->px = px;
    t->fg = th->text;
    t->bg = th->surface;
    t->align = UI_ALIGN_CENTER;
    t->valign_center = true;
    t->flags |= UI_F_BOLD;
    snprintf(part, sizeof part, "%s.bar", id);
    ui_widget_t *b = ui_add(f, UI_BAR, part, (SDL_Rect){r.x, r.y + r.h - bar_h, r.w, bar_h}, NULL);
    b->bg = th->secondary;
    b->fg = th->primary;
    b->radius = bar_h / 2;
    b->value = total > 0 ? (left < 0 ? 0 : left) * 1000 / total : 0;
}

ui_widget_t *ui_qr(ui_frame_t *f, const char *id, SDL_Rect r, const char *payload)
{
    ui_widget_t *w = ui_add(f, UI_QR, id, r, payload);
    w->fg = (SDL_Color){0, 0, 0, 255};
    w->bg = (SDL_Color){255, 255, 255, 255};
    return w;
}

ui_widget_t *ui_image(ui_frame_t *f, const char *id, SDL_Rect r, const char *path)
{
    ui_widget_t *w = ui_add(f, UI_IMAGE, id, r, path);
    w->bg = f->th->surface;
    w->fg = f->th->text_muted;
    return w;
}

SDL_Rect ui_inset(SDL_Rect r, int d)
{
    r.x += d; r.y += d; r.w -= 2 * d; r.h -= 2 * d;
    if (r.w < 0) r.w = 0;
    if (r.h < 0) r.h = 0;
    return r;
}

SDL_Rect ui_grid_cell(SDL_Rect r, int cols, int rows, int gap, int i)
{
    int cw = (r.w - gap * (cols - 1)) / cols;
    int ch = (r.h - gap * (rows - 1)) / rows;
    int c = i % cols, row = i / cols;
    return (SDL_Rect){r.x + c * (cw + gap), r.y + row * (ch + gap), cw, ch};
}

SDL_Rect ui_cut_top(SDL_Rect *r, int h)
{
    if (h > r->h) h = r->h;
    SDL_Rect out = {r->x, r->y, r->w, h};
    r->y += h;
    r->h -= h;
    return out;
}

SDL_Rect ui_cut_bottom(SDL_Rect *r, int h)
{
    if (h > r->h) h = r->h;
    r->h -= h;
    return (SDL_Rect){r->x, r->y + r->h, r->w, h};
}

ui_mark_t ui_mark(const ui_frame_t *f)
{
    return (ui_mark_t){f->n, f->arena_used};
}

bool ui_cut_since(const ui_frame_t *f, ui_mark_t m)
{
    for (int i = m.n; i < f->n; i++)
        if (f->w[i].flags & UI_F_ELLIPSIS) return true;
    return false;
}

void ui_rewind(ui_frame_t *f, ui_mark_t m)
{
    if (m.n < 0 || m.n > f->n || m.arena_used < 0 || m.arena_used > f->arena_used) return;
    f->n = m.n;
    f->arena_used = m.arena_used;
}
