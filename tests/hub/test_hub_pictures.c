/* Pictures for console notices (hub/picture.c, hub/exif.c,
 * hub/console_pictures.c): what is uploaded comes out without its metadata
 * (a PNG's text chunks, a JPEG's EXIF with its GPS position and its
 * comment: the bytes are searched), upright (EXIF orientation 6), shrunk to
 * fit by averaging areas, never upscaled; a wrong magic, a declared type the
 * bytes are not, a cut-short file, a header claiming a gigapixel, a tiny
 * picture are refused with their reason; who may upload (editor and up,
 * with the CSRF token), the same picture twice is one asset, the listing
 * and the bytes for thumbnails; a notice with a picture published carries
 * it as the item's images and the bundle's assets (through the real
 * signer), withdrawn it leaves them. The test pictures are made here with
 * libpng and TurboJPEG; requests go through hub_handle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <png.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <turbojpeg.h>
#include <unistd.h>
#include "auth.h"
#include "db.h"
#include "exif.h"
#include "consoletest.h"
#include "hubtest.h"
#include "picture.h"
#include "server.h"
#include "staff.h"

#define GPS_MARK "GPS-31.2304N-121.4737E"
#define COMMENT_MARK "taken-by-wang-at-home"

typedef struct {
    hubtest_t *t;
    hub_t *hub;
} fx_t;

typedef struct {
    unsigned char *p;
    size_t n;
} bytes_t;

/* ---- pictures to upload ---------------------------------------------------- */

/* Pixel (x, y) of a test picture: PATTERN 0 solid (R, G, B); 1 left half
 * (R, G, B), right half blue; 2 one-pixel black and white columns; 3 the
 * top-left quadrant (R, G, B), the rest blue (W x 32 pictures). */
static void pixel(int pattern, int x, int y, int w, const unsigned char rgb[3], unsigned char *out)
{
    if (pattern == 3 && (x >= w / 2 || y >= 16)) {
        out[0] = 0; out[1] = 0; out[2] = 255;
    } else if (pattern == 2) {
        memset(out, x % 2 ? 255 : 0, 3);
    } else if (pattern == 1 && x >= w / 2) {
        out[0] = 0; out[1] = 0; out[2] = 255;
    } else {
        memcpy(out, rgb, 3);
    }
}

static bytes_t make_png(int w, int h, int pattern, const unsigned char rgb[3], int alpha)
{
    int ch = alpha ? 4 : 3;
    unsigned char *px = malloc((size_t)w * h * ch);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = px + ((size_t)y * w + x) * ch;
            pixel(pattern, x, y, w, rgb, p);
            if (alpha) p[3] = (unsigned char)alpha;
        }
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = (png_uint_32)w;
    im.height = (png_uint_32)h;
    im.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    png_alloc_size_t n = 0;
    assert_true(png_image_write_to_memory(&im, NULL, &n, 0, px, 0, NULL));
    bytes_t b = {malloc(n), n};
    assert_true(png_image_write_to_memory(&im, b.p, &n, 0, px, 0, NULL));
    b.n = n;
    free(px);
    return b;
}

static bytes_t make_jpeg(int w, int h, int pattern, const unsigned char rgb[3])
{
    unsigned char *px = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) pixel(pattern, x, y, w, rgb, px + ((size_t)y * w + x) * 3);
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    assert_int_equal(tjCompress2(tj, px, w, 0, h, TJPF_RGB, &jpg, &n, TJSAMP_444, 95, 0), 0);
    bytes_t b = {malloc(n), n};
    memcpy(b.p, jpg, n);
    tjFree(jpg);
    tjDestroy(tj);
    free(px);
    return b;
}

static void put32be(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16); p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

