/* The bills found: one account at a time (tabs when the ID card found
 * several), its unpaid bills as large check rows (all ticked at first), the
 * last 12 months' usage as a bar chart, and the total with the two ways to
 * pay. Names and addresses arrive masked; the account number is masked too. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "core/money.h"
#include "mask.h"
#include "app/screens.h"
#include "services/bills/bills.h"

#define MAX_ROWS 6

/* A tab's label: the account's utility and what it owes, the tab on
 * screen marked by a tick, not by colour alone. */
static void tab_label(const app_t *app, int i, char *label, size_t len)
{
    const bills_t *b = app->bills;
    char due[32];
    money_yuan(b->acc.a[i].due_fen, due, sizeof due);
    snprintf(label, len, "%s%s %s", i == b->shown ? "\xE2\x9C\x93 " : "",
             bills_utility_name(b->acc.a[i].utility), due);
}

/* The account tabs in COLS columns of ROW_H high cut off the top of *IN;
 * with MIN_PX > 0 every label wraps at no less than MIN_PX. */
static void tab_rows(app_t *app, ui_frame_t *f, SDL_Rect *in, int cols, int row_h, int gap, int min_px)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    int rows = (b->acc.n + cols - 1) / cols;
    SDL_Rect row = ui_cut_top(in, row_h * rows + gap * (rows - 1));
    for (int i = 0; i < b->acc.n; i++) {
        char id[UI_ID_LEN], label[96];
        snprintf(id, sizeof id, "list.acct.%d", i);
        tab_label(app, i, label, sizeof label);
        ui_widget_t *w = ui_button(f, id, ui_grid_cell(row, cols, rows, gap, i), label,
                                   i == b->shown ? UI_BTN_PRIMARY : UI_BTN_SECONDARY, true);
        if (i == b->shown) w->flags |= UI_F_BOLD;
        /* (bold is a pixel wider; a label ui_button wrapped stays wrapped) */
        while (!(w->flags & UI_F_WRAP) && w->px > th->px_small &&
               ui_text_width(f->text, w->px, label, -1) > w->r.w - th->pad)
            w->px -= 2;
        ui_button_wrap_if_small(f, w);
        if (min_px > 0 && w->px < min_px) {
            w->px = min_px;
            w->flags |= UI_F_WRAP;
        }
    }
    in->y += th->gap; in->h -= th->gap;
}

static void tabs(app_t *app, ui_frame_t *f, SDL_Rect *in)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    if (b->acc.n < 2) return;
    /* one row of tabs; two rows of two on a narrow (portrait) screen */
    int cols = f->height > f->width && b->acc.n > 2 ? 2 : b->acc.n;
    /* ... unless the panel's size is known and one row, a little taller if
     * need be, keeps every tab a finger wide with its label readable on
     * two or three lines (thin gaps: every pixel of width holds words):
     * the bills keep the room a second row would take */
    int min_w = theme_min_target_px(th), min_px = theme_min_text_px(th), g = th->gap / 8;
    int w = (in->w - (b->acc.n - 1) * g) / (b->acc.n ? b->acc.n : 1);
    if (cols < b->acc.n && min_w > 0 && w >= min_w) {
        int need = th->target;
        for (int i = 0; i < b->acc.n; i++) {
            char label[96];
            tab_label(app, i, label, sizeof label);
            int h = ui_wrapped_height(f, min_px, label, w - th->pad) + th->pad / 2;
            if (h > need) need = h;
        }
        if (need <= th->target * 3 / 2) {
            tab_rows(app, f, in, b->acc.n, need, g, min_px);
            return;
        }
    }
    tab_rows(app, f, in, cols, th->target, th->gap / 2, 0);
}

