/* Housekeeping booking: the session's state, the worker that asks the hub,
 * and the glue the screens (hk*.c) call. See housekeeping.h. */
#include "services/housekeeping/housekeeping.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/receipt_items.h"
#include "core/clock.h"
#include "app/screens.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/money.h"
#include "core/worker.h"
#include "mask.h"

#define CST (8 * 3600)             /* the hub's dates are China time, all year */

/* ---- the worker --------------------------------------------------------------- */

typedef enum { HK_REQ_SERVICES, HK_REQ_SLOTS, HK_REQ_BOOK, HK_REQ_LOOKUP, HK_REQ_CANCEL } hk_req_kind_t;

typedef struct {
    hk_req_kind_t kind;
    unsigned gen;
    char service[32], date[11], code[HUB_HK_CODE_LEN + 1], key[40];
    long long slot_id;
    char name[96], phone[24];      /* personal: wiped after use */
    char id_number[RESCODE_MAX + 1];   /* the card's number, or a resident code standing for it; wiped */
} hk_req_t;

/* An answer (event.user.data1); masked data only. */
typedef struct {
    hk_req_kind_t kind;
    unsigned gen;
    hub_status_t st;
    hub_hk_services_t svc;
    hub_hk_slots_t slots;          /* SLOTS, or a BOOK's alternatives */
    hub_hk_booking_t booking;      /* BOOK, CANCEL */
    hub_hk_bookings_t mine;        /* LOOKUP */
} hk_result_t;

struct hk_worker {
    worker_t *w;
    bool pending;                  /* this and req: under the worker's lock */
    hk_req_t req;
    Uint32 ev_type;
    hub_hk_t *client;
};

static void hk_worker_run(worker_t *wk, void *arg)
{
    struct hk_worker *w = arg;
    while (!worker_stopping(wk)) {
        worker_lock(wk);
        if (!w->pending) {
            worker_unlock(wk);
            worker_wait(wk, -1);
            continue;
        }
        hk_req_t q = w->req;
        sodium_memzero(&w->req, sizeof w->req);
        w->pending = false;
        worker_unlock(wk);

        hk_result_t *r = calloc(1, sizeof *r);
        if (r) {
            r->kind = q.kind;
            r->gen = q.gen;
            switch (q.kind) {
            case HK_REQ_SERVICES: hub_hk_services(w->client, &r->svc, &r->st); break;
            case HK_REQ_SLOTS: hub_hk_slots(w->client, q.service, q.date, &r->slots, &r->st); break;
            case HK_REQ_BOOK:
                hub_hk_book(w->client, q.key, q.slot_id, q.service, q.name, q.phone, q.id_number,
                            &r->booking, &r->slots, &r->st);
                break;
            case HK_REQ_LOOKUP: hub_hk_lookup(w->client, q.key, q.phone, q.code, q.id_number, &r->mine, &r->st); break;
            case HK_REQ_CANCEL:
                hub_hk_cancel(w->client, q.key, q.code, q.phone, q.id_number, &r->booking, &r->st);
                break;
            }
            worker_post(w->ev_type, 0, r, hk_event_free);
        }
        sodium_memzero(&q, sizeof q);
    }
}

static struct hk_worker *hk_worker_start(const config_t *cfg, Uint32 ev_type)
{
    struct hk_worker *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->ev_type = ev_type;
    w->w = worker_new("hk");
    if (w->w)
        w->client = hub_hk_new(cfg->hub_url, cfg->device_token, cfg->hub_timeout_s * 1000,
                               worker_abort_flag(w->w));
    if (!w->client || worker_start(w->w, hk_worker_run, w) != 0) {
        worker_stop(w->w);
        hub_hk_free(w->client);
        free(w);
        log_error("hk", "cannot start the housekeeping worker");
        return NULL;
    }
    return w;
}

static void hk_worker_stop(struct hk_worker *w)
{
    if (!w) return;
    worker_stop(w->w);
    hub_hk_free(w->client);
    sodium_memzero(&w->req, sizeof w->req);
    free(w);
}

/* ---- the session ---------------------------------------------------------------- */

