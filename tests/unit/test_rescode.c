/* The community resident code at the kiosk, end to end: a real hub process
 * (build/hub --demo, which issues the demo resident a code) and the real
 * scanner driver reading the code from the camera's image: source. Shown
 * at the "find my bills" scan step, the code finds every account of its
 * resident like the ID card, masked, and is wiped with the session; a code
 * the hub no longer takes, a malformed one and a dead hub each get a clear
 * sentence, never a crash or a guess. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/screens.h"
#include "services/bills/bills.h"
#include "services/housekeeping/housekeeping.h"
#include "services/info/info.h"
#include "services/identify/identify_service.h"
#include "support/harness.h"
#include "support/hubproc.h"
#include "ui/qr.h"

static hubproc_t hub;
static char demo_code[RESCODE_MAX + 2];

/* The code the demo hub issued, from the file it wrote beside its database. */
static void read_demo_code(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/demo-rescode.txt", hub.dir);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(demo_code, sizeof demo_code, fp));
    fclose(fp);
    demo_code[strcspn(demo_code, "\n")] = '\0';
}

/* PAYLOAD as a QR picture DIR/frame-001.png in a new temp DIR. */
static void qr_frame(char *dir, const char *payload, char *path, size_t pathlen)
{
    assert_non_null(mkdtemp(dir));
    SDL_Surface *q = ui_qr_surface(payload);
    assert_non_null(q);
    SDL_Surface *big = SDL_CreateRGBSurfaceWithFormat(0, q->w * 6, q->h * 6, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_BlitScaled(q, NULL, big, NULL);
    snprintf(path, pathlen, "%s/frame-001.png", dir);
    assert_int_equal(IMG_SavePNG(big, path), 0);
    SDL_FreeSurface(q);
    SDL_FreeSurface(big);
}

static app_t *net_app(const char *url, const char *camera)
{
    static char u[128], tok[200], cam[200];
    snprintf(u, sizeof u, "hub.url=%s", url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(cam, sizeof cam, "devices.camera=%s", camera ? camera : "");
    const char *sets[] = {u, tok, "ui.locale=en", "hub.timeout=2", cam, NULL};
    return harness_net_app(1920, 1080, sets);
}

/* Home -> bills -> "ID card": the scan step. */
static void to_scan_step(app_t *app)
{
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.bills"), 0);
    assert_int_equal(app_test_tap(app, "bills.card"), 0);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
}

static ident_event_t *code_event(app_t *app, const char *payload)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CODE;
    qr_classify(payload, strlen(payload), &ev->info);
    return ev;
}

static void code_on_the_scanner_finds_the_residents_bills(void **state)
{
    char dir[] = "/tmp/rescode-frames-XXXXXX", path[128], cam[160];
    qr_frame(dir, demo_code, path, sizeof path);
    snprintf(cam, sizeof cam, "image:%s", dir);
    app_t *app = net_app(hub.url, cam);
    to_scan_step(app);
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST || app->bills->msg[0], 10000);
    if (app->screen != SCR_BILLS_LIST) fail_msg("no bills: %s", app->bills->msg);
    assert_int_equal(app->bills->how, BILLS_FIND_RESCODE);
    assert_int_equal(app->bills->acc.n, 4);            /* the same four accounts as his ID card */
    assert_string_equal(app->bills->acc.a[0].account, "3702031056");
    assert_true(app_test_text_shown(app, "张*国"));
    assert_false(app_test_text_shown(app, "张建国"));
    rescode_t c;
    assert_int_equal(rescode_parse(demo_code, strlen(demo_code), &c, NULL), 0);
    assert_false(app_test_text_shown(app, c.mac));
    assert_false(app_test_text_shown(app, c.code));
    assert_string_equal(app->session.pii.rescode, demo_code);
    /* The code leaves with the session, like the card. */
    app_end_session(app, "timeout");
    assert_int_equal(session_pii_present(&app->session), 0);
    harness_free(app);
    unlink(path);
    rmdir(dir);
}

