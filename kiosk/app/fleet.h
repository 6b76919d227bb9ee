/* The kiosk's links to the platform beyond a resident's visit: the outbox
 * sender (outbox/sender.h: everything sent on a resident's behalf goes
 * through the database and is retried until the hub has it) and telemetry
 * (telemetry/telemetry.h: heartbeats, and the staff's remote commands:
 * reload content, screenshot, restart, display schedule) and content sync
 * (content/sync.h: signed bundles, verified and switched in atomically).
 * Both run on worker threads; their reports arrive as APP_EV_OUTBOX and
 * APP_EV_TELEMETRY events handled here on the UI thread. */
#ifndef KIOSK_APP_FLEET_H
#define KIOSK_APP_FLEET_H

#include <stdbool.h>
#include <stdint.h>
#include "outbox/outbox.h"
#include "store/saved_requests.h"

struct app;

void fleet_start(struct app *app);
void fleet_stop(struct app *app);
/* Queues a request to the hub through the outbox, in a transaction of its
 * own (PERSONAL: the body is sealed at rest). Returns 0 and the item's id in
 * *ID, or -1 with a reason logged (no storage, disk full). */
int fleet_enqueue(struct app *app, const char *kind, const char *path, const char *body,
                  bool personal, long long *id);
/* A keyed hash (BLAKE2b under the outbox key, hex) of a phone or ID number:
 * finds a resident's saved requests again without keeping the number. */
void fleet_person_hash(const struct app *app, const char *who, char out[65]);
void fleet_outbox_event(struct app *app, void *payload);      /* takes it */
void fleet_command_event(struct app *app, void *payload);     /* takes it */
/* A new signed content bundle is in use (APP_EV_CONTENT; takes it). */
void fleet_content_event(struct app *app, void *payload);
/* Tells telemetry what the kiosk is doing (screen, devices, queue). */
void fleet_snapshot(struct app *app);
/* A restart or an update asked for by staff, waiting for the resident to
 * finish: done now. */
void fleet_session_ended(struct app *app);

/* The outbox event the UI thread gets (a copy of the sender's). */
typedef struct {
    long long id;
    char kind[OUTBOX_KIND_MAX];
    bool done;                   /* else dead */
    int http;
    char reason[256];
    char *response;              /* done: malloc'd, may be NULL */
} fleet_outbox_event_t;
void fleet_outbox_event_free(void *payload);

/* The records of TABLE still pending whose
 * outbox item has ended, or is gone (dropped by staff): their end is handed
 * to HANDLE as the outbox event it would have been (KIND; "removed from the
 * queue" when gone). For reports that never reached the screen: the kiosk
 * stopped first, or the event queue was full. */
void fleet_replay_ended(struct app *app, store_saved_table_t table, const char *kind,
                        void (*handle)(struct app *app, const fleet_outbox_event_t *ev));

#endif
