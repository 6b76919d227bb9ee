#include "app/preview_item.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "jsonnum.h"
#include "utf8.h"

static const char *const kinds[] = {"notice", "event", "lecture", "library", "guide", "alert", NULL};

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* String member KEY into OUT (LEN bytes with its NUL): 0, 1 when absent
 * and not REQUIRED, or -1 with ERR. Too long is an error, not a cut: the
 * preview must show what would be published. */
static int text(const cJSON *o, const char *key, bool required, bool empty_ok, char *out, size_t len,
                char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v && !required) return 1;
    if (!cJSON_IsString(v)) return fail(err, errlen, "%s: missing or not a string", key);
    size_t n = strlen(v->valuestring);
    if (!n && !empty_ok) return fail(err, errlen, "%s: empty", key);
    if (n >= len) return fail(err, errlen, "%s: %zu bytes, at most %zu", key, n, len - 1);
    if (!utf8_valid(v->valuestring, n)) return fail(err, errlen, "%s: not valid UTF-8", key);
    memcpy(out, v->valuestring, n + 1);
    return 0;
}

/* Whole-number member KEY (MIN or more) into *OUT: 0, 1 when absent, -1. */
static int whole(const cJSON *o, const char *key, long long min, long long *out, char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v)) return 1;
    if (!json_whole(v, out) || *out < min)
        return fail(err, errlen, "%s: not a whole number of at least %lld", key, min);
    return 0;
}

static int parse(const cJSON *o, time_t now, preview_item_t *p, char *err, size_t errlen)
{
    info_item_t *it = &p->item;
    long long v;
    int rc;
    if (!cJSON_IsObject(o)) return fail(err, errlen, "the item is not a JSON object");
    if (text(o, "kind", true, false, it->kind, sizeof it->kind, err, errlen)) {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "kind"))) return -1;
        return fail(err, errlen, "kind: one of notice, event, lecture, library, guide, alert");
    }
    bool known = false;
    for (int i = 0; kinds[i]; i++) known |= !strcmp(kinds[i], it->kind);
    if (!known) return fail(err, errlen, "kind: \"%s\" is not one of notice, event, lecture, library, guide, alert", it->kind);
    if (text(o, "title", true, false, it->title, sizeof it->title, err, errlen)) return -1;
    if (text(o, "body", true, true, it->body, sizeof it->body, err, errlen)) return -1;
    if ((rc = text(o, "category", false, false, it->category, sizeof it->category, err, errlen)) < 0) return -1;
    if (rc == 1) snprintf(it->category, sizeof it->category, "%s", !strcmp(it->kind, "alert") ? "alert" : "community");
    if (text(o, "locale", false, false, p->locale, sizeof p->locale, err, errlen) < 0) return -1;
    it->id = 1;
    if ((rc = whole(o, "id", 1, &v, err, errlen)) < 0) return -1;
    if (rc == 0) it->id = v;
    it->published = now;
    if ((rc = whole(o, "published", 0, &v, err, errlen)) < 0) return -1;
    if (rc == 0) it->published = (time_t)v;
    if ((rc = whole(o, "expires", 0, &v, err, errlen)) < 0) return -1;
    if (rc == 0) it->expires = (time_t)v;
    if ((rc = whole(o, "starts", 0, &v, err, errlen)) < 0) return -1;
    if (rc == 0) it->starts = (time_t)v;
    const cJSON *pinned = cJSON_GetObjectItemCaseSensitive(o, "pinned");
    if (pinned && !cJSON_IsNull(pinned) && !cJSON_IsBool(pinned)) return fail(err, errlen, "pinned: true or false");
    it->pinned = cJSON_IsTrue(pinned);
    long long places = -1, left = -1;
    if (whole(o, "places", 0, &places, err, errlen) < 0 || whole(o, "left", 0, &left, err, errlen) < 0) return -1;
    if ((places >= 0) != (left >= 0) || left > places)
        return fail(err, errlen, "places and left: both or neither, left at most places");
    if (places > 1000000) return fail(err, errlen, "places: at most 1000000");
    it->places = (int)places;
    it->left = (int)left;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
    if (data && !cJSON_IsNull(data)) {
        if (!cJSON_IsObject(data)) return fail(err, errlen, "data: not an object");
        char *s = cJSON_PrintUnformatted(data);
        if (!s) return fail(err, errlen, "out of memory");
        size_t n = strlen(s);
        bool valid = utf8_valid(s, n);
        if (n < sizeof it->data && valid) memcpy(it->data, s, n + 1);
        cJSON_free(s);
        if (n >= sizeof it->data) return fail(err, errlen, "data: %zu bytes, at most %zu", n, sizeof it->data - 1);
        if (!valid) return fail(err, errlen, "data: not valid UTF-8");
    }
    const cJSON *images = cJSON_GetObjectItemCaseSensitive(o, "images");
    if (images && !cJSON_IsNull(images)) {
        const cJSON *first = cJSON_GetArrayItem(images, 0);
        if (!cJSON_IsArray(images) || (first && (!cJSON_IsString(first) || strlen(first->valuestring) != 64 ||
                                                 strspn(first->valuestring, "0123456789abcdef") != 64)))
            return fail(err, errlen, "images: an array of SHA-256 hex strings");
        if (first) memcpy(p->image, first->valuestring, 65);
    }
    return 0;
}

int preview_item_parse(const char *json, size_t len, time_t now, preview_item_t *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_ParseWithLength(json, len);
    int rc = doc ? parse(doc, now, out, err, errlen) : fail(err, errlen, "not JSON");
    cJSON_Delete(doc);
    if (rc != 0) memset(out, 0, sizeof *out);
    return rc;
}