static void refused_and_malformed_codes_are_explained(void **state)
{
    app_t *app = net_app(hub.url, NULL);
    to_scan_step(app);
    /* Not a shape the kiosk can send. */
    bills_scan_result(app, code_event(app, "XFL-RES:1:NOT-A-CODE"));
    assert_false(app->bills->busy);
    assert_true(app_test_text_shown(app, "resident code could not be read correctly"));
    /* The right shape, a MAC the hub did not make. */
    char forged[RESCODE_MAX + 2];
    snprintf(forged, sizeof forged, "%s", demo_code);
    size_t n = strlen(forged);
    forged[n - 1] = forged[n - 1] == '0' ? '1' : '0';
    bills_scan_result(app, code_event(app, forged));
    WAIT_FOR(app, !app->bills->busy && app->bills->msg[0], 5000);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
    assert_true(app_test_text_shown(app, "resident code cannot be used"));
    assert_true(app_test_text_shown(app, "ask staff for a new code"));
    harness_free(app);
}

static void dead_hub_is_said_plainly(void **state)
{
    app_t *app = net_app("http://127.0.0.1:1", NULL);       /* nothing listens there */
    to_scan_step(app);
    bills_scan_result(app, code_event(app, demo_code));
    WAIT_FOR(app, !app->bills->busy && app->bills->msg[0], 8000);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
    assert_true(app_test_text_shown(app, "cannot be reached right now"));
    harness_free(app);
}

/* Issued again (at the hub's desk): the code the resident still carries is
 * superseded, and the kiosk says so in the same words as any refusal. */
static void superseded_code_is_refused(void **state)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub rescode issue --db %s --resident 1 >/dev/null 2>&1",
             getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build", hub.db);
    assert_int_equal(system(cmd), 0);
    app_t *app = net_app(hub.url, NULL);
    to_scan_step(app);
    bills_scan_result(app, code_event(app, demo_code));
    WAIT_FOR(app, !app->bills->busy && app->bills->msg[0], 5000);
    assert_int_equal(app->screen, SCR_BILLS_SCAN);
    assert_true(app_test_text_shown(app, "resident code cannot be used"));
    harness_free(app);
}

/* ---- housekeeping: the code at the "who are you" step ---------------------------- */

static void tap(app_t *app, const char *id)
{
    if (app_test_tap(app, id) != 0) fail_msg("no widget %s on screen %s", id, app_screen_name(app->screen));
}

/* Home -> housekeeping -> elder care -> tomorrow -> a free slot -> "who". */
static void to_who(app_t *app)
{
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.housekeeping");
    WAIT_FOR(app, app->hk->have_services, 5000);
    tap(app, "hk.svc.3");
    tap(app, "hk.pick");
    WAIT_FOR(app, !app->hk->busy, 5000);
    tap(app, "hk.day.1");
    WAIT_FOR(app, app->hk->have_slots, 5000);
    app_build(app);
    int slot = -1;
    for (int i = 0; i < app->hk->slots.n && slot < 0; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "hk.slot.%d", i);
        if (app->hk->slots.s[i].left > 0 && ui_find(app->frame, id)) slot = i;
    }
    assert_true(slot >= 0);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", slot);
    tap(app, id);
    assert_int_equal(app->screen, SCR_HK_WHO);
}

