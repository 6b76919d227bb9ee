/* Community resident codes (hub/rescodes.c) against a real hub: staff issue
 * a code, a kiosk's verification identifies the resident and finds their
 * bills; forged, tampered, malformed, unknown, revoked, superseded and
 * expired codes are all refused with one answer while the audit log says
 * which, and never holds the code's MAC; and, against a build/hub process
 * with its own hub.ini, the CLI issues and revokes codes and a burst of
 * verifications is throttled like any look-up of residents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "auth.h"
#include "db.h"
#include "hubtest.h"
#include "rescode.h"

#define DEMO_ID "370203196803120315"        /* 张*国, account 3702031056 (hub/demo/bills.sql) */
#define DEMO_TOKEN "demo-01.0000000000000000000000000000000000000000000000000000000000000001"

static char staff[AUTH_TOKEN_MAX];

static hubtest_t *start(void)
{
    hubtest_t *t = hubtest_start(true);
    assert_int_equal(auth_staff_add(db_thread(), "desk", staff, sizeof staff), 0);
    return t;
}

static hubtest_resp_t staff_post(hubtest_t *t, const char *path, const char *body)
{
    static int seq;
    char key[32];
    snprintf(key, sizeof key, "staff-%d", ++seq);
    return hubtest_req(t, "POST", path, staff, key, body, NULL);
}

/* Issues a code for the demo resident (valid DAYS) into PAYLOAD. */
static void issue(hubtest_t *t, int days, char payload[RESCODE_MAX + 1])
{
    char body[120];
    snprintf(body, sizeof body, "{\"id_number\":\"%s\",\"days\":%d}", DEMO_ID, days);
    hubtest_resp_t r = staff_post(t, "/v1/admin/rescodes", body);
    if (r.status != 201) fail_msg("issue: %d %s", r.status, r.body);
    snprintf(payload, RESCODE_MAX + 1, "%s", hubtest_at(r.json, "payload")->valuestring);
    rescode_t c;
    assert_int_equal(rescode_parse(payload, strlen(payload), &c, NULL), 0);
    assert_string_equal(c.code, hubtest_at(r.json, "code")->valuestring);
    assert_int_equal(c.expires - c.issued, (long long)days * 86400);
    hubtest_free(&r);
}

static hubtest_resp_t identify(hubtest_t *t, const char *payload)
{
    char body[300];
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", payload);
    return hubtest_post(t, "/v1/identify/rescode", body);
}

static void issued_code_identifies_and_finds_bills(void **state)
{
    hubtest_t *t = start();
    char payload[RESCODE_MAX + 1];
    issue(t, 365, payload);
    hubtest_resp_t r = identify(t, payload);
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "resident.name")->valuestring, "张*国");
    assert_string_equal(hubtest_at(r.json, "resident.ref")->valuestring, "R1");
    assert_null(strstr(r.body, DEMO_ID));
    hubtest_free(&r);

    char body[300];
    snprintf(body, sizeof body, "{\"by\":\"rescode\",\"code\":\"%s\"}", payload);
    r = hubtest_post(t, "/v1/bills/lookup", body);
    assert_int_equal(r.status, 200);
    assert_string_equal(hubtest_at(r.json, "accounts.0.account")->valuestring, "3702031056");
    assert_string_equal(hubtest_at(r.json, "accounts.0.holder")->valuestring, "张*国");
    /* The same accounts as the ID card finds. */
    snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", DEMO_ID);
    hubtest_resp_t byid = hubtest_post(t, "/v1/bills/lookup", body);
    assert_int_equal(byid.status, 200);
    assert_int_equal(cJSON_GetArraySize(hubtest_at(r.json, "accounts")),
                     cJSON_GetArraySize(hubtest_at(byid.json, "accounts")));
    hubtest_free(&byid);
    hubtest_free(&r);

    /* Staff input is checked: neither or both ways of naming the resident,
     * an unknown one, a kiosk's token. */
    r = staff_post(t, "/v1/admin/rescodes", "{}");
    assert_int_equal(r.status, 422);
    hubtest_free(&r);
    r = staff_post(t, "/v1/admin/rescodes", "{\"resident\":99999}");
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    r = hubtest_post(t, "/v1/admin/rescodes", "{\"resident\":1}");
    assert_int_equal(r.status, 401);
    hubtest_free(&r);
    hubtest_stop(t);
}

