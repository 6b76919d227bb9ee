/* Staff side of content bundles: build a bundle from a source folder, sign
 * it, publish it to the hub. Used by `kioskctl content`, the tests and the
 * bench. Every function returns 0, or -1 with ERR naming the file and field.
 *
 * Source folder (docs/api.md "Content bundles", content/example/):
 *   DIR/bundle.json   {"version": 3, "expires": 1798761600,
 *                      "target": {"mode": "any", "groups": [], "kiosks": []}}
 *                     (target optional: every kiosk; "created" optional: now)
 *   DIR/items/NAME.json one item each, the manifest's item fields, except that
 *                     "images" lists file names under DIR/images/
 *   DIR/images/NAME   PNG or JPEG files
 * Bundle folder (the output):
 *   OUT/manifest.json the manifest (exact bytes that are signed)
 *   OUT/manifest.sig  128 hex digits + "\n" (after content_sign)
 *   OUT/assets/<sha256>
 */
#ifndef KIOSK_CONTENT_BUNDLE_H
#define KIOSK_CONTENT_BUNDLE_H

#include <stddef.h>

/* Validates SRC and writes the bundle into OUT (created; an old
 * manifest.sig there is removed). NOW is the default "created". *ITEMS and
 * *ASSETS (may be NULL) get the counts. */
int content_build(const char *src, const char *out, long long now, int *items, int *assets,
                  char *err, size_t errlen);

/* Writes a new Ed25519 secret key (libsodium, 64 bytes as 128 hex digits)
 * to KEY_FILE with mode 0600 (refuses to overwrite) and its public key as
 * 64 hex digits to PK_HEX. */
int content_keygen(const char *key_file, char pk_hex[65], char *err, size_t errlen);

/* Signs OUT/manifest.json with the key in KEY_FILE into OUT/manifest.sig;
 * PK_HEX (may be NULL) gets the matching public key. */
int content_sign(const char *out, const char *key_file, char pk_hex[65], char *err, size_t errlen);

/* Uploads OUT's assets and publishes OUT/manifest.json + manifest.sig to the
 * hub at URL with staff TOKEN. *VERSION = the published version. */
int content_publish(const char *out, const char *url, const char *token, long long *version,
                    char *err, size_t errlen);

/* Reads a whole file; malloc'd, NUL-terminated, *LEN its size. NULL on error. */
char *content_read_file(const char *path, size_t *len);

#endif
