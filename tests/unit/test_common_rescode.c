/* common/rescode.c: the community resident code's payload, read and written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "rescode.h"

#define GOOD "XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF"

static int parse(const char *s, rescode_t *r, const char **why)
{
    return rescode_parse(s, strlen(s), r, why);
}

static void parses_a_payload(void **state)
{
    rescode_t r;
    const char *why = "unset";
    assert_int_equal(parse(GOOD, &r, &why), 0);
    assert_string_equal(why, "unset");
    assert_string_equal(r.code, "K7M2QX9ABZ");
    assert_string_equal(r.resident, "R12");
    assert_int_equal(r.issued, 1796000000);
    assert_int_equal(r.expires, 1827536000);
    assert_string_equal(r.mac, "0123456789ABCDEF0123456789ABCDEF");
    /* Field limits: a 1-digit and a 12-digit reference, 9-digit times. */
    assert_int_equal(parse("XFL-RES:1:2222222222:R1:999999999:1000000000:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", &r, NULL), 0);
    assert_int_equal(parse("XFL-RES:1:ZZZZZZZZZZ:R999999999999:100000000:9999999999:00000000000000000000000000000000", &r, NULL), 0);
    assert_int_equal(rescode_resident_id(r.resident), 999999999999LL);
    /* Need not be NUL-terminated: only LEN bytes are read. */
    char buf[sizeof GOOD + 4];
    memcpy(buf, GOOD, sizeof GOOD - 1);
    memcpy(buf + sizeof GOOD - 1, "XYZ", 3);
    assert_int_equal(rescode_parse(buf, sizeof GOOD - 1, &r, NULL), 0);
}

static void rejects_with_a_reason(void **state)
{
    static const struct { const char *s, *why; } bad[] = {
        {"XFL-RES:2:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "start"},
        {"xfl-res:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "start"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:0123456789ABCDEF0123456789ABCDEF", "7 fields"},
        {GOOD ":00", "7 fields"},
        {"XFL-RES:1:K7M2QX9AB:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "id"},
        {"XFL-RES:1:K7M2QX9AB0:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "id"},
        {"XFL-RES:1:k7m2qx9abz:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "id"},
        {"XFL-RES:1:K7M2QX9ABZ:12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "reference"},
        {"XFL-RES:1:K7M2QX9ABZ:R012:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "reference"},
        {"XFL-RES:1:K7M2QX9ABZ:R:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "reference"},
        {"XFL-RES:1:K7M2QX9ABZ:R1234567890123:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "reference"},
        {"XFL-RES:1:K7M2QX9ABZ:R370203196803120315:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "reference"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:0796000000:1827536000:0123456789ABCDEF0123456789ABCDEF", "times"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:17960000:1827536000:0123456789ABCDEF0123456789ABCDEF", "times"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:18275360000:0123456789ABCDEF0123456789ABCDEF", "times"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1827536000:1796000000:0123456789ABCDEF0123456789ABCDEF", "before"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1796000000:0123456789ABCDEF0123456789ABCDEF", "before"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789abcdef0123456789abcdef", "MAC"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDE", "MAC"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:0123456789ABCDEF0123456789ABCDEF0", "MAC"},
        {"XFL-RES:1:K7M2QX9ABZ:R12:1796000000:1827536000:", "MAC"},
        {"XFL-RES:1:", "7 fields"},
        {"", "start"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rescode_t r;
        const char *why = NULL;
        memset(&r, 0x55, sizeof r);
        assert_int_equal(parse(bad[i].s, &r, &why), -1);
        assert_non_null(why);
        if (!strstr(why, bad[i].why) || strncmp(why, "resident code", 13) != 0)
            fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].s, why, bad[i].why);
        assert_int_equal(r.code[0], 0);            /* zeroed on refusal */
    }
    /* A NUL inside, and a payload longer than the maximum. */
    rescode_t r;
    char nul[] = GOOD;
    nul[12] = '\0';
    assert_int_equal(rescode_parse(nul, sizeof nul - 1, &r, NULL), -1);
    char big[RESCODE_MAX + 2];
    memset(big, 'A', sizeof big);
    assert_int_equal(rescode_parse(big, sizeof big, &r, NULL), -1);
    assert_int_equal(rescode_parse(NULL, 0, &r, NULL), -1);
}

static void format_round_trips(void **state)
{
    rescode_t r, back;
    assert_int_equal(parse(GOOD, &r, NULL), 0);
    char out[RESCODE_MAX + 1], signed_part[RESCODE_MAX + 1];
    assert_int_equal(rescode_format(&r, out, sizeof out), (int)strlen(GOOD));
    assert_string_equal(out, GOOD);
    assert_int_equal(rescode_signed(&r, signed_part, sizeof signed_part), (int)strlen(GOOD) - 33);
    assert_memory_equal(signed_part, GOOD, strlen(signed_part));
    assert_int_equal(parse(out, &back, NULL), 0);
    assert_memory_equal(&back, &r, sizeof r);
    /* The longest payload fits RESCODE_MAX. */
    rescode_t big = {.code = "ZZZZZZZZZZ", .resident = "R999999999999", .issued = 9999999998LL,
                     .expires = 9999999999LL, .mac = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"};
    int n = rescode_format(&big, out, sizeof out);
    assert_true(n > 0 && n <= RESCODE_MAX);
    /* Too small a buffer, and malformed fields, are refused. */
    char tiny[40];
    assert_int_equal(rescode_format(&r, tiny, sizeof tiny), -1);
    rescode_t bad = r;
    bad.code[0] = 'O';
    assert_int_equal(rescode_format(&bad, out, sizeof out), -1);
    bad = r;
    bad.expires = bad.issued;
    assert_int_equal(rescode_signed(&bad, out, sizeof out), -1);
    bad = r;
    bad.mac[0] = 'a';
    assert_int_equal(rescode_format(&bad, out, sizeof out), -1);
    assert_true(rescode_signed(&bad, out, sizeof out) > 0);   /* the MAC is not part of it */
}

static void resident_references(void **state)
{
    char ref[14];
    assert_int_equal(rescode_resident_ref(1, ref), 0);
    assert_string_equal(ref, "R1");
    assert_int_equal(rescode_resident_ref(999999999999LL, ref), 0);
    assert_int_equal(rescode_resident_id(ref), 999999999999LL);
    assert_int_equal(rescode_resident_ref(0, ref), -1);
    assert_int_equal(rescode_resident_ref(1000000000000LL, ref), -1);
    assert_int_equal(rescode_resident_id("R0"), -1);
    assert_int_equal(rescode_resident_id("12"), -1);
    assert_int_equal(rescode_resident_id("R12x"), -1);
    assert_int_equal(rescode_resident_id(NULL), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_payload),
        cmocka_unit_test(rejects_with_a_reason),
        cmocka_unit_test(format_round_trips),
        cmocka_unit_test(resident_references),
    };
    return cmocka_run_group_tests_name("common_rescode", tests, NULL, NULL);
}
