/* The hub's SQLite database: schema, migrations, one connection per worker
 * thread (WAL: readers never wait for the writer). */
#ifndef HUB_DB_H
#define HUB_DB_H

#include <sqlite3.h>

/* Opens PATH (creating it, and its directory, readable by this user only),
 * loads the personal-data key (pii.h; db_set_key_file, by default PATH
 * ".key"), applies migrations. Returns 0 or -1 with ERR, among others when
 * the key file is readable by others. */
int db_init(const char *path, char *err, int errlen);
/* The key file db_init loads; NULL or "" for the default. */
void db_set_key_file(const char *path);
/* This thread's connection (opened on first use), or NULL on failure. */
sqlite3 *db_thread(void);
/* Closes every connection (at shutdown, after the workers stopped). */
void db_close_all(void);
int db_schema_version(sqlite3 *db);

/* Money: a payment or a write-off is acknowledged only once it survives a
 * power cut. db_sync_full switches DB to PRAGMA synchronous=FULL (the WAL
 * is synced at every commit; the hub's default NORMAL may lose the last
 * commits on power loss) and returns the level it had, for
 * db_sync_restore. Outside a transaction only (SQLite ignores the change
 * inside one). */
int db_sync_full(sqlite3 *db);
void db_sync_restore(sqlite3 *db, int level);

/* Runs SQL (no results); 0 or the SQLite error code (logged). */
int db_exec(sqlite3 *db, const char *sql);
/* One integer from a query with up to one text parameter; DEF if no row. */
long long db_int(sqlite3 *db, const char *sql, const char *param, long long def);

#endif
