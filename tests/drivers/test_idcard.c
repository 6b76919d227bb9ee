/* ID-card reader: the codec byte for byte (frames built from the protocol
 * table, checksums computed here), the stream parser's resynchronisation,
 * the text block, the check digit, and the driver against the simulated
 * reader on a pseudo-terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "idcard/idcard.h"
#include "idcard/idcard_codec.h"
#include "sims/idcard_sim.h"

static const uint8_t PRE[5] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A frame as the table describes it: preamble, LEN (body + CHK) big-endian,
 * BODY, then the XOR of LEN..BODY computed here. Returns its length. */
static size_t table_frame(const uint8_t *body, size_t body_len, uint8_t *out)
{
    size_t len = body_len + 1;
    memcpy(out, PRE, 5);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    memcpy(out + 7, body, body_len);
    uint8_t x = 0;
    for (size_t i = 5; i < 7 + body_len; i++) x ^= out[i];
    out[7 + body_len] = x;
    return 7 + len;
}

/* Feeds LEN bytes in pieces of STEP and collects events: frames' SW3 into
 * SW3S, counts of each event into COUNTS[event]. */
static void feed_all(idcard_parser_t *p, const uint8_t *buf, size_t len, size_t step,
                     uint8_t *sw3s, size_t *nframes, int counts[4])
{
    for (size_t off = 0; off < len;) {
        size_t n = len - off < step ? len - off : step;
        size_t took = idcard_parser_feed(p, buf + off, n);
        off += took;
        idcard_frame_t f;
        idcard_event_t ev;
        while ((ev = idcard_parser_next(p, &f)) != IDCARD_EV_NONE) {
            counts[ev]++;
            if (ev == IDCARD_EV_FRAME) sw3s[(*nframes)++] = f.body[2];
        }
    }
}

/* ---------------------------------------------------------------- frames */

static void host_frames_byte_for_byte(void **state)
{
    static const uint8_t cmds[][2] = {{0x10, 0xFF}, {0x11, 0xFF}, {0x12, 0xFF}, {0x20, 0x01},
                                      {0x20, 0x02}, {0x30, 0x01}, {0x30, 0x03}};
    uint8_t want[32], got[32];
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        size_t n = table_frame(cmds[i], 2, want);
        assert_int_equal(n, 10);
        assert_int_equal(want[5], 0x00);
        assert_int_equal(want[6], 0x03);
        int m = idcard_encode_cmd(cmds[i][0], cmds[i][1], NULL, 0, got, sizeof got);
        assert_int_equal(m, 10);
        assert_memory_equal(got, want, n);
    }
    /* Find card, the frame every reader document quotes. */
    idcard_encode_cmd(0x20, 0x01, NULL, 0, got, sizeof got);
    assert_int_equal(got[9], 0x00 ^ 0x03 ^ 0x20 ^ 0x01);
    /* Set max RF frame bytes: one data byte, LEN 00 04. */
    const uint8_t rf[3] = {0x61, 0xFF, 0x50};
    size_t n = table_frame(rf, 3, want);
    assert_int_equal(idcard_encode_cmd(0x61, 0xFF, rf + 2, 1, got, sizeof got), (int)n);
    assert_int_equal(got[6], 0x04);
    assert_memory_equal(got, want, n);
    /* Too small a buffer: -1, nothing written. */
    memset(got, 0xEE, sizeof got);
    assert_int_equal(idcard_encode_cmd(0x20, 0x01, NULL, 0, got, 9), -1);
    assert_int_equal(got[0], 0xEE);
    (void)state;
}

