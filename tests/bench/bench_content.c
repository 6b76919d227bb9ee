/* Content sync figures against a real hub process (build/hub):
 *   content_first_sync_ms   first sync of 1,000 notices + 200 images
 *                           (poll, verify, 200 asset downloads, one switch)
 *   content_poll_304_ms     an unchanged poll round (one 304), p50 / p99
 *                           over 200 rounds
 * Prints "NAME p50 X p99 Y" / "NAME ms X" lines for tests/bench/bench.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "content/bundle.h"
#include "content/sync.h"
#include "support/harness.h"
#include "support/hubproc.h"

static double ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc != 0) fprintf(stderr, "bench_content: failed: %s\n", cmd);
    return rc;
}

int main(void)
{
    char tmp[] = "/tmp/bench-content.XXXXXX", cmd[1024], err[400], pk[65], staff[160] = "";
    if (!mkdtemp(tmp)) return 1;
    hubproc_t hub = {0};
    snprintf(hub.dir, sizeof hub.dir, "%s/hub", tmp);
    snprintf(cmd, sizeof cmd, "mkdir -p %s/hub %s/src/items %s/src/images", tmp, tmp, tmp);
    if (run(cmd)) return 1;
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s/hub staff add bench --db %s/hub/hub.db", harness_build_dir(), tmp);
    FILE *p = popen(cmd, "r");
    if (!p || !fgets(staff, sizeof staff, p)) return 1;
    pclose(p);
    staff[strcspn(staff, "\n")] = '\0';

    /* 1,000 notices, every fifth with one of 200 distinct small PNGs. */
    char path[256];
    snprintf(cmd, sizeof cmd, "convert -size 64x64 xc:'#2a7ab0' -strip PNG8:%s/base.png", tmp);
    if (run(cmd)) return 1;
    size_t blen;
    char *base = content_read_file((snprintf(path, sizeof path, "%s/base.png", tmp), path), &blen);
    if (!base) return 1;
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof path, "%s/src/images/i%03d.png", tmp, i);
        FILE *fp = fopen(path, "wb");
        fwrite(base, 1, blen, fp);
        fprintf(fp, "%d", i);              /* distinct bytes after IEND */
        fclose(fp);
    }
    free(base);
    for (int i = 0; i < 1000; i++) {
        snprintf(path, sizeof path, "%s/src/items/n%04d.json", tmp, i);
        FILE *fp = fopen(path, "w");
        fprintf(fp, "{\"id\":%d,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"%s\","
                    "\"title\":\"社区通知 %d\",\"body\":\"幸福里社区第%d号通知：请居民留意楼道张贴的详细安排，"
                    "如有疑问请拨打社区服务电话6123 4500。\",\"published\":%d%s%03d%s}",
                i + 1, i % 2 ? "en" : "zh_CN", i, i, 1795000000 + i,
                i % 5 == 0 ? ",\"images\":[\"i" : "", i / 5, i % 5 == 0 ? ".png\"]" : "");
        if (i % 5 != 0) {                  /* no image: rewrite without the %03d */
            fclose(fp);
            fp = fopen(path, "w");
            fprintf(fp, "{\"id\":%d,\"kind\":\"notice\",\"category\":\"community\",\"locale\":\"%s\","
                        "\"title\":\"社区通知 %d\",\"body\":\"幸福里社区第%d号通知：请居民留意楼道张贴的详细安排，"
                        "如有疑问请拨打社区服务电话6123 4500。\",\"published\":%d}",
                    i + 1, i % 2 ? "en" : "zh_CN", i, i, 1795000000 + i);
        }
        fclose(fp);
    }
    snprintf(path, sizeof path, "%s/src/bundle.json", tmp);
    FILE *fp = fopen(path, "w");
    fprintf(fp, "{\"version\":1,\"expires\":%lld}", (long long)time(NULL) + 86400);
    fclose(fp);

    char src[128], out[128], key[128], var[128];
    snprintf(src, sizeof src, "%s/src", tmp);
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(key, sizeof key, "%s/key", tmp);
    snprintf(var, sizeof var, "%s/var", tmp);
    long long v;
    int items = 0, assets = 0;
    if (content_build(src, out, time(NULL), &items, &assets, err, sizeof err) ||
        content_keygen(key, pk, err, sizeof err) || content_sign(out, key, NULL, err, sizeof err) ||
        (snprintf(hub.content_key, sizeof hub.content_key, "%s", pk), hubproc_start(&hub)) ||
        content_publish(out, hub.url, staff, &v, err, sizeof err)) {
        fprintf(stderr, "bench_content: %s\n", err);
        return 1;
    }
    content_config_t cfg = {.hub_url = hub.url, .token = HUBPROC_TOKEN, .var_dir = var,
                            .public_key = pk, .mode = "hall", .poll_s = 60, .timeout_ms = 10000};
    content_sync_t *s = content_sync_new(&cfg, NULL, err, sizeof err);
    if (!s) { fprintf(stderr, "bench_content: %s\n", err); return 1; }
    content_report_t rep;
    double t0 = ms_now();
    content_outcome_t o = content_sync_round(s, &rep);
    double first = ms_now() - t0;
    if (o != CONTENT_APPLIED) {
        fprintf(stderr, "bench_content: first sync: %s %s\n", content_outcome_name(o), rep.detail);
        return 1;
    }
    double lat[200];
    for (int i = 0; i < 200; i++) {
        t0 = ms_now();
        o = content_sync_round(s, &rep);
        lat[i] = ms_now() - t0;
        if (o != CONTENT_UNCHANGED) { fprintf(stderr, "bench_content: poll %d: %s\n", i, rep.detail); return 1; }
    }
    if (strcmp(rep.detail, "304") != 0) { fprintf(stderr, "bench_content: not a 304: %s\n", rep.detail); return 1; }
    qsort(lat, 200, sizeof *lat, cmp_d);
    printf("content_first_sync_ms ms %.1f items %d assets %d\n", first, items, rep.assets_fetched ? rep.assets_fetched : assets);
    printf("content_poll_304_ms p50 %.2f p99 %.2f\n", lat[99], lat[197]);
    content_sync_free(s);
    hubproc_stop(&hub);
    hubproc_cleanup(&hub);
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    run(cmd);
    return 0;
}
