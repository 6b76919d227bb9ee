/* An emergency alert from the staff console reaches a kiosk's screen within
 * 30 seconds: a real hub process (hubproc) with the content signer (`hub
 * signer`, a process of its own) and console accounts made with `hub staff
 * add --role`; a street kiosk of group "north" (the app, with its own
 * workers, heartbeat every 10 s, content poll 300 s so the heartbeat's
 * reload_content is what brings it); the publisher signs in over HTTP and
 * sends the alert; the kiosk shows it; withdrawn, it goes. The figure is
 * printed: "alert on screen after N ms".
 * Then a notice with a picture: the publisher uploads a 2400x1200 PNG of
 * one distinctive colour (the hub shrinks it to 1600x800), writes,
 * approves and publishes a notice naming it; a hall kiosk of the group
 * gets the bundle, fetches the picture and shows it on its notice screen:
 * the frame is saved as a PNG (build/console/kiosk-notice-picture.png),
 * read back, and the colour is found in it.
 * Then a street playlist: a street kiosk of group north with a content
 * public key shows signed content only; the publisher writes and publishes
 * a playlist playing one of the hub's events, and it becomes what the
 * street screen shows (the event's copy in the signed bundle, picked by
 * the playlist); withdrawn, it goes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <SDL_image.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "app/screens.h"
#include "services/info/info.h"
#include "services/street/street.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "support/signerproc.h"
#include "ui/render.h"

#define ALERT_TITLE "暴雨红色预警"
/* docs/api.md "Console playlists": the hub's content item N is item
 * 4000000000 + N of a console playlist's bundle (hub/console_publish.h). */
#define COPY_ID_BASE 4000000000L
#define PLAYED_ID 111L                        /* an event of the demo content */

static hubproc_t hub;
static pid_t signer;
static char tmp[64], pub_key[65];

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

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int setup(void **state)
{
    const char *b = harness_build_dir();
    snprintf(tmp, sizeof tmp, "/tmp/console-alert.XXXXXX");
    if (!mkdtemp(tmp)) return -1;
    /* The content key: the signer's alone (0600); its public half to the kiosk and the hub. */
    char cmd[600], out[512] = "";
    snprintf(cmd, sizeof cmd, "%s/kioskctl content keygen --key %s/content.key 2>/dev/null", b, tmp);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(out, sizeof out, p)) return -1;
    pclose(p);
    char *k = strstr(out, "\"public_key\":\"");
    if (!k) return -1;
    snprintf(pub_key, sizeof pub_key, "%.64s", k + 14);
    char sock[100], bin[160], key[100];
    snprintf(sock, sizeof sock, "%s/signer.sock", tmp);
    snprintf(key, sizeof key, "%s/content.key", tmp);
    snprintf(bin, sizeof bin, "%s/hub", b);
    signer = signerproc_start(bin, key, sock);
    if (signer < 0) return -1;
    memset(&hub, 0, sizeof hub);
    snprintf(hub.dir, sizeof hub.dir, "%s/hub", tmp);
    sh("mkdir -p %s && printf '[console]\\nsigner = %s\\n' > %s/hub.ini", hub.dir, sock, tmp);
    snprintf(hub.config, sizeof hub.config, "%s/hub.ini", tmp);
    snprintf(hub.content_key, sizeof hub.content_key, "%s", pub_key);
    sh("echo 'admin-password-1' | HUB_LOG=quiet %s staff add boss --role admin --db %s/hub.db >/dev/null", bin, hub.dir);
    sh("echo 'publisher-pw-1' | HUB_LOG=quiet %s staff add wang --role publisher --groups north --db %s/hub.db >/dev/null",
       bin, hub.dir);
    harness_clock_start();                  /* the hub starts at the kiosk's time */
    return hubproc_start(&hub);
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    if (signer > 0) signerproc_stop(signer);
    sh("rm -rf %s", tmp);
    return 0;
}

