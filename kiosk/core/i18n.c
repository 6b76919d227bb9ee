/* Reader for GNU gettext .mo catalogues (see core/i18n.h).
 *
 * File layout (all fields 32-bit, in the byte order given by the magic):
 *   0  magic 0x950412de        4  revision (major must be 0)
 *   8  N, number of strings   12  O, offset of the original-string table
 *  16  T, offset of the translation table  (20/24: hash table, unused here)
 * Each table holds N (length, offset) pairs; the string at offset is length
 * bytes followed by a NUL. A plural entry holds "singular\0plural" (and its
 * translation "form0\0form1..."), so reading up to the first NUL yields the
 * singular msgid and the first translated form.
 *
 * Every file is read whole into memory (or handed over in memory with
 * i18n_load_mo) and every table entry is checked against its size before
 * it is used; a catalogue failing any check is skipped with a log line.
 * Lookups use a sorted index of pointers into the file buffer built at load
 * time, so the reader does not rely on msgfmt's sort order. UI thread only. */
#include "core/i18n.h"
#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MO_MAGIC      0x950412deu
#define MO_HEADER     28u                /* bytes up to the hash table offset */
#define MO_MAX_SIZE   (16u << 20)        /* larger files are rejected */
#define NAME_MAX_LEN  31                 /* longest locale name accepted */

typedef struct {
    const char *id;     /* msgid, NUL-terminated, inside data */
    const char *str;    /* translation, NUL-terminated, inside data, never "" */
} mo_entry_t;

typedef struct {
    char name[NAME_MAX_LEN + 1];
    unsigned char *data;        /* whole file, owned */
    mo_entry_t *entries;        /* sorted by strcmp(id), owned */
    size_t count;
} mo_locale_t;

/* The one piece of state: loaded locales sorted by name, the current one,
 * and the name last passed successfully to i18n_set (kept across reloads). */
static struct {
    mo_locale_t *loc;
    int count;
    int cap;                        /* slots allocated in loc */
    int cur;                        /* index into loc, -1 if none loaded */
    char chosen[NAME_MAX_LEN + 1];  /* "" until i18n_set succeeds */
} g = { NULL, 0, 0, -1, "" };

/* 1 if NAME is 1..NAME_MAX_LEN ASCII letters, digits or underscores. */
static int valid_name(const char *name, size_t len)
{
    if (len == 0 || len > NAME_MAX_LEN) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* Reads the 32-bit value at OFF (caller checked OFF + 4 <= size),
 * little-endian if LITTLE, else big-endian. */
static uint32_t rd32(const unsigned char *p, size_t off, int little)
{
    const unsigned char *b = p + off;
    if (little)
        return (uint32_t)b[0] | (uint32_t)b[1] << 8 |
               (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return (uint32_t)b[3] | (uint32_t)b[2] << 8 |
           (uint32_t)b[1] << 16 | (uint32_t)b[0] << 24;
}

/* Reads regular file PATH whole into a malloc'd buffer. Returns 0 and fills
 * *DATA / *SIZE, or -1 with *WHY set to a static reason. */
static int read_file(const char *path, unsigned char **data, size_t *size,
                     const char **why)
{
    /* O_NONBLOCK: a FIFO named *.mo must not block the UI thread in open. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) { *why = strerror(errno); return -1; }
    struct stat st;
    if (fstat(fd, &st) != 0) { *why = strerror(errno); close(fd); return -1; }
    if (!S_ISREG(st.st_mode)) { *why = "not a regular file"; close(fd); return -1; }
    if (st.st_size < (off_t)MO_HEADER) { *why = "too short for a .mo header"; close(fd); return -1; }
    if (st.st_size > (off_t)MO_MAX_SIZE) { *why = "larger than 16 MiB"; close(fd); return -1; }

    size_t want = (size_t)st.st_size, got = 0;
    unsigned char *buf = malloc(want);
    if (!buf) { *why = "out of memory"; close(fd); return -1; }
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *why = n < 0 ? strerror(errno) : "file shrank while reading";
            free(buf);
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    *data = buf;
    *size = want;
    return 0;
}

/* Checks entry I of the string table at TAB: the string must lie inside the
 * file and be followed by a NUL. Returns a pointer to it and its length in
 * *LEN_OUT, or NULL with *WHY set. The table itself was checked to lie
 * inside the file. */
static const char *mo_string(const unsigned char *d, size_t size, int little,
                             uint32_t tab, uint32_t i, uint32_t *len_out,
                             const char **why)
{
    size_t at = (size_t)tab + (size_t)i * 8u;
    uint32_t len = rd32(d, at, little);
    uint32_t off = rd32(d, at + 4u, little);
    if ((uint64_t)off + len + 1u > size) {          /* string and its NUL */
        *why = "string offset or length past end of file";
        return NULL;
    }
    if (d[(size_t)off + len] != '\0') {
        *why = "string not NUL-terminated";
        return NULL;
    }
    *len_out = len;
    return (const char *)d + off;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const mo_entry_t *)a)->id, ((const mo_entry_t *)b)->id);
}

