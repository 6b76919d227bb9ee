#include "pii.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mask.h"

#define SEAL_PREFIX "s1:"
#define KEY_HEX 64

static unsigned char box_key[crypto_secretbox_KEYBYTES];
static unsigned char hash_key[crypto_generichash_KEYBYTES];
static int have_key;

/* ---- the key file -------------------------------------------------------- */

/* Creates PATH with a fresh key. O_EXCL: two hubs starting at once never
 * end up with two keys. */
static int create_key(const char *path, char *err, int errlen)
{
    unsigned char raw[32];
    char hex[KEY_HEX + 2];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return 1;
        snprintf(err, errlen, "%s: cannot create the key file: %s", path, strerror(errno));
        return -1;
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    hex[KEY_HEX] = '\n';
    bool ok = write(fd, hex, KEY_HEX + 1) == KEY_HEX + 1 && fsync(fd) == 0;
    sodium_memzero(hex, sizeof hex);
    close(fd);
    if (!ok) {
        unlink(path);
        snprintf(err, errlen, "%s: cannot write the key file", path);
        return -1;
    }
    return 0;
}

int pii_key_file(const char *path, unsigned char key[32], char *err, int errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot start");
        return -1;
    }
    if (create_key(path, err, errlen) < 0) return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "%s: cannot read the key file: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (sb.st_mode & 077) {
        close(fd);
        snprintf(err, errlen, "%s: the key file is readable by others (mode %03o); "
                 "chmod 600 it (and make sure nobody copied it)", path, (unsigned)(sb.st_mode & 0777));
        return -1;
    }
    char hex[KEY_HEX + 8];
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    size_t got = 0;
    if (n < KEY_HEX || sodium_hex2bin(key, 32, hex, KEY_HEX, NULL, &got, NULL) != 0 || got != 32) {
        sodium_memzero(hex, sizeof hex);
        sodium_memzero(key, 32);
        snprintf(err, errlen, "%s: not a key file (64 hex digits)", path);
        return -1;
    }
    sodium_memzero(hex, sizeof hex);
    return 0;
}

int pii_load_key(const char *path, char *err, int errlen)
{
    unsigned char master[32];
    if (pii_key_file(path, master, err, errlen) != 0) return -1;
    /* Two keys from one: sealing and hashing never share a key. */
    crypto_kdf_derive_from_key(box_key, sizeof box_key, 1, "hub-pii1", master);
    crypto_kdf_derive_from_key(hash_key, sizeof hash_key, 2, "hub-pii1", master);
    sodium_memzero(master, sizeof master);
    have_key = 1;
    return 0;
}

/* ---- SQL functions --------------------------------------------------------- */

static void fn_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) { sqlite3_result_null(ctx); return; }
    if (!have_key) { sqlite3_result_error(ctx, "pii: no key loaded", -1); return; }
    const unsigned char *m = sqlite3_value_text(argv[0]);
    size_t mlen = (size_t)sqlite3_value_bytes(argv[0]);
    size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + mlen;
    size_t b64 = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    unsigned char *bin = malloc(blen);
    char *out = malloc(sizeof SEAL_PREFIX + b64);
    if (!bin || !out) {
        free(bin), free(out);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    randombytes_buf(bin, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(bin + crypto_secretbox_NONCEBYTES, m, mlen, bin, box_key);
    memcpy(out, SEAL_PREFIX, sizeof SEAL_PREFIX - 1);
    sodium_bin2base64(out + sizeof SEAL_PREFIX - 1, b64, bin, blen,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(bin);
    sqlite3_result_text(ctx, out, -1, free);
}

static void fn_open(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    if (!s) { sqlite3_result_null(ctx); return; }
    if (strncmp(s, SEAL_PREFIX, sizeof SEAL_PREFIX - 1) != 0) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    if (!have_key) { sqlite3_result_error(ctx, "pii: no key loaded", -1); return; }
    const char *b64 = s + sizeof SEAL_PREFIX - 1;
    size_t n = strlen(b64), blen = 0;
    unsigned char *bin = malloc(n + 1);
    if (!bin) { sqlite3_result_error_nomem(ctx); return; }
    if (sodium_base642bin(bin, n + 1, b64, n, NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
        free(bin);
        sqlite3_result_null(ctx);           /* not ours: shown as missing, never as garbage */
        return;
    }
    size_t mlen = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *m = malloc(mlen + 1);
    if (!m || crypto_secretbox_open_easy((unsigned char *)m, bin + crypto_secretbox_NONCEBYTES,
                                         blen - crypto_secretbox_NONCEBYTES, bin, box_key) != 0) {
        free(bin), free(m);
        sqlite3_result_null(ctx);
        return;
    }
    free(bin);
    m[mlen] = '\0';
    sqlite3_result_text(ctx, m, (int)mlen, free);
}

static void fn_hash(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    const unsigned char *v = sqlite3_value_text(argv[1]);
    if (!kind || !v) { sqlite3_result_null(ctx); return; }
    if (!have_key) { sqlite3_result_error(ctx, "pii: no key loaded", -1); return; }
    /* KIND, a NUL, then the value: a phone and an ID number never collide. */
    unsigned char h[32];
    char hex[65];
    crypto_generichash_state st;
    crypto_generichash_init(&st, hash_key, sizeof hash_key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    crypto_generichash_update(&st, v, (size_t)sqlite3_value_bytes(argv[1]));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    sqlite3_result_text(ctx, hex, 64, SQLITE_TRANSIENT);
}

int pii_hash_parts(const char *kind, int n, const void *const *parts, const size_t *lens,
                   char out[65])
{
    if (!have_key) return -1;
    /* As fn_hash for one part; a NUL between parts (only the last may hold one). */
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, hash_key, sizeof hash_key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
    for (int i = 0; i < n; i++) {
        if (i) crypto_generichash_update(&st, (const unsigned char *)"", 1);
        crypto_generichash_update(&st, parts[i], lens[i]);
    }
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 65, h, sizeof h);
    return 0;
}

static void fn_mask(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    const char *v = (const char *)sqlite3_value_text(argv[1]);
    if (!kind || !v) { sqlite3_result_null(ctx); return; }
    char out[160];
    if (!strcmp(kind, "id")) mask_id(v, out, sizeof out);
    else if (!strcmp(kind, "phone")) mask_phone(v, out, sizeof out);
    else mask_name(v, out, sizeof out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

int pii_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8;
    int rc = sqlite3_create_function(db, "pii_seal", 1, flags, NULL, fn_seal, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "pii_open", 1, flags | SQLITE_DETERMINISTIC, NULL, fn_open, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "pii_hash", 2, flags | SQLITE_DETERMINISTIC, NULL, fn_hash, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_create_function(db, "pii_mask", 2, flags | SQLITE_DETERMINISTIC, NULL, fn_mask, NULL, NULL);
    return rc;
}

int pii_protect_all(sqlite3 *db)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, PII_PROTECT_SQL PII_PROTECT_ADDRESS_SQL, NULL, NULL, &msg);
    sqlite3_free(msg);
    return rc;
}
