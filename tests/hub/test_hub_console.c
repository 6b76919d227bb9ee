/* The staff console's accounts and sessions: the role and group policy,
 * `hub staff add --role` (password on stdin, never argv), sign-in, the
 * session cookie's attributes, CSRF and Origin checks on every change, the
 * idle timeout, lockout per account and per address, password change, the
 * fleet kept to the staff member's groups, the change log (JSON, CSV with
 * formula cells defused) and the static pages' headers and names. Requests
 * go through hub_handle (no socket) on a hub with its own database. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auth.h"
#include "console_alert.h"
#include "console_auth.h"
#include "signer.h"
#include "db.h"
#include "scope.h"
#include "consoletest.h"
#include "hubtest.h"
#include "server.h"
#include "staff.h"

#define ADMIN_PW "correct horse battery"
#define EDITOR_PW "editor-password-1"

typedef struct {
    hubtest_t *t;
    hub_t *hub;                    /* where call() sends requests: the test hub, or one with other settings */
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->t = hubtest_start(false);
    f->hub = f->t->hub;
    consoletest_add("boss", STAFF_ADMIN, NULL, ADMIN_PW);
    consoletest_add("ed", STAFF_EDITOR, "north", EDITOR_PW);
    consoletest_add("vic", STAFF_VIEWER, "south,east", "viewer-password-1");
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

/* METHOD PATH with up to three extra header lines, a JSON body. */
static hub_resp_t call(fx_t *f, const char *method, const char *path, const char *body,
                       const char *h1, const char *h2, const char *h3)
{
    return consoletest_call(f->hub, method, path, body, h1, h2, h3);
}

/* A session whose cookie line carries another cookie before it. */
static consoletest_sess_t login(fx_t *f, const char *name, const char *pw)
{
    return consoletest_login_after(f->hub, name, pw, "other=1; ");
}

/* ---- policy --------------------------------------------------------------- */

static void test_policy(void **state)
{
    (void)state;
    staff_t ed = {.name = "ed", .role = STAFF_EDITOR, .groups = "north,south"};
    assert_true(staff_may(&ed, STAFF_SEE_FLEET, "north"));
    assert_true(staff_may(&ed, STAFF_WRITE_DRAFT, "south"));
    assert_false(staff_may(&ed, STAFF_WRITE_DRAFT, "west"));
    assert_false(staff_may(&ed, STAFF_WRITE_DRAFT, "nort"));
    assert_false(staff_may(&ed, STAFF_SEE_FLEET, ""));
    assert_false(staff_may(&ed, STAFF_PUBLISH, "north"));
    assert_false(staff_may(&ed, STAFF_MANAGE, NULL));
    staff_t pub = {.name = "p", .role = STAFF_PUBLISHER, .groups = "north"};
    assert_true(staff_may(&pub, STAFF_PUBLISH, "north"));
    assert_false(staff_may(&pub, STAFF_MANAGE, NULL));
    staff_t admin = {.name = "a", .role = STAFF_ADMIN, .groups = "*"};
    assert_true(staff_may(&admin, STAFF_MANAGE, NULL));
    assert_true(staff_may(&admin, STAFF_PUBLISH, ""));
    admin.disabled = true;
    assert_false(staff_may(&admin, STAFF_SEE_FLEET, NULL));
    assert_false(staff_may(NULL, STAFF_SEE_FLEET, NULL));
    assert_true(staff_groups_ok("a,b_c,d-1"));
    assert_false(staff_groups_ok("a,,b"));
    assert_false(staff_groups_ok("a,"));
    assert_false(staff_groups_ok("a b"));
    assert_false(staff_groups_ok(""));
    assert_false(staff_name_ok(".x"));
    assert_false(staff_name_ok("a/b"));
    assert_int_equal(staff_role_parse("publisher"), STAFF_PUBLISHER);
    assert_int_equal(staff_role_parse("root"), -1);
}

/* ---- the command line ------------------------------------------------------ */

static int run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_cli(void **state)
{
    fx_t *f = *state;
    char cmd[1024];
    const char *hub = consoletest_build_dir();
    snprintf(cmd, sizeof cmd, "echo 'a long enough pw' | HUB_LOG=quiet %s/hub staff add pub1 --role publisher"
             " --groups north --db %s/hub.db >/dev/null", hub, f->t->dir);
    assert_int_equal(run(cmd), 0);
    staff_t s;
    assert_int_equal(staff_get(db_thread(), "pub1", &s), 1);
    assert_int_equal(s.role, STAFF_PUBLISHER);
    assert_string_equal(s.groups, "north");
    /* The password is never an argument. */
    snprintf(cmd, sizeof cmd, "%s/hub staff add pub2 --role viewer --groups north --password x --db %s/hub.db"
             " </dev/null 2>/dev/null", hub, f->t->dir);
    assert_int_equal(run(cmd), 2);
    /* Too short, no input, a taken name, no groups for a non-admin: refused. */
    snprintf(cmd, sizeof cmd, "echo short | %s/hub staff add pub2 --role viewer --groups n --db %s/hub.db 2>/dev/null",
             hub, f->t->dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s/hub staff add pub2 --role viewer --groups n --db %s/hub.db </dev/null 2>/dev/null",
             hub, f->t->dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "echo 'a long enough pw' | %s/hub staff add boss --role admin --db %s/hub.db 2>/dev/null",
             hub, f->t->dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "echo 'a long enough pw' | %s/hub staff add pub2 --role viewer --db %s/hub.db 2>/dev/null",
             hub, f->t->dir);
    assert_int_equal(run(cmd), 2);
    assert_int_equal(staff_get(db_thread(), "pub2", &s), 0);
    /* passwd: the new one signs in, the old one no longer does. */
    snprintf(cmd, sizeof cmd, "echo 'a newer password' | HUB_LOG=quiet %s/hub staff passwd pub1 --db %s/hub.db >/dev/null",
             hub, f->t->dir);
    assert_int_equal(run(cmd), 0);
    assert_int_equal(staff_check_password(db_thread(), "pub1", "a newer password", &s), 1);
    assert_int_equal(staff_check_password(db_thread(), "pub1", "a long enough pw", &s), 0);
    /* Logged as changes, without any password. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE target = 'pub1'"
                                         " AND action IN ('staff_add','password_reset')", NULL, 0), 2);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE after LIKE '%pass%'", NULL, 0), 0);
}

/* ---- sessions --------------------------------------------------------------- */

static void test_login_and_cookie(void **state)
{
    fx_t *f = *state;
    hub_resp_t r = consoletest_login_raw(f->hub, "boss", "wrong password!");
    consoletest_assert_error(r, 401, "bad_credentials");
    assert_string_equal(r.set_cookie, "");
    free(r.body);
    /* A password longer than any stored one is wrong, whatever it starts with. */
    char longpw[STAFF_PW_MAX + 20];
    memset(longpw, 'a', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    char err[200];
    longpw[STAFF_PW_MAX] = '\0';
    assert_int_equal(staff_set_password(db_thread(), "vic", longpw, hub_now(), err, sizeof err), 0);
    staff_t who;
    assert_int_equal(staff_check_password(db_thread(), "vic", longpw, &who), 1);
    longpw[STAFF_PW_MAX] = 'a';
    assert_int_equal(staff_check_password(db_thread(), "vic", longpw, &who), 0);
    r = consoletest_login_raw(f->hub, "nobody", ADMIN_PW);
    consoletest_assert_error(r, 401, "bad_credentials");
    free(r.body);
    r = call(f, "POST", "/console/api/login", "{\"name\":\"boss\"}", NULL, NULL, NULL);
    consoletest_assert_error(r, 422, "missing_field");
    free(r.body);
    /* A form post from another site: not JSON, refused before anything. */
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    r = hub_handle(f->t->hub, "POST", "/console/api/login", h, "name=boss", 9);
    consoletest_assert_error(r, 415, "content_type");
    free(r.body);

    r = consoletest_login_raw(f->hub, "boss", ADMIN_PW);
    assert_int_equal(r.status, 200);
    assert_true(r.console);
    assert_non_null(strstr(r.set_cookie, "; Path=/console; HttpOnly; SameSite=Strict"));
    assert_null(strstr(r.set_cookie, "Secure"));
    assert_non_null(strstr(r.body, "\"role\":\"admin\""));
    free(r.body);
    /* The hub keeps only the session id's hash. */
    char id[65];
    snprintf(id, sizeof id, "%.64s", strstr(r.set_cookie, "=") + 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_sessions WHERE id_hash = ?1", id, 0), 0);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_sessions", NULL, 0), 1);

    /* X-Real-IP is nobody's word unless the hub trusts its proxy. */
    r = call(f, "POST", "/console/api/login", "{\"name\":\"boss\",\"password\":\"bad-password-1\"}",
             "X-Real-IP: 203.0.113.9", NULL, NULL);
    assert_int_equal(r.status, 401);
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_failures WHERE name = 'boss' AND addr = 'local'", NULL, 0), 1);

    /* Behind a TLS proxy (secure_cookie, trust_proxy): Secure, and the
     * browser's address as the proxy gives it. */
    hub_config_t cfg = *hub_config(f->t->hub);
    cfg.console_secure_cookie = true;
    cfg.console_trust_proxy = true;
    hub_t *h2 = hub_new(&cfg);
    const char *jh[] = {"Content-Type: application/json", "X-Real-IP: 203.0.113.9", NULL};
    const char *body = "{\"name\":\"boss\",\"password\":\"" ADMIN_PW "\"}";
    r = hub_handle(h2, "POST", "/console/api/login", jh, body, strlen(body));
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "; Secure"));
    free(r.body);
    const char *forged[] = {"Content-Type: application/json", "X-Real-IP: 1.2.3.4; drop", NULL};
    r = hub_handle(h2, "POST", "/console/api/login", forged, body, strlen(body));
    assert_int_equal(r.status, 200);
    free(r.body);
    hub_stop(h2);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'login'"
                                         " AND addr = '203.0.113.9'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'login'"
                                         " AND addr = 'local'", NULL, 0), 2);
}

