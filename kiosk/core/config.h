/* kiosk.ini: the one configuration file of a kiosk, read with inih.
 * Every key has a default (config_defaults); the shipped kiosk.ini documents
 * each key with that default. */
#ifndef KIOSK_CONFIG_H
#define KIOSK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_STR 256

typedef enum { MODE_HALL, MODE_STREET } kiosk_mode_t;
typedef enum { THEME_STANDARD, THEME_ELDER, THEME_CONTRAST, THEME_COUNT } theme_id_t;
typedef enum { SPEECH_OFF, SPEECH_ELDER, SPEECH_ON } speech_default_t;
/* Who may hear the voice: the hall (loudspeaker), the resident alone
 * (headphones), or whichever the headphone jack says now (auto). */
typedef enum { OUTPUT_LOUDSPEAKER, OUTPUT_HEADPHONES, OUTPUT_AUTO } audio_output_t;
typedef enum { RENDERER_AUTO, RENDERER_SOFTWARE, RENDERER_ACCELERATED } renderer_kind_t;

typedef struct {
    /* [kiosk] */
    kiosk_mode_t mode;              /* mode = hall | street                 (hall)      */
    char kiosk_id[64];              /* kiosk_id = text, shown on receipts   (demo-01)   */
    char location[CONFIG_STR];      /* location = text, shown in help       ("")        */
    char help_contact[CONFIG_STR];  /* help_contact = text: the office, shown in help ("") */
    char var_dir[CONFIG_STR];       /* var_dir = path, database and state   (var)       */
    char locale_dir[CONFIG_STR];    /* locale_dir = path to compiled .mo    (build/locale) */
    char assets_dir[CONFIG_STR];    /* assets_dir = path                    (assets)    */
    char log_level[16];             /* log_level = debug|info|warn|error    (info)      */
    /* [display] */
    int width, height;              /* width = 320..7680 (1920), height = 240..7680 (1080) */
    bool fullscreen;                /* fullscreen = bool                    (false)     */
    int rotation;                   /* rotation = 0|90|180|270              (0)         */
    renderer_kind_t renderer;       /* renderer = auto|software|accelerated (auto)      */
    char font[CONFIG_STR];          /* font = path to a TTF/TTC with CJK    (/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc) */
    int font_index;                 /* font_index = 0..63, face in a .ttc   (2 = SC)    */
    char diagonal[16];              /* diagonal = 3..120 inches, e.g. 10.1  (unset)     */
    int dpi;                        /* dpi = 40..1200 dots per inch, 0 = unset (0)      */
                                    /* diagonal and dpi: at most one of them */
    /* [ui] */
    char locale[16];                /* locale = zh_CN | en | any .po shipped (zh_CN)    */
    theme_id_t theme;               /* theme = standard | elder | contrast  (standard)  */
    /* [session] */
    int idle_timeout_s;             /* idle_timeout = 10..3600 seconds      (60)        */
    int warning_s;                  /* warning = 5..120 seconds of "Still there?" (20)  */
    int attract_interval_s;         /* attract_interval = 2..600 seconds per notice (8) */
    /* [staff] */
    bool lockdown;                  /* lockdown = bool                      (false)     */
    char staff_pin_hash[CONFIG_STR];/* pin_hash = libsodium crypto_pwhash_str ("": staff menu needs no PIN only when lockdown = false) */
    int pin_max_tries;              /* pin_max_tries = 1..20                (5)         */
    int pin_lock_s;                 /* pin_lock = 10..86400 seconds         (300)       */
    /* [hub] */
    char hub_url[CONFIG_STR];       /* url = http(s)://host:port            (http://127.0.0.1:8470) */
    char device_token[CONFIG_STR];  /* token = text                         ("")        */
    int hub_timeout_s;              /* timeout = 1..120 seconds             (10)        */
    bool hub_allow_http;            /* allow_http = bool: plain http:// to a host other than loopback (false) */
    char hub_ca_file[CONFIG_STR];   /* ca_file = path: trust only this CA for the hub ("": the system's) */
    /* [payment] */
    int pay_poll_ms;                /* poll_interval = 200..10000 ms        (2000)      */
    int pay_qr_window_s;            /* qr_window = 5..900 seconds           (180)       */
    int pay_code_window_s;          /* code_window = 2..300 seconds         (60)        */
    /* [outbox] */
    char outbox_key_file[CONFIG_STR];/* key_file = path to the 32-byte secretbox key (var/outbox.key) */
    int outbox_retry_max_s;         /* retry_max = 5..3600 seconds          (300)       */
    /* [content] */
    char content_public_key[CONFIG_STR]; /* public_key = 64 hex digits, Ed25519 ("": no sync) */
    int content_poll_s;             /* poll_interval = 10..86400 seconds    (300)       */
    char content_group[64];         /* group = text, this kiosk's group     ("")        */
    /* [telemetry] */
    int heartbeat_s;                /* heartbeat = 10..3600 seconds         (60)        */
    /* [voice] */
    bool voice_enabled;             /* enabled = bool: open audio at all    (true)      */
    speech_default_t speech;        /* speech = off | elder | on: spoken guidance at session start (elder) */
    int voice_volume;               /* volume = 0..10 at session start      (6)         */
    int voice_rate;                 /* rate = 80..450 words per minute      (150)       */
    audio_output_t voice_output;    /* output = auto | loudspeaker (speaker) | headphones (auto) */
    char voice_jack[128];           /* jack = auto | alsa:CARD | evdev:PATH, read when output = auto (auto) */
    char quiet_hours[16];           /* quiet_hours = HH:MM-HH:MM, no sound unless asked ("") */
    /* [keypad]: SDL key names (SDL_GetKeyFromName), checked at start-up by app/keypad.c */
    char key_up[32], key_down[32], key_left[32], key_right[32];   /* Up, Down, Left, Right */
    char key_enter[32], key_back[32], key_help[32], key_repeat[32]; /* Keypad Enter, Backspace, F1, F2 */
    char key_volume_up[32], key_volume_down[32], key_voice[32];   /* Keypad +, Keypad -, F3 */
    char key_explore[32];                                         /* F4 */
    /* [devices]: device URIs, used by the driver issues; "" = absent */
    char idcard_uri[CONFIG_STR];    /* idcard = serial:/dev/ttyUSB0?baud=115200 */
    char scanner_uri[CONFIG_STR];   /* scanner = evdev:/dev/input/by-id/... */
    char camera_uri[CONFIG_STR];    /* camera = v4l2:/dev/video0 | image:/path */
    char printer_uri[CONFIG_STR];   /* printer = tcp://host:9100 | usb:/dev/usb/lp0 | file:/path */
    /* [debug]: for tests and diagnosis; off by default */
    char debug_screen_text[CONFIG_STR]; /* screen_text = path of the screen's words (app/screen_text.h) ("") */
} config_t;

