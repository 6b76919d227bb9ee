/* Housekeeping booking end to end: the kiosk's screens, driven by widget id
 * on a headless app, against a real hub process (build/hub --demo). Every
 * booking path checks the hub's database: who was booked, how many places
 * are taken, never more than the capacity. The two-kiosk race runs at the
 * client level (SDL allows one app per process): two hub clients on two
 * threads book the last place of a slot at the same moment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/housekeeping/housekeeping.h"
#include "services/identify/identify_service.h"
#include "net/hub_api.h"
#include "app/screens.h"
#include "core/clock.h"
#include "support/harness.h"
#include "support/hubproc.h"

static hubproc_t hub;

static app_t *net_app_on(const hubproc_t *h)
{
    static char url[128], tok[200];
    snprintf(url, sizeof url, "hub.url=%s", h->url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    const char *sets[] = {url, tok, "ui.locale=en", "hub.timeout=2", NULL};
    return harness_net_app(1920, 1080, sets);
}

static app_t *net_app(void) { return net_app_on(&hub); }

static long long sql_int(const hubproc_t *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static long long sql_int(const hubproc_t *h, const char *fmt, ...)
{
    char sql[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return hubproc_sql_int(h, sql);
}

static void tap(app_t *app, const char *id)
{
    if (app_test_tap(app, id) != 0) fail_msg("no widget %s on screen %s", id, app_screen_name(app->screen));
}

/* Home -> housekeeping (the catalogue loaded) -> SERVICE -> calendar -> tomorrow. */
static void to_slots(app_t *app, int service)
{
    app_test_tap_xy(app, 900, 500);                 /* the first touch starts a session */
    assert_int_equal(app->screen, SCR_HOME);
    tap(app, "home.housekeeping");
    assert_int_equal(app->screen, SCR_HOUSEKEEPING);
    WAIT_FOR(app, app->hk->have_services, 5000);
    assert_true(app->hk->have_services);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.svc.%d", service);
    tap(app, id);
    tap(app, "hk.pick");
    assert_int_equal(app->screen, SCR_HK_SLOTS);
    WAIT_FOR(app, !app->hk->busy, 5000);
    tap(app, "hk.day.1");                           /* the demo always has slots tomorrow */
    WAIT_FOR(app, app->hk->have_slots, 5000);
    assert_true(app->hk->have_slots);
    assert_true(app->hk->slots.n > 0);
}

/* Index of a shown slot with at least MIN_LEFT free places, or -1. */
static int free_slot(app_t *app, int min_left)
{
    app_build(app);
    for (int i = 0; i < app->hk->slots.n; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "hk.slot.%d", i);
        if (app->hk->slots.s[i].left >= min_left && ui_find(app->frame, id)) return i;
    }
    return -1;
}

static void type_phone(app_t *app, const char *phone)
{
    char id[UI_ID_LEN];
    for (const char *d = phone; *d; d++) {
        snprintf(id, sizeof id, "hk.key.%c", *d);
        tap(app, id);
    }
}

/* The visit ended, a new one started at the housekeeping screen's "My
 * bookings" (the services read again first). */
static void new_visit_to_mine(app_t *app)
{
    app_end_session(app, "finished");
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.housekeeping");
    WAIT_FOR(app, app->hk->have_services, 5000);
    tap(app, "hk.mine");
}

/* Books a free slot of SERVICE tomorrow by PHONE; returns the slot id,
 * the code in CODE. */
static long long book_by_phone(app_t *app, int service, const char *phone, char *code)
{
    to_slots(app, service);
    int i = free_slot(app, 1);
    assert_true(i >= 0);
    long long slot = app->hk->slots.s[i].id;
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    assert_int_equal(app->screen, SCR_HK_WHO);
    type_phone(app, phone);
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 5000);
    assert_int_equal(app->screen, SCR_HK_DONE);
    snprintf(code, HUB_HK_CODE_LEN + 1, "%s", app->hk->booking.code);
    assert_int_equal(strlen(code), HUB_HK_CODE_DIGITS);
    if (app->receipt_qr[0]) tap(app, "receipt.ok");  /* no printer: the slip was a QR code */
    return slot;
}

static void assert_wiped(app_t *app)
{
    assert_int_equal(session_pii_present(&app->session), 0);
    assert_false(app->hk->booked);
    assert_int_equal(app->hk->booking.code[0], 0);
    assert_int_equal(app->hk->n_digits, 0);
    assert_int_equal(app->hk->who, HK_WHO_NONE);
    assert_int_equal(app->hk->mine.n, 0);
}

