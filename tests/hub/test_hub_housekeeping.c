/* Housekeeping bookings over a real socket: the catalogue, slots by day,
 * booking with check-in codes, masking of personal data, full slots with
 * alternatives, the last place under concurrent bookings, idempotent
 * replays, cancelling, lookup and bad input. Slots the tests need are
 * written straight into the hub's database so the checks do not depend on
 * the demo pattern; the database is also where capacity is checked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api.h"
#include "db.h"
#include "hubtest.h"
#include "pii.h"

#define DAY 86400

static int setup(void **state) { *state = hubtest_start(true); return 0; }
static int teardown(void **state) { hubtest_stop(*state); return 0; }

/* ---- helpers ------------------------------------------------------------ */

/* YYYY-MM-DD of T in China time (UTC+8). */
static void cst_date(int64_t t, char out[11])
{
    time_t local = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&local, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One integer from SQL with an optional ?1 = A; -1 if no row. */
static long long sql_int(const char *sql, long long a)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) > 0) sqlite3_bind_int64(st, 1, a);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long booked_of(long long slot) { return sql_int("SELECT booked FROM slots WHERE id = ?1", slot); }

/* A slot of SERVICE (its first provider) at START for one hour, written
 * directly into the hub's database. */
static long long add_slot(const char *service, int64_t start, int capacity, int booked)
{
    sqlite3 *db = db_thread();
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO slots(service_id, provider_id, start, end,"
                                        " capacity, booked) SELECT ?1, min(id), ?2, ?3, ?4, ?5"
                                        " FROM providers WHERE service_id = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, start + 3600);
    sqlite3_bind_int(st, 4, capacity);
    sqlite3_bind_int(st, 5, booked);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    return sqlite3_last_insert_rowid(db);
}

/* A booking written directly (for states the API cannot reach, such as a
 * booking whose slot has started). */
static void add_booking(const char *code, long long slot, const char *name, const char *phone)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), "INSERT INTO bookings(code, slot_id, device,"
                                        " name, phone, status, created) VALUES(?1, ?2, 'test-01',"
                                        " ?3, ?4, 'confirmed', ?5)", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, slot);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, phone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, hub_now() - DAY);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(pii_protect_all(db_thread()), SQLITE_OK);   /* as the hub stores it */
}

static hubtest_resp_t book(hubtest_t *t, long long slot, const char *service, const char *name,
                           const char *phone, const char *id_number)
{
    char body[512];
    int n = snprintf(body, sizeof body, "{\"slot_id\":%lld,\"service_id\":\"%s\",\"name\":\"%s\"",
                     slot, service, name);
    if (phone) n += snprintf(body + n, sizeof body - n, ",\"phone\":\"%s\"", phone);
    if (id_number) n += snprintf(body + n, sizeof body - n, ",\"id_number\":\"%s\"", id_number);
    snprintf(body + n, sizeof body - n, "}");
    return hubtest_post(t, "/v1/housekeeping/bookings", body);
}

static hubtest_resp_t cancel(hubtest_t *t, const char *code, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/housekeeping/bookings/%s/cancel", code);
    return hubtest_post(t, path, body);
}

