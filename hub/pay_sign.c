/* RSA2 signing and its text forms (pay_sign.h). */
#include "pay_sign.h"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

int pay_params_add(pay_params_t *ps, const char *key, const char *value)
{
    if (ps->n >= PAY_MAX_PARAMS) return -1;
    char *k = strdup(key), *v = strdup(value ? value : "");
    if (!k || !v) {
        free(k);
        free(v);
        return -1;
    }
    ps->p[ps->n].key = k;
    ps->p[ps->n].value = v;
    ps->n++;
    return 0;
}

const char *pay_params_get(const pay_params_t *ps, const char *key)
{
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].key, key)) return ps->p[i].value;
    return NULL;
}

void pay_params_free(pay_params_t *ps)
{
    for (int i = 0; i < ps->n; i++) {
        free(ps->p[i].key);
        free(ps->p[i].value);
    }
    ps->n = 0;
}

static int cmp_param(const void *a, const void *b)
{
    return strcmp(((const pay_param_t *)a)->key, ((const pay_param_t *)b)->key);
}

static bool skipped(const char *key, const char *const *skip)
{
    for (int i = 0; skip && skip[i]; i++)
        if (!strcmp(key, skip[i])) return true;
    return false;
}

char *pay_sign_content(const pay_params_t *ps, const char *const *skip)
{
    pay_param_t sorted[PAY_MAX_PARAMS];
    memcpy(sorted, ps->p, sizeof *sorted * (size_t)ps->n);
    qsort(sorted, (size_t)ps->n, sizeof *sorted, cmp_param);
    size_t len = 1;
    for (int i = 0; i < ps->n; i++) len += strlen(sorted[i].key) + strlen(sorted[i].value) + 2;
    char *out = malloc(len), *p = out;
    if (!out) return NULL;
    *p = '\0';
    for (int i = 0; i < ps->n; i++) {
        if (!sorted[i].value[0] || skipped(sorted[i].key, skip)) continue;
        if (p != out) *p++ = '&';
        p = stpcpy(stpcpy(stpcpy(p, sorted[i].key), "="), sorted[i].value);
    }
    return out;
}

static char *encode(char *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '*') {
            *p++ = (char)c;
        } else {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 15];
        }
    }
    return p;
}

char *pay_form_encode(const pay_params_t *ps)
{
    size_t len = 1;
    for (int i = 0; i < ps->n; i++) len += 3 * (strlen(ps->p[i].key) + strlen(ps->p[i].value)) + 2;
    char *out = malloc(len), *p = out;
    if (!out) return NULL;
    for (int i = 0; i < ps->n; i++) {
        if (i) *p++ = '&';
        p = encode(p, ps->p[i].key);
        *p++ = '=';
        p = encode(p, ps->p[i].value);
    }
    *p = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes S[0..N) into a new string; NULL if malformed (bad %, NUL byte). */
static char *decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *p = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *p++ = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            *p++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = '\0';
    return out;
}

int pay_form_parse(const char *body, size_t len, pay_params_t *ps)
{
    ps->n = 0;
    const char *end = body + len;
    for (const char *p = body; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        const char *eq = memchr(p, '=', (size_t)(amp - p));
        if (amp > p) {
            if (!eq || ps->n >= PAY_MAX_PARAMS) goto fail;
            char *k = decode(p, (size_t)(eq - p)), *v = decode(eq + 1, (size_t)(amp - eq - 1));
            if (!k || !v) {
                free(k);
                free(v);
                goto fail;
            }
            ps->p[ps->n].key = k;
            ps->p[ps->n].value = v;
            ps->n++;
        }
        p = amp + 1;
    }
    return 0;
fail:
    pay_params_free(ps);
    return -1;
}

