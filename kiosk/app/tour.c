#include "app/tour.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "services/bills/bills.h"
#include "services/housekeeping/housekeeping.h"
#include "services/info/info.h"
#include "services/street/street.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "core/log.h"

const char *const tour_states[] = {
    "attract", "home", "bills", "housekeeping", "notices", "scan", "guide", "help",
    "timeout", "staff_pin", "staff_menu", "fault",
    "bills_account", "bills_scan", "bills_list", "pay_qr", "pay_confirming", "pay_code",
    "pay_code_confirm", "pay_paid", "pay_failed", "pay_expired",
    "events", "notice", "register", "guides", "guide_detail", "help_sent", "help_ack",
    "street", "street_alert", "street_night", "map",
    "hk_slots", "hk_slots_full", "hk_who", "hk_confirm", "hk_done", "hk_mine", "hk_mine_cancel",
    NULL,
};

#define NOTICES_FILE_MAX (256 * 1024)

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        log_error("tour", "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(NOTICES_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, NOTICES_FILE_MAX + 1, fp) : 0;
    if (!buf || ferror(fp) || n > NOTICES_FILE_MAX) {
        log_error("tour", "%s: cannot read (or larger than %d bytes)", path, NOTICES_FILE_MAX);
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
    }
    fclose(fp);
    return buf;
}

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
    char path[1024];
    snprintf(path, sizeof path, "%s/tour/notices.json", assets_dir);
    char *text = read_text(path);
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    int count = -1;
    if (!text) goto done;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "notices");
    if (!cJSON_IsArray(list)) {
        log_error("tour", "%s: %s", path, doc ? "no \"notices\" array" : "not valid JSON");
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
            log_error("tour", "%s: notice %d: \"%s\" is missing or not valid", path, i, bad);
            goto done;
        }
        n.published = (time_t)published->valuedouble;
        n.pinned = cJSON_IsTrue(pinned);
        if (fn(ctx, locale, &n) != 0) goto done;
    }
    count = i;
done:
    cJSON_Delete(doc);
    free(text);
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
static void tour_notices(app_t *app)
{
    if (app->n_notices > 0) return;
    if (tour_notices_each(app->cfg.assets_dir, keep_notice, app) < 0) app->n_notices = 0;
    qsort(app->notices, (size_t)app->n_notices, sizeof *app->notices, notice_order);
    app->attract_idx = 0;
}

/* The information screens, on sample data (services/info/info.c). */
static int tour_info(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"events", NULL, SCR_NOTICES},
        {"notice", NULL, SCR_NOTICE},
        {"register", "register", SCR_REGISTER},
        {"guides", NULL, SCR_GUIDE},
        {"guide_detail", "guide_detail", SCR_GUIDE_DETAIL},
        {"help_sent", "help_sent", SCR_HELP},
        {"help_ack", "help_ack", SCR_HELP},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, states[i].screen);      /* entering fetches; the sample replaces it */
        info_sample(app, states[i].state);
        return 0;
    }
    return -1;
}

/* The bills and payment screens, on sample data (services/bills/bills.c). */
static int tour_bills(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"bills_account", NULL, SCR_BILLS_ACCOUNT},
        {"bills_scan", NULL, SCR_BILLS_SCAN},
        {"bills_list", NULL, SCR_BILLS_LIST},
        {"pay_qr", "qr", SCR_PAY_QR},
        {"pay_confirming", "confirming", SCR_PAY_QR},
        {"pay_code", "code", SCR_PAY_CODE},
        {"pay_code_confirm", "code_confirm", SCR_PAY_CODE},
        {"pay_paid", "paid", SCR_PAY_RESULT},
        {"pay_failed", "failed", SCR_PAY_RESULT},
        {"pay_expired", "expired", SCR_PAY_RESULT},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, SCR_BILLS);
        bills_sample(app, states[i].state);
        if (states[i].screen == SCR_BILLS_ACCOUNT) {
            snprintf(app->bills->digits, sizeof app->bills->digits, "%s", "3702031056");
            app->bills->n_digits = 10;
        }
        if (states[i].screen != SCR_BILLS_ACCOUNT && states[i].screen != SCR_BILLS_SCAN)
            app_go(app, SCR_BILLS_LIST);
        app_go(app, states[i].screen);
        return 0;
    }
    return -1;
}

/* The housekeeping screens, on sample data (services/housekeeping/housekeeping.c). */
static int tour_hk(app_t *app, const char *name)
{
    static const struct { const char *name, *state; screen_id_t screen; } states[] = {
        {"housekeeping", "catalogue", SCR_HOUSEKEEPING},
        {"hk_slots", "slots", SCR_HK_SLOTS},
        {"hk_slots_full", "slots_full", SCR_HK_SLOTS},
        {"hk_who", "who", SCR_HK_WHO},
        {"hk_confirm", "confirm", SCR_HK_CONFIRM},
        {"hk_done", "done", SCR_HK_DONE},
        {"hk_mine", "mine", SCR_HK_MINE},
        {"hk_mine_cancel", "mine", SCR_HK_MINE},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        app_go(app, SCR_HOUSEKEEPING);
        if (states[i].screen != SCR_HOUSEKEEPING) app_go(app, states[i].screen);
        hk_sample(app, states[i].state);
        if (app->hk && !strcmp(name, "hk_mine_cancel")) app->hk->cancel_ask = 1;
        return 0;
    }
    return -1;
}

int tour_show(app_t *app, const char *name)
{
    app_end_session(app, "tour");
    tour_notices(app);
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
    if (tour_bills(app, name) == 0) return 0;
    if (tour_hk(app, name) == 0) return 0;
    if (street_tour(app, name) == 0) return 0;
    if (tour_info(app, name) == 0) return 0;
    int s = app_screen_find(name);
    if (s < 0) return -1;
    if (s == SCR_STAFF_PIN && !app->cfg.staff_pin_hash[0]) {
        /* Show the PIN pad even on a kiosk without a PIN: the hash only
         * matters when a PIN is checked, which a tour never does. */
        snprintf(app->cfg.staff_pin_hash, sizeof app->cfg.staff_pin_hash, "%s", "$argon2id$tour");
        app_go(app, SCR_STAFF_PIN);
        snprintf(app->pin, sizeof app->pin, "%s", "1234");
        app->pin_len = 4;
        return 0;
    }
    app_go(app, (screen_id_t)s);
    if (s == SCR_STAFF_PIN && app->screen == SCR_STAFF_PIN) {
        snprintf(app->pin, sizeof app->pin, "%s", "1234");   /* shows four dots */
        app->pin_len = 4;
    }
    return 0;
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
        if (tour_show(app, tour_states[i]) != 0 || app_save_png(app, path) != 0) {
            failures++;
            continue;
        }
        printf("%s\n", path);
    }
    app_end_session(app, "tour");
    return failures;
}
