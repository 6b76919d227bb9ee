/* Text module: measuring, wrapping rules, the glyph atlas and its pixels.
 * Headless: SDL's dummy video driver and a software renderer over an ARGB
 * surface, with Debian's Noto Sans CJK SC (fonts-noto-cjk). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/text.h"

#define FONT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#define FACE 2
#define SURF_W 1280
#define SURF_H 720

typedef struct {
    SDL_Surface *surf;
    SDL_Renderer *r;
    ui_text_t *t;
} fx_t;

static const SDL_Color BLACK = {0, 0, 0, 255};

static int setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    fx->surf = SDL_CreateRGBSurfaceWithFormat(0, SURF_W, SURF_H, 32, SDL_PIXELFORMAT_ARGB8888);
    if (!fx->surf) return -1;
    fx->r = SDL_CreateSoftwareRenderer(fx->surf);
    if (!fx->r) return -1;
    char err[256];
    fx->t = ui_text_create(fx->r, FONT, FACE, err, sizeof err);
    if (!fx->t) {
        fprintf(stderr, "ui_text_create: %s\n", err);
        return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fx_t *fx = *state;
    ui_text_destroy(fx->t);
    SDL_DestroyRenderer(fx->r);
    SDL_FreeSurface(fx->surf);
    free(fx);
    return 0;
}

static void clear_white(fx_t *fx)
{
    SDL_FillRect(fx->surf, NULL, 0xFFFFFFFFu);
}

static Uint32 pixel(const SDL_Surface *s, int x, int y)
{
    return ((const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch))[x];
}

/* Darkest channel value in a rectangle (255: untouched white). */
static int darkest(const SDL_Surface *s, SDL_Rect r)
{
    int d = 255;
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++) {
            int v = (int)(pixel(s, x, y) & 0xFF);
            if (v < d) d = v;
        }
    return d;
}

