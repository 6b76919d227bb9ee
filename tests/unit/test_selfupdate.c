/* The kiosk's side of a fleet update, without a hub: the version check the
 * hub, the kiosk and kioskctl share (common/debver.c), the update command's
 * arguments (selfupdate_parse_args), the request file written atomically
 * in exactly the updater's pattern, the health file, and the updater's
 * result read strictly (kiosk/telemetry/selfupdate.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "debver.h"
#include "support/tmpfiles.h"
#include "telemetry/selfupdate.h"
#include "telemetry/telemetry.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    return tmp_dir_make(dir, sizeof dir, "selfupdate");
}

static int teardown(void **state)
{
    (void)state;
    return tmp_dir_remove(dir);
}

static void read_file(const char *name, char *buf, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/update/%s", dir, name);
    tmp_read_text(path, buf, len);
}

static void debian_versions(void **state)
{
    (void)state;
    static const char *const good[] = {"0", "0.2.0", "1.0-1", "2.0~rc1+b2", "0.1.0+r1", "10.0.0-1A.b",
                                       "12345678901234567890123456789012"};
    static const char *const bad[] = {"", "v1", ".1", "-1", "1.0-", "1:2.0", "1.0 ", "1.0;x", "1.0/..",
                                      "1.0\n", "1_0", "123456789012345678901234567890123", "1.0$(id)"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!debver_ok(good[i])) fail_msg("refused %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (debver_ok(bad[i])) fail_msg("accepted '%s'", bad[i]);
    assert_false(debver_ok(NULL));
}

static void update_arguments(void **state)
{
    (void)state;
    char v[DEBVER_MAX + 1], err[80];
    assert_int_equal(telemetry_cmd_kind("update"), TEL_CMD_UPDATE);
    assert_int_equal(selfupdate_parse_args("{\"version\":\"0.2.0\"}", v, err, sizeof err), 0);
    assert_string_equal(v, "0.2.0");
    static const char *const bad[] = {NULL, "[]", "{}", "{\"version\":2}", "{\"version\":\"1:0\"}",
                                      "{\"version\":\"0.2.0\",\"x\":1}", "{\"version\":\"../../x\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        assert_int_equal(selfupdate_parse_args(bad[i], v, err, sizeof err), -1);
        assert_true(err[0] != '\0');
    }
}

static void request_written_whole_and_replaced(void **state)
{
    (void)state;
    char buf[200], err[200];
    assert_int_equal(selfupdate_request_write(dir, 12, "0.2.0", err, sizeof err), 0);
    read_file("request", buf, sizeof buf);
    assert_string_equal(buf, "{\"id\":12,\"version\":\"0.2.0\"}\n");
    struct stat st;
    char path[128];
    snprintf(path, sizeof path, "%s/update", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/update/request", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* A newer request replaces it; no temp file is left beside it. */
    assert_int_equal(selfupdate_request_write(dir, 13, "0.3.0~rc1", err, sizeof err), 0);
    read_file("request", buf, sizeof buf);
    assert_string_equal(buf, "{\"id\":13,\"version\":\"0.3.0~rc1\"}\n");
    snprintf(path, sizeof path, "%s/update", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp")) fail_msg("left %s", e->d_name);
    closedir(d);
    /* Refused without touching the request: bad id, bad version, no dir. */
    assert_int_equal(selfupdate_request_write(dir, 0, "0.4.0", err, sizeof err), -1);
    assert_int_equal(selfupdate_request_write(dir, 14, "0.4.0;reboot", err, sizeof err), -1);
    assert_int_equal(selfupdate_request_write("", 14, "0.4.0", err, sizeof err), -1);
    assert_int_equal(selfupdate_request_write("/nonexistent/dir", 14, "0.4.0", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/dir"));
    read_file("request", buf, sizeof buf);
    assert_string_equal(buf, "{\"id\":13,\"version\":\"0.3.0~rc1\"}\n");
}

static void health_names_version_and_pid(void **state)
{
    (void)state;
    char buf[100], want[100], err[200];
    assert_int_equal(selfupdate_health_write(dir, "0.2.0", err, sizeof err), 0);
    read_file("health", buf, sizeof buf);
    snprintf(want, sizeof want, "0.2.0 %ld\n", (long)getpid());
    assert_string_equal(buf, want);
}

static void result_read_strictly(void **state)
{
    (void)state;
    selfupdate_result_t r;
    char err[200], path[128];
    assert_int_equal(selfupdate_result_read(dir, &r, err, sizeof err), 0);   /* none yet */
    assert_int_equal(selfupdate_result_parse("{\"command\":9,\"outcome\":\"updated\",\"version\":\"0.2.0\","
                                             "\"from\":\"0.1.0\",\"reason\":\"\"}", &r, err, sizeof err), 0);
    assert_string_equal(r.outcome, "updated");
    assert_string_equal(r.version, "0.2.0");
    assert_int_equal(r.command, 9);
    static const char *const bad[] = {
        "", "[]", "{\"command\":9,\"outcome\":\"updated\"}",
        "{\"command\":9,\"outcome\":\"exploded\",\"version\":\"0.2.0\"}",
        "{\"command\":0,\"outcome\":\"updated\",\"version\":\"0.2.0\"}",
        "{\"command\":9.5,\"outcome\":\"updated\",\"version\":\"0.2.0\"}",
        "{\"command\":9,\"outcome\":\"updated\",\"version\":\"0.2.0 13800138000\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (selfupdate_result_parse(bad[i], &r, err, sizeof err) != -1) fail_msg("accepted %s", bad[i]);
    snprintf(path, sizeof path, "%s/update/result", dir);
    FILE *fp = fopen(path, "w");
    fputs("{\"command\":10,\"outcome\":\"rolled_back\",\"version\":\"0.3.0\"}\n", fp);
    fclose(fp);
    assert_int_equal(selfupdate_result_read(dir, &r, err, sizeof err), 1);
    assert_string_equal(r.outcome, "rolled_back");
    fp = fopen(path, "w");
    fputs("{\"command\":10,", fp);                  /* cut short */
    fclose(fp);
    assert_int_equal(selfupdate_result_read(dir, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "update result"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(debian_versions),
        cmocka_unit_test(update_arguments),
        cmocka_unit_test(request_written_whole_and_replaced),
        cmocka_unit_test(health_names_version_and_pid),
        cmocka_unit_test(result_read_strictly),
    };
    return cmocka_run_group_tests_name("selfupdate", tests, setup, teardown);
}
