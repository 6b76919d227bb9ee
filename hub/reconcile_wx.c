/* WeChat Pay's trade bill (交易账单, bill_type ALL) read into the rows
 * reconcile.c compares (reconcile.h reconcile_parse_wechat). The format,
 * from WeChat Pay's "申请交易账单" / "下载账单" documentation: UTF-8 text,
 * a header row naming the columns (交易时间,公众账号ID,商户号,...,微信订单号,
 * 商户订单号,...,交易类型,交易状态,...,应结订单金额,...,微信退款单号,
 * 商户退款单号,退款金额,...,退款状态,...,订单金额,申请退款金额,...), then
 * one row per trade or refund with every field prefixed by a backquote `
 * (so spreadsheets keep long numbers as text), then the summary: a header
 * starting 总交易单数 and one row of totals. Amounts are yuan. Pure. */
#include "reconcile.h"

#include <stdlib.h>
#include <string.h>
#include "utf8.h"

enum { C_TXN, C_NO, C_STATE, C_TOTAL, C_SETTLE, C_REFUND_NO, C_REFUND, C_REFUND_ASKED, C_REFUND_STATE, C_N };

static const char *const names[C_N] = {"微信订单号", "商户订单号", "交易状态", "订单金额", "应结订单金额",
                                       "商户退款单号", "退款金额", "申请退款金额", "退款状态"};

/* Splits LINE (modified) at commas into at most MAX fields, each without
 * its leading backquote and surrounding blanks. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line; n < max;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        while (*p == ' ' || *p == '\t') p++;
        if (*p == '`') p++;
        char *e = p + strlen(p);
        while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = '\0';
        f[n++] = p;
        if (!comma) break;
        p = comma + 1;
    }
    return n;
}

/* "12.34" yuan in fen; -1 when malformed or negative. */
static long long fen_of(const char *s)
{
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

/* Field C of a row of N fields, "" when the bill has no such column. */
static const char *at(char **f, int n, const int *col, int c)
{
    return col[c] >= 0 && col[c] < n ? f[col[c]] : "";
}

int reconcile_parse_wechat(const char *text, size_t len, reconcile_row_fn row, void *user)
{
    if (!utf8_valid(text, len) || memchr(text, '\0', len)) return -1;
    char *t = malloc(len + 1);
    if (!t) return -1;
    memcpy(t, text, len);
    t[len] = '\0';
    int col[C_N];
    for (int k = 0; k < C_N; k++) col[k] = -1;
    bool header = false;
    char *save = NULL, *start = t;
    if (!strncmp(start, "\xEF\xBB\xBF", 3)) start += 3;     /* a byte-order mark */
    for (char *line = strtok_r(start, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        char *f[64];
        if (!strncmp(line, "总交易单数", strlen("总交易单数"))) break;     /* the summary follows */
        int n = split(line, f, 64);
        if (!header) {
            for (int i = 0; i < n; i++)
                for (int k = 0; k < C_N; k++)
                    if (!strcmp(f[i], names[k])) col[k] = i;
            header = col[C_TXN] >= 0 && col[C_NO] >= 0 && col[C_STATE] >= 0 &&
                     (col[C_TOTAL] >= 0 || col[C_SETTLE] >= 0);
            continue;
        }
        const char *state = at(f, n, col, C_STATE), *no = at(f, n, col, C_NO), *txn = at(f, n, col, C_TXN);
        if (!no[0]) continue;
        if (!strcmp(state, "SUCCESS") || !strcmp(state, "REVOKED")) {
            /* 订单金额 is what the payer was asked (the hub's amount);
             * older bills have only 应结订单金额. */
            const char *amount = at(f, n, col, C_TOTAL);
            long long fen = fen_of(amount[0] ? amount : at(f, n, col, C_SETTLE));
            if (fen < 0) continue;
            row(user, 'P', no, txn, fen, "");
            /* Reversed after payment: listed under the order's number
             * (the docs), the money given back. */
            if (!strcmp(state, "REVOKED")) row(user, 'R', no, txn, fen, "");
        } else if (!strcmp(state, "REFUND")) {
            const char *rs = at(f, n, col, C_REFUND_STATE);
            if (rs[0] && strcmp(rs, "SUCCESS") != 0 && strcmp(rs, "PROCESSING") != 0) continue;
            const char *amount = at(f, n, col, C_REFUND);
            long long fen = fen_of(amount[0] ? amount : at(f, n, col, C_REFUND_ASKED));
            if (fen < 0) continue;
            row(user, 'R', no, txn, fen, at(f, n, col, C_REFUND_NO));
        }
    }
    free(t);
    return header ? 0 : -1;
}
