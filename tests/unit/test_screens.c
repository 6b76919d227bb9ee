/* Every screen state, at every supported size, in every theme and locale:
 * nothing overflows, text fits its box, touch targets are big enough, and
 * the contrast of every text against its background meets the theme's
 * promise (high contrast: 7:1, others: 4.5:1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/screens.h"
#include "app/tour.h"
#include "core/i18n.h"
#include "support/harness.h"
#include "ui/fit.h"
#include "ui/physical.h"

static const int sizes[][2] = {{1920, 1080}, {1080, 1920}, {1280, 800}};
static const char *themes[] = {"standard", "elder", "contrast"};

/* What the stricter checks found, by kind (printed per run). */
enum { K_CUT, K_SHORT, K_EMPTY, K_UNDER, K_COUNT };
static const char *const kind_names[K_COUNT] = {"cut with an ellipsis", "box shorter than its line",
                                                "no size", "under the header or navigation bar"};
static int kinds[K_COUNT];

/* Problems of the stricter kinds that are known and not fixed yet, one a
 * line "<size> <theme> <locale> <state> <id> <kind>" in screens_known.txt
 * next to this file. Any other problem fails; so does a listed one that no
 * longer happens (take it off the list): the list only shrinks. */
#define KNOWN_MAX 2048
static char *known[KNOWN_MAX];
static bool known_seen[KNOWN_MAX];
static int n_known;

static void known_file(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s", __FILE__);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "%s", name);
    FILE *fp = fopen(path, "r");
    if (!fp) return;
    char line[512];
    while (n_known < KNOWN_MAX && fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] && line[0] != '#') known[n_known++] = strdup(line);
    }
    fclose(fp);
}

/* Both lists, once: screens_known.txt (sizes without a panel size) and
 * physical_known.txt (lines "<W>x<H>@<inches> ..." of a panel's run). */
static void known_load(void)
{
    static bool loaded;
    if (loaded) return;
    loaded = true;
    known_file("screens_known.txt");
    known_file("physical_known.txt");
}

/* Whether known line I belongs to the panel run PREFIX ("1280x800@10.1 "),
 * or with PREFIX NULL to no panel run. */
static bool known_of(int i, const char *prefix)
{
    const char *sp = strchr(known[i], ' ');
    bool panel = sp && memchr(known[i], '@', (size_t)(sp - known[i]));
    return prefix ? !strncmp(known[i], prefix, strlen(prefix)) : !panel;
}

/* 1 if the problem KEY is new (a failure), 0 if it is on the known list. */
static int problem(const char *key)
{
    for (int i = 0; i < n_known; i++)
        if (!strcmp(known[i], key)) {
            known_seen[i] = true;
            return 0;
        }
    printf("NEW: %s\n", key);
    return 1;
}

static const char *const kind_keys[K_COUNT] = {"cut", "short", "nosize", "under"};

/* On a panel that does not hold every layout yet (a 10.1" 1280x800 one),
 * every fault is keyed and checked against the known list (the panel's
 * lines in physical_known.txt), not only the strict kinds: KIND is
 * "overflow", "outside", "wrap", "wide", "contrast", "target", "mm-text"
 * or "mm-target". Otherwise each counts as a failure. */
static bool key_every_fault;

static int fault(const char *where, const char *id, const char *kind)
{
    if (!key_every_fault) return 1;
    char key[300];
    snprintf(key, sizeof key, "%s %s %s", where, id, kind);
    return problem(key);
}

static int strict(const char *where, const char *id, int kind)
{
    char key[300];
    snprintf(key, sizeof key, "%s %s %s", where, id, kind_keys[kind]);
    kinds[kind]++;
    return problem(key);
}

/* Prints each problem fit_check (ui/fit.h) finds in the frame; the strict
 * kinds count only when they are not on the known list. */
struct check_ctx {
    const char *where;
    int bad;
};

