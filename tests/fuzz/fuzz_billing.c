/* libFuzzer target for the readers of a billing system's answers
 * (hub/billing_http.c billing_parse_account, billing_parse_writeoff): the
 * input, not NUL-terminated, is an answer body. Built and run by
 * `make fuzz` and tests/checks/fuzz_smoke.sh; seeds in
 * tests/fuzz/corpus/billing.
 *
 * Invariants checked on every input:
 *   - an account is accepted only for the utility and account asked, with
 *     at most BILLING_MAX_BILLS bills, each with a non-empty reference, a
 *     YYYY-MM-shaped period, a 10-character due date, amounts in whole fen
 *     not negative; every string NUL-terminated; on failure OUT is all zero
 *     and ERR says why;
 *   - a write-off answer is OK only for status 200 naming the write-off
 *     asked, REFUSED only for 409 with a code (in ERR), RETRY otherwise,
 *     and never OK for a reversal answer to a credit or the other way. */
#include "billing.h"

#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"

static int zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i]) return 0;
    return 1;
}

static billing_account_t acc;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    char err[96] = "";
    int rc = billing_parse_account(body, size, "water", "5100000001", &acc, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "rc %d", rc);
    if (rc == 0) {
        CHECK(acc.n >= 0 && acc.n <= BILLING_MAX_BILLS, "n %d", acc.n);
        CHECK(memchr(acc.holder, 0, sizeof acc.holder) && memchr(acc.address, 0, sizeof acc.address), "unterminated");
        for (int i = 0; i < acc.n; i++) {
            const billing_bill_t *b = &acc.bills[i];
            CHECK(b->ref[0] && memchr(b->ref, 0, sizeof b->ref), "ref");
            CHECK(strlen(b->period) == 7 && strlen(b->due_date) == 10, "shape");
            CHECK(b->amount_fen >= 0 && b->late_fee_fen >= 0, "amounts");
        }
    } else {
        CHECK(zero(&acc, sizeof acc), "half-filled account");
        CHECK(err[0], "no reason");
    }
    static const long statuses[] = {200, 409, 500};
    for (int k = 0; k < 3; k++) {
        for (int rev = 0; rev < 2; rev++) {
            err[0] = '\0';
            billing_outcome_t o = billing_parse_writeoff(statuses[k], body, size, "W-1:2", rev, err, sizeof err);
            CHECK(o == BILLING_OK || o == BILLING_REFUSED || o == BILLING_RETRY, "outcome %d", (int)o);
            CHECK(o != BILLING_OK || statuses[k] == 200, "OK without 200");
            CHECK(o != BILLING_REFUSED || (statuses[k] == 409 && err[0]), "REFUSED without 409 and code");
            CHECK(o == BILLING_OK || err[0], "no reason");
            if (o == BILLING_OK) {
                billing_outcome_t other = billing_parse_writeoff(200, body, size, "W-1:2", !rev, err, sizeof err);
                CHECK(other != BILLING_OK, "a credit answer taken for a reversal or back");
            }
        }
    }
    return 0;
}
