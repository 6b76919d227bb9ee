/* make soak: the kiosk against a real hub process for a long time, its
 * resources sampled as it goes.
 *
 *   hall:   a seeded random walk of SOAK_TAPS taps (default 100000) over
 *           whatever is clickable on each frame (every service, the staff
 *           corner, dialogs), with idle spells that time the session out,
 *           a frame drawn every 20 taps and the workers' answers handled;
 *   street: mode = street, SOAK_DAYS simulated days (default 7) of the
 *           information display on the fake clock, a frame a simulated
 *           minute.
 * Every SOAK_SAMPLE taps (default 5000) / every simulated 6 hours it prints
 * "phase step rss_kb fds db_kb". After the first fifth (warm-up) the
 * resident memory and the database may grow by at most 1 MiB and the open
 * files by at most 2 (connections in flight); exit 1 otherwise. Each phase
 * ends with the row count of every table of the kiosk's database. SOAK_SEED fixes the walk.
 * Scaffolding for the figures of issue 18: the numbers it prints are the
 * soak's result; a valgrind run is `SOAK_TAPS=2000 SOAK_DAYS=1 valgrind
 * --leak-check=full build/soak`. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/harness.h"
#include "support/hubproc.h"

#define GROWTH_MAX_KB 1024L

typedef struct {
    long rss_kb, fds, db_kb;
} sample_t;

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    char *end;
    long n = v ? strtol(v, &end, 10) : def;
    return v && (*end || n <= 0) ? def : n;
}

static long rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long open_fds(void)
{
    long n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));) n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;                       /* the directory's own */
}

static long file_kb(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 ? (long)(st.st_size / 1024) : 0;
}

static sample_t take(const app_t *app, const char *phase, long step)
{
    sample_t s = {rss_kb(), open_fds(),
                  file_kb(app->cfg.var_dir, "kiosk.db") + file_kb(app->cfg.var_dir, "kiosk.db-wal")};
    printf("%-6s %9ld %8ld %4ld %7ld\n", phase, step, s.rss_kb, s.fds, s.db_kb);
    fflush(stdout);
    return s;
}

/* The rows of every table of the kiosk's database, so a growing database
 * says where it grows (sqlite3 CLI, read-only). */
static void table_rows(const app_t *app, const char *phase)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "db='%s/kiosk.db'; printf '%s: rows:'; for t in $(sqlite3 -readonly \"$db\" "
             "\"SELECT name FROM sqlite_master WHERE type='table' ORDER BY name\"); do "
             "printf ' %%s=%%s' \"$t\" \"$(sqlite3 -readonly \"$db\" \"SELECT count(*) FROM $t\")\"; done; echo",
             app->cfg.var_dir, phase);
    fflush(stdout);
    if (system(cmd) != 0) printf("%s: rows: (sqlite3 failed)\n", phase);
    /* The outbox by kind, state and last HTTP status: what is kept, and why. */
    snprintf(cmd, sizeof cmd,
             "sqlite3 -readonly '%s/kiosk.db' \"SELECT '%s: outbox: ' || kind || ' ' || state || ' http ' || http "
             "|| ' x' || count(*) FROM outbox GROUP BY kind, state, http\"",
             app->cfg.var_dir, phase);
    if (system(cmd) != 0) printf("%s: outbox: (sqlite3 failed)\n", phase);
}

/* Growth from the sample at the end of warm-up to the last. 0 if flat. */
static int verdict(const char *phase, const sample_t *warm, const sample_t *last)
{
    int bad = 0;
    if (last->rss_kb - warm->rss_kb > GROWTH_MAX_KB) bad = 1;
    if (last->db_kb - warm->db_kb > GROWTH_MAX_KB) bad = 1;
    /* The workers' HTTP connections come and go: a couple either way is
     * traffic, more is a leak. */
    if (last->fds - warm->fds > 2) bad = 1;
    printf("%s: after warm-up rss %+ld kB, db %+ld kB, fds %+ld: %s\n", phase, last->rss_kb - warm->rss_kb,
           last->db_kb - warm->db_kb, last->fds - warm->fds, bad ? "GROWING" : "flat");
    return bad;
}

