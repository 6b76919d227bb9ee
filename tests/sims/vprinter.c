#include "sims/vprinter.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <qrencode.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "printer/escpos.h"
#include "utf8.h"

#define MAX_CLIENTS 8
#define FONT_REGULAR "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define FONT_BOLD "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
#define FACE_SC 2               /* Noto Sans CJK SC: Chinese cells */
#define FACE_MONO_SC 7          /* Noto Sans Mono CJK SC: its half-width Latin fills a 12x24 cell */

/* ------------------------------------------------------------- buffers */

typedef struct {
    unsigned char *d;
    size_t len, cap;
} bytes_t;

static int bytes_put(bytes_t *b, const void *p, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap - b->len < n) cap *= 2;
        unsigned char *d = realloc(b->d, cap);
        if (!d) return -1;
        b->d = d;
        b->cap = cap;
    }
    if (n) memcpy(b->d + b->len, p, n);
    b->len += n;
    return 0;
}

static unsigned char *bytes_copy(const bytes_t *b, size_t *len)
{
    unsigned char *c = malloc(b->len ? b->len : 1);
    if (c && b->len) memcpy(c, b->d, b->len);
    *len = c ? b->len : 0;
    return c;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ------------------------------------------------------------- printer */

typedef struct {
    int fd;                 /* -1: free slot */
    bytes_t in;             /* bytes not yet cut into commands */
    bytes_t receipt;        /* the receipt being printed on this connection */
    int closes;             /* a socket (its close ends the receipt), not the pty */
} conn_t;

struct vprinter {
    vprinter_config_t cfg;
    char out_dir[512];
    int listen_fd, wake[2], pty_master, pty_slave;
    char pty_path[64];
    int port;
    pthread_t thread;
    int running;
    conn_t conns[MAX_CLIENTS + 1];  /* the last one is the pty */

    pthread_mutex_t mu;
    pthread_cond_t cond;
    vprinter_state_t state;
    long paper_left;        /* > 0: print bytes until the paper runs out */
    long busy_until;
    bytes_t all;
    bytes_t *receipts;
    size_t n_receipts;
    size_t status_requests, data_bytes, dropped;
};

static const char *const state_names[] = {
    "ready", "near_end", "paper_out", "cover_open", "offline", "cutter_error", "no_answer",
};

const char *vprinter_state_name(vprinter_state_t s)
{
    return (unsigned)s < sizeof state_names / sizeof *state_names ? state_names[s] : "?";
}

int vprinter_parse_state(const char *name, vprinter_state_t *out)
{
    for (size_t i = 0; i < sizeof state_names / sizeof *state_names; i++)
        if (!strcmp(name, state_names[i])) {
            *out = (vprinter_state_t)i;
            return 0;
        }
    return -1;
}

/* The answer to DLE EOT N in state S (busy: offline while cutting). */
static unsigned char status_byte(vprinter_state_t s, int busy, int n)
{
    static const unsigned char table[][4] = {
        [VPRINTER_READY] = {0x12, 0x12, 0x12, 0x12},
        [VPRINTER_NEAR_END] = {0x12, 0x12, 0x12, 0x1E},
        [VPRINTER_PAPER_OUT] = {0x1A, 0x32, 0x12, 0x72},
        [VPRINTER_COVER_OPEN] = {0x1A, 0x16, 0x12, 0x12},
        [VPRINTER_OFFLINE] = {0x1A, 0x12, 0x12, 0x12},
        [VPRINTER_CUTTER_ERROR] = {0x1A, 0x52, 0x1A, 0x12},
        [VPRINTER_NO_ANSWER] = {0x12, 0x12, 0x12, 0x12},
    };
    if (busy && (s == VPRINTER_READY || s == VPRINTER_NEAR_END)) s = VPRINTER_OFFLINE;
    return table[s][n - 1];
}

static int prints(vprinter_state_t s)
{
    return s == VPRINTER_READY || s == VPRINTER_NEAR_END || s == VPRINTER_NO_ANSWER;
}

/* Ends the receipt of C: kept (and written to out_dir) when it prints
 * anything. Called with the lock held. */
static void finish_receipt(vprinter_t *v, conn_t *c)
{
    if (c->receipt.len == 0) return;
    escpos_doc_t doc;
    escpos_decode(c->receipt.d, c->receipt.len, &doc);
    size_t printable = doc.n - escpos_doc_count(&doc, ESCPOS_ITEM_STATUS);
    escpos_doc_free(&doc);
    if (printable == 0) {
        c->receipt.len = 0;
        return;
    }
    bytes_t *r = realloc(v->receipts, (v->n_receipts + 1) * sizeof *r);
    if (!r) return;
    v->receipts = r;
    r[v->n_receipts++] = c->receipt;
    memset(&c->receipt, 0, sizeof c->receipt);
    if (v->out_dir[0]) {
        char png[600], txt[600], err[200];
        snprintf(png, sizeof png, "%s/receipt-%03zu.png", v->out_dir, v->n_receipts);
        snprintf(txt, sizeof txt, "%s/receipt-%03zu.txt", v->out_dir, v->n_receipts);
        const bytes_t *b = &v->receipts[v->n_receipts - 1];
        if (vprinter_save(b->d, b->len, v->cfg.paper_mm, png, txt, err, sizeof err) != 0)
            fprintf(stderr, "vprinter: %s\n", err);
        else
            printf("receipt %s\n", png), fflush(stdout);
    }
    pthread_cond_broadcast(&v->cond);
}

/* One whole command (or text byte) P of N bytes from C. Lock held. */
static void command(vprinter_t *v, conn_t *c, const unsigned char *p, size_t n)
{
    bytes_put(&v->all, p, n);
    if (p[0] == 0x10 && n >= 2 && (p[1] == 0x04 || p[1] == 0x05 || p[1] == 0x14)) {
        /* Real-time commands act at once and never reach the paper. */
        if (p[1] != 0x04) return;
        v->status_requests++;
        if (v->state == VPRINTER_NO_ANSWER || p[2] < 1 || p[2] > 4) return;
        unsigned char b = status_byte(v->state, now_ms() < v->busy_until, p[2]);
        /* A host that went away is noticed by its close, not by SIGPIPE. */
        ssize_t w = c->closes ? send(c->fd, &b, 1, MSG_NOSIGNAL) : write(c->fd, &b, 1);
        (void)w;
        return;
    }
    v->data_bytes += n;
    if (!prints(v->state)) {
        v->dropped += n;
        return;
    }
    bytes_put(&c->receipt, p, n);
    if (v->paper_left > 0) {
        v->paper_left -= (long)n;
        if (v->paper_left <= 0) {
            v->paper_left = 0;
            v->state = VPRINTER_PAPER_OUT;
        }
    }
    if (p[0] == 0x1D && n >= 3 && p[1] == 'V') {
        finish_receipt(v, c);
        if (v->cfg.busy_ms > 0) v->busy_until = now_ms() + v->cfg.busy_ms;
    }
}

static void process(vprinter_t *v, conn_t *c)
{
    size_t pos = 0;
    pthread_mutex_lock(&v->mu);
    while (pos < c->in.len) {
        size_t n = escpos_command_length(c->in.d + pos, c->in.len - pos);
        if (n == 0) break;
        command(v, c, c->in.d + pos, n);
        pos += n;
    }
    pthread_mutex_unlock(&v->mu);
    memmove(c->in.d, c->in.d + pos, c->in.len - pos);
    c->in.len -= pos;
}

static void conn_close(vprinter_t *v, conn_t *c)
{
    pthread_mutex_lock(&v->mu);
    if (c->in.len) bytes_put(&v->all, c->in.d, c->in.len);   /* a command cut off by the close */
    finish_receipt(v, c);
    pthread_mutex_unlock(&v->mu);
    if (c->closes) close(c->fd);
    free(c->in.d);
    free(c->receipt.d);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void *serve(void *arg)
{
    vprinter_t *v = arg;
    conn_t *pty = &v->conns[MAX_CLIENTS];
    for (;;) {
        struct pollfd pf[MAX_CLIENTS + 3];
        conn_t *who[MAX_CLIENTS + 3];
        int n = 0;
        pf[n] = (struct pollfd){.fd = v->wake[0], .events = POLLIN};
        who[n++] = NULL;
        pf[n] = (struct pollfd){.fd = v->listen_fd, .events = POLLIN};
        who[n++] = NULL;
        for (int i = 0; i <= MAX_CLIENTS; i++)
            if (v->conns[i].fd >= 0) {
                pf[n] = (struct pollfd){.fd = v->conns[i].fd, .events = POLLIN};
                who[n++] = &v->conns[i];
            }
        if (poll(pf, (nfds_t)n, 1000) < 0 && errno != EINTR) break;
        if (pf[0].revents) break;
        if (pf[1].revents & POLLIN) {
            int fd = accept4(v->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            int slot = -1;
            for (int i = 0; i < MAX_CLIENTS && fd >= 0 && slot < 0; i++)
                if (v->conns[i].fd < 0) slot = i;
            if (slot >= 0) {
                v->conns[slot].fd = fd;
                v->conns[slot].closes = 1;
            } else if (fd >= 0) {
                close(fd);
            }
        }
        for (int i = 2; i < n; i++) {
            conn_t *c = who[i];
            if (!pf[i].revents) continue;
            unsigned char buf[8192];
            ssize_t got = read(c->fd, buf, sizeof buf);
            if (got > 0) {
                if (bytes_put(&c->in, buf, (size_t)got) == 0) process(v, c);
            } else if (c == pty) {
                /* No host has the pty open: nothing to read until one does. */
                struct timespec ts = {0, 20 * 1000000L};
                nanosleep(&ts, NULL);
            } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                conn_close(v, c);
            }
        }
    }
    return NULL;
}

static int listen_local(int *port, char *err, int errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        snprintf(err, (size_t)errlen, "vprinter: cannot listen on 127.0.0.1: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

static int open_pty(vprinter_t *v, char *err, int errlen)
{
    if (openpty(&v->pty_master, &v->pty_slave, v->pty_path, NULL, NULL) != 0) {
        snprintf(err, (size_t)errlen, "vprinter: openpty: %s", strerror(errno));
        return -1;
    }
    /* Raw both ways before any host opens it, so status bytes are not
     * echoed or translated. */
    struct termios tio;
    if (tcgetattr(v->pty_slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(v->pty_slave, TCSANOW, &tio);
    }
    fcntl(v->pty_master, F_SETFL, fcntl(v->pty_master, F_GETFL) | O_NONBLOCK);
    fcntl(v->pty_master, F_SETFD, FD_CLOEXEC);
    fcntl(v->pty_slave, F_SETFD, FD_CLOEXEC);
    conn_t *c = &v->conns[MAX_CLIENTS];
    c->fd = v->pty_master;
    c->closes = 0;
    return 0;
}

vprinter_t *vprinter_start(const vprinter_config_t *cfg, char *err, int errlen)
{
    vprinter_t *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, (size_t)errlen, "vprinter: out of memory");
        return NULL;
    }
    v->cfg = *cfg;
    if (v->cfg.paper_mm != 80) v->cfg.paper_mm = 58;
    if (cfg->out_dir) snprintf(v->out_dir, sizeof v->out_dir, "%s", cfg->out_dir);
    v->cfg.out_dir = NULL;
    v->state = cfg->state;
    v->paper_left = cfg->paper_out_after;
    v->wake[0] = v->wake[1] = v->pty_master = v->pty_slave = -1;
    for (int i = 0; i <= MAX_CLIENTS; i++) v->conns[i].fd = -1;
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->cond, NULL);
    v->listen_fd = listen_local(&v->port, err, errlen);
    if (v->listen_fd < 0) goto fail;
    if (pipe2(v->wake, O_CLOEXEC) != 0) {
        snprintf(err, (size_t)errlen, "vprinter: pipe: %s", strerror(errno));
        goto fail;
    }
    if (cfg->pty && open_pty(v, err, errlen) != 0) goto fail;
    if (pthread_create(&v->thread, NULL, serve, v) != 0) {
        snprintf(err, (size_t)errlen, "vprinter: cannot start its thread");
        goto fail;
    }
    v->running = 1;
    return v;
fail:
    vprinter_stop(v);
    return NULL;
}

void vprinter_stop(vprinter_t *v)
{
    if (!v) return;
    if (v->running) {
        if (write(v->wake[1], "x", 1) != 1) { /* the thread still stops at its next poll timeout */ }
        pthread_join(v->thread, NULL);
    }
    for (int i = 0; i <= MAX_CLIENTS; i++)
        if (v->conns[i].fd >= 0) conn_close(v, &v->conns[i]);
    if (v->listen_fd >= 0) close(v->listen_fd);
    if (v->wake[0] >= 0) close(v->wake[0]);
    if (v->wake[1] >= 0) close(v->wake[1]);
    if (v->pty_master >= 0) close(v->pty_master);
    if (v->pty_slave >= 0) close(v->pty_slave);
    for (size_t i = 0; i < v->n_receipts; i++) free(v->receipts[i].d);
    free(v->receipts);
    free(v->all.d);
    pthread_mutex_destroy(&v->mu);
    pthread_cond_destroy(&v->cond);
    free(v);
}

int vprinter_port(const vprinter_t *v) { return v->port; }
const char *vprinter_pty_path(const vprinter_t *v) { return v->pty_master >= 0 ? v->pty_path : NULL; }

void vprinter_set_state(vprinter_t *v, vprinter_state_t s)
{
    pthread_mutex_lock(&v->mu);
    v->state = s;
    pthread_mutex_unlock(&v->mu);
}

vprinter_state_t vprinter_get_state(vprinter_t *v)
{
    pthread_mutex_lock(&v->mu);
    vprinter_state_t s = v->state;
    pthread_mutex_unlock(&v->mu);
    return s;
}

void vprinter_set_paper_out_after(vprinter_t *v, long bytes)
{
    pthread_mutex_lock(&v->mu);
    v->paper_left = bytes > 0 ? bytes : 0;
    pthread_mutex_unlock(&v->mu);
}

size_t vprinter_receipt_count(vprinter_t *v)
{
    pthread_mutex_lock(&v->mu);
    size_t n = v->n_receipts;
    pthread_mutex_unlock(&v->mu);
    return n;
}

int vprinter_wait_receipts(vprinter_t *v, size_t n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&v->mu);
    while (v->n_receipts < n && pthread_cond_timedwait(&v->cond, &v->mu, &until) == 0) {}
    int ok = v->n_receipts >= n;
    pthread_mutex_unlock(&v->mu);
    return ok ? 0 : -1;
}

unsigned char *vprinter_receipt(vprinter_t *v, size_t i, size_t *len)
{
    pthread_mutex_lock(&v->mu);
    unsigned char *c = i < v->n_receipts ? bytes_copy(&v->receipts[i], len) : NULL;
    pthread_mutex_unlock(&v->mu);
    return c;
}

unsigned char *vprinter_received(vprinter_t *v, size_t *len)
{
    pthread_mutex_lock(&v->mu);
    unsigned char *c = bytes_copy(&v->all, len);
    pthread_mutex_unlock(&v->mu);
    return c;
}

#define COUNTER(name)                                   \
    size_t vprinter_##name(vprinter_t *v)               \
    {                                                   \
        pthread_mutex_lock(&v->mu);                     \
        size_t n = v->name;                             \
        pthread_mutex_unlock(&v->mu);                   \
        return n;                                       \
    }
COUNTER(status_requests)
COUNTER(data_bytes)
COUNTER(dropped)

/* ------------------------------------------------------------ renderer */

#define CELL 12                 /* dots of one column */
#define CELL_H 24
#define LINE_H 30               /* 24-dot characters plus 6 dots of line spacing */
#define MARGIN_TOP 24
#define MARGIN_BOTTOM 32
#define INK 0x1E1E1E

typedef struct {
    uint32_t cp;
    int bold, cols;
    unsigned char bits[CELL_H][2 * CELL];  /* 1 = black */
} glyph_t;

typedef struct {
    int dots, cols;
    int height;             /* paper length in dots */
    unsigned char *paper;   /* dots * height, 1 = black; NULL while measuring */
    TTF_Font *font[2][2];   /* [ascii][bold] */
    glyph_t *glyphs;
    size_t n_glyphs, cap_glyphs;
    int oom;
} page_t;

static pthread_mutex_t render_mu = PTHREAD_MUTEX_INITIALIZER;

static void dot(page_t *pg, int x, int y)
{
    if (pg->paper && x >= 0 && x < pg->dots && y >= 0 && y < pg->height) pg->paper[(size_t)y * pg->dots + x] = 1;
}

static int cp_cols(uint32_t cp) { return cp >= 0x80 ? 2 : 1; }

/* The dots of CP in its cell, rendered once per page. */
static const glyph_t *glyph(page_t *pg, uint32_t cp, int bold)
{
    for (size_t i = 0; i < pg->n_glyphs; i++)
        if (pg->glyphs[i].cp == cp && pg->glyphs[i].bold == bold) return &pg->glyphs[i];
    if (pg->n_glyphs == pg->cap_glyphs) {
        size_t cap = pg->cap_glyphs ? pg->cap_glyphs * 2 : 64;
        glyph_t *g = realloc(pg->glyphs, cap * sizeof *g);
        if (!g) {
            pg->oom = 1;
            return NULL;
        }
        pg->glyphs = g;
        pg->cap_glyphs = cap;
    }
    glyph_t *g = &pg->glyphs[pg->n_glyphs++];
    memset(g, 0, sizeof *g);
    g->cp = cp;
    g->bold = bold;
    g->cols = cp_cols(cp);
    int ascii = cp < 0x80, cw = g->cols * CELL;
    TTF_Font *f = pg->font[ascii][bold];
    if (!TTF_GlyphIsProvided32(f, cp)) {
        /* What a printer without the character prints: an empty box. */
        for (int i = 3; i < cw - 3; i++) g->bits[3][i] = g->bits[CELL_H - 4][i] = 1;
        for (int i = 3; i < CELL_H - 3; i++) g->bits[i][3] = g->bits[i][cw - 4] = 1;
        return g;
    }
    SDL_Surface *s = TTF_RenderGlyph32_Blended(f, cp, (SDL_Color){0, 0, 0, 255});
    if (!s) return g;
    SDL_Surface *a = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(s);
    if (!a) return g;
    /* The glyph's baseline sits 21 dots down a Chinese cell (the
     * ideographic em box fills it) and 19 down an ASCII cell (room for
     * descenders); glyphs wider than the cell are squeezed into it. */
    int baseline = ascii ? 19 : 21, top = baseline - TTF_FontAscent(f);
    int gw = a->w, x0 = gw <= cw ? (cw - gw) / 2 : 0;
    for (int y = 0; y < a->h; y++) {
        int ty = top + y;
        if (ty < 0 || ty >= CELL_H) continue;
        const Uint32 *row = (const Uint32 *)((const Uint8 *)a->pixels + (size_t)y * a->pitch);
        for (int x = 0; x < gw; x++) {
            if ((row[x] >> 24) < 112) continue;
            int tx = gw <= cw ? x0 + x : x * cw / gw;
            if (tx >= 0 && tx < cw) g->bits[ty][tx] = 1;
        }
    }
    SDL_FreeSurface(a);
    return g;
}

/* Draws CP's cell at X, Y (top left) scaled W x H. */
static void draw_char(page_t *pg, uint32_t cp, int bold, int x, int y, int w, int h)
{
    if (!pg->paper) return;
    const glyph_t *g = glyph(pg, cp, bold);
    if (!g) return;
    for (int gy = 0; gy < CELL_H; gy++)
        for (int gx = 0; gx < g->cols * CELL; gx++)
            if (g->bits[gy][gx])
                for (int dy = 0; dy < h; dy++)
                    for (int dx = 0; dx < w; dx++) dot(pg, x + gx * w + dx, y + gy * h + dy);
}

typedef struct {
    uint32_t cp;
    int bold, w, h;
} cell_t;

static int align_x(int align, int dots, int width)
{
    if (width >= dots) return 0;
    return align == 1 ? (dots - width) / 2 : align == 2 ? dots - width : 0;
}

/* One printed line of CELLS (N) at *Y, bottoms aligned, then the spacing. */
static void put_line(page_t *pg, const cell_t *cells, size_t n, int align, int *y)
{
    int width = 0, height = CELL_H;
    for (size_t i = 0; i < n; i++) {
        width += cp_cols(cells[i].cp) * CELL * cells[i].w;
        if (CELL_H * cells[i].h > height) height = CELL_H * cells[i].h;
    }
    int x = align_x(align, pg->dots, width);
    for (size_t i = 0; i < n; i++) {
        draw_char(pg, cells[i].cp, cells[i].bold, x, *y + height - CELL_H * cells[i].h, cells[i].w, cells[i].h);
        x += cp_cols(cells[i].cp) * CELL * cells[i].w;
    }
    *y += height + (LINE_H - CELL_H);
}

/* The text runs from item *I up to the one ending the line: lines wrap at
 * the paper's edge as the printer's line buffer does. */
static void text_line(page_t *pg, const escpos_doc_t *doc, size_t *i, int *y)
{
    cell_t *cells = NULL;
    size_t n = 0, cap = 0;
    int align = doc->items[*i].align, width = 0;
    for (; *i < doc->n; ++*i) {
        const escpos_item_t *it = &doc->items[*i];
        if (it->kind == ESCPOS_ITEM_STATUS) continue;
        if (it->kind != ESCPOS_ITEM_TEXT) {
            --*i;
            break;
        }
        uint32_t cp;
        for (size_t k = 0; k < it->len;) {
            k += (size_t)utf8_next(it->data + k, it->len - k, &cp);
            int cw = cp_cols(cp) * CELL * it->width;
            if (width + cw > pg->dots && n > 0) {
                put_line(pg, cells, n, align, y);
                n = 0;
                width = 0;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                cell_t *c = realloc(cells, cap * sizeof *c);
                if (!c) {
                    pg->oom = 1;
                    free(cells);
                    return;
                }
                cells = c;
            }
            cells[n++] = (cell_t){cp, it->bold, it->width, it->height};
            width += cw;
        }
        if (it->eol) break;
    }
    if (n > 0) {
        put_line(pg, cells, n, align, y);
    } else {                /* an empty line still moves the paper */
        const escpos_item_t *last = *i < doc->n ? &doc->items[*i] : NULL;
        int h = last && last->kind == ESCPOS_ITEM_TEXT ? last->height : 1;
        *y += CELL_H * h + (LINE_H - CELL_H);
    }
    free(cells);
}

static void qr(page_t *pg, const escpos_item_t *it, int *y)
{
    static const QRecLevel levels[] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H};
    QRcode *q = QRcode_encodeData((int)it->len, (const unsigned char *)it->data, 0, levels[it->qr_level & 3]);
    if (!q) {
        /* The printer prints nothing for a symbol it cannot make; a crossed
         * box here makes the failure visible. */
        for (int k = 0; k < 48; k++) {
            int x = align_x(it->align, pg->dots, 48);
            dot(pg, x + k, *y + k);
            dot(pg, x + 47 - k, *y + k);
            dot(pg, x + k, *y);
            dot(pg, x + k, *y + 47);
        }
        *y += 48 + (LINE_H - CELL_H);
        return;
    }
    int m = it->qr_module, side = q->width * m, x0 = align_x(it->align, pg->dots, side);
    for (int my = 0; my < q->width; my++)
        for (int mx = 0; mx < q->width; mx++)
            if (q->data[my * q->width + mx] & 1)
                for (int dy = 0; dy < m; dy++)
                    for (int dx = 0; dx < m; dx++) dot(pg, x0 + mx * m + dx, *y + my * m + dy);
    QRcode_free(q);
    *y += side;
}

