/* Proof of play: what the street display showed, when and for how long,
 * kept in the kiosk database (table proof_of_play, migration 7) until
 * telemetry has sent it. Telemetry reads a batch with pop_peek (or
 * pop_json), sends it, then deletes what was sent with pop_ack. Use from the
 * thread that owns ST (or a connection of its own). All return -1 on a
 * database error (logged) or a NULL ST, and leave the table unaltered. */
#ifndef KIOSK_STORE_PROOF_OF_PLAY_H
#define KIOSK_STORE_PROOF_OF_PLAY_H

#include <time.h>
#include "store/store.h"

typedef struct {
    long long id;            /* row id, ascending in play order */
    long long content_id;    /* the item shown */
    long long playlist_id;   /* its playlist; 0 = the notices carousel, alerts */
    char kind[8];            /* "item" | "alert" */
    time_t started;          /* Unix seconds */
    long long shown_ms;      /* how long it was on screen */
} pop_record_t;

/* Appends R (R->id ignored). Returns 0. */
int pop_record(store_t *st, const pop_record_t *r);
/* Copies up to MAX of the oldest records into OUT; returns how many. */
int pop_peek(store_t *st, pop_record_t *out, int max);
/* The oldest MAX records as a JSON array text (malloc'd; the caller frees)
 * [{"content_id":..,"playlist_id":..,"kind":"item","started":..,"shown_ms":..}],
 * and in *LAST_ID the id of the last one (0 if none), for pop_ack. NULL on error. */
char *pop_json(store_t *st, int max, long long *last_id);
/* Deletes every record with id <= UP_TO (sent). Returns how many went. */
int pop_ack(store_t *st, long long up_to);
/* Deletes records started before BEFORE (never sent: bounds the table). */
int pop_prune(store_t *st, time_t before);
/* Number of records kept. */
int pop_count(store_t *st);

#endif
