/* The payment state machine (services/bills/payment.h). Pure: every decision is a
 * function of the struct, the policy, the answer and the time passed in.
 *
 * Rules kept everywhere below:
 *  - only a definite answer about the order (an order object, or a refusal
 *    that proves nothing was created) moves a payment to a final state;
 *  - a refusal of a request about an order the hub already told us about is
 *    a hub fault, retried like no answer: never a reason to pay again;
 *  - the only create ever sent is this payment's own, with its own key. */
#include "services/bills/payment.h"

#include <stdio.h>
#include <string.h>

#include "backoff.h"

static const char *const state_names[PAY_STATE_COUNT] = {
    [PAY_CREATING] = "creating",
    [PAY_WAITING] = "waiting",
    [PAY_USERPAYING] = "userpaying",
    [PAY_CANCELLING] = "cancelling",
    [PAY_PAID] = "paid",
    [PAY_CANCELLED] = "cancelled",
    [PAY_FAILED] = "failed",
};

static const char *const action_names[] = {
    [PAY_ACT_NONE] = "none",
    [PAY_ACT_CREATE] = "create",
    [PAY_ACT_QUERY] = "query",
    [PAY_ACT_CLOSE] = "close",
    [PAY_ACT_REVERSE] = "reverse",
};

#define ACTION_COUNT ((int)(sizeof action_names / sizeof action_names[0]))

const char *pay_state_name(pay_state_t s)
{
    return (unsigned)s < PAY_STATE_COUNT ? state_names[s] : "?";
}

int pay_state_parse(const char *name)
{
    for (int i = 0; name && i < PAY_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0) return i;
    return -1;
}

const char *pay_action_name(pay_action_t a)
{
    return (unsigned)a < (unsigned)ACTION_COUNT ? action_names[a] : "?";
}

bool pay_is_final(pay_state_t s)
{
    return s == PAY_PAID || s == PAY_CANCELLED || s == PAY_FAILED;
}

void pay_policy_default(pay_policy_t *pol)
{
    pol->poll_ms = 2000;
    pol->qr_window_s = 180;
    pol->code_window_s = 60;
    pol->retry_min_ms = 1000;
    pol->retry_max_ms = 30000;
    pol->not_created_grace_s = 120;
}

/* Copies SRC (NULL = "") into DST of SIZE bytes, cut to fit, terminated. */
static void copy(char *dst, size_t size, const char *src)
{
    if (size == 0) return;
    snprintf(dst, size, "%s", src ? src : "");
}

void pay_init(payment_t *p, const char *out_trade_no, pay_method_t method,
              const long long *bill_ids, int n_bills, long long amount_fen,
              const char *create_key, int64_t now_ms)
{
    memset(p, 0, sizeof *p);
    copy(p->out_trade_no, sizeof p->out_trade_no, out_trade_no);
    p->method = method;
    p->state = PAY_CREATING;
    if (n_bills < 0) n_bills = 0;
    if (n_bills > HUB_MAX_ORDER_BILLS) n_bills = HUB_MAX_ORDER_BILLS;
    p->n_bills = n_bills;
    if (bill_ids && n_bills > 0) memcpy(p->bill_ids, bill_ids, (size_t)n_bills * sizeof *bill_ids);
    p->amount_fen = amount_fen;
    copy(p->create_key, sizeof p->create_key, create_key);
    p->can_create = true;
    p->created_ms = now_ms;
    p->next = PAY_ACT_CREATE;
    p->next_ms = now_ms;
}

/* ---- helpers ------------------------------------------------------------ */

static int64_t backoff_ms(const pay_policy_t *pol, int attempts)
{
    int64_t wait = pol->retry_min_ms > 0 ? pol->retry_min_ms : 1;
    int64_t cap = pol->retry_max_ms > wait ? pol->retry_max_ms : wait;
    return backoff_ceiling_ms(attempts, wait, cap);
}

