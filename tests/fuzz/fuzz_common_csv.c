/* libFuzzer target: the CSV writer of the console's exports (common/csv.c),
 * whose cells are titles and names that staff and residents typed.
 * The input is cells separated by 0x1F and rows by 0x1E (a NUL ends the
 * input). Invariants: the output starts with the BOM; read back by an RFC
 * 4180 reader it gives exactly the cells written, in their rows, each
 * formula-like cell with one leading apostrophe added; a line break occurs
 * outside quotes only as a row's CRLF. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "fuzz_check.h"

/* Reads one cell of S from *P into OUT (*OUTLEN bytes); returns the byte
 * that ended it: ',' '\r' (a CRLF row end) or 0 (the end). */
static int read_cell(const char *s, size_t len, size_t *p, char *out, size_t *outlen)
{
    size_t i = *p, n = 0;
    if (i < len && s[i] == '"') {
        for (i++;; i++) {
            CHECK(i < len, "unterminated quoted cell");
            if (s[i] == '"') {
                if (i + 1 < len && s[i + 1] == '"') { out[n++] = '"'; i++; continue; }
                i++;
                break;
            }
            out[n++] = s[i];
        }
    } else {
        for (; i < len && s[i] != ',' && s[i] != '\r'; i++) {
            CHECK(s[i] != '"' && s[i] != '\n', "a quote or line feed in an unquoted cell");
            out[n++] = s[i];
        }
    }
    *outlen = n;
    if (i >= len) { *p = i; return 0; }
    if (s[i] == ',') { *p = i + 1; return ','; }
    CHECK(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n', "a cell not ended by a comma or CRLF");
    *p = i + 2;
    return '\r';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1);
    if (!in) return 0;
    memcpy(in, data, size);
    in[size] = '\0';
    size_t inlen = strlen(in);
    csv_t c;
    csv_init(&c, true);
    /* Write: cells split at 0x1F, rows at 0x1E; every row ended. */
    size_t start = 0;
    for (size_t i = 0; i <= inlen; i++) {
        if (i < inlen && in[i] != 0x1f && in[i] != 0x1e) continue;
        char save = in[i];
        in[i] = '\0';
        csv_cell(&c, in + start);
        in[i] = save;
        if (i == inlen || save == 0x1e) csv_row_end(&c);
        start = i + 1;
    }
    size_t len;
    char *out = csv_take(&c, &len);
    CHECK(out, "out of memory on %zu bytes", inlen);
    CHECK(len >= 3 && !memcmp(out, "\xEF\xBB\xBF", 3), "no BOM");
    CHECK(strlen(out) == len, "a NUL inside the output");
    /* Read back and compare, cell by cell. */
    char *cell = malloc(len + 1);
    size_t p = 3;
    start = 0;
    for (size_t i = 0; i <= inlen; i++) {
        if (i < inlen && in[i] != 0x1f && in[i] != 0x1e) continue;
        size_t n;
        int end = read_cell(out, len, &p, cell, &n);
        size_t want = i - start;
        const char *w = in + start;
        char tmp = in[i];
        in[i] = '\0';
        bool formula = csv_formula_like(w);
        in[i] = tmp;
        CHECK(n == want + formula, "cell length %zu, want %zu", n, want + formula);
        CHECK(!formula || cell[0] == '\'', "a formula cell without its apostrophe");
        CHECK(!memcmp(cell + formula, w, want), "cell differs");
        CHECK(end == ((i == inlen || in[i] == 0x1e) ? '\r' : ','), "row structure differs");
        start = i + 1;
    }
    CHECK(p == len, "bytes after the last row");
    free(cell);
    free(out);
    free(in);
    return 0;
}
