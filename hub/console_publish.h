/* Publishing from the console: a group's content with one item added,
 * replaced or taken out. For GROUP the hub takes the newest unexpired bundle
 * that group's kiosks get (per mode, hall and street; bundles for single
 * kiosks are not looked at), changes its items, has the signer sign the new
 * manifest (signer.h: the web process never holds the key) and publishes it
 * through api_bundle_publish (the hub's own checks: signature against
 * content_keys, newer version, assets) as the next version for that group -
 * once for mode "any" when both modes had the same bundle, else once per
 * mode. Then the group's kiosks get reload_content with their next
 * heartbeat. The caller holds the transaction (BEGIN IMMEDIATE) and rolls
 * back on an error. Console items have ids from CONSOLE_NOTICE_ID_BASE (a
 * notice: base + its id; its English item, when it has one:
 * CONSOLE_NOTICE_EN_ID_BASE + its id), CONSOLE_ALERT_ID_BASE (an alert),
 * CONSOLE_PLAYLIST_ID_BASE (a street playlist) and CONSOLE_COPY_ID_BASE (a
 * copy of the hub's content item N a playlist plays: base + N, the same id
 * in every playlist that plays N), so they never meet the ids of content
 * published with kioskctl (keep those lower): notice ids stay below
 * CONSOLE_NOTICE_ID_SPAN (console_notice.c refuses more), so the two notice
 * ranges never meet each other or the alerts' (a bundle's ids are unique
 * whatever their locale). A copy stays in a bundle as long as a playlist of
 * that bundle plays it. Every manifest is checked with the kiosks' own
 * check (kiosk/content/manifest.c) before it is signed: 422
 * invalid_manifest for one a kiosk would refuse. */
#ifndef HUB_CONSOLE_PUBLISH_H
#define HUB_CONSOLE_PUBLISH_H

#include "hub.h"
#include "staff.h"

#define CONSOLE_NOTICE_ID_BASE 1000000000LL
#define CONSOLE_NOTICE_ID_SPAN 500000000LL
#define CONSOLE_NOTICE_EN_ID_BASE (CONSOLE_NOTICE_ID_BASE + CONSOLE_NOTICE_ID_SPAN)
#define CONSOLE_ALERT_ID_BASE 2000000000LL
#define CONSOLE_PLAYLIST_ID_BASE 3000000000LL
#define CONSOLE_COPY_ID_BASE 4000000000LL
/* Console items are marked published this long before the hub's now: a
 * kiosk shows an item once its own clock has passed "published", and a
 * kiosk whose clock is a little behind the hub's must not hold an
 * emergency alert back for that long. */
#define CONSOLE_CLOCK_SKEW_S 300

/* Publishes manifest M (a JSON object, changed in place) as the next
 * version: "version" and "created" are set, the signer signs it, and
 * api_bundle_publish checks and stores it; the version is appended to
 * VERSIONS. 0, or the error status with RESP filled. */
int console_publish_manifest(hub_req_t *req, hub_resp_t *resp, const staff_t *s, cJSON *m, cJSON *versions);

/* Queues reload_content, as S, for the kiosks of GROUP (NULL: every kiosk).
 * 0, or the error status with RESP filled. */
int console_publish_reload(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group);

/* GROUPS (a JSON value from a request) is an array of 1-16 distinct group
 * names, each one S may do PERM on. 0, or the error status with RESP filled
 * (422 invalid_field, 403 forbidden). */
int console_groups_check(hub_resp_t *resp, const staff_t *s, staff_perm_t perm, const cJSON *groups);

/* Publishes GROUP's content with ADD (NULL: none; an item, or an array of
 * items - a notice and its English; an item with the id of one is
 * replaced) and without the item REMOVE_ID (0: none; a notice's id takes
 * its English item out too); console alerts that
 * have expired are left out too. The bundle's expires is kept (a year from
 * now without a base) and made at least MIN_EXPIRES. Every version
 * published is appended to VERSIONS. 0, or the error status with RESP
 * filled (503 signer_unavailable, the publish route's own errors). */
int console_publish_group(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group,
                          const cJSON *add, long long remove_id, long long min_expires, cJSON *versions);

/* As console_publish_group with several changes in one version per mode:
 * ADDS an array of items (NULL: none), REMOVE an array of ids (NULL: none),
 * and MODE "hall" or "street" to change only the bundle of that mode's
 * kiosks of GROUP (the other mode keeps the bundle it has), NULL for both. */
int console_publish_items(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group, const char *mode,
                          const cJSON *adds, const cJSON *remove, long long min_expires, cJSON *versions);

#endif