/* PNG B with a tEXt chunk (KEY, TEXT) after its IHDR. */
static void png_add_text(bytes_t *b, const char *key, const char *text)
{
    size_t kl = strlen(key), tl = strlen(text), dl = kl + 1 + tl;
    unsigned char *chunk = malloc(12 + dl);
    put32be(chunk, (uint32_t)dl);
    memcpy(chunk + 4, "tEXt", 4);
    memcpy(chunk + 8, key, kl + 1);
    memcpy(chunk + 8 + kl + 1, text, tl);
    put32be(chunk + 8 + dl, crc32_of(chunk + 4, 4 + dl));
    size_t at = 8 + 25;                            /* signature, IHDR */
    unsigned char *p = malloc(b->n + 12 + dl);
    memcpy(p, b->p, at);
    memcpy(p + at, chunk, 12 + dl);
    memcpy(p + at + 12 + dl, b->p + at, b->n - at);
    free(b->p);
    free(chunk);
    b->p = p;
    b->n += 12 + dl;
}

/* JPEG B with, after its SOI, an EXIF APP1 (IFD0: Orientation O and a GPS
 * IFD whose latitude holds GPS_MARK), big-endian when BIG, and a COM
 * segment with COMMENT_MARK. */
static void jpeg_add_exif(bytes_t *b, int o, int big)
{
    unsigned char t[256];
    size_t n = 0;
#define P16(v) do { unsigned v_ = (v); if (big) { t[n++] = (unsigned char)(v_ >> 8); t[n++] = (unsigned char)v_; } \
                    else { t[n++] = (unsigned char)v_; t[n++] = (unsigned char)(v_ >> 8); } } while (0)
#define P32(v) do { uint32_t w_ = (v); if (big) { P16(w_ >> 16); P16(w_ & 0xffff); } else { P16(w_ & 0xffff); P16(w_ >> 16); } } while (0)
    memcpy(t, big ? "MM" : "II", 2);
    n = 2;
    P16(42);
    P32(8);                                        /* IFD0 */
    P16(2);
    P16(0x0112); P16(3); P32(1); P16((unsigned)o); P16(0);
    P16(0x8825); P16(4); P32(1); P32(8 + 2 + 24 + 4);
    P32(0);
    size_t ml = strlen(GPS_MARK) + 1;              /* GPS IFD: one ASCII entry pointing at the mark */
    P16(1);
    P16(0x0002); P16(2); P32((uint32_t)ml); P32((uint32_t)(n + 10));
    P32(0);
    memcpy(t + n, GPS_MARK, ml);
    n += ml;
#undef P16
#undef P32
    size_t app = 2 + 2 + 6 + n, com = 2 + 2 + strlen(COMMENT_MARK);
    unsigned char *p = malloc(b->n + app + com), *q = p;
    memcpy(q, b->p, 2);
    q += 2;
    *q++ = 0xff; *q++ = 0xe1; *q++ = (unsigned char)((app - 2) >> 8); *q++ = (unsigned char)(app - 2);
    memcpy(q, "Exif\0\0", 6);
    memcpy(q + 6, t, n);
    q += 6 + n;
    *q++ = 0xff; *q++ = 0xfe; *q++ = (unsigned char)((com - 2) >> 8); *q++ = (unsigned char)(com - 2);
    memcpy(q, COMMENT_MARK, strlen(COMMENT_MARK));
    q += strlen(COMMENT_MARK);
    memcpy(q, b->p + 2, b->n - 2);
    free(b->p);
    b->p = p;
    b->n += app + com;
}

static bool contains(const unsigned char *p, size_t n, const char *s)
{
    return memmem(p, n, s, strlen(s)) != NULL;
}

/* The RGB(A) pixels of an output picture (malloc'd), its size in *W, *H. */
static unsigned char *decode(const unsigned char *p, size_t n, int *w, int *h, int *ch)
{
    if (picture_sniff(p, n) && !strcmp(picture_sniff(p, n), "image/png")) {
        png_image im;
        memset(&im, 0, sizeof im);
        im.version = PNG_IMAGE_VERSION;
        assert_true(png_image_begin_read_from_memory(&im, p, n));
        *ch = im.format & PNG_FORMAT_FLAG_ALPHA ? 4 : 3;
        im.format = *ch == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
        unsigned char *px = malloc(PNG_IMAGE_SIZE(im));
        assert_true(png_image_finish_read(&im, NULL, px, 0, NULL));
        *w = (int)im.width;
        *h = (int)im.height;
        return px;
    }
    tjhandle tj = tjInitDecompress();
    int sub, cs;
    assert_int_equal(tjDecompressHeader3(tj, p, (unsigned long)n, w, h, &sub, &cs), 0);
    unsigned char *px = malloc((size_t)*w * *h * 3);
    assert_int_equal(tjDecompress2(tj, p, (unsigned long)n, px, *w, 0, *h, TJPF_RGB, 0), 0);
    tjDestroy(tj);
    *ch = 3;
    return px;
}

