/* Retention of residents' data: the hub deletes what it no longer needs,
 * by itself, on a schedule (hub.ini retain_*): bookings after their slot
 * ended, event registrations after the event, a help request's contact
 * phone, idempotency records (their stored answers), the audit of look-ups
 * and the fleet alerts it raised. One background thread
 * runs the pass at start and every RETENTION_EVERY_S seconds on its own
 * database connection; the pass is also callable directly (tests, with
 * hub_time_shift moving the clock). Errors are logged, never fatal. */
#ifndef HUB_RETENTION_H
#define HUB_RETENTION_H

#include <sqlite3.h>
#include <stdint.h>
#include "hub.h"

#define RETENTION_EVERY_S 600
#define RETAIN_BOOKINGS_DAYS 180
#define RETAIN_REGISTRATIONS_DAYS 90
#define RETAIN_HELP_DAYS 30
#define RETAIN_IDEMPOTENCY_HOURS 48
#define RETAIN_AUDIT_DAYS 180
#define RETAIN_ALERTS_DAYS 90

typedef struct retention retention_t;

/* One pass over DB at time NOW with CFG's periods (0: the defaults above).
 * Returns the number of rows deleted or cleared, or -1 on a database error. */
long long retention_purge(sqlite3 *db, const hub_config_t *cfg, int64_t now);

/* Starts the periodic pass (a copy of CFG is kept). NULL if the thread
 * cannot start. retention_stop wakes it, joins it and frees it. */
retention_t *retention_start(const hub_config_t *cfg);
void retention_stop(retention_t *r);

#endif
