#include "log.h"

const log_program_t log_program = {.name = "hub", .env = "HUB_LOG", .show_level = false};

void hub_log(const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(LOG_INFO, module, fmt, ap);
    va_end(ap);
}
