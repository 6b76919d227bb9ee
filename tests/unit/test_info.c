/* Notices, events, guides and help end to end: the kiosk's screens, driven
 * by widget id on a headless app, against a real hub process. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/i18n.h"
#include "services/info/info.h"
#include "app/screens.h"
#include "app/tour.h"
#include "support/fixture.h"
#include "support/harness.h"
#include "support/hubproc.h"

static hubproc_t hub;

static app_t *net_app_on(const hubproc_t *h)
{
    static char url[128], tok[200];
    snprintf(url, sizeof url, "hub.url=%s", h->url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    const char *sets[] = {url, tok, "ui.locale=en", "hub.timeout=2", "kiosk.location=Hall 3, kiosk A",
                          NULL};
    return harness_net_app(1920, 1080, sets);
}

static void wake(app_t *app)
{
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app->screen, SCR_HOME);
}

static void type(app_t *app, const char *prefix, const char *digits)
{
    char id[UI_ID_LEN];
    for (const char *d = digits; *d; d++) {
        snprintf(id, sizeof id, "%s.%c", prefix, *d);
        assert_int_equal(app_test_tap(app, id), 0);
    }
}

static void events_list_detail_and_register(void **state)
{
    app_t *app = net_app_on(&hub);
    struct info_state *s = app->info;
    wake(app);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    assert_true(s->n > 0);
    assert_false(s->offline);
    assert_int_equal(app_test_tap(app, "info.tab.1"), 0);           /* events */
    WAIT_FOR(app, !s->busy, 5000);
    int ev = -1;
    for (int i = 0; i < s->n; i++)
        if (info_can_register(&s->items[i])) { ev = i; break; }
    assert_true(ev >= 0);
    long long id = s->items[ev].id;
    int left = s->items[ev].left;
    char wid[UI_ID_LEN], sql[200];
    snprintf(wid, sizeof wid, "info.item.%d", ev);
    while (app_test_tap(app, wid) != 0) assert_int_equal(app_test_tap(app, "info.next"), 0);
    assert_int_equal(app->screen, SCR_NOTICE);
    assert_true(app_test_text_shown(app, s->cur.title));
    app_build(app);
    assert_non_null(ui_find(app->frame, "notice.qr"));               /* take it with you */
    assert_int_equal(app_test_tap(app, "notice.register"), 0);
    assert_int_equal(app->screen, SCR_REGISTER);
    assert_int_equal(app_test_tap(app, "reg.key.ok"), 0);           /* no number yet: */
    assert_false(s->reg_busy);                                         /* says why */
    assert_true(app_test_text_shown(app, "A mobile number has 11 digits and starts with 1. Please check"));
    type(app, "reg.key", "13812345678");
    assert_true(app_test_text_shown(app, "138****5678"));            /* masked once typed */
    assert_int_equal(app_test_tap(app, "reg.key.ok"), 0);
    WAIT_FOR(app, s->reg_done || (!s->reg_busy && s->reg_msg[0]), 5000);
    assert_true(s->reg_done);
    assert_true(app_test_text_shown(app, "You are registered"));
    assert_int_equal(s->cur.left, left - 1);
    /* (the hub keeps the name and phone sealed: only their form is seen here) */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM event_registrations WHERE content_id = %lld"
             " AND phone LIKE 's1:%%' AND name LIKE 's1:%%'", id);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    /* the same number again, in a new visit */
    app_end_session(app, "finished");
    assert_int_equal(s->n_phone, 0);
    wake(app);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    assert_int_equal(app_test_tap(app, "info.tab.1"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    for (int i = 0; i < s->n; i++)
        if (s->items[i].id == id) s->cur = s->items[i];
    app_go(app, SCR_NOTICE);
    assert_int_equal(app_test_tap(app, "notice.register"), 0);
    type(app, "reg.key", "13812345678");
    assert_int_equal(app_test_tap(app, "reg.key.ok"), 0);
    WAIT_FOR(app, !s->reg_busy && s->reg_msg[0], 5000);
    /* The hub answers a number already on the list like a new one (it never
     * tells whether a number is registered) and takes no second place. */
    assert_true(s->reg_done);
    assert_true(app_test_text_shown(app, "You are registered"));
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    harness_free(app);
}

static void guides_list_and_steps(void **state)
{
    app_t *app = net_app_on(&hub);
    struct info_state *s = app->info;
    wake(app);
    assert_int_equal(app_test_tap(app, "home.guide"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    assert_true(s->n_guides > 0);
    assert_int_equal(app_test_tap(app, "guides.item.0"), 0);
    assert_int_equal(app->screen, SCR_GUIDE_DETAIL);
    assert_true(app_test_text_shown(app, "1. "));
    assert_true(app_test_text_shown(app, "Bring: "));
    app_build(app);
    assert_non_null(ui_find(app->frame, "guide.qr"));
    harness_free(app);
}

/* Large text pages a long guide by whole lines at body size (上一页/下一页)
 * instead of making it small or cutting it: every line is seen on some
 * page, none twice, never with an ellipsis; the pager stops at both ends. */
static void guide_paged_in_large_text(void **state)
{
    app_t *app = harness_app(1920, 1080, "elder", NULL, NULL);
    struct info_state *s = app->info;
    assert_int_equal(tour_show(app, "guide_detail"), 0);
    app_build(app);
    assert_true(s->guide_pages >= 2);
    assert_int_equal(s->guide_page, 0);
    assert_true(app_test_text_shown(app, s->cur_guide.steps[0]));
    assert_false(app_test_text_shown(app, s->cur_guide.hours));       /* on a later page */
    assert_int_equal(app_test_tap(app, "guide.prev"), -1);            /* the first page */
    int seen_hours = 0, seen_fee = 0;
    for (int p = 0; p < s->guide_pages; p++) {
        app_build(app);
        const ui_widget_t *b = ui_find(app->frame, "guide.body");
        assert_non_null(b);
        assert_false(b->flags & UI_F_ELLIPSIS);
        assert_true(b->px >= app->theme.px_body);                       /* large text stays large */
        seen_hours += app_test_text_shown(app, s->cur_guide.hours);
        seen_fee += app_test_text_shown(app, s->cur_guide.fee);
        if (p + 1 < s->guide_pages) assert_int_equal(app_test_tap(app, "guide.next"), 0);
    }
    assert_int_equal(seen_hours, 1);
    assert_int_equal(seen_fee, 1);
    assert_int_equal(s->guide_page, s->guide_pages - 1);
    assert_int_equal(app_test_tap(app, "guide.next"), -1);            /* the last page */
    assert_int_equal(app_test_tap(app, "guide.prev"), 0);
    assert_int_equal(s->guide_page, s->guide_pages - 2);
    assert_int_equal(app->screen, SCR_GUIDE_DETAIL);
    /* the standard theme fits the same guide on one page, without a pager */
    harness_free(app);
    app = harness_app(1920, 1080, "standard", NULL, NULL);
    assert_int_equal(tour_show(app, "guide_detail"), 0);
    app_build(app);
    assert_null(ui_find(app->frame, "guide.next"));
    assert_true(app_test_text_shown(app, app->info->cur_guide.fee));
    harness_free(app);
}

static void help_sent_then_acknowledged_without_personal_data(void **state)
{
    app_t *app = net_app_on(&hub);
    struct info_state *s = app->info;
    long long before = hubproc_sql_int(&hub, "SELECT COUNT(*) FROM help_requests");
    wake(app);
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    assert_int_equal(app->screen, SCR_HELP);
    assert_int_equal(app_test_tap(app, "help.send"), 0);
    WAIT_FOR(app, s->help_state != HELP_SENDING && s->help_state != HELP_QUEUED, 5000);
    assert_int_equal(s->help_state, HELP_SENT);
    assert_true(app_test_text_shown(app, "staff will come"));
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM help_requests"), before + 1);
    char sql[160], path[64];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM help_requests WHERE id = %lld AND contact IS NULL"
             " AND location = 'Hall 3, kiosk A'", s->help_id);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    /* a second tap sends nothing more */
    assert_int_equal(app_test_tap(app, "help.send"), -1);
    /* waiting for staff is not being idle: the screen stays past the timeout */
    app_test_advance(app, (uint64_t)(app->cfg.idle_timeout_s + 30) * 1000);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_int_equal(app->screen, SCR_HELP);
    snprintf(path, sizeof path, "/v1/demo/help/%lld/ack", s->help_id);
    assert_int_equal(hubproc_post(&hub, path, NULL), 200);
    for (int i = 0; i < 20 && s->help_state != HELP_ACKNOWLEDGED; i++) {
        app_test_advance(app, 1000);                  /* the screen asks every 3 s */
        app_test_pump(app, 20, 200);
    }
    assert_int_equal(s->help_state, HELP_ACKNOWLEDGED);
    assert_true(app_test_text_shown(app, "on their way"));
    assert_int_equal(hubproc_sql_int(&hub, "SELECT COUNT(*) FROM help_requests"), before + 1);
    /* staff are on their way: still not wiped while the resident waits */
    app_test_advance(app, (uint64_t)(app->cfg.idle_timeout_s + 30) * 1000);
    assert_int_equal(app->session.state, SESSION_ACTIVE);
    assert_int_equal(app->screen, SCR_HELP);
    assert_true(app_test_text_shown(app, "on their way"));
    /* but not for ever: after half an hour the idle timer applies again */
    app_test_advance(app, 31u * 60u * 1000u);
    assert_int_equal(app->session.state, SESSION_IDLE);
    harness_free(app);
}

static void help_with_consent_sends_the_phone_only_then(void **state)
{
    app_t *app = net_app_on(&hub);
    struct info_state *s = app->info;
    wake(app);
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    assert_int_equal(app_test_tap(app, "help.consent"), 0);
    assert_int_equal(app_test_tap(app, "help.send"), -1);           /* no number yet */
    type(app, "help.key", "1391");
    app_build(app);
    const ui_widget_t *field = ui_find(app->frame, "help.phone");      /* typed where it is seen */
    assert_non_null(field);
    assert_string_equal(field->text, "139 1");
    type(app, "help.key", "2345678");
    app_build(app);
    assert_string_equal(ui_find(app->frame, "help.phone")->text, "139 1234 5678");
    assert_true(app_test_text_shown(app, "139****5678"));
    assert_int_equal(app_test_tap(app, "help.send"), 0);
    WAIT_FOR(app, s->help_state != HELP_SENDING && s->help_state != HELP_QUEUED, 5000);
    assert_int_equal(s->help_state, HELP_SENT);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM help_requests WHERE id = %lld AND contact LIKE 's1:%%'",
             s->help_id);
    assert_int_equal(hubproc_sql_int(&hub, sql), 1);
    app_end_session(app, "timeout");
    assert_int_equal(s->n_phone, 0);
    assert_int_equal(s->phone[0], 0);
    assert_false(s->consent);
    harness_free(app);
}

static void help_queued_while_the_hub_is_down_goes_out_later(void **state)
{
    hubproc_t h2 = {0};
    assert_int_equal(hubproc_start(&h2), 0);
    app_t *app = net_app_on(&h2);
    struct info_state *s = app->info;
    hubproc_kill(&h2);
    wake(app);
    assert_int_equal(app_test_tap(app, "nav.help"), 0);
    assert_int_equal(app_test_tap(app, "help.send"), 0);
    assert_int_equal(s->help_state, HELP_QUEUED);                  /* saved, not lost */
    assert_true(app_test_text_shown(app, "Your request is saved"));
    app_test_pump(app, 50, 1500);
    assert_int_equal(s->help_state, HELP_QUEUED);
    assert_int_equal(hubproc_start(&h2), 0);                         /* same db, same port */
    WAIT_FOR(app, s->help_state != HELP_QUEUED, 15000);
    assert_int_equal(s->help_state, HELP_SENT);
    assert_int_equal(hubproc_sql_int(&h2, "SELECT COUNT(*) FROM help_requests"), 1);
    harness_free(app);
    hubproc_cleanup(&h2);
}

/* Registering while the hub is away: saved in the outbox with the same key,
 * told honestly, sent once the hub is back, confirmed on screen and when the
 * same number is typed again later. */
static void registration_saved_while_the_hub_is_down(void **state)
{
    hubproc_t h2 = {0};
    assert_int_equal(hubproc_start(&h2), 0);
    app_t *app = net_app_on(&h2);
    struct info_state *s = app->info;
    wake(app);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    assert_int_equal(app_test_tap(app, "info.tab.1"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    int ev = -1;
    for (int i = 0; i < s->n; i++)
        if (info_can_register(&s->items[i])) { ev = i; break; }
    assert_true(ev >= 0);
    s->cur = s->items[ev];
    app_go(app, SCR_NOTICE);
    assert_int_equal(app_test_tap(app, "notice.register"), 0);
    type(app, "reg.key", "13766667777");
    hubproc_stop(&h2);                               /* the hub goes away */
    assert_int_equal(app_test_tap(app, "reg.key.ok"), 0);
    WAIT_FOR(app, !s->reg_busy, 8000);
    assert_true(app_test_text_shown(app, "saved on this kiosk"));
    assert_true(s->reg_item > 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM event_registrations");   /* a fresh hub */
    assert_int_equal(hubproc_sql_int(&h2, sql), 0);
    assert_int_equal(hubproc_start(&h2), 0);         /* back: the outbox sends it */
    WAIT_FOR(app, s->reg_item == 0, 15000);
    assert_true(app_test_text_shown(app, "has been confirmed"));
    assert_int_equal(hubproc_sql_int(&h2, sql), 1);
    /* later, the same number on the same event: told it is confirmed */
    app_end_session(app, "finished");
    wake(app);
    app_go(app, SCR_NOTICES);
    WAIT_FOR(app, !s->busy, 5000);
    assert_int_equal(app_test_tap(app, "info.tab.1"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    s->cur = s->items[ev];
    app_go(app, SCR_NOTICE);
    assert_int_equal(app_test_tap(app, "notice.register"), 0);
    type(app, "reg.key", "13766667777");
    assert_true(app_test_text_shown(app, "is confirmed"));
    assert_int_equal(hubproc_sql_int(&h2, sql), 1);
    harness_free(app);
    hubproc_cleanup(&h2);
}

static void hub_down_shows_the_kiosks_copy(void **state)
{
    hubproc_t dead = {0};
    snprintf(dead.url, sizeof dead.url, "%s", "http://127.0.0.1:9");    /* nothing listens */
    app_t *app = net_app_on(&dead);
    struct info_state *s = app->info;
    fixture_notices(app);
    wake(app);
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    WAIT_FOR(app, !s->busy, 5000);
    assert_true(s->offline);
    assert_true(s->n > 0);                                          /* the database's notices */
    assert_true(app_test_text_shown(app, "this kiosk's copy"));
    assert_int_equal(app_test_tap(app, "home.guide") , -1);         /* (not on this screen) */
    app_go(app, SCR_GUIDE);
    WAIT_FOR(app, !s->busy, 5000);
    assert_true(app_test_text_shown(app, "cannot be loaded"));
    harness_free(app);
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

/* Typing the call-back number on a 10.1" 1280x800 panel in large text: the
 * number above the keypad would leave its keys under 24 mm, so the keys get
 * the column's height and the number, what to do and both buttons stand at
 * the left: every key and button at least the target, no text cut, no
 * button text under body size (the panel's minimum), in every language;
 * the number is still shown grouped and the buttons still work. */
static void help_typing_on_a_small_panel_in_large_text(void **state)
{
    static const char *const sets[] = {"display.diagonal=10.1", NULL};
    app_t *app = harness_app(1280, 800, "elder", NULL, sets);
    int min = theme_min_target_px(&app->theme);
    assert_true(min > 0);
    for (int l = 0; l < i18n_count(); l++) {
        snprintf(app->cfg.locale, sizeof app->cfg.locale, "%s", i18n_name(l));
        for (int typed = 0; typed < 2; typed++) {
            assert_int_equal(tour_show(app, "help"), 0);
            assert_int_equal(app_test_tap(app, "help.consent"), 0);
            assert_true(app->info->consent);
            type(app, "help.key", typed ? "13805321867" : "1380");
            app_build(app);
            const ui_frame_t *f = app->frame;
            int keys = 0;
            for (int i = 0; i < f->n; i++) {
                const ui_widget_t *w = &f->w[i];
                assert_false(w->flags & UI_F_ELLIPSIS);
                if (!strncmp(w->id, "help.", 5) && (w->flags & UI_F_CLICK)) {
                    if (w->r.w < min || w->r.h < min)
                        fail_msg("%s: %s is %dx%d, under %d px", i18n_name(l), w->id, w->r.w, w->r.h, min);
                    if (w->kind == UI_BUTTON && w->px < app->theme.px_body)
                        fail_msg("%s: %s text %d px, under %d px", i18n_name(l), w->id, w->px,
                                 app->theme.px_body);
                    keys += !strncmp(w->id, "help.key.", 9);
                }
            }
            assert_int_equal(keys, 12);
            assert_string_equal(ui_find(f, "help.phone")->text, typed ? "138 0532 1867" : "138 0");
            assert_non_null(ui_find(f, "help.send"));
            assert_int_equal(app_test_tap(app, "help.consent"), 0);     /* withdraws, forgets the number */
            assert_false(app->info->consent);
            assert_int_equal(app->info->n_phone, 0);
        }
    }
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_list_detail_and_register),
        cmocka_unit_test(guides_list_and_steps),
        cmocka_unit_test(guide_paged_in_large_text),
        cmocka_unit_test(help_sent_then_acknowledged_without_personal_data),
        cmocka_unit_test(help_with_consent_sends_the_phone_only_then),
        cmocka_unit_test(help_typing_on_a_small_panel_in_large_text),
        cmocka_unit_test(help_queued_while_the_hub_is_down_goes_out_later),
        cmocka_unit_test(registration_saved_while_the_hub_is_down),
        cmocka_unit_test(hub_down_shows_the_kiosks_copy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
