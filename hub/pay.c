/* The [payment] settings and the choice of provider (pay.h). */
#include "pay.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_DEFAULT_MS 10000

static struct {
    bool kind_set;              /* [payment] provider was given */
    pay_kind_t kind;
    char demo_base[256];
    char notify_url[512];
    char secrets[512];
    char notify_listen[64];
    int notify_port;
    long timeout_ms;
    const pay_provider_t *ops;
} cfg = {.timeout_ms = TIMEOUT_DEFAULT_MS, .notify_listen = "127.0.0.1"};

void pay_reset(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = TIMEOUT_DEFAULT_MS;
    snprintf(cfg.notify_listen, sizeof cfg.notify_listen, "127.0.0.1");
}

/* An http(s) URL without spaces or quotes, shorter than LEN. */
static bool url_ok(const char *v, size_t len)
{
    if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) return false;
    if (strlen(v) >= len) return false;
    for (const char *p = v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '\'' || *p == '<' || *p == '>' || *p == 0x7f) return false;
    return true;
}

int pay_config_key(const char *name, const char *value)
{
    if (!strcmp(name, "provider")) {
        if (!strcmp(value, "none")) cfg.kind = PAY_NONE;
        else if (!strcmp(value, "demo")) cfg.kind = PAY_DEMO;
        else if (!strcmp(value, "alipay")) cfg.kind = PAY_ALIPAY;
        else return -1;
        cfg.kind_set = true;
        return 0;
    }
    if (!strcmp(name, "demo_base_url")) {
        if (!url_ok(value, sizeof cfg.demo_base)) return -1;
        snprintf(cfg.demo_base, sizeof cfg.demo_base, "%s", value);
        size_t n = strlen(cfg.demo_base);
        if (n && cfg.demo_base[n - 1] == '/') cfg.demo_base[n - 1] = '\0';
        return 0;
    }
    if (!strcmp(name, "notify_url")) {
        if (!url_ok(value, sizeof cfg.notify_url)) return -1;
        snprintf(cfg.notify_url, sizeof cfg.notify_url, "%s", value);
        return 0;
    }
    if (!strcmp(name, "secrets"))
        return value[0] && snprintf(cfg.secrets, sizeof cfg.secrets, "%s", value) < (int)sizeof cfg.secrets ? 0 : -1;
    if (!strcmp(name, "notify_listen"))
        return value[0] && snprintf(cfg.notify_listen, sizeof cfg.notify_listen, "%s", value) <
               (int)sizeof cfg.notify_listen ? 0 : -1;
    if (!strcmp(name, "notify_port")) {
        char *end;
        long v = strtol(value, &end, 10);
        if (!*value || *end || v < 0 || v > 65535) return -1;
        cfg.notify_port = (int)v;
        return 0;
    }
    if (!strcmp(name, "timeout_ms")) {
        char *end;
        long v = strtol(value, &end, 10);
        if (!*value || *end || v < 100 || v > 60000) return -1;
        cfg.timeout_ms = v;
        return 0;
    }
    return -1;
}

int pay_init(bool demo, char *err, size_t errlen)
{
    if (cfg.kind_set && cfg.kind == PAY_DEMO && !demo) {
        snprintf(err, errlen, "[payment] provider = demo is only for a demo hub (add --demo); "
                 "a real hub never fakes payments");
        return -1;
    }
    cfg.ops = NULL;
    if (pay_kind(demo) != PAY_ALIPAY) return 0;
    if (pay_alipay_load(cfg.secrets, err, errlen) != 0) return -1;
    /* Before any worker thread calls the provider. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    if (!cfg.notify_url[0])
        fprintf(stderr, "hub: [payment] has no notify_url: Alipay orders are settled by queries only\n");
    cfg.ops = &pay_alipay;
    return 0;
}

pay_kind_t pay_kind(bool demo)
{
    if (cfg.kind_set) return cfg.kind == PAY_DEMO && !demo ? PAY_NONE : cfg.kind;
    return demo ? PAY_DEMO : PAY_NONE;
}

const pay_provider_t *pay_provider(void) { return cfg.ops; }
const char *pay_demo_base(void) { return cfg.demo_base; }
const char *pay_notify_url(void) { return cfg.notify_url; }
long pay_timeout_ms(void) { return cfg.timeout_ms; }
const char *pay_notify_listen(void) { return cfg.notify_listen; }
int pay_notify_port(void) { return cfg.notify_port; }