static void bill_rows(app_t *app, ui_frame_t *f, SDL_Rect in, int ai)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    const hub_account_t *a = &b->acc.a[ai];
    char line[256], acct[32], m[32], fee[32];

    /* Large text with more than one bill: a compact head
     * (the account at the large size, no holder line) leaves room for a
     * whole bill and the pager. */
    int n_unpaid = 0;
    for (int j = 0; j < a->n_bills; j++) n_unpaid += !a->bills[j].paid;
    bool compact = th->id == THEME_ELDER && n_unpaid > 1;
    /* ... and so does a small panel where the full head, a bill and the
     * pager would not fit one above the other */
    int lr0 = ui_text_line_height(f->text, th->px_large) + ui_text_line_height(f->text, th->px_body) + th->pad;
    if (n_unpaid > 1 && in.h < ui_text_line_height(f->text, th->px_title) +
                               ui_text_line_height(f->text, th->px_body) + th->pad + th->target + lr0 + th->gap)
        compact = true;
    int px_head = compact ? th->px_large : th->px_title;
    mask_id(a->account, acct, sizeof acct);
    snprintf(line, sizeof line, "%s  %s", bills_utility_name(a->utility), acct);
    int h = ui_text_line_height(f->text, px_head);
    ui_label_fit(f, "list.account", ui_cut_top(&in, h), line, px_head, th->px_body, th->text,
                 th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    if (!compact) {
        snprintf(line, sizeof line, "%s  %s", a->holder, a->address);
        h = ui_text_line_height(f->text, th->px_body);
        ui_label_fit(f, "list.holder", ui_cut_top(&in, h), line, th->px_body, th->px_small,
                     th->text_muted, th->surface, UI_ALIGN_LEFT, false);
    }
    in.y += th->pad; in.h -= th->pad;

    /* Every unpaid bill is seen before it is paid: what does not fit is
     * paged ("还有N笔，点此查看"), never only counted into the total. */
    int unpaid = 0, row_h = th->target * 3 / 2;
    int lr = ui_text_line_height(f->text, th->px_large) + ui_text_line_height(f->text, th->px_body) + th->pad;
    if (th->id == THEME_ELDER) lr += ui_text_line_height(f->text, th->px_body);   /* details on two lines */
    if (row_h < lr) row_h = lr;
    for (int j = 0; j < a->n_bills; j++) unpaid += !a->bills[j].paid;
    int lh_body = ui_text_line_height(f->text, th->px_body);
    int room = in.h - lh_body - th->pad;             /* the last paid bill's line */
    int per = (room + th->gap / 2) / (row_h + th->gap / 2);
    if (per > MAX_ROWS) per = MAX_ROWS;
    bool paged = unpaid > per;
    if (paged) per = (in.h - th->target) / (row_h + th->gap / 2);   /* the pager instead of the paid line */
    if (per < 1) {                  /* one bill a page, in what is left beside the pager */
        per = 1;
        int fit = in.h - (paged ? th->target : 0) - th->gap / 2;
        if (fit < row_h) row_h = fit;
    }
    int pages = (unpaid + per - 1) / per;
    int page = b->bill_page < pages ? b->bill_page : 0;
    int skip = page * per, shown = 0, k = 0;
    for (int j = 0; j < a->n_bills && shown < per; j++) {
        const hub_bill_t *bl = &a->bills[j];
        if (bl->paid) continue;
        if (k++ < skip) continue;
        SDL_Rect r = ui_cut_top(&in, row_h);
        in.y += th->gap / 2; in.h -= th->gap / 2;
        char id[UI_ID_LEN - 8], part[UI_ID_LEN];
        snprintf(id, sizeof id, "list.bill.%d.%d", ai % 100, j % 100);
        bool on = b->sel[ai][j];
        ui_widget_t *row = ui_add(f, UI_RECT, id, r, NULL);
        row->flags = UI_F_CLICK;
        row->bg = th->bg;
        row->radius = th->radius;
        row->border = on ? th->primary : th->border;
        row->border_w = on ? 4 : 2;
        int d = r.h * 3 / 5;
        SDL_Rect box = {r.x + th->pad, r.y + (r.h - d) / 2, d, d};
        snprintf(part, sizeof part, "%s.box", id);
        ui_widget_t *bx = ui_add(f, UI_RECT, part, box, NULL);
        bx->bg = on ? th->primary : th->bg;
        bx->border = th->border;
        bx->border_w = 2;
        bx->radius = th->radius / 2;
        if (on) {
            snprintf(part, sizeof part, "%s.tick", id);
            int px = d * 3 / 4;
            while (px > 12 && ui_text_line_height(f->text, px) > d) px -= 2;   /* whole tick */
            ui_label(f, part, box, "\xE2\x9C\x93", px, th->on_primary, th->primary,
                     UI_ALIGN_CENTER, false)->valign_center = true;      /* ✓ */
        }
        /* two lines: what matters (period, amount) large; the details under it */
        money_yuan(bl->amount_fen + bl->late_fee_fen, m, sizeof m);
        snprintf(line, sizeof line, "%s   %s", bl->period, m);
        SDL_Rect tr = {box.x + d + th->pad, r.y + th->pad / 2, r.w - d - th->pad * 3, r.h - th->pad};
        int l1 = ui_text_line_height(f->text, th->px_large), l2 = ui_text_line_height(f->text, th->px_body);
        int h1 = th->id == THEME_ELDER ? l1 : tr.h * l1 / (l1 + l2);
        char more[256];
        if (bl->late_fee_fen > 0) {
            money_yuan(bl->late_fee_fen, fee, sizeof fee);
            snprintf(more, sizeof more, _("%g %s, late fee %s, due %s"), bl->usage, bl->unit, fee,
                     bl->due_date);
        } else {
            snprintf(more, sizeof more, _("%g %s, due %s"), bl->usage, bl->unit, bl->due_date);
        }
        if (th->id == THEME_ELDER && ui_wrapped_height(f, th->px_small, more, tr.w) > tr.h - h1) {
            tr.y = r.y;                 /* no margin rather than a cut fee or due date */
            tr.h = r.h;
        }
        snprintf(part, sizeof part, "%s.text", id);
        ui_label_fit(f, part, (SDL_Rect){tr.x, tr.y, tr.w, h1}, line, th->px_large, th->px_small,
                     th->text, th->bg, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
        snprintf(part, sizeof part, "%s.more", id);
        ui_label_fit(f, part, (SDL_Rect){tr.x, tr.y + h1, tr.w, tr.h - h1}, more, th->px_body,
                     th->px_small, th->text_muted, th->bg, UI_ALIGN_LEFT, th->id == THEME_ELDER);
        shown++;
    }
    if (paged) {
        int left = unpaid - skip - shown;
        SDL_Rect pr = ui_cut_top(&in, th->target);
        in.y += th->gap / 2; in.h -= th->gap / 2;
        SDL_Rect p1 = {pr.x, pr.y, (pr.w - th->gap) / 3, pr.h};
        SDL_Rect p2 = {p1.x + p1.w + th->gap, pr.y, pr.w - p1.w - th->gap, pr.h};
        ui_button(f, "list.prev", p1, _("Previous"), UI_BTN_SECONDARY, page > 0);
        if (left > 0) snprintf(line, sizeof line, _("%d more: tap to see them"), left);
        else snprintf(line, sizeof line, "%s", _("Back to the first bills"));
        ui_button(f, "list.next", p2, line, UI_BTN_SECONDARY, true);
    }
    if (!unpaid) {
        h = ui_text_line_height(f->text, th->px_large);
        ui_label(f, "list.nothing", ui_cut_top(&in, h), _("Nothing to pay on this account."),
                 th->px_large, th->text, th->surface, UI_ALIGN_LEFT, false);
    }
    /* the most recent paid bill, as reassurance */
    for (int j = 0; j < a->n_bills; j++) {
        const hub_bill_t *bl = &a->bills[j];
        if (!bl->paid) continue;
        money_yuan(bl->amount_fen + bl->late_fee_fen, m, sizeof m);
        snprintf(line, sizeof line, _("%s paid: %s"), bl->period, m);
        h = ui_text_line_height(f->text, th->px_body);
        if (in.h >= h)
            ui_label_fit(f, "list.lastpaid", ui_cut_top(&in, h), line, th->px_body, th->px_small,
                         th->text_muted, th->surface, UI_ALIGN_LEFT, false);
        break;
    }
}

static void chart(ui_frame_t *f, SDL_Rect r, const hub_account_t *a)
{
    const theme_t *th = f->th;
    char line[128];
    snprintf(line, sizeof line, _("Usage in the last 12 months (%s)"),
             a->n_bills ? a->bills[0].unit : "");
    int h = ui_text_line_height(f->text, th->px_body);
    ui_label_fit(f, "chart.title", ui_cut_top(&r, h), line, th->px_body, th->px_small, th->text,
                 th->surface, UI_ALIGN_LEFT, false);
    int lh = ui_text_line_height(f->text, th->px_small);
    r.y += lh; r.h -= lh;                 /* room for the value over the newest bar */
    SDL_Rect labels = ui_cut_bottom(&r, lh);
    double max = 0;
    for (int i = 0; i < a->n_history; i++) if (a->history[i].usage > max) max = a->history[i].usage;
    if (a->n_history == 0 || r.h < 8) return;
    int slot = r.w / a->n_history, bw = slot * 3 / 5;
    for (int i = 0; i < a->n_history; i++) {
        int bh = max > 0 ? (int)(a->history[i].usage / max * r.h) : 0;
        if (bh < 2) bh = 2;
        SDL_Rect bar = {r.x + i * slot + (slot - bw) / 2, r.y + r.h - bh, bw, bh};
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "chart.bar.%d", i);
        ui_widget_t *w = ui_add(f, UI_RECT, id, bar, NULL);
        bool last = i == a->n_history - 1;
        w->bg = last ? th->primary : th->tile[3];
        w->radius = bw / 6;
        const char *p = a->history[i].period;
        int month = (int)strtol(p + 5, NULL, 10);
        snprintf(line, sizeof line, "%d", month);
        snprintf(id, sizeof id, "chart.month.%d", i);
        ui_label(f, id, (SDL_Rect){r.x + i * slot, labels.y, slot, lh}, line, th->px_small,
                 th->text_muted, th->surface, UI_ALIGN_CENTER, false);
        if (last) {
            snprintf(line, sizeof line, "%g", a->history[i].usage);
            ui_label(f, "chart.value", (SDL_Rect){r.x + i * slot - slot / 2, bar.y - lh, slot * 2, lh},
                     line, th->px_small, th->text, th->surface, UI_ALIGN_CENTER, false);
        }
    }
}

