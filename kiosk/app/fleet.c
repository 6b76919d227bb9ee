#include "app/fleet.h"

#include <SDL_image.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "content/sync.h"
#include "app/service.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/worker.h"
#include "outbox/sender.h"
#include "outbox/seal.h"
#include "app/screens.h"
#include "store/proof_of_play.h"
#include "telemetry/selfupdate.h"
#include "telemetry/telemetry.h"

static void send_proof_of_play(void *ctx, store_t *st, const outbox_key_t *key);

/* ---- worker callbacks (worker threads: copy, post, return) -------------------- */

static void push(struct app *app, int ev_off, void *payload)
{
    worker_post(app->ev_base + (Uint32)ev_off, 0, payload,
                ev_off == APP_EV_OUTBOX ? fleet_outbox_event_free : free);
}

static void on_outbox(void *ctx, const outbox_event_t *e)
{
    fleet_outbox_event_t *c = calloc(1, sizeof *c);
    if (!c) return;
    c->id = e->id;
    snprintf(c->kind, sizeof c->kind, "%s", e->kind);
    c->done = e->state == OUTBOX_DONE;
    c->http = e->http;
    snprintf(c->reason, sizeof c->reason, "%s", e->reason);
    if (e->response) c->response = strdup(e->response);
    push(ctx, APP_EV_OUTBOX, c);
}

static void on_command(void *ctx, const telemetry_cmd_t *cmd)
{
    telemetry_cmd_t *c = malloc(sizeof *c);
    if (!c) return;
    *c = *cmd;
    push(ctx, APP_EV_TELEMETRY, c);
}

void fleet_outbox_event_free(void *payload)
{
    fleet_outbox_event_t *c = payload;
    if (!c) return;
    if (c->response) {
        explicit_bzero(c->response, strlen(c->response));
        free(c->response);
    }
    free(c);
}

/* ---- start / stop --------------------------------------------------------------- */

/* A new content bundle is in use (content worker thread). */
static void on_content(long long version, void *ud)
{
    long long *v = malloc(sizeof *v);
    if (!v) return;
    *v = version;
    push(ud, APP_EV_CONTENT, v);
}

static void content_version_text(struct app *app, long long v)
{
    if (v > 0) snprintf(app->content_version, sizeof app->content_version, "v%lld", v);
    else app->content_version[0] = '\0';
}

void fleet_content_event(struct app *app, void *payload)
{
    long long *v = payload;
    if (!v) return;
    log_info("fleet", "content bundle v%lld in use", *v);
    content_version_text(app, *v);
    /* The attract loop picks the new notices up now, a visit in progress
     * at its end (app_end_session reloads them). */
    if (app->session.state == SESSION_IDLE) {
        app_reload_notices(app);
        app->dirty = true;
    }
    for (const service_t *const *s = app_services; *s; s++)
        if ((*s)->content_changed) (*s)->content_changed(app);
    fleet_snapshot(app);
    free(v);
}

void app_reload_content(struct app *app)
{
    (void)app;
    content_sync_now();
}

void fleet_start(struct app *app)
{
    const config_t *cfg = &app->cfg;
    if (!((!app->opts.offscreen || app->opts.network) && cfg->hub_url[0])) return;
    char err[300];
    content_config_t cc = {.hub_url = cfg->hub_url, .token = cfg->device_token, .var_dir = cfg->var_dir,
                           .public_key = cfg->content_public_key,
                           .mode = cfg->mode == MODE_STREET ? "street" : "hall",
                           .group = cfg->content_group, .poll_s = cfg->content_poll_s,
                           .timeout_ms = cfg->hub_timeout_s * 1000, .notify = on_content, .ud = app};
    if (cfg->content_public_key[0]) app->content_started = content_start(&cc) == 0;
    content_version_text(app, content_current_version());
    if (app->store && outbox_key_load(cfg->outbox_key_file, true, &app->outbox_key, err, sizeof err) == 0) {
        app->have_outbox_key = true;
        outbox_durable(app->store);
        outbox_sender_opts_t o;
        outbox_sender_opts_from_config(cfg, &o);
        o.handoff = send_proof_of_play;
        app->outbox = outbox_sender_start(&o, on_outbox, app, err, sizeof err);
        if (!app->outbox) log_error("fleet", "outbox sender: %s", err);
    } else if (app->store) {
        log_error("fleet", "outbox key: %s (requests cannot be queued)", err);
    }
    for (const service_t *const *s = app_services; app->have_outbox_key && *s; s++)
        if ((*s)->outbox_ready) (*s)->outbox_ready(app);
    app->telemetry = telemetry_start(cfg, on_command, app, err, sizeof err);
    if (!app->telemetry) log_error("fleet", "telemetry: %s", err);
    fleet_snapshot(app);
}

void fleet_stop(struct app *app)
{
    if (app->content_started) content_stop();
    app->content_started = false;
    outbox_sender_stop(app->outbox);
    app->outbox = NULL;
    telemetry_stop(app->telemetry);
    app->telemetry = NULL;
    if (app->have_outbox_key) outbox_key_wipe(&app->outbox_key);
    app->have_outbox_key = false;
}