/* ---- browsing -------------------------------------------------------------------- */

static void browse_catalogue_and_calendar(void **state)
{
    app_t *app = net_app();
    to_slots(app, 0);
    /* the catalogue showed cleaning with what is included, price, duration, ratings */
    app_back(app);
    assert_int_equal(app->screen, SCR_HOUSEKEEPING);
    assert_true(app_test_text_shown(app, "Regular cleaning"));
    assert_true(app_test_text_shown(app, "¥135.00 per visit, about 3 hours"));
    assert_true(app_test_text_shown(app, "mopping and vacuuming"));
    assert_true(app_test_text_shown(app, "李阿姨家政, rated 4.8 of 5"));
    tap(app, "hk.svc.4");
    assert_true(app_test_text_shown(app, "Appliance repair"));
    assert_true(app_test_text_shown(app, "王师傅维修, rated 4.7 of 5"));
    /* its calendar: tomorrow's slots, all of appliance repair, as the hub has them */
    tap(app, "hk.pick");
    WAIT_FOR(app, app->hk->have_slots, 5000);
    assert_true(app->hk->have_slots);
    char date[16];
    hk_date(app->hk->day, date, sizeof date);
    long long n = sql_int(&hub, "SELECT COUNT(*) FROM slots WHERE service_id = 'appliance_repair'"
                          " AND start >= strftime('%%s', '%s', '-8 hours') AND start < strftime('%%s', '%s', '+16 hours')"
                          " AND start > %lld", date, date, (long long)(clock_wall_ms() / 1000));
    assert_int_equal(app->hk->slots.n, n);
    tap(app, "hk.day.1");
    WAIT_FOR(app, app->hk->have_slots, 5000);
    assert_true(app->hk->slots.n > 0);
    app_build(app);
    assert_non_null(ui_find(app->frame, "hk.slot.0"));
    assert_string_equal(hk_current(app)->id, "appliance_repair");
    harness_free(app);
}

/* ---- booking ----------------------------------------------------------------------- */

/* CODE as the screens show it ("482 913"); a static buffer. */
static const char *shown(const char *code)
{
    static char buf[16];
    hub_hk_code_show(code, buf, sizeof buf);
    return buf;
}

static void book_by_phone_prints_code_and_wipes(void **state)
{
    app_t *app = net_app();
    char code[16], sql[200];
    to_slots(app, 0);
    int i = free_slot(app, 1);
    assert_true(i >= 0);
    long long slot = app->hk->slots.s[i].id;
    long long before = sql_int(&hub, "SELECT booked FROM slots WHERE id = %lld", slot);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    assert_int_equal(app->screen, SCR_HK_WHO);
    /* a wrong number is refused on the kiosk */
    type_phone(app, "23812345678");
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_WHO);
    assert_true(app_test_text_shown(app, "starts with 1"));
    for (int k = 0; k < 11; k++) tap(app, "hk.key.del");
    type_phone(app, "13812345678");
    assert_true(app_test_text_shown(app, "138****5678"));      /* masked once complete */
    assert_false(app_test_text_shown(app, "13812345678"));
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    assert_true(app_test_text_shown(app, "Regular cleaning"));
    assert_true(app_test_text_shown(app, "138****5678"));
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 5000);
    assert_int_equal(app->screen, SCR_HK_DONE);
    snprintf(code, sizeof code, "%s", app->hk->booking.code);
    /* six digits, shown in two groups ("482 913") */
    assert_int_equal(strlen(code), 6);
    assert_true(code[0] != '0');
    assert_true(app_test_text_shown(app, shown(code)));
    app_build(app);
    const ui_widget_t *qr = ui_find(app->frame, "hk.done.qr");
    assert_non_null(qr);
    char payload[32];
    snprintf(payload, sizeof payload, "XFL-BOOK:%s", code);
    assert_string_equal(qr->text, payload);
    /* no printer here: the slip is offered as a QR code and says the check-in code */
    assert_true(app->receipt_qr[0] != 0);
    assert_non_null(strstr(app->receipt_qr, payload));              /* the check-in code */
    assert_non_null(strstr(app->receipt_qr, "138****5678"));
    assert_null(strstr(app->receipt_qr, "13812345678"));
    assert_true(app_test_text_shown(app, "Your receipt"));
    tap(app, "receipt.ok");
    /* at the hub: one booking, in this slot, under "居民" + the last 4 digits */
    /* (the hub keeps the name and phone sealed: only their form is seen here) */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE code = '%s' AND slot_id = %lld"
             " AND phone LIKE 's1:%%' AND name LIKE 's1:%%' AND status = 'confirmed'", code, slot);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    assert_int_equal(sql_int(&hub, "SELECT booked FROM slots WHERE id = %lld", slot), before + 1);
    tap(app, "hk.done.finish");
    assert_wiped(app);
    harness_free(app);
}

