/* The console's preview (POST /console/api/preview, console_preview.h):
 * off without [console] preview_kiosk (503), editors and up only, CSRF,
 * the item checked before anything runs, the real kiosk binary drawing a
 * notice at every default size and theme (PNGs that decode to the asked
 * sizes; a title that cannot fit flagged), and the sandbox around it with
 * fake kiosks (shell scripts): a clean environment, limits, a sleeper
 * killed at the timeout, a second preview refused while one runs, and a
 * program that is not a kiosk. Requests go through hub_handle (no socket,
 * no port); the hub's clock is the harness's fixed one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "db.h"
#include "consoletest.h"
#include "hubtest.h"
#include "server.h"
#include "staff.h"

#define EDITOR_PW "editor-password-1"
#define NOTICE "{\"title\":\"社区义诊\",\"body\":\"周六上午九点在社区活动室。\",\"category\":\"community\"," \
               "\"days\":7,\"groups\":[\"north\"],\"pinned\":false}"

typedef struct {
    hubtest_t *t;
    hub_t *hub;                    /* a hub with the preview settings of the test */
    char dir[80];                  /* the test's own files (fake kiosks) */
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    snprintf(f->dir, sizeof f->dir, "%s/fake", f->t->dir);
    mkdir(f->dir, 0700);
    consoletest_add("ed", STAFF_EDITOR, "north", EDITOR_PW);
    consoletest_add("vic", STAFF_VIEWER, "north", "viewer-password-1");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (f->hub) hub_stop(f->hub);
    hubtest_stop(f->t);
    free(f);
    return 0;
}

/* A hub like the test's with KIOSK as preview_kiosk (NULL: off). */
static void use(fx_t *f, const char *kiosk, const char *sizes, int timeout_s)
{
    hub_config_t cfg = *hub_config(f->t->hub);
    snprintf(cfg.console_preview_kiosk, sizeof cfg.console_preview_kiosk, "%s", kiosk ? kiosk : "");
    snprintf(cfg.console_preview_config, sizeof cfg.console_preview_config, "kiosk.ini");
    snprintf(cfg.console_preview_sizes, sizeof cfg.console_preview_sizes, "%s", sizes ? sizes : "");
    cfg.console_preview_timeout_s = timeout_s;
    cfg.console_preview_max = 1;
    if (f->hub) hub_stop(f->hub);
    f->hub = hub_new(&cfg);
}

static hub_resp_t call(fx_t *f, const char *path, const char *body, const consoletest_sess_t *s, bool csrf)
{
    return consoletest_call_as(f->hub, "POST", path, body, s, csrf);
}

/* A fake kiosk: a shell script NAME in the test's directory. */
static const char *script(fx_t *f, const char *name, const char *text)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "#!/bin/sh\n%s\n", text);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, 0700), 0);
    return path;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* ---- access and validation -------------------------------------------------- */

static void off_roles_csrf_and_validation(void **state)
{
    fx_t *f = *state;
    use(f, NULL, NULL, 0);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    consoletest_sess_t vic = consoletest_login(f->hub, "vic", "viewer-password-1");
    consoletest_expect(call(f, "/console/api/preview", NOTICE, NULL, false), 401, "not_signed_in", NULL);
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &ed, false), 403, "csrf", NULL);
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &vic, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &ed, true), 503, "preview_unavailable", NULL);

    /* with a kiosk that would fail the test if it ran: bad items never reach it */
    char marker[160];
    snprintf(marker, sizeof marker, "touch %s/ran; exit 9", f->dir);
    use(f, script(f, "never", marker), NULL, 5);
    ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    static const struct { const char *body, *code; } bad[] = {
        {"{\"body\":\"b\"}", "missing_field"},
        {"{\"title\":\"t\"}", "missing_field"},
        {"{\"title\":\"\",\"body\":\"b\"}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"kind\":\"poster\"}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"category\":\"gossip\"}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"pinned\":\"yes\"}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"kind\":\"event\",\"places\":3}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"images\":[\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]}",
         "invalid_field"},                                  /* not a picture the hub has */
        {"{\"title\":\"t\",\"body\":\"b\",\"images\":[\"../../etc/passwd\"]}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"kind\":\"guide\",\"data\":[1]}", "invalid_field"},
        {"{\"title\":\"t\",\"body\":\"b\",\"locale\":\"../x\"}", "invalid_field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hub_resp_t r = call(f, "/console/api/preview", bad[i].body, &ed, true);
        if (r.status != 422) fail_msg("%s: %d %s", bad[i].body, r.status, r.body);
        consoletest_expect(r, 422, bad[i].code, NULL);
    }
    char big[2100 + 64], body[2200 + 64];
    memset(big, 'x', 2001);
    big[2001] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"t\",\"body\":\"%s\"}", big);
    consoletest_expect(call(f, "/console/api/preview", body, &ed, true), 422, "invalid_field", NULL);
    char ran[200];
    snprintf(ran, sizeof ran, "%s/ran", f->dir);
    assert_int_equal(access(ran, F_OK), -1);
    /* a good item does reach it: its failure is reported with its words */
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &ed, true), 502, "preview_failed", NULL);
    assert_int_equal(access(ran, F_OK), 0);
}

