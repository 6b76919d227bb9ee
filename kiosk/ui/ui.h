/* The UI toolkit: screens build a frame, a flat list of widgets in painter's
 * order; a renderer (ui/render.c) draws it; hit-testing and tests read it.
 * Layout and input never call the renderer, so a test can inspect exactly what
 * would be drawn (texts, colours, rectangles) without pixels.
 * Every widget has an id; compound widgets give their parts "ID.PART" ids. */
#ifndef KIOSK_UI_UI_H
#define KIOSK_UI_UI_H

#include <SDL.h>
#include <stdbool.h>
#include "ui/text.h"
#include "ui/theme.h"

#define UI_MAX_WIDGETS 512
#define UI_ID_LEN 40
#define UI_ARENA 65536

typedef enum {
    UI_RECT,       /* filled (rounded) rectangle, optional border */
    UI_TEXT,       /* text, wrapped within its rect */
    UI_BUTTON,     /* rect + centred label; clickable */
    UI_CIRCLE,     /* filled circle inscribed in rect */
    UI_QR,         /* QR code of text, drawn by libqrencode */
    UI_IMAGE,      /* image file (text = path) scaled into rect */
    UI_BAR,        /* progress bar: value 0..1000 of the width filled with fg */
} ui_kind_t;

enum {
    UI_F_CLICK    = 1 << 0,   /* hit-testable, reports its id when tapped */
    UI_F_DISABLED = 1 << 1,   /* visible, not clickable */
    UI_F_PRESSED  = 1 << 2,   /* under the finger right now */
    UI_F_MODAL    = 1 << 3,   /* swallows every tap below it (dialog backdrop) */
    UI_F_WRAP     = 1 << 4,   /* text wraps within rect (else one line, clipped) */
    UI_F_BOLD     = 1 << 5,
    UI_F_ELLIPSIS = 1 << 6,   /* text longer than its box: cut with "…" */
};

typedef enum { UI_ALIGN_LEFT, UI_ALIGN_CENTER, UI_ALIGN_RIGHT } ui_align_t;

typedef struct {
    char id[UI_ID_LEN];
    ui_kind_t kind;
    unsigned flags;
    SDL_Rect r;
    const char *text;        /* in the frame's arena; NULL for none */
    int px;                  /* text size */
    ui_align_t align;
    bool valign_center;
    SDL_Color fg, bg;        /* text/fill colour, and the colour behind the text */
    SDL_Color border;
    int border_w, radius;
    int value;               /* UI_BAR: 0..1000 */
} ui_widget_t;

typedef struct {
    ui_widget_t w[UI_MAX_WIDGETS];
    int n;
    char arena[UI_ARENA];
    int arena_used;
    int width, height;
    const theme_t *th;
    ui_text_t *text;         /* for measuring and wrapping while laying out */
    bool overflow;           /* a widget or string did not fit: logged once */
} ui_frame_t;

void ui_frame_begin(ui_frame_t *f, int w, int h, const theme_t *th, ui_text_t *text);

/* Appends a widget; returns it (never NULL: past UI_MAX_WIDGETS a scratch
 * slot is returned and the frame is marked overflowed). TEXT is copied. */
ui_widget_t *ui_add(ui_frame_t *f, ui_kind_t kind, const char *id,
                    SDL_Rect r, const char *text);
const char *ui_strdup(ui_frame_t *f, const char *s);

/* Lookup: the widget with ID, or NULL. */
const ui_widget_t *ui_find(const ui_frame_t *f, const char *id);
/* The topmost clickable widget at (X, Y), or NULL if none or a modal
 * backdrop above it took the tap. SLOP widens targets (forgiving taps). */
const ui_widget_t *ui_hit(const ui_frame_t *f, int x, int y, int slop);

/* --- widgets --------------------------------------------------------- */
typedef enum { UI_BTN_PRIMARY, UI_BTN_SECONDARY, UI_BTN_DANGER, UI_BTN_GHOST } ui_btn_style_t;

ui_widget_t *ui_panel(ui_frame_t *f, const char *id, SDL_Rect r, SDL_Color fill);
/* A text block in R on background BG; wraps when WRAP (text that does not
 * fit R is cut at its edge). */