/* Appends the UTF-8 of CP to BUF at *N. */
static void put_utf8(char *buf, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        buf[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        buf[(*n)++] = (char)(0xC0 | (cp >> 6));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[(*n)++] = (char)(0xE0 | (cp >> 12));
        buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        buf[(*n)++] = (char)(0xF0 | (cp >> 18));
        buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
    buf[*n] = '\0';
}

/* Checks the invariants every wrap result must hold: widths within MAX_W
 * (unless the line is one glyph), widths equal to ui_text_width of the line,
 * lines in order, and the text between lines only spaces/tabs and at most one
 * newline, so the lines together reproduce the text (up to the end of the
 * last line when TRUNCATED). */
static void check_lines_t(ui_text_t *t, int px, const char *text, int max_w,
                          const ui_line_t *lines, int n, int truncated)
{
    int pos = 0;
    for (int i = 0; i < n; i++) {
        const ui_line_t *l = &lines[i];
        assert_true(l->start >= pos);
        int newlines = 0;
        for (int k = pos; k < l->start; k++) {
            assert_true(text[k] == ' ' || text[k] == '\t' || text[k] == '\n');
            if (text[k] == '\n') newlines++;
        }
        assert_true(newlines <= 1);
        assert_true(l->len >= 0);
        assert_int_equal(l->width, ui_text_width(t, px, text + l->start, l->len));
        if (l->width > max_w) {
            const char *s = text + l->start;
            ui_utf8_next(&s, text + l->start + l->len);
            assert_true(s == text + l->start + l->len);   /* one glyph only */
        }
        if (l->len > 0) assert_true(text[l->start + l->len - 1] != ' ' && text[l->start + l->len - 1] != '\t');
        pos = l->start + l->len;
    }
    if (truncated) return;
    for (size_t k = (size_t)pos; k < strlen(text); k++)
        assert_true(text[k] == ' ' || text[k] == '\t' || text[k] == '\n');
}

static void check_lines(ui_text_t *t, int px, const char *text, int max_w,
                        const ui_line_t *lines, int n)
{
    check_lines_t(t, px, text, max_w, lines, n, 0);
}

/* Copies line L of TEXT into BUF. */
static const char *line_str(const char *text, const ui_line_t *l, char *buf, size_t cap)
{
    size_t n = (size_t)l->len < cap - 1 ? (size_t)l->len : cap - 1;
    memcpy(buf, text + l->start, n);
    buf[n] = '\0';
    return buf;
}

/* ---- creation ------------------------------------------------------------ */

static void test_create_missing_file(void **state)
{
    fx_t *fx = *state;
    char err[256] = "";
    ui_text_t *t = ui_text_create(fx->r, "/nonexistent/dir/font.ttc", 0, err, sizeof err);
    assert_null(t);
    assert_true(strlen(err) > 0);
    assert_non_null(strstr(err, "/nonexistent/dir/font.ttc"));
}

static void test_create_not_a_font(void **state)
{
    fx_t *fx = *state;
    char path[] = "/tmp/test_text_notfont_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char junk[] = "this is not a font, just some text\n";
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    char err[256] = "";
    ui_text_t *t = ui_text_create(fx->r, path, 0, err, sizeof err);
    unlink(path);
    assert_null(t);
    assert_true(strlen(err) > 0);
    /* A face index past the collection's faces fails the same way. */
    err[0] = '\0';
    assert_null(ui_text_create(fx->r, FONT, 99, err, sizeof err));
    assert_true(strlen(err) > 0);
    assert_null(ui_text_create(NULL, FONT, FACE, err, sizeof err));
}

/* ---- measuring ----------------------------------------------------------- */

static void test_width_basics(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    assert_int_equal(ui_text_width(t, 32, "", -1), 0);
    assert_int_equal(ui_text_width(t, 32, "abc", 0), 0);
    assert_int_equal(ui_text_width(t, 32, NULL, -1), 0);
    assert_int_equal(ui_text_width(t, 32, "\n", -1), 0);

    int hello = ui_text_width(t, 32, "Hello", -1);
    int world = ui_text_width(t, 32, " world", -1);
    assert_true(hello > 0 && world > 0);
    assert_int_equal(ui_text_width(t, 32, "Hello world", -1), hello + world);
    assert_int_equal(ui_text_width(t, 32, "Hello world", 5), hello);

    int zhong = ui_text_width(t, 32, "中", -1);
    assert_in_range(zhong, 28, 36);                    /* CJK is ~1 em */
    assert_int_equal(ui_text_width(t, 32, "中文中文", -1), 4 * zhong);
    assert_int_equal(ui_text_width(t, 64, "中", -1), 2 * zhong);

    /* Tab counts as a space, control characters as nothing. */
    assert_int_equal(ui_text_width(t, 32, "a\tb", -1), ui_text_width(t, 32, "a b", -1));
    assert_int_equal(ui_text_width(t, 32, "a\x01\x1f\rb", -1), ui_text_width(t, 32, "ab", -1));
}

static void test_metrics(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    int lh = ui_text_line_height(t, 32), asc = ui_text_ascent(t, 32);
    assert_true(asc > 20 && asc < lh);
    assert_in_range(lh, 40, 56);
    assert_true(ui_text_line_height(t, 64) > lh);
}

/* ---- wrapping ------------------------------------------------------------ */

static void test_wrap_cjk(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "社区服务中心位于幸福路十八号一楼大厅开放时间为每天上午八点至下午五点"
                       "周末及法定节假日照常开放欢迎居民前来办理各项业务";
    int zw = ui_text_width(t, 32, "中", -1);
    int max_w = 7 * zw + zw / 2;
    ui_line_t lines[32];
    int n = ui_text_wrap(t, 32, text, max_w, lines, 32);
    assert_true(n > 5);
    check_lines(t, 32, text, max_w, lines, n);
    /* No punctuation or spaces: lines are full, 7 ideographs each, and
     * together they are the text byte for byte. */
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        assert_int_equal(lines[i].start, (int)pos);
        if (i < n - 1) assert_int_equal(lines[i].len, 7 * 3);
        pos += (size_t)lines[i].len;
    }
    assert_int_equal(pos, strlen(text));
}

static int starts_with(const char *text, const ui_line_t *l, const char *prefix)
{
    return l->len >= (int)strlen(prefix) && !strncmp(text + l->start, prefix, strlen(prefix));
}

static int ends_with(const char *text, const ui_line_t *l, const char *suffix)
{
    int k = (int)strlen(suffix);
    return l->len >= k && !strncmp(text + l->start + l->len - k, suffix, (size_t)k);
}

