/* Content sync end to end against a real hub process (build/hub): staff
 * publish with the kioskctl code (content/bundle.c), the kiosk syncs
 * (content/sync.c). Applied -> notices replaced; unchanged -> 304; a
 * tampered asset -> refused, old content kept; hub down -> last good
 * content; a sync stopped mid-download -> old content whole, then the new
 * one switches in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "content/bundle.h"
#include "content/sync.h"
#include "support/harness.h"
#include "support/hubproc.h"

/* The two images of content/example (their SHA-256). */
#define EXAMPLE_SHA1 "0dce28ec3e0000ead856c6913e8525f1b1fecff5b6bd214e699aae811a23183e"
#define EXAMPLE_SHA2 "db8e4796dc64e85311b8928003cd2de642f6b67ebb1bdb6d4178ecd9e1736e44"

typedef struct {
    hubproc_t hub;
    char tmp[64];
    char staff[160];
    char pk[65];
    char key[128];
    int notified;
    long long notified_version;
} fx_t;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) fail_msg("command failed: %s", cmd);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->tmp, sizeof f->tmp, "/tmp/content-sync.XXXXXX");
    assert_non_null(mkdtemp(f->tmp));
    snprintf(f->hub.dir, sizeof f->hub.dir, "%s/hub", f->tmp);
    sh("mkdir -p %s", f->hub.dir);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub staff add editor --db %s/hub.db", harness_build_dir(), f->hub.dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(f->staff, sizeof f->staff, p));
    f->staff[strcspn(f->staff, "\n")] = '\0';
    assert_int_equal(pclose(p), 0);
    snprintf(f->key, sizeof f->key, "%s/key", f->tmp);
    char err[300];
    assert_int_equal(content_keygen(f->key, f->pk, err, sizeof err), 0);
    snprintf(f->hub.content_key, sizeof f->hub.content_key, "%s", f->pk);   /* the hub verifies too */
    assert_int_equal(hubproc_start(&f->hub), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    hubproc_stop(&f->hub);
    hubproc_cleanup(&f->hub);
    sh("rm -rf %s", f->tmp);
    free(f);
    return 0;
}

/* Copies content/example to TMP/NAME with bundle version VERSION and N_EXTRA
 * extra images (distinct bytes), each on an extra notice; builds, signs and
 * publishes it. */
static void publish(fx_t *f, const char *name, int version, int n_extra)
{
    char src[160], out[160], err[400];
    snprintf(src, sizeof src, "%s/%s", f->tmp, name);
    snprintf(out, sizeof out, "%s/%s.bundle", f->tmp, name);
    sh("rm -rf %s && cp -r content/example %s", src, src);
    sh("sed -i 's/\"version\": [0-9]*/\"version\": %d/' %s/bundle.json", version, src);
    for (int i = 0; i < n_extra; i++) {
        sh("cp %s/images/heating.png %s/images/x%d.png && printf 'v%d-%d' >> %s/images/x%d.png", src, src, i, version, i, src, i);
        char path[256];
        snprintf(path, sizeof path, "%s/items/x%04d.json", src, i);
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fprintf(fp, "{\"id\":%d,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"zh_CN\","
                    "\"title\":\"v%d notice %d\",\"body\":\"b\",\"published\":1795000000,\"images\":[\"x%d.png\"]}",
                1000 + i, version, i, i);
        fclose(fp);
    }
    if (content_build(src, out, time(NULL), NULL, NULL, err, sizeof err) != 0) fail_msg("build: %s", err);
    if (content_sign(out, f->key, NULL, err, sizeof err) != 0) fail_msg("sign: %s", err);
    long long v = 0;
    if (content_publish(out, f->hub.url, f->staff, &v, err, sizeof err) != 0) fail_msg("publish: %s", err);
    assert_int_equal(v, version);
}

static void on_notify(long long version, void *ud)
{
    fx_t *f = ud;
    f->notified++;
    f->notified_version = version;
}

static content_sync_t *syncer(fx_t *f, const char *var, const volatile int *abort)
{
    char vdir[160], err[300];
    snprintf(vdir, sizeof vdir, "%s/%s", f->tmp, var);
    content_config_t cfg = {.hub_url = f->hub.url, .token = HUBPROC_TOKEN, .var_dir = vdir,
                            .public_key = f->pk, .mode = "hall", .group = "", .poll_s = 60,
                            .timeout_ms = 3000, .notify = on_notify, .ud = f};
    content_sync_t *s = content_sync_new(&cfg, abort, err, sizeof err);
    if (!s) fail_msg("content_sync_new: %s", err);
    return s;
}

static long long q(fx_t *f, const char *var, const char *sql)
{
    char path[192];
    snprintf(path, sizeof path, "%s/%s/kiosk.db", f->tmp, var);
    sqlite3 *db;
    sqlite3_stmt *st;
    long long v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int count_files(fx_t *f, const char *var)
{
    char path[192];
    snprintf(path, sizeof path, "%s/%s/content/assets", f->tmp, var);
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && !strstr(e->d_name, ".part")) n++;
    if (d) closedir(d);
    return n;
}

