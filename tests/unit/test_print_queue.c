/* The persistent receipt print queue against the virtual printer on TCP:
 * a receipt prints once; paper out, cover open, no answer and a printer that
 * is not there leave it queued (WAITING, with the QR fallback) until it can
 * print; paper running out mid-receipt reprints it in full; a receipt cut
 * off by a crash is printed again at the next start; stop is prompt even
 * while the printer stays silent. Plus the pure backoff and QR payload
 * helpers and the store's print_jobs accessors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "app/print_queue.h"
#include "printer/receipt.h"
#include "sims/vprinter.h"
#include "store/store.h"

/* Personal data only masked, as a caller must (common/mask.h). */
static const char receipt_json[] =
    "{\"width\": 58, \"items\": ["
    "{\"text\": \"幸福里社区\", \"align\": \"center\", \"bold\": true, \"size\": 2},"
    "{\"text\": \"缴费回执\", \"align\": \"center\"},"
    "{\"rule\": \"-\"},"
    "{\"text\": \"缴费项目：水费\"},"
    "{\"text\": \"户    名：张*明\"},"
    "{\"text\": \"缴费户号：3702****1234\"},"
    "{\"text\": \"实缴金额：¥41.00\", \"bold\": true},"
    "{\"text\": \"交易时间：2026-11-29 09:31\"},"
    "{\"text\": \"订 单 号：KIOSK20261129000001\"},"
    "{\"feed\": 2},"
    "{\"cut\": \"partial\"}]}";
static const char summary[] = "幸福里社区 缴费回执 水费 ¥41.00 2026-11-29 09:31 订单 KIOSK20261129000001";

#define EVENT_WAIT_MS 8000
/* Holds a refused job in the queue until the test calls retry_now. */
#define HOLD_MS (3600 * 1000)

static Uint32 ev_type;

typedef struct {
    char dir[64];           /* mkdtemp, removed at the end */
    char var[128];          /* dir/var: the var_dir */
    char uri[128];
    vprinter_t *vp;
    print_queue_t *q;
} fixture_t;

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Frees the payloads of every queue event still in the SDL queue. */
static void drain_events(void)
{
    SDL_Event ev;
    while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, ev_type, ev_type) == 1) free(ev.user.data1);
}

/* A fresh var_dir and a virtual printer in STATE; URI_SUFFIX (may be "")
 * goes after the port ("?timeout=300"). The queue is not started. */
