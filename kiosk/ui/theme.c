#include "ui/theme.h"

#include <math.h>
#include "ui/physical.h"

#define RGB(r, g, b) ((SDL_Color){r, g, b, 255})

static void base_sizes(theme_t *th, float k)
{
    th->px_small = (int)(26 * k);
    th->px_body  = (int)(32 * k);
    th->px_large = (int)(40 * k);
    th->px_title = (int)(52 * k);
    th->px_huge  = (int)(72 * k);
}

static void colours_standard(theme_t *th)
{
    th->bg = RGB(0xF3, 0xF5, 0xF8);
    th->surface = RGB(0xFF, 0xFF, 0xFF);
    th->text = RGB(0x1A, 0x20, 0x2C);
    th->text_muted = RGB(0x4A, 0x55, 0x68);
    th->header_bg = RGB(0xB7, 0x1C, 0x1C);
    th->header_text = RGB(0xFF, 0xFF, 0xFF);
    th->primary = RGB(0xB7, 0x1C, 0x1C);
    th->on_primary = RGB(0xFF, 0xFF, 0xFF);
    th->secondary = RGB(0xE2, 0xE8, 0xF0);
    th->on_secondary = RGB(0x1A, 0x20, 0x2C);
    th->disabled = RGB(0xE2, 0xE8, 0xF0);
    th->on_disabled = RGB(0x5A, 0x65, 0x78);
    th->danger = RGB(0x9B, 0x1C, 0x1C);
    th->on_danger = RGB(0xFF, 0xFF, 0xFF);
    th->border = RGB(0xCB, 0xD5, 0xE0);
    th->backdrop = (SDL_Color){0, 0, 0, 150};
    th->tile[0] = RGB(0x1E, 0x5E, 0xB8);   /* bills: blue */
    th->tile[1] = RGB(0x23, 0x7A, 0x3B);   /* housekeeping: green */
    th->tile[2] = RGB(0xB4, 0x4B, 0x0A);   /* notices: amber */
    th->tile[3] = RGB(0x6B, 0x3F, 0xA0);   /* scan / ID: purple */
    th->tile[4] = RGB(0x0F, 0x6E, 0x7A);   /* guide: teal */
    th->tile[5] = RGB(0xB7, 0x1C, 0x1C);   /* help: red */
    th->on_tile = RGB(0xFF, 0xFF, 0xFF);
}

/* Black and white with one yellow accent: every pair >= 7:1. */
static void colours_contrast(theme_t *th)
{
    SDL_Color black = RGB(0, 0, 0), white = RGB(0xFF, 0xFF, 0xFF);
    SDL_Color yellow = RGB(0xFF, 0xE0, 0x00);
    th->bg = black;
    th->surface = RGB(0x12, 0x12, 0x12);
    th->text = white;
    th->text_muted = RGB(0xE0, 0xE0, 0xE0);
    th->header_bg = black;
    th->header_text = yellow;
    th->primary = yellow;
    th->on_primary = black;
    th->secondary = white;
    th->on_secondary = black;
    th->disabled = RGB(0x30, 0x30, 0x30);
    th->on_disabled = RGB(0xD0, 0xD0, 0xD0);
    th->danger = white;
    th->on_danger = black;
    th->border = white;
    th->backdrop = (SDL_Color){0, 0, 0, 200};
    for (int i = 0; i < 6; i++) th->tile[i] = RGB(0x12, 0x12, 0x12);
    th->on_tile = yellow;
}

void theme_use_contrast(theme_t *th)
{
    colours_contrast(th);
    th->high_contrast = true;
}

