#include "services/street/feed.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/clock.h"
#include "core/log.h"
#include "net/hub_api.h"
#include "services/street/schedule.h"
#include "jsonnum.h"
#include "core/worker.h"

#define MAX_EXTRA (SCHED_MAX_PLAYLISTS * SCHED_MAX_ITEMS)

struct street_feed {
    worker_t *w;
    int poll_s;
    char locale[16];
    Uint32 ev_type;
    hub_client_t *client;
};

void street_feed_doc_free(street_feed_doc_t *d)
{
    if (!d) return;
    free(d->doc);
    free(d);
}

static bool has_id(const cJSON *list, long id)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, list) {
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(v, "id");
        if (cJSON_IsNumber(i) && (long)i->valuedouble == id) return true;
    }
    return false;
}

char *street_feed_build(const char *playlists, const char *notices, const char *const *extra,
                        int n_extra, long fetched)
{
    cJSON *pl = cJSON_Parse(playlists ? playlists : ""), *no = cJSON_Parse(notices ? notices : "");
    cJSON *root = cJSON_CreateObject();
    char *txt = NULL;
    cJSON *pli = cJSON_DetachItemFromObjectCaseSensitive(pl, "items");
    cJSON *items = cJSON_DetachItemFromObjectCaseSensitive(no, "items");
    if (!root || !cJSON_IsArray(pli) || !cJSON_IsArray(items)) {
        cJSON_Delete(pli);
        cJSON_Delete(items);
        goto end;
    }
    for (int i = 0; i < n_extra; i++) {
        cJSON *x = cJSON_Parse(extra[i] ? extra[i] : "");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "id");
        if (cJSON_IsObject(x) && json_whole(id, &(long long){0}) && !has_id(items, (long)json_whole_or(id, 0)))
            cJSON_AddItemToArray(items, x);
        else
            cJSON_Delete(x);
    }
    cJSON_AddNumberToObject(root, "fetched", (double)fetched);
    cJSON_AddItemToObject(root, "playlists", pli);
    cJSON_AddItemToObject(root, "items", items);
    txt = cJSON_PrintUnformatted(root);
end:
    cJSON_Delete(root);
    cJSON_Delete(pl);
    cJSON_Delete(no);
    return txt;
}

/* One round: NULL when the hub did not give both lists. */
static char *fetch(street_feed_t *f)
{
    char path[128], *pl = NULL, *no = NULL, *txt = NULL;
    char *extra[MAX_EXTRA] = {0};
    int n_extra = 0;
    hub_status_t st;
    snprintf(path, sizeof path, "/v1/content?kind=playlist&category=street&locale=%s", f->locale);
    hub_send_json(f->client, "GET", path, NULL, NULL, &pl, &st);
    if (st.result != HUB_OK) goto fail;
    snprintf(path, sizeof path, "/v1/content?kind=notice&locale=%s", f->locale);
    hub_send_json(f->client, "GET", path, NULL, NULL, &no, &st);
    if (st.result != HUB_OK) goto fail;

    /* The items the playlists name that are not notices (events, library...). */
    cJSON *pj = cJSON_Parse(pl), *nj = cJSON_Parse(no), *v, *it;
    const cJSON *nitems = cJSON_GetObjectItemCaseSensitive(nj, "items");
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(pj, "items")) {
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(v, "data");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(data, "items")) {
            const cJSON *cid = cJSON_GetObjectItemCaseSensitive(it, "content_id");
            long long cidn;
            if (!json_whole(cid, &cidn) || cidn < 1 || has_id(nitems, (long)cidn)) continue;
            if (n_extra >= MAX_EXTRA || worker_stopping(f->w)) break;
            char *body = NULL;
            snprintf(path, sizeof path, "/v1/content/%lld", cidn);
            hub_send_json(f->client, "GET", path, NULL, NULL, &body, &st);
            if (st.result == HUB_OK && body) extra[n_extra++] = body;
            else {
                free(body);
                if (st.result == HUB_UNKNOWN) {        /* the hub went away mid-round */
                    cJSON_Delete(pj);
                    cJSON_Delete(nj);
                    goto fail;
                }
                /* 404: expired or withdrawn; the playlist skips it. */
            }
        }
    }
    cJSON_Delete(pj);
    cJSON_Delete(nj);
    txt = street_feed_build(pl, no, (const char *const *)extra, n_extra, (long)(clock_wall_ms() / 1000));
    if (!txt) log_warn("street", "content from the hub not understood");
    goto end;
fail:
    log_info("street", "content not fetched: %s %d %s", st.result == HUB_REFUSED ? "refused" : "no answer",
             st.http, st.code);
end:
    for (int i = 0; i < n_extra; i++) free(extra[i]);
    free(pl);
    free(no);
    return txt;
}

static void free_doc(void *d)
{
    street_feed_doc_free(d);
}

static void run(worker_t *w, void *arg)
{
    street_feed_t *f = arg;
    while (!worker_stopping(w)) {
        char *doc = fetch(f);
        if (doc) {
            street_feed_doc_t *d = calloc(1, sizeof *d);
            if (d) {
                d->doc = doc;
                worker_post(f->ev_type, 0, d, free_doc);
            } else {
                free(doc);
            }
        }
        worker_wait(w, (int64_t)f->poll_s * 1000);
    }
}

street_feed_t *street_feed_start(const config_t *cfg, Uint32 event_type, int poll_s)
{
    street_feed_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    f->ev_type = event_type;
    f->poll_s = poll_s > 0 ? poll_s : 180;
    snprintf(f->locale, sizeof f->locale, "%s", cfg->locale);
    f->w = worker_new("street_feed");
    if (f->w)
        f->client = hub_client_new(cfg->hub_url, cfg->device_token, cfg->hub_timeout_s * 1000,
                                   worker_abort_flag(f->w));
    if (!f->client || worker_start(f->w, run, f) != 0) {
        worker_stop(f->w);
        hub_client_free(f->client);
        free(f);
        log_error("street", "cannot start the content worker");
        return NULL;
    }
    return f;
}

void street_feed_stop(street_feed_t *f)
{
    if (!f) return;
    worker_stop(f->w);
    hub_client_free(f->client);
    free(f);
}
