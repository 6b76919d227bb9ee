/* Request validation over cJSON: pure functions (no I/O, no database), the
 * part of request handling that sees untrusted bytes first; fuzzed by
 * tests/fuzz/fuzz_hub_request.c. On failure each fills RESP with a JSON error
 * naming the field and returns -1. */
#ifndef HUB_VALIDATE_H
#define HUB_VALIDATE_H

#include <stdbool.h>
#include "hub.h"

/* Parses BODY as a JSON object: 400 "malformed_json" if it is not JSON,
 * 422 "invalid_body" if it is not an object. The caller deletes *OUT. */
int v_parse_object(hub_resp_t *resp, const char *body, size_t len, cJSON **out);

/* A string member of length MIN..MAX bytes (valid UTF-8, no control
 * characters). Absent and not REQUIRED: *OUT = NULL, returns 0. */
int v_string(hub_resp_t *resp, const cJSON *obj, const char *name, size_t min, size_t max,
             bool required, const char **out);
/* A whole-number member in MIN..MAX. Absent and not REQUIRED: *OUT = DEF. */
int v_int(hub_resp_t *resp, const cJSON *obj, const char *name, long long min, long long max,
          bool required, long long def, long long *out);
/* A string member that is one of ALLOWED (NULL-terminated). */
int v_enum(hub_resp_t *resp, const cJSON *obj, const char *name,
           const char *const *allowed, bool required, const char **out);
/* An array member of MIN..MAX whole numbers in 1..LLONG_MAX; writes them to OUT. */
int v_id_array(hub_resp_t *resp, const cJSON *obj, const char *name, int min, int max,
               long long *out, int *n);
/* A string of exactly LEN ASCII digits (or MIN..MAX digits when LEN = 0). */
bool v_digits(const char *s, size_t min, size_t max);
/* Idempotency-Key header: 1..64 of [A-Za-z0-9_-.:]. */
bool v_idem_key(const char *s);
/* YYYY-MM-DD of a real date. */
bool v_date(const char *s);

#endif
