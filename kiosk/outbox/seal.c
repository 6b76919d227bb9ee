/* The outbox's key file and secretbox (see seal.h). */
#include "outbox/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"

#define MOD "outbox"

static int seal_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int seal_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Writes a fresh key to PATH (temp file + fsync + rename: all or nothing). */
static int seal_create_key(const char *path, outbox_key_t *key, char *err, size_t errlen)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return seal_fail(err, errlen, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return seal_fail(err, errlen, "%s: cannot create: %s", path, strerror(errno));
    randombytes_buf(key->k, sizeof key->k);
    ssize_t n = write(fd, key->k, sizeof key->k);
    int saved = errno;
    if (n != (ssize_t)sizeof key->k || fsync(fd) != 0) {
        if (n == (ssize_t)sizeof key->k) saved = errno;
        close(fd);
        unlink(tmp);
        outbox_key_wipe(key);
        return seal_fail(err, errlen, "%s: cannot write: %s", path,
                         n >= 0 && saved == 0 ? "short write" : strerror(saved));
    }
    close(fd);
    /* link() refuses an existing target: a key another process created
     * meanwhile wins, and is then read like any existing key. */
    if (link(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        outbox_key_wipe(key);
        if (saved == EEXIST)
            return 1;
        return seal_fail(err, errlen, "%s: cannot create: %s", path, strerror(saved));
    }
    unlink(tmp);
    log_info(MOD, "created the outbox key %s", path);
    return 0;
}

int outbox_key_load(const char *path, bool create, outbox_key_t *key, char *err,
                    size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !path[0] || !key)
        return seal_fail(err, errlen, "no key file configured ([outbox] key_file)");
    if (sodium_init() < 0)
        return seal_fail(err, errlen, "libsodium cannot initialise");

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
        int rc = seal_create_key(path, key, err, errlen);
        if (rc <= 0)
            return rc;
        fd = open(path, O_RDONLY | O_CLOEXEC);   /* lost the race: read theirs */
    }
    if (fd < 0)
        return seal_fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));

    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int saved = errno;
        close(fd);
        return seal_fail(err, errlen, "%s: cannot stat: %s", path, strerror(saved));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return seal_fail(err, errlen, "%s: not a regular file", path);
    }
    if (sb.st_size != OUTBOX_KEY_BYTES) {
        close(fd);
        return seal_fail(err, errlen, "%s: %lld bytes, expected %d (not an outbox key; "
                         "left untouched)", path, (long long)sb.st_size, OUTBOX_KEY_BYTES);
    }
    ssize_t n = read(fd, key->k, sizeof key->k);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)sizeof key->k) {
        outbox_key_wipe(key);
        return seal_fail(err, errlen, "%s: cannot read: %s", path,
                         n < 0 ? strerror(saved) : "short read");
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO))
        log_warn(MOD, "%s: group or others may read the outbox key (mode %03o); "
                 "chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
    return 0;
}

void outbox_key_wipe(outbox_key_t *key)
{
    if (key) sodium_memzero(key->k, sizeof key->k);
}

int outbox_seal(const outbox_key_t *key, const void *plain, size_t len,
                unsigned char **out, size_t *outlen)
{
    _Static_assert(OUTBOX_SEAL_OVERHEAD ==
                   crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES, "overhead");
    _Static_assert(OUTBOX_KEY_BYTES == crypto_secretbox_KEYBYTES, "key size");
    *out = NULL;
    if (len > SIZE_MAX - OUTBOX_SEAL_OVERHEAD)
        return -1;
    unsigned char *box = malloc(len + OUTBOX_SEAL_OVERHEAD);
    if (!box)
        return -1;
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, len, box, key->k);
    *out = box;
    *outlen = len + OUTBOX_SEAL_OVERHEAD;
    return 0;
}

int outbox_unseal(const outbox_key_t *key, const unsigned char *sealed, size_t len,
                  char **plain, size_t *plainlen)
{
    *plain = NULL;
    if (!sealed || len < OUTBOX_SEAL_OVERHEAD)
        return -1;
    size_t n = len - OUTBOX_SEAL_OVERHEAD;
    char *p = malloc(n + 1);
    if (!p)
        return -1;
    if (crypto_secretbox_open_easy((unsigned char *)p, sealed + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, sealed, key->k) != 0) {
        sodium_memzero(p, n + 1);
        free(p);
        return -1;
    }
    p[n] = '\0';
    *plain = p;
    if (plainlen) *plainlen = n;
    return 0;
}
