/* Billing systems behind one interface: where the utilities' bills come
 * from and whom the hub credits once a bill is paid. Owns the [billing]
 * settings of hub.ini and the billing system's secrets (loaded once at
 * start, never from argv or the database).
 *
 * Systems:
 *  - table (the default): the hub's own accounts and bills tables are the
 *    ledger (the demo's seeded data, or bills an operator imports). A
 *    paid bill is marked paid there; the write-off succeeds at once.
 *  - http: a utility's billing system over HTTP(S) (billing_http.c), the
 *    protocol of docs/api.md "Billing system protocol": bills are fetched
 *    by account into the hub's tables before each look-up (the tables are
 *    then a cache), and every paid bill is credited with a write-off call,
 *    idempotent per (transaction, bill), signed with HMAC-SHA256.
 *
 * The write-off itself is the queue's job (writeoff.h): durable, retried,
 * never twice. Threads: billing_config_key and billing_init run on the
 * main thread before the server starts; fetch and writeoff are called from
 * worker threads concurrently, block for at most the configured timeout
 * and never touch the database. */
#ifndef HUB_BILLING_H
#define HUB_BILLING_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BILLING_MAX_BILLS 36

typedef enum { BILLING_OK, BILLING_RETRY, BILLING_REFUSED } billing_outcome_t;

typedef struct {
    char ref[65];               /* the utility's bill reference */
    char period[8];             /* YYYY-MM */
    double usage;
    char unit[8];
    long long amount_fen, late_fee_fen;
    char due_date[11];          /* YYYY-MM-DD */
    bool paid;
} billing_bill_t;

typedef struct {
    char holder[128];           /* in clear: sealed by the caller before storing */
    char address[256];
    billing_bill_t bills[BILLING_MAX_BILLS];
    int n;
} billing_account_t;

/* One credit: bill BILL_REF of UTILITY/ACCOUNT was paid AMOUNT_FEN by the
 * provider's TRANSACTION_ID at PAID_AT. WRITEOFF_ID is the hub's own name of
 * it (stable across retries). */
typedef struct {
    const char *writeoff_id, *bill_ref, *utility, *account, *transaction_id;
    long long amount_fen;
    int64_t paid_at;
} billing_writeoff_t;

typedef struct {
    const char *name;
    /* The account's holder, address and bills: 1 found, 0 no such account,
     * -1 no usable answer (ERR says why). NULL: the tables are the ledger. */
    int (*fetch)(const char *utility, const char *account, billing_account_t *out, char *err,
                 size_t errlen);
    /* OK: credited (now or before: idempotent); REFUSED: a definite "no"
     * (ERR: unknown_bill, amount_differs, ...), staff must act; RETRY:
     * no usable answer. */
    billing_outcome_t (*writeoff)(const billing_writeoff_t *w, char *err, size_t errlen);
    /* The payment of W was refunded (REFUND_NO): the credit is taken back,
     * the bill is unpaid again. Idempotent per refund number; outcomes as
     * writeoff. */
    billing_outcome_t (*reverse)(const billing_writeoff_t *w, const char *refund_no, char *err,
                                 size_t errlen);
} billing_system_t;

/* One [billing] key of hub.ini. 0, or -1 (unknown key or bad value). */
int billing_config_key(const char *name, const char *value);
/* Loads the system's secrets. 0, or -1 with ERR (the hub must not start). */
int billing_init(char *err, size_t errlen);
const billing_system_t *billing_system(void);
/* Write-offs failing this many times in a row raise a fleet alert. */
int billing_alert_after(void);
long billing_timeout_ms(void);
/* Back to the defaults (tests). */
void billing_reset(void);

/* Brings UTILITY/ACCOUNT's holder, address and bills from the billing system
 * into the hub's tables (nothing for the table system). A bill the hub has
 * marked paid stays paid (its write-off may be on its way). 0 done (or
 * nothing to do), 1 the system has no such account, -1 unreachable (the
 * caller answers 503: never bills the utility did not confirm). */
int billing_refresh(sqlite3 *db, const char *utility, const char *account);

/* The protocol's answers, pure (fuzzed by tests/fuzz/fuzz_billing.c):
 * an account answer BODY (LEN bytes) for UTILITY/ACCOUNT into OUT (0, or
 * -1 with ERR and OUT all zero); a write-off or reversal answer of HTTP
 * STATUS for WRITEOFF_ID (OK, REFUSED with the utility's code in ERR, or
 * RETRY with ERR). */
int billing_parse_account(const char *body, size_t len, const char *utility, const char *account,
                          billing_account_t *out, char *err, size_t errlen);
billing_outcome_t billing_parse_writeoff(long status, const char *body, size_t len, const char *writeoff_id,
                                         bool reversal, char *err, size_t errlen);

/* billing_http.c */
extern const billing_system_t billing_http;
int billing_http_load(const char *secrets, const char *base_url, char *err, size_t errlen);
/* The signature of docs/api.md: hex HMAC-SHA256 over METHOD "\n" PATH "\n"
 * TIMESTAMP "\n" hex(SHA-256(BODY)). OUT gets 64 hex digits. Pure. */
void billing_sign(const unsigned char *key, size_t keylen, const char *method, const char *path,
                  const char *timestamp, const char *body, size_t bodylen, char out[65]);

#endif
