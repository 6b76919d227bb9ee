/* Tests of core/config: defaults, the shipped kiosk.ini, every key, and the
 * exact "PATH:LINE: KEY: WHY" errors. Runs from the repository root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"

typedef struct {
    char dir[64];     /* mkdtemp directory, removed by teardown */
    char path[128];   /* DIR/kiosk.ini */
    char err[1024];
    config_t cfg;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_config.XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/kiosk.ini", f->dir);
    config_defaults(&f->cfg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* Writes TEXT to the fixture file and loads it over f->cfg. */
static int load_text(fixture_t *f, const char *text)
{
    write_file(f->path, text);
    return config_load(&f->cfg, f->path, f->err, (int)sizeof f->err);
}

/* Loading TEXT fails with exactly "PATH:" followed by REST. */
static void expect_error(fixture_t *f, const char *text, const char *rest)
{
    char want[1024];
    snprintf(want, sizeof want, "%s:%s", f->path, rest);
    assert_int_equal(load_text(f, text), -1);
    assert_string_equal(f->err, want);
}

/* TEXT loads without error. */
static void expect_ok(fixture_t *f, const char *text)
{
    int rc = load_text(f, text);
    if (rc != 0)
        fail_msg("unexpected error: %s", f->err);
    assert_string_equal(f->err, "");
}

static void assert_config_equal(const config_t *a, const config_t *b)
{
    assert_int_equal(a->mode, b->mode);
    assert_string_equal(a->kiosk_id, b->kiosk_id);
    assert_string_equal(a->location, b->location);
    assert_string_equal(a->var_dir, b->var_dir);
    assert_string_equal(a->locale_dir, b->locale_dir);
    assert_string_equal(a->assets_dir, b->assets_dir);
    assert_string_equal(a->log_level, b->log_level);
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    assert_int_equal(a->fullscreen, b->fullscreen);
    assert_int_equal(a->rotation, b->rotation);
    assert_int_equal(a->renderer, b->renderer);
    assert_string_equal(a->font, b->font);
    assert_int_equal(a->font_index, b->font_index);
    assert_string_equal(a->diagonal, b->diagonal);
    assert_int_equal(a->dpi, b->dpi);
    assert_string_equal(a->locale, b->locale);
    assert_int_equal(a->theme, b->theme);
    assert_int_equal(a->idle_timeout_s, b->idle_timeout_s);
    assert_int_equal(a->warning_s, b->warning_s);
    assert_int_equal(a->attract_interval_s, b->attract_interval_s);
    assert_int_equal(a->lockdown, b->lockdown);
    assert_string_equal(a->staff_pin_hash, b->staff_pin_hash);
    assert_int_equal(a->pin_max_tries, b->pin_max_tries);
    assert_int_equal(a->pin_lock_s, b->pin_lock_s);
    assert_string_equal(a->hub_url, b->hub_url);
    assert_string_equal(a->device_token, b->device_token);
    assert_int_equal(a->hub_timeout_s, b->hub_timeout_s);
    assert_string_equal(a->idcard_uri, b->idcard_uri);
    assert_string_equal(a->scanner_uri, b->scanner_uri);
    assert_string_equal(a->camera_uri, b->camera_uri);
    assert_string_equal(a->printer_uri, b->printer_uri);
    assert_string_equal(a->debug_screen_text, b->debug_screen_text);
}

/* ---- defaults and the shipped file --------------------------------------- */

/* Every key's default, as kiosk.ini spells it. The tests below walk the key
 * table of core/config.c: a key added there without a line here, in
 * kiosk.ini and in README.md fails them. */
static const struct { const char *key, *value; } key_defaults[] = {
    {"kiosk.mode", "hall"},
    {"kiosk.kiosk_id", "demo-01"},
    {"kiosk.location", ""},
    {"kiosk.help_contact", ""},
    {"kiosk.var_dir", "var"},
    {"kiosk.locale_dir", "build/locale"},
    {"kiosk.assets_dir", "assets"},
    {"kiosk.log_level", "info"},
    {"display.width", "1920"},
    {"display.height", "1080"},
    {"display.fullscreen", "false"},
    {"display.rotation", "0"},
    {"display.renderer", "auto"},
    {"display.font", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"},
    {"display.font_index", "2"},
    {"display.diagonal", ""},
    {"display.dpi", "0"},
    {"ui.locale", "zh_CN"},
    {"ui.theme", "standard"},
    {"session.idle_timeout", "60"},
    {"session.warning", "20"},
    {"session.attract_interval", "8"},
    {"staff.lockdown", "false"},
    {"staff.pin_hash", ""},
    {"staff.pin_max_tries", "5"},
    {"staff.pin_lock", "300"},
    {"hub.url", "http://127.0.0.1:8470"},
    {"hub.token", ""},
    {"hub.timeout", "10"},
    {"hub.allow_http", "false"},
    {"hub.ca_file", ""},
    {"payment.poll_interval", "2000"},
    {"payment.qr_window", "180"},
    {"payment.code_window", "60"},
    {"outbox.key_file", "var/outbox.key"},
    {"outbox.retry_max", "300"},
    {"content.public_key", ""},
    {"content.poll_interval", "300"},
    {"content.group", ""},
    {"telemetry.heartbeat", "60"},
    {"voice.enabled", "true"},
    {"voice.speech", "elder"},
    {"voice.volume", "6"},
    {"voice.rate", "150"},
    {"voice.output", "auto"},
    {"voice.jack", "auto"},
    {"voice.quiet_hours", ""},
    {"keypad.up", "Up"},
    {"keypad.down", "Down"},
    {"keypad.left", "Left"},
    {"keypad.right", "Right"},
    {"keypad.enter", "Keypad Enter"},
    {"keypad.back", "Backspace"},
    {"keypad.help", "F1"},
    {"keypad.repeat", "F2"},
    {"keypad.volume_up", "Keypad +"},
    {"keypad.volume_down", "Keypad -"},
    {"keypad.voice", "F3"},
    {"keypad.explore", "F4"},
    {"devices.idcard", ""},
    {"devices.scanner", ""},
    {"devices.camera", ""},
    {"devices.printer", ""},
    {"debug.screen_text", ""},
};
#define N_DEFAULTS (sizeof key_defaults / sizeof key_defaults[0])
#define MAX_KEYS 128

/* "section.key" of the table's key I, or NULL past the end. */
static const char *full_key(int i, char *buf, size_t len)
{
    const char *section, *key = config_key(i, &section);
    if (!key) return NULL;
    snprintf(buf, len, "%s.%s", section, key);
    return buf;
}

static void test_defaults(void **state)
{
    (void)state;
    config_t c;
    memset(&c, 0x5a, sizeof c);          /* every field must be set */
    config_defaults(&c);
    char full[128], got[CONFIG_STR + 8];
    int n = 0;
    for (const char *k; (k = full_key(n, full, sizeof full)); n++) {
        size_t d = 0;
        while (d < N_DEFAULTS && strcmp(key_defaults[d].key, k) != 0) d++;
        if (d == N_DEFAULTS) fail_msg("%s: no default asserted in test_defaults", k);
        const char *section, *key = config_key(n, &section);
        assert_int_equal(config_format(&c, section, key, got, sizeof got), 0);
        if (strcmp(got, key_defaults[d].value) != 0)
            fail_msg("%s: default \"%s\", expected \"%s\"", k, got, key_defaults[d].value);
    }
    assert_int_equal(n, (int)N_DEFAULTS);     /* and no line for a key that is gone */
    assert_int_equal(config_format(&c, "kiosk", "nope", got, sizeof got), -1);
}

static void test_shipped_file_equals_defaults(void **state)
{
    (void)state;
    config_t loaded, defaults;
    char err[512] = "x";
    config_defaults(&defaults);
    config_defaults(&loaded);
    /* Start from other values so every key must come from the file. */
    assert_int_equal(config_set(&loaded, "display", "width", "800", err, sizeof err), 0);
    assert_int_equal(config_set(&loaded, "ui", "theme", "elder", err, sizeof err), 0);
    assert_int_equal(config_set(&loaded, "hub", "url", "https://x", err, sizeof err), 0);
    int rc = config_load(&loaded, "kiosk.ini", err, sizeof err);
    if (rc != 0)
        fail_msg("kiosk.ini: %s", err);
    assert_string_equal(err, "");
    assert_config_equal(&loaded, &defaults);
}

typedef struct {
    int seen[MAX_KEYS];
    int others;
} key_count_t;

static int count_key(void *user, const char *section, const char *name, const char *value)
{
    (void)value;
    key_count_t *kc = user;
    char full[128], k[128];
    snprintf(full, sizeof full, "%s.%s", section, name);
    for (int i = 0; full_key(i, k, sizeof k); i++) {
        if (strcmp(k, full) == 0) {
            kc->seen[i]++;
            return 1;
        }
    }
    kc->others++;
    return 1;
}

/* The shipped file is the reference: each key once, and every key set. */
static void test_shipped_file_lists_every_key(void **state)
{
    (void)state;
    key_count_t kc = {{0}, 0};
    char full[128];
    assert_int_equal(ini_parse("kiosk.ini", count_key, &kc), 0);
    for (int i = 0; full_key(i, full, sizeof full); i++) {
        assert_true(i < MAX_KEYS);
        if (kc.seen[i] != 1) fail_msg("kiosk.ini: %s appears %d times", full, kc.seen[i]);
    }
    assert_int_equal(kc.others, 0);

    /* ...and each key line is preceded by a comment line. */
    FILE *fp = fopen("kiosk.ini", "r");
    assert_non_null(fp);
    char line[1100], prev[1100] = "";
    int lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        bool is_key = line[0] != ';' && line[0] != '#' && line[0] != '[' &&
                      strchr(line, '=') != NULL;
        bool prev_ok = prev[0] == ';' || (strchr(prev, '=') && prev[0] != '[');
        if (is_key && !prev_ok)
            fail_msg("kiosk.ini:%d: key without a comment above it", lineno);
        snprintf(prev, sizeof prev, "%s", line);
    }
    fclose(fp);
}

/* README.md's configuration table names every key in its section's row:
 * "| `[section]` | `key`, ...". */
static void test_readme_lists_every_key(void **state)
{
    (void)state;
    FILE *fp = fopen("README.md", "r");
    assert_non_null(fp);
    static char rows[32][2048];
    int n_rows = 0;
    while (n_rows < 32 && fgets(rows[n_rows], sizeof rows[n_rows], fp))
        if (strncmp(rows[n_rows], "| `[", 4) == 0) n_rows++;
    fclose(fp);
    const char *section, *key;
    for (int i = 0; (key = config_key(i, &section)); i++) {
        char head[64], word[96];
        snprintf(head, sizeof head, "| `[%s]` |", section);
        snprintf(word, sizeof word, "`%s`", key);
        int r = 0;
        while (r < n_rows && strncmp(rows[r], head, strlen(head)) != 0) r++;
        if (r == n_rows) fail_msg("README.md: no configuration row for [%s]", section);
        if (!strstr(rows[r] + strlen(head), word))
            fail_msg("README.md: [%s] row does not name %s", section, word);
    }
}

/* ---- every key ----------------------------------------------------------- */

static void test_every_key_settable(void **state)
{
    fixture_t *f = *state;
    expect_ok(f,
              "[kiosk]\n"
              "mode = street\n"
              "kiosk_id = hall-7\n"
              "location = Ground floor, next to the lifts\n"
              "var_dir = /var/lib/kiosk\n"
              "locale_dir = /usr/share/kiosk/locale\n"
              "assets_dir = /usr/share/kiosk/assets\n"
              "log_level = debug\n"
              "[display]\n"
              "width = 1080\n"
              "height = 1920\n"
              "fullscreen = true\n"
              "rotation = 270\n"
              "renderer = software\n"
              "font = /usr/share/fonts/truetype/wqy/wqy-microhei.ttc\n"
              "font_index = 0\n"
              "[ui]\n"
              "locale = en\n"
              "theme = contrast\n"
              "[session]\n"
              "idle_timeout = 3600\n"
              "warning = 5\n"
              "attract_interval = 600\n"
              "[staff]\n"
              "lockdown = yes\n"
              "pin_hash = $argon2id$v=19$m=8192,t=2,p=1$wTDHuLEJlmjvw2YD+dYaUg$UH4iHBOLi3mjKqiM6fcGAmsF6R2biZ4JdB3dX+gSx5E\n"
              "pin_max_tries = 20\n"
              "pin_lock = 86400\n"
              "[hub]\n"
              "url = https://hub.example.org:8443/api\n"
              "token = s3cr3t-token\n"
              "timeout = 120\n"
              "[devices]\n"
              "idcard = serial:/dev/ttyUSB0?baud=115200\n"
              "scanner = evdev:/dev/input/by-id/usb-scan-event-kbd\n"
              "camera = image:/tmp/face.png\n"
              "printer = tcp://192.168.1.50:9100\n");
    const config_t *c = &f->cfg;
    assert_int_equal(c->mode, MODE_STREET);
    assert_string_equal(c->kiosk_id, "hall-7");
    assert_string_equal(c->location, "Ground floor, next to the lifts");
    assert_string_equal(c->var_dir, "/var/lib/kiosk");
    assert_string_equal(c->locale_dir, "/usr/share/kiosk/locale");
    assert_string_equal(c->assets_dir, "/usr/share/kiosk/assets");
    assert_string_equal(c->log_level, "debug");
    assert_int_equal(c->width, 1080);
    assert_int_equal(c->height, 1920);
    assert_true(c->fullscreen);
    assert_int_equal(c->rotation, 270);
    assert_int_equal(c->renderer, RENDERER_SOFTWARE);
    assert_string_equal(c->font, "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc");
    assert_int_equal(c->font_index, 0);
    assert_string_equal(c->locale, "en");
    assert_int_equal(c->theme, THEME_CONTRAST);
    assert_int_equal(c->idle_timeout_s, 3600);
    assert_int_equal(c->warning_s, 5);
    assert_int_equal(c->attract_interval_s, 600);
    assert_true(c->lockdown);
    assert_string_equal(c->staff_pin_hash,
                        "$argon2id$v=19$m=8192,t=2,p=1$wTDHuLEJlmjvw2YD+dYaUg$UH4iHBOLi3mjKqiM6fcGAmsF6R2biZ4JdB3dX+gSx5E");
    assert_int_equal(c->pin_max_tries, 20);
    assert_int_equal(c->pin_lock_s, 86400);
    assert_string_equal(c->hub_url, "https://hub.example.org:8443/api");
    assert_string_equal(c->device_token, "s3cr3t-token");
    assert_int_equal(c->hub_timeout_s, 120);
    assert_string_equal(c->idcard_uri, "serial:/dev/ttyUSB0?baud=115200");
    assert_string_equal(c->scanner_uri, "evdev:/dev/input/by-id/usb-scan-event-kbd");
    assert_string_equal(c->camera_uri, "image:/tmp/face.png");
    assert_string_equal(c->printer_uri, "tcp://192.168.1.50:9100");
}

static void test_other_enum_values(void **state)
{
    fixture_t *f = *state;
    expect_ok(f, "[display]\nrotation = 90\nrenderer = accelerated\n"
                 "[ui]\ntheme = elder\n[kiosk]\nlog_level = error\n");
    assert_int_equal(f->cfg.rotation, 90);
    assert_int_equal(f->cfg.renderer, RENDERER_ACCELERATED);
    assert_int_equal(f->cfg.theme, THEME_ELDER);
    assert_string_equal(f->cfg.log_level, "error");
    expect_ok(f, "[display]\nrotation = 180\nrenderer = auto\n[ui]\ntheme = standard\n"
                 "[kiosk]\nmode = hall\nlog_level = warn\n");
    assert_int_equal(f->cfg.rotation, 180);
    assert_int_equal(f->cfg.renderer, RENDERER_AUTO);
    assert_int_equal(f->cfg.theme, THEME_STANDARD);
    assert_int_equal(f->cfg.mode, MODE_HALL);
    assert_string_equal(f->cfg.log_level, "warn");
}

/* [display] diagonal / dpi: the panel's size, one or the other. */
static void test_panel_size(void **state)
{
    fixture_t *f = *state;
    expect_ok(f, "[display]\ndiagonal = 10.1\n");
    assert_string_equal(f->cfg.diagonal, "10.1");
    expect_ok(f, "[display]\ndiagonal = 32\ndpi = 0\n");
    expect_ok(f, "[display]\ndiagonal =\ndpi = 160\n");
    assert_int_equal(f->cfg.dpi, 160);
    expect_error(f, "[display]\ndiagonal = ten\n",
                 "2: diagonal: 'ten' is not a panel diagonal in inches from 3 to 120 (e.g. 10.1)");
    expect_error(f, "[display]\n\ndiagonal = 2.5\n",
                 "3: diagonal: '2.5' is not a panel diagonal in inches from 3 to 120 (e.g. 10.1)");
    expect_error(f, "[display]\ndiagonal = -10\n",
                 "2: diagonal: '-10' is not a panel diagonal in inches from 3 to 120 (e.g. 10.1)");
    expect_error(f, "[display]\ndiagonal = 10.1in\n",
                 "2: diagonal: '10.1in' is not a panel diagonal in inches from 3 to 120 (e.g. 10.1)");
    config_defaults(&f->cfg);
    expect_error(f, "[display]\ndpi = 20\n",
                 "2: dpi: 20 is not a panel's dots per inch; use 40 to 1200, or 0 for not set");
    config_defaults(&f->cfg);
    expect_error(f, "[display]\ndiagonal = 10.1\nwidth = 1280\ndpi = 150\n",
                 "4: dpi: [display] diagonal (line 2) and dpi (line 4) both give the panel's "
                 "size; set only one of them");
    config_defaults(&f->cfg);
    expect_error(f, "[display]\ndpi = 150\ndiagonal = 10.1\n",
                 "3: diagonal: [display] diagonal (line 3) and dpi (line 2) both give the panel's "
                 "size; set only one of them");
}

static void test_words_any_case(void **state)
{
    fixture_t *f = *state;
    expect_ok(f, "[display]\nfullscreen = TRUE\n[ui]\ntheme = Elder\n"
                 "[kiosk]\nlog_level = WARN\nmode = Street\n");
    assert_true(f->cfg.fullscreen);
    assert_int_equal(f->cfg.theme, THEME_ELDER);
    assert_string_equal(f->cfg.log_level, "warn");
    assert_int_equal(f->cfg.mode, MODE_STREET);
}

static void test_bool_words(void **state)
{
    fixture_t *f = *state;
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char text[128];
    for (size_t i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "[display]\nfullscreen = %s\n", yes[i]);
        expect_ok(f, text);
        assert_true(f->cfg.fullscreen);
        snprintf(text, sizeof text, "[display]\nfullscreen = %s\n", no[i]);
        expect_ok(f, text);
        assert_false(f->cfg.fullscreen);
    }
}

