/* Content sync worker (see sync.h). */
#include "content/sync.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "content/content_store.h"
#include "content/manifest.h"
#include "core/clock.h"
#include "core/log.h"
#include "net/hub_api.h"
#include "store/store.h"
#include "core/worker.h"

#define MOD "content"

const char *content_outcome_name(content_outcome_t o)
{
    static const char *const n[] = {"unchanged", "applied", "no_bundle", "offline", "rejected",
                                    "asset_failed", "local_error"};
    return (unsigned)o < sizeof n / sizeof *n ? n[o] : "?";
}

struct content_sync {
    char hub_url[256], token[256], var_dir[256], public_key[80], mode[8], group[64];
    char kiosk_id[64];
    char assets[300];                 /* VAR_DIR/content/assets */
    int poll_s;
    content_notify_fn notify;
    void *ud;
    store_t *store;
    hub_content_t *hub;
    char rejected_etag[80];           /* a bundle refused: not fetched again until it changes */
};

static _Atomic long long current_version;

static int mkdirs(const char *path)
{
    char buf[300];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

content_sync_t *content_sync_new(const content_config_t *cfg, const volatile int *abort,
                                 char *err, size_t errlen)
{
    unsigned char pk[32];
    size_t n = 0;
    if (!cfg->public_key || strlen(cfg->public_key) != CONTENT_KEY_HEX ||
        sodium_hex2bin(pk, sizeof pk, cfg->public_key, CONTENT_KEY_HEX, NULL, &n, NULL) != 0 || n != 32) {
        snprintf(err, errlen, "content sync off: [content] public_key is not 64 hex digits");
        return NULL;
    }
    content_sync_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(s->hub_url, sizeof s->hub_url, "%s", cfg->hub_url ? cfg->hub_url : "");
    snprintf(s->token, sizeof s->token, "%s", cfg->token ? cfg->token : "");
    snprintf(s->var_dir, sizeof s->var_dir, "%s", cfg->var_dir ? cfg->var_dir : "var");
    snprintf(s->public_key, sizeof s->public_key, "%s", cfg->public_key);
    snprintf(s->mode, sizeof s->mode, "%s", cfg->mode && !strcmp(cfg->mode, "street") ? "street" : "hall");
    snprintf(s->group, sizeof s->group, "%s", cfg->group ? cfg->group : "");
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "%.*s", (int)strcspn(s->token, "."), s->token);
    snprintf(s->assets, sizeof s->assets, "%s/content/assets", s->var_dir);
    s->poll_s = cfg->poll_s > 0 ? cfg->poll_s : 300;
    s->notify = cfg->notify;
    s->ud = cfg->ud;
    if (mkdirs(s->assets) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", s->assets, strerror(errno));
        goto fail;
    }
    if (store_open(s->var_dir, &s->store, err, (int)errlen) != 0) goto fail;
    s->hub = hub_content_new(s->hub_url, s->token, cfg->timeout_ms > 0 ? cfg->timeout_ms : 10000, abort);
    if (!s->hub) {
        snprintf(err, errlen, "cannot create the HTTP client (bad token?)");
        goto fail;
    }
    long long v;
    if (content_store_current(s->store, &v, NULL, 0) >= 0) atomic_store(&current_version, v);
    return s;
fail:
    content_sync_free(s);
    return NULL;
}

void content_sync_free(content_sync_t *s)
{
    if (!s) return;
    hub_content_free(s->hub);
    if (s->store) store_close(s->store);
    sodium_memzero(s->token, sizeof s->token);
    free(s);
}

static content_outcome_t report(content_report_t *rep, content_outcome_t o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static content_outcome_t report(content_report_t *rep, content_outcome_t o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->detail, sizeof rep->detail, fmt, ap);
    va_end(ap);
    rep->outcome = o;
    return o;
}

/* Is ASSET already here, whole? (A file is only renamed into place after its
 * hash was checked; a size mismatch means someone else touched it.) */
static bool have_asset(const content_sync_t *s, const cm_asset_t *a)
{
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", s->assets, a->sha256);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == a->size;
}

/* Downloads A to its .part file and renames it into place if its SHA-256 and
 * size match. 0, or -1 with DETAIL. */
static int fetch_asset(content_sync_t *s, const cm_asset_t *a, char *detail, size_t len, bool *offline)
{
    char part[400], final[400];
    snprintf(part, sizeof part, "%s/%s.part", s->assets, a->sha256);
    snprintf(final, sizeof final, "%s/%s", s->assets, a->sha256);
    FILE *fp = fopen(part, "wb");
    if (!fp) {
        snprintf(detail, len, "cannot write asset %.12s: %s", a->sha256, strerror(errno));
        return -1;
    }
    unsigned char digest[32];
    long long size = 0;
    hub_status_t st;
    hub_asset_fetch(s->hub, a->sha256, a->size, fp, digest, &size, &st);
    int rc = -1;
    if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) st.result = HUB_UNKNOWN;
    fclose(fp);
    char hex[65];
    if (st.result != HUB_OK) {
        *offline = st.result == HUB_UNKNOWN && strcmp(st.code, "garbage") != 0;
        snprintf(detail, len, "asset %.12s: %s %d", a->sha256, st.code, st.http);
    } else if (sodium_bin2hex(hex, sizeof hex, digest, 32), strcmp(hex, a->sha256) != 0 || size != a->size) {
        snprintf(detail, len, "asset %.12s: the download does not match its SHA-256/size", a->sha256);
    } else if (rename(part, final) != 0) {
        snprintf(detail, len, "asset %.12s: rename: %s", a->sha256, strerror(errno));
    } else {
        rc = 0;
    }
    if (rc != 0) unlink(part);
    return rc;
}

/* Removes asset files the bundle in use does not list (and stray .part
 * files). Best effort. */
