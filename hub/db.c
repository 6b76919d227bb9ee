#include "db.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "migrate.h"
#include "pii.h"
#include "rescodes.h"

#define MAX_CONNS 64
#define STMT_MAX 16                  /* cached statements per connection */

/* A worker thread's connection and the statements db_stmt keeps prepared
 * on it (by the address of their SQL text). Only its thread uses it;
 * db_close_all frees it. */
typedef struct {
    sqlite3 *db;
    int nstmt;
    struct { const char *sql; sqlite3_stmt *st; } stmt[STMT_MAX];
} conn_t;

static char db_path[512];
static char key_path[520];
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static conn_t *conns[MAX_CONNS];
static int nconns;

/* Every table of the hub. Personal data (names, ID numbers, phones) stays
 * here, on the operator's side, sealed or hashed (pii.h, from migration 7);
 * responses mask it. Amounts are in fen. */
static const migrate_step_t migrations[] = {
    /* 1 */
    {"base schema",
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
     "  count INTEGER NOT NULL DEFAULT 1, body TEXT NOT NULL);"},
    /* 2: staff members sign in with tokens of their own (role 'staff'), kept
     * in the devices table beside the kiosks' (role 'kiosk'). */
    {"staff tokens",
     "ALTER TABLE devices ADD COLUMN role TEXT NOT NULL DEFAULT 'kiosk'"
     "  CHECK(role IN ('kiosk','staff'));"},
    /* 3: signed content bundles (api_bundles.c). Assets are content-addressed
     * images uploaded by staff; a bundle is a signed manifest (kept as the
     * exact bytes signed) with its target copied out for routing, and the
     * poll answer pre-rendered with its ETag so an unchanged poll is one
     * indexed read. Versions only grow (the hub refuses an older one). */
    {"content bundles",
     "CREATE TABLE content_assets(sha256 TEXT PRIMARY KEY, type TEXT NOT NULL, size INTEGER NOT NULL,"
     "  data BLOB NOT NULL, staff TEXT NOT NULL, created INTEGER NOT NULL);"
     "CREATE TABLE content_bundles(version INTEGER PRIMARY KEY,"
     "  mode TEXT NOT NULL CHECK(mode IN ('hall','street','any')), groups TEXT NOT NULL,"
     "  kiosks TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
     "  manifest TEXT NOT NULL, signature TEXT NOT NULL, response TEXT NOT NULL,"
     "  etag TEXT NOT NULL, staff TEXT NOT NULL, published INTEGER NOT NULL);"},
    /* 4: fleet: staff's commands to a kiosk (delivered with its next heartbeat,
     * then done with the kiosk's result) and the screenshots kiosks upload.
     * Fleet status reads the latest heartbeat (heartbeats.body). */
    {"fleet commands and screenshots",
     "CREATE TABLE commands(id INTEGER PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL,"
     "  args TEXT NOT NULL DEFAULT '{}', created INTEGER NOT NULL, staff TEXT NOT NULL,"
     "  delivered INTEGER, done INTEGER, ok INTEGER, message TEXT);"
     "CREATE INDEX commands_pending ON commands(device, delivered);"
     "CREATE TABLE screenshots(id INTEGER PRIMARY KEY, device TEXT NOT NULL,"
     "  command INTEGER NOT NULL REFERENCES commands(id), taken INTEGER NOT NULL, png BLOB NOT NULL);"},
    /* 5: proof of play of the street displays: what was shown, when, how long. */
    {"proof of play",
     "CREATE TABLE proof_of_play(id INTEGER PRIMARY KEY, device TEXT NOT NULL,"
     "  content_id INTEGER NOT NULL, playlist_id INTEGER NOT NULL,"
     "  kind TEXT NOT NULL CHECK(kind IN ('item','alert')), started INTEGER NOT NULL,"
     "  shown_ms INTEGER NOT NULL, received INTEGER NOT NULL);"
     "CREATE INDEX proof_of_play_by_device ON proof_of_play(device, started);"},
    /* 6: payment providers (hub/pay.h): which provider an order belongs to
     * (only the demo provider's orders settle by themselves in the hub), and
     * what a provider said that needs a person: paid after the hub had
     * closed the order, an amount that differs. */
    {"payment providers",
     "ALTER TABLE orders ADD COLUMN provider TEXT NOT NULL DEFAULT 'demo';"
     "CREATE TABLE payment_events(id INTEGER PRIMARY KEY, out_trade_no TEXT NOT NULL,"
     "  kind TEXT NOT NULL, trade_no TEXT, amount_fen INTEGER, created INTEGER NOT NULL);"},
    /* 7: personal data at rest (pii.h): names and phone numbers sealed, ID
     * numbers and phones also kept as keyed hashes for look-ups, a booking's
     * ID number only masked for display; the clear columns are emptied.
     * Registrations stay one per phone and event through the hash. */
    {"personal data at rest",
     "ALTER TABLE residents ADD COLUMN id_hash TEXT;"
     "ALTER TABLE residents ADD COLUMN phone_hash TEXT;"
     "CREATE INDEX residents_id_hash ON residents(id_hash);"
     "ALTER TABLE bookings ADD COLUMN phone_hash TEXT;"
     "ALTER TABLE bookings ADD COLUMN id_hash TEXT;"
     "ALTER TABLE bookings ADD COLUMN id_masked TEXT;"
     "CREATE INDEX bookings_phone_hash ON bookings(phone_hash);"
     "CREATE INDEX bookings_id_hash ON bookings(id_hash);"
     "ALTER TABLE event_registrations ADD COLUMN phone_hash TEXT;"
     "CREATE UNIQUE INDEX event_registrations_phone ON event_registrations(content_id, phone_hash);"
     PII_PROTECT_SQL},
    /* 8: the retention pass (retention.c) finds old rows by these. */
    {"retention indexes",
     "CREATE INDEX bookings_created ON bookings(created);"
     "CREATE INDEX event_registrations_created ON event_registrations(created);"
     "CREATE INDEX help_requests_created ON help_requests(created);"},
    /* 9: the audit of look-ups of residents (hub/audit.c): who looked, when,
     * for what kind of record and with what outcome; never the ID or account
     * number looked for. Alerts: bursts of misses from one device. */
    {"audit of look-ups",
     "CREATE TABLE audit(id INTEGER PRIMARY KEY, device TEXT NOT NULL, time INTEGER NOT NULL,"
     "  kind TEXT NOT NULL, outcome TEXT NOT NULL CHECK(outcome IN ('found','not_found','refused')));"
     "CREATE INDEX audit_time ON audit(time);"
     "CREATE INDEX audit_misses ON audit(device, outcome, time);"
     "CREATE TABLE audit_alerts(id INTEGER PRIMARY KEY, device TEXT NOT NULL, kind TEXT NOT NULL,"
     "  raised INTEGER NOT NULL, misses INTEGER NOT NULL);"
     "CREATE INDEX audit_alerts_device ON audit_alerts(device, raised);"},
    /* 10: community resident codes (rescodes.h): one row per code issued,
     * never its MAC; revoked by staff or superseded by the resident's next
     * code. The audit says why a code was refused (detail). */
    {"resident codes",
     "CREATE TABLE rescodes(code TEXT PRIMARY KEY, resident_id INTEGER NOT NULL REFERENCES residents(id),"
     "  issued INTEGER NOT NULL, expires INTEGER NOT NULL, issued_by TEXT NOT NULL,"
     "  revoked INTEGER, revoked_why TEXT CHECK(revoked_why IN ('staff','superseded')));"
     "CREATE INDEX rescodes_resident ON rescodes(resident_id, revoked);"
     "ALTER TABLE audit ADD COLUMN detail TEXT;"},
    /* 11: utility accounts' addresses sealed like the holders' names (pii.h):
     * shown masked, never looked up. */
    {"addresses at rest", PII_PROTECT_ADDRESS_SQL},
    /* 12: an idempotency record's fingerprint was a plain SHA-256 of the
     * body, and a body may hold an ID number (a look-up): now a keyed hash
     * (pii.h) of method, path and body ("k2:"). The rows of before are
     * keyed too ("k1:", over the old digest), matched as before until they
     * expire (48 hours); no plain digest stays. */
    {"keyed idempotency fingerprints",
     "UPDATE idempotency SET body_hash = 'k1:' || pii_hash('idem-v1', body_hash)"
     "  WHERE body_hash NOT LIKE 'k_:%';"},
    /* 13: one open order per bill, in the schema itself (whatever code path
     * inserts), and every open demo order bounded in time: an order left
     * open without a deadline (a payment code nobody confirmed) closes two
     * hours after its last change, a longer deadline is cut to two hours
     * from creation (api_payments.c HOLD_MAX_S). */
    {"bounded open orders",
     "CREATE TRIGGER order_bills_one_open BEFORE INSERT ON order_bills"
     "  WHEN EXISTS(SELECT 1 FROM order_bills ob JOIN orders o ON o.out_trade_no = ob.out_trade_no"
     "    WHERE ob.bill_id = NEW.bill_id AND ob.out_trade_no <> NEW.out_trade_no"
     "    AND o.state IN ('NOTPAY', 'USERPAYING'))"
     "  BEGIN SELECT RAISE(ABORT, 'bill_in_order'); END;"
     "UPDATE orders SET settle_at = updated + 7200, settle_to = 'CLOSED'"
     "  WHERE provider = 'demo' AND state IN ('NOTPAY', 'USERPAYING') AND COALESCE(settle_at, 0) = 0;"
     "UPDATE orders SET settle_at = created + 7200"
     "  WHERE provider = 'demo' AND state IN ('NOTPAY', 'USERPAYING') AND settle_at > created + 7200;"},
    /* 14: billing systems (billing.h): a bill's reference at the utility,
     * and the write-off queue (writeoff.h): one row per paid bill, written
     * with the payment, sent to the utility until it is credited. */
    {"billing systems and write-offs",
     "ALTER TABLE bills ADD COLUMN ext_ref TEXT;"
     "CREATE TABLE writeoffs(id INTEGER PRIMARY KEY, out_trade_no TEXT NOT NULL,"
     "  bill_id INTEGER NOT NULL REFERENCES bills(id), transaction_id TEXT NOT NULL,"
     "  amount_fen INTEGER NOT NULL,"
     "  kind TEXT NOT NULL DEFAULT 'credit' CHECK(kind IN ('credit','reverse')),"
     "  refund_no TEXT,"
     "  state TEXT NOT NULL CHECK(state IN ('pending','failing','done','refused','cancelled')),"
     "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT,"
     "  created INTEGER NOT NULL, updated INTEGER NOT NULL, done_at INTEGER,"
     "  UNIQUE(out_trade_no, bill_id, kind));"
     "CREATE INDEX writeoffs_due ON writeoffs(state, next_at);"
     /* Refunds by staff (api_refunds.c): one row per refund number, the
      * record of who refunded what, when and why. */
     "CREATE TABLE refunds(refund_no TEXT PRIMARY KEY, out_trade_no TEXT NOT NULL,"
     "  amount_fen INTEGER NOT NULL, staff TEXT NOT NULL, reason TEXT NOT NULL,"
     "  created INTEGER NOT NULL);"
     "CREATE UNIQUE INDEX refunds_order ON refunds(out_trade_no);"},
    /* 15: order numbers are unique per device: a kiosk's number (device_no)
     * is its own, and the hub's number (out_trade_no, the provider's) is
     * that number unless another device had it (api_payments.c
     * order_number), so no device can take another's numbers. */
    {"order numbers per device",
     "ALTER TABLE orders ADD COLUMN device_no TEXT;"
     "UPDATE orders SET device_no = out_trade_no;"
     "CREATE UNIQUE INDEX orders_device_no ON orders(device, device_no);"},
    /* 16: the staff console (hub/staff.c, console_*.c): accounts with
     * Argon2id hashes, sessions kept by the SHA-256 of their cookie, failed
     * sign-ins for the lockout, the change log, and each kiosk's group as
     * an admin set it (the console's scope; NULL: reachable by "*" only). */
    {"staff console",
     "CREATE TABLE staff(name TEXT PRIMARY KEY,"
     "  role TEXT NOT NULL CHECK(role IN ('viewer','editor','publisher','admin')),"
     "  groups TEXT NOT NULL, pw_hash TEXT NOT NULL, created INTEGER NOT NULL,"
     "  pw_changed INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);"
     "CREATE TABLE console_sessions(id_hash TEXT PRIMARY KEY, staff TEXT NOT NULL REFERENCES staff(name),"
     "  csrf TEXT NOT NULL, addr TEXT NOT NULL, created INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
     "CREATE INDEX console_sessions_staff ON console_sessions(staff);"
     "CREATE TABLE console_failures(id INTEGER PRIMARY KEY, name TEXT NOT NULL, addr TEXT NOT NULL,"
     "  time INTEGER NOT NULL);"
     "CREATE INDEX console_failures_name ON console_failures(name, time);"
     "CREATE INDEX console_failures_addr ON console_failures(addr, time);"
     "CREATE TABLE console_changes(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, staff TEXT NOT NULL,"
     "  addr TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT);"
     "CREATE INDEX console_changes_time ON console_changes(time);"
     "ALTER TABLE devices ADD COLUMN kiosk_group TEXT;"
     "CREATE TABLE console_alerts(id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,"
     "  groups TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL, staff TEXT NOT NULL,"
     "  versions TEXT NOT NULL, withdrawn INTEGER, withdrawn_by TEXT);"
     "CREATE TABLE console_notices(id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT NOT NULL,"
     "  category TEXT NOT NULL CHECK(category IN ('community','government')), groups TEXT NOT NULL,"
     "  days INTEGER NOT NULL, pinned INTEGER NOT NULL DEFAULT 0,"
     "  state TEXT NOT NULL CHECK(state IN ('draft','approved','published','withdrawn')),"
     "  author TEXT NOT NULL, approved_by TEXT, published_by TEXT, created INTEGER NOT NULL,"
     "  updated INTEGER NOT NULL, published INTEGER, expires INTEGER, versions TEXT NOT NULL DEFAULT '[]');"},
    /* 17: look-ups scoped to a kiosk's community (scope.h): a device's
     * community, and each account's (NULL: every device sees it). */
    {"community scope",
     "ALTER TABLE devices ADD COLUMN community TEXT;"
     "ALTER TABLE accounts ADD COLUMN community TEXT;"},
    /* 18: a generation number of the content table, moved on by every
     * change to it from any connection or process (the hub, the sqlite3
     * tool, a seed script): the hub's cache of content answers
     * (content_cache.h) is keyed by it, so a change is served at once. */
    {"content generation",
     "CREATE TABLE content_gen(id INTEGER PRIMARY KEY CHECK(id = 1), gen INTEGER NOT NULL);"
     "INSERT INTO content_gen(id, gen) VALUES(1, 1);"
     "CREATE TRIGGER content_gen_ins AFTER INSERT ON content"
     "  BEGIN UPDATE content_gen SET gen = gen + 1 WHERE id = 1; END;"
     "CREATE TRIGGER content_gen_upd AFTER UPDATE ON content"
     "  BEGIN UPDATE content_gen SET gen = gen + 1 WHERE id = 1; END;"
     "CREATE TRIGGER content_gen_del AFTER DELETE ON content"
     "  BEGIN UPDATE content_gen SET gen = gen + 1 WHERE id = 1; END;"},
    /* 19: street screen playlists written in the console (console_playlist.c):
     * schedule and items kept as the JSON the staff API takes, already checked;
     * published, one is a content item (content_id) that only the kiosks of
     * its groups get (content.kiosk_groups, a JSON array; NULL: every kiosk). */
    {"console playlists",
     "CREATE TABLE console_playlists(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
     "  priority INTEGER NOT NULL, groups TEXT NOT NULL, schedule TEXT NOT NULL, items TEXT NOT NULL,"
     "  state TEXT NOT NULL CHECK(state IN ('draft','published','withdrawn')),"
     "  author TEXT NOT NULL, published_by TEXT, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
     "  published INTEGER, content_id INTEGER);"
     "ALTER TABLE content ADD COLUMN kiosk_groups TEXT;"},
    /* 20: console sign-in device cookies (console_auth.h): the browsers that
     * signed an account in (SHA-256 of the cookie), and which wrong
     * passwords came from one of them, so a stranger's guesses at a name
     * cannot lock its owner out. */
    {"console devices",
     "CREATE TABLE console_devices(id_hash TEXT NOT NULL, staff TEXT NOT NULL, created INTEGER NOT NULL,"
     "  last_used INTEGER NOT NULL, PRIMARY KEY(id_hash, staff));"
     "ALTER TABLE console_failures ADD COLUMN device TEXT;"},
    /* 21: a fleet command without a result is handed out again
     * (api_fleet_take_commands): how often it was. */
    {"command redelivery",
     "ALTER TABLE commands ADD COLUMN deliveries INTEGER NOT NULL DEFAULT 0;"
     "UPDATE commands SET deliveries = 1 WHERE delivered IS NOT NULL;"},
    /* 22: events, lectures, library items and service guides written in the
     * console (console_item.c). published/expires are the China dates of
     * the form (YYYY-MM-DD), starts "YYYY-MM-DD HH:MM" China time, data a
     * guide's checked JSON; published_at is when a publisher published it,
     * as the content row content_id (only its groups' kiosks get it). */
    {"console items",
     "CREATE TABLE console_items(id INTEGER PRIMARY KEY,"
     "  kind TEXT NOT NULL CHECK(kind IN ('event','lecture','library','guide')),"
     "  title TEXT NOT NULL, body TEXT NOT NULL, category TEXT NOT NULL, groups TEXT NOT NULL,"
     "  published TEXT, expires TEXT, pinned INTEGER NOT NULL DEFAULT 0, starts TEXT, places INTEGER, data TEXT,"
     "  state TEXT NOT NULL CHECK(state IN ('draft','approved','published','withdrawn')),"
     "  author TEXT NOT NULL, approved_by TEXT, published_by TEXT, created INTEGER NOT NULL,"
     "  updated INTEGER NOT NULL, published_at INTEGER, content_id INTEGER);"},
    /* 23: pictures uploaded in the console (console_pictures.c): their bytes,
     * as processed, are a content asset like any other; this lists them with
     * their size as shown, who and when. A notice names its pictures (a JSON
     * array of their SHA-256s). */
    {"console pictures",
     "CREATE TABLE console_pictures(sha256 TEXT PRIMARY KEY, width INTEGER NOT NULL,"
     "  height INTEGER NOT NULL, staff TEXT NOT NULL, created INTEGER NOT NULL);"
     "CREATE INDEX console_pictures_created ON console_pictures(created);"
     "ALTER TABLE console_notices ADD COLUMN images TEXT NOT NULL DEFAULT '[]';"},
    /* 24: English next to Chinese (optional) in console notices and items:
     * a notice's English is its bundle's item CONSOLE_NOTICE_EN_ID_BASE +
     * id; an item's is a content row of locale en (content_en_id) whose
     * places_of names the Chinese row: registrations through either take
     * places from that one row's places/registered (api_content.c). */
    {"console english",
     "ALTER TABLE console_notices ADD COLUMN title_en TEXT;"
     "ALTER TABLE console_notices ADD COLUMN body_en TEXT;"
     "ALTER TABLE console_items ADD COLUMN title_en TEXT;"
     "ALTER TABLE console_items ADD COLUMN body_en TEXT;"
     "ALTER TABLE console_items ADD COLUMN data_en TEXT;"
     "ALTER TABLE console_items ADD COLUMN content_en_id INTEGER;"
     "ALTER TABLE content ADD COLUMN places_of INTEGER;"},
    /* 25: failed proofs of a phone by a booking's check-in code (audit.h),
     * by the phone's keyed hash: a phone with too many in a day is refused
     * further tries from any kiosk. Pruned as they age out. */
    {"proof misses",
     "CREATE TABLE proof_misses(key TEXT NOT NULL, time INTEGER NOT NULL);"
     "CREATE INDEX proof_misses_key ON proof_misses(key, time);"},
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
    if (pii_register(db) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot register the pii functions", db_path);
        sqlite3_close(db);
        return NULL;
    }
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

int db_sync_full(sqlite3 *db)
{
    int level = (int)db_int(db, "PRAGMA synchronous", NULL, 1);
    if (level < 2) db_exec(db, "PRAGMA synchronous=FULL");
    return level;
}

void db_sync_restore(sqlite3 *db, int level)
{
    char sql[40];
    if (level >= 2 || level < 0) return;
    snprintf(sql, sizeof sql, "PRAGMA synchronous=%d", level);
    db_exec(db, sql);
}

void db_set_key_file(const char *path)
{
    snprintf(key_path, sizeof key_path, "%s", path ? path : "");
}

/* The database's directory exists (created 0700 if not: one level, like
 * var/), and the database and its -wal/-shm are readable by this user
 * only, from their first byte: SQLite gives -wal and -shm the database's
 * mode, and an existing database of an older hub is narrowed too. */
static int prepare_files(const char *path, char *err, int errlen)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
            return -1;
        }
    }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    fchmod(fd, 0600);
    close(fd);
    static const char *const side[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, side[i]);
        if (chmod(p, 0600) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "%s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int db_init(const char *path, char *err, int errlen)
{
    snprintf(db_path, sizeof db_path, "%s", path);
    pthread_once(&tls_once, make_key);
    if (prepare_files(path, err, errlen) != 0) return -1;
    char kp[sizeof key_path];
    if (key_path[0]) snprintf(kp, sizeof kp, "%s", key_path);
    else snprintf(kp, sizeof kp, "%s.key", path);
    if (pii_load_key(kp, err, errlen) != 0) return -1;
    if (rescodes_load_key(path, err, errlen) != 0) return -1;
    sqlite3 *db = db_thread();
    if (!db) {
        snprintf(err, errlen, "%s: cannot open the database", path);
        return -1;
    }
    char why[400];
    if (migrate_run(db, migrations, N_MIGRATIONS, NULL, NULL, why, sizeof why) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, why);
        return -1;
    }
    return 0;
}

