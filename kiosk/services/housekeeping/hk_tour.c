/* The housekeeping screens on the tour's sample answers,
 * ASSETS_DIR/tour/housekeeping.json (app/tour_data.h), read by the
 * service's own hub answer parsers (hub_hk.c). */
#include <stdio.h>
#include <string.h>
#include "app/app.h"
#include "app/tour_data.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "services/housekeeping/housekeeping.h"

#define CST (8 * 3600)             /* the hub's days are China days */

/* RC of the parser of answer KEY, logged with ERR when not 0. */
static int parsed(const tour_data_t *d, const char *key, int rc, const char *err)
{
    return rc == 0 ? 0 : tour_data_fail(d, "\"%s\": %s", key, err);
}

/* Fills the state for STATE: "catalogue", "slots", "slots_full", "who",
 * "who_code" (the number in, "my bookings" asks for a booking's code,
 * half typed), "confirm", "done", "mine" (each the one before it, one
 * step on). */
static int sample(app_t *app, const char *state)
{
    struct hk_state *hk = app->hk;
    if (!hk) return 0;
    hk_session_end(app);                   /* what entering the screen asked is dropped */
    tour_data_t d;
    char *text = NULL, err[160] = "", typed[sizeof hk->digits], phone[sizeof app->session.pii.phone];
    int rc = tour_data_open(&d, app->cfg.assets_dir, "housekeeping.json");
    if (rc != 0) goto done;
    /* The answers read as of as_of: moved by whole China days to today. */
    static const char *const times[] = {"start", "end", "created", "cancelled", NULL};
    long long days = (long long)((clock_wall() + CST) / 86400 - (d.as_of + CST) / 86400);
    tour_data_shift(d.doc, times, days * 86400);

    if (!(text = tour_data_answer(&d, NULL, "services"))) goto bad;
    if ((rc = parsed(&d, "services", hub_hk_parse_services(text, strlen(text), &hk->svc, err, sizeof err), err)))
        goto done;
    hk->have_services = true;
    hk->service = 0;
    if (!strcmp(state, "catalogue")) goto done;

    cJSON_free(text);
    if (!(text = tour_data_answer(&d, NULL, "slots"))) goto bad;
    if ((rc = parsed(&d, "slots", hub_hk_parse_slots(text, strlen(text), "slots", &hk->slots, err, sizeof err), err)))
        goto done;
    hk->day = 1;                           /* the answer's day */
    hk->have_slots = true;
    if (!strcmp(state, "slots")) goto done;
    if (!strcmp(state, "slots_full")) {
        cJSON_free(text);
        if (!(text = tour_data_answer(&d, NULL, "slot_full"))) goto bad;
        rc = parsed(&d, "slot_full",
                    hub_hk_parse_slots(text, strlen(text), "alternatives", &hk->slots, err, sizeof err), err);
        hk->alternatives = true;
        snprintf(hk->msg, sizeof hk->msg, "%s",
                 _("Sorry, someone else has just booked the last place at that time. Nothing was booked. These times are still free:"));
        goto done;
    }
    if (hk->slots.n < 1) {
        rc = tour_data_fail(&d, "\"slots\": the tour chooses the first slot: none given");
        goto done;
    }
    hk->slot = hk->slots.s[0];
    if ((rc = tour_data_str(&d, NULL, "typed_phone", typed, sizeof typed))) goto done;
    if (!strcmp(state, "who")) {
        memcpy(hk->digits, typed, sizeof hk->digits);
        hk->n_digits = (int)strlen(typed);
        goto done;
    }
    if ((rc = tour_data_str(&d, NULL, "phone", phone, sizeof phone))) goto done;
    hk->who = HK_WHO_PHONE;
    memcpy(app->session.pii.phone, phone, sizeof app->session.pii.phone);
    if (!strcmp(state, "who_code")) {
        if ((rc = tour_data_str(&d, NULL, "typed_code", typed, sizeof typed))) goto done;
        hk->next = HK_NEXT_MINE;
        hk->want_code = true;
        memcpy(hk->digits, typed, sizeof hk->digits);
        hk->n_digits = (int)strlen(typed);
        goto done;
    }
    if (!strcmp(state, "confirm")) goto done;

    cJSON_free(text);
    if (!(text = tour_data_answer(&d, NULL, "booking"))) goto bad;
    if ((rc = parsed(&d, "booking", hub_hk_parse_booking(text, strlen(text), &hk->booking, err, sizeof err), err)))
        goto done;
    hk->booked = true;
    if (!strcmp(state, "done")) goto done;

    cJSON_free(text);
    if (!(text = tour_data_answer(&d, NULL, "bookings"))) goto bad;
    if ((rc = parsed(&d, "bookings", hub_hk_parse_bookings(text, strlen(text), &hk->mine, err, sizeof err), err)))
        goto done;
    hk->have_mine = true;
    goto done;
bad:
    rc = TOUR_BAD_DATA;
done:
    cJSON_free(text);
    tour_data_close(&d);
    return rc;
}

int hk_tour(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"housekeeping", "catalogue", SCR_HOUSEKEEPING},
        {"hk_slots", "slots", SCR_HK_SLOTS},
        {"hk_slots_full", "slots_full", SCR_HK_SLOTS},
        {"hk_who", "who", SCR_HK_WHO},
        {"hk_who_code", "who_code", SCR_HK_WHO},
        {"hk_confirm", "confirm", SCR_HK_CONFIRM},
        {"hk_done", "done", SCR_HK_DONE},
        {"hk_mine", "mine", SCR_HK_MINE},
        {"hk_mine_cancel", "mine", SCR_HK_MINE},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, SCR_HOUSEKEEPING);
        if (states[i].screen != SCR_HOUSEKEEPING) app_go(app, states[i].screen);
        int rc = sample(app, states[i].state);
        if (rc == 0 && app->hk && !strcmp(name, "hk_mine_cancel")) app->hk->cancel_ask = 1;
        return rc;
    }
    return TOUR_UNKNOWN;
}
