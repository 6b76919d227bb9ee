/* Housekeeping: the confirmation (what will be booked, for whom), the
 * booking done (check-in code as text and QR code, receipt printing), and
 * one's own bookings with cancelling. Plus the helpers of services/housekeeping/hk.h. */
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "core/money.h"
#include "services/housekeeping/hk.h"
#include "ui/physical.h"
#include "ui/qr.h"

/* ---- helpers --------------------------------------------------------------------- */

int hk_card_margin(ui_frame_t *f, SDL_Rect card)
{
    const theme_t *th = f->th;
    return screen_small_card(f, card) ? th->pad / 2 : th->pad * 2;
}

int hk_cell_height_n(ui_frame_t *f, int min, int lines2)
{
    const theme_t *th = f->th;
    int h = ui_text_line_height(f->text, th->px_large) +
            ui_text_line_height(f->text, th->px_body) * lines2 + th->pad;
    return h > min ? h : min;
}

int hk_cell_height(ui_frame_t *f, int min)
{
    return hk_cell_height_n(f, min, 1);
}

void hk_cell(ui_frame_t *f, const char *id, SDL_Rect r, const char *line1, const char *line2,
             bool selected, bool enabled)
{
    const theme_t *th = f->th;
    SDL_Color bg = !enabled ? th->disabled : selected ? th->primary : th->surface;
    SDL_Color fg = !enabled ? th->on_disabled : selected ? th->on_primary : th->text;
    ui_widget_t *w = ui_add(f, UI_RECT, id, r, NULL);
    w->flags = enabled ? UI_F_CLICK : UI_F_DISABLED;
    w->bg = bg;
    w->radius = th->radius;
    w->border = selected ? th->text : th->border;
    w->border_w = 2;
    char part[UI_ID_LEN + 8];
    SDL_Rect in = ui_inset(r, th->pad / 2);
    /* the lines share the height as their fonts' line heights do */
    int l1 = ui_text_line_height(f->text, th->px_large), l2 = ui_text_line_height(f->text, th->px_body);
    int lines2 = line2 ? 1 + (strchr(line2, '\n') != NULL) : 0;
    int h1 = line2 ? in.h * l1 / (l1 + l2 * lines2) : in.h;
    snprintf(part, sizeof part, "%s.1", id);
    char first[96];
    /* the chosen cell is marked by a tick and a thick border, not by colour alone */
    snprintf(first, sizeof first, "%s%s", selected ? "\xE2\x9C\x93 " : "", line1);
    if (selected) w->border_w = 6;
    ui_widget_t *a = ui_label_fit(f, part, (SDL_Rect){in.x, in.y, in.w, h1}, first, th->px_large,
                                  th->px_small, fg, bg, UI_ALIGN_CENTER, false);
    a->flags |= UI_F_BOLD;
    a->valign_center = true;
    if (line2) {
        snprintf(part, sizeof part, "%s.2", id);
        ui_label_fit(f, part, (SDL_Rect){in.x, in.y + h1, in.w, in.h - h1}, line2, th->px_body,
                     th->px_small, fg, bg, UI_ALIGN_CENTER, lines2 > 1);
    }
}

ui_widget_t *hk_button(ui_frame_t *f, const char *id, SDL_Rect r, const char *label,
                       ui_btn_style_t style, bool enabled)
{
    const theme_t *th = f->th;
    ui_widget_t *w = ui_button(f, id, r, label, style, enabled);
    int fitted = w->px;                       /* what ui_button made of it */
    if (w->px < th->px_body) w->px = th->px_body;
    while (w->px > th->px_body && ui_text_width(f->text, w->px, label, -1) > w->r.w - th->pad)
        w->px = w->px - 2 > th->px_body ? w->px - 2 : th->px_body;
    /* two lines at body size, where the button is high enough, before
     * text smaller than body size (the panel's physical minimum) */
    if (ui_text_width(f->text, w->px, label, -1) > w->r.w - th->pad &&
        ui_wrapped_height(f, w->px, label, w->r.w - th->pad) <= 2 * ui_text_line_height(f->text, w->px) &&
        ui_wrapped_height(f, w->px, label, w->r.w - th->pad) <= w->r.h) {
        w->flags |= UI_F_WRAP;
        return w;
    }
    if (fitted < w->px) w->px = fitted;
    while (w->px > th->px_small && ui_text_width(f->text, w->px, label, -1) > w->r.w - th->pad)
        w->px -= 2;
    if (ui_text_width(f->text, w->px, label, -1) > w->r.w) w->flags |= UI_F_ELLIPSIS;
    return w;
}

