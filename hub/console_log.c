#include "console_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

int console_log_change(sqlite3 *db, long long now, const char *staff, const char *addr,
                       const char *action, const char *target, const char *before,
                       const char *after)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "INSERT INTO console_changes(time, staff, addr, action, target, before, after)"
                                    " VALUES(:time, :staff, :addr, :action, :target, :before, :after)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_text(st, 2, staff, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, addr ? addr : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, target ? target : "", -1, SQLITE_TRANSIENT);
        if (before) sqlite3_bind_text(st, 6, before, -1, SQLITE_TRANSIENT);
        if (after) sqlite3_bind_text(st, 7, after, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hub_log("console", "cannot log %s by %s: %s", action, staff, sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

cJSON *console_log_read(sqlite3 *db, long long since, int limit)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, time, staff, addr, action, target, before, after"
                               " FROM console_changes WHERE time >= :since ORDER BY id LIMIT :limit",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, since);
    sqlite3_bind_int(st, 2, limit);
    cJSON *arr = cJSON_CreateArray();
    static const char *const cols[] = {"id", "time", "staff", "addr", "action", "target", "before", "after"};
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        for (int i = 0; i < 8; i++) {
            if (sqlite3_column_type(st, i) == SQLITE_NULL) cJSON_AddNullToObject(o, cols[i]);
            else if (i < 2) cJSON_AddNumberToObject(o, cols[i], (double)sqlite3_column_int64(st, i));
            else cJSON_AddStringToObject(o, cols[i], (const char *)sqlite3_column_text(st, i));
        }
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

void console_log_csv(const cJSON *rows, csv_t *c)
{
    static const char *const cols[] = {"id", "time", "staff", "addr", "action", "target", "before", "after"};
    for (int i = 0; i < 8; i++) csv_cell(c, cols[i]);
    csv_row_end(c);
    const cJSON *row;
    cJSON_ArrayForEach(row, rows) {
        for (int i = 0; i < 8; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, cols[i]);
            if (cJSON_IsNumber(v)) csv_int(c, (long long)v->valuedouble);
            else csv_cell(c, cJSON_IsString(v) ? v->valuestring : NULL);
        }
        csv_row_end(c);
    }
}