static void fx_init(fixture_t *fx, vprinter_state_t state, const char *uri_suffix)
{
    char err[200];
    memset(fx, 0, sizeof *fx);
    strcpy(fx->dir, "/tmp/kiosk-printq-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->var, sizeof fx->var, "%s/var", fx->dir);
    vprinter_config_t pc = {.paper_mm = 58, .state = state};
    fx->vp = vprinter_start(&pc, err, sizeof err);
    if (!fx->vp) fail_msg("%s", err);
    snprintf(fx->uri, sizeof fx->uri, "tcp://127.0.0.1:%d%s", vprinter_port(fx->vp), uri_suffix);
    drain_events();
}

static void fx_start(fixture_t *fx)
{
    print_queue_opts_t o = {.retry_min_ms = HOLD_MS};
    fx->q = print_queue_start(fx->var, fx->uri, ev_type, &o);
    assert_non_null(fx->q);
}

static void fx_free(fixture_t *fx)
{
    print_queue_stop(fx->q);
    fx->q = NULL;
    drain_events();
    vprinter_stop(fx->vp);      /* NULL: already stopped by the test */
    assert_int_equal(nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* Waits for the next queue event; fails the test after EVENT_WAIT_MS. */
static print_queue_event_t next_event(void)
{
    long deadline = now_ms() + EVENT_WAIT_MS;
    SDL_Event ev;
    while (SDL_PeepEvents(&ev, 1, SDL_GETEVENT, ev_type, ev_type) != 1) {
        if (now_ms() > deadline) fail_msg("no print queue event within %d ms", EVENT_WAIT_MS);
        SDL_Delay(5);
    }
    print_queue_event_t *p = ev.user.data1;
    assert_non_null(p);
    assert_int_equal(ev.user.code, p->outcome);
    print_queue_event_t copy = *p;
    free(p);
    return copy;
}

/* The bytes the receipt above encodes to (what a full print sends). */
static unsigned char *receipt_bytes(size_t *len)
{
    receipt_t r;
    unsigned char *b = NULL;
    char err[200];
    if (receipt_parse(receipt_json, strlen(receipt_json), NULL, &r, err, sizeof err) != 0)
        fail_msg("%s", err);
    if (receipt_encode(&r, &b, len, err, sizeof err) != 0) fail_msg("%s", err);
    receipt_free(&r);
    return b;
}

static void assert_last_receipt_is_full(vprinter_t *vp)
{
    size_t want_n, got_n, count = vprinter_receipt_count(vp);
    assert_true(count >= 1);
    unsigned char *want = receipt_bytes(&want_n);
    unsigned char *got = vprinter_receipt(vp, count - 1, &got_n);
    assert_non_null(got);
    assert_int_equal(got_n, want_n);
    assert_memory_equal(got, want, want_n);
    free(got);
    free(want);
}

static store_t *open_store(const char *var)
{
    store_t *st = NULL;
    char err[300];
    if (store_open(var, &st, err, sizeof err) != 0) fail_msg("store_open: %s", err);
    return st;
}

static int count_state(const char *var, store_print_state_t s)
{
    store_t *st = open_store(var);
    int n = store_print_count(st, s);
    store_close(st);
    return n;
}

static store_print_job_t job_by_id(const char *var, long long id)
{
    store_print_job_t jobs[16];
    store_t *st = open_store(var);
    int n = store_print_recent(st, jobs, 16);
    store_close(st);
    for (int i = 0; i < n; i++)
        if (jobs[i].id == id) return jobs[i];
    fail_msg("job %lld not in the store", id);
    return jobs[0];
}

/* ---- pure helpers ----------------------------------------------------- */

static void backoff_bounds(void **state)
{
    /* Ceilings: 2, 4, 8, 16, 32 s, then the 60 s cap. */
    static const long ceiling[] = {0, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
    for (int a = 1; a <= 7; a++) {
        assert_int_equal(print_queue_backoff_ms(a, 0), 0);
        assert_int_equal(print_queue_backoff_ms(a, (uint32_t)ceiling[a]), ceiling[a]);
        assert_int_equal(print_queue_backoff_ms(a, (uint32_t)ceiling[a] + 1), 0);
        uint32_t x = 12345u + (uint32_t)a;
        for (int i = 0; i < 2000; i++) {
            x = x * 1664525u + 1013904223u;
            long d = print_queue_backoff_ms(a, x);
            assert_true(d >= 0 && d <= ceiling[a]);
        }
    }
    /* Any attempt count: capped, no overflow; below 1 counts as 1. */
    assert_int_equal(print_queue_backoff_ms(1000000, UINT32_MAX), (long)(UINT32_MAX % 60001u));
    assert_true(print_queue_backoff_ms(64, UINT32_MAX) <= PRINT_QUEUE_BACKOFF_CAP_MS);
    assert_int_equal(print_queue_backoff_ms(0, 2000), 2000);
    assert_int_equal(print_queue_backoff_ms(-3, 2001), 0);
}

static void fallback_payload_cut_at_character(void **state)
{
    char out[PRINT_QUEUE_QR_MAX + 64];
    char big[1200];

    /* A short summary is the payload as it is. */
    assert_int_equal(print_queue_fallback_payload(summary, out, sizeof out), strlen(summary));
    assert_string_equal(out, summary);

    /* "A" then 3-byte characters: byte 300 falls inside one, which goes. */
    size_t n = 0;
    big[n++] = 'A';
    while (n + 3 < sizeof big) {
        memcpy(big + n, "幸", 3);
        n += 3;
    }
    big[n] = '\0';
    size_t got = print_queue_fallback_payload(big, out, sizeof out);
    assert_int_equal(got, 298);                 /* 1 + 99 * 3 */
    assert_int_equal(strlen(out), got);
    assert_memory_equal(out, big, got);
    assert_true(((unsigned char)big[got] & 0xC0) != 0x80);  /* the next byte starts a character */

    /* A small buffer bounds it too, still at a boundary. */
    assert_int_equal(print_queue_fallback_payload("幸福", out, 6), 3);
    assert_string_equal(out, "幸");
    assert_int_equal(print_queue_fallback_payload("幸福", out, 3), 0);
    assert_string_equal(out, "");
    /* 4-byte characters (emoji) too. */
    assert_int_equal(print_queue_fallback_payload("ab\xF0\x9F\x98\x80", out, 5), 2);
    assert_string_equal(out, "ab");
    assert_int_equal(print_queue_fallback_payload(NULL, out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(print_queue_fallback_payload(summary, out, 0), 0);
}

/* ---- the store's print_jobs ------------------------------------------- */

static void store_print_job_lifecycle(void **state)
{
    fixture_t fx;
    fx_init(&fx, VPRINTER_READY, "");
    store_t *st = open_store(fx.var);
    store_print_job_t job, recent[4];
    char *json = NULL;
    long long a, b;
    time_t when;

    assert_int_equal(store_schema_version(st), store_schema_latest());
    assert_int_equal(store_print_enqueue(st, "{}", "", 100, &a), -1);   /* summary required */
    assert_int_equal(store_print_enqueue(st, receipt_json, summary, 100, &a), 0);
    assert_int_equal(store_print_enqueue(st, receipt_json, "second", 101, &b), 0);
    assert_true(b > a);
    assert_int_equal(store_print_next_due(st, &when), 1);
    assert_int_equal(when, 100);

    /* Nothing due before its time; then the oldest first. */
    assert_int_equal(store_print_claim(st, 99, &job, &json), 0);
    assert_null(json);
    assert_int_equal(store_print_claim(st, 200, &job, &json), 1);
    assert_int_equal(job.id, a);
    assert_int_equal(job.state, STORE_PRINT_PRINTING);
    assert_int_equal(job.attempts, 1);
    assert_string_equal(job.summary, summary);
    assert_string_equal(json, receipt_json);
    free(json);

    /* Retry: queued again, due later, reason kept. */
    assert_int_equal(store_print_finish(st, a, STORE_PRINT_QUEUED, "out of paper", 500, 200), 0);
    assert_int_equal(store_print_finish(st, a, STORE_PRINT_PRINTED, NULL, 0, 201), -1);  /* not printing */
    assert_int_equal(store_print_claim(st, 200, &job, &json), 1);
    assert_int_equal(job.id, b);                    /* a is not due until 500 */
    free(json);
    assert_int_equal(store_print_finish(st, b, STORE_PRINT_FAILED, "invalid receipt", 0, 200), 0);
    assert_int_equal(store_print_retry_now(st), 1);
    assert_int_equal(store_print_claim(st, 200, &job, &json), 1);
    assert_int_equal(job.id, a);
    assert_int_equal(job.attempts, 2);
    assert_string_equal(job.last_error, "out of paper");
    free(json);
    assert_int_equal(store_print_finish(st, a, STORE_PRINT_PRINTED, NULL, 0, 300), 0);

    assert_int_equal(store_print_count(st, STORE_PRINT_PRINTED), 1);
    assert_int_equal(store_print_count(st, STORE_PRINT_FAILED), 1);
    assert_int_equal(store_print_count(st, STORE_PRINT_QUEUED), 0);
    assert_int_equal(store_print_next_due(st, &when), 0);
    assert_int_equal(store_print_recent(st, recent, 4), 2);
    assert_int_equal(recent[0].id, b);              /* newest first */
    assert_int_equal(recent[0].state, STORE_PRINT_FAILED);
    assert_string_equal(recent[0].last_error, "invalid receipt");
    assert_int_equal(recent[1].printed, 300);
    assert_string_equal(store_print_state_name(recent[1].state), "printed");

    /* Pruning removes old finished jobs, never a queued one. */
    assert_int_equal(store_print_enqueue(st, receipt_json, "third", 50, NULL), 0);
    assert_int_equal(store_print_prune(st, 1000), 2);
    assert_int_equal(store_print_count(st, STORE_PRINT_QUEUED), 1);
    store_close(st);
    fx_free(&fx);
}

/* ---- the queue against the virtual printer ---------------------------- */

static void submit_prints_once(void **state)
{
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_READY, "");
    fx_start(&fx);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    assert_true(id > 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_int_equal(ev.job_id, id);
    assert_int_equal(ev.attempts, 1);
    assert_int_equal(ev.state, ESCPOS_READY);

    /* Confirmed by the printer, so it holds the receipt already; and it
     * is not printed a second time. */
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    assert_last_receipt_is_full(fx.vp);
    SDL_Delay(300);
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    store_print_job_t job = job_by_id(fx.var, id);
    assert_int_equal(job.state, STORE_PRINT_PRINTED);
    assert_true(job.printed > 0);
    fx_free(&fx);
}

static void paper_out_waits_then_prints_after_refill(void **state)
{
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_PAPER_OUT, "");
    fx_start(&fx);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_WAITING);
    assert_int_equal(ev.job_id, id);
    assert_int_equal(ev.state, ESCPOS_PAPER_OUT);
    assert_false(ev.paper_ran_out);                 /* refused before a byte */
    assert_string_equal(ev.qr, summary);            /* offered on screen instead */
    assert_non_null(strstr(ev.reason, "not printed"));

    store_print_job_t job = job_by_id(fx.var, id);
    assert_int_equal(job.state, STORE_PRINT_QUEUED);
    assert_true(job.next_try > time(NULL));         /* backing off */
    assert_non_null(strstr(job.last_error, "paper"));
    assert_int_equal(vprinter_receipt_count(fx.vp), 0);
    assert_int_equal(vprinter_data_bytes(fx.vp), 0);

    /* Staff load paper and press "print again". */
    vprinter_set_state(fx.vp, VPRINTER_READY);
    assert_int_equal(print_queue_retry_now(fx.q), 1);
    ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_int_equal(ev.job_id, id);
    assert_int_equal(ev.attempts, 2);
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    assert_last_receipt_is_full(fx.vp);
    assert_int_equal(count_state(fx.var, STORE_PRINT_PRINTED), 1);
    assert_int_equal(count_state(fx.var, STORE_PRINT_QUEUED), 0);
    fx_free(&fx);
}

static void retry_comes_by_itself(void **state)
{
    /* Without the test's hold: the worker retries on its own after the
     * backoff (at most the 2 s ceiling for the first retry, rounded up to
     * whole seconds). */
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_COVER_OPEN, "");
    print_queue_opts_t o = {.retry_min_ms = 1};
    fx.q = print_queue_start(fx.var, fx.uri, ev_type, &o);
    assert_non_null(fx.q);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_WAITING);
    assert_int_equal(ev.state, ESCPOS_COVER_OPEN);
    vprinter_set_state(fx.vp, VPRINTER_READY);
    do {
        ev = next_event();
        assert_int_equal(ev.job_id, id);
    } while (ev.outcome == PRINT_QUEUE_WAITING);
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_true(ev.attempts >= 2);
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    fx_free(&fx);
}

static void paper_runs_out_mid_receipt_reprints_in_full(void **state)
{
    fixture_t fx;
    long long id = 0;
    size_t full_n;
    free(receipt_bytes(&full_n));
    fx_init(&fx, VPRINTER_READY, "");
    vprinter_set_paper_out_after(fx.vp, (long)full_n / 3);
    fx_start(&fx);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_WAITING);
    assert_int_equal(ev.job_id, id);
    assert_true(ev.paper_ran_out);
    assert_int_equal(ev.state, ESCPOS_PAPER_OUT);
    assert_string_equal(ev.qr, summary);
    assert_int_equal(job_by_id(fx.var, id).state, STORE_PRINT_QUEUED);
    assert_true(vprinter_dropped(fx.vp) > 0);       /* the rest never reached paper */

    /* What came out before the paper ended is an incomplete receipt. */
    size_t partial = vprinter_receipt_count(fx.vp);
    assert_true(partial <= 1);

    vprinter_set_state(fx.vp, VPRINTER_READY);
    assert_int_equal(print_queue_retry_now(fx.q), 1);
    ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_int_equal(ev.job_id, id);
    assert_false(ev.paper_ran_out);
    assert_int_equal(vprinter_wait_receipts(fx.vp, partial + 1, 2000), 0);
    assert_last_receipt_is_full(fx.vp);
    fx_free(&fx);
}

static void no_answer_waits(void **state)
{
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_NO_ANSWER, "?timeout=300");
    fx_start(&fx);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_WAITING);
    assert_int_equal(ev.state, ESCPOS_NOT_ANSWERING);
    assert_false(ev.paper_ran_out);
    assert_string_equal(ev.qr, summary);
    assert_int_equal(job_by_id(fx.var, id).state, STORE_PRINT_QUEUED);
    assert_int_equal(vprinter_receipt_count(fx.vp), 0);
    fx_free(&fx);
}