/* The console's files have a bucket of their own: opening the page (some
 * twenty files) several times does not use up the API's budget, and an
 * API that is out of budget still lets the page load and say so. */
static void test_files_rate_apart(void **state)
{
    fx_t *f = *state;
    hub_config_t cfg = *hub_config(f->t->hub);
    cfg.rate[RATE_FLEET] = (hub_rate_t){60, 5};
    cfg.rate[RATE_CONTENT] = (hub_rate_t){600, 40};
    hub_t *h2 = hub_new(&cfg);
    const char *none[] = {NULL};
    for (int i = 0; i < 30; i++) {
        hub_resp_t r = hub_handle(h2, "GET", i % 2 ? "/console/app.js" : "/console/", none, NULL, 0);
        assert_int_equal(r.status, 200);
        free(r.body);
    }
    for (int i = 0; i < 5; i++) {
        hub_resp_t r = hub_handle(h2, "GET", "/console/api/me", none, NULL, 0);
        assert_int_equal(r.status, 401);
        free(r.body);
    }
    hub_resp_t r = hub_handle(h2, "GET", "/console/api/me", none, NULL, 0);
    assert_int_equal(r.status, 429);
    free(r.body);
    r = hub_handle(h2, "GET", "/console/console.css", none, NULL, 0);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* The files' own bucket is bounded too. */
    int limited = 0;
    for (int i = 0; i < 40 && !limited; i++) {
        r = hub_handle(h2, "GET", "/console/api.js", none, NULL, 0);
        limited = r.status == 429;
        free(r.body);
    }
    assert_true(limited);
    hub_stop(h2);
}

static void test_csrf_and_logout(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t s = login(f, "boss", ADMIN_PW);
    hub_resp_t r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, s.csrf + 14));
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, NULL, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, "Cookie: kc_session=../../etc", NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    /* A change without the token, with another's, from another site: refused. */
    r = call(f, "POST", "/console/api/logout", "{}", s.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/logout", "{}", s.cookie,
             "X-CSRF-Token: 0000000000000000000000000000000000000000000000000000000000000000", NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/logout", "{}", s.cookie, s.csrf, "Origin: https://evil.example");
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* A same-origin sign-out ends it: the old cookie is worth nothing. */
    r = call(f, "POST", "/console/api/logout", "{}", s.cookie, s.csrf, "Origin: http://hub.local:8470");
    consoletest_assert_error(r, 403, "csrf");              /* no Host matching it */
    free(r.body);
    r = call(f, "POST", "/console/api/logout", "{}", s.cookie, s.csrf, "Host: hub.local:8470");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "Max-Age=0"));
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'logout'", NULL, 0), 1);
}

static void test_idle_timeout(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t s = login(f, "ed", EDITOR_PW);
    hub_time_shift(14 * 60);
    hub_resp_t r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);     /* and the idle time restarts */
    free(r.body);
    hub_time_shift(14 * 60);
    r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    hub_time_shift(16 * 60);
    r = call(f, "GET", "/console/api/me", NULL, s.cookie, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    hub_time_shift(-44 * 60);
}

static void test_lockout_account(void **state)
{
    fx_t *f = *state;
    for (int i = 0; i < CONSOLE_FAILS_NAME; i++) {
        hub_resp_t r = consoletest_login_raw(f->hub, "ed", "not the password");
        consoletest_assert_error(r, 401, "bad_credentials");
        free(r.body);
    }
    /* Locked: the right password is refused too, with when to retry. */
    hub_resp_t r = consoletest_login_raw(f->hub, "ed", EDITOR_PW);
    consoletest_assert_error(r, 429, "locked");
    /* At most the lock's length; how much of it is left depends on how long
     * the five Argon2id checks took (seconds under valgrind), not asserted. */
    assert_in_range(r.retry_after, 1, CONSOLE_LOCK_S);
    free(r.body);
    /* Other accounts from elsewhere are not affected by it (same address here: under its own limit). */
    consoletest_sess_t s = login(f, "boss", ADMIN_PW);
    (void)s;
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'lockout'"
                                         " AND target = 'ed'", NULL, 0), 1);
    hub_time_shift(CONSOLE_LOCK_S + 1);
    s = login(f, "ed", EDITOR_PW);
    hub_time_shift(-(CONSOLE_LOCK_S + 1));
}

static void test_lockout_address(void **state)
{
    fx_t *f = *state;
    /* Spread over many names, so no one account locks: the address does. */
    for (int i = 0; i < CONSOLE_FAILS_ADDR; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        hub_resp_t r = consoletest_login_raw(f->hub, name, "password123");
        consoletest_assert_error(r, 401, "bad_credentials");
        free(r.body);
    }
    hub_resp_t r = consoletest_login_raw(f->hub, "boss", ADMIN_PW);
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
}

/* A sign-in with the device cookie DEVICE ("" for none). */
static hub_resp_t login_dev(fx_t *f, const char *name, const char *pw, const char *device)
{
    char body[300], cookie[160];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, pw);
    snprintf(cookie, sizeof cookie, "Cookie: kc_device=%s", device);
    return call(f, "POST", "/console/api/login", body, device[0] ? cookie : NULL, NULL, NULL);
}

/* The device cookie a successful sign-in set, into OUT (64 hex). */
static void device_of(const hub_resp_t *r, char out[65])
{
    const char *v = strstr(r->set_cookie2, "kc_device=");
    assert_non_null(v);
    snprintf(out, 65, "%.64s", v + strlen("kc_device="));
    assert_int_equal(strlen(out), 64);
}

/* A stranger guessing at a name locks out strangers only: the browser the
 * staff member signed in with before still gets in, with its own count. */