static void book_by_id_card(void **state)
{
    app_t *app = net_app();
    to_slots(app, 3);                                /* elder care */
    int i = free_slot(app, 1);
    assert_true(i >= 0);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    assert_int_equal(app->screen, SCR_HK_WHO);
    /* a resident code that did not read whole: said so (a good one is
     * tests/unit/test_rescode.c's) */
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CODE;
    ev->info.cls = QR_CLASS_RESIDENT_CODE;
    hk_ident_result(app, ev);
    assert_int_equal(app->screen, SCR_HK_WHO);
    assert_true(app_test_text_shown(app, "resident code could not be read correctly"));
    ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CARD;
    ev->result = IDCARD_OK;
    snprintf(ev->card.name, sizeof ev->card.name, "%s", "张建国");
    snprintf(ev->card.id_number, sizeof ev->card.id_number, "%s", "370203196803120315");
    hk_ident_result(app, ev);
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    assert_true(app_test_text_shown(app, "张*国"));
    assert_true(app_test_text_shown(app, "3702**********0315"));
    assert_false(app_test_text_shown(app, "张建国"));
    assert_false(app_test_text_shown(app, "370203196803120315"));
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 5000);
    assert_int_equal(app->screen, SCR_HK_DONE);
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE code = '%s' AND name LIKE 's1:%%'"
             " AND id_masked = '3702**********0315' AND id_number IS NULL AND phone IS NULL",
             app->hk->booking.code);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    assert_string_equal(app->hk->booking.id_number, "3702**********0315");
    app_end_session(app, "timeout");
    assert_wiped(app);
    harness_free(app);
}

/* ---- a slot taken meanwhile ------------------------------------------------------------ */

/* Books every free place of SLOT through another "kiosk" (a client of our own). */
static void fill_slot(long long slot, const char *service)
{
    hub_hk_t *c = hub_hk_new(hub.url, HUBPROC_TOKEN, 3000, NULL);
    assert_non_null(c);
    for (int k = 0; k < 10; k++) {
        hub_hk_booking_t b;
        hub_hk_slots_t alt;
        hub_status_t st;
        char key[40];
        hub_new_key("fill-", key, sizeof key);
        hub_hk_book(c, key, slot, service, "王芳", "13900001111", NULL, &b, &alt, &st);
        if (st.result != HUB_OK) {
            assert_int_equal(st.result, HUB_REFUSED);
            assert_string_equal(st.code, "slot_full");
            break;
        }
    }
    hub_hk_free(c);
}

static void slot_full_meanwhile_offers_alternatives(void **state)
{
    app_t *app = net_app();
    to_slots(app, 0);
    int i = free_slot(app, 1);
    assert_true(i >= 0);
    hub_hk_slot_t chosen = app->hk->slots.s[i];
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    type_phone(app, "13700002222");
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    fill_slot(chosen.id, "cleaning");                /* another kiosk was quicker */
    long long bookings = sql_int(&hub, "SELECT COUNT(*) FROM bookings");
    assert_int_equal(sql_int(&hub, "SELECT capacity - booked FROM slots WHERE id = %lld", chosen.id), 0);
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_SLOTS, 5000);
    assert_int_equal(app->screen, SCR_HK_SLOTS);
    assert_true(app->hk->alternatives);
    assert_true(app_test_text_shown(app, "someone else has just booked the last place"));
    assert_true(app_test_text_shown(app, "Nothing was booked"));
    assert_int_equal(sql_int(&hub, "SELECT COUNT(*) FROM bookings"), bookings);
    assert_int_equal(sql_int(&hub, "SELECT COUNT(*) FROM slots WHERE booked > capacity"), 0);
    /* the alternatives are free slots of the same service; one of them books */
    assert_true(app->hk->slots.n > 0);
    for (int k = 0; k < app->hk->slots.n; k++) {
        assert_true(app->hk->slots.s[k].left > 0);
        assert_true(app->hk->slots.s[k].id != chosen.id);
    }
    app_build(app);
    assert_non_null(ui_find(app->frame, "hk.slot.0"));
    tap(app, "hk.slot.0");                           /* identity known: straight to confirm */
    assert_int_equal(app->screen, SCR_HK_CONFIRM);
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 5000);
    assert_int_equal(app->screen, SCR_HK_DONE);
    assert_int_equal(sql_int(&hub, "SELECT COUNT(*) FROM bookings"), bookings + 1);
    harness_free(app);
}

