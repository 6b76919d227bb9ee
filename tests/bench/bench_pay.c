/* Payment figures (make bench): the kiosk, headless with the software
 * renderer, against a real hub process on loopback.
 *   1. "tap pay" to the payment QR code drawn on screen, N runs;
 *   2. the longest UI frame (event handling + build + draw) while the hub is
 *      slow (every payment answer after 3 s) and while it is dead, with the
 *      screen redrawn and tapped continuously meanwhile.
 * `bench_pay N alipay|wechat` measures 1 only, with the hub's payments going
 * to that provider's simulator (tests/hub/alipay_sim.c, wechat_sim.c, in this process): set
 * against the demo provider's figure, the time the provider layer adds
 * (signing, the provider's round trip, verifying its answer).
 * Figures only; the tests check behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "sim_hubini.h"
#include "services/bills/bills.h"
#include "support/harness.h"
#include "support/hubproc.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    int i = (int)(p * (n - 1) + 0.5);
    return v[i];
}

/* One turn of the kiosk's loop, as app_run does it; returns its duration. */
static double turn(app_t *app, int wait_ms)
{
    SDL_Event ev;
    double t0 = now_ms();
    if (SDL_WaitEventTimeout(&ev, wait_ms)) {
        t0 = now_ms();
        app_handle_event(app, &ev);
        while (SDL_PollEvent(&ev)) app_handle_event(app, &ev);
    }
    app_tick(app);
    if (app->dirty) app_draw(app);
    return now_ms() - t0;
}

static int qr_drawn(app_t *app)
{
    return app->frame && ui_find(app->frame, "pay.qr") != NULL;
}

static int tap(app_t *app, const char *id)
{
    const ui_widget_t *w = ui_find(app->frame, id);
    if (!w) return -1;
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = w->r.x + w->r.w / 2;
    ev.button.y = w->r.y + w->r.h / 2;
    app_handle_event(app, &ev);
    ev.type = SDL_MOUSEBUTTONUP;
    app_handle_event(app, &ev);
    return 0;
}

static int until(app_t *app, int (*pred)(app_t *), int ms)
{
    double end = now_ms() + ms;
    while (!pred(app) && now_ms() < end) turn(app, 5);
    return pred(app);
}

/* A person's pause after a screen change (taps sooner are dropped). */
static void pause_ms(app_t *app, int ms)
{
    double end = now_ms() + ms;
    while (now_ms() < end) turn(app, 5);
}

