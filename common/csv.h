/* A CSV writer for exports staff open in a spreadsheet (RFC 4180): cells
 * separated by commas, rows ended by CRLF, a cell quoted (its quotes
 * doubled) when it holds a comma, a quote, CR or LF. A text cell that a
 * spreadsheet would run as a formula (first character = + - @ TAB or CR)
 * gets a leading apostrophe, so "=HYPERLINK(...)" in an event's title stays
 * text (CSV injection). Optionally starts with the UTF-8 byte order mark,
 * which Excel needs to read UTF-8 (without it a Chinese title comes out
 * garbled in Excel as set up in China).
 * Pure: no I/O, no globals; one csv_t per thread. Errors: out of memory
 * makes the writer "failed" (later calls do nothing) and csv_take NULL. */
#ifndef COMMON_CSV_H
#define COMMON_CSV_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *buf;                     /* malloc'd, NUL-terminated while not failed */
    size_t len, cap;
    bool failed;                   /* out of memory: nothing more is written */
    bool row_open;                 /* a cell was written on the current row */
} csv_t;

/* An empty writer; BOM: start with EF BB BF. */
void csv_init(csv_t *c, bool bom);
/* Appends text cell S (NULL: empty) to the current row. */
void csv_cell(csv_t *c, const char *s);
/* Appends a number cell (never prefixed: a number is not a formula). */
void csv_int(csv_t *c, long long v);
/* Ends the current row (CRLF). */
void csv_row_end(csv_t *c);
/* The text written (malloc'd, the caller frees it) and its length in
 * *LEN; NULL if the writer failed. The writer is empty afterwards. */
char *csv_take(csv_t *c, size_t *len);
/* Frees what the writer holds (after csv_take: nothing). */
void csv_free(csv_t *c);

/* Whether text cell S gets the apostrophe (exposed for the tests). */
bool csv_formula_like(const char *s);

#endif
