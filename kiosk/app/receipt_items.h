/* Building the items of a receipt described in JSON (drivers/printer/
 * receipt.h): the app's receipts (payments, bookings, the staff test) add
 * their lines through these. */
#ifndef KIOSK_APP_RECEIPT_ITEMS_H
#define KIOSK_APP_RECEIPT_ITEMS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* {"text", "align"?, "bold"?, "size"?}: ALIGN NULL = left, SIZE 1 = normal. */
void receipt_add_text(cJSON *items, const char *text, const char *align, bool bold, int size);
/* A line of '-' across the paper. */
void receipt_add_rule(cJSON *items);
/* A QR code of PAYLOAD, centred. */
void receipt_add_qr(cJSON *items, const char *payload);
/* Three blank lines and a partial cut: the end of every receipt. */
void receipt_add_end(cJSON *items);

#endif
