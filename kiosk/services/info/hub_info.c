#include "services/info/hub_info.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "jsonnum.h"
#include "utf8.h"

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool int_of(const cJSON *o, const char *k, long long *out)
{
    return json_whole(cJSON_GetObjectItemCaseSensitive(o, k), out);
}

static bool item_of(const cJSON *o, info_item_t *it)
{
    memset(it, 0, sizeof *it);
    long long v;
    const char *kind = str_of(o, "kind"), *title = str_of(o, "title"), *body = str_of(o, "body");
    const char *cat = str_of(o, "category");
    if (!cJSON_IsObject(o) || !int_of(o, "id", &it->id) || it->id <= 0 || !kind || !title ||
        !body || !cat || !*title || strlen(kind) >= sizeof it->kind || strlen(cat) >= sizeof it->category)
        return false;
    snprintf(it->kind, sizeof it->kind, "%s", kind);
    snprintf(it->category, sizeof it->category, "%s", cat);
    utf8_copy(it->title, sizeof it->title, title);
    utf8_copy(it->body, sizeof it->body, body);
    if (!int_of(o, "published", &v)) return false;
    it->published = (time_t)v;
    it->expires = int_of(o, "expires", &v) ? (time_t)v : 0;
    it->pinned = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "pinned"));
    long long places, left;
    if (int_of(o, "places", &places) && int_of(o, "left", &left) && places >= 0 && left >= 0 &&
        left <= places) {
        it->places = (int)places;
        it->left = (int)left;
    } else {
        it->places = it->left = -1;
    }
    it->starts = int_of(o, "starts", &v) ? (time_t)v : 0;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
    if (cJSON_IsObject(data)) {
        char *s = cJSON_PrintUnformatted(data);
        if (s && strlen(s) < sizeof it->data) snprintf(it->data, sizeof it->data, "%s", s);
        cJSON_free(s);
    }
    return true;
}

int hub_parse_content(const char *json, size_t len, info_item_t *out, int max, int *n,
                      int *dropped, char *err, size_t errlen)
{
    *n = 0;
    if (dropped) *dropped = 0;
    char *copy = malloc(len + 1);        /* cJSON may read past LEN: give it a NUL */
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    cJSON *doc = cJSON_ParseWithLength(copy, len);
    free(copy);
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(doc, "items");
    if (!cJSON_IsObject(doc) || !cJSON_IsArray(items)) {
        snprintf(err, errlen, "items: missing or not an array");
        cJSON_Delete(doc);
        return -1;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, items) {
        if (*n < max && item_of(o, &out[*n])) (*n)++;
        else if (dropped) (*dropped)++;
    }
    cJSON_Delete(doc);
    return 0;
}

static int list_of(const cJSON *o, const char *k, char (*out)[200], int max)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, k), *v;
    int n = 0;
    cJSON_ArrayForEach(v, a)
        if (cJSON_IsString(v) && n < max) utf8_copy(out[n++], 200, v->valuestring);
    return n;
}

int hub_parse_guide(const char *data, guide_data_t *out)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_Parse(data ? data : "");
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return -1;
    }
    out->n_steps = list_of(o, "steps", out->steps, GUIDE_LIST_MAX);
    out->n_bring = list_of(o, "bring", out->bring, GUIDE_LIST_MAX);
    const char *s;
    if ((s = str_of(o, "where"))) utf8_copy(out->where, sizeof out->where, s);
    if ((s = str_of(o, "hours"))) utf8_copy(out->hours, sizeof out->hours, s);
    if ((s = str_of(o, "phone"))) utf8_copy(out->phone, sizeof out->phone, s);
    if ((s = str_of(o, "fee"))) utf8_copy(out->fee, sizeof out->fee, s);
    cJSON_Delete(o);
    return 0;
}

void hub_content_list(hub_client_t *c, const char *kind, const char *locale, info_item_t *out,
                      int max, int *n, hub_status_t *st)
{
    char path[128], *resp = NULL;
    *n = 0;
    snprintf(path, sizeof path, "/v1/content?kind=%s&locale=%s", kind, locale);
    hub_send_json(c, "GET", path, NULL, NULL, &resp, st);
    if (st->result == HUB_OK) {
        int dropped = 0;
        if (hub_parse_content(resp, strlen(resp), out, max, n, &dropped, st->message,
                              sizeof st->message) != 0) {
            st->result = HUB_UNKNOWN;
            snprintf(st->code, sizeof st->code, "garbage");
        } else if (dropped) {
            log_warn("info", "content %s: %d item(s) skipped (malformed or too many)", kind, dropped);
        }
    }
    free(resp);
}

char *hub_event_register_body(const char *name, const char *phone, const char *rescode)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddStringToObject(b, "phone", phone);
    if (rescode && rescode[0]) cJSON_AddStringToObject(b, "rescode", rescode);
    char *body = cJSON_PrintUnformatted(b);
    for (cJSON *v = b->child; v; v = v->next)      /* the name and phone are personal */
        if (v->valuestring) sodium_memzero(v->valuestring, strlen(v->valuestring));
    cJSON_Delete(b);
    return body;
}

int hub_parse_left(const char *json)
{
    cJSON *doc = cJSON_Parse(json ? json : "");
    long long n = json_whole_or(cJSON_GetObjectItemCaseSensitive(doc, "left"), -1);
    cJSON_Delete(doc);
    return n >= 0 && n <= 1000000 ? (int)n : -1;
}

void hub_event_register(hub_client_t *c, long long id, const char *name, const char *phone,
                        const char *rescode, const char *idem_key, int *left, hub_status_t *st)
{
    char path[64], *resp = NULL;
    *left = -1;
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", id);
    char *body = hub_event_register_body(name, phone, rescode);
    if (!body) {
        st->result = HUB_UNKNOWN;
        snprintf(st->code, sizeof st->code, "memory");
        return;
    }
    hub_send_json(c, "POST", path, idem_key, body, &resp, st);
    sodium_memzero(body, strlen(body));
    cJSON_free(body);
    if (st->result == HUB_OK) *left = hub_parse_left(resp);
    free(resp);
}
