/* Money as residents read it: fen (1/100 yuan) as "¥82.27". */
#ifndef KIOSK_MONEY_H
#define KIOSK_MONEY_H

#include <stddef.h>

/* "¥82.27", "-¥0.05"; OUT of at least 32 bytes is always enough. */
void money_yuan(long long fen, char *out, size_t len);

#endif
