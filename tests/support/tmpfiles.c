#define _XOPEN_SOURCE 700
#include "tmpfiles.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tmp_dir_make(char *dir, size_t len, const char *prefix)
{
    if ((size_t)snprintf(dir, len, "/tmp/%s-XXXXXX", prefix) >= len || !mkdtemp(dir)) {
        if (len) dir[0] = '\0';
        return -1;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

int tmp_dir_remove(const char *dir)
{
    if (!dir || !dir[0]) return -1;
    /* Depth first, not following symlinks, so a link out of the folder
     * removes the link and never what it points at. */
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

long tmp_read_text(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    size_t n = fread(buf, 1, len - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return (long)n;
}