/* No definite answer: the same question again after the capped backoff. */
static void retry_later(payment_t *p, const pay_policy_t *pol, int64_t now_ms)
{
    p->unknown = true;
    p->attempts++;
    p->next_ms = now_ms + backoff_ms(pol, p->attempts);
}

static void definite(payment_t *p)
{
    p->unknown = false;
    p->attempts = 0;
}

static void set_reason(payment_t *p, const char *reason)
{
    copy(p->reason, sizeof p->reason, reason);
}

static void finish(payment_t *p, pay_state_t state)
{
    p->state = state;
    p->next = PAY_ACT_NONE;
    p->next_ms = 0;
    p->deadline_ms = 0;
}

/* The close/reverse key: the create key with ":c", so it survives a restart
 * without being stored separately (it is stored anyway) and never changes
 * between the retries of one cancel. */
static void make_cancel_key(payment_t *p)
{
    const char *base = p->create_key[0] ? p->create_key : p->out_trade_no;
    int keep = (int)strlen(base);
    int room = (int)sizeof p->cancel_key - 3;       /* ":c" and the NUL */

    if (keep > room) keep = room;
    snprintf(p->cancel_key, sizeof p->cancel_key, "%.*s:c", keep, base);
}

/* Starts giving up an open order: close (qr) / reverse (code), due now.
 * REASON only fills an empty reason (the first cause is the one kept). */
static void begin_cancel(payment_t *p, const char *reason, int64_t now_ms)
{
    if (!p->reason[0]) set_reason(p, reason);
    if (!p->cancel_key[0]) make_cancel_key(p);
    p->state = PAY_CANCELLING;
    p->next = p->method == PAY_QR ? PAY_ACT_CLOSE : PAY_ACT_REVERSE;
    p->next_ms = now_ms;
}

static bool order_open(hub_order_state_t s)
{
    return s == ORDER_NOTPAY || s == ORDER_USERPAYING;
}

/* The order reached a final state at the hub: the payment follows.
 * CLOSED_REASON is the reason for CLOSED when none is set yet. */
static void settle_final(payment_t *p, const hub_order_t *o, const char *closed_reason)
{
    switch (o->state) {
    case ORDER_SUCCESS:
        copy(p->transaction_id, sizeof p->transaction_id, o->transaction_id);
        p->reason[0] = '\0';        /* a cancel that came too late is no reason */
        finish(p, PAY_PAID);
        break;
    case ORDER_CLOSED:
        if (!p->reason[0]) set_reason(p, closed_reason);
        finish(p, PAY_CANCELLED);
        break;
    case ORDER_REVOKED:             /* only the kiosk reverses */
        if (!p->reason[0]) set_reason(p, "cancelled");
        copy(p->transaction_id, sizeof p->transaction_id, o->transaction_id);
        finish(p, PAY_CANCELLED);
        break;
    case ORDER_PAYERROR:
        set_reason(p, o->error[0] ? o->error : "payerror");
        finish(p, PAY_FAILED);
        break;
    default:
        break;
    }
}

/* CREATING learnt its order (from the create or a query). */
static void on_order_created(payment_t *p, const pay_policy_t *pol, const hub_order_t *o,
                             int64_t now_ms)
{
    if (!order_open(o->state)) {
        settle_final(p, o, "expired");
        return;
    }
    if (p->method == PAY_QR) {
        int64_t window = p->created_ms + (int64_t)pol->qr_window_s * 1000;
        copy(p->code_url, sizeof p->code_url, o->code_url);
        p->expires_ms = o->expires > 0 ? (int64_t)o->expires * 1000 : 0;
        p->deadline_ms = p->expires_ms > 0 && p->expires_ms < window ? p->expires_ms : window;
        p->state = PAY_WAITING;
    } else {
        p->deadline_ms = p->created_ms + (int64_t)pol->code_window_s * 1000;
        p->state = PAY_USERPAYING;
    }
    p->next = PAY_ACT_QUERY;
    p->next_ms = now_ms + pol->poll_ms;
    if (p->cancel_requested) begin_cancel(p, "cancelled", now_ms);
}

