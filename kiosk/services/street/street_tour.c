/* The street display on the tour's sample answers,
 * ASSETS_DIR/tour/street.json (app/tour_data.h): built into the street
 * document as the feed does (street_feed_build) and read by the display's
 * own parser (street_set_content). */
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/tour_data.h"
#include "core/clock.h"
#include "services/street/feed.h"
#include "services/street/street.h"

/* The notices answer of the app's locale, without the alerts unless ALERT:
 * its text (cJSON_free), or NULL (logged). */
static char *notices(const tour_data_t *d, const app_t *app, bool alert)
{
    const char *locale = strncmp(app_locale(app), "zh", 2) == 0 ? "zh_CN" : "en";
    cJSON *all = tour_data_obj(d, NULL, "notices"), *mine = all ? tour_data_obj(d, all, locale) : NULL;
    cJSON *items = mine ? cJSON_GetObjectItemCaseSensitive(mine, "items") : NULL;
    if (mine && !cJSON_IsArray(items)) {
        tour_data_fail(d, "\"notices\".\"%s\": no \"items\" array", locale);
        return NULL;
    }
    for (cJSON *it = items ? items->child : NULL, *next; it; it = next) {
        next = it->next;
        const cJSON *cat = cJSON_GetObjectItemCaseSensitive(it, "category");
        if (!alert && cJSON_IsString(cat) && strcmp(cat->valuestring, "alert") == 0)
            cJSON_Delete(cJSON_DetachItemViaPointer(items, it));
    }
    return mine ? tour_data_answer(d, all, locale) : NULL;
}

int street_tour(app_t *app, const char *name)
{
    bool alert = strcmp(name, "street_alert") == 0, night = strcmp(name, "street_night") == 0;
    if (!app->street || (strcmp(name, "street") != 0 && !alert && !night)) return TOUR_UNKNOWN;
    tour_data_t d;
    char *pl = NULL, *no = NULL, *doc = NULL;
    int rc = tour_data_open(&d, app->cfg.assets_dir, "street.json");
    if (rc != 0) goto done;
    /* The answers read as of as_of: moved to the tour's moment. */
    static const char *const times[] = {"published", "expires", NULL};
    tour_data_shift(d.doc, times, (long long)(clock_wall() - d.as_of));
    if (!(pl = tour_data_answer(&d, NULL, "playlists")) || !(no = notices(&d, app, alert))) {
        rc = TOUR_BAD_DATA;
        goto done;
    }
    doc = street_feed_build(pl, no, NULL, 0, (long)clock_wall());
    if (!doc || street_set_content(app, doc, false) != 0) {
        rc = tour_data_fail(&d, "not a street document the display understands (see the log)");
        goto done;
    }
    app_go(app, SCR_STREET);
    if (night) {
        app->street->night_on = true;          /* dimmed, as a night schedule would */
        app->street->night_mode = STREET_NIGHT_DIM;
    }
done:
    free(doc);
    cJSON_free(pl);
    cJSON_free(no);
    tour_data_close(&d);
    return rc;
}