static void reply_frames_and_lengths(void **state)
{
    uint8_t want[1400], got[1400];
    /* A failure reply: LEN 00 04. */
    const uint8_t fail[3] = {0x00, 0x00, 0x80};
    size_t n = table_frame(fail, 3, want);
    assert_int_equal(idcard_encode_reply(0, 0, 0x80, NULL, 0, got, sizeof got), (int)n);
    assert_int_equal(n, 11);
    assert_memory_equal(got, want, n);
    assert_int_equal(got[5] << 8 | got[6], 0x0004);
    /* Find OK: 4 data bytes, LEN 00 08; select OK: 8, LEN 00 0C. */
    const uint8_t zeros[8] = {0};
    idcard_encode_reply(0, 0, 0x9F, zeros, 4, got, sizeof got);
    assert_int_equal(got[5] << 8 | got[6], 0x0008);
    idcard_encode_reply(0, 0, 0x90, zeros, 8, got, sizeof got);
    assert_int_equal(got[5] << 8 | got[6], 0x000C);

    /* Read OK from the simulator: LEN 05 08, 1295 bytes, text at 14. */
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    int m = idcard_sim_reply(&cfg, IDCARD_CMD_READ, got, sizeof got);
    assert_int_equal(m, 1295);
    assert_int_equal(got[5] << 8 | got[6], 0x0508);
    assert_int_equal(got[7], 0x00);
    assert_int_equal(got[8], 0x00);
    assert_int_equal(got[9], 0x90);
    assert_int_equal(got[10] << 8 | got[11], 0x0100);
    assert_int_equal(got[12] << 8 | got[13], 0x0400);
    uint8_t block[256];
    assert_int_equal(idcard_sim_text_block(&cfg.card, block), 0);
    assert_memory_equal(got + 14, block, 256);
    n = table_frame(got + 7, 1287, want);
    assert_int_equal(n, 1295);
    assert_memory_equal(got, want, n);
    (void)state;
}

/* ---------------------------------------------------------------- parser */

static void parser_frames_any_split(void **state)
{
    uint8_t stream[3000];
    size_t len = 0;
    const uint8_t zeros[8] = {0};
    len += (size_t)idcard_encode_reply(0, 0, 0x9F, zeros, 4, stream + len, sizeof stream - len);
    len += (size_t)idcard_encode_reply(0, 0, 0x90, zeros, 8, stream + len, sizeof stream - len);
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    len += (size_t)idcard_sim_reply(&cfg, IDCARD_CMD_READ, stream + len, sizeof stream - len);
    len += (size_t)idcard_encode_reply(0, 0, 0x80, NULL, 0, stream + len, sizeof stream - len);

    static const size_t steps[] = {1, 2, 3, 5, 7, 64, 1000, 3000};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        idcard_parser_t p;
        idcard_parser_init(&p, true);
        uint8_t sw3s[8];
        size_t nf = 0;
        int counts[4] = {0};
        feed_all(&p, stream, len, steps[i], sw3s, &nf, counts);
        assert_int_equal(nf, 4);
        assert_int_equal(sw3s[0], 0x9F);
        assert_int_equal(sw3s[1], 0x90);
        assert_int_equal(sw3s[2], 0x90);
        assert_int_equal(sw3s[3], 0x80);
        assert_int_equal(counts[IDCARD_EV_BAD_CHECKSUM] + counts[IDCARD_EV_BAD_LENGTH], 0);
        assert_int_equal(p.garbage_bytes, 0);
        assert_int_equal(p.frames, 4);
    }
    (void)state;
}

static void parser_resyncs_after_garbage(void **state)
{
    /* Noise, a lone AA, a preamble cut short, then AA AA before the real
     * one: five AA in a row ahead of 96 69. */
    static const uint8_t noise[] = {0x00, 0xFF, 0x13, 0xAA, 0x37, 0xAA, 0xAA, 0xAA, 0x96,
                                    0x00, 0xAA, 0xAA};
    uint8_t stream[64];
    memcpy(stream, noise, sizeof noise);
    size_t len = sizeof noise;
    len += (size_t)idcard_encode_reply(0, 0, 0x80, NULL, 0, stream + len, sizeof stream - len);
    for (size_t step = 1; step <= len; step++) {
        idcard_parser_t p;
        idcard_parser_init(&p, true);
        uint8_t sw3s[4];
        size_t nf = 0;
        int counts[4] = {0};
        feed_all(&p, stream, len, step, sw3s, &nf, counts);
        assert_int_equal(nf, 1);
        assert_int_equal(sw3s[0], 0x80);
        assert_int_equal(p.garbage_bytes, sizeof noise);
    }
    (void)state;
}