static void prune_assets(content_sync_t *s, const cm_manifest_t *m)
{
    DIR *d = opendir(s->assets);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        bool keep = false;
        for (int i = 0; i < m->n_assets && !keep; i++) keep = !strcmp(e->d_name, m->assets[i].sha256);
        if (!keep) {
            char path[600];
            snprintf(path, sizeof path, "%s/%s", s->assets, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
}

content_outcome_t content_sync_round(content_sync_t *s, content_report_t *rep)
{
    memset(rep, 0, sizeof *rep);
    long long cur = 0;
    char etag[80] = "", got_etag[80] = "";
    if (content_store_current(s->store, &cur, etag, sizeof etag) < 0)
        return report(rep, CONTENT_LOCAL_ERROR, "cannot read the current bundle");
    rep->version = cur;
    hub_bundle_t b;
    hub_status_t st;
    const char *inm = s->rejected_etag[0] ? s->rejected_etag : etag;
    hub_bundle_poll(s->hub, s->mode, s->group, inm, &b, got_etag, sizeof got_etag, &st);
    if (st.result == HUB_OK && st.http == 304) return report(rep, CONTENT_UNCHANGED, "304");
    if (st.result == HUB_REFUSED && !strcmp(st.code, "no_bundle"))
        return report(rep, CONTENT_NO_BUNDLE, "the hub has no bundle for this kiosk");
    if (st.result != HUB_OK) return report(rep, CONTENT_OFFLINE, "poll: %s %d %s", st.code, st.http, st.message);

    cm_manifest_t m;
    char err[200];
    cm_who_t who = {s->mode, s->group, s->kiosk_id};
    content_outcome_t o;
    cm_result_t r = cm_accept(b.manifest, b.manifest_len, b.signature, s->public_key, &who,
                              clock_wall_ms() / 1000, cur, &m, err, sizeof err);
    if (r == CM_ROLLBACK && b.version == cur) {
        /* The same bundle again (our ETag was lost): remember its ETag. */
        content_store_set_etag(s->store, got_etag);
        hub_bundle_free(&b);
        return report(rep, CONTENT_UNCHANGED, "version %lld already in use", cur);
    }
    if (r != CM_OK) {
        snprintf(s->rejected_etag, sizeof s->rejected_etag, "%s", got_etag);
        log_warn(MOD, "bundle version %lld rejected: %s: %s", b.version, cm_result_name(r), err);
        hub_bundle_free(&b);
        return report(rep, CONTENT_REJECTED, "%s: %s", cm_result_name(r), err);
    }
    s->rejected_etag[0] = '\0';

    for (int i = 0; i < m.n_assets; i++) {
        if (have_asset(s, &m.assets[i])) continue;
        bool offline = false;
        if (fetch_asset(s, &m.assets[i], rep->detail, sizeof rep->detail, &offline) != 0) {
            log_warn(MOD, "version %lld not applied: %s", m.version, rep->detail);
            o = rep->outcome = offline ? CONTENT_OFFLINE : CONTENT_ASSET_FAILED;
            goto end;
        }
        rep->assets_fetched++;
    }
    if (content_store_apply(s->store, &m, b.manifest, b.signature, got_etag, clock_wall_ms() / 1000) != 0) {
        o = report(rep, CONTENT_LOCAL_ERROR, "the database refused the switch");
        goto end;
    }
    atomic_store(&current_version, m.version);
    rep->version = m.version;
    prune_assets(s, &m);
    log_info(MOD, "bundle version %lld applied (%d items, %d assets fetched)", m.version, m.n_items,
             rep->assets_fetched);
    o = report(rep, CONTENT_APPLIED, "version %lld", m.version);
    if (s->notify) s->notify(m.version, s->ud);
end:
    cm_free(&m);
    hub_bundle_free(&b);
    return o;
}

/* ---- the worker --------------------------------------------------------- */

/* The one worker of the process: content_sync_now may be called before it
 * starts or after it stopped (then it does nothing). */
static struct {
    pthread_mutex_t lock;             /* guards w against a concurrent start or stop */
    worker_t *w;
    content_sync_t *sync;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void run(worker_t *w, void *arg)
{
    content_sync_t *s = arg;
    for (;;) {
        content_report_t rep;
        content_sync_round(s, &rep);
        if (rep.outcome != CONTENT_UNCHANGED) log_info(MOD, "round: %s (%s)", content_outcome_name(rep.outcome), rep.detail);
        worker_wait(w, (int64_t)s->poll_s * 1000);
        if (worker_stopping(w)) break;
    }
}

int content_start(const content_config_t *cfg)
{
    char err[300];
    if (W.w) return 0;
    worker_t *w = worker_new("content_sync");
    if (!w) return -1;
    W.sync = content_sync_new(cfg, worker_abort_flag(w), err, sizeof err);
    if (!W.sync) {
        log_warn(MOD, "%s", err);
        worker_stop(w);
        return -1;
    }
    if (worker_start(w, run, W.sync) != 0) {
        content_sync_free(W.sync);
        W.sync = NULL;
        worker_stop(w);
        return -1;
    }
    pthread_mutex_lock(&W.lock);
    W.w = w;
    pthread_mutex_unlock(&W.lock);
    return 0;
}

void content_stop(void)
{
    pthread_mutex_lock(&W.lock);
    worker_t *w = W.w;
    W.w = NULL;
    pthread_mutex_unlock(&W.lock);
    if (!w) return;
    worker_stop(w);
    content_sync_free(W.sync);
    W.sync = NULL;
}

void content_sync_now(void)
{
    pthread_mutex_lock(&W.lock);
    worker_wake(W.w);
    pthread_mutex_unlock(&W.lock);
}

long long content_current_version(void)
{
    return atomic_load(&current_version);
}
