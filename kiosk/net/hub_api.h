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
/* 1 when ST is the hub asking the kiosk to slow down (429, or 503 "busy" /
 * "overloaded" / "rate_limited"): nothing is wrong, the resident should try
 * again in a minute rather than be told of a fault. */
int hub_status_busy(const hub_status_t *st);
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
/* POST /v1/bills/lookup by community resident code (the scanned payload,
 * a proof of who the resident is: never logged). A code the hub does not
 * take (expired, replaced, revoked, not its own) is refused
 * "unknown_resident", like a resident without accounts. */
void hub_bills_by_rescode(hub_client_t *c, const char *code, const char *idem_key,
                          hub_accounts_t *out, hub_status_t *st);
/* POST /v1/identify/rescode: is the scanned community resident code one
 * the hub takes? HUB_OK with NAME (NAMELEN bytes) the resident's name,
 * masked (again, here); HUB_REFUSED "unknown_resident" for any code it
 * does not take. The code is never logged. */
void hub_identify_rescode(hub_client_t *c, const char *code, const char *idem_key, char *name,
                          size_t namelen, hub_status_t *st);

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

/* A generic request, for the outbox (outbox/sender.c): METHOD "POST" (BODY
 * a JSON object, sent with IDEM_KEY as its Idempotency-Key) or "GET" (BODY
 * and IDEM_KEY NULL) of PATH ("/v1/help"; the caller escapes any variable
 * part). Classified like every call; on HUB_OK *RESP_BODY is the 2xx answer
 * (malloc'd, NUL-terminated; a JSON object, else HUB_UNKNOWN "garbage"), on
 * anything else NULL. Another METHOD, or a missing POST body, is
 * HUB_REFUSED "bad_request" without sending anything (a programmer error:
 * sending it again cannot help). The body may hold personal data: it is
 * never logged; the log names METHOD and PATH only. */
void hub_send_json(hub_client_t *c, const char *method, const char *path,
                   const char *idem_key, const char *body, char **resp_body,
                   hub_status_t *st);

/* A fresh idempotency key / random id: PREFIX then 16 random hex digits
 * (libsodium randombytes). OUT must hold strlen(PREFIX) + 17 bytes. */
void hub_new_key(const char *prefix, char *out, size_t outlen);

/* ---- fleet: raw requests (kiosk/net/hub_fleet.c) --------------------------
 * For telemetry (heartbeats, command results, screenshot uploads) and
 * `kioskctl fleet` (staff routes, PNG downloads): requests the typed client
 * lacks. A hub_fleet_t has its own curl handle, with the rules above: one
 * thread per client, TOKEN a device's or a staff member's, ABORT polled
 * during a request, every answer classified into hub_status_t exactly like
 * the typed calls. */
typedef struct hub_fleet hub_fleet_t;

/* As hub_client_new. NULL on allocation failure. */
hub_fleet_t *hub_fleet_new(const char *base_url, const char *token, int timeout_ms,
                           const volatile int *abort);
void hub_fleet_free(hub_fleet_t *f);

/* METHOD "GET" or "POST" of PATH ("/v1/...", the caller escapes variable
 * parts). A POST sends BODY (LEN bytes, may hold NULs) as CTYPE
 * ("application/json", "image/png") with IDEM_KEY as its Idempotency-Key.
 * On HUB_OK, *OUT and *OUTLEN (either may be NULL) give the 2xx answer:
 * owned by F, NUL-terminated, valid until the next call on F; answers over
 * 8 MiB are HUB_UNKNOWN "garbage". On anything else *OUT is NULL. Bodies are
 * never logged. */
void hub_fleet_request(hub_fleet_t *f, const char *method, const char *path,
                       const char *ctype, const void *body, size_t len,
                       const char *idem_key, const char **out, size_t *outlen,
                       hub_status_t *st);

/* ---- content bundles (kiosk/net/hub_content.c) -----------------------------
 * docs/api.md "Content bundles". A hub_content_t has its own curl handle,
 * with the rules above (one thread per client, ABORT polled, every answer
 * classified into hub_status_t), plus: a poll's 304 is HUB_OK with
 * st->http == 304. TOKEN is a device's (poll, fetch) or a staff member's
 * (upload, publish). Bodies are never logged. */
#include <stdio.h>

typedef struct hub_content hub_content_t;

typedef struct {
    long long version;
    char *manifest;           /* the exact signed bytes, NUL-terminated (malloc'd) */
    size_t manifest_len;
    char *signature;          /* hex, as sent (malloc'd) */
} hub_bundle_t;

/* As hub_client_new. NULL on allocation failure or a token with spaces or
 * control characters. */
hub_content_t *hub_content_new(const char *base_url, const char *token, int timeout_ms,
                               const volatile int *abort);
void hub_content_free(hub_content_t *c);

/* GET /v1/content/bundle?mode=MODE[&group=GROUP], If-None-Match ETAG when
 * not NULL/"". HUB_OK 200: OUT filled (hub_bundle_free it); HUB_OK 304:
 * unchanged, OUT empty. ETAG_OUT gets the answer's ETag ("" if none).
 * A 404 no_bundle is HUB_REFUSED. */
void hub_bundle_poll(hub_content_t *c, const char *mode, const char *group, const char *etag,
                     hub_bundle_t *out, char *etag_out, size_t etag_len, hub_status_t *st);
void hub_bundle_free(hub_bundle_t *b);
/* The poll answer {version, manifest, signature}: 0, or -1 with ERR. */
int hub_parse_bundle(const char *json, size_t len, hub_bundle_t *out, char *err, size_t errlen);

/* GET /v1/content/assets/{SHA256}, streamed into FP (at most MAX_SIZE bytes,
 * else HUB_UNKNOWN "garbage"). On HUB_OK, DIGEST is the SHA-256 of what was
 * written and *SIZE its length: the caller compares (the hub is not
 * trusted). */
void hub_asset_fetch(hub_content_t *c, const char *sha256, long long max_size, FILE *fp,
                     unsigned char digest[32], long long *size, hub_status_t *st);
/* Staff: PUT /v1/admin/content/assets/{SHA256} with DATA (TYPE "image/png"). */
void hub_asset_upload(hub_content_t *c, const char *sha256, const void *data, size_t len,
                      const char *type, hub_status_t *st);
/* Staff: POST /v1/admin/content/bundles {manifest, signature}; *VERSION the
 * published version on HUB_OK. */
void hub_bundle_publish(hub_content_t *c, const char *manifest, const char *signature,
                        const char *idem_key, long long *version, hub_status_t *st);

#endif
