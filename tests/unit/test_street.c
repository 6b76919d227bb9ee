/* The street display: the schedule engine's edge cases (pure), content
 * parsing of bad items, and the carousel headless on the fake clock (steps,
 * fades, alerts, touch, idle return, night schedule, proof of play). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "services/street/street.h"
#include "core/clock.h"
#include "services/street/content.h"
#include "services/street/feed.h"
#include "store/proof_of_play.h"
#include "store/writer.h"
#include "services/street/schedule.h"
#include "support/fixture.h"
#include "app/speech.h"
#include "support/harness.h"

#define CST (8 * 3600)

/* Unix time of a local (UTC+8) date and time. */
static time_t local(const char *date, int h, int m)
{
    long day;
    assert_int_equal(sched_parse_date(date, &day), 0);
    return (time_t)day * 86400 + h * 3600 + m * 60 - CST;
}

/* ---- stderr capture, for "skipped with a log line" ------------------- */
static int saved_fd = -1;
static FILE *cap;

static void capture_begin(void)
{
    fflush(stderr);
    cap = tmpfile();
    assert_non_null(cap);
    saved_fd = dup(2);
    dup2(fileno(cap), 2);
}

static char *capture_end(void)
{
    fflush(stderr);
    dup2(saved_fd, 2);
    close(saved_fd);
    long n = ftell(cap);
    char *s = calloc(1, (size_t)n + 1);
    rewind(cap);
    if (n > 0) assert_int_equal(fread(s, 1, (size_t)n, cap), (size_t)n);
    fclose(cap);
    return s;
}

/* ---- pure: rules --------------------------------------------------------- */