/* Fills every field with its default. */
void config_defaults(config_t *cfg);

/* Reads PATH over the defaults already in CFG. Returns 0 on success.
 * On error returns -1 and writes one line "PATH:LINE: KEY: WHY" (or
 * "PATH: cannot open: strerror", "PATH: cannot read: WHY", e.g. for a file
 * over 1 MiB) into ERR (size ERRLEN; may be NULL if ERRLEN is 0; cut short
 * to fit, always NUL-terminated; "" on success); CFG may then hold a mix of
 * values and must not be used. Unknown sections and keys are errors. */
int config_load(config_t *cfg, const char *path, char *err, int errlen);

/* Same as config_load, for the LEN bytes of kiosk.ini text at DATA (not
 * NUL-terminated; DATA may be NULL if LEN is 0). NAME stands for the path in
 * error messages: "NAME:LINE: KEY: WHY". config_load reads the file and
 * calls this. */
int config_load_mem(config_t *cfg, const char *name, const char *data, size_t len,
                    char *err, int errlen);

/* Rules between keys, checked after a file is read (config_load names the
 * line of the offending key) and after the overrides (main): plain http://
 * to a hub other than this machine only with hub.allow_http = true. Returns
 * 0, or -1 with "KEY: why" in ERR. */
int config_check(const config_t *cfg, char *err, int errlen);
/* 1 if URL's host (http:// or https://) is this machine: 127.0.0.0/8,
 * "localhost" or [::1]. */
int config_url_is_loopback(const char *url);

/* Applies one "section.key=value" override (used by --set on the command line
 * and by tests). Same validation and error format, with "--set" as the path. */
int config_set(config_t *cfg, const char *section, const char *key,
               const char *value, char *err, int errlen);

/* The key table, one place for every key: the documentation and the tests
 * walk it so that no key goes undocumented or untested. config_key gives
 * key I (0, 1, ... in table order) and its section, or NULL past the end.
 * config_format writes SECTION.KEY of CFG as kiosk.ini spells it (a word for
 * a mode, theme, renderer or bool; digits for a number) into OUT; 0, or -1
 * for an unknown key or a value that does not fit. */
const char *config_key(int i, const char **section);
int config_format(const config_t *cfg, const char *section, const char *key, char *out,
                  size_t len);

/* Reads quiet hours "HH:MM-HH:MM" into minutes after midnight (FROM may be
 * after TO: the hours cross midnight). 0, or -1 when malformed or empty. */
int config_quiet_hours(const char *value, int *from_min, int *to_min);

const char *config_theme_name(theme_id_t t);
int config_theme_parse(const char *s, theme_id_t *out);   /* 0 ok, -1 unknown */

#endif