static const char *str_at(const cJSON *j, const char *dotted)
{
    const cJSON *v = hubtest_at(j, dotted);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_at(const cJSON *j, const char *dotted)
{
    const cJSON *v = hubtest_at(j, dotted);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* ---- tests -------------------------------------------------------------- */

static void catalogue_lists_services_and_providers(void **state)
{
    hubtest_t *t = *state;
    hubtest_resp_t r = hubtest_get(t, "/v1/housekeeping/services");
    assert_int_equal(r.status, 200);
    assert_true(r.etag[0] != '\0');
    const cJSON *list = hubtest_at(r.json, "services");
    assert_int_equal(cJSON_GetArraySize(list), 6);
    const char *ids[] = {"cleaning", "deep_cleaning", "nanny", "elder_care", "appliance_repair", "plumbing"};
    for (int i = 0; i < 6; i++) {
        const cJSON *s = cJSON_GetArrayItem(list, i);
        assert_string_equal(str_at(s, "id"), ids[i]);
        assert_true(strlen(str_at(s, "name.zh")) > 0);
        assert_true(strlen(str_at(s, "name.en")) > 0);
        assert_true(strlen(str_at(s, "includes.zh")) > 0);
        assert_true(strlen(str_at(s, "includes.en")) > 0);
        assert_true(num_at(s, "price_fen") >= 1000);
        assert_true(num_at(s, "duration_min") >= 30);
        const cJSON *provs = hubtest_at(s, "providers");
        int n = cJSON_GetArraySize(provs);
        assert_true(n >= 2 && n <= 3);
        for (int p = 0; p < n; p++) {
            const cJSON *pv = cJSON_GetArrayItem(provs, p);
            assert_true(num_at(pv, "id") >= 1);
            assert_true(strlen(str_at(pv, "name")) > 0);
            double rating = num_at(pv, "rating");
            assert_true(rating >= 4.3 && rating <= 4.9);
        }
    }
    assert_non_null(strstr(r.body, "日常保洁"));
    hubtest_free(&r);

    /* Seeding a database that has services changes nothing. */
    long long slots = sql_int("SELECT count(*) FROM slots", 0);
    assert_int_equal(demo_seed_housekeeping(db_thread(), hub_now()), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM services", 0), 6);
    assert_int_equal(sql_int("SELECT count(*) FROM slots", 0), slots);
}

static void slots_by_day_are_future_only(void **state)
{
    hubtest_t *t = *state;
    int64_t now = hub_now();
    char date[11], path[128];

    /* Tomorrow (China time) always has demo slots. */
    cst_date(now + DAY, date);
    snprintf(path, sizeof path, "/v1/housekeeping/slots?service=cleaning&date=%s", date);
    hubtest_resp_t r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "date"), date);
    const cJSON *list = hubtest_at(r.json, "slots");
    int n = cJSON_GetArraySize(list);
    assert_true(n > 0);
    double prev = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_GetArrayItem(list, i);
        double start = num_at(s, "start"), end = num_at(s, "end");
        char d[11];
        cst_date((int64_t)start, d);
        assert_string_equal(d, date);
        assert_true(start > (double)now && end > start && start >= prev);
        prev = start;
        assert_non_null(str_at(s, "provider.name"));
        long long id = (long long)num_at(s, "id");
        double cap = num_at(s, "capacity"), left = num_at(s, "left");
        assert_true(cap >= 1 && cap <= 3 && left >= 0 && left <= cap);
        assert_int_equal((long long)(cap - left), booked_of(id));
    }
    hubtest_free(&r);

    /* A slot that started a minute ago is not listed. */
    long long past = add_slot("cleaning", now - 60, 2, 0);
    cst_date(now - 60, date);
    snprintf(path, sizeof path, "/v1/housekeeping/slots?service=cleaning&date=%s", date);
    r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    list = hubtest_at(r.json, "slots");
    const cJSON *s;
    cJSON_ArrayForEach(s, list) {
        assert_true(num_at(s, "start") > (double)now);
        assert_true((long long)num_at(s, "id") != past);
    }
    hubtest_free(&r);

    /* A day without slots is an empty list. */
    cst_date(now + 60 * DAY, date);
    snprintf(path, sizeof path, "/v1/housekeeping/slots?service=plumbing&date=%s", date);
    r = hubtest_get(t, path);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "slots")), 0);
    hubtest_free(&r);
}

static void booking_gets_a_code_and_takes_a_place(void **state)
{
    hubtest_t *t = *state;
    long long slot = add_slot("elder_care", hub_now() + 2 * DAY, 2, 0);
    hubtest_resp_t r = book(t, slot, "elder_care", "王秀英", "13700001234", NULL);
    assert_int_equal(r.status, 201);
    const char *code = str_at(r.json, "booking.code");
    assert_non_null(code);
    /* Six digits, never a leading zero. */
    assert_int_equal(strlen(code), 6);
    assert_int_equal(strspn(code, "0123456789"), 6);
    assert_true(code[0] != '0');
    assert_string_equal(str_at(r.json, "booking.status"), "confirmed");
    assert_string_equal(str_at(r.json, "booking.service_id"), "elder_care");
    assert_int_equal((long long)num_at(r.json, "booking.slot.id"), slot);
    assert_int_equal((int)num_at(r.json, "booking.slot.capacity"), 2);
    assert_int_equal((int)num_at(r.json, "booking.slot.left"), 1);
    assert_true(cJSON_IsNull(hubtest_at(r.json, "booking.id_number")));
    assert_int_equal(booked_of(slot), 1);

    /* Stored sealed (readable with the hub's key only), with the device that
     * booked; the raw columns hold no clear name or phone. */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), "SELECT pii_open(name), pii_open(phone), device,"
                                        " slot_id, status FROM bookings WHERE code = ?1 AND"
                                        " name NOT LIKE '%王秀英%' AND phone NOT LIKE '%13700001234%'"
                                        " AND phone_hash = pii_hash('phone', '13700001234')",
                                        -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "王秀英");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "13700001234");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "test-01");
    assert_int_equal(sqlite3_column_int64(st, 3), slot);
    assert_string_equal((const char *)sqlite3_column_text(st, 4), "confirmed");
    sqlite3_finalize(st);

    /* Codes differ from booking to booking. */
    hubtest_resp_t r2 = book(t, slot, "elder_care", "王秀英", "13700001234", NULL);
    assert_int_equal(r2.status, 201);
    assert_string_not_equal(str_at(r2.json, "booking.code"), code);
    assert_int_equal((int)num_at(r2.json, "booking.slot.left"), 0);
    hubtest_free(&r2);
    hubtest_free(&r);
}

