/* build/kiosk: the community kiosk.
 *
 *   kiosk [--config PATH] [--set section.key=value ...]
 *   kiosk --tour DIR [--size WxH] [--locale L] [--theme T]
 *   kiosk --hash-pin            (PIN on standard input, hash line on output)
 *   kiosk --bench-frames N      (frame times of every screen, offscreen)
 *   kiosk --first-frame         (exit after the first presented frame)
 *   kiosk --screen NAME         (start on a screen, e.g. home: demos, bench)
 *   kiosk --speak TEXT --out FILE.wav [--locale L]   (the kiosk's voice, to a file)
 *   kiosk --preview ITEM.json --out FILE.png [--size WxH] [--theme T] [--locale L]
 *         [--images DIR]    (one content item as residents see it, and whether
 *                           it fits: app/preview.h; for the staff console)
 *
 * Exit status: 0 normal, 1 start-up failure (no video, no font), 2 bad
 * configuration or usage. After start-up the kiosk does not exit on faults. */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/app.h"
#include "app/bench.h"
#include "app/preview.h"
#include "app/tour.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/staff_auth.h"
#include "core/version.h"
#include "../common/paths.h"
#include "voice/wav.h"

typedef struct {
    const char *config;
    const char *tour_dir;
    const char *size, *locale, *theme;
    int bench_frames;
    int first_frame;
    int hash_pin;
    const char *screen;
    const char *speak, *out;
    const char *preview, *images;
    const char **sets;          /* the --set values in order (argc slots) */
    int nsets;
} args_t;

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: kiosk [--config PATH] [--set section.key=value]...\n"
            "       kiosk --tour DIR [--size WxH] [--locale L] [--theme standard|elder|contrast]\n"
            "       kiosk --hash-pin < pin.txt\n"
            "       kiosk --speak TEXT --out FILE.wav [--locale L]\n"
            "       kiosk --preview ITEM.json --out FILE.png [--size WxH] [--theme T] [--locale L] [--images DIR]\n"
            "       kiosk --bench-frames N | --first-frame | --screen NAME | --version\n");
}

