/* Sample data for tests, from the same data files as the tour: the sample
 * notices of assets/tour/notices.json, which no real kiosk's database holds.
 * Main thread only; fails the test on error. */
#ifndef KIOSK_TEST_FIXTURE_H
#define KIOSK_TEST_FIXTURE_H

#include "app/app.h"

/* Adds the sample notices (both locales) to APP's database and reloads the
 * app's notices. Returns how many were added. */
int fixture_notices(app_t *app);

#endif