static void on_problem(void *ctx, const fit_problem_t *p)
{
    struct check_ctx *c = ctx;
    char msg[400];
    fit_describe(p, msg, sizeof msg);
    printf("%s: %s\n", c->where, msg);
    switch (p->kind) {
    case FIT_CUT: c->bad += strict(c->where, p->w->id, K_CUT); break;
    case FIT_SHORT: c->bad += strict(c->where, p->w->id, K_SHORT); break;
    case FIT_NOSIZE: c->bad += strict(c->where, p->w->id, K_EMPTY); break;
    case FIT_UNDER: c->bad += strict(c->where, p->w->id, K_UNDER); break;
    default: c->bad += fault(c->where, p->w ? p->w->id : "frame", fit_kind_key(p->kind));
    }
}

static int check_frame(app_t *app, const char *where, int *checked)
{
    struct check_ctx c = {where, 0};
    int texts = 0;
    fit_check(app->frame, screen_get(app->screen)->chrome, on_problem, &c, &texts);
    *checked += texts;
    return c.bad;
}

static void every_state_every_layout(void **state)
{
    int bad = 0, checked = 0, frames = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);       /* lines whole among cmocka's own */
    known_load();
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t t = 0; t < 3; t++) {
            app_t *app = harness_app(sizes[s][0], sizes[s][1], themes[t], NULL, NULL);
            assert_true(i18n_count() >= 2);
            for (int l = 0; l < i18n_count(); l++) {
                char loc[16];
                snprintf(loc, sizeof loc, "%s", i18n_name(l));
                snprintf(app->cfg.locale, sizeof app->cfg.locale, "%s", loc);
                for (int k = 0; tour_states[k]; k++) {
                    assert_int_equal(tour_show(app, tour_states[k]), 0);
                    app_build(app);
                    char where[128];
                    snprintf(where, sizeof where, "%dx%d %s %s %s", sizes[s][0], sizes[s][1],
                             themes[t], loc, tour_states[k]);
                    bad += check_frame(app, where, &checked);
                    frames++;
                }
            }
            harness_free(app);
        }
    printf("checked %d texts in %d frames\n", checked, frames);
    for (int k = 0; k < K_COUNT; k++) printf("  %s: %d\n", kind_names[k], kinds[k]);
    int open = 0;
    for (int i = 0; i < n_known; i++) {
        if (!known_of(i, NULL)) continue;
        open++;
        if (!known_seen[i]) {
            printf("FIXED (take it off screens_known.txt): %s\n", known[i]);
            bad++;
        }
    }
    printf("known problems still open: %d\n", open);
    assert_true(frames >= 3 * 3 * 2 * 12);
    assert_int_equal(bad, 0);
}

/* The contrast check itself must catch a bad pair. */
static void contrast_check_catches_low_contrast(void **state)
{
    app_t *app = harness_app(1920, 1080, "contrast", NULL, NULL);
    tour_show(app, "home");
    app_build(app);
    int checked = 0;
    assert_int_equal(check_frame(app, "ok", &checked), 0);
    ui_widget_t *w = (ui_widget_t *)ui_find(app->frame, "home.bills.title");
    assert_non_null(w);
    w->fg = (SDL_Color){0x60, 0x60, 0x60, 255};
    w->bg = (SDL_Color){0x12, 0x12, 0x12, 255};
    assert_true(check_frame(app, "broken", &checked) > 0);
    harness_free(app);
}

/* The strict checks themselves fail on a cut money line, a box shorter
 * than its line and a widget under the navigation bar. */
static void strict_checks_catch_cuts_and_overlaps(void **state)
{
    app_t *app = harness_app(1920, 1080, "standard", NULL, NULL);
    tour_show(app, "pay_paid");
    app_build(app);
    int checked = 0;
    assert_int_equal(check_frame(app, "ok", &checked), 0);
    ui_widget_t *w = (ui_widget_t *)ui_find(app->frame, "pay.amount");
    assert_non_null(w);
    w->flags |= UI_F_ELLIPSIS;                         /* "¥82.…" */
    assert_int_equal(check_frame(app, "cut", &checked), 1);
    w->flags &= ~UI_F_ELLIPSIS;
    int h = w->r.h;
    w->r.h = ui_text_line_height(app->frame->text, w->px) - 4;
    assert_int_equal(check_frame(app, "short", &checked), 1);
    w->r.h = h;
    ui_widget_t *b = (ui_widget_t *)ui_find(app->frame, "result.done");
    assert_non_null(b);
    b->r.y = app->h - app->theme.nav_h + 4;           /* slid under the bar */
    assert_true(check_frame(app, "under", &checked) >= 1);
    harness_free(app);
}

