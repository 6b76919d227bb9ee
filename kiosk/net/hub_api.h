/* The kiosk's client of the hub API (docs/api.md): typed calls for bills and
 * payments over libcurl, and the pure parsers behind them.
 *
 * A hub_client_t is one connection (a CURL easy handle, kept alive between
 * calls); use each from one thread only. Every call blocks for at most the
 * client's timeout; call them from worker threads, never the UI thread.
 *
 * Every call fills a hub_status_t saying what happened, in four kinds that
 * decide what the caller may do next:
 *   HUB_OK       a 2xx answer that parsed: OUT is filled;
 *   HUB_REFUSED  a complete 4xx answer other than 408 and 429: the hub
 *                understood and said no (status, code and message from its
 *                error body; "http_NNN" when the body is not an error
 *                object). Definite: nothing happened (docs/api.md: a failed
 *                request leaves nothing);
 *   HUB_UNKNOWN  no usable answer: could not connect, timed out, connection
 *                cut (also in the middle of a 4xx), 408, 429, a 1xx/3xx, a
 *                5xx, a 2xx whose body is not the documented shape, or
 *                aborted by the abort flag. The request may or may not
 *                have taken effect: for a payment this is an unknown outcome
 *                (resolve it by asking again, never by paying again).
 * Personal data (ID numbers, payment codes) never goes to the log. */
#ifndef KIOSK_NET_HUB_API_H
#define KIOSK_NET_HUB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

typedef enum { HUB_OK, HUB_REFUSED, HUB_UNKNOWN } hub_result_t;

typedef struct {
    hub_result_t result;
    int http;                 /* HTTP status, 0 when there was no answer */
    char code[48];            /* error code of a 4xx/5xx body ("bill_paid"),
                               * or ours for no answer: "network", "timeout",
                               * "aborted", "garbage" */
    char message[200];        /* for logs and staff, never shown raw to residents */
    bool replayed;            /* Idempotent-Replayed: true */
} hub_status_t;

/* ---- bills --------------------------------------------------------------- */
#define HUB_MAX_ACCOUNTS 8
#define HUB_MAX_BILLS 24       /* per account: unpaid + 12 paid */
#define HUB_HISTORY 12

typedef struct {
    long long id;
    char period[8];            /* YYYY-MM */
    double usage;
    char unit[8];              /* "m³", "kWh", "GJ" */
    long long amount_fen;
    long long late_fee_fen;
    char due_date[11];         /* YYYY-MM-DD */
    bool paid;
} hub_bill_t;

typedef struct {
    char utility[12];          /* water | electricity | gas | heating */
    char account[24];
    char holder[64];           /* masked (the hub masks; the parser masks again
                                * anything that arrives unmasked) */
    char address[160];         /* masked, same rule */
    long long due_fen;
    int n_bills;
    hub_bill_t bills[HUB_MAX_BILLS];   /* as the hub orders them: unpaid first */
    int n_history;
    struct { char period[8]; double usage; } history[HUB_HISTORY];
} hub_account_t;

typedef struct {
    int n;
    hub_account_t a[HUB_MAX_ACCOUNTS];
} hub_accounts_t;

/* ---- payment orders ------------------------------------------------------ */
typedef enum {
    ORDER_NOTPAY, ORDER_USERPAYING, ORDER_SUCCESS, ORDER_CLOSED, ORDER_REVOKED,
    ORDER_PAYERROR, ORDER_STATE_COUNT
} hub_order_state_t;

#define HUB_MAX_ORDER_BILLS 12
#define HUB_TRADE_NO_MAX 32

typedef struct {
    char out_trade_no[HUB_TRADE_NO_MAX + 1];
    hub_order_state_t state;
    char method[8];            /* "qr" | "code" */
    long long amount_fen;
    char code_url[512];        /* qr only, else "" */
    int n_bills;
    long long bill_ids[HUB_MAX_ORDER_BILLS];
    time_t created, updated;
    time_t expires;            /* 0 for null */
    char transaction_id[40];   /* "" unless SUCCESS / REVOKED */
    char error[40];            /* PAYERROR: insufficient_balance | bill_paid_elsewhere */
} hub_order_t;

const char *hub_order_state_name(hub_order_state_t s);      /* "NOTPAY" ... */
/* -1 if NAME is not one of the six. */
int hub_order_state_parse(const char *name);

/* ---- pure parsers (fuzzed: tests/fuzz/fuzz_hub_parse.c) -------------------
 * JSON of LEN bytes (not NUL-terminated necessarily). Return 0 with OUT
 * filled, or -1 with ERR saying what is wrong ("accounts[1].bills[0].id: not
 * an integer"). Unknown fields are ignored; a missing or wrongly typed
 * documented field is an error; strings too long for their buffer are an
 * error (never silently cut); more accounts/bills than the arrays hold are
 * an error. */
int hub_parse_accounts(const char *json, size_t len, hub_accounts_t *out,
                       char *err, size_t errlen);
/* {"order": {...}} */
int hub_parse_order(const char *json, size_t len, hub_order_t *out,
                    char *err, size_t errlen);
/* {"error": {"code", "message"}}: fills ST->code and ST->message; 0 or -1. */
int hub_parse_error(const char *json, size_t len, hub_status_t *st);

/* ---- the client ---------------------------------------------------------- */
typedef struct hub_client hub_client_t;

/* BASE_URL as kiosk.ini [hub] url ("http://127.0.0.1:8470", with or without
 * a trailing "/" or "/v1"); TOKEN the device token; TIMEOUT_MS for a whole
 * request (connect included). ABORT, when not NULL, is polled during a
 * request: non-zero aborts it at once (HUB_UNKNOWN, code "aborted"), for a
 * quick shutdown. NULL on allocation failure. */
hub_client_t *hub_client_new(const char *base_url, const char *token, int timeout_ms,
                             const volatile int *abort);
void hub_client_free(hub_client_t *c);

/* GET /v1/health. HUB_OK when the hub answered 200. */
void hub_health(hub_client_t *c, hub_status_t *st);

/* GET /v1/bills by UTILITY and ACCOUNT (QR NULL), or by the paper-bill
 * payload QR (UTILITY and ACCOUNT NULL). */
void hub_bills_get(hub_client_t *c, const char *utility, const char *account,
                   const char *qr, hub_accounts_t *out, hub_status_t *st);
/* POST /v1/bills/lookup by ID number (never logged). */
void hub_bills_by_id(hub_client_t *c, const char *id_number, const char *idem_key,
                     hub_accounts_t *out, hub_status_t *st);

/* POST /v1/payments. METHOD "qr" or "code"; AUTH_CODE for "code", else NULL
 * (never logged, never kept by the client). */
void hub_pay_create(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                    const long long *bill_ids, int n_bills, const char *method,
                    const char *auth_code, hub_order_t *out, hub_status_t *st);
/* GET /v1/payments/{no} */
void hub_pay_query(hub_client_t *c, const char *out_trade_no, hub_order_t *out,
                   hub_status_t *st);
/* POST /v1/payments/{no}/close and /reverse, body {}. */
void hub_pay_close(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                   hub_order_t *out, hub_status_t *st);
void hub_pay_reverse(hub_client_t *c, const char *idem_key, const char *out_trade_no,
                     hub_order_t *out, hub_status_t *st);

/* A fresh idempotency key / random id: PREFIX then 16 random hex digits
 * (libsodium randombytes). OUT must hold strlen(PREFIX) + 17 bytes. */
void hub_new_key(const char *prefix, char *out, size_t outlen);

#endif
