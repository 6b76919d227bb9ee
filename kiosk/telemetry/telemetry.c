/* Fleet telemetry worker (telemetry.h). One thread, one hub connection:
 * heartbeat when due, then any queued results and screenshots, then sleep on
 * a CLOCK_MONOTONIC condition until the next heartbeat or new work.
 *
 * A heartbeat without an answer is sent again, same key and same body, so a
 * command the hub marked delivered in the lost answer comes back (the hub
 * replays it); results and screenshots use keys derived from the command id
 * for the same reason. Commands already handed over are remembered, so a
 * replay never runs one twice. */
#include "telemetry/telemetry.h"

#include <cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/version.h"
#include "net/hub_api.h"
#include "jsonnum.h"
#include "core/clock.h"
#include "core/worker.h"

#define MOD "telemetry"
#define MAX_RESULTS 16
#define MAX_SHOTS 2
#define SHOT_MAX (4 * 1024 * 1024)
#define SEEN_IDS 64
#define MAX_CMDS 16

typedef struct {
    long long id;
    bool ok;
    char message[201];
} result_t;

typedef struct {
    long long id;
    unsigned char *png;
    size_t len;
} shot_t;

struct telemetry {
    telemetry_cmd_fn fn;
    void *ctx;
    kiosk_mode_t mode;
    int interval_s;
    char var_dir[CONFIG_STR];
    int64_t started_ms;
    hub_fleet_t *hub;

    worker_t *w;                    /* its stop flag is also the hub client's abort flag */
    int busy;                       /* under the worker's lock: items taken but not yet settled */

    telemetry_snapshot_t snap;      /* under the worker's lock */
    result_t results[MAX_RESULTS];  /* under the worker's lock */
    int n_results;
    shot_t shots[MAX_SHOTS];        /* under the worker's lock */
    int n_shots;
    telemetry_stats_t stats;        /* under the worker's lock */

    /* The worker's own. */
    char *pending_body;             /* a heartbeat not yet answered */
    char pending_key[40];
    long long seen[SEEN_IDS];
    int n_seen;
    bool health_written;            /* after the first answered heartbeat */
    bool result_warned;             /* a malformed update result was logged */
};

static bool stopping(const telemetry_t *t)
{
    return worker_stopping(t->w);
}

/* ---- pure parts ------------------------------------------------------------ */

static const char *dev_name(tel_dev_t d)
{
    static const char *const n[] = {NULL, "ok", "offline", "error", "missing"};
    return (unsigned)d < sizeof n / sizeof *n ? n[d] : NULL;
}

static const char *paper_name(tel_paper_t p)
{
    static const char *const n[] = {NULL, "ok", "low", "out"};
    return (unsigned)p < sizeof n / sizeof *n ? n[p] : NULL;
}

/* S (NUL within SIZE) is 1.. bytes of ALLOWED. */
static bool safe_text(const char *s, size_t size, const char *allowed)
{
    size_t n = strnlen(s, size);
    if (n == 0 || n == size) return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr(allowed, s[i])) return false;
    return true;
}

#define LOWER "abcdefghijklmnopqrstuvwxyz0123456789"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