static void test_empty_file_keeps_defaults(void **state)
{
    fixture_t *f = *state;
    config_t defaults;
    config_defaults(&defaults);
    expect_ok(f, "");
    assert_config_equal(&f->cfg, &defaults);
    expect_ok(f, "; only a comment\n\n[display]\n");
    assert_config_equal(&f->cfg, &defaults);
}

/* ---- structure errors ---------------------------------------------------- */

static void test_unknown_key(void **state)
{
    fixture_t *f = *state;
    expect_error(f,
                 "[kiosk]\n"
                 "mode = hall\n"
                 "\n"
                 "[display]\n"
                 "width = 800\n"
                 "; colour of the background\n"
                 "colour = red\n",
                 "7: colour: unknown key in [display]");
}

static void test_key_of_other_section(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[ui]\nwidth = 800\n", "2: width: unknown key in [ui]");
}

static void test_unknown_section(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "; header\n\n[foo]\nbar = 1\n", "3: [foo]: unknown section");
    /* Also when it has no keys, and when only the case differs. */
    expect_error(f, "[display]\nwidth = 800\n[foo]\n", "3: [foo]: unknown section");
    expect_error(f, "[Display]\n", "1: [Display]: unknown section");
}

static void test_key_before_section(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "; comment\nwidth = 800\n[display]\n",
                 "2: width: key outside any section (put it under a [section] line)");
}

