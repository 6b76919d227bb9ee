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
    char lines[HUB_MAX_ORDER_BILLS][160];
    int n = b->n_lines < HUB_MAX_ORDER_BILLS ? b->n_lines : HUB_MAX_ORDER_BILLS;
    for (int i = 0; i < n; i++) {
        char m[32];
        money_yuan(b->lines[i].fen, m, sizeof m);
        snprintf(lines[i], sizeof lines[i], "%s %s  %s  %s", bills_utility_name(b->lines[i].utility),
                 b->lines[i].account, b->lines[i].period, m);
    }
    /* all of them a size smaller, rather than fewer; each on its line, a
     * size smaller still if need be, and a line that even the small size
     * does not hold (a small panel) on two lines of the body size, never
     * with an ellipsis */
    int px = th->px_large, h1 = ui_text_line_height(f->text, px);
    if (n * h1 > t->h) {
        px = th->px_body;
        h1 = ui_text_line_height(f->text, px);
    }
    for (int i = 0; i < n; i++) {
        char id[UI_ID_LEN];
        bool one = ui_text_width(f->text, th->px_small, lines[i], -1) <= t->w;
        int h = one ? h1 : ui_wrapped_height(f, th->px_body, lines[i], t->w);
        int rest = b->n_lines - i;
        if (h + (rest > 1 ? h1 : 0) > t->h) {   /* keep a line to count the rest */
            char more[160];
            snprintf(more, sizeof more, _("and %d more bills (see the receipt)"), rest);
            int mh = ui_wrapped_height(f, px, more, t->w);
            ui_label_fit(f, "result.more", ui_cut_top(t, mh < t->h ? mh : t->h), more, px, th->px_body,
                         th->text, th->surface, UI_ALIGN_LEFT, true);
            break;
        }
        snprintf(id, sizeof id, "result.line.%d", i);
        ui_label_fit(f, id, ui_cut_top(t, h), lines[i], one ? px : th->px_body, one ? th->px_small : th->px_body,
                     th->text, th->surface, UI_ALIGN_LEFT, !one);
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
    char amount[96];
    {
        char m[32];
        money_yuan(p->amount_fen, m, sizeof m);
        snprintf(amount, sizeof amount, _("Amount: %s"), m);
    }
    /* a small landscape panel: the title on one line, as wide as it needs
     * (the amount takes the rest of the row), at the large size if need
     * be, so the lists below keep their height */
    int title_px = th->px_title, split = t.w / 2;
    if (small && wide) {
        int room = t.w - d - th->pad - th->gap - ui_text_width(f->text, th->px_large, amount, -1);
        while (title_px > th->px_large && ui_text_width(f->text, title_px, title, -1) > room) title_px -= 2;
        int tw = ui_text_width(f->text, title_px, title, -1);
        if (tw <= room && tw > title_w) {
            title_w = tw;
            split = d + th->pad + tw + th->gap;
        }
    }
    bool two = ui_text_width(f->text, title_px, title, -1) > title_w;
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
        SDL_Rect ar = {row.x + split, row.y, row.w - split, d};
        ui_label_fit(f, "pay.amount", ar, amount, small ? th->px_title : th->px_huge, th->px_large, th->text,
                     th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
        row.w = split;
    }
    ui_label_fit(f, "result.title", (SDL_Rect){row.x + d + th->pad, row.y, row.w - d - th->pad, rh},
                 title, two || small ? title_px : th->px_huge, title_px, th->text, th->surface,
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
        const char *receipt = app->receipt_qr[0]
            ? _("The printer cannot print right now: take the receipt with your phone from the QR code.")
            : _("Your receipt is being printed.");
        snprintf(text, sizeof text, "%s\n%s\n%s", body, owed, receipt);
        /* a small panel: the thanks give way (the title says it was paid,
         * the lines what) to what is still owed and where the receipt is */
        if (small && ui_wrapped_height(f, th->px_body, text, t.w) > t.h)
            snprintf(text, sizeof text, "%s\n%s", owed, receipt);
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
