/* Help requests (a resident at the kiosk calls staff) and kiosk telemetry
 * (heartbeats). docs/api.md, "Help requests and telemetry", is the contract.
 *
 * Telemetry never carries personal data: a heartbeat holding anything shaped
 * like a phone or ID number (+86 and full-width digits included), a key
 * naming personal data, or what looks like a Chinese name is refused
 * whole, and only the documented fields are stored. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "db.h"
#include "validate.h"

#define HEARTBEAT_INTERVAL_S 60     /* what the kiosk is told; constant so replays compare equal */

/* ---- helpers ------------------------------------------------------------ */

static bool parse_id(const char *s, long long *out)
{
    if (!v_digits(s, 1, 18)) return false;
    *out = strtoll(s, NULL, 10);
    return *out >= 1;
}

/* A mainland mobile number: 11 digits starting with 1. */
static bool phone_ok(const char *s)
{
    return v_digits(s, 11, 11) && s[0] == '1';
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Looks for a run of digits shaped like a mobile number (11 digits starting
 * with 1) or a resident ID number (18 digits, or 17 and X). With SEP, single
 * spaces or hyphens between digits join the run ("138 1234 5678"). A run
 * glued to ASCII letters ("a13812345678f", as in a hex hash) is not a number
 * anyone wrote, so it does not count; CJK text around it does not protect it. */
static bool scan_runs(const char *s, bool sep)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        if (!is_digit(s[i])) { i++; continue; }
        bool glued = i > 0 && is_alnum(s[i - 1]);
        size_t j = i, nd = 0;
        char first = s[i];
        while (j < n) {
            if (is_digit(s[j])) nd++, j++;
            else if (sep && (s[j] == ' ' || s[j] == '-') && j + 1 < n && is_digit(s[j + 1])) j++;
            else break;
        }
        bool x = nd == 17 && j < n && (s[j] == 'X' || s[j] == 'x');
        if (x) j++;
        glued = glued || (j < n && is_alnum(s[j]));
        if (!glued && ((nd == 11 && first == '1') || nd == 18 || x)) return true;
        i = j;
    }
    return false;
}

/* S as the digits a person reads: full-width digits (０-９, U+FF10-FF19),
 * X and plus (＋) become ASCII, the ideographic space and full-width hyphen a
 * space, and the country code (+86, 0086, 86 before a mobile's 1) is
 * dropped, so "+86 138-1234-5678" and "１３８１２３４５６７８" are the
 * runs scan_runs knows. OUT has room for strlen(S) + 1. */
static void normalise_digits(const char *s, char *out)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            out[o++] = (char)('0' + (p[2] - 0x90));
            p += 3;
        } else if ((p[0] == 0xEF && p[1] == 0xBC && p[2] == 0xB8) ||
                   (p[0] == 0xEF && p[1] == 0xBD && p[2] == 0x98)) {
            out[o++] = 'X';                /* an ID number's check letter */
            p += 3;
        } else if (p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8B) {
            out[o++] = '+';
            p += 3;
        } else if ((p[0] == 0xEF && p[1] == 0xBC && p[2] == 0x8D) ||
                   (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)) {
            out[o++] = ' ';
            p += 3;
        } else {
            out[o++] = (char)*p++;
        }
    }
    out[o] = '\0';
    /* Country code: "+86", "0086" or a bare "86" glued to a mobile number. */
    for (size_t i = 0; i < o; i++) {
        size_t cc = 0;
        if (out[i] == '+' && !strncmp(out + i + 1, "86", 2)) cc = 3;
        else if (!strncmp(out + i, "0086", 4) && (i == 0 || !is_digit(out[i - 1]))) cc = 4;
        else if (!strncmp(out + i, "861", 3) && (i == 0 || !is_digit(out[i - 1]))) cc = 2;
        if (!cc) continue;
        size_t j = i + cc;
        while (out[j] == ' ' || out[j] == '-') j++;
        if (out[j] != '1') continue;
        memset(out + i, ' ', j - i);
    }
}

/* The most common Chinese surnames: a short all-Han text starting with one
 * is very likely a name. (A heuristic: telemetry fields are ASCII states and
 * versions, so a false alarm costs one refused heartbeat.) */
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹",
    "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵",
    "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "司马", "诸葛", NULL,
};

/* Is P (UTF-8) a Han ideograph (U+4E00-U+9FFF, three bytes)? */
static bool is_han(const unsigned char *p)
{
    return p[0] >= 0xE4 && p[0] <= 0xE9 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80;
}

/* A Chinese name: the whole text is 2-4 Han characters starting with a
 * common surname, or it carries a label such as "姓名". */
static bool looks_like_name(const char *s)
{
    if (strstr(s, "姓名") || strstr(s, "名字")) return true;
    size_t n = strlen(s);
    if (n < 6 || n > 12 || n % 3) return false;
    for (size_t i = 0; i < n; i += 3)
        if (!is_han((const unsigned char *)s + i)) return false;
    for (int i = 0; surnames[i]; i++)
        if (!strncmp(s, surnames[i], strlen(surnames[i])) && n > strlen(surnames[i])) return true;
    return false;
}