/* Validates the .mo image D (SIZE bytes) and builds L's sorted index. The
 * header entry (msgid ""), context entries (msgid holding \x04) and entries
 * with an empty translation are left out. Returns 0, or -1 with *WHY set. */
static int mo_parse(mo_locale_t *l, const unsigned char *d, size_t size,
                    const char **why)
{
    if (size < MO_HEADER) { *why = "too short for a .mo header"; return -1; }
    if (size > MO_MAX_SIZE) { *why = "larger than 16 MiB"; return -1; }
    int little;
    if (rd32(d, 0, 1) == MO_MAGIC) little = 1;
    else if (rd32(d, 0, 0) == MO_MAGIC) little = 0;
    else { *why = "bad magic"; return -1; }

    uint32_t rev = rd32(d, 4, little);
    uint32_t n = rd32(d, 8, little);
    uint32_t orig = rd32(d, 12, little);
    uint32_t trans = rd32(d, 16, little);
    if (rev >> 16 != 0) { *why = "unsupported revision"; return -1; }
    if ((uint64_t)orig + (uint64_t)n * 8u > size ||
        (uint64_t)trans + (uint64_t)n * 8u > size) {
        *why = "string table past end of file";
        return -1;
    }

    mo_entry_t *e = n ? malloc((size_t)n * sizeof *e) : NULL;
    if (n && !e) { *why = "out of memory"; return -1; }
    size_t kept = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id_len, str_len;
        const char *id = mo_string(d, size, little, orig, i, &id_len, why);
        const char *str = id ? mo_string(d, size, little, trans, i, &str_len, why)
                             : NULL;
        if (!str) {
            free(e);
            return -1;
        }
        if (id[0] == '\0' || memchr(id, '\x04', id_len) || str[0] == '\0')
            continue;
        e[kept].id = id;
        e[kept].str = str;
        kept++;
    }
    if (kept > 1) qsort(e, kept, sizeof *e, entry_cmp);
    l->entries = e;
    l->count = kept;
    return 0;
}

static void locale_free(mo_locale_t *l)
{
    free(l->entries);
    free(l->data);
    l->entries = NULL;
    l->data = NULL;
    l->count = 0;
}

static int locale_cmp(const void *a, const void *b)
{
    return strcmp(((const mo_locale_t *)a)->name, ((const mo_locale_t *)b)->name);
}

/* Translation of MSGID in locale L, or NULL if it has none. */
static const char *locale_lookup(const mo_locale_t *l, const char *msgid)
{
    size_t lo = 0, hi = l->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(msgid, l->entries[mid].id);
        if (c == 0) return l->entries[mid].str;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return NULL;
}

/* Current locale after a load: the one chosen by i18n_set if still loaded,
 * else "zh_CN" if loaded, else the first; -1 when none. */
static int default_locale(void)
{
    if (g.count == 0) return -1;
    int i = g.chosen[0] ? i18n_find(g.chosen) : -1;
    if (i < 0) i = i18n_find("zh_CN");
    return i < 0 ? 0 : i;
}

static void free_locales(void)
{
    for (int i = 0; i < g.count; i++) locale_free(&g.loc[i]);
    free(g.loc);
    g.loc = NULL;
    g.count = 0;
    g.cap = 0;
    g.cur = -1;
}

/* Validates the .mo image DATA (SIZE bytes, malloc'd, taken over) and adds
 * it as locale NAME, replacing a loaded locale of that name. Leaves sorting
 * and the choice of the current locale to settle(). Returns 0, or -1 with
 * *WHY set and DATA freed. */
