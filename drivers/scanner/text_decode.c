#include "scanner/text_decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

const char *text_encoding_name(text_encoding_t e)
{
    switch (e) {
    case TEXT_UTF8: return "utf-8";
    case TEXT_GBK: return "gbk";
    case TEXT_LATIN1: return "latin-1";
    }
    return "?";
}

/* Copies valid UTF-8 (LEN bytes at S) into OUT, replacing NULs by U+FFFD and
 * stopping at the last whole character that fits before the terminating
 * NUL. Returns the bytes written. */
static size_t emit_utf8(const unsigned char *s, size_t len, char *out, size_t outlen, text_info_t *info)
{
    static const char repl[] = "\xEF\xBF\xBD";
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        int d = utf8_decode((const char *)s + i, len - i, &cp);
        size_t k = d > 0 ? (size_t)d : 0;
        const char *src = (const char *)s + i;
        size_t w = k;
        if (k == 0) {           /* cannot happen for checked input; stay safe */
            src = repl;
            w = 3;
            k = 1;
        } else if (s[i] == 0) {
            src = repl;
            w = 3;
            info->replaced = 1;
        }
        if (o + w > outlen - 1) {
            info->truncated = 1;
            break;
        }
        memcpy(out + o, src, w);
        o += w;
        i += k;
    }
    out[o] = '\0';
    return o;
}

/* GB18030 -> UTF-8 into a fresh buffer (*RES, *RESLEN). Returns 0, or -1
 * when the input is not a complete, valid GB18030 sequence. */
static int from_gb18030(const unsigned char *in, size_t len, unsigned char **res, size_t *reslen)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return -1;
    /* Each GB18030 byte yields at most 2 UTF-8 bytes (2-byte codes -> 3
     * bytes, 4-byte codes -> at most 4), plus slack. */
    size_t cap = len * 2 + 8;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return -1;
    }
    char *ip = (char *)in, *op = (char *)buf;
    size_t il = len, ol = cap;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    int ok = r != (size_t)-1 && il == 0;
    if (ok) ok = iconv(cd, NULL, NULL, &op, &ol) != (size_t)-1;
    iconv_close(cd);
    if (!ok) {
        free(buf);
        return -1;
    }
    *res = buf;
    *reslen = cap - ol;
    return 0;
}

static size_t emit_latin1(const unsigned char *s, size_t len, char *out, size_t outlen, text_info_t *info)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        char tmp[4];
        size_t w = utf8_encode(c ? c : UTF8_REPLACEMENT, tmp);
        if (c == 0) info->replaced = 1;
        if (o + w > outlen - 1) {
            info->truncated = 1;
            break;
        }
        memcpy(out + o, tmp, w);
        o += w;
    }
    out[o] = '\0';
    return o;
}

int text_decode(const void *in, size_t len, char *out, size_t outlen, text_info_t *info)
{
    text_info_t dummy;
    if (!info) info = &dummy;
    memset(info, 0, sizeof *info);
    if (outlen == 0) return -1;
    out[0] = '\0';
    if (len > TEXT_IN_MAX || (!in && len)) return -1;
    const unsigned char *s = in;

    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        if (utf8_valid((const char *)s + 3, len - 3)) {
            info->bom = 1;
            info->encoding = TEXT_UTF8;
            return (int)emit_utf8(s + 3, len - 3, out, outlen, info);
        }
    } else if (utf8_valid((const char *)s, len)) {
        info->encoding = TEXT_UTF8;
        return (int)emit_utf8(s, len, out, outlen, info);
    }

    unsigned char *u;
    size_t ulen;
    if (from_gb18030(s, len, &u, &ulen) == 0) {
        info->encoding = TEXT_GBK;
        size_t n = emit_utf8(u, ulen, out, outlen, info);
        free(u);
        return (int)n;
    }
    info->encoding = TEXT_LATIN1;
    return (int)emit_latin1(s, len, out, outlen, info);
}
