/* Utility accounts and bills: look-ups by account number, by the QR code on a
 * paper bill and by resident ID number. The demo data is hub/demo/bills.sql.
 *
 * Every look-up answers {"accounts":[...]} with names and addresses masked;
 * ID numbers and phone numbers are never part of a response. The contract is
 * docs/api.md, "Bills". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "billing.h"
#include "billqr.h"
#include "idnum.h"
#include "mask.h"
#include "db.h"
#include "rescodes.h"
#include "scope.h"
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

/* The holder's name and the address are sealed at rest (pii.h). */
#define ACCOUNT_COLS                                                                           \
    "a.id, a.utility, a.account_no, coalesce(pii_open(a.holder), ''), coalesce(pii_open(a.address), ''), " \
    "a.community"

/* Runs ST (an account query with ACCOUNT_COLS) and answers 200 with every
 * account found that REQ's device may see (scope.h), or 404 CODE when there
 * is none: the same answer whether nothing matched or only accounts out of
 * the device's area did; the audit detail tells them apart. */
static void reply_accounts(hub_req_t *req, sqlite3_stmt *st, hub_resp_t *resp, const char *code,
                           const char *what)
{
    sqlite3 *db = req->db;
    char area[SCOPE_COMMUNITY_MAX];
    if (scope_device_community(db, req->device.id, area, sizeof area) != 0) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "accounts");
    int rc, hidden = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!scope_visible(area, (const char *)sqlite3_column_text(st, 5))) {
            hidden++;
            continue;
        }
        cJSON *a = account_json(db, st);
        if (!a) break;
        cJSON_AddItemToArray(arr, a);
    }
    if (rc == SQLITE_DONE && hidden && cJSON_GetArraySize(arr) == 0) req->audit_detail = SCOPE_OUT_OF_AREA;
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

/* ---- the billing system ----------------------------------------------- */

/* What this request's hook found (hook and handler run on one thread, one
 * after the other): -1 the billing system could not be asked. */
static _Thread_local int fetched;

static bool utility_known(const char *u)
{
    for (int i = 0; u && utilities[i]; i++)
        if (!strcmp(u, utilities[i])) return true;
    return false;
}

/* Refreshes every account of the resident with ID number IDN (as the
 * handler finds them: the hub keeps the link of residents to accounts). */
static int fetch_resident(sqlite3 *db, const char *idn)
{
    char list[16][2][32];
    int n = 0, rc = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT a.utility, a.account_no FROM accounts a JOIN residents r "
                           "ON r.id = a.resident_id WHERE r.id_hash = pii_hash('id', upper(?1)) LIMIT 16",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, idn, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW && n < 16) {
        snprintf(list[n][0], sizeof list[n][0], "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(list[n][1], sizeof list[n][1], "%s", (const char *)sqlite3_column_text(st, 1));
        n++;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n && rc >= 0; i++) rc = billing_refresh(db, list[i][0], list[i][1]);
    return rc < 0 ? -1 : 0;
}

void api_bills_fetch(hub_req_t *req)
{
    fetched = 0;
    if (!billing_system()->fetch) return;
    if (!strcmp(req->method, "GET")) {
        const char *qr = hub_query(req, "qr"), *utility = hub_query(req, "utility");
        const char *account = hub_query(req, "account");
        billqr_t bill;
        if (qr && !utility && !account && billqr_parse(qr, strlen(qr), &bill, NULL) == 0) {
            utility = bill.utility;
            account = bill.account;
        }
        /* Anything the handler would refuse is left for it to say. */
        if (utility_known(utility) && account && v_digits(account, 6, 20))
            fetched = billing_refresh(req->db, utility, account) < 0 ? -1 : 0;
        return;
    }
    cJSON *j = cJSON_ParseWithLength(req->body, req->body_len);
    const cJSON *idn = cJSON_GetObjectItemCaseSensitive(j, "id_number");
    if (cJSON_IsString(idn) && idnum_valid(idn->valuestring)) fetched = fetch_resident(req->db, idn->valuestring);
    cJSON_Delete(j);
}

/* True (and 503 in RESP) when the billing system could not be asked:
 * bills it did not confirm are never offered for payment. */
static bool fetch_failed(hub_resp_t *resp)
{
    if (fetched == 0) return false;
    hub_error(resp, 503, "billing_unavailable", "the utility's billing system cannot be reached; try again later");
    return true;
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
    if (fetch_failed(resp)) return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ACCOUNT_COLS " FROM accounts a "
                           "WHERE a.utility = ?1 AND a.account_no = ?2", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    sqlite3_bind_text(st, 1, utility, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
    reply_accounts(req, st, resp, "unknown_account", "no such account");
    sqlite3_finalize(st);
}

#define ACCOUNT_ORDER                                                                          \
    "ORDER BY CASE a.utility WHEN 'water' THEN 1 WHEN 'electricity' THEN 2 "                   \
    "WHEN 'gas' THEN 3 ELSE 4 END, a.account_no"

/* {"by":"rescode","code":PAYLOAD}: the accounts of the resident a valid
 * community resident code names (rescodes.h); any refusal answers like a
 * resident without accounts, the audit keeps why. */
static void lookup_by_rescode(hub_req_t *req, hub_resp_t *resp)
{
    const char *code;
    req->audit_kind = "bill_rescode";
    if (v_string(resp, req->json, "code", 1, 512, true, &code) != 0) return;
    long long resident;
    rescodes_verdict_t v = rescodes_verify(req->db, code, strlen(code), req->now, &resident, NULL);
    req->audit_detail = rescodes_verdict_name(v);
    if (v == RESCODES_ERROR) {
        hub_error(resp, 500, "storage", "cannot check the code");
        return;
    }
    if (v != RESCODES_OK) {
        hub_error(resp, 404, "unknown_resident", "no accounts for this resident code");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ACCOUNT_COLS " FROM accounts a WHERE a.resident_id = ?1 "
                           ACCOUNT_ORDER, -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    sqlite3_bind_int64(st, 1, resident);
    reply_accounts(req, st, resp, "unknown_resident", "no accounts for this resident code");
    sqlite3_finalize(st);
}

/* POST /v1/bills/lookup {"by":"id_number","id_number":...}: every account
 * linked to the resident; or {"by":"rescode","code":...}, the same for the
 * resident a community resident code names. A POST so the ID number stays
 * out of URLs and access logs; messages never repeat it. */
void api_bills_lookup(hub_req_t *req, hub_resp_t *resp)
{
    static const char *const by_allowed[] = {"id_number", "rescode", NULL};
    const char *by, *idn;
    if (v_enum(resp, req->json, "by", by_allowed, true, &by) != 0) return;
    if (!strcmp(by, "rescode")) {
        lookup_by_rescode(req, resp);
        return;
    }
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
    if (fetch_failed(resp)) return;

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ACCOUNT_COLS " FROM accounts a "
                           "JOIN residents r ON r.id = a.resident_id WHERE r.id_hash = pii_hash('id', ?1) "
                           "ORDER BY CASE a.utility WHEN 'water' THEN 1 WHEN 'electricity' THEN 2 "
                           "WHEN 'gas' THEN 3 ELSE 4 END, a.account_no", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the accounts");
        return;
    }
    sqlite3_bind_text(st, 1, norm, -1, SQLITE_TRANSIENT);
    reply_accounts(req, st, resp, "unknown_resident", "no accounts for this ID number");
    sqlite3_finalize(st);
}
