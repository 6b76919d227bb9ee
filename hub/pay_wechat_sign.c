/* WeChat Pay's signatures and codecs (pay_wechat_sign.h). */
#include "pay_wechat_sign.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *pay_wx_request_text(const char *method, const char *url, const char *timestamp,
                          const char *nonce, const char *body)
{
    char *out = NULL;
    if (asprintf(&out, "%s\n%s\n%s\n%s\n%s\n", method, url, timestamp, nonce, body ? body : "") < 0)
        return NULL;
    return out;
}

char *pay_wx_authorization(EVP_PKEY *key, const char *mchid, const char *serial, const char *method,
                           const char *url, const char *body, int64_t timestamp, const char *nonce)
{
    char ts[24], *out = NULL;
    snprintf(ts, sizeof ts, "%lld", (long long)timestamp);
    char *text = pay_wx_request_text(method, url, ts, nonce, body);
    char *sig = text ? pay_rsa2_sign(key, text, strlen(text)) : NULL;
    if (sig && asprintf(&out, "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\",nonce_str=\"%s\",signature=\"%s\","
                        "timestamp=\"%s\",serial_no=\"%s\"", mchid, nonce, sig, ts, serial) < 0)
        out = NULL;
    free(sig);
    free(text);
    return out;
}

bool pay_wx_verify(EVP_PKEY *key, const char *timestamp, const char *nonce, const char *body,
                   size_t len, const char *sig_b64)
{
    if (!timestamp || !nonce || !sig_b64 || !key) return false;
    size_t tl = strlen(timestamp), nl = strlen(nonce);
    char *text = malloc(tl + nl + len + 4);
    if (!text) return false;
    char *p = text;
    memcpy(p, timestamp, tl), p += tl, *p++ = '\n';
    memcpy(p, nonce, nl), p += nl, *p++ = '\n';
    if (len) memcpy(p, body, len);
    p += len;
    *p++ = '\n';
    bool ok = pay_rsa2_verify(key, text, (size_t)(p - text), sig_b64);
    free(text);
    return ok;
}

int pay_wx_nonce(char out[33])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) return -1;
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[r[i] >> 4];
        out[2 * i + 1] = hex[r[i] & 15];
    }
    out[32] = '\0';
    return 0;
}

/* Decodes base64 B64 (no whitespace) into a new buffer of *N bytes; NULL if bad. */
static unsigned char *b64_decode(const char *b64, size_t *n)
{
    size_t m = strlen(b64);
    if (m == 0 || m % 4 || m > (1u << 20)) return NULL;
    unsigned char *out = malloc(m);
    if (!out) return NULL;
    int got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)m);
    if (got < 0) {
        free(out);
        return NULL;
    }
    *n = (size_t)got - (b64[m - 1] == '=') - (b64[m - 2] == '=');
    return out;
}

char *pay_wx_decrypt(const unsigned char *key, const char *nonce, const char *associated_data,
                     const char *ciphertext_b64, size_t *len)
{
    size_t n = 0;
    unsigned char *ct = NULL;
    char *plain = NULL;
    EVP_CIPHER_CTX *c = NULL;
    int out1 = 0, out2 = 0;
    if (!nonce || !associated_data || !ciphertext_b64 || strlen(nonce) != 12) return NULL;
    ct = b64_decode(ciphertext_b64, &n);
    if (!ct || n < 16) goto fail;
    size_t body = n - 16;
    plain = malloc(body + 1);
    c = EVP_CIPHER_CTX_new();
    if (!plain || !c || EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1 ||
        EVP_DecryptInit_ex(c, NULL, NULL, key, (const unsigned char *)nonce) != 1 ||
        EVP_DecryptUpdate(c, NULL, &out1, (const unsigned char *)associated_data,
                          (int)strlen(associated_data)) != 1 ||
        EVP_DecryptUpdate(c, (unsigned char *)plain, &out1, ct, (int)body) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, ct + body) != 1 ||
        EVP_DecryptFinal_ex(c, (unsigned char *)plain + out1, &out2) != 1)
        goto fail;
    plain[out1 + out2] = '\0';
    /* A JSON text never holds a NUL byte: refuse one rather than cut short. */
    if (memchr(plain, '\0', (size_t)(out1 + out2))) goto fail;
    *len = (size_t)(out1 + out2);
    EVP_CIPHER_CTX_free(c);
    free(ct);
    return plain;
