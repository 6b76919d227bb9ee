/* Staff menu: the kiosk's own state at a glance (storage, devices, display,
 * sessions) and the only way out of a locked-down kiosk. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <time.h>
#include "core/clock.h"
#include "core/i18n.h"
#include "core/version.h"
#include "app/screens.h"
#include "services/staff/staff.h"

/* How many of ROWS from FIRST fit whole, one under another, in R. */
static int rows_fitting(ui_frame_t *f, char rows[][300], int first, int n, SDL_Rect r)
{
    const theme_t *th = f->th;
    int k = 0, used = 0;
    for (int i = first; i < n; i++) {
        int h = ui_wrapped_height(f, th->px_body, rows[i], r.w);
        if (used + h > r.h) break;
        used += h + th->pad / 8;
        k++;
    }
    return k;
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    const config_t *c = &app->cfg;
    SDL_Rect in = ui_inset(content, th->gap);
    /* the three buttons side by side, or (a narrow panel where a label
     * would read under the minimum) close and print over exit */
    static const char *const labels[3] = {N_("Close staff menu"), N_("Print a test receipt"),
                                          N_("Exit the kiosk program")};
    int third = (in.w - 2 * th->gap) / 3;
    bool two_rows = false;
    for (int i = 0; i < 3; i++)
        if (!ui_button_label_fits(f, _(labels[i]), third, th->target)) two_rows = true;
    SDL_Rect buttons = ui_cut_bottom(&in, two_rows ? th->target * 2 + th->gap : th->target);
    in.h -= th->gap;

    char rows[16][300];           /* at most 15 below */
    int n = 0;
    snprintf(rows[n++], 300, _("Version %s, kiosk %s, %s mode"), KIOSK_VERSION, c->kiosk_id,
             c->mode == MODE_STREET ? _("street") : _("hall"));
    snprintf(rows[n++], 300, _("Configuration: %s"), app->opts.config_path ? app->opts.config_path : "-");
    if (app->store)
        snprintf(rows[n++], 300, _("Database: %s/kiosk.db, schema %d, %d sessions logged"),
                 c->var_dir, app->staff->counts.schema, app->staff->counts.sessions);
    else
        snprintf(rows[n++], 300, _("Database: UNAVAILABLE (%s)"), app->store_err);
    if (app->store && app->store_err[0])
        snprintf(rows[n++], 300, _("A damaged database was moved aside to %s"), app->store_err);
    if (app->storage_fault[0])
        snprintf(rows[n++], 300, _("Storage fault: %s"), app->storage_fault);
    if (app->staff->counts.pop_dropped > 0)
        snprintf(rows[n++], 300, _("Proof of play dropped while the database was stuck: %lld"),
                 app->staff->counts.pop_dropped);
    for (int i = 0; i < DEV_COUNT; i++) {
        const dev_status_t *d = &app->devices[i];
        char line[200];
        /* TRANSLATORS: a device and its state, e.g. "Receipt printer: ready". */
        snprintf(line, sizeof line, _("%s: %s"), _(devices_name((dev_id_t)i)),
                 _(devices_state_name(d->state)));
        snprintf(rows[n++], 300, "%s%s%s", line, d->detail[0] ? " \xE2\x80\x94 " : "", d->detail);
    }
    SDL_RendererInfo info = {0};
    SDL_GetRendererInfo(app->ren, &info);
    snprintf(rows[n++], 300, _("Display: %dx%d, rotation %d, renderer %s, lockdown %s"),
             app->w, app->h, c->rotation, info.name ? info.name : "?",
             c->lockdown ? _("on") : _("off"));
    snprintf(rows[n++], 300, _("Hub: %s"), c->hub_url);
    if (app->store)
        snprintf(rows[n++], 300, _("Receipts waiting to print: %d, failed: %d"),
                 app->staff->counts.print_queued, app->staff->counts.print_failed);
    if (app->store)
        snprintf(rows[n++], 300, _("Outbox: %d waiting to be sent, %d given up (kioskctl queue list)"),
                 app->staff->counts.outbox_waiting, app->staff->counts.outbox_dead);
    if (app->store)
        snprintf(rows[n++], 300, _("Payments being resolved: %d; paid: %d, cancelled: %d, failed: %d"),
                 app->staff->counts.pay_open, app->staff->counts.pay_paid,
                 app->staff->counts.pay_cancelled, app->staff->counts.pay_failed);

    ui_label(f, "staff.title", ui_cut_top(&in, ui_text_line_height(f->text, th->px_title)),
             _("Staff menu"), th->px_title, th->text, th->bg, UI_ALIGN_LEFT, false);
    in.y += th->pad; in.h -= th->pad;
    ui_widget_t *card = ui_panel(f, "staff.card", in, th->surface);
    if (th->high_contrast) { card->border = th->border; card->border_w = 3; }
    SDL_Rect r = ui_inset(in, th->pad);
    /* Every row whole; where they do not all fit (large text), a page of
     * them and a button to the next, never rows silently left out. */
    int first = app->staff->row_first < n ? app->staff->row_first : 0;
    int fit = rows_fitting(f, rows, first, n, r);
    if (first > 0 || first + fit < n) {
        SDL_Rect more = ui_cut_bottom(&r, th->target);
        r.h -= th->pad;
        fit = rows_fitting(f, rows, first, n, r);
        if (fit < 1) fit = 1;
        char label[160];
        /* TRANSLATORS: the staff menu's status rows shown (from, to) of all, where they do not fit one page */
        snprintf(label, sizeof label, _("Status %d-%d of %d: tap for more"), first + 1, first + fit, n);
        ui_button(f, "staff.more", more, label, UI_BTN_SECONDARY, true);
    }
    for (int i = first; i < first + fit && i < n; i++) {
        char id[UI_ID_LEN];
        snprintf(id, sizeof id, "staff.row.%d", i);
        int h = ui_wrapped_height(f, th->px_body, rows[i], r.w);
        if (h > r.h) h = r.h;
        ui_label(f, id, ui_cut_top(&r, h), rows[i], th->px_body, th->text, th->surface,
                 UI_ALIGN_LEFT, true);
        r.y += th->pad / 8; r.h -= th->pad / 8;
    }
    app->staff->row_next = first + fit < n ? first + fit : 0;

    SDL_Rect cells[3];
    if (two_rows) {
        SDL_Rect top = ui_cut_top(&buttons, th->target);
        cells[0] = ui_grid_cell(top, 2, 1, th->gap, 0);
        cells[1] = ui_grid_cell(top, 2, 1, th->gap, 1);
        cells[2] = ui_cut_bottom(&buttons, th->target);
    } else {
        for (int i = 0; i < 3; i++) cells[i] = ui_grid_cell(buttons, 3, 1, th->gap, i);
    }
    ui_button(f, "staff.close", cells[0], _(labels[0]), UI_BTN_SECONDARY, true);
    ui_button(f, "staff.test_print", cells[1], _(labels[1]), UI_BTN_SECONDARY, true);
    ui_button(f, "staff.exit", cells[2], _(labels[2]), UI_BTN_DANGER, true);
}