static void test_syntax_errors(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[display]\nfullscreen\n",
                 "2: expected \"key = value\", \"[section]\" or a comment, "
                 "got \"fullscreen\"");
    expect_error(f, "[display\nwidth = 800\n",
                 "1: [display: missing \"]\" after the section name");
    expect_error(f, "[display]\n = 800\n", "2: missing key name before \"=\"");
}

static void test_line_too_long(void **state)
{
    fixture_t *f = *state;
    char text[1200];
    memset(text, 0, sizeof text);
    strcpy(text, "[kiosk]\n;");
    memset(text + strlen(text), 'x', 1024);   /* a 1025-byte comment line */
    strcat(text, "\n");
    expect_error(f, text, "2: line too long (max 1024 bytes)");
}

static void test_nul_byte(void **state)
{
    fixture_t *f = *state;
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    fwrite("[ui]\nlocale = e\0n\n", 1, 18, fp);
    fclose(fp);
    char want[256];
    snprintf(want, sizeof want, "%s:2: contains a NUL byte (is this a text file?)", f->path);
    assert_int_equal(config_load(&f->cfg, f->path, f->err, (int)sizeof f->err), -1);
    assert_string_equal(f->err, want);
}

static void test_first_error_wins(void **state)
{
    fixture_t *f = *state;
    expect_error(f,
                 "[display]\n"
                 "width = wide\n"
                 "height = tall\n"
                 "[foo]\n",
                 "2: width: must be a whole number from 320 to 7680, got \"wide\"");
    expect_error(f,
                 "[display]\n"
                 "no equals sign here\n"
                 "width = wide\n",
                 "2: expected \"key = value\", \"[section]\" or a comment, "
                 "got \"no equals sign here\"");
}