static void test_wrap_punctuation(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    int zw = ui_text_width(t, 32, "中", -1);
    int max_w = 5 * zw + 2;          /* five ideographs, not six */
    ui_line_t lines[8];
    char buf[128];

    /* Naively "一二三四五" then "。六七八": the full stop would lead line 2. */
    const char *a = "一二三四五。六七八";
    int n = ui_text_wrap(t, 32, a, max_w, lines, 8);
    check_lines(t, 32, a, max_w, lines, n);
    assert_int_equal(n, 2);
    assert_string_equal(line_str(a, &lines[0], buf, sizeof buf), "一二三四");
    assert_string_equal(line_str(a, &lines[1], buf, sizeof buf), "五。六七八");

    /* Two closing marks in a row travel together: "」。" */
    const char *b = "「一二三」。四五六";
    n = ui_text_wrap(t, 32, b, max_w, lines, 8);
    check_lines(t, 32, b, max_w, lines, n);
    for (int i = 0; i < n; i++) {
        assert_false(starts_with(b, &lines[i], "。"));
        assert_false(starts_with(b, &lines[i], "」"));
    }

    /* An opening bracket never ends a line: naively "一二三四「". */
    const char *c = "一二三四「五六」七";
    n = ui_text_wrap(t, 32, c, max_w, lines, 8);
    check_lines(t, 32, c, max_w, lines, n);
    assert_string_equal(line_str(c, &lines[0], buf, sizeof buf), "一二三四");
    assert_true(starts_with(c, &lines[1], "「五六」"));

    /* Latin: a comma or "!" after a space-separated word does not lead. */
    const char *d = "aaaa bbbb, cccc !";
    int lw = ui_text_width(t, 32, "aaaa bbbb", -1);
    n = ui_text_wrap(t, 32, d, lw, lines, 8);
    check_lines(t, 32, d, lw, lines, n);
    for (int i = 0; i < n; i++) {
        assert_false(starts_with(d, &lines[i], ","));
        assert_false(starts_with(d, &lines[i], "!"));
    }

    /* Every line of a long punctuated notice obeys the rules. */
    const char *e = "通知：本周六（6月8日）上午9:00至11:30，幸福路1号楼停水。请提前储水，"
                    "不便之处，敬请谅解！如有疑问，请致电物业服务中心「84001234」。";
    for (int w = 3 * zw; w <= 12 * zw; w += zw / 3) {
        ui_line_t ls[40];
        n = ui_text_wrap(t, 32, e, w, ls, 40);
        check_lines(t, 32, e, w, ls, n);
        for (int i = 0; i < n; i++) {
            static const char *const no_start[] = {"，", "。", "、", "；", "：", "！", "？", "）", "」", ":", ","};
            static const char *const no_end[] = {"（", "「"};
            for (size_t k = 0; k < sizeof no_start / sizeof *no_start; k++)
                if (i > 0) assert_false(starts_with(e, &ls[i], no_start[k]));
            for (size_t k = 0; k < sizeof no_end / sizeof *no_end; k++)
                assert_false(ends_with(e, &ls[i], no_end[k]));
        }
    }
}

static void test_wrap_latin(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "The quick brown fox jumps over the lazy dog";
    int max_w = ui_text_width(t, 32, "The quick brown", -1) + 1;
    ui_line_t lines[8];
    char buf[128];
    int n = ui_text_wrap(t, 32, text, max_w, lines, 8);
    check_lines(t, 32, text, max_w, lines, n);
    assert_true(n >= 3);
    assert_string_equal(line_str(text, &lines[0], buf, sizeof buf), "The quick brown");
    assert_true(starts_with(text, &lines[1], "fox"));    /* leading space skipped */
    for (int i = 0; i < n; i++) {
        int e = lines[i].start + lines[i].len;
        assert_true(text[e] == ' ' || text[e] == '\0');  /* whole words only */
        assert_true(lines[i].start == 0 || text[lines[i].start - 1] == ' ');
    }
    /* Several spaces at a break stay behind on the earlier line. */
    const char *sp = "alpha     beta";
    n = ui_text_wrap(t, 32, sp, ui_text_width(t, 32, "alpha  ", -1), lines, 8);
    assert_int_equal(n, 2);
    assert_string_equal(line_str(sp, &lines[0], buf, sizeof buf), "alpha");
    assert_string_equal(line_str(sp, &lines[1], buf, sizeof buf), "beta");
    assert_int_equal(lines[0].width, ui_text_width(t, 32, "alpha", -1));
}

/* Korean breaks at its spaces only (keep-all), never inside a word that
 * fits a line; a word wider than the line is still split. */
static void test_wrap_korean(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "휴대폰 번호를 입력하세요. 직원이 와 드립니다.";
    int max_w = ui_text_width(t, 32, "휴대폰 번호를 입", -1) + 1;   /* mid-word */
    ui_line_t lines[8];
    char buf[128];
    int n = ui_text_wrap(t, 32, text, max_w, lines, 8);
    check_lines(t, 32, text, max_w, lines, n);
    assert_true(n >= 3);
    assert_string_equal(line_str(text, &lines[0], buf, sizeof buf), "휴대폰 번호를");
    assert_true(starts_with(text, &lines[1], "입력하세요."));
    for (int i = 0; i < n; i++) {
        int e = lines[i].start + lines[i].len;
        assert_true(text[e] == ' ' || text[e] == '\0');       /* whole words only */
    }
    const char *word = "가나다라마바사아자차카타파하";
    n = ui_text_wrap(t, 32, word, ui_text_width(t, 32, "가나다", -1) + 1, lines, 8);
    assert_true(n >= 4);                                       /* split, as a last resort */
    assert_string_equal(line_str(word, &lines[0], buf, sizeof buf), "가나다");
}

