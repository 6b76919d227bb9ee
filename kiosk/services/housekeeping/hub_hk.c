/* The kiosk's client of the hub's housekeeping endpoints (docs/api.md
 * "Housekeeping"): the pure parsers of its answers, then the calls over the
 * shared transport (net/http.c), which keeps a 4xx body too: a 409
 * slot_full carries the other free slots.
 *
 * Error texts name fields, never their values: safe to log. */
#include "services/housekeeping/hub_hk.h"

#include <cJSON.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "mask.h"
#include "rescode.h"
#include "net/http.h"
#include "net/jsonread.h"

#define MOD "hub_hk"
#define BODY_MAX (1024 * 1024)

/* ---- check-in codes ------------------------------------------------------- */

bool hub_hk_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n == HUB_HK_CODE_DIGITS)
        return code[0] != '0' && strspn(code, "0123456789") == HUB_HK_CODE_DIGITS;
    return n == HUB_HK_CODE_LEN && strspn(code, HUB_HK_OLD_ALPHABET) == HUB_HK_CODE_LEN;
}

void hub_hk_code_show(const char *code, char *out, size_t len)
{
    if (strlen(code) == HUB_HK_CODE_DIGITS) snprintf(out, len, "%.3s %s", code, code + 3);
    else snprintf(out, len, "%s", code);
}

/* ---- parsing helpers ------------------------------------------------------ */

/* {"zh", "en"} into two buffers. */
static int get_names(const cJSON *o, const char *path, const char *key, char *zh, char *en,
                     size_t size, jr_err_t *e)
{
    char p[96];
    const cJSON *n = jr_obj(o, path, key, e);
    if (!n) return -1;
    snprintf(p, sizeof p, "%s%s%s", path, path[0] ? "." : "", key);
    return jr_str(n, p, "zh", zh, size, e) || jr_str(n, p, "en", en, size, e) ? -1 : 0;
}

/* Masks BUF with MASK when it holds no '*' (the hub masks; belt and braces). */
static int mask_again(char *buf, size_t size, void (*mask)(const char *, char *, size_t))
{
    if (!buf[0] || strchr(buf, '*')) return 0;
    char tmp[128];
    mask(buf, tmp, sizeof tmp);
    size_t n = strlen(tmp);
    if (n >= size) n = size - 1;           /* never: a mask is no longer than its input */
    sodium_memzero(buf, size);
    memcpy(buf, tmp, n);
    return 0;
}

static int parse_slot(const cJSON *o, const char *path, hub_hk_slot_t *s, jr_err_t *e)
{
    long long v;
    memset(s, 0, sizeof *s);
    if (!cJSON_IsObject(o)) return jr_fail(e, path, "", "not an object");
    if (jr_int(o, path, "id", 1, JR_INT_MAX, &s->id, e)) return -1;
    if (jr_int(o, path, "start", 0, 1LL << 40, &v, e)) return -1;
    s->start = (time_t)v;
    if (jr_int(o, path, "end", 0, 1LL << 40, &v, e)) return -1;
    s->end = (time_t)v;
    if (s->end < s->start) return jr_fail(e, path, "end", "before start");
    char p[96];
    snprintf(p, sizeof p, "%s.provider", path);
    const cJSON *pr = jr_obj(o, path, "provider", e);
    if (!pr || jr_int(pr, p, "id", 1, JR_INT_MAX, &s->provider_id, e) ||
        jr_str(pr, p, "name", s->provider, sizeof s->provider, e))
        return -1;
    if (jr_int(o, path, "capacity", 1, 1000000, &v, e)) return -1;
    s->capacity = (int)v;
    if (jr_int(o, path, "left", 0, s->capacity, &v, e)) return -1;
    s->left = (int)v;
    return 0;
}

