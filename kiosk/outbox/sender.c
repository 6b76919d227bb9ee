/* The outbox sender thread (see sender.h). */
#include "outbox/sender.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "net/hub_api.h"
#include "outbox/seal.h"
#include "store/store.h"
#include "backoff.h"
#include "core/clock.h"
#include "core/worker.h"

#define MOD "outbox"
/* Longest sleep between two looks at the queue, so a change of the wall
 * clock (next_try_ms is wall time) is noticed soon. */
#define SENDER_MAX_WAIT_MS 1000
/* Pause after a database error before trying again. */
#define SENDER_DB_RETRY_MS 1000
#define SENDER_PRUNE_EVERY_MS (3600 * 1000LL)

struct outbox_sender {
    outbox_sender_opts_t opts;
    outbox_notify_fn notify;
    void *ctx;
    outbox_key_t key;
    store_t *store;
    hub_client_t *hub;

    worker_t *w;                 /* its stop flag is also the hub client's abort flag */
    bool handoff;                /* under the worker's lock: opts.handoff asked for */

    char last_db_error[256];     /* the worker's: not logged twice in a row */
    int64_t prune_due;           /* the worker's: monotonic ms */
};

static bool sender_stopping(const outbox_sender_t *s)
{
    return worker_stopping(s->w);
}

/* Sleeps up to MS, or until woken or stopped. */
static void sender_wait(outbox_sender_t *s, int64_t ms)
{
    if (ms > 0) worker_wait(s->w, ms);
}

static void sender_db_error(outbox_sender_t *s, const char *what, const char *err)
{
    char line[sizeof s->last_db_error];
    snprintf(line, sizeof line, "%s: %s", what, err);
    if (strcmp(line, s->last_db_error) != 0) {
        log_error(MOD, "%s; trying again every %d ms", line, SENDER_DB_RETRY_MS);
        memcpy(s->last_db_error, line, sizeof line);
    }
}

static void sender_db_ok(outbox_sender_t *s)
{
    if (s->last_db_error[0]) {
        log_info(MOD, "the database works again");
        s->last_db_error[0] = '\0';
    }
}

/* Records the end of the attempt on IT, retrying while the database
 * refuses. Returns 0 when recorded; -1 when stopped first (the item stays
 * sending and is requeued at the next start: sent again, replayed by the
 * hub). */
static int sender_finish(outbox_sender_t *s, const outbox_item_t *it, outbox_state_t to,
                         int http, const char *error, const char *response, int64_t next_try)
{
    char err[256];
    for (;;) {
        int rc = outbox_finish(s->store, it->id, to, http, error, response, next_try,
                               clock_wall_ms(), err, sizeof err);
        if (rc == 0) {
            sender_db_ok(s);
            return 0;
        }
        if (rc == OUTBOX_WRONG_STATE) {     /* staff cannot touch sending items */
            log_error(MOD, "item %lld: %s", it->id, err);
            return -1;
        }
        sender_db_error(s, "cannot record an answer", err);
        if (sender_stopping(s)) return -1;
        sender_wait(s, SENDER_DB_RETRY_MS);
        if (sender_stopping(s)) return -1;
    }
}

static void sender_notify(outbox_sender_t *s, const outbox_item_t *it, outbox_state_t state,
                          int http, const char *reason, const char *response)
{
    outbox_event_t ev;
    if (!s->notify) return;
    memset(&ev, 0, sizeof ev);
    ev.id = it->id;
    snprintf(ev.kind, sizeof ev.kind, "%s", it->kind);
    ev.state = state;
    ev.attempts = it->attempts;
    ev.http = http;
    snprintf(ev.reason, sizeof ev.reason, "%s", reason ? reason : "");
    ev.response = response;
    s->notify(s->ctx, &ev);
}

/* Sends the claimed item IT (stored body RAW of LEN bytes) and records the
 * outcome. */
