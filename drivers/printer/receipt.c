#include "printer/receipt.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

static int set_err(char *err, int errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int set_err(char *err, int errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int is_int(const cJSON *v, int lo, int hi, int *out)
{
    if (!cJSON_IsNumber(v)) return 0;
    double d = v->valuedouble;
    if (d < lo || d > hi || d != (double)(int)d) return 0;
    *out = (int)d;
    return 1;
}

/* Checks that S is UTF-8 with no control character but '\n' (ALLOW_NL).
 * Returns 0, or -1 with what is wrong in WHY. */
static int check_text(const char *s, int allow_nl, char *why, size_t whylen)
{
    size_t len = strlen(s);
    uint32_t cp;
    for (size_t i = 0; i < len;) {
        int n = utf8_decode(s + i, len - i, &cp);
        if (n < 0) {
            snprintf(why, whylen, "is not valid UTF-8 (byte %zu)", i);
            return -1;
        }
        if ((cp < 0x20 && !(allow_nl && cp == '\n')) || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            snprintf(why, whylen, "contains the control character U+%04X", (unsigned)cp);
            return -1;
        }
        i += (size_t)n;
    }
    return 0;
}

static int parse_align(const cJSON *v, escpos_align_t *a)
{
    if (!cJSON_IsString(v)) return -1;
    if (!strcmp(v->valuestring, "left")) *a = ESCPOS_LEFT;
    else if (!strcmp(v->valuestring, "center") || !strcmp(v->valuestring, "centre")) *a = ESCPOS_CENTER;
    else if (!strcmp(v->valuestring, "right")) *a = ESCPOS_RIGHT;
    else return -1;
    return 0;
}

static const char *const kinds[] = {"text", "qr", "image", "feed", "rule", "cut"};
/* Fields each kind accepts besides its own key. */
static const char *const extra_fields[] = {
    [RECEIPT_TEXT] = " align bold size ",
    [RECEIPT_QR] = " size align ",
    [RECEIPT_IMAGE] = " align ",
    [RECEIPT_FEED] = " ",
    [RECEIPT_RULE] = " ",
    [RECEIPT_CUT] = " ",
};

static char *join_path(const char *dir, const char *path)
{
    if (!dir || !*dir || path[0] == '/') return strdup(path);
    size_t n = strlen(dir) + strlen(path) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", dir, path);
    return s;
}

static int parse_item(const cJSON *o, size_t idx, const char *base_dir, receipt_item_t *it, char *err, int errlen)
{
    char why[96];
    if (!cJSON_IsObject(o)) return set_err(err, errlen, "items[%zu]: must be an object", idx);
    int kind = -1;
    for (int k = 0; k < (int)(sizeof kinds / sizeof *kinds); k++) {
        if (!cJSON_GetObjectItemCaseSensitive(o, kinds[k])) continue;
        if (kind >= 0)
            return set_err(err, errlen, "items[%zu]: has both \"%s\" and \"%s\"; one item prints one thing",
                           idx, kinds[kind], kinds[k]);
        kind = k;
    }
    if (kind < 0) return set_err(err, errlen, "items[%zu]: needs one of text, qr, image, feed, rule, cut", idx);
    for (const cJSON *f = o->child; f; f = f->next) {
        char key[72];
        snprintf(key, sizeof key, " %.64s ", f->string ? f->string : "");
        if (strcmp(f->string ? f->string : "", kinds[kind]) && !strstr(extra_fields[kind], key))
            return set_err(err, errlen, "items[%zu].%.40s: unknown field for a %s item", idx,
                           f->string ? f->string : "?", kinds[kind]);
    }
    memset(it, 0, sizeof *it);
    it->kind = (receipt_kind_t)kind;
    it->width = it->height = 1;
    it->align = kind == RECEIPT_QR || kind == RECEIPT_IMAGE ? ESCPOS_CENTER : ESCPOS_LEFT;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, kinds[kind]);
    const cJSON *align = cJSON_GetObjectItemCaseSensitive(o, "align");
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "size");
    if (align && parse_align(align, &it->align) != 0)
        return set_err(err, errlen, "items[%zu].align: must be \"left\", \"center\" or \"right\"", idx);
    switch (it->kind) {
    case RECEIPT_TEXT: {
        const cJSON *bold = cJSON_GetObjectItemCaseSensitive(o, "bold");
        if (!cJSON_IsString(v)) return set_err(err, errlen, "items[%zu].text: must be a string", idx);
        if (check_text(v->valuestring, 1, why, sizeof why) != 0)
            return set_err(err, errlen, "items[%zu].text: %s", idx, why);
        if (bold && !cJSON_IsBool(bold)) return set_err(err, errlen, "items[%zu].bold: must be true or false", idx);
        it->bold = cJSON_IsTrue(bold);
        if (size) {
            int w, h;
            if (is_int(size, 1, 8, &w)) {
                h = w;
            } else if (!(cJSON_IsArray(size) && cJSON_GetArraySize(size) == 2 &&
                         is_int(cJSON_GetArrayItem(size, 0), 1, 8, &w) &&
                         is_int(cJSON_GetArrayItem(size, 1), 1, 8, &h))) {
                return set_err(err, errlen, "items[%zu].size: must be 1-8 or [w, h] with each 1-8", idx);
            }
            it->width = w;
            it->height = h;
        }
        break;
    }
    case RECEIPT_QR: {
        it->qr_size = 6;
        if (!cJSON_IsString(v) || !*v->valuestring)
            return set_err(err, errlen, "items[%zu].qr: must be a non-empty string (the payload)", idx);
        size_t n = strlen(v->valuestring);
        if (n > ESCPOS_QR_MAX_BYTES)
            return set_err(err, errlen, "items[%zu].qr: %zu bytes; a QR code at level M holds at most %d",
                           idx, n, ESCPOS_QR_MAX_BYTES);
        if (size && !is_int(size, 1, 16, &it->qr_size))
            return set_err(err, errlen, "items[%zu].size: must be a module size of 1-16 dots", idx);
        break;
    }
    case RECEIPT_IMAGE:
        if (!cJSON_IsString(v) || !*v->valuestring)
            return set_err(err, errlen, "items[%zu].image: must be the path of a PNG file", idx);
        break;
    case RECEIPT_FEED:
        if (!is_int(v, 0, 255, &it->feed)) return set_err(err, errlen, "items[%zu].feed: must be 0-255 lines", idx);
        return 0;
    case RECEIPT_RULE: {
        uint32_t cp;
        if (!cJSON_IsString(v) || !*v->valuestring ||
            utf8_decode(v->valuestring, strlen(v->valuestring), &cp) != (int)strlen(v->valuestring) ||
            check_text(v->valuestring, 0, why, sizeof why) != 0)
            return set_err(err, errlen, "items[%zu].rule: must be one printable character, e.g. \"-\"", idx);
        break;
    }
    case RECEIPT_CUT:
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "partial") && strcmp(v->valuestring, "full")))
            return set_err(err, errlen, "items[%zu].cut: must be \"partial\" or \"full\"", idx);
        it->cut = strcmp(v->valuestring, "full") ? ESCPOS_CUT_PARTIAL : ESCPOS_CUT_FULL;
        return 0;
    }
    it->text = it->kind == RECEIPT_IMAGE ? join_path(base_dir, v->valuestring) : strdup(v->valuestring);
    if (!it->text) return set_err(err, errlen, "out of memory");
    return 0;
}

