/* Build, sign and publish content bundles (see bundle.h). */
#include "content/bundle.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/manifest.h"
#include "net/hub_api.h"

static int fail(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

char *content_read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    char *buf = NULL;
    long n;
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1))) {
        if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
            free(buf);
            buf = NULL;
        } else {
            buf[n] = '\0';
            if (len) *len = (size_t)n;
        }
    }
    fclose(fp);
    return buf;
}

static int write_file(const char *path, const void *data, size_t len, int mode)
{
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return -1;
    const char *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w <= 0) { close(fd); unlink(tmp); return -1; }
        done += (size_t)w;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) { unlink(tmp); return -1; }
    return 0;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of DIR's regular files ending in SUFFIX ("" = any). */
static char **list_dir(const char *dir, const char *suffix, int *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d) return NULL;
    char **v = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' || l < sl || strcmp(e->d_name + l - sl, suffix)) continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nv = realloc(v, sizeof *v * (size_t)cap);
            if (!nv) break;
            v = nv;
        }
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (v) qsort(v, (size_t)*n, sizeof *v, cmp_name);
    return v;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
}

static const char *image_type(const unsigned char *p, size_t n)
{
    if (n >= 8 && !memcmp(p, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) return "image/jpeg";
    return NULL;
}

/* Hashes SRC/images/NAME, copies it to OUT/assets/<sha>, adds it to ASSETS
 * (once). Writes the sha into SHA. */
static int add_image(const char *src, const char *out, const char *name, cJSON *assets,
                     char sha[65], char *err, size_t errlen)
{
    char path[600];
    if (strchr(name, '/') || name[0] == '.')
        return fail(err, errlen, "not a plain file name in images/: %s", name);
    snprintf(path, sizeof path, "%s/images/%s", src, name);
    size_t len = 0;
    char *data = content_read_file(path, &len);
    if (!data) return fail(err, errlen, "no file images/%s", name);
    const char *type = image_type((const unsigned char *)data, len);
    int rc = -1;
    if (!type) { fail(err, errlen, "images/%s is not a PNG or JPEG", name); goto end; }
    if (len > CONTENT_MAX_ASSET_SIZE) { fail(err, errlen, "images/%s is over 8 MiB", name); goto end; }
    unsigned char h[32];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    sodium_bin2hex(sha, 65, h, 32);
    for (const cJSON *a = assets->child; a; a = a->next)
        if (!strcmp(cJSON_GetObjectItem(a, "sha256")->valuestring, sha)) { rc = 0; goto end; }
    snprintf(path, sizeof path, "%s/assets/%s", out, sha);
    if (write_file(path, data, len, 0644) != 0) { fail(err, errlen, "cannot write %s", path); goto end; }
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "sha256", sha);
    cJSON_AddNumberToObject(a, "size", (double)len);
    cJSON_AddStringToObject(a, "type", type);
    cJSON_AddItemToArray(assets, a);
    rc = 0;
end:
    free(data);
    return rc;
}

