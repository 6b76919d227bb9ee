/* Signed content bundles: the manifest (docs/api.md "Content bundles").
 *
 * Pure functions over byte buffers, no I/O and no clock of their own: parse
 * and validate a manifest, verify its Ed25519 signature, and decide whether
 * this kiosk may switch to it (target, expiry, rollback). Used by the kiosk
 * (content/sync.c), by kioskctl content build/sign, and fuzzed
 * (tests/fuzz/fuzz_content_manifest.c).
 *
 * Error texts name the place ("items[3].title: too long (300 bytes, at most
 * 255)") so staff can fix their content; they never need a debugger. */
#ifndef KIOSK_CONTENT_MANIFEST_H
#define KIOSK_CONTENT_MANIFEST_H

#include <cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define CONTENT_FORMAT 1
#define CONTENT_MAX_ITEMS 5000
#define CONTENT_MAX_ASSETS 2000
#define CONTENT_MAX_ASSET_SIZE (8 * 1024 * 1024)
#define CONTENT_MAX_TARGETS 256          /* groups / kiosks in a target */
#define CONTENT_MAX_IMAGES 8             /* per item */
#define CONTENT_TITLE_MAX 255            /* bytes; store.h notice_t.title */
#define CONTENT_BODY_MAX 2047            /* bytes; store.h notice_t.body */
#define CONTENT_SIG_HEX 128              /* Ed25519 signature, hex */
#define CONTENT_KEY_HEX 64               /* Ed25519 public key, hex */

/* Result of content_accept, in the order the checks run. */
typedef enum {
    CM_OK = 0,
    CM_UNSIGNED,        /* no signature, or not 128 hex digits */
    CM_BAD_SIGNATURE,   /* does not verify with the configured key (tampered / other key) */
    CM_MALFORMED,       /* signed, but not a valid manifest (ERR names the field) */
    CM_EXPIRED,         /* the manifest's own expires has passed */
    CM_ROLLBACK,        /* version not newer than the one in use */
    CM_NOT_FOR_US,      /* target excludes this kiosk */
    CM_NO_KEY,          /* no (valid) public key configured */
} cm_result_t;

/* "ok", "unsigned", "bad_signature", ... (for logs and telemetry). */
const char *cm_result_name(cm_result_t r);

typedef struct {
    long long id;              /* 1..2^53, unique in the bundle */
    const char *kind;          /* notice event library lecture guide alert playlist */
    const char *category;
    const char *locale;
    const char *title;
    const char *body;
    long long published;
    long long expires;         /* 0: none */
    bool pinned;
    int priority;              /* 0..100; alerts: shown above everything while valid */
    int n_images;
    const char *images[CONTENT_MAX_IMAGES];   /* sha256 hex of assets */
    const cJSON *data;         /* guides, playlists: the object; else NULL */
} cm_item_t;

typedef struct {
    char sha256[65];
    long long size;
    const char *type;          /* "image/png" | "image/jpeg" */
} cm_asset_t;

/* A parsed manifest. Strings point into the owned cJSON document. */
typedef struct {
    cJSON *doc;
    long long version;         /* >= 1 */
    long long created, expires;
    const char *mode;          /* hall | street | any */
    int n_groups, n_kiosks;
    const char **groups, **kiosks;
    int n_items, n_assets;
    cm_item_t *items;
    cm_asset_t *assets;
} cm_manifest_t;

/* Who is asking: this kiosk. */
typedef struct {
    const char *mode;          /* "hall" | "street" */
    const char *group;         /* kiosk.ini [content] group, "" for none */
    const char *kiosk_id;      /* the device id (the token's part before '.') */
} cm_who_t;

/* Parses and validates JSON (LEN bytes, need not be NUL-terminated).
 * 0 and *OUT filled (free with cm_free), or -1 with ERR naming the field;
 * *OUT is then zeroed. Unknown fields are refused (a typo must not silently
 * drop a setting). Every image reference must be listed in assets. */
int cm_parse(const char *json, size_t len, cm_manifest_t *out, char *err, size_t errlen);
void cm_free(cm_manifest_t *m);

/* One item object (as in a manifest or a source item file). WHERE prefixes
 * errors ("items/water.json"). Image references are checked for form only
 * (64 hex digits). 0, or -1 with ERR. OUT may be NULL. */
int cm_item_check(const cJSON *item, const char *where, cm_item_t *out, char *err, size_t errlen);

/* A target object {mode, groups, kiosks}. 0 or -1 with ERR. */
int cm_target_check(const cJSON *target, const char *where, char *err, size_t errlen);

/* Ed25519 detached signature SIG_HEX over exactly MANIFEST[0..LEN) with
 * public key PK_HEX (64 hex). CM_OK, CM_UNSIGNED, CM_BAD_SIGNATURE or
 * CM_NO_KEY. */
cm_result_t cm_verify(const char *manifest, size_t len, const char *sig_hex, const char *pk_hex);

/* Signs MANIFEST with the 64-byte libsodium secret key SK; writes 128 hex
 * digits and a NUL to SIG_HEX (129 bytes). 0 or -1. */
int cm_sign(const char *manifest, size_t len, const unsigned char sk[64], char sig_hex[129]);

/* Does the target include WHO? Mode "any" or equal; groups and kiosks both
 * empty = every kiosk, else the kiosk's group is in groups or its id is in
 * kiosks. */
bool cm_target_matches(const cm_manifest_t *m, const cm_who_t *who);

/* The whole acceptance: verify, parse, then expiry (NOW > expires), rollback
 * (version <= CURRENT; CURRENT 0 = none yet) and target, in this order.
 * CM_OK with *OUT filled (cm_free it), else the first failed check, ERR
 * saying why and *OUT zeroed. */
cm_result_t cm_accept(const char *manifest, size_t len, const char *sig_hex,
                      const char *pk_hex, const cm_who_t *who, long long now,
                      long long current, cm_manifest_t *out, char *err, size_t errlen);

/* 64 lowercase hex digits? */
bool cm_is_sha256(const char *s);

#endif
