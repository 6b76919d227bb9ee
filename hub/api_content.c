/* Content the hub publishes to kiosks (notices, events, library news,
 * lectures, one-stop service guides, display playlists), event registration,
 * and the demo content of Xingfu Li community (幸福里社区).
 *
 * Visibility: an item is listed and fetchable while published <= now and
 * (expires is NULL or now <= expires). List bodies depend only on the rows
 * and on that rule, never on the clock otherwise, so the framework's ETag
 * stays the same while nothing changes. docs/api.d/40-content.md is the
 * contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api.h"
#include "mask.h"
#include "db.h"
#include "log.h"
#include "validate.h"

#define LIST_CAP 200                /* items per list response, documented */
#define DAY (24 * 3600)
#define CST_OFFSET (8 * 3600)       /* China Standard Time, no DST */

static const char *const kinds[] = {"notice", "event", "library", "lecture", "guide", "playlist", NULL};

/* The columns item_json reads, in its order. */
#define ITEM_COLS "id, kind, category, locale, title, body, published, expires, pinned, " \
                  "places, registered, starts, data"
#define VISIBLE "published <= ?9 AND (expires IS NULL OR expires >= ?9)"

/* ---- helpers ------------------------------------------------------------ */

/* A path or query id: 1-18 ASCII digits, value >= 1. */
static bool parse_id(const char *s, long long *out)
{
    if (!v_digits(s, 1, 18)) return false;
    *out = strtoll(s, NULL, 10);
    return *out >= 1;
}

/* 1..MAX bytes, each from [A-Za-z_] (locale) or [a-z0-9_-] (category). */
static bool word_ok(const char *s, size_t max, bool locale)
{
    size_t n = strlen(s);
    if (n < 1 || n > max) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = locale ? ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
                         : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
        if (!ok) return false;
    }
    return true;
}

/* A mainland mobile number: 11 digits starting with 1. */
static bool phone_ok(const char *s)
{
    return v_digits(s, 11, 11) && s[0] == '1';
}

static void add_text(cJSON *o, const char *name, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    cJSON_AddStringToObject(o, name, s ? (const char *)s : "");
}

/* One content row (ITEM_COLS) as the API shows it. Keys always come in the
 * same order, so equal rows give equal bytes. */
static cJSON *item_json(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    add_text(o, "kind", st, 1);
    add_text(o, "category", st, 2);
    add_text(o, "locale", st, 3);
    add_text(o, "title", st, 4);
    add_text(o, "body", st, 5);
    cJSON_AddNumberToObject(o, "published", (double)sqlite3_column_int64(st, 6));
    if (sqlite3_column_type(st, 7) != SQLITE_NULL)
        cJSON_AddNumberToObject(o, "expires", (double)sqlite3_column_int64(st, 7));
    cJSON_AddBoolToObject(o, "pinned", sqlite3_column_int(st, 8) != 0);
    if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
        long long places = sqlite3_column_int64(st, 9), registered = sqlite3_column_int64(st, 10);
        cJSON_AddNumberToObject(o, "places", (double)places);
        cJSON_AddNumberToObject(o, "left", (double)(places > registered ? places - registered : 0));
    }
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        cJSON_AddNumberToObject(o, "starts", (double)sqlite3_column_int64(st, 11));
    const unsigned char *data = sqlite3_column_text(st, 12);
    if (data) {
        /* Stored as text, served as JSON: a row whose data does not parse is
         * an operator error; the item is still shown, without "data". */
        cJSON *d = cJSON_Parse((const char *)data);
        if (d) cJSON_AddItemToObject(o, "data", d);
        else hub_log("content", "item %lld: data is not valid JSON", (long long)sqlite3_column_int64(st, 0));
    }
    return o;
}

/* ---- GET /v1/content ---------------------------------------------------- */