fail:
    EVP_CIPHER_CTX_free(c);
    free(ct);
    free(plain);
    return NULL;
}

char *pay_wx_v2_sign(const pay_params_t *ps, const char *key)
{
    static const char *const skip[] = {"sign", NULL};
    static const char hex[] = "0123456789ABCDEF";
    char *content = pay_sign_content(ps, skip), *text = NULL, *out = NULL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    if (!content || asprintf(&text, "%s&key=%s", content, key) < 0) text = NULL;
    if (text && HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)text, strlen(text),
                     mac, &maclen) && (out = malloc(2 * maclen + 1))) {
        for (unsigned i = 0; i < maclen; i++) {
            out[2 * i] = hex[mac[i] >> 4];
            out[2 * i + 1] = hex[mac[i] & 15];
        }
        out[2 * maclen] = '\0';
    }
    free(text);
    free(content);
    return out;
}

char *pay_wx_xml_encode(const pay_params_t *ps)
{
    size_t len = 16;
    for (int i = 0; i < ps->n; i++) {
        if (strstr(ps->p[i].value, "]]>")) return NULL;
        len += 2 * strlen(ps->p[i].key) + strlen(ps->p[i].value) + 17;
    }
    char *out = malloc(len), *p = out;
    if (!out) return NULL;
    p = stpcpy(p, "<xml>");
    for (int i = 0; i < ps->n; i++)
        p += sprintf(p, "<%s><![CDATA[%s]]></%s>", ps->p[i].key, ps->p[i].value, ps->p[i].key);
    stpcpy(p, "</xml>");
    return out;
}

static const char *skip_space(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    return p;
}

/* Past "<NAME>" at P (NAME into OUT, LEN bytes), or NULL. CLOSING: "</NAME>". */
static const char *tag(const char *p, const char *end, bool closing, char *out, size_t len)
{
    if (p >= end || *p++ != '<') return NULL;
    if (closing && (p >= end || *p++ != '/')) return NULL;
    size_t n = 0;
    while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9') || *p == '_')) {
        if (n + 1 >= len) return NULL;
        out[n++] = *p++;
    }
    out[n] = '\0';
    return n && p < end && *p == '>' ? p + 1 : NULL;
}

int pay_wx_xml_parse(const char *text, size_t len, pay_params_t *ps)
{
    const char *p = text, *end = text + len;
    char name[64], close[64];
    ps->n = 0;
    if (memchr(text, '\0', len)) return -1;
    p = skip_space(p, end);
    if (!(p = tag(p, end, false, name, sizeof name)) || strcmp(name, "xml") != 0) return -1;
    for (;;) {
        p = skip_space(p, end);
        if (p + 1 < end && p[1] == '/') break;
        if (!(p = tag(p, end, false, name, sizeof name)) || ps->n >= PAY_MAX_PARAMS) goto fail;
        const char *v, *vend;
        if (end - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
            v = p + 9;
            vend = memmem(v, (size_t)(end - v), "]]>", 3);
            if (!vend) goto fail;
            p = vend + 3;
        } else {
            v = p;
            while (p < end && *p != '<') {
                if (*p == '&') goto fail;      /* WeChat puts text with entities in CDATA */
                p++;
            }
            vend = p;
        }
        if (!(p = tag(p, end, true, close, sizeof close)) || strcmp(name, close) != 0 ||
            pay_params_get(ps, name))            /* twice: which one is meant? */
            goto fail;
        char *val = strndup(v, (size_t)(vend - v));
        if (!val || pay_params_add(ps, name, val) != 0) {
            free(val);
            goto fail;
        }
        free(val);
    }
    if (!(p = tag(p, end, true, close, sizeof close)) || strcmp(close, "xml") != 0) goto fail;
    p = skip_space(p, end);
    if (p != end) goto fail;
    return 0;
fail:
    pay_params_free(ps);
    return -1;
}
