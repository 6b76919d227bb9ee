/* The community resident code (一码通): the QR payload the hub issues to a
 * registered resident (build/hub rescode issue, POST /v1/admin/rescodes),
 * that the kiosk's scanner reads (qr_classify) and the hub verifies (POST
 * /v1/identify/rescode, POST /v1/bills/lookup by "rescode"):
 *
 *   XFL-RES:1:<code>:<resident>:<issued>:<expires>:<mac>
 *
 * code      10 characters of RESCODE_ALPHABET: the code's own id (revoke
 *           it by this), random, not secret;
 * resident  "R" and 1-12 digits without a leading zero: the hub's
 *           reference of the resident (never an ID-card or phone number);
 * issued,   Unix seconds, 9-10 digits without a leading zero,
 * expires   issued < expires;
 * mac       32 upper-case hex digits: the hub's HMAC-SHA-256 (truncated to
 *           128 bits) over everything before the last ':' (rescode_signed).
 *
 * Everything is upper case, digits and ':' so that a QR code holds it in
 * alphanumeric mode (version 4 at level M: a small, robust print); at most
 * RESCODE_MAX characters. Strict: nothing else is accepted, no trimming
 * (the scanner driver drops a trailing line break before calling). Shape
 * only: the MAC, revocation and expiry are the hub's to check (hub/rescode.h).
 * Pure: no allocation, no state, no clock; any thread. */
#ifndef COMMON_RESCODE_H
#define COMMON_RESCODE_H

#include <stddef.h>

#define RESCODE_MAX 96
#define RESCODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define RESCODE_CODE_LEN 10
#define RESCODE_MAC_HEX 32

/* One payload's fields; every string NUL-terminated. */
typedef struct {
    char code[RESCODE_CODE_LEN + 1];
    char resident[14];          /* "R" + 1-12 digits */
    long long issued, expires;  /* Unix seconds */
    char mac[RESCODE_MAC_HEX + 1];
} rescode_t;

/* Reads the LEN bytes at S (need not be NUL-terminated) into OUT. Returns 0
 * for a well-formed version-1 payload; else -1 with *WHY (when WHY is not
 * NULL) a static English reason starting "resident code", and OUT zeroed. */
int rescode_parse(const char *s, size_t len, rescode_t *out, const char **why);

/* Writes R as a payload into OUT (OUTLEN bytes, NUL-terminated). Returns its
 * length, or -1 when a field is malformed (as rescode_parse would refuse it)
 * or it does not fit. */
int rescode_format(const rescode_t *r, char *out, size_t outlen);

/* Writes the part of R's payload the MAC covers ("XFL-RES:1:" up to the
 * expiry, without the last ':'); R->mac is not looked at. Length or -1 as
 * rescode_format. */
int rescode_signed(const rescode_t *r, char *out, size_t outlen);

/* The resident reference of row ID (> 0) into OUT (14 bytes): "R<id>".
 * Returns 0, or -1 when ID is out of range. */
int rescode_resident_ref(long long id, char out[14]);
/* The row id of reference REF, or -1 when it is not one. */
long long rescode_resident_id(const char *ref);

#endif
