/* Bill look-ups for the bills screens: one worker thread that asks the hub
 * (net/hub_api.h) and posts the answer to the UI thread as an SDL user
 * event, so the UI never waits for the network. One request at a time; a
 * newer request replaces one not yet started. Each request carries a
 * generation so the UI can drop answers it no longer wants (the resident
 * left the screen, the session ended). */
#ifndef KIOSK_APP_LOOKUP_H
#define KIOSK_APP_LOOKUP_H

#include <SDL.h>
#include "core/config.h"
#include "net/hub_api.h"

typedef enum {
    LOOKUP_ACCOUNT,     /* A = utility, B = account number */
    LOOKUP_BILL_QR,     /* A = the paper bill's QR payload */
    LOOKUP_ID_NUMBER,   /* A = the resident's ID number (personal: wiped after use) */
    LOOKUP_RESCODE,     /* A = a community resident code's payload (a proof: wiped after use) */
    LOOKUP_HEALTH,      /* is the hub reachable? */
} lookup_kind_t;

/* An answer (event.user.data1): holds masked personal data; release it with
 * lookup_result_free (wipes it). */
typedef struct {
    unsigned gen;
    lookup_kind_t kind;
    hub_status_t st;
    hub_accounts_t acc;          /* st.result == HUB_OK, not for HEALTH */
    int elapsed_ms;
} lookup_result_t;

typedef struct lookup lookup_t;

/* NULL when the thread cannot start. */
lookup_t *lookup_start(const config_t *cfg, Uint32 event_type);
/* Queues a request (the arguments are copied). Returns 0, or -1 (NULL LK). */
int lookup_submit(lookup_t *lk, lookup_kind_t kind, const char *a, const char *b, unsigned gen);
/* Drops a request not started yet (the session ended), wiping it. */
void lookup_forget(lookup_t *lk);
/* Aborts a request in flight, stops and joins the worker (quickly). */
void lookup_stop(lookup_t *lk);
void lookup_result_free(lookup_result_t *r);

#endif