static void personal_data_is_masked(void **state)
{
    hubtest_t *t = *state;
    long long slot = add_slot("cleaning", hub_now() + 3 * DAY, 3, 0);
    hubtest_resp_t r = book(t, slot, "cleaning", "张三明", "13812345678", "11010519491231002x");
    assert_int_equal(r.status, 201);
    assert_string_equal(str_at(r.json, "booking.name"), "张*明");
    assert_string_equal(str_at(r.json, "booking.phone"), "138****5678");
    assert_string_equal(str_at(r.json, "booking.id_number"), "1101**********002X");
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, "张三明"));
    assert_null(strstr(r.body, "11010519491231002"));
    char code[16];
    snprintf(code, sizeof code, "%s", str_at(r.json, "booking.code"));
    hubtest_free(&r);

    /* Lookup and cancel answer masked too. */
    char lbody[96];
    snprintf(lbody, sizeof lbody, "{\"phone\":\"13812345678\",\"code\":\"%s\"}", code);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", lbody);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "13812345678"));
    assert_null(strstr(r.body, "张三明"));
    assert_non_null(strstr(r.body, "138****5678"));
    hubtest_free(&r);
    r = cancel(t, code, "{\"id_number\":\"11010519491231002X\"}");
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "11010519491231002"));
    assert_null(strstr(r.body, "张三明"));
    hubtest_free(&r);

    /* Other name lengths. */
    const char *names[][2] = {{"欧阳娜娜", "欧**娜"}, {"张三", "张*"}, {"秦", "*"}, {"Anna Li", "A*****i"}};
    for (int i = 0; i < 4; i++) {
        r = book(t, slot, "cleaning", names[i][0], "13812345678", NULL);
        assert_int_equal(r.status, 201);
        assert_string_equal(str_at(r.json, "booking.name"), names[i][1]);
        assert_null(strstr(r.body, names[i][0]));
        char c[16];
        snprintf(c, sizeof c, "%s", str_at(r.json, "booking.code"));
        hubtest_free(&r);
        r = cancel(t, c, "{\"phone\":\"13812345678\"}");
        assert_int_equal(r.status, 200);
        hubtest_free(&r);
    }
}

static void full_slot_offers_alternatives(void **state)
{
    hubtest_t *t = *state;
    int64_t now = hub_now();
    int64_t start = now + 4 * DAY + 1800;
    long long full = add_slot("cleaning", start, 1, 1);
    hubtest_resp_t r = book(t, full, "cleaning", "赵敏", "13600002222", NULL);
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "slot_full");
    assert_non_null(str_at(r.json, "error.message"));
    const cJSON *alts = hubtest_at(r.json, "alternatives");
    int n = cJSON_GetArraySize(alts);
    assert_int_equal(n, 3);
    double prev = 0, farthest = 0;
    long long chosen[3] = {0};
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, alts) {
        long long id = (long long)num_at(a, "id");
        assert_true(id != full);
        assert_true(num_at(a, "left") > 0);
        assert_true(num_at(a, "start") > (double)now);
        assert_true(num_at(a, "start") >= prev);
        prev = num_at(a, "start");
        double dist = prev > (double)start ? prev - (double)start : (double)start - prev;
        if (dist > farthest) farthest = dist;
        assert_int_equal(sql_int("SELECT count(*) FROM slots WHERE id = ?1 AND service_id = 'cleaning'", id), 1);
        chosen[i++] = id;
    }
    /* No other free future slot of the service is nearer than the farthest
     * alternative. */
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), "SELECT id, abs(start - ?1) FROM slots"
                                        " WHERE service_id = 'cleaning' AND booked < capacity"
                                        " AND start > ?2 AND id <> ?3", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, start);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, full);
    while (sqlite3_step(st) == SQLITE_ROW) {
        long long id = sqlite3_column_int64(st, 0);
        if (id == chosen[0] || id == chosen[1] || id == chosen[2]) continue;
        assert_true((double)sqlite3_column_int64(st, 1) >= farthest);
    }
    sqlite3_finalize(st);
    assert_int_equal(booked_of(full), 1);
    hubtest_free(&r);
}

