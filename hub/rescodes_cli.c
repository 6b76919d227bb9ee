/* build/hub rescode: staff issue and revoke community resident codes from
 * the hub's machine (rescodes.h).
 *
 *   hub rescode issue (--resident N | --id-file F) [--days D] [--out FILE]
 *   hub rescode revoke CODE
 *   (both also take --db PATH, --config F, --key-file F)
 *
 * The ID number is read from a file (or "-": standard input), never from the
 * command line, which every user of the machine can read. --out writes a
 * new file (mode 0600): FILE.svg gets the QR code as a picture to print,
 * any other name the payload as one line of text. Without --out the
 * payload goes to standard output. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "db.h"
#include "log.h"
#include "rescodes.h"

#define QR_MODULE_PX 8
#define QR_QUIET 4                       /* modules of white around the code */

static int cli_usage(void)
{
    fprintf(stderr, "usage: hub rescode issue (--resident N | --id-file F) [--days D] [--out FILE[.svg]]\n"
                    "       hub rescode revoke CODE\n"
                    "       (and --db PATH, --config F, --key-file F)\n");
    return 2;
}

/* The ID number in FILE ("-": stdin), first line, into OUT. 0 or -1. */
static int read_id_file(const char *file, char out[32])
{
    FILE *fp = strcmp(file, "-") ? fopen(file, "r") : stdin;
    if (!fp) {
        fprintf(stderr, "hub: --id-file %s: %s\n", file, strerror(errno));
        return -1;
    }
    char line[64] = "";
    bool ok = fgets(line, sizeof line, fp) != NULL;
    if (fp != stdin) fclose(fp);
    line[strcspn(line, "\r\n")] = '\0';
    size_t n = strlen(line);
    ok = ok && n < 32;
    if (ok) memcpy(out, line, n + 1);
    sodium_memzero(line, sizeof line);
    if (!ok) fprintf(stderr, "hub: --id-file %s: no ID number on its first line\n", file);
    return ok ? 0 : -1;
}

/* PAYLOAD as an SVG QR code (QR alphanumeric mode: the payload is upper
 * case, digits and ':'), level M. 0 or -1. */
static int write_svg(FILE *fp, const char *payload)
{
    QRcode *q = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return -1;
    int size = (q->width + 2 * QR_QUIET) * QR_MODULE_PX;
    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
            size, size, q->width + 2 * QR_QUIET, q->width + 2 * QR_QUIET);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (q->data[y * q->width + x] & 1) fprintf(fp, "M%d %dh1v1h-1z", x + QR_QUIET, y + QR_QUIET);
    fprintf(fp, "\"/>\n</svg>\n");
    QRcode_free(q);
    return 0;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && !strcmp(s + n - t, tail);
}

/* Writes PAYLOAD to OUT_FD (OUT names it) or stdout. 0 or -1. */
static int put_payload(int out_fd, const char *out, const char *payload)
{
    if (out_fd < 0) {
        printf("%s\n", payload);
        return 0;
    }
    FILE *fp = fdopen(dup(out_fd), "w");
    if (!fp) return -1;
    int rc = ends_with(out, ".svg") ? write_svg(fp, payload) : (fprintf(fp, "%s\n", payload) < 0 ? -1 : 0);
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) rc = -1;
    fclose(fp);
    return rc;
}

static int issue(long long resident, const char *id_file, int days, int out_fd, const char *out)
{
    sqlite3 *db = db_thread();
    if (id_file) {
        char idn[32];
        if (read_id_file(id_file, idn) != 0) return 1;
        resident = rescodes_resident_by_id_number(db, idn);
        sodium_memzero(idn, sizeof idn);
        if (resident < 0) {
            fprintf(stderr, "hub: cannot read the residents\n");
            return 1;
        }
    }
    rescode_t r;
    char payload[RESCODE_MAX + 1];
    int rc = resident > 0 ? rescodes_issue(db, resident, hub_now(), days, "cli", &r, payload) : 1;
    if (rc == 1) {
        fprintf(stderr, "hub: no such resident (a valid ID number of a registered resident, or --resident N)\n");
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "hub: cannot issue the code\n");
        return 1;
    }
    if (put_payload(out_fd, out, payload) != 0) {
        fprintf(stderr, "hub: --out %s: cannot write the code\n", out);
        rescodes_revoke(db, r.code, hub_now());         /* never a code nobody holds */
        sodium_memzero(payload, sizeof payload);
        return 1;
    }
    sodium_memzero(payload, sizeof payload);
    char until[32];
    time_t t = (time_t)r.expires;
    struct tm tm;
    strftime(until, sizeof until, "%Y-%m-%d %H:%M UTC", gmtime_r(&t, &tm));
    fprintf(stderr, "hub: code %s for resident %s, valid until %s; earlier codes of the resident no longer work\n",
            r.code, r.resident, until);
    return 0;
}