void api_content_list(hub_req_t *req, hub_resp_t *resp)
{
    const char *kind = hub_query(req, "kind");
    const char *locale = hub_query(req, "locale");
    const char *category = hub_query(req, "category");
    const char *since = hub_query(req, "since");
    /* kind defaults to notice, the list the attract loop shows; an empty or
     * unknown kind is an error. */
    if (!kind) kind = "notice";
    bool known = false;
    for (int i = 0; kinds[i]; i++) known = known || strcmp(kind, kinds[i]) == 0;
    if (!known) {
        hub_error(resp, 422, "invalid_field",
                  "kind must be one of: notice, event, library, lecture, guide, playlist");
        return;
    }
    if (!locale) locale = "zh_CN";
    if (!word_ok(locale, 16, true)) {
        hub_error(resp, 422, "invalid_field", "locale must be 1 to 16 of A-Z a-z _");
        return;
    }
    if (category && !word_ok(category, 32, false)) {
        hub_error(resp, 422, "invalid_field", "category must be 1 to 32 of a-z 0-9 _ -");
        return;
    }
    long long since_v = 0;
    if (since && !v_digits(since, 1, 18)) {
        hub_error(resp, 422, "invalid_field", "since must be a Unix time (digits)");
        return;
    }
    if (since) since_v = strtoll(since, NULL, 10);

    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "SELECT " ITEM_COLS " FROM content WHERE kind = ?1 AND locale = ?2"
            " AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR published > ?4)"
            " AND " VISIBLE
            " ORDER BY pinned DESC, published DESC, id DESC LIMIT ?5", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, locale, -1, SQLITE_TRANSIENT);
    if (category) sqlite3_bind_text(st, 3, category, -1, SQLITE_TRANSIENT);
    if (since) sqlite3_bind_int64(st, 4, since_v);
    sqlite3_bind_int(st, 5, LIST_CAP);
    sqlite3_bind_int64(st, 9, req->now);

    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *it = item_json(st);
        if (!it || !cJSON_AddItemToArray(items, it)) {     /* out of memory */
            cJSON_Delete(it);
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(o);
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    hub_reply(resp, 200, o);
}

/* ---- GET /v1/content/{id} ----------------------------------------------- */

void api_content_get(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_content", "no content %s", req->params[0]);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db, "SELECT " ITEM_COLS " FROM content WHERE id = ?1 AND " VISIBLE,
                           -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read content");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 9, req->now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cJSON *it = item_json(st);
        if (it) hub_reply(resp, 200, it);
        else hub_error(resp, 500, "memory", "out of memory");
    } else if (rc == SQLITE_DONE) {
        hub_error(resp, 404, "unknown_content", "no content %lld", id);
    } else {
        hub_error(resp, 500, "storage", "cannot read content");
    }
    sqlite3_finalize(st);
}

/* ---- POST /v1/events/{id}/registrations --------------------------------- */

/* Steps SQL once with ?1 = ID and, when TEXT is given, ?2 = TEXT. Returns
 * the step result; on SQLITE_ROW, *OUT (if given) gets column 0. */
static int step_once(sqlite3 *db, const char *sql, long long id, const char *text, long long *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_int64(st, 1, id);
    if (text) sqlite3_bind_text(st, 2, text, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && out) *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}

/* Places are taken with a guarded UPDATE (registered < places) whose change
 * count decides, so even outside the framework's IMMEDIATE transaction two
 * requests can never both take the last place; the schema's CHECK and
 * UNIQUE(content_id, phone) back this up. Sign-ups taken at the service
 * centre desk are counted in content.registered without a row here. */
