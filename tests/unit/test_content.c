/* Content manifests (content/manifest.c), pure: a good signed manifest is
 * accepted; a tampered byte, another key, no signature, an expired or
 * older (rollback) manifest, another target and bad items are refused, each
 * with its own result and an error naming the place. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/manifest.h"

#define NOW 1795916275LL
#define SHA "0dce28ec3e0000ead856c6913e8525f1b1fecff5b6bd214e699aae811a23183e"

static unsigned char sk[64], sk2[64];
static char pk_hex[65], pk2_hex[65];
static const cm_who_t hall = {"hall", "north", "kiosk-1"};

static int setup(void **state)
{
    unsigned char pk[32];
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, 32);
    crypto_sign_keypair(pk, sk2);
    sodium_bin2hex(pk2_hex, sizeof pk2_hex, pk, 32);
    return 0;
}

/* A manifest of VERSION with TARGET and ITEMS (JSON texts); malloc'd. */
static char *manifest(long long version, long long expires, const char *target, const char *items)
{
    char *buf = malloc(8192);
    snprintf(buf, 8192,
             "{\"format\":1,\"version\":%lld,\"created\":%lld,\"expires\":%lld,\"target\":%s,"
             "\"items\":%s,\"assets\":[{\"sha256\":\"" SHA "\",\"size\":99,\"type\":\"image/png\"}]}",
             version, NOW - 100, expires, target, items);
    return buf;
}

static const char *good_items =
    "[{\"id\":1,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"zh_CN\","
    "\"title\":\"停水通知\",\"body\":\"周四停水\\n请储水\",\"published\":1795000000,\"pinned\":true,"
    "\"images\":[\"" SHA "\"]},"
    "{\"id\":2,\"kind\":\"alert\",\"category\":\"weather\",\"locale\":\"zh_CN\",\"title\":\"寒潮\","
    "\"body\":\"注意保暖\",\"published\":1795000000,\"expires\":1796000000},"
    "{\"id\":3,\"kind\":\"playlist\",\"category\":\"street\",\"locale\":\"zh_CN\",\"title\":\"街边屏\","
    "\"published\":1795000000,\"data\":{\"screen\":\"street\",\"time_zone\":\"Asia/Shanghai\","
    "\"items\":[{\"content_id\":1,\"duration_s\":20}],\"schedule\":{\"weekdays\":[1,2,3,4,5],"
    "\"windows\":[{\"from\":\"16:30\",\"to\":\"00:30\"}],\"from_date\":\"2026-11-22\",\"to_date\":\"2027-02-27\"}}}]";

static const char *any = "{\"mode\":\"any\",\"groups\":[],\"kiosks\":[]}";

static void sign(const char *m, const unsigned char *key, char sig[129])
{
    assert_int_equal(cm_sign(m, strlen(m), key, sig), 0);
}

static cm_result_t accept(const char *m, const char *sig, const char *pk, const cm_who_t *who,
                          long long current, char *err)
{
    cm_manifest_t out;
    cm_result_t r = cm_accept(m, strlen(m), sig, pk, who, NOW, current, &out, err, 200);
    if (r == CM_OK) cm_free(&out);
    return r;
}

static void good_manifest_is_accepted(void **state)
{
    char *m = manifest(5, NOW + 86400, any, good_items), sig[129], err[200] = "";
    sign(m, sk, sig);
    cm_manifest_t out;
    assert_int_equal(cm_accept(m, strlen(m), sig, pk_hex, &hall, NOW, 4, &out, err, sizeof err), CM_OK);
    assert_int_equal(out.version, 5);
    assert_int_equal(out.n_items, 3);
    assert_int_equal(out.n_assets, 1);
    assert_string_equal(out.items[0].title, "停水通知");
    assert_true(out.items[0].pinned);
    assert_string_equal(out.items[0].images[0], SHA);
    assert_int_equal(out.items[1].priority, 100);      /* alerts default to the top */
    assert_non_null(out.items[2].data);
    cm_free(&out);
    free(m);
}

static void tampered_byte_is_refused(void **state)
{
    char *m = manifest(5, NOW + 86400, any, good_items), sig[129], err[200];
    sign(m, sk, sig);
    char *p = strstr(m, "周四");
    p[0] ^= 1;                                    /* one bit of the body */
    assert_int_equal(accept(m, sig, pk_hex, &hall, 0, err), CM_BAD_SIGNATURE);
    p[0] ^= 1;
    sig[10] = sig[10] == 'a' ? 'b' : 'a';         /* one digit of the signature */
    assert_int_equal(accept(m, sig, pk_hex, &hall, 0, err), CM_BAD_SIGNATURE);
    free(m);
}

