/* Message translation from compiled gettext catalogues (.mo files made from
 * locales/<locale>.po by msgfmt). Adding a locale is adding a .po file: every .mo
 * found in the locale dir is loaded. msgids are English source strings. The
 * msgid "@language-name" carries each locale's own name ("中文", "English"). */
#ifndef KIOSK_I18N_H
#define KIOSK_I18N_H

#define _(s)  i18n_get(s)
#define N_(s) (s)

/* Loads every DIR/<locale>.mo, replacing any locales loaded before (a locale
 * chosen by i18n_set stays current if DIR has it). Returns the number loaded
 * (0 if none; the kiosk then shows msgids). A malformed .mo, or one whose
 * name is not letters, digits and underscore, is skipped with a log line. */
int i18n_load_dir(const char *dir);
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
