/* Requests saved for later while the hub could not be reached, in the kiosk
 * database: housekeeping bookings (table hk_pending, migration 8) and event
 * registrations (table reg_pending, migration 9). Each record points at the
 * outbox item that carries the request and is found again by the keyed
 * hash of the resident's phone or ID number (never the number itself).
 *
 * A record is written in the same transaction as its outbox item
 * (store_tx_begin; outbox_enqueue_in; store_*_save; store_tx_commit), so
 * there is never one without the other. Used on the UI thread with the
 * app's connection. Every function returns -1 on a database error (logged,
 * never fatal) and leaves the tables as they were: each write is one
 * statement. Times are wall milliseconds passed in by the caller. */
#ifndef KIOSK_STORE_SAVED_REQUESTS_H
#define KIOSK_STORE_SAVED_REQUESTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "store/store.h"

typedef enum {
    STORE_SAVED_PENDING,        /* not answered yet */
    STORE_SAVED_CONFIRMED,
    STORE_SAVED_FAILED,
} store_saved_state_t;

typedef enum {
    STORE_SAVED_BOOKINGS,       /* hk_pending */
    STORE_SAVED_REGISTRATIONS,  /* reg_pending */
} store_saved_table_t;

/* A booking to save (every text non-NULL). */
typedef struct {
    const char *ref;            /* shown to the resident, unique */
    long long outbox_id;
    const char *who_hash;
    const char *service;
    time_t slot_start, slot_end;
    const char *provider;
} store_booking_new_t;

/* A saved booking as the resident's next visit shows it. */
typedef struct {
    char ref[16];
    store_saved_state_t state;
    char code[32];              /* the check-in code when confirmed, or "" */
    time_t slot_start;
} store_booking_t;

/* A registration to save (every text non-NULL). */
typedef struct {
    const char *ref;
    long long outbox_id;
    const char *who_hash;
    long long content_id;       /* the event */
    const char *title;
} store_registration_new_t;

/* A pending record whose outbox item has ended or is gone. */
typedef struct {
    long long outbox_id;
    bool gone;                  /* no such outbox item (dropped by staff) */
    bool done;                  /* the hub took it (else dead, or gone) */
    int http;
    char last_error[256];
    char *response;             /* done: the hub's answer (malloc'd), or NULL */
} store_saved_ended_t;

/* Adds booking B as pending, created at NOW_MS. Inside the caller's
 * transaction. 0, or -1 with ERR saying why (then the caller rolls back). */
int store_booking_save(store_t *st, const store_booking_new_t *b, int64_t now_ms,
                       char *err, int errlen);

/* Records the outcome of the booking carried by outbox item OUTBOX_ID:
 * STATE, CODE and REASON (NULL = ""). 0 (also when no record has that
 * item), or -1. */
int store_booking_set_state(store_t *st, long long outbox_id, store_saved_state_t state,
                            const char *code, const char *reason, int64_t now_ms);

/* The newest MAX bookings saved for WHO_HASH, newest first. Returns the
 * count written to OUT (<= MAX), or -1. */
int store_booking_recent(store_t *st, const char *who_hash, store_booking_t *out, int max);

/* Adds registration R as pending, created at NOW_MS. Inside the caller's
 * transaction. 0, or -1 with ERR saying why (then the caller rolls back). */
int store_registration_save(store_t *st, const store_registration_new_t *r, int64_t now_ms,
                            char *err, int errlen);

/* Records the outcome of the registration carried by outbox item
 * OUTBOX_ID: STATE and REASON (NULL = ""). 0 (also when no record has that
 * item), or -1. */
int store_registration_set_state(store_t *st, long long outbox_id, store_saved_state_t state,
                                 const char *reason, int64_t now_ms);

/* The state of the newest registration WHO_HASH saved for event
 * CONTENT_ID: 1 with *STATE, 0 when there is none, -1. */
int store_registration_latest(store_t *st, const char *who_hash, long long content_id,
                              store_saved_state_t *state);

/* Up to MAX records of TABLE still pending whose outbox item has ended
 * (done or dead) or is gone, into OUT. Returns the count; the caller frees
 * each OUT[i].response. -1 on error (OUT holds nothing to free). */
int store_saved_ended(store_t *st, store_saved_table_t table, store_saved_ended_t *out, int max);

#endif