static void raster(page_t *pg, const escpos_item_t *it, int *y)
{
    int sx = it->raster_mode & 1 ? 2 : 1, sy = it->raster_mode & 2 ? 2 : 1;
    int w = it->bytes_per_row * 8 * sx, x0 = align_x(it->align, pg->dots, w);
    if (pg->paper)
        for (int r = 0; r < it->rows; r++)
            for (int b = 0; b < it->bytes_per_row * 8; b++)
                if (it->bits[(size_t)r * it->bytes_per_row + b / 8] & (0x80 >> (b % 8)))
                    for (int dy = 0; dy < sy; dy++)
                        for (int dx = 0; dx < sx; dx++) dot(pg, x0 + b * sx + dx, *y + r * sy + dy);
    *y += it->rows * sy;
}

static void cut(page_t *pg, const escpos_item_t *it, int *y)
{
    int ly = *y + 12, mid = pg->dots / 2;
    for (int x = 0; x < pg->dots; x++) {
        if (x % 14 >= 8) continue;          /* dashes of 8 dots, gaps of 6 */
        if (it->partial && x > mid - 16 && x < mid + 16) continue;  /* the uncut bridge */
        dot(pg, x, ly);
        dot(pg, x, ly + 1);
    }
    *y += 28;
}

/* Lays DOC out on PG; draws when PG->paper is set. Returns the length. */
static int layout(page_t *pg, const escpos_doc_t *doc)
{
    int y = MARGIN_TOP;
    for (size_t i = 0; i < doc->n && !pg->oom; i++) {
        const escpos_item_t *it = &doc->items[i];
        switch (it->kind) {
        case ESCPOS_ITEM_TEXT: text_line(pg, doc, &i, &y); break;
        case ESCPOS_ITEM_QR: qr(pg, it, &y); break;
        case ESCPOS_ITEM_RASTER: raster(pg, it, &y); break;
        case ESCPOS_ITEM_FEED: y += LINE_H * it->feed; break;
        case ESCPOS_ITEM_CUT: cut(pg, it, &y); break;
        case ESCPOS_ITEM_STATUS: break;
        }
    }
    return y + MARGIN_BOTTOM;
}