static void test_lockout_device(void **state)
{
    fx_t *f = *state;
    char dev[65], boss_dev[65];
    hub_resp_t r = login_dev(f, "ed", EDITOR_PW, "");
    assert_int_equal(r.status, 200);
    device_of(&r, dev);
    assert_non_null(strstr(r.set_cookie2, "; Path=/console/api/login; Max-Age=15552000; HttpOnly; SameSite=Strict"));
    free(r.body);
    r = login_dev(f, "boss", ADMIN_PW, "");
    device_of(&r, boss_dev);
    free(r.body);
    /* The same browser signing in again keeps its cookie. */
    r = login_dev(f, "ed", EDITOR_PW, dev);
    assert_int_equal(r.status, 200);
    char again[65];
    device_of(&r, again);
    assert_string_equal(again, dev);
    free(r.body);
    /* A failed sign-in sets no cookie. */
    r = login_dev(f, "ed", "not the password", "");
    consoletest_assert_error(r, 401, "bad_credentials");
    assert_string_equal(r.set_cookie2, "");
    free(r.body);
    for (int i = 1; i < CONSOLE_FAILS_NAME; i++) {
        r = login_dev(f, "ed", "not the password", "");
        consoletest_assert_error(r, 401, "bad_credentials");
        free(r.body);
    }
    /* Strangers are locked out of ed, a forged cookie or another account's
     * device is a stranger ... */
    r = login_dev(f, "ed", EDITOR_PW, "");
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    r = login_dev(f, "ed", EDITOR_PW, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    r = login_dev(f, "ed", EDITOR_PW, boss_dev);
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    /* ... but ed's own browser is not. */
    r = login_dev(f, "ed", EDITOR_PW, dev);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* That browser's own wrong passwords lock it (the right one clears the
     * account's count, so the stranger lock is gone too now). */
    for (int i = 0; i < CONSOLE_FAILS_DEVICE; i++) {
        r = login_dev(f, "ed", "not the password", dev);
        consoletest_assert_error(r, 401, "bad_credentials");
        free(r.body);
    }
    r = login_dev(f, "ed", EDITOR_PW, dev);
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'lockout'"
                                         " AND target = 'ed'", NULL, 0), 2);
    /* An address locked by guesses at many names does not stop a known browser. */
    for (int i = 0; i < CONSOLE_FAILS_ADDR; i++) {
        char name[32];
        snprintf(name, sizeof name, "guess%d", i);
        r = login_dev(f, name, "password123", "");
        free(r.body);
    }
    r = login_dev(f, "boss", ADMIN_PW, "");
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    r = login_dev(f, "boss", ADMIN_PW, boss_dev);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* The hub keeps only the cookie's hash. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_devices WHERE id_hash = ?1", dev, 0), 0);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_devices WHERE staff = 'ed'", NULL, 0), 1);
    /* A device unused for longer than it is kept is a stranger again. */
    hub_time_shift(CONSOLE_DEVICE_MAX_AGE_S + 1);
    for (int i = 0; i < CONSOLE_FAILS_NAME; i++) {
        r = login_dev(f, "ed", "not the password", "");
        free(r.body);
    }
    r = login_dev(f, "ed", EDITOR_PW, dev);
    consoletest_assert_error(r, 429, "locked");
    free(r.body);
    hub_time_shift(-(CONSOLE_DEVICE_MAX_AGE_S + 1));
}

