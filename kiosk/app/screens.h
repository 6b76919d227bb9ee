/* The screen table (every screen is one line of app/screen_list.h; its file
 * is in app/ or its service's folder). A screen lays out widgets from app
 * state (build) and handles the ids tapped on it (action). No SQL, no
 * network in screens: they read app state and call app_* and domain
 * functions. */
#ifndef KIOSK_SCREENS_H
#define KIOSK_SCREENS_H

#include <stdbool.h>
#include "app/app.h"

typedef struct {
    const char *name;        /* stable, used for tour file names and logs */
    bool chrome;             /* header and navigation bar around it */
    bool personal;           /* may show personal data: never in street mode */
    void (*enter)(app_t *app);
    void (*build)(app_t *app, ui_frame_t *f, SDL_Rect content);
    /* Returns true if it handled ID. */
    bool (*action)(app_t *app, const char *id);
    /* Called when the screen is left (another screen, or the session ended):
     * stop its workers, close its devices. */
    void (*leave)(app_t *app);
} screen_t;

const screen_t *screen_get(screen_id_t id);

#define SCREEN(id, name) extern const screen_t screen_##name;
#include "app/screen_list.h"
#undef SCREEN

/* Chrome shared by all screens (app/chrome.c). */
void chrome_header(app_t *app, ui_frame_t *f);
/* The locale the language button switches to (the next shipped one in name
 * order after the session's, wrapping round: en -> ko -> zh_CN -> en), or
 * NULL with fewer than two locales loaded. Its label is that locale's own
 * name, and is spoken in that locale's voice. */
const char *chrome_next_locale(const app_t *app);
void chrome_nav(app_t *app, ui_frame_t *f);
void chrome_timeout_overlay(app_t *app, ui_frame_t *f);
/* An emergency alert over a street display's browse view. */
void chrome_alert_overlay(app_t *app, ui_frame_t *f, const char *title, const char *body);
/* The receipt as a QR code, while the printer cannot print it. */
void chrome_receipt_overlay(app_t *app, ui_frame_t *f);
bool chrome_action(app_t *app, const char *id);
/* What a resident reads when the hub asks the kiosk to slow down
 * (hub_status_busy): calm, no fault, try again in a minute. */
const char *screen_busy_text(void);

/* Two buttons in *AREA: side by side when SIDE (each half, a gap between),
 * else one above the other (a target high, a gap between). Returns the
 * first's rectangle and leaves the second's in *AREA. */
SDL_Rect screen_button_pair(const ui_frame_t *f, SDL_Rect *area, bool side);
/* An upright screen's keypad of KW x KH in IN, on a panel of known size,
 * where its keys would be under the target size: three rows of four keys
 * of the target size (ui_keypad's thinnest gaps) where the width holds
 * four, else four rows of three, up to two thirds of the height and the
 * whole width. Without a panel size nothing changes. */
void screen_keypad_upright(const ui_frame_t *f, SDL_Rect in, int *kw, int *kh);
/* A card (a coloured panel with rounded corners) filling R. */
ui_widget_t *screen_card(ui_frame_t *f, const char *id, SDL_Rect r);
/* Splits IN for a keypad screen: the keypad on the right (landscape) or
 * at the bottom (portrait) in *PAD, the rest in *LEFT. */
void screen_keypad_split(ui_frame_t *f, SDL_Rect in, SDL_Rect *left, SDL_Rect *pad);
/* Splits IN for a detail page: the text in *TEXT, and a card for its
 * "take it with you" QR code in *QR_CARD (right, or bottom in portrait). */
void screen_split_takeaway(ui_frame_t *f, SDL_Rect in, SDL_Rect *text, SDL_Rect *qr_card);
/* Whether CARD is on a small panel: the panel's physical size known
 * ([display] diagonal / dpi) and the card lower than five touch targets.
 * Such cards thin their margins and badges so the words keep their room. */
bool screen_small_card(const ui_frame_t *f, SDL_Rect card);
/* That card: "ID.qrcard" with the QR code of PAYLOAD ("ID.qr") and its hint. */
void screen_takeaway_qr(ui_frame_t *f, const char *id, SDL_Rect card, const char *payload);
/* A title line (bold, as large as fits) cut off the top of *R. */
void screen_title(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, SDL_Color bg);
/* The height screen_title would cut off the top of R for TEXT (its pad
 * below not counted): for a screen that must first know what is left. */
int screen_title_height(ui_frame_t *f, SDL_Rect r, const char *text);
/* A title taking only the lines it needs, for a screen whose words below
 * it would otherwise be cut (large text on a small panel): the largest size
 * from title down to large at which TEXT is one line, else wrapped at large
 * size; cut off the top of *R. */
void screen_title_tight(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, SDL_Color bg);

/* The attract loop's first touch, on widget ID (NULL: none), after the
 * session started and home is shown: "attract.elder" starts elder mode. */
void attract_first_touch(app_t *app, const char *id);

/* Formats the header clock and date for the current locale. */
void chrome_clock_text(time_t t, char *clock, int clen, char *date, int dlen);

#endif