static TTF_Font *open_face(const char *path, int size, int index, int synth_bold)
{
    TTF_Font *f = TTF_OpenFontIndex(path, size, index);
    if (f && synth_bold) TTF_SetFontStyle(f, TTF_STYLE_BOLD);
    return f;
}

SDL_Surface *vprinter_render(const escpos_doc_t *doc, int paper_mm, char *err, int errlen)
{
    page_t pg = {.dots = paper_mm == 80 ? ESCPOS_DOTS_80 : ESCPOS_DOTS_58};
    SDL_Surface *s = NULL;
    pthread_mutex_lock(&render_mu);
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, (size_t)errlen, "vprinter: TTF_Init: %s", TTF_GetError());
        goto done;
    }
    /* Bold from Noto's bold cut when installed, else SDL_ttf's emboldening. */
    int have_bold = access(FONT_BOLD, R_OK) == 0;
    const char *bold_path = have_bold ? FONT_BOLD : FONT_REGULAR;
    pg.font[0][0] = open_face(FONT_REGULAR, 24, FACE_SC, 0);
    pg.font[0][1] = open_face(bold_path, 24, FACE_SC, !have_bold);
    pg.font[1][0] = open_face(FONT_REGULAR, 22, FACE_MONO_SC, 0);
    pg.font[1][1] = open_face(bold_path, 22, FACE_MONO_SC, !have_bold);
    for (int i = 0; i < 4; i++)
        if (!pg.font[i / 2][i % 2]) {
            snprintf(err, (size_t)errlen, "vprinter: cannot open %s: %s", FONT_REGULAR, TTF_GetError());
            goto done;
        }
    pg.height = layout(&pg, doc);
    pg.paper = calloc((size_t)pg.dots * pg.height, 1);
    if (!pg.paper || pg.oom) {
        snprintf(err, (size_t)errlen, "vprinter: out of memory");
        goto done;
    }
    layout(&pg, doc);
    s = SDL_CreateRGBSurfaceWithFormat(0, pg.dots, pg.height, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!s) {
        snprintf(err, (size_t)errlen, "vprinter: %s", SDL_GetError());
        goto done;
    }
    for (int y = 0; y < pg.height; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * s->pitch);
        for (int x = 0; x < pg.dots; x++) row[x] = pg.paper[(size_t)y * pg.dots + x] ? 0xFF000000u | INK : 0xFFFFFFFFu;
    }
