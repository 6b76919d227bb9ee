#include "printer/escpos_decode.h"

#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define DLE 0x10
#define ESC 0x1B
#define FS 0x1C
#define GS 0x1D

/* Length of "INTRO pL pH + that many bytes" starting at P[OFF]: the
 * function-block commands GS ( x, ESC ( x, FS ( x. */
static size_t block_len(const unsigned char *p, size_t avail, size_t off)
{
    if (avail < off + 2) return 0;
    size_t n = off + 2 + ((size_t)p[off] | (size_t)p[off + 1] << 8);
    return n <= avail ? n : 0;
}

/* Length of a command terminated by NUL after HEAD bytes, at most MAX data
 * bytes (the printer stops reading parameters there). */
static size_t nul_terminated_len(const unsigned char *p, size_t avail, size_t head, size_t max)
{
    for (size_t i = head; i < head + max + 1; i++) {
        if (i >= avail) return 0;
        if (p[i] == 0) return i + 1;
    }
    return head + max;
}

static size_t need(size_t n, size_t avail) { return n <= avail ? n : 0; }

/* ESC *  m nL nH d...: column-format bit image. */
static size_t esc_bitimage_len(const unsigned char *p, size_t avail)
{
    if (avail < 5) return 0;
    size_t cols = (size_t)p[3] | (size_t)p[4] << 8;
    size_t per = p[2] == 32 || p[2] == 33 ? 3 : 1;
    return need(5 + cols * per, avail);
}

/* ESC & y c1 c2 [x d1..d(y*x)]...: user-defined characters. */
static size_t esc_userchars_len(const unsigned char *p, size_t avail)
{
    if (avail < 5) return 0;
    size_t y = p[2], n = 5;
    int count = (int)p[4] - (int)p[3] + 1;
    for (int i = 0; i < count; i++) {
        if (n >= avail) return 0;
        n += 1 + y * p[n];
    }
    return need(n, avail);
}

/* FS q n [xL xH yL yH d1..dk]...: NV bit images, k = x * y * 8. */
static size_t fs_nvimages_len(const unsigned char *p, size_t avail)
{
    if (avail < 3) return 0;
    size_t n = 3;
    for (int i = 0; i < p[2]; i++) {
        if (avail < n + 4) return 0;
        size_t x = (size_t)p[n] | (size_t)p[n + 1] << 8, y = (size_t)p[n + 2] | (size_t)p[n + 3] << 8;
        n += 4 + x * y * 8;
        if (n > avail) return 0;
    }
    return n;
}

static size_t dle_len(const unsigned char *p, size_t avail)
{
    switch (p[1]) {
    case 0x04: case 0x05: return need(3, avail);     /* EOT n, ENQ n */
    case 0x14:                                        /* DC4 fn ... */
        if (avail < 3) return 0;
        switch (p[2]) {
        case 1: case 2: return need(5, avail);
        case 7: return need(4, avail);
        case 8: return need(9, avail);
        }
        return 2;
    }
    return 2;
}

static size_t esc_len(const unsigned char *p, size_t avail)
{
    switch (p[1]) {
    case '@': case '2': case 0x0C: case 'L': case 'S': case 'i': case 'm': case '<': case 'v':
        return 2;
    case '!': case '-': case '3': case 'E': case 'G': case 'J': case 'K': case 'M': case 'R':
    case 'T': case 'U': case 'V': case 'a': case 'd': case 'e': case 'r': case 't': case '{':
    case ' ': case '=': case '%': case '?': case 'j': case 'u':
        return need(3, avail);
    case '$': case '\\': case 'c': case 'f':
        return need(4, avail);
    case 'p': return need(5, avail);
    case 'W': return need(10, avail);
    case '*': return esc_bitimage_len(p, avail);
    case 'D': return nul_terminated_len(p, avail, 2, 32);
    case '&': return esc_userchars_len(p, avail);
    case '(': return block_len(p, avail, 3);
    }
    return 2;
}

static size_t fs_len(const unsigned char *p, size_t avail)
{
    switch (p[1]) {
    case '&': case '.': return 2;
    case '!': case '-': case 'W': case 'C': return need(3, avail);
    case '?': case 'S': case 'p': return need(4, avail);
    case '2': return need(76, avail);                 /* c1 c2 + 72 bytes of 24x24 dots */
    case 'q': return fs_nvimages_len(p, avail);
    case '(': return block_len(p, avail, 3);
    }
    return 2;
}

