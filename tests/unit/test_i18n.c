/* Tests of core/i18n: loading compiled catalogues, lookups, locale choice,
 * and rejection of malformed .mo files. Each test works in its own temporary
 * directory; catalogues are compiled from .po text with msgfmt, or written
 * byte by byte where msgfmt cannot make the case. Run from the repo root
 * (the shipped-catalogue test reads build/locale). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/i18n.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZH_HEADER \
    "msgid \"\"\n" \
    "msgstr \"\"\n" \
    "\"Project-Id-Version: test\\n\"\n" \
    "\"PO-Revision-Date: 2024-01-01 00:00+0000\\n\"\n" \
    "\"Last-Translator: test\\n\"\n" \
    "\"Language-Team: test\\n\"\n" \
    "\"MIME-Version: 1.0\\n\"\n" \
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n" \
    "\"Content-Transfer-Encoding: 8bit\\n\"\n" \
    "\"Language: zh_CN\\n\"\n" \
    "\"Plural-Forms: nplurals=1; plural=0;\\n\"\n\n"

#define EN_HEADER \
    "msgid \"\"\n" \
    "msgstr \"\"\n" \
    "\"Project-Id-Version: test\\n\"\n" \
    "\"PO-Revision-Date: 2024-01-01 00:00+0000\\n\"\n" \
    "\"Last-Translator: test\\n\"\n" \
    "\"Language-Team: test\\n\"\n" \
    "\"MIME-Version: 1.0\\n\"\n" \
    "\"Content-Type: text/plain; charset=UTF-8\\n\"\n" \
    "\"Content-Transfer-Encoding: 8bit\\n\"\n" \
    "\"Language: en\\n\"\n" \
    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n"

static const char zh_po[] = ZH_HEADER
    "msgid \"@language-name\"\nmsgstr \"中文\"\n\n"
    "msgid \"Hello\"\nmsgstr \"你好\"\n\n"
    "msgid \"Pay\"\nmsgstr \"支付\"\n\n"
    "msgid \"Amount: %s\"\nmsgstr \"金额：%s\"\n\n"
    "msgid \"Only in Chinese\"\nmsgstr \"只有中文\"\n";

static const char en_po[] = EN_HEADER
    "msgid \"@language-name\"\nmsgstr \"English\"\n\n"
    "msgid \"Hello\"\nmsgstr \"Hello there\"\n\n"
    "msgid \"Pay\"\nmsgstr \"Pay now\"\n";

/* ---- helpers ---------------------------------------------------------- */

