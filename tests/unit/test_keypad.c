/* The resident's USB keypad (app/keypad.c): reading order, the focus ring,
 * the focused element spoken, enter activating it, the keys working in
 * lockdown, and the whole bill payment done from the keypad against a real
 * hub without a single touch. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/keypad.h"
#include "app/screens.h"
#include "app/speech.h"
#include "app/tour.h"
#include "core/clock.h"
#include "services/bills/bills.h"
#include "support/harness.h"
#include "support/hubproc.h"

static hubproc_t hub;

static void key(app_t *app, SDL_Keycode sym)
{
    SDL_Event ev = {.type = SDL_KEYDOWN};
    ev.key.keysym.sym = sym;
    app_handle_event(app, &ev);
    app_test_advance(app, APP_DOUBLE_TAP_GUARD_MS + 50);
}

/* Moves the focus down until it is on ID (at most 200 steps). */
static void focus_on(app_t *app, const char *id)
{
    for (int i = 0; i < 200 && strcmp(keypad_focus(app), id); i++)
        key(app, SDLK_DOWN);
    if (strcmp(keypad_focus(app), id))
        fail_msg("the keypad never reaches %s on screen %s", id, app_screen_name(app->screen));
}

static void press(app_t *app, const char *id)
{
    focus_on(app, id);
    key(app, SDLK_KP_ENTER);
}

static const char *last_said(app_t *app)
{
    static voice_said_t said[VOICE_LOG_MAX];
    int n = voice_said(speech_voice(app), 0, said, VOICE_LOG_MAX);
    return n ? said[n - 1].text : "";
}

static void reading_order_and_ring(void **state)
{
    app_t *app = harness_app(1920, 1080, "standard", "zh_CN", NULL);
    key(app, SDLK_DOWN);                              /* the first key wakes the kiosk */
    assert_int_equal(app->screen, SCR_HOME);
    assert_true(speech_on(app));                      /* and turns speech on */
    app_build(app);
    int order[UI_MAX_WIDGETS];
    int n = keypad_order(app->frame, order, UI_MAX_WIDGETS);
    const char *want[] = {"hdr.voice", "hdr.lang", "hdr.size", "home.bills", "home.housekeeping",
                          "home.notices", "home.scan", "home.guide", "home.help", "home.elder",
                          "home.contrast", "nav.help"};
    assert_int_equal(n, (int)(sizeof want / sizeof want[0]));   /* 返回/首页 are greyed at home */
    for (int i = 0; i < n; i++)
        assert_string_equal(app->frame->w[order[i]].id, want[i]);
    assert_null(ui_find(app->frame, "focus.ring"));   /* nothing focused yet */
    key(app, SDLK_DOWN);
    assert_string_equal(keypad_focus(app), "hdr.voice");
    key(app, SDLK_UP);
    assert_string_equal(keypad_focus(app), "nav.help");          /* wraps round */
    key(app, SDLK_RIGHT);
    key(app, SDLK_RIGHT);
    key(app, SDLK_RIGHT);
    key(app, SDLK_RIGHT);
    assert_string_equal(keypad_focus(app), "home.bills");
    app_build(app);
    assert_non_null(ui_find(app->frame, "focus.ring"));
    assert_non_null(strstr(last_said(app), "生活缴费"));         /* the tile's words */
    key(app, SDLK_KP_ENTER);
    assert_int_equal(app->screen, SCR_BILLS);
    assert_string_equal(keypad_focus(app), "");                  /* a new screen, no focus */
    key(app, SDLK_F2);                                            /* repeat */
    assert_string_equal(last_said(app), "缴费。请选择缴费项目：水费、电费、燃气费或暖气费，然后输入户号；也可以扫纸质账单上的二维码，或者刷身份证。");
    key(app, SDLK_BACKSPACE);
    assert_int_equal(app->screen, SCR_HOME);
    key(app, SDLK_F1);
    assert_int_equal(app->screen, SCR_HELP);
    key(app, SDLK_KP_PLUS);
    assert_int_equal(voice_volume(speech_voice(app)), 7);
    key(app, SDLK_F3);
    assert_false(speech_on(app));
    app_end_session(app, "finished");
    assert_string_equal(keypad_focus(app), "");
    assert_int_equal(voice_volume(speech_voice(app)), 6);
    /* A scanner's Return, or any other key, still wakes nothing. */
    key(app, SDLK_RETURN);
    assert_int_equal(app->session.state, SESSION_IDLE);
    harness_free(app);
}

