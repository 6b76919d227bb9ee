/* The provider's statement of a day against the hub's books (reconcile.h). */
#include "reconcile.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <unzip.h>
#include "pay.h"
#include "pay_wechat.h"
#include "utf8.h"

#define STATEMENT_MAX (32L * 1024 * 1024)
#define MAX_ROWS 20000
#define CST_OFFSET (8 * 3600)

/* ---- the statement's CSV ----------------------------------------------- */

/* TEXT as UTF-8: as it is when valid, else converted from GBK. Malloc'd. */
static char *to_utf8(const char *text, size_t len)
{
    if (utf8_valid(text, len)) {
        char *c = malloc(len + 1);
        if (c) memcpy(c, text, len), c[len] = '\0';
        return c;
    }
    iconv_t cd = iconv_open("UTF-8", "GBK");
    if (cd == (iconv_t)-1) return NULL;
    size_t cap = len * 2 + 1, outleft = cap - 1, inleft = len;
    char *out = malloc(cap), *in = (char *)text, *o = out;
    if (out && iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
        free(out);
        out = NULL;
    }
    iconv_close(cd);
    if (out) *o = '\0';
    return out;
}

/* Splits LINE (modified) at commas into at most MAX fields, each trimmed of
 * blanks, tabs (Alipay ends numbers with one) and surrounding quotes. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        while (*p == ' ' || *p == '\t' || *p == '"') p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '"' || e[-1] == '\r')) *--e = '\0';
        f[n++] = p;
        if (!comma) break;
        p = comma + 1;
    }
    return n;
}

/* "12.34" or "-12.34" yuan in fen; -1 when malformed (the sign is dropped:
 * the row's kind says which way the money went). */
static long long fen_of(const char *s)
{
    if (*s == '-') s++;
    long long yuan = 0, fen = 0;
    int digits = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9' && digits <= 12; p++, digits++) yuan = yuan * 10 + (*p - '0');
    if (!digits || digits > 12) return -1;
    if (*p == '.') {
        p++;
        for (int i = 0; i < 2; i++) fen = fen * 10 + (*p >= '0' && *p <= '9' ? *p++ - '0' : 0);
    }
    return *p ? -1 : yuan * 100 + fen;
}

int reconcile_parse_csv(const char *text, size_t len, reconcile_row_fn row, void *user)
{
    char *t = to_utf8(text, len);
    if (!t) return -1;
    int col[5] = {-1, -1, -1, -1, -1};      /* trade no, order no, type, amount, refund no */
    static const char *const names[5] = {"支付宝交易号", "商户订单号", "业务类型", "订单金额（元）",
                                         "退款批次号/请求号"};
    bool header = false;
    char *save = NULL;
    for (char *line = strtok_r(t, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        if (line[0] == '#') continue;
        char *f[64];
        int n = split(line, f, 64);
        if (!header) {
            for (int i = 0; i < n; i++)
                for (int k = 0; k < 5; k++)
                    if (!strcmp(f[i], names[k])) col[k] = i;
            header = col[0] >= 0 && col[1] >= 0 && col[2] >= 0 && col[3] >= 0;
            continue;
        }
        if (n <= col[3] || n <= col[2]) continue;
        char kind = !strcmp(f[col[2]], "交易") ? 'P' : !strcmp(f[col[2]], "退款") ? 'R' : 0;
        long long fen = fen_of(f[col[3]]);
        if (!kind || fen < 0) continue;
        row(user, kind, f[col[1]], f[col[0]], fen, col[4] >= 0 && n > col[4] ? f[col[4]] : "");
    }
    free(t);
    return header ? 0 : -1;
}

/* ---- download ----------------------------------------------------------- */

static size_t on_data(char *p, size_t sz, size_t n, void *user)
{
    FILE *f = user;
    return fwrite(p, sz, n, f) * sz;
}

/* URL into a new temp file (0600), its path in PATH. 0 or -1 with ERR. */
static int download(const char *url, char *path, size_t pathlen, char *err, size_t errlen)
{
    snprintf(path, pathlen, "/tmp/hub-statement-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file");
        return -1;
    }
    FILE *f = fdopen(fd, "wb");
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode cc = CURLE_FAILED_INIT;
    if (f && c) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, pay_timeout_ms() * 6);
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)STATEMENT_MAX);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (c) curl_easy_cleanup(c);
    if (f) fclose(f);
    else close(fd);
    if (cc != CURLE_OK || status != 200) {
        snprintf(err, errlen, "cannot download the statement: %s",
                 cc != CURLE_OK ? curl_easy_strerror(cc) : "the server did not answer 200");
        unlink(path);
        return -1;
    }
    return 0;
}

/* ---- comparison --------------------------------------------------------- */

