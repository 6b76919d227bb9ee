#include "scanner/v4l2.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
    int r;
    do r = ioctl(fd, req, arg);
    while (r < 0 && errno == EINTR);
    return r;
}

int v4l2_to_y800(uint32_t pixfmt, const uint8_t *src, size_t srclen, int width, int height,
                 uint32_t bytesperline, uint8_t *dst, size_t dstcap)
{
    if (width <= 0 || height <= 0 || width > V4L2_CAM_MAX_DIM || height > V4L2_CAM_MAX_DIM) return -1;
    size_t bpp = pixfmt == V4L2_PIX_FMT_YUYV ? 2 : pixfmt == V4L2_PIX_FMT_GREY ? 1 : 0;
    if (!bpp) return -1;
    size_t row = (size_t)width * bpp;
    size_t stride = bytesperline ? bytesperline : row;
    if (stride < row || (size_t)width * (size_t)height > dstcap) return -1;
    /* The last row needs only its own pixels, not the padding after them. */
    if (srclen < stride * (size_t)(height - 1) + row) return -1;
    for (int yy = 0; yy < height; yy++) {
        const uint8_t *s = src + stride * (size_t)yy;
        uint8_t *d = dst + (size_t)width * (size_t)yy;
        if (bpp == 1) {
            memcpy(d, s, (size_t)width);
        } else {
            for (int x = 0; x < width; x++) d[x] = s[2 * (size_t)x];
        }
    }
    return 0;
}

static void fourcc_str(uint32_t f, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char ch = (char)((f >> (8 * i)) & 0xFF);
        out[i] = ch >= 0x20 && ch < 0x7F ? ch : '?';
    }
    out[4] = '\0';
}

/* YUYV if offered, else GREY; else 0 with the offered formats in LIST. */
static uint32_t pick_format(int fd, char *list, size_t listlen)
{
    int yuyv = 0, grey = 0;
    size_t used = 0;
    list[0] = '\0';
    for (unsigned i = 0; i < 64; i++) {
        struct v4l2_fmtdesc d;
        memset(&d, 0, sizeof d);
        d.index = i;
        d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        if (xioctl(fd, VIDIOC_ENUM_FMT, &d) < 0) break;
        yuyv |= d.pixelformat == V4L2_PIX_FMT_YUYV;
        grey |= d.pixelformat == V4L2_PIX_FMT_GREY;
        char fc[5];
        fourcc_str(d.pixelformat, fc);
        if (used + 6 < listlen) used += (size_t)snprintf(list + used, listlen - used, "%s%s", used ? " " : "", fc);
    }
    return yuyv ? V4L2_PIX_FMT_YUYV : grey ? V4L2_PIX_FMT_GREY : 0;
}

static int fail(v4l2_cam_t *c, char *err, int errlen, const char *fmt, const char *detail)
{
    snprintf(err, errlen, fmt, c->path, detail);
    v4l2_cam_close(c);
    return -1;
}

int v4l2_cam_open(v4l2_cam_t *c, const char *path, int width, int height, char *err, int errlen)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    snprintf(c->path, sizeof c->path, "%s", path);
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
                 errno == ENOENT ? " (no camera connected?)" : "");
        return -1;
    }
    c->fd = fd;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode))
        return fail(c, err, errlen, "%s: not a video device%s", "");

    struct v4l2_capability cap;
    memset(&cap, 0, sizeof cap);
    if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0)
        return fail(c, err, errlen, "%s: not a V4L2 device (%s)", strerror(errno));
    uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE))
        return fail(c, err, errlen, "%s: not a video capture node%s",
                    " (cameras often have a second metadata node: try the other /dev/videoN)");
    if (!(caps & V4L2_CAP_STREAMING))
        return fail(c, err, errlen, "%s: does not support streaming I/O%s", "");

    char offered[128];
    uint32_t pixfmt = pick_format(fd, offered, sizeof offered);
    if (!pixfmt) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s", offered[0] ? offered : "no format");
        return fail(c, err, errlen, "%s: offers only %s: MJPEG and other compressed formats are "
                                    "not supported, need YUYV or GREY", msg);
    }

    struct v4l2_format f;
    memset(&f, 0, sizeof f);
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    f.fmt.pix.width = (uint32_t)width;
    f.fmt.pix.height = (uint32_t)height;
    f.fmt.pix.pixelformat = pixfmt;
    f.fmt.pix.field = V4L2_FIELD_NONE;
    if (xioctl(fd, VIDIOC_S_FMT, &f) < 0)
        return fail(c, err, errlen, "%s: cannot set the capture format (%s)", strerror(errno));
    if (f.fmt.pix.pixelformat != pixfmt)
        return fail(c, err, errlen, "%s: the driver refused YUYV/GREY%s", "");
    uint32_t bpp = pixfmt == V4L2_PIX_FMT_YUYV ? 2 : 1;
    if (f.fmt.pix.width == 0 || f.fmt.pix.height == 0 || f.fmt.pix.width > V4L2_CAM_MAX_DIM ||
        f.fmt.pix.height > V4L2_CAM_MAX_DIM ||
        (f.fmt.pix.bytesperline && f.fmt.pix.bytesperline < f.fmt.pix.width * bpp))
        return fail(c, err, errlen, "%s: the driver chose an unusable frame size%s", "");
    c->pixfmt = pixfmt;
    c->width = (int)f.fmt.pix.width;
    c->height = (int)f.fmt.pix.height;
    c->bytesperline = f.fmt.pix.bytesperline ? f.fmt.pix.bytesperline : f.fmt.pix.width * bpp;

    struct v4l2_requestbuffers rb;
    memset(&rb, 0, sizeof rb);
    rb.count = V4L2_CAM_BUFFERS;
    rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    rb.memory = V4L2_MEMORY_MMAP;
    if (xioctl(fd, VIDIOC_REQBUFS, &rb) < 0)
        return fail(c, err, errlen, "%s: cannot get capture buffers (%s)", strerror(errno));
    if (rb.count < 2)
        return fail(c, err, errlen, "%s: the driver gave fewer than 2 capture buffers%s", "");
    c->nbuf = rb.count > V4L2_CAM_BUFFERS ? V4L2_CAM_BUFFERS : (int)rb.count;
    for (int i = 0; i < c->nbuf; i++) {
        struct v4l2_buffer b;
        memset(&b, 0, sizeof b);
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        b.index = (uint32_t)i;
        if (xioctl(fd, VIDIOC_QUERYBUF, &b) < 0)
            return fail(c, err, errlen, "%s: cannot query a capture buffer (%s)", strerror(errno));
        void *p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
        if (p == MAP_FAILED)
            return fail(c, err, errlen, "%s: cannot map a capture buffer (%s)", strerror(errno));
        c->buf[i].start = p;
        c->buf[i].length = b.length;
        if (xioctl(fd, VIDIOC_QBUF, &b) < 0)
            return fail(c, err, errlen, "%s: cannot queue a capture buffer (%s)", strerror(errno));
    }
    enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(fd, VIDIOC_STREAMON, &type) < 0)
        return fail(c, err, errlen, "%s: cannot start streaming (%s)", strerror(errno));
    c->streaming = 1;
    return 0;
}

