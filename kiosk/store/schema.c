/* The kiosk database schema as an ordered list of migrations, applied by
 * common/migrate.c: PRAGMA user_version = N means migrations[0..N-1] have
 * been applied. A migration is never edited once shipped: change the schema
 * by appending. */
#include "store/store.h"

#include <stdio.h>

#include "core/log.h"
#include "migrate.h"


static const migrate_step_t migrations[] = {
    /* 1: base schema. */
    {"base schema",
     "CREATE TABLE settings ("
     "  key   TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL"
     ");"
     "CREATE TABLE notices ("
     "  id        INTEGER PRIMARY KEY,"
     "  locale    TEXT NOT NULL,"
     "  category  TEXT NOT NULL"
     " CHECK(category IN ('community','government','event','library','lecture')),"
     "  title     TEXT NOT NULL,"
     "  body      TEXT NOT NULL,"
     "  published INTEGER NOT NULL,"
     "  pinned    INTEGER NOT NULL DEFAULT 0"
     ");"
     "CREATE INDEX notices_by_locale ON notices(locale, pinned, published);"
     "CREATE TABLE session_log ("
     "  id         INTEGER PRIMARY KEY,"
     "  started    INTEGER,"
     "  ended      INTEGER,"
     "  end_reason TEXT,"
     "  screens    INTEGER"
     ");"},

    /* 2: was the demo notices, inserted into every kiosk. A real kiosk
     * shows only its hub's notices: now a no-op, and migration 10 removes
     * them where they were inserted. Sample notices for the tour and the
     * tests are assets/tour/notices.json. */
    {"demo notices (none since v10)", ""},

    /* 3: the persistent receipt print queue (app/print_queue.c). A receipt
     * is written here before it is sent to the printer, so one the printer
     * refuses (paper out, cover open, offline) or a power cut interrupts
     * waits here and is printed later: a duplicate receipt is possible, a
     * lost one is not.
     *   receipt    the receipt JSON (printer/receipt.h). It may carry
     *              personal data only in masked form (common/mask.h): the
     *              caller masks before enqueueing, this table never sees a
     *              full ID number, name, phone or address.
     *   summary    a short plain-text version of the same receipt, shown as
     *              a QR code on screen when the paper is out (masked too).
     *   state      queued -> printing -> printed; back to queued for a
     *              retry; failed when the receipt can never print.
     *   attempts   claims so far (drives the retry backoff).
     *   last_error why the last attempt did not print (for staff).
     *   next_try   wall seconds; a queued job is due once next_try <= now.
     *   printed    wall seconds the printer confirmed it, or NULL.
     * IF NOT EXISTS: a database whose user_version was wound back (by hand,
     * or a restored file) re-runs this migration over the existing table
     * and keeps the queued receipts. */
    {"print queue",
     "CREATE TABLE IF NOT EXISTS print_jobs ("
     "  id         INTEGER PRIMARY KEY,"
     "  created    INTEGER NOT NULL,"
     "  receipt    TEXT NOT NULL,"
     "  summary    TEXT NOT NULL,"
     "  state      TEXT NOT NULL"
     " CHECK(state IN ('queued','printing','printed','failed')),"
     "  attempts   INTEGER NOT NULL DEFAULT 0,"
     "  last_error TEXT,"
     "  next_try   INTEGER,"
     "  printed    INTEGER"
     ");"
     "CREATE INDEX IF NOT EXISTS print_jobs_due ON print_jobs(state, next_try, id);"},

    /* 4: payments of bills (pay/payment.h, store/payments.c): one row per
     * out_trade_no, written before the create is sent and after every
     * answer, so a payment cut off by a crash or power cut is resumed at the
     * next start and never paid twice. Every column is a field of payment_t
     * (times in wall milliseconds; 0 = not set); besides:
     *   bill_ids   the bills, comma-separated ids ("11,12");
     *   receipt    masked receipt JSON (common/mask.h), or NULL;
     *   updated_ms when the row was last written (prune by it).
     * The payment code (auth_code) is never stored.
     * IF NOT EXISTS: as migration 3, a wound-back user_version keeps the
     * rows. */
    {"payments",
     "CREATE TABLE IF NOT EXISTS payments ("
     "  out_trade_no     TEXT PRIMARY KEY,"
     "  method           TEXT NOT NULL CHECK(method IN ('qr','code')),"
     "  state            TEXT NOT NULL"
     " CHECK(state IN ('creating','waiting','userpaying','cancelling','paid','cancelled','failed')),"
     "  bill_ids         TEXT NOT NULL,"
     "  amount_fen       INTEGER NOT NULL,"
     "  create_key       TEXT NOT NULL,"
     "  cancel_key       TEXT NOT NULL DEFAULT '',"
     "  can_create       INTEGER NOT NULL,"
     "  cancel_requested INTEGER NOT NULL DEFAULT 0,"
     "  unknown          INTEGER NOT NULL DEFAULT 0,"
     "  attempts         INTEGER NOT NULL DEFAULT 0,"
     "  created_ms       INTEGER NOT NULL,"
     "  deadline_ms      INTEGER NOT NULL DEFAULT 0,"
     "  next_ms          INTEGER NOT NULL DEFAULT 0,"
     "  next             TEXT NOT NULL"
     " CHECK(next IN ('none','create','query','close','reverse')),"
     "  code_url         TEXT NOT NULL DEFAULT '',"
     "  expires_ms       INTEGER NOT NULL DEFAULT 0,"
     "  transaction_id   TEXT NOT NULL DEFAULT '',"
     "  reason           TEXT NOT NULL DEFAULT '',"
     "  receipt          TEXT,"
     "  updated_ms       INTEGER NOT NULL"
     ");"
     "CREATE INDEX IF NOT EXISTS payments_by_state ON payments(state, updated_ms);"},

    /* 5: the outbox (outbox/outbox.h): every outbound action, written in
     * the same transaction as the local record it belongs to, then sent
     * by the outbox sender (outbox/sender.c) until the hub has it.
     *   kind       what it is, for staff and the notify callback ("help",
     *              "registration", "telemetry"...): [a-z0-9_.-], 1-31 bytes.
     *   method     'POST' (or 'GET'); path the hub path ("/v1/help").
     *   idem_key   the Idempotency-Key, UNIQUE: the hub stores the first
     *              answer per (device, key), so a resend after a crash or a
     *              lost answer takes effect once.
     *   body       the JSON body; when sealed = 1 it is nonce || secretbox
     *              (outbox/seal.h: personal data is never stored in clear).
     *   body_len   bytes of the plain body (for staff, without opening it).
     *   state      queued -> sending -> done | dead; sending -> queued for a
     *              retry; dead -> queued when staff retry it.
     *   attempts   sends so far (drives the backoff); next_try_ms wall ms
     *              when a queued item is due; created_ms, updated_ms.
     *   http, last_error  the last answer's status and why it failed.
     *   response   the hub's 2xx answer (masked by the hub), for done items.
     * IF NOT EXISTS: as migration 3, a wound-back user_version keeps rows. */
    {"outbox",
     "CREATE TABLE IF NOT EXISTS outbox ("
     "  id          INTEGER PRIMARY KEY,"
     "  kind        TEXT NOT NULL,"
     "  method      TEXT NOT NULL CHECK(method IN ('POST','GET')),"
     "  path        TEXT NOT NULL,"
     "  idem_key    TEXT NOT NULL UNIQUE,"
     "  body        BLOB NOT NULL,"
     "  sealed      INTEGER NOT NULL CHECK(sealed IN (0,1)),"
     "  body_len    INTEGER NOT NULL,"
     "  state       TEXT NOT NULL CHECK(state IN ('queued','sending','done','dead')),"
     "  attempts    INTEGER NOT NULL DEFAULT 0,"
     "  next_try_ms INTEGER NOT NULL DEFAULT 0,"
     "  created_ms  INTEGER NOT NULL,"
     "  updated_ms  INTEGER NOT NULL,"
     "  http        INTEGER NOT NULL DEFAULT 0,"
     "  last_error  TEXT NOT NULL DEFAULT '',"
     "  response    TEXT"
     ");"
     "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_try_ms, id);"},

    /* 6: signed content bundles (content/sync.c, content/store.c).
     *   content_state  one row: the bundle in use (version, its ETag from the
     *                  hub, the exact signed manifest and its signature) and
     *                  when it was applied. No row: no bundle ever applied,
     *                  the embedded demo notices (migration 2) stay.
     *   content_items  every item of that bundle (all kinds, all locales);
     *                  images is a JSON array of sha256, data a JSON object.
     * A new bundle replaces both tables and the notices in one transaction.
     * IF NOT EXISTS: as migration 3. */
    {"content bundles",
     "CREATE TABLE IF NOT EXISTS content_state ("
     "  id        INTEGER PRIMARY KEY CHECK(id = 1),"
     "  version   INTEGER NOT NULL,"
     "  etag      TEXT NOT NULL DEFAULT '',"
     "  manifest  TEXT NOT NULL,"
     "  signature TEXT NOT NULL,"
     "  expires   INTEGER NOT NULL,"
     "  applied   INTEGER NOT NULL"
     ");"
     "CREATE TABLE IF NOT EXISTS content_items ("
     "  id        INTEGER PRIMARY KEY,"
     "  kind      TEXT NOT NULL,"
     "  category  TEXT NOT NULL,"
     "  locale    TEXT NOT NULL,"
     "  title     TEXT NOT NULL,"
     "  body      TEXT NOT NULL,"
     "  published INTEGER NOT NULL,"
     "  expires   INTEGER,"
     "  pinned    INTEGER NOT NULL DEFAULT 0,"
     "  priority  INTEGER NOT NULL DEFAULT 0,"
     "  images    TEXT NOT NULL DEFAULT '[]',"
     "  data      TEXT"
     ");"
     "CREATE INDEX IF NOT EXISTS content_items_by_kind ON content_items(kind, locale);"},

    /* 7: proof of play of the street display (store/proof_of_play.c): one row per
     * item shown, until telemetry has sent it. playlist_id 0 = the notices
     * carousel, kind 'item' or 'alert'. IF NOT EXISTS: as migration 3. */
    {"proof of play",
     "CREATE TABLE IF NOT EXISTS proof_of_play ("
     "  id          INTEGER PRIMARY KEY,"
     "  content_id  INTEGER NOT NULL,"
     "  playlist_id INTEGER NOT NULL,"
     "  kind        TEXT NOT NULL,"
     "  started     INTEGER NOT NULL,"
     "  shown_ms    INTEGER NOT NULL"
     ");"},

    /* 8: housekeeping bookings made while the hub could not be reached
     * (app/hk_offline.c): the kiosk's record of the booking, written in the
     * same transaction as its outbox item, until the hub confirms or refuses
     * it. who_hash is a keyed hash (BLAKE2b with the outbox key) of the
     * resident's phone or ID number, to find it again on the next visit; the
     * number itself is only in the sealed outbox body. */
    {"offline housekeeping bookings",
     "CREATE TABLE IF NOT EXISTS hk_pending ("
     "  ref          TEXT PRIMARY KEY,"
     "  outbox_id    INTEGER NOT NULL,"
     "  who_hash     TEXT NOT NULL,"
     "  service      TEXT NOT NULL,"
     "  slot_start   INTEGER NOT NULL,"
     "  slot_end     INTEGER NOT NULL,"
     "  provider     TEXT NOT NULL,"
     "  state        TEXT NOT NULL CHECK(state IN ('pending','confirmed','failed')),"
     "  code         TEXT NOT NULL DEFAULT '',"
     "  reason       TEXT NOT NULL DEFAULT '',"
     "  created_ms   INTEGER NOT NULL,"
     "  updated_ms   INTEGER NOT NULL"
     ");"
     "CREATE INDEX IF NOT EXISTS hk_pending_who ON hk_pending(who_hash, created_ms);"
     "CREATE INDEX IF NOT EXISTS hk_pending_item ON hk_pending(outbox_id);"},

    /* 9: event registrations made while the hub could not be reached
     * (app/info.c), as migration 8 for bookings: the kiosk's record, written
     * with its outbox item, until the hub confirms or refuses it; found
     * again by the keyed hash of the phone number. */
    {"offline event registrations",
     "CREATE TABLE IF NOT EXISTS reg_pending ("
     "  ref          TEXT PRIMARY KEY,"
     "  outbox_id    INTEGER NOT NULL,"
     "  who_hash     TEXT NOT NULL,"
     "  content_id   INTEGER NOT NULL,"
     "  title        TEXT NOT NULL,"
     "  state        TEXT NOT NULL CHECK(state IN ('pending','confirmed','failed')),"
     "  reason       TEXT NOT NULL DEFAULT '',"
     "  created_ms   INTEGER NOT NULL,"
     "  updated_ms   INTEGER NOT NULL"
     ");"
     "CREATE INDEX IF NOT EXISTS reg_pending_who ON reg_pending(who_hash, content_id);"
     "CREATE INDEX IF NOT EXISTS reg_pending_item ON reg_pending(outbox_id);"},

    /* 10: removes the demo notices migration 2 used to insert, matched on
     * every field but the body so that no real notice is ever removed (ids
     * are not compared: a bundle's notices may have reused them). */
    {"remove the demo notices",
     "DELETE FROM notices WHERE (locale, category, title, published, pinned) IN (VALUES"
     "('zh_CN', 'government', '供暖季11月15日开始', 1793840400, 1),"
     "('zh_CN', 'community', '11月19日停水检修通知', 1794790800, 0),"
     "('zh_CN', 'community', '60岁以上居民免费测血压', 1794272400, 0),"
     "('zh_CN', 'library', '社区图书室新书上架', 1794448800, 0),"
     "('zh_CN', 'lecture', '防范电话诈骗讲座', 1794898800, 0),"
     "('en', 'government', 'Heating season starts 15 November', 1793840400, 1),"
     "('en', 'community', 'Water off 19 November for maintenance', 1794790800, 0),"
     "('en', 'community', 'Free blood pressure checks for 60+', 1794272400, 0),"
     "('en', 'library', 'New books at the community library', 1794448800, 0),"
     "('en', 'lecture', 'Talk: how to avoid phone scams', 1794898800, 0));"},
};

#define MIGRATION_COUNT ((int)(sizeof migrations / sizeof migrations[0]))

int store_schema_latest(void) { return MIGRATION_COUNT; }

static void log_step(int version, const char *name, void *ctx)
{
    log_info("store", "schema migrated to v%d (%s)", version, name);
}

int store_schema_migrate_to(sqlite3 *db, int version, char *err, int errlen)
{
    if (version < 0 || version > MIGRATION_COUNT) {
        if (errlen > 0) snprintf(err, (size_t)errlen, "no schema v%d (this program knows v0 to v%d)", version,
                                 MIGRATION_COUNT);
        return SQLITE_MISUSE;
    }
    return migrate_run(db, migrations, version, NULL, NULL, err, errlen > 0 ? (size_t)errlen : 0);
}

int store_schema_migrate(sqlite3 *db, char *err, int errlen)
{
    return migrate_run(db, migrations, MIGRATION_COUNT, log_step, NULL, err,
                       errlen > 0 ? (size_t)errlen : 0);
}
