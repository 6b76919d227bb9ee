/* Shared parts of the payment screens (pay_*.c). */
#ifndef KIOSK_SCREENS_PAY_H
#define KIOSK_SCREENS_PAY_H

#include "app/screens.h"
#include "services/bills/bills.h"

/* "Amount: ¥123.45", large, cut off the top of *R. */
void pay_amount(app_t *app, ui_frame_t *f, SDL_Rect *r, SDL_Color bg);
/* The instruction over a payment, bold at the large text size (wrapped,
 * never more than a third of *R): the amount, countdown and status under
 * it keep their room. */
void pay_heading(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text);
/* The same at size PX: a screen short of room (large text) gives the
 * instruction under them its whole text by making these smaller. */
void pay_amount_at(app_t *app, ui_frame_t *f, SDL_Rect *r, SDL_Color bg, int px);
void pay_heading_at(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, int px);
/* The height pay_countdown takes (before its padding). */
int pay_countdown_h(const ui_frame_t *f);
/* The countdown to the payment's deadline (nothing when there is none). */
void pay_countdown(app_t *app, ui_frame_t *f, SDL_Rect *r, int total_s);
/* One sentence on where the payment in progress stands. */
const char *pay_status_text(const app_t *app);
/* What a final payment means for the resident. */
void pay_outcome(const pay_event_t *p, const char **title, const char **body);

/* Leaving a live payment (nav "back" or "home", where the QR code or the
 * phone's confirmation is pending) asks first: pay_leave_action takes the
 * navigation ids and the dialog's answers ("payleave.stay", ".cancel";
 * cancelling goes through the engine and the screen stays until the hub
 * has closed the order, then says nothing was charged). Returns true when
 * it handled ID. pay_leave_overlay draws the dialog while it is asked. */
bool pay_leave_action(app_t *app, const char *id);
void pay_leave_overlay(app_t *app, ui_frame_t *f);

#endif