static int parse_booking(const cJSON *o, const char *path, hub_hk_booking_t *b, jr_err_t *e)
{
    char p[96], status[16];
    long long v;
    memset(b, 0, sizeof *b);
    if (!cJSON_IsObject(o)) return jr_fail(e, path, "", "not an object");
    if (jr_str(o, path, "code", b->code, sizeof b->code, e)) return -1;
    if (!hub_hk_code_valid(b->code)) return jr_fail(e, path, "code", "not a check-in code");
    snprintf(p, sizeof p, "%s.slot", path);
    const cJSON *sl = jr_obj(o, path, "slot", e);
    if (!sl || parse_slot(sl, p, &b->slot, e)) return -1;
    if (jr_str(o, path, "service_id", b->service_id, sizeof b->service_id, e) ||
        get_names(o, path, "service_name", b->service_zh, b->service_en, sizeof b->service_zh, e) ||
        jr_str(o, path, "status", status, sizeof status, e))
        return -1;
    if (!strcmp(status, "cancelled")) b->cancelled = true;
    else if (strcmp(status, "confirmed") != 0) return jr_fail(e, path, "status", "not confirmed or cancelled");
    if (jr_str(o, path, "name", b->name, sizeof b->name, e) ||
        jr_str_or_null(o, path, "phone", b->phone, sizeof b->phone, e) ||
        jr_str_or_null(o, path, "id_number", b->id_number, sizeof b->id_number, e))
        return -1;
    mask_again(b->name, sizeof b->name, mask_name);
    mask_again(b->phone, sizeof b->phone, mask_phone);
    mask_again(b->id_number, sizeof b->id_number, mask_id);
    if (jr_int(o, path, "created", 0, 1LL << 40, &v, e)) return -1;
    b->created = (time_t)v;
    const cJSON *c = jr_field(o, "cancelled");
    if (!c) return jr_fail(e, path, "cancelled", "missing");
    if (!cJSON_IsNull(c)) {
        if (jr_int(o, path, "cancelled", 0, 1LL << 40, &v, e)) return -1;
        b->cancelled_at = (time_t)v;
    }
    return 0;
}

/* ---- the parsers ------------------------------------------------------------ */

