#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void limit(int what, long long v)
{
    struct rlimit r = {(rlim_t)v, (rlim_t)v};
    setrlimit(what, &r);
}

/* In the child: async-signal-safe calls only (the hub has other threads,
 * whose locks may be held at the fork). Never returns. */
static void child(const sandbox_opts_t *o, int in, int out, int errfd, pid_t parent)
{
    static const char msg[] = "hub sandbox: cannot start the program\n";
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);          /* the hub died before the line above */
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0) _exit(126);
    if (close_range(3, ~0U, 0) != 0)
        for (int fd = 3; fd < 4096; fd++) close(fd);
    limit(RLIMIT_CORE, 0);
    if (o->cpu_s > 0) {
        /* SIGXCPU at the soft limit, SIGKILL a second later */
        struct rlimit r = {(rlim_t)o->cpu_s, (rlim_t)o->cpu_s + 1};
        setrlimit(RLIMIT_CPU, &r);
    }
    if (o->mem_bytes > 0) limit(RLIMIT_AS, o->mem_bytes);
    if (o->file_bytes > 0) limit(RLIMIT_FSIZE, o->file_bytes);
    /* The hub ignores SIGPIPE; an ignored signal stays ignored across exec. */
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(o->argv[0], (char *const *)o->argv, (char *const *)o->envp);
    (void)!write(2, msg, sizeof msg - 1);
    _exit(127);
}

sandbox_result_t sandbox_run(const sandbox_opts_t *o, int *code, char *err, size_t errlen)
{
    *code = 0;
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int out = open(o->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int errfd = open(o->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    sandbox_result_t res = SANDBOX_FAILED;
    if (in < 0 || out < 0 || errfd < 0) {
        snprintf(err, errlen, "cannot open its input or output files: %s", strerror(errno));
        goto done;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0) child(o, in, out, errfd, parent);
    setpgid(pid, pid);                            /* either side first: no race on the kill below */
    long long deadline = mono_ms() + (o->timeout_ms > 0 ? o->timeout_ms : 10000);
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            goto done;
        }
        if (mono_ms() >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
            res = SANDBOX_TIMEOUT;
            goto done;
        }
        nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    }
    kill(-pid, SIGKILL);                          /* anything it left running in its group */
    if (WIFEXITED(st)) {
        res = SANDBOX_EXITED;
        *code = WEXITSTATUS(st);
    } else {
        res = SANDBOX_SIGNALLED;
        *code = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
done:
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    if (errfd >= 0) close(errfd);
    return res;
}
