/* libFuzzer target for the kiosk.ini parser (core/config.c): the input is
 * the text of a kiosk.ini, parsed with config_load_mem. Built and run by
 * `make fuzz` and tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - the result is 0 or -1, and inih's process-wide options are restored;
 *   - the error text is NUL-terminated; "" on success; on failure it is
 *     "fuzz.ini:..." with a line number, and never inih's bare "syntax
 *     error" (check_line must foresee every line inih rejects, or the first
 *     error would not be the one reported);
 *   - on success every field holds a value its key documents (ranges,
 *     words, non-empty paths, URL and URI prefixes), strings NUL-terminated;
 *   - parsing again with a short, exactly-sized error buffer gives the same
 *     result, the same configuration and a prefix of the same message. */
#include "core/config.h"
#include "core/log.h"

#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.ini"

#include "fuzz_check.h"

static int in_range(int v, int lo, int hi) { return v >= lo && v <= hi; }

static int terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads a bool field as its byte, so a bad value is reported, not UB. */
static int bool_byte(const bool *b)
{
    unsigned char c;
    memcpy(&c, b, 1);
    return c;
}

static int device_ok(const char *uri)
{
    static const char *const schemes[] = {
        "serial:", "tcp://", "file:", "usb:", "evdev:", "v4l2:", "image:", NULL};
    if (uri[0] == '\0')
        return 1;
    for (int i = 0; schemes[i]; i++)
        if (starts_with(uri, schemes[i]) && uri[strlen(schemes[i])] != '\0')
            return 1;
    return 0;
}

static int locale_ok(const char *s)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
            return 0;
    return 1;
}

#define STR_OK(f) CHECK(terminated(c->f, sizeof c->f), "%s not NUL-terminated", #f)

/* Every field of C holds a value config.h documents for its key. */
static void check_config(const config_t *c)
{
    static const char *const levels[] = {"debug", "info", "warn", "error", NULL};
    STR_OK(kiosk_id);
    STR_OK(location);
    STR_OK(var_dir);
    STR_OK(locale_dir);
    STR_OK(assets_dir);
    STR_OK(log_level);
    STR_OK(font);
    STR_OK(locale);
    STR_OK(staff_pin_hash);
    STR_OK(hub_url);
    STR_OK(device_token);
    STR_OK(idcard_uri);
    STR_OK(scanner_uri);
    STR_OK(camera_uri);
    STR_OK(printer_uri);

    CHECK(c->mode == MODE_HALL || c->mode == MODE_STREET, "mode %d", (int)c->mode);
    CHECK(c->kiosk_id[0] && c->var_dir[0] && c->locale_dir[0] && c->assets_dir[0] &&
          c->font[0], "an empty path or kiosk_id");
    CHECK(one_of(c->log_level, levels), "log_level \"%s\"", c->log_level);
    CHECK(in_range(c->width, 320, 7680), "width %d", c->width);
    CHECK(in_range(c->height, 240, 7680), "height %d", c->height);
    CHECK(bool_byte(&c->fullscreen) <= 1, "fullscreen byte %d", bool_byte(&c->fullscreen));
    CHECK(c->rotation == 0 || c->rotation == 90 || c->rotation == 180 ||
          c->rotation == 270, "rotation %d", c->rotation);
    CHECK(in_range((int)c->renderer, RENDERER_AUTO, RENDERER_ACCELERATED),
          "renderer %d", (int)c->renderer);
    CHECK(in_range(c->font_index, 0, 63), "font_index %d", c->font_index);
    CHECK(locale_ok(c->locale), "locale \"%s\"", c->locale);
    CHECK(in_range((int)c->theme, 0, THEME_COUNT - 1), "theme %d", (int)c->theme);
    CHECK(in_range(c->idle_timeout_s, 10, 3600), "idle_timeout %d", c->idle_timeout_s);
    CHECK(in_range(c->warning_s, 5, 120), "warning %d", c->warning_s);
    CHECK(in_range(c->attract_interval_s, 2, 600), "attract_interval %d",
          c->attract_interval_s);
    CHECK(bool_byte(&c->lockdown) <= 1, "lockdown byte %d", bool_byte(&c->lockdown));
    CHECK(c->staff_pin_hash[0] == '\0' || starts_with(c->staff_pin_hash, "$argon2"),
          "pin_hash is neither empty nor $argon2...");
    CHECK(in_range(c->pin_max_tries, 1, 20), "pin_max_tries %d", c->pin_max_tries);
    CHECK(in_range(c->pin_lock_s, 10, 86400), "pin_lock %d", c->pin_lock_s);
    CHECK((starts_with(c->hub_url, "http://") && c->hub_url[7] && c->hub_url[7] != '/') ||
          (starts_with(c->hub_url, "https://") && c->hub_url[8] && c->hub_url[8] != '/'),
          "hub url \"%s\"", c->hub_url);
    for (const char *p = c->hub_url; *p; p++)
        CHECK((unsigned char)*p > ' ' && *p != 0x7f, "space in hub url \"%s\"", c->hub_url);
    CHECK(in_range(c->hub_timeout_s, 1, 120), "hub timeout %d", c->hub_timeout_s);
    CHECK(device_ok(c->idcard_uri), "idcard \"%s\"", c->idcard_uri);
    CHECK(device_ok(c->scanner_uri), "scanner \"%s\"", c->scanner_uri);
    CHECK(device_ok(c->camera_uri), "camera \"%s\"", c->camera_uri);
    CHECK(device_ok(c->printer_uri), "printer \"%s\"", c->printer_uri);
}

