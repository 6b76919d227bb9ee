/* Utility accounts and bills: look-ups by account number, by the QR code on a
 * paper bill and by resident ID number, plus the demo data of 幸福里社区.
 *
 * Every look-up answers {"accounts":[...]} with names and addresses masked;
 * ID numbers and phone numbers are never part of a response. The contract is
 * docs/api.d/10-bills.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "billqr.h"
#include "idnum.h"
#include "mask.h"
#include "db.h"
#include "validate.h"

static const char *const utilities[] = {"water", "electricity", "gas", "heating", NULL};

/* ---- account JSON ------------------------------------------------------ */

/* Appends to ARR one object per bill row of ST (columns id, period, usage,
 * unit, amount_fen, late_fee_fen, due_date, status). Returns the step code
 * that ended the loop (SQLITE_DONE when all went well). */
static int add_bill_rows(sqlite3_stmt *st, cJSON *arr)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddNumberToObject(b, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(b, "period", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddNumberToObject(b, "usage", sqlite3_column_double(st, 2));
        cJSON_AddStringToObject(b, "unit", (const char *)sqlite3_column_text(st, 3));
        cJSON_AddNumberToObject(b, "amount_fen", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(b, "late_fee_fen", (double)sqlite3_column_int64(st, 5));
        cJSON_AddStringToObject(b, "due_date", (const char *)sqlite3_column_text(st, 6));
        cJSON_AddStringToObject(b, "status", (const char *)sqlite3_column_text(st, 7));
        cJSON_AddItemToArray(arr, b);
    }
    return rc;
}

#define BILL_COLS "id, period, usage, unit, amount_fen, late_fee_fen, due_date, status"

/* The response object of one account (the current row of ACC: id, utility,
 * account_no, holder, address). Bills: every unpaid bill, oldest first, then
 * the paid bills of the last 12 periods, newest first; rows with nothing to
 * pay (heating outside the season) are left out. History: usage of the last
 * 12 periods, oldest first, zero rows included. NULL on a database error. */
static cJSON *account_json(sqlite3 *db, sqlite3_stmt *acc)
{
    static const char *const sql[] = {
        "SELECT " BILL_COLS " FROM bills WHERE account_id = ?1 AND status = 'unpaid' "
        "AND amount_fen + late_fee_fen > 0 ORDER BY period",
        "SELECT " BILL_COLS " FROM bills WHERE account_id = ?1 AND status = 'paid' "
        "AND amount_fen + late_fee_fen > 0 AND period IN (SELECT period FROM bills "
        "WHERE account_id = ?1 ORDER BY period DESC LIMIT 12) ORDER BY period DESC",
        "SELECT period, usage FROM (SELECT period, usage FROM bills WHERE account_id = ?1 "
        "ORDER BY period DESC LIMIT 12) ORDER BY period",
        "SELECT COALESCE(SUM(amount_fen + late_fee_fen), 0) FROM bills "
        "WHERE account_id = ?1 AND status = 'unpaid'",
    };
    sqlite3_int64 id = sqlite3_column_int64(acc, 0);
    char holder[128], address[256];
    mask_name((const char *)sqlite3_column_text(acc, 3), holder, sizeof holder);
    mask_address((const char *)sqlite3_column_text(acc, 4), address, sizeof address);

    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "utility", (const char *)sqlite3_column_text(acc, 1));
    cJSON_AddStringToObject(a, "account", (const char *)sqlite3_column_text(acc, 2));
    cJSON_AddStringToObject(a, "holder", holder);
    cJSON_AddStringToObject(a, "address", address);
    cJSON *bills = cJSON_AddArrayToObject(a, "bills");
    cJSON *hist = cJSON_AddArrayToObject(a, "history");

    for (int q = 0; q < 4; q++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(db, sql[q], -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int64(st, 1, id);
            if (q < 2) {
                rc = add_bill_rows(st, bills);
            } else if (q == 2) {
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                    cJSON *h = cJSON_CreateObject();
                    cJSON_AddStringToObject(h, "period", (const char *)sqlite3_column_text(st, 0));
                    cJSON_AddNumberToObject(h, "usage", sqlite3_column_double(st, 1));
                    cJSON_AddItemToArray(hist, h);
                }
            } else if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                cJSON_AddNumberToObject(a, "due_fen", (double)sqlite3_column_int64(st, 0));
                rc = SQLITE_DONE;
            }
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    return a;
}

