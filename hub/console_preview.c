#include "console_preview.h"

#include <errno.h>
#include <ftw.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "console_auth.h"
#include "console_item.h"
#include "console_notice.h"
#include "sandbox.h"
#include "staff.h"
#include "utf8.h"

#define REPORT_MAX (64 * 1024)
#define PNG_MAX (16 * 1024 * 1024)
#define IMAGES_MAX CONSOLE_NOTICE_IMAGES_MAX   /* what a notice may have; the kiosk draws the first */
#define DATA_MAX CONSOLE_ITEM_DATA_MAX         /* a guide's data, as the kiosk holds it (INFO_DATA_MAX) */
#define KIOSK_MEM (1024LL * 1024 * 1024)
#define GROUPS_MAX 64
#define FLEET_AGE_S (30 * 86400)     /* kiosks silent longer are not counted: moved or retired */

static const char *const themes[] = {"standard", "elder", "contrast"};
static const char *const kinds[] = {"notice", "event", "lecture", "library", "guide", "alert", NULL};

static atomic_int running;           /* previews under way in this process */

int console_preview_sizes(const char *text, int w[], int h[])
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p || *end != 'x') return -1;
        p = end + 1;
        long b = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || a < 200 || a > 8192 || b < 200 || b > 8192 ||
            n >= CONSOLE_PREVIEW_SIZES_MAX)
            return -1;
        w[n] = (int)a;
        h[n++] = (int)b;
        p = *end ? end + 1 : end;
        if (*end && !*p) return -1;             /* a trailing comma */
    }
    return n > 0 ? n : -1;
}

/* ---- the item -------------------------------------------------------------- */

static const cJSON *get(const cJSON *o, const char *k) { return cJSON_GetObjectItemCaseSensitive(o, k); }

static bool text_ok(const cJSON *v, size_t min, size_t max)
{
    if (!cJSON_IsString(v)) return false;
    size_t n = strlen(v->valuestring);
    return n >= min && n <= max && utf8_valid(v->valuestring, n);
}

static bool whole_ok(const cJSON *v, double max)
{
    return !v || (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble &&
                  v->valuedouble >= 0 && v->valuedouble <= max);
}

static bool word_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") == n;
}

/* Is picture SHA in content_assets? 1 yes, 0 no, -1 database error. */
static int asset_known(sqlite3 *db, const char *sha)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM content_assets WHERE sha256 = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The item the kiosk is given, from the request's fields (the notice
 * form's, and the other kinds' optional ones), checked; NULL with RESP
 * filled. Fields it does not draw (days, groups) are left out. */
