/* Content bundle manifests: validation and signatures (see manifest.h and
 * docs/api.md "Content bundles"). */
#include "content/manifest.h"

#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

#define JSON_INT_MAX 9007199254740992.0   /* 2^53 */

const char *cm_result_name(cm_result_t r)
{
    static const char *const names[] = {"ok", "unsigned", "bad_signature", "malformed",
                                        "expired", "rollback", "not_for_us", "no_key"};
    return (unsigned)r < sizeof names / sizeof *names ? names[r] : "?";
}

/* ---- helpers: each returns 0, or -1 with ERR "WHERE.KEY: what" ----------- */

typedef struct {
    char *buf;
    size_t len;
} cerr_t;

static int fail(cerr_t *e, const char *where, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(cerr_t *e, const char *where, const char *key, const char *fmt, ...)
{
    if (!e->buf || !e->len) return -1;
    char what[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(e->buf, e->len, "%s%s%s: %s", where, where[0] && key[0] ? "." : "", key, what);
    return -1;
}

/* Valid UTF-8 (no overlongs, no surrogates) without control characters
 * other than '\n' when NEWLINES. */
static bool text_ok(const char *s, bool newlines)
{
    size_t len = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        int n = utf8_decode(s + i, len - i, &cp);
        if (n < 0) return false;
        if ((cp < 0x20 && !(newlines && cp == '\n')) || cp == 0x7f) return false;
        i += (size_t)n;
    }
    return true;
}

/* S made of 1..MAX characters of ALLOWED classes: a = a-z, A = A-Z, 0 = 0-9,
 * plus any literal in EXTRA. */
static bool word_ok(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n < 1 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c)) continue;
        if (c >= 'A' && c <= 'Z' && strchr(extra, 'A')) continue;
        return false;
    }
    return true;
}

bool cm_is_sha256(const char *s)
{
    if (!s || strlen(s) != 64) return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

static const cJSON *get(const cJSON *o, const char *key) { return cJSON_GetObjectItemCaseSensitive(o, key); }

/* Refuses members of O not in KEYS (NULL-terminated). */
static int only_keys(const cJSON *o, const char *where, const char *const *keys, cerr_t *e)
{
    for (const cJSON *m = o->child; m; m = m->next) {
        bool known = false;
        for (int i = 0; keys[i]; i++)
            if (m->string && !strcmp(m->string, keys[i])) known = true;
        if (!known) return fail(e, where, m->string ? m->string : "?", "unknown field");
        for (const cJSON *d = m->next; d; d = d->next)
            if (d->string && m->string && !strcmp(d->string, m->string))
                return fail(e, where, m->string, "given twice");
    }
    return 0;
}

static int get_str(const cJSON *o, const char *where, const char *key, size_t max, bool required,
                   bool newlines, const char **out, cerr_t *e)
{
    const cJSON *v = get(o, key);
    *out = NULL;
    if (!v) return required ? fail(e, where, key, "missing") : 0;
    if (!cJSON_IsString(v) || !v->valuestring) return fail(e, where, key, "not a string");
    size_t n = strlen(v->valuestring);
    if (n == 0) return fail(e, where, key, "empty");
    if (n > max) return fail(e, where, key, "too long (%zu bytes, at most %zu)", n, max);
    if (!text_ok(v->valuestring, newlines))
        return fail(e, where, key, "not UTF-8 text (or holds control characters)");
    *out = v->valuestring;
    return 0;
}

static int get_int(const cJSON *o, const char *where, const char *key, long long min, long long max,
                   bool required, long long def, long long *out, cerr_t *e)
{
    const cJSON *v = get(o, key);
    *out = def;
    if (!v) return required ? fail(e, where, key, "missing") : 0;
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!(d >= (double)min && d <= (double)max && d <= JSON_INT_MAX) || d != floor(d))
        return fail(e, where, key, "not a whole number in %lld..%lld", min, max);
    *out = (long long)d;
    return 0;
}

