#include "scanner/scanner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scanner/dedupe.h"
#include "scanner/evdev.h"
#include "scanner/image_source.h"
#include "scanner/qr_decode.h"
#include "scanner/v4l2.h"

struct scanner {
    uri_t uri;
    qr_dedupe_t dedupe;
    /* camera and image sources */
    qr_decoder_t *dec;
    qr_symbol_t syms[QR_DECODE_MAX_SYMBOLS];
    int nsyms, next_sym;            /* symbols of the last frame not yet delivered */
    char frame_name[300];
    v4l2_cam_t cam;
    uint8_t *frame;                 /* camera Y800 frame */
    size_t frame_cap;
    image_src_t img;
    uint8_t *img_frame;             /* the picture the pending symbols came from */
    /* wedge scanner */
    evdev_t ev;
    char line[HID_LINE_MAX + 1];
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void scanner_fill_result(const void *bytes, size_t len, scanner_result_t *res)
{
    int n = text_decode(bytes, len, res->payload, sizeof res->payload, &res->text);
    res->len = n > 0 ? (size_t)n : 0;
    qr_classify(res->payload, res->len, &res->info);
}

scanner_t *scanner_open(const char *uri, char *err, int errlen)
{
    uri_t u;
    if (uri_parse(uri, &u, err, errlen) != 0) return NULL;
    if (u.kind != URI_V4L2 && u.kind != URI_EVDEV && u.kind != URI_IMAGE) {
        snprintf(err, errlen, "%s: is not a QR scanner source (v4l2:, evdev: or image:)", uri_kind_name(u.kind));
        return NULL;
    }
    scanner_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->uri = u;
    s->cam.fd = -1;
    s->ev.fd = -1;
    qr_dedupe_init(&s->dedupe, SCANNER_DEDUPE_MS);
    if (u.kind == URI_EVDEV) {
        if (evdev_open(&s->ev, u.path, err, errlen) != 0) goto fail;
        return s;
    }
    s->dec = qr_decoder_create();
    if (!s->dec) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (u.kind == URI_IMAGE) {
        if (image_src_open(&s->img, u.path, err, errlen) != 0) goto fail;
        return s;
    }
    if (v4l2_cam_open(&s->cam, u.path, SCANNER_CAMERA_WIDTH, SCANNER_CAMERA_HEIGHT, err, errlen) != 0)
        goto fail;
    s->frame_cap = (size_t)s->cam.width * (size_t)s->cam.height;
    s->frame = malloc(s->frame_cap);
    if (!s->frame) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    return s;
fail:
    scanner_close(s);
    return NULL;
}

void scanner_close(scanner_t *s)
{
    if (!s) return;
    if (s->uri.kind == URI_EVDEV) evdev_close(&s->ev);
    if (s->uri.kind == URI_V4L2) v4l2_cam_close(&s->cam);
    if (s->uri.kind == URI_IMAGE) image_src_close(&s->img);
    qr_decoder_free(s->dec);
    free(s->frame);
    free(s->img_frame);
    free(s);
}

void scanner_set_dedupe_ms(scanner_t *s, int ms)
{
    qr_dedupe_init(&s->dedupe, ms);
}

uri_kind_t scanner_kind(const scanner_t *s)
{
    return s->uri.kind;
}

/* Delivers BYTES unless they repeat a recent read. 1 delivered, 0 repeat. */
static int deliver(scanner_t *s, const void *bytes, size_t len, const char *source, scanner_result_t *res)
{
    if (!qr_dedupe_check(&s->dedupe, bytes, len, now_ms())) return 0;
    scanner_fill_result(bytes, len, res);
    snprintf(res->source, sizeof res->source, "%s", source);
    return 1;
}

/* Milliseconds left before DEADLINE (-1: none), at least 0. */
static int left_ms(long long deadline)
{
    if (deadline < 0) return -1;
    long long l = deadline - now_ms();
    return l <= 0 ? 0 : l > 600000 ? 600000 : (int)l;
}

static scanner_status_t next_evdev(scanner_t *s, long long deadline, scanner_result_t *res)
{
    for (;;) {
        evdev_status_t st = evdev_read_line(&s->ev, left_ms(deadline), s->line, sizeof s->line,
                                            res->error, sizeof res->error);
        switch (st) {
        case EVDEV_LINE:
            if (deliver(s, s->line, strlen(s->line), s->uri.path, res)) return SCANNER_OK;
            if (deadline >= 0 && left_ms(deadline) == 0) return SCANNER_TIMEOUT;
            continue;
        case EVDEV_TIMEOUT: return SCANNER_TIMEOUT;
        case EVDEV_DROPPED: return SCANNER_DROPPED;
        case EVDEV_ERROR: return SCANNER_ERROR;
        }
    }
}

static scanner_status_t next_frames(scanner_t *s, long long deadline, scanner_result_t *res)
{
    /* At least one frame is looked at, even with a zero timeout. */
    for (int first = 1;; first = 0) {
        while (s->next_sym < s->nsyms) {
            const qr_symbol_t *sym = &s->syms[s->next_sym++];
            if (deliver(s, sym->data, sym->len, s->frame_name, res)) return SCANNER_OK;
        }
        s->nsyms = s->next_sym = 0;
        if (!first && deadline >= 0 && left_ms(deadline) == 0) return SCANNER_TIMEOUT;

        const uint8_t *frame;
        int w, h;
        if (s->uri.kind == URI_V4L2) {
            int r = v4l2_cam_frame(&s->cam, left_ms(deadline), s->frame, s->frame_cap,
                                   res->error, sizeof res->error);
            if (r < 0) return SCANNER_ERROR;
            if (r == 0) return SCANNER_TIMEOUT;
            frame = s->frame;
            w = s->cam.width;
            h = s->cam.height;
            snprintf(s->frame_name, sizeof s->frame_name, "%s", s->uri.path);
        } else {
            const char *name = "";
            free(s->img_frame);
            s->img_frame = NULL;
            int r = image_src_next(&s->img, &s->img_frame, &w, &h, &name, res->error, sizeof res->error);
            snprintf(s->frame_name, sizeof s->frame_name, "%s", name);
            if (r == 0) return SCANNER_END;
            if (r < 0) {
                snprintf(res->source, sizeof res->source, "%s", name);
                return SCANNER_DROPPED;
            }
            frame = s->img_frame;
        }
        int n = qr_decode_frame(s->dec, frame, w, h, s->syms, QR_DECODE_MAX_SYMBOLS);
        if (n < 0) {
            snprintf(res->error, sizeof res->error, "%.200s: cannot scan a %dx%d frame", s->frame_name, w, h);
            return SCANNER_DROPPED;
        }
        s->nsyms = n;
    }
}

scanner_status_t scanner_next(scanner_t *s, int timeout_ms, scanner_result_t *res)
{
    res->payload[0] = '\0';
    res->len = 0;
    res->source[0] = res->error[0] = '\0';
    memset(&res->text, 0, sizeof res->text);
    memset(&res->info, 0, sizeof res->info);
    long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    if (s->uri.kind == URI_EVDEV) return next_evdev(s, deadline, res);
    return next_frames(s, deadline, res);
}