static cJSON *item_of(hub_req_t *req, hub_resp_t *resp)
{
    const cJSON *j = req->json;
    const cJSON *kind = get(j, "kind"), *title = get(j, "title"), *body = get(j, "body");
    const cJSON *cat = get(j, "category"), *pinned = get(j, "pinned"), *locale = get(j, "locale");
    const cJSON *images = get(j, "images"), *data = get(j, "data");
    const cJSON *starts = get(j, "starts"), *places = get(j, "places"), *left = get(j, "left");
    const char *k = cJSON_IsString(kind) ? kind->valuestring : "notice";
    bool known = false;
    for (int i = 0; kinds[i]; i++) known |= !strcmp(k, kinds[i]);
    if (!title || !body) {
        hub_error(resp, 422, "missing_field", "title and body are required");
        return NULL;
    }
    if ((kind && !cJSON_IsString(kind)) || !known) {
        hub_error(resp, 422, "invalid_field", "kind: notice, event, lecture, library, guide or alert");
        return NULL;
    }
    bool guide = !strcmp(k, "guide"), notice = !strcmp(k, "notice");
    if (!text_ok(title, 1, CONSOLE_NOTICE_TITLE_MAX) || !text_ok(body, guide ? 0 : 1, CONSOLE_NOTICE_BODY_MAX)) {
        hub_error(resp, 422, "invalid_field", "title: 1-%d bytes, body: 1-%d bytes of UTF-8",
                  CONSOLE_NOTICE_TITLE_MAX, CONSOLE_NOTICE_BODY_MAX);
        return NULL;
    }
    if (cat && (!cJSON_IsString(cat) || !word_ok(cat->valuestring, 32) ||
                (notice && strcmp(cat->valuestring, "community") && strcmp(cat->valuestring, "government")))) {
        hub_error(resp, 422, "invalid_field", "category: community or government for a notice; else 1-32 letters");
        return NULL;
    }
    if (pinned && !cJSON_IsBool(pinned)) {
        hub_error(resp, 422, "invalid_field", "pinned: true or false");
        return NULL;
    }
    if (locale && (!cJSON_IsString(locale) || !word_ok(locale->valuestring, 15))) {
        hub_error(resp, 422, "invalid_field", "locale: a locale name such as zh_CN");
        return NULL;
    }
    if (!whole_ok(starts, 1e12) || !whole_ok(places, 1e6) || !whole_ok(left, 1e6) || (!places != !left) ||
        (places && left->valuedouble > places->valuedouble)) {
        hub_error(resp, 422, "invalid_field", "starts, places, left: whole numbers; places and left together, "
                  "left at most places");
        return NULL;
    }
    char *data_text = NULL;
    if (data && !cJSON_IsNull(data)) {
        data_text = cJSON_IsObject(data) ? cJSON_PrintUnformatted(data) : NULL;
        if (!data_text || strlen(data_text) > DATA_MAX) {
            cJSON_free(data_text);
            hub_error(resp, 422, "invalid_field", "data: an object of at most %d bytes", DATA_MAX);
            return NULL;
        }
        cJSON_free(data_text);
    }
    if (images && !cJSON_IsNull(images)) {
        if (!cJSON_IsArray(images) || cJSON_GetArraySize(images) > IMAGES_MAX) {
            hub_error(resp, 422, "invalid_field", "images: up to %d pictures' sha256", IMAGES_MAX);
            return NULL;
        }
        const cJSON *v;
        cJSON_ArrayForEach(v, images) {
            int known_asset = cJSON_IsString(v) && strlen(v->valuestring) == 64 &&
                              strspn(v->valuestring, "0123456789abcdef") == 64 ? asset_known(req->db, v->valuestring) : 0;
            if (known_asset < 0) {
                hub_error(resp, 503, "busy", "the database is busy; try again");
                return NULL;
            }
            if (!known_asset) {
                hub_error(resp, 422, "invalid_field", "images: each a sha256 of a picture uploaded to the hub");
                return NULL;
            }
        }
    }
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "kind", k);
    cJSON_AddStringToObject(it, "title", title->valuestring);
    cJSON_AddStringToObject(it, "body", body->valuestring);
    cJSON_AddStringToObject(it, "category", cat ? cat->valuestring : !strcmp(k, "alert") ? "alert" : "community");
    cJSON_AddStringToObject(it, "locale", locale ? locale->valuestring : "zh_CN");
    cJSON_AddNumberToObject(it, "published", (double)req->now);     /* as if published now */
    cJSON_AddBoolToObject(it, "pinned", cJSON_IsTrue(pinned));
    if (starts) cJSON_AddNumberToObject(it, "starts", starts->valuedouble);
    if (places) {
        cJSON_AddNumberToObject(it, "places", places->valuedouble);
        cJSON_AddNumberToObject(it, "left", left->valuedouble);
    }
    if (data && cJSON_IsObject(data)) cJSON_AddItemToObject(it, "data", cJSON_Duplicate(data, true));
    if (images && cJSON_IsArray(images)) cJSON_AddItemToObject(it, "images", cJSON_Duplicate(images, true));
    return it;
}

/* ---- the sizes ----------------------------------------------------------- */

/* The draft's GROUPS (a JSON array of names, or absent): 0, or -1 with
 * RESP filled. */
static int groups_ok(const cJSON *groups, hub_resp_t *resp)
{
    if (!groups || cJSON_IsNull(groups)) return 0;
    bool ok = cJSON_IsArray(groups) && cJSON_GetArraySize(groups) <= GROUPS_MAX;
    const cJSON *g;
    cJSON_ArrayForEach(g, groups) ok &= text_ok(g, 1, 64);
    if (!ok) hub_error(resp, 422, "invalid_field", "groups: up to %d group names", GROUPS_MAX);
    return ok ? 0 : -1;
}

