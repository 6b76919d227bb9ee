#include "secrets_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, n - lead + 1);
}

int secrets_file_read(const char *path, const char *what, secrets_pair_fn on_pair, void *ctx,
                      char *err, size_t errlen)
{
    struct stat st;
    char *line = NULL, msg[256];
    size_t cap = 0;
    int lineno = 0, rc = -1;
    FILE *fp = fopen(path, "r");
    if (!fp || fstat(fileno(fp), &st) != 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) || st.st_uid != geteuid()) {
        snprintf(err, errlen, "%s: must be a file of the hub's user with mode 0600 (it is %04o): it holds %s",
                 path, (unsigned)(st.st_mode & 07777), what);
        goto fail;
    }
    errno = 0;
    while (getline(&line, &cap, fp) > 0) {
        lineno++;
        trim(line);
        if (!line[0] || line[0] == '#' || line[0] == ';') continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%d: not key = value", path, lineno);
            goto fail;
        }
        *eq = '\0';
        char *key = line, *val = eq + 1;
        trim(key);
        trim(val);
        msg[0] = '\0';
        if (on_pair(ctx, key, val, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, msg[0] ? msg : key);
            goto fail;
        }
    }
    if (ferror(fp)) {
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno ? errno : EIO));
        goto fail;
    }
    rc = 0;
fail:
    if (line) memset(line, 0, cap);
    free(line);
    if (fp) fclose(fp);
    return rc;
}