static bool personal_text(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    char stack[256], *norm = n < sizeof stack ? stack : malloc(n + 1);
    if (!norm) return true;               /* cannot look: refuse rather than store */
    normalise_digits(s, norm);
    bool hit = scan_runs(norm, false) || scan_runs(norm, true) || looks_like_name(s);
    if (norm != stack) free(norm);
    return hit;
}

/* Keys that name personal data, whatever their value. */
static bool personal_key(const char *k)
{
    static const char *const keys[] = {"name", "phone", "mobile", "id_number", "idcard", "holder",
                                       "contact", "姓名", "电话", "手机", "身份证", NULL};
    for (int i = 0; k && keys[i]; i++)
        if (!strcmp(k, keys[i])) return true;
    return false;
}

/* True if any key, string or whole number anywhere in J looks like personal
 * data. Numbers count too: 13812345678 is a phone number without quotes. */
static bool personal_json(const cJSON *j)
{
    for (const cJSON *c = j->child; c; c = c->next) {
        if (personal_text(c->string) || personal_key(c->string)) return true;
        if (cJSON_IsString(c) && personal_text(c->valuestring)) return true;
        if (cJSON_IsNumber(c)) {
            double v = fabs(c->valuedouble);
            if (v == floor(v) && ((v >= 1e10 && v < 2e10) || (v >= 1e17 && v < 1e18))) return true;
        }
        if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && personal_json(c)) return true;
    }
    return false;
}

/* {"help": {...}} for a stored request. */
static cJSON *help_json(long long id, long long created, bool acked, long long acknowledged)
{
    cJSON *o = cJSON_CreateObject(), *h = cJSON_AddObjectToObject(o, "help");
    cJSON_AddNumberToObject(h, "id", (double)id);
    cJSON_AddStringToObject(h, "status", acked ? "acknowledged" : "sent");
    cJSON_AddNumberToObject(h, "created", (double)created);
    if (acked) cJSON_AddNumberToObject(h, "acknowledged", (double)acknowledged);
    return o;
}

/* Reads help request ID (only DEVICE's when DEVICE is given) into a reply:
 * 200 with the request, 404 unknown_help, or 500. */
static void reply_help(hub_req_t *req, hub_resp_t *resp, long long id, const char *device)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT created, acknowledged FROM help_requests"
                                    " WHERE id = ?1 AND (?2 IS NULL OR device = ?2)",
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read help requests");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    if (device) sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        hub_reply(resp, 200, help_json(id, sqlite3_column_int64(st, 0),
                                       sqlite3_column_type(st, 1) != SQLITE_NULL,
                                       sqlite3_column_int64(st, 1)));
    else if (rc == SQLITE_DONE)
        hub_error(resp, 404, "unknown_help", "no help request %lld", id);
    else
        hub_error(resp, 500, "storage", "cannot read help requests");
    sqlite3_finalize(st);
}

/* ---- POST /v1/help ------------------------------------------------------ */

void api_help_create(hub_req_t *req, hub_resp_t *resp)
{
    const char *location, *message, *contact;
    if (v_string(resp, req->json, "location", 1, 200, true, &location) != 0) return;
    if (v_string(resp, req->json, "message", 0, 500, false, &message) != 0) return;
    if (v_string(resp, req->json, "contact", 11, 11, false, &contact) != 0) return;
    if (contact && !phone_ok(contact)) {
        hub_error(resp, 422, "invalid_field", "contact must be 11 digits starting with 1");
        return;
    }
    const cJSON *consent = cJSON_GetObjectItemCaseSensitive(req->json, "consent");
    if (consent && !cJSON_IsNull(consent) && !cJSON_IsBool(consent)) {
        hub_error(resp, 422, "invalid_field", "consent must be true or false");
        return;
    }
    /* A phone number is kept only when the resident agreed to be called back. */
    if (contact && !cJSON_IsTrue(consent)) {
        hub_error(resp, 422, "consent_required", "contact may only be sent when consent is true");
        return;
    }
    sqlite3_stmt *st = NULL;
    /* The phone number is sealed at rest (pii.h). */
    if (sqlite3_prepare_v2(req->db, "INSERT INTO help_requests(device, location, message, contact,"
                                    " created) VALUES(?1, ?2, ?3, pii_seal(?4), ?5)", -1, &st,
                           NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot store the help request");
        return;
    }
    sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, location, -1, SQLITE_TRANSIENT);
    if (message) sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
    if (contact) sqlite3_bind_text(st, 4, contact, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, req->now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot store the help request");
        return;
    }
    hub_reply(resp, 201, help_json(sqlite3_last_insert_rowid(req->db), req->now, false, 0));
}

/* ---- GET /v1/help/{id} -------------------------------------------------- */

void api_help_status(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_help", "no help request %s", req->params[0]);
        return;
    }
    /* Another kiosk's request is as unknown as a missing one. */
    reply_help(req, resp, id, req->device.id);
}

