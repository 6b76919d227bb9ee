/* Events, lectures, library items and service guides written in the staff
 * console: who may write, approve, publish, withdraw and change places (an
 * editor writes drafts, a publisher does the rest, each only for the
 * account's kiosk groups, every change with its CSRF token), the strict
 * check of every field naming it, each kind reaching only its groups'
 * kiosks through GET /v1/content, an event's registrations after
 * publishing, places never below the people registered, withdrawal, the
 * change log, and the optional English: a row of locale en next to the
 * Chinese one, sharing its one pool of places. Requests go through hub_handle (no socket) on a hub with
 * its own database and its clock anchored (hubtest.h); every date is
 * computed from the hub's clock, never read from the machine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db.h"
#include "consoletest.h"
#include "hubtest.h"
#include "server.h"
#include "staff.h"

#define ADMIN_PW "correct horse battery"
#define EDITOR_PW "editor-password-1"
#define PUB_PW "publisher-pw-1"
#define VIEWER_PW "viewer-password-1"
#define DAY 86400

typedef struct {
    hubtest_t *t;
    consoletest_sess_t boss, ed, pub, vic, spub;
} fx_t;

static hub_resp_t call(fx_t *f, const char *method, const char *path, const char *body,
                       const consoletest_sess_t *s, bool csrf)
{
    return consoletest_call_as(f->t->hub, method, path, body, s, csrf);
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    consoletest_add("boss", STAFF_ADMIN, NULL, ADMIN_PW);
    consoletest_add("ed", STAFF_EDITOR, "north", EDITOR_PW);
    consoletest_add("pub", STAFF_PUBLISHER, "north", PUB_PW);
    consoletest_add("vic", STAFF_VIEWER, "south", VIEWER_PW);
    consoletest_add("spub", STAFF_PUBLISHER, "south", PUB_PW);
    f->boss = consoletest_login(f->t->hub, "boss", ADMIN_PW);
    f->ed = consoletest_login(f->t->hub, "ed", EDITOR_PW);
    f->pub = consoletest_login(f->t->hub, "pub", PUB_PW);
    f->vic = consoletest_login(f->t->hub, "vic", VIEWER_PW);
    f->spub = consoletest_login(f->t->hub, "spub", PUB_PW);
    consoletest_kiosk_group(f->t->hub, &f->boss, "test-01", "north");
    consoletest_kiosk_group(f->t->hub, &f->boss, "test-02", "south");
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

/* The China date DAYS days from the hub's now ("YYYY-MM-DD"). */
static const char *china_date(int days, char out[16])
{
    time_t t = (time_t)(hub_now() + 8 * 3600 + (int64_t)days * DAY);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    return out;
}

/* The Unix time of China date DAYS from now at HH:MM. */
static long long china_time(int days, int hh, int mm)
{
    long long local = hub_now() + 8 * 3600 + (long long)days * DAY;
    return local - local % DAY + hh * 3600LL + mm * 60LL - 8 * 3600;
}

/* An event body for NORTH: starts in 3 days at 14:30, PLACES (0: none). */
static const char *event_body(char *buf, size_t len, const char *title, int places)
{
    char d[16], pl[32] = "";
    if (places) snprintf(pl, sizeof pl, ",\"places\":%d", places);
    snprintf(buf, len, "{\"kind\":\"event\",\"title\":\"%s\",\"body\":\"周六下午在活动室\",\"category\":\"culture\","
                       "\"groups\":[\"north\"],\"starts\":\"%s 14:30\"%s}", title, china_date(3, d), pl);
    return buf;
}

/* POST BODY to PATH as S, wanting STATUS; the number at DOTTED in the answer. */
static long long post_num(fx_t *f, const char *path, const char *body, const consoletest_sess_t *s, int status,
                          const char *dotted)
{
    hub_resp_t r = call(f, "POST", path, body, s, true);
    if (r.status != status) fail_msg("%s: wanted %d, got %d %s", path, status, r.status, r.body);
    cJSON *j = cJSON_Parse(r.body);
    const cJSON *v = hubtest_at(j, dotted);
    long long n = cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
    cJSON_Delete(j);
    free(r.body);
    return n;
}

/* Writes BODY as ed, approves and publishes it as pub; the item's content id. */
static long long publish(fx_t *f, const char *body)
{
    char path[80];
    long long id = post_num(f, "/console/api/items", body, &f->ed, 201, "item.id");
    snprintf(path, sizeof path, "/console/api/items/%lld/approve", id);
    post_num(f, path, "{}", &f->pub, 200, "item.id");
    snprintf(path, sizeof path, "/console/api/items/%lld/publish", id);
    return post_num(f, path, "{}", &f->pub, 200, "item.content_id");
}

