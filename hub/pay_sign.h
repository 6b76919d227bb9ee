/* RSA2 (SHA256withRSA) as Alipay's open API uses it, on OpenSSL's libcrypto:
 * the canonical "k1=v1&k2=v2" text of a parameter set (sorted by key, empty
 * values left out), signatures in base64, keys as the one-line base64 DER
 * text Alipay's key tools write, form encoding and decoding, and the exact
 * text of one member of a JSON answer (what Alipay signs).
 *
 * Owns nothing global; every function is thread-safe. Strings returned are
 * malloc'd (caller frees); NULL means out of memory or invalid input. */
#ifndef HUB_PAY_SIGN_H
#define HUB_PAY_SIGN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#define PAY_MAX_PARAMS 40

typedef struct {
    char *key;
    char *value;
} pay_param_t;

typedef struct {
    pay_param_t p[PAY_MAX_PARAMS];
    int n;
} pay_params_t;

/* Adds KEY=VALUE (both copied). 0, or -1 when full or out of memory. */
int pay_params_add(pay_params_t *ps, const char *key, const char *value);
/* VALUE of KEY, or NULL. */
const char *pay_params_get(const pay_params_t *ps, const char *key);
void pay_params_free(pay_params_t *ps);
/* The text that is signed: parameters sorted by key (bytewise), those with
 * an empty value and those named in SKIP (NULL-terminated) left out,
 * joined as k=v with '&', values as they are (not encoded). */
char *pay_sign_content(const pay_params_t *ps, const char *const *skip);
/* application/x-www-form-urlencoded text of every parameter. */
char *pay_form_encode(const pay_params_t *ps);
/* Parses a form body into PS (percent and '+' decoded). 0, or -1 if malformed. */
int pay_form_parse(const char *body, size_t len, pay_params_t *ps);

/* Keys from base64 DER: a private key (PKCS#8 or PKCS#1) or a public key
 * (X.509 SubjectPublicKeyInfo). NULL if it is not one. Free: EVP_PKEY_free. */
EVP_PKEY *pay_key_private(const char *b64);
EVP_PKEY *pay_key_public(const char *b64);
/* The base64 signature of DATA, or NULL. */
char *pay_rsa2_sign(EVP_PKEY *key, const char *data, size_t len);
/* Whether SIG_B64 is KEY's signature of DATA. */
bool pay_rsa2_verify(EVP_PKEY *key, const char *data, size_t len, const char *sig_b64);

/* The exact text of the value of top-level member NAME of the JSON object
 * TEXT (an object or string as it stands, byte for byte): *AT and *LEN.
 * 0, or -1 if there is no such member or TEXT is malformed. */
int pay_json_member(const char *text, const char *name, const char **at, size_t *len);

#endif
