#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "console_api.h"
#include "paths.h"

#define STATIC_MAX (2 * 1024 * 1024)

static const struct { const char *ext, *type; } types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".json", "application/json; charset=utf-8"},
};

/* A file name the console serves: 1-63 of a-z A-Z 0-9 _ - . not starting
 * with a dot (so no "..", no hidden files, no sub-folders), of a known type. */
static const char *type_of(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n > 63 || name[0] == '.') return NULL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return NULL;
    }
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
        if (!strcmp(dot, types[i].ext)) return types[i].type;
    return NULL;
}

void console_static(hub_req_t *req, hub_resp_t *resp)
{
    const char *name = req->nparams ? req->params[0] : "index.html";
    const char *type = type_of(name);
    if (!type) {
        hub_error(resp, 404, "not_found", "no such console file");
        return;
    }
    const hub_config_t *cfg = hub_config(req->hub);
    char path[700];
    snprintf(path, sizeof path, "%s/%s", cfg->console_dir[0] ? cfg->console_dir : paths.hub_console, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > STATIC_MAX) {
        if (fd >= 0) close(fd);
        hub_error(resp, 404, "not_found", "no such console file");
        return;
    }
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (!buf || got != (size_t)sb.st_size) {
        free(buf);
        hub_error(resp, 500, "storage", "cannot read the console file");
        return;
    }
    free(resp->body);
    resp->status = 200;
    resp->body = buf;
    resp->body_len = got;
    resp->content_type = type;
    hub_etag(req, resp);
}
