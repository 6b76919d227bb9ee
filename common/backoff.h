/* Capped exponential backoff for retries (outbox sender, print queue,
 * payment status questions). The ATTEMPT-th wait has the ceiling
 * min(CAP, BASE * 2^(ATTEMPT-1)); "full jitter" picks uniformly in
 * [0, ceiling] so kiosks that lost the hub together do not come back in
 * step. The random value is the caller's (randombytes_random(), a seeded
 * generator, a fixed value in tests), so everything here is pure: no state,
 * any thread. */
#ifndef COMMON_BACKOFF_H
#define COMMON_BACKOFF_H

#include <stdint.h>

/* min(CAP_MS, BASE_MS * 2^(ATTEMPT-1)); ATTEMPT < 1 counts as 1, doubling
 * stops at the cap so no ATTEMPT overflows. 0 when BASE_MS or CAP_MS <= 0. */
int64_t backoff_ceiling_ms(int attempt, int64_t base_ms, int64_t cap_ms);

/* Full jitter: RANDOM (any 32-bit value) mod (ceiling + 1), i.e. uniform in
 * [0, backoff_ceiling_ms(ATTEMPT, BASE_MS, CAP_MS)] for a uniform RANDOM. */
int64_t backoff_jitter_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t random);

#endif
