/* Payment providers behind one interface: who takes the money for a payment
 * order (api_payments.c). Owns the [payment] settings of hub.ini, the choice
 * of provider and the provider's secrets (loaded once at start, never from
 * argv or the database).
 *
 * Providers:
 *  - none: no provider; every payment route answers 503 payment_unavailable
 *    and nothing changes. What a hub without --demo and without a
 *    configured provider does.
 *  - demo: the simulated provider of a demo hub (--demo only), kept in the
 *    hub's own tables by api_payments.c (demo_settings, lazy transitions).
 *    It has no operations here: nothing of it leaves the hub.
 *  - alipay: Alipay face-to-face payment (pay_alipay.c), over HTTPS.
 *  - wechat: WeChat Pay (pay_wechat.c): APIv3 Native for QR orders, the
 *    documented v2 micropay for payment codes, over HTTPS.
 * Both real providers may be configured at once ("provider = alipay,wechat"):
 * a payment code goes to the provider of its wallet (its prefix: WeChat
 * 10-15, Alipay 25-30), a QR order to [payment] qr_provider (default: the
 * first listed), and an existing order always to the provider that made it
 * (orders.provider).
 *
 * An order is SUCCESS only when the provider says so in a verified answer
 * or a verified notification; every failure to know (timeout, bad
 * signature, system error) is PAY_UNKNOWN, which the caller resolves by
 * querying, then cancelling, never by assuming.
 *
 * Threads: pay_config_key and pay_init run on the main thread before the
 * server starts; the operations are called from the hub's worker threads,
 * concurrently, and are thread-safe (each call uses its own HTTP handle).
 * They block for at most the configured timeout and never touch the
 * database. */
#ifndef HUB_PAY_H
#define HUB_PAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What kind of hub this is: PAY_REAL when one or more real providers
 * (alipay, wechat) take the money. */
typedef enum { PAY_NONE, PAY_DEMO, PAY_REAL } pay_kind_t;

/* The wallet a payment code belongs to, by its prefix. */
typedef enum { PAY_WALLET_NONE, PAY_WALLET_WECHAT, PAY_WALLET_ALIPAY } pay_wallet_t;

/* A notification's request headers: the value of NAME (case-insensitive),
 * or NULL. */
typedef const char *(*pay_header_fn)(void *ctx, const char *name);

/* What a provider answered. */
typedef enum {
    PAY_SUCCESS,        /* verified: the money is taken (or the refund made) */
    PAY_WAITING,        /* the trade exists, the payer has not paid yet */
    PAY_NOT_FOUND,      /* the provider has no such trade (a QR nobody scanned yet) */
    PAY_CLOSED,         /* the trade is closed or cancelled: nothing taken, or refunded */
    PAY_REFUSED,        /* a definite business failure: nothing taken (error says why) */
    PAY_UNKNOWN,        /* no verified answer: query again, then cancel */
    PAY_UNSUPPORTED,    /* this provider cannot do that */
} pay_outcome_t;

typedef struct {
    pay_outcome_t outcome;
    char trade_no[65];      /* the provider's trade number, when known */
    char code_url[512];     /* precreate: what the payer scans */
    char error[64];         /* REFUSED / UNKNOWN: a short code (e.g. insufficient_balance) */
    long long amount_fen;   /* query / notification: the amount the provider holds, -1 if none */
} pay_result_t;

/* One order as a provider needs it. */
typedef struct {
    const char *out_trade_no;
    long long amount_fen;
    const char *subject;    /* what the payer sees */
    const char *auth_code;  /* pay only: the payer's payment code */
    int64_t expires;        /* precreate: unix seconds after which the QR is void */
} pay_order_t;

/* A verified asynchronous notification. */
typedef struct {
    char out_trade_no[65];
    pay_result_t result;    /* outcome SUCCESS, CLOSED or WAITING */
    char notify_id[65];
} pay_notice_t;