static void test_password_change(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t a = login(f, "ed", EDITOR_PW), b = login(f, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "POST", "/console/api/password", "{\"current\":\"" EDITOR_PW "\",\"new\":\"new-password-22\"}",
                        a.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/password", "{\"current\":\"wrong-password\",\"new\":\"new-password-22\"}",
             a.cookie, a.csrf, NULL);
    consoletest_assert_error(r, 403, "bad_credentials");
    free(r.body);
    r = call(f, "POST", "/console/api/password", "{\"current\":\"" EDITOR_PW "\",\"new\":\"short\"}",
             a.cookie, a.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/password", "{\"current\":\"" EDITOR_PW "\",\"new\":\"new-password-22\"}",
             a.cookie, a.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* This session goes on; the other one has ended. */
    r = call(f, "GET", "/console/api/me", NULL, a.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, b.cookie, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    r = consoletest_login_raw(f->hub, "ed", EDITOR_PW);
    consoletest_assert_error(r, 401, "bad_credentials");
    free(r.body);
    login(f, "ed", "new-password-22");
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'password_change'"
                                         " AND staff = 'ed'", NULL, 0), 1);
}

/* ---- fleet and groups ----------------------------------------------------- */

static int kiosk_count(const hub_resp_t *r, const char *id)
{
    cJSON *j = cJSON_Parse(r->body), *k;
    int n = 0, found = 0;
    cJSON_ArrayForEach(k, cJSON_GetObjectItem(j, "kiosks")) {
        n++;
        if (id && !strcmp(cJSON_GetObjectItem(k, "id")->valuestring, id)) found = 1;
    }
    cJSON_Delete(j);
    return id ? found : n;
}

static void test_fleet_scoped(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), ed = login(f, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"a,b\"}", boss.cookie, boss.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/nope/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    consoletest_assert_error(r, 404, "not_found");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-02/group", "{\"group\":\"south\"}", boss.cookie, boss.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);

    r = call(f, "GET", "/console/api/fleet", NULL, boss.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(kiosk_count(&r, NULL), 2);
    free(r.body);
    r = call(f, "GET", "/console/api/fleet", NULL, ed.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(kiosk_count(&r, NULL), 1);
    assert_int_equal(kiosk_count(&r, "test-01"), 1);
    assert_non_null(strstr(r.body, "\"group\":\"north\""));
    assert_non_null(strstr(r.body, "\"total\":1"));
    free(r.body);
    consoletest_sess_t vic = login(f, "vic", "viewer-password-1");
    r = call(f, "GET", "/console/api/fleet", NULL, vic.cookie, NULL, NULL);
    assert_int_equal(kiosk_count(&r, NULL), 1);
    assert_int_equal(kiosk_count(&r, "test-02"), 1);
    free(r.body);
    r = call(f, "GET", "/console/api/fleet", NULL, NULL, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
}

static void test_change_log(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), ed = login(f, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    r = consoletest_login_raw(f->hub, "=HYPERLINK(\\\"x\\\")", "whatever-pass");
    assert_int_equal(r.status, 401);
    free(r.body);
    r = call(f, "GET", "/console/api/changes", NULL, ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "GET", "/console/api/changes?since=0", NULL, boss.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body), *c, *grp = NULL;
    cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "changes"))
        if (!strcmp(cJSON_GetObjectItem(c, "action")->valuestring, "kiosk_group")) grp = c;
    assert_non_null(grp);
    assert_string_equal(cJSON_GetObjectItem(grp, "staff")->valuestring, "boss");
    assert_string_equal(cJSON_GetObjectItem(grp, "target")->valuestring, "test-01");
    assert_string_equal(cJSON_GetObjectItem(grp, "before")->valuestring, "{\"group\":null}");
    assert_string_equal(cJSON_GetObjectItem(grp, "after")->valuestring, "{\"group\":\"north\"}");
    assert_string_equal(cJSON_GetObjectItem(grp, "addr")->valuestring, "local");
    cJSON_Delete(j);
    free(r.body);
    r = call(f, "GET", "/console/api/changes?format=csv", NULL, boss.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/csv; charset=utf-8");
    /* common/csv.h: a BOM (Excel reads the Chinese right), a download, quoted only where needed */
    assert_string_equal(r.disposition, "attachment; filename=\"changes-since-0.csv\"");
    char *csv = strndup(r.body, r.body_len);
    static const char head[] = "\xEF\xBB\xBF" "id,time,staff,addr,action,target,before,after\r\n";
    assert_true(strncmp(csv, head, sizeof head - 1) == 0);
    assert_non_null(strstr(csv, ",local,kiosk_group,test-01,\"{\"\"group\"\":null}\",\"{\"\"group\"\":\"\"north\"\"}\"\r\n"));
    /* A name that a spreadsheet would run is written as text. */
    assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"x\"\")\","));
    assert_null(strstr(csv, ",\"=HYPERLINK"));
    assert_null(strstr(csv, ",=HYPERLINK"));
    free(csv);
    free(r.body);
    r = call(f, "GET", "/console/api/changes?format=xml", NULL, boss.cookie, NULL, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
}

/* ---- emergency alerts ------------------------------------------------------- */

/* The bundle device TOKEN gets in MODE for GROUP: its version, and its
 * manifest in BUF. */
static long long bundle_for(fx_t *f, const char *token, const char *mode, const char *group, char *buf, size_t len)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/content/bundle?mode=%s&group=%s", mode, group);
    hubtest_resp_t r = hubtest_req(f->t, "GET", path, token, NULL, NULL, NULL);
    long long v = 0;
    buf[0] = '\0';
    if (r.status == 200) {
        v = (long long)cJSON_GetObjectItem(r.json, "version")->valuedouble;
        snprintf(buf, len, "%s", cJSON_GetObjectItem(r.json, "manifest")->valuestring);
    }
    hubtest_free(&r);
    return v;
}

static void test_alert(void **state)
{
    fx_t *f = *state;
    char sock[108], staff[AUTH_TOKEN_MAX], m[8192];
    pid_t signer;
    f->hub = consoletest_signed_hub(f->t, &signer, sock);
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");

    /* The content every kiosk has: one notice, published with kioskctl's route. */
    assert_int_equal(auth_staff_add(db_thread(), "tool", staff, sizeof staff), 0);
    long long now = hub_now();
    snprintf(m, sizeof m, "{\"format\":1,\"version\":5,\"created\":%lld,\"expires\":%lld,"
             "\"target\":{\"mode\":\"any\",\"groups\":[],\"kiosks\":[]},"
             "\"items\":[{\"id\":1,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"zh_CN\","
             "\"title\":\"停水通知\",\"body\":\"b\",\"published\":%lld}],\"assets\":[]}", now, now + 30 * 86400, now);
    char *body = hubtest_bundle_body(f->t, m);
    hubtest_resp_t hr = hubtest_req(f->t, "POST", "/v1/admin/content/bundles", staff, "base-1", body, NULL);
    assert_int_equal(hr.status, 201);
    hubtest_free(&hr);
    free(body);

    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), pub = login(f, "pub", "publisher-pw-1");
    consoletest_sess_t ed = login(f, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-02/group", "{\"group\":\"south\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);

    const char *alert = "{\"title\":\"暴雨红色预警\",\"body\":\"请勿外出\",\"minutes\":60,\"groups\":[\"north\"]}";
    /* Who may not: an editor; a publisher for another group; without the CSRF token. */
    r = call(f, "POST", "/console/api/alerts", alert, ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts", "{\"title\":\"t\",\"body\":\"b\",\"minutes\":60,\"groups\":[\"south\"]}",
             pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts", alert, pub.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts", "{\"title\":\"\",\"body\":\"b\",\"minutes\":60,\"groups\":[\"north\"]}",
             pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts", "{\"title\":\"t\",\"body\":\"b\",\"minutes\":60,\"groups\":[\"north\",\"north\"]}",
             pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content_bundles", NULL, 0), 1);

    r = call(f, "POST", "/console/api/alerts", alert, pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 201);
    free(r.body);
    /* The north kiosk gets its content with the alert, signed with the content key; the south one what it had. */
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 6);
    assert_non_null(strstr(m, "暴雨红色预警"));
    assert_non_null(strstr(m, "停水通知"));
    assert_non_null(strstr(m, "\"kind\":\"alert\""));
    assert_non_null(strstr(m, "\"priority\":100"));
    assert_int_equal(bundle_for(f, f->t->token, "street", "north", m, sizeof m), 6);
    assert_int_equal(bundle_for(f, f->t->token2, "hall", "south", m, sizeof m), 5);
    assert_null(strstr(m, "暴雨"));
    /* The north kiosk is told to fetch it now; the south one is not. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM commands WHERE kind = 'reload_content'"
                                         " AND device = 'test-01' AND staff = 'pub'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM commands WHERE device = 'test-02'", NULL, 0), 0);
    r = call(f, "GET", "/console/api/alerts", NULL, pub.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"versions\":[6]"));
    free(r.body);
    consoletest_sess_t vic = login(f, "vic", "viewer-password-1");
    r = call(f, "GET", "/console/api/alerts", NULL, vic.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "暴雨"));          /* another group's */
    free(r.body);

    /* Withdrawn: the same content again, without the alert. */
    r = call(f, "POST", "/console/api/alerts/1/withdraw", "{}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts/1/withdraw", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 7);
    assert_null(strstr(m, "暴雨"));
    assert_non_null(strstr(m, "停水通知"));
    r = call(f, "POST", "/console/api/alerts/1/withdraw", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 409, "withdrawn");
    free(r.body);
    r = call(f, "POST", "/console/api/alerts/99/withdraw", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 404, "not_found");
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE staff = 'pub'"
                                         " AND action IN ('alert_send','alert_withdraw')", NULL, 0), 2);

    /* The signer refuses what is not a manifest. */
    char sig[129], err[200];
    assert_int_equal(signer_sign(sock, "[1,2]", 5, sig, err, sizeof err), -1);
    assert_non_null(strstr(err, "refused"));
    /* Signer down: the alert is refused and nothing of it stays. */
    consoletest_signer_stop(signer);
    r = call(f, "POST", "/console/api/alerts", alert, pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 503, "signer_unavailable");
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_alerts", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT max(version) FROM content_bundles", NULL, 0), 7);
    hub_stop(f->hub);
    f->hub = f->t->hub;
}

/* The state of notice ID as the console lists it to SESS ("" if not listed). */
static const char *notice_state(fx_t *f, const consoletest_sess_t *sess, int id, char *buf, size_t len)
{
    hub_resp_t r = call(f, "GET", "/console/api/notices", NULL, sess->cookie, NULL, NULL);
    cJSON *j = cJSON_Parse(r.body), *n;
    buf[0] = '\0';
    cJSON_ArrayForEach(n, cJSON_GetObjectItem(j, "notices"))
        if ((int)cJSON_GetObjectItem(n, "id")->valuedouble == id)
            snprintf(buf, len, "%s", cJSON_GetObjectItem(n, "state")->valuestring);
    cJSON_Delete(j);
    free(r.body);
    return buf;
}

static void test_notices(void **state)
{
    fx_t *f = *state;
    char sock[108], m[8192], st[32];
    pid_t signer;
    f->hub = consoletest_signed_hub(f->t, &signer, sock);
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), pub = login(f, "pub", "publisher-pw-1");
    consoletest_sess_t ed = login(f, "ed", EDITOR_PW), vic = login(f, "vic", "viewer-password-1");
    const char *draft = "{\"title\":\"社区义诊\",\"body\":\"周六上午在活动室\",\"category\":\"community\","
                        "\"days\":7,\"groups\":[\"north\"]}";
    /* Who may write: not a viewer, not for another group, not without the token. */
    hub_resp_t r = call(f, "POST", "/console/api/notices", draft, vic.cookie, vic.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/notices", "{\"title\":\"t\",\"body\":\"b\",\"category\":\"community\","
             "\"days\":7,\"groups\":[\"south\"]}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/notices", draft, ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/notices", "{\"title\":\"t\",\"body\":\"b\",\"category\":\"alert\","
             "\"days\":7,\"groups\":[\"north\"]}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/notices", draft, ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 201);
    free(r.body);
    assert_string_equal(notice_state(f, &ed, 1, st, sizeof st), "draft");
    assert_string_equal(notice_state(f, &vic, 1, st, sizeof st), "");     /* south only: not shown */

    /* An editor can neither approve nor publish; a draft is not published before approval. */
    r = call(f, "POST", "/console/api/notices/1/approve", "{}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/notices/1/publish", "{}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/notices/1/publish", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 409, "wrong_state");
    free(r.body);
    r = call(f, "POST", "/console/api/notices/1/approve", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    /* Edited after approval: a draft again, to be approved again. */
    r = call(f, "POST", "/console/api/notices/1", "{\"title\":\"社区义诊（改期）\",\"body\":\"周日上午\","
             "\"category\":\"community\",\"days\":7,\"groups\":[\"north\"],\"pinned\":true}", ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"approved_by\":null"));
    free(r.body);
    assert_string_equal(notice_state(f, &pub, 1, st, sizeof st), "draft");
    r = call(f, "POST", "/console/api/notices/1/approve", "{}", pub.cookie, pub.csrf, NULL);
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM content_bundles", NULL, 0), 0);
    r = call(f, "POST", "/console/api/notices/1/publish", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"state\":\"published\""));
    free(r.body);
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 1);
    assert_non_null(strstr(m, "社区义诊（改期）"));
    assert_non_null(strstr(m, "\"id\":1000000001,\"kind\":\"notice\",\"category\":\"community\""));
    assert_non_null(strstr(m, "\"pinned\":true"));
    assert_int_equal(bundle_for(f, f->t->token2, "hall", "south", m, sizeof m), 0);
    /* Published: no more edits; withdrawn, it leaves the group's content. */
    r = call(f, "POST", "/console/api/notices/1", draft, ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 409, "wrong_state");
    free(r.body);
    r = call(f, "POST", "/console/api/notices/1/withdraw", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 2);
    assert_null(strstr(m, "社区义诊"));
    r = call(f, "POST", "/console/api/notices/1/frobnicate", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 404, "not_found");
    free(r.body);
    r = call(f, "GET", "/console/api/changes", NULL, boss.cookie, NULL, NULL);
    static const char *const acts[] = {"notice_create", "notice_approve", "notice_edit", "notice_publish", "notice_withdraw"};
    for (size_t i = 0; i < sizeof acts / sizeof *acts; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\"action\":\"%s\"", acts[i]);
        assert_non_null(strstr(r.body, needle));
    }
    free(r.body);

    /* Rolled back in one step: the notice's bundle again, as the newest version. */
    r = call(f, "GET", "/console/api/bundles", NULL, pub.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"version\":1,"));
    free(r.body);
    r = call(f, "POST", "/console/api/bundles/1/rollback", "{}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/bundles/1/rollback", "{}", pub.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/bundles/1/rollback", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"version\":3"));
    free(r.body);
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 3);
    assert_non_null(strstr(m, "社区义诊（改期）"));
    r = call(f, "POST", "/console/api/bundles/99/rollback", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_bundle");
    free(r.body);
    /* A bundle for every kiosk is only a "*" account's. */
    char staff[AUTH_TOKEN_MAX];
    assert_int_equal(auth_staff_add(db_thread(), "tool", staff, sizeof staff), 0);
    long long now = hub_now();
    snprintf(m, sizeof m, "{\"format\":1,\"version\":4,\"created\":%lld,\"expires\":%lld,"
             "\"target\":{\"mode\":\"any\"},\"items\":[],\"assets\":[]}", now, now + 86400);
    char *body = hubtest_bundle_body(f->t, m);
    hubtest_resp_t hr = hubtest_req(f->t, "POST", "/v1/admin/content/bundles", staff, "all-1", body, NULL);
    assert_int_equal(hr.status, 201);
    hubtest_free(&hr);
    free(body);
    r = call(f, "POST", "/console/api/bundles/4/rollback", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_bundle");
    free(r.body);
    r = call(f, "POST", "/console/api/bundles/4/rollback", "{}", boss.cookie, boss.csrf, NULL);
    assert_int_equal(r.status, 201);
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM commands WHERE kind = 'reload_content'"
                                         " AND staff = 'boss'", NULL, 0), 2);     /* every kiosk */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'bundle_rollback'", NULL, 0), 2);
    consoletest_signer_stop(signer);
    hub_stop(f->hub);
    f->hub = f->t->hub;
}

