/* What the housekeeping screens say with the session's data (the announce
 * hook of app/service.h): a booking read back with its day and time as a
 * person says them, the check-in code only into headphones, and an honest
 * "not confirmed yet" for a booking saved while the hub was away. */
#include <stdio.h>
#include <string.h>
#include "app/app.h"
#include "app/speech.h"
#include "core/clock.h"
#include "core/i18n.h"
#include "services/housekeeping/housekeeping.h"

/* Appends " TEXT" (no space in Mandarin) to OUT. */
static void add(const app_t *app, char *out, size_t len, const char *text)
{
    size_t n = strlen(out);
    if (n < len)
        snprintf(out + n, len - n, "%s%s", n && speech_lang(app) != SPEAK_ZH ? " " : "", text);
}

/* CODE digit by digit; six digits in the two groups the screen and the
 * slip show ("四八二，九一三"), an old code as speak_digits reads it. */
static void speak_code(speak_lang_t lang, const char *code, char *out, size_t len)
{
    if (strlen(code) != HUB_HK_CODE_DIGITS) {
        speak_digits(lang, code, out, len);
        return;
    }
    char head[4], first[32], second[32];     /* three digits: at most 17 bytes */
    snprintf(head, sizeof head, "%.3s", code);
    speak_digits(lang, head, first, sizeof first);
    speak_digits(lang, code + 3, second, sizeof second);
    snprintf(out, len, "%s%s%s", first, lang == SPEAK_ZH ? "，" : ", ", second);
}

bool hk_announce(app_t *app, int screen, char *out, size_t len, tone_t *tone)
{
    const struct hk_state *hk = app->hk;
    if (screen != SCR_HK_DONE || !hk)
        return false;
    speak_lang_t lang = speech_lang(app);
    out[0] = '\0';
    if (hk->pending) {
        add(app, out, len, _("Saved: waiting for confirmation"));
        add(app, out, len, lang == SPEAK_ZH ? "。" : ".");
        add(app, out, len, _("The booking service cannot be reached right now. Your booking is saved on this kiosk and is sent as soon as the connection is back; it is not confirmed yet. Keep the reference, and look under \"My bookings\" on your next visit, or call the office."));
        return true;
    }
    if (!hk->booked)
        return false;
    const hub_hk_booking_t *b = &hk->booking;
    struct tm tm;
    clock_cst(b->slot.start, &tm);
    char date[96], time[96], line[512];
    speak_date(lang, tm.tm_mon + 1, tm.tm_mday, tm.tm_wday, date, sizeof date);
    speak_time(lang, tm.tm_hour, tm.tm_min, time, sizeof time);
    /* TRANSLATORS: spoken; the service's name, the day in words ("十二月二十日
     * 星期日"), the time in words ("上午九点半"). */
    snprintf(line, sizeof line, _("Booked: %s, %s at %s."), hk_booking_service(app, b), date, time);
    add(app, out, len, line);
    /* The code proves "my bookings" are the resident's: read aloud only
     * into headphones; the screen and the slip show it. */
    if (speech_output(app) == SPEAK_HEADPHONES) {
        char code[96];
        speak_code(lang, b->code, code, sizeof code);
        snprintf(line, sizeof line, "%s%s%s", _("Check-in code"), lang == SPEAK_ZH ? "：" : ": ", code);
        add(app, out, len, line);
        add(app, out, len, lang == SPEAK_ZH ? "。" : ".");
    }
    add(app, out, len, app->receipt_qr[0]
                           ? _("The printer cannot print right now: keep the code with your phone from the QR code.")
                           : _("Your booking slip is being printed: please take your slip."));
    *tone = TONE_SUCCESS;
    return true;
}
