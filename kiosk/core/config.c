#include "core/config.h"

#include <sodium.h>
#include "core/log.h"
#include "../../common/paths.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <strings.h>

#if INI_HANDLER_LINENO
#error "config.c expects inih built with the default INI_HANDLER_LINENO=0"
#endif

/* Longest line of kiosk.ini, without its line ending. Long enough for any
 * key with a CONFIG_STR value and a comment after it. */
#define LINE_MAX_BYTES 1024
/* WHY, then "KEY: WHY" before the "PATH:LINE: " prefix is added; longer
 * messages are cut short. */
#define WHY_MAX 1280
#define MSG_MAX 1536
/* Largest kiosk.ini config_load reads (a thousand lines of the longest kind). */
#define FILE_MAX_BYTES (1u << 20)
#define FILE_MAX_TEXT "1 MiB"

_Static_assert(sizeof(kiosk_mode_t) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(theme_id_t) == sizeof(int), "enum fields are stored as int");
_Static_assert(sizeof(renderer_kind_t) == sizeof(int), "enum fields are stored as int");

/* ---- allowed words ------------------------------------------------------- */

static const char *const mode_words[] = {"hall", "street", NULL};
static const char *const theme_words[] = {"standard", "elder", "contrast", NULL};
static const char *const renderer_words[] = {"auto", "software", "accelerated", NULL};
static const char *const rotation_words[] = {"0", "90", "180", "270", NULL};
static const int rotation_values[] = {0, 90, 180, 270};
static const char *const speech_words[] = {"off", "elder", "on", NULL};
/* "speaker" is "loudspeaker" by its short name; auto follows the jack. */
static const char *const output_words[] = {"auto", "loudspeaker", "speaker", "headphones", NULL};
static const int output_values[] = {OUTPUT_AUTO, OUTPUT_LOUDSPEAKER, OUTPUT_LOUDSPEAKER, OUTPUT_HEADPHONES};
static const char *const log_level_words[] = {"debug", "info", "warn", "error", NULL};
static const char *const device_schemes[] = {
    "serial:", "tcp://", "file:", "usb:", "evdev:", "v4l2:", "image:", NULL};

_Static_assert(sizeof mode_words / sizeof *mode_words == MODE_STREET + 2, "mode words");
_Static_assert(sizeof theme_words / sizeof *theme_words == THEME_COUNT + 1, "theme words");
_Static_assert(sizeof renderer_words / sizeof *renderer_words == RENDERER_ACCELERATED + 2,
               "renderer words");

static const char *const section_names[] = {
    "kiosk", "display", "ui", "session", "staff", "hub", "payment", "outbox", "content",
    "telemetry", "voice", "keypad", "devices", "debug", NULL};

/* ---- key table ----------------------------------------------------------- */

typedef enum {
    V_INT,      /* int in [min, max] */
    V_BOOL,     /* bool */
    V_ENUM,     /* int-sized field; stores values[i] (or i) of the matching word */
    V_WORD,     /* char[]; stores the matching word itself */
    V_STR,      /* char[]; any text that fits, then check() if set */
} value_type_t;

/* Extra rule for a V_STR value. Returns 0 if VALUE is acceptable, else -1
 * with the reason (no key) in WHY. */
typedef int (*str_check_fn)(const char *value, char *why, size_t whylen);

typedef struct {
    const char *section, *key;
    value_type_t type;
    size_t offset, size;          /* the field in config_t */
    int min, max;                 /* V_INT */
    const char *const *words;     /* V_ENUM, V_WORD: NULL-terminated */
    const int *values;            /* V_ENUM: value per word; NULL = word index */
    str_check_fn check;           /* V_STR: NULL = any text */
} key_spec_t;

static int check_not_empty(const char *value, char *why, size_t whylen);
static int check_url(const char *value, char *why, size_t whylen);
static int check_device(const char *value, char *why, size_t whylen);
static int check_locale(const char *value, char *why, size_t whylen);
static int check_pin_hash(const char *value, char *why, size_t whylen);
static int check_public_key(const char *value, char *why, size_t whylen);
static int check_quiet_hours(const char *value, char *why, size_t whylen);
static int check_diagonal(const char *value, char *why, size_t whylen);
static int check_jack(const char *value, char *why, size_t whylen);

#define FIELD(f) offsetof(config_t, f), sizeof(((config_t *)0)->f)
#define INT(s, k, f, lo, hi)  {s, k, V_INT, FIELD(f), lo, hi, NULL, NULL, NULL}
#define BOOL(s, k, f)         {s, k, V_BOOL, FIELD(f), 0, 0, NULL, NULL, NULL}
#define ENUM(s, k, f, w, v)   {s, k, V_ENUM, FIELD(f), 0, 0, w, v, NULL}
#define WORD(s, k, f, w)      {s, k, V_WORD, FIELD(f), 0, 0, w, NULL, NULL}
#define STR(s, k, f, chk)     {s, k, V_STR, FIELD(f), 0, 0, NULL, NULL, chk}

