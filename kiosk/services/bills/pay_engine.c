/* The payment engine (services/bills/pay_engine.h): one worker thread, its own
 * database connection and hub client, and a table of slots shared with the
 * UI thread.
 *
 * A slot is one unfinished payment (or a begin the worker has not taken
 * yet). Under the mutex the UI thread sees only what it needs: the bills
 * (so a second payment of a bill is refused at once), the begin arguments
 * until the worker takes them, and the cancel / detach requests. The
 * payment_t itself belongs to the worker alone. The UI thread therefore
 * never waits for the network or the database: it holds the mutex only to
 * copy a few fields.
 *
 * Order of work for a payment, each step persisted before the request it
 * leads to: insert (before the create: a failed insert means nothing is
 * ever sent) -> [pay_due; save if it changed] -> send -> pay_on_answer ->
 * save -> notify. A crash between any two steps leaves a row that the next
 * start resumes (pay_resume) and resolves by asking the hub. */
#include "services/bills/pay_engine.h"

#include "core/log.h"
#include "net/hub_api.h"
#include "services/bills/pay_store.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/clock.h"
#include "core/worker.h"

#define MOD "pay"
/* Unfinished payments followed at once; more are refused by begin (and
 * left for the next start when loaded). */
#define ENGINE_SLOTS 32
/* Longest wait of the worker between two looks at its payments, so a
 * change of the wall clock is noticed soon. */
#define MAX_WAIT_MS 1000
/* A payment code: up to 24 digits (docs/api.md); room for a longer wrong one
 * so the hub, not the kiosk, says it is wrong. */
#define AUTH_MAX 48
#define KIOSK_ID_MAX 8
/* While the hub has not answered and no payment is asking it anything, its
 * health is checked this often, so a hub that comes back is noticed. */
#define HEALTH_RETRY_MS 5000

enum { CMD_CANCEL = 1, CMD_DETACH = 2 };

typedef struct {
    /* Shared with the UI thread, under the mutex. */
    bool used;                      /* an unfinished payment, or a begin not taken yet */
    bool begin_pending;             /* the begin arguments below wait for the worker */
    int cmds;                       /* CMD_* requested since the worker last looked */
    char no[HUB_TRADE_NO_MAX + 1];
    int n_bills;
    long long bills[HUB_MAX_ORDER_BILLS];
    pay_method_t method;
    long long amount_fen;
    char create_key[48];
    char auth[AUTH_MAX];            /* wiped when the worker takes it */
    char *receipt;                  /* malloc'd; freed when the worker takes it */

    /* The worker's alone. */
    bool live;                      /* P is being driven */
    bool resumed;
    payment_t p;
    char code[AUTH_MAX];            /* the payment code, until the create is answered */
} slot_t;

struct pay_engine {
    pay_policy_t pol;
    pay_notify_fn notify;
    void *ctx;
    char kiosk_id[KIOSK_ID_MAX + 1];
    store_t *store;
    hub_client_t *hub;

    worker_t *w;                    /* its lock is the "mu" of the fields below; its stop
                                     * flag is also the hub client's abort flag */
    int reachable;                  /* under mu: -1 unknown, 0 no, 1 yes */
    int64_t health_due;             /* the worker's: monotonic ms of the next health check */
    bool backlog;                   /* under mu: the database may hold unfinished payments
                                     * that did not fit in the slots; no new payment is
                                     * begun until every one of them is followed */

    slot_t slots[ENGINE_SLOTS];
};

static bool stopping(const pay_engine_t *e)
{
    return worker_stopping(e->w);
}

static void copy(char *dst, size_t size, const char *src)
{
    if (size) snprintf(dst, size, "%s", src ? src : "");
}

/* ---- notifications ------------------------------------------------------ */

static void notify(pay_engine_t *e, const slot_t *s, int64_t now)
{
    const payment_t *p = &s->p;
    pay_event_t ev;

    if (!e->notify) return;
    memset(&ev, 0, sizeof ev);
    copy(ev.out_trade_no, sizeof ev.out_trade_no, p->out_trade_no);
    ev.method = p->method;
    ev.state = p->state;
    ev.unknown = p->unknown;
    ev.amount_fen = p->amount_fen;
    copy(ev.code_url, sizeof ev.code_url, p->code_url);
    ev.left_ms = -1;
    if ((p->state == PAY_WAITING || p->state == PAY_USERPAYING) && p->deadline_ms > 0)
        ev.left_ms = p->deadline_ms > now ? p->deadline_ms - now : 0;
    copy(ev.reason, sizeof ev.reason, p->reason);
    copy(ev.transaction_id, sizeof ev.transaction_id, p->transaction_id);
    ev.resumed = s->resumed;
    e->notify(e->ctx, &ev);
}