static int on_list(app_t *app) { return app->screen == SCR_BILLS_LIST; }
static int on_result(app_t *app) { return app->screen == SCR_PAY_RESULT; }

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 60;
    const char *provider = argc > 2 ? argv[2] : "demo";
    bool real = strcmp(provider, "demo") != 0;
    alipay_sim_t *ali = NULL;
    wechat_sim_t *wx = NULL;
    char dir[64] = "", notify_url[96];
    hubproc_t hub = {0};
    if (real) {
        /* The hub's clock and the simulator's are the machine's (no
         * fake clock yet): WeChat Pay's request times agree. */
        if (strcmp(provider, "alipay") == 0) ali = sim_start();
        else if (strcmp(provider, "wechat") == 0) wx = wxsim_start();
        else { fprintf(stderr, "bench_pay: provider demo, alipay or wechat\n"); return 2; }
        snprintf(dir, sizeof dir, "/tmp/bench-pay-XXXXXX");
        sim_hubini_t o = {.provider = provider, .ali = ali, .wx = wx,
                          .notify_port = hubproc_free_port(), .timeout_ms = 10000};
        if (!mkdtemp(dir) || o.notify_port <= 0 ||
            sim_hubini_write(dir, &o, hub.config, sizeof hub.config, notify_url, sizeof notify_url) != 0)
            return 1;
    }
    if (hubproc_start(&hub) != 0) return 1;
    char url[128], tok[200];
    snprintf(url, sizeof url, "hub.url=%s", hub.url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    const char *sets[] = {url, tok, "display.renderer=software", "hub.timeout=10", NULL};
    app_t *app = harness_net_app(1920, 1080, sets);
    clock_fake_off();                   /* real time from here on */
    app_draw(app);

    /* wake, find the water account 3702031056 */
    SDL_Event ev = {0};
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.x = 900; ev.button.y = 500;
    app_handle_event(app, &ev);
    ev.type = SDL_MOUSEBUTTONUP;
    app_handle_event(app, &ev);
    app_go(app, SCR_BILLS_ACCOUNT);
    app->bills->utility = 0;
    snprintf(app->bills->digits, sizeof app->bills->digits, "%s", "3702031056");
    app->bills->n_digits = 10;
    bills_find_account(app);
    if (!until(app, on_list, 5000)) { fprintf(stderr, "bench_pay: look-up failed\n"); return 1; }

    /* 1. tap pay -> QR drawn */
    double *t = calloc((size_t)runs, sizeof *t);
    int n = 0;
    for (int i = 0; i < runs; i++) {
        pause_ms(app, APP_DOUBLE_TAP_GUARD_MS + 50);
        app_draw(app);
        double t0 = now_ms();
        tap(app, "list.pay_qr");
        while (!qr_drawn(app) && now_ms() - t0 < 5000) turn(app, 1);
        if (!qr_drawn(app)) { fprintf(stderr, "bench_pay: no QR in run %d\n", i); break; }
        t[n++] = now_ms() - t0;
        pause_ms(app, APP_DOUBLE_TAP_GUARD_MS + 50);
        tap(app, "pay.cancel");
        if (!until(app, on_result, 5000)) break;
        pause_ms(app, APP_DOUBLE_TAP_GUARD_MS + 50);
        tap(app, "result.bills");
        turn(app, 1);
    }
    double p50 = n ? pct(t, n, 0.5) : -1, p99 = n ? pct(t, n, 0.99) : -1, mx = n ? t[n - 1] : -1;
    printf("pay_tap_to_qr_ms%s%s n %d p50 %.1f p99 %.1f max %.1f\n", real ? "_" : "", real ? provider : "",
           n, p50, p99, mx);
    if (real) {
        free(t);
        harness_free(app);
        hubproc_cleanup(&hub);
        if (ali) sim_stop(ali);
        if (wx) wxsim_stop(wx);
        char path[128];
        snprintf(path, sizeof path, "%s/hub.ini", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/provider.secrets", dir);
        unlink(path);
        rmdir(dir);
        return n == runs ? 0 : 1;
    }

    /* 2. frames while the hub is slow, then dead: redraw and tap all along */
    const char *phases[2] = {"slow", "dead"};
    for (int ph = 0; ph < 2; ph++) {
        if (ph == 0) hubproc_behaviour(&hub, "{\"delay_ms\": 3000}");
        else hubproc_kill(&hub);
        pause_ms(app, APP_DOUBLE_TAP_GUARD_MS + 50);
        tap(app, "list.pay_qr");
        double worst = 0, end = now_ms() + 6000;
        double *f = calloc(4000, sizeof *f);
        int nf = 0;
        while (now_ms() < end && nf < 4000) {
            app->dirty = true;           /* a frame every turn, as under a moving finger */
            if (nf % 20 == 0) tap(app, "hdr.lang");
            double d = turn(app, 8);
            if (d > worst) worst = d;
            f[nf++] = d;
        }
        printf("frame_ms_%s_network frames %d p99 %.1f max %.1f screen %s state %s%s\n", phases[ph], nf,
               pct(f, nf, 0.99), worst, app_screen_name(app->screen), pay_state_name(app->bills->pay.state),
               app->bills->pay.unknown ? " (confirming)" : "");
        free(f);
        tap(app, "pay.cancel");
        if (ph == 0) {
            until(app, on_result, 15000);
            hubproc_behaviour(&hub, "{\"delay_ms\": 0}");
            pause_ms(app, APP_DOUBLE_TAP_GUARD_MS + 50);
            tap(app, "result.bills");
            turn(app, 1);
        }
    }
    free(t);
    harness_free(app);
    hubproc_cleanup(&hub);
    return 0;
}
