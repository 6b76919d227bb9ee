/* UI scenarios: the app headless, driven by widget id on a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "app/tour.h"
#include "core/clock.h"
#include "core/staff_auth.h"
#include "services/bills/bills.h"
#include "services/staff/staff.h"
#include "store/writer.h"
#include "support/fixture.h"
#include "support/harness.h"

static app_t *start_home(const char *const *sets)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, sets);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app->screen, SCR_HOME);
    return app;
}

static void first_touch_wakes_to_home_without_pressing(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_int_equal(app->session.state, SESSION_IDLE);
    assert_true(app_test_text_shown(app, "轻触屏幕开始"));
    /* Where the bills tile will be: the wake-up touch must not open it. */
    app_test_tap_xy(app, 300, 300);
    assert_int_equal(app->screen, SCR_HOME);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_true(app_test_text_shown(app, "生活缴费"));
    harness_free(app);
}

static void tiles_open_screens_and_nav_returns(void **state)
{
    app_t *app = start_home(NULL);
    const char *tiles[] = {"home.bills", "home.housekeeping", "home.notices",
                           "home.scan", "home.guide", "home.help"};
    screen_id_t want[] = {SCR_BILLS, SCR_HOUSEKEEPING, SCR_NOTICES, SCR_SCAN, SCR_GUIDE, SCR_HELP};
    for (int i = 0; i < 6; i++) {
        assert_int_equal(app_test_tap(app, tiles[i]), 0);
        assert_int_equal(app->screen, want[i]);
        /* Each opens on its own first question. */
        static const char *const first[] = {"请选择查询账单的方式", NULL, "社区活动",
                                            "请把身份证放在读卡区", "您要办理什么事？",
                                            "需要帮助？工作人员可以过来帮您。"};
        if (first[i]) assert_true(app_test_text_shown(app, first[i]));
        /* Back and home are on every screen. */
        assert_non_null(ui_find(app->frame, "nav.back"));
        assert_non_null(ui_find(app->frame, "nav.home"));
        assert_int_equal(app_test_tap(app, i % 2 ? "nav.home" : "nav.back"), 0);
        assert_int_equal(app->screen, SCR_HOME);
    }
    /* On home, back and home are shown but disabled. */
    assert_int_equal(app_test_tap(app, "nav.back"), -1);
    assert_non_null(ui_find(app->frame, "nav.back"));
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    assert_int_equal(app->screen, SCR_HELP);
    harness_free(app);
}

static void language_switch_is_per_session(void **state)
{
    app_t *app = start_home(NULL);
    assert_true(app_test_text_shown(app, "生活缴费"));
    assert_true(app_test_text_shown(app, "English"));       /* the button names the other language */
    assert_int_equal(app_test_tap(app, "hdr.lang"), 0);
    assert_string_equal(app_locale(app), "en");
    assert_true(app_test_text_shown(app, "Pay bills"));
    assert_false(app_test_text_shown(app, "生活缴费"));
    /* The button cycles through every shipped locale (sorted by name: en, ko,
     * zh_CN), each named in its own language. */
    assert_true(app_test_text_shown(app, "한국어"));
    assert_int_equal(app_test_tap(app, "hdr.lang"), 0);
    assert_string_equal(app_locale(app), "ko");
    assert_true(app_test_text_shown(app, "요금 납부"));
    assert_true(app_test_text_shown(app, "中文"));
    assert_int_equal(app_test_tap(app, "hdr.lang"), 0);
    assert_string_equal(app_locale(app), "zh_CN");
    assert_true(app_test_text_shown(app, "English"));
    assert_int_equal(app_test_tap(app, "hdr.lang"), 0);
    assert_string_equal(app_locale(app), "en");
    /* The language stays while the resident moves around. */
    assert_int_equal(app_test_tap(app, "home.guide"), 0);
    assert_true(app_test_text_shown(app, "Which errand can we help you with?"));
    app_end_session(app, "finished");
    assert_string_equal(app_locale(app), "zh_CN");
    app_test_tap_xy(app, 900, 500);
    assert_true(app_test_text_shown(app, "生活缴费"));
    harness_free(app);
}