/* ---- slots ---------------------------------------------------------------- */

static void wipe_code(slot_t *s)
{
    sodium_memzero(s->code, sizeof s->code);
}

/* The payment in S is final: the slot (and its bills) are free again. S->p
 * stays readable by the worker until it takes a new begin into S. */
static void release(pay_engine_t *e, slot_t *s)
{
    wipe_code(s);
    worker_lock(e->w);
    s->live = false;
    s->used = false;
    s->cmds = 0;
    s->n_bills = 0;
    worker_unlock(e->w);
}

static void save(pay_engine_t *e, const payment_t *p, int64_t now)
{
    /* A failed save after the insert is logged and the payment carries on:
     * its row (number, keys, bills) is there, so a restart still resolves
     * it by asking the hub; the cancel key is derived, never random. */
    if (store_pay_save(e->store, p, now) != 0)
        log_error(MOD, "payment %s: cannot save its %s state; carrying on",
                  p->out_trade_no, pay_state_name(p->state));
}

static void log_state(const payment_t *p)
{
    if (pay_is_final(p->state))
        log_info(MOD, "payment %s: %s%s%s", p->out_trade_no, pay_state_name(p->state),
                 p->reason[0] ? ": " : "", p->reason);
    else
        log_info(MOD, "payment %s: %s%s", p->out_trade_no, pay_state_name(p->state),
                 p->unknown ? " (outcome unknown)" : "");
}

/* ---- the worker's steps ------------------------------------------------- */

/* The begin in slot S, taken from the UI thread (ARGS holds its copy). */
static void start_payment(pay_engine_t *e, slot_t *s, const slot_t *args)
{
    int64_t now = clock_wall_ms();
    payment_t *p = &s->p;

    pay_init(p, args->no, args->method, args->bills, args->n_bills, args->amount_fen,
             args->create_key, now);
    memcpy(s->code, args->auth, sizeof s->code);
    s->live = true;
    s->resumed = false;
    if (store_pay_insert(e->store, p, args->receipt, now) != 0) {
        /* Not stored, so never sent: a create the kiosk could lose track of
         * is worse than no payment. */
        p->state = PAY_FAILED;
        p->next = PAY_ACT_NONE;
        p->next_ms = 0;
        copy(p->reason, sizeof p->reason, "storage");
    }
    log_info(MOD, "payment %s (%s, %d bills, %lld fen): %s", p->out_trade_no,
             p->method == PAY_QR ? "qr" : "code", p->n_bills, p->amount_fen,
             pay_state_name(p->state));
    if (pay_is_final(p->state)) release(e, s);
    notify(e, s, now);
}

static void apply_cmds(pay_engine_t *e, slot_t *s, int cmds)
{
    int64_t now = clock_wall_ms();
    payment_t before;

    memcpy(&before, &s->p, sizeof before);      /* bytes, for the memcmp below */
    if (cmds & CMD_CANCEL) pay_cancel(&s->p, "cancelled", now);
    else if ((cmds & CMD_DETACH) && s->p.method == PAY_QR) pay_cancel(&s->p, "session_ended", now);
    if (memcmp(&before, &s->p, sizeof before) != 0) {
        log_info(MOD, "payment %s: %s requested", s->p.out_trade_no,
                 cmds & CMD_CANCEL ? "cancel" : "detach");
        save(e, &s->p, now);
        if (before.state != s->p.state) notify(e, s, now);
    }
}

/* Takes the UI thread's begins and requests, then acts on them. */
static void take_commands(pay_engine_t *e)
{
    slot_t args;
    int cmds[ENGINE_SLOTS];
    bool begin[ENGINE_SLOTS];

    for (int i = 0; i < ENGINE_SLOTS; i++) {
        slot_t *s = &e->slots[i];
        begin[i] = false;
        worker_lock(e->w);
        cmds[i] = s->used ? s->cmds : 0;
        s->cmds = 0;
        if (s->used && s->begin_pending) {
            begin[i] = true;
            args = *s;
            s->begin_pending = false;
            s->receipt = NULL;
            sodium_memzero(s->auth, sizeof s->auth);
        }
        worker_unlock(e->w);
        if (begin[i]) {
            start_payment(e, s, &args);
            free(args.receipt);
            sodium_memzero(args.auth, sizeof args.auth);
        }
        if (cmds[i] && s->live) apply_cmds(e, s, cmds[i]);
    }
}