typedef struct {
    char dir[64];       /* temporary directory of this test */
} fixture_t;

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f) return -1;
    strcpy(f->dir, "/tmp/test_i18n.XXXXXX");
    if (!mkdtemp(f->dir)) { free(f); return -1; }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    i18n_free();
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* DIR/SUB/NAME into OUT (asserting it fits). SUB may be NULL. */
static void path_in(char *out, size_t cap, const char *dir, const char *sub,
                    const char *name)
{
    int n = sub ? snprintf(out, cap, "%s/%s/%s", dir, sub, name)
                : snprintf(out, cap, "%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

static void make_subdir(const char *dir, const char *sub)
{
    char p[256];
    path_in(p, sizeof p, dir, NULL, sub);
    assert_int_equal(mkdir(p, 0700), 0);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    if (len) assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* Reads PATH whole; the caller frees. */
static unsigned char *read_bytes(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long n = ftell(fp);
    assert_true(n > 0);
    rewind(fp);
    unsigned char *buf = malloc((size_t)n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

/* Compiles PO text into DIR/SUB/LOCALE.mo with msgfmt --check, passing
 * FLAGS (may be ""). The .po is written to DIR itself, which no test loads. */
static void compile_po(const char *dir, const char *sub, const char *locale,
                       const char *po, const char *flags)
{
    char po_path[256], mo_name[64], mo_path[256], cmd[700];
    snprintf(mo_name, sizeof mo_name, "%s.po", locale);
    path_in(po_path, sizeof po_path, dir, NULL, mo_name);
    write_bytes(po_path, po, strlen(po));
    snprintf(mo_name, sizeof mo_name, "%s.mo", locale);
    path_in(mo_path, sizeof mo_path, dir, sub, mo_name);
    int n = snprintf(cmd, sizeof cmd, "msgfmt --check %s -o '%s' '%s'",
                     flags, mo_path, po_path);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    assert_int_equal(system(cmd), 0);
}

/* DIR/mo holding zh_CN.mo and en.mo; returns nothing, asserts on failure. */
static void make_zh_en(const char *dir)
{
    make_subdir(dir, "mo");
    compile_po(dir, "mo", "zh_CN", zh_po, "");
    compile_po(dir, "mo", "en", en_po, "");
}

static int load_sub(const char *dir, const char *sub)
{
    char p[256];
    path_in(p, sizeof p, dir, NULL, sub);
    return i18n_load_dir(p);
}

static void put32(unsigned char *p, uint32_t v, int big)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (big ? 24 - 8 * i : 8 * i));
}

/* Writes a .mo of the N (id, str) pairs in the given order (no hash table)
 * to PATH, in little- or big-endian order. */
static void write_mo(const char *path, const char *const (*pairs)[2], size_t n,
                     int big)
{
    size_t strings = 28 + 16 * n, size = strings;
    for (size_t i = 0; i < n; i++)
        size += strlen(pairs[i][0]) + 1 + strlen(pairs[i][1]) + 1;
    unsigned char *b = calloc(1, size);
    assert_non_null(b);
    put32(b, 0x950412deu, big);
    put32(b + 4, 0, big);
    put32(b + 8, (uint32_t)n, big);
    put32(b + 12, 28, big);
    put32(b + 16, (uint32_t)(28 + 8 * n), big);
    put32(b + 20, 0, big);
    put32(b + 24, (uint32_t)strings, big);
    size_t at = strings;
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(pairs[i][t]);
            unsigned char *e = b + 28 + 8 * n * (size_t)t + 8 * i;
            put32(e, (uint32_t)len, big);
            put32(e + 4, (uint32_t)at, big);
            memcpy(b + at, pairs[i][t], len + 1);
            at += len + 1;
        }
    }
    write_bytes(path, b, size);
    free(b);
}

/* ---- tests ------------------------------------------------------------ */

static void test_load_zh_and_en(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_int_equal(i18n_count(), 2);
    assert_string_equal(i18n_name(0), "en");        /* sorted by name */
    assert_string_equal(i18n_name(1), "zh_CN");
    assert_null(i18n_name(2));
    assert_null(i18n_name(-1));
    assert_int_equal(i18n_find("en"), 0);
    assert_int_equal(i18n_find("zh_CN"), 1);
    assert_int_equal(i18n_find("zh"), -1);
    assert_int_equal(i18n_find(NULL), -1);
}

static void test_lookup_in_each_locale(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);

    assert_string_equal(i18n_current(), "zh_CN");
    assert_string_equal(_("Hello"), "你好");
    assert_string_equal(_("Pay"), "支付");
    assert_string_equal(_("Amount: %s"), "金额：%s");
    assert_string_equal(_("@language-name"), "中文");

    assert_int_equal(i18n_set("en"), 0);
    assert_string_equal(i18n_current(), "en");
    assert_string_equal(_("Hello"), "Hello there");
    assert_string_equal(_("Pay"), "Pay now");
    assert_string_equal(_("@language-name"), "English");
    /* Present in zh_CN only: en falls back to the msgid. */
    assert_string_equal(_("Only in Chinese"), "Only in Chinese");
}