static void parser_rejects_bad_checksum(void **state)
{
    uint8_t stream[64];
    size_t a = (size_t)idcard_encode_reply(0, 0, 0x9F, (const uint8_t[4]){0}, 4, stream, sizeof stream);
    stream[a - 1] ^= 0x01;      /* wrong checksum */
    size_t len = a + (size_t)idcard_encode_reply(0, 0, 0x80, NULL, 0, stream + a, sizeof stream - a);
    idcard_parser_t p;
    idcard_parser_init(&p, true);
    uint8_t sw3s[4];
    size_t nf = 0;
    int counts[4] = {0};
    feed_all(&p, stream, len, 3, sw3s, &nf, counts);
    assert_int_equal(counts[IDCARD_EV_BAD_CHECKSUM], 1);
    assert_int_equal(p.bad_checksum, 1);
    assert_int_equal(nf, 1);
    assert_int_equal(sw3s[0], 0x80);

    /* A broken frame whose LEN swallows the next frame: the good one inside
     * is still found once the checksum fails. */
    uint8_t inner[16];
    size_t in = (size_t)idcard_encode_reply(0, 0, 0x41, NULL, 0, inner, sizeof inner);
    uint8_t s2[64] = {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, (uint8_t)(3 + in + 1), 0x00, 0x00, 0x90};
    memcpy(s2 + 10, inner, in);
    s2[10 + in] = 0x00;         /* almost surely not the XOR; made wrong below */
    uint8_t x = 0;
    for (size_t i = 5; i < 10 + in; i++) x ^= s2[i];
    s2[10 + in] = (uint8_t)(x ^ 0xFF);
    idcard_parser_init(&p, true);
    nf = 0;
    memset(counts, 0, sizeof counts);
    feed_all(&p, s2, 11 + in, 64, sw3s, &nf, counts);
    assert_int_equal(counts[IDCARD_EV_BAD_CHECKSUM], 1);
    assert_int_equal(nf, 1);
    assert_int_equal(sw3s[0], 0x41);
    (void)state;
}

static void parser_rejects_impossible_lengths(void **state)
{
    static const uint8_t bad[][7] = {
        {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF},     /* huge */
        {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x10, 0x01},     /* just over the maximum */
        {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03},     /* too short for SW1 SW2 SW3 CHK */
        {0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x00},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t stream[64];
        memcpy(stream, bad[i], 7);
        size_t len = 7 + (size_t)idcard_encode_reply(0, 0, 0x90, NULL, 0, stream + 7, sizeof stream - 7);
        idcard_parser_t p;
        idcard_parser_init(&p, true);
        uint8_t sw3s[4];
        size_t nf = 0;
        int counts[4] = {0};
        feed_all(&p, stream, len, 7, sw3s, &nf, counts);
        assert_int_equal(counts[IDCARD_EV_BAD_LENGTH], 1);
        assert_int_equal(p.bad_length, 1);
        assert_int_equal(nf, 1);
        assert_int_equal(sw3s[0], 0x90);
    }
    /* The largest accepted LEN passes, and fills the parser exactly. */
    static uint8_t big[IDCARD_FRAME_MAX];
    static uint8_t data[IDCARD_LEN_MAX - 4];
    int n = idcard_encode_reply(0, 0, 0x90, data, sizeof data, big, sizeof big);
    assert_int_equal(n, IDCARD_FRAME_MAX);
    assert_int_equal(idcard_encode_reply(0, 0, 0x90, data, sizeof data + 1, big, sizeof big), -1);
    idcard_parser_t p;
    idcard_parser_init(&p, true);
    uint8_t sw3s[4];
    size_t nf = 0;
    int counts[4] = {0};
    feed_all(&p, big, (size_t)n, 4096, sw3s, &nf, counts);
    assert_int_equal(nf, 1);
    /* A host-side parser takes 3-byte commands. */
    uint8_t cmd[16];
    idcard_parser_init(&p, false);
    n = idcard_encode_cmd(0x20, 0x01, NULL, 0, cmd, sizeof cmd);
    assert_int_equal(idcard_parser_feed(&p, cmd, (size_t)n), (size_t)n);
    idcard_frame_t f;
    assert_int_equal(idcard_parser_next(&p, &f), IDCARD_EV_FRAME);
    assert_int_equal(f.body_len, 2);
    assert_int_equal(f.body[0] << 8 | f.body[1], IDCARD_CMD_FIND);
    idcard_parser_wipe(&p);
    (void)state;
}