static void set_reachable(pay_engine_t *e, const hub_status_t *st)
{
    if (strcmp(st->code, "aborted") == 0) return;       /* we stopped it: says nothing */
    worker_lock(e->w);
    e->reachable = st->http != 0;
    worker_unlock(e->w);
}

static void send(pay_engine_t *e, slot_t *s, pay_action_t act, hub_status_t *st, hub_order_t *o)
{
    const payment_t *p = &s->p;
    const char *method = p->method == PAY_QR ? "qr" : "code";

    switch (act) {
    case PAY_ACT_CREATE:
        hub_pay_create(e->hub, p->create_key, p->out_trade_no, p->bill_ids, p->n_bills, method,
                       p->method == PAY_CODE ? s->code : NULL, o, st);
        break;
    case PAY_ACT_QUERY:
        hub_pay_query(e->hub, p->out_trade_no, o, st);
        break;
    case PAY_ACT_CLOSE:
        hub_pay_close(e->hub, p->cancel_key, p->out_trade_no, o, st);
        break;
    case PAY_ACT_REVERSE:
        hub_pay_reverse(e->hub, p->cancel_key, p->out_trade_no, o, st);
        break;
    default:
        memset(st, 0, sizeof *st);
        st->result = HUB_UNKNOWN;
        break;
    }
}

/* One step of the payment in S if one is due: the request, the answer,
 * persisted and reported. */
static void step(pay_engine_t *e, slot_t *s)
{
    payment_t *p = &s->p;
    payment_t before;
    int64_t now = clock_wall_ms();
    hub_status_t st;
    hub_order_t order;

    memcpy(&before, p, sizeof before);          /* bytes, for the memcmp below */
    /* A payment code that is gone (wiped) cannot be sent again. */
    if (p->method == PAY_CODE && p->state == PAY_CREATING && !s->code[0]) p->can_create = false;
    pay_action_t act = pay_due(p, &e->pol, now);
    if (memcmp(&before, p, sizeof before) != 0) {
        save(e, p, now);
        if (before.state != p->state) {
            log_state(p);
            notify(e, s, now);
        }
    }
    if (act == PAY_ACT_NONE || stopping(e)) return;

    send(e, s, act, &st, &order);
    set_reachable(e, &st);
    now = clock_wall_ms();
    memcpy(&before, p, sizeof before);
    pay_on_answer(p, &e->pol, act, &st, &order, now);
    if (p->unknown && p->next != PAY_ACT_NONE && p->next_ms > now) {
        /* Jitter (up to +20 %) so kiosks that lost the hub together do not
         * come back in step. */
        int64_t wait = p->next_ms - now;
        if (wait < 5 * 1000 * 1000) p->next_ms += randombytes_uniform((uint32_t)(wait / 5) + 1);
    }
    /* The payment code lives only until the create has a definite answer. */
    if (p->method == PAY_CODE && s->code[0] &&
        (p->state != PAY_CREATING || (act == PAY_ACT_CREATE && st.result != HUB_UNKNOWN))) {
        wipe_code(s);
        if (p->state == PAY_CREATING) p->can_create = false;
    }
    if (st.result != HUB_OK || p->state != before.state)
        log_info(MOD, "payment %s: %s -> %s%s%s", p->out_trade_no, pay_action_name(act),
                 st.result == HUB_OK ? "ok" : st.result == HUB_REFUSED ? "refused " : "no answer ",
                 st.result == HUB_OK ? "" : st.code,
                 p->state != before.state ? "" : " (unchanged)");
    if (p->state != before.state) log_state(p);
    save(e, p, now);
    /* Released first: when the screen learns the end, the bills are free. */
    if (pay_is_final(p->state)) release(e, s);
    notify(e, s, now);
}

static bool any_live(const pay_engine_t *e)
{
    for (int i = 0; i < ENGINE_SLOTS; i++)
        if (e->slots[i].live) return true;
    return false;
}

/* The hub's health while nothing else tells whether it answers. */
static void check_health(pay_engine_t *e)
{
    hub_status_t st;
    bool known;

    worker_lock(e->w);
    known = e->reachable == 1;
    worker_unlock(e->w);
    if (known || any_live(e) || clock_real_mono_ms() < e->health_due) return;
    hub_health(e->hub, &st);
    set_reachable(e, &st);
    e->health_due = clock_real_mono_ms() + HEALTH_RETRY_MS;
}

