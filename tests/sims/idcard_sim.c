#include "sims/idcard_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "idcard/idcard_codec.h"

#define PHOTO_LEN 1024
#define FINGERPRINT_LEN 1024

struct idcard_sim {
    int master, slave;          /* the slave stays open so the pty outlives clients */
    int wake[2];                /* a byte here stops the thread */
    char path[64];
    pthread_t thread;
    pthread_mutex_t lock;       /* guards cfg, corrupt_left and the counters */
    idcard_sim_config_t cfg;
    int corrupt_left;
    unsigned count_all, count_find, count_select, count_read, count_other;
    idcard_parser_t parser;     /* host frames */
    uint8_t out[IDCARD_FRAME_MAX];
};

void idcard_sim_demo_card(idcard_sim_card_t *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "王秀兰");
    snprintf(c->sex, sizeof c->sex, "2");
    snprintf(c->nation, sizeof c->nation, "01");
    snprintf(c->birth, sizeof c->birth, "19580312");
    snprintf(c->address, sizeof c->address, "北京市朝阳区幸福里社区3号楼2单元501");
    snprintf(c->id_number, sizeof c->id_number, "110105195803120424");
    snprintf(c->authority, sizeof c->authority, "北京市公安局朝阳分局");
    snprintf(c->valid_from, sizeof c->valid_from, "20180520");
    snprintf(c->valid_to, sizeof c->valid_to, "长期");
}

void idcard_sim_config_default(idcard_sim_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->card_present = true;
    idcard_sim_demo_card(&cfg->card);
    cfg->find_sw3 = IDCARD_SW_FOUND;
    cfg->select_sw3 = IDCARD_SW_OK;
    cfg->read_sw3 = IDCARD_SW_OK;
}

/* ------------------------------------------------------------- encoding */

/* Next code point of UTF-8 S (advancing *S), or -1 on a bad sequence. */
static long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    long cp;
    int n;
    if (p[0] < 0x80) { cp = p[0]; n = 0; }
    else if ((p[0] & 0xE0) == 0xC0) { cp = p[0] & 0x1F; n = 1; }
    else if ((p[0] & 0xF0) == 0xE0) { cp = p[0] & 0x0F; n = 2; }
    else if ((p[0] & 0xF8) == 0xF0) { cp = p[0] & 0x07; n = 3; }
    else return -1;
    for (int i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) return -1;
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *s = p + n + 1;
    return cp;
}

/* UTF-8 S into UNITS UCS-2LE units at OUT, padded with spaces. */
static int put_field(uint8_t *out, size_t units, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t u = 0;
    while (*p) {
        long cp = utf8_next(&p);
        if (cp < 0) return -1;
        unsigned v[2];
        size_t n = 1;
        if (cp >= 0x10000) {
            v[0] = 0xD800 + (unsigned)((cp - 0x10000) >> 10);
            v[1] = 0xDC00 + (unsigned)((cp - 0x10000) & 0x3FF);
            n = 2;
        } else {
            v[0] = (unsigned)cp;
        }
        if (u + n > units) return -1;
        for (size_t i = 0; i < n; i++, u++) {
            out[2 * u] = (uint8_t)v[i];
            out[2 * u + 1] = (uint8_t)(v[i] >> 8);
        }
    }
    for (; u < units; u++) {
        out[2 * u] = 0x20;
        out[2 * u + 1] = 0x00;
    }
    return 0;
}

int idcard_sim_text_block(const idcard_sim_card_t *c, uint8_t out[256])
{
    /* Byte offset and UCS-2 units of each field (shared/PROTOCOLS.md). */
    if (put_field(out + 0, 15, c->name) || put_field(out + 30, 1, c->sex) ||
        put_field(out + 32, 2, c->nation) || put_field(out + 36, 8, c->birth) ||
        put_field(out + 52, 35, c->address) || put_field(out + 122, 18, c->id_number) ||
        put_field(out + 158, 15, c->authority) || put_field(out + 188, 8, c->valid_from) ||
        put_field(out + 204, 8, c->valid_to) || put_field(out + 220, 18, ""))
        return -1;
    return 0;
}

static void put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static int read_reply(const idcard_sim_config_t *cfg, uint8_t *out, size_t outlen)
{
    uint8_t data[6 + IDCARD_TEXT_LEN + PHOTO_LEN + FINGERPRINT_LEN];
    size_t at = 4;
    put16(data, IDCARD_TEXT_LEN);
    put16(data + 2, PHOTO_LEN);
    if (cfg->fingerprint) {
        put16(data + 4, FINGERPRINT_LEN);
        at = 6;
    }
    if (idcard_sim_text_block(&cfg->card, data + at) != 0) return -1;
    at += IDCARD_TEXT_LEN;
    /* A WLT photo's first bytes, then a pattern: the driver never decodes it. */
    for (size_t i = 0; i < PHOTO_LEN; i++) data[at + i] = i < 3 ? (uint8_t)"WLf"[i] : (uint8_t)(i * 7);
    at += PHOTO_LEN;
    if (cfg->fingerprint) {
        for (size_t i = 0; i < FINGERPRINT_LEN; i++) data[at + i] = (uint8_t)(i * 13 + 1);
        at += FINGERPRINT_LEN;
    }
    int n = idcard_encode_reply(0, 0, IDCARD_SW_OK, data, at, out, outlen);
    explicit_bzero(data, sizeof data);
    return n;
}

