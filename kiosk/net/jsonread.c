#include "net/jsonread.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jr_fail(jr_err_t *e, const char *path, const char *key, const char *fmt, ...)
{
    if (!e || !e->buf || e->len == 0)
        return -1;
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (!path[0] && !key[0])
        snprintf(e->buf, e->len, "%s", what);
    else
        snprintf(e->buf, e->len, "%s%s%s: %s", path, path[0] && key[0] ? "." : "", key, what);
    return -1;
}

cJSON *jr_parse_doc(const char *json, size_t len, jr_err_t *e)
{
    if (!json || len == 0) {
        jr_fail(e, "", "", "empty body");
        return NULL;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        jr_fail(e, "", "", "out of memory");
        return NULL;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    size_t at = end && end >= copy && end <= copy + len ? (size_t)(end - copy) : 0;
    if (!doc) {
        jr_fail(e, "", "", "not JSON (at byte %zu)", at);
    } else {
        while (at < len && (copy[at] == ' ' || copy[at] == '\t' || copy[at] == '\n' || copy[at] == '\r'))
            at++;
        if (at < len) {
            jr_fail(e, "", "", "not JSON (data after the value at byte %zu)", at);
            cJSON_Delete(doc);
            doc = NULL;
        } else if (!cJSON_IsObject(doc)) {
            jr_fail(e, "", "", "not a JSON object");
            cJSON_Delete(doc);
            doc = NULL;
        }
    }
    free(copy);
    return doc;
}

int jr_str(const cJSON *o, const char *path, const char *key, char *dst, size_t size, jr_err_t *e)
{
    const cJSON *v = jr_field(o, key);
    if (!v)
        return jr_fail(e, path, key, "missing");
    if (!cJSON_IsString(v) || !v->valuestring)
        return jr_fail(e, path, key, "not a string");
    size_t n = strlen(v->valuestring);
    if (n >= size)
        return jr_fail(e, path, key, "too long (%zu bytes, at most %zu)", n, size - 1);
    memcpy(dst, v->valuestring, n + 1);
    return 0;
}

int jr_opt_str(const cJSON *o, const char *path, const char *key, char *dst, size_t size,
               jr_err_t *e)
{
    dst[0] = '\0';
    return jr_field(o, key) ? jr_str(o, path, key, dst, size, e) : 0;
}

int jr_str_or_null(const cJSON *o, const char *path, const char *key, char *dst, size_t size,
                   jr_err_t *e)
{
    const cJSON *v = jr_field(o, key);
    dst[0] = '\0';
    if (v && cJSON_IsNull(v))
        return 0;
    return jr_str(o, path, key, dst, size, e);
}

int jr_int(const cJSON *o, const char *path, const char *key, long long min, long long max,
           long long *out, jr_err_t *e)
{
    const cJSON *v = jr_field(o, key);
    if (!v)
        return jr_fail(e, path, key, "missing");
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= (double)min && d <= (double)max && d <= (double)JR_INT_MAX) || d != floor(d))
        return max >= JR_INT_MAX ? jr_fail(e, path, key, "not an integer >= %lld", min)
                                 : jr_fail(e, path, key, "not an integer in %lld..%lld", min, max);
    *out = (long long)d;
    return 0;
}

const cJSON *jr_obj(const cJSON *o, const char *path, const char *key, jr_err_t *e)
{
    const cJSON *v = jr_field(o, key);
    if (!v)
        jr_fail(e, path, key, "missing");
    else if (!cJSON_IsObject(v))
        jr_fail(e, path, key, "not an object");
    else
        return v;
    return NULL;
}

const cJSON *jr_arr(const cJSON *o, const char *path, const char *key, int max, int *n, jr_err_t *e)
{
    const cJSON *v = jr_field(o, key);
    if (!v) {
        jr_fail(e, path, key, "missing");
        return NULL;
    }
    if (!cJSON_IsArray(v)) {
        jr_fail(e, path, key, "not an array");
        return NULL;
    }
    int count = cJSON_GetArraySize(v);
    if (count > max) {
        jr_fail(e, path, key, "too many (%d, at most %d)", count, max);
        return NULL;
    }
    *n = count;
    return v;
}