/* ---------------------------------------------------------------- status */

static void every_sw3_has_a_message(void **state)
{
    static const uint8_t documented[] = {0x90, 0x9F, 0x10, 0x11, 0x21, 0x24, 0x31, 0x32, 0x33,
                                         0x40, 0x41, 0x47, 0x60, 0x66, 0x80, 0x81, 0x91};
    const char *unknown = idcard_sw3_message(0x00);
    assert_string_equal(unknown, "unknown reader status");
    for (size_t i = 0; i < sizeof documented; i++) {
        const char *m = idcard_sw3_message(documented[i]);
        assert_non_null(m);
        assert_true(idcard_sw3_known(documented[i]));
        assert_true(strlen(m) > 5 && strlen(m) < 80);
        assert_string_not_equal(m, unknown);
        for (size_t j = 0; j < i; j++) assert_string_not_equal(m, idcard_sw3_message(documented[j]));
    }
    assert_string_equal(idcard_sw3_message(0x80), "no card on the reader");
    assert_string_equal(idcard_sw3_message(0x41), "card read failed \xE2\x80\x94 keep the card still");
    assert_string_equal(idcard_sw3_message(0x90), "success");
    assert_false(idcard_sw3_known(0x00));
    assert_false(idcard_sw3_known(0xFF));
    (void)state;
}

/* ------------------------------------------------------------------ text */

static void decode_demo(idcard_card_t *card, const idcard_sim_card_t *in)
{
    uint8_t block[256];
    assert_int_equal(idcard_sim_text_block(in, block), 0);
    idcard_decode_text(block, card);
}

static void text_block_decodes(void **state)
{
    idcard_sim_card_t in;
    idcard_card_t c;
    idcard_sim_demo_card(&in);
    decode_demo(&c, &in);
    assert_string_equal(c.name, "王秀兰");
    assert_string_equal(c.sex_code, "2");
    assert_string_equal(c.sex, "女");
    assert_string_equal(c.nation_code, "01");
    assert_string_equal(c.nation, "汉");
    assert_string_equal(c.birth, "19580312");
    assert_string_equal(c.address, "北京市朝阳区幸福里社区3号楼2单元501");
    assert_string_equal(c.id_number, "110105195803120424");
    assert_string_equal(c.authority, "北京市公安局朝阳分局");
    assert_string_equal(c.valid_from, "20180520");
    assert_string_equal(c.valid_to, "长期");
    assert_true(c.id_valid);

    /* A dated card, a male, another nation, an unknown nation code. */
    snprintf(in.valid_to, sizeof in.valid_to, "20380520");
    snprintf(in.sex, sizeof in.sex, "1");
    snprintf(in.nation, sizeof in.nation, "29");
    decode_demo(&c, &in);
    assert_string_equal(c.valid_to, "20380520");
    assert_string_equal(c.sex, "男");
    assert_string_equal(c.nation, "柯尔克孜");
    snprintf(in.nation, sizeof in.nation, "99");
    snprintf(in.sex, sizeof in.sex, "7");
    decode_demo(&c, &in);
    assert_string_equal(c.nation_code, "99");
    assert_string_equal(c.nation, "99");
    assert_string_equal(c.sex, "7");

    /* Names of 1 and 15 characters; 16 do not fit the block. */
    snprintf(in.name, sizeof in.name, "李");
    decode_demo(&c, &in);
    assert_string_equal(c.name, "李");
    snprintf(in.name, sizeof in.name, "%s", "一二三四五六七八九十甲乙丙丁戊");
    decode_demo(&c, &in);
    assert_string_equal(c.name, "一二三四五六七八九十甲乙丙丁戊");
    snprintf(in.name, sizeof in.name, "%s", "一二三四五六七八九十甲乙丙丁戊己");
    uint8_t block[256];
    assert_int_equal(idcard_sim_text_block(&in, block), -1);
    (void)state;
}

