/* Receipts on the kiosk: printed through the queue when the printer works,
 * offered as a QR code when it cannot (no printer, paper out), and printed
 * later from the queue when the paper is back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "sims/vprinter.h"
#include "support/harness.h"

static app_t *with_printer(vprinter_t **vp, vprinter_state_t st)
{
    vprinter_config_t pc = {.paper_mm = 58, .state = st};
    char err[200], uri[64];
    *vp = vprinter_start(&pc, err, sizeof err);
    assert_non_null(*vp);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", vprinter_port(*vp));
    app_t *app = harness_app(1920, 1080, NULL, "en", NULL);
    print_queue_opts_t opts = {.retry_min_ms = 600000};   /* retries only when told */
    app->printq = print_queue_start(app->cfg.var_dir, uri, app->ev_base + APP_EV_PRINT, &opts);
    assert_non_null(app->printq);
    app_test_tap_xy(app, 900, 500);
    app_go(app, SCR_STAFF_MENU);
    return app;
}

static void pump_until(app_t *app, bool (*cond)(app_t *))
{
    for (int i = 0; i < 200 && !cond(app); i++) app_test_pump(app, 50, 100);
}

static bool qr_shown(app_t *app) { return app->receipt_qr[0] != '\0'; }
static bool toast_printed(app_t *app) { return strstr(app->toast, "printed") != NULL; }

static void printed_when_the_printer_works(void **state)
{
    vprinter_t *vp;
    app_t *app = with_printer(&vp, VPRINTER_READY);
    assert_int_equal(app_test_tap(app, "staff.test_print"), 0);
    assert_true(app->receipt_job > 0);
    pump_until(app, toast_printed);
    assert_true(toast_printed(app));
    assert_int_equal(vprinter_wait_receipts(vp, 1, 2000), 0);
    assert_false(qr_shown(app));
    harness_free(app);
    vprinter_stop(vp);
}

static void paper_out_offers_qr_then_prints_later(void **state)
{
    vprinter_t *vp;
    app_t *app = with_printer(&vp, VPRINTER_PAPER_OUT);
    assert_int_equal(app_test_tap(app, "staff.test_print"), 0);
    pump_until(app, qr_shown);
    assert_true(qr_shown(app));
    app_build(app);
    const ui_widget_t *qr = ui_find(app->frame, "receipt.qr");
    assert_non_null(qr);
    assert_non_null(strstr(qr->text, "Printer test"));
    assert_true(app_test_text_shown(app, "Scan this code"));
    assert_int_equal(vprinter_receipt_count(vp), 0);
    /* Closed by the resident, it stays closed while the job waits. */
    assert_int_equal(app_test_tap(app, "receipt.ok"), 0);
    print_queue_retry_now(app->printq);
    for (int i = 0; i < 10; i++) app_test_pump(app, 50, 100);
    assert_false(qr_shown(app));
    /* Paper loaded: the queued receipt prints without the resident. */
    vprinter_set_state(vp, VPRINTER_READY);
    print_queue_retry_now(app->printq);
    assert_int_equal(vprinter_wait_receipts(vp, 1, 5000), 0);
    pump_until(app, toast_printed);
    assert_false(qr_shown(app));
    assert_int_equal(app_test_tap(app, "staff.close"), 0);   /* also ends the session */
    harness_free(app);
    vprinter_stop(vp);
}

static void no_printer_shows_qr_at_once(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", NULL);
    app_test_tap_xy(app, 900, 500);
    app_go(app, SCR_STAFF_MENU);
    assert_int_equal(app_test_tap(app, "staff.test_print"), 0);
    assert_true(qr_shown(app));
    assert_int_equal(app_test_tap(app, "receipt.ok"), 0);
    assert_false(qr_shown(app));
    /* A receipt QR never outlives the session. */
    assert_int_equal(app_test_tap(app, "staff.test_print"), 0);
    app_end_session(app, "finished");
    assert_false(qr_shown(app));
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(printed_when_the_printer_works),
        cmocka_unit_test(paper_out_offers_qr_then_prints_later),
        cmocka_unit_test(no_printer_shows_qr_at_once),
    };
    return cmocka_run_group_tests_name("receipts", tests, NULL, NULL);
}
