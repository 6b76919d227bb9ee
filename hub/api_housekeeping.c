/* Housekeeping bookings: a catalogue of services with their providers, time
 * slots with a capacity, and bookings a resident makes at a kiosk and can
 * look up or cancel there later.
 *
 * Access: a phone number is no proof (anyone may know it). Listing needs
 * the ID card (the kiosk that read it sends its number, or the resident's
 * community resident code, which stands for it) or the phone with
 * the check-in code of one of its bookings; cancelling needs the code (in
 * the path) and the phone or ID number it was made with. A booking that is
 * not the caller's answers exactly like one that does not exist.
 *
 * Check-in codes: six digits, 100000-999999 (never a leading zero, so it is
 * never read as shorter), easy to read, say and type on a numeric keypad;
 * bookings made before them keep their 8-character code of
 * code_alphabet. Look-up and cancel accept both forms, with the spaces or
 * dashes a resident typed ("482 913", "482-913"); anything else finds
 * nothing. Guessing: 900,000 codes are few, so a phone's proof by code is
 * limited where it is checked, from every kiosk together: a wrong code
 * counts against the phone (its keyed hash, audit.h) and as the device's
 * miss for the misses alert even though the look-up answers an empty list;
 * after AUDIT_PROOF_MISSES (10) in a day the phone's code proofs are
 * refused (429 too_many_wrong_codes, the ID card still works). On top, the
 * look-up rate class per device (hub.ini [rate] lookup_per_minute).
 *
 * Invariants:
 *  - slots.booked never exceeds slots.capacity. A place is taken with a single
 *    conditional UPDATE (booked < capacity) inside the framework's BEGIN
 *    IMMEDIATE transaction, so concurrent kiosks are serialised by SQLite and
 *    the CHECK constraint is a second line of defence, never the first.
 *  - A booking gives its place back exactly once: only the transition
 *    confirmed -> cancelled decrements the slot.
 *  - Names and phone numbers are sealed in the database, phones and ID
 *    numbers also kept as keyed hashes for look-ups, an ID number otherwise
 *    only masked (pii.h); every response carries them masked.
 *  - Dates are China Standard Time (UTC+8, no DST); times are Unix seconds. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "audit.h"
#include "idnum.h"
#include "mask.h"
#include "db.h"
#include "rescodes.h"
#include "validate.h"

#define CST_OFFSET (8 * 3600)          /* China Standard Time, all year */
#define DAY_S 86400
#define CODE_DIGITS 6                  /* new codes: 100000-999999 */
#define CODE_MIN 100000u
#define CODE_SPAN 900000u
#define OLD_CODE_LEN 8                 /* codes of bookings made before: code_alphabet */
#define CODE_MAX_LEN OLD_CODE_LEN
/* With 100,000 bookings kept, a random code is taken with a chance of 1/9;
 * 32 tries all collide with a chance of 9^-32, about 3e-31: never. */
#define CODE_TRIES 32
#define NAME_MAX_BYTES 32
#define ALTERNATIVES 3
#define LOOKUP_LIMIT 50