/* ---- the hub ---------------------------------------------------------------- */

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    f->hub = f->t->hub;
    consoletest_add("ed", STAFF_EDITOR, "north", "editor-password-1");
    consoletest_add("vic", STAFF_VIEWER, "north", "viewer-password-1");
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (f->hub != f->t->hub) hub_stop(f->hub);
    hubtest_stop(f->t);
    free(f);
    return 0;
}

static hub_resp_t call(fx_t *f, const char *method, const char *path, const char *ctype, const void *body,
                       size_t len, const consoletest_sess_t *s, bool csrf)
{
    const char *headers[5] = {0};
    char ct[80];
    int n = 0;
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        headers[n++] = ct;
    }
    if (s) headers[n++] = s->cookie;
    if (s && csrf) headers[n++] = s->csrf;
    return hub_handle(f->hub, method, path, headers, body, len);
}

static hub_resp_t upload(fx_t *f, const consoletest_sess_t *s, const char *type, const bytes_t *b)
{
    return call(f, "POST", "/console/api/pictures", type, b->p, b->n, s, true);
}

static hub_resp_t post_json(fx_t *f, const consoletest_sess_t *s, const char *path, const char *body)
{
    return call(f, "POST", path, "application/json", body, strlen(body), s, true);
}

static void expect_error(hub_resp_t r, int status, const char *code)
{
    cJSON *j = cJSON_Parse(r.body);
    const cJSON *c = hubtest_at(j, "error.code");
    if (r.status != status || !cJSON_IsString(c) || strcmp(c->valuestring, code) != 0)
        fail_msg("expected %d %s, got %d %s", status, code, r.status, r.body);
    const cJSON *m = hubtest_at(j, "error.message");
    assert_true(cJSON_IsString(m) && strlen(m->valuestring) > 10);     /* a reason in words */
    cJSON_Delete(j);
    free(r.body);
}

/* The answer of a good upload: its sha256 into SHA (65), width and height. */
static void uploaded(hub_resp_t r, int status, char *sha, int *w, int *h, const char *type)
{
    if (r.status != status) fail_msg("upload: %d %s", r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    snprintf(sha, 65, "%s", cJSON_GetObjectItem(j, "sha256")->valuestring);
    *w = (int)cJSON_GetObjectItem(j, "width")->valuedouble;
    *h = (int)cJSON_GetObjectItem(j, "height")->valuedouble;
    assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, type);
    cJSON_Delete(j);
    free(r.body);
}

/* The stored bytes of picture SHA, as a thumbnail would fetch them. */
static bytes_t fetch(fx_t *f, const consoletest_sess_t *s, const char *sha, const char *type)
{
    char path[128];
    snprintf(path, sizeof path, "/console/api/pictures/%s", sha);
    hub_resp_t r = call(f, "GET", path, NULL, NULL, 0, s, false);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, type);
    bytes_t b = {(unsigned char *)r.body, r.body_len};
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, b.p, b.n);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(hex, sha);                 /* named by the bytes kept */
    return b;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_exif_reader(void **state)
{
    (void)state;
    static const unsigned char red[3] = {200, 30, 30};
    for (int big = 0; big < 2; big++)
        for (int o = 1; o <= 8; o++) {
            bytes_t b = make_jpeg(32, 32, 0, red);
            jpeg_add_exif(&b, o, big);
            const char *type;
            int w, h, got;
            assert_int_equal(picture_probe(b.p, b.n, &type, &w, &h, &got), 0);
            assert_int_equal(got, o);
            assert_int_equal(w, 32);
            free(b.p);
        }
    assert_int_equal(exif_orientation((const unsigned char *)"Exif\0\0MM\0*\0\0\0\x08", 14), 1);
    assert_int_equal(exif_orientation((const unsigned char *)"JFIF", 4), 1);
}

