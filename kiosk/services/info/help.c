/* Help: where the community office is and how to call it, and a button that
 * asks staff to come to this kiosk. The request names the kiosk's location
 * only; a phone number for a call back goes with it only when the resident
 * ticks that they agree. The screen says when staff have seen it. */
#include <stdio.h>
#include <string.h>
#include "services/info/info.h"
#include "core/i18n.h"
#include "mask.h"
#include "app/screens.h"

/* The call-back number as typed, in full and grouped 3-4-4 ("138 0532
 * 1867") so the resident can check it before sending, at size PX at most;
 * cut off the top of *PAD. */
static void phone_field(ui_frame_t *f, SDL_Rect *pad, const struct info_state *s, int px)
{
    const theme_t *th = f->th;
    int lh = ui_text_line_height(f->text, px) + th->pad * 2;
    SDL_Rect box = ui_cut_top(pad, lh);
    pad->y += th->gap; pad->h -= th->gap;
    ui_widget_t *bw = ui_panel(f, "help.phonebox", box, th->surface);
    bw->border = th->border;
    bw->border_w = 2;
    bw->radius = th->radius;
    char grouped[24];
    int k = 0;
    for (int i = 0; i < s->n_phone && k < (int)sizeof grouped - 2; i++) {
        if (i == 3 || i == 7) grouped[k++] = ' ';
        grouped[k++] = s->phone[i];
    }
    grouped[k] = '\0';
    ui_label_fit(f, "help.phone", ui_inset(box, th->pad), s->n_phone ? grouped : _("Mobile number"),
                 px, th->px_body, s->n_phone ? th->text : th->text_muted, th->surface,
                 UI_ALIGN_CENTER, false)->valign_center = true;
    explicit_bzero(grouped, sizeof grouped);
}

/* "Ask staff to come here" (or "Try again") in R. */
static void send_button(ui_frame_t *f, const struct info_state *s, SDL_Rect r)
{
    help_state_t hs = s ? s->help_state : HELP_FAILED;
    bool can_send = s && (hs == HELP_NONE || hs == HELP_FAILED) &&
                    (!s->consent || (s->n_phone == 11 && s->phone[0] == '1'));
    ui_button(f, "help.send", r, hs == HELP_FAILED ? _("Try again") : _("Ask staff to come here"),
              UI_BTN_PRIMARY, can_send);
}

/* The call-back toggle in R: agree, or withdraw (naming the masked number
 * once typed, unless SHORT: the number is shown in full above it). */
static void consent_button(ui_frame_t *f, const struct info_state *s, SDL_Rect r, bool short_label)
{
    char line[120];
    if (s && s->consent && s->n_phone == 11 && !short_label) {
        char m[24];
        mask_phone(s->phone, m, sizeof m);
        snprintf(line, sizeof line, _("Call me back on %s (tap to remove)"), m);
    } else {
        snprintf(line, sizeof line, "%s", s && s->consent ? _("Do not call me back")
                                                          : _("I agree to be called back on my phone"));
    }
    ui_button(f, "help.consent", r, line, UI_BTN_SECONDARY, s != NULL);
}

/* The title, where the office is, what happens now and the buttons, in T;
 * TIGHT: the title takes only the lines it needs. */
static void words(app_t *app, ui_frame_t *f, SDL_Rect t, bool tight)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    const char *title = _("Need help? Staff can come to you.");
    if (tight) screen_title_tight(f, "help.title", &t, title, th->surface);
    else screen_title(f, "help.title", &t, title, th->surface);
    char where[400];
    if (app->cfg.help_contact[0])
        snprintf(where, sizeof where, _("Community office: %s"), app->cfg.help_contact);
    else
        snprintf(where, sizeof where, "%s", _("Community office: ask at the service hall's front desk."));
    int h = ui_wrapped_height(f, th->px_body, where, t.w);
    ui_label(f, "help.office", ui_cut_top(&t, h), where, th->px_body, th->text, th->surface,
             UI_ALIGN_LEFT, true);
    t.y += th->pad; t.h -= th->pad;

    help_state_t hs = s ? s->help_state : HELP_FAILED;
    const char *msg;
    switch (hs) {
    case HELP_SENDING: msg = _("Sending your request..."); break;
    case HELP_QUEUED:
        msg = _("Your request is saved and goes to staff as soon as the connection allows. If nobody comes, please go to the front desk.");
        break;
    case HELP_SENT: msg = _("Your request has been sent. Please wait here: staff will come."); break;
    case HELP_ACKNOWLEDGED: msg = _("Staff have seen your request and are on their way."); break;
    case HELP_FAILED: msg = _("The request could not be sent. Please go to the front desk, or call the office."); break;
    default:
        msg = s && s->consent
                  ? _("Type the phone number we may call you back on, then press the button.")
                  : _("Press the button and a member of staff will come to this kiosk. Nothing about you is sent.");
    }
    /* The two buttons one above the other; where that would cut what to
     * do (a small panel), side by side, or the one button alone. */
    bool row = t.h - (th->target * 2 + th->gap) - th->pad < ui_wrapped_height(f, th->px_small, msg, t.w);
    SDL_Rect buttons = ui_cut_bottom(&t, row ? th->target : th->target * 2 + th->gap);
    t.h -= th->pad;
    ui_label_fit(f, "help.msg", t, msg, th->px_large, th->px_small, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
    SDL_Rect b1 = screen_button_pair(f, &buttons, row && hs == HELP_NONE);
    send_button(f, s, b1);
    if (hs == HELP_NONE) consent_button(f, s, buttons, false);
}

