/* The hub as an attacker meets it, against a real build/hub process (its
 * own hub.ini, demo data, clock at HUBTEST_NOW): unauthenticated uploads
 * are answered from the headers and never buffered, the bytes buffered for
 * all connections are capped, one address holding a thousand slow
 * connections does not shut another address's kiosk out, and look-ups of
 * residents are throttled, audited without the numbers and raise an alert. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "hubtest.h"

#define DEMO_TOKEN "demo-01.0000000000000000000000000000000000000000000000000000000000000001"
#define MIB (1024 * 1024)

typedef struct {
    pid_t pid;
    char dir[64];
    int port;
    char staff[160];
    hubtest_t client;       /* base and token for hubtest_req */
} proc_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

/* build/hub --config DIR/hub.ini with [hub] for a demo on a free port, then EXTRA. */
static void proc_start(proc_t *p, const char *extra)
{
    memset(p, 0, sizeof *p);
    snprintf(p->dir, sizeof p->dir, "/tmp/hub-limits-XXXXXX");
    assert_non_null(mkdtemp(p->dir));
    char path[160], cmd[400], bin[160];
    snprintf(bin, sizeof bin, "%s/hub", build_dir());
    snprintf(cmd, sizeof cmd, "HUB_LOG=quiet %s staff add auditor --db %s/hub.db", bin, p->dir);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    assert_non_null(fgets(p->staff, sizeof p->staff, fp));
    pclose(fp);
    p->staff[strcspn(p->staff, "\n")] = '\0';
    snprintf(path, sizeof path, "%s/hub.ini", p->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "[hub]\nlisten = 127.0.0.1\nport = 0\ndb = %s/hub.db\ndemo = true\nthreads = 2\n%s\n",
            p->dir, extra);
    fclose(fp);
    /* The demo device's token this test uses, where the demo hub reads it. */
    char tokfile[160];
    snprintf(tokfile, sizeof tokfile, "%s/hub.db.demo-token", p->dir);
    fp = fopen(tokfile, "w");
    assert_non_null(fp);
    fprintf(fp, "%s\n", DEMO_TOKEN);
    fclose(fp);
    assert_int_equal(chmod(tokfile, 0600), 0);
    char portfile[160], now[24];
    snprintf(portfile, sizeof portfile, "%s/port", p->dir);
    snprintf(now, sizeof now, "%d", HUBTEST_NOW);
    pid_t parent = getpid();
    p->pid = fork();
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setenv("HUB_LOG", "quiet", 1);
        execl(bin, bin, "--config", path, "--port-file", portfile, "--now", now, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !p->port; i++) {
        fp = fopen(portfile, "r");
        if (fp) {
            if (fscanf(fp, "%d", &p->port) != 1) p->port = 0;
            fclose(fp);
        }
        if (!p->port) sleep_ms(25);
    }
    if (!p->port) fail_msg("build/hub did not start");
    snprintf(p->client.base, sizeof p->client.base, "http://127.0.0.1:%d", p->port);
    snprintf(p->client.token, sizeof p->client.token, "%s", DEMO_TOKEN);
}

static void proc_stop(proc_t *p)
{
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
        p->pid = 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", p->dir);
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp) return -1;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(fp);
    return kb;
}

/* A TCP connection to the hub from SRC (a loopback address). */
static int connect_from(const proc_t *p, const char *src, bool nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    a.sin_port = htons((uint16_t)p->port);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    assert_true(rc == 0 || (nonblock && errno == EINPROGRESS));
    return fd;
}

