#include "console_publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "content/manifest.h"
#include "db.h"
#include "signer.h"

#define NO_BASE_VALID_S (365LL * 86400)   /* a bundle made from nothing but console items */

static bool in_json_list(const char *json, const char *name)
{
    cJSON *a = cJSON_Parse(json);
    bool found = false;
    for (const cJSON *s = a ? a->child : NULL; s && !found; s = s->next)
        found = cJSON_IsString(s) && !strcmp(s->valuestring, name);
    cJSON_Delete(a);
    return found;
}

/* The newest unexpired bundle the kiosks of GROUP in MODE get (as the poll
 * picks it, leaving out bundles for single kiosks): its version (0: none)
 * and manifest (malloc'd) in *MANIFEST. -1 on a database error. */
static long long base_of(hub_req_t *req, const char *group, const char *mode, char **manifest)
{
    *manifest = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT version, groups, kiosks, manifest FROM content_bundles"
                                    " WHERE expires > :now AND mode IN (:mode, 'any') ORDER BY version DESC",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, req->now);
    sqlite3_bind_text(st, 2, mode, -1, SQLITE_STATIC);
    long long v = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *groups = (const char *)sqlite3_column_text(st, 1);
        const char *kiosks = (const char *)sqlite3_column_text(st, 2);
        bool all = !strcmp(groups, "[]") && !strcmp(kiosks, "[]");
        if (!all && !in_json_list(groups, group)) continue;
        v = sqlite3_column_int64(st, 0);
        *manifest = strdup((const char *)sqlite3_column_text(st, 3));
        if (!*manifest) v = -1;
        break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? v : -1;
}

static bool names_image(const cJSON *item, const char *sha)
{
    const cJSON *im = cJSON_GetObjectItemCaseSensitive(item, "images");
    for (const cJSON *v = cJSON_IsArray(im) ? im->child : NULL; v; v = v->next)
        if (cJSON_IsString(v) && !strcmp(v->valuestring, sha)) return true;
    return false;
}

/* Manifest M's assets made to match its items after GONE (removed items,
 * may be empty) went and ADD (an array of items, may be NULL) came: an
 * image of ADD not listed yet is added as stored (the hub checks it again
 * when it takes the bundle), an asset only GONE's items used is left out.
 * 0 or the error status. */
static int sync_assets(hub_req_t *req, hub_resp_t *resp, cJSON *m, const cJSON *gone, const cJSON *adds)
{
    cJSON *assets = cJSON_GetObjectItemCaseSensitive(m, "assets");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(m, "items");
    if (!cJSON_IsArray(assets)) {
        cJSON_DeleteItemFromObjectCaseSensitive(m, "assets");
        assets = cJSON_AddArrayToObject(m, "assets");
    }
    for (cJSON *a = assets->child, *next; a; a = next) {
        next = a->next;
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(a, "sha256");
        if (!cJSON_IsString(sha)) continue;
        bool was = false, used = false;
        for (const cJSON *it = gone->child; it && !was; it = it->next) was = names_image(it, sha->valuestring);
        for (const cJSON *it = items->child; it && !used; it = it->next) used = names_image(it, sha->valuestring);
        if (was && !used) cJSON_Delete(cJSON_DetachItemViaPointer(assets, a));
    }
    for (const cJSON *add = adds ? adds->child : NULL; add; add = add->next) {
    const cJSON *im = cJSON_GetObjectItemCaseSensitive(add, "images");
    for (const cJSON *v = cJSON_IsArray(im) ? im->child : NULL; v; v = v->next) {
        bool listed = false;
        for (const cJSON *a = assets->child; a && !listed; a = a->next) {
            const cJSON *sha = cJSON_GetObjectItemCaseSensitive(a, "sha256");
            listed = cJSON_IsString(sha) && !strcmp(sha->valuestring, v->valuestring);
        }
        if (listed) continue;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(req->db, "SELECT type, size FROM content_assets WHERE sha256 = :sha", -1, &st,
                               NULL) != SQLITE_OK)
            return hub_error(resp, 500, "storage", "cannot read the pictures");
        sqlite3_bind_text(st, 1, v->valuestring, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_ROW) {
            sqlite3_finalize(st);
            return hub_error(resp, 422, "unknown_picture", "the picture %.12s… is not on the hub", v->valuestring);
        }
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "sha256", v->valuestring);
        cJSON_AddNumberToObject(a, "size", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(a, "type", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddItemToArray(assets, a);
        sqlite3_finalize(st);
    }
    }
    return 0;
}

/* Is ID one of the numbers of array IDS (may be NULL)? */
static bool has_id(const cJSON *ids, long long id)
{
    for (const cJSON *v = ids ? ids->child : NULL; v; v = v->next)
        if (cJSON_IsNumber(v) && (long long)v->valuedouble == id) return true;
    return false;
}

/* The id of item IT, 0 when it has none. */
static long long id_of(const cJSON *it)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
    return cJSON_IsNumber(id) ? (long long)id->valuedouble : 0;
}

