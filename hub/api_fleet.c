/* The fleet: staff queue commands for a kiosk (reload content, screenshot,
 * restart, set the display schedule, or any kind a newer kiosk knows); the
 * kiosk picks them up with its next heartbeat (api_misc.c calls
 * api_fleet_take_commands), acts, and reports a result; a screenshot comes
 * back as a raw PNG. Staff see every kiosk's state from its latest heartbeat.
 * docs/api.md "Fleet" is the contract.
 *
 * Nothing here holds personal data: heartbeats refuse it, and a command
 * result's message is refused the same way. A screenshot command takes one
 * picture. */
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "audit.h"
#include "writeoff.h"
#include "db.h"
#include "validate.h"
#include "jsonnum.h"
#include "debver.h"
#include "services/street/schedule.h"

#define FLEET_DISK_LOW_MB 500       /* less free disk is a fault */
#define FLEET_MISSED 3              /* heartbeats missed before a kiosk is offline */
#define FLEET_DEFAULT_INTERVAL 60

static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

static bool parse_id(const char *s, long long *out)
{
    if (!v_digits(s, 1, 18)) return false;
    *out = strtoll(s, NULL, 10);
    return *out >= 1;
}

/* [a-z0-9_], 1..32: a command kind. */
static bool kind_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32) return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static sqlite3_stmt *prep(hub_req_t *req, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    return st;
}

/* Column I as text, "" for NULL. */
static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* Adds ARGS_TEXT (stored JSON) to O as "args", {} if it does not parse. */
static void add_args(cJSON *o, const char *args_text)
{
    cJSON *a = cJSON_Parse(args_text);
    if (!a) a = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "args", a);
}

/* ---- heartbeat: pending commands ---------------------------------------- */

/* A command is handed out with the first heartbeat after it was queued, and
 * again with a later one if no result came within FLEET_REDELIVER_S, up to
 * FLEET_DELIVERIES times in all: the answer that carried it may never have
 * reached the kiosk (it stopped, or the network dropped, mid-request). The
 * kiosk remembers the ids it has taken, so a command it has is not run
 * twice; after a restart it may be, which is why the tries are few. */
int api_fleet_take_commands(hub_req_t *req, cJSON *arr)
{
    sqlite3_stmt *st = prep(req, "SELECT id, kind, args FROM commands WHERE device = ?1 AND done IS NULL"
                                 " AND (delivered IS NULL OR (delivered <= ?2 AND deliveries < ?3))"
                                 " ORDER BY id LIMIT 16");
    if (!st) return -1;
    sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, req->now - FLEET_REDELIVER_S);
    sqlite3_bind_int(st, 3, FLEET_DELIVERIES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(c, "kind", col_text(st, 1));
        add_args(c, col_text(st, 2));
        cJSON_AddItemToArray(arr, c);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return -1;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        st = prep(req, "UPDATE commands SET delivered = ?2, deliveries = deliveries + 1 WHERE id = ?1");
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)cJSON_GetObjectItem(c, "id")->valuedouble);
        sqlite3_bind_int64(st, 2, req->now);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) return -1;
    }
    return 0;
}

/* ---- a command as JSON --------------------------------------------------- */

/* {"command": {...}} for command ID, or NULL when there is none (of DEVICE,
 * when DEVICE is not NULL). *DB_ERR set on a database error. */
