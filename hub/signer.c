#include "signer.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { stopping = sig; }

static int set_timeouts(int fd)
{
    struct timeval tv = {.tv_sec = SIGNER_TIMEOUT_S};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) |
           setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int read_all(int fd, void *buf, size_t n)
{
    for (size_t got = 0; got < n; ) {
        ssize_t r = read(fd, (char *)buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
    for (size_t put = 0; put < n; ) {
        ssize_t r = write(fd, (const char *)buf + put, n - put);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        put += (size_t)r;
    }
    return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (!path || !path[0] || strlen(path) >= sizeof sa->sun_path) return -1;
    memcpy(sa->sun_path, path, strlen(path));
    return 0;
}

/* ---- the hub's side ------------------------------------------------------- */

int signer_sign(const char *socket_path, const char *manifest, size_t len, char sig_hex[129],
                char *err, size_t errlen)
{
    struct sockaddr_un sa;
    if (unix_addr(socket_path, &sa) != 0) {
        snprintf(err, errlen, "no signer configured ([console] signer)");
        return -1;
    }
    if (len < 1 || len > SIGNER_MAX) {
        snprintf(err, errlen, "the manifest is too large to sign");
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    char answer[160];
    size_t got = 0;
    if (fd < 0 || set_timeouts(fd) != 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "the signer at %s: %s", socket_path, strerror(errno));
        goto fail;
    }
    unsigned char hdr[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len};
    if (write_all(fd, hdr, 4) != 0 || write_all(fd, manifest, len) != 0) {
        snprintf(err, errlen, "the signer at %s: cannot send", socket_path);
        goto fail;
    }
    while (got < sizeof answer - 1) {
        ssize_t r = read(fd, answer + got, sizeof answer - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        if (memchr(answer, '\n', got)) break;
    }
    answer[got] = '\0';
    answer[strcspn(answer, "\n")] = '\0';
    close(fd);
    fd = -1;
    if (strncmp(answer, "OK ", 3) != 0 || strlen(answer) != 3 + 128) {
        snprintf(err, errlen, "the signer refused: %s", got ? answer : "no answer");
        return -1;
    }
    memcpy(sig_hex, answer + 3, 129);
    return 0;
fail:
    if (fd >= 0) close(fd);
    return -1;
}

/* ---- the signer process ---------------------------------------------------- */

static int load_key(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    char hex[160];
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "hub signer: %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    if (sb.st_mode & 077) {
        fprintf(stderr, "hub signer: %s is readable by others (mode %03o): chmod 600 it\n", path,
                (unsigned)(sb.st_mode & 0777));
        close(fd);
        return -1;
    }
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    size_t bin = 0;
    int rc = n >= 128 && sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, 128, NULL, &bin, NULL) == 0 &&
             bin == crypto_sign_SECRETKEYBYTES ? 0 : -1;
    sodium_memzero(hex, sizeof hex);
    if (rc) fprintf(stderr, "hub signer: %s: not an Ed25519 secret key (128 hex digits)\n", path);
    return rc;
}

/* Only what a content manifest looks like is signed (format 1, a version). */
static const char *refuse(const char *m, size_t n)
{
    cJSON *j = cJSON_ParseWithLength(m, n);
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "format");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");
    const char *why = !cJSON_IsObject(j) ? "not a JSON object"
                      : !cJSON_IsNumber(f) || f->valuedouble != 1 ? "format is not 1"
                      : !cJSON_IsNumber(v) || v->valuedouble < 1 ? "no version" : NULL;
    cJSON_Delete(j);
    return why;
}

static void serve(int fd, const unsigned char *sk)
{
    unsigned char hdr[4];
    if (set_timeouts(fd) != 0 || read_all(fd, hdr, 4) != 0) return;
    size_t n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
    char line[200];
    if (n < 1 || n > SIGNER_MAX) {
        snprintf(line, sizeof line, "ERR length %zu out of range\n", n);
        write_all(fd, line, strlen(line));
        return;
    }
    char *m = malloc(n);
    if (!m || read_all(fd, m, n) != 0) { free(m); return; }
    const char *why = refuse(m, n);
    if (why) {
        snprintf(line, sizeof line, "ERR %s\n", why);
        fprintf(stderr, "hub signer: refused a manifest: %s\n", why);
    } else {
        unsigned char sig[crypto_sign_BYTES], h[crypto_hash_sha256_BYTES];
        char sig_hex[129], h_hex[65];
        crypto_sign_detached(sig, NULL, (const unsigned char *)m, n, sk);
        sodium_bin2hex(sig_hex, sizeof sig_hex, sig, sizeof sig);
        crypto_hash_sha256(h, (const unsigned char *)m, n);
        sodium_bin2hex(h_hex, sizeof h_hex, h, sizeof h);
        cJSON *j = cJSON_ParseWithLength(m, n);
        fprintf(stderr, "hub signer: signed version %.0f, manifest sha256 %s\n",
                cJSON_GetObjectItemCaseSensitive(j, "version")->valuedouble, h_hex);
        cJSON_Delete(j);
        snprintf(line, sizeof line, "OK %s\n", sig_hex);
    }
    free(m);
    write_all(fd, line, strlen(line));
}

int signer_main(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"socket", required_argument, NULL, 's'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *path = NULL;
    int o;
    opterr = 0;
    optind = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'k') key = optarg;
        else if (o == 's') path = optarg;
        else {
            fprintf(stderr, "usage: hub signer --key FILE --socket PATH\n");
            return 2;
        }
    }
    struct sockaddr_un sa;
    if (!key || optind < argc || unix_addr(path, &sa) != 0) {
        fprintf(stderr, "usage: hub signer --key FILE --socket PATH (a path shorter than %zu bytes)\n",
                sizeof sa.sun_path);
        return 2;
    }
    unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
    if (sodium_init() < 0 || load_key(key, sk) != 0) return 1;
    crypto_sign_ed25519_sk_to_pk(pk, sk);
    char pk_hex[65];
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path);                        /* a socket left by a signer that was killed */
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(path, 0660) != 0 ||
        listen(lfd, 16) != 0) {
        fprintf(stderr, "hub signer: %s: %s\n", path, strerror(errno));
        sodium_memzero(sk, sizeof sk);
        if (lfd >= 0) close(lfd);
        return 1;
    }
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    fprintf(stderr, "hub signer: listening on %s, public key %s\n", path, pk_hex);
    while (!stopping) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) continue;            /* EINTR on a signal: the loop looks at stopping */
        serve(fd, sk);
        close(fd);
    }
    close(lfd);
    unlink(path);
    sodium_memzero(sk, sizeof sk);
    return 0;
}
