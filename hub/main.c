/* build/hub: the platform API server kiosks talk to.
 *
 *   hub [--config hub.ini] [--listen ADDR] [--port N] [--db PATH] [--demo]
 *       [--demo-dir DIR] [--threads N] [--max-connections N] [--timeout S] [--port-file F]
 *       [--content-key HEX]...    a public key content bundles are signed with
 *       [--key-file F]            the personal-data key (default: the database + ".key")
 *       [--now TIME]                  demo only: the hub's clock starts at TIME
 *   hub device add ID [--db PATH] [--out FILE] [--community NAME]
 *                                     enrol a kiosk; prints its token once, or
 *                                     writes it to a new FILE (mode 0600) only
 *   hub device revoke ID [--db PATH]
 *   hub staff add|revoke NAME [--db PATH] [--out FILE]
 *                                     a staff member's token (content, fleet)
 *   hub rescode issue|revoke ...      community resident codes (rescodes_cli.c)
 *   hub staff add NAME --role admin|publisher|editor|viewer [--groups g1,g2]
 *   hub staff passwd NAME             a console account; password on stdin or prompted
 *   hub signer --key FILE --socket PATH   the content signer (a process of its own)
 *
 * Stops cleanly on SIGTERM/SIGINT. Exit status 2 for usage/config errors. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <ini.h>
#include <signal.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api.h"
#include "auth.h"
#include "billing.h"
#include "console_api.h"
#include "db.h"
#include "demo_token.h"
#include "policy.h"
#include "log.h"
#include "paths.h"
#include "pay.h"
#include "pii.h"
#include "rescodes.h"
#include "reconcile.h"
#include "retention.h"
#include "scope.h"
#include "server.h"
#include "writeoff.h"
#include "signer.h"
#include "staff.h"
#include "staff_cli.h"


/* The demo resident the README names (hub/demo/bills.sql). */
#define DEMO_RESIDENT_ID "370203196803120315"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: hub [--config FILE] [--listen ADDR] [--port N] [--db PATH] [--demo]\n"
                "           [--demo-dir DIR] [--threads N] [--max-connections N] [--timeout S] [--port-file F]\n"
                "           [--content-key HEX]... (content bundles' Ed25519 public keys)\n"
                "           [--key-file F] (personal-data key; default DB.key, created 0600)\n"
                "           [--demo-token-file F] (with --demo: the demo device's token; default\n"
                "                           DB.demo-token, made random once per database)\n"
                "           [--now TIME]   (with --demo: start the clock at TIME, unix seconds\n"
                "                           or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], default zone +08:00)\n"
                "       hub device add|revoke ID [--db PATH] [--config F] [--key-file F] [--out FILE]\n"
                "                [--community NAME]   (add: the kiosk sees only residents' accounts of\n"
                "                                      NAME or of no community; none: every account)\n"
                "       hub staff add|revoke NAME [--db PATH] [--config F] [--key-file F] [--out FILE]\n"
                "       hub rescode issue (--resident N | --id-file F) [--days D] [--out FILE[.svg]] [--db PATH]\n"
                "       hub rescode revoke CODE [--db PATH]   (community resident codes)\n"
                "       (--out: the token goes to a new FILE, mode 0600, not to the terminal)\n"
                "       hub reconcile --date YYYY-MM-DD [--json] [--config F] [--db PATH] [--key-file F]\n"
                "       (the payment provider's statement of the day against the hub's orders and\n"
                "        write-offs: exit 0 all agree, 3 mismatches listed, 1 cannot tell)\n"
                "       hub staff add NAME --role admin|publisher|editor|viewer [--groups g1,g2] [--db PATH]\n"
                "       hub staff passwd NAME [--db PATH]  (console accounts; password on stdin or prompted)\n"
                "       hub signer --key FILE --socket PATH  (signs the console's content bundles)\n"
                "       (--out: the token goes to a new FILE, mode 0600, not to the terminal)\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

/* Adds the public keys of LIST (64 hex digits each, separated by commas or
 * spaces) to CFG. -1 if one is malformed or there are too many. */