static void reset(struct hk_state *hk)
{
    struct hk_worker *w = hk->worker;
    unsigned gen = hk->gen;
    sodium_memzero(hk, sizeof *hk);
    hk->worker = w;
    hk->gen = gen + 1;             /* answers to this session's requests are dropped */
    hk->service = -1;
    hk->day = -1;
    hk->cancel_ask = -1;
}

void hk_init(app_t *app)
{
    app->hk = calloc(1, sizeof *app->hk);
    if (!app->hk) {
        log_error("hk", "out of memory: housekeeping unavailable");
        return;
    }
    reset(app->hk);
    if ((!app->opts.offscreen || app->opts.network) && app->cfg.hub_url[0])
        app->hk->worker = hk_worker_start(&app->cfg, app->ev_base + APP_EV_HK);
}

void hk_free(app_t *app)
{
    if (!app->hk) return;
    hk_worker_stop(app->hk->worker);
    sodium_memzero(app->hk, sizeof *app->hk);
    free(app->hk);
    app->hk = NULL;
}

void hk_session_end(app_t *app)
{
    struct hk_state *hk = app->hk;
    if (!hk) return;
    if (hk->worker) {              /* a request not sent yet goes too */
        worker_lock(hk->worker->w);
        hk->worker->pending = false;
        sodium_memzero(&hk->worker->req, sizeof hk->worker->req);
        worker_unlock(hk->worker->w);
    }
    reset(hk);
}

void hk_event_free(void *payload)
{
    if (!payload) return;
    sodium_memzero(payload, sizeof(hk_result_t));
    free(payload);
}

static const char *unreachable(void)
{
    return _("The booking service cannot be reached right now. Please try again later, or ask staff.");
}

/* A request without a usable answer: the hub busy (try again in a minute)
 * or out of reach. */
/* What proves the resident is the card holder: the card's number, or the
 * community resident code that stands for it; NULL for a phone. */
static const char *card_proof(const app_t *app)
{
    const session_pii_t *p = &app->session.pii;
    return app->hk->who == HK_WHO_CARD ? p->id_number : app->hk->who == HK_WHO_CODE ? p->rescode : NULL;
}

/* The hub did not take the resident code (expired, replaced, revoked: it
 * does not say which): forgotten, so the resident can use the card or a
 * phone instead. */
static void code_refused(app_t *app)
{
    struct hk_state *hk = app->hk;
    explicit_bzero(app->session.pii.rescode, sizeof app->session.pii.rescode);
    hk->who = HK_WHO_NONE;
    snprintf(hk->msg, sizeof hk->msg, "%s",
             _("This resident code cannot be used: it may have expired or been replaced by a newer one. Please ask staff for a new code, or use your ID card or mobile number."));
    log_info("hk", "resident code refused by the hub");
}

/* A typed code found nothing (a phone with its code always finds that
 * booking): it was wrong. Forgotten with the number, so that "My bookings"
 * asks for both again rather than send the same wrong code once more. */
static void forget_typed_code(app_t *app)
{
    struct hk_state *hk = app->hk;
    sodium_memzero(hk->proof_code, sizeof hk->proof_code);
    hk->proof_typed = false;
    if (hk->who == HK_WHO_PHONE) {
        sodium_memzero(app->session.pii.phone, sizeof app->session.pii.phone);
        hk->who = HK_WHO_NONE;
    }
}

/* The hub closed this phone's proofs by code for a day (too many wrong
 * codes from any kiosk, docs/api.md "Guessing a code"): the card still works. */
static void too_many_codes(struct hk_state *hk)
{
    snprintf(hk->msg, sizeof hk->msg, "%s",
             _("Too many wrong check-in codes were tried for this mobile number today. Please place your ID card on the reader, or ask staff."));
    log_info("hk", "the hub refused the phone's check-in codes: too many wrong ones");
}

static void not_answered(struct hk_state *hk, const hub_status_t *st)
{
    snprintf(hk->msg, sizeof hk->msg, "%s", hub_status_busy(st) ? screen_busy_text() : unreachable());
}