void api_event_register(hub_req_t *req, hub_resp_t *resp)
{
    long long id;
    if (!parse_id(req->params[0], &id)) {
        hub_error(resp, 404, "unknown_event", "no event %s", req->params[0]);
        return;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(req->db,
            "SELECT starts FROM content WHERE id = ?1 AND kind IN ('event', 'lecture')"
            " AND places IS NOT NULL AND " VISIBLE, -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 9, req->now);
    int rc = sqlite3_step(st);
    bool has_start = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    long long starts = has_start ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        hub_error(resp, 404, "unknown_event", "no event %lld takes registrations", id);
        return;
    }
    if (rc != SQLITE_ROW) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }

    const char *name, *phone;
    if (v_string(resp, req->json, "name", 1, 32, true, &name) != 0) return;
    if (strspn(name, " \t") == strlen(name)) {
        hub_error(resp, 422, "invalid_field", "name must not be blank");
        return;
    }
    if (v_string(resp, req->json, "phone", 11, 11, true, &phone) != 0) return;
    if (!phone_ok(phone)) {
        hub_error(resp, 422, "invalid_field", "phone must be 11 digits starting with 1");
        return;
    }
    if (has_start && starts < req->now) {
        hub_error(resp, 409, "event_past", "event %lld has already started", id);
        return;
    }
    rc = step_once(req->db, "SELECT 1 FROM event_registrations WHERE content_id = ?1 AND phone = ?2",
                   id, phone, NULL);
    if (rc == SQLITE_ROW) {
        hub_error(resp, 409, "already_registered", "this phone number is already registered");
        return;
    }
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot read registrations");
        return;
    }
    if (step_once(req->db, "UPDATE content SET registered = registered + 1"
                           " WHERE id = ?1 AND registered < places", id, NULL, NULL) != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot take a place");
        return;
    }
    if (sqlite3_changes(req->db) != 1) {
        hub_error(resp, 409, "event_full", "event %lld has no places left", id);
        return;
    }

    long long reg_id = 0;
    if (sqlite3_prepare_v2(req->db,
            "INSERT INTO event_registrations(content_id, device, name, phone, created)"
            " VALUES(?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK) {
        hub_error(resp, 500, "storage", "cannot store the registration");
        return;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, req->device.id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, phone, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, req->now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT) {
        hub_error(resp, 409, "already_registered", "this phone number is already registered");
        return;
    }
    if (rc != SQLITE_DONE) {
        hub_error(resp, 500, "storage", "cannot store the registration");
        return;
    }
    reg_id = sqlite3_last_insert_rowid(req->db);
    long long left = -1;
    rc = step_once(req->db, "SELECT places - registered FROM content WHERE id = ?1", id, NULL, &left);
    if (rc != SQLITE_ROW || left < 0) {
        hub_error(resp, 500, "storage", "cannot read the event");
        return;
    }
    char masked[64], mphone[16];
    mask_name(name, masked, sizeof masked);
    mask_phone(phone, mphone, sizeof mphone);
    cJSON *o = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(o, "registration");
    cJSON_AddNumberToObject(r, "id", (double)reg_id);
    cJSON_AddNumberToObject(r, "content_id", (double)id);
    cJSON_AddStringToObject(r, "name", masked);
    cJSON_AddStringToObject(r, "phone", mphone);
    cJSON_AddNumberToObject(o, "left", (double)left);
    hub_reply(resp, 201, o);
}

/* ---- demo content --------------------------------------------------------- */

/* Offsets from the seed day's midnight (China time): day D at HH:MM. */
#define T(d, h, m) ((d) * DAY + (h) * 3600 + (m) * 60)

typedef struct {
    const char *steps[6];
    const char *bring[7];
    const char *where, *hours, *phone, *fee;
} guide_t;

typedef struct {
    const char *title, *body;
    const guide_t *guide;           /* guides only */
} text_t;

typedef struct {
    int id;                         /* the zh_CN item; its en twin is id + 100 */
    const char *kind, *category;
    int published;                  /* offsets (T); published is always < 0 */
    int expires, starts;            /* 0 = none */
    bool pinned;
    int places, registered;         /* places 0 = no registration */
    text_t zh, en;
} seed_t;

#define HOURS_ZH "周一至周五 9:00–12:00，13:30–17:00（法定节假日除外）"
#define HOURS_EN "Monday to Friday 9:00–12:00 and 13:30–17:00 (closed on public holidays)"
#define CENTRE_ZH "幸福里社区党群服务中心一楼"
#define CENTRE_EN "Xingfu Li Community Service Centre, ground floor"

static const guide_t g_permit_zh = {
    {"到综合窗口领取并填写《居住证申领登记表》", "提交材料，工作人员核对后现场拍照",
     "派出所在15个工作日内制证", "凭回执到原窗口领取居住证"},
    {"本人身份证原件及复印件", "居住证明：房产证或已备案的租房合同",
     "就业或就读证明：劳动合同、营业执照或学校证明（任选其一）"},
    CENTRE_ZH " 综合窗口2号", HOURS_ZH, "6123 4502", "免费"};
static const guide_t g_permit_en = {
    {"Fill in the residence permit application form at the general counter",
     "Hand in your documents; staff check them and take your photo",
     "The police station makes the permit within 15 working days",
     "Collect the permit at the same counter with your receipt"},
    {"Your ID card and a copy", "Proof of address: property certificate or registered tenancy contract",
     "Proof of work or study: employment contract, business licence or school certificate (one)"},
    CENTRE_EN ", general counter 2", HOURS_EN, "6123 4502", "Free"};
static const guide_t g_senior_zh = {
    {"到综合窗口提出申请", "现场核验身份并采集照片", "约10个工作日后到窗口领取，或选择邮寄到家"},
    {"本人身份证原件", "户口本或居住证", "近期一寸白底免冠照片1张（可现场拍照）",
     "子女代办的，另带代办人身份证"},
    CENTRE_ZH " 综合窗口1号", HOURS_ZH, "6123 4501", "免费"};
