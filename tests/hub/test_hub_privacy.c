/* Residents' data at rest (hub/pii.c, hub/retention.c): after the demo data
 * is seeded and residents book, register and ask for help, no column of
 * any table holds a name, phone or ID number in clear; the database, its
 * -wal/-shm and the key file are 0600; a key file others can read stops
 * the hub; a database of an older hub is converted by its migration; the
 * retention pass removes old records (the hub's clock moved with
 * hub_time_shift, never the real one). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "db.h"
#include "hubtest.h"
#include "pii.h"
#include "retention.h"

#define DAY 86400

/* The code of a new booking of the first free future slot, made with NAME,
 * PHONE and ID_NUMBER (either may be NULL). */
static void book(hubtest_t *t, const char *name, const char *phone, const char *idn, char code[16])
{
    char sql[200], body[400];
    snprintf(sql, sizeof sql, "SELECT id || ',' || service_id FROM slots WHERE booked < capacity"
             " AND start > %lld ORDER BY start LIMIT 1", (long long)hub_now());
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db_thread(), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char slot[80];
    snprintf(slot, sizeof slot, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    char *comma = strchr(slot, ',');
    *comma = '\0';
    int n = snprintf(body, sizeof body, "{\"slot_id\":%s,\"service_id\":\"%s\",\"name\":\"%s\"", slot,
                     comma + 1, name);
    if (phone) n += snprintf(body + n, sizeof body - n, ",\"phone\":\"%s\"", phone);
    if (idn) n += snprintf(body + n, sizeof body - n, ",\"id_number\":\"%s\"", idn);
    snprintf(body + n, sizeof body - n, "}");
    hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings", body);
    if (r.status != 201) fail_msg("booking: %d %s", r.status, r.body);
    snprintf(code, 16, "%s", hubtest_at(r.json, "booking.code")->valuestring);
    hubtest_free(&r);
}

static long long first_event(void)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM content WHERE kind IN ('event','lecture') AND places > registered"
             " AND starts > %lld ORDER BY starts LIMIT 1", (long long)hub_now());
    return db_int(db_thread(), sql, NULL, -1);
}

static void register_for(hubtest_t *t, long long ev, const char *name, const char *phone)
{
    char path[64], body[160];
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", ev);
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"phone\":\"%s\"}", name, phone);
    hubtest_resp_t r = hubtest_post(t, path, body);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
}

static void help_with_contact(hubtest_t *t, const char *phone)
{
    char body[160];
    snprintf(body, sizeof body, "{\"location\":\"大厅\",\"contact\":\"%s\",\"consent\":true}", phone);
    hubtest_resp_t r = hubtest_post(t, "/v1/help", body);
    assert_int_equal(r.status, 201);
    hubtest_free(&r);
}

/* Fails if any text or blob of any table of the database at PATH (read as
 * anyone with the file would: a plain connection, no key) holds NEEDLE. */
static void assert_nowhere(const char *path, const char *needle)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *tables = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                                        &tables, NULL), SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", (const char *)sqlite3_column_text(tables, 0));
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *v = sqlite3_column_text(st, c);
                if (v && strstr((const char *)v, needle))
                    fail_msg("table %s, column %s holds \"%s\" in clear", sqlite3_column_text(tables, 0),
                             sqlite3_column_name(st, c), needle);
            }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
}

static void mode_is(const char *path, unsigned want)
{
    struct stat sb;
    if (stat(path, &sb) != 0) fail_msg("%s: missing", path);
    if ((sb.st_mode & 0777) != want) fail_msg("%s: mode %03o, not %03o", path, sb.st_mode & 0777, want);
}

