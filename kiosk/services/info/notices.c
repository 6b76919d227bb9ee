/* Notices, events, library and lectures: a list per category (tabs),
 * pinned and newest first as the hub sends them; a detail page in large
 * text with "take it with you" as a QR code of the text; registration for
 * events and lectures with places. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "services/info/info.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "mask.h"
#include "app/screens.h"
#include "utf8.h"

static const char *tab_name(int i)
{
    static const char *const names[INFO_TABS] = {N_("Notices"), N_("Events"), N_("Library"), N_("Lectures")};
    return _(names[i]);
}

static void date_text(time_t t, char *out, size_t len)
{
    struct tm tm;
    clock_cst(t, &tm);
    strftime(out, len, "%Y-%m-%d", &tm);
}

static void date_time_text(time_t t, char *out, size_t len)
{
    struct tm tm;
    clock_cst(t, &tm);
    strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

/* ---- the list ---------------------------------------------------------------- */

static void list_enter(app_t *app)
{
    if (app->info) info_show_tab(app, app->info->tab);
}

/* A row holds its title and its date line at their fonts' full line
 * heights (never shorter than one and a half targets). */
static int row_height(ui_frame_t *f)
{
    const theme_t *th = f->th;
    int h = ui_text_line_height(f->text, th->px_large) + ui_text_line_height(f->text, th->px_body) +
            th->pad;
    return h > th->target * 3 / 2 ? h : th->target * 3 / 2;
}

static int rows_fit(ui_frame_t *f, int h)
{
    const theme_t *th = f->th;
    return (h + th->gap / 2) / (row_height(f) + th->gap / 2);
}

