/* The resident's USB keypad (app/keypad.h). */
#include "app/keypad.h"

#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/speech.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"

struct keypad {
    SDL_Keycode keys[KEYPAD_COUNT];
    char focus[UI_ID_LEN];
    screen_id_t screen;              /* the screen the focus belongs to */
    bool used;                       /* a keypad key was pressed this session */
    bool explore;                    /* explore mode (keypad.h) */
    uint64_t last_tap_ms;            /* explore: the first tap of a double tap */
};

static const char *key_name(const config_t *c, keypad_key_t k)
{
    switch (k) {
    case KEYPAD_UP: return c->key_up;
    case KEYPAD_DOWN: return c->key_down;
    case KEYPAD_LEFT: return c->key_left;
    case KEYPAD_RIGHT: return c->key_right;
    case KEYPAD_ENTER: return c->key_enter;
    case KEYPAD_BACK: return c->key_back;
    case KEYPAD_HELP: return c->key_help;
    case KEYPAD_REPEAT: return c->key_repeat;
    case KEYPAD_VOLUME_UP: return c->key_volume_up;
    case KEYPAD_VOLUME_DOWN: return c->key_volume_down;
    case KEYPAD_VOICE: return c->key_voice;
    case KEYPAD_EXPLORE: return c->key_explore;
    default: return "";
    }
}

static const char *const key_words[KEYPAD_COUNT] = {
    "up", "down", "left", "right", "enter", "back", "help", "repeat", "volume_up",
    "volume_down", "voice", "explore"};

int keypad_init(app_t *app)
{
    struct keypad *kp = calloc(1, sizeof *kp);
    if (!kp)
        return -1;
    config_t defaults;
    config_defaults(&defaults);
    for (int k = 0; k < KEYPAD_COUNT; k++) {
        const char *name = key_name(&app->cfg, (keypad_key_t)k);
        kp->keys[k] = SDL_GetKeyFromName(name);
        if (kp->keys[k] == SDLK_UNKNOWN) {
            log_error("keypad", "kiosk.ini [keypad] %s = %s: not an SDL key name; using %s",
                      key_words[k], name, key_name(&defaults, (keypad_key_t)k));
            kp->keys[k] = SDL_GetKeyFromName(key_name(&defaults, (keypad_key_t)k));
        }
    }
    kp->screen = app->screen;
    app->keypad = kp;
    return 0;
}

void keypad_free(app_t *app)
{
    free(app->keypad);
    app->keypad = NULL;
}

void keypad_reset(app_t *app)
{
    struct keypad *kp = app->keypad;
    if (!kp)
        return;
    kp->focus[0] = '\0';
    kp->screen = app->screen;
}

void keypad_session_end(app_t *app)
{
    keypad_reset(app);
    if (app->keypad) {
        app->keypad->used = false;
        app->keypad->explore = false;
        app->keypad->last_tap_ms = 0;
    }
}

bool keypad_exploring(const app_t *app)
{
    return app->keypad && app->keypad->explore;
}

void keypad_explore_toggle(app_t *app)
{
    struct keypad *kp = app->keypad;
    if (!kp)
        return;
    kp->explore = !kp->explore;
    kp->last_tap_ms = 0;
    if (kp->explore)
        speech_keypad_used(app);     /* exploring means listening */
    speech_say(app, TONE_CLICK, kp->explore ? _("Explore mode on: touch to hear, tap twice to press.")
                                            : _("Explore mode off."));
    app->dirty = true;
}

bool keypad_explore_tap(app_t *app, const char *id, uint64_t held_ms)
{
    struct keypad *kp = app->keypad;
    if (!kp)
        return false;
    if (!strcmp(id, "hdr.voice") && held_ms >= KEYPAD_LONG_PRESS_MS) {
        keypad_explore_toggle(app);
        return true;
    }
    if (!kp->explore)
        return false;
    if (kp->screen != app->screen)
        keypad_reset(app);
    uint64_t now = clock_mono_ms();
    if (kp->focus[0] && kp->last_tap_ms && now - kp->last_tap_ms <= KEYPAD_DOUBLE_TAP_MS) {
        char focus[UI_ID_LEN];
        snprintf(focus, sizeof focus, "%s", kp->focus);
        kp->last_tap_ms = 0;
        app_activate(app, focus);
        if (kp->screen != app->screen)
            keypad_reset(app);
        return true;
    }
    snprintf(kp->focus, sizeof kp->focus, "%s", id);
    kp->screen = app->screen;
    kp->last_tap_ms = now;
    char label[VOICE_TEXT_MAX];
    speech_label(app, id, label, sizeof label);
    speech_focus(app, id, label);
    app->dirty = true;
    return true;
}

const char *keypad_focus(const app_t *app)
{
    return app->keypad ? app->keypad->focus : "";
}

/* ---- reading order ------------------------------------------------------- */

static const ui_frame_t *sort_frame;

/* Same row when their vertical centres are within half the lower one's
 * height: then left to right, else top to bottom. */