static int add_content_keys(hub_config_t *cfg, const char *list)
{
    const char *p = list;
    for (;;) {
        p += strspn(p, ", \t");
        if (!*p) return 0;
        size_t n = strcspn(p, ", \t");
        if (n != 64 || cfg->n_content_keys >= HUB_MAX_CONTENT_KEYS) return -1;
        for (size_t i = 0; i < n; i++)
            if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f') || (p[i] >= 'A' && p[i] <= 'F')))
                return -1;
        snprintf(cfg->content_keys[cfg->n_content_keys++], 65, "%.64s", p);
        p += n;
    }
}

/* The personal-data key file (hub.ini key_file, --key-file); "" = the
 * database's path + ".key". */
static char key_file[512];
/* The demo device's token file (demo_token.h); "" = the database's path + ".demo-token". */
static char demo_token_file[512];

typedef struct { hub_config_t *cfg; char err[300]; } ini_ctx_t;

static int on_ini(void *user, const char *section, const char *name, const char *value);

/* Reads hub.ini FILE into CFG; 0, or 2 after printing the error. */
static int read_ini(const char *file, hub_config_t *cfg)
{
    ini_ctx_t c = {.cfg = cfg};
    int line = ini_parse(file, on_ini, &c);
    if (line == 0) return 0;
    if (line < 0) fprintf(stderr, "hub: %s: cannot open\n", file);
    else fprintf(stderr, "%s:%d: %s\n", file, line, c.err[0] ? c.err : "syntax error");
    return 2;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx_t *c = user;
    hub_config_t *cfg = c->cfg;
    if (!strcmp(section, "billing")) {
        if (billing_config_key(name, value) == 0) return 1;
        snprintf(c->err, sizeof c->err, "[billing] %s: unknown key or bad value \"%s\"", name, value);
        return 0;
    }
    if (!strcmp(section, "payment")) {
        if (pay_config_key(name, value) == 0) return 1;
        snprintf(c->err, sizeof c->err, "[payment] %s: unknown key or bad value \"%s\"", name, value);
        return 0;
    }
    if (!strcmp(section, "console")) return console_ini(cfg, name, value, c->err, sizeof c->err);
    if (strcmp(section, "hub") != 0) return policy_ini(cfg, section, name, value, c->err, sizeof c->err);
    int ok = 0;
    if (!strcmp(name, "listen")) ok = snprintf(cfg->listen_addr, sizeof cfg->listen_addr, "%s", value) < (int)sizeof cfg->listen_addr;
    else if (!strcmp(name, "db")) ok = snprintf(cfg->db_path, sizeof cfg->db_path, "%s", value) < (int)sizeof cfg->db_path;
    else if (!strcmp(name, "demo_dir")) ok = demo_set_dir(value) == 0;
    else if (!strcmp(name, "port")) ok = parse_int(value, 0, 65535, &cfg->port) == 0;
    else if (!strcmp(name, "threads")) ok = parse_int(value, 1, 64, &cfg->threads) == 0;
    else if (!strcmp(name, "max_connections")) ok = parse_int(value, 1, 100000, &cfg->max_connections) == 0;
    else if (!strcmp(name, "timeout")) ok = parse_int(value, 1, 3600, &cfg->conn_timeout_s) == 0;
    else if (!strcmp(name, "content_keys")) ok = add_content_keys(cfg, value) == 0;
    else if (!strcmp(name, "rescode_key_file")) ok = value[0] && rescodes_set_key_file(value) == 0;
    else if (!strcmp(name, "demo_token_file")) ok = value[0] && snprintf(demo_token_file, sizeof demo_token_file, "%s", value) < (int)sizeof demo_token_file;
    else if (!strcmp(name, "key_file")) ok = value[0] && snprintf(key_file, sizeof key_file, "%s", value) < (int)sizeof key_file;
    else if (!strcmp(name, "retain_bookings_days")) ok = parse_int(value, 1, 36500, &cfg->retain_bookings_days) == 0;
    else if (!strcmp(name, "retain_registrations_days")) ok = parse_int(value, 1, 36500, &cfg->retain_registrations_days) == 0;
    else if (!strcmp(name, "retain_help_days")) ok = parse_int(value, 1, 36500, &cfg->retain_help_days) == 0;
    else if (!strcmp(name, "retain_audit_days")) ok = parse_int(value, 1, 36500, &cfg->retain_audit_days) == 0;
    else if (!strcmp(name, "retain_alerts_days")) ok = parse_int(value, 1, 36500, &cfg->retain_alerts_days) == 0;
    else if (!strcmp(name, "retain_idempotency_hours")) ok = parse_int(value, 24, 876000, &cfg->retain_idempotency_hours) == 0;
    else if (!strcmp(name, "demo")) {
        ok = !strcmp(value, "true") || !strcmp(value, "false");
        cfg->demo = !strcmp(value, "true");
    } else {
        snprintf(c->err, sizeof c->err, "%s: unknown key", name);
        return 0;
    }
    if (!ok) snprintf(c->err, sizeof c->err, "%s: bad value \"%s\"", name, value);
    return ok;
}


