/* Where the programs find their files: the one place that knows.
 *
 * Built in the source tree (make, make run, make test), the defaults are
 * the tree's own relative paths, as they always were. `make install` and
 * the Debian packages compile paths.c once more with the PATHS_* macros
 * set from PREFIX, SYSCONFDIR and LOCALSTATEDIR (Makefile, "Install"), so an
 * installed program reads nothing relative to its working directory.
 * Every value here is only a default: kiosk.ini / hub.ini keys and the
 * command line still override it.
 *
 * Constant strings, set at build time; read from any thread. */
#ifndef COMMON_PATHS_H
#define COMMON_PATHS_H

typedef struct {
    const char *kiosk_config;   /* kiosk.ini read without --config (kiosk, kioskctl) */
    const char *kiosk_assets;   /* [kiosk] assets_dir */
    const char *kiosk_locale;   /* [kiosk] locale_dir: LOCALE.mo */
    const char *kiosk_state;    /* [kiosk] var_dir: database, outbox key, content */
    const char *hub_db;         /* [hub] db (its key file beside it) */
    const char *hub_demo;       /* [hub] demo_dir: the demo's SQL files */
    const char *hub_console;    /* [console] dir: the staff console's web files */
} paths_t;

extern const paths_t paths;

#endif
