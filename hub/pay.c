/* The [payment] settings and the choice of provider (pay.h). */
#include "pay.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_DEFAULT_MS 10000

/* The real providers this hub knows, by name. */
static const struct { const char *name; const pay_provider_t *ops;
                      int (*load)(const char *path, char *err, size_t errlen); } known[] = {
    {"alipay", &pay_alipay, pay_alipay_load},
    {"wechat", &pay_wechat, pay_wechat_load},
};
#define NKNOWN (sizeof known / sizeof known[0])

static struct {
    bool kind_set;              /* [payment] provider was given */
    pay_kind_t kind;
    int listed[NKNOWN];         /* indexes into known[], in the order given */
    int nlisted;
    int qr;                     /* [payment] qr_provider: index into known[], -1 none */
    char demo_base[256];
    char notify_url[512];
    char secrets[512];
    char own_secrets[NKNOWN][512];  /* [payment] alipay_secrets, wechat_secrets */
    char describe[96];
    char notify_listen[64];
    int notify_port;
    long timeout_ms;
    const pay_provider_t *ops[NKNOWN];  /* the loaded providers, in the order listed */
    int nops;
} cfg = {.timeout_ms = TIMEOUT_DEFAULT_MS, .notify_listen = "127.0.0.1", .qr = -1};

void pay_reset(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = TIMEOUT_DEFAULT_MS;
    cfg.qr = -1;
    snprintf(cfg.notify_listen, sizeof cfg.notify_listen, "127.0.0.1");
}

static int known_index(const char *name, size_t len)
{
    for (size_t i = 0; i < NKNOWN; i++)
        if (strlen(known[i].name) == len && !strncmp(known[i].name, name, len)) return (int)i;
    return -1;
}

/* "alipay", "wechat", "alipay,wechat" (either order, each once). */
static int parse_list(const char *v)
{
    int listed[NKNOWN], n = 0;
    for (const char *p = v;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ') p++, len--;
        while (len && p[len - 1] == ' ') len--;
        int k = known_index(p, len);
        if (k < 0 || n == (int)NKNOWN) return -1;
        for (int i = 0; i < n; i++)
            if (listed[i] == k) return -1;
        listed[n++] = k;
        if (!end) break;
        p = end + 1;
    }
    memcpy(cfg.listed, listed, sizeof listed);
    cfg.nlisted = n;
    cfg.kind = PAY_REAL;
    return 0;
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
        else if (parse_list(value) != 0) return -1;
        if (cfg.kind != PAY_REAL) cfg.nlisted = 0;
        cfg.kind_set = true;
        return 0;
    }
    if (!strcmp(name, "qr_provider")) {
        int k = known_index(value, strlen(value));
        if (k < 0) return -1;
        cfg.qr = k;
        return 0;
    }
    for (size_t i = 0; i < NKNOWN; i++) {
        char key[32];
        snprintf(key, sizeof key, "%s_secrets", known[i].name);
        if (!strcmp(name, key))
            return value[0] && snprintf(cfg.own_secrets[i], sizeof cfg.own_secrets[i], "%s", value) <
                   (int)sizeof cfg.own_secrets[i] ? 0 : -1;
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
    cfg.nops = 0;
    if (pay_kind(demo) != PAY_REAL) return 0;
    bool qr_listed = cfg.qr < 0;
    for (int i = 0; i < cfg.nlisted; i++) qr_listed |= cfg.listed[i] == cfg.qr;
    if (!qr_listed) {
        snprintf(err, errlen, "[payment] qr_provider = %s is not one of provider", known[cfg.qr].name);
        return -1;
    }
    for (int i = 0; i < cfg.nlisted; i++) {
        int k = cfg.listed[i];
        /* One provider may use "secrets"; two need a file each. */
        const char *path = cfg.own_secrets[k][0] ? cfg.own_secrets[k] : cfg.nlisted == 1 ? cfg.secrets : "";
        if (!path[0]) {
            snprintf(err, errlen, "[payment] provider = %s needs %s_secrets = FILE%s", known[k].name,
                     known[k].name, cfg.nlisted == 1 ? " (or secrets = FILE)" : "");
            return -1;
        }
        if (known[k].load(path, err, errlen) != 0) return -1;
        if (k == known_index("wechat", 6) && !cfg.notify_url[0]) {
            /* WeChat's Native order requires a notify_url. */
            snprintf(err, errlen, "[payment] provider = wechat needs notify_url (WeChat Pay requires one)");
            return -1;
        }
    }
    /* Before any worker thread calls a provider. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    if (!cfg.notify_url[0])
        fprintf(stderr, "hub: [payment] has no notify_url: Alipay orders are settled by queries only\n");
    for (int i = 0; i < cfg.nlisted; i++) cfg.ops[cfg.nops++] = known[cfg.listed[i]].ops;
    return 0;
}

pay_kind_t pay_kind(bool demo)
{
    if (cfg.kind_set) return cfg.kind == PAY_DEMO && !demo ? PAY_NONE : cfg.kind;
    return demo ? PAY_DEMO : PAY_NONE;
}

const pay_provider_t *pay_provider(void) { return cfg.nops ? cfg.ops[0] : NULL; }

const pay_provider_t *pay_provider_named(const char *name)
{
    for (int i = 0; i < cfg.nops; i++)
        if (!strcmp(cfg.ops[i]->name, name)) return cfg.ops[i];
    return NULL;
}

const pay_provider_t *pay_provider_for(bool code, pay_wallet_t wallet)
{
    if (!cfg.nops) return NULL;
    if (!code) return cfg.qr >= 0 ? pay_provider_named(known[cfg.qr].name) : cfg.ops[0];
    if (wallet == PAY_WALLET_WECHAT) return pay_provider_named("wechat");
    if (wallet == PAY_WALLET_ALIPAY) return pay_provider_named("alipay");
    return NULL;
}

int pay_providers(const pay_provider_t *out[2])
{
    int n = 0;
    for (int i = 0; i < cfg.nops && n < 2; i++) out[n++] = cfg.ops[i];
    return n;
}

const char *pay_describe(bool demo)
{
    pay_kind_t k = pay_kind(demo);
    if (k != PAY_REAL) return k == PAY_DEMO ? "demo" : "none: payments answer 503";
    size_t n = 0;
    cfg.describe[0] = '\0';
    for (int i = 0; i < cfg.nlisted; i++)
        n += (size_t)snprintf(cfg.describe + n, sizeof cfg.describe - n, "%s%s", i ? "," : "",
                              known[cfg.listed[i]].name);
    if (cfg.nlisted > 1 && n < sizeof cfg.describe)
        snprintf(cfg.describe + n, sizeof cfg.describe - n, " (QR: %s)",
                 known[cfg.qr >= 0 ? cfg.qr : cfg.listed[0]].name);
    return cfg.describe;
}
const char *pay_demo_base(void) { return cfg.demo_base; }
const char *pay_notify_url(void) { return cfg.notify_url; }
long pay_timeout_ms(void) { return cfg.timeout_ms; }
const char *pay_notify_listen(void) { return cfg.notify_listen; }
int pay_notify_port(void) { return cfg.notify_port; }