static void printer_not_there_waits(void **state)
{
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_READY, "");
    /* A port nobody listens on: the vprinter's, once it is gone. */
    vprinter_stop(fx.vp);
    fx.vp = NULL;
    fx_start(&fx);

    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_WAITING);
    assert_int_equal(ev.state, ESCPOS_NOT_ANSWERING);
    assert_non_null(strstr(ev.reason, "cannot connect"));
    assert_int_equal(job_by_id(fx.var, id).state, STORE_PRINT_QUEUED);
    fx_free(&fx);
}

static void broken_receipt_fails_and_bad_input_is_refused(void **state)
{
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_READY, "");

    /* No printer configured: no queue, nothing to submit to. */
    assert_null(print_queue_start(fx.var, "", ev_type, NULL));
    assert_null(print_queue_start(fx.var, NULL, ev_type, NULL));
    assert_int_equal(print_queue_submit(NULL, receipt_json, summary, &id), -1);
    assert_int_equal(print_queue_retry_now(NULL), -1);
    print_queue_stop(NULL);

    fx_start(&fx);
    /* Invalid JSON and a missing summary are refused at once. */
    assert_int_equal(print_queue_submit(fx.q, "{\"items\": [{\"txet\": \"x\"}]}", summary, &id), -1);
    assert_int_equal(print_queue_submit(fx.q, receipt_json, "", &id), -1);
    assert_int_equal(count_state(fx.var, STORE_PRINT_QUEUED), 0);

    /* An image that is not there shows only when encoding: failed for
     * good, not retried; the QR code is still offered. */
    assert_int_equal(print_queue_submit(fx.q, "{\"items\": [{\"image\": \"/nonexistent/logo.png\"}]}",
                                        summary, &id), 0);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_FAILED);
    assert_int_equal(ev.job_id, id);
    assert_string_equal(ev.qr, summary);
    store_print_job_t job = job_by_id(fx.var, id);
    assert_int_equal(job.state, STORE_PRINT_FAILED);
    assert_non_null(strstr(job.last_error, "logo.png"));
    assert_int_equal(vprinter_receipt_count(fx.vp), 0);
    fx_free(&fx);
}

