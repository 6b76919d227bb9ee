/* Hub log lines on stderr: "hub: MODULE: message" (no level shown), through
 * the common logger (common/log.h). HUB_LOG=quiet silences all lines
 * (tests), HUB_LOG=debug adds debug lines. No personal data. */
#ifndef HUB_LOG_H
#define HUB_LOG_H

#include "../common/log.h"

/* An info line: what the hub's sources have always called. */
void hub_log(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
