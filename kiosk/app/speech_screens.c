/* What each screen says on arrival: one message per screen, "speak:<name>",
 * translated in every locales/LANG.po (tests/tools/check_locales.sh fails
 * on a locale without it). Listed here, not built from the name, so that
 * xgettext sees every msgid. A screen whose words depend on the session's
 * data adds a service announce hook (app/service.h) on top. */
#include "app/speech.h"

#include "app/app.h"
#include "core/i18n.h"

static const char *const msgids[SCR_COUNT] = {
    [SCR_ATTRACT] = N_("speak:attract"),
    [SCR_HOME] = N_("speak:home"),
    [SCR_BILLS] = N_("speak:bills"),
    [SCR_HOUSEKEEPING] = N_("speak:housekeeping"),
    [SCR_NOTICES] = N_("speak:notices"),
    [SCR_SCAN] = N_("speak:scan"),
    [SCR_GUIDE] = N_("speak:guide"),
    [SCR_HELP] = N_("speak:help"),
    [SCR_STAFF_PIN] = N_("speak:staff_pin"),
    [SCR_STAFF_MENU] = N_("speak:staff_menu"),
    [SCR_FAULT] = N_("speak:fault"),
    [SCR_BILLS_ACCOUNT] = N_("speak:bills_account"),
    [SCR_BILLS_SCAN] = N_("speak:bills_scan"),
    [SCR_BILLS_LIST] = N_("speak:bills_list"),
    [SCR_PAY_QR] = N_("speak:pay_qr"),
    [SCR_PAY_CODE] = N_("speak:pay_code"),
    [SCR_PAY_RESULT] = N_("speak:pay_result"),
    [SCR_HK_SLOTS] = N_("speak:hk_slots"),
    [SCR_HK_WHO] = N_("speak:hk_who"),
    [SCR_HK_CONFIRM] = N_("speak:hk_confirm"),
    [SCR_HK_DONE] = N_("speak:hk_done"),
    [SCR_HK_MINE] = N_("speak:hk_mine"),
    [SCR_NOTICE] = N_("speak:notice"),
    [SCR_GUIDE_DETAIL] = N_("speak:guide_detail"),
    [SCR_REGISTER] = N_("speak:register"),
    [SCR_STREET] = N_("speak:street"),
    [SCR_MAP] = N_("speak:map"),
};

const char *speech_screen_msgid(int screen)
{
    return screen >= 0 && screen < SCR_COUNT ? msgids[screen] : NULL;
}
