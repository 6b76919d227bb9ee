/* The strict check of a console item's fields (console_item.h). */
#include "console_item.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_publish.h"
#include "services/street/schedule.h"
#include "utf8.h"

/* The categories of each kind (docs/api.md "Content"). */
static const struct {
    const char *kind;
    const char *cats[4];
} kinds[] = {
    {"event", {"culture", "digital", "health", NULL}},
    {"lecture", {"safety", "health", NULL, NULL}},
    {"library", {"books", "reading", "hours", NULL}},
    {"guide", {"one_stop", NULL, NULL, NULL}},
};

int console_item_date(const char *text, bool end, long long *out)
{
    long day;
    if (!text || strlen(text) != 10 || sched_parse_date(text, &day) != 0) return -1;
    *out = (long long)(day + (end ? 1 : 0)) * 86400 - CONSOLE_ITEM_UTC_OFFSET_S - (end ? 1 : 0);
    return 0;
}

int console_item_time(const char *text, long long *out)
{
    char date[11];
    int min;
    if (!text || strlen(text) != 16 || text[10] != ' ') return -1;
    memcpy(date, text, 10);
    date[10] = '\0';
    if (console_item_date(date, false, out) != 0 || sched_parse_hhmm(text + 11, &min) != 0 || min >= 1440) return -1;
    *out += min * 60LL;
    return 0;
}

/* Text of 1..MAX bytes of UTF-8 without control characters (newlines only
 * where NEWLINES: a body's paragraphs). */
static bool text_ok(const cJSON *v, size_t max, bool newlines)
{
    if (!cJSON_IsString(v) || !v->valuestring[0]) return false;
    size_t n = strlen(v->valuestring);
    if (n > max || !utf8_valid(v->valuestring, n)) return false;
    for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
        if ((*p < 0x20 && !(newlines && *p == '\n')) || *p == 0x7f) return false;
    return true;
}

/* An optional field: absent or JSON null is NULL. */
static const cJSON *opt(const cJSON *j, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    return cJSON_IsNull(v) ? NULL : v;
}

/* List KEY of the guide data called NAME ("data", "data_en"). */
static int list_check(hub_resp_t *resp, const char *name, const cJSON *a, const char *key, bool required)
{
    if (!a) return required ? hub_error(resp, 422, "invalid_field", "%s.%s: 1 to %d lines", name, key, CONSOLE_ITEM_LIST_MAX) : 0;
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
    if (n < (required ? 1 : 0) || n > CONSOLE_ITEM_LIST_MAX)
        return hub_error(resp, 422, "invalid_field", "%s.%s: %d to %d lines", name, key, required ? 1 : 0,
                         CONSOLE_ITEM_LIST_MAX);
    int i = 0;
    for (const cJSON *v = a->child; v; v = v->next, i++)
        if (!text_ok(v, CONSOLE_ITEM_LINE_MAX, false))
            return hub_error(resp, 422, "invalid_field", "%s.%s[%d]: 1-%d bytes of text on one line", name, key, i,
                             CONSOLE_ITEM_LINE_MAX);
    return 0;
}

/* A guide's data called NAME ("data", or "data_en": its English) (docs/api.md
 * "Guide data"): only its keys, steps required, each line and text within
 * what the kiosk's guide screen shows whole. Its JSON text into *TEXT. 0 or
 * the error status. */
static int guide_check(hub_resp_t *resp, const char *name, const cJSON *d, char **text)
{
    static const struct { const char *key; size_t max; } texts[] = {
        {"where", CONSOLE_ITEM_LINE_MAX}, {"hours", CONSOLE_ITEM_LINE_MAX},
        {"phone", CONSOLE_ITEM_SHORT_MAX}, {"fee", CONSOLE_ITEM_SHORT_MAX}};
    if (!cJSON_IsObject(d))
        return hub_error(resp, 422, "invalid_field", "%s: an object {steps, bring, where, hours, phone, fee}", name);
    for (const cJSON *k = d->child; k; k = k->next) {
        bool known = !strcmp(k->string, "steps") || !strcmp(k->string, "bring");
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) known |= !strcmp(k->string, texts[i].key);
        if (!known)
            return hub_error(resp, 422, "invalid_field", "%s.%.40s: unknown field (steps, bring, where, hours, phone, fee)",
                             name, k->string);
    }
    int rc = list_check(resp, name, cJSON_GetObjectItemCaseSensitive(d, "steps"), "steps", true);
    if (!rc) rc = list_check(resp, name, opt(d, "bring"), "bring", false);
    if (rc) return rc;
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const cJSON *v = opt(d, texts[i].key);
        if (v && !text_ok(v, texts[i].max, false))
            return hub_error(resp, 422, "invalid_field", "%s.%s: 1-%zu bytes of text on one line", name, texts[i].key,
                             texts[i].max);
    }
    /* Kept without the nulls a form may send for empty fields. */
    cJSON *clean = cJSON_Duplicate(d, true);
    if (!clean) return hub_error(resp, 500, "memory", "out of memory");
    for (cJSON *v = clean->child, *next; v; v = next) {
        next = v->next;
        if (cJSON_IsNull(v)) cJSON_DeleteItemFromObjectCaseSensitive(clean, v->string);
    }
    *text = cJSON_PrintUnformatted(clean);
    cJSON_Delete(clean);
    if (!*text) return hub_error(resp, 500, "memory", "out of memory");
    if (strlen(*text) > CONSOLE_ITEM_DATA_MAX)
        return hub_error(resp, 422, "invalid_field", "%s: %zu bytes as JSON, at most %d (the kiosk shows no more)",
                         name, strlen(*text), CONSOLE_ITEM_DATA_MAX);
    return 0;
}

