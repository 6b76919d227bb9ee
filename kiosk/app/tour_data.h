/* The tour's sample data: ASSETS_DIR/tour/<name>.json (ASSETS_DIR is
 * kiosk.ini [kiosk] assets_dir, as for every asset). Each file holds what
 * the hub would answer (fed to the service's own hub answer parser) and the
 * little a resident would have typed, as of the moment in its "as_of" (Unix
 * time: the tour's, the bench's and the tests' pinned 2026-11-29 09:30 China
 * time).
 *
 * Read only by tour_show (--tour, --bench-frames, --screen, tests), never by
 * a kiosk at work: nothing here is ever stored. UI thread only.
 *
 * Errors: a file missing, unreadable, not JSON or with a field missing or of
 * the wrong kind is logged once as "PATH: what is wrong" and makes the tour
 * state fail with TOUR_BAD_DATA (the tour exits non-zero). */
#ifndef KIOSK_APP_TOUR_DATA_H
#define KIOSK_APP_TOUR_DATA_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

/* What a service's tour hook (app/service.h) and tour_show return besides 0. */
#define TOUR_UNKNOWN (-1)          /* not a state it knows */
#define TOUR_BAD_DATA (-2)         /* its sample data is missing or malformed (logged) */

typedef struct {
    char path[1024];
    cJSON *doc;                    /* the file: a JSON object */
    time_t as_of;
} tour_data_t;

/* Reads ASSETS_DIR/tour/NAME (an object with a whole-number "as_of"). 0, or
 * TOUR_BAD_DATA (logged). Close it in either case. */
int tour_data_open(tour_data_t *d, const char *assets_dir, const char *name);
void tour_data_close(tour_data_t *d);

/* Logs "PATH: <FMT>"; returns TOUR_BAD_DATA. */
int tour_data_fail(const tour_data_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Member KEY of O (the file itself when O is NULL), an object; NULL when it
 * is missing or not an object (logged). */
cJSON *tour_data_obj(const tour_data_t *d, const cJSON *o, const char *key);
/* The same printed as JSON text, for a hub answer parser (free with
 * cJSON_free); NULL when missing, not an object or out of memory (logged). */
char *tour_data_answer(const tour_data_t *d, const cJSON *o, const char *key);
/* String member KEY of O (the file when NULL) copied into OUT: 0, or
 * TOUR_BAD_DATA when it is missing, not a string or longer than LEN - 1
 * (logged). */
int tour_data_str(const tour_data_t *d, const cJSON *o, const char *key, char *out, size_t len);

/* Adds DELTA to every number member under NODE whose name is one of KEYS
 * (NULL-terminated): moves answers taken at as_of to another moment. */
void tour_data_shift(cJSON *node, const char *const *keys, long long delta);

#endif