static int px_of(app_t *app, const char *id)
{
    app_build(app);
    const ui_widget_t *w = ui_find(app->frame, id);
    assert_non_null(w);
    return w->px;
}

static void text_size_is_per_session(void **state)
{
    app_t *app = start_home(NULL);
    assert_true(app_test_text_shown(app, "大字：关"));        /* the toggles name their state */
    assert_true(app_test_text_shown(app, "长辈模式：关"));
    assert_true(app_test_text_shown(app, "高对比：关"));
    assert_int_equal(app_test_tap(app, "home.housekeeping"), 0);
    int std = px_of(app, "hk.msg");
    assert_int_equal(app_test_tap(app, "hdr.size"), 0);
    assert_int_equal(app_theme(app), THEME_ELDER);
    int big = px_of(app, "hk.msg");
    assert_true(big * 2 >= std * 3);
    assert_true(app_test_text_shown(app, "大字：开"));
    assert_int_equal(app_test_tap(app, "hdr.size"), 0);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    assert_int_equal(app_test_tap(app, "hdr.size"), 0);
    app_end_session(app, "finished");
    assert_int_equal(app_theme(app), THEME_STANDARD);
    harness_free(app);
}

/* 长辈模式 and 高对比 on the home screen: each names its state, they combine
 * (the elder layout in the contrast colours), and the next resident gets
 * kiosk.ini's theme again. */
static void elder_and_contrast_from_home_last_the_session(void **state)
{
    app_t *app = start_home(NULL);
    assert_int_equal(app_test_tap(app, "home.contrast"), 0);
    assert_int_equal(app_theme(app), THEME_CONTRAST);
    assert_true(app->theme.high_contrast);
    assert_true(app_test_text_shown(app, "高对比：开"));
    assert_int_equal(app_test_tap(app, "home.elder"), 0);
    assert_int_equal(app_theme(app), THEME_ELDER);
    app_build(app);
    assert_true(app->theme.high_contrast);                   /* both: large, in contrast */
    assert_true(app_test_text_shown(app, "长辈模式：开"));
    assert_true(app_test_text_shown(app, "大字：开"));
    assert_true(app_test_text_shown(app, "高对比：开"));
    /* A selected toggle's text keeps the contrast theme's 7:1. */
    const ui_widget_t *w = ui_find(app->frame, "home.contrast");
    assert_non_null(w);
    assert_true(theme_contrast(w->fg, w->bg) >= 7.0);
    assert_int_equal(app_test_tap(app, "home.contrast"), 0);
    app_build(app);
    assert_false(app->theme.high_contrast);
    assert_int_equal(app_theme(app), THEME_ELDER);
    assert_int_equal(app_test_tap(app, "home.contrast"), 0);
    app_end_session(app, "finished");
    app_build(app);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    assert_false(app->theme.high_contrast);
    harness_free(app);

    /* A kiosk set to contrast: the resident may turn it off, for the session. */
    const char *sets[] = {"ui.theme=contrast", NULL};
    app = start_home(sets);
    assert_true(app_test_text_shown(app, "高对比：开"));
    assert_int_equal(app_test_tap(app, "home.contrast"), 0);
    app_build(app);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    assert_false(app->theme.high_contrast);
    app_end_session(app, "finished");
    app_build(app);
    assert_int_equal(app_theme(app), THEME_CONTRAST);
    assert_true(app->theme.high_contrast);
    harness_free(app);
}

/* The attract loop offers 长辈模式 beside the plain start: a first touch
 * there starts the session in it; elsewhere it presses nothing. */