static int device_cmd(int argc, char **argv, hub_config_t *cfg)
{
    if (argc < 4) { usage(stderr); return 2; }
    /* hub device|staff VERB ID [--db PATH]: options after the ID. */
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"key-file", required_argument, NULL, 'k'},
                                         {"community", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    const char *out = NULL, *community = NULL;
    int o, sub_argc = argc - 3;
    char **sub_argv = argv + 3;          /* sub_argv[0] (the ID) is skipped like a program name */
    opterr = 0;
    optind = 1;
    while ((o = getopt_long(sub_argc, sub_argv, "", opts, NULL)) != -1) {
        if (o == 'o') {
            out = optarg;
            continue;
        }
        if (o == 'c') {
            if (read_ini(optarg, cfg) != 0) return 2;
            continue;
        }
        if (o == 'k') {
            snprintf(key_file, sizeof key_file, "%s", optarg);
            continue;
        }
        if (o == 'm') {
            community = optarg;
            continue;
        }
        if (o != 'd') {
            fprintf(stderr, "hub: %s %s: unknown option or missing value: %s\n", argv[1], argv[2],
                    sub_argv[optind - 1]);
            return 2;
        }
        snprintf(cfg->db_path, sizeof cfg->db_path, "%s", optarg);
    }
    if (optind < sub_argc) {
        fprintf(stderr, "hub: unexpected argument %s\n", sub_argv[optind]);
        return 2;
    }
    if (community && (strcmp(argv[1], "device") != 0 || strcmp(argv[2], "add") != 0)) {
        fprintf(stderr, "hub: --community is for hub device add\n");
        return 2;
    }
    if (community && !scope_community_valid(community)) {
        fprintf(stderr, "hub: --community must be 1-63 of a-z 0-9 - _\n");
        return 2;
    }
    char err[600], token[AUTH_TOKEN_MAX];
    int out_fd = -1;
    db_set_key_file(key_file);
    if (out) {
        if (strcmp(argv[2], "add") != 0) { usage(stderr); return 2; }
        /* Created here, before the token exists: never over another file, and
         * readable by this user only from the first byte. */
        out_fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (out_fd < 0) {
            fprintf(stderr, "hub: --out %s: %s\n", out, strerror(errno));
            return 1;
        }
    }
    if (db_init(cfg->db_path, err, sizeof err) != 0) {
        fprintf(stderr, "hub: %s\n", err);
        if (out_fd >= 0) { close(out_fd); unlink(out); }
        return 1;
    }
    int rc = 2;
    bool staff = !strcmp(argv[1], "staff");
    if (!strcmp(argv[2], "add")) {
        /* A new token without --community keeps the kiosk's community: a
         * token rotation must not widen what the kiosk sees. */
        if ((staff ? auth_staff_add : auth_device_add)(db_thread(), argv[3], token, sizeof token) == 0 &&
            (!community || scope_set_community(db_thread(), argv[3], community) == 0)) {
            if (out_fd >= 0) {
                /* In the file only: a terminal's scrollback or a log is no place for it. */
                size_t n = strlen(token);
                token[n] = '\n';
                bool ok = write(out_fd, token, n + 1) == (ssize_t)(n + 1) && fsync(out_fd) == 0;
                rc = ok ? 0 : 1;
                if (!ok) fprintf(stderr, "hub: --out %s: %s\n", out, strerror(errno));
            } else {
                printf("%s\n", token);
                rc = 0;
            }
            sodium_memzero(token, sizeof token);
        } else {
            fprintf(stderr, "hub: %s must be 1-63 of A-Z a-z 0-9 - _ (and not taken by a %s)\n",
                    staff ? "a staff name" : "a device id", staff ? "kiosk" : "staff member");
        }
    } else if (!strcmp(argv[2], "revoke")) {
        rc = auth_device_revoke(db_thread(), argv[3]) == 0 ? 0 : 1;
        if (rc) fprintf(stderr, "hub: no device %s\n", argv[3]);
    } else {
        usage(stderr);
    }
    if (out_fd >= 0) {
        close(out_fd);
        if (rc != 0) unlink(out);
    }
    db_close_all();
    return rc;
}

