/* A simulated Alipay open-API gateway for the hub's tests, written from
 * Alipay's public documentation and run inside the test process
 * (libmicrohttpd on a free loopback port). It checks every request's RSA2
 * signature with its own copy of the merchant's public key exactly as
 * Alipay does (sorted parameters, "sign" left out) and refuses a bad one
 * with Alipay's error shape (40002 isv.invalid-signature); it signs every
 * answer over the exact text of its "..._response" member and posts signed
 * notifications to the request's notify_url. It counts what it charged.
 *
 * Keys are made at the first start (fresh RSA-2048 pairs, kept for the
 * test process, never written to the repository). Threads: the server has a thread per connection; the
 * controls below are safe from the test's thread. */
#ifndef ALIPAY_SIM_H
#define ALIPAY_SIM_H

#include <stdbool.h>

typedef enum {
    SIM_PAY_SUCCESS,        /* the payment code is charged at once (10000) */
    SIM_PAY_WAIT,           /* 10003: the payer must confirm (sim_confirm) */
    SIM_PAY_REFUSE,         /* 40004 ACQ.BUYER_BALANCE_NOT_ENOUGH */
    SIM_PAY_SYSTEM_ERROR,   /* 20000 / ACQ.SYSTEM_ERROR, and the money WAS taken */
    SIM_PAY_NOTIFY_FIRST,   /* charged, notification sent, then the answer */
} sim_pay_mode_t;

typedef struct alipay_sim alipay_sim_t;

/* Starts the simulator; fails the test on error. */
alipay_sim_t *sim_start(void);
void sim_stop(alipay_sim_t *s);
/* "http://127.0.0.1:PORT/gateway.do" */
const char *sim_gateway(const alipay_sim_t *s);
const char *sim_app_id(const alipay_sim_t *s);
/* The base64 DER keys the hub's secrets file needs. */
const char *sim_merchant_private(const alipay_sim_t *s);
const char *sim_alipay_public(const alipay_sim_t *s);

/* Behaviour. */
void sim_pay_mode(alipay_sim_t *s, sim_pay_mode_t mode);
/* Every answer comes this much later (the work is done first). */
void sim_delay_ms(alipay_sim_t *s, int ms);
/* Gone: every request's connection is dropped without an answer. */
void sim_gone(alipay_sim_t *s, bool gone);
/* Cancel refused (as for a trade past the cancel window): 40004. */
void sim_refuse_cancel(alipay_sim_t *s, bool refuse);
/* QR orders refused (precreate answers 40004 ACQ.ACCESS_FORBIDDEN, no trade made). */
void sim_refuse_orders(alipay_sim_t *s, bool refuse);
/* Answers signed with a key that is not Alipay's. */
void sim_bad_answer_sign(alipay_sim_t *s, bool bad);

/* The payer: scans and pays a QR trade, or confirms a waiting payment
 * code. Sends the notification (unless NOTIFY is false). 0, or -1 if the
 * trade cannot be paid (closed, unknown). */
int sim_payer_pays(alipay_sim_t *s, const char *out_trade_no, bool notify);
/* Posts a notification for OUT_TRADE_NO with STATUS and AMOUNT ("12.34"),
 * signed with Alipay's key, or with a wrong one when FORGED. The HTTP
 * status of the hub's answer (and its body in BODY, 16 bytes). */
int sim_notify(alipay_sim_t *s, const char *url, const char *out_trade_no, const char *status,
               const char *amount, bool forged, char body[16]);

/* Counts. */
int sim_charges(alipay_sim_t *s);           /* payments taken (and not refunded) */
int sim_refunds(alipay_sim_t *s);
/* Statements asked for (alipay.data.dataservice.bill.downloadurl.query). The
 * URL answered serves the day's statement: a zip of GBK CSV files in the
 * layout of Alipay's "trade" bill (docs/api.md, "Reconciliation"). */
int sim_statement_urls(alipay_sim_t *s);
int sim_bad_signatures(alipay_sim_t *s);    /* requests refused for their signature */
int sim_calls(alipay_sim_t *s, const char *method);
/* The trade's status at the simulator ("" if none). */
const char *sim_trade_status(alipay_sim_t *s, const char *out_trade_no);
/* Posts a request signed with the merchant's key (TAMPER: changed after
 * signing) and returns the answer body (malloc'd). */
char *sim_raw_request(alipay_sim_t *s, const char *method, const char *biz, bool tamper);

#endif