static void attract_offers_elder_mode(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_true(app_test_text_shown(app, "长辈模式（大字）"));
    assert_int_equal(app_test_tap(app, "attract.elder"), 0);
    assert_int_equal(app->screen, SCR_HOME);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_int_equal(app_theme(app), THEME_ELDER);
    assert_true(app_test_text_shown(app, "长辈模式：开"));
    app_end_session(app, "finished");
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    /* The plain start keeps the kiosk's default. */
    app_build(app);
    const ui_widget_t *cta = ui_find(app->frame, "attract.cta");
    assert_non_null(cta);
    app_test_tap_xy(app, cta->r.x + cta->r.w / 2, cta->r.y + cta->r.h / 2);
    assert_int_equal(app->screen, SCR_HOME);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    harness_free(app);

    /* On a large-text kiosk the other start is normal text. */
    const char *sets[] = {"ui.theme=elder", NULL};
    app = harness_app(1920, 1080, NULL, NULL, sets);
    assert_true(app_test_text_shown(app, "用标准字开始"));
    assert_int_equal(app_test_tap(app, "attract.elder"), 0);
    assert_int_equal(app_theme(app), THEME_STANDARD);
    harness_free(app);
}

static void idle_warning_then_attract_and_wipe(void **state)
{
    app_t *app = start_home(NULL);
    int sessions = store_session_count(app->store);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    strcpy(app->session.pii.name, "张三明");
    strcpy(app->session.pii.id_number, "370202199001011234");
    app_test_advance(app, 59000);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_false(app_test_text_shown(app, "您还在吗"));
    app_test_advance(app, 1000);
    assert_int_equal(app->session.state, SESSION_WARNING);
    assert_true(app_test_text_shown(app, "您还在吗"));
    const ui_widget_t *count = ui_find(app->frame, "timeout.count.value");
    assert_non_null(count);
    assert_string_equal(count->text, "还剩20秒");                /* with its unit */
    app_test_advance(app, 5000);
    assert_true(app_test_text_shown(app, "还剩15秒"));
    /* The dialog covers the screen: the tiles below cannot be tapped. */
    assert_int_equal(app_test_tap(app, "nav.home"), -1);
    app_test_advance(app, 15000);
    assert_int_equal(app->session.state, SESSION_IDLE);
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_false(session_pii_present(&app->session));
    assert_int_equal(app->depth, 0);
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);   /* written off the UI thread */
    assert_int_equal(store_session_count(app->store), sessions + 1);
    harness_free(app);
}

static void touch_during_warning_continues(void **state)
{
    app_t *app = start_home(NULL);
    assert_int_equal(app_test_tap(app, "home.guide"), 0);
    app_test_advance(app, 61000);
    assert_int_equal(app->session.state, SESSION_WARNING);
    app_test_tap_xy(app, 10, 600);             /* anywhere */
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_int_equal(app->screen, SCR_GUIDE);   /* nothing under the dialog was pressed */
    assert_false(app_test_text_shown(app, "您还在吗"));
    app_test_advance(app, 61000);
    assert_int_equal(app_test_tap(app, "timeout.continue"), 0);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    app_test_advance(app, 61000);
    assert_int_equal(app_test_tap(app, "timeout.end"), 0);
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_int_equal(app->session.state, SESSION_IDLE);
    harness_free(app);
}

static void attract_rotates_notices(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    fixture_notices(app);
    assert_true(app->n_notices >= 2);
    app_build(app);
    const ui_widget_t *t = ui_find(app->frame, "attract.notice.title");
    assert_non_null(t);
    char first[256];
    strcpy(first, t->text);
    assert_int_equal(app_wait_ms(app) <= 8000, 1);
    app_test_advance(app, 8000);
    assert_true(app->dirty);
    app_build(app);
    t = ui_find(app->frame, "attract.notice.title");
    assert_string_not_equal(t->text, first);
    harness_free(app);
}