/* GET PATH as kiosk TOKEN: the answer (the caller frees it). */
static hubtest_resp_t kiosk(fx_t *f, const char *token, const char *path)
{
    return hubtest_req(f->t, "GET", path, token, NULL, NULL, NULL);
}

/* The number of items in the kiosk TOKEN's GET PATH. */
static int n_items(fx_t *f, const char *token, const char *path)
{
    hubtest_resp_t k = kiosk(f, token, path);
    assert_int_equal(k.status, 200);
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(k.json, "items"));
    hubtest_free(&k);
    return n;
}

static hubtest_resp_t reg(fx_t *f, long long cid, const char *phone)
{
    char path[80], body[120];
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", cid);
    snprintf(body, sizeof body, "{\"name\":\"王小明\",\"phone\":\"%s\"}", phone);
    return hubtest_post(f->t, path, body);
}

/* ---- roles, states, registrations, withdrawal, change log ------------------ */

static void test_event_workflow(void **state)
{
    fx_t *f = *state;
    char b[1024];
    event_body(b, sizeof b, "书法班", 2);
    consoletest_expect(call(f, "POST", "/console/api/items", b, &f->vic, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items", b, &f->ed, false), 403, "csrf", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items", b, NULL, false), 401, NULL, NULL);
    hub_resp_t r = call(f, "POST", "/console/api/items", b, &f->ed, true);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"state\":\"draft\""));
    assert_non_null(strstr(r.body, "\"author\":\"ed\""));
    assert_non_null(strstr(r.body, "\"places\":2"));
    free(r.body);

    /* An editor cannot approve or publish; a draft is not published unapproved. */
    consoletest_expect(call(f, "POST", "/console/api/items/1/approve", "{}", &f->ed, true), 403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/1/approve", "{}", &f->ed, false), 403, "csrf", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/1/publish", "{}", &f->pub, true),
                       409, "wrong_state", "approved");
    consoletest_expect(call(f, "POST", "/console/api/items/1/withdraw", "{}", &f->pub, true), 409, "wrong_state", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/1/delete", "{}", &f->pub, true), 404, "not_found", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/9/approve", "{}", &f->pub, true), 404, "not_found", NULL);
    /* A publisher of another district does not touch it. */
    consoletest_expect(call(f, "POST", "/console/api/items/1/approve", "{}", &f->spub, true), 403, "forbidden", NULL);
    r = call(f, "POST", "/console/api/items/1/approve", "{}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"approved_by\":\"pub\""));
    free(r.body);
    /* Edited, an approved item is a draft again. */
    event_body(b, sizeof b, "书法班（改）", 2);
    r = call(f, "POST", "/console/api/items/1", b, &f->ed, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"draft\""));
    assert_non_null(strstr(r.body, "\"approved_by\":null"));
    free(r.body);
    consoletest_expect(call(f, "POST", "/console/api/items/1/publish", "{}", &f->pub, true), 409, "wrong_state", NULL);
    assert_int_equal(post_num(f, "/console/api/items/1/approve", "{}", &f->pub, 200, "item.id"), 1);
    long long cid = post_num(f, "/console/api/items/1/publish", "{}", &f->pub, 200, "item.content_id");
    assert_true(cid > 0);
    consoletest_expect(call(f, "POST", "/console/api/items/1", b, &f->ed, true), 409, "wrong_state", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/1/publish", "{}", &f->pub, true), 409, "wrong_state", NULL);

    /* North's kiosk has it, with its places and start; south's does not. */
    hubtest_resp_t k = kiosk(f, f->t->token, "/v1/content?kind=event");
    assert_int_equal(k.status, 200);
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_non_null(it);
    assert_string_equal(hubtest_at(it, "title")->valuestring, "书法班（改）");
    assert_string_equal(hubtest_at(it, "category")->valuestring, "culture");
    assert_int_equal((long long)hubtest_at(it, "places")->valuedouble, 2);
    assert_int_equal((long long)hubtest_at(it, "left")->valuedouble, 2);
    assert_int_equal((long long)hubtest_at(it, "starts")->valuedouble, china_time(3, 14, 30));
    /* No expiry date given: it shows until the end of the day it starts. */
    assert_int_equal((long long)hubtest_at(it, "expires")->valuedouble, china_time(4, 0, 0) - 1);
    hubtest_free(&k);
    assert_int_equal(n_items(f, f->t->token2, "/v1/content?kind=event"), 0);

    /* Registrations through the kiosk API. */
    hubtest_resp_t g = reg(f, cid, "13812345678");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 1);
    hubtest_free(&g);
    g = reg(f, cid, "13812340000");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 0);
    hubtest_free(&g);
    g = reg(f, cid, "13812341111");
    assert_int_equal(g.status, 409);
    hubtest_free(&g);

    /* Places: never below the two registered; more opens the list again. */
    consoletest_expect(call(f, "POST", "/console/api/items/1/places", "{\"places\":1}", &f->pub, true),
                       409, "places_taken", "2 people");
    consoletest_expect(call(f, "POST", "/console/api/items/1/places", "{\"places\":3}", &f->ed, true),
                       403, "forbidden", NULL);
    consoletest_expect(call(f, "POST", "/console/api/items/1/places", "{\"places\":0}", &f->pub, true),
                       422, "invalid_field", "places");
    consoletest_expect(call(f, "POST", "/console/api/items/1/places", "{\"places\":2.5}", &f->pub, true),
                       422, "invalid_field", "places");
    r = call(f, "POST", "/console/api/items/1/places", "{\"places\":3}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"places\":3"));
    assert_non_null(strstr(r.body, "\"registered\":2"));
    assert_non_null(strstr(r.body, "\"state\":\"published\""));
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT places FROM content WHERE id = (SELECT content_id FROM console_items"
                                         " WHERE id = 1)", NULL, 0), 3);
    g = reg(f, cid, "13812341111");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 0);
    hubtest_free(&g);
    post_num(f, "/console/api/items/1/places", "{\"places\":3}", &f->pub, 200, "item.id");

    /* The list: a viewer of another district does not see it. */
    r = call(f, "GET", "/console/api/items", NULL, &f->vic, false);
    assert_string_equal(r.body, "{\"items\":[]}");
    free(r.body);
    r = call(f, "GET", "/console/api/items", NULL, &f->ed, false);
    assert_non_null(strstr(r.body, "书法班（改）"));
    free(r.body);

    /* Withdrawn: gone from the kiosk, by id too; registering is refused. */
    consoletest_expect(call(f, "POST", "/console/api/items/1/withdraw", "{}", &f->ed, true), 403, "forbidden", NULL);
    r = call(f, "POST", "/console/api/items/1/withdraw", "{}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"withdrawn\""));
    free(r.body);
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=event"), 0);
    char path[64];
    snprintf(path, sizeof path, "/v1/content/%lld", cid);
    k = kiosk(f, f->t->token, path);
    assert_int_equal(k.status, 404);
    hubtest_free(&k);
    g = reg(f, cid, "13812342222");
    assert_int_equal(g.status, 404);
    hubtest_free(&g);
    consoletest_expect(call(f, "POST", "/console/api/items/1/places", "{\"places\":9}", &f->pub, true),
                       409, "wrong_state", NULL);

    /* Every step is in the change log, with who did it, before and after. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 1'", NULL, 0), 8);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 1'"
                                         " AND action = 'item_create' AND staff = 'ed' AND before IS NULL"
                                         " AND after LIKE '%\"state\":\"draft\"%'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 1'"
                                         " AND action = 'item_publish' AND staff = 'pub'"
                                         " AND before LIKE '%\"state\":\"approved\"%'"
                                         " AND after LIKE '%\"state\":\"published\"%'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 1'"
                                         " AND action = 'item_places' AND before LIKE '%\"places\":2,%'"
                                         " AND after LIKE '%\"places\":3,%'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 1'"
                                         " AND action IN ('item_edit', 'item_approve', 'item_withdraw')", NULL, 0), 4);
}

/* ---- each kind reaches its groups' kiosks only ----------------------------- */

