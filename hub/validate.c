#include "validate.h"

#include <limits.h>
#include <math.h>
#include <string.h>
#include "utf8.h"

/* Does a string of JSON text BODY hold the escape \u0000? cJSON would end
 * the string there, silently dropping the rest ("1381\u0000..." would pass
 * a check the whole text fails). Tracks strings and escapes, so a "\\u0000"
 * (an escaped backslash, then text) is not one. */
static bool has_escaped_nul(const char *body, size_t len)
{
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = body[i];
        if (!in_str) {
            if (c == '"') in_str = true;
        } else if (c == '"') {
            in_str = false;
        } else if (c == '\\' && i + 1 < len) {
            if (body[i + 1] == 'u' && i + 5 < len && !memcmp(body + i + 2, "0000", 4)) return true;
            i++;                         /* the escaped character */
        }
    }
    return false;
}

int v_parse_object(hub_resp_t *resp, const char *body, size_t len, cJSON **out)
{
    *out = NULL;
    if (has_escaped_nul(body, len))
        return hub_error(resp, 400, "nul_in_string", "a JSON string holds \\u0000 (NUL), which no field allows"), -1;
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (!j) return hub_error(resp, 400, "malformed_json", "the body is not valid JSON"), -1;
    /* Only white space may follow the value. */
    while (end && (size_t)(end - body) < len && strchr(" \t\r\n", *end) && *end) end++;
    if (end && (size_t)(end - body) < len) {
        cJSON_Delete(j);
        return hub_error(resp, 400, "malformed_json", "the body has data after the JSON value"), -1;
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return hub_error(resp, 422, "invalid_body", "the body must be a JSON object"), -1;
    }
    *out = j;
    return 0;
}

/* Valid UTF-8 without control characters (tab excepted). */
static bool clean_utf8(const char *s)
{
    size_t len = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        int n = utf8_decode(s + i, len - i, &cp);
        if (n < 0 || (cp < 0x20 && cp != '\t') || cp == 0x7F) return false;
        i += (size_t)n;
    }
    return true;
}

int v_string(hub_resp_t *resp, const cJSON *obj, const char *name, size_t min, size_t max,
             bool required, const char **out)
{
    *out = NULL;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!f || cJSON_IsNull(f)) {
        if (!required) return 0;
        return hub_error(resp, 422, "missing_field", "%s is required", name), -1;
    }
    if (!cJSON_IsString(f) || !f->valuestring)
        return hub_error(resp, 422, "invalid_field", "%s must be a string", name), -1;
    size_t n = strlen(f->valuestring);
    if (n < min || n > max)
        return hub_error(resp, 422, "invalid_field", "%s must be %zu to %zu bytes long", name, min, max), -1;
    if (!clean_utf8(f->valuestring))
        return hub_error(resp, 422, "invalid_field", "%s must be UTF-8 text without control characters", name), -1;
    *out = f->valuestring;
    return 0;
}

int v_int(hub_resp_t *resp, const cJSON *obj, const char *name, long long min, long long max,
          bool required, long long def, long long *out)
{
    *out = def;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!f || cJSON_IsNull(f)) {
        if (!required) return 0;
        return hub_error(resp, 422, "missing_field", "%s is required", name), -1;
    }
    double d = f->valuedouble;
    if (!cJSON_IsNumber(f) || !isfinite(d) || d != floor(d) || d < (double)min || d > (double)max)
        return hub_error(resp, 422, "invalid_field", "%s must be a whole number from %lld to %lld",
                         name, min, max), -1;
    *out = (long long)d;
    return 0;
}

int v_enum(hub_resp_t *resp, const cJSON *obj, const char *name,
           const char *const *allowed, bool required, const char **out)
{
    if (v_string(resp, obj, name, 1, 64, required, out) != 0) return -1;
    if (!*out) return 0;
    for (int i = 0; allowed[i]; i++)
        if (strcmp(*out, allowed[i]) == 0) return 0;
    char list[256] = "";
    for (int i = 0; allowed[i]; i++) {
        if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, allowed[i], sizeof list - strlen(list) - 1);
    }
    *out = NULL;
    return hub_error(resp, 422, "invalid_field", "%s must be one of: %s", name, list), -1;
}

int v_id_array(hub_resp_t *resp, const cJSON *obj, const char *name, int min, int max,
               long long *out, int *n)
{
    *n = 0;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!f) return hub_error(resp, 422, "missing_field", "%s is required", name), -1;
    int count = cJSON_IsArray(f) ? cJSON_GetArraySize(f) : -1;
    if (count < min || count > max)
        return hub_error(resp, 422, "invalid_field", "%s must be an array of %d to %d ids",
                         name, min, max), -1;
    const cJSON *e;
    cJSON_ArrayForEach(e, f) {
        double d = e->valuedouble;
        if (!cJSON_IsNumber(e) || d != floor(d) || d < 1 || d > 9007199254740991.0)
            return hub_error(resp, 422, "invalid_field", "%s must hold positive whole numbers", name), -1;
        for (int i = 0; i < *n; i++)
            if (out[i] == (long long)d)
                return hub_error(resp, 422, "invalid_field", "%s lists id %lld twice", name, (long long)d), -1;
        out[(*n)++] = (long long)d;
    }
    return 0;
}

bool v_digits(const char *s, size_t min, size_t max)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n < min || n > max) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool v_idem_key(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n < 1 || n > 64) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':'))
            return false;
    }
    return true;
}

bool v_date(const char *s)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}