static void test_wrap_long_word(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "a Supercalifragilisticexpialidocious b";
    int max_w = ui_text_width(t, 32, "Supercali", -1) + 1;
    ui_line_t lines[16];
    char buf[128];
    int n = ui_text_wrap(t, 32, text, max_w, lines, 16);
    check_lines(t, 32, text, max_w, lines, n);
    assert_string_equal(line_str(text, &lines[0], buf, sizeof buf), "a");
    assert_string_equal(line_str(text, &lines[1], buf, sizeof buf), "Supercali");
    /* Split at the last codepoint that fits: adding the next would not. */
    for (int i = 1; i < n - 1; i++) {
        const char *s = text + lines[i].start + lines[i].len;
        if (*s == ' ') continue;
        const char *next = s;
        ui_utf8_next(&next, s + 4);
        int with_next = ui_text_width(t, 32, text + lines[i].start, (int)(next - text) - lines[i].start);
        assert_true(with_next > max_w);
    }
    assert_true(starts_with(text, &lines[n - 1], "b") || ends_with(text, &lines[n - 1], "b"));

    /* A glyph wider than the limit still gets a line of its own. */
    n = ui_text_wrap(t, 32, "中文", 5, lines, 16);
    assert_int_equal(n, 2);
    assert_int_equal(lines[0].len, 3);
    assert_int_equal(lines[1].start, 3);
}

static void test_wrap_newlines(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    ui_line_t lines[8];
    char buf[128];
    const char *text = "第一行\n\n第三行 third\n";
    int n = ui_text_wrap(t, 32, text, 2000, lines, 8);
    check_lines(t, 32, text, 2000, lines, n);
    assert_int_equal(n, 3);                 /* a final '\n' adds no line */
    assert_string_equal(line_str(text, &lines[0], buf, sizeof buf), "第一行");
    assert_int_equal(lines[1].len, 0);
    assert_int_equal(lines[1].width, 0);
    assert_string_equal(line_str(text, &lines[2], buf, sizeof buf), "第三行 third");

    /* Spaces after '\n' are kept (indentation); trailing ones are not. */
    const char *ind = "a  \n  b";
    n = ui_text_wrap(t, 32, ind, 2000, lines, 8);
    assert_int_equal(n, 2);
    assert_string_equal(line_str(ind, &lines[0], buf, sizeof buf), "a");
    assert_string_equal(line_str(ind, &lines[1], buf, sizeof buf), "  b");
    assert_int_equal(lines[1].width, ui_text_width(t, 32, "  b", -1));

    assert_int_equal(ui_text_wrap(t, 32, "", 100, lines, 8), 0);
    assert_int_equal(ui_text_wrap(t, 32, "\n", 100, lines, 8), 1);
    assert_int_equal(lines[0].len, 0);
    /* Windows line ends: the '\r' is not part of the line. */
    n = ui_text_wrap(t, 32, "ab\r\ncd", 2000, lines, 8);
    assert_int_equal(n, 2);
    assert_int_equal(lines[0].len, 2);
    assert_int_equal(lines[1].start, 4);
}

static void test_wrap_max_lines(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "one two three four five six seven eight nine ten eleven twelve";
    int max_w = ui_text_width(t, 32, "one two thr", -1);
    ui_line_t lines[2];
    int n = ui_text_wrap(t, 32, text, max_w, lines, 2);
    assert_int_equal(n, 2);
    check_lines_t(t, 32, text, max_w, lines, n, 1);
    assert_true(starts_with(text, &lines[0], "one two"));
    /* The last line is filled to the last character that fits, even inside
     * a word: one more character would overflow. */
    int end = lines[1].start + lines[1].len;
    assert_true(ui_text_width(t, 32, text + lines[1].start, lines[1].len + 1) > max_w);
    assert_true(end < (int)strlen(text));
    assert_int_equal(ui_text_wrap(t, 32, text, max_w, lines, 0), 0);
    /* Text that fits is not affected by the limit. */
    n = ui_text_wrap(t, 32, "one", max_w, lines, 1);
    assert_int_equal(n, 1);
    assert_int_equal(lines[0].len, 3);
}

