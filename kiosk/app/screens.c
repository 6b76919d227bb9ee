#include <stdio.h>
#include "core/i18n.h"
#include "app/screens.h"

static const screen_t *const table[SCR_COUNT] = {
#define SCREEN(id, name) [id] = &screen_##name,
#include "app/screen_list.h"
#undef SCREEN
};

const char *screen_busy_text(void)
{
    return _("Many people are using this service right now. Please try again in a minute.");
}

ui_widget_t *screen_card(ui_frame_t *f, const char *id, SDL_Rect r)
{
    const theme_t *th = f->th;
    ui_widget_t *card = ui_panel(f, id, r, th->surface);
    card->radius = th->radius * 2;
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    return card;
}

void screen_title(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, SDL_Color bg)
{
    const theme_t *th = f->th;
    int h = screen_title_height(f, *r, text);
    /* a long instruction as a title (large text) gets body size before
     * it would be cut */
    ui_label_fit(f, id, ui_cut_top(r, h), text, th->px_title, th->px_body, th->text, bg,
                 UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    r->y += th->pad;
    r->h -= th->pad;
}

int screen_title_height(ui_frame_t *f, SDL_Rect r, const char *text)
{
    const theme_t *th = f->th;
    int h = ui_wrapped_height(f, th->px_title, text, r.w);
    if (h > r.h / 3) {              /* a long one at large size, a third to a half of the room */
        h = ui_wrapped_height(f, th->px_large, text, r.w);
        if (h > r.h / 2) h = r.h / 2;
        if (h < r.h / 3) h = r.h / 3;
    }
    return h;
}

const screen_t *screen_get(screen_id_t id)
{
    return id < SCR_COUNT && table[id] ? table[id] : &screen_home;
}

SDL_Rect screen_button_pair(const ui_frame_t *f, SDL_Rect *area, bool side)
{
    const theme_t *th = f->th;
    SDL_Rect first;
    if (side) {
        first = (SDL_Rect){area->x, area->y, (area->w - th->gap) / 2, area->h};
        area->x += first.w + th->gap;
        area->w -= first.w + th->gap;
    } else {
        first = ui_cut_top(area, th->target);
        area->y += th->gap;
        area->h -= th->gap;
    }
    return first;
}

void screen_keypad_upright(const ui_frame_t *f, SDL_Rect in, int *kw, int *kh)
{
    const theme_t *th = f->th;
    if (theme_min_target_px(th) <= 0) return;
    int g = th->gap / 8;
    int need_h = 4 * th->target + 3 * g, need_w = 3 * th->target + 2 * g;
    if (*kh >= need_h && *kw >= need_w) return;
    /* where the width holds four keys: three rows of four (ui_keypad),
     * which leaves the words above a row more */
    if (4 * th->target + 3 * g <= in.w) {
        *kw = 4 * th->target + 3 * g;
        *kh = 3 * th->target + 2 * g;
        return;
    }
    if (*kh < need_h) *kh = need_h < in.h * 2 / 3 ? need_h : in.h * 2 / 3;
    if (*kw < need_w) *kw = need_w < in.w ? need_w : in.w;
}

void screen_keypad_split(ui_frame_t *f, SDL_Rect in, SDL_Rect *left, SDL_Rect *pad)
{
    const theme_t *th = f->th;
    if (f->height > f->width) {
        int kh = in.h * 9 / 20, kw = in.w * 3 / 4;
        screen_keypad_upright(f, in, &kw, &kh);
        *pad = (SDL_Rect){in.x + (in.w - kw) / 2, in.y + in.h - kh, kw, kh};
        *left = (SDL_Rect){in.x, in.y, in.w, in.h - kh - th->gap};
    } else {
        int kw = in.w * 2 / 5;
        /* three keys of the target width side by side (ui_keypad's gaps
         * being half the theme's), up to half the width */
        int three = 3 * th->target + 2 * (th->gap / 2);
        if (kw < three) kw = three < in.w / 2 ? three : in.w / 2;
        /* a small panel where four rows of keys cannot keep the target
         * height: room for three rows of four (ui_keypad) */
        int g = th->gap / 8;
        if ((in.h - 3 * g) / 4 < th->target && (in.h - 2 * g) / 3 >= th->target) {
            int need = 4 * th->target + 3 * g;
            if (need > kw) kw = need < in.w / 2 ? need : in.w / 2;
        }
        *pad = (SDL_Rect){in.x + in.w - kw, in.y, kw, in.h};
        *left = (SDL_Rect){in.x, in.y, in.w - kw - th->gap * 2, in.h};
    }
}

void screen_split_takeaway(ui_frame_t *f, SDL_Rect in, SDL_Rect *text, SDL_Rect *qr_card)
{
    const theme_t *th = f->th;
    *text = in;
    if (f->height > f->width) {
        *qr_card = ui_cut_bottom(text, in.h * 3 / 10);
        text->h -= th->gap;
    } else {
        int side = in.w * 3 / 10;
        *qr_card = (SDL_Rect){in.x + in.w - side, in.y, side, in.h};
        text->w -= side + th->gap;
    }
}

void screen_takeaway_qr(ui_frame_t *f, const char *id, SDL_Rect card, const char *payload)
{
    const theme_t *th = f->th;
    char part[UI_ID_LEN];
    snprintf(part, sizeof part, "%s.qrcard", id);
    screen_card(f, part, card);
    SDL_Rect q = ui_inset(card, th->pad);
    /* two lines of caption, or the lines it needs (a narrow card in large
     * text): the code gives way, never the words */
    const char *hint = _("Take it with you: scan with your phone");
    int cap_h = ui_text_line_height(f->text, th->px_body) * 2;
    if (ui_wrapped_height(f, th->px_small, hint, q.w) > cap_h)
        cap_h = ui_wrapped_height(f, th->px_body, hint, q.w);
    SDL_Rect cap = ui_cut_bottom(&q, cap_h);
    int d = q.w < q.h ? q.w : q.h;
    snprintf(part, sizeof part, "%s.qr", id);
    ui_qr(f, part, (SDL_Rect){q.x + (q.w - d) / 2, q.y + (q.h - d) / 2, d, d}, payload);
    snprintf(part, sizeof part, "%s.qrhint", id);
    ui_label_fit(f, part, cap, hint, th->px_body, th->px_small,
                 th->text, th->surface, UI_ALIGN_CENTER, true);
}

bool screen_small_card(const ui_frame_t *f, SDL_Rect card)
{
    return theme_min_target_px(f->th) > 0 && card.h < f->th->target * 5;
}

void screen_title_tight(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, SDL_Color bg)
{
    const theme_t *th = f->th;
    int px = th->px_title;
    while (px > th->px_large && ui_text_width(f->text, px, text, -1) > r->w) px -= 2;
    if (px < th->px_large) px = th->px_large;
    int h = ui_wrapped_height(f, px, text, r->w);
    if (h > r->h) h = r->h;
    ui_label_fit(f, id, ui_cut_top(r, h), text, px, th->px_body, th->text, bg, UI_ALIGN_LEFT,
                 true)->flags |= UI_F_BOLD;
    r->y += th->pad;
    r->h -= th->pad;
}

