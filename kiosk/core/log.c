#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static log_level_t min_level = LOG_INFO;
static int env_checked;

void log_set_level(log_level_t min) { min_level = min; env_checked = 1; }

void log_msg(log_level_t lvl, const char *module, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (!env_checked) {
        const char *q = getenv("KIOSK_LOG");
        if (q && q[0] == 'q') min_level = LOG_ERROR + 1;   /* KIOSK_LOG=quiet */
        else if (q && q[0] == 'd') min_level = LOG_DEBUG;
        env_checked = 1;
    }
    if (lvl < min_level) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "kiosk: %s %s: ", names[lvl], module);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
