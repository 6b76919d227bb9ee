/* Payment test support shared by the provider suites (test_hub_alipay,
 * test_hub_wechat, test_hub_wxrecon): a hub with the demo bills and a real
 * provider behind it, the notification listener, and the small queries and
 * requests those suites make about orders and bills.
 *
 * Owns: nothing between calls but paytest_create's order numbers: the
 * suite's prefix and a counter (one per test binary, never reset, so
 * numbers stay unique across the tests of a suite). The suites own their
 * environment (hub, simulators, listener) and pass the hub in.
 * Threads: call from the test's thread (the queries use db_thread());
 * paytest_race runs its own threads and joins them before it returns.
 * Errors: none returned; anything unexpected fails the running test
 * through cmocka, as the suites' own helpers did. */
#ifndef PAYTEST_H
#define PAYTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "alipay_sim.h"
#include "hubtest.h"
#include "pay.h"

/* Payment codes the simulators take: an Alipay and a WeChat Pay wallet. */
#define PAYTEST_ALIPAY_CODE "286512345678901234"
#define PAYTEST_WECHAT_CODE "134567890123456789"

/* pay_reset, then an empty hub (hubtest_start) with the demo bills. */
hubtest_t *paytest_hub_start(void);
/* hubtest_stop, then pay_reset. */
void paytest_hub_stop(hubtest_t *t);

/* Writes TEXT to PATH with MODE. */
void paytest_write_file(const char *path, const char *text, mode_t mode);
/* An Alipay secrets file for SIM's keys and gateway at PATH, with MODE. */
void paytest_alipay_secrets(alipay_sim_t *sim, const char *path, mode_t mode);
/* The providers of a WeChat Pay hub on T: WECHAT_TEXT (the simulator's
 * secrets) in T's dir/wechat.secrets, its path in SECRETS, for provider
 * "wechat"; or, with ALI, Alipay's secrets beside it (path in ALI_SECRETS)
 * for provider "alipay,wechat", QR orders to QR_PROVIDER unless NULL. */
void paytest_wechat_providers(hubtest_t *t, const char *wechat_text, alipay_sim_t *ali, const char *qr_provider,
                              char secrets[160], char ali_secrets[160]);
/* Once provider and secrets are configured: timeout_ms = 1500, the
 * notification listener on a free loopback port, its URL (ending in PATH)
 * in URL and as notify_url, then pay_init. Returns the listener. */
pay_notify_t *paytest_listen_and_init(const char *path, char *url, size_t len);

/* The first column of the first row of SQL (TEXT bound to ?1 unless NULL)
 * on the hub's database; -1 without a row. */
long long paytest_q_int(const char *sql, const char *text);
/* An unpaid bill no order holds. */
long long paytest_fresh_bill(void);
bool paytest_bill_paid(long long id);
/* The amount of order NO, in fen. */
long long paytest_amount_of(const char *no);
/* FEN as yuan text, "12.34" (as Alipay writes amounts). */
void paytest_yuan(long long fen, char out[32]);

/* The body of POST /v1/payments for BILL: a payment code CODE, or a QR
 * when CODE is NULL. */
void paytest_order_body(char *body, size_t len, const char *no, long long bill, const char *code);
/* The prefix of the order numbers paytest_create makes from now on
 * ("ALI": "ALI-0001", ...; at most 16 characters); "T" until set. */
void paytest_order_prefix(const char *prefix);
/* Creates that order as device test-01 under a new number (written to NO,
 * 33 bytes). */
hubtest_resp_t paytest_create(hubtest_t *t, char *no, long long bill, const char *code);
/* paytest_create, then: the answer's status is STATUS (unless 0), its
 * order.state STATE (unless NULL); the answer is freed. */
void paytest_create_expect(hubtest_t *t, char *no, long long bill, const char *code, int status, const char *state);
/* order.state of an answer ("" if none). */
const char *paytest_state(const hubtest_resp_t *r);
/* GET /v1/payments/NO answers 200 with order.state STATE. */
void paytest_expect_query(hubtest_t *t, const char *no, const char *state);
/* POST /v1/payments/NO/WHAT ("close", "reverse") with "{}". */
hubtest_resp_t paytest_post_on(hubtest_t *t, const char *no, const char *what);
/* paytest_post_on, then: the answer's status is STATUS (unless 0), its
 * order.state STATE (unless NULL); the answer is freed. */
void paytest_post_on_expect(hubtest_t *t, const char *no, const char *what, int status, const char *state);
/* N threads POST BODY to /v1/payments at once as test-01, each with its
 * own key "KEY_PREFIX-I"; each must get 201 or 200. Returns how many got 201. */
int paytest_race(hubtest_t *t, const char *body, const char *key_prefix, int n);

/* The hub's day, China time ("2026-11-29" with the suites' clock). */
void paytest_today(char day[11]);
/* reconcile_run of DAY: its result, the output in *TEXT (caller frees). */
int paytest_reconcile(const char *day, bool json, char **text, char *err, size_t errlen);
/* SECTION (reconcile's JSON, or one provider's section of it) lists a
 * mismatch of KIND for order NO. */
bool paytest_has_mismatch(const cJSON *section, const char *kind, const char *no);

#endif