/* "line L column C" of offset AT in S. */
static void where(const char *s, size_t at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

int receipt_parse(const char *json, size_t len, const char *base_dir, receipt_t *r, char *err, int errlen)
{
    memset(r, 0, sizeof *r);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        int line, col;
        size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
        where(json, at, &line, &col);
        return set_err(err, errlen, "not valid JSON (line %d, column %d)", line, col);
    }
    int rc = -1;
    if (!cJSON_IsObject(root)) {
        set_err(err, errlen, "a receipt must be a JSON object with \"items\"");
        goto done;
    }
    for (const cJSON *f = root->child; f; f = f->next) {
        const char *k = f->string ? f->string : "";
        if (strcmp(k, "width") && strcmp(k, "items") && strcmp(k, "native_qr")) {
            set_err(err, errlen, "%.40s: unknown field (width, native_qr, items)", k);
            goto done;
        }
    }
    const cJSON *width = cJSON_GetObjectItemCaseSensitive(root, "width");
    const cJSON *native = cJSON_GetObjectItemCaseSensitive(root, "native_qr");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    r->width_mm = 58;
    r->native_qr = 1;
    if (width && !(is_int(width, 58, 80, &r->width_mm) && (r->width_mm == 58 || r->width_mm == 80))) {
        set_err(err, errlen, "width: must be 58 or 80 (mm of paper)");
        goto done;
    }
    if (native) {
        if (!cJSON_IsBool(native)) {
            set_err(err, errlen, "native_qr: must be true or false");
            goto done;
        }
        r->native_qr = cJSON_IsTrue(native);
    }
    if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) == 0) {
        set_err(err, errlen, "items: must be a non-empty array of things to print");
        goto done;
    }
    size_t n = (size_t)cJSON_GetArraySize(items);
    if (n > RECEIPT_MAX_ITEMS) {
        set_err(err, errlen, "items: %zu items; at most %d", n, RECEIPT_MAX_ITEMS);
        goto done;
    }
    r->items = calloc(n, sizeof *r->items);
    if (!r->items) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    for (const cJSON *it = items->child; it; it = it->next) {
        if (parse_item(it, r->n, base_dir, &r->items[r->n], err, errlen) != 0) goto done;
        r->n++;
    }
    rc = 0;