static const key_spec_t keys[] = {
    ENUM("kiosk", "mode", mode, mode_words, NULL),
    STR("kiosk", "kiosk_id", kiosk_id, check_not_empty),
    STR("kiosk", "location", location, NULL),
    STR("kiosk", "help_contact", help_contact, NULL),
    STR("kiosk", "var_dir", var_dir, check_not_empty),
    STR("kiosk", "locale_dir", locale_dir, check_not_empty),
    STR("kiosk", "assets_dir", assets_dir, check_not_empty),
    WORD("kiosk", "log_level", log_level, log_level_words),
    INT("display", "width", width, 320, 7680),
    INT("display", "height", height, 240, 7680),
    BOOL("display", "fullscreen", fullscreen),
    ENUM("display", "rotation", rotation, rotation_words, rotation_values),
    ENUM("display", "renderer", renderer, renderer_words, NULL),
    STR("display", "font", font, check_not_empty),
    INT("display", "font_index", font_index, 0, 63),
    STR("display", "diagonal", diagonal, check_diagonal),
    INT("display", "dpi", dpi, 0, 1200),
    STR("ui", "locale", locale, check_locale),
    ENUM("ui", "theme", theme, theme_words, NULL),
    INT("session", "idle_timeout", idle_timeout_s, 10, 3600),
    INT("session", "warning", warning_s, 5, 120),
    INT("session", "attract_interval", attract_interval_s, 2, 600),
    BOOL("staff", "lockdown", lockdown),
    STR("staff", "pin_hash", staff_pin_hash, check_pin_hash),
    INT("staff", "pin_max_tries", pin_max_tries, 1, 20),
    INT("staff", "pin_lock", pin_lock_s, 10, 86400),
    STR("hub", "url", hub_url, check_url),
    STR("hub", "token", device_token, NULL),
    INT("hub", "timeout", hub_timeout_s, 1, 120),
    BOOL("hub", "allow_http", hub_allow_http),
    STR("hub", "ca_file", hub_ca_file, NULL),
    INT("payment", "poll_interval", pay_poll_ms, 200, 10000),
    INT("payment", "qr_window", pay_qr_window_s, 5, 900),
    INT("payment", "code_window", pay_code_window_s, 2, 300),
    STR("outbox", "key_file", outbox_key_file, check_not_empty),
    INT("outbox", "retry_max", outbox_retry_max_s, 5, 3600),
    STR("content", "public_key", content_public_key, check_public_key),
    INT("content", "poll_interval", content_poll_s, 10, 86400),
    STR("content", "group", content_group, NULL),
    INT("telemetry", "heartbeat", heartbeat_s, 10, 3600),
    BOOL("voice", "enabled", voice_enabled),
    ENUM("voice", "speech", speech, speech_words, NULL),
    INT("voice", "volume", voice_volume, 0, 10),
    INT("voice", "rate", voice_rate, 80, 450),
    ENUM("voice", "output", voice_output, output_words, output_values),
    STR("voice", "jack", voice_jack, check_jack),
    STR("voice", "quiet_hours", quiet_hours, check_quiet_hours),
    STR("keypad", "up", key_up, check_not_empty),
    STR("keypad", "down", key_down, check_not_empty),
    STR("keypad", "left", key_left, check_not_empty),
    STR("keypad", "right", key_right, check_not_empty),
    STR("keypad", "enter", key_enter, check_not_empty),
    STR("keypad", "back", key_back, check_not_empty),
    STR("keypad", "help", key_help, check_not_empty),
    STR("keypad", "repeat", key_repeat, check_not_empty),
    STR("keypad", "volume_up", key_volume_up, check_not_empty),
    STR("keypad", "volume_down", key_volume_down, check_not_empty),
    STR("keypad", "voice", key_voice, check_not_empty),
    STR("keypad", "explore", key_explore, check_not_empty),
    STR("devices", "idcard", idcard_uri, check_device),
    STR("devices", "scanner", scanner_uri, check_device),
    STR("devices", "camera", camera_uri, check_device),
    STR("devices", "printer", printer_uri, check_device),
    STR("debug", "screen_text", debug_screen_text, NULL),
};

#define KEY_COUNT (sizeof keys / sizeof keys[0])

/* ---- defaults ------------------------------------------------------------ */

static void set_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

