/* Text through a glyph atlas; the contract is in text.h.
 *
 * Layout model. Glyphs sit on whole-pixel pen positions: the pen starts at X
 * and moves by each glyph's hinted advance (TTF_GlyphMetrics32). With
 * TTF_HINTING_NORMAL those advances are whole pixels, and SDL_ttf 2.20 (a
 * HarfBuzz build) then places the glyphs of a whole string on exactly the same
 * pixels, so a line drawn here matches TTF_RenderUTF8_Blended of that line.
 * (TTF_HINTING_LIGHT keeps fractional advances inside SDL_ttf's own string
 * layout, which no per-glyph cache can reproduce, so it is not used.)
 * Kerning, ligatures and mark positioning are deliberately ignored: SDL_ttf's
 * HarfBuzz shaping kerns some Latin pairs ("Pa", "AV": 1-2 px at 32 px) and
 * joins "fi", so English drawn here can sit a few pixels wider per line than
 * SDL_ttf's; Chinese is pixel-identical (checked visually and by diff), and
 * per-glyph caching is what makes Chinese affordable.
 *
 * Cache. One open-addressing hash table maps (pixel size, codepoint) to a
 * glyph record. A record is created with metrics only (measuring and wrapping
 * never rasterise) and gets its bitmap on first draw or warm: the glyph is
 * rendered white by TTF_RenderGlyph32_Blended, cropped to its ink, and
 * uploaded into an atlas page (a static ARGB texture, shelf-packed). Drawing
 * is then one SDL_RenderCopy per glyph with the page's colour/alpha mod.
 *
 * Reset. When MAX_PAGES pages are full (or the table reaches MAX_ENTRIES) the
 * whole cache is dropped and packing restarts on the existing pages. This may
 * happen in the middle of a frame: glyphs already copied this frame are safe
 * because the renderer is flushed first and SDL_UpdateTexture itself flushes
 * queued copies that read the texture, so only later glyphs use new content.
 * No glyph record is held across a rasterisation for the same reason.
 */
#include "ui/text.h"

#include "core/log.h"
#include "utf8.h"

#include <SDL_ttf.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MOD "text"

#define MIN_PX 4
#define MAX_PX 400            /* a glyph's ink must fit in one page */
#define MAX_FACES 1           /* one FreeType face, resized per size: each face of the CJK
                               * font costs ~1.7 MB (make bench: 70 -> 28 MB PSS at 24) */
#define PAGE_SIZE 1024        /* atlas page edge, capped by the renderer */
#define MAX_PAGES 16          /* 16 * 4 MiB of texture at most */
#define MAX_SHELVES 256
#define SHELF_ROUND 4         /* shelf heights are multiples of this */
#define MAX_ENTRIES (1u << 17)/* glyph records before a reset */
#define PAD 1                 /* transparent border around each glyph */

/* Keys pack the pixel size above the 21 bits of a codepoint; px >= MIN_PX
 * keeps every real key non-zero, and 0 marks a free slot. All codepoints the
 * font lacks share the record of the .notdef glyph, under NOTDEF_CP. */
#define CP_BITS 21
#define NOTDEF_CP 0x1FFFFFu

enum { PAGE_NONE = -1,        /* metrics only, not rasterised yet */
       PAGE_NO_INK = -2 };    /* rasterised, nothing to draw (blank/failed) */

typedef struct {
    Uint32 key;
    Sint16 adv;               /* pen advance, pixels */
    Sint16 ox, oy;            /* ink top-left from (pen x, line top) */
    Uint16 sx, sy, w, h;      /* ink rectangle in the page */
    Sint8 page;               /* page index or PAGE_NONE / PAGE_NO_INK */
} glyph_t;

typedef struct {
    Uint16 y, h, x;           /* top, height, first free column */
} shelf_t;

typedef struct {
    SDL_Texture *tex;
    int next_y;               /* first row below the last shelf */
    int nshelves;
    Uint32 mod;               /* RGBA last set on tex */
    int mod_set;
    shelf_t shelves[MAX_SHELVES];
} page_t;

typedef struct {
    TTF_Font *font;
    int px;
    int ascent, skip;
    unsigned last_use;
} face_t;

/* The size a call works at. Its font is only looked up (and possibly opened
 * or resized) on a cache miss, so frames of cached text never touch fonts,
 * however many sizes the UI cycles through. */
typedef struct {
    int px;
    face_t *f;                /* NULL until needed */
} size_ref_t;

