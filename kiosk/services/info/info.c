/* Information for residents and passers-by: notices, events, library,
 * lectures and service guides fetched from the hub by a worker thread (the
 * UI never waits), event registration, and help requests. A list that cannot
 * be fetched falls back to what the kiosk has (the notices of its database). */
#include "services/info/info.h"

#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/fleet.h"
#include "content/content_store.h"
#include "outbox/sender.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/worker.h"
#include "mask.h"
#include "jsonnum.h"

const char *const info_tab_kinds[INFO_TABS] = {"notice", "event", "library", "lecture"};

typedef enum { JOB_NONE, JOB_LIST, JOB_REGISTER, JOB_HELP_SEND, JOB_HELP_STATUS } job_kind_t;

typedef struct {
    job_kind_t kind;
    unsigned gen;
    char what[16];                /* list: the kind */
    char locale[16];
    long long id;                 /* register: event; help status: request */
    char name[64], phone[16];     /* register: personal, wiped */
    char rescode[RESCODE_MAX + 1];   /* register: a resident code shown this visit, or ""; wiped */
    char body[768];               /* help: the request (help_body), wiped */
    char key[48];
} job_t;

/* A worker's answer (APP_EV_INFO payload). */
typedef struct {
    job_t job;                    /* personal fields wiped before posting */
    hub_status_t st;
    info_item_t *items;           /* list: malloc'd */
    int n;
    int left;                     /* register */
    long long help_id;
    bool acknowledged;
} result_t;

struct info_worker {
    worker_t *w;
    job_t queue[4];               /* this and n: under the worker's lock */               /* small: lists replace each other, the rest are rare */
    int n;
    Uint32 ev_type;
    hub_client_t *client;
};

static void help_answer(const char *resp, result_t *r)
{
    cJSON *doc = cJSON_Parse(resp ? resp : "");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, "help");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(h, "status");
    long long n;
    if (json_whole(id, &n) && n > 0) r->help_id = n;
    r->acknowledged = cJSON_IsString(status) && !strcmp(status->valuestring, "acknowledged");
    if (r->help_id <= 0) {
        r->st.result = HUB_UNKNOWN;
        snprintf(r->st.code, sizeof r->st.code, "garbage");
    }
    cJSON_Delete(doc);
}

static void run_job(struct info_worker *w, job_t *j, result_t *r)
{
    char path[96], *resp = NULL;
    switch (j->kind) {
    case JOB_LIST:
        r->items = calloc(INFO_MAX, sizeof *r->items);
        if (!r->items) {
            r->st.result = HUB_UNKNOWN;
            break;
        }
        hub_content_list(w->client, j->what, j->locale, r->items, INFO_MAX, &r->n, &r->st);
        break;
    case JOB_REGISTER:
        hub_event_register(w->client, j->id, j->name, j->phone, j->rescode, j->key, &r->left, &r->st);
        break;
    case JOB_HELP_SEND:
        hub_send_json(w->client, "POST", "/v1/help", j->key, j->body, &resp, &r->st);
        if (r->st.result == HUB_OK) help_answer(resp, r);
        break;
    case JOB_HELP_STATUS:
        snprintf(path, sizeof path, "/v1/help/%lld", j->id);
        hub_send_json(w->client, "GET", path, NULL, NULL, &resp, &r->st);
        if (r->st.result == HUB_OK) help_answer(resp, r);
        break;
    default:
        break;
    }
    free(resp);
}

static void work(worker_t *wk, void *arg)
{
    struct info_worker *w = arg;
    while (!worker_stopping(wk)) {
        worker_lock(wk);
        if (!w->n) {
            worker_unlock(wk);
            worker_wait(wk, -1);
            continue;
        }
        job_t j = w->queue[0];
        memmove(w->queue, w->queue + 1, (size_t)(--w->n) * sizeof *w->queue);
        sodium_memzero(&w->queue[w->n], sizeof w->queue[w->n]);
        worker_unlock(wk);
        result_t *r = calloc(1, sizeof *r);
        if (r) {
            run_job(w, &j, r);
            r->job = j;
            sodium_memzero(r->job.name, sizeof r->job.name);
            sodium_memzero(r->job.phone, sizeof r->job.phone);
            sodium_memzero(r->job.rescode, sizeof r->job.rescode);
            sodium_memzero(r->job.body, sizeof r->job.body);
            if (r->st.result != HUB_OK)
                log_info("info", "job %d: %s %d %s", (int)j.kind,
                         r->st.result == HUB_REFUSED ? "refused" : "no answer", r->st.http, r->st.code);
            worker_post(w->ev_type, 0, r, info_event_free);
        }
        sodium_memzero(&j, sizeof j);
    }
}