/* Every EXIF orientation, on a 64x32 photo whose top-left quadrant is red:
 * where that quadrant is once the picture is upright. */
static void test_every_orientation(void **state)
{
    (void)state;
    static const unsigned char red[3] = {230, 20, 20};
    /* The red quadrant's corner after the turn: 0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left. */
    static const int corner[9] = {0, 0, 1, 2, 3, 0, 1, 2, 3};
    for (int o = 1; o <= 8; o++) {
        bytes_t b = make_jpeg(64, 32, 3, red);
        jpeg_add_exif(&b, o, o % 2);
        picture_t pic;
        picture_error_t err;
        assert_int_equal(picture_process(b.p, b.n, "image/jpeg", 0, &pic, &err), 0);
        assert_int_equal(pic.width, o >= 5 ? 32 : 64);
        assert_int_equal(pic.height, o >= 5 ? 64 : 32);
        int w, h, ch;
        unsigned char *px = decode(pic.data, pic.len, &w, &h, &ch);
        for (int c = 0; c < 4; c++) {
            int x = c == 1 || c == 2 ? w - 4 : 3, y = c >= 2 ? h - 4 : 3;
            const unsigned char *p = px + ((size_t)y * w + x) * 3;
            bool is_red = p[0] > 150 && p[2] < 100;
            if (is_red != (c == corner[o]))
                fail_msg("orientation %d: corner %d is %s", o, c, is_red ? "red" : "not red");
        }
        free(px);
        picture_free(&pic);
        free(b.p);
    }
}

static void test_png_stripped_and_kept_small(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    static const unsigned char green[3] = {20, 180, 60};
    bytes_t b = make_png(40, 30, 0, green, 0);
    png_add_text(&b, "Comment", GPS_MARK);
    assert_true(contains(b.p, b.n, GPS_MARK));
    char sha[65];
    int w, h;
    uploaded(upload(f, &ed, "image/png", &b), 201, sha, &w, &h, "image/png");
    assert_int_equal(w, 40);                       /* never upscaled */
    assert_int_equal(h, 30);
    bytes_t out = fetch(f, &ed, sha, "image/png");
    assert_false(contains(out.p, out.n, GPS_MARK));
    assert_false(contains(out.p, out.n, "tEXt"));
    int ow, oh, ch;
    unsigned char *px = decode(out.p, out.n, &ow, &oh, &ch);
    assert_int_equal(ch, 3);
    assert_memory_equal(px + (15 * 40 + 20) * 3, green, 3);
    free(px);
    free(out.p);
    /* Twice: one asset, 200; listed once; logged once. */
    char again[65];
    uploaded(upload(f, &ed, "image/png", &b), 200, again, &w, &h, "image/png");
    assert_string_equal(again, sha);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content_assets", NULL, -1), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'picture_upload'"
                                         " AND staff = 'ed'", NULL, -1), 1);
    hub_resp_t r = call(f, "GET", "/console/api/pictures", NULL, NULL, 0, &ed, false);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    const cJSON *list = cJSON_GetObjectItem(j, "pictures");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    assert_string_equal(cJSON_GetObjectItem(list->child, "sha256")->valuestring, sha);
    assert_string_equal(cJSON_GetObjectItem(list->child, "staff")->valuestring, "ed");
    cJSON_Delete(j);
    free(r.body);
    free(b.p);

    /* Transparency is kept (the kiosk draws it over its panel). */
    bytes_t a = make_png(64, 64, 0, green, 128);
    uploaded(upload(f, &ed, "image/png", &a), 201, sha, &w, &h, "image/png");
    out = fetch(f, &ed, sha, "image/png");
    px = decode(out.p, out.n, &ow, &oh, &ch);
    assert_int_equal(ch, 4);
    assert_int_equal(px[3], 128);
    free(px);
    free(out.p);
    free(a.p);
}