/* English next to Chinese: checked naming the field, kept with the draft,
 * published as a second bundle item of locale en with an id of its own
 * range, withdrawn with the Chinese one; no English publishes Chinese only. */
static void test_notices_english(void **state)
{
    fx_t *f = *state;
    char sock[108], m[8192];
    pid_t signer;
    f->hub = consoletest_signed_hub(f->t, &signer, sock);
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    consoletest_sess_t pub = login(f, "pub", "publisher-pw-1"), ed = login(f, "ed", EDITOR_PW);
    hub_resp_t r;
    char big[400], body[1200];
    memset(big, 'a', 241);
    big[241] = '\0';
    struct { const char *en, *code, *field; } bad[] = {
        {"\"title_en\":\"Free clinic\"", "missing_field", "body_en"},
        {"\"body_en\":\"Saturday\"", "missing_field", "title_en"},
        {"\"title_en\":\"Free clinic\",\"body_en\":\"\"", "missing_field", "body_en"},
        {"\"title_en\":7,\"body_en\":\"Saturday\"", "invalid_field", "title_en"},
        {"\"title_en\":\"t\",\"body_en\":[\"b\"]", "invalid_field", "body_en"},
        {"\"title_en\":\"%s\",\"body_en\":\"b\"", "invalid_field", "title_en"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char en[600];
        snprintf(en, sizeof en, bad[i].en, big);
        snprintf(body, sizeof body, "{\"title\":\"社区义诊\",\"body\":\"周六上午\",\"category\":\"community\","
                 "\"days\":7,\"groups\":[\"north\"],%s}", en);
        r = call(f, "POST", "/console/api/notices", body, ed.cookie, ed.csrf, NULL);
        if (r.status != 422 || !strstr(r.body, bad[i].code) || !strstr(r.body, bad[i].field))
            fail_msg("#%zu: wanted 422 %s naming %s, got %d %s", i, bad[i].code, bad[i].field, r.status, r.body);
        free(r.body);
    }
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_notices", NULL, 0), 0);

    /* Written with English, kept with the draft and shown in the list. */
    const char *draft = "{\"title\":\"社区义诊\",\"body\":\"周六上午在活动室\",\"category\":\"community\","
                        "\"days\":7,\"groups\":[\"north\"],\"title_en\":\"Free clinic\","
                        "\"body_en\":\"Saturday morning in the activity room\"}";
    r = call(f, "POST", "/console/api/notices", draft, ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"title_en\":\"Free clinic\""));
    free(r.body);
    /* A second notice, Chinese only: empty English is none. */
    r = call(f, "POST", "/console/api/notices", "{\"title\":\"停水通知\",\"body\":\"周一停水\",\"category\":\"government\","
             "\"days\":3,\"groups\":[\"north\"],\"title_en\":\"\",\"body_en\":null}", ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"title_en\":null"));
    free(r.body);
    r = call(f, "GET", "/console/api/notices", NULL, ed.cookie, NULL, NULL);
    assert_non_null(strstr(r.body, "\"body_en\":\"Saturday morning in the activity room\""));
    free(r.body);
    for (int id = 1; id <= 2; id++) {
        char path[64];
        snprintf(path, sizeof path, "/console/api/notices/%d/approve", id);
        r = call(f, "POST", path, "{}", pub.cookie, pub.csrf, NULL);
        assert_int_equal(r.status, 200);
        free(r.body);
        snprintf(path, sizeof path, "/console/api/notices/%d/publish", id);
        r = call(f, "POST", path, "{}", pub.cookie, pub.csrf, NULL);
        assert_int_equal(r.status, 200);
        free(r.body);
    }
    /* The kiosk's bundle: the Chinese item, the English next to it (locale
     * en, its own id), and the Chinese-only notice alone. */
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 2);
    assert_non_null(strstr(m, "\"id\":1000000001,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"zh_CN\","
                              "\"title\":\"社区义诊\""));
    assert_non_null(strstr(m, "\"id\":1500000001,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"en\","
                              "\"title\":\"Free clinic\",\"body\":\"Saturday morning in the activity room\""));
    assert_non_null(strstr(m, "\"id\":1000000002,"));
    assert_null(strstr(m, "\"id\":1500000002,"));
    cJSON *man = cJSON_Parse(m);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(man, "items")), 3);
    cJSON_Delete(man);

    /* Withdrawn: both languages leave; the other notice stays. */
    r = call(f, "POST", "/console/api/notices/1/withdraw", "{}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    assert_int_equal(bundle_for(f, f->t->token, "hall", "north", m, sizeof m), 3);
    assert_null(strstr(m, "社区义诊"));
    assert_null(strstr(m, "Free clinic"));
    assert_non_null(strstr(m, "停水通知"));
    /* Ids past the notices' span are no notice's (they would meet the English range). */
    r = call(f, "POST", "/console/api/notices/500000001/approve", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 404, "not_found");
    free(r.body);
    consoletest_signer_stop(signer);
    hub_stop(f->hub);
    f->hub = f->t->hub;
}

