#include "services/street/content.h"

#include <cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "jsonnum.h"
#include "utf8.h"

static const char *const known_categories[] = {
    "community", "government", "alert", "culture", "digital", "health", "books",
    "reading", "hours", "safety", "one_stop", NULL,
};

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long num(const cJSON *o, const char *key, long long dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return json_whole_or(v, dflt);
}

static void parse_item(const cJSON *o, const char *assets_dir, street_content_t *out)
{
    long id = (long)num(o, "id", 0);
    const char *kind = str(o, "kind"), *cat = str(o, "category");
    const char *title = str(o, "title"), *body = str(o, "body");
    if (id <= 0 || !kind || !title || !*title) {
        log_warn("street", "content item %ld skipped: no id, kind or title", id);
        return;
    }
    if (out->n_items >= STREET_MAX_ITEMS) {
        log_warn("street", "content item %ld skipped: more than %d items", id, STREET_MAX_ITEMS);
        return;
    }
    street_item_t *it = &out->items[out->n_items];
    memset(it, 0, sizeof *it);
    it->id = id;
    utf8_copy(it->kind, sizeof it->kind, kind);
    bool known = false;
    for (int i = 0; cat && known_categories[i]; i++) known |= strcmp(cat, known_categories[i]) == 0;
    if (known) utf8_copy(it->category, sizeof it->category, cat);
    else log_info("street", "content item %ld: unknown category '%.24s', shown without one", id,
                  cat ? cat : "");
    if (utf8_copy(it->title, sizeof it->title, title))
        log_info("street", "content item %ld: title cut to %zu bytes", id, sizeof it->title - 1);
    if (utf8_copy(it->body, sizeof it->body, body ? body : ""))
        log_info("street", "content item %ld: body cut to %zu bytes", id, sizeof it->body - 1);
    it->published = (time_t)num(o, "published", 0);
    it->expires = (time_t)num(o, "expires", 0);
    const cJSON *pin = cJSON_GetObjectItemCaseSensitive(o, "pinned");
    it->pinned = cJSON_IsTrue(pin);
    const char *img = str(o, "image");
    if (img && *img) {
        char path[512];
        /* A signed bundle's picture comes as its checked file (.../content/
         * assets/<sha256>); anything else is a path under ASSETS_DIR. */
        const char *slash = strrchr(img, '/');
        bool bundle = img[0] == '/' && slash && slash - img >= 15 &&
                      !strncmp(slash - 15, "/content/assets", 15) && strlen(slash + 1) == 64 &&
                      strspn(slash + 1, "0123456789abcdef") == 64;
        if (bundle) snprintf(path, sizeof path, "%s", img);
        else snprintf(path, sizeof path, "%s/%s", assets_dir ? assets_dir : ".", img);
        if (strstr(img, "..") || strlen(path) >= sizeof it->image || access(path, R_OK) != 0)
            log_warn("street", "content item %ld: image '%.64s' missing, shown without it", id, img);
        else
            snprintf(it->image, sizeof it->image, "%s", path);
    }
    if (strcmp(it->kind, "notice") == 0 && strcmp(it->category, "alert") == 0) {
        if (it->expires <= 0) {
            log_warn("street", "alert %ld skipped: no expiry", id);
            return;
        }
        if (out->n_alerts < SCHED_MAX_ALERTS)
            out->alerts[out->n_alerts++] = (sched_alert_t){id, it->published, it->expires};
        else
            log_warn("street", "alert %ld skipped: more than %d alerts", id, SCHED_MAX_ALERTS);
    }
    out->n_items++;
}

static int parse_rule(const cJSON *sch, sched_rule_t *r, long id)
{
    memset(r, 0, sizeof *r);
    if (!sch) return 0;                          /* no schedule: always on */
    if (!cJSON_IsObject(sch)) return -1;
    const cJSON *wd = cJSON_GetObjectItemCaseSensitive(sch, "weekdays"), *v;
    if (wd) {
        if (!cJSON_IsArray(wd)) return -1;
        cJSON_ArrayForEach(v, wd) {
            if (!cJSON_IsNumber(v) || v->valueint < 1 || v->valueint > 7) return -1;
            r->weekdays |= 1u << v->valueint;
        }
        if (!r->weekdays) r->weekdays = 1u << 8;  /* an empty list: never (no ISO day has bit 8) */
    }
    const cJSON *wins = cJSON_GetObjectItemCaseSensitive(sch, "windows");
    if (wins) {
        if (!cJSON_IsArray(wins)) return -1;
        cJSON_ArrayForEach(v, wins) {
            if (r->n_win >= SCHED_MAX_WINDOWS) {
                log_warn("street", "playlist %ld: windows after the %dth ignored", id, SCHED_MAX_WINDOWS);
                break;
            }
            sched_window_t w;
            if (sched_parse_hhmm(str(v, "from"), &w.from_min) != 0 ||
                sched_parse_hhmm(str(v, "to"), &w.to_min) != 0)
                return -1;
            r->win[r->n_win++] = w;
        }
    }
    const char *fd = str(sch, "from_date"), *td = str(sch, "to_date");
    if (fd) { if (sched_parse_date(fd, &r->from_day) != 0) return -1; r->has_from = true; }
    if (td) { if (sched_parse_date(td, &r->to_day) != 0) return -1; r->has_to = true; }
    return 0;
}

