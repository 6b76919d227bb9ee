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
#include "app/housekeeping.h"
#include "core/i18n.h"
#include "core/log.h"
#include "outbox/outbox.h"
#include "outbox/sender.h"
#include "core/clock.h"

static void outbox_ended(app_t *app, const fleet_outbox_event_t *e);

/* The resident's phone or ID number, hashed (fleet_person_hash). */
static void who_hash(const app_t *app, char out[65])
{
    const session_pii_t *p = &app->session.pii;
    fleet_person_hash(app, app->hk->who == HK_WHO_CARD ? p->id_number : p->phone, out);
}

int hk_offline_book(app_t *app)
{
    struct hk_state *hk = app->hk;
    const hub_hk_service_t *svc = hk_current(app);
    const session_pii_t *p = &app->session.pii;
    sqlite3 *db = app->store ? store_db(app->store) : NULL;
    if (!db || !app->have_outbox_key || !svc || !hk->slot.id || !hk->key[0]) return -1;

    char name[64], ref[16], hash[65], err[300];
    if (hk->who == HK_WHO_CARD) {
        snprintf(name, sizeof name, "%s", p->name);
    } else {
        size_t n = strlen(p->phone);
        snprintf(name, sizeof name, "居民%s", n >= 4 ? p->phone + n - 4 : p->phone);
    }
    char *body = hub_hk_book_body(hk->slot.id, svc->id, name, hk->who == HK_WHO_PHONE ? p->phone : NULL,
                                  hk->who == HK_WHO_CARD ? p->id_number : NULL);
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
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (outbox_enqueue_in(app->store, &app->outbox_key, "booking", "/v1/housekeeping/bookings", body,
                              true, hk->key, now, &item, err, sizeof err) == 0 &&
            sqlite3_prepare_v2(db, "INSERT INTO hk_pending(ref, outbox_id, who_hash, service, slot_start,"
                               " slot_end, provider, state, created_ms, updated_ms)"
                               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, item);
            sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, svc->id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)hk->slot.start);
            sqlite3_bind_int64(st, 6, (sqlite3_int64)hk->slot.end);
            sqlite3_bind_text(st, 7, hk->slot.provider, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 8, now);
            if (sqlite3_step(st) == SQLITE_DONE) rc = 0;
            else snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
        }
        sqlite3_finalize(st);
        if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
            rc = -1;
        }
        if (rc != 0 && !sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    } else {
        snprintf(err, sizeof err, "%s", sqlite3_errmsg(db));
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

static void set_state(app_t *app, long long item, const char *state, const char *code, const char *reason)
{
    sqlite3 *db = app->store ? store_db(app->store) : NULL;
    sqlite3_stmt *st = NULL;
    if (!db || sqlite3_prepare_v2(db, "UPDATE hk_pending SET state = ?1, code = ?2, reason = ?3,"
                                  " updated_ms = ?4 WHERE outbox_id = ?5", -1, &st, NULL) != SQLITE_OK) {
        log_error("hk", "cannot record the outcome of booking item %lld", item);
        return;
    }
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, clock_wall_ms());
    sqlite3_bind_int64(st, 5, item);
    if (sqlite3_step(st) != SQLITE_DONE) log_error("hk", "hk_pending: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
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
        set_state(app, e->id, "confirmed", b.code, "");
    } else if (e->done) {
        /* The hub took it (2xx) but its answer cannot be read: booked, with
         * the code to be found by staff or under "My bookings". */
        set_state(app, e->id, "confirmed", "", "answer unreadable");
    } else {
        set_state(app, e->id, "failed", "", e->reason);    /* a definite no (slot full, past...) */
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
    fleet_replay_ended(app, "hk_pending", "booking", outbox_ended);
}

void hk_offline_recall(app_t *app)
{
    struct hk_state *hk = app->hk;
    sqlite3 *db = app->store ? store_db(app->store) : NULL;
    hk->earlier[0] = '\0';
    if (!db || !app->have_outbox_key) return;
    hk_offline_reconcile(app);
    char hash[65];
    who_hash(app, hash);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT ref, state, code, slot_start FROM hk_pending WHERE who_hash = ?1"
                           " ORDER BY created_ms DESC LIMIT 3", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    size_t n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < sizeof hk->earlier) {
        const char *ref = (const char *)sqlite3_column_text(st, 0);
        const char *state = (const char *)sqlite3_column_text(st, 1);
        const char *code = (const char *)sqlite3_column_text(st, 2);
        char line[200];
        if (!strcmp(state, "confirmed") && code[0])
            snprintf(line, sizeof line, _("Saved booking %s: confirmed, check-in code %s."), ref, code);
        else if (!strcmp(state, "confirmed"))
            snprintf(line, sizeof line, _("Saved booking %s: confirmed. Staff can tell you its check-in code."), ref);
        else if (!strcmp(state, "failed"))
            snprintf(line, sizeof line, _("Saved booking %s: could not be made. Nothing was booked."), ref);
        else
            snprintf(line, sizeof line, _("Saved booking %s: still waiting to be sent."), ref);
        n += (size_t)snprintf(hk->earlier + n, sizeof hk->earlier - n, "%s%s", n ? "\n" : "", line);
    }
    sqlite3_finalize(st);
}

void hk_outbox_event(app_t *app, const void *payload)
{
    outbox_ended(app, payload);
}