static int submit(app_t *app, const job_t *j)
{
    struct info_worker *w = app->info ? app->info->w : NULL;
    if (!w) return -1;
    worker_lock(w->w);
    int rc = 0;
    if (j->kind == JOB_LIST) {             /* a newer list replaces one not started */
        for (int i = 0; i < w->n; i++)
            if (w->queue[i].kind == JOB_LIST) {
                w->queue[i] = *j;
                goto out;
            }
    }
    if (w->n == (int)(sizeof w->queue / sizeof *w->queue)) rc = -1;
    else w->queue[w->n++] = *j;
out:
    worker_unlock(w->w);
    worker_wake(w->w);
    return rc;
}

/* ---- hooks ------------------------------------------------------------------ */

void info_init(app_t *app)
{
    struct info_state *s = calloc(1, sizeof *s);
    if (!s) return;
    s->items = calloc(INFO_MAX, sizeof *s->items);
    s->guides = calloc(INFO_MAX, sizeof *s->guides);
    if (!s->items || !s->guides) {
        free(s->items);
        free(s->guides);
        free(s);
        return;
    }
    app->info = s;
    if (!((!app->opts.offscreen || app->opts.network) && app->cfg.hub_url[0])) return;
    struct info_worker *w = calloc(1, sizeof *w);
    if (!w) return;
    w->ev_type = app->ev_base + APP_EV_INFO;
    w->w = worker_new("info");
    if (w->w)
        w->client = hub_client_new(app->cfg.hub_url, app->cfg.device_token,
                                   app->cfg.hub_timeout_s * 1000, worker_abort_flag(w->w));
    if (!w->client || worker_start(w->w, work, w) != 0) {
        worker_stop(w->w);
        hub_client_free(w->client);
        free(w);
        log_error("info", "cannot start the information worker");
        return;
    }
    s->w = w;
}

void info_free(app_t *app)
{
    struct info_state *s = app->info;
    if (!s) return;
    if (s->w) {
        worker_stop(s->w->w);
        hub_client_free(s->w->client);
        sodium_memzero(s->w->queue, sizeof s->w->queue);
        free(s->w);
    }
    free(s->items);
    free(s->guides);
    sodium_memzero(s, sizeof *s);
    free(s);
    app->info = NULL;
}

void info_session_end(app_t *app)
{
    struct info_state *s = app->info;
    if (!s) return;
    s->gen++;                              /* answers for the last visit are dropped */
    s->tab = 0;
    s->first = s->guide_first = 0;
    s->busy = s->reg_busy = false;
    s->msg[0] = s->reg_msg[0] = '\0';
    sodium_memzero(s->phone, sizeof s->phone);
    s->n_phone = 0;
    s->reg_done = false;
    s->help_state = HELP_NONE;
    s->help_id = s->help_item = 0;
    s->reg_item = 0;
    sodium_memzero(s->help_key, sizeof s->help_key);
    sodium_memzero(s->reg_key, sizeof s->reg_key);
    s->consent = false;
    s->help_next_poll = 0;
}

void info_event_free(void *payload)
{
    result_t *r = payload;
    if (!r) return;
    free(r->items);
    sodium_memzero(r, sizeof *r);
    free(r);
}

/* ---- lists ------------------------------------------------------------------ */

static void local_notices(app_t *app)
{
    struct info_state *s = app->info;
    s->n = 0;
    for (int i = 0; i < app->n_notices && s->n < INFO_MAX; i++) {
        const notice_t *nt = &app->notices[i];
        info_item_t *it = &s->items[s->n++];
        memset(it, 0, sizeof *it);
        it->id = nt->id;
        snprintf(it->kind, sizeof it->kind, "%s", "notice");
        snprintf(it->category, sizeof it->category, "%s", nt->category);
        snprintf(it->title, sizeof it->title, "%s", nt->title);
        snprintf(it->body, sizeof it->body, "%s", nt->body);
        it->published = nt->published;
        it->pinned = nt->pinned;
        it->places = it->left = -1;
    }
}

