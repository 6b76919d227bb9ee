/* A friendly fault page: something did not work, nothing is lost, here is
 * what to do. The kiosk never exits on a fault after start-up. */
#include "core/i18n.h"
#include "app/screens.h"

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

    const char *title = _("Sorry, this is not working right now");
    int h = ui_wrapped_height(f, th->px_title, title, in.w);
    ui_label(f, "fault.title", ui_cut_top(&in, h), title, th->px_title, th->text, th->surface,
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
