/* How the payment ended: paid (with the receipt printing, or shown as a QR
 * code when the printer cannot print), cancelled, run out of time, or
 * refused, always saying whether anything was charged. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "core/money.h"
#include "services/bills/pay.h"

/* What this payment paid, one line per bill (utility, masked account,
 * period, amount); what does not fit is counted, never silently dropped. */
static void paid_lines(app_t *app, ui_frame_t *f, SDL_Rect *t)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    int h = ui_text_line_height(f->text, th->px_large);
    for (int i = 0; i < b->n_lines; i++) {
        char line[160], m[32], id[UI_ID_LEN];
        int rest = b->n_lines - i;
        if (rest > 1 && t->h < h * 3) {      /* keep a line for the rest and the body */
            snprintf(line, sizeof line, _("and %d more bills (see the receipt)"), rest);
            ui_label_fit(f, "result.more", ui_cut_top(t, h), line, th->px_large, th->px_body,
                         th->text, th->surface, UI_ALIGN_LEFT, false);
            break;
        }
        money_yuan(b->lines[i].fen, m, sizeof m);
        snprintf(line, sizeof line, "%s %s  %s  %s", bills_utility_name(b->lines[i].utility),
                 b->lines[i].account, b->lines[i].period, m);
        snprintf(id, sizeof id, "result.line.%d", i);
        ui_label_fit(f, id, ui_cut_top(t, h), line, th->px_large, th->px_body, th->text,
                     th->surface, UI_ALIGN_LEFT, false);
    }
    t->y += th->pad; t->h -= th->pad;
}

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
    int d = th->target;
    SDL_Rect row = ui_cut_top(&t, d);
    ui_widget_t *dot = ui_add(f, UI_CIRCLE, "result.badge", (SDL_Rect){row.x, row.y, d, d}, NULL);
    dot->bg = ok ? th->primary : th->danger;
    ui_label(f, "result.icon", (SDL_Rect){row.x, row.y, d, d}, ok ? "\xE2\x9C\x93" : "!",
             d * 11 / 20, ok ? th->on_primary : th->on_danger, ok ? th->primary : th->danger,
             UI_ALIGN_CENTER, false)->valign_center = true;
    ui_label_fit(f, "result.title", (SDL_Rect){row.x + d + th->pad, row.y, row.w - d - th->pad, d},
                 title, th->px_huge, th->px_title, th->text, th->surface, UI_ALIGN_LEFT, false)
        ->valign_center = true;
    t.y += th->pad * 2; t.h -= th->pad * 2;
    if (ok) {
        pay_amount(app, f, &t, th->surface);
        paid_lines(app, f, &t);
    }
    char text[600], order[80], owed[160];
    if (ok) {
        long long left_fen;
        int left = bills_owed(app, &left_fen);
        char m[32];
        money_yuan(left_fen, m, sizeof m);
        /* "all paid" only when nothing at all is owed on what was found */
        if (left == 1) snprintf(owed, sizeof owed, _("Still to pay: 1 bill, %s."), m);
        else if (left) snprintf(owed, sizeof owed, _("Still to pay: %d bills, %s."), left, m);
        else snprintf(owed, sizeof owed, "%s", _("Nothing more is owed."));
        snprintf(order, sizeof order, _("Order number: %s"), p->out_trade_no);
        snprintf(text, sizeof text, "%s\n%s\n%s\n%s", body, owed,
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
    ui_button(f, "result.bills", b2, ok ? _("Back to my bills") : _("Try again"), UI_BTN_SECONDARY, true);
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