static void first_sync_applies_then_304(void **state)
{
    fx_t *f = *state;
    content_report_t rep;
    content_sync_t *s = syncer(f, "varA", NULL);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_NO_BUNDLE);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 0);      /* none before a bundle */
    publish(f, "v1", 1, 0);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_APPLIED);
    assert_int_equal(rep.version, 1);
    assert_int_equal(rep.assets_fetched, 2);
    assert_int_equal(f->notified, 1);
    assert_int_equal(content_current_version(), 1);
    /* notices 1-5 (the lecture has expired), all 9 items kept */
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 5);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices WHERE title = '11月19日停水检修通知'"), 1);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM content_items"), 9);
    assert_int_equal(count_files(f, "varA"), 2);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_UNCHANGED);
    assert_string_equal(rep.detail, "304");
    assert_int_equal(f->notified, 1);
    content_sync_free(s);
}

static void tampered_asset_keeps_old_content(void **state)
{
    fx_t *f = *state;
    content_report_t rep;
    publish(f, "v2", 2, 1);
    /* Staff's upload was fine; then the hub's copy is altered. */
    char sql[512];
    snprintf(sql, sizeof sql, "sqlite3 %s \"UPDATE content_assets SET data = data || x'00' "
                              "WHERE sha256 NOT IN ('%s', '%s')\"", f->hub.db, EXAMPLE_SHA1, EXAMPLE_SHA2);
    sh("%s", sql);
    content_sync_t *s = syncer(f, "varA", NULL);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_ASSET_FAILED);
    assert_int_equal(rep.version, 1);
    assert_int_equal(q(f, "varA", "SELECT version FROM content_state"), 1);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 5);
    assert_int_equal(count_files(f, "varA"), 2);     /* nothing half-downloaded left */
    content_sync_free(s);
    snprintf(sql, sizeof sql, "sqlite3 %s \"UPDATE content_assets SET data = substr(data, 1, size)\"", f->hub.db);
    sh("%s", sql);
}

static void hub_down_keeps_last_good(void **state)
{
    fx_t *f = *state;
    content_report_t rep;
    hubproc_stop(&f->hub);
    content_sync_t *s = syncer(f, "varA", NULL);
    assert_int_equal(content_current_version(), 1);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_OFFLINE);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 5);
    content_sync_free(s);
    assert_int_equal(hubproc_start(&f->hub), 0);
}

typedef struct {
    fx_t *f;
    volatile int *abort;
} watch_t;

/* Sets the abort flag as soon as the first new asset file appears. */
static void *watcher(void *arg)
{
    watch_t *w = arg;
    for (int i = 0; i < 20000 && count_files(w->f, "varA") <= 2; i++) usleep(200);
    __atomic_store_n(w->abort, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void stopped_mid_download_then_switches(void **state)
{
    fx_t *f = *state;
    content_report_t rep;
    publish(f, "v3", 3, 150);
    volatile int abort = 0;
    content_sync_t *s = syncer(f, "varA", &abort);
    watch_t w = {f, &abort};
    pthread_t th;
    pthread_create(&th, NULL, watcher, &w);
    content_outcome_t o = content_sync_round(s, &rep);
    pthread_join(th, NULL);
    assert_int_not_equal(o, CONTENT_APPLIED);
    assert_int_equal(q(f, "varA", "SELECT version FROM content_state"), 1);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 5);
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM content_items"), 9);
    int partial = count_files(f, "varA");
    assert_true(partial > 2 && partial < 152);
    abort = 0;
    assert_int_equal(content_sync_round(s, &rep), CONTENT_APPLIED);
    assert_int_equal(rep.version, 3);
    assert_int_equal(rep.assets_fetched, 152 - partial);       /* what was whole is kept */
    assert_int_equal(q(f, "varA", "SELECT count(*) FROM notices"), 155);
    assert_int_equal(count_files(f, "varA"), 152);
    content_sync_free(s);
}

static void rollback_and_untargeted_are_refused(void **state)
{
    fx_t *f = *state;
    content_report_t rep;
    /* A kiosk that is at version 3 sees nothing newer: an older manifest
     * is never offered by the hub, and the kiosk would refuse it anyway
     * (test_content). A street bundle is not served to a hall kiosk. */
    char src[160], out[160], err[400];
    snprintf(src, sizeof src, "%s/street", f->tmp);
    snprintf(out, sizeof out, "%s/street.bundle", f->tmp);
    sh("rm -rf %s && cp -r content/example %s", src, src);
    sh("sed -i 's/\"version\": [0-9]*/\"version\": 4/; s/\"mode\": \"any\"/\"mode\": \"street\"/' %s/bundle.json", src);
    assert_int_equal(content_build(src, out, time(NULL), NULL, NULL, err, sizeof err), 0);
    assert_int_equal(content_sign(out, f->key, NULL, err, sizeof err), 0);
    long long v;
    assert_int_equal(content_publish(out, f->hub.url, f->staff, &v, err, sizeof err), 0);
    content_sync_t *s = syncer(f, "varA", NULL);
    assert_int_equal(content_sync_round(s, &rep), CONTENT_UNCHANGED);
    assert_int_equal(rep.version, 3);
    content_sync_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_sync_applies_then_304),
        cmocka_unit_test(tampered_asset_keeps_old_content),
        cmocka_unit_test(hub_down_keeps_last_good),
        cmocka_unit_test(stopped_mid_download_then_switches),
        cmocka_unit_test(rollback_and_untargeted_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
