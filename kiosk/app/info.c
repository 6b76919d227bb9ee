/* Information screens: not built yet (the screens are "coming" pages). */
#include "app/info.h"

#include <stdlib.h>
#include "app/app.h"

void info_init(struct app *app) { (void)app; }
void info_free(struct app *app) { (void)app; }
void info_session_end(struct app *app) { (void)app; }
void info_event(struct app *app, void *payload) { (void)app; free(payload); }
void info_event_free(void *payload) { free(payload); }
