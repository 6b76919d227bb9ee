/* What WeChat Pay (pay_wechat.c) offers beyond the provider interface of
 * pay.h: the day's trade bill itself, for `hub reconcile` (reconcile.c).
 *
 * pay_wechat_bill asks GET /v3/bill/tradebill (bill_type ALL, no
 * compression), then downloads the file at its download_url with a signed
 * GET, as the docs say. The file's answer carries no Wechatpay signature
 * (documented), so its integrity is the SHA1 hash_value of the signed
 * tradebill answer, checked here. Only the path of download_url is used,
 * asked of the configured gateway: the merchant's Authorization never goes
 * to another host. Blocking; thread-safe like the other operations. */
#ifndef HUB_PAY_WECHAT_H
#define HUB_PAY_WECHAT_H

#include <stddef.h>

/* The trade bill of DATE (YYYY-MM-DD): its bytes in *TEXT (malloc'd,
 * NUL-terminated, *LEN bytes) and 0, or -1 with ERR (no answer, refused,
 * not signed, too large, hash mismatch). */
int pay_wechat_bill(const char *date, char **text, size_t *len, char *err, size_t errlen);

#endif