static void test_get_in_named_locale(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(i18n_current(), "zh_CN");

    assert_string_equal(i18n_get_in("en", "Pay"), "Pay now");
    assert_string_equal(i18n_get_in("zh_CN", "Pay"), "支付");
    assert_string_equal(i18n_get_in("en", "@language-name"), "English");
    assert_string_equal(i18n_current(), "zh_CN");   /* unchanged */

    const char *id = "Pay";
    assert_ptr_equal(i18n_get_in("fr", id), id);
    assert_ptr_equal(i18n_get_in(NULL, id), id);
    assert_null(i18n_get_in("en", NULL));
}

static void test_unknown_msgid_falls_back(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);

    const char *id = "Not translated anywhere";
    assert_ptr_equal(i18n_get(id), id);
    assert_ptr_equal(i18n_get_in("en", id), id);
    /* The header entry (msgid "") is never returned as a translation. */
    const char *empty = "";
    assert_ptr_equal(i18n_get(empty), empty);
    assert_null(i18n_get(NULL));
    /* Lookups are exact: no prefix or case matching. */
    assert_string_equal(_("Hell"), "Hell");
    assert_string_equal(_("hello"), "hello");
    assert_string_equal(_("Hello "), "Hello ");
}

static void test_default_is_zh_cn_else_first(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    compile_po(f->dir, "mo", "zh_CN", zh_po, "");
    compile_po(f->dir, "mo", "en", en_po, "");
    compile_po(f->dir, "mo", "ar", en_po, "");      /* sorts first */
    assert_int_equal(load_sub(f->dir, "mo"), 3);
    assert_string_equal(i18n_name(0), "ar");
    assert_string_equal(i18n_current(), "zh_CN");

    make_subdir(f->dir, "nozh");
    compile_po(f->dir, "nozh", "fr", en_po, "");
    compile_po(f->dir, "nozh", "en", en_po, "");
    assert_int_equal(load_sub(f->dir, "nozh"), 2);
    assert_string_equal(i18n_current(), "en");
    assert_string_equal(_("Pay"), "Pay now");
}

static void test_set_unknown_keeps_current(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_int_equal(i18n_set("en"), 0);
    assert_int_equal(i18n_set("de"), -1);
    assert_string_equal(i18n_current(), "en");
    assert_int_equal(i18n_set(NULL), -1);
    assert_int_equal(i18n_set(""), -1);
    assert_int_equal(i18n_set("zh_cn"), -1);        /* names are exact */
    assert_string_equal(i18n_current(), "en");
    assert_string_equal(_("Pay"), "Pay now");
}

static void test_no_locales_shows_msgids(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "empty");
    assert_int_equal(load_sub(f->dir, "empty"), 0);
    assert_int_equal(i18n_count(), 0);
    assert_null(i18n_current());
    assert_null(i18n_name(0));
    assert_int_equal(i18n_set("zh_CN"), -1);
    const char *id = "Pay";
    assert_ptr_equal(i18n_get(id), id);
    assert_ptr_equal(i18n_get_in("zh_CN", id), id);

    assert_int_equal(load_sub(f->dir, "does-not-exist"), 0);
    assert_int_equal(i18n_load_dir(NULL), 0);
    assert_ptr_equal(i18n_get(id), id);

    i18n_free();                                    /* before any load too */
    assert_ptr_equal(i18n_get(id), id);
}