/* Reads what the hub answers within MS milliseconds into BUF (NUL-terminated). */
static ssize_t read_answer(int fd, char *buf, size_t len, int ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (poll(&pf, 1, ms) != 1) return -1;
    ssize_t n = read(fd, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
    return n;
}

/* 60 uploads of 8 MiB without a token: each is answered 401 from its
 * headers - before any body byte is sent, and with no "100 Continue" to a
 * client that asks - and the hub's memory does not grow with them. */
static void unauthenticated_uploads_are_refused_before_the_body(void **state)
{
    proc_t p;
    proc_start(&p, "");
    long before = rss_kb(p.pid);
    assert_true(before > 0);
    int fds[60];
    char *chunk = calloc(1, MIB);
    assert_non_null(chunk);
    for (int i = 0; i < 60; i++) {
        fds[i] = connect_from(&p, "127.0.0.1", false);
        char head[400];
        snprintf(head, sizeof head,
                 "PUT /v1/admin/content/assets/%064d HTTP/1.1\r\nHost: hub\r\nContent-Type: image/png\r\n"
                 "Content-Length: %d\r\n%s\r\n", i, 8 * MIB, i % 2 ? "Expect: 100-continue\r\n" : "");
        assert_true(write(fds[i], head, strlen(head)) == (ssize_t)strlen(head));
        char ans[1024];
        double t0 = now_s();
        assert_true(read_answer(fds[i], ans, sizeof ans, 3000) > 0);
        if (strncmp(ans, "HTTP/1.1 401", 12) != 0) fail_msg("upload %d answered: %.40s", i, ans);
        assert_non_null(strstr(ans, "\"unauthorized\""));
        assert_true(now_s() - t0 < 2.0);
    }
    /* The body sent anyway is never taken in: the hub closed each connection. */
    for (int i = 0; i < 60; i++) {
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        for (int k = 0; k < 8; k++)
            if (write(fds[i], chunk, MIB) < 0) break;
    }
    sleep_ms(300);
    long after = rss_kb(p.pid);
    for (int i = 0; i < 60; i++) close(fds[i]);
    free(chunk);
    if (after - before > 16 * 1024) fail_msg("the hub grew from %ld to %ld kB", before, after);
    /* A small body sent at once, unasked, is drained and dropped before the
     * 401, so the client reads the answer rather than a reset. */
    char *small = malloc(60000);
    assert_non_null(small);
    memset(small, ' ', 59999);
    small[0] = '{';
    small[59998] = '}';
    small[59999] = '\0';
    for (int i = 0; i < 20; i++) {
        hubtest_resp_t r = hubtest_req(&p.client, "POST", "/v1/heartbeat", NULL, "k", small, NULL);
        if (r.status != 401) fail_msg("a small unauthenticated body answered %d", r.status);
        hubtest_free(&r);
    }
    free(small);
    /* An authenticated but oversized declaration gets 413, also from the headers. */
    int fd = connect_from(&p, "127.0.0.1", false);
    char head[400], ans[1024];
    snprintf(head, sizeof head, "POST /v1/heartbeat HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer %s\r\n"
             "Idempotency-Key: big-1\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", DEMO_TOKEN, 8 * MIB);
    assert_true(write(fd, head, strlen(head)) > 0);
    assert_true(read_answer(fd, ans, sizeof ans, 3000) > 0);
    if (strncmp(ans, "HTTP/1.1 413", 12) != 0) fail_msg("oversized heartbeat answered: %.40s", ans);
    close(fd);
    proc_stop(&p);
}

/* Past the bytes buffered for all connections: 503 with Retry-After. */
static void buffered_bytes_are_capped(void **state)
{
    proc_t p;
    proc_start(&p, "[limits]\nmax_buffered_mb = 1\n");
    int fd = connect_from(&p, "127.0.0.1", false);
    char head[400], ans[1024];
    snprintf(head, sizeof head, "POST /v1/screenshots HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer %s\r\n"
             "Idempotency-Key: shot-1\r\nContent-Type: image/png\r\nContent-Length: %d\r\n"
             "Expect: 100-continue\r\n\r\n", DEMO_TOKEN, 2 * MIB);
    assert_true(write(fd, head, strlen(head)) > 0);
    assert_true(read_answer(fd, ans, sizeof ans, 3000) > 0);
    if (strncmp(ans, "HTTP/1.1 503", 12) != 0) fail_msg("answered: %.60s", ans);
    assert_non_null(strstr(ans, "Retry-After: "));
    assert_non_null(strstr(ans, "\"overloaded\""));
    close(fd);
    hubtest_resp_t r = hubtest_req(&p.client, "POST", "/v1/heartbeat", DEMO_TOKEN, "hb-after", "{}", NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);
    proc_stop(&p);
}

#define ATTACK 1000

/* 127.0.0.2 opens a thousand connections and sends a header byte to each
 * every second: past its per-address limit the hub refuses them, and those
 * it took are closed at the header deadline although bytes keep coming.
 * Meanwhile a kiosk at 127.0.0.1 is served promptly. */
static void slow_connections_from_one_address(void **state)
{
    proc_t p;
    proc_start(&p, "[limits]\nper_ip_connections = 32\nheader_timeout = 3\n");
    static int fds[ATTACK];
    static bool open_[ATTACK];
    for (int i = 0; i < ATTACK; i++) {
        fds[i] = connect_from(&p, "127.0.0.2", true);
        open_[i] = true;
    }
    const char *req = "GET /v1/content HTTP/1.1\r\nHost: hub\r\nX-Slow: aaaaaaaaaaaaaaaaaaaa";
    double start = now_s(), worst = 0;
    int kiosk_ok = 0;
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < ATTACK; i++) {
            if (!open_[i]) continue;
            char b = req[round % (int)strlen(req)];
            if (write(fds[i], &b, 1) < 0 && errno != EAGAIN && errno != ENOTCONN) open_[i] = false;
        }
        double t0 = now_s();
        hubtest_resp_t r = hubtest_req(&p.client, "GET", "/v1/content?kind=notice", DEMO_TOKEN, NULL, NULL, NULL);
        double took = now_s() - t0;
        if (took > worst) worst = took;
        if (r.status == 200) kiosk_ok++;
        hubtest_free(&r);
        sleep_ms(1000);
    }
    /* After the deadline (3 s, and a sweep) every attacker connection is gone:
     * a read gives EOF or a reset, never "would block". */
    int still_open = 0;
    for (int i = 0; i < ATTACK; i++) {
        char buf[256];
        ssize_t n = read(fds[i], buf, sizeof buf);
        if (n < 0 && errno == EAGAIN) still_open++;
        close(fds[i]);
    }
    if (kiosk_ok != 6) fail_msg("the kiosk was served %d times of 6", kiosk_ok);
    if (worst > 1.0) fail_msg("the kiosk waited %.2f s", worst);
    if (still_open) fail_msg("%d slow connections still open after %.1f s", still_open, now_s() - start);
    proc_stop(&p);
}

