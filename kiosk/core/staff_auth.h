/* Staff PIN: a libsodium password hash (crypto_pwhash_str) kept in kiosk.ini,
 * and a lockout after too many wrong PINs. The verify call is deliberately
 * slow and runs on a worker thread (see app/), never on the UI thread. */
#ifndef KIOSK_STAFF_AUTH_H
#define KIOSK_STAFF_AUTH_H

#include <stdint.h>

typedef struct {
    int failures;              /* wrong PINs since the last success or lock */
    int max_tries;
    uint64_t lock_ms;
    uint64_t locked_until_ms;  /* 0 = not locked */
} staff_auth_t;

#define STAFF_HASH_MAX 128

void staff_auth_init(staff_auth_t *a, int max_tries, int lock_s);

/* Seconds of lockout left (rounded up), 0 when PINs are accepted. */
int staff_auth_locked(const staff_auth_t *a, uint64_t now_ms);

/* Records a verify result. Returns the tries left before a lock (0 when this
 * failure locked it). */
int staff_auth_record(staff_auth_t *a, int ok, uint64_t now_ms);

/* Hashes PIN into OUT (>= STAFF_HASH_MAX bytes). 0 ok, -1 on failure
 * (out of memory, or a PIN that is not 4-12 digits). */
int staff_pin_hash(const char *pin, char *out);

/* 1 if PIN matches HASH, 0 if not or HASH is malformed. Slow (tens of ms). */
int staff_pin_verify(const char *hash, const char *pin);

/* 0 if PIN is 4 to 12 ASCII digits. */
int staff_pin_valid(const char *pin);

#endif