void hk_price_text(const hub_hk_service_t *s, char *out, size_t len)
{
    char m[32], d[64];
    money_yuan(s->price_fen, m, sizeof m);
    if (s->duration_min % 60 == 0) snprintf(d, sizeof d, _("%d hours"), s->duration_min / 60);
    else snprintf(d, sizeof d, _("%d minutes"), s->duration_min);
    snprintf(out, len, _("%s per visit, about %s"), m, d);
}

/* "Service / day hours / provider" lines of slot S of service NAME. */
static void slot_lines(const char *name, const hub_hk_slot_t *s, char *out, size_t len)
{
    char day[48], hours[32];
    hk_day_text(s->start, day, sizeof day);
    hk_hours_text(s, hours, sizeof hours);
    snprintf(out, len, "%s\n%s %s\n%s", name, day, hours, s->provider);
}

/* ---- confirm ------------------------------------------------------------------------ */

static void confirm_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    if (!hk) return;
    const hub_hk_service_t *s = hk_current(app);
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "hk.confirm", in);
    SDL_Rect t = ui_inset(in, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&t, th->target);
    t.h -= th->pad;
    screen_title(f, "hk.confirm.title", &t, _("Please check your booking"), th->surface);
    char text[800], lines[400], who[128], price[160];
    slot_lines(s ? hk_service_name(app, s) : "", &hk->slot, lines, sizeof lines);
    hk_who_text(app, who, sizeof who);
    price[0] = '\0';
    if (s) hk_price_text(s, price, sizeof price);
    snprintf(text, sizeof text, "%s\n%s\n%s %s", lines, price, _("For:"), who);
    const char *msg = hk->busy ? _("Booking...") : hk->msg;
    int mh = msg[0] ? ui_wrapped_height(f, th->px_large, msg, t.w) : 0;
    if (mh > t.h / 2) mh = t.h / 2;
    SDL_Rect mr = ui_cut_bottom(&t, mh);
    /* Landscape large text: what and when on the left, the price and for
     * whom on the right, rather than the last lines cut. */
    if (f->width > f->height && ui_wrapped_height(f, th->px_body, text, t.w) > t.h) {
        SDL_Rect right = t;
        t.w = (t.w - th->gap) / 2;
        right.x = t.x + t.w + th->gap;
        right.w -= t.w + th->gap;
        snprintf(text, sizeof text, "%s\n%s %s", price, _("For:"), who);
        ui_label_fit(f, "hk.confirm.text2", right, text, th->px_large, th->px_small, th->text,
                     th->surface, UI_ALIGN_LEFT, true);
        snprintf(text, sizeof text, "%s", lines);
    }
    ui_label_fit(f, "hk.confirm.text", t, text, th->px_large, th->px_small, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    if (msg[0])
        ui_label_fit(f, "hk.confirm.msg", mr, msg, th->px_large, th->px_small,
                     hk->busy ? th->text : th->text, th->surface, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    SDL_Rect b1 = {buttons.x, buttons.y, (buttons.w - th->gap) / 2, buttons.h};
    SDL_Rect b2 = {b1.x + b1.w + th->gap, buttons.y, b1.w, buttons.h};
    hk_button(f, "hk.confirm.ok", b1, _("Book"), UI_BTN_PRIMARY, !hk->busy);
    hk_button(f, "hk.confirm.change", b2, _("Choose another time"), UI_BTN_SECONDARY, !hk->busy);
}

static bool confirm_action(app_t *app, const char *id)
{
    if (!app->hk) return false;
    if (!strcmp(id, "hk.confirm.ok")) {
        hk_book(app);
        return true;
    }
    if (!strcmp(id, "hk.confirm.change")) {
        if (app->hk->busy) return true;
        app->hk->msg[0] = '\0';
        while (app->depth > 0 && app->screen != SCR_HK_SLOTS) app_back(app);
        return true;
    }
    return false;
}

const screen_t screen_hk_confirm = {"hk_confirm", true, true, NULL, confirm_build, confirm_action, NULL};

/* ---- done ------------------------------------------------------------------------------ */

static void done_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    if (!hk) return;
    const hub_hk_booking_t *b = &hk->booking;
    SDL_Rect in = ui_inset(content, th->gap);
    screen_card(f, "hk.done", in);
    SDL_Rect t = ui_inset(in, hk_card_margin(f, in));
    SDL_Rect buttons = ui_cut_bottom(&t, th->target);
    t.h -= th->pad;
    bool portrait = f->height > f->width;
    int q = t.w / 2;
    SDL_Rect qr = {t.x + (t.w - q) / 2, t.y + t.h - q, q, q};
    if (portrait) t.h -= q + th->pad;

    int d = th->target;
    /* a small panel: the badge (not a button) as high as the title's line,
     * so that what was booked keeps its room */
    if (theme_min_target_px(th) > 0 && t.h < th->target * 4)
        d = ui_text_line_height(f->text, th->px_title);
    SDL_Rect row = ui_cut_top(&t, d);
    ui_widget_t *dot = ui_add(f, UI_CIRCLE, "hk.done.badge", (SDL_Rect){row.x, row.y, d, d}, NULL);
    dot->bg = th->primary;
    ui_label(f, "hk.done.icon", (SDL_Rect){row.x, row.y, d, d}, "\xE2\x9C\x93", d * 11 / 20,
             th->on_primary, th->primary, UI_ALIGN_CENTER, false)->valign_center = true;
    ui_label_fit(f, "hk.done.title", (SDL_Rect){row.x + d + th->pad, row.y, row.w - d - th->pad, d},
                 hk->pending ? _("Saved: waiting for confirmation") : _("Booked"), th->px_huge,
                 th->px_title, th->text, th->surface, UI_ALIGN_LEFT, false)
        ->valign_center = true;
    t.y += th->pad; t.h -= th->pad;
    /* Landscape large text: when what was booked and the sentence about
     * the slip do not fit beside the code, the sentence takes the card's
     * whole width under both. */
    const char *slip = app->receipt_qr[0]
        ? _("The printer cannot print right now: keep the code with your phone from the QR code.")
        : _("Your booking slip is being printed. Show the code to the provider when they arrive.");
    char lines[400], text[900];
    slot_lines(hk_booking_service(app, b), &b->slot, lines, sizeof lines);
    snprintf(text, sizeof text, "%s\n%s %s%s%s\n%s", lines, _("For:"), b->name,
             b->phone[0] ? "  " : "", b->phone[0] ? b->phone : b->id_number, slip);
    /* Upright on a panel of known size: the QR code under the words gives
     * way, down to 30 mm (a phone reads it from 30 cm), before what was
     * booked would be cut. */
    if (portrait && !hk->pending && th->mm_per_px > 0) {
        int words = ui_text_line_height(f->text, th->px_body) + ui_text_line_height(f->text, th->px_huge) +
                    th->pad + ui_wrapped_height(f, th->px_body, text, t.w);
        int min_q = phys_px_for_mm(UI_QR_MIN_MM, th->mm_per_px);
        int give = words - t.h;
        if (give > q - min_q) give = q - min_q;
        if (give > 0) {
            q -= give;
            qr = (SDL_Rect){t.x + (t.w - q) / 2, qr.y + give, q, q};
            t.h += give;
        }
    }
    if (!portrait && !hk->pending &&
        ui_wrapped_height(f, th->px_body, text, t.w - t.w / 2 - th->gap) > t.h) {
        int spx = th->px_body, sh = ui_wrapped_height(f, spx, slip, t.w);
        if (sh > ui_text_line_height(f->text, spx)) {    /* one line, smaller, if it can */
            spx = th->px_small;
            sh = ui_wrapped_height(f, spx, slip, t.w);
        }
        ui_label_fit(f, "hk.done.slip", ui_cut_bottom(&t, sh), slip, spx, th->px_small,
                     th->text, th->surface, UI_ALIGN_LEFT, true);
        t.h -= th->pad;
        snprintf(text, sizeof text, "%s\n%s %s%s%s", lines, _("For:"), b->name,
                 b->phone[0] ? "  " : "", b->phone[0] ? b->phone : b->id_number);
    }
    /* landscape: the code and its QR in a left column, what was booked
     * (service, day and time, provider, for whom) beside it at full size */
    SDL_Rect side = t;
    if (!portrait) {
        side.w = t.w / 2;
        t.x += side.w + th->gap;
        t.w -= side.w + th->gap;
    }
    int lh = ui_text_line_height(f->text, th->px_body);
    if (!portrait) {
        /* the QR code under the code where the column has room, else beside
         * it, as tall as label and code (large text) */
        int code_h = lh + ui_text_line_height(f->text, th->px_huge);
        int below = side.h - code_h - th->pad;
        if (below >= side.w / 3) {
            q = below < side.w * 2 / 3 ? below : side.w * 2 / 3;
            qr = (SDL_Rect){side.x, side.y + code_h + th->pad, q, q};
        } else {
            q = code_h;
            qr = (SDL_Rect){side.x + side.w - q, side.y, q, q};
            side.w -= q + th->pad;
        }
    }
    SDL_Rect *cr = portrait ? &t : &side;
    ui_label_fit(f, "hk.done.codelabel", ui_cut_top(cr, lh),
                 hk->pending ? _("Your reference") : _("Check-in code"), th->px_body,
                 th->px_small, th->text_muted, th->surface, UI_ALIGN_LEFT, false);
    int ch = ui_text_line_height(f->text, th->px_huge);
    char shown[HUB_HK_CODE_LEN + 4];        /* "482 913": read in two groups */
    hub_hk_code_show(b->code, shown, sizeof shown);
    ui_label_fit(f, "hk.done.code", ui_cut_top(cr, ch), hk->pending ? hk->pending_ref : shown,
                 th->px_huge, th->px_body, th->text, th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    if (portrait) {
        t.y += th->pad; t.h -= th->pad;
    }
    if (hk->pending) {
        /* Honest: nothing is confirmed yet. */
        const hub_hk_service_t *svc = hk_current(app);
        slot_lines(svc ? hk_service_name(app, svc) : "", &hk->slot, lines, sizeof lines);
        snprintf(text, sizeof text, "%s\n%s", lines,
                 _("The booking service cannot be reached right now. Your booking is saved on this kiosk and is sent as soon as the connection is back; it is not confirmed yet. Keep the reference, and look under \"My bookings\" on your next visit, or call the office."));
        ui_label_fit(f, "hk.done.text", t, text, th->px_large, th->px_small, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
        char ref[40];
        snprintf(ref, sizeof ref, "XFL-BOOK-REF:%s", hk->pending_ref);
        ui_qr(f, "hk.done.qr", qr, ref);
        SDL_Rect p1 = {buttons.x, buttons.y, (buttons.w - th->gap) / 2, buttons.h};
        hk_button(f, "hk.done.finish", p1, _("Finish"), UI_BTN_PRIMARY, true);
        return;
    }
    ui_label_fit(f, "hk.done.text", t, text, th->px_large, th->px_small, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    char payload[32];
    snprintf(payload, sizeof payload, "XFL-BOOK:%s", b->code);
    ui_qr(f, "hk.done.qr", qr, payload);
    SDL_Rect b1 = {buttons.x, buttons.y, (buttons.w - th->gap) / 2, buttons.h};
    SDL_Rect b2 = {b1.x + b1.w + th->gap, buttons.y, b1.w, buttons.h};
    hk_button(f, "hk.done.finish", b1, _("Finish"), UI_BTN_PRIMARY, true);
    hk_button(f, "hk.done.mine", b2, _("My bookings"), UI_BTN_SECONDARY, true);
}

static bool done_action(app_t *app, const char *id)
{
    if (!strcmp(id, "hk.done.finish")) {
        app_end_session(app, "finished");
        return true;
    }
    if (!strcmp(id, "hk.done.mine")) {
        hk_open_mine(app);
        return true;
    }
    return false;
}

const screen_t screen_hk_done = {"hk_done", true, true, NULL, done_build, done_action, NULL};

/* ---- my bookings ------------------------------------------------------------------------ */

static bool cancellable(const hub_hk_booking_t *b)
{
    return !b->cancelled && b->slot.start > clock_wall();
}

/* A booking's two lines: service, day and time; provider, code, state. */
static void mine_lines(app_t *app, const hub_hk_booking_t *b, char *l1, size_t n1, char *l2, size_t n2)
{
    char day[48], hours[32], code[HUB_HK_CODE_LEN + 4];
    hk_day_text(b->slot.start, day, sizeof day);
    hk_hours_text(&b->slot, hours, sizeof hours);
    hub_hk_code_show(b->code, code, sizeof code);
    snprintf(l1, n1, "%s  %s %s", hk_booking_service(app, b), day, hours);
    snprintf(l2, n2, _("%s, code %s, %s"), b->slot.provider, code,
             b->cancelled ? _("cancelled") : _("confirmed"));
}

static void mine_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    if (!hk) return;
    SDL_Rect in = ui_inset(content, th->gap);
    char who[128], title[200];
    hk_who_text(app, who, sizeof who);
    snprintf(title, sizeof title, _("My bookings (%s)"), who);
    int h = ui_text_line_height(f->text, th->px_title);
    ui_label_fit(f, "hk.mine.title", ui_cut_top(&in, h), title, th->px_title, th->px_body,
                 th->text, th->bg, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    in.y += th->pad; in.h -= th->pad;
    const char *msg = hk->busy ? _("Looking up your bookings...")
                    : hk->msg[0] ? hk->msg
                    : hk->have_mine && hk->mine.n == 0 ? _("No bookings were found for this phone or ID number.")
                    : NULL;
    if (msg) {
        int mh = ui_wrapped_height(f, th->px_large, msg, in.w);
        if (mh > in.h / 3) mh = in.h / 3;
        ui_label_fit(f, "hk.mine.msg", ui_cut_top(&in, mh), msg, th->px_large, th->px_small,
                     th->text, th->bg, UI_ALIGN_LEFT, true);
        in.y += th->pad; in.h -= th->pad;
    }
    if (hk->earlier[0]) {            /* bookings saved here while the hub was away */
        int eh = ui_wrapped_height(f, th->px_body, hk->earlier, in.w);
        if (eh > in.h / 3) eh = in.h / 3;
        ui_label_fit(f, "hk.mine.earlier", ui_cut_top(&in, eh), hk->earlier, th->px_body,
                     th->px_small, th->text, th->bg, UI_ALIGN_LEFT, true);
        in.y += th->pad; in.h -= th->pad;
    }
    if (!hk->have_mine || hk->mine.n == 0) return;
    /* Large text, or a line too long for the row even small (high
     * contrast, portrait): each of the two lines may take two, never cut
     * (the date, the time and the check-in code are what the resident
     * came for). */
    bool two = th->id == THEME_ELDER;
    for (int i = 0; i < hk->mine.n && !two; i++) {
        char l1[300], l2[300];
        mine_lines(app, &hk->mine.b[i], l1, sizeof l1, l2, sizeof l2);
        int tw = in.w - th->pad * 2;
        tw -= tw / 3 + th->pad;                          /* beside the cancel button */
        two = ui_text_width(f->text, th->px_small, l1, -1) > tw ||
              ui_text_width(f->text, th->px_small, l2, -1) > tw;
    }
    int lines_h = (ui_text_line_height(f->text, th->px_large) + ui_text_line_height(f->text, th->px_body)) *
                  (two ? 2 : 1) + th->pad * 2;
    int row_h = th->target * 2 > lines_h ? th->target * 2 : lines_h;
    int rows = (in.h + th->gap / 2) / (row_h + th->gap / 2);
    if (rows < 1) rows = 1;
    int n = hk->mine.n;
    bool paged = n > rows;
    int room = paged ? rows - 1 : rows;
    if (room < 1) room = 1;
    int first = paged ? (hk->mine_page * room) % n : 0;
    for (int i = first, k = 0; i < n && k < room; i++, k++) {
        const hub_hk_booking_t *b = &hk->mine.b[i];
        SDL_Rect r = ui_cut_top(&in, row_h);
        in.y += th->gap / 2; in.h -= th->gap / 2;
        char id[UI_ID_LEN - 8], part[UI_ID_LEN], l1[300], l2[300];
        snprintf(id, sizeof id, "hk.mine.%d", i);
        ui_widget_t *card = screen_card(f, id, r);
        card->radius = th->radius;
        SDL_Rect t = ui_inset(r, th->pad);
        int bw = t.w / 3;
        SDL_Rect br = {t.x + t.w - bw, t.y + (t.h - th->target) / 2, bw, th->target};
        t.w -= bw + th->pad;
        mine_lines(app, b, l1, sizeof l1, l2, sizeof l2);
        int la = ui_text_line_height(f->text, th->px_large), lb = ui_text_line_height(f->text, th->px_body);
        int h1 = t.h * la / (la + lb);
        snprintf(part, sizeof part, "%s.1", id);
        ui_label_fit(f, part, (SDL_Rect){t.x, t.y, t.w, h1}, l1, th->px_large, th->px_small,
                     th->text, th->surface, UI_ALIGN_LEFT, two)->flags |= UI_F_BOLD;
        snprintf(part, sizeof part, "%s.2", id);
        ui_label_fit(f, part, (SDL_Rect){t.x, t.y + h1, t.w, t.h - h1}, l2, th->px_body,
                     th->px_small, b->cancelled ? th->text_muted : th->text, th->surface,
                     UI_ALIGN_LEFT, two);
        if (cancellable(b)) {
            snprintf(part, sizeof part, "hk.cancel.%d", i);
            hk_button(f, part, br, _("Cancel booking"), UI_BTN_DANGER, !hk->busy);
        }
    }
    if (paged) {
        SDL_Rect r = ui_cut_top(&in, th->target);
        hk_button(f, "hk.mine.more", (SDL_Rect){r.x, r.y, r.w / 2, r.h}, _("More bookings"),
                  UI_BTN_SECONDARY, true);
    }
    if (hk->cancel_ask >= 0 && hk->cancel_ask < n) {
        const hub_hk_booking_t *b = &hk->mine.b[hk->cancel_ask];
        char body[400], day[48], hours[32];
        hk_day_text(b->slot.start, day, sizeof day);
        hk_hours_text(&b->slot, hours, sizeof hours);
        snprintf(body, sizeof body, "%s %s %s, %s", hk_booking_service(app, b), day, hours,
                 b->slot.provider);
        SDL_Rect area = ui_modal(f, "hk.ask", _("Cancel booking?"), body, th->target);
        SDL_Rect a = {area.x, area.y, (area.w - th->gap) / 2, th->target};
        SDL_Rect c = {a.x + a.w + th->gap, area.y, a.w, th->target};
        hk_button(f, "hk.ask.no", a, _("Keep it"), UI_BTN_SECONDARY, true);
        hk_button(f, "hk.ask.yes", c, _("Yes, cancel it"), UI_BTN_DANGER, true);
    }
}

static bool mine_action(app_t *app, const char *id)
{
    struct hk_state *hk = app->hk;
    int i;
    if (!hk) return false;
    if (sscanf(id, "hk.cancel.%d", &i) == 1) {
        if (i >= 0 && i < hk->mine.n && cancellable(&hk->mine.b[i])) hk->cancel_ask = i;
        hk->msg[0] = '\0';
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "hk.ask.yes")) {
        hk_cancel(app, hk->cancel_ask);
        return true;
    }
    if (!strcmp(id, "hk.ask.no")) {
        hk->cancel_ask = -1;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "hk.mine.more")) {
        hk->mine_page++;
        app->dirty = true;
        return true;
    }
    return false;
}

const screen_t screen_hk_mine = {"hk_mine", true, true, NULL, mine_build, mine_action, NULL};
