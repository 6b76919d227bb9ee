#include "services/bills/bills.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "app/app.h"
#include "app/receipt_items.h"
#include "services/identify/identify_service.h"
#include "core/clock.h"
#include "app/screens.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/money.h"
#include "mask.h"

const char *const bills_utility_ids[BILLS_UTILITIES] = {"water", "electricity", "gas", "heating"};

const char *bills_utility_name(const char *utility)
{
    if (!strcmp(utility, "water")) return _("Water");
    if (!strcmp(utility, "electricity")) return _("Electricity");
    if (!strcmp(utility, "gas")) return _("Gas");
    if (!strcmp(utility, "heating")) return _("Heating");
    return "?";
}

/* ---- session ------------------------------------------------------------ */

static bool unfinished(const bills_t *b)
{
    return b->paying && b->pay_started && !pay_is_final(b->pay.state);
}

void bills_session_end(app_t *app)
{
    bills_t *b = app->bills;
    if (unfinished(b) && app->pay) {
        log_info("bills", "session ended during payment %s: it resolves in the background", b->pay_no);
        pay_engine_detach(app->pay, b->pay_no);
    }
    lookup_forget(app->lookup);          /* a look-up not sent yet goes too */
    explicit_bzero(b, sizeof *b);
    b->utility = -1;
    b->hub_ok = -1;
}

/* ---- look-ups ----------------------------------------------------------- */

static void submit(app_t *app, bills_find_t how, lookup_kind_t kind, const char *a, const char *c)
{
    bills_t *b = app->bills;
    b->msg[0] = '\0';
    b->how = how;
    b->gen++;
    if (lookup_submit(app->lookup, kind, a, c, b->gen) != 0) {
        b->busy = false;
        snprintf(b->msg, sizeof b->msg, "%s",
                 _("The bill service cannot be reached right now. Please try again later, or ask staff."));
    } else {
        b->busy = true;
    }
    app->dirty = true;
}

void bills_find_account(app_t *app)
{
    bills_t *b = app->bills;
    if (b->utility < 0 || b->utility >= BILLS_UTILITIES) {
        snprintf(b->msg, sizeof b->msg, "%s", _("Please choose water, electricity, gas or heating first."));
        app->dirty = true;
        return;
    }
    if (b->n_digits < 6) {
        snprintf(b->msg, sizeof b->msg, "%s", _("An account number has 6 to 20 digits. Please check the number on your bill."));
        app->dirty = true;
        return;
    }
    submit(app, BILLS_FIND_ACCOUNT, LOOKUP_ACCOUNT, bills_utility_ids[b->utility], b->digits);
}

void bills_find_qr(app_t *app, const char *payload)
{
    submit(app, BILLS_FIND_QR, LOOKUP_BILL_QR, payload, NULL);
}

void bills_find_id(app_t *app, const char *id_number)
{
    submit(app, BILLS_FIND_CARD, LOOKUP_ID_NUMBER, id_number, NULL);
}

void bills_find_rescode(app_t *app, const char *payload)
{
    submit(app, BILLS_FIND_RESCODE, LOOKUP_RESCODE, payload, NULL);
}

/* Every unpaid bill starts selected (per account, up to what one order can
 * pay: an order pays one account's bills). */
static void select_unpaid(bills_t *b)
{
    memset(b->sel, 0, sizeof b->sel);
    for (int i = 0; i < b->acc.n; i++)
        for (int j = 0, n = 0; j < b->acc.a[i].n_bills; j++)
            if (!b->acc.a[i].bills[j].paid && n < HUB_MAX_ORDER_BILLS) {
                b->sel[i][j] = true;
                n++;
            }
}

static void refused_text(const bills_t *b, const hub_status_t *st, char *out, size_t len)
{
    const char *c = st->code;
    if (!strcmp(c, "unknown_account"))
        snprintf(out, len, "%s", _("No account with this number was found. Please check the utility and the number on your bill."));
    else if (!strcmp(c, "invalid_qr"))
        snprintf(out, len, "%s", _("This QR code is not a bill the kiosk knows. Please type the account number instead."));
    else if (!strcmp(c, "unknown_resident") && b->how == BILLS_FIND_RESCODE)
        /* Expired, replaced, revoked or no accounts: the hub does not say
         * which, and the resident's next step is the same. */
        snprintf(out, len, "%s", _("This resident code cannot be used: it may have expired or been replaced by a newer one. Please ask staff for a new code, or use your ID card or the account number."));
    else if (!strcmp(c, "unknown_resident"))
        snprintf(out, len, "%s", _("No utility accounts are linked to this ID card. Please use the account number on your bill."));
    else if (!strcmp(c, "invalid_id_number"))
        snprintf(out, len, "%s", _("This ID card could not be used. Please use the account number on your bill."));
    else if (!strcmp(c, "invalid_field") || !strcmp(c, "missing_field"))
        snprintf(out, len, "%s", _("An account number has 6 to 20 digits. Please check the number on your bill."));
    else
        snprintf(out, len, "%s", _("The bill could not be looked up. Please try again, or ask staff."));
}

