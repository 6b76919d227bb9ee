/* Device URIs from kiosk.ini [devices]:
 *   serial:/dev/ttyUSB0?baud=115200     tcp://host:9100      file:/path
 *   usb:/dev/usb/lp0     evdev:/dev/input/by-id/...     v4l2:/dev/video0
 *   image:/path/to/frames/ (a PNG/JPEG file or a folder of them)
 * Pure parsing, no I/O. */
#ifndef DRV_URI_H
#define DRV_URI_H

#define URI_PATH_MAX 256

typedef enum { URI_SERIAL, URI_TCP, URI_FILE, URI_USB, URI_EVDEV, URI_V4L2, URI_IMAGE } uri_kind_t;

typedef struct {
    uri_kind_t kind;
    char path[URI_PATH_MAX];   /* device or file path; host for tcp */
    int port;                  /* tcp */
    int baud;                  /* serial: 9600..115200 (default 115200) */
    int timeout_ms;            /* ?timeout=MS, default 0 = the driver's own */
} uri_t;

/* Parses S. Returns 0, or -1 with a reason in ERR ("unknown scheme ...",
 * "baud must be one of ...", "port must be 1-65535"). */
int uri_parse(const char *s, uri_t *out, char *err, int errlen);
const char *uri_kind_name(uri_kind_t k);

#endif