/* One decoded codepoint while wrapping. */
typedef struct {
    int off;                  /* byte offset */
    int adv;
    Uint8 kind;               /* K_* */
    Uint8 brk;                /* B_* flags */
} wcp_t;

enum { K_OTHER, K_SPACE, K_NL, K_IGNORE };
enum { B_CJK = 1, B_OPEN = 2, B_CLOSE = 4 };

struct ui_text {
    SDL_Renderer *renderer;
    char *path;
    int index;

    face_t faces[MAX_FACES];
    unsigned use_clock;
    Sint16 px_ascent[MAX_PX + 1];  /* per-size metrics, 0 = not known yet */
    Sint16 px_skip[MAX_PX + 1];
    Uint8 px_failed[MAX_PX + 1];   /* the font would not open at this size */

    glyph_t *slots;           /* capacity 1 << slot_bits */
    int slot_bits;
    unsigned nentries;

    page_t *pages[MAX_PAGES];
    int npages;
    int page_size;

    unsigned glyphs, rasterised, draws, resets;
    int warned_big, warned_face;

    Uint32 *upload;           /* scratch for one padded glyph */
    size_t upload_cap;
    wcp_t *wcps;              /* scratch for ui_text_wrap */
    size_t wcps_cap;
};

/* ---- UTF-8 and character classes ---------------------------------------- */

unsigned ui_utf8_next(const char **sp, const char *end)
{
    uint32_t cp;
    if (!*sp || *sp >= end) return 0;       /* nothing left: no advance */
    *sp += utf8_next(*sp, (size_t)(end - *sp), &cp);
    return cp;
}

static int cp_kind(Uint32 cp)
{
    if (cp == '\n') return K_NL;
    if (cp == ' ' || cp == '\t' || cp == 0x3000 || cp == 0x200B || cp == 0x205F ||
        (cp >= 0x2000 && cp <= 0x200A && cp != 0x2007))
        return K_SPACE;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return K_IGNORE;
    if (cp == 0xFEFF || cp == 0x200C || cp == 0x200D || cp == 0x2060 ||
        (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF))
        return K_IGNORE;                  /* joiners, BOM, variation selectors */
    return K_OTHER;
}

/* Scripts written without spaces: a line may break before or after any of
 * these (subject to the punctuation rules). Not Hangul: Korean puts spaces
 * between words and is easier to read (for the elderly above all) when a
 * line breaks only there, as Korean print does (CSS word-break: keep-all);
 * a word wider than the line is still split, as a Latin one is. */
static int is_cjk(Uint32 c)
{
    return (c >= 0x2E80 && c <= 0x2FFF) ||   /* radicals, Kangxi, IDC */
           (c >= 0x3000 && c <= 0x33FF) ||   /* CJK punct, kana, bopomofo... */
           (c >= 0x3400 && c <= 0x4DBF) ||   /* Ext A */
           (c >= 0x4E00 && c <= 0x9FFF) ||   /* URO */
           (c >= 0xF900 && c <= 0xFAFF) ||   /* compatibility ideographs */
           (c >= 0xFE10 && c <= 0xFE1F) ||   /* vertical forms */
           (c >= 0xFE30 && c <= 0xFE6F) ||   /* compat + small forms */
           (c >= 0xFF00 && c <= 0xFFEF) ||   /* full/halfwidth forms */
           (c >= 0x20000 && c <= 0x3FFFF);   /* Ext B..H */
}

/* Never at the start of a line. */
static int is_close(Uint32 c)
{
    switch (c) {
    case '.': case ',': case ';': case ':': case '!': case '?':
    case ')': case ']': case '}':
    case 0x2019: case 0x201D:               /* ’ ” */
    case 0x2026: case 0x2025:               /* … ‥ */
    case 0x3001: case 0x3002:               /* 、 。 */
    case 0x3009: case 0x300B: case 0x300D: case 0x300F: case 0x3011:
    case 0x3015: case 0x3017: case 0x3019: case 0x301B: case 0x301E: case 0x301F:
    case 0x3005: case 0x3003: case 0x30FC: case 0x30FB: /* 々 〃 ー ・ */
    case 0x309D: case 0x309E: case 0x30FD: case 0x30FE: /* iteration marks */
    case 0xFF01: case 0xFF05: case 0xFF09: case 0xFF0C: case 0xFF0E:
    case 0xFF1A: case 0xFF1B: case 0xFF1F: case 0xFF3D: case 0xFF5D:
    case 0xFF60: case 0xFF61: case 0xFF63: case 0xFF64:
    case 0xFE50: case 0xFE51: case 0xFE52: case 0xFE54: case 0xFE55:
    case 0xFE56: case 0xFE57:
        return 1;
    default:
        return 0;
    }
}

