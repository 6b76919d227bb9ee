/* Temporary folders and small files for the suites: one way to make a
 * private folder under /tmp, remove it with everything in it, and read a
 * small text file whole. Used by suites that give a kiosk or a store a var
 * dir of its own. No state; errors are return values (the caller asserts). */
#ifndef KIOSK_TEST_TMPFILES_H
#define KIOSK_TEST_TMPFILES_H

#include <stddef.h>

/* A new private folder /tmp/PREFIX-XXXXXX into DIR (LEN >= strlen + 12).
 * 0, or -1 (DIR is ""). */
int tmp_dir_make(char *dir, size_t len, const char *prefix);
/* Removes DIR and everything below it (no symlink is followed). 0, or -1
 * if something could not be removed. */
int tmp_dir_remove(const char *dir);
/* The text of PATH into BUF (at most LEN - 1 bytes, NUL-terminated; "" when
 * the file does not exist). Returns the bytes read, or -1 if absent. */
long tmp_read_text(const char *path, char *buf, size_t len);

#endif