typedef struct {
    const char *name;
    /* QR order: RESULT.code_url for the payer. WAITING when created. */
    void (*precreate)(const pay_order_t *o, pay_result_t *r);
    /* Payment code: SUCCESS, WAITING (payer confirms), REFUSED or UNKNOWN. */
    void (*pay)(const pay_order_t *o, pay_result_t *r);
    void (*query)(const char *out_trade_no, pay_result_t *r);
    /* An unpaid trade is closed: CLOSED (or NOT_FOUND), SUCCESS if it was paid. */
    void (*close)(const char *out_trade_no, pay_result_t *r);
    /* Reverse whatever happened (paid: refunded): CLOSED when done; UNKNOWN
     * with error "cancel_refused" when the provider will not (too late). */
    void (*cancel)(const char *out_trade_no, pay_result_t *r);
    /* Refund AMOUNT of a paid trade under REFUND_NO (idempotent per number). */
    void (*refund)(const char *out_trade_no, const char *refund_no, long long amount_fen,
                   pay_result_t *r);
    /* A notification BODY (as received) with its headers (HEADER(CTX, name)):
     * 0 and OUT if its signature is the provider's and it is for this
     * merchant, -1 otherwise. */
    int (*verify_notice)(const char *body, size_t len, pay_header_fn header, void *ctx,
                         pay_notice_t *out);
    /* The statement of DATE (YYYY-MM-DD): where to download it. */
    void (*statement)(const char *date, char *url, size_t len, pay_result_t *r);
} pay_provider_t;

/* One [payment] key of hub.ini. 0, or -1 (unknown key or bad value). */
int pay_config_key(const char *name, const char *value);
/* Checks the settings against DEMO (--demo) and loads the provider's secrets.
 * 0, or -1 with ERR (the hub must not start). */
int pay_init(bool demo, char *err, size_t errlen);
/* The kind of payments of a hub with DEMO on: what [payment] provider
 * says (PAY_REAL for alipay and/or wechat), or without that setting demo
 * for a demo hub and none otherwise. */
pay_kind_t pay_kind(bool demo);
/* The first configured real provider, NULL for none and demo. */
const pay_provider_t *pay_provider(void);
/* The provider for a new order: a payment code (CODE) of WALLET goes to
 * that wallet's provider, a QR order to qr_provider. NULL when this hub
 * has none for it. */
const pay_provider_t *pay_provider_for(bool code, pay_wallet_t wallet);
/* The configured provider called NAME (an order's orders.provider), or NULL. */
const pay_provider_t *pay_provider_named(const char *name);
/* The configured real providers, in the order of [payment] provider: N of
 * them (0-2) into OUT. */
int pay_providers(const pay_provider_t *out[2]);
/* "none", "demo", "alipay", "alipay,wechat (QR: wechat)": for the log. */
const char *pay_describe(bool demo);
/* The URL a demo QR code points at, without a trailing slash ("" = the hub's
 * own listen address and port). */
const char *pay_demo_base(void);
/* Where the provider sends notifications ([payment] notify_url), "" if none. */
const char *pay_notify_url(void);
/* How long one provider call may take, milliseconds. */
long pay_timeout_ms(void);
/* Where the notification listener listens ([payment] notify_listen and
 * notify_port; port 0: no listener). */
const char *pay_notify_listen(void);
int pay_notify_port(void);
/* Back to the defaults (tests). */
void pay_reset(void);

/* pay_notify.c: the listener for the provider's notifications (on its own
 * address: a provider posts without token or Idempotency-Key). Started
 * after pay_init; NULL with ERR if it cannot listen. */
typedef struct pay_notify pay_notify_t;
pay_notify_t *pay_notify_start(const char *addr, int port, char *err, size_t errlen);
int pay_notify_bound_port(const pay_notify_t *n);
void pay_notify_stop(pay_notify_t *n);

/* pay_alipay.c: the provider, and its secrets file (for pay_init). */
extern const pay_provider_t pay_alipay;
int pay_alipay_load(const char *path, char *err, size_t errlen);

/* pay_wechat.c: the provider, and its secrets file (for pay_init). */
extern const pay_provider_t pay_wechat;
int pay_wechat_load(const char *path, char *err, size_t errlen);

#endif