static cJSON *command_json(hub_req_t *req, long long id, const char *device, bool *db_err)
{
    *db_err = false;
    sqlite3_stmt *st = prep(req,
        "SELECT c.id, c.device, c.kind, c.args, c.created, c.staff, c.delivered, c.done, c.ok,"
        " c.message, (SELECT MAX(s.id) FROM screenshots s WHERE s.command = c.id), c.deliveries"
        " FROM commands c WHERE c.id = ?1 AND (?2 IS NULL OR c.device = ?2)");
    if (!st) { *db_err = true; return NULL; }
    sqlite3_bind_int64(st, 1, id);
    if (device) sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 2);
    int rc = sqlite3_step(st);
    cJSON *o = NULL;
    if (rc == SQLITE_ROW) {
        o = cJSON_CreateObject();
        cJSON *c = cJSON_AddObjectToObject(o, "command");
        cJSON_AddNumberToObject(c, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(c, "device", col_text(st, 1));
        cJSON_AddStringToObject(c, "kind", col_text(st, 2));
        add_args(c, col_text(st, 3));
        cJSON_AddNumberToObject(c, "created", (double)sqlite3_column_int64(st, 4));
        cJSON_AddStringToObject(c, "staff", col_text(st, 5));
        bool delivered = sqlite3_column_type(st, 6) != SQLITE_NULL;
        bool done = sqlite3_column_type(st, 7) != SQLITE_NULL;
        int deliveries = sqlite3_column_int(st, 11);
        /* Handed out as often as it will be, and no answer to the last: the
         * kiosk did not get it or could not say so. */
        bool unanswered = !done && delivered && deliveries >= FLEET_DELIVERIES &&
                          sqlite3_column_int64(st, 6) <= req->now - FLEET_REDELIVER_S;
        cJSON_AddStringToObject(c, "status", done ? "done" : unanswered ? "unanswered"
                                                 : delivered ? "delivered" : "queued");
        if (delivered) cJSON_AddNumberToObject(c, "delivered", (double)sqlite3_column_int64(st, 6));
        cJSON_AddNumberToObject(c, "deliveries", deliveries);
        if (done) {
            cJSON_AddNumberToObject(c, "done", (double)sqlite3_column_int64(st, 7));
            cJSON_AddBoolToObject(c, "ok", sqlite3_column_int(st, 8) != 0);
            cJSON_AddStringToObject(c, "message", col_text(st, 9));
        }
        if (sqlite3_column_type(st, 10) != SQLITE_NULL)
            cJSON_AddNumberToObject(c, "screenshot", (double)sqlite3_column_int64(st, 10));
    } else if (rc != SQLITE_DONE) {
        *db_err = true;
    }
    sqlite3_finalize(st);
    return o;
}

/* ---- POST /v1/commands/{id}/result (device) ------------------------------ */

void api_command_result(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    bool db_err;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_command", "no command %s for this kiosk", req->params[0]);
        return;
    }
    if (!cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(req->json, "ok"))) {
        bool absent = !cJSON_GetObjectItemCaseSensitive(req->json, "ok");
        hub_error(resp, 422, absent ? "missing_field" : "invalid_field", "ok: %s",
                  absent ? "required" : "must be true or false");
        return;
    }
    bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req->json, "ok"));
    const char *msg;
    if (v_string(resp, req->json, "message", 0, 200, false, &msg) != 0) return;
    if (api_personal_json(req->json)) {
        hub_error(resp, 422, "personal_data",
                  "telemetry must not carry personal data (a phone or ID number was found)");
        return;
    }
    cJSON *cur = command_json(req, id, req->device.id, &db_err);
    if (!cur) {
        if (db_err) hub_error(resp, 500, "storage", "cannot read the command");
        else hub_error(resp, 404, "unknown_command", "no command %lld for this kiosk", id);
        return;
    }
    const char *status = cJSON_GetObjectItem(cJSON_GetObjectItem(cur, "command"), "status")->valuestring;
    bool done = strcmp(status, "done") == 0;
    cJSON_Delete(cur);
    if (done) {
        hub_error(resp, 409, "command_done", "command %lld already has a result", id);
        return;
    }
    sqlite3_stmt *st = prep(req, "UPDATE commands SET done = ?2, ok = ?3, message = ?4,"
                                 " delivered = COALESCE(delivered, ?2) WHERE id = ?1");
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, req->now);
        sqlite3_bind_int(st, 3, ok);
        sqlite3_bind_text(st, 4, msg ? msg : "", -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    cJSON *o = rc == SQLITE_DONE ? command_json(req, id, req->device.id, &db_err) : NULL;
    if (!o) {
        hub_error(resp, 500, "storage", "cannot store the result");
        return;
    }
    hub_reply(resp, 200, o);
}

/* ---- POST /v1/screenshots?command=ID (device, raw PNG) ------------------- */