/* Does a playlist among ITEMS play item ID (a data.items[].content_id)? */
static bool played(const cJSON *items, long long id)
{
    for (const cJSON *it = items->child; it; it = it->next) {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "playlist") != 0) continue;
        const cJSON *data = cJSON_GetObjectItemCaseSensitive(it, "data");
        const cJSON *pl = cJSON_GetObjectItemCaseSensitive(data, "items");
        for (const cJSON *p = cJSON_IsArray(pl) ? pl->child : NULL; p; p = p->next) {
            const cJSON *cid = cJSON_GetObjectItemCaseSensitive(p, "content_id");
            if (cJSON_IsNumber(cid) && (long long)cid->valuedouble == id) return true;
        }
    }
    return false;
}

/* Publishes, for GROUP and MODE, BASE's content (NULL: none) with the items
 * of array ADDS appended (NULL: none; an item with the id of one of them is
 * replaced), without the items whose ids array REMOVE lists (NULL: none),
 * every expired console alert and every copy of hub content
 * (CONSOLE_COPY_ID_BASE) no playlist of the bundle plays any more; the
 * version is appended to VERSIONS. 0, or the error status with RESP filled. */
static int publish(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group,
                   const char *mode, const char *base, const cJSON *adds, const cJSON *remove,
                   long long min_expires, cJSON *versions)
{
    cJSON *m = base ? cJSON_Parse(base) : cJSON_CreateObject();
    cJSON *items = cJSON_GetObjectItemCaseSensitive(m, "items"), *gone = cJSON_CreateArray();
    char *text = NULL;
    int status = 0;
    if (!cJSON_IsObject(m)) {
        status = hub_error(resp, 500, "storage", "a published manifest cannot be read");
        goto end;
    }
    if (!base) {
        cJSON_AddNumberToObject(m, "format", 1);
        cJSON_AddArrayToObject(m, "assets");
    }
    if (!cJSON_IsArray(items)) items = cJSON_AddArrayToObject(m, "items");
    for (cJSON *it = items->child, *next; it; it = next) {
        next = it->next;
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
        const cJSON *exp = cJSON_GetObjectItemCaseSensitive(it, "expires");
        long long idv = id_of(it);
        bool console_alert = idv >= CONSOLE_ALERT_ID_BASE && idv < CONSOLE_PLAYLIST_ID_BASE &&
                             cJSON_IsString(kind) && !strcmp(kind->valuestring, "alert");
        bool expired = cJSON_IsNumber(exp) && (long long)exp->valuedouble <= req->now;
        bool same = false;
        for (const cJSON *a = adds ? adds->child : NULL; a && !same; a = a->next) same = id_of(a) == idv;
        if (has_id(remove, idv) || same || (console_alert && expired))
            cJSON_AddItemToArray(gone, cJSON_DetachItemViaPointer(items, it));
    }
    for (const cJSON *a = adds ? adds->child : NULL; a; a = a->next)
        cJSON_AddItemToArray(items, cJSON_Duplicate(a, true));
    /* A copy lives as long as a playlist of this bundle plays it: a
     * playlist withdrawn takes the copies only it used along. */
    for (cJSON *it = items->child, *next; it; it = next) {
        next = it->next;
        if (id_of(it) >= CONSOLE_COPY_ID_BASE && !played(items, id_of(it)))
            cJSON_AddItemToArray(gone, cJSON_DetachItemViaPointer(items, it));
    }
    if ((status = sync_assets(req, resp, m, gone, adds)) != 0) goto end;
    const cJSON *bexp = cJSON_GetObjectItemCaseSensitive(m, "expires");
    long long expires = cJSON_IsNumber(bexp) ? (long long)bexp->valuedouble : req->now + NO_BASE_VALID_S;
    if (expires < min_expires) expires = min_expires;
    cJSON_DeleteItemFromObjectCaseSensitive(m, "expires");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "target");
    cJSON_AddNumberToObject(m, "expires", (double)expires);
    cJSON *target = cJSON_AddObjectToObject(m, "target");
    cJSON_AddStringToObject(target, "mode", mode);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(target, "groups"), cJSON_CreateString(group));
    cJSON_AddArrayToObject(target, "kiosks");
    status = console_publish_manifest(req, resp, s, m, versions);
end:
    free(text);
    cJSON_Delete(m);
    cJSON_Delete(gone);
    return status;
}