static void keys_work_in_lockdown_and_dialogs_trap_focus(void **state)
{
    const char *sets[] = {"staff.lockdown=true", NULL};
    app_t *app = harness_app(1920, 1080, "standard", "en", sets);
    key(app, SDLK_DOWN);
    assert_int_equal(app->screen, SCR_HOME);
    press(app, "home.guide");
    assert_int_equal(app->screen, SCR_GUIDE);
    key(app, SDLK_BACKSPACE);
    assert_int_equal(app->screen, SCR_HOME);
    /* "Still there?": only the dialog's buttons are reachable. */
    app_test_advance(app, 61000);
    assert_int_equal(app->session.state, SESSION_WARNING);
    app_build(app);
    int order[UI_MAX_WIDGETS];
    int n = keypad_order(app->frame, order, UI_MAX_WIDGETS);
    assert_int_equal(n, 2);
    assert_string_equal(app->frame->w[order[0]].id, "timeout.end");
    assert_string_equal(app->frame->w[order[1]].id, "timeout.continue");
    harness_free(app);
}

static void bad_key_name_keeps_the_default(void **state)
{
    const char *sets[] = {"keypad.up=NoSuchKey", NULL};
    app_t *app = harness_app(1920, 1080, "standard", "en", sets);
    key(app, SDLK_DOWN);
    key(app, SDLK_UP);
    assert_string_equal(keypad_focus(app), "nav.help");
    harness_free(app);
}

static void explore_mode_speaks_then_presses(void **state)
{
    app_t *app = harness_app(1920, 1080, "standard", "zh_CN", NULL);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app->screen, SCR_HOME);
    assert_false(speech_on(app));
    /* A long press on 语音 turns explore mode on (and speech with it);
     * a short tap on it would only toggle speech. */
    app_build(app);
    const ui_widget_t *v = ui_find(app->frame, "hdr.voice");
    assert_non_null(v);
    int x = v->r.x + v->r.w / 2, y = v->r.y + v->r.h / 2;
    SDL_Event down = {.type = SDL_MOUSEBUTTONDOWN}, up = {.type = SDL_MOUSEBUTTONUP};
    down.button.button = up.button.button = SDL_BUTTON_LEFT;
    down.button.x = up.button.x = x;
    down.button.y = up.button.y = y;
    app_test_advance(app, 500);
    app_handle_event(app, &down);
    clock_fake_advance(KEYPAD_LONG_PRESS_MS + 100);
    app_handle_event(app, &up);
    assert_true(keypad_exploring(app));
    assert_true(speech_on(app));
    assert_non_null(strstr(last_said(app), "触摸朗读已开启"));
    /* One tap: said, not pressed. */
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    assert_int_equal(app->screen, SCR_HOME);
    assert_string_equal(keypad_focus(app), "home.notices");
    assert_non_null(strstr(last_said(app), "社区公告"));
    app_build(app);
    assert_non_null(ui_find(app->frame, "focus.ring"));
    /* A second tap soon after presses it (app_test_tap waits 480 ms). */
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    assert_int_equal(app->screen, SCR_NOTICES);
    /* Too slow is a new first tap. */
    assert_int_equal(app_test_tap(app, "nav.home"), 0);
    app_test_advance(app, 2000);
    assert_int_equal(app_test_tap(app, "nav.home"), 0);
    assert_int_equal(app->screen, SCR_NOTICES);
    key(app, SDLK_F4);                                 /* off from the keypad */
    assert_false(keypad_exploring(app));
    assert_int_equal(app_test_tap(app, "nav.home"), 0);
    assert_int_equal(app->screen, SCR_HOME);
    key(app, SDLK_F4);
    assert_true(keypad_exploring(app));
    app_end_session(app, "finished");
    assert_false(keypad_exploring(app));
    harness_free(app);
}

static void bill_payment_from_the_keypad_alone(void **state)
{
    static char url[128], tok[200];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    const char *sets[] = {url, tok, "ui.locale=zh_CN", "payment.poll_interval=200", "hub.timeout=2",
                          "voice.output=headphones", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    key(app, SDLK_DOWN);
    press(app, "home.bills");
    press(app, "bills.account");
    assert_int_equal(app->screen, SCR_BILLS_ACCOUNT);
    press(app, "acct.utility.0");
    char id[UI_ID_LEN];
    for (const char *d = "3702031056"; *d; d++) {
        snprintf(id, sizeof id, "acct.key.%c", *d);
        press(app, id);
        if (*d == '3')
            assert_string_equal(last_said(app), "3");  /* headphones: digits are read */
    }
    press(app, "acct.key.ok");
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    press(app, "list.pay_qr");
    WAIT_FOR(app, app->bills->pay.state == PAY_WAITING, 5000);
    assert_int_equal(app->bills->pay.state, PAY_WAITING);
    char path[96];
    snprintf(path, sizeof path, "/v1/demo/pay/%s", app->bills->pay_no);
    assert_int_equal(hubproc_get(&hub, path), 200);
    WAIT_FOR(app, app->screen == SCR_PAY_RESULT, 5000);
    assert_int_equal(app->screen, SCR_PAY_RESULT);
    assert_non_null(strstr(last_said(app), "缴费成功，共缴纳"));
    harness_free(app);
}

static int setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    harness_clock_start();
    return hubproc_start(&hub);
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    return 0;
}