/* Base64 (one line) of BIN, or NULL. */
static char *b64_encode(const unsigned char *bin, size_t n)
{
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out && EVP_EncodeBlock((unsigned char *)out, bin, (int)n) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Decodes B64 (whitespace allowed) into a new buffer, *N bytes; NULL if bad. */
static unsigned char *b64_decode(const char *b64, size_t *n)
{
    size_t len = strlen(b64);
    char *clean = malloc(len + 1);
    unsigned char *out = malloc(len + 1);
    size_t m = 0;
    if (!clean || !out) goto fail;
    for (size_t i = 0; i < len; i++)
        if (b64[i] != ' ' && b64[i] != '\n' && b64[i] != '\r' && b64[i] != '\t') clean[m++] = b64[i];
    clean[m] = '\0';
    if (m == 0 || m % 4) goto fail;
    int got = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)m);
    if (got < 0) goto fail;
    size_t pad = (clean[m - 1] == '=') + (m > 1 && clean[m - 2] == '=');
    *n = (size_t)got - pad;
    free(clean);
    return out;
fail:
    free(clean);
    free(out);
    return NULL;
}

EVP_PKEY *pay_key_private(const char *b64)
{
    size_t n;
    unsigned char *der = b64_decode(b64, &n);
    if (!der) return NULL;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)n);
    free(der);
    if (k && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

EVP_PKEY *pay_key_public(const char *b64)
{
    size_t n;
    unsigned char *der = b64_decode(b64, &n);
    if (!der) return NULL;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)n);
    free(der);
    if (k && EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

char *pay_rsa2_sign(EVP_PKEY *key, const char *data, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *sig = NULL;
    char *out = NULL;
    size_t siglen = 0;
    if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)data, len) != 1)
        goto fail;
    sig = malloc(siglen);
    if (!sig || EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)data, len) != 1) goto fail;
    out = b64_encode(sig, siglen);
fail:
    free(sig);
    EVP_MD_CTX_free(ctx);
    return out;
}

bool pay_rsa2_verify(EVP_PKEY *key, const char *data, size_t len, const char *sig_b64)
{
    size_t n;
    unsigned char *sig = sig_b64 ? b64_decode(sig_b64, &n) : NULL;
    if (!sig) return false;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestVerify(ctx, sig, n, (const unsigned char *)data, len) == 1;
    EVP_MD_CTX_free(ctx);
    free(sig);
    return ok;
}

/* ---- the exact text of a JSON member ------------------------------------ */

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
    return p;
}

/* Past the JSON string starting at P ('"'), or NULL. */
static const char *skip_string(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\') {
            if (!*++p) return NULL;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

/* Past the JSON value starting at P, or NULL. Nesting is bounded. */
static const char *skip_value(const char *p)
{
    int depth = 0;
    do {
        p = skip_ws(p);
        if (*p == '"') {
            if (!(p = skip_string(p))) return NULL;
        } else if (*p == '{' || *p == '[') {
            if (++depth > 64) return NULL;
            p++;
        } else if (*p == '}' || *p == ']') {
            if (--depth < 0) return NULL;
            p++;
        } else if (*p == ',' || *p == ':') {
            if (depth == 0) return NULL;
            p++;
        } else if (*p) {
            while (*p && !strchr(" \t\r\n,:{}[]\"", *p)) p++;
        } else {
            return NULL;
        }
    } while (depth > 0);
    return p;
}

int pay_json_member(const char *text, const char *name, const char **at, size_t *len)
{
    const char *p = skip_ws(text);
    if (*p++ != '{') return -1;
    size_t nlen = strlen(name);
    for (;;) {
        p = skip_ws(p);
        if (*p != '"') return -1;
        const char *kend = skip_string(p);
        if (!kend) return -1;
        bool match = (size_t)(kend - p - 2) == nlen && !memcmp(p + 1, name, nlen);
        p = skip_ws(kend);
        if (*p++ != ':') return -1;
        p = skip_ws(p);
        const char *vend = skip_value(p);
        if (!vend) return -1;
        if (match) {
            *at = p;
            *len = (size_t)(vend - p);
            return 0;
        }
        p = skip_ws(vend);
        if (*p == ',') p++;
        else return -1;
    }
}
