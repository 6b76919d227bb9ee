/* Spoken guidance (app/speech.h): the session's choice, the announcements
 * of the screens table, tapped labels, the header's voice buttons. */
#include "app/speech.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/screens.h"
#include "app/service.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "voice/jack_watch.h"

struct speech {
    voice_t *voice;
    int choice;                      /* -1: kiosk.ini's default; 0 off; 1 on */
    char last[VOICE_TEXT_MAX];       /* the last announcement, for "repeat" */
    bool announce;                   /* a new screen waits for speech_flush */
    bool toast_said;                 /* a toast spoke during this event */
    tone_t last_tone;
    jack_watch_t *jack;              /* output = auto: the jack's worker */
    jack_state_t jack_state;         /* as last posted (JACK_UNKNOWN: none) */
};

voice_t *speech_voice(const app_t *app)
{
    return app->speech ? app->speech->voice : NULL;
}

void speech_init(app_t *app)
{
    if (!app->cfg.voice_enabled)
        return;
    struct speech *s = calloc(1, sizeof *s);
    if (!s) {
        log_warn("voice", "out of memory: the kiosk stays silent");
        return;
    }
    s->choice = -1;
    s->jack_state = JACK_UNKNOWN;
    voice_opts_t o = {.volume = app->cfg.voice_volume, .rate_wpm = app->cfg.voice_rate,
                      .no_device = app->opts.offscreen && !getenv("SPEECH_AUDIO")};
    s->voice = voice_open(&o);
    if (!s->voice) {
        log_warn("voice", "cannot start the voice worker: the kiosk stays silent");
        free(s);
        return;
    }
    if (!o.no_device && voice_state(s->voice) == VOICE_NO_DEVICE)
        log_warn("voice", "no audio device (%s): nothing is heard", SDL_GetError());
    else if (voice_state(s->voice) == VOICE_NO_ENGINE)
        log_warn("voice", "espeak-ng or its data (espeak-ng-data) missing: tones only");
    if (app->cfg.voice_output == OUTPUT_AUTO) {
        s->jack = jack_watch_start(app->cfg.voice_jack, app->ev_base + APP_EV_JACK);
        if (!s->jack)
            log_warn("voice", "cannot start the headphone jack's worker: the loudspeaker rule applies");
    }
    app->speech = s;
}

void speech_free(app_t *app)
{
    if (!app->speech)
        return;
    jack_watch_stop(app->speech->jack);
    voice_close(app->speech->voice);
    explicit_bzero(app->speech->last, sizeof app->speech->last);
    free(app->speech);
    app->speech = NULL;
}

/* ---- who hears what ------------------------------------------------------ */

static bool quiet_now(const app_t *app)
{
    int from, to;
    if (config_quiet_hours(app->cfg.quiet_hours, &from, &to) != 0)
        return false;
    struct tm tm;
    clock_cst(clock_wall(), &tm);
    int m = tm.tm_hour * 60 + tm.tm_min;
    return from < to ? (m >= from && m < to) : (m >= from || m < to);
}

bool speech_on(const app_t *app)
{
    const struct speech *s = app->speech;
    if (!s)
        return false;
    if (s->choice >= 0)
        return s->choice == 1;
    if (quiet_now(app))
        return false;
    return app->cfg.speech == SPEECH_ON ||
           (app->cfg.speech == SPEECH_ELDER && app_theme(app) == THEME_ELDER);
}

static bool tones_allowed(const app_t *app)
{
    return app->speech && (speech_on(app) || !quiet_now(app));
}

speak_out_t speech_output(const app_t *app)
{
    if (app->cfg.voice_output == OUTPUT_AUTO)
        return app->speech && app->speech->jack_state == JACK_IN ? SPEAK_HEADPHONES : SPEAK_LOUDSPEAKER;
    return app->cfg.voice_output == OUTPUT_HEADPHONES ? SPEAK_HEADPHONES : SPEAK_LOUDSPEAKER;
}

