/* Housekeeping: the catalogue. The services as large buttons; the chosen
 * one's details beside them (what is included, price, duration, the
 * providers with their ratings), and the way on: choose a day and time, or
 * see one's own bookings. */
#include <stdio.h>
#include <string.h>
#include "core/i18n.h"
#include "services/housekeeping/hk.h"

static void enter(app_t *app)
{
    hk_load_services(app);
}

/* The largest size from HI down to LO at which A and B, wrapped to W and
 * GAP apart, fit in AVAIL; LO when none does. */
static int fit_two(ui_frame_t *f, const char *a, const char *b, int w, int avail, int gap,
                   int hi, int lo)
{
    for (int px = hi; px > lo; px -= 2)
        if (ui_wrapped_height(f, px, a, w) + gap + ui_wrapped_height(f, px, b, w) <= avail)
            return px;
    return lo;
}

/* "Rated providers: A, rated 4.8 of 5; B, ..." as one paragraph. */
static void providers_text(const hub_hk_service_t *s, char *out, size_t len)
{
    char line[600];
    const char *head = _("Rated providers:");
    size_t hl = strlen(head);
    /* "Rated providers: A" but "服务商及评分：A": no space after a
     * full-width colon */
    size_t n = (size_t)snprintf(out, len, "%s%s", head, hl && head[hl - 1] == ':' ? " " : "");
    for (int i = 0; i < s->n_providers && n < len; i++) {
        snprintf(line, sizeof line, _("%s, rated %.1f of 5"), s->providers[i].name,
                 s->providers[i].rating);
        /* TRANSLATORS: between two providers in one line. */
        int k = snprintf(out + n, len - n, "%s%s", i ? _("; ") : "", line);
        if (k < 0) break;
        n += (size_t)k;
    }
}

/* How the details card R is laid out: COMPACT (large text) puts the two
 * buttons in a row and the providers in one paragraph; IN is the card's
 * inside, NAME_H and PRICE_H the heights of its first two lines (the
 * price on two at body size where one line at the small size is too
 * narrow for it: money is never cut). */
struct card_plan {
    bool compact, price_wrap;
    SDL_Rect in;
    int name_px, name_h, price_h;
    char inc[700], prov[900];
};

static void plan_card(app_t *app, ui_frame_t *f, SDL_Rect r, const hub_hk_service_t *s,
                      struct card_plan *p)
{
    const theme_t *th = f->th;
    p->in = ui_inset(r, hk_card_margin(f, r));
    p->name_px = th->px_title;
    p->name_h = ui_text_line_height(f->text, th->px_title);
    p->price_h = ui_text_line_height(f->text, th->px_large);
    int lh = ui_text_line_height(f->text, th->px_body);
    snprintf(p->inc, sizeof p->inc, _("Included: %s"), hk_service_includes(app, s));
    providers_text(s, p->prov, sizeof p->prov);
    /* The two buttons stacked, one provider a line; where that leaves what
     * is included no room (large text), the buttons share a row and the
     * providers are one paragraph, both at the largest size that fits. */
    int text_h = p->in.h - (th->target * 2 + th->gap) - th->pad - p->name_h - p->price_h - th->pad;
    p->compact = text_h - lh * (s->n_providers + 1) - th->pad <
                 ui_wrapped_height(f, th->px_small, p->inc, p->in.w);
    if (p->compact) {               /* the card's margins and the name give room too */
        int m = hk_card_margin(f, r);
        p->in = ui_inset(r, m < th->pad ? m : th->pad);
        p->name_px = th->px_large;
        p->name_h = ui_text_line_height(f->text, p->name_px);
    }
    char price[200];
    hk_price_text(s, price, sizeof price);
    p->price_wrap = ui_text_width(f->text, th->px_small, price, -1) > p->in.w;
    if (p->price_wrap) p->price_h = ui_wrapped_height(f, th->px_body, price, p->in.w);
}

/* The height the compact card's paragraphs need at the small size. */
static int compact_need(ui_frame_t *f, const struct card_plan *p)
{
    return ui_wrapped_height(f, f->th->px_small, p->inc, p->in.w) + f->th->pad +
           ui_wrapped_height(f, f->th->px_small, p->prov, p->in.w);
}

/* Whether the compact card R would cut the text of any service with its
 * buttons in it (large text on a short panel, 10.1" landscape): the
 * buttons then go beside the card, under the services (build). Any, not
 * the chosen one: the buttons stay put while services are tapped. */
static bool card_needs_aside(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    for (int i = 0; i < app->hk->svc.n; i++) {
        struct card_plan p;
        plan_card(app, f, r, &app->hk->svc.s[i], &p);
        if (p.compact && compact_need(f, &p) > p.in.h - th->target - th->pad - p.name_h - p.price_h - th->pad)
            return true;
    }
    return false;
}

