/* Housekeeping: a large calendar of the next two weeks and the free times
 * of the chosen day (or, after a slot was taken meanwhile, the other free
 * times the hub offers); then identification by ID card or phone number. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "mask.h"
#include "services/housekeeping/hk.h"
#include "services/identify/identify_service.h"

#define CST (8 * 3600)

/* ---- the calendar and the free times ----------------------------------------- */

static const char *const wd[7] = {N_("Sun"), N_("Mon"), N_("Tue"), N_("Wed"),
                                  N_("Thu"), N_("Fri"), N_("Sat")};

/* Days a row: 7, else 5, else 4, the first whose cells are a touch target
 * wide and hold "Tomorrow" (and every weekday) whole at the small size. */
static int calendar_cols(ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    int widest = ui_text_width(f->text, th->px_small, _("Today"), -1);
    int w = ui_text_width(f->text, th->px_small, _("Tomorrow"), -1);
    if (w > widest) widest = w;
    for (int i = 0; i < 7; i++) {
        w = ui_text_width(f->text, th->px_small, _(wd[i]), -1);
        if (w > widest) widest = w;
    }
    static const int choices[] = {7, 5, 4};
    for (int i = 0; i < 3; i++) {
        int c = choices[i];
        int cell = (r.w - (c - 1) * th->gap / 2) / c;
        if (cell >= th->target && cell - th->pad >= widest) return c;
    }
    return 4;
}

static void calendar(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    time_t now = clock_wall();
    int cols = calendar_cols(f, r), rows = (HK_DAYS + cols - 1) / cols;
    for (int d = 0; d < HK_DAYS; d++) {
        time_t t = now + (time_t)d * 86400 + CST;
        struct tm tm;
        gmtime_r(&t, &tm);
        char id[UI_ID_LEN], big[16], small[48];
        snprintf(id, sizeof id, "hk.day.%d", d);
        /* the month only where it changes: "12/1", then "2", "3"... */
        if (tm.tm_mday == 1) snprintf(big, sizeof big, "%d/%d", tm.tm_mon + 1, tm.tm_mday);
        else snprintf(big, sizeof big, "%d", tm.tm_mday);
        if (d == 0) snprintf(small, sizeof small, "%s", _("Today"));
        else if (d == 1) snprintf(small, sizeof small, "%s", _("Tomorrow"));
        else snprintf(small, sizeof small, "%s", _(wd[tm.tm_wday]));
        hk_cell(f, id, ui_grid_cell(r, cols, rows, th->gap / 2, d), big, small,
                d == hk->day && !hk->alternatives, !hk->busy);
    }
}

static int calendar_height(ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    int cols = calendar_cols(f, r), rows = (HK_DAYS + cols - 1) / cols;
    return rows * hk_cell_height(f, th->target * 5 / 4) + (rows - 1) * th->gap / 2;
}

/* A time's provider and places: "安心家政服务部：剩余2个名额（共2个）", or
 * with TWO the places on a line of their own. */
static void slot_places(const hub_hk_slot_t *s, bool two, char *out, size_t len)
{
    char places[96];
    if (!two) {
        if (s->left <= 0) snprintf(out, len, _("%s: fully booked"), s->provider);
        else snprintf(out, len, _("%s: %d of %d places free"), s->provider, s->left, s->capacity);
        return;
    }
    if (s->left <= 0) snprintf(places, sizeof places, "%s", _("Fully booked"));
    else snprintf(places, sizeof places, _("%d of %d places free"), s->left, s->capacity);
    snprintf(out, len, "%s\n%s", s->provider, places);
}

/* Whether every time's provider and places fit one line of a cell (of
 * COLS across IN), at the small size. */
static bool places_fit(ui_frame_t *f, const struct hk_state *hk, SDL_Rect in, int cols)
{
    const theme_t *th = f->th;
    int inner = ui_grid_cell((SDL_Rect){in.x, in.y, in.w, th->target}, cols, 1, th->gap / 2, 0).w - th->pad;
    char l2[200];
    for (int i = 0; i < hk->slots.n; i++) {
        slot_places(&hk->slots.s[i], false, l2, sizeof l2);
        if (ui_text_width(f->text, th->px_small, l2, -1) > inner) return false;
    }
    return true;
}

/* Time I in R: its hours (and day, among the times offered instead) over
 * its provider and places, on TWO lines where the cell is narrow. */