/* The error message ERR of a failed parse: "NAME:LINE: MSG" with LINE >= 1
 * and MSG not empty. */
static void check_error(const char *err)
{
    size_t n = strlen(NAME);
    CHECK(err[0] != '\0', "empty error text");
    CHECK(strncmp(err, NAME, n) == 0 && err[n] == ':', "error \"%s\"", err);
    char *end;
    long line = strtol(err + n + 1, &end, 10);
    CHECK(err[n + 1] >= '1' && err[n + 1] <= '9' && line >= 1 && end[0] == ':' &&
          end[1] == ' ' && end[2] != '\0', "error without \"LINE: \": \"%s\"", err);
    CHECK(strcmp(end, ": syntax error") != 0 && strcmp(end, ": parser failed") != 0,
          "inih rejected a line check_line accepted: \"%s\"", err);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_QUIET);   /* no duplicate-key warnings */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    int max_line = ini_max_line;
    bool multiline = ini_allow_multiline, inline_comments = ini_allow_inline_comments;
    char *start_prefixes = ini_start_comment_prefixes;

    config_t cfg;
    config_defaults(&cfg);
    char err[2048];
    memset(err, 'x', sizeof err);
    int rc = config_load_mem(&cfg, NAME, text, size, err, (int)sizeof err);

    CHECK(rc == 0 || rc == -1, "returned %d", rc);
    CHECK(ini_max_line == max_line && ini_allow_multiline == multiline &&
          ini_allow_inline_comments == inline_comments &&
          ini_start_comment_prefixes == start_prefixes, "inih options not restored");
    CHECK(terminated(err, sizeof err), "error text not NUL-terminated");
    if (rc == 0) {
        CHECK(err[0] == '\0', "error text \"%s\" on success", err);
        check_config(&cfg);
    } else {
        check_error(err);
    }

    /* Again, into a heap buffer of 1 to 64 bytes, so ASan sees any write
     * past its end. */
    size_t small = 1 + size % 64;
    char *err2 = malloc(small);
    CHECK(err2 != NULL, "out of memory");
    config_t cfg2;
    config_defaults(&cfg2);
    int rc2 = config_load_mem(&cfg2, NAME, text, size, err2, (int)small);
    CHECK(rc2 == rc, "returned %d, then %d", rc, rc2);
    size_t want = strlen(err) < small - 1 ? strlen(err) : small - 1;
    CHECK(strlen(err2) == want && strncmp(err2, err, want) == 0,
          "short error \"%s\" is not a prefix of \"%s\"", err2, err);
    if (rc == 0)
        CHECK(memcmp(&cfg, &cfg2, sizeof cfg) == 0, "two parses differ");
    free(err2);

    /* And with no error buffer at all. */
    config_defaults(&cfg2);
    CHECK(config_load_mem(&cfg2, NAME, text, size, NULL, 0) == rc, "result without err");
    return 0;
}
