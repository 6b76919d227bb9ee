/* Content sync: keeps this kiosk on the newest signed bundle meant for it.
 *
 * A round: poll GET /v1/content/bundle with If-None-Match (304: done);
 * verify and check the manifest (content/manifest.h: signature with
 * kiosk.ini [content] public_key, expiry, rollback, target); fetch every
 * asset the kiosk lacks into VAR_DIR/content/assets/<sha256> (a ".part"
 * file, hashed while written, renamed only when the SHA-256 and size
 * match); then switch in ONE database transaction (content/content_store.h)
 * and call the notify callback. Any failure leaves the bundle in use as it
 * was, whole; the next round tries again. With no network the last applied
 * bundle simply stays (it lives in the kiosk database).
 *
 * The worker (content_start) runs a round at start, then every poll_s
 * seconds and whenever content_sync_now() is called. */
#ifndef KIOSK_CONTENT_SYNC_H
#define KIOSK_CONTENT_SYNC_H

#include <stdbool.h>
#include <stddef.h>

/* Called on the worker thread after a new bundle became current. Post an
 * event; do not touch UI state here. */
typedef void (*content_notify_fn)(long long version, void *ud);

typedef struct {
    const char *hub_url;       /* kiosk.ini [hub] url */
    const char *token;         /* device token "ID.SECRET"; ID is the kiosk id for targeting */
    const char *var_dir;       /* kiosk.db and content/assets/ live here */
    const char *public_key;    /* [content] public_key, 64 hex ("" = sync off) */
    const char *mode;          /* "hall" | "street" (cfg->mode) */
    const char *group;         /* [content] group, "" for none */
    int poll_s;                /* [content] poll_interval */
    int timeout_ms;            /* per request; 0 = 10000 */
    content_notify_fn notify;  /* may be NULL */
    void *ud;
} content_config_t;

typedef enum {
    CONTENT_UNCHANGED,         /* 304, or the same version again */
    CONTENT_APPLIED,           /* a new bundle is current */
    CONTENT_NO_BUNDLE,         /* the hub has none for this kiosk (404 no_bundle) */
    CONTENT_OFFLINE,           /* no usable answer from the hub */
    CONTENT_REJECTED,          /* manifest refused (signature, expiry, rollback, target, form) */
    CONTENT_ASSET_FAILED,      /* an asset missing, wrong hash or size, or aborted */
    CONTENT_LOCAL_ERROR,       /* database or disk */
} content_outcome_t;

const char *content_outcome_name(content_outcome_t o);

typedef struct {
    content_outcome_t outcome;
    long long version;         /* in use after the round */
    int assets_fetched;
    char detail[200];          /* why, for the log and staff */
} content_report_t;

/* ---- one synchronous syncer (tests, bench; the worker uses it) ---------- */
typedef struct content_sync content_sync_t;

/* Opens its own database connection and HTTP client. NULL with ERR when the
 * public key is missing or invalid, or var_dir cannot be opened. ABORT, when
 * not NULL, is polled during downloads (non-zero: the round stops, nothing
 * switched). The config's strings are copied. */
content_sync_t *content_sync_new(const content_config_t *cfg, const volatile int *abort,
                                 char *err, size_t errlen);
void content_sync_free(content_sync_t *s);
/* One round as described above. */
content_outcome_t content_sync_round(content_sync_t *s, content_report_t *rep);

/* ---- the worker (one per process) ---------------------------------------- */
/* Starts it. 0, or -1 (logged) when sync is off (no public key) or cannot
 * start; the kiosk then keeps whatever content it has. */
int content_start(const content_config_t *cfg);
/* Stops and joins it, aborting a download at once. Safe if not started. */
void content_stop(void);
/* Asks for a round now (the remote "reload content" command). */
void content_sync_now(void);
/* The bundle version in use (0: none, only the notices stored so far); for
 * telemetry. Read from the database at start, updated by each switch. */
long long content_current_version(void);

#endif