static void renders_only_on_change(void **state)
{
    app_t *app = start_home(NULL);
    app_draw(app);
    unsigned frames = app->frames;
    assert_false(app->dirty);
    /* Nothing is due for a while: the loop may sleep (clock at 09:30:0x). */
    assert_true(app_wait_ms(app) >= 1000);
    app_test_advance(app, 500);
    assert_false(app->dirty);
    /* The header clock's minute changes: one redraw. */
    app_test_advance(app, 60000);
    assert_true(app->dirty);
    app_draw(app);
    assert_int_equal(app->frames, frames + 1);
    harness_free(app);
}

static void tap_forgiveness(void **state)
{
    app_t *app = start_home(NULL);
    app_build(app);
    const ui_widget_t *w = ui_find(app->frame, "home.bills");
    SDL_Rect r = w->r;
    /* Just outside the tile (within the slop) still counts. */
    app_test_tap_xy(app, r.x + r.w / 2, r.y + r.h + 8);
    assert_int_equal(app->screen, SCR_BILLS);
    /* A second tap landing right after a screen change is dropped. */
    app_build(app);
    const ui_widget_t *home = ui_find(app->frame, "nav.home");
    int x = home->r.x + home->r.w / 2, y = home->r.y + home->r.h / 2;
    app_test_tap(app, "nav.back");
    assert_int_equal(app->screen, SCR_HOME);
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN; ev.button.button = SDL_BUTTON_LEFT;
    app_build(app);
    const ui_widget_t *tile = ui_find(app->frame, "home.notices");
    ev.button.x = tile->r.x + 20; ev.button.y = tile->r.y + 20;
    app_handle_event(app, &ev);
    clock_fake_advance(60);
    ev.type = SDL_MOUSEBUTTONUP;
    app_handle_event(app, &ev);
    assert_int_equal(app->screen, SCR_HOME);
    (void)x; (void)y;
    harness_free(app);
}

static void keys(app_t *app, SDL_Keycode sym, Uint16 mod)
{
    SDL_Event ev = {0};
    ev.type = SDL_KEYDOWN;
    ev.key.keysym.sym = sym;
    ev.key.keysym.mod = mod;
    app_handle_event(app, &ev);
}

/* Keys never start a session: a stray key or a keyboard-wedge scanner on
 * the attract loop leaves it as it is; the next touch still wakes it. */
static void keys_do_not_wake_the_kiosk(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    keys(app, SDLK_a, 0);
    keys(app, SDLK_RETURN, 0);
    assert_int_equal(app->session.state, SESSION_IDLE);
    assert_int_equal(app->screen, SCR_ATTRACT);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app->screen, SCR_HOME);
    /* During the warning a key is activity: the dialog goes. */
    app_test_advance(app, 61000);
    assert_int_equal(app->session.state, SESSION_WARNING);
    app_draw(app);
    keys(app, SDLK_a, 0);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_true(app->dirty);
    harness_free(app);
}

static void lockdown_ignores_escape_keys(void **state)
{
    const char *sets[] = {"staff.lockdown=true", NULL};
    app_t *app = start_home(sets);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    keys(app, SDLK_ESCAPE, 0);
    keys(app, SDLK_q, KMOD_LCTRL);
    keys(app, SDLK_F4, KMOD_LALT);
    keys(app, SDLK_TAB, KMOD_LALT);
    assert_false(app->quit);
    assert_int_equal(app->screen, SCR_BILLS);
    /* Only the system's SIGTERM (SDL_QUIT) stops a locked-down kiosk. */
    SDL_Event q = {.type = SDL_QUIT};
    app_handle_event(app, &q);
    assert_true(app->quit);
    harness_free(app);
}

/* Multi-finger touches as SDL hands them to the kiosk (finger and gesture
 * events; Xvfb cannot make them, so tests/checks/lockdown_escape.sh only
 * drives the pointer the first finger emulates), other buttons, the wheel
 * and the window manager's window events: in lockdown none of them quits,
 * leaves the screen or presses anything. */
