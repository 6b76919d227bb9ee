/* The answers of GET /v1/content, kept so that a list many kiosks poll is
 * built once, not once per request (api_content.c).
 *
 * Owns a fixed table of CONTENT_CACHE_SLOTS answers (direct-mapped by the
 * query), each at most CONTENT_CACHE_BODY_MAX bytes: at most 2 MiB in all.
 * A larger answer is simply not kept. One cache per hub (hub_content_cache),
 * shared by the worker threads behind one mutex; every call is thread-safe.
 *
 * Correctness rests on the key: an answer is served again only for the
 * same query (kind, locale, category, since), the same hub second (so
 * items published or expiring are seen at once; visibility depends on
 * nothing else) and the same content generation (migration 18: moved on by
 * every change to the content table from any connection or process, read
 * by the caller BEFORE it queries the rows it puts, so an answer is never
 * filed under a generation newer than its rows), and the device's kiosk
 * group (items for some groups only). Content answers hold no personal
 * data and depend on the device only through its group. Errors: none; a cache
 * that cannot allocate simply misses. */
#ifndef HUB_CONTENT_CACHE_H
#define HUB_CONTENT_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include "hub.h"

#define CONTENT_CACHE_SLOTS 32
#define CONTENT_CACHE_BODY_MAX (64 * 1024)

typedef struct content_cache content_cache_t;

#define CONTENT_CACHE_GROUP_MAX 72

typedef struct {
    char query[96];                  /* the validated query, one text (content_cache_key) */
    char group[CONTENT_CACHE_GROUP_MAX]; /* the device's kiosk group (content_cache_key_group) */
    int64_t now;                     /* hub time, seconds */
    long long gen;                   /* content generation, read before the rows */
} content_cache_key_t;

content_cache_t *content_cache_new(void);
void content_cache_free(content_cache_t *cc);

/* KEY from the validated parameters (CATEGORY and SINCE may be NULL). */
void content_cache_key(content_cache_key_t *key, const char *kind, const char *locale,
                       const char *category, const char *since, int64_t now, long long gen);
/* The device's kiosk group ("" none, "=NAME" one): items meant for some
 * groups only (console playlists, content.kiosk_groups) make answers differ
 * between groups, so kiosks of one group never get another's answer. */
void content_cache_key_group(content_cache_key_t *key, const char *group);
/* On a hit: true, RESP a 200 with a copy of the body and its ETag. */
bool content_cache_get(content_cache_t *cc, const content_cache_key_t *key, hub_resp_t *resp);
/* Keeps RESP (a 200 JSON answer with its ETag set) for KEY. */
void content_cache_put(content_cache_t *cc, const content_cache_key_t *key, const hub_resp_t *resp);

/* Answers served from the cache so far (tests, and the bench's proof). */
long long content_cache_hits(content_cache_t *cc);

/* The hub's cache (server.c); NULL if it could not be allocated. */
content_cache_t *hub_content_cache(hub_t *hub);

#endif