/* ---- my bookings ------------------------------------------------------------------------ */

/* The QR code of a booking slip (XFL-BOOK:CODE) read on the "who" screen. */
static void slip_scanned(app_t *app, const char *code)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    assert_non_null(ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CODE;
    ev->info.cls = QR_CLASS_BOOKING_CODE;
    snprintf(ev->info.booking.code, sizeof ev->info.booking.code, "%s", code);
    hk_ident_result(app, ev);
}

static void my_bookings_and_cancel(void **state)
{
    app_t *app = net_app();
    char code[16];
    long long slot = book_by_phone(app, 4, "13655556666", code);
    long long booked = sql_int(&hub, "SELECT booked FROM slots WHERE id = %lld", slot);
    tap(app, "hk.done.mine");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_true(app->hk->have_mine);
    assert_int_equal(app->hk->mine.n, 1);
    assert_string_equal(app->hk->mine.b[0].code, code);
    assert_true(app_test_text_shown(app, shown(code)));
    tap(app, "hk.cancel.0");
    assert_true(app_test_text_shown(app, "Cancel booking?"));
    tap(app, "hk.ask.no");                           /* kept */
    assert_int_equal(app->hk->cancel_ask, -1);
    tap(app, "hk.cancel.0");
    tap(app, "hk.ask.yes");
    WAIT_FOR(app, app->hk->mine.b[0].cancelled, 5000);
    assert_true(app->hk->mine.b[0].cancelled);
    assert_true(app_test_text_shown(app, "cancelled"));
    app_build(app);
    assert_null(ui_find(app->frame, "hk.cancel.0"));  /* nothing left to cancel */
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE code = '%s' AND status = 'cancelled'", code);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    assert_int_equal(sql_int(&hub, "SELECT booked FROM slots WHERE id = %lld", slot), booked - 1);
    app_end_session(app, "finished");

    /* later, a new visit: home -> housekeeping -> my bookings -> phone: a
     * number alone proves nothing, the booking slip's QR code does */
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.housekeeping");
    WAIT_FOR(app, app->hk->have_services, 5000);
    tap(app, "hk.mine");
    assert_int_equal(app->screen, SCR_HK_WHO);
    type_phone(app, "13655556666");
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_WHO);
    assert_true(app_test_text_shown(app, "6-digit check-in code"));
    assert_true(app_test_text_shown(app, "QR code or your ID card"));
    slip_scanned(app, code);
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_int_equal(app->hk->mine.n, 1);
    assert_true(app->hk->mine.b[0].cancelled);
    app_back(app);
    assert_int_equal(app->screen, SCR_HOUSEKEEPING);
    /* someone else's number finds nothing */
    new_visit_to_mine(app);
    slip_scanned(app, code);                          /* the slip first, this time */
    assert_true(app_test_text_shown(app, "Booking slip read"));
    type_phone(app, "13011112222");
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_int_equal(app->hk->mine.n, 0);
    assert_true(app_test_text_shown(app, "No bookings were found"));

    /* The code typed on the keypad after the number: shown in groups as
     * typed, ✓ only with six digits; a wrong code finds nothing, and the
     * next time on the keypad the number is asked afresh. */
    new_visit_to_mine(app);
    type_phone(app, "13655556666");
    tap(app, "hk.key.ok");
    assert_true(app->hk->want_code);
    assert_true(app_test_text_shown(app, "Type a booking's check-in code"));
    assert_true(app_test_text_shown(app, "Check-in code (6 digits)"));
    char wrong[8];
    snprintf(wrong, sizeof wrong, "%06d", code[5] == '9' ? atoi(code) - 1 : atoi(code) + 1);
    type_phone(app, wrong);
    type_phone(app, "7");                             /* a seventh digit is not taken */
    assert_int_equal(app->hk->n_digits, 6);
    assert_true(app_test_text_shown(app, shown(wrong)));
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_int_equal(app->hk->mine.n, 0);
    app_back(app);
    assert_int_equal(app->screen, SCR_HOUSEKEEPING);
    tap(app, "hk.mine");
    assert_int_equal(app->screen, SCR_HK_WHO);
    assert_false(app->hk->want_code);
    assert_int_equal(app->hk->proof_code[0], 0);      /* the typed code is forgotten */
    type_phone(app, "13655556666");
    tap(app, "hk.key.ok");
    assert_true(app->hk->want_code);
    type_phone(app, "48291");
    app_build(app);
    assert_true(app_test_text_shown(app, "482 91"));
    tap(app, "hk.key.ok");                            /* five digits: ✓ does nothing */
    assert_int_equal(app->screen, SCR_HK_WHO);
    tap(app, "hk.key.del");
    tap(app, "hk.key.del");
    tap(app, "hk.key.del");
    tap(app, "hk.key.del");
    tap(app, "hk.key.del");
    type_phone(app, code);
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    assert_int_equal(app->hk->mine.n, 1);
    assert_string_equal(app->hk->mine.b[0].code, code);

    /* Wrong codes for this number from anywhere close its codes for a day:
     * the kiosk says so and points at the ID card. */
    hub_hk_t *other = hub_hk_new(hub.url, HUBPROC_TOKEN, 3000, NULL);
    assert_non_null(other);
    static hub_hk_bookings_t found;
    hub_status_t st = {0};
    for (int k = 0; k < 12; k++) {
        char key[40];
        hub_new_key("guess-", key, sizeof key);
        hub_hk_lookup(other, key, "13655556666", wrong, "", &found, &st);
        if (st.result != HUB_OK) break;
    }
    hub_hk_free(other);
    assert_string_equal(st.code, "too_many_wrong_codes");
    new_visit_to_mine(app);
    type_phone(app, "13655556666");
    tap(app, "hk.key.ok");
    type_phone(app, code);
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, !app->hk->busy, 5000);
    assert_false(app->hk->have_mine);
    assert_true(app_test_text_shown(app, "Too many wrong check-in codes"));
    assert_int_equal(app->hk->proof_code[0], 0);
    harness_free(app);
}