static void lockdown_ignores_touch_gestures(void **state)
{
    const char *sets[] = {"staff.lockdown=true", NULL};
    app_t *app = start_home(sets);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    for (int f = 0; f < 5; f++) {
        SDL_Event ev = {.type = SDL_FINGERDOWN};
        ev.tfinger.touchId = 1;
        ev.tfinger.fingerId = f;
        ev.tfinger.x = 0.1f + 0.2f * (float)f;
        ev.tfinger.y = 0.5f;
        app_handle_event(app, &ev);
        ev.type = SDL_FINGERMOTION;
        ev.tfinger.dy = 0.3f;
        app_handle_event(app, &ev);
    }
    SDL_Event g = {.type = SDL_MULTIGESTURE};
    g.mgesture.numFingers = 5;
    g.mgesture.dDist = -0.4f;       /* a pinch */
    g.mgesture.dTheta = 1.0f;
    app_handle_event(app, &g);
    g.type = SDL_DOLLARGESTURE;
    g.dgesture.numFingers = 3;
    app_handle_event(app, &g);
    for (int f = 0; f < 5; f++) {
        SDL_Event ev = {.type = SDL_FINGERUP};
        ev.tfinger.fingerId = f;
        app_handle_event(app, &ev);
    }
    Uint8 buttons[] = {SDL_BUTTON_RIGHT, SDL_BUTTON_MIDDLE, SDL_BUTTON_X1, SDL_BUTTON_X2};
    for (size_t i = 0; i < sizeof buttons; i++) {
        SDL_Event b = {.type = SDL_MOUSEBUTTONDOWN};
        b.button.button = buttons[i];
        b.button.x = 100;            /* on the back button */
        b.button.y = 1030;
        app_handle_event(app, &b);
        b.type = SDL_MOUSEBUTTONUP;
        app_handle_event(app, &b);
    }
    SDL_Event wheel = {.type = SDL_MOUSEWHEEL};
    wheel.wheel.y = -5;
    app_handle_event(app, &wheel);
    Uint8 wev[] = {SDL_WINDOWEVENT_CLOSE, SDL_WINDOWEVENT_FOCUS_LOST, SDL_WINDOWEVENT_MINIMIZED,
                   SDL_WINDOWEVENT_HIDDEN, SDL_WINDOWEVENT_LEAVE, SDL_WINDOWEVENT_TAKE_FOCUS};
    for (size_t i = 0; i < sizeof wev; i++) {
        SDL_Event w = {.type = SDL_WINDOWEVENT};
        w.window.event = wev[i];
        app_handle_event(app, &w);
    }
    app_tick(app);
    assert_false(app->quit);
    assert_int_equal(app->screen, SCR_BILLS);
    assert_string_equal(app->pressed, "");
    /* The lockdown hints are set before SDL starts: a window manager's
     * close request does not become SDL_QUIT, focus loss does not minimise. */
    assert_string_equal(SDL_GetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE), "0");
    assert_string_equal(SDL_GetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS), "0");
    assert_string_equal(SDL_GetHint(SDL_HINT_GRAB_KEYBOARD), "1");
    /* Where the other buttons went, the left one (a tap) does go back. */
    app_test_tap_xy(app, 100, 1030);
    assert_int_equal(app->screen, SCR_HOME);
    harness_free(app);
}

static void without_lockdown_escape_goes_back_ctrl_q_quits(void **state)
{
    app_t *app = start_home(NULL);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    keys(app, SDLK_ESCAPE, 0);
    assert_int_equal(app->screen, SCR_HOME);
    assert_false(app->quit);
    keys(app, SDLK_q, KMOD_LCTRL);
    assert_true(app->quit);
    harness_free(app);
}

static void corner_taps(app_t *app, int n)
{
    for (int i = 0; i < n; i++) {
        app_test_tap_xy(app, 20, 20);
    }
}