sqlite3 *db_thread(void)
{
    pthread_once(&tls_once, make_key);
    conn_t *c = pthread_getspecific(tls_key);
    if (c) return c->db;
    c = calloc(1, sizeof *c);
    if (!c) return NULL;
    char err[600];
    c->db = open_conn(err, sizeof err);
    if (!c->db) {
        hub_log("db", "%s", err);
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&conns_lock);
    if (nconns < MAX_CONNS) conns[nconns++] = c;   /* past it, never closed (as before) */
    pthread_mutex_unlock(&conns_lock);
    pthread_setspecific(tls_key, c);
    return c->db;
}

/* This thread's connection record if DB is its connection, else NULL. */
static conn_t *own_conn(sqlite3 *db)
{
    pthread_once(&tls_once, make_key);
    conn_t *c = pthread_getspecific(tls_key);
    return c && c->db == db ? c : NULL;
}

sqlite3_stmt *db_stmt(sqlite3 *db, const char *sql)
{
    conn_t *c = own_conn(db);
    if (c)
        for (int i = 0; i < c->nstmt; i++)
            if (c->stmt[i].sql == sql) {
                if (!sqlite3_stmt_busy(c->stmt[i].st)) return c->stmt[i].st;
                c = NULL;            /* in use further up the stack: a fresh one */
                break;
            }
    sqlite3_stmt *st = NULL;
    bool keep = c && c->nstmt < STMT_MAX;
    if (sqlite3_prepare_v3(db, sql, -1, keep ? SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    if (keep) {
        c->stmt[c->nstmt].sql = sql;
        c->stmt[c->nstmt++].st = st;
    }
    return st;
}

void db_stmt_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (!st) return;
    conn_t *c = own_conn(db);
    for (int i = 0; c && i < c->nstmt; i++)
        if (c->stmt[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            return;
        }
    sqlite3_finalize(st);
}

void db_close_all(void)
{
    pthread_mutex_lock(&conns_lock);
    for (int i = 0; i < nconns; i++) {
        for (int j = 0; j < conns[i]->nstmt; j++) sqlite3_finalize(conns[i]->stmt[j].st);
        sqlite3_close_v2(conns[i]->db);
        free(conns[i]);
    }
    nconns = 0;
    pthread_mutex_unlock(&conns_lock);
    pthread_once(&tls_once, make_key);
    pthread_setspecific(tls_key, NULL);
}
