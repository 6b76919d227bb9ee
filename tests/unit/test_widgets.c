/* Toolkit widgets: ids, hit-testing, modal blocking, images, lists, keypad. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "support/harness.h"

static theme_t th;

static ui_frame_t *frame(app_t *app)
{
    theme_make(&th, THEME_STANDARD, 1280, 800);
    ui_frame_begin(app->frame, 1280, 800, &th, app->text);
    return app->frame;
}

static Uint32 pixel(app_t *app, int x, int y)
{
    Uint32 p = 0;
    SDL_Rect r = {x, y, 1, 1};
    assert_int_equal(SDL_RenderReadPixels(app->ren, &r, SDL_PIXELFORMAT_ARGB8888, &p, 4), 0);
    return p & 0xFFFFFF;
}

static void keypad_and_list_ids(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = frame(app);
    ui_keypad(f, "kp", (SDL_Rect){0, 0, 600, 600}, false);
    const char *keys[] = {"kp.0", "kp.1", "kp.9", "kp.del", "kp.ok"};
    for (int i = 0; i < 5; i++) assert_non_null(ui_find(f, keys[i]));
    const ui_widget_t *one = ui_find(f, "kp.1");
    assert_ptr_equal(ui_hit(f, one->r.x + 5, one->r.y + 5, 0), one);
    /* The OK key that is not ready looks greyed but is still hit: the
     * screen says why it cannot go on (never a silent dead tap). */
    const ui_widget_t *ok = ui_find(f, "kp.ok");
    assert_false(ok->flags & UI_F_DISABLED);
    assert_int_equal(ok->bg.r, app->theme.disabled.r);
    assert_int_equal(ok->bg.g, app->theme.disabled.g);
    assert_int_equal(ok->bg.b, app->theme.disabled.b);
    assert_ptr_equal(ui_hit(f, ok->r.x + ok->r.w / 2, ok->r.y + ok->r.h / 2, 0), ok);

    const char *items[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    f = frame(app);
    int shown = ui_list(f, "ls", (SDL_Rect){0, 0, 600, 400}, items, 10, 2);
    assert_true(shown >= 2 && shown < 8);
    assert_null(ui_find(f, "ls.1"));
    assert_non_null(ui_find(f, "ls.2"));
    assert_string_equal(ui_find(f, "ls.2.text")->text, "三");
    harness_free(app);
}

static void modal_blocks_what_is_below(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = frame(app);
    ui_button(f, "under", (SDL_Rect){10, 10, 200, 100}, "Under", UI_BTN_PRIMARY, true);
    assert_non_null(ui_hit(f, 50, 50, 0));
    SDL_Rect b = ui_modal(f, "dlg", "Title", "Body text", 100);
    ui_button(f, "dlg.ok", b, "OK", UI_BTN_PRIMARY, true);
    assert_null(ui_hit(f, 50, 50, 24));
    assert_string_equal(ui_hit(f, b.x + 5, b.y + 5, 0)->id, "dlg.ok");
    harness_free(app);
}

static void toast_and_countdown(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = frame(app);
    ui_toast(f, "t", "已保存");
    assert_string_equal(ui_find(f, "t.text")->text, "已保存");
    ui_countdown(f, "c", (SDL_Rect){0, 0, 300, 200}, 5, 20);
    assert_string_equal(ui_find(f, "c.value")->text, "还剩5秒");              /* with its unit */
    assert_int_equal(ui_find(f, "c.bar")->value, 250);
    ui_countdown(f, "d", (SDL_Rect){0, 0, 300, 200}, -3, 20);
    assert_string_equal(ui_find(f, "d.value")->text, "还剩0秒");
    ui_countdown(f, "e", (SDL_Rect){0, 0, 300, 200}, 163, 180);
    assert_string_equal(ui_find(f, "e.value")->text, "还剩2分43秒");
    harness_free(app);
}

static void image_draws_and_missing_image_is_a_box(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    char path[] = "/tmp/kiosk-img-XXXXXX.png";
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    close(fd);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 40, 20, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_FillRect(s, NULL, SDL_MapRGB(s->format, 0x11, 0xAA, 0x33));
    assert_int_equal(IMG_SavePNG(s, path), 0);
    SDL_FreeSurface(s);

    ui_frame_t *f = frame(app);
    ui_image(f, "img", (SDL_Rect){100, 100, 400, 400}, path);
    ui_image(f, "gone", (SDL_Rect){600, 100, 200, 200}, "/nonexistent/picture.png");
    ui_render_frame(app->render, f);
    /* Scaled to fit, aspect kept: 400x200, centred vertically. */
    assert_int_equal(pixel(app, 300, 300), 0x11AA33);
    assert_int_equal(pixel(app, 300, 150), (Uint32)(th.bg.r << 16 | th.bg.g << 8 | th.bg.b));
    /* The missing one is a quiet box, drawn again without reloading. */
    assert_int_equal(pixel(app, 700, 200), (Uint32)(th.surface.r << 16 | th.surface.g << 8 | th.surface.b));
    ui_render_frame(app->render, f);
    unlink(path);
    harness_free(app);
}

static void frame_overflow_is_flagged_not_fatal(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = frame(app);
    for (int i = 0; i < UI_MAX_WIDGETS + 10; i++) ui_add(f, UI_RECT, "x", (SDL_Rect){0, 0, 1, 1}, "t");
    assert_true(f->overflow);
    assert_int_equal(f->n, UI_MAX_WIDGETS);
    ui_render_frame(app->render, f);
    harness_free(app);
}

/* A screen lays words out, sees a cut, rewinds and lays them out again:
 * ui_cut_since sees only the widgets added after the mark, and ui_rewind
 * drops exactly those (and their text), so the second try starts clean. */
static void rewind_to_a_mark(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = frame(app);
    ui_label_fit(f, "before", (SDL_Rect){0, 0, 40, 10}, "cut before the mark, not seen after it",
                 th.px_body, th.px_body, th.text, th.bg, UI_ALIGN_LEFT, true);
    assert_true(f->w[0].flags & UI_F_ELLIPSIS);
    ui_mark_t m = ui_mark(f);
    int used = f->arena_used;
    assert_false(ui_cut_since(f, m));
    ui_label_fit(f, "fits", (SDL_Rect){0, 100, 600, 200}, "short", th.px_body, th.px_small,
                 th.text, th.bg, UI_ALIGN_LEFT, true);
    assert_false(ui_cut_since(f, m));
    ui_label_fit(f, "cut", (SDL_Rect){0, 300, 60, 20}, "much too long for this little box",
                 th.px_body, th.px_small, th.text, th.bg, UI_ALIGN_LEFT, true);
    assert_true(ui_cut_since(f, m));
    ui_rewind(f, m);
    assert_int_equal(f->n, 1);
    assert_int_equal(f->arena_used, used);
    assert_null(ui_find(f, "fits"));
    assert_non_null(ui_find(f, "before"));
    assert_false(ui_cut_since(f, m));
    /* a mark past the frame's end (taken from another frame) changes nothing */
    ui_rewind(f, (ui_mark_t){f->n + 5, 0});
    assert_int_equal(f->n, 1);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keypad_and_list_ids),
        cmocka_unit_test(modal_blocks_what_is_below),
        cmocka_unit_test(toast_and_countdown),
        cmocka_unit_test(image_draws_and_missing_image_is_a_box),
        cmocka_unit_test(frame_overflow_is_flagged_not_fatal),
        cmocka_unit_test(rewind_to_a_mark),
    };
    return cmocka_run_group_tests_name("widgets", tests, NULL, NULL);
}