static void parsers(void **state)
{
    int m, off;
    long d;
    assert_int_equal(sched_parse_hhmm("00:30", &m), 0);
    assert_int_equal(m, 30);
    assert_int_equal(sched_parse_hhmm("24:00", &m), 0);
    assert_int_equal(m, 1440);
    assert_int_equal(sched_parse_hhmm("24:01", &m), -1);
    assert_int_equal(sched_parse_hhmm("7:30", &m), -1);
    assert_int_equal(sched_parse_hhmm("12:60", &m), -1);
    assert_int_equal(sched_parse_date("1970-01-01", &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(sched_parse_date("2027-02-29", &d), -1);
    assert_int_equal(sched_parse_date("2028-02-29", &d), 0);
    assert_int_equal(sched_weekday(d), 2);                  /* a Tuesday */
    assert_int_equal(sched_tz_offset("Asia/Shanghai", &off), 0);
    assert_int_equal(off, CST);
    assert_int_equal(sched_tz_offset("UTC+8", &off), 0);
    assert_int_equal(off, CST);
    assert_int_equal(sched_tz_offset("-03:30", &off), 0);
    assert_int_equal(off, -(3 * 3600 + 1800));
    /* Zones with daylight saving time are refused, not guessed. */
    assert_int_equal(sched_tz_offset("Europe/Berlin", &off), -1);
    assert_int_equal(sched_tz_offset("America/New_York", &off), -1);
}

static void window_past_midnight_belongs_to_its_start_day(void **state)
{
    /* 2026-11-28 is a Saturday. Saturdays only, 16:30 - 00:30. */
    sched_rule_t r = {0};
    r.weekdays = 1u << 6;
    r.win[0] = (sched_window_t){16 * 60 + 30, 30};
    r.n_win = 1;
    time_t ch;
    assert_false(sched_rule_on(&r, CST, local("2026-11-28", 16, 29), &ch));
    assert_int_equal(ch, local("2026-11-28", 16, 30));
    assert_true(sched_rule_on(&r, CST, local("2026-11-28", 23, 59), &ch));
    assert_int_equal(ch, local("2026-11-29", 0, 30));
    /* Sunday 00:10 is still Saturday's window... */
    assert_true(sched_rule_on(&r, CST, local("2026-11-29", 0, 10), NULL));
    /* ...which ends at 00:30; Sunday's own 16:30 does not start it. */
    assert_false(sched_rule_on(&r, CST, local("2026-11-29", 0, 30), &ch));
    assert_false(sched_rule_on(&r, CST, local("2026-11-29", 16, 30), NULL));
    assert_int_equal(ch, local("2026-12-05", 16, 30));
    /* A Friday's window does not spill into Saturday morning. */
    assert_false(sched_rule_on(&r, CST, local("2026-11-28", 0, 10), NULL));
}

static void date_range_is_local_and_inclusive(void **state)
{
    sched_rule_t r = {0};
    r.has_from = r.has_to = true;
    assert_int_equal(sched_parse_date("2026-11-22", &r.from_day), 0);
    assert_int_equal(sched_parse_date("2026-11-29", &r.to_day), 0);
    time_t ch;
    /* 2026-11-22 00:00 in Shanghai is 2026-11-21 16:00 UTC. */
    assert_false(sched_rule_on(&r, CST, local("2026-11-22", 0, 0) - 1, &ch));
    assert_int_equal(ch, local("2026-11-22", 0, 0));
    assert_true(sched_rule_on(&r, CST, local("2026-11-29", 23, 59), &ch));
    assert_int_equal(ch, local("2026-11-30", 0, 0));
    assert_false(sched_rule_on(&r, CST, local("2026-11-30", 0, 0), &ch));
    assert_int_equal(ch, local("2026-11-30", 0, 0) + SCHED_HORIZON_S);   /* never again */
    /* The same instant in UTC would still be the 29th: the zone matters. */
    assert_true(sched_rule_on(&r, 0, local("2026-11-30", 0, 0), NULL));
    /* Same rule, the window past midnight on the last day runs out after it. */
    r.win[0] = (sched_window_t){22 * 60, 2 * 60};
    r.n_win = 1;
    assert_true(sched_rule_on(&r, CST, local("2026-11-30", 1, 0), &ch));
    assert_int_equal(ch, local("2026-11-30", 2, 0));
}

static sched_playlist_t playlist(long id, int prio, int n, int dur)
{
    sched_playlist_t p;
    memset(&p, 0, sizeof p);
    p.id = id;
    p.priority = prio;
    p.tz_off_s = CST;
    for (int i = 0; i < n; i++) p.items[i] = (sched_item_t){id * 100 + i + 1, dur, 0, false};
    p.n_items = n;
    return p;
}

static void carousel_loops_skips_expired_and_bad(void **state)
{
    time_t now = local("2026-11-29", 9, 30);
    sched_playlist_t p = playlist(1, 0, 4, 10);
    p.items[1].expires = now - 1;          /* expired */
    p.items[2].bad = true;                 /* content missing */
    p.items[3].expires = now + 14;         /* ends before its duration */
    sched_input_t in = {&p, 1, NULL, 0};
    sched_pick_t a, b, c;
    sched_next(&in, now, NULL, &a);
    assert_int_equal(a.what, SCHED_ITEM);
    assert_int_equal(a.content_id, 101);
    assert_int_equal(a.until, now + 10);
    sched_next(&in, now + 10, &a, &b);
    assert_int_equal(b.content_id, 104);
    assert_int_equal(b.until, now + 15);   /* its last second is now + 14 */
    sched_next(&in, now + 15, &b, &c);
    assert_int_equal(c.content_id, 101);   /* back to the start */
    /* An empty playlist, or one with nothing usable, shows nothing. */
    sched_playlist_t e = playlist(2, 0, 0, 10);
    sched_input_t in2 = {&e, 1, NULL, 0};
    sched_next(&in2, now, NULL, &a);
    assert_int_equal(a.what, SCHED_NONE);
    assert_true(a.until > now);
    p.items[0].bad = true;
    sched_next(&in, now + 20, NULL, &a);
    assert_int_equal(a.what, SCHED_NONE);
}

static void priority_and_dayparts(void **state)
{
    time_t now = local("2026-11-29", 8, 58);
    sched_playlist_t p[2] = {playlist(1, 0, 2, 20), playlist(2, 5, 2, 20)};
    p[1].rule.win[0] = (sched_window_t){6 * 60 + 30, 9 * 60};   /* the morning show */
    p[1].rule.n_win = 1;
    sched_input_t in = {p, 2, NULL, 0};
    sched_pick_t a, b;
    sched_next(&in, now, NULL, &a);
    assert_int_equal(a.playlist_id, 2);
    assert_int_equal(a.until, now + 20);
    sched_next(&in, now + 110, &a, &b);            /* 08:59:50 */
    assert_int_equal(b.playlist_id, 2);
    assert_int_equal(b.until, local("2026-11-29", 9, 0));   /* cut at 09:00, not + 20 s */
    sched_next(&in, local("2026-11-29", 9, 0), &b, &a);
    assert_int_equal(a.playlist_id, 1);
    assert_int_equal(a.content_id, 101);
}

static void alerts_take_over_and_expire(void **state)
{
    time_t now = local("2026-11-29", 9, 30);
    sched_playlist_t p = playlist(1, 0, 2, 10);
    sched_alert_t al[2] = {{900, now - 60, now + 30}, {901, now + 10, now + 100}};
    sched_input_t in = {&p, 1, al, 2};
    sched_pick_t a;
    sched_next(&in, now, NULL, &a);
    assert_int_equal(a.what, SCHED_ALERT);
    assert_int_equal(a.content_id, 900);
    assert_int_equal(a.until, now + 10);          /* the newer alert cuts in */
    sched_next(&in, now + 10, &a, &a);
    assert_int_equal(a.content_id, 901);
    assert_int_equal(a.until, now + 101);         /* shown through its last second */
    sched_next(&in, now + 101, &a, &a);
    assert_int_equal(a.what, SCHED_ITEM);
    /* A pending alert also bounds an item. */
    sched_alert_t later = {902, now + 3, now + 60};
    sched_input_t in2 = {&p, 1, &later, 1};
    sched_next(&in2, now, NULL, &a);
    assert_int_equal(a.what, SCHED_ITEM);
    assert_int_equal(a.until, now + 3);
}

/* ---- content documents ---------------------------------------------------- */

static const char *const LONG_TITLE =
    "这是一个非常非常长的标题这是一个非常非常长的标题这是一个非常非常长的标题这是一个非常非常长的标题"
    "这是一个非常非常长的标题这是一个非常非常长的标题这是一个非常非常长的标题";

static void bad_items_are_skipped_or_trimmed_with_a_log_line(void **state)
{
    char doc[4096];
    snprintf(doc, sizeof doc,
        "{\"playlists\":[{\"id\":152,\"data\":{\"screen\":\"street\",\"time_zone\":\"Asia/Shanghai\","
        "\"items\":[{\"content_id\":1,\"duration_s\":10},{\"content_id\":77,\"duration_s\":10},"
        "{\"content_id\":2,\"duration_s\":0},{\"content_id\":3,\"duration_s\":10}]}},"
        "{\"id\":153,\"data\":{\"screen\":\"street\",\"schedule\":{\"windows\":[{\"from\":\"7pm\",\"to\":\"08:00\"}]}}},"
        "{\"id\":154,\"data\":{\"screen\":\"hall\",\"items\":[]}}],"
        "\"items\":[{\"id\":1,\"kind\":\"notice\",\"category\":\"community\",\"title\":\"%s\",\"body\":\"b\","
        "\"image\":\"street/nope.png\"},"
        "{\"id\":3,\"kind\":\"notice\",\"category\":\"weather\",\"title\":\"T3\",\"body\":\"b\"},"
        "{\"id\":4,\"kind\":\"notice\",\"category\":\"community\",\"body\":\"no title\"},"
        "{\"id\":5,\"kind\":\"notice\",\"category\":\"alert\",\"title\":\"no expiry\",\"body\":\"\"}]}",
        LONG_TITLE);
    street_content_t *c = malloc(sizeof *c);
    capture_begin();
    assert_int_equal(street_content_parse(doc, "assets", c), 0);
    char *log = capture_end();
    assert_int_equal(c->n_items, 2);                       /* 4 (no title) and 5 (alert, no expiry) */
    assert_int_equal(c->n_alerts, 0);
    assert_int_equal(c->n_pl, 1);                          /* 153 bad schedule, 154 for the hall */
    assert_int_equal(c->pl[0].n_items, 3);                 /* duration 0 dropped */
    assert_false(c->pl[0].items[0].bad);
    assert_true(c->pl[0].items[1].bad);                    /* 77 missing */
    const street_item_t *it = street_content_item(c, 1);
    assert_string_equal(it->image, "");                    /* shown without the picture */
    assert_true(strlen(it->title) < STREET_TITLE);
    assert_int_equal(strncmp(it->title, LONG_TITLE, strlen(it->title)), 0);
    assert_int_equal(strlen(it->title) % 3, 0);            /* whole characters */
    assert_string_equal(street_content_item(c, 3)->category, "");
    assert_non_null(strstr(log, "image 'street/nope.png' missing"));
    assert_non_null(strstr(log, "title cut"));
    assert_non_null(strstr(log, "unknown category 'weather'"));
    assert_non_null(strstr(log, "item 4 skipped"));
    assert_non_null(strstr(log, "alert 5 skipped"));
    assert_non_null(strstr(log, "content 77 missing"));
    assert_non_null(strstr(log, "playlist 153 skipped: bad schedule"));
    free(log);
    assert_int_equal(street_content_parse("[1,2]", "assets", c), -1);
    assert_int_equal(street_content_parse("garbage", "assets", c), -1);
    free(c);
}

static void feed_document_from_hub_answers(void **state)
{
    const char *extra[] = {"{\"id\":113,\"kind\":\"event\",\"category\":\"health\",\"title\":\"E\",\"body\":\"\"}",
                           "{\"id\":101,\"kind\":\"notice\",\"category\":\"community\",\"title\":\"dup\",\"body\":\"\"}"};
    char *doc = street_feed_build(
        "{\"items\":[{\"id\":152,\"kind\":\"playlist\",\"category\":\"street\",\"data\":{\"screen\":\"street\","
        "\"items\":[{\"content_id\":101,\"duration_s\":10},{\"content_id\":113,\"duration_s\":10}]}}]}",
        "{\"items\":[{\"id\":101,\"kind\":\"notice\",\"category\":\"community\",\"title\":\"N\",\"body\":\"\"}]}",
        extra, 2, 1795915800);
    assert_non_null(doc);
    street_content_t *c = malloc(sizeof *c);
    assert_int_equal(street_content_parse(doc, "assets", c), 0);
    assert_int_equal(c->n_items, 2);
    assert_string_equal(street_content_item(c, 101)->title, "N");
    assert_false(c->pl[0].items[1].bad);
    assert_int_equal(c->fetched, 1795915800);
    free(c);
    free(doc);
    assert_null(street_feed_build("{}", "{\"items\":[]}", NULL, 0, 0));
}

/* ---- headless carousel ------------------------------------------------------ */

static const char *const STREET[] = {"kiosk.mode=street", "session.attract_interval=10", NULL};

/* Two items of 10 s, published an hour ago; ALERT_FOR > 0 adds an alert for
 * that many seconds from now. */
static void set_doc(app_t *app, int alert_for)
{
    long now = (long)clock_wall();
    char doc[2048];
    int n = snprintf(doc, sizeof doc,
        "{\"playlists\":[{\"id\":152,\"data\":{\"screen\":\"street\",\"time_zone\":\"Asia/Shanghai\","
        "\"items\":[{\"content_id\":1,\"duration_s\":10},{\"content_id\":2,\"duration_s\":10}]}}],"
        "\"items\":[{\"id\":1,\"kind\":\"notice\",\"category\":\"community\",\"title\":\"Item one\",\"body\":\"b1\",\"published\":%ld},"
        "{\"id\":2,\"kind\":\"event\",\"category\":\"culture\",\"title\":\"Item two\",\"body\":\"b2\",\"published\":%ld}",
        now - 3600, now - 3600);
    if (alert_for > 0)
        n += snprintf(doc + n, sizeof doc - n, ",{\"id\":9,\"kind\":\"notice\",\"category\":\"alert\","
                      "\"title\":\"Gale warning\",\"body\":\"Stay inside\",\"published\":%ld,\"expires\":%ld}",
                      now, now + alert_for - 1);
    snprintf(doc + n, sizeof doc - n, "]}");
    assert_int_equal(street_set_content(app, doc, false), 0);
}

static void carousel_steps_on_the_clock_and_sleeps_between(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    assert_int_equal(app->screen, SCR_STREET);
    set_doc(app, 0);
    street_screen_enter(app);                     /* restart on the new content */
    app_build(app);
    assert_true(app_test_text_shown(app, "Item one"));
    assert_non_null(ui_find(app->frame, "street.clock"));
    assert_non_null(ui_find(app->frame, "street.ticker.text"));
    /* Nothing to draw until the next step: the loop may sleep ~10 s. */
    app->dirty = false;
    app_test_advance(app, 1000);
    assert_false(app->dirty);
    assert_true(street_wait_ms(app) >= 8000);
    app_test_advance(app, 9000);
    /* The fade: the old item first, frames ~30 per second, then the new one. */
    assert_non_null(street_fading(app, NULL));
    assert_true(street_wait_ms(app) <= STREET_FRAME_MS);
    clock_fake_advance(100);
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.fade"));
    app_test_advance(app, STREET_FADE_MS + 50);
    assert_null(street_fading(app, NULL));
    app_build(app);
    assert_null(ui_find(app->frame, "street.fade"));
    assert_true(app_test_text_shown(app, "Item two"));
    assert_true(app_test_text_shown(app, "Events"));
    assert_true(street_wait_ms(app) >= 9000);
    app_test_advance(app, 10000 + STREET_FADE_MS);
    assert_true(app_test_text_shown(app, "Item one"));
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    assert_true(pop_count(app->store) >= 2);
    harness_free(app);
}

static void alert_arriving_mid_fade_takes_over_and_leaves_at_expiry(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    set_doc(app, 0);
    street_screen_enter(app);
    app_test_advance(app, 10000 + 250);           /* in the middle of the fade */
    assert_non_null(street_fading(app, NULL));
    set_doc(app, 30);                             /* as the worker would deliver it */
    assert_null(street_fading(app, NULL));        /* no fade: at once */
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.alert"));
    assert_true(app_test_text_shown(app, "Gale warning"));
    assert_true(app_test_text_shown(app, "Emergency alert"));
    app_test_advance(app, 29000);
    assert_true(app_test_text_shown(app, "Gale warning"));
    app_test_advance(app, 1500);
    app_build(app);
    assert_null(ui_find(app->frame, "street.alert"));
    assert_non_null(ui_find(app->frame, "street.card"));
    /* Proof of play holds the alert, about 30 s. */
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    pop_record_t r[16];
    int n = pop_peek(app->store, r, 16);
    bool found = false;
    for (int i = 0; i < n; i++)
        if (strcmp(r[i].kind, "alert") == 0) {
            found = true;
            assert_int_equal(r[i].content_id, 9);
            assert_true(r[i].shown_ms >= 29000 && r[i].shown_ms <= 31000);
        }
    assert_true(found);
    long long last;
    char *json = pop_json(app->store, 100, &last);
    assert_non_null(strstr(json, "\"kind\":\"alert\""));
    free(json);
    assert_int_equal(pop_ack(app->store, last), n);
    assert_int_equal(pop_count(app->store), 0);
    harness_free(app);
}

/* An alert arriving while a passer-by browses takes over there too, in
 * its own colours, until read (or until it expires). */
static void alert_over_browsing_until_read(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    set_doc(app, 0);
    street_screen_enter(app);
    app_test_tap_xy(app, 900, 500);                  /* a passer-by touches */
    assert_int_equal(app->screen, SCR_HOME);
    app_build(app);
    assert_null(ui_find(app->frame, "alert"));
    set_doc(app, 120);                               /* the alert arrives */
    app_build(app);
    const ui_widget_t *panel = ui_find(app->frame, "alert.panel");
    assert_non_null(panel);
    assert_true(app_test_text_shown(app, "Gale warning"));
    assert_int_equal(app_test_tap(app, "home.notices"), -1);     /* under the alert */
    assert_int_equal(app_test_tap(app, "alert.ok"), 0);
    app_build(app);
    assert_null(ui_find(app->frame, "alert"));
    assert_int_equal(app_test_tap(app, "home.notices"), 0);
    harness_free(app);
}

static void touch_opens_home_and_idle_returns_to_the_carousel(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    set_doc(app, 0);
    street_screen_enter(app);
    app_test_tap_xy(app, 900, 500);
    assert_int_equal(app->screen, SCR_HOME);
    /* Personal services are refused; the map is there instead of the ID card. */
    app_build(app);
    assert_non_null(ui_find(app->frame, "home.map"));
    assert_null(ui_find(app->frame, "home.scan"));
    assert_int_equal(app_test_tap(app, "home.map"), 0);
    assert_int_equal(app->screen, SCR_MAP);
    assert_non_null(ui_find(app->frame, "map.image"));
    /* The carousel does not run meanwhile. */
    assert_int_equal(street_wait_ms(app), UINT64_MAX);
    app_test_advance(app, (uint64_t)(app->cfg.idle_timeout_s + app->cfg.warning_s + 2) * 1000);
    assert_int_equal(app->screen, SCR_STREET);
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.card"));
    harness_free(app);
}

/* How many times APP's voice was asked for TONE. */
static int tones(app_t *app, tone_t tone)
{
    static voice_said_t said[VOICE_LOG_MAX];
    int n = voice_said(speech_voice(app), 0, said, VOICE_LOG_MAX), k = 0;
    for (int i = 0; i < n; i++)
        k += said[i].tone == tone;
    return k;
}

static void alert_sounds_the_siren_once_never_at_night(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    set_doc(app, 0);
    street_screen_enter(app);
    app_test_advance(app, 1000);
    assert_int_equal(tones(app, TONE_ALERT), 0);
    set_doc(app, 30);
    app_test_advance(app, 1000);
    assert_int_equal(tones(app, TONE_ALERT), 1);
    app_test_advance(app, 5000);
    assert_int_equal(tones(app, TONE_ALERT), 1);  /* once per alert */
    harness_free(app);
    /* In the night schedule (the harness starts at 09:30) the alert is
     * shown without a sound. */
    app = harness_app(1920, 1080, NULL, "en", STREET);
    set_doc(app, 0);
    street_screen_enter(app);
    assert_int_equal(street_night_set(app, "09:00", "10:00", NULL), 0);
    set_doc(app, 30);
    app_test_advance(app, 2000);
    app_build(app);
    assert_true(app_test_text_shown(app, "Gale warning"));
    assert_int_equal(tones(app, TONE_ALERT), 0);
    harness_free(app);
}

static void night_schedule_blanks_then_wakes(void **state)
{
    app_t *app = harness_app(1080, 1920, NULL, "en", STREET);    /* portrait */
    set_doc(app, 0);
    street_screen_enter(app);
    /* The harness starts at 09:30 in Shanghai. */
    assert_int_equal(street_night_set(app, "09:00", "25:00", NULL), -1);
    assert_int_equal(street_night_set(app, "09:00", "10:00", "sideways"), -1);
    assert_int_equal(street_night_set(app, "09:00", "10:00", NULL), 0);
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    char v[16];
    assert_int_equal(store_setting_get(app->store, STREET_KEY_NIGHT_OFF, v, sizeof v), 0);
    assert_string_equal(v, "09:00");
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.night"));
    assert_null(ui_find(app->frame, "street.card"));
    assert_false(app_test_text_shown(app, "Item"));
    /* Sleeps until the morning, save the screen's own minute clock. */
    assert_true(street_wait_ms(app) > 29 * 60 * 1000);
    /* An alert still shows at night. */
    set_doc(app, 60);
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.alert"));
    app_test_advance(app, 61000);
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.night"));
    app_test_advance(app, 30 * 60 * 1000);
    app_build(app);
    assert_null(ui_find(app->frame, "street.night"));
    assert_non_null(ui_find(app->frame, "street.card"));
    /* Dimmed instead: content under a shade. */
    assert_int_equal(street_night_set(app, "09:00", "11:00", "dim"), 0);
    app_build(app);
    assert_non_null(ui_find(app->frame, "street.card"));
    assert_non_null(ui_find(app->frame, "street.dim"));
    /* Back to always on. */
    assert_int_equal(street_night_set(app, "", "", NULL), 0);
    app_build(app);
    assert_null(ui_find(app->frame, "street.dim"));
    harness_free(app);
}

static void no_content_shows_the_stored_notices(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "zh_CN", STREET);
    fixture_notices(app);
    street_free(app);                   /* starts again, with notices stored */
    street_init(app);
    street_screen_enter(app);
    app_build(app);
    /* The database's notices play as the fallback carousel. */
    sched_what_t what;
    assert_non_null(street_shown(app, &what));
    assert_int_equal(what, SCHED_ITEM);
    assert_non_null(ui_find(app->frame, "street.card.title"));
    harness_free(app);
}

/* Issue 12: the UI thread never writes the street display's records. A
 * few minutes of carousel, an alert, a night schedule, a visit and its
 * session log: no write on the UI thread, and every record in the
 * database once the writer has drained. */
static void the_ui_thread_does_not_write(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    assert_non_null(app->writer);
    set_doc(app, 0);
    street_set_content(app, "{\"playlists\":[],\"items\":[]}", true);    /* cached */
    set_doc(app, 0);
    street_screen_enter(app);
    for (int i = 0; i < 30; i++) app_test_advance(app, 10000 + STREET_FADE_MS);
    set_doc(app, 30);
    app_test_advance(app, 31000);
    assert_int_equal(street_night_set(app, "23:00", "06:00", "dim"), 0);
    app_test_tap_xy(app, 900, 500);                  /* a passer-by ... */
    assert_int_equal(app->screen, SCR_HOME);
    app_end_session(app, "finished");                /* ... and the session log */
    assert_int_equal(store_ui_thread_writes(), 0);
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    assert_true(pop_count(app->store) >= 30);
    assert_int_equal(store_session_count(app->store), 1);
    char v[16];
    assert_int_equal(store_setting_get(app->store, STREET_KEY_NIGHT_MODE, v, sizeof v), 0);
    assert_string_equal(v, "dim");
    assert_int_equal(store_writer_dropped(app->writer), 0);
    /* The check itself: the same write made here is seen. */
    pop_record_t r = {.content_id = 1, .started = clock_wall(), .shown_ms = 1};
    snprintf(r.kind, sizeof r.kind, "%s", "item");
    assert_int_equal(pop_record(app->store, &r), 0);
    assert_int_equal(store_ui_thread_writes(), 1);
    harness_free(app);
}

/* The database stuck (another connection holds the write lock): the
 * writer's queue fills, the oldest proof of play goes, counted, and the
 * caller never waits; the rest is written once the lock is gone. */
static void a_stuck_database_drops_the_oldest_proof_of_play(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, "en", STREET);
    store_t *blocker = NULL;
    char err[256];
    assert_int_equal(store_open(app->cfg.var_dir, &blocker, err, sizeof err), 0);
    assert_int_equal(store_writer_flush(app->writer, 5000), 0);
    int before = pop_count(app->store);
    assert_int_equal(store_tx_begin(blocker, err, sizeof err), 0);
    pop_record_t r = {.content_id = 1, .started = clock_wall(), .shown_ms = 1000};
    snprintf(r.kind, sizeof r.kind, "%s", "item");
    assert_int_equal(store_writer_pop(app->writer, &r), 0);
    usleep(200 * 1000);                      /* taken, waiting for the lock */
    Uint32 t0 = SDL_GetTicks();
    for (int i = 0; i < STORE_WRITER_QUEUE + 10; i++) {
        r.content_id = 100 + i;
        assert_int_equal(store_writer_pop(app->writer, &r), 0);
    }
    assert_true(SDL_GetTicks() - t0 < 500);  /* never blocked */
    long long dropped = store_writer_dropped(app->writer);
    assert_true(dropped >= 10 && dropped <= 11);
    store_tx_rollback(blocker);
    store_close(blocker);
    assert_int_equal(store_writer_flush(app->writer, 10000), 0);
    assert_int_equal(pop_count(app->store) - before + dropped, STORE_WRITER_QUEUE + 11);
    harness_free(app);
}