typedef struct {
    char *data;
    size_t len;
} buf_t;

static size_t collect(char *p, size_t s, size_t n, void *u)
{
    buf_t *b = u;
    char *nd = realloc(b->data, b->len + s * n + 1);
    if (!nd) return 0;
    memcpy(nd + b->len, p, s * n);
    b->data = nd;
    b->len += s * n;
    b->data[b->len] = '\0';
    return s * n;
}

/* A browser-like console client: its own cookie jar and CSRF token. */
typedef struct {
    CURL *c;
    char csrf[80];
} console_t;

static long console_post(console_t *k, const char *path, const char *body, cJSON **json)
{
    char url[200], csrf[120];
    snprintf(url, sizeof url, "%s/console/api/%s", hub.url, path);
    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", k->csrf);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, csrf);
    buf_t b = {0};
    curl_easy_setopt(k->c, CURLOPT_URL, url);
    curl_easy_setopt(k->c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k->c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k->c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(k->c, CURLOPT_WRITEDATA, &b);
    long code = 0;
    if (curl_easy_perform(k->c) == CURLE_OK) curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    if (json) *json = b.data ? cJSON_Parse(b.data) : NULL;
    free(b.data);
    return code;
}

/* A picture (BODY, LEN bytes of TYPE) to /console/api/pictures, as the
 * console's file input sends it. */
static long console_upload(console_t *k, const char *type, const void *body, size_t len, cJSON **json)
{
    char url[200], csrf[120], ct[80];
    snprintf(url, sizeof url, "%s/console/api/pictures", hub.url);
    snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", k->csrf);
    snprintf(ct, sizeof ct, "Content-Type: %s", type);
    struct curl_slist *h = curl_slist_append(NULL, ct);
    h = curl_slist_append(h, csrf);
    buf_t b = {0};
    curl_easy_setopt(k->c, CURLOPT_URL, url);
    curl_easy_setopt(k->c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(k->c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(k->c, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(k->c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(k->c, CURLOPT_WRITEDATA, &b);
    long code = 0;
    if (curl_easy_perform(k->c) == CURLE_OK) curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_setopt(k->c, CURLOPT_POSTFIELDSIZE, -1L);
    curl_slist_free_all(h);
    if (json) *json = b.data ? cJSON_Parse(b.data) : NULL;
    free(b.data);
    return code;
}

static void console_login(console_t *k, const char *name, const char *pw)
{
    k->c = curl_easy_init();
    curl_easy_setopt(k->c, CURLOPT_COOKIEFILE, "");          /* the cookie engine, in memory */
    k->csrf[0] = '\0';
    char body[200];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    cJSON *j = NULL;
    assert_int_equal(console_post(k, "login", body, &j), 200);
    snprintf(k->csrf, sizeof k->csrf, "%s", cJSON_GetObjectItem(j, "csrf")->valuestring);
    cJSON_Delete(j);
}

static void an_alert_reaches_the_kiosk_within_30_s(void **state)
{
    static char url[128], tok[200], key[100];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(key, sizeof key, "content.public_key=%s", pub_key);
    const char *sets[] = {url, tok, key, "ui.locale=zh_CN", "hub.timeout=2", "kiosk.mode=street",
                          "content.group=north", "telemetry.heartbeat=10", "content.poll_interval=300", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    /* The kiosk is known to the hub (its first heartbeat) before staff act. */
    WAIT_FOR(app, hubproc_sql_int(&hub, "SELECT count(*) FROM heartbeats WHERE device = 'demo-01'") > 0, 15000);
    assert_int_equal(app_test_text_shown(app, ALERT_TITLE), 0);

    console_t boss, wang;
    console_login(&boss, "boss", "admin-password-1");
    assert_int_equal(console_post(&boss, "kiosks/demo-01/group", "{\"group\":\"north\"}", NULL), 200);
    console_login(&wang, "wang", "publisher-pw-1");
    int64_t t0 = mono_ms();
    cJSON *j = NULL;
    assert_int_equal(console_post(&wang, "alerts", "{\"title\":\"" ALERT_TITLE "\",\"body\":\"请勿外出，远离河道\","
                                                   "\"minutes\":60,\"groups\":[\"north\"]}", &j), 201);
    cJSON_Delete(j);
    WAIT_FOR(app, app_test_text_shown(app, ALERT_TITLE), 30000);
    int64_t took = mono_ms() - t0;
    if (!app_test_text_shown(app, ALERT_TITLE)) {
        char v[64] = "";
        hubproc_sql_text(&hub, "SELECT coalesce(group_concat(version || ':' || groups), '-') FROM content_bundles", v, sizeof v);
        print_message("not shown: bundles %s; reload command done %lld; kiosk content version \"%s\"\n", v,
                      hubproc_sql_int(&hub, "SELECT count(*) FROM commands WHERE kind = 'reload_content' AND done IS NOT NULL"),
                      app->content_version);
    }
    assert_true(app_test_text_shown(app, ALERT_TITLE));
    print_message("alert on screen after %lld ms (limit 30000)\n", (long long)took);
    assert_true(took < 30000);

    assert_int_equal(console_post(&wang, "alerts/1/withdraw", "{}", NULL), 200);
    t0 = mono_ms();
    WAIT_FOR(app, !app_test_text_shown(app, ALERT_TITLE), 30000);
    took = mono_ms() - t0;
    assert_false(app_test_text_shown(app, ALERT_TITLE));
    print_message("alert off the screen after %lld ms\n", (long long)took);
    curl_easy_cleanup(boss.c);
    curl_easy_cleanup(wang.c);
    harness_free(app);
}

/* The picture's colour: no theme of the kiosk draws it. */
#define PIC_R 0xe0
#define PIC_G 0x10
#define PIC_B 0xc8

static bool notice_in_store(app_t *app, const char *title)
{
    for (int i = 0; i < app->n_notices; i++)
        if (strstr(app->notices[i].title, title)) return true;
    return false;
}

/* Pixels of PNG file PATH within 4 of the picture's colour. */
static long colour_count(const char *path)
{
    SDL_Surface *raw = IMG_Load(path);
    assert_non_null(raw);
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_RGB888, 0);
    SDL_FreeSurface(raw);
    assert_non_null(s);
    long n = 0;
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch);
        for (int x = 0; x < s->w; x++) {
            int r = (int)(row[x] >> 16 & 0xff), g = (int)(row[x] >> 8 & 0xff), b = (int)(row[x] & 0xff);
            n += abs(r - PIC_R) <= 4 && abs(g - PIC_G) <= 4 && abs(b - PIC_B) <= 4;
        }
    }
    SDL_FreeSurface(s);
    return n;
}

/* The current frame as a PNG at PATH. */
static void save_frame(app_t *app, const char *path)
{
    app_build(app);
    ui_render_frame(app->render, app->frame);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, app->w, app->h, 32, SDL_PIXELFORMAT_ARGB8888);
    assert_non_null(s);
    assert_int_equal(SDL_RenderReadPixels(app->ren, NULL, SDL_PIXELFORMAT_ARGB8888, s->pixels, s->pitch), 0);
    assert_int_equal(IMG_SavePNG(s, path), 0);
    SDL_FreeSurface(s);
}

static void a_notice_picture_is_on_the_kiosk_screen(void **state)
{
    static char url[128], tok[200], key[100];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(key, sizeof key, "content.public_key=%s", pub_key);
    const char *sets[] = {url, tok, key, "ui.locale=zh_CN", "hub.timeout=2", "kiosk.mode=hall",
                          "content.group=north", "telemetry.heartbeat=10", "content.poll_interval=300", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    WAIT_FOR(app, hubproc_sql_int(&hub, "SELECT count(*) FROM heartbeats WHERE device = 'demo-01'") > 0, 15000);
    console_t boss, wang;
    console_login(&boss, "boss", "admin-password-1");
    assert_int_equal(console_post(&boss, "kiosks/demo-01/group", "{\"group\":\"north\"}", NULL), 200);

    /* The picture, as a phone or a scanner would give it: larger than the kiosk needs. */
    char png[128], frame[256];
    snprintf(png, sizeof png, "%s/poster.png", tmp);
    SDL_Surface *pic = SDL_CreateRGBSurfaceWithFormat(0, 2400, 1200, 24, SDL_PIXELFORMAT_RGB24);
    assert_non_null(pic);
    SDL_FillRect(pic, NULL, SDL_MapRGB(pic->format, PIC_R, PIC_G, PIC_B));
    assert_int_equal(IMG_SavePNG(pic, png), 0);
    SDL_FreeSurface(pic);
    FILE *fp = fopen(png, "rb");
    assert_non_null(fp);
    static char bytes[1 << 20];
    size_t n = fread(bytes, 1, sizeof bytes, fp);
    fclose(fp);
    assert_true(n > 0 && n < sizeof bytes);

    console_login(&wang, "wang", "publisher-pw-1");
    cJSON *j = NULL;
    assert_int_equal(console_upload(&wang, "image/png", bytes, n, &j), 201);
    char sha[65], body[600];
    snprintf(sha, sizeof sha, "%s", cJSON_GetObjectItem(j, "sha256")->valuestring);
    assert_int_equal((int)cJSON_GetObjectItem(j, "width")->valuedouble, 1600);
    cJSON_Delete(j);
    snprintf(body, sizeof body, "{\"title\":\"旧物义卖\",\"body\":\"周日上午，小区北门广场\","
             "\"category\":\"community\",\"days\":7,\"groups\":[\"north\"],\"images\":[\"%s\"]}", sha);
    assert_int_equal(console_post(&wang, "notices", body, &j), 201);
    int id = (int)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "notice"), "id")->valuedouble;
    cJSON_Delete(j);
    char path[64];
    snprintf(path, sizeof path, "notices/%d/approve", id);
    assert_int_equal(console_post(&wang, path, "{}", NULL), 200);
    snprintf(path, sizeof path, "notices/%d/publish", id);
    assert_int_equal(console_post(&wang, path, "{}", NULL), 200);

    /* The heartbeat's reload_content brings the bundle, and the picture with it. */
    WAIT_FOR(app, notice_in_store(app, "旧物义卖"), 45000);
    assert_true(notice_in_store(app, "旧物义卖"));
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    struct info_state *s = app->info;
    int at = -1;
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->items[i].title, "旧物义卖")) at = i;
    assert_true(at >= 0);
    assert_true(s->items[at].image[0]);               /* on the kiosk's disk */
    SDL_Surface *kept = IMG_Load(s->items[at].image);
    assert_non_null(kept);
    assert_int_equal(kept->w, 1600);
    assert_int_equal(kept->h, 800);
    SDL_FreeSurface(kept);
    s->cur = s->items[at];
    app_go(app, SCR_NOTICE);
    app_build(app);
    assert_non_null(ui_find(app->frame, "notice.image"));
    snprintf(frame, sizeof frame, "%s/console", harness_build_dir());
    mkdir(frame, 0755);
    snprintf(frame, sizeof frame, "%s/console/kiosk-notice-picture.png", harness_build_dir());
    save_frame(app, frame);
    long found = colour_count(frame);
    print_message("the picture's colour covers %ld pixels of the kiosk's notice screen (%s)\n", found, frame);
    assert_true(found > 20000);                       /* a picture, not a stray pixel */
    curl_easy_cleanup(boss.c);
    curl_easy_cleanup(wang.c);
    harness_free(app);
}

