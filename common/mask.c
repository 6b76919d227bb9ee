#include "mask.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"

/* Splits S into at most MAX codepoint offsets (a bad byte counts as one, so
 * it is masked like a character); returns the count. */
static size_t split(const char *s, size_t *offs, size_t max)
{
    size_t n = 0, i = 0, len = strlen(s);
    while (i < len && n < max) {
        offs[n++] = i;
        uint32_t cp;
        i += (size_t)utf8_next(s + i, len - i, &cp);
    }
    return n;
}

static void put(char *out, size_t outlen, size_t *pos, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *pos + 1 < outlen; i++) out[(*pos)++] = s[i];
    out[*pos] = '\0';
}

/* Shows the first KEEP_HEAD and last KEEP_TAIL codepoints, '*' for the rest. */
static void mask_middle(const char *s, size_t keep_head, size_t keep_tail,
                        char *out, size_t outlen)
{
    size_t offs[128];
    size_t n = split(s, offs, 128), pos = 0, len = strlen(s);
    if (outlen == 0) return;
    out[0] = '\0';
    /* Something is always hidden: a short (or oddly encoded) value keeps
     * fewer characters rather than showing in full. */
    while (n > 0 && keep_head + keep_tail >= n && keep_head + keep_tail > 0) {
        if (keep_head >= keep_tail && keep_head) keep_head--;
        else keep_tail--;
    }
    for (size_t i = 0; i < n; i++) {
        size_t end = i + 1 < n ? offs[i + 1] : len;
        if (i < keep_head || i >= n - keep_tail) put(out, outlen, &pos, s + offs[i], end - offs[i]);
        else put(out, outlen, &pos, "*", 1);
    }
}

void mask_id(const char *id, char *out, size_t outlen)
{
    size_t n = strlen(id);
    if (n > 8) mask_middle(id, 4, 4, out, outlen);
    else mask_middle(id, 0, n >= 2 ? 2 : n, out, outlen);
}

void mask_name(const char *name, char *out, size_t outlen)
{
    size_t offs[128];
    size_t n = split(name, offs, 128);
    if (n <= 1) { mask_middle(name, 0, 0, out, outlen); return; }
    if (n == 2) { mask_middle(name, 1, 0, out, outlen); return; }
    mask_middle(name, 1, 1, out, outlen);
}

void mask_phone(const char *phone, char *out, size_t outlen)
{
    size_t n = strlen(phone);
    if (n >= 11) mask_middle(phone, 3, 4, out, outlen);
    else mask_middle(phone, 0, n >= 2 ? 2 : n, out, outlen);
}

void mask_address(const char *addr, char *out, size_t outlen)
{
    static const char *const marks[] = {"\xE5\x8F\xB7\xE6\xA5\xBC", /* 号楼 */
                                        "\xE6\xA0\x8B",                 /* 栋 */
                                        "\xE5\xB9\xA2"};                /* 幢 */
    size_t keep = 0;
    for (size_t i = 0; i < sizeof marks / sizeof *marks && !keep; i++) {
        const char *m = strstr(addr, marks[i]);
        if (m) keep = (size_t)(m - addr) + strlen(marks[i]);
    }
    if (!keep) {
        size_t offs[5];
        size_t n = split(addr, offs, 5);
        keep = n == 5 ? offs[4] : 0;
    }
    snprintf(out, outlen, "%.*s****", (int)keep, addr);
}
