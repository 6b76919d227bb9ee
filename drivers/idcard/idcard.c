#include "idcard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
    if (ms <= 0) return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static const char *cmd_name(uint16_t cmd)
{
    switch (cmd) {
    case IDCARD_CMD_FIND: return "find card";
    case IDCARD_CMD_SELECT: return "select card";
    case IDCARD_CMD_READ: return "read card";
    case IDCARD_CMD_RESET: return "reset";
    case IDCARD_CMD_SAM_ID: return "SAM id";
    default: return "command";
    }
}

const char *idcard_result_code(idcard_result_t r)
{
    switch (r) {
    case IDCARD_OK: return "ok";
    case IDCARD_NO_CARD: return "no_card";
    case IDCARD_CARD_MOVED: return "card_moved";
    case IDCARD_BAD_CARD: return "bad_card";
    case IDCARD_DEVICE_ERROR: return "device";
    case IDCARD_TIMEOUT: return "timeout";
    case IDCARD_IO_ERROR: return "io";
    }
    return "io";
}

int idcard_open(idcard_t *d, const char *uri, char *err, size_t errlen)
{
    uri_t u;
    int elen = errlen > 1024 ? 1024 : (int)errlen;
    memset(d, 0, sizeof *d);
    d->t.fd = -1;
    idcard_parser_init(&d->parser, true);
    if (uri_parse(uri, &u, err, elen) != 0) return -1;
    if (u.kind != URI_SERIAL && u.kind != URI_TCP) {
        snprintf(err, errlen, "an ID-card reader needs a serial: or tcp:// URI, not %s:",
                 uri_kind_name(u.kind));
        return -1;
    }
    d->find_timeout_ms = IDCARD_FIND_TIMEOUT_MS;
    d->select_timeout_ms = IDCARD_SELECT_TIMEOUT_MS;
    d->read_timeout_ms = IDCARD_READ_TIMEOUT_MS;
    d->total_timeout_ms = u.timeout_ms > 0 ? u.timeout_ms : IDCARD_TOTAL_TIMEOUT_MS;
    d->find_tries = IDCARD_FIND_TRIES;
    d->find_pause_ms = IDCARD_FIND_PAUSE_MS;
    d->quiet_ms = IDCARD_QUIET_MS;
    d->resends = IDCARD_RESENDS;
    if (transport_open(&d->t, &u, d->total_timeout_ms, err, elen) != 0) {
        d->t.fd = -1;
        return -1;
    }
    return 0;
}

void idcard_close(idcard_t *d)
{
    if (d->t.fd >= 0) transport_close(&d->t);
    idcard_parser_wipe(&d->parser);
}

/* Whether F cannot be the answer to CMD: a success reply of another command,
 * left over from an exchange abandoned on a timeout (the reader answers
 * every command, late or not). Error replies carry no shape and are
 * taken as they come. */
static bool stale_reply(uint16_t cmd, const idcard_frame_t *f)
{
    uint8_t sw3 = idcard_reply_sw3(f);
    size_t n = idcard_reply_data_len(f);
    switch (cmd) {
    case IDCARD_CMD_FIND: return sw3 == IDCARD_SW_OK;
    case IDCARD_CMD_SELECT: return sw3 == IDCARD_SW_FOUND || (sw3 == IDCARD_SW_OK && n >= 4 + IDCARD_TEXT_LEN);
    case IDCARD_CMD_READ: return sw3 == IDCARD_SW_FOUND || (sw3 == IDCARD_SW_OK && n < 4 + IDCARD_TEXT_LEN);
    default: return sw3 == IDCARD_SW_FOUND;
    }
}

/* Feeds N bytes of BUF and looks for the reply to CMD. Returns 1 with *F
 * set on a verified frame, else 0; stale replies are skipped; *BROKEN is
 * set when a corrupted frame went by. Bytes after the frame stay in the
 * parser (the next exchange sees them as stale) unless the parser was full,
 * when the rest of BUF is dropped: the reader sends one reply per command. */
static int take_bytes(idcard_t *d, uint16_t cmd, const uint8_t *buf, size_t n, idcard_frame_t *f,
                      int *broken)
{
    size_t off = 0;
    for (;;) {
        idcard_event_t ev;
        while ((ev = idcard_parser_next(&d->parser, f)) != IDCARD_EV_NONE) {
            if (ev == IDCARD_EV_FRAME && stale_reply(cmd, f)) d->stale++;
            else if (ev == IDCARD_EV_FRAME) return 1;
            else *broken = 1;
        }
        if (off == n) return 0;
        off += idcard_parser_feed(&d->parser, buf + off, n - off);
    }
}

/* Sends CMD (with DATA) and waits for one verified reply until STEP_MS have
 * passed or DEADLINE, whichever comes first. A corrupted reply is asked for
 * again (see idcard_t.resends). Returns IDCARD_OK with *F valid until the
 * next parser call and d->last_sw3 set; IDCARD_TIMEOUT when nothing usable
 * came; IDCARD_IO_ERROR when the stream failed or only corrupted replies
 * came. MSG is set on error. */