static void slot_cell(app_t *app, ui_frame_t *f, int i, SDL_Rect r, bool two)
{
    const struct hk_state *hk = app->hk;
    const hub_hk_slot_t *s = &hk->slots.s[i];
    char id[UI_ID_LEN], hours[32], line[100], l2[200];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    hk_hours_text(s, hours, sizeof hours);
    if (hk->alternatives) {
        char day[48];
        hk_day_text(s->start, day, sizeof day);
        snprintf(line, sizeof line, "%s %s", day, hours);
    } else {
        snprintf(line, sizeof line, "%s", hours);
    }
    slot_places(s, two, l2, sizeof l2);
    hk_cell(f, id, r, line, l2, false, s->left > 0);
}

/* A short panel (large text, 10.1" landscape) where the message leaves
 * the times one row too low for their places on a line of their own: one
 * time a page, in a cell wide enough for its provider and places on one
 * line, beside "More times". False (nothing drawn) where even that does
 * not hold. */
static bool one_wide(app_t *app, ui_frame_t *f, SDL_Rect in)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    int n = hk->slots.n;
    if (in.h < hk_cell_height(f, th->target)) return false;
    SDL_Rect cell = {in.x, in.y, n > 1 ? (in.w - th->gap / 2) * 2 / 3 : in.w, in.h};
    if (!places_fit(f, hk, cell, 1)) return false;
    slot_cell(app, f, n > 1 ? hk->slot_page % n : 0, cell, false);
    if (n > 1)
        hk_button(f, "hk.slots.more", (SDL_Rect){cell.x + cell.w + th->gap / 2, in.y,
                                                 in.w - cell.w - th->gap / 2, in.h},
                  _("More times"), UI_BTN_SECONDARY, true);
    return true;
}

