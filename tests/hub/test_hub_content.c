/* Content, event registration, help requests and heartbeats over a real
 * socket, each test against a freshly seeded demo hub. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "content_cache.h"
#include "db.h"
#include "hubtest.h"

#define DAY (24 * 3600)

static atomic_int key_seq;
static int64_t shifted;             /* undone by teardown even when a test fails */

static int setup(void **state) { *state = hubtest_start(true); return 0; }
static int teardown(void **state)
{
    if (shifted) hub_time_shift(-shifted);
    shifted = 0;
    hubtest_stop(*state);
    return 0;
}

static void shift(int64_t s)
{
    hub_time_shift(s);
    shifted += s;
}

/* POST as TOKEN with a fresh Idempotency-Key. */
static hubtest_resp_t post_as(hubtest_t *t, const char *token, const char *path, const char *body)
{
    char key[40];
    snprintf(key, sizeof key, "hc-%d", atomic_fetch_add(&key_seq, 1));
    return hubtest_req(t, "POST", path, token, key, body, NULL);
}

static hubtest_resp_t list(hubtest_t *t, const char *query)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/content?%s", query);
    return hubtest_get(t, path);
}

static long long num(const cJSON *j, const char *dotted)
{
    const cJSON *v = hubtest_at(j, dotted);
    assert_true(cJSON_IsNumber(v));
    return (long long)v->valuedouble;
}

static const char *str(const cJSON *j, const char *dotted)
{
    const cJSON *v = hubtest_at(j, dotted);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* One number from the hub's database (at most one text parameter). */
static long long db_count(const char *sql, const char *param)
{
    return db_int(db_thread(), sql, param, -1);
}

typedef struct { long long id, left, places, starts; } event_t;

/* The zh_CN event with the fewest places left, at least MIN_LEFT. */
static event_t pick_event(hubtest_t *t, long long min_left)
{
    event_t best = {0};
    hubtest_resp_t r = list(t, "kind=event");
    assert_int_equal(r.status, 200);
    const cJSON *it;
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        long long left = num(it, "left");
        if (left >= min_left && (!best.id || left < best.left))
            best = (event_t){num(it, "id"), left, num(it, "places"), num(it, "starts")};
    }
    hubtest_free(&r);
    assert_true(best.id > 0);
    return best;
}

static long long left_of(hubtest_t *t, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/content/%lld", id);
    hubtest_resp_t r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    long long left = num(r.json, "left");
    hubtest_free(&r);
    return left;
}

static hubtest_resp_t register_as(hubtest_t *t, const char *token, long long id, const char *name,
                                  const char *phone)
{
    char path[64], body[160];
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", id);
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"phone\":\"%s\"}", name, phone);
    return post_as(t, token, path, body);
}

/* ---- content lists ------------------------------------------------------ */

static void lists_per_kind_and_locale(void **state)
{
    hubtest_t *t = *state;
    static const struct { const char *kind; int count; } kinds[] = {
        {"notice", 8}, {"event", 4}, {"library", 4}, {"lecture", 3}, {"guide", 4}, {"playlist", 2},
    };
    static const char *const locales[] = {"zh_CN", "en"};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        char titles[2][64] = {"", ""};
        for (int l = 0; l < 2; l++) {
            char q[64];
            snprintf(q, sizeof q, "kind=%s&locale=%s", kinds[k].kind, locales[l]);
            hubtest_resp_t r = list(t, q);
            assert_int_equal(r.status, 200);
            const cJSON *items = hubtest_at(r.json, "items");
            assert_int_equal(cJSON_GetArraySize(items), kinds[k].count);
            const cJSON *it;
            cJSON_ArrayForEach(it, items) {
                assert_string_equal(str(it, "kind"), kinds[k].kind);
                assert_string_equal(str(it, "locale"), locales[l]);
                assert_true(strlen(str(it, "title")) > 0);
                assert_true(strlen(str(it, "body")) > 0);
            }
            snprintf(titles[l], sizeof titles[l], "%s", str(items, "0.title"));
            hubtest_free(&r);
        }
        assert_string_not_equal(titles[0], titles[1]);
    }
    /* locale defaults to zh_CN, kind to notice; a locale without content is empty. */
    hubtest_resp_t a = list(t, "kind=notice&locale=zh_CN"), b = list(t, "kind=notice"),
                   c = hubtest_get(t, "/v1/content"), d = list(t, "kind=notice&locale=fr");
    assert_string_equal(a.body, b.body);
    assert_string_equal(a.body, c.body);
    assert_int_equal(d.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(d.json, "items")), 0);
    hubtest_free(&a); hubtest_free(&b); hubtest_free(&c); hubtest_free(&d);
}

