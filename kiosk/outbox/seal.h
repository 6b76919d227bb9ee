/* Encryption at rest of the outbox's personal data (libsodium secretbox).
 *
 * The key is 32 random bytes in a file outside the database (kiosk.ini
 * [outbox] key_file, default var/outbox.key), so a copy of kiosk.db alone
 * (a backup, a database moved aside as corrupt, a support bundle) does not
 * reveal what residents typed. A sealed body is
 *   nonce (crypto_secretbox_NONCEBYTES, random per item) || secretbox(plain)
 * and is opened only by the sender just before it sends the item, and by
 * `kioskctl queue show --reveal`. */
#ifndef KIOSK_OUTBOX_SEAL_H
#define KIOSK_OUTBOX_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#define OUTBOX_KEY_BYTES 32
/* Bytes a sealed body adds to its plain text (nonce + MAC). */
#define OUTBOX_SEAL_OVERHEAD (24 + 16)

typedef struct {
    unsigned char k[OUTBOX_KEY_BYTES];
} outbox_key_t;

/* Reads the key at PATH. A missing file is created (when CREATE) with 32
 * random bytes, mode 0600, written to a temp file, fsync'd and renamed into
 * place, so a crash never leaves a short key. A file of another size is
 * refused (never overwritten: items sealed with it would be lost). A file
 * group or others can read is used, with a warning in the log. Returns 0
 * with KEY filled, or -1 with ERR saying why ("PATH: 17 bytes, expected 32"). */
int outbox_key_load(const char *path, bool create, outbox_key_t *key, char *err,
                    size_t errlen);
/* Wipes KEY from memory. */
void outbox_key_wipe(outbox_key_t *key);

/* Seals the LEN bytes at PLAIN with a fresh random nonce. Returns 0 with
 * *OUT (malloc'd, LEN + OUTBOX_SEAL_OVERHEAD bytes in *OUTLEN), or -1 (out
 * of memory). */
int outbox_seal(const outbox_key_t *key, const void *plain, size_t len,
                unsigned char **out, size_t *outlen);
/* Opens a sealed body. Returns 0 with *PLAIN a malloc'd NUL-terminated copy
 * of the plain text (its length in *PLAINLEN when not NULL; wipe it with
 * sodium_memzero before free), or -1 when the body is too short, was
 * sealed with another key or was altered, or on out of memory. */
int outbox_unseal(const outbox_key_t *key, const unsigned char *sealed, size_t len,
                  char **plain, size_t *plainlen);

#endif