static void test_signer_key_mode(void **state)
{
    fx_t *f = *state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "printf '%%0128d' 0 > %s/k && chmod 644 %s/k && %s/hub signer --key %s/k --socket %s/s 2>/dev/null",
             f->t->dir, f->t->dir, consoletest_build_dir(), f->t->dir, f->t->dir);
    assert_int_equal(run(cmd), 1);
    snprintf(cmd, sizeof cmd, "%s/hub signer --key %s/k 2>/dev/null", consoletest_build_dir(), f->t->dir);
    assert_int_equal(run(cmd), 2);
}

/* ---- accounts from the console --------------------------------------------- */

static void test_accounts(void **state)
{
    fx_t *f = *state;
    consoletest_add("nadmin", STAFF_ADMIN, "north", "north-admin-pw-1");
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), na = login(f, "nadmin", "north-admin-pw-1");
    consoletest_sess_t ed = login(f, "ed", EDITOR_PW);
    hub_resp_t r = call(f, "GET", "/console/api/staff", NULL, ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    /* A north admin sees and manages north's accounts only, and gives no "*". */
    r = call(f, "GET", "/console/api/staff", NULL, na.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"name\":\"ed\""));
    assert_null(strstr(r.body, "\"name\":\"vic\""));
    assert_null(strstr(r.body, "\"name\":\"boss\""));
    free(r.body);
    r = call(f, "POST", "/console/api/staff", "{\"name\":\"x1\",\"role\":\"admin\",\"groups\":\"*\","
             "\"password\":\"x1-password-1\"}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/staff/vic", "{\"disabled\":true}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/staff", "{\"name\":\"li\",\"role\":\"editor\",\"groups\":\"north\","
             "\"password\":\"li-password-1\"}", na.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/staff", "{\"name\":\"li\",\"role\":\"editor\",\"groups\":\"north\","
             "\"password\":\"li-password-1\"}", na.cookie, na.csrf, NULL);
    assert_int_equal(r.status, 201);
    assert_null(strstr(r.body, "password"));
    free(r.body);
    r = call(f, "POST", "/console/api/staff", "{\"name\":\"li\",\"role\":\"editor\",\"groups\":\"north\","
             "\"password\":\"li-password-1\"}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 409, "exists");
    free(r.body);
    consoletest_sess_t li = login(f, "li", "li-password-1");
    /* Made a publisher: from its next request. Disabled: out at once. */
    r = call(f, "POST", "/console/api/staff/li", "{\"role\":\"publisher\"}", boss.cookie, boss.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, li.cookie, NULL, NULL);
    assert_non_null(strstr(r.body, "\"role\":\"publisher\""));
    free(r.body);
    r = call(f, "POST", "/console/api/staff/li", "{\"disabled\":true}", boss.cookie, boss.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "GET", "/console/api/me", NULL, li.cookie, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
    r = consoletest_login_raw(f->hub, "li", "li-password-1");
    consoletest_assert_error(r, 401, "bad_credentials");
    free(r.body);
    /* Not on itself: no self-demotion, no self-lockout. */
    r = call(f, "POST", "/console/api/staff/boss", "{\"disabled\":true}", boss.cookie, boss.csrf, NULL);
    consoletest_assert_error(r, 409, "self");
    free(r.body);
    r = call(f, "POST", "/console/api/staff/nobody", "{\"disabled\":true}", boss.cookie, boss.csrf, NULL);
    consoletest_assert_error(r, 404, "not_found");
    free(r.body);
    /* Logged with before and after, never a password. */
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'staff_change'"
                                         " AND target = 'li' AND before LIKE '%\"disabled\":false%'"
                                         " AND after LIKE '%\"disabled\":true%'", NULL, 0), 1);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE after LIKE '%li-password%'",
                            NULL, 0), 0);
}

/* ---- one kiosk: commands and screenshots ----------------------------------- */

static long long command_id(const hub_resp_t *r)
{
    cJSON *j = cJSON_Parse(r->body);
    const cJSON *id = hubtest_at(j, "command.id");
    long long v = cJSON_IsNumber(id) ? (long long)id->valuedouble : -1;
    cJSON_Delete(j);
    return v;
}

static void test_kiosk_commands(void **state)
{
    fx_t *f = *state;
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), pub = login(f, "pub", "publisher-pw-1");
    consoletest_sess_t ed = login(f, "ed", EDITOR_PW), vic = login(f, "vic", "viewer-password-1");
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-02/group", "{\"group\":\"south\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    /* Looking is anyone's in the group; restarting a publisher's; other groups' kiosks do not exist. */
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"screenshot\"}", ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"screenshot\"}", ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 201);
    long long shot_cmd = command_id(&r);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"restart\"}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-02/commands", "{\"kind\":\"screenshot\"}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_device");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"format_disk\"}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"restart\"}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.body, "\"staff\":\"pub\""));
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'kiosk_command'"
                                         " AND target = 'test-01'", NULL, 0), 2);
    /* The kiosk sends its picture; the group's staff see it, others do not. */
    char path[96], key[64];
    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", shot_cmd);
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->t->token);
    snprintf(key, sizeof key, "Idempotency-Key: shot-%lld", shot_cmd);
    const char *dh[] = {auth, key, "Content-Type: image/png", NULL};
    static const unsigned char png[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3};
    r = hub_handle(f->hub, "POST", path, dh, (const char *)png, sizeof png);
    assert_int_equal(r.status, 201);
    free(r.body);
    snprintf(path, sizeof path, "/console/api/commands/%lld", shot_cmd);
    r = call(f, "GET", path, NULL, vic.cookie, NULL, NULL);
    consoletest_assert_error(r, 404, "unknown_command");
    free(r.body);
    r = call(f, "GET", path, NULL, ed.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    long long shot = (long long)hubtest_at(j, "command.screenshot")->valuedouble;
    cJSON_Delete(j);
    free(r.body);
    snprintf(path, sizeof path, "/console/api/screenshots/%lld", shot);
    r = call(f, "GET", path, NULL, ed.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "image/png");
    assert_int_equal(r.body_len, sizeof png);
    free(r.body);
    r = call(f, "GET", path, NULL, vic.cookie, NULL, NULL);
    consoletest_assert_error(r, 404, "unknown_screenshot");
    free(r.body);
    r = call(f, "GET", "/console/api/screenshots/abc", NULL, ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 404, "unknown_screenshot");
    free(r.body);
}