/* Whether the card R, its buttons beside it, holds every service's
 * paragraphs under its name and price; else it leaves out the name (on the
 * chosen service's button beside it, marked) for every service alike. */
static bool card_holds_name(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    for (int i = 0; i < app->hk->svc.n; i++) {
        struct card_plan p;
        plan_card(app, f, r, &app->hk->svc.s[i], &p);
        if (compact_need(f, &p) > p.in.h - p.name_h - p.price_h - th->pad)
            return false;
    }
    return true;
}

/* The chosen service's details in R; with ASIDE not empty, the compact
 * card's buttons stand there instead of at its foot. */
static void details(app_t *app, ui_frame_t *f, SDL_Rect r, SDL_Rect aside)
{
    const theme_t *th = f->th;
    const hub_hk_service_t *s = hk_current(app);
    screen_card(f, "hk.info", r);
    if (!s) {
        SDL_Rect in = ui_inset(r, hk_card_margin(f, r));
        ui_cut_bottom(&in, th->target * 2 + th->gap);
        return;
    }
    struct card_plan p;
    plan_card(app, f, r, s, &p);
    char line[600];
    int lh = ui_text_line_height(f->text, th->px_body);
    int np = s->n_providers;
    SDL_Rect in = p.in;
    bool beside = p.compact && aside.w > 0;
    SDL_Rect buttons = beside ? aside : ui_cut_bottom(&in, p.compact ? th->target : th->target * 2 + th->gap);
    if (!beside) in.h -= th->pad;
    bool name = !beside || card_holds_name(app, f, r);
    if (name)
        ui_label_fit(f, "hk.info.name", ui_cut_top(&in, p.name_h), hk_service_name(app, s), p.name_px,
                     th->px_body, th->text, th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    hk_price_text(s, line, sizeof line);
    ui_label_fit(f, "hk.info.price", ui_cut_top(&in, p.price_h), line, th->px_large,
                 p.price_wrap ? th->px_body : th->px_small, th->text, th->surface, UI_ALIGN_LEFT,
                 p.price_wrap);
    in.y += th->pad; in.h -= th->pad;

    if (p.compact) {
        int px = fit_two(f, p.inc, p.prov, in.w, in.h, th->pad, th->px_large, th->px_small);
        int hi = ui_wrapped_height(f, px, p.inc, in.w);
        ui_label_fit(f, "hk.info.includes", ui_cut_top(&in, hi), p.inc, px, th->px_small, th->text,
                     th->surface, UI_ALIGN_LEFT, true);
        in.y += th->pad; in.h -= th->pad;
        ui_label_fit(f, "hk.info.providers", in, p.prov, px, th->px_small, th->text_muted,
                     th->surface, UI_ALIGN_LEFT, true);
        SDL_Rect b1 = {buttons.x, buttons.y, (buttons.w - th->gap) * 3 / 5, buttons.h};
        SDL_Rect b2 = {b1.x + b1.w + th->gap, buttons.y, buttons.w - b1.w - th->gap, buttons.h};
        if (beside) {
            /* under the services: halves, or the first its one line at
             * body size where the other keeps its own ("选择日期和时 / 间") */
            int half = (buttons.w - th->gap / 2) / 2;
            int w1 = ui_text_width(f->text, th->px_body, _("Choose a day and time"), -1) + th->pad;
            int w2 = ui_text_width(f->text, th->px_body, _("My bookings"), -1) + th->pad;
            b1.w = w1 > half && w1 + w2 + th->gap / 2 <= buttons.w ? w1 : half;
            b2 = (SDL_Rect){b1.x + b1.w + th->gap / 2, buttons.y, buttons.w - b1.w - th->gap / 2, buttons.h};
        }
        hk_button(f, "hk.pick", b1, _("Choose a day and time"), UI_BTN_PRIMARY, true);
        hk_button(f, "hk.mine", b2, _("My bookings"), UI_BTN_SECONDARY, true);
        return;
    }

    /* providers at the bottom, what is included gets the rest */
    SDL_Rect prov = ui_cut_bottom(&in, lh * (np + 1));
    in.h -= th->pad;
    ui_label_fit(f, "hk.info.includes", in, p.inc, th->px_large, th->px_small, th->text,
                 th->surface, UI_ALIGN_LEFT, true);
    ui_label_fit(f, "hk.info.providers", ui_cut_top(&prov, lh), _("Rated providers:"),
                 th->px_body, th->px_small, th->text, th->surface, UI_ALIGN_LEFT, false)
        ->flags |= UI_F_BOLD;
    for (int i = 0; i < np; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "hk.info.provider.%d", i);
        snprintf(line, sizeof line, _("%s, rated %.1f of 5"), s->providers[i].name,
                 s->providers[i].rating);
        ui_label_fit(f, id, ui_cut_top(&prov, lh), line, th->px_body, th->px_small,
                     th->text_muted, th->surface, UI_ALIGN_LEFT, false);
    }
    SDL_Rect b1 = ui_cut_top(&buttons, th->target);
    buttons.y += th->gap; buttons.h -= th->gap;
    hk_button(f, "hk.pick", b1, _("Choose a day and time"), UI_BTN_PRIMARY, true);
    hk_button(f, "hk.mine", buttons, _("My bookings"), UI_BTN_SECONDARY, true);
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const struct hk_state *hk = app->hk;
    /* a small panel: half the spacing round the screen, for the rows */
    SDL_Rect in = ui_inset(content, screen_small_card(f, content) ? th->gap / 2 : th->gap);
    if (!hk || !hk->have_services) {
        screen_card(f, "hk", in);
        SDL_Rect t = ui_inset(in, th->pad * 2);
        SDL_Rect b = ui_cut_bottom(&t, th->target);
        screen_title(f, "hk.title", &t, _("Housekeeping"), th->surface);
        const char *msg = !hk ? _("The booking service cannot be reached right now. Please try again later, or ask staff.")
                        : hk->busy ? _("Loading the services...")
                        : hk->msg[0] ? hk->msg : _("Loading the services...");
        ui_label_fit(f, "hk.msg", t, msg, th->px_large, th->px_body, th->text, th->surface,
                     UI_ALIGN_LEFT, true);
        if (hk && !hk->busy)
            hk_button(f, "hk.retry", (SDL_Rect){b.x, b.y, b.w / 2, b.h}, _("Try again"),
                      UI_BTN_PRIMARY, true);
        return;
    }
    bool portrait = f->height > f->width;
    int n = hk->svc.n;
    SDL_Rect list, right, aside = {0, 0, 0, 0};
    int cols = portrait ? 2 : 1, rows = (n + cols - 1) / cols;
    if (portrait) {
        int lh = rows * (th->target * 5 / 4) + (rows - 1) * th->gap / 2;
        list = ui_cut_top(&in, lh);
        in.y += th->gap; in.h -= th->gap;
        right = in;
    } else {
        /* a small panel: two columns of services rather than rows lower
         * than the panel's physical minimum target (fewer, taller rows) */
        if (rows > 1 && (in.h - (rows - 1) * th->gap / 2) / rows < theme_min_target_px(th)) {
            cols = 2;
            rows = (n + cols - 1) / cols;
        }
        list = (SDL_Rect){in.x, in.y, cols == 2 ? in.w / 2 : in.w * 2 / 5, in.h};
        right = (SDL_Rect){list.x + list.w + th->gap, in.y, in.w - list.w - th->gap, in.h};
        /* a short panel whose card would cut its text: the card's buttons
         * under the services, as long as the rows keep the minimum target,
         * set off from them by what the rows leave, up to a full gap */
        int min_rows = rows * theme_min_target_px(th) + (rows - 1) * th->gap / 2;
        int sep = list.h - th->target - min_rows;
        if (sep > th->gap) sep = th->gap;
        if (cols == 2 && sep >= th->gap / 2 && card_needs_aside(app, f, right)) {
            aside = ui_cut_bottom(&list, th->target);
            list.h -= sep;
        }
    }
    for (int i = 0; i < n; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "hk.svc.%d", i);
        SDL_Rect c = ui_grid_cell(list, cols, rows, th->gap / 2, i);
        ui_widget_t *w = hk_button(f, id, c, hk_service_name(app, &hk->svc.s[i]),
                                   i == hk->service ? UI_BTN_PRIMARY : UI_BTN_SECONDARY, true);
        if (i == hk->service) w->flags |= UI_F_BOLD;
    }
    details(app, f, right, aside);
}

static bool action(app_t *app, const char *id)
{
    int i;
    if (sscanf(id, "hk.svc.%d", &i) == 1) {
        hk_pick_service(app, i);
        return true;
    }
    if (!strcmp(id, "hk.pick")) {
        hk_open_calendar(app);
        return true;
    }
    if (!strcmp(id, "hk.mine")) {
        hk_open_mine(app);
        return true;
    }
    if (!strcmp(id, "hk.retry")) {
        hk_load_services(app);
        return true;
    }
    return false;
}

const screen_t screen_housekeeping = {"housekeeping", true, true, enter, build, action, NULL};
