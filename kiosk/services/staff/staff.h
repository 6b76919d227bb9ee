/* The staff side of the app: the staff menu's figures and the staff PIN
 * check's thread.
 *
 * The figures (app->staff_counts): schema, sessions, print
 * queue, payments and outbox counts, read from the store so the staff menu
 * screen only draws them. UI thread; refreshed on entering the menu and on
 * the events that change them (an outbox item ended, a print job moved),
 * never per frame. A count the store cannot read is -1. */
#ifndef KIOSK_APP_STAFF_H
#define KIOSK_APP_STAFF_H

struct app;

/* Re-reads every figure; does nothing without a store. */
void staff_refresh(struct app *app);

/* Checks the PIN typed so far (app->pin) against the configured hash on a
 * thread of its own (the hash is slow on purpose); the verdict arrives as
 * APP_EV_PIN_RESULT with user.code 1 (right) or 0. The caller wipes
 * app->pin. 0, or -1 when the thread cannot start (no event will come). */
int staff_pin_check_start(struct app *app);
/* Joins the finished PIN thread (after its event, or at shutdown). */
void staff_pin_check_done(struct app *app);
/* The PIN worker's verdict arrived (staff_pin.c). */
void staff_pin_result(struct app *app, int ok);

#endif