static void list_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    SDL_Rect in = ui_inset(content, th->gap);
    SDL_Rect tabs = ui_cut_top(&in, th->target);
    for (int i = 0; i < INFO_TABS; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "info.tab.%d", i);
        ui_widget_t *w = ui_button(f, id, ui_grid_cell(tabs, INFO_TABS, 1, th->gap / 2, i), tab_name(i),
                                   s && s->tab == i ? UI_BTN_PRIMARY : UI_BTN_SECONDARY, true);
        if (s && s->tab == i) w->flags |= UI_F_BOLD;
    }
    in.y += th->gap; in.h -= th->gap;
    screen_card(f, "info.list", in);
    SDL_Rect r = ui_inset(in, th->pad * 2);
    if (!s || s->busy || !s->n) {
        const char *msg = !s ? _("Nothing to show right now.")
                        : s->busy ? _("Loading...") : s->msg[0] ? s->msg : _("Nothing to show right now.");
        ui_label_fit(f, "info.msg", r, msg, th->px_large, th->px_body, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
        return;
    }
    SDL_Rect pager = ui_cut_bottom(&r, th->target);
    r.h -= th->gap;
    int rows = rows_fit(f, r.h), row_h = row_height(f);
    if (rows < 1) rows = 1;
    if (s->first >= s->n) s->first = 0;
    for (int k = 0; k < rows && s->first + k < s->n; k++) {
        int i = s->first + k;
        const info_item_t *it = &s->items[i];
        SDL_Rect row = {r.x, r.y + k * (row_h + th->gap / 2), r.w, row_h};
        char id[UI_ID_LEN - 8], part[UI_ID_LEN], line[400], d[32];
        snprintf(id, sizeof id, "info.item.%d", i);
        ui_widget_t *w = ui_add(f, UI_RECT, id, row, NULL);
        w->flags = UI_F_CLICK;
        w->bg = th->bg;
        w->border = th->border;
        w->border_w = 2;
        w->radius = th->radius;
        SDL_Rect t = {row.x + th->pad, row.y + th->pad / 2, row.w - th->pad * 2, row.h - th->pad};
        int l1 = ui_text_line_height(f->text, th->px_large), l2 = ui_text_line_height(f->text, th->px_body);
        int h1 = t.h * l1 / (l1 + l2);
        snprintf(line, sizeof line, "%s%s", it->pinned ? _("[Pinned] ") : "", it->title);
        snprintf(part, sizeof part, "%s.title", id);
        ui_label_fit(f, part, (SDL_Rect){t.x, t.y, t.w, h1}, line, th->px_large, th->px_small, th->text,
                     th->bg, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
        date_text(it->published, d, sizeof d);
        if (it->places >= 0) {
            char pl[96];
            snprintf(pl, sizeof pl, _("%d of %d places left"), it->left, it->places);
            snprintf(line, sizeof line, "%s  \xC2\xB7  %s", d, pl);          /* · */
        } else
            snprintf(line, sizeof line, "%s", d);
        snprintf(part, sizeof part, "%s.meta", id);
        ui_label_fit(f, part, (SDL_Rect){t.x, t.y + h1, t.w, t.h - h1}, line, th->px_body, th->px_small,
                     th->text_muted, th->bg, UI_ALIGN_LEFT, false);
    }
    char page[64];
    snprintf(page, sizeof page, _("%d-%d of %d"), s->first + 1,
             s->first + rows < s->n ? s->first + rows : s->n, s->n);
    /* the buttons a quarter of the row each, a third where "Previous"
     * would read under the minimum (a narrow panel in large text) */
    int bw = pager.w / 4;
    if (!ui_button_label_fits(f, _("Previous"), bw, pager.h) || !ui_button_label_fits(f, _("Next"), bw, pager.h))
        bw = pager.w / 3;
    SDL_Rect b1 = {pager.x, pager.y, bw, pager.h};
    SDL_Rect b3 = {pager.x + pager.w - bw, pager.y, bw, pager.h};
    SDL_Rect mid = {b1.x + b1.w, pager.y, b3.x - b1.x - b1.w, pager.h};
    ui_button(f, "info.prev", b1, _("Previous"), UI_BTN_SECONDARY, s->first > 0);
    ui_label(f, "info.page", mid, s->offline ? _("Shown from this kiosk's copy") : page, th->px_body,
             th->text_muted, th->surface, UI_ALIGN_CENTER, false)->valign_center = true;
    ui_button(f, "info.next", b3, _("Next"), UI_BTN_SECONDARY, s->first + rows < s->n);
    s->page_rows = rows;
}

static bool list_action(app_t *app, const char *id)
{
    struct info_state *s = app->info;
    int i;
    if (!s) return false;
    if (sscanf(id, "info.tab.%d", &i) == 1) {
        info_show_tab(app, i);
        return true;
    }
    if (!strcmp(id, "info.prev")) {
        s->first -= s->page_rows;
        if (s->first < 0) s->first = 0;
        app->dirty = true;
        return true;
    }
    if (!strcmp(id, "info.next")) {
        if (s->first + s->page_rows < s->n) s->first += s->page_rows;
        app->dirty = true;
        return true;
    }
    if (sscanf(id, "info.item.%d", &i) == 1 && i >= 0 && i < s->n) {
        s->cur = s->items[i];
        s->reg_done = false;
        s->reg_msg[0] = '\0';
        app_go(app, SCR_NOTICE);
        return true;
    }
    return false;
}

const screen_t screen_notices = {"notices", true, false, list_enter, list_build, list_action, NULL};

/* ---- one item ------------------------------------------------------------------- */

/* The item as text for a phone to keep: title, date, body (cut to what a QR
 * code read from a screen holds comfortably). */
static void takeaway(const info_item_t *it, char *out, size_t len)
{
    char d[32];
    date_text(it->published, d, sizeof d);
    size_t n = (size_t)snprintf(out, len, "%s\n%s\n%s", it->title, d, it->body);
    if (n >= len) n = len - 1;
    n = utf8_floor(out, n);   /* whole characters */
    out[n] = '\0';
}

static void detail_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    if (!s) return;
    const info_item_t *it = &s->cur;
    SDL_Rect text, qr_card;
    screen_split_takeaway(f, ui_inset(content, th->gap), &text, &qr_card);
    screen_card(f, "notice", text);
    SDL_Rect t = ui_inset(text, th->pad * 2);
    screen_title(f, "notice.title", &t, it->title, th->surface);
    char meta[200], d[48], pl[96] = "";
    date_text(it->published, d, sizeof d);
    int len = snprintf(meta, sizeof meta, "%s", d);
    if (it->starts) {
        char st[48];
        date_time_text(it->starts, st, sizeof st);
        char what[96];
        snprintf(what, sizeof what, _("starts %s"), st);
        len += snprintf(meta + len, sizeof meta - (size_t)len, "  \xC2\xB7  %s", what);
    }
    int head_len = len;                 /* the dates, without the places */
    if (it->places >= 0 && len < (int)sizeof meta) {
        snprintf(pl, sizeof pl, _("%d of %d places left"), it->left, it->places);
        snprintf(meta + len, sizeof meta - (size_t)len, "  \xC2\xB7  %s", pl);
    }
    int body_room = t.h - th->pad - (it->places >= 0 ? th->target + th->pad : 0);
    bool pl_beside = false;             /* the places beside the register button */
    bool lines = ui_text_width(f->text, th->px_small, meta, -1) > t.w;
    int mh = ui_text_line_height(f->text, th->px_body);
    /* Too long for one line even small (portrait, large text): one fact a
     * line, so a date or a time is never broken or cut ... */
    for (int pass = 0; lines && pass < 2; pass++) {
        char one[sizeof meta];
        size_t o = 0;
        for (const char *p = meta; *p && o + 1 < sizeof one;) {
            if (!strncmp(p, "  \xC2\xB7  ", 6)) { one[o++] = '\n'; p += 6; }
            else one[o++] = *p++;
        }
        one[o] = '\0';
        /* ... unless that would cut the body instead (a small panel) */
        int lh_meta = ui_wrapped_height(f, th->px_body, one, t.w);
        int body = body_room - lh_meta;
        if (it->image[0] && body > th->target * 3) body = body * 3 / 5 - th->pad;
        if (ui_wrapped_height(f, th->px_small, it->body, t.w) <= body) {
            snprintf(meta, sizeof meta, "%s", one);
            mh = lh_meta;
            break;
        }
        /* then the places go beside the register button, where they
         * matter, and the dates try again on their own */
        if (pass || !pl[0]) { lines = false; break; }
        pl_beside = true;
        meta[head_len] = '\0';
        lines = ui_text_width(f->text, th->px_small, meta, -1) > t.w;
    }
    ui_label_fit(f, "notice.meta", ui_cut_top(&t, mh), meta, th->px_body, th->px_small, th->text_muted,
                 th->surface, UI_ALIGN_LEFT, lines);
    t.y += th->pad; t.h -= th->pad;
    if (it->places >= 0) {
        SDL_Rect b = ui_cut_bottom(&t, th->target);
        t.h -= th->pad;
        ui_button(f, "notice.register", (SDL_Rect){b.x, b.y, b.w / 2, b.h},
                  info_can_register(it) ? _("Register for this event") : _("Registration closed"),
                  UI_BTN_PRIMARY, info_can_register(it));
        if (pl_beside)
            ui_label_fit(f, "notice.places", (SDL_Rect){b.x + b.w / 2 + th->pad, b.y, b.w - b.w / 2 - th->pad, b.h},
                         pl, th->px_body, th->px_small, th->text_muted, th->surface, UI_ALIGN_LEFT,
                         true)->valign_center = true;
    }
    if (it->image[0] && t.h > th->target * 3) {
        /* the picture above the text, at most two fifths of the height */
        SDL_Rect pic = ui_cut_top(&t, t.h * 2 / 5);
        ui_image(f, "notice.image", pic, it->image);
        t.y += th->pad; t.h -= th->pad;
    }
    ui_label_fit(f, "notice.body", t, it->body, th->px_large, th->px_small, th->text, th->surface,
                 UI_ALIGN_LEFT, true);

    char payload[320];           /* a code a phone reads from a screen at arm's length */
    takeaway(it, payload, sizeof payload);
    screen_takeaway_qr(f, "notice", qr_card, payload);
}