static void list_order_and_fields(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = list(t, "kind=notice&locale=en");
    const cJSON *items = hubtest_at(r.json, "items"), *it;
    /* Pinned first, then newest first. */
    assert_true(cJSON_IsTrue(hubtest_at(items, "0.pinned")));
    long long prev = -1;
    int i = 0;
    cJSON_ArrayForEach(it, items) {
        if (i++ == 0) continue;
        assert_true(cJSON_IsFalse(hubtest_at(it, "pinned")));
        long long p = num(it, "published");
        if (prev >= 0) assert_true(p <= prev);
        prev = p;
        assert_null(hubtest_at(it, "places"));
        assert_null(hubtest_at(it, "data"));
    }
    hubtest_free(&r);

    r = list(t, "kind=event");
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        assert_true(num(it, "left") <= num(it, "places"));
        assert_true(num(it, "starts") > hub_now());
    }
    hubtest_free(&r);

    /* Lectures: one is open to all (no places, so no left), all have a start. */
    r = list(t, "kind=lecture");
    int open = 0;
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        assert_true(num(it, "starts") > 0);
        if (!hubtest_at(it, "places")) {
            open++;
            assert_null(hubtest_at(it, "left"));
        }
    }
    assert_int_equal(open, 1);
    hubtest_free(&r);

    /* Guides carry data as JSON, not as a string. */
    r = list(t, "kind=guide");
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        assert_true(cJSON_IsObject(hubtest_at(it, "data")));
        assert_true(cJSON_GetArraySize(hubtest_at(it, "data.steps")) > 0);
        assert_true(cJSON_GetArraySize(hubtest_at(it, "data.bring")) > 0);
        assert_true(strlen(str(it, "data.where")) > 0);
        assert_true(strlen(str(it, "data.hours")) > 0);
        assert_true(strlen(str(it, "data.phone")) > 0);
    }
    hubtest_free(&r);

    /* Playlists: items that exist in the same locale, a schedule with a
     * window past midnight somewhere, a date range. */
    r = list(t, "kind=playlist&locale=en");
    int past_midnight = 0;
    const char *screens[2] = {0};
    i = 0;
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        screens[i++] = str(it, "data.screen");
        assert_string_equal(str(it, "data.time_zone"), "Asia/Shanghai");
        const cJSON *pi;
        cJSON_ArrayForEach(pi, hubtest_at(it, "data.items")) {
            assert_true(num(pi, "duration_s") > 0);
            char path[64];
            snprintf(path, sizeof path, "/v1/content/%lld", num(pi, "content_id"));
            hubtest_resp_t c = hubtest_get(t, path);
            assert_int_equal(c.status, 200);
            assert_string_equal(str(c.json, "locale"), "en");
            hubtest_free(&c);
        }
        assert_true(cJSON_GetArraySize(hubtest_at(it, "data.schedule.weekdays")) > 0);
        const cJSON *w;
        cJSON_ArrayForEach(w, hubtest_at(it, "data.schedule.windows"))
            past_midnight += strcmp(str(w, "to"), str(w, "from")) < 0;
        assert_true(strcmp(str(it, "data.schedule.from_date"), str(it, "data.schedule.to_date")) < 0);
    }
    assert_int_equal(i, 2);
    assert_true((!strcmp(screens[0], "hall") && !strcmp(screens[1], "street")) ||
                (!strcmp(screens[0], "street") && !strcmp(screens[1], "hall")));
    assert_true(past_midnight >= 1);
    hubtest_free(&r);
}

static void filters_category_and_since(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = list(t, "kind=notice&category=alert");
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "items")), 1);
    assert_string_equal(str(r.json, "items.0.category"), "alert");
    hubtest_free(&r);
    r = list(t, "kind=notice&category=government");
    const cJSON *it;
    int n = 0;
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) {
        assert_string_equal(str(it, "category"), "government");
        n++;
    }
    assert_true(n >= 2);
    hubtest_free(&r);

    /* since=T: only what was published after T. */
    hubtest_resp_t all = list(t, "kind=notice");
    long long mid = num(all.json, "items.3.published");
    int newer = 0;
    cJSON_ArrayForEach(it, hubtest_at(all.json, "items")) newer += num(it, "published") > mid;
    char q[64];
    snprintf(q, sizeof q, "kind=notice&since=%lld", mid);
    r = list(t, q);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "items")), newer);
    cJSON_ArrayForEach(it, hubtest_at(r.json, "items")) assert_true(num(it, "published") > mid);
    hubtest_free(&r);
    hubtest_free(&all);
}

static void bad_queries_get_422(void **state)
{
    hubtest_t *t = *state;
    static const char *const bad[] = {
        "kind=bogus", "kind=", "kind=NOTICE", "kind=notice&locale=zh-CN",
        "kind=notice&locale=", "kind=notice&locale=en%20US", "kind=notice&category=Alert!",
        "kind=notice&since=abc", "kind=notice&since=-5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hubtest_resp_t r = list(t, bad[i]);
        if (r.status != 422) fail_msg("%s: %d %s", bad[i], r.status, r.body);
        assert_string_equal(hubtest_error_code(&r), "invalid_field");
        hubtest_free(&r);
    }
}

static void expired_items_left_out(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = list(t, "kind=notice&category=alert");
    long long id = num(r.json, "items.0.id"), expires = num(r.json, "items.0.expires");
    hubtest_resp_t before = list(t, "kind=notice");
    hubtest_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/v1/content/%lld", id);

    shift(expires - hub_now() + 1);
    r = list(t, "kind=notice&category=alert");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "items")), 0);
    hubtest_free(&r);
    r = list(t, "kind=notice");
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "items")), 7);
    assert_string_not_equal(r.etag, before.etag);
    hubtest_free(&r);
    r = hubtest_get(t, path);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_content");
    hubtest_free(&r);

    shift(-shifted);
    r = list(t, "kind=notice");
    assert_string_equal(r.body, before.body);
    assert_string_equal(r.etag, before.etag);
    hubtest_free(&r);
    hubtest_free(&before);
}

