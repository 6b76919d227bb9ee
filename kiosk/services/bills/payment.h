/* One payment of bills, as an explicit state machine. Pure: no I/O, no clock
 * (times are passed in as wall milliseconds), no allocation. The engine
 * (services/bills/pay_engine.c) persists the struct before every request it sends and
 * after every answer, so a payment survives a crash at any point.
 *
 *                         create OK: NOTPAY (qr)
 *   CREATING ─────────────────────────────────────────▶ WAITING ──┐ query: NOTPAY,
 *     │  │  create OK: USERPAYING (code)                 │  ▲     │ or no answer
 *     │  └──────────────────────────────▶ USERPAYING     │  └─────┘
 *     │      no answer: ask again          │  ▲  (poll)  │
 *     │      (same key; or query when      │  └──┘       │ cancel, deadline
 *     │       the body cannot be rebuilt)  │ cancel,     ▼
 *     │                                    └─deadline─▶ CANCELLING ── close (qr) /
 *     │                                                   │            reverse (code),
 *     │  SUCCESS (any state)                              │            same key until
 *     ├──────────────────────────────────────▶ PAID ◀─────┤ 409 order_paid  answered
 *     │  refused (4xx) / PAYERROR                         │
 *     ├──────────────────────────────────────▶ FAILED     │ CLOSED / REVOKED
 *     │  CLOSED / REVOKED                                 ▼
 *     └──────────────────────────────────────▶ CANCELLED ◀┘
 *
 * PAID, CANCELLED and FAILED are final. "Unknown" (no answer, a 5xx,
 * garbage) never moves a payment to a final state: the same question is
 * asked again after a capped backoff, and `unknown` is set so the screen
 * says "confirming payment" instead of guessing. A second order for the same
 * bills is never created by this machine: it only ever sends the create of
 * its own out_trade_no, with its own idempotency key. */
#ifndef KIOSK_PAY_PAYMENT_H
#define KIOSK_PAY_PAYMENT_H

#include <stdbool.h>
#include <stdint.h>
#include "net/hub_api.h"

typedef enum { PAY_QR, PAY_CODE } pay_method_t;

typedef enum {
    PAY_CREATING,    /* persisted; the create is being sent or its outcome is unknown */
    PAY_WAITING,     /* qr: order NOTPAY, the QR is on screen; polling */
    PAY_USERPAYING,  /* code: the payer confirms on the phone; polling */
    PAY_CANCELLING,  /* giving up: close (qr) / reverse (code) until answered */
    PAY_PAID,        /* final: the order is SUCCESS, the bills are paid */
    PAY_CANCELLED,   /* final: CLOSED / REVOKED, nothing charged (or refunded) */
    PAY_FAILED,      /* final: PAYERROR or the create was refused; nothing charged */
    PAY_STATE_COUNT
} pay_state_t;

typedef enum { PAY_ACT_NONE, PAY_ACT_CREATE, PAY_ACT_QUERY, PAY_ACT_CLOSE,
               PAY_ACT_REVERSE } pay_action_t;

/* Timing rules (kiosk.ini [payment]). */
typedef struct {
    int poll_ms;            /* query interval while WAITING / USERPAYING (2000) */
    int qr_window_s;        /* how long the QR is offered before closing (180) */
    int code_window_s;      /* how long USERPAYING is followed before reversing (60) */
    int retry_min_ms;       /* backoff after an unknown outcome: first wait (1000) */
    int retry_max_ms;       /* ... doubling up to (30000) */
    int not_created_grace_s;/* a create whose body is lost (a payment code after a
                             * restart) that the hub does not know: queried for this
                             * long after its creation before it counts as never
                             * created (a slow create may still land) (120) */
} pay_policy_t;

void pay_policy_default(pay_policy_t *pol);

typedef struct {
    char out_trade_no[HUB_TRADE_NO_MAX + 1];
    pay_method_t method;
    pay_state_t state;
    int n_bills;
    long long bill_ids[HUB_MAX_ORDER_BILLS];
    long long amount_fen;        /* the kiosk's sum, then the hub's amount */
    char create_key[48];         /* Idempotency-Key of the create */
    char cancel_key[48];         /* of close/reverse, made when CANCELLING starts */
    bool can_create;             /* the create body can be sent again (false for a
                                  * payment code once its code is gone: restart) */
    bool cancel_requested;       /* resident cancelled / nobody at the screen: once the
                                  * order is known and open, close or reverse it */
    bool unknown;                /* the last request got no definite answer */
    int attempts;                /* consecutive unknown outcomes (for the backoff) */
    int64_t created_ms;          /* wall ms when first persisted */
    int64_t deadline_ms;         /* WAITING / USERPAYING: give up after this; 0 = not set */
    int64_t next_ms;             /* when NEXT is due */
    pay_action_t next;           /* what to send next; NONE when final */
    char code_url[512];
    int64_t expires_ms;          /* the hub's expiry of a qr order, 0 if none */
    char transaction_id[40];
    char reason[48];             /* CANCELLED / FAILED: why ("cancelled", "expired",
                                  * "timeout", "insufficient_balance", "bill_paid",
                                  * "bill_paid_elsewhere", "bill_in_order",
                                  * "not_created", "refused:<code>") */
} payment_t;

const char *pay_state_name(pay_state_t s);      /* "creating", ... (stored in SQLite) */
int pay_state_parse(const char *name);          /* -1 if unknown */
const char *pay_action_name(pay_action_t a);
bool pay_is_final(pay_state_t s);

/* A new payment in CREATING, NEXT = CREATE due now. NO and CREATE_KEY are
 * made by the caller (hub_new_key). */
void pay_init(payment_t *p, const char *out_trade_no, pay_method_t method,
              const long long *bill_ids, int n_bills, long long amount_fen,
              const char *create_key, int64_t now_ms);

/* The answer to the request of kind SENT (= p->next when it was sent). ORDER
 * is used when ST->result is HUB_OK. Moves the state, sets next/next_ms. */
void pay_on_answer(payment_t *p, const pay_policy_t *pol, pay_action_t sent,
                   const hub_status_t *st, const hub_order_t *order, int64_t now_ms);

/* The deadline check, before sending: WAITING / USERPAYING past their
 * deadline move to CANCELLING (reason "timeout"/"expired"). Returns the
 * action to send now, or NONE when nothing is due yet (or final). */
pay_action_t pay_due(payment_t *p, const pay_policy_t *pol, int64_t now_ms);

/* The resident cancelled, or nobody is at the screen any more: an open
 * order is closed / reversed as soon as it is known. REASON e.g. "cancelled". */
void pay_cancel(payment_t *p, const char *reason, int64_t now_ms);

/* After a restart (the payment was loaded from the database): a payment code
 * is gone (can_create = false, so an unknown create is resolved by query);
 * a QR is no longer on any screen (cancel). Due now. */
void pay_resume(payment_t *p, int64_t now_ms);

#endif
