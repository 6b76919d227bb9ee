/* Street mode on the UI thread: runs the schedule engine on the UI clock,
 * takes the content worker's documents, keeps the proof of play. */
#include <cjson/cJSON.h>
#include "services/street/street.h"
#include "content/content_store.h"

#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "store/proof_of_play.h"
#include "store/writer.h"

#define POP_KEEP_S (30 * 86400)    /* proof of play never sent is dropped after 30 days */

static sched_input_t input(const struct street_state *st)
{
    return (sched_input_t){st->content.pl, st->content.n_pl, st->content.alerts, st->content.n_alerts};
}

/* Sets the night schedule from its settings' values (OFF, ON "HH:MM";
 * MODE "dim" or anything else for blank). */
static void night_apply(app_t *app, const char *off, const char *on, const char *mode)
{
    struct street_state *st = app->street;
    st->night_set = false;
    st->night_mode = STREET_NIGHT_BLANK;
    int a, b;
    if (off[0] && on[0] && sched_parse_hhmm(off, &a) == 0 && sched_parse_hhmm(on, &b) == 0 &&
        a % 1440 != b % 1440) {
        memset(&st->night, 0, sizeof st->night);
        st->night.win[0] = (sched_window_t){a % 1440, b % 1440};
        st->night.n_win = 1;
        st->night_set = true;
    } else if (off[0] || on[0]) {
        log_warn("street", "night schedule '%s'-'%s' not usable: always on", off, on);
    }
    if (strcmp(mode, "dim") == 0) st->night_mode = STREET_NIGHT_DIM;
}

static void night_load(app_t *app)
{
    struct street_state *st = app->street;
    char off[16] = "", on[16] = "", mode[16] = "", zone[48] = "";
    st->night_tz = 8 * 3600;
    if (app->store) {
        store_setting_get(app->store, STREET_KEY_NIGHT_OFF, off, sizeof off);
        store_setting_get(app->store, STREET_KEY_NIGHT_ON, on, sizeof on);
        store_setting_get(app->store, STREET_KEY_NIGHT_MODE, mode, sizeof mode);
        store_setting_get(app->store, STREET_KEY_NIGHT_ZONE, zone, sizeof zone);
    }
    night_apply(app, off, on, mode);
    if (zone[0] && sched_tz_offset(zone, &st->night_tz) != 0)
        log_warn("street", "night schedule zone '%s' unknown: UTC+8", zone);
}

/* Re-evaluates the night schedule; true if it changed. */
static bool night_update(app_t *app)
{
    struct street_state *st = app->street;
    time_t now = clock_wall();
    bool was = st->night_on;
    if (!st->night_set) {
        st->night_on = false;
        st->night_change = 0;
    } else {
        st->night_on = sched_rule_on(&st->night, st->night_tz, now, &st->night_change);
    }
    if (st->night_on != was)
        log_info("street", "night schedule: screen %s", st->night_on ? "off" : "on");
    return st->night_on != was;
}

static bool blank(const struct street_state *st)
{
    return st->night_on && st->night_mode == STREET_NIGHT_BLANK;
}

/* The proof of play of what is on screen, up to now. */
static void pop_close(app_t *app)
{
    struct street_state *st = app->street;
    if (st->cur.what == SCHED_NONE || !st->shown_ms) return;
    uint64_t now = clock_mono_ms();
    pop_record_t r = {0};
    r.content_id = st->cur.content_id;
    r.playlist_id = st->cur.what == SCHED_ITEM ? st->cur.playlist_id : 0;
    snprintf(r.kind, sizeof r.kind, "%s", st->cur.what == SCHED_ALERT ? "alert" : "item");
    r.started = st->shown_wall;
    r.shown_ms = (long long)(now - st->shown_ms);
    store_writer_pop(app->writer, &r);
    st->shown_ms = 0;
}