static void sender_send(outbox_sender_t *s, const outbox_item_t *it, unsigned char *raw,
                        size_t len)
{
    char *plain = NULL, *resp = NULL;
    char reason[256];
    hub_status_t st;

    if (it->sealed) {
        if (outbox_unseal(&s->key, raw, len, &plain, NULL) != 0) {
            log_error(MOD, "item %lld (%s): the sealed body does not open with %s; dead",
                      it->id, it->kind, s->opts.key_file);
            snprintf(reason, sizeof reason, "cannot open the sealed body (another key file?)");
            if (sender_finish(s, it, OUTBOX_DEAD, 0, reason, NULL, 0) == 0)
                sender_notify(s, it, OUTBOX_DEAD, 0, reason, NULL);
            return;
        }
    }
    /* The hub replays a key for 48 hours. An item sent before with no answer
     * and still unsent after that could be applied twice by a resend: staff
     * decide (kioskctl queue show / retry / drop). */
    if (it->attempts > 1 && clock_wall_ms() - it->created_ms > OUTBOX_REPLAY_WINDOW_MS) {
        if (plain) {
            sodium_memzero(plain, strlen(plain));
            free(plain);
        }
        snprintf(reason, sizeof reason, "%s",
                 "unanswered for longer than the hub's 48-hour replay window: check with the hub "
                 "whether it took effect, then retry or drop it");
        log_warn(MOD, "item %lld (%s): dead: past the replay window", it->id, it->kind);
        if (sender_finish(s, it, OUTBOX_DEAD, 0, reason, NULL, 0) == 0)
            sender_notify(s, it, OUTBOX_DEAD, 0, reason, NULL);
        return;
    }
    hub_send_json(s->hub, it->method, it->path, it->idem_key,
                  plain ? plain : (const char *)raw, &resp, &st);
    if (plain) {
        sodium_memzero(plain, strlen(plain));
        free(plain);
    }

    outbox_state_t to = outbox_classify(&st);
    int64_t now = clock_wall_ms(), next = 0;
    if (to == OUTBOX_DONE) {
        snprintf(reason, sizeof reason, "%s", "");
        log_info(MOD, "item %lld (%s): done, %d%s, attempt %d", it->id, it->kind, st.http,
                 st.replayed ? " replayed" : "", it->attempts);
    } else if (to == OUTBOX_DEAD) {
        snprintf(reason, sizeof reason, "%d %s: %s", st.http, st.code, st.message);
        log_warn(MOD, "item %lld (%s): dead: %d %s", it->id, it->kind, st.http, st.code);
    } else {
        snprintf(reason, sizeof reason, "%s%s%s", st.code, st.message[0] ? ": " : "",
                 st.message);
        if (sender_stopping(s) && strcmp(st.code, "aborted") == 0) {
            next = now;                 /* not the hub's fault: due at the next start */
        } else {
            next = now + backoff_jitter_ms(it->attempts, s->opts.backoff_base_ms,
                                           s->opts.backoff_cap_ms, randombytes_random());
            log_info(MOD, "item %lld (%s): attempt %d: %s; again in %lld ms", it->id,
                     it->kind, it->attempts, st.code, (long long)(next - now));
        }
    }
    if (sender_finish(s, it, to, st.http, reason, resp, next) == 0 && to != OUTBOX_QUEUED)
        sender_notify(s, it, to, st.http, to == OUTBOX_DEAD ? reason : "", resp);
    free(resp);
}

static void sender_prune(outbox_sender_t *s)
{
    int64_t now = clock_real_mono_ms();
    if (now < s->prune_due) return;
    s->prune_due = now + SENDER_PRUNE_EVERY_MS;
    int n = outbox_prune(s->store, clock_wall_ms() - s->opts.keep_done_ms);
    if (n > 0) log_info(MOD, "pruned %d done items", n);
}

static void sender_handoff(outbox_sender_t *s)
{
    worker_lock(s->w);
    bool due = s->handoff;
    s->handoff = false;
    worker_unlock(s->w);
    if (due && s->opts.handoff) s->opts.handoff(s->opts.handoff_ctx, s->store, &s->key);
}

