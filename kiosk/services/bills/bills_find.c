/* Finding a household's bills, three ways: the account number typed on a
 * keypad (utility first), the QR code of a paper bill, or the resident's ID
 * card. The answer comes from the look-up worker (services/bills/bills.c); these screens
 * show "looking up" meanwhile and the reason when nothing was found. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "core/log.h"
#include "app/screens.h"
#include "services/bills/bills.h"
#include "services/identify/identify_service.h"

/* ---- how to find: three large tiles ----------------------------------- */

typedef struct {
    const char *id, *badge, *title, *sub;
} way_t;

static const way_t ways[3] = {
    {"bills.account", N_("icon:account"), N_("Account number"), N_("Type the number on your bill")},
    {"bills.qr", N_("icon:paperbill"), N_("Paper bill"), N_("Scan the QR code on the bill")},
    {"bills.card", N_("icon:idcard"), N_("ID card"), N_("All accounts in your name")},
};

static void find_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_title(f, "bills.title", &in, _("How would you like to find your bill?"), th->bg);
    bool portrait = f->height > f->width;
    for (int i = 0; i < 3; i++) {
        SDL_Rect cell = ui_grid_cell(in, portrait ? 1 : 3, portrait ? 3 : 1, th->gap, i);
        ui_tile(f, ways[i].id, cell, th->tile[i == 0 ? 0 : i == 1 ? 3 : 4], th->on_tile,
                _(ways[i].badge), _(ways[i].title), _(ways[i].sub));
    }
}

static bool find_action(app_t *app, const char *id)
{
    bills_t *b = app->bills;
    if (!strcmp(id, "bills.account")) {
        b->msg[0] = '\0';
        app_go(app, SCR_BILLS_ACCOUNT);
        return true;
    }
    if (!strcmp(id, "bills.qr") || !strcmp(id, "bills.card")) {
        b->msg[0] = '\0';
        app_go(app, SCR_BILLS_SCAN);
        /* A card already read in this visit (the ID card tile) is not asked
         * for twice. */
        if (!strcmp(id, "bills.card") && app->session.pii.id_number[0] && app->screen == SCR_BILLS_SCAN)
            bills_find_id(app, app->session.pii.id_number);
        return true;
    }
    return false;
}

const screen_t screen_bills = {"bills", true, true, NULL, find_build, find_action, NULL};

/* ---- account number ------------------------------------------------------ */

static void account_enter(app_t *app)
{
    app->bills->busy = false;
}

static void keys(app_t *app, ui_frame_t *f, SDL_Rect pad);

/* The number typed so far, in BOX at DPX; EMPTY before the first digit. */
static void digits_box(ui_frame_t *f, const bills_t *b, SDL_Rect box, int dpx, const char *empty)
{
    const theme_t *th = f->th;
    ui_widget_t *bw = ui_panel(f, "acct.box", box, th->surface);
    bw->border = th->border;
    bw->border_w = 2;
    bw->radius = th->radius;
    const char *shown = b->n_digits ? b->digits : empty;
    ui_label_fit(f, "acct.digits", ui_inset(box, (box.h - ui_text_line_height(f->text, dpx)) / 2), shown,
                 dpx, th->px_body, b->n_digits ? th->text : th->text_muted, th->surface,
                 UI_ALIGN_LEFT, false)->valign_center = true;
}