char *telemetry_body(const telemetry_snapshot_t *s, kiosk_mode_t mode, int interval_s,
                     long long uptime_s, long long disk_free_mb, long long mem_kb)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "version", KIOSK_VERSION);
    cJSON_AddStringToObject(o, "mode", mode == MODE_STREET ? "street" : "hall");
    cJSON_AddNumberToObject(o, "interval_s", interval_s);
    if (uptime_s >= 0) cJSON_AddNumberToObject(o, "uptime_s", (double)uptime_s);
    if (disk_free_mb >= 0) cJSON_AddNumberToObject(o, "disk_free_mb", (double)disk_free_mb);
    if (mem_kb >= 0) cJSON_AddNumberToObject(o, "mem_kb", (double)mem_kb);
    if (s) {
        if (safe_text(s->screen, sizeof s->screen, LOWER "_-"))
            cJSON_AddStringToObject(o, "screen", s->screen);
        if (safe_text(s->content_version, sizeof s->content_version, LOWER UPPER "\"._:/+=-"))
            cJSON_AddStringToObject(o, "content_version", s->content_version);
        const char *v;
        if ((v = dev_name(s->printer))) cJSON_AddStringToObject(o, "printer", v);
        if ((v = dev_name(s->reader))) cJSON_AddStringToObject(o, "reader", v);
        if ((v = paper_name(s->paper))) cJSON_AddStringToObject(o, "paper", v);
        if (s->queue_depth >= 0) cJSON_AddNumberToObject(o, "queue_depth", s->queue_depth > 100000 ? 100000 : s->queue_depth);
        if (s->dead_letters >= 0) cJSON_AddNumberToObject(o, "dead_letters", s->dead_letters > 100000 ? 100000 : s->dead_letters);
        if (s->display_w >= 200 && s->display_w <= 8192 && s->display_h >= 200 && s->display_h <= 8192) {
            cJSON_AddNumberToObject(o, "display_w", s->display_w);
            cJSON_AddNumberToObject(o, "display_h", s->display_h);
        }
        /* Only a result that parsed (selfupdate_result_parse: enum, version, id). */
        if (s->update.outcome[0] && debver_ok(s->update.version) && s->update.command > 0) {
            cJSON_AddStringToObject(o, "update_outcome", s->update.outcome);
            cJSON_AddStringToObject(o, "update_version", s->update.version);
            cJSON_AddNumberToObject(o, "update_command", (double)s->update.command);
        }
    }
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return body;
}

int64_t telemetry_jitter_ms(int interval_s, uint32_t r)
{
    int64_t base = (int64_t)(interval_s > 0 ? interval_s : 1) * 1000;
    int64_t span = base / 5;                  /* 20%: from -10% to +10% */
    return base - base / 10 + (span > 0 ? (int64_t)(r % (uint32_t)(span + 1)) : 0);
}

static int hhmm(const cJSON *v, int *out)
{
    if (!cJSON_IsString(v)) return -1;
    const char *s = v->valuestring;
    if (strlen(s) != 5 || s[2] != ':') return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9')) return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 23 || m > 59) return -1;
    *out = h * 60 + m;
    return 0;
}

int telemetry_parse_schedule(const char *args_json, telemetry_schedule_t *out, char *err,
                             size_t errlen)
{
    cJSON *a = args_json ? cJSON_Parse(args_json) : NULL;
    const char *why = NULL;
    telemetry_schedule_t s = {0};
    if (!cJSON_IsObject(a)) why = "args: not a JSON object";
    else if (!cJSON_GetObjectItemCaseSensitive(a, "on")) why = "on: missing";
    else if (!cJSON_GetObjectItemCaseSensitive(a, "off")) why = "off: missing";
    else if (hhmm(cJSON_GetObjectItemCaseSensitive(a, "on"), &s.on_min) != 0) why = "on: not HH:MM";
    else if (hhmm(cJSON_GetObjectItemCaseSensitive(a, "off"), &s.off_min) != 0) why = "off: not HH:MM";
    else if (s.on_min == s.off_min) why = "on and off are the same time";
    cJSON_Delete(a);
    if (why) {
        if (err && errlen) snprintf(err, errlen, "%s", why);
        return -1;
    }
    *out = s;
    return 0;
}

tel_cmd_kind_t telemetry_cmd_kind(const char *name)
{
    static const char *const names[] = {"reload_content", "screenshot", "restart", "set_schedule", "update"};
    for (int i = 0; name && i < (int)(sizeof names / sizeof *names); i++)
        if (strcmp(name, names[i]) == 0) return (tel_cmd_kind_t)i;
    return TEL_CMD_UNKNOWN;
}

/* ---- measures ---------------------------------------------------------------- */

static long long disk_free_mb(const char *dir)
{
    struct statvfs v;
    if (!dir[0] || statvfs(dir, &v) != 0) return -1;
    return (long long)((unsigned long long)v.f_bavail * v.f_frsize / (1024 * 1024));
}

