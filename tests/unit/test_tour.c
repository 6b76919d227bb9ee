/* The tour's sample data (assets/tour/<name>.json, app/tour_data.h): read as the
 * hub's answers at any moment, and refused with TOUR_BAD_DATA when a file is
 * missing (the rendering itself is test_golden's and test_screens'). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "app/tour.h"
#include "core/clock.h"
#include "services/housekeeping/housekeeping.h"
#include "services/street/street.h"
#include "support/harness.h"

#define CST (8 * 3600)

/* Every state shows on a clock days and hours past the files' as_of (as
 * --screen does on a kiosk's real clock): the street's notices and alert
 * are in force, the housekeeping slots are tomorrow's, on the hour. */
static void samples_follow_the_clock(void **state)
{
    app_t *app = harness_app(1280, 800, "standard", "zh_CN", NULL);
    time_t now = HARNESS_WALL + 3 * 86400 + 5 * 3600 + 17 * 60;
    clock_fake_set(5000000, now);
    for (int i = 0; tour_states[i]; i++) assert_int_equal(tour_show(app, tour_states[i]), 0);

    assert_int_equal(tour_show(app, "street_alert"), 0);
    const street_content_t *c = &app->street->content;
    assert_int_equal(c->n_alerts, 1);
    assert_true(c->alerts[0].published <= now && now < c->alerts[0].expires);
    assert_int_equal(c->alerts[0].expires, now + 3600);
    assert_int_equal(tour_show(app, "street"), 0);
    assert_int_equal(app->street->content.n_alerts, 0);

    assert_int_equal(tour_show(app, "hk_slots"), 0);
    time_t today = (now + CST) / 86400 * 86400 - CST;
    assert_true(app->hk->slots.n > 0);
    assert_int_equal(app->hk->slots.s[0].start, today + 86400 + 9 * 3600);
    harness_free(app);
}

static void a_missing_file_fails_the_state(void **state)
{
    static const char *const sets[] = {"kiosk.assets_dir=tests/nosuchdir", NULL};
    app_t *app = harness_app(1280, 800, "standard", "zh_CN", sets);
    assert_int_equal(tour_show(app, "attract"), TOUR_BAD_DATA);     /* notices.json */
    assert_int_equal(tour_show(app, "nosuch"), TOUR_BAD_DATA);
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(samples_follow_the_clock),
        cmocka_unit_test(a_missing_file_fails_the_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