/* ---- the real kiosk ------------------------------------------------------------ */

static SDL_Surface *decode(const char *b64)
{
    size_t cap = strlen(b64), len = 0;
    unsigned char *bin = malloc(cap);
    assert_int_equal(sodium_base642bin(bin, cap, b64, cap, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    SDL_Surface *s = IMG_Load_RW(SDL_RWFromConstMem(bin, (int)len), 1);
    free(bin);
    return s;
}

static void the_kiosk_draws_every_size_and_theme(void **state)
{
    fx_t *f = *state;
    char kiosk[160];
    snprintf(kiosk, sizeof kiosk, "%s/kiosk", consoletest_build_dir());
    use(f, kiosk, NULL, 60);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "/console/api/preview", NOTICE, &ed, true);
    if (r.status != 200) fail_msg("%d %s", r.status, r.body);
    assert_true(r.console);
    cJSON *j = cJSON_Parse(r.body);
    free(r.body);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "fits")));
    assert_string_equal(cJSON_GetObjectItem(j, "sizes_from")->valuestring, "config");
    const cJSON *list = cJSON_GetObjectItem(j, "previews");
    assert_int_equal(cJSON_GetArraySize(list), 9);
    static const char *const sizes[] = {"1920x1080", "1080x1920", "1280x800"};
    static const char *const themes[] = {"standard", "elder", "contrast"};
    for (int i = 0; i < 9; i++) {
        const cJSON *e = cJSON_GetArrayItem(list, i);
        assert_string_equal(cJSON_GetObjectItem(e, "size")->valuestring, sizes[i / 3]);
        assert_string_equal(cJSON_GetObjectItem(e, "theme")->valuestring, themes[i % 3]);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "fits")));
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e, "problems")), 0);
        SDL_Surface *s = decode(cJSON_GetObjectItem(e, "png")->valuestring);
        assert_non_null(s);
        int w, h;
        sscanf(sizes[i / 3], "%dx%d", &w, &h);
        assert_int_equal(s->w, w);
        assert_int_equal(s->h, h);
        SDL_FreeSurface(s);
    }

    /* The picture of a notice is one the hub has: the first preview's. */
    const char *png64 = cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "png")->valuestring;
    size_t cap = strlen(png64), len = 0;
    unsigned char *bin = malloc(cap), hash[32];
    assert_int_equal(sodium_base642bin(bin, cap, png64, cap, NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
    crypto_hash_sha256(hash, bin, len);
    char sha[65], sql[256];
    sodium_bin2hex(sha, sizeof sha, hash, sizeof hash);
    sqlite3_stmt *st;
    snprintf(sql, sizeof sql, "INSERT INTO content_assets(sha256, type, size, data, staff, created) "
             "VALUES ('%s', 'image/png', %zu, ?1, 'ed', 1)", sha, len);
    assert_int_equal(sqlite3_prepare_v2(db_thread(), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, bin, (int)len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(bin);
    cJSON_Delete(j);

    /* Only 1280x800: a title with nowhere to break is cut in the elder theme. */
    use(f, kiosk, "1280x800", 60);
    ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    char body[1024], title[241];
    memset(title, 'W', 240);
    title[240] = '\0';
    snprintf(body, sizeof body, "{\"title\":\"%s\",\"body\":\"短\",\"category\":\"government\","
             "\"images\":[\"%s\"]}", title, sha);
    r = call(f, "/console/api/preview", body, &ed, true);
    if (r.status != 200) fail_msg("%d %s", r.status, r.body);
    j = cJSON_Parse(r.body);
    free(r.body);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "fits")));
    list = cJSON_GetObjectItem(j, "previews");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    const cJSON *elder = cJSON_GetArrayItem(list, 1);
    assert_string_equal(cJSON_GetObjectItem(elder, "theme")->valuestring, "elder");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(elder, "fits")));
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(elder, "problems"), 0);
    assert_non_null(p);
    assert_string_equal(cJSON_GetObjectItem(p, "kind")->valuestring, "cut");
    assert_string_equal(cJSON_GetObjectItem(p, "id")->valuestring, "notice.title");
    assert_string_equal(cJSON_GetObjectItem(elder, "screen")->valuestring, "notice");
    cJSON_Delete(j);

    /* Each kind on the screen residents see it on; a notice's eight pictures
     * are accepted (the kiosk draws the first). */
    static const struct { const char *body, *screen; } kinds[] = {
        {"{\"kind\":\"guide\",\"title\":\"居住证办理\",\"body\":\"\",\"category\":\"one_stop\","
         "\"data\":{\"steps\":[\"到综合窗口申请\",\"约10个工作日后领取\"],\"bring\":[\"身份证\"],\"fee\":\"免费\"}}",
         "guide_detail"},
        {"{\"kind\":\"event\",\"title\":\"智能手机课\",\"body\":\"教您用手机挂号。\",\"category\":\"digital\","
         "\"starts\":1800000000,\"places\":20,\"left\":20}", "notice"},
        {"{\"kind\":\"lecture\",\"title\":\"防诈骗讲座\",\"body\":\"民警讲解。\",\"category\":\"safety\","
         "\"starts\":1800000000}", "notice"},
        {"{\"kind\":\"library\",\"title\":\"新书上架\",\"body\":\"本周新书。\",\"category\":\"books\"}", "notice"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        r = call(f, "/console/api/preview", kinds[k].body, &ed, true);
        if (r.status != 200) fail_msg("%s: %d %s", kinds[k].body, r.status, r.body);
        j = cJSON_Parse(r.body);
        free(r.body);
        list = cJSON_GetObjectItem(j, "previews");
        assert_int_equal(cJSON_GetArraySize(list), 3);
        for (int i = 0; i < 3; i++)
            if (strcmp(cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "screen")->valuestring, kinds[k].screen))
                fail_msg("%s drawn on %s", kinds[k].body, cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "screen")->valuestring);
        cJSON_Delete(j);
    }
    snprintf(body, sizeof body, "{\"title\":\"t\",\"body\":\"b\",\"images\":[\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\",\"%s\"]}",
             sha, sha, sha, sha, sha, sha, sha, sha);
    r = call(f, "/console/api/preview", body, &ed, true);
    if (r.status != 200) fail_msg("eight pictures: %d %.300s", r.status, r.body);
    free(r.body);
}