static int add_locale(const char *name, unsigned char *data, size_t size,
                      const char **why)
{
    size_t len = name ? strlen(name) : 0;
    if (!valid_name(name, len)) {
        *why = "locale name must be 1 to 31 letters, digits and underscores";
        free(data);
        return -1;
    }
    mo_locale_t l;
    memset(&l, 0, sizeof l);
    memcpy(l.name, name, len + 1);
    l.data = data;
    if (mo_parse(&l, data, size, why) != 0) {
        locale_free(&l);
        return -1;
    }
    int i = i18n_find(name);
    if (i >= 0) {
        locale_free(&g.loc[i]);
        g.loc[i] = l;
        return 0;
    }
    if (g.count == g.cap) {
        int ncap = g.cap ? g.cap * 2 : 4;
        mo_locale_t *nl = realloc(g.loc, (size_t)ncap * sizeof *nl);
        if (!nl) {
            *why = "out of memory";
            locale_free(&l);
            return -1;
        }
        g.loc = nl;
        g.cap = ncap;
    }
    g.loc[g.count++] = l;
    return 0;
}

/* Sorts the loaded locales by name and picks the current one. */
static void settle(void)
{
    if (g.count > 1) qsort(g.loc, (size_t)g.count, sizeof *g.loc, locale_cmp);
    g.cur = default_locale();
}

int i18n_load_mo(const char *name, unsigned char *data, size_t size)
{
    const char *why = NULL;
    if (add_locale(name, data, size, &why) != 0) {
        log_warn("i18n", "%s: not loaded: %s", name ? name : "(null)", why);
        return -1;
    }
    settle();
    return 0;
}

/* Replaces every loaded locale with DIR's *.mo files. A locale chosen by
 * i18n_set stays current if DIR has it. */
int i18n_load_dir(const char *dir)
{
    free_locales();
    if (!dir) return 0;
    DIR *dp = opendir(dir);
    if (!dp) {
        log_warn("i18n", "cannot open locale dir %s: %s", dir, strerror(errno));
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 3, ".mo") != 0) continue;
        if (!valid_name(de->d_name, len - 3)) {
            log_warn("i18n", "%s/%s: skipped: locale name must be letters, "
                     "digits and underscore", dir, de->d_name);
            continue;
        }
        char *path = malloc(strlen(dir) + len + 2);
        if (!path) { log_error("i18n", "out of memory"); break; }
        strcpy(path, dir);
        strcat(path, "/");
        strcat(path, de->d_name);

        char name[NAME_MAX_LEN + 1];
        memcpy(name, de->d_name, len - 3);
        name[len - 3] = '\0';
        unsigned char *data = NULL;
        const char *why = NULL;
        size_t size = 0;
        if (read_file(path, &data, &size, &why) != 0 ||
            add_locale(name, data, size, &why) != 0)
            log_warn("i18n", "%s: skipped: %s", path, why);
        free(path);
    }
    closedir(dp);

    settle();
    if (g.count == 0)
        log_warn("i18n", "no locale loaded from %s, showing untranslated text", dir);
    else
        log_info("i18n", "%d locale(s) loaded from %s, current %s",
                 g.count, dir, g.loc[g.cur].name);
    return g.count;
}

/* Frees every locale and forgets the i18n_set choice. */
void i18n_free(void)
{
    free_locales();
    g.chosen[0] = '\0';
}

int i18n_count(void) { return g.count; }

/* NULL if IDX is out of range. */
const char *i18n_name(int idx)
{
    return idx >= 0 && idx < g.count ? g.loc[idx].name : NULL;
}

int i18n_find(const char *locale)
{
    if (!locale) return -1;
    for (int i = 0; i < g.count; i++)
        if (strcmp(g.loc[i].name, locale) == 0) return i;
    return -1;
}

/* 0 on success. */
int i18n_set(const char *locale)
{
    int i = i18n_find(locale);
    if (i < 0) return -1;
    g.cur = i;
    strcpy(g.chosen, g.loc[i].name);
    return 0;
}

/* NULL if no locale is loaded. */
const char *i18n_current(void)
{
    return g.cur >= 0 ? g.loc[g.cur].name : NULL;
}

const char *i18n_get(const char *msgid)
{
    if (!msgid || g.cur < 0) return msgid;
    const char *s = locale_lookup(&g.loc[g.cur], msgid);
    return s ? s : msgid;
}

const char *i18n_get_in(const char *locale, const char *msgid)
{
    int i = i18n_find(locale);
    if (!msgid || i < 0) return msgid;
    const char *s = locale_lookup(&g.loc[i], msgid);
    return s ? s : msgid;
}