static void test_kinds(void **state)
{
    fx_t *f = *state;
    char b[2048], d[16], e[16];
    /* A lecture without places: open to all, nothing to register. */
    snprintf(b, sizeof b, "{\"kind\":\"lecture\",\"title\":\"防诈骗讲座\",\"body\":\"民警讲解\",\"category\":\"safety\","
                          "\"groups\":[\"north\"],\"starts\":\"%s 09:00\",\"expires\":\"%s\",\"pinned\":true,"
                          "\"places\":null}", china_date(2, d), china_date(5, e));
    long long lecture = publish(f, b);
    snprintf(b, sizeof b, "{\"kind\":\"library\",\"title\":\"新书上架\",\"body\":\"本月新到图书50册\",\"category\":\"books\","
                          "\"groups\":[\"north\"],\"published\":\"%s\"}", china_date(0, d));
    long long library = publish(f, b);
    snprintf(b, sizeof b, "{\"kind\":\"guide\",\"title\":\"社保卡补办\",\"body\":\"先挂失再补办\",\"category\":\"one_stop\","
                          "\"groups\":[\"north\"],\"data\":{\"steps\":[\"挂失\",\"提交申请\"],\"bring\":[\"身份证\"],"
                          "\"where\":\"一楼社保窗口\",\"hours\":\"周一至周五\",\"phone\":\"6123 4503\",\"fee\":\"免费\"}}");
    long long guide = publish(f, b);
    /* South's publisher publishes a library item for south only. */
    snprintf(b, sizeof b, "{\"kind\":\"library\",\"title\":\"南区开放时间\",\"body\":\"周日闭馆\",\"category\":\"hours\","
                          "\"groups\":[\"south\"]}");
    long long sid = post_num(f, "/console/api/items", b, &f->boss, 201, "item.id");
    char path[80];
    snprintf(path, sizeof path, "/console/api/items/%lld", sid);
    snprintf(b, sizeof b, "{\"kind\":\"library\",\"title\":\"北区\",\"body\":\"b\",\"category\":\"hours\","
                          "\"groups\":[\"north\"]}");
    consoletest_expect(call(f, "POST", path, b, &f->ed, true), 403, "forbidden", "not yours");
    snprintf(path, sizeof path, "/console/api/items/%lld/approve", sid);
    consoletest_expect(call(f, "POST", path, "{}", &f->pub, true), 403, "forbidden", NULL);
    post_num(f, path, "{}", &f->spub, 200, "item.id");
    snprintf(path, sizeof path, "/console/api/items/%lld/publish", sid);
    long long south = post_num(f, path, "{}", &f->spub, 200, "item.content_id");

    hubtest_resp_t k = kiosk(f, f->t->token, "/v1/content?kind=lecture");
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_int_equal((long long)hubtest_at(it, "id")->valuedouble, lecture);
    assert_true(cJSON_IsTrue(hubtest_at(it, "pinned")));
    assert_null(hubtest_at(it, "places"));
    assert_int_equal((long long)hubtest_at(it, "expires")->valuedouble, china_time(6, 0, 0) - 1);
    hubtest_free(&k);
    hubtest_resp_t g = reg(f, lecture, "13812345678");
    assert_int_equal(g.status, 404);
    hubtest_free(&g);

    k = kiosk(f, f->t->token, "/v1/content?kind=library");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(k.json, "items")), 1);
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_int_equal((long long)hubtest_at(it, "id")->valuedouble, library);
    assert_string_equal(hubtest_at(it, "category")->valuestring, "books");
    assert_null(hubtest_at(it, "expires"));
    hubtest_free(&k);

    k = kiosk(f, f->t->token, "/v1/content?kind=guide&category=one_stop");
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_int_equal((long long)hubtest_at(it, "id")->valuedouble, guide);
    char *dt = cJSON_PrintUnformatted(hubtest_at(it, "data"));
    assert_string_equal(dt, "{\"steps\":[\"挂失\",\"提交申请\"],\"bring\":[\"身份证\"],\"where\":\"一楼社保窗口\","
                            "\"hours\":\"周一至周五\",\"phone\":\"6123 4503\",\"fee\":\"免费\"}");
    free(dt);
    hubtest_free(&k);

    /* South's kiosk: only south's item, none of north's, not by id either. */
    assert_int_equal(n_items(f, f->t->token2, "/v1/content?kind=lecture"), 0);
    assert_int_equal(n_items(f, f->t->token2, "/v1/content?kind=guide"), 0);
    k = kiosk(f, f->t->token2, "/v1/content?kind=library");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(k.json, "items")), 1);
    assert_int_equal((long long)hubtest_at(cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0), "id")->valuedouble,
                     south);
    hubtest_free(&k);
    snprintf(path, sizeof path, "/v1/content/%lld", guide);
    k = kiosk(f, f->t->token2, path);
    assert_int_equal(k.status, 404);
    hubtest_free(&k);
    k = kiosk(f, f->t->token, path);
    assert_int_equal(k.status, 200);
    hubtest_free(&k);
    /* Written without English: the English list has none of them. */
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=guide&locale=en"), 0);
}

