#include "app/tour.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "app/service.h"
#include "app/speech.h"
#include "app/tour_data.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"

const char *const tour_states[] = {
    "attract", "home", "bills", "housekeeping", "notices", "scan", "guide", "help",
    "timeout", "staff_pin", "staff_menu", "fault",
    "bills_account", "bills_scan", "bills_list", "pay_qr", "pay_confirming", "pay_code",
    "pay_code_confirm", "pay_paid", "pay_failed", "pay_expired", "pay_unavailable", "pay_refused",
    "events", "notice", "register", "guides", "guide_detail", "guide_detail_more", "help_sent", "help_ack",
    "street", "street_alert", "street_night", "map",
    "hk_slots", "hk_slots_full", "hk_who", "hk_who_code", "hk_confirm", "hk_done", "hk_mine", "hk_mine_cancel",
    NULL,
};

/* The string member NAME of O copied into OUT, or NULL if it is missing,
 * not a string, empty or too long. */
static const char *text_field(const cJSON *o, const char *name, char *out, size_t len)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= len) return NULL;
    memcpy(out, v->valuestring, strlen(v->valuestring) + 1);
    return out;
}

int tour_notices_each(const char *assets_dir, tour_notice_fn fn, void *ctx)
{
    tour_data_t d;
    int count = -1;
    if (tour_data_open(&d, assets_dir, "notices.json") != 0) goto done;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(d.doc, "notices");
    if (!cJSON_IsArray(list)) {
        tour_data_fail(&d, "no \"notices\" array");
        goto done;
    }
    int i = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, list) {
        notice_t n = {.id = ++i};
        char locale[16];
        const cJSON *published = cJSON_GetObjectItemCaseSensitive(o, "published");
        const cJSON *pinned = cJSON_GetObjectItemCaseSensitive(o, "pinned");
        const char *bad = !text_field(o, "locale", locale, sizeof locale) ? "locale"
                        : !text_field(o, "category", n.category, sizeof n.category) ? "category"
                        : !text_field(o, "title", n.title, sizeof n.title) ? "title"
                        : !text_field(o, "body", n.body, sizeof n.body) ? "body"
                        : !cJSON_IsNumber(published) || published->valuedouble < 0 ? "published"
                        : !cJSON_IsBool(pinned) ? "pinned" : NULL;
        if (bad) {
            tour_data_fail(&d, "notice %d: \"%s\" is missing or not valid", i, bad);
            goto done;
        }
        n.published = (time_t)published->valuedouble;
        n.pinned = cJSON_IsTrue(pinned);
        if (fn(ctx, locale, &n) != 0) goto done;
    }
    count = i;
done:
    tour_data_close(&d);
    return count;
}

/* The order of store_notices: pinned first, then newest, then highest id. */
static int notice_order(const void *pa, const void *pb)
{
    const notice_t *a = pa, *b = pb;
    if (a->pinned != b->pinned) return b->pinned - a->pinned;
    if (a->published != b->published) return a->published < b->published ? 1 : -1;
    return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

static int keep_notice(void *ctx, const char *locale, const notice_t *n)
{
    app_t *app = ctx;
    if (strcmp(locale, app->cfg.locale) == 0 && app->n_notices < APP_MAX_NOTICES)
        app->notices[app->n_notices++] = *n;
    return 0;
}

/* A kiosk without notices of its own shows the samples on the tour. */
static int tour_notices(app_t *app)
{
    if (app->n_notices > 0) return 0;
    if (tour_notices_each(app->cfg.assets_dir, keep_notice, app) < 0) {
        app->n_notices = 0;
        return TOUR_BAD_DATA;
    }
    qsort(app->notices, (size_t)app->n_notices, sizeof *app->notices, notice_order);
    app->attract_idx = 0;
    return 0;
}

int tour_show(app_t *app, const char *name)
{
    app_end_session(app, "tour");
    if (tour_notices(app) != 0) return TOUR_BAD_DATA;
    if (strcmp(name, "attract") == 0) return 0;
    session_input(&app->session, clock_mono_ms(), clock_wall());
    app_home(app);
    if (strcmp(name, "home") == 0) return 0;
    if (strcmp(name, "timeout") == 0) {
        /* The moment the warning shows, a few seconds into its countdown. */
        app->session.last_input_ms = clock_mono_ms() - app->session.idle_ms;
        session_tick(&app->session, clock_mono_ms());
        app->session.warning_since_ms -= 3000;
        return 0;
    }
    if (strcmp(name, "fault") == 0) {
        app_fault(app, _("The service could not be reached. Nothing you entered has been lost."));
        return 0;
    }
    if (strcmp(name, "staff_menu") == 0) {
        app_go(app, SCR_STAFF_MENU);
        return 0;
    }
    for (const service_t *const *sv = app_services; *sv; sv++) {
        int rc = (*sv)->tour ? (*sv)->tour(app, name) : TOUR_UNKNOWN;
        if (rc != TOUR_UNKNOWN) return rc;
    }
    int s = app_screen_find(name);
    if (s < 0) return TOUR_UNKNOWN;
    app_go(app, (screen_id_t)s);
    return 0;
}

/* Beside each picture, the words spoken on arriving at its screen (in the
 * tour's locale; "" for a screen with none), for translators and reviewers. */
static int tour_write_speech(app_t *app, const char *path)
{
    char text[VOICE_TEXT_MAX];
    tone_t tone;
    speech_announcement(app, app->screen, text, sizeof text, &tone);
    FILE *f = fopen(path, "w");
    if (!f)
        goto fail;
    int wrote = fprintf(f, "%s\n", text);
    if (fclose(f) != 0 || wrote < 0)
        goto fail;
    return 0;
fail:
    log_error("tour", "cannot write %s: %s", path, strerror(errno));
    return -1;
}

int tour_run(app_t *app, const char *dir)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        log_error("tour", "cannot create %s: %s", dir, strerror(errno));
        return 1;
    }
    int failures = 0;
    char path[1024];
    for (int i = 0; tour_states[i]; i++) {
        snprintf(path, sizeof path, "%s/%s.png", dir, tour_states[i]);
        int rc = tour_show(app, tour_states[i]);
        if (rc == TOUR_BAD_DATA) {          /* the same file would fail the states after it */
            failures++;
            break;
        }
        if (rc != 0 || app_save_png(app, path) != 0) {
            failures++;
            continue;
        }
        printf("%s\n", path);
        snprintf(path, sizeof path, "%s/%s.txt", dir, tour_states[i]);
        if (tour_write_speech(app, path) != 0)
            failures++;
    }
    app_end_session(app, "tour");
    return failures;
}
