#include "backoff.h"

int64_t backoff_ceiling_ms(int attempt, int64_t base_ms, int64_t cap_ms)
{
    if (base_ms <= 0 || cap_ms <= 0) return 0;
    if (attempt < 1) attempt = 1;
    int64_t ceiling = base_ms < cap_ms ? base_ms : cap_ms;
    for (int i = 1; i < attempt && ceiling < cap_ms; i++)
        ceiling = ceiling > cap_ms / 2 ? cap_ms : ceiling * 2;
    return ceiling;
}

int64_t backoff_jitter_ms(int attempt, int64_t base_ms, int64_t cap_ms, uint32_t random)
{
    int64_t ceiling = backoff_ceiling_ms(attempt, base_ms, cap_ms);
    return (int64_t)((uint64_t)random % ((uint64_t)ceiling + 1u));
}