static const guide_t g_senior_en = {
    {"Apply at the general counter", "Staff check your identity and take your photo",
     "Collect the card after about 10 working days, or have it posted home"},
    {"Your ID card", "Household register or residence permit",
     "One recent 1-inch photo on white (or have it taken there)",
     "A family member applying for you also brings their own ID card"},
    CENTRE_EN ", general counter 1", HOURS_EN, "6123 4501", "Free"};
static const guide_t g_medical_zh = {
    {"整理发票、费用明细和病历", "到医保窗口提交材料，工作人员初审",
     "医保中心审核，约20个工作日", "报销款打入本人社保卡金融账户"},
    {"社保卡", "本人身份证原件", "医疗费用发票原件", "费用明细清单", "门诊病历或出院小结",
     "异地就医的，另带异地就医备案证明"},
    CENTRE_ZH " 医保窗口4号", HOURS_ZH, "6123 4504；医保服务热线12393", "免费"};
static const guide_t g_medical_en = {
    {"Gather your invoices, itemised bills and medical records",
     "Hand them in at the medical insurance counter for a first check",
     "The medical insurance centre reviews them in about 20 working days",
     "The money is paid into your social security card's bank account"},
    {"Social security card", "Your ID card", "Original invoices", "Itemised list of charges",
     "Outpatient record or discharge summary", "For treatment in another city: the registration for it"},
    CENTRE_EN ", medical insurance counter 4", HOURS_EN,
    "6123 4504; medical insurance hotline 12393", "Free"};
static const guide_t g_sscard_zh = {
    {"拨打12333或到窗口办理挂失", "到社保窗口提交补办申请并现场拍照", "窗口即时制卡，约20分钟可取"},
    {"本人身份证原件", "损坏的旧卡（如有）"},
    CENTRE_ZH " 社保窗口3号", HOURS_ZH, "6123 4503；社保服务热线12333", "补办免收工本费"};
static const guide_t g_sscard_en = {
    {"Report the loss on 12333 or at the counter", "Apply for a new card at the social security counter; your photo is taken there",
     "The card is made on the spot in about 20 minutes"},
    {"Your ID card", "The damaged card, if you have it"},
    CENTRE_EN ", social security counter 3", HOURS_EN,
    "6123 4503; social security hotline 12333", "No fee for a replacement"};

