/* Text on screen through a glyph atlas. SDL_ttf's own cache holds 256 glyphs
 * and thrashes on Chinese, so each (pixel size, codepoint) is rasterised once,
 * white on transparent, into atlas textures, and every frame only copies
 * cached glyphs (colour by SDL_SetTextureColorMod / AlphaMod).
 * Used from the UI thread only. */
#ifndef KIOSK_UI_TEXT_H
#define KIOSK_UI_TEXT_H

#include <SDL.h>

typedef struct ui_text ui_text_t;

typedef struct {
    int start;   /* byte offset into the string */
    int len;     /* bytes, without trailing spaces or the newline */
    int width;   /* pixels */
} ui_line_t;

typedef struct {
    unsigned glyphs;        /* glyphs in the atlas */
    unsigned pages;         /* atlas textures */
    unsigned rasterised;    /* glyph rasterisations since creation (misses) */
    unsigned draws;         /* glyph copies since creation */
    unsigned fonts;         /* open TTF_Font sizes */
} ui_text_stats_t;

/* Opens the font file (face INDEX of a .ttc) for RENDERER. Fonts of each pixel
 * size are opened on first use. Returns NULL and fills ERR on failure (no
 * file, not a font, TTF_Init failure). */
ui_text_t *ui_text_create(SDL_Renderer *renderer, const char *font_path,
                          int index, char *err, int errlen);
/* Frees the atlas textures too: call before destroying the renderer. */
void ui_text_destroy(ui_text_t *t);

/* Pixel sizes (PX) are clamped to 4..400 by every function below. */

/* Pixel metrics for size PX: the line box height (line spacing) and the
 * baseline's distance from the top of the line box. */
int ui_text_line_height(ui_text_t *t, int px);
int ui_text_ascent(ui_text_t *t, int px);

/* Width in pixels of the first LEN bytes of UTF8 (LEN < 0: whole string),
 * on one line: the sum of the advances, exactly what ui_text_draw returns.
 * Invalid UTF-8 bytes count as U+FFFD. '\t' counts as a space; '\n', other
 * control characters and zero-width joiners/selectors count nothing.
 * Characters the font lacks (U+FFFD and emoji among them) measure and draw as
 * the font's .notdef box. Never rasterises. */
int ui_text_width(ui_text_t *t, int px, const char *utf8, int len);

/* Breaks UTF8 into lines no wider than MAX_W: between any two CJK characters
 * (Chinese, Japanese; not Korean Hangul), at spaces in Latin and Korean text, at '\n', and inside a word only when the word alone
 * is wider than MAX_W. Closing punctuation (，。、；：！？）》」』 and Latin
 * .,;:!?) never starts a line and opening brackets never end one.
 * Returns the number of lines written to LINES (at most MAX_LINES; the last
 * line then ends at the last character that fits).
 * Details: a line is wider than MAX_W only if it is a single glyph wider than
 * MAX_W; the punctuation rules give way only when a line has no other place
 * to break. Each line's width equals ui_text_width of its bytes. Spaces at
 * the start of a wrapped line are skipped, those after '\n' (indentation)
 * kept. "" gives 0 lines, "\n" one empty line, and a final '\n' adds no
 * empty line after it. */
int ui_text_wrap(ui_text_t *t, int px, const char *utf8, int max_w,
                 ui_line_t *lines, int max_lines);

/* Draws LEN bytes of UTF8 (LEN < 0: whole string) with the top of the line
 * box at (X, Y), in COLOR (its alpha included). Returns the width drawn, as
 * ui_text_width. Ink may stray a pixel or two left of X or past the width
 * (the tail of a leading "j"); vertically it stays inside the line box (in
 * Noto Sans CJK all glyphs but the vertical repeat marks U+3031/U+3032).
 * A glyph cache reset (all atlas pages full) may happen inside a call and
 * does not disturb what was already drawn this frame. */
int ui_text_draw(ui_text_t *t, int px, const char *utf8, int len,
                 int x, int y, SDL_Color color);

/* Rasterises the glyphs of UTF8 at PX now, so the first frame that shows them
 * does not pay for it (used by the attract loop for upcoming notices). */
void ui_text_warm(ui_text_t *t, int px, const char *utf8);

void ui_text_stats(const ui_text_t *t, ui_text_stats_t *out);

/* Decodes one UTF-8 codepoint at *S (advancing it); U+FFFD on a bad byte
 * (overlong, surrogate, truncated or stray), advancing by that one byte.
 * At or past END it returns 0 and does not advance. */
unsigned ui_utf8_next(const char **s, const char *end);

#endif
