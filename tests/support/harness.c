#include "support/harness.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/clock.h"

const char *harness_build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

void harness_clock_start(void) { clock_fake_set(1000000, HARNESS_WALL); }

static app_t *make_app(int w, int h, const char *theme, const char *locale,
                       const char *const *sets, bool offscreen, bool network)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    setenv("KIOSK_LOG", "quiet", 0);
    harness_clock_start();

    config_t cfg;
    char err[512], v[32];
    config_defaults(&cfg);
    char tmpl[] = "/tmp/kiosk-test-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    assert_int_equal(config_set(&cfg, "kiosk", "var_dir", tmpl, err, sizeof err), 0);
    char loc[256], key[300];
    snprintf(loc, sizeof loc, "%s/locale", harness_build_dir());
    assert_int_equal(config_set(&cfg, "kiosk", "locale_dir", loc, err, sizeof err), 0);
    snprintf(v, sizeof v, "%d", w);
    assert_int_equal(config_set(&cfg, "display", "width", v, err, sizeof err), 0);
    snprintf(v, sizeof v, "%d", h);
    assert_int_equal(config_set(&cfg, "display", "height", v, err, sizeof err), 0);
    if (theme && *theme) assert_int_equal(config_set(&cfg, "ui", "theme", theme, err, sizeof err), 0);
    if (locale && *locale) assert_int_equal(config_set(&cfg, "ui", "locale", locale, err, sizeof err), 0);
    for (int i = 0; sets && sets[i]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", sets[i]);
        char *dot = strchr(buf, '.'), *eq = strchr(buf, '=');
        assert_non_null(dot);
        assert_non_null(eq);
        *dot = *eq = '\0';
        if (config_set(&cfg, buf, dot + 1, eq + 1, err, sizeof err) != 0) fail_msg("%s", err);
    }
    if (strcmp(cfg.var_dir, tmpl) != 0) rmdir(tmpl);     /* SETS chose another */
    /* The outbox key beside the test's database, never in the repository. */
    bool own_key = false;
    for (int i = 0; sets && sets[i]; i++) own_key |= !strncmp(sets[i], "outbox.key_file=", 16);
    snprintf(key, sizeof key, "%s/outbox.key", cfg.var_dir);
    if (!own_key) assert_int_equal(config_set(&cfg, "outbox", "key_file", key, err, sizeof err), 0);
    app_t *app = calloc(1, sizeof *app);
    assert_non_null(app);
    app_opts_t opts = {.offscreen = offscreen, .config_path = "test", .network = network};
    if (app_init(app, &cfg, &opts, err, sizeof err) != 0) fail_msg("app_init: %s", err);
    return app;
}

app_t *harness_app(int w, int h, const char *theme, const char *locale,
                   const char *const *sets)
{
    return make_app(w, h, theme, locale, sets, true, false);
}

app_t *harness_window_app(int w, int h, const char *const *sets)
{
    return make_app(w, h, NULL, NULL, sets, false, false);
}

app_t *harness_net_app(int w, int h, const char *const *sets)
{
    return make_app(w, h, NULL, NULL, sets, true, true);
}

void harness_free(app_t *app)
{
    char dir[CONFIG_STR], cmd[CONFIG_STR + 16];
    snprintf(dir, sizeof dir, "%s", app->cfg.var_dir);
    app_free(app);
    free(app);
    if (strncmp(dir, "/tmp/kiosk-test-", 16) == 0 && !getenv("HARNESS_KEEP_VAR")) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    }
}