static const seed_t seeds[] = {
    /* notices: community, government, alert */
    {101, "notice", "government", T(-20, 9, 0), 0, 0, true, 0, 0,
     {"供暖季11月15日开始",
      "幸福里社区本年度供暖自11月15日起至次年3月15日止。如室温低于18℃或暖气不热，"
      "请拨打供暖服务热线6123 4567（24小时）。", NULL},
     {"Heating season starts 15 November",
      "Heating in Xingfu Li Community runs from 15 November to 15 March. If your rooms stay "
      "below 18 °C or the radiators are cold, call the heating service hotline 6123 4567 (24 hours).",
      NULL}},
    {102, "notice", "alert", T(-1, 17, 30), T(2, 20, 0), 0, false, 0, 0,
     {"寒潮蓝色预警",
      "市气象台发布寒潮蓝色预警：未来48小时气温将下降8至10℃，并伴有5至6级偏北风。"
      "请关好门窗，收好阳台和窗台上的物品；老年人和儿童尽量减少外出；"
      "使用燃气取暖时注意通风，谨防一氧化碳中毒。", NULL},
     {"Cold wave warning (blue)",
      "The city weather service warns of a cold wave: over the next 48 hours temperatures will "
      "drop by 8 to 10 °C, with strong northerly winds. Close your windows and take things off "
      "balconies and window sills; older people and children should stay indoors if they can. "
      "If you heat with gas, keep the room ventilated against carbon monoxide.", NULL}},
    {103, "notice", "community", T(-2, 10, 0), 0, 0, false, 0, 0,
     {"二次供水水箱清洗",
      "为保障饮用水卫生，本季度将清洗消毒二次供水水箱。清洗期间1至8号楼暂停供水约6小时，"
      "具体日期见各单元门口公告，请提前储水。", NULL},
     {"Water tank cleaning: short water cut",
      "The building water tanks are cleaned and disinfected this quarter. Buildings 1-8 will "
      "have no water for about 6 hours; the date is posted at each entrance. Please store some "
      "water in advance.", NULL}},
    {104, "notice", "community", T(-6, 9, 0), 0, 0, false, 0, 0,
     {"60岁以上居民免费测血压",
      "每周二上午8:30至11:30，幸福里社区卫生服务站为60岁以上居民免费测量血压和血糖。"
      "请携带身份证或社保卡。", NULL},
     {"Free blood pressure checks for 60+",
      "Every Tuesday from 8:30 to 11:30, the Xingfu Li Community Health Station checks blood "
      "pressure and blood sugar free of charge for residents aged 60 and over. Please bring "
      "your ID card or social security card.", NULL}},
    {105, "notice", "government", T(-9, 15, 0), 0, 0, false, 0, 0,
     {"厨余垃圾定时定点投放",
      "幸福里社区实行厨余垃圾定时定点投放：每天7:00至9:00、18:00至20:00在各楼下投放点投放，"
      "其他时间请投放至小区东门集中投放点。请沥干水分、去除包装后投放。", NULL},
     {"Food waste: set times and places",
      "Food waste goes to the bins by each building from 7:00 to 9:00 and from 18:00 to 20:00; "
      "at other times use the collection point at the east gate. Please drain it and remove "
      "any packaging first.", NULL}},
    {106, "notice", "community", T(-4, 11, 0), 0, 0, false, 0, 0,
     {"电动自行车禁止入楼充电",
      "为消除火灾隐患，电动自行车及其电池禁止进入楼道、电梯和住户家中充电。"
      "请使用小区北门集中充电棚，扫码充电，每4小时1元。", NULL},
     {"No e-bike charging indoors",
      "To prevent fires, e-bikes and their batteries must not be charged in stairwells, lifts "
      "or flats. Please use the charging shed by the north gate: scan to charge, 1 yuan per "
      "4 hours.", NULL}},
    {107, "notice", "government", T(-12, 9, 0), 0, 0, false, 0, 0,
     {"城乡居民医保缴费提醒",
      "下一年度城乡居民医保集中缴费正在进行，截止日期为12月31日。可在社区党群服务中心一楼"
      "医保窗口、社区自助终端或银行网点缴纳，次年1月1日起享受待遇。", NULL},
     {"Reminder: residents' medical insurance",
      "Payment for next year's residents' medical insurance is open until 31 December. Pay at "
      "the medical insurance counter of the community service centre, at the self-service "
      "kiosk or at a bank; cover starts on 1 January.", NULL}},
    {108, "notice", "community", T(-3, 16, 0), 0, 0, false, 0, 0,
     {"冬季志愿者招募",
      "社区招募冬季扫雪和助老送餐志愿者，每次服务约2小时，计入志愿服务时长。"
      "报名请到社区党群服务中心一楼服务台，或拨打6123 4500。", NULL},
     {"Volunteers wanted this winter",
      "The community is looking for volunteers to clear snow and deliver meals to older "
      "residents, about 2 hours at a time, counted as volunteer hours. Sign up at the front "
      "desk of the community service centre or call 6123 4500.", NULL}},

    /* events: places and start times in the coming weeks */
    {111, "event", "culture", T(-5, 10, 0), T(5, 16, 30), T(5, 14, 30), false, 40, 23,
     {"社区敬老茶话会",
      "社区邀请70岁以上老人参加敬老茶话会，有茶点、戏曲表演和集体生日会。"
      "地点：社区活动中心二楼多功能厅。行动不便的老人可由家属陪同。", NULL},
     {"Tea party for older residents",
      "Residents aged 70 and over are invited to a tea party with snacks, opera songs and a "
      "shared birthday celebration, in the multi-purpose hall on the second floor of the "
      "community activity centre. Family members may come along.", NULL}},
    {112, "event", "digital", T(-7, 9, 0), T(3, 11, 0), T(3, 9, 30), false, 20, 14,
     {"智能手机使用课",
      "手把手教老年朋友使用智能手机：视频通话、扫码乘车、网上挂号和识别诈骗短信。"
      "共4次课，每次90分钟，请带上自己的手机。地点：社区活动中心二楼电脑室。", NULL},
     {"Smartphone class",
      "Step-by-step help for older residents: video calls, paying for the bus by QR code, "
      "booking a doctor online and spotting scam messages. Four 90-minute lessons; bring your "
      "own phone. Computer room, second floor of the community activity centre.", NULL}},
    {113, "event", "health", T(-3, 9, 0), T(10, 11, 30), T(10, 8, 30), false, 60, 31,
     {"社区义诊",
      "幸福里社区卫生服务站联合区人民医院开展义诊：内科、眼科、口腔科和中医科医生现场咨询，"
      "免费测量血压、血糖。地点：小区中心广场（雨雪天改在社区活动中心一楼）。", NULL},
     {"Free health check day",
      "Doctors from the community health station and the district hospital (internal "
      "medicine, eyes, teeth, Chinese medicine) give free advice and check blood pressure and "
      "blood sugar, in the central square (in rain or snow: ground floor of the community "
      "activity centre).", NULL}},
    {114, "event", "culture", T(-2, 14, 0), T(8, 17, 0), T(8, 15, 0), false, 12, 9,
     {"书法班",
      "社区书法班招新：由区书法家协会会员授课，从楷书基础学起，每周四下午一次。"
      "笔墨纸砚由社区提供。地点：社区活动中心三楼书画室。", NULL},
     {"Calligraphy class",
      "A member of the district calligraphers' association teaches regular script from the "
      "basics, every Thursday afternoon. Brushes, ink and paper are provided. Painting room, "
      "third floor of the community activity centre.", NULL}},

    /* library */
    {121, "library", "books", T(-8, 10, 0), 0, 0, false, 0, 0,
     {"社区图书室新书上架",
      "社区图书室本月新到图书200余册，包括大字版读物和少儿绘本。"
      "每周六上午10:00为亲子阅读时间，欢迎参加。", NULL},
     {"New books at the community library",
      "More than 200 new books have arrived this month, including large-print editions and "
      "picture books for children. Family reading hour is every Saturday at 10:00.", NULL}},
    {122, "library", "reading", T(-10, 9, 0), 0, 0, false, 0, 0,
     {"周六亲子阅读时间",
      "每周六上午10:00至11:00，志愿者在社区图书室为3至8岁儿童讲绘本故事，家长陪同参加，无需报名。",
      NULL},
     {"Saturday family reading hour",
      "Every Saturday from 10:00 to 11:00, volunteers read picture books with children aged "
      "3 to 8 in the community library. Parents come along; no need to sign up.", NULL}},
    {123, "library", "books", T(-15, 9, 0), 0, 0, false, 0, 0,
     {"大字版图书专架",
      "图书室新设大字版图书专架，收录养生保健、历史文化和经典小说等300余册，"
      "并备有放大镜和老花镜供阅读时使用。", NULL},
     {"Large-print shelf",
      "The library has a new shelf of more than 300 large-print books on health, history and "
      "classic novels, with magnifiers and reading glasses to use while you read.", NULL}},
    {124, "library", "hours", T(-11, 9, 0), 0, 0, false, 0, 0,
     {"图书室冬季开放时间",
      "冬季（12月至次年2月）社区图书室开放时间：周二至周日9:00–11:30、14:00–17:00，周一闭馆。"
      "凭社保卡或身份证免费借书，每次最多3册，借期30天。", NULL},
     {"Library winter opening hours",
      "From December to February the community library is open Tuesday to Sunday, "
      "9:00–11:30 and 14:00–17:00, closed on Mondays. Borrow free with your social security "
      "card or ID card: up to 3 books for 30 days.", NULL}},

    /* lectures */
    {131, "lecture", "safety", T(-4, 9, 0), T(6, 16, 0), T(6, 14, 30), false, 80, 35,
     {"防范电信网络诈骗讲座",
      "社区民警讲解针对老年人的常见电话和网络诈骗：冒充公检法、保健品推销、“以房养老”投资等，"
      "并现场帮助安装国家反诈中心APP。地点：社区活动中心二楼。欢迎居民和家属一同参加。", NULL},
     {"Talk: how to avoid phone and online scams",
      "The community police officer explains the scams that most often target older people "
      "(fake police or court calls, health product sales, \"house for pension\" schemes) and "
      "helps install the national anti-fraud app. Second floor of the community activity "
      "centre; residents and their families are welcome.", NULL}},
    {132, "lecture", "health", T(-1, 10, 0), T(13, 11, 0), T(13, 9, 30), false, 50, 12,
     {"老年人健康饮食讲座",
      "社区卫生服务站营养师讲解老年人冬季饮食：少盐少油、优质蛋白、补充钙和维生素D预防跌倒，"
      "以及糖尿病、高血压患者的饮食注意事项。", NULL},
     {"Talk: healthy eating for older people",
      "The community health station's dietitian talks about eating well in winter: less salt "
      "and oil, good protein, calcium and vitamin D against falls, and what to watch with "
      "diabetes or high blood pressure.", NULL}},
    {133, "lecture", "safety", T(-2, 9, 0), T(17, 12, 0), T(17, 10, 0), false, 0, 0,
     {"消防安全知识讲座",
      "消防救援站指战员讲解冬季家庭防火、电动自行车充电安全和灭火器使用，"
      "并在小区广场进行疏散演练。无需报名，欢迎参加。", NULL},
     {"Talk: fire safety at home",
      "Firefighters from the local station talk about fire safety at home in winter, safe "
      "e-bike charging and using an extinguisher, followed by an evacuation drill in the "
      "square. No need to sign up; all welcome.", NULL}},

    /* one-stop service guides (一站式服务) */
    {141, "guide", "one_stop", T(-30, 9, 0), 0, 0, false, 0, 0,
     {"居住证办理",
      "在本市居住满半年、有合法稳定住所、合法稳定就业或连续就读的非本市户籍居民，可申领居住证。",
      &g_permit_zh},
     {"Residence permit",
      "Residents without local household registration who have lived here for six months, with "
      "a stable home and a job or school place, can apply for a residence permit.", &g_permit_en}},
    {142, "guide", "one_stop", T(-30, 9, 10), 0, 0, false, 0, 0,
     {"老年优待证",
      "年满60周岁的本市户籍老人和持居住证的常住老人可申办老年优待证，凭证免费乘坐公交、免费进入公园。",
      &g_senior_zh},
     {"Senior citizen card",
      "Residents aged 60 and over (local household registration or residence permit) can get a "
      "senior card: free buses and free entry to parks.", &g_senior_en}},
    {143, "guide", "one_stop", T(-30, 9, 20), 0, 0, false, 0, 0,
     {"医保报销",
      "在外地就医或未能直接结算的医疗费用，可在社区医保窗口申请报销。", &g_medical_zh},
     {"Medical insurance reimbursement",
      "Medical costs that were not settled directly, such as treatment in another city, can be "
      "claimed at the community's medical insurance counter.", &g_medical_en}},
    {144, "guide", "one_stop", T(-30, 9, 30), 0, 0, false, 0, 0,
     {"社保卡补办",
      "社保卡丢失或损坏的，先挂失再补办，补办后原卡作废。", &g_sscard_zh},
     {"Replacing a social security card",
      "If your social security card is lost or damaged, report it first, then get a new one; "
      "the old card stops working.", &g_sscard_en}},

    /* display playlists (data built by playlist_data) */
    {151, "playlist", "hall", T(-1, 8, 0), 0, 0, false, 0, 0,
     {"服务大厅屏幕", "服务大厅显示屏：办公时间内轮播置顶通知、办事指南和近期活动。", NULL},
     {"Service hall screen", "The service hall screen: pinned notices, service guides and "
      "coming events during opening hours.", NULL}},
    {152, "playlist", "street", T(-1, 8, 0), 0, 0, false, 0, 0,
     {"东门街面屏", "小区东门街面屏：早晚及夜间轮播预警、通知和活动。", NULL},
     {"East gate street screen", "The street screen at the east gate: warnings, notices and "
      "events in the morning, evening and night.", NULL}},
};