/* The hub has no payment provider (docs/api.md: 503 payment_unavailable,
 * "nothing changes"): an answer to a create that says for certain nothing
 * was made, though it comes as a 5xx. Only a create's first try reads it
 * so; to anything else it says nothing about the order (a hub that lost
 * its provider since may hold a paid one): asked again. */
static bool no_provider(const hub_status_t *st)
{
    return st->http == 503 && strcmp(st->code, "payment_unavailable") == 0;
}

/* The provider refused to create the order (docs/api.md: 422
 * provider_refused): the hub asked it, it said no for certain, and the hub
 * kept nothing. Read so only for a create's first try, like every refusal
 * of a create (pay_on_answer): a retry's 422 would be safe for a QR (a QR
 * the kiosk never received cannot have been scanned) but not for a code
 * (the first try may have charged it), and one rule for both is simpler
 * to trust; a retry asks, and the not-created grace ends it. */
static bool provider_refused(const hub_status_t *st)
{
    return st->http == 422 && strcmp(st->code, "provider_refused") == 0;
}

/* The refusal of a create: nothing was created (docs/api.md: a failed
 * request leaves nothing behind). */
static void create_refused(payment_t *p, const hub_status_t *st, int64_t now_ms)
{
    char reason[sizeof p->reason];

    if (strcmp(st->code, "idempotency_key_reused") == 0) {
        /* The key went with another body: whatever it created is found by
         * asking, never by creating again. */
        p->next = PAY_ACT_QUERY;
        p->next_ms = now_ms;
        p->unknown = true;
        return;
    }
    if (strcmp(st->code, "bill_paid") == 0 || strcmp(st->code, "bill_in_order") == 0 ||
        no_provider(st) || provider_refused(st))
        copy(reason, sizeof reason, st->code);
    else if (st->code[0])
        snprintf(reason, sizeof reason, "refused:%.38s", st->code);
    else
        snprintf(reason, sizeof reason, "refused:http%d", st->http);
    set_reason(p, reason);
    finish(p, PAY_FAILED);
}

static bool is_unknown_order(const hub_status_t *st)
{
    return strcmp(st->code, "unknown_order") == 0;
}

/* ---- transitions -------------------------------------------------------- */

