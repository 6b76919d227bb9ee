/* Paying by payment code: the resident opens the payment code (付款码) in
 * WeChat or Alipay and holds the phone under the scanner. The code goes
 * straight to the payment engine (never kept); the payment may need the
 * resident's confirmation on the phone (USERPAYING), followed here with a
 * countdown. A payment code is not taken while the hub cannot be reached. */
#include <string.h>
#include "core/i18n.h"
#include "services/bills/pay.h"
#include "services/identify/identify_service.h"

static void enter(app_t *app)
{
    if (!app->bills->pay_started) identify_service_enter(app);
}

static void leave(app_t *app)
{
    identify_service_leave(app);
    bills_pay_cancel(app);     /* no-op once final */
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const bills_t *b = app->bills;
    const pay_event_t *p = &b->pay;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "pay.panel", in);
    SDL_Rect t = ui_inset(in, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&t, th->target);
    t.h -= th->pad;
    if (!b->pay_started) {
        bool any = app->cfg.scanner_uri[0] || app->cfg.camera_uri[0];
        const char *msg = b->code_msg[0] ? b->code_msg
                        : b->hub_ok == 0 ? _("The payment service cannot be reached right now, so no payment code is taken. Please pay with a QR code later, or ask staff.")
                        : !any ? _("No scanner is connected to this kiosk. Please pay with a QR code instead.")
                        : b->hub_ok < 0 ? _("Checking the connection to the payment service...")
                        : _("The kiosk reads the code by itself. Hold the phone still for a moment.");
        /* The message (why not, what to do instead) is never cut: when it
         * would be (large text, a small panel), the heading and the amount
         * above it get smaller, as on the QR screen. */
        const char *title = _("Open the payment code in WeChat or Alipay and hold your phone under the scanner");
        int big = ui_wrapped_height(f, th->px_large, title, t.w) + th->pad +
                  ui_text_line_height(f->text, th->px_huge) + th->pad +
                  ui_wrapped_height(f, th->px_body, msg, t.w);
        bool compact = big > t.h;
        pay_heading_at(f, "pay.title", &t, title, compact ? th->px_body : th->px_large);
        pay_amount_at(app, f, &t, th->surface, compact ? th->px_title : th->px_huge);
        ui_label_fit(f, "pay.status", t, msg, th->px_large, th->px_body, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
        SDL_Rect b1 = {buttons.x, buttons.y, (buttons.w - th->gap) / 2, buttons.h};
        SDL_Rect b2 = {b1.x + b1.w + th->gap, buttons.y, b1.w, buttons.h};
        ui_button(f, "pay.use_qr", b1, _("Pay with a QR code instead"), UI_BTN_SECONDARY, true);
        ui_button(f, "pay.cancel", b2, _("Cancel"), UI_BTN_SECONDARY, true);
        return;
    }
    pay_heading(f, "pay.title", &t,
                p->state == PAY_USERPAYING ? _("Please confirm the payment on your phone")
                                           : _("Paying with your payment code"));
    /* landscape: what to do beside the amount and the time left, so large
     * text keeps the whole instruction */
    SDL_Rect st = t;
    if (f->width > f->height) {
        t.w = (t.w - th->gap) / 2;
        st.x = t.x + t.w + th->gap;
        st.w = t.w;
        st.h = buttons.y + buttons.h - st.y;   /* the cancel button is on the left only */
    }
    pay_amount(app, f, &t, th->surface);
    if (p->state == PAY_USERPAYING) pay_countdown(app, f, &t, app->cfg.pay_code_window_s);
    if (f->width <= f->height) st = t;
    ui_label_fit(f, "pay.status", st, pay_status_text(app), th->px_large, th->px_body, th->text,
                 th->surface, UI_ALIGN_LEFT, true);
    bool can_cancel = p->state == PAY_USERPAYING || p->state == PAY_CREATING;
    ui_button(f, "pay.cancel", (SDL_Rect){buttons.x, buttons.y, buttons.w / 2, buttons.h},
              _("Cancel payment"), UI_BTN_SECONDARY, can_cancel);
}

static bool action(app_t *app, const char *id)
{
    if (pay_leave_action(app, id)) return true;
    bills_t *b = app->bills;
    if (!strcmp(id, "pay.cancel")) {
        if (!b->pay_started) {
            b->paying = false;
            app_back(app);
        } else {
            bills_pay_cancel(app);
        }
        return true;
    }
    if (!strcmp(id, "pay.use_qr") && !b->pay_started) {
        b->paying = false;
        app_back(app);                 /* to the list, then on to the QR */
        bills_pay(app, PAY_QR);
        return true;
    }
    return false;
}

const screen_t screen_pay_code = {"pay_code", true, true, enter, build, action, leave};
