/* The simulated utility billing system (billing_sim.h). */
#include "billing_sim.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "billing.h"
#include "hub.h"

#define MAX_ACCOUNTS 16
#define MAX_BILLS 64
#define MAX_CREDITS 256
#define CLOCK_SKEW_S 300

typedef struct { char utility[16], account[32], holder[64], address[128]; } account_t;
typedef struct {
    char utility[16], account[32], ref[65], period[8];
    long long amount_fen, late_fee_fen;
    bool paid;
} bill_t;
typedef struct { char txn[72], ref[65], refund_no[40]; } credit_t;   /* refund_no: "" until reversed */

struct billing_sim {
    struct MHD_Daemon *daemon;
    char url[64], hub_id[64];
    unsigned char key[64];
    size_t keylen;
    pthread_mutex_t lock;
    account_t accounts[MAX_ACCOUNTS];
    int naccounts;
    bill_t bills[MAX_BILLS];
    int nbills;
    credit_t credits[MAX_CREDITS];
    int ncredits, calls, fetches, bad, fail_next, reversals;
    bool gone;
};

typedef struct { char *buf; size_t len; } body_t;

static enum MHD_Result send_json(struct MHD_Connection *c, int status, cJSON *j)
{
    char *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(out), out, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *c, int status, const char *code)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "error", code);
    return send_json(c, status, j);
}

/* The checks every request passes, as docs/api.md says. 0, or the error. */
static const char *check_auth(billing_sim_t *s, struct MHD_Connection *c, const char *method,
                              const char *url, const body_t *b)
{
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hub-Id");
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hub-Timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Hub-Signature");
    if (!id || strcmp(id, s->hub_id) != 0) return "unknown_hub";
    char *end;
    long long t = ts ? strtoll(ts, &end, 10) : 0;
    if (!ts || !*ts || *end || llabs(t - (long long)hub_now()) > CLOCK_SKEW_S) return "bad_timestamp";
    char want[65];
    billing_sign(s->key, s->keylen, method, url, ts, b->buf ? b->buf : "", b->len, want);
    if (!sig || strncmp(sig, "v1=", 3) != 0 || sodium_memcmp(sig + 3, want, 64) != 0 || strlen(sig) != 67)
        return "bad_signature";
    return NULL;
}

static enum MHD_Result get_account(billing_sim_t *s, struct MHD_Connection *c, const char *url)
{
    char u[16], a[32];
    if (sscanf(url, "/accounts/%15[a-z]/%31[0-9]", u, a) != 2) return send_error(c, 404, "not_found");
    const account_t *acc = NULL;
    for (int i = 0; i < s->naccounts; i++)
        if (!strcmp(s->accounts[i].utility, u) && !strcmp(s->accounts[i].account, a)) acc = &s->accounts[i];
    if (!acc) return send_error(c, 404, "unknown_account");
    cJSON *j = cJSON_CreateObject(), *o = cJSON_AddObjectToObject(j, "account");
    cJSON_AddStringToObject(o, "utility", u);
    cJSON_AddStringToObject(o, "account", a);
    cJSON_AddStringToObject(o, "holder", acc->holder);
    cJSON_AddStringToObject(o, "address", acc->address);
    cJSON *arr = cJSON_AddArrayToObject(j, "bills");
    for (int i = 0; i < s->nbills; i++) {
        const bill_t *b = &s->bills[i];
        if (strcmp(b->utility, u) || strcmp(b->account, a)) continue;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "ref", b->ref);
        cJSON_AddStringToObject(x, "period", b->period);
        cJSON_AddNumberToObject(x, "usage", 12.5);
        cJSON_AddStringToObject(x, "unit", "m3");
        cJSON_AddNumberToObject(x, "amount_fen", (double)b->amount_fen);
        cJSON_AddNumberToObject(x, "late_fee_fen", (double)b->late_fee_fen);
        char due[11];
        snprintf(due, sizeof due, "%.7s-15", b->period);
        cJSON_AddStringToObject(x, "due_date", due);
        cJSON_AddStringToObject(x, "status", b->paid ? "paid" : "unpaid");
        cJSON_AddItemToArray(arr, x);
    }
    s->fetches++;
    return send_json(c, 200, j);
}