static void account_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    SDL_Rect in = ui_inset(content, th->gap);
    SDL_Rect pad, left;
    screen_keypad_split(f, in, &left, &pad);
    /* A small landscape panel where a row of four services would be
     * narrower than a finger: as on a calculator, the number over the keys
     * (three rows of four) on the right, the services two by two on the
     * left under their step; the number's step stands in its empty box. */
    int min_w = theme_min_target_px(th);
    bool calc = f->width > f->height && min_w > 0 && (left.w - 3 * (th->gap / 8)) / 4 < min_w;
    if (calc) {
        int kw = 4 * th->target + 3 * (th->gap / 8);
        pad = (SDL_Rect){in.x + in.w - kw, in.y, kw, in.h};
        left = (SDL_Rect){in.x, in.y, in.w - kw - th->gap, in.h};
        int dpx = th->px_title;
        /* TRANSLATORS: the second step, shown in the empty number box where the screen is small */
        digits_box(f, b, ui_cut_top(&pad, ui_text_line_height(f->text, dpx) + th->pad), dpx,
                   _("2. Type the account number"));
        pad.y += th->gap / 2; pad.h -= th->gap / 2;
    }
    /* upright, the same where the keypad below leaves the words too little
     * room: the first step as the title, the second in the number's box */
    bool steps = calc;
    if (!calc && f->height > f->width && min_w > 0) {
        const char *both = _("1. Choose the service  2. Type the account number");
        int room = ui_wrapped_height(f, th->px_title, both, left.w) + th->pad + th->target +
                   ui_text_line_height(f->text, th->px_title) + th->pad * 2 +
                   ui_wrapped_height(f, th->px_small, _("The account number is printed at the top of your paper bill."),
                                     left.w);
        steps = room > left.h;
    }
    if (steps) {
        /* the step on one line if a smaller size holds it: the hint and
         * the services keep their room */
        /* TRANSLATORS: the first of the two steps, on its own where the screen is small */
        const char *step = _("1. Choose the service");
        int tpx = th->px_large;
        while (tpx > th->px_body && ui_text_width(f->text, tpx, step, -1) > left.w) tpx -= 2;
        ui_label(f, "acct.title", ui_cut_top(&left, ui_wrapped_height(f, tpx, step, left.w)), step, tpx,
                 th->text, th->bg, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
        left.y += th->pad; left.h -= th->pad;
    } else {
        screen_title(f, "acct.title", &left, _("1. Choose the service  2. Type the account number"), th->bg);
    }

    /* the four utilities, as large toggles */
    int row_h = th->target;
    /* one row of four where two rows would leave the box and the hint no
     * room (large text) */
    int need = ui_text_line_height(f->text, th->px_title) + th->pad * 2 +
               ui_wrapped_height(f, th->px_small, _("The account number is printed at the top of your paper bill."), left.w);
    int urows = calc || left.h - (row_h * 2 + th->gap) >= need ? 2 : 1;
    SDL_Rect row = ui_cut_top(&left, urows == 2 ? row_h * 2 + th->gap : row_h);
    /* (a small panel: thin gaps in the row of four, so each keeps the
     * target width) */
    int ug = calc ? th->gap / 4 : urows == 1 && screen_small_card(f, content) ? th->gap / 8 : th->gap / (3 - urows);
    for (int i = 0; i < BILLS_UTILITIES; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "acct.utility.%d", i);
        SDL_Rect c = ui_grid_cell(row, 4 / urows, urows, ug, i);
        ui_widget_t *w = ui_button(f, id, c, bills_utility_name(bills_utility_ids[i]),
                                   b->utility == i ? UI_BTN_PRIMARY : UI_BTN_SECONDARY, !b->busy);
        if (b->utility == i) w->flags |= UI_F_BOLD;
    }
    /* What to do next is never squeezed out: in large text the spacing,
     * then the number's size, give way to it. */
    const char *msg = b->busy ? _("Looking up your bills...")
                    : b->msg[0] ? b->msg
                    : _("The account number is printed at the top of your paper bill.");
    if (calc) {
        left.y += th->pad; left.h -= th->pad;
        ui_label_fit(f, "acct.msg", left, msg, th->px_large, th->px_small, th->text, th->bg,
                     UI_ALIGN_LEFT, true);
        keys(app, f, pad);
        return;
    }
    int msg_h = ui_wrapped_height(f, th->px_small, msg, left.w);
    int sp = th->pad * 2, dpx = th->px_huge;
    int lh = ui_text_line_height(f->text, dpx) + th->pad * 2;
    if (sp * 2 + lh + msg_h > left.h) sp = th->pad / 2;
    if (sp * 2 + lh + msg_h > left.h) {
        dpx = th->px_title;
        lh = ui_text_line_height(f->text, dpx) + th->pad;
    }
    left.y += sp; left.h -= sp;

    /* the number so far, in a box */
    digits_box(f, b, ui_cut_top(&left, lh), dpx, steps ? _("2. Type the account number") : _("Account number"));
    left.y += sp; left.h -= sp;

    ui_label_fit(f, "acct.msg", left, msg, th->px_large, th->px_small, th->text, th->bg,
                 UI_ALIGN_LEFT, true);
    keys(app, f, pad);
}

/* The keypad in PAD; its keys greyed while the bills are looked up. */
static void keys(app_t *app, ui_frame_t *f, SDL_Rect pad)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    bool ok = !b->busy && b->utility >= 0 && b->n_digits >= 6;
    ui_keypad(f, "acct.key", pad, ok);
    if (b->busy)
        for (int i = 0; i < f->n; i++)
            if (!strncmp(f->w[i].id, "acct.key.", 9)) {
                f->w[i].flags |= UI_F_DISABLED;
                f->w[i].bg = th->disabled;
                f->w[i].fg = th->on_disabled;
            }
}