/* Items of KIND from the signed content bundle in use (content/sync.c keeps
 * them in content_items, pictures under var_dir/content/assets/): shown
 * first when there is one, so what the kiosk shows is what staff signed,
 * with its pictures, and the same with or without the network. Returns the
 * number read into OUT, 0 when there is no bundle (or none of KIND). */
struct bundle_fill {
    app_t *app;
    const char *kind;
    info_item_t *out;
    int n;
};

static void bundle_item(const content_row_t *r, void *ctx)
{
    struct bundle_fill *f = ctx;
    info_item_t *it = &f->out[f->n++];
    memset(it, 0, sizeof *it);
    it->id = r->id;
    snprintf(it->kind, sizeof it->kind, "%s", f->kind);
    snprintf(it->category, sizeof it->category, "%s", r->category);
    snprintf(it->title, sizeof it->title, "%s", r->title);
    snprintf(it->body, sizeof it->body, "%s", r->body);
    it->published = r->published;
    it->expires = r->has_expires ? r->expires : 0;
    it->pinned = r->pinned;
    it->places = it->left = -1;
    if (!content_store_image(r->images, f->app->cfg.var_dir, it->image, sizeof it->image))
        it->image[0] = '\0';
    if (r->data && strlen(r->data) < sizeof it->data) snprintf(it->data, sizeof it->data, "%s", r->data);
}

static int bundle_items(app_t *app, const char *kind, info_item_t *out, int max)
{
    if (!app->store || !app->content_version[0]) return 0;
    struct bundle_fill f = {app, kind, out, 0};
    content_store_live(app->store, kind, app_locale(app), clock_wall(), max, bundle_item, &f);
    return f.n;
}

void info_show_tab(app_t *app, int tab)
{
    struct info_state *s = app->info;
    if (!s) return;
    s->tab = tab < 0 || tab >= INFO_TABS ? 0 : tab;
    s->first = 0;
    s->n = 0;
    s->msg[0] = '\0';
    s->offline = false;
    /* Events come from the hub (places left change by the minute); the rest
     * from the signed bundle when there is one. */
    if (s->tab != 1 && (s->n = bundle_items(app, info_tab_kinds[s->tab], s->items, INFO_MAX)) > 0) {
        s->busy = false;
        ++s->gen;
        app->dirty = true;
        return;
    }
    job_t j = {.kind = JOB_LIST, .gen = ++s->gen};
    snprintf(j.what, sizeof j.what, "%s", info_tab_kinds[s->tab]);
    snprintf(j.locale, sizeof j.locale, "%s", app_locale(app));
    s->busy = submit(app, &j) == 0;
    if (!s->busy) {
        if (s->tab == 0) local_notices(app);
        if (!s->n) snprintf(s->msg, sizeof s->msg, "%s", _("Nothing to show right now."));
    }
    app->dirty = true;
}

void info_open_guide(app_t *app, int i)
{
    struct info_state *s = app->info;
    if (!s || i < 0 || i >= s->n_guides) return;
    s->cur = s->guides[i];
    s->guide_page = 0;
    if (hub_parse_guide(s->cur.data, &s->cur_guide) != 0) memset(&s->cur_guide, 0, sizeof s->cur_guide);
}

void info_show_guides(app_t *app)
{
    struct info_state *s = app->info;
    if (!s) return;
    s->guide_first = 0;
    s->msg[0] = '\0';
    if ((s->n_guides = bundle_items(app, "guide", s->guides, INFO_MAX)) > 0) {
        s->busy = false;
        ++s->gen;
        app->dirty = true;
        return;
    }
    job_t j = {.kind = JOB_LIST, .gen = ++s->gen};
    snprintf(j.what, sizeof j.what, "%s", "guide");
    snprintf(j.locale, sizeof j.locale, "%s", app_locale(app));
    s->busy = submit(app, &j) == 0;
    if (!s->busy && !s->n_guides)
        snprintf(s->msg, sizeof s->msg, "%s", _("The service guides cannot be loaded right now. Please ask staff."));
    app->dirty = true;
}