typedef struct { int id, duration_s; } pl_item_t;

static const pl_item_t hall_items[] = {
    {101, 20}, {141, 30}, {142, 30}, {143, 30}, {144, 30}, {111, 15}, {112, 15}, {131, 15}, {121, 10},
};
static const pl_item_t street_items[] = {
    {102, 20}, {101, 15}, {106, 15}, {105, 15}, {113, 15}, {111, 15}, {133, 15},
};

static cJSON *strings(const char *const *s, int max)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < max && s[i]; i++) cJSON_AddItemToArray(a, cJSON_CreateString(s[i]));
    return a;
}

static char *guide_data(const guide_t *g)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "steps", strings(g->steps, 6));
    cJSON_AddItemToObject(o, "bring", strings(g->bring, 7));
    cJSON_AddStringToObject(o, "where", g->where);
    cJSON_AddStringToObject(o, "hours", g->hours);
    cJSON_AddStringToObject(o, "phone", g->phone);
    cJSON_AddStringToObject(o, "fee", g->fee);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* YYYY-MM-DD (China time) of Unix time T. */
static void cst_date(int64_t t, char out[11])
{
    time_t ct = (time_t)(t + CST_OFFSET);
    struct tm tm;
    gmtime_r(&ct, &tm);
    if (strftime(out, 11, "%Y-%m-%d", &tm) != 10) out[0] = '\0';
}

