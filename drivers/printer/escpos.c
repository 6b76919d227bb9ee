#include "printer/escpos.h"

#include <errno.h>
#include <iconv.h>
#include <qrencode.h>
#include <SDL.h>
#include <SDL_image.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

static int fail(escpos_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(escpos_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, sizeof e->err, fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(escpos_t *e)
{
    e->oom = 1;
    return fail(e, "out of memory");
}

/* Room for N more bytes. */
static int reserve(escpos_t *e, size_t n)
{
    if (e->oom) return fail(e, "out of memory");
    if (n <= e->cap - e->len) return 0;
    size_t cap = e->cap ? e->cap : 256;
    while (cap - e->len < n) {
        if (cap > SIZE_MAX / 2) return oom(e);
        cap *= 2;
    }
    unsigned char *d = realloc(e->data, cap);
    if (!d) return oom(e);
    e->data = d;
    e->cap = cap;
    return 0;
}

static int put(escpos_t *e, const void *p, size_t n)
{
    if (reserve(e, n) != 0) return -1;
    memcpy(e->data + e->len, p, n);
    e->len += n;
    return 0;
}

static int put1(escpos_t *e, unsigned char b) { return put(e, &b, 1); }

int escpos_start(escpos_t *e, int paper_mm)
{
    memset(e, 0, sizeof *e);
    e->size_w = 1;
    if (paper_mm != 58 && paper_mm != 80) return fail(e, "paper width must be 58 or 80 mm, not %d", paper_mm);
    e->paper_mm = paper_mm;
    e->dots = paper_mm == 58 ? ESCPOS_DOTS_58 : ESCPOS_DOTS_80;
    return 0;
}

void escpos_free(escpos_t *e)
{
    free(e->data);
    if (e->to_gb) iconv_close((iconv_t)e->to_gb);
    int mm = e->paper_mm;
    memset(e, 0, sizeof *e);
    e->paper_mm = mm;
}

unsigned char *escpos_take(escpos_t *e, size_t *len)
{
    unsigned char *d = e->data;
    *len = e->len;
    e->data = NULL;
    e->len = e->cap = 0;
    return d;
}

const char *escpos_error(const escpos_t *e) { return e->err[0] ? e->err : "no error"; }
size_t escpos_replaced(const escpos_t *e) { return e->replaced; }

int escpos_columns(int paper_mm, int size_w)
{
    if (size_w < 1 || size_w > 8) return 0;
    if (paper_mm == 58) return 32 / size_w;
    if (paper_mm == 80) return 48 / size_w;
    return 0;
}

/* What the printer is sent for code point CP: 0 = ASCII byte as is, 1 = a
 * Chinese-mode character, -1 = '?' (control character or invalid). */
static int char_class(uint32_t cp)
{
    if (cp == 0xFFFD) return -1;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return -1;
    return cp < 0x80 ? 0 : 1;
}

static int char_cols(uint32_t cp) { return char_class(cp) == 1 ? 2 : 1; }

int escpos_text_columns(const char *utf8)
{
    size_t len = strlen(utf8);
    int cols = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        i += (size_t)utf8_next(utf8 + i, len - i, &cp);
        cols += char_cols(cp);
    }
    return cols;
}

/* Appends the GB18030 bytes of the UTF-8 character S (N bytes); -1 if
 * iconv cannot convert it (the caller prints '?'). */
static int put_gb(escpos_t *e, const char *s, size_t n)
{
    if (!e->to_gb) {
        iconv_t cd = iconv_open("GB18030", "UTF-8");
        if (cd == (iconv_t)-1) return -1;
        e->to_gb = (void *)cd;
    }
    char in[4], out[8];
    memcpy(in, s, n);
    char *ip = in, *op = out;
    size_t il = n, ol = sizeof out;
    iconv((iconv_t)e->to_gb, NULL, NULL, NULL, NULL);
    if (iconv((iconv_t)e->to_gb, &ip, &il, &op, &ol) == (size_t)-1 || il != 0) return -1;
    return put(e, out, sizeof out - ol);
}

/* Appends bytes [S, S+LEN) as printable characters; see the header. */
static int put_text(escpos_t *e, const char *s, size_t len)
{
    int chinese = 0;
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        int n = utf8_next(s + i, len - i, &cp);
        int cls = char_class(cp);
        if (cls == 1) {
            if (!chinese && put(e, "\x1c\x26", 2) != 0) return -1;
            chinese = 1;
            size_t before = e->len;
            if (put_gb(e, s + i, (size_t)n) != 0) {
                if (e->oom) return -1;
                e->len = before;
                /* '?' inside Chinese mode is still the ASCII '?' */
                if (put1(e, '?') != 0) return -1;
                e->replaced++;
            }
        } else {
            if (chinese && put(e, "\x1c\x2e", 2) != 0) return -1;
            chinese = 0;
            if (cls < 0) e->replaced++;
            if (put1(e, cls == 0 ? (unsigned char)cp : '?') != 0) return -1;
        }
        i += (size_t)n;
    }
    if (chinese && put(e, "\x1c\x2e", 2) != 0) return -1;
    return 0;
}