/* Queues Q (gen and kind set here); the screens show "busy" until the answer. */
static void submit(app_t *app, hk_req_t *q)
{
    struct hk_state *hk = app->hk;
    hk->msg[0] = '\0';
    q->gen = ++hk->gen;
    struct hk_worker *w = hk->worker;
    if (!w) {
        hk->busy = false;
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 q->kind == HK_REQ_BOOK
                     ? _("The booking service cannot be reached, so nothing was booked. Please try again later, or ask staff.")
                     : unreachable());
    } else {
        worker_lock(w->w);
        w->req = *q;
        w->pending = true;
        worker_unlock(w->w);
        worker_wake(w->w);
        hk->busy = true;
    }
    sodium_memzero(q, sizeof *q);
    app->dirty = true;
}

/* ---- texts ---------------------------------------------------------------------- */

static bool zh(const app_t *app)
{
    return !strncmp(app_locale(app), "zh", 2);
}

const char *hk_service_name(const app_t *app, const hub_hk_service_t *s)
{
    return zh(app) ? s->name_zh : s->name_en;
}

const char *hk_service_includes(const app_t *app, const hub_hk_service_t *s)
{
    return zh(app) ? s->includes_zh : s->includes_en;
}

const char *hk_booking_service(const app_t *app, const hub_hk_booking_t *b)
{
    return zh(app) ? b->service_zh : b->service_en;
}

/* One date style on every screen and slip: the header's ("11月30日 周一",
 * "11/30 Mon"), China time. */
void hk_day_text(time_t t, char *out, size_t len)
{
    char clock[16];
    chrome_clock_text(t, clock, sizeof clock, out, (int)len);
}

void hk_hours_text(const hub_hk_slot_t *s, char *out, size_t len)
{
    time_t a = s->start + CST, b = s->end + CST;
    struct tm ta, tb;
    gmtime_r(&a, &ta);
    gmtime_r(&b, &tb);
    snprintf(out, len, "%02d:%02d-%02d:%02d", ta.tm_hour, ta.tm_min, tb.tm_hour, tb.tm_min);
}

