#include "db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"

#define MAX_CONNS 64

static char db_path[512];
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3 *conns[MAX_CONNS];
static int nconns;

/* Every table of the hub. Personal data (names, ID numbers, phones) stays
 * here, on the operator's side; responses mask it. Amounts are in fen. */
static const char *const migrations[] = {
    /* 1 */
    "CREATE TABLE devices(id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, name TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, last_seen INTEGER);"
    "CREATE TABLE idempotency(device TEXT NOT NULL, key TEXT NOT NULL, body_hash TEXT NOT NULL,"
    "  status INTEGER NOT NULL, response TEXT NOT NULL, created INTEGER NOT NULL,"
    "  PRIMARY KEY(device, key));"
    "CREATE INDEX idempotency_created ON idempotency(created);"
    "CREATE TABLE residents(id INTEGER PRIMARY KEY, name TEXT NOT NULL, id_number TEXT UNIQUE,"
    "  phone TEXT);"
    "CREATE TABLE accounts(id INTEGER PRIMARY KEY,"
    "  utility TEXT NOT NULL CHECK(utility IN ('water','electricity','gas','heating')),"
    "  account_no TEXT NOT NULL, resident_id INTEGER REFERENCES residents(id),"
    "  holder TEXT NOT NULL, address TEXT NOT NULL, UNIQUE(utility, account_no));"
    "CREATE TABLE bills(id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  period TEXT NOT NULL, usage REAL NOT NULL, unit TEXT NOT NULL, amount_fen INTEGER NOT NULL,"
    "  late_fee_fen INTEGER NOT NULL DEFAULT 0, due_date TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK(status IN ('unpaid','paid')), paid_at INTEGER, paid_order TEXT,"
    "  UNIQUE(account_id, period));"
    "CREATE TABLE orders(out_trade_no TEXT PRIMARY KEY, device TEXT NOT NULL,"
    "  method TEXT NOT NULL CHECK(method IN ('qr','code')), amount_fen INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK(state IN ('NOTPAY','USERPAYING','SUCCESS','CLOSED','REVOKED','PAYERROR')),"
    "  code_url TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL, settle_at INTEGER,"
    "  settle_to TEXT, transaction_id TEXT, error TEXT);"
    "CREATE TABLE order_bills(out_trade_no TEXT NOT NULL REFERENCES orders(out_trade_no),"
    "  bill_id INTEGER NOT NULL REFERENCES bills(id), PRIMARY KEY(out_trade_no, bill_id));"
    "CREATE TABLE demo_settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE services(id TEXT PRIMARY KEY, name_zh TEXT NOT NULL, name_en TEXT NOT NULL,"
    "  includes_zh TEXT NOT NULL, includes_en TEXT NOT NULL, price_fen INTEGER NOT NULL,"
    "  duration_min INTEGER NOT NULL);"
    "CREATE TABLE providers(id INTEGER PRIMARY KEY, service_id TEXT NOT NULL REFERENCES services(id),"
    "  name TEXT NOT NULL, rating REAL NOT NULL);"
    "CREATE TABLE slots(id INTEGER PRIMARY KEY, service_id TEXT NOT NULL REFERENCES services(id),"
    "  provider_id INTEGER NOT NULL REFERENCES providers(id), start INTEGER NOT NULL,"
    "  end INTEGER NOT NULL, capacity INTEGER NOT NULL, booked INTEGER NOT NULL DEFAULT 0,"
    "  CHECK(booked >= 0 AND booked <= capacity));"
    "CREATE INDEX slots_service_start ON slots(service_id, start);"
    "CREATE TABLE bookings(code TEXT PRIMARY KEY, slot_id INTEGER NOT NULL REFERENCES slots(id),"
    "  device TEXT NOT NULL, name TEXT NOT NULL, phone TEXT, id_number TEXT,"
    "  status TEXT NOT NULL CHECK(status IN ('confirmed','cancelled')),"
    "  created INTEGER NOT NULL, cancelled INTEGER);"
    "CREATE TABLE content(id INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL CHECK(kind IN ('notice','event','library','lecture','guide','playlist')),"
    "  category TEXT NOT NULL, locale TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,"
    "  published INTEGER NOT NULL, expires INTEGER, pinned INTEGER NOT NULL DEFAULT 0,"
    "  places INTEGER, registered INTEGER NOT NULL DEFAULT 0, starts INTEGER, data TEXT,"
    "  CHECK(places IS NULL OR registered <= places));"
    "CREATE TABLE event_registrations(id INTEGER PRIMARY KEY,"
    "  content_id INTEGER NOT NULL REFERENCES content(id), device TEXT NOT NULL,"
    "  name TEXT NOT NULL, phone TEXT NOT NULL, created INTEGER NOT NULL,"
    "  UNIQUE(content_id, phone));"
    "CREATE TABLE help_requests(id INTEGER PRIMARY KEY, device TEXT NOT NULL, location TEXT,"
    "  message TEXT, contact TEXT, created INTEGER NOT NULL, acknowledged INTEGER);"
    "CREATE TABLE heartbeats(device TEXT PRIMARY KEY, received INTEGER NOT NULL,"
    "  count INTEGER NOT NULL DEFAULT 1, body TEXT NOT NULL);",
    /* 2: staff members sign in with tokens of their own (role 'staff'), kept
     * in the devices table beside the kiosks' (role 'kiosk'). */
    "ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'kiosk'"
    "  CHECK(role IN ('kiosk','staff'));",
    /* 3: signed content bundles (api_bundles.c). Assets are content-addressed
     * images uploaded by staff; a bundle is a signed manifest (kept as the
     * exact bytes signed) with its target copied out for routing, and the
     * poll answer pre-rendered with its ETag so an unchanged poll is one
     * indexed read. Versions only grow (the hub refuses an older one). */
    "CREATE TABLE content_assets(sha256 TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL,"
    "  data BLOB NOT NULL, staff TEXT NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE content_bundles(version INTEGER PRIMARY KEY,"
    "  mode TEXT NOT NULL CHECK(mode IN ('hall','street','any')), groups TEXT NOT NULL,"
    "  kiosks TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
    "  manifest TEXT NOT NULL, signature TEXT NOT NULL, response TEXT NOT NULL,"
    "  etag TEXT NOT NULL, staff TEXT NOT NULL, published INTEGER NOT NULL);",
    /* 4: fleet: staff's commands to a kiosk (delivered with its next heartbeat,
     * then done with the kiosk's result) and the screenshots kiosks upload.
     * Fleet status reads the latest heartbeat (heartbeats.body). */
    "CREATE TABLE commands(id INTEGER PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL,"
    "  args TEXT NOT NULL DEFAULT '{}', created INTEGER NOT NULL, staff TEXT NOT NULL,"
    "  delivered INTEGER, done INTEGER, ok INTEGER, message TEXT);"
    "CREATE INDEX commands_pending ON commands(device, delivered);"
    "CREATE TABLE screenshots(id INTEGER PRIMARY KEY, device TEXT NOT NULL,"
    "  command INTEGER NOT NULL REFERENCES commands(id), taken INTEGER NOT NULL, png BLOB NOT NULL);",
    /* 5: proof of play of the street displays: what was shown, when, how long. */
    "CREATE TABLE proof_of_play(id INTEGER PRIMARY KEY, device TEXT NOT NULL,"
    "  content_id INTEGER NOT NULL, playlist_id INTEGER NOT NULL,"
    "  kind TEXT NOT NULL CHECK(kind IN ('item','alert')), started INTEGER NOT NULL,"
    "  shown_ms INTEGER NOT NULL, received INTEGER NOT NULL);"
    "CREATE INDEX proof_of_play_by_device ON proof_of_play(device, started);",
    /* 6: the audit of look-ups of residents (hub/audit.c): who looked, when,
     * for what kind of record and with what outcome; never the ID or account
     * number looked for. Alerts: bursts of misses from one device. */
    "CREATE TABLE audit(id INTEGER PRIMARY KEY, device TEXT NOT NULL, time INTEGER NOT NULL,"
    "  kind TEXT NOT NULL, outcome TEXT NOT NULL CHECK(outcome IN ('found','not_found','refused')));"
    "CREATE INDEX audit_time ON audit(time);"
    "CREATE INDEX audit_misses ON audit(device, outcome, time);"
    "CREATE TABLE audit_alerts(id INTEGER PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL,"
    "  raised INTEGER NOT NULL, misses INTEGER NOT NULL);"
    "CREATE INDEX audit_alerts_device ON audit_alerts(device, raised);",
};

