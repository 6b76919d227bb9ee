/* common/backoff.c: capped exponential ceilings and full jitter, driven by
 * the random values the test chooses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "backoff.h"

static void ceiling_doubles_up_to_the_cap(void **state)
{
    static const int64_t want[] = {0, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (int a = 1; a <= 8; a++) assert_int_equal(backoff_ceiling_ms(a, 1000, 60000), want[a]);
    assert_int_equal(backoff_ceiling_ms(0, 1000, 60000), 1000);         /* < 1 counts as 1 */
    assert_int_equal(backoff_ceiling_ms(-7, 1000, 60000), 1000);
    assert_int_equal(backoff_ceiling_ms(1, 5000, 3000), 3000);          /* base above the cap */
    assert_int_equal(backoff_ceiling_ms(2147483647, 1000, 300000), 300000);
    assert_int_equal(backoff_ceiling_ms(64, INT64_MAX / 2 + 1, INT64_MAX), INT64_MAX);
    assert_int_equal(backoff_ceiling_ms(3, 0, 300000), 0);
    assert_int_equal(backoff_ceiling_ms(3, 1000, 0), 0);
    assert_int_equal(backoff_ceiling_ms(3, -1, 300000), 0);
}

static void jitter_is_the_random_value_mod_ceiling_plus_one(void **state)
{
    assert_int_equal(backoff_jitter_ms(1, 1000, 300000, 0xffffffffu), 0xffffffffu % 1001);
    assert_int_equal(backoff_jitter_ms(1, 1000, 300000, 1000), 1000);
    assert_int_equal(backoff_jitter_ms(1, 1000, 300000, 1001), 0);
    assert_int_equal(backoff_jitter_ms(3, 1000, 300000, 4000), 4000);
    assert_int_equal(backoff_jitter_ms(3, 1000, 300000, 4001), 0);
    assert_int_equal(backoff_jitter_ms(0, 1000, 300000, 5), 5);
    assert_int_equal(backoff_jitter_ms(5, 0, 300000, 7), 0);
    assert_true(backoff_jitter_ms(2147483647, 1000, 300000, 0xffffffffu) <= 300000);
}

/* A fixed linear congruential sequence: the same numbers on every run. */
static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x;
}

static void jitter_spreads_over_zero_to_ceiling(void **state)
{
    uint32_t x = 12345u;
    for (int attempt = 1; attempt < 100000; attempt = attempt * 3 + 1) {
        int64_t ceiling = backoff_ceiling_ms(attempt, 1000, 300000), min = INT64_MAX, max = 0;
        for (int i = 0; i < 4000; i++) {
            int64_t v = backoff_jitter_ms(attempt, 1000, 300000, lcg(&x));
            assert_true(v >= 0 && v <= ceiling);
            if (v < min) min = v;
            if (v > max) max = v;
        }
        assert_true(max > ceiling / 2);       /* full jitter: reaches the top half */
        assert_true(min < ceiling / 2);       /* ... and the bottom half */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ceiling_doubles_up_to_the_cap),
        cmocka_unit_test(jitter_is_the_random_value_mod_ceiling_plus_one),
        cmocka_unit_test(jitter_spreads_over_zero_to_ceiling),
    };
    return cmocka_run_group_tests_name("common_backoff", tests, NULL, NULL);
}
