/* ESC/POS encoder: builds the bytes of a receipt in a growable buffer.
 * Pure apart from escpos_image_file (which reads a PNG with SDL2_image):
 * no device I/O, so every byte can be checked in tests and replayed through
 * escpos_decode.
 *
 * Contract shared by every escpos_* function returning int: 0 on success,
 * -1 on failure with a reason in escpos_error(). A failed call appends
 * nothing (the buffer holds whole commands only). Out of memory is
 * sticky: after it every later call fails too, so a caller may check only
 * the last result.
 *
 * Text: UTF-8 in. ASCII goes out as is; every run of other characters is
 * converted to GB18030 (glibc iconv) and sent between FS & (1C 26) and FS .
 * (1C 2E). Characters that cannot be printed are replaced by '?', never
 * refused: invalid UTF-8, control characters (C0, DEL, C1; in a receipt
 * they would be printer commands) and anything GB18030 cannot encode.
 * escpos_replaced() counts the replacements. Columns: an ASCII character
 * is one 12x24-dot cell, every other character a 24x24 Chinese cell, which
 * is how printers in Chinese mode print them (2 columns). */
#ifndef DRV_ESCPOS_H
#define DRV_ESCPOS_H

#include <stddef.h>
#include <stdint.h>

#define ESCPOS_DOTS_58 384          /* printable dots a line, 58 mm paper */
#define ESCPOS_DOTS_80 576          /* 80 mm paper */
#define ESCPOS_CELL_DOTS 12         /* width of one ASCII column at size 1 */
#define ESCPOS_RASTER_MAX_ROWS 2303 /* rows in one GS v 0 (Epson's limit); taller images are split */
#define ESCPOS_QR_MAX_BYTES 2331    /* byte-mode payload limit of a QR code at level M */
#define ESCPOS_QR_QUIET 4           /* modules of white around a raster QR */

typedef enum { ESCPOS_LEFT = 0, ESCPOS_CENTER = 1, ESCPOS_RIGHT = 2 } escpos_align_t;
typedef enum { ESCPOS_CUT_FULL = 0, ESCPOS_CUT_PARTIAL = 1 } escpos_cut_t;

typedef struct {
    unsigned char *data;    /* the bytes so far (owned; NULL until the first byte) */
    size_t len, cap;
    int paper_mm;           /* 58 or 80 */
    int dots;               /* 384 or 576 */
    int size_w;             /* width multiplier last set with escpos_size (for wrapping) */
    size_t replaced;        /* characters printed as '?' */
    int oom;                /* out of memory happened: every call now fails */
    void *to_gb;            /* iconv_t UTF-8 -> GB18030, opened on first use */
    char err[160];
} escpos_t;

/* Starts an empty buffer for PAPER_MM (58 or 80) paper. Emits nothing.
 * -1 for any other width (E is still safe to free). */
int escpos_start(escpos_t *e, int paper_mm);
/* Frees the buffer and the converter; E may be started again. */
void escpos_free(escpos_t *e);
/* Hands the bytes to the caller (free() them) and leaves E empty. */
unsigned char *escpos_take(escpos_t *e, size_t *len);
const char *escpos_error(const escpos_t *e);
size_t escpos_replaced(const escpos_t *e);

/* Columns of a line at width multiplier SIZE_W (1..8) on PAPER_MM paper:
 * 58 mm 32/SIZE_W, 80 mm 48/SIZE_W; 0 for bad arguments. */
int escpos_columns(int paper_mm, int size_w);
/* Columns UTF8 takes when printed (ASCII 1, anything else 2). */
int escpos_text_columns(const char *utf8);

/* ESC @: resets the printer's modes (align left, bold off, size 1x1,
 * Chinese mode off) and E's size for wrapping. */
int escpos_init(escpos_t *e);
/* ESC a n. Printers apply it only at the start of a line. */
int escpos_align(escpos_t *e, escpos_align_t a);
/* ESC E n. */
int escpos_bold(escpos_t *e, int on);
/* GS ! n: character width and height multipliers, 1..8 each. */
int escpos_size(escpos_t *e, int w, int h);
/* The characters of UTF8, no line feed, no wrapping ('\n' is replaced
 * like any control character). */
int escpos_text(escpos_t *e, const char *utf8);
/* UTF8 as printed lines: split at '\n', each piece wrapped to the columns
 * of the paper at the current width multiplier (at spaces between ASCII
 * words, anywhere between Chinese characters; a closing punctuation mark
 * is not put first on a line unless a line holds nothing else), each line
 * ended by LF. Spaces at a wrap are dropped; leading spaces of the text are
 * kept. An empty string prints one empty line. */
int escpos_line(escpos_t *e, const char *utf8);
/* ESC d n: prints the buffer and feeds N lines (0..255). */
int escpos_feed(escpos_t *e, int n);

/* Native QR code (GS ( k): model 2, module size MODULE dots (1..16), error
 * level M, store PAYLOAD (LEN bytes, sent as is), print. The module size
 * is lowered if the symbol would be wider than the paper. -1 for an empty
 * payload or one too long for a QR code at level M. */
int escpos_qr(escpos_t *e, const void *payload, size_t len, int module);
/* The same QR code rendered here with libqrencode (level M) and sent as a
 * raster image (GS v 0), for printers without GS ( k: MODULE dots a module,
 * ESCPOS_QR_QUIET modules of white around it, module size lowered until it
 * fits the paper. */
int escpos_qr_raster(escpos_t *e, const void *payload, size_t len, int module);
/* A 1-bit image as GS v 0 raster: BITS holds HEIGHT rows of (WIDTH+7)/8
 * bytes, MSB the leftmost dot, 1 = black. WIDTH 1..paper dots, HEIGHT >= 1;
 * padding bits past WIDTH are sent as 0; images taller than
 * ESCPOS_RASTER_MAX_ROWS go out as several commands, one under the other. */
int escpos_raster(escpos_t *e, const unsigned char *bits, int width, int height);
/* Loads PATH (PNG, or anything SDL2_image reads), scales it down to at most
 * MAX_WIDTH dots (0 = the paper width) and thresholds it: a dot is black
 * where the pixel is darker than mid-grey and not transparent. Then as
 * escpos_raster. */
int escpos_image_file(escpos_t *e, const char *path, int max_width);

/* GS V 0|1: cut where the paper is now. */
int escpos_cut(escpos_t *e, escpos_cut_t kind);
/* GS V 65|66 n: feed to the cutter plus N (0..255) motion units, then cut:
 * what a receipt wants, since the cutter sits above the print head. */
int escpos_cut_feed(escpos_t *e, escpos_cut_t kind, int n);

#endif