void config_defaults(config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->mode = MODE_HALL;
    set_text(cfg->kiosk_id, sizeof cfg->kiosk_id, "demo-01");
    set_text(cfg->location, sizeof cfg->location, "");
    /* Where the files are: the source tree's or the installed layout (paths.h). */
    set_text(cfg->var_dir, sizeof cfg->var_dir, paths.kiosk_state);
    set_text(cfg->locale_dir, sizeof cfg->locale_dir, paths.kiosk_locale);
    set_text(cfg->assets_dir, sizeof cfg->assets_dir, paths.kiosk_assets);
    set_text(cfg->log_level, sizeof cfg->log_level, "info");
    cfg->width = 1920;
    cfg->height = 1080;
    cfg->fullscreen = false;
    cfg->rotation = 0;
    cfg->renderer = RENDERER_AUTO;
    set_text(cfg->font, sizeof cfg->font,
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    cfg->font_index = 2;
    set_text(cfg->locale, sizeof cfg->locale, "zh_CN");
    cfg->theme = THEME_STANDARD;
    cfg->idle_timeout_s = 60;
    cfg->warning_s = 20;
    cfg->attract_interval_s = 8;
    cfg->lockdown = false;
    set_text(cfg->staff_pin_hash, sizeof cfg->staff_pin_hash, "");
    cfg->pin_max_tries = 5;
    cfg->pin_lock_s = 300;
    set_text(cfg->hub_url, sizeof cfg->hub_url, "http://127.0.0.1:8470");
    set_text(cfg->device_token, sizeof cfg->device_token, "");
    cfg->hub_timeout_s = 10;
    cfg->pay_poll_ms = 2000;
    cfg->pay_qr_window_s = 180;
    cfg->pay_code_window_s = 60;
    snprintf(cfg->outbox_key_file, sizeof cfg->outbox_key_file, "%s/outbox.key", paths.kiosk_state);
    cfg->outbox_retry_max_s = 300;
    set_text(cfg->content_public_key, sizeof cfg->content_public_key, "");
    cfg->content_poll_s = 300;
    set_text(cfg->content_group, sizeof cfg->content_group, "");
    cfg->heartbeat_s = 60;
    cfg->voice_enabled = true;
    cfg->speech = SPEECH_ELDER;
    cfg->voice_volume = 6;
    cfg->voice_rate = 150;
    cfg->voice_output = OUTPUT_AUTO;
    set_text(cfg->voice_jack, sizeof cfg->voice_jack, "auto");
    set_text(cfg->quiet_hours, sizeof cfg->quiet_hours, "");
    set_text(cfg->key_up, sizeof cfg->key_up, "Up");
    set_text(cfg->key_down, sizeof cfg->key_down, "Down");
    set_text(cfg->key_left, sizeof cfg->key_left, "Left");
    set_text(cfg->key_right, sizeof cfg->key_right, "Right");
    set_text(cfg->key_enter, sizeof cfg->key_enter, "Keypad Enter");
    set_text(cfg->key_back, sizeof cfg->key_back, "Backspace");
    set_text(cfg->key_help, sizeof cfg->key_help, "F1");
    set_text(cfg->key_repeat, sizeof cfg->key_repeat, "F2");
    set_text(cfg->key_volume_up, sizeof cfg->key_volume_up, "Keypad +");
    set_text(cfg->key_volume_down, sizeof cfg->key_volume_down, "Keypad -");
    set_text(cfg->key_voice, sizeof cfg->key_voice, "F3");
    set_text(cfg->key_explore, sizeof cfg->key_explore, "F4");
    set_text(cfg->debug_screen_text, sizeof cfg->debug_screen_text, "");
}

int config_quiet_hours(const char *value, int *from_min, int *to_min)
{
    int h1, m1, h2, m2, n = 0;
    if (sscanf(value, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || value[n] != '\0' ||
        h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
        return -1;
    *from_min = h1 * 60 + m1;
    *to_min = h2 * 60 + m2;
    return *from_min == *to_min ? -1 : 0;
}

static int check_quiet_hours(const char *value, char *why, size_t whylen)
{
    int a, b;
    if (!value[0] || config_quiet_hours(value, &a, &b) == 0)
        return 0;
    snprintf(why, whylen, "want HH:MM-HH:MM (two different times, e.g. 22:00-07:00) or nothing");
    return -1;
}

/* ---- value checks -------------------------------------------------------- */

/* [voice] jack: where the headphone jack is read (drivers/jack/jack.h). */
static int check_jack(const char *value, char *why, size_t whylen)
{
    if (!strcmp(value, "auto") || (!strncmp(value, "alsa:", 5) && value[5]) ||
        (!strncmp(value, "evdev:/", 7) && value[7]))
        return 0;
    snprintf(why, whylen, "want auto, alsa:CARD (alsa:hw:0, alsa:0) or evdev:/dev/input/eventN, got \"%s\"",
             value);
    return -1;
}

/* Index of S in the NULL-terminated WORDS (case-insensitive), or -1. */
static int word_index(const char *const *words, const char *s)
{
    for (int i = 0; words[i]; i++)
        if (strcasecmp(words[i], s) == 0)
            return i;
    return -1;
}

/* Writes "a, b, c" for the NULL-terminated WORDS into BUF. */
static void join_words(const char *const *words, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; words[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", words[i]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

/* A panel diagonal in inches: a plain decimal number from 3 to 120
 * ("10.1", "21.5", "32"), or empty for not set. */
static int check_diagonal(const char *value, char *why, size_t whylen)
{
    if (!value[0])
        return 0;
    char *end = NULL;
    errno = 0;
    double d = strtod(value, &end);
    bool plain = end != value && *end == '\0' && errno == 0 &&
                 strspn(value, "0123456789.") == strlen(value);
    if (!plain || !(d >= 3.0 && d <= 120.0)) {
        snprintf(why, whylen, "'%s' is not a panel diagonal in inches from 3 to 120 (e.g. 10.1)",
                 value);
        return -1;
    }
    return 0;
}

static int check_not_empty(const char *value, char *why, size_t whylen)
{
    if (value[0] != '\0')
        return 0;
    snprintf(why, whylen, "must not be empty");
    return -1;
}

static bool has_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return true;
    return false;
}

static int check_url(const char *value, char *why, size_t whylen)
{
    const char *host = NULL;
    if (strncmp(value, "http://", 7) == 0)
        host = value + 7;
    else if (strncmp(value, "https://", 8) == 0)
        host = value + 8;
    if (host && host[0] != '\0' && host[0] != '/' && !has_space(value))
        return 0;
    snprintf(why, whylen,
             "must start with http:// or https:// followed by a host, got \"%s\"", value);
    return -1;
}

static int check_device(const char *value, char *why, size_t whylen)
{
    if (value[0] == '\0')
        return 0;
    for (int i = 0; device_schemes[i]; i++) {
        size_t n = strlen(device_schemes[i]);
        if (strncmp(value, device_schemes[i], n) == 0 && value[n] != '\0')
            return 0;
    }
    snprintf(why, whylen,
             "must be empty or start with serial:, tcp://, file:, usb:, evdev:, "
             "v4l2: or image: followed by a path or address, got \"%s\"", value);
    return -1;
}

static int check_locale(const char *value, char *why, size_t whylen)
{
    bool ok = (value[0] >= 'a' && value[0] <= 'z') || (value[0] >= 'A' && value[0] <= 'Z');
    for (const char *p = value; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
    if (ok)
        return 0;
    snprintf(why, whylen,
             "must be letters and underscores only, like zh_CN or en, got \"%s\"", value);
    return -1;
}

/* The value is a secret (or a PIN typed by mistake): never echoed. */
static int check_pin_hash(const char *value, char *why, size_t whylen)
{
    /* needs_rehash answers -1 only for a string that is not a libsodium
     * password hash at all: a truncated paste is caught here, at start-up,
     * rather than as a PIN that never matches. */
    if (value[0] == '\0' ||
        (strncmp(value, "$argon2", 7) == 0 &&
         crypto_pwhash_str_needs_rehash(value, crypto_pwhash_OPSLIMIT_MIN,
                                        crypto_pwhash_MEMLIMIT_MIN) != -1))
        return 0;
    snprintf(why, whylen,
             "must be empty or a line printed by \"build/kiosk --hash-pin\" "
             "(it starts with $argon2)");
    return -1;
}

/* ---- parsing one value --------------------------------------------------- */

static int parse_int(const key_spec_t *k, const char *value, int *out, char *why,
                     size_t whylen)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    bool digits = value[0] == '-' || value[0] == '+' || (value[0] >= '0' && value[0] <= '9');
    if (digits && end != value && *end == '\0' && errno == 0 && v >= k->min && v <= k->max) {
        *out = (int)v;
        return 0;
    }
    snprintf(why, whylen, "must be a whole number from %d to %d, got \"%s\"",
             k->min, k->max, value);
    return -1;
}

static int parse_bool(const char *value, bool *out, char *why, size_t whylen)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL};
    static const char *const no[] = {"false", "no", "off", "0", NULL};
    if (word_index(yes, value) >= 0) {
        *out = true;
        return 0;
    }
    if (word_index(no, value) >= 0) {
        *out = false;
        return 0;
    }
    snprintf(why, whylen,
             "must be true or false (or yes/no, on/off, 1/0), got \"%s\"", value);
    return -1;
}

static int parse_word(const key_spec_t *k, const char *value, int *index, char *why,
                      size_t whylen)
{
    *index = word_index(k->words, value);
    if (*index >= 0)
        return 0;
    char list[256];
    join_words(k->words, list, sizeof list);
    snprintf(why, whylen, "must be one of %s, got \"%s\"", list, value);
    return -1;
}

static int parse_str(const key_spec_t *k, const char *value, char *why, size_t whylen)
{
    if (strlen(value) >= k->size) {
        snprintf(why, whylen, "too long (max %zu bytes)", k->size - 1);
        return -1;
    }
    return k->check ? k->check(value, why, whylen) : 0;
}

/* Validates VALUE for K and stores it in CFG. Returns 0, or -1 with the
 * reason (no key) in WHY and CFG untouched. */
static int store_value(config_t *cfg, const key_spec_t *k, const char *value, char *why,
                       size_t whylen)
{
    char *field = (char *)cfg + k->offset;
    int n, i;
    bool b;
    switch (k->type) {
    case V_INT:
        if (parse_int(k, value, &n, why, whylen) != 0)
            return -1;
        memcpy(field, &n, sizeof n);
        return 0;
    case V_BOOL:
        if (parse_bool(value, &b, why, whylen) != 0)
            return -1;
        memcpy(field, &b, sizeof b);
        return 0;
    case V_ENUM:
        if (parse_word(k, value, &i, why, whylen) != 0)
            return -1;
        n = k->values ? k->values[i] : i;
        memcpy(field, &n, sizeof n);
        return 0;
    case V_WORD:
        if (parse_word(k, value, &i, why, whylen) != 0)
            return -1;
        set_text(field, k->size, k->words[i]);
        return 0;
    case V_STR:
        if (parse_str(k, value, why, whylen) != 0)
            return -1;
        set_text(field, k->size, value);
        return 0;
    }
    snprintf(why, whylen, "internal error: bad key type");
    return -1;
}

static const key_spec_t *find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].key, key) == 0)
            return &keys[i];
    return NULL;
}