/* A request as the kiosk test-01 (its token), with an Idempotency-Key. */
static hub_resp_t as_kiosk(fx_t *f, const char *method, const char *path, const char *body, const char *key)
{
    char auth[200], k[96];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->t->token);
    snprintf(k, sizeof k, "Idempotency-Key: %s", key);
    const char *h[] = {auth, k, "Content-Type: application/json", NULL};
    return hub_handle(f->hub, method, path, h, body, strlen(body));
}

/* One kiosk's page: its peripherals from the latest heartbeat, what staff
 * asked of it and what it answered, its newest screenshot; a display
 * schedule sent from there; other groups' kiosks do not exist. */
static void test_kiosk_page(void **state)
{
    fx_t *f = *state;
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), pub = login(f, "pub", "publisher-pw-1");
    consoletest_sess_t vic = login(f, "vic", "viewer-password-1");
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    r = as_kiosk(f, "POST", "/v1/heartbeat",
                 "{\"version\":\"0.2.0\",\"mode\":\"hall\",\"screen\":\"home\",\"printer\":\"offline\","
                 "\"paper\":\"low\",\"reader\":\"ok\",\"queue_depth\":3,\"dead_letters\":1,"
                 "\"disk_free_mb\":400,\"interval_s\":60}", "hb-page-1");
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands",
             "{\"kind\":\"set_schedule\",\"args\":{\"on\":\"07:00\",\"off\":\"07:00\"}}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands",
             "{\"kind\":\"set_schedule\",\"args\":{\"on\":\"07:00\",\"off\":\"22:30\"}}", pub.cookie, pub.csrf, NULL);
    assert_int_equal(r.status, 201);
    long long sched = command_id(&r);
    free(r.body);
    r = call(f, "POST", "/console/api/kiosks/test-01/commands", "{\"kind\":\"screenshot\"}", pub.cookie, pub.csrf, NULL);
    long long shot_cmd = command_id(&r);
    free(r.body);
    char path[96], key[64];
    snprintf(path, sizeof path, "/v1/commands/%lld/result", sched);
    r = as_kiosk(f, "POST", path, "{\"ok\":true,\"message\":\"screen 07:00-22:30\"}", "res-page-1");
    assert_int_equal(r.status, 200);
    free(r.body);
    snprintf(path, sizeof path, "/v1/screenshots?command=%lld", shot_cmd);
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->t->token);
    snprintf(key, sizeof key, "Idempotency-Key: shot-page-%lld", shot_cmd);
    const char *dh[] = {auth, key, "Content-Type: image/png", NULL};
    static const unsigned char png[64] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 4, 5, 6};
    r = hub_handle(f->hub, "POST", path, dh, (const char *)png, sizeof png);
    assert_int_equal(r.status, 201);
    free(r.body);

    r = call(f, "GET", "/console/api/kiosks/test-01", NULL, pub.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    assert_string_equal(hubtest_at(j, "kiosk.id")->valuestring, "test-01");
    assert_string_equal(hubtest_at(j, "kiosk.group")->valuestring, "north");
    assert_string_equal(hubtest_at(j, "kiosk.devices.printer")->valuestring, "offline");
    assert_string_equal(hubtest_at(j, "kiosk.devices.paper")->valuestring, "low");
    assert_string_equal(hubtest_at(j, "kiosk.devices.reader")->valuestring, "ok");
    assert_int_equal((int)hubtest_at(j, "kiosk.devices.queue_depth")->valuedouble, 3);
    assert_int_equal((int)hubtest_at(j, "kiosk.devices.dead_letters")->valuedouble, 1);
    assert_int_equal((int)hubtest_at(j, "kiosk.devices.disk_free_mb")->valuedouble, 400);
    assert_true(cJSON_IsNull(hubtest_at(j, "kiosk.devices.mem_kb")));
    const cJSON *cmds = cJSON_GetObjectItem(j, "commands");
    assert_int_equal(cJSON_GetArraySize(cmds), 2);
    /* Newest first: the screenshot, then the schedule with its answer. */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cmds, 0), "kind")->valuestring, "screenshot");
    const cJSON *c1 = cJSON_GetArrayItem(cmds, 1);
    assert_string_equal(cJSON_GetObjectItem(c1, "kind")->valuestring, "set_schedule");
    assert_string_equal(cJSON_GetObjectItem(c1, "status")->valuestring, "done");
    assert_string_equal(cJSON_GetObjectItem(c1, "message")->valuestring, "screen 07:00-22:30");
    assert_string_equal(hubtest_at(cJSON_GetObjectItem(c1, "args"), "off")->valuestring, "22:30");
    long long shot = (long long)cJSON_GetObjectItem(j, "screenshot")->valuedouble;
    assert_true(shot > 0);
    cJSON_Delete(j);
    free(r.body);
    snprintf(path, sizeof path, "/console/api/screenshots/%lld", shot);
    r = call(f, "GET", path, NULL, pub.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, sizeof png);
    free(r.body);
    /* The staff API's fleet has the same peripherals. */
    r = call(f, "GET", "/console/api/fleet", NULL, pub.cookie, NULL, NULL);
    assert_non_null(strstr(r.body, "\"devices\":{\"printer\":\"offline\",\"paper\":\"low\""));
    free(r.body);
    /* Outside the account's groups, or unknown: the same 404. */
    r = call(f, "GET", "/console/api/kiosks/test-01", NULL, vic.cookie, NULL, NULL);
    consoletest_assert_error(r, 404, "unknown_device");
    free(r.body);
    r = call(f, "GET", "/console/api/kiosks/nope", NULL, pub.cookie, NULL, NULL);
    consoletest_assert_error(r, 404, "unknown_device");
    free(r.body);
    r = call(f, "GET", "/console/api/kiosks/test-01", NULL, NULL, NULL, NULL);
    consoletest_assert_error(r, 401, "not_signed_in");
    free(r.body);
}

/* ---- help requests ------------------------------------------------------------ */

static void test_help_inbox(void **state)
{
    fx_t *f = *state;
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), ed = login(f, "ed", EDITOR_PW), vic = login(f, "vic", "viewer-password-1");
    hub_resp_t r = call(f, "POST", "/console/api/kiosks/test-01/group", "{\"group\":\"north\"}", boss.cookie, boss.csrf, NULL);
    free(r.body);
    char auth[200];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->t->token);
    const char *dh[] = {auth, "Idempotency-Key: help-1", "Content-Type: application/json", NULL};
    const char *help = "{\"location\":\"服务大厅1号机\",\"message\":\"读卡器没反应\",\"contact\":\"13812345678\",\"consent\":true}";
    r = hub_handle(f->hub, "POST", "/v1/help", dh, help, strlen(help));
    assert_int_equal(r.status, 201);
    free(r.body);
    r = call(f, "GET", "/console/api/help", NULL, ed.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "读卡器没反应"));
    assert_non_null(strstr(r.body, "\"contact\":\"138****5678\""));
    assert_null(strstr(r.body, "13812345678"));
    assert_non_null(strstr(r.body, "\"pending\":1"));
    free(r.body);
    r = call(f, "GET", "/console/api/help", NULL, vic.cookie, NULL, NULL);
    assert_null(strstr(r.body, "读卡器"));                 /* another group's kiosk */
    free(r.body);
    r = call(f, "POST", "/console/api/help/1/ack", "{}", vic.cookie, vic.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_help");
    free(r.body);
    r = call(f, "POST", "/console/api/help/1/ack", "{}", ed.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/help/1/ack", "{}", ed.cookie, ed.csrf, NULL);
    assert_int_equal(r.status, 200);
    free(r.body);
    r = call(f, "POST", "/console/api/help/1/ack", "{}", ed.cookie, ed.csrf, NULL);
    consoletest_assert_error(r, 409, "acknowledged");
    free(r.body);
    /* The kiosk sees that staff are coming. */
    const char *gh[] = {auth, NULL};
    r = hub_handle(f->hub, "GET", "/v1/help/1", gh, NULL, 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"acknowledged\""));
    free(r.body);
    assert_int_equal(db_int(db_thread(), "SELECT count(*) FROM console_changes WHERE action = 'help_ack'"
                                         " AND staff = 'ed'", NULL, 0), 1);
}