int console_publish_manifest(hub_req_t *req, hub_resp_t *resp, const staff_t *s, cJSON *m, cJSON *versions)
{
    long long newest = db_int(req->db, "SELECT coalesce(max(version), 0) FROM content_bundles", NULL, -1);
    if (newest < 0) return hub_error(resp, 503, "busy", "the hub is busy; try again");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "version");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "created");
    cJSON_AddNumberToObject(m, "version", (double)(newest + 1));
    cJSON_AddNumberToObject(m, "created", (double)req->now);
    char *text = cJSON_PrintUnformatted(m);
    char sig[129], err[300];
    if (!text) return hub_error(resp, 500, "memory", "out of memory");
    /* The kiosks' own check (kiosk/content/manifest.c), stricter than the
     * hub's: a bundle a kiosk refuses would hold the whole group on its old
     * content, and every later console change is built on this one. */
    cm_manifest_t cm;
    if (cm_parse(text, strlen(text), &cm, err, sizeof err) != 0) {
        free(text);
        return hub_error(resp, 422, "invalid_manifest", "the kiosks would refuse this bundle: %s", err);
    }
    cm_free(&cm);
    if (signer_sign(hub_config(req->hub)->console_signer, text, strlen(text), sig, err, sizeof err) != 0) {
        free(text);
        return hub_error(resp, 503, "signer_unavailable", "%s", err);
    }
    /* Published as a staff member publishes with kioskctl: the hub checks
     * the signature against its content keys, the version, the assets. */
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "manifest", text);
    cJSON_AddStringToObject(body, "signature", sig);
    free(text);
    cJSON *saved = req->json;
    hub_device_t who = req->device;
    req->json = body;
    snprintf(req->device.id, sizeof req->device.id, "%s", s->name);
    api_bundle_publish(req, resp);
    req->json = saved;
    req->device = who;
    cJSON_Delete(body);
    if (resp->status != 201) return resp->status;
    cJSON_AddItemToArray(versions, cJSON_CreateNumber((double)(newest + 1)));
    return 0;
}

int console_publish_items(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group, const char *mode,
                          const cJSON *adds, const cJSON *remove, long long min_expires, cJSON *versions)
{
    char *hall = NULL, *street = NULL;
    long long vh = base_of(req, group, "hall", &hall), vs = base_of(req, group, "street", &street);
    int status = 0;
    if (vh < 0 || vs < 0) status = hub_error(resp, 500, "storage", "cannot read the published content");
    else if (mode) status = publish(req, resp, s, group, mode, !strcmp(mode, "hall") ? hall : street, adds, remove,
                                    min_expires, versions);
    else if (vh == vs) status = publish(req, resp, s, group, "any", hall, adds, remove, min_expires, versions);
    else if (!(status = publish(req, resp, s, group, "hall", hall, adds, remove, min_expires, versions)))
        status = publish(req, resp, s, group, "street", street, adds, remove, min_expires, versions);
    free(hall);
    free(street);
    if (status) return status;
    return console_publish_reload(req, resp, s, group);
}

int console_publish_group(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group,
                         const cJSON *add, long long remove_id, long long min_expires, cJSON *versions)
{
    cJSON *adds = cJSON_CreateArray(), *remove = cJSON_CreateArray();
    /* ADD: one item, or an array of them (a notice and its English). */
    for (const cJSON *a = cJSON_IsArray(add) ? add->child : add; a; a = cJSON_IsArray(add) ? a->next : NULL)
        cJSON_AddItemReferenceToArray(adds, (cJSON *)a);
    if (remove_id) cJSON_AddItemToArray(remove, cJSON_CreateNumber((double)remove_id));
    /* A notice's English item goes with it. */
    if (remove_id > CONSOLE_NOTICE_ID_BASE && remove_id < CONSOLE_NOTICE_EN_ID_BASE)
        cJSON_AddItemToArray(remove, cJSON_CreateNumber((double)(remove_id + CONSOLE_NOTICE_ID_SPAN)));
    int status = console_publish_items(req, resp, s, group, NULL, adds, remove, min_expires, versions);
    cJSON_Delete(adds);
    cJSON_Delete(remove);
    return status;
}

int console_publish_reload(hub_req_t *req, hub_resp_t *resp, const staff_t *s, const char *group)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(req->db, "INSERT INTO commands(device, kind, args, created, staff)"
                                         " SELECT id, 'reload_content', '{}', :now, :staff FROM devices"
                                         " WHERE role = 'kiosk' AND revoked = 0 AND (:g IS NULL OR kiosk_group = :g)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, req->now);
        sqlite3_bind_text(st, 2, s->name, -1, SQLITE_TRANSIENT);
        if (group) sqlite3_bind_text(st, 3, group, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : hub_error(resp, 500, "storage", "cannot queue the kiosks' reload");
}

int console_groups_check(hub_resp_t *resp, const staff_t *s, staff_perm_t perm, const cJSON *groups)
{
    int n = cJSON_IsArray(groups) ? cJSON_GetArraySize(groups) : 0;
    if (n < 1 || n > 16) return hub_error(resp, 422, "invalid_field", "groups: 1 to 16 kiosk groups");
    for (const cJSON *g = groups->child; g; g = g->next) {
        bool name = cJSON_IsString(g) && staff_groups_ok(g->valuestring) && !strchr(g->valuestring, ',') &&
                    strcmp(g->valuestring, "*") != 0;
        if (!name) return hub_error(resp, 422, "invalid_field", "groups: names of 1-63 of A-Z a-z 0-9 _ -");
        for (const cJSON *h = groups->child; h != g; h = h->next)
            if (!strcmp(h->valuestring, g->valuestring))
                return hub_error(resp, 422, "invalid_field", "groups: %s twice", g->valuestring);
        if (!staff_may(s, perm, g->valuestring))
            return hub_error(resp, 403, "forbidden", "group %s is not yours", g->valuestring);
    }
    return 0;
}
