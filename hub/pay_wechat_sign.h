/* The signatures and codecs of WeChat Pay, from its public documentation,
 * on OpenSSL's libcrypto:
 *  - APIv3: the request's signing text "METHOD\nURL\ntimestamp\nnonce\nbody\n"
 *    and its Authorization header (WECHATPAY2-SHA256-RSA2048, SHA256withRSA
 *    with the merchant's key); the answer's and the notification's text
 *    "timestamp\nnonce\nbody\n" verified with WeChat Pay's public key;
 *    AEAD_AES_256_GCM decryption of a notification's resource with the
 *    APIv3 key.
 *  - v2 (the payment-code API, micropay): the HMAC-SHA256 "sign" over the
 *    sorted parameters plus "&key=", and the flat <xml> documents it sends.
 *
 * Owns nothing global; every function is thread-safe. Strings returned are
 * malloc'd (caller frees); NULL means out of memory or invalid input. */
#ifndef HUB_PAY_WECHAT_SIGN_H
#define HUB_PAY_WECHAT_SIGN_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "pay_sign.h"

#define PAY_WX_APIV3_KEY_LEN 32
#define PAY_WX_NOTICE_WINDOW_S 300      /* timestamps further from now are refused */

/* "METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n" (BODY "" for a GET). */
char *pay_wx_request_text(const char *method, const char *url, const char *timestamp,
                          const char *nonce, const char *body);
/* The Authorization header's value for one request, signed with KEY. */
char *pay_wx_authorization(EVP_PKEY *key, const char *mchid, const char *serial, const char *method,
                           const char *url, const char *body, int64_t timestamp, const char *nonce);
/* Whether SIG_B64 is KEY's signature of "TIMESTAMP\nNONCE\nBODY\n". */
bool pay_wx_verify(EVP_PKEY *key, const char *timestamp, const char *nonce, const char *body,
                   size_t len, const char *sig_b64);
/* 32 random hex digits into OUT (33 bytes). 0, or -1. */
int pay_wx_nonce(char out[33]);

/* AEAD_AES_256_GCM: CIPHERTEXT_B64 (ciphertext then its 16-byte tag)
 * decrypted with the 32-byte KEY, NONCE (12 bytes as text) and
 * ASSOCIATED_DATA. The plaintext (NUL-terminated, *LEN bytes), or NULL if
 * it does not authenticate. */
char *pay_wx_decrypt(const unsigned char *key, const char *nonce, const char *associated_data,
                     const char *ciphertext_b64, size_t *len);

/* v2: the uppercase hex HMAC-SHA256 (keyed with KEY) of the parameters
 * sorted by name, empty values and "sign" left out, joined as k=v with
 * '&', then "&key=KEY". */
char *pay_wx_v2_sign(const pay_params_t *ps, const char *key);
/* v2: <xml><k><![CDATA[v]]></k>...</xml>; NULL if a value holds "]]>". */
char *pay_wx_xml_encode(const pay_params_t *ps);
/* v2: a flat <xml> document (elements of text or CDATA, no attributes,
 * no nesting) into PS. 0, or -1 if it is not one. */
int pay_wx_xml_parse(const char *text, size_t len, pay_params_t *ps);

#endif