/* Milliseconds until the earliest thing due (a request or a deadline). */
static int64_t next_wait(pay_engine_t *e)
{
    int64_t now = clock_wall_ms(), wait = MAX_WAIT_MS;
    for (int i = 0; i < ENGINE_SLOTS; i++) {
        const payment_t *p = &e->slots[i].p;
        if (!e->slots[i].live) continue;
        if (p->next != PAY_ACT_NONE && p->next_ms - now < wait) wait = p->next_ms - now;
        if ((p->state == PAY_WAITING || p->state == PAY_USERPAYING) && p->deadline_ms > 0 &&
            p->deadline_ms - now < wait)
            wait = p->deadline_ms - now;
    }
    return wait > 0 ? wait : 0;
}

/* Unfinished payments left in the database when the slots were full (a
 * long outage): as slots free up, they are taken in and resumed. */
static void take_backlog(pay_engine_t *e)
{
    worker_lock(e->w);
    bool backlog = e->backlog;
    int free_slots = 0;
    for (int i = 0; i < ENGINE_SLOTS; i++) free_slots += !e->slots[i].used;
    worker_unlock(e->w);
    if (!backlog || free_slots == 0) return;

    payment_t *rows = calloc(ENGINE_SLOTS * 2, sizeof *rows);
    if (!rows) return;
    int n = store_pay_load_unfinished(e->store, rows, ENGINE_SLOTS * 2);
    int64_t now = clock_wall_ms();
    int left = 0;
    for (int r = 0; r < n; r++) {
        bool have = false;
        int slot = -1;
        worker_lock(e->w);
        for (int i = 0; i < ENGINE_SLOTS; i++) {
            if (e->slots[i].used && !strcmp(e->slots[i].no, rows[r].out_trade_no)) have = true;
            if (!e->slots[i].used && slot < 0) slot = i;
        }
        if (!have && slot >= 0) {
            slot_t *sl = &e->slots[slot];
            sl->used = sl->live = sl->resumed = true;
            sl->begin_pending = false;
            sl->cmds = 0;
            copy(sl->no, sizeof sl->no, rows[r].out_trade_no);
            sl->n_bills = rows[r].n_bills;
            memcpy(sl->bills, rows[r].bill_ids, sizeof sl->bills);
        }
        worker_unlock(e->w);
        if (have) continue;
        if (slot < 0) {
            left++;
            continue;
        }
        slot_t *sl = &e->slots[slot];
        sl->p = rows[r];
        pay_resume(&sl->p, now);
        save(e, &sl->p, now);
        log_info(MOD, "payment %s taken from the backlog: %s", sl->p.out_trade_no,
                 pay_state_name(sl->p.state));
        notify(e, sl, now);
    }
    free(rows);
    if (n >= 0 && left == 0 && n < ENGINE_SLOTS * 2) {
        worker_lock(e->w);
        e->backlog = false;
        worker_unlock(e->w);
        log_info(MOD, "every unfinished payment is followed again");
    }
}

static void run(worker_t *w, void *arg)
{
    pay_engine_t *e = arg;
    int64_t now = clock_wall_ms();

    for (int i = 0; i < ENGINE_SLOTS; i++)
        if (e->slots[i].live) notify(e, &e->slots[i], now);

    while (!stopping(e)) {
        take_commands(e);
        /* While no payment asks the hub anything, a health check tells
         * whether it answers. */
        check_health(e);
        for (int i = 0; i < ENGINE_SLOTS && !stopping(e); i++) {
            if (!e->slots[i].live) continue;
            step(e, &e->slots[i]);
            /* A cancel pressed while a request was out is acted on before
             * the next payment's request. */
            take_commands(e);
        }
        take_backlog(e);
        worker_wait(w, next_wait(e));
    }
}

/* ---- the UI thread's side ------------------------------------------------ */

/* Stops and joins the worker (if it runs), then frees what it used. */
static void engine_free(pay_engine_t *e)
{
    worker_stop(e->w);
    for (int i = 0; i < ENGINE_SLOTS; i++) {
        slot_t *s = &e->slots[i];
        free(s->receipt);
        sodium_memzero(s->auth, sizeof s->auth);
        wipe_code(s);
    }
    hub_client_free(e->hub);
    store_close(e->store);
    free(e);
}

