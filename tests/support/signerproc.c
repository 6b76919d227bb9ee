/* `hub signer` as a child process of a suite (see signerproc.h). */
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "signerproc.h"

pid_t signerproc_start(const char *hub_bin, const char *key, const char *sock)
{
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* The parent died before prctl took effect: nobody would stop us. */
        if (getppid() != parent) _exit(127);
        if (!freopen("/dev/null", "w", stderr)) _exit(127);
        execl(hub_bin, hub_bin, "signer", "--key", key, "--socket", sock, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && access(sock, F_OK) != 0; i++) usleep(10000);
    return pid;
}

void signerproc_stop(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}
