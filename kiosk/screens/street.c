/* Street display screens: placeholders until the carousel is built. */
#include "screens/screens.h"

SCREEN_STUB(screen_street, "street", false);
SCREEN_STUB(screen_map, "map", false);
