#include "app/devices.h"

#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/uri.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"
#include "idcard/idcard.h"
#include "printer/printer.h"
#include "core/worker.h"

#define PROBE_TIMEOUT_MS 800

static pthread_mutex_t owner_lock[DEV_COUNT] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER,
};

void devices_lock(dev_id_t id) { if (id < DEV_COUNT) pthread_mutex_lock(&owner_lock[id]); }
void devices_unlock(dev_id_t id) { if (id < DEV_COUNT) pthread_mutex_unlock(&owner_lock[id]); }

struct devices {
    worker_t *w;
    int interval_ms;
    Uint32 event_type;
    char uri[DEV_COUNT][CONFIG_STR];
    dev_status_t last[DEV_COUNT];
};

const char *devices_name(dev_id_t id)
{
    static const char *names[DEV_COUNT] = {N_("ID card reader"), N_("Scanner"), N_("Camera"),
                                           N_("Receipt printer")};
    return id < DEV_COUNT ? names[id] : "?";
}

const char *devices_state_name(dev_state_t s)
{
    static const char *names[] = {N_("not configured"), N_("checking"), N_("ready"),
                                  N_("needs attention"), N_("fault")};
    return (unsigned)s < sizeof names / sizeof *names ? names[s] : "?";
}

static const char *cfg_uri(const config_t *cfg, dev_id_t id)
{
    switch (id) {
    case DEV_IDCARD: return cfg->idcard_uri;
    case DEV_SCANNER: return cfg->scanner_uri;
    case DEV_CAMERA: return cfg->camera_uri;
    default: return cfg->printer_uri;
    }
}

void devices_init(dev_status_t table[DEV_COUNT], const config_t *cfg)
{
    for (int i = 0; i < DEV_COUNT; i++) {
        table[i] = (dev_status_t){0};
        table[i].state = cfg_uri(cfg, (dev_id_t)i)[0] ? DEV_CHECKING : DEV_NOT_CONFIGURED;
    }
}

