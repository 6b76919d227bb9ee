#include "ui/render.h"

#include <SDL_image.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "ui/qr.h"

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
        free(s[i].key);
        s[i] = (tex_slot_t){0};
    }
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

/* Filled rounded rectangle as a triangle fan from the centre: corners are
 * quarter circles of RAD with a segment count that keeps edges smooth. */
static void fill_round(SDL_Renderer *r, SDL_Rect rc, int rad, SDL_Color c)
{
    if (rc.w <= 0 || rc.h <= 0 || c.a == 0) return;
    if (rad * 2 > rc.w) rad = rc.w / 2;
    if (rad * 2 > rc.h) rad = rc.h / 2;
    SDL_SetRenderDrawBlendMode(r, c.a < 255 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
    if (rad < 2) {
        set_color(r, c);
        SDL_RenderFillRect(r, &rc);
        return;
    }
    enum { SEG = 8 };
    SDL_Vertex v[1 + 4 * (SEG + 1) + 1];
    int idx[3 * (4 * (SEG + 1))];
    float cx[4] = {rc.x + rc.w - rad, (float)rc.x + rad, (float)rc.x + rad, rc.x + rc.w - rad};
    float cy[4] = {(float)rc.y + rad, (float)rc.y + rad, rc.y + rc.h - rad, rc.y + rc.h - rad};
    int n = 0;
    v[n++] = (SDL_Vertex){{rc.x + rc.w / 2.0f, rc.y + rc.h / 2.0f}, c, {0, 0}};
    for (int q = 0; q < 4; q++)
        for (int s = 0; s <= SEG; s++) {
            double a = (q * 90.0 + s * 90.0 / SEG) * M_PI / 180.0;
            v[n++] = (SDL_Vertex){{cx[q] + (float)(cos(a) * rad), cy[q] - (float)(sin(a) * rad)}, c, {0, 0}};
        }
    int ni = 0, rim = n - 1;
    for (int i = 0; i < rim; i++) {
        idx[ni++] = 0;
        idx[ni++] = 1 + i;
        idx[ni++] = 1 + (i + 1) % rim;
    }
    SDL_RenderGeometry(r, NULL, v, n, idx, ni);
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
    int total = n * lh;
    int y = w->r.y;
    if (w->valign_center || w->kind == UI_BUTTON) y += (w->r.h - total) / 2;
    SDL_Rect clip = w->r;
    SDL_RenderSetClipRect(rd->r, &clip);
    for (int i = 0; i < n; i++, y += lh) {
        int x = w->r.x;
        if (w->align == UI_ALIGN_CENTER) x += (w->r.w - lines[i].width) / 2;
        else if (w->align == UI_ALIGN_RIGHT) x += w->r.w - lines[i].width;
        ui_text_draw(rd->text, w->px, w->text + lines[i].start, lines[i].len, x, y, w->fg);
        if (w->flags & UI_F_BOLD)   /* faux bold: the CJK face ships no bold in this file */
            ui_text_draw(rd->text, w->px, w->text + lines[i].start, lines[i].len, x + 1, y, w->fg);
    }
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

static void draw_qr(ui_render_t *rd, const ui_widget_t *w)
{
    tex_slot_t *s = cache_get(rd, rd->qr, w->text ? w->text : "", 1);
    if (!s->tex) return;
    /* Whole pixels per module keep every module the same size for scanners. */
    int side = w->r.w < w->r.h ? w->r.w : w->r.h;
    int k = side / s->w;
    if (k < 1) k = 1;
    SDL_Rect dst = {w->r.x + (w->r.w - s->w * k) / 2, w->r.y + (w->r.h - s->h * k) / 2,
                    s->w * k, s->h * k};
    SDL_RenderCopy(rd->r, s->tex, NULL, &dst);
}

static void draw_image(ui_render_t *rd, const ui_widget_t *w)
{
    tex_slot_t *s = cache_get(rd, rd->img, w->text ? w->text : "", 0);
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

void ui_render_frame(ui_render_t *rd, const ui_frame_t *f)
{
    SDL_Renderer *r = rd->r;
    SDL_Color bg = f->th->bg;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r);
    for (int i = 0; i < f->n; i++) {
        const ui_widget_t *w = &f->w[i];
        SDL_Color fill = w->bg;
        if (w->flags & UI_F_PRESSED) {   /* darken under the finger: visible feedback */
            fill.r = (Uint8)(fill.r * 3 / 4);
            fill.g = (Uint8)(fill.g * 3 / 4);
            fill.b = (Uint8)(fill.b * 3 / 4);
        }
        switch (w->kind) {
        case UI_RECT:   draw_box(r, w, fill); break;
        case UI_CIRCLE: draw_circle(r, w->r, fill); break;
        case UI_TEXT:   draw_text(rd, w); break;
        case UI_BUTTON: draw_box(r, w, fill); draw_text(rd, w); break;
        case UI_QR:     draw_qr(rd, w); break;
        case UI_IMAGE:  draw_image(rd, w); break;
        case UI_BAR: {
            fill_round(r, w->r, w->radius, w->bg);
            SDL_Rect part = w->r;
            part.w = w->r.w * w->value / 1000;
            fill_round(r, part, w->radius, w->fg);
            break;
        }
        }
    }
}