static void test_corrupt_files_skipped(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    char good[256], p[256];
    path_in(good, sizeof good, f->dir, "mo", "zh_CN.mo");
    size_t len;
    unsigned char *mo = read_bytes(good, &len);
    assert_true(len > 64);

    path_in(p, sizeof p, f->dir, "mo", "trunchalf.mo");
    write_bytes(p, mo, len / 2);
    path_in(p, sizeof p, f->dir, "mo", "trunclast.mo");   /* last NUL cut */
    write_bytes(p, mo, len - 1);
    path_in(p, sizeof p, f->dir, "mo", "truncheader.mo");
    write_bytes(p, mo, 20);
    path_in(p, sizeof p, f->dir, "mo", "empty.mo");
    write_bytes(p, "", 0);

    unsigned char *bad = malloc(len);
    assert_non_null(bad);

    memcpy(bad, mo, len);
    bad[0] ^= 0xff;
    path_in(p, sizeof p, f->dir, "mo", "badmagic.mo");
    write_bytes(p, bad, len);

    /* First translation's offset (table at T, entry 0, second word). */
    uint32_t t = (uint32_t)mo[16] | (uint32_t)mo[17] << 8 |
                 (uint32_t)mo[18] << 16 | (uint32_t)mo[19] << 24;
    assert_true(t + 8 <= len);
    memcpy(bad, mo, len);
    put32(bad + t + 4, (uint32_t)len + 100, 0);
    path_in(p, sizeof p, f->dir, "mo", "offpast.mo");
    write_bytes(p, bad, len);

    memcpy(bad, mo, len);
    put32(bad + t, 0xfffffff0u, 0);                 /* length wraps 32 bits */
    path_in(p, sizeof p, f->dir, "mo", "lenwrap.mo");
    write_bytes(p, bad, len);

    memcpy(bad, mo, len);
    put32(bad + 8, 0x20000000u, 0);                 /* N: tables past end */
    path_in(p, sizeof p, f->dir, "mo", "hugecount.mo");
    write_bytes(p, bad, len);

    memcpy(bad, mo, len);
    put32(bad + 12, 0xfffffff8u, 0);                /* O past end */
    path_in(p, sizeof p, f->dir, "mo", "tablepast.mo");
    write_bytes(p, bad, len);

    memcpy(bad, mo, len);
    put32(bad + 4, 0x00010000u, 0);                 /* major revision 1 */
    path_in(p, sizeof p, f->dir, "mo", "revision.mo");
    write_bytes(p, bad, len);

    free(bad);
    free(mo);

    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(i18n_name(0), "en");
    assert_string_equal(i18n_name(1), "zh_CN");
    assert_string_equal(i18n_current(), "zh_CN");
    assert_string_equal(_("Pay"), "支付");
    assert_string_equal(i18n_get_in("en", "Pay"), "Pay now");
    assert_int_equal(i18n_find("trunchalf"), -1);
    assert_int_equal(i18n_find("empty"), -1);
}

static void test_unterminated_string_rejected(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    static const char *const pairs[][2] = { { "Pay", "支付" } };
    char p[256];
    path_in(p, sizeof p, f->dir, "mo", "zh_CN.mo");
    write_mo(p, pairs, 1, 0);
    size_t len;
    unsigned char *mo = read_bytes(p, &len);
    mo[28 + 16 + 3] = 'X';                          /* NUL after "Pay" */
    path_in(p, sizeof p, f->dir, "mo", "nonul.mo");
    write_bytes(p, mo, len);
    free(mo);
    assert_int_equal(load_sub(f->dir, "mo"), 1);
    assert_string_equal(i18n_name(0), "zh_CN");
    assert_string_equal(_("Pay"), "支付");
}

static void test_big_endian_mo(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    compile_po(f->dir, "mo", "zh_CN", zh_po, "--endianness=big");
    compile_po(f->dir, "mo", "en", en_po, "--endianness=little");
    char p[256];
    path_in(p, sizeof p, f->dir, "mo", "zh_CN.mo");
    size_t len;
    unsigned char *mo = read_bytes(p, &len);
    static const unsigned char magic_be[4] = { 0x95, 0x04, 0x12, 0xde };
    assert_memory_equal(mo, magic_be, 4);
    free(mo);

    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(_("Hello"), "你好");
    assert_string_equal(_("@language-name"), "中文");
    assert_string_equal(i18n_get_in("en", "Hello"), "Hello there");
}

