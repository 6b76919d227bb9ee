/* Housekeeping booking (hall mode): the catalogue, a day and a free slot,
 * identification (ID card or phone number), confirmation with a check-in
 * code, and one's own bookings. The session's state lives in app->hk
 * (struct hk_state, allocated by hk_init), wiped by hk_session_end. */
#ifndef KIOSK_APP_HOUSEKEEPING_H
#define KIOSK_APP_HOUSEKEEPING_H

struct app;

void hk_init(struct app *app);
void hk_free(struct app *app);
void hk_session_end(struct app *app);
/* An APP_EV_HK event's payload (takes it); and freeing one never handled. */
void hk_event(struct app *app, void *payload);
void hk_event_free(void *payload);

#endif