static void elder_targets_at_1080p(void **state)
{
    app_t *app = harness_app(1920, 1080, "elder", NULL, NULL);
    tour_show(app, "staff_pin");
    app_build(app);
    for (int i = 0; i < app->frame->n; i++) {
        const ui_widget_t *w = &app->frame->w[i];
        if (w->flags & UI_F_CLICK) {
            assert_true(w->r.w >= 96);
            assert_true(w->r.h >= 96);
        }
    }
    harness_free(app);
}

/* Every screen id has a screen (app/screen_list.h), whose own name is the
 * one --screen, the tour and the logs use, and each name finds its id. */
static void screen_list_is_consistent(void **state)
{
    for (int i = 0; i < SCR_COUNT; i++) {
        const screen_t *s = screen_get((screen_id_t)i);
        assert_non_null(s);
        assert_string_equal(s->name, app_screen_name((screen_id_t)i));
        assert_int_equal(app_screen_find(s->name), i);
    }
    assert_int_equal(app_screen_find("no_such_screen"), -1);
}

/* A panel of known size ([display] diagonal): each theme (standard, elder,
 * contrast) meets the physical minimums on every screen (button text at
 * least 4.8 mm, 6.4 mm in the elder theme; every live target at least 20 mm, 24 mm elder, on its short
 * edge), and the strict checks find no problem beyond the ones listed for
 * the same size without the key (same keys). LISTED: a panel whose layouts
 * do not hold yet: every fault is keyed "<W>x<H>@<diag> <theme> <locale>
 * <state> <id> <kind>" against physical_known.txt, which only shrinks (a
 * listed line that no longer happens fails too). Returns the faults. */
static int physical_panel(int pw, int ph, const char *diag, bool listed)
{
    char set[64];
    snprintf(set, sizeof set, "display.diagonal=%s", diag);
    const char *const sets[] = {set, NULL};
    static const char *const phys_themes[] = {"standard", "elder", "contrast"};
    double mm = phys_mm_per_px(atof(diag), pw, ph);
    int bad = 0, checked = 0, frames = 0, texts = 0, targets = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    known_load();
    key_every_fault = listed;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%dx%d@%s ", pw, ph, diag);
    for (size_t t = 0; t < 3; t++) {
        app_t *app = harness_app(pw, ph, phys_themes[t], NULL, sets);
        bool elder = t == 1;
        int min_text = phys_px_for_mm(elder ? THEME_MIN_BODY_MM_ELDER : THEME_MIN_BODY_MM, mm);
        int min_target = phys_px_for_mm(elder ? THEME_MIN_TARGET_MM_ELDER : THEME_MIN_TARGET_MM, mm);
        for (int l = 0; l < i18n_count(); l++) {
            snprintf(app->cfg.locale, sizeof app->cfg.locale, "%s", i18n_name(l));
            for (int k = 0; tour_states[k]; k++) {
                assert_int_equal(tour_show(app, tour_states[k]), 0);
                app_build(app);
                char where[128];
                snprintf(where, sizeof where, "%s%s %s %s", listed ? prefix : "", phys_themes[t],
                         i18n_name(l), tour_states[k]);
                if (!listed)
                    snprintf(where, sizeof where, "%dx%d %s %s %s", pw, ph, phys_themes[t],
                             i18n_name(l), tour_states[k]);
                assert_true(app->theme.mm_per_px > 0);
                assert_true(app->theme.px_body >= min_text);
                bad += check_frame(app, where, &checked);
                frames++;
                const ui_frame_t *f = app->frame;
                int from = fit_modal_index(f);
                for (int i = 0; i < f->n; i++) {
                    const ui_widget_t *w = &f->w[i];
                    if (w->kind == UI_BUTTON && w->text && *w->text) {
                        texts++;
                        if (w->px < min_text) {
                            printf("%s @%sin: %s: button text %d px = %.1f mm < %.1f mm\n",
                                   where, diag, w->id, w->px, w->px * mm, min_text * mm);
                            bad += fault(where, w->id, "mm-text");
                        }
                    }
                    if ((w->flags & UI_F_CLICK) && i > from && w->r.w > 0) {
                        targets++;
                        int edge = w->r.w < w->r.h ? w->r.w : w->r.h;
                        if (edge < min_target) {
                            printf("%s @%sin: %s: target %dx%d, short edge %.1f mm < %.1f mm\n",
                                   where, diag, w->id, w->r.w, w->r.h, edge * mm, min_target * mm);
                            bad += fault(where, w->id, "mm-target");
                        }
                    }
                }
            }
        }
        harness_free(app);
    }
    key_every_fault = false;
    int open = 0;
    for (int i = 0; listed && i < n_known; i++) {
        if (!known_of(i, prefix)) continue;
        open++;
        if (!known_seen[i]) {
            printf("FIXED (take it off physical_known.txt): %s\n", known[i]);
            bad++;
        }
    }
    printf("%s\" %dx%d: %d frames, %d button texts, %d targets measured; %.3f mm/px; %d bad",
           diag, pw, ph, frames, texts, targets, mm, bad);
    if (listed) printf("; %d known faults still open (physical_known.txt)", open);
    printf("\n");
    assert_true(frames > 0 && targets > 0 && texts > 0);
    return bad;
}

