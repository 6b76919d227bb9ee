/* libFuzzer target for WeChat Pay's untrusted inputs in the hub
 * (hub/pay_wechat.c, hub/pay_wechat_sign.c): the notification verifier,
 * its JSON and its AES-GCM resource, and the v2 XML codec. The harness
 * plays WeChat Pay (its own keys, in a secrets file it writes), so fuzzed
 * bodies get past the signature and reach the parsers behind it.
 * The first byte of the input picks what the rest is:
 *   0: a notification body, signed by the harness;
 *   1: a resource's plaintext, encrypted with the APIv3 key, wrapped in a
 *      notification and signed;
 *   2: a v2 XML document;
 *   3: a 12-byte nonce, then base64 ciphertext for pay_wx_decrypt;
 *   other: a notification body with headers not WeChat Pay's.
 * Invariants: an accepted notification has a NUL-terminated out_trade_no
 * and a settling outcome (SUCCESS, CLOSED, WAITING); one from plaintext is
 * accepted only if that plaintext names this merchant; a parsed XML
 * document encodes and parses back to the same parameters. */
#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fuzz_check.h"
#include "hub.h"
#include "pay.h"
#include "pay_wechat_sign.h"

#define MCHID "1900000109"
#define APPID "wxd930ea5d5a258f4f"
#define SERIAL "PUB_KEY_ID_FUZZ"
#define APIV3 "fuzz-apiv3-key-0123456789abcdefg"

static EVP_PKEY *platform;
static char ts[24], hdr_sig[1024];
static const char *hdr_ts, *hdr_nonce, *hdr_serial;

static char *b64(const unsigned char *p, size_t n)
{
    char *out = malloc(4 * (n + 2) / 3 + 4);
    if (!out) abort();
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

static void init(void)
{
    char dir[] = "/tmp/fuzz-wechat-XXXXXX", path[64], err[300];
    if (!mkdtemp(dir)) abort();
    setenv("HUB_LOG", "quiet", 1);
    /* 1024 bits: the verifier takes any RSA key, and fuzzing wants speed. */
    platform = EVP_RSA_gen(1024);
    EVP_PKEY *merchant = EVP_RSA_gen(1024);
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(merchant, &der);
    char *priv = b64(der, (size_t)n);
    OPENSSL_free(der);
    der = NULL;
    n = i2d_PUBKEY(platform, &der);
    char *pub = b64(der, (size_t)n);
    OPENSSL_free(der);
    snprintf(path, sizeof path, "%s/wechat.secrets", dir);
    FILE *fp = fopen(path, "w");
    if (!fp) abort();
    fprintf(fp, "mchid = %s\nappid = %s\nmerchant_serial = 01\nprivate_key = %s\napiv3_key = %s\n"
            "wechatpay_serial = %s\nwechatpay_public_key = %s\nv2_key = k\ngateway = http://127.0.0.1:9\n",
            MCHID, APPID, priv, APIV3, SERIAL, pub);
    fclose(fp);
    chmod(path, 0600);
    if (pay_wechat_load(path, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
    unlink(path);
    rmdir(dir);
    free(priv);
    free(pub);
    EVP_PKEY_free(merchant);
}

static const char *header(void *ctx, const char *name)
{
    if (!strcmp(name, "Wechatpay-Timestamp")) return hdr_ts;
    if (!strcmp(name, "Wechatpay-Nonce")) return hdr_nonce;
    if (!strcmp(name, "Wechatpay-Signature")) return hdr_sig;
    if (!strcmp(name, "Wechatpay-Serial")) return hdr_serial;
    return NULL;
}

/* Signs BODY as WeChat Pay would and sets the headers. */
static void sign_body(const char *body, size_t len)
{
    snprintf(ts, sizeof ts, "%lld", (long long)hub_now());
    hdr_ts = ts;
    hdr_nonce = "FUZZNONCE";
    hdr_serial = SERIAL;
    size_t tl = strlen(ts) + strlen(hdr_nonce) + len + 3;
    char *text = malloc(tl + 1);
    if (!text) abort();
    int k = snprintf(text, tl + 1, "%s\n%s\n", ts, hdr_nonce);
    memcpy(text + k, body, len);
    text[k + len] = '\n';
    char *sig = pay_rsa2_sign(platform, text, tl);
    CHECK(sig != NULL, "cannot sign");
    snprintf(hdr_sig, sizeof hdr_sig, "%s", sig);
    free(sig);
    free(text);
}

static void check_notice(const char *body, size_t len, const char *plain)
{
    pay_notice_t n;
    int rc = pay_wechat.verify_notice(body, len, header, NULL, &n);
    if (rc != 0) return;
    CHECK(memchr(n.out_trade_no, '\0', sizeof n.out_trade_no) && n.out_trade_no[0], "out_trade_no");
    CHECK(n.result.outcome == PAY_SUCCESS || n.result.outcome == PAY_CLOSED || n.result.outcome == PAY_WAITING,
          "outcome %d", (int)n.result.outcome);
    if (plain) {
        cJSON *j = cJSON_Parse(plain);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "mchid");
        CHECK(cJSON_IsString(m) && !strcmp(m->valuestring, MCHID), "accepted another merchant's notice");
        cJSON_Delete(j);
    }
}

/* The notification around PLAIN: encrypted with the APIv3 key, signed. */
static void from_plaintext(const char *plain, size_t n)
{
    static const char nonce[] = "fuzznonce012";
    unsigned char *ct = malloc(n + 16);
    int l1 = 0, l2 = 0;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (!ct || !c || EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, (const unsigned char *)APIV3,
                                        (const unsigned char *)nonce) != 1 ||
        EVP_EncryptUpdate(c, NULL, &l1, (const unsigned char *)"transaction", 11) != 1 ||
        EVP_EncryptUpdate(c, ct, &l1, (const unsigned char *)plain, (int)n) != 1 ||
        EVP_EncryptFinal_ex(c, ct + l1, &l2) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct + l1 + l2) != 1)
        abort();
    EVP_CIPHER_CTX_free(c);
    char *ct64 = b64(ct, (size_t)(l1 + l2 + 16));
    free(ct);
    cJSON *j = cJSON_CreateObject(), *res = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", "EV-FUZZ");
    cJSON_AddStringToObject(j, "event_type", "TRANSACTION.SUCCESS");
    cJSON_AddStringToObject(res, "algorithm", "AEAD_AES_256_GCM");
    cJSON_AddStringToObject(res, "ciphertext", ct64);
    cJSON_AddStringToObject(res, "associated_data", "transaction");
    cJSON_AddStringToObject(res, "nonce", nonce);
    cJSON_AddItemToObject(j, "resource", res);
    char *body = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    sign_body(body, strlen(body));
    check_notice(body, strlen(body), plain);
    free(body);
    free(ct64);
}