void hk_date(int d, char *out, size_t len)
{
    time_t t = clock_wall() + CST + (time_t)d * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, len, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void hk_who_text(const app_t *app, char *out, size_t len)
{
    const session_pii_t *p = &app->session.pii;
    char a[64], b[32];
    out[0] = '\0';
    if (app->hk->who == HK_WHO_CARD) {
        mask_name(p->name, a, sizeof a);
        mask_id(p->id_number, b, sizeof b);
        snprintf(out, len, "%s  %s", a, b);
    } else if (app->hk->who == HK_WHO_CODE) {
        snprintf(out, len, "%s", _("Your community resident code"));
    } else if (app->hk->who == HK_WHO_PHONE) {
        mask_phone(p->phone, a, sizeof a);
        snprintf(out, len, "%s", a);
    }
}

const hub_hk_service_t *hk_current(const app_t *app)
{
    const struct hk_state *hk = app->hk;
    return hk && hk->service >= 0 && hk->service < hk->svc.n ? &hk->svc.s[hk->service] : NULL;
}

/* ---- the steps ------------------------------------------------------------------- */

void hk_load_services(app_t *app)
{
    struct hk_state *hk = app->hk;
    if (!hk || hk->have_services || hk->busy) return;
    hk_req_t q = {.kind = HK_REQ_SERVICES};
    submit(app, &q);
}

void hk_pick_service(app_t *app, int i)
{
    struct hk_state *hk = app->hk;
    if (!hk || i < 0 || i >= hk->svc.n) return;
    if (i != hk->service) {
        hk->service = i;
        hk->day = -1;
        hk->have_slots = false;
        hk->alternatives = false;
        memset(&hk->slot, 0, sizeof hk->slot);
    }
    hk->msg[0] = '\0';
    app->dirty = true;
}

void hk_pick_day(app_t *app, int d)
{
    struct hk_state *hk = app->hk;
    const hub_hk_service_t *s = hk_current(app);
    if (!s || d < 0 || d >= HK_DAYS) return;
    hk->day = d;
    hk->days_open = false;
    hk->have_slots = false;
    hk->alternatives = false;
    hk->slot_page = 0;
    memset(&hk->slots, 0, sizeof hk->slots);
    hk_req_t q = {.kind = HK_REQ_SLOTS};
    snprintf(q.service, sizeof q.service, "%s", s->id);
    hk_date(d, q.date, sizeof q.date);
    submit(app, &q);
}

void hk_open_calendar(app_t *app)
{
    struct hk_state *hk = app->hk;
    if (!hk_current(app)) return;
    hk->next = HK_NEXT_BOOK;
    app_go(app, SCR_HK_SLOTS);
    if (hk->day < 0 || !hk->have_slots) hk_pick_day(app, hk->day < 0 ? 0 : hk->day);
}

static void new_attempt(struct hk_state *hk)
{
    hk->key[0] = '\0';             /* the next "Book" is a new booking */
    hk->booked = false;
}

void hk_pick_slot(app_t *app, int i)
{
    struct hk_state *hk = app->hk;
    if (!hk || hk->busy || i < 0 || i >= hk->slots.n || hk->slots.s[i].left <= 0) return;
    hk->slot = hk->slots.s[i];
    new_attempt(hk);
    hk->msg[0] = '\0';
    hk->next = HK_NEXT_BOOK;
    app_go(app, hk->who != HK_WHO_NONE ? SCR_HK_CONFIRM : SCR_HK_WHO);
}

static void lookup_mine(app_t *app)
{
    const session_pii_t *p = &app->session.pii;
    hk_req_t q = {.kind = HK_REQ_LOOKUP};
    hub_new_key("hkl-", q.key, sizeof q.key);
    if (card_proof(app)) {
        snprintf(q.id_number, sizeof q.id_number, "%s", card_proof(app));
    } else if (app->hk->proof_code[0]) {
        snprintf(q.phone, sizeof q.phone, "%s", p->phone);
        snprintf(q.code, sizeof q.code, "%s", app->hk->proof_code);
    } else {
        /* No proof: only what this kiosk saved is shown (hk->earlier). */
        snprintf(app->hk->msg, sizeof app->hk->msg, "%s",
                 _("To see all your bookings, go back, tap \"My bookings\" and type the check-in code of one of them, or show a booking slip's QR code or your ID card."));
        app->hk->have_mine = false;
        app->hk->cancel_ask = -1;
        return;
    }
    app->hk->have_mine = false;
    app->hk->cancel_ask = -1;
    submit(app, &q);
}

/* Identification is complete: on to what it was for. */
static void identified(app_t *app)
{
    struct hk_state *hk = app->hk;
    new_attempt(hk);
    hk_offline_recall(app);
    if (hk->next == HK_NEXT_MINE) {
        app_back(app);             /* "back" from the list leads to where it was asked */
        app_go(app, SCR_HK_MINE);
        lookup_mine(app);
    } else {
        app_go(app, SCR_HK_CONFIRM);
    }
}

const char *hk_code_prompt(void)
{
    return _("Now type the 6-digit check-in code from a booking slip, or show the slip's QR code or your ID card.");
}

/* The six digits of a check-in code typed after the phone number: the
 * proof that goes with it, as a slip's QR code would be. */
static void code_typed(app_t *app)
{
    struct hk_state *hk = app->hk;
    if (hk->n_digits != HUB_HK_CODE_DIGITS || !hub_hk_code_valid(hk->digits)) {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("A check-in code has 6 digits, as printed on your booking slip. Please check the code."));
        return;
    }
    snprintf(hk->proof_code, sizeof hk->proof_code, "%.6s", hk->digits);   /* six digits, checked */
    sodium_memzero(hk->digits, sizeof hk->digits);
    hk->n_digits = 0;
    hk->want_code = false;
    hk->proof_typed = true;
    hk->msg[0] = '\0';
    log_info("hk", "check-in code typed on the identification screen");
    identified(app);
}

