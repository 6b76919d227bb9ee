/* Plain-C domain pieces: session state machine, masking, staff PIN lockout,
 * theme contrast arithmetic, the clock and China-time dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "mask.h"
#include "services/housekeeping/housekeeping.h"
#include "core/clock.h"
#include "core/session.h"
#include "core/staff_auth.h"
#include "ui/theme.h"

static void session_starts_on_first_input(void **state)
{
    session_t s;
    session_init(&s, 60, 20);
    assert_int_equal(s.state, SESSION_IDLE);
    assert_int_equal(session_next_deadline(&s, 0), UINT64_MAX);
    assert_int_equal(session_input(&s, 1000, 5), SESSION_EV_STARTED);
    assert_int_equal(s.state, SESSION_ACTIVE);
    assert_int_equal(s.started_wall, 5);
    assert_int_equal(session_input(&s, 2000, 6), SESSION_EV_NONE);
    assert_int_equal(session_next_deadline(&s, 2000), 60000);
}

static void session_warns_then_ends_and_wipes(void **state)
{
    session_t s;
    session_init(&s, 60, 20);
    session_input(&s, 0, 0);
    strcpy(s.pii.name, "张三明");
    strcpy(s.pii.id_number, "11010519491231002X");
    strcpy(s.locale, "en");
    s.large = 1;
    s.contrast = 1;
    assert_int_equal(session_tick(&s, 59999), SESSION_EV_NONE);
    assert_int_equal(session_tick(&s, 60000), SESSION_EV_WARN);
    assert_int_equal(s.state, SESSION_WARNING);
    assert_int_equal(session_warning_left(&s, 60000), 20);
    assert_int_equal(session_warning_left(&s, 60001), 20);
    assert_int_equal(session_warning_left(&s, 61000), 19);
    assert_int_equal(session_tick(&s, 79999), SESSION_EV_NONE);
    assert_true(session_pii_present(&s));
    assert_int_equal(session_tick(&s, 80000), SESSION_EV_ENDED);
    assert_int_equal(s.state, SESSION_IDLE);
    assert_string_equal(s.end_reason, "timeout");
    assert_false(session_pii_present(&s));
    assert_string_equal(s.locale, "");
    assert_int_equal(s.large, -1);     /* the next resident gets kiosk.ini's */
    assert_int_equal(s.contrast, -1);
}

static void session_touch_during_warning_resumes(void **state)
{
    session_t s;
    session_init(&s, 10, 5);
    session_input(&s, 0, 0);
    assert_int_equal(session_tick(&s, 10000), SESSION_EV_WARN);
    assert_int_equal(session_input(&s, 12000, 0), SESSION_EV_RESUMED);
    assert_int_equal(s.state, SESSION_ACTIVE);
    /* The idle time counts again from the touch. */
    assert_int_equal(session_tick(&s, 21999), SESSION_EV_NONE);
    assert_int_equal(session_tick(&s, 22000), SESSION_EV_WARN);
}

static void session_end_explicit(void **state)
{
    session_t s;
    session_init(&s, 10, 5);
    session_end(&s, "done");               /* idle: nothing happens */
    assert_string_equal(s.end_reason, "");
    session_input(&s, 0, 0);
    strcpy(s.pii.phone, "13812345678");
    session_end(&s, "done");
    assert_string_equal(s.end_reason, "done");
    assert_false(session_pii_present(&s));
    assert_int_equal(session_input(&s, 100, 0), SESSION_EV_STARTED);
}

static void mask_values(void **state)
{
    char out[64];
    mask_id("370202199001011234", out, sizeof out);
    assert_string_equal(out, "3702**********1234");
    mask_id("11010519491231002X", out, sizeof out);
    assert_string_equal(out, "1101**********002X");
    mask_id("1234", out, sizeof out);
    assert_string_equal(out, "**34");
    mask_id("", out, sizeof out);
    assert_string_equal(out, "");
    mask_name("张三明", out, sizeof out);
    assert_string_equal(out, "张*明");
    mask_name("张三", out, sizeof out);
    assert_string_equal(out, "张*");
    mask_name("欧阳小明", out, sizeof out);
    assert_string_equal(out, "欧**明");
    mask_name("Li Wei", out, sizeof out);
    assert_string_equal(out, "L****i");
    mask_name("王", out, sizeof out);
    assert_string_equal(out, "*");
    mask_phone("13812345678", out, sizeof out);
    assert_string_equal(out, "138****5678");
    mask_address("幸福里小区3号楼2单元501", out, sizeof out);
    assert_string_equal(out, "幸福里小区3号楼****");
    mask_address("和平路12栋301", out, sizeof out);
    assert_string_equal(out, "和平路12栋****");
    mask_address("朝阳区建国路88", out, sizeof out);
    assert_string_equal(out, "朝阳区建****");
    mask_address("短址", out, sizeof out);
    assert_string_equal(out, "****");
    /* Truncation never splits into an unterminated string. */
    char small[6];
    mask_id("370202199001011234", small, sizeof small);
    assert_string_equal(small, "3702*");
}

static void staff_lockout(void **state)
{
    staff_auth_t a;
    staff_auth_init(&a, 5, 300);
    assert_int_equal(staff_auth_locked(&a, 0), 0);
    assert_int_equal(staff_auth_record(&a, 0, 0), 4);
    assert_int_equal(staff_auth_record(&a, 0, 0), 3);
    assert_int_equal(staff_auth_record(&a, 1, 0), 5);    /* success resets */
    for (int i = 0; i < 4; i++) staff_auth_record(&a, 0, 1000);
    assert_int_equal(staff_auth_record(&a, 0, 1000), 0);  /* fifth: locked */
    assert_int_equal(staff_auth_locked(&a, 1000), 300);
    assert_int_equal(staff_auth_locked(&a, 1000 + 299001), 1);
    assert_int_equal(staff_auth_locked(&a, 1000 + 300000), 0);
    assert_int_equal(staff_auth_record(&a, 0, 301000), 4); /* fresh count after the lock */
}

