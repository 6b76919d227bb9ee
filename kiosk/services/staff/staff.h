/* The staff side of the app: the staff menu's figures and the staff PIN
 * check's thread.
 *
 * The figures (app->staff->counts): schema, sessions, print
 * queue, payments and outbox counts, proof of play dropped by the store
 * writer, read from the store so the staff menu
 * screen only draws them. UI thread; refreshed on entering the menu and on
 * the events that change them (an outbox item ended, a print job moved),
 * never per frame. A count the store cannot read is -1. */
#ifndef KIOSK_APP_STAFF_H
#define KIOSK_APP_STAFF_H

#include <SDL.h>
#include <stdbool.h>
#include "core/staff_auth.h"

struct app;

/* The staff service's state (app->staff), allocated by its init. */
typedef struct staff_state {
    staff_auth_t auth;              /* PIN tries and lockout */
    /* staff PIN entry */
    char pin[16];
    int pin_len;
    char pin_msg[160];
    bool pin_checking;
    SDL_Thread *pin_thread;
    struct {                        /* staff menu figures, read from the store on
                                     * entering it and on print events, not per frame */
        int schema, sessions, print_queued, print_failed;
        int pay_open, pay_paid, pay_cancelled, pay_failed;
        int outbox_waiting, outbox_dead;
        long long pop_dropped;      /* proof of play the store writer had to drop */
    } counts;
    int row_first;                  /* the staff menu's first status row on screen:
                                     * where they do not all fit (large text), a page */
    int row_next;                   /* the first of the next page (0: back to the start) */
} staff_state_t;

/* Re-reads every figure; does nothing without a store. */
void staff_refresh(struct app *app);

/* Checks the PIN typed so far (app->staff->pin) against the configured hash on a
 * thread of its own (the hash is slow on purpose); the verdict arrives as
 * APP_EV_PIN_RESULT with user.code 1 (right) or 0. The caller wipes
 * app->staff->pin. 0, or -1 when the thread cannot start (no event will come). */
int staff_pin_check_start(struct app *app);
/* Joins the finished PIN thread (after its event, or at shutdown). */
void staff_pin_check_done(struct app *app);
/* The PIN worker's verdict arrived (staff_pin.c). */
void staff_pin_result(struct app *app, int ok);

#endif
