/* Payments in the kiosk database (table payments, migration 4): every field
 * of a payment_t (services/bills/payment.h), one row per out_trade_no, written by the
 * payment engine before each request it sends and after each answer, so a
 * payment survives a crash or a power cut at any point.
 *
 * Every function returns -1 on a database error (logged, never fatal) and
 * leaves the table as it was: each write is one statement, hence one
 * transaction. Times are wall milliseconds passed in by the caller. The
 * receipt JSON may hold personal data only masked (common/mask.h). */
#ifndef KIOSK_SERVICES_BILLS_PAY_STORE_H
#define KIOSK_SERVICES_BILLS_PAY_STORE_H

#include <stdint.h>
#include "services/bills/payment.h"
#include "store/store.h"

/* Makes every commit on ST's connection durable across a power cut
 * (PRAGMA synchronous=FULL: the WAL is synced at each commit). store_open
 * sets NORMAL, which survives a crash of the process but may lose the last
 * commits on power loss; a payment must not be lost once its out_trade_no
 * may have reached the hub. For the engine's own connection. 0 or -1. */
int store_pay_durable(store_t *st);

/* Adds payment P (its out_trade_no must be new) with RECEIPT_JSON (may be
 * NULL). 0, or -1 (also for an out_trade_no already stored). */
int store_pay_insert(store_t *st, const payment_t *p, const char *receipt_json, int64_t now_ms);

/* Writes every field of P over its row in one UPDATE (the receipt stays).
 * 0, or -1 on error or when no row has P's out_trade_no. */
int store_pay_save(store_t *st, const payment_t *p, int64_t now_ms);

/* The payments not in a final state, oldest first. Returns the number
 * written to OUT (<= MAX), or -1. A row that cannot be read back into a
 * payment_t (damaged by hand) is logged and skipped, and stays in the table. */
int store_pay_load_unfinished(store_t *st, payment_t *out, int max);

/* Payment NO into OUT and, when RECEIPT_JSON is not NULL, a malloc'd copy of
 * its receipt (NULL when it has none; free it). 1 found, 0 not found, -1 on
 * error (then *RECEIPT_JSON is NULL). */
int store_pay_get(store_t *st, const char *no, payment_t *out, char **receipt_json);

/* Number of payments in STATE, or -1. */
int store_pay_count(store_t *st, pay_state_t state);

/* Deletes final payments (paid, cancelled, failed) last written before
 * BEFORE_MS. Unfinished ones are never deleted. The number deleted, or -1. */
int store_pay_prune(store_t *st, int64_t before_ms);

#endif