static app_t *start(const hubproc_t *hub, const char *mode)
{
    static char url[128], tok[200], m[64];
    snprintf(url, sizeof url, "hub.url=%s", hub->url);
    snprintf(tok, sizeof tok, "hub.token=%s", HUBPROC_TOKEN);
    snprintf(m, sizeof m, "kiosk.mode=%s", mode);
    const char *sets[] = {url, tok, m, "ui.locale=en", "hub.timeout=2", "kiosk.log_level=error", NULL};
    return harness_net_app(1920, 1080, sets);
}

static int hall(const hubproc_t *hub, long taps, long every, unsigned seed)
{
    app_t *app = start(hub, "hall");
    sample_t warm = {0}, last = {0};
    long warm_at = taps / 5;
    bool seen[SCR_COUNT] = {0};
    srand(seed);
    for (long i = 1; i <= taps; i++) {
        app_build(app);
        const ui_widget_t *cand[UI_MAX_WIDGETS];
        int n = 0;
        for (int k = 0; k < app->frame->n; k++) {
            const ui_widget_t *w = &app->frame->w[k];
            if (!(w->flags & UI_F_CLICK) || (w->flags & UI_F_DISABLED)) continue;
            if (ui_hit(app->frame, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2, 0) == w) cand[n++] = w;
        }
        if (rand() % 100 == 0) {
            app_test_advance(app, 90000);            /* nobody there: the session times out */
        } else if (n == 0) {
            app_test_tap_xy(app, 960, 540);          /* a touch anywhere wakes the attract loop */
            app_test_advance(app, 500);
        } else {
            const ui_widget_t *w = cand[rand() % n];
            app_test_tap_xy(app, w->r.x + w->r.w / 2, w->r.y + w->r.h / 2);
            app_test_advance(app, 300 + (uint64_t)(rand() % 1500));
        }
        app_test_pump(app, 0, 2);                    /* the workers' answers */
        if ((int)app->screen >= 0 && app->screen < SCR_COUNT) seen[app->screen] = true;
        if (i % 20 == 0) app_draw(app);
        if (i % every == 0 || i == taps) {
            last = take(app, "hall", i);
            if (i <= warm_at || warm.rss_kb == 0) warm = last;
        }
    }
    int n_seen = 0;
    printf("hall: screens visited:");
    for (int k = 0; k < SCR_COUNT; k++)
        if (seen[k]) printf(" %s", app_screen_name((screen_id_t)k)), n_seen++;
    printf(" (%d of %d)\n", n_seen, SCR_COUNT);
    table_rows(app, "hall");
    harness_free(app);
    return verdict("hall", &warm, &last);
}

static int street(const hubproc_t *hub, long days)
{
    app_t *app = start(hub, "street");
    sample_t warm = {0}, last = {0};
    long minutes = days * 24 * 60, warm_at = minutes / 5;
    for (long m = 1; m <= minutes; m++) {
        app_test_advance(app, 60000);
        app_test_pump(app, 0, 1);
        app_draw(app);
        if (m % (6 * 60) == 0 || m == minutes) {
            last = take(app, "street", m / 60);
            if (m <= warm_at || warm.rss_kb == 0) warm = last;
        }
    }
    table_rows(app, "street");
    harness_free(app);
    return verdict("street", &warm, &last);
}

int main(void)
{
    long taps = env_long("SOAK_TAPS", 100000), days = env_long("SOAK_DAYS", 7);
    long every = env_long("SOAK_SAMPLE", 5000);
    unsigned seed = (unsigned)env_long("SOAK_SEED", 18);
    hubproc_t hub;
    memset(&hub, 0, sizeof hub);
    harness_clock_start();
    if (hubproc_start(&hub) != 0) return 1;
    printf("phase       step   rss_kB  fds   db_kB   (hall: taps, street: simulated hours)\n");
    int bad = hall(&hub, taps, every, seed);
    bad |= street(&hub, days);
    hubproc_cleanup(&hub);
    return bad ? 1 : 0;
}
