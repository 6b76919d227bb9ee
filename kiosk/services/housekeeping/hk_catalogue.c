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

static void details(app_t *app, ui_frame_t *f, SDL_Rect r)
{
    const theme_t *th = f->th;
    const hub_hk_service_t *s = hk_current(app);
    screen_card(f, "hk.info", r);
    SDL_Rect in = ui_inset(r, th->pad * 2);
    SDL_Rect buttons = ui_cut_bottom(&in, th->target * 2 + th->gap);
    in.h -= th->pad;
    if (!s) return;
    char line[600];
    int h = ui_text_line_height(f->text, th->px_title);
    ui_label_fit(f, "hk.info.name", ui_cut_top(&in, h), hk_service_name(app, s), th->px_title,
                 th->px_body, th->text, th->surface, UI_ALIGN_LEFT, false)->flags |= UI_F_BOLD;
    hk_price_text(s, line, sizeof line);
    h = ui_text_line_height(f->text, th->px_large);
    ui_label_fit(f, "hk.info.price", ui_cut_top(&in, h), line, th->px_large, th->px_small,
                 th->text, th->surface, UI_ALIGN_LEFT, false);
    in.y += th->pad; in.h -= th->pad;

    /* providers at the bottom, what is included gets the rest */
    int lh = ui_text_line_height(f->text, th->px_body);
    int np = s->n_providers;
    SDL_Rect prov = ui_cut_bottom(&in, lh * (np + 1));
    in.h -= th->pad;
    snprintf(line, sizeof line, _("Included: %s"), hk_service_includes(app, s));
    ui_label_fit(f, "hk.info.includes", in, line, th->px_large, th->px_small, th->text,
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
    SDL_Rect in = ui_inset(content, th->gap);
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
    SDL_Rect list, right;
    int cols = portrait ? 2 : 1, rows = (n + cols - 1) / cols;
    if (portrait) {
        int lh = rows * (th->target * 5 / 4) + (rows - 1) * th->gap / 2;
        list = ui_cut_top(&in, lh);
        in.y += th->gap; in.h -= th->gap;
        right = in;
    } else {
        list = (SDL_Rect){in.x, in.y, in.w * 2 / 5, in.h};
        right = (SDL_Rect){list.x + list.w + th->gap, in.y, in.w - list.w - th->gap, in.h};
    }
    for (int i = 0; i < n; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "hk.svc.%d", i);
        SDL_Rect c = ui_grid_cell(list, cols, rows, th->gap / 2, i);
        ui_widget_t *w = hk_button(f, id, c, hk_service_name(app, &hk->svc.s[i]),
                                   i == hk->service ? UI_BTN_PRIMARY : UI_BTN_SECONDARY, true);
        if (i == hk->service) w->flags |= UI_F_BOLD;
    }
    details(app, f, right);
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