/* The street screen shows content item ID, picked by a playlist. */
static bool street_plays(const app_t *app, long id)
{
    sched_what_t what;
    const street_item_t *it = street_shown(app, &what);
    return it && what == SCHED_ITEM && it->id == id;
}

static void a_playlist_plays_on_a_signed_street_kiosk(void **state)
{
    static char url[128], tok[200], key[100];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(key, sizeof key, "content.public_key=%s", pub_key);
    const char *sets[] = {url, tok, key, "ui.locale=zh_CN", "hub.timeout=2", "kiosk.mode=street",
                          "content.group=north", "telemetry.heartbeat=10", "content.poll_interval=300", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    WAIT_FOR(app, hubproc_sql_int(&hub, "SELECT count(*) FROM heartbeats WHERE device = 'demo-01'") > 0, 15000);
    assert_false(street_plays(app, COPY_ID_BASE + PLAYED_ID));
    console_t boss, wang;
    console_login(&boss, "boss", "admin-password-1");
    assert_int_equal(console_post(&boss, "kiosks/demo-01/group", "{\"group\":\"north\"}", NULL), 200);
    console_login(&wang, "wang", "publisher-pw-1");
    cJSON *j = NULL;
    char body[300], path[64];
    snprintf(body, sizeof body, "{\"name\":\"北区街屏\",\"priority\":50,\"groups\":[\"north\"],\"schedule\":{},"
             "\"items\":[{\"content_id\":%ld,\"duration_s\":30}]}", PLAYED_ID);
    assert_int_equal(console_post(&wang, "playlists", body, &j), 201);
    int id = (int)cJSON_GetObjectItem(cJSON_GetObjectItem(j, "playlist"), "id")->valuedouble;
    cJSON_Delete(j);
    snprintf(path, sizeof path, "playlists/%d/publish", id);
    assert_int_equal(console_post(&wang, path, "{}", NULL), 200);

    /* The heartbeat's reload_content brings the signed bundle with the
     * playlist; the screen takes it up when the item it shows has had its
     * time (the UI clock is the harness's: moved on by hand). */
    long long v = hubproc_sql_int(&hub, "SELECT max(version) FROM content_bundles");
    int64_t t0 = mono_ms();
    WAIT_FOR(app, atoll(app->content_version + (app->content_version[0] == 'v')) >= v, 45000);
    print_message("the playlist's bundle v%lld in use on the signed street kiosk after %lld ms\n", v,
                  (long long)(mono_ms() - t0));
    app_test_advance(app, 60000);
    if (!street_plays(app, COPY_ID_BASE + PLAYED_ID)) {
        sched_what_t what;
        const street_item_t *it = street_shown(app, &what);
        print_message("not played: kiosk content version \"%s\" (hub v%lld), shows %ld (%d)\n",
                      app->content_version, v, it ? it->id : 0L, (int)what);
    }
    assert_true(street_plays(app, COPY_ID_BASE + PLAYED_ID));

    /* Withdrawn: the next bundle has neither the playlist nor its copy. */
    snprintf(path, sizeof path, "playlists/%d/withdraw", id);
    assert_int_equal(console_post(&wang, path, "{}", NULL), 200);
    v = hubproc_sql_int(&hub, "SELECT max(version) FROM content_bundles");
    WAIT_FOR(app, atoll(app->content_version + (app->content_version[0] == 'v')) >= v, 45000);
    app_test_advance(app, 60000);
    assert_false(street_plays(app, COPY_ID_BASE + PLAYED_ID));
    sched_what_t what;
    const street_item_t *it = street_shown(app, &what);
    assert_true(!it || it->id != COPY_ID_BASE + PLAYED_ID);
    curl_easy_cleanup(boss.c);
    curl_easy_cleanup(wang.c);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_alert_reaches_the_kiosk_within_30_s),
        cmocka_unit_test(a_notice_picture_is_on_the_kiosk_screen),
        cmocka_unit_test(a_playlist_plays_on_a_signed_street_kiosk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
