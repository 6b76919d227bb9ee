#include "retention.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "db.h"
#include "log.h"

struct retention {
    hub_config_t cfg;
    pthread_t thread;
    int wake[2];                     /* a byte on wake[1] stops the thread */
};

static int or_default(int v, int def) { return v > 0 ? v : def; }

/* Runs SQL with ?1 = CUTOFF; the rows it changed, or -1. */
static long long run(sqlite3 *db, const char *sql, int64_t cutoff)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_int64(st, 1, cutoff);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

long long retention_purge(sqlite3 *db, const hub_config_t *cfg, int64_t now)
{
    const int64_t day = 86400;
    int64_t bookings = now - or_default(cfg->retain_bookings_days, RETAIN_BOOKINGS_DAYS) * day;
    int64_t regs = now - or_default(cfg->retain_registrations_days, RETAIN_REGISTRATIONS_DAYS) * day;
    int64_t help = now - or_default(cfg->retain_help_days, RETAIN_HELP_DAYS) * day;
    int hours = or_default(cfg->retain_idempotency_hours, RETAIN_IDEMPOTENCY_HOURS);
    int64_t idem = now - (int64_t)(hours < 24 ? 24 : hours) * 3600;
    int64_t audit = now - or_default(cfg->retain_audit_days, RETAIN_AUDIT_DAYS) * day;
    int64_t alerts = now - or_default(cfg->retain_alerts_days, RETAIN_ALERTS_DAYS) * day;
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    long long n[6];
    /* A booking is needed until its slot is over (and a while after, for
     * complaints); a slot's count of places is not touched: it is past. */
    n[0] = run(db, "DELETE FROM bookings WHERE created < ?1 AND slot_id IN"
                   " (SELECT id FROM slots WHERE end < ?1)", bookings);
    /* A registration lives until its event started long enough ago; one
     * without a start time, from its own date. content.registered keeps
     * counting the places. */
    n[1] = run(db, "DELETE FROM event_registrations WHERE created < ?1 AND content_id NOT IN"
                   " (SELECT id FROM content WHERE starts IS NOT NULL AND starts >= ?1)", regs);
    n[2] = run(db, "UPDATE help_requests SET contact = NULL"
                   " WHERE contact IS NOT NULL AND created < ?1", help);
    n[3] = run(db, "DELETE FROM idempotency WHERE created < ?1", idem);
    /* Who looked up residents, and the alerts it raised: long enough to
     * look into a complaint, not forever (the rows name devices and times,
     * never a resident). */
    n[4] = run(db, "DELETE FROM audit WHERE time < ?1", audit);
    n[5] = run(db, "DELETE FROM audit_alerts WHERE raised < ?1", alerts);
    long long total = 0;
    for (int i = 0; i < 6; i++) {
        if (n[i] < 0) {
            db_exec(db, "ROLLBACK");
            return -1;
        }
        total += n[i];
    }
    if (db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return total;
}

/* Waits with poll and a relative timeout on a pipe, not a timed condition
 * variable: the deadline of pthread_cond_timedwait is a clock reading, and
 * a hub whose clock was moved (libfaketime in the time-travel checks) would
 * find it long past and spin. */
static void *loop(void *arg)
{
    retention_t *r = arg;
    for (;;) {
        sqlite3 *db = db_thread();
        long long n = db ? retention_purge(db, &r->cfg, hub_now()) : -1;
        if (n < 0) hub_log("retention", "the purge pass failed; next try in %d s", RETENTION_EVERY_S);
        else if (n > 0) hub_log("retention", "purged %lld old records of residents", n);
        struct pollfd p = {.fd = r->wake[0], .events = POLLIN};
        int rc;
        do rc = poll(&p, 1, RETENTION_EVERY_S * 1000);
        while (rc < 0 && errno == EINTR);
        if (rc != 0) break;              /* stopped (or the pipe failed: stop too) */
    }
    return NULL;
}

retention_t *retention_start(const hub_config_t *cfg)
{
    retention_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->cfg = *cfg;
    if (pipe2(r->wake, O_CLOEXEC) != 0) {
        free(r);
        return NULL;
    }
    if (pthread_create(&r->thread, NULL, loop, r) != 0) {
        close(r->wake[0]);
        close(r->wake[1]);
        free(r);
        return NULL;
    }
    return r;
}

void retention_stop(retention_t *r)
{
    if (!r) return;
    ssize_t w;
    do w = write(r->wake[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(r->thread, NULL);
    close(r->wake[0]);
    close(r->wake[1]);
    free(r);
}