/* The screen sizes the kiosks of GROUPS reported in their latest heartbeat
 * (display_w x display_h, after rotation; kiosks heard from in the last 30
 * days), distinct, the most common first, at most CONSOLE_PREVIEW_SIZES_MAX:
 * how many, 0 when none said (older kiosks do not), -1 on a database error. */
static int fleet_sizes(sqlite3 *db, const cJSON *groups, long long now, int w[], int h[])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "SELECT w, h FROM (SELECT json_extract(hb.body, '$.display_w') AS w,"
            " json_extract(hb.body, '$.display_h') AS h FROM heartbeats hb JOIN devices d ON d.id = hb.device"
            " WHERE d.role = 'kiosk' AND d.revoked = 0 AND hb.received >= ?2"
            " AND d.kiosk_group IN (SELECT value FROM json_each(?1)))"
            " WHERE typeof(w) = 'integer' AND typeof(h) = 'integer' AND w BETWEEN 200 AND 8192"
            " AND h BETWEEN 200 AND 8192 GROUP BY w, h ORDER BY count(*) DESC, w DESC, h DESC LIMIT ?3",
            -1, &st, NULL) != SQLITE_OK)
        return -1;
    char *list = cJSON_PrintUnformatted(groups);
    if (!list) {
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_bind_text(st, 1, list, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now - FLEET_AGE_S);
    sqlite3_bind_int(st, 3, CONSOLE_PREVIEW_SIZES_MAX);
    cJSON_free(list);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        w[n] = sqlite3_column_int(st, 0);
        h[n++] = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? n : -1;
}

/* ---- files ----------------------------------------------------------------- */

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wbx");
    if (!f) return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