static void enter_pin(app_t *app, const char *pin)
{
    for (const char *p = pin; *p; p++) {
        char id[16];
        snprintf(id, sizeof id, "pin.key.%c", *p);
        assert_int_equal(app_test_tap(app, id), 0);
    }
    assert_int_equal(app_test_tap(app, "pin.key.ok"), 0);
    assert_true(app->staff->pin_checking);
    app_test_pump(app, 50, 10000);
    assert_false(app->staff->pin_checking);
}

static void staff_gesture_pin_and_lockout(void **state)
{
    char hash[STAFF_HASH_MAX], set[300];
    assert_int_equal(staff_pin_hash("2468", hash), 0);
    snprintf(set, sizeof set, "staff.pin_hash=%s", hash);
    const char *sets[] = {set, "staff.lockdown=true", NULL};
    app_t *app = start_home(sets);
    corner_taps(app, 4);
    assert_int_equal(app->screen, SCR_HOME);
    corner_taps(app, 1);
    assert_int_equal(app->screen, SCR_STAFF_PIN);
    /* OK checks nothing before four digits, and says so. */
    assert_int_equal(app_test_tap(app, "pin.key.1"), 0);
    assert_int_equal(app_test_tap(app, "pin.key.ok"), 0);
    assert_false(app->staff->pin_checking);
    assert_true(app_test_text_shown(app, "至少4位"));
    assert_int_equal(app_test_tap(app, "pin.key.del"), 0);
    assert_int_equal(app->staff->pin_len, 0);
    for (int i = 0; i < 4; i++) {
        enter_pin(app, "1111");
        assert_int_equal(app->screen, SCR_STAFF_PIN);
        assert_true(app_test_text_shown(app, "密码错误"));
    }
    enter_pin(app, "1111");
    assert_true(staff_auth_locked(&app->staff->auth, clock_mono_ms()) > 0);
    assert_true(app_test_text_shown(app, "5:00"));
    /* Locked: even the right PIN cannot be typed. */
    assert_int_equal(app_test_tap(app, "pin.key.2"), -1);
    /* Keep the session alive while the lock runs out. */
    for (int i = 0; i < 6; i++) {
        app_test_advance(app, 50000);
        app_test_tap_xy(app, 1000, 200);
    }
    assert_int_equal(staff_auth_locked(&app->staff->auth, clock_mono_ms()), 0);
    assert_int_equal(app->screen, SCR_STAFF_PIN);
    enter_pin(app, "2468");
    assert_int_equal(app->screen, SCR_STAFF_MENU);
    assert_true(app_test_text_shown(app, "工作人员菜单"));
    assert_int_equal(app->staff->pin_len, 0);
    assert_int_equal(app_test_tap(app, "staff.exit"), 0);
    assert_true(app->quit);
    harness_free(app);
}

/* The staff menu's status rows that do not fit one page (large text, and
 * even the standard theme at 1920x1080) come page by page behind
 * "staff.more": every row once, then back to the first page. */
static void staff_menu_pages_every_row(void **state)
{
    static const char *const themes[] = {"elder", "standard"};
    for (int t = 0; t < 2; t++) {
        app_t *app = harness_app(1920, 1080, themes[t], "zh_CN", NULL);
        app_test_tap_xy(app, 900, 500);              /* a session, as staff have */
        app_go(app, SCR_STAFF_MENU);
        app_build(app);
        int seen[16] = {0}, pages = 0;
        while (pages < 16) {
            pages++;
            for (int i = 0; i < app->frame->n; i++) {
                int r;
                if (sscanf(app->frame->w[i].id, "staff.row.%d", &r) == 1 && r >= 0 && r < 16) seen[r]++;
            }
            if (!ui_find(app->frame, "staff.more")) break;
            assert_int_equal(app_test_tap(app, "staff.more"), 0);
            assert_int_equal(app->screen, SCR_STAFF_MENU);
            app_build(app);
            if (ui_find(app->frame, "staff.row.0")) break;      /* round again */
        }
        int rows = 0;
        while (rows < 16 && seen[rows]) rows++;
        print_message("%s: %d rows in %d pages\n", themes[t], rows, pages);
        assert_true(rows >= 8);                      /* the menu has about a dozen rows */
        for (int r = 0; r < 16; r++) assert_int_equal(seen[r], r < rows ? 1 : 0);
        if (t == 0) assert_true(pages > 1);          /* large text: more than a page */
        harness_free(app);
    }
}

