/* Content bundle routes (hub/api_bundles.c): staff-only publishing, the
 * asset hash check, versions that only grow, targeting, ETag/304 polls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "db.h"
#include "hubtest.h"

/* PNG magic then text: no NUL, so the test client can send it as a string. */
#define ASSET "\x89PNG\r\n\x1a\nnot really an image"

typedef struct {
    hubtest_t *t;
    char staff[AUTH_TOKEN_MAX];
    char sha[65];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    assert_int_equal(auth_staff_add(db_thread(), "editor", f->staff, sizeof f->staff), 0);
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)ASSET, strlen(ASSET));
    sodium_bin2hex(f->sha, sizeof f->sha, h, 32);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hubtest_stop(f->t);
    free(f);
    return 0;
}

static hubtest_resp_t put_asset(fx_t *f, const char *token, const char *sha, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/admin/content/assets/%s", sha);
    return hubtest_req(f->t, "PUT", path, token, NULL, body, "Content-Type: image/png");
}

/* Publishes VERSION with TARGET (JSON) as TOKEN, signed with SK (NULL: the
 * hub's key; (void *)1: not signed at all); returns the status. */
static int publish_signed(fx_t *f, const char *token, long long version, const char *target,
                          const char *sha, const unsigned char *sk, char *code, size_t codelen)
{
    static int n;
    char manifest[1024], key[32];
    snprintf(manifest, sizeof manifest,
             "{\"format\":1,\"version\":%lld,\"created\":1,\"expires\":4102444800,\"target\":%s,"
             "\"items\":[],\"assets\":[{\"sha256\":\"%s\",\"size\":%zu,\"type\":\"image/png\"}]}",
             version, target, sha, strlen(ASSET));
    char *body;
    if (sk == (const unsigned char *)1) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "manifest", manifest);
        char sig[129];
        memset(sig, 'a', 128);
        sig[128] = '\0';
        cJSON_AddStringToObject(o, "signature", sig);
        body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
    } else {
        hubtest_t other = *f->t;
        if (sk) memcpy(other.content_sk, sk, sizeof other.content_sk);
        body = hubtest_bundle_body(&other, manifest);
    }
    snprintf(key, sizeof key, "pub-%d", ++n);
    hubtest_resp_t r = hubtest_req(f->t, "POST", "/v1/admin/content/bundles", token, key, body, NULL);
    free(body);
    if (code) snprintf(code, codelen, "%s", hubtest_error_code(&r));
    int status = r.status;
    hubtest_free(&r);
    return status;
}

static int publish(fx_t *f, const char *token, int version, const char *target, const char *sha,
                   char *code, size_t codelen)
{
    return publish_signed(f, token, version, target, sha, NULL, code, codelen);
}

static long long poll_version(fx_t *f, const char *token, const char *query, int *status)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/content/bundle?%s", query);
    hubtest_resp_t r = hubtest_req(f->t, "GET", path, token, NULL, NULL, NULL);
    *status = r.status;
    const cJSON *v = r.json ? hubtest_at(r.json, "version") : NULL;
    long long out = v ? (long long)v->valuedouble : 0;
    hubtest_free(&r);
    return out;
}

static void staff_only(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = put_asset(f, f->t->token, f->sha, ASSET);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    assert_int_equal(publish(f, f->t->token, 1, "{\"mode\":\"any\"}", f->sha, NULL, 0), 401);
    /* and a staff token is no device token */
    int st;
    poll_version(f, f->staff, "mode=hall", &st);
    assert_int_equal(st, 401);
}

static void asset_hash_is_checked(void **state)
{
    fx_t *f = *state;
    hubtest_resp_t r = put_asset(f, f->staff, f->sha, ASSET "!");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "hash_mismatch");
    hubtest_free(&r);
    r = put_asset(f, f->staff, "ABC", ASSET);
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = put_asset(f, f->staff, "0dce28ec3e0000ead856c6913e8525f1b1fecff5b6bd214e699aae811a23183e", "plain text");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = put_asset(f, f->staff, f->sha, ASSET);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    r = put_asset(f, f->staff, f->sha, ASSET);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    char path[160];
    snprintf(path, sizeof path, "/v1/content/assets/%s", f->sha);
    r = hubtest_get(f->t, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, ASSET);
    hubtest_free(&r);
}