done:
    cJSON_Delete(root);
    if (rc != 0) receipt_free(r);
    return rc;
}

int receipt_load(const char *path, receipt_t *r, char *err, int errlen)
{
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "rb");
    if (!f) return set_err(err, errlen, "%s: %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (cap - len < 4096) {
            if (cap >= 4u << 20) {
                fclose(f);
                free(buf);
                return set_err(err, errlen, "%s: larger than 4 MB; not a receipt", path);
            }
            char *b = realloc(buf, cap ? cap * 2 : 8192);
            if (!b) {
                fclose(f);
                free(buf);
                return set_err(err, errlen, "out of memory");
            }
            buf = b;
            cap = cap ? cap * 2 : 8192;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return set_err(err, errlen, "%s: read error", path);
    }
    char *dir = strdup(path);
    if (!dir) {
        free(buf);
        return set_err(err, errlen, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0';
    char inner[400];
    int rc = receipt_parse(buf, len, slash ? dir : NULL, r, inner, sizeof inner);
    if (rc != 0) set_err(err, errlen, "%s: %s", path, inner);
    free(dir);
    free(buf);
    return rc;
}

void receipt_free(receipt_t *r)
{
    for (size_t i = 0; i < r->n; i++) free(r->items[i].text);
    free(r->items);
    memset(r, 0, sizeof *r);
}

/* The modes the encoder has set, so each is sent only when it changes. */
typedef struct {
    int align, bold, w, h;
} modes_t;

static int set_modes(escpos_t *e, modes_t *m, int align, int bold, int w, int h)
{
    if (m->align != align && escpos_align(e, (escpos_align_t)align) != 0) return -1;
    m->align = align;
    if (m->bold != bold && escpos_bold(e, bold) != 0) return -1;
    m->bold = bold;
    if ((m->w != w || m->h != h) && escpos_size(e, w, h) != 0) return -1;
    m->w = w;
    m->h = h;
    return 0;
}

static int encode_item(escpos_t *e, modes_t *m, const receipt_t *r, const receipt_item_t *it)
{
    switch (it->kind) {
    case RECEIPT_TEXT:
        return set_modes(e, m, it->align, it->bold, it->width, it->height) || escpos_line(e, it->text) ? -1 : 0;
    case RECEIPT_QR:
        if (set_modes(e, m, it->align, m->bold, m->w, m->h) != 0) return -1;
        return r->native_qr ? escpos_qr(e, it->text, strlen(it->text), it->qr_size)
                            : escpos_qr_raster(e, it->text, strlen(it->text), it->qr_size);
    case RECEIPT_IMAGE:
        if (set_modes(e, m, it->align, m->bold, m->w, m->h) != 0) return -1;
        return escpos_image_file(e, it->text, 0);
    case RECEIPT_FEED:
        return escpos_feed(e, it->feed);
    case RECEIPT_RULE: {
        int cols = escpos_columns(r->width_mm, 1), cw = escpos_text_columns(it->text);
        size_t one = strlen(it->text);
        int count = cw > 0 ? cols / cw : 0;
        char *line = malloc(one * (size_t)count + 1);
        if (!line) return -1;
        for (int i = 0; i < count; i++) memcpy(line + one * (size_t)i, it->text, one);
        line[one * (size_t)count] = '\0';
        int rc = set_modes(e, m, ESCPOS_LEFT, 0, 1, 1) || escpos_line(e, line) ? -1 : 0;
        free(line);
        return rc;
    }
    case RECEIPT_CUT:
        return escpos_cut_feed(e, it->cut, 0);
    }
    return -1;
}

int receipt_encode(const receipt_t *r, unsigned char **out, size_t *len, char *err, int errlen)
{
    *out = NULL;
    *len = 0;
    escpos_t e;
    if (escpos_start(&e, r->width_mm) != 0) {
        set_err(err, errlen, "width: %s", escpos_error(&e));
        escpos_free(&e);
        return -1;
    }
    modes_t m = {ESCPOS_LEFT, 0, 1, 1};
    if (escpos_init(&e) != 0) {
        set_err(err, errlen, "%s", escpos_error(&e));
        escpos_free(&e);
        return -1;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (encode_item(&e, &m, r, &r->items[i]) != 0) {
            set_err(err, errlen, "items[%zu].%s: %s", i, kinds[r->items[i].kind],
                    e.err[0] ? escpos_error(&e) : "out of memory");
            escpos_free(&e);
            return -1;
        }
    }
    *out = escpos_take(&e, len);
    escpos_free(&e);
    return 0;
}