/* Never at the end of a line. */
static int is_open(Uint32 c)
{
    switch (c) {
    case '(': case '[': case '{':
    case 0x2018: case 0x201C:               /* ‘ “ */
    case 0x3008: case 0x300A: case 0x300C: case 0x300E: case 0x3010:
    case 0x3014: case 0x3016: case 0x3018: case 0x301A: case 0x301D:
    case 0xFF08: case 0xFF3B: case 0xFF5B: case 0xFF5F: case 0xFF62:
        return 1;
    default:
        return 0;
    }
}

static int brk_flags(Uint32 cp)
{
    return (is_cjk(cp) ? B_CJK : 0) | (is_open(cp) ? B_OPEN : 0) |
           (is_close(cp) ? B_CLOSE : 0);
}

static int clamp_px(int px)
{
    return px < MIN_PX ? MIN_PX : px > MAX_PX ? MAX_PX : px;
}

/* ---- fonts --------------------------------------------------------------- */

static void face_metrics(ui_text_t *t, face_t *f)
{
    f->ascent = TTF_FontAscent(f->font);
    int h = TTF_FontHeight(f->font);
    f->skip = TTF_FontLineSkip(f->font);
    if (f->skip < h) f->skip = h;
    t->px_ascent[f->px] = (Sint16)f->ascent;
    t->px_skip[f->px] = (Sint16)f->skip;
}

/* Opens the face at PX with the hinting the layout model relies on. */
static TTF_Font *font_open(const ui_text_t *t, int px)
{
    TTF_Font *font = TTF_OpenFontIndex(t->path, px, t->index);
    if (font) TTF_SetFontHinting(font, TTF_HINTING_NORMAL);
    return font;
}

/* The font for PX, opened on first use. With all MAX_FACES slots taken the
 * least recently used font is resized (TTF_SetFontSize) rather than reopened:
 * glyphs already in the atlas do not need their font. NULL on failure, which
 * is logged once and not retried for that size (retrying would reopen the
 * file for every glyph of every frame). */
static face_t *face_get(ui_text_t *t, int px)
{
    if (t->px_failed[px]) return NULL;
    face_t *lru = NULL, *empty = NULL;
    t->use_clock++;
    for (int i = 0; i < MAX_FACES; i++) {
        face_t *f = &t->faces[i];
        if (!f->font) { if (!empty) empty = f; continue; }
        if (f->px == px) { f->last_use = t->use_clock; return f; }
        if (!lru || f->last_use < lru->last_use) lru = f;
    }
    face_t *f = empty;
    if (f) {
        f->font = font_open(t, px);
        if (!f->font) goto fail;
    } else {
        f = lru;
        if (TTF_SetFontSize(f->font, px) != 0) {
            /* The font may be half-changed: drop it, the slot reopens. */
            TTF_CloseFont(f->font);
            f->font = NULL;
            goto fail;
        }
    }
    f->px = px;
    f->last_use = t->use_clock;
    face_metrics(t, f);
    return f;
fail:
    t->px_failed[px] = 1;
    if (!t->warned_face) {
        log_error(MOD, "cannot open font size %d: %s", px, TTF_GetError());
        t->warned_face = 1;
    }
    return NULL;
}

static size_ref_t size_ref(int px)
{
    return (size_ref_t){clamp_px(px), NULL};
}

static face_t *size_face(ui_text_t *t, size_ref_t *z)
{
    if (!z->f) z->f = face_get(t, z->px);
    return z->f;
}

/* ---- glyph table --------------------------------------------------------- */

static Uint32 key_of(int px, Uint32 cp)
{
    return ((Uint32)px << CP_BITS) | cp;
}

static size_t slot_of(const ui_text_t *t, Uint32 key)
{
    return (size_t)((key * 2654435761u) >> (32 - t->slot_bits));
}

static glyph_t *table_find(const ui_text_t *t, Uint32 key)
{
    size_t mask = ((size_t)1 << t->slot_bits) - 1;
    for (size_t i = slot_of(t, key);; i = (i + 1) & mask) {
        glyph_t *g = &t->slots[i];
        if (g->key == key) return g;
        if (!g->key) return NULL;
    }
}