/* Undoes a partly appended command, so a failed call appends nothing. */
static int rollback(escpos_t *e, size_t mark, size_t replaced)
{
    e->len = mark;
    e->replaced = replaced;
    return -1;
}

int escpos_init(escpos_t *e)
{
    e->size_w = 1;
    return put(e, "\x1b\x40", 2);
}

int escpos_align(escpos_t *e, escpos_align_t a)
{
    if (a != ESCPOS_LEFT && a != ESCPOS_CENTER && a != ESCPOS_RIGHT) return fail(e, "bad alignment %d", (int)a);
    unsigned char c[3] = {0x1b, 0x61, (unsigned char)a};
    return put(e, c, 3);
}

int escpos_bold(escpos_t *e, int on)
{
    unsigned char c[3] = {0x1b, 0x45, on ? 1 : 0};
    return put(e, c, 3);
}

int escpos_size(escpos_t *e, int w, int h)
{
    if (w < 1 || w > 8 || h < 1 || h > 8) return fail(e, "character size must be 1..8 x 1..8, not %dx%d", w, h);
    unsigned char c[3] = {0x1d, 0x21, (unsigned char)((w - 1) << 4 | (h - 1))};
    if (put(e, c, 3) != 0) return -1;
    e->size_w = w;
    return 0;
}

int escpos_text(escpos_t *e, const char *utf8)
{
    size_t mark = e->len, rep = e->replaced;
    if (put_text(e, utf8, strlen(utf8)) != 0) return rollback(e, mark, rep);
    return 0;
}

/* Characters that must not start a line (Chinese and ASCII closing marks). */
static int no_line_start(uint32_t cp)
{
    static const uint32_t marks[] = {
        ',', '.', ';', ':', '!', '?', ')', ']', '}', 0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A,
        0xFF1B, 0xFF01, 0xFF1F, 0xFF09, 0x300D, 0x300F, 0x300B, 0x3009, 0x3011, 0x201D, 0x2019,
    };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (marks[i] == cp) return 1;
    return 0;
}

typedef struct {
    size_t off;         /* byte offset in the string */
    uint32_t cp;
    int cols;
} cell_t;

/* May a line end before character J (J > 0) of C? After or before a
 * space, or next to a Chinese character; not before a closing mark. */
static int breakable_before(const cell_t *c, size_t j)
{
    if (no_line_start(c[j].cp)) return 0;
    if (c[j].cp == ' ' || c[j - 1].cp == ' ') return 1;
    return char_class(c[j].cp) == 1 || char_class(c[j - 1].cp) == 1;
}

/* Emits S (LEN bytes, no '\n') as lines of at most COLS columns. Leading
 * spaces of the first line are kept (indentation); a wrapped line starts
 * at the next non-space. */
static int put_wrapped(escpos_t *e, const char *s, size_t len, int cols)
{
    if (len == 0) return put1(e, '\n');
    cell_t *c = malloc(len * sizeof *c);
    if (!c) return oom(e);
    size_t n = 0;
    for (size_t i = 0; i < len; n++) {
        c[n].off = i;
        i += (size_t)utf8_next(s + i, len - i, &c[n].cp);
        c[n].cols = char_cols(c[n].cp);
    }
    int rc = 0;
    size_t pos = 0;
    while (pos < n && rc == 0) {
        size_t j = pos, last = pos;
        int w = 0;
        while (j < n && w + c[j].cols <= cols) {
            if (j > pos && breakable_before(c, j)) last = j;
            w += c[j].cols;
            j++;
        }
        size_t end = j;
        if (j < n) {
            if (breakable_before(c, j)) end = j;
            else if (last > pos) end = last;
        }
        size_t stop = end;
        while (stop > pos && c[stop - 1].cp == ' ') stop--;
        size_t from = c[pos].off, to = stop < n ? c[stop].off : len;
        if (stop == pos) to = from;
        rc = put_text(e, s + from, to - from) != 0 || put1(e, '\n') != 0 ? -1 : 0;
        pos = end;
        while (pos < n && c[pos].cp == ' ') pos++;
    }
    free(c);
    return rc;
}

