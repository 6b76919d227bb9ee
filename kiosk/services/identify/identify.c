#include "services/identify/identify.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "app/devices.h"
#include "core/log.h"
#include "scanner/scanner.h"
#include "core/clock.h"
#include "core/worker.h"
#include "net/hub_api.h"

#define POLL_MS 250            /* one round over the devices at most this often */
#define READ_TOTAL_MS 1500     /* a whole card read; bounds how long a stop waits */
#define SCAN_MS 100            /* scanner: wait per loop */
#define REOPEN_MS 2000         /* a device that failed is tried again after this */
#define SAME_CARD_MS 4000      /* the card left on the reader is not read again */

static atomic_int live_workers;

struct identify {
    worker_t *w;                    /* detached at stop: freed when the job returns */
    Uint32 event_type;
    unsigned gen;
    bool holds_reader;              /* devices_lock(DEV_IDCARD) taken */
    char idcard_uri[CONFIG_STR];
    char scanner_uri[2][CONFIG_STR];     /* keyboard-wedge scanner, camera */
    hub_client_t *hub;                   /* checks resident codes; NULL: not asked to */
};

void identify_event_free(ident_event_t *ev)
{
    if (!ev) return;
    explicit_bzero(ev, sizeof *ev);
    free(ev);
}

static void free_event(void *ev)
{
    identify_event_free(ev);
}

static void post(identify_t *id, ident_event_t *ev)
{
    ev->gen = id->gen;
    worker_post(id->event_type, 0, ev, free_event);
}

static void problem(identify_t *id, const char *fmt, const char *what)
{
    ident_event_t *ev = calloc(1, sizeof *ev);
    if (!ev) return;
    ev->kind = IDENT_PROBLEM;
    snprintf(ev->message, sizeof ev->message, fmt, what);
    log_warn("identify", "%s", ev->message);
    post(id, ev);
}

typedef struct {
    idcard_t reader;
    bool reader_open;
    long reader_retry_at;
    char last_id_hash[65];       /* the card last read, to not read it again */
    long last_card_at;
    scanner_t *scanner[2];
    long scanner_retry_at[2];
    scanner_result_t *res;
} devs_t;