static int table_init(ui_text_t *t, int bits)
{
    glyph_t *s = calloc((size_t)1 << bits, sizeof *s);
    if (!s) return -1;
    t->slots = s;
    t->slot_bits = bits;
    t->nentries = 0;
    return 0;
}

/* Drops every glyph record and all atlas packing; page textures are kept and
 * refilled. Flushes the renderer first (see the file comment). */
static void cache_reset(ui_text_t *t, const char *why)
{
    SDL_RenderFlush(t->renderer);
    memset(t->slots, 0, ((size_t)1 << t->slot_bits) * sizeof *t->slots);
    t->nentries = 0;
    for (int i = 0; i < t->npages; i++) {
        t->pages[i]->nshelves = 0;
        t->pages[i]->next_y = 0;
    }
    t->glyphs = 0;
    t->resets++;
    if (t->resets == 1)
        log_warn(MOD, "glyph cache full (%s), reset; further resets logged at debug", why);
    else
        log_debug(MOD, "glyph cache reset %u (%s)", t->resets, why);
}

/* Inserts KEY (absent) and returns its zeroed record, or NULL when out of
 * memory. May reset the cache, which invalidates every other record. */
static glyph_t *table_insert(ui_text_t *t, Uint32 key)
{
    if (t->nentries + 1 > MAX_ENTRIES) cache_reset(t, "too many glyph records");
    if ((t->nentries + 1) * 2 > ((size_t)1 << t->slot_bits)) {
        glyph_t *old = t->slots;
        size_t oldn = (size_t)1 << t->slot_bits;
        if (table_init(t, t->slot_bits + 1) != 0) {
            t->slots = old;
            return NULL;
        }
        for (size_t i = 0; i < oldn; i++) {
            if (!old[i].key) continue;
            size_t mask = ((size_t)1 << t->slot_bits) - 1;
            size_t j = slot_of(t, old[i].key);
            while (t->slots[j].key) j = (j + 1) & mask;
            t->slots[j] = old[i];
            t->nentries++;
        }
        free(old);
    }
    size_t mask = ((size_t)1 << t->slot_bits) - 1;
    size_t i = slot_of(t, key);
    while (t->slots[i].key) i = (i + 1) & mask;
    glyph_t *g = &t->slots[i];
    memset(g, 0, sizeof *g);
    g->key = key;
    g->page = PAGE_NONE;
    t->nentries++;
    return g;
}

/* The record of CP at Z's size, created with metrics on first use; codepoints
 * the font lacks resolve to the shared .notdef record so that measuring and
 * drawing agree on them. NULL when out of memory or the font will not open
 * at that size (the character then measures and draws as nothing). */
static glyph_t *glyph_lookup(ui_text_t *t, size_ref_t *z, Uint32 cp)
{
    Uint32 key = key_of(z->px, cp);
    glyph_t *g = table_find(t, key);
    if (g) return g;
    face_t *f = size_face(t, z);
    if (!f) return NULL;
    if (!TTF_GlyphIsProvided32(f->font, cp)) {
        key = key_of(z->px, NOTDEF_CP);
        g = table_find(t, key);
        if (g) return g;
    }
    int minx, maxx, miny, maxy, adv;
    if (TTF_GlyphMetrics32(f->font, cp, &minx, &maxx, &miny, &maxy, &adv) != 0)
        adv = 0;
    g = table_insert(t, key);
    if (!g) return NULL;
    g->adv = (Sint16)adv;
    return g;
}

/* ---- atlas --------------------------------------------------------------- */

static page_t *page_new(ui_text_t *t)
{
    if (t->npages >= MAX_PAGES) return NULL;
    page_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->tex = SDL_CreateTexture(t->renderer, SDL_PIXELFORMAT_ARGB8888,
                               SDL_TEXTUREACCESS_STATIC, t->page_size, t->page_size);
    if (!p->tex) {
        log_error(MOD, "atlas page: %s", SDL_GetError());
        free(p);
        return NULL;
    }
    SDL_SetTextureBlendMode(p->tex, SDL_BLENDMODE_BLEND);
    t->pages[t->npages++] = p;
    return p;
}

/* Finds room for a W x H box. Best fit among shelves not much taller than H,
 * else a new shelf in any page, else a new page. Returns 0 and the place, or
 * -1 when all MAX_PAGES pages are full. */
