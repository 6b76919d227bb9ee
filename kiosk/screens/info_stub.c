/* Information detail screens: placeholders until they are built. */
#include "screens/screens.h"

SCREEN_STUB(screen_notice, "notice", false);
SCREEN_STUB(screen_guide_detail, "guide_detail", false);
SCREEN_STUB(screen_register, "register", true);