void api_screenshot_upload(hub_req_t *req, hub_resp_t *resp)
{
    long long cmd;
    bool db_err;
    const char *q = hub_query(req, "command");
    if (!q) {
        hub_error(resp, 422, "missing_field", "command: the query parameter is required");
        return;
    }
    if (!parse_id(q, &cmd)) {
        hub_error(resp, 422, "invalid_field", "command: not a command id");
        return;
    }
    if (req->body_len < sizeof png_magic || memcmp(req->body, png_magic, sizeof png_magic) != 0) {
        hub_error(resp, 422, "invalid_body", "the body is not a PNG image");
        return;
    }
    cJSON *c = command_json(req, cmd, req->device.id, &db_err);
    const cJSON *kind = c ? cJSON_GetObjectItem(cJSON_GetObjectItem(c, "command"), "kind") : NULL;
    bool is_shot = kind && strcmp(kind->valuestring, "screenshot") == 0;
    cJSON_Delete(c);
    if (!is_shot) {
        if (db_err) hub_error(resp, 500, "storage", "cannot read the command");
        else hub_error(resp, 404, "unknown_command", "no screenshot command %lld for this kiosk", cmd);
        return;
    }
    /* One picture per command: a kiosk (or a stolen token) cannot fill the
     * database with screenshots nobody asked for. */
    sqlite3_stmt *st = prep(req, "SELECT count(*) FROM screenshots WHERE command = ?1");
    long long taken = -1;
    if (st) {
        sqlite3_bind_int64(st, 1, cmd);
        if (sqlite3_step(st) == SQLITE_ROW) taken = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (taken != 0) {
        if (taken < 0) hub_error(resp, 500, "storage", "cannot read the screenshots");
        else hub_error(resp, 409, "screenshot_taken", "command %lld already has its screenshot", cmd);
        return;
    }
    st = prep(req, "INSERT INTO screenshots(device, command, taken, png) VALUES(?1, ?2, ?3, ?4)");
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, cmd);
        sqlite3_bind_int64(st, 3, req->now);
        sqlite3_bind_blob(st, 4, req->body, (int)req->body_len, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot store the screenshot");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *s = cJSON_AddObjectToObject(o, "screenshot");
    cJSON_AddNumberToObject(s, "id", (double)sqlite3_last_insert_rowid(req->db));
    cJSON_AddNumberToObject(s, "command", (double)cmd);
    cJSON_AddNumberToObject(s, "taken", (double)req->now);
    cJSON_AddNumberToObject(s, "bytes", (double)req->body_len);
    hub_reply(resp, 201, o);
}

/* ---- staff: POST /v1/admin/devices/{id}/commands -------------------------- */

/* The kinds whose arguments the hub knows are checked here, so a mistyped
 * command is refused to staff at once instead of by the kiosk minutes later.
 * update: {"version": V}, V a Debian version (common/debver.h), nothing
 * else: the root updater on the kiosk installs exactly that version.
 * set_schedule: {"on": "HH:MM", "off": "HH:MM"}, two different times, as
 * the kiosk takes them (telemetry_parse_schedule). 0, or -1 with the error
 * in RESP. */
static int hhmm_minutes(const cJSON *v)
{
    /* The street schedule's parser (linked into the hub), without its 24:00. */
    int m;
    return cJSON_IsString(v) && sched_parse_hhmm(v->valuestring, &m) == 0 && m < 24 * 60 ? m : -1;
}

static int schedule_args(hub_resp_t *resp, const cJSON *args)
{
    const char *k[] = {"on", "off"};
    int min[2];
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, k[i]);
        if (!v) {
            hub_error(resp, 422, "missing_field", "args.%s: required (HH:MM, local time)", k[i]);
            return -1;
        }
        if ((min[i] = hhmm_minutes(v)) < 0) {
            hub_error(resp, 422, "invalid_field", "args.%s: HH:MM, 00:00 to 23:59", k[i]);
            return -1;
        }
    }
    if (min[0] == min[1]) {
        hub_error(resp, 422, "invalid_field", "args: on and off are the same time");
        return -1;
    }
    if (cJSON_GetArraySize(args) != 2) {
        hub_error(resp, 422, "invalid_field", "args: set_schedule takes only on and off");
        return -1;
    }
    return 0;
}

static int known_args(hub_resp_t *resp, const char *kind, const cJSON *args)
{
    if (!strcmp(kind, "set_schedule")) return schedule_args(resp, args);
    if (strcmp(kind, "update") != 0) return 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, "version");
    if (!v) {
        hub_error(resp, 422, "missing_field", "args.version: required (the package version to install)");
        return -1;
    }
    if (!cJSON_IsString(v) || !debver_ok(v->valuestring)) {
        hub_error(resp, 422, "invalid_field", "args.version: a Debian version: 1 to %d of 0-9 A-Z a-z . + ~ -,"
                  " starting with a digit, no epoch", DEBVER_MAX);
        return -1;
    }
    if (cJSON_GetArraySize(args) != 1) {
        hub_error(resp, 422, "invalid_field", "args: update takes only version");
        return -1;
    }
    return 0;
}