/* ---- static pages ------------------------------------------------------------ */

static void test_static(void **state)
{
    fx_t *f = *state;
    hub_resp_t r = call(f, "GET", "/console/", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_true(r.console);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    char *html = strndup(r.body, r.body_len);
    assert_non_null(strstr(html, "<script type=\"module\" src=\"app.js\"></script>"));
    /* No inline script: the CSP would block it anyway. */
    assert_null(strstr(html, "<script>"));
    assert_null(strstr(html, "onclick"));
    free(html);
    free(r.body);
    r = call(f, "GET", "/console/app.js", NULL, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
    free(r.body);
    static const char *const bad[] = {"/console/.hidden.js", "/console/..", "/console/x.c",
                                      "/console/..%2fhub.db", "/console/missing.js"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = call(f, "GET", bad[i], NULL, NULL, NULL, NULL);
        assert_int_equal(r.status, 404);
        free(r.body);
    }
}

/* ---- device enrolment ----------------------------------------------------- */

/* The status of a kiosk route called with TOKEN. */
static int kiosk_status(fx_t *f, const char *token)
{
    char auth[AUTH_TOKEN_MAX + 30];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    hub_resp_t r = call(f, "GET", "/v1/housekeeping/services", NULL, auth, NULL, NULL);
    free(r.body);
    return r.status;
}

/* The "token" of an enrol or rotate answer into OUT (asserting status ST). */
static void token_of(hub_resp_t *r, int st, char *out, size_t len)
{
    if (r->status != st) fail_msg("%d %s", r->status, r->body);
    cJSON *j = cJSON_Parse(r->body);
    const cJSON *t = cJSON_GetObjectItem(j, "token");
    assert_true(cJSON_IsString(t));
    snprintf(out, len, "%s", t->valuestring);
    cJSON_Delete(j);
    free(r->body);
}

static void test_devices(void **state)
{
    fx_t *f = *state;
    consoletest_add("nadmin", STAFF_ADMIN, "north", "north-admin-pw-1");
    consoletest_add("pub", STAFF_PUBLISHER, "north", "publisher-pw-1");
    consoletest_sess_t boss = login(f, "boss", ADMIN_PW), na = login(f, "nadmin", "north-admin-pw-1");
    consoletest_sess_t pub = login(f, "pub", "publisher-pw-1"), ed = login(f, "ed", EDITOR_PW);
    consoletest_sess_t vic = login(f, "vic", "viewer-password-1");
    const char *body = "{\"id\":\"k-north-9\",\"group\":\"north\",\"community\":\"riverside\"}";

    /* Only an admin, only with the CSRF token. */
    const consoletest_sess_t *weak[] = {&pub, &ed, &vic};
    for (int i = 0; i < 3; i++) {
        hub_resp_t r = call(f, "POST", "/console/api/devices", body, weak[i]->cookie, weak[i]->csrf, NULL);
        consoletest_assert_error(r, 403, "forbidden");
        free(r.body);
        r = call(f, "GET", "/console/api/devices", NULL, weak[i]->cookie, NULL, NULL);
        consoletest_assert_error(r, 403, "forbidden");
        free(r.body);
    }
    hub_resp_t r = call(f, "POST", "/console/api/devices", body, na.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);
    r = call(f, "POST", "/console/api/devices", "{\"id\":\"bad id\",\"group\":\"north\"}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 422, "invalid_field");
    free(r.body);
    /* North's admin cannot enrol into south. */
    r = call(f, "POST", "/console/api/devices", "{\"id\":\"k-s\",\"group\":\"south\"}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);

    /* Enrolled: the token works on the kiosk routes at once. */
    char tok[AUTH_TOKEN_MAX], tok2[AUTH_TOKEN_MAX], stok[AUTH_TOKEN_MAX];
    r = call(f, "POST", "/console/api/devices", body, na.cookie, na.csrf, NULL);
    token_of(&r, 201, tok, sizeof tok);
    assert_int_equal(strncmp(tok, "k-north-9.", 10), 0);
    assert_int_equal(kiosk_status(f, tok), 200);
    char comm[64];
    assert_int_equal(scope_device_community(db_thread(), "k-north-9", comm, sizeof comm), 0);
    assert_string_equal(comm, "riverside");
    r = call(f, "POST", "/console/api/devices", body, na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 409, "exists");
    free(r.body);
    r = call(f, "POST", "/console/api/devices", "{\"id\":\"k-south-9\",\"group\":\"south\"}", boss.cookie, boss.csrf, NULL);
    token_of(&r, 201, stok, sizeof stok);

    /* The list: north's admin sees north only, and never a token. */
    r = call(f, "GET", "/console/api/devices", NULL, na.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"id\":\"k-north-9\""));
    assert_null(strstr(r.body, "k-south-9"));
    assert_null(strstr(r.body, strchr(tok, '.') + 1));
    free(r.body);

    /* A south kiosk does not exist for north's admin. */
    r = call(f, "POST", "/console/api/devices/k-south-9/revoke", "{}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_device");
    free(r.body);
    r = call(f, "POST", "/console/api/devices/k-south-9/rotate", "{}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 404, "unknown_device");
    free(r.body);
    assert_int_equal(kiosk_status(f, stok), 200);
    r = call(f, "POST", "/console/api/devices/k-north-9/revoke", "{}", pub.cookie, pub.csrf, NULL);
    consoletest_assert_error(r, 403, "forbidden");
    free(r.body);
    r = call(f, "POST", "/console/api/devices/k-north-9/revoke", "{}", na.cookie, NULL, NULL);
    consoletest_assert_error(r, 403, "csrf");
    free(r.body);

    /* Rotate: the old token stops, the new one works. */
    r = call(f, "POST", "/console/api/devices/k-north-9/rotate", "{}", na.cookie, na.csrf, NULL);
    token_of(&r, 200, tok2, sizeof tok2);
    assert_string_not_equal(tok, tok2);
    assert_int_equal(kiosk_status(f, tok), 401);
    assert_int_equal(kiosk_status(f, tok2), 200);

    /* Revoke: 401 at once, the row says revoked, no new token re-admits it. */
    r = call(f, "POST", "/console/api/devices/k-north-9/revoke", "{}", na.cookie, na.csrf, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"revoked\":true"));
    assert_null(strstr(r.body, "\"token\""));
    free(r.body);
    assert_int_equal(kiosk_status(f, tok2), 401);
    r = call(f, "POST", "/console/api/devices/k-north-9/rotate", "{}", na.cookie, na.csrf, NULL);
    consoletest_assert_error(r, 409, "revoked");
    free(r.body);
    r = call(f, "GET", "/console/api/devices", NULL, na.cookie, NULL, NULL);
    assert_non_null(strstr(r.body, "\"revoked\":true"));
    free(r.body);

    /* Every change is logged, no secret in it. */
    r = call(f, "GET", "/console/api/changes?since=0", NULL, boss.cookie, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "device_add"));
    assert_non_null(strstr(r.body, "device_rotate"));
    assert_non_null(strstr(r.body, "device_revoke"));
    const char *secrets[] = {tok, tok2, stok};
    for (int i = 0; i < 3; i++) assert_null(strstr(r.body, strchr(secrets[i], '.') + 1));
    free(r.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy),
        cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_and_cookie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csrf_and_logout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lockout_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_rate_apart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_page, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fleet_scoped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help_inbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kiosk_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_notices_english, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signer_key_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