static void text_block_edge_cases(void **state)
{
    uint8_t block[256];
    idcard_card_t c;
    /* All padding: every field empty. */
    for (size_t i = 0; i < 256; i += 2) {
        block[i] = 0x20;
        block[i + 1] = 0x00;
    }
    idcard_decode_text(block, &c);
    assert_string_equal(c.name, "");
    assert_string_equal(c.id_number, "");
    assert_string_equal(c.nation, "");
    assert_false(c.id_valid);
    /* Leading padding, NUL padding, a surrogate pair, a lone surrogate and a
     * control character in the name. */
    const unsigned name[15] = {0x0020, 0x5F20, 0xD840, 0xDC0B, 0xDC00, 0x0007, 0x4E09,
                               0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000, 0x0000};
    for (size_t i = 0; i < 15; i++) {
        block[2 * i] = (uint8_t)name[i];
        block[2 * i + 1] = (uint8_t)(name[i] >> 8);
    }
    idcard_decode_text(block, &c);
    assert_string_equal(c.name, "张\xF0\xA0\x80\x8B\xEF\xBF\xBD\xEF\xBF\xBD三");
    /* Worst case: 15 lone surrogates fill the name buffer exactly. */
    for (size_t i = 0; i < 15; i++) {
        block[2 * i] = 0x00;
        block[2 * i + 1] = 0xDC;
    }
    idcard_decode_text(block, &c);
    assert_int_equal(strlen(c.name), 45);
    (void)state;
}

static void nation_and_sex_tables(void **state)
{
    for (int code = 1; code <= 56; code++) {
        assert_non_null(idcard_nation_name(code));
        for (int other = 1; other < code; other++)
            assert_string_not_equal(idcard_nation_name(code), idcard_nation_name(other));
    }
    assert_string_equal(idcard_nation_name(1), "汉");
    assert_string_equal(idcard_nation_name(56), "基诺");
    assert_string_equal(idcard_nation_name(97), "其他");
    assert_string_equal(idcard_nation_name(98), "外国血统中国籍人士");
    assert_null(idcard_nation_name(0));
    assert_null(idcard_nation_name(57));
    assert_null(idcard_nation_name(99));
    assert_string_equal(idcard_sex_label(0), "未知");
    assert_string_equal(idcard_sex_label(1), "男");
    assert_string_equal(idcard_sex_label(2), "女");
    assert_string_equal(idcard_sex_label(9), "未说明");
    assert_null(idcard_sex_label(3));
    (void)state;
}

static void read_reply_layouts(void **state)
{
    static uint8_t frame[IDCARD_FRAME_MAX];
    idcard_sim_config_t cfg;
    idcard_card_t c;
    idcard_sim_config_default(&cfg);
    int n = idcard_sim_reply(&cfg, IDCARD_CMD_READ, frame, sizeof frame);
    size_t dlen = (size_t)n - 11;
    assert_int_equal(idcard_parse_read(frame + 10, dlen, &c), 0);
    assert_string_equal(c.name, "王秀兰");
    assert_int_equal(c.photo_len, 1024);
    assert_false(c.has_fingerprint_field);

    /* Fingerprint firmware: a third length field, text at frame offset 16. */
    cfg.fingerprint = true;
    n = idcard_sim_reply(&cfg, IDCARD_CMD_READ, frame, sizeof frame);
    assert_int_equal(n, 7 + 3 + 6 + 256 + 1024 + 1024 + 1);
    assert_int_equal(frame[14] << 8 | frame[15], 1024);
    assert_int_equal(idcard_parse_read(frame + 10, (size_t)n - 11, &c), 0);
    assert_string_equal(c.id_number, "110105195803120424");
    assert_true(c.has_fingerprint_field);
    assert_int_equal(c.fingerprint_len, 1024);

    /* Lengths that do not add up, or a text block that is not 256 bytes. */
    assert_int_equal(idcard_parse_read(frame + 10, (size_t)n - 12, &c), -1);
    assert_string_equal(c.name, "");
    assert_int_equal(idcard_parse_read(frame + 10, 3, &c), -1);
    uint8_t odd[4 + 200] = {0x00, 200, 0x00, 0x00};
    assert_int_equal(idcard_parse_read(odd, sizeof odd, &c), -1);
    (void)state;
}