typedef struct {
    char kind;
    char no[65], trade_no[65], refund_no[65];
    long long fen;
} row_t;

typedef struct {
    row_t *rows;
    int n;
    bool full;
} rows_t;

static void on_row(void *user, char kind, const char *no, const char *trade_no, long long fen, const char *refund_no)
{
    rows_t *r = user;
    if (r->n >= MAX_ROWS) { r->full = true; return; }
    row_t *x = &r->rows[r->n++];
    x->kind = kind;
    x->fen = fen;
    snprintf(x->no, sizeof x->no, "%s", no);
    snprintf(x->trade_no, sizeof x->trade_no, "%s", trade_no);
    snprintf(x->refund_no, sizeof x->refund_no, "%s", refund_no);
}

/* Reads the zip at PATH: the entry holding the details' header. 0 or -1. */
static int read_zip(const char *path, rows_t *rows, char *err, size_t errlen)
{
    unzFile z = unzOpen64(path);
    if (!z) {
        snprintf(err, errlen, "the statement is not a zip file");
        return -1;
    }
    int rc = -1;
    for (int more = unzGoToFirstFile(z); more == UNZ_OK && rc != 0; more = unzGoToNextFile(z)) {
        unz_file_info64 info;
        if (unzGetCurrentFileInfo64(z, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK ||
            info.uncompressed_size > (ZPOS64_T)STATEMENT_MAX || unzOpenCurrentFile(z) != UNZ_OK)
            continue;
        size_t n = (size_t)info.uncompressed_size;
        char *buf = malloc(n + 1);
        int got = buf ? unzReadCurrentFile(z, buf, (unsigned)n) : -1;
        unzCloseCurrentFile(z);
        if (got == (int)n) {
            int before = rows->n;
            if (reconcile_parse_csv(buf, n, on_row, rows) == 0) rc = 0;
            else rows->n = before;
        }
        free(buf);
    }
    unzClose(z);
    if (rc != 0) snprintf(err, errlen, "the statement holds no details file with the expected header");
    return rc;
}

typedef struct {
    const char *kind, *no, *trade_no, *state, *writeoff;
    long long provider_fen, hub_fen;    /* -1: none */
} mismatch_t;

typedef struct {
    cJSON *list;
    int n;
} report_t;

static void add(report_t *rep, const mismatch_t *m)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", m->kind);
    cJSON_AddStringToObject(o, "out_trade_no", m->no);
    if (m->trade_no && m->trade_no[0]) cJSON_AddStringToObject(o, "trade_no", m->trade_no);
    else cJSON_AddNullToObject(o, "trade_no");
    if (m->provider_fen >= 0) cJSON_AddNumberToObject(o, "provider_fen", (double)m->provider_fen);
    else cJSON_AddNullToObject(o, "provider_fen");
    if (m->hub_fen >= 0) cJSON_AddNumberToObject(o, "hub_fen", (double)m->hub_fen);
    else cJSON_AddNullToObject(o, "hub_fen");
    cJSON_AddStringToObject(o, "hub_state", m->state && m->state[0] ? m->state : "-");
    cJSON_AddStringToObject(o, "writeoff", m->writeoff && m->writeoff[0] ? m->writeoff : "-");
    cJSON_AddItemToArray(rep->list, o);
    rep->n++;
}

typedef struct {
    bool found;
    char state[12], writeoff[12];       /* writeoff: none | pending | failing | done | refused */
    long long fen;
    bool refunded;
} hub_order_t;

