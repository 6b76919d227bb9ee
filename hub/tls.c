#include "tls.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define PEM_MAX (1024 * 1024)

static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    if (!fp) { snprintf(err, errlen, "%s: cannot open", path); return NULL; }
    buf = malloc(PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_MAX + 1, fp) : 0;
    fclose(fp);
    if (!buf || n == 0 || n > PEM_MAX) {
        snprintf(err, errlen, "%s: empty, unreadable or larger than %d bytes", path, PEM_MAX);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

int tls_load(const hub_config_t *cfg, char **cert, char **key, char *err, size_t errlen)
{
    *cert = *key = NULL;
    if (!cfg->tls_cert[0] && !cfg->tls_key[0]) return 0;
    if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
        snprintf(err, errlen, "[tls] needs both cert and key");
        return -1;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(err, errlen, "this libmicrohttpd has no TLS support; put a TLS proxy in front (hub/deploy)");
        return -1;
    }
    struct stat st;
    if (stat(cfg->tls_key, &st) != 0) {
        snprintf(err, errlen, "%s: cannot open", cfg->tls_key);
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "%s: the key is readable by others (mode %03o); chmod 600 it",
                 cfg->tls_key, (unsigned)(st.st_mode & 0777));
        return -1;
    }
    *cert = slurp(cfg->tls_cert, err, errlen);
    *key = *cert ? slurp(cfg->tls_key, err, errlen) : NULL;
    if (!*key) {
        free(*cert);
        *cert = NULL;
        return -1;
    }
    return 0;
}
