#include "content_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    content_cache_key_t key;
    char *body;                      /* NULL: empty slot */
    size_t len;
    char etag[80];
} slot_t;

struct content_cache {
    pthread_mutex_t lock;
    long long hits;
    slot_t slot[CONTENT_CACHE_SLOTS];
};

content_cache_t *content_cache_new(void)
{
    content_cache_t *cc = calloc(1, sizeof *cc);
    if (cc) pthread_mutex_init(&cc->lock, NULL);
    return cc;
}

void content_cache_free(content_cache_t *cc)
{
    if (!cc) return;
    for (int i = 0; i < CONTENT_CACHE_SLOTS; i++) free(cc->slot[i].body);
    pthread_mutex_destroy(&cc->lock);
    free(cc);
}

void content_cache_key(content_cache_key_t *key, const char *kind, const char *locale,
                       const char *category, const char *since, int64_t now, long long gen)
{
    /* "=" marks a given parameter: none of the fields can hold '|' or '='
     * (api_content.c validated them), so two queries never share a text. */
    memset(key, 0, sizeof *key);
    snprintf(key->query, sizeof key->query, "%s|%s|%s%s|%s%s", kind, locale,
             category ? "=" : "", category ? category : "", since ? "=" : "", since ? since : "");
    key->now = now;
    key->gen = gen;
}

void content_cache_key_group(content_cache_key_t *key, const char *group)
{
    snprintf(key->group, sizeof key->group, "%s", group);
}

static bool same_key(const content_cache_key_t *a, const content_cache_key_t *b)
{
    return a->now == b->now && a->gen == b->gen && strcmp(a->query, b->query) == 0 &&
           strcmp(a->group, b->group) == 0;
}

/* FNV-1a of the query: every second brings new keys, so the slot depends
 * on the query alone and a query keeps replacing its own answer. */
static slot_t *slot_of(content_cache_t *cc, const content_cache_key_t *key)
{
    uint32_t h = 2166136261u;
    for (const char *p = key->query; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = key->group; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    return &cc->slot[h % CONTENT_CACHE_SLOTS];
}

bool content_cache_get(content_cache_t *cc, const content_cache_key_t *key, hub_resp_t *resp)
{
    if (!cc) return false;
    bool hit = false;
    pthread_mutex_lock(&cc->lock);
    slot_t *s = slot_of(cc, key);
    if (s->body && same_key(&s->key, key)) {
        char *copy = malloc(s->len + 1);
        if (copy) {
            memcpy(copy, s->body, s->len + 1);
            free(resp->body);
            resp->body = copy;
            resp->status = 200;
            memcpy(resp->etag, s->etag, sizeof resp->etag);
            hit = true;
            cc->hits++;
        }
    }
    pthread_mutex_unlock(&cc->lock);
    return hit;
}

void content_cache_put(content_cache_t *cc, const content_cache_key_t *key, const hub_resp_t *resp)
{
    if (!cc || resp->status != 200 || !resp->body || !resp->etag[0] || resp->content_type) return;
    size_t len = strlen(resp->body);
    if (len > CONTENT_CACHE_BODY_MAX) return;
    char *copy = malloc(len + 1);
    if (!copy) return;
    memcpy(copy, resp->body, len + 1);
    pthread_mutex_lock(&cc->lock);
    slot_t *s = slot_of(cc, key);
    char *old = s->body;
    s->key = *key;
    s->body = copy;
    s->len = len;
    memcpy(s->etag, resp->etag, sizeof s->etag);
    pthread_mutex_unlock(&cc->lock);
    free(old);
}

long long content_cache_hits(content_cache_t *cc)
{
    if (!cc) return 0;
    pthread_mutex_lock(&cc->lock);
    long long n = cc->hits;
    pthread_mutex_unlock(&cc->lock);
    return n;
}
