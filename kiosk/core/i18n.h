/* Message translation from compiled gettext catalogues (.mo files made from
 * locales/<locale>.po by msgfmt). Adding a locale is adding a .po file: every .mo
 * found in the locale dir is loaded. msgids are English source strings. The
 * msgid "@language-name" carries each locale's own name ("中文", "English"). */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#include <stddef.h>

#define _(s)  i18n_get(s)
#define N_(s) (s)

/* Loads every DIR/<locale>.mo, replacing any locales loaded before (a locale
 * chosen by i18n_set stays current if DIR has it). Returns the number loaded
 * (0 if none; the kiosk then shows msgids). A malformed .mo, or one whose
 * name is not letters, digits and underscore, is skipped with a log line. */
int i18n_load_dir(const char *dir);

/* Loads one catalogue from memory as locale NAME (letters, digits and
 * underscore, 1 to 31 of them), replacing a loaded locale of that name and
 * keeping the others; i18n_load_dir uses it for each file. DATA is a .mo
 * image of SIZE bytes allocated with malloc: i18n takes it over in every
 * case (freeing it at once if it is rejected), and the translations of NAME
 * point into it until NAME is replaced or i18n_load_dir / i18n_free runs.
 * The current locale follows the rules of i18n_set. Returns 0, or -1 (with
 * a log line) for a bad name or a malformed .mo. */
int i18n_load_mo(const char *name, unsigned char *data, size_t size);
void i18n_free(void);                    /* also forgets the i18n_set choice */

int i18n_count(void);
const char *i18n_name(int idx);          /* "en", "zh_CN" ... sorted by name;
                                            NULL if IDX is out of range */
int i18n_find(const char *locale);       /* index or -1 */

/* Selects the locale _() translates to; 0, or -1 if not loaded (current
 * unchanged). Until it is called the current locale is zh_CN if loaded,
 * else the first by name. */
int i18n_set(const char *locale);
const char *i18n_current(void);          /* NULL if no locale is loaded */

/* Translation of MSGID in the current locale; MSGID itself if untranslated. */
const char *i18n_get(const char *msgid);
/* Same, in a named locale. */
const char *i18n_get_in(const char *locale, const char *msgid);

#endif
