/* Repeat suppression for scanned payloads. A camera sees the code held in
 * front of it in every frame, and residents press a wedge scanner's trigger
 * twice: the scan screen wants each code once.
 *
 * A payload is a repeat when it was last seen less than the window ago. The
 * window slides: every sighting, delivered or not, restarts it, so a code
 * held in front of the camera for a minute is delivered once, and again only
 * after it has been out of sight for the whole window. The last few distinct
 * payloads are remembered (QR_DEDUPE_SLOTS), so two codes alternating in
 * front of the camera do not re-deliver each other.
 *
 * Payloads are compared by length and a 64-bit FNV-1a hash (not copied: a
 * payload may be a payment code). Pure: the caller passes the time in (a
 * monotonic clock in ms); not thread-safe (one per scanner). */
#ifndef DRV_QR_DEDUPE_H
#define DRV_QR_DEDUPE_H

#include <stddef.h>
#include <stdint.h>

#define QR_DEDUPE_SLOTS 8

typedef struct {
    int window_ms;
    struct {
        uint64_t hash;
        size_t len;
        int64_t seen_ms;
        int used;
    } slot[QR_DEDUPE_SLOTS];
} qr_dedupe_t;

/* WINDOW_MS <= 0 turns suppression off (every payload is new). */
void qr_dedupe_init(qr_dedupe_t *d, int window_ms);
/* Returns 1 when the LEN bytes at PAYLOAD, seen at NOW_MS, should be
 * delivered, 0 when they are a repeat within the window. Records the
 * sighting either way. A clock that went backwards counts as "just seen". */
int qr_dedupe_check(qr_dedupe_t *d, const void *payload, size_t len, int64_t now_ms);
/* Forgets every payload (the scan screen was left and entered again). */
void qr_dedupe_reset(qr_dedupe_t *d);

#endif
