#include "upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct upload {
    size_t max, len;
    char *buf;                       /* memory: the bytes, NUL-terminated */
    size_t alloc;
    int fd;                          /* spool: the unlinked file, else -1 */
    char *map;
    size_t map_len;
    atomic_llong *held;
    long long cap, reserved;
    int status;
};

upload_t *upload_new(size_t max, const char *spool_dir, atomic_llong *held, long long cap)
{
    upload_t *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->max = max;
    u->held = held;
    u->cap = cap;
    u->fd = -1;
    if (spool_dir) {
        char path[600];
        snprintf(path, sizeof path, "%s/hub-upload-XXXXXX", spool_dir);
        u->fd = mkstemp(path);
        if (u->fd < 0) {
            u->status = 500;
        } else {
            unlink(path);            /* gone from the directory; freed with the fd */
        }
    }
    return u;
}

int upload_reserve(upload_t *u, size_t n)
{
    long long want = (long long)n;
    if (atomic_fetch_add(u->held, want) + want > u->cap) {
        atomic_fetch_sub(u->held, want);
        return -1;
    }
    u->reserved += want;
    return 0;
}

static int store(upload_t *u, const char *data, size_t n)
{
    if (u->fd >= 0) {
        for (size_t off = 0; off < n; ) {
            ssize_t w = write(u->fd, data + off, n - off);
            if (w <= 0) return -1;
            off += (size_t)w;
        }
        return 0;
    }
    if (u->len + n + 1 > u->alloc) {
        size_t want = u->alloc ? u->alloc : 4096;
        while (want < u->len + n + 1) want *= 2;
        char *nb = realloc(u->buf, want);
        if (!nb) return -1;
        u->buf = nb;
        u->alloc = want;
    }
    memcpy(u->buf + u->len, data, n);
    u->buf[u->len + n] = '\0';
    return 0;
}

void upload_add(upload_t *u, const char *data, size_t n)
{
    if (u->status) return;
    if (u->len + n > u->max) { u->status = 413; return; }
    long long need = (long long)(u->len + n) - u->reserved;
    if (need > 0 && upload_reserve(u, (size_t)need) != 0) { u->status = 503; return; }
    if (store(u, data, n) != 0) { u->status = 500; return; }
    u->len += n;
}

int upload_status(const upload_t *u) { return u->status; }

const char *upload_body(upload_t *u, size_t *len)
{
    *len = u->len;
    if (u->fd < 0) return u->buf ? u->buf : "";
    if (u->map) return u->map;
    /* The handler reads a NUL-terminated body: the file gets the NUL too. */
    if (write(u->fd, "", 1) != 1) { u->status = 500; return NULL; }
    void *m = mmap(NULL, u->len + 1, PROT_READ, MAP_PRIVATE, u->fd, 0);
    if (m == MAP_FAILED) { u->status = 500; return NULL; }
    u->map = m;
    u->map_len = u->len + 1;
    return u->map;
}

void upload_free(upload_t *u)
{
    if (!u) return;
    if (u->map) munmap(u->map, u->map_len);
    if (u->fd >= 0) close(u->fd);
    free(u->buf);
    atomic_fetch_sub(u->held, u->reserved);
    free(u);
}
