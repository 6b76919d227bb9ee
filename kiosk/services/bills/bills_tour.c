/* The bills and payment screens on the tour's sample data,
 * ASSETS_DIR/tour/bills.json (app/tour_data.h): the look-up's answer read by
 * the hub client's own parser (hub_parse_accounts), then the payment
 * engine's snapshot each payment state shows. */
#include <stdio.h>
#include <string.h>
#include "app/app.h"
#include "app/tour_data.h"
#include "core/clock.h"
#include "net/jsonread.h"
#include "services/bills/bills.h"

/* A payment snapshot of "payments": the fields of pay_event_t that the
 * screens show, nothing else (a misspelt field is an error, not a default). */
static int payment(const tour_data_t *d, const cJSON *o, const char *name, pay_event_t *p,
                   bool *started, bool *printed)
{
    static const char *const known[] = {"method", "state", "unknown", "code_url", "left_ms",
                                        "reason", "transaction_id", "started", "printed", NULL};
    char path[64], method[8], state[16], err[160] = "";
    jr_err_t e = {err, sizeof err};
    snprintf(path, sizeof path, "payments.%s", name);
    for (const cJSON *v = o->child; v; v = v->next) {
        const char *const *k = known;
        while (*k && strcmp(*k, v->string) != 0) k++;
        if (!*k) return tour_data_fail(d, "%s.%s: not a field of a payment", path, v->string);
    }
    const cJSON *unknown = jr_field(o, "unknown"), *st = jr_field(o, "started"),
                *pr = jr_field(o, "printed"), *left = jr_field(o, "left_ms");
    long long left_ms = -1;
    if (jr_str(o, path, "method", method, sizeof method, &e) ||
        jr_str(o, path, "state", state, sizeof state, &e) ||
        jr_opt_str(o, path, "code_url", p->code_url, sizeof p->code_url, &e) ||
        jr_opt_str(o, path, "reason", p->reason, sizeof p->reason, &e) ||
        jr_opt_str(o, path, "transaction_id", p->transaction_id, sizeof p->transaction_id, &e) ||
        (left && jr_int(o, path, "left_ms", 0, 24 * 3600 * 1000, &left_ms, &e)))
        return tour_data_fail(d, "%s", err);
    int s = pay_state_parse(state);
    if (s < 0) return tour_data_fail(d, "%s.state: not a payment state", path);
    if (strcmp(method, "qr") != 0 && strcmp(method, "code") != 0)
        return tour_data_fail(d, "%s.method: not qr or code", path);
    if ((unknown && !cJSON_IsBool(unknown)) || (st && !cJSON_IsBool(st)) || (pr && !cJSON_IsBool(pr)))
        return tour_data_fail(d, "%s: unknown, started and printed are true or false", path);
    p->state = (pay_state_t)s;
    p->method = method[0] == 'q' ? PAY_QR : PAY_CODE;
    p->unknown = cJSON_IsTrue(unknown);
    p->left_ms = left_ms;
    *started = !st || cJSON_IsTrue(st);
    *printed = cJSON_IsTrue(pr);
    return 0;
}

/* The accounts found by ID card (and the account number typed when TYPING)
 * and, for STATE (a key of "payments") other than NULL, the payment of
 * their unpaid bills in that state. */
static int sample(app_t *app, const char *state, bool typing)
{
    bills_t *b = app->bills;
    hub_accounts_t acc;
    pay_event_t p = {0};
    bool started = true, printed = false;
    char typed[sizeof b->digits], err[160], *text = NULL;
    tour_data_t d;
    int rc = tour_data_open(&d, app->cfg.assets_dir, "bills.json");
    if (rc != 0) goto done;
    if (!(text = tour_data_answer(&d, NULL, "lookup"))) goto bad;
    if (hub_parse_accounts(text, strlen(text), &acc, err, sizeof err) != 0) {
        rc = tour_data_fail(&d, "\"lookup\": %s", err);
        goto done;
    }
    if ((rc = tour_data_str(&d, NULL, "typed_account", typed, sizeof typed)) ||
        (rc = tour_data_str(&d, NULL, "out_trade_no", p.out_trade_no, sizeof p.out_trade_no)))
        goto done;
    if (state) {
        const cJSON *pays = tour_data_obj(&d, NULL, "payments"), *o = pays ? tour_data_obj(&d, pays, state) : NULL;
        if (!o) goto bad;
        if ((rc = payment(&d, o, state, &p, &started, &printed))) goto done;
    }

    explicit_bzero(b, sizeof *b);
    b->utility = 0;                        /* the account screen on its first utility */
    b->hub_ok = 1;
    b->how = BILLS_FIND_CARD;
    bills_show_accounts(app, &acc);
    if (typing) {
        snprintf(b->digits, sizeof b->digits, "%s", typed);
        b->n_digits = (int)strlen(typed);
    }
    if (!state) goto done;
    bills_keep_lines(app);
    bills_selected(app, NULL, 0, &b->total_fen);
    b->paying = true;
    b->pay_started = started;
    b->printed = printed;
    snprintf(b->pay_no, sizeof b->pay_no, "%s", p.out_trade_no);
    p.amount_fen = b->total_fen;
    b->pay = p;
    b->method = p.method;
    b->deadline_mono = p.left_ms >= 0 ? clock_mono_ms() + (uint64_t)p.left_ms : 0;
    goto done;
bad:
    rc = TOUR_BAD_DATA;
done:
    explicit_bzero(&acc, sizeof acc);
    cJSON_free(text);
    tour_data_close(&d);
    return rc;
}

int bills_tour(app_t *app, const char *name)
{
    static const struct { const char *name; screen_id_t screen; } states[] = {
        {"bills_account", SCR_BILLS_ACCOUNT},
        {"bills_scan", SCR_BILLS_SCAN},
        {"bills_list", SCR_BILLS_LIST},
        {"pay_qr", SCR_PAY_QR},
        {"pay_confirming", SCR_PAY_QR},
        {"pay_code", SCR_PAY_CODE},
        {"pay_code_confirm", SCR_PAY_CODE},
        {"pay_paid", SCR_PAY_RESULT},
        {"pay_failed", SCR_PAY_RESULT},
        {"pay_expired", SCR_PAY_RESULT},
        {"pay_unavailable", SCR_PAY_RESULT},
        {"pay_refused", SCR_PAY_RESULT},
    };
    for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
        if (strcmp(states[i].name, name) != 0) continue;
        screen_id_t s = states[i].screen;
        bool finding = s == SCR_BILLS_ACCOUNT || s == SCR_BILLS_SCAN;
        app_go(app, SCR_BILLS);
        int rc = sample(app, finding || s == SCR_BILLS_LIST ? NULL : name, s == SCR_BILLS_ACCOUNT);
        if (rc != 0) return rc;
        if (!finding) app_go(app, SCR_BILLS_LIST);
        app_go(app, s);
        return 0;
    }
    return TOUR_UNKNOWN;
}
