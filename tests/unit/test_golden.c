/* Golden images: each screen state rendered headless and compared with
 * tests/golden/<name>.png within a tolerance (anti-aliasing may differ by a
 * few levels between library builds). On a mismatch the test writes
 * BUILD/golden-diff/<name>_err.png (what was drawn) and <name>_diff.png (the
 * differing pixels in red). GOLDEN_UPDATE=1 (make golden) rewrites them.
 *
 * The elder theme (large text) has a golden of every tour state at 1920x1080
 * and 1080x1920, kept small: tests/golden/elder/<name>.png is the screen in
 * grey, a quarter of its size each way (each pixel the mean of a 4x4 block),
 * about 16 kB. It is compared allowing every pixel any grey near the range
 * of its 3x3 neighbours' in the other image, both ways, so anti-aliasing
 * and glyphs a different FreeType build hints a screen pixel apart still
 * pass, while a line of text gone, moved or re-wrapped, an amount cut, a
 * button missing or a layout change does not (a font with other metrics
 * moves whole lines: `make golden` after looking at the new renders). */
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

/* The thumbnail sets: every tour state (app/tour.h) in the elder theme. */
static const set_t thumb_sets[] = {
    {1920, 1080, "elder", "zh_CN", tour_states},
    {1080, 1920, "elder", "zh_CN", tour_states},
};

#define THUMB 4                  /* screen pixels a thumbnail pixel covers, each way */
#define THUMB_TOLERANCE 56       /* grey levels outside the 3x3 neighbours' range */
#define THUMB_BUDGET 0.001       /* share of thumbnail pixels allowed beyond it */

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

/* S (ARGB8888) in grey, a THUMB-th of its size each way: an 8-bit surface
 * with a grey palette (what the PNG keeps). */
static SDL_Surface *thumb_of(SDL_Surface *s)
{
    int w = s->w / THUMB, h = s->h / THUMB;
    SDL_Surface *t = SDL_CreateRGBSurfaceWithFormat(0, w, h, 8, SDL_PIXELFORMAT_INDEX8);
    assert_non_null(t);
    SDL_Color grey[256];
    for (int i = 0; i < 256; i++) grey[i] = (SDL_Color){(Uint8)i, (Uint8)i, (Uint8)i, 255};
    SDL_SetPaletteColors(t->format->palette, grey, 0, 256);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            long sum = 0;
            for (int dy = 0; dy < THUMB; dy++) {
                const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (y * THUMB + dy) * s->pitch);
                for (int dx = 0; dx < THUMB; dx++) {
                    Uint32 p = row[x * THUMB + dx];
                    sum += (299 * ((p >> 16) & 0xFF) + 587 * ((p >> 8) & 0xFF) + 114 * (p & 0xFF)) / 1000;
                }
            }
            ((Uint8 *)t->pixels)[y * t->pitch + x] = (Uint8)(sum / (THUMB * THUMB));
        }
    return t;
}

/* Grey level of pixel X,Y of an 8-bit grey thumbnail. */
static int grey_at(const SDL_Surface *t, int x, int y)
{
    return ((const Uint8 *)t->pixels)[y * t->pitch + x];
}

/* Pixels of A whose grey lies more than THUMB_TOLERANCE outside the range
 * of B's 3x3 pixels around the same place (a glyph a pixel or two off
 * averages to a grey between its neighbours'); marked in DIFF (same size,
 * ARGB8888) when given. */
static long thumb_misses(const SDL_Surface *a, const SDL_Surface *b, SDL_Surface *diff)
{
    long bad = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++) {
            int g = grey_at(a, x, y), lo = 255, hi = 0;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= b->w || yy >= b->h) continue;
                    int v = grey_at(b, xx, yy);
                    if (v < lo) lo = v;
                    if (v > hi) hi = v;
                }
            int off = g < lo ? lo - g : g > hi ? g - hi : 0;
            if (off > THUMB_TOLERANCE) {
                bad++;
                if (diff) ((Uint32 *)((Uint8 *)diff->pixels + y * diff->pitch))[x] = 0xFFFF0000;
            }
        }
    return bad;
}

/* Thumbnail pixels that differ either way (what is new, what is gone). */
static long thumb_compare(const SDL_Surface *now, const SDL_Surface *want, SDL_Surface *diff)
{
    if (diff)
        for (int y = 0; y < now->h; y++)
            for (int x = 0; x < now->w; x++) {
                Uint32 g = (Uint32)grey_at(now, x, y) >> 1;
                ((Uint32 *)((Uint8 *)diff->pixels + y * diff->pitch))[x] = 0xFF000000 | g << 16 | g << 8 | g;
            }
    return thumb_misses(now, want, diff) + thumb_misses(want, now, diff);
}

/* A grey 8-bit copy of any loaded image (the PNG may come back as palette
 * or grey). */
static SDL_Surface *as_grey(SDL_Surface *raw)
{
    SDL_Surface *argb = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    assert_non_null(argb);
    SDL_Surface *t = SDL_CreateRGBSurfaceWithFormat(0, argb->w, argb->h, 8, SDL_PIXELFORMAT_INDEX8);
    for (int y = 0; y < argb->h; y++)
        for (int x = 0; x < argb->w; x++)
            ((Uint8 *)t->pixels)[y * t->pitch + x] =
                (Uint8)(((Uint32 *)((Uint8 *)argb->pixels + y * argb->pitch))[x] >> 16);
    SDL_FreeSurface(argb);
    return t;
}