void hk_key(app_t *app, const char *k)
{
    struct hk_state *hk = app->hk;
    if (!hk || hk->busy) return;
    int max = hk->want_code ? HUB_HK_CODE_DIGITS : 11;
    if (!strcmp(k, "del")) {
        if (hk->n_digits > 0) hk->digits[--hk->n_digits] = '\0';
    } else if (!strcmp(k, "ok") && hk->want_code) {
        code_typed(app);
    } else if (!strcmp(k, "ok")) {
        if (hk->n_digits != 11 || hk->digits[0] != '1') {
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("A mobile number has 11 digits and starts with 1. Please check the number."));
        } else {
            session_pii_t *p = &app->session.pii;
            snprintf(p->phone, sizeof p->phone, "%s", hk->digits);
            sodium_memzero(hk->digits, sizeof hk->digits);
            hk->n_digits = 0;
            hk->who = HK_WHO_PHONE;
            hk->msg[0] = '\0';
            if (hk->next == HK_NEXT_MINE && !hk->proof_code[0]) {
                /* A number alone proves nothing: the hub lists a phone's
                 * bookings only with the code of one of them. Bookings saved
                 * at this kiosk while the hub was away (a reference and a
                 * state, nothing personal) are still shown. */
                hk_offline_recall(app);
                if (hk->earlier[0]) {
                    identified(app);
                } else {
                    hk->want_code = true;
                    snprintf(hk->msg, sizeof hk->msg, "%s", hk_code_prompt());
                }
            } else {
                identified(app);
            }
        }
    } else if (k[0] >= '0' && k[0] <= '9' && !k[1] && hk->n_digits < max) {
        hk->digits[hk->n_digits++] = k[0];
        hk->digits[hk->n_digits] = '\0';
        hk->msg[0] = '\0';
        hk->qr_refused = false;
    }
    app->dirty = true;
}

void hk_ident_result(app_t *app, ident_event_t *ev)
{
    struct hk_state *hk = app->hk;
    if (!hk || hk->busy || app->screen != SCR_HK_WHO) {
        identify_event_free(ev);
        return;
    }
    if (ev->kind == IDENT_CARD) app_remind_card(app);     /* a card left behind is an ID lost */
    if (ev->kind == IDENT_CARD && ev->result == IDCARD_OK) {
        session_pii_t *p = &app->session.pii;
        snprintf(p->name, sizeof p->name, "%s", ev->card.name);
        snprintf(p->id_number, sizeof p->id_number, "%.*s", (int)sizeof p->id_number - 1,
                 ev->card.id_number);
        hk->who = HK_WHO_CARD;
        hk->msg[0] = '\0';
        log_info("hk", "identified by ID card");
        identify_event_free(ev);
        identified(app);
        return;
    }
    if (ev->kind == IDENT_CARD) {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("This ID card could not be used. Please type your mobile number instead."));
    } else if (ev->kind == IDENT_CODE && ev->info.cls == QR_CLASS_RESIDENT_CODE) {
        /* The community resident code stands for the card; the hub checks
         * it with the booking or the look-up. */
        session_pii_t *p = &app->session.pii;
        if (rescode_format(&ev->info.resident, p->rescode, sizeof p->rescode) > 0) {
            hk->who = HK_WHO_CODE;
            hk->msg[0] = '\0';
            log_info("hk", "identified by resident code");
            identify_event_free(ev);
            identified(app);
            return;
        }
        explicit_bzero(p->rescode, sizeof p->rescode);
        hk->qr_refused = true;
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("This resident code could not be read correctly. Please show it again, or use your ID card."));
    } else if (ev->kind == IDENT_CODE && ev->info.cls == QR_CLASS_BOOKING_CODE && hk->next == HK_NEXT_MINE) {
        /* A booking slip: its code is the proof that goes with the number. */
        snprintf(hk->proof_code, sizeof hk->proof_code, "%s", ev->info.booking.code);
        hk->proof_typed = false;
        hk->want_code = false;
        sodium_memzero(hk->digits, sizeof hk->digits);
        hk->n_digits = 0;
        log_info("hk", "booking slip read on the identification screen");
        identify_event_free(ev);
        if (hk->who == HK_WHO_PHONE) {
            hk->msg[0] = '\0';
            identified(app);
        } else {
            snprintf(hk->msg, sizeof hk->msg, "%s", _("Booking slip read. Now type your mobile number."));
            app->dirty = true;
        }
        return;
    } else if (ev->kind == IDENT_CODE) {
        hk->qr_refused = true;
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 ev->info.near_miss == QR_CLASS_RESIDENT_CODE
                     ? _("This resident code could not be read correctly. Please show it again, or use your ID card.")
                     : _("This QR code cannot be used here. Please place your ID card on the reader or type your mobile number."));
        log_info("hk", "QR code shown on the identification screen: %s", qr_class_name(ev->info.cls));
    } else {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("The card reader is not working right now. Please type your mobile number."));
    }
    identify_event_free(ev);
    app->dirty = true;
}

