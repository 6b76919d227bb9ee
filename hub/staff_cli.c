#include "staff_cli.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "console_log.h"
#include "db.h"
#include "staff.h"

bool staff_cli_wants(int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[1], "staff") != 0) return false;
    if (!strcmp(argv[2], "passwd")) return true;
    if (strcmp(argv[2], "add") != 0) return false;
    for (int i = 3; i < argc; i++)
        if (!strcmp(argv[i], "--role") || !strncmp(argv[i], "--role=", 7)) return true;
    return false;
}

/* One line of FP into BUF without its newline; -1 at end of input or if
 * longer than BUF holds. */
static int read_line(FILE *fp, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, fp)) return -1;
    size_t n = strcspn(buf, "\r\n");
    if (buf[n] == '\0' && n == len - 1) return -1;
    buf[n] = '\0';
    return 0;
}

/* PROMPT on stderr, a line from the terminal with echo off. */
static int prompt(const char *text, char *buf, size_t len)
{
    struct termios old, quiet;
    fprintf(stderr, "%s", text);
    if (tcgetattr(STDIN_FILENO, &old) != 0) return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    int rc = read_line(stdin, buf, len);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
    return rc;
}

static int read_password(char *pw, size_t len)
{
    if (!isatty(STDIN_FILENO)) {
        if (read_line(stdin, pw, len) == 0) return 0;
        fprintf(stderr, "hub: no password on standard input (one line, %d to %d bytes)\n",
                STAFF_PW_MIN, STAFF_PW_MAX);
        return -1;
    }
    char again[STAFF_PW_MAX + 2];
    int rc = -1;
    if (prompt("Password: ", pw, len) != 0 || prompt("Again: ", again, sizeof again) != 0)
        fprintf(stderr, "hub: no password read\n");
    else if (strcmp(pw, again) != 0)
        fprintf(stderr, "hub: the two passwords differ\n");
    else
        rc = 0;
    sodium_memzero(again, sizeof again);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: hub staff add NAME --role admin|publisher|editor|viewer [--groups g1,g2]\n"
                    "                 [--db PATH] [--config F] [--key-file F]\n"
                    "       hub staff passwd NAME [--db PATH] [--config F] [--key-file F]\n"
                    "       (the password: one line on standard input, or prompted twice)\n");
}

int staff_cli_run(int argc, char **argv, hub_config_t *cfg,
                  int (*read_ini)(const char *file, hub_config_t *cfg), const char *key_file)
{
    if (argc < 4) { usage(); return 2; }
    bool add = !strcmp(argv[2], "add");
    const char *name = argv[3], *groups = NULL;
    int role = -1;
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"groups", required_argument, NULL, 'g'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"config", required_argument, NULL, 'c'},
                                         {"key-file", required_argument, NULL, 'k'},
                                         {NULL, 0, NULL, 0}};
    int o, sub_argc = argc - 3;
    char **sub_argv = argv + 3;
    opterr = 0;
    optind = 1;
    while ((o = getopt_long(sub_argc, sub_argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'r':
            if (!add || (role = staff_role_parse(optarg)) < 0) {
                fprintf(stderr, "hub: --role: admin, publisher, editor or viewer\n");
                return 2;
            }
            break;
        case 'g': groups = optarg; break;
        case 'd': snprintf(cfg->db_path, sizeof cfg->db_path, "%s", optarg); break;
        case 'c': if (read_ini(optarg, cfg) != 0) return 2; break;
        case 'k': key_file = optarg; break;
        default:
            fprintf(stderr, "hub: staff %s: unknown option or missing value: %s\n", argv[2],
                    sub_argv[optind - 1]);
            usage();
            return 2;
        }
    }
    if (optind < sub_argc) {
        fprintf(stderr, "hub: unexpected argument %s\n", sub_argv[optind]);
        return 2;
    }
    if (add && role < 0) { usage(); return 2; }
    if (!staff_name_ok(name)) {
        fprintf(stderr, "hub: a staff name is 1-63 of A-Z a-z 0-9 _ . -\n");
        return 2;
    }
    if (groups && !staff_groups_ok(groups)) {
        fprintf(stderr, "hub: --groups: a comma-separated list of kiosk groups (1-63 of A-Z a-z 0-9 _ -), or *\n");
        return 2;
    }
    if (add && role != STAFF_ADMIN && !groups) {
        fprintf(stderr, "hub: --groups is required for the role %s (the kiosk groups the account acts on)\n",
                staff_role_name((staff_role_t)role));
        return 2;
    }
    char err[600], pw[STAFF_PW_MAX + 2];
    db_set_key_file(key_file);
    if (db_init(cfg->db_path, err, sizeof err) != 0) {
        fprintf(stderr, "hub: %s\n", err);
        return 1;
    }
    sqlite3 *db = db_thread();
    int rc = 1;
    staff_t s;
    if (!add && staff_get(db, name, &s) != 1) {
        fprintf(stderr, "hub: no staff account %s\n", name);
        goto done;
    }
    if (read_password(pw, sizeof pw) != 0) goto done;
    long long now = hub_now();
    int ok = add ? staff_add(db, name, (staff_role_t)role, groups, pw, now, err, sizeof err)
                 : staff_set_password(db, name, pw, now, err, sizeof err);
    sodium_memzero(pw, sizeof pw);
    if (ok != 0) {
        fprintf(stderr, "hub: %s\n", err);
        goto done;
    }
    if (add) {
        char after[700];
        staff_get(db, name, &s);
        snprintf(after, sizeof after, "{\"role\":\"%s\",\"groups\":\"%s\"}", staff_role_name(s.role), s.groups);
        console_log_change(db, now, "(command line)", "local", "staff_add", name, NULL, after);
    } else {
        /* A reset password ends every session of the account. */
        console_log_change(db, now, "(command line)", "local", "password_reset", name, NULL, NULL);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "DELETE FROM console_sessions WHERE staff = ?1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
            sqlite3_step(st);
        }
        sqlite3_finalize(st);
    }
    printf("%s %s\n", add ? "added" : "password changed for", name);
    rc = 0;
done:
    db_close_all();
    return rc;
}
