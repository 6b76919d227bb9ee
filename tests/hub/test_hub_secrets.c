/* The hub's secrets files (hub/secrets_file.h), read the same way by both
 * payment providers and the billing system: a file others can read, a
 * line that is not "key = value", a key the reader refuses are each one
 * error naming the file (and line); comments, blank lines and spaces
 * around both sides are fine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "billing.h"
#include "pay.h"
#include "secrets_file.h"

static char dir[64], path[128], err[512];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/hub-secrets.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s", dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_file(const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

typedef struct { char seen[256]; } seen_t;

/* Keeps "k=v;" for each pair; refuses the key "bad" with a message, and
 * the key "silent" without one. */
static int collect(void *ctx, const char *key, const char *val, char *msg, size_t msglen)
{
    seen_t *s = ctx;
    if (!strcmp(key, "bad")) {
        snprintf(msg, msglen, "bad is not allowed");
        return -1;
    }
    if (!strcmp(key, "silent")) return -1;
    size_t n = strlen(s->seen);
    snprintf(s->seen + n, sizeof s->seen - n, "%s=%s;", key, val);
    return 0;
}

static void pairs_in_order_trimmed(void **state)
{
    write_file("# merchant keys\n\n  a = 1 \n;comment\nb=two words\r\nc =\n", 0600);
    seen_t s = {{0}};
    assert_int_equal(secrets_file_read(path, "keys", collect, &s, err, sizeof err), 0);
    assert_string_equal(s.seen, "a=1;b=two words;c=;");
}

static void readable_by_others_is_refused(void **state)
{
    write_file("a = 1\n", 0640);
    seen_t s = {{0}};
    assert_int_equal(secrets_file_read(path, "the merchant's private key", collect, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "mode 0600 (it is 0640)"));
    assert_non_null(strstr(err, "the merchant's private key"));
    assert_string_equal(s.seen, "");   /* nothing read from it */
}

static void errors_name_file_and_line(void **state)
{
    char want[256];
    seen_t s = {{0}};
    write_file("a = 1\n\nno equals sign\n", 0600);
    assert_int_equal(secrets_file_read(path, "keys", collect, &s, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:3: not key = value", path);
    assert_string_equal(err, want);

    write_file("a = 1\nbad = 2\n", 0600);
    assert_int_equal(secrets_file_read(path, "keys", collect, &s, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:2: bad is not allowed", path);
    assert_string_equal(err, want);

    write_file("silent = 2\n", 0600);
    assert_int_equal(secrets_file_read(path, "keys", collect, &s, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:1: silent", path);    /* at least the key */
    assert_string_equal(err, want);

    unlink(path);
    assert_int_equal(secrets_file_read(path, "keys", collect, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open: No such file"));
}

/* The three readers keep their own rules on top of the shared one. */
static void providers_and_billing_use_it(void **state)
{
    write_file("mchid = 1\nwhat = 2\n", 0600);
    assert_int_equal(pay_wechat_load(path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: unknown key what"));
    write_file("apiv3_key = short\n", 0600);
    assert_int_equal(pay_wechat_load(path, err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: apiv3_key must be 32 characters"));
    write_file("hub_id = a b\n", 0600);
    assert_int_equal(billing_http_load(path, "http://127.0.0.1:1", err, sizeof err), -1);
    assert_non_null(strstr(err, ":1: hub_id must be 1-63 characters"));
    write_file("hub_id = h1\nhmac_key = 00\n", 0600);
    assert_int_equal(billing_http_load(path, "http://127.0.0.1:1", err, sizeof err), -1);
    assert_non_null(strstr(err, ":2: hmac_key must be 64 to 128 hex digits"));
    write_file("hub_id = h1\n", 0644);
    assert_int_equal(billing_http_load(path, "http://127.0.0.1:1", err, sizeof err), -1);
    assert_non_null(strstr(err, "it holds the billing system's key"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pairs_in_order_trimmed, setup, teardown),
        cmocka_unit_test_setup_teardown(readable_by_others_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_name_file_and_line, setup, teardown),
        cmocka_unit_test_setup_teardown(providers_and_billing_use_it, setup, teardown),
    };
    return cmocka_run_group_tests_name("hub_secrets", tests, NULL, NULL);
}
