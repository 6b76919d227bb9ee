/* A friendly fault page: something did not work, nothing is lost, here is
 * what to do. The kiosk never exits on a fault after start-up. */
#include "core/i18n.h"
#include "app/screens.h"

/* The title, what went wrong and what to do, in IN; TIGHT: the title at
 * the largest size from title down to large at which it is one line (large
 * text on a small panel), so the message below it is not cut. */
static void words(app_t *app, ui_frame_t *f, SDL_Rect in, bool tight)
{
    const theme_t *th = f->th;
    const char *title = _("Sorry, this is not working right now");
    int px = th->px_title;
    while (tight && px > th->px_large && ui_text_width(f->text, px, title, -1) > in.w) px -= 2;
    int h = ui_wrapped_height(f, px, title, in.w);
    ui_label(f, "fault.title", ui_cut_top(&in, h), title, px, th->text, th->surface,
             UI_ALIGN_LEFT, true)->flags |= UI_F_BOLD;
    in.y += th->pad * 2; in.h -= th->pad * 2;
    const char *hint = _("Please try again later, or ask the staff at the community office.");
    SDL_Rect hr = ui_cut_bottom(&in, ui_wrapped_height(f, th->px_body, hint, in.w));
    in.h -= th->pad;
    const char *msg = app->fault_msg[0] ? app->fault_msg : _("Nothing you entered has been lost.");
    ui_label_fit(f, "fault.msg", in, msg, th->px_large, th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    ui_label(f, "fault.hint", hr, hint, th->px_body, th->text_muted, th->surface,
             UI_ALIGN_LEFT, true);
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    SDL_Rect in = ui_inset(content, th->gap);
    ui_widget_t *card = ui_panel(f, "fault", in, th->surface);
    card->radius = th->radius * 2;
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    in = ui_inset(in, th->pad * 2);
    SDL_Rect b = ui_cut_bottom(&in, th->target);
    b.w = b.w / 2;
    ui_button(f, "fault.home", b, _("Back to start"), UI_BTN_PRIMARY, true);
    in.h -= th->pad;
    ui_mark_t m = ui_mark(f);
    words(app, f, in, false);
    if (ui_cut_since(f, m)) {
        ui_rewind(f, m);
        words(app, f, in, true);
    }
}

static bool action(app_t *app, const char *id)
{
    if (SDL_strcmp(id, "fault.home") == 0) {
        app->fault_msg[0] = '\0';
        app_home(app);
        return true;
    }
    return false;
}

const screen_t screen_fault = {"fault", true, false, NULL, build, action, NULL};