static void test_duplicate_key_last_wins(void **state)
{
    fixture_t *f = *state;
    log_set_level(LOG_ERROR);   /* each repeat logs a warning */
    expect_ok(f, "[display]\nwidth = 800\nwidth = 1024\n[display]\nwidth = 1280\n");
    log_set_level(LOG_INFO);
    assert_int_equal(f->cfg.width, 1280);
}

/* ---- value errors -------------------------------------------------------- */

static void test_bad_int(void **state)
{
    fixture_t *f = *state;
    static const char *const bad[] = {"abc", "60s", "", "6 0", "0x10", "1e3", "6.5",
                                      "99999999999999999999", "-", "+"};
    char text[128], want[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "[session]\n\n\nidle_timeout = %s\n", bad[i]);
        snprintf(want, sizeof want,
                 "4: idle_timeout: must be a whole number from 10 to 3600, got \"%s\"",
                 bad[i]);
        expect_error(f, text, want);
    }
}

static void test_int_range(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[session]\nidle_timeout = 9\n",
                 "2: idle_timeout: must be a whole number from 10 to 3600, got \"9\"");
    expect_error(f, "[session]\nidle_timeout = 3601\n",
                 "2: idle_timeout: must be a whole number from 10 to 3600, got \"3601\"");
    expect_error(f, "[display]\nfont_index = -1\n",
                 "2: font_index: must be a whole number from 0 to 63, got \"-1\"");
    expect_error(f, "[staff]\npin_lock = 86401\n",
                 "2: pin_lock: must be a whole number from 10 to 86400, got \"86401\"");
    expect_error(f, "[hub]\ntimeout = 0\n",
                 "2: timeout: must be a whole number from 1 to 120, got \"0\"");
    expect_ok(f, "[session]\nidle_timeout = 10\nwarning = 120\nattract_interval = 2\n"
                 "[display]\nwidth = 320\nheight = 240\nfont_index = 63\n"
                 "[staff]\npin_max_tries = 1\npin_lock = 10\n[hub]\ntimeout = 1\n");
    assert_int_equal(f->cfg.idle_timeout_s, 10);
    assert_int_equal(f->cfg.warning_s, 120);
    assert_int_equal(f->cfg.attract_interval_s, 2);
    assert_int_equal(f->cfg.width, 320);
    assert_int_equal(f->cfg.height, 240);
    assert_int_equal(f->cfg.font_index, 63);
    assert_int_equal(f->cfg.pin_max_tries, 1);
    assert_int_equal(f->cfg.pin_lock_s, 10);
    assert_int_equal(f->cfg.hub_timeout_s, 1);
}