static bool detail_action(app_t *app, const char *id)
{
    if (!strcmp(id, "notice.register") && app->info && info_can_register(&app->info->cur)) {
        struct info_state *s = app->info;
        explicit_bzero(s->phone, sizeof s->phone);
        s->n_phone = 0;
        s->reg_key[0] = s->reg_msg[0] = '\0';
        s->reg_done = false;
        app_go(app, SCR_REGISTER);
        return true;
    }
    return false;
}

const screen_t screen_notice = {"notice", true, false, NULL, detail_build, detail_action, NULL};

/* ---- registration ------------------------------------------------------------------ */

/* Who registers, the number typed and what to do, in LEFT. Where the usual
 * sizes cut the message (large text on a small panel), TIGHT 1: the title
 * takes only the lines it needs; 2: the number is shown at title size too,
 * in thinner gaps. */
static void reg_words(app_t *app, ui_frame_t *f, SDL_Rect left, int tight)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    char line[400];
    snprintf(line, sizeof line, _("Register for: %s"), s->cur.title);
    if (tight) screen_title_tight(f, "reg.title", &left, line, th->bg);
    else screen_title(f, "reg.title", &left, line, th->bg);
    const session_pii_t *p = &app->session.pii;
    if (p->name[0]) {
        char nm[64];
        mask_name(p->name, nm, sizeof nm);
        snprintf(line, sizeof line, _("Name: %s (from your ID card)"), nm);
    } else if (p->rescode[0]) {
        snprintf(line, sizeof line, "%s", _("Your name comes from your community resident code. Type your mobile phone number: the organisers will call you if plans change."));
    } else {
        snprintf(line, sizeof line, "%s", _("Type your mobile phone number. The organisers call it if plans change."));
    }
    int h = ui_wrapped_height(f, th->px_body, line, left.w);
    ui_label(f, "reg.who", ui_cut_top(&left, h), line, th->px_body, th->text, th->bg, UI_ALIGN_LEFT, true);
    int gap = tight > 1 ? th->pad / 2 : th->pad;
    left.y += gap; left.h -= gap;
    int num_px = tight > 1 ? th->px_title : th->px_huge;
    int lh = ui_text_line_height(f->text, num_px) + th->pad * 2;
    SDL_Rect box = ui_cut_top(&left, lh);
    ui_widget_t *bw = ui_panel(f, "reg.box", box, th->surface);
    bw->border = th->border;
    bw->border_w = 2;
    bw->radius = th->radius;
    char shown[24];
    if (s->n_phone == 11) mask_phone(s->phone, shown, sizeof shown);
    else snprintf(shown, sizeof shown, "%s", s->phone);
    ui_label_fit(f, "reg.phone", ui_inset(box, th->pad), s->n_phone ? shown : _("Mobile phone number"),
                 num_px, th->px_body, s->n_phone ? th->text : th->text_muted, th->surface,
                 UI_ALIGN_LEFT, false)->valign_center = true;
    gap = tight > 1 ? th->pad / 2 : th->pad * 2;
    left.y += gap; left.h -= gap;
    const char *msg = s->reg_busy ? _("Registering...") : s->reg_msg[0] ? s->reg_msg
                    : _("A mobile number has 11 digits and starts with 1.");
    ui_label_fit(f, "reg.msg", left, msg, th->px_large, th->px_body, th->text, th->bg, UI_ALIGN_LEFT, true);
}

