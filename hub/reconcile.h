/* `hub reconcile --date YYYY-MM-DD [--json]`: each configured payment
 * provider's statement of a day (China time) against the hub's orders of
 * that provider (orders.provider), their refunds and write-offs, one
 * section per provider. Every mismatch is listed:
 *   paid_not_recorded       the provider took money the hub does not count as paid
 *   amount_differs          the provider's amount is not the order's
 *   paid_not_credited       paid, but the utility was not credited (write-off not done)
 *   credited_not_paid       a write-off was credited for an order the provider did not take
 *   hub_paid_not_at_provider  paid at the hub, absent from the statement
 *   refund_not_recorded     refunded at the provider, paid at the hub
 *   refunded_not_at_provider  refunded at the hub, not in the statement
 *
 * Alipay's statement is its "trade" bill: a zip of CSV files (GBK) whose
 * details file has a header naming 支付宝交易号, 商户订单号, 业务类型 (交易
 * or 退款), 订单金额（元） and 退款批次号/请求号. WeChat Pay's is its trade
 * bill (bill_type ALL), fetched by pay_wechat.h and read by
 * reconcile_wx.c. docs/api.md "Reconciliation" describes what is read. Runs on the main thread of a
 * command (not the server), blocking. */
#ifndef HUB_RECONCILE_H
#define HUB_RECONCILE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Reconciles DATE with every configured provider: downloads each one's
 * statement, compares, prints a table per provider (or JSON when JSON: the
 * object of the one provider, an array of them with several) to OUT. The
 * number of mismatches of all (0 all agree), or -1 with ERR (no provider,
 * bad date, database error, or a provider with no readable statement: the
 * first such; with several providers the others' sections are printed
 * and the failing one's says why). */
int reconcile_run(sqlite3 *db, const char *date, bool json, FILE *out, char *err, size_t errlen);

/* The statement parser alone (tests, fuzzing): CSV TEXT (UTF-8 or GBK) of
 * the details file. Calls ROW for every payment ('P') or refund ('R') row;
 * 0, or -1 when the text has no header of the format. Pure. */
typedef void (*reconcile_row_fn)(void *user, char kind, const char *out_trade_no, const char *trade_no,
                                 long long fen, const char *refund_no);
int reconcile_parse_csv(const char *text, size_t len, reconcile_row_fn row, void *user);

/* WeChat Pay's trade bill (reconcile_wx.c): UTF-8 TEXT with its header
 * row, backquoted fields and summary. Calls ROW for every SUCCESS payment
 * ('P'), REFUND row ('R', refund state SUCCESS or PROCESSING) and REVOKED
 * order (both a 'P' and an 'R'); 0, or -1 when TEXT is not UTF-8 or has no
 * header of the format. Pure. */
int reconcile_parse_wechat(const char *text, size_t len, reconcile_row_fn row, void *user);

#endif
