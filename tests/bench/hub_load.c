/* Load generator for the hub bench: KIOSKS simulated kiosks each sending a
 * heartbeat every INTERVAL seconds (evenly spread), plus bookings and
 * payments at a steady rate, for DURATION seconds, over libcurl's multi
 * interface (one thread, many connections). Prints latency percentiles per
 * kind and the error count. Only ever talks to the URL given (loopback).
 *
 *   hub_load URL TOKEN [--kiosks N] [--interval S] [--duration S]
 *            [--bookings-per-s R] [--payments-per-s R]                     */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INFLIGHT 512
#define MAX_SAMPLES 400000

enum { K_HEARTBEAT, K_BOOKING, K_PAYMENT, K_COUNT };
static const char *kind_name[K_COUNT] = {"heartbeat", "booking", "payment"};

typedef struct {
    int kind;
    double t0;
    char body[512];
    struct curl_slist *hdr;
} job_t;

static double *lat[K_COUNT];
static int nlat[K_COUNT], errors[K_COUNT], rejected[K_COUNT];
static long seq;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t s, size_t n, void *u) { return s * n; }

static void start(CURLM *m, const char *url, const char *token, int kind, long slot, long bill)
{
    job_t *j = calloc(1, sizeof *j);
    char h[256], full[512];
    j->kind = kind;
    snprintf(h, sizeof h, "Authorization: Bearer %s", token);
    j->hdr = curl_slist_append(j->hdr, h);
    snprintf(h, sizeof h, "Idempotency-Key: load-%ld-%ld", (long)time(NULL), ++seq);
    j->hdr = curl_slist_append(j->hdr, h);
    j->hdr = curl_slist_append(j->hdr, "Content-Type: application/json");
    j->hdr = curl_slist_append(j->hdr, "Expect:");
    if (kind == K_HEARTBEAT) {
        snprintf(full, sizeof full, "%s/v1/heartbeat", url);
        snprintf(j->body, sizeof j->body, "{\"version\":\"0.1.0\",\"uptime_s\":%ld,\"mode\":\"hall\","
                 "\"screen\":\"home\",\"queue_depth\":0}", seq);
    } else if (kind == K_BOOKING) {
        snprintf(full, sizeof full, "%s/v1/housekeeping/bookings", url);
        snprintf(j->body, sizeof j->body, "{\"slot_id\":%ld,\"service_id\":\"cleaning\",\"name\":\"王芳\","
                 "\"phone\":\"138%08ld\"}", slot, seq % 100000000);
    } else {
        snprintf(full, sizeof full, "%s/v1/payments", url);
        snprintf(j->body, sizeof j->body, "{\"out_trade_no\":\"LOAD%ld%ld\",\"bill_ids\":[%ld],"
                 "\"method\":\"qr\"}", (long)time(NULL), seq, bill);
    }
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, full);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_PRIVATE, j);
    j->t0 = now_s();
    curl_multi_add_handle(m, c);
}

static void reap(CURLM *m)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *c = msg->easy_handle;
        job_t *j;
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_PRIVATE, (char **)&j);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        double ms = (now_s() - j->t0) * 1000;
        if (msg->data.result != CURLE_OK || code >= 500 || code == 0) errors[j->kind]++;
        else if (code >= 400) rejected[j->kind]++;   /* business answers: slot full, bill paid */
        if (nlat[j->kind] < MAX_SAMPLES) lat[j->kind][nlat[j->kind]++] = ms;
        curl_multi_remove_handle(m, c);
        curl_easy_cleanup(c);
        curl_slist_free_all(j->hdr);
        free(j);
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hub_load URL TOKEN [--kiosks N] [--interval S] [--duration S] "
                        "[--bookings-per-s R] [--payments-per-s R] [--slot-min ID --slot-max ID] "
                        "[--bill-min ID --bill-max ID]\n");
        return 2;
    }
    const char *url = argv[1], *token = argv[2];
    double kiosks = 10000, interval = 60, duration = 30, book_rate = 2, pay_rate = 2;
    long slot_min = 1, slot_max = 100, bill_min = 1, bill_max = 200;
    for (int i = 3; i + 1 < argc; i += 2) {
        double v = atof(argv[i + 1]);
        if (!strcmp(argv[i], "--kiosks")) kiosks = v;
        else if (!strcmp(argv[i], "--interval")) interval = v;
        else if (!strcmp(argv[i], "--duration")) duration = v;
        else if (!strcmp(argv[i], "--bookings-per-s")) book_rate = v;
        else if (!strcmp(argv[i], "--payments-per-s")) pay_rate = v;
        else if (!strcmp(argv[i], "--slot-min")) slot_min = (long)v;
        else if (!strcmp(argv[i], "--slot-max")) slot_max = (long)v;
        else if (!strcmp(argv[i], "--bill-min")) bill_min = (long)v;
        else if (!strcmp(argv[i], "--bill-max")) bill_max = (long)v;
    }
    for (int k = 0; k < K_COUNT; k++) lat[k] = malloc(MAX_SAMPLES * sizeof(double));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 256L);
    double t_start = now_s(), hb_gap = interval / kiosks;
    double next[K_COUNT] = {t_start, t_start, t_start};
    double gap[K_COUNT] = {hb_gap, book_rate > 0 ? 1 / book_rate : 1e9, pay_rate > 0 ? 1 / pay_rate : 1e9};
    unsigned rnd = 12345;
    int running = 0;
    while (now_s() - t_start < duration || running) {
        double t = now_s();
        for (int k = 0; k < K_COUNT && t - t_start < duration; k++)
            while (next[k] <= t && running < MAX_INFLIGHT) {
                rnd = rnd * 1103515245u + 12345u;
                long slot = slot_min + (long)(rnd >> 8) % (slot_max - slot_min + 1);
                long bill = bill_min + (long)(rnd >> 12) % (bill_max - bill_min + 1);
                start(m, url, token, k, slot, bill);
                running++;
                next[k] += gap[k];
            }
        curl_multi_perform(m, &running);
        reap(m);
        double wait = 1e9;
        for (int k = 0; k < K_COUNT; k++) if (next[k] - now_s() < wait) wait = next[k] - now_s();
        int ms = wait < 0 ? 0 : wait > 0.05 ? 50 : (int)(wait * 1000);
        curl_multi_poll(m, NULL, 0, ms, NULL);
    }
    double elapsed = now_s() - t_start;
    int total_err = 0;
    for (int k = 0; k < K_COUNT; k++) {
        qsort(lat[k], nlat[k], sizeof(double), cmp);
        double p50 = nlat[k] ? lat[k][nlat[k] / 2] : 0, p99 = nlat[k] ? lat[k][(int)(nlat[k] * 0.99)] : 0;
        double mx = nlat[k] ? lat[k][nlat[k] - 1] : 0;
        printf("load %-9s n %6d rate %7.1f/s p50 %6.2f ms p99 %6.2f ms max %7.2f ms errors %d rejected %d\n",
               kind_name[k], nlat[k], nlat[k] / elapsed, p50, p99, mx, errors[k], rejected[k]);
        total_err += errors[k];
        free(lat[k]);
    }
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return total_err ? 1 : 0;
}