static void physical_panels(void **state)
{
    const char *only = getenv("PHYS_PANEL");   /* "WxH@INCHES": one more panel, to explore */
    int w = 0, h = 0;
    char d[16] = "";
    if (only && sscanf(only, "%dx%d@%15s", &w, &h, d) == 3) {
        assert_int_equal(physical_panel(w, h, d, true), 0);
        return;
    }
    /* The usual 21.5" hall panel, both ways up: everything holds. */
    assert_int_equal(physical_panel(1920, 1080, "21.5", false), 0);
    assert_int_equal(physical_panel(1080, 1920, "21.5", false), 0);
    /* A 10.1" 1280x800 panel (0.17 mm a pixel: a 20 mm target is 118 px
     * of its 800): every theme holds, the elder one with its navigation as
     * a rail; physical_known.txt (empty now) would list faults known and
     * not fixed, and only shrinks (issue 16). */
    assert_int_equal(physical_panel(1280, 800, "10.1", true), 0);
    /* The same panel mounted upright (800x1280): its faults are listed too. */
    assert_int_equal(physical_panel(800, 1280, "10.1", true), 0);
}

/* A page of free times always shows at least one time, whatever gives way
 * (columns, lines, the calendar) at every size and theme and on a small
 * panel: "More times" alone would page forever. */
static bool any_slot(const ui_frame_t *f)
{
    for (int i = 0; i < f->n; i++) {
        int n, end = 0;
        if (sscanf(f->w[i].id, "hk.slot.%d%n", &n, &end) == 1 && !f->w[i].id[end]) return true;
    }
    return false;
}

static void free_times_always_show_a_time(void **state)
{
    static const char *const sets[] = {"display.diagonal=10.1", NULL};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (size_t t = 0; t < 3; t++)
            for (int d = 0; d < 2; d++) {
                if (d && sizes[s][0] != 1280) continue;
                app_t *app = harness_app(sizes[s][0], sizes[s][1], themes[t], NULL, d ? sets : NULL);
                for (int l = 0; l < i18n_count(); l++) {
                    snprintf(app->cfg.locale, sizeof app->cfg.locale, "%s", i18n_name(l));
                    static const char *const states[] = {"hk_slots", "hk_slots_full"};
                    for (int k = 0; k < 2; k++) {
                        assert_int_equal(tour_show(app, states[k]), 0);
                        app_build(app);
                        if (!any_slot(app->frame))
                            fail_msg("%dx%d %s %s %s%s: no time shown", sizes[s][0], sizes[s][1],
                                     themes[t], i18n_name(l), states[k], d ? " @10.1in" : "");
                    }
                }
                harness_free(app);
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(screen_list_is_consistent),
        cmocka_unit_test(every_state_every_layout),
        cmocka_unit_test(physical_panels),
        cmocka_unit_test(free_times_always_show_a_time),
        cmocka_unit_test(contrast_check_catches_low_contrast),
        cmocka_unit_test(strict_checks_catch_cuts_and_overlaps),
        cmocka_unit_test(elder_targets_at_1080p),
    };
    return cmocka_run_group_tests_name("screens", tests, NULL, NULL);
}