static void test_utf8_round_trip(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    static const char po[] = ZH_HEADER
        "msgid \"Welcome\"\n"
        "msgstr \"欢迎使用社区自助服务终端 ¥12.50 · 𠀋\"\n";
    compile_po(f->dir, "mo", "zh_CN", po, "");
    assert_int_equal(load_sub(f->dir, "mo"), 1);

    static const unsigned char want[] = {
        0xe6, 0xac, 0xa2, 0xe8, 0xbf, 0x8e,                 /* 欢迎 */
        0xe4, 0xbd, 0xbf, 0xe7, 0x94, 0xa8,                 /* 使用 */
        0xe7, 0xa4, 0xbe, 0xe5, 0x8c, 0xba,                 /* 社区 */
        0xe8, 0x87, 0xaa, 0xe5, 0x8a, 0xa9,                 /* 自助 */
        0xe6, 0x9c, 0x8d, 0xe5, 0x8a, 0xa1,                 /* 服务 */
        0xe7, 0xbb, 0x88, 0xe7, 0xab, 0xaf,                 /* 终端 */
        ' ', 0xc2, 0xa5, '1', '2', '.', '5', '0',           /* ¥12.50 */
        ' ', 0xc2, 0xb7, ' ',                               /* · */
        0xf0, 0xa0, 0x80, 0x8b,                             /* U+2000B */
    };
    const char *s = _("Welcome");
    assert_int_equal(strlen(s), sizeof want);
    assert_memory_equal(s, want, sizeof want);
}

static void test_context_and_plural_entries(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    static const char po[] = ZH_HEADER
        "msgctxt \"menu\"\nmsgid \"Open\"\nmsgstr \"展开\"\n\n"
        "msgid \"Open\"\nmsgstr \"打开\"\n\n"
        "msgctxt \"only\"\nmsgid \"Close\"\nmsgstr \"关\"\n\n"
        "msgid \"%d file\"\nmsgid_plural \"%d files\"\nmsgstr[0] \"%d 个文件\"\n";
    compile_po(f->dir, "mo", "zh_CN", po, "");
    assert_int_equal(load_sub(f->dir, "mo"), 1);
    assert_string_equal(_("Open"), "打开");
    assert_string_equal(_("Close"), "Close");       /* context entry ignored */
    assert_string_equal(_("menu\004Open"), "menu\004Open");
    assert_string_equal(_("%d file"), "%d 个文件");
    assert_string_equal(_("%d files"), "%d files");
}

static void test_handmade_unsorted_mo(void **state)
{
    fixture_t *f = *state;
    make_subdir(f->dir, "mo");
    static const char *const pairs[][2] = {
        { "Zebra", "斑马" },
        { "", "Content-Type: text/plain; charset=UTF-8\n" },
        { "Apple", "苹果" },
        { "Blank", "" },                            /* empty: untranslated */
        { "Mango", "芒果" },
    };
    char p[256];
    path_in(p, sizeof p, f->dir, "mo", "zh_CN.mo");
    write_mo(p, pairs, 5, 0);
    path_in(p, sizeof p, f->dir, "mo", "en.mo");
    write_mo(p, pairs, 5, 1);
    path_in(p, sizeof p, f->dir, "mo", "none.mo");
    write_mo(p, pairs, 0, 0);                       /* valid, no strings */
    assert_int_equal(load_sub(f->dir, "mo"), 3);
    for (int i = 0; i < 3; i++) {
        const char *loc = i18n_name(i);
        int has = strcmp(loc, "none") != 0;
        assert_string_equal(i18n_get_in(loc, "Zebra"), has ? "斑马" : "Zebra");
        assert_string_equal(i18n_get_in(loc, "Apple"), has ? "苹果" : "Apple");
        assert_string_equal(i18n_get_in(loc, "Mango"), has ? "芒果" : "Mango");
        assert_string_equal(i18n_get_in(loc, "Blank"), "Blank");
        assert_string_equal(i18n_get_in(loc, ""), "");
    }
}

