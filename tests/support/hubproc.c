#include "support/hubproc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "support/harness.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int hubproc_start(hubproc_t *h)
{
    if (!h->dir[0]) {
        snprintf(h->dir, sizeof h->dir, "/tmp/kiosk-hub.XXXXXX");
        if (!mkdtemp(h->dir)) {
            fprintf(stderr, "hubproc: mkdtemp: %s\n", strerror(errno));
            return -1;
        }
        h->port = 0;
    }
    snprintf(h->db, sizeof h->db, "%s/hub.db", h->dir);
    char bin[256], portfile[192], port[16], now[24];
    snprintf(bin, sizeof bin, "%s/hub", harness_build_dir());
    snprintf(portfile, sizeof portfile, "%s/port", h->dir);
    snprintf(port, sizeof port, "%d", h->port);
    /* One notion of now on both sides: a test on the fake clock gets a hub
     * whose clock starts where the kiosk's workers are (the demo seeds its
     * slots and events from it); otherwise both read the real clock. */
    now[0] = '\0';
    if (clock_is_fake()) snprintf(now, sizeof now, "%lld", (long long)(clock_wall_ms() / 1000));
    unlink(portfile);
    /* The test's own demo token, in the file a demo hub reads it from (a
     * demo hub without one makes a random one there). */
    char tokfile[224];
    snprintf(tokfile, sizeof tokfile, "%s.demo-token", h->db);
    int tfd = open(tokfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (tfd >= 0) {
        bool ok = write(tfd, HUBPROC_TOKEN "\n", sizeof HUBPROC_TOKEN) == (ssize_t)sizeof HUBPROC_TOKEN;
        close(tfd);
        if (!ok) return -1;
    } else if (errno != EEXIST) {
        fprintf(stderr, "hubproc: %s: %s\n", tokfile, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        /* Dies with the test, even one killed with SIGKILL. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int null = open("/dev/null", 1);
        if (null >= 0 && !getenv("HUBPROC_VERBOSE")) { dup2(null, 1); dup2(null, 2); }
        const char *argv[24];
        int n = 0;
        argv[n++] = bin;
        if (h->config[0]) { argv[n++] = "--config"; argv[n++] = h->config; }
        argv[n++] = "--db"; argv[n++] = h->db;
        argv[n++] = "--listen"; argv[n++] = "127.0.0.1";
        argv[n++] = "--port"; argv[n++] = port;
        argv[n++] = "--port-file"; argv[n++] = portfile;
        argv[n++] = "--demo";
        if (now[0]) { argv[n++] = "--now"; argv[n++] = now; }
        if (h->content_key[0]) { argv[n++] = "--content-key"; argv[n++] = h->content_key; }
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    h->pid = pid;
    for (int i = 0; i < 800; i++) {
        FILE *fp = fopen(portfile, "r");
        int p = 0;
        if (fp) {
            if (fscanf(fp, "%d", &p) != 1) p = 0;
            fclose(fp);
        }
        if (p > 0) {
            h->port = p;
            snprintf(h->url, sizeof h->url, "http://127.0.0.1:%d", p);
            return 0;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "hubproc: %s exited at start (status %d)\n", bin, st);
            h->pid = 0;
            return -1;
        }
        sleep_ms(25);
    }
    fprintf(stderr, "hubproc: %s did not start in 20 s\n", bin);
    hubproc_kill(h);
    return -1;
}

int hubproc_free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void end(hubproc_t *h, int sig)
{
    if (h->pid <= 0) return;
    kill(h->pid, sig);
    waitpid(h->pid, NULL, 0);
    h->pid = 0;
}

void hubproc_stop(hubproc_t *h) { end(h, SIGTERM); }
void hubproc_kill(hubproc_t *h) { end(h, SIGKILL); }

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st; (void)type; (void)ftw;
    remove(path);
    return 0;
}

void hubproc_cleanup(hubproc_t *h)
{
    hubproc_stop(h);
    if (!h->dir[0]) return;
    /* Everything the hub made there goes (database, keys, demo token and
     * admin password, demo resident code...), whatever new files it makes. */
    nftw(h->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    h->dir[0] = '\0';
}

int hubproc_sql_text(const hubproc_t *h, const char *sql, char *buf, int len)
{
    sqlite3 *db;
    int rc = -1;
    buf[0] = '\0';
    if (sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            snprintf(buf, (size_t)len, "%s", (const char *)sqlite3_column_text(st, 0));
            rc = 0;
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return rc;
}

long long hubproc_sql_int(const hubproc_t *h, const char *sql)
{
    sqlite3 *db;
    long long v = -1;
    if (sqlite3_open_v2(h->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        fprintf(stderr, "hubproc: %s: %s\n", sql, sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    return v;
}

static size_t discard(char *p, size_t s, size_t n, void *u) { return s * n; }

static int request(const hubproc_t *h, const char *path, const char *body)
{
    CURL *c = curl_easy_init();
    if (!c) return -1;
    char url[256], key[64];
    snprintf(url, sizeof url, "%s%s", h->url, path);
    struct curl_slist *hd = NULL;
    if (body) {
        static unsigned n;
        snprintf(key, sizeof key, "Idempotency-Key: hubproc-%d-%u-%ld", (int)getpid(), ++n,
                 (long)time(NULL));
        hd = curl_slist_append(hd, key);
        hd = curl_slist_append(hd, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 40000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long code = -1;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    return (int)code;
}

int hubproc_behaviour(const hubproc_t *h, const char *body)
{
    return request(h, "/v1/demo/behaviour", body);
}

int hubproc_get(const hubproc_t *h, const char *path) { return request(h, path, NULL); }

int hubproc_post(const hubproc_t *h, const char *path, const char *body)
{
    return request(h, path, body ? body : "{}");
}