void speech_jack(app_t *app, int state)
{
    struct speech *s = app->speech;
    if (!s || app->cfg.voice_output != OUTPUT_AUTO)
        return;
    speak_out_t before = speech_output(app);
    s->jack_state = state == JACK_IN ? JACK_IN : state == JACK_OUT ? JACK_OUT : JACK_UNKNOWN;
    speak_out_t now = speech_output(app);
    log_info("voice", "%s: the %s rule applies", jack_state_name(s->jack_state),
             now == SPEAK_HEADPHONES ? "headphone" : "loudspeaker");
    if (now == before)
        return;
    bool someone = app->session.state != SESSION_IDLE;
    char text[VOICE_TEXT_MAX];
    if (now == SPEAK_LOUDSPEAKER) {
        /* The words under way were meant for one ear: they stop now, and
         * "repeat" must not say them again to the hall. */
        voice_stop(s->voice);
        explicit_bzero(s->last, sizeof s->last);
        s->last_tone = TONE_NONE;
        if (someone && speech_on(app)) {
            const char *loc = app_locale(app);
            voice_say(s->voice, TONE_NONE, loc, i18n_get_in(loc, N_("Headphones unplugged.")));
        }
        return;
    }
    if (!someone)
        return;
    /* Plugging in headphones is asking to listen, as the keypad is. */
    speech_keypad_used(app);
    if (!speech_on(app))
        return;
    char screen[VOICE_TEXT_MAX];
    tone_t tone;
    speech_announcement(app, app->screen, screen, sizeof screen, &tone);
    s->announce = false;                       /* said here, under the headphone rule */
    if (screen[0]) {
        snprintf(s->last, sizeof s->last, "%s", screen);   /* what "repeat" says */
        s->last_tone = TONE_NONE;
    }
    snprintf(text, sizeof text, "%s%s", i18n_get_in(app_locale(app), N_("Headphones connected.")), screen);
    voice_say(s->voice, TONE_NONE, app_locale(app), text);
    explicit_bzero(screen, sizeof screen);             /* words for one ear only */
    explicit_bzero(text, sizeof text);
    app->dirty = true;
}

speak_lang_t speech_lang(const app_t *app)
{
    return speak_lang_of(app_locale(app));
}

void speech_say(app_t *app, tone_t tone, const char *text)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    if (text && text[0]) {
        snprintf(s->last, sizeof s->last, "%s", text);
        s->last_tone = tone;
    }
    if (speech_on(app))
        voice_say(s->voice, tone, app_locale(app), text);
    else if (tone != TONE_NONE && tones_allowed(app))
        voice_tone(s->voice, tone);
}

void speech_tone(app_t *app, tone_t tone)
{
    if (tones_allowed(app))
        voice_tone(app->speech->voice, tone);
}

/* ---- what screens say ---------------------------------------------------- */

void speech_announcement(app_t *app, int screen, char *out, size_t len, tone_t *tone)
{
    *tone = TONE_NONE;
    out[0] = '\0';
    i18n_set(app_locale(app));                 /* the hooks' _() in the resident's language */
    for (const service_t *const *sv = app_services; *sv; sv++)
        if ((*sv)->announce && (*sv)->announce(app, screen, out, len, tone))
            return;
    const char *msgid = speech_screen_msgid(screen);
    const char *t = msgid ? i18n_get_in(app_locale(app), msgid) : NULL;
    /* An untranslated msgid is a key, not words: say nothing rather than it. */
    if (t && strcmp(t, msgid) != 0)
        snprintf(out, len, "%s", t);
}

void speech_screen_shown(app_t *app)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    voice_stop(s->voice);                      /* the old screen's words end now */
    s->announce = true;
}

void speech_flush(app_t *app)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    s->toast_said = false;
    if (!s->announce)
        return;
    s->announce = false;
    if (app->session.state == SESSION_IDLE)
        return;                                /* nobody to speak to */
    char text[VOICE_TEXT_MAX];
    tone_t tone;
    speech_announcement(app, app->screen, text, sizeof text, &tone);
    if (text[0] || tone != TONE_NONE)
        speech_say(app, tone, text);
}

/* Pictograms drawn as labels, and the words they stand for. */
static const struct {
    const char *glyph, *words;
} pictograms[] = {
    {"\xE2\x9C\x93", N_("Confirm")},              /* ✓ */
    {"\xE2\x86\x90", N_("Delete one digit")},     /* ← alone: a keypad's delete */
};