static void etag_and_304(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t a = list(t, "kind=event");
    assert_true(strlen(a.etag) > 2);
    char inm[120];
    snprintf(inm, sizeof inm, "If-None-Match: %s", a.etag);
    hubtest_resp_t b = hubtest_req(t, "GET", "/v1/content?kind=event", t->token, NULL, NULL, inm);
    assert_int_equal(b.status, 304);
    assert_string_equal(b.body, "");
    hubtest_resp_t c = list(t, "kind=event");
    assert_string_equal(c.etag, a.etag);
    hubtest_free(&b); hubtest_free(&c);

    /* A registration changes "left": the old ETag no longer matches. */
    event_t ev = pick_event(t, 1);
    hubtest_resp_t reg = register_as(t, t->token, ev.id, "Li Lei", "13900000001");
    assert_int_equal(reg.status, 201);
    hubtest_free(&reg);
    b = hubtest_req(t, "GET", "/v1/content?kind=event", t->token, NULL, NULL, inm);
    assert_int_equal(b.status, 200);
    assert_string_not_equal(b.etag, a.etag);
    hubtest_free(&b);

    /* Items by id have ETags too. */
    char path[64];
    snprintf(path, sizeof path, "/v1/content/%lld", num(a.json, "items.0.id"));
    hubtest_resp_t d = hubtest_get(t, path);
    snprintf(inm, sizeof inm, "If-None-Match: %s", d.etag);
    hubtest_resp_t e = hubtest_req(t, "GET", path, t->token, NULL, NULL, inm);
    assert_int_equal(e.status, 304);
    hubtest_free(&d); hubtest_free(&e); hubtest_free(&a);
}

static void item_by_id(void **state)
{
    hubtest_t *t = *state;
    static const char *const queries[] = {"kind=guide", "kind=event&locale=en", "kind=playlist", "kind=notice"};
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        hubtest_resp_t r = list(t, queries[i]);
        const cJSON *first = hubtest_at(r.json, "items.0");
        char path[64];
        snprintf(path, sizeof path, "/v1/content/%lld", num(first, "id"));
        hubtest_resp_t g = hubtest_get(t, path);
        assert_int_equal(g.status, 200);
        assert_true(cJSON_Compare(first, g.json, true));
        hubtest_free(&g);
        hubtest_free(&r);
    }
    static const char *const unknown[] = {"999999", "abc", "0", "-1", "12345678901234567890", "1x"};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/content/%s", unknown[i]);
        hubtest_resp_t g = hubtest_get(t, path);
        assert_int_equal(g.status, 404);
        assert_string_equal(hubtest_error_code(&g), "unknown_content");
        hubtest_free(&g);
    }
}

/* ---- event registration ------------------------------------------------- */

static void registration_masks_personal_data(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 2);
    hubtest_resp_t r = register_as(t, t->token, ev.id, "王小明", "13812345678");
    assert_int_equal(r.status, 201);
    assert_int_equal(num(r.json, "registration.content_id"), ev.id);
    assert_null(hubtest_at(r.json, "registration.id"));
    assert_string_equal(str(r.json, "registration.name"), "王*明");
    assert_string_equal(str(r.json, "registration.phone"), "138****5678");
    assert_int_equal(num(r.json, "left"), ev.left - 1);
    /* Neither the phone number nor the given name appear in clear. */
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, "小明"));
    hubtest_free(&r);
    assert_int_equal(left_of(t, ev.id), ev.left - 1);
    /* The hub keeps the real data (operator side), sealed: no clear phone. */
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE phone LIKE '%' || ?1 || '%'"
                              " OR name LIKE '%小明%'", "13812345678"), 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE phone_hash = pii_hash('phone', ?1)", "13812345678"), 1);

    r = register_as(t, t->token2, ev.id, "Alice", "13812345679");
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.json, "registration.name"), "A***e");
    assert_string_equal(str(r.json, "registration.phone"), "138****5679");
    hubtest_free(&r);
}

static void registration_errors(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 2);
    hubtest_resp_t r = register_as(t, t->token, ev.id, "张三", "13700000000");
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    /* Same phone, even from another kiosk: the answer has the shape of a
     * new registration (it never tells whether a number is on the list),
     * and no second place is taken. */
    long long left = left_of(t, ev.id);
    r = register_as(t, t->token2, ev.id, "李四", "13700000000");
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.json, "registration.name"), "李*");
    assert_string_equal(str(r.json, "registration.phone"), "137****0000");
    assert_int_equal(num(r.json, "left"), left);
    hubtest_free(&r);
    assert_int_equal(left_of(t, ev.id), left);
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE phone_hash = pii_hash('phone', ?1)", "13700000000"), 1);

    char path[64];
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", ev.id);
    static const struct { const char *body; const char *code; } bad[] = {
        {"{\"name\":\"张三\",\"phone\":\"23800000000\"}", "invalid_field"},
        {"{\"name\":\"张三\",\"phone\":\"1380000000\"}", "invalid_field"},
        {"{\"name\":\"张三\",\"phone\":\"1380000000a\"}", "invalid_field"},
        {"{\"name\":\"张三\",\"phone\":13800000000}", "invalid_field"},
        {"{\"phone\":\"13800000000\"}", "missing_field"},
        {"{\"name\":\"张三\"}", "missing_field"},
        {"{\"name\":\"   \",\"phone\":\"13800000000\"}", "invalid_field"},
        {"{\"name\":\"abcdefghijklmnopqrstuvwxyz0123456\",\"phone\":\"13800000000\"}", "invalid_field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = post_as(t, t->token, path, bad[i].body);
        if (r.status != 422) fail_msg("%s: %d %s", bad[i].body, r.status, r.body);
        assert_string_equal(hubtest_error_code(&r), bad[i].code);
        hubtest_free(&r);
    }
    assert_int_equal(left_of(t, ev.id), ev.left - 1);

    /* Not an event taking registrations: unknown ids, a notice, the open lecture. */
    hubtest_resp_t lec = list(t, "kind=lecture");
    long long open_lecture = 0, notice = 101;
    const cJSON *it;
    cJSON_ArrayForEach(it, hubtest_at(lec.json, "items"))
        if (!hubtest_at(it, "places")) open_lecture = num(it, "id");
    hubtest_free(&lec);
    assert_true(open_lecture > 0);
    long long ids[] = {999999, notice, open_lecture};
    for (size_t i = 0; i < 3; i++) {
        r = register_as(t, t->token, ids[i], "张三", "13700000001");
        assert_int_equal(r.status, 404);
        assert_string_equal(hubtest_error_code(&r), "unknown_event");
        hubtest_free(&r);
    }
    r = post_as(t, t->token, "/v1/events/abc/registrations", "{\"name\":\"张三\",\"phone\":\"13700000001\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_event");
    hubtest_free(&r);
}