static idcard_result_t exchange(idcard_t *d, uint16_t cmd, const uint8_t *data, size_t dlen,
                                int step_ms, long deadline, idcard_frame_t *f,
                                char *msg, size_t msglen)
{
    uint8_t tx[32], rx[512];
    int txlen = idcard_encode_cmd((uint8_t)(cmd >> 8), (uint8_t)cmd, data, dlen, tx, sizeof tx);
    if (txlen < 0) {
        snprintf(msg, msglen, "%s: command too long", cmd_name(cmd));
        return IDCARD_IO_ERROR;
    }
    for (int sends = 0;; sends++) {
        long now = now_ms(), end = now + step_ms < deadline ? now + step_ms : deadline;
        if (now >= deadline) goto timeout;
        if (transport_write(&d->t, tx, (size_t)txlen, (int)(deadline - now)) != 0) {
            if (errno == ETIMEDOUT) goto timeout;
            snprintf(msg, msglen, "%s: %s", d->t.name, strerror(errno));
            return IDCARD_IO_ERROR;
        }
        int broken = 0, quiet = 0;
        long last_rx = now;
        for (;;) {
            now = now_ms();
            if (broken && now - last_rx >= d->quiet_ms) {
                quiet = 1;          /* the broken reply is over: ask again */
                break;
            }
            if (now >= end) break;
            long wait = end - now;
            if (broken && d->quiet_ms - (now - last_rx) < wait) wait = d->quiet_ms - (now - last_rx);
            ssize_t n = transport_read(&d->t, rx, sizeof rx, (int)(wait > 0 ? wait : 1));
            if (n < 0) {
                snprintf(msg, msglen, "%s: %s", d->t.name, errno ? strerror(errno) : "read failed");
                return IDCARD_IO_ERROR;
            }
            if (n == 0) continue;
            last_rx = now_ms();
            if (take_bytes(d, cmd, rx, (size_t)n, f, &broken)) {
                d->last_sw3 = idcard_reply_sw3(f);
                return IDCARD_OK;
            }
        }
        if (!quiet) goto timeout;
        if (sends >= d->resends || now_ms() >= deadline) {
            snprintf(msg, msglen, "%s: the reader's replies arrived corrupted (%lu bad checksums, "
                     "%lu bad lengths so far)", cmd_name(cmd), d->parser.bad_checksum,
                     d->parser.bad_length);
            return IDCARD_IO_ERROR;
        }
        transport_drain(&d->t);
        idcard_parser_reset(&d->parser);
        d->resent++;
    }
timeout:
    snprintf(msg, msglen, "the reader did not answer %s in time", cmd_name(cmd));
    return IDCARD_TIMEOUT;
}

/* Result for an error status SW3 of CMD: a card that left between find and
 * read is CARD_MOVED, anything else is the reader's error. */
static idcard_result_t status_error(uint16_t cmd, uint8_t sw3, char *msg, size_t msglen)
{
    bool moved = (cmd == IDCARD_CMD_SELECT || cmd == IDCARD_CMD_READ) &&
                 (sw3 == IDCARD_SW_FIND_FAILED || sw3 == IDCARD_SW_SELECT_FAILED ||
                  sw3 == IDCARD_SW_READ_FAILED);
    if (moved) {
        snprintf(msg, msglen, "%s", idcard_sw3_message(sw3));
        return IDCARD_CARD_MOVED;
    }
    snprintf(msg, msglen, "%s: reader status 0x%02X: %s", cmd_name(cmd), sw3, idcard_sw3_message(sw3));
    return IDCARD_DEVICE_ERROR;
}