static void card_wipe_clears_everything(void **state)
{
    idcard_sim_card_t in;
    idcard_card_t c;
    idcard_sim_demo_card(&in);
    decode_demo(&c, &in);
    c.photo_len = 1024;
    idcard_card_wipe(&c);
    const unsigned char *b = (const unsigned char *)&c;
    for (size_t i = 0; i < sizeof c; i++) assert_int_equal(b[i], 0);
    /* A parser that held a read reply is wiped too. */
    idcard_parser_t p;
    idcard_parser_init(&p, true);
    static uint8_t frame[1400];
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    int n = idcard_sim_reply(&cfg, IDCARD_CMD_READ, frame, sizeof frame);
    idcard_parser_feed(&p, frame, (size_t)n);
    idcard_parser_reset(&p);
    for (size_t i = 0; i < sizeof p.buf; i++) assert_int_equal(p.buf[i], 0);
    (void)state;
}

/* ---------------------------------------------------- driver + simulator */

typedef struct {
    idcard_sim_t *sim;
    idcard_t d;
    bool open;
    idcard_card_t card;
    char msg[256];
} fx_t;

static int sim_setup(void **state)
{
    fx_t *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    char err[256];
    fx->sim = idcard_sim_start(&cfg, err, sizeof err);
    if (!fx->sim) {
        fprintf(stderr, "idcard_sim_start: %s\n", err);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int sim_teardown(void **state)
{
    fx_t *fx = *state;
    if (fx->open) idcard_close(&fx->d);
    idcard_sim_stop(fx->sim);
    idcard_card_wipe(&fx->card);
    free(fx);
    return 0;
}

/* Configures the simulator with CFG and opens the driver on it. */
static void start(fx_t *fx, const idcard_sim_config_t *cfg)
{
    char uri[128], err[256];
    idcard_sim_configure(fx->sim, cfg);
    snprintf(uri, sizeof uri, "serial:%s", idcard_sim_path(fx->sim));
    int rc = idcard_open(&fx->d, uri, err, sizeof err);
    if (rc != 0) fail_msg("idcard_open(%s): %s", uri, err);
    fx->open = true;
}

static void reads_a_good_card(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_string_equal(fx->msg, "card read");
    assert_string_equal(fx->card.name, "王秀兰");
    assert_string_equal(fx->card.sex, "女");
    assert_string_equal(fx->card.nation, "汉");
    assert_string_equal(fx->card.birth, "19580312");
    assert_string_equal(fx->card.address, "北京市朝阳区幸福里社区3号楼2单元501");
    assert_string_equal(fx->card.id_number, "110105195803120424");
    assert_string_equal(fx->card.valid_to, "长期");
    assert_true(fx->card.id_valid);
    assert_int_equal(fx->card.photo_len, 1024);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_FIND), 1);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_SELECT), 1);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_READ), 1);
    /* The read reply does not linger in the driver. */
    for (size_t i = 0; i < sizeof fx->d.parser.buf; i++) assert_int_equal(fx->d.parser.buf[i], 0);
    /* And again on the same stream. */
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_int_equal(idcard_sim_commands(fx->sim, 0), 6);
}

static void no_card(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.card_present = false;
    start(fx, &cfg);
    long t0 = now_ms();
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_NO_CARD);
    assert_string_equal(fx->msg, "no card on the reader");
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_FIND), IDCARD_FIND_TRIES);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_SELECT), 0);
    assert_true(now_ms() - t0 < 2000);
    assert_string_equal(fx->card.name, "");
    /* Polling asks once. */
    t0 = now_ms();
    assert_int_equal(idcard_poll(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_NO_CARD);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_FIND), IDCARD_FIND_TRIES + 1);
    assert_true(now_ms() - t0 < 400);
    /* Then a card arrives. */
    idcard_sim_config_default(&cfg);
    idcard_sim_configure(fx->sim, &cfg);
    assert_int_equal(idcard_poll(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_string_equal(fx->card.name, "王秀兰");
}

static void card_moved(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.select_sw3 = IDCARD_SW_SELECT_FAILED;
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_CARD_MOVED);
    assert_string_equal(fx->msg, idcard_sw3_message(IDCARD_SW_SELECT_FAILED));
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_READ), 0);

    idcard_sim_config_default(&cfg);
    cfg.read_sw3 = IDCARD_SW_READ_FAILED;
    idcard_sim_configure(fx->sim, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_CARD_MOVED);
    assert_string_equal(fx->msg, "card read failed \xE2\x80\x94 keep the card still");
    assert_string_equal(fx->card.name, "");
}

