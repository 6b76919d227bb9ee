/* Byte streams to devices: serial (termios, raw 8N1), TCP, a USB printer
 * class device (/dev/usb/lpN) and plain files. Blocking calls with
 * timeouts, for worker threads and kioskctl: never call them on the UI
 * thread. */
#ifndef DRV_TRANSPORT_H
#define DRV_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>
#include "uri.h"

typedef struct {
    int fd;                 /* -1 when closed */
    uri_kind_t kind;
    char name[URI_PATH_MAX + 16];   /* for messages */
} transport_t;

/* Opens U (serial, tcp, usb or file; others are refused). TIMEOUT_MS bounds
 * a TCP connect. Returns 0, or -1 with ERR ("/dev/ttyUSB0: No such file or
 * directory"). A file: URI opens for appending (created if absent). */
int transport_open(transport_t *t, const uri_t *u, int timeout_ms, char *err, int errlen);
void transport_close(transport_t *t);

/* Writes all LEN bytes within TIMEOUT_MS. 0, or -1 (errno set; ETIMEDOUT). */
int transport_write(transport_t *t, const void *buf, size_t len, int timeout_ms);
/* Reads what is available, waiting at most TIMEOUT_MS for the first byte.
 * Returns bytes read (> 0), 0 on timeout, -1 on error or end of stream. */
ssize_t transport_read(transport_t *t, void *buf, size_t len, int timeout_ms);
/* Discards unread input (serial and sockets). */
void transport_drain(transport_t *t);

#endif