void speech_label(const app_t *app, const char *id, char *out, size_t len)
{
    out[0] = '\0';
    const ui_frame_t *f = app->frame;
    const ui_widget_t *w = ui_find(f, id);
    if (w && w->text && w->text[0]) {
        const char *t = w->text;
        for (size_t i = 0; i < sizeof pictograms / sizeof pictograms[0]; i++)
            if (!strcmp(t, pictograms[i].glyph)) {
                snprintf(out, len, "%s", i18n_get_in(app_locale(app), pictograms[i].words));
                return;
            }
        if (!strncmp(t, "\xE2\x86\x90 ", 4))
            t += 4;                                  /* "← Back": the arrow is a picture */
        speak_screen_text(speech_lang(app), t, out, len);
        return;
    }
    /* A tile or a row: its text parts, in the order they were laid out;
     * icons (one-character badges) are pictures, not words. */
    size_t idlen = strlen(id), n = 0;
    for (int i = 0; i < f->n; i++) {
        const ui_widget_t *p = &f->w[i];
        if (strncmp(p->id, id, idlen) || p->id[idlen] != '.' || p->kind != UI_TEXT ||
            !p->text || !p->text[0] || strstr(p->id + idlen, "icon") || strstr(p->id + idlen, "badge"))
            continue;
        char part[VOICE_TEXT_MAX];
        speak_screen_text(speech_lang(app), p->text, part, sizeof part);
        if (!part[0])
            continue;
        int k = snprintf(out + n, len - n, "%s%s", n ? "，" : "", part);
        if (k < 0 || (size_t)k >= len - n)
            break;
        n += (size_t)k;
    }
}

/* A digit key of a keypad ("acct.key.3", "hk.key.0", "pin.key.7"): the
 * digits typed make an account, phone or PIN, so through the loudspeaker
 * a digit key only clicks (speak_personal's rule, applied to typing); into
 * headphones it says its digit, except on the staff PIN pad. */
static bool digit_key_silent(const app_t *app, const char *id)
{
    const char *k = strstr(id, ".key.");
    if (!k || k[5] < '0' || k[5] > '9' || k[6] != '\0')
        return false;
    return speech_output(app) == SPEAK_LOUDSPEAKER || !strncmp(id, "pin.", 4);
}

void speech_activated(app_t *app, const char *id, bool moved)
{
    struct speech *s = app->speech;
    if (!s || moved || s->toast_said)
        return;                                /* the new screen, or a toast, said it */
    if (!strcmp(id, "hdr.voice") || !strcmp(id, "hdr.repeat") || !strcmp(id, "hdr.size") ||
        !strcmp(id, "home.elder") || !strcmp(id, "home.contrast"))
        return;                                /* they speak for themselves */
    if (!strcmp(id, "hdr.lang")) {
        speech_screen_shown(app);              /* the same screen, in the new language */
        return;
    }
    char label[VOICE_TEXT_MAX];
    speech_label(app, id, label, sizeof label);
    if (digit_key_silent(app, id))
        label[0] = '\0';
    if (speech_on(app))
        voice_say(s->voice, TONE_CLICK, app_locale(app), label);
}

void speech_focus(app_t *app, const char *id, const char *label)
{
    struct speech *s = app->speech;
    if (!s || !speech_on(app))
        return;
    /* The language button names a language in that language ("한국어",
     * "English"): said by its own voice, as a resident of it would hear it. */
    const char *locale = app_locale(app);
    if (!strcmp(id, "hdr.lang") && chrome_next_locale(app))
        locale = chrome_next_locale(app);
    voice_say(s->voice, TONE_CLICK, locale, digit_key_silent(app, id) ? "" : label);
}

void speech_keypad_used(app_t *app)
{
    struct speech *s = app->speech;
    if (s && s->choice < 0)
        s->choice = 1;
}

void speech_session_end(app_t *app)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    voice_forget(s->voice);                    /* the words said are the session's too */
    s->choice = -1;
    voice_set_volume(s->voice, app->cfg.voice_volume);
    explicit_bzero(s->last, sizeof s->last);
    s->last_tone = TONE_NONE;
}

