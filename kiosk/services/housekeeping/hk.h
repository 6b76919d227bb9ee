/* Helpers shared by the housekeeping screens (hk*.c). */
#ifndef KIOSK_SCREENS_HK_H
#define KIOSK_SCREENS_HK_H

#include "services/housekeeping/housekeeping.h"
#include "app/screens.h"

/* A tappable row or cell "ID" in R with LINE1 (bold, large) over LINE2
 * (may be NULL; a '\n' in it gives it two lines); SELECTED draws it in the
 * primary colour, !ENABLED greyed and not tappable. */
/* The height a two-line hk_cell needs for its lines at full size (at
 * least MIN); hk_cell_height_n for a LINE2 of LINES2 lines. */
int hk_cell_height(ui_frame_t *f, int min);
int hk_cell_height_n(ui_frame_t *f, int min, int lines2);
void hk_cell(ui_frame_t *f, const char *id, SDL_Rect r, const char *line1, const char *line2,
             bool selected, bool enabled);
/* The inner margin of a card R: thinner on a small panel (its size known
 * and the card lower than five targets), so the words keep their room. */
int hk_card_margin(ui_frame_t *f, SDL_Rect card);
/* A button whose label shrinks (down to small text) to fit its width. */
ui_widget_t *hk_button(ui_frame_t *f, const char *id, SDL_Rect r, const char *label,
                       ui_btn_style_t style, bool enabled);
/* Price and duration of S ("¥135.00, about 3 hours"). */
void hk_price_text(const hub_hk_service_t *s, char *out, size_t len);

#endif
