/* common/billqr.c: the paper bill's QR payload, read, written and checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "billqr.h"

static int parse(const char *s, billqr_t *b, const char **why)
{
    return billqr_parse(s, strlen(s), b, why);
}

static void parses_a_payload(void **state)
{
    billqr_t b;
    const char *why = "unset";
    assert_int_equal(parse("XFL-BILL:1:water:3702031056:2026-11:4100:39", &b, &why), 0);
    assert_string_equal(why, "unset");
    assert_string_equal(b.utility, "water");
    assert_string_equal(b.account, "3702031056");
    assert_string_equal(b.period, "2026-11");
    assert_int_equal(b.year, 2026);
    assert_int_equal(b.month, 11);
    assert_int_equal(b.amount_fen, 4100);
    assert_string_equal(b.check, "39");
    /* Field limits. */
    assert_int_equal(parse("XFL-BILL:1:electricity:110108000123:2025-12:1:25", &b, NULL), 0);
    assert_int_equal(parse("XFL-BILL:1:heating:9876543210987654321:2099-12:9999999999:17", &b, NULL), 0);
    assert_int_equal(b.amount_fen, 9999999999LL);
    assert_int_equal(parse("XFL-BILL:1:gas:123456:2000-01:0:77", &b, NULL), 0);
    /* LEN bounds the payload: what follows is not read. */
    assert_int_equal(billqr_parse("XFL-BILL:1:water:3702031056:2026-11:4100:39xyz", 43, &b, NULL), 0);
}

static void rejects_with_a_reason(void **state)
{
    static const struct { const char *payload, *why; } bad[] = {
        {"XFL-BILL:1:water:3702031056:2026-11:4100:38", "check digits do not match"},
        {"XFL-BILL:1:water:3702031056:2026-11:4101:39", "check digits do not match"},
        {"XFL-BILL:2:water:3702031056:2026-11:4100:39", "version"},
        {"XFL-BILL:1:Water:3702031056:2026-11:4100:39", "utility"},
        {"XFL-BILL:1:water:37020:2026-11:4100:39", "account"},
        {"XFL-BILL:1:water:123456789012345678901:2026-11:4100:39", "account"},
        {"XFL-BILL:1:water:3702031056:1999-12:4100:39", "period"},
        {"XFL-BILL:1:water:3702031056:2026-13:4100:39", "period"},
        {"XFL-BILL:1:water:3702031056:202611:4100:39", "period"},
        {"XFL-BILL:1:water:3702031056:2026-11::39", "amount"},
        {"XFL-BILL:1:water:3702031056:2026-11:-41:39", "amount"},
        {"XFL-BILL:1:water:3702031056:2026-11:12345678901:39", "amount"},
        {"XFL-BILL:1:water:3702031056:2026-11:04100:16", "must not start with 0"},   /* check right */
        {"XFL-BILL:1:water:3702031056:2026-11:4100:3", "check must be 2 digits"},
        {"XFL-BILL:1:water:3702031056:2026-11:4100:39 ", "check must be 2 digits"},
        {"XFL-BILL:1:water:3702031056:2026-11:4100", "7 fields"},
        {"XFL-BILL:1:water:3702031056:2026-11:4100:39:x", "7 fields"},
        {"XFL-BOLL:1:water:3702031056:2026-11:4100:39", "XFL-BILL"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        billqr_t b;
        const char *why = NULL;
        assert_int_equal(parse(bad[i].payload, &b, &why), -1);
        assert_non_null(why);
        assert_non_null(strstr(why, bad[i].why));
        assert_int_equal(strncmp(why, "paper bill", 10), 0);
    }
    char longer[200];
    snprintf(longer, sizeof longer, "XFL-BILL:1:water:3702031056:2026-11:4100:39%0120d", 0);
    const char *why = NULL;
    billqr_t b;
    assert_int_equal(parse(longer, &b, &why), -1);
    assert_non_null(strstr(why, "longer than 128"));
    assert_int_equal(billqr_parse(NULL, 0, &b, NULL), -1);
}

static void check_digits(void **state)
{
    char check[3];
    assert_int_equal(billqr_check("37020310562026114100", 20, check), 0);
    assert_string_equal(check, "39");
    assert_int_equal(billqr_check("", 0, check), 0);       /* 98 - 0 */
    assert_string_equal(check, "98");
    assert_int_equal(billqr_check("12a", 3, check), -1);
}

static void encode_then_parse_round_trips(void **state)
{
    static const struct { const char *utility, *account, *period; long long amount; } in[] = {
        {"water", "3702031056", "2026-11", 4100},
        {"electricity", "3702118472", "2026-11", 12345},
        {"gas", "123456", "2000-01", 0},
        {"heating", "98765432109876543210", "2099-12", 9999999999LL},
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        billqr_t b = {.amount_fen = in[i].amount}, back;
        char out[BILLQR_MAX + 1];
        snprintf(b.utility, sizeof b.utility, "%s", in[i].utility);
        snprintf(b.account, sizeof b.account, "%s", in[i].account);
        snprintf(b.period, sizeof b.period, "%s", in[i].period);
        int n = billqr_encode(&b, out, sizeof out);
        assert_true(n > 0 && (size_t)n == strlen(out));
        assert_int_equal(billqr_parse(out, (size_t)n, &back, NULL), 0);
        assert_string_equal(back.account, b.account);
        assert_int_equal(back.amount_fen, b.amount_fen);
        assert_string_equal(back.check, b.check);
        /* Formatting what was parsed gives the payload back. */
        char again[BILLQR_MAX + 1];
        assert_int_equal(billqr_format(&back, again, sizeof again), n);
        assert_string_equal(again, out);
    }
    billqr_t b = {.utility = "water", .account = "3702031056", .period = "2026-11", .amount_fen = 4100};
    char out[BILLQR_MAX + 1], tiny[10];
    assert_int_equal(billqr_encode(&b, out, sizeof out), 43);
    assert_string_equal(out, "XFL-BILL:1:water:3702031056:2026-11:4100:39");
    assert_int_equal(billqr_encode(&b, tiny, sizeof tiny), -1);
    billqr_t bad = {.utility = "water", .account = "37020a1056", .period = "2026-11", .amount_fen = 1};
    assert_int_equal(billqr_encode(&bad, out, sizeof out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_payload),
        cmocka_unit_test(rejects_with_a_reason),
        cmocka_unit_test(check_digits),
        cmocka_unit_test(encode_then_parse_round_trips),
    };
    return cmocka_run_group_tests_name("common_billqr", tests, NULL, NULL);
}