int idcard_sim_reply(const idcard_sim_config_t *cfg, uint16_t cmd, uint8_t *out, size_t outlen)
{
    static const uint8_t zeros[8] = {0};
    static const uint8_t sam_id[16] = {0x05, 0x00, 0x01, 0x00, 0x20, 0x10, 0x10, 0x10,
                                       0x00, 0x00, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12};
    uint8_t sw3;
    if (cfg->status_sw3) return idcard_encode_reply(0, 0, cfg->status_sw3, NULL, 0, out, outlen);
    switch (cmd) {
    case IDCARD_CMD_FIND:
        sw3 = cfg->card_present ? cfg->find_sw3 : IDCARD_SW_FIND_FAILED;
        return idcard_encode_reply(0, 0, sw3, zeros, sw3 == IDCARD_SW_FOUND ? 4 : 0, out, outlen);
    case IDCARD_CMD_SELECT:
        sw3 = cfg->card_present ? cfg->select_sw3 : IDCARD_SW_SELECT_FAILED;
        return idcard_encode_reply(0, 0, sw3, zeros, sw3 == IDCARD_SW_OK ? 8 : 0, out, outlen);
    case IDCARD_CMD_READ:
        sw3 = cfg->card_present ? cfg->read_sw3 : IDCARD_SW_READ_FAILED;
        if (sw3 == IDCARD_SW_OK) return read_reply(cfg, out, outlen);
        return idcard_encode_reply(0, 0, sw3, NULL, 0, out, outlen);
    case IDCARD_CMD_RESET:
    case IDCARD_CMD_SAM_STATUS:
        return idcard_encode_reply(0, 0, IDCARD_SW_OK, NULL, 0, out, outlen);
    case IDCARD_CMD_SAM_ID:
        return idcard_encode_reply(0, 0, IDCARD_SW_OK, sam_id, sizeof sam_id, out, outlen);
    default:
        return idcard_encode_reply(0, 0, IDCARD_SW_BAD_COMMAND, NULL, 0, out, outlen);
    }
}

/* --------------------------------------------------------------- serving */

/* Waits MS milliseconds; returns -1 at once when asked to stop. */
static int pause_ms(idcard_sim_t *s, int ms)
{
    if (ms <= 0) return 0;
    struct pollfd p = {.fd = s->wake[0], .events = POLLIN};
    int rc;
    do rc = poll(&p, 1, ms); while (rc < 0 && errno == EINTR);
    return rc == 0 ? 0 : -1;
}

/* Writes all of BUF to the master; -1 when asked to stop or on error. */
static int write_all(idcard_sim_t *s, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(s->master, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return -1;
        struct pollfd p[2] = {{.fd = s->master, .events = POLLOUT}, {.fd = s->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0 && errno != EINTR) return -1;
        if (p[1].revents) return -1;
    }
    return 0;
}

/* Sends reply frame OUT (LEN bytes) with the faults of CFG. */
static int send_reply(idcard_sim_t *s, const idcard_sim_config_t *cfg, bool corrupt, uint8_t *out, size_t len)
{
    /* A fake preamble with LEN FFFF between noise bytes; it ends in AA AA
     * so the real preamble follows a run of five AA bytes. */
    static const uint8_t noise[] = {0x00, 0x13, 0x37, 0xAA, 0xAA, 0xAA, 0x96, 0x69,
                                    0xFF, 0xFF, 0x55, 0xAA, 0xAA};
    if (pause_ms(s, cfg->delay_ms)) return -1;
    if (corrupt) out[len - 1] ^= 0x5A;
    if (cfg->garbage && write_all(s, noise, sizeof noise)) return -1;
    size_t pieces = cfg->split_pieces > 1 ? (size_t)cfg->split_pieces : 1;
    if (pieces > len) pieces = len;
    for (size_t i = 0, at = 0; i < pieces; i++) {
        size_t end = (i + 1) * len / pieces;
        if (i > 0 && pause_ms(s, cfg->split_pause_ms)) return -1;
        if (write_all(s, out + at, end - at)) return -1;
        at = end;
    }
    return 0;
}

static int handle(idcard_sim_t *s, uint16_t cmd, uint8_t bad_sw3)
{
    idcard_sim_config_t cfg;
    bool corrupt = false;
    pthread_mutex_lock(&s->lock);
    cfg = s->cfg;
    if (!bad_sw3) {
        s->count_all++;
        if (cmd == IDCARD_CMD_FIND) s->count_find++;
        else if (cmd == IDCARD_CMD_SELECT) s->count_select++;
        else if (cmd == IDCARD_CMD_READ) s->count_read++;
        else s->count_other++;
    }
    if (!cfg.silent && s->corrupt_left > 0) {
        s->corrupt_left--;
        corrupt = true;
    }
    pthread_mutex_unlock(&s->lock);
    if (cfg.silent) return 0;
    int n = bad_sw3 ? idcard_encode_reply(0, 0, bad_sw3, NULL, 0, s->out, sizeof s->out)
                    : idcard_sim_reply(&cfg, cmd, s->out, sizeof s->out);
    if (n < 0) n = idcard_encode_reply(0, 0, IDCARD_SW_UNKNOWN_ERROR, NULL, 0, s->out, sizeof s->out);
    int rc = send_reply(s, &cfg, corrupt, s->out, (size_t)n);
    explicit_bzero(s->out, (size_t)n);
    explicit_bzero(&cfg, sizeof cfg);
    return rc;
}

static void *serve(void *arg)
{
    idcard_sim_t *s = arg;
    uint8_t buf[256];
    for (;;) {
        struct pollfd p[2] = {{.fd = s->master, .events = POLLIN}, {.fd = s->wake[0], .events = POLLIN}};
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents) break;
        if (!(p[0].revents & POLLIN)) {
            if (p[0].revents & (POLLERR | POLLNVAL)) break;
            continue;
        }
        ssize_t n = read(s->master, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR || errno == EIO)) continue;
            break;
        }
        for (size_t off = 0; off < (size_t)n;) {
            off += idcard_parser_feed(&s->parser, buf + off, (size_t)n - off);
            idcard_frame_t f;
            idcard_event_t ev;
            while ((ev = idcard_parser_next(&s->parser, &f)) != IDCARD_EV_NONE) {
                int rc = 0;
                if (ev == IDCARD_EV_FRAME)
                    rc = handle(s, (uint16_t)(f.body[0] << 8 | f.body[1]), 0);
                else
                    rc = handle(s, 0, ev == IDCARD_EV_BAD_CHECKSUM ? IDCARD_SW_BAD_CHECKSUM
                                                                   : IDCARD_SW_BAD_LENGTH);
                if (rc) goto out;
            }
        }
    }