/* The old check-in codes, still accepted: no 0/O, 1/I/L. */
static const char code_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/* ---- small helpers ------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil); valid for every date v_date accepts. */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Unix time of 00:00 China time on DATE (already checked by v_date). */
static int64_t cst_day_start(const char *date)
{
    int y = atoi(date), m = atoi(date + 5), d = atoi(date + 8);
    return days_from_civil(y, m, d) * DAY_S - CST_OFFSET;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static bool is_ascii_space(unsigned char c) { return c == ' ' || c == '\t'; }

/* ---- masking ------------------------------------------------------------ */

/* Adds NAME: VALUE masked by MASK (mask.h), or null when the booking has none. */
static void add_masked(cJSON *o, const char *name, const char *value,
                       void (*mask)(const char *, char *, size_t))
{
    if (!value || !*value) {
        cJSON_AddNullToObject(o, name);
        return;
    }
    char buf[64];
    mask(value, buf, sizeof buf);
    cJSON_AddStringToObject(o, name, buf);
}

/* ---- JSON of rows ------------------------------------------------------- */

/* Columns read by slot_json, in this order, from "slots s JOIN providers p". */
#define SLOT_COLS "s.id, s.start, s.end, p.id, p.name, s.capacity, s.booked"
#define SLOT_NCOLS 7

/* {"id","start","end","provider":{"id","name"},"capacity","left"} from the
 * SLOT_COLS starting at column AT. */
static cJSON *slot_json(sqlite3_stmt *st, int at)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, at));
    cJSON_AddNumberToObject(o, "start", (double)sqlite3_column_int64(st, at + 1));
    cJSON_AddNumberToObject(o, "end", (double)sqlite3_column_int64(st, at + 2));
    cJSON *p = cJSON_AddObjectToObject(o, "provider");
    cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(st, at + 3));
    cJSON_AddStringToObject(p, "name", col_text(st, at + 4));
    int cap = sqlite3_column_int(st, at + 5), booked = sqlite3_column_int(st, at + 6);
    cJSON_AddNumberToObject(o, "capacity", cap);
    cJSON_AddNumberToObject(o, "left", cap - booked);
    return o;
}

/* One booking as every endpoint shows it; SELECT BOOKING_SQL + a WHERE. */
#define BOOKING_SQL                                                                   \
    "SELECT b.code, b.status, pii_open(b.name), pii_open(b.phone), b.id_masked,"     \
    "  b.created, b.cancelled,"                                                       \
    "  sv.id, sv.name_zh, sv.name_en, " SLOT_COLS                                     \
    " FROM bookings b JOIN slots s ON s.id = b.slot_id"                               \
    " JOIN providers p ON p.id = s.provider_id JOIN services sv ON sv.id = s.service_id "

static cJSON *booking_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", col_text(st, 0));
    cJSON_AddItemToObject(o, "slot", slot_json(st, 10));
    cJSON_AddStringToObject(o, "service_id", col_text(st, 7));
    cJSON *sn = cJSON_AddObjectToObject(o, "service_name");
    cJSON_AddStringToObject(sn, "zh", col_text(st, 8));
    cJSON_AddStringToObject(sn, "en", col_text(st, 9));
    cJSON_AddStringToObject(o, "status", col_text(st, 1));
    char name[4 * NAME_MAX_BYTES + 8];
    mask_name(col_text(st, 2), name, sizeof name);
    cJSON_AddStringToObject(o, "name", name);
    add_masked(o, "phone", (const char *)sqlite3_column_text(st, 3), mask_phone);
    /* Stored masked already. */
    if (sqlite3_column_type(st, 4) == SQLITE_NULL) cJSON_AddNullToObject(o, "id_number");
    else cJSON_AddStringToObject(o, "id_number", col_text(st, 4));
    cJSON_AddNumberToObject(o, "created", (double)sqlite3_column_int64(st, 5));
    if (sqlite3_column_type(st, 6) == SQLITE_NULL) cJSON_AddNullToObject(o, "cancelled");
    else cJSON_AddNumberToObject(o, "cancelled", (double)sqlite3_column_int64(st, 6));
    return o;
}

/* The booking CODE as JSON, or NULL if there is none (or on a database
 * error, which the caller reports as 500 since it just wrote the row). */