void fleet_person_hash(const struct app *app, const char *who, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)who, strlen(who), app->outbox_key.k,
                       sizeof app->outbox_key.k);
    sodium_bin2hex(out, 65, h, sizeof h);
}

int fleet_enqueue(struct app *app, const char *kind, const char *path, const char *body,
                  bool personal, long long *id)
{
    char err[300];
    if (!app->store || !app->have_outbox_key) {
        log_error("fleet", "%s: no outbox (storage or key missing)", kind);
        return -1;
    }
    if (outbox_enqueue(app->store, &app->outbox_key, kind, path, body, personal, NULL, clock_wall_ms(), id,
                       err, sizeof err) != 0) {
        app_storage_fault(app, kind, err);
        return -1;
    }
    outbox_sender_wake(app->outbox);
    return 0;
}

/* ---- telemetry --------------------------------------------------------------------- */

static tel_dev_t dev_state(const dev_status_t *d)
{
    switch (d->state) {
    case DEV_NOT_CONFIGURED: return TEL_DEV_MISSING;
    case DEV_CHECKING: return TEL_DEV_UNKNOWN;
    case DEV_READY: case DEV_WARNING: return TEL_DEV_OK;
    default: return strstr(d->detail, "not answering") ? TEL_DEV_OFFLINE : TEL_DEV_ERROR;
    }
}

/* Proof of play goes to the hub through the outbox: the records are handed
 * over in one transaction (queued and deleted together), so none is lost
 * or sent twice. Runs on the outbox sender's thread with its connection
 * (outbox_handoff_fn), asked for by fleet_snapshot: never on the UI thread. */
static void send_proof_of_play(void *ctx, store_t *st, const outbox_key_t *key)
{
    (void)ctx;
    if (pop_count(st) <= 0) return;
    char err[300];
    long long last = 0, id = 0;
    if (store_tx_begin(st, NULL, 0) != 0) return;
    char *plays = pop_json(st, 500, &last);
    int rc = -1;
    if (plays && last > 0) {
        size_t len = strlen(plays) + 16;
        char *body = malloc(len);
        if (body) {
            snprintf(body, len, "{\"plays\":%s}", plays);
            if (outbox_enqueue_in(st, key, "proof_of_play", "/v1/proof-of-play", body,
                                  false, NULL, clock_wall_ms(), &id, err, sizeof err) == 0 &&
                pop_ack(st, last) >= 0)
                rc = 0;
            else
                log_warn("fleet", "proof of play not queued: %s", err);
            free(body);
        }
    }
    free(plays);
    if (rc == 0 && store_tx_commit(st, NULL, 0) == 0) return;
    store_tx_rollback(st);
}

void fleet_snapshot(struct app *app)
{
    if (app->have_outbox_key) outbox_sender_request_handoff(app->outbox);
    if (!app->telemetry) return;
    telemetry_snapshot_t s;
    memset(&s, 0, sizeof s);
    snprintf(s.screen, sizeof s.screen, "%s", app_screen_name(app->screen));
    s.printer = dev_state(&app->devices[DEV_PRINTER]);
    s.reader = dev_state(&app->devices[DEV_IDCARD]);
    const dev_status_t *pr = &app->devices[DEV_PRINTER];
    s.paper = strstr(pr->detail, "paper out") ? TEL_PAPER_OUT
            : strstr(pr->detail, "paper") && pr->state == DEV_WARNING ? TEL_PAPER_LOW
            : pr->state == DEV_READY ? TEL_PAPER_OK : TEL_PAPER_UNKNOWN;
    outbox_counts_t c;
    if (app->store && outbox_counts(app->store, &c) == 0) {
        s.queue_depth = c.queued + c.sending;
        s.dead_letters = c.dead;
    } else {
        s.queue_depth = s.dead_letters = -1;
    }
    snprintf(s.content_version, sizeof s.content_version, "%s", app->content_version);
    s.display_w = app->w;           /* the layout's size: rotation already applied */
    s.display_h = app->h;
    telemetry_update(app->telemetry, &s);
}

/* The current frame as PNG bytes (malloc'd), or NULL. */
static unsigned char *screenshot_png(struct app *app, size_t *len)
{
    app_build(app);
    ui_render_frame(app->render, app->frame);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) return NULL;
    size_t cap = (size_t)app->w * (size_t)app->h * 4 + 65536;
    unsigned char *buf = malloc(cap);
    SDL_RWops *rw = buf ? SDL_RWFromMem(buf, (int)cap) : NULL;
    int ok = rw && SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch) == 0 &&
             IMG_SavePNG_RW(s, rw, 0) == 0;
    *len = ok ? (size_t)SDL_RWtell(rw) : 0;
    if (rw) SDL_RWclose(rw);
    SDL_FreeSurface(s);
    if (!ok) {
        free(buf);
        return NULL;
    }
    app->dirty = true;
    return buf;
}

static void restart_now(struct app *app, long long id)
{
    telemetry_command_done(app->telemetry, id, true, "restarting");
    telemetry_flush(app->telemetry, 2000);
    log_info("fleet", "restart requested by staff");
    app->restart = true;
    app->quit = true;
}