static const char *str(const cJSON *j, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static enum MHD_Result post_writeoff(billing_sim_t *s, struct MHD_Connection *c, const body_t *b)
{
    s->calls++;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    cJSON *j = b->buf ? cJSON_ParseWithLength(b->buf, b->len) : NULL;
    const char *wid = str(j, "writeoff_id"), *ref = str(j, "bill_ref"), *u = str(j, "utility");
    const char *a = str(j, "account"), *txn = str(j, "transaction_id");
    const cJSON *amount = cJSON_GetObjectItemCaseSensitive(j, "amount_fen");
    const cJSON *paid_at = cJSON_GetObjectItemCaseSensitive(j, "paid_at");
    if (!ct || strncmp(ct, "application/json", 16) != 0 || !cJSON_IsObject(j) || !wid || !ref || !u || !a ||
        !txn || !cJSON_IsNumber(amount) || !cJSON_IsNumber(paid_at) || cJSON_GetArraySize(j) != 7) {
        s->bad++;
        cJSON_Delete(j);
        return send_error(c, 400, "bad_request");
    }
    enum MHD_Result rc;
    if (s->fail_next > 0) {
        s->fail_next--;
        rc = send_error(c, 503, "busy");
        goto done;
    }
    for (int i = 0; i < s->ncredits; i++) {
        if (strcmp(s->credits[i].ref, ref) != 0) continue;
        if (strcmp(s->credits[i].txn, txn) != 0) {
            rc = send_error(c, 409, "already_paid");
            goto done;
        }
        goto credited;                     /* the same write-off again: nothing new */
    }
    bill_t *bill = NULL;
    for (int i = 0; i < s->nbills; i++)
        if (!strcmp(s->bills[i].ref, ref) && !strcmp(s->bills[i].utility, u) && !strcmp(s->bills[i].account, a))
            bill = &s->bills[i];
    if (!bill) {
        rc = send_error(c, 409, "unknown_bill");
        goto done;
    }
    if ((long long)amount->valuedouble != bill->amount_fen + bill->late_fee_fen) {
        rc = send_error(c, 409, "amount_differs");
        goto done;
    }
    if (bill->paid || s->ncredits >= MAX_CREDITS) {
        rc = send_error(c, 409, "already_paid");
        goto done;
    }
    bill->paid = true;
    snprintf(s->credits[s->ncredits].ref, sizeof s->credits[0].ref, "%s", ref);
    snprintf(s->credits[s->ncredits].txn, sizeof s->credits[0].txn, "%s", txn);
    s->ncredits++;
credited:;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "writeoff_id", wid);
    cJSON_AddStringToObject(o, "status", "credited");
    rc = send_json(c, 200, o);
done:
    cJSON_Delete(j);
    return rc;
}

/* POST /reversals: the payment of a credit was refunded. Idempotent per
 * refund number. */