/* The refusals of PAYLOADS, each with the audit detail expected. */
static void refusals_look_alike_but_are_audited(void **state)
{
    hubtest_t *t = start();
    char good[RESCODE_MAX + 1], old[RESCODE_MAX + 1], revoked[RESCODE_MAX + 1], gone[RESCODE_MAX + 1];
    char forged[RESCODE_MAX + 1], tampered[RESCODE_MAX + 1], shortlived[RESCODE_MAX + 1];
    issue(t, 365, old);
    issue(t, 365, revoked);                  /* supersedes OLD */
    rescode_t c;
    assert_int_equal(rescode_parse(revoked, strlen(revoked), &c, NULL), 0);
    char path[80];
    snprintf(path, sizeof path, "/v1/admin/rescodes/%s/revoke", c.code);
    hubtest_resp_t r = staff_post(t, path, "{}");
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    r = staff_post(t, path, "{}");           /* twice: no live code left */
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    issue(t, 365, gone);
    assert_int_equal(rescode_parse(gone, strlen(gone), &c, NULL), 0);
    char sql[120];
    snprintf(sql, sizeof sql, "DELETE FROM rescodes WHERE code = '%s'", c.code);
    assert_int_equal(db_exec(db_thread(), sql), 0);
    issue(t, 1, shortlived);
    issue(t, 365, good);                     /* supersedes SHORTLIVED too */
    /* A MAC changed in one digit; fields changed under a valid MAC. */
    snprintf(forged, sizeof forged, "%s", good);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(rescode_parse(good, strlen(good), &c, NULL), 0);
    c.expires += 86400 * 365;
    assert_true(rescode_format(&c, tampered, sizeof tampered) > 0);

    r = identify(t, good);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    static const char *const detail[] = {"forged", "forged", "malformed", "unknown", "revoked", "superseded"};
    const char *bad[] = {forged, tampered, "XFL-RES:1:nonsense", gone, revoked, old};
    char first[300] = "";
    for (int i = 0; i < 6; i++) {
        r = identify(t, bad[i]);
        if (r.status != 404) fail_msg("%s code answered %d", detail[i], r.status);
        if (!first[0]) snprintf(first, sizeof first, "%s", r.body);
        assert_string_equal(r.body, first);  /* the device cannot tell them apart */
        hubtest_free(&r);
    }
    /* Expired: the clock moves past a day-long code (reissued: GOOD
     * superseded it) and a year-long one. */
    issue(t, 1, shortlived);
    hub_time_shift(2 * 86400);
    r = identify(t, shortlived);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, first);
    hubtest_free(&r);
    hub_time_shift(-2 * 86400);

    r = hubtest_req(t, "GET", "/v1/admin/audit?since=0", staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *entries = hubtest_at(r.json, "entries");
    assert_int_equal(cJSON_GetArraySize(entries), 8);
    assert_string_equal(hubtest_at(cJSON_GetArrayItem(entries, 0), "detail")->valuestring, "found");
    for (int i = 0; i < 6; i++) {
        const cJSON *e = cJSON_GetArrayItem(entries, i + 1);
        assert_string_equal(hubtest_at(e, "kind")->valuestring, "rescode");
        assert_string_equal(hubtest_at(e, "outcome")->valuestring, "not_found");
        assert_string_equal(hubtest_at(e, "detail")->valuestring, detail[i]);
    }
    assert_string_equal(hubtest_at(cJSON_GetArrayItem(entries, 7), "detail")->valuestring, "expired");
    /* Never a code's MAC, in the audit or anywhere in the database. */
    assert_int_equal(rescode_parse(good, strlen(good), &c, NULL), 0);
    assert_null(strstr(r.body, c.mac));
    hubtest_free(&r);
    /* The hub keeps no MAC of its own: the codes' rows and the audit hold
     * none (the staff answer that carried the payload is kept only as its
     * idempotency record, for a retried issue, until retain_idempotency_hours). */
    char sql2[300];
    snprintf(sql2, sizeof sql2, "SELECT (SELECT count(*) FROM rescodes WHERE code || resident_id || issued_by"
             " LIKE '%%%s%%') + (SELECT count(*) FROM audit WHERE kind || outcome || coalesce(detail, '')"
             " LIKE '%%%s%%')", c.mac, c.mac);
    assert_int_equal(db_int(db_thread(), sql2, NULL, -1), 0);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM pragma_table_info('rescodes') WHERE name LIKE '%mac%'",
                            NULL, -1), 0);
    hubtest_stop(t);
}