/* The kiosk may not run apt (its own user, NoNewPrivileges): it asks the
 * root updater through VAR_DIR/update/request (selfupdate.h), which installs,
 * restarts the kiosk, and rolls back if the new version is not healthy.
 * The command's answer says the request was made; the outcome comes in the
 * heartbeats (update_outcome). */
static void update_now(struct app *app, long long id, const char *version)
{
    char err[150], msg[200];
    if (selfupdate_request_write(app->cfg.var_dir, id, version, err, sizeof err) != 0) {
        log_error("fleet", "update to %s not requested: %s", version, err);
        snprintf(msg, sizeof msg, "the update request could not be written: %s", err);
        telemetry_command_done(app->telemetry, id, false, msg);
        return;
    }
    log_info("fleet", "update to %s requested (command %lld)", version, id);
    snprintf(msg, sizeof msg, "update to %s requested", version);
    telemetry_command_done(app->telemetry, id, true, msg);
}

void fleet_command_event(struct app *app, void *payload)
{
    telemetry_cmd_t *cmd = payload;
    if (!cmd) return;
    bool idle = app->session.state == SESSION_IDLE;
    switch (cmd->kind) {
    case TEL_CMD_SCREENSHOT: {
        /* Never a resident's screen: their data would go with it. */
        if (!idle) {
            telemetry_command_done(app->telemetry, cmd->id, false,
                                   "a resident is using the kiosk; try again later");
            break;
        }
        size_t len = 0;
        unsigned char *png = screenshot_png(app, &len);
        if (png && telemetry_upload_screenshot(app->telemetry, cmd->id, png, len) == 0)
            telemetry_command_done(app->telemetry, cmd->id, true, app_screen_name(app->screen));
        else
            telemetry_command_done(app->telemetry, cmd->id, false, "the screen could not be captured");
        free(png);
        break;
    }
    case TEL_CMD_RESTART:
        if (idle) {
            restart_now(app, cmd->id);
        } else {
            app->restart_pending = cmd->id;     /* when the resident has finished */
            log_info("fleet", "restart requested: waiting for the session to end");
        }
        break;
    case TEL_CMD_UPDATE:
        /* Never under a resident: the kiosk restarts into the new version. */
        if (idle) {
            update_now(app, cmd->id, cmd->version);
        } else {
            if (app->update_pending)
                telemetry_command_done(app->telemetry, app->update_pending, false,
                                       "replaced by a newer update command");
            app->update_pending = cmd->id;
            snprintf(app->update_version, sizeof app->update_version, "%s", cmd->version);
            log_info("fleet", "update to %s requested: waiting for the session to end", cmd->version);
        }
        break;
    case TEL_CMD_RELOAD_CONTENT:
        app_reload_content(app);
        telemetry_command_done(app->telemetry, cmd->id, true, "content check started");
        break;
    default: {
        bool done = false;
        for (const service_t *const *s = app_services; !done && *s; s++)
            done = (*s)->command && (*s)->command(app, cmd);
        if (!done) telemetry_command_done(app->telemetry, cmd->id, false, "unknown command");
        break;
    }
    }
    free(cmd);
}

void fleet_session_ended(struct app *app)
{
    if (app->update_pending) {
        long long id = app->update_pending;
        app->update_pending = 0;
        update_now(app, id, app->update_version);
    }
    if (app->restart_pending && app->telemetry) {
        long long id = app->restart_pending;
        app->restart_pending = 0;
        restart_now(app, id);
    }
    fleet_snapshot(app);
}

void fleet_outbox_event(struct app *app, void *payload)
{
    fleet_outbox_event_t *e = payload;
    if (!e) return;
    log_info("fleet", "outbox item %lld (%s): %s%s%s", e->id, e->kind, e->done ? "sent" : "given up",
             e->done ? "" : ": ", e->done ? "" : e->reason);
    for (const service_t *const *s = app_services; *s; s++)
        if ((*s)->outbox_ended) (*s)->outbox_ended(app, e);
    fleet_outbox_event_free(e);
}

void fleet_replay_ended(struct app *app, store_saved_table_t table, const char *kind,
                        void (*handle)(struct app *app, const fleet_outbox_event_t *ev))
{
    store_saved_ended_t rows[16];
    int n = app->store ? store_saved_ended(app->store, table, rows, 16) : -1;
    for (int i = 0; i < n; i++) {
        fleet_outbox_event_t e;
        memset(&e, 0, sizeof e);
        e.id = rows[i].outbox_id;
        snprintf(e.kind, sizeof e.kind, "%s", kind);
        e.done = rows[i].done;
        e.http = rows[i].http;
        snprintf(e.reason, sizeof e.reason, "%s", rows[i].gone ? "removed from the queue" : rows[i].last_error);
        e.response = rows[i].response;
        log_info("fleet", "%s (outbox item %lld): ended while nobody looked; recorded now", kind, e.id);
        handle(app, &e);
        free(rows[i].response);
    }
}
