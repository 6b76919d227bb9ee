#include "picture.h"

#include <math.h>
#include <png.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include "exif.h"

/* A decoded image: W x H pixels of CH bytes (3: RGB, 4: RGBA), rows packed. */
typedef struct {
    unsigned char *px;
    int w, h, ch;
} raster_t;

static int refuse(picture_error_t *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(picture_error_t *err, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

const char *picture_sniff(const unsigned char *p, size_t n)
{
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) return "image/jpeg";
    return NULL;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A JPEG's frame size from its SOF marker, and the orientation of its first
 * EXIF APP1 segment met on the way. Markers are walked by their lengths up
 * to the frame header; the entropy-coded data after it is never read. */
static int probe_jpeg(const unsigned char *p, size_t n, int *w, int *h, int *orientation)
{
    size_t i = 2;
    bool seen_exif = false;
    *orientation = 1;
    while (i + 4 <= n) {
        if (p[i] != 0xff) return -1;
        while (i < n && p[i] == 0xff) i++;              /* fill bytes */
        if (i + 3 > n) return -1;
        unsigned m = p[i++];
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) continue;   /* no length */
        if (m == 0xd8 || m == 0xd9 || m == 0xda) return -1;    /* no frame header before the data */
        size_t len = (size_t)p[i] << 8 | p[i + 1];
        if (len < 2 || i + len > n) return -1;
        const unsigned char *seg = p + i + 2;
        size_t sn = len - 2;
        if (m == 0xe1 && !seen_exif && sn >= 6 && !memcmp(seg, "Exif\0\0", 6)) {
            *orientation = exif_orientation(seg, sn);
            seen_exif = true;
        }
        bool sof = m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
        if (sof) {
            if (sn < 6) return -1;
            *h = seg[1] << 8 | seg[2];
            *w = seg[3] << 8 | seg[4];
            return 0;
        }
        i += len;
    }
    return -1;
}

int picture_probe(const unsigned char *p, size_t n, const char **type, int *w, int *h, int *orientation)
{
    *type = picture_sniff(p, n);
    *w = *h = 0;
    *orientation = 1;
    if (!*type) return -1;
    if (!strcmp(*type, "image/jpeg")) return probe_jpeg(p, n, w, h, orientation);
    /* PNG: the signature, then IHDR first of all chunks (length 13). */
    if (n < 8 + 8 + 13 || be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4) != 0) return -1;
    uint32_t pw = be32(p + 16), ph = be32(p + 20);
    *w = pw > INT32_MAX ? INT32_MAX : (int)pw;
    *h = ph > INT32_MAX ? INT32_MAX : (int)ph;
    return 0;
}

/* The size W x H fits in FIT x FIT, keeping its shape; never larger. */
static void fit_size(int w, int h, int fit, int *dw, int *dh)
{
    double s = 1.0;
    if (w > fit) s = (double)fit / w;
    if (h * s > fit) s = (double)fit / h;
    *dw = s < 1.0 ? (int)lround(w * s) : w;
    *dh = s < 1.0 ? (int)lround(h * s) : h;
    if (*dw < 1) *dw = 1;
    if (*dh < 1) *dh = 1;
    if (*dw > fit) *dw = fit;
    if (*dh > fit) *dh = fit;
}

/* ---- decoding ---------------------------------------------------------------- */

static int decode_png(const unsigned char *in, size_t n, int pw, int ph, raster_t *r, picture_error_t *err)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&im, in, n))
        return refuse(err, "invalid_picture", "the PNG cannot be read: %s", im.message);
    if ((int)im.width != pw || (int)im.height != ph) {
        png_image_free(&im);
        return refuse(err, "invalid_picture", "the PNG's header cannot be read");
    }
    bool alpha = (im.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    im.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    r->w = (int)im.width;
    r->h = (int)im.height;
    r->ch = alpha ? 4 : 3;
    r->px = malloc(PNG_IMAGE_SIZE(im));
    if (!r->px) {
        png_image_free(&im);
        return refuse(err, "memory", "out of memory for a %dx%d picture", r->w, r->h);
    }
    /* A grey or palette PNG comes out as RGB(A); 16-bit as 8-bit sRGB. */
    if (!png_image_finish_read(&im, NULL, r->px, 0, NULL)) {
        free(r->px);
        r->px = NULL;
        return refuse(err, "invalid_picture", "the PNG is damaged or cut short: %s", im.message);
    }
    return 0;
}