int rescodes_cli(int argc, char **argv, hub_config_t *cfg, int (*read_ini)(const char *, hub_config_t *),
                 char *key_file, size_t key_file_len)
{
    if (argc < 3 || (strcmp(argv[2], "issue") && strcmp(argv[2], "revoke"))) return cli_usage();
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"config", required_argument, NULL, 'c'},
        {"key-file", required_argument, NULL, 'k'}, {"resident", required_argument, NULL, 'r'},
        {"id-file", required_argument, NULL, 'i'},  {"days", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},      {NULL, 0, NULL, 0}};
    long long resident = 0;
    int days = RESCODES_DAYS;
    const char *id_file = NULL, *out = NULL;
    int o, sub_argc = argc - 2;
    char **sub_argv = argv + 2;              /* the verb is skipped like a program name */
    opterr = 0;
    optind = 1;
    while ((o = getopt_long(sub_argc, sub_argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        switch (o) {
        case 'd': snprintf(cfg->db_path, sizeof cfg->db_path, "%s", optarg); break;
        case 'c': if (read_ini(optarg, cfg) != 0) return 2; break;
        case 'k': snprintf(key_file, key_file_len, "%s", optarg); break;
        case 'i': id_file = optarg; break;
        case 'o': out = optarg; break;
        case 'r':
            resident = strtoll(optarg, &end, 10);
            if (!*optarg || *end || resident <= 0) return fprintf(stderr, "hub: --resident: a number\n"), 2;
            break;
        case 'n':
            days = (int)strtol(optarg, &end, 10);
            if (!*optarg || *end || days < 1 || days > RESCODES_MAX_DAYS)
                return fprintf(stderr, "hub: --days: 1-%d\n", RESCODES_MAX_DAYS), 2;
            break;
        default:
            fprintf(stderr, "hub: rescode %s: unknown option or missing value: %s\n", argv[2], sub_argv[optind - 1]);
            return 2;
        }
    }
    bool revoke = !strcmp(argv[2], "revoke");
    if (revoke ? (optind != sub_argc - 1 || resident || id_file || out)
               : (optind != sub_argc || !resident == !id_file))
        return cli_usage();

    int out_fd = -1;
    if (out) {
        /* Created first, never over another file, this user's alone. */
        out_fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out_fd < 0) {
            fprintf(stderr, "hub: --out %s: %s\n", out, strerror(errno));
            return 1;
        }
    }
    char err[600];
    int rc = 1;
    db_set_key_file(key_file);
    if (db_init(cfg->db_path, err, sizeof err) != 0) {
        fprintf(stderr, "hub: %s\n", err);
    } else if (revoke) {
        rc = rescodes_revoke(db_thread(), sub_argv[optind], hub_now());
        if (rc > 0) fprintf(stderr, "hub: no live resident code %s\n", sub_argv[optind]);
        if (rc < 0) fprintf(stderr, "hub: cannot revoke the code\n");
        rc = rc != 0;
    } else {
        rc = issue(resident, id_file, days, out_fd, out);
    }
    if (out_fd >= 0) {
        close(out_fd);
        if (rc != 0) unlink(out);
    }
    db_close_all();
    return rc;
}

/* Writes PAYLOAD to the new file PATH (0600, replaced if there). 0 or -1. */
static int write_file(const char *path, const char *payload)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    int rc = put_payload(fd, path, payload);
    close(fd);
    return rc;
}

int rescodes_demo(sqlite3 *db, const char *db_path, const char *id_number)
{
    char base[600], txt[620], svg[620];
    snprintf(base, sizeof base, "%s", db_path);
    char *slash = strrchr(base, '/');
    if (slash) slash[1] = '\0';
    else base[0] = '\0';
    snprintf(txt, sizeof txt, "%sdemo-rescode.txt", base);
    snprintf(svg, sizeof svg, "%sdemo-rescode.svg", base);
    /* Once per database: a restarted demo hub keeps the code it printed. */
    if (db_int(db, "SELECT count(*) FROM rescodes", NULL, -1) != 0 && access(txt, R_OK) == 0) return 0;
    long long resident = rescodes_resident_by_id_number(db, id_number);
    rescode_t r;
    char payload[RESCODE_MAX + 1];
    if (resident <= 0 || rescodes_issue(db, resident, hub_now(), RESCODES_DAYS, "demo", &r, payload) != 0)
        return -1;
    int rc = write_file(txt, payload) == 0 && write_file(svg, payload) == 0 ? 0 : -1;
    sodium_memzero(payload, sizeof payload);
    if (rc == 0)
        hub_log("demo", "the demo resident's community code is in %s (a QR code to show the "
                        "kiosk's scanner: %s); build/hub rescode issue makes others", txt, svg);
    return rc;
}
