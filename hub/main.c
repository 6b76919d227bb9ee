/* build/hub: the platform API server kiosks talk to.
 *
 *   hub [--config hub.ini] [--listen ADDR] [--port N] [--db PATH] [--demo]
 *       [--demo-dir DIR] [--threads N] [--max-connections N] [--timeout S] [--port-file F]
 *       [--now TIME]                  demo only: the hub's clock starts at TIME
 *   hub device add ID [--db PATH]       enrol a kiosk; prints its token once
 *   hub device revoke ID [--db PATH]
 *   hub staff add|revoke NAME [--db PATH] a staff member's token (content, fleet)
 *
 * Stops cleanly on SIGTERM/SIGINT. Exit status 2 for usage/config errors. */
#include <getopt.h>
#include <ini.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "auth.h"
#include "db.h"
#include "policy.h"
#include "log.h"
#include "server.h"

/* The demo kiosk's token, for `make run` only: a demo hub is not a real
 * deployment, and kiosk.ini's [hub] token is empty unless make run sets it. */
#define DEMO_TOKEN "demo-01.0000000000000000000000000000000000000000000000000000000000000001"

static void usage(FILE *fp)
{
    fprintf(fp, "usage: hub [--config FILE] [--listen ADDR] [--port N] [--db PATH] [--demo]\n"
                "           [--demo-dir DIR] [--threads N] [--max-connections N] [--timeout S] [--port-file F]\n"
                "           [--now TIME]   (with --demo: start the clock at TIME, unix seconds\n"
                "                           or YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], default zone +08:00)\n"
                "       hub device add|revoke ID [--db PATH]\n"
                "       hub staff add|revoke NAME [--db PATH]\n");
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

typedef struct { hub_config_t *cfg; char err[300]; } ini_ctx_t;

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    ini_ctx_t *c = user;
    hub_config_t *cfg = c->cfg;
    if (strcmp(section, "hub") != 0) return policy_ini(cfg, section, name, value, c->err, sizeof c->err);
    int ok = 0;
    if (!strcmp(name, "listen")) ok = snprintf(cfg->listen_addr, sizeof cfg->listen_addr, "%s", value) < (int)sizeof cfg->listen_addr;
    else if (!strcmp(name, "db")) ok = snprintf(cfg->db_path, sizeof cfg->db_path, "%s", value) < (int)sizeof cfg->db_path;
    else if (!strcmp(name, "demo_dir")) ok = demo_set_dir(value) == 0;
    else if (!strcmp(name, "port")) ok = parse_int(value, 0, 65535, &cfg->port) == 0;
    else if (!strcmp(name, "threads")) ok = parse_int(value, 1, 64, &cfg->threads) == 0;
    else if (!strcmp(name, "max_connections")) ok = parse_int(value, 1, 100000, &cfg->max_connections) == 0;
    else if (!strcmp(name, "timeout")) ok = parse_int(value, 1, 3600, &cfg->conn_timeout_s) == 0;
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

static volatile sig_atomic_t stop;
static void on_signal(int sig) { stop = sig; }

static int device_cmd(int argc, char **argv, hub_config_t *cfg)
{
    if (argc < 4) { usage(stderr); return 2; }
    /* hub device|staff VERB ID [--db PATH]: options after the ID. */
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    int o, sub_argc = argc - 3;
    char **sub_argv = argv + 3;          /* sub_argv[0] (the ID) is skipped like a program name */
    opterr = 0;
    optind = 1;
    while ((o = getopt_long(sub_argc, sub_argv, "", opts, NULL)) != -1) {
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
    char err[600], token[AUTH_TOKEN_MAX];
    if (db_init(cfg->db_path, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 1; }
    int rc = 2;
    bool staff = !strcmp(argv[1], "staff");
    if (!strcmp(argv[2], "add")) {
        if ((staff ? auth_staff_add : auth_device_add)(db_thread(), argv[3], token, sizeof token) == 0) {
            printf("%s\n", token);
            rc = 0;
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
    db_close_all();
    return rc;
}

enum { OPT_CONFIG = 256, OPT_LISTEN, OPT_PORT, OPT_DB, OPT_DEMO, OPT_THREADS, OPT_MAXCONN,
       OPT_TIMEOUT, OPT_PORTFILE, OPT_NOW, OPT_DEMODIR, OPT_HELP };

int main(int argc, char **argv)
{
    hub_config_t cfg = {.db_path = "var/hub.db", .listen_addr = "127.0.0.1", .port = 8470,
                        .threads = 4, .max_connections = 1000, .conn_timeout_s = 10};
    const char *port_file = NULL, *now_arg = NULL;
    if (argc >= 2 && (!strcmp(argv[1], "device") || !strcmp(argv[1], "staff")))
        return device_cmd(argc, argv, &cfg);
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
        case OPT_CONFIG: {
            ini_ctx_t c = {.cfg = &cfg};
            int line = ini_parse(v, on_ini, &c);
            if (line != 0) {
                if (line < 0) fprintf(stderr, "hub: %s: cannot open\n", v);
                else fprintf(stderr, "%s:%d: %s\n", v, line, c.err[0] ? c.err : "syntax error");
                return 2;
            }
            break;
        }
        case OPT_LISTEN: snprintf(cfg.listen_addr, sizeof cfg.listen_addr, "%s", v); break;
        case OPT_DB: snprintf(cfg.db_path, sizeof cfg.db_path, "%s", v); break;
        case OPT_PORT: bad = parse_int(v, 0, 65535, &cfg.port); break;
        case OPT_THREADS: bad = parse_int(v, 1, 64, &cfg.threads); break;
        case OPT_MAXCONN: bad = parse_int(v, 1, 100000, &cfg.max_connections); break;
        case OPT_TIMEOUT: bad = parse_int(v, 1, 3600, &cfg.conn_timeout_s); break;
        case OPT_PORTFILE: port_file = v; break;
        case OPT_NOW: now_arg = v; break;
        case OPT_DEMODIR: bad = demo_set_dir(v); break;
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

    char err[600];
    if (db_init(cfg.db_path, err, sizeof err) != 0) { fprintf(stderr, "hub: %s\n", err); return 1; }
    if (cfg.demo) {
        sqlite3 *db = db_thread();
        if (auth_demo_device(db, DEMO_TOKEN) != 0 || demo_seed_bills(db) != 0 ||
            demo_seed_housekeeping(db, hub_now()) != 0 || demo_seed_content(db, hub_now()) != 0) {
            /* A demo file's own fault is printed above it, with file and line. */
            if (sqlite3_errcode(db) != SQLITE_OK)
                fprintf(stderr, "hub: cannot seed the demo data: %s\n", sqlite3_errmsg(db));
            else
                fprintf(stderr, "hub: cannot seed the demo data (see above)\n");
            return 1;
        }
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    hub_t *hub = hub_start(&cfg, err, sizeof err);
    if (!hub) { fprintf(stderr, "hub: %s\n", err); db_close_all(); return 1; }
    hub_log("main", "listening on http://%s:%d/v1 (%s)", cfg.listen_addr, hub_port(hub),
            cfg.demo ? "demo data" : "no demo");
    if (port_file) {
        FILE *fp = fopen(port_file, "w");
        if (fp) { fprintf(fp, "%d\n", hub_port(hub)); fclose(fp); }
    }
    while (!stop) pause();
    hub_log("main", "stopping (signal %d)", (int)stop);
    hub_stop(hub);
    db_close_all();
    return 0;
}