static void street_mode_has_no_personal_services(void **state)
{
    const char *sets[] = {"kiosk.mode=street", NULL};
    app_t *app = start_home(sets);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app->screen, SCR_HOME);
    assert_true(app_test_text_shown(app, "社区服务大厅"));
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    assert_int_equal(app->screen, SCR_NOTICES);
    harness_free(app);
}

static void broken_var_dir_keeps_running(void **state)
{
    const char *sets[] = {"kiosk.var_dir=/proc/version/nope", NULL};
    app_t *app = start_home(sets);
    assert_null(app->store);
    assert_int_equal(app->n_notices, 0);
    app_end_session(app, "finished");
    assert_true(app_test_text_shown(app, "欢迎使用"));
    app_test_tap_xy(app, 900, 500);
    app_go(app, SCR_STAFF_MENU);
    assert_true(app_test_text_shown(app, "不可用"));
    harness_free(app);
}

static void press_at_window_xy(app_t *app, int x, int y)
{
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = x;
    ev.button.y = y;
    app_handle_event(app, &ev);
}

/* A landscape layout on a panel mounted turned by 90 degrees: the window is
 * portrait, the picture is turned, and touches are turned back. */
static void rotated_panel_maps_touches(void **state)
{
    const char *sets[] = {"display.rotation=90", NULL};
    app_t *app = harness_window_app(1920, 1080, sets);
    int ww, wh;
    SDL_GetWindowSize(app->win, &ww, &wh);
    assert_int_equal(ww, 1080);
    assert_int_equal(wh, 1920);
    assert_non_null(app->rot_target);
    app_test_tap_xy(app, 10, 10);               /* wake */
    app_draw(app);
    const ui_widget_t *w = ui_find(app->frame, "home.bills");
    int lx = w->r.x + w->r.w / 2, ly = w->r.y + w->r.h / 2;
    /* Layout point (lx, ly) shows at window (wh_layout - ly, lx) when
     * turned 90 degrees clockwise. */
    clock_fake_advance(1000);
    press_at_window_xy(app, 1080 - ly, lx);
    assert_string_equal(app->pressed, "home.bills");
    harness_free(app);
}

static void window_renders_and_presents(void **state)
{
    app_t *app = harness_window_app(1280, 800, NULL);
    unsigned before = app->frames;
    app_draw(app);
    assert_int_equal(app->frames, before + 1);
    assert_false(app->dirty);
    harness_free(app);
}

/* The ID card tile is no dead end: once a card is read it leads on to the
 * bills (looked up with the card already read, not asked for again) and to
 * housekeeping. */
static void identify_tile_leads_on(void **state)
{
    app_t *app = start_home(NULL);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    assert_int_equal(app_test_tap(app, "ident.bills"), -1);      /* nothing read yet */
    snprintf(app->session.pii.name, sizeof app->session.pii.name, "%s", "张建国");
    snprintf(app->session.pii.id_number, sizeof app->session.pii.id_number, "%s", "370203196803120315");
    app->dirty = true;
    assert_int_equal(app_test_tap(app, "ident.hk"), 0);
    assert_int_equal(app->screen, SCR_HOUSEKEEPING);
    assert_int_equal(app_test_tap(app, "nav.back"), 0);
    assert_int_equal(app->screen, SCR_SCAN);
    assert_int_equal(app_test_tap(app, "ident.bills"), 0);
    assert_int_equal(app->screen, SCR_BILLS);
    assert_int_equal(app_test_tap(app, "bills.card"), 0);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
    assert_int_equal(app->bills->how, BILLS_FIND_CARD);          /* looked up at once */
    assert_true(app->bills->msg[0] != 0);                          /* (no hub here: said so) */
    harness_free(app);
}