/* published, expires, starts and places of F (kind known), against NOW. */
static int dates_check(hub_resp_t *resp, const cJSON *j, console_item_fields_t *f, bool timed, long long now)
{
    const cJSON *pub = opt(j, "published"), *exp = opt(j, "expires"), *st = opt(j, "starts"), *pl = opt(j, "places");
    long long p = 0, e = 0, s = 0;
    if (pub && (!cJSON_IsString(pub) || console_item_date(pub->valuestring, false, &p) != 0))
        return hub_error(resp, 422, "invalid_field", "published: a date YYYY-MM-DD (China time)");
    if (exp && (!cJSON_IsString(exp) || console_item_date(exp->valuestring, true, &e) != 0))
        return hub_error(resp, 422, "invalid_field", "expires: a date YYYY-MM-DD (China time)");
    if (exp && e < now) return hub_error(resp, 422, "invalid_field", "expires: %s has passed", exp->valuestring);
    if (pub && exp && e < p) return hub_error(resp, 422, "invalid_field", "expires: before published");
    if (!timed) {
        if (st) return hub_error(resp, 422, "invalid_field", "starts: only events and lectures start");
        if (pl) return hub_error(resp, 422, "invalid_field", "places: only events and lectures take registrations");
    } else {
        if (!st) return hub_error(resp, 422, "missing_field", "starts is required for events and lectures");
        if (!cJSON_IsString(st) || console_item_time(st->valuestring, &s) != 0)
            return hub_error(resp, 422, "invalid_field", "starts: a date and time YYYY-MM-DD HH:MM (China time)");
        if (s < now) return hub_error(resp, 422, "invalid_field", "starts: %s has passed", st->valuestring);
        if (exp && e < s) return hub_error(resp, 422, "invalid_field", "expires: before the start");
        if (pub && p > s) return hub_error(resp, 422, "invalid_field", "published: after the start");
        if (pl && (!cJSON_IsNumber(pl) || pl->valuedouble != (double)(long long)pl->valuedouble ||
                   pl->valuedouble < 1 || pl->valuedouble > CONSOLE_ITEM_PLACES_MAX))
            return hub_error(resp, 422, "invalid_field", "places: a whole number from 1 to %d (or none: open to all)",
                             CONSOLE_ITEM_PLACES_MAX);
        f->starts = st->valuestring;
        f->places = pl ? (long long)pl->valuedouble : 0;
    }
    f->published = pub ? pub->valuestring : NULL;
    f->expires = exp ? exp->valuestring : NULL;
    return 0;
}

/* Text or none: absent, null and "" are none. */
static const cJSON *opt_text(const cJSON *j, const char *key)
{
    const cJSON *v = opt(j, key);
    return cJSON_IsString(v) && !v->valuestring[0] ? NULL : v;
}

/* The optional English of an item of kind K (3: a guide): title_en and
 * body_en, both or neither, checked as the Chinese; a guide's English
 * needs data_en, its guide data in English (checked as data). */