static int one_of(const char *s, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(s, words[i])) return i;
    return -1;
}

/* ---- item data ------------------------------------------------------------ */

static int str_array(const cJSON *o, const char *where, const char *key, bool required, int max,
                     size_t maxlen, cerr_t *e)
{
    const cJSON *a = get(o, key);
    if (!a) return required ? fail(e, where, key, "missing") : 0;
    if (!cJSON_IsArray(a)) return fail(e, where, key, "not an array");
    int n = cJSON_GetArraySize(a);
    if (n > max) return fail(e, where, key, "too many (%d, at most %d)", n, max);
    int i = 0;
    for (const cJSON *s = a->child; s; s = s->next, i++) {
        char k[48];
        snprintf(k, sizeof k, "%s[%d]", key, i);
        if (!cJSON_IsString(s) || !s->valuestring || !s->valuestring[0] ||
            strlen(s->valuestring) > maxlen || !text_ok(s->valuestring, false))
            return fail(e, where, k, "not a non-empty text of at most %zu bytes", maxlen);
    }
    return 0;
}

static int guide_check(const cJSON *d, const char *where, cerr_t *e)
{
    static const char *const keys[] = {"steps", "bring", "where", "hours", "phone", "fee", NULL};
    const char *s;
    if (only_keys(d, where, keys, e) || str_array(d, where, "steps", true, 50, 512, e) ||
        str_array(d, where, "bring", false, 50, 512, e))
        return -1;
    for (int i = 2; keys[i]; i++)
        if (get_str(d, where, keys[i], 512, false, false, &s, e)) return -1;
    return 0;
}

/* "HH:MM" -> minutes, or -1. */
static int hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