/* A booking made by phone is found (and can be cancelled) after reading the
 * ID card of the resident registered with that phone; the card reminder
 * shows. */
static void phone_booking_found_by_id_card(void **state)
{
    app_t *app = net_app();
    char code[16];
    book_by_phone(app, 4, "13853287714", code);       /* 李秀英's registered number */
    new_visit_to_mine(app);
    assert_int_equal(app->screen, SCR_HK_WHO);
    ident_event_t *ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CARD;
    ev->result = IDCARD_OK;
    snprintf(ev->card.name, sizeof ev->card.name, "%s", "李秀英");
    snprintf(ev->card.id_number, sizeof ev->card.id_number, "%s", "370203195508210428");
    hk_ident_result(app, ev);
    assert_true(app_test_text_shown(app, "Please take your ID card"));
    assert_int_equal(app->screen, SCR_HK_MINE);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    int found = -1;
    for (int i = 0; i < app->hk->mine.n; i++)
        if (!strcmp(app->hk->mine.b[i].code, code)) found = i;
    if (found < 0) fail_msg("the phone booking %s is not listed after the ID card", code);
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.cancel.%d", found);
    tap(app, id);
    tap(app, "hk.ask.yes");
    WAIT_FOR(app, app->hk->mine.b[found].cancelled, 5000);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE code = '%s' AND status = 'cancelled'", code);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    /* another resident's card does not see it */
    new_visit_to_mine(app);
    ev = calloc(1, sizeof *ev);
    ev->gen = app->identify->gen;
    ev->kind = IDENT_CARD;
    ev->result = IDCARD_OK;
    snprintf(ev->card.name, sizeof ev->card.name, "%s", "王伟");
    snprintf(ev->card.id_number, sizeof ev->card.id_number, "%s", "370203198511020151");
    hk_ident_result(app, ev);
    WAIT_FOR(app, app->hk->have_mine, 5000);
    for (int i = 0; i < app->hk->mine.n; i++) assert_string_not_equal(app->hk->mine.b[i].code, code);
    harness_free(app);
}

