/* A simulated WeChat Pay for the hub's tests, written from WeChat Pay's
 * public documentation and run inside the test process (libmicrohttpd on
 * a free loopback port):
 *  - APIv3: Native order, query by out_trade_no, close, refund, trade
 *    bill (bill_type ALL: what it charged, reversed and refunded on the
 *    day, China time, in WeChat Pay's CSV layout; the file at
 *    download_url is asked with a signed GET and answered unsigned, its
 *    SHA1 in the signed hash_value). Every request's Authorization is checked as WeChat Pay does:
 *    scheme WECHATPAY2-SHA256-RSA2048, mchid, the merchant certificate's
 *    serial, a timestamp within 5 minutes of the hub's clock, a nonce never
 *    seen before, and SHA256withRSA over "METHOD\nURI\ntimestamp\nnonce\n
 *    body\n" with the raw URI and body as received; a bad one is 401
 *    SIGN_ERROR. Every answer is signed with the platform key
 *    (Wechatpay-Timestamp / -Nonce / -Signature / -Serial).
 *  - v2 micropay and reverse (XML, HMAC-SHA256 "sign" with the v2 key,
 *    checked; a bad one is return_code FAIL).
 *  - Notifications: TRANSACTION.SUCCESS posted to the order's notify_url,
 *    its resource encrypted with AEAD_AES_256_GCM and the APIv3 key, signed;
 *    and forgeries on demand.
 * It counts what it charged. Its signing and checking are its own (libcrypto
 * directly), not the hub's; it shares only the XML and parameter codecs.
 *
 * Keys are made at the first start (fresh RSA-2048 pairs, kept for the test
 * process, never written to the repository). Threads: a thread per
 * connection; the controls below are safe from the test's thread. The
 * clock it checks against is the hub's (hub_now), as the suites move it.
 * WXSIM_DEBUG=1 in the environment prints why a request was refused. */
#ifndef WECHAT_SIM_H
#define WECHAT_SIM_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    WXSIM_PAY_SUCCESS,      /* micropay charges at once */
    WXSIM_PAY_USERPAYING,   /* err_code USERPAYING: the payer confirms (wxsim_payer_pays) */
    WXSIM_PAY_REFUSE,       /* err_code NOTENOUGH: nothing taken */
    WXSIM_PAY_SYSTEMERROR,  /* err_code SYSTEMERROR, and the money WAS taken */
} wxsim_pay_mode_t;

typedef enum {
    WXSIM_NOTICE_GOOD,
    WXSIM_NOTICE_BAD_SIGNATURE, /* signed with a key that is not WeChat Pay's */
    WXSIM_NOTICE_WRONG_KEY,     /* resource encrypted with another APIv3 key */
    WXSIM_NOTICE_WRONG_SERIAL,  /* another platform serial */
    WXSIM_NOTICE_SIGNTEST,      /* WeChat's probe: "WECHATPAY/SIGNTEST/" signature */
} wxsim_notice_t;

/* How a raw request of wxsim_raw_v3 is spoilt. */
typedef enum { WXSIM_RAW_OK, WXSIM_RAW_TAMPERED_BODY, WXSIM_RAW_STALE, WXSIM_RAW_NONCE_AGAIN,
               WXSIM_RAW_WRONG_SERIAL } wxsim_raw_t;

typedef struct wechat_sim wechat_sim_t;

/* Starts the simulator; fails the test on error. */
wechat_sim_t *wxsim_start(void);
void wxsim_stop(wechat_sim_t *s);
/* "http://127.0.0.1:PORT" */
const char *wxsim_gateway(const wechat_sim_t *s);
/* The hub's secrets file for this simulator (key = value lines). */
const char *wxsim_secrets(const wechat_sim_t *s);

/* Behaviour. */
void wxsim_pay_mode(wechat_sim_t *s, wxsim_pay_mode_t mode);
/* Every answer comes this much later (the work is done first). */
void wxsim_delay_ms(wechat_sim_t *s, int ms);
/* Gone: every request's connection is dropped without an answer. */
void wxsim_gone(wechat_sim_t *s, bool gone);
/* The merchant may not take orders: Native is 403 NO_AUTH. */
void wxsim_refuse_orders(wechat_sim_t *s, bool refuse);
/* Reverse refused as past its window (REVERSE_EXPIRE). */
void wxsim_refuse_reverse(wechat_sim_t *s, bool refuse);
/* Answers signed with a key that is not WeChat Pay's. */
void wxsim_bad_answer_sign(wechat_sim_t *s, bool bad);
/* The trade bill's file is not the one its hash_value describes (a byte
 * changed on the way). */
void wxsim_bill_tampered(wechat_sim_t *s, bool tampered);

/* The payer scans and pays a Native trade, or confirms a USERPAYING
 * payment code; NOTIFY: the notification is posted (and must be answered
 * 200). 0, or -1 if the trade cannot be paid or the hub refused. */
int wxsim_payer_pays(wechat_sim_t *s, const char *out_trade_no, bool notify);
/* Posts a TRANSACTION.SUCCESS-shaped notification of OUT_TRADE_NO with
 * STATE and TOTAL (fen) to URL, made as HOW says. The HTTP status. */
int wxsim_notify(wechat_sim_t *s, const char *url, const char *out_trade_no, const char *state,
                 long long total, wxsim_notice_t how);
/* Posts the last notification again, byte for byte, headers and all. */
int wxsim_replay_last(wechat_sim_t *s, const char *url);

/* Counts. */
int wxsim_charges(wechat_sim_t *s);         /* payments taken (and not given back) */
int wxsim_refunds(wechat_sim_t *s);
int wxsim_bad_signatures(wechat_sim_t *s);  /* requests refused for their signature */
/* Calls of "native", "query", "close", "refund", "tradebill", "billdownload", "micropay", "reverse". */
int wxsim_calls(wechat_sim_t *s, const char *api);
/* The trade's trade_state ("" if none); copied into OUT. */
const char *wxsim_trade_state(wechat_sim_t *s, const char *out_trade_no, char out[16]);
/* Sends an APIv3 request signed with the merchant's key, spoilt as HOW
 * says; the HTTP status, and the body into BODY (LEN bytes). */
int wxsim_raw_v3(wechat_sim_t *s, const char *method, const char *path, const char *body,
                 wxsim_raw_t how, char *out, size_t len);

#endif