static bool date_ok(const char *s)
{
    int y, mo, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
        sscanf(s, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 2000 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(mo == 2 && d == 29 && !leap);
}

static int schedule_check(const cJSON *s, const char *where, cerr_t *e)
{
    static const char *const keys[] = {"weekdays", "windows", "from_date", "to_date", NULL};
    if (!cJSON_IsObject(s)) return fail(e, where, "", "not an object");
    if (only_keys(s, where, keys, e)) return -1;
    const cJSON *wd = get(s, "weekdays");
    if (!cJSON_IsArray(wd) || cJSON_GetArraySize(wd) < 1 || cJSON_GetArraySize(wd) > 7)
        return fail(e, where, "weekdays", "not an array of 1 to 7 ISO weekdays");
    unsigned seen = 0;
    int i = 0;
    for (const cJSON *d = wd->child; d; d = d->next, i++) {
        int v = cJSON_IsNumber(d) && d->valuedouble == floor(d->valuedouble) && d->valuedouble >= 1 &&
                        d->valuedouble <= 7
                    ? (int)d->valuedouble
                    : 0;
        if (v < 1 || v > 7 || (seen & 1u << v)) {
            char k[24];
            snprintf(k, sizeof k, "weekdays[%d]", i);
            return fail(e, where, k, "not a weekday 1..7 (or given twice)");
        }
        seen |= 1u << v;
    }
    const cJSON *ws = get(s, "windows");
    if (!cJSON_IsArray(ws) || cJSON_GetArraySize(ws) < 1 || cJSON_GetArraySize(ws) > 24)
        return fail(e, where, "windows", "not an array of 1 to 24 windows");
    i = 0;
    for (const cJSON *w = ws->child; w; w = w->next, i++) {
        char k[192];
        snprintf(k, sizeof k, "%s.windows[%d]", where, i);
        static const char *const wkeys[] = {"from", "to", NULL};
        if (!cJSON_IsObject(w)) return fail(e, k, "", "not an object");
        if (only_keys(w, k, wkeys, e)) return -1;
        const cJSON *f = get(w, "from"), *t = get(w, "to");
        int fm = cJSON_IsString(f) ? hhmm(f->valuestring) : -1;
        int tm = cJSON_IsString(t) ? hhmm(t->valuestring) : -1;
        if (fm < 0) return fail(e, k, "from", "not HH:MM");
        if (tm < 0) return fail(e, k, "to", "not HH:MM");
        if (fm == tm) return fail(e, k, "to", "equal to from (an empty window)");
    }
    const cJSON *fd = get(s, "from_date"), *td = get(s, "to_date");
    if (fd && !(cJSON_IsString(fd) && date_ok(fd->valuestring)))
        return fail(e, where, "from_date", "not a date YYYY-MM-DD");
    if (td && !(cJSON_IsString(td) && date_ok(td->valuestring)))
        return fail(e, where, "to_date", "not a date YYYY-MM-DD");
    if (fd && td && strcmp(fd->valuestring, td->valuestring) > 0)
        return fail(e, where, "to_date", "before from_date");
    return 0;
}

static int playlist_check(const cJSON *d, const char *where, const char *category, cerr_t *e)
{
    static const char *const keys[] = {"screen", "time_zone", "items", "schedule", NULL};
    static const char *const screens[] = {"hall", "street", NULL};
    const char *screen, *tz;
    if (only_keys(d, where, keys, e) || get_str(d, where, "screen", 16, true, false, &screen, e) ||
        get_str(d, where, "time_zone", 64, true, false, &tz, e))
        return -1;
    if (one_of(screen, screens) < 0) return fail(e, where, "screen", "not hall or street");
    if (strcmp(screen, category) != 0) return fail(e, where, "screen", "differs from the item's category");
    if (!word_ok(tz, 64, "A_/+-")) return fail(e, where, "time_zone", "not a time zone name");
    const cJSON *items = get(d, "items");
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) < 1 || cJSON_GetArraySize(items) > 500)
        return fail(e, where, "items", "not an array of 1 to 500 entries");
    int i = 0;
    for (const cJSON *it = items->child; it; it = it->next, i++) {
        char k[160];
        long long v;
        static const char *const ikeys[] = {"content_id", "duration_s", NULL};
        snprintf(k, sizeof k, "%s.items[%d]", where, i);
        if (!cJSON_IsObject(it)) return fail(e, k, "", "not an object");
        if (only_keys(it, k, ikeys, e) || get_int(it, k, "content_id", 1, (long long)JSON_INT_MAX, true, 0, &v, e) ||
            get_int(it, k, "duration_s", 1, 3600, true, 0, &v, e))
            return -1;
    }
    char sw[160];
    snprintf(sw, sizeof sw, "%s.schedule", where);
    const cJSON *s = get(d, "schedule");
    if (!s) return fail(e, where, "schedule", "missing");
    return schedule_check(s, sw, e);
}

/* ---- items ------------------------------------------------------------------ */

static const char *const kinds[] = {"notice", "event", "library", "lecture", "guide", "alert",
                                    "playlist", NULL};