static void interrupted_job_requeued_on_next_open(void **state)
{
    fixture_t fx;
    long long id = 0;
    store_print_job_t job;
    char *json = NULL;
    fx_init(&fx, VPRINTER_READY, "");

    /* An earlier run claimed the job and died mid-receipt. */
    store_t *st = open_store(fx.var);
    assert_int_equal(store_print_enqueue(st, receipt_json, summary, time(NULL), &id), 0);
    assert_int_equal(store_print_claim(st, time(NULL), &job, &json), 1);
    free(json);
    store_close(st);
    /* A plain open (a staff tool, the app) leaves it alone ... */
    assert_int_equal(count_state(fx.var, STORE_PRINT_PRINTING), 1);

    /* ... the queue's start puts it back and prints it in full. */
    fx_start(&fx);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_int_equal(ev.job_id, id);
    assert_int_equal(ev.attempts, 2);
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    assert_last_receipt_is_full(fx.vp);
    assert_int_equal(count_state(fx.var, STORE_PRINT_PRINTING), 0);
    fx_free(&fx);
}

static void stop_is_prompt_while_the_printer_is_silent(void **state)
{
    fixture_t fx;
    long long id = 0;
    /* A 10 s status timeout: only the stop's shutdown ends the wait early. */
    fx_init(&fx, VPRINTER_NO_ANSWER, "?timeout=10000");
    fx_start(&fx);
    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);

    long deadline = now_ms() + 5000;
    while (vprinter_status_requests(fx.vp) == 0 && now_ms() < deadline) SDL_Delay(5);
    assert_true(vprinter_status_requests(fx.vp) > 0);   /* the worker waits for an answer */

    long t0 = now_ms();
    print_queue_stop(fx.q);
    fx.q = NULL;
    long took = now_ms() - t0;
    assert_true(took < 3000);

    /* Not lost: queued for the next start, nothing printed, no event. */
    store_print_job_t job = job_by_id(fx.var, id);
    assert_int_equal(job.state, STORE_PRINT_QUEUED);
    assert_int_equal(vprinter_receipt_count(fx.vp), 0);
    SDL_Event e;
    assert_int_equal(SDL_PeepEvents(&e, 1, SDL_PEEKEVENT, ev_type, ev_type), 0);
    fx_free(&fx);
}

