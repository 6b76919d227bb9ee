/* libFuzzer target for the parsers of the hub's answers (net/hub_api.c):
 * the input, not NUL-terminated, goes to hub_parse_accounts,
 * hub_parse_order and hub_parse_error. Built and run by `make fuzz` and
 * tests/checks/fuzz_smoke.sh; seeds in tests/fuzz/corpus/hub_parse.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - each parser returns 0 or -1, and the error text is NUL-terminated:
 *     "" on success, not empty on failure;
 *   - on success every string field is NUL-terminated, counts are within
 *     their arrays, words are ones the header documents (utility, method,
 *     state), dates have their shape, numbers are whole and not negative
 *     where the API says so, and holder and address are masked (hold a '*')
 *     or empty: the kiosk never shows them in clear;
 *   - on failure the output is all zero (nothing half-filled for a caller
 *     that ignores the result);
 *   - parsing again with a short heap error buffer (1 to 64 bytes) gives
 *     the same result and a prefix of the same message;
 *   - hub_parse_error leaves the status alone on failure, and on success
 *     gives a non-empty code of printable ASCII and a message without
 *     control characters (both go to the log as one line). */
#include "net/hub_api.h"
#include "core/log.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

static int terminated(const char *field, size_t size)
{
    return memchr(field, '\0', size) != NULL;
}