void api_admin_command(hub_req_t *req, hub_resp_t *resp)
{
    const char *kind;
    bool db_err;
    if (v_string(resp, req->json, "kind", 1, 32, true, &kind) != 0) return;
    if (!kind_ok(kind)) {
        hub_error(resp, 422, "invalid_field", "kind: 1 to 32 of a-z 0-9 _");
        return;
    }
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(req->json, "args");
    if (args && !cJSON_IsObject(args)) {
        hub_error(resp, 422, "invalid_field", "args: must be an object");
        return;
    }
    if (known_args(resp, kind, args) != 0) return;
    char *args_text = args ? cJSON_PrintUnformatted(args) : strdup("{}");
    if (!args_text) {
        hub_error(resp, 500, "memory", "out of memory");
        return;
    }
    if (strlen(args_text) > 1024 || api_personal_json(req->json)) {
        bool big = strlen(args_text) > 1024;
        free(args_text);
        if (big) hub_error(resp, 422, "invalid_field", "args: at most 1024 bytes of JSON");
        else hub_error(resp, 422, "personal_data", "a command must not carry personal data");
        return;
    }
    if (db_int(req->db, "SELECT COUNT(*) FROM devices WHERE id = ?1 AND role = 'kiosk' AND revoked = 0",
               req->params[0], 0) != 1) {
        free(args_text);
        hub_error(resp, 404, "unknown_device", "no kiosk %s", req->params[0]);
        return;
    }
    sqlite3_stmt *st = prep(req, "INSERT INTO commands(device, kind, args, created, staff)"
                                 " VALUES(?1, ?2, ?3, ?4, ?5)");
    int rc = SQLITE_ERROR;
    if (st) {
        sqlite3_bind_text(st, 1, req->params[0], -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, args_text, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, req->now);
        sqlite3_bind_text(st, 5, req->device.id, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    free(args_text);
    cJSON *o = rc == SQLITE_DONE
                   ? command_json(req, sqlite3_last_insert_rowid(req->db), NULL, &db_err) : NULL;
    if (!o) {
        hub_error(resp, 500, "storage", "cannot store the command");
        return;
    }
    hub_reply(resp, 201, o);
}

/* ---- staff: GET /v1/admin/commands/{id} ------------------------------------ */

void api_admin_command_get(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    bool db_err = false;
    cJSON *o = parse_id(req->params[0], &id) ? command_json(req, id, NULL, &db_err) : NULL;
    if (!o) {
        if (db_err) hub_error(resp, 500, "storage", "cannot read the command");
        else hub_error(resp, 404, "unknown_command", "no command %s", req->params[0]);
        return;
    }
    hub_reply(resp, 200, o);
}

/* The latest MAX commands of DEVICE, newest first, each as in
 * GET /v1/admin/commands/{id}; NULL on a database error. */
cJSON *api_fleet_recent_commands(hub_req_t *req, const char *device, int max)
{
    sqlite3_stmt *st = prep(req, "SELECT id FROM commands WHERE device = ?1 ORDER BY id DESC LIMIT ?2");
    if (!st) return NULL;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, max);
    long long ids[64];
    int n = 0, rc;
    while (n < 64 && (rc = sqlite3_step(st)) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        bool db_err = false;
        cJSON *o = command_json(req, ids[i], device, &db_err);
        if (db_err) {
            cJSON_Delete(arr);
            return NULL;
        }
        if (o) cJSON_AddItemToArray(arr, cJSON_DetachItemFromObjectCaseSensitive(o, "command"));
        cJSON_Delete(o);
    }
    return arr;
}

/* ---- staff: GET /v1/admin/fleet ------------------------------------------- */

static const char *str_of(const cJSON *hb, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(hb, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long int_of(const cJSON *hb, const char *key, long long def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(hb, key);
    return json_whole_or(v, def);
}

/* The faults a heartbeat shows, as short codes. */
static void add_faults(cJSON *arr, const cJSON *hb)
{
    const char *s;
    if ((s = str_of(hb, "printer")) && strcmp(s, "ok") != 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString("printer_not_ready"));
    if ((s = str_of(hb, "paper")) && strcmp(s, "low") == 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString("paper_low"));
    if ((s = str_of(hb, "paper")) && strcmp(s, "out") == 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString("paper_out"));
    if ((s = str_of(hb, "reader")) && strcmp(s, "ok") != 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString("reader_missing"));
    if (int_of(hb, "dead_letters", 0) > 0)
        cJSON_AddItemToArray(arr, cJSON_CreateString("dead_letters"));
    long long disk = int_of(hb, "disk_free_mb", -1);
    if (disk >= 0 && disk < FLEET_DISK_LOW_MB)
        cJSON_AddItemToArray(arr, cJSON_CreateString("disk_low"));
}

static void copy_str(cJSON *k, const cJSON *hb, const char *key)
{
    const char *s = hb ? str_of(hb, key) : NULL;
    if (s) cJSON_AddStringToObject(k, key, s);
    else cJSON_AddNullToObject(k, key);
}

static void copy_int(cJSON *k, const cJSON *hb, const char *key)
{
    long long v = hb ? int_of(hb, key, -1) : -1;
    if (v >= 0) cJSON_AddNumberToObject(k, key, (double)v);
    else cJSON_AddNullToObject(k, key);
}

/* "devices": the peripherals and queues the latest heartbeat reported
 * (each null when it did not), so staff see more than the fault codes. */
static void add_devices(cJSON *k, const cJSON *hb)
{
    cJSON *d = cJSON_AddObjectToObject(k, "devices");
    copy_str(d, hb, "printer");
    copy_str(d, hb, "paper");
    copy_str(d, hb, "reader");
    copy_int(d, hb, "queue_depth");
    copy_int(d, hb, "dead_letters");
    copy_int(d, hb, "disk_free_mb");
    copy_int(d, hb, "mem_kb");
}

/* "update": the last fleet update's outcome the kiosk reported, or null. */
static void add_update(cJSON *k, const cJSON *hb)
{
    const char *outcome = hb ? str_of(hb, "update_outcome") : NULL;
    if (!outcome) {
        cJSON_AddNullToObject(k, "update");
        return;
    }
    cJSON *u = cJSON_AddObjectToObject(k, "update");
    cJSON_AddStringToObject(u, "outcome", outcome);
    const char *v = str_of(hb, "update_version");
    if (v) cJSON_AddStringToObject(u, "version", v);
    else cJSON_AddNullToObject(u, "version");
    long long cmd = int_of(hb, "update_command", -1);
    if (cmd > 0) cJSON_AddNumberToObject(u, "command", (double)cmd);
    else cJSON_AddNullToObject(u, "command");
}

void api_admin_fleet(hub_req_t *req, hub_resp_t *resp)
{
    sqlite3_stmt *st = prep(req,
        "SELECT d.id, d.name, h.received, h.count, h.body, d.kiosk_group FROM devices d"
        " LEFT JOIN heartbeats h ON h.device = d.id"
        " WHERE d.role = 'kiosk' AND d.revoked = 0 ORDER BY d.id");
    if (!st) {
        hub_error(resp, 500, "storage", "cannot read the fleet");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "kiosks");
    cJSON_AddNumberToObject(o, "time", (double)req->now);
    int rc, online_n = 0, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *k = cJSON_CreateObject();
        bool seen = sqlite3_column_type(st, 2) != SQLITE_NULL;
        cJSON *hb = seen ? cJSON_Parse(col_text(st, 4)) : NULL;
        long long interval = hb ? int_of(hb, "interval_s", FLEET_DEFAULT_INTERVAL) : FLEET_DEFAULT_INTERVAL;
        if (interval < 1) interval = FLEET_DEFAULT_INTERVAL;
        long long last = seen ? sqlite3_column_int64(st, 2) : 0;
        bool online = seen && req->now - last <= FLEET_MISSED * interval;
        cJSON_AddStringToObject(k, "id", col_text(st, 0));
        cJSON_AddStringToObject(k, "name", col_text(st, 1));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) cJSON_AddStringToObject(k, "group", col_text(st, 5));
        else cJSON_AddNullToObject(k, "group");
        cJSON_AddBoolToObject(k, "online", online);
        if (seen) cJSON_AddNumberToObject(k, "last_heartbeat", (double)last);
        else cJSON_AddNullToObject(k, "last_heartbeat");
        cJSON_AddNumberToObject(k, "heartbeats", seen ? (double)sqlite3_column_int64(st, 3) : 0);
        cJSON_AddNumberToObject(k, "interval_s", (double)interval);
        copy_str(k, hb, "version");
        copy_str(k, hb, "content_version");
        copy_str(k, hb, "mode");
        copy_str(k, hb, "screen");
        long long up = hb ? int_of(hb, "uptime_s", -1) : -1;
        if (up >= 0) cJSON_AddNumberToObject(k, "uptime_s", (double)up);
        else cJSON_AddNullToObject(k, "uptime_s");
        add_update(k, hb);
        add_devices(k, hb);
        cJSON *faults = cJSON_AddArrayToObject(k, "faults");
        if (hb) add_faults(faults, hb);
        audit_fleet_faults(req, col_text(st, 0), faults);
        writeoff_fleet_faults(req->db, col_text(st, 0), faults);
        cJSON_Delete(hb);
        cJSON_AddItemToArray(arr, k);
        n++;
        online_n += online;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the fleet");
        return;
    }
    cJSON_AddNumberToObject(o, "total", n);
    cJSON_AddNumberToObject(o, "online", online_n);
    hub_reply(resp, 200, o);
}

/* ---- staff: GET /v1/admin/screenshots/{id} (PNG) -------------------------- */

void api_admin_screenshot(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    sqlite3_stmt *st = parse_id(req->params[0], &id)
                           ? prep(req, "SELECT png FROM screenshots WHERE id = ?1") : NULL;
    if (!st) {
        hub_error(resp, 404, "unknown_screenshot", "no screenshot %s", req->params[0]);
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        hub_error(resp, 404, "unknown_screenshot", "no screenshot %lld", id);
        return;
    }
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    char *png = malloc(n ? n : 1);
    if (!png) {
        sqlite3_finalize(st);
        hub_error(resp, 500, "memory", "out of memory");
        return;
    }
    if (n) memcpy(png, sqlite3_column_blob(st, 0), n);
    sqlite3_finalize(st);
    free(resp->body);
    resp->status = 200;
    resp->body = png;
    resp->body_len = n;
    resp->content_type = "image/png";
}

/* ---- POST /v1/proof-of-play ------------------------------------------------ */

#define POP_MAX 500

static bool int_field(const cJSON *o, const char *k, long long lo, long long hi, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!json_whole(v, out)) return false;
    return *out >= lo && *out <= hi;
}

