/* Street mode: not built yet; the attract loop stands in for the carousel. */
#include "app/street.h"

#include <stdlib.h>
#include "app/app.h"

void street_init(struct app *app) { (void)app; }
void street_free(struct app *app) { (void)app; }
int street_idle_screen(const struct app *app) { (void)app; return SCR_ATTRACT; }
void street_tick(struct app *app) { (void)app; }
uint64_t street_wait_ms(const struct app *app) { (void)app; return UINT64_MAX; }
void street_event(struct app *app, void *payload) { (void)app; free(payload); }
void street_event_free(void *payload) { free(payload); }