/* ---- English next to Chinese: one pool of places ---------------------------- */

/* The kiosk TOKEN's GET PATH: its only item's NUMBER (-1: not one item, or no such number). */
static long long only_item(fx_t *f, const char *token, const char *path, const char *number)
{
    hubtest_resp_t k = kiosk(f, token, path);
    assert_int_equal(k.status, 200);
    const cJSON *items = cJSON_GetObjectItem(k.json, "items"), *v = hubtest_at(cJSON_GetArrayItem(items, 0), number);
    long long n = cJSON_GetArraySize(items) == 1 && cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
    hubtest_free(&k);
    return n;
}

static void test_english(void **state)
{
    fx_t *f = *state;
    char b[2048], d[16];
    snprintf(b, sizeof b, "{\"kind\":\"event\",\"title\":\"书法班\",\"body\":\"周六下午在活动室\",\"category\":\"culture\","
                          "\"groups\":[\"north\"],\"starts\":\"%s 14:30\",\"places\":2,\"title_en\":\"Calligraphy class\","
                          "\"body_en\":\"Saturday afternoon in the activity room\"}", china_date(3, d));
    long long id = post_num(f, "/console/api/items", b, &f->ed, 201, "item.id");
    /* Kept with the draft, shown in the list. */
    hub_resp_t r = call(f, "GET", "/console/api/items", NULL, &f->ed, false);
    assert_non_null(strstr(r.body, "\"title_en\":\"Calligraphy class\""));
    assert_non_null(strstr(r.body, "\"body_en\":\"Saturday afternoon in the activity room\""));
    free(r.body);
    char path[96];
    snprintf(path, sizeof path, "/console/api/items/%lld/approve", id);
    post_num(f, path, "{}", &f->pub, 200, "item.id");
    snprintf(path, sizeof path, "/console/api/items/%lld/publish", id);
    r = call(f, "POST", path, "{}", &f->pub, true);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    long long zh = (long long)hubtest_at(j, "item.content_id")->valuedouble;
    long long en = (long long)hubtest_at(j, "item.content_en_id")->valuedouble;
    cJSON_Delete(j);
    free(r.body);
    assert_true(zh > 0 && en > 0 && en != zh);

    /* Each language's list has its own row, with the same places. */
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event", "id"), zh);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event&locale=en", "id"), en);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event&locale=en", "places"), 2);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event&locale=en", "starts"), china_time(3, 14, 30));
    hubtest_resp_t k = kiosk(f, f->t->token, "/v1/content?kind=event&locale=en");
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_string_equal(hubtest_at(it, "title")->valuestring, "Calligraphy class");
    assert_string_equal(hubtest_at(it, "locale")->valuestring, "en");
    assert_string_equal(hubtest_at(it, "category")->valuestring, "culture");
    hubtest_free(&k);
    assert_int_equal(n_items(f, f->t->token2, "/v1/content?kind=event&locale=en"), 0);     /* south: not its group */

    /* One pool: a place through Chinese, one through English; the third is refused in both. */
    hubtest_resp_t g = reg(f, zh, "13812345678");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 1);
    hubtest_free(&g);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event&locale=en", "left"), 1);
    g = reg(f, en, "13812340000");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 0);
    assert_int_equal((long long)hubtest_at(g.json, "registration.content_id")->valuedouble, en);
    assert_string_equal(hubtest_at(g.json, "registration.phone")->valuestring, "138****0000");
    assert_null(strstr(hubtest_at(g.json, "registration.name")->valuestring, "小明"));
    hubtest_free(&g);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event", "left"), 0);
    g = reg(f, zh, "13812341111");
    assert_int_equal(g.status, 409);
    hubtest_free(&g);
    g = reg(f, en, "13812341111");
    assert_int_equal(g.status, 409);
    hubtest_free(&g);
    assert_int_equal(db_int(db_thread(), "SELECT registered FROM content WHERE id = (SELECT content_id FROM console_items"
                                         " WHERE kind = 'event')", NULL, 0), 2);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM event_registrations", NULL, 0), 2);
    /* Places for both at once; a phone registered in one language keeps its one place in the other. */
    snprintf(path, sizeof path, "/console/api/items/%lld/places", id);
    r = call(f, "POST", path, "{\"places\":3}", &f->pub, true);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"registered\":2"));
    free(r.body);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=event&locale=en", "left"), 1);
    g = reg(f, en, "13812345678");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 1);
    hubtest_free(&g);
    g = reg(f, zh, "13812340000");
    assert_int_equal(g.status, 201);
    assert_int_equal((int)hubtest_at(g.json, "left")->valuedouble, 1);
    hubtest_free(&g);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM event_registrations", NULL, 0), 2);

    /* A guide's English carries its English data. */
    snprintf(b, sizeof b, "{\"kind\":\"guide\",\"title\":\"社保卡补办\",\"body\":\"先挂失再补办\",\"category\":\"one_stop\","
                          "\"groups\":[\"north\"],\"data\":{\"steps\":[\"挂失\"],\"fee\":\"免费\"},"
                          "\"title_en\":\"Replacing a social security card\",\"body_en\":\"Report it lost first\","
                          "\"data_en\":{\"steps\":[\"Report the card lost\"],\"bring\":[\"ID card\"],\"where\":\"Window 3\","
                          "\"hours\":\"Mon-Fri\",\"phone\":\"6123 4503\",\"fee\":\"Free\"}}");
    long long guide = publish(f, b);
    k = kiosk(f, f->t->token, "/v1/content?kind=guide&locale=en");
    it = cJSON_GetArrayItem(cJSON_GetObjectItem(k.json, "items"), 0);
    assert_non_null(it);
    assert_string_equal(hubtest_at(it, "title")->valuestring, "Replacing a social security card");
    char *dt = cJSON_PrintUnformatted(hubtest_at(it, "data"));
    assert_string_equal(dt, "{\"steps\":[\"Report the card lost\"],\"bring\":[\"ID card\"],\"where\":\"Window 3\","
                            "\"hours\":\"Mon-Fri\",\"phone\":\"6123 4503\",\"fee\":\"Free\"}");
    free(dt);
    hubtest_free(&k);
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=guide", "id"), guide);
    /* The English guide row has no places: a guide takes no registrations in any language. */
    assert_int_equal(only_item(f, f->t->token, "/v1/content?kind=guide&locale=en", "places"), -1);

    /* Withdrawn: both rows leave, by id too; registering through either is refused. */
    snprintf(path, sizeof path, "/console/api/items/%lld/withdraw", id);
    post_num(f, path, "{}", &f->pub, 200, "item.id");
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=event"), 0);
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=event&locale=en"), 0);
    snprintf(path, sizeof path, "/v1/content/%lld", en);
    k = kiosk(f, f->t->token, path);
    assert_int_equal(k.status, 404);
    hubtest_free(&k);
    g = reg(f, en, "13812342222");
    assert_int_equal(g.status, 404);
    hubtest_free(&g);
    g = reg(f, zh, "13812342222");
    assert_int_equal(g.status, 404);
    hubtest_free(&g);
}

