/* The [billing] settings, the choice of billing system, and the refresh of
 * an account's bills into the hub's tables (billing.h). */
#include "billing.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db.h"
#include "log.h"

#define TIMEOUT_DEFAULT_MS 10000
#define ALERT_AFTER_DEFAULT 5

static struct {
    bool http;
    char base_url[512];
    char secrets[512];
    long timeout_ms;
    int alert_after;
} cfg = {.timeout_ms = TIMEOUT_DEFAULT_MS, .alert_after = ALERT_AFTER_DEFAULT};

/* The table system: the hub's tables are the ledger, so a paid bill is
 * already credited (the payment's own transaction marked it paid). */
static billing_outcome_t table_writeoff(const billing_writeoff_t *w, char *err, size_t errlen)
{
    (void)w, (void)err, (void)errlen;
    return BILLING_OK;
}

/* The refund's own transaction marked the bill unpaid again. */
static billing_outcome_t table_reverse(const billing_writeoff_t *w, const char *refund_no, char *err,
                                       size_t errlen)
{
    (void)w, (void)refund_no, (void)err, (void)errlen;
    return BILLING_OK;
}

static const billing_system_t billing_table = {.name = "table", .writeoff = table_writeoff,
                                               .reverse = table_reverse};

void billing_reset(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = TIMEOUT_DEFAULT_MS;
    cfg.alert_after = ALERT_AFTER_DEFAULT;
}

static int parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) return -1;
    *out = n;
    return 0;
}

int billing_config_key(const char *name, const char *value)
{
    long n;
    if (!strcmp(name, "system")) {
        if (!strcmp(value, "table")) cfg.http = false;
        else if (!strcmp(value, "http")) cfg.http = true;
        else return -1;
        return 0;
    }
    if (!strcmp(name, "base_url")) {
        if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) return -1;
        if (strpbrk(value, " \"'<>?#")) return -1;
        if (snprintf(cfg.base_url, sizeof cfg.base_url, "%s", value) >= (int)sizeof cfg.base_url) return -1;
        size_t len = strlen(cfg.base_url);
        if (cfg.base_url[len - 1] == '/') cfg.base_url[len - 1] = '\0';
        return 0;
    }
    if (!strcmp(name, "secrets"))
        return value[0] && snprintf(cfg.secrets, sizeof cfg.secrets, "%s", value) < (int)sizeof cfg.secrets ? 0 : -1;
    if (!strcmp(name, "timeout_ms")) {
        if (parse_long(value, 100, 60000, &n) != 0) return -1;
        cfg.timeout_ms = n;
        return 0;
    }
    if (!strcmp(name, "alert_after")) {
        if (parse_long(value, 1, 1000, &n) != 0) return -1;
        cfg.alert_after = (int)n;
        return 0;
    }
    return -1;
}

int billing_init(char *err, size_t errlen)
{
    if (!cfg.http) return 0;
    if (!cfg.base_url[0]) {
        snprintf(err, errlen, "[billing] system = http needs base_url = the billing system's URL");
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "cannot initialise libcurl");
        return -1;
    }
    return billing_http_load(cfg.secrets, cfg.base_url, err, errlen);
}

const billing_system_t *billing_system(void) { return cfg.http ? &billing_http : &billing_table; }
int billing_alert_after(void) { return cfg.alert_after; }
long billing_timeout_ms(void) { return cfg.timeout_ms; }

/* ---- refresh ------------------------------------------------------------ */

static int step_done(sqlite3_stmt *st)
{
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Writes A (UTILITY/ACCOUNT) into the tables, in the caller's transaction. */
static int store_account(sqlite3 *db, const char *utility, const char *account, const billing_account_t *a)
{
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO accounts(utility, account_no, holder, address) "
                       "VALUES(?1, ?2, pii_seal(?3), ?4) ON CONFLICT(utility, account_no) DO UPDATE "
                       "SET holder = excluded.holder, address = excluded.address", -1, &st, NULL);
    if (st) {
        sqlite3_bind_text(st, 1, utility, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, a->holder, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, a->address, -1, SQLITE_STATIC);
    }
    if (step_done(st) != 0) return -1;
    long long id = -1;
    sqlite3_prepare_v2(db, "SELECT id FROM accounts WHERE utility = ?1 AND account_no = ?2", -1, &st, NULL);
    if (st) {
        sqlite3_bind_text(st, 1, utility, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (id < 0) return -1;
    for (int i = 0; i < a->n; i++) {
        const billing_bill_t *b = &a->bills[i];
        /* A bill paid here stays paid: its write-off may not have reached
         * the utility yet, and paying it twice is what this prevents. */
        sqlite3_prepare_v2(db, "INSERT INTO bills(account_id, period, usage, unit, amount_fen, "
                           "late_fee_fen, due_date, status, ext_ref) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                           "ON CONFLICT(account_id, period) DO UPDATE SET usage = excluded.usage, "
                           "unit = excluded.unit, ext_ref = excluded.ext_ref, "
                           "amount_fen = CASE WHEN status = 'paid' THEN amount_fen ELSE excluded.amount_fen END, "
                           "late_fee_fen = CASE WHEN status = 'paid' THEN late_fee_fen ELSE excluded.late_fee_fen END, "
                           "due_date = excluded.due_date, "
                           "status = CASE WHEN status = 'paid' THEN 'paid' ELSE excluded.status END",
                           -1, &st, NULL);
        if (st) {
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_text(st, 2, b->period, -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 3, b->usage);
            sqlite3_bind_text(st, 4, b->unit, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, b->amount_fen);
            sqlite3_bind_int64(st, 6, b->late_fee_fen);
            sqlite3_bind_text(st, 7, b->due_date, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 8, b->paid ? "paid" : "unpaid", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 9, b->ref, -1, SQLITE_STATIC);
        }
        if (step_done(st) != 0) return -1;
    }
    return 0;
}

int billing_refresh(sqlite3 *db, const char *utility, const char *account)
{
    const billing_system_t *sys = billing_system();
    if (!sys->fetch) return 0;
    billing_account_t *a = calloc(1, sizeof *a);
    char err[160] = "";
    int rc = -1;
    if (!a) return -1;
    int found = sys->fetch(utility, account, a, err, sizeof err);
    if (found < 0) {
        hub_log("billing", "cannot fetch the bills of a %s account: %s", utility, err);
        goto done;
    }
    if (found == 0) {
        rc = 1;
        goto done;
    }
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) goto done;
    if (store_account(db, utility, account, a) != 0 || db_exec(db, "COMMIT") != 0) {
        hub_log("billing", "cannot store the bills of a %s account: %s", utility, sqlite3_errmsg(db));
        db_exec(db, "ROLLBACK");
        goto done;
    }
    rc = 0;
done:
    free(a);
    return rc;
}