static size_t gs_len(const unsigned char *p, size_t avail)
{
    switch (p[1]) {
    case ':': return 2;
    case '!': case 'B': case 'H': case 'I': case 'a': case 'b': case 'f': case 'h': case 'r':
    case 'w': case 'T': case '/': case 'E':
        return need(3, avail);
    case 'L': case 'W': case 'P': case '$': case '\\':
        return need(4, avail);
    case '^': return need(5, avail);
    case 'V':
        if (avail < 3) return 0;
        switch (p[2]) {
        case 0: case 1: case 48: case 49: return 3;
        case 65: case 66: case 97: case 98: case 103: case 104: return need(4, avail);
        }
        return 2;
    case 'v':
        if (avail < 3) return 0;
        if (p[2] != '0') return 2;
        if (avail < 8) return 0;
        return need(8 + ((size_t)p[4] | (size_t)p[5] << 8) * ((size_t)p[6] | (size_t)p[7] << 8), avail);
    case '*':
        if (avail < 4) return 0;
        return need(4 + (size_t)p[2] * p[3] * 8, avail);
    case 'k':
        if (avail < 3) return 0;
        if (p[2] <= 6) return nul_terminated_len(p, avail, 3, 255);
        if (p[2] >= 65 && p[2] <= 79) return avail < 4 ? 0 : need(4 + (size_t)p[3], avail);
        return 2;
    case '(': return block_len(p, avail, 3);
    case '8':
        if (avail < 7) return 0;
        {
            uint64_t n = 7 + ((uint64_t)p[3] | (uint64_t)p[4] << 8 | (uint64_t)p[5] << 16 | (uint64_t)p[6] << 24);
            return n <= avail ? (size_t)n : 0;
        }
    }
    return 2;
}

size_t escpos_command_length(const unsigned char *p, size_t avail)
{
    if (avail == 0) return 0;
    if (p[0] != DLE && p[0] != ESC && p[0] != FS && p[0] != GS) return 1;
    if (avail < 2) return 0;
    switch (p[0]) {
    case DLE: return dle_len(p, avail);
    case ESC: return esc_len(p, avail);
    case FS: return fs_len(p, avail);
    default: return gs_len(p, avail);
    }
}

/* Is the 2-byte command at P one this table does not know (length 2 and
 * not one of the real 2-byte commands)? */
static int is_unknown(const unsigned char *p, size_t n)
{
    if (n != 2) return 0;
    switch (p[0]) {
    case ESC: return !strchr("@2LSim<v\x0c", p[1]) || p[1] == 0;
    case FS: return p[1] != '&' && p[1] != '.';
    case GS: return p[1] != ':';
    default: return 1;
    }
}

/* ------------------------------------------------------------------ model */

typedef struct {
    escpos_doc_t *doc;
    iconv_t from_gb;
    int oom;
    /* printer modes */
    int align, bold, width, height, chinese;
    int line_started;           /* runs already emitted on this line */
    int line_align;             /* alignment captured at the line's start */
    /* the pending run */
    char *run;
    size_t run_len, run_cap;
    unsigned char gb[4];
    int gb_n;
    /* QR symbol storage */
    unsigned char *qr;
    size_t qr_len;
    int qr_module, qr_level;
} state_t;

static escpos_item_t *add_item(state_t *s, escpos_item_kind_t kind)
{
    escpos_doc_t *d = s->doc;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        escpos_item_t *it = realloc(d->items, cap * sizeof *it);
        if (!it) {
            s->oom = 1;
            return NULL;
        }
        d->items = it;
        d->cap = cap;
    }
    escpos_item_t *it = &d->items[d->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->align = s->line_started ? s->line_align : s->align;
    it->feed = -1;
    return it;
}

static void run_put(state_t *s, const char *p, size_t n)
{
    if (s->run_cap - s->run_len < n + 1) {
        size_t cap = s->run_cap ? s->run_cap : 64;
        while (cap - s->run_len < n + 1) cap *= 2;
        char *r = realloc(s->run, cap);
        if (!r) {
            s->oom = 1;
            return;
        }
        s->run = r;
        s->run_cap = cap;
    }
    memcpy(s->run + s->run_len, p, n);
    s->run_len += n;
}

static void bad_char(state_t *s)
{
    s->doc->stray++;
    run_put(s, "?", 1);
}

/* A GB18030 sequence left unfinished prints as one '?'. */
static void gb_abandon(state_t *s)
{
    if (s->gb_n) {
        s->gb_n = 0;
        bad_char(s);
    }
}

static void gb_convert(state_t *s)
{
    char out[8], *op = out, *ip = (char *)s->gb;
    size_t il = (size_t)s->gb_n, ol = sizeof out;
    s->gb_n = 0;
    iconv(s->from_gb, NULL, NULL, NULL, NULL);
    if (s->from_gb == (iconv_t)-1 || iconv(s->from_gb, &ip, &il, &op, &ol) == (size_t)-1 || il != 0 || op == out)
        bad_char(s);
    else
        run_put(s, out, (size_t)(op - out));
}

/* Ends the pending run as a text item; EOL says whether a line feed ended
 * it. Emits nothing for an empty run that does not end a line. */
