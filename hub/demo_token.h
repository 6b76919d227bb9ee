/* Demo data stays in demo databases. A database seeded by `hub --demo` is
 * marked (demo_settings 'demo_database'), and its demo device "demo-01"
 * gets a token of its own, random per database, kept in a file beside it
 * (DB ".demo-token" unless [hub] demo_token_file / --demo-token-file says
 * otherwise) where `make run` and the tests read it. A hub started without
 * --demo on such a database refuses to run (chosen over deleting the demo
 * device: the demo residents and bills are there too, and a real hub must
 * not serve them). A database of an older demo hub, holding the token that
 * was once fixed in the source, counts as a demo database.
 *
 * Main thread, before the server starts. Errors: -1 with ERR; nothing of
 * the token is ever printed. */
#ifndef HUB_DEMO_TOKEN_H
#define HUB_DEMO_TOKEN_H

#include <sqlite3.h>
#include <stddef.h>

#define DEMO_DEVICE "demo-01"

/* A demo hub: the token of FILE if it exists (readable by this user only,
 * one line "demo-01." + 64 hex digits), else a new random one written to
 * FILE (0600, never over another file); stored for demo-01, and the
 * database marked. 0 or -1. */
int demo_token_setup(sqlite3 *db, const char *file, char *err, size_t errlen);
/* A hub without --demo: -1 with ERR (naming the fix) when DB (at PATH) was
 * seeded for the demo, 0 otherwise. */
int demo_database_refuse(sqlite3 *db, const char *path, char *err, size_t errlen);

#endif
