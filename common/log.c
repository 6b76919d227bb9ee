#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int min_level = LOG_INFO;
static pthread_once_t env_once = PTHREAD_ONCE_INIT;

/* Standard error is systemd's journal stream: each line then starts with
 * its syslog priority, "<3>" to "<7>" (sd-daemon(3)), which the journal
 * keeps as the line's PRIORITY and strips from the text. */
static bool to_journal;

/* JOURNAL_STREAM is "DEV:INODE" of the stream systemd connected; it is
 * inherited by children whose stderr may be elsewhere, so it counts only
 * when it names our own stderr. */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0) return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void read_env(void)
{
    to_journal = stderr_is_journal();
    const char *v = getenv(log_program.env);
    if (v && v[0] == 'q') atomic_store(&min_level, LOG_QUIET);
    else if (v && v[0] == 'd') atomic_store(&min_level, LOG_DEBUG);
}

void log_set_level(log_level_t min)
{
    pthread_once(&env_once, read_env);    /* so the environment cannot undo MIN later */
    atomic_store(&min_level, (int)min);
}

/* A line longer than this is cut (and ends in "..."); log lines are short. */
#define LINE_MAX_BYTES 2048

void log_vmsg(log_level_t lvl, const char *module, const char *fmt, va_list ap)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    static const char *const priorities[] = {"<7>", "<6>", "<4>", "<3>"};
    pthread_once(&env_once, read_env);
    if ((int)lvl < atomic_load(&min_level) || lvl < LOG_DEBUG || lvl >= LOG_QUIET) return;
    /* The whole line is formatted first and handed to the kernel in one
     * write(2): lines stay whole between threads and between processes
     * that share the stream (a test and the hub it started, both writing
     * to one file), which stdio's several writes per line do not promise. */
    char line[LINE_MAX_BYTES];
    size_t cap = sizeof line - 1, n = 0;   /* room for the newline */
    int k;
    if (log_program.show_level)
        k = snprintf(line, cap, "%s%s: %s %s: ", to_journal ? priorities[lvl] : "", log_program.name,
                     names[lvl], module);
    else
        k = snprintf(line, cap, "%s%s: %s: ", to_journal ? priorities[lvl] : "", log_program.name, module);
    if (k > 0) n = (size_t)k < cap ? (size_t)k : cap - 1;
    k = vsnprintf(line + n, cap - n, fmt, ap);
    if (k > 0) {
        if ((size_t)k < cap - n) n += (size_t)k;
        else {
            n = cap - 1;
            memcpy(line + n - 3, "...", 3);
        }
    }
    line[n++] = '\n';
    for (size_t off = 0; off < n;) {
        ssize_t w = write(STDERR_FILENO, line + off, n - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;   /* nowhere to log to: nothing else to do */
        off += (size_t)w;
    }
}

void log_msg(log_level_t lvl, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(lvl, module, fmt, ap);
    va_end(ap);
}