typedef struct {
    hubtest_t *t;
    const char *token;
    char key[48];
    char body[256];
    pthread_barrier_t *go;
    int status;
    char code[32];
    char error[32];
    bool replayed;
} racer_t;

static void *race(void *arg)
{
    racer_t *x = arg;
    pthread_barrier_wait(x->go);
    hubtest_resp_t r = hubtest_req(x->t, "POST", "/v1/housekeeping/bookings", x->token, x->key,
                                   x->body, NULL);
    x->status = r.status;
    x->replayed = r.replayed;
    const char *c = str_at(r.json, "booking.code");
    snprintf(x->code, sizeof x->code, "%s", c ? c : "");
    snprintf(x->error, sizeof x->error, "%s", hubtest_error_code(&r));
    hubtest_free(&r);
    return NULL;
}

/* Runs N racers at the same moment. */
static void run_race(racer_t *x, int n)
{
    pthread_t th[16];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        x[i].go = &go;
        assert_int_equal(pthread_create(&th[i], NULL, race, &x[i]), 0);
    }
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
}

static void last_place_goes_to_exactly_one(void **state)
{
    hubtest_t *t = *state;
    long long slot = add_slot("plumbing", hub_now() + 5 * DAY, 3, 2);
    racer_t x[8];
    memset(x, 0, sizeof x);
    for (int i = 0; i < 8; i++) {
        x[i].t = t;
        x[i].token = i % 2 ? t->token2 : t->token;
        snprintf(x[i].key, sizeof x[i].key, "race-%lld-%d", slot, i);
        snprintf(x[i].body, sizeof x[i].body, "{\"slot_id\":%lld,\"service_id\":\"plumbing\","
                 "\"name\":\"住户%d\",\"phone\":\"1350000000%d\"}", slot, i, i);
    }
    run_race(x, 8);
    int won = 0, full = 0;
    for (int i = 0; i < 8; i++) {
        if (x[i].status == 201) won++;
        else if (x[i].status == 409 && strcmp(x[i].error, "slot_full") == 0) full++;
        else fail_msg("racer %d: %d %s", i, x[i].status, x[i].error);
    }
    assert_int_equal(won, 1);
    assert_int_equal(full, 7);
    assert_int_equal(booked_of(slot), 3);
    assert_int_equal(sql_int("SELECT count(*) FROM bookings WHERE slot_id = ?1", slot), 1);
}

static void replay_never_books_twice(void **state)
{
    hubtest_t *t = *state;
    long long slot = add_slot("appliance_repair", hub_now() + 6 * DAY, 3, 0);
    char body[256];
    snprintf(body, sizeof body, "{\"slot_id\":%lld,\"service_id\":\"appliance_repair\","
             "\"name\":\"孙立\",\"phone\":\"13911112222\"}", slot);
    hubtest_resp_t a = hubtest_req(t, "POST", "/v1/housekeeping/bookings", t->token, "hk-replay-1", body, NULL);
    hubtest_resp_t b = hubtest_req(t, "POST", "/v1/housekeeping/bookings", t->token, "hk-replay-1", body, NULL);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_false(a.replayed);
    assert_true(b.replayed);
    assert_string_equal(a.body, b.body);
    assert_int_equal(booked_of(slot), 1);
    hubtest_free(&a);
    hubtest_free(&b);

    /* The same key sent by several threads at once: one booking. */
    racer_t x[4];
    memset(x, 0, sizeof x);
    for (int i = 0; i < 4; i++) {
        x[i].t = t;
        x[i].token = t->token2;
        snprintf(x[i].key, sizeof x[i].key, "hk-replay-2");
        snprintf(x[i].body, sizeof x[i].body, "%s", body);
    }
    run_race(x, 4);
    int fresh = 0;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(x[i].status, 201);
        assert_string_equal(x[i].code, x[0].code);
        fresh += !x[i].replayed;
    }
    assert_int_equal(fresh, 1);
    assert_int_equal(booked_of(slot), 2);
    assert_int_equal(sql_int("SELECT count(*) FROM bookings WHERE slot_id = ?1", slot), 2);
}