static void sender_main(worker_t *w, void *arg)
{
    outbox_sender_t *s = arg;
    char err[256];

    /* Items a crash left sending go first: they may have reached the hub,
     * and sending them again with their key is how we find out. */
    while (!sender_stopping(s)) {
        int n = outbox_requeue_interrupted(s->store, clock_wall_ms());
        if (n >= 0) {
            if (n > 0) log_info(MOD, "%d items were being sent when the kiosk stopped; "
                                "sending them again", n);
            break;
        }
        sender_db_error(s, "cannot requeue interrupted items", "database error");
        sender_wait(s, SENDER_DB_RETRY_MS);
    }

    while (!sender_stopping(s)) {
        outbox_item_t it;
        unsigned char *raw = NULL;
        size_t len = 0;
        int64_t now = clock_wall_ms();

        sender_prune(s);
        sender_handoff(s);
        int rc = outbox_claim(s->store, now, &it, &raw, &len, err, sizeof err);
        if (rc == 1) {
            sender_db_ok(s);
            sender_send(s, &it, raw, len);
            sodium_memzero(raw, len);
            free(raw);
            continue;
        }
        if (rc < 0) {
            sender_db_error(s, "cannot claim an item", err);
            sender_wait(s, SENDER_DB_RETRY_MS);
            continue;
        }
        sender_db_ok(s);
        int64_t due = 0, wait = SENDER_MAX_WAIT_MS;
        if (outbox_next_due(s->store, &due) == 1 && due - now < wait)
            wait = due - now;
        sender_wait(s, wait);
    }
}

void outbox_sender_opts_from_config(const config_t *cfg, outbox_sender_opts_t *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->var_dir, sizeof o->var_dir, "%s", cfg->var_dir);
    snprintf(o->key_file, sizeof o->key_file, "%s", cfg->outbox_key_file);
    snprintf(o->hub_url, sizeof o->hub_url, "%s", cfg->hub_url);
    snprintf(o->token, sizeof o->token, "%s", cfg->device_token);
    o->timeout_ms = cfg->hub_timeout_s * 1000;
    o->backoff_base_ms = 1000;
    o->backoff_cap_ms = (int64_t)cfg->outbox_retry_max_s * 1000;
    o->keep_done_ms = 7 * 24 * 3600 * 1000LL;
}

static void sender_free(outbox_sender_t *s)
{
    hub_client_free(s->hub);
    store_close(s->store);
    outbox_key_wipe(&s->key);
    sodium_memzero(s->opts.token, sizeof s->opts.token);
    free(s);
}

outbox_sender_t *outbox_sender_start(const outbox_sender_opts_t *opts, outbox_notify_fn notify,
                                     void *ctx, char *err, size_t errlen)
{
    char why[512];

    if (err && errlen) err[0] = '\0';
    outbox_sender_t *s = calloc(1, sizeof *s);
    if (!s) {
        if (err) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->opts = *opts;
    if (s->opts.timeout_ms <= 0) s->opts.timeout_ms = 10000;
    if (s->opts.backoff_base_ms <= 0) s->opts.backoff_base_ms = 1000;
    if (s->opts.backoff_cap_ms <= 0) s->opts.backoff_cap_ms = 300000;
    if (s->opts.keep_done_ms <= 0) s->opts.keep_done_ms = 7 * 24 * 3600 * 1000LL;
    s->notify = notify;
    s->ctx = ctx;
    s->w = worker_new("outbox");
    if (!s->w) {
        if (err) snprintf(err, errlen, "out of memory");
        goto fail;
    }

    if (outbox_key_load(s->opts.key_file, true, &s->key, why, sizeof why) != 0) {
        if (err) snprintf(err, errlen, "outbox key: %s", why);
        goto fail;
    }
    if (store_open(s->opts.var_dir, &s->store, why, sizeof why) != 0) {
        if (err) snprintf(err, errlen, "outbox database: %s", why);
        goto fail;
    }
    outbox_durable(s->store);    /* logged on failure; NORMAL still survives a crash */
    s->hub = hub_client_new(s->opts.hub_url, s->opts.token, s->opts.timeout_ms,
                            worker_abort_flag(s->w));
    if (!s->hub) {
        if (err) snprintf(err, errlen, "out of memory (hub client)");
        goto fail;
    }
    if (worker_start(s->w, sender_main, s) != 0) {
        if (err) snprintf(err, errlen, "cannot start the outbox thread");
        goto fail;
    }
    return s;
fail:
    worker_stop(s->w);
    sender_free(s);
    return NULL;
}

void outbox_sender_wake(outbox_sender_t *s)
{
    if (!s) return;
    worker_wake(s->w);
}

void outbox_sender_request_handoff(outbox_sender_t *s)
{
    if (!s || !s->opts.handoff) return;
    worker_lock(s->w);
    s->handoff = true;
    worker_unlock(s->w);
    worker_wake(s->w);
}

void outbox_sender_stop(outbox_sender_t *s)
{
    if (!s) return;
    worker_stop(s->w);
    sender_free(s);
}