static void list_result(app_t *app, result_t *r)
{
    struct info_state *s = app->info;
    bool guides = !strcmp(r->job.what, "guide");
    s->busy = false;
    if (r->st.result == HUB_OK) {
        info_item_t *dst = guides ? s->guides : s->items;
        memcpy(dst, r->items, (size_t)r->n * sizeof *dst);
        if (guides) s->n_guides = r->n;
        else s->n = r->n;
        s->offline = false;
        if (!r->n) snprintf(s->msg, sizeof s->msg, "%s", _("Nothing to show right now."));
    } else {
        s->offline = true;
        if (!guides && s->tab == 0) local_notices(app);
        if (guides ? !s->n_guides : !s->n)
            snprintf(s->msg, sizeof s->msg, "%s",
                     _("This information cannot be loaded right now. Please try again later."));
    }
}

/* ---- registration --------------------------------------------------------------- */

bool info_can_register(const info_item_t *it)
{
    return it->places > 0 && it->left > 0 && (!it->starts || it->starts > clock_wall());
}

void info_register(app_t *app)
{
    struct info_state *s = app->info;
    if (!s || s->reg_busy || s->n_phone != 11 || s->phone[0] != '1') return;
    job_t j = {.kind = JOB_REGISTER, .gen = s->gen, .id = s->cur.id};
    const session_pii_t *p = &app->session.pii;
    if (p->name[0]) snprintf(j.name, sizeof j.name, "%s", p->name);
    else snprintf(j.name, sizeof j.name, "%s%s", "居民", s->phone + 7);
    snprintf(j.phone, sizeof j.phone, "%s", s->phone);
    /* A resident code shown this visit (and no card) stands for the card:
     * the hub registers the name it holds for the code's resident. */
    if (!p->name[0]) snprintf(j.rescode, sizeof j.rescode, "%s", p->rescode);
    if (!s->reg_key[0]) hub_new_key("reg-", s->reg_key, sizeof s->reg_key);
    snprintf(j.key, sizeof j.key, "%s", s->reg_key);
    s->reg_msg[0] = '\0';
    s->reg_busy = submit(app, &j) == 0;
    sodium_memzero(&j, sizeof j);
    if (!s->reg_busy)
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 _("Registration cannot be sent right now. Please try again later."));
    app->dirty = true;
}

/* ---- registrations saved while the hub is away ------------------------------- */

static void reg_name(const app_t *app, const char *phone, char *out, size_t len)
{
    const session_pii_t *p = &app->session.pii;
    if (p->name[0]) snprintf(out, len, "%s", p->name);
    else snprintf(out, len, "%s%s", "居民", phone + 7);
}

/* Saves the registration that got no answer into the outbox (with the same
 * key: if it did land, the hub replays it) and the kiosk's record of it, in
 * one transaction. 0, or -1. */
static int register_offline(app_t *app)
{
    struct info_state *s = app->info;
    if (!app->store || !app->have_outbox_key || s->n_phone != 11 || !s->reg_key[0]) return -1;
    char name[64], path[64], hash[65], ref[16], err[300];
    reg_name(app, s->phone, name, sizeof name);
    const session_pii_t *p = &app->session.pii;
    char *body = hub_event_register_body(name, s->phone, p->name[0] ? NULL : p->rescode);
    sodium_memzero(name, sizeof name);
    if (!body) return -1;
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", s->cur.id);
    fleet_person_hash(app, s->phone, hash);
    unsigned char rnd[4];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(ref, sizeof ref, "R%02X%02X%02X%02X", rnd[0], rnd[1], rnd[2], rnd[3]);
    long long item = 0;
    int rc = -1;
    if (store_tx_begin(app->store, err, sizeof err) == 0) {
        if (outbox_enqueue_in(app->store, &app->outbox_key, "registration", path, body, true, s->reg_key,
                              clock_wall_ms(), &item, err, sizeof err) == 0) {
            store_registration_new_t rec = {ref, item, hash, s->cur.id, s->cur.title};
            rc = store_registration_save(app->store, &rec, clock_wall_ms(), err, sizeof err);
        }
        if (rc == 0) rc = store_tx_commit(app->store, err, sizeof err);
        if (rc != 0) store_tx_rollback(app->store);
    }
    sodium_memzero(body, strlen(body));
    cJSON_free(body);
    if (rc != 0) {
        log_error("info", "cannot save the registration for later");
        return -1;
    }
    s->reg_item = item;
    outbox_sender_wake(app->outbox);
    log_info("info", "registration saved for later as %s (outbox item %lld)", ref, item);
    return 0;
}

static void reg_set_state(app_t *app, long long item, store_saved_state_t state, const char *reason)
{
    store_registration_set_state(app->store, item, state, reason, clock_wall_ms());
}

