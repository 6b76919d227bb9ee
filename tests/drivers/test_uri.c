/* Device URIs and the byte-stream transports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "common/transport.h"
#include "common/uri.h"

static void good_uris(void **state)
{
    uri_t u;
    char err[200];
    assert_int_equal(uri_parse("serial:/dev/ttyUSB0?baud=9600", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_SERIAL);
    assert_string_equal(u.path, "/dev/ttyUSB0");
    assert_int_equal(u.baud, 9600);
    assert_int_equal(uri_parse("serial:/dev/ttyS1", &u, err, sizeof err), 0);
    assert_int_equal(u.baud, 115200);
    assert_int_equal(uri_parse("tcp://192.168.1.50:9100", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_TCP);
    assert_string_equal(u.path, "192.168.1.50");
    assert_int_equal(u.port, 9100);
    assert_int_equal(uri_parse("tcp://[::1]:9100", &u, err, sizeof err), 0);
    assert_string_equal(u.path, "[::1]");
    assert_int_equal(uri_parse("usb:/dev/usb/lp0?timeout=2000", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_USB);
    assert_int_equal(u.timeout_ms, 2000);
    assert_int_equal(uri_parse("file:/tmp/out.bin", &u, err, sizeof err), 0);
    assert_int_equal(uri_parse("evdev:/dev/input/by-id/usb-Scanner-event-kbd", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_EVDEV);
    assert_int_equal(uri_parse("v4l2:/dev/video0", &u, err, sizeof err), 0);
    assert_int_equal(uri_parse("image:/srv/frames/", &u, err, sizeof err), 0);
    assert_int_equal(u.kind, URI_IMAGE);
    assert_string_equal(uri_kind_name(URI_IMAGE), "image");
}

static void bad_uris(void **state)
{
    uri_t u;
    char err[200];
    struct { const char *uri, *why; } bad[] = {
        {"http://x", "unknown scheme"}, {"serial:", "needs a path"}, {"tcp://host", "port"},
        {"tcp://host:0", "port"}, {"tcp://host:70000", "port"}, {"tcp://:9100", "port"},
        {"serial:/dev/ttyS0?baud=1234", "baud"}, {"serial:/dev/ttyS0?speed=9600", "unknown option"},
        {"usb:/dev/usb/lp0?timeout=abc", "timeout"}, {"file:/x?baud", "no value"},
        {"tcp://h:9100?baud=9600", "unknown option"}, {"", "unknown scheme"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = '\0';
        if (uri_parse(bad[i].uri, &u, err, sizeof err) != -1) fail_msg("accepted %s", bad[i].uri);
        if (!strstr(err, bad[i].why)) fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].uri, err, bad[i].why);
    }
}

static void file_transport_appends(void **state)
{
    char path[] = "/tmp/transport-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    uri_t u;
    char err[200], uri[64];
    snprintf(uri, sizeof uri, "file:%s", path);
    assert_int_equal(uri_parse(uri, &u, err, sizeof err), 0);
    transport_t t;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(transport_open(&t, &u, 1000, err, sizeof err), 0);
        assert_int_equal(transport_write(&t, "ab", 2, 1000), 0);
        transport_close(&t);
    }
    char buf[8] = "";
    fd = open(path, O_RDONLY);
    assert_int_equal(read(fd, buf, sizeof buf), 4);
    close(fd);
    assert_memory_equal(buf, "abab", 4);
    unlink(path);
}

static void missing_devices_fail_fast(void **state)
{
    uri_t u;
    transport_t t;
    char err[300];
    assert_int_equal(uri_parse("serial:/dev/nonexistent-tty", &u, err, sizeof err), 0);
    assert_int_equal(transport_open(&t, &u, 500, err, sizeof err), -1);
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(uri_parse("usb:/dev/usb/lp99", &u, err, sizeof err), 0);
    assert_int_equal(transport_open(&t, &u, 500, err, sizeof err), -1);
    /* A closed local port: refused at once. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &al);
    close(s);
    char uri[64];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    assert_int_equal(uri_parse(uri, &u, err, sizeof err), 0);
    assert_int_equal(transport_open(&t, &u, 500, err, sizeof err), -1);
    assert_non_null(strstr(err, "refused"));
    assert_int_equal(uri_parse("v4l2:/dev/video0", &u, err, sizeof err), 0);
    assert_int_equal(transport_open(&t, &u, 500, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a byte stream"));
}

static void tcp_round_trip_and_read_timeout(void **state)
{
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(ls, 1), 0);
    getsockname(ls, (struct sockaddr *)&a, &al);
    char uri[64], err[200];
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", ntohs(a.sin_port));
    uri_t u;
    transport_t t;
    assert_int_equal(uri_parse(uri, &u, err, sizeof err), 0);
    assert_int_equal(transport_open(&t, &u, 1000, err, sizeof err), 0);
    int peer = accept(ls, NULL, NULL);
    assert_int_equal(transport_write(&t, "\x10\x04\x01", 3, 1000), 0);
    char in[4];
    assert_int_equal(read(peer, in, 3), 3);
    assert_int_equal(write(peer, "\x12", 1), 1);
    unsigned char b = 0;
    assert_int_equal(transport_read(&t, &b, 1, 1000), 1);
    assert_int_equal(b, 0x12);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(transport_read(&t, &b, 1, 150), 0);     /* nothing: timeout */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(ms >= 140 && ms < 1000);
    close(peer);
    assert_int_equal(transport_read(&t, &b, 1, 1000), -1);    /* peer gone */
    transport_close(&t);
    close(ls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_uris),
        cmocka_unit_test(bad_uris),
        cmocka_unit_test(file_transport_appends),
        cmocka_unit_test(missing_devices_fail_fast),
        cmocka_unit_test(tcp_round_trip_and_read_timeout),
    };
    return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