static cJSON *booking_by_code(sqlite3 *db, const char *code)
{
    sqlite3_stmt *st = NULL;
    cJSON *o = NULL;
    if (sqlite3_prepare_v2(db, BOOKING_SQL "WHERE b.code = ?1", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) o = booking_json(st);
    sqlite3_finalize(st);
    return o;
}

/* ---- request fields ----------------------------------------------------- */

typedef struct {
    const char *phone;                 /* NULL if not given */
    char id_number[19];                /* "" if not given; check letter upper-case */
    /* A community resident code instead of the card: its resident's keyed
     * ID hash and name (for a booking), "" otherwise. */
    char id_hash[65];
    char name[4 * NAME_MAX_BYTES + 1];
} identity_t;

/* The resident a valid community resident code CODE names, into ID (like a
 * card read); else 404 unknown_resident, whatever the reason, which goes
 * to the audit (rescodes.h). */
static int read_rescode(hub_req_t *req, hub_resp_t *resp, const char *code, identity_t *id)
{
    long long resident;
    rescodes_verdict_t v = rescodes_verify(req->db, code, strlen(code), req->now, &resident, NULL);
    sqlite3_stmt *st = NULL;
    if (v == RESCODES_OK &&
        sqlite3_prepare_v2(req->db, "SELECT id_hash, coalesce(pii_open(name), '') FROM residents"
                           " WHERE id = ?1 AND id_hash IS NOT NULL", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, resident);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(id->id_hash, sizeof id->id_hash, "%s", col_text(st, 0));
            snprintf(id->name, sizeof id->name, "%s", col_text(st, 1));
        } else {
            v = RESCODES_UNKNOWN;          /* a resident without an ID number on record */
        }
        sqlite3_finalize(st);
    } else if (v == RESCODES_OK) {
        v = RESCODES_ERROR;
    }
    req->audit_detail = rescodes_verdict_name(v);
    if (v == RESCODES_ERROR) return hub_error(resp, 500, "storage", "cannot check the code"), -1;
    if (v != RESCODES_OK) return hub_error(resp, 404, "unknown_resident", "this resident code is not valid"), -1;
    return 0;
}

/* Reads "phone" (11 digits starting with 1), "id_number" (18 characters
 * with a valid check digit) and "rescode" (a community resident code, which
 * stands for the ID card) from the body, at least one of them. The ID's
 * check letter is stored upper-case so "x" and "X" find the same bookings. */
static int read_identity(hub_req_t *req, hub_resp_t *resp, identity_t *id)
{
    const char *idn = NULL, *rescode = NULL;
    memset(id, 0, sizeof *id);
    if (v_string(resp, req->json, "phone", 1, 32, false, &id->phone) != 0 ||
        v_string(resp, req->json, "id_number", 1, 32, false, &idn) != 0 ||
        v_string(resp, req->json, "rescode", 1, 512, false, &rescode) != 0)
        return -1;
    if (!id->phone && !idn && !rescode)
        return hub_error(resp, 422, "missing_field", "phone, id_number or rescode is required"), -1;
    if (idn && rescode)
        return hub_error(resp, 422, "conflicting_fields", "give id_number or rescode, not both"), -1;
    if (id->phone && !(v_digits(id->phone, 11, 11) && id->phone[0] == '1'))
        return hub_error(resp, 422, "invalid_field", "phone must be 11 digits starting with 1"), -1;
    if (idn) {
        if (!idnum_valid(idn))
            return hub_error(resp, 422, "invalid_field",
                             "id_number must be 18 characters with a valid check digit"), -1;
        for (int i = 0; i < 18; i++) id->id_number[i] = (char)toupper((unsigned char)idn[i]);
    }
    if (rescode) return read_rescode(req, resp, rescode, id);
    return 0;
}

/* ---- GET /v1/housekeeping/services -------------------------------------- */

