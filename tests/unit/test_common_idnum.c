/* common/idnum.c: the ID number's ISO 7064 MOD 11-2 check character. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "idnum.h"

static void valid_numbers(void **state)
{
    assert_true(idnum_valid("110105195803120424"));
    assert_true(idnum_valid("370202199001011237"));
    assert_false(idnum_valid("110105195803120425"));
    assert_false(idnum_valid("110105195803120423"));
    /* An X check character, upper or lower case. */
    char id[19] = "11010119800101007X";
    assert_int_equal(idnum_check_char(id), 'X');
    assert_true(idnum_valid(id));
    id[17] = 'x';
    assert_true(idnum_valid(id));
    id[17] = '0';
    assert_false(idnum_valid(id));
}

static void each_last_digit_has_its_own_check(void **state)
{
    /* Each value of the 17th digit gives its own check character. */
    char id[19] = "37020319900101001?";
    int seen[128] = {0};
    for (char d = '0'; d <= '9'; d++) {
        id[16] = d;
        char c = idnum_check_char(id);
        assert_true((c >= '0' && c <= '9') || c == 'X');
        seen[(int)c] = 1;
        id[17] = c;
        assert_true(idnum_valid(id));
    }
    int distinct = 0;
    for (int i = 0; i < 128; i++) distinct += seen[i];
    assert_int_equal(distinct, 10);    /* the weight of digit 17 (2) is invertible mod 11 */
}

static void wrong_shapes(void **state)
{
    assert_false(idnum_valid(NULL));
    assert_false(idnum_valid(""));
    assert_false(idnum_valid("11010519580312042"));
    assert_false(idnum_valid("1101051958031204244"));
    assert_false(idnum_valid("11010519580312042A"));
    assert_false(idnum_valid("1101051958031A0424"));
    assert_int_equal(idnum_check_char("1101051958031"), 0);
    assert_int_equal(idnum_check_char(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_numbers),
        cmocka_unit_test(each_last_digit_has_its_own_check),
        cmocka_unit_test(wrong_shapes),
    };
    return cmocka_run_group_tests_name("common_idnum", tests, NULL, NULL);
}