/* hub reconcile --date YYYY-MM-DD [--json] [--config F] [--db PATH] [--key-file F]:
 * exit 0 when the statement and the hub agree, 3 with mismatches (listed),
 * 1 when it cannot tell (no provider, no statement), 2 on a usage error. */
static int reconcile_cmd(int argc, char **argv, hub_config_t *cfg)
{
    static const struct option opts[] = {{"date", required_argument, NULL, 't'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"key-file", required_argument, NULL, 'k'}, {NULL, 0, NULL, 0}};
    const char *date = NULL;
    bool json = false;
    int o;
    opterr = 0;
    optind = 1;
    while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
        if (o == 't') date = optarg;
        else if (o == 'j') json = true;
        else if (o == 'd') snprintf(cfg->db_path, sizeof cfg->db_path, "%s", optarg);
        else if (o == 'k') snprintf(key_file, sizeof key_file, "%s", optarg);
        else if (o == 'c') {
            if (read_ini(optarg, cfg) != 0) return 2;
        } else {
            fprintf(stderr, "hub: reconcile: unknown option or missing value: %s\n", argv[optind]);
            return 2;
        }
    }
    if (!date || optind < argc - 1) {
        fprintf(stderr, "usage: hub reconcile --date YYYY-MM-DD [--json] [--config F] [--db PATH] [--key-file F]\n");
        return 2;
    }
    char err[600];
    db_set_key_file(key_file);
    if (pay_init(false, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 1; }
    if (db_init(cfg->db_path, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 1; }
    int n = reconcile_run(db_thread(), date, json, stdout, err, sizeof err);
    db_close_all();
    if (n < 0) {
        fprintf(stderr, "hub: reconcile: %s\n", err);
        return 1;
    }
    return n ? 3 : 0;
}

enum { OPT_CONFIG = 256, OPT_LISTEN, OPT_PORT, OPT_DB, OPT_DEMO, OPT_THREADS, OPT_MAXCONN,
       OPT_TIMEOUT, OPT_PORTFILE, OPT_NOW, OPT_DEMODIR, OPT_CONTENTKEY, OPT_KEYFILE, OPT_DEMOTOKEN, OPT_HELP };

int main(int argc, char **argv)
{
    hub_config_t cfg = {.listen_addr = "127.0.0.1", .port = 8470,
                        .threads = 4, .max_connections = 1000, .conn_timeout_s = 10};
    const char *port_file = NULL, *now_arg = NULL;
    snprintf(cfg.db_path, sizeof cfg.db_path, "%s", paths.hub_db);
    /* Everything the hub creates (database, -wal, -shm, key file, port
     * file, token files) is this service user's alone. */
    umask(077);
    if (argc >= 2 && !strcmp(argv[1], "signer")) return signer_main(argc, argv);
    if (staff_cli_wants(argc, argv)) return staff_cli_run(argc, argv, &cfg, read_ini, key_file[0] ? key_file : NULL);
    if (argc >= 2 && (!strcmp(argv[1], "device") || !strcmp(argv[1], "staff")))
        return device_cmd(argc, argv, &cfg);
    if (argc >= 2 && !strcmp(argv[1], "rescode"))
        return rescodes_cli(argc, argv, &cfg, read_ini, key_file, sizeof key_file);
    if (argc >= 2 && !strcmp(argv[1], "reconcile")) return reconcile_cmd(argc, argv, &cfg);
    static const struct option opts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"port", required_argument, NULL, OPT_PORT},
        {"db", required_argument, NULL, OPT_DB},
        {"demo", no_argument, NULL, OPT_DEMO},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"max-connections", required_argument, NULL, OPT_MAXCONN},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"port-file", required_argument, NULL, OPT_PORTFILE},
        {"now", required_argument, NULL, OPT_NOW},
        {"demo-dir", required_argument, NULL, OPT_DEMODIR},
        {"content-key", required_argument, NULL, OPT_CONTENTKEY},
        {"key-file", required_argument, NULL, OPT_KEYFILE},
        {"demo-token-file", required_argument, NULL, OPT_DEMOTOKEN},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;                          /* our own messages, below */
    int o, li = -1;
    while ((o = getopt_long(argc, argv, "", opts, &li)) != -1) {
        const char *v = optarg;
        int bad = 0;
        switch (o) {
        case OPT_DEMO: cfg.demo = true; break;
        case OPT_HELP: usage(stdout); return 0;
        case OPT_CONFIG:
            if (read_ini(v, &cfg) != 0) return 2;
            break;
        case OPT_KEYFILE: bad = !v[0] || snprintf(key_file, sizeof key_file, "%s", v) >= (int)sizeof key_file; break;
        case OPT_DEMOTOKEN: bad = !v[0] || snprintf(demo_token_file, sizeof demo_token_file, "%s", v) >= (int)sizeof demo_token_file; break;
        case OPT_LISTEN: snprintf(cfg.listen_addr, sizeof cfg.listen_addr, "%s", v); break;
        case OPT_DB: snprintf(cfg.db_path, sizeof cfg.db_path, "%s", v); break;
        case OPT_PORT: bad = parse_int(v, 0, 65535, &cfg.port); break;
        case OPT_THREADS: bad = parse_int(v, 1, 64, &cfg.threads); break;
        case OPT_MAXCONN: bad = parse_int(v, 1, 100000, &cfg.max_connections); break;
        case OPT_TIMEOUT: bad = parse_int(v, 1, 3600, &cfg.conn_timeout_s); break;
        case OPT_PORTFILE: port_file = v; break;
        case OPT_NOW: now_arg = v; break;
        case OPT_DEMODIR: bad = demo_set_dir(v); break;
        case OPT_CONTENTKEY: bad = add_content_keys(&cfg, v); break;
        case ':':
            fprintf(stderr, "hub: %s needs a value\n", argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "hub: unknown option %s\n", argv[optind - 1]);
            usage(stderr);
            return 2;
        }
        if (bad) { fprintf(stderr, "hub: --%s: bad value \"%s\"\n", opts[li].name, v); return 2; }
        li = -1;
    }
    if (optind < argc) {
        fprintf(stderr, "hub: unexpected argument %s\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (now_arg) {
        /* Starting the clock elsewhere is for demonstrations and tests: a
         * real hub keeps money and expiry on the machine's clock. */
        int64_t t;
        if (!cfg.demo) {
            fprintf(stderr, "hub: --now is only for a demo hub (add --demo)\n");
            return 2;
        }
        if (hub_clock_parse(now_arg, &t) != 0) {
            fprintf(stderr, "hub: --now: bad value \"%s\" (unix seconds, or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM])\n",
                    now_arg);
            return 2;
        }
        hub_clock_anchor(t);
    }

    char err[600] = "", admin_file[520] = "";
    db_set_key_file(key_file);
    if (pay_init(cfg.demo, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 2; }
    if (billing_init(err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 2; }
    if (db_init(cfg.db_path, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 1; }
    if (cfg.demo) {
        sqlite3 *db = db_thread();
        char tf[sizeof demo_token_file + 16];
        if (demo_token_file[0]) snprintf(tf, sizeof tf, "%s", demo_token_file);
        else snprintf(tf, sizeof tf, "%.500s.demo-token", cfg.db_path);
        snprintf(admin_file, sizeof admin_file, "%.500s.demo-admin", cfg.db_path);
        if (demo_token_setup(db, tf, err, sizeof err) != 0) {
            fprintf(stderr, "hub: %s\n", err);
            return 1;
        }
        /* The demo's SQL files hold names and ID numbers in clear: sealed and
         * hashed right after they are read. */
        if (demo_seed_bills(db) != 0 ||
            demo_seed_housekeeping(db, hub_now()) != 0 || demo_seed_content(db, hub_now()) != 0 ||
            staff_demo_seed(db, hub_now(), admin_file, err, sizeof err) != 0 ||
            pii_protect_all(db) != SQLITE_OK) {
            /* A demo file's own fault is printed above it, with file and line. */
            if (err[0])
                fprintf(stderr, "hub: cannot seed the demo data: %s\n", err);
            else if (sqlite3_errcode(db) != SQLITE_OK)
                fprintf(stderr, "hub: cannot seed the demo data: %s\n", sqlite3_errmsg(db));
            else
                fprintf(stderr, "hub: cannot seed the demo data (see above)\n");
            return 1;
        }
        /* The demo resident of the README gets a resident code to try. */
        if (rescodes_demo(db, cfg.db_path, DEMO_RESIDENT_ID) != 0)
            hub_log("main", "demo: no resident code for the demo resident");
    } else if (demo_database_refuse(db_thread(), cfg.db_path, err, sizeof err) != 0) {
        fprintf(stderr, "hub: %s\n", err);
        db_close_all();
        return 1;
    }
    /* SIGTERM and SIGINT are blocked in every thread (the server's, the
     * workers', all started below inherit the mask) and taken by the main
     * thread alone with sigwait: a stop signal delivered to a worker thread,
     * or arriving just before the main thread waits, would otherwise be lost
     * and the hub never stop. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    signal(SIGPIPE, SIG_IGN);

    hub_t *hub = hub_start(&cfg, err, sizeof err);
    if (!hub) { fprintf(stderr, "hub: %s\n", err); db_close_all(); return 1; }
    pay_notify_t *notify = NULL;
    if (pay_provider() && pay_notify_port() > 0 &&
        !(notify = pay_notify_start(pay_notify_listen(), pay_notify_port(), err, sizeof err))) {
        fprintf(stderr, "hub: %s\n", err);
        hub_stop(hub);
        db_close_all();
        return 1;
    }
    retention_t *retention = retention_start(&cfg);
    writeoff_worker_t *writeoffs = writeoff_start();
    if (!writeoffs) hub_log("main", "the write-off worker cannot start; paid bills wait in the queue");
    if (!retention) hub_log("main", "the retention pass cannot start; old records stay until the next start");
    hub_log("main", "listening on http://%s:%d/v1 (%s, payment provider %s, billing system %s)",
            cfg.listen_addr, hub_port(hub), cfg.demo ? "demo data" : "no demo", pay_describe(cfg.demo),
            billing_system()->name);
    if (cfg.demo)
        hub_log("main", "staff console: %s://%s:%d/console/ (demo sign-in: %s, password in %s)",
                cfg.tls_cert[0] ? "https" : "http", cfg.listen_addr, hub_port(hub), STAFF_DEMO_NAME, admin_file);
    else
        hub_log("main", "staff console: %s://%s:%d/console/ (accounts: hub staff add NAME --role admin)",
                cfg.tls_cert[0] ? "https" : "http", cfg.listen_addr, hub_port(hub));
    if (port_file) {
        FILE *fp = fopen(port_file, "w");
        if (fp) { fprintf(fp, "%d\n", hub_port(hub)); fclose(fp); }
    }
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0)
        ;
    hub_log("main", "stopping (signal %d)", sig);
    pay_notify_stop(notify);
    writeoff_stop(writeoffs);
    retention_stop(retention);
    hub_stop(hub);
    db_close_all();
    return 0;
}