void api_hk_services(hub_req_t *req, hub_resp_t *resp)
{
    sqlite3_stmt *sv = NULL, *pr = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT id, name_zh, name_en, includes_zh, includes_en,"
                           " price_fen, duration_min FROM services ORDER BY rowid",
                           -1, &sv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(req->db, "SELECT id, name, rating FROM providers"
                           " WHERE service_id = ?1 ORDER BY id", -1, &pr, NULL) != SQLITE_OK) {
        sqlite3_finalize(sv);
        sqlite3_finalize(pr);
        hub_error(resp, 500, "storage", "cannot read the services");
        return;
    }
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "services");
    int rc;
    while ((rc = sqlite3_step(sv)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "id", col_text(sv, 0));
        cJSON *n = cJSON_AddObjectToObject(o, "name");
        cJSON_AddStringToObject(n, "zh", col_text(sv, 1));
        cJSON_AddStringToObject(n, "en", col_text(sv, 2));
        cJSON *inc = cJSON_AddObjectToObject(o, "includes");
        cJSON_AddStringToObject(inc, "zh", col_text(sv, 3));
        cJSON_AddStringToObject(inc, "en", col_text(sv, 4));
        cJSON_AddNumberToObject(o, "price_fen", (double)sqlite3_column_int64(sv, 5));
        cJSON_AddNumberToObject(o, "duration_min", sqlite3_column_int(sv, 6));
        cJSON *provs = cJSON_AddArrayToObject(o, "providers");
        sqlite3_reset(pr);
        sqlite3_bind_text(pr, 1, col_text(sv, 0), -1, SQLITE_TRANSIENT);
        while ((rc = sqlite3_step(pr)) == SQLITE_ROW) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddNumberToObject(p, "id", (double)sqlite3_column_int64(pr, 0));
            cJSON_AddStringToObject(p, "name", col_text(pr, 1));
            /* One decimal, as shown to residents (4.8, not 4.7999999). */
            cJSON_AddNumberToObject(p, "rating", (double)(int)(sqlite3_column_double(pr, 2) * 10 + 0.5) / 10);
            cJSON_AddItemToArray(provs, p);
        }
        if (rc != SQLITE_DONE) break;
    }
    sqlite3_finalize(sv);
    sqlite3_finalize(pr);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(root);
        hub_error(resp, 500, "storage", "cannot read the services");
        return;
    }
    hub_reply(resp, 200, root);
}

/* ---- GET /v1/housekeeping/slots?service=ID&date=YYYY-MM-DD --------------- */

static bool service_exists(sqlite3 *db, const char *id)
{
    return db_int(db, "SELECT count(*) FROM services WHERE id = ?1", id, 0) > 0;
}

void api_hk_slots(hub_req_t *req, hub_resp_t *resp)
{
    const char *service = hub_query(req, "service");
    const char *date = hub_query(req, "date");
    if (!service || !*service) {
        hub_error(resp, 422, "missing_field", "service is required");
        return;
    }
    if (!date || !*date) {
        hub_error(resp, 422, "missing_field", "date is required");
        return;
    }
    if (!v_date(date)) {
        hub_error(resp, 422, "invalid_field", "date must be a real date as YYYY-MM-DD");
        return;
    }
    if (!service_exists(req->db, service)) {
        hub_error(resp, 404, "unknown_service", "there is no service with this id");
        return;
    }
    int64_t day = cst_day_start(date);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " SLOT_COLS " FROM slots s"
                           " JOIN providers p ON p.id = s.provider_id"
                           " WHERE s.service_id = ?1 AND s.start >= ?2 AND s.start < ?3"
                           " AND s.start > ?4 ORDER BY s.start, p.id, s.id",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the slots");
        return;
    }
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, day);
    sqlite3_bind_int64(st, 3, day + DAY_S);
    sqlite3_bind_int64(st, 4, req->now);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "service_id", service);
    cJSON_AddStringToObject(root, "date", date);
    cJSON *list = cJSON_AddArrayToObject(root, "slots");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) cJSON_AddItemToArray(list, slot_json(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(root);
        hub_error(resp, 500, "storage", "cannot read the slots");
        return;
    }
    hub_reply(resp, 200, root);
}

/* Answers STATUS with {"booking": ...} read back from the database, as
 * every client sees it (masked). */