void hk_book(app_t *app)
{
    struct hk_state *hk = app->hk;
    const hub_hk_service_t *s = hk_current(app);
    const session_pii_t *p = &app->session.pii;
    if (!hk || hk->busy || hk->booked || !s || !hk->slot.id || hk->who == HK_WHO_NONE) return;
    /* The same key until a definite answer: a retry after a lost answer is
     * replayed by the hub, never a second booking. */
    if (!hk->key[0]) hub_new_key("hkb-", hk->key, sizeof hk->key);
    hk_req_t q = {.kind = HK_REQ_BOOK, .slot_id = hk->slot.id};
    snprintf(q.service, sizeof q.service, "%s", s->id);
    snprintf(q.key, sizeof q.key, "%s", hk->key);
    if (hk->who == HK_WHO_CARD) {
        snprintf(q.name, sizeof q.name, "%s", p->name);
        snprintf(q.id_number, sizeof q.id_number, "%s", p->id_number);
    } else if (hk->who == HK_WHO_CODE) {
        /* The hub books in the name it holds for the code's resident. */
        snprintf(q.name, sizeof q.name, "%s", "居民");
        snprintf(q.id_number, sizeof q.id_number, "%s", p->rescode);
    } else {
        /* The resident's name is not typed on a kiosk. */
        size_t n = strlen(p->phone);
        snprintf(q.name, sizeof q.name, "居民%s", n >= 4 ? p->phone + n - 4 : p->phone);
        snprintf(q.phone, sizeof q.phone, "%s", p->phone);
    }
    log_info("hk", "booking slot %lld of %s", hk->slot.id, s->id);
    submit(app, &q);
}

void hk_open_mine(app_t *app)
{
    struct hk_state *hk = app->hk;
    if (!hk) return;
    hk->next = HK_NEXT_MINE;
    hk->msg[0] = '\0';
    hk->mine_page = 0;
    /* A card already read in this visit (the ID card tile, the bills) is
     * the proof: not asked for twice. */
    if (hk->who == HK_WHO_NONE && app->session.pii.id_number[0]) hk->who = HK_WHO_CARD;
    if (hk->who == HK_WHO_NONE) {
        app_go(app, SCR_HK_WHO);
    } else if (hk->who == HK_WHO_PHONE && !hk->proof_code[0]) {
        /* The number is in, its proof is not: the keypad asks for a
         * booking's code (or the slip's QR code, or the card). */
        app_go(app, SCR_HK_WHO);
        hk->want_code = true;
        snprintf(hk->msg, sizeof hk->msg, "%s", hk_code_prompt());
    } else {
        hk_offline_recall(app);
        app_go(app, SCR_HK_MINE);
        lookup_mine(app);
    }
}

void hk_cancel(app_t *app, int i)
{
    struct hk_state *hk = app->hk;
    const session_pii_t *p = &app->session.pii;
    hk->cancel_ask = -1;
    if (hk->busy || i < 0 || i >= hk->mine.n) return;
    hk_req_t q = {.kind = HK_REQ_CANCEL};
    snprintf(q.code, sizeof q.code, "%s", hk->mine.b[i].code);
    hub_new_key("hkc-", q.key, sizeof q.key);
    if (card_proof(app)) snprintf(q.id_number, sizeof q.id_number, "%s", card_proof(app));
    else snprintf(q.phone, sizeof q.phone, "%s", p->phone);
    log_info("hk", "cancelling booking %s", hk->mine.b[i].code);
    submit(app, &q);
}

/* ---- the receipt ------------------------------------------------------------------ */

