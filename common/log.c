#include "log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int min_level = LOG_INFO;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void read_env(void)
{
    const char *v = getenv(log_program.env);
    if (v && v[0] == 'q') atomic_store(&min_level, LOG_QUIET);
    else if (v && v[0] == 'd') atomic_store(&min_level, LOG_DEBUG);
}

void log_set_level(log_level_t min)
{
    pthread_once(&env_once, read_env);    /* so the environment cannot undo MIN later */
    atomic_store(&min_level, (int)min);
}

void log_vmsg(log_level_t lvl, const char *module, const char *fmt, va_list ap)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    pthread_once(&env_once, read_env);
    if ((int)lvl < atomic_load(&min_level) || lvl < LOG_DEBUG || lvl >= LOG_QUIET) return;
    flockfile(stderr);
    if (log_program.show_level) fprintf(stderr, "%s: %s %s: ", log_program.name, names[lvl], module);
    else fprintf(stderr, "%s: %s: ", log_program.name, module);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
}

void log_msg(log_level_t lvl, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(lvl, module, fmt, ap);
    va_end(ap);
}
