#include "app/preview.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/app.h"
#include "app/preview_item.h"
#include "app/screens.h"
#include "core/clock.h"
#include "core/log.h"
#include "services/info/info.h"
#include "ui/fit.h"

#define ITEM_FILE_MAX (64 * 1024)    /* a title, a body and a guide's data fit many times over */

/* The item file into BUF (NUL-terminated): 0, or -1 with ERR. */
static int read_item(const char *path, char *buf, size_t cap, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    *len = fread(buf, 1, cap - 1, f);
    int bad = ferror(f), more = !bad && fgetc(f) != EOF;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "cannot read it");
        return -1;
    }
    if (more) {
        snprintf(err, errlen, "larger than %zu bytes", cap - 1);
        return -1;
    }
    buf[*len] = '\0';
    return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    if (remove(path) != 0) log_warn("preview", "cannot remove %s: %s", path, strerror(errno));
    return 0;
}

struct report {
    cJSON *problems;
};

static void on_problem(void *ctx, const fit_problem_t *p)
{
    struct report *r = ctx;
    char msg[400];
    fit_describe(p, msg, sizeof msg);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", fit_kind_key(p->kind));
    cJSON_AddStringToObject(o, "id", p->w ? p->w->id : "");
    cJSON_AddStringToObject(o, "message", msg);
    cJSON_AddItemToArray(r->problems, o);
}

/* Shows the item, checks and writes the frame, prints the report: 0 or 1. */
static int draw(app_t *app, const preview_item_t *p, const char *out)
{
    const info_item_t *it = &p->item;
    bool alert = !strcmp(it->kind, "alert");
    app_end_session(app, "preview");
    session_input(&app->session, clock_mono_ms(), clock_wall());
    app_home(app);
    /* An alert shows over whatever a resident is using: over home here. */
    if (!alert && info_preview(app, it) != 0) {
        fprintf(stderr, "kiosk: --preview: the information screens are not available\n");
        return 1;
    }
    app_build(app);
    if (alert) chrome_alert_overlay(app, app->frame, it->title, it->body);
    struct report r = {cJSON_CreateArray()};
    int n = fit_check(app->frame, screen_get(app->screen)->chrome, on_problem, &r, NULL);
    if (app_render_png(app, out) != 0) {
        fprintf(stderr, "kiosk: --preview: cannot write %s\n", out);
        cJSON_Delete(r.problems);
        return 1;
    }
    cJSON *o = cJSON_CreateObject();
    char size[32];
    snprintf(size, sizeof size, "%dx%d", app->w, app->h);
    cJSON_AddBoolToObject(o, "fits", n == 0);
    cJSON_AddStringToObject(o, "size", size);
    cJSON_AddStringToObject(o, "theme", config_theme_name(app->cfg.theme));
    cJSON_AddStringToObject(o, "locale", app_locale(app));
    cJSON_AddStringToObject(o, "screen", alert ? "alert" : app_screen_name(app->screen));
    cJSON_AddItemToObject(o, "problems", r.problems);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!line) return 1;
    printf("%s\n", line);
    cJSON_free(line);
    return fflush(stdout) == 0 ? 0 : 1;
}

int preview_run(config_t *cfg, const preview_opts_t *o)
{
    static char buf[ITEM_FILE_MAX];
    char err[512], dir[1024] = "";
    size_t len = 0;
    preview_item_t p;
    if (!o->out_path) {
        fprintf(stderr, "kiosk: --preview ITEM.json needs --out FILE.png\n");
        return 2;
    }
    if (read_item(o->item_path, buf, sizeof buf, &len, err, sizeof err) != 0 ||
        preview_item_parse(buf, len, clock_wall(), &p, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --preview %s: %s\n", o->item_path, err);
        return 2;
    }
    if (p.image[0]) {
        if (!o->images_dir) {
            fprintf(stderr, "kiosk: --preview %s: the item has a picture: give --images DIR\n", o->item_path);
            return 2;
        }
        char *image = p.item.image;            /* the screens' picture file */
        int n = snprintf(image, sizeof p.item.image, "%s/%s", o->images_dir, p.image);
        if (n < 0 || (size_t)n >= sizeof p.item.image || access(image, R_OK) != 0) {
            fprintf(stderr, "kiosk: --preview %s: picture %s is not in %s\n", o->item_path, p.image, o->images_dir);
            return 2;
        }
    }
    if (!o->locale_given && p.locale[0] && config_set(cfg, "ui", "locale", p.locale, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --preview %s: locale: \"%s\" is not a locale the kiosk has\n", o->item_path, p.locale);
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/kiosk-preview-XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "kiosk: --preview: cannot make a directory in %s: %s\n", tmp ? tmp : "/tmp", strerror(errno));
        return 1;
    }
    /* Silent: a picture needs no voice, and the speech engine's audio
     * libraries reach for a sound server and large shared memory. */
    if (config_set(cfg, "kiosk", "var_dir", dir, err, sizeof err) != 0 ||
        config_set(cfg, "voice", "enabled", "false", err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --preview: %s\n", err);
        rmdir(dir);
        return 1;
    }
    if (!getenv("SDL_VIDEODRIVER")) setenv("SDL_VIDEODRIVER", "dummy", 1);
    int rc = 1;
    app_t *app = calloc(1, sizeof *app);
    app_opts_t opts = {.offscreen = true};
    if (!app) {
        fprintf(stderr, "kiosk: --preview: out of memory\n");
    } else if (app_init(app, cfg, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "kiosk: --preview: %s\n", err);
        app_free(app);
    } else {
        rc = draw(app, &p, o->out_path);
        app_free(app);
    }
    free(app);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
