#include "console_kiosk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "console_auth.h"
#include "console_log.h"
#include "db.h"
#include "staff.h"

/* The kiosk group of the device SQL names (one text parameter ARG) into
 * GROUP: 1 found, 0 not found, -1 database error. */
static int group_of(hub_req_t *req, const char *sql, const char *arg, char *group, size_t len)
{
    sqlite3_stmt *st = NULL;
    group[0] = '\0';
    if (sqlite3_prepare_v2(req->db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st), found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    if (found == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL)
        snprintf(group, len, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return found;
}

void console_kiosk_command(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char group[64];
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(req->json, "kind");
    static const char *const kinds[] = {"screenshot", "reload_content", "restart", "set_schedule"};
    int k = -1;
    for (int i = 0; cJSON_IsString(kind) && i < 4; i++)
        if (!strcmp(kind->valuestring, kinds[i])) k = i;
    if (k < 0) {
        hub_error(resp, 422, "invalid_field", "kind: screenshot, reload_content, restart or set_schedule");
        return;
    }
    int found = group_of(req, "SELECT kiosk_group FROM devices WHERE id = ?1 AND role = 'kiosk' AND revoked = 0",
                         req->params[0], group, sizeof group);
    /* A kiosk outside the account's groups is answered as one that does not exist. */
    if (found < 0) {
        hub_error(resp, 500, "storage", "cannot read the kiosk");
        return;
    }
    if (found == 0 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
        hub_error(resp, 404, "unknown_device", "no kiosk %s", req->params[0]);
        return;
    }
    /* Looking is a viewer's; changing what a kiosk does is a publisher's. */
    if (!staff_may(&s, k == 0 ? STAFF_SEE_FLEET : STAFF_PUBLISH, group)) {
        hub_error(resp, 403, "forbidden", "your role cannot send %s", kinds[k]);
        return;
    }
    if (db_exec(req->db, "BEGIN IMMEDIATE") != 0) {
        hub_error(resp, 503, "busy", "the hub is busy; try again");
        return;
    }
    hub_device_t who = req->device;
    snprintf(req->device.id, sizeof req->device.id, "%s", s.name);
    api_admin_command(req, resp);
    req->device = who;
    if (resp->status != 201) {
        db_exec(req->db, "ROLLBACK");
        return;
    }
    cJSON *c = cJSON_Parse(resp->body);
    char *after = c ? cJSON_PrintUnformatted(cJSON_GetObjectItem(c, "command")) : NULL;
    console_log_change(req->db, req->now, s.name, req->addr, "kiosk_command", req->params[0], NULL, after);
    free(after);
    cJSON_Delete(c);
    if (db_exec(req->db, "COMMIT") != 0) {
        db_exec(req->db, "ROLLBACK");
        hub_error(resp, 503, "storage", "the command could not be stored; try again");
    }
}

void console_command_get(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char group[64];
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    int found = group_of(req, "SELECT d.kiosk_group FROM commands c JOIN devices d ON d.id = c.device"
                              " WHERE c.id = CAST(?1 AS INTEGER)", req->params[0], group, sizeof group);
    if (found < 0) {
        hub_error(resp, 500, "storage", "cannot read the command");
        return;
    }
    if (found == 0 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
        hub_error(resp, 404, "unknown_command", "no command %s", req->params[0]);
        return;
    }
    api_admin_command_get(req, resp);
}

void console_screenshot_get(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char group[64];
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    int found = group_of(req, "SELECT d.kiosk_group FROM screenshots x JOIN devices d ON d.id = x.device"
                              " WHERE x.id = CAST(?1 AS INTEGER)", req->params[0], group, sizeof group);
    if (found < 0) {
        hub_error(resp, 500, "storage", "cannot read the screenshot");
        return;
    }
    if (found == 0 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
        hub_error(resp, 404, "unknown_screenshot", "no screenshot %s", req->params[0]);
        return;
    }
    api_admin_screenshot(req, resp);
}

#define KIOSK_PAGE_COMMANDS 10

void console_kiosk_get(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    char group[64];
    if (console_session_check(req, resp, false, &s, NULL) != 0) return;
    const char *id = req->params[0];
    int found = group_of(req, "SELECT kiosk_group FROM devices WHERE id = ?1 AND role = 'kiosk' AND revoked = 0",
                         id, group, sizeof group);
    if (found < 0) {
        hub_error(resp, 500, "storage", "cannot read the kiosk");
        return;
    }
    if (found == 0 || !staff_may(&s, STAFF_SEE_FLEET, group)) {
        hub_error(resp, 404, "unknown_device", "no kiosk %s", id);
        return;
    }
    /* The kiosk's row as the fleet list has it (one way to compute online,
     * faults and devices), then what was asked of it and answered. */
    hub_resp_t fleet = {0};
    api_admin_fleet(req, &fleet);
    cJSON *all = fleet.status == 200 ? cJSON_Parse(fleet.body) : NULL;
    free(fleet.body);
    cJSON *kiosk = NULL;
    for (cJSON *k = cJSON_GetObjectItemCaseSensitive(all, "kiosks") ? cJSON_GetObjectItemCaseSensitive(all, "kiosks")->child
                                                                     : NULL; k; k = k->next) {
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(k, "id");
        if (cJSON_IsString(kid) && !strcmp(kid->valuestring, id)) {
            kiosk = cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(all, "kiosks"), k);
            break;
        }
    }
    cJSON_Delete(all);
    cJSON *cmds = kiosk ? api_fleet_recent_commands(req, id, KIOSK_PAGE_COMMANDS) : NULL;
    if (!kiosk || !cmds) {
        cJSON_Delete(kiosk);
        cJSON_Delete(cmds);
        hub_error(resp, 500, "storage", "cannot read the kiosk");
        return;
    }
    /* The newest screenshot it sent, whichever command asked for it. */
    long long shot = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT MAX(id) FROM screenshots WHERE device = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) shot = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "kiosk", kiosk);
    cJSON_AddItemToObject(o, "commands", cmds);
    if (shot > 0) cJSON_AddNumberToObject(o, "screenshot", (double)shot);
    else cJSON_AddNullToObject(o, "screenshot");
    hub_reply(resp, 200, o);
}