void hk_print_slip(app_t *app)
{
    const hub_hk_booking_t *b = &app->hk->booking;
    char line[300], day[48], hours[32], who[200], qr[32], when[32];
    time_t now = clock_wall() + CST;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    hk_day_text(b->slot.start, day, sizeof day);
    hk_hours_text(&b->slot, hours, sizeof hours);
    snprintf(who, sizeof who, "%s%s%s%s%s", b->name, b->phone[0] ? "  " : "", b->phone,
             b->id_number[0] ? "  " : "", b->id_number);
    snprintf(qr, sizeof qr, "XFL-BOOK:%s", b->code);

    cJSON *r = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(r, "items");
    receipt_add_text(items, _("Housekeeping booking"), "center", true, 2);
    snprintf(line, sizeof line, "%s  %s", app->cfg.kiosk_id, when);
    receipt_add_text(items, line, "center", false, 1);
    receipt_add_rule(items);
    receipt_add_text(items, hk_booking_service(app, b), NULL, true, 1);
    snprintf(line, sizeof line, "%s %s", day, hours);
    receipt_add_text(items, line, NULL, false, 1);
    receipt_add_text(items, b->slot.provider, NULL, false, 1);
    receipt_add_text(items, who, NULL, false, 1);
    receipt_add_rule(items);
    char shown[HUB_HK_CODE_LEN + 4];
    hub_hk_code_show(b->code, shown, sizeof shown);
    snprintf(line, sizeof line, _("Check-in code: %s"), shown);
    receipt_add_text(items, line, "center", true, 2);
    receipt_add_qr(items, qr);
    receipt_add_text(items, _("Show this code to the provider when they arrive"), "center", false, 1);
    receipt_add_end(items);
    char *json = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);

    char summary[700];
    snprintf(summary, sizeof summary, "%s %s %s %s %s %s %s %s", _("Housekeeping booking"), qr,
             hk_booking_service(app, b), day, hours, b->slot.provider, who, app->cfg.kiosk_id);
    if (json) app_print_receipt(app, json, summary);
    free(json);
}

/* ---- answers ----------------------------------------------------------------------- */

static void book_answer(app_t *app, hk_result_t *r)
{
    struct hk_state *hk = app->hk;
    const char *c = r->st.code;
    if (r->st.result == HUB_OK) {
        hk->booking = r->booking;
        hk->booked = true;
        snprintf(hk->proof_code, sizeof hk->proof_code, "%s", r->booking.code);
        hk->key[0] = '\0';
        hk->have_mine = false;
        hk->have_slots = false;    /* places changed */
        log_info("hk", "booked: %s%s", r->booking.code, r->st.replayed ? " (replayed)" : "");
        hk_print_slip(app);
        if (app->screen == SCR_HK_CONFIRM) app_go(app, SCR_HK_DONE);
        return;
    }
    if (r->st.result == HUB_UNKNOWN && hk_offline_book(app) == 0) {
        /* Saved in the outbox with this attempt's key: sent when the hub
         * answers; the resident keeps a reference meanwhile. */
        hk->msg[0] = '\0';
        if (app->screen == SCR_HK_CONFIRM) app_go(app, SCR_HK_DONE);
        return;
    }
    if (r->st.result == HUB_UNKNOWN) {
        /* Keep the key: pressing "Book" again is replayed, never doubled. */
        if (!strcmp(c, "network"))
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("The booking service cannot be reached, so nothing was booked. Please try again later, or ask staff."));
        else
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("The booking service did not answer in time, so the booking is not confirmed. Please press \"Book\" again: you will never be booked twice."));
        return;
    }
    hk->key[0] = '\0';
    if (!strcmp(c, "slot_full") || !strcmp(c, "slot_past") || !strcmp(c, "unknown_slot") ||
        !strcmp(c, "slot_service_mismatch")) {
        bool full = !strcmp(c, "slot_full");
        /* back to the calendar first: leaving through "who" clears messages */
        while (app->depth > 0 && (app->screen == SCR_HK_WHO || app->screen == SCR_HK_CONFIRM))
            app_back(app);
        if (app->screen != SCR_HK_SLOTS) app_go(app, SCR_HK_SLOTS);
        hk->slots = r->slots;
        hk->have_slots = true;
        hk->alternatives = true;
        hk->slot_page = 0;
        memset(&hk->slot, 0, sizeof hk->slot);
        if (full && r->slots.n > 0)
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("Sorry, someone else has just booked the last place at that time. Nothing was booked. These times are still free:"));
        else if (full)
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("Sorry, someone else has just booked the last place at that time, and no other time is free. Nothing was booked. Please choose another day."));
        else
            snprintf(hk->msg, sizeof hk->msg, "%s",
                     _("That time can no longer be booked. Nothing was booked. Please choose another time."));
    } else if (!strcmp(c, "unknown_resident") && hk->who == HK_WHO_CODE) {
        code_refused(app);
    } else if (!strcmp(c, "invalid_field")) {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("The booking service did not accept this phone or ID number. Nothing was booked. Please check it, or ask staff."));
    } else {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("The booking could not be made. Nothing was booked. Please try again, or ask staff."));
    }
}