static void test_wrap_mixed(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    const char *text = "缴费 Pay bills 水电燃气";
    int full = ui_text_width(t, 32, text, -1);
    ui_line_t lines[16];
    for (int w = ui_text_width(t, 32, "bills", -1); w <= full; w += 7) {
        int n = ui_text_wrap(t, 32, text, w, lines, 16);
        assert_true(n >= 1);
        check_lines(t, 32, text, w, lines, n);
        /* Latin words stay whole; Chinese may break anywhere. */
        const char *pay = strstr(text, "Pay"), *bills = strstr(text, "bills");
        for (int i = 0; i < n; i++) {
            int s = lines[i].start, e = s + lines[i].len;
            assert_false(s > pay - text && s < pay - text + 3);
            assert_false(e > pay - text && e < pay - text + 3);
            assert_false(s > bills - text && s < bills - text + 5);
            assert_false(e > bills - text && e < bills - text + 5);
        }
    }
    int n = ui_text_wrap(t, 32, text, full, lines, 16);
    assert_int_equal(n, 1);
    assert_int_equal(lines[0].width, full);
    /* Without a space Latin may follow Chinese directly and still break
     * between them. */
    const char *tight = "缴费Pay";
    n = ui_text_wrap(t, 32, tight, ui_text_width(t, 32, "缴费P", -1), lines, 16);
    assert_int_equal(n, 2);
    assert_int_equal(lines[0].len, 6);
}

/* ---- atlas --------------------------------------------------------------- */

static void test_atlas_reuse(void **state)
{
    fx_t *fx = *state;
    char text[1024];
    size_t len = 0;
    for (unsigned i = 0; i < 200; i++) put_utf8(text, &len, 0x5000 + i * 7);
    ui_text_stats_t s0, s1, s2;
    ui_text_stats(fx->t, &s0);
    clear_white(fx);
    for (int row = 0; row < 10; row++)
        ui_text_draw(fx->t, 24, text + row * 60, 60, 10, 10 + row * 40, BLACK);
    SDL_RenderPresent(fx->r);
    ui_text_stats(fx->t, &s1);
    assert_int_equal(s1.rasterised - s0.rasterised, 200);
    assert_int_equal(s1.draws - s0.draws, 200);
    assert_int_equal(s1.glyphs, s0.glyphs + 200);
    assert_true(s1.pages >= 1);

    clear_white(fx);
    for (int row = 0; row < 10; row++)
        ui_text_draw(fx->t, 24, text + row * 60, 60, 10, 10 + row * 40, BLACK);
    SDL_RenderPresent(fx->r);
    ui_text_stats(fx->t, &s2);
    assert_int_equal(s2.rasterised, s1.rasterised);
    assert_int_equal(s2.draws - s1.draws, 200);
    assert_int_equal(s2.glyphs, s1.glyphs);

    /* Measuring never rasterises. */
    ui_text_width(fx->t, 30, "测量不画", -1);
    ui_text_stats(fx->t, &s1);
    assert_int_equal(s1.rasterised, s2.rasterised);
}

static void test_atlas_spill(void **state)
{
    fx_t *fx = *state;
    enum { N = 3000, PER_LINE = 25 };
    static char text[N * 3 + 1];
    size_t len = 0;
    for (unsigned i = 0; i < N; i++) put_utf8(text, &len, 0x4E00 + i);
    ui_text_stats_t s0, s1, s2;
    ui_text_stats(fx->t, &s0);
    for (int pass = 0; pass < 2; pass++) {
        clear_white(fx);
        for (int i = 0; i < N / PER_LINE; i++) {
            int y = (i % 12) * 60;
            int w = ui_text_draw(fx->t, 48, text + i * PER_LINE * 3, PER_LINE * 3, 0, y, BLACK);
            assert_int_equal(w, PER_LINE * 48);
        }
        SDL_RenderPresent(fx->r);
        ui_text_stats(fx->t, pass ? &s2 : &s1);
    }
    assert_true(s1.pages > 1);
    assert_int_equal(s1.glyphs - s0.glyphs, N);
    assert_int_equal(s1.rasterised - s0.rasterised, N);
    assert_int_equal(s1.draws - s0.draws, N);
    /* Still all cached: the second pass only copies. */
    assert_int_equal(s2.rasterised, s1.rasterised);
    assert_int_equal(s2.draws - s1.draws, N);
    /* The last glyphs (on a later page) reached the surface. */
    assert_true(darkest(fx->surf, (SDL_Rect){0, 11 * 60, SURF_W, 60}) < 64);
}