static void set(dev_status_t *out, dev_state_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set(dev_status_t *out, dev_state_t st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out->state = st;
    vsnprintf(out->detail, sizeof out->detail, fmt, ap);
    va_end(ap);
}

/* The reader is there when it answers "read SAM id" (no card needed). */
static void probe_idcard(const char *uri, int timeout_ms, dev_status_t *out)
{
    idcard_t d;
    char err[200], id[64], msg[200];
    if (idcard_open(&d, uri, err, sizeof err) != 0) {
        set(out, DEV_FAULT, "%s", err);
        return;
    }
    d.find_timeout_ms = d.select_timeout_ms = d.read_timeout_ms = timeout_ms;
    d.total_timeout_ms = timeout_ms;
    idcard_result_t r = idcard_sam_id(&d, id, sizeof id, msg, sizeof msg);
    if (r == IDCARD_OK) set(out, DEV_READY, "SAM %s", id);
    else set(out, DEV_FAULT, "%s", msg);
    idcard_close(&d);
}

static void probe_printer(const char *uri, int timeout_ms, dev_status_t *out)
{
    printer_t p;
    printer_status_t st;
    char err[200];
    if (printer_open(&p, uri, err, sizeof err) != 0) {
        set(out, DEV_FAULT, "%s", err);
        return;
    }
    p.status_timeout_ms = timeout_ms;
    if (printer_status(&p, &st) != 0) {
        set(out, DEV_FAULT, "%s", st.message);
    } else {
        switch (st.state) {
        case ESCPOS_READY: case ESCPOS_UNKNOWN: set(out, DEV_READY, "%s", st.message); break;
        case ESCPOS_PAPER_NEAR_END: set(out, DEV_WARNING, "%s", st.message); break;
        default: set(out, DEV_FAULT, "%s", st.message); break;
        }
    }
    printer_close(&p);
}

/* Scanner and camera: the node must exist (and be readable) or, for image:,
 * the file or folder. The camera is not opened: it belongs to the scan
 * screen while that is shown. */
static void probe_node(dev_id_t id, const char *uri, dev_status_t *out)
{
    uri_t u;
    char err[200];
    struct stat sb;
    if (uri_parse(uri, &u, err, sizeof err) != 0) {
        set(out, DEV_FAULT, "%s", err);
        return;
    }
    if (stat(u.path, &sb) != 0) {
        set(out, DEV_FAULT, "%s: %s", u.path, strerror(errno));
        return;
    }
    if (u.kind == URI_IMAGE) {
        set(out, DEV_READY, "image source %s", u.path);
    } else if (!S_ISCHR(sb.st_mode)) {
        set(out, DEV_FAULT, "%s is not a device", u.path);
    } else if (access(u.path, R_OK) != 0) {
        set(out, DEV_FAULT, "%s: %s", u.path, strerror(errno));
    } else {
        set(out, DEV_READY, id == DEV_CAMERA ? "connected (opened while scanning)" : "connected");
    }
}

void devices_probe(dev_id_t id, const char *uri, int timeout_ms, dev_status_t *out)
{
    memset(out, 0, sizeof *out);
    out->since = clock_wall();
    switch (id) {
    case DEV_IDCARD: probe_idcard(uri, timeout_ms, out); break;
    case DEV_PRINTER: probe_printer(uri, timeout_ms, out); break;
    default: probe_node(id, uri, out); break;
    }
}

static void post(devices_t *d, dev_id_t id, const dev_status_t *st)
{
    dev_status_t *copy = malloc(sizeof *copy);
    if (!copy) return;
    *copy = *st;
    worker_post(d->event_type, (Sint32)id, copy, free);
}

static void monitor(worker_t *w, void *arg)
{
    devices_t *d = arg;
    while (!worker_stopping(w)) {
        for (int i = 0; i < DEV_COUNT && !worker_stopping(w); i++) {
            if (!d->uri[i][0]) continue;
            if (pthread_mutex_trylock(&owner_lock[i]) != 0) continue;   /* in use: its owner knows */
            dev_status_t st;
            devices_probe((dev_id_t)i, d->uri[i], PROBE_TIMEOUT_MS, &st);
            pthread_mutex_unlock(&owner_lock[i]);
            if (st.state != d->last[i].state || strcmp(st.detail, d->last[i].detail) != 0) {
                if (st.state == DEV_FAULT)
                    log_warn("devices", "%s: %s", devices_name((dev_id_t)i), st.detail);
                else
                    log_info("devices", "%s: %s", devices_name((dev_id_t)i), st.detail);
                d->last[i] = st;
                post(d, (dev_id_t)i, &st);
            }
        }
        worker_wait(w, d->interval_ms);
    }
}

devices_t *devices_start(const config_t *cfg, Uint32 event_type, int interval_ms)
{
    devices_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    bool any = false;
    for (int i = 0; i < DEV_COUNT; i++) {
        snprintf(d->uri[i], sizeof d->uri[i], "%s", cfg_uri(cfg, (dev_id_t)i));
        any |= d->uri[i][0] != '\0';
        d->last[i].state = DEV_CHECKING;
    }
    if (!any) { free(d); return NULL; }
    d->interval_ms = interval_ms > 0 ? interval_ms : 5000;
    d->event_type = event_type;
    d->w = worker_new("devices");
    if (!d->w || worker_start(d->w, monitor, d) != 0) {
        log_error("devices", "cannot start the device monitor");
        worker_stop(d->w);
        free(d);
        return NULL;
    }
    return d;
}

void devices_stop(devices_t *d)
{
    if (!d) return;
    worker_stop(d->w);
    free(d);
}

void devices_apply(dev_status_t table[DEV_COUNT], const SDL_Event *ev)
{
    dev_status_t *st = ev->user.data1;
    if (ev->user.code >= 0 && ev->user.code < DEV_COUNT && st) table[ev->user.code] = *st;
    free(st);
}
