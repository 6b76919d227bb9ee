/* Shared parts of the payment screens (pay_*.c). */
#ifndef KIOSK_SCREENS_PAY_H
#define KIOSK_SCREENS_PAY_H

#include "app/screens.h"
#include "services/bills/bills.h"

/* "Amount: ¥123.45", large, cut off the top of *R. */
void pay_amount(app_t *app, ui_frame_t *f, SDL_Rect *r, SDL_Color bg);
/* The countdown to the payment's deadline (nothing when there is none). */
void pay_countdown(app_t *app, ui_frame_t *f, SDL_Rect *r, int total_s);
/* One sentence on where the payment in progress stands. */
const char *pay_status_text(const app_t *app);
/* What a final payment means for the resident. */
void pay_outcome(const pay_event_t *p, const char **title, const char **body);

#endif
