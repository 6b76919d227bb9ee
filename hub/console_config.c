/* hub.ini [console]: the console's settings (hub/hub.ini documents them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_api.h"
#include "console_preview.h"

/* VALUE as a whole number from MIN to MAX into *OUT. */
static int number(const char *value, long min, long max, int *out)
{
    char *end;
    long v = strtol(value, &end, 10);
    if (!*value || *end || v < min || v > max) return 0;
    *out = (int)v;
    return 1;
}

int console_ini(hub_config_t *cfg, const char *key, const char *value, char *err, size_t errlen)
{
    int ok = 0;
    if (!strcmp(key, "dir")) {
        ok = value[0] && snprintf(cfg->console_dir, sizeof cfg->console_dir, "%s", value) < (int)sizeof cfg->console_dir;
    } else if (!strcmp(key, "idle_minutes")) {
        char *end;
        long v = strtol(value, &end, 10);
        ok = *value && !*end && v >= 1 && v <= 24 * 60;
        if (ok) cfg->console_idle_min = (int)v;
    } else if (!strcmp(key, "secure_cookie")) {
        ok = !strcmp(value, "true") || !strcmp(value, "false");
        cfg->console_secure_cookie = !strcmp(value, "true");
    } else if (!strcmp(key, "signer")) {
        ok = value[0] == '/' && snprintf(cfg->console_signer, sizeof cfg->console_signer, "%s", value) <
                                    (int)sizeof cfg->console_signer;
    } else if (!strcmp(key, "trust_proxy")) {
        ok = !strcmp(value, "true") || !strcmp(value, "false");
        cfg->console_trust_proxy = !strcmp(value, "true");
    } else if (!strcmp(key, "preview_kiosk")) {
        ok = snprintf(cfg->console_preview_kiosk, sizeof cfg->console_preview_kiosk, "%s", value) <
                 (int)sizeof cfg->console_preview_kiosk;
    } else if (!strcmp(key, "preview_config")) {
        ok = snprintf(cfg->console_preview_config, sizeof cfg->console_preview_config, "%s", value) <
             (int)sizeof cfg->console_preview_config;
    } else if (!strcmp(key, "preview_sizes")) {
        int w[CONSOLE_PREVIEW_SIZES_MAX], h[CONSOLE_PREVIEW_SIZES_MAX];
        ok = console_preview_sizes(value, w, h) > 0 &&
             snprintf(cfg->console_preview_sizes, sizeof cfg->console_preview_sizes, "%s", value) <
                 (int)sizeof cfg->console_preview_sizes;
    } else if (!strcmp(key, "preview_max")) {
        ok = number(value, 1, 16, &cfg->console_preview_max);
    } else if (!strcmp(key, "preview_timeout")) {
        ok = number(value, 1, 300, &cfg->console_preview_timeout_s);
    } else {
        snprintf(err, errlen, "[console] %s: unknown key", key);
        return 0;
    }
    if (!ok) snprintf(err, errlen, "[console] %s: bad value \"%s\"", key, value);
    return ok;
}
