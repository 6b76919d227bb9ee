/* Colours, type sizes and touch-target sizes of the three themes.
 * Sizes are given for a 1080-pixel short side and scaled to the screen by
 * theme_make(). Elder: text at least 1.5x standard, targets >= 96 px at 1080p.
 * Contrast: every text/background pair at least 7:1 (checked by a test). */
#ifndef KIOSK_UI_THEME_H
#define KIOSK_UI_THEME_H

#include <SDL.h>
#include <stdbool.h>
#include "core/config.h"

typedef struct {
    theme_id_t id;           /* the layout: sizes and targets */
    bool high_contrast;      /* the contrast colours (and outlined cards) */
    SDL_Color bg;            /* screen background */
    SDL_Color surface;       /* cards, list rows, dialogs */
    SDL_Color text;          /* on bg and surface */
    SDL_Color text_muted;    /* secondary text on bg and surface */
    SDL_Color header_bg, header_text;
    SDL_Color primary, on_primary;        /* main action buttons */
    SDL_Color secondary, on_secondary;    /* other buttons */
    SDL_Color disabled, on_disabled;
    SDL_Color danger, on_danger;
    SDL_Color border;
    SDL_Color backdrop;                   /* behind modal dialogs (with alpha) */
    SDL_Color tile[6], on_tile;           /* home tiles */
    int px_small, px_body, px_large, px_title, px_huge;
    int target;              /* minimum touch target edge */
    int gap;                 /* space between touch targets */
    int pad;                 /* inner padding */
    int radius;              /* corner radius */
    int header_h, nav_h;     /* chrome bars */
    int nav_w;               /* > 0: the navigation is a rail this wide on the
                              * right, below the header (nav_h is then 0) */
    int screen_w, screen_h;  /* the screen theme_make() laid out for */
    float scale;             /* screen short side / 1080 */
    double mm_per_px;        /* panel millimetres per pixel; 0 = unknown */
} theme_t;

/* Physical minimums (theme_fit_panel), from issue 16: key text (body) at
 * least 4.8 mm, touch targets at least 20 mm; larger in the elder theme. */
#define THEME_MIN_BODY_MM        4.8
#define THEME_MIN_TARGET_MM      20.0
#define THEME_MIN_BODY_MM_ELDER  6.4
#define THEME_MIN_TARGET_MM_ELDER 24.0

/* Theme ID laid out for a W x H screen. */
void theme_make(theme_t *th, theme_id_t id, int w, int h);

/* Gives TH (any layout) the contrast theme's colours: a resident who
 * chose large text and high contrast gets the elder layout in them. */
void theme_use_contrast(theme_t *th);

/* Raises TH's text sizes and touch targets (and the bars built on them) to
 * the physical minimums above for a panel of MM_PER_PX millimetres per
 * pixel; never makes anything smaller. MM_PER_PX <= 0 (panel size not
 * configured) leaves TH exactly as theme_make() made it. */
void theme_fit_panel(theme_t *th, double mm_per_px);
/* The physical minimum size of key text in pixels (4.8 mm, 6.4 mm in the
 * elder theme); 0 when the panel's size is unknown. */
int theme_min_text_px(const theme_t *th);
/* The physical minimum touch target of TH's panel in pixels (20 mm, 24 mm
 * in the elder theme); 0 when the panel's size is unknown. */
int theme_min_target_px(const theme_t *th);

/* WCAG 2 contrast ratio of two opaque colours (1.0 .. 21.0). */
double theme_contrast(SDL_Color a, SDL_Color b);

#endif
