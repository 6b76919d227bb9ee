/* The information screens on the tour's sample answers,
 * ASSETS_DIR/tour/info.json (app/tour_data.h), read by the hub answer
 * parser the service uses (hub_parse_content). */
#include <string.h>
#include "app/app.h"
#include "app/tour_data.h"
#include "services/info/hub_info.h"
#include "services/info/info.h"

/* The answer KEY of the file into OUT (INFO_MAX items), every item valid. */
static int answer(const tour_data_t *d, const char *key, info_item_t *out, int *n)
{
    char *text = tour_data_answer(d, NULL, key), err[160];
    int dropped = 0, rc = 0;
    if (!text) return TOUR_BAD_DATA;
    if (hub_parse_content(text, strlen(text), out, INFO_MAX, n, &dropped, err, sizeof err) != 0)
        rc = tour_data_fail(d, "\"%s\": %s", key, err);
    else if (dropped)
        rc = tour_data_fail(d, "\"%s\": %d item(s) malformed or too many", key, dropped);
    cJSON_free(text);
    return rc;
}

/* The events and guides as the hub sends them; STATE "guide_detail",
 * "guide_detail_more",
 * "register", "help_sent", "help_ack" or NULL. */
static int sample(app_t *app, const char *state)
{
    struct info_state *s = app->info;
    if (!s) return 0;
    tour_data_t d;
    char phone[sizeof s->phone];
    int rc = tour_data_open(&d, app->cfg.assets_dir, "info.json");
    if (rc == 0) rc = answer(&d, "events", s->items, &s->n);
    if (rc == 0) rc = answer(&d, "guides", s->guides, &s->n_guides);
    if (rc == 0) rc = tour_data_str(&d, NULL, "typed_phone", phone, sizeof phone);
    if (rc == 0 && (s->n < 1 || s->n_guides < 1))
        rc = tour_data_fail(&d, "the tour shows the first event and the first guide: none given");
    tour_data_close(&d);
    if (rc != 0) return rc;
    s->busy = false;
    s->msg[0] = '\0';
    s->tab = 1;                            /* events */
    s->cur = s->items[0];
    if (state && !strncmp(state, "guide_detail", 12)) info_open_guide(app, 0);
    if (state && !strcmp(state, "guide_detail_more")) s->guide_page = INFO_MAX;   /* the last page */
    if (state && !strcmp(state, "register")) {
        memcpy(s->phone, phone, sizeof s->phone);
        s->n_phone = (int)strlen(phone);
    }
    s->help_state = state && !strcmp(state, "help_sent") ? HELP_SENT
                  : state && !strcmp(state, "help_ack") ? HELP_ACKNOWLEDGED : HELP_NONE;
    return 0;
}

int info_tour(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"events", NULL, SCR_NOTICES},
        {"notice", NULL, SCR_NOTICE},
        {"register", "register", SCR_REGISTER},
        {"guides", NULL, SCR_GUIDE},
        {"guide_detail", "guide_detail", SCR_GUIDE_DETAIL},
        {"guide_detail_more", "guide_detail_more", SCR_GUIDE_DETAIL},
        {"help_sent", "help_sent", SCR_HELP},
        {"help_ack", "help_ack", SCR_HELP},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, states[i].screen);      /* entering fetches; the sample replaces it */
        return sample(app, states[i].state);
    }
    return TOUR_UNKNOWN;
}
