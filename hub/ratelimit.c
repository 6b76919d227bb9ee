#include "ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 64
#define SLOTS 256                    /* hash chains per shard */

typedef struct entry {
    struct entry *next;
    char device[64];
    double tokens[RATE_CLASSES];
    int64_t last_ms[RATE_CLASSES];
} entry_t;

typedef struct {
    pthread_mutex_t lock;
    entry_t *slot[SLOTS];
} shard_t;

struct rl {
    hub_rate_t rate[RATE_CLASSES];
    shard_t shard[SHARDS];
};

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;        /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

rl_t *rl_new(const hub_rate_t *rates)
{
    rl_t *rl = calloc(1, sizeof *rl);
    if (!rl) return NULL;
    memcpy(rl->rate, rates, sizeof rl->rate);
    for (int i = 0; i < SHARDS; i++) pthread_mutex_init(&rl->shard[i].lock, NULL);
    return rl;
}

void rl_free(rl_t *rl)
{
    if (!rl) return;
    for (int i = 0; i < SHARDS; i++) {
        for (int j = 0; j < SLOTS; j++) {
            for (entry_t *e = rl->shard[i].slot[j], *next; e; e = next) {
                next = e->next;
                free(e);
            }
        }
        pthread_mutex_destroy(&rl->shard[i].lock);
    }
    free(rl);
}

/* The device's entry in S (locked), created full if new; NULL if out of memory. */
static entry_t *find(rl_t *rl, shard_t *s, uint32_t h, const char *device, int64_t now_ms)
{
    entry_t **head = &s->slot[(h / SHARDS) % SLOTS];
    for (entry_t *e = *head; e; e = e->next)
        if (strcmp(e->device, device) == 0) return e;
    entry_t *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    snprintf(e->device, sizeof e->device, "%s", device);
    for (int i = 0; i < RATE_CLASSES; i++) {
        e->tokens[i] = rl->rate[i].burst;
        e->last_ms[i] = now_ms;
    }
    e->next = *head;
    *head = e;
    return e;
}

bool rl_take(rl_t *rl, const char *device, int rate_class, int64_t now_ms, int *retry_s)
{
    if (rate_class < 0 || rate_class >= RATE_CLASSES) return true;
    uint32_t h = hash(device);
    shard_t *s = &rl->shard[h % SHARDS];
    const hub_rate_t *r = &rl->rate[rate_class];
    double per_ms = r->per_minute / 60000.0;
    bool ok = true;
    pthread_mutex_lock(&s->lock);
    entry_t *e = find(rl, s, h, device, now_ms);
    if (e) {
        double t = e->tokens[rate_class] + (double)(now_ms - e->last_ms[rate_class]) * per_ms;
        if (t > r->burst) t = r->burst;
        e->last_ms[rate_class] = now_ms;
        if (t >= 1.0) {
            t -= 1.0;
        } else {
            ok = false;
            int wait = (int)((1.0 - t) / per_ms / 1000.0) + 1;
            *retry_s = wait < 1 ? 1 : wait;
        }
        e->tokens[rate_class] = t;
    }
    pthread_mutex_unlock(&s->lock);
    return ok;
}