static void register_until_full(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 1);
    for (long long i = 0; i < ev.left; i++) {
        char phone[24];
        snprintf(phone, sizeof phone, "136%08d", (int)i);
        hubtest_resp_t r = register_as(t, i % 2 ? t->token2 : t->token, ev.id, "赵六", phone);
        assert_int_equal(r.status, 201);
        assert_int_equal(num(r.json, "left"), ev.left - 1 - i);
        hubtest_free(&r);
    }
    hubtest_resp_t r = register_as(t, t->token, ev.id, "赵六", "13599999999");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "event_full");
    hubtest_free(&r);
    assert_int_equal(left_of(t, ev.id), 0);
    char id[24];
    snprintf(id, sizeof id, "%lld", ev.id);
    assert_int_equal(db_count("SELECT places - registered FROM content WHERE id = CAST(?1 AS INTEGER)", id), 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE content_id = CAST(?1 AS INTEGER)", id),
                     ev.left);
}

static void past_event_refused(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 1);
    /* A minute after the start: still listed (it has not ended), closed for sign-up. */
    shift(ev.starts - hub_now() + 60);
    hubtest_resp_t r = register_as(t, t->token, ev.id, "孙七", "13711112222");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "event_past");
    hubtest_free(&r);
    shift(-shifted);
    r = register_as(t, t->token, ev.id, "孙七", "13711112222");
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
}

typedef struct {
    hubtest_t *t;
    const char *token;
    char path[64], body[96], key[40];
    pthread_barrier_t *go;
    int status;
    char code[32];
} racer_t;

static void *race(void *arg)
{
    racer_t *r = arg;
    pthread_barrier_wait(r->go);
    hubtest_resp_t resp = hubtest_req(r->t, "POST", r->path, r->token, r->key, r->body, NULL);
    r->status = resp.status;
    snprintf(r->code, sizeof r->code, "%s", hubtest_error_code(&resp));
    hubtest_free(&resp);
    return NULL;
}

static void last_place_concurrency(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 2);
    for (long long i = 0; i < ev.left - 1; i++) {
        char phone[24];
        snprintf(phone, sizeof phone, "135%08d", (int)i);
        hubtest_resp_t r = register_as(t, t->token, ev.id, "周八", phone);
        assert_int_equal(r.status, 201);
        hubtest_free(&r);
    }
    assert_int_equal(left_of(t, ev.id), 1);

    enum { N = 8 };
    racer_t racers[N];
    pthread_t th[N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    for (int i = 0; i < N; i++) {
        racers[i] = (racer_t){.t = t, .token = i % 2 ? t->token2 : t->token, .go = &go};
        snprintf(racers[i].path, sizeof racers[i].path, "/v1/events/%lld/registrations", ev.id);
        snprintf(racers[i].body, sizeof racers[i].body, "{\"name\":\"吴九\",\"phone\":\"1340000000%d\"}", i);
        snprintf(racers[i].key, sizeof racers[i].key, "race-%d", i);
        assert_int_equal(pthread_create(&th[i], NULL, race, &racers[i]), 0);
    }
    int created = 0, full = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        if (racers[i].status == 201) created++;
        else if (racers[i].status == 409 && !strcmp(racers[i].code, "event_full")) full++;
        else fail_msg("racer %d: %d %s", i, racers[i].status, racers[i].code);
    }
    pthread_barrier_destroy(&go);
    assert_int_equal(created, 1);
    assert_int_equal(full, N - 1);
    assert_int_equal(left_of(t, ev.id), 0);
    char id[24];
    snprintf(id, sizeof id, "%lld", ev.id);
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE content_id = CAST(?1 AS INTEGER)", id),
                     ev.left);
}

static void replay_never_registers_twice(void **state)
{
    hubtest_t *t = *state;
    event_t ev = pick_event(t, 2);
    char path[64];
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", ev.id);
    const char *body = "{\"name\":\"郑十\",\"phone\":\"13322223333\"}";
    hubtest_resp_t a = hubtest_req(t, "POST", path, t->token, "reg-replay", body, NULL);
    hubtest_resp_t b = hubtest_req(t, "POST", path, t->token, "reg-replay", body, NULL);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_false(a.replayed);
    assert_true(b.replayed);
    assert_string_equal(a.body, b.body);
    assert_int_equal(left_of(t, ev.id), ev.left - 1);
    assert_int_equal(db_count("SELECT COUNT(*) FROM event_registrations WHERE phone_hash = pii_hash('phone', ?1)", "13322223333"), 1);
    /* A failed request replays as the same failure and leaves nothing. */
    const char *bad = "{\"name\":\"郑十\",\"phone\":\"23322223333\"}";
    hubtest_resp_t c = hubtest_req(t, "POST", path, t->token, "reg-replay-2", bad, NULL);
    hubtest_resp_t d = hubtest_req(t, "POST", path, t->token, "reg-replay-2", bad, NULL);
    assert_int_equal(c.status, 422);
    assert_int_equal(d.status, 422);
    assert_true(d.replayed);
    assert_int_equal(left_of(t, ev.id), ev.left - 1);
    hubtest_free(&a); hubtest_free(&b); hubtest_free(&c); hubtest_free(&d);
}

