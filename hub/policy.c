#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[RATE_CLASSES] = {"lookup", "payments", "content", "fleet"};
/* Look-ups of residents are far rarer than content reads: a kiosk serves one
 * person at a time, and each look-up is a resident's data. */
static const hub_rate_t rate_defaults[RATE_CLASSES] = {
    [RATE_LOOKUP] = {30, 30},
    [RATE_PAY] = {120, 30},
    [RATE_CONTENT] = {6000, 600},
    [RATE_FLEET] = {600, 60},
};

const char *policy_class_name(int rate_class)
{
    return rate_class >= 0 && rate_class < RATE_CLASSES ? class_names[rate_class] : "?";
}

void policy_defaults(hub_config_t *cfg)
{
    if (cfg->per_ip_connections <= 0) cfg->per_ip_connections = 64;
    if (cfg->header_timeout_s <= 0) cfg->header_timeout_s = 10;
    if (cfg->max_buffered <= 0) cfg->max_buffered = 64LL * 1024 * 1024;
    for (int i = 0; i < RATE_CLASSES; i++) {
        if (cfg->rate[i].per_minute <= 0) cfg->rate[i].per_minute = rate_defaults[i].per_minute;
        if (cfg->rate[i].burst <= 0) cfg->rate[i].burst = rate_defaults[i].burst;
    }
    if (cfg->miss_alert_count <= 0) cfg->miss_alert_count = 20;
    if (cfg->miss_alert_minutes <= 0) cfg->miss_alert_minutes = 10;
}

static int int_in(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* "lookup_per_minute" -> class and which half; -1 if not a rate key. */
static int rate_key(const char *key, int *cls, int *burst)
{
    for (int i = 0; i < RATE_CLASSES; i++) {
        size_t n = strlen(class_names[i]);
        if (strncmp(key, class_names[i], n) != 0 || key[n] != '_') continue;
        *cls = i;
        if (!strcmp(key + n + 1, "per_minute")) { *burst = 0; return 0; }
        if (!strcmp(key + n + 1, "burst")) { *burst = 1; return 0; }
    }
    return -1;
}

int policy_ini(hub_config_t *cfg, const char *section, const char *key, const char *value,
               char *err, size_t errlen)
{
    long v = 0;
    int ok = -1;                         /* -1 unknown key, 0 bad value, 1 ok */
    if (!strcmp(section, "limits")) {
        if (!strcmp(key, "per_ip_connections")) {
            ok = int_in(value, 1, 100000, &v) == 0;
            cfg->per_ip_connections = (int)v;
        } else if (!strcmp(key, "header_timeout")) {
            ok = int_in(value, 1, 600, &v) == 0;
            cfg->header_timeout_s = (int)v;
        } else if (!strcmp(key, "max_buffered_mb")) {
            ok = int_in(value, 1, 65536, &v) == 0;
            cfg->max_buffered = v * 1024 * 1024;
        } else if (!strcmp(key, "spool_dir")) {
            ok = *value && snprintf(cfg->spool_dir, sizeof cfg->spool_dir, "%s", value) <
                               (int)sizeof cfg->spool_dir;
        }
    } else if (!strcmp(section, "rate")) {
        int cls, burst;
        if (rate_key(key, &cls, &burst) == 0) {
            ok = int_in(value, 1, 10000000, &v) == 0;
            if (burst) cfg->rate[cls].burst = (int)v;
            else cfg->rate[cls].per_minute = (int)v;
        } else if (!strcmp(key, "miss_alert")) {
            ok = int_in(value, 1, 100000, &v) == 0;
            cfg->miss_alert_count = (int)v;
        } else if (!strcmp(key, "miss_alert_minutes")) {
            ok = int_in(value, 1, 1440, &v) == 0;
            cfg->miss_alert_minutes = (int)v;
        }
    } else if (!strcmp(section, "tls")) {
        char *dst = !strcmp(key, "cert") ? cfg->tls_cert : !strcmp(key, "key") ? cfg->tls_key : NULL;
        if (dst) ok = *value && snprintf(dst, sizeof cfg->tls_cert, "%s", value) < (int)sizeof cfg->tls_cert;
    } else {
        snprintf(err, errlen, "[%s]: unknown section", section);
        return 0;
    }
    if (ok < 0) snprintf(err, errlen, "%s: unknown key", key);
    else if (!ok) snprintf(err, errlen, "%s: bad value \"%s\"", key, value);
    return ok > 0;
}
