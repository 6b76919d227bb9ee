/* The Scan / ID card screen with real drivers against the simulators: a card
 * on the reader identifies the resident (masked on screen, kept only in the
 * session), a QR code is read from the camera source, the devices are used
 * only while the screen is open, and everything is wiped at session end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sims/idcard_sim.h"
#include "app/speech.h"
#include "support/harness.h"
#include "services/identify/identify_service.h"
#include "ui/qr.h"

/* Writes PAYLOAD as a QR picture DIR/frame-001.png (6 px a module) into a
 * new temp DIR, for the camera's image: source. */
static void qr_frame(char *dir, const char *payload, char *path, size_t pathlen)
{
    assert_non_null(mkdtemp(dir));
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    SDL_Init(SDL_INIT_VIDEO);
    SDL_Surface *q = ui_qr_surface(payload);
    assert_non_null(q);
    SDL_Surface *big = SDL_CreateRGBSurfaceWithFormat(0, q->w * 6, q->h * 6, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_BlitScaled(q, NULL, big, NULL);
    snprintf(path, pathlen, "%s/frame-001.png", dir);
    assert_int_equal(IMG_SavePNG(big, path), 0);
    SDL_FreeSurface(q);
    SDL_FreeSurface(big);
}

static void wait_for(app_t *app, bool (*cond)(app_t *))
{
    for (int i = 0; i < 200 && !cond(app); i++) app_test_pump(app, 50, 100);   /* <= 10 s */
}

static bool has_card(app_t *app) { return app->session.pii.id_number[0] != '\0'; }
static bool has_code(app_t *app) { return app->identify->have_code; }
static bool card_bad(app_t *app) { return app->identify->card_bad; }

static void card_identifies_the_resident(void **state)
{
    idcard_sim_config_t sc;
    idcard_sim_config_default(&sc);
    char err[200], set[128];
    idcard_sim_t *sim = idcard_sim_start(&sc, err, sizeof err);
    assert_non_null(sim);
    snprintf(set, sizeof set, "devices.idcard=serial:%s", idcard_sim_path(sim));
    const char *sets[] = {set, "voice.speech=on", NULL};
    app_t *app = harness_app(1920, 1080, NULL, NULL, sets);
    app_test_tap_xy(app, 900, 500);
    assert_null(app->identify->worker);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    assert_non_null(app->identify->worker);                       /* worker runs on this screen only */
    wait_for(app, has_card);
    assert_true(has_card(app));
    char full_name[64], full_id[24];
    snprintf(full_name, sizeof full_name, "%s", app->session.pii.name);
    snprintf(full_id, sizeof full_id, "%s", app->session.pii.id_number);
    assert_true(strlen(full_id) == 18);
    assert_true(app_test_text_shown(app, "您好"));
    /* Masked on screen: never the whole name or number. */
    assert_false(app_test_text_shown(app, full_id));
    assert_false(app_test_text_shown(app, full_name));
    char masked[32];
    snprintf(masked, sizeof masked, "%.4s**********%.4s", full_id, full_id + 14);
    assert_true(app_test_text_shown(app, masked));
    /* Said aloud: take the card; never the name or the number. */
    static voice_said_t said[32];
    int n_said = voice_said(speech_voice(app), 0, said, 32);
    assert_true(n_said >= 1);
    assert_string_equal(said[n_said - 1].text, "请取走您的身份证。");
    assert_int_equal(said[n_said - 1].tone, TONE_TAKE);
    for (int i = 0; i < n_said; i++) {
        assert_null(strstr(said[i].text, full_name));
        assert_null(strstr(said[i].text, full_id));
        assert_null(strstr(said[i].text, full_id + 6));
    }

    /* The reader is polled at a steady pace, not flooded. */
    unsigned c0 = idcard_sim_commands(sim, 0);
    SDL_Delay(1000);
    assert_true(idcard_sim_commands(sim, 0) - c0 < 20);
    /* Leaving the screen stops the worker without waiting for it, and the
     * reader hears nothing more once it is gone. */
    Uint32 t0 = SDL_GetTicks();
    assert_int_equal(app_test_tap(app, "ident.done"), 0);
    assert_true(SDL_GetTicks() - t0 < 100);
    assert_null(app->identify->worker);
    assert_int_equal(identify_shutdown(5000), 0);
    unsigned n = idcard_sim_commands(sim, 0);
    SDL_Delay(400);
    assert_int_equal(idcard_sim_commands(sim, 0), n);
    /* The session's end wipes the identity. */
    app_end_session(app, "finished");
    assert_false(session_pii_present(&app->session));
    harness_free(app);
    idcard_sim_stop(sim);
}

static void bad_check_digit_is_reported_not_trusted(void **state)
{
    idcard_sim_config_t sc;
    idcard_sim_config_default(&sc);
    /* Change the last digit so the check fails. */
    size_t n = strlen(sc.card.id_number);
    sc.card.id_number[n - 1] = sc.card.id_number[n - 1] == '1' ? '2' : '1';
    char err[200], set[128];
    idcard_sim_t *sim = idcard_sim_start(&sc, err, sizeof err);
    assert_non_null(sim);
    snprintf(set, sizeof set, "devices.idcard=serial:%s", idcard_sim_path(sim));
    const char *sets[] = {set, NULL};
    app_t *app = harness_app(1920, 1080, NULL, NULL, sets);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    wait_for(app, card_bad);
    assert_true(app->identify->card_bad);
    assert_true(app_test_text_shown(app, "校验未通过"));
    /* Not trusted: nothing of it becomes the session's identity. */
    assert_false(session_pii_present(&app->session));
    harness_free(app);
    idcard_sim_stop(sim);
}

static void camera_source_reads_a_paper_bill(void **state)
{
    char dir[] = "/tmp/ident-frames-XXXXXX", path[128], set[160];
    app_t *app;
    /* A paper-bill QR as the hub prints them (check digits from docs/api.md example). */
    qr_frame(dir, "XFL-BILL:1:water:3702031056:2026-11:4100:39", path, sizeof path);
    snprintf(set, sizeof set, "devices.camera=image:%s", dir);
    const char *sets[] = {set, NULL};
    app = harness_app(1920, 1080, NULL, NULL, sets);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    wait_for(app, has_code);
    assert_true(has_code(app));
    assert_int_equal(app->identify->code.cls, QR_CLASS_PAPER_BILL);
    assert_true(app_test_text_shown(app, "纸质账单"));
    assert_true(app_test_text_shown(app, "¥41.00"));
    assert_false(app_test_text_shown(app, "3702031056"));     /* the account is masked */
    app_end_session(app, "finished");
    assert_false(app->identify->have_code);
    harness_free(app);
    unlink(path);
    rmdir(dir);
}

static void no_devices_says_so(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", NULL);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    assert_null(app->identify->worker);
    assert_true(app_test_text_shown(app, "No card reader or scanner is connected"));
    harness_free(app);
}

static void absent_reader_is_a_problem_not_a_hang(void **state)
{
    const char *sets[] = {"devices.idcard=serial:/dev/nonexistent-reader", NULL};
    app_t *app = harness_app(1920, 1080, NULL, "en", sets);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    for (int i = 0; i < 50 && !app->identify->problem; i++) app_test_pump(app, 20, 50);
    assert_true(app->identify->problem);
    assert_true(app_test_text_shown(app, "A reader is not working"));
    Uint32 t0 = SDL_GetTicks();
    assert_int_equal(app_test_tap(app, "nav.home"), 0);     /* leaving is quick */
    assert_true(SDL_GetTicks() - t0 < 1500);
    harness_free(app);
}

/* A payment code is money: recognised, never kept. */
static void payment_code_is_not_kept(void **state)
{
    char dir[] = "/tmp/ident-pay-XXXXXX", path[128], set[160];
    qr_frame(dir, "134567890123456789", path, sizeof path);
    snprintf(set, sizeof set, "devices.camera=image:%s", dir);
    const char *sets[] = {set, NULL};
    app_t *app = harness_app(1920, 1080, NULL, NULL, sets);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app_test_tap(app, "home.scan"), 0);
    wait_for(app, has_code);
    assert_int_equal(app->identify->code.cls, QR_CLASS_PAYMENT_CODE);
    assert_string_equal(app->identify->code.pay.code, "");
    assert_true(app_test_text_shown(app, "付款码"));
    harness_free(app);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(card_identifies_the_resident),
        cmocka_unit_test(bad_check_digit_is_reported_not_trusted),
        cmocka_unit_test(camera_source_reads_a_paper_bill),
        cmocka_unit_test(payment_code_is_not_kept),
        cmocka_unit_test(no_devices_says_so),
        cmocka_unit_test(absent_reader_is_a_problem_not_a_hang),
    };
    return cmocka_run_group_tests_name("identify", tests, NULL, NULL);
}