/* PSS when the kernel gives it (smaps_rollup), else RSS; in KiB. */
static long long mem_kb(void)
{
    long long kb = -1;
    char line[128];
    FILE *fp = fopen("/proc/self/smaps_rollup", "r");
    if (fp) {
        while (fgets(line, sizeof line, fp))
            if (sscanf(line, "Pss: %lld kB", &kb) == 1) break;
        fclose(fp);
        if (kb >= 0) return kb;
    }
    long long pages;
    fp = fopen("/proc/self/statm", "r");
    if (fp) {
        if (fscanf(fp, "%*s %lld", &pages) == 1) kb = pages * (sysconf(_SC_PAGESIZE) / 1024);
        fclose(fp);
    }
    return kb;
}

/* ---- the worker ------------------------------------------------------------------ */

static void add_result(telemetry_t *t, long long id, bool ok, const char *msg)
{
    worker_lock(t->w);
    if (t->n_results < MAX_RESULTS) {
        result_t *r = &t->results[t->n_results++];
        r->id = id;
        r->ok = ok;
        snprintf(r->message, sizeof r->message, "%s", msg ? msg : "");
    } else {
        log_warn(MOD, "result of command %lld dropped: queue full", id);
    }
    worker_unlock(t->w);
    worker_wake(t->w);
}

static bool seen_before(telemetry_t *t, long long id)
{
    int n = t->n_seen < SEEN_IDS ? t->n_seen : SEEN_IDS;
    for (int i = 0; i < n; i++)
        if (t->seen[i] == id) return true;
    t->seen[t->n_seen++ % SEEN_IDS] = id;
    return false;
}

/* Hands the answer's commands over (or answers them itself). */
static void take_commands(telemetry_t *t, const char *answer)
{
    cJSON *doc = cJSON_Parse(answer);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "commands"), *c;
    int n = 0;
    cJSON_ArrayForEach(c, arr) {
        if (n++ >= MAX_CMDS) break;
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(c, "kind");
        if (!cJSON_IsNumber(id) || id->valuedouble < 1 || !cJSON_IsString(kind)) continue;
        telemetry_cmd_t cmd = {.id = json_whole_or(id, 0),
                               .kind = telemetry_cmd_kind(kind->valuestring)};
        if (seen_before(t, cmd.id)) continue;
        if (cmd.kind == TEL_CMD_UNKNOWN) {
            log_info(MOD, "command %lld: unknown kind", cmd.id);
            add_result(t, cmd.id, false, "unknown command");
            continue;
        }
        if (cmd.kind == TEL_CMD_SET_SCHEDULE || cmd.kind == TEL_CMD_UPDATE) {
            char err[80], *args = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "args"));
            int rc = cmd.kind == TEL_CMD_UPDATE
                         ? selfupdate_parse_args(args, cmd.version, err, sizeof err)
                         : telemetry_parse_schedule(args, &cmd.schedule, err, sizeof err);
            cJSON_free(args);
            if (rc != 0) {
                add_result(t, cmd.id, false, err);
                continue;
            }
        }
        if (!t->fn) {
            add_result(t, cmd.id, false, "not supported");
            continue;
        }
        log_info(MOD, "command %lld: %s", cmd.id, kind->valuestring);
        worker_lock(t->w);
        t->stats.commands++;
        worker_unlock(t->w);
        t->fn(t->ctx, &cmd);
    }
    cJSON_Delete(doc);
}

/* The last update's outcome for the heartbeat; a malformed file is logged
 * once and left out. */
static void read_update_result(telemetry_t *t, selfupdate_result_t *out)
{
    char err[300];
    memset(out, 0, sizeof *out);
    int rc = selfupdate_result_read(t->var_dir, out, err, sizeof err);
    if (rc < 0) {
        memset(out, 0, sizeof *out);
        if (!t->result_warned) log_warn(MOD, "%s", err);
    }
    t->result_warned = rc < 0;
}

