#include "scanner/qr_decode.h"

#include <stdlib.h>
#include <string.h>
#include <zbar.h>

struct qr_decoder {
    zbar_image_scanner_t *zs;
    /* Copies of the last frame's symbols (ZBar's own go with its image). */
    uint8_t *data[QR_DECODE_MAX_SYMBOLS];
};

qr_decoder_t *qr_decoder_create(void)
{
    qr_decoder_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->zs = zbar_image_scanner_create();
    if (!d->zs) {
        free(d);
        return NULL;
    }
    zbar_image_scanner_set_config(d->zs, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(d->zs, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    zbar_image_scanner_set_config(d->zs, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
    return d;
}

static void drop_symbols(qr_decoder_t *d)
{
    for (int i = 0; i < QR_DECODE_MAX_SYMBOLS; i++) {
        free(d->data[i]);
        d->data[i] = NULL;
    }
}

void qr_decoder_free(qr_decoder_t *d)
{
    if (!d) return;
    drop_symbols(d);
    zbar_image_scanner_destroy(d->zs);
    free(d);
}

int qr_decode_frame(qr_decoder_t *d, const uint8_t *y800, int w, int h, qr_symbol_t *syms, int max)
{
    drop_symbols(d);
    if (w <= 0 || h <= 0 || w > 16384 || h > 16384 || !y800) return -1;
    if (max > QR_DECODE_MAX_SYMBOLS) max = QR_DECODE_MAX_SYMBOLS;
    zbar_image_t *img = zbar_image_create();
    if (!img) return -1;
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, (unsigned)w, (unsigned)h);
    /* ZBar only reads the frame; no cleanup handler: the caller owns it. */
    zbar_image_set_data(img, y800, (unsigned long)w * (unsigned long)h, NULL);
    int n = 0, status = 0;
    if (zbar_scan_image(d->zs, img) > 0) {
        for (const zbar_symbol_t *s = zbar_image_first_symbol(img); s && n < max; s = zbar_symbol_next(s)) {
            if (zbar_symbol_get_type(s) != ZBAR_QRCODE) continue;
            unsigned len = zbar_symbol_get_data_length(s);
            if (len == 0 || len > QR_DECODE_MAX_BYTES) continue;
            uint8_t *copy = malloc(len);
            if (!copy) {
                status = -1;
                break;
            }
            memcpy(copy, zbar_symbol_get_data(s), len);
            d->data[n] = copy;
            syms[n].data = copy;
            syms[n].len = len;
            n++;
        }
    }
    zbar_image_destroy(img);
    return status < 0 ? -1 : n;
}
