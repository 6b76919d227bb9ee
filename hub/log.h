/* Hub log lines on stderr: "hub: MODULE: message". No personal data. */
#ifndef HUB_LOG_H
#define HUB_LOG_H

void hub_log(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* HUB_LOG=quiet silences all lines (tests). */

#endif