static void heartbeat(telemetry_t *t)
{
    if (!t->pending_body) {
        telemetry_snapshot_t snap;
        worker_lock(t->w);
        snap = t->snap;
        worker_unlock(t->w);
        read_update_result(t, &snap.update);
        t->pending_body = telemetry_body(&snap, t->mode, t->interval_s,
                                         (clock_real_mono_ms() - t->started_ms) / 1000,
                                         disk_free_mb(t->var_dir), mem_kb());
        if (!t->pending_body) return;
        hub_new_key("hb-", t->pending_key, sizeof t->pending_key);
    }
    hub_status_t st;
    const char *answer;
    hub_fleet_request(t->hub, "POST", "/v1/heartbeat", "application/json", t->pending_body,
                      strlen(t->pending_body), t->pending_key, &answer, NULL, &st);
    if (st.result == HUB_UNKNOWN && strcmp(st.code, "aborted") == 0) return;
    bool ok = st.result == HUB_OK;
    if (st.result != HUB_UNKNOWN) {            /* answered: the next one is a new heartbeat */
        free(t->pending_body);
        t->pending_body = NULL;
    }
    worker_lock(t->w);
    if (ok) t->stats.heartbeats_ok++;
    else t->stats.heartbeats_failed++;
    t->stats.hub_reachable = st.result != HUB_UNKNOWN;
    worker_unlock(t->w);
    if (ok && !t->health_written) {
        /* The updater's sign that this version works (selfupdate.h). */
        char err[300];
        t->health_written = true;
        if (t->var_dir[0] && selfupdate_health_write(t->var_dir, KIOSK_VERSION, err, sizeof err) != 0)
            log_warn(MOD, "health file: %s", err);
    }
    if (ok) take_commands(t, answer);
}

/* Sends the queued results, then the screenshots; an item without an answer
 * stays queued for the next round. */