/* ---- help requests ------------------------------------------------------ */

static hubtest_resp_t ack(hubtest_t *t, long long id)
{
    char path[64], key[40];
    snprintf(path, sizeof path, "/v1/demo/help/%lld/ack", id);
    snprintf(key, sizeof key, "ack-%d", atomic_fetch_add(&key_seq, 1));
    return hubtest_req(t, "POST", path, NULL, key, NULL, NULL);
}

static void help_create_status_ack(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_post(t, "/v1/help", "{\"location\":\"幸福里3号楼大厅自助机\",\"message\":\"需要人帮忙推轮椅\"}");
    assert_int_equal(r.status, 201);
    assert_string_equal(str(r.json, "help.status"), "sent");
    long long id = num(r.json, "help.id"), created = num(r.json, "help.created");
    assert_true(id > 0);
    assert_true(created > 0);
    hubtest_free(&r);

    char path[64];
    snprintf(path, sizeof path, "/v1/help/%lld", id);
    r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "help.status"), "sent");
    assert_null(hubtest_at(r.json, "help.acknowledged"));
    hubtest_free(&r);
    /* Only the kiosk that asked sees it. */
    r = hubtest_req(t, "GET", path, t->token2, NULL, NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_help");
    hubtest_free(&r);
    r = hubtest_get(t, "/v1/help/abc");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_help");
    hubtest_free(&r);

    r = ack(t, id);
    assert_int_equal(r.status, 200);
    assert_string_equal(str(r.json, "help.status"), "acknowledged");
    long long acked = num(r.json, "help.acknowledged");
    assert_true(acked >= created);
    hubtest_free(&r);
    r = hubtest_get(t, path);
    assert_string_equal(str(r.json, "help.status"), "acknowledged");
    assert_int_equal(num(r.json, "help.acknowledged"), acked);
    hubtest_free(&r);
    /* Acknowledging again keeps the first time. */
    shift(120);
    r = ack(t, id);
    assert_int_equal(r.status, 200);
    assert_int_equal(num(r.json, "help.acknowledged"), acked);
    hubtest_free(&r);
    r = ack(t, 999999);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_help");
    hubtest_free(&r);
}

