/* Parts shared by the payment screens: the amount, the status line, the
 * countdown, and what a final state means to the resident. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "core/money.h"
#include "services/bills/pay.h"

void pay_amount_at(app_t *app, ui_frame_t *f, SDL_Rect *r, SDL_Color bg, int px)
{
    const theme_t *th = f->th;
    char m[32], line[96];
    money_yuan(app->bills->pay.amount_fen, m, sizeof m);
    snprintf(line, sizeof line, _("Amount: %s"), m);
    int h = ui_text_line_height(f->text, px);
    ui_label_fit(f, "pay.amount", ui_cut_top(r, h), line, px, th->px_large, th->text, bg,
                 UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    r->y += th->pad; r->h -= th->pad;
}

void pay_amount(app_t *app, ui_frame_t *f, SDL_Rect *r, SDL_Color bg)
{
    pay_amount_at(app, f, r, bg, f->th->px_huge);
}

void pay_heading_at(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text, int px)
{
    const theme_t *th = f->th;
    int h = ui_wrapped_height(f, px, text, r->w);
    if (h > r->h / 3) h = r->h / 3;
    ui_label_fit(f, id, ui_cut_top(r, h), text, px, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    r->y += th->pad; r->h -= th->pad;
}

void pay_heading(ui_frame_t *f, const char *id, SDL_Rect *r, const char *text)
{
    pay_heading_at(f, id, r, text, f->th->px_large);
}

int pay_countdown_h(const ui_frame_t *f)
{
    return ui_text_line_height(f->text, f->th->px_large) + f->th->pad * 2;
}

void pay_countdown(app_t *app, ui_frame_t *f, SDL_Rect *r, int total_s)
{
    const theme_t *th = f->th;
    if (app->bills->deadline_mono == 0) return;
    /* a line of text with its unit ("还剩2分43秒") and the bar: the
     * instruction under it keeps its room */
    int h = pay_countdown_h(f);
    ui_countdown(f, "pay.countdown", ui_cut_top(r, h), bills_seconds_left(app), total_s);
    r->y += th->pad; r->h -= th->pad;
}

const char *pay_status_text(const app_t *app)
{
    const pay_event_t *p = &app->bills->pay;
    if (p->state == PAY_CANCELLING) return _("Cancelling the payment...");
    if (p->unknown)
        return _("Confirming your payment with the payment service. Please wait: you will never be charged twice.");
    switch (p->state) {
    case PAY_CREATING:
        return p->method == PAY_QR ? _("Preparing the payment QR code...") : _("Taking the payment...");
    case PAY_WAITING:
        return _("Waiting for your payment. The screen changes by itself when it is done.");
    case PAY_USERPAYING:
        return _("If your phone asks for your password, enter it there. The screen changes by itself when it is done.");
    default:
        return "";
    }
}

void pay_outcome(const pay_event_t *p, const char **title, const char **body)
{
    const char *r = p->reason;
    if (p->state == PAY_PAID) {
        *title = _("Payment successful");
        *body = _("Thank you. These bills are paid.");
        return;
    }
    if (p->state == PAY_CANCELLED) {
        if (!strcmp(r, "timeout") || !strcmp(r, "expired")) {
            *title = _("The time to pay has run out");
            *body = _("Nothing was charged. You can start again whenever you like.");
        } else {
            *title = _("Payment cancelled");
            *body = _("Nothing was charged.");
        }
        return;
    }
    if (!strcmp(r, "payment_unavailable")) {
        /* The hub takes no payments at all (no provider): not the
         * resident's doing, and nothing to retry at once. */
        *title = _("Payment unavailable");
        *body = _("Nothing was charged and your bills are unchanged. You can pay them later here, or at the utility's counter.");
        return;
    }
    if (!strcmp(r, "provider_refused")) {
        /* The payment service will not take this order (e.g. the
         * merchant's account is not enabled): not the resident's doing,
         * and trying again now would not help. */
        *title = _("Payment unavailable");
        *body = _("The payment service refused this order. Nothing was charged and your bills are unchanged. You can pay them later here, or at the utility's counter.");
        return;
    }
    *title = _("The payment did not go through");
    if (!strcmp(r, "insufficient_balance"))
        *body = _("Your wallet declined the payment (not enough balance). Nothing was charged.");
    else if (!strcmp(r, "bill_paid") || !strcmp(r, "bill_paid_elsewhere"))
        *body = _("This bill has already been paid. Nothing was charged.");
    else if (!strcmp(r, "bill_in_order"))
        *body = _("This bill is being paid somewhere else right now. Nothing was charged. Please try again in a few minutes.");
    else if (!strcmp(r, "storage"))
        *body = _("The kiosk cannot record payments right now. Nothing was charged. Please ask staff.");
    else
        *body = _("Nothing was charged. Please try again, or ask staff.");
}

/* A payment the resident could still be paying on the phone. */
static bool live(const bills_t *b)
{
    return b->paying && b->pay_started &&
           (b->pay.state == PAY_CREATING || b->pay.state == PAY_WAITING ||
            b->pay.state == PAY_USERPAYING);
}

bool pay_leave_action(app_t *app, const char *id)
{
    bills_t *b = app->bills;
    if (!strcmp(id, "nav.back") || !strcmp(id, "nav.home")) {
        if (!live(b)) return false;
        b->ask_leave = true;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "payleave.stay")) {
        b->ask_leave = false;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "payleave.cancel")) {
        b->ask_leave = false;
        bills_pay_cancel(app);      /* the result screen follows the hub's answer */
        return true;
    }
    return false;
}

void pay_leave_overlay(app_t *app, ui_frame_t *f)
{
    const theme_t *th = f->th;
    bills_t *b = app->bills;
    if (!b->ask_leave) return;
    if (!live(b) || (app->screen != SCR_PAY_QR && app->screen != SCR_PAY_CODE)) {
        b->ask_leave = false;
        return;
    }
    SDL_Rect btns = ui_modal(f, "payleave", _("Stop paying?"),
                             _("If you leave now, this payment is cancelled. If you have already paid on your phone, please stay."),
                             th->target);
    SDL_Rect a = {btns.x, btns.y, (btns.w - th->gap) / 2, btns.h};
    SDL_Rect c = {a.x + a.w + th->gap, btns.y, a.w, btns.h};
    ui_button(f, "payleave.cancel", a, _("Cancel the payment"), UI_BTN_SECONDARY, true);
    ui_button(f, "payleave.stay", c, _("Keep paying"), UI_BTN_PRIMARY, true);
}
