/* V4L2 camera capture for QR scanning (v4l2:/dev/video0).
 *
 * Our own capture rather than zbarcam or libv4l: memory-mapped streaming
 * (4 buffers), YUYV preferred, 8-bit GREY accepted; MJPEG-only cameras are
 * refused with a clear error (decoding JPEG per frame costs more than the QR
 * scan itself). A modest size (640x480 asked; the driver may pick another)
 * keeps ZBar at 10-20 ms a frame. Frames are handed out as Y800 (8-bit luma,
 * one byte a pixel, rows packed), the format ZBar scans.
 *
 * Only the newest frame counts: a read takes every frame the driver has
 * filled and requeues all but the last, so a slow scan drops frames instead
 * of falling behind. Open the camera when the scan screen opens and close
 * it when it closes (the camera's light is on while it streams). Blocking
 * calls with timeouts, for a worker thread. */
#ifndef DRV_V4L2_H
#define DRV_V4L2_H

#include <stddef.h>
#include <stdint.h>

#define V4L2_CAM_BUFFERS 4
#define V4L2_CAM_MAX_DIM 4096

typedef struct {
    int fd;                         /* -1 when closed */
    uint32_t pixfmt;                /* V4L2_PIX_FMT_YUYV or V4L2_PIX_FMT_GREY */
    int width, height;              /* as the driver set them */
    uint32_t bytesperline;
    int nbuf, streaming;
    struct {
        void *start;
        size_t length;
    } buf[V4L2_CAM_BUFFERS];
    char path[256];
} v4l2_cam_t;

/* Opens PATH, negotiates YUYV (else GREY) near WIDTH x HEIGHT, maps the
 * buffers and starts streaming. Returns 0, or -1 with ERR naming the device
 * and the cause ("/dev/video99: No such file or directory", "... offers
 * only MJPG: MJPEG is not supported, need YUYV or GREY"). Fails at once
 * (the device is opened non-blocking) when there is no camera. */
int v4l2_cam_open(v4l2_cam_t *c, const char *path, int width, int height, char *err, int errlen);
/* Waits at most TIMEOUT_MS (0: only a frame already there; < 0: no limit)
 * for a frame and writes its Y800 image to Y
 * (CAP >= width * height bytes). Returns 1, 0 on timeout, -1 on error (ERR;
 * the camera is gone or failed: close it). */
int v4l2_cam_frame(v4l2_cam_t *c, int timeout_ms, uint8_t *y, size_t cap, char *err, int errlen);
/* Stops streaming, unmaps and closes; safe on a closed or failed camera. */
void v4l2_cam_close(v4l2_cam_t *c);

/* Pure: one frame of PIXFMT (V4L2_PIX_FMT_YUYV or _GREY), WIDTH x HEIGHT,
 * rows BYTESPERLINE apart (0: packed), SRCLEN bytes at SRC -> Y800 at DST
 * (DSTCAP >= WIDTH * HEIGHT). YUYV is Y0 U Y1 V: the luma is every other
 * byte. Returns 0, or -1 for an unknown format, a bad size or a source too
 * short for the frame (a partly filled buffer is not scanned). */
int v4l2_to_y800(uint32_t pixfmt, const uint8_t *src, size_t srclen, int width, int height,
                 uint32_t bytesperline, uint8_t *dst, size_t dstcap);

#endif