static int item_check(const cJSON *it, const char *where, cm_item_t *out, cerr_t *e)
{
    static const char *const keys[] = {"id", "kind", "category", "locale", "title", "body",
                                       "published", "expires", "pinned", "priority", "images",
                                       "data", NULL};
    cm_item_t tmp;
    cm_item_t *o = out ? out : &tmp;
    memset(o, 0, sizeof *o);
    long long v;
    if (!cJSON_IsObject(it)) return fail(e, where, "", "not an object");
    if (only_keys(it, where, keys, e)) return -1;
    if (get_int(it, where, "id", 1, (long long)JSON_INT_MAX, true, 0, &o->id, e) ||
        get_str(it, where, "kind", 16, true, false, &o->kind, e))
        return -1;
    int kind = one_of(o->kind, kinds);
    if (kind < 0) return fail(e, where, "kind", "not one of notice, event, library, lecture, guide, alert, playlist");
    if (get_str(it, where, "category", 32, true, false, &o->category, e) ||
        get_str(it, where, "locale", 16, true, false, &o->locale, e) ||
        get_str(it, where, "title", CONTENT_TITLE_MAX, true, false, &o->title, e) ||
        get_str(it, where, "body", CONTENT_BODY_MAX, kind != 6, true, &o->body, e) ||
        get_int(it, where, "published", 0, (long long)JSON_INT_MAX, true, 0, &o->published, e) ||
        get_int(it, where, "expires", 1, (long long)JSON_INT_MAX, kind == 5, 0, &o->expires, e) ||
        get_int(it, where, "priority", 0, 100, false, kind == 5 ? 100 : 0, &v, e))
        return -1;
    if (!o->body) o->body = "";
    o->priority = (int)v;
    if (!word_ok(o->category, 32, "_-")) return fail(e, where, "category", "not 1-32 of a-z 0-9 _ -");
    if (!word_ok(o->locale, 16, "A_")) return fail(e, where, "locale", "not 1-16 of A-Z a-z _");
    if (kind == 0) {
        static const char *const cats[] = {"community", "government", NULL};
        if (one_of(o->category, cats) < 0) return fail(e, where, "category", "a notice is community or government");
    }
    if (o->expires && o->expires < o->published) return fail(e, where, "expires", "before published");
    const cJSON *p = get(it, "pinned");
    if (p && !cJSON_IsBool(p)) return fail(e, where, "pinned", "not true or false");
    o->pinned = cJSON_IsTrue(p);
    const cJSON *im = get(it, "images");
    if (im) {
        if (!cJSON_IsArray(im)) return fail(e, where, "images", "not an array");
        if (cJSON_GetArraySize(im) > CONTENT_MAX_IMAGES)
            return fail(e, where, "images", "too many (at most %d)", CONTENT_MAX_IMAGES);
        for (const cJSON *s = im->child; s; s = s->next) {
            char k[24];
            snprintf(k, sizeof k, "images[%d]", o->n_images);
            if (!cJSON_IsString(s) || !cm_is_sha256(s->valuestring))
                return fail(e, where, k, "not a sha256 (64 lowercase hex digits)");
            o->images[o->n_images++] = s->valuestring;
        }
    }
    const cJSON *d = get(it, "data");
    bool needs = kind == 4 || kind == 6;
    if (needs && !d) return fail(e, where, "data", "missing (a %s needs it)", o->kind);
    if (!needs && d) return fail(e, where, "data", "only guides and playlists have data");
    if (d) {
        char dw[128];
        snprintf(dw, sizeof dw, "%s%sdata", where, where[0] ? "." : "");
        if (!cJSON_IsObject(d)) return fail(e, where, "data", "not an object");
        if (kind == 4 ? guide_check(d, dw, e) : playlist_check(d, dw, o->category, e)) return -1;
        o->data = d;
    }
    return 0;
}

int cm_item_check(const cJSON *item, const char *where, cm_item_t *out, char *err, size_t errlen)
{
    cerr_t e = {err, errlen};
    return item_check(item, where ? where : "", out, &e);
}

static int names(const cJSON *t, const char *where, const char *key, const char ***out, int *n,
                 cerr_t *e)
{
    const cJSON *a = get(t, key);
    *n = 0;
    if (!a) return 0;
    if (!cJSON_IsArray(a)) return fail(e, where, key, "not an array");
    int count = cJSON_GetArraySize(a);
    if (count > CONTENT_MAX_TARGETS) return fail(e, where, key, "too many (at most %d)", CONTENT_MAX_TARGETS);
    if (out && count) {
        *out = calloc((size_t)count, sizeof **out);
        if (!*out) return fail(e, where, key, "out of memory");
    }
    int i = 0;
    for (const cJSON *s = a->child; s; s = s->next, i++) {
        if (!cJSON_IsString(s) || !word_ok(s->valuestring, 63, "A_-")) {
            char k[32];
            snprintf(k, sizeof k, "%s[%d]", key, i);
            return fail(e, where, k, "not 1-63 of A-Z a-z 0-9 _ -");
        }
        if (out) (*out)[i] = s->valuestring;
    }
    *n = count;
    return 0;
}

