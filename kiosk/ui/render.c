#include "ui/render.h"

#include <SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "ui/qr.h"
#include "utf8.h"

#define CACHE_SLOTS 8

typedef struct {
    char *key;              /* QR payload or image path */
    SDL_Texture *tex;       /* NULL: failed, remembered so we do not retry every frame */
    int w, h;
    unsigned used;          /* last use, for eviction */
} tex_slot_t;

struct ui_render {
    SDL_Renderer *r;
    ui_text_t *text;
    tex_slot_t qr[CACHE_SLOTS], img[CACHE_SLOTS];
    unsigned tick;
};

ui_render_t *ui_render_create(SDL_Renderer *r, ui_text_t *text)
{
    ui_render_t *rd = calloc(1, sizeof *rd);
    if (!rd) return NULL;
    rd->r = r;
    rd->text = text;
    return rd;
}

static void slots_free(tex_slot_t *s)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (s[i].tex) SDL_DestroyTexture(s[i].tex);
        if (s[i].key) explicit_bzero(s[i].key, strlen(s[i].key));
        free(s[i].key);
        s[i] = (tex_slot_t){0};
    }
}

void ui_render_forget(ui_render_t *rd)
{
    if (rd) slots_free(rd->qr);
}

void ui_render_destroy(ui_render_t *rd)
{
    if (!rd) return;
    slots_free(rd->qr);
    slots_free(rd->img);
    free(rd);
}