/* The outcome of a saved registration. "already_registered" is a yes: the
 * number is on the list (the first try did land). */
static store_saved_state_t reg_outcome(bool done, const char *reason)
{
    return done || strstr(reason, "already_registered") ? STORE_SAVED_CONFIRMED : STORE_SAVED_FAILED;
}

static void reg_outbox_event(app_t *app, const fleet_outbox_event_t *e);

/* What became of this number's saved registration for the event shown,
 * into reg_msg (nothing when there is none). */
void info_reg_recall(app_t *app)
{
    struct info_state *s = app->info;
    if (!s || !app->store || !app->have_outbox_key || s->n_phone != 11) return;
    fleet_replay_ended(app, STORE_SAVED_REGISTRATIONS, "registration", reg_outbox_event);
    char hash[65];
    fleet_person_hash(app, s->phone, hash);
    store_saved_state_t state;
    if (store_registration_latest(app->store, hash, s->cur.id, &state) == 1) {
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 state == STORE_SAVED_CONFIRMED ? _("Your earlier registration for this event, saved on this kiosk, is confirmed.")
                 : state == STORE_SAVED_FAILED ? _("Your earlier registration for this event, saved on this kiosk, could not be made.")
                 : _("Your earlier registration for this event is saved on this kiosk and not sent yet."));
        s->reg_done = state != STORE_SAVED_FAILED;
    }
}

static void reg_outbox_event(app_t *app, const fleet_outbox_event_t *e)
{
    struct info_state *s = app->info;
    store_saved_state_t state = reg_outcome(e->done, e->reason);
    reg_set_state(app, e->id, state, e->done ? "" : e->reason);
    if (!s || e->id != s->reg_item || app->session.state == SESSION_IDLE) return;
    s->reg_item = 0;
    if (state == STORE_SAVED_CONFIRMED) {
        int left = e->done ? hub_parse_left(e->response) : -1;
        if (left >= 0) s->cur.left = left;
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s", _("Your saved registration has been confirmed."));
    } else {
        s->reg_done = false;
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 _("Your saved registration could not be made (the event may be full). You are not registered."));
    }
    app->dirty = true;
}

static void register_result(app_t *app, result_t *r)
{
    struct info_state *s = app->info;
    s->reg_busy = false;
    const char *c = r->st.code;
    if (r->st.result == HUB_OK) {
        s->reg_done = true;
        s->reg_key[0] = '\0';
        if (r->left >= 0) s->cur.left = r->left;
        snprintf(s->reg_msg, sizeof s->reg_msg, _("You are registered. Places left: %d."),
                 r->left < 0 ? 0 : r->left);
        return;
    }
    if (r->st.result == HUB_REFUSED) {
        s->reg_key[0] = '\0';              /* a definite no: a new try is a new request */
        /* A code the hub refused is forgotten: the next try is by phone. */
        if (!strcmp(c, "unknown_resident"))
            explicit_bzero(app->session.pii.rescode, sizeof app->session.pii.rescode);
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 !strcmp(c, "already_registered") ? _("This phone number is already registered for this event.")
                 : !strcmp(c, "event_full") ? _("Sorry, this event is full.")
                 : !strcmp(c, "event_past") ? _("Registration has closed: the event has started.")
                 : !strcmp(c, "unknown_resident") ? _("Your resident code cannot be used (it may have expired or been replaced). Please press Register again to register with your mobile number only, or ask staff.")
                 : _("The registration was not accepted. Please ask staff."));
    } else if (register_offline(app) == 0) {
        /* Saved with this try's key: sent when the hub answers. */
        s->reg_done = true;
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 _("The registration service cannot be reached right now. Your registration is saved on this kiosk and sent as soon as the connection is back; it is not confirmed yet. Type your number here again later to see."));
    } else {
        /* The key is kept: trying again cannot register twice. */
        snprintf(s->reg_msg, sizeof s->reg_msg, "%s",
                 _("The registration service cannot be reached. Please try again: you will not be registered twice."));
    }
}

/* ---- help ------------------------------------------------------------------------ */

