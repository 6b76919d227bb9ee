#include "app/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/tour.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(const double *sorted, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

int bench_frames(app_t *app, int rounds)
{
    int nstates = 0;
    while (tour_states[nstates]) nstates++;
    double *all = calloc((size_t)rounds * nstates, sizeof *all);
    double *t = calloc((size_t)rounds, sizeof *t);
    if (!all || !t) { free(all); free(t); return -1; }
    int nall = 0;
    for (int s = 0; s < nstates; s++) {
        if (tour_show(app, tour_states[s]) == TOUR_BAD_DATA) {
            free(all);
            free(t);
            return -1;
        }
        app_draw(app);                       /* warm: glyphs rasterised once */
        for (int i = 0; i < rounds; i++) {
            app->dirty = true;
            double t0 = now_ms();
            app_draw(app);
            t[i] = now_ms() - t0;
            all[nall++] = t[i];
        }
        qsort(t, rounds, sizeof *t, cmp_double);
        printf("frame_ms %-12s p50 %6.2f p99 %6.2f max %6.2f\n", tour_states[s],
               pct(t, rounds, 0.5), pct(t, rounds, 0.99), t[rounds - 1]);
    }
    qsort(all, nall, sizeof *all, cmp_double);
    printf("frame_ms %-12s p50 %6.2f p99 %6.2f max %6.2f\n", "all",
           pct(all, nall, 0.5), pct(all, nall, 0.99), all[nall - 1]);
    free(all);
    free(t);
    return 0;
}

long bench_pss_kb(void)
{
    /* KIOSK_SMAPS=FILE: a copy of the memory map, to see where it goes. */
    const char *dump = getenv("KIOSK_SMAPS");
    if (dump) {
        FILE *in = fopen("/proc/self/smaps", "r"), *out = fopen(dump, "w");
        char buf[4096];
        size_t n;
        while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
        if (in) fclose(in);
        if (out) fclose(out);
    }
    FILE *fp = fopen("/proc/self/smaps_rollup", "r");
    if (!fp) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, fp))
        if (strncmp(line, "Pss:", 4) == 0) { kb = strtol(line + 4, NULL, 10); break; }
    fclose(fp);
    return kb;
}