static int check_thumb(app_t *app, const char *name, int update)
{
    char path[512], out[512];
    snprintf(path, sizeof path, "tests/golden/elder/%s.png", name);
    SDL_Surface *full = snapshot(app);
    SDL_Surface *now = thumb_of(full);
    SDL_FreeSurface(full);
    if (update) {
        mkdir("tests/golden/elder", 0755);
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
    SDL_Surface *want = as_grey(raw);
    SDL_FreeSurface(raw);
    int failed = 0;
    if (want->w != now->w || want->h != now->h) {
        printf("golden: %s is %dx%d, drawn %dx%d\n", path, want->w, want->h, now->w, now->h);
        failed = 1;
    } else {
        SDL_Surface *diff = SDL_CreateRGBSurfaceWithFormat(0, now->w, now->h, 32, SDL_PIXELFORMAT_ARGB8888);
        long bad = thumb_compare(now, want, diff);
        long budget = (long)(THUMB_BUDGET * now->w * now->h);
        if (bad > budget) {
            char dir[256];
            snprintf(dir, sizeof dir, "%s/golden-diff", harness_build_dir());
            mkdir(dir, 0755);
            snprintf(out, sizeof out, "%s/%s_thumb_err.png", dir, name);
            IMG_SavePNG(now, out);
            snprintf(out, sizeof out, "%s/%s_thumb_diff.png", dir, name);
            IMG_SavePNG(diff, out);
            printf("golden: %s differs in %ld thumbnail pixels (budget %ld); see %s\n", path, bad,
                   budget, out);
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

static void elder_screens_match_golden_thumbnails(void **state)
{
    const char *u = getenv("GOLDEN_UPDATE");
    int update = u && *u == '1', failed = 0, n = 0;
    for (size_t s = 0; s < sizeof thumb_sets / sizeof *thumb_sets; s++) {
        const set_t *st = &thumb_sets[s];
        app_t *app = harness_app(st->w, st->h, st->theme, st->locale, NULL);
        for (int i = 0; st->states[i]; i++) {
            char name[128];
            snprintf(name, sizeof name, "%dx%d-%s-%s-%s", st->w, st->h, st->locale, st->theme,
                     st->states[i]);
            assert_int_equal(tour_show(app, st->states[i]), 0);
            char var_dir[CONFIG_STR];
            snprintf(var_dir, sizeof var_dir, "%s", app->cfg.var_dir);
            snprintf(app->cfg.var_dir, sizeof app->cfg.var_dir, "%s", "var");
            failed += check_thumb(app, name, update);
            snprintf(app->cfg.var_dir, sizeof app->cfg.var_dir, "%s", var_dir);
            n++;
        }
        harness_free(app);
    }
    printf("golden: %d elder thumbnails, %d differ\n", n, failed);
    assert_int_equal(failed, 0);
}

/* The thumbnail comparison lets glyphs drift by the pixel another FreeType
 * build may hint them by, and still sees a real change: the same screen
 * shifted by a screen pixel both ways passes; another screen fails, and so
 * does the payment screen with its amount cut ("¥82.…"). */
static void thumbnail_comparison_tolerates_drift_not_change(void **state)
{
    app_t *app = harness_app(1920, 1080, "elder", "zh_CN", NULL);
    tour_show(app, "bills_list");
    SDL_Surface *full = snapshot(app);
    SDL_Surface *shifted = SDL_CreateRGBSurfaceWithFormat(0, full->w, full->h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_BlitSurface(full, NULL, shifted, NULL);   /* the strip uncovered keeps the edge */
    SDL_Rect to = {1, 1, full->w, full->h};
    SDL_BlitSurface(full, NULL, shifted, &to);
    SDL_Surface *a = thumb_of(full), *b = thumb_of(shifted);
    long budget = (long)(THUMB_BUDGET * a->w * a->h);
    long drift = thumb_compare(a, b, NULL);
    printf("thumbnail: 1 px drift: %ld pixels beyond tolerance (budget %ld)\n", drift, budget);
    assert_true(drift <= budget);
    tour_show(app, "pay_qr");                 /* another screen of the same journey */
    SDL_Surface *other_full = snapshot(app);
    SDL_Surface *c = thumb_of(other_full);
    long change = thumb_compare(a, c, NULL);
    printf("thumbnail: bills list vs payment: %ld pixels\n", change);
    assert_true(change > budget);
    /* one word less: the amount cut to "¥82.…" on the payment screen */
    ui_widget_t *w = (ui_widget_t *)ui_find(app->frame, "pay.amount");
    assert_non_null(w);
    w->text = "\xE9\x87\x91\xE9\xA2\x9D\xEF\xBC\x9A\xC2\xA5" "82.\xE2\x80\xA6";   /* 金额：¥82.… */
    ui_render_frame(app->render, app->frame);
    SDL_Surface *cut_full = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_int_equal(SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, cut_full->pixels,
                                          cut_full->pitch), 0);
    SDL_Surface *d = thumb_of(cut_full);
    long cut = thumb_compare(c, d, NULL);
    printf("thumbnail: amount cut: %ld pixels\n", cut);
    assert_true(cut > budget);
    SDL_Surface *list[] = {full, shifted, a, b, other_full, c, cut_full, d};
    for (size_t i = 0; i < sizeof list / sizeof *list; i++) SDL_FreeSurface(list[i]);
    harness_free(app);
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
        cmocka_unit_test(elder_screens_match_golden_thumbnails),
        cmocka_unit_test(thumbnail_comparison_tolerates_drift_not_change),
        cmocka_unit_test(comparison_catches_a_change),
    };
    return cmocka_run_group_tests_name("golden", tests, NULL, NULL);
}