static char *help_body(app_t *app, bool consent)
{
    struct info_state *s = app->info;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "location", app->cfg.location[0] ? app->cfg.location : app->cfg.kiosk_id);
    cJSON_AddBoolToObject(b, "consent", consent);
    if (consent) cJSON_AddStringToObject(b, "contact", s->phone);
    char *body = cJSON_PrintUnformatted(b);
    for (cJSON *v = b->child; v; v = v->next)
        if (v->valuestring) sodium_memzero(v->valuestring, strlen(v->valuestring));
    cJSON_Delete(b);
    return body;
}

void info_help_send(app_t *app)
{
    struct info_state *s = app->info;
    if (!s || s->help_state == HELP_SENDING || s->help_state == HELP_QUEUED ||
        s->help_state == HELP_SENT || s->help_state == HELP_ACKNOWLEDGED)
        return;
    bool consent = s->consent && s->n_phone == 11;
    char *body = help_body(app, consent);
    long long item = 0;
    if (body && fleet_enqueue(app, "help", "/v1/help", body, consent, &item) == 0) {
        s->help_item = item;
        s->help_state = HELP_QUEUED;
    } else {
        /* No outbox (no storage): straight to the hub, same key on a retry. */
        job_t j = {.kind = JOB_HELP_SEND, .gen = s->gen};
        bool fits = body && strlen(body) < sizeof j.body;
        if (fits) snprintf(j.body, sizeof j.body, "%s", body);
        if (!s->help_key[0]) hub_new_key("help-", s->help_key, sizeof s->help_key);
        snprintf(j.key, sizeof j.key, "%s", s->help_key);
        s->help_state = fits && submit(app, &j) == 0 ? HELP_SENDING : HELP_FAILED;
        sodium_memzero(&j, sizeof j);
    }
    s->help_since = clock_mono_ms();
    if (body) {
        sodium_memzero(body, strlen(body));
        cJSON_free(body);
    }
    app->dirty = true;
}

void info_outbox_event(app_t *app, const void *payload)
{
    const fleet_outbox_event_t *e = payload;
    struct info_state *s = app->info;
    if (e && !strcmp(e->kind, "registration")) {
        reg_outbox_event(app, e);
        return;
    }
    if (!s || !e || strcmp(e->kind, "help") != 0 || e->id != s->help_item ||
        s->help_state != HELP_QUEUED || app->session.state == SESSION_IDLE)
        return;
    if (e->done) {
        result_t r;
        memset(&r, 0, sizeof r);
        help_answer(e->response, &r);
        s->help_id = r.help_id;
        s->help_state = r.st.result == HUB_OK && r.acknowledged ? HELP_ACKNOWLEDGED : HELP_SENT;
        s->help_next_poll = clock_mono_ms() + 3000;
    } else {
        s->help_state = HELP_FAILED;
    }
    app->dirty = true;
}

static void help_result(app_t *app, result_t *r)
{
    struct info_state *s = app->info;
    if (r->job.kind == JOB_HELP_SEND) {
        if (r->st.result == HUB_OK) {
            s->help_id = r->help_id;
            s->help_key[0] = '\0';
            s->help_state = r->acknowledged ? HELP_ACKNOWLEDGED : HELP_SENT;
            s->help_next_poll = clock_mono_ms() + 3000;
        } else {
            if (r->st.result == HUB_REFUSED) s->help_key[0] = '\0';
            s->help_state = HELP_FAILED;
        }
    } else if (r->st.result == HUB_OK && r->acknowledged) {
        s->help_state = HELP_ACKNOWLEDGED;
    } else {
        s->help_next_poll = clock_mono_ms() + 3000;
    }
}

void info_tick(app_t *app)
{
    struct info_state *s = app->info;
    if (!s || s->help_state != HELP_SENT || app->screen != SCR_HELP) return;
    if (clock_mono_ms() < s->help_next_poll) return;
    job_t j = {.kind = JOB_HELP_STATUS, .gen = s->gen, .id = s->help_id};
    s->help_next_poll = clock_mono_ms() + 3000;
    submit(app, &j);
}

void info_event(app_t *app, void *payload)
{
    result_t *r = payload;
    struct info_state *s = app->info;
    if (!r) return;
    if (!s || r->job.gen != s->gen || app->session.state == SESSION_IDLE) {
        info_event_free(r);
        return;
    }
    switch (r->job.kind) {
    case JOB_LIST: list_result(app, r); break;
    case JOB_REGISTER: register_result(app, r); break;
    default: help_result(app, r); break;
    }
    app->dirty = true;
    info_event_free(r);
}
