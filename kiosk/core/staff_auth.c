#include "core/staff_auth.h"

#include <sodium.h>
#include <string.h>

/* Argon2id at a cost that verifies in tens of milliseconds on a small kiosk
 * board: a short PIN cannot be made strong by hashing, the lockout is what
 * protects it; the hash only keeps the PIN out of plain sight in kiosk.ini. */
#define PIN_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PIN_MEMLIMIT (8u * 1024u * 1024u)

void staff_auth_init(staff_auth_t *a, int max_tries, int lock_s)
{
    memset(a, 0, sizeof *a);
    a->max_tries = max_tries > 0 ? max_tries : 5;
    a->lock_ms = (uint64_t)(lock_s > 0 ? lock_s : 300) * 1000u;
}

int staff_auth_locked(const staff_auth_t *a, uint64_t now_ms)
{
    if (a->locked_until_ms == 0 || now_ms >= a->locked_until_ms) return 0;
    return (int)((a->locked_until_ms - now_ms + 999) / 1000);
}

int staff_auth_record(staff_auth_t *a, int ok, uint64_t now_ms)
{
    if (a->locked_until_ms && now_ms >= a->locked_until_ms) a->locked_until_ms = 0;
    if (ok) {
        a->failures = 0;
        return a->max_tries;
    }
    if (++a->failures >= a->max_tries) {
        a->failures = 0;
        a->locked_until_ms = now_ms + a->lock_ms;
        return 0;
    }
    return a->max_tries - a->failures;
}

int staff_pin_valid(const char *pin)
{
    size_t n = strlen(pin);
    if (n < 4 || n > 12) return -1;
    for (size_t i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9') return -1;
    return 0;
}

int staff_pin_hash(const char *pin, char *out)
{
    if (staff_pin_valid(pin) != 0 || sodium_init() < 0) return -1;
    char tmp[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(tmp, pin, strlen(pin), PIN_OPSLIMIT, PIN_MEMLIMIT,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return -1;
    memcpy(out, tmp, sizeof tmp);
    return 0;
}

int staff_pin_verify(const char *hash, const char *pin)
{
    if (!hash || !*hash || sodium_init() < 0) return 0;
    if (strlen(hash) >= crypto_pwhash_STRBYTES) return 0;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}