static void test_bad_bool(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[display]\nfullscreen = maybe\n",
                 "2: fullscreen: must be true or false (or yes/no, on/off, 1/0), "
                 "got \"maybe\"");
    expect_error(f, "[staff]\nlockdown =\n",
                 "2: lockdown: must be true or false (or yes/no, on/off, 1/0), got \"\"");
}

static void test_bad_enum(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[ui]\ntheme = dark\n",
                 "2: theme: must be one of standard, elder, contrast, got \"dark\"");
    expect_error(f, "[kiosk]\nmode = mall\n",
                 "2: mode: must be one of hall, street, got \"mall\"");
    expect_error(f, "[display]\nrotation = 45\n",
                 "2: rotation: must be one of 0, 90, 180, 270, got \"45\"");
    expect_error(f, "[display]\nrenderer = gpu\n",
                 "2: renderer: must be one of auto, software, accelerated, got \"gpu\"");
    expect_error(f, "[kiosk]\nlog_level = loud\n",
                 "2: log_level: must be one of debug, info, warn, error, got \"loud\"");
}

static void test_string_too_long(void **state)
{
    fixture_t *f = *state;
    char text[600], value[300];
    memset(value, 'a', 255);
    value[255] = '\0';
    snprintf(text, sizeof text, "[kiosk]\nlocation = %s\n", value);
    expect_ok(f, text);
    assert_int_equal(strlen(f->cfg.location), 255);

    strcat(value, "b");
    snprintf(text, sizeof text, "[kiosk]\nlocation = %s\n", value);
    expect_error(f, text, "2: location: too long (max 255 bytes)");

    expect_error(f, "[kiosk]\nkiosk_id = "
                    "0123456789012345678901234567890123456789012345678901234567890123\n",
                 "2: kiosk_id: too long (max 63 bytes)");
    expect_error(f, "[ui]\nlocale = abcdefghijklmnop\n", "2: locale: too long (max 15 bytes)");
}

static void test_empty_path(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[kiosk]\nvar_dir =\n", "2: var_dir: must not be empty");
    expect_error(f, "[display]\nfont =\n", "2: font: must not be empty");
    expect_error(f, "[kiosk]\nkiosk_id =\n", "2: kiosk_id: must not be empty");
}

static void test_bad_url(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[hub]\nurl = ftp://hub\n",
                 "2: url: must start with http:// or https:// followed by a host, "
                 "got \"ftp://hub\"");
    expect_error(f, "[hub]\nurl = 127.0.0.1:8470\n",
                 "2: url: must start with http:// or https:// followed by a host, "
                 "got \"127.0.0.1:8470\"");
    expect_error(f, "[hub]\nurl = http://\n",
                 "2: url: must start with http:// or https:// followed by a host, "
                 "got \"http://\"");
    expect_error(f, "[hub]\nurl = http://my hub\n",
                 "2: url: must start with http:// or https:// followed by a host, "
                 "got \"http://my hub\"");
    /* plain http:// only to this machine, unless allow_http says so */
    expect_error(f, "[hub]\nurl = http://hub.local\n",
                 "2: url: plain http:// to a hub on another machine sends the kiosk's token "
                 "and residents' data in clear; use https://, or set allow_http = true on a "
                 "network you trust");
    expect_ok(f, "[hub]\nurl = https://hub.local\n");
    expect_ok(f, "[hub]\nurl = http://127.0.0.1:8470\n");
    expect_ok(f, "[hub]\nurl = http://hub.local\nallow_http = true\n");
    assert_string_equal(f->cfg.hub_url, "http://hub.local");
}

