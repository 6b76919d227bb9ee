/* The bundle in use, in the kiosk database (migration 6: content_state,
 * content_items; and the notices the attract loop shows). */
#ifndef KIOSK_CONTENT_CONTENT_STORE_H
#define KIOSK_CONTENT_CONTENT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "content/manifest.h"
#include "store/store.h"

/* One row of content_items, valid only during the callback it is given to. */
typedef struct {
    long long id;
    const char *kind;        /* notice | event | library | lecture | alert | playlist ... */
    const char *category;
    const char *title;
    const char *body;
    time_t published;
    bool has_expires;
    time_t expires;          /* when has_expires */
    bool pinned;
    const char *images;      /* JSON array of SHA-256s (content_store_image) */
    const char *data;        /* JSON object text, or NULL */
    int priority;            /* 0-100: an alert's, or a playlist's (higher wins) */
} content_row_t;

typedef void content_row_fn(const content_row_t *row, void *ctx);

/* The bundle in use: 1 with *VERSION and ETAG (may be NULL), 0 when no
 * bundle was ever applied (*VERSION = 0), -1 on a database error. */
int content_store_current(store_t *st, long long *version, char *etag, size_t etag_len);

/* Switches to M in ONE transaction: content_items and the notices table are
 * replaced by the bundle's items (notices, events, library, lectures become
 * attract-loop notices: category = the notice's category, else the kind;
 * items already expired at NOW are left out of notices), and content_state
 * records MANIFEST (the exact signed bytes), SIG and ETAG. Either all of it
 * happens or nothing: on error (-1) the previous bundle is intact. 0 ok. */
int content_store_apply(store_t *st, const cm_manifest_t *m, const char *manifest,
                        const char *sig, const char *etag, long long now);

/* Remembers ETAG as the hub's tag of the bundle in use (the same bundle
 * came again under a new tag). 0 (also with no bundle), or -1 (logged). */
int content_store_set_etag(store_t *st, const char *etag);

/* The items of KIND in LOCALE not expired at NOW, pinned first, then newest
 * first, at most MAX, each handed to FN. Returns how many, or -1 (logged;
 * FN may have had some rows). */
int content_store_live(store_t *st, const char *kind, const char *locale, time_t now, int max,
                       content_row_fn *fn, void *ctx);

/* Every item in LOCALE (all kinds, expired ones too), by id, each handed to
 * FN. Returns how many, or -1 (logged; FN may have had some rows). */
int content_store_all(store_t *st, const char *locale, content_row_fn *fn, void *ctx);

/* The file of an item's first picture: IMAGES is its content_items.images
 * column (a JSON array of SHA-256s checked by the sync), the file
 * VAR_DIR/content/assets/<sha256>. 1 with OUT, or 0 (no picture, or not a
 * SHA-256: never used as a path then). */
int content_store_image(const char *images, const char *var_dir, char *out, size_t len);

#endif
