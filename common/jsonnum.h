/* Whole numbers from JSON, safely: cJSON keeps every number as a double,
 * and converting a double outside the target's range is undefined
 * behaviour. Shared by the kiosk and the hub. */
#ifndef KIOSK_JSONNUM_H
#define KIOSK_JSONNUM_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* V is a number with no fraction within +-2^53: *OUT = it, true. Else false
 * (OUT untouched). */
static inline bool json_whole(const cJSON *v, long long *out)
{
    if (!cJSON_IsNumber(v)) return false;
    double d = v->valuedouble;
    if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0)) return false;   /* NaN too */
    long long n = (long long)d;
    if ((double)n != d) return false;
    *out = n;
    return true;
}

/* As json_whole, DFLT when V is not such a number. */
static inline long long json_whole_or(const cJSON *v, long long dflt)
{
    long long n;
    return json_whole(v, &n) ? n : dflt;
}

#endif