/* Shows what the schedule says now; FADE: cross-fade from an item to an item. */
static void step(app_t *app, bool fade)
{
    struct street_state *st = app->street;
    time_t wall = clock_wall();
    uint64_t now = clock_mono_ms();
    sched_input_t in = input(st);
    sched_pick_t next;
    sched_next(&in, wall, &st->cur, &next);
    if (blank(st) && next.what != SCHED_ALERT) {
        /* Blank for the night: nothing plays, an alert still shows. */
        time_t until = st->night_change > wall ? st->night_change : next.until;
        for (int i = 0; i < st->content.n_alerts; i++)
            if (st->content.alerts[i].published > wall && st->content.alerts[i].published < until)
                until = st->content.alerts[i].published;
        memset(&next, 0, sizeof next);
        next.what = SCHED_NONE;
        next.pl = next.item = next.alert = -1;
        next.until = until;
    }
    bool same = next.what == st->cur.what && next.content_id == st->cur.content_id;
    pop_close(app);
    st->prev = st->cur;
    st->cur = next;
    if (next.what != SCHED_NONE) {
        st->shown_wall = wall;
        st->shown_ms = now ? now : 1;
    }
    st->fading = fade && !same && next.what == SCHED_ITEM && st->prev.what == SCHED_ITEM;
    if (st->fading) st->fade_start_ms = st->last_frame_ms = now;
    if (!same) {
        st->steps++;
        app->dirty = true;
    }
    uint64_t wait = next.until > wall ? (uint64_t)(next.until - wall) * 1000u : 1000u;
    st->next_ms = now + wait;
}

void street_screen_enter(app_t *app)
{
    struct street_state *st = app->street;
    if (!st) return;
    st->active = true;
    night_update(app);
    memset(&st->cur, 0, sizeof st->cur);
    st->cur.what = SCHED_NONE;
    step(app, false);
}

void street_screen_leave(app_t *app)
{
    struct street_state *st = app->street;
    if (!st) return;
    pop_close(app);
    st->active = false;
    st->fading = false;
}

static void fallback(app_t *app)
{
    street_content_fallback(&app->street->content, app->store, app->cfg.locale,
                            app->cfg.attract_interval_s);
}

int street_set_content(app_t *app, const char *doc, bool cache)
{
    struct street_state *st = app->street;
    if (!st) return -1;
    street_content_t *c = malloc(sizeof *c);
    if (!c) return -1;
    if (street_content_parse(doc, app->cfg.assets_dir, c) != 0) {
        log_warn("street", "content document not understood: kept what was shown");
        free(c);
        return -1;
    }
    st->content = *c;
    free(c);
    fallback(app);
    if (cache && app->writer) {
        const char *key = STREET_KEY_CACHE;
        /* Not durable: a lost cache only means the fallback until the hub answers. */
        if (strlen(doc) < STREET_CACHE_MAX) store_writer_settings(app->writer, &key, &doc, 1, false, 0, 0);
        else log_warn("street", "content of %zu bytes not cached", strlen(doc));
    }
    log_info("street", "content: %d playlists, %d items, %d alerts", st->content.n_pl,
             st->content.n_items, st->content.n_alerts);
    if (st->active) {
        /* The indexes of what is on screen refer to the old content. */
        sched_pick_t old = st->cur;
        st->cur.pl = st->cur.item = -1;
        for (int p = 0; p < st->content.n_pl && old.what == SCHED_ITEM; p++) {
            if (st->content.pl[p].id != old.playlist_id) continue;
            for (int i = 0; i < st->content.pl[p].n_items; i++)
                if (st->content.pl[p].items[i].content_id == old.content_id) {
                    st->cur.pl = p;
                    st->cur.item = i;
                }
        }
        /* Keep showing the current item unless an alert came or it went. */
        sched_input_t in = input(st);
        sched_pick_t probe;
        sched_next(&in, clock_wall(), NULL, &probe);
        bool gone = old.what != SCHED_NONE && !street_content_item(&st->content, old.content_id);
        if (probe.what == SCHED_ALERT || old.what == SCHED_ALERT || old.what == SCHED_NONE || gone) {
            if (probe.what == SCHED_ALERT) st->fading = false;
            step(app, false);
        }
        app->dirty = true;
    }
    return 0;
}

