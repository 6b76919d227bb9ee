/* Fleet telemetry: a worker thread that sends a heartbeat to the hub every
 * interval (kiosk.ini [telemetry] heartbeat, jittered +-10%), picks up the
 * commands staff queued (docs/api.md "Fleet") from the answer, hands them to
 * the app, and sends back the app's results and screenshots.
 *
 * No personal data, by construction: the app gives a snapshot of enums,
 * numbers and short strings checked against a safe alphabet; the worker adds
 * what it measures itself (uptime, free disk of var_dir, memory, version).
 *
 * Threads: telemetry_update, telemetry_command_done and
 * telemetry_upload_screenshot are for the UI thread (they only copy under a
 * mutex and never block on the network); the command callback runs on the
 * worker thread. */
#ifndef KIOSK_TELEMETRY_H
#define KIOSK_TELEMETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "telemetry/selfupdate.h"

typedef enum { TEL_DEV_UNKNOWN, TEL_DEV_OK, TEL_DEV_OFFLINE, TEL_DEV_ERROR, TEL_DEV_MISSING } tel_dev_t;
typedef enum { TEL_PAPER_UNKNOWN, TEL_PAPER_OK, TEL_PAPER_LOW, TEL_PAPER_OUT } tel_paper_t;

/* What the app knows. Zeroed = nothing known: unknown fields are left out. */
typedef struct {
    char screen[32];            /* screen id: [a-z0-9_-] ("home", "bills_list"), else not sent */
    char content_version[72];   /* ETag of the content held: [A-Za-z0-9"._:/+=-], else not sent */
    tel_dev_t printer;
    tel_dev_t reader;
    tel_paper_t paper;
    int queue_depth;            /* outbox requests waiting; < 0 = unknown */
    int dead_letters;           /* outbox requests given up on; < 0 = unknown */
    int display_w, display_h;   /* the layout's size, after rotation (what residents see);
                                 * sent when both are 200..8192: the console previews at it */
    /* The last fleet update's outcome (outcome "" = none): the worker fills
     * it from VAR_DIR/update/result before each heartbeat (selfupdate.h). */
    selfupdate_result_t update;
} telemetry_snapshot_t;

typedef enum {
    TEL_CMD_RELOAD_CONTENT, TEL_CMD_SCREENSHOT, TEL_CMD_RESTART, TEL_CMD_SET_SCHEDULE,
    TEL_CMD_UPDATE, TEL_CMD_UNKNOWN
} tel_cmd_kind_t;

typedef struct {
    int on_min, off_min;        /* minutes after local midnight, 0..1439, different */
} telemetry_schedule_t;

typedef struct {
    long long id;               /* the hub's command id: give it back to telemetry_command_done */
    tel_cmd_kind_t kind;        /* never TEL_CMD_UNKNOWN in the callback */
    telemetry_schedule_t schedule;   /* TEL_CMD_SET_SCHEDULE only */
    char version[DEBVER_MAX + 1];    /* TEL_CMD_UPDATE only: selfupdate_parse_args */
} telemetry_cmd_t;

/* Called on the worker thread, once per command (a command repeated by the
 * hub is not handed over again). Must not block: post an event and return.
 * Unknown kinds and bad arguments never reach it: the worker answers them
 * ok=false itself. */
typedef void (*telemetry_cmd_fn)(void *ctx, const telemetry_cmd_t *cmd);

typedef struct telemetry telemetry_t;

/* Starts the worker: hub CFG->hub_url with CFG->device_token, every
 * CFG->heartbeat_s seconds (any value >= 1 is taken as is, so tests may beat
 * each second), free disk of CFG->var_dir, mode CFG->mode, request timeout
 * CFG->hub_timeout_s. The first heartbeat goes at once. FN may be NULL
 * (commands are then answered "not supported"). NULL with ERR on failure. */
telemetry_t *telemetry_start(const config_t *cfg, telemetry_cmd_fn fn, void *ctx,
                             char *err, size_t errlen);
/* Stops at once (a request in flight is aborted) and frees T. NULL is fine.
 * Results and screenshots not yet sent are dropped: call telemetry_flush
 * first when they matter (before a restart). */
void telemetry_stop(telemetry_t *t);
/* Waits up to TIMEOUT_MS for the results and screenshots queued so far to
 * be sent (or given up). True when nothing is left. */
bool telemetry_flush(telemetry_t *t, int timeout_ms);

/* Replaces the snapshot the next heartbeat reports (copied). */
void telemetry_update(telemetry_t *t, const telemetry_snapshot_t *snap);
/* The app's result of command ID; MESSAGE (<= 200 bytes, no personal data)
 * may be NULL. Copied; sent by the worker, retried while the hub is away. */
void telemetry_command_done(telemetry_t *t, long long id, bool ok, const char *message);
/* The PNG of screenshot command ID (LEN bytes, copied; at most 4 MiB), sent
 * by the worker. Then call telemetry_command_done. -1 if too big or out of
 * memory (nothing queued), else 0. */
int telemetry_upload_screenshot(telemetry_t *t, long long command_id, const void *png, size_t len);

typedef struct {
    int heartbeats_ok;          /* answered 200 */
    int heartbeats_failed;      /* no usable answer or refused */
    int commands;               /* handed to the app */
    int results_sent;
    int screenshots_sent;
    bool hub_reachable;         /* the last heartbeat got an answer */
} telemetry_stats_t;
void telemetry_get_stats(telemetry_t *t, telemetry_stats_t *out);

/* ---- pure parts (tested without a hub) ----------------------------------- */

/* The heartbeat body (malloc'd JSON; the caller frees) from SNAP and what the
 * worker measured; a measure < 0 is left out. Only the fields of docs/api.md
 * "POST /v1/heartbeat", never free text. */
char *telemetry_body(const telemetry_snapshot_t *snap, kiosk_mode_t mode, int interval_s,
                     long long uptime_s, long long disk_free_mb, long long mem_kb);
/* Milliseconds to the next heartbeat: INTERVAL_S +-10%, R a random number. */
int64_t telemetry_jitter_ms(int interval_s, uint32_t r);
/* {"on": "HH:MM", "off": "HH:MM"} (ARGS_JSON, an object) into OUT. 0, or -1
 * with ERR saying what is wrong (missing, malformed, on == off). */
int telemetry_parse_schedule(const char *args_json, telemetry_schedule_t *out, char *err,
                             size_t errlen);
/* Kind name to enum (TEL_CMD_UNKNOWN if not known). */
tel_cmd_kind_t telemetry_cmd_kind(const char *name);

#endif