static void reply_booking(hub_req_t *req, hub_resp_t *resp, int status, const char *code)
{
    cJSON *b = booking_by_code(req->db, code);
    if (!b) {
        hub_error(resp, 500, "storage", "cannot read the booking back");
        return;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "booking", b);
    hub_reply(resp, status, root);
}

/* ---- POST /v1/housekeeping/bookings ------------------------------------- */

/* 409 slot_full with up to ALTERNATIVES future slots of SERVICE that still
 * have a place, the nearest in time to START, listed by start time:
 * {"error":{"code":"slot_full","message":...},"alternatives":[slot...]}. */
static void reply_slot_full(hub_req_t *req, hub_resp_t *resp, long long slot_id,
                            const char *service, int64_t start)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT * FROM (SELECT " SLOT_COLS " FROM slots s"
                           " JOIN providers p ON p.id = s.provider_id"
                           " WHERE s.service_id = ?1 AND s.id <> ?2 AND s.start > ?3"
                           " AND s.booked < s.capacity"
                           " ORDER BY abs(s.start - ?4), s.start, s.id LIMIT ?5)"
                           " ORDER BY 2, 4, 1", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the slots");
        return;
    }
    sqlite3_bind_text(st, 1, service, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, slot_id);
    sqlite3_bind_int64(st, 3, req->now);
    sqlite3_bind_int64(st, 4, start);
    sqlite3_bind_int(st, 5, ALTERNATIVES);
    cJSON *root = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(e, "code", "slot_full");
    cJSON_AddStringToObject(e, "message", "this time slot is fully booked");
    cJSON *alts = cJSON_AddArrayToObject(root, "alternatives");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) cJSON_AddItemToArray(alts, slot_json(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(root);
        hub_error(resp, 500, "storage", "cannot read the slots");
        return;
    }
    hub_reply(resp, 409, root);
}

/* Inserts the booking under a fresh random code (written to CODE). A code
 * already in use makes the INSERT fail on the primary key; only that failure
 * is retried, with a new code. 0, or -1 on any other database error. */
static int insert_booking(hub_req_t *req, long long slot_id, const char *name,
                          const identity_t *id, char code[CODE_MAX_LEN + 1])
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "INSERT INTO bookings(code, slot_id, device, name, phone,"
                           " phone_hash, id_hash, id_masked, status, created) VALUES(?1, ?2, ?3,"
                           " pii_seal(?4), pii_seal(?5), pii_hash('phone', ?5), coalesce(?8, pii_hash('id', ?6)),"
                           " pii_mask('id', ?6), 'confirmed', ?7)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    int result = -1;
    for (int attempt = 0; attempt < CODE_TRIES; attempt++) {
        snprintf(code, CODE_MAX_LEN + 1, "%u", CODE_MIN + randombytes_uniform(CODE_SPAN));
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, slot_id);
        sqlite3_bind_text(st, 3, req->device.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
        if (id->phone) sqlite3_bind_text(st, 5, id->phone, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 5);
        if (id->id_number[0]) sqlite3_bind_text(st, 6, id->id_number, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 6);
        sqlite3_bind_int64(st, 7, req->now);
        if (id->id_hash[0]) sqlite3_bind_text(st, 8, id->id_hash, -1, SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, 8);
        if (sqlite3_step(st) == SQLITE_DONE) {
            result = 0;
            break;
        }
        if (sqlite3_extended_errcode(req->db) != SQLITE_CONSTRAINT_PRIMARYKEY) break;
    }
    sqlite3_finalize(st);
    return result;
}