static void test_atlas_reset(void **state)
{
    fx_t *fx = *state;
    /* At 200 px about 25 glyphs fill a page, so 500 overflow all pages and
     * the cache resets in the middle of this "frame". */
    enum { N = 500, PX = 200 };
    ui_text_stats_t s0, s1;
    ui_text_stats(fx->t, &s0);
    clear_white(fx);
    char g[8];
    for (unsigned i = 0; i < N; i++) {
        size_t n = 0;
        put_utf8(g, &n, 0x6000 + i);
        int x = (int)(i % 6) * PX, y = (int)(i / 6 % 3) * 240;
        if (i == 0) x = y = 0;
        assert_int_equal(ui_text_draw(fx->t, PX, g, -1, x, y, BLACK), PX);
        if (i == 0) {
            SDL_RenderPresent(fx->r);
            /* Remember that the first glyph reached the surface... */
            assert_true(darkest(fx->surf, (SDL_Rect){0, 0, PX, 240}) < 64);
            clear_white(fx);
        }
    }
    /* ...and the glyphs after the reset draw too. */
    SDL_RenderPresent(fx->r);
    ui_text_stats(fx->t, &s1);
    assert_int_equal(s1.draws - s0.draws, N);
    assert_true(s1.pages <= 16);
    assert_true(s1.glyphs < N);          /* something was dropped */
    int last_x = (int)((N - 1) % 6) * PX, last_y = (int)((N - 1) / 6 % 3) * 240;
    assert_true(darkest(fx->surf, (SDL_Rect){last_x, last_y, PX, 240}) < 64);

    /* Drawing the first glyph again rasterises it again (it was dropped). */
    size_t n = 0;
    put_utf8(g, &n, 0x6000);
    ui_text_draw(fx->t, PX, g, -1, 0, 0, BLACK);
    ui_text_stats_t s2;
    ui_text_stats(fx->t, &s2);
    assert_int_equal(s2.rasterised, s1.rasterised + 1);
}

static void test_fonts_many_sizes(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    int w12 = ui_text_width(t, 12, "社区 Kiosk", -1);
    for (int px = 10; px <= 80; px++)
        assert_true(ui_text_width(t, px, "社区 Kiosk", -1) > 0);
    ui_text_stats_t s;
    ui_text_stats(t, &s);
    assert_int_equal(s.fonts, 1);            /* one face, resized per size */
    assert_int_equal(ui_text_width(t, 12, "社区 Kiosk", -1), w12);
    /* A size whose font was recycled measures new text the same way. */
    assert_int_equal(ui_text_width(t, 12, "居民", -1), 2 * ui_text_width(t, 12, "中", -1));
    /* Sizes are clamped to 4..400. */
    assert_int_equal(ui_text_width(t, 1000, "中", -1), ui_text_width(t, 400, "中", -1));
    assert_int_equal(ui_text_line_height(t, -5), ui_text_line_height(t, 4));
}

static void test_wrap_fuzz(void **state)
{
    ui_text_t *t = ((fx_t *)*state)->t;
    static const char *const tok[] = {
        "中", "文", "社区", "服务", "。", "，", "、", "！", "「", "」", "（", "）",
        " ", " ", "  ", "word", "a", "Pay", "bills", ".", ",", "(", ")", "\n",
        "9:00", "Supercalifragilistic", "\t", "\xff",
    };
    unsigned seed = 12345;
    char text[512];
    for (int iter = 0; iter < 400; iter++) {
        size_t n = 0;
        text[0] = '\0';
        int ntok = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        for (int k = 0; k < ntok; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *s = tok[(seed >> 16) % (sizeof tok / sizeof *tok)];
            if (n + strlen(s) + 1 >= sizeof text) break;
            memcpy(text + n, s, strlen(s) + 1);
            n += strlen(s);
        }
        seed = seed * 1103515245u + 12345u;
        int max_w = 10 + (int)((seed >> 16) % 400);
        ui_line_t lines[64];
        int nl = ui_text_wrap(t, 24, text, max_w, lines, 64);
        check_lines_t(t, 24, text, max_w, lines, nl, nl == 64);
        int few = ui_text_wrap(t, 24, text, max_w, lines, 2);
        assert_true(few <= 2);
        check_lines_t(t, 24, text, max_w, lines, few, 1);
    }
}

/* ---- pixels -------------------------------------------------------------- */

