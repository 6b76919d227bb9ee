/* `hub signer` as a child process of a suite, for the suites that publish
 * signed content: the kiosk's (test_console_alert) and the hub's
 * (tests/hub/consoletest.c). One way to start it so that it never outlives
 * the suite.
 *
 * Owns: nothing; the caller keeps the pid and stops it (signerproc_stop).
 * Threads: call from the test's thread (fork).
 * Errors: -1 from signerproc_start when it cannot fork; whether the signer
 * came up (its socket exists) is the caller's to check. */
#ifndef KIOSK_TEST_SIGNERPROC_H
#define KIOSK_TEST_SIGNERPROC_H

#include <sys/types.h>

/* Runs HUB_BIN signer --key KEY --socket SOCK, its stderr to /dev/null,
 * killed when this process dies (PR_SET_PDEATHSIG), and waits up to 2 s
 * for SOCK to appear. Returns its pid, or -1. */
pid_t signerproc_start(const char *hub_bin, const char *key, const char *sock);
/* SIGTERM to PID, then waits for it. */
void signerproc_stop(pid_t pid);

#endif
