/* The outbox: the kiosk's offline queue of outbound actions (issue #6).
 *
 * Every action the hub must learn about (a help request, an event
 * registration, a booking, telemetry...) is a row of table outbox
 * (store/schema.c, migration 5), written in the SAME SQLite transaction as
 * the local record it belongs to, so the two exist together or not at all.
 * The sender thread (outbox/sender.h) then sends it until the hub has it.
 *
 * States (the strings stored in the table):
 *   queued  --claim-->  sending  --finish-->  done | dead | queued (retry)
 *   dead    --retry (staff)-->  queued;  queued | dead | done --drop--> gone
 * A sending item is the sender's: staff can neither retry nor drop it. One
 * left sending by a crash goes back to queued at the next sender start
 * (outbox_requeue_interrupted) and is sent again.
 *
 * Exactly once: the kiosk delivers at least once (an item leaves the queue
 * only after a definite answer), each item carries its own Idempotency-Key
 * and the hub stores its first answer per (device, key) with the effects,
 * so a resend (after a lost answer, a crash mid-send) is replayed, not
 * applied again. The hub keeps keys 48 hours: an item whose outcome is
 * unknown must be resent within that time, which the capped backoff
 * (at most [outbox] retry_max apart) does while the kiosk runs.
 *
 * Personal data: an item enqueued with PERSONAL set has its body sealed
 * (outbox/seal.h) before it touches the database. Logs and error texts
 * name ids, kinds and paths, never body contents.
 *
 * Times are wall milliseconds, passed in by the caller (tests drive them).
 * Every function takes the store_t connection it works on; one connection
 * belongs to one thread at a time (the sender has its own). */
#ifndef KIOSK_OUTBOX_H
#define KIOSK_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/hub_api.h"
#include "outbox/seal.h"
#include "store/store.h"

typedef enum {
    OUTBOX_QUEUED,
    OUTBOX_SENDING,
    OUTBOX_DONE,
    OUTBOX_DEAD,
    OUTBOX_STATE_COUNT
} outbox_state_t;

/* Error returns besides -1 (a database error, out of memory). */
enum {
    OUTBOX_ERR = -1,
    OUTBOX_NOT_FOUND = -2,      /* no item with that id */
    OUTBOX_WRONG_STATE = -3,    /* the item's state does not allow it */
};

#define OUTBOX_BODY_MAX 65536   /* the hub's limit for a request body */
#define OUTBOX_KIND_MAX 32
#define OUTBOX_PATH_MAX 256
#define OUTBOX_KEY_MAX 65       /* the hub's 64 + NUL */

typedef struct {
    long long id;
    char kind[OUTBOX_KIND_MAX];
    char method[8];
    char path[OUTBOX_PATH_MAX];
    char idem_key[OUTBOX_KEY_MAX];
    outbox_state_t state;
    bool sealed;
    int body_len;               /* bytes of the plain body */
    int attempts;               /* sends so far */
    int64_t next_try_ms;        /* queued: due when <= now */
    int64_t created_ms, updated_ms;
    int http;                   /* status of the last answer, 0 = none */
    char last_error[256];       /* "" when none */
} outbox_item_t;

typedef struct {
    int queued, sending, done, dead;
    int64_t oldest_queued_ms;   /* created_ms of the oldest queued item, 0 if none */
} outbox_counts_t;

/* "queued", "sending", "done", "dead"; "?" for another value. */
const char *outbox_state_name(outbox_state_t s);
/* The state named NAME, or -1. */
int outbox_state_parse(const char *name);

/* ---- enqueue ---------------------------------------------------------------
 * KIND: [a-z0-9_.-], 1-31 bytes. PATH: "/v1/..." (printable ASCII, no
 * spaces). BODY: a JSON object, at most OUTBOX_BODY_MAX bytes. PERSONAL:
 * the body holds personal data: it is sealed with KEY (required then; KEY
 * may be NULL otherwise). IDEM_KEY: the Idempotency-Key (1-64 of
 * A-Z a-z 0-9 - _ . :), unique in the outbox; NULL or "" makes a fresh
 * random one ("ob-" + 16 hex digits). The item is queued, due at NOW_MS.
 * On success returns 0 with the new id in *ID (when not NULL); on error
 * returns -1 with ERR saying why ("not in a transaction", "kind: ...",
 * "database: database or disk is full"...). */

/* Inside the caller's open transaction on ST (BEGIN IMMEDIATE ...; the
 * caller's own INSERT; outbox_enqueue_in; COMMIT): the item commits or
 * rolls back with the caller's record. Refuses (-1) when ST is not in a
 * transaction. On error the caller should roll back (its record has no
 * outbox item); after a disk-full or I/O error SQLite may already have
 * rolled the whole transaction back (sqlite3_get_autocommit() says so). */