static void queue_survives_restart(void **state)
{
    /* Queued while the paper is out, the kiosk restarts, the paper is
     * back: the receipt prints from the database. */
    fixture_t fx;
    long long id = 0;
    fx_init(&fx, VPRINTER_PAPER_OUT, "");
    fx_start(&fx);
    assert_int_equal(print_queue_submit(fx.q, receipt_json, summary, &id), 0);
    assert_int_equal(next_event().outcome, PRINT_QUEUE_WAITING);
    print_queue_stop(fx.q);
    fx.q = NULL;

    vprinter_set_state(fx.vp, VPRINTER_READY);
    fx_start(&fx);
    assert_int_equal(print_queue_retry_now(fx.q), 1);
    print_queue_event_t ev = next_event();
    assert_int_equal(ev.outcome, PRINT_QUEUE_PRINTED);
    assert_int_equal(ev.job_id, id);
    assert_int_equal(vprinter_receipt_count(fx.vp), 1);
    fx_free(&fx);
}

static int group_setup(void **state)
{
    if (SDL_Init(SDL_INIT_EVENTS) != 0) return -1;
    ev_type = SDL_RegisterEvents(1);
    return ev_type == (Uint32)-1 ? -1 : 0;
}

static int group_teardown(void **state)
{
    drain_events();
    SDL_Quit();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backoff_bounds),
        cmocka_unit_test(fallback_payload_cut_at_character),
        cmocka_unit_test(store_print_job_lifecycle),
        cmocka_unit_test(submit_prints_once),
        cmocka_unit_test(paper_out_waits_then_prints_after_refill),
        cmocka_unit_test(retry_comes_by_itself),
        cmocka_unit_test(paper_runs_out_mid_receipt_reprints_in_full),
        cmocka_unit_test(no_answer_waits),
        cmocka_unit_test(printer_not_there_waits),
        cmocka_unit_test(broken_receipt_fails_and_bad_input_is_refused),
        cmocka_unit_test(interrupted_job_requeued_on_next_open),
        cmocka_unit_test(stop_is_prompt_while_the_printer_is_silent),
        cmocka_unit_test(queue_survives_restart),
    };
    return cmocka_run_group_tests_name("print_queue", tests, group_setup, group_teardown);
}
