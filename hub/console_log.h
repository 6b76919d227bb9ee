/* The console's change log: every change staff make (accounts, passwords,
 * sign-ins and lockouts, alerts, publishing) is a row of console_changes
 * with who, when, from which address, what (action, target) and the state
 * before and after as JSON text (never a password or its hash). Admins read
 * it as JSON or export it as CSV (console_api.c). Runs on the caller's
 * connection, in the caller's transaction when it has one. */
#ifndef HUB_CONSOLE_LOG_H
#define HUB_CONSOLE_LOG_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stddef.h>
#include "csv.h"

/* Appends one change; BEFORE/AFTER NULL when there is no state to show.
 * 0, or -1 on a database error (logged). */
int console_log_change(sqlite3 *db, long long now, const char *staff, const char *addr,
                       const char *action, const char *target, const char *before,
                       const char *after);

/* The changes from SINCE on (oldest first, at most LIMIT) as a JSON array;
 * NULL on a database error. */
cJSON *console_log_read(sqlite3 *db, long long since, int limit);

/* The same rows into C (common/csv.h: its BOM, quoting and formula
 * cells defused), the header row first; out of memory leaves C failed. */
void console_log_csv(const cJSON *rows, csv_t *c);

#endif
