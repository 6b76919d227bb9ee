/* The fault proxy (see faultproxy.h): one accept thread, one thread per
 * connection, all polling a stop flag every 50 ms. */
#include "support/faultproxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FP_MAX_CONNS 4096
#define FP_BUF 16384

struct faultproxy {
    int listen_fd, port, target_port;
    pthread_t acceptor;
    pthread_mutex_t mu;
    fp_mode_t mode;
    int delay_ms;
    unsigned rng;
    long requests, faults;
    volatile int stop;
    int nconns;
    pthread_t conns[FP_MAX_CONNS];
};

typedef struct {
    faultproxy_t *p;
    int client;
} fp_conn_t;

static bool fp_stopping(faultproxy_t *p)
{
    return __atomic_load_n(&p->stop, __ATOMIC_ACQUIRE) != 0;
}

/* The fault for a new request (and counts it). */
static fp_mode_t fp_pick(faultproxy_t *p, int *delay_ms)
{
    pthread_mutex_lock(&p->mu);
    fp_mode_t m = p->mode;
    *delay_ms = p->delay_ms;
    if (m == FP_CHAOS) {
        p->rng = p->rng * 1103515245u + 12345u;
        m = (fp_mode_t)((p->rng >> 16) % 6);
    }
    p->requests++;
    if (m != FP_PASS) p->faults++;
    pthread_mutex_unlock(&p->mu);
    return m;
}

static int fp_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void fp_reset(int fd)
{
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

static int fp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

static void fp_sleep(faultproxy_t *p, int ms)
{
    while (ms > 0 && !fp_stopping(p)) {
        int step = ms < 20 ? ms : 20;
        struct timespec ts = {0, step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static void *fp_conn_main(void *arg)
{
    fp_conn_t *cn = arg;
    faultproxy_t *p = cn->p;
    int c = cn->client, up = -1;
    bool in_request = false;
    fp_mode_t mode = FP_PASS;
    char *buf = malloc(FP_BUF), *head = malloc(FP_BUF);
    size_t headlen = 0;
    free(cn);
    if (!buf || !head) goto end;

    while (!fp_stopping(p)) {
        struct pollfd fds[2] = {{c, POLLIN, 0}, {up, POLLIN, 0}};
        int n = poll(fds, up >= 0 ? 2 : 1, 50);
        if (n < 0 && errno != EINTR) break;
        if (n <= 0) continue;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t got = recv(c, buf, FP_BUF, 0);
            if (got <= 0) break;
            if (!in_request) {
                int delay;
                in_request = true;
                headlen = 0;
                mode = fp_pick(p, &delay);
                if (mode == FP_DROP) break;
                if (mode == FP_HTTP500) {
                    static const char r500[] =
                        "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                        "Content-Length: 62\r\nConnection: close\r\n\r\n"
                        "{\"error\":{\"code\":\"internal\",\"message\":\"fault proxy 500\"}}\n";
                    fp_write_all(c, r500, sizeof r500 - 1);
                    break;
                }
                if (mode == FP_DELAY) fp_sleep(p, delay);
            }
            if (up < 0 && (up = fp_connect(p->target_port)) < 0) break;
            if (fp_write_all(up, buf, (size_t)got) != 0) break;
        }
        if (up >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t got = recv(up, buf, FP_BUF, 0);
            if (got <= 0) break;
            in_request = false;
            if (mode == FP_RESET) {
                fp_reset(c);
                c = -1;
                break;
            }
            if (mode == FP_TRUNCATE) {
                size_t take = (size_t)got < FP_BUF - headlen ? (size_t)got : FP_BUF - headlen;
                memcpy(head + headlen, buf, take);
                headlen += take;
                char *end = memmem(head, headlen, "\r\n\r\n", 4);
                if (!end && headlen < FP_BUF) {
                    in_request = true;      /* still in the headers */
                    continue;
                }
                size_t keep = end ? (size_t)(end - head) + 4 + 3 : headlen;
                if (keep > headlen) keep = headlen;
                fp_write_all(c, head, keep);
                break;
            }
            if (fp_write_all(c, buf, (size_t)got) != 0) break;
        }
    }
end:
    if (c >= 0) close(c);
    if (up >= 0) close(up);
    free(buf);
    free(head);
    return NULL;
}

static void *fp_accept_main(void *arg)
{
    faultproxy_t *p = arg;
    while (!fp_stopping(p)) {
        struct pollfd pf = {p->listen_fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0) continue;
        int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) continue;
        fp_conn_t *cn = malloc(sizeof *cn);
        pthread_mutex_lock(&p->mu);
        bool room = p->nconns < FP_MAX_CONNS;
        pthread_mutex_unlock(&p->mu);
        if (!cn || !room) {
            free(cn);
            close(c);
            continue;
        }
        cn->p = p;
        cn->client = c;
        pthread_t t;
        if (pthread_create(&t, NULL, fp_conn_main, cn) != 0) {
            free(cn);
            close(c);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        p->conns[p->nconns++] = t;
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

faultproxy_t *faultproxy_start(int target_port)
{
    faultproxy_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->target_port = target_port;
    p->rng = 1;
    p->delay_ms = 100;
    pthread_mutex_init(&p->mu, NULL);
    p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p->listen_fd, 64) != 0 ||
        getsockname(p->listen_fd, (struct sockaddr *)&a, &alen) != 0)
        goto fail;
    p->port = ntohs(a.sin_port);
    if (pthread_create(&p->acceptor, NULL, fp_accept_main, p) != 0) goto fail;
    return p;
fail:
    if (p->listen_fd >= 0) close(p->listen_fd);
    pthread_mutex_destroy(&p->mu);
    free(p);
    return NULL;
}

int faultproxy_port(const faultproxy_t *p) { return p->port; }

void faultproxy_url(const faultproxy_t *p, char *buf, int len)
{
    snprintf(buf, (size_t)len, "http://127.0.0.1:%d", p->port);
}

void faultproxy_set_mode(faultproxy_t *p, fp_mode_t mode, int delay_ms)
{
    pthread_mutex_lock(&p->mu);
    p->mode = mode;
    p->delay_ms = delay_ms;
    pthread_mutex_unlock(&p->mu);
}

void faultproxy_seed(faultproxy_t *p, unsigned seed)
{
    pthread_mutex_lock(&p->mu);
    p->rng = seed;
    pthread_mutex_unlock(&p->mu);
}

long faultproxy_requests(faultproxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    long n = p->requests;
    pthread_mutex_unlock(&p->mu);
    return n;
}

long faultproxy_faults(faultproxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    long n = p->faults;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void faultproxy_stop(faultproxy_t *p)
{
    if (!p) return;
    __atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
    pthread_join(p->acceptor, NULL);
    for (int i = 0; i < p->nconns; i++) pthread_join(p->conns[i], NULL);
    close(p->listen_fd);
    pthread_mutex_destroy(&p->mu);
    free(p);
}
