/* Proof-of-play reports of the console: what the street screens of the
 * account's groups showed, per China-time day (UTC+8, no DST, whatever the
 * machine's zone) and item: how many times, for how many seconds, on how
 * many kiosks; as JSON for the page or as a CSV download (csv.h: UTF-8 with
 * a BOM, formula cells defused). A play counts for the group its kiosk is in
 * when the report is asked for (devices.kiosk_group); plays of a kiosk
 * without a group are reported to "*" accounts only, and those of a kiosk
 * no longer enrolled to nobody. Read-only; runs on the request's worker
 * thread and connection. docs/api.md "Staff console" has the route. */
#ifndef HUB_CONSOLE_REPORTS_H
#define HUB_CONSOLE_REPORTS_H

#include "csv.h"
#include "hub.h"

#define REPORTS_MAX_DAYS 92        /* one quarter: a longer range is refused */
#define REPORTS_MAX_ROWS 20000     /* more rows: the answer is cut, "truncated": true */

/* GET /console/api/reports/plays?from=YYYY-MM-DD&to=YYYY-MM-DD[&group=G][&format=csv][&lang=en] */
void console_report_plays(hub_req_t *req, hub_resp_t *resp);

/* Answers 200 with what C holds as text/csv, to be saved as FILENAME
 * (ASCII, no quotes); 500 if the writer ran out of memory. C is emptied. */
void console_reply_csv(hub_resp_t *resp, csv_t *c, const char *filename);

/* The China-time day (days since 1970-01-01) unix time T falls on, and
 * a day as "YYYY-MM-DD" (OUT at least 11 bytes). */
long console_china_day(long long t);
void console_day_text(long day, char *out, size_t outlen);
/* Unix time T as "YYYY-MM-DD HH:MM" China time (OUT at least 17 bytes). */
void console_time_text(long long t, char *out, size_t outlen);

#endif
