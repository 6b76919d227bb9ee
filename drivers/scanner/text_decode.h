/* Scanned payload bytes -> UTF-8 text.
 *
 * A QR code's byte segments carry no reliable charset: phones and most
 * generators write UTF-8, Chinese paper bills are often printed from systems
 * that write GBK. ZBar is therefore run in binary mode (qr_decode.h) and the
 * bytes are decoded here, in this order:
 *   1. valid UTF-8 (strict: no overlong forms, no surrogates, <= U+10FFFF),
 *      after dropping a leading UTF-8 byte-order mark;
 *   2. else GB18030 (a superset of GBK and GB2312) through iconv, when the
 *      whole input is a valid GB18030 sequence;
 *   3. else Latin-1 (every byte is a character), so that nothing is refused.
 * Pure apart from iconv (no I/O, no global state); thread-safe. */
#ifndef DRV_TEXT_DECODE_H
#define DRV_TEXT_DECODE_H

#include <stddef.h>

/* Longest input accepted: a QR code holds at most 2953 bytes, a wedge
 * scanner line at most HID_LINE_MAX; this leaves room for both. */
#define TEXT_IN_MAX 8192
/* An output buffer this big never truncates an input of 3072 bytes or fewer,
 * so never a QR payload (<= 2953 bytes): the worst case is three output
 * bytes per input byte (a NUL becomes U+FFFD; Latin-1 and GBK need at most
 * two, GB18030 four-byte sequences stay four bytes for four). */
#define TEXT_OUT_MAX (3 * 3072 + 1)

typedef enum {
    TEXT_UTF8 = 0,      /* the bytes were UTF-8 (ASCII included) */
    TEXT_GBK,           /* decoded as GB18030/GBK */
    TEXT_LATIN1,        /* neither: one character per byte (ISO 8859-1) */
} text_encoding_t;

typedef struct {
    text_encoding_t encoding;
    int bom;            /* a UTF-8 byte-order mark was dropped */
    int truncated;      /* OUT was too small: cut at a character boundary */
    int replaced;       /* NUL bytes replaced by U+FFFD (a C string cannot hold them) */
} text_info_t;

/* Decodes LEN bytes at IN into OUT (OUTLEN bytes, >= 1). OUT always ends
 * up NUL-terminated, valid UTF-8 without embedded NULs, cut at a character
 * boundary when it does not fit. Returns the number of bytes written before
 * the NUL, or -1 when OUTLEN is 0 or LEN exceeds TEXT_IN_MAX (OUT is then ""
 * if it has room). INFO may be NULL. */
int text_decode(const void *in, size_t len, char *out, size_t outlen, text_info_t *info);

/* "utf-8", "gbk", "latin-1". */
const char *text_encoding_name(text_encoding_t e);

#endif
