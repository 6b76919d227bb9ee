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
    int px = th->px_large, h = ui_text_line_height(f->text, px);
    if (b->n_lines * h > t->h) {                  /* all of them a size smaller, rather than fewer */
        px = th->px_body;
        h = ui_text_line_height(f->text, px);
    }
    for (int i = 0; i < b->n_lines; i++) {
        char line[160], m[32], id[UI_ID_LEN];
        int rest = b->n_lines - i;
        if (rest * h > t->h && t->h < h * 2) {      /* keep a line to count the rest */
            snprintf(line, sizeof line, _("and %d more bills (see the receipt)"), rest);
            ui_label_fit(f, "result.more", ui_cut_top(t, h), line, px, th->px_small,
                         th->text, th->surface, UI_ALIGN_LEFT, false);
            break;
        }
        money_yuan(b->lines[i].fen, m, sizeof m);
        snprintf(line, sizeof line, "%s %s  %s  %s", bills_utility_name(b->lines[i].utility),
                 b->lines[i].account, b->lines[i].period, m);
        snprintf(id, sizeof id, "result.line.%d", i);
        ui_label_fit(f, id, ui_cut_top(t, h), line, px, th->px_small, th->text,
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
    /* a small panel: thin margins, the badge (no button) and the title
     * at the title's size, so what happened keeps its room */
    bool small = screen_small_card(f, in);
    SDL_Rect t = ui_inset(in, small ? th->pad / 2 : th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&t, th->target);
    t.h -= th->pad;

    const char *title, *body;
    pay_outcome(p, &title, &body);
    bool ok = p->state == PAY_PAID;
    /* The hub takes no payments at all, or its provider will not take
     * this order: nothing went wrong on the
     * resident's side and trying again now would not help, so a plain
     * "i", not the alarm of a refusal. */
    bool calm = !ok && (!strcmp(p->reason, "payment_unavailable") ||
                        !strcmp(p->reason, "provider_refused"));
    int d = small ? ui_text_line_height(f->text, th->px_title) : th->target;
    /* A title too long for one line beside the badge (portrait, large
     * text) takes two, rather than being cut. */
    bool wide = ok && f->width > f->height;
    int title_w = (wide ? t.w / 2 : t.w) - d - th->pad;
    bool two = ui_text_width(f->text, th->px_title, title, -1) > title_w;
    int rh = d;
    if (two && ui_wrapped_height(f, th->px_title, title, title_w) > rh)
        rh = ui_wrapped_height(f, th->px_title, title, title_w);
    SDL_Rect row = ui_cut_top(&t, rh);
    ui_widget_t *dot = ui_add(f, UI_CIRCLE, "result.badge", (SDL_Rect){row.x, row.y, d, d}, NULL);
    SDL_Color badge = ok ? th->primary : calm ? th->secondary : th->danger;
    SDL_Color on_badge = ok ? th->on_primary : calm ? th->on_secondary : th->on_danger;
    dot->bg = badge;
    ui_label(f, "result.icon", (SDL_Rect){row.x, row.y, d, d}, ok ? "\xE2\x9C\x93" : calm ? "i" : "!",
             d * 11 / 20, on_badge, badge, UI_ALIGN_CENTER, false)->valign_center = true;
    if (wide) {                 /* the amount beside the title: the columns below keep every line */
        char m[32], line[96];
        money_yuan(p->amount_fen, m, sizeof m);
        snprintf(line, sizeof line, _("Amount: %s"), m);
        SDL_Rect ar = {row.x + row.w / 2, row.y, row.w - row.w / 2, d};
        ui_label_fit(f, "pay.amount", ar, line, th->px_huge, th->px_large, th->text, th->surface,
                     UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
        row.w /= 2;
    }
    ui_label_fit(f, "result.title", (SDL_Rect){row.x + d + th->pad, row.y, row.w - d - th->pad, rh},
                 title, two || small ? th->px_title : th->px_huge, th->px_title, th->text, th->surface,
                 UI_ALIGN_LEFT, two)->valign_center = true;
    t.y += small ? th->pad : th->pad * 2; t.h -= small ? th->pad : th->pad * 2;
    if (ok) {
        /* landscape: what was paid on the left, what it means on the right,
         * so large text keeps every line */
        SDL_Rect paid = t;
        if (wide) {
            paid.w = (t.w - th->gap) / 2;
            t.x += paid.w + th->gap;
            t.w -= paid.w + th->gap;
        }
        if (wide) {
            paid_lines(app, f, &paid);
        } else {
            pay_amount(app, f, &paid, th->surface);
            paid_lines(app, f, &paid);
            t = paid;
        }
    }
    char text[600], owed[160];
    if (ok) {
        long long left_fen;
        int left = bills_owed(app, &left_fen);
        char m[32];
        money_yuan(left_fen, m, sizeof m);
        /* "all paid" only when nothing at all is owed on what was found */
        if (left == 1) snprintf(owed, sizeof owed, _("Still to pay: 1 bill, %s."), m);
        else if (left) snprintf(owed, sizeof owed, _("Still to pay: %d bills, %s."), left, m);
        else snprintf(owed, sizeof owed, "%s", _("Nothing more is owed."));
        /* the order number is on the receipt (and its QR code): on screen
         * it only pushed out what the resident needs */
        snprintf(text, sizeof text, "%s\n%s\n%s", body, owed,
                 app->receipt_qr[0] ? _("The printer cannot print right now: take the receipt with your phone from the QR code.")
                                    : _("Your receipt is being printed."));
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