static void poll_reader(identify_t *id, devs_t *w)
{
    char err[200];
    long now = clock_real_mono_ms();
    if (!w->reader_open) {
        if (now < w->reader_retry_at) return;
        if (idcard_open(&w->reader, id->idcard_uri, err, sizeof err) != 0) {
            problem(id, "ID card reader: %s", err);
            w->reader_retry_at = now + REOPEN_MS;
            return;
        }
        w->reader.find_timeout_ms = POLL_MS;
        w->reader.total_timeout_ms = READ_TOTAL_MS;
        w->reader_open = true;
    }
    ident_event_t *ev = calloc(1, sizeof *ev);
    if (!ev) return;
    char msg[200];
    idcard_result_t r = idcard_poll(&w->reader, &ev->card, msg, sizeof msg);
    if (r == IDCARD_OK || r == IDCARD_BAD_CARD) {
        /* The same card still on the reader is not a new read: compare a
         * digest, not the number, so nothing personal is kept here. */
        char digest[65];
        unsigned h = 2166136261u;
        for (const char *p = ev->card.id_number; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
        snprintf(digest, sizeof digest, "%08x", h);
        if (!strcmp(digest, w->last_id_hash) && now - w->last_card_at < SAME_CARD_MS) {
            w->last_card_at = now;
            identify_event_free(ev);
            return;
        }
        snprintf(w->last_id_hash, sizeof w->last_id_hash, "%s", digest);
        w->last_card_at = now;
        ev->kind = IDENT_CARD;
        ev->result = r;
        post(id, ev);
        return;
    }
    identify_event_free(ev);
    if (r == IDCARD_IO_ERROR) {
        problem(id, "ID card reader: %s", msg);
        idcard_close(&w->reader);
        w->reader_open = false;
        w->reader_retry_at = now + REOPEN_MS;
    } else if (r == IDCARD_NO_CARD) {
        w->last_id_hash[0] = '\0';
    }
}

/* Asks the hub about the resident code in EV (on this worker: the UI
 * thread never waits; a stop aborts the request). */
static void check_code(identify_t *id, ident_event_t *ev)
{
    char payload[RESCODE_MAX + 1], key[40];
    hub_status_t st;
    if (rescode_format(&ev->info.resident, payload, sizeof payload) < 0) return;
    hub_new_key("idn-", key, sizeof key);
    hub_identify_rescode(id->hub, payload, key, ev->rescode_name, sizeof ev->rescode_name, &st);
    explicit_bzero(payload, sizeof payload);
    ev->rescode_checked = st.result == HUB_OK ? 1 : st.result == HUB_REFUSED ? -1 : -2;
    log_info("identify", "resident code checked: %s",
             st.result == HUB_OK ? "taken" : st.result == HUB_REFUSED ? "refused" : "no answer");
}

static void poll_scanner(identify_t *id, devs_t *w, int i)
{
    char err[300];
    long now = clock_real_mono_ms();
    if (!w->scanner[i]) {
        if (now < w->scanner_retry_at[i]) return;
        w->scanner[i] = scanner_open(id->scanner_uri[i], err, sizeof err);
        if (!w->scanner[i]) {
            problem(id, "scanner: %s", err);
            w->scanner_retry_at[i] = now + REOPEN_MS;
            return;
        }
    }
    scanner_status_t st = scanner_next(w->scanner[i], SCAN_MS, w->res);
    if (st == SCANNER_OK) {
        ident_event_t *ev = calloc(1, sizeof *ev);
        if (!ev) return;
        ev->kind = IDENT_CODE;
        ev->info = w->res->info;
        if (id->hub && ev->info.cls == QR_CLASS_RESIDENT_CODE) check_code(id, ev);
        post(id, ev);
    } else if (st == SCANNER_ERROR) {
        problem(id, "scanner: %s", w->res->error);
        scanner_close(w->scanner[i]);
        w->scanner[i] = NULL;
        w->scanner_retry_at[i] = now + REOPEN_MS;
    } else if (st == SCANNER_END) {
        /* An image: folder read to its end stays quiet until reopened. */
        scanner_close(w->scanner[i]);
        w->scanner[i] = NULL;
        w->scanner_retry_at[i] = now + 3600 * 1000L;
    }
    explicit_bzero(w->res, sizeof *w->res);
}

/* Sleeps until START_MS + POLL_MS, or a stop. */
static void pace(identify_t *id, long start_ms)
{
    long left;
    while (!worker_stopping(id->w) && (left = start_ms + POLL_MS - clock_real_mono_ms()) > 0)
        worker_wait(id->w, left);
}

static void run(worker_t *wk, void *arg)
{
    identify_t *id = arg;
    devs_t *w = calloc(1, sizeof *w);
    if (w) w->res = calloc(1, sizeof *w->res);
    if (w && w->res && id->idcard_uri[0]) {
        /* The reader is this worker's: the device monitor leaves it alone. */
        devices_lock(DEV_IDCARD);
        id->holds_reader = true;
    }
    while (!worker_stopping(wk)) {
        long start = clock_real_mono_ms();
        if (!w || !w->res) {          /* out of memory: idle until told to stop */
            pace(id, start);
            continue;
        }
        if (id->idcard_uri[0]) poll_reader(id, w);
        for (int i = 0; i < 2 && !worker_stopping(wk); i++)
            if (id->scanner_uri[i][0]) poll_scanner(id, w, i);
        pace(id, start);
    }
    if (w) {
        if (w->reader_open) idcard_close(&w->reader);
        for (int i = 0; i < 2; i++) scanner_close(w->scanner[i]);
        if (w->res) explicit_bzero(w->res, sizeof *w->res);
        free(w->res);
        explicit_bzero(w, sizeof *w);
        free(w);
    }
    if (id->holds_reader) devices_unlock(DEV_IDCARD);
    hub_client_free(id->hub);
    free(id);
    atomic_fetch_sub(&live_workers, 1);
}

identify_t *identify_start(const config_t *cfg, Uint32 event_type, unsigned gen, bool check_codes)
{
    if (!cfg->idcard_uri[0] && !cfg->scanner_uri[0] && !cfg->camera_uri[0]) return NULL;
    identify_t *id = calloc(1, sizeof *id);
    if (!id) return NULL;
    id->event_type = event_type;
    id->gen = gen;
    snprintf(id->idcard_uri, sizeof id->idcard_uri, "%s", cfg->idcard_uri);
    snprintf(id->scanner_uri[0], sizeof id->scanner_uri[0], "%s", cfg->scanner_uri);
    snprintf(id->scanner_uri[1], sizeof id->scanner_uri[1], "%s", cfg->camera_uri);
    id->w = worker_new("identify");
    if (id->w && check_codes && cfg->hub_url[0])
        id->hub = hub_client_new(cfg->hub_url, cfg->device_token, cfg->hub_timeout_s * 1000,
                                 worker_abort_flag(id->w));
    atomic_fetch_add(&live_workers, 1);
    if (!id->w || worker_start(id->w, run, id) != 0) {
        log_error("identify", "cannot start the identification worker");
        atomic_fetch_sub(&live_workers, 1);
        worker_stop(id->w);
        hub_client_free(id->hub);
        free(id);
        return NULL;
    }
    return id;
}

void identify_stop(identify_t *id)
{
    if (id) worker_detach(id->w);   /* the job frees ID when it ends */
}

int identify_shutdown(int timeout_ms)
{
    long until = clock_real_mono_ms() + timeout_ms;
    while (atomic_load(&live_workers) > 0) {
        if (clock_real_mono_ms() > until) return -1;
        SDL_Delay(10);
    }
    return 0;
}
