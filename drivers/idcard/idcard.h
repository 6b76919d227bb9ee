/* Resident ID-card reader driver: the SAM serial protocol (idcard_codec.h)
 * over a byte stream (serial: or tcp:// URI, drivers/common/transport.h).
 *
 * Every call blocks (bounded by the timeouts below): call them from a worker
 * thread or kioskctl, never from the UI thread. One idcard_t is used by one
 * thread at a time. The driver logs nothing; its messages never contain card
 * data, so they can be logged and shown as they are. */
#ifndef DRV_IDCARD_H
#define DRV_IDCARD_H

#include <stddef.h>
#include "common/transport.h"
#include "idcard/idcard_codec.h"

typedef enum {
    IDCARD_OK = 0,          /* card read, ID number check digit right */
    IDCARD_NO_CARD,         /* find card answered "no card" every time */
    IDCARD_CARD_MOVED,      /* found, then select or read failed: the card left */
    IDCARD_BAD_CARD,        /* read and decoded, but the ID number's check digit
                               is wrong: fields kept, id_valid false, not trusted */
    IDCARD_DEVICE_ERROR,    /* the reader answered with an error status (SW3) or
                               an unreadable reply layout */
    IDCARD_TIMEOUT,         /* the reader did not answer in time */
    IDCARD_IO_ERROR,        /* the stream failed (device unplugged), or every
                               reply to a command arrived corrupted */
} idcard_result_t;

/* Timing defaults; any field may be changed between idcard_open and a read. */
#define IDCARD_FIND_TIMEOUT_MS 500
#define IDCARD_SELECT_TIMEOUT_MS 500
#define IDCARD_READ_TIMEOUT_MS 3000     /* card RF read + 1295 bytes at 9600 baud */
#define IDCARD_TOTAL_TIMEOUT_MS 5000
#define IDCARD_FIND_TRIES 3
#define IDCARD_FIND_PAUSE_MS 100
#define IDCARD_QUIET_MS 150             /* see resends below */
#define IDCARD_RESENDS 2

typedef struct {
    transport_t t;
    int find_timeout_ms, select_timeout_ms, read_timeout_ms;   /* per reply */
    int total_timeout_ms;   /* bound on one idcard_read / idcard_poll */
    int find_tries;         /* idcard_read: find attempts while there is no card */
    int find_pause_ms;      /* between those attempts */
    /* After a corrupted reply (bad checksum or length) the command is sent
     * again, up to RESENDS times, once the line has been quiet for QUIET_MS:
     * waiting for quiet keeps the tail of a broken reply from being taken
     * for the answer to the next command. */
    int quiet_ms, resends;
    uint8_t last_sw3;       /* SW3 of the last reply, 0 before any */
    unsigned long resent;   /* commands sent again after a corrupted reply */
    unsigned long stale;    /* late replies to abandoned commands, skipped */
    idcard_parser_t parser; /* its counters: frames, bad_checksum, bad_length, garbage_bytes */
} idcard_t;

/* Opens the reader at URI (serial:/dev/ttyUSB0?baud=115200, tcp://host:port;
 * ?timeout=MS sets total_timeout_ms) and sets the defaults above. Returns 0,
 * or -1 with a reason in ERR (bad URI, "/dev/ttyUSB0: No such file or
 * directory") and D closed. Opening does not talk to the reader. */
int idcard_open(idcard_t *d, const char *uri, char *err, size_t errlen);
/* Closes the stream and wipes the buffers. Safe on a closed D. */
void idcard_close(idcard_t *d);

/* Reads the card on the reader: discards stale input, find card (up to
 * find_tries while there is none), select, read text+photo, decode. On
 * IDCARD_OK and IDCARD_BAD_CARD, CARD holds the fields (wipe it with
 * idcard_card_wipe when done); on any other result CARD is wiped. MSG gets
 * a short English sentence for the outcome (no card data). */
idcard_result_t idcard_read(idcard_t *d, idcard_card_t *card, char *msg, size_t msglen);
/* For a worker thread polling the reader: one find card, returning
 * IDCARD_NO_CARD after a single round trip when the reader is empty; when a
 * card is there, continues like idcard_read. */
idcard_result_t idcard_poll(idcard_t *d, idcard_card_t *card, char *msg, size_t msglen);
/* Resets the SAM module (10 FF). IDCARD_OK or an error result. */
idcard_result_t idcard_reset(idcard_t *d, char *msg, size_t msglen);
/* The SAM module's id (12 FF) as lowercase hex of its bytes into OUT. */
idcard_result_t idcard_sam_id(idcard_t *d, char *out, size_t outlen, char *msg, size_t msglen);

/* Stable short code for a result: "ok", "no_card", "card_moved", "bad_card",
 * "device", "timeout", "io" (kioskctl's error codes). */
const char *idcard_result_code(idcard_result_t r);

#endif