int hub_hk_parse_services(const char *json, size_t len, hub_hk_services_t *out, char *err,
                          size_t errlen)
{
    jr_err_t e = {err, errlen};
    memset(out, 0, sizeof *out);
    cJSON *doc = jr_parse_doc(json, len, &e);
    if (!doc) return -1;
    int n = 0, rc = -1;
    const cJSON *arr = jr_arr(doc, "", "services", HUB_HK_MAX_SERVICES, &n, &e);
    if (!arr) goto end;
    for (int i = 0; i < n; i++) {
        const cJSON *o = cJSON_GetArrayItem(arr, i);
        hub_hk_service_t *s = &out->s[i];
        char p[64], pp[96];
        long long v;
        snprintf(p, sizeof p, "services[%d]", i);
        if (!cJSON_IsObject(o)) { jr_fail(&e, p, "", "not an object"); goto end; }
        if (jr_str(o, p, "id", s->id, sizeof s->id, &e) ||
            get_names(o, p, "name", s->name_zh, s->name_en, sizeof s->name_zh, &e) ||
            get_names(o, p, "includes", s->includes_zh, s->includes_en, sizeof s->includes_zh, &e) ||
            jr_int(o, p, "price_fen", 0, 100000000, &s->price_fen, &e) ||
            jr_int(o, p, "duration_min", 1, 100000, &v, &e))
            goto end;
        s->duration_min = (int)v;
        const cJSON *pa = jr_arr(o, p, "providers", HUB_HK_MAX_PROVIDERS, &s->n_providers, &e);
        if (!pa) goto end;
        for (int j = 0; j < s->n_providers; j++) {
            const cJSON *po = cJSON_GetArrayItem(pa, j);
            hub_hk_provider_t *pr = &s->providers[j];
            snprintf(pp, sizeof pp, "%s.providers[%d]", p, j);
            if (!cJSON_IsObject(po)) { jr_fail(&e, pp, "", "not an object"); goto end; }
            const cJSON *r = jr_field(po, "rating");
            if (jr_int(po, pp, "id", 1, JR_INT_MAX, &pr->id, &e) ||
                jr_str(po, pp, "name", pr->name, sizeof pr->name, &e))
                goto end;
            if (!cJSON_IsNumber(r) || !(r->valuedouble >= 0 && r->valuedouble <= 5)) {
                jr_fail(&e, pp, "rating", "not a number in 0..5");
                goto end;
            }
            pr->rating = r->valuedouble;
        }
        out->n = i + 1;
    }
    rc = 0;
end:
    cJSON_Delete(doc);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

/* parse_list's parser of one element into ITEM, its place in the
 * caller's array. */
typedef int (*parse_one_fn)(const cJSON *o, const char *path, void *item, jr_err_t *e);

static int slot_one(const cJSON *o, const char *path, void *item, jr_err_t *e)
{
    return parse_slot(o, path, item, e);
}

static int booking_one(const cJSON *o, const char *path, void *item, jr_err_t *e)
{
    return parse_booking(o, path, item, e);
}

/* The array KEY (at most MAX elements) of the document JSON..LEN, element
 * i parsed by ONE into the i-th of ITEMS (SIZE bytes each) under the path
 * "KEY[i]"; *N counts the elements parsed. 0, or -1 with E said (the
 * caller wipes what was parsed). */
static int parse_list(const char *json, size_t len, const char *key, int max, parse_one_fn one, void *items,
                      size_t size, int *n, jr_err_t *e)
{
    cJSON *doc = jr_parse_doc(json, len, e);
    if (!doc) return -1;
    int count = 0, rc = -1;
    const cJSON *arr = jr_arr(doc, "", key, max, &count, e);
    if (!arr) goto end;
    for (int i = 0; i < count; i++) {
        char p[64];
        snprintf(p, sizeof p, "%s[%d]", key, i);
        if (one(cJSON_GetArrayItem(arr, i), p, (char *)items + (size_t)i * size, e)) goto end;
        *n = i + 1;
    }
    rc = 0;
end:
    cJSON_Delete(doc);
    return rc;
}

int hub_hk_parse_slots(const char *json, size_t len, const char *key, hub_hk_slots_t *out,
                       char *err, size_t errlen)
{
    jr_err_t e = {err, errlen};
    memset(out, 0, sizeof *out);
    int rc = parse_list(json, len, key ? key : "slots", HUB_HK_MAX_SLOTS, slot_one, out->s, sizeof out->s[0],
                        &out->n, &e);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

int hub_hk_parse_booking(const char *json, size_t len, hub_hk_booking_t *out, char *err,
                         size_t errlen)
{
    jr_err_t e = {err, errlen};
    memset(out, 0, sizeof *out);
    cJSON *doc = jr_parse_doc(json, len, &e);
    if (!doc) return -1;
    const cJSON *b = jr_obj(doc, "", "booking", &e);
    int rc = b ? parse_booking(b, "booking", out, &e) : -1;
    cJSON_Delete(doc);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

int hub_hk_parse_bookings(const char *json, size_t len, hub_hk_bookings_t *out, char *err,
                          size_t errlen)
{
    jr_err_t e = {err, errlen};
    memset(out, 0, sizeof *out);
    int rc = parse_list(json, len, "bookings", HUB_HK_MAX_BOOKINGS, booking_one, out->b, sizeof out->b[0],
                        &out->n, &e);
    if (rc) memset(out, 0, sizeof *out);
    return rc;
}

/* ---- transport (net/http.c) ------------------------------------------------------ */

struct hub_hk {
    http_conn_t *conn;
    const char *body;            /* the last answer, also of a 4xx (owned by CONN) */
    size_t len;
};

/* Every call wipes the answer it parsed: it may hold (masked) personal
 * data, and nothing is kept between calls. */
static void forget(hub_hk_t *c)
{
    http_forget(c->conn);
    c->len = 0;
}

hub_hk_t *hub_hk_new(const char *base_url, const char *token, int timeout_ms,
                     const volatile int *abort)
{
    hub_hk_t *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (!(c->conn = http_conn_new(base_url, token, timeout_ms, abort, "kiosk-hub-client/1", MOD))) {
        free(c);
        return NULL;
    }
    c->body = "";
    return c;
}

void hub_hk_free(hub_hk_t *c)
{
    if (!c) return;
    http_conn_free(c->conn);
    free(c);
}

/* GET PATH, or POST BODY with KEY. Returns the HTTP status of a complete
 * answer (its body in C->body, also for 4xx), ST classified as in
 * hub_api.h (HUB_OK for 2xx, pending the caller's parse), or 0 with ST
 * HUB_UNKNOWN when there was no usable answer. WHAT names it in the log. */
static int request(hub_hk_t *c, const char *what, const char *path, const char *body,
                   const char *key, hub_status_t *st)
{
    http_req_t req = {.method = body ? "POST" : "GET", .path = path, .what = what,
                      .body = body, .body_len = body ? strlen(body) : 0,
                      .idem_key = key, .max_resp = BODY_MAX - 1};
    http_resp_t resp;
    int http = http_request(c->conn, &req, &resp, st);
    c->body = resp.body;
    c->len = resp.len;
    return http;
}

/* {"phone"?, "id_number"? | "rescode"?} with the others the caller adds:
 * the card's proof ID_NUMBER is either its number or a community resident
 * code (rescode.h), which stands for the card. */
static cJSON *identity_doc(const char *phone, const char *id_number)
{
    cJSON *d = cJSON_CreateObject();
    rescode_t code;
    bool is_code = id_number && rescode_parse(id_number, strlen(id_number), &code, NULL) == 0;
    if (d && phone && phone[0] && !cJSON_AddStringToObject(d, "phone", phone)) goto fail;
    if (d && id_number && id_number[0] &&
        !cJSON_AddStringToObject(d, is_code ? "rescode" : "id_number", id_number))
        goto fail;
    return d;
fail:
    http_wipe_json(d);
    cJSON_Delete(d);
    return NULL;
}

/* ---- the calls ----------------------------------------------------------------- */

void hub_hk_services(hub_hk_t *c, hub_hk_services_t *out, hub_status_t *st)
{
    char err[160];
    memset(out, 0, sizeof *out);
    if (request(c, "hk services", "/v1/housekeeping/services", NULL, NULL, st) &&
        st->result == HUB_OK && hub_hk_parse_services(c->body, c->len, out, err, sizeof err))
        http_garbage(c->conn, st, "hk services", err);
    forget(c);
}

void hub_hk_slots(hub_hk_t *c, const char *service, const char *date, hub_hk_slots_t *out,
                  hub_status_t *st)
{
    char path[256], err[160];
    memset(out, 0, sizeof *out);
    char *s = http_escape(c->conn, service);
    char *d = http_escape(c->conn, date);
    int n = s && d ? snprintf(path, sizeof path, "/v1/housekeeping/slots?service=%s&date=%s", s, d) : -1;
    curl_free(s);
    curl_free(d);
    if (n < 0 || n >= (int)sizeof path) {
        http_no_memory(st);
        return;
    }
    if (request(c, "hk slots", path, NULL, NULL, st) && st->result == HUB_OK &&
        hub_hk_parse_slots(c->body, c->len, "slots", out, err, sizeof err))
        http_garbage(c->conn, st, "hk slots", err);
    forget(c);
}

char *hub_hk_book_body(long long slot_id, const char *service_id, const char *name,
                       const char *phone, const char *id_number)
{
    char num[24];
    cJSON *doc = identity_doc(phone, id_number);
    snprintf(num, sizeof num, "%lld", slot_id);
    cJSON *v = cJSON_CreateRaw(num);
    if (!doc || !v || !cJSON_AddItemToObject(doc, "slot_id", v) ||
        !cJSON_AddStringToObject(doc, "service_id", service_id ? service_id : "") ||
        !cJSON_AddStringToObject(doc, "name", name ? name : "")) {
        if (!doc || !cJSON_GetObjectItem(doc, "slot_id")) cJSON_Delete(v);
        http_wipe_json(doc);
        cJSON_Delete(doc);
        return NULL;
    }
    return http_print_secret(doc);
}

void hub_hk_book(hub_hk_t *c, const char *idem_key, long long slot_id, const char *service_id,
                 const char *name, const char *phone, const char *id_number,
                 hub_hk_booking_t *out, hub_hk_slots_t *alt, hub_status_t *st)
{
    char err[160];
    memset(out, 0, sizeof *out);
    if (alt) memset(alt, 0, sizeof *alt);
    char *body = hub_hk_book_body(slot_id, service_id, name, phone, id_number);
    if (!body) {
        http_no_memory(st);
        return;
    }
    int http = request(c, "hk book", "/v1/housekeeping/bookings", body, idem_key, st);
    http_free_secret(body);
    if (http && st->result == HUB_OK) {
        if (hub_hk_parse_booking(c->body, c->len, out, err, sizeof err))
            http_garbage(c->conn, st, "hk book", err);
    } else if (http == 409 && alt && !strcmp(st->code, "slot_full")) {
        if (hub_hk_parse_slots(c->body, c->len, "alternatives", alt, err, sizeof err))
            log_warn(MOD, "hk book: alternatives not understood: %s", err);
    }
    forget(c);
}

void hub_hk_lookup(hub_hk_t *c, const char *idem_key, const char *phone, const char *code,
                   const char *id_number, hub_hk_bookings_t *out, hub_status_t *st)
{
    char err[160];
    memset(out, 0, sizeof *out);
    cJSON *doc = identity_doc(phone, id_number);
    if (doc && code && code[0] && !id_number[0] && !cJSON_AddStringToObject(doc, "code", code)) {
        http_wipe_json(doc);
        cJSON_Delete(doc);
        doc = NULL;
    }
    char *body = http_print_secret(doc);
    if (!body) {
        http_no_memory(st);
        return;
    }
    int http = request(c, "hk lookup", "/v1/housekeeping/bookings/lookup", body, idem_key, st);
    http_free_secret(body);
    if (http && st->result == HUB_OK && hub_hk_parse_bookings(c->body, c->len, out, err, sizeof err))
        http_garbage(c->conn, st, "hk lookup", err);
    forget(c);
}

void hub_hk_cancel(hub_hk_t *c, const char *idem_key, const char *code, const char *phone,
                   const char *id_number, hub_hk_booking_t *out, hub_status_t *st)
{
    char err[160], path[128];
    memset(out, 0, sizeof *out);
    char *esc = http_escape(c->conn, code);
    int n = esc ? snprintf(path, sizeof path, "/v1/housekeeping/bookings/%s/cancel", esc) : -1;
    curl_free(esc);
    char *body = n > 0 && n < (int)sizeof path ? http_print_secret(identity_doc(phone, id_number)) : NULL;
    if (!body) {
        http_no_memory(st);
        return;
    }
    int http = request(c, "hk cancel", path, body, idem_key, st);
    http_free_secret(body);
    if (http && st->result == HUB_OK && hub_hk_parse_booking(c->body, c->len, out, err, sizeof err))
        http_garbage(c->conn, st, "hk cancel", err);
    forget(c);
}