/* A code of another hub (another key) is forged here. */
static void another_hubs_code_is_forged(void **state)
{
    hubtest_t *t = start();
    char payload[RESCODE_MAX + 1];
    issue(t, 365, payload);
    hubtest_stop(t);
    t = start();                              /* a fresh database and key */
    hubtest_resp_t r = identify(t, payload);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    r = hubtest_req(t, "GET", "/v1/admin/audit?since=0", staff, NULL, NULL, NULL);
    assert_string_equal(hubtest_at(r.json, "entries.0.detail")->valuestring, "forged");
    hubtest_free(&r);
    hubtest_stop(t);
}

/* Housekeeping: the code stands for the ID card. A booking made with it is
 * in the resident's name (from the hub's record, not the kiosk's), found
 * by the code and by the card alike, and cancelled with the code; a code
 * the hub does not take proves nothing, and every check is audited. */
static void code_books_lists_and_cancels(void **state)
{
    hubtest_t *t = start();
    char payload[RESCODE_MAX + 1], body[400];
    issue(t, 365, payload);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM slots WHERE service_id = 'cleaning' AND start > %lld"
             " AND booked < capacity ORDER BY start LIMIT 1", (long long)hub_now());
    long long slot = db_int(db_thread(), sql, NULL, -1);
    assert_true(slot > 0);
    snprintf(body, sizeof body, "{\"slot_id\":%lld,\"service_id\":\"cleaning\",\"name\":\"居民\","
             "\"rescode\":\"%s\"}", slot, payload);
    hubtest_resp_t r = hubtest_post(t, "/v1/housekeeping/bookings", body);
    if (r.status != 201) fail_msg("book: %d %s", r.status, r.body);
    char code[16];
    snprintf(code, sizeof code, "%s", hubtest_at(r.json, "booking.code")->valuestring);
    assert_non_null(strstr(r.body, "张*国"));          /* the resident's own name, masked */
    hubtest_free(&r);

    snprintf(body, sizeof body, "{\"rescode\":\"%s\"}", payload);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, code));
    hubtest_free(&r);
    snprintf(body, sizeof body, "{\"id_number\":\"%s\"}", DEMO_ID);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, code));            /* the card finds it too */
    hubtest_free(&r);

    /* A forged code: refused, and no booking made or listed with it. */
    char forged[RESCODE_MAX + 1];
    snprintf(forged, sizeof forged, "%s", payload);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
    snprintf(body, sizeof body, "{\"rescode\":\"%s\"}", forged);
    r = hubtest_post(t, "/v1/housekeeping/bookings/lookup", body);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_resident");
    hubtest_free(&r);
    long long before = db_int(db_thread(), "SELECT count(*) FROM bookings", NULL, -1);
    snprintf(body, sizeof body, "{\"slot_id\":%lld,\"service_id\":\"cleaning\",\"name\":\"x\","
             "\"rescode\":\"%s\"}", slot, forged);
    r = hubtest_post(t, "/v1/housekeeping/bookings", body);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM bookings", NULL, -1), before);
    char path_buf[80];
    snprintf(path_buf, sizeof path_buf, "/v1/housekeeping/bookings/%s/cancel", code);
    snprintf(body, sizeof body, "{\"rescode\":\"%s\"}", forged);
    r = hubtest_post(t, path_buf, body);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);

    /* Cancelled with the code. */
    snprintf(body, sizeof body, "{\"rescode\":\"%s\"}", payload);
    r = hubtest_post(t, path_buf, body);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "cancelled"));
    hubtest_free(&r);

    r = hubtest_req(t, "GET", "/v1/admin/audit?since=0", staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"kind\":\"booking_rescode\",\"outcome\":\"found\",\"detail\":\"found\""));
    assert_non_null(strstr(r.body, "\"kind\":\"booking_rescode\",\"outcome\":\"not_found\",\"detail\":\"forged\""));
    assert_non_null(strstr(r.body, "\"kind\":\"booking\",\"outcome\":\"not_found\",\"detail\":\"forged\""));
    hubtest_free(&r);
    hubtest_stop(t);
}