int street_night_command(app_t *app, const char *off, const char *on, const char *mode,
                         long long cmd_id)
{
    int a, b;
    bool none = (!off || !*off) && (!on || !*on);
    if (!none && (sched_parse_hhmm(off, &a) != 0 || sched_parse_hhmm(on, &b) != 0)) return -1;
    if (mode && strcmp(mode, "blank") != 0 && strcmp(mode, "dim") != 0) return -1;
    const char *keys[] = {STREET_KEY_NIGHT_OFF, STREET_KEY_NIGHT_ON, STREET_KEY_NIGHT_MODE};
    const char *values[] = {none ? "" : off, none ? "" : on, mode ? mode : "blank"};
    /* Durable: a schedule the hub was told is stored must outlive a power cut. */
    if (store_writer_settings(app->writer, keys, values, 3, true,
                              cmd_id ? app->ev_base + APP_EV_STORED : 0, cmd_id) != 0)
        return -1;
    if (!app->street) return 0;
    night_apply(app, values[0], values[1], values[2]);
    night_update(app);
    if (app->street->active) step(app, false);
    app->dirty = true;
    return 0;
}

int street_night_set(app_t *app, const char *off, const char *on, const char *mode)
{
    return street_night_command(app, off, on, mode, 0);
}

/* With a content public key in kiosk.ini, the street display shows signed
 * content only (the bundle in use, content/sync.c): an alert nobody signed
 * can never take the screen over. The bundle's items become the document
 * street_content_parse reads; alerts (kind "alert") become notices of
 * category "alert"; pictures are the bundle's checked assets. */
static bool signed_only(const app_t *app)
{
    return app->cfg.content_public_key[0] != '\0';
}

struct bundle_json {
    const app_t *app;
    cJSON *playlists, *items;
};

static void bundle_row(const content_row_t *r, void *ctx)
{
    struct bundle_json *b = ctx;
    bool alert = !strcmp(r->kind, "alert");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    cJSON_AddStringToObject(o, "kind", alert ? "notice" : r->kind);
    cJSON_AddStringToObject(o, "category", alert ? "alert" : r->category);
    cJSON_AddStringToObject(o, "title", r->title);
    cJSON_AddStringToObject(o, "body", r->body);
    cJSON_AddNumberToObject(o, "published", (double)r->published);
    if (r->has_expires) cJSON_AddNumberToObject(o, "expires", (double)r->expires);
    cJSON_AddBoolToObject(o, "pinned", r->pinned);
    char path[400];
    if (content_store_image(r->images, b->app->cfg.var_dir, path, sizeof path))
        cJSON_AddStringToObject(o, "image", path);
    cJSON *d = r->data ? cJSON_Parse(r->data) : NULL;
    /* A bundle keeps a playlist's priority on the item (manifest form), the
     * street document in its data (as GET /v1/content gives it). */
    if (cJSON_IsObject(d) && !strcmp(r->kind, "playlist") && !cJSON_HasObjectItem(d, "priority"))
        cJSON_AddNumberToObject(d, "priority", r->priority);
    if (d) cJSON_AddItemToObject(o, "data", d);
    cJSON_AddItemToArray(!strcmp(r->kind, "playlist") ? b->playlists : b->items, o);
}

static char *bundle_doc(app_t *app)
{
    if (!app->store) return NULL;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddNumberToObject(doc, "fetched", (double)clock_wall());
    struct bundle_json b = {app, cJSON_AddArrayToObject(doc, "playlists"), cJSON_AddArrayToObject(doc, "items")};
    char *out = content_store_all(app->store, app->cfg.locale, bundle_row, &b) >= 0
                    ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    return out;
}

void street_use_bundle(app_t *app)
{
    if (!app->street || app->cfg.mode != MODE_STREET || !signed_only(app)) return;
    char *doc = bundle_doc(app);
    if (doc && street_set_content(app, doc, false) == 0)
        log_info("street", "showing the signed content bundle");
    free(doc);
}

void street_init(app_t *app)
{
    struct street_state *st = calloc(1, sizeof *st);
    app->street = st;
    if (!st) {
        log_error("street", "out of memory: street display off");
        return;
    }
    st->cur.what = st->prev.what = SCHED_NONE;
    night_load(app);
    if (app->cfg.mode != MODE_STREET) return;
    if (signed_only(app)) {            /* the signed bundle, never the unsigned feed */
        fallback(app);
        street_use_bundle(app);
        store_writer_pop_prune(app->writer, clock_wall() - POP_KEEP_S);
        return;
    }
    char *doc = malloc(STREET_CACHE_MAX);
    if (doc && app->store && store_setting_get(app->store, STREET_KEY_CACHE, doc, STREET_CACHE_MAX) == 0 &&
        street_content_parse(doc, app->cfg.assets_dir, &st->content) == 0)
        log_info("street", "showing the cached content until the hub answers");
    free(doc);
    fallback(app);
    store_writer_pop_prune(app->writer, clock_wall() - POP_KEEP_S);
    if ((!app->opts.offscreen || app->opts.network) && app->cfg.hub_url[0])
        st->feed = street_feed_start(&app->cfg, app->ev_base + APP_EV_STREET, STREET_POLL_S);
}