static void test_jpeg_exif_gone_and_upright(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    static const unsigned char red[3] = {230, 20, 20};
    /* 64x48, left half red, right half blue, taken turned: orientation 6. */
    bytes_t b = make_jpeg(64, 48, 1, red);
    jpeg_add_exif(&b, 6, 0);
    assert_true(contains(b.p, b.n, GPS_MARK) && contains(b.p, b.n, COMMENT_MARK));
    char sha[65];
    int w, h;
    uploaded(upload(f, &ed, "image/jpeg", &b), 201, sha, &w, &h, "image/jpeg");
    assert_int_equal(w, 48);                       /* turned upright: portrait */
    assert_int_equal(h, 64);
    bytes_t out = fetch(f, &ed, sha, "image/jpeg");
    assert_false(contains(out.p, out.n, GPS_MARK));
    assert_false(contains(out.p, out.n, COMMENT_MARK));
    assert_false(contains(out.p, out.n, "Exif"));
    const char *type;
    int pw, ph, o;
    assert_int_equal(picture_probe(out.p, out.n, &type, &pw, &ph, &o), 0);
    assert_int_equal(o, 1);
    int ow, oh, ch;
    unsigned char *px = decode(out.p, out.n, &ow, &oh, &ch);
    const unsigned char *top = px + (10 * ow + 24) * 3, *bottom = px + (54 * ow + 24) * 3;
    /* Turned clockwise, the left (red) half is on top. */
    assert_true(top[0] > 180 && top[2] < 80);
    assert_true(bottom[2] > 180 && bottom[0] < 80);
    free(px);
    free(out.p);
    free(b.p);
}

static void test_large_shrunk_by_area(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    static const unsigned char any[3] = {0, 0, 0};
    /* One-pixel black and white columns, halved: an even grey, not stripes
     * (a nearest-pixel shrink would keep one colour). */
    bytes_t b = make_png(3200, 400, 2, any, 0);
    char sha[65];
    int w, h;
    uploaded(upload(f, &ed, "image/png", &b), 201, sha, &w, &h, "image/png");
    assert_int_equal(w, 1600);
    assert_int_equal(h, 200);
    bytes_t out = fetch(f, &ed, sha, "image/png");
    int ow, oh, ch;
    unsigned char *px = decode(out.p, out.n, &ow, &oh, &ch);
    assert_int_equal(ow, 1600);
    for (int x = 0; x < 1600; x += 97) assert_in_range(px[(100 * ow + x) * 3], 125, 130);
    free(px);
    free(out.p);
    free(b.p);
    /* A 4000x3000 photo: 1600x1200, still a JPEG, its colour kept. */
    static const unsigned char sky[3] = {40, 120, 220};
    b = make_jpeg(4000, 3000, 0, sky);
    uploaded(upload(f, &ed, "image/jpeg", &b), 201, sha, &w, &h, "image/jpeg");
    assert_int_equal(w, 1600);
    assert_int_equal(h, 1200);
    out = fetch(f, &ed, sha, "image/jpeg");
    px = decode(out.p, out.n, &ow, &oh, &ch);
    for (int c = 0; c < 3; c++) assert_in_range(px[(600 * ow + 800) * 3 + c], sky[c] - 6, sky[c] + 6);
    free(px);
    free(out.p);
    free(b.p);
}

