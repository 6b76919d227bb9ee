/* QR codes in a Y800 frame, with ZBar. Only QR is enabled (fewer false
 * reads, less time per frame) and ZBar runs in binary mode
 * (ZBAR_CFG_BINARY): it hands back the code's bytes as they are, and
 * text_decode turns them into text. ZBar's own text guessing never tries
 * GBK, which Chinese paper bills use.
 *
 * Create one decoder per scanning thread and reuse it for every frame (the
 * ZBar scanner keeps its tables between frames). Not thread-safe. */
#ifndef DRV_QR_DECODE_H
#define DRV_QR_DECODE_H

#include <stddef.h>
#include <stdint.h>

#define QR_DECODE_MAX_SYMBOLS 8
/* A QR code holds at most 2953 bytes; ZBar joins structured-append parts. */
#define QR_DECODE_MAX_BYTES 8192

typedef struct qr_decoder qr_decoder_t;

typedef struct {
    const uint8_t *data;        /* the symbol's bytes, not NUL-terminated */
    size_t len;
} qr_symbol_t;

/* NULL when out of memory. */
qr_decoder_t *qr_decoder_create(void);
void qr_decoder_free(qr_decoder_t *d);

/* Scans a W x H Y800 frame (rows packed, W bytes each). Fills up to MAX
 * symbols into SYMS, in ZBar's order; their bytes stay valid until the next
 * call or qr_decoder_free. Symbols longer than QR_DECODE_MAX_BYTES are
 * skipped. Returns the number of symbols (0: no code), or -1 for a bad
 * frame size or out of memory. */
int qr_decode_frame(qr_decoder_t *d, const uint8_t *y800, int w, int h, qr_symbol_t *syms, int max);

#endif