static void test_bad_device_uri(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[devices]\nprinter = /dev/usb/lp0\n",
                 "2: printer: must be empty or start with serial:, tcp://, file:, usb:, "
                 "evdev:, v4l2: or image: followed by a path or address, "
                 "got \"/dev/usb/lp0\"");
    expect_error(f, "[devices]\nidcard = serial:\n",
                 "2: idcard: must be empty or start with serial:, tcp://, file:, usb:, "
                 "evdev:, v4l2: or image: followed by a path or address, got \"serial:\"");
    expect_ok(f, "[devices]\nprinter = usb:/dev/usb/lp0\ncamera = v4l2:/dev/video0\n"
                 "scanner = file:/tmp/scans\nidcard = tcp://10.0.0.2:4000\n");
    assert_string_equal(f->cfg.printer_uri, "usb:/dev/usb/lp0");
    assert_string_equal(f->cfg.camera_uri, "v4l2:/dev/video0");
    assert_string_equal(f->cfg.scanner_uri, "file:/tmp/scans");
    assert_string_equal(f->cfg.idcard_uri, "tcp://10.0.0.2:4000");
    expect_ok(f, "[devices]\nprinter =\n");
    assert_string_equal(f->cfg.printer_uri, "");
}

static void test_bad_locale(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[ui]\nlocale = zh-CN\n",
                 "2: locale: must be letters and underscores only, like zh_CN or en, "
                 "got \"zh-CN\"");
    expect_error(f, "[ui]\nlocale = ../../etc\n",
                 "2: locale: must be letters and underscores only, like zh_CN or en, "
                 "got \"../../etc\"");
    expect_error(f, "[ui]\nlocale =\n",
                 "2: locale: must be letters and underscores only, like zh_CN or en, "
                 "got \"\"");
}

/* A PIN pasted instead of its hash is refused and not repeated back. */
static void test_bad_pin_hash_not_echoed(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[staff]\npin_hash = 482916\n",
                 "2: pin_hash: must be empty or a line printed by "
                 "\"build/kiosk --hash-pin\" (it starts with $argon2)");
    assert_null(strstr(f->err, "482916"));
}

/* A hash cut short when pasted is refused at start-up, not at the first PIN. */
static void test_truncated_pin_hash_refused(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[staff]\npin_hash = $argon2id$v=19$m=8192,t=2,p=1$wTDHuLEJlmjvw2YD\n",
                 "2: pin_hash: must be empty or a line printed by "
                 "\"build/kiosk --hash-pin\" (it starts with $argon2)");
}

/* ---- files --------------------------------------------------------------- */

static void test_missing_file(void **state)
{
    fixture_t *f = *state;
    char path[160], want[256];
    snprintf(path, sizeof path, "%s/none.ini", f->dir);
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    assert_int_equal(config_load(&f->cfg, path, f->err, (int)sizeof f->err), -1);
    assert_string_equal(f->err, want);
}

static void test_directory_as_file(void **state)
{
    fixture_t *f = *state;
    char want[256];
    snprintf(want, sizeof want, "%s: cannot read: Is a directory", f->dir);
    assert_int_equal(config_load(&f->cfg, f->dir, f->err, (int)sizeof f->err), -1);
    assert_string_equal(f->err, want);
}

static void test_crlf_and_comments(void **state)
{
    fixture_t *f = *state;
    expect_ok(f,
              "\xEF\xBB\xBF; byte order mark, then CRLF line ends\r\n"
              "# hash comment\r\n"
              "\r\n"
              "[display]\r\n"
              "width = 800 ; inline comment\r\n"
              "  height=600\r\n"
              "\t; indented comment\r\n"
              "[devices]   ; comment after a section\r\n"
              "printer = tcp://printer:9100\r\n"
              "[hub]\r\n"
              "url: https://hub\r\n");
    assert_int_equal(f->cfg.width, 800);
    assert_int_equal(f->cfg.height, 600);
    assert_string_equal(f->cfg.printer_uri, "tcp://printer:9100");
    assert_string_equal(f->cfg.hub_url, "https://hub");
    /* Line numbers count CRLF lines too. */
    expect_error(f, "[display]\r\n; c\r\nwidth = x\r\n",
                 "3: width: must be a whole number from 320 to 7680, got \"x\"");
}

/* inih ends a key at an inline " ;" comment, so "a ;=b" has no "=": it is
 * reported on its own line, not as a later line's error (found by
 * tests/fuzz/fuzz_config.c: it used to come out as "syntax error", and after
 * an error on a later line). */
static void test_inline_comment_before_equals(void **state)
{
    fixture_t *f = *state;
    expect_error(f, "[display]\nfoo ;=x\nwidth = wide\n",
                 "2: expected \"key = value\", \"[section]\" or a comment, got \"foo ;=x\"");
    expect_error(f, "[display]\nwidth ; = 800\n",
                 "2: expected \"key = value\", \"[section]\" or a comment, "
                 "got \"width ; = 800\"");
    expect_error(f, "[display]\n e ;a: b\n",
                 "2: expected \"key = value\", \"[section]\" or a comment, got \"e ;a: b\"");
    /* A ';' not after a space does not start a comment. */
    expect_error(f, "[display]\nwidth;x = 800\n", "2: width;x: unknown key in [display]");
}

/* No continuation lines: an indented key is an ordinary key. */
static void test_indented_key_is_not_continuation(void **state)
{
    fixture_t *f = *state;
    expect_ok(f, "[kiosk]\nlocation = Hall A\n    kiosk_id = hall-a\n");
    assert_string_equal(f->cfg.location, "Hall A");
    assert_string_equal(f->cfg.kiosk_id, "hall-a");
}