static int english_check(hub_resp_t *resp, const cJSON *j, int k, console_item_fields_t *f)
{
    const cJSON *t = opt_text(j, "title_en"), *b = opt_text(j, "body_en"), *d = opt(j, "data_en");
    if (t && !text_ok(t, CONSOLE_ITEM_TITLE_MAX, false))
        return hub_error(resp, 422, "invalid_field", "title_en: 1-%d bytes of text on one line, or none",
                         CONSOLE_ITEM_TITLE_MAX);
    if (b && !text_ok(b, CONSOLE_ITEM_BODY_MAX, true))
        return hub_error(resp, 422, "invalid_field", "body_en: 1-%d bytes of text, or none", CONSOLE_ITEM_BODY_MAX);
    if (!t != !b)
        return hub_error(resp, 422, "missing_field", "%s: the English needs a title and a body (or neither)",
                         t ? "body_en" : "title_en");
    if (k != 3 && d) return hub_error(resp, 422, "invalid_field", "data_en: only guides have data");
    if (k == 3 && t && !d) return hub_error(resp, 422, "missing_field", "data_en is required for a guide in English");
    if (k == 3 && d && !t) return hub_error(resp, 422, "invalid_field", "data_en: only with title_en and body_en");
    if (!t) return 0;
    f->title_en = t->valuestring;
    f->body_en = b->valuestring;
    return k == 3 ? guide_check(resp, "data_en", d, &f->data_en) : 0;
}

int console_item_fields(const hub_req_t *req, hub_resp_t *resp, const staff_t *s, console_item_fields_t *f)
{
    static const char *const keys[] = {"kind", "title", "body", "category", "groups", "published",
                                       "expires", "pinned", "starts", "places", "data", "title_en",
                                       "body_en", "data_en"};
    const cJSON *j = req->json;
    memset(f, 0, sizeof *f);
    for (const cJSON *k = j ? j->child : NULL; k; k = k->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) known |= !strcmp(k->string, keys[i]);
        if (!known)
            return hub_error(resp, 422, "invalid_field", "%.40s: unknown field (kind, title, body, category, groups,"
                             " published, expires, pinned, starts, places, data, title_en, body_en, data_en)", k->string);
    }
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind"), *title = cJSON_GetObjectItemCaseSensitive(j, "title");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body"), *cat = cJSON_GetObjectItemCaseSensitive(j, "category");
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(j, "groups"), *pinned = opt(j, "pinned");
    const cJSON *data = opt(j, "data");
    if (!kind || !title || !body || !cat || !groups)
        return hub_error(resp, 422, "missing_field", "kind, title, body, category and groups are required");
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (cJSON_IsString(kind) && !strcmp(kind->valuestring, kinds[i].kind)) k = i;
    if (k < 0) return hub_error(resp, 422, "invalid_field", "kind: event, lecture, library or guide");
    f->kind = kinds[k].kind;
    if (!text_ok(title, CONSOLE_ITEM_TITLE_MAX, false))
        return hub_error(resp, 422, "invalid_field", "title: 1-%d bytes of text on one line", CONSOLE_ITEM_TITLE_MAX);
    if (!text_ok(body, CONSOLE_ITEM_BODY_MAX, true))
        return hub_error(resp, 422, "invalid_field", "body: 1-%d bytes of text", CONSOLE_ITEM_BODY_MAX);
    bool cat_ok = false;
    for (int i = 0; i < 4 && kinds[k].cats[i]; i++) cat_ok |= cJSON_IsString(cat) && !strcmp(cat->valuestring, kinds[k].cats[i]);
    if (!cat_ok)
        return hub_error(resp, 422, "invalid_field", "category: for %s one of %s%s%s%s%s", f->kind, kinds[k].cats[0],
                         kinds[k].cats[1] ? ", " : "", kinds[k].cats[1] ? kinds[k].cats[1] : "",
                         kinds[k].cats[2] ? ", " : "", kinds[k].cats[2] ? kinds[k].cats[2] : "");
    f->title = title->valuestring;
    f->body = body->valuestring;
    f->category = cat->valuestring;
    if (pinned && !cJSON_IsBool(pinned)) return hub_error(resp, 422, "invalid_field", "pinned: true or false");
    f->pinned = cJSON_IsTrue(pinned);
    bool timed = k <= 1;
    int rc = dates_check(resp, j, f, timed, req->now);
    if (rc) return rc;
    if (k == 3 && !data) return hub_error(resp, 422, "missing_field", "data is required for guides");
    if (k != 3 && data) return hub_error(resp, 422, "invalid_field", "data: only guides have data");
    if (k == 3 && (rc = guide_check(resp, "data", data, &f->data)) != 0) return rc;
    if ((rc = english_check(resp, j, k, f)) != 0) return rc;
    if ((rc = console_groups_check(resp, s, STAFF_WRITE_DRAFT, groups)) != 0) return rc;
    f->groups = cJSON_PrintUnformatted(groups);
    return f->groups ? 0 : hub_error(resp, 500, "memory", "out of memory");
}

void console_item_fields_free(console_item_fields_t *f)
{
    free(f->groups);
    free(f->data);
    free(f->data_en);
    f->groups = f->data = f->data_en = NULL;
}