static bool account_action(app_t *app, const char *id)
{
    bills_t *b = app->bills;
    if (b->busy) return false;
    if (!strncmp(id, "acct.utility.", 13)) {
        b->utility = id[13] - '0';
        b->msg[0] = '\0';
        app->dirty = true;
        return true;
    }
    if (strncmp(id, "acct.key.", 9) != 0) return false;
    const char *k = id + 9;
    if (!strcmp(k, "del")) {
        if (b->n_digits > 0) b->digits[--b->n_digits] = '\0';
    } else if (!strcmp(k, "ok")) {
        bills_find_account(app);
    } else if (k[0] >= '0' && k[0] <= '9' && !k[1] && b->n_digits < 20) {
        b->digits[b->n_digits++] = k[0];
        b->digits[b->n_digits] = '\0';
        b->msg[0] = '\0';
    }
    app->dirty = true;
    return true;
}

const screen_t screen_bills_account = {"bills_account", true, true, account_enter, account_build,
                                       account_action, NULL};

/* ---- paper bill QR or ID card ---------------------------------------------- */

static void scan_enter(app_t *app)
{
    app->bills->busy = false;
    identify_service_enter(app);
}

void bills_scan_result(app_t *app, ident_event_t *ev)
{
    bills_t *b = app->bills;
    if (b->busy) {                        /* one look-up at a time */
        identify_event_free(ev);
        return;
    }
    if (ev->kind == IDENT_CARD) {
        app_remind_card(app);       /* the card is read: before the resident walks off */
        if (ev->result == IDCARD_OK) {
            session_pii_t *p = &app->session.pii;
            snprintf(p->name, sizeof p->name, "%s", ev->card.name);
            snprintf(p->id_number, sizeof p->id_number, "%.*s", (int)sizeof p->id_number - 1,
                     ev->card.id_number);
            bills_find_id(app, p->id_number);
        } else {
            snprintf(b->msg, sizeof b->msg, "%s",
                     _("This ID card could not be used. Please use the account number on your bill."));
        }
    } else if (ev->kind == IDENT_CODE && ev->info.cls == QR_CLASS_RESIDENT_CODE) {
        /* The community resident code stands for the ID card: every account
         * of its resident, once the hub has checked it. */
        session_pii_t *p = &app->session.pii;
        if (rescode_format(&ev->info.resident, p->rescode, sizeof p->rescode) > 0) {
            log_info("bills", "scan: resident code");
            bills_find_rescode(app, p->rescode);
        } else {
            explicit_bzero(p->rescode, sizeof p->rescode);
        }
    } else if (ev->kind == IDENT_CODE && ev->info.cls == QR_CLASS_PAPER_BILL) {
        char payload[BILLQR_MAX + 1];
        billqr_format(&ev->info.bill, payload, sizeof payload);
        bills_find_qr(app, payload);
    } else if (ev->kind == IDENT_CODE) {
        snprintf(b->msg, sizeof b->msg, "%s",
                 ev->info.near_miss == QR_CLASS_PAPER_BILL
                     ? _("This bill QR code could not be read correctly. Please type the account number instead.")
                 : ev->info.near_miss == QR_CLASS_RESIDENT_CODE
                     ? _("This resident code could not be read correctly. Please show it again, or use your ID card.")
                     : _("This is not the QR code of a bill. Please show the code printed on your paper bill."));
        log_info("bills", "scan: not a bill (%s)", ev->info.reason[0] ? ev->info.reason : "other");
    } else {
        snprintf(b->msg, sizeof b->msg, "%s",
                 _("The reader is not working right now. Please use the account number, or ask staff."));
    }
    identify_event_free(ev);
    app->dirty = true;
}

static void scan_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "bscan", in);
    in = ui_inset(in, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&in, th->target);
    in.h -= th->pad;
    screen_title(f, "bscan.title", &in,
                 _("Show the QR code on your paper bill to the scanner, or place your ID card on the reader"),
                 th->surface);
    in.y += th->pad; in.h -= th->pad;
    bool any = app->cfg.idcard_uri[0] || app->cfg.scanner_uri[0] || app->cfg.camera_uri[0];
    const char *msg = b->busy ? _("Looking up your bills...")
                    : b->msg[0] ? b->msg
                    : !any ? _("No card reader or scanner is connected to this kiosk. Please use the account number.")
                    : _("Hold it still until you hear the beep.");
    ui_label_fit(f, "bscan.msg", in, msg, th->px_large, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    SDL_Rect bt = {buttons.x, buttons.y, buttons.w / 2, buttons.h};
    ui_button(f, "bscan.account", bt, _("Type the number instead"), UI_BTN_SECONDARY, !b->busy);
}

static bool scan_action(app_t *app, const char *id)
{
    if (!strcmp(id, "bscan.account")) {
        app->bills->msg[0] = '\0';
        app_go(app, SCR_BILLS_ACCOUNT);
        return true;
    }
    return false;
}

const screen_t screen_bills_scan = {"bills_scan", true, true, scan_enter, scan_build, scan_action,
                                    identify_service_leave};