static void code_books_lists_and_cancels_housekeeping(void **state)
{
    char fresh[RESCODE_MAX + 2], cmd[700], path[200];
    /* A code of its own (the demo code may have been superseded above). */
    snprintf(path, sizeof path, "%s/fresh.txt", hub.dir);
    unlink(path);
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub rescode issue --db %s --resident 1 --out %s >/dev/null 2>&1",
             getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build", hub.db, path);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(fresh, sizeof fresh, fp));
    fclose(fp);
    fresh[strcspn(fresh, "\n")] = '\0';

    app_t *app = net_app(hub.url, NULL);
    to_who(app);
    ident_event_t *ev = code_event(app, fresh);
    ev->gen = app->identify->gen;
    hk_ident_result(app, ev);
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    assert_true(app_test_text_shown(app, "Your community resident code"));
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE || app->hk->msg[0], 5000);
    if (app->screen != SCR_HK_DONE) fail_msg("not booked: %s", app->hk->msg);
    char code[16], sql[400];
    snprintf(code, sizeof code, "%s", app->hk->booking.code);
    assert_string_equal(app->hk->booking.name, "张*国");      /* the hub's record, masked */
    /* Booked under the resident's ID card (its keyed hash), the name sealed. */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings b JOIN residents r ON r.id = 1"
             " WHERE b.code = '%s' AND b.id_hash = r.id_hash AND b.name LIKE 's1:%%'", code);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    if (app->receipt_qr[0]) tap(app, "receipt.ok");

    /* "My bookings": the code is the proof; cancel it. */
    tap(app, "hk.done.mine");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_true(app->hk->mine.n >= 1);
    int i = -1;
    for (int k = 0; k < app->hk->mine.n; k++)
        if (!strcmp(app->hk->mine.b[k].code, code)) i = k;
    assert_true(i >= 0);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.cancel.%d", i);
    tap(app, id);
    tap(app, "hk.ask.yes");
    WAIT_FOR(app, app->hk->mine.b[i].cancelled, 5000);
    assert_true(app->hk->mine.b[i].cancelled);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE code = '%s' AND status = 'cancelled'", code);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    app_end_session(app, "finished");
    assert_int_equal(session_pii_present(&app->session), 0);

    /* A code the hub does not take (superseded by the next issue): the
     * booking is refused in plain words and the resident can use the card. */
    unlink(path);
    assert_int_equal(system(cmd), 0);
    to_who(app);
    ev = code_event(app, fresh);
    hk_ident_result(app, ev);
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, !app->hk->busy && app->hk->msg[0], 5000);
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    assert_true(app_test_text_shown(app, "resident code cannot be used"));
    assert_int_equal(app->hk->who, HK_WHO_NONE);
    assert_int_equal(app->session.pii.rescode[0], 0);
    harness_free(app);
}

/* ---- registration: a code shown earlier this visit ------------------------------ */

static void code_shown_earlier_registers_in_the_residents_name(void **state)
{
    char fresh[RESCODE_MAX + 2], cmd[700], path[200];
    snprintf(path, sizeof path, "%s/reg.txt", hub.dir);
    unlink(path);
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub rescode issue --db %s --resident 1 --out %s >/dev/null 2>&1",
             getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build", hub.db, path);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(fresh, sizeof fresh, fp));
    fclose(fp);
    fresh[strcspn(fresh, "\n")] = '\0';

    app_t *app = net_app(hub.url, NULL);
    to_scan_step(app);
    bills_scan_result(app, code_event(app, fresh));
    WAIT_FOR(app, app->screen == SCR_BILLS_LIST, 5000);
    assert_int_equal(app->screen, SCR_BILLS_LIST);
    app_home(app);
    struct info_state *s = app->info;
    tap(app, "home.notices");
    WAIT_FOR(app, !s->busy, 5000);
    tap(app, "info.tab.1");                                   /* events */
    WAIT_FOR(app, !s->busy, 5000);
    int ev = -1;
    for (int i = 0; i < s->n && ev < 0; i++)
        if (info_can_register(&s->items[i])) ev = i;
    assert_true(ev >= 0);
    char wid[UI_ID_LEN];
    snprintf(wid, sizeof wid, "info.item.%d", ev);
    while (app_test_tap(app, wid) != 0) tap(app, "info.next");
    tap(app, "notice.register");
    assert_int_equal(app->screen, SCR_REGISTER);
    assert_true(app_test_text_shown(app, "from your community resident code"));
    for (const char *d = "13987654321"; *d; d++) {
        snprintf(wid, sizeof wid, "reg.key.%c", *d);
        tap(app, wid);
    }
    tap(app, "reg.key.ok");
    WAIT_FOR(app, s->reg_done || (!s->reg_busy && s->reg_msg[0]), 5000);
    if (!s->reg_done) fail_msg("not registered: %s", s->reg_msg);
    /* The hub took the code and registered its resident's name. */
    assert_true(hubproc_sql_int(&hub, "SELECT count(*) FROM audit WHERE kind = 'registration_rescode'"
                                      " AND outcome = 'found'") >= 1);
    app_end_session(app, "finished");
    assert_int_equal(session_pii_present(&app->session), 0);
    harness_free(app);
}

