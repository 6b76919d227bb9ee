/* Device enrolment and authentication. A device token is "ID.SECRET" with a
 * 32-byte random secret; the hub stores only SHA-256(SECRET). Requests carry
 * it as "Authorization: Bearer ID.SECRET". */
#ifndef HUB_AUTH_H
#define HUB_AUTH_H

#include <sqlite3.h>
#include <stddef.h>

#define AUTH_TOKEN_MAX 160

/* Enrols device ID (1..63 of [A-Za-z0-9_-]) and writes its token into TOKEN
 * (shown once). An existing device gets a new token (the old one stops
 * working). 0 ok, -1 bad id or database error. */
int auth_device_add(sqlite3 *db, const char *id, char *token, size_t toklen);
/* Marks ID revoked. 0 ok, -1 if unknown. */
int auth_device_revoke(sqlite3 *db, const char *id);
/* Checks an Authorization header value. 0 and the device id in ID_OUT, or
 * -1 for a missing, malformed, unknown, wrong or revoked token, or a staff
 * token. */
int auth_check(sqlite3 *db, const char *authorization, char *id_out, size_t idlen);
/* Staff members: tokens "NAME.SECRET" like a device's, with role "staff";
 * they use the staff routes (publishing content, the fleet), never the
 * kiosk ones. A name already used by a kiosk is refused (-1). */
int auth_staff_add(sqlite3 *db, const char *name, char *token, size_t toklen);
/* As auth_check, for a token of ROLE ("kiosk" or "staff"). */
int auth_check_role(sqlite3 *db, const char *authorization, const char *role, char *id_out,
                    size_t idlen);
/* Stores TOKEN ("ID.SECRET") for the demo device ID (demo_token.c makes
 * it, random per demo database). 0 or -1. */
int auth_demo_device(sqlite3 *db, const char *token);

#endif