void bills_show_accounts(app_t *app, const hub_accounts_t *acc)
{
    bills_t *b = app->bills;
    b->acc = *acc;
    b->shown = 0;
    b->bill_page = 0;
    select_unpaid(b);
}

void bills_lookup_result(app_t *app, lookup_result_t *r)
{
    bills_t *b = app->bills;
    if (!r) return;
    if (r->gen != b->gen || app->session.state == SESSION_IDLE) {
        lookup_result_free(r);
        return;
    }
    if (r->kind == LOOKUP_HEALTH) {
        b->hub_ok = r->st.result == HUB_OK;
        app->dirty = true;
        lookup_result_free(r);
        return;
    }
    b->busy = false;
    if (r->st.result == HUB_OK && r->acc.n > 0) {
        bills_show_accounts(app, &r->acc);
        log_info("bills", "found %d account(s) in %d ms", r->acc.n, r->elapsed_ms);
        app_go(app, SCR_BILLS_LIST);
    } else if (r->st.result == HUB_OK) {
        snprintf(b->msg, sizeof b->msg, "%s", _("No accounts were found."));
    } else if (r->st.result == HUB_REFUSED) {
        refused_text(b, &r->st, b->msg, sizeof b->msg);
    } else if (hub_status_busy(&r->st)) {
        snprintf(b->msg, sizeof b->msg, "%s", screen_busy_text());
    } else {
        snprintf(b->msg, sizeof b->msg, "%s",
                 _("The bill service cannot be reached right now. Please try again later, or ask staff."));
    }
    app->dirty = true;
    lookup_result_free(r);
}

/* ---- selection ---------------------------------------------------------- */

int bills_selected(const app_t *app, long long *ids, int max, long long *total_fen)
{
    const bills_t *b = app->bills;
    int n = 0;
    long long total = 0;
    int i = b->shown;
    if (i >= 0 && i < b->acc.n)
        for (int j = 0; j < b->acc.a[i].n_bills; j++) {
            const hub_bill_t *bl = &b->acc.a[i].bills[j];
            if (bl->paid || !b->sel[i][j]) continue;
            if (ids && n < max) ids[n] = bl->id;
            n++;
            total += bl->amount_fen + bl->late_fee_fen;
        }
    if (total_fen) *total_fen = total;
    return n;
}

void bills_toggle(app_t *app, int account, int bill)
{
    bills_t *b = app->bills;
    if (account < 0 || account >= b->acc.n || bill < 0 || bill >= b->acc.a[account].n_bills ||
        b->acc.a[account].bills[bill].paid)
        return;
    if (!b->sel[account][bill] && bills_selected(app, NULL, 0, NULL) >= HUB_MAX_ORDER_BILLS) {
        app_toast(app, _("At most 12 bills can be paid at once."));
        return;
    }
    b->sel[account][bill] = !b->sel[account][bill];
    app->dirty = true;
}

/* ---- paying ------------------------------------------------------------- */

void bills_keep_lines(app_t *app)
{
    bills_t *b = app->bills;
    b->n_lines = 0;
    int i = b->shown;
    if (i < 0 || i >= b->acc.n) return;
    const hub_account_t *a = &b->acc.a[i];
    for (int j = 0; j < a->n_bills; j++) {
        const hub_bill_t *bl = &a->bills[j];
        if (bl->paid || !b->sel[i][j] || b->n_lines >= HUB_MAX_ORDER_BILLS) continue;
        bills_line_t *l = &b->lines[b->n_lines++];
        *l = (bills_line_t){.fen = 0};
        memcpy(l->utility, a->utility, strnlen(a->utility, sizeof l->utility - 1));
        mask_id(a->account, l->account, sizeof l->account);
        memcpy(l->period, bl->period, strnlen(bl->period, sizeof l->period - 1));
        l->fen = bl->amount_fen + bl->late_fee_fen;
        l->id = bl->id;
    }
}

int bills_owed(const app_t *app, long long *fen)
{
    const bills_t *b = app->bills;
    int n = 0;
    long long total = 0;
    for (int i = 0; i < b->acc.n; i++)
        for (int j = 0; j < b->acc.a[i].n_bills; j++) {
            const hub_bill_t *bl = &b->acc.a[i].bills[j];
            if (bl->paid) continue;
            n++;
            total += bl->amount_fen + bl->late_fee_fen;
        }
    if (fen) *fen = total;
    return n;
}

