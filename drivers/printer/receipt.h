/* A receipt described in JSON, validated and encoded to ESC/POS:
 *
 *   {"width": 58 | 80,                 (default 58)
 *    "native_qr": true | false,        (default true: GS ( k; false: raster)
 *    "items": [
 *      {"text": "...", "align": "left|center|right", "bold": bool,
 *       "size": 1-8 | [w, h]},          text, '\n' splits lines, wrapped
 *      {"qr": "payload", "size": 1-16, "align": ...},   module dots, default 6
 *      {"image": "logo.png", "align": ...},   relative to the JSON file
 *      {"feed": 0-255},                 blank lines
 *      {"rule": "-"},                   one character repeated across the paper
 *      {"cut": "partial" | "full"}]}
 *
 * Text items default to left, QR codes and images to centre. Unknown
 * fields are errors (a typo must not print a wrong receipt). Errors name
 * the place: "items[3].size: must be 1-8 or [w, h] with each 1-8". */
#ifndef DRV_RECEIPT_H
#define DRV_RECEIPT_H

#include <stddef.h>
#include "printer/escpos.h"

#define RECEIPT_MAX_ITEMS 1000

typedef enum { RECEIPT_TEXT, RECEIPT_QR, RECEIPT_IMAGE, RECEIPT_FEED, RECEIPT_RULE, RECEIPT_CUT } receipt_kind_t;

typedef struct {
    receipt_kind_t kind;
    char *text;             /* text; QR payload; image path (resolved); rule character */
    escpos_align_t align;
    int bold;
    int width, height;      /* text size multipliers */
    int qr_size;            /* QR module dots */
    int feed;               /* lines */
    escpos_cut_t cut;
} receipt_item_t;

typedef struct {
    int width_mm;           /* 58 or 80 */
    int native_qr;
    receipt_item_t *items;
    size_t n;
} receipt_t;

/* Parses and validates JSON (LEN bytes) into R. Relative image paths are
 * taken relative to BASE_DIR (NULL: the current directory). Returns 0, or
 * -1 with the reason in ERR and R empty. Image files are read only by
 * receipt_encode. */
int receipt_parse(const char *json, size_t len, const char *base_dir, receipt_t *r, char *err, int errlen);
/* receipt_parse of the file PATH, images relative to its directory. */
int receipt_load(const char *path, receipt_t *r, char *err, int errlen);
void receipt_free(receipt_t *r);

/* The ESC/POS bytes of R: ESC @, then each item. *OUT is malloc'd (free
 * it). Returns 0, or -1 with the reason in ERR naming the item
 * ("items[0].image: logo.png: Couldn't open logo.png"). */
int receipt_encode(const receipt_t *r, unsigned char **out, size_t *len, char *err, int errlen);

#endif
