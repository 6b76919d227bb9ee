/* Residents' personal data at rest: names, addresses, phone numbers and ID
 * numbers are never stored in clear. What the hub shows back (masked) is sealed with
 * libsodium's secretbox; what it only compares (an ID number, a phone it
 * looks up) is kept as a keyed hash (crypto_generichash). One key file,
 * 32 random bytes in hex, created 0600 when missing; the hub refuses a key
 * file group or others can read.
 *
 * The functions are SQL functions on every connection (db.c registers
 * them), so the handlers' SQL does the work:
 *   pii_seal(TEXT)        -> "s1:" + base64(nonce || box); NULL stays NULL
 *   pii_open(SEALED)      -> the clear text; text without "s1:" as it is
 *   pii_hash(KIND, TEXT)  -> 64 hex digits, keyed, per KIND ('phone', 'id')
 *   pii_mask(KIND, TEXT)  -> mask.h's 'phone', 'id' or 'name' mask
 * Thread-safe once pii_load_key has returned (the key never changes). */
#ifndef HUB_PII_H
#define HUB_PII_H

#include <sqlite3.h>
#include <stddef.h>

/* Loads PATH, creating it (0600, a fresh random key) if it does not exist.
 * 0, or -1 with ERR (unreadable, malformed, or readable by others). */
int pii_load_key(const char *path, char *err, int errlen);
/* The key file PATH as pii_load_key reads it (created 0600 with 32 random
 * bytes when missing; refused when group or others can read it), its
 * bytes into KEY; also for the hub's other keys (rescodes.h). 0, or -1
 * with ERR and KEY zeroed. */
int pii_key_file(const char *path, unsigned char key[32], char *err, int errlen);
/* Registers the SQL functions above on DB. 0 or an SQLite error code. */
int pii_register(sqlite3 *db);

/* The statements of pii_protect_all (also the end of migration 6): every
 * clear value gets its hash and is sealed, masked or dropped. A sealed
 * value starts with "s1:", which no name or phone number does. */
#define PII_PROTECT_SQL                                                                        \
    "UPDATE residents SET id_hash = pii_hash('id', upper(id_number)), id_number = NULL"        \
    "  WHERE id_number IS NOT NULL;"                                                           \
    "UPDATE residents SET phone_hash = pii_hash('phone', phone), phone = pii_seal(phone)"      \
    "  WHERE phone IS NOT NULL AND phone NOT LIKE 's1:%';"                                     \
    "UPDATE residents SET name = pii_seal(name) WHERE name NOT LIKE 's1:%';"                   \
    "UPDATE accounts SET holder = pii_seal(holder) WHERE holder NOT LIKE 's1:%';"              \
    "UPDATE bookings SET id_hash = pii_hash('id', upper(id_number)),"                          \
    "  id_masked = pii_mask('id', upper(id_number)), id_number = NULL"                         \
    "  WHERE id_number IS NOT NULL;"                                                           \
    "UPDATE bookings SET phone_hash = pii_hash('phone', phone), phone = pii_seal(phone)"       \
    "  WHERE phone IS NOT NULL AND phone NOT LIKE 's1:%';"                                     \
    "UPDATE bookings SET name = pii_seal(name) WHERE name NOT LIKE 's1:%';"                    \
    "UPDATE event_registrations SET phone_hash = pii_hash('phone', phone),"                    \
    "  phone = pii_seal(phone) WHERE phone NOT LIKE 's1:%';"                                   \
    "UPDATE event_registrations SET name = pii_seal(name) WHERE name NOT LIKE 's1:%';"         \
    "UPDATE help_requests SET contact = pii_seal(contact)"                                     \
    "  WHERE contact IS NOT NULL AND contact NOT LIKE 's1:%';"

/* Addresses are sealed too (migration 11, after PII_PROTECT_SQL's 7): the
 * hub shows them masked and never looks them up. */
#define PII_PROTECT_ADDRESS_SQL                                                                \
    "UPDATE accounts SET address = pii_seal(address) WHERE address NOT LIKE 's1:%';"
/* The keyed hash of pii_hash over N parts (PARTS[i], LENS[i] bytes), a NUL
 * between them (only the last part may hold a NUL): for one part, the same
 * digest as pii_hash(KIND, PART). 64 hex digits in OUT; 0, or -1 when no
 * key is loaded. Used where a fingerprint of a request must not be a plain
 * hash of a body that holds an ID number (server.c's idempotency). */
int pii_hash_parts(const char *kind, int n, const void *const *parts, const size_t *lens,
                   char out[65]);

/* Seals or hashes in place whatever personal data is still in clear: rows
 * written by the demo SQL files, by a test, or by a hub before migration 6.
 * Idempotent. 0 or the SQLite error code. */
int pii_protect_all(sqlite3 *db);

#endif
