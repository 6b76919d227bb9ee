/* The QR view: what libqrencode draws must scan back (with ZBar) to exactly
 * the payload, Chinese included, at the size the screen shows it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>
#include "support/harness.h"
#include "ui/qr.h"

/* Decodes the first QR symbol in a greyscale copy of S scaled by K. */
static char *decode(SDL_Surface *s, int k)
{
    int w = s->w * k, h = s->h * k;
    unsigned char *grey = malloc((size_t)w * h);
    assert_non_null(grey);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            Uint32 p = ((Uint32 *)((Uint8 *)s->pixels + (y / k) * s->pitch))[x / k];
            grey[y * w + x] = (unsigned char)(p & 0xFF);
        }
    zbar_image_scanner_t *sc = zbar_image_scanner_create();
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
#ifdef ZBAR_CFG_BINARY
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
#endif
    zbar_image_t *img = zbar_image_create();
    zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(img, w, h);
    zbar_image_set_data(img, grey, (unsigned long)w * h, zbar_image_free_data);
    char *out = NULL;
    if (zbar_scan_image(sc, img) > 0) {
        const zbar_symbol_t *sym = zbar_image_first_symbol(img);
        out = strndup(zbar_symbol_get_data(sym), zbar_symbol_get_data_length(sym));
    }
    zbar_image_destroy(img);
    zbar_image_scanner_destroy(sc);
    return out;
}

static void roundtrip(const char *payload)
{
    SDL_Surface *s = ui_qr_surface(payload);
    assert_non_null(s);
    char *got = decode(s, 4);
    assert_non_null(got);
    assert_string_equal(got, payload);
    free(got);
    SDL_FreeSurface(s);
}

static void qr_payloads_scan_back(void **state)
{
    roundtrip("https://hub.example/v1/pay/KIOSK-20261129-000042");
    roundtrip("weixin://wxpay/bizpayurl?pr=AbCdEfG");
    roundtrip("幸福里社区 供暖服务热线 6123 4567");
    char big[1200];
    for (int i = 0; i < (int)sizeof big - 1; i++) big[i] = (char)('A' + i % 26);
    big[sizeof big - 1] = '\0';
    roundtrip(big);
}

static void qr_refuses_what_cannot_be_encoded(void **state)
{
    assert_null(ui_qr_surface(""));
    assert_null(ui_qr_surface(NULL));
    size_t n = 8000;
    char *huge = malloc(n + 1);
    memset(huge, 'x', n);
    huge[n] = '\0';
    assert_null(ui_qr_surface(huge));
    free(huge);
}

/* Drawn by the renderer at widget size: whole pixels per module, scannable. */
static void qr_widget_on_screen_scans(void **state)
{
    app_t *app = harness_app(1280, 800, NULL, NULL, NULL);
    ui_frame_t *f = app->frame;
    theme_t th;
    theme_make(&th, THEME_STANDARD, 1280, 800);
    ui_frame_begin(f, 1280, 800, &th, app->text);
    ui_qr(f, "qr", (SDL_Rect){100, 100, 333, 333}, "https://hub.example/n/42");
    ui_render_frame(app->render, f);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1280, 800, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_int_equal(SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch), 0);
    char *got = decode(s, 1);
    assert_non_null(got);
    assert_string_equal(got, "https://hub.example/n/42");
    free(got);
    SDL_FreeSurface(s);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(qr_payloads_scan_back),
        cmocka_unit_test(qr_refuses_what_cannot_be_encoded),
        cmocka_unit_test(qr_widget_on_screen_scans),
    };
    return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