/* ---- the fleet's sizes ---------------------------------------------------------------- */

static void sizes_of(fx_t *f, const consoletest_sess_t *ed, const char *groups, const char *from, const char *want)
{
    char body[400], got[200] = "";
    snprintf(body, sizeof body, "{\"title\":\"社区义诊\",\"body\":\"周六上午。\"%s%s}", groups ? ",\"groups\":" : "",
             groups ? groups : "");
    hub_resp_t r = call(f, "/console/api/preview", body, ed, true);
    if (r.status != 200) fail_msg("%s: %d %.300s", body, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    free(r.body);
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "previews"))
        if (!strcmp(cJSON_GetObjectItem(e, "theme")->valuestring, "standard"))
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", got[0] ? "," : "",
                     cJSON_GetObjectItem(e, "size")->valuestring);
    if (strcmp(got, want) || strcmp(cJSON_GetObjectItem(j, "sizes_from")->valuestring, from))
        fail_msg("groups %s: sizes %s from %s, wanted %s from %s", groups ? groups : "none", got,
                 cJSON_GetObjectItem(j, "sizes_from")->valuestring, want, from);
    int sizes = 1;
    for (const char *c = want; *c; c++) sizes += *c == ',';
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "previews")), 3 * sizes);
    cJSON_Delete(j);
}

/* Heartbeats saying display_w/display_h: the draft is drawn at the distinct
 * sizes of its groups' kiosks (the most common first); kiosks that say no
 * size (older ones), other groups' kiosks, revoked ones and kiosks silent for
 * over 30 days are not counted; with none, the configured sizes. */
