#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hub_log(const char *module, const char *fmt, ...)
{
    static int quiet = -1;
    if (quiet < 0) {
        const char *q = getenv("HUB_LOG");
        quiet = q && q[0] == 'q';
    }
    if (quiet) return;
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    fprintf(stderr, "hub: %s: ", module);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
}
