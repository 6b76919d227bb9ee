#include "app/prefs.h"

#include <string.h>
#include "core/i18n.h"
#include "app/app.h"
#include "app/speech.h"

bool prefs_large(const app_t *app)
{
    if (app->session.large >= 0)
        return app->session.large == 1;
    return app->cfg.theme == THEME_ELDER;
}

bool prefs_contrast(const app_t *app)
{
    if (app->session.contrast >= 0)
        return app->session.contrast == 1;
    return app->cfg.theme == THEME_CONTRAST;
}

/* The state is said in the resident's language, whatever _() was last set
 * to by a build. */
static void say(app_t *app, bool was_on, const char *msgid)
{
    i18n_set(app_locale(app));
    speech_choice(app, was_on, _(msgid));
}

void prefs_set_large(app_t *app, bool on, bool as_elder)
{
    bool was_on = speech_on(app);
    app->session.large = on ? 1 : 0;
    app->dirty = true;
    if (as_elder)
        say(app, was_on, on ? N_("Elder mode on.") : N_("Elder mode off."));
    else
        say(app, was_on, on ? N_("Large text on.") : N_("Large text off."));
}

void prefs_set_contrast(app_t *app, bool on)
{
    bool was_on = speech_on(app);
    app->session.contrast = on ? 1 : 0;
    app->dirty = true;
    say(app, was_on, on ? N_("High contrast on.") : N_("High contrast off."));
}

const char *prefs_large_label(const app_t *app)
{
    return prefs_large(app) ? _("Large text: on") : _("Large text: off");
}

const char *prefs_elder_label(const app_t *app)
{
    return prefs_large(app) ? _("Elder mode: on") : _("Elder mode: off");
}

const char *prefs_contrast_label(const app_t *app)
{
    return prefs_contrast(app) ? _("High contrast: on") : _("High contrast: off");
}

bool prefs_action(app_t *app, const char *id)
{
    if (!strcmp(id, "hdr.size") || !strcmp(id, "home.elder")) {
        prefs_set_large(app, !prefs_large(app), strcmp(id, "hdr.size") != 0);
        return true;
    }
    if (!strcmp(id, "home.contrast")) {
        prefs_set_contrast(app, !prefs_contrast(app));
        return true;
    }
    return false;
}