static void versions_only_grow(void **state)
{
    fx_t *f = *state;
    char code[48];
    assert_int_equal(publish(f, f->staff, 2, "{\"mode\":\"any\"}",
                             "1111111111111111111111111111111111111111111111111111111111111111", code, sizeof code), 422);
    assert_string_equal(code, "unknown_asset");
    assert_int_equal(publish(f, f->staff, 2, "{\"mode\":\"any\"}", f->sha, code, sizeof code), 201);
    assert_int_equal(publish(f, f->staff, 2, "{\"mode\":\"any\"}", f->sha, code, sizeof code), 409);
    assert_string_equal(code, "version_not_newer");
    assert_int_equal(publish(f, f->staff, 1, "{\"mode\":\"any\"}", f->sha, code, sizeof code), 409);
}

static long long bundles_stored(void)
{
    return db_int(db_thread(), "SELECT count(*) FROM content_bundles", NULL, -1);
}

/* A staff token alone cannot publish: an unsigned manifest, one signed with
 * another key, or one whose version would lock every later bundle out is
 * refused and changes nothing; a properly signed bundle is still taken. */
static void signatures_are_verified(void **state)
{
    fx_t *f = *state;
    char code[48];
    long long before = bundles_stored();
    assert_int_equal(publish_signed(f, f->staff, 100, "{\"mode\":\"any\"}", f->sha,
                                    (const unsigned char *)1, code, sizeof code), 422);
    assert_string_equal(code, "bad_signature");
    unsigned char pk[32], other[64];
    crypto_sign_keypair(pk, other);
    assert_int_equal(publish_signed(f, f->staff, 100, "{\"mode\":\"any\"}", f->sha, other,
                                    code, sizeof code), 422);
    assert_string_equal(code, "bad_signature");
    /* the attack: a huge version, unsigned and then even signed */
    assert_int_equal(publish_signed(f, f->staff, 9007199254740991LL, "{\"mode\":\"any\"}", f->sha,
                                    (const unsigned char *)1, code, sizeof code), 422);
    assert_int_equal(publish_signed(f, f->staff, 9007199254740991LL, "{\"mode\":\"any\"}", f->sha,
                                    NULL, code, sizeof code), 422);
    assert_string_equal(code, "version_too_far");
    assert_int_equal(bundles_stored(), before);
    /* the next properly signed bundle (an emergency alert, say) is accepted */
    assert_int_equal(publish(f, f->staff, 20, "{\"mode\":\"any\"}", f->sha, code, sizeof code), 201);
    assert_int_equal(bundles_stored(), before + 1);
    int st;
    assert_int_equal(poll_version(f, f->t->token, "mode=hall", &st), 20);
}

static void targeting_and_etag(void **state)
{
    fx_t *f = *state;
    int st;
    assert_int_equal(publish(f, f->staff, 3, "{\"mode\":\"street\"}", f->sha, NULL, 0), 201);
    assert_int_equal(publish(f, f->staff, 4, "{\"mode\":\"any\",\"kiosks\":[\"test-02\"]}", f->sha, NULL, 0), 201);
    assert_int_equal(publish(f, f->staff, 5, "{\"mode\":\"hall\",\"groups\":[\"north\"]}", f->sha, NULL, 0), 201);
    assert_int_equal(poll_version(f, f->t->token, "mode=hall", &st), 2);
    assert_int_equal(poll_version(f, f->t->token, "mode=street", &st), 3);
    assert_int_equal(poll_version(f, f->t->token2, "mode=hall", &st), 4);
    assert_int_equal(poll_version(f, f->t->token, "mode=hall&group=north", &st), 5);
    assert_int_equal(poll_version(f, f->t->token, "mode=street&group=north", &st), 3);
    poll_version(f, f->t->token, "mode=bus", &st);
    assert_int_equal(st, 422);

    hubtest_resp_t r = hubtest_get(f->t, "/v1/content/bundle?mode=hall");
    assert_int_equal(r.status, 200);
    assert_true(r.etag[0] == '"');
    char inm[120];
    snprintf(inm, sizeof inm, "If-None-Match: %s", r.etag);
    hubtest_free(&r);
    r = hubtest_req(f->t, "GET", "/v1/content/bundle?mode=hall", f->t->token, NULL, NULL, inm);
    assert_int_equal(r.status, 304);
    hubtest_free(&r);
    /* a new bundle for this kiosk changes the answer */
    assert_int_equal(publish(f, f->staff, 6, "{\"mode\":\"any\"}", f->sha, NULL, 0), 201);
    r = hubtest_req(f->t, "GET", "/v1/content/bundle?mode=hall", f->t->token, NULL, NULL, inm);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(staff_only),
        cmocka_unit_test(asset_hash_is_checked),
        cmocka_unit_test(versions_only_grow),
        cmocka_unit_test(targeting_and_etag),
        cmocka_unit_test(signatures_are_verified),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