static void test_pixels_in_box(void **state)
{
    fx_t *fx = *state;
    clear_white(fx);
    int x = 100, y = 80, px = 48;
    int w = ui_text_draw(fx->t, px, "中", -1, x, y, BLACK);
    SDL_RenderPresent(fx->r);
    int lh = ui_text_line_height(fx->t, px);
    assert_int_equal(w, ui_text_width(fx->t, px, "中", -1));
    int inside_dark = 0, outside_dark = 0;
    for (int yy = 0; yy < SURF_H; yy++)
        for (int xx = 0; xx < SURF_W; xx++) {
            Uint32 p = pixel(fx->surf, xx, yy);
            int dark = (p & 0xFFFFFF) != 0xFFFFFF;
            int in = xx >= x && xx < x + w && yy >= y && yy < y + lh;
            if (dark && in) inside_dark++;
            if (dark && !in) outside_dark++;
        }
    assert_true(inside_dark > 100);
    assert_int_equal(outside_dark, 0);
    /* The ink is black where fully covered, and the vertical stroke of 中
     * crosses the middle of the box. */
    assert_int_equal(darkest(fx->surf, (SDL_Rect){x, y, w, lh}), 0);
    assert_true(darkest(fx->surf, (SDL_Rect){x + w / 2 - 3, y + lh / 2 - 3, 6, 6}) < 32);

    /* Colour and alpha come from the call: half-transparent red. */
    clear_white(fx);
    ui_text_draw(fx->t, px, "中", -1, x, y, (SDL_Color){255, 0, 0, 128});
    SDL_RenderPresent(fx->r);
    Uint32 darkest_px = 0xFFFFFFFF;
    for (int yy = y; yy < y + lh; yy++)
        for (int xx = x; xx < x + w; xx++) {
            Uint32 p = pixel(fx->surf, xx, yy);
            if ((p & 0xFF) < (darkest_px & 0xFF)) darkest_px = p;
        }
    assert_int_equal((darkest_px >> 16) & 0xFF, 255);              /* red kept */
    assert_in_range(darkest_px & 0xFF, 120, 135);                  /* half blue */

    /* Fully transparent colour draws nothing but still advances. */
    clear_white(fx);
    ui_text_stats_t s0, s1;
    ui_text_stats(fx->t, &s0);
    assert_int_equal(ui_text_draw(fx->t, px, "中", -1, x, y, (SDL_Color){0, 0, 0, 0}), w);
    ui_text_stats(fx->t, &s1);
    assert_int_equal(s1.draws, s0.draws);
}

static void test_baseline_shared(void **state)
{
    fx_t *fx = *state;
    /* "x" and "中" drawn on one line share a baseline: the bottom of x sits
     * at the ascent (within a pixel of antialiasing). */
    clear_white(fx);
    int px = 64, y = 50;
    ui_text_draw(fx->t, px, "x", -1, 10, y, BLACK);
    SDL_RenderPresent(fx->r);
    int bottom = -1;
    for (int yy = y; yy < y + ui_text_line_height(fx->t, px); yy++)
        if (darkest(fx->surf, (SDL_Rect){10, yy, 60, 1}) < 128) bottom = yy;
    assert_in_range(bottom - y, ui_text_ascent(fx->t, px) - 2, ui_text_ascent(fx->t, px));
}

/* ---- bad input ----------------------------------------------------------- */

static void test_invalid_utf8(void **state)
{
    fx_t *fx = *state;
    static const char *const bad[] = {
        "\xff", "\xfe\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
        "\xf4\x90\x80\x80", "\xe4\xb8", "abc\xe4", "\x80\x80\x80",
        "ok\xf0\x9f\x98", "中\xbf文",
    };
    int fffd = ui_text_width(fx->t, 32, "\xef\xbf\xbd", -1);
    assert_true(fffd > 0);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int w = ui_text_width(fx->t, 32, bad[i], -1);
        assert_true(w > 0);
        ui_line_t lines[8];
        int n = ui_text_wrap(fx->t, 32, bad[i], 40, lines, 8);
        assert_true(n >= 1);
        for (int k = 0; k < n; k++)
            assert_int_equal(lines[k].width,
                             ui_text_width(fx->t, 32, bad[i] + lines[k].start, lines[k].len));
        assert_int_equal(ui_text_draw(fx->t, 32, bad[i], -1, 10, 10, BLACK), w);
    }
    /* Each bad byte is one U+FFFD. */
    assert_int_equal(ui_text_width(fx->t, 32, "\xff", -1), fffd);
    assert_int_equal(ui_text_width(fx->t, 32, "\x80\x80\x80", -1), 3 * fffd);
    /* Cutting a character short makes its bytes bad ones. */
    assert_int_equal(ui_text_width(fx->t, 32, "中", 2), 2 * fffd);

    const char *s = "\xe4\xb8\xad\xff" "A\xc3\xa9\xf0\x9f\x98\x80";
    const char *end = s + strlen(s);
    assert_int_equal(ui_utf8_next(&s, end), 0x4E2D);
    assert_int_equal(ui_utf8_next(&s, end), 0xFFFD);
    assert_int_equal(ui_utf8_next(&s, end), 'A');
    assert_int_equal(ui_utf8_next(&s, end), 0xE9);
    assert_int_equal(ui_utf8_next(&s, end), 0x1F600);
    assert_ptr_equal(s, end);
    assert_int_equal(ui_utf8_next(&s, end), 0);          /* at the end */
    assert_ptr_equal(s, end);
    static const char sur[] = "\xed\xa0\x80";                  /* a surrogate */
    const char *p = sur;
    assert_int_equal(ui_utf8_next(&p, sur + 3), 0xFFFD);
    assert_ptr_equal(p, sur + 1);
}