void v4l2_cam_close(v4l2_cam_t *c)
{
    if (c->fd >= 0 && c->streaming) {
        enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        xioctl(c->fd, VIDIOC_STREAMOFF, &type);
    }
    c->streaming = 0;
    for (int i = 0; i < V4L2_CAM_BUFFERS; i++) {
        if (c->buf[i].start) munmap(c->buf[i].start, c->buf[i].length);
        c->buf[i].start = NULL;
    }
    if (c->fd >= 0 && c->nbuf > 0) {
        /* Give the buffers back so the next open can allocate again. */
        struct v4l2_requestbuffers rb;
        memset(&rb, 0, sizeof rb);
        rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        rb.memory = V4L2_MEMORY_MMAP;
        xioctl(c->fd, VIDIOC_REQBUFS, &rb);
    }
    c->nbuf = 0;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

static int requeue(v4l2_cam_t *c, struct v4l2_buffer *b)
{
    return xioctl(c->fd, VIDIOC_QBUF, b);
}

int v4l2_cam_frame(v4l2_cam_t *c, int timeout_ms, uint8_t *y, size_t cap, char *err, int errlen)
{
    if (c->fd < 0 || !c->streaming) {
        snprintf(err, errlen, "%s: camera not open", c->path);
        return -1;
    }
    if (cap < (size_t)c->width * (size_t)c->height) {
        snprintf(err, errlen, "%s: frame buffer smaller than %dx%d", c->path, c->width, c->height);
        return -1;
    }
    long long deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
    for (;;) {
        /* Take every filled buffer, keep the newest, give the rest back. */
        struct v4l2_buffer latest;
        int have = 0;
        for (;;) {
            struct v4l2_buffer b;
            memset(&b, 0, sizeof b);
            b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            b.memory = V4L2_MEMORY_MMAP;
            if (xioctl(c->fd, VIDIOC_DQBUF, &b) < 0) {
                if (errno == EAGAIN) break;
                snprintf(err, errlen, "%s: %s", c->path,
                         errno == ENODEV ? "the camera was unplugged" : strerror(errno));
                if (have) requeue(c, &latest);
                return -1;
            }
            if (b.index >= (uint32_t)c->nbuf) {
                snprintf(err, errlen, "%s: the driver returned an unknown buffer", c->path);
                return -1;
            }
            if (have && requeue(c, &latest) < 0) {
                snprintf(err, errlen, "%s: cannot requeue a buffer (%s)", c->path, strerror(errno));
                return -1;
            }
            latest = b;
            have = 1;
        }
        if (have) {
            int ok = !(latest.flags & V4L2_BUF_FLAG_ERROR);
            size_t used = latest.bytesused ? latest.bytesused : c->buf[latest.index].length;
            if (used > c->buf[latest.index].length) used = c->buf[latest.index].length;
            if (ok)
                ok = v4l2_to_y800(c->pixfmt, c->buf[latest.index].start, used, c->width, c->height,
                                  c->bytesperline, y, cap) == 0;
            if (requeue(c, &latest) < 0) {
                snprintf(err, errlen, "%s: cannot requeue a buffer (%s)", c->path, strerror(errno));
                return -1;
            }
            if (ok) return 1;
            /* A damaged or short frame: wait for the next one. */
        }
        long long left = deadline >= 0 ? deadline - now_ms() : 60000;
        if (left <= 0) return 0;
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        int r = poll(&p, 1, (int)(left > 60000 ? 60000 : left));
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
            return -1;
        }
        if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLIN)) {
            snprintf(err, errlen, "%s: the camera stopped (unplugged?)", c->path);
            return -1;
        }
    }
}