static void test_bad_names_and_non_files_skipped(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    char good[256], p[256];
    path_in(good, sizeof good, f->dir, "mo", "en.mo");
    size_t len;
    unsigned char *mo = read_bytes(good, &len);
    static const char *const bad[] = { "zh-TW.mo", "a.b.mo", ".mo", "en.mo.bak",
                                       "EN", "name_that_is_far_too_long_for_a_locale.mo" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        path_in(p, sizeof p, f->dir, "mo", bad[i]);
        write_bytes(p, mo, len);
    }
    free(mo);
    make_subdir(f->dir, "mo/dir.mo");
    path_in(p, sizeof p, f->dir, "mo", "fifo.mo");  /* must not block */
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(i18n_name(0), "en");
    assert_string_equal(i18n_name(1), "zh_CN");
}

static void test_reload_and_free(void **state)
{
    fixture_t *f = *state;
    make_zh_en(f->dir);
    make_subdir(f->dir, "zhonly");
    compile_po(f->dir, "zhonly", "zh_CN", zh_po, "");

    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_int_equal(i18n_set("en"), 0);
    assert_int_equal(load_sub(f->dir, "mo"), 2);    /* replaces, keeps choice */
    assert_int_equal(i18n_count(), 2);
    assert_string_equal(i18n_current(), "en");
    assert_int_equal(load_sub(f->dir, "zhonly"), 1);
    assert_string_equal(i18n_current(), "zh_CN");
    assert_int_equal(load_sub(f->dir, "mo"), 2);    /* en is back */
    assert_string_equal(i18n_current(), "en");

    i18n_free();                                    /* forgets the choice */
    assert_int_equal(i18n_count(), 0);
    assert_null(i18n_current());
    assert_string_equal(_("Pay"), "Pay");
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(i18n_current(), "zh_CN");
}

/* Compiles PO into DIR/LOCALE.mo and returns its bytes (malloc'd). */
static unsigned char *mo_bytes(const char *dir, const char *locale, const char *po,
                               size_t *len)
{
    char p[256], name[64];
    compile_po(dir, NULL, locale, po, "");
    snprintf(name, sizeof name, "%s.mo", locale);
    path_in(p, sizeof p, dir, NULL, name);
    return read_bytes(p, len);
}

static unsigned char *dup_bytes(const void *data, size_t len)
{
    unsigned char *b = malloc(len ? len : 1);
    assert_non_null(b);
    memcpy(b, data, len);
    return b;
}