out:
    return NULL;
}

idcard_sim_t *idcard_sim_start(const idcard_sim_config_t *cfg, char *err, size_t errlen)
{
    idcard_sim_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->master = s->slave = s->wake[0] = s->wake[1] = -1;
    pthread_mutex_init(&s->lock, NULL);
    s->cfg = *cfg;
    s->corrupt_left = cfg->corrupt_replies;
    idcard_parser_init(&s->parser, false);

    s->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->master < 0 || grantpt(s->master) != 0 || unlockpt(s->master) != 0 ||
        ptsname_r(s->master, s->path, sizeof s->path) != 0) {
        snprintf(err, errlen, "pseudo-terminal: %s", strerror(errno));
        goto fail;
    }
    /* Raw from the start: no echo of replies, no CR/LF translation, whoever
     * opens the slave and whatever it sets. */
    s->slave = open(s->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios tio;
    if (s->slave < 0 || tcgetattr(s->slave, &tio) != 0) {
        snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
        goto fail;
    }
    cfmakeraw(&tio);
    if (tcsetattr(s->slave, TCSANOW, &tio) != 0 || pipe2(s->wake, O_CLOEXEC) != 0 ||
        fcntl(s->master, F_SETFL, fcntl(s->master, F_GETFL) | O_NONBLOCK) != 0) {
        snprintf(err, errlen, "%s: %s", s->path, strerror(errno));
        goto fail;
    }
    int rc = pthread_create(&s->thread, NULL, serve, s);
    if (rc != 0) {
        snprintf(err, errlen, "thread: %s", strerror(rc));
        goto fail;
    }
    return s;

fail:
    if (s->master >= 0) close(s->master);
    if (s->slave >= 0) close(s->slave);
    if (s->wake[0] >= 0) close(s->wake[0]);
    if (s->wake[1] >= 0) close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}

const char *idcard_sim_path(const idcard_sim_t *s)
{
    return s->path;
}

void idcard_sim_configure(idcard_sim_t *s, const idcard_sim_config_t *cfg)
{
    pthread_mutex_lock(&s->lock);
    s->cfg = *cfg;
    s->corrupt_left = cfg->corrupt_replies;
    pthread_mutex_unlock(&s->lock);
}

unsigned idcard_sim_commands(idcard_sim_t *s, uint16_t cmd)
{
    pthread_mutex_lock(&s->lock);
    unsigned n = cmd == 0 ? s->count_all
               : cmd == IDCARD_CMD_FIND ? s->count_find
               : cmd == IDCARD_CMD_SELECT ? s->count_select
               : cmd == IDCARD_CMD_READ ? s->count_read
               : s->count_other;
    pthread_mutex_unlock(&s->lock);
    return n;
}

void idcard_sim_stop(idcard_sim_t *s)
{
    if (!s) return;
    ssize_t w;
    do w = write(s->wake[1], "x", 1); while (w < 0 && errno == EINTR);
    pthread_join(s->thread, NULL);
    close(s->master);
    close(s->slave);
    close(s->wake[0]);
    close(s->wake[1]);
    pthread_mutex_destroy(&s->lock);
    explicit_bzero(s, sizeof *s);
    free(s);
}
