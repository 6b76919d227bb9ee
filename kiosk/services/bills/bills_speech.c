/* What the bills screens say with the session's data (the announce hook
 * of app/service.h): the bills ticked and their total on the list, and the
 * payment's outcome with the amount paid, read as a person says money. */
#include <stdio.h>
#include <string.h>
#include "app/app.h"
#include "app/speech.h"
#include "core/i18n.h"
#include "services/bills/bills.h"
#include "services/bills/pay.h"

static bool list_words(app_t *app, char *out, size_t len)
{
    long long ids[HUB_MAX_ORDER_BILLS], total = 0;
    int n = bills_selected(app, ids, HUB_MAX_ORDER_BILLS, &total);
    if (n <= 0)
        return false;                 /* nothing to pay: the screen's own words */
    char count[64], amount[160];
    speak_count(speech_lang(app), n, count, sizeof count);
    speak_amount(speech_lang(app), total, amount, sizeof amount);
    /* TRANSLATORS: spoken; the first %s is the number of bills in words,
     * the second the total in words ("九百一十四元七角七分"). */
    snprintf(out, len, _("Bills ticked: %s, %s in all. Check them, then choose how to pay."), count,
             amount);
    return true;
}

static bool result_words(app_t *app, char *out, size_t len, tone_t *tone)
{
    const pay_event_t *p = &app->bills->pay;
    if (!pay_is_final(p->state))
        return false;
    if (p->state != PAY_PAID) {
        const char *title, *body;
        pay_outcome(p, &title, &body);
        snprintf(out, len, "%s%s%s", title, speech_lang(app) == SPEAK_ZH ? "。" : ". ", body);
        *tone = TONE_ERROR;
        return true;
    }
    char amount[160];
    speak_amount(speech_lang(app), p->amount_fen, amount, sizeof amount);
    /* TRANSLATORS: spoken; %s is the amount in words ("九百一十四元七角七分"). */
    int k = snprintf(out, len, _("Payment successful. You paid %s in all."), amount);
    if (k > 0 && (size_t)k < len)
        snprintf(out + k, len - (size_t)k, "%s%s", speech_lang(app) == SPEAK_ZH ? "" : " ",
                 app->receipt_qr[0] ? _("The printer cannot print right now: take the receipt with your phone from the QR code.")
                                    : _("Your receipt is being printed: please take your receipt."));
    *tone = TONE_SUCCESS;
    return true;
}

bool bills_announce(app_t *app, int screen, char *out, size_t len, tone_t *tone)
{
    if (!app->bills)
        return false;
    if (screen == SCR_BILLS_LIST)
        return list_words(app, out, len);
    if (screen == SCR_PAY_RESULT)
        return result_words(app, out, len, tone);
    return false;
}
