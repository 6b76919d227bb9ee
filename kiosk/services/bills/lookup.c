#include "services/bills/lookup.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>
#include "core/log.h"
#include "core/clock.h"
#include "core/worker.h"

struct lookup {
    worker_t *w;
    bool pending;                /* this and the request: under the worker's lock */
    lookup_kind_t kind;
    char a[160], b[64];          /* may hold an ID number: wiped after use */
    unsigned gen;
    Uint32 ev_type;
    hub_client_t *client;
};

static void free_result(void *r)
{
    lookup_result_free(r);
}

static void run(worker_t *w, void *arg)
{
    lookup_t *lk = arg;
    while (!worker_stopping(w)) {
        worker_lock(w);
        if (!lk->pending) {
            worker_unlock(w);
            worker_wait(w, -1);
            continue;
        }
        lookup_kind_t kind = lk->kind;
        char a[sizeof lk->a], b[sizeof lk->b];
        memcpy(a, lk->a, sizeof a);
        memcpy(b, lk->b, sizeof b);
        sodium_memzero(lk->a, sizeof lk->a);
        sodium_memzero(lk->b, sizeof lk->b);
        unsigned gen = lk->gen;
        lk->pending = false;
        worker_unlock(w);

        lookup_result_t *r = calloc(1, sizeof *r);
        if (r) {
            r->gen = gen;
            r->kind = kind;
            int64_t t0 = clock_real_mono_ms();
            switch (kind) {
            case LOOKUP_ACCOUNT:
                hub_bills_get(lk->client, a, b, NULL, &r->acc, &r->st);
                break;
            case LOOKUP_BILL_QR:
                hub_bills_get(lk->client, NULL, NULL, a, &r->acc, &r->st);
                break;
            case LOOKUP_ID_NUMBER: {
                char key[40];
                hub_new_key("look-", key, sizeof key);
                hub_bills_by_id(lk->client, a, key, &r->acc, &r->st);
                break;
            }
            case LOOKUP_RESCODE: {
                char key[40];
                hub_new_key("look-", key, sizeof key);
                hub_bills_by_rescode(lk->client, a, key, &r->acc, &r->st);
                break;
            }
            case LOOKUP_HEALTH:
                hub_health(lk->client, &r->st);
                break;
            }
            r->elapsed_ms = (int)(clock_real_mono_ms() - t0);
            if (r->st.result != HUB_OK)
                log_info("lookup", "look-up %d: %s %d %s", (int)kind,
                         r->st.result == HUB_REFUSED ? "refused" : "no answer", r->st.http, r->st.code);
            worker_post(lk->ev_type, 0, r, free_result);
        }
        sodium_memzero(a, sizeof a);
        sodium_memzero(b, sizeof b);
    }
}

lookup_t *lookup_start(const config_t *cfg, Uint32 event_type)
{
    lookup_t *lk = calloc(1, sizeof *lk);
    if (!lk) return NULL;
    lk->ev_type = event_type;
    lk->w = worker_new("lookup");
    if (lk->w)
        lk->client = hub_client_new(cfg->hub_url, cfg->device_token, cfg->hub_timeout_s * 1000,
                                    worker_abort_flag(lk->w));
    if (!lk->client || worker_start(lk->w, run, lk) != 0) {
        worker_stop(lk->w);
        hub_client_free(lk->client);
        free(lk);
        log_error("lookup", "cannot start the look-up worker");
        return NULL;
    }
    return lk;
}

int lookup_submit(lookup_t *lk, lookup_kind_t kind, const char *a, const char *b, unsigned gen)
{
    if (!lk) return -1;
    worker_lock(lk->w);
    lk->kind = kind;
    snprintf(lk->a, sizeof lk->a, "%s", a ? a : "");
    snprintf(lk->b, sizeof lk->b, "%s", b ? b : "");
    lk->gen = gen;
    lk->pending = true;
    worker_unlock(lk->w);
    worker_wake(lk->w);
    return 0;
}

void lookup_forget(lookup_t *lk)
{
    if (!lk) return;
    worker_lock(lk->w);
    lk->pending = false;
    sodium_memzero(lk->a, sizeof lk->a);
    sodium_memzero(lk->b, sizeof lk->b);
    worker_unlock(lk->w);
}

void lookup_stop(lookup_t *lk)
{
    if (!lk) return;
    worker_stop(lk->w);
    hub_client_free(lk->client);
    sodium_memzero(lk->a, sizeof lk->a);
    free(lk);
}

void lookup_result_free(lookup_result_t *r)
{
    if (!r) return;
    sodium_memzero(r, sizeof *r);
    free(r);
}
