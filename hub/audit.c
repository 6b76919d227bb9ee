#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

#define ALERT_SHOWN_S (24 * 3600)
#define AUDIT_PAGE 1000

const char *audit_kind(const hub_req_t *req, const hub_route_t *route)
{
    if (req->audit_kind) return req->audit_kind;
    if (!strcmp(route->pattern, "/v1/bills")) return hub_query(req, "qr") ? "bill_qr" : "bill_account";
    if (!strcmp(route->pattern, "/v1/bills/lookup")) return "id_number";
    if (!strcmp(route->pattern, "/v1/housekeeping/bookings/lookup")) return "booking";
    if (!strcmp(route->pattern, "/v1/housekeeping/bookings/{code}/cancel")) return "booking_cancel";
    return route->pattern;
}

static const char *outcome_of(int status)
{
    return status >= 200 && status < 300 ? "found" : status == 404 ? "not_found" : "refused";
}

static long long count_misses(sqlite3 *db, const char *device, int64_t since)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE device = ?1 AND outcome = 'not_found'"
                               " AND time >= ?2", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, since);
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* One alert per device and window: a new one only when none was raised
 * within the window. */
static void maybe_alert(hub_req_t *req, const char *kind)
{
    const hub_config_t *cfg = hub_config(req->hub);
    int64_t since = req->now - (int64_t)cfg->miss_alert_minutes * 60;
    long long misses = count_misses(req->db, req->device.id, since);
    if (misses <= cfg->miss_alert_count) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "INSERT INTO audit_alerts(device, kind, raised, misses)"
                                    " SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM audit_alerts"
                                    " WHERE device = ?1 AND raised >= ?5)", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, req->now);
    sqlite3_bind_int64(st, 4, misses);
    sqlite3_bind_int64(st, 5, since);
    if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(req->db) > 0)
        hub_log("audit", "alert: %s had %lld look-ups find nothing in %d minutes", req->device.id,
                misses, cfg->miss_alert_minutes);
    sqlite3_finalize(st);
}

int audit_proof_locked(sqlite3 *db, const char *key, int64_t now, int *retry_s)
{
    sqlite3_stmt *st = NULL;
    int locked = -1;
    *retry_s = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*), min(time) FROM proof_misses WHERE key = ?1 AND time > ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now - AUDIT_PROOF_WINDOW_S);
    if (sqlite3_step(st) == SQLITE_ROW) {
        locked = sqlite3_column_int64(st, 0) >= AUDIT_PROOF_MISSES;
        if (locked) {
            int64_t left = sqlite3_column_int64(st, 1) + AUDIT_PROOF_WINDOW_S - now;
            *retry_s = left > 0 ? (int)left : 1;
        }
    }
    sqlite3_finalize(st);
    return locked;
}

/* Counts REQ's failed proof against its key, and forgets the ones that aged
 * out of every window (so the table holds a day of misses at most). */
static void record_proof_miss(hub_req_t *req)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "INSERT INTO proof_misses(key, time) VALUES(?1, ?2)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, req->proof_miss, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, req->now);
        if (sqlite3_step(st) != SQLITE_DONE) hub_log("audit", "cannot record a failed proof: %s", sqlite3_errmsg(req->db));
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(req->db, "DELETE FROM proof_misses WHERE time <= ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now - AUDIT_PROOF_WINDOW_S);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
}

void audit_lookup(hub_req_t *req, const char *kind, int status)
{
    sqlite3_stmt *st = NULL;
    /* A refused proof answers like "nothing found" (a look-up's empty list):
     * it is a miss for the device's alert all the same. */
    bool proof_miss = req->proof_miss[0] && status < 500;
    const char *outcome = proof_miss ? "not_found" : outcome_of(status);
    if (proof_miss) record_proof_miss(req);
    if (sqlite3_prepare_v2(req->db, "INSERT INTO audit(device, time, kind, outcome, detail) VALUES(?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_log("audit", "cannot record a look-up: %s", sqlite3_errmsg(req->db));
        return;
    }
    sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, req->now);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, outcome, -1, SQLITE_STATIC);
    if (req->audit_detail) sqlite3_bind_text(st, 5, req->audit_detail, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE) hub_log("audit", "cannot record a look-up: %s", sqlite3_errmsg(req->db));
    sqlite3_finalize(st);
    if (!strcmp(outcome, "not_found")) maybe_alert(req, kind);
}

void audit_fleet_faults(hub_req_t *req, const char *device, cJSON *faults)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT 1 FROM audit_alerts WHERE device = ?1 AND raised >= ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, req->now - ALERT_SHOWN_S);
    if (sqlite3_step(st) == SQLITE_ROW) cJSON_AddItemToArray(faults, cJSON_CreateString("lookup_misses"));
    sqlite3_finalize(st);
}

void api_admin_audit(hub_req_t *req, hub_resp_t *resp)
{
    const char *since_s = hub_query(req, "since"), *device = hub_query(req, "device");
    long long since = 0;
    if (since_s) {
        char *end;
        since = strtoll(since_s, &end, 10);
        if (!*since_s || *end || since < 0) {
            hub_error(resp, 422, "invalid_field", "since must be unix seconds");
            return;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT id, device, time, kind, outcome, detail FROM audit WHERE time >= ?1"
                                    " AND (?2 IS NULL OR device = ?2) ORDER BY id LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the audit log");
        return;
    }
    sqlite3_bind_int64(st, 1, since);
    if (device) sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, AUDIT_PAGE);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "entries");
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(e, "device", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddNumberToObject(e, "time", (double)sqlite3_column_int64(st, 2));
        cJSON_AddStringToObject(e, "kind", (const char *)sqlite3_column_text(st, 3));
        cJSON_AddStringToObject(e, "outcome", (const char *)sqlite3_column_text(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            cJSON_AddStringToObject(e, "detail", (const char *)sqlite3_column_text(st, 5));
        cJSON_AddItemToArray(arr, e);
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the audit log");
        return;
    }
    cJSON_AddBoolToObject(o, "more", n == AUDIT_PAGE);
    cJSON *alerts = cJSON_AddArrayToObject(o, "alerts");
    if (sqlite3_prepare_v2(req->db, "SELECT device, kind, raised, misses FROM audit_alerts WHERE raised >= ?1"
                                    " AND (?2 IS NULL OR device = ?2) ORDER BY id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, since);
        if (device) sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *a = cJSON_CreateObject();
            cJSON_AddStringToObject(a, "device", (const char *)sqlite3_column_text(st, 0));
            cJSON_AddStringToObject(a, "kind", (const char *)sqlite3_column_text(st, 1));
            cJSON_AddNumberToObject(a, "raised", (double)sqlite3_column_int64(st, 2));
            cJSON_AddNumberToObject(a, "misses", (double)sqlite3_column_int64(st, 3));
            cJSON_AddItemToArray(alerts, a);
        }
        sqlite3_finalize(st);
    }
    hub_reply(resp, 200, o);
}
