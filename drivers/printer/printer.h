/* ESC/POS receipt printer over a device URI (tcp://, serial:, usb:, file:).
 * Blocking calls bounded by timeouts: run them on a worker thread, never on
 * the UI thread. One printer_t is used by one thread at a time.
 *
 *   printer_t p;
 *   printer_open(&p, "tcp://10.0.0.7:9100", err, sizeof err);
 *   receipt_encode(&receipt, &bytes, &n, err, sizeof err);
 *   printer_print(&p, bytes, n, &result);     result.printed, .paper_ran_out
 *   printer_close(&p);
 *
 * A receipt counts as printed only when every byte was written and the
 * printer then reported a printing state (ready or paper near end). A
 * file: URI has no status channel: its state is "unknown" and a job is
 * taken as printed once written (file:/dev/usb/lp0 is the way to drive a
 * USB printer that never answers status requests). */
#ifndef DRV_PRINTER_H
#define DRV_PRINTER_H

#include <stdbool.h>
#include <stddef.h>
#include "common/transport.h"
#include "printer/escpos_status.h"

#define PRINTER_STATUS_TIMEOUT_MS 1000  /* per status answer; URI ?timeout=MS overrides */
#define PRINTER_READY_TIMEOUT_MS 20000  /* after the last byte, for the printer to report ready */
#define PRINTER_POLL_MS 100             /* status polling interval while waiting */

typedef struct {
    transport_t t;
    uri_t uri;
    bool has_status;        /* false for file: */
    /* Set by printer_open from the defaults above; a caller may change
     * them before printing. */
    int status_timeout_ms;  /* wait for each status answer */
    int ready_timeout_ms;   /* wait after the job for a printing state */
    int poll_ms;            /* status polling interval meanwhile */
} printer_t;

typedef struct {
    escpos_state_t state;
    escpos_status_t flags;  /* the answers (flags.have[n] for those that came) */
    char message[200];      /* for staff: escpos_state_message, or the I/O error */
} printer_status_t;

typedef struct {
    bool printed;           /* all written and the printer reported ready after */
    bool paper_ran_out;     /* the paper ran out during this job: the receipt is
                             * incomplete; offer it as a QR code and keep the
                             * reprint queued */
    size_t bytes;           /* bytes written */
    escpos_state_t state;   /* the last state seen (the reason when refused) */
    char message[240];
} printer_result_t;

/* Parses URI and opens it (TCP connects within 3 s or the URI's timeout).
 * Returns 0, or -1 with a reason in ERR ("127.0.0.1:9: Connection
 * refused", "/dev/usb/lp9: No such file or directory"). */
int printer_open(printer_t *p, const char *uri, char *err, int errlen);
void printer_close(printer_t *p);

/* Asks DLE EOT 1..4 and decodes the answers into ST. Returns 0 when the
 * state is known (whatever it is, ST->state says; UNKNOWN for file:), or -1
 * when the printer did not answer (NOT_ANSWERING, after at most one status
 * timeout) or the connection failed; ST->message says which. */
int printer_status(printer_t *p, printer_status_t *st);

/* Prints DATA (LEN bytes of ESC/POS): checks the status first and refuses
 * (nothing sent) unless it prints; writes everything; then polls the status
 * until the printer reports a printing state, paper out, cover open, or
 * until ready_timeout_ms. Returns 0 when R->printed, else -1 with R saying
 * why (R->state, R->message, R->paper_ran_out). */
int printer_print(printer_t *p, const unsigned char *data, size_t len, printer_result_t *r);

#endif
