/* ESC/POS decoder: a byte stream, as a printer would read it, into a
 * receipt model (what would come out on paper). Pure: no I/O. The virtual
 * printer renders the model; the fuzzer feeds it arbitrary bytes.
 *
 * Understood: every command escpos.h emits (ESC @, ESC a, ESC E, GS !,
 * FS & / FS . with GB18030 text, LF, ESC d, GS ( k QR model 2, GS v 0,
 * GS V, DLE EOT) and ESC !. Other ESC/POS commands of known length are
 * skipped whole (counted in "ignored": underline, barcodes, beeps, logos,
 * GS ( and FS ( function blocks...). An unknown ESC/GS/FS/DLE x skips those
 * two bytes only (counted in "unknown"; the first one's offset is kept), as
 * a printer that does not know x cannot know its parameters. Every length
 * read from the stream is checked against what is left: a command cut off
 * by the end of the stream sets "truncated" and is dropped. */
#ifndef DRV_ESCPOS_DECODE_H
#define DRV_ESCPOS_DECODE_H

#include <stddef.h>

typedef enum {
    ESCPOS_ITEM_TEXT,       /* a run of text; .eol when a line feed ended it */
    ESCPOS_ITEM_QR,         /* a native QR code printed (GS ( k 31 51) */
    ESCPOS_ITEM_RASTER,     /* a GS v 0 image */
    ESCPOS_ITEM_FEED,       /* ESC d n: n lines fed */
    ESCPOS_ITEM_CUT,        /* GS V */
    ESCPOS_ITEM_STATUS,     /* DLE EOT n: a real-time status request */
} escpos_item_kind_t;

typedef struct {
    escpos_item_kind_t kind;
    int align;              /* 0 left, 1 centre, 2 right: text, QR, raster */
    /* text */
    int bold, width, height;    /* size multipliers 1..8 */
    int eol;                /* 1: the line ends here; 0: more runs follow
                             * on the same line (style changed mid-line,
                             * or the stream ended without LF) */
    /* text: NUL-terminated UTF-8; QR: the payload bytes (NUL added, may
     * hold NULs itself). LEN excludes the added NUL. */
    char *data;
    size_t len;
    int qr_module;          /* QR: module size in dots (1..16) */
    int qr_level;           /* QR: error correction 0 L, 1 M, 2 Q, 3 H */
    /* raster */
    int bytes_per_row, rows;    /* width is bytes_per_row * 8 dots */
    int raster_mode;        /* 0 normal, 1 double width, 2 double height, 3 both */
    unsigned char *bits;    /* rows * bytes_per_row bytes, MSB left, 1 = black */
    int feed;               /* FEED: lines; CUT: motion units, -1 for none */
    int partial;            /* CUT: 1 partial, 0 full */
    int status_n;           /* STATUS: 1..4 (other values are kept too) */
} escpos_item_t;

typedef struct {
    escpos_item_t *items;
    size_t n, cap;
    size_t inits;           /* ESC @ seen */
    size_t ignored;         /* known commands without effect on the model */
    size_t unknown;         /* unknown command introducers skipped */
    size_t stray;           /* bytes printed as '?' or dropped: controls,
                             * high bytes outside Chinese mode, bad GB18030 */
    long first_unknown;     /* offset of the first unknown command, -1 none */
    int truncated;          /* the stream ended inside a command */
} escpos_doc_t;

/* Length of the element at P (AVAIL bytes left, AVAIL > 0) of a stream:
 * a whole command, or one text byte. Returns the length (1..AVAIL), or 0
 * when the command is longer than AVAIL (wait for more bytes). Stateless,
 * so a receiver can cut a live stream into commands (the virtual printer
 * answers DLE EOT with it) without misreading image or QR data. */
size_t escpos_command_length(const unsigned char *p, size_t avail);

/* Decodes DATA (LEN bytes) into DOC (initialised by this call). Returns 0,
 * or -1 when out of memory (DOC then holds what was decoded so far and
 * must still be freed). Malformed input is never an error: see above. */
int escpos_decode(const unsigned char *data, size_t len, escpos_doc_t *doc);
void escpos_doc_free(escpos_doc_t *doc);

/* Counts of the items of KIND in DOC. */
size_t escpos_doc_count(const escpos_doc_t *doc, escpos_item_kind_t kind);

#endif
