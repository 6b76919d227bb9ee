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
/* The hot paths' statements, prepared once per connection: SQL must be a
 * string with static storage (a literal; it is cached by its address).
 * On this thread's connection (db_thread) the statement is prepared on
 * first use and kept (up to 16 per connection; past that, and on any other
 * connection, it is prepared each time). Returns the statement ready to
 * bind and step, or NULL if SQL does not prepare. Every statement obtained
 * is given back with db_stmt_done, which resets it (ending its read
 * transaction) and clears its bindings, or finalizes an uncached one.
 * Not for statements used inside a loop that can recurse into the same SQL. */
sqlite3_stmt *db_stmt(sqlite3 *db, const char *sql);
void db_stmt_done(sqlite3 *db, sqlite3_stmt *st);
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
