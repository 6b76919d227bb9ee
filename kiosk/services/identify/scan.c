/* Scan / ID card: the resident places their ID card on the reader or shows a
 * QR code. While this screen is open a worker polls the devices
 * (services/identify/identify_service.h); what it reads is shown here, masked. The card's name and
 * number are kept in the session (session.pii) for the services that need
 * them, and wiped when the session ends. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "core/log.h"
#include "mask.h"
#include "app/speech.h"
#include "app/screens.h"
#include "app/service.h"
#include "services/identify/identify_service.h"

void identify_result(app_t *app, ident_event_t *ev)
{
    if (!ev) return;
    /* A result of a stopped worker (the screen was left, or the session
     * ended) belongs to nobody: drop it. */
    if (!app->identify->worker || ev->gen != app->identify->gen || app->session.state == SESSION_IDLE ||
        (app->screen != SCR_SCAN && app->screen != SCR_BILLS_SCAN && app->screen != SCR_PAY_CODE &&
         app->screen != SCR_HK_WHO)) {
        identify_event_free(ev);
        return;
    }
    /* Another service's screen asked for the devices: its read. */
    for (int i = 0; app_services[i]; i++)
        if (app_services[i]->identified && app_services[i]->identified(app, ev)) return;
    switch (ev->kind) {
    case IDENT_CARD: {
        session_pii_t *p = &app->session.pii;
        app_remind_card(app);       /* the card is read: before the resident walks off */
        app->identify->have_code = false;
        app->identify->card_bad = ev->result != IDCARD_OK;
        if (app->identify->card_bad) {
            /* Not trusted: shown masked so staff can look, never kept as the
             * resident's identity. */
            explicit_bzero(p, sizeof *p);
            mask_id(ev->card.id_number, app->identify->bad_id, sizeof app->identify->bad_id);
        } else {
            snprintf(p->name, sizeof p->name, "%s", ev->card.name);
            snprintf(p->id_number, sizeof p->id_number, "%.*s", (int)sizeof p->id_number - 1,
                     ev->card.id_number);
        }
        log_info("identify", "ID card read%s", app->identify->card_bad ? " (check digit wrong)" : "");
        break;
    }
    case IDENT_CODE:
        /* Kept for this screen as what it is; a payment code (money) and a
         * resident code's signature are not kept at all. */
        /* A resident code stands for the card for the rest of the visit
         * (a registration's name): kept with the session's personal data. */
        if (ev->info.cls == QR_CLASS_RESIDENT_CODE &&
            rescode_format(&ev->info.resident, app->session.pii.rescode, sizeof app->session.pii.rescode) < 0)
            explicit_bzero(app->session.pii.rescode, sizeof app->session.pii.rescode);
        app->identify->code = ev->info;
        app->identify->code_checked = ev->rescode_checked;
        snprintf(app->identify->code_name, sizeof app->identify->code_name, "%s", ev->rescode_name);
        if (ev->rescode_checked == -1)     /* the hub does not take it: not kept */
            explicit_bzero(app->session.pii.rescode, sizeof app->session.pii.rescode);
        explicit_bzero(app->identify->code.pay.code, sizeof app->identify->code.pay.code);
        explicit_bzero(app->identify->code.resident.mac, sizeof app->identify->code.resident.mac);
        app->identify->have_code = true;
        log_info("identify", "QR code read: %s", qr_class_name(ev->info.cls));
        break;
    default:
        app->identify->problem = true;
        break;
    }
    identify_event_free(ev);
    app->dirty = true;
}

static void yuan(long long fen, char *out, size_t len)
{
    snprintf(out, len, "\xC2\xA5%lld.%02lld", fen / 100, fen % 100);   /* ¥ */
}

