/* Housekeeping booking: not built yet (the screens are "coming" pages). */
#include "app/housekeeping.h"

#include <stdlib.h>
#include "app/app.h"

void hk_init(struct app *app) { (void)app; }
void hk_free(struct app *app) { (void)app; }
void hk_session_end(struct app *app) { (void)app; }
void hk_event(struct app *app, void *payload) { (void)app; free(payload); }
void hk_event_free(void *payload) { free(payload); }
