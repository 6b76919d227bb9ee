/* [debug] screen_text (app/screen_text.h): the masking rule (long digit
 * runs never reach the disk), the file a drawn frame writes (its screen and
 * its words), a phone number typed on the help screen masked in it, and
 * nothing written with the key empty (the default). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/screen_text.h"
#include "support/harness.h"

static char dir[64], path[96];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/screen-text.XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof path, "%s/screen.txt", dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static char *slurp(void)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void masks_long_digit_runs(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        {"13812345678", "*******"},
        {"Call me back on 138 1234 5678 (tap)", "Call me back on ******* (tap)"},
        {"110101199003071234", "*******"},
        {"2026-12-07 10:35", "2026-12-07 10:35"},
        {"123456 and 12 34", "123456 and 12 34"},
        {"two\nlines", "two lines"},
        {"", ""},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        screen_text_mask(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
    screen_text_mask("abcdef", out, 4);        /* cut short, terminated */
    assert_string_equal(out, "abc");
}

static void a_frame_writes_its_screen_and_words(void **state)
{
    char set[128];
    snprintf(set, sizeof set, "debug.screen_text=%s", path);
    const char *sets[] = {set, "ui.locale=en", NULL};
    app_t *app = harness_app(1280, 800, "", "en", sets);
    app_test_tap_xy(app, 600, 400);            /* a touch wakes the kiosk */
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    app_draw(app);
    char *t = slurp();
    assert_non_null(t);
    assert_non_null(strstr(t, "screen help\n"));
    assert_non_null(strstr(t, "\nhelp.send\t"));
    assert_non_null(strstr(t, "\tAsk staff to come here\n"));

    /* A call-back number typed on screen: masked in the file. */
    assert_int_equal(app_test_tap(app, "help.consent"), 0);
    for (const char *d = "13812345678"; *d; d++) {
        char id[32];
        snprintf(id, sizeof id, "help.key.%c", *d);
        assert_int_equal(app_test_tap(app, id), 0);
    }
    app_draw(app);
    t = slurp();
    assert_non_null(t);
    assert_null(strstr(t, "138 1234 5678"));       /* the field shows it whole */
    assert_null(strstr(t, "13812345678"));
    assert_non_null(strstr(t, "\t*******\n"));
    assert_non_null(strstr(t, "138****5678"));       /* masked on screen already */
    harness_free(app);
}

static void nothing_is_written_by_default(void **state)
{
    unlink(path);
    app_t *app = harness_app(1280, 800, "", "en", NULL);
    assert_string_equal(app->cfg.debug_screen_text, "");
    app_go(app, SCR_HELP);
    app_draw(app);
    assert_int_not_equal(access(path, F_OK), 0);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(masks_long_digit_runs),
        cmocka_unit_test(a_frame_writes_its_screen_and_words),
        cmocka_unit_test(nothing_is_written_by_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