static void wrong_key_and_unsigned_are_refused(void **state)
{
    char *m = manifest(5, NOW + 86400, any, good_items), sig[129], err[200];
    sign(m, sk2, sig);
    assert_int_equal(accept(m, sig, pk_hex, &hall, 0, err), CM_BAD_SIGNATURE);
    assert_int_equal(accept(m, "", pk_hex, &hall, 0, err), CM_UNSIGNED);
    assert_int_equal(accept(m, NULL, pk_hex, &hall, 0, err), CM_UNSIGNED);
    assert_int_equal(accept(m, "zz", pk_hex, &hall, 0, err), CM_UNSIGNED);
    assert_int_equal(accept(m, sig, "", &hall, 0, err), CM_NO_KEY);
    assert_int_equal(accept(m, sig, "abc", &hall, 0, err), CM_NO_KEY);
    free(m);
}

static void expired_and_rollback_are_refused(void **state)
{
    char *m = manifest(5, NOW - 1, any, good_items), sig[129], err[200];
    sign(m, sk, sig);
    assert_int_equal(accept(m, sig, pk_hex, &hall, 0, err), CM_EXPIRED);
    assert_non_null(strstr(err, "expired"));
    free(m);
    m = manifest(5, NOW + 60, any, good_items);
    sign(m, sk, sig);
    assert_int_equal(accept(m, sig, pk_hex, &hall, 5, err), CM_ROLLBACK);
    assert_int_equal(accept(m, sig, pk_hex, &hall, 9, err), CM_ROLLBACK);
    assert_int_equal(accept(m, sig, pk_hex, &hall, 4, err), CM_OK);
    free(m);
}