static int target_parse(const cJSON *t, const char *where, cm_manifest_t *m, cerr_t *e)
{
    static const char *const keys[] = {"mode", "groups", "kiosks", NULL};
    static const char *const modes[] = {"hall", "street", "any", NULL};
    const char *mode;
    int ng, nk;
    if (!cJSON_IsObject(t)) return fail(e, where, "", "not an object");
    if (only_keys(t, where, keys, e) || get_str(t, where, "mode", 16, true, false, &mode, e)) return -1;
    if (one_of(mode, modes) < 0) return fail(e, where, "mode", "not hall, street or any");
    if (names(t, where, "groups", m ? &m->groups : NULL, m ? &m->n_groups : &ng, e) ||
        names(t, where, "kiosks", m ? &m->kiosks : NULL, m ? &m->n_kiosks : &nk, e))
        return -1;
    if (m) m->mode = mode;
    return 0;
}

int cm_target_check(const cJSON *target, const char *where, char *err, size_t errlen)
{
    cerr_t e = {err, errlen};
    return target_parse(target, where ? where : "target", NULL, &e);
}

void cm_free(cm_manifest_t *m)
{
    if (!m) return;
    cJSON_Delete(m->doc);
    free(m->groups);
    free(m->kiosks);
    free(m->items);
    free(m->assets);
    memset(m, 0, sizeof *m);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static bool have_id(const long long *ids, int n, long long id)
{
    return bsearch(&id, ids, (size_t)n, sizeof *ids, cmp_ll) != NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Cross-checks: unique ids and assets, image references listed, playlist
 * entries naming items of the bundle. */
static int cross_check(cm_manifest_t *m, cerr_t *e)
{
    int rc = -1;
    long long *ids = malloc(sizeof *ids * (size_t)(m->n_items + 1));
    const char **shas = malloc(sizeof *shas * (size_t)(m->n_assets + 1));
    if (!ids || !shas) { fail(e, "", "", "out of memory"); goto end; }
    for (int i = 0; i < m->n_items; i++) ids[i] = m->items[i].id;
    qsort(ids, (size_t)m->n_items, sizeof *ids, cmp_ll);
    for (int i = 1; i < m->n_items; i++)
        if (ids[i] == ids[i - 1]) { fail(e, "items", "", "id %lld is used twice", ids[i]); goto end; }
    for (int i = 0; i < m->n_assets; i++) shas[i] = m->assets[i].sha256;
    qsort(shas, (size_t)m->n_assets, sizeof *shas, cmp_str);
    for (int i = 1; i < m->n_assets; i++)
        if (!strcmp(shas[i], shas[i - 1])) { fail(e, "assets", "", "%s is listed twice", shas[i]); goto end; }
    for (int i = 0; i < m->n_items; i++) {
        const cm_item_t *it = &m->items[i];
        char w[48];
        snprintf(w, sizeof w, "items[%d]", i);
        for (int k = 0; k < it->n_images; k++) {
            const char *s = it->images[k];
            if (!bsearch(&s, shas, (size_t)m->n_assets, sizeof *shas, cmp_str)) {
                char key[24];
                snprintf(key, sizeof key, "images[%d]", k);
                fail(e, w, key, "not listed in assets");
                goto end;
            }
        }
        if (it->data && !strcmp(it->kind, "playlist")) {
            int j = 0;
            for (const cJSON *p = get(it->data, "items")->child; p; p = p->next, j++) {
                long long cid = (long long)get(p, "content_id")->valuedouble;
                if (!have_id(ids, m->n_items, cid)) {
                    char key[48];
                    snprintf(key, sizeof key, "data.items[%d].content_id", j);
                    fail(e, w, key, "no item %lld in this bundle", cid);
                    goto end;
                }
            }
        }
    }
    rc = 0;
end:
    free(ids);
    free(shas);
    return rc;
}

int cm_parse(const char *json, size_t len, cm_manifest_t *out, char *err, size_t errlen)
{
    static const char *const keys[] = {"format", "version", "created", "expires", "target",
                                       "items", "assets", NULL};
    static const char *const types[] = {"image/png", "image/jpeg", NULL};
    cerr_t e = {err, errlen};
    cm_manifest_t m = {0};
    long long v;
    memset(out, 0, sizeof *out);
    if (!json || !len) { fail(&e, "", "", "empty manifest"); return -1; }
    char *copy = malloc(len + 1);
    if (!copy) { fail(&e, "", "", "out of memory"); return -1; }
    memcpy(copy, json, len);
    copy[len] = '\0';
    const char *end = NULL;
    m.doc = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
    size_t at = end && end >= copy && end <= copy + len ? (size_t)(end - copy) : 0;
    if (m.doc) while (at < len && strchr(" \t\r\n", copy[at]) && copy[at]) at++;
    free(copy);
    if (!m.doc) { fail(&e, "", "", "not JSON (at byte %zu)", at); goto fail; }
    if (at < len) { fail(&e, "", "", "data after the JSON value (byte %zu)", at); goto fail; }
    if (!cJSON_IsObject(m.doc)) { fail(&e, "", "", "not a JSON object"); goto fail; }
    const cJSON *d = m.doc;
    if (only_keys(d, "", keys, &e) || get_int(d, "", "format", CONTENT_FORMAT, CONTENT_FORMAT, true, 0, &v, &e) ||
        get_int(d, "", "version", 1, (long long)JSON_INT_MAX, true, 0, &m.version, &e) ||
        get_int(d, "", "created", 0, (long long)JSON_INT_MAX, true, 0, &m.created, &e) ||
        get_int(d, "", "expires", 1, (long long)JSON_INT_MAX, true, 0, &m.expires, &e))
        goto fail;
    if (m.expires <= m.created) { fail(&e, "", "expires", "not after created"); goto fail; }
    const cJSON *t = get(d, "target");
    if (!t) { fail(&e, "", "target", "missing"); goto fail; }
    if (target_parse(t, "target", &m, &e)) goto fail;

    const cJSON *as = get(d, "assets");
    if (!cJSON_IsArray(as)) { fail(&e, "", "assets", as ? "not an array" : "missing"); goto fail; }
    m.n_assets = cJSON_GetArraySize(as);
    if (m.n_assets > CONTENT_MAX_ASSETS) { fail(&e, "", "assets", "too many (at most %d)", CONTENT_MAX_ASSETS); goto fail; }
    m.assets = calloc((size_t)m.n_assets + 1, sizeof *m.assets);
    if (!m.assets) { fail(&e, "", "", "out of memory"); goto fail; }
    int i = 0;
    for (const cJSON *a = as->child; a; a = a->next, i++) {
        static const char *const akeys[] = {"sha256", "size", "type", NULL};
        char w[32];
        const char *sha;
        snprintf(w, sizeof w, "assets[%d]", i);
        if (!cJSON_IsObject(a)) { fail(&e, w, "", "not an object"); goto fail; }
        if (only_keys(a, w, akeys, &e) || get_str(a, w, "sha256", 64, true, false, &sha, &e) ||
            get_int(a, w, "size", 1, CONTENT_MAX_ASSET_SIZE, true, 0, &m.assets[i].size, &e) ||
            get_str(a, w, "type", 32, true, false, &m.assets[i].type, &e))
            goto fail;
        if (!cm_is_sha256(sha)) { fail(&e, w, "sha256", "not 64 lowercase hex digits"); goto fail; }
        if (one_of(m.assets[i].type, types) < 0) { fail(&e, w, "type", "not image/png or image/jpeg"); goto fail; }
        memcpy(m.assets[i].sha256, sha, 65);
    }

    const cJSON *its = get(d, "items");
    if (!cJSON_IsArray(its)) { fail(&e, "", "items", its ? "not an array" : "missing"); goto fail; }
    m.n_items = cJSON_GetArraySize(its);
    if (m.n_items > CONTENT_MAX_ITEMS) { fail(&e, "", "items", "too many (at most %d)", CONTENT_MAX_ITEMS); goto fail; }
    m.items = calloc((size_t)m.n_items + 1, sizeof *m.items);
    if (!m.items) { fail(&e, "", "", "out of memory"); goto fail; }
    i = 0;
    for (const cJSON *it = its->child; it; it = it->next, i++) {
        char w[32];
        snprintf(w, sizeof w, "items[%d]", i);
        if (item_check(it, w, &m.items[i], &e)) goto fail;
    }
    if (cross_check(&m, &e)) goto fail;
    *out = m;
    return 0;
fail:
    cm_free(&m);
    return -1;
}

/* ---- signatures ------------------------------------------------------------ */

static bool hex_exact(const char *hex, size_t digits, unsigned char *bin)
{
    size_t n = 0;
    return hex && strlen(hex) == digits &&
           sodium_hex2bin(bin, digits / 2, hex, digits, NULL, &n, NULL) == 0 && n == digits / 2;
}

cm_result_t cm_verify(const char *manifest, size_t len, const char *sig_hex, const char *pk_hex)
{
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    if (sodium_init() < 0) return CM_NO_KEY;
    if (!hex_exact(pk_hex, CONTENT_KEY_HEX, pk)) return CM_NO_KEY;
    if (!hex_exact(sig_hex, CONTENT_SIG_HEX, sig)) return CM_UNSIGNED;
    if (crypto_sign_verify_detached(sig, (const unsigned char *)manifest, len, pk) != 0)
        return CM_BAD_SIGNATURE;
    return CM_OK;
}

int cm_sign(const char *manifest, size_t len, const unsigned char sk[64], char sig_hex[129])
{
    unsigned char sig[crypto_sign_BYTES];
    if (sodium_init() < 0 ||
        crypto_sign_detached(sig, NULL, (const unsigned char *)manifest, len, sk) != 0)
        return -1;
    sodium_bin2hex(sig_hex, 129, sig, sizeof sig);
    return 0;
}

bool cm_target_matches(const cm_manifest_t *m, const cm_who_t *who)
{
    if (strcmp(m->mode, "any") != 0 && (!who->mode || strcmp(m->mode, who->mode) != 0)) return false;
    if (m->n_groups == 0 && m->n_kiosks == 0) return true;
    for (int i = 0; who->group && who->group[0] && i < m->n_groups; i++)
        if (!strcmp(m->groups[i], who->group)) return true;
    for (int i = 0; who->kiosk_id && i < m->n_kiosks; i++)
        if (!strcmp(m->kiosks[i], who->kiosk_id)) return true;
    return false;
}

cm_result_t cm_accept(const char *manifest, size_t len, const char *sig_hex,
                      const char *pk_hex, const cm_who_t *who, long long now,
                      long long current, cm_manifest_t *out, char *err, size_t errlen)
{
    cm_result_t r = cm_verify(manifest, len, sig_hex, pk_hex);
    memset(out, 0, sizeof *out);
    if (r != CM_OK) {
        snprintf(err, errlen, "%s", r == CM_NO_KEY ? "no valid public key configured"
                                    : r == CM_UNSIGNED ? "the manifest is not signed"
                                    : "the signature does not match the manifest and key");
        return r;
    }
    if (cm_parse(manifest, len, out, err, errlen) != 0) return CM_MALFORMED;
    if (now > out->expires) {
        snprintf(err, errlen, "version %lld expired at %lld", out->version, out->expires);
        r = CM_EXPIRED;
    } else if (out->version <= current) {
        snprintf(err, errlen, "version %lld is not newer than %lld in use", out->version, current);
        r = CM_ROLLBACK;
    } else if (!cm_target_matches(out, who)) {
        snprintf(err, errlen, "version %lld is not for this kiosk", out->version);
        r = CM_NOT_FOR_US;
    }
    if (r != CM_OK) cm_free(out);
    return r;
}