int escpos_line(escpos_t *e, const char *utf8)
{
    size_t mark = e->len, rep = e->replaced;
    int cols = escpos_columns(e->paper_mm, e->size_w);
    if (cols <= 0) return fail(e, "encoder not started");
    const char *p = utf8;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (put_wrapped(e, p, n, cols) != 0) return rollback(e, mark, rep);
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

int escpos_feed(escpos_t *e, int n)
{
    if (n < 0 || n > 255) return fail(e, "feed must be 0..255 lines, not %d", n);
    unsigned char c[3] = {0x1b, 0x64, (unsigned char)n};
    return put(e, c, 3);
}

/* The QR symbol of PAYLOAD at level M, or NULL with the reason in E. */
static QRcode *qr_symbol(escpos_t *e, const void *payload, size_t len)
{
    if (len == 0) {
        fail(e, "QR payload is empty");
        return NULL;
    }
    if (len > ESCPOS_QR_MAX_BYTES) {
        fail(e, "QR payload is %zu bytes; at most %d fit a QR code at level M", len, ESCPOS_QR_MAX_BYTES);
        return NULL;
    }
    QRcode *q = QRcode_encodeData((int)len, payload, 0, QR_ECLEVEL_M);
    if (!q) {
        if (errno == ENOMEM) oom(e);
        else fail(e, "QR payload of %zu bytes cannot be encoded at level M", len);
    }
    return q;
}

int escpos_qr(escpos_t *e, const void *payload, size_t len, int module)
{
    if (module < 1 || module > 16) return fail(e, "QR module size must be 1..16 dots, not %d", module);
    QRcode *q = qr_symbol(e, payload, len);
    if (!q) return -1;
    while (module > 1 && q->width * module > e->dots) module--;
    QRcode_free(q);
    size_t mark = e->len, n = len + 3;
    unsigned char model[] = {0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00};
    unsigned char size[] = {0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x43, (unsigned char)module};
    unsigned char level[] = {0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x45, 0x31};
    unsigned char store[] = {0x1d, 0x28, 0x6b, (unsigned char)(n & 0xFF), (unsigned char)(n >> 8),
                             0x31, 0x50, 0x30};
    unsigned char print[] = {0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30};
    if (put(e, model, sizeof model) || put(e, size, sizeof size) || put(e, level, sizeof level) ||
        put(e, store, sizeof store) || put(e, payload, len) || put(e, print, sizeof print))
        return rollback(e, mark, e->replaced);
    return 0;
}

int escpos_qr_raster(escpos_t *e, const void *payload, size_t len, int module)
{
    if (module < 1 || module > 16) return fail(e, "QR module size must be 1..16 dots, not %d", module);
    QRcode *q = qr_symbol(e, payload, len);
    if (!q) return -1;
    int side = q->width + 2 * ESCPOS_QR_QUIET;
    while (module > 1 && side * module > e->dots) module--;
    if (side * module > e->dots) {
        QRcode_free(q);
        return fail(e, "QR code of %d modules does not fit %d dots", side, e->dots);
    }
    int dots = side * module, bpr = (dots + 7) / 8;
    unsigned char *bits = calloc((size_t)bpr * dots, 1);
    if (!bits) {
        QRcode_free(q);
        return oom(e);
    }
    for (int y = 0; y < dots; y++) {
        int my = y / module - ESCPOS_QR_QUIET;
        if (my < 0 || my >= q->width) continue;
        for (int x = 0; x < dots; x++) {
            int mx = x / module - ESCPOS_QR_QUIET;
            if (mx >= 0 && mx < q->width && (q->data[my * q->width + mx] & 1))
                bits[(size_t)y * bpr + x / 8] |= (unsigned char)(0x80 >> (x % 8));
        }
    }
    QRcode_free(q);
    int rc = escpos_raster(e, bits, dots, dots);
    free(bits);
    return rc;
}

int escpos_raster(escpos_t *e, const unsigned char *bits, int width, int height)
{
    if (width < 1 || width > e->dots)
        return fail(e, "image is %d dots wide; the paper takes 1..%d", width, e->dots);
    if (height < 1) return fail(e, "image height must be at least 1 dot");
    size_t mark = e->len;
    int bpr = (width + 7) / 8;
    unsigned char pad = (unsigned char)(0xFF << ((8 - width % 8) % 8));
    for (int y0 = 0; y0 < height; y0 += ESCPOS_RASTER_MAX_ROWS) {
        int rows = height - y0 < ESCPOS_RASTER_MAX_ROWS ? height - y0 : ESCPOS_RASTER_MAX_ROWS;
        unsigned char head[8] = {0x1d, 0x76, 0x30, 0x00, (unsigned char)(bpr & 0xFF), (unsigned char)(bpr >> 8),
                                 (unsigned char)(rows & 0xFF), (unsigned char)(rows >> 8)};
        if (put(e, head, sizeof head) != 0 || reserve(e, (size_t)bpr * rows) != 0)
            return rollback(e, mark, e->replaced);
        for (int y = y0; y < y0 + rows; y++) {
            unsigned char *row = e->data + e->len;
            memcpy(row, bits + (size_t)y * bpr, (size_t)bpr);
            row[bpr - 1] &= pad;
            e->len += (size_t)bpr;
        }
    }
    return 0;
}

/* Luminance 0..255 of the pixel at X, Y of an ARGB8888 surface, transparent
 * pixels counting as white paper. */
static int luma(const SDL_Surface *s, int x, int y)
{
    Uint32 p = ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch))[x];
    int a = p >> 24 & 0xFF, r = p >> 16 & 0xFF, g = p >> 8 & 0xFF, b = p & 0xFF;
    int l = (r * 299 + g * 587 + b * 114) / 1000;
    return (l * a + 255 * (255 - a)) / 255;
}