#define N_MIGRATIONS ((int)(sizeof migrations / sizeof *migrations))

static void make_key(void) { pthread_key_create(&tls_key, NULL); }

static sqlite3 *open_conn(char *err, int errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(db_path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", db_path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;") != 0) {
        snprintf(err, errlen, "%s: cannot set WAL mode: %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

int db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        hub_log("db", "%s", msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
    }
    return rc == SQLITE_OK ? 0 : rc;
}

long long db_int(sqlite3 *db, const char *sql, const char *param, long long def)
{
    sqlite3_stmt *st = NULL;
    long long v = def;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return def;
    if (param) sqlite3_bind_text(st, 1, param, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int db_schema_version(sqlite3 *db)
{
    return (int)db_int(db, "PRAGMA user_version", NULL, 0);
}

int db_init(const char *path, char *err, int errlen)
{
    snprintf(db_path, sizeof db_path, "%s", path);
    pthread_once(&tls_once, make_key);
    sqlite3 *db = db_thread();
    if (!db) {
        snprintf(err, errlen, "%s: cannot open the database", path);
        return -1;
    }
    int v = db_schema_version(db);
    if (v > N_MIGRATIONS) {
        snprintf(err, errlen, "%s: schema %d is newer than this hub (%d)", path, v, N_MIGRATIONS);
        return -1;
    }
    for (; v < N_MIGRATIONS; v++) {
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version=%d;", v + 1);
        if (db_exec(db, "BEGIN IMMEDIATE") || db_exec(db, migrations[v]) || db_exec(db, bump) ||
            db_exec(db, "COMMIT")) {
            db_exec(db, "ROLLBACK");
            snprintf(err, errlen, "%s: migration %d failed: %s", path, v + 1, sqlite3_errmsg(db));
            return -1;
        }
    }
    return 0;
}

sqlite3 *db_thread(void)
{
    pthread_once(&tls_once, make_key);
    sqlite3 *db = pthread_getspecific(tls_key);
    if (db) return db;
    char err[600];
    db = open_conn(err, sizeof err);
    if (!db) {
        hub_log("db", "%s", err);
        return NULL;
    }
    pthread_mutex_lock(&conns_lock);
    if (nconns < MAX_CONNS) conns[nconns++] = db;
    pthread_mutex_unlock(&conns_lock);
    pthread_setspecific(tls_key, db);
    return db;
}

void db_close_all(void)
{
    pthread_mutex_lock(&conns_lock);
    for (int i = 0; i < nconns; i++) sqlite3_close_v2(conns[i]);
    nconns = 0;
    pthread_mutex_unlock(&conns_lock);
    pthread_once(&tls_once, make_key);
    pthread_setspecific(tls_key, NULL);
}