done:
    for (int i = 0; i < 4; i++)
        if (pg.font[i / 2][i % 2]) TTF_CloseFont(pg.font[i / 2][i % 2]);
    pthread_mutex_unlock(&render_mu);
    free(pg.paper);
    free(pg.glyphs);
    return s;
}

/* ---------------------------------------------------------- plain text */

static int text_pad(bytes_t *out, int n)
{
    for (int i = 0; i < n; i++)
        if (bytes_put(out, " ", 1) != 0) return -1;
    return 0;
}

static int text_line_out(bytes_t *out, const char *s, size_t len, int cols_used, int align, int cols)
{
    int pad = cols_used >= cols ? 0 : align == 1 ? (cols - cols_used) / 2 : align == 2 ? cols - cols_used : 0;
    return text_pad(out, pad) || bytes_put(out, s, len) || bytes_put(out, "\n", 1) ? -1 : 0;
}

char *vprinter_render_text(const escpos_doc_t *doc, int paper_mm)
{
    int cols = escpos_columns(paper_mm == 80 ? 80 : 58, 1);
    bytes_t out = {0}, line = {0};
    int used = 0, align = 0, started = 0, fail = 0;
    for (size_t i = 0; i < doc->n && !fail; i++) {
        const escpos_item_t *it = &doc->items[i];
        char tmp[96];
        switch (it->kind) {
        case ESCPOS_ITEM_TEXT: {
            if (!started) align = it->align;
            started = 1;
            uint32_t cp;
            for (size_t k = 0; k < it->len && !fail;) {
                int n = utf8_next(it->data + k, it->len - k, &cp);
                int cw = cp_cols(cp) * it->width;
                if (used + cw > cols && used > 0) {
                    fail |= text_line_out(&out, (char *)line.d, line.len, used, align, cols);
                    line.len = 0;
                    used = 0;
                }
                fail |= bytes_put(&line, it->data + k, (size_t)n);
                used += cw;
                k += (size_t)n;
            }
            if (it->eol) {
                fail |= text_line_out(&out, (char *)line.d, line.len, used, align, cols);
                line.len = 0;
                used = started = 0;
            }
            break;
        }
        case ESCPOS_ITEM_QR:
            fail |= bytes_put(&out, "[QR ", 4) || bytes_put(&out, it->data, it->len) || bytes_put(&out, "]\n", 2);
            break;
        case ESCPOS_ITEM_RASTER:
            snprintf(tmp, sizeof tmp, "[image %dx%d]\n", it->bytes_per_row * 8, it->rows);
            fail |= bytes_put(&out, tmp, strlen(tmp));
            break;
        case ESCPOS_ITEM_FEED:
            for (int k = 0; k < it->feed && !fail; k++) fail |= bytes_put(&out, "\n", 1);
            break;
        case ESCPOS_ITEM_CUT: {
            const char *label = it->partial ? " partial cut " : " full cut ";
            int dashes = cols - (int)strlen(label), left = dashes / 2;
            for (int k = 0; k < left && !fail; k++) fail |= bytes_put(&out, "-", 1);
            fail |= bytes_put(&out, label, strlen(label));
            for (int k = left; k < dashes && !fail; k++) fail |= bytes_put(&out, "-", 1);
            fail |= bytes_put(&out, "\n", 1);
            break;
        }
        case ESCPOS_ITEM_STATUS:
            break;
        }
    }
    if (line.len && !fail) fail |= text_line_out(&out, (char *)line.d, line.len, used, align, cols);
    fail |= bytes_put(&out, "", 1);     /* the NUL */
    free(line.d);
    if (fail) {
        free(out.d);
        return NULL;
    }
    out.d[out.len - 1] = '\0';
    return (char *)out.d;
}