static int begin(app_t *app, pay_method_t method, const char *auth_code)
{
    bills_t *b = app->bills;
    long long ids[HUB_MAX_ORDER_BILLS];
    long long total;
    int n = bills_selected(app, ids, HUB_MAX_ORDER_BILLS, &total);
    if (!app->pay || pay_engine_begin(app->pay, method, ids, n, total, auth_code, NULL,
                                      b->pay_no, sizeof b->pay_no) != 0) {
        app_toast(app, _("These bills are being paid right now. Please wait a moment and look them up again."));
        return -1;
    }
    memset(&b->pay, 0, sizeof b->pay);
    snprintf(b->pay.out_trade_no, sizeof b->pay.out_trade_no, "%s", b->pay_no);
    b->pay.method = method;
    b->pay.state = PAY_CREATING;
    b->pay.amount_fen = total;
    b->pay.left_ms = -1;
    b->pay_started = true;
    b->deadline_mono = 0;
    log_info("bills", "payment %s started (%s, %d bills)", b->pay_no, method == PAY_QR ? "qr" : "code", n);
    return 0;
}

void bills_pay(app_t *app, pay_method_t method)
{
    bills_t *b = app->bills;
    long long total;
    int n = bills_selected(app, NULL, 0, &total);
    if (n == 0) {
        app_toast(app, _("Please choose at least one bill to pay."));
        return;
    }
    if (unfinished(b)) {          /* one payment at a time in a visit */
        app_go(app, b->method == PAY_QR ? SCR_PAY_QR : SCR_PAY_CODE);
        return;
    }
    bills_keep_lines(app);
    b->total_fen = total;
    b->method = method;
    b->paying = true;
    b->pay_started = false;
    b->printed = false;
    b->code_msg[0] = '\0';
    memset(&b->pay, 0, sizeof b->pay);
    b->pay.state = PAY_CREATING;
    b->pay.amount_fen = total;
    if (method == PAY_QR) {
        if (begin(app, PAY_QR, NULL) != 0) {
            b->paying = false;
            return;
        }
        app_go(app, SCR_PAY_QR);
    } else {
        /* A payment code is taken only while the hub answers. */
        b->hub_ok = -1;
        b->gen++;
        if (lookup_submit(app->lookup, LOOKUP_HEALTH, NULL, NULL, b->gen) != 0) b->hub_ok = 0;
        app_go(app, SCR_PAY_CODE);
    }
}

void bills_code_scanned(app_t *app, ident_event_t *ev)
{
    bills_t *b = app->bills;
    if (ev->kind != IDENT_CODE || b->pay_started) {   /* cards mean nothing here */
        identify_event_free(ev);
        return;
    }
    if (ev->info.cls != QR_CLASS_PAYMENT_CODE) {
        snprintf(b->code_msg, sizeof b->code_msg, "%s",
                 _("This is not a payment code. Please open the payment code in WeChat or Alipay."));
    } else if (b->hub_ok != 1 || !pay_engine_hub_reachable(app->pay)) {
        snprintf(b->code_msg, sizeof b->code_msg, "%s",
                 _("The payment service cannot be reached right now, so no payment code is taken. Nothing was charged. Please try again later, or pay with the QR code."));
    } else if (begin(app, PAY_CODE, ev->info.pay.code) == 0) {
        b->code_msg[0] = '\0';
        identify_service_leave(app);    /* one code per payment */
    }
    identify_event_free(ev);            /* wipes the code */
    app->dirty = true;
}

void bills_pay_cancel(app_t *app)
{
    bills_t *b = app->bills;
    if (unfinished(b)) {
        log_info("bills", "payment %s: resident cancelled", b->pay_no);
        if (app->pay) pay_engine_cancel(app->pay, b->pay_no);
        b->pay.left_ms = -1;
        b->deadline_mono = 0;
        b->pay.state = b->pay.state == PAY_CREATING ? PAY_CREATING : PAY_CANCELLING;
        app->dirty = true;
    } else if (b->paying && !b->pay_started) {
        b->paying = false;
    }
}

/* ---- the receipt ---------------------------------------------------------- */

