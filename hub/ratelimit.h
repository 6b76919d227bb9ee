/* Token buckets per device and route class, in memory. Owns one table of
 * devices split into shards, each behind its own mutex, so workers serving
 * different devices never wait for each other. Thread-safe. A device's
 * buckets live until rl_free (devices are authenticated: their number is
 * bounded by the enrolled ones). */
#ifndef HUB_RATELIMIT_H
#define HUB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include "hub.h"

typedef struct rl rl_t;

/* Buckets with the rates and sizes of RATES[RATE_CLASSES]. NULL if out of memory. */
rl_t *rl_new(const hub_rate_t *rates);
void rl_free(rl_t *rl);

/* Takes one token of CLASS for DEVICE at monotonic time NOW_MS. True if there
 * was one; false with *RETRY_S (>= 1) the seconds until there is one. A
 * device not yet seen starts with a full bucket; on out of memory the
 * request is let through. */
bool rl_take(rl_t *rl, const char *device, int rate_class, int64_t now_ms, int *retry_s);

#endif