/* Find (up to TRIES times while there is no card), select, read, decode. */
static idcard_result_t read_card(idcard_t *d, int tries, idcard_card_t *card, char *msg, size_t msglen)
{
    idcard_frame_t f;
    idcard_result_t rc;
    char scratch[8];
    if (!msg || msglen == 0) {
        msg = scratch;
        msglen = sizeof scratch;
    }
    idcard_card_wipe(card);
    long deadline = now_ms() + (d->total_timeout_ms > 0 ? d->total_timeout_ms : IDCARD_TOTAL_TIMEOUT_MS);
    if (d->t.fd < 0) {
        snprintf(msg, msglen, "the reader is not open");
        return IDCARD_IO_ERROR;
    }
    /* A reply left over from an earlier, abandoned read would answer the
     * wrong command. */
    transport_drain(&d->t);
    idcard_parser_reset(&d->parser);

    bool found = false;
    for (int i = 0; i < (tries > 0 ? tries : 1) && !found; i++) {
        if (i > 0) {
            long left = deadline - now_ms();
            sleep_ms(d->find_pause_ms < left ? d->find_pause_ms : left);
        }
        rc = exchange(d, IDCARD_CMD_FIND, NULL, 0, d->find_timeout_ms, deadline, &f, msg, msglen);
        if (rc != IDCARD_OK) goto fail;
        uint8_t sw3 = idcard_reply_sw3(&f);
        if (sw3 == IDCARD_SW_FOUND) {
            found = true;
        } else if (sw3 != IDCARD_SW_FIND_FAILED) {
            rc = status_error(IDCARD_CMD_FIND, sw3, msg, msglen);
            goto fail;
        } else if (now_ms() >= deadline) {
            break;
        }
    }
    if (!found) {
        snprintf(msg, msglen, "%s", idcard_sw3_message(IDCARD_SW_FIND_FAILED));
        rc = IDCARD_NO_CARD;
        goto fail;
    }

    rc = exchange(d, IDCARD_CMD_SELECT, NULL, 0, d->select_timeout_ms, deadline, &f, msg, msglen);
    if (rc != IDCARD_OK) goto fail;
    if (idcard_reply_sw3(&f) != IDCARD_SW_OK) {
        rc = status_error(IDCARD_CMD_SELECT, idcard_reply_sw3(&f), msg, msglen);
        goto fail;
    }

    rc = exchange(d, IDCARD_CMD_READ, NULL, 0, d->read_timeout_ms, deadline, &f, msg, msglen);
    if (rc != IDCARD_OK) goto fail;
    if (idcard_reply_sw3(&f) != IDCARD_SW_OK) {
        rc = status_error(IDCARD_CMD_READ, idcard_reply_sw3(&f), msg, msglen);
        goto fail;
    }
    if (idcard_parse_read(idcard_reply_data(&f), idcard_reply_data_len(&f), card) != 0) {
        snprintf(msg, msglen, "read card: the reply's length fields do not match its %zu data bytes",
                 idcard_reply_data_len(&f));
        rc = IDCARD_DEVICE_ERROR;
        goto fail;
    }
    /* The reply held the card's text in the parser's buffer. */
    idcard_parser_reset(&d->parser);
    if (!card->id_valid) {
        snprintf(msg, msglen, "the ID number's check digit is wrong: the card data is not trusted");
        return IDCARD_BAD_CARD;
    }
    snprintf(msg, msglen, "card read");
    return IDCARD_OK;

fail:
    idcard_parser_reset(&d->parser);
    idcard_card_wipe(card);
    return rc;
}

idcard_result_t idcard_read(idcard_t *d, idcard_card_t *card, char *msg, size_t msglen)
{
    return read_card(d, d->find_tries, card, msg, msglen);
}

idcard_result_t idcard_poll(idcard_t *d, idcard_card_t *card, char *msg, size_t msglen)
{
    return read_card(d, 1, card, msg, msglen);
}

/* One command whose reply must be SW3 0x90; *F then holds it. */
static idcard_result_t simple_command(idcard_t *d, uint16_t cmd, idcard_frame_t *f, char *msg, size_t msglen)
{
    char scratch[8];
    if (!msg || msglen == 0) {
        msg = scratch;
        msglen = sizeof scratch;
    }
    if (d->t.fd < 0) {
        snprintf(msg, msglen, "the reader is not open");
        return IDCARD_IO_ERROR;
    }
    transport_drain(&d->t);
    idcard_parser_reset(&d->parser);
    long deadline = now_ms() + (d->total_timeout_ms > 0 ? d->total_timeout_ms : IDCARD_TOTAL_TIMEOUT_MS);
    idcard_result_t rc = exchange(d, cmd, NULL, 0, d->select_timeout_ms, deadline, f, msg, msglen);
    if (rc != IDCARD_OK) return rc;
    if (idcard_reply_sw3(f) != IDCARD_SW_OK) return status_error(cmd, idcard_reply_sw3(f), msg, msglen);
    snprintf(msg, msglen, "%s: %s", cmd_name(cmd), idcard_sw3_message(IDCARD_SW_OK));
    return IDCARD_OK;
}

idcard_result_t idcard_reset(idcard_t *d, char *msg, size_t msglen)
{
    idcard_frame_t f;
    return simple_command(d, IDCARD_CMD_RESET, &f, msg, msglen);
}

idcard_result_t idcard_sam_id(idcard_t *d, char *out, size_t outlen, char *msg, size_t msglen)
{
    idcard_frame_t f;
    if (outlen) out[0] = '\0';
    idcard_result_t rc = simple_command(d, IDCARD_CMD_SAM_ID, &f, msg, msglen);
    if (rc != IDCARD_OK) return rc;
    const uint8_t *p = idcard_reply_data(&f);
    size_t n = idcard_reply_data_len(&f);
    for (size_t i = 0; i < n && 2 * i + 2 < outlen; i++) snprintf(out + 2 * i, 3, "%02x", p[i]);
    return IDCARD_OK;
}