static void test_error_buffer(void **state)
{
    fixture_t *f = *state;
    char small[12];
    write_file(f->path, "[foo]\n");
    assert_int_equal(config_load(&f->cfg, f->path, small, (int)sizeof small), -1);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(strncmp(small, f->path, sizeof small - 1), 0);
    assert_int_equal(config_load(&f->cfg, f->path, NULL, 0), -1);
    write_file(f->path, "[ui]\n");
    assert_int_equal(config_load(&f->cfg, f->path, NULL, 0), 0);
}

/* config_load changes inih's process-wide options only while it runs. */
static void test_ini_options_restored(void **state)
{
    fixture_t *f = *state;
    int max_line = ini_max_line;
    bool multiline = ini_allow_multiline;
    expect_ok(f, "[ui]\ntheme = elder\n");
    assert_int_equal(ini_max_line, max_line);
    assert_int_equal(ini_allow_multiline, multiline);
}

/* config_load reads at most 1 MiB. */
static void test_file_too_large(void **state)
{
    fixture_t *f = *state;
    size_t max = 1u << 20;
    char *text = malloc(max + 2);
    assert_non_null(text);
    /* Exactly 1 MiB: "[ui]\n", comment lines, "theme = elder\n". */
    static const char head[] = "[ui]\n", tail[] = "theme = elder\n";
    memset(text, ' ', max);
    memcpy(text, head, strlen(head));
    for (size_t at = strlen(head); at + 100 <= max - strlen(tail); at += 100) {
        text[at] = ';';
        text[at + 99] = '\n';
    }
    memcpy(text + max - strlen(tail), tail, strlen(tail));
    text[max] = '\0';
    expect_ok(f, text);
    assert_int_equal(f->cfg.theme, THEME_ELDER);

    text[max] = '\n';
    text[max + 1] = '\0';
    write_file(f->path, text);
    free(text);
    char want[256];
    snprintf(want, sizeof want, "%s: cannot read: larger than 1 MiB", f->path);
    assert_int_equal(config_load(&f->cfg, f->path, f->err, (int)sizeof f->err), -1);
    assert_string_equal(f->err, want);
}

/* ---- config_load_mem ------------------------------------------------------ */