static int atlas_alloc(ui_text_t *t, int w, int h, int *page, int *x, int *y)
{
    int best_p = -1, best_s = -1, best_h = 0;
    for (int p = 0; p < t->npages; p++) {
        page_t *pg = t->pages[p];
        for (int s = 0; s < pg->nshelves; s++) {
            shelf_t *sh = &pg->shelves[s];
            if (sh->h < h || sh->h > h + h / 2 + SHELF_ROUND) continue;
            if (t->page_size - sh->x < w) continue;
            if (best_p < 0 || sh->h < best_h) { best_p = p; best_s = s; best_h = sh->h; }
        }
    }
    if (best_p >= 0) {
        shelf_t *sh = &t->pages[best_p]->shelves[best_s];
        *page = best_p; *x = sh->x; *y = sh->y;
        sh->x = (Uint16)(sh->x + w);
        return 0;
    }
    int sh_h = (h + SHELF_ROUND - 1) / SHELF_ROUND * SHELF_ROUND;
    if (w > t->page_size || sh_h > t->page_size) return -1;
    for (int p = 0; p <= t->npages; p++) {
        page_t *pg = p < t->npages ? t->pages[p] : page_new(t);
        if (!pg) break;
        if (pg->nshelves >= MAX_SHELVES || pg->next_y + sh_h > t->page_size) continue;
        shelf_t *sh = &pg->shelves[pg->nshelves++];
        sh->y = (Uint16)pg->next_y;
        sh->h = (Uint16)sh_h;
        sh->x = (Uint16)w;
        pg->next_y += sh_h;
        *page = p; *x = 0; *y = sh->y;
        return 0;
    }
    return -1;
}

/* Bounding box of the non-transparent pixels of an ARGB8888 surface;
 * returns 0 when there are none. */