static void cancel_own_not_yours_twice(void **state)
{
    hubtest_t *t = *state;
    long long slot = add_slot("deep_cleaning", hub_now() + 7 * DAY, 2, 0);
    hubtest_resp_t r = book(t, slot, "deep_cleaning", "周杰", "13566667777", NULL);
    assert_int_equal(r.status, 201);
    char code[16];
    snprintf(code, sizeof code, "%s", str_at(r.json, "booking.code"));
    hubtest_free(&r);
    assert_int_equal(booked_of(slot), 1);

    /* Someone else's phone, or an ID number the booking was not made with. */
    /* Someone else's booking answers exactly like a missing one. */
    hubtest_resp_t missing = cancel(t, "ZZZZZZZZ", "{\"phone\":\"13566667778\"}");
    assert_int_equal(missing.status, 404);
    r = cancel(t, code, "{\"phone\":\"13566667778\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, missing.body);
    hubtest_free(&r);
    hubtest_free(&missing);
    r = cancel(t, code, "{\"id_number\":\"11010519491231002X\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_booking");
    hubtest_free(&r);
    assert_int_equal(booked_of(slot), 1);

    /* Own: cancelled, the place given back. Again (the code typed grouped,
     * another key): 200, nothing changes. */
    r = cancel(t, code, "{\"phone\":\"13566667777\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "booking.status"), "cancelled");
    assert_true(num_at(r.json, "booking.cancelled") > 0);
    assert_int_equal((int)num_at(r.json, "booking.slot.left"), 2);
    hubtest_free(&r);
    assert_int_equal(booked_of(slot), 0);
    char grouped[24];
    snprintf(grouped, sizeof grouped, "%.3s-%s", code, code + 3);
    r = cancel(t, grouped, "{\"phone\":\"13566667777\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "booking.status"), "cancelled");
    hubtest_free(&r);
    assert_int_equal(booked_of(slot), 0);

    /* Unknown and impossible codes. */
    r = cancel(t, "ZZZZZZZZ", "{\"phone\":\"13566667777\"}");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_booking");
    hubtest_free(&r);
    r = cancel(t, "0OI1", "{\"phone\":\"13566667777\"}");
    assert_int_equal(r.status, 404);
    hubtest_free(&r);

    /* A booking whose slot has started cannot be cancelled any more. */
    long long started = add_slot("deep_cleaning", hub_now() - 600, 2, 1);
    add_booking("PAST2345", started, "周杰", "13566667777");
    r = cancel(t, "PAST2345", "{\"phone\":\"13566667777\"}");
    assert_int_equal(r.status, 409);
    assert_string_equal(hubtest_error_code(&r), "booking_past");
    hubtest_free(&r);
    assert_int_equal(booked_of(started), 1);
}

static void lookup_lists_upcoming_first(void **state)
{
    hubtest_t *t = *state;
    int64_t now = hub_now();
    const char *phone = "18800009999";
    long long later = add_slot("nanny", now + 9 * DAY, 1, 0);
    long long sooner = add_slot("nanny", now + 8 * DAY, 1, 0);
    long long past = add_slot("nanny", now - 2 * DAY, 1, 1);
    add_booking("PAST6789", past, "陈静", phone);
    hubtest_resp_t r = book(t, later, "nanny", "陈静", phone, NULL);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    r = book(t, sooner, "nanny", "陈静", phone, NULL);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
    /* Someone else's booking is not listed. */
    long long other = add_slot("nanny", now + 10 * DAY, 1, 0);
    r = book(t, other, "nanny", "陈静", "18800009998", NULL);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);

    /* A phone number alone is no proof: refused, whoever it belongs to. */
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", "{\"phone\":\"18800009999\"}");
    assert_int_equal(r.status, 422);
    assert_string_equal(hubtest_error_code(&r), "proof_required");
    hubtest_free(&r);
    /* Another phone's code, or a code that does not exist: nothing, as for a
     * phone without bookings. */
    hubtest_resp_t none = hubtest_post(t, "/v1/housekeeping/bookings/lookup",
                                       "{\"phone\":\"19900000000\",\"code\":\"ZZZZZZZZ\"}");
    assert_int_equal(none.status, 200);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup",
                     "{\"phone\":\"18800009998\",\"code\":\"PAST6789\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, none.body);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup",
                     "{\"phone\":\"18800009999\",\"code\":\"ZZZZZZZZ\"}");
    assert_string_equal(r.body, none.body);
    hubtest_free(&r);
    hubtest_free(&none);
    /* The phone with one of its codes: all its bookings. */
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", "{\"phone\":\"18800009999\",\"code\":\"past6789\"}");
    assert_int_equal(r.status, 200);
    const cJSON *list = hubtest_at(r.json, "bookings");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    assert_int_equal((long long)num_at(list, "0.slot.id"), sooner);
    assert_int_equal((long long)num_at(list, "1.slot.id"), later);
    assert_int_equal((long long)num_at(list, "2.slot.id"), past);
    assert_string_equal(str_at(list, "2.code"), "PAST6789");
    assert_string_equal(str_at(list, "0.phone"), "188****9999");
    hubtest_free(&r);

    /* By ID number; nothing found: []. */
    long long idslot = add_slot("elder_care", now + 11 * DAY, 2, 0);
    r = book(t, idslot, "elder_care", "林芳", NULL, "440301198001010018");
    assert_int_equal(r.status, 201);
    assert_true(cJSON_IsNull(hubtest_at(r.json, "booking.phone")));
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", "{\"id_number\":\"440301198001010018\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "bookings")), 1);
    assert_string_equal(str_at(r.json, "bookings.0.id_number"), "4403**********0018");
    hubtest_free(&r);
    /* The card lists the card's bookings only, not those of a phone sent beside it. */
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup",
                     "{\"id_number\":\"440301198001010018\",\"phone\":\"18800009999\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "bookings")), 1);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", "{\"id_number\":\"320102199001010037\"}");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "bookings")), 0);
    hubtest_free(&r);
}