static int apply_set(config_t *cfg, const char *arg)
{
    char buf[CONFIG_STR * 2], err[512];
    snprintf(buf, sizeof buf, "%s", arg);
    char *dot = strchr(buf, '.'), *eq = strchr(buf, '=');
    if (!dot || !eq || dot > eq) {
        fprintf(stderr, "kiosk: --set %s: expected section.key=value\n", arg);
        return -1;
    }
    *dot = *eq = '\0';
    if (config_set(cfg, buf, dot + 1, eq + 1, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

static int hash_pin(void)
{
    char pin[64] = "", out[STAFF_HASH_MAX];
    if (!fgets(pin, sizeof pin, stdin)) {
        fprintf(stderr, "kiosk: --hash-pin: no PIN on standard input\n");
        return 2;
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    int rc = staff_pin_hash(pin, out);
    explicit_bzero(pin, sizeof pin);
    if (rc != 0) {
        fprintf(stderr, "kiosk: --hash-pin: the PIN must be 4 to 12 digits\n");
        return 2;
    }
    printf("pin_hash = %s\n", out);
    return 0;
}

/* Long options only ("-h" aside), taken in order: '+' stops at the first
 * word that is not an option (refused below, as any unknown option), ':'
 * reports a missing value apart from an unknown option. */
static int parse_args(int argc, char **argv, args_t *a)
{
    enum { O_CONFIG = 256, O_SET, O_TOUR, O_SIZE, O_LOCALE, O_THEME, O_BENCH, O_FIRST, O_SCREEN,
           O_HASH, O_VERSION, O_SPEAK, O_OUT, O_PREVIEW, O_IMAGES };
    static const struct option opts[] = {
        {"config", required_argument, NULL, O_CONFIG},
        {"set", required_argument, NULL, O_SET},
        {"tour", required_argument, NULL, O_TOUR},
        {"size", required_argument, NULL, O_SIZE},
        {"locale", required_argument, NULL, O_LOCALE},
        {"theme", required_argument, NULL, O_THEME},
        {"bench-frames", required_argument, NULL, O_BENCH},
        {"first-frame", no_argument, NULL, O_FIRST},
        {"screen", required_argument, NULL, O_SCREEN},
        {"hash-pin", no_argument, NULL, O_HASH},
        {"speak", required_argument, NULL, O_SPEAK},
        {"out", required_argument, NULL, O_OUT},
        {"preview", required_argument, NULL, O_PREVIEW},
        {"images", required_argument, NULL, O_IMAGES},
        {"version", no_argument, NULL, O_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        switch (c) {
        case O_CONFIG: a->config = optarg; break;
        case O_SET: a->sets[a->nsets++] = optarg; break;
        case O_TOUR: a->tour_dir = optarg; break;
        case O_SIZE: a->size = optarg; break;
        case O_LOCALE: a->locale = optarg; break;
        case O_THEME: a->theme = optarg; break;
        case O_BENCH: a->bench_frames = atoi(optarg); break;
        case O_FIRST: a->first_frame = 1; break;
        case O_SCREEN: a->screen = optarg; break;
        case O_HASH: a->hash_pin = 1; break;
        case O_SPEAK: a->speak = optarg; break;
        case O_OUT: a->out = optarg; break;
        case O_PREVIEW: a->preview = optarg; break;
        case O_IMAGES: a->images = optarg; break;
        case O_VERSION: printf("kiosk %s\n", KIOSK_VERSION); exit(0);
        case 'h': usage(stdout); exit(0);
        case ':':
            fprintf(stderr, "kiosk: %s needs a value\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "kiosk: unknown option %s\n", argv[optind - 1]);
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "kiosk: unknown option %s\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    return 0;
}

/* Applies --size/--locale/--theme (tour and bench helpers) over the config. */
static int apply_overrides(const args_t *a, config_t *cfg)
{
    char err[512];
    if (a->size) {
        int w, h;
        char ws[16], hs[16];
        if (sscanf(a->size, "%dx%d", &w, &h) != 2) {
            fprintf(stderr, "kiosk: --size %s: expected WxH, e.g. 1920x1080\n", a->size);
            return -1;
        }
        snprintf(ws, sizeof ws, "%d", w);
        snprintf(hs, sizeof hs, "%d", h);
        if (config_set(cfg, "display", "width", ws, err, sizeof err) ||
            config_set(cfg, "display", "height", hs, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    /* config_set says "--set: KEY: why"; these came as --locale/--theme. */
    if (a->locale && config_set(cfg, "ui", "locale", a->locale, err, sizeof err)) {
        fprintf(stderr, "kiosk: --locale: %s\n", strstr(err, ": locale: ") ? strstr(err, ": locale: ") + 10 : err);
        return -1;
    }
    if (a->theme && config_set(cfg, "ui", "theme", a->theme, err, sizeof err)) {
        fprintf(stderr, "kiosk: --theme: %s\n", strstr(err, ": theme: ") ? strstr(err, ": theme: ") + 9 : err);
        return -1;
    }
    return 0;
}

/* --speak TEXT --out FILE.wav: exit 0, 1 when the speech cannot be made,
 * 2 for a usage error. */
static int speak_to_file(const args_t *a, const config_t *cfg)
{
    if (!a->speak || !a->out) {
        fprintf(stderr, "kiosk: --speak and --out go together: --speak TEXT --out FILE.wav\n");
        return 2;
    }
    char err[300];
    size_t n = 0;
    if (wav_speak(cfg->locale, a->speak, cfg->voice_rate, a->out, &n, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --speak: %s\n", err);
        return 1;
    }
    printf("%s: %zu samples\n", a->out, n);
    return 0;
}

int main(int argc, char **argv)
{
    const char *sets[argc > 0 ? argc : 1];
    args_t a = {.sets = sets};
    config_t cfg;
    char err[512];
    /* Everything the kiosk creates (database, outbox key, receipts, content)
     * holds residents' data or protects it: its user's alone, 0600, also
     * when started by hand rather than by its unit (UMask=0077). */
    umask(077);
    config_defaults(&cfg);
    if (parse_args(argc, argv, &a) != 0) return 2;
    if (a.hash_pin) return hash_pin();

    const char *path = a.config ? a.config : paths.kiosk_config;
    if (config_load(&cfg, path, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    for (int i = 0; i < a.nsets; i++)
        if (apply_set(&cfg, a.sets[i]) != 0) return 2;
    if (apply_overrides(&a, &cfg) != 0) return 2;
    if (a.images && !a.preview) {
        fprintf(stderr, "kiosk: --images goes with --preview ITEM.json\n");
        return 2;
    }
    if (a.preview) {
        preview_opts_t po = {a.preview, a.out, a.images, a.locale != NULL};
        if (strcmp(cfg.log_level, "debug") != 0) log_set_level(LOG_WARN);   /* the report alone on stdout */
        return preview_run(&cfg, &po);
    }
    if (a.speak || a.out) return speak_to_file(&a, &cfg);
    if (config_check(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: [hub] %s\n", err);
        return 2;
    }
    if (!strcmp(cfg.log_level, "debug")) log_set_level(LOG_DEBUG);
    else if (!strcmp(cfg.log_level, "warn")) log_set_level(LOG_WARN);
    else if (!strcmp(cfg.log_level, "error")) log_set_level(LOG_ERROR);

    bool offscreen = a.tour_dir || a.bench_frames > 0;
    if (offscreen) {
        /* Pictures and figures must not depend on the moment they are made. */
        clock_fake_set(1000000, 1795915800);    /* 2026-11-29 09:30 China time */
        if (!getenv("SDL_VIDEODRIVER")) setenv("SDL_VIDEODRIVER", "dummy", 1);
    }
    app_t *app = calloc(1, sizeof *app);
    if (!app) return 1;
    app_opts_t opts = {.offscreen = offscreen, .config_path = path};
    if (app_init(app, &cfg, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: %s\n", err);
        app_free(app);
        free(app);
        return 1;
    }
    int rc = a.screen ? tour_show(app, a.screen) : 0;
    if (rc == TOUR_BAD_DATA) {          /* the file and what is wrong are logged */
        app_free(app);
        free(app);
        return 1;
    }
    if (rc != 0) {
        /* One line, in one write like the logger's, even while the workers log. */
        char msg[2048];
        size_t n = (size_t)snprintf(msg, sizeof msg, "kiosk: --screen %s: no such screen (one of:", a.screen);
        for (int i = 0; tour_states[i] && n < sizeof msg; i++)
            n += (size_t)snprintf(msg + n, sizeof msg - n, " %s", tour_states[i]);
        if (n < sizeof msg) snprintf(msg + n, sizeof msg - n, ")");
        fprintf(stderr, "%s\n", msg);
        app_free(app);
        free(app);
        return 2;
    }
    if (a.tour_dir) {
        rc = tour_run(app, a.tour_dir) ? 1 : 0;
    } else if (a.bench_frames > 0) {
        rc = bench_frames(app, a.bench_frames) != 0 ? 1 : 0;
        if (rc == 0) printf("pss_kb %ld\n", bench_pss_kb());
    } else if (a.first_frame) {
        app_draw(app);
        /* KIOSK_T0_NS: the launcher's CLOCK_REALTIME just before exec. */
        const char *t0 = getenv("KIOSK_T0_NS");
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        if (t0) {
            double ms = ((double)ts.tv_sec * 1e9 + ts.tv_nsec - strtod(t0, NULL)) / 1e6;
            printf("first_frame_ms %.1f\n", ms);
        }
        printf("pss_kb %ld\n", bench_pss_kb());
    } else {
        log_info("app", "kiosk %s started (%s mode)", KIOSK_VERSION,
                 cfg.mode == MODE_STREET ? "street" : "hall");
        app_run(app);
    }
    bool restart = app->restart;
    app_free(app);
    free(app);
    if (restart) {
        /* Staff asked for a restart: the same program, the same arguments. */
        log_info("app", "restarting");
        execv("/proc/self/exe", argv);
        fprintf(stderr, "kiosk: cannot restart: %s\n", strerror(errno));
        return 1;
    }
    return rc;
}