int outbox_enqueue_in(store_t *st, const outbox_key_t *key, const char *kind,
                      const char *path, const char *body, bool personal,
                      const char *idem_key, int64_t now_ms, long long *id,
                      char *err, size_t errlen);
/* The same in a transaction of its own (for items with no local record,
 * e.g. telemetry). Durable on return at the connection's synchronous level. */
int outbox_enqueue(store_t *st, const outbox_key_t *key, const char *kind,
                   const char *path, const char *body, bool personal,
                   const char *idem_key, int64_t now_ms, long long *id,
                   char *err, size_t errlen);

/* Sets PRAGMA synchronous=FULL on ST's connection, so a committed enqueue
 * survives a power cut too (NORMAL, the store's default, survives a crash
 * of the process but may lose the last commits on power loss). Call it on
 * every connection that enqueues. 0, or -1. */
int outbox_durable(store_t *st);

/* ---- the sender's side ---------------------------------------------------- */

/* Claims the oldest due item (queued, next_try_ms <= NOW_MS): in one
 * IMMEDIATE transaction it becomes sending and its attempts goes up by one.
 * Returns 1 with IT filled (after the claim) and *BODY (malloc'd, *BODYLEN
 * bytes) the stored body, still sealed when IT->sealed; 0 when nothing is
 * due; -1 on a database error (ERR says which; nothing changed). */
int outbox_claim(store_t *st, int64_t now_ms, outbox_item_t *it, unsigned char **body,
                 size_t *bodylen, char *err, size_t errlen);

/* Ends the attempt on item ID, which must be sending:
 *   OUTBOX_DONE    the hub has it; RESPONSE (may be NULL) kept;
 *   OUTBOX_QUEUED  a retry, due at NEXT_TRY_MS;
 *   OUTBOX_DEAD    refused for good.
 * HTTP and ERROR (may be NULL) are kept as http / last_error. Returns 0,
 * OUTBOX_WRONG_STATE when the item is not sending (or gone), -1 on a
 * database error. */
int outbox_finish(store_t *st, long long id, outbox_state_t to, int http,
                  const char *error, const char *response, int64_t next_try_ms,
                  int64_t now_ms, char *err, size_t errlen);

/* Every sending item back to queued, due at NOW_MS. Only for the one
 * sender, at its start, before it claims anything. Returns the number
 * requeued, or -1. */
int outbox_requeue_interrupted(store_t *st, int64_t now_ms);

/* The earliest next_try_ms of a queued item: 1 with *WHEN_MS, 0 if none
 * is queued, -1 on error. */
int outbox_next_due(store_t *st, int64_t *when_ms);

/* Deletes done items last updated before BEFORE_MS. Returns the number
 * deleted, or -1. Queued, sending and dead items are never pruned. */
int outbox_prune(store_t *st, int64_t before_ms);

/* ---- staff ------------------------------------------------------------------ */

/* Counts per state (for the staff menu and kioskctl). 0, or -1. */
int outbox_counts(store_t *st, outbox_counts_t *c);

/* Items newest first; only those in state ONLY when ONLY >= 0. Returns the
 * number written to OUT (<= MAX), or -1. */
int outbox_list(store_t *st, int only, outbox_item_t *out, int max);

/* Item ID into IT. When BODY is not NULL, *BODY gets the body as text
 * (malloc'd, NUL-terminated; wipe and free): the plain body, opened with
 * KEY when sealed; NULL when sealed and KEY is NULL. Returns 0;
 * OUTBOX_NOT_FOUND; -1 on a database error, or when the body cannot be
 * opened with KEY (ERR says so). */
int outbox_get(store_t *st, long long id, const outbox_key_t *key, outbox_item_t *it,
               char **body, char *err, size_t errlen);

/* Staff retry: a dead or queued item becomes queued, due at NOW_MS, with
 * attempts back to 0 (the backoff starts small again). 0,
 * OUTBOX_NOT_FOUND, OUTBOX_WRONG_STATE (sending or done), or -1. */
int outbox_retry(store_t *st, long long id, int64_t now_ms);

/* Staff drop: deletes a queued, dead or done item (a queued one is then
 * never sent). 0, OUTBOX_NOT_FOUND, OUTBOX_WRONG_STATE (sending), or -1. */
int outbox_drop(store_t *st, long long id);

/* ---- policy (pure) -------------------------------------------------------- */

/* What an answer means for the item: OUTBOX_DONE (HUB_OK), OUTBOX_DEAD
 * (HUB_REFUSED: a 4xx other than 408/429, the hub said no for good) or
 * OUTBOX_QUEUED (HUB_UNKNOWN: no usable answer, send again). */
outbox_state_t outbox_classify(const hub_status_t *st);

#endif
