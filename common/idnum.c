#include "idnum.h"

#include <string.h>

char idnum_check_char(const char *id)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    if (!id) return 0;
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        if (id[i] < '0' || id[i] > '9') return 0;   /* also stops at the NUL */
        sum += (id[i] - '0') * w[i];
    }
    return check[sum % 11];
}

bool idnum_valid(const char *id)
{
    if (!id || strlen(id) != 18) return false;
    char c = idnum_check_char(id);
    char last = id[17] == 'x' ? 'X' : id[17];
    return c != 0 && c == last;
}
