/* kiosk --preview (app/preview.h): the item parser's answers to good and
 * bad drafts, and the binary itself: a short notice fits, a title that
 * cannot break or a body too long for large text on a small panel is
 * flagged, a bad item exits 2 naming the field and writes nothing, the
 * PNG has the asked size, and no state is left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL2/SDL.h>
#include <SDL2/SDL_image.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "app/preview_item.h"

#define PUBLISHED "1795915800"      /* 2026-11-29 09:30 China time: no test reads the clock */

static void parses_a_draft(void **state)
{
    preview_item_t p;
    char err[200];
    const char *j = "{\"kind\":\"event\",\"title\":\"读书会\",\"body\":\"周六\",\"places\":30,\"left\":12,"
                    "\"starts\":1796000000,\"locale\":\"zh_CN\",\"images\":[\"" 
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]}";
    assert_int_equal(preview_item_parse(j, strlen(j), 1000, &p, err, sizeof err), 0);
    assert_string_equal(p.item.kind, "event");
    assert_string_equal(p.item.category, "community");
    assert_int_equal(p.item.published, 1000);            /* a draft: dated now */
    assert_int_equal(p.item.places, 30);
    assert_int_equal(p.item.left, 12);
    assert_int_equal(p.item.starts, 1796000000);
    assert_string_equal(p.locale, "zh_CN");
    assert_int_equal(strlen(p.image), 64);
    const char *g = "{\"kind\":\"guide\",\"title\":\"居住证\",\"body\":\"\",\"data\":{\"steps\":[\"a\"]}}";
    assert_int_equal(preview_item_parse(g, strlen(g), 1000, &p, err, sizeof err), 0);
    assert_string_equal(p.item.data, "{\"steps\":[\"a\"]}");
    assert_int_equal(p.item.places, -1);
    const char *a = "{\"kind\":\"alert\",\"title\":\"暴雨\",\"body\":\"别外出\",\"published\":5}";
    assert_int_equal(preview_item_parse(a, strlen(a), 1000, &p, err, sizeof err), 0);
    assert_string_equal(p.item.category, "alert");
    assert_int_equal(p.item.published, 5);
}

static void refuses_bad_items_naming_the_field(void **state)
{
    static const struct { const char *json, *says; } bad[] = {
        {"[1]", "not a JSON object"},
        {"{\"title\":\"t\",\"body\":\"b\"}", "kind"},
        {"{\"kind\":\"poster\",\"title\":\"t\",\"body\":\"b\"}", "kind: \"poster\""},
        {"{\"kind\":\"notice\",\"body\":\"b\"}", "title: missing"},
        {"{\"kind\":\"notice\",\"title\":\"\",\"body\":\"b\"}", "title: empty"},
        {"{\"kind\":\"notice\",\"title\":\"t\"}", "body: missing"},
        {"{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"\xff\"}", "body: not valid UTF-8"},
        {"{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"published\":-1}", "published"},
        {"{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"pinned\":1}", "pinned"},
        {"{\"kind\":\"event\",\"title\":\"t\",\"body\":\"b\",\"places\":3}", "places and left"},
        {"{\"kind\":\"event\",\"title\":\"t\",\"body\":\"b\",\"places\":3,\"left\":4}", "places and left"},
        {"{\"kind\":\"guide\",\"title\":\"t\",\"body\":\"b\",\"data\":[]}", "data"},
        {"{\"kind\":\"guide\",\"title\":\"t\",\"body\":\"\",\"data\":{\"fee\":\"\xe5{\"}}", "data: not valid UTF-8"},
        {"{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"images\":[\"../etc/passwd\"]}", "images"},
        {"{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"images\":\"x\"}", "images"},
        {"{\"kind\":", "not JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        preview_item_t p;
        char err[200] = "";
        assert_int_equal(preview_item_parse(bad[i].json, strlen(bad[i].json), 1000, &p, err, sizeof err), -1);
        if (!strstr(err, bad[i].says)) fail_msg("%s: said \"%s\", not \"%s\"", bad[i].json, err, bad[i].says);
        assert_string_equal(p.item.title, "");          /* nothing half-filled */
    }
    char title[300];
    memset(title, 'x', sizeof title - 1);
    title[sizeof title - 1] = '\0';
    char j[400];
    snprintf(j, sizeof j, "{\"kind\":\"notice\",\"title\":\"%s\",\"body\":\"b\"}", title);
    preview_item_t p;
    char err[200];
    assert_int_equal(preview_item_parse(j, strlen(j), 1000, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "title: 299 bytes"));    /* never cut: the preview shows what is sent */
}

/* ---- the binary ---------------------------------------------------------- */

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/kiosk-test-preview-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

/* Runs build/kiosk --preview ITEM --out OUT with EXTRA (NULL-terminated)
 * and TMPDIR a directory of its own; stdout and stderr into files of DIR.
 * Returns the exit status (-1 for a signal). */
static int run_preview(const char *item, const char *out, const char *const *extra)
{
    const char *build = getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build";
    char bin[256], item_path[256], out_path[256], tmp[256], so[256], se[256];
    snprintf(bin, sizeof bin, "%s/kiosk", build);
    snprintf(item_path, sizeof item_path, "%s/%s", dir, item);
    snprintf(out_path, sizeof out_path, "%s/%s", dir, out);
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    snprintf(so, sizeof so, "%s/stdout", dir);
    snprintf(se, sizeof se, "%s/stderr", dir);
    mkdir(tmp, 0700);
    const char *argv[32] = {bin, "--preview", item_path, "--out", out_path};
    int n = 5;
    for (int i = 0; extra && extra[i] && n < 30; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int o = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0600), e = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0) _exit(120);
        dup2(o, 1);
        dup2(e, 2);
        setenv("TMPDIR", tmp, 1);
        setenv("SDL_VIDEODRIVER", "dummy", 1);
        execv(bin, (char *const *)argv);
        _exit(121);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The directory TMPDIR named holds nothing after a run. */
static void nothing_left(void)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s/tmp", dir);
    DIR *d = opendir(tmp);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            printf("left behind: %s\n", e->d_name);
            n++;
        }
    closedir(d);
    assert_int_equal(n, 0);
}

