#include "console_help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "mask.h"
#include "staff.h"

#define HELP_PAGE 200

void console_help_list(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT h.id, h.device, d.kiosk_group, h.location, h.message,"
                                    " pii_open(h.contact), h.created, h.acknowledged"
                                    " FROM help_requests h LEFT JOIN devices d ON d.id = h.device"
                                    " ORDER BY h.acknowledged IS NOT NULL, h.id DESC LIMIT :n", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read help requests");
        return;
    }
    sqlite3_bind_int(st, 1, HELP_PAGE);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "help");
    int pending = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *group = sqlite3_column_type(st, 2) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, 2);
        if (!staff_may(&s, STAFF_SEE_FLEET, group)) continue;
        cJSON *h = cJSON_CreateObject();
        cJSON_AddNumberToObject(h, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(h, "device", (const char *)sqlite3_column_text(st, 1));
        for (int i = 3; i <= 4; i++) {
            const char *k = i == 3 ? "location" : "message";
            if (sqlite3_column_type(st, i) == SQLITE_NULL) cJSON_AddNullToObject(h, k);
            else cJSON_AddStringToObject(h, k, (const char *)sqlite3_column_text(st, i));
        }
        if (sqlite3_column_type(st, 5) == SQLITE_NULL) {
            cJSON_AddNullToObject(h, "contact");
        } else {
            char masked[32];
            mask_phone((const char *)sqlite3_column_text(st, 5), masked, sizeof masked);
            cJSON_AddStringToObject(h, "contact", masked);
        }
        cJSON_AddNumberToObject(h, "created", (double)sqlite3_column_int64(st, 6));
        bool acked = sqlite3_column_type(st, 7) != SQLITE_NULL;
        if (acked) cJSON_AddNumberToObject(h, "acknowledged", (double)sqlite3_column_int64(st, 7));
        else cJSON_AddNullToObject(h, "acknowledged");
        pending += !acked;
        cJSON_AddItemToArray(arr, h);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read help requests");
        return;
    }
    cJSON_AddNumberToObject(o, "pending", pending);
    hub_reply(resp, 200, o);
}

void console_help_ack(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    char *end = NULL;
    long long id = strtoll(req->params[0], &end, 10);
    if (*end || id < 1) {
        hub_error(resp, 404, "unknown_help", "no help request %s", req->params[0]);
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    sqlite3_stmt *st = NULL;
    int found = -1;
    char group[64] = "", device[64] = "";
    long long acked = 0;
    if (sqlite3_prepare_v2(req->db, "SELECT h.device, d.kiosk_group, h.acknowledged FROM help_requests h"
                                    " LEFT JOIN devices d ON d.id = h.device WHERE h.id = :id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
        if (found == 1) {
            snprintf(device, sizeof device, "%s", (const char *)sqlite3_column_text(st, 0));
            if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                snprintf(group, sizeof group, "%s", (const char *)sqlite3_column_text(st, 1));
            acked = sqlite3_column_int64(st, 2);
        }
    }
    sqlite3_finalize(st);
    if (found != 1 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
        db_exec(req->db, "ROLLBACK");
        if (found < 0) hub_error(resp, 500, "storage", "cannot read the help request");
        else hub_error(resp, 404, "unknown_help", "no help request %lld", id);
        return;
    }
    if (acked) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 409, "acknowledged", "someone acknowledged it already");
        return;
    }
    int rc = SQLITE_ERROR;
    if (sqlite3_prepare_v2(req->db, "UPDATE help_requests SET acknowledged = :now WHERE id = :id", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now);
        sqlite3_bind_int64(st, 2, id);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 500, "storage", "cannot update the help request");
        return;
    }
    char target[48], after[96];
    snprintf(target, sizeof target, "help %lld", id);
    snprintf(after, sizeof after, "{\"device\":\"%s\",\"acknowledged\":%lld}", device, (long long)req->now);
    console_log_change(req->db, req->now, s.name, req->addr, "help_ack", target, "{\"acknowledged\":null}", after);
    cJSON *o = cJSON_CreateObject(), *h = cJSON_AddObjectToObject(o, "help");
    cJSON_AddNumberToObject(h, "id", (double)id);
    cJSON_AddStringToObject(h, "device", device);
    cJSON_AddNumberToObject(h, "acknowledged", (double)req->now);
    hub_reply(resp, 200, o);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the acknowledgement could not be stored; try again");
    }
}