int content_build(const char *src, const char *out, long long now, int *n_items, int *n_assets,
                  char *err, size_t errlen)
{
    char path[600];
    int rc = -1, n = 0;
    char **names = NULL;
    cJSON *bundle = NULL, *man = NULL;
    char *text = NULL;
    if (sodium_init() < 0) return fail(err, errlen, "libsodium failed");

    snprintf(path, sizeof path, "%s/bundle.json", src);
    size_t len;
    char *raw = content_read_file(path, &len);
    if (!raw) return fail(err, errlen, "bundle.json: cannot read it");
    bundle = cJSON_ParseWithLength(raw, len);
    free(raw);
    if (!cJSON_IsObject(bundle)) { fail(err, errlen, "bundle.json: not a JSON object"); goto end; }
    for (const cJSON *m = bundle->child; m; m = m->next)
        if (strcmp(m->string, "version") && strcmp(m->string, "expires") && strcmp(m->string, "target") &&
            strcmp(m->string, "created") && strcmp(m->string, "valid_days")) {
            fail(err, errlen, "bundle.json: %s: unknown field", m->string);
            goto end;
        }
    const cJSON *ver = cJSON_GetObjectItem(bundle, "version"), *exp = cJSON_GetObjectItem(bundle, "expires");
    const cJSON *tgt = cJSON_GetObjectItem(bundle, "target"), *cre = cJSON_GetObjectItem(bundle, "created");
    if (!cJSON_IsNumber(ver) || ver->valuedouble < 1) { fail(err, errlen, "bundle.json: version: missing or not a whole number >= 1"); goto end; }
    /* Either a fixed end (expires) or a lifetime from the build (valid_days):
     * a folder kept in a repository or reused every month must not carry a
     * date that runs out. */
    const cJSON *days = cJSON_GetObjectItem(bundle, "valid_days");
    double expires = 0;
    if (exp && days) { fail(err, errlen, "bundle.json: give expires or valid_days, not both"); goto end; }
    if (days) {
        if (!cJSON_IsNumber(days) || days->valuedouble < 1 || days->valuedouble > 3650 ||
            days->valuedouble != (double)(long)days->valuedouble) {
            fail(err, errlen, "bundle.json: valid_days: not a whole number of days from 1 to 3650");
            goto end;
        }
        expires = (double)now + days->valuedouble * 86400.0;
    } else if (!cJSON_IsNumber(exp) || exp->valuedouble <= (double)now) {
        fail(err, errlen, "bundle.json: expires: missing, or not in the future (Unix seconds; or give valid_days)");
        goto end;
    } else {
        expires = exp->valuedouble;
    }
    if (cre && !cJSON_IsNumber(cre)) { fail(err, errlen, "bundle.json: created: not a number"); goto end; }
    if (tgt && cm_target_check(tgt, "bundle.json: target", err, errlen) != 0) goto end;

    snprintf(path, sizeof path, "%s/assets", out);
    if ((mkdir(out, 0755) != 0 && errno != EEXIST) || (mkdir(path, 0755) != 0 && errno != EEXIST)) {
        fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
        goto end;
    }
    man = cJSON_CreateObject();
    cJSON_AddNumberToObject(man, "format", CONTENT_FORMAT);
    cJSON_AddNumberToObject(man, "version", ver->valuedouble);
    cJSON_AddNumberToObject(man, "created", cre ? cre->valuedouble : (double)now);
    cJSON_AddNumberToObject(man, "expires", expires);
    if (tgt) cJSON_AddItemToObject(man, "target", cJSON_Duplicate(tgt, 1));
    else cJSON_AddItemToObject(man, "target", cJSON_Parse("{\"mode\":\"any\",\"groups\":[],\"kiosks\":[]}"));
    cJSON *items = cJSON_AddArrayToObject(man, "items");
    cJSON *assets = cJSON_AddArrayToObject(man, "assets");

    snprintf(path, sizeof path, "%s/items", src);
    names = list_dir(path, ".json", &n);
    if (n == 0) { fail(err, errlen, "items/: no *.json item files"); goto end; }
    long long *ids = calloc((size_t)n, sizeof *ids);
    if (!ids) { fail(err, errlen, "out of memory"); goto end; }
    for (int i = 0; i < n; i++) {
        char where[300];
        snprintf(where, sizeof where, "items/%s", names[i]);
        snprintf(path, sizeof path, "%s/items/%s", src, names[i]);
        raw = content_read_file(path, &len);
        cJSON *it = raw ? cJSON_ParseWithLength(raw, len) : NULL;
        free(raw);
        if (!it) { fail(err, errlen, "%s: not JSON", where); free(ids); goto end; }
        cJSON_AddItemToArray(items, it);
        cJSON *im = cJSON_GetObjectItem(it, "images");
        if (im && cJSON_IsArray(im)) {
            int k = 0;
            for (cJSON *s = im->child; s; s = s->next, k++) {
                char sha[65], e2[300];
                if (!cJSON_IsString(s)) { fail(err, errlen, "%s: images[%d]: not a file name", where, k); free(ids); goto end; }
                if (add_image(src, out, s->valuestring, assets, sha, e2, sizeof e2) != 0) {
                    fail(err, errlen, "%s: images[%d]: %s", where, k, e2);
                    free(ids);
                    goto end;
                }
                cJSON_SetValuestring(s, sha);
            }
        }
        cm_item_t ci;
        if (cm_item_check(it, where, &ci, err, errlen) != 0) { free(ids); goto end; }
        for (int j = 0; j < i; j++)
            if (ids[j] == ci.id) {
                fail(err, errlen, "%s: id: %lld is also the id of items/%s", where, ci.id, names[j]);
                free(ids);
                goto end;
            }
        ids[i] = ci.id;
    }
    free(ids);
    text = cJSON_PrintUnformatted(man);
    cm_manifest_t m;
    if (!text) { fail(err, errlen, "out of memory"); goto end; }
    if (cm_parse(text, strlen(text), &m, err, errlen) != 0) goto end;   /* cross-checks */
    if (n_items) *n_items = m.n_items;
    if (n_assets) *n_assets = m.n_assets;
    cm_free(&m);
    snprintf(path, sizeof path, "%s/manifest.sig", out);
    unlink(path);
    snprintf(path, sizeof path, "%s/manifest.json", out);
    if (write_file(path, text, strlen(text), 0644) != 0) { fail(err, errlen, "cannot write %s", path); goto end; }
    rc = 0;
end:
    free_list(names, n);
    cJSON_Delete(bundle);
    cJSON_Delete(man);
    free(text);
    return rc;
}