static int total_text(app_t *app, char *line, size_t len)
{
    long long total;
    int n = bills_selected(app, NULL, 0, &total);
    char m[32];
    money_yuan(total, m, sizeof m);
    if (n == 1) snprintf(line, len, _("1 bill selected, total %s"), m);
    else if (n) snprintf(line, len, _("%d bills selected, total %s"), n, m);
    else snprintf(line, len, "%s", _("Tick the bills you want to pay."));
    return n;
}

/* Height the bills card needs for account AI. */
static int bills_height(app_t *app, ui_frame_t *f, int ai)
{
    const theme_t *th = f->th;
    const hub_account_t *a = &app->bills->acc.a[ai];
    int rows = 0;
    for (int j = 0; j < a->n_bills; j++) rows += !a->bills[j].paid;
    if (rows > MAX_ROWS) rows = MAX_ROWS;
    int row_h = ui_text_line_height(f->text, th->px_large) + ui_text_line_height(f->text, th->px_body) + th->pad;
    if (th->id == THEME_ELDER) row_h += ui_text_line_height(f->text, th->px_body);   /* as bill_rows */
    if (row_h < th->target * 3 / 2) row_h = th->target * 3 / 2;
    int h = ui_text_line_height(f->text, th->px_title) + ui_text_line_height(f->text, th->px_body) * 2 +
            th->pad * 6 + rows * (row_h + th->gap / 2);
    if (!rows) h += ui_text_line_height(f->text, th->px_large);
    return h;
}