static void bad_check_digit(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    snprintf(cfg.card.id_number, sizeof cfg.card.id_number, "110105195803120425");
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_BAD_CARD);
    assert_non_null(strstr(fx->msg, "check digit"));
    assert_false(fx->card.id_valid);
    assert_string_equal(fx->card.id_number, "110105195803120425");
    assert_string_equal(fx->card.name, "王秀兰");
    assert_null(strstr(fx->msg, "110105"));
}

static void device_error_status(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.status_sw3 = IDCARD_SW_SELF_TEST;
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_DEVICE_ERROR);
    assert_non_null(strstr(fx->msg, "0x60"));
    assert_non_null(strstr(fx->msg, idcard_sw3_message(IDCARD_SW_SELF_TEST)));
    assert_int_equal(fx->d.last_sw3, 0x60);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_FIND), 1);
    assert_int_equal(idcard_reset(&fx->d, fx->msg, sizeof fx->msg), IDCARD_DEVICE_ERROR);
    /* A card of the wrong type at select. */
    idcard_sim_config_default(&cfg);
    cfg.select_sw3 = IDCARD_SW_CARD_TYPE;
    idcard_sim_configure(fx->sim, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_DEVICE_ERROR);
    assert_non_null(strstr(fx->msg, "not a resident ID card"));
}

static void slow_reply_within_and_over_the_timeout(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.delay_ms = 150;
    start(fx, &cfg);
    fx->d.find_timeout_ms = fx->d.select_timeout_ms = 400;
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);

    cfg.delay_ms = 700;
    idcard_sim_configure(fx->sim, &cfg);
    long t0 = now_ms();
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_TIMEOUT);
    long took = now_ms() - t0;
    assert_true(took >= 380 && took < 1000);
    assert_non_null(strstr(fx->msg, "find card"));

    /* The overall bound holds even when each step is within its own. */
    cfg.delay_ms = 250;
    idcard_sim_configure(fx->sim, &cfg);
    usleep(800 * 1000);         /* let the late reply land; the next read drains it */
    fx->d.total_timeout_ms = 600;
    t0 = now_ms();
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_TIMEOUT);
    took = now_ms() - t0;
    assert_true(took >= 580 && took < 900);
}

static void stale_replies_are_skipped(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.delay_ms = 450;
    start(fx, &cfg);
    fx->d.find_timeout_ms = 300;
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_TIMEOUT);
    /* The abandoned find is answered while the next read runs: its late
     * "found" must not be taken for the answer to select. */
    cfg.delay_ms = 0;
    idcard_sim_configure(fx->sim, &cfg);
    fx->d.find_timeout_ms = 500;
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_string_equal(fx->card.name, "王秀兰");
    assert_true(fx->d.stale >= 1);
}

static void corrupted_frames_then_success(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.corrupt_replies = 2;
    cfg.garbage = true;
    cfg.split_pieces = 4;
    cfg.split_pause_ms = 30;
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_string_equal(fx->card.id_number, "110105195803120424");
    assert_int_equal(fx->d.parser.bad_checksum, 2);
    assert_true(fx->d.parser.bad_length >= 3);      /* the fake preamble before each reply */
    assert_true(fx->d.parser.garbage_bytes > 0);
    assert_int_equal(fx->d.resent, 2);
    assert_int_equal(idcard_sim_commands(fx->sim, IDCARD_CMD_FIND), 3);

    /* Corrupted every time: an I/O error, within the overall bound. */
    cfg.corrupt_replies = 1000;
    cfg.garbage = false;
    cfg.split_pieces = 0;
    idcard_sim_configure(fx->sim, &cfg);
    long t0 = now_ms();
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_IO_ERROR);
    assert_true(now_ms() - t0 < 2000);
    assert_non_null(strstr(fx->msg, "corrupted"));

    /* Noise then a reply slower than the overall bound: a timeout, not a
     * corrupted stream. */
    cfg.corrupt_replies = 0;
    cfg.garbage = true;
    cfg.split_pieces = 4;
    cfg.split_pause_ms = 100;
    idcard_sim_configure(fx->sim, &cfg);
    fx->d.total_timeout_ms = 200;
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_TIMEOUT);
}

