/* Housekeeping booking screens: placeholders until the flow is built. */
#include "screens/screens.h"

SCREEN_STUB(screen_hk_slots, "hk_slots", true);
SCREEN_STUB(screen_hk_who, "hk_who", true);
SCREEN_STUB(screen_hk_confirm, "hk_confirm", true);
SCREEN_STUB(screen_hk_done, "hk_done", true);
SCREEN_STUB(screen_hk_mine, "hk_mine", true);
