#include "app/lookup.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>
#include "core/log.h"
#include "core/clock.h"

struct lookup {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    volatile int stop;
    bool pending;
    lookup_kind_t kind;
    char a[160], b[64];          /* may hold an ID number: wiped after use */
    unsigned gen;
    Uint32 ev_type;
    hub_client_t *client;
};

static void post(lookup_t *lk, lookup_result_t *r)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = lk->ev_type;
    ev.user.data1 = r;
    if (SDL_PushEvent(&ev) != 1) lookup_result_free(r);
}

static void *run(void *arg)
{
    lookup_t *lk = arg;
    pthread_mutex_lock(&lk->mu);
    for (;;) {
        while (!lk->pending && !__atomic_load_n(&lk->stop, __ATOMIC_RELAXED))
            pthread_cond_wait(&lk->cv, &lk->mu);
        if (__atomic_load_n(&lk->stop, __ATOMIC_RELAXED)) break;
        lookup_kind_t kind = lk->kind;
        char a[sizeof lk->a], b[sizeof lk->b];
        memcpy(a, lk->a, sizeof a);
        memcpy(b, lk->b, sizeof b);
        sodium_memzero(lk->a, sizeof lk->a);
        sodium_memzero(lk->b, sizeof lk->b);
        unsigned gen = lk->gen;
        lk->pending = false;
        pthread_mutex_unlock(&lk->mu);

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
            case LOOKUP_HEALTH:
                hub_health(lk->client, &r->st);
                break;
            }
            r->elapsed_ms = (int)(clock_real_mono_ms() - t0);
            if (r->st.result != HUB_OK)
                log_info("lookup", "look-up %d: %s %d %s", (int)kind,
                         r->st.result == HUB_REFUSED ? "refused" : "no answer", r->st.http, r->st.code);
            post(lk, r);
        }
        sodium_memzero(a, sizeof a);
        sodium_memzero(b, sizeof b);
        pthread_mutex_lock(&lk->mu);
    }
    pthread_mutex_unlock(&lk->mu);
    return NULL;
}

lookup_t *lookup_start(const config_t *cfg, Uint32 event_type)
{
    lookup_t *lk = calloc(1, sizeof *lk);
    if (!lk) return NULL;
    lk->ev_type = event_type;
    lk->client = hub_client_new(cfg->hub_url, cfg->device_token, cfg->hub_timeout_s * 1000, &lk->stop);
    pthread_mutex_init(&lk->mu, NULL);
    pthread_cond_init(&lk->cv, NULL);
    if (!lk->client || pthread_create(&lk->thread, NULL, run, lk) != 0) {
        hub_client_free(lk->client);
        pthread_mutex_destroy(&lk->mu);
        pthread_cond_destroy(&lk->cv);
        free(lk);
        log_error("lookup", "cannot start the look-up worker");
        return NULL;
    }
    return lk;
}

int lookup_submit(lookup_t *lk, lookup_kind_t kind, const char *a, const char *b, unsigned gen)
{
    if (!lk) return -1;
    pthread_mutex_lock(&lk->mu);
    lk->kind = kind;
    snprintf(lk->a, sizeof lk->a, "%s", a ? a : "");
    snprintf(lk->b, sizeof lk->b, "%s", b ? b : "");
    lk->gen = gen;
    lk->pending = true;
    pthread_cond_signal(&lk->cv);
    pthread_mutex_unlock(&lk->mu);
    return 0;
}

void lookup_forget(lookup_t *lk)
{
    if (!lk) return;
    pthread_mutex_lock(&lk->mu);
    lk->pending = false;
    sodium_memzero(lk->a, sizeof lk->a);
    sodium_memzero(lk->b, sizeof lk->b);
    pthread_mutex_unlock(&lk->mu);
}

void lookup_stop(lookup_t *lk)
{
    if (!lk) return;
    pthread_mutex_lock(&lk->mu);
    __atomic_store_n(&lk->stop, 1, __ATOMIC_RELAXED);
    pthread_cond_signal(&lk->cv);
    pthread_mutex_unlock(&lk->mu);
    pthread_join(lk->thread, NULL);
    hub_client_free(lk->client);
    sodium_memzero(lk->a, sizeof lk->a);
    pthread_mutex_destroy(&lk->mu);
    pthread_cond_destroy(&lk->cv);
    free(lk);
}

void lookup_result_free(lookup_result_t *r)
{
    if (!r) return;
    sodium_memzero(r, sizeof *r);
    free(r);
}