/* ---- the hub down ------------------------------------------------------------------------ */

static const char *kiosk_pending_state(app_t *app, const char *ref)
{
    static char out[16];
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    if (sqlite3_prepare_v2(store_db(app->store), "SELECT state FROM hk_pending WHERE ref = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) snprintf(out, sizeof out, "%s", sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

/* The hub away: the booking is saved with a reference, honestly "not
 * confirmed"; when the hub is back the outbox sends it once, and the screen
 * (or the next visit) says it is confirmed. */
static void hub_down_booking_saved_then_confirmed_once(void **state)
{
    hubproc_t h2;
    memset(&h2, 0, sizeof h2);
    assert_int_equal(hubproc_start(&h2), 0);
    app_t *app = net_app_on(&h2);
    to_slots(app, 0);
    int i = free_slot(app, 1);
    assert_true(i >= 0);
    long long slot = app->hk->slots.s[i].id;
    char id[UI_ID_LEN];
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    type_phone(app, "13544443333");
    tap(app, "hk.key.ok");
    hubproc_stop(&h2);                               /* the hub goes away */
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 8000);
    assert_int_equal(app->screen, SCR_HK_DONE);
    assert_true(app->hk->pending);
    assert_false(app->hk->booked);
    assert_true(app_test_text_shown(app, "waiting for confirmation"));
    assert_true(app_test_text_shown(app, "not confirmed yet"));
    assert_true(app_test_text_shown(app, app->hk->pending_ref));
    char ref[16];
    snprintf(ref, sizeof ref, "%s", app->hk->pending_ref);
    assert_string_equal(kiosk_pending_state(app, ref), "pending");
    /* the hub back: sent once, confirmed on screen */
    assert_int_equal(hubproc_start(&h2), 0);
    WAIT_FOR(app, app->hk->booked, 15000);
    assert_true(app->hk->booked);
    assert_false(app->hk->pending);
    assert_true(app_test_text_shown(app, shown(app->hk->booking.code)));
    assert_string_equal(kiosk_pending_state(app, ref), "confirmed");
    assert_int_equal(sql_int(&h2, "SELECT COUNT(*) FROM bookings WHERE slot_id = %lld", slot), 1);
    app_end_session(app, "finished");

    /* saved, resident gone, confirmed later: the next visit is told */
    to_slots(app, 0);
    i = free_slot(app, 1);
    assert_true(i >= 0);
    snprintf(id, sizeof id, "hk.slot.%d", i);
    tap(app, id);
    type_phone(app, "13544443334");
    tap(app, "hk.key.ok");
    hubproc_stop(&h2);
    tap(app, "hk.confirm.ok");
    WAIT_FOR(app, app->screen == SCR_HK_DONE, 8000);
    assert_true(app->hk->pending);
    snprintf(ref, sizeof ref, "%s", app->hk->pending_ref);
    app_end_session(app, "timeout");
    assert_int_equal(hubproc_start(&h2), 0);
    WAIT_FOR(app, !strcmp(kiosk_pending_state(app, ref), "confirmed"), 15000);
    assert_string_equal(kiosk_pending_state(app, ref), "confirmed");
    assert_int_equal(sql_int(&h2, "SELECT COUNT(*) FROM bookings"), 2);   /* this one and the first */
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.housekeeping");
    WAIT_FOR(app, app->hk->have_services, 5000);
    tap(app, "hk.mine");
    type_phone(app, "13544443334");
    tap(app, "hk.key.ok");
    assert_int_equal(app->screen, SCR_HK_MINE);
    assert_true(app_test_text_shown(app, ref));
    assert_true(app_test_text_shown(app, "confirmed"));
    /* the rest needs a booking's code: back and "My bookings" again asks
     * for it on the keypad, the number kept */
    assert_true(app_test_text_shown(app, "type the check-in code of one of them"));
    app_back(app);
    tap(app, "hk.mine");
    assert_int_equal(app->screen, SCR_HK_WHO);
    assert_true(app->hk->want_code);
    assert_true(app_test_text_shown(app, "Check-in code (6 digits)"));
    harness_free(app);

    /* and without any hub, the catalogue says so */
    hubproc_stop(&h2);
    app = net_app_on(&h2);
    app_test_tap_xy(app, 900, 500);
    tap(app, "home.housekeeping");
    WAIT_FOR(app, !app->hk->busy, 8000);
    assert_true(app_test_text_shown(app, "The booking service cannot be reached"));
    app_build(app);
    assert_non_null(ui_find(app->frame, "hk.retry"));
    harness_free(app);
    hubproc_cleanup(&h2);
}

/* ---- two kiosks, one last place ------------------------------------------------------------ */

typedef struct {
    long long slot;
    const char *phone;
    pthread_barrier_t *go;
    hub_hk_t *c;
    hub_status_t st;
} racer_t;

static void *race(void *arg)
{
    racer_t *r = arg;
    hub_hk_booking_t b;
    hub_hk_slots_t alt;
    char key[40];
    hub_new_key("race-", key, sizeof key);
    pthread_barrier_wait(r->go);
    hub_hk_book(r->c, key, r->slot, "appliance_repair", "李四", r->phone, NULL, &b, &alt, &r->st);
    return NULL;
}

static void two_kiosks_race_for_the_last_place(void **state)
{
    /* kiosk 2 is a second device of the hub */
    hub_hk_t *c1 = hub_hk_new(hub.url, HUBPROC_TOKEN, 5000, NULL);
    hub_hk_t *c2 = hub_hk_new(hub.url, HUBPROC_TOKEN, 5000, NULL);
    assert_non_null(c1);
    assert_non_null(c2);
    /* free slots of appliance repair from tomorrow on, each brought to its last place */
    char sql[400];
    int rounds = 0;
    for (int round = 0; round < 6; round++) {
        long long slot = sql_int(&hub, "SELECT id FROM slots WHERE service_id = 'appliance_repair'"
                                 " AND booked < capacity AND start > %lld + 86400"
                                 " ORDER BY id LIMIT 1 OFFSET %d", (long long)(clock_wall_ms() / 1000), round * 3);
        if (slot <= 0) break;
        /* leave exactly one place */
        while (sql_int(&hub, "SELECT capacity - booked FROM slots WHERE id = %lld", slot) > 1) {
            hub_hk_booking_t b;
            hub_status_t st;
            char key[40];
            hub_new_key("pre-", key, sizeof key);
            hub_hk_book(c1, key, slot, "appliance_repair", "王五", "13311112222", NULL, &b, NULL, &st);
            assert_int_equal(st.result, HUB_OK);
        }
        long long last = sql_int(&hub, "SELECT coalesce(max(rowid), 0) FROM bookings");
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer_t a = {slot, "13800000001", &go, c1, {0}}, b = {slot, "13800000002", &go, c2, {0}};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, race, &a);
        pthread_create(&tb, NULL, race, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&go);
        int ok = (a.st.result == HUB_OK) + (b.st.result == HUB_OK);
        assert_int_equal(ok, 1);
        const hub_status_t *lost = a.st.result == HUB_OK ? &b.st : &a.st;
        assert_int_equal(lost->result, HUB_REFUSED);
        assert_int_equal(lost->http, 409);
        assert_string_equal(lost->code, "slot_full");
        /* at the hub: full, not over, and one booking of the two */
        assert_int_equal(sql_int(&hub, "SELECT capacity - booked FROM slots WHERE id = %lld", slot), 0);
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM bookings WHERE slot_id = %lld AND status = 'confirmed'"
                 " AND rowid > %lld", slot, last);   /* the racers' (their phones are sealed at the hub) */
        assert_int_equal(hubproc_sql_int(&hub, sql), 1);
        rounds++;
    }
    assert_true(rounds >= 3);
    assert_int_equal(sql_int(&hub, "SELECT COUNT(*) FROM slots WHERE booked > capacity"), 0);
    hub_hk_free(c1);
    hub_hk_free(c2);
}