/* What a scanned code means to the resident, in one or two sentences. */
static void code_text(const qr_info_t *q, char *title, size_t tlen, char *body, size_t blen)
{
    char a[64], b[64];
    switch (q->cls) {
    case QR_CLASS_PAPER_BILL:
        mask_id(q->bill.account, a, sizeof a);
        yuan(q->bill.amount_fen, b, sizeof b);
        snprintf(title, tlen, "%s", _("Paper bill"));
        snprintf(body, blen, _("Account %s, %s, amount %s. Paying bills at this kiosk is coming soon."),
                 a, q->bill.period, b);
        break;
    case QR_CLASS_PAYMENT_CODE:
        snprintf(title, tlen, "%s", _("Payment code"));
        snprintf(body, blen, "%s", _("This is a payment code. It is only read when you pay, on the payment screen."));
        break;
    case QR_CLASS_RESIDENT_CODE:
        snprintf(title, tlen, "%s", _("Resident code"));
        snprintf(body, blen, "%s", _("Your community resident code was read."));
        break;
    case QR_CLASS_BOOKING_CODE:
        snprintf(title, tlen, "%s", _("Booking check-in code"));
        snprintf(body, blen, _("Booking %s."), q->booking.code);
        break;
    case QR_CLASS_URL:
        snprintf(title, tlen, "%s", _("Web link"));
        snprintf(body, blen, _("A link to %s. Open it on your phone."), q->url.host);
        break;
    default:
        snprintf(title, tlen, "%s", _("Unknown code"));
        snprintf(body, blen, "%s", _("The kiosk does not know this code. Please ask staff."));
        break;
    }
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    SDL_Rect in = ui_inset(content, th->gap);
    ui_widget_t *card = ui_panel(f, "ident", in, th->surface);
    card->radius = th->radius * 2;
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    in = ui_inset(in, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&in, th->target);
    in.h -= th->pad;

    const session_pii_t *p = &app->session.pii;
    char title[128], body[400];
    if (app->identify->card_bad) {
        snprintf(title, sizeof title, "%s", _("This ID card could not be used"));
        snprintf(body, sizeof body, _("ID number %s does not pass its check. Please ask staff for help."),
                 app->identify->bad_id);
    } else if (p->id_number[0]) {
        char name[64], num[32];
        mask_name(p->name, name, sizeof name);
        mask_id(p->id_number, num, sizeof num);
        snprintf(title, sizeof title, _("Hello, %s"), name);
        snprintf(body, sizeof body, _("ID number %s. You are identified for this visit; your details are cleared when you finish."), num);
    } else if (app->identify->have_code && app->identify->code.cls == QR_CLASS_RESIDENT_CODE &&
               app->identify->code_checked != 0) {
        const identify_state_t *s = app->identify;
        if (s->code_checked == 1) {
            snprintf(title, sizeof title, _("Hello, %s"), s->code_name);
            snprintf(body, sizeof body, "%s", _("Your community resident code is valid. You are identified for this visit; your details are cleared when you finish."));
        } else if (s->code_checked == -1) {
            snprintf(title, sizeof title, "%s", _("This resident code cannot be used"));
            snprintf(body, sizeof body, "%s", _("It may have expired or been replaced by a newer one. Please ask staff for a new code, or use your ID card."));
        } else {
            snprintf(title, sizeof title, "%s", _("Resident code"));
            snprintf(body, sizeof body, "%s", _("Your resident code was read, but it cannot be checked right now. Please try again later, or use your ID card."));
        }
    } else if (app->identify->have_code) {
        code_text(&app->identify->code, title, sizeof title, body, sizeof body);
    } else {
        bool any = app->cfg.idcard_uri[0] || app->cfg.scanner_uri[0] || app->cfg.camera_uri[0];
        snprintf(title, sizeof title, "%s", _("Place your ID card on the reader, or show a QR code to the scanner"));
        snprintf(body, sizeof body, "%s",
                 !any ? _("No card reader or scanner is connected to this kiosk. Please ask staff.")
                 : app->identify->problem ? _("A reader is not working right now. Please try again, or ask staff.")
                 : _("Hold the card still until you hear the beep."));
    }
    int h = ui_wrapped_height(f, th->px_title, title, in.w);
    if (h > in.h / 2) h = in.h / 2;
    ui_label_fit(f, "ident.title", ui_cut_top(&in, h), title, th->px_title, th->px_large, th->text,
                 th->surface, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    in.y += th->pad * 2; in.h -= th->pad * 2;
    ui_label_fit(f, "ident.body", in, body, th->px_large, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    if (p->id_number[0]) {
        /* Identified: on to what a card is for, never a dead end. */
        SDL_Rect b1 = ui_grid_cell(buttons, 3, 1, th->gap, 0);
        ui_button(f, "ident.bills", b1, _("Pay bills"), UI_BTN_PRIMARY, true);
        ui_button(f, "ident.hk", ui_grid_cell(buttons, 3, 1, th->gap, 1), _("Housekeeping"),
                  UI_BTN_PRIMARY, true);
        ui_button(f, "ident.done", ui_grid_cell(buttons, 3, 1, th->gap, 2), _("Done"),
                  UI_BTN_SECONDARY, true);
        return;
    }
    SDL_Rect b = {buttons.x, buttons.y, buttons.w / 2, buttons.h};
    ui_button(f, "ident.done", b, _("Done"), UI_BTN_PRIMARY, true);
}

static bool action(app_t *app, const char *id)
{
    if (!strcmp(id, "ident.bills")) {
        app_go(app, SCR_BILLS);
        return true;
    }
    if (!strcmp(id, "ident.hk")) {
        app_go(app, SCR_HOUSEKEEPING);
        return true;
    }
    if (!strcmp(id, "ident.done")) {
        app_home(app);
        return true;
    }
    return false;
}

const screen_t screen_scan = {"scan", true, true, identify_service_enter, build, action,
                                  identify_service_leave};
