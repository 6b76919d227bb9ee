/* Panel size to millimetres per pixel (ui/physical.c), and the theme's
 * physical minimums (theme_fit_panel): a 10.1-inch 1280x800 panel gets
 * bigger text and targets than the resolution scale alone gives, nothing
 * ever shrinks, and an unknown panel size changes nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include "ui/physical.h"
#include "ui/theme.h"

static void mm_per_px_from_diagonal(void **state)
{
    /* 10.1" at 1280x800: 256.54 mm over hypot = 1509.4 px */
    double mm = phys_mm_per_px(10.1, 1280, 800);
    assert_true(fabs(mm - 0.16996) < 1e-4);
    /* 21.5" 1920x1080: the usual 0.248 mm pixel */
    assert_true(fabs(phys_mm_per_px(21.5, 1920, 1080) - 0.2479) < 1e-3);
    /* portrait is the same panel */
    assert_true(fabs(phys_mm_per_px(21.5, 1080, 1920) - phys_mm_per_px(21.5, 1920, 1080)) < 1e-12);
    assert_true(phys_mm_per_px(0, 1280, 800) == 0);
    assert_true(phys_mm_per_px(-3, 1280, 800) == 0);
    assert_true(phys_mm_per_px(NAN, 1280, 800) == 0);
    assert_true(phys_mm_per_px(10.1, 0, 800) == 0);
}

static void mm_per_px_from_dpi_and_ini(void **state)
{
    assert_true(fabs(phys_mm_per_px_dpi(254) - 0.1) < 1e-12);
    assert_true(phys_mm_per_px_dpi(0) == 0);
    assert_true(phys_mm_per_px_ini("", 0, 1280, 800) == 0);
    assert_true(phys_mm_per_px_ini("10.1", 0, 1280, 800) == phys_mm_per_px(10.1, 1280, 800));
    assert_true(fabs(phys_mm_per_px_ini("", 127, 1280, 800) - 0.2) < 1e-12);
    assert_true(phys_mm_per_px_ini("ten", 0, 1280, 800) == 0);
}

static void px_for_mm_rounds_up(void **state)
{
    assert_int_equal(phys_px_for_mm(10, 0.5), 20);      /* exact: not 21 */
    assert_int_equal(phys_px_for_mm(10, 0.3), 34);      /* 33.3 -> 34 */
    assert_int_equal(phys_px_for_mm(4.8, phys_mm_per_px(10.1, 1280, 800)), 29);
    assert_int_equal(phys_px_for_mm(20, phys_mm_per_px(10.1, 1280, 800)), 118);
    assert_int_equal(phys_px_for_mm(10, 0), 0);
    assert_int_equal(phys_px_for_mm(-1, 0.2), 0);
}

static void fit_panel_small_panel_grows(void **state)
{
    double mm = phys_mm_per_px(10.1, 1280, 800);
    for (int id = THEME_STANDARD; id <= THEME_ELDER; id++) {
        theme_t plain, fit;
        theme_make(&plain, (theme_id_t)id, 1280, 800);
        theme_make(&fit, (theme_id_t)id, 1280, 800);
        theme_fit_panel(&fit, mm);
        bool elder = id == THEME_ELDER;
        assert_true(fit.px_body * mm >= (elder ? THEME_MIN_BODY_MM_ELDER : THEME_MIN_BODY_MM));
        assert_true(fit.target * mm >= (elder ? THEME_MIN_TARGET_MM_ELDER : THEME_MIN_TARGET_MM));
        /* today's 0.74 scale gives less: the fit is a real change */
        assert_true(fit.target > plain.target);
        /* nothing shrinks, and the text sizes keep their order */
        assert_true(fit.px_small >= plain.px_small && fit.px_body >= plain.px_body &&
                    fit.px_large >= plain.px_large && fit.px_title >= plain.px_title &&
                    fit.px_huge >= plain.px_huge && fit.header_h >= plain.header_h);
        assert_true(fit.px_small < fit.px_body && fit.px_body < fit.px_large &&
                    fit.px_large < fit.px_title && fit.px_title < fit.px_huge);
        /* the bars still hold a whole target; the elder theme's 24 mm bars
         * would leave under four rows of targets between them, so its
         * navigation is a rail at the right, as wide as one and a half
         * targets, and the screen keeps the height */
        assert_true(fit.header_h > fit.target);
        if (elder) {
            assert_int_equal(fit.nav_h, 0);
            assert_true(fit.nav_w > fit.target * 3 / 2 && fit.nav_w < fit.target * 2);
            assert_true(800 - fit.header_h >= 4 * fit.target);
        } else {
            assert_int_equal(fit.nav_w, 0);
            assert_true(fit.nav_h > fit.target && fit.nav_h >= plain.nav_h);
        }
    }
}

/* The rail is for a short landscape panel only: upright, the same panel
 * keeps the bar at the bottom (it has height to spare). */
static void rail_only_when_short_and_wide(void **state)
{
    theme_t th;
    theme_make(&th, THEME_ELDER, 800, 1280);
    theme_fit_panel(&th, phys_mm_per_px(10.1, 800, 1280));
    assert_int_equal(th.nav_w, 0);
    assert_true(th.nav_h > th.target);
    theme_make(&th, THEME_ELDER, 1280, 800);
    theme_fit_panel(&th, 0);
    assert_int_equal(th.nav_w, 0);
}

static void fit_panel_unknown_or_big_changes_nothing(void **state)
{
    theme_t plain, fit;
    theme_make(&plain, THEME_ELDER, 1920, 1080);
    theme_make(&fit, THEME_ELDER, 1920, 1080);
    theme_fit_panel(&fit, 0);
    assert_memory_equal(&plain, &fit, sizeof plain);
    /* A 32" 1920x1080 panel already has big pixels: sizes stay as they are. */
    theme_fit_panel(&fit, phys_mm_per_px(32, 1920, 1080));
    assert_int_equal(fit.px_body, plain.px_body);
    assert_int_equal(fit.target, plain.target);
    assert_int_equal(fit.nav_h, plain.nav_h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mm_per_px_from_diagonal),
        cmocka_unit_test(mm_per_px_from_dpi_and_ini),
        cmocka_unit_test(px_for_mm_rounds_up),
        cmocka_unit_test(fit_panel_small_panel_grows),
        cmocka_unit_test(fit_panel_unknown_or_big_changes_nothing),
        cmocka_unit_test(rail_only_when_short_and_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