#define ACCOUNT_COLS "a.id, a.utility, a.account_no, a.holder, a.address"

/* Runs ST (an account query with ACCOUNT_COLS) and answers 200 with every
 * account found, or 404 CODE when there is none. */
static void reply_accounts(sqlite3 *db, sqlite3_stmt *st, hub_resp_t *resp, const char *code,
                           const char *what)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "accounts");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *a = account_json(db, st);
        if (!a) break;
        cJSON_AddItemToArray(arr, a);
    }
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the accounts");
    } else if (cJSON_GetArraySize(arr) == 0) {
        cJSON_Delete(o);
        hub_error(resp, 404, code, "%s", what);
    } else {
        hub_reply(resp, 200, o);
    }
}

/* ---- handlers ---------------------------------------------------------- */

/* GET /v1/bills?utility=U&account=A or ?qr=PAYLOAD: one account. */
void api_bills_get(hub_req_t *req, hub_resp_t *resp)
{
    const char *qr = hub_query(req, "qr");
    const char *utility = hub_query(req, "utility");
    const char *account = hub_query(req, "account");
    billqr_t bill;

    if (qr && (utility || account)) {
        hub_error(resp, 422, "conflicting_fields",
                  "give either qr or utility and account, not both (got qr and %s)",
                  utility && account ? "utility, account" : utility ? "utility" : "account");
        return;
    }
    if (qr) {
        if (billqr_parse(qr, strlen(qr), &bill, NULL) != 0) {
            hub_error(resp, 422, "invalid_qr", "qr is not a paper-bill code of this hub "
                      "(XFL-BILL:1:utility:account:YYYY-MM:amount_fen:check)");
            return;
        }
        utility = bill.utility;
        account = bill.account;
    } else if (!utility || !account) {
        hub_error(resp, 422, "missing_field", "%s required (or qr)",
                  !utility && !account ? "utility and account are" : !utility ? "utility is" : "account is");
        return;
    }
    bool known = false;
    for (int i = 0; utilities[i]; i++) known |= strcmp(utility, utilities[i]) == 0;
    if (!known) {
        hub_error(resp, 422, "invalid_field", "utility must be one of: water, electricity, gas, heating");
        return;
    }
    if (!v_digits(account, 6, 20)) {
        hub_error(resp, 422, "invalid_field", "account must be 6 to 20 digits");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ACCOUNT_COLS " FROM accounts a "
                           "WHERE a.utility = ?1 AND a.account_no = ?2", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    sqlite3_bind_text(st, 1, utility, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
    reply_accounts(req->db, st, resp, "unknown_account", "no such account");
    sqlite3_finalize(st);
}

/* POST /v1/bills/lookup {"by":"id_number","id_number":...}: every account
 * linked to the resident. A POST so the ID number stays out of URLs and
 * access logs; messages never repeat it. */
void api_bills_lookup(hub_req_t *req, hub_resp_t *resp)
{
    static const char *const by_allowed[] = {"id_number", NULL};
    const char *by, *idn;
    if (v_enum(resp, req->json, "by", by_allowed, true, &by) != 0) return;
    if (v_string(resp, req->json, "id_number", 1, 64, true, &idn) != 0) return;
    if (!idnum_valid(idn)) {
        hub_error(resp, 422, "invalid_id_number",
                  "id_number is not a valid 18-digit resident ID number (check digit)");
        return;
    }
    char norm[19];
    memcpy(norm, idn, 18);
    norm[18] = '\0';
    if (norm[17] == 'x') norm[17] = 'X';

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ACCOUNT_COLS " FROM accounts a "
                           "JOIN residents r ON r.id = a.resident_id WHERE r.id_number = ?1 "
                           "ORDER BY CASE a.utility WHEN 'water' THEN 1 WHEN 'electricity' THEN 2 "
                           "WHEN 'gas' THEN 3 ELSE 4 END, a.account_no", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    sqlite3_bind_text(st, 1, norm, -1, SQLITE_TRANSIENT);
    reply_accounts(req->db, st, resp, "unknown_resident", "no accounts for this ID number");
    sqlite3_finalize(st);
}

/* ---- demo data --------------------------------------------------------- */

/* 幸福里社区 (Xingfu Li), a fictional compound in 青岛市市北区 (area code
 * 370203). ID numbers get their check digit computed at seed time. */
typedef struct {
    const char *name;
    const char *birth;          /* YYYYMMDD */
    const char *seq;            /* 3 digits, odd last digit for men */
    const char *phone;
    int building, unit, room;
} seed_resident_t;

static const seed_resident_t seed_residents[] = {
    {"张建国", "19680312", "031", "13805321867", 3, 2, 501},
    {"李秀英", "19550821", "042", "13853287714", 1, 1, 302},
    {"王伟", "19851102", "015", "13869420385", 5, 3, 1102},
    {"刘芳", "19900517", "028", "13808975230", 2, 1, 701},
    {"陈志强", "19790130", "057", "13864213579", 6, 2, 402},
    {"欧阳明华", "19720909", "066", "13806398842", 4, 1, 602},
    {"赵磊", "19930725", "019", "13853640917", 7, 3, 1501},
    {"孙桂兰", "19481203", "024", "13808912266", 1, 2, 101},
};

typedef struct {
    int resident;               /* index into seed_residents */
    const char *utility;
    const char *account_no;
    const char *holder;         /* NULL: the resident */
    double base;                /* typical monthly usage; heating: floor area in m² */
    int unpaid;                 /* how many of the latest periods are unpaid */
} seed_account_t;

static const seed_account_t seed_accounts[] = {
    {0, "water", "3702031056", NULL, 10, 2},
    {0, "electricity", "3702118472", NULL, 240, 1},
    {0, "gas", "20316658", "王桂芳", 22, 3},        /* in his wife's name */
    {0, "heating", "60310527", NULL, 89.6, 1},
    {1, "water", "3702030417", NULL, 6, 0},
    {1, "electricity", "3702113095", NULL, 130, 0}, /* everything paid */
    {1, "heating", "60310283", NULL, 72.4, 1},
    {2, "water", "3702032291", NULL, 9, 1},
    {2, "electricity", "3702119934", NULL, 300, 2},
    {2, "gas", "20317740", NULL, 18, 1},
    {3, "electricity", "3702115562", NULL, 150, 3},
    {3, "gas", "20318215", NULL, 14, 2},
    {4, "water", "3702035508", NULL, 13, 1},
    {4, "electricity", "3702117206", NULL, 380, 1},
    {4, "heating", "60311946", NULL, 118.5, 2},
    {5, "electricity", "3702112648", NULL, 200, 2},
    {5, "gas", "20319083", NULL, 18, 1},
    {6, "water", "3702036731", NULL, 5, 3},
    {6, "electricity", "3702114389", NULL, 120, 1},
    {7, "water", "3702030962", NULL, 5, 0},
    {7, "heating", "60312275", NULL, 66.0, 1},
};

#define N_RESIDENTS ((int)(sizeof seed_residents / sizeof *seed_residents))
#define N_ACCOUNTS ((int)(sizeof seed_accounts / sizeof *seed_accounts))
#define N_PERIODS 12            /* 2025-12 .. 2026-11 */

/* Seasonal factor per calendar month (index 0 = January). Heating is metered
 * from 15 November to 15 March, so November and March are half months. */
static const double season[4][12] = {
    {0.90, 1.00, 0.90, 0.95, 1.00, 1.10, 1.25, 1.30, 1.10, 1.00, 0.95, 0.90},   /* water */
    {1.20, 1.15, 0.95, 0.85, 0.90, 1.20, 1.60, 1.65, 1.10, 0.85, 0.95, 1.15},   /* electricity */
    {1.40, 1.35, 1.15, 0.95, 0.85, 0.75, 0.70, 0.70, 0.80, 0.95, 1.15, 1.35},   /* gas */
    {1.12, 0.92, 0.45, 0, 0, 0, 0, 0, 0, 0, 0.40, 1.00},                        /* heating */
};

/* A fixed hash of account A and period P: the demo's only source of variety. */
static unsigned mix(int a, int p)
{
    unsigned x = (unsigned)(a * 131 + p * 7919 + 17);
    x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
    return x;
}

/* A deterministic factor in [0.92, 1.08] for account A, period P. */
static double jitter(int a, int p) { return 0.92 + (double)(mix(a, p) % 1601) / 10000.0; }

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Usage and amount of one bill under the demo tariffs (fen):
 * water 4.10 yuan/m³ incl. sewage; electricity tiered monthly 0.4883 up to
 * 230 kWh, 0.5383 to 400, 0.7883 above; gas 2.63 yuan/m³; heating metered at
 * 45 yuan/GJ plus a basic charge of 2 yuan/m² per heating month. */
static void tariff(const char *utility, double base, int month, double jit, double *usage,
                   const char **unit, long long *fen)
{
    if (!strcmp(utility, "water")) {
        *usage = round(base * season[0][month - 1] * jit);
        *unit = "m³";
        *fen = (long long)*usage * 410;
    } else if (!strcmp(utility, "electricity")) {
        long long kwh = llround(base * season[1][month - 1] * jit);
        long long t1 = kwh < 230 ? kwh : 230;
        long long t2 = kwh > 400 ? 170 : kwh > 230 ? kwh - 230 : 0;
        long long t3 = kwh > 400 ? kwh - 400 : 0;
        *usage = (double)kwh;
        *unit = "kWh";
        *fen = (t1 * 4883 + t2 * 5383 + t3 * 7883 + 50) / 100;
    } else if (!strcmp(utility, "gas")) {
        *usage = round(base * season[2][month - 1] * jit);
        *unit = "m³";
        *fen = (long long)*usage * 263;
    } else {
        double share = season[3][month - 1];
        double basic = share == 0 ? 0 : share < 0.5 ? 0.5 : 1.0;
        *usage = round(base * 0.085 * share * jit * 100.0) / 100.0;
        *unit = "GJ";
        *fen = llround(*usage * 4500.0 + base * 200.0 * basic);
    }
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int seed_all(sqlite3 *db)
{
    sqlite3_stmt *res = NULL, *acc = NULL, *bill = NULL;
    sqlite3_int64 resident_ids[N_RESIDENTS];
    int rc = -1;
    long asof = days_from_civil(2026, 11, 28);   /* the statement run the late fees date from */

    if (sqlite3_prepare_v2(db, "INSERT INTO residents(name, id_number, phone) VALUES(?1, ?2, ?3)",
                           -1, &res, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO accounts(utility, account_no, resident_id, holder, "
                           "address) VALUES(?1, ?2, ?3, ?4, ?5)", -1, &acc, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO bills(account_id, period, usage, unit, amount_fen, "
                           "late_fee_fen, due_date, status, paid_at) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", -1, &bill, NULL) != SQLITE_OK)
        goto done;

    for (int i = 0; i < N_RESIDENTS; i++) {
        const seed_resident_t *r = &seed_residents[i];
        char idn[19];
        snprintf(idn, sizeof idn, "370203%s%s?", r->birth, r->seq);
        idn[17] = idnum_check_char(idn);
        sqlite3_bind_text(res, 1, r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(res, 2, idn, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(res, 3, r->phone, -1, SQLITE_STATIC);
        if (step_done(res) != 0) goto done;
        resident_ids[i] = sqlite3_last_insert_rowid(db);
    }

    for (int a = 0; a < N_ACCOUNTS; a++) {
        const seed_account_t *s = &seed_accounts[a];
        const seed_resident_t *r = &seed_residents[s->resident];
        char addr[128];
        snprintf(addr, sizeof addr, "幸福里小区%d号楼%d单元%d", r->building, r->unit, r->room);
        sqlite3_bind_text(acc, 1, s->utility, -1, SQLITE_STATIC);
        sqlite3_bind_text(acc, 2, s->account_no, -1, SQLITE_STATIC);
        sqlite3_bind_int64(acc, 3, resident_ids[s->resident]);
        sqlite3_bind_text(acc, 4, s->holder ? s->holder : r->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(acc, 5, addr, -1, SQLITE_TRANSIENT);
        if (step_done(acc) != 0) goto done;
        sqlite3_int64 account_id = sqlite3_last_insert_rowid(db);

        for (int p = 0; p < N_PERIODS; p++) {
            int year = p == 0 ? 2025 : 2026, month = p == 0 ? 12 : p;
            int due_y = month == 12 ? year + 1 : year, due_m = month == 12 ? 1 : month + 1;
            double usage;
            const char *unit;
            long long fen, late = 0;
            tariff(s->utility, s->base, month, jitter(a, p), &usage, &unit, &fen);
            bool unpaid = p >= N_PERIODS - s->unpaid && fen > 0;
            long due = days_from_civil(due_y, due_m, 15);
            if (unpaid && due < asof) late = llround((double)fen * 0.0005 * (double)(asof - due));
            char period[8], due_date[11];
            snprintf(period, sizeof period, "%04d-%02d", year, month);
            snprintf(due_date, sizeof due_date, "%04d-%02d-15", due_y, due_m);
            sqlite3_bind_int64(bill, 1, account_id);
            sqlite3_bind_text(bill, 2, period, -1, SQLITE_TRANSIENT);
            sqlite3_bind_double(bill, 3, usage);
            sqlite3_bind_text(bill, 4, unit, -1, SQLITE_STATIC);
            sqlite3_bind_int64(bill, 5, fen);
            sqlite3_bind_int64(bill, 6, late);
            sqlite3_bind_text(bill, 7, due_date, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(bill, 8, unpaid ? "unpaid" : "paid", -1, SQLITE_STATIC);
            /* Paid a few days before the due date, 10:00 China time; nothing
             * was paid for a bill of 0. */
            if (!unpaid && fen > 0)
                sqlite3_bind_int64(bill, 9, (due - 3 - (long)(mix(p, a) % 9)) * 86400L + 2 * 3600);
            if (step_done(bill) != 0) goto done;
        }
    }
    rc = 0;
done:
    sqlite3_finalize(res);
    sqlite3_finalize(acc);
    sqlite3_finalize(bill);
    return rc;
}

/* Seeds residents, accounts and 12 monthly bills each, in one transaction,
 * only when there are no accounts yet (so a restarted demo hub keeps what was
 * paid). Deterministic: the same data every time. 0 ok, -1 on a database
 * error (nothing written). */
int demo_seed_bills(sqlite3 *db)
{
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    long long n = db_int(db, "SELECT COUNT(*) FROM accounts", NULL, -1);
    if (n != 0) {
        db_exec(db, "ROLLBACK");
        return n > 0 ? 0 : -1;
    }
    if (seed_all(db) != 0 || db_exec(db, "COMMIT") != 0) {
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}
