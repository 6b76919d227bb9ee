/* The housekeeping catalogue with every service of the tour's catalogue
 * chosen in turn (the tour, hence test_screens, shows the first one only),
 * in every locale and theme, on a 10.1" 1280x800 and a 21.5" 1920x1080
 * panel and at 1920x1080 and 1080x1920 without a known size: no text is
 * cut (money included), wraps past its box or has no height; on a panel of
 * known size button text keeps body size; and in the elder theme on the
 * short 10.1" panel, where the card's buttons stand under the services,
 * they stay where they are while services are tapped. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "app/screens.h"
#include "app/tour.h"
#include "core/i18n.h"
#include "services/housekeeping/housekeeping.h"
#include "support/harness.h"
#include "ui/fit.h"

struct seen {
    const char *where;
    int bad;
};

static void on_problem(void *ctx, const fit_problem_t *p)
{
    struct seen *s = ctx;
    if (p->kind != FIT_CUT && p->kind != FIT_NOSIZE && p->kind != FIT_WRAP && p->kind != FIT_SHORT)
        return;
    char msg[400];
    fit_describe(p, msg, sizeof msg);
    printf("%s: %s\n", s->where, msg);
    s->bad++;
}

static SDL_Rect rect_of(const app_t *app, const char *id)
{
    const ui_widget_t *w = ui_find(app->frame, id);
    if (!w) fail_msg("no widget %s", id);
    return w->r;
}

/* The catalogue at W x H in THEME (DIAG: [display] diagonal, or NULL),
 * every service chosen in turn in every locale: the faults found. STILL:
 * the two buttons must not move between services. */
static int check_catalogue(int w, int h, const char *theme, const char *diag, bool still)
{
    char set[64];
    snprintf(set, sizeof set, "display.diagonal=%s", diag);
    const char *const sets[] = {set, NULL};
    app_t *app = harness_app(w, h, theme, NULL, diag ? sets : NULL);
    int bad = 0, cards = 0;
    for (int l = 0; l < i18n_count(); l++) {
        snprintf(app->cfg.locale, sizeof app->cfg.locale, "%s", i18n_name(l));
        assert_int_equal(tour_show(app, "housekeeping"), 0);
        assert_non_null(app->hk);
        assert_true(app->hk->svc.n > 1);
        SDL_Rect pick0 = {0}, mine0 = {0};
        for (int i = 0; i < app->hk->svc.n; i++) {
            hk_pick_service(app, i);
            app_build(app);
            char where[96];
            snprintf(where, sizeof where, "%dx%d@%s %s %s service %d", w, h, diag ? diag : "-", theme,
                     i18n_name(l), i);
            struct seen s = {where, 0};
            fit_check(app->frame, screen_get(app->screen)->chrome, on_problem, &s, NULL);
            bad += s.bad;
            cards++;
            SDL_Rect pick = rect_of(app, "hk.pick"), mine = rect_of(app, "hk.mine");
            if (i == 0) {
                pick0 = pick;
                mine0 = mine;
            }
            if (still) {
                assert_memory_equal(&pick, &pick0, sizeof pick);
                assert_memory_equal(&mine, &mine0, sizeof mine);
            }
            if (diag) {             /* the physical minimum of button text */
                int body = app->theme.px_body;
                assert_true(ui_find(app->frame, "hk.pick")->px >= body);
                assert_true(ui_find(app->frame, "hk.mine")->px >= body);
            }
        }
    }
    printf("%dx%d@%s %s: %d cards checked, %d faults\n", w, h, diag ? diag : "-", theme, cards, bad);
    harness_free(app);
    return bad;
}

static void every_service_fits(void **state)
{
    (void)state;
    int bad = 0;
    static const char *const themes[] = {"elder", "standard", "contrast"};
    for (int t = 0; t < 3; t++) {
        bad += check_catalogue(1280, 800, themes[t], "10.1", t == 0);
        bad += check_catalogue(1920, 1080, themes[t], "21.5", false);
        bad += check_catalogue(1920, 1080, themes[t], NULL, false);
        bad += check_catalogue(1080, 1920, themes[t], NULL, false);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_service_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