static void test_refusals(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    static const unsigned char c[3] = {90, 90, 90};
    bytes_t png = make_png(40, 40, 0, c, 0), jpg = make_jpeg(40, 40, 0, c);
    bytes_t gif = {(unsigned char *)"GIF89a\x28\0\x28\0\x80\0\0", 13};
    expect_error(upload(f, &ed, "image/png", &gif), 422, "invalid_picture");
    expect_error(upload(f, &ed, "image/jpeg", &png), 422, "type_mismatch");
    expect_error(upload(f, &ed, "image/png", &jpg), 422, "type_mismatch");
    expect_error(upload(f, &ed, "image/gif", &gif), 415, "content_type");
    expect_error(upload(f, &ed, "text/plain", &png), 415, "content_type");
    expect_error(upload(f, &ed, "application/json", &png), 422, "unsupported_type");
    bytes_t cut = {jpg.p, jpg.n * 2 / 3};
    expect_error(upload(f, &ed, "image/jpeg", &cut), 422, "invalid_picture");
    cut = (bytes_t){png.p, png.n / 2};
    expect_error(upload(f, &ed, "image/png", &cut), 422, "invalid_picture");
    cut = (bytes_t){png.p, 20};                    /* not even a whole header */
    expect_error(upload(f, &ed, "image/png", &cut), 422, "invalid_picture");
    bytes_t empty = {png.p, 0};
    expect_error(upload(f, &ed, "image/png", &empty), 422, "invalid_picture");
    /* Bombs: a header claiming 50000x50000 (a few hundred bytes); refused
     * from the header, nothing decoded. */
    bytes_t bomb = {malloc(png.n), png.n};
    memcpy(bomb.p, png.p, png.n);
    put32be(bomb.p + 16, 50000);
    put32be(bomb.p + 20, 50000);
    expect_error(upload(f, &ed, "image/png", &bomb), 422, "picture_too_large");
    put32be(bomb.p + 16, 10000);                   /* 100 MP, each side allowed */
    put32be(bomb.p + 20, 10000);
    expect_error(upload(f, &ed, "image/png", &bomb), 422, "picture_too_large");
    free(bomb.p);
    bomb = (bytes_t){malloc(jpg.n), jpg.n};
    memcpy(bomb.p, jpg.p, jpg.n);
    for (size_t i = 2; i + 9 < bomb.n; i++)
        if (bomb.p[i] == 0xff && bomb.p[i + 1] == 0xc0) {      /* SOF0: height, width */
            bomb.p[i + 5] = 0xff; bomb.p[i + 6] = 0xf0; bomb.p[i + 7] = 0xff; bomb.p[i + 8] = 0xf0;
            break;
        }
    expect_error(upload(f, &ed, "image/jpeg", &bomb), 422, "picture_too_large");
    free(bomb.p);
    bytes_t tiny = make_png(8, 8, 0, c, 0);
    expect_error(upload(f, &ed, "image/png", &tiny), 422, "picture_too_small");
    free(tiny.p);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content_assets", NULL, -1), 0);
    free(png.p);
    free(jpg.p);
}

static void test_who_may_upload(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    consoletest_sess_t vic = consoletest_login(f->hub, "vic", "viewer-password-1");
    static const unsigned char c[3] = {10, 20, 30};
    bytes_t png = make_png(32, 32, 0, c, 0);
    expect_error(call(f, "POST", "/console/api/pictures", "image/png", png.p, png.n, NULL, false), 401,
                 "not_signed_in");
    expect_error(call(f, "POST", "/console/api/pictures", "image/png", png.p, png.n, &ed, false), 403, "csrf");
    expect_error(upload(f, &vic, "image/png", &png), 403, "forbidden");
    char sha[65], path[128];
    int w, h;
    uploaded(upload(f, &ed, "image/png", &png), 201, sha, &w, &h, "image/png");
    snprintf(path, sizeof path, "/console/api/pictures/%s", sha);
    hub_resp_t r = call(f, "GET", path, NULL, NULL, 0, NULL, false);
    expect_error(r, 401, "not_signed_in");
    r = call(f, "GET", path, NULL, NULL, 0, &vic, false);  /* a viewer sees the notices' pictures */
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "GET", "/console/api/pictures/0000000000000000000000000000000000000000000000000000000000000000",
             NULL, NULL, 0, &vic, false);
    expect_error(r, 404, "not_found");
    free(png.p);
}

