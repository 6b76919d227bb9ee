/* A Debian package version as the fleet's update command carries it
 * (docs/fleet-updates.md): what the hub accepts in `update` commands, the
 * kiosk writes into its update request, and the root updater passes to apt
 * as xfl-kiosk=VERSION. Deliberately narrower than Debian policy: no epoch
 * (':' would need escaping in file names, and the fleet's packages have
 * none), so nothing in it means anything to a shell or to apt. Pure, any
 * thread. */
#ifndef COMMON_DEBVER_H
#define COMMON_DEBVER_H

#include <stdbool.h>

#define DEBVER_MAX 32       /* characters, not counting the NUL */

/* S is 1..DEBVER_MAX of [0-9A-Za-z.+~-], starting with a digit and not
 * ending with '-' (an empty Debian revision). */
bool debver_ok(const char *s);

#endif