/* What the hub holds of order NO. -1 on a database error. */
static int hub_order(sqlite3 *db, const char *no, hub_order_t *h)
{
    memset(h, 0, sizeof *h);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT o.state, o.amount_fen, "
                           "COALESCE((SELECT CASE WHEN SUM(w.state <> 'done') > 0 THEN MIN(CASE WHEN w.state "
                           "<> 'done' THEN w.state END) ELSE 'done' END FROM writeoffs w "
                           "WHERE w.out_trade_no = o.out_trade_no AND w.kind = 'credit'), 'none'), "
                           "o.state = 'REVOKED' OR EXISTS(SELECT 1 FROM refunds r WHERE r.out_trade_no = o.out_trade_no) "
                           "FROM orders o WHERE o.out_trade_no = ?1", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, no, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        h->found = true;
        snprintf(h->state, sizeof h->state, "%s", (const char *)sqlite3_column_text(st, 0));
        h->fen = sqlite3_column_int64(st, 1);
        snprintf(h->writeoff, sizeof h->writeoff, "%s", (const char *)sqlite3_column_text(st, 2));
        h->refunded = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static const row_t *find(const rows_t *rows, char kind, const char *no)
{
    for (int i = 0; i < rows->n; i++)
        if (rows->rows[i].kind == kind && !strcmp(rows->rows[i].no, no)) return &rows->rows[i];
    return NULL;
}

/* Unix seconds of DATE's midnight, China time; -1 if not a date. */
static int64_t day_start(const char *date)
{
    struct tm tm = {0};
    char *end = strptime(date, "%Y-%m-%d", &tm);
    if (!end || *end || strlen(date) != 10) return -1;
    return (int64_t)timegm(&tm) - CST_OFFSET;
}

/* The statement ROWS of provider PROVIDER against the hub's orders of
 * that provider (orders.provider) created on the day starting at FROM. */
static int compare(sqlite3 *db, const rows_t *rows, int64_t from, const char *provider, report_t *rep, int *orders)
{
    hub_order_t h;
    /* The statement's side. */
    for (int i = 0; i < rows->n; i++) {
        const row_t *r = &rows->rows[i];
        if (hub_order(db, r->no, &h) != 0) return -1;
        mismatch_t m = {.no = r->no, .trade_no = r->trade_no, .state = h.state, .writeoff = h.writeoff,
                        .provider_fen = r->fen, .hub_fen = h.found ? h.fen : -1};
        bool paid = h.found && (!strcmp(h.state, "SUCCESS") || !strcmp(h.state, "REVOKED"));
        if (r->kind == 'P') {
            if (!paid) m.kind = "paid_not_recorded";
            else if (r->fen != h.fen) m.kind = "amount_differs";
            else if (!strcmp(h.state, "SUCCESS") && strcmp(h.writeoff, "done") != 0) m.kind = "paid_not_credited";
            if (m.kind) add(rep, &m);
        } else if (!h.refunded) {
            m.kind = "refund_not_recorded";
            add(rep, &m);
        }
    }
    /* The hub's side: the day's orders of this provider the statement
     * should hold. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT out_trade_no FROM orders WHERE provider = ?1 AND created >= ?2 "
                           "AND created < ?2 + 86400 ORDER BY out_trade_no", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, provider, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, from);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char no[65];
        snprintf(no, sizeof no, "%s", (const char *)sqlite3_column_text(st, 0));
        (*orders)++;
        if (hub_order(db, no, &h) != 0) break;
        mismatch_t m = {.no = no, .state = h.state, .writeoff = h.writeoff, .provider_fen = -1, .hub_fen = h.fen};
        bool paid = !strcmp(h.state, "SUCCESS") || !strcmp(h.state, "REVOKED");
        if (paid && !find(rows, 'P', no)) {
            m.kind = !strcmp(h.writeoff, "done") ? "credited_not_paid" : "hub_paid_not_at_provider";
            add(rep, &m);
        } else if (h.refunded && find(rows, 'P', no) && !find(rows, 'R', no)) {
            m.kind = "refunded_not_at_provider";
            add(rep, &m);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void print_table(FILE *out, const char *date, const char *provider, int nrows, int orders, const report_t *rep)
{
    fprintf(out, "reconcile %s (%s): statement %d rows, hub %d orders, %d mismatch%s\n", date, provider, nrows,
            orders, rep->n, rep->n == 1 ? "" : "es");
    if (!rep->n) return;
    fprintf(out, "%-26s %-33s %-30s %12s %12s %-10s %s\n", "KIND", "OUT_TRADE_NO", "PROVIDER_TRADE_NO",
            "PROVIDER_FEN", "HUB_FEN", "HUB_STATE", "WRITE_OFF");
    const cJSON *m;
    cJSON_ArrayForEach(m, rep->list) {
        const cJSON *pf = cJSON_GetObjectItem(m, "provider_fen"), *hf = cJSON_GetObjectItem(m, "hub_fen");
        const cJSON *tn = cJSON_GetObjectItem(m, "trade_no");
        char pfs[24] = "-", hfs[24] = "-";
        if (cJSON_IsNumber(pf)) snprintf(pfs, sizeof pfs, "%lld", (long long)pf->valuedouble);
        if (cJSON_IsNumber(hf)) snprintf(hfs, sizeof hfs, "%lld", (long long)hf->valuedouble);
        fprintf(out, "%-26s %-33s %-30s %12s %12s %-10s %s\n", cJSON_GetObjectItem(m, "kind")->valuestring,
                cJSON_GetObjectItem(m, "out_trade_no")->valuestring, cJSON_IsString(tn) ? tn->valuestring : "-",
                pfs, hfs, cJSON_GetObjectItem(m, "hub_state")->valuestring,
                cJSON_GetObjectItem(m, "writeoff")->valuestring);
    }
}

/* The statement of DATE from P into ROWS. 0, or -1 with ERR. */
static int statement_rows(const pay_provider_t *p, const char *date, rows_t *rows, char *err, size_t errlen)
{
    if (!strcmp(p->name, "wechat")) {
        /* WeChat's bill is fetched with a signed request: pay_wechat.c. */
        char *text = NULL;
        size_t len = 0;
        if (pay_wechat_bill(date, &text, &len, err, errlen) != 0) return -1;
        int rc = reconcile_parse_wechat(text, len, on_row, rows);
        free(text);
        if (rc != 0) snprintf(err, errlen, "the trade bill has no header of WeChat Pay's format");
        return rc;
    }
    if (!p->statement) {
        snprintf(err, errlen, "%s gives no statements", p->name);
        return -1;
    }
    char url[1024], path[64] = "";
    pay_result_t r;
    p->statement(date, url, sizeof url, &r);
    if (r.outcome != PAY_SUCCESS) {
        snprintf(err, errlen, "the provider gave no statement for %s (%s)", date, r.error[0] ? r.error : "no answer");
        return -1;
    }
    int rc = download(url, path, sizeof path, err, errlen) == 0 ? read_zip(path, rows, err, errlen) : -1;
    if (path[0]) unlink(path);
    return rc;
}

/* One provider's section: its statement against its orders, printed (or
 * added to ALL as an object when JSON). The number of mismatches, or -1
 * with ERR (nothing printed). */
static int section(sqlite3 *db, const pay_provider_t *p, const char *date, int64_t from, rows_t *rows, bool json,
                   cJSON *all, FILE *out, char *err, size_t errlen)
{
    report_t rep = {cJSON_CreateArray(), 0};
    int orders = 0, rc = -1;
    rows->n = 0;
    rows->full = false;
    if (!rep.list || statement_rows(p, date, rows, err, errlen) != 0) goto done;
    if (rows->full) {
        snprintf(err, errlen, "the statement has more than %d rows", MAX_ROWS);
        goto done;
    }
    if (compare(db, rows, from, p->name, &rep, &orders) != 0) {
        snprintf(err, errlen, "cannot read the hub's orders: %s", sqlite3_errmsg(db));
        goto done;
    }
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "date", date);
        cJSON_AddStringToObject(o, "provider", p->name);
        cJSON_AddNumberToObject(o, "statement_rows", rows->n);
        cJSON_AddNumberToObject(o, "hub_orders", orders);
        cJSON_AddItemToObject(o, "mismatches", rep.list);
        rep.list = NULL;
        cJSON_AddItemToArray(all, o);
    } else {
        print_table(out, date, p->name, rows->n, orders, &rep);
    }
    rc = rep.n;
done:
    cJSON_Delete(rep.list);
    return rc;
}