/* An 18-digit resident ID number with a correct check digit (ISO 7064 MOD 11-2). */
static void id_number(int seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "110105199001%05d", seq % 100000);
    int sum = 0;
    for (int i = 0; i < 17; i++) sum += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

/* 1,000 ID-number look-ups from one device: most are refused with 429 and
 * Retry-After, every one is in the audit log without the number, and the
 * burst of misses shows as a fault of that kiosk in the fleet view. */
static void lookups_are_throttled_and_audited(void **state)
{
    proc_t p;
    proc_start(&p, "[rate]\nlookup_per_minute = 30\nlookup_burst = 30\nmiss_alert = 20\n");
    int n429 = 0, n404 = 0;
    for (int i = 0; i < 1000; i++) {
        char id[19], body[80], key[32];
        id_number(i, id);
        snprintf(body, sizeof body, "{\"by\":\"id_number\",\"id_number\":\"%s\"}", id);
        snprintf(key, sizeof key, "look-%d", i);
        hubtest_resp_t r = hubtest_req(&p.client, "POST", "/v1/bills/lookup", DEMO_TOKEN, key, body, NULL);
        if (r.status == 429) {
            n429++;
            assert_string_equal(hubtest_error_code(&r), "rate_limited");
            assert_true(r.retry_after >= 1);
        } else if (r.status == 404) {
            n404++;
        } else {
            fail_msg("look-up %d answered %d %s", i, r.status, r.body);
        }
        hubtest_free(&r);
    }
    if (n429 < 900) fail_msg("only %d of 1000 look-ups were throttled", n429);
    assert_true(n404 >= 20);
    /* Content reads are another class: still served. */
    hubtest_resp_t r = hubtest_req(&p.client, "GET", "/v1/content?kind=notice", DEMO_TOKEN, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    hubtest_free(&r);

    r = hubtest_req(&p.client, "GET", "/v1/admin/audit?since=0", p.staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *entries = hubtest_at(r.json, "entries");
    assert_int_equal(cJSON_GetArraySize(entries), 1000);
    const cJSON *e = cJSON_GetArrayItem(entries, 0);
    assert_string_equal(hubtest_at(e, "device")->valuestring, "demo-01");
    assert_string_equal(hubtest_at(e, "kind")->valuestring, "id_number");
    assert_string_equal(hubtest_at(e, "outcome")->valuestring, "not_found");
    assert_string_equal(hubtest_at(cJSON_GetArrayItem(entries, 999), "outcome")->valuestring, "refused");
    for (int i = 0; i < 1000; i += 7) {
        char id[19];
        id_number(i, id);
        id[14] = '\0';               /* not even a prefix of the number is kept */
        if (strstr(r.body, id + 6)) fail_msg("the audit log holds %s", id + 6);
    }
    assert_true(cJSON_GetArraySize(hubtest_at(r.json, "alerts")) == 1);
    hubtest_free(&r);
    /* Nor does the database, anywhere. */
    char cmd[256], line[256], id3[19];
    id_number(3, id3);
    snprintf(cmd, sizeof cmd, "grep -c %s %s/hub.db %s/hub.db-wal 2>/dev/null | grep -v ':0' | wc -l", id3, p.dir, p.dir);
    FILE *fp = popen(cmd, "r");
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp));
    pclose(fp);
    assert_int_equal(atoi(line), 0);

    r = hubtest_req(&p.client, "GET", "/v1/admin/fleet", p.staff, NULL, NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *k = hubtest_at(r.json, "kiosks.0");
    assert_string_equal(hubtest_at(k, "id")->valuestring, "demo-01");
    bool alert = false;
    const cJSON *f;
    cJSON_ArrayForEach(f, hubtest_at(k, "faults"))
        if (cJSON_IsString(f) && !strcmp(f->valuestring, "lookup_misses")) alert = true;
    assert_true(alert);
    hubtest_free(&r);
    proc_stop(&p);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unauthenticated_uploads_are_refused_before_the_body),
        cmocka_unit_test(buffered_bytes_are_capped),
        cmocka_unit_test(slow_connections_from_one_address),
        cmocka_unit_test(lookups_are_throttled_and_audited),
    };
    return cmocka_run_group_tests_name("hub_limits", tests, NULL, NULL);
}