static void nothing_in_clear_and_files_private(void **state)
{
    hubtest_t *t = hubtest_start(true);
    char code[16], db[128], p[160];
    book(t, "欧阳明华", "13911112222", NULL, code);
    book(t, "林小芳", NULL, "320102199001010037", code);
    register_for(t, first_event(), "何晓东", "13633334444");
    help_with_contact(t, "13755556666");
    snprintf(db, sizeof db, "%s/hub.db", t->dir);
    /* What was just sent. */
    static const char *const sent[] = {"欧阳明华", "13911112222", "林小芳", "320102199001010037",
                                       "1990010100", "何晓东", "13633334444", "13755556666"};
    for (size_t i = 0; i < sizeof sent / sizeof *sent; i++) assert_nowhere(db, sent[i]);
    /* Every name, ID number and phone of the demo residents, and the holders. */
    sqlite3 *clear = NULL;
    assert_int_equal(sqlite3_open_v2(t->clear_db, &clear, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(clear, "SELECT name FROM residents UNION SELECT id_number FROM residents"
                                        " UNION SELECT phone FROM residents UNION SELECT holder FROM accounts"
                                        " UNION SELECT address FROM accounts",
                                        -1, &st, NULL), SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_nowhere(db, (const char *)sqlite3_column_text(st, 0));
        n++;
    }
    assert_true(n > 20);
    sqlite3_finalize(st);
    sqlite3_close(clear);
    /* The API still finds the residents by what they show. */
    char body[96];
    snprintf(body, sizeof body, "{\"id_number\":\"320102199001010037\"}");
    hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", body);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "bookings")), 1);
    assert_string_equal(hubtest_at(r.json, "bookings.0.name")->valuestring, "林*芳");
    assert_string_equal(hubtest_at(r.json, "bookings.0.id_number")->valuestring, "3201**********0037");
    hubtest_free(&r);

    /* Files: the database, its -wal and -shm, the key: this user's only. */
    mode_is(t->dir, 0700);
    mode_is(db, 0600);
    snprintf(p, sizeof p, "%s-wal", db);
    mode_is(p, 0600);
    snprintf(p, sizeof p, "%s-shm", db);
    mode_is(p, 0600);
    snprintf(p, sizeof p, "%s.key", db);
    mode_is(p, 0600);
    snprintf(p, sizeof p, "%s.rescode.key", db);
    mode_is(p, 0600);
    /* Addresses are sealed, and still shown masked. */
    r = hubtest_get(t, "/v1/bills?utility=water&account=3702031056");
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "accounts.0.address")->valuestring, "幸福里小区3号楼****");
    hubtest_free(&r);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM accounts WHERE address NOT LIKE 's1:%'", NULL, -1), 0);
    hubtest_stop(t);
}