const char *config_key(int i, const char **section)
{
    if (i < 0 || (size_t)i >= KEY_COUNT) return NULL;
    if (section) *section = keys[i].section;
    return keys[i].key;
}

int config_format(const config_t *cfg, const char *section, const char *key, char *out,
                  size_t len)
{
    const key_spec_t *k = find_key(section, key);
    if (!k || len == 0) return -1;
    const char *field = (const char *)cfg + k->offset;
    int n = -1;
    switch (k->type) {
    case V_INT:
        n = snprintf(out, len, "%d", *(const int *)(const void *)field);
        break;
    case V_BOOL:
        n = snprintf(out, len, "%s", *(const bool *)(const void *)field ? "true" : "false");
        break;
    case V_ENUM: {
        int v = *(const int *)(const void *)field;
        for (int i = 0; k->words[i]; i++)
            if (n < 0 && (k->values ? k->values[i] : i) == v) n = snprintf(out, len, "%s", k->words[i]);
        break;
    }
    case V_WORD:
    case V_STR:
        n = snprintf(out, len, "%.*s", (int)strnlen(field, k->size), field);
        break;
    }
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

static bool known_section(const char *section)
{
    for (int i = 0; section_names[i]; i++)
        if (strcmp(section_names[i], section) == 0)
            return true;
    return false;
}

/* Applies SECTION.KEY = VALUE. Returns 0, or -1 with "KEY: WHY" (or
 * "[SECTION]: WHY") in MSG. */
static int apply(config_t *cfg, const char *section, const char *key, const char *value,
                 char *msg, size_t msglen)
{
    char why[WHY_MAX];
    if (key[0] == '\0') {
        snprintf(msg, msglen, "missing key name before \"=\"");
        return -1;
    }
    if (section[0] == '\0') {
        snprintf(msg, msglen, "%s: key outside any section (put it under a [section] line)",
                 key);
        return -1;
    }
    if (!known_section(section)) {
        snprintf(msg, msglen, "[%s]: unknown section", section);
        return -1;
    }
    const key_spec_t *k = find_key(section, key);
    if (!k) {
        snprintf(msg, msglen, "%s: unknown key in [%s]", key, section);
        return -1;
    }
    if (store_value(cfg, k, value, why, sizeof why) != 0) {
        snprintf(msg, msglen, "%s: %s", key, why);
        return -1;
    }
    return 0;
}

/* ---- reading a file ------------------------------------------------------ */

/* State shared by the line reader and the inih handler of one parse. */
typedef struct {
    config_t *cfg;
    const char *path;      /* name used in error messages */
    const char *data;      /* the text being parsed (not NUL-terminated) */
    size_t len;            /* its size in bytes */
    size_t pos;            /* start of the next line in data */
    int lineno;            /* line last handed to inih */
    int set_on[KEY_COUNT]; /* line where each key was last set, 0 = not yet */
    bool failed;
    char *err;
    int errlen;
} load_ctx_t;

static void write_err(char *err, int errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void write_err(char *err, int errlen, const char *fmt, ...)
{
    if (!err || errlen <= 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)errlen, fmt, ap);
    va_end(ap);
}

/* Records the first error, as "PATH:LINE: MSG". Later ones are dropped. */
static void fail_at_line(load_ctx_t *ctx, const char *msg)
{
    if (ctx->failed)
        return;
    ctx->failed = true;
    write_err(ctx->err, ctx->errlen, "%s:%d: %s", ctx->path, ctx->lineno, msg);
}

/* inih's rule: first of CHARS, or of an inline ';' comment that follows a
 * space, or the end of S. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
    bool was_space = false;
    while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
        was_space = isspace((unsigned char)*s);
        s++;
    }
    return s;
}

/* Checks the syntax of one line (no line ending) the way inih will read it,
 * and that a [section] line names a known section. Returns 0 or -1 with the
 * reason in MSG. */
static int check_line(const char *line, char *msg, size_t msglen)
{
    const char *s = line;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0' || *s == ';' || *s == '#')
        return 0;
    if (*s == '[') {
        const char *end = find_chars_or_comment(s + 1, "]");
        int n = (int)(end - (s + 1));
        if (*end != ']') {
            snprintf(msg, msglen, "[%.*s: missing \"]\" after the section name", n, s + 1);
            return -1;
        }
        char name[64];
        snprintf(name, sizeof name, "%.*s", n, s + 1);
        if ((size_t)n >= sizeof name || !known_section(name)) {
            snprintf(msg, msglen, "[%.*s]: unknown section", n, s + 1);
            return -1;
        }
        return 0;
    }
    /* Like inih, stop at an inline " ;" comment: "a ;=b" has no "=". */
    const char *sep = find_chars_or_comment(s, "=:");
    if (*sep != '=' && *sep != ':') {
        snprintf(msg, msglen,
                 "expected \"key = value\", \"[section]\" or a comment, got \"%s\"", s);
        return -1;
    }
    return 0;
}

/* Length of the N bytes of LINE without their line ending ("\n", "\r\n"). */
static size_t chomp_len(const char *line, size_t n)
{
    if (n > 0 && line[n - 1] == '\n')
        n--;
    if (n > 0 && line[n - 1] == '\r')
        n--;
    return n;
}

/* ini_reader: hands inih one line at a time so ctx->lineno is the line the
 * handler is called for; ends the stream at the first error. */
static char *read_line(char *str, int num, void *stream)
{
    load_ctx_t *ctx = stream;
    char msg[MSG_MAX];
    if (ctx->failed || ctx->pos >= ctx->len)
        return NULL;
    const char *line = ctx->data + ctx->pos;
    size_t left = ctx->len - ctx->pos;
    const char *nl = memchr(line, '\n', left);
    size_t got = nl ? (size_t)(nl - line) + 1 : left;
    ctx->pos += got;
    ctx->lineno++;
    size_t n = chomp_len(line, got);
    if (memchr(line, '\0', n)) {
        fail_at_line(ctx, "contains a NUL byte (is this a text file?)");
        return NULL;
    }
    if (n > LINE_MAX_BYTES || n + 2 > (size_t)num) {
        snprintf(msg, sizeof msg, "line too long (max %d bytes)", LINE_MAX_BYTES);
        fail_at_line(ctx, msg);
        return NULL;
    }
    memcpy(str, line, n);
    str[n] = '\0';
    const char *text = str;
    if (ctx->lineno == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;   /* UTF-8 byte order mark, skipped by inih as well */
    if (check_line(text, msg, sizeof msg) != 0) {
        fail_at_line(ctx, msg);
        return NULL;
    }
    str[n] = '\n';
    str[n + 1] = '\0';
    return str;
}

static void note_duplicate(load_ctx_t *ctx, const char *section, const char *key)
{
    const key_spec_t *k = find_key(section, key);
    if (!k)
        return;
    size_t i = (size_t)(k - keys);
    if (ctx->set_on[i])
        log_warn("config", "%s:%d: %s: already set on line %d; the last value wins",
                 ctx->path, ctx->lineno, key, ctx->set_on[i]);
    ctx->set_on[i] = ctx->lineno;
}

/* ini_handler: applies one pair; returns nonzero on success as inih wants. */
static int on_pair(void *user, const char *section, const char *name, const char *value)
{
    load_ctx_t *ctx = user;
    char msg[MSG_MAX];
    if (ctx->failed)
        return 0;
    if (apply(ctx->cfg, section, name, value, msg, sizeof msg) != 0) {
        fail_at_line(ctx, msg);
        return 0;
    }
    note_duplicate(ctx, section, name);
    return 1;
}

/* inih options this module relies on; they are process-wide, so they are
 * set for one parse and put back afterwards. */
typedef struct {
    bool multiline, bom, inline_comments, use_stack, stop_on_first_error, no_value;
    char *start_prefixes, *inline_prefixes;
    int max_line;
} ini_options_t;

static void ini_options_save(ini_options_t *o)
{
    o->multiline = ini_allow_multiline;
    o->bom = ini_allow_bom;
    o->inline_comments = ini_allow_inline_comments;
    o->use_stack = ini_use_stack;
    o->stop_on_first_error = ini_stop_on_first_error;
    o->no_value = ini_allow_no_value;
    o->start_prefixes = ini_start_comment_prefixes;
    o->inline_prefixes = ini_inline_comment_prefixes;
    o->max_line = ini_max_line;
}

static void ini_options_restore(const ini_options_t *o)
{
    ini_allow_multiline = o->multiline;
    ini_allow_bom = o->bom;
    ini_allow_inline_comments = o->inline_comments;
    ini_use_stack = o->use_stack;
    ini_stop_on_first_error = o->stop_on_first_error;
    ini_allow_no_value = o->no_value;
    ini_start_comment_prefixes = o->start_prefixes;
    ini_inline_comment_prefixes = o->inline_prefixes;
    ini_max_line = o->max_line;
}

/* The dialect check_line() mirrors: ';' and '#' comments, inline " ;"
 * comments, no continuation lines, lines up to LINE_MAX_BYTES. */
static void ini_options_set_ours(void)
{
    static char start_prefixes[] = ";#";
    static char inline_prefixes[] = ";";
    ini_allow_multiline = false;
    ini_allow_bom = true;
    ini_allow_inline_comments = true;
    ini_use_stack = true;
    ini_stop_on_first_error = false;
    ini_allow_no_value = false;
    ini_start_comment_prefixes = start_prefixes;
    ini_inline_comment_prefixes = inline_prefixes;
    ini_max_line = LINE_MAX_BYTES + 3;
}

int config_url_is_loopback(const char *url)
{
    const char *h = !strncmp(url, "http://", 7) ? url + 7 : !strncmp(url, "https://", 8) ? url + 8 : NULL;
    if (!h) return 0;
    const char *at = strpbrk(h, "@/");               /* user@host: the host follows */
    if (at && *at == '@') h = at + 1;
    if (!strncmp(h, "[::1]", 5)) return h[5] == '\0' || h[5] == ':' || h[5] == '/';
    size_t n = strcspn(h, ":/?#");
    if (n == 9 && !strncasecmp(h, "localhost", 9)) return 1;
    /* 127.a.b.c, each part 0-255 */
    unsigned a, b, c, d;
    char tail = 0;
    char host[64];
    if (n == 0 || n >= sizeof host) return 0;
    memcpy(host, h, n);
    host[n] = '\0';
    if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return 0;
    return a == 127 && b < 256 && c < 256 && d < 256;
}

int config_check(const config_t *cfg, char *err, int errlen)
{
    if (!strncmp(cfg->hub_url, "http://", 7) && !cfg->hub_allow_http &&
        !config_url_is_loopback(cfg->hub_url)) {
        write_err(err, errlen, "url: plain http:// to a hub on another machine sends the kiosk's "
                  "token and residents' data in clear; use https://, or set allow_http = true "
                  "on a network you trust");
        return -1;
    }
    return 0;
}

int config_load_mem(config_t *cfg, const char *name, const char *data, size_t len,
                    char *err, int errlen)
{
    load_ctx_t ctx = {.cfg = cfg, .path = name, .data = data, .len = data ? len : 0,
                      .err = err, .errlen = errlen};
    write_err(err, errlen, "%s", "");
    ini_options_t saved;
    ini_options_save(&saved);
    ini_options_set_ours();
    int rc = ini_parse_stream(read_line, &ctx, on_pair, &ctx);
    ini_options_restore(&saved);
    if (ctx.failed)
        return -1;
    if (rc != 0) {   /* inih found an error check_line() did not foresee */
        ctx.lineno = rc > 0 ? rc : ctx.lineno;
        fail_at_line(&ctx, rc > 0 ? "syntax error" : "parser failed");
        return -1;
    }
    char msg[MSG_MAX];
    int diag = -1, dpi = -1;
    for (size_t i = 0; i < KEY_COUNT; i++) {
        if (!strcmp(keys[i].section, "display") && !strcmp(keys[i].key, "diagonal")) diag = (int)i;
        if (!strcmp(keys[i].section, "display") && !strcmp(keys[i].key, "dpi")) dpi = (int)i;
    }
    if (cfg->dpi > 0 && cfg->dpi < 40) {
        ctx.lineno = dpi >= 0 ? ctx.set_on[dpi] : 0;
        snprintf(msg, sizeof msg, "dpi: %d is not a panel's dots per inch; use 40 to 1200, "
                 "or 0 for not set", cfg->dpi);
        fail_at_line(&ctx, msg);
        return -1;
    }
    if (diag >= 0 && dpi >= 0 && cfg->diagonal[0] && cfg->dpi > 0) {
        /* Two sources for one size could disagree: named at the later line. */
        bool dpi_later = ctx.set_on[dpi] > ctx.set_on[diag];
        ctx.lineno = dpi_later ? ctx.set_on[dpi] : ctx.set_on[diag];
        snprintf(msg, sizeof msg, "%s: [display] diagonal (line %d) and dpi (line %d) both give "
                 "the panel's size; set only one of them", dpi_later ? "dpi" : "diagonal",
                 ctx.set_on[diag], ctx.set_on[dpi]);
        fail_at_line(&ctx, msg);
        return -1;
    }
    if (config_check(cfg, msg, sizeof msg) != 0) {
        /* Named at the line that set the URL (or allow_http, when later). */
        int url = -1, allow = -1;
        for (size_t i = 0; i < KEY_COUNT; i++) {
            if (!strcmp(keys[i].section, "hub") && !strcmp(keys[i].key, "url")) url = (int)i;
            if (!strcmp(keys[i].section, "hub") && !strcmp(keys[i].key, "allow_http")) allow = (int)i;
        }
        ctx.lineno = url >= 0 ? ctx.set_on[url] : 0;
        if (allow >= 0 && ctx.set_on[allow] > ctx.lineno) ctx.lineno = ctx.set_on[allow];
        fail_at_line(&ctx, msg);
        return -1;
    }
    return 0;
}

/* Reads PATH whole (at most FILE_MAX_BYTES) into a malloc'd buffer. Returns
 * 0 and fills *TEXT / *LEN, or -1 with "PATH: cannot open|read: WHY" in ERR. */
static int read_text_file(const char *path, char **text, size_t *len, char *err,
                          int errlen)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        write_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    const char *why = NULL;
    errno = 0;
    for (;;) {
        if (n == cap) {
            /* One byte more than allowed, to tell "too large" from "just fits". */
            size_t ncap = cap ? cap * 2 : 8192;
            if (ncap > FILE_MAX_BYTES + 1)
                ncap = FILE_MAX_BYTES + 1;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                why = "out of memory";
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (n > FILE_MAX_BYTES) {
            why = "larger than " FILE_MAX_TEXT;
            break;
        }
        if (n < cap) {          /* end of file, or an error */
            if (ferror(fp))
                why = strerror(errno ? errno : EIO);
            break;
        }
    }
    fclose(fp);
    if (why) {
        write_err(err, errlen, "%s: cannot read: %s", path, why);
        free(buf);
        return -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

int config_load(config_t *cfg, const char *path, char *err, int errlen)
{
    char *text = NULL;
    size_t len = 0;
    write_err(err, errlen, "%s", "");
    if (read_text_file(path, &text, &len, err, errlen) != 0)
        return -1;
    int rc = config_load_mem(cfg, path, text, len, err, errlen);
    free(text);
    return rc;
}

int config_set(config_t *cfg, const char *section, const char *key, const char *value,
               char *err, int errlen)
{
    char msg[MSG_MAX];
    if (!section || !key || !value) {
        write_err(err, errlen, "--set: expected section.key=value");
        return -1;
    }
    if (apply(cfg, section, key, value, msg, sizeof msg) != 0) {
        write_err(err, errlen, "--set: %s", msg);
        return -1;
    }
    write_err(err, errlen, "%s", "");
    return 0;
}

const char *config_theme_name(theme_id_t t)
{
    if ((int)t < 0 || t >= THEME_COUNT)
        return "unknown";
    return theme_words[t];
}

int config_theme_parse(const char *s, theme_id_t *out)
{
    int i = s ? word_index(theme_words, s) : -1;
    if (i < 0)
        return -1;
    *out = (theme_id_t)i;
    return 0;
}

/* An Ed25519 public key as 64 hex digits, or empty (no content sync). */
static int check_public_key(const char *value, char *why, size_t whylen)
{
    if (!*value) return 0;
    size_t n = strlen(value);
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)value[i])) n = 0;
    if (n != 64) {
        snprintf(why, whylen, "must be 64 hex digits (an Ed25519 public key), or empty");
        return -1;
    }
    return 0;
}