void api_hk_book(hub_req_t *req, hub_resp_t *resp)
{
    long long slot_id;
    const char *service, *name;
    identity_t id;
    if (v_int(resp, req->json, "slot_id", 1, 9007199254740991LL, true, 0, &slot_id) != 0 ||
        v_string(resp, req->json, "service_id", 1, 64, true, &service) != 0 ||
        v_string(resp, req->json, "name", 1, NAME_MAX_BYTES, true, &name) != 0)
        return;
    /* A resident code's check is audited like a look-up (server.c). */
    if (cJSON_GetObjectItemCaseSensitive(req->json, "rescode")) req->audit_kind = "booking_rescode";
    if (read_identity(req, resp, &id) != 0) return;
    /* The code's resident is named by the hub's record, not the kiosk. */
    if (id.id_hash[0] && id.name[0]) name = id.name;
    const char *p = name;
    while (is_ascii_space((unsigned char)*p)) p++;
    if (!*p) {
        hub_error(resp, 422, "invalid_field", "name must not be blank");
        return;
    }

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT service_id, start FROM slots WHERE id = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the slot");
        return;
    }
    sqlite3_bind_int64(st, 1, slot_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        hub_error(resp, 404, "unknown_slot", "there is no slot %lld", slot_id);
        return;
    }
    bool same_service = strcmp(col_text(st, 0), service) == 0;
    int64_t start = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    if (!same_service) {
        hub_error(resp, 422, "slot_service_mismatch", "slot %lld is not a slot of service %s",
                  slot_id, service);
        return;
    }
    if (start <= req->now) {
        hub_error(resp, 409, "slot_past", "this time slot has already started");
        return;
    }

    /* The one place that takes a place: atomic under the IMMEDIATE
     * transaction, and a no-op when the slot is full. */
    if (sqlite3_prepare_v2(req->db, "UPDATE slots SET booked = booked + 1"
                           " WHERE id = ?1 AND booked < capacity", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot update the slot");
        return;
    }
    sqlite3_bind_int64(st, 1, slot_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot update the slot");
        return;
    }
    if (sqlite3_changes(req->db) == 0) {
        reply_slot_full(req, resp, slot_id, service, start);
        return;
    }

    char code[CODE_MAX_LEN + 1];
    if (insert_booking(req, slot_id, name, &id, code) != 0) {
        hub_error(resp, 500, "storage", "cannot store the booking");
        return;
    }
    reply_booking(req, resp, 201, code);
}

/* ---- POST /v1/housekeeping/bookings/lookup ------------------------------ */

/* CODE into OUT if it can be a check-in code at all: six digits not
 * starting with 0, or an old code of 8 of code_alphabet (upper-cased);
 * the spaces and dashes a resident typed between them are dropped. */
static bool normalise_code(const char *code, char out[CODE_MAX_LEN + 1])
{
    size_t n = 0;
    for (const char *c = code; *c; c++) {
        if (*c == ' ' || *c == '-') continue;
        if (n == CODE_MAX_LEN) return false;
        out[n++] = (char)toupper((unsigned char)*c);
    }
    out[n] = '\0';
    if (n == CODE_DIGITS) return strspn(out, "0123456789") == CODE_DIGITS && out[0] != '0';
    return n == OLD_CODE_LEN && strspn(out, code_alphabet) == OLD_CODE_LEN;
}

/* Before a phone is proven by a check-in code: its keyed hash into
 * REQ->proof_miss (counted if the proof fails, audit.h), and 429 if it
 * already failed too often. 0 to go on, -1 answered. */
static int check_code_tries(hub_req_t *req, hub_resp_t *resp, const char *phone)
{
    sqlite3_stmt *st = NULL;
    int locked = -1, retry = 0;
    if (sqlite3_prepare_v2(req->db, "SELECT pii_hash('phone', ?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, phone, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
            snprintf(req->proof_miss, sizeof req->proof_miss, "%s", col_text(st, 0));
            locked = audit_proof_locked(req->db, req->proof_miss, req->now, &retry);
        }
    }
    sqlite3_finalize(st);
    /* Counted only when the proof is then refused (the handler keeps it). */
    char key[sizeof req->proof_miss];
    memcpy(key, req->proof_miss, sizeof key);
    req->proof_miss[0] = '\0';
    if (locked < 0) return hub_error(resp, 500, "storage", "cannot check the code"), -1;
    if (locked) {
        resp->retry_after = retry;
        req->audit_detail = "code_tries";
        return hub_error(resp, 429, "too_many_wrong_codes",
                         "too many wrong check-in codes for this phone; read the ID card, or try again later"), -1;
    }
    memcpy(req->proof_miss, key, sizeof key);
    return 0;
}