int content_keygen(const char *key_file, char pk_hex[65], char *err, size_t errlen)
{
    unsigned char pk[32], sk[64];
    char hex[129];
    if (sodium_init() < 0) return fail(err, errlen, "libsodium failed");
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, sk, sizeof sk);
    sodium_memzero(sk, sizeof sk);
    int fd = open(key_file, O_WRONLY | O_CREAT | O_EXCL, 0600);
    int rc = -1;
    if (fd < 0) {
        fail(err, errlen, "%s: %s", key_file, errno == EEXIST ? "exists (not overwritten)" : strerror(errno));
    } else {
        strcat(hex, "\n");
        rc = write(fd, hex, 129) == 129 && close(fd) == 0 ? 0 : fail(err, errlen, "%s: write failed", key_file);
        if (rc != 0) unlink(key_file);
    }
    sodium_memzero(hex, sizeof hex);
    if (rc == 0) sodium_bin2hex(pk_hex, 65, pk, sizeof pk);
    return rc;
}

int content_sign(const char *out, const char *key_file, char pk_hex[65], char *err, size_t errlen)
{
    char path[600], sig[130];
    unsigned char sk[64];
    size_t len = 0, n = 0;
    if (sodium_init() < 0) return fail(err, errlen, "libsodium failed");
    char *key = content_read_file(key_file, &len);
    if (!key) return fail(err, errlen, "%s: cannot read the key", key_file);
    int bad = len < 128 || sodium_hex2bin(sk, sizeof sk, key, 128, NULL, &n, NULL) != 0 || n != 64;
    sodium_memzero(key, len);
    free(key);
    if (bad) return fail(err, errlen, "%s: not a secret key (128 hex digits)", key_file);
    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *man = content_read_file(path, &len);
    int rc = -1;
    if (!man) fail(err, errlen, "%s: cannot read it (run content build first)", path);
    else if (cm_sign(man, len, sk, sig) != 0) fail(err, errlen, "signing failed");
    else {
        strcat(sig, "\n");
        snprintf(path, sizeof path, "%s/manifest.sig", out);
        rc = write_file(path, sig, 129, 0644) == 0 ? 0 : fail(err, errlen, "cannot write %s", path);
        if (rc == 0 && pk_hex) {
            unsigned char pk[32];
            crypto_sign_ed25519_sk_to_pk(pk, sk);
            sodium_bin2hex(pk_hex, 65, pk, sizeof pk);
        }
    }
    sodium_memzero(sk, sizeof sk);
    free(man);
    return rc;
}

int content_publish(const char *out, const char *url, const char *token, long long *version,
                    char *err, size_t errlen)
{
    char path[600];
    size_t len = 0, slen = 0;
    int rc = -1;
    cm_manifest_t m = {0};
    hub_content_t *c = NULL;
    snprintf(path, sizeof path, "%s/manifest.json", out);
    char *man = content_read_file(path, &len);
    snprintf(path, sizeof path, "%s/manifest.sig", out);
    char *sig = content_read_file(path, &slen);
    if (!man) { fail(err, errlen, "%s/manifest.json: cannot read it (run content build)", out); goto end; }
    if (!sig) { fail(err, errlen, "%s/manifest.sig: cannot read it (run content sign)", out); goto end; }
    sig[strcspn(sig, "\r\n")] = '\0';
    char perr[200];
    if (cm_parse(man, len, &m, perr, sizeof perr) != 0) { fail(err, errlen, "manifest.json: %s", perr); goto end; }
    if (!(c = hub_content_new(url, token, 30000, NULL))) { fail(err, errlen, "bad hub URL or token"); goto end; }
    hub_status_t st;
    for (int i = 0; i < m.n_assets; i++) {
        size_t alen = 0;
        snprintf(path, sizeof path, "%s/assets/%s", out, m.assets[i].sha256);
        char *data = content_read_file(path, &alen);
        if (!data) { fail(err, errlen, "%s: cannot read it", path); goto end; }
        hub_asset_upload(c, m.assets[i].sha256, data, alen, m.assets[i].type, &st);
        free(data);
        if (st.result != HUB_OK) {
            fail(err, errlen, "asset %s: %d %s: %s", m.assets[i].sha256, st.http, st.code, st.message);
            goto end;
        }
    }
    char key[48];
    hub_new_key("publish-", key, sizeof key);
    hub_bundle_publish(c, man, sig, key, version, &st);
    if (st.result != HUB_OK) { fail(err, errlen, "publish: %d %s: %s", st.http, st.code, st.message); goto end; }
    rc = 0;
end:
    hub_content_free(c);
    cm_free(&m);
    free(man);
    free(sig);
    return rc;
}
