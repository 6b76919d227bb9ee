#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static speed_t baud_const(int baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    default: return B115200;
    }
}

static int open_serial(transport_t *t, const uri_t *u, char *err, int errlen)
{
    int fd = open(u->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", u->path, strerror(errno));
        return -1;
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) == 0) {      /* a plain file or pipe has no termios: fine */
        cfmakeraw(&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
        cfsetispeed(&tio, baud_const(u->baud));
        cfsetospeed(&tio, baud_const(u->baud));
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        if (tcsetattr(fd, TCSANOW, &tio) != 0) {
            snprintf(err, errlen, "%s: cannot set 8N1 at %d baud: %s", u->path, u->baud, strerror(errno));
            close(fd);
            return -1;
        }
    }
    t->fd = fd;
    return 0;
}

static int open_tcp(transport_t *t, const uri_t *u, int timeout_ms, char *err, int errlen)
{
    char port[8];
    snprintf(port, sizeof port, "%d", u->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(u->path, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s:%d: %s", u->path, u->port, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (poll(&p, 1, timeout_ms > 0 ? timeout_ms : 3000) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                break;
            errno = soerr ? soerr : ETIMEDOUT;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen, "%s:%d: %s", u->path, u->port, strerror(errno));
        return -1;
    }
    t->fd = fd;
    return 0;
}

int transport_open(transport_t *t, const uri_t *u, int timeout_ms, char *err, int errlen)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    t->kind = u->kind;
    if (u->kind == URI_TCP) snprintf(t->name, sizeof t->name, "%s:%d", u->path, u->port);
    else snprintf(t->name, sizeof t->name, "%s", u->path);
    switch (u->kind) {
    case URI_SERIAL:
        return open_serial(t, u, err, errlen);
    case URI_TCP:
        return open_tcp(t, u, timeout_ms, err, errlen);
    case URI_USB:
    case URI_FILE: {
        int flags = O_WRONLY | O_CLOEXEC | O_NONBLOCK;
        if (u->kind == URI_USB) flags = O_RDWR | O_CLOEXEC | O_NONBLOCK;   /* lp answers status */
        else flags |= O_CREAT | O_APPEND;
        int fd = open(u->path, flags, 0644);
        if (fd < 0) {
            snprintf(err, errlen, "%s: %s", u->path, strerror(errno));
            return -1;
        }
        t->fd = fd;
        return 0;
    }
    default:
        snprintf(err, errlen, "%s: a %s device is not a byte stream", u->path, uri_kind_name(u->kind));
        return -1;
    }
}

void transport_close(transport_t *t)
{
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
}

int transport_write(transport_t *t, const void *buf, size_t len, int timeout_ms)
{
    const unsigned char *p = buf;
    long deadline = now_ms() + timeout_ms;
    while (len > 0) {
        ssize_t n = write(t->fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
        long left = deadline - now_ms();
        if (left <= 0) { errno = ETIMEDOUT; return -1; }
        struct pollfd pf = {.fd = t->fd, .events = POLLOUT};
        if (poll(&pf, 1, (int)left) < 0 && errno != EINTR) return -1;
        if (pf.revents & (POLLERR | POLLHUP)) { errno = EPIPE; return -1; }
    }
    return 0;
}

ssize_t transport_read(transport_t *t, void *buf, size_t len, int timeout_ms)
{
    struct pollfd pf = {.fd = t->fd, .events = POLLIN};
    int rc;
    do rc = poll(&pf, 1, timeout_ms); while (rc < 0 && errno == EINTR);
    if (rc < 0) return -1;
    if (rc == 0) return 0;
    ssize_t n = read(t->fd, buf, len);
    if (n > 0) return n;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    if (n == 0) errno = EPIPE;
    return -1;
}

void transport_drain(transport_t *t)
{
    unsigned char junk[256];
    if (t->kind == URI_SERIAL) tcflush(t->fd, TCIFLUSH);
    while (transport_read(t, junk, sizeof junk, 0) > 0) {}
}