static void the_fleets_sizes_of_the_drafts_groups(void **state)
{
    fx_t *f = *state;
    char kiosk[160], sql[1600];
    snprintf(kiosk, sizeof kiosk, "%s/kiosk", consoletest_build_dir());
    use(f, kiosk, "1280x800", 60);
    long long now = hub_now();
    snprintf(sql, sizeof sql,
             "INSERT INTO devices(id, token_hash, created, kiosk_group, revoked) VALUES"
             " ('p1', 'x', 1, 'north', 0), ('p2', 'x', 1, 'north', 0), ('p3', 'x', 1, 'south', 0),"
             " ('p4', 'x', 1, 'north', 0), ('p5', 'x', 1, 'north', 1), ('p6', 'x', 1, 'north', 0);"
             "INSERT INTO heartbeats(device, received, count, body) VALUES"
             " ('p1', %lld, 1, '{\"mode\":\"hall\",\"display_w\":1080,\"display_h\":1920}'),"
             " ('p2', %lld, 1, '{\"display_w\":1080,\"display_h\":1920}'),"
             " ('p3', %lld, 1, '{\"display_w\":800,\"display_h\":1280}'),"
             " ('p4', %lld, 1, '{\"mode\":\"hall\"}'),"
             " ('p5', %lld, 1, '{\"display_w\":1024,\"display_h\":768}'),"
             " ('p6', %lld, 1, '{\"display_w\":1366,\"display_h\":768}')",
             now, now, now, now, now, now - 31 * 86400LL);
    char *err = NULL;
    if (sqlite3_exec(db_thread(), sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s", err);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    sizes_of(f, &ed, "[\"north\"]", "fleet", "1080x1920");
    sizes_of(f, &ed, "[\"south\",\"north\"]", "fleet", "1080x1920,800x1280");
    sizes_of(f, &ed, "[\"east\"]", "config", "1280x800");
    sizes_of(f, &ed, NULL, "config", "1280x800");
    sizes_of(f, &ed, "[]", "config", "1280x800");
    consoletest_expect(call(f, "/console/api/preview", "{\"title\":\"t\",\"body\":\"b\",\"groups\":\"north\"}",
                            &ed, true), 422, "invalid_field", NULL);
    consoletest_expect(call(f, "/console/api/preview", "{\"title\":\"t\",\"body\":\"b\",\"groups\":[3]}", &ed, true),
                       422, "invalid_field", NULL);
}

/* ---- the sandbox ------------------------------------------------------------------- */

static bool gone(pid_t pid)
{
    for (int i = 0; i < 200; i++) {          /* a killed grandchild waits for init to reap it */
        char path[64], *stat;
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        stat = slurp(path);
        if (!stat) return true;
        const char *close = strrchr(stat, ')');
        if (close && close[1] == ' ' && close[2] == 'Z') return true;
        nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    }
    return false;
}

static void clean_environment_and_limits(void **state)
{
    fx_t *f = *state;
    char text[1200];
    snprintf(text, sizeof text, "env > %s/env.txt; ulimit -t > %s/limits.txt; ulimit -f >> %s/limits.txt; "
             "ulimit -v >> %s/limits.txt; ulimit -c >> %s/limits.txt; ls /proc/self/fd > %s/fds.txt; exit 3",
             f->dir, f->dir, f->dir, f->dir, f->dir, f->dir);
    use(f, script(f, "envdump", text), NULL, 7);
    setenv("http_proxy", "http://proxy.invalid:3128", 1);
    setenv("HUB_SECRET_FOR_TEST", "nope", 1);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "/console/api/preview", NOTICE, &ed, true);
    assert_non_null(strstr(r.body, "exit 3"));
    consoletest_expect(r, 502, "preview_failed", NULL);
    unsetenv("http_proxy");
    unsetenv("HUB_SECRET_FOR_TEST");
    char path[160];
    snprintf(path, sizeof path, "%s/env.txt", f->dir);
    char *env = slurp(path);
    assert_non_null(env);
    assert_non_null(strstr(env, "SDL_VIDEODRIVER=dummy"));
    assert_null(strstr(env, "proxy"));
    assert_null(strstr(env, "HUB_SECRET"));
    assert_non_null(strstr(env, "TMPDIR=/"));
    snprintf(path, sizeof path, "%s/limits.txt", f->dir);
    char *lim = slurp(path);
    assert_non_null(lim);
    char want[64];
    snprintf(want, sizeof want, "7\n%d\n%d\n0\n", 16 * 1024 * 1024 / 512, 1024 * 1024);   /* s, 512-byte blocks, KiB */
    assert_string_equal(lim, want);
    snprintf(path, sizeof path, "%s/fds.txt", f->dir);
    char *fds = slurp(path);
    assert_non_null(fds);
    assert_string_equal(fds, "0\n1\n2\n3\n");   /* 3: ls's own directory */

    /* not a kiosk: no report */
    use(f, script(f, "hello", "echo hello"), NULL, 5);
    ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    r = call(f, "/console/api/preview", NOTICE, &ed, true);
    assert_non_null(strstr(r.body, "is not one"));
    consoletest_expect(r, 502, "preview_failed", NULL);

    /* not there at all */
    use(f, "/nonexistent/kiosk", NULL, 5);
    ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &ed, true), 502, "preview_failed", NULL);
}

