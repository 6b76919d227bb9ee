#include "core/money.h"

#include <stdio.h>

void money_yuan(long long fen, char *out, size_t len)
{
    const char *sign = fen < 0 ? "-" : "";
    unsigned long long a = fen < 0 ? 0ULL - (unsigned long long)fen : (unsigned long long)fen;
    snprintf(out, len, "%s\xC2\xA5%llu.%02llu", sign, a / 100, a % 100);
}
