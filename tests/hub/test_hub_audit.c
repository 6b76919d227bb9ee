/* The audit of look-ups and its fleet alerts are not kept forever: the
 * retention pass (hub/retention.c) deletes audit rows after
 * retain_audit_days and alerts after retain_alerts_days, on the hub's
 * clock, and keeps the recent ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "db.h"
#include "hubtest.h"
#include "retention.h"

#define DAY 86400

static long long count_of(const char *sql)
{
    return db_int(db_thread(), sql, NULL, -1);
}

static void lookup(hubtest_t *t, const char *account)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/bills?utility=water&account=%s", account);
    hubtest_resp_t r = hubtest_get(t, path);
    assert_true(r.status == 200 || r.status == 404);
    hubtest_free(&r);
}

static void audit_and_alerts_are_purged(void **state)
{
    hubtest_t *t = hubtest_start(true);
    hub_config_t cfg = *hub_config(t->hub);
    cfg.retain_audit_days = 30;
    cfg.retain_alerts_days = 10;
    lookup(t, "3702031056");
    lookup(t, "999999");
    assert_int_equal(count_of("SELECT count(*) FROM audit"), 2);
    /* An alert, as a burst of misses would raise it. */
    char sql[200];
    snprintf(sql, sizeof sql, "INSERT INTO audit_alerts(device, kind, raised, misses) VALUES('test-01', 'bill_account', %lld, 25)",
             (long long)hub_now());
    assert_int_equal(db_exec(db_thread(), sql), 0);

    assert_int_equal(retention_purge(db_thread(), &cfg, hub_now()), 0);
    /* Eleven days on: the alert goes, the audit stays. */
    hub_time_shift(11 * DAY);
    lookup(t, "3702031056");                      /* a recent row */
    assert_true(retention_purge(db_thread(), &cfg, hub_now()) >= 1);
    assert_int_equal(count_of("SELECT count(*) FROM audit_alerts"), 0);
    assert_int_equal(count_of("SELECT count(*) FROM audit"), 3);
    /* Thirty-one days from the start: the first two rows go, the recent one stays. */
    hub_time_shift(20 * DAY);
    assert_true(retention_purge(db_thread(), &cfg, hub_now()) >= 2);
    assert_int_equal(count_of("SELECT count(*) FROM audit"), 1);
    /* The defaults (180 and 90 days) keep them far longer. */
    lookup(t, "999999");
    hub_config_t defaults = {0};
    hub_time_shift(100 * DAY);
    assert_true(retention_purge(db_thread(), &defaults, hub_now()) >= 0);
    assert_int_equal(count_of("SELECT count(*) FROM audit"), 2);
    hub_time_shift(-131 * DAY);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(audit_and_alerts_are_purged),
    };
    return cmocka_run_group_tests_name("hub_audit", tests, NULL, NULL);
}