/* An event registration with the code is in the resident's own name. */
static void code_registers_in_the_residents_name(void **state)
{
    hubtest_t *t = start();
    char payload[RESCODE_MAX + 1], body[400], path[80];
    issue(t, 365, payload);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT id FROM content WHERE kind IN ('event','lecture') AND places > registered"
             " AND (starts IS NULL OR starts > %lld) ORDER BY id LIMIT 1", (long long)hub_now());
    long long ev = db_int(db_thread(), sql, NULL, -1);
    assert_true(ev > 0);
    snprintf(path, sizeof path, "/v1/events/%lld/registrations", ev);
    snprintf(body, sizeof body, "{\"name\":\"居民\",\"phone\":\"13912345678\",\"rescode\":\"%s\"}", payload);
    hubtest_resp_t r = hubtest_post(t, path, body);
    if (r.status != 201) fail_msg("register: %d %s", r.status, r.body);
    assert_string_equal(hubtest_at(r.json, "registration.name")->valuestring, "张*国");
    hubtest_free(&r);
    /* A refused code registers nothing. */
    payload[strlen(payload) - 1] = payload[strlen(payload) - 1] == 'A' ? 'B' : 'A';
    snprintf(body, sizeof body, "{\"name\":\"居民\",\"phone\":\"13912340000\",\"rescode\":\"%s\"}", payload);
    long long before = db_int(db_thread(), "SELECT count(*) FROM event_registrations", NULL, -1);
    r = hubtest_post(t, path, body);
    assert_int_equal(r.status, 404);
    assert_string_equal(hubtest_error_code(&r), "unknown_resident");
    hubtest_free(&r);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM event_registrations", NULL, -1), before);
    r = hubtest_req(t, "GET", "/v1/admin/audit?since=0", staff, NULL, NULL, NULL);
    assert_non_null(strstr(r.body, "\"kind\":\"registration_rescode\",\"outcome\":\"found\""));
    assert_non_null(strstr(r.body, "\"kind\":\"registration_rescode\",\"outcome\":\"not_found\",\"detail\":\"forged\""));
    hubtest_free(&r);
    hubtest_stop(t);
}

/* ---- a build/hub process: the CLI and the rate limit ------------------------ */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *hub_bin(void)
{
    static char bin[160];
    const char *b = getenv("BUILD");
    snprintf(bin, sizeof bin, "%s/hub", b && *b ? b : "build");
    return bin;
}