/* Decodes at the smallest of TurboJPEG's scales that still gives at least
 * WANT_W x WANT_H: a 40 MP photo shrunk to 1600 is decoded at 1/2 or 1/4. */
static int decode_jpeg(const unsigned char *in, size_t n, int pw, int ph, int want_w, int want_h, raster_t *r,
                       picture_error_t *err)
{
    tjhandle tj = tjInitDecompress();
    if (!tj) return refuse(err, "memory", "cannot start the JPEG decoder");
    int w = 0, h = 0, sub = 0, cs = 0, rc = -1;
    if (tjDecompressHeader3(tj, in, (unsigned long)n, &w, &h, &sub, &cs) != 0) {
        refuse(err, "invalid_picture", "the JPEG cannot be read: %s", tjGetErrorStr2(tj));
        goto end;
    }
    if (w != pw || h != ph) {
        refuse(err, "invalid_picture", "the JPEG's header cannot be read");
        goto end;
    }
    if (cs == TJCS_CMYK || cs == TJCS_YCCK) {
        refuse(err, "invalid_picture", "a CMYK JPEG (made for print) cannot be shown; save it as RGB");
        goto end;
    }
    int nsf = 0;
    tjscalingfactor *sf = tjGetScalingFactors(&nsf), best = {1, 1};
    for (int i = 0; sf && i < nsf; i++) {
        if (sf[i].num > sf[i].denom) continue;
        int sw = TJSCALED(w, sf[i]), sh = TJSCALED(h, sf[i]);
        if (sw >= want_w && sh >= want_h && sw < TJSCALED(w, best)) best = sf[i];
    }
    r->w = TJSCALED(w, best);
    r->h = TJSCALED(h, best);
    r->ch = 3;
    r->px = malloc((size_t)r->w * r->h * 3);
    if (!r->px) {
        refuse(err, "memory", "out of memory for a %dx%d picture", r->w, r->h);
        goto end;
    }
    /* A warning (data cut short, a corrupt segment) refuses it too: a
     * half-grey picture must not reach the kiosks. LIMITSCANS: a
     * progressive JPEG of thousands of scans is a CPU bomb. */
    if (tjDecompress2(tj, in, (unsigned long)n, r->px, r->w, 0, r->h, TJPF_RGB,
                      TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0) {
        refuse(err, "invalid_picture", "the JPEG is damaged or cut short: %s", tjGetErrorStr2(tj));
        free(r->px);
        r->px = NULL;
        goto end;
    }
    rc = 0;
end:
    tjDestroy(tj);
    return rc;
}

/* ---- shrinking -------------------------------------------------------------- */

/* How source columns [0, SW) fall into DW output columns: output X takes
 * source columns FIRST[X] .. FIRST[X] + COUNT[X] - 1, each with its share
 * of the column in WEIGHT (from OFF[X]). Shares of one output sum to SW/DW. */
typedef struct {
    int *first, *count, *off;
    float *weight;
} spans_t;

static void spans_free(spans_t *s)
{
    free(s->first);
    free(s->count);
    free(s->off);
    free(s->weight);
}

static int spans_make(spans_t *s, int sw, int dw)
{
    s->first = malloc(sizeof(int) * (size_t)dw);
    s->count = malloc(sizeof(int) * (size_t)dw);
    s->off = malloc(sizeof(int) * (size_t)dw);
    s->weight = malloc(sizeof(float) * ((size_t)sw + 2 * (size_t)dw));
    if (!s->first || !s->count || !s->off || !s->weight) return -1;
    int k = 0;
    for (int x = 0; x < dw; x++) {
        double a = (double)x * sw / dw, b = (double)(x + 1) * sw / dw;
        int i0 = (int)floor(a), i1 = (int)ceil(b) - 1;
        if (i1 >= sw) i1 = sw - 1;
        s->first[x] = i0;
        s->off[x] = k;
        s->count[x] = 0;
        for (int i = i0; i <= i1; i++) {
            double wgt = fmin(b, i + 1.0) - fmax(a, (double)i);
            if (wgt <= 0) wgt = 0;
            s->weight[k++] = (float)wgt;
            s->count[x]++;
        }
    }
    return 0;
}

/* SRC shrunk to DW x DH into DST (same channels) by area averaging, one
 * source row at a time (two rows of floats: a 40 MP input costs no more
 * memory than its output). With alpha, colours are weighted by it, so a
 * transparent pixel's colour does not bleed into its neighbours. */
static int shrink(const raster_t *src, raster_t *dst, int dw, int dh)
{
    const int ch = src->ch, sw = src->w, sh = src->h;
    spans_t sp = {0};
    float *row = NULL, *acc = NULL;
    int rc = -1;
    dst->px = malloc((size_t)dw * dh * ch);
    row = malloc(sizeof(float) * (size_t)dw * ch);
    acc = calloc((size_t)dw * ch, sizeof(float));
    if (!dst->px || !row || !acc || spans_make(&sp, sw, dw) != 0) goto end;
    dst->w = dw;
    dst->h = dh;
    dst->ch = ch;
    const double area = ((double)sw / dw) * ((double)sh / dh);
    int y = 0;
    for (int r = 0; r < sh && y < dh; r++) {
        const unsigned char *s = src->px + (size_t)r * sw * ch;
        for (int x = 0; x < dw; x++) {
            float v[4] = {0, 0, 0, 0};
            for (int k = 0; k < sp.count[x]; k++) {
                const unsigned char *p = s + (size_t)(sp.first[x] + k) * ch;
                float wgt = sp.weight[sp.off[x] + k];
                float a = ch == 4 ? p[3] / 255.0f : 1.0f;
                for (int c = 0; c < 3; c++) v[c] += wgt * a * p[c];
                if (ch == 4) v[3] += wgt * p[3];
            }
            memcpy(row + (size_t)x * ch, v, sizeof(float) * (size_t)ch);
        }
        /* This source row [r, r+1) overlaps output row y, and the next one when y ends inside it. */
        for (;;) {
            double a = (double)y * sh / dh, b = (double)(y + 1) * sh / dh;
            double wgt = fmin(b, r + 1.0) - fmax(a, (double)r);
            if (wgt > 0)
                for (int i = 0; i < dw * ch; i++) acc[i] += (float)wgt * row[i];
            if (b > r + 1.0 + 1e-9) break;
            unsigned char *d = dst->px + (size_t)y * dw * ch;
            for (int x = 0; x < dw; x++) {
                float *v = acc + (size_t)x * ch;
                double alpha = ch == 4 ? v[3] / area : 255.0;
                for (int c = 0; c < ch; c++) {
                    double out = c == 3 ? alpha : alpha > 0 ? v[c] / area * 255.0 / alpha : 0;
                    d[(size_t)x * ch + c] = (unsigned char)(out < 0 ? 0 : out > 255 ? 255 : lround(out));
                }
            }
            memset(acc, 0, sizeof(float) * (size_t)dw * ch);
            if (++y == dh) break;
        }
    }
    rc = y == dh ? 0 : -1;
end:
    spans_free(&sp);
    free(row);
    free(acc);
    if (rc) {
        free(dst->px);
        dst->px = NULL;
    }
    return rc;
}

/* SRC turned upright by EXIF orientation O (2-8) into DST. */
static int orient(const raster_t *src, raster_t *dst, int o)
{
    const int w = src->w, h = src->h, ch = src->ch;
    bool swap = o >= 5;
    dst->w = swap ? h : w;
    dst->h = swap ? w : h;
    dst->ch = ch;
    dst->px = malloc((size_t)w * h * ch);
    if (!dst->px) return -1;
    for (int y = 0; y < dst->h; y++)
        for (int x = 0; x < dst->w; x++) {
            int sx, sy;
            switch (o) {
            case 2: sx = w - 1 - x; sy = y; break;
            case 3: sx = w - 1 - x; sy = h - 1 - y; break;
            case 4: sx = x; sy = h - 1 - y; break;
            case 5: sx = y; sy = x; break;
            case 6: sx = y; sy = h - 1 - x; break;
            case 7: sx = w - 1 - y; sy = h - 1 - x; break;
            case 8: sx = w - 1 - y; sy = x; break;
            default: sx = x; sy = y; break;
            }
            memcpy(dst->px + ((size_t)y * dst->w + x) * ch, src->px + ((size_t)sy * w + sx) * ch, (size_t)ch);
        }
    return 0;
}

/* ---- encoding ---------------------------------------------------------------- */

static int encode_png(const raster_t *r, picture_t *out, picture_error_t *err)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = (png_uint_32)r->w;
    im.height = (png_uint_32)r->h;
    im.format = r->ch == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&im, NULL, &size, 0, r->px, 0, NULL))
        return refuse(err, "memory", "the PNG cannot be written: %s", im.message);
    out->data = malloc(size);
    if (!out->data) return refuse(err, "memory", "out of memory");
    if (!png_image_write_to_memory(&im, out->data, &size, 0, r->px, 0, NULL)) {
        free(out->data);
        out->data = NULL;
        return refuse(err, "memory", "the PNG cannot be written: %s", im.message);
    }
    out->len = size;
    out->type = "image/png";
    return 0;
}