static void target_must_match(void **state)
{
    static const struct { const char *target; const cm_who_t who; cm_result_t want; } cases[] = {
        {"{\"mode\":\"street\"}", {"hall", "north", "kiosk-1"}, CM_NOT_FOR_US},
        {"{\"mode\":\"street\"}", {"street", "", "kiosk-1"}, CM_OK},
        {"{\"mode\":\"any\",\"groups\":[\"south\"]}", {"hall", "north", "kiosk-1"}, CM_NOT_FOR_US},
        {"{\"mode\":\"any\",\"groups\":[\"south\",\"north\"]}", {"hall", "north", "kiosk-1"}, CM_OK},
        {"{\"mode\":\"any\",\"groups\":[\"south\"]}", {"hall", "", "kiosk-1"}, CM_NOT_FOR_US},
        {"{\"mode\":\"hall\",\"kiosks\":[\"kiosk-1\"]}", {"hall", "", "kiosk-1"}, CM_OK},
        {"{\"mode\":\"hall\",\"kiosks\":[\"kiosk-2\"]}", {"hall", "", "kiosk-1"}, CM_NOT_FOR_US},
        {"{\"mode\":\"any\",\"groups\":[\"x\"],\"kiosks\":[\"kiosk-1\"]}", {"street", "y", "kiosk-1"}, CM_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *m = manifest(2, NOW + 60, cases[i].target, good_items), sig[129], err[200];
        sign(m, sk, sig);
        cm_result_t r = accept(m, sig, pk_hex, &cases[i].who, 0, err);
        if (r != cases[i].want) fail_msg("case %zu: %s, wanted %s", i, cm_result_name(r), cm_result_name(cases[i].want));
        free(m);
    }
}

/* Item ITEM (a JSON object text) inside an otherwise good manifest must be
 * refused as malformed with ERR containing WANT. */
static void bad(const char *item, const char *want)
{
    char items[2048], err[200] = "";
    snprintf(items, sizeof items, "[%s]", item);
    char *m = manifest(2, NOW + 60, any, items), sig[129];
    sign(m, sk, sig);
    cm_result_t r = accept(m, sig, pk_hex, &hall, 0, err);
    if (r != CM_MALFORMED || !strstr(err, want))
        fail_msg("%s: got %s \"%s\", wanted \"%s\"", item, cm_result_name(r), err, want);
    free(m);
}

#define ITEM(extra) "{\"id\":7,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"en\"," \
                    "\"published\":1,\"body\":\"b\"" extra "}"

static void bad_items_are_named(void **state)
{
    bad(ITEM(""), "items[0].title: missing");
    bad(ITEM(",\"title\":\"\""), "items[0].title: empty");
    bad(ITEM(",\"title\":7"), "items[0].title: not a string");
    bad(ITEM(",\"title\":\"t\",\"colour\":1"), "items[0].colour: unknown field");
    bad(ITEM(",\"title\":\"a\\u0001b\""), "items[0].title: not UTF-8");
    bad(ITEM(",\"title\":\"t\",\"expires\":0"), "items[0].expires");
    bad(ITEM(",\"title\":\"t\",\"images\":[\"abc\"]"), "items[0].images[0]: not a sha256");
    bad(ITEM(",\"title\":\"t\",\"images\":[\"1111111111111111111111111111111111111111111111111111111111111111\"]"),
        "items[0].images[0]: not listed in assets");
    bad("{\"id\":7,\"kind\":\"poster\",\"category\":\"c\",\"locale\":\"en\",\"title\":\"t\",\"body\":\"b\",\"published\":1}",
        "items[0].kind");
    bad("{\"id\":7,\"kind\":\"notice\",\"category\":\"sports\",\"locale\":\"en\",\"title\":\"t\",\"body\":\"b\",\"published\":1}",
        "items[0].category");
    bad("{\"id\":7,\"kind\":\"alert\",\"category\":\"w\",\"locale\":\"en\",\"title\":\"t\",\"body\":\"b\",\"published\":1}",
        "items[0].expires: missing");
    bad("{\"id\":7,\"kind\":\"guide\",\"category\":\"one_stop\",\"locale\":\"en\",\"title\":\"t\",\"body\":\"b\",\"published\":1}",
        "items[0].data: missing");
    bad("{\"id\":7,\"kind\":\"playlist\",\"category\":\"hall\",\"locale\":\"en\",\"title\":\"t\",\"published\":1,"
        "\"data\":{\"screen\":\"hall\",\"time_zone\":\"Asia/Shanghai\",\"items\":[{\"content_id\":7,\"duration_s\":5}],"
        "\"schedule\":{\"weekdays\":[1,8],\"windows\":[{\"from\":\"09:00\",\"to\":\"17:00\"}]}}}",
        "items[0].data.schedule.weekdays[1]");
    bad("{\"id\":7,\"kind\":\"playlist\",\"category\":\"hall\",\"locale\":\"en\",\"title\":\"t\",\"published\":1,"
        "\"data\":{\"screen\":\"hall\",\"time_zone\":\"Asia/Shanghai\",\"items\":[{\"content_id\":7,\"duration_s\":5}],"
        "\"schedule\":{\"weekdays\":[1],\"windows\":[{\"from\":\"25:00\",\"to\":\"17:00\"}]}}}",
        "items[0].data.schedule.windows[0].from: not HH:MM");
    bad("{\"id\":7,\"kind\":\"playlist\",\"category\":\"hall\",\"locale\":\"en\",\"title\":\"t\",\"published\":1,"
        "\"data\":{\"screen\":\"hall\",\"time_zone\":\"Asia/Shanghai\",\"items\":[{\"content_id\":99,\"duration_s\":5}],"
        "\"schedule\":{\"weekdays\":[1],\"windows\":[{\"from\":\"22:00\",\"to\":\"01:00\"}]}}}",
        "items[0].data.items[0].content_id: no item 99");
    bad(ITEM(",\"title\":\"t\"") "," ITEM(",\"title\":\"u\""), "id 7 is used twice");
}

static void bad_manifests_are_refused(void **state)
{
    static const char *const docs[] = {
        "", "null", "[]", "{\"format\":1}", "{\"format\":2,\"version\":1}",
        "{\"format\":1,\"version\":0,\"created\":1,\"expires\":2,\"target\":{\"mode\":\"any\"},\"items\":[],\"assets\":[]}",
        "{\"format\":1,\"version\":1,\"created\":1,\"expires\":2,\"target\":{\"mode\":\"bus\"},\"items\":[],\"assets\":[]}",
        "{\"format\":1,\"version\":1,\"created\":1,\"expires\":2,\"target\":{\"mode\":\"any\"},\"items\":[],\"assets\":[]} x",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        cm_manifest_t m;
        char err[200] = "";
        if (cm_parse(docs[i], strlen(docs[i]), &m, err, sizeof err) == 0) fail_msg("accepted: %s", docs[i]);
        assert_true(err[0] != '\0');
    }
    cm_manifest_t m;
    char err[200];
    const char *ok = "{\"format\":1,\"version\":1,\"created\":1,\"expires\":2,\"target\":{\"mode\":\"any\"},\"items\":[],\"assets\":[]}";
    assert_int_equal(cm_parse(ok, strlen(ok), &m, err, sizeof err), 0);
    cm_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_manifest_is_accepted),
        cmocka_unit_test(tampered_byte_is_refused),
        cmocka_unit_test(wrong_key_and_unsigned_are_refused),
        cmocka_unit_test(expired_and_rollback_are_refused),
        cmocka_unit_test(target_must_match),
        cmocka_unit_test(bad_items_are_named),
        cmocka_unit_test(bad_manifests_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
