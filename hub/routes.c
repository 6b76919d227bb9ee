#include <stdio.h>
#include <string.h>
#include "api.h"
#include "audit.h"
#include "rescodes.h"
#include "writeoff.h"
#include "console_alert.h"
#include "console_api.h"
#include "console_bundles.h"
#include "console_dayview.h"
#include "console_devices.h"
#include "console_help.h"
#include "console_item.h"
#include "console_kiosk.h"
#include "console_notice.h"
#include "console_pictures.h"
#include "console_playlist.h"
#include "console_registrations.h"
#include "console_reports.h"
#include "console_preview.h"
#include "console_staff.h"

/* A route line may leave out the trailing max_body (0: HUB_MAX_BODY). */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* Flags name who may call a route and its rate class (ROUTE_LOOKUP,
 * ROUTE_PAY, ROUTE_FLEET; none: content); look-ups are audited. */
const hub_route_t hub_routes[] = {
    {"GET",  "/v1/health", api_health, 0, NULL},
    {"GET",  "/v1/bills", api_bills_get, ROUTE_AUTH | ROUTE_LOOKUP, api_bills_fetch},
    {"POST", "/v1/bills/lookup", api_bills_lookup, ROUTE_AUTH | ROUTE_LOOKUP, api_bills_fetch},
    {"POST", "/v1/payments", api_pay_create, ROUTE_AUTH | ROUTE_PAY | ROUTE_DURABLE, api_pay_latency},
    {"GET",  "/v1/payments/{out_trade_no}", api_pay_query, ROUTE_AUTH | ROUTE_PAY | ROUTE_DURABLE, api_pay_latency},
    {"POST", "/v1/payments/{out_trade_no}/close", api_pay_close, ROUTE_AUTH | ROUTE_PAY | ROUTE_DURABLE, api_pay_latency},
    {"POST", "/v1/payments/{out_trade_no}/reverse", api_pay_reverse, ROUTE_AUTH | ROUTE_PAY | ROUTE_DURABLE, api_pay_latency},
    {"GET",  "/v1/housekeeping/services", api_hk_services, ROUTE_AUTH, NULL},
    {"GET",  "/v1/housekeeping/slots", api_hk_slots, ROUTE_AUTH, NULL},
    {"POST", "/v1/housekeeping/bookings", api_hk_book, ROUTE_AUTH, NULL},
    {"POST", "/v1/housekeeping/bookings/lookup", api_hk_lookup, ROUTE_AUTH | ROUTE_LOOKUP, NULL},
    {"POST", "/v1/housekeeping/bookings/{code}/cancel", api_hk_cancel, ROUTE_AUTH | ROUTE_LOOKUP, NULL},
    {"GET",  "/v1/content", api_content_list, ROUTE_AUTH, NULL},
    /* Before /v1/content/{id}: the first match wins. */
    {"GET",  "/v1/content/bundle", api_bundle_poll, ROUTE_AUTH, NULL},
    {"GET",  "/v1/content/{id}", api_content_get, ROUTE_AUTH, NULL},
    {"POST", "/v1/events/{id}/registrations", api_event_register, ROUTE_AUTH, NULL},
    {"POST", "/v1/help", api_help_create, ROUTE_AUTH, NULL},
    {"GET",  "/v1/help/{id}", api_help_status, ROUTE_AUTH, NULL},
    {"POST", "/v1/heartbeat", api_heartbeat, ROUTE_AUTH | ROUTE_FLEET, NULL},
    {"POST", "/v1/proof-of-play", api_proof_of_play, ROUTE_AUTH | ROUTE_FLEET, NULL},
    /* Fleet: kiosks report command results and screenshots; staff command and watch. */
    {"POST", "/v1/commands/{id}/result", api_command_result, ROUTE_AUTH | ROUTE_FLEET, NULL},
    {"POST", "/v1/screenshots", api_screenshot_upload, ROUTE_AUTH | ROUTE_RAW | ROUTE_FLEET, NULL, FLEET_SCREENSHOT_MAX},
    {"POST", "/v1/admin/devices/{id}/commands", api_admin_command, ROUTE_STAFF | ROUTE_FLEET, NULL},
    {"GET",  "/v1/admin/commands/{id}", api_admin_command_get, ROUTE_STAFF | ROUTE_FLEET, NULL},
    {"GET",  "/v1/admin/fleet", api_admin_fleet, ROUTE_STAFF | ROUTE_FLEET, NULL},
    {"GET",  "/v1/admin/screenshots/{id}", api_admin_screenshot, ROUTE_STAFF | ROUTE_FLEET, NULL},
    /* Who looked up residents' records, and the alerts bursts of misses raised. */
    {"GET",  "/v1/admin/audit", api_admin_audit, ROUTE_STAFF | ROUTE_FLEET, NULL},
    /* Community resident codes: kiosks verify (a look-up), staff issue and revoke. */
    {"POST", "/v1/identify/rescode", api_identify_rescode, ROUTE_AUTH | ROUTE_LOOKUP, NULL},
    {"POST", "/v1/admin/rescodes", api_admin_rescode_issue, ROUTE_STAFF | ROUTE_FLEET, NULL},
    {"POST", "/v1/admin/rescodes/{code}/revoke", api_admin_rescode_revoke, ROUTE_STAFF | ROUTE_FLEET, NULL},
    /* Refund of a paid order by staff, through its provider. */
    {"POST", "/v1/admin/payments/{out_trade_no}/refund", api_admin_refund, ROUTE_STAFF | ROUTE_DURABLE,
     api_refund_provider},
    /* Write-offs to the billing system: what is pending, failing, refused. */
    {"GET",  "/v1/admin/writeoffs", api_admin_writeoffs, ROUTE_STAFF | ROUTE_FLEET, NULL},
    /* Signed content bundles: staff publish, kiosks poll and fetch assets. */
    {"PUT",  "/v1/admin/content/assets/{sha256}", api_bundle_asset_put, ROUTE_STAFF, NULL, BUNDLE_MAX_BODY},
    {"POST", "/v1/admin/content/bundles", api_bundle_publish, ROUTE_STAFF, NULL, BUNDLE_MAX_BODY},
    {"GET",  "/v1/content/assets/{sha256}", api_bundle_asset_get, ROUTE_AUTH, NULL},
    /* Demo side: what a phone, a provider or a test does to the demo data. */
    {"GET",  "/v1/demo/pay/{out_trade_no}", api_demo_pay, ROUTE_DEMO | ROUTE_DURABLE, NULL},
    {"POST", "/v1/demo/behaviour", api_demo_behaviour, ROUTE_DEMO, NULL},
    {"POST", "/v1/demo/help/{id}/ack", api_demo_help_ack, ROUTE_DEMO, NULL},
    /* The staff console: its pages and its JSON API (console_api.h). */
    {"GET",  "/console/", console_static, ROUTE_CONSOLE | ROUTE_STATIC, NULL},
    {"GET",  "/console/{file}", console_static, ROUTE_CONSOLE | ROUTE_STATIC, NULL},
    {"POST", "/console/api/login", console_login, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/logout", console_logout, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/me", console_me, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/password", console_password, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/fleet", console_fleet, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/kiosks/{id}/group", console_kiosk_group, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/changes", console_changes, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/kiosks/{id}/commands", console_kiosk_command, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/kiosks/{id}", console_kiosk_get, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/commands/{id}", console_command_get, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/screenshots/{id}", console_screenshot_get, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/help", console_help_list, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/bundles", console_bundle_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/bundles/{version}/rollback", console_bundle_rollback, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/help/{id}/ack", console_help_ack, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/alerts", console_alert_send, ROUTE_CONSOLE, NULL, 16384},
    {"GET",  "/console/api/alerts", console_alert_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/alerts/{id}/withdraw", console_alert_withdraw, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/staff", console_staff_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/staff", console_staff_create, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/staff/{name}", console_staff_update, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/devices", console_devices_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/devices", console_devices_enrol, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/devices/{id}/{action}", console_devices_action, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/notices", console_notice_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/notices", console_notice_create, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/notices/{id}", console_notice_edit, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/notices/{id}/{action}", console_notice_action, ROUTE_CONSOLE, NULL, 4096},
    {"POST", "/console/api/preview", console_preview, ROUTE_CONSOLE, NULL, 16384},
    /* Pictures: the raw PNG or JPEG as the body (its Content-Type), up to an asset's size. */
    {"POST", "/console/api/pictures", console_picture_upload, ROUTE_CONSOLE | ROUTE_RAW, NULL, BUNDLE_MAX_BODY},
    {"GET",  "/console/api/pictures", console_picture_list, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/pictures/{sha256}", console_picture_get, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/playlists", console_playlist_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/playlists", console_playlist_create, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/playlists/{id}", console_playlist_edit, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/playlists/{id}/{action}", console_playlist_action, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/items", console_item_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/items", console_item_create, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/items/{id}", console_item_edit, ROUTE_CONSOLE, NULL, 16384},
    {"POST", "/console/api/items/{id}/{action}", console_item_action, ROUTE_CONSOLE, NULL, 4096},
    {"GET",  "/console/api/dayview", console_dayview, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/playlist-content", console_playlist_content, ROUTE_CONSOLE, NULL},
    /* Event registrations (masked; a reveal is logged) and proof-of-play reports. */
    {"GET",  "/console/api/events", console_events_list, ROUTE_CONSOLE, NULL},
    {"GET",  "/console/api/events/{id}/registrations", console_registrations_list, ROUTE_CONSOLE, NULL},
    {"POST", "/console/api/events/{id}/registrations/{rid}/reveal", console_registration_reveal, ROUTE_CONSOLE,
     NULL, 4096},
    {"GET",  "/console/api/reports/plays", console_report_plays, ROUTE_CONSOLE, NULL},
    {0},
};

#define MAX_SEGS 8

/* Splits S (modified in place) at '/' into at most MAX_SEGS segments; -1 if
 * it does not start with '/' or has more. An empty segment ("//") counts. */
static int split(char *s, char **seg)
{
    if (*s != '/') return -1;
    int n = 0;
    for (char *p = s; *p == '/'; ) {
        *p++ = '\0';
        if (n == MAX_SEGS) return -1;
        seg[n++] = p;
        while (*p && *p != '/') p++;
    }
    return n;
}

/* PATH (already split into SEG) against PATTERN: "{name}" segments take any
 * non-empty segment and are returned in PARAMS. Read in place (no copy of
 * the pattern): every request tries the routes in order. */
static bool match(const char *pattern, char **seg, int nseg, const char **params, int *n)
{
    *n = 0;
    const char *p = pattern;
    for (int i = 0; i < nseg; i++) {
        if (*p != '/') return false;
        p++;
        size_t len = strcspn(p, "/");
        if (*p == '{') {
            if (!seg[i][0] || *n >= HUB_MAX_PARAMS) return false;
            params[(*n)++] = seg[i];
        } else if (strncmp(p, seg[i], len) != 0 || seg[i][len] != '\0') {
            return false;
        }
        p += len;
    }
    return *p == '\0';
}

const hub_route_t *hub_route_match(const char *method, const char *path, char *buf,
                                   size_t buflen, const char **params, int *n,
                                   bool *path_known)
{
    *path_known = false;
    *n = 0;
    if (strlen(path) >= buflen) return NULL;
    strcpy(buf, path);
    char *seg[MAX_SEGS];
    int nseg = split(buf, seg);
    if (nseg < 0) return NULL;
    for (const hub_route_t *r = hub_routes; r->method; r++) {
        if (!match(r->pattern, seg, nseg, params, n)) continue;
        if (strcmp(r->method, method) == 0) return r;
        *path_known = true;
    }
    *n = 0;
    return NULL;
}