static int one_of(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* "DDDD-DD" shapes: 'D' a digit, anything else itself. */
static int shaped(const char *s, const char *pattern)
{
    for (; *pattern; s++, pattern++)
        if (*pattern == 'D' ? !(*s >= '0' && *s <= '9') : *s != *pattern)
            return 0;
    return *s == '\0';
}

#define STR_OK(f) CHECK(terminated((f), sizeof(f)), "%s not NUL-terminated", #f)

static void check_accounts(const hub_accounts_t *a)
{
    static const char *const utilities[] = {"water", "electricity", "gas", "heating", NULL};
    CHECK(a->n >= 0 && a->n <= HUB_MAX_ACCOUNTS, "n %d", a->n);
    for (int i = 0; i < a->n; i++) {
        const hub_account_t *x = &a->a[i];
        STR_OK(x->utility);
        STR_OK(x->account);
        STR_OK(x->holder);
        STR_OK(x->address);
        CHECK(one_of(x->utility, utilities), "utility \"%s\"", x->utility);
        CHECK(x->holder[0] == '\0' || strchr(x->holder, '*'), "holder in clear");
        CHECK(x->address[0] == '\0' || strchr(x->address, '*'), "address in clear");
        CHECK(x->due_fen >= 0, "due_fen %lld", x->due_fen);
        CHECK(x->n_bills >= 0 && x->n_bills <= HUB_MAX_BILLS, "n_bills %d", x->n_bills);
        CHECK(x->n_history >= 0 && x->n_history <= HUB_HISTORY, "n_history %d", x->n_history);
        for (int j = 0; j < x->n_bills; j++) {
            const hub_bill_t *b = &x->bills[j];
            STR_OK(b->period);
            STR_OK(b->unit);
            STR_OK(b->due_date);
            CHECK(b->id >= 1, "bill id %lld", b->id);
            CHECK(b->amount_fen >= 0 && b->late_fee_fen >= 0, "negative amount");
            CHECK(isfinite(b->usage), "usage not finite");
            CHECK(shaped(b->period, "DDDD-DD"), "period \"%s\"", b->period);
            CHECK(shaped(b->due_date, "DDDD-DD-DD"), "due_date \"%s\"", b->due_date);
        }
        for (int j = 0; j < x->n_history; j++) {
            STR_OK(x->history[j].period);
            CHECK(shaped(x->history[j].period, "DDDD-DD"), "history period");
            CHECK(isfinite(x->history[j].usage), "history usage not finite");
        }
    }
}

static void check_order(const hub_order_t *o)
{
    static const char *const methods[] = {"qr", "code", NULL};
    STR_OK(o->out_trade_no);
    STR_OK(o->method);
    STR_OK(o->code_url);
    STR_OK(o->transaction_id);
    STR_OK(o->error);
    CHECK(o->out_trade_no[0], "empty out_trade_no");
    CHECK((unsigned)o->state < ORDER_STATE_COUNT, "state %d", (int)o->state);
    CHECK(hub_order_state_parse(hub_order_state_name(o->state)) == (int)o->state,
          "state name round trip");
    CHECK(one_of(o->method, methods), "method \"%s\"", o->method);
    CHECK(strcmp(o->method, "qr") != 0 || o->code_url[0], "qr order without code_url");
    CHECK(o->amount_fen >= 0, "amount_fen %lld", o->amount_fen);
    CHECK(o->n_bills >= 1 && o->n_bills <= HUB_MAX_ORDER_BILLS, "n_bills %d", o->n_bills);
    for (int i = 0; i < o->n_bills; i++)
        CHECK(o->bill_ids[i] >= 1, "bill id %lld", o->bill_ids[i]);
    CHECK(o->created >= 0 && o->updated >= 0 && o->expires >= 0, "negative time");
}

/* Parses with ERR, then again into a heap buffer of SMALL bytes: the same
 * result and a prefix of the same message. */
#define TWICE(call_err, call_small, err, small)                                     \
    do {                                                                            \
        char *e2 = malloc(small);                                                   \
        CHECK(e2 != NULL, "out of memory");                                         \
        int rc2 = (call_small);                                                     \
        CHECK(rc2 == rc, "returned %d, then %d", rc, rc2);                          \
        size_t want = strlen(err) < (small) - 1 ? strlen(err) : (small) - 1;        \
        CHECK(strlen(e2) == want && strncmp(e2, err, want) == 0,                    \
              "short error \"%s\" is not a prefix of \"%s\"", e2, err);             \
        free(e2);                                                                   \
    } while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_QUIET);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *json = (const char *)data;
    size_t small = 1 + size % 64;
    char err[256];

    static hub_accounts_t acc, acc2;
    memset(err, 'x', sizeof err);
    int rc = hub_parse_accounts(json, size, &acc, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "accounts returned %d", rc);
    CHECK(terminated(err, sizeof err), "accounts error not NUL-terminated");
    if (rc == 0) {
        CHECK(err[0] == '\0', "error \"%s\" on success", err);
        check_accounts(&acc);
    } else {
        CHECK(err[0] != '\0', "accounts failed without an error");
        CHECK(all_zero(&acc, sizeof acc), "accounts half-filled on failure");
    }
    TWICE(err, hub_parse_accounts(json, size, &acc2, e2, small), err, small);
    if (rc == 0)
        CHECK(memcmp(&acc, &acc2, sizeof acc) == 0, "two parses differ");

    hub_order_t o, o2;
    memset(err, 'x', sizeof err);
    rc = hub_parse_order(json, size, &o, err, sizeof err);
    CHECK(rc == 0 || rc == -1, "order returned %d", rc);
    CHECK(terminated(err, sizeof err), "order error not NUL-terminated");
    if (rc == 0) {
        CHECK(err[0] == '\0', "error \"%s\" on success", err);
        check_order(&o);
    } else {
        CHECK(err[0] != '\0', "order failed without an error");
        CHECK(all_zero(&o, sizeof o), "order half-filled on failure");
    }
    TWICE(err, hub_parse_order(json, size, &o2, e2, small), err, small);
    CHECK(hub_parse_order(json, size, &o2, NULL, 0) == rc, "result without err");

    hub_status_t st, before;
    memset(&st, 0x5a, sizeof st);
    memcpy(&before, &st, sizeof st);
    rc = hub_parse_error(json, size, &st);
    CHECK(rc == 0 || rc == -1, "error returned %d", rc);
    if (rc == 0) {
        STR_OK(st.code);
        STR_OK(st.message);
        CHECK(st.code[0], "empty code");
        for (const char *p = st.code; *p; p++)
            CHECK(*p >= ' ' && *p < 0x7f, "control character in code");
        for (const char *p = st.message; *p; p++)
            CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "control character in message");
        CHECK(st.result == before.result && st.http == before.http &&
              memcmp(&st.replayed, &before.replayed, sizeof st.replayed) == 0,
              "fields other than code and message changed");
    } else {
        CHECK(memcmp(&st, &before, sizeof st) == 0, "status changed on failure");
    }
    return 0;
}
