/* A keyboard-wedge scanner's evdev node (evdev:/dev/input/by-id/...-event-kbd).
 *
 * The node is opened read-only, non-blocking, and grabbed (EVIOCGRAB): while
 * we hold it, its key events reach no one else, so a scan never types into
 * the UI. Only this node is read, so typing on any other keyboard is never
 * taken for a scan. A grab that fails (another process holds it) is an
 * error, not a warning: without it every scan would also be typed into
 * whatever has focus. Blocking calls with timeouts, for a worker thread. */
#ifndef DRV_EVDEV_H
#define DRV_EVDEV_H

#include <linux/input.h>
#include <stddef.h>
#include "scanner/hid_keys.h"

typedef struct {
    int fd;                 /* -1 when closed */
    int grabbed;            /* EVIOCGRAB held: release it on close */
    int syncing;            /* after SYN_DROPPED: skipping to the next SYN_REPORT */
    hid_keys_t keys;
    struct input_event buf[64];     /* read but not yet handled: [pos, count) */
    size_t pos, count;
    char path[256];
} evdev_t;

typedef enum {
    EVDEV_LINE = 1,         /* a line in OUT */
    EVDEV_TIMEOUT = 0,
    EVDEV_DROPPED = -1,     /* a line was lost (too long, or the kernel dropped
                               events): reported in ERR; the device stays usable */
    EVDEV_ERROR = -2,       /* the device failed or was unplugged: close it */
} evdev_status_t;

/* Opens and grabs PATH. Returns 0, or -1 with ERR ("/dev/input/event9: No
 * such file or directory", "... is grabbed by another process", "... has no
 * Enter key: not a keyboard"). */
int evdev_open(evdev_t *e, const char *path, char *err, int errlen);
/* Waits at most TIMEOUT_MS (< 0: forever) for a complete line and copies it
 * (NUL-terminated) into OUT (OUTLEN >= HID_LINE_MAX + 1 never cuts it). */
evdev_status_t evdev_read_line(evdev_t *e, int timeout_ms, char *out, size_t outlen,
                               char *err, int errlen);
/* Takes FD, an open non-blocking descriptor that yields struct input_event
 * records, without checks and without a grab, and closes it on
 * evdev_close. For tests that feed events through a pipe; a real scanner
 * goes through evdev_open so that it is grabbed. NAME is for messages. */
void evdev_adopt(evdev_t *e, int fd, const char *name);
/* Releases the grab and closes; safe on a closed or zeroed-then-failed evdev_t. */
void evdev_close(evdev_t *e);

#endif