void street_free(app_t *app)
{
    struct street_state *st = app->street;
    if (!st) return;
    street_feed_stop(st->feed);
    if (st->active) pop_close(app);
    free(st);
    app->street = NULL;
}

int street_idle_screen(const app_t *app)
{
    return app->cfg.mode == MODE_STREET && app->street ? SCR_STREET : SCR_ATTRACT;
}

void street_tick(app_t *app)
{
    struct street_state *st = app->street;
    if (!st || !st->active || app->screen != SCR_STREET) return;
    uint64_t now = clock_mono_ms();
    if (st->night_set && clock_wall() >= st->night_change) {
        if (night_update(app)) {
            app->dirty = true;
            step(app, false);
        }
    }
    if (st->fading) {
        if (now >= st->fade_start_ms + STREET_FADE_MS) {
            st->fading = false;
            app->dirty = true;
        } else if (now >= st->last_frame_ms + STREET_FRAME_MS) {
            st->last_frame_ms = now;
            app->dirty = true;
        }
    }
    if (now >= st->next_ms) step(app, true);
}

uint64_t street_wait_ms(const app_t *app)
{
    const struct street_state *st = app->street;
    if (!st || !st->active || app->screen != SCR_STREET) return UINT64_MAX;
    uint64_t now = clock_mono_ms();
    uint64_t wait = st->next_ms > now ? st->next_ms - now : 0;
    if (st->fading) {
        uint64_t f = st->last_frame_ms + STREET_FRAME_MS;
        uint64_t d = f > now ? f - now : 0;
        if (d < wait) wait = d;
    }
    if (st->night_set) {
        time_t wall = clock_wall();
        uint64_t d = st->night_change > wall ? (uint64_t)(st->night_change - wall) * 1000u : 0;
        if (d < wait) wait = d;
    }
    return wait;
}

void street_event(app_t *app, void *payload)
{
    street_feed_doc_t *d = payload;
    if (d && d->doc && app->street) street_set_content(app, d->doc, true);
    street_feed_doc_free(d);
}

void street_event_free(void *payload)
{
    street_feed_doc_free(payload);
}

const street_item_t *street_shown(const app_t *app, sched_what_t *what)
{
    const struct street_state *st = app->street;
    if (what) *what = st ? st->cur.what : SCHED_NONE;
    if (!st || st->cur.what == SCHED_NONE) return NULL;
    return street_content_item(&st->content, st->cur.content_id);
}

const street_item_t *street_fading(const app_t *app, int *progress)
{
    const struct street_state *st = app->street;
    if (!st || !st->fading) return NULL;
    uint64_t el = clock_mono_ms() - st->fade_start_ms;
    int p = el >= STREET_FADE_MS ? 1000 : (int)(el * 1000 / STREET_FADE_MS);
    if (progress) *progress = p;
    return street_content_item(&st->content, st->prev.content_id);
}

bool street_night(const app_t *app, bool *dim)
{
    const struct street_state *st = app->street;
    if (dim) *dim = st && st->night_mode == STREET_NIGHT_DIM;
    return st && st->night_on;
}

const street_item_t *street_alert_now(const app_t *app)
{
    const struct street_state *st = app->street;
    if (!st || app->cfg.mode != MODE_STREET) return NULL;
    time_t now = clock_wall();
    const sched_alert_t *best = NULL;
    for (int i = 0; i < st->content.n_alerts; i++) {
        const sched_alert_t *a = &st->content.alerts[i];
        if (a->published <= now && now <= a->expires && (!best || a->published > best->published)) best = a;
    }
    return best ? street_content_item(&st->content, best->content_id) : NULL;
}
