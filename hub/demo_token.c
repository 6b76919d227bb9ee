/* The demo device's token and the mark of a demo database (demo_token.h). */
#include "demo_token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auth.h"
#include "db.h"

#define SECRET_HEX 64
#define TOKEN_LEN (sizeof DEMO_DEVICE + SECRET_HEX)   /* "demo-01." + 64 hex */

/* The token a demo hub once had in its source: it must authenticate nowhere. */
#define OLD_FIXED_TOKEN DEMO_DEVICE ".0000000000000000000000000000000000000000000000000000000000000001"

static int token_ok(const char *t)
{
    size_t n = strlen(t), pre = strlen(DEMO_DEVICE) + 1;
    if (n != TOKEN_LEN || strncmp(t, DEMO_DEVICE ".", pre) != 0) return 0;
    for (size_t i = pre; i < n; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f'))) return 0;
    return 1;
}

/* Reads FILE's token into TOKEN: 1 read, 0 no such file, -1 with ERR. */
static int read_token(const char *file, char *token, size_t len, char *err, size_t errlen)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return 0;
    struct stat st;
    ssize_t n = -1;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        goto fail;
    }
    if (st.st_mode & 077) {
        snprintf(err, errlen, "%s: readable by others; chmod 600 it (it holds the demo device's token)", file);
        goto fail;
    }
    n = read(fd, token, len - 1);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", file, strerror(errno));
        goto fail;
    }
    token[n] = '\0';
    token[strcspn(token, "\r\n")] = '\0';
    if (!token_ok(token)) {
        snprintf(err, errlen, "%s: not a demo token (one line: %s. and 64 hex digits); delete it "
                 "and a new one is made", file, DEMO_DEVICE);
        goto fail;
    }
    close(fd);
    return 1;
fail:
    if (fd >= 0) close(fd);
    return -1;
}

static int write_token(const char *file, const char *token, char *err, size_t errlen)
{
    int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", file, strerror(errno));
        return -1;
    }
    size_t n = strlen(token);
    bool ok = write(fd, token, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    if (!ok) snprintf(err, errlen, "%s: cannot write: %s", file, strerror(errno));
    close(fd);
    if (!ok) unlink(file);
    return ok ? 0 : -1;
}

int demo_token_setup(sqlite3 *db, const char *file, char *err, size_t errlen)
{
    char token[TOKEN_LEN + 8];
    int rc = -1;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "cannot initialise libsodium");
        return -1;
    }
    int have = read_token(file, token, sizeof token, err, errlen);
    if (have < 0) return -1;
    if (have == 0) {
        unsigned char raw[SECRET_HEX / 2];
        char hex[SECRET_HEX + 1];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
        snprintf(token, sizeof token, "%s.%s", DEMO_DEVICE, hex);
        sodium_memzero(raw, sizeof raw);
        if (write_token(file, token, err, errlen) != 0) goto done;
    }
    if (auth_demo_device(db, token) != 0 ||
        db_exec(db, "INSERT INTO demo_settings(key, value) VALUES('demo_database', '1') "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value") != 0) {
        snprintf(err, errlen, "cannot store the demo device: %s", sqlite3_errmsg(db));
        goto done;
    }
    rc = 0;
done:
    sodium_memzero(token, sizeof token);
    return rc;
}

int demo_database_refuse(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char id[64];
    bool marked = db_int(db, "SELECT COUNT(*) FROM demo_settings WHERE key = 'demo_database'", NULL, 0) > 0;
    bool old = auth_check(db, "Bearer " OLD_FIXED_TOKEN, id, sizeof id) == 0;
    if (!marked && !old) return 0;
    snprintf(err, errlen, "%s was seeded for the demo (demo residents, bills and the demo device); "
             "a hub without --demo does not run on it: start it with --demo, or give it a new "
             "database (--db or [hub] db)", path);
    return -1;
}