void theme_make(theme_t *th, theme_id_t id, int w, int h)
{
    int short_side = w < h ? w : h;
    float k = (float)short_side / 1080.0f;
    *th = (theme_t){0};
    th->id = id;
    th->scale = k;
    if (id == THEME_CONTRAST) theme_use_contrast(th); else colours_standard(th);
    switch (id) {
    case THEME_ELDER:
        base_sizes(th, k * 1.5f);
        th->target = (int)(120 * k);
        th->gap = (int)(36 * k);
        break;
    case THEME_CONTRAST:
        base_sizes(th, k * 1.25f);
        th->target = (int)(100 * k);
        th->gap = (int)(28 * k);
        break;
    default:
        base_sizes(th, k);
        th->target = (int)(88 * k);
        th->gap = (int)(24 * k);
        break;
    }
    th->pad = (int)(24 * k);
    th->radius = (int)(16 * k);
    th->header_h = th->target + (int)(24 * k);
    th->nav_h = th->target + 2 * (int)(16 * k);
    th->screen_w = w;
    th->screen_h = h;
}

/* A landscape panel too short for the targets its size asks for (a 10.1"
 * 1280x800 one in the elder theme: 24 mm targets and bars leave under four
 * rows of targets) has width to spare: the three navigation buttons stand
 * in a rail at the right, and the screen gets the bottom bar's height. */
#define THEME_RAIL_BELOW_ROWS 4

static void place_nav(theme_t *th)
{
    int w = th->screen_w, h = th->screen_h;
    if (w <= h || h - th->header_h - th->nav_h >= THEME_RAIL_BELOW_ROWS * th->target)
        return;
    int margin = (th->nav_h - th->target) / 2;
    if (margin < th->pad / 2) margin = th->pad / 2;
    th->nav_w = th->target * 3 / 2 + 2 * margin;
    th->nav_h = 0;
}

static int at_least(int px, int min_px)
{
    return px < min_px ? min_px : px;
}

void theme_fit_panel(theme_t *th, double mm_per_px)
{
    if (!(mm_per_px > 0))
        return;
    th->mm_per_px = mm_per_px;
    bool elder = th->id == THEME_ELDER;
    int body = phys_px_for_mm(elder ? THEME_MIN_BODY_MM_ELDER : THEME_MIN_BODY_MM, mm_per_px);
    int target = phys_px_for_mm(elder ? THEME_MIN_TARGET_MM_ELDER : THEME_MIN_TARGET_MM,
                                mm_per_px);
    if (th->px_body < body) {
        /* Every text size grows by the body's factor, so headings stay
         * larger than body text and small text stays readable. */
        float f = (float)body / (float)th->px_body;
        th->px_small = at_least(th->px_small, (int)ceilf(th->px_small * f));
        th->px_large = at_least(th->px_large, (int)ceilf(th->px_large * f));
        th->px_title = at_least(th->px_title, (int)ceilf(th->px_title * f));
        th->px_huge  = at_least(th->px_huge, (int)ceilf(th->px_huge * f));
        th->px_body  = body;
    }
    if (th->target < target) {
        int grow = target - th->target;
        th->target = target;
        /* The bars hold one row of targets: they grow with them. The
         * navigation bar centres its buttons, so it keeps only a thin
         * margin round them (height is what a small panel runs short of). */
        th->header_h += grow;
        th->nav_h = at_least(th->nav_h + grow - (int)(24 * th->scale), th->target + 4);
    }
    place_nav(th);
}

static double lin(Uint8 c)
{
    double s = c / 255.0;
    return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
}

static double luminance(SDL_Color c)
{
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

double theme_contrast(SDL_Color a, SDL_Color b)
{
    double la = luminance(a), lb = luminance(b);
    if (la < lb) { double t = la; la = lb; lb = t; }
    return (la + 0.05) / (lb + 0.05);
}

int theme_min_text_px(const theme_t *th)
{
    return phys_px_for_mm(th->id == THEME_ELDER ? THEME_MIN_BODY_MM_ELDER : THEME_MIN_BODY_MM,
                          th->mm_per_px);
}

int theme_min_target_px(const theme_t *th)
{
    return phys_px_for_mm(th->id == THEME_ELDER ? THEME_MIN_TARGET_MM_ELDER : THEME_MIN_TARGET_MM,
                          th->mm_per_px);
}