static void test_load_mem(void **state)
{
    (void)state;
    config_t c;
    char err[512];
    config_defaults(&c);
    /* Only LEN bytes are read: no NUL needed, and what follows is ignored;
     * the last line needs no line ending. */
    static const char text[] = "[display]\nwidth = 800\r\nheight = 600GARBAGE";
    size_t len = strlen(text) - strlen("GARBAGE");
    assert_int_equal(config_load_mem(&c, "mem", text, len, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(c.width, 800);
    assert_int_equal(c.height, 600);

    /* Errors name NAME as the path. */
    assert_int_equal(config_load_mem(&c, "mem", text, strlen(text), err, sizeof err), -1);
    assert_string_equal(err, "mem:3: height: must be a whole number from 240 to 7680, "
                             "got \"600GARBAGE\"");
    static const char nul[] = "[ui]\ntheme = elder\n\0\n";
    assert_int_equal(config_load_mem(&c, "x", nul, sizeof nul - 1, err, sizeof err), -1);
    assert_string_equal(err, "x:3: contains a NUL byte (is this a text file?)");

    /* Nothing at all keeps the defaults. */
    config_t d;
    config_defaults(&c);
    config_defaults(&d);
    assert_int_equal(config_load_mem(&c, "empty", NULL, 0, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_int_equal(config_load_mem(&c, "empty", "", 0, NULL, 0), 0);
    assert_config_equal(&c, &d);
}

/* config_load is config_load_mem of the file's bytes. */
static void test_load_mem_matches_file(void **state)
{
    fixture_t *f = *state;
    static const char text[] = "[kiosk]\nmode = street\n[ui]\nlocale = en\n"
                               "[devices]\ncamera = v4l2:/dev/video2\n";
    config_t c;
    char err[512];
    config_defaults(&c);
    expect_ok(f, text);
    assert_int_equal(config_load_mem(&c, f->path, text, strlen(text), err, sizeof err), 0);
    assert_config_equal(&c, &f->cfg);
    assert_int_equal(c.mode, MODE_STREET);
    assert_string_equal(c.camera_uri, "v4l2:/dev/video2");

    static const char bad[] = "[hub]\n\nurl = ftp://x\n";
    assert_int_equal(load_text(f, bad), -1);
    assert_int_equal(config_load_mem(&c, f->path, bad, strlen(bad), err, sizeof err), -1);
    assert_string_equal(err, f->err);
}

/* ---- config_set and themes ----------------------------------------------- */

static void test_config_set(void **state)
{
    (void)state;
    config_t c;
    char err[512];
    config_defaults(&c);
    assert_int_equal(config_set(&c, "display", "fullscreen", "true", err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_true(c.fullscreen);
    assert_int_equal(config_set(&c, "ui", "locale", "en", err, sizeof err), 0);
    assert_string_equal(c.locale, "en");
    assert_int_equal(config_set(&c, "session", "idle_timeout", "120", err, sizeof err), 0);
    assert_int_equal(c.idle_timeout_s, 120);

    assert_int_equal(config_set(&c, "display", "width", "huge", err, sizeof err), -1);
    assert_string_equal(err,
                        "--set: width: must be a whole number from 320 to 7680, got \"huge\"");
    assert_int_equal(c.width, 1920);
    assert_int_equal(config_set(&c, "foo", "bar", "1", err, sizeof err), -1);
    assert_string_equal(err, "--set: [foo]: unknown section");
    assert_int_equal(config_set(&c, "display", "colour", "red", err, sizeof err), -1);
    assert_string_equal(err, "--set: colour: unknown key in [display]");
    assert_int_equal(config_set(&c, "", "width", "800", err, sizeof err), -1);
    assert_string_equal(err,
                        "--set: width: key outside any section (put it under a [section] line)");
    assert_int_equal(config_set(&c, "display", "width", NULL, err, sizeof err), -1);
    assert_string_equal(err, "--set: expected section.key=value");
}

static void test_quiet_hours(void **state)
{
    (void)state;
    config_t c;
    config_defaults(&c);
    char err[256];
    int a, b;
    assert_int_equal(config_set(&c, "voice", "quiet_hours", "22:00-07:00", err, sizeof err), 0);
    assert_int_equal(config_quiet_hours(c.quiet_hours, &a, &b), 0);
    assert_int_equal(a, 22 * 60);
    assert_int_equal(b, 7 * 60);
    assert_int_equal(config_set(&c, "voice", "quiet_hours", "", err, sizeof err), 0);
    static const char *const bad[] = {"22:00", "22:00-22:00", "24:00-07:00", "22:60-07:00",
                                      "22:00-07:00x", "late"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(config_set(&c, "voice", "quiet_hours", bad[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "quiet_hours"));
    }
    assert_int_equal(config_set(&c, "voice", "speech", "sometimes", err, sizeof err), -1);
    assert_int_equal(config_set(&c, "voice", "volume", "11", err, sizeof err), -1);
}

/* [voice] output: the old words still load, "speaker" is the loudspeaker,
 * auto (the default) follows the jack named by [voice] jack. */
static void test_voice_output(void **state)
{
    fixture_t *f = *state;
    static const struct {
        const char *word, *shown;
        audio_output_t out;
    } ok[] = {{"loudspeaker", "loudspeaker", OUTPUT_LOUDSPEAKER}, {"speaker", "loudspeaker", OUTPUT_LOUDSPEAKER},
              {"headphones", "headphones", OUTPUT_HEADPHONES}, {"auto", "auto", OUTPUT_AUTO}};
    char text[128], got[32];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        snprintf(text, sizeof text, "[voice]\noutput = %s\n", ok[i].word);
        expect_ok(f, text);
        assert_int_equal(f->cfg.voice_output, ok[i].out);
        assert_int_equal(config_format(&f->cfg, "voice", "output", got, sizeof got), 0);
        assert_string_equal(got, ok[i].shown);
    }
    expect_error(f, "[voice]\n\noutput = earphones\n",
                 "3: output: must be one of auto, loudspeaker, speaker, headphones, got \"earphones\"");
    static const char *const jacks[] = {"auto", "alsa:hw:0", "alsa:1", "evdev:/dev/input/event7"};
    for (size_t i = 0; i < sizeof jacks / sizeof jacks[0]; i++) {
        snprintf(text, sizeof text, "[voice]\njack = %s\n", jacks[i]);
        expect_ok(f, text);
        assert_string_equal(f->cfg.voice_jack, jacks[i]);
    }
    expect_error(f, "[voice]\njack = /dev/input/event7\n",
                 "2: jack: want auto, alsa:CARD (alsa:hw:0, alsa:0) or evdev:/dev/input/eventN, "
                 "got \"/dev/input/event7\"");
    expect_error(f, "[voice]\njack = alsa:\n",
                 "2: jack: want auto, alsa:CARD (alsa:hw:0, alsa:0) or evdev:/dev/input/eventN, got \"alsa:\"");
}

static void test_theme_names(void **state)
{
    (void)state;
    theme_id_t t = THEME_COUNT;
    assert_string_equal(config_theme_name(THEME_STANDARD), "standard");
    assert_string_equal(config_theme_name(THEME_ELDER), "elder");
    assert_string_equal(config_theme_name(THEME_CONTRAST), "contrast");
    assert_string_equal(config_theme_name(THEME_COUNT), "unknown");
    for (int i = 0; i < THEME_COUNT; i++) {
        assert_int_equal(config_theme_parse(config_theme_name((theme_id_t)i), &t), 0);
        assert_int_equal(t, i);
    }
    assert_int_equal(config_theme_parse("dark", &t), -1);
    assert_int_equal(config_theme_parse(NULL, &t), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_shipped_file_equals_defaults),
        cmocka_unit_test(test_shipped_file_lists_every_key),
        cmocka_unit_test(test_readme_lists_every_key),
        T(test_every_key_settable),
        T(test_other_enum_values),
        T(test_panel_size),
        T(test_words_any_case),
        T(test_bool_words),
        T(test_empty_file_keeps_defaults),
        T(test_unknown_key),
        T(test_key_of_other_section),
        T(test_unknown_section),
        T(test_key_before_section),
        T(test_syntax_errors),
        T(test_line_too_long),
        T(test_nul_byte),
        T(test_first_error_wins),
        T(test_duplicate_key_last_wins),
        T(test_bad_int),
        T(test_int_range),
        T(test_bad_bool),
        T(test_bad_enum),
        T(test_string_too_long),
        T(test_empty_path),
        T(test_bad_url),
        T(test_bad_device_uri),
        T(test_bad_locale),
        T(test_bad_pin_hash_not_echoed),
        T(test_truncated_pin_hash_refused),
        T(test_missing_file),
        T(test_directory_as_file),
        T(test_crlf_and_comments),
        T(test_inline_comment_before_equals),
        T(test_indented_key_is_not_continuation),
        T(test_error_buffer),
        T(test_ini_options_restored),
        T(test_file_too_large),
        cmocka_unit_test(test_load_mem),
        T(test_load_mem_matches_file),
        cmocka_unit_test(test_config_set),
        cmocka_unit_test(test_quiet_hours),
        cmocka_unit_test_setup_teardown(test_voice_output, setup, teardown),
        cmocka_unit_test(test_theme_names),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
