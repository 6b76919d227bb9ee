/* The kiosk's side of talking to a hub over the network safely:
 *   - kiosk.ini refuses plain http:// to a hub on another machine unless
 *     [hub] allow_http = true, naming the line (config_check);
 *   - [hub] ca_file pins the hub's certificate authority: an https server
 *     whose certificate that CA signed is trusted, one signed by another CA
 *     is refused, and so is our test CA when nothing is pinned (it is not in
 *     the system's store).
 * The https server is `openssl s_server -www` on a loopback port, with the
 * CAs and certificate tests/tools/make_test_certs.sh makes for this run in a
 * temp dir (no key is ever committed). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "net/http.h"

typedef struct {
    char dir[64];
    int port;
    pid_t server;
} fx_t;

static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) fail_msg("command failed: %s", cmd);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static int connects(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/kiosk-tls.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    /* Two CAs; the server's certificate (for 127.0.0.1) is signed by ca.pem. */
    sh("bash tests/tools/make_test_certs.sh %s", f->dir);
    f->port = free_port();
    pid_t parent = getpid();
    f->server = fork();
    if (f->server < 0) return -1;
    if (f->server == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) { dup2(null, 0); dup2(null, 1); dup2(null, 2); }
        char accept[32], cert[128], key[128];
        snprintf(accept, sizeof accept, "127.0.0.1:%d", f->port);
        snprintf(cert, sizeof cert, "%s/hub.crt", f->dir);
        snprintf(key, sizeof key, "%s/hub.key", f->dir);
        execlp("openssl", "openssl", "s_server", "-accept", accept, "-cert", cert, "-key", key,
               "-www", "-quiet", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200 && !connects(f->port); i++) usleep(25000);
    if (!connects(f->port)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    if (f->server > 0) {
        kill(f->server, SIGTERM);
        waitpid(f->server, NULL, 0);
    }
    sh("rm -rf %s", f->dir);
    free(f);
    http_set_ca_file(NULL);
    return 0;
}

/* GET / over https with CA pinned (NULL: the system's store); the HTTP
 * status, 0 when no answer. */
static int get_with_ca(fx_t *f, const char *ca, hub_status_t *st)
{
    char url[64], path[128];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", f->port);
    if (ca) snprintf(path, sizeof path, "%s/%s", f->dir, ca);
    http_set_ca_file(ca ? path : NULL);
    http_conn_t *c = http_conn_new(url, "t.secret", 5000, NULL, NULL, "test");
    assert_non_null(c);
    http_req_t req = {.method = "GET", .path = "/", .accept = "text/html", .max_resp = 1 << 20};
    int status = http_request(c, &req, NULL, st);
    http_conn_free(c);
    return status;
}

static void pinned_ca_is_trusted(void **state)
{
    hub_status_t st;
    assert_int_equal(get_with_ca(*state, "ca.pem", &st), 200);
}

static void another_ca_is_refused(void **state)
{
    hub_status_t st;
    assert_int_equal(get_with_ca(*state, "other.pem", &st), 0);
    assert_int_equal(st.result, HUB_UNKNOWN);
}

static void unknown_ca_refused_without_a_pin(void **state)
{
    hub_status_t st;
    assert_int_equal(get_with_ca(*state, NULL, &st), 0);
    assert_int_equal(st.result, HUB_UNKNOWN);
}

static void loopback_hosts(void **state)
{
    const char *yes[] = {"http://127.0.0.1:8470", "http://127.1.2.3/v1", "http://localhost",
                         "http://LOCALHOST:80/", "http://[::1]:8470", "https://127.0.0.1", NULL};
    const char *no[] = {"http://hub.example", "http://127.0.0.1.evil.example", "http://10.0.0.1:8470",
                        "http://128.0.0.1", "http://127.0.0.256", "http://localhost.example",
                        "http://[::2]", "ftp://127.0.0.1", "http://evil@", NULL};
    for (int i = 0; yes[i]; i++)
        if (!config_url_is_loopback(yes[i])) fail_msg("not loopback: %s", yes[i]);
    for (int i = 0; no[i]; i++)
        if (config_url_is_loopback(no[i])) fail_msg("loopback: %s", no[i]);
    /* user@host: the host is what counts */
    assert_false(config_url_is_loopback("http://127.0.0.1@hub.example/"));
}

static void plain_http_elsewhere_needs_allow_http(void **state)
{
    config_t cfg;
    char err[512];
    const char *ini = "[kiosk]\nmode = hall\n\n[hub]\ntimeout = 5\nurl = http://hub.example:8470\n";
    config_defaults(&cfg);
    assert_int_equal(config_load_mem(&cfg, "k.ini", ini, strlen(ini), err, sizeof err), -1);
    assert_non_null(strstr(err, "k.ini:6: url: plain http://"));
    const char *allowed = "[hub]\nurl = http://hub.example:8470\nallow_http = true\n";
    config_defaults(&cfg);
    assert_int_equal(config_load_mem(&cfg, "k.ini", allowed, strlen(allowed), err, sizeof err), 0);
    const char *tls = "[hub]\nurl = https://hub.example\nca_file = /etc/kiosk/hub-ca.pem\n";
    config_defaults(&cfg);
    assert_int_equal(config_load_mem(&cfg, "k.ini", tls, strlen(tls), err, sizeof err), 0);
    assert_string_equal(cfg.hub_ca_file, "/etc/kiosk/hub-ca.pem");
    /* the same rule after --set overrides */
    assert_int_equal(config_set(&cfg, "hub", "url", "http://hub.example", err, sizeof err), 0);
    assert_int_equal(config_check(&cfg, err, sizeof err), -1);
    assert_int_equal(config_set(&cfg, "hub", "url", "http://127.0.0.1:9", err, sizeof err), 0);
    assert_int_equal(config_check(&cfg, err, sizeof err), 0);
}

int main(void)
{
    setenv("KIOSK_LOG", "quiet", 0);
    const struct CMUnitTest config_tests[] = {
        cmocka_unit_test(loopback_hosts),
        cmocka_unit_test(plain_http_elsewhere_needs_allow_http),
    };
    const struct CMUnitTest tls_tests[] = {
        cmocka_unit_test(pinned_ca_is_trusted),
        cmocka_unit_test(another_ca_is_refused),
        cmocka_unit_test(unknown_ca_refused_without_a_pin),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests_name("hub_url_rules", config_tests, NULL, NULL);
    rc += cmocka_run_group_tests_name("hub_tls", tls_tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
