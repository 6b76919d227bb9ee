/* Device status for the staff menu, against the simulators: every state a
 * staff member needs to see, a device that disappears and comes back, and
 * the monitor thread posting changes to the UI. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app/devices.h"
#include "sims/idcard_sim.h"
#include "sims/vprinter.h"
#include "support/harness.h"

static void not_configured_and_checking(void **state)
{
    config_t cfg;
    config_defaults(&cfg);
    dev_status_t t[DEV_COUNT];
    devices_init(t, &cfg);
    for (int i = 0; i < DEV_COUNT; i++) assert_int_equal(t[i].state, DEV_NOT_CONFIGURED);
    snprintf(cfg.printer_uri, sizeof cfg.printer_uri, "tcp://127.0.0.1:9");
    devices_init(t, &cfg);
    assert_int_equal(t[DEV_PRINTER].state, DEV_CHECKING);
    assert_null(devices_start(&(config_t){0}, SDL_USEREVENT, 100));   /* nothing to watch */
}

static void idcard_reader_states(void **state)
{
    idcard_sim_config_t sc;
    idcard_sim_config_default(&sc);
    char err[200], uri[128];
    idcard_sim_t *sim = idcard_sim_start(&sc, err, sizeof err);
    assert_non_null(sim);
    snprintf(uri, sizeof uri, "serial:%s", idcard_sim_path(sim));
    dev_status_t st;
    devices_probe(DEV_IDCARD, uri, 500, &st);
    assert_int_equal(st.state, DEV_READY);
    sc.silent = true;
    idcard_sim_configure(sim, &sc);
    devices_probe(DEV_IDCARD, uri, 300, &st);
    assert_int_equal(st.state, DEV_FAULT);
    idcard_sim_stop(sim);
    devices_probe(DEV_IDCARD, "serial:/dev/nonexistent-reader", 300, &st);
    assert_int_equal(st.state, DEV_FAULT);
    assert_non_null(strstr(st.detail, "No such file"));
}

static void printer_states(void **state)
{
    vprinter_config_t pc = {.paper_mm = 58, .state = VPRINTER_READY};
    char err[200], uri[64];
    vprinter_t *vp = vprinter_start(&pc, err, sizeof err);
    assert_non_null(vp);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", vprinter_port(vp));
    dev_status_t st;
    devices_probe(DEV_PRINTER, uri, 500, &st);
    assert_int_equal(st.state, DEV_READY);
    vprinter_set_state(vp, VPRINTER_NEAR_END);
    devices_probe(DEV_PRINTER, uri, 500, &st);
    assert_int_equal(st.state, DEV_WARNING);
    vprinter_set_state(vp, VPRINTER_PAPER_OUT);
    devices_probe(DEV_PRINTER, uri, 500, &st);
    assert_int_equal(st.state, DEV_FAULT);
    assert_non_null(strcasestr(st.detail, "paper"));
    vprinter_set_state(vp, VPRINTER_NO_ANSWER);
    devices_probe(DEV_PRINTER, uri, 300, &st);
    assert_int_equal(st.state, DEV_FAULT);
    vprinter_stop(vp);
    devices_probe(DEV_PRINTER, uri, 300, &st);
    assert_int_equal(st.state, DEV_FAULT);
}

static void nodes_and_images(void **state)
{
    dev_status_t st;
    devices_probe(DEV_SCANNER, "evdev:/dev/input/by-id/none-event-kbd", 100, &st);
    assert_int_equal(st.state, DEV_FAULT);
    devices_probe(DEV_SCANNER, "evdev:/dev/null", 100, &st);     /* a char device */
    assert_int_equal(st.state, DEV_READY);
    devices_probe(DEV_CAMERA, "image:/tmp", 100, &st);
    assert_int_equal(st.state, DEV_READY);
    devices_probe(DEV_CAMERA, "v4l2:/etc/hostname", 100, &st);    /* not a device */
    assert_int_equal(st.state, DEV_FAULT);
    devices_probe(DEV_CAMERA, "bogus:x", 100, &st);
    assert_int_equal(st.state, DEV_FAULT);
}

/* The monitor posts a change when a printer goes away and when it is back;
 * the staff menu shows it. */
static void monitor_reports_changes_to_the_staff_menu(void **state)
{
    vprinter_config_t pc = {.paper_mm = 58, .state = VPRINTER_READY};
    char err[200], set[96];
    vprinter_t *vp = vprinter_start(&pc, err, sizeof err);
    assert_non_null(vp);
    snprintf(set, sizeof set, "devices.printer=tcp://127.0.0.1:%d", vprinter_port(vp));
    const char *sets[] = {set, NULL};
    app_t *app = harness_app(1920, 1080, NULL, "en", sets);
    assert_int_equal(app->devices[DEV_PRINTER].state, DEV_CHECKING);
    app->devmon = devices_start(&app->cfg, app->ev_base + APP_EV_DEVICE, 100);
    assert_non_null(app->devmon);
    for (int i = 0; i < 50 && app->devices[DEV_PRINTER].state != DEV_READY; i++)
        app_test_pump(app, 20, 100);
    assert_int_equal(app->devices[DEV_PRINTER].state, DEV_READY);
    vprinter_set_state(vp, VPRINTER_COVER_OPEN);
    for (int i = 0; i < 50 && app->devices[DEV_PRINTER].state != DEV_FAULT; i++)
        app_test_pump(app, 20, 100);
    assert_int_equal(app->devices[DEV_PRINTER].state, DEV_FAULT);
    app_test_tap_xy(app, 900, 500);
    app_go(app, SCR_STAFF_MENU);
    assert_true(app_test_text_shown(app, "Receipt printer: fault"));
    vprinter_set_state(vp, VPRINTER_READY);
    for (int i = 0; i < 50 && app->devices[DEV_PRINTER].state != DEV_READY; i++)
        app_test_pump(app, 20, 100);
    assert_true(app_test_text_shown(app, "Receipt printer: ready"));
    assert_true(app_test_text_shown(app, "ID card reader: not configured"));
    harness_free(app);
    vprinter_stop(vp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_configured_and_checking),
        cmocka_unit_test(idcard_reader_states),
        cmocka_unit_test(printer_states),
        cmocka_unit_test(nodes_and_images),
        cmocka_unit_test(monitor_reports_changes_to_the_staff_menu),
    };
    return cmocka_run_group_tests_name("devices", tests, NULL, NULL);
}