static void times(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    char line[300];
    screen_card(f, "hk.times", r);
    SDL_Rect in = ui_inset(r, th->pad * 2);
    const char *msg = NULL;
    if (hk->busy) msg = _("Looking for free times...");
    else if (hk->msg[0]) msg = hk->msg;
    else if (hk->have_slots && hk->slots.n == 0) msg = _("No free times on this day. Please choose another day.");
    if (hk->alternatives) {
        msg = hk->msg[0] ? hk->msg : _("These times are still free:");
    } else if (hk->day >= 0) {
        char day[48];
        hk_day_text(clock_wall() + (time_t)hk->day * 86400, day, sizeof day);
        snprintf(line, sizeof line, _("Free times on %s"), day);
        int h = ui_text_line_height(f->text, th->px_large);
        ui_label_fit(f, "hk.times.title", ui_cut_top(&in, h), line, th->px_large, th->px_body,
                     th->text, th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
        in.y += th->pad / 2; in.h -= th->pad / 2;
    }
    if (msg) {
        int h = ui_wrapped_height(f, th->px_large, msg, in.w);
        if (h > in.h / 2) h = in.h / 2;
        ui_label_fit(f, "hk.times.msg", ui_cut_top(&in, h), msg, th->px_large, th->px_small,
                     th->text, th->surface, UI_ALIGN_LEFT, true);
        in.y += th->pad; in.h -= th->pad;
    }
    if (hk->busy || !hk->have_slots || hk->slots.n == 0) return;
    int cols = f->width > f->height ? 3 : 2;
    if (th->id == THEME_ELDER) cols--;     /* large text: wider cells, the provider whole */
    /* A provider and its places too long for one line of a cell even small
     * (high contrast, portrait, long names): one column fewer, wider cells;
     * failing that the places get a line of their own in every cell. Fewer
     * cells fit a page either way ("More times" pages the rest). */
    bool two = !places_fit(f, hk, in, cols);
    if (two && cols > 1 && places_fit(f, hk, in, cols - 1)) {
        /* ... as long as a page still holds a time and "More times" */
        int h1 = hk_cell_height(f, th->target * 3 / 2);
        int r1 = (in.h + th->gap / 2) / (h1 + th->gap / 2);
        if ((cols - 1) * (r1 > 1 ? r1 : 1) >= 2 || hk->slots.n <= cols - 1) {
            cols--;
            two = false;
        }
    }
    int cell_h = hk_cell_height_n(f, th->target * 3 / 2, two ? 2 : 1);
    int rows = (in.h + th->gap / 2) / (cell_h + th->gap / 2);
    bool squeezed = rows < 1;
    if (squeezed) {               /* never under the navigation bar */
        rows = 1;
        cell_h = in.h;
    }
    int n = hk->slots.n;
    if (squeezed && two && one_wide(app, f, in))
        return;
    int per = cols * rows;
    bool paged = n > per;
    int room = paged ? per - 1 : per;
    int first = paged ? (hk->slot_page * room) % n : 0;
    SDL_Rect grid = {in.x, in.y, in.w, rows * cell_h + (rows - 1) * th->gap / 2};
    int k = 0;
    for (int i = first; i < n && k < room; i++, k++)
        slot_cell(app, f, i, ui_grid_cell(grid, cols, rows, th->gap / 2, k), two);
    if (paged)
        hk_button(f, "hk.slots.more", ui_grid_cell(grid, cols, rows, th->gap / 2, per - 1),
                  _("More times"), UI_BTN_SECONDARY, true);
}

/* The chosen day on one row, with the way back to the calendar. */
static void day_bar(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    char text[96], day[48];
    text[0] = '\0';
    if (hk->day >= 0 && !hk->alternatives) {
        hk_day_text(clock_wall() + (time_t)hk->day * 86400, day, sizeof day);
        snprintf(text, sizeof text, "%s  %s", hk->day == 0 ? _("Today") : hk->day == 1 ? _("Tomorrow") : "",
                 day);
    }
    int bw = r.w / 3;
    if (text[0])
        ui_label_fit(f, "hk.dayshown", (SDL_Rect){r.x, r.y, r.w - bw - th->gap, r.h}, text, th->px_large,
                     th->px_body, th->text, th->bg, UI_ALIGN_LEFT, false)->valign_center = true;
    hk_button(f, "hk.days", (SDL_Rect){r.x + r.w - bw, r.y, bw, r.h}, _("Choose another day"),
              UI_BTN_SECONDARY, !hk->busy);
}

static void slots_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    if (!app->hk) return;
    SDL_Rect in = ui_inset(content, th->gap);
    const hub_hk_service_t *s = hk_current(app);
    char title[200];
    snprintf(title, sizeof title, _("%s: choose a day, then a free time"), s ? hk_service_name(app, s) : "");
    int h = ui_text_line_height(f->text, th->px_title);
    /* too long for one line even at body size (portrait, large text): two */
    bool wrap = ui_text_width(f->text, th->px_body, title, -1) > in.w;
    if (wrap) h = ui_wrapped_height(f, th->px_large, title, in.w);
    /* Large text has no room for both: once a day is chosen the calendar
     * folds into one row (the day and "other day"), and the free times
     * get the screen. With no day to show (other times offered), "other
     * day" shares the title's row instead. */
    int ch = calendar_height(f, in);
    int need = h + th->pad + ch + th->gap + hk_cell_height(f, th->target * 3 / 2) * 2 +
               th->pad * 6 + ui_text_line_height(f->text, th->px_large);   /* the times' title */
    /* (the standard layout folds only when the times would get no row at
     * all: a small panel) */
    int need1 = need - hk_cell_height(f, th->target * 3 / 2);
    bool fold = (th->id != THEME_STANDARD ? need > in.h : need1 > in.h) &&
                (app->hk->day >= 0 || app->hk->alternatives) && !app->hk->days_open;
    /* (on a small panel too: the times' own title names the day) */
    bool share = fold && !wrap && (app->hk->day < 0 || app->hk->alternatives || screen_small_card(f, content));
    /* beside "other day" the title may not hold one line even at body
     * size (large text on a short panel): it wraps in the row, which grows
     * to its lines at body size where a target's height is not enough */
    int beside = in.w - in.w / 3 - th->gap;
    bool wrap_beside = share && ui_text_width(f->text, th->px_body, title, -1) > beside;
    if (wrap_beside) {
        int hw = ui_wrapped_height(f, th->px_body, title, beside);
        h = hw > th->target ? hw : th->target;
    }
    SDL_Rect tr = ui_cut_top(&in, share && h < th->target ? th->target : h);
    if (share) {
        int bw = tr.w / 3;
        hk_button(f, "hk.days", (SDL_Rect){tr.x + tr.w - bw, tr.y, bw, wrap_beside ? th->target : tr.h},
                  _("Choose another day"), UI_BTN_SECONDARY, !app->hk->busy);
        tr.w -= bw + th->gap;
    }
    ui_widget_t *tw = ui_label_fit(f, "hk.slots.title", tr, title,
                                   wrap || wrap_beside ? th->px_large : th->px_title, th->px_body, th->text,
                                   th->bg, UI_ALIGN_LEFT, wrap || wrap_beside);
    tw->flags |= UI_F_BOLD;
    tw->valign_center = share;
    in.y += th->pad; in.h -= th->pad;
    if (share) {
        /* the button is in the title's row */
    } else if (fold) {
        day_bar(app, f, ui_cut_top(&in, th->target));
    } else {
        calendar(app, f, ui_cut_top(&in, ch));
    }
    in.y += th->gap; in.h -= th->gap;
    times(app, f, in);
}