/* Does booking CODE exist and was it made with phone PHONE? */
static int code_proves_phone(sqlite3 *db, const char *code, const char *phone)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM bookings WHERE code = ?1"
                               " AND phone_hash = pii_hash('phone', ?2)", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, phone, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The bookings an ID card proves (its SQL parameter P): those booked with
 * the card, and those booked by phone with the number the resident
 * registered with the community (residents.phone_hash), so a booking made
 * by phone is found and can be cancelled after reading the card. */
#define CARD_OWNS_SQL(P)                                                       \
    "b.id_hash = pii_hash('id', " P ") OR b.phone_hash IN (SELECT r.phone_hash" \
    " FROM residents r WHERE r.id_hash = pii_hash('id', " P ")"              \
    " AND r.phone_hash IS NOT NULL)"
/* The same for a resident known by the keyed hash of their ID number (a
 * resident code names its resident: P is that resident's id_hash). */
#define HASH_OWNS_SQL(P)                                                       \
    "b.id_hash = " P " OR b.phone_hash IN (SELECT r.phone_hash"               \
    " FROM residents r WHERE r.id_hash = " P " AND r.phone_hash IS NOT NULL)"

void api_hk_lookup(hub_req_t *req, hub_resp_t *resp)
{
    identity_t id;
    const char *code_in;
    char code[CODE_MAX_LEN + 1] = "";
    if (read_identity(req, resp, &id) != 0 ||
        v_string(resp, req->json, "code", 1, 32, false, &code_in) != 0)
        return;
    /* The ID card (or a resident code) is its own proof; a phone needs a
     * booking's code with it. */
    if (!id.id_number[0] && !id.id_hash[0] && !code_in) {
        hub_error(resp, 422, "proof_required",
                  "a phone number alone is not enough: give the check-in code of one of its bookings, or read the ID card");
        return;
    }
    /* A code that cannot exist, or one of another phone, finds nothing,
     * exactly as a phone without bookings does. */
    bool by_card = id.id_number[0] != 0 || id.id_hash[0] != 0, proven = by_card;
    if (!proven && check_code_tries(req, resp, id.phone) != 0) return;
    if (!proven && normalise_code(code_in, code)) {
        int p = code_proves_phone(req->db, code, id.phone);
        if (p < 0) {
            req->proof_miss[0] = '\0';
            hub_error(resp, 500, "storage", "cannot read the bookings");
            return;
        }
        proven = p == 1;
    }
    if (proven) req->proof_miss[0] = '\0';   /* else the failed proof is counted */
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, "bookings");
    if (!proven) {
        hub_reply(resp, 200, root);
        return;
    }
    /* Upcoming bookings first, soonest first; then past ones, latest first. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, BOOKING_SQL
                           "WHERE (?1 IS NOT NULL AND b.phone_hash = pii_hash('phone', ?1))"
                           " OR (?2 IS NOT NULL AND (" CARD_OWNS_SQL("?2") "))"
                           " OR (?5 IS NOT NULL AND (" HASH_OWNS_SQL("?5") "))"
                           " ORDER BY s.start <= ?3, CASE WHEN s.start > ?3 THEN s.start"
                           " ELSE -s.start END, b.created, b.code LIMIT ?4",
                           -1, &st, NULL) != SQLITE_OK) {
        cJSON_Delete(root);
        hub_error(resp, 500, "storage", "cannot read the bookings");
        return;
    }
    /* Only what was proven: the card's bookings, or the phone's. */
    if (id.id_hash[0]) sqlite3_bind_text(st, 5, id.id_hash, -1, SQLITE_TRANSIENT);
    else if (by_card) sqlite3_bind_text(st, 2, id.id_number, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_text(st, 1, id.phone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, req->now);
    sqlite3_bind_int(st, 4, LOOKUP_LIMIT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) cJSON_AddItemToArray(list, booking_json(st));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(root);
        hub_error(resp, 500, "storage", "cannot read the bookings");
        return;
    }
    hub_reply(resp, 200, root);
}