static int encode_jpeg(const raster_t *r, picture_t *out, picture_error_t *err)
{
    tjhandle tj = tjInitCompress();
    unsigned char *buf = NULL;
    unsigned long size = 0;
    int rc = -1;
    if (!tj) return refuse(err, "memory", "cannot start the JPEG encoder");
    if (tjCompress2(tj, r->px, r->w, 0, r->h, TJPF_RGB, &buf, &size, TJSAMP_420, PICTURE_JPEG_QUALITY, 0) != 0) {
        refuse(err, "memory", "the JPEG cannot be written: %s", tjGetErrorStr2(tj));
        goto end;
    }
    out->data = malloc(size);
    if (!out->data) {
        refuse(err, "memory", "out of memory");
        goto end;
    }
    memcpy(out->data, buf, size);
    out->len = size;
    out->type = "image/jpeg";
    rc = 0;
end:
    tjFree(buf);
    tjDestroy(tj);
    return rc;
}

/* ---- the whole way ----------------------------------------------------------- */

int picture_process(const unsigned char *in, size_t n, const char *declared, int fit, picture_t *out,
                    picture_error_t *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    if (fit <= 0) fit = PICTURE_FIT;
    if (!declared || (strcmp(declared, "image/png") != 0 && strcmp(declared, "image/jpeg") != 0))
        return refuse(err, "unsupported_type", "a picture is a PNG (image/png) or a JPEG (image/jpeg)");
    if (n > PICTURE_MAX_BYTES)
        return refuse(err, "picture_too_large", "the file has %zu bytes; at most %d MiB", n,
                      PICTURE_MAX_BYTES / (1024 * 1024));
    const char *type;
    int w, h, o;
    int probed = picture_probe(in, n, &type, &w, &h, &o);
    if (!type) return refuse(err, "invalid_picture", "the file is not a PNG or JPEG picture");
    if (strcmp(type, declared) != 0)
        return refuse(err, "type_mismatch", "the file is a %s but was sent as %s", type + 6, declared + 6);
    if (probed != 0) return refuse(err, "invalid_picture", "the %s's header is missing or cut short", type + 6);
    if (w > PICTURE_MAX_SIDE || h > PICTURE_MAX_SIDE || (long long)w * h > PICTURE_MAX_PIXELS)
        return refuse(err, "picture_too_large", "%dx%d pixels is too large: at most %lld million pixels,"
                      " %d on a side", w, h, PICTURE_MAX_PIXELS / 1000000, PICTURE_MAX_SIDE);
    if (w < PICTURE_MIN_SIDE || h < PICTURE_MIN_SIDE)
        return refuse(err, "picture_too_small", "%dx%d pixels is too small: at least %d on a side", w, h,
                      PICTURE_MIN_SIDE);

    /* The output's size as shown; stored the other way round when the photo is turned. */
    int dw, dh, sw, sh;
    fit_size(o >= 5 ? h : w, o >= 5 ? w : h, fit, &dw, &dh);
    sw = o >= 5 ? dh : dw;
    sh = o >= 5 ? dw : dh;
    raster_t dec = {0}, small = {0}, up = {0};
    const raster_t *cur = &dec;
    int rc = -1;
    bool jpeg = !strcmp(type, "image/jpeg");
    if ((jpeg ? decode_jpeg(in, n, w, h, sw, sh, &dec, err) : decode_png(in, n, w, h, &dec, err)) != 0)
        return -1;
    if (dec.w != sw || dec.h != sh) {
        if (shrink(&dec, &small, sw, sh) != 0) {
            refuse(err, "memory", "out of memory shrinking the picture");
            goto end;
        }
        cur = &small;
    }
    if (o > 1) {
        if (orient(cur, &up, o) != 0) {
            refuse(err, "memory", "out of memory turning the picture");
            goto end;
        }
        cur = &up;
    }
    if ((jpeg ? encode_jpeg(cur, out, err) : encode_png(cur, out, err)) != 0) goto end;
    out->width = cur->w;
    out->height = cur->h;
    rc = 0;
end:
    free(dec.px);
    free(small.px);
    free(up.px);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

void picture_free(picture_t *p)
{
    if (!p) return;
    free(p->data);
    memset(p, 0, sizeof *p);
}
