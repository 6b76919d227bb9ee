/* A virtual ESC/POS receipt printer for tests and demos.
 *
 * It listens on TCP 127.0.0.1 (an ephemeral port) and optionally on a
 * pseudo-terminal (for serial: URIs), on its own thread. It cuts the
 * incoming stream into commands (escpos_command_length), answers DLE EOT
 * 1..4 from its state, records every byte, and collects what it prints
 * into receipts: a receipt ends at a cut or when the connection closes.
 * Data arriving while it cannot print (paper out, cover open, offline,
 * error) is dropped, as paper would not move.
 *
 * The renderer turns a decoded receipt into what the paper would show: an
 * SDL surface 384 (58 mm) or 576 (80 mm) dots wide, 1-bit black on white,
 * text in 12x24 (ASCII) and 24x24 (Chinese) dot cells drawn with Noto Sans
 * CJK and scaled by whole dots for the character sizes, QR codes drawn with
 * libqrencode, raster images dot for dot, cuts as dashed lines; and into
 * plain text. */
#ifndef SIMS_VPRINTER_H
#define SIMS_VPRINTER_H

#include <SDL.h>
#include <stddef.h>
#include "printer/escpos_decode.h"

typedef enum {
    VPRINTER_READY,
    VPRINTER_NEAR_END,      /* prints, reports the roll nearly used */
    VPRINTER_PAPER_OUT,
    VPRINTER_COVER_OPEN,
    VPRINTER_OFFLINE,
    VPRINTER_CUTTER_ERROR,
    VPRINTER_NO_ANSWER,     /* prints, never answers status requests */
} vprinter_state_t;

typedef struct {
    int paper_mm;           /* 58 (also when 0) or 80 */
    vprinter_state_t state;
    long paper_out_after;   /* > 0: the paper runs out after this many print bytes */
    int busy_ms;            /* > 0: after each cut, reports offline this long */
    const char *out_dir;    /* non-NULL: each receipt also goes to
                             * OUT_DIR/receipt-NNN.png and .txt, and
                             * "receipt OUT_DIR/receipt-NNN.png" to stdout */
    int pty;                /* also serve a pseudo-terminal */
} vprinter_config_t;

typedef struct vprinter vprinter_t;

/* Starts the printer. NULL with a reason in ERR if it cannot listen. */
vprinter_t *vprinter_start(const vprinter_config_t *cfg, char *err, int errlen);
/* Stops the thread, ends an unfinished receipt, frees everything. */
void vprinter_stop(vprinter_t *v);

int vprinter_port(const vprinter_t *v);
/* The pty's slave path ("/dev/pts/7"), or NULL without cfg.pty. */
const char *vprinter_pty_path(const vprinter_t *v);

void vprinter_set_state(vprinter_t *v, vprinter_state_t s);
vprinter_state_t vprinter_get_state(vprinter_t *v);
/* The paper runs out once BYTES more print bytes have arrived (0: never). */
void vprinter_set_paper_out_after(vprinter_t *v, long bytes);
/* "ready", "near_end", "paper_out", "cover_open", "offline",
 * "cutter_error", "no_answer". */
const char *vprinter_state_name(vprinter_state_t s);
int vprinter_parse_state(const char *name, vprinter_state_t *out);

/* Receipts completed so far. */
size_t vprinter_receipt_count(vprinter_t *v);
/* Waits up to TIMEOUT_MS for at least N receipts: 0 when there, -1 not. */
int vprinter_wait_receipts(vprinter_t *v, size_t n, int timeout_ms);
/* A malloc'd copy of the bytes receipt I printed (status requests not
 * included), or NULL. */
unsigned char *vprinter_receipt(vprinter_t *v, size_t i, size_t *len);
/* A malloc'd copy of every byte received, in order. */
unsigned char *vprinter_received(vprinter_t *v, size_t *len);
size_t vprinter_status_requests(vprinter_t *v);
/* Print bytes received (not status requests), and those dropped because
 * the printer could not print. */
size_t vprinter_data_bytes(vprinter_t *v);
size_t vprinter_dropped(vprinter_t *v);

/* The paper for DOC on PAPER_MM (58/80) paper: an ARGB8888 surface, or NULL
 * with a reason in ERR (font missing, out of memory). Thread-safe. */
SDL_Surface *vprinter_render(const escpos_doc_t *doc, int paper_mm, char *err, int errlen);
/* DOC as plain text, lines aligned within the paper's columns, QR codes as
 * "[QR payload]", images as "[image WxH]", cuts as a dashed line. malloc'd,
 * or NULL when out of memory. */
char *vprinter_render_text(const escpos_doc_t *doc, int paper_mm);
/* Decodes BYTES and writes PNG_PATH and TXT_PATH (either may be NULL).
 * 0, or -1 with a reason in ERR. */
int vprinter_save(const unsigned char *bytes, size_t len, int paper_mm, const char *png_path,
                  const char *txt_path, char *err, int errlen);

#endif