static void flush_run(state_t *s, int eol)
{
    gb_abandon(s);
    if (s->run_len == 0 && !eol) return;
    escpos_item_t *it = add_item(s, ESCPOS_ITEM_TEXT);
    if (!it) return;
    it->data = malloc(s->run_len + 1);
    if (!it->data) {
        s->oom = 1;
        s->doc->n--;
        return;
    }
    memcpy(it->data, s->run ? s->run : "", s->run_len);
    it->data[s->run_len] = '\0';
    it->len = s->run_len;
    it->bold = s->bold;
    it->width = s->width;
    it->height = s->height;
    it->eol = eol;
    s->run_len = 0;
    if (eol) {
        s->line_started = 0;
    } else if (!s->line_started) {
        s->line_started = 1;
        s->line_align = s->align;
    }
}

static int mid_line(const state_t *s) { return s->line_started || s->run_len > 0 || s->gb_n > 0; }

/* Before an image, a QR code or a feed the printer prints what it holds. */
static void print_buffer(state_t *s)
{
    if (mid_line(s)) flush_run(s, 1);
}

static void reset_modes(state_t *s)
{
    s->align = s->bold = s->chinese = 0;
    s->width = s->height = 1;
    s->line_started = 0;
    s->run_len = 0;
    s->gb_n = 0;
}

static void text_byte(state_t *s, unsigned char b)
{
    if (s->gb_n) {
        int ok;
        switch (s->gb_n) {
        case 1: ok = (b >= 0x30 && b <= 0x39) || (b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFE); break;
        case 2: ok = b >= 0x81 && b <= 0xFE; break;
        default: ok = b >= 0x30 && b <= 0x39; break;
        }
        if (ok) {
            s->gb[s->gb_n++] = b;
            if ((s->gb_n == 2 && !(b >= 0x30 && b <= 0x39)) || s->gb_n == 4) gb_convert(s);
            return;
        }
        gb_abandon(s);
    }
    if (b == '\n') {
        flush_run(s, 1);
    } else if (b == '\t') {
        run_put(s, " ", 1);
    } else if (b == '\r' || b == 0x0C || b == 0x18) {
        s->doc->ignored++;          /* CR (ignored by default), FF and CAN (page mode) */
    } else if (b < 0x20 || b == 0x7F) {
        s->doc->stray++;
    } else if (b < 0x80) {
        char c = (char)b;
        run_put(s, &c, 1);
    } else if (s->chinese && b >= 0x81 && b <= 0xFE) {
        s->gb[0] = b;
        s->gb_n = 1;
    } else {
        bad_char(s);
    }
}

/* A style change: text before it keeps the old style. */
static void style_change(state_t *s)
{
    if (s->run_len || s->gb_n) flush_run(s, 0);
}

static void qr_block(state_t *s, const unsigned char *p, size_t n)
{
    size_t plen = n - 5;            /* cn fn and parameters */
    const unsigned char *q = p + 5;
    if (plen < 2 || q[0] != 0x31) {
        s->doc->ignored++;
        return;
    }
    switch (q[1]) {
    case 0x43:                      /* module size */
        if (plen >= 3 && q[2] >= 1 && q[2] <= 16) s->qr_module = q[2];
        else s->doc->ignored++;
        return;
    case 0x45:                      /* error level */
        if (plen >= 3 && q[2] >= 0x30 && q[2] <= 0x33) s->qr_level = q[2] - 0x30;
        else s->doc->ignored++;
        return;
    case 0x50:                      /* store */
        if (plen < 3) {
            s->doc->ignored++;
            return;
        }
        free(s->qr);
        s->qr = NULL;
        s->qr_len = plen - 3;
        if (s->qr_len) {
            s->qr = malloc(s->qr_len);
            if (!s->qr) {
                s->oom = 1;
                s->qr_len = 0;
                return;
            }
            memcpy(s->qr, q + 3, s->qr_len);
        }
        return;
    case 0x51: {                    /* print */
        if (!s->qr_len) {
            s->doc->ignored++;
            return;
        }
        print_buffer(s);
        escpos_item_t *it = add_item(s, ESCPOS_ITEM_QR);
        if (!it) return;
        it->data = malloc(s->qr_len + 1);
        if (!it->data) {
            s->oom = 1;
            s->doc->n--;
            return;
        }
        memcpy(it->data, s->qr, s->qr_len);
        it->data[s->qr_len] = '\0';
        it->len = s->qr_len;
        it->qr_module = s->qr_module;
        it->qr_level = s->qr_level;
        return;
    }
    case 0x41:                      /* model: only model 2 is drawn, others are noted */
        if (plen < 3 || q[2] != 0x32) s->doc->ignored++;
        return;
    }
    s->doc->ignored++;
}

