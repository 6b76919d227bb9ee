/* How the payment ended: paid (with the receipt printing, or shown as a QR
 * code when the printer cannot print), cancelled, run out of time, or
 * refused, always saying whether anything was charged. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "services/bills/pay.h"

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const pay_event_t *p = &app->bills->pay;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "result", in);
    SDL_Rect t = ui_inset(in, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&t, th->target);
    t.h -= th->pad;

    const char *title, *body;
    pay_outcome(p, &title, &body);
    bool ok = p->state == PAY_PAID;
    /* The hub takes no payments at all: nothing went wrong on the
     * resident's side and trying again now would not help, so a plain
     * "i", not the alarm of a refusal. */
    bool calm = !ok && !strcmp(p->reason, "payment_unavailable");
    int d = th->target;
    SDL_Rect row = ui_cut_top(&t, d);
    ui_widget_t *dot = ui_add(f, UI_CIRCLE, "result.badge", (SDL_Rect){row.x, row.y, d, d}, NULL);
    SDL_Color badge = ok ? th->primary : calm ? th->secondary : th->danger;
    SDL_Color on_badge = ok ? th->on_primary : calm ? th->on_secondary : th->on_danger;
    dot->bg = badge;
    ui_label(f, "result.icon", (SDL_Rect){row.x, row.y, d, d}, ok ? "\xE2\x9C\x93" : calm ? "i" : "!",
             d * 11 / 20, on_badge, badge, UI_ALIGN_CENTER, false)->valign_center = true;
    ui_label_fit(f, "result.title", (SDL_Rect){row.x + d + th->pad, row.y, row.w - d - th->pad, d},
                 title, th->px_huge, th->px_title, th->text, th->surface, UI_ALIGN_LEFT, false)
        ->valign_center = true;
    t.y += th->pad * 2; t.h -= th->pad * 2;
    if (ok) pay_amount(app, f, &t, th->surface);
    char text[600], order[80];
    if (ok) {
        snprintf(order, sizeof order, _("Order number: %s"), p->out_trade_no);
        snprintf(text, sizeof text, "%s %s\n%s", body,
                 app->receipt_qr[0] ? _("The printer cannot print right now: take the receipt with your phone from the QR code.")
                                    : _("Your receipt is being printed."),
                 order);
    } else {
        snprintf(text, sizeof text, "%s", body);
    }
    ui_label_fit(f, "result.body", t, text, th->px_large, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    SDL_Rect b1 = {buttons.x, buttons.y, (buttons.w - th->gap) / 2, buttons.h};
    SDL_Rect b2 = {b1.x + b1.w + th->gap, buttons.y, b1.w, buttons.h};
    ui_button(f, "result.done", b1, _("Finish"), UI_BTN_PRIMARY, true);
    ui_button(f, "result.bills", b2, ok || calm ? _("Back to my bills") : _("Try again"), UI_BTN_SECONDARY, true);
}

static bool action(app_t *app, const char *id)
{
    if (!strcmp(id, "result.done")) {
        app_end_session(app, "finished");      /* wipes everything of this visit */
        return true;
    }
    if (!strcmp(id, "result.bills")) {
        app->bills->paying = false;
        app_back(app);
        return true;
    }
    return false;
}

const screen_t screen_pay_result = {"pay_result", true, true, NULL, build, action, NULL};
