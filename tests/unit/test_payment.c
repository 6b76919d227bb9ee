/* The pure payment state machine (services/bills/payment.h), table-driven: each
 * scenario is a payment and a list of steps (an answer from the hub, a
 * deadline check, a cancel, a restart) with the state expected after each.
 * Covers every transition, unknown outcomes and the capped backoff,
 * deadlines, cancel in each state, resume, 409 order_paid and the grace for
 * a create whose outcome was lost. No hub, no clock: times are T0 + ms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "services/bills/payment.h"

#define T0 1795915800000LL                  /* 2026-11-29 09:30:00 CST */
#define NO "K01-20261129-0a1b2c3d4e"
#define KEY "pay-0123456789abcdef"
#define SKIP (-1)

enum { OP_ANSWER = 1, OP_DUE, OP_CANCEL, OP_RESUME };

/* What the hub said; the order (when RES is HUB_OK) is ORDER_* OS. */
typedef struct {
    pay_action_t sent;
    hub_result_t res;
    int http;
    const char *code;           /* error code, or NULL */
    int os;                     /* hub_order_state_t of the answer's order */
    long long expires_s;        /* qr order expiry after T0 in s; 0 = 7200 */
    const char *err;            /* PAYERROR's error; NULL = insufficient_balance */
    const char *other_no;       /* the answer is about another order */
} answer_t;

/* The payment after a step. NEXT_AT and DEADLINE are ms after T0 (SKIP: not
 * checked; DEADLINE 0 = none); REASON NULL is not checked. */
typedef struct {
    pay_state_t state;
    pay_action_t next;
    long long next_at;
    bool unknown;
    int attempts;
    const char *reason;
    long long deadline;
} expect_t;

typedef struct {
    int op;
    long long at;               /* ms after T0 */
    answer_t a;                 /* OP_ANSWER */
    const char *why;            /* OP_CANCEL's reason */
    pay_action_t due;           /* OP_DUE: what pay_due must return */
    expect_t x;
} step_t;

typedef struct {
    const char *name;
    pay_method_t method;
    step_t steps[16];
} scenario_t;

static const pay_policy_t pol = {
    .poll_ms = 2000, .qr_window_s = 180, .code_window_s = 60,
    .retry_min_ms = 1000, .retry_max_ms = 30000, .not_created_grace_s = 120,
};

/* Shorthands for the tables. */
#define CREATING PAY_CREATING
#define WAITING PAY_WAITING
#define USERPAYING PAY_USERPAYING
#define CANCELLING PAY_CANCELLING
#define PAID PAY_PAID
#define CANCELLED PAY_CANCELLED
#define FAILED PAY_FAILED
#define NONE PAY_ACT_NONE
#define CREATE PAY_ACT_CREATE
#define QUERY PAY_ACT_QUERY
#define CLOSE PAY_ACT_CLOSE
#define REVERSE PAY_ACT_REVERSE

#define OK_(act, st) {.sent = act, .res = HUB_OK, .http = 200, .os = st}
#define UNK(act) {.sent = act, .res = HUB_UNKNOWN, .code = "timeout", .os = -1}
/* A hub without a payment provider: 503 payment_unavailable (a 5xx, so HUB_UNKNOWN). */
#define NOPROV(act) {.sent = act, .res = HUB_UNKNOWN, .http = 503, .code = "payment_unavailable", .os = -1}
#define REF(act, status, c) {.sent = act, .res = HUB_REFUSED, .http = status, .code = c, .os = -1}

#define ANSWER(t, ans, ...) {.op = OP_ANSWER, .at = t, .a = ans, .x = {__VA_ARGS__}}
#define DUE(t, ret, ...) {.op = OP_DUE, .at = t, .due = ret, .x = {__VA_ARGS__}}
#define CANCEL(t, reason, ...) {.op = OP_CANCEL, .at = t, .why = reason, .x = {__VA_ARGS__}}
#define RESUME(t, ...) {.op = OP_RESUME, .at = t, .x = {__VA_ARGS__}}

/* A qr payment brought to WAITING at 100 ms (deadline: the 180 s window). */
#define QR_WAITING ANSWER(100, OK_(CREATE, ORDER_NOTPAY), WAITING, QUERY, 2100, false, 0, "", 180000)
/* A code payment brought to USERPAYING at 100 ms (deadline: 60 s). */
#define CODE_USERPAYING ANSWER(100, OK_(CREATE, ORDER_USERPAYING), USERPAYING, QUERY, 2100, false, 0, "", 60000)