static void raster(state_t *s, const unsigned char *p)
{
    int m = p[3];
    size_t x = (size_t)p[4] | (size_t)p[5] << 8, y = (size_t)p[6] | (size_t)p[7] << 8;
    if (x == 0 || y == 0 || !(m <= 3 || (m >= 48 && m <= 51))) {
        s->doc->ignored++;
        return;
    }
    print_buffer(s);
    escpos_item_t *it = add_item(s, ESCPOS_ITEM_RASTER);
    if (!it) return;
    it->bits = malloc(x * y);
    if (!it->bits) {
        s->oom = 1;
        s->doc->n--;
        return;
    }
    memcpy(it->bits, p + 8, x * y);
    it->bytes_per_row = (int)x;
    it->rows = (int)y;
    it->raster_mode = m & 3;
}

static void command(state_t *s, const unsigned char *p, size_t n, size_t at)
{
    escpos_doc_t *d = s->doc;
    if (is_unknown(p, n)) {
        d->unknown++;
        if (d->first_unknown < 0) d->first_unknown = (long)at;
        return;
    }
    escpos_item_t *it;
    switch (p[0] << 8 | p[1]) {
    case ESC << 8 | '@':
        d->inits++;
        reset_modes(s);
        return;
    case ESC << 8 | 'a': {
        int a = p[2] >= 48 ? p[2] - 48 : p[2];
        if (mid_line(s) || a > 2) {
            d->ignored++;           /* only effective at the start of a line */
            return;
        }
        s->align = a;
        return;
    }
    case ESC << 8 | 'E':
        style_change(s);
        s->bold = p[2] & 1;
        return;
    case ESC << 8 | '!':
        style_change(s);
        s->bold = (p[2] & 0x08) != 0;
        s->height = p[2] & 0x10 ? 2 : 1;
        s->width = p[2] & 0x20 ? 2 : 1;
        return;
    case GS << 8 | '!':
        style_change(s);
        s->width = (p[2] >> 4 & 7) + 1;
        s->height = (p[2] & 7) + 1;
        return;
    case FS << 8 | '&':
        gb_abandon(s);
        s->chinese = 1;
        return;
    case FS << 8 | '.':
        gb_abandon(s);
        s->chinese = 0;
        return;
    case ESC << 8 | 'd': {
        int lines = p[2];
        if (mid_line(s)) {
            flush_run(s, 1);
            lines--;
        }
        if (lines > 0 && (it = add_item(s, ESCPOS_ITEM_FEED))) it->feed = lines;
        return;
    }
    case GS << 8 | 'V':
        if (mid_line(s)) {
            d->ignored++;           /* only effective at the start of a line */
            return;
        }
        if (!(it = add_item(s, ESCPOS_ITEM_CUT))) return;
        it->partial = p[2] == 1 || p[2] == 49 || p[2] == 66 || p[2] == 98 || p[2] == 104;
        it->feed = n == 4 ? p[3] : -1;
        return;
    case GS << 8 | 'v':
        raster(s, p);
        return;
    case GS << 8 | '(':
        if (p[2] == 'k') qr_block(s, p, n);
        else d->ignored++;
        return;
    case DLE << 8 | 0x04:
        if ((it = add_item(s, ESCPOS_ITEM_STATUS))) it->status_n = p[2];
        return;
    }
    d->ignored++;
}

int escpos_decode(const unsigned char *data, size_t len, escpos_doc_t *doc)
{
    memset(doc, 0, sizeof *doc);
    doc->first_unknown = -1;
    state_t s = {.doc = doc, .width = 1, .height = 1, .qr_module = 3, .qr_level = 0};
    s.from_gb = iconv_open("UTF-8", "GB18030");
    size_t i = 0;
    while (i < len && !s.oom) {
        size_t n = escpos_command_length(data + i, len - i);
        if (n == 0) {
            doc->truncated = 1;
            break;
        }
        if (n == 1 && data[i] != DLE && data[i] != ESC && data[i] != FS && data[i] != GS)
            text_byte(&s, data[i]);
        else
            command(&s, data + i, n, i);
        i += n;
    }
    if (!s.oom) flush_run(&s, 0);
    if (s.from_gb != (iconv_t)-1) iconv_close(s.from_gb);
    free(s.run);
    free(s.qr);
    return s.oom ? -1 : 0;
}

void escpos_doc_free(escpos_doc_t *doc)
{
    for (size_t i = 0; i < doc->n; i++) {
        free(doc->items[i].data);
        free(doc->items[i].bits);
    }
    free(doc->items);
    memset(doc, 0, sizeof *doc);
    doc->first_unknown = -1;
}

size_t escpos_doc_count(const escpos_doc_t *doc, escpos_item_kind_t kind)
{
    size_t c = 0;
    for (size_t i = 0; i < doc->n; i++) c += doc->items[i].kind == kind;
    return c;
}
