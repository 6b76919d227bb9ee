/* The staff menu's figures and the PIN check's thread (services/staff/staff.h). */
#include "services/staff/staff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "outbox/outbox.h"
#include "services/bills/pay_store.h"
#include "store/writer.h"

void staff_refresh(app_t *app)
{
    if (!app->store) return;
    app->staff->counts.schema = store_schema_version(app->store);
    app->staff->counts.sessions = store_session_count(app->store);
    app->staff->counts.pop_dropped = store_writer_dropped(app->writer);
    app->staff->counts.print_queued = store_print_count(app->store, STORE_PRINT_QUEUED);
    app->staff->counts.print_failed = store_print_count(app->store, STORE_PRINT_FAILED);
    app->staff->counts.pay_open = 0;
    for (int s = PAY_CREATING; s <= PAY_CANCELLING; s++) {
        int k = store_pay_count(app->store, (pay_state_t)s);
        if (k > 0) app->staff->counts.pay_open += k;
    }
    app->staff->counts.pay_paid = store_pay_count(app->store, PAY_PAID);
    app->staff->counts.pay_cancelled = store_pay_count(app->store, PAY_CANCELLED);
    app->staff->counts.pay_failed = store_pay_count(app->store, PAY_FAILED);
    outbox_counts_t oc;
    if (outbox_counts(app->store, &oc) == 0) {
        app->staff->counts.outbox_waiting = oc.queued + oc.sending;
        app->staff->counts.outbox_dead = oc.dead;
    } else {
        app->staff->counts.outbox_waiting = app->staff->counts.outbox_dead = -1;
    }
}

typedef struct {
    char hash[CONFIG_STR];
    char pin[16];
    Uint32 event;
} pin_job_t;

static int verify_worker(void *arg)
{
    pin_job_t *job = arg;
    int ok = staff_pin_verify(job->hash, job->pin);
    explicit_bzero(job->pin, sizeof job->pin);
    SDL_Event ev = {0};
    ev.type = job->event;
    ev.user.code = ok;
    SDL_PushEvent(&ev);
    free(job);
    return 0;
}

int staff_pin_check_start(app_t *app)
{
    pin_job_t *job = calloc(1, sizeof *job);
    if (!job) return -1;
    snprintf(job->hash, sizeof job->hash, "%s", app->cfg.staff_pin_hash);
    memcpy(job->pin, app->staff->pin, sizeof job->pin);
    job->event = app->ev_base + APP_EV_PIN_RESULT;
    staff_pin_check_done(app);
    app->staff->pin_thread = SDL_CreateThread(verify_worker, "pin", job);
    if (!app->staff->pin_thread) {
        explicit_bzero(job, sizeof *job);
        free(job);
        return -1;
    }
    return 0;
}

void staff_pin_check_done(app_t *app)
{
    if (app->staff->pin_thread) SDL_WaitThread(app->staff->pin_thread, NULL);
    app->staff->pin_thread = NULL;
}
