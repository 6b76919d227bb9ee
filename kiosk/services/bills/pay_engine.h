/* The payment engine: one worker thread that drives every payment to a final
 * state (services/bills/payment.h), persisting each step in the kiosk database before
 * the request it leads to. It outlives the resident's session (a payment
 * still resolves after a timeout) and, on start, resumes every payment left
 * unfinished by a crash or power cut.
 *
 * The UI thread only calls the non-blocking functions below; the engine
 * reports through NOTIFY, called on the worker thread (the app turns it into
 * an SDL user event). */
#ifndef KIOSK_PAY_ENGINE_H
#define KIOSK_PAY_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/config.h"
#include "services/bills/payment.h"

/* A snapshot of a payment for the screen: no personal data. */
typedef struct {
    char out_trade_no[HUB_TRADE_NO_MAX + 1];
    pay_method_t method;
    pay_state_t state;
    bool unknown;               /* "confirming payment": the last request got no answer */
    long long amount_fen;
    char code_url[512];
    int64_t left_ms;            /* WAITING / USERPAYING: until the deadline; else -1 */
    char reason[48];
    char transaction_id[40];
    bool resumed;               /* loaded at start-up: no session owns it */
} pay_event_t;

typedef void (*pay_notify_fn)(void *ctx, const pay_event_t *ev);

typedef struct pay_engine pay_engine_t;

/* Opens its own connection to var_dir/kiosk.db and its own hub client
 * (cfg [hub]), loads the unfinished payments (pay_resume) and starts the
 * worker. NULL with ERR on failure (no database). */
pay_engine_t *pay_engine_start(const config_t *cfg, const pay_policy_t *pol,
                               pay_notify_fn notify, void *ctx, char *err, size_t errlen);

/* Starts a payment: makes the out_trade_no (written to OUT_NO) and returns at
 * once; the worker persists it, then sends the create. AUTH_CODE for
 * PAY_CODE (kept in memory only until the create is answered, then wiped),
 * NULL for PAY_QR. RECEIPT_JSON (masked bill details for the receipt, may
 * be NULL) is stored with it. Returns 0, or -1 if one of the bills is in an
 * unfinished payment of this kiosk (ERR says so). */
int pay_engine_begin(pay_engine_t *e, pay_method_t method, const long long *bill_ids,
                     int n_bills, long long amount_fen, const char *auth_code,
                     const char *receipt_json, char *out_no, size_t out_no_len);

/* The resident pressed cancel: close (qr) / reverse (code). */
void pay_engine_cancel(pay_engine_t *e, const char *out_trade_no);
/* The session ended: nobody watches this payment any more. A QR is closed;
 * a payment code being confirmed is followed to its deadline. */
void pay_engine_detach(pay_engine_t *e, const char *out_trade_no);

/* Number of unfinished payments, and whether the last request to the hub got
 * an answer (any HTTP status): a payment code is not taken while it did not. */
int pay_engine_unfinished(pay_engine_t *e);
bool pay_engine_hub_reachable(pay_engine_t *e);

/* Aborts the request in flight (its outcome stays unknown, resumed at next
 * start), stops the worker and frees. NULL is ignored. */
void pay_engine_stop(pay_engine_t *e);

#endif