void pay_on_answer(payment_t *p, const pay_policy_t *pol, pay_action_t sent,
                   const hub_status_t *st, const hub_order_t *order, int64_t now_ms)
{
    bool grace_over = now_ms >= p->created_ms + (int64_t)pol->not_created_grace_s * 1000;

    if (pay_is_final(p->state)) return;
    if (st->result == HUB_OK &&
        (!order || strcmp(order->out_trade_no, p->out_trade_no) != 0)) {
        retry_later(p, pol, now_ms);        /* not an answer about this order */
        return;
    }
    if (st->result == HUB_UNKNOWN &&
        !(p->state == PAY_CREATING && sent == PAY_ACT_CREATE && no_provider(st))) {
        retry_later(p, pol, now_ms);
        return;
    }

    switch (p->state) {
    case PAY_CREATING:
        if (st->result == HUB_OK) {
            definite(p);
            p->amount_fen = order->amount_fen;
            on_order_created(p, pol, order, now_ms);
        } else if (sent == PAY_ACT_CREATE && (p->unknown || p->attempts > 0)) {
            /* An earlier try of this create got no answer, so it may have
             * landed (and charged): a refusal of the retry (a revoked token,
             * a proxy's error page, a bill now "paid" by that very order)
             * proves nothing. Find out by asking; the not-created grace
             * decides if the hub never heard of it. */
            p->unknown = true;
            p->attempts = 0;
            p->next = PAY_ACT_QUERY;
            p->next_ms = now_ms + pol->poll_ms;
        } else if (sent == PAY_ACT_CREATE) {
            definite(p);
            create_refused(p, st, now_ms);
        } else if (is_unknown_order(st)) {
            /* Not (yet) created: a slow create may still land. */
            if (grace_over) {
                definite(p);
                set_reason(p, "not_created");
                finish(p, PAY_FAILED);
            } else {
                p->unknown = true;
                p->attempts = 0;
                p->next = PAY_ACT_QUERY;
                p->next_ms = now_ms + pol->poll_ms;
            }
        } else {
            retry_later(p, pol, now_ms);
        }
        break;

    case PAY_WAITING:
    case PAY_USERPAYING:
        if (st->result != HUB_OK) {
            retry_later(p, pol, now_ms);
            break;
        }
        definite(p);
        p->amount_fen = order->amount_fen;
        if (order_open(order->state)) {
            p->next = PAY_ACT_QUERY;
            p->next_ms = now_ms + pol->poll_ms;
        } else {
            settle_final(p, order, p->cancel_requested ? "cancelled" : "expired");
        }
        break;

    case PAY_CANCELLING:
        if (st->result == HUB_OK) {
            p->amount_fen = order->amount_fen;
            if (order_open(order->state)) {
                /* A close that left the order open (or a query that raced
                 * the cancel): close again, same key. */
                p->next = p->method == PAY_QR ? PAY_ACT_CLOSE : PAY_ACT_REVERSE;
                retry_later(p, pol, now_ms);
            } else {
                definite(p);
                settle_final(p, order, "cancelled");
            }
        } else if (strcmp(st->code, "order_paid") == 0) {
            /* The resident paid in the meantime: the bills are paid. */
            definite(p);
            p->reason[0] = '\0';
            finish(p, PAY_PAID);
        } else {
            /* The order was known to exist when cancelling began: even an
             * "unknown_order" (a re-enrolled device, a restored hub) is no
             * proof that nothing was charged. Keep asking; staff see it in
             * the menu's count of payments being resolved. */
            retry_later(p, pol, now_ms);
        }
        break;

    default:
        break;
    }
}

pay_action_t pay_due(payment_t *p, const pay_policy_t *pol, int64_t now_ms)
{
    (void)pol;
    if (pay_is_final(p->state)) return PAY_ACT_NONE;
    if ((p->state == PAY_WAITING || p->state == PAY_USERPAYING) &&
        p->deadline_ms > 0 && now_ms >= p->deadline_ms) {
        bool hub_expiry = p->method == PAY_QR && p->expires_ms > 0 &&
                          p->deadline_ms == p->expires_ms;
        begin_cancel(p, hub_expiry ? "expired" : "timeout", now_ms);
    }
    if (p->state == PAY_CREATING && !p->can_create && p->next == PAY_ACT_CREATE)
        p->next = PAY_ACT_QUERY;
    return now_ms >= p->next_ms ? p->next : PAY_ACT_NONE;
}

void pay_cancel(payment_t *p, const char *reason, int64_t now_ms)
{
    if (pay_is_final(p->state)) return;
    p->cancel_requested = true;
    if (!p->reason[0]) set_reason(p, reason ? reason : "cancelled");
    if (p->state == PAY_WAITING || p->state == PAY_USERPAYING)
        begin_cancel(p, reason, now_ms);
}

void pay_resume(payment_t *p, int64_t now_ms)
{
    if (pay_is_final(p->state)) return;
    if (p->method == PAY_CODE) {
        p->can_create = false;
        if (p->state == PAY_CREATING) p->next = PAY_ACT_QUERY;
    } else {
        p->cancel_requested = true;
        if (!p->reason[0]) set_reason(p, "restart");
        if (p->state == PAY_WAITING) begin_cancel(p, "restart", now_ms);
    }
    p->next_ms = now_ms;
}