static void test_missing_glyphs(void **state)
{
    fx_t *fx = *state;
    /* Emoji are not in Noto Sans CJK: they draw as .notdef, measured the
     * same, rasterised once for all of them. */
    int a = ui_text_width(fx->t, 32, "\xf0\x9f\x98\x80", -1);     /* U+1F600 */
    int b = ui_text_width(fx->t, 32, "\xf0\x9f\x8d\x95", -1);     /* U+1F355 */
    assert_true(a > 0);
    assert_int_equal(a, b);
    ui_text_stats_t s0, s1;
    ui_text_stats(fx->t, &s0);
    clear_white(fx);
    int w = ui_text_draw(fx->t, 32, "\xf0\x9f\x98\x80\xf0\x9f\x8d\x95", -1, 10, 10, BLACK);
    SDL_RenderPresent(fx->r);
    ui_text_stats(fx->t, &s1);
    assert_int_equal(w, a + b);
    assert_int_equal(s1.rasterised - s0.rasterised, 1);
    assert_int_equal(s1.draws - s0.draws, 2);
}

static void test_warm(void **state)
{
    fx_t *fx = *state;
    ui_text_stats_t s0, s1, s2;
    ui_text_stats(fx->t, &s0);
    ui_text_warm(fx->t, 40, "预热 warm 文字");
    ui_text_stats(fx->t, &s1);
    assert_int_equal(s1.rasterised - s0.rasterised, 8);   /* the space is not drawn */
    assert_int_equal(s1.draws, s0.draws);
    clear_white(fx);
    ui_text_draw(fx->t, 40, "预热 warm 文字", -1, 0, 0, BLACK);
    SDL_RenderPresent(fx->r);
    ui_text_stats(fx->t, &s2);
    assert_int_equal(s2.rasterised, s1.rasterised);
    assert_int_equal(s2.draws - s1.draws, 8);
    ui_text_warm(fx->t, 40, NULL);
    ui_text_warm(NULL, 40, "x");
}

/* Every translation of every shipped locale (each locales/ .po file, Hangul
 * included) has a glyph for each of its characters in the kiosk's one font
 * face (kiosk.ini's default), so no screen shows a .notdef box. */
static void test_locales_covered_by_font(void **state)
{
    fx_t *fx = *state;
    (void)fx;                                /* ui_text_create ran TTF_Init */
    TTF_Font *font = TTF_OpenFontIndex(FONT, 24, FACE);
    assert_non_null(font);
    glob_t g;
    assert_int_equal(glob("locales/*.po", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 3);            /* en, ko, zh_CN at least */
    int missing = 0, checked = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *in = fopen(g.gl_pathv[i], "r");
        assert_non_null(in);
        char line[4096];
        bool in_str = false;
        while (fgets(line, sizeof line, in)) {
            if (!strncmp(line, "msgstr", 6)) in_str = true;
            else if (line[0] != '"') in_str = false;
            if (!in_str) continue;
            const char *p = strchr(line, '"'), *end = line + strlen(line);
            if (!p) continue;
            while (p < end) {
                unsigned cp = ui_utf8_next(&p, end);
                if (cp < 0x20) continue;
                checked++;
                if (!TTF_GlyphIsProvided32(font, cp)) {
                    fprintf(stderr, "%s: U+%04X has no glyph in face %d\n", g.gl_pathv[i], cp, FACE);
                    missing++;
                }
            }
        }
        fclose(in);
    }
    globfree(&g);
    TTF_CloseFont(font);
    assert_true(checked > 10000);
    assert_int_equal(missing, 0);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_missing_file),
        T(test_create_not_a_font),
        T(test_width_basics),
        T(test_metrics),
        T(test_wrap_cjk),
        T(test_wrap_punctuation),
        T(test_wrap_latin),
        T(test_wrap_korean),
        T(test_wrap_long_word),
        T(test_wrap_newlines),
        T(test_wrap_max_lines),
        T(test_wrap_mixed),
        T(test_wrap_fuzz),
        T(test_atlas_reuse),
        T(test_atlas_spill),
        T(test_atlas_reset),
        T(test_fonts_many_sizes),
        T(test_pixels_in_box),
        T(test_baseline_shared),
        T(test_invalid_utf8),
        T(test_missing_glyphs),
        T(test_warm),
        T(test_locales_covered_by_font),
    };
#undef T
    int rc = cmocka_run_group_tests_name("text", tests, NULL, NULL);
    SDL_Quit();
    return rc;
}
