/* The kiosk's (and kioskctl's) log lines: "kiosk: LEVEL module: message",
 * tuned by KIOSK_LOG=quiet|debug and [log] level. The logger is common/log.h;
 * this header names it for the kiosk's sources. */
#ifndef KIOSK_LOG_H
#define KIOSK_LOG_H

#include "../../common/log.h"

#endif