/* ---- dates: shown from the published date, gone after the expiry date ------ */

static void test_dates(void **state)
{
    fx_t *f = *state;
    char b[1024], d[16], e[16];
    snprintf(b, sizeof b, "{\"kind\":\"library\",\"title\":\"寒假开放\",\"body\":\"寒假期间每天开放\",\"category\":\"hours\","
                          "\"groups\":[\"north\"],\"published\":\"%s\",\"expires\":\"%s\"}", china_date(2, d), china_date(4, e));
    long long cid = publish(f, b);
    assert_int_equal(db_int(db_thread(), "SELECT published FROM content WHERE id = 1", NULL, 0), china_time(2, 0, 0));
    assert_true(cid == 1);
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=library"), 0);
    hub_time_shift(2 * DAY);
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=library"), 1);
    hub_time_shift(3 * DAY);
    assert_int_equal(n_items(f, f->t->token, "/v1/content?kind=library"), 0);
    /* A draft whose last day has passed is not published. */
    hub_time_shift(-5 * DAY);
    post_num(f, "/console/api/items", b, &f->ed, 201, "item.id");
    post_num(f, "/console/api/items/2/approve", "{}", &f->pub, 200, "item.id");
    hub_time_shift(5 * DAY);
    f->pub = consoletest_login(f->t->hub, "pub", PUB_PW);      /* days later: the session has ended */
    consoletest_expect(call(f, "POST", "/console/api/items/2/publish", "{}", &f->pub, true), 409, "past_expiry", NULL);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'item 2'"
                                         " AND action = 'item_publish'", NULL, 0), 0);
}