/* [A-Za-z0-9] of the kiosk id, at most 8, "K" if none. */
static void sanitize_id(const char *id, char *out)
{
    int n = 0;
    for (; id && *id && n < KIOSK_ID_MAX; id++)
        if ((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z') || (*id >= '0' && *id <= '9'))
            out[n++] = *id;
    if (n == 0) out[n++] = 'K';
    out[n] = '\0';
}

pay_engine_t *pay_engine_start(const config_t *cfg, const pay_policy_t *pol,
                               pay_notify_fn notify_fn, void *ctx, char *err, size_t errlen)
{
    pay_engine_t *e = NULL;
    payment_t *loaded = NULL;
    char why[512];
    int n;

    if (err && errlen) err[0] = '\0';
    if (!cfg || !pol) {
        if (err) snprintf(err, errlen, "no configuration");
        return NULL;
    }
    if (sodium_init() < 0) {
        if (err) snprintf(err, errlen, "libsodium cannot start");
        return NULL;
    }
    e = calloc(1, sizeof *e);
    loaded = calloc(ENGINE_SLOTS, sizeof *loaded);
    if (e) e->w = worker_new("pay_engine");
    if (!e || !e->w || !loaded) {
        if (err) snprintf(err, errlen, "out of memory");
        if (e) worker_stop(e->w);
        free(e);
        free(loaded);
        return NULL;
    }
    e->pol = *pol;
    e->notify = notify_fn;
    e->ctx = ctx;
    e->reachable = -1;
    sanitize_id(cfg->kiosk_id, e->kiosk_id);

    if (store_open(cfg->var_dir, &e->store, why, sizeof why) != 0) {
        if (err) snprintf(err, errlen, "payments database: %s", why);
        goto fail;
    }
    store_pay_durable(e->store);        /* logged on failure; NORMAL still survives a crash */
    e->hub = hub_client_new(cfg->hub_url, cfg->device_token,
                            (cfg->hub_timeout_s > 0 ? cfg->hub_timeout_s : 10) * 1000,
                            worker_abort_flag(e->w));
    if (!e->hub) {
        if (err) snprintf(err, errlen, "hub client: out of memory");
        goto fail;
    }

    n = store_pay_load_unfinished(e->store, loaded, ENGINE_SLOTS);
    e->backlog = n == ENGINE_SLOTS;     /* maybe more than fit */
    /* Final payments are kept 90 days (for staff questions), then dropped. */
    if (store_pay_prune(e->store, clock_wall_ms() - 90LL * 86400 * 1000) < 0)
        log_warn(MOD, "cannot prune old payments");
    if (n < 0) {
        if (err) snprintf(err, errlen, "payments database: cannot read the unfinished payments");
        goto fail;
    }
    int64_t now = clock_wall_ms();
    for (int i = 0; i < n; i++) {
        slot_t *s = &e->slots[i];
        s->p = loaded[i];
        pay_resume(&s->p, now);
        if (store_pay_save(e->store, &s->p, now) != 0)
            log_error(MOD, "payment %s: cannot save its resumed state", s->p.out_trade_no);
        s->used = s->live = s->resumed = true;
        copy(s->no, sizeof s->no, s->p.out_trade_no);
        s->n_bills = s->p.n_bills;
        memcpy(s->bills, s->p.bill_ids, sizeof s->bills);
        log_info(MOD, "payment %s resumed: %s, next %s", s->p.out_trade_no,
                 pay_state_name(s->p.state), pay_action_name(s->p.next));
    }
    free(loaded);
    loaded = NULL;

    if (worker_start(e->w, run, e) != 0) {
        if (err) snprintf(err, errlen, "cannot start the payment thread: %s", SDL_GetError());
        goto fail;
    }
    return e;

fail:
    free(loaded);
    engine_free(e);
    return NULL;
}

/* Index of a used slot holding one of BILLS, or -1. Under the mutex. */
static int bill_taken(const pay_engine_t *e, const long long *bills, int n, long long *which)
{
    for (int i = 0; i < ENGINE_SLOTS; i++) {
        const slot_t *s = &e->slots[i];
        if (!s->used) continue;
        for (int j = 0; j < s->n_bills; j++)
            for (int k = 0; k < n; k++)
                if (s->bills[j] == bills[k]) {
                    *which = bills[k];
                    return i;
                }
    }
    return -1;
}

int pay_engine_begin(pay_engine_t *e, pay_method_t method, const long long *bill_ids,
                     int n_bills, long long amount_fen, const char *auth_code,
                     const char *receipt_json, char *out_no, size_t out_no_len)
{
    char no[64], date[16], rnd[24], key[48], other[HUB_TRADE_NO_MAX + 1] = "";
    char *receipt = NULL;
    long long bill = 0;
    struct tm tm;
    time_t t = (time_t)(clock_wall_ms() / 1000);
    int free_slot = -1, taken;

    if (out_no && out_no_len) out_no[0] = '\0';
    if (!e || !bill_ids || n_bills < 1 || n_bills > HUB_MAX_ORDER_BILLS || !out_no ||
        (method != PAY_QR && method != PAY_CODE) ||
        (method == PAY_CODE && (!auth_code || !auth_code[0] || strlen(auth_code) >= AUTH_MAX))) {
        log_error(MOD, "begin: invalid arguments");
        return -1;
    }
    if (!clock_cst(t, &tm) || strftime(date, sizeof date, "%Y%m%d", &tm) != 8) {
        log_error(MOD, "begin: cannot format today's date");
        return -1;
    }
    hub_new_key("", rnd, sizeof rnd);
    snprintf(no, sizeof no, "%s-%s-%.10s", e->kiosk_id, date, rnd);
    if (strlen(no) > HUB_TRADE_NO_MAX || strlen(no) + 1 > out_no_len) {
        log_error(MOD, "begin: no room for the order number");
        return -1;
    }
    hub_new_key("pay-", key, sizeof key);
    if (receipt_json && !(receipt = strdup(receipt_json))) {
        log_error(MOD, "begin: out of memory");
        return -1;
    }

    worker_lock(e->w);
    if (e->backlog) {
        worker_unlock(e->w);
        free(receipt);
        log_warn(MOD, "begin: older unfinished payments are still waiting to be resolved");
        return -1;
    }
    taken = bill_taken(e, bill_ids, n_bills, &bill);
    if (taken >= 0) copy(other, sizeof other, e->slots[taken].no);
    for (int i = 0; i < ENGINE_SLOTS && free_slot < 0; i++)
        if (!e->slots[i].used) free_slot = i;
    if (taken < 0 && free_slot >= 0) {
        slot_t *s = &e->slots[free_slot];
        s->used = true;
        s->begin_pending = true;
        s->cmds = 0;
        copy(s->no, sizeof s->no, no);
        s->n_bills = n_bills;
        memcpy(s->bills, bill_ids, (size_t)n_bills * sizeof *bill_ids);
        s->method = method;
        s->amount_fen = amount_fen;
        copy(s->create_key, sizeof s->create_key, key);
        copy(s->auth, sizeof s->auth, method == PAY_CODE ? auth_code : "");
        s->receipt = receipt;
        receipt = NULL;
    }
    worker_unlock(e->w);
    free(receipt);
    if (taken < 0 && free_slot >= 0) worker_wake(e->w);

    if (taken >= 0) {
        log_warn(MOD, "begin: bill %lld is in unfinished payment %s", bill, other);
        return -1;
    }
    if (free_slot < 0) {
        log_error(MOD, "begin: %d payments unfinished already", ENGINE_SLOTS);
        return -1;
    }
    snprintf(out_no, out_no_len, "%s", no);
    return 0;
}

static void request(pay_engine_t *e, const char *no, int cmd)
{
    bool found = false;
    if (!e || !no) return;
    worker_lock(e->w);
    for (int i = 0; i < ENGINE_SLOTS && !found; i++) {
        slot_t *s = &e->slots[i];
        if (s->used && strcmp(s->no, no) == 0) {
            s->cmds |= cmd;
            found = true;
        }
    }
    worker_unlock(e->w);
    if (found) worker_wake(e->w);
}

void pay_engine_cancel(pay_engine_t *e, const char *out_trade_no)
{
    request(e, out_trade_no, CMD_CANCEL);
}

void pay_engine_detach(pay_engine_t *e, const char *out_trade_no)
{
    request(e, out_trade_no, CMD_DETACH);
}

int pay_engine_unfinished(pay_engine_t *e)
{
    int n = 0;
    if (!e) return 0;
    worker_lock(e->w);
    for (int i = 0; i < ENGINE_SLOTS; i++) n += e->slots[i].used;
    worker_unlock(e->w);
    return n;
}

bool pay_engine_hub_reachable(pay_engine_t *e)
{
    bool yes;
    if (!e) return false;
    worker_lock(e->w);
    yes = e->reachable == 1;
    worker_unlock(e->w);
    return yes;
}

void pay_engine_stop(pay_engine_t *e)
{
    if (!e) return;
    engine_free(e);
}