void api_proof_of_play(hub_req_t *req, hub_resp_t *resp)
{
    const cJSON *plays = cJSON_GetObjectItemCaseSensitive(req->json, "plays");
    if (!plays) {
        hub_error(resp, 422, "missing_field", "plays is required");
        return;
    }
    int n = cJSON_GetArraySize(plays);
    if (!cJSON_IsArray(plays) || n < 1 || n > POP_MAX) {
        hub_error(resp, 422, "invalid_field", "plays must be an array of 1-%d records", POP_MAX);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "INSERT INTO proof_of_play(device, content_id, playlist_id, kind,"
                           " started, shown_ms, received) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st,
                           NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot store proof of play");
        return;
    }
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, plays) {
        long long content, playlist, started, shown;
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(p, "kind");
        if (!cJSON_IsObject(p) || !int_field(p, "content_id", 1, (1LL << 53), &content) ||
            !int_field(p, "playlist_id", 0, (1LL << 53), &playlist) ||
            !int_field(p, "started", 0, 4102444800LL, &started) ||
            !int_field(p, "shown_ms", 0, 86400000LL, &shown) || !cJSON_IsString(kind) ||
            (strcmp(kind->valuestring, "item") != 0 && strcmp(kind->valuestring, "alert") != 0)) {
            sqlite3_finalize(st);
            hub_error(resp, 422, "invalid_field",
                      "plays[%d]: needs content_id, playlist_id, kind (item|alert), started, shown_ms", i);
            return;
        }
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, content);
        sqlite3_bind_int64(st, 3, playlist);
        sqlite3_bind_text(st, 4, kind->valuestring, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, started);
        sqlite3_bind_int64(st, 6, shown);
        sqlite3_bind_int64(st, 7, req->now);
        if (sqlite3_step(st) != SQLITE_DONE) {
            sqlite3_finalize(st);
            hub_error(resp, 500, "storage", "cannot store proof of play");
            return;
        }
        i++;
    }
    sqlite3_finalize(st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "stored", n);
    hub_reply(resp, 201, o);
}