static const scenario_t scenarios[] = {
    /* ---- qr: create -------------------------------------------------- */
    {"qr: create NOTPAY, polled, paid", PAY_QR, {
        QR_WAITING,
        DUE(2099, NONE, WAITING, QUERY, 2100, false, 0, "", 180000),
        DUE(2100, QUERY, WAITING, QUERY, 2100, false, 0, "", 180000),
        ANSWER(2200, OK_(QUERY, ORDER_NOTPAY), WAITING, QUERY, 4200, false, 0, "", 180000),
        ANSWER(4300, OK_(QUERY, ORDER_USERPAYING), WAITING, QUERY, 6300, false, 0, "", 180000),
        ANSWER(6400, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
        DUE(100000, NONE, PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: create with no answer: same action, backoff doubling to the cap", PAY_QR, {
        DUE(0, CREATE, CREATING, CREATE, 0, false, 0, "", 0),
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        DUE(1009, NONE, CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1010, UNK(CREATE), CREATING, CREATE, 3010, true, 2, "", 0),
        ANSWER(3010, UNK(CREATE), CREATING, CREATE, 7010, true, 3, "", 0),
        ANSWER(7010, UNK(CREATE), CREATING, CREATE, 15010, true, 4, "", 0),
        ANSWER(15010, UNK(CREATE), CREATING, CREATE, 31010, true, 5, "", 0),
        ANSWER(31010, UNK(CREATE), CREATING, CREATE, 61010, true, 6, "", 0),
        ANSWER(61010, UNK(CREATE), CREATING, CREATE, 91010, true, 7, "", 0),
        ANSWER(91010, UNK(CREATE), CREATING, CREATE, 121010, true, 8, "", 0),
        /* A definite answer clears the unknown state and the count. */
        ANSWER(121100, OK_(CREATE, ORDER_NOTPAY), WAITING, QUERY, 123100, false, 0, "", 180000),
    }},
    {"qr: create refused bill_paid: failed, nothing to resolve", PAY_QR, {
        ANSWER(100, REF(CREATE, 409, "bill_paid"), FAILED, NONE, SKIP, false, 0, "bill_paid", 0),
        DUE(5000, NONE, FAILED, NONE, SKIP, false, 0, "bill_paid", 0),
    }},
    {"qr: a retried create refused after no answer: resolved by asking, not failed", PAY_QR, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1100, REF(CREATE, 409, "bill_in_order"), CREATING, QUERY, 3100, true, 0, "", 0),
        ANSWER(3200, OK_(QUERY, ORDER_NOTPAY), WAITING, QUERY, 5200, false, 0, "", 180000),
    }},
    {"code: a retried create refused 401 after no answer: asked, then the grace decides", PAY_CODE, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1100, REF(CREATE, 401, "unauthorized"), CREATING, QUERY, 3100, true, 0, "", 0),
        ANSWER(3200, REF(QUERY, 404, "unknown_order"), CREATING, QUERY, 5200, true, 0, "", 0),
        ANSWER(120000, REF(QUERY, 404, "unknown_order"), FAILED, NONE, SKIP, false, 0,
               "not_created", 0),
    }},
    {"qr: create answered 503 payment_unavailable: failed at once, nothing made", PAY_QR, {
        ANSWER(100, NOPROV(CREATE), FAILED, NONE, SKIP, false, 0, "payment_unavailable", 0),
        DUE(5000, NONE, FAILED, NONE, SKIP, false, 0, "payment_unavailable", 0),
    }},
    {"code: a retried create answered payment_unavailable after no answer: asked, not failed", PAY_CODE, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1100, NOPROV(CREATE), CREATING, QUERY, 3100, true, 0, "", 0),
        ANSWER(3200, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: create answered 422 provider_refused: failed at once, calm reason", PAY_QR, {
        ANSWER(100, REF(CREATE, 422, "provider_refused"), FAILED, NONE, SKIP, false, 0,
               "provider_refused", 0),
        DUE(5000, NONE, FAILED, NONE, SKIP, false, 0, "provider_refused", 0),
    }},
    {"code: create answered 422 provider_refused: failed at once", PAY_CODE, {
        ANSWER(100, REF(CREATE, 422, "provider_refused"), FAILED, NONE, SKIP, false, 0,
               "provider_refused", 0),
    }},
    {"qr: provider_refused with another status is an ordinary refusal", PAY_QR, {
        ANSWER(100, REF(CREATE, 409, "provider_refused"), FAILED, NONE, SKIP, false, 0,
               "refused:provider_refused", 0),
    }},
    {"code: a retried create answered provider_refused after no answer: asked, not failed", PAY_CODE, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1100, REF(CREATE, 422, "provider_refused"), CREATING, QUERY, 3100, true, 0, "", 0),
        ANSWER(3200, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: a retried create answered provider_refused: asked, then not_created after the grace", PAY_QR, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        ANSWER(1100, REF(CREATE, 422, "provider_refused"), CREATING, QUERY, 3100, true, 0, "", 0),
        ANSWER(120000, REF(QUERY, 404, "unknown_order"), FAILED, NONE, SKIP, false, 0,
               "not_created", 0),
    }},
    {"qr: a query answered payment_unavailable: unknown, asked again", PAY_QR, {
        QR_WAITING,
        ANSWER(2200, NOPROV(QUERY), WAITING, QUERY, 3200, true, 1, "", 180000),
        ANSWER(3300, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: create refused unauthorized", PAY_QR, {
        ANSWER(100, REF(CREATE, 401, "unauthorized"), FAILED, NONE, SKIP, false, 0,
               "refused:unauthorized", 0),
    }},
    {"qr: create refused without a code", PAY_QR, {
        ANSWER(100, REF(CREATE, 418, ""), FAILED, NONE, SKIP, false, 0, "refused:http418", 0),
    }},
    {"qr: idempotency key reused: resolved by query, never created again", PAY_QR, {
        ANSWER(100, REF(CREATE, 422, "idempotency_key_reused"), CREATING, QUERY, 100, true, 0, "", 0),
        ANSWER(200, REF(QUERY, 404, "unknown_order"), CREATING, QUERY, 2200, true, 0, "", 0),
        ANSWER(2300, OK_(QUERY, ORDER_NOTPAY), WAITING, QUERY, 4300, false, 0, "", 180000),
    }},
    {"qr: created CLOSED (expired before it was learnt)", PAY_QR, {
        ANSWER(100, OK_(CREATE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "expired", 0),
    }},
    {"qr: created SUCCESS (a replay after the resident paid)", PAY_QR, {
        ANSWER(100, OK_(CREATE, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: answer about another order is no answer", PAY_QR, {
        ANSWER(100, ((answer_t){.sent = CREATE, .res = HUB_OK, .http = 201, .os = ORDER_SUCCESS,
                                .other_no = "K01-20261129-ffffffffff"}),
               CREATING, CREATE, 1100, true, 1, "", 0),
    }},

    /* ---- qr: waiting -------------------------------------------------- */
    {"qr: window runs out: close, timeout", PAY_QR, {
        QR_WAITING,
        DUE(179999, QUERY, WAITING, QUERY, 2100, false, 0, "", 180000),
        DUE(180000, CLOSE, CANCELLING, CLOSE, 180000, false, 0, "timeout", 180000),
        ANSWER(180100, UNK(CLOSE), CANCELLING, CLOSE, 181100, true, 1, "timeout", SKIP),
        ANSWER(181200, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "timeout", 0),
    }},
    {"qr: the hub's expiry comes first: close, expired", PAY_QR, {
        ANSWER(100, ((answer_t){.sent = CREATE, .res = HUB_OK, .http = 201, .os = ORDER_NOTPAY,
                                .expires_s = 60}),
               WAITING, QUERY, 2100, false, 0, "", 60000),
        DUE(60000, CLOSE, CANCELLING, CLOSE, 60000, false, 0, "expired", SKIP),
        ANSWER(60100, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "expired", 0),
    }},
    {"qr: query finds CLOSED: expired", PAY_QR, {
        QR_WAITING,
        ANSWER(2200, OK_(QUERY, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "expired", 0),
    }},
    {"qr: query finds REVOKED: cancelled", PAY_QR, {
        QR_WAITING,
        ANSWER(2200, OK_(QUERY, ORDER_REVOKED), CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
    }},
    {"qr: query finds PAYERROR bill_paid_elsewhere", PAY_QR, {
        QR_WAITING,
        ANSWER(2200, ((answer_t){.sent = QUERY, .res = HUB_OK, .http = 200, .os = ORDER_PAYERROR,
                                 .err = "bill_paid_elsewhere"}),
               FAILED, NONE, SKIP, false, 0, "bill_paid_elsewhere", 0),
    }},
    {"qr: query without answer or refused: retried, never a new order", PAY_QR, {
        QR_WAITING,
        ANSWER(2200, UNK(QUERY), WAITING, QUERY, 3200, true, 1, "", 180000),
        ANSWER(3300, REF(QUERY, 404, "unknown_order"), WAITING, QUERY, 5300, true, 2, "", 180000),
        ANSWER(5400, REF(QUERY, 401, "unauthorized"), WAITING, QUERY, 9400, true, 3, "", 180000),
        ANSWER(9500, OK_(QUERY, ORDER_NOTPAY), WAITING, QUERY, 11500, false, 0, "", 180000),
    }},
    {"qr: unknown polling past the deadline still closes", PAY_QR, {
        QR_WAITING,
        ANSWER(170000, UNK(QUERY), WAITING, QUERY, 171000, true, 1, "", 180000),
        DUE(180500, CLOSE, CANCELLING, CLOSE, 180500, true, 1, "timeout", SKIP),
        ANSWER(180600, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "timeout", 0),
    }},

    /* ---- qr: cancel --------------------------------------------------- */
    {"qr: cancel while waiting: close", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "cancelled", CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        DUE(5000, CLOSE, CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        ANSWER(5100, REF(CLOSE, 401, "unauthorized"), CANCELLING, CLOSE, 6100, true, 1, "cancelled", SKIP),
        CANCEL(5200, "session_ended", CANCELLING, CLOSE, 6100, true, 1, "cancelled", SKIP),
        ANSWER(6200, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
        CANCEL(7000, "cancelled", CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
    }},
    {"qr: close answers 409 order_paid: paid", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "cancelled", CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        ANSWER(5100, REF(CLOSE, 409, "order_paid"), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: close answers SUCCESS / still open", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "cancelled", CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        ANSWER(5100, OK_(CLOSE, ORDER_NOTPAY), CANCELLING, CLOSE, 6100, true, 1, "cancelled", SKIP),
        ANSWER(6200, OK_(CLOSE, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: close refused 404 while the body can be rebuilt: retried", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "cancelled", CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        ANSWER(200000, REF(CLOSE, 404, "unknown_order"), CANCELLING, CLOSE, 201000, true, 1,
               "cancelled", SKIP),
        ANSWER(201100, REF(CLOSE, 400, "idempotency_key"), CANCELLING, CLOSE, 203100, true, 2,
               "cancelled", SKIP),
        ANSWER(203200, OK_(CLOSE, ORDER_PAYERROR), FAILED, NONE, SKIP, false, 0,
               "insufficient_balance", 0),
    }},
    {"qr: cancel while creating: resolved first, then closed", PAY_QR, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        CANCEL(500, "cancelled", CREATING, CREATE, 1010, true, 1, "cancelled", 0),
        ANSWER(1100, OK_(CREATE, ORDER_NOTPAY), CANCELLING, CLOSE, 1100, false, 0, "cancelled", SKIP),
        ANSWER(1200, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
    }},
    {"qr: cancel while creating, the create was paid already", PAY_QR, {
        CANCEL(5, "cancelled", CREATING, CREATE, 0, false, 0, "cancelled", 0),
        ANSWER(100, OK_(CREATE, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"qr: cancel while creating, the create refused", PAY_QR, {
        CANCEL(5, "cancelled", CREATING, CREATE, 0, false, 0, "cancelled", 0),
        ANSWER(100, REF(CREATE, 409, "bill_paid"), FAILED, NONE, SKIP, false, 0, "bill_paid", 0),
    }},
    {"qr: close answers REVOKED: cancelled, reason kept", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "session_ended", CANCELLING, CLOSE, 5000, false, 0, "session_ended", SKIP),
        ANSWER(5100, OK_(CLOSE, ORDER_REVOKED), CANCELLED, NONE, SKIP, false, 0, "session_ended", 0),
    }},

    /* ---- qr: restart -------------------------------------------------- */
    {"qr: resume while waiting: nobody sees the QR, closed", PAY_QR, {
        QR_WAITING,
        RESUME(10000, CANCELLING, CLOSE, 10000, false, 0, "restart", SKIP),
        ANSWER(10100, OK_(CLOSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "restart", 0),
    }},
    {"qr: resume with the create unknown: created again (same key), then closed", PAY_QR, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        RESUME(500, CREATING, CREATE, 500, true, 1, "restart", 0),
        DUE(500, CREATE, CREATING, CREATE, 500, true, 1, "restart", 0),
        ANSWER(600, OK_(CREATE, ORDER_NOTPAY), CANCELLING, CLOSE, 600, false, 0, "restart", SKIP),
    }},
    {"qr: resume while cancelling: due now, same action", PAY_QR, {
        QR_WAITING,
        CANCEL(5000, "cancelled", CANCELLING, CLOSE, 5000, false, 0, "cancelled", SKIP),
        ANSWER(5100, UNK(CLOSE), CANCELLING, CLOSE, 6100, true, 1, "cancelled", SKIP),
        RESUME(5500, CANCELLING, CLOSE, 5500, true, 1, "cancelled", SKIP),
    }},
    {"qr: resume of a final payment changes nothing", PAY_QR, {
        ANSWER(100, OK_(CREATE, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
        RESUME(500, PAID, NONE, SKIP, false, 0, "", 0),
        ANSWER(600, OK_(QUERY, ORDER_CLOSED), PAID, NONE, SKIP, false, 0, "", 0),
    }},

    /* ---- code --------------------------------------------------------- */
    {"code: paid at once", PAY_CODE, {
        ANSWER(100, OK_(CREATE, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"code: refused payment code", PAY_CODE, {
        ANSWER(100, OK_(CREATE, ORDER_PAYERROR), FAILED, NONE, SKIP, false, 0,
               "insufficient_balance", 0),
    }},
    {"code: invalid payment code", PAY_CODE, {
        ANSWER(100, REF(CREATE, 422, "invalid_auth_code"), FAILED, NONE, SKIP, false, 0,
               "refused:invalid_auth_code", 0),
    }},
    {"code: userpaying, polled, confirmed", PAY_CODE, {
        CODE_USERPAYING,
        ANSWER(2200, OK_(QUERY, ORDER_USERPAYING), USERPAYING, QUERY, 4200, false, 0, "", 60000),
        ANSWER(4300, UNK(QUERY), USERPAYING, QUERY, 5300, true, 1, "", 60000),
        ANSWER(5400, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"code: created NOTPAY is followed like USERPAYING", PAY_CODE, {
        ANSWER(100, OK_(CREATE, ORDER_NOTPAY), USERPAYING, QUERY, 2100, false, 0, "", 60000),
    }},
    {"code: window runs out: reverse, timeout", PAY_CODE, {
        CODE_USERPAYING,
        DUE(59999, QUERY, USERPAYING, QUERY, 2100, false, 0, "", 60000),
        DUE(60000, REVERSE, CANCELLING, REVERSE, 60000, false, 0, "timeout", SKIP),
        ANSWER(60100, REF(REVERSE, 400, "idempotency_key"), CANCELLING, REVERSE, 61100, true, 1,
               "timeout", SKIP),
        ANSWER(61200, OK_(REVERSE, ORDER_REVOKED), CANCELLED, NONE, SKIP, false, 0, "timeout", 0),
    }},
    {"code: cancel while userpaying: reverse", PAY_CODE, {
        CODE_USERPAYING,
        CANCEL(3000, "cancelled", CANCELLING, REVERSE, 3000, false, 0, "cancelled", SKIP),
        ANSWER(3100, OK_(REVERSE, ORDER_CLOSED), CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
    }},
    {"code: cancel while creating: resolved, then reversed", PAY_CODE, {
        CANCEL(5, "cancelled", CREATING, CREATE, 0, false, 0, "cancelled", 0),
        ANSWER(100, OK_(CREATE, ORDER_USERPAYING), CANCELLING, REVERSE, 100, false, 0,
               "cancelled", SKIP),
        ANSWER(200, OK_(REVERSE, ORDER_REVOKED), CANCELLED, NONE, SKIP, false, 0, "cancelled", 0),
    }},
    {"code: resume while userpaying: followed to its deadline, no create", PAY_CODE, {
        CODE_USERPAYING,
        RESUME(10000, USERPAYING, QUERY, 10000, false, 0, "", 60000),
        ANSWER(10100, OK_(QUERY, ORDER_USERPAYING), USERPAYING, QUERY, 12100, false, 0, "", 60000),
        DUE(60000, REVERSE, CANCELLING, REVERSE, 60000, false, 0, "timeout", SKIP),
    }},
    {"code: resume with the create unknown: queried, created late within the grace", PAY_CODE, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        RESUME(500, CREATING, QUERY, 500, true, 1, "", 0),
        DUE(500, QUERY, CREATING, QUERY, 500, true, 1, "", 0),
        ANSWER(600, REF(QUERY, 404, "unknown_order"), CREATING, QUERY, 2600, true, 0, "", 0),
        ANSWER(2700, UNK(QUERY), CREATING, QUERY, 3700, true, 1, "", 0),
        ANSWER(3800, REF(QUERY, 404, "unknown_order"), CREATING, QUERY, 5800, true, 0, "", 0),
        ANSWER(5900, OK_(QUERY, ORDER_USERPAYING), USERPAYING, QUERY, 7900, false, 0, "", 60000),
    }},
    {"code: resume with the create unknown: never created after the grace", PAY_CODE, {
        ANSWER(10, UNK(CREATE), CREATING, CREATE, 1010, true, 1, "", 0),
        RESUME(500, CREATING, QUERY, 500, true, 1, "", 0),
        ANSWER(119999, REF(QUERY, 404, "unknown_order"), CREATING, QUERY, 121999, true, 0, "", 0),
        ANSWER(120000, REF(QUERY, 404, "unknown_order"), FAILED, NONE, SKIP, false, 0,
               "not_created", 0),
    }},
    {"code: resume with the create unknown: the order was paid", PAY_CODE, {
        RESUME(500, CREATING, QUERY, 500, false, 0, "", 0),
        ANSWER(600, OK_(QUERY, ORDER_SUCCESS), PAID, NONE, SKIP, false, 0, "", 0),
    }},
    {"code: resumed, query refused otherwise: retried", PAY_CODE, {
        RESUME(500, CREATING, QUERY, 500, false, 0, "", 0),
        ANSWER(600, REF(QUERY, 401, "unauthorized"), CREATING, QUERY, 1600, true, 1, "", 0),
    }},
    {"code: an order known to exist answered 404 on reverse: kept asking, never 'not charged'", PAY_CODE, {
        CODE_USERPAYING,
        CANCEL(3000, "cancelled", CANCELLING, REVERSE, 3000, false, 0, "cancelled", SKIP),
        RESUME(4000, CANCELLING, REVERSE, 4000, false, 0, "cancelled", SKIP),
        ANSWER(4100, REF(REVERSE, 404, "unknown_order"), CANCELLING, REVERSE, 5100, true, 1,
               "cancelled", SKIP),
        ANSWER(130000, REF(REVERSE, 404, "unknown_order"), CANCELLING, REVERSE, 132000, true, 2,
               "cancelled", SKIP),
    }},
    {"code: reverse of a payment confirmed at the deadline: refunded", PAY_CODE, {
        CODE_USERPAYING,
        DUE(60000, REVERSE, CANCELLING, REVERSE, 60000, false, 0, "timeout", SKIP),
        ANSWER(60100, OK_(REVERSE, ORDER_REVOKED), CANCELLED, NONE, SKIP, false, 0, "timeout", 0),
    }},
};

#define N_SCENARIOS ((int)(sizeof scenarios / sizeof scenarios[0]))

static void make_order(hub_order_t *o, const answer_t *a, pay_method_t method)
{
    memset(o, 0, sizeof *o);
    snprintf(o->out_trade_no, sizeof o->out_trade_no, "%s", a->other_no ? a->other_no : NO);
    o->state = (hub_order_state_t)a->os;
    snprintf(o->method, sizeof o->method, "%s", method == PAY_QR ? "qr" : "code");
    o->amount_fen = 8227;
    if (method == PAY_QR) {
        snprintf(o->code_url, sizeof o->code_url, "http://127.0.0.1:8470/v1/demo/pay/%s", NO);
        o->expires = (time_t)(T0 / 1000 + (a->expires_s ? a->expires_s : 7200));
    }
    o->n_bills = 2;
    o->bill_ids[0] = 11;
    o->bill_ids[1] = 12;
    o->created = o->updated = (time_t)(T0 / 1000);
    if (a->os == ORDER_SUCCESS || a->os == ORDER_REVOKED)
        snprintf(o->transaction_id, sizeof o->transaction_id, "4200016460202611292275261855");
    if (a->os == ORDER_PAYERROR)
        snprintf(o->error, sizeof o->error, "%s", a->err ? a->err : "insufficient_balance");
}

static void check(const scenario_t *sc, int i, const payment_t *p, const expect_t *x)
{
    char where[160];
    snprintf(where, sizeof where, "%s, step %d", sc->name, i + 1);
    if (p->state != x->state || p->next != x->next || p->unknown != x->unknown ||
        p->attempts != x->attempts || (x->next_at != SKIP && p->next_ms != T0 + x->next_at) ||
        (x->reason && strcmp(p->reason, x->reason) != 0) ||
        (x->deadline != SKIP && p->deadline_ms != (x->deadline ? T0 + x->deadline : 0))) {
        print_error("%s: got %s next %s at %+lld unknown %d attempts %d reason '%s' "
                    "deadline %+lld\n", where, pay_state_name(p->state),
                    pay_action_name(p->next), (long long)(p->next_ms - T0), p->unknown,
                    p->attempts, p->reason, (long long)(p->deadline_ms - T0));
        print_error("%s: expected %s next %s at %+lld unknown %d attempts %d reason '%s' "
                    "deadline %+lld\n", where, pay_state_name(x->state),
                    pay_action_name(x->next), x->next_at, x->unknown, x->attempts,
                    x->reason ? x->reason : "*", x->deadline);
        fail();
    }
    /* Invariants of every state. */
    assert_int_equal(pay_is_final(p->state), p->next == PAY_ACT_NONE);
    if (p->state == PAY_CANCELLING) {
        assert_string_equal(p->cancel_key, KEY ":c");
        assert_true(p->next == (sc->method == PAY_QR ? PAY_ACT_CLOSE : PAY_ACT_REVERSE));
    }
    if (p->state == PAY_PAID) assert_string_equal(p->reason, "");
    if (p->state == PAY_WAITING) {
        assert_string_equal(p->code_url, "http://127.0.0.1:8470/v1/demo/pay/" NO);
        assert_true(p->expires_ms > 0);
    }
    if (p->state != PAY_CREATING && p->state != PAY_FAILED) assert_int_equal(p->amount_fen, 8227);
}

static void run_scenario(void **state)
{
    const scenario_t *sc = *state;
    const long long bills[2] = {11, 12};
    payment_t p;
    hub_status_t st;
    hub_order_t order;

    pay_init(&p, NO, sc->method, bills, 2, 8000, KEY, T0);
    for (int i = 0; i < 16 && sc->steps[i].op; i++) {
        const step_t *s = &sc->steps[i];
        int64_t now = T0 + s->at;
        switch (s->op) {
        case OP_ANSWER:
            memset(&st, 0, sizeof st);
            st.result = s->a.res;
            st.http = s->a.http;
            snprintf(st.code, sizeof st.code, "%s", s->a.code ? s->a.code : "");
            make_order(&order, &s->a, sc->method);
            pay_on_answer(&p, &pol, s->a.sent, &st, s->a.res == HUB_OK ? &order : NULL, now);
            if (s->a.res == HUB_OK && s->a.os == ORDER_SUCCESS && !s->a.other_no &&
                p.state == PAY_PAID)
                assert_string_equal(p.transaction_id, "4200016460202611292275261855");
            break;
        case OP_DUE:
            assert_int_equal(pay_due(&p, &pol, now), s->due);
            break;
        case OP_CANCEL:
            pay_cancel(&p, s->why, now);
            break;
        case OP_RESUME:
            pay_resume(&p, now);
            break;
        }
        check(sc, i, &p, &s->x);
    }
}

/* ---- the rest of the interface -------------------------------------- */

static void test_names(void **state)
{
    (void)state;
    for (int s = 0; s < PAY_STATE_COUNT; s++) {
        assert_int_equal(pay_state_parse(pay_state_name((pay_state_t)s)), s);
        assert_true(pay_is_final((pay_state_t)s) ==
                    (s == PAY_PAID || s == PAY_CANCELLED || s == PAY_FAILED));
    }
    assert_string_equal(pay_state_name(PAY_CREATING), "creating");
    assert_string_equal(pay_state_name(PAY_USERPAYING), "userpaying");
    assert_string_equal(pay_state_name(PAY_STATE_COUNT), "?");
    assert_int_equal(pay_state_parse("PAID"), -1);
    assert_int_equal(pay_state_parse(""), -1);
    assert_int_equal(pay_state_parse(NULL), -1);
    assert_string_equal(pay_action_name(PAY_ACT_NONE), "none");
    assert_string_equal(pay_action_name(PAY_ACT_REVERSE), "reverse");
    assert_string_equal(pay_action_name((pay_action_t)99), "?");
}

static void test_policy_default(void **state)
{
    pay_policy_t p;
    (void)state;
    memset(&p, 0x55, sizeof p);
    pay_policy_default(&p);
    assert_int_equal(p.poll_ms, 2000);
    assert_int_equal(p.qr_window_s, 180);
    assert_int_equal(p.code_window_s, 60);
    assert_int_equal(p.retry_min_ms, 1000);
    assert_int_equal(p.retry_max_ms, 30000);
    assert_int_equal(p.not_created_grace_s, 120);
}

static void test_init(void **state)
{
    const long long bills[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    payment_t p;
    (void)state;
    memset(&p, 0x55, sizeof p);
    pay_init(&p, NO, PAY_CODE, bills, 13, 123, KEY, T0);
    assert_string_equal(p.out_trade_no, NO);
    assert_int_equal(p.method, PAY_CODE);
    assert_int_equal(p.state, PAY_CREATING);
    assert_int_equal(p.n_bills, HUB_MAX_ORDER_BILLS);    /* never past the array */
    assert_int_equal(p.bill_ids[11], 12);
    assert_int_equal(p.amount_fen, 123);
    assert_string_equal(p.create_key, KEY);
    assert_string_equal(p.cancel_key, "");
    assert_true(p.can_create);
    assert_false(p.cancel_requested);
    assert_false(p.unknown);
    assert_int_equal(p.attempts, 0);
    assert_true(p.created_ms == T0 && p.next_ms == T0 && p.deadline_ms == 0);
    assert_int_equal(p.next, PAY_ACT_CREATE);
    assert_string_equal(p.reason, "");
    assert_int_equal(pay_due(&p, &pol, T0), PAY_ACT_CREATE);
}

/* A create key at the buffer's limit still gives a distinct cancel key of at
 * most 47 characters (the hub takes up to 64). */
static void test_long_cancel_key(void **state)
{
    char key[48];
    const long long bill = 7;
    payment_t p;
    hub_status_t st = {.result = HUB_OK, .http = 201};
    hub_order_t o;
    answer_t a = {.os = ORDER_NOTPAY};
    (void)state;
    memset(key, 'k', 47);
    key[47] = '\0';
    pay_init(&p, NO, PAY_QR, &bill, 1, 1, key, T0);
    make_order(&o, &a, PAY_QR);
    pay_on_answer(&p, &pol, PAY_ACT_CREATE, &st, &o, T0 + 1);
    pay_cancel(&p, NULL, T0 + 2);
    assert_int_equal(p.state, PAY_CANCELLING);
    assert_string_equal(p.reason, "cancelled");
    assert_int_equal(strlen(p.cancel_key), 47);
    assert_string_equal(p.cancel_key + 45, ":c");
    assert_string_not_equal(p.cancel_key, p.create_key);
}

/* A zero or odd policy never gives a zero or negative wait. */
static void test_backoff_odd_policy(void **state)
{
    const pay_policy_t odd = {.poll_ms = 0, .retry_min_ms = 0, .retry_max_ms = 0};
    const long long bill = 7;
    hub_status_t st = {.result = HUB_UNKNOWN};
    payment_t p;
    (void)state;
    pay_init(&p, NO, PAY_QR, &bill, 1, 1, KEY, T0);
    for (int i = 0; i < 100; i++) {
        pay_on_answer(&p, &odd, PAY_ACT_CREATE, &st, NULL, T0);
        assert_true(p.next_ms > T0 && p.next_ms <= T0 + 1);
    }
    assert_int_equal(p.attempts, 100);
}

int main(void)
{
    static struct CMUnitTest tests[N_SCENARIOS + 5];
    int n = 0;

    for (int i = 0; i < N_SCENARIOS; i++) {
        tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(run_scenario, (void *)&scenarios[i]);
        tests[n++].name = scenarios[i].name;
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_names);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_policy_default);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_init);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_long_cancel_key);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_backoff_odd_policy);
    return _cmocka_run_group_tests("payment", tests, (size_t)n, NULL, NULL);
}
