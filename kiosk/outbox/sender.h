/* The outbox sender: one worker thread that drains the outbox (outbox.h)
 * to the hub, with its own database connection and hub client.
 *
 * For each due item, oldest first: claim (queued -> sending, attempts + 1),
 * open the body if sealed, send it with its Idempotency-Key
 * (hub_send_json), then by the answer (outbox_classify):
 *   2xx                      -> done, the hub's answer kept;
 *   4xx but 408/429          -> dead, with the status, code and message;
 *   anything else            -> queued again after a capped exponential
 *                               backoff with full jitter:
 *                               uniform [0, min(retry_max, base * 2^(n-1))].
 * A crash anywhere leaves the item queued or sending; the next start
 * requeues sending items and sends them again with the same key, and the
 * hub replays its first answer: each item takes effect exactly once.
 *
 * A database error (disk full, I/O error, locked) is logged (once per
 * distinct error) and the worker tries again a second later; an answer it
 * cannot record is recorded as soon as the database takes it again. */
#ifndef KIOSK_OUTBOX_SENDER_H
#define KIOSK_OUTBOX_SENDER_H

#include <stdint.h>

#include "core/config.h"
#include "outbox/outbox.h"

/* The hub keeps idempotency keys 48 hours (docs/api.md); an item sent
 * before and unanswered for longer (47 h, a margin for clocks) is not sent
 * again but dead-lettered for staff. */
#define OUTBOX_REPLAY_WINDOW_MS (47LL * 3600 * 1000)

/* Work handed to the sender thread by outbox_sender_request_handoff: runs
 * there with the sender's own connection ST (synchronous=FULL) and KEY,
 * before the next claim, so the UI thread never waits on the database for
 * it (e.g. proof of play queued as one outbox item). Must use only its
 * arguments and CTX's thread-safe parts; what it enqueues is sent in the
 * same round. */
typedef void (*outbox_handoff_fn)(void *ctx, store_t *st, const outbox_key_t *key);

typedef struct {
    char var_dir[CONFIG_STR];    /* where kiosk.db is */
    char key_file[CONFIG_STR];   /* the outbox key (created if missing) */
    char hub_url[CONFIG_STR];
    char token[CONFIG_STR];
    int timeout_ms;              /* per request */
    int64_t backoff_base_ms;     /* first retry within [0, base] (1000) */
    int64_t backoff_cap_ms;      /* [outbox] retry_max (300 s) */
    int64_t keep_done_ms;        /* done items are pruned after this (7 days) */
    outbox_handoff_fn handoff;   /* NULL: none */
    void *handoff_ctx;
} outbox_sender_opts_t;

/* What became of an item: sent (done) or refused for good (dead). */
typedef struct {
    long long id;
    char kind[OUTBOX_KIND_MAX];
    outbox_state_t state;        /* OUTBOX_DONE or OUTBOX_DEAD */
    int attempts;
    int http;                    /* the hub's status */
    char reason[256];            /* dead: why ("422 invalid_field: ..."); "" when done */
    const char *response;        /* done: the hub's answer (masked); valid during the call */
} outbox_event_t;

/* Called on the worker thread: copy what you need and return (the app
 * posts an SDL event). */
typedef void (*outbox_notify_fn)(void *ctx, const outbox_event_t *ev);

typedef struct outbox_sender outbox_sender_t;

/* Fills OPTS from the kiosk's configuration ([kiosk] var_dir, [hub] url,
 * token, timeout, [outbox] key_file, retry_max) and the defaults above. */
void outbox_sender_opts_from_config(const config_t *cfg, outbox_sender_opts_t *opts);

/* Loads (or creates) the key, opens the database, starts the worker.
 * NOTIFY may be NULL. Returns the sender, or NULL with ERR saying why
 * (key file of the wrong size, database cannot open...). */
outbox_sender_t *outbox_sender_start(const outbox_sender_opts_t *opts, outbox_notify_fn notify,
                                     void *ctx, char *err, size_t errlen);
/* Something was enqueued (or staff pressed retry): look now instead of at
 * the next due time. Any thread. */
void outbox_sender_wake(outbox_sender_t *s);
/* Asks for one run of opts.handoff on the sender thread, soon (requests
 * made before it runs are merged into that one run). Any thread; NULL S or
 * no handoff: nothing. */
void outbox_sender_request_handoff(outbox_sender_t *s);
/* Stops promptly (a request in flight is aborted; its item is sent again
 * at the next start) and frees S. NULL is fine. */
void outbox_sender_stop(outbox_sender_t *s);

#endif
