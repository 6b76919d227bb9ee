/* QR scanning: one API over the three sources a device URI names:
 *   v4l2:/dev/video0           a camera (frames -> ZBar)
 *   evdev:/dev/input/by-id/... a keyboard-wedge scanner (key events -> line)
 *   image:/path                a PNG/JPEG file or a folder of them (tests, demos)
 * Each result is decoded to UTF-8 (text_decode.h), a repeat of a payload
 * seen within the dedupe window is suppressed (dedupe.h: one delivery per
 * code held in front of the camera) and the payload is classified
 * (qr_classify.h).
 *
 * Usage, on a worker thread (every call blocks; never on the UI thread):
 *   scanner_t *s = scanner_open("v4l2:/dev/video0", err, sizeof err);
 *   while (!stop) switch (scanner_next(s, 200, &res)) { ... }
 *   scanner_close(s);
 * Open when the scan screen opens and close when it closes: the camera
 * streams (its light on) and a wedge scanner is grabbed only in between.
 * A short timeout in the loop lets the thread notice a stop request.
 * One scanner per thread; the calls on one scanner must not overlap. */
#ifndef DRV_SCANNER_H
#define DRV_SCANNER_H

#include <stddef.h>
#include "common/uri.h"
#include "scanner/qr_classify.h"
#include "scanner/text_decode.h"

#define SCANNER_PAYLOAD_MAX TEXT_OUT_MAX
#define SCANNER_DEDUPE_MS 3000
#define SCANNER_CAMERA_WIDTH 640
#define SCANNER_CAMERA_HEIGHT 480

typedef struct scanner scanner_t;

typedef enum {
    SCANNER_OK = 0,     /* a new payload in the result */
    SCANNER_TIMEOUT,    /* nothing new within the timeout */
    SCANNER_END,        /* every picture has been scanned (image: sources only) */
    SCANNER_DROPPED,    /* one read was lost (a wedge line over 1024
                           characters, lost key events, an unreadable
                           picture): result.error says why; go on calling */
    SCANNER_ERROR,      /* the device failed or was unplugged: result.error;
                           close the scanner (reopen later to retry) */
} scanner_status_t;

typedef struct {
    char payload[SCANNER_PAYLOAD_MAX];  /* UTF-8, NUL-terminated, no NULs inside */
    size_t len;                         /* strlen(payload) */
    text_info_t text;                   /* encoding it arrived in; truncated never set for QR */
    qr_info_t info;                     /* class and parsed fields */
    char source[300];                   /* the picture (image:) or the device path */
    char error[300];                    /* for SCANNER_DROPPED / SCANNER_ERROR */
} scanner_result_t;

/* Opens the source URI names (v4l2:, evdev: or image:; other schemes are
 * refused). Returns the scanner, or NULL with ERR ("unknown scheme ...",
 * "serial: is not a QR scanner source", "/dev/video0: No such file or
 * directory (no camera connected?)"). */
scanner_t *scanner_open(const char *uri, char *err, int errlen);
/* Waits at most TIMEOUT_MS (< 0: no limit) for the next new payload. A
 * zero timeout still looks at one frame (camera: one already captured) or
 * the key events already there. */
scanner_status_t scanner_next(scanner_t *s, int timeout_ms, scanner_result_t *res);
/* Stops the camera / releases the grab, frees; NULL is ignored. */
void scanner_close(scanner_t *s);

/* Repeat window, default SCANNER_DEDUPE_MS; <= 0 delivers every read.
 * Changing it forgets the payloads seen so far. */
void scanner_set_dedupe_ms(scanner_t *s, int ms);
/* The source's kind (URI_V4L2, URI_EVDEV or URI_IMAGE). */
uri_kind_t scanner_kind(const scanner_t *s);

/* Pure: fills RES from the LEN bytes of one read (decode, classify; no
 * dedupe), as scanner_next does. For tests and for payloads that arrive
 * some other way. */
void scanner_fill_result(const void *bytes, size_t len, scanner_result_t *res);

#endif
