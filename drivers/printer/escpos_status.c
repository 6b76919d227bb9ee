#include "printer/escpos_status.h"

#include <string.h>

int escpos_status_request(int n, unsigned char out[3])
{
    if (n < 1 || n > 4) return -1;
    out[0] = 0x10;
    out[1] = 0x04;
    out[2] = (unsigned char)n;
    return 0;
}

bool escpos_status_valid(unsigned char b) { return (b & 0x93) == 0x12; }

void escpos_status_clear(escpos_status_t *s) { memset(s, 0, sizeof *s); }

int escpos_status_apply(escpos_status_t *s, int n, unsigned char b)
{
    if (n < 1 || n > 4 || !escpos_status_valid(b)) return -1;
    s->raw[n] = b;
    s->have[n] = true;
    switch (n) {
    case ESCPOS_STATUS_PRINTER:
        s->offline = b & 0x08;
        s->waiting_recovery = b & 0x20;
        break;
    case ESCPOS_STATUS_OFFLINE:
        s->cover_open = b & 0x04;
        s->feed_button = b & 0x08;
        s->paper_end_stop = b & 0x20;
        s->error = b & 0x40;
        break;
    case ESCPOS_STATUS_ERROR:
        s->cutter_error = b & 0x08;
        s->unrecoverable = b & 0x20;
        s->auto_recoverable = b & 0x40;
        break;
    default:
        /* Either bit of a pair counts: a sensor that half-reports still
         * means the roll needs looking at. */
        s->paper_near_end = b & 0x0C;
        s->paper_out = b & 0x60;
        break;
    }
    return 0;
}

escpos_state_t escpos_status_state(const escpos_status_t *s)
{
    if (s->cover_open) return ESCPOS_COVER_OPEN;
    if (s->paper_out || s->paper_end_stop) return ESCPOS_PAPER_OUT;
    if (s->error || s->cutter_error || s->unrecoverable || s->auto_recoverable) return ESCPOS_ERROR;
    if (s->offline || s->waiting_recovery) return ESCPOS_OFFLINE;
    if (s->paper_near_end) return ESCPOS_PAPER_NEAR_END;
    return ESCPOS_READY;
}

bool escpos_state_prints(escpos_state_t st) { return st == ESCPOS_READY || st == ESCPOS_PAPER_NEAR_END; }

const char *escpos_state_name(escpos_state_t st)
{
    switch (st) {
    case ESCPOS_READY: return "ready";
    case ESCPOS_PAPER_NEAR_END: return "paper_near_end";
    case ESCPOS_PAPER_OUT: return "paper_out";
    case ESCPOS_COVER_OPEN: return "cover_open";
    case ESCPOS_OFFLINE: return "offline";
    case ESCPOS_ERROR: return "error";
    case ESCPOS_NOT_ANSWERING: return "not_answering";
    case ESCPOS_UNKNOWN: return "unknown";
    }
    return "unknown";
}

const char *escpos_state_message(escpos_state_t st)
{
    switch (st) {
    case ESCPOS_READY: return "ready";
    case ESCPOS_PAPER_NEAR_END: return "paper roll nearly used up: still printing, replace it soon";
    case ESCPOS_PAPER_OUT: return "out of paper: load a new roll";
    case ESCPOS_COVER_OPEN: return "the printer cover is open: close it";
    case ESCPOS_OFFLINE: return "the printer is offline: check the power and the panel lights";
    case ESCPOS_ERROR: return "printer error (cutter jammed or mechanical fault): clear it or call service";
    case ESCPOS_NOT_ANSWERING: return "printer not answering: check the cable and that it is switched on";
    case ESCPOS_UNKNOWN: return "status unknown: this connection cannot report it";
    }
    return "status unknown";
}