static enum MHD_Result post_reversal(billing_sim_t *s, struct MHD_Connection *c, const body_t *b)
{
    s->calls++;
    cJSON *j = b->buf ? cJSON_ParseWithLength(b->buf, b->len) : NULL;
    const char *wid = str(j, "writeoff_id"), *ref = str(j, "bill_ref"), *txn = str(j, "transaction_id");
    const char *rn = str(j, "refund_no");
    enum MHD_Result rc;
    if (!cJSON_IsObject(j) || !wid || !ref || !txn || !rn || cJSON_GetArraySize(j) != 8) {
        s->bad++;
        rc = send_error(c, 400, "bad_request");
        goto done;
    }
    credit_t *cr = NULL;
    for (int i = 0; i < s->ncredits; i++)
        if (!strcmp(s->credits[i].ref, ref) && !strcmp(s->credits[i].txn, txn)) cr = &s->credits[i];
    if (!cr) {
        rc = send_error(c, 409, "unknown_writeoff");
        goto done;
    }
    if (cr->refund_no[0] && strcmp(cr->refund_no, rn) != 0) {
        rc = send_error(c, 409, "already_reversed");
        goto done;
    }
    if (!cr->refund_no[0]) {
        snprintf(cr->refund_no, sizeof cr->refund_no, "%s", rn);
        for (int i = 0; i < s->nbills; i++)
            if (!strcmp(s->bills[i].ref, ref)) s->bills[i].paid = false;
        s->reversals++;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "writeoff_id", wid);
    cJSON_AddStringToObject(o, "status", "reversed");
    rc = send_json(c, 200, o);
done:
    cJSON_Delete(j);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    billing_sim_t *s = cls;
    body_t *b = *con_cls;
    if (!b) {
        *con_cls = calloc(1, sizeof(body_t));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb = realloc(b->buf, b->len + *size + 1);
        if (!nb) return MHD_NO;
        b->buf = nb;
        memcpy(b->buf + b->len, data, *size);
        b->len += *size;
        b->buf[b->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    enum MHD_Result rc;
    const char *why = s->gone ? NULL : check_auth(s, c, method, url, b);
    if (s->gone) {
        rc = send_error(c, 503, "unavailable");
    } else if (why) {
        s->bad++;
        rc = send_error(c, 401, why);
    } else if (!strcmp(method, "GET") && !strncmp(url, "/accounts/", 10)) {
        rc = get_account(s, c, url);
    } else if (!strcmp(method, "POST") && !strcmp(url, "/writeoffs")) {
        rc = post_writeoff(s, c, b);
    } else if (!strcmp(method, "POST") && !strcmp(url, "/reversals")) {
        rc = post_reversal(s, c, b);
    } else {
        rc = send_error(c, 404, "not_found");
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    body_t *b = *con_cls;
    if (b) free(b->buf);
    free(b);
    *con_cls = NULL;
}

billing_sim_t *bsim_start(const char *hub_id, const unsigned char *key, size_t keylen)
{
    billing_sim_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_true(keylen <= sizeof s->key);
    pthread_mutex_init(&s->lock, NULL);
    snprintf(s->hub_id, sizeof s->hub_id, "%s", hub_id);
    memcpy(s->key, key, keylen);
    s->keylen = keylen;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &addr,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
    assert_non_null(s->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", info->port);
    return s;
}

void bsim_stop(billing_sim_t *s)
{
    if (!s) return;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *bsim_url(const billing_sim_t *s) { return s->url; }

void bsim_add_account(billing_sim_t *s, const char *utility, const char *account, const char *holder,
                      const char *address)
{
    pthread_mutex_lock(&s->lock);
    assert_true(s->naccounts < MAX_ACCOUNTS);
    account_t *a = &s->accounts[s->naccounts++];
    snprintf(a->utility, sizeof a->utility, "%s", utility);
    snprintf(a->account, sizeof a->account, "%s", account);
    snprintf(a->holder, sizeof a->holder, "%s", holder);
    snprintf(a->address, sizeof a->address, "%s", address);
    pthread_mutex_unlock(&s->lock);
}

void bsim_add_bill(billing_sim_t *s, const char *utility, const char *account, const char *ref,
                   const char *period, long long amount_fen, long long late_fee_fen, bool paid)
{
    pthread_mutex_lock(&s->lock);
    assert_true(s->nbills < MAX_BILLS);
    bill_t *b = &s->bills[s->nbills++];
    snprintf(b->utility, sizeof b->utility, "%s", utility);
    snprintf(b->account, sizeof b->account, "%s", account);
    snprintf(b->ref, sizeof b->ref, "%s", ref);
    snprintf(b->period, sizeof b->period, "%s", period);
    b->amount_fen = amount_fen;
    b->late_fee_fen = late_fee_fen;
    b->paid = paid;
    pthread_mutex_unlock(&s->lock);
}

#define LOCKED(expr) do { pthread_mutex_lock(&s->lock); expr; pthread_mutex_unlock(&s->lock); } while (0)

void bsim_fail_writeoffs(billing_sim_t *s, int n) { LOCKED(s->fail_next = n); }
void bsim_gone(billing_sim_t *s, bool gone) { LOCKED(s->gone = gone); }
int bsim_credits(billing_sim_t *s) { int n; LOCKED(n = s->ncredits); return n; }
int bsim_reversals(billing_sim_t *s) { int n; LOCKED(n = s->reversals); return n; }
int bsim_writeoff_calls(billing_sim_t *s) { int n; LOCKED(n = s->calls); return n; }
int bsim_fetches(billing_sim_t *s) { int n; LOCKED(n = s->fetches); return n; }
int bsim_bad_requests(billing_sim_t *s) { int n; LOCKED(n = s->bad); return n; }

bool bsim_bill_paid(billing_sim_t *s, const char *ref)
{
    bool paid = false;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < s->nbills; i++)
        if (!strcmp(s->bills[i].ref, ref)) paid = s->bills[i].paid;
    pthread_mutex_unlock(&s->lock);
    return paid;
}
