/* hub.ini [console]: the console's settings (hub/hub.ini documents them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_api.h"

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
    } else {
        snprintf(err, errlen, "[console] %s: unknown key", key);
        return 0;
    }
    if (!ok) snprintf(err, errlen, "[console] %s: bad value \"%s\"", key, value);
    return ok;
}