/* ---- the parsers ---------------------------------------------------------------------------- */

static void parsers_are_strict_and_mask(void **state)
{
    char err[160];
    hub_hk_booking_t b;
    const char *ok = "{\"booking\": {\"code\": \"482913\", \"slot\": {\"id\": 17, \"start\": 1796000400,"
                     " \"end\": 1796011200, \"provider\": {\"id\": 1, \"name\": \"李阿姨家政\"}, \"capacity\": 2,"
                     " \"left\": 0}, \"service_id\": \"cleaning\", \"service_name\": {\"zh\": \"日常保洁\","
                     " \"en\": \"Regular cleaning\"}, \"status\": \"confirmed\", \"name\": \"张三明\","
                     " \"phone\": \"13812345678\", \"id_number\": null, \"created\": 1795915800, \"cancelled\": null}}";
    assert_int_equal(hub_hk_parse_booking(ok, strlen(ok), &b, err, sizeof err), 0);
    assert_string_equal(b.code, "482913");
    assert_string_equal(b.name, "张*明");                /* arrived unmasked: masked again */
    assert_string_equal(b.phone, "138****5678");
    assert_string_equal(b.id_number, "");
    assert_int_equal(b.slot.left, 0);
    assert_false(b.cancelled);
    const char *bad_left = "{\"slots\": [{\"id\": 1, \"start\": 10, \"end\": 20, \"provider\": {\"id\": 1,"
                           " \"name\": \"x\"}, \"capacity\": 2, \"left\": 3}]}";
    hub_hk_slots_t s;
    assert_int_equal(hub_hk_parse_slots(bad_left, strlen(bad_left), "slots", &s, err, sizeof err), -1);
    assert_string_equal(err, "slots[0].left: not an integer in 0..2");
    const char *bad_code = "{\"bookings\": [{\"code\": \"K7MQ4XR0\"}]}";
    hub_hk_bookings_t m;
    assert_int_equal(hub_hk_parse_bookings(bad_code, strlen(bad_code), &m, err, sizeof err), -1);
    assert_int_equal(m.n, 0);
    /* Check-in codes: six digits (never a leading zero), or the old form of
     * bookings made before; shown in two groups of three. */
    static const char *const good[] = {"482913", "100000", "999999", "K7MQ4XRA", "23456789"};
    static const char *const bad[] = {"082913", "48291", "4829134", "48291A", "482 913", "k7mq4xra",
                                      "K7MQ4XR0", "K7MQ4XR", ""};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) assert_true(hub_hk_code_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_false(hub_hk_code_valid(bad[i]));
    char shown[16];
    hub_hk_code_show("482913", shown, sizeof shown);
    assert_string_equal(shown, "482 913");
    hub_hk_code_show("K7MQ4XRA", shown, sizeof shown);
    assert_string_equal(shown, "K7MQ4XRA");
    const char *old = "{\"bookings\": [{\"code\": \"K7MQ4XRA\", \"slot\": {\"id\": 17, \"start\": 1796000400,"
                      " \"end\": 1796011200, \"provider\": {\"id\": 1, \"name\": \"x\"}, \"capacity\": 2,"
                      " \"left\": 0}, \"service_id\": \"cleaning\", \"service_name\": {\"zh\": \"z\","
                      " \"en\": \"e\"}, \"status\": \"confirmed\", \"name\": \"张*明\","
                      " \"phone\": null, \"id_number\": null, \"created\": 1, \"cancelled\": null}]}";
    assert_int_equal(hub_hk_parse_bookings(old, strlen(old), &m, err, sizeof err), 0);
    assert_int_equal(m.n, 1);
    assert_string_equal(m.b[0].code, "K7MQ4XRA");
    const char *alt = "{\"error\": {\"code\": \"slot_full\", \"message\": \"m\"}, \"alternatives\": []}";
    assert_int_equal(hub_hk_parse_slots(alt, strlen(alt), "alternatives", &s, err, sizeof err), 0);
    assert_int_equal(s.n, 0);
    hub_hk_services_t v;
    assert_int_equal(hub_hk_parse_services("{\"services\": 1}", 15, &v, err, sizeof err), -1);
    assert_int_equal(hub_hk_parse_services("{\"services\": []} x", 18, &v, err, sizeof err), -1);
}

static int setup(void **state)
{
    memset(&hub, 0, sizeof hub);
    harness_clock_start();                  /* the hub starts at the kiosk's time */
    return hubproc_start(&hub);
}

static int teardown(void **state)
{
    hubproc_cleanup(&hub);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parsers_are_strict_and_mask),
        cmocka_unit_test(browse_catalogue_and_calendar),
        cmocka_unit_test(book_by_phone_prints_code_and_wipes),
        cmocka_unit_test(book_by_id_card),
        cmocka_unit_test(slot_full_meanwhile_offers_alternatives),
        cmocka_unit_test(my_bookings_and_cancel),
        cmocka_unit_test(phone_booking_found_by_id_card),
        cmocka_unit_test(hub_down_booking_saved_then_confirmed_once),
        cmocka_unit_test(two_kiosks_race_for_the_last_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