static void cancel_answer(app_t *app, hk_result_t *r)
{
    struct hk_state *hk = app->hk;
    const char *c = r->st.code;
    if (r->st.result == HUB_OK) {
        for (int i = 0; i < hk->mine.n; i++)
            if (!strcmp(hk->mine.b[i].code, r->booking.code)) hk->mine.b[i] = r->booking;
        if (hk->booked && !strcmp(hk->booking.code, r->booking.code)) hk->booking = r->booking;
        hk->have_slots = false;
        log_info("hk", "cancelled: %s", r->booking.code);
        app_toast(app, _("Your booking has been cancelled."));
    } else if (!strcmp(c, "unknown_resident") && hk->who == HK_WHO_CODE) {
        code_refused(app);
    } else if (!strcmp(c, "not_yours")) {
        snprintf(hk->msg, sizeof hk->msg, "%s", _("This booking was made with another phone or ID number. Nothing was changed."));
    } else if (!strcmp(c, "too_many_wrong_codes")) {
        too_many_codes(hk);
    } else if (!strcmp(c, "booking_past")) {
        snprintf(hk->msg, sizeof hk->msg, "%s", _("This booking has already started and cannot be cancelled here. Please ask staff."));
    } else if (r->st.result == HUB_UNKNOWN) {
        snprintf(hk->msg, sizeof hk->msg, "%s", _("The booking service cannot be reached, so the booking is not cancelled yet. Please try again, or ask staff."));
    } else {
        snprintf(hk->msg, sizeof hk->msg, "%s", _("The booking could not be cancelled. Please ask staff."));
    }
}

void hk_event(app_t *app, void *payload)
{
    hk_result_t *r = payload;
    struct hk_state *hk = app->hk;
    if (!r) return;
    if (!hk || r->gen != hk->gen || app->session.state == SESSION_IDLE) {
        hk_event_free(r);          /* nobody waits for it any more */
        return;
    }
    hk->busy = false;
    switch (r->kind) {
    case HK_REQ_SERVICES:
        if (r->st.result == HUB_OK) {
            hk->svc = r->svc;
            hk->have_services = true;
            if (hk->service < 0 && hk->svc.n > 0) hk->service = 0;
        } else {
            not_answered(hk, &r->st);
        }
        break;
    case HK_REQ_SLOTS:
        if (r->st.result == HUB_OK) {
            hk->slots = r->slots;
            hk->have_slots = true;
        } else {
            not_answered(hk, &r->st);
        }
        break;
    case HK_REQ_BOOK:
        book_answer(app, r);
        break;
    case HK_REQ_LOOKUP:
        if (r->st.result == HUB_OK) {
            hk->mine = r->mine;
            hk->have_mine = true;
            if (hk->mine.n == 0 && hk->proof_typed) forget_typed_code(app);
        } else if (!strcmp(r->st.code, "unknown_resident") && hk->who == HK_WHO_CODE) {
            code_refused(app);
        } else if (!strcmp(r->st.code, "too_many_wrong_codes")) {
            too_many_codes(hk);
            if (hk->proof_typed) forget_typed_code(app);
        } else {
            not_answered(hk, &r->st);
        }
        break;
    case HK_REQ_CANCEL:
        cancel_answer(app, r);
        break;
    }
    app->dirty = true;
    hk_event_free(r);
}
