#include "sim_hubini.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int write_private(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (!fp) goto fail;
    int bad = fputs(text, fp) < 0;
    if (fclose(fp) != 0 || bad) goto fail;
    /* The hub refuses a secrets file others can read. */
    if (chmod(path, 0600) != 0) goto fail;
    return 0;
fail:
    fprintf(stderr, "sim_hubini: %s: %s\n", path, strerror(errno));
    return -1;
}

int sim_hubini_write(const char *dir, const sim_hubini_t *o, char *config, size_t config_len,
                     char *notify_url, size_t url_len)
{
    char secrets[256], text[8192];
    snprintf(secrets, sizeof secrets, "%s/provider.secrets", dir);
    if (o->ali)
        snprintf(text, sizeof text, "app_id = %s\ngateway = %s\nprivate_key = %s\nalipay_public_key = %s\n",
                 sim_app_id(o->ali), sim_gateway(o->ali), sim_merchant_private(o->ali),
                 sim_alipay_public(o->ali));
    else
        snprintf(text, sizeof text, "%s", wxsim_secrets(o->wx));
    if (write_private(secrets, text) != 0) return -1;
    snprintf(notify_url, url_len, "http://127.0.0.1:%d/pay/notify", o->notify_port);
    snprintf(text, sizeof text, "[payment]\nprovider = %s\nsecrets = %s\nnotify_url = %s\n"
             "notify_listen = 127.0.0.1\nnotify_port = %d\ntimeout_ms = %d\n",
             o->provider, secrets, notify_url, o->notify_port, o->timeout_ms);
    snprintf(config, config_len, "%s/hub.ini", dir);
    return write_private(config, text);
}
