/* Housekeeping bookings made while the hub cannot be reached. The booking
 * goes into the outbox (sealed: it holds the phone or ID number) with the
 * idempotency key of the attempt that got no answer, and the kiosk's record
 * of it (table hk_pending, migration 8) is written in the same transaction.
 * The resident is told plainly that it is not confirmed yet and keeps a
 * reference. When the outbox has the hub's answer, the record says confirmed
 * (with the check-in code) or failed (with the reason): shown at once if the
 * resident is still here, and on the next visit after they identify. */
#include <cjson/cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/fleet.h"
#include "services/housekeeping/housekeeping.h"
#include "core/i18n.h"
#include "core/log.h"
#include "outbox/outbox.h"
#include "outbox/sender.h"
#include "store/saved_requests.h"
#include "core/clock.h"

static void outbox_ended(app_t *app, const fleet_outbox_event_t *e);

/* The resident's phone or ID number, hashed (fleet_person_hash). */
static void who_hash(const app_t *app, char out[65])
{
    const session_pii_t *p = &app->session.pii;
    fleet_person_hash(app, app->hk->who == HK_WHO_CARD ? p->id_number
                           : app->hk->who == HK_WHO_CODE ? p->rescode : p->phone, out);
}

int hk_offline_book(app_t *app)
{
    struct hk_state *hk = app->hk;
    const hub_hk_service_t *svc = hk_current(app);
    const session_pii_t *p = &app->session.pii;
    if (!app->store || !app->have_outbox_key || !svc || !hk->slot.id || !hk->key[0]) return -1;

    char name[64], ref[16], hash[65], err[300];
    if (hk->who == HK_WHO_CARD) {
        snprintf(name, sizeof name, "%s", p->name);
    } else if (hk->who == HK_WHO_CODE) {
        snprintf(name, sizeof name, "%s", "居民");   /* the hub books in its record's name */
    } else {
        size_t n = strlen(p->phone);
        snprintf(name, sizeof name, "居民%s", n >= 4 ? p->phone + n - 4 : p->phone);
    }
    char *body = hub_hk_book_body(hk->slot.id, svc->id, name, hk->who == HK_WHO_PHONE ? p->phone : NULL,
                                  hk->who == HK_WHO_CARD ? p->id_number
                                  : hk->who == HK_WHO_CODE ? p->rescode : NULL);
    sodium_memzero(name, sizeof name);
    if (!body) return -1;
    unsigned char rnd[5];
    randombytes_buf(rnd, sizeof rnd);
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    ref[0] = 'P';
    for (int i = 0; i < 7; i++) ref[1 + i] = alphabet[(rnd[i % 5] + i * 7) % 31];
    ref[8] = '\0';
    who_hash(app, hash);

    int64_t now = clock_wall_ms();
    long long item = 0;
    int rc = -1;
    if (store_tx_begin(app->store, err, sizeof err) == 0) {
        store_booking_new_t rec = {ref, 0, hash, svc->id, hk->slot.start, hk->slot.end, hk->slot.provider};
        if (outbox_enqueue_in(app->store, &app->outbox_key, "booking", "/v1/housekeeping/bookings", body,
                              true, hk->key, now, &item, err, sizeof err) == 0) {
            rec.outbox_id = item;
            rc = store_booking_save(app->store, &rec, now, err, sizeof err);
        }
        if (rc == 0) rc = store_tx_commit(app->store, err, sizeof err);
        if (rc != 0) store_tx_rollback(app->store);
    }
    sodium_memzero(body, strlen(body));
    cJSON_free(body);
    if (rc != 0) {
        app_storage_fault(app, "booking saved for later", err);
        return -1;
    }
    hk->pending = true;
    hk->pending_item = item;
    snprintf(hk->pending_ref, sizeof hk->pending_ref, "%s", ref);
    log_info("hk", "booking saved for later as %s (outbox item %lld)", ref, item);
    outbox_sender_wake(app->outbox);
    return 0;
}

static void set_state(app_t *app, long long item, store_saved_state_t state, const char *code,
                      const char *reason)
{
    store_booking_set_state(app->store, item, state, code, reason, clock_wall_ms());
}

static void outbox_ended(app_t *app, const fleet_outbox_event_t *e)
{
    struct hk_state *hk = app->hk;
    if (!e || strcmp(e->kind, "booking") != 0) return;
    hub_hk_booking_t b;
    memset(&b, 0, sizeof b);
    char err[160];
    bool ok = e->done && e->response &&
              hub_hk_parse_booking(e->response, strlen(e->response), &b, err, sizeof err) == 0;
    if (ok) {
        set_state(app, e->id, STORE_SAVED_CONFIRMED, b.code, "");
    } else if (e->done) {
        /* The hub took it (2xx) but its answer cannot be read: booked, with
         * the code to be found by staff or under "My bookings". */
        set_state(app, e->id, STORE_SAVED_CONFIRMED, "", "answer unreadable");
    } else {
        set_state(app, e->id, STORE_SAVED_FAILED, "", e->reason);    /* a definite no (slot full, past...) */
    }
    if (!hk || !hk->pending || hk->pending_item != e->id || app->session.state == SESSION_IDLE) return;
    hk->pending = false;
    if (!ok && e->done) {
        app_toast(app, _("Your booking has been confirmed."));
        return;
    }
    if (ok) {
        hk->booking = b;
        hk->booked = true;
        hk->key[0] = '\0';
        app_toast(app, _("Your booking has been confirmed."));
        hk_print_slip(app);
    } else {
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("The booking service refused the saved booking (the time may have been taken). Nothing was booked."));
    }
    app->dirty = true;
}

void hk_offline_reconcile(app_t *app)
{
    fleet_replay_ended(app, STORE_SAVED_BOOKINGS, "booking", outbox_ended);
}

void hk_offline_recall(app_t *app)
{
    struct hk_state *hk = app->hk;
    hk->earlier[0] = '\0';
    if (!app->store || !app->have_outbox_key) return;
    hk_offline_reconcile(app);
    char hash[65];
    who_hash(app, hash);
    store_booking_t recent[3];
    int got = store_booking_recent(app->store, hash, recent, 3);
    size_t n = 0;
    for (int i = 0; i < got && n < sizeof hk->earlier; i++) {
        const char *ref = recent[i].ref, *code = recent[i].code;
        char line[200], shown[40];
        hub_hk_code_show(code, shown, sizeof shown);
        if (recent[i].state == STORE_SAVED_CONFIRMED && code[0])
            snprintf(line, sizeof line, _("Saved booking %s: confirmed, check-in code %s."), ref, shown);
        else if (recent[i].state == STORE_SAVED_CONFIRMED)
            snprintf(line, sizeof line, _("Saved booking %s: confirmed. Staff can tell you its check-in code."), ref);
        else if (recent[i].state == STORE_SAVED_FAILED)
            snprintf(line, sizeof line, _("Saved booking %s: could not be made. Nothing was booked."), ref);
        else
            snprintf(line, sizeof line, _("Saved booking %s: still waiting to be sent."), ref);
        n += (size_t)snprintf(hk->earlier + n, sizeof hk->earlier - n, "%s%s", n ? "\n" : "", line);
    }
}

void hk_outbox_event(app_t *app, const void *payload)
{
    outbox_ended(app, payload);
}
