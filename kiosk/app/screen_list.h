/* Every screen of the kiosk, one line each: SCREEN(ID, name) says that the
 * screen with id ID (a screen_id_t) is the `const screen_t screen_<name>`
 * defined in its screen file, and that `name` is its stable name (--screen,
 * the tour's file names, logs). The order is the order of screen_id_t.
 *
 * This file is an X-macro list with no include guard: define SCREEN, include
 * it, undefine SCREEN. It generates the screen_id_t enum (app/app.h), the
 * extern declarations (app/screens.h), the screen table (app/screens.c) and
 * the names (app/app.c). Adding a screen = its file + one line here. */
SCREEN(SCR_ATTRACT, attract)
SCREEN(SCR_HOME, home)
SCREEN(SCR_BILLS, bills)
SCREEN(SCR_HOUSEKEEPING, housekeeping)
SCREEN(SCR_NOTICES, notices)
SCREEN(SCR_SCAN, scan)
SCREEN(SCR_GUIDE, guide)
SCREEN(SCR_HELP, help)
SCREEN(SCR_STAFF_PIN, staff_pin)
SCREEN(SCR_STAFF_MENU, staff_menu)
SCREEN(SCR_FAULT, fault)
/* bills and payment */
SCREEN(SCR_BILLS_ACCOUNT, bills_account)
SCREEN(SCR_BILLS_SCAN, bills_scan)
SCREEN(SCR_BILLS_LIST, bills_list)
SCREEN(SCR_PAY_QR, pay_qr)
SCREEN(SCR_PAY_CODE, pay_code)
SCREEN(SCR_PAY_RESULT, pay_result)
/* housekeeping */
SCREEN(SCR_HK_SLOTS, hk_slots)
SCREEN(SCR_HK_WHO, hk_who)
SCREEN(SCR_HK_CONFIRM, hk_confirm)
SCREEN(SCR_HK_DONE, hk_done)
SCREEN(SCR_HK_MINE, hk_mine)
/* information */
SCREEN(SCR_NOTICE, notice)
SCREEN(SCR_GUIDE_DETAIL, guide_detail)
SCREEN(SCR_REGISTER, register)
/* street display */
SCREEN(SCR_STREET, street)
SCREEN(SCR_MAP, map)
