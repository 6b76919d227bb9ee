/* The street display's content worker: every POLL_S seconds (and at start)
 * it asks the hub for the street playlists, the notices and the items the
 * playlists name (GET /v1/content), builds the document of
 * street_content_parse and posts it to the UI thread as an SDL user event
 * (user.data1 = a street_feed_doc_t, freed with street_feed_doc_free).
 * Nothing is posted when the hub cannot be reached: the UI keeps what it has. */
#ifndef KIOSK_STREET_FEED_H
#define KIOSK_STREET_FEED_H

#include <SDL.h>
#include "core/config.h"

typedef struct { char *doc; } street_feed_doc_t;
typedef struct street_feed street_feed_t;

/* NULL when the thread cannot start (logged). */
street_feed_t *street_feed_start(const config_t *cfg, Uint32 event_type, int poll_s);
/* Aborts a request in flight, stops and joins the worker. */
void street_feed_stop(street_feed_t *f);
void street_feed_doc_free(street_feed_doc_t *d);

/* Builds the document from the hub's answers (pure, for tests): PLAYLISTS
 * and NOTICES are list bodies {"items": [...]}, EXTRA the single items
 * fetched by id (may be NULL). Returns malloc'd text, or NULL if a list is
 * not a list. */
char *street_feed_build(const char *playlists, const char *notices, const char *const *extra,
                        int n_extra, long fetched);

#endif
