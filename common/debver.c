#include "debver.h"

#include <string.h>

bool debver_ok(const char *s)
{
    if (!s || s[0] < '0' || s[0] > '9') return false;
    size_t n = strnlen(s, DEBVER_MAX + 1);
    if (n > DEBVER_MAX || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && !strchr(".+~-", c)) return false;
    }
    return true;
}
