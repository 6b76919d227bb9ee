/* build/sim_printer: the virtual ESC/POS printer as a program, for kioskctl
 * checks and demos.
 *
 *   sim_printer [--out DIR] [--state STATE] [--width 58|80]
 *               [--paper-out-after BYTES] [--busy-ms MS] [--pty]
 *
 * STATE: ready (default), near_end, paper_out, cover_open, offline,
 * cutter_error, no_answer. Prints the TCP port on the first line of
 * standard output (with --pty, "pty /dev/pts/N" on the second), then
 * "receipt DIR/receipt-NNN.png" for each receipt written to DIR (PNG and
 * .txt). Serves until SIGTERM or SIGINT.
 * Exit: 0 after a clean stop, 2 on bad options, 1 when it cannot start. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sims/vprinter.h"

static int usage(void)
{
    fprintf(stderr, "usage: sim_printer [--out DIR] [--state ready|near_end|paper_out|cover_open|offline|"
                    "cutter_error|no_answer]\n"
                    "                   [--width 58|80] [--paper-out-after BYTES] [--busy-ms MS] [--pty]\n");
    return 2;
}

static int number(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    vprinter_config_t cfg = {.paper_mm = 58, .state = VPRINTER_READY};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        if (!strcmp(a, "--pty")) {
            cfg.pty = 1;
            continue;
        }
        if (!v) return usage();
        i++;
        if (!strcmp(a, "--out")) {
            cfg.out_dir = v;
        } else if (!strcmp(a, "--state")) {
            if (vprinter_parse_state(v, &cfg.state) != 0) {
                fprintf(stderr, "sim_printer: unknown state %s\n", v);
                return usage();
            }
        } else if (!strcmp(a, "--width")) {
            if (number(v, 58, 80, &n) != 0 || (n != 58 && n != 80)) return usage();
            cfg.paper_mm = (int)n;
        } else if (!strcmp(a, "--paper-out-after")) {
            if (number(v, 1, 100000000, &n) != 0) return usage();
            cfg.paper_out_after = n;
        } else if (!strcmp(a, "--busy-ms")) {
            if (number(v, 0, 60000, &n) != 0) return usage();
            cfg.busy_ms = (int)n;
        } else {
            fprintf(stderr, "sim_printer: unknown option %s\n", a);
            return usage();
        }
    }
    if (cfg.out_dir && mkdir(cfg.out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "sim_printer: %s: %s\n", cfg.out_dir, strerror(errno));
        return 1;
    }

    /* Blocked before the printer's thread starts, so only sigwait takes
     * them; a host closing its connection must not kill the printer. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[256];
    vprinter_t *v = vprinter_start(&cfg, err, sizeof err);
    if (!v) {
        fprintf(stderr, "sim_printer: %s\n", err);
        return 1;
    }
    printf("%d\n", vprinter_port(v));
    if (cfg.pty) printf("pty %s\n", vprinter_pty_path(v));
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    vprinter_stop(v);
    return 0;
}