/* The language button names the next language in that language, and the
 * keypad's focus says the name in that language's voice; enter cycles
 * through every shipped locale. */
static void language_button_speaks_each_language(void **state)
{
    static voice_said_t said[VOICE_LOG_MAX];
    app_t *app = harness_app(1920, 1080, "standard", "zh_CN", NULL);
    key(app, SDLK_DOWN);                              /* wakes, speech on */
    const char *want[][2] = {{"English", "en"}, {"한국어", "ko"}, {"中文", "zh_CN"}};
    for (int i = 0; i < 3; i++) {
        /* away and back, so that the focus is said again */
        focus_on(app, "hdr.size");
        focus_on(app, "hdr.lang");
        int n = voice_said(speech_voice(app), 0, said, VOICE_LOG_MAX);
        assert_true(n > 0);
        assert_string_equal(said[n - 1].text, want[i][0]);
        assert_string_equal(said[n - 1].locale, want[i][1]);
        key(app, SDLK_KP_ENTER);
        assert_string_equal(app_locale(app), want[i][1]);
    }
    harness_free(app);
}

/* Every screen of the tour, as a resident with the keypad meets it: each
 * thing a finger could tap (found by hit-testing its centre, as a touch
 * would) is reached by "down" presses, and when focused it is said aloud
 * (a PIN key: a click), never in silence. */
static void keypad_reaches_everything_on_every_screen(void **state)
{
    static voice_said_t said[VOICE_LOG_MAX];
    app_t *app = harness_app(1920, 1080, "standard", "zh_CN", NULL);
    key(app, SDLK_DOWN);                              /* wakes, speech on */
    int screens = 0, targets = 0;
    for (int k = 0; tour_states[k]; k++) {
        /* "Still there?": any key is the answer (the session goes on), as
         * any touch is; its button is for a finger. */
        if (!strcmp(tour_states[k], "timeout"))
            continue;
        /* The attract loop: any key wakes the kiosk to home, where the
         * keypad reaches 长辈模式 too; its elder start is for a finger. */
        if (!strcmp(tour_states[k], "attract"))
            continue;
        assert_int_equal(tour_show(app, tour_states[k]), 0);
        app_build(app);
        const ui_frame_t *f = app->frame;
        char ids[UI_MAX_WIDGETS][UI_ID_LEN];
        int n = 0;
        for (int i = 0; i < f->n; i++) {
            const ui_widget_t *w = &f->w[i];
            if (!(w->flags & UI_F_CLICK) || (w->flags & UI_F_DISABLED) || w->r.w <= 0 || w->r.h <= 0)
                continue;
            const ui_widget_t *hit = ui_hit(f, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2, 0);
            if (hit != w)
                continue;                             /* covered (a dialog): not tappable either */
            snprintf(ids[n++], UI_ID_LEN, "%s", w->id);
        }
        screen_id_t on = app->screen;
        for (int i = 0; i < n; i++) {
            focus_on(app, ids[i]);
            if (app->screen != on)
                fail_msg("%s: moving the focus changed the screen", tour_states[k]);
            int m = voice_said(speech_voice(app), 0, said, VOICE_LOG_MAX);
            /* (a PIN's digit keys only click through the loudspeaker) */
            if (m == 0 || (!said[m - 1].text[0] && said[m - 1].tone != TONE_CLICK))
                fail_msg("%s: %s is focused in silence", tour_states[k], ids[i]);
            targets++;
        }
        screens++;
    }
    printf("keypad: %d targets on %d screens, every one reached and said\n", targets, screens);
    assert_true(screens >= 20);
    assert_true(targets >= 100);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reading_order_and_ring),
        cmocka_unit_test(keys_work_in_lockdown_and_dialogs_trap_focus),
        cmocka_unit_test(bad_key_name_keeps_the_default),
        cmocka_unit_test(explore_mode_speaks_then_presses),
        cmocka_unit_test(bill_payment_from_the_keypad_alone),
        cmocka_unit_test(language_button_speaks_each_language),
        cmocka_unit_test(keypad_reaches_everything_on_every_screen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