static void parse_playlist(const cJSON *o, street_content_t *out)
{
    long id = (long)num(o, "id", 0);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
    const char *screen = str(data, "screen");
    if (!cJSON_IsObject(data) || (screen && strcmp(screen, "street") != 0)) {
        log_info("street", "playlist %ld skipped: no data or not for the street screen", id);
        return;
    }
    if (out->n_pl >= SCHED_MAX_PLAYLISTS) {
        log_warn("street", "playlist %ld skipped: more than %d playlists", id, SCHED_MAX_PLAYLISTS);
        return;
    }
    sched_playlist_t *pl = &out->pl[out->n_pl];
    memset(pl, 0, sizeof *pl);
    pl->id = id;
    pl->priority = (int)num(data, "priority", 0);
    pl->tz_off_s = 8 * 3600;
    const char *tz = str(data, "time_zone");
    if (tz && sched_tz_offset(tz, &pl->tz_off_s) != 0)
        log_warn("street", "playlist %ld: time zone '%.40s' unknown, using UTC+8", id, tz);
    if (parse_rule(cJSON_GetObjectItemCaseSensitive(data, "schedule"), &pl->rule, id) != 0) {
        log_warn("street", "playlist %ld skipped: bad schedule", id);
        return;
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(data, "items"), *v;
    cJSON_ArrayForEach(v, items) {
        if (pl->n_items >= SCHED_MAX_ITEMS) {
            log_warn("street", "playlist %ld: items after the %dth ignored", id, SCHED_MAX_ITEMS);
            break;
        }
        long cid = (long)num(v, "content_id", 0);
        long long dur = num(v, "duration_s", 0);
        if (cid <= 0 || dur <= 0 || dur > 3600) {
            log_warn("street", "playlist %ld: item %ld skipped: bad id or duration", id, cid);
            continue;
        }
        pl->items[pl->n_items++] = (sched_item_t){cid, (int)dur, 0, false};
    }
    if (pl->n_items == 0) log_info("street", "playlist %ld is empty", id);
    out->n_pl++;
}

/* Links playlist items to their content: expiry, or bad when missing. */
static void link_items(street_content_t *c)
{
    for (int p = 0; p < c->n_pl; p++) {
        for (int i = 0; i < c->pl[p].n_items; i++) {
            sched_item_t *si = &c->pl[p].items[i];
            const street_item_t *it = street_content_item(c, si->content_id);
            si->bad = !it;
            if (!it) log_info("street", "playlist %ld: content %ld missing, skipped", c->pl[p].id,
                              si->content_id);
            else si->expires = it->expires;
        }
    }
}

int street_content_parse(const char *doc, const char *assets_dir, street_content_t *out)
{
    memset(out, 0, sizeof *out);
    cJSON *root = doc ? cJSON_Parse(doc) : NULL;
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return -1;
    }
    out->fetched = (time_t)num(root, "fetched", 0);
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "items"))
        if (cJSON_IsObject(v)) parse_item(v, assets_dir, out);
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(root, "playlists"))
        if (cJSON_IsObject(v)) parse_playlist(v, out);
    cJSON_Delete(root);
    link_items(out);
    return 0;
}

const street_item_t *street_content_item(const street_content_t *c, long id)
{
    for (int i = 0; i < c->n_items; i++)
        if (c->items[i].id == id) return &c->items[i];
    return NULL;
}

void street_content_fallback(street_content_t *c, store_t *st, const char *locale, int duration_s)
{
    bool any = false;
    for (int i = 0; i < c->n_items; i++)
        any |= strcmp(c->items[i].kind, "notice") == 0 && strcmp(c->items[i].category, "alert") != 0;
    if (!any && st) {
        notice_t ns[16];
        int n = store_notices(st, locale, ns, 16);
        for (int i = 0; i < n && c->n_items < STREET_MAX_ITEMS; i++) {
            street_item_t *it = &c->items[c->n_items++];
            memset(it, 0, sizeof *it);
            it->id = (long)ns[i].id;
            snprintf(it->kind, sizeof it->kind, "%s", "notice");
            snprintf(it->category, sizeof it->category, "%s", ns[i].category);
            utf8_copy(it->title, sizeof it->title, ns[i].title);
            utf8_copy(it->body, sizeof it->body, ns[i].body);
            it->published = ns[i].published;
            it->pinned = ns[i].pinned;
        }
    }
    if (c->n_pl >= SCHED_MAX_PLAYLISTS) return;
    sched_playlist_t *pl = &c->pl[c->n_pl];
    memset(pl, 0, sizeof *pl);
    pl->priority = INT_MIN;
    for (int i = 0; i < c->n_items && pl->n_items < SCHED_MAX_ITEMS; i++) {
        const street_item_t *it = &c->items[i];
        if (strcmp(it->kind, "notice") != 0 || strcmp(it->category, "alert") == 0) continue;
        pl->items[pl->n_items++] = (sched_item_t){it->id, duration_s > 0 ? duration_s : 8,
                                                  it->expires, false};
    }
    if (pl->n_items > 0) c->n_pl++;
}