/* The keypad's ✓ is never a dead tap: greyed while the number is not
 * ready, a tap says what is missing. */
static void keypad_tick_says_why(void **state)
{
    app_t *app = start_home((const char *const[]){"ui.locale=en", NULL});
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.account"), 0);
    assert_int_equal(app_test_tap(app, "acct.key.3"), 0);
    assert_int_equal(app_test_tap(app, "acct.key.ok"), 0);
    assert_true(app_test_text_shown(app, "Please choose water, electricity, gas or heating first."));
    assert_int_equal(app_test_tap(app, "acct.utility.0"), 0);
    assert_int_equal(app_test_tap(app, "acct.key.ok"), 0);
    assert_true(app_test_text_shown(app, "An account number has 6 to 20 digits."));
    /* the help screen's call-back number */
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    assert_int_equal(app_test_tap(app, "help.consent"), 0);
    assert_int_equal(app_test_tap(app, "help.key.1"), 0);
    assert_int_equal(app_test_tap(app, "help.key.ok"), 0);
    assert_true(app_test_text_shown(app, "A mobile number has 11 digits"));
    harness_free(app);
}

/* Large text shows fewer bills a page, never fewer bills: the rest are one
 * tap away ("还有1笔，点此查看"), and each is seen before it is paid. */
static void large_text_pages_the_bills(void **state)
{
    app_t *app = harness_app(1920, 1080, "elder", NULL, NULL);
    assert_int_equal(tour_show(app, "bills_list"), 0);
    app_build(app);
    assert_non_null(ui_find(app->frame, "list.bill.0.0"));
    assert_null(ui_find(app->frame, "list.bill.0.1"));
    assert_true(app_test_text_shown(app, "还有1笔，点此查看"));
    assert_int_equal(app_test_tap(app, "list.next"), 0);
    assert_null(ui_find(app->frame, "list.bill.0.0"));
    assert_non_null(ui_find(app->frame, "list.bill.0.1"));
    assert_int_equal(app_test_tap(app, "list.prev"), 0);
    assert_non_null(ui_find(app->frame, "list.bill.0.0"));
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_touch_wakes_to_home_without_pressing),
        cmocka_unit_test(tiles_open_screens_and_nav_returns),
        cmocka_unit_test(identify_tile_leads_on),
        cmocka_unit_test(keypad_tick_says_why),
        cmocka_unit_test(large_text_pages_the_bills),
        cmocka_unit_test(language_switch_is_per_session),
        cmocka_unit_test(text_size_is_per_session),
        cmocka_unit_test(elder_and_contrast_from_home_last_the_session),
        cmocka_unit_test(attract_offers_elder_mode),
        cmocka_unit_test(idle_warning_then_attract_and_wipe),
        cmocka_unit_test(touch_during_warning_continues),
        cmocka_unit_test(attract_rotates_notices),
        cmocka_unit_test(renders_only_on_change),
        cmocka_unit_test(tap_forgiveness),
        cmocka_unit_test(keys_do_not_wake_the_kiosk),
        cmocka_unit_test(lockdown_ignores_escape_keys),
        cmocka_unit_test(lockdown_ignores_touch_gestures),
        cmocka_unit_test(without_lockdown_escape_goes_back_ctrl_q_quits),
        cmocka_unit_test(staff_gesture_pin_and_lockout),
        cmocka_unit_test(staff_menu_pages_every_row),
        cmocka_unit_test(street_mode_has_no_personal_services),
        cmocka_unit_test(broken_var_dir_keeps_running),
        cmocka_unit_test(rotated_panel_maps_touches),
        cmocka_unit_test(window_renders_and_presents),
    };
    return cmocka_run_group_tests_name("app", tests, NULL, NULL);
}