/* ---- the Scan screen: who the code names ------------------------------------ */

/* A fresh code of resident 1 from the CLI into OUT. */
static void fresh_code(char out[RESCODE_MAX + 2])
{
    char cmd[700], path[200];
    snprintf(path, sizeof path, "%s/scan.txt", hub.dir);
    unlink(path);
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub rescode issue --db %s --resident 1 --out %s >/dev/null 2>&1",
             getenv("BUILD") && *getenv("BUILD") ? getenv("BUILD") : "build", hub.db, path);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    assert_non_null(fgets(out, RESCODE_MAX + 2, fp));
    fclose(fp);
    out[strcspn(out, "\n")] = '\0';
}

static bool checked(app_t *app) { return app->identify->have_code && app->identify->code_checked != 0; }

/* Shows PAYLOAD to the camera on the Scan screen; the app, once checked. */
static app_t *scan_screen_reads(const char *url, const char *payload, char *dir, char *path, size_t plen)
{
    char cam[160];
    qr_frame(dir, payload, path, plen);
    snprintf(cam, sizeof cam, "image:%s", dir);
    app_t *app = net_app(url, cam);
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.scan");
    assert_int_equal(app->screen, SCR_SCAN);
    WAIT_FOR(app, checked(app), 10000);
    assert_true(checked(app));
    return app;
}

static void scan_screen_greets_the_codes_resident(void **state)
{
    char code[RESCODE_MAX + 2], dir[] = "/tmp/rescode-scan-XXXXXX", path[128];
    fresh_code(code);
    app_t *app = scan_screen_reads(hub.url, code, dir, path, sizeof path);
    assert_int_equal(app->identify->code_checked, 1);
    assert_true(app_test_text_shown(app, "Hello, 张*国"));
    assert_true(app_test_text_shown(app, "resident code is valid"));
    assert_false(app_test_text_shown(app, "张建国"));
    assert_string_equal(app->session.pii.rescode, code);      /* kept for this visit */
    app_end_session(app, "finished");
    assert_int_equal(session_pii_present(&app->session), 0);
    assert_int_equal(app->identify->code_name[0], 0);
    harness_free(app);
    unlink(path);
    rmdir(dir);

    /* Superseded by a newer code: refused, said plainly, not kept. */
    char newer[RESCODE_MAX + 2], dir2[] = "/tmp/rescode-scan-XXXXXX";
    fresh_code(newer);
    app = scan_screen_reads(hub.url, code, dir2, path, sizeof path);
    assert_int_equal(app->identify->code_checked, -1);
    assert_true(app_test_text_shown(app, "This resident code cannot be used"));
    assert_int_equal(app->session.pii.rescode[0], 0);
    harness_free(app);
    unlink(path);
    rmdir(dir2);

    /* A dead hub: read, but not checked; said so. */
    char dir3[] = "/tmp/rescode-scan-XXXXXX";
    app = scan_screen_reads("http://127.0.0.1:1", newer, dir3, path, sizeof path);
    assert_int_equal(app->identify->code_checked, -2);
    assert_true(app_test_text_shown(app, "cannot be checked right now"));
    harness_free(app);
    unlink(path);
    rmdir(dir3);
}

static int setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    harness_clock_start();                  /* the hub starts at the kiosk's time */
    if (hubproc_start(&hub) != 0) return -1;
    read_demo_code();
    return 0;
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_on_the_scanner_finds_the_residents_bills),
        cmocka_unit_test(refused_and_malformed_codes_are_explained),
        cmocka_unit_test(dead_hub_is_said_plainly),
        cmocka_unit_test(superseded_code_is_refused),
        cmocka_unit_test(code_books_lists_and_cancels_housekeeping),
        cmocka_unit_test(code_shown_earlier_registers_in_the_residents_name),
        cmocka_unit_test(scan_screen_greets_the_codes_resident),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