/* PATH (at most MAX bytes) into a malloc'd buffer, NUL-terminated. */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* The picture the kiosk draws (ITEM's first) from content_assets into
 * DIR/images/<sha256>: the others are not on its screens. */
static int write_images(sqlite3 *db, const cJSON *item, const char *dir)
{
    const cJSON *v = cJSON_GetArrayItem(get(item, "images"), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/images", dir);
    if (mkdir(path, 0700) != 0) return -1;
    if (v) {
        sqlite3_stmt *st = NULL;
        int rc = -1;
        if (sqlite3_prepare_v2(db, "SELECT data FROM content_assets WHERE sha256 = ?1", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, v->valuestring, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) {
                snprintf(path, sizeof path, "%s/images/%s", dir, v->valuestring);
                rc = write_file(path, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
            }
        }
        sqlite3_finalize(st);
        if (rc != 0) return -1;
    }
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    remove(path);
    return 0;
}

/* The last line of the child's standard error, printable, for a message. */
static void last_line(const char *path, char *out, size_t len)
{
    size_t n = 0;
    char *text = read_file(path, REPORT_MAX, &n);
    out[0] = '\0';
    if (!text) return;
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = '\0';
    char *start = strrchr(text, '\n');
    start = start ? start + 1 : text;
    size_t k = strlen(start);
    if (k >= len) k = utf8_floor(start, len - 1);
    memcpy(out, start, k);
    out[k] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20) *p = ' ';
    free(text);
}

/* The PNG's width and height (IHDR); 0 when it is not a PNG. */
static int png_size(const unsigned char *p, size_t len, int *w, int *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 24 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0) return 0;
    *w = (int)((unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19]);
    *h = (int)((unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23]);
    return 1;
}

/* ---- one render -------------------------------------------------------------- */

typedef struct {
    const hub_config_t *cfg;
    char dir[512];
    bool images;
    int timeout_s;
} job_t;

/* Runs the kiosk for size W x H in THEME; its answer into OUT. 0, or the
 * error status with RESP filled. */
static int render(const job_t *j, int w, int h, const char *theme, int n, cJSON *out, hub_resp_t *resp)
{
    char item[700], png[700], so[700], se[700], images[700], size[32], tmp[700], home[700];
    snprintf(item, sizeof item, "%s/item.json", j->dir);
    snprintf(png, sizeof png, "%s/%d.png", j->dir, n);
    snprintf(so, sizeof so, "%s/%d.out", j->dir, n);
    snprintf(se, sizeof se, "%s/%d.err", j->dir, n);
    snprintf(images, sizeof images, "%s/images", j->dir);
    snprintf(size, sizeof size, "%dx%d", w, h);
    snprintf(tmp, sizeof tmp, "TMPDIR=%s", j->dir);
    snprintf(home, sizeof home, "HOME=%s", j->dir);
    const char *argv[16] = {j->cfg->console_preview_kiosk, "--preview", item, "--out", png, "--size", size,
                            "--theme", theme};
    int a = 9;
    if (j->images) { argv[a++] = "--images"; argv[a++] = images; }
    if (j->cfg->console_preview_config[0]) { argv[a++] = "--config"; argv[a++] = j->cfg->console_preview_config; }
    argv[a] = NULL;
    /* Nothing of the hub's environment (no proxies, no credentials): only
     * what a headless render needs. */
    const char *envp[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "SDL_VIDEODRIVER=dummy", "SDL_AUDIODRIVER=dummy",
                          tmp, home, NULL};
    sandbox_opts_t o = {argv, envp, so, se, j->timeout_s * 1000, j->timeout_s, KIOSK_MEM, PNG_MAX};
    char err[300], why[320];
    int code = 0;
    sandbox_result_t r = sandbox_run(&o, &code, err, sizeof err);
    if (r == SANDBOX_FAILED) return hub_error(resp, 500, "preview_failed", "cannot run the kiosk: %s", err);
    if (r == SANDBOX_TIMEOUT)
        return hub_error(resp, 504, "preview_timeout", "the kiosk took longer than %d s to draw %s %s; it was stopped",
                         j->timeout_s, size, theme);
    last_line(se, why, sizeof why);
    if (r == SANDBOX_SIGNALLED)
        return hub_error(resp, 502, "preview_failed", "the kiosk stopped on signal %d drawing %s %s (a limit?)",
                         code, size, theme);
    if (code != 0)
        return hub_error(resp, 502, "preview_failed", "the kiosk could not draw %s %s (exit %d): %s", size, theme,
                         code, why[0] ? why : "no message");
    size_t len = 0;
    char *text = read_file(so, REPORT_MAX, &len);
    cJSON *rep = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *fits = get(rep, "fits"), *problems = get(rep, "problems"), *screen = get(rep, "screen");
    if (!cJSON_IsBool(fits) || !cJSON_IsArray(problems)) {
        cJSON_Delete(rep);
        return hub_error(resp, 502, "preview_failed", "the kiosk's report for %s %s is not one (is %s a kiosk?)",
                         size, theme, j->cfg->console_preview_kiosk);
    }
    unsigned char *bytes = (unsigned char *)read_file(png, PNG_MAX, &len);
    int pw = 0, ph = 0;
    if (!bytes || !png_size(bytes, len, &pw, &ph) || pw != w || ph != h) {
        free(bytes);
        cJSON_Delete(rep);
        return hub_error(resp, 502, "preview_failed", "the kiosk's picture for %s %s is missing or not %s",
                         size, theme, size);
    }
    size_t b64len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64len);
    if (!b64) {
        free(bytes);
        cJSON_Delete(rep);
        return hub_error(resp, 500, "memory", "out of memory");
    }
    sodium_bin2base64(b64, b64len, bytes, len, sodium_base64_VARIANT_ORIGINAL);
    free(bytes);
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "size", size);
    cJSON_AddStringToObject(e, "theme", theme);
    cJSON_AddBoolToObject(e, "fits", cJSON_IsTrue(fits));
    /* the kiosk screen it was drawn on: a guide on the guide detail, other kinds on the notice detail */
    cJSON_AddStringToObject(e, "screen", cJSON_IsString(screen) ? screen->valuestring : "");
    cJSON_AddItemToObject(e, "problems", cJSON_DetachItemFromObject(rep, "problems"));
    cJSON_AddStringToObject(e, "png", b64);
    free(b64);
    cJSON_Delete(rep);
    cJSON_AddItemToArray(out, e);
    return 0;
}