struct bg {
    fx_t *f;
    consoletest_sess_t s;
    hub_resp_t r;
};

static void *bg_call(void *arg)
{
    struct bg *b = arg;
    b->r = call(b->f, "/console/api/preview", NOTICE, &b->s, true);
    return NULL;
}

static void a_sleeper_is_killed_and_one_runs_at_once(void **state)
{
    fx_t *f = *state;
    char text[1200], pid1[160], pid2[160];
    snprintf(pid1, sizeof pid1, "%s/sleeper.pid", f->dir);
    snprintf(pid2, sizeof pid2, "%s/child.pid", f->dir);
    /* a grandchild too: the whole group goes */
    snprintf(text, sizeof text, "sleep 60 & echo $! > %s.tmp; mv %s.tmp %s; echo $$ > %s.tmp; mv %s.tmp %s; wait",
             pid2, pid2, pid2, pid1, pid1, pid1);
    use(f, script(f, "sleeper", text), NULL, 4);    /* room for sh to start on a busy machine */
    struct bg b = {.f = f, .s = consoletest_login(f->hub, "ed", EDITOR_PW)};
    consoletest_sess_t again = consoletest_login(f->hub, "ed", EDITOR_PW);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, bg_call, &b), 0);
    for (int i = 0; i < 390 && access(pid1, F_OK) != 0; i++) nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    assert_int_equal(access(pid1, F_OK), 0);
    /* while it runs, another preview is refused at once */
    hub_resp_t r = call(f, "/console/api/preview", NOTICE, &again, true);
    assert_int_equal(r.retry_after, 2);
    consoletest_expect(r, 429, "previews_busy", NULL);
    pthread_join(th, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("sleeper stopped after %.2f s (timeout 4 s)\n", s);
    assert_true(s >= 3.9 && s < 12);
    assert_non_null(strstr(b.r.body, "longer than 4 s"));
    consoletest_expect(b.r, 504, "preview_timeout", NULL);
    pid_t a = (pid_t)atoi(slurp(pid1)), c = (pid_t)atoi(slurp(pid2));
    assert_true(a > 1 && c > 1);
    assert_true(gone(a));
    assert_true(gone(c));
    /* and the slot is free again */
    use(f, script(f, "quick", "exit 4"), NULL, 5);
    consoletest_sess_t ed = consoletest_login(f->hub, "ed", EDITOR_PW);
    consoletest_expect(call(f, "/console/api/preview", NOTICE, &ed, true), 502, "preview_failed", NULL);
}

int main(void)
{
    /* Each preview's directory is made under the suite's own TMPDIR, so the
     * check that none is left is not disturbed by other suites. */
    char tmp[] = "/tmp/hub-preview-test-XXXXXX";
    if (!mkdtemp(tmp)) return 1;
    setenv("TMPDIR", tmp, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(off_roles_csrf_and_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(the_kiosk_draws_every_size_and_theme, setup, teardown),
        cmocka_unit_test_setup_teardown(the_fleets_sizes_of_the_drafts_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(clean_environment_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(a_sleeper_is_killed_and_one_runs_at_once, setup, teardown),
    };
    int rc = cmocka_run_group_tests_name("hub_preview", tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "n=$(find %s -maxdepth 1 -name 'hub-preview-*' | wc -l); rm -rf %s; test $n = 0", tmp, tmp);
    if (system(cmd) != 0) {
        fprintf(stderr, "a preview's directory was left behind\n");
        rc = 1;
    }
    return rc;
}