static void set_color(SDL_Renderer *r, SDL_Color c)
{
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

/* Filled rounded rectangle: the body as one rectangle and each corner row
 * as a span, all in one SDL_RenderFillRects call. Spans are plain fills,
 * which the software renderer does at memset speed; triangles are not. */
static void fill_round(SDL_Renderer *r, SDL_Rect rc, int rad, SDL_Color c)
{
    if (rc.w <= 0 || rc.h <= 0 || c.a == 0) return;
    if (rad * 2 > rc.w) rad = rc.w / 2;
    if (rad * 2 > rc.h) rad = rc.h / 2;
    SDL_SetRenderDrawBlendMode(r, c.a < 255 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
    set_color(r, c);
    if (rad < 2) {
        SDL_RenderFillRect(r, &rc);
        return;
    }
    enum { MAX_RAD = 512 };
    if (rad > MAX_RAD) rad = MAX_RAD;
    SDL_Rect spans[2 * MAX_RAD + 1];
    int n = 0;
    spans[n++] = (SDL_Rect){rc.x, rc.y + rad, rc.w, rc.h - 2 * rad};
    for (int i = 0; i < rad; i++) {
        /* Row i of the top arc: its inset from the side at the row's centre. */
        double dy = rad - i - 0.5;
        int inset = (int)(rad - sqrt((double)rad * rad - dy * dy) + 0.5);
        spans[n++] = (SDL_Rect){rc.x + inset, rc.y + i, rc.w - 2 * inset, 1};
        spans[n++] = (SDL_Rect){rc.x + inset, rc.y + rc.h - 1 - i, rc.w - 2 * inset, 1};
    }
    SDL_RenderFillRects(r, spans, n);
}

static void draw_box(SDL_Renderer *r, const ui_widget_t *w, SDL_Color fill)
{
    if (w->border_w > 0) {
        fill_round(r, w->r, w->radius, w->border);
        SDL_Rect in = w->r;
        in.x += w->border_w; in.y += w->border_w;
        in.w -= 2 * w->border_w; in.h -= 2 * w->border_w;
        int rad = w->radius - w->border_w;
        fill_round(r, in, rad < 0 ? 0 : rad, fill);
    } else {
        fill_round(r, w->r, w->radius, fill);
    }
}

#define ELLIPSIS "\xE2\x80\xA6"

/* Draws line L of W's text; with ELLIPSIS, cut so that "…" fits after it. */
static void draw_line(ui_render_t *rd, const ui_widget_t *w, ui_line_t l, int x, int y,
                      bool ellipsis)
{
    const char *s = w->text + l.start;
    int len = l.len;
    if (ellipsis) {
        int ew = ui_text_width(rd->text, w->px, ELLIPSIS, -1);
        while (len > 0 && ui_text_width(rd->text, w->px, s, len) + ew > w->r.w) {
            len = (int)utf8_floor(s, (size_t)(len - 1));  /* whole codepoints */
        }
    }
    int width = ui_text_width(rd->text, w->px, s, len);
    if (ellipsis) width += ui_text_width(rd->text, w->px, ELLIPSIS, -1);
    if (w->align == UI_ALIGN_CENTER) x += (w->r.w - width) / 2;
    else if (w->align == UI_ALIGN_RIGHT) x += w->r.w - width;
    for (int pass = 0; pass < ((w->flags & UI_F_BOLD) ? 2 : 1); pass++) {
        /* Faux bold (a second pass 1 px over): the CJK file has no bold face. */
        int dx = ui_text_draw(rd->text, w->px, s, len, x + pass, y, w->fg);
        if (ellipsis) ui_text_draw(rd->text, w->px, ELLIPSIS, -1, x + pass + dx, y, w->fg);
    }
}

static void draw_text(ui_render_t *rd, const ui_widget_t *w)
{
    if (!w->text || !*w->text) return;
    int lh = ui_text_line_height(rd->text, w->px);
    ui_line_t lines[64];
    int n;
    if (w->flags & UI_F_WRAP) {
        n = ui_text_wrap(rd->text, w->px, w->text, w->r.w, lines, 64);
    } else {
        int len = (int)strlen(w->text);
        lines[0] = (ui_line_t){0, len, ui_text_width(rd->text, w->px, w->text, len)};
        n = 1;
    }
    bool cut = false;
    if ((w->flags & UI_F_ELLIPSIS) && n * lh > w->r.h) {
        n = w->r.h / lh;      /* no half lines: none at all if none fits */
        cut = true;
    } else if ((w->flags & UI_F_ELLIPSIS) && lines[0].width > w->r.w) {
        cut = true;
    }
    int total = n * lh;
    int y = w->r.y;
    if (w->valign_center || w->kind == UI_BUTTON) y += (w->r.h - total) / 2;
    SDL_Rect clip = w->r;
    SDL_RenderSetClipRect(rd->r, &clip);
    for (int i = 0; i < n; i++, y += lh)
        draw_line(rd, w, lines[i], w->r.x, y, cut && i == n - 1);
    SDL_RenderSetClipRect(rd->r, NULL);
}

static tex_slot_t *cache_get(ui_render_t *rd, tex_slot_t *slots, const char *key, int is_qr)
{
    tex_slot_t *victim = &slots[0];
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (slots[i].key && strcmp(slots[i].key, key) == 0) {
            slots[i].used = ++rd->tick;
            return &slots[i];
        }
        if (slots[i].used < victim->used) victim = &slots[i];
    }
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    free(victim->key);
    *victim = (tex_slot_t){0};
    victim->key = strdup(key);
    victim->used = ++rd->tick;
    SDL_Surface *s = is_qr ? ui_qr_surface(key) : IMG_Load(key);
    if (!s) {
        if (!is_qr) log_warn("render", "cannot load image %s: %s", key, IMG_GetError());
        return victim;
    }
    victim->tex = SDL_CreateTextureFromSurface(rd->r, s);
    victim->w = s->w;
    victim->h = s->h;
    SDL_FreeSurface(s);
    if (victim->tex && is_qr) SDL_SetTextureScaleMode(victim->tex, SDL_ScaleModeNearest);
    return victim;
}

/* Darkens a texture copy as the modal backdrop would (SHADE = its alpha). */
static void shade_texture(SDL_Texture *t, int shade)
{
    Uint8 k = (Uint8)(255 - shade);
    SDL_SetTextureColorMod(t, k, k, k);
}

static void draw_qr(ui_render_t *rd, const ui_widget_t *w, int shade)
{
    tex_slot_t *s = cache_get(rd, rd->qr, w->text ? w->text : "", 1);
    if (!s->tex) return;
    shade_texture(s->tex, shade);
    /* Whole pixels per module keep every module the same size for scanners. */
    int side = w->r.w < w->r.h ? w->r.w : w->r.h;
    int k = side / s->w;
    if (k < 1) k = 1;
    SDL_Rect dst = {w->r.x + (w->r.w - s->w * k) / 2, w->r.y + (w->r.h - s->h * k) / 2,
                    s->w * k, s->h * k};
    SDL_RenderCopy(rd->r, s->tex, NULL, &dst);
}

static void draw_image(ui_render_t *rd, const ui_widget_t *w, int shade)
{
    tex_slot_t *s = cache_get(rd, rd->img, w->text ? w->text : "", 0);
    if (s->tex) shade_texture(s->tex, shade);
    if (!s->tex) {
        /* A missing picture is a quiet grey box, never a broken screen. */
        ui_widget_t box = *w;
        box.border = w->fg;
        box.border_w = 2;
        draw_box(rd->r, &box, w->bg);
        return;
    }
    double k = fmin((double)w->r.w / s->w, (double)w->r.h / s->h);
    SDL_Rect dst = {0, 0, (int)(s->w * k), (int)(s->h * k)};
    dst.x = w->r.x + (w->r.w - dst.w) / 2;
    dst.y = w->r.y + (w->r.h - dst.h) / 2;
    SDL_RenderCopy(rd->r, s->tex, NULL, &dst);
}

static void draw_circle(SDL_Renderer *r, SDL_Rect rc, SDL_Color c)
{
    int d = rc.w < rc.h ? rc.w : rc.h;
    SDL_Rect sq = {rc.x + (rc.w - d) / 2, rc.y + (rc.h - d) / 2, d, d};
    fill_round(r, sq, d / 2, c);
}

/* Colour C seen through the translucent modal backdrop B. */
static SDL_Color dim(SDL_Color c, SDL_Color b)
{
    int a = b.a;
    return (SDL_Color){(Uint8)((c.r * (255 - a) + b.r * a) / 255),
                       (Uint8)((c.g * (255 - a) + b.g * a) / 255),
                       (Uint8)((c.b * (255 - a) + b.b * a) / 255), c.a};
}

void ui_render_frame(ui_render_t *rd, const ui_frame_t *f)
{
    SDL_Renderer *r = rd->r;
    /* A modal backdrop is not blended over the screen (a full-screen blend
     * costs more than the rest of the frame in software): everything below
     * it is drawn in colours already mixed with the backdrop, which gives the
     * same pixels because blending is linear. */
    int modal = -1;
    for (int i = f->n - 1; i >= 0; i--)
        if ((f->w[i].flags & UI_F_MODAL) && f->w[i].bg.a < 255) { modal = i; break; }
    SDL_Color shade = modal >= 0 ? f->w[modal].bg : (SDL_Color){0, 0, 0, 0};

    SDL_Color bg = f->th->bg;
    if (modal >= 0) bg = dim(bg, shade);
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r);
    for (int i = 0; i < f->n; i++) {
        ui_widget_t w = f->w[i];
        if (i == modal) continue;
        if (i < modal) {
            w.bg = dim(w.bg, shade);
            w.fg = dim(w.fg, shade);
            w.border = dim(w.border, shade);
        }
        SDL_Color fill = w.bg;
        if (w.flags & UI_F_PRESSED) {   /* darken under the finger: visible feedback */
            fill.r = (Uint8)(fill.r * 3 / 4);
            fill.g = (Uint8)(fill.g * 3 / 4);
            fill.b = (Uint8)(fill.b * 3 / 4);
        }
        switch (w.kind) {
        case UI_RECT:   draw_box(r, &w, fill); break;
        case UI_CIRCLE: draw_circle(r, w.r, fill); break;
        case UI_TEXT:   draw_text(rd, &w); break;
        case UI_BUTTON: draw_box(r, &w, fill); draw_text(rd, &w); break;
        case UI_QR:     draw_qr(rd, &w, i < modal ? shade.a : 0); break;
        case UI_IMAGE:  draw_image(rd, &w, i < modal ? shade.a : 0); break;
        case UI_BAR: {
            fill_round(r, w.r, w.radius, w.bg);
            SDL_Rect part = w.r;
            part.w = w.r.w * w.value / 1000;
            fill_round(r, part, w.radius, w.fg);
            break;
        }
        }
    }
}