/* Runs "build/hub ARGS" (a shell line); its exit status. */
static int run_hub(const char *args)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s %s 2>/dev/null", hub_bin(), args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void cli_codes_and_bursts(void **state)
{
    char dir[64] = "/tmp/hub-rescode-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char ini[128], portfile[128], args[400];
    snprintf(ini, sizeof ini, "%s/hub.ini", dir);
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fprintf(fp, "[hub]\nport = 0\ndb = %s/hub.db\ndemo = true\nthreads = 2\n"
                "rescode_key_file = %s/codes.key\n[rate]\nlookup_per_minute = 10\nlookup_burst = 10\n", dir, dir);
    fclose(fp);
    /* The test's own demo token, where a demo hub reads it (a demo hub
     * without that file makes a random one). */
    char tokfile[160];
    snprintf(tokfile, sizeof tokfile, "%s/hub.db.demo-token", dir);
    fp = fopen(tokfile, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", DEMO_TOKEN);
    fclose(fp);
    assert_int_equal(chmod(tokfile, 0600), 0);
    pid_t parent = getpid(), pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setenv("HUB_LOG", "quiet", 1);
        /* On the machine's clock, like the CLI that issues the codes. */
        execl(hub_bin(), hub_bin(), "--config", ini, "--port-file", portfile, (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 200 && !port; i++) {
        if ((fp = fopen(portfile, "r"))) {
            if (fscanf(fp, "%d", &port) != 1) port = 0;
            fclose(fp);
        }
        if (!port) sleep_ms(25);
    }
    if (!port) fail_msg("build/hub did not start");
    hubtest_t client = {.token = DEMO_TOKEN};
    snprintf(client.base, sizeof client.base, "http://127.0.0.1:%d", port);

    /* Issue from the ID number in a file (standard input works alike). */
    snprintf(args, sizeof args, "%s/id.txt", dir);
    fp = fopen(args, "w");
    fprintf(fp, "%s\n", DEMO_ID);
    fclose(fp);
    snprintf(args, sizeof args, "rescode issue --config %s --id-file %s/id.txt --out %s/code.txt", ini, dir, dir);
    assert_int_equal(run_hub(args), 0);
    snprintf(args, sizeof args, "rescode issue --config %s --resident 1 --days 30 --out %s/code.svg", ini, dir);
    assert_int_equal(run_hub(args), 0);
    snprintf(args, sizeof args, "rescode issue --config %s --resident 1 --out %s/code.svg", ini, dir);
    assert_int_equal(run_hub(args), 1);      /* never over an existing file */
    snprintf(args, sizeof args, "rescode issue --config %s --resident 424242", ini);
    assert_int_equal(run_hub(args), 1);
    snprintf(args, sizeof args, "rescode issue --config %s --resident 1 --id-file x", ini);
    assert_int_equal(run_hub(args), 2);
    char path[128], first[RESCODE_MAX + 2], svg[200];
    snprintf(path, sizeof path, "%s/code.txt", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(first, sizeof first, fp));
    fclose(fp);
    first[strcspn(first, "\n")] = '\0';
    snprintf(path, sizeof path, "%s/code.svg", dir);
    fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(svg, sizeof svg, fp));
    fclose(fp);
    assert_non_null(strstr(svg, "<?xml"));
    /* The first code was superseded by the second. */
    hubtest_resp_t r = identify(&client, first);
    assert_int_equal(r.status, 404);
    hubtest_free(&r);

    /* The code files and the key are the user's alone. */
    char cmd[300], line[64];
    snprintf(cmd, sizeof cmd, "stat -c %%a %s/codes.key %s/code.txt %s/code.svg | sort -u", dir, dir, dir);
    fp = popen(cmd, "r");
    assert_non_null(fgets(line, sizeof line, fp));
    pclose(fp);
    assert_string_equal(line, "600\n");

    /* A fresh code; a burst of verifications is throttled (10 a minute). */
    snprintf(args, sizeof args, "rescode issue --config %s --resident 1 --out %s/fresh.txt", ini, dir);
    assert_int_equal(run_hub(args), 0);
    char fresh[RESCODE_MAX + 2];
    snprintf(path, sizeof path, "%s/fresh.txt", dir);
    fp = fopen(path, "r");
    assert_non_null(fgets(fresh, sizeof fresh, fp));
    fclose(fp);
    fresh[strcspn(fresh, "\n")] = '\0';
    int ok = 0, throttled = 0;
    for (int i = 0; i < 40; i++) {
        r = identify(&client, fresh);
        if (r.status == 200) ok++;
        else if (r.status == 429 && r.retry_after >= 1) throttled++;
        else fail_msg("verification %d: %d %s", i, r.status, r.body);
        hubtest_free(&r);
    }
    assert_true(ok >= 8 && ok <= 11);           /* the burst, and a token refilled meanwhile */
    assert_int_equal(ok + throttled, 40);

    /* Revoked from the command line: refused at once. */
    rescode_t c;
    assert_int_equal(rescode_parse(fresh, strlen(fresh), &c, NULL), 0);
    snprintf(args, sizeof args, "rescode revoke %s --config %s", c.code, ini);
    assert_int_equal(run_hub(args), 0);
    assert_int_equal(run_hub(args), 1);         /* no live code of that id left */
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    snprintf(cmd, sizeof cmd, "sqlite3 %s/hub.db \"SELECT revoked_why FROM rescodes WHERE code = '%s'\"", dir, c.code);
    fp = popen(cmd, "r");
    if (fp && fgets(line, sizeof line, fp)) assert_string_equal(line, "staff\n");
    if (fp) pclose(fp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(issued_code_identifies_and_finds_bills),
        cmocka_unit_test(refusals_look_alike_but_are_audited),
        cmocka_unit_test(another_hubs_code_is_forged),
        cmocka_unit_test(code_books_lists_and_cancels),
        cmocka_unit_test(code_registers_in_the_residents_name),
        cmocka_unit_test(cli_codes_and_bursts),
    };
    return cmocka_run_group_tests_name("hub_rescode", tests, NULL, NULL);
}