static void reg_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    if (!s) return;
    SDL_Rect in = ui_inset(content, th->gap);
    SDL_Rect pad, left;
    screen_keypad_split(f, in, &left, &pad);
    ui_mark_t m = ui_mark(f);
    reg_words(app, f, left, 0);
    for (int tight = 1; tight <= 2 && ui_cut_since(f, m); tight++) {
        ui_rewind(f, m);
        reg_words(app, f, left, tight);
    }
    bool ok = !s->reg_busy && !s->reg_done && s->n_phone == 11 && s->phone[0] == '1';
    ui_keypad(f, "reg.key", pad, ok);
    if (s->reg_busy || s->reg_done)
        for (int i = 0; i < f->n; i++)
            if (!strncmp(f->w[i].id, "reg.key.", 8)) {
                f->w[i].flags |= UI_F_DISABLED;
                f->w[i].bg = th->disabled;
                f->w[i].fg = th->on_disabled;
            }
}

static bool reg_action(app_t *app, const char *id)
{
    struct info_state *s = app->info;
    if (!s || s->reg_busy || s->reg_done || strncmp(id, "reg.key.", 8) != 0) return false;
    const char *k = id + 8;
    if (!strcmp(k, "del")) {
        if (s->n_phone > 0) s->phone[--s->n_phone] = '\0';
    } else if (!strcmp(k, "ok")) {
        if (s->n_phone != 11 || s->phone[0] != '1')
            snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                     _("A mobile number has 11 digits and starts with 1. Please check the number."));
        else
            info_register(app);
    } else if (k[0] >= '0' && k[0] <= '9' && !k[1] && s->n_phone < 11) {
        s->phone[s->n_phone++] = k[0];
        s->phone[s->n_phone] = '\0';
        s->reg_msg[0] = '\0';
        s->reg_key[0] = '\0';             /* another number: another registration */
        if (s->n_phone == 11) info_reg_recall(app);
    }
    app->dirty = true;
    return true;
}

const screen_t screen_register = {"register", true, true, NULL, reg_build, reg_action, NULL};
