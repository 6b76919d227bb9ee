/* The bills and payment service as the app core sees it (app/service.h):
 * the look-up worker and the payment engine (both only with a hub, and
 * offscreen only with opts.network), this visit's bills state, their
 * events, and the payment countdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/service.h"
#include "app/speech.h"
#include "core/i18n.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/worker.h"
#include "services/bills/bills.h"
#include "services/bills/pay.h"

/* The payment engine's reports, from its thread: a copy goes to the UI
 * thread as an event. */
static void pay_notify(void *ctx, const pay_event_t *pe)
{
    app_t *app = ctx;
    pay_event_t *copy = malloc(sizeof *copy);
    if (!copy) return;
    *copy = *pe;
    worker_post(app->ev_base + APP_EV_PAY, 0, copy, free);
}

static int init(app_t *app)
{
    const config_t *cfg = &app->cfg;
    app->bills = calloc(1, sizeof *app->bills);
    if (!app->bills) return -1;
    if ((!app->opts.offscreen || app->opts.network) && cfg->hub_url[0]) {
        app->lookup = lookup_start(cfg, app->ev_base + APP_EV_LOOKUP);
        pay_policy_t pol;
        pay_policy_default(&pol);
        pol.poll_ms = cfg->pay_poll_ms;
        pol.qr_window_s = cfg->pay_qr_window_s;
        pol.code_window_s = cfg->pay_code_window_s;
        char perr[256];
        app->pay = pay_engine_start(cfg, &pol, pay_notify, app, perr, sizeof perr);
        if (!app->pay) log_error("app", "payments unavailable: %s", perr);
    }
    bills_session_end(app);
    return 0;
}

static void stop(app_t *app)
{
    lookup_stop(app->lookup);
    app->lookup = NULL;
    pay_engine_stop(app->pay);          /* unfinished payments resume at the next start */
    app->pay = NULL;
    if (app->bills) explicit_bzero(app->bills, sizeof *app->bills);
    free(app->bills);
    app->bills = NULL;
}

static void on_event(app_t *app, const SDL_Event *ev)
{
    if (ev->type == app->ev_base + APP_EV_LOOKUP)
        bills_lookup_result(app, ev->user.data1);
    else
        bills_pay_event(app, ev->user.data1);
}

/* A payment screen with a payment in progress (a countdown, the session
 * kept alive). */
static bool payment_on_screen(const app_t *app)
{
    const bills_t *b = app->bills;
    return (app->screen == SCR_PAY_QR || app->screen == SCR_PAY_CODE) && b->paying &&
           (b->pay.state == PAY_WAITING || b->pay.state == PAY_USERPAYING) &&
           bills_seconds_left(app) > 0 && app->session.state == SESSION_ACTIVE;
}

static void tick(app_t *app, uint64_t now)
{
    if (!payment_on_screen(app)) return;
    /* Paying takes a while on the phone: no "Still there?" meanwhile
     * (the payment's own window bounds it). */
    session_touch(&app->session, now);
    if ((long)(now / 1000) != app->shown_second) {
        app->shown_second = (long)(now / 1000);
        app->dirty = true;                                  /* countdown */
    }
    /* A countdown is heard too: once, when a minute is left. */
    int left = bills_seconds_left(app);
    if (left > 60) {
        app->bills->said_last_minute = false;
    } else if (left > 0 && !app->bills->said_last_minute) {
        app->bills->said_last_minute = true;
        char words[64], text[160];
        speak_duration(speech_lang(app), 60, words, sizeof words);
        /* TRANSLATORS: spoken; %s is the time left in words ("一分钟"). */
        snprintf(text, sizeof text, _("%s left to pay."), words);
        speech_say(app, TONE_NONE, text);
    }
}

static uint64_t wait_ms(const app_t *app, uint64_t now)
{
    /* The countdown on screen changes once a second. */
    return payment_on_screen(app) ? 1000 - (now % 1000) : UINT64_MAX;
}

/* Reads of the card reader and scanner on the bills screens that use them. */
static bool bills_identified(app_t *app, void *ev)
{
    if (app->screen == SCR_BILLS_SCAN) {
        bills_scan_result(app, ev);
        return true;
    }
    if (app->screen == SCR_PAY_CODE) {
        bills_code_scanned(app, ev);
        return true;
    }
    return false;
}

const service_t service_bills = {
    .name = "bills",
    .init = init,
    .free = stop,
    .session_end = bills_session_end,
    .events = SERVICE_EV(APP_EV_LOOKUP) | SERVICE_EV(APP_EV_PAY),
    .on_event = on_event,
    .tick = tick,
    .wait_ms = wait_ms,
    .overlay = pay_leave_overlay,
    .tour = bills_tour,
    .identified = bills_identified,
    .announce = bills_announce,
};
