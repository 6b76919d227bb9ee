/* The street info-display mode (kiosk.ini mode = street): a scheduled
 * full-screen carousel between passers-by, emergency alerts over it, a night
 * schedule, proof of play. The state lives in app->street (struct
 * street_state, allocated by street_init). */
#ifndef KIOSK_APP_STREET_H
#define KIOSK_APP_STREET_H

#include <stdint.h>

struct app;

void street_init(struct app *app);
void street_free(struct app *app);
/* The screen shown when nobody uses the kiosk: SCR_STREET in street mode,
 * else SCR_ATTRACT (an int to keep this header free of app.h). */
int street_idle_screen(const struct app *app);
/* Timers (carousel steps, alerts expiring, the night schedule). */
void street_tick(struct app *app);
/* Milliseconds until street_tick has something to do; UINT64_MAX if never. */
uint64_t street_wait_ms(const struct app *app);
void street_event(struct app *app, void *payload);   /* takes it */
void street_event_free(void *payload);

#endif