/* The report on stdout: one JSON line. */
static cJSON *report(void)
{
    char *text = read_file("stdout");
    assert_non_null(text);
    cJSON *r = cJSON_Parse(text);
    if (!r) fail_msg("not JSON: %s", text);
    free(text);
    return r;
}

static void png_is(const char *name, int w, int h)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SDL_Surface *s = IMG_Load(path);
    assert_non_null(s);
    assert_int_equal(s->w, w);
    assert_int_equal(s->h, h);
    SDL_FreeSurface(s);
}

static bool has_problem(const cJSON *r, const char *kind, const char *id)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(r, "problems")) {
        if (!strcmp(cJSON_GetObjectItem(p, "kind")->valuestring, kind) &&
            !strcmp(cJSON_GetObjectItem(p, "id")->valuestring, id))
            return true;
    }
    return false;
}

static void a_short_notice_fits(void **state)
{
    write_file("short.json", "{\"kind\":\"notice\",\"title\":\"社区义诊\",\"body\":\"周六上午九点在社区活动室。\","
                             "\"category\":\"community\",\"locale\":\"zh_CN\",\"published\":" PUBLISHED "}");
    static const char *const sizes[][3] = {{"1920x1080", "standard"}, {"1280x800", "elder"}, {"1080x1920", "contrast"}};
    for (size_t i = 0; i < 3; i++) {
        const char *const extra[] = {"--size", sizes[i][0], "--theme", sizes[i][1], NULL};
        assert_int_equal(run_preview("short.json", "short.png", extra), 0);
        cJSON *r = report();
        if (!cJSON_IsTrue(cJSON_GetObjectItem(r, "fits"))) fail_msg("%s %s: %s", sizes[i][0], sizes[i][1], cJSON_PrintUnformatted(r));
        assert_string_equal(cJSON_GetObjectItem(r, "size")->valuestring, sizes[i][0]);
        assert_string_equal(cJSON_GetObjectItem(r, "theme")->valuestring, sizes[i][1]);
        assert_string_equal(cJSON_GetObjectItem(r, "screen")->valuestring, "notice");
        assert_string_equal(cJSON_GetObjectItem(r, "locale")->valuestring, "zh_CN");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "problems")), 0);
        cJSON_Delete(r);
        int w, h;
        sscanf(sizes[i][0], "%dx%d", &w, &h);
        png_is("short.png", w, h);
        nothing_left();
    }
}