static bool slots_action(app_t *app, const char *id)
{
    int i;
    if (!app->hk) return false;
    if (sscanf(id, "hk.day.%d", &i) == 1) {
        app->hk->msg[0] = '\0';
        hk_pick_day(app, i);
        return true;
    }
    if (sscanf(id, "hk.slot.%d", &i) == 1) {
        hk_pick_slot(app, i);
        return true;
    }
    if (!strcmp(id, "hk.days")) {
        app->hk->days_open = true;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "hk.slots.more")) {
        app->hk->slot_page++;
        app->dirty = true;
        return true;
    }
    return false;
}

const screen_t screen_hk_slots = {"hk_slots", true, true, NULL, slots_build, slots_action, NULL};

/* ---- who: ID card or phone number --------------------------------------------- */

static void who_enter(app_t *app)
{
    if (!app->hk) return;
    struct hk_state *hk = app->hk;
    hk->msg[0] = '\0';
    hk->qr_refused = false;
    /* Back here (a wrong code found nothing): the phone is typed afresh,
     * and a typed code is forgotten; a slip's or this visit's stays. */
    if (hk->want_code) {
        sodium_memzero(hk->digits, sizeof hk->digits);
        hk->n_digits = 0;
    }
    hk->want_code = false;
    if (hk->proof_typed) {
        sodium_memzero(hk->proof_code, sizeof hk->proof_code);
        hk->proof_typed = false;
    }
    identify_service_enter(app);
}

static void who_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    if (!hk) return;
    SDL_Rect in = ui_inset(content, th->gap);
    SDL_Rect pad, left;
    screen_keypad_split(f, in, &left, &pad);
    bool any = app->cfg.idcard_uri[0] || app->cfg.scanner_uri[0] || app->cfg.camera_uri[0];
    const char *msg = hk->busy ? _("Looking up your bookings...")
                    : hk->msg[0] ? hk->msg
                    : hk->want_code ? hk_code_prompt()
                    : !any ? _("No card reader is connected to this kiosk. Please type your mobile number.")
                    : _("Your number is used only for this booking and is shown masked.");
    const char *title = hk->want_code ? _("Type a booking's check-in code")
                                      : _("Place your ID card on the reader, or type your mobile number");
    int lh = ui_text_line_height(f->text, th->px_huge) + th->pad * 2;
    int after_box = th->pad * 2;
    /* A short panel (large text, 10.1" landscape) where the title at its
     * size would leave the message too little room even at body size: the
     * title takes body size first, and the box a thinner margin below. */
    int msg_h = ui_wrapped_height(f, th->px_body, msg, left.w);
    int title_room = left.h - th->pad - lh - after_box - msg_h;
    if (title_room < screen_title_height(f, left, title)) {
        after_box = th->pad;
        title_room += th->pad;
        ui_label_fit(f, "hk.who.title", ui_cut_top(&left, title_room), title, th->px_large, th->px_body,
                     th->text, th->bg, UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
        left.y += th->pad; left.h -= th->pad;
    } else {
        screen_title(f, "hk.who.title", &left, title, th->bg);
    }

    SDL_Rect box = ui_cut_top(&left, lh);
    ui_widget_t *bw = ui_panel(f, "hk.who.box", box, th->surface);
    bw->border = th->border;
    bw->border_w = 2;
    bw->radius = th->radius;
    char shown[32];
    if (hk->want_code && hk->n_digits > 3)          /* "482 91": in groups as typed */
        snprintf(shown, sizeof shown, "%.3s %s", hk->digits, hk->digits + 3);
    else if (hk->want_code) snprintf(shown, sizeof shown, "%s", hk->digits);
    else if (hk->n_digits == 11) mask_phone(hk->digits, shown, sizeof shown);   /* complete: masked */
    else snprintf(shown, sizeof shown, "%s", hk->digits);
    const char *empty = hk->want_code ? _("Check-in code (6 digits)") : _("Mobile number");
    ui_label_fit(f, "hk.who.digits", ui_inset(box, th->pad), hk->n_digits ? shown : empty,
                 th->px_huge, th->px_body, hk->n_digits ? th->text : th->text_muted, th->surface,
                 UI_ALIGN_LEFT, false)->valign_center = true;
    left.y += after_box; left.h -= after_box;
    ui_label_fit(f, "hk.who.msg", left, msg, th->px_large, th->px_body, th->text, th->bg,
                 UI_ALIGN_LEFT, true);
    ui_keypad(f, "hk.key", pad, !hk->busy && hk->n_digits == (hk->want_code ? HUB_HK_CODE_DIGITS : 11));
}

static bool who_action(app_t *app, const char *id)
{
    if (!app->hk || strncmp(id, "hk.key.", 7) != 0) return false;
    hk_key(app, id + 7);
    return true;
}

const screen_t screen_hk_who = {"hk_who", true, true, who_enter, who_build, who_action,
                                identify_service_leave};
