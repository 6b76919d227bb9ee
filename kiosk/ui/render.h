/* Draws a ui_frame_t with an SDL renderer (window or software surface).
 * Keeps the textures a frame needs across frames: QR codes and images are
 * made once per payload/path, glyphs live in the text atlas. */
#ifndef KIOSK_UI_RENDER_H
#define KIOSK_UI_RENDER_H

#include <SDL.h>
#include "ui/ui.h"

typedef struct ui_render ui_render_t;

ui_render_t *ui_render_create(SDL_Renderer *r, ui_text_t *text);
void ui_render_destroy(ui_render_t *rd);

/* Drops (and wipes) cached QR textures and their payloads: at session end,
 * since a receipt QR holds the resident's receipt text. */
void ui_render_forget(ui_render_t *rd);

/* Clears to the theme background and draws every widget of F in order.
 * Does not present. */
void ui_render_frame(ui_render_t *rd, const ui_frame_t *f);

#endif
