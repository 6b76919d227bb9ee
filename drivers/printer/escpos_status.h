/* ESC/POS real-time status (DLE EOT n): the request bytes and the decoding
 * of the one-byte answers into flags and one printer state. Pure.
 *
 * Answer bytes (bits 1 and 4 always set, bits 0 and 7 always clear):
 *   n=1 printer:       bit 3 offline, bit 5 waiting for online recovery
 *   n=2 offline cause: bit 2 cover open, bit 3 paper fed by the feed button,
 *                      bit 5 printing stopped by paper end, bit 6 error
 *   n=3 errors:        bit 3 cutter, bit 5 unrecoverable, bit 6 auto-recoverable
 *   n=4 paper roll:    bits 2+3 near end, bits 5+6 out
 *                      (0x12 ok, 0x1E near end, 0x72 out) */
#ifndef DRV_ESCPOS_STATUS_H
#define DRV_ESCPOS_STATUS_H

#include <stdbool.h>

typedef enum {
    ESCPOS_STATUS_PRINTER = 1,
    ESCPOS_STATUS_OFFLINE = 2,
    ESCPOS_STATUS_ERROR = 3,
    ESCPOS_STATUS_PAPER = 4,
} escpos_status_kind_t;

/* What the printer can do now. The first six come from status bytes
 * (escpos_status_state); the driver adds the last two. */
typedef enum {
    ESCPOS_READY,           /* prints */
    ESCPOS_PAPER_NEAR_END,  /* prints; the roll needs replacing soon */
    ESCPOS_PAPER_OUT,
    ESCPOS_COVER_OPEN,
    ESCPOS_OFFLINE,         /* offline for no reported cause */
    ESCPOS_ERROR,           /* cutter, unrecoverable or auto-recoverable error */
    ESCPOS_NOT_ANSWERING,   /* status requested, no answer within the timeout */
    ESCPOS_UNKNOWN,         /* the connection cannot report status (file:) */
} escpos_state_t;

typedef struct {
    unsigned char raw[5];   /* answer byte for n = 1..4 */
    bool have[5];           /* which of them arrived and were valid */
    bool offline, waiting_recovery;                         /* n=1 */
    bool cover_open, feed_button, paper_end_stop, error;    /* n=2 */
    bool cutter_error, unrecoverable, auto_recoverable;     /* n=3 */
    bool paper_near_end, paper_out;                         /* n=4 */
} escpos_status_t;

/* The 3 bytes of DLE EOT N into OUT; -1 unless N is 1..4. */
int escpos_status_request(int n, unsigned char out[3]);
/* Is B a status answer at all (bits 1 and 4 set, bits 0 and 7 clear)?
 * Anything else is "not a status byte": stray data, a different reply. */
bool escpos_status_valid(unsigned char b);
/* Clears S (no answers, no flags). */
void escpos_status_clear(escpos_status_t *s);
/* Records the answer B to DLE EOT N in S, setting that request's flags.
 * Returns 0, or -1 (S unchanged) when N is not 1..4 or B is not a status
 * byte. */
int escpos_status_apply(escpos_status_t *s, int n, unsigned char b);
/* The combined state of the answers in S, by what the staff must fix first:
 * cover open, paper out, error, offline, paper near end, ready. */
escpos_state_t escpos_status_state(const escpos_status_t *s);
/* True for the states in which a receipt prints (READY, PAPER_NEAR_END). */
bool escpos_state_prints(escpos_state_t st);
/* "ready", "paper_near_end", "paper_out", "cover_open", "offline", "error",
 * "not_answering", "unknown": the names kioskctl prints. */
const char *escpos_state_name(escpos_state_t st);
/* A sentence for staff, e.g. "out of paper: load a new roll". */
const char *escpos_state_message(escpos_state_t st);

#endif
