/* The kiosk's side of a fleet update (docs/fleet-updates.md): three small
 * files in VAR_DIR/update/, the only link between the unprivileged kiosk
 * and the root updater (deploy/update/xfl-kiosk-update), which reads and
 * writes them as the kiosk's user, never as root.
 *
 *   request  written here: {"id":ID,"version":"V"}, one line, atomically
 *            (temp file, fsync, rename, fsync of the directory), so the
 *            updater's path unit never sees half a request;
 *   result   written by the updater: {"command":ID,"outcome":O,
 *            "version":"V",...}; read here before every heartbeat, which
 *            reports it (update_outcome, update_version, update_command);
 *   health   written here after the first heartbeat the hub answered:
 *            "VERSION PID\n"; the updater takes a new version as healthy
 *            only when this file is newer than its restart and names it.
 *
 * The parsers (selfupdate_parse_args, selfupdate_result_parse) are pure,
 * with a fuzz target (tests/fuzz/fuzz_selfupdate.c).
 * No personal data in any of them. Threads: any (no shared state); the
 * request is written on the UI thread (a few hundred bytes to local disk),
 * the rest on the telemetry worker. Errors: -1 with ERR saying why. */
#ifndef KIOSK_TELEMETRY_SELFUPDATE_H
#define KIOSK_TELEMETRY_SELFUPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include "debver.h"

typedef struct {
    char outcome[16];           /* updated, rolled_back, failed, current */
    char version[DEBVER_MAX + 1];   /* the version asked for */
    long long command;          /* the update command's id */
} selfupdate_result_t;

/* The update command's arguments: {"version": "V"} (ARGS_JSON) into
 * VERSION (DEBVER_MAX + 1 bytes), V a Debian version (debver_ok) and
 * nothing else. 0, or -1 with ERR. Pure. */
int selfupdate_parse_args(const char *args_json, char *version, char *err, size_t errlen);
/* Writes VAR_DIR/update/request for command ID and VERSION (debver_ok),
 * making VAR_DIR/update (0700) if needed. 0, or -1 with ERR. */
int selfupdate_request_write(const char *var_dir, long long id, const char *version, char *err,
                             size_t errlen);
/* Reads VAR_DIR/update/result into OUT: 1 when there is one and it is well
 * formed, 0 when there is none, -1 (ERR) when it is malformed. */
int selfupdate_result_read(const char *var_dir, selfupdate_result_t *out, char *err, size_t errlen);
/* The pure part: TEXT (a result file's contents) into OUT. 0 or -1 (ERR). */
int selfupdate_result_parse(const char *text, selfupdate_result_t *out, char *err, size_t errlen);
/* Writes VAR_DIR/update/health: "VERSION PID\n", atomically. 0 or -1 (ERR). */
int selfupdate_health_write(const char *var_dir, const char *version, char *err, size_t errlen);

#endif
