/* Where a device may look: the community scoping of residents' look-ups.
 * A device enrolled with a community (hub device add ID --community C)
 * sees only the accounts with no community or community C; a device
 * without one sees every account, so a deployment that needs scoping sets
 * a community on every kiosk. An account out of a device's area is answered
 * exactly as one that does not exist (same status, code, message); the
 * audit (audit.h) keeps "out_of_area" and counts it as a miss.
 * Called on the worker threads with the request's connection; no state.
 * Errors: -1 on a database error (the caller answers 500). */
#ifndef HUB_SCOPE_H
#define HUB_SCOPE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#define SCOPE_OUT_OF_AREA "out_of_area"   /* the audit detail */
#define SCOPE_COMMUNITY_MAX 64

/* The rule, the one place it is written: may a device of DEVICE_COMMUNITY
 * ("" or NULL: none) see an account of ACCOUNT_COMMUNITY (NULL or "": none)? */
bool scope_visible(const char *device_community, const char *account_community);

/* A community name: 1..63 of [a-z0-9_-]. */
bool scope_community_valid(const char *community);

/* DEVICE's community into OUT ("" for none or an unknown device). 0 or -1. */
int scope_device_community(sqlite3 *db, const char *device, char *out, size_t outlen);

/* Sets (or with NULL clears) DEVICE's community. 0, or -1 for an invalid
 * name, an unknown kiosk (staff have none) or a database error. */
int scope_set_community(sqlite3 *db, const char *device, const char *community);

/* May DEVICE_COMMUNITY see resident RESIDENT? Yes unless the resident has
 * accounts and none of them is visible. 1 yes, 0 no, -1 database error. */
int scope_resident_visible(sqlite3 *db, const char *device_community, long long resident);

#endif