int reconcile_run(sqlite3 *db, const char *date, bool json, FILE *out, char *err, size_t errlen)
{
    const pay_provider_t *ps[2];
    int np = pay_providers(ps), total = 0;
    bool failed = false;
    int64_t from = day_start(date);
    rows_t rows = {0};
    cJSON *all = cJSON_CreateArray();
    if (from < 0) {
        snprintf(err, errlen, "--date: not a date (YYYY-MM-DD): %s", date);
        goto fail;
    }
    if (np <= 0) {
        snprintf(err, errlen, "no payment provider with statements is configured ([payment] provider)");
        goto fail;
    }
    rows.rows = calloc(MAX_ROWS, sizeof *rows.rows);
    if (!rows.rows || !all) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* Each provider on its own: one that cannot tell does not hide what
     * the others say (its section says why; the run still fails). */
    for (int i = 0; i < np; i++) {
        char why[400] = "";
        int n = section(db, ps[i], date, from, &rows, json, all, out, why, sizeof why);
        if (n >= 0) {
            total += n;
            continue;
        }
        if (!failed) snprintf(err, errlen, np > 1 ? "%s: %s" : "%s%s", np > 1 ? ps[i]->name : "", why);
        failed = true;
        if (np == 1) continue;
        if (json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "date", date);
            cJSON_AddStringToObject(o, "provider", ps[i]->name);
            cJSON_AddStringToObject(o, "error", why);
            cJSON_AddItemToArray(all, o);
        } else {
            fprintf(out, "reconcile %s (%s): cannot tell: %s\n", date, ps[i]->name, why);
        }
    }
    if (json && cJSON_GetArraySize(all) > 0) {
        /* One provider: its object, as before; several: the array. */
        char *text = cJSON_Print(np == 1 ? cJSON_GetArrayItem(all, 0) : all);
        fprintf(out, "%s\n", text ? text : "[]");
        free(text);
    }
    free(rows.rows);
    cJSON_Delete(all);
    return failed ? -1 : total;
fail:
    free(rows.rows);
    cJSON_Delete(all);
    return -1;
}
