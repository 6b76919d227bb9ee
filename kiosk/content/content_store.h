/* The bundle in use, in the kiosk database (migration 6: content_state,
 * content_items; and the notices the attract loop shows). */
#ifndef KIOSK_CONTENT_STORE_H
#define KIOSK_CONTENT_STORE_H

#include <sqlite3.h>
#include <stddef.h>

#include "content/manifest.h"

/* The bundle in use: 1 with *VERSION and ETAG (may be NULL), 0 when no
 * bundle was ever applied (*VERSION = 0), -1 on a database error. */
int content_store_current(sqlite3 *db, long long *version, char *etag, size_t etag_len);

/* Switches to M in ONE transaction: content_items and the notices table are
 * replaced by the bundle's items (notices, events, library, lectures become
 * attract-loop notices: category = the notice's category, else the kind;
 * items already expired at NOW are left out of notices), and content_state
 * records MANIFEST (the exact signed bytes), SIG and ETAG. Either all of it
 * happens or nothing: on error (-1) the previous bundle is intact. 0 ok. */
int content_store_apply(sqlite3 *db, const cm_manifest_t *m, const char *manifest,
                        const char *sig, const char *etag, long long now);

/* The file of an item's first picture: IMAGES is its content_items.images
 * column (a JSON array of SHA-256s checked by the sync), the file
 * VAR_DIR/content/assets/<sha256>. 1 with OUT, or 0 (no picture, or not a
 * SHA-256: never used as a path then). */
int content_store_image(const char *images, const char *var_dir, char *out, size_t len);

#endif
