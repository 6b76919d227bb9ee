/* Paying by QR code: the order's code_url as a large QR code for the
 * resident's WeChat or Alipay, the amount, a countdown, and cancel. The
 * engine polls the order; the screen changes when it is final. Leaving the
 * screen (home, back) gives the payment up: the order is closed. */
#include <string.h>
#include "core/i18n.h"
#include "ui/physical.h"
#include "ui/qr.h"
#include "services/bills/pay.h"

/* Height the words take at their small sizes in a column W wide. */
static int words_h(app_t *app, ui_frame_t *f, const char *title, int w, int count_h)
{
    const theme_t *th = f->th;
    return ui_wrapped_height(f, th->px_body, title, w) + th->pad +
           ui_text_line_height(f->text, th->px_title) + th->pad + count_h +
           ui_wrapped_height(f, th->px_body, pay_status_text(app), w);
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const pay_event_t *p = &app->bills->pay;
    SDL_Rect in = ui_inset(content, th->gap);
    bool portrait = f->height > f->width;
    /* the code large, the words beside (under) it never squeezed out */
    int side = portrait ? in.w * 7 / 10 : in.h - th->target - th->gap;
    if (portrait && side > in.h / 3) side = in.h / 3;
    if (!portrait && side > in.w * 2 / 5) side = in.w * 2 / 5;
    int count_h = p->state == PAY_WAITING && app->bills->deadline_mono ? pay_countdown_h(f) + th->pad : 0;
    const char *title = _("Scan this code with WeChat or Alipay to pay");
    int min_side = th->mm_per_px > 0 ? phys_px_for_mm(UI_QR_MIN_MM, th->mm_per_px) + th->pad * 2 : 0;
    /* (there, the panel's margins are thinner too) */
    int inner = th->pad * 2;
    if (!portrait && min_side > 0 &&
        words_h(app, f, title, in.w - side - th->gap - inner * 2, count_h) > in.h - inner * 2)
        inner = th->pad;
    while (!portrait && min_side > 0 && side - 8 >= min_side &&
           words_h(app, f, title, in.w - side - th->gap - inner * 2, count_h) > in.h - inner * 2)
        side -= 8;
    /* upright: the words and the cancel button under the code */
    if (portrait && min_side > 0 &&
        words_h(app, f, title, in.w - inner * 2, count_h) > in.h - side - th->gap - inner * 2 - th->target - th->pad)
        inner = th->pad;
    while (portrait && min_side > 0 && side - 8 >= min_side &&
           words_h(app, f, title, in.w - inner * 2, count_h) > in.h - side - th->gap - inner * 2 - th->target - th->pad)
        side -= 8;
    SDL_Rect qr_card = portrait ? (SDL_Rect){in.x + (in.w - side) / 2, in.y, side, side}
                                : (SDL_Rect){in.x, in.y, side, side};
    SDL_Rect text = portrait ? (SDL_Rect){in.x, in.y + side + th->gap, in.w, in.h - side - th->gap}
                             : (SDL_Rect){in.x + side + th->gap, in.y, in.w - side - th->gap, in.h};
    ui_widget_t *qc = ui_panel(f, "pay.qrcard", qr_card, (SDL_Color){255, 255, 255, 255});
    qc->radius = th->radius * 2;
    qc->border = th->border;
    qc->border_w = 2;
    bool show_qr = p->state == PAY_WAITING && p->code_url[0];
    if (show_qr) {
        ui_qr(f, "pay.qr", ui_inset(qr_card, th->pad), p->code_url);
    } else {
        ui_label_fit(f, "pay.qrwait", ui_inset(qr_card, th->pad * 2),
                     p->state == PAY_CANCELLING ? _("Cancelling the payment...")
                                                : _("Preparing the payment QR code..."),
                     th->px_large, th->px_body, (SDL_Color){40, 40, 40, 255},
                     (SDL_Color){255, 255, 255, 255}, UI_ALIGN_CENTER, true)->valign_center = true;
    }

    screen_card(f, "pay.panel", text);
    SDL_Rect t = ui_inset(text, inner);
    /* landscape: cancel under the code, so the words get the panel's height */
    SDL_Rect buttons = portrait ? ui_cut_bottom(&t, th->target)
                                : (SDL_Rect){qr_card.x, qr_card.y + side + th->gap, side, th->target};
    if (portrait) t.h -= th->pad;
    /* The status sentence (what to do, what happens next) is never cut:
     * when it would be, the heading and the amount above it get smaller. */
    int status_h = ui_wrapped_height(f, th->px_body, pay_status_text(app), t.w);
    int big = ui_wrapped_height(f, th->px_large, title, t.w) + th->pad +
              ui_text_line_height(f->text, th->px_huge) + th->pad + count_h + status_h;
    bool compact = big > t.h;
    pay_heading_at(f, "pay.title", &t, title, compact ? th->px_body : th->px_large);
    pay_amount_at(app, f, &t, th->surface, compact ? th->px_title : th->px_huge);
    if (p->state == PAY_WAITING) pay_countdown(app, f, &t, app->cfg.pay_qr_window_s);
    ui_label_fit(f, "pay.status", t, pay_status_text(app), th->px_large, th->px_body, th->text,
                 th->surface, UI_ALIGN_LEFT, true);
    bool can_cancel = p->state == PAY_WAITING || p->state == PAY_CREATING;
    ui_button(f, "pay.cancel", buttons, _("Cancel payment"), UI_BTN_SECONDARY, can_cancel);
}

static bool action(app_t *app, const char *id)
{
    if (pay_leave_action(app, id)) return true;
    if (!strcmp(id, "pay.cancel")) {
        bills_pay_cancel(app);
        return true;
    }
    return false;
}

static void leave(app_t *app)
{
    bills_pay_cancel(app);     /* no-op once final */
}

const screen_t screen_pay_qr = {"pay_qr", true, true, NULL, build, action, leave};
