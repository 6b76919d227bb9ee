#include "telemetry/selfupdate.h"

#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonnum.h"

#define RESULT_MAX 1024         /* a result file is one short line */

static void set_err(char *err, size_t errlen, const char *fmt, const char *a, const char *b)
{
    if (err && errlen) snprintf(err, errlen, fmt, a, b);
}

/* VAR_DIR/update/NAME into OUT; -1 when too long. */
static int path_of(const char *var_dir, const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s/update/%s", var_dir, name);
    return n > 0 && (size_t)n < len ? 0 : -1;
}

/* TEXT to VAR_DIR/update/NAME through NAME.tmp: written, fsynced, renamed,
 * and the directory fsynced, so a power cut leaves the old file or the new
 * one, never half of one. */
static int write_atomic(const char *var_dir, const char *name, const char *text, char *err,
                        size_t errlen)
{
    char dir[4096], path[4096], tmp[4096];
    if (!var_dir || !var_dir[0] || snprintf(dir, sizeof dir, "%s/update", var_dir) >= (int)sizeof dir ||
        path_of(var_dir, name, path, sizeof path) != 0 ||
        snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        set_err(err, errlen, "%s%s: no state directory or path too long", "update/", name);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        set_err(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        set_err(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t len = strlen(text);
    ssize_t w = write(fd, text, len);
    if (w != (ssize_t)len || fsync(fd) != 0) {
        set_err(err, errlen, "%s: %s", tmp, w < 0 || w == (ssize_t)len ? strerror(errno) : "short write");
        close(fd);
        goto fail;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);       /* the rename itself survives a power cut */
        close(dfd);
    }
    return 0;
fail:
    unlink(tmp);
    return -1;
}

int selfupdate_parse_args(const char *args_json, char *version, char *err, size_t errlen)
{
    cJSON *a = args_json ? cJSON_Parse(args_json) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, "version");
    const char *why = NULL;
    if (!cJSON_IsObject(a)) why = "args: not a JSON object";
    else if (!v) why = "version: missing";
    else if (!cJSON_IsString(v) || !debver_ok(v->valuestring)) why = "version: not a Debian version";
    else if (cJSON_GetArraySize(a) != 1) why = "args: update takes only version";
    else snprintf(version, DEBVER_MAX + 1, "%s", v->valuestring);
    cJSON_Delete(a);
    if (why) {
        set_err(err, errlen, "%s%s", why, "");
        return -1;
    }
    return 0;
}

int selfupdate_request_write(const char *var_dir, long long id, const char *version, char *err,
                             size_t errlen)
{
    if (id < 1 || !debver_ok(version)) {
        set_err(err, errlen, "%s%s", "not a command id and Debian version", "");
        return -1;
    }
    /* Exactly the line the updater's strict pattern accepts. */
    char text[96];
    snprintf(text, sizeof text, "{\"id\":%lld,\"version\":\"%s\"}\n", id, version);
    return write_atomic(var_dir, "request", text, err, errlen);
}

int selfupdate_health_write(const char *var_dir, const char *version, char *err, size_t errlen)
{
    char text[96];
    snprintf(text, sizeof text, "%s %ld\n", version, (long)getpid());
    return write_atomic(var_dir, "health", text, err, errlen);
}

int selfupdate_result_parse(const char *text, selfupdate_result_t *out, char *err, size_t errlen)
{
    static const char *const outcomes[] = {"updated", "rolled_back", "failed", "current"};
    cJSON *o = text ? cJSON_Parse(text) : NULL;
    const cJSON *oc = cJSON_GetObjectItemCaseSensitive(o, "outcome");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(o, "version");
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(o, "command");
    const char *why = NULL;
    selfupdate_result_t r;
    memset(&r, 0, sizeof r);
    if (!cJSON_IsObject(o)) why = "not a JSON object";
    else if (!cJSON_IsString(oc)) why = "outcome: missing";
    else if (!cJSON_IsString(ver) || !debver_ok(ver->valuestring)) why = "version: not a Debian version";
    else if (!json_whole(cmd, &r.command) || r.command < 1) why = "command: not a command id";
    if (!why) {
        why = "outcome: unknown";
        for (size_t i = 0; i < sizeof outcomes / sizeof *outcomes; i++)
            if (strcmp(oc->valuestring, outcomes[i]) == 0) {
                snprintf(r.outcome, sizeof r.outcome, "%s", outcomes[i]);
                why = NULL;
            }
    }
    if (!why) snprintf(r.version, sizeof r.version, "%s", ver->valuestring);
    cJSON_Delete(o);
    if (why) {
        set_err(err, errlen, "update result: %s%s", why, "");
        return -1;
    }
    *out = r;
    return 0;
}

int selfupdate_result_read(const char *var_dir, selfupdate_result_t *out, char *err, size_t errlen)
{
    char path[4096], text[RESULT_MAX + 1];
    if (!var_dir || !var_dir[0] || path_of(var_dir, "result", path, sizeof path) != 0) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return 0;
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t n = read(fd, text, RESULT_MAX);
    close(fd);
    if (n < 0) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    text[n] = '\0';
    return selfupdate_result_parse(text, out, err, errlen) == 0 ? 1 : -1;
}