static int ink_box(const SDL_Surface *s, SDL_Rect *box)
{
    int x0 = s->w, y0 = s->h, x1 = -1, y1 = -1;
    for (int y = 0; y < s->h; y++) {
        const Uint32 *row = (const Uint32 *)((const Uint8 *)s->pixels + (size_t)y * s->pitch);
        for (int x = 0; x < s->w; x++) {
            if (!(row[x] >> 24)) continue;
            if (x < x0) x0 = x;
            if (x > x1) x1 = x;
            if (y < y0) y0 = y;
            y1 = y;
        }
    }
    if (x1 < 0) return 0;
    *box = (SDL_Rect){x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return 1;
}

/* Rasterises the glyph of record G (codepoint CP) into the atlas. Returns the
 * record, which may have moved if the cache was reset to make room, or NULL
 * when out of memory. */
static glyph_t *glyph_rasterise(ui_text_t *t, size_ref_t *z, glyph_t *g, Uint32 cp)
{
    static const SDL_Color white = {255, 255, 255, 255};
    Uint32 key = g->key;
    Sint16 adv = g->adv;
    face_t *f = size_face(t, z);
    t->rasterised++;
    g->page = PAGE_NO_INK;
    if (!f) return g;
    /* For a codepoint the font lacks SDL_ttf draws .notdef, which is what the
     * shared record stands for. */
    SDL_Surface *s = TTF_RenderGlyph32_Blended(f->font, cp, white);
    if (s && s->format->format != SDL_PIXELFORMAT_ARGB8888) {
        SDL_Surface *c = SDL_ConvertSurfaceFormat(s, SDL_PIXELFORMAT_ARGB8888, 0);
        SDL_FreeSurface(s);
        s = c;
    }
    if (!s) return g;                     /* zero-width glyph or failure */
    int minx, maxx, miny, maxy, dummy;
    SDL_Rect box;
    if (TTF_GlyphMetrics32(f->font, cp, &minx, &maxx, &miny, &maxy, &dummy) != 0 ||
        !ink_box(s, &box)) {
        SDL_FreeSurface(s);
        return g;
    }
    /* SDL_ttf puts the pen origin (line top, x 0) of a glyph surface at
     * (max(0, -minx), max(0, maxy - ascent)): it widens the surface to the
     * left / top when ink would fall before the origin. */
    int org_x = minx < 0 ? -minx : 0;
    int org_y = maxy > f->ascent ? maxy - f->ascent : 0;
    int bw = box.w + 2 * PAD, bh = box.h + 2 * PAD;
    int page, ax, ay;
    if (bw > t->page_size || bh > t->page_size) {
        if (!t->warned_big) {
            log_error(MOD, "glyph U+%04X at %d px does not fit an atlas page",
                      (unsigned)cp, f->px);
            t->warned_big = 1;
        }
        SDL_FreeSurface(s);
        return g;
    }
    if (atlas_alloc(t, bw, bh, &page, &ax, &ay) != 0) {
        cache_reset(t, "atlas pages full");
        g = table_insert(t, key);
        if (!g) { SDL_FreeSurface(s); return NULL; }
        g->adv = adv;
        g->page = PAGE_NO_INK;
        if (atlas_alloc(t, bw, bh, &page, &ax, &ay) != 0) {
            SDL_FreeSurface(s);           /* no page at all could be made */
            return g;
        }
    }
    size_t need = (size_t)bw * (size_t)bh;
    if (need > t->upload_cap) {
        Uint32 *u = realloc(t->upload, need * sizeof *u);
        if (!u) { SDL_FreeSurface(s); return g; }
        t->upload = u;
        t->upload_cap = need;
    }
    /* Transparent white around the ink, so even a filtered copy never pulls
     * in a neighbour's pixels or darkens the edge. */
    for (size_t i = 0; i < need; i++) t->upload[i] = 0x00FFFFFFu;
    for (int y = 0; y < box.h; y++) {
        const Uint32 *src = (const Uint32 *)((const Uint8 *)s->pixels +
                                             (size_t)(box.y + y) * s->pitch) + box.x;
        memcpy(t->upload + (size_t)(y + PAD) * bw + PAD, src, (size_t)box.w * 4);
    }
    SDL_FreeSurface(s);
    SDL_Rect dst = {ax, ay, bw, bh};
    if (SDL_UpdateTexture(t->pages[page]->tex, &dst, t->upload, bw * 4) != 0) {
        log_error(MOD, "atlas upload: %s", SDL_GetError());
        return g;
    }
    g->page = (Sint8)page;
    g->sx = (Uint16)(ax + PAD);
    g->sy = (Uint16)(ay + PAD);
    g->w = (Uint16)box.w;
    g->h = (Uint16)box.h;
    g->ox = (Sint16)(box.x - org_x);
    g->oy = (Sint16)(box.y - org_y);
    t->glyphs++;
    return g;
}

/* ---- measuring ----------------------------------------------------------- */

/* The codepoint whose glyph stands for CP of kind K_OTHER or K_SPACE. */
static Uint32 glyph_cp(Uint32 cp)
{
    return cp == '\t' ? ' ' : cp;
}

/* Advance of CP (any kind) at Z's size; 0 for newlines, controls and
 * zero-width characters. */
static int cp_advance(ui_text_t *t, size_ref_t *z, Uint32 cp, int kind)
{
    if (kind == K_NL || kind == K_IGNORE || cp == 0x200B) return 0;
    glyph_t *g = glyph_lookup(t, z, glyph_cp(cp));
    return g ? g->adv : 0;
}

static const char *text_end(const char *utf8, int len)
{
    return utf8 + (len < 0 ? (int)strlen(utf8) : len);
}

int ui_text_line_height(ui_text_t *t, int px)
{
    if (!t) return 0;
    px = clamp_px(px);
    if (!t->px_skip[px]) face_get(t, px);
    return t->px_skip[px];
}

int ui_text_ascent(ui_text_t *t, int px)
{
    if (!t) return 0;
    px = clamp_px(px);
    if (!t->px_skip[px]) face_get(t, px);
    return t->px_ascent[px];
}

int ui_text_width(ui_text_t *t, int px, const char *utf8, int len)
{
    if (!t || !utf8) return 0;
    size_ref_t z = size_ref(px);
    const char *s = utf8, *end = text_end(utf8, len);
    int w = 0;
    while (s < end) {
        Uint32 cp = ui_utf8_next(&s, end);
        w += cp_advance(t, &z, cp, cp_kind(cp));
    }
    return w;
}

/* ---- wrapping ------------------------------------------------------------ */

/* Lays out one line starting at codepoint FROM of the N in C (C[N].off is
 * the byte length). The line is [FROM, *END) without trailing spaces, *W wide;
 * the next line starts at *NEXT (> FROM). LAST: the final allowed line, which
 * fills up to the last codepoint that fits instead of the last break. */
static void wrap_one(const wcp_t *c, int n, int from, int max_w, int last,
                     int *end, int *w, int *next)
{
    int pen = 0;                 /* width so far, trailing spaces included */
    int content_end = from, content_w = 0;
    int brk = -1, brk_end = from, brk_w = 0;
    int prev = -1;               /* index of the last visible codepoint */
    int spaced = 0;              /* spaces since PREV */
    for (int i = from; i < n; i++) {
        if (c[i].kind == K_NL) {
            *end = content_end; *w = content_w; *next = i + 1;
            return;
        }
        if (c[i].kind == K_IGNORE) continue;
        if (c[i].kind == K_SPACE) {
            pen += c[i].adv;
            if (prev >= 0) spaced = 1;
            continue;
        }
        if (prev >= 0) {
            int pb = c[prev].brk, cb = c[i].brk;
            int ok = !(cb & B_CLOSE) && !(pb & B_OPEN);
            if (!spaced) ok = ok && ((pb | cb) & B_CJK);
            if (ok) { brk = i; brk_end = content_end; brk_w = content_w; }
        }
        if (pen + c[i].adv > max_w && (prev >= 0 || pen > 0)) {
            if (!last && brk > from) {
                *end = brk_end; *w = brk_w; *next = brk;
                return;
            }
            /* No break on this line (one over-long word), or the last line:
             * split before the codepoint that does not fit, or, if that
             * would start a line with a closing mark or end one with an
             * opening bracket, before the latest codepoint where it would
             * not ("11:3" + "0，" rather than "11:30" + "，"). */
            *end = content_end; *w = content_w; *next = i;
            for (int j = i, jp = prev; jp >= from; ) {
                if (!(c[j].brk & B_CLOSE) && !(c[jp].brk & B_OPEN)) {
                    if (j == i) return;
                    int e = jp + 1, pw = 0;
                    for (int k = from; k < e; k++) pw += c[k].adv;
                    *end = e; *w = pw; *next = j;
                    return;
                }
                j = jp;
                do jp--; while (jp >= from && c[jp].kind != K_OTHER);
            }
            return;
        }
        pen += c[i].adv;
        content_end = i + 1;
        content_w = pen;
        prev = i;
        spaced = 0;
    }
    *end = content_end; *w = content_w; *next = n;
}

int ui_text_wrap(ui_text_t *t, int px, const char *utf8, int max_w,
                 ui_line_t *lines, int max_lines)
{
    if (!t || !utf8 || !lines || max_lines <= 0 || !*utf8) return 0;
    size_ref_t z = size_ref(px);
    size_t len = strlen(utf8);
    if (len > (size_t)INT32_MAX / 2) return 0;
    if (len + 1 > t->wcps_cap) {
        wcp_t *p = realloc(t->wcps, (len + 1) * sizeof *p);
        if (!p) return 0;
        t->wcps = p;
        t->wcps_cap = len + 1;
    }
    wcp_t *c = t->wcps;
    const char *s = utf8, *end = utf8 + len;
    int n = 0;
    while (s < end) {
        c[n].off = (int)(s - utf8);
        Uint32 cp = ui_utf8_next(&s, end);
        int kind = cp_kind(cp);
        c[n].kind = (Uint8)kind;
        c[n].adv = cp_advance(t, &z, cp, kind);
        c[n].brk = (Uint8)(kind == K_OTHER ? brk_flags(cp) : 0);
        n++;
    }
    c[n].off = (int)len;

    int nl = 0, pos = 0;
    while (nl < max_lines && pos < n) {
        int e, w, next;
        wrap_one(c, n, pos, max_w, nl == max_lines - 1, &e, &w, &next);
        lines[nl].start = c[pos].off;
        lines[nl].len = c[e].off - c[pos].off;
        lines[nl].width = w;
        nl++;
        /* A wrapped line (not one after '\n') starts at its first visible
         * codepoint: the spaces at the break stay behind. */
        int hard = next > 0 && c[next - 1].kind == K_NL;
        pos = next;
        if (!hard)
            while (pos < n && (c[pos].kind == K_SPACE || c[pos].kind == K_IGNORE)) pos++;
    }
    return nl;
}

/* ---- drawing ------------------------------------------------------------- */

/* Walks UTF8 at F's size, rasterising missing glyphs; with DRAW, copies them
 * to (X, Y) in COLOR. Returns the advance. */
static int run(ui_text_t *t, size_ref_t *z, const char *utf8, const char *end,
               int draw, int x, int y, SDL_Color color)
{
    Uint32 mod = ((Uint32)color.r << 24) | ((Uint32)color.g << 16) |
                 ((Uint32)color.b << 8) | color.a;
    const char *s = utf8;
    int pen = x;
    while (s < end) {
        Uint32 cp = ui_utf8_next(&s, end);
        int kind = cp_kind(cp);
        if (kind != K_OTHER) {
            pen += cp_advance(t, z, cp, kind);
            continue;
        }
        glyph_t *g = glyph_lookup(t, z, cp);
        if (!g) continue;
        if (g->page == PAGE_NONE) {
            g = glyph_rasterise(t, z, g, cp);
            if (!g) continue;
        }
        if (draw && g->page >= 0 && color.a) {
            page_t *pg = t->pages[g->page];
            if (!pg->mod_set || pg->mod != mod) {
                SDL_SetTextureColorMod(pg->tex, color.r, color.g, color.b);
                SDL_SetTextureAlphaMod(pg->tex, color.a);
                pg->mod = mod;
                pg->mod_set = 1;
            }
            SDL_Rect src = {g->sx, g->sy, g->w, g->h};
            SDL_Rect dst = {pen + g->ox, y + g->oy, g->w, g->h};
            if (SDL_RenderCopy(t->renderer, pg->tex, &src, &dst) == 0) t->draws++;
        }
        pen += g->adv;
    }
    return pen - x;
}

int ui_text_draw(ui_text_t *t, int px, const char *utf8, int len,
                 int x, int y, SDL_Color color)
{
    if (!t || !utf8) return 0;
    size_ref_t z = size_ref(px);
    return run(t, &z, utf8, text_end(utf8, len), 1, x, y, color);
}

void ui_text_warm(ui_text_t *t, int px, const char *utf8)
{
    if (!t || !utf8) return;
    size_ref_t z = size_ref(px);
    SDL_Color none = {0, 0, 0, 0};
    run(t, &z, utf8, utf8 + strlen(utf8), 0, 0, 0, none);
}

void ui_text_stats(const ui_text_t *t, ui_text_stats_t *out)
{
    if (!out) return;
    memset(out, 0, sizeof *out);
    if (!t) return;
    out->glyphs = t->glyphs;
    out->pages = (unsigned)t->npages;
    out->rasterised = t->rasterised;
    out->draws = t->draws;
    for (int i = 0; i < MAX_FACES; i++)
        if (t->faces[i].font) out->fonts++;
}

/* ---- lifetime ------------------------------------------------------------ */

static void set_err(char *err, int errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, int errlen, const char *fmt, ...)
{
    if (!err || errlen <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    SDL_vsnprintf(err, (size_t)errlen, fmt, ap);
    va_end(ap);
}

ui_text_t *ui_text_create(SDL_Renderer *renderer, const char *font_path,
                          int index, char *err, int errlen)
{
    if (err && errlen > 0) err[0] = '\0';
    if (!renderer || !font_path || index < 0) {
        set_err(err, errlen, "ui_text_create: no renderer, no font path or bad face index");
        return NULL;
    }
    if (TTF_Init() != 0) {
        set_err(err, errlen, "TTF_Init: %s", TTF_GetError());
        return NULL;
    }
    ui_text_t *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(font_path)) || table_init(t, 12) != 0) {
        set_err(err, errlen, "ui_text_create: out of memory");
        if (t) free(t->path);
        free(t);
        TTF_Quit();
        return NULL;
    }
    t->renderer = renderer;
    t->index = index;
    /* Opening one size now is what tells a missing or broken file apart;
     * the font stays open for later use. */
    TTF_Font *probe = font_open(t, 16);
    if (!probe) {
        set_err(err, errlen, "font %s: %s", font_path, TTF_GetError());
        ui_text_destroy(t);
        return NULL;
    }
    t->faces[0].font = probe;
    t->faces[0].px = 16;
    face_metrics(t, &t->faces[0]);

    t->page_size = PAGE_SIZE;
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(renderer, &info) == 0) {
        int m = info.max_texture_width;
        if (info.max_texture_height && info.max_texture_height < m) m = info.max_texture_height;
        if (m > 0 && m < t->page_size) t->page_size = m;
    }
    return t;
}

void ui_text_destroy(ui_text_t *t)
{
    if (!t) return;
    for (int i = 0; i < t->npages; i++) {
        SDL_DestroyTexture(t->pages[i]->tex);
        free(t->pages[i]);
    }
    for (int i = 0; i < MAX_FACES; i++)
        if (t->faces[i].font) TTF_CloseFont(t->faces[i].font);
    free(t->slots);
    free(t->upload);
    free(t->wcps);
    free(t->path);
    free(t);
    TTF_Quit();
}
