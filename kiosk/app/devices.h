/* Device status for the staff menu: a monitor thread probes every configured
 * device (ID-card reader, scanner, camera, printer) every few seconds with a
 * short timeout, and posts a status event to the UI thread when a device's
 * state changes. A device that is absent or broken is just a status: nothing
 * blocks, and a device that comes back is seen at the next probe (every
 * probe opens and closes it afresh). The camera is never opened here: it is
 * only opened while a scan screen is. */
#ifndef KIOSK_DEVICES_H
#define KIOSK_DEVICES_H

#include <SDL.h>
#include <stdbool.h>
#include <time.h>
#include "core/config.h"

typedef enum { DEV_IDCARD, DEV_SCANNER, DEV_CAMERA, DEV_PRINTER, DEV_COUNT } dev_id_t;
typedef enum {
    DEV_NOT_CONFIGURED,   /* no URI in kiosk.ini */
    DEV_CHECKING,         /* not probed yet */
    DEV_READY,
    DEV_WARNING,          /* works, needs attention (paper near end) */
    DEV_FAULT,            /* absent, not answering, or reporting an error */
} dev_state_t;

typedef struct {
    dev_state_t state;
    char detail[160];     /* English, for staff: "not answering", "paper out" */
    time_t since;         /* wall time of the last change */
} dev_status_t;

typedef struct devices devices_t;

/* Starts the monitor for the URIs in CFG, probing every INTERVAL_MS and
 * posting events of type EVENT_TYPE (event.user.code = device, data1 = a
 * malloc'd dev_status_t the UI frees). NULL if nothing is configured or the
 * thread cannot start (statuses then stay as devices_init set them). */
devices_t *devices_start(const config_t *cfg, Uint32 event_type, int interval_ms);
/* Stops and joins the monitor (returns within one probe's timeout). */
void devices_stop(devices_t *d);

/* Initial table for CFG: NOT_CONFIGURED or CHECKING. */
void devices_init(dev_status_t table[DEV_COUNT], const config_t *cfg);
/* UI thread: applies a status event to TABLE and frees its payload. */
void devices_apply(dev_status_t table[DEV_COUNT], const SDL_Event *ev);

const char *devices_name(dev_id_t id);        /* "ID card reader" ... (msgid) */
const char *devices_state_name(dev_state_t s);/* "ready", "fault" ... (msgid) */

/* Ownership of a device between the monitor and the worker using it (the
 * identification worker holds the reader while the scan screen is open; the
 * print queue holds the printer while it prints): two openings of one port
 * would take each other's replies. Owners lock (waiting); the monitor only
 * tries, and skips a device in use, keeping its last status. */
void devices_lock(dev_id_t id);
void devices_unlock(dev_id_t id);

/* One probe of device ID at URI, bounded by TIMEOUT_MS (also used by
 * tests). Fills OUT. */
void devices_probe(dev_id_t id, const char *uri, int timeout_ms, dev_status_t *out);

#endif
