/* libFuzzer target for the readers of a payment provider's statement
 * (hub/reconcile.c reconcile_parse_csv, Alipay's; hub/reconcile_wx.c
 * reconcile_parse_wechat, WeChat Pay's trade bill): the input, not
 * NUL-terminated, is the details file of a day's statement (GBK or UTF-8
 * CSV; backquoted fields for WeChat), given to both. Built and run by
 * `make fuzz` and tests/checks/fuzz_smoke.sh; seeds in
 * tests/fuzz/corpus/statement.
 *
 * Invariants checked on every input:
 *   - each parser returns 0 or -1, and calls back only after a header;
 *   - every row is a payment 'P' or a refund 'R' with an amount in fen of
 *     at most 12 digits of yuan, never negative;
 *   - the strings handed over are NUL-terminated and hold no comma, CR or
 *     LF (a field never runs into the next);
 *   - the same input parsed twice gives the same rows. */
#include "reconcile.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"

typedef struct { int n; unsigned long long sum; } tally_t;

static void check_str(const char *s)
{
    CHECK(s != NULL, "null field");
    CHECK(strpbrk(s, ",\r\n") == NULL, "a field holds a separator: %s", s);
}

static void on_row(void *user, char kind, const char *no, const char *trade_no, long long fen,
                   const char *refund_no)
{
    tally_t *t = user;
    CHECK(kind == 'P' || kind == 'R', "kind %d", kind);
    CHECK(fen >= 0 && fen <= 99999999999999LL, "fen %lld", fen);
    check_str(no);
    check_str(trade_no);
    check_str(refund_no);
    t->n++;
    t->sum = t->sum * 31 + (unsigned long long)fen + (unsigned char)kind + strlen(no);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tally_t a = {0}, b = {0};
    int rc = reconcile_parse_csv((const char *)data, size, on_row, &a);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    CHECK(rc == 0 || a.n == 0, "rows without a header");
    int rc2 = reconcile_parse_csv((const char *)data, size, on_row, &b);
    CHECK(rc == rc2 && a.n == b.n && a.sum == b.sum, "two parses differ");
    tally_t c = {0}, d = {0};
    rc = reconcile_parse_wechat((const char *)data, size, on_row, &c);
    CHECK(rc == 0 || rc == -1, "wechat rc %d", rc);
    CHECK(rc == 0 || c.n == 0, "wechat rows without a header");
    rc2 = reconcile_parse_wechat((const char *)data, size, on_row, &d);
    CHECK(rc == rc2 && c.n == d.n && c.sum == d.sum, "two wechat parses differ");
    return 0;
}
