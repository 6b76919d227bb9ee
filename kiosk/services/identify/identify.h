/* Identification worker for the Scan / ID card screen: while that screen is
 * open, one worker thread polls the ID-card reader and reads the QR scanner
 * (camera, keyboard-wedge scanner or image: source) and posts what it finds
 * to the UI thread. The camera is open only while the worker runs. Every
 * blocking driver call is on the worker; the UI thread never waits for a
 * device. */
#ifndef KIOSK_IDENTIFY_H
#define KIOSK_IDENTIFY_H

#include <SDL.h>
#include <stdbool.h>
#include "core/config.h"
#include "idcard/idcard.h"
#include "scanner/qr_classify.h"

typedef enum { IDENT_CARD, IDENT_CODE, IDENT_PROBLEM } ident_kind_t;

/* An event's payload (event.user.data1). It may hold personal data: take
 * what is needed, then release it with identify_event_free (wipes it). */
typedef struct ident_event_s {
    unsigned gen;               /* the worker that found it (identify_start's GEN) */
    ident_kind_t kind;
    idcard_result_t result;     /* IDENT_CARD: OK or BAD_CARD */
    idcard_card_t card;         /* IDENT_CARD */
    qr_info_t info;             /* IDENT_CODE */
    /* IDENT_CODE of a resident code read by a worker that checks codes
     * (identify_start's CHECK_CODES: the Scan screen): the hub's word.
     * 0 not asked, 1 taken, -1 refused, -2 no answer. */
    int rescode_checked;
    char rescode_name[64];      /* taken: the resident's name, masked */
    char message[200];          /* IDENT_PROBLEM: for staff logs; no personal data */
} ident_event_t;

typedef struct identify identify_t;

/* Starts the worker for the devices configured in CFG (idcard, scanner,
 * camera); its events carry GEN. With CHECK_CODES, a resident code read is
 * checked with the hub ([hub] of CFG) on the worker before it is posted.
 * NULL when no device is configured or the thread cannot start. */
identify_t *identify_start(const config_t *cfg, Uint32 event_type, unsigned gen, bool check_codes);
/* Tells the worker to stop and returns at once: the UI thread never waits
 * for a device. The worker closes its devices and frees itself; events it
 * posts meanwhile carry its old GEN, for the UI to drop. NULL is ignored. */
void identify_stop(identify_t *id);
/* Waits (up to TIMEOUT_MS) until every stopped worker has finished: at
 * shutdown, before SDL goes. Returns 0, or -1 if some are still running. */
int identify_shutdown(int timeout_ms);
void identify_event_free(ident_event_t *ev);

#endif
