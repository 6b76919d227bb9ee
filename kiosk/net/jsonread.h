/* Strict readers of JSON answers for the hub clients' parsers (net/hub_api.c,
 * services/housekeeping/hub_hk.c): a required field of the right type and size, or an error
 * naming its JSON path ("accounts[1].bills[0].id: not an integer >= 1"). */
#ifndef KIOSK_NET_JSONREAD_H
#define KIOSK_NET_JSONREAD_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Where an error goes (BUF of LEN bytes; NULL/0 to drop it). */
typedef struct {
    char *buf;
    size_t len;
} jr_err_t;

/* Whole numbers are exact in a double up to 2^53. */
#define JR_INT_MAX 9007199254740992LL

/* Writes "PATH.KEY: WHAT" (or WHAT alone when both are "") into E; -1. */
int jr_fail(jr_err_t *e, const char *path, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The document of LEN bytes as a JSON object, or NULL with E set. Trailing
 * bytes other than white space are an error. The input is copied with a NUL
 * after it: cJSON may read one byte past the length it is given. */
cJSON *jr_parse_doc(const char *json, size_t len, jr_err_t *e);

static inline const cJSON *jr_field(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A required string of KEY that fits DST (SIZE bytes with its NUL). 0 or -1. */
int jr_str(const cJSON *o, const char *path, const char *key, char *dst, size_t size, jr_err_t *e);
/* The same; absent is fine (DST = ""). */
int jr_opt_str(const cJSON *o, const char *path, const char *key, char *dst, size_t size,
               jr_err_t *e);
/* The same; null is fine (DST = ""), absent is not. */
int jr_str_or_null(const cJSON *o, const char *path, const char *key, char *dst, size_t size,
                   jr_err_t *e);
/* A required whole number in MIN..MAX (MAX at most JR_INT_MAX). 0 or -1. */
int jr_int(const cJSON *o, const char *path, const char *key, long long min, long long max,
           long long *out, jr_err_t *e);
/* A required object, or NULL with E set. */
const cJSON *jr_obj(const cJSON *o, const char *path, const char *key, jr_err_t *e);
/* A required array of at most MAX items (its size in *N), or NULL with E set. */
const cJSON *jr_arr(const cJSON *o, const char *path, const char *key, int max, int *n, jr_err_t *e);

#endif
