/* Outbox figures: durable enqueues per second, one transaction per enqueue
 * (nothing batched), PRAGMA synchronous=FULL, on a temp var dir.
 *   bench_outbox [N]              N plain, then N sealed enqueues (2000); prints
 *                                 "outbox_enqueue_per_s plain X sealed Y", then
 *                                 "ui_write_ms p99 X max Y": each of those
 *                                 enqueues and N receipt submits
 *                                 (store_print_enqueue), the durable writes
 *                                 still made on the UI thread (store/store.h)
 *   bench_outbox --fill VAR_DIR KEY_FILE
 *                                 creates VAR_DIR's database with three items
 *                                 (1 plain help, 2 sealed help, 3 plain
 *                                 telemetry) for tests/checks/kioskctl_queue.sh */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "outbox/outbox.h"
#include "outbox/seal.h"
#include "store/store.h"

#define BODY "{\"location\":\"hall\",\"message\":\"bench\",\"contact\":\"13812345678\",\"consent\":true}"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int fill(const char *dir, const char *keyfile)
{
    store_t *st;
    outbox_key_t key;
    char err[512];
    if (store_open(dir, &st, err, sizeof err) != 0 ||
        outbox_key_load(keyfile, true, &key, err, sizeof err) != 0) {
        fprintf(stderr, "bench_outbox: %s\n", err);
        return 1;
    }
    int rc = outbox_enqueue(st, &key, "help", "/v1/help", "{\"location\":\"hall\"}", false,
                            "fill-1", 1000, NULL, err, sizeof err) ||
             outbox_enqueue(st, &key, "help", "/v1/help", BODY, true, "fill-2", 2000, NULL,
                            err, sizeof err) ||
             outbox_enqueue(st, &key, "telemetry", "/v1/heartbeat", "{\"uptime\":1}", false,
                            "fill-3", 3000, NULL, err, sizeof err);
    if (rc) fprintf(stderr, "bench_outbox: %s\n", err);
    outbox_key_wipe(&key);
    store_close(st);
    return rc ? 1 : 0;
}

/* Every single write's time in ms, for the UI-thread figure. */
static double *writes;
static int n_writes;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* N enqueues, each its own transaction; returns per second, or -1. */
static double run(store_t *st, const outbox_key_t *key, bool sealed, int n)
{
    char err[256];
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        double t = now_s();
        if (outbox_enqueue(st, key, "help", "/v1/help", BODY, sealed, NULL, 1000, NULL, err,
                           sizeof err) != 0) {
            fprintf(stderr, "bench_outbox: %s\n", err);
            return -1;
        }
        writes[n_writes++] = (now_s() - t) * 1000.0;
    }
    return n / (now_s() - t0);
}

/* N receipt submits at synchronous=FULL, as print_queue_submit makes them. */
static int receipts(store_t *st, int n)
{
    for (int i = 0; i < n; i++) {
        double t = now_s();
        if (store_print_enqueue(st, "{\"lines\":[{\"text\":\"bench\"}]}", "bench", 1000, NULL) != 0)
            return -1;
        writes[n_writes++] = (now_s() - t) * 1000.0;
    }
    return 0;
}

int main(int argc, char **argv)
{
    log_set_level(LOG_WARN);
    if (argc == 4 && strcmp(argv[1], "--fill") == 0) return fill(argv[2], argv[3]);
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    if (n < 1) n = 2000;

    char dir[] = "/tmp/kiosk-bench-outbox-XXXXXX", keyfile[64], err[512];
    if (!mkdtemp(dir)) return 1;
    snprintf(keyfile, sizeof keyfile, "%s/outbox.key", dir);
    store_t *st;
    outbox_key_t key;
    if (store_open(dir, &st, err, sizeof err) != 0 ||
        outbox_key_load(keyfile, true, &key, err, sizeof err) != 0) {
        fprintf(stderr, "bench_outbox: %s\n", err);
        return 1;
    }
    if (outbox_durable(st) != 0) return 1;
    writes = calloc((size_t)n * 3, sizeof *writes);
    if (!writes) return 1;
    double plain = run(st, &key, false, n), sealed = run(st, &key, true, n);
    printf("outbox_enqueue_per_s plain %.0f sealed %.0f n %d\n", plain, sealed, n);
    if (plain >= 0 && sealed >= 0 && receipts(st, n) == 0) {
        qsort(writes, (size_t)n_writes, sizeof *writes, cmp_double);
        printf("ui_write_ms p99 %.2f max %.2f n %d\n", writes[(int)(0.99 * (n_writes - 1))],
               writes[n_writes - 1], n_writes);
    }
    free(writes);
    outbox_key_wipe(&key);
    store_close(st);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return plain < 0 || sealed < 0;
}