static void staff_pin_hash_and_verify(void **state)
{
    char hash[STAFF_HASH_MAX];
    assert_int_equal(staff_pin_hash("2468", hash), 0);
    assert_true(strncmp(hash, "$argon2id$", 10) == 0);
    assert_int_equal(staff_pin_verify(hash, "2468"), 1);
    assert_int_equal(staff_pin_verify(hash, "2469"), 0);
    assert_int_equal(staff_pin_verify("", "2468"), 0);
    assert_int_equal(staff_pin_verify("$argon2id$garbage", "2468"), 0);
    assert_int_equal(staff_pin_hash("12", hash), -1);
    assert_int_equal(staff_pin_hash("12ab", hash), -1);
    assert_int_equal(staff_pin_hash("1234567890123", hash), -1);
}

static void theme_contrast_math(void **state)
{
    SDL_Color black = {0, 0, 0, 255}, white = {255, 255, 255, 255}, grey = {119, 119, 119, 255};
    assert_true(theme_contrast(black, white) > 20.99);
    assert_true(theme_contrast(white, black) > 20.99);
    assert_true(theme_contrast(white, white) < 1.01);
    double g = theme_contrast(grey, white);     /* #777 on white: 4.48 */
    assert_true(g > 4.4 && g < 4.6);
}

static void theme_sizes(void **state)
{
    theme_t std, eld;
    theme_make(&std, THEME_STANDARD, 1920, 1080);
    theme_make(&eld, THEME_ELDER, 1920, 1080);
    assert_true(eld.px_body * 2 >= std.px_body * 3);
    assert_true(eld.px_small * 2 >= std.px_small * 3);
    assert_true(eld.target >= 96);
    theme_make(&eld, THEME_ELDER, 1080, 1920);
    assert_true(eld.target >= 96);
}

/* Kiosk dates are China time whatever TZ says, across the day, month and
 * year boundaries and leap days. */
static void clock_dates_are_china_time(void **state)
{
    setenv("TZ", "America/New_York", 1);          /* a zone that must not matter */
    tzset();
    struct tm tm;
    char buf[32];
    /* 2027-12-31 15:59:59 UTC = 23:59:59 China time; a second later, new year. */
    assert_non_null(clock_cst(1830268799, &tm));
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a", &tm);
    assert_string_equal(buf, "2027-12-31 23:59:59 Fri");
    clock_cst(1830268800, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a", &tm);
    assert_string_equal(buf, "2028-01-01 00:00:00 Sat");
    /* 2028-02-28 16:00 UTC is already the leap day in China. */
    clock_cst(1835366400, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %a", &tm);
    assert_string_equal(buf, "2028-02-29 Tue");

    /* The housekeeping calendar from 23:59 on 31 December, China time. */
    clock_fake_set(1000000, 1830268740);
    hk_date(0, buf, sizeof buf);
    assert_string_equal(buf, "2027-12-31");
    hk_date(1, buf, sizeof buf);
    assert_string_equal(buf, "2028-01-01");
    hk_date(60, buf, sizeof buf);                 /* 2028 is a leap year */
    assert_string_equal(buf, "2028-02-29");
    clock_fake_advance(60 * 1000);                /* midnight: "today" moves on */
    hk_date(0, buf, sizeof buf);
    assert_string_equal(buf, "2028-01-01");
    clock_fake_off();
    setenv("TZ", "UTC", 1);
    tzset();
}

/* The fake clock: the UI clock moves only when told; the workers' calendar
 * starts at the fake's wall time and runs in real time. */
static void clock_fake_ui_frozen_worker_calendar_runs(void **state)
{
    clock_fake_set(5000, 1795915800);
    assert_int_equal(clock_wall(), 1795915800);
    int64_t w0 = clock_wall_ms();
    assert_true(w0 >= 1795915800000LL && w0 < 1795915800000LL + 1000);
    usleep(30000);
    assert_int_equal(clock_mono_ms(), 5000);       /* frozen */
    assert_int_equal(clock_wall(), 1795915800);
    assert_true(clock_wall_ms() - w0 >= 25);       /* real time passed */
    clock_fake_advance(61000);
    assert_int_equal(clock_mono_ms(), 66000);
    assert_int_equal(clock_wall(), 1795915861);
    assert_true(clock_wall_ms() < 1795915800000LL + 10000);   /* not moved by the UI's advance */
    clock_fake_off();
    assert_true(llabs(clock_wall_ms() / 1000 - (int64_t)time(NULL)) <= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_starts_on_first_input),
        cmocka_unit_test(session_warns_then_ends_and_wipes),
        cmocka_unit_test(session_touch_during_warning_resumes),
        cmocka_unit_test(session_end_explicit),
        cmocka_unit_test(mask_values),
        cmocka_unit_test(staff_lockout),
        cmocka_unit_test(staff_pin_hash_and_verify),
        cmocka_unit_test(theme_contrast_math),
        cmocka_unit_test(theme_sizes),
        cmocka_unit_test(clock_dates_are_china_time),
        cmocka_unit_test(clock_fake_ui_frozen_worker_calendar_runs),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
