/* The one logger of every program here: one line per event on stderr,
 *
 *   "PROGRAM: LEVEL module: message"   (a program that shows levels: kiosk)
 *   "PROGRAM: module: message"         (one that does not: hub)
 *
 * Each program links exactly one definition of log_program (its name, the
 * environment variable that tunes it, whether lines show the level):
 * kiosk/core/log.c, hub/log.c. That variable, read at the first line, is
 * "quiet" (q...: nothing) or "debug" (d...: everything); log_set_level
 * overrides it. Lines are whole even when threads log at once. Never pass
 * personal data unmasked (mask.h).
 *
 * Under systemd (stderr is the journal stream named by JOURNAL_STREAM),
 * each line starts with its syslog priority: "<7>" debug, "<6>" info,
 * "<4>" warn, "<3>" error, so `journalctl -p warning` finds the faults. */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_QUIET } log_level_t;

typedef struct {
    const char *name;       /* line prefix: "kiosk", "hub" */
    const char *env;        /* "KIOSK_LOG", "HUB_LOG" */
    bool show_level;
} log_program_t;

extern const log_program_t log_program;

/* Lines below MIN are dropped (LOG_QUIET: all); the default is LOG_INFO. */
void log_set_level(log_level_t min);
void log_msg(log_level_t lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void log_vmsg(log_level_t lvl, const char *module, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

#define log_info(mod, ...)  log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...)  log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)

#endif
