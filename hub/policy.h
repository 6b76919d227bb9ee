/* The hub's abuse limits as configuration: their defaults, and the hub.ini
 * sections that set them ([limits], [rate], [tls]). Pure functions over a
 * hub_config_t; no threads, no I/O. */
#ifndef HUB_POLICY_H
#define HUB_POLICY_H

#include <stddef.h>
#include "hub.h"

/* Fills every limit left at 0 with its default (documented in hub/hub.ini). */
void policy_defaults(hub_config_t *cfg);

/* One hub.ini KEY = VALUE of SECTION "limits", "rate" or "tls". Returns 1
 * if taken, 0 with a message ("key: bad value ..." or "[s]: unknown
 * section") in ERR for anything else. */
int policy_ini(hub_config_t *cfg, const char *section, const char *key, const char *value,
               char *err, size_t errlen);

/* The route class name ("lookup", "payments", "content", "fleet"). */
const char *policy_class_name(int rate_class);

#endif