/* ---- POST /v1/demo/help/{id}/ack ------------------------------------------ */

/* Staff pressed "on my way". The first acknowledgement time is kept. */
void api_demo_help_ack(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_help", "no help request %s", req->params[0]);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "UPDATE help_requests SET acknowledged = ?2"
                                    " WHERE id = ?1 AND acknowledged IS NULL", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot update the help request");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, req->now);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot update the help request");
        return;
    }
    reply_help(req, resp, id, NULL);
}

/* ---- POST /v1/heartbeat ------------------------------------------------- */

/* Copies the documented fields present in IN to OUT, checking their types.
 * Unknown fields are ignored (and not stored). */
static int heartbeat_fields(hub_resp_t *resp, const cJSON *in, cJSON *out)
{
    static const char *const modes[] = {"hall", "street", NULL};
    /* The last fleet update's outcome (docs/fleet-updates.md "Reporting"). */
    static const char *const outcomes[] = {"updated", "rolled_back", "failed", "current", NULL};
    static const struct { const char *name; size_t max; } texts[] = {
        {"version", 32}, {"screen", 64}, {"content_version", 128},
        {"printer", 32}, {"reader", 32}, {"paper", 32}, {"update_version", 32},
    };
    static const struct { const char *name; long long max; } ints[] = {
        {"uptime_s", 315360000LL},          /* ten years */
        {"queue_depth", 100000LL},
        {"disk_free_mb", 1000000000LL},
        {"mem_kb", 1000000000LL},
        {"interval_s", 86400LL},            /* the kiosk's heartbeat interval (fleet: online) */
        {"dead_letters", 100000LL},         /* outbox requests given up on (fleet: a fault) */
        {"update_command", (1LL << 53)},    /* the update command the outcome answers */
        {"display_w", 8192LL},              /* the kiosk's screen, after rotation (console previews) */
        {"display_h", 8192LL},
    };
    const char *s;
    long long v;
    if (v_enum(resp, in, "mode", modes, false, &s) != 0) return -1;
    if (s) cJSON_AddStringToObject(out, "mode", s);
    if (v_enum(resp, in, "update_outcome", outcomes, false, &s) != 0) return -1;
    if (s) cJSON_AddStringToObject(out, "update_outcome", s);
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        if (v_string(resp, in, texts[i].name, 1, texts[i].max, false, &s) != 0) return -1;
        if (s) cJSON_AddStringToObject(out, texts[i].name, s);
    }
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        if (v_int(resp, in, ints[i].name, 0, ints[i].max, false, -1, &v) != 0) return -1;
        if (v >= 0) cJSON_AddNumberToObject(out, ints[i].name, (double)v);
    }
    return 0;
}

void api_heartbeat(hub_req_t *req, hub_resp_t *resp)
{
    if (personal_json(req->json)) {
        hub_error(resp, 422, "personal_data",
                  "telemetry must not carry personal data (a phone or ID number was found)");
        return;
    }
    cJSON *kept = cJSON_CreateObject();
    if (!kept || heartbeat_fields(resp, req->json, kept) != 0) {
        if (!kept) hub_error(resp, 500, "memory", "out of memory");
        cJSON_Delete(kept);
        return;
    }
    char *body = cJSON_PrintUnformatted(kept);
    cJSON_Delete(kept);
    sqlite3_stmt *st = NULL;
    int rc = body ? sqlite3_prepare_v2(req->db,
        "INSERT INTO heartbeats(device, received, count, body) VALUES(?1, ?2, 1, ?3)"
        " ON CONFLICT(device) DO UPDATE SET received = excluded.received,"
        " count = heartbeats.count + 1, body = excluded.body", -1, &st, NULL) : SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, req->now);
        sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    free(body);
    if (rc == SQLITE_OK) {
        st = NULL;
        rc = sqlite3_prepare_v2(req->db, "UPDATE devices SET last_seen = ?2 WHERE id = ?1", -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, req->device.id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 2, req->now);
            rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot store the heartbeat");
        return;
    }
    /* The kiosk's own interval when it says one (so a test kiosk beating every
     * second is not told to wait a minute); a function of the body, so a
     * replay still compares equal. */
    long long interval = HEARTBEAT_INTERVAL_S;
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(req->json, "interval_s");
    if (cJSON_IsNumber(iv) && iv->valuedouble >= 1 && iv->valuedouble <= 3600)
        interval = (long long)iv->valuedouble;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", true);
    cJSON_AddNumberToObject(o, "interval_s", (double)interval);
    cJSON *cmds = cJSON_AddArrayToObject(o, "commands");
    /* Pending fleet commands go out once: marked delivered in this request's
     * transaction, kept in its stored answer for a retry with the same key. */
    if (api_fleet_take_commands(req, cmds) != 0) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read the kiosk's commands");
        return;
    }
    hub_reply(resp, 200, o);
}

bool api_personal_json(const cJSON *j)
{
    return j && personal_json(j);
}
