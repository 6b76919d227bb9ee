#include "ui/qr.h"

#include <qrencode.h>
#include <string.h>
#include "core/log.h"

#define QUIET 4

SDL_Surface *ui_qr_surface(const char *payload)
{
    if (!payload || !*payload) return NULL;
    QRcode *q = QRcode_encodeData((int)strlen(payload), (const unsigned char *)payload,
                                  0, QR_ECLEVEL_M);
    if (!q) {
        log_warn("qr", "cannot encode %zu bytes as a QR code", strlen(payload));
        return NULL;
    }
    int size = q->width + 2 * QUIET;
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, size, size, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) { QRcode_free(q); return NULL; }
    Uint32 white = SDL_MapRGB(s->format, 255, 255, 255), black = SDL_MapRGB(s->format, 0, 0, 0);
    for (int y = 0; y < size; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + y * s->pitch);
        for (int x = 0; x < size; x++) {
            int mx = x - QUIET, my = y - QUIET;
            int dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
                       (q->data[my * q->width + mx] & 1);
            row[x] = dark ? black : white;
        }
    }
    QRcode_free(q);
    return s;
}
