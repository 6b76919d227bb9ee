/* Payment figure (make bench): the time the payment provider layer adds to
 * the hub's part of "tap pay to QR": POST /v1/payments (method qr) to its
 * answer, on loopback, N orders each
 *   - with the demo provider (the order made inside the hub), then
 *   - through the provider layer (hub/pay.h: the order reserved, the
 *     provider asked outside the write lock with an RSA2-signed request,
 *     its signed answer verified, the code_url applied) against the
 *     in-process Alipay simulator answering at once.
 * Prints "pay_provider_layer_ms n N demo_p50 .. demo_p99 .. alipay_p50 ..
 * alipay_p99 .. extra_p99 ..": extra_p99 is the provider layer's p99 minus
 * the demo's. The simulator's own signing is part of it (a real provider
 * adds its network and its own time on top). Figures only; the tests
 * check behaviour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "alipay_sim.h"
#include "api.h"
#include "db.h"
#include "hubtest.h"
#include "pay.h"

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
    return v[(int)(p * (n - 1) + 0.5)];
}

/* N QR orders for one unpaid bill, each closed again (not timed). */
static int run(hubtest_t *t, const char *tag, int n, double *ms)
{
    long long bill = db_int(db_thread(), "SELECT MAX(id) FROM bills WHERE status = 'unpaid' AND amount_fen > 0",
                            NULL, -1);
    for (int i = 0; i < n; i++) {
        char no[40], body[200], path[96];
        snprintf(no, sizeof no, "%s-%06d", tag, i);
        snprintf(body, sizeof body, "{\"out_trade_no\":\"%s\",\"bill_ids\":[%lld],\"method\":\"qr\"}", no, bill);
        double t0 = now_ms();
        hubtest_resp_t r = hubtest_post(t, "/v1/payments", body);
        ms[i] = now_ms() - t0;
        int status = r.status;
        hubtest_free(&r);
        if (status != 201) {
            fprintf(stderr, "bench_provider: %s order %d: HTTP %d\n", tag, i, status);
            return -1;
        }
        snprintf(path, sizeof path, "/v1/payments/%s/close", no);
        r = hubtest_post(t, path, "{}");
        status = r.status;
        hubtest_free(&r);
        if (status != 200) {
            fprintf(stderr, "bench_provider: %s close %d: HTTP %d\n", tag, i, status);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 10) n = 10;
    if (n > 250) n = 250;               /* the simulator holds 256 trades */
    double *demo = calloc((size_t)n, sizeof *demo), *ali = calloc((size_t)n, sizeof *ali);

    pay_reset();
    hubtest_t *t = hubtest_start(true);
    if (run(t, "DEMO", n, demo) != 0) return 1;
    hubtest_stop(t);

    pay_reset();
    t = hubtest_start(false);
    if (demo_seed_bills(db_thread()) != 0) return 1;
    alipay_sim_t *sim = sim_start();
    char secrets[160], err[300];
    snprintf(secrets, sizeof secrets, "%s/alipay.secrets", t->dir);
    FILE *fp = fopen(secrets, "w");
    if (!fp) return 1;
    fprintf(fp, "app_id = %s\ngateway = %s\nprivate_key = %s\nalipay_public_key = %s\n", sim_app_id(sim),
            sim_gateway(sim), sim_merchant_private(sim), sim_alipay_public(sim));
    fclose(fp);
    chmod(secrets, 0600);
    if (pay_config_key("provider", "alipay") != 0 || pay_config_key("secrets", secrets) != 0 ||
        pay_init(false, err, sizeof err) != 0) {
        fprintf(stderr, "bench_provider: %s\n", err);
        return 1;
    }
    if (run(t, "ALI", n, ali) != 0) return 1;
    sim_stop(sim);
    hubtest_stop(t);
    pay_reset();

    double d50 = pct(demo, n, 0.5), d99 = pct(demo, n, 0.99);
    double a50 = pct(ali, n, 0.5), a99 = pct(ali, n, 0.99);
    printf("pay_provider_layer_ms n %d demo_p50 %.2f demo_p99 %.2f alipay_p50 %.2f alipay_p99 %.2f extra_p99 %.2f\n",
           n, d50, d99, a50, a99, a99 - d99);
    free(demo);
    free(ali);
    return 0;
}