static void xml_round_trip(const char *text, size_t n)
{
    pay_params_t ps = {0}, back = {0};
    if (pay_wx_xml_parse(text, n, &ps) != 0) return;
    char *enc = pay_wx_xml_encode(&ps);
    if (enc) {
        CHECK(pay_wx_xml_parse(enc, strlen(enc), &back) == 0, "cannot parse its own encoding");
        CHECK(back.n == ps.n, "round trip lost parameters");
        for (int i = 0; i < ps.n; i++)
            CHECK(!strcmp(back.p[i].key, ps.p[i].key) && !strcmp(back.p[i].value, ps.p[i].value),
                  "round trip changed %s", ps.p[i].key);
    }
    free(enc);
    pay_params_free(&back);
    pay_params_free(&ps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!platform) init();
    if (size < 1 || size > 64 * 1024) return 0;
    int mode = data[0];
    char *rest = malloc(size);
    if (!rest) return 0;
    memcpy(rest, data + 1, size - 1);
    rest[size - 1] = '\0';
    size_t n = size - 1;
    switch (mode) {
    case 0:
        sign_body(rest, n);
        check_notice(rest, n, NULL);
        break;
    case 1:
        if (!memchr(rest, '\0', n)) from_plaintext(rest, n);
        break;
    case 2:
        xml_round_trip(rest, n);
        break;
    case 3:
        if (n >= 12 && !memchr(rest, '\0', n)) {
            char nonce[13];
            size_t len;
            memcpy(nonce, rest, 12);
            nonce[12] = '\0';
            char *p = pay_wx_decrypt((const unsigned char *)APIV3, nonce, "transaction", rest + 12, &len);
            if (p) CHECK(strlen(p) == len, "decrypted length");
            free(p);
        }
        break;
    default:
        hdr_ts = "1";
        hdr_nonce = "n";
        hdr_serial = SERIAL;
        snprintf(hdr_sig, sizeof hdr_sig, "AAAA");
        check_notice(rest, n, NULL);
        pay_notice_t out;
        CHECK(pay_wechat.verify_notice(rest, n, header, NULL, &out) != 0, "an unsigned notice was taken");
    }
    free(rest);
    return 0;
}
