#include "scanner/dedupe.h"

#include <string.h>

void qr_dedupe_init(qr_dedupe_t *d, int window_ms)
{
    memset(d, 0, sizeof *d);
    d->window_ms = window_ms;
}

void qr_dedupe_reset(qr_dedupe_t *d)
{
    qr_dedupe_init(d, d->window_ms);
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int qr_dedupe_check(qr_dedupe_t *d, const void *payload, size_t len, int64_t now_ms)
{
    if (d->window_ms <= 0) return 1;
    uint64_t h = fnv1a(payload, len);
    int oldest = 0;
    for (int i = 0; i < QR_DEDUPE_SLOTS; i++) {
        if (d->slot[i].used && d->slot[i].hash == h && d->slot[i].len == len) {
            int64_t age = now_ms - d->slot[i].seen_ms;
            d->slot[i].seen_ms = now_ms;
            return age >= d->window_ms;
        }
        if (!d->slot[i].used) oldest = i;
        else if (d->slot[oldest].used && d->slot[i].seen_ms < d->slot[oldest].seen_ms) oldest = i;
    }
    /* Unknown: take a free slot, else the one seen longest ago. */
    d->slot[oldest].used = 1;
    d->slot[oldest].hash = h;
    d->slot[oldest].len = len;
    d->slot[oldest].seen_ms = now_ms;
    return 1;
}