ui_widget_t *ui_label(ui_frame_t *f, const char *id, SDL_Rect r, const char *text,
             int px, SDL_Color fg, SDL_Color bg, ui_align_t align, bool wrap);
ui_widget_t *ui_button(ui_frame_t *f, const char *id, SDL_Rect r,
                       const char *label, ui_btn_style_t style, bool enabled);
/* W (a button) on a panel of known size whose one-line label is smaller
 * than the readable minimum (theme_min_text_px): wraps it over more lines
 * at the largest size they fit the button in. ui_button does this itself;
 * a caller that shrinks a label further calls it after. True if wrapped. */
bool ui_button_wrap_if_small(ui_frame_t *f, ui_widget_t *w);
/* Whether LABEL can stand in a button of W x H at no less than the
 * readable minimum (on one line, or on lines of whole words); always true
 * where the panel's size is unknown. */
bool ui_button_label_fits(ui_frame_t *f, const char *label, int w, int h);
/* A home tile: coloured card, round badge with a one-character icon, a title
 * and a subtitle. The whole card is the target. */
void ui_tile(ui_frame_t *f, const char *id, SDL_Rect r, SDL_Color fill,
             SDL_Color on, const char *badge, const char *title, const char *sub);
/* A vertical list of tappable rows "ID.0", "ID.1"... showing N items from
 * FIRST; returns how many rows fit. */
int ui_list(ui_frame_t *f, const char *id, SDL_Rect r, const char *const *items,
            int n, int first);
/* 4x3 numeric keypad: keys "ID.0".."ID.9", "ID.del", "ID.ok". Without
 * OK_ENABLED the ✓ key is drawn greyed yet stays tappable: the screen's
 * action says what is missing. */
void ui_keypad(ui_frame_t *f, const char *id, SDL_Rect r, bool ok_enabled);
/* Modal dialog: backdrop over the whole frame ("ID") and a centred panel
 * ("ID.panel") with a title and body; returns the rect left for buttons. */
SDL_Rect ui_modal(ui_frame_t *f, const char *id, const char *title,
                  const char *body, int buttons_h);
/* Short message near the bottom of the screen. */
void ui_toast(ui_frame_t *f, const char *id, const char *text);
/* Seconds left as a large number over a bar draining from TOTAL to 0. */
void ui_countdown(ui_frame_t *f, const char *id, SDL_Rect r, int left, int total);
ui_widget_t *ui_qr(ui_frame_t *f, const char *id, SDL_Rect r, const char *payload);
ui_widget_t *ui_image(ui_frame_t *f, const char *id, SDL_Rect r, const char *path);

/* Like ui_label, at the largest size from PX_MAX down to PX_MIN at which
 * TEXT fits R (on one line unless WRAP). Text that does not fit even at
 * PX_MIN is cut after the last line that fits and ends in an ellipsis: for
 * content of any length (notices) in a box of fixed size. */
ui_widget_t *ui_label_fit(ui_frame_t *f, const char *id, SDL_Rect r, const char *text,
                          int px_max, int px_min, SDL_Color fg, SDL_Color bg,
                          ui_align_t align, bool wrap);

/* Height TEXT needs when wrapped to width W at size PX. */
int ui_wrapped_height(ui_frame_t *f, int px, const char *text, int w);

/* Layout helpers. */
SDL_Rect ui_inset(SDL_Rect r, int d);
/* Splits R into a COLS x ROWS grid with GAP; returns cell I (row-major). */
SDL_Rect ui_grid_cell(SDL_Rect r, int cols, int rows, int gap, int i);
/* Cuts H pixels off the top (or bottom when H < 0) of *R and returns them. */
SDL_Rect ui_cut_top(SDL_Rect *r, int h);
SDL_Rect ui_cut_bottom(SDL_Rect *r, int h);

/* A point in the frame to go back to: a screen lays its words out, and
 * where that cut some of them (a small panel, large text), rewinds to the
 * mark and lays them out another way. */
typedef struct {
    int n, arena_used;
} ui_mark_t;
ui_mark_t ui_mark(const ui_frame_t *f);
/* Whether a widget added since M ends in an ellipsis (UI_F_ELLIPSIS). */
bool ui_cut_since(const ui_frame_t *f, ui_mark_t m);
/* Drops every widget (and its text) added since M. */
void ui_rewind(ui_frame_t *f, ui_mark_t m);

#endif
