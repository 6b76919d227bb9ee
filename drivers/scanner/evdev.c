#include "scanner/evdev.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int test_bit(const unsigned long *bits, unsigned n)
{
    const unsigned w = 8 * sizeof(unsigned long);
    return (bits[n / w] >> (n % w)) & 1UL;
}

/* Shift keys held right now (after lost events, the only way to know). */
static void resync_shift(evdev_t *e)
{
    unsigned long keys[KEY_MAX / (8 * sizeof(unsigned long)) + 1];
    memset(keys, 0, sizeof keys);
    if (ioctl(e->fd, EVIOCGKEY(sizeof keys), keys) < 0) return;
    e->keys.shift_left = test_bit(keys, KEY_LEFTSHIFT);
    e->keys.shift_right = test_bit(keys, KEY_RIGHTSHIFT);
}

int evdev_open(evdev_t *e, const char *path, char *err, int errlen)
{
    memset(e, 0, sizeof *e);
    e->fd = -1;
    hid_keys_init(&e->keys);
    snprintf(e->path, sizeof e->path, "%s", path);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    unsigned long evbits[EV_MAX / (8 * sizeof(unsigned long)) + 1];
    unsigned long keybits[KEY_MAX / (8 * sizeof(unsigned long)) + 1];
    memset(evbits, 0, sizeof evbits);
    memset(keybits, 0, sizeof keybits);
    if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) ||
        ioctl(fd, EVIOCGBIT(0, sizeof evbits), evbits) < 0) {
        snprintf(err, errlen, "%s: not an input event device", path);
        close(fd);
        return -1;
    }
    if (!test_bit(evbits, EV_KEY) || ioctl(fd, EVIOCGBIT(EV_KEY, sizeof keybits), keybits) < 0 ||
        !(test_bit(keybits, KEY_ENTER) || test_bit(keybits, KEY_KPENTER))) {
        snprintf(err, errlen, "%s has no Enter key: not a keyboard-wedge scanner", path);
        close(fd);
        return -1;
    }
    if (ioctl(fd, EVIOCGRAB, (void *)1) != 0) {
        if (errno == EBUSY)
            snprintf(err, errlen, "%s is grabbed by another process", path);
        else
            snprintf(err, errlen, "%s: cannot grab: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    e->fd = fd;
    e->grabbed = 1;
    resync_shift(e);
    return 0;
}

void evdev_adopt(evdev_t *e, int fd, const char *name)
{
    memset(e, 0, sizeof *e);
    hid_keys_init(&e->keys);
    snprintf(e->path, sizeof e->path, "%s", name);
    e->fd = fd;
}

void evdev_close(evdev_t *e)
{
    if (e->fd >= 0) {
        if (e->grabbed) ioctl(e->fd, EVIOCGRAB, (void *)0);
        close(e->fd);
    }
    e->fd = -1;
    e->grabbed = 0;
}

/* Handles one event. Returns an evdev_status_t other than TIMEOUT when it
 * ends the read, else EVDEV_TIMEOUT (meaning: keep reading). */
static evdev_status_t handle(evdev_t *e, const struct input_event *ev, char *out, size_t outlen,
                             char *err, int errlen)
{
    if (ev->type == EV_SYN) {
        if (ev->code == SYN_DROPPED) {
            /* The kernel's buffer overflowed: events of the current line are
             * missing. Drop it, skip to the next SYN_REPORT, re-read Shift. */
            e->syncing = 1;
            hid_keys_reset(&e->keys);
            resync_shift(e);
            snprintf(err, errlen, "%s: input events were lost; the scan was dropped", e->path);
            return EVDEV_DROPPED;
        }
        if (ev->code == SYN_REPORT) e->syncing = 0;
        return EVDEV_TIMEOUT;
    }
    if (e->syncing || ev->type != EV_KEY) return EVDEV_TIMEOUT;
    switch (hid_keys_feed(&e->keys, ev->code, ev->value)) {
    case HID_LINE: {
        size_t n;
        const char *line = hid_keys_line(&e->keys, &n);
        if (outlen == 0) return EVDEV_TIMEOUT;
        if (n > outlen - 1) n = outlen - 1;
        memcpy(out, line, n);
        out[n] = '\0';
        return EVDEV_LINE;
    }
    case HID_TOO_LONG:
        snprintf(err, errlen, "%s: a scan longer than %d characters was dropped", e->path, HID_LINE_MAX);
        return EVDEV_DROPPED;
    case HID_MORE:
        break;
    }
    return EVDEV_TIMEOUT;
}

evdev_status_t evdev_read_line(evdev_t *e, int timeout_ms, char *out, size_t outlen,
                               char *err, int errlen)
{
    if (e->fd < 0) {
        snprintf(err, errlen, "%s: not open", e->path);
        return EVDEV_ERROR;
    }
    long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    for (;;) {
        /* Events read but not yet handled (a line ended mid-batch) come
         * first, so no key of the next scan is lost. */
        while (e->pos < e->count) {
            evdev_status_t st = handle(e, &e->buf[e->pos++], out, outlen, err, errlen);
            if (st != EVDEV_TIMEOUT) return st;
        }
        e->pos = e->count = 0;
        ssize_t n = read(e->fd, e->buf, sizeof e->buf);   /* whole events only */
        if (n > 0) {
            e->count = (size_t)n / sizeof *e->buf;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            snprintf(err, errlen, "%s: %s", e->path,
                     errno == ENODEV ? "the scanner was unplugged" : strerror(errno));
            return EVDEV_ERROR;
        }
        if (n == 0) {
            snprintf(err, errlen, "%s: end of input", e->path);
            return EVDEV_ERROR;
        }
        int wait = -1;
        if (deadline >= 0) {
            long long left = deadline - now_ms();
            if (left <= 0) return EVDEV_TIMEOUT;
            wait = left > 1000000 ? 1000000 : (int)left;
        }
        struct pollfd p = {.fd = e->fd, .events = POLLIN};
        int r = poll(&p, 1, wait);
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "%s: %s", e->path, strerror(errno));
            return EVDEV_ERROR;
        }
        if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLIN)) {
            snprintf(err, errlen, "%s: the scanner was unplugged", e->path);
            return EVDEV_ERROR;
        }
    }
}