void speech_toast(app_t *app, tone_t tone, const char *msg)
{
    struct speech *s = app->speech;
    if (!s || app->session.state == SESSION_IDLE)
        return;
    char text[VOICE_TEXT_MAX];
    speak_screen_text(speech_lang(app), msg, text, sizeof text);
    speech_say(app, tone, text);
    s->toast_said = true;
}

void speech_still_there(app_t *app)
{
    char text[VOICE_TEXT_MAX];
    snprintf(text, sizeof text, "%s%s", _("Still there?"),
             _("For your privacy the screen will be cleared soon. Touch the screen to continue."));
    speech_say(app, TONE_NONE, text);
}

/* ---- the resident's controls --------------------------------------------- */

void speech_toggle(app_t *app)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    bool on = !speech_on(app);
    s->choice = on ? 1 : 0;
    /* The new state is always said, so a resident who cannot see the
     * button knows what they did; then the screen, when turned on. */
    const char *state = on ? _("Voice guidance on.") : _("Voice guidance off.");
    char text[VOICE_TEXT_MAX], screen[VOICE_TEXT_MAX];
    tone_t tone;
    screen[0] = '\0';
    if (on)
        speech_announcement(app, app->screen, screen, sizeof screen, &tone);
    s->announce = false;                       /* said here, with the state */
    snprintf(text, sizeof text, "%s%s", state, screen);
    voice_say(s->voice, TONE_CLICK, app_locale(app), text);
    app->dirty = true;
}

void speech_choice(app_t *app, bool was_on, const char *state)
{
    struct speech *s = app->speech;
    bool on = speech_on(app);
    if (!s || (!was_on && !on))
        return;
    char text[VOICE_TEXT_MAX], screen[VOICE_TEXT_MAX];
    tone_t tone;
    screen[0] = '\0';
    if (on && !was_on)
        speech_announcement(app, app->screen, screen, sizeof screen, &tone);
    s->announce = false;                       /* said here, with the state */
    snprintf(text, sizeof text, "%s%s", state, screen);
    voice_say(s->voice, TONE_CLICK, app_locale(app), text);
}

void speech_repeat(app_t *app)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    char text[VOICE_TEXT_MAX];
    tone_t tone;
    speech_announcement(app, app->screen, text, sizeof text, &tone);
    /* A result read out by its service is what the resident last heard. */
    const char *say = s->last[0] ? s->last : text;
    voice_say(s->voice, TONE_NONE, app_locale(app), say);
}

void speech_volume_step(app_t *app, int delta)
{
    struct speech *s = app->speech;
    if (!s)
        return;
    int v = voice_volume(s->voice) + delta;
    voice_set_volume(s->voice, v);
    char text[128], n[32];
    speak_number(speech_lang(app), voice_volume(s->voice), n, sizeof n);
    /* TRANSLATORS: spoken after the volume keys; %s is the level 0-10 in words. */
    snprintf(text, sizeof text, _("Volume %s"), n);
    voice_say(s->voice, TONE_CLICK, app_locale(app), text);
}

void speech_header(app_t *app, ui_frame_t *f, int y, int h, int *right)
{
    if (!app->speech)
        return;
    const theme_t *th = f->th;
    /* The button names the state it is in, not what a tap would do. */
    const char *label = speech_on(app) ? _("Voice: on") : _("Voice: off");
    int bw = ui_text_width(f->text, th->px_body, label, -1) + th->pad * 2;
    int min = (int)(150 * th->scale);
    if (bw < min)
        bw = min;
    SDL_Rect r = {*right - th->gap - bw, y, bw, h};
    ui_button(f, "hdr.voice", r, label, UI_BTN_GHOST, true)->px = th->px_body;
    *right = r.x;
}

bool speech_action(app_t *app, const char *id)
{
    if (!strcmp(id, "hdr.voice")) {
        speech_toggle(app);
        return true;
    }
    if (!strcmp(id, "hdr.repeat")) {
        speech_repeat(app);
        return true;
    }
    return false;
}