static void send_queued(telemetry_t *t)
{
    for (;;) {
        result_t r;
        worker_lock(t->w);
        bool have = t->n_results > 0;
        if (have) {
            r = t->results[0];
            t->busy++;
        }
        worker_unlock(t->w);
        if (!have || stopping(t)) {
            if (have) { worker_lock(t->w); t->busy--; worker_unlock(t->w); }
            break;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", r.ok);
        cJSON_AddStringToObject(o, "message", r.message);
        char *body = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        char path[64], key[40];
        snprintf(path, sizeof path, "/v1/commands/%lld/result", r.id);
        snprintf(key, sizeof key, "res-%lld", r.id);
        hub_status_t st;
        hub_fleet_request(t->hub, "POST", path, "application/json", body, body ? strlen(body) : 0,
                          key, NULL, NULL, &st);
        cJSON_free(body);
        worker_lock(t->w);
        t->busy--;
        bool settled = st.result != HUB_UNKNOWN;
        if (settled) {
            if (st.result == HUB_OK) t->stats.results_sent++;
            else log_warn(MOD, "result of command %lld refused: %s", r.id, st.code);
            memmove(t->results, t->results + 1, (size_t)--t->n_results * sizeof *t->results);
        }
        worker_unlock(t->w);
        if (!settled) return;
    }
    for (;;) {
        shot_t s;
        worker_lock(t->w);
        bool have = t->n_shots > 0;
        if (have) {
            s = t->shots[0];
            t->busy++;
        }
        worker_unlock(t->w);
        if (!have) return;
        if (stopping(t)) {
            worker_lock(t->w); t->busy--; worker_unlock(t->w);
            return;
        }
        char path[64], key[40];
        snprintf(path, sizeof path, "/v1/screenshots?command=%lld", s.id);
        snprintf(key, sizeof key, "shot-%lld", s.id);
        hub_status_t st;
        hub_fleet_request(t->hub, "POST", path, "image/png", s.png, s.len, key, NULL, NULL, &st);
        worker_lock(t->w);
        t->busy--;
        bool settled = st.result != HUB_UNKNOWN;
        if (settled) {
            if (st.result == HUB_OK) t->stats.screenshots_sent++;
            else log_warn(MOD, "screenshot of command %lld refused: %s", s.id, st.code);
            free(t->shots[0].png);
            memmove(t->shots, t->shots + 1, (size_t)--t->n_shots * sizeof *t->shots);
        }
        worker_unlock(t->w);
        if (!settled) return;
    }
}

static void run(worker_t *w, void *arg)
{
    telemetry_t *t = arg;
    int64_t next_hb = clock_real_mono_ms();
    while (!stopping(t)) {
        if (clock_real_mono_ms() >= next_hb) {
            heartbeat(t);
            next_hb = clock_real_mono_ms() + telemetry_jitter_ms(t->interval_s, randombytes_random());
        }
        send_queued(t);
        int64_t wait = next_hb - clock_real_mono_ms();
        worker_wait(w, wait > 0 ? wait : 0);
    }
}

/* ---- the UI thread's side ------------------------------------------------------ */

/* Stops and joins the worker (if it runs), then frees what it used. */
static void telemetry_free(telemetry_t *t)
{
    worker_stop(t->w);
    for (int i = 0; i < t->n_shots; i++) free(t->shots[i].png);
    free(t->pending_body);
    hub_fleet_free(t->hub);
    free(t);
}

telemetry_t *telemetry_start(const config_t *cfg, telemetry_cmd_fn fn, void *ctx,
                             char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!cfg || sodium_init() < 0) {
        if (err) snprintf(err, errlen, cfg ? "libsodium cannot start" : "no configuration");
        return NULL;
    }
    telemetry_t *t = calloc(1, sizeof *t);
    if (!t) {
        if (err) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->w = worker_new("telemetry");
    if (!t->w) {
        if (err) snprintf(err, errlen, "out of memory");
        free(t);
        return NULL;
    }
    t->fn = fn;
    t->ctx = ctx;
    t->mode = cfg->mode;
    t->interval_s = cfg->heartbeat_s >= 1 ? cfg->heartbeat_s : 60;
    snprintf(t->var_dir, sizeof t->var_dir, "%s", cfg->var_dir);
    t->started_ms = clock_real_mono_ms();
    t->snap.queue_depth = t->snap.dead_letters = -1;
    int timeout_ms = (cfg->hub_timeout_s > 0 ? cfg->hub_timeout_s : 10) * 1000;
    /* A heartbeat should not outlive its interval by much. */
    if (timeout_ms > t->interval_s * 1000 + 1000) timeout_ms = t->interval_s * 1000 + 1000;
    t->hub = hub_fleet_new(cfg->hub_url, cfg->device_token, timeout_ms, worker_abort_flag(t->w));
    if (!t->hub) {
        if (err) snprintf(err, errlen, "hub client: out of memory");
        telemetry_free(t);
        return NULL;
    }
    if (worker_start(t->w, run, t) != 0) {
        if (err) snprintf(err, errlen, "cannot start the telemetry thread: %s", SDL_GetError());
        telemetry_free(t);
        return NULL;
    }
    return t;
}

void telemetry_stop(telemetry_t *t)
{
    if (!t) return;
    telemetry_free(t);
}

bool telemetry_flush(telemetry_t *t, int timeout_ms)
{
    if (!t) return true;
    int64_t end = clock_real_mono_ms() + timeout_ms;
    for (;;) {
        worker_lock(t->w);
        bool empty = t->n_results == 0 && t->n_shots == 0 && t->busy == 0;
        worker_unlock(t->w);
        if (empty) return true;
        if (clock_real_mono_ms() >= end) return false;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

void telemetry_update(telemetry_t *t, const telemetry_snapshot_t *snap)
{
    if (!t || !snap) return;
    worker_lock(t->w);
    t->snap = *snap;
    worker_unlock(t->w);
}

void telemetry_command_done(telemetry_t *t, long long id, bool ok, const char *message)
{
    if (t) add_result(t, id, ok, message);
}

int telemetry_upload_screenshot(telemetry_t *t, long long command_id, const void *png, size_t len)
{
    if (!t || !png || len == 0 || len > SHOT_MAX) return -1;
    unsigned char *copy = malloc(len);
    if (!copy) return -1;
    memcpy(copy, png, len);
    worker_lock(t->w);
    int rc = -1;
    if (t->n_shots < MAX_SHOTS) {
        t->shots[t->n_shots++] = (shot_t){command_id, copy, len};
        rc = 0;
    }
    worker_unlock(t->w);
    if (rc == 0) worker_wake(t->w);
    if (rc != 0) {
        log_warn(MOD, "screenshot of command %lld dropped: queue full", command_id);
        free(copy);
    }
    return rc;
}

void telemetry_get_stats(telemetry_t *t, telemetry_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!t) return;
    worker_lock(t->w);
    *out = t->stats;
    worker_unlock(t->w);
}