static void what_does_not_fit_is_flagged(void **state)
{
    /* a title with nowhere to break, 200 bytes; a body of 60 sentences
     * (1080 bytes): both cut in large text on a 1280x800 panel */
    char title[201], body[2001], item[2400];
    memset(title, 'W', 200);
    title[200] = '\0';
    body[0] = '\0';
    for (int i = 0; i < 60; i++) strcat(body, "很长的正文。");
    snprintf(item, sizeof item, "{\"kind\":\"notice\",\"title\":\"%s\",\"body\":\"短\",\"published\":" PUBLISHED "}", title);
    write_file("title.json", item);
    snprintf(item, sizeof item, "{\"kind\":\"notice\",\"title\":\"通知\",\"body\":\"%s\",\"published\":" PUBLISHED "}", body);
    write_file("body.json", item);
    const char *const extra[] = {"--size", "1280x800", "--theme", "elder", "--locale", "zh_CN", NULL};

    assert_int_equal(run_preview("title.json", "title.png", extra), 0);
    cJSON *r = report();
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "fits")));
    assert_true(has_problem(r, "cut", "notice.title"));
    assert_false(has_problem(r, "cut", "notice.body"));
    cJSON_Delete(r);
    png_is("title.png", 1280, 800);

    assert_int_equal(run_preview("body.json", "body.png", extra), 0);
    r = report();
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r, "fits")));
    assert_true(has_problem(r, "cut", "notice.body"));
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "problems"), 0);
    assert_non_null(strstr(cJSON_GetObjectItem(first, "message")->valuestring, "cut with an ellipsis"));
    cJSON_Delete(r);

    /* the same body fits the standard theme on a large panel */
    const char *const big[] = {"--size", "1920x1080", "--theme", "standard", NULL};
    assert_int_equal(run_preview("body.json", "body.png", big), 0);
    r = report();
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "fits")));
    cJSON_Delete(r);
    nothing_left();
}

static void guides_and_alerts_show_on_their_screens(void **state)
{
    write_file("guide.json", "{\"kind\":\"guide\",\"title\":\"办理居住证\",\"body\":\"\",\"published\":" PUBLISHED ","
                             "\"data\":{\"steps\":[\"填写申请表\",\"提交材料\"],\"bring\":[\"身份证\"],\"fee\":\"免费\"}}");
    write_file("alert.json", "{\"kind\":\"alert\",\"title\":\"暴雨红色预警\",\"body\":\"请不要外出。\",\"published\":" PUBLISHED "}");
    const char *const extra[] = {"--size", "1080x1920", NULL};
    assert_int_equal(run_preview("guide.json", "guide.png", extra), 0);
    cJSON *r = report();
    assert_string_equal(cJSON_GetObjectItem(r, "screen")->valuestring, "guide_detail");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "fits")));
    cJSON_Delete(r);
    assert_int_equal(run_preview("alert.json", "alert.png", extra), 0);
    r = report();
    assert_string_equal(cJSON_GetObjectItem(r, "screen")->valuestring, "alert");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "fits")));
    cJSON_Delete(r);
    png_is("alert.png", 1080, 1920);
    nothing_left();
}

static void a_bad_item_exits_2_saying_why(void **state)
{
    write_file("bad.json", "{\"kind\":\"notice\",\"body\":\"no title\"}");
    assert_int_equal(run_preview("bad.json", "bad.png", NULL), 2);
    char *err = read_file("stderr");
    assert_non_null(strstr(err, "bad.json: title: missing"));
    free(err);
    char *out = read_file("stdout");
    assert_string_equal(out, "");                      /* no report */
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/bad.png", dir);
    assert_int_equal(access(path, F_OK), -1);          /* no picture */

    assert_int_equal(run_preview("missing.json", "bad.png", NULL), 2);
    err = read_file("stderr");
    assert_non_null(strstr(err, "missing.json"));
    free(err);

    /* a picture named but not given */
    write_file("pic.json", "{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"images\":"
                           "[\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"]}");
    assert_int_equal(run_preview("pic.json", "bad.png", NULL), 2);
    const char *const images[] = {"--images", dir, NULL};
    assert_int_equal(run_preview("pic.json", "bad.png", images), 2);
    err = read_file("stderr");
    assert_non_null(strstr(err, "is not in"));
    free(err);
    nothing_left();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_draft),
        cmocka_unit_test(refuses_bad_items_naming_the_field),
        cmocka_unit_test_setup_teardown(a_short_notice_fits, setup, teardown),
        cmocka_unit_test_setup_teardown(what_does_not_fit_is_flagged, setup, teardown),
        cmocka_unit_test_setup_teardown(guides_and_alerts_show_on_their_screens, setup, teardown),
        cmocka_unit_test_setup_teardown(a_bad_item_exits_2_saying_why, setup, teardown),
    };
    return cmocka_run_group_tests_name("preview", tests, NULL, NULL);
}