/* The keypad's column on a small panel in large text, where the number
 * above the keys would leave them under the target size: the keys get the
 * whole height (screen_keypad_split), and the number, what to do and the
 * two buttons are stacked at the left, without a card, as on the
 * registration screen (the title and the office, read on the page before,
 * give way). Landscape only. */
static void typing_compact(ui_frame_t *f, const struct info_state *s, SDL_Rect in)
{
    const theme_t *th = f->th;
    SDL_Rect left, pad;
    screen_keypad_split(f, in, &left, &pad);
    SDL_Rect t = left;
    phone_field(f, &t, s, th->px_title);
    t.y -= th->gap - th->pad;            /* thinner gaps: what to do keeps its lines */
    t.h += th->gap - th->pad;
    SDL_Rect b2 = ui_cut_bottom(&t, th->target);
    t.h -= th->gap / 2;
    SDL_Rect b1 = ui_cut_bottom(&t, th->target);
    t.h -= th->gap / 2;
    ui_label_fit(f, "help.msg", t, _("Type the phone number we may call you back on, then press the button."),
                 th->px_large, th->px_small, th->text, th->bg, UI_ALIGN_LEFT, true);
    send_button(f, s, b1);
    consent_button(f, s, b2, true);
    ui_keypad(f, "help.key", pad, s->n_phone == 11 && s->phone[0] == '1');
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    struct info_state *s = app->info;
    SDL_Rect in = ui_inset(content, th->gap);
    bool portrait = f->height > f->width;
    SDL_Rect left = in, pad = {0};
    bool typing = s && s->consent && s->help_state == HELP_NONE;
    if (typing) {
        if (portrait) {
            int kh = in.h * 2 / 5, kw = in.w * 3 / 4;
            pad = (SDL_Rect){in.x + (in.w - kw) / 2, in.y + in.h - kh, kw, kh};
            left.h = in.h - kh - th->gap;
        } else {
            int kw = in.w * 2 / 5;
            pad = (SDL_Rect){in.x + in.w - kw, in.y, kw, in.h};
            left.w = in.w - kw - th->gap * 2;
        }
    }
    ui_mark_t card = ui_mark(f);
    screen_card(f, "help", left);
    /* the words under a title of the usual size; where that cuts them (large
     * text on a small panel), again under a title of only the lines it needs */
    ui_mark_t m = ui_mark(f);
    words(app, f, ui_inset(left, th->pad * 2), false);
    if (ui_cut_since(f, m)) {
        ui_rewind(f, m);
        words(app, f, ui_inset(left, th->pad * 2), true);
    }
    if (typing) {
        phone_field(f, &pad, s, th->px_huge);
        ui_keypad(f, "help.key", pad, s->n_phone == 11 && s->phone[0] == '1');
        const ui_widget_t *key = ui_find(f, "help.key.1");
        if (!portrait && key && (key->r.h < th->target || key->r.w < th->target)) {
            ui_rewind(f, card);
            typing_compact(f, s, in);
        }
    }
}

static bool action(app_t *app, const char *id)
{
    struct info_state *s = app->info;
    if (!s) return false;
    if (!strcmp(id, "help.send")) {
        if (s->help_state == HELP_FAILED) s->help_state = HELP_NONE;
        info_help_send(app);
        return true;
    }
    if (!strcmp(id, "help.consent") && s->help_state == HELP_NONE) {
        s->consent = !s->consent;
        explicit_bzero(s->phone, sizeof s->phone);
        s->n_phone = 0;
        app->dirty = true;
        return true;
    }
    if (!strncmp(id, "help.key.", 9) && s->consent && s->help_state == HELP_NONE) {
        const char *k = id + 9;
        if (!strcmp(k, "del")) {
            if (s->n_phone > 0) s->phone[--s->n_phone] = '\0';
        } else if (!strcmp(k, "ok")) {
            if (s->n_phone == 11 && s->phone[0] == '1') info_help_send(app);
            else app_toast(app, _("A mobile number has 11 digits and starts with 1. Please check the number."));
        } else if (k[0] >= '0' && k[0] <= '9' && !k[1] && s->n_phone < 11) {
            s->phone[s->n_phone++] = k[0];
            s->phone[s->n_phone] = '\0';
        }
        app->dirty = true;
        return true;
    }
    return false;
}

const screen_t screen_help = {"help", true, false, NULL, build, action, NULL};