static void test_load_mo_from_memory(void **state)
{
    fixture_t *f = *state;
    size_t zh_len, en_len;
    unsigned char *zh = mo_bytes(f->dir, "zh_CN", zh_po, &zh_len);
    unsigned char *en = mo_bytes(f->dir, "en", en_po, &en_len);
    unsigned char *en2 = dup_bytes(zh, zh_len);

    assert_int_equal(i18n_load_mo("zh_CN", zh, zh_len), 0);     /* zh now owned */
    assert_int_equal(i18n_count(), 1);
    assert_string_equal(i18n_current(), "zh_CN");
    const char *pay = _("Pay");
    assert_string_equal(pay, "支付");
    /* Translations point into the image handed over. */
    assert_true((const unsigned char *)pay >= zh && (const unsigned char *)pay < zh + zh_len);

    assert_int_equal(i18n_load_mo("en", en, en_len), 0);        /* added */
    assert_int_equal(i18n_count(), 2);
    assert_string_equal(i18n_name(0), "en");
    assert_string_equal(i18n_current(), "zh_CN");
    assert_string_equal(i18n_get_in("en", "Pay"), "Pay now");

    assert_int_equal(i18n_set("en"), 0);
    assert_int_equal(i18n_load_mo("en", en2, zh_len), 0);       /* replaced */
    assert_int_equal(i18n_count(), 2);
    assert_string_equal(i18n_current(), "en");                 /* choice kept */
    assert_string_equal(_("Pay"), "支付");
    assert_string_equal(i18n_get_in("zh_CN", "Hello"), "你好");

    /* Rejected images are freed (valgrind / ASan would see a leak) and
     * change nothing. */
    static const char *const bad_names[] = { "zh-TW", "", "a.b",
                                             "name_that_is_far_too_long_for_a_locale" };
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++)
        assert_int_equal(i18n_load_mo(bad_names[i], dup_bytes(zh, zh_len), zh_len), -1);
    assert_int_equal(i18n_load_mo(NULL, dup_bytes(zh, zh_len), zh_len), -1);
    assert_int_equal(i18n_load_mo("de", dup_bytes(zh, 20), 20), -1);        /* short */
    assert_int_equal(i18n_load_mo("de", dup_bytes(zh, zh_len - 1), zh_len - 1), -1);
    assert_int_equal(i18n_load_mo("de", NULL, 0), -1);
    /* A bad image under a loaded name leaves the loaded one in place. */
    assert_int_equal(i18n_load_mo("en", dup_bytes(zh, 28), 28), -1);
    assert_int_equal(i18n_count(), 2);
    assert_int_equal(i18n_find("de"), -1);
    assert_string_equal(i18n_current(), "en");
    assert_string_equal(_("Pay"), "支付");

    /* i18n_load_dir replaces whatever was loaded from memory. */
    make_zh_en(f->dir);
    assert_int_equal(load_sub(f->dir, "mo"), 2);
    assert_string_equal(i18n_current(), "en");
    assert_string_equal(_("Pay"), "Pay now");
}

/* Without an i18n_set choice, the current locale after each load is zh_CN
 * if loaded, else the first by name. */
static void test_load_mo_current_locale(void **state)
{
    fixture_t *f = *state;
    size_t len;
    unsigned char *en = mo_bytes(f->dir, "en", en_po, &len);
    assert_int_equal(i18n_load_mo("en", en, len), 0);
    assert_string_equal(i18n_current(), "en");
    assert_int_equal(i18n_load_mo("de", dup_bytes(en, len), len), 0);
    assert_string_equal(i18n_current(), "de");
    assert_int_equal(i18n_load_mo("zh_CN", dup_bytes(en, len), len), 0);
    assert_string_equal(i18n_current(), "zh_CN");
    assert_int_equal(i18n_load_mo("ar", dup_bytes(en, len), len), 0);
    assert_string_equal(i18n_current(), "zh_CN");
    assert_int_equal(i18n_count(), 4);
    assert_string_equal(i18n_name(0), "ar");
    assert_string_equal(i18n_name(3), "zh_CN");
}

static void test_shipped_catalogues(void **state)
{
    (void)state;
    if (access("build/locale/zh_CN.mo", R_OK) != 0) {
        print_message("build/locale/zh_CN.mo not built, skipped\n");
        skip();
    }
    assert_true(i18n_load_dir("build/locale") >= 1);
    assert_true(i18n_find("zh_CN") >= 0);
    assert_string_equal(i18n_current(), "zh_CN");
    assert_string_equal(i18n_get_in("zh_CN", "@language-name"), "中文");
    if (i18n_find("en") >= 0)
        assert_string_equal(i18n_get_in("en", "@language-name"), "English");
    /* Every shipped locale names itself. */
    for (int i = 0; i < i18n_count(); i++)
        assert_string_not_equal(i18n_get_in(i18n_name(i), "@language-name"),
                                "@language-name");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_zh_and_en, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_in_each_locale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_in_named_locale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_msgid_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_is_zh_cn_else_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_unknown_keeps_current, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_locales_shows_msgids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unterminated_string_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_endian_mo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_and_plural_entries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handmade_unsorted_mo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_names_and_non_files_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_and_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_mo_from_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_mo_current_locale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shipped_catalogues, setup, teardown),
    };
    return cmocka_run_group_tests_name("i18n", tests, NULL, NULL);
}