static void add_window(cJSON *windows, const char *from, const char *to)
{
    cJSON *w = cJSON_CreateObject();
    cJSON_AddStringToObject(w, "from", from);
    cJSON_AddStringToObject(w, "to", to);
    cJSON_AddItemToArray(windows, w);
}

/* The playlist format of docs/api.d/40-content.md: the hall screen runs in
 * the service centre's opening hours (Monday to Saturday); the street screen
 * runs every day, mornings and from the afternoon until 00:30 (a window past
 * midnight). Valid from a week before to 90 days after the seed day. */
static char *playlist_data(const char *screen, int id_offset, int64_t base)
{
    bool hall = strcmp(screen, "hall") == 0;
    const pl_item_t *items = hall ? hall_items : street_items;
    int n = hall ? (int)(sizeof hall_items / sizeof *hall_items)
                 : (int)(sizeof street_items / sizeof *street_items);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "screen", screen);
    cJSON_AddStringToObject(o, "time_zone", "Asia/Shanghai");
    cJSON *arr = cJSON_AddArrayToObject(o, "items");
    for (int i = 0; i < n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "content_id", items[i].id + id_offset);
        cJSON_AddNumberToObject(it, "duration_s", items[i].duration_s);
        cJSON_AddItemToArray(arr, it);
    }
    cJSON *sch = cJSON_AddObjectToObject(o, "schedule");
    static const int all_days[] = {1, 2, 3, 4, 5, 6, 7};
    cJSON_AddItemToObject(sch, "weekdays", cJSON_CreateIntArray(all_days, hall ? 6 : 7));
    cJSON *win = cJSON_AddArrayToObject(sch, "windows");
    if (hall) {
        add_window(win, "08:30", "12:00");
        add_window(win, "13:30", "18:00");
    } else {
        add_window(win, "06:30", "09:00");
        add_window(win, "16:30", "00:30");
    }
    char from[11], to[11];
    cst_date(base - 7 * DAY, from);
    cst_date(base + 90 * DAY, to);
    cJSON_AddStringToObject(sch, "from_date", from);
    cJSON_AddStringToObject(sch, "to_date", to);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static int insert_seed(sqlite3_stmt *st, const seed_t *s, const text_t *tx, const char *locale,
                       int id_offset, int64_t base)
{
    char *data = NULL;
    if (tx->guide) data = guide_data(tx->guide);
    else if (strcmp(s->kind, "playlist") == 0) data = playlist_data(s->category, id_offset, base);
    if ((tx->guide || strcmp(s->kind, "playlist") == 0) && !data) return -1;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    sqlite3_bind_int(st, 1, s->id + id_offset);
    sqlite3_bind_text(st, 2, s->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, s->category, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, locale, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, tx->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, tx->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, base + s->published);
    if (s->expires) sqlite3_bind_int64(st, 8, base + s->expires);
    sqlite3_bind_int(st, 9, s->pinned);
    if (s->places) {
        sqlite3_bind_int(st, 10, s->places);
        sqlite3_bind_int(st, 11, s->registered);
    }
    if (s->starts) sqlite3_bind_int64(st, 12, base + s->starts);
    if (data) sqlite3_bind_text(st, 13, data, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    free(data);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Seeds the demo content once, into an empty content table. All times are
 * offsets from midnight (China time) of the day NOW falls on: hubs seeded on
 * the same day hold the same bytes, published times are in the past and
 * events start in the coming days. Returns 0, or -1 (nothing written). */
int demo_seed_content(sqlite3 *db, int64_t now)
{
    long long have = db_int(db, "SELECT COUNT(*) FROM content", NULL, -1);
    if (have != 0) return have > 0 ? 0 : -1;
    int64_t base = now - (((now + CST_OFFSET) % DAY) + DAY) % DAY;
    sqlite3_stmt *st = NULL;
    if (db_exec(db, "BEGIN IMMEDIATE") != 0) return -1;
    int rc = sqlite3_prepare_v2(db,
        "INSERT INTO content(id, kind, category, locale, title, body, published, expires, pinned,"
        " places, registered, starts, data) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " coalesce(?11, 0), ?12, ?13)", -1, &st, NULL) == SQLITE_OK ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < sizeof seeds / sizeof *seeds; i++) {
        rc = insert_seed(st, &seeds[i], &seeds[i].zh, "zh_CN", 0, base);
        if (rc == 0) rc = insert_seed(st, &seeds[i], &seeds[i].en, "en", 100, base);
    }
    sqlite3_finalize(st);
    if (rc != 0 || db_exec(db, "COMMIT") != 0) {
        hub_log("content", "demo seed failed: %s", sqlite3_errmsg(db));
        db_exec(db, "ROLLBACK");
        return -1;
    }
    return 0;
}
