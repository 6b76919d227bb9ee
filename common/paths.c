#include "paths.h"

/* The source tree's layout, relative to the repository's root (make run and
 * the tests run from there). The Makefile's install build overrides each
 * with an absolute path; hub.mk gives the in-tree hub the tree's absolute
 * demo directory, so a hub started from elsewhere still finds it. */
#ifndef PATHS_KIOSK_CONFIG
#define PATHS_KIOSK_CONFIG "kiosk.ini"
#endif
#ifndef PATHS_KIOSK_ASSETS
#define PATHS_KIOSK_ASSETS "assets"
#endif
#ifndef PATHS_KIOSK_LOCALE
#define PATHS_KIOSK_LOCALE "build/locale"
#endif
#ifndef PATHS_KIOSK_STATE
#define PATHS_KIOSK_STATE "var"
#endif
#ifndef PATHS_HUB_DB
#define PATHS_HUB_DB "var/hub.db"
#endif
#ifndef PATHS_HUB_DEMO
#define PATHS_HUB_DEMO "hub/demo"
#endif
#ifndef PATHS_HUB_CONSOLE
#define PATHS_HUB_CONSOLE "hub/console/www"
#endif

const paths_t paths = {
    .kiosk_config = PATHS_KIOSK_CONFIG,
    .kiosk_assets = PATHS_KIOSK_ASSETS,
    .kiosk_locale = PATHS_KIOSK_LOCALE,
    .kiosk_state = PATHS_KIOSK_STATE,
    .hub_db = PATHS_HUB_DB,
    .hub_demo = PATHS_HUB_DEMO,
    .hub_console = PATHS_HUB_CONSOLE,
};