int escpos_image_file(escpos_t *e, const char *path, int max_width)
{
    if (max_width <= 0 || max_width > e->dots) max_width = e->dots;
    SDL_Surface *img = IMG_Load(path);
    if (!img) return fail(e, "%s: %s", path, IMG_GetError());
    SDL_Surface *s = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(img);
    if (!s) return fail(e, "%s: %s", path, SDL_GetError());
    /* Box-filter down to the target size, then threshold: a thin line in a
     * big logo stays visible instead of being sampled away. */
    int w = s->w, h = s->h;
    if (w > max_width) {
        h = (int)((long)h * max_width / w);
        w = max_width;
        if (h < 1) h = 1;
    }
    int bpr = (w + 7) / 8;
    unsigned char *bits = calloc((size_t)bpr * h, 1);
    if (!bits) {
        SDL_FreeSurface(s);
        return oom(e);
    }
    for (int y = 0; y < h; y++) {
        int sy0 = (int)((long)y * s->h / h), sy1 = (int)((long)(y + 1) * s->h / h);
        if (sy1 <= sy0) sy1 = sy0 + 1;
        for (int x = 0; x < w; x++) {
            int sx0 = (int)((long)x * s->w / w), sx1 = (int)((long)(x + 1) * s->w / w);
            if (sx1 <= sx0) sx1 = sx0 + 1;
            long sum = 0, n = 0;
            for (int sy = sy0; sy < sy1; sy++)
                for (int sx = sx0; sx < sx1; sx++, n++) sum += luma(s, sx, sy);
            if (sum < 128 * n) bits[(size_t)y * bpr + x / 8] |= (unsigned char)(0x80 >> (x % 8));
        }
    }
    SDL_FreeSurface(s);
    int rc = escpos_raster(e, bits, w, h);
    free(bits);
    return rc;
}

int escpos_cut(escpos_t *e, escpos_cut_t kind)
{
    if (kind != ESCPOS_CUT_FULL && kind != ESCPOS_CUT_PARTIAL) return fail(e, "bad cut kind %d", (int)kind);
    unsigned char c[3] = {0x1d, 0x56, kind == ESCPOS_CUT_FULL ? 0x00 : 0x01};
    return put(e, c, 3);
}

int escpos_cut_feed(escpos_t *e, escpos_cut_t kind, int n)
{
    if (kind != ESCPOS_CUT_FULL && kind != ESCPOS_CUT_PARTIAL) return fail(e, "bad cut kind %d", (int)kind);
    if (n < 0 || n > 255) return fail(e, "cut feed must be 0..255, not %d", n);
    unsigned char c[4] = {0x1d, 0x56, kind == ESCPOS_CUT_FULL ? 0x41 : 0x42, (unsigned char)n};
    return put(e, c, 4);
}
