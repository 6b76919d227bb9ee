/* build/sim_idcard: the simulated ID-card reader as a program, for kioskctl
 * checks and demos.
 *
 *   sim_idcard [--no-card] [--name S] [--sex CODE] [--nation CODE]
 *              [--birth YYYYMMDD] [--address S] [--id NUMBER] [--authority S]
 *              [--valid-from YYYYMMDD] [--valid-to YYYYMMDD|长期]
 *              [--status HEX] [--select-status HEX] [--read-status HEX]
 *              [--delay MS] [--corrupt N] [--garbage] [--split N]
 *              [--fingerprint] [--silent]
 *
 * Without card options it serves the demo card. Prints the pty path
 * (/dev/pts/N) on the first line of standard output, then serves until
 * SIGTERM or SIGINT arrives or standard input reaches its end.
 * Exit: 0 after a clean stop, 2 on bad options, 1 when the pty fails. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "idcard/idcard_codec.h"
#include "sims/idcard_sim.h"

static int usage(void)
{
    fprintf(stderr, "usage: sim_idcard [--no-card] [--name S] [--sex CODE] [--nation CODE] "
                    "[--birth YYYYMMDD]\n"
                    "       [--address S] [--id NUMBER] [--authority S] [--valid-from D] "
                    "[--valid-to D]\n"
                    "       [--status HEX] [--select-status HEX] [--read-status HEX] [--delay MS]\n"
                    "       [--corrupt N] [--garbage] [--split N] [--fingerprint] [--silent]\n");
    return 2;
}

static int number(const char *s, int base, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, base);
    if (errno || end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* Copies option value V into a field of SIZE bytes; -1 when too long. */
static int text(char *field, size_t size, const char *v)
{
    return snprintf(field, size, "%s", v) < (int)size ? 0 : -1;
}

static int parse(int argc, char **argv, idcard_sim_config_t *c)
{
    idcard_sim_card_t *k = &c->card;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        int bad = 0, takes = 1;
        if (!strcmp(a, "--no-card")) { c->card_present = false; takes = 0; }
        else if (!strcmp(a, "--garbage")) { c->garbage = true; takes = 0; }
        else if (!strcmp(a, "--fingerprint")) { c->fingerprint = true; takes = 0; }
        else if (!strcmp(a, "--silent")) { c->silent = true; takes = 0; }
        else if (!v) bad = 1;
        else if (!strcmp(a, "--name")) bad = text(k->name, sizeof k->name, v);
        else if (!strcmp(a, "--sex")) bad = text(k->sex, sizeof k->sex, v);
        else if (!strcmp(a, "--nation")) bad = text(k->nation, sizeof k->nation, v);
        else if (!strcmp(a, "--birth")) bad = text(k->birth, sizeof k->birth, v);
        else if (!strcmp(a, "--address")) bad = text(k->address, sizeof k->address, v);
        else if (!strcmp(a, "--id")) bad = text(k->id_number, sizeof k->id_number, v);
        else if (!strcmp(a, "--authority")) bad = text(k->authority, sizeof k->authority, v);
        else if (!strcmp(a, "--valid-from")) bad = text(k->valid_from, sizeof k->valid_from, v);
        else if (!strcmp(a, "--valid-to")) bad = text(k->valid_to, sizeof k->valid_to, v);
        else if (!strcmp(a, "--status")) { bad = number(v, 16, 1, 255, &n); c->status_sw3 = (uint8_t)n; }
        else if (!strcmp(a, "--select-status")) { bad = number(v, 16, 1, 255, &n); c->select_sw3 = (uint8_t)n; }
        else if (!strcmp(a, "--read-status")) { bad = number(v, 16, 1, 255, &n); c->read_sw3 = (uint8_t)n; }
        else if (!strcmp(a, "--delay")) { bad = number(v, 10, 0, 60000, &n); c->delay_ms = (int)n; }
        else if (!strcmp(a, "--corrupt")) { bad = number(v, 10, 0, 1000, &n); c->corrupt_replies = (int)n; }
        else if (!strcmp(a, "--split")) {
            bad = number(v, 10, 1, 64, &n);
            c->split_pieces = (int)n;
            c->split_pause_ms = 20;
        } else {
            fprintf(stderr, "sim_idcard: unknown option %s\n", a);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "sim_idcard: bad value for %s\n", a);
            return -1;
        }
        i += takes;
    }
    uint8_t block[IDCARD_TEXT_LEN];
    if (idcard_sim_text_block(k, block) != 0) {
        fprintf(stderr, "sim_idcard: a card field is too long for its place in the text block\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    if (parse(argc, argv, &cfg) != 0) return usage();

    /* Signals arrive on a descriptor; blocked before the serving thread
     * starts so it inherits the mask and never takes them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        perror("sim_idcard: signalfd");
        return 1;
    }

    char err[256];
    idcard_sim_t *sim = idcard_sim_start(&cfg, err, sizeof err);
    if (!sim) {
        fprintf(stderr, "sim_idcard: %s\n", err);
        close(sfd);
        return 1;
    }
    printf("%s\n", idcard_sim_path(sim));
    fflush(stdout);

    for (;;) {
        struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents) break;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
            char buf[256];
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
        }
    }
    idcard_sim_stop(sim);
    close(sfd);
    return 0;
}
