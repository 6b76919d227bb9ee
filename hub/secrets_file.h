/* The hub's secrets files: a payment provider's merchant keys
 * (pay_alipay.c, pay_wechat.c) and a billing system's key
 * (billing_http.c), one "key = value" per line, '#' or ';' comments.
 *
 * secrets_file_read opens PATH, refuses it unless it is a regular file of
 * the hub's own user readable by nobody else (mode 0600: WHAT says what it
 * holds, for the message), and calls ON_PAIR for each pair in order, with
 * both sides trimmed. ON_PAIR returns 0, or -1 with a message in MSG
 * ("unknown key x", "x is too long"); the reader then fails with
 * "PATH:LINE: MSG". Every error is one line in ERR; -1 is returned and
 * nothing is kept half-read (the caller resets what ON_PAIR filled). The
 * line buffer is wiped before it is freed: it held private keys.
 * No state; any thread. */
#ifndef HUB_SECRETS_FILE_H
#define HUB_SECRETS_FILE_H

#include <stddef.h>

typedef int (*secrets_pair_fn)(void *ctx, const char *key, const char *val, char *msg, size_t msglen);

int secrets_file_read(const char *path, const char *what, secrets_pair_fn on_pair, void *ctx,
                      char *err, size_t errlen);

#endif
