/* The paper bill's QR payload (docs/api.md), read by the hub (GET /v1/bills
 * ?qr=), the scanner driver (qr_classify) and the kiosk, written by tests
 * and the demo tools:
 *
 *   XFL-BILL:1:<utility>:<account>:<YYYY-MM>:<amount_fen>:<check>
 *
 * utility water|electricity|gas|heating, account 6-20 digits, period
 * 2000-01..2099-12, amount 1-10 digits without a leading zero, check 2 digits by ISO 7064 MOD 97-10
 * (as in IBAN) over account || YYYYMM || amount as written; at most
 * BILLQR_MAX characters. Pure: no allocation, no state, any thread. */
#ifndef COMMON_BILLQR_H
#define COMMON_BILLQR_H

#include <stddef.h>

#define BILLQR_MAX 128

/* One payload's fields; every string NUL-terminated. */
typedef struct {
    char utility[12];           /* "water", "electricity", "gas", "heating" */
    char account[21];           /* 6-20 digits */
    char period[8];             /* "YYYY-MM" */
    int year, month;
    long long amount_fen;       /* 0 .. 9999999999 */
    char check[3];              /* 2 digits */
} billqr_t;

/* The two MOD 97-10 check digits for DIGITS (N decimal digits):
 * 98 - (N * 100 mod 97), into CHECK (3 bytes). Returns 0, or -1 if a
 * character is not a digit. */
int billqr_check(const char *digits, size_t n, char check[3]);

/* Reads the LEN bytes at S (need not be NUL-terminated) into OUT. Returns 0
 * for a well-formed version-1 payload whose check matches; else -1 with
 * *WHY (when WHY is not NULL) set to a static English reason starting
 * "paper bill", and OUT unspecified. */
int billqr_parse(const char *s, size_t len, billqr_t *out, const char **why);

/* Writes B's fields as a payload into OUT (OUTLEN bytes) with B->check as
 * it is. Returns the length, or -1 when it does not fit. */
int billqr_format(const billqr_t *b, char *out, size_t outlen);

/* Sets B->check from B's account, period and amount_fen, then formats as
 * billqr_format. Returns the length, or -1 (not digits, does not fit). */
int billqr_encode(billqr_t *b, char *out, size_t outlen);

#endif