static void help_consent_rule(void **state)
{
    hubtest_t *t = *state;
    static const struct { const char *body; int status; const char *code; } bad[] = {
        {"{\"location\":\"大厅\",\"contact\":\"13812345678\"}", 422, "consent_required"},
        {"{\"location\":\"大厅\",\"contact\":\"13812345678\",\"consent\":false}", 422, "consent_required"},
        {"{\"location\":\"大厅\",\"contact\":\"13812345678\",\"consent\":\"yes\"}", 422, "invalid_field"},
        {"{\"location\":\"大厅\",\"contact\":\"12345\",\"consent\":true}", 422, "invalid_field"},
        {"{\"location\":\"大厅\",\"contact\":\"23812345678\",\"consent\":true}", 422, "invalid_field"},
        {"{\"message\":\"help\"}", 422, "missing_field"},
        {"{\"location\":\"\"}", 422, "invalid_field"},
        {"{\"location\":7}", 422, "invalid_field"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        hubtest_resp_t r = hubtest_post(t, "/v1/help", bad[i].body);
        if (r.status != bad[i].status) fail_msg("%s: %d %s", bad[i].body, r.status, r.body);
        assert_string_equal(hubtest_error_code(&r), bad[i].code);
        hubtest_free(&r);
    }
    char longer[300] = "{\"location\":\"";
    memset(longer + strlen(longer), 'a', 201);
    strcat(longer, "\"}");
    hubtest_resp_t r = hubtest_post(t, "/v1/help", longer);
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    assert_int_equal(db_count("SELECT COUNT(*) FROM help_requests", NULL), 0);

    r = hubtest_post(t, "/v1/help", "{\"location\":\"大厅\",\"contact\":\"13812345678\",\"consent\":true}");
    assert_int_equal(r.status, 201);
    assert_null(strstr(r.body, "13812345678"));
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/help", "{\"location\":\"大厅\",\"consent\":true}");
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    /* Kept sealed: readable with the hub's key only. */
    assert_int_equal(db_count("SELECT COUNT(*) FROM help_requests WHERE contact = ?1", "13812345678"), 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM help_requests WHERE pii_open(contact) = ?1", "13812345678"), 1);
    assert_int_equal(db_count("SELECT COUNT(*) FROM help_requests WHERE contact IS NULL", NULL), 1);
}

/* ---- heartbeats --------------------------------------------------------- */

static long long beats(const char *device)
{
    return db_count("SELECT count FROM heartbeats WHERE device = ?1", device);
}

static void heartbeat_upsert(void **state)
{
    hubtest_t *t = *state;
    const char *body = "{\"version\":\"0.1.0\",\"uptime_s\":5,\"mode\":\"hall\",\"screen\":\"home\"}";
    hubtest_resp_t r = hubtest_post(t, "/v1/heartbeat", body);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"ok\":true,\"interval_s\":60,\"commands\":[]}");
    hubtest_free(&r);
    assert_int_equal(beats("test-01"), 1);
    assert_true(db_count("SELECT last_seen FROM devices WHERE id = ?1", "test-01") > 0);

    r = hubtest_post(t, "/v1/heartbeat",
                     "{\"version\":\"0.1.0\",\"uptime_s\":65,\"mode\":\"street\",\"screen\":\"bills\","
                     "\"content_version\":\"\\\"0a1b\\\"\",\"printer\":\"ok\",\"reader\":\"ok\","
                     "\"paper\":\"low\",\"queue_depth\":2,\"disk_free_mb\":5120,\"mem_kb\":81234,"
                     "\"unknown_field\":{\"x\":1}}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    assert_int_equal(beats("test-01"), 2);
    assert_int_equal(db_count("SELECT COUNT(*) FROM heartbeats WHERE device = ?1"
                              " AND json_extract(body, '$.mode') = 'street'"
                              " AND json_extract(body, '$.paper') = 'low'"
                              " AND json_extract(body, '$.unknown_field') IS NULL", "test-01"), 1);

    /* Another kiosk has its own row; a replay counts nothing. */
    r = hubtest_req(t, "POST", "/v1/heartbeat", t->token2, "hb-1", "{}", NULL);
    hubtest_resp_t again = hubtest_req(t, "POST", "/v1/heartbeat", t->token2, "hb-1", "{}", NULL);
    assert_int_equal(r.status, 200);
    assert_true(again.replayed);
    assert_string_equal(r.body, again.body);
    hubtest_free(&r); hubtest_free(&again);
    assert_int_equal(beats("test-02"), 1);
    assert_int_equal(beats("test-01"), 2);

    static const char *const bad[] = {
        "{\"uptime_s\":\"5\"}", "{\"uptime_s\":-1}", "{\"uptime_s\":1.5}", "{\"mode\":\"tv\"}",
        "{\"version\":7}", "{\"queue_depth\":-1}", "{\"screen\":\"\"}", "{\"printer\":true}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = hubtest_post(t, "/v1/heartbeat", bad[i]);
        if (r.status != 422) fail_msg("%s: %d %s", bad[i], r.status, r.body);
        assert_string_equal(hubtest_error_code(&r), "invalid_field");
        hubtest_free(&r);
    }
    assert_int_equal(beats("test-01"), 2);
}

static void heartbeat_refuses_personal_data(void **state)
{
    hubtest_t *t = *state;
    static const char *const personal[] = {
        "{\"screen\":\"13812345678\"}",
        "{\"screen\":\"call 138 1234 5678\"}",
        "{\"screen\":\"138-1234-5678\"}",
        "{\"screen\":\"电话13812345678谢谢\"}",
        "{\"version\":\"110105194912310021\"}",
        "{\"extra\":{\"deep\":[\"id 11010519491231002X\"]}}",
        "{\"x\":13812345678}",
        "{\"13812345678\":1}",
        "{\"screen\":\"home 5 13812345678\"}",
        /* country code, full-width digits, names */
        "{\"screen\":\"+8613812345678\"}",
        "{\"screen\":\"+86 138 1234 5678\"}",
        "{\"screen\":\"0086-138-1234-5678\"}",
        "{\"screen\":\"8613812345678\"}",
        "{\"screen\":\"＋８６ １３８１２３４５６７８\"}",
        "{\"screen\":\"电话：１３８１２３４５６７８\"}",
        "{\"version\":\"１１０１０５１９４９１２３１００２Ｘ\"}",
        "{\"screen\":\"张三明\"}",
        "{\"printer\":\"欧阳娜娜\"}",
        "{\"screen\":\"姓名 李四\"}",
        "{\"extra\":{\"name\":\"x\"}}",
    };
    for (size_t i = 0; i < sizeof personal / sizeof *personal; i++) {
        hubtest_resp_t r = hubtest_post(t, "/v1/heartbeat", personal[i]);
        if (r.status != 422) fail_msg("%s: %d %s", personal[i], r.status, r.body);
        assert_string_equal(hubtest_error_code(&r), "personal_data");
        hubtest_free(&r);
    }
    assert_int_equal(beats("test-01"), -1);     /* no row at all */

    /* Digits that are no phone or ID number pass. */
    static const char *const fine[] = {
        "{\"content_version\":\"\\\"a13812345678f0c1\\\"\"}",
        "{\"version\":\"2026.11.29-1\",\"screen\":\"2026-11-29 10:30\"}",
        "{\"uptime_s\":315360000,\"mem_kb\":1000000000}",
        "{\"screen\":\"138123456789\"}",
        "{\"screen\":\"23812345678\"}",
        "{\"screen\":\"+86 10 6512 3456\"}",
        "{\"printer\":\"缺纸\",\"screen\":\"首页\"}",
        "{\"screen\":\"１２３\"}",
    };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        hubtest_resp_t r = hubtest_post(t, "/v1/heartbeat", fine[i]);
        if (r.status != 200) fail_msg("%s: %d %s", fine[i], r.status, r.body);
        hubtest_free(&r);
    }
    assert_int_equal(beats("test-01"), 8);
}

/* ---- the cache of content answers (content_cache.h) ---------------------- */

/* A connection of its own to the hub's database, as another process (the
 * sqlite3 tool, the hub CLI) would have: nothing of the hub's own. */
static sqlite3 *other_writer(const hubtest_t *t)
{
    char path[128];
    snprintf(path, sizeof path, "%s/hub.db", t->dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void exec_other(const hubtest_t *t, const char *sql)
{
    sqlite3 *db = other_writer(t);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

static long long cache_hits(const hubtest_t *t) { return content_cache_hits(hub_content_cache(t->hub)); }

/* An answer served again is byte for byte (and ETag for ETag) the one built
 * afresh, for every kind of query; the second request is served from the
 * cache, and a change that leaves the rows as they were still rebuilds. */
static void cache_same_answers(void **state)
{
    hubtest_t *t = *state;
    static const char *const queries[] = {
        "kind=notice", "kind=notice&locale=zh_CN", "kind=event", "kind=notice&category=government",
        "kind=notice&since=1", "kind=guide&locale=en", "kind=lecture&category=health&since=5",
        "kind=notice&locale=xx_YY",
    };
    for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
        for (int attempt = 0;; attempt++) {
            /* A no-op change to a row moves the generation on: built afresh. */
            exec_other(t, "UPDATE content SET pinned = pinned WHERE id = 101");
            int64_t start = hub_now();
            long long hits = cache_hits(t);
            hubtest_resp_t built = list(t, queries[i]), kept = list(t, queries[i]);
            if (hub_now() != start && attempt < 5) {   /* a second passed: the key moved on */
                hubtest_free(&built); hubtest_free(&kept);
                continue;
            }
            assert_int_equal(built.status, 200);
            assert_int_equal(kept.status, 200);
            assert_int_equal(cache_hits(t), hits + 1);
            assert_string_equal(built.body, kept.body);
            assert_string_equal(built.etag, kept.etag);
            /* Built again after another such change: the same bytes. */
            exec_other(t, "UPDATE content SET pinned = pinned WHERE id = 101");
            hubtest_resp_t again = list(t, queries[i]);
            assert_int_equal(cache_hits(t), hits + 1);
            assert_string_equal(again.body, built.body);
            assert_string_equal(again.etag, built.etag);
            hubtest_free(&built); hubtest_free(&kept); hubtest_free(&again);
            break;
        }
    }
    /* 304 from a kept answer as from a built one. */
    hubtest_resp_t r = list(t, "kind=notice");
    char inm[120];
    snprintf(inm, sizeof inm, "If-None-Match: %s", r.etag);
    hubtest_resp_t nm = hubtest_req(t, "GET", "/v1/content?kind=notice", t->token, NULL, NULL, inm);
    assert_int_equal(nm.status, 304);
    hubtest_free(&r); hubtest_free(&nm);
}

static bool lists_id(const hubtest_resp_t *r, long long id)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, hubtest_at(r->json, "items"))
        if ((long long)cJSON_GetObjectItem(it, "id")->valuedouble == id) return true;
    return false;
}

/* Publishing, editing and withdrawing an item, by another connection within
 * the same hub second as a kept answer, shows on the very next request. */
static void cache_publish_withdraw_at_once(void **state)
{
    hubtest_t *t = *state;
    for (int attempt = 0;; attempt++) {
        int64_t start = hub_now();
        hubtest_resp_t before = list(t, "kind=notice"), kept = list(t, "kind=notice");
        assert_int_equal(kept.status, 200);
        assert_false(lists_id(&kept, 9001));
        char sql[400];
        snprintf(sql, sizeof sql, "INSERT INTO content(id, kind, category, locale, title, body, published)"
                 " VALUES(9001, 'notice', 'community', 'zh_CN', '新通知', '正文', %lld)", (long long)start - 5);
        exec_other(t, sql);
        hubtest_resp_t published = list(t, "kind=notice");
        exec_other(t, "UPDATE content SET title = '改过的通知' WHERE id = 9001");
        hubtest_resp_t edited = list(t, "kind=notice");
        snprintf(sql, sizeof sql, "UPDATE content SET expires = %lld WHERE id = 9001", (long long)start - 1);
        exec_other(t, sql);
        hubtest_resp_t withdrawn = list(t, "kind=notice");
        exec_other(t, "DELETE FROM content WHERE id = 9001");
        hubtest_resp_t deleted = list(t, "kind=notice");
        bool same_second = hub_now() == start;
        if (same_second || attempt >= 5) {
            assert_true(lists_id(&published, 9001));
            assert_string_not_equal(published.etag, kept.etag);
            assert_non_null(strstr(edited.body, "改过的通知"));
            assert_null(strstr(edited.body, "新通知"));
            assert_false(lists_id(&withdrawn, 9001));
            assert_string_equal(withdrawn.body, kept.body);
            assert_string_equal(deleted.body, kept.body);
            assert_string_equal(before.body, kept.body);
        }
        hubtest_free(&before); hubtest_free(&kept); hubtest_free(&published);
        hubtest_free(&edited); hubtest_free(&withdrawn); hubtest_free(&deleted);
        if (same_second || attempt >= 5) break;
        exec_other(t, "DELETE FROM content WHERE id = 9001");
    }
}

/* A registration changes an event's places left: the list shows it at once. */
static void cache_sees_registrations(void **state)
{
    hubtest_t *t = *state;
    event_t e = pick_event(t, 2);
    hubtest_resp_t kept = list(t, "kind=event"), again = list(t, "kind=event");
    assert_string_equal(again.body, kept.body);
    hubtest_free(&again);
    hubtest_resp_t r = register_as(t, t->token, e.id, "王小明", "13800001111");
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    hubtest_resp_t after = list(t, "kind=event");
    const cJSON *it;
    long long left = -1;
    cJSON_ArrayForEach(it, hubtest_at(after.json, "items"))
        if ((long long)cJSON_GetObjectItem(it, "id")->valuedouble == e.id) left = num(it, "left");
    assert_int_equal(left, e.left - 1);
    assert_string_not_equal(after.body, kept.body);
    hubtest_free(&kept); hubtest_free(&after);
}

/* Tokens are checked against the database on every request: revoked or
 * replaced by another process, the old token is refused on the very next
 * request, on every worker thread. */
static void revoked_token_refused_at_once(void **state)
{
    hubtest_t *t = *state;
    for (int i = 0; i < 8; i++) {            /* every worker has its statements prepared */
        hubtest_resp_t r = hubtest_req(t, "GET", "/v1/content", t->token2, NULL, NULL, NULL);
        assert_int_equal(r.status, 200);
        hubtest_free(&r);
    }
    exec_other(t, "UPDATE devices SET revoked = 1 WHERE id = 'test-02'");
    for (int i = 0; i < 8; i++) {
        hubtest_resp_t r = hubtest_req(t, "GET", "/v1/content", t->token2, NULL, NULL, NULL);
        assert_int_equal(r.status, 401);
        hubtest_free(&r);
    }
    /* Rotation: the old token stops, the new one works, at once. */
    char fresh[AUTH_TOKEN_MAX];
    sqlite3 *db = other_writer(t);
    assert_int_equal(auth_device_add(db, "test-01", fresh, sizeof fresh), 0);
    sqlite3_close(db);
    for (int i = 0; i < 8; i++) {
        hubtest_resp_t old = hubtest_req(t, "GET", "/v1/content", t->token, NULL, NULL, NULL);
        hubtest_resp_t cur = hubtest_req(t, "GET", "/v1/content", fresh, NULL, NULL, NULL);
        assert_int_equal(old.status, 401);
        assert_int_equal(cur.status, 200);
        hubtest_free(&old); hubtest_free(&cur);
    }
}

/* The cache itself: a hit only for the same query, second and generation;
 * slots are replaced, never grown; an answer too large is not kept. */
static void cache_keys_and_bounds(void **state)
{
    (void)state;
    content_cache_t *cc = content_cache_new();
    assert_non_null(cc);
    content_cache_key_t k, other;
    hub_resp_t put = {.status = 200, .body = "{\"items\":[]}", .etag = "\"e1\""}, got = {0};
    content_cache_key(&k, "notice", "zh_CN", NULL, NULL, 100, 7);
    assert_false(content_cache_get(cc, &k, &got));
    content_cache_put(cc, &k, &put);
    assert_true(content_cache_get(cc, &k, &got));
    assert_string_equal(got.body, put.body);
    assert_string_equal(got.etag, "\"e1\"");
    free(got.body);
    got = (hub_resp_t){0};
    const struct { const char *cat, *since; int64_t now; long long gen; } miss[] = {
        {NULL, NULL, 101, 7}, {NULL, NULL, 100, 8}, {"x", NULL, 100, 7}, {NULL, "1", 100, 7},
    };
    for (size_t i = 0; i < sizeof miss / sizeof *miss; i++) {
        content_cache_key(&other, "notice", "zh_CN", miss[i].cat, miss[i].since, miss[i].now, miss[i].gen);
        assert_false(content_cache_get(cc, &other, &got));
    }
    /* A category and a locale never read as each other. */
    content_cache_key(&other, "notice", "zh", "CN", NULL, 100, 7);
    assert_string_not_equal(other.query, k.query);
    /* Many queries: every hit is its own answer. */
    char bodies[200][32];
    for (int i = 0; i < 200; i++) {
        char loc[16];
        snprintf(loc, sizeof loc, "l%d", i);
        snprintf(bodies[i], sizeof bodies[i], "{\"n\":%d}", i);
        hub_resp_t p = {.status = 200, .body = bodies[i], .etag = "\"e\""};
        content_cache_key(&other, "notice", loc, NULL, NULL, 100, 7);
        content_cache_put(cc, &other, &p);
    }
    int hits = 0;
    for (int i = 0; i < 200; i++) {
        char loc[16];
        snprintf(loc, sizeof loc, "l%d", i);
        content_cache_key(&other, "notice", loc, NULL, NULL, 100, 7);
        if (content_cache_get(cc, &other, &got)) {
            assert_string_equal(got.body, bodies[i]);
            free(got.body);
            got = (hub_resp_t){0};
            hits++;
        }
    }
    assert_true(hits > 0 && hits <= CONTENT_CACHE_SLOTS);
    /* Too large, or not a 200 with an ETag: not kept. */
    char *big = malloc(CONTENT_CACHE_BODY_MAX + 2);
    memset(big, 'a', CONTENT_CACHE_BODY_MAX + 1);
    big[CONTENT_CACHE_BODY_MAX + 1] = '\0';
    hub_resp_t large = {.status = 200, .body = big, .etag = "\"b\""};
    content_cache_key(&other, "event", "zh_CN", NULL, NULL, 100, 7);
    content_cache_put(cc, &other, &large);
    assert_false(content_cache_get(cc, &other, &got));
    hub_resp_t no_etag = {.status = 200, .body = "{}"};
    content_cache_put(cc, &other, &no_etag);
    assert_false(content_cache_get(cc, &other, &got));
    free(big);
    content_cache_free(cc);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(lists_per_kind_and_locale),
        T(list_order_and_fields),
        T(filters_category_and_since),
        T(bad_queries_get_422),
        T(expired_items_left_out),
        T(etag_and_304),
        T(item_by_id),
        T(registration_masks_personal_data),
        T(registration_errors),
        T(register_until_full),
        T(past_event_refused),
        T(last_place_concurrency),
        T(replay_never_registers_twice),
        T(help_create_status_ack),
        T(help_consent_rule),
        T(heartbeat_upsert),
        T(heartbeat_refuses_personal_data),
        T(cache_same_answers),
        T(cache_publish_withdraw_at_once),
        T(cache_sees_registrations),
        T(revoked_token_refused_at_once),
        cmocka_unit_test(cache_keys_and_bounds),
    };
#undef T
    return cmocka_run_group_tests_name("hub_content", tests, NULL, NULL);
}