/* The total and the two ways to pay in R: the buttons one above the other,
 * or side by side when SIDE (an upright small panel, short of height). */
static void pay_box(app_t *app, ui_frame_t *f, SDL_Rect r, bool side)
{
    const theme_t *th = f->th;
    char line[160];
    int n = total_text(app, line, sizeof line);
    SDL_Rect buttons = ui_cut_bottom(&r, side ? th->target : th->target * 2 + th->gap);
    /* A small panel with no room for "2 bills selected, total ¥82.28" at
     * the body size says the total alone (the ticks show which bills);
     * the amount is never cut. */
    if (n > 0 && ui_wrapped_height(f, th->px_body, line, r.w) > r.h) {
        long long total;
        bills_selected(app, NULL, 0, &total);
        char m[32];
        money_yuan(total, m, sizeof m);
        /* TRANSLATORS: the amount of the bills ticked, where the longer
         * "%d bills selected, total %s" does not fit. */
        snprintf(line, sizeof line, _("Total %s"), m);
    }
    ui_label_fit(f, "list.total", r, line, th->px_title, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    SDL_Rect b1 = screen_button_pair(f, &buttons, side);
    ui_button(f, "list.pay_qr", b1, _("Pay with your phone (scan a QR code)"), UI_BTN_PRIMARY, n > 0);
    ui_button(f, "list.pay_code", buttons, _("Show your payment code"), UI_BTN_SECONDARY, n > 0);
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    SDL_Rect in = ui_inset(content, th->gap);
    if (b->acc.n == 0) {
        screen_card(f, "list", in);
        ui_label(f, "list.empty", ui_inset(in, th->pad * 2), _("No bills to show. Please look them up again."),
                 th->px_large, th->text, th->surface, UI_ALIGN_LEFT, true);
        return;
    }
    tabs(app, f, &in);
    int ai = b->shown < b->acc.n ? b->shown : 0;
    bool portrait = f->height > f->width;
    char line[160];
    total_text(app, line, sizeof line);
    SDL_Rect left, right;
    int pw;
    bool side_by_side = false;
    if (portrait) {
        /* bills (as tall as they need), then the chart (if there is room), then paying */
        pw = in.w - th->pad * 4;
        int pay_h = ui_wrapped_height(f, th->px_title, line, pw) + th->target * 2 + th->gap * 2 + th->pad * 4;
        int bh = bills_height(app, f, ai);
        /* a small panel where the bills would be squeezed: the two pay
         * buttons side by side */
        if (theme_min_target_px(th) > 0 && bh > in.h - pay_h - th->gap) {
            side_by_side = true;
            /* (thin margins, below; the total at the size that holds it on one line) */
            pay_h -= th->target + th->gap + th->pad * 3 + ui_wrapped_height(f, th->px_title, line, pw) -
                     ui_wrapped_height(f, th->px_body, line, pw);
            bh = in.h - pay_h - th->gap;      /* the bills get what paying leaves */
        }
        if (bh > in.h - pay_h - th->gap) bh = in.h - pay_h - th->gap;
        left = ui_cut_top(&in, bh);
        in.y += th->gap; in.h -= th->gap;
        right = in;
    } else {
        left = (SDL_Rect){in.x, in.y, in.w * 3 / 5, in.h};
        right = (SDL_Rect){left.x + left.w + th->gap, in.y, in.w - left.w - th->gap, in.h};
        pw = right.w - th->pad * 4;
    }
    /* A small panel: the cards' margins give way before a bill row or the
     * total would be lower than a finger (the head, a row and the pager;
     * the total and the two pay buttons). */
    int margin = th->pad * 2;
    if (side_by_side) margin = th->pad / 2;
    if (theme_min_target_px(th) > 0 &&
        left.h - margin * 2 < ui_text_line_height(f->text, th->px_large) + th->pad + th->target * 2 + th->gap)
        margin = th->pad / 2;
    screen_card(f, "list.bills", left);
    bill_rows(app, f, ui_inset(left, margin), ai);
    screen_card(f, "list.side", right);
    SDL_Rect side = ui_inset(right, margin);
    /* the pay box keeps what it needs; the chart gets the rest */
    int pay_h = ui_wrapped_height(f, th->px_title, line, pw) + th->target * 2 + th->gap * 2;
    if (side_by_side)
        pay_h = ui_wrapped_height(f, th->px_body, line, pw) + th->target + th->gap;
    SDL_Rect pb = ui_cut_bottom(&side, pay_h < side.h ? pay_h : side.h);
    side.h -= th->pad * 2;
    if (side.h >= th->target * 2) chart(f, side, &b->acc.a[ai]);
    pay_box(app, f, pb, side_by_side);
}

static bool action(app_t *app, const char *id)
{
    bills_t *b = app->bills;
    int i, j;
    if (!strcmp(id, "list.next") || !strcmp(id, "list.prev")) {
        b->bill_page += id[5] == 'n' ? 1 : -1;     /* past the last page: the build starts again */
        if (b->bill_page < 0) b->bill_page = 0;
        app->dirty = true;
        return true;
    }
    if (sscanf(id, "list.acct.%d", &i) == 1) {
        if (i >= 0 && i < b->acc.n) b->shown = i;
        b->bill_page = 0;
        app->dirty = true;
        return true;
    }
    if (sscanf(id, "list.bill.%d.%d", &i, &j) == 2) {
        bills_toggle(app, i, j);
        return true;
    }
    if (!strcmp(id, "list.pay_qr")) {
        bills_pay(app, PAY_QR);
        return true;
    }
    if (!strcmp(id, "list.pay_code")) {
        bills_pay(app, PAY_CODE);
        return true;
    }
    return false;
}

const screen_t screen_bills_list = {"bills_list", true, true, NULL, build, action, NULL};