/* ---- POST /v1/housekeeping/bookings/{code}/cancel ----------------------- */

void api_hk_cancel(hub_req_t *req, hub_resp_t *resp)
{
    identity_t id;
    if (read_identity(req, resp, &id) != 0) return;
    /* Only the phone is proven by the code itself: its tries are counted. */
    bool by_card = id.id_number[0] != 0 || id.id_hash[0] != 0;
    if (!by_card && check_code_tries(req, resp, id.phone) != 0) return;
    char code[CODE_MAX_LEN + 1];
    if (req->nparams < 1 || !normalise_code(req->params[0], code)) {
        hub_error(resp, 404, "unknown_booking", "there is no booking with this code");
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT (?2 IS NOT NULL AND b.phone_hash = pii_hash('phone', ?2))"
                           " OR (?3 IS NOT NULL AND (" CARD_OWNS_SQL("?3") "))"
                           " OR (?4 IS NOT NULL AND (" HASH_OWNS_SQL("?4") ")), b.status, s.start, s.id"
                           " FROM bookings b JOIN slots s ON s.id = b.slot_id WHERE b.code = ?1",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the booking");
        return;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    if (id.phone) sqlite3_bind_text(st, 2, id.phone, -1, SQLITE_TRANSIENT);
    if (id.id_number[0]) sqlite3_bind_text(st, 3, id.id_number, -1, SQLITE_TRANSIENT);
    if (id.id_hash[0]) sqlite3_bind_text(st, 4, id.id_hash, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        hub_error(resp, 404, "unknown_booking", "there is no booking with this code");
        return;
    }
    /* The resident proves the booking is theirs with what they booked with. */
    bool mine = sqlite3_column_int(st, 0) != 0;
    bool confirmed = strcmp(col_text(st, 1), "confirmed") == 0;
    int64_t start = sqlite3_column_int64(st, 2);
    long long slot_id = sqlite3_column_int64(st, 3);
    sqlite3_finalize(st);
    if (!mine) {
        /* Someone else's booking is as unknown as a missing one. */
        hub_error(resp, 404, "unknown_booking", "there is no booking with this code");
        return;
    }
    req->proof_miss[0] = '\0';           /* proven: not a failed try */
    /* Cancelling again answers like the first time and changes nothing. */
    if (confirmed) {
        if (start <= req->now) {
            hub_error(resp, 409, "booking_past", "this booking's time slot has already started");
            return;
        }
        /* The status transition gates the decrement: a booking gives its
         * place back once, whatever the number of cancel requests. */
        int rc = SQLITE_ERROR;
        if (sqlite3_prepare_v2(req->db, "UPDATE bookings SET status = 'cancelled', cancelled = ?2"
                               " WHERE code = ?1 AND status = 'confirmed'", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, req->now);
            rc = sqlite3_step(st);
            sqlite3_finalize(st);
        }
        if (rc == SQLITE_DONE && sqlite3_changes(req->db) == 1) {
            rc = SQLITE_ERROR;
            if (sqlite3_prepare_v2(req->db, "UPDATE slots SET booked = booked - 1"
                                   " WHERE id = ?1 AND booked > 0", -1, &st, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(st, 1, slot_id);
                rc = sqlite3_step(st);
                sqlite3_finalize(st);
            }
        }
        if (rc != SQLITE_DONE) {
            hub_error(resp, 500, "storage", "cannot cancel the booking");
            return;
        }
    }
    reply_booking(req, resp, 200, code);
}