/* ---- validation --------------------------------------------------------------- */

static void test_validation(void **state)
{
    fx_t *f = *state;
    char d[16], y[16], later[16], b[6000];
    china_date(3, d);
    china_date(-1, y);
    china_date(1, later);
    static const char *const ok_event = "\"kind\":\"event\",\"title\":\"t\",\"body\":\"b\",\"category\":\"health\",\"groups\":[\"north\"]";
    static const char *const ok_guide = "\"kind\":\"guide\",\"title\":\"t\",\"body\":\"b\",\"category\":\"one_stop\",\"groups\":[\"north\"]";
    struct { char body[700]; const char *code, *field; } bad[50];
    int n = 0;
#define BAD(code_, field_, ...) do { snprintf(bad[n].body, sizeof bad[n].body, __VA_ARGS__); \
                                     bad[n].code = code_; bad[n].field = field_; n++; } while (0)
    BAD("invalid_field", "colour: unknown field", "{%s,\"starts\":\"%s 10:00\",\"colour\":1}", ok_event, d);
    BAD("missing_field", "groups", "{\"kind\":\"event\",\"title\":\"t\",\"body\":\"b\",\"category\":\"health\"}");
    BAD("invalid_field", "kind", "{\"kind\":\"notice\",\"title\":\"t\",\"body\":\"b\",\"category\":\"health\",\"groups\":[\"north\"]}");
    BAD("invalid_field", "title", "{\"kind\":\"library\",\"title\":\"\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"]}");
    BAD("invalid_field", "title", "{\"kind\":\"library\",\"title\":\"a\\nb\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"]}");
    BAD("invalid_field", "body", "{\"kind\":\"library\",\"title\":\"t\",\"body\":7,\"category\":\"books\",\"groups\":[\"north\"]}");
    BAD("invalid_field", "category: for library", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"culture\",\"groups\":[\"north\"]}");
    BAD("invalid_field", "category: for lecture", "{\"kind\":\"lecture\",\"title\":\"t\",\"body\":\"b\",\"category\":\"digital\",\"groups\":[\"north\"],\"starts\":\"%s 10:00\"}", d);
    BAD("invalid_field", "groups", "{%s,\"starts\":\"%s 10:00\",\"groups\":[]}", "\"kind\":\"event\",\"title\":\"t\",\"body\":\"b\",\"category\":\"health\"", d);
    BAD("forbidden", "south", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\",\"south\"]}");
    BAD("missing_field", "starts", "{%s}", ok_event);
    BAD("invalid_field", "starts", "{%s,\"starts\":\"%s\"}", ok_event, d);
    BAD("invalid_field", "starts", "{%s,\"starts\":\"%s 24:00\"}", ok_event, d);
    BAD("invalid_field", "starts", "{%s,\"starts\":\"%sT10:00\"}", ok_event, d);
    BAD("invalid_field", "starts: ", "{%s,\"starts\":\"%s 10:00\"}", ok_event, y);
    BAD("invalid_field", "starts: only events", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"starts\":\"%s 10:00\"}", d);
    BAD("invalid_field", "places: only events", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"places\":3}");
    BAD("invalid_field", "places", "{%s,\"starts\":\"%s 10:00\",\"places\":0}", ok_event, d);
    BAD("invalid_field", "places", "{%s,\"starts\":\"%s 10:00\",\"places\":10001}", ok_event, d);
    BAD("invalid_field", "places", "{%s,\"starts\":\"%s 10:00\",\"places\":\"5\"}", ok_event, d);
    BAD("invalid_field", "published", "{%s,\"starts\":\"%s 10:00\",\"published\":\"2026-02-30\"}", ok_event, d);
    BAD("invalid_field", "published: after the start", "{%s,\"starts\":\"%s 10:00\",\"published\":\"%s\"}", ok_event, later, d);
    BAD("invalid_field", "expires", "{%s,\"starts\":\"%s 10:00\",\"expires\":\"tomorrow\"}", ok_event, d);
    BAD("invalid_field", "expires: before the start", "{%s,\"starts\":\"%s 10:00\",\"expires\":\"%s\"}", ok_event, d, later);
    BAD("invalid_field", "has passed", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"expires\":\"%s\"}", y);
    BAD("invalid_field", "expires: before published", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"published\":\"%s\",\"expires\":\"%s\"}", d, later);
    BAD("invalid_field", "pinned", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"pinned\":1}");
    BAD("invalid_field", "data: only guides", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"data\":{}}");
    BAD("missing_field", "data", "{%s}", ok_guide);
    BAD("invalid_field", "data: an object", "{%s,\"data\":[]}", ok_guide);
    BAD("invalid_field", "data.steps", "{%s,\"data\":{\"where\":\"w\"}}", ok_guide);
    BAD("invalid_field", "data.steps", "{%s,\"data\":{\"steps\":[]}}", ok_guide);
    BAD("invalid_field", "data.steps[1]", "{%s,\"data\":{\"steps\":[\"a\",\"\"]}}", ok_guide);
    BAD("invalid_field", "data.bring[0]", "{%s,\"data\":{\"steps\":[\"a\"],\"bring\":[3]}}", ok_guide);
    BAD("invalid_field", "data.steps", "{%s,\"data\":{\"steps\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\"]}}", ok_guide);
    BAD("invalid_field", "data.colour: unknown", "{%s,\"data\":{\"steps\":[\"a\"],\"colour\":\"red\"}}", ok_guide);
    BAD("invalid_field", "data.fee", "{%s,\"data\":{\"steps\":[\"a\"],\"fee\":\"%0120d\"}}", ok_guide, 0);
    BAD("invalid_field", "data.where", "{%s,\"data\":{\"steps\":[\"a\"],\"where\":\"\"}}", ok_guide);
    BAD("missing_field", "body_en", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"title_en\":\"T\"}");
    BAD("missing_field", "title_en", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"title_en\":\"\",\"body_en\":\"B\"}");
    BAD("invalid_field", "title_en", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"title_en\":\"a\\nb\",\"body_en\":\"B\"}");
    BAD("invalid_field", "body_en", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"title_en\":\"T\",\"body_en\":5}");
    BAD("invalid_field", "data_en: only guides", "{\"kind\":\"library\",\"title\":\"t\",\"body\":\"b\",\"category\":\"books\",\"groups\":[\"north\"],\"title_en\":\"T\",\"body_en\":\"B\",\"data_en\":{}}");
    BAD("missing_field", "data_en", "{%s,\"data\":{\"steps\":[\"a\"]},\"title_en\":\"T\",\"body_en\":\"B\"}", ok_guide);
    BAD("invalid_field", "data_en.steps[0]", "{%s,\"data\":{\"steps\":[\"a\"]},\"title_en\":\"T\",\"body_en\":\"B\",\"data_en\":{\"steps\":[\"\"]}}", ok_guide);
    BAD("invalid_field", "data_en: only with", "{%s,\"data\":{\"steps\":[\"a\"]},\"data_en\":{\"steps\":[\"a\"]}}", ok_guide);
