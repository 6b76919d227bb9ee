/* Services whose own issues are still open show an honest "coming" page:
 * what the service will do and where to get it done today. Each screen
 * here is replaced by its real file when that service is built. */
#include "core/i18n.h"
#include "screens/screens.h"

typedef struct {
    const char *badge, *title, *what;
    int tile;              /* colour index of the home tile */
} coming_t;

static void build_coming(ui_frame_t *f, SDL_Rect content, const char *id, const coming_t *c)
{
    const theme_t *th = f->th;
    SDL_Rect in = ui_inset(content, th->gap);
    ui_widget_t *card = ui_panel(f, id, in, th->surface);
    card->radius = th->radius * 2;
    if (th->id == THEME_CONTRAST) { card->border = th->border; card->border_w = 3; }
    in = ui_inset(in, th->pad * 2);

    int d = th->target;
    SDL_Rect row = ui_cut_top(&in, d);
    ui_widget_t *dot = ui_add(f, UI_CIRCLE, "coming.badge", (SDL_Rect){row.x, row.y, d, d}, NULL);
    dot->bg = th->tile[c->tile];
    ui_widget_t *ic = ui_label(f, "coming.icon", (SDL_Rect){row.x, row.y, d, d}, _(c->badge),
                               d * 11 / 20, th->on_tile, th->tile[c->tile], UI_ALIGN_CENTER, false);
    ic->valign_center = true;
    ic->flags |= UI_F_BOLD;
    SDL_Rect tr = {row.x + d + th->pad, row.y, row.w - d - th->pad, d};
    ui_label_fit(f, "coming.title", tr, _(c->title), th->px_huge, th->px_title, th->text,
                 th->surface, UI_ALIGN_LEFT, false)->valign_center = true;

    /* Top to bottom: the promise, what the service will do, where to go
     * today; each as large as the space allows, never below body size. */
    in.y += th->pad * 2; in.h -= th->pad * 2;
    const char *soon = _("This service is coming to this kiosk soon.");
    int h = ui_wrapped_height(f, th->px_large, soon, in.w);
    ui_label(f, "coming.soon", ui_cut_top(&in, h), soon, th->px_large, th->text, th->surface,
             UI_ALIGN_LEFT, true);
    in.y += th->pad; in.h -= th->pad;
    const char *later = _("Until then, the staff at the community office will gladly help you.");
    int later_h = ui_wrapped_height(f, th->px_body, later, in.w);
    SDL_Rect bottom = ui_cut_bottom(&in, later_h);
    in.h -= th->pad;
    ui_label_fit(f, "coming.what", in, _(c->what), th->px_large, th->px_body, th->text,
                 th->surface, UI_ALIGN_LEFT, true);
    ui_label(f, "coming.meanwhile", bottom, later, th->px_body, th->text_muted, th->surface,
             UI_ALIGN_LEFT, true);
}

#define COMING_SCREEN(var, name, personal, badge, title, what, tile)              \
    static const coming_t var##_def = {badge, title, what, tile};                  \
    static void var##_build(app_t *app, ui_frame_t *f, SDL_Rect content)          \
    {                                                                              \
        (void)app;                                                                 \
        build_coming(f, content, name, &var##_def);                                \
    }                                                                              \
    const screen_t var = {name, true, personal, NULL, var##_build, NULL, NULL}

/* The placeholder of a screen being built (SCREEN_STUB): reachable only by
 * name (--screen, tour), never from a tile. */
void screen_stub_build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    static const coming_t stub = {N_("icon:help"), N_("Coming soon"),
                                  N_("This part of the service is being built."), 5};
    build_coming(f, content, app_screen_name(app->screen), &stub);
}
