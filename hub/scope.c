#include "scope.h"

#include <stdio.h>
#include <string.h>

bool scope_visible(const char *device_community, const char *account_community)
{
    /* No community on the device: an unscoped deployment sees everything.
     * No community on the account: shared by every area (e.g. a utility's
     * account for a whole district). */
    if (!device_community || !*device_community) return true;
    if (!account_community || !*account_community) return true;
    return strcmp(device_community, account_community) == 0;
}

bool scope_community_valid(const char *c)
{
    size_t n = c ? strlen(c) : 0;
    if (n < 1 || n >= SCOPE_COMMUNITY_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '-' || c[i] == '_'))
            return false;
    return true;
}

int scope_device_community(sqlite3 *db, const char *device, char *out, size_t outlen)
{
    sqlite3_stmt *st = NULL;
    int rc = -1;
    out[0] = '\0';
    if (sqlite3_prepare_v2(db, "SELECT coalesce(community, '') FROM devices WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
    if (s == SQLITE_ROW || s == SQLITE_DONE) rc = 0;
fail:
    sqlite3_finalize(st);
    return rc;
}

int scope_set_community(sqlite3 *db, const char *device, const char *community)
{
    if (community && !scope_community_valid(community)) return -1;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "UPDATE devices SET community = ?2 WHERE id = ?1 AND role = 'kiosk'", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    if (community) sqlite3_bind_text(st, 2, community, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1) rc = 0;
fail:
    sqlite3_finalize(st);
    return rc;
}

int scope_resident_visible(sqlite3 *db, const char *device_community, long long resident)
{
    if (!device_community || !*device_community) return 1;
    sqlite3_stmt *st = NULL;
    int rc = -1, seen = 0, visible = 0, s;
    if (sqlite3_prepare_v2(db, "SELECT community FROM accounts WHERE resident_id = ?1", -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, resident);
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        seen = 1;
        visible |= scope_visible(device_community, (const char *)sqlite3_column_text(st, 0));
    }
    if (s == SQLITE_DONE) rc = !seen || visible;
fail:
    sqlite3_finalize(st);
    return rc;
}
