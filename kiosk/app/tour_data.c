#include "app/tour_data.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "net/jsonread.h"

#define TOUR_FILE_MAX (256 * 1024)

static char *read_text(const tour_data_t *d)
{
    FILE *fp = fopen(d->path, "rb");
    if (!fp) {
        tour_data_fail(d, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *buf = malloc(TOUR_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, TOUR_FILE_MAX + 1, fp) : 0;
    if (!buf || ferror(fp) || n > TOUR_FILE_MAX) {
        tour_data_fail(d, "cannot read (or larger than %d bytes)", TOUR_FILE_MAX);
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
    }
    fclose(fp);
    return buf;
}

int tour_data_open(tour_data_t *d, const char *assets_dir, const char *name)
{
    memset(d, 0, sizeof *d);
    snprintf(d->path, sizeof d->path, "%s/tour/%s", assets_dir, name);
    char *text = read_text(d);
    if (!text) return TOUR_BAD_DATA;
    char err[160];
    jr_err_t e = {err, sizeof err};
    long long as_of;
    d->doc = jr_parse_doc(text, strlen(text), &e);
    free(text);
    if (!d->doc || jr_int(d->doc, "", "as_of", 0, 1LL << 40, &as_of, &e) != 0)
        return tour_data_fail(d, "%s", err);
    d->as_of = (time_t)as_of;
    return 0;
}

void tour_data_close(tour_data_t *d)
{
    cJSON_Delete(d->doc);
    d->doc = NULL;
}

int tour_data_fail(const tour_data_t *d, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    log_error("tour", "%s: %s", d->path, what);
    return TOUR_BAD_DATA;
}

cJSON *tour_data_obj(const tour_data_t *d, const cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o ? o : d->doc, key);
    if (!cJSON_IsObject(v)) {
        tour_data_fail(d, "\"%s\": %s", key, v ? "not an object" : "missing");
        return NULL;
    }
    return v;
}

char *tour_data_answer(const tour_data_t *d, const cJSON *o, const char *key)
{
    const cJSON *v = tour_data_obj(d, o, key);
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    if (v && !text) tour_data_fail(d, "\"%s\": out of memory", key);
    return text;
}

int tour_data_str(const tour_data_t *d, const cJSON *o, const char *key, char *out, size_t len)
{
    char err[160];
    jr_err_t e = {err, sizeof err};
    return jr_str(o ? o : d->doc, "", key, out, len, &e) == 0 ? 0 : tour_data_fail(d, "%s", err);
}

void tour_data_shift(cJSON *node, const char *const *keys, long long delta)
{
    for (cJSON *v = node ? node->child : NULL; v; v = v->next) {
        if (cJSON_IsNumber(v) && v->string) {
            for (const char *const *k = keys; *k; k++)
                if (strcmp(v->string, *k) == 0) cJSON_SetNumberValue(v, v->valuedouble + (double)delta);
        }
        tour_data_shift(v, keys, delta);
    }
}