static void fingerprint_firmware(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.fingerprint = true;
    start(fx, &cfg);
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_OK);
    assert_true(fx->card.has_fingerprint_field);
    assert_int_equal(fx->card.fingerprint_len, 1024);
    assert_string_equal(fx->card.name, "王秀兰");
    assert_string_equal(fx->card.valid_from, "20180520");
}

static void silent_reader_times_out(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    cfg.silent = true;
    start(fx, &cfg);
    long t0 = now_ms();
    assert_int_equal(idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg), IDCARD_TIMEOUT);
    long took = now_ms() - t0;
    assert_true(took >= IDCARD_FIND_TIMEOUT_MS - 20 && took < IDCARD_FIND_TIMEOUT_MS + 500);
    assert_string_equal(idcard_result_code(IDCARD_TIMEOUT), "timeout");
}

static void reset_and_sam_id(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    start(fx, &cfg);
    assert_int_equal(idcard_reset(&fx->d, fx->msg, sizeof fx->msg), IDCARD_OK);
    char id[64];
    assert_int_equal(idcard_sam_id(&fx->d, id, sizeof id, NULL, 0), IDCARD_OK);
    assert_string_equal(id, "05000100201010100000123456789012");
}

static void device_unplugged(void **state)
{
    fx_t *fx = *state;
    idcard_sim_config_t cfg;
    idcard_sim_config_default(&cfg);
    start(fx, &cfg);
    idcard_sim_stop(fx->sim);
    fx->sim = NULL;
    long t0 = now_ms();
    idcard_result_t r = idcard_read(&fx->d, &fx->card, fx->msg, sizeof fx->msg);
    assert_int_equal(r, IDCARD_IO_ERROR);
    assert_true(now_ms() - t0 < 300);
    assert_non_null(strstr(fx->msg, "/dev/pts/"));
}

static void device_absent(void **state)
{
    idcard_t d;
    char err[256];
    long t0 = now_ms();
    assert_int_equal(idcard_open(&d, "serial:/dev/nonexistent", err, sizeof err), -1);
    assert_true(now_ms() - t0 < 100);
    assert_string_equal(err, "/dev/nonexistent: No such file or directory");
    idcard_close(&d);
    assert_int_equal(idcard_open(&d, "usb:/dev/usb/lp0", err, sizeof err), -1);
    assert_non_null(strstr(err, "serial: or tcp://"));
    assert_int_equal(idcard_open(&d, "bogus", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown scheme"));
    /* Closed: a read says so instead of touching fd -1. */
    idcard_card_t c;
    char msg[128];
    assert_int_equal(idcard_read(&d, &c, msg, sizeof msg), IDCARD_IO_ERROR);
    assert_string_equal(idcard_result_code(IDCARD_NO_CARD), "no_card");
    assert_string_equal(idcard_result_code(IDCARD_CARD_MOVED), "card_moved");
    assert_string_equal(idcard_result_code(IDCARD_DEVICE_ERROR), "device");
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_frames_byte_for_byte),
        cmocka_unit_test(reply_frames_and_lengths),
        cmocka_unit_test(parser_frames_any_split),
        cmocka_unit_test(parser_resyncs_after_garbage),
        cmocka_unit_test(parser_rejects_bad_checksum),
        cmocka_unit_test(parser_rejects_impossible_lengths),
        cmocka_unit_test(every_sw3_has_a_message),
        cmocka_unit_test(text_block_decodes),
        cmocka_unit_test(text_block_edge_cases),
        cmocka_unit_test(nation_and_sex_tables),
        cmocka_unit_test(read_reply_layouts),
        cmocka_unit_test(card_wipe_clears_everything),
        cmocka_unit_test_setup_teardown(reads_a_good_card, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(no_card, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(card_moved, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(bad_check_digit, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(device_error_status, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(slow_reply_within_and_over_the_timeout, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(stale_replies_are_skipped, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(corrupted_frames_then_success, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(fingerprint_firmware, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(silent_reader_times_out, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(reset_and_sam_id, sim_setup, sim_teardown),
        cmocka_unit_test_setup_teardown(device_unplugged, sim_setup, sim_teardown),
        cmocka_unit_test(device_absent),
    };
    return cmocka_run_group_tests_name("idcard", tests, NULL, NULL);
}