static int reading_cmp(const void *a, const void *b)
{
    const SDL_Rect *p = &sort_frame->w[*(const int *)a].r, *q = &sort_frame->w[*(const int *)b].r;
    int cp = p->y + p->h / 2, cq = q->y + q->h / 2;
    int h = p->h < q->h ? p->h : q->h;
    if (abs(cp - cq) * 2 >= h)
        return cp < cq ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

int keypad_order(const ui_frame_t *f, int *out, int max)
{
    /* Under an open dialog nothing can be tapped: only what lies above its
     * backdrop (the last modal widget) is reachable. */
    int from = 0;
    for (int i = 0; i < f->n; i++)
        if (f->w[i].flags & UI_F_MODAL)
            from = i + 1;
    int n = 0;
    for (int i = from; i < f->n && n < max; i++) {
        unsigned fl = f->w[i].flags;
        if ((fl & UI_F_CLICK) && !(fl & UI_F_DISABLED) && f->w[i].r.w > 0 && f->w[i].r.h > 0)
            out[n++] = i;
    }
    sort_frame = f;                  /* qsort has no context argument; UI thread only */
    qsort(out, (size_t)n, sizeof *out, reading_cmp);
    sort_frame = NULL;
    return n;
}

/* ---- keys ---------------------------------------------------------------- */

static void move(app_t *app, int step)
{
    struct keypad *kp = app->keypad;
    app_build(app);                  /* the frame as it is now */
    int order[UI_MAX_WIDGETS];
    int n = keypad_order(app->frame, order, UI_MAX_WIDGETS);
    if (n == 0)
        return;
    int at = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(app->frame->w[order[i]].id, kp->focus))
            at = i;
    at = at < 0 ? (step > 0 ? 0 : n - 1) : (at + step + n) % n;
    snprintf(kp->focus, sizeof kp->focus, "%s", app->frame->w[order[at]].id);
    char label[VOICE_TEXT_MAX];
    speech_label(app, kp->focus, label, sizeof label);
    speech_focus(app, kp->focus, label);
    app->dirty = true;
}

bool keypad_handle(app_t *app, SDL_Keycode key)
{
    struct keypad *kp = app->keypad;
    if (!kp || key == SDLK_UNKNOWN)
        return false;
    int k = 0;
    while (k < KEYPAD_COUNT && kp->keys[k] != key)
        k++;
    if (k == KEYPAD_COUNT)
        return false;
    if (app_wake(app)) {
        kp->used = true;
        speech_keypad_used(app);
        return true;                 /* the first key wakes the kiosk, as a first touch */
    }
    if (!kp->used) {
        kp->used = true;
        speech_keypad_used(app);
    }
    if (kp->screen != app->screen)
        keypad_reset(app);
    switch ((keypad_key_t)k) {
    case KEYPAD_UP:
    case KEYPAD_LEFT:
        move(app, -1);
        break;
    case KEYPAD_DOWN:
    case KEYPAD_RIGHT:
        move(app, +1);
        break;
    case KEYPAD_ENTER:
        if (kp->focus[0]) {
            char id[UI_ID_LEN];
            snprintf(id, sizeof id, "%s", kp->focus);
            app_build(app);
            if (ui_find(app->frame, id))
                app_activate(app, id);
        } else {
            speech_repeat(app);      /* nothing focused yet: say where we are */
        }
        break;
    case KEYPAD_BACK:
        app_activate(app, "nav.back");
        break;
    case KEYPAD_HELP:
        app_activate(app, "nav.help");
        break;
    case KEYPAD_REPEAT:
        speech_repeat(app);
        break;
    case KEYPAD_VOLUME_UP:
        speech_volume_step(app, +1);
        break;
    case KEYPAD_VOLUME_DOWN:
        speech_volume_step(app, -1);
        break;
    case KEYPAD_VOICE:
        speech_toggle(app);
        break;
    case KEYPAD_EXPLORE:
        keypad_explore_toggle(app);
        break;
    default:
        break;
    }
    if (kp->screen != app->screen)
        keypad_reset(app);
    app->dirty = true;
    return true;
}

void keypad_overlay(app_t *app, ui_frame_t *f)
{
    struct keypad *kp = app->keypad;
    if (!kp || !kp->focus[0] || kp->screen != app->screen)
        return;
    const ui_widget_t *w = ui_find(f, kp->focus);
    if (!w)
        return;
    /* A yellow ring with a black edge: seen on every background, drawn as
     * four bars so that what it surrounds stays visible. */
    int t = (int)(8 * f->th->scale) + 4, g = t + 2;
    SDL_Rect r = {w->r.x - g, w->r.y - g, w->r.w + 2 * g, w->r.h + 2 * g};
    const SDL_Color ring[2] = {{0, 0, 0, 255}, {255, 205, 0, 255}};
    for (int layer = 0; layer < 2; layer++) {
        int o = layer ? 1 : 0, th = layer ? t - 2 : t;
        SDL_Rect bars[4] = {
            {r.x + o, r.y + o, r.w - 2 * o, th},
            {r.x + o, r.y + r.h - o - th, r.w - 2 * o, th},
            {r.x + o, r.y + o, th, r.h - 2 * o},
            {r.x + r.w - o - th, r.y + o, th, r.h - 2 * o},
        };
        for (int i = 0; i < 4; i++) {
            ui_widget_t *b = ui_add(f, UI_RECT, "focus.ring", bars[i], NULL);
            b->bg = ring[layer];
            b->radius = 0;
        }
    }
}
