/* common/utf8.c: the strict decoder, its lenient reading, encoding and
 * cutting at character boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "utf8.h"

static void decode_valid_sequences(void **state)
{
    uint32_t cp = 0;
    assert_int_equal(utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(utf8_decode("\0", 1, &cp), 1);
    assert_int_equal(cp, 0);
    assert_int_equal(utf8_decode("\xC2\x80", 2, &cp), 2);
    assert_int_equal(cp, 0x80);
    assert_int_equal(utf8_decode("\xE4\xB8\xAD", 3, &cp), 3);     /* 中 */
    assert_int_equal(cp, 0x4E2D);
    assert_int_equal(utf8_decode("\xEF\xBF\xBD", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFD);
    assert_int_equal(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(utf8_decode("\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    /* Only the first sequence is read. */
    assert_int_equal(utf8_decode("\xC3\xA9xyz", 5, &cp), 2);
    assert_int_equal(cp, 0xE9);
}

static void decode_rejects_bad_sequences(void **state)
{
    uint32_t cp = 7;
    assert_int_equal(utf8_decode("A", 0, &cp), -1);
    assert_int_equal(utf8_decode("\x80", 1, &cp), -1);              /* stray continuation */
    assert_int_equal(utf8_decode("\xC0\xAF", 2, &cp), -1);          /* overlong '/' */
    assert_int_equal(utf8_decode("\xC1\xBF", 2, &cp), -1);
    assert_int_equal(utf8_decode("\xE0\x9F\xBF", 3, &cp), -1);      /* overlong */
    assert_int_equal(utf8_decode("\xF0\x8F\xBF\xBF", 4, &cp), -1);  /* overlong */
    assert_int_equal(utf8_decode("\xED\xA0\x80", 3, &cp), -1);      /* surrogate */
    assert_int_equal(utf8_decode("\xED\xBF\xBF", 3, &cp), -1);
    assert_int_equal(utf8_decode("\xF4\x90\x80\x80", 4, &cp), -1);  /* > U+10FFFF */
    assert_int_equal(utf8_decode("\xF5\x80\x80\x80", 4, &cp), -1);
    assert_int_equal(utf8_decode("\xFF", 1, &cp), -1);
    assert_int_equal(utf8_decode("\xE5\xB9", 2, &cp), -1);          /* cut short */
    assert_int_equal(utf8_decode("\xE4\xB8\xAD", 2, &cp), -1);      /* cut by LEN */
    assert_int_equal(utf8_decode("\xE4" "A" "\xAD", 3, &cp), -1);   /* bad continuation */
    assert_int_equal(cp, 7);                                         /* untouched */
}

static void next_reads_bad_bytes_as_replacement(void **state)
{
    const char s[] = "\xE4\xB8\xAD\xFF" "A\xC3";
    size_t len = sizeof s - 1, i = 0;
    uint32_t cp, seen[8];
    int n = 0;
    while (i < len) {
        i += (size_t)utf8_next(s + i, len - i, &cp);
        seen[n++] = cp;
    }
    assert_int_equal(n, 4);
    assert_int_equal(seen[0], 0x4E2D);
    assert_int_equal(seen[1], UTF8_REPLACEMENT);
    assert_int_equal(seen[2], 'A');
    assert_int_equal(seen[3], UTF8_REPLACEMENT);
    /* A surrogate is three bad bytes, each its own U+FFFD. */
    assert_int_equal(utf8_next("\xED\xA0\x80", 3, &cp), 1);
    assert_int_equal(cp, UTF8_REPLACEMENT);
}

static void valid_whole_strings(void **state)
{
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("plain ascii", 11));
    assert_true(utf8_valid("\xE5\xBC\xA0\xE4\xB8\x89", 6));
    assert_true(utf8_valid("a\0b", 3));
    assert_true(utf8_valid("\xF0\x9F\x98\x80", 4));
    assert_false(utf8_valid("\xC0\xAF", 2));
    assert_false(utf8_valid("\xED\xA0\x80", 3));
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4));
    assert_false(utf8_valid("\xE5\xB9", 2));
    assert_false(utf8_valid("ok\xE5\xBC", 4));
}

static void encode_round_trips(void **state)
{
    static const uint32_t cps[] = {0, 'A', 0x7F, 0x80, 0x7FF, 0x800, 0x4E2D, 0xD7FF,
                                   0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char b[4];
        uint32_t back = 0;
        size_t n = utf8_encode(cps[i], b);
        assert_true(n >= 1 && n <= 4);
        assert_int_equal(utf8_decode(b, n, &back), (int)n);
        assert_int_equal(back, cps[i]);
    }
    char b[4];
    assert_int_equal(utf8_encode(0xD800, b), 0);
    assert_int_equal(utf8_encode(0xDFFF, b), 0);
    assert_int_equal(utf8_encode(0x110000, b), 0);
    assert_int_equal(utf8_encode(0xE9, b), 2);
    assert_memory_equal(b, "\xC3\xA9", 2);
}

static void floor_and_copy_keep_whole_characters(void **state)
{
    const char *s = "ab\xE4\xB8\xAD" "c";      /* a b 中 c */
    assert_int_equal(utf8_floor(s, 0), 0);
    assert_int_equal(utf8_floor(s, 2), 2);
    assert_int_equal(utf8_floor(s, 3), 2);
    assert_int_equal(utf8_floor(s, 4), 2);
    assert_int_equal(utf8_floor(s, 5), 5);

    char out[5];
    assert_true(utf8_copy(out, sizeof out, s));        /* 4 bytes fit: "ab" */
    assert_string_equal(out, "ab");
    char big[16];
    assert_false(utf8_copy(big, sizeof big, s));
    assert_string_equal(big, s);
    assert_false(utf8_copy(big, sizeof big, NULL));
    assert_string_equal(big, "");
    char one[1] = {'x'};
    assert_true(utf8_copy(one, sizeof one, "y"));
    assert_int_equal(one[0], '\0');
    assert_false(utf8_copy(one, 0, "y"));
    /* Exactly full: SIZE - 1 bytes fit, not cut. */
    char six[6];
    assert_false(utf8_copy(six, sizeof six, "ab\xE4\xB8\xAD"));
    assert_string_equal(six, "ab\xE4\xB8\xAD");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_valid_sequences),
        cmocka_unit_test(decode_rejects_bad_sequences),
        cmocka_unit_test(next_reads_bad_bytes_as_replacement),
        cmocka_unit_test(valid_whole_strings),
        cmocka_unit_test(encode_round_trips),
        cmocka_unit_test(floor_and_copy_keep_whole_characters),
    };
    return cmocka_run_group_tests_name("common_utf8", tests, NULL, NULL);
}
