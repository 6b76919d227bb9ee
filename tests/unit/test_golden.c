/* Golden images: each screen state rendered headless and compared with
 * tests/golden/<name>.png within a tolerance (anti-aliasing may differ by a
 * few levels between library builds). On a mismatch the test writes
 * BUILD/golden-diff/<name>_err.png (what was drawn) and <name>_diff.png (the
 * differing pixels in red). GOLDEN_UPDATE=1 (make golden) rewrites them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "app/tour.h"
#include "support/harness.h"

#define CHANNEL_TOLERANCE 40     /* per colour channel */
#define PIXEL_BUDGET 0.002       /* share of pixels allowed beyond it */

typedef struct { int w, h; const char *theme, *locale; const char *const *states; } set_t;

static const char *const every[] = {"attract", "home", "bills", "housekeeping", "notices",
    "scan", "guide", "help", "timeout", "staff_pin", "staff_menu", "fault",
    "bills_account", "bills_scan", "bills_list", "pay_qr", "pay_confirming", "pay_code",
    "pay_code_confirm", "pay_paid", "pay_failed", "pay_expired",
    "street", "street_alert", "street_night", "map",
    "hk_slots", "hk_slots_full", "hk_who", "hk_confirm", "hk_done", "hk_mine", "hk_mine_cancel", NULL};
static const char *const some[] = {"attract", "home", "timeout", "staff_pin", "bills_list",
    "pay_qr", "pay_paid", "street", NULL};

static const set_t sets[] = {
    {1920, 1080, "standard", "zh_CN", every},
    {1080, 1920, "elder", "en", some},
    {1280, 800, "contrast", "zh_CN", some},
};

static SDL_Surface *snapshot(app_t *app)
{
    app_build(app);
    ui_render_frame(app->render, app->frame);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    assert_int_equal(SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch), 0);
    return s;
}

/* Number of pixels differing by more than the tolerance; marks them in DIFF. */
static long compare(SDL_Surface *a, SDL_Surface *b, SDL_Surface *diff)
{
    long bad = 0;
    for (int y = 0; y < a->h; y++) {
        Uint32 *pa = (Uint32 *)((Uint8 *)a->pixels + y * a->pitch);
        Uint32 *pb = (Uint32 *)((Uint8 *)b->pixels + y * b->pitch);
        Uint32 *pd = (Uint32 *)((Uint8 *)diff->pixels + y * diff->pitch);
        for (int x = 0; x < a->w; x++) {
            int worst = 0;
            for (int sh = 0; sh < 24; sh += 8) {
                int d = abs((int)((pa[x] >> sh) & 0xFF) - (int)((pb[x] >> sh) & 0xFF));
                if (d > worst) worst = d;
            }
            if (worst > CHANNEL_TOLERANCE) { bad++; pd[x] = 0xFFFF0000; }
            else pd[x] = 0xFF000000 | ((pa[x] & 0xFEFEFE) >> 1);
        }
    }
    return bad;
}

static int check_one(app_t *app, const char *name, int update)
{
    char path[512], out[512];
    snprintf(path, sizeof path, "tests/golden/%s.png", name);
    SDL_Surface *now = snapshot(app);
    if (update) {
        assert_int_equal(IMG_SavePNG(now, path), 0);
        printf("golden: wrote %s\n", path);
        SDL_FreeSurface(now);
        return 0;
    }
    SDL_Surface *raw = IMG_Load(path);
    if (!raw) {
        printf("golden: %s missing (run make golden)\n", path);
        SDL_FreeSurface(now);
        return 1;
    }
    SDL_Surface *want = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    int failed = 0;
    if (want->w != now->w || want->h != now->h) {
        printf("golden: %s is %dx%d, drawn %dx%d\n", name, want->w, want->h, now->w, now->h);
        failed = 1;
    } else {
        SDL_Surface *diff = SDL_CreateRGBSurfaceWithFormat(0, now->w, now->h, 32, SDL_PIXELFORMAT_ARGB8888);
        long bad = compare(now, want, diff);
        long budget = (long)(PIXEL_BUDGET * now->w * now->h);
        if (bad > budget) {
            char dir[256];
            snprintf(dir, sizeof dir, "%s/golden-diff", harness_build_dir());
            mkdir(dir, 0755);
            snprintf(out, sizeof out, "%s/%s_err.png", dir, name);
            IMG_SavePNG(now, out);
            snprintf(out, sizeof out, "%s/%s_diff.png", dir, name);
            IMG_SavePNG(diff, out);
            printf("golden: %s differs in %ld pixels (budget %ld); see %s\n", name, bad, budget, out);
            failed = 1;
        }
        SDL_FreeSurface(diff);
    }
    SDL_FreeSurface(want);
    SDL_FreeSurface(now);
    return failed;
}

static void screens_match_golden_images(void **state)
{
    const char *u = getenv("GOLDEN_UPDATE");
    int update = u && *u == '1', failed = 0, n = 0;
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        const set_t *st = &sets[s];
        app_t *app = harness_app(st->w, st->h, st->theme, st->locale, NULL);
        for (int i = 0; st->states[i]; i++) {
            char name[128];
            snprintf(name, sizeof name, "%dx%d-%s-%s-%s", st->w, st->h, st->locale, st->theme,
                     st->states[i]);
            assert_int_equal(tour_show(app, st->states[i]), 0);
            /* The staff menu shows the var dir, a fresh temp dir per run. */
            char var_dir[CONFIG_STR];
            snprintf(var_dir, sizeof var_dir, "%s", app->cfg.var_dir);
            snprintf(app->cfg.var_dir, sizeof app->cfg.var_dir, "%s", "var");
            failed += check_one(app, name, update);
            snprintf(app->cfg.var_dir, sizeof app->cfg.var_dir, "%s", var_dir);
            n++;
        }
        harness_free(app);
    }
    printf("golden: %d images, %d differ\n", n, failed);
    assert_int_equal(failed, 0);
}

/* The comparison must notice a real change: one button in another colour. */
static void comparison_catches_a_change(void **state)
{
    app_t *app = harness_app(1920, 1080, "standard", "zh_CN", NULL);
    tour_show(app, "home");
    SDL_Surface *a = snapshot(app);
    app->cfg.locale[0] = 'e';      /* "eh_CN": unknown, shows message ids */
    tour_show(app, "home");
    app_test_tap(app, "hdr.size"); /* elder text: everything moves */
    SDL_Surface *b = snapshot(app);
    SDL_Surface *d = SDL_CreateRGBSurfaceWithFormat(0, a->w, a->h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_true(compare(a, b, d) > (long)(PIXEL_BUDGET * a->w * a->h));
    assert_int_equal(compare(a, a, d), 0);
    SDL_FreeSurface(a);
    SDL_FreeSurface(b);
    SDL_FreeSurface(d);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(screens_match_golden_images),
        cmocka_unit_test(comparison_catches_a_change),
    };
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
