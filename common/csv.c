#include "csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_init(csv_t *c, bool bom)
{
    memset(c, 0, sizeof *c);
    if (bom) {
        c->cap = 256;
        c->buf = malloc(c->cap);
        if (!c->buf) {
            c->failed = true;
            return;
        }
        memcpy(c->buf, "\xEF\xBB\xBF", 4);
        c->len = 3;
    }
}

/* Room for N more bytes and the NUL. */
static bool reserve(csv_t *c, size_t n)
{
    if (c->failed) return false;
    if (n > (size_t)-1 / 4 - c->len) goto fail;
    if (c->len + n + 1 <= c->cap) return true;
    size_t cap = c->cap ? c->cap : 256;
    while (cap < c->len + n + 1) cap *= 2;
    bool fresh = !c->buf;
    char *b = realloc(c->buf, cap);
    if (!b) goto fail;
    if (fresh) b[0] = '\0';
    c->buf = b;
    c->cap = cap;
    return true;
fail:
    free(c->buf);
    memset(c, 0, sizeof *c);
    c->failed = true;
    return false;
}

bool csv_formula_like(const char *s)
{
    return s && s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

/* Appends S (N bytes) as one cell, quoted when it must be. */
static void put(csv_t *c, const char *s, size_t n, bool apostrophe)
{
    bool quote = false;
    size_t quotes = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') quotes++;
        if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n') quote = true;
    }
    /* separator + apostrophe + 2 quotes + doubled quotes */
    if (!reserve(c, n + quotes + 4)) return;
    char *p = c->buf + c->len;
    if (c->row_open) *p++ = ',';
    if (quote) *p++ = '"';
    if (apostrophe) *p++ = '\'';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') *p++ = '"';
        *p++ = s[i];
    }
    if (quote) *p++ = '"';
    *p = '\0';
    c->len = (size_t)(p - c->buf);
    c->row_open = true;
}

void csv_cell(csv_t *c, const char *s)
{
    if (!s) s = "";
    put(c, s, strlen(s), csv_formula_like(s));
}

void csv_int(csv_t *c, long long v)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%lld", v);
    put(c, num, (size_t)n, false);
}

void csv_row_end(csv_t *c)
{
    if (!reserve(c, 2)) return;
    memcpy(c->buf + c->len, "\r\n", 3);
    c->len += 2;
    c->row_open = false;
}

char *csv_take(csv_t *c, size_t *len)
{
    if (c->failed || !reserve(c, 0)) {
        *len = 0;
        return NULL;
    }
    char *b = c->buf;
    *len = c->len;
    memset(c, 0, sizeof *c);
    return b;
}

void csv_free(csv_t *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}
