/* Home: six large tiles, one per service, and under them the resident's
 * display choices (长辈模式, 高对比), each naming its state. */
#include <string.h>
#include "core/i18n.h"
#include "app/prefs.h"
#include "app/screens.h"

typedef struct {
    const char *id;
    const char *badge;      /* msgid of the one-character icon */
    const char *title, *sub;
    screen_id_t target;
} tile_def_t;

static const tile_def_t tiles[6] = {
    {"home.bills", N_("icon:bills"), N_("Pay bills"), N_("Water, power, gas, heating"), SCR_BILLS},
    {"home.housekeeping", N_("icon:housekeeping"), N_("Housekeeping"), N_("Cleaning, care, repairs"), SCR_HOUSEKEEPING},
    {"home.notices", N_("icon:notices"), N_("Notices"), N_("News, events, library"), SCR_NOTICES},
    {"home.scan", N_("icon:scan"), N_("Scan / ID card"), N_("QR code or ID card"), SCR_SCAN},
    {"home.guide", N_("icon:guide"), N_("Service guide"), N_("One-stop services"), SCR_GUIDE},
    {"home.help", N_("icon:help"), N_("Help"), N_("Call community staff"), SCR_HELP},
};

/* In street mode the ID-card tile (a personal service, refused there) is
 * the area map; the hall's home is unchanged. */
static const tile_def_t street_map_tile =
    {"home.map", N_("icon:map"), N_("Area map"), N_("Where things are nearby"), SCR_MAP};

static const tile_def_t *tile_at(const app_t *app, int i)
{
    return app->cfg.mode == MODE_STREET && tiles[i].target == SCR_SCAN ? &street_map_tile : &tiles[i];
}

static void build(app_t *app, ui_frame_t *f, SDL_Rect content)
{
    const theme_t *th = f->th;
    /* a small panel: half the spacing, so the tiles keep the target height */
    int gap = screen_small_card(f, content) ? th->gap / 2 : th->gap;
    SDL_Rect area = ui_inset(content, gap);
    /* The choices as an equal row under the tiles, not hidden in a menu:
     * the two halves of one strip, the size of any other button. */
    SDL_Rect strip = ui_cut_bottom(&area, th->target);
    area.h -= gap;
    SDL_Rect elder = {strip.x, strip.y, (strip.w - gap) / 2, strip.h};
    SDL_Rect contrast = {elder.x + elder.w + gap, strip.y, strip.w - elder.w - gap, strip.h};
    bool portrait = f->height > f->width;
    int cols = portrait ? 2 : 3, rows = portrait ? 3 : 2;
    for (int i = 0; i < 6; i++) {
        SDL_Rect cell = ui_grid_cell(area, cols, rows, gap, i);
        const tile_def_t *t = tile_at(app, i);
        bool personal = screen_get(t->target)->personal;
        SDL_Color fill = th->tile[i];
        if (app->cfg.mode == MODE_STREET && personal) fill = th->disabled;
        ui_tile(f, t->id, cell, fill, th->on_tile, _(t->badge), _(t->title), _(t->sub));
    }
    ui_button(f, "home.elder", elder, prefs_elder_label(app), UI_BTN_SECONDARY, true);
    ui_button(f, "home.contrast", contrast, prefs_contrast_label(app), UI_BTN_SECONDARY, true);
}

static bool action(app_t *app, const char *id)
{
    for (int i = 0; i < 6; i++)
        if (strcmp(id, tile_at(app, i)->id) == 0) {
            app_go(app, tile_at(app, i)->target);
            return true;
        }
    return false;
}

const screen_t screen_home = {"home", true, false, NULL, build, action, NULL};
