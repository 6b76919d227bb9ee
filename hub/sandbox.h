/* Runs a helper program as a short-lived child of the hub, held in: a clean
 * environment (only what the caller lists), no inherited descriptors but
 * standard input (/dev/null) and output and error (files), limits on CPU
 * time, address space and file size, no core dump, its own process group,
 * killed with the hub (PR_SET_PDEATHSIG) and killed, group and all, when it
 * outlives its wall-clock time. It runs in the hub's working directory
 * (relative paths in its arguments are the hub's). Used by the console's
 * previews (the kiosk binary, console_preview.c).
 *
 * Any thread: the child runs only async-signal-safe calls between fork and
 * exec. The calling thread waits (polling every 10 ms) until the child has
 * ended or been killed and reaped: callers bound the time with timeout_ms. */
#ifndef HUB_SANDBOX_H
#define HUB_SANDBOX_H

#include <stddef.h>

typedef struct {
    const char *const *argv;       /* argv[0]: the program's path */
    const char *const *envp;       /* the whole environment */
    const char *stdout_path;       /* created 0600 (truncated) */
    const char *stderr_path;
    int timeout_ms;                /* wall time, then SIGKILL to its group */
    int cpu_s;                     /* RLIMIT_CPU */
    long long mem_bytes;           /* RLIMIT_AS */
    long long file_bytes;          /* RLIMIT_FSIZE */
} sandbox_opts_t;

typedef enum {
    SANDBOX_EXITED,                /* *CODE: its exit status */
    SANDBOX_SIGNALLED,             /* *CODE: the signal (a limit: SIGXCPU, SIGXFSZ, SIGKILL) */
    SANDBOX_TIMEOUT,               /* outlived timeout_ms: killed */
    SANDBOX_FAILED                 /* could not start (ERR says why) */
} sandbox_result_t;

sandbox_result_t sandbox_run(const sandbox_opts_t *o, int *code, char *err, size_t errlen);

#endif