/* Lookup as PHONE with CODE: the number of bookings listed (-1 if not 200). */
static int listed(hubtest_t *t, const char *phone, const char *code)
{
    char body[128];
    snprintf(body, sizeof body, "{\"phone\":\"%s\",\"code\":\"%s\"}", phone, code);
    hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", body);
    int n = r.status == 200 ? cJSON_GetArraySize(hubtest_at(r.json, "bookings")) : -1;
    hubtest_free(&r);
    return n;
}

static void codes_old_and_typed_forms(void **state)
{
    hubtest_t *t = *state;
    const char *phone = "13922223333";
    /* A booking made before the six-digit codes keeps its 8-character code. */
    long long old = add_slot("cleaning", hub_now() + 4 * DAY, 2, 1);
    add_booking("K7MQ4XRA", old, "李梅", phone);
    long long slot = add_slot("cleaning", hub_now() + 5 * DAY, 2, 0);
    hubtest_resp_t r = book(t, slot, "cleaning", "李梅", phone, NULL);
    assert_int_equal(r.status, 201);
    char code[16], form[24];
    snprintf(code, sizeof code, "%s", str_at(r.json, "booking.code"));
    hubtest_free(&r);

    assert_int_equal(listed(t, phone, code), 2);
    assert_int_equal(listed(t, phone, "K7MQ4XRA"), 2);
    assert_int_equal(listed(t, phone, "k7mq 4xra"), 2);
    snprintf(form, sizeof form, "%.3s %s", code, code + 3);
    assert_int_equal(listed(t, phone, form), 2);
    snprintf(form, sizeof form, "%.3s-%s", code, code + 3);
    assert_int_equal(listed(t, phone, form), 2);
    /* A wrong code, and what cannot be a code, find nothing. */
    snprintf(form, sizeof form, "%06d", code[5] == '9' ? atoi(code) - 1 : atoi(code) + 1);
    assert_int_equal(listed(t, phone, form), 0);
    assert_int_equal(listed(t, phone, "012345"), 0);
    assert_int_equal(listed(t, phone, "12345"), 0);
    assert_int_equal(listed(t, phone, "1234567"), 0);

    /* The old code cancels too, typed in two groups. */
    r = cancel(t, "K7MQ-4XRA", "{\"phone\":\"13922223333\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "booking.code"), "K7MQ4XRA");
    assert_string_equal(str_at(r.json, "booking.status"), "cancelled");
    hubtest_free(&r);
}

/* A phone's code cannot be guessed: every wrong code is a miss of the
 * device's audit (though the look-up answers an empty list) and counts
 * against the phone from any kiosk; the 10th in a day closes code proofs
 * for that phone (even the right code) until the oldest ages out. */
static void wrong_codes_close_the_phone(void **state)
{
    hubtest_t *t = *state;
    const char *phone = "13944445555";
    long long slot = add_slot("cleaning", hub_now() + 6 * DAY, 3, 0);
    hubtest_resp_t r = book(t, slot, "cleaning", "赵刚", phone, NULL);
    assert_int_equal(r.status, 201);
    char code[16], wrong[16];
    snprintf(code, sizeof code, "%s", str_at(r.json, "booking.code"));
    hubtest_free(&r);
    snprintf(wrong, sizeof wrong, "%06d", code[5] == '9' ? atoi(code) - 1 : atoi(code) + 1);

    long long misses = sql_int("SELECT count(*) FROM audit WHERE outcome = 'not_found'", 0);
    for (int i = 0; i < 9; i++) assert_int_equal(listed(t, phone, wrong), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE outcome = 'not_found'", 0), misses + 9);
    assert_int_equal(listed(t, phone, code), 1);            /* the right one still works */
    r = cancel(t, wrong, "{\"phone\":\"13944445555\"}");  /* the 10th: a wrong cancel */
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    assert_int_equal(sql_int("SELECT count(*) FROM audit WHERE outcome = 'not_found'", 0), misses + 10);

    /* Closed: even the right code, for look-up and cancel. */
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", "{\"phone\":\"13944445555\",\"code\":\"123456\"}");
    assert_int_equal(r.status, 429);
    assert_string_equal(hubtest_error_code(&r), "too_many_wrong_codes");
    assert_true(r.retry_after > 0 && r.retry_after <= DAY);
    hubtest_free(&r);
    assert_int_equal(listed(t, phone, code), -1);
    r = cancel(t, code, "{\"phone\":\"13944445555\"}");
    assert_int_equal(r.status, 429);
    hubtest_free(&r);
    assert_int_equal(booked_of(slot), 1);
    /* Other phones are not affected; the table holds no phone in clear. */
    assert_int_equal(listed(t, "13944445556", wrong), 0);
    assert_int_equal(sql_int("SELECT count(*) FROM proof_misses WHERE key LIKE '%13944445555%'", 0), 0);

    /* A day later the oldest misses have aged out: open again. */
    assert_int_equal(sqlite3_exec(db_thread(), "UPDATE proof_misses SET time = time - 86400", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(listed(t, phone, code), 1);
}

static void bad_input_is_refused(void **state)
{
    hubtest_t *t = *state;
    int64_t now = hub_now();
    long long slot = add_slot("cleaning", now + 12 * DAY, 2, 0);
    long long started = add_slot("cleaning", now - 60, 2, 0);
    char s[64], st[64];
    snprintf(s, sizeof s, "\"slot_id\":%lld,\"service_id\":\"cleaning\"", slot);
    snprintf(st, sizeof st, "\"slot_id\":%lld,\"service_id\":\"cleaning\"", started);
    struct { char body[256]; int status; const char *code; } cases[32];
    int n = 0;
#define CASE(st_, code_, ...) do { snprintf(cases[n].body, sizeof cases[n].body, __VA_ARGS__); \
        cases[n].status = st_; cases[n].code = code_; n++; } while (0)
    CASE(422, "missing_field", "{\"service_id\":\"cleaning\",\"name\":\"张三\",\"phone\":\"13800000000\"}");
    CASE(422, "missing_field", "{\"slot_id\":%lld,\"name\":\"张三\",\"phone\":\"13800000000\"}", slot);
    CASE(422, "missing_field", "{%s,\"phone\":\"13800000000\"}", s);
    CASE(422, "missing_field", "{%s,\"name\":\"张三\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"phone\":\"1380000000\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"phone\":\"23800000000\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"phone\":\"1380000000a\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"phone\":13800000000}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"id_number\":\"110105194912310021\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"id_number\":\"11010519491231002\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"张三\",\"phone\":\"13800000000\",\"id_number\":\"110105194912310021\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"\",\"phone\":\"13800000000\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"   \",\"phone\":\"13800000000\"}", s);
    CASE(422, "invalid_field", "{%s,\"name\":\"一二三四五六七八九十一\",\"phone\":\"13800000000\"}", s);
    CASE(422, "invalid_field", "{\"slot_id\":\"1\",\"service_id\":\"cleaning\",\"name\":\"张三\",\"phone\":\"13800000000\"}");
    CASE(422, "invalid_field", "{\"slot_id\":1.5,\"service_id\":\"cleaning\",\"name\":\"张三\",\"phone\":\"13800000000\"}");
    CASE(404, "unknown_slot", "{\"slot_id\":999999999,\"service_id\":\"cleaning\",\"name\":\"张三\",\"phone\":\"13800000000\"}");
    CASE(422, "slot_service_mismatch", "{\"slot_id\":%lld,\"service_id\":\"plumbing\",\"name\":\"张三\",\"phone\":\"13800000000\"}", slot);
    CASE(422, "slot_service_mismatch", "{\"slot_id\":%lld,\"service_id\":\"no_such\",\"name\":\"张三\",\"phone\":\"13800000000\"}", slot);
    CASE(409, "slot_past", "{%s,\"name\":\"张三\",\"phone\":\"13800000000\"}", st);
#undef CASE
    for (int i = 0; i < n; i++) {
        hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings", cases[i].body);
        if (r.status != cases[i].status || strcmp(hubtest_error_code(&r), cases[i].code) != 0)
            fail_msg("case %d %s: got %d %s", i, cases[i].body, r.status, r.body);
        hubtest_free(&r);
    }
    assert_int_equal(booked_of(slot), 0);
    assert_int_equal(booked_of(started), 0);

    /* Lookup and cancel need a well-formed phone or ID number. */
    const char *ids[][3] = {{"{}", "missing_field", "422"}, {"{\"phone\":\"12345\",\"code\":\"ABCDEFGH\"}", "invalid_field", "422"},
                            {"{\"id_number\":\"110105194912310021\"}", "invalid_field", "422"}};
    for (int i = 0; i < 3; i++) {
        hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", ids[i][0]);
        assert_int_equal(r.status, atoi(ids[i][2]));
        assert_string_equal(hubtest_error_code(&r), ids[i][1]);
        hubtest_free(&r);
        r = cancel(t, "ABCDEFGH", ids[i][0]);
        assert_int_equal(r.status, atoi(ids[i][2]));
        assert_string_equal(hubtest_error_code(&r), ids[i][1]);
        hubtest_free(&r);
    }

    /* Slots: missing parameters, bad dates, unknown service. */
    char date[11];
    cst_date(now + DAY, date);
    struct { char path[128]; int status; const char *code; } q[8];
    int m = 0;
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?date=%s", date);
    q[m].status = 422, q[m++].code = "missing_field";
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?service=cleaning");
    q[m].status = 422, q[m++].code = "missing_field";
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?service=cleaning&date=2026-02-30");
    q[m].status = 422, q[m++].code = "invalid_field";
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?service=cleaning&date=tomorrow");
    q[m].status = 422, q[m++].code = "invalid_field";
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?service=cleaning&date=2026-1-05");
    q[m].status = 422, q[m++].code = "invalid_field";
    snprintf(q[m].path, sizeof q[m].path, "/v1/housekeeping/slots?service=window_washing&date=%s", date);
    q[m].status = 404, q[m++].code = "unknown_service";
    for (int i = 0; i < m; i++) {
        hubtest_resp_t r = hubtest_get(t, q[i].path);
        if (r.status != q[i].status || strcmp(hubtest_error_code(&r), q[i].code) != 0)
            fail_msg("%s: got %d %s", q[i].path, r.status, r.body);
        hubtest_free(&r);
    }

    /* Every endpoint needs a device token. */
    hubtest_resp_t r = hubtest_req(t, "GET", "/v1/housekeeping/services", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
}

static void empty_hub_has_an_empty_catalogue(void **state)
{
    hubtest_t *t = hubtest_start(false);
    hubtest_resp_t r = hubtest_get(t, "/v1/housekeeping/services");
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "services")), 0);
    hubtest_free(&r);
    r = hubtest_get(t, "/v1/housekeeping/slots?service=cleaning&date=2026-12-01");
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_service");
    hubtest_free(&r);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_lists_services_and_providers),
        cmocka_unit_test(slots_by_day_are_future_only),
        cmocka_unit_test(booking_gets_a_code_and_takes_a_place),
        cmocka_unit_test(personal_data_is_masked),
        cmocka_unit_test(full_slot_offers_alternatives),
        cmocka_unit_test(last_place_goes_to_exactly_one),
        cmocka_unit_test(replay_never_books_twice),
        cmocka_unit_test(cancel_own_not_yours_twice),
        cmocka_unit_test(lookup_lists_upcoming_first),
        cmocka_unit_test(codes_old_and_typed_forms),
        cmocka_unit_test(wrong_codes_close_the_phone),
        cmocka_unit_test(bad_input_is_refused),
    };
    const struct CMUnitTest solo[] = {
        cmocka_unit_test(empty_hub_has_an_empty_catalogue),
    };
    int rc = cmocka_run_group_tests_name("hub_housekeeping", tests, setup, teardown);
    return rc + cmocka_run_group_tests_name("hub_housekeeping_nodemo", solo, NULL, NULL);
}