/* A test receipt: the kiosk's identity and the time, nothing personal. */
static void test_print(app_t *app)
{
    char when[32], json[1024], summary[200];
    time_t t = clock_wall();
    struct tm tm;
    clock_cst(t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    cJSON *r = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(r, "items");
    cJSON *it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "text", _("Printer test"));
    cJSON_AddStringToObject(it, "align", "center");
    cJSON_AddBoolToObject(it, "bold", 1);
    cJSON_AddItemToArray(items, it);
    it = cJSON_CreateObject();
    snprintf(summary, sizeof summary, "%s %s %s", _("Printer test"), app->cfg.kiosk_id, when);
    cJSON_AddStringToObject(it, "text", summary);
    cJSON_AddItemToArray(items, it);
    it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "qr", summary);
    cJSON_AddItemToArray(items, it);
    it = cJSON_CreateObject();
    cJSON_AddStringToObject(it, "cut", "partial");
    cJSON_AddItemToArray(items, it);
    char *text = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    snprintf(json, sizeof json, "%s", text ? text : "{}");
    free(text);
    app_print_receipt(app, json, summary);
}

static bool action(app_t *app, const char *id)
{
    if (strcmp(id, "staff.test_print") == 0) {
        test_print(app);
        return true;
    }
    if (strcmp(id, "staff.more") == 0) {
        app->staff->row_first = app->staff->row_next;
        return true;
    }
    if (strcmp(id, "staff.close") == 0) {
        app_end_session(app, "staff");
        return true;
    }
    if (strcmp(id, "staff.exit") == 0) {
        app->quit = true;
        return true;
    }
    return false;
}

static void enter(app_t *app)
{
    app->staff->row_first = 0;
    staff_refresh(app);
}

const screen_t screen_staff_menu = {"staff_menu", true, false, enter, build, action, NULL};