static void hall_mode_keeps_the_attract_loop(void **state)
{
    app_t *app = harness_app(1920, 1080, NULL, NULL, NULL);
    assert_int_equal(app->screen, SCR_ATTRACT);
    assert_int_equal(street_wait_ms(app), UINT64_MAX);
    app_test_tap_xy(app, 900, 500);
    app_build(app);
    assert_non_null(ui_find(app->frame, "home.scan"));
    assert_null(ui_find(app->frame, "home.map"));
    harness_free(app);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parsers),
        cmocka_unit_test(window_past_midnight_belongs_to_its_start_day),
        cmocka_unit_test(date_range_is_local_and_inclusive),
        cmocka_unit_test(carousel_loops_skips_expired_and_bad),
        cmocka_unit_test(priority_and_dayparts),
        cmocka_unit_test(alerts_take_over_and_expire),
        cmocka_unit_test(bad_items_are_skipped_or_trimmed_with_a_log_line),
        cmocka_unit_test(feed_document_from_hub_answers),
        cmocka_unit_test(carousel_steps_on_the_clock_and_sleeps_between),
        cmocka_unit_test(alert_arriving_mid_fade_takes_over_and_leaves_at_expiry),
        cmocka_unit_test(alert_over_browsing_until_read),
        cmocka_unit_test(touch_opens_home_and_idle_returns_to_the_carousel),
        cmocka_unit_test(night_schedule_blanks_then_wakes),
        cmocka_unit_test(alert_sounds_the_siren_once_never_at_night),
        cmocka_unit_test(no_content_shows_the_stored_notices),
        cmocka_unit_test(the_ui_thread_does_not_write),
        cmocka_unit_test(a_stuck_database_drops_the_oldest_proof_of_play),
        cmocka_unit_test(hall_mode_keeps_the_attract_loop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