#undef BAD
    for (int i = 0; i < n; i++) {
        hub_resp_t r = call(f, "POST", "/console/api/items", bad[i].body, &f->ed, true);
        if (r.status == 201) fail_msg("#%d accepted: %s", i, bad[i].body);
        consoletest_expect(r, strcmp(bad[i].code, "forbidden") ? 422 : 403, bad[i].code, bad[i].field);
    }
    /* A step of 199 bytes is taken, of 200 refused; data over 2047 bytes of JSON is refused. */
    char line[256];
    memset(line, 'a', 200);
    line[200] = '\0';
    snprintf(b, sizeof b, "{%s,\"data\":{\"steps\":[\"%s\"]}}", ok_guide, line);
    consoletest_expect(call(f, "POST", "/console/api/items", b, &f->ed, true), 422, "invalid_field", "data.steps[0]");
    line[199] = '\0';
    snprintf(b, sizeof b, "{%s,\"data\":{\"steps\":[\"%s\"]}}", ok_guide, line);
    hub_resp_t r = call(f, "POST", "/console/api/items", b, &f->ed, true);
    assert_int_equal(r.status, 201);
    free(r.body);
    size_t o = (size_t)snprintf(b, sizeof b, "{%s,\"data\":{\"steps\":[", ok_guide);
    for (int i = 0; i < 11; i++) o += (size_t)snprintf(b + o, sizeof b - o, "%s\"%s\"", i ? "," : "", line);
    snprintf(b + o, sizeof b - o, "]}}");
    consoletest_expect(call(f, "POST", "/console/api/items", b, &f->ed, true), 422, "invalid_field", "data: ");
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_items", NULL, 0), 1);
    /* An edit is checked the same way, and nothing of it is stored. */
    consoletest_expect(call(f, "POST", "/console/api/items/1", "{\"kind\":\"guide\"}", &f->ed, true),
                       422, "missing_field", NULL);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'item_edit'", NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_workflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
