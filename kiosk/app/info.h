/* Information for residents and passers-by: notices, events, library,
 * lectures and service guides from the hub, with "take it with you" QR codes
 * and event registration. The state lives in app->info (struct info_state,
 * allocated by info_init), its personal parts wiped by info_session_end. */
#ifndef KIOSK_APP_INFO_H
#define KIOSK_APP_INFO_H

struct app;

void info_init(struct app *app);
void info_free(struct app *app);
void info_session_end(struct app *app);
void info_event(struct app *app, void *payload);     /* takes it */
void info_event_free(void *payload);

#endif