void console_preview(hub_req_t *req, hub_resp_t *resp)
{
    staff_t s;
    if (console_session_check(req, resp, true, &s, NULL) != 0) return;
    if (!staff_may(&s, STAFF_WRITE_DRAFT, NULL)) {
        hub_error(resp, 403, "forbidden", "an editor or higher previews drafts");
        return;
    }
    const hub_config_t *cfg = hub_config(req->hub);
    if (!cfg->console_preview_kiosk[0]) {
        hub_error(resp, 503, "preview_unavailable", "previews are off: hub.ini [console] preview_kiosk is not set");
        return;
    }
    const cJSON *groups = get(req->json, "groups");
    if (groups_ok(groups, resp) != 0) return;
    cJSON *item = item_of(req, resp);
    if (!item) return;
    /* The sizes of the draft's kiosks when they said them; else the configured ones. */
    int w[CONSOLE_PREVIEW_SIZES_MAX], h[CONSOLE_PREVIEW_SIZES_MAX];
    int nsizes = cJSON_GetArraySize(groups) > 0 ? fleet_sizes(req->db, groups, req->now, w, h) : 0;
    if (nsizes < 0) {
        cJSON_Delete(item);
        hub_error(resp, 503, "busy", "the database is busy; try again");
        return;
    }
    const char *from = nsizes > 0 ? "fleet" : "config";
    if (nsizes == 0)
        nsizes = console_preview_sizes(cfg->console_preview_sizes[0] ? cfg->console_preview_sizes
                                                                      : CONSOLE_PREVIEW_SIZES_DEFAULT, w, h);
    if (nsizes < 1) nsizes = console_preview_sizes(CONSOLE_PREVIEW_SIZES_DEFAULT, w, h);
    int max = cfg->console_preview_max > 0 ? cfg->console_preview_max : 1;
    if (atomic_fetch_add(&running, 1) >= max) {
        atomic_fetch_sub(&running, 1);
        cJSON_Delete(item);
        resp->retry_after = 2;
        hub_error(resp, 429, "previews_busy", "other previews are being drawn; try again in a moment");
        return;
    }
    char dir[512];
    const char *tmp = cfg->spool_dir[0] ? cfg->spool_dir : getenv("TMPDIR");
    int dn = snprintf(dir, sizeof dir, "%s/hub-preview-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    cJSON *list = NULL;
    char *text = NULL;
    if (dn < 0 || (size_t)dn >= sizeof dir || !mkdtemp(dir)) {
        hub_error(resp, 500, "preview_failed", "cannot make a directory for the preview: %s", strerror(errno));
        dir[0] = '\0';
        goto done;
    }
    char path[700];
    snprintf(path, sizeof path, "%s/item.json", dir);
    text = cJSON_PrintUnformatted(item);
    if (!text || write_file(path, text, strlen(text)) != 0 ||
        (get(item, "images") && write_images(req->db, item, dir) != 0)) {
        hub_error(resp, 500, "preview_failed", "cannot write the item for the kiosk");
        goto done;
    }
    job_t j = {.cfg = cfg, .images = get(item, "images") != NULL,
               .timeout_s = cfg->console_preview_timeout_s > 0 ? cfg->console_preview_timeout_s : 20};
    memcpy(j.dir, dir, sizeof j.dir);
    list = cJSON_CreateArray();
    bool all = true;
    for (int i = 0, n = 0; i < nsizes; i++)
        for (int t = 0; t < 3; t++, n++) {
            if (render(&j, w[i], h[i], themes[t], n, list, resp) != 0) goto done;
            all &= cJSON_IsTrue(get(cJSON_GetArrayItem(list, n), "fits"));
        }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "fits", all);
    cJSON_AddStringToObject(o, "sizes_from", from);
    cJSON_AddItemToObject(o, "previews", list);
    list = NULL;
    hub_reply(resp, 200, o);
done:
    cJSON_Delete(list);
    cJSON_free(text);
    cJSON_Delete(item);
    if (dir[0]) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    atomic_fetch_sub(&running, 1);
}
