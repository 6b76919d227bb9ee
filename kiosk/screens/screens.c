#include "screens/screens.h"

static const screen_t *const table[SCR_COUNT] = {
    [SCR_ATTRACT] = &screen_attract,
    [SCR_HOME] = &screen_home,
    [SCR_BILLS] = &screen_bills,
    [SCR_HOUSEKEEPING] = &screen_housekeeping,
    [SCR_NOTICES] = &screen_notices,
    [SCR_SCAN] = &screen_identify,
    [SCR_GUIDE] = &screen_guide,
    [SCR_HELP] = &screen_help,
    [SCR_STAFF_PIN] = &screen_staff_pin,
    [SCR_STAFF_MENU] = &screen_staff_menu,
    [SCR_FAULT] = &screen_fault,
};

const screen_t *screen_get(screen_id_t id)
{
    return id < SCR_COUNT && table[id] ? table[id] : &screen_home;
}