static void print_receipt(app_t *app)
{
    bills_t *b = app->bills;
    char when[32], money[32], line[256], qr[160];
    time_t now = clock_wall();
    struct tm tm;
    clock_cst(now, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    money_yuan(b->pay.amount_fen, money, sizeof money);

    cJSON *r = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(r, "items");
    receipt_add_text(items, _("Payment receipt"), "center", true, 2);
    snprintf(line, sizeof line, "%s  %s", app->cfg.kiosk_id, when);
    receipt_add_text(items, line, "center", false, 1);
    receipt_add_rule(items);
    for (int i = 0; i < b->n_lines; i++) {
        char m[32];
        money_yuan(b->lines[i].fen, m, sizeof m);
        snprintf(line, sizeof line, "%s %s\n%s  %s", bills_utility_name(b->lines[i].utility),
                 b->lines[i].account, b->lines[i].period, m);
        receipt_add_text(items, line, NULL, false, 1);
    }
    receipt_add_rule(items);
    snprintf(line, sizeof line, _("Total paid: %s"), money);
    receipt_add_text(items, line, NULL, true, 1);
    snprintf(line, sizeof line, _("Order: %s"), b->pay_no);
    receipt_add_text(items, line, NULL, false, 1);
    if (b->pay.transaction_id[0]) {
        snprintf(line, sizeof line, _("Transaction: %s"), b->pay.transaction_id);
        receipt_add_text(items, line, NULL, false, 1);
    }
    receipt_add_text(items, b->method == PAY_QR ? _("Paid by QR code") : _("Paid by payment code"), NULL, false, 1);
    snprintf(qr, sizeof qr, "XFL-RCPT:1:%s:%lld:%s", b->pay_no, b->pay.amount_fen, b->pay.transaction_id);
    receipt_add_qr(items, qr);
    receipt_add_text(items, _("Scan to check this payment"), "center", false, 1);
    receipt_add_end(items);
    char *json = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);

    char summary[400];
    int k = snprintf(summary, sizeof summary, "%s %s %s %s %s", _("Payment receipt"), money, when,
                     app->cfg.kiosk_id, b->pay_no);
    for (int i = 0; i < b->n_lines && k > 0 && k < (int)sizeof summary; i++)
        k += snprintf(summary + k, sizeof summary - (size_t)k, " %s %s %s",
                      bills_utility_name(b->lines[i].utility), b->lines[i].account, b->lines[i].period);
    if (json) app_print_receipt(app, json, summary);
    free(json);
    b->printed = true;
}

/* ---- payment events ------------------------------------------------------ */

/* Exactly the bills of the order (its lines) are paid, whatever is ticked. */
static bool in_order(const bills_t *b, long long id)
{
    for (int k = 0; k < b->n_lines; k++)
        if (b->lines[k].id == id) return true;
    return false;
}

static void mark_paid(bills_t *b)
{
    for (int i = 0; i < b->acc.n; i++) {
        hub_account_t *a = &b->acc.a[i];
        for (int j = 0; j < a->n_bills; j++)
            if (!a->bills[j].paid && in_order(b, a->bills[j].id)) {
                a->bills[j].paid = true;
                a->due_fen -= a->bills[j].amount_fen + a->bills[j].late_fee_fen;
                b->sel[i][j] = false;
            }
    }
}

void bills_pay_event(app_t *app, pay_event_t *ev)
{
    bills_t *b = app->bills;
    if (!ev) return;
    bool mine = app->session.state != SESSION_IDLE && b->paying && b->pay_started &&
                !strcmp(ev->out_trade_no, b->pay_no);
    if (pay_is_final(ev->state))
        log_info("bills", "payment %s: %s%s%s%s", ev->out_trade_no, pay_state_name(ev->state),
                 ev->reason[0] ? " (" : "", ev->reason, ev->reason[0] ? ")" : "");
    if (!mine) {
        free(ev);
        return;
    }
    /* A report sent before the resident's cancel reached the engine must not
     * bring the QR code back. */
    bool cancelling = b->pay.state == PAY_CANCELLING && !pay_is_final(ev->state);
    if (!strcmp(ev->reason, "storage"))
        app_storage_fault(app, "payment", "the payment could not be recorded (nothing was charged)");
    b->pay = *ev;
    if (cancelling) {
        b->pay.state = PAY_CANCELLING;
        b->pay.left_ms = -1;
    }
    b->deadline_mono = b->pay.left_ms >= 0 ? clock_mono_ms() + (uint64_t)b->pay.left_ms : 0;
    if (pay_is_final(ev->state)) {
        if (ev->state == PAY_PAID) {
            mark_paid(b);
            if (!b->printed) print_receipt(app);
        }
        if (app->screen == SCR_PAY_QR || app->screen == SCR_PAY_CODE) {
            app_back(app);             /* "back" from the result leads to the bills */
            app_go(app, SCR_PAY_RESULT);
        } else if (ev->state == PAY_PAID) {
            app_toast(app, _("Your payment was received."));
        }
    }
    app->dirty = true;
    free(ev);
}

int bills_seconds_left(const app_t *app)
{
    uint64_t now = clock_mono_ms(), d = app->bills->deadline_mono;
    return d > now ? (int)((d - now + 999) / 1000) : 0;
}