/* A key file group or others can read stops the hub, with a clear message. */
static void key_readable_by_others_is_refused(void **state)
{
    char dir[] = "/tmp/hub-key-XXXXXX", db[96], key[96], err[600] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/hub.db", dir);
    snprintf(key, sizeof key, "%s/hub.db.key", dir);
    assert_int_equal(db_init(db, err, sizeof err), 0);
    db_close_all();
    mode_is(key, 0600);
    assert_int_equal(chmod(key, 0640), 0);
    assert_int_equal(db_init(db, err, sizeof err), -1);
    if (!strstr(err, "readable by others")) fail_msg("the error says: %s", err);
    assert_int_equal(chmod(key, 0600), 0);
    assert_int_equal(db_init(db, err, sizeof err), 0);
    db_close_all();
    /* A key that is not one. */
    FILE *fp = fopen(key, "w");
    fputs("not a key\n", fp);
    fclose(fp);
    assert_int_equal(db_init(db, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a key file"));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A database written by a hub before migration 6 (clear columns, no hash
 * columns) is converted when a new hub opens it. */
static void old_database_is_converted(void **state)
{
    char dir[] = "/tmp/hub-mig-XXXXXX", db[96], err[600] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/hub.db", dir);
    assert_int_equal(db_init(db, err, sizeof err), 0);
    sqlite3 *h = db_thread();
    /* Back to schema 6, as an older hub left it, with residents' data in clear. */
    assert_int_equal(db_exec(h,
        "DROP INDEX residents_id_hash; DROP INDEX bookings_phone_hash; DROP INDEX bookings_id_hash;"
        "DROP INDEX event_registrations_phone; DROP INDEX bookings_created;"
        "DROP INDEX event_registrations_created; DROP INDEX help_requests_created;"
        "DROP TABLE audit; DROP TABLE audit_alerts; DROP TABLE rescodes;"
        "DROP TRIGGER order_bills_one_open; DROP TABLE writeoffs; DROP TABLE refunds; ALTER TABLE bills DROP COLUMN ext_ref;"
        "DROP INDEX orders_device_no; ALTER TABLE orders DROP COLUMN device_no;"
        /* migration 25 (proof misses) */
        "DROP TABLE proof_misses;"
        /* migration 24 (console english; its notices and items columns go with their tables) */
        "ALTER TABLE content DROP COLUMN places_of;"
        /* migration 23 (console pictures; its notices column goes with migration 16's table) */
        "DROP TABLE console_pictures;"
        /* migration 22 (console items) */
        "DROP TABLE console_items;"
        /* migration 21 (command redelivery) */
        "ALTER TABLE commands DROP COLUMN deliveries;"
        /* migration 20 (console devices) */
        "DROP TABLE console_devices; ALTER TABLE console_failures DROP COLUMN device;"
        /* migration 19 (console playlists) */
        "DROP TABLE console_playlists; ALTER TABLE content DROP COLUMN kiosk_groups;"
        /* migration 18 (content generation) */
        "DROP TRIGGER content_gen_ins; DROP TRIGGER content_gen_upd; DROP TRIGGER content_gen_del;"
        "DROP TABLE content_gen;"
        /* migration 16 (staff console), newer than this old database too */
        "DROP TABLE console_sessions; DROP TABLE console_failures; DROP TABLE console_changes;"
        "DROP TABLE console_alerts; DROP TABLE console_notices; DROP TABLE staff;"
        "ALTER TABLE devices DROP COLUMN kiosk_group;"
        /* migration 17 (community scope) */
        "ALTER TABLE devices DROP COLUMN community; ALTER TABLE accounts DROP COLUMN community;"
        "ALTER TABLE residents DROP COLUMN id_hash; ALTER TABLE residents DROP COLUMN phone_hash;"
        "ALTER TABLE bookings DROP COLUMN phone_hash; ALTER TABLE bookings DROP COLUMN id_hash;"
        "ALTER TABLE bookings DROP COLUMN id_masked; ALTER TABLE event_registrations DROP COLUMN phone_hash;"
        "INSERT INTO residents(name, id_number, phone) VALUES('张建国', '370203196803120315', '13800001111');"
        "INSERT INTO accounts(utility, account_no, resident_id, holder, address)"
        "  VALUES('water', '3702031056', 1, '张建国', '幸福里小区3号楼2单元501');"
        "INSERT INTO services VALUES('cleaning', '保洁', 'Cleaning', '', '', 100, 60);"
        "INSERT INTO providers VALUES(1, 'cleaning', '李阿姨家政', 4.8);"
        "INSERT INTO slots VALUES(1, 'cleaning', 1, 1795920000, 1795923600, 2, 1);"
        "INSERT INTO bookings(code, slot_id, device, name, phone, id_number, status, created)"
        "  VALUES('OLD23456', 1, 'k', '王秀英', '13700001234', '370203196803120315', 'confirmed', 1);"
        "INSERT INTO content(id, kind, category, locale, title, body, published, places, registered)"
        "  VALUES(1, 'event', 'c', 'zh_CN', 't', 'b', 1, 5, 1);"
        "INSERT INTO event_registrations(content_id, device, name, phone, created)"
        "  VALUES(1, 'k', '何晓东', '13633334444', 1);"
        "INSERT INTO help_requests(device, location, contact, created) VALUES('k', 'hall', '13755556666', 1);"
        "PRAGMA user_version = 6;"), 0);
    db_close_all();
    assert_int_equal(db_init(db, err, sizeof err), 0);
    h = db_thread();
    assert_true(db_int(h, "PRAGMA user_version", NULL, 0) >= 8);
    static const char *const clear[] = {"张建国", "370203196803120315", "13800001111", "王秀英",
                                        "13700001234", "何晓东", "13633334444", "13755556666",
                                        "幸福里小区3号楼2单元501"};
    for (size_t i = 0; i < sizeof clear / sizeof *clear; i++) assert_nowhere(db, clear[i]);
    /* ... and still found and shown. */
    assert_int_equal(db_int(h, "SELECT count(*) FROM residents WHERE id_hash = pii_hash('id', ?1)",
                            "370203196803120315", -1), 1);
    assert_int_equal(db_int(h, "SELECT count(*) FROM bookings WHERE code = 'OLD23456' AND"
                               " pii_open(name) = '王秀英' AND phone_hash = pii_hash('phone', ?1)"
                               " AND id_masked = '3702**********0315'", "13700001234", -1), 1);
    assert_int_equal(db_int(h, "SELECT count(*) FROM event_registrations WHERE"
                               " phone_hash = pii_hash('phone', ?1)", "13633334444", -1), 1);
    assert_int_equal(db_int(h, "SELECT count(*) FROM help_requests WHERE pii_open(contact) = ?1",
                            "13755556666", -1), 1);
    assert_int_equal(db_int(h, "SELECT count(*) FROM accounts WHERE pii_open(holder) = ?1", "张建国", -1), 1);
    assert_int_equal(db_int(h, "SELECT count(*) FROM accounts WHERE pii_open(address) = ?1",
                            "幸福里小区3号楼2单元501", -1), 1);
    db_close_all();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static long long count_of(const char *sql, const char *param)
{
    return db_int(db_thread(), sql, param, -1);
}

/* Old records go; recent ones stay. The clock is the hub's, moved. */
static void retention_purges_old_records(void **state)
{
    hubtest_t *t = hubtest_start(true);
    const hub_config_t *cfg = hub_config(t->hub);
    char code[16];
    book(t, "欧阳明华", "13911112222", NULL, code);
    long long ev = first_event();
    register_for(t, ev, "何晓东", "13633334444");
    help_with_contact(t, "13755556666");
    assert_true(count_of("SELECT count(*) FROM idempotency", NULL) >= 3);

    /* Nothing is old yet. */
    assert_int_equal(retention_purge(db_thread(), cfg, hub_now()), 0);
    assert_int_equal(count_of("SELECT count(*) FROM bookings WHERE code = ?1", code), 1);

    /* Three days on: only the idempotency records (kept 48 hours) go. */
    hub_time_shift(3 * DAY);
    assert_true(retention_purge(db_thread(), cfg, hub_now()) >= 3);
    assert_int_equal(count_of("SELECT count(*) FROM idempotency", NULL), 0);
    assert_int_equal(count_of("SELECT count(*) FROM bookings WHERE code = ?1", code), 1);
    assert_int_equal(count_of("SELECT count(*) FROM help_requests WHERE contact IS NOT NULL", NULL), 1);

    /* 200 days on: the booking (its slot ended over 180 days ago), the
     * registration (the event started over 90 days ago) and the help
     * request's phone (30 days) are gone; the request itself and the
     * counts of places stay. */
    char id[24];
    snprintf(id, sizeof id, "%lld", ev);
    long long registered = count_of("SELECT registered FROM content WHERE id = ?1", id);
    assert_true(registered >= 1);
    hub_time_shift(197 * DAY);
    assert_true(retention_purge(db_thread(), cfg, hub_now()) >= 3);
    assert_int_equal(count_of("SELECT count(*) FROM bookings WHERE code = ?1", code), 0);
    assert_int_equal(count_of("SELECT count(*) FROM event_registrations WHERE content_id = ?1", id), 0);
    assert_int_equal(count_of("SELECT count(*) FROM help_requests WHERE contact IS NOT NULL", NULL), 0);
    assert_true(count_of("SELECT count(*) FROM help_requests", NULL) >= 1);
    assert_int_equal(count_of("SELECT registered FROM content WHERE id = ?1", id), registered);
    hub_time_shift(-200 * DAY);

    /* The periodic pass starts and stops cleanly. */
    retention_t *r = retention_start(cfg);
    assert_non_null(r);
    retention_stop(r);
    hubtest_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_in_clear_and_files_private),
        cmocka_unit_test(key_readable_by_others_is_refused),
        cmocka_unit_test(old_database_is_converted),
        cmocka_unit_test(retention_purges_old_records),
    };
    return cmocka_run_group_tests_name("hub_privacy", tests, NULL, NULL);
}
