/* `hub staff add NAME --role R [--groups g1,g2]` and `hub staff passwd
 * NAME`: console accounts from the command line (the first admin, a reset
 * password). The password comes from standard input (one line) or, on a
 * terminal, is prompted twice with echo off: never from argv, where ps and
 * shell history would show it. Single-threaded, before the server starts. */
#ifndef HUB_STAFF_CLI_H
#define HUB_STAFF_CLI_H

#include <stdbool.h>
#include "hub.h"

/* True if ARGV is a console-account command (`staff add ... --role`,
 * `staff passwd`) rather than the staff-token one. */
bool staff_cli_wants(int argc, char **argv);
/* Runs it on CFG's database; READ_INI reads a --config file into CFG (0 or
 * 2), KEY_FILE (may be NULL) is the personal-data key db_init loads. The
 * exit status: 0 done, 1 refused or failed (said on stderr), 2 usage. */
int staff_cli_run(int argc, char **argv, hub_config_t *cfg,
                  int (*read_ini)(const char *file, hub_config_t *cfg), const char *key_file);

#endif
