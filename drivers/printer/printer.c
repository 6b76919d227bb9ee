#include "printer/printer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WRITE_CHUNK 4096

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* snprintf that may shorten a message (device names run to 270 bytes). */
static void say(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

/* Writing to a connection the printer closed raises SIGPIPE, which would
 * end the whole program; the calling thread blocks it for the duration of
 * a call and discards one it caused (the write then fails with EPIPE). */
typedef struct {
    sigset_t old;
    int was_pending;
} pipe_guard_t;

static void guard_begin(pipe_guard_t *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &g->old);
}

static void guard_end(pipe_guard_t *g)
{
    sigset_t pipe_set, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        int saved = errno;
        sigtimedwait(&pipe_set, NULL, &zero);
        errno = saved;
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

int printer_open(printer_t *p, const char *uri, char *err, int errlen)
{
    memset(p, 0, sizeof *p);
    p->t.fd = -1;
    if (uri_parse(uri, &p->uri, err, errlen) != 0) return -1;
    switch (p->uri.kind) {
    case URI_SERIAL: case URI_TCP: case URI_USB: case URI_FILE:
        break;
    default:
        say(err, (size_t)errlen, "%s: a printer needs a tcp://, serial:, usb: or file: device", uri);
        return -1;
    }
    p->has_status = p->uri.kind != URI_FILE;
    p->status_timeout_ms = p->uri.timeout_ms > 0 ? p->uri.timeout_ms : PRINTER_STATUS_TIMEOUT_MS;
    p->ready_timeout_ms = PRINTER_READY_TIMEOUT_MS;
    p->poll_ms = PRINTER_POLL_MS;
    return transport_open(&p->t, &p->uri, p->uri.timeout_ms > 0 ? p->uri.timeout_ms : 3000, err, errlen);
}

void printer_close(printer_t *p) { transport_close(&p->t); }

/* One status round. 0 known, -1 no answer, -2 the connection failed. */
static int query(printer_t *p, printer_status_t *st)
{
    memset(st, 0, sizeof *st);
    if (!p->has_status) {
        st->state = ESCPOS_UNKNOWN;
        say(st->message, sizeof st->message, "%s", escpos_state_message(ESCPOS_UNKNOWN));
        return 0;
    }
    st->state = ESCPOS_NOT_ANSWERING;
    if (p->t.fd < 0) {
        say(st->message, sizeof st->message, "%s: not open", p->t.name);
        return -2;
    }
    transport_drain(&p->t);     /* late answers to an earlier round */
    for (int n = 1; n <= 4; n++) {
        unsigned char req[3];
        escpos_status_request(n, req);
        if (transport_write(&p->t, req, sizeof req, p->status_timeout_ms) != 0) {
            int e = errno;
            say(st->message, sizeof st->message, "%s: cannot send a status request: %s", p->t.name, strerror(e));
            return e == ETIMEDOUT ? -1 : -2;
        }
        /* Bytes that are not status answers (stray data, automatic status
         * blocks) are skipped until the deadline. */
        long deadline = now_ms() + p->status_timeout_ms;
        for (;;) {
            long left = deadline - now_ms();
            unsigned char b;
            ssize_t got = left > 0 ? transport_read(&p->t, &b, 1, (int)left) : 0;
            if (got < 0) {
                int e = errno;
                say(st->message, sizeof st->message, "%s: connection lost: %s", p->t.name,
                    e == EPIPE ? "closed by the printer" : strerror(e));
                return -2;
            }
            if (got == 0) {
                say(st->message, sizeof st->message, "%s: %s (no answer to a status request within %d ms)",
                    p->t.name, escpos_state_message(ESCPOS_NOT_ANSWERING), p->status_timeout_ms);
                return -1;
            }
            if (escpos_status_apply(&st->flags, n, b) == 0) break;
        }
    }
    st->state = escpos_status_state(&st->flags);
    say(st->message, sizeof st->message, "%s", escpos_state_message(st->state));
    return 0;
}

int printer_status(printer_t *p, printer_status_t *st)
{
    pipe_guard_t g;
    guard_begin(&g);
    int rc = query(p, st);
    guard_end(&g);
    return rc == 0 ? 0 : -1;
}

static int result(printer_result_t *r, escpos_state_t state, bool printed, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int result(printer_result_t *r, escpos_state_t state, bool printed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    r->state = state;
    r->printed = printed;
    return printed ? 0 : -1;
}

static int print_job(printer_t *p, const unsigned char *data, size_t len, printer_result_t *r)
{
    memset(r, 0, sizeof *r);
    printer_status_t st;
    if (query(p, &st) != 0) return result(r, st.state, false, "not printed: %s", st.message);
    if (p->has_status && !escpos_state_prints(st.state))
        return result(r, st.state, false, "not printed: %s", st.message);

    /* A generous bound: at least 1 KB/s, the speed of a 9600-baud line. */
    long deadline = now_ms() + 5000 + (long)(len < 100000000 ? len : 100000000);
    while (r->bytes < len) {
        size_t n = len - r->bytes < WRITE_CHUNK ? len - r->bytes : WRITE_CHUNK;
        long left = deadline - now_ms();
        if (left <= 0 || transport_write(&p->t, data + r->bytes, n, (int)left) != 0) {
            char why[160];
            say(why, sizeof why, "%s", left <= 0 ? strerror(ETIMEDOUT) : strerror(errno));
            /* A printer out of paper stops taking data; ask why it stopped. */
            if (query(p, &st) == 0 && st.state == ESCPOS_PAPER_OUT) {
                r->paper_ran_out = true;
                return result(r, st.state, false, "paper ran out while printing: the receipt is incomplete (%s)",
                              st.message);
            }
            return result(r, st.state, false, "printer stopped taking data: %s after %zu of %zu bytes: %s",
                          p->t.name, r->bytes, len, why);
        }
        r->bytes += n;
    }
    if (!p->has_status)
        return result(r, ESCPOS_UNKNOWN, true, "%s", "written; this connection cannot confirm printing");

    /* Not printed until the printer says so: answers to status requests
     * come after the data sent before them, and a printer that runs out of
     * paper or is opened mid-job says so here. */
    deadline = now_ms() + p->ready_timeout_ms;
    for (;;) {
        int rc = query(p, &st);
        if (rc == 0) {
            if (st.state == ESCPOS_READY) return result(r, st.state, true, "%s", "printed");
            if (st.state == ESCPOS_PAPER_NEAR_END)
                return result(r, st.state, true, "printed; %s", escpos_state_message(st.state));
            if (st.state == ESCPOS_PAPER_OUT) {
                r->paper_ran_out = true;
                return result(r, st.state, false,
                              "paper ran out while printing: the receipt is incomplete (%s)", st.message);
            }
            if (st.state == ESCPOS_COVER_OPEN)
                return result(r, st.state, false, "cover opened while printing: the receipt may be incomplete (%s)",
                              st.message);
        } else if (rc == -2) {
            return result(r, st.state, false, "not confirmed: %s", st.message);
        }
        if (now_ms() + p->poll_ms > deadline) {
            return result(r, st.state, false, "printer did not report ready within %d ms after the job (last: %s)",
                          p->ready_timeout_ms, st.message);
        }
        sleep_ms(p->poll_ms);
    }
}

int printer_print(printer_t *p, const unsigned char *data, size_t len, printer_result_t *r)
{
    pipe_guard_t g;
    guard_begin(&g);
    int rc = print_job(p, data, len, r);
    guard_end(&g);
    return rc;
}