static void test_notice_with_picture_published(void **state)
{
    fx_t *f = *state;
    pid_t signer;
    f->hub = consoletest_signed_hub(f->t, &signer, NULL);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", "editor-password-1");
    consoletest_sess_t pub = consoletest_login(f->hub, "pub", "publisher-pw-1");
    static const unsigned char c[3] = {250, 200, 0};
    bytes_t jpg = make_jpeg(800, 600, 0, c);
    char sha[65], body[1200];
    int w, h;
    uploaded(upload(f, &ed, "image/jpeg", &jpg), 201, sha, &w, &h, "image/jpeg");
    long long size = db_int(db_thread(), "SELECT max(size) FROM content_assets", NULL, -1);

    /* What a notice's images may be. */
    snprintf(body, sizeof body, "{\"title\":\"社区义诊\",\"body\":\"周六上午\",\"category\":\"community\",\"days\":7,"
             "\"groups\":[\"north\"],\"images\":[\"%064d\"]}", 7);
    expect_error(post_json(f, &ed, "/console/api/notices", body), 422, "unknown_picture");
    snprintf(body, sizeof body, "{\"title\":\"t\",\"body\":\"b\",\"category\":\"community\",\"days\":7,"
             "\"groups\":[\"north\"],\"images\":[\"%s\",\"%s\"]}", sha, sha);
    expect_error(post_json(f, &ed, "/console/api/notices", body), 422, "invalid_field");
    expect_error(post_json(f, &ed, "/console/api/notices", "{\"title\":\"t\",\"body\":\"b\",\"category\":\"community\","
                           "\"days\":7,\"groups\":[\"north\"],\"images\":[1,2,3,4,5,6,7,8,9]}"), 422, "invalid_field");
    snprintf(body, sizeof body, "{\"title\":\"社区义诊\",\"body\":\"周六上午\",\"category\":\"community\",\"days\":7,"
             "\"groups\":[\"north\"],\"images\":[\"%s\"]}", sha);
    hub_resp_t r = post_json(f, &ed, "/console/api/notices", body);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, sha));
    free(r.body);
    r = post_json(f, &pub, "/console/api/notices/1/approve", "{}");
    assert_int_equal(r.status, 200);
    free(r.body);
    r = post_json(f, &pub, "/console/api/notices/1/publish", "{}");
    if (r.status != 200) fail_msg("publish: %d %s", r.status, r.body);
    free(r.body);

    /* The kiosk's bundle: the item names the picture, the assets list it, the kiosk can fetch it. */
    hubtest_resp_t b = hubtest_req(f->t, "GET", "/v1/content/bundle?mode=hall&group=north", f->t->token, NULL, NULL, NULL);
    assert_int_equal(b.status, 200);
    cJSON *m = cJSON_Parse(cJSON_GetObjectItem(b.json, "manifest")->valuestring);
    hubtest_free(&b);
    const cJSON *item = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "items"), 0);
    assert_string_equal(cJSON_GetObjectItem(item, "title")->valuestring, "社区义诊");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(item, "images"), 0)->valuestring, sha);
    const cJSON *asset = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "assets"), 0);
    assert_string_equal(cJSON_GetObjectItem(asset, "sha256")->valuestring, sha);
    assert_int_equal((long long)cJSON_GetObjectItem(asset, "size")->valuedouble, size);
    assert_string_equal(cJSON_GetObjectItem(asset, "type")->valuestring, "image/jpeg");
    cJSON_Delete(m);
    char path[128];
    snprintf(path, sizeof path, "/v1/content/assets/%s", sha);
    b = hubtest_req(f->t, "GET", path, f->t->token, NULL, NULL, NULL);
    assert_int_equal(b.status, 200);
    hubtest_free(&b);

    /* Withdrawn: the item goes, and the picture with it. */
    r = post_json(f, &pub, "/console/api/notices/1/withdraw", "{}");
    assert_int_equal(r.status, 200);
    free(r.body);
    b = hubtest_req(f->t, "GET", "/v1/content/bundle?mode=hall&group=north", f->t->token, NULL, NULL, NULL);
    assert_int_equal(b.status, 200);
    assert_null(strstr(cJSON_GetObjectItem(b.json, "manifest")->valuestring, sha));
    hubtest_free(&b);
    consoletest_signer_stop(signer);
    free(jpg.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exif_reader),
        cmocka_unit_test(test_every_orientation),
        cmocka_unit_test_setup_teardown(test_png_stripped_and_kept_small, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jpeg_exif_gone_and_upright, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_shrunk_by_area, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_who_may_upload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notice_with_picture_published, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
