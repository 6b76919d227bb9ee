/* What a scanned payload is, for the scan screen to route it. Pure: no I/O,
 * no clock, no allocation; any bytes are accepted (the payload normally comes
 * from text_decode and is UTF-8, but nothing here relies on it).
 *
 * Classes, tried in this order; exact shapes, nothing else accepted:
 *
 *   PAPER_BILL     XFL-BILL:1:<utility>:<account>:<YYYY-MM>:<amount_fen>:<check>
 *                  as billqr.h reads it (docs/api.md). Anything starting
 *                  "XFL-BILL:" that fails (wrong check digits included) is
 *                  OTHER with billqr_parse's reason.
 *   PAYMENT_CODE   a resident's wallet payment code, digits only: WeChat 18
 *                  digits starting 10-15, Alipay 16-24 digits starting 25-30.
 *                  Digits-only payloads of 12 or more digits that fit
 *                  neither are OTHER with a reason. A payment code is money: show and
 *                  log it masked (first 4 and last 4 digits).
 *   RESIDENT_CODE  the community resident code the hub issues, as
 *                  rescode.h reads it:
 *                    XFL-RES:1:<code>:<resident>:<issued>:<expires>:<mac>
 *                  Shape only: the kiosk holds no key and does not compare
 *                  the expiry with its clock, the hub decides. A malformed
 *                  "XFL-RES:" payload is OTHER with rescode_parse's reason.
 *   BOOKING_CODE   a housekeeping check-in code: "XFL-BOOK:" followed by
 *                  six digits 100000-999999 (bookings' codes now), or by
 *                  the old 8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ
 *                  (either case, as the hub accepts); or the bare old code
 *                  (upper case only, so that ordinary words are not taken
 *                  for codes; six bare digits never). The code is returned
 *                  in upper case.
 *   URL            http:// or https:// (scheme in any case) with a host, no
 *                  spaces or control characters; at most 2048 bytes.
 *   OTHER          everything else.
 *
 * One trailing line break (LF or CR LF, which some scanners and generators
 * append) is ignored before matching; nothing else is trimmed. */
#ifndef DRV_QR_CLASSIFY_H
#define DRV_QR_CLASSIFY_H

#include <stddef.h>

#include "billqr.h"
#include "rescode.h"

typedef enum {
    QR_CLASS_OTHER = 0,
    QR_CLASS_PAPER_BILL,
    QR_CLASS_PAYMENT_CODE,
    QR_CLASS_RESIDENT_CODE,
    QR_CLASS_BOOKING_CODE,
    QR_CLASS_URL,
} qr_class_t;

typedef enum { QR_WALLET_NONE = 0, QR_WALLET_WECHAT, QR_WALLET_ALIPAY } qr_wallet_t;

#define QR_RESIDENT_MAX RESCODE_MAX
#define QR_URL_MAX 2048
#define QR_BOOKING_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

/* Every string member is NUL-terminated; members of other classes are zero. */
typedef struct {
    qr_class_t cls;
    /* OTHER for a near miss (an XFL- payload or a long number that fails
     * its rules): why, in English, for logs and kioskctl; else "". */
    char reason[96];
    /* OTHER for a near miss: the class the payload set out to be (its
     * "XFL-BILL:" / "XFL-RES:" / "XFL-BOOK:" prefix or its long run of
     * digits matched, the rest did not), for callers that answer a broken
     * bill code differently from a foreign one; else QR_CLASS_OTHER. */
    qr_class_t near_miss;
    billqr_t bill;                  /* check verified */
    struct {
        qr_wallet_t wallet;
        char code[25];              /* 16-24 digits: money, mask before showing */
    } pay;
    rescode_t resident;             /* shape checked; the MAC is the hub's to verify */
    struct {
        char code[9];               /* 6 digits, or the old 8 in upper case */
    } booking;
    struct {
        char scheme[6];             /* "http" or "https", lower case */
        char host[256];             /* as written, port excluded; cut at 255 bytes */
    } url;
} qr_info_t;

/* Classifies the LEN bytes at PAYLOAD (need not be NUL-terminated; a NUL
 * byte anywhere makes it OTHER). Fills OUT completely and returns OUT->cls. */
qr_class_t qr_classify(const char *payload, size_t len, qr_info_t *out);

/* "paper_bill", "payment_code", "resident_code", "booking_code", "url", "other". */
const char *qr_class_name(qr_class_t c);
/* "wechat", "alipay", "" (none). */
const char *qr_wallet_name(qr_wallet_t w);


#endif