int vprinter_save(const unsigned char *bytes, size_t len, int paper_mm, const char *png_path,
                  const char *txt_path, char *err, int errlen)
{
    escpos_doc_t doc;
    if (escpos_decode(bytes, len, &doc) != 0) {
        escpos_doc_free(&doc);
        snprintf(err, (size_t)errlen, "vprinter: out of memory");
        return -1;
    }
    int rc = 0;
    if (png_path) {
        SDL_Surface *s = vprinter_render(&doc, paper_mm, err, errlen);
        if (!s) {
            rc = -1;
        } else {
            if (IMG_SavePNG(s, png_path) != 0) {
                snprintf(err, (size_t)errlen, "%s: %s", png_path, IMG_GetError());
                rc = -1;
            }
            SDL_FreeSurface(s);
        }
    }
    if (txt_path && rc == 0) {
        char *t = vprinter_render_text(&doc, paper_mm);
        FILE *f = t ? fopen(txt_path, "w") : NULL;
        if (!f || fputs(t, f) == EOF) {
            snprintf(err, (size_t)errlen, "%s: %s", txt_path, t ? strerror(errno) : "out of memory");
            rc = -1;
        }
        if (f && fclose(f) != 0 && rc == 0) {
            snprintf(err, (size_t)errlen, "%s: %s", txt_path, strerror(errno));
            rc = -1;
        }
        free(t);
    }
    escpos_doc_free(&doc);
    return rc;
}
