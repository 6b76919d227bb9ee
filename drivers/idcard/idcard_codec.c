#include "idcard_codec.h"

#include <stdio.h>
#include <string.h>
#include "idnum.h"
#include "utf8.h"

static const uint8_t preamble[IDCARD_PREAMBLE_LEN] = {0xAA, 0xAA, 0xAA, 0x96, 0x69};

/* ------------------------------------------------------------------ frames */

uint8_t idcard_xor(const uint8_t *p, size_t len)
{
    uint8_t x = 0;
    for (size_t i = 0; i < len; i++) x ^= p[i];
    return x;
}

/* Frame around the 3-byte head H and DATA: LEN = 3 + DATA_LEN + 1 for a
 * reader reply; a host command passes a 2-byte head (HEAD_LEN 2). */
static int encode(const uint8_t *head, size_t head_len, const uint8_t *data, size_t data_len,
                  uint8_t *out, size_t outlen)
{
    if (data_len > IDCARD_LEN_MAX - head_len - 1) return -1;
    size_t len = head_len + data_len + 1, total = IDCARD_HEADER_LEN + len;
    if (!out || outlen < total) return -1;
    memcpy(out, preamble, sizeof preamble);
    out[5] = (uint8_t)(len >> 8);
    out[6] = (uint8_t)len;
    memcpy(out + 7, head, head_len);
    if (data_len) memcpy(out + 7 + head_len, data, data_len);
    out[total - 1] = idcard_xor(out + 5, len + 1);
    return (int)total;
}

int idcard_encode_cmd(uint8_t cmd, uint8_t para, const uint8_t *data, size_t data_len,
                      uint8_t *out, size_t outlen)
{
    const uint8_t head[2] = {cmd, para};
    return encode(head, 2, data, data_len, out, outlen);
}

int idcard_encode_reply(uint8_t sw1, uint8_t sw2, uint8_t sw3, const uint8_t *data,
                        size_t data_len, uint8_t *out, size_t outlen)
{
    const uint8_t head[3] = {sw1, sw2, sw3};
    return encode(head, 3, data, data_len, out, outlen);
}

/* --------------------------------------------------------- stream parser */

void idcard_parser_init(idcard_parser_t *p, bool reader_side)
{
    memset(p, 0, sizeof *p);
    p->min_len = reader_side ? 4 : 3;
}

static void drop(idcard_parser_t *p, size_t n)
{
    if (n > p->have) n = p->have;
    memmove(p->buf, p->buf + n, p->have - n);
    p->have -= n;
}

size_t idcard_parser_feed(idcard_parser_t *p, const void *data, size_t len)
{
    drop(p, p->consumed);
    p->consumed = 0;
    size_t room = sizeof p->buf - p->have, take = len < room ? len : room;
    if (take) memcpy(p->buf + p->have, data, take);
    p->have += take;
    return take;
}

/* Offset of the first full preamble in BUF[0..HAVE), or HAVE when there is
 * none; then *KEEP is the length of the longest tail of BUF that could be
 * the start of one (kept for the next feed). */
static size_t find_preamble(const uint8_t *buf, size_t have, size_t *keep)
{
    *keep = 0;
    for (size_t i = 0; i < have; i++) {
        if (buf[i] != preamble[0]) continue;
        size_t n = have - i < IDCARD_PREAMBLE_LEN ? have - i : IDCARD_PREAMBLE_LEN;
        if (memcmp(buf + i, preamble, n) != 0) continue;
        if (n == IDCARD_PREAMBLE_LEN) return i;
        *keep = n;
        return have;
    }
    return have;
}

idcard_event_t idcard_parser_next(idcard_parser_t *p, idcard_frame_t *out)
{
    drop(p, p->consumed);
    p->consumed = 0;

    size_t keep, pos = find_preamble(p->buf, p->have, &keep);
    if (pos == p->have) {
        p->garbage_bytes += p->have - keep;
        drop(p, p->have - keep);
        return IDCARD_EV_NONE;
    }
    p->garbage_bytes += pos;
    drop(p, pos);
    if (p->have < IDCARD_HEADER_LEN) return IDCARD_EV_NONE;

    size_t len = (size_t)p->buf[5] << 8 | p->buf[6];
    if (len < p->min_len || len > IDCARD_LEN_MAX) {
        p->bad_length++;
        drop(p, 1);
        return IDCARD_EV_BAD_LENGTH;
    }
    if (p->have < IDCARD_HEADER_LEN + len) return IDCARD_EV_NONE;
    if (idcard_xor(p->buf + 5, len + 1) != p->buf[IDCARD_HEADER_LEN + len - 1]) {
        p->bad_checksum++;
        drop(p, 1);
        return IDCARD_EV_BAD_CHECKSUM;
    }
    out->body = p->buf + IDCARD_HEADER_LEN;
    out->body_len = len - 1;
    p->consumed = IDCARD_HEADER_LEN + len;
    p->frames++;
    return IDCARD_EV_FRAME;
}

void idcard_parser_reset(idcard_parser_t *p)
{
    explicit_bzero(p->buf, sizeof p->buf);
    p->have = 0;
    p->consumed = 0;
}

void idcard_parser_wipe(idcard_parser_t *p)
{
    size_t min_len = p->min_len;
    explicit_bzero(p, sizeof *p);
    p->min_len = min_len;
}

/* ---------------------------------------------------------------- status */

static const struct {
    uint8_t code;
    const char *msg;
} sw3_messages[] = {
    {0x90, "success"},
    {0x91, "the card has no such content"},
    {0x9F, "card found"},
    {0x10, "the reader received a frame with a bad checksum"},
    {0x11, "the reader received a frame with a bad length"},
    {0x21, "the reader did not recognise the command"},
    {0x23, "the reader refused the operation"},
    {0x24, "the reader reported an unrecognised error"},
    {0x31, "the card could not authenticate the reader"},
    {0x32, "the reader could not authenticate the card"},
    {0x33, "the card information failed its check"},
    {0x40, "not a resident ID card"},
    {0x41, "card read failed \xE2\x80\x94 keep the card still"},
    {0x47, "the card failed to give a random number \xE2\x80\x94 place it again"},
    {0x60, "the reader's security module failed its self-test"},
    {0x66, "the reader's security module is not authorised"},
    {0x80, "no card on the reader"},
    {0x81, "card select failed \xE2\x80\x94 place the card again"},
};

const char *idcard_sw3_message(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof sw3_messages / sizeof *sw3_messages; i++)
        if (sw3_messages[i].code == sw3) return sw3_messages[i].msg;
    return "unknown reader status";
}

bool idcard_sw3_known(uint8_t sw3)
{
    for (size_t i = 0; i < sizeof sw3_messages / sizeof *sw3_messages; i++)
        if (sw3_messages[i].code == sw3) return true;
    return false;
}

/* ------------------------------------------------------------------ card */

const char *idcard_sex_label(int code)
{
    switch (code) {
    case 0: return "未知";
    case 1: return "男";
    case 2: return "女";
    case 9: return "未说明";
    default: return NULL;
    }
}

/* GB 3304, index = code - 1 for 01..56. */
static const char *const nations[56] = {
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
    "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
    "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
    "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
};

const char *idcard_nation_name(int code)
{
    if (code >= 1 && code <= 56) return nations[code - 1];
    if (code == 97) return "其他";
    if (code == 98) return "外国血统中国籍人士";
    return NULL;
}

static unsigned unit_at(const uint8_t *p, size_t i)
{
    return (unsigned)p[2 * i] | (unsigned)p[2 * i + 1] << 8;
}

/* Appends code point CP as UTF-8 if it fits with the terminating NUL. */
static void put_utf8(char *out, size_t outlen, size_t *pos, unsigned cp)
{
    char b[4];
    size_t n = utf8_encode(cp, b);
    if (*pos + n >= outlen) return;
    memcpy(out + *pos, b, n);
    *pos += n;
}

static bool is_pad(unsigned u)
{
    return u == 0x0020 || u == 0x0000 || u == 0x3000;
}

/* Decodes UNITS UCS-2LE units at P into OUT (always NUL-terminated), without
 * the padding around it. Surrogate pairs are joined; a lone surrogate or a
 * control character becomes U+FFFD, so OUT is always valid UTF-8. */
static void decode_field(const uint8_t *p, size_t units, char *out, size_t outlen)
{
    size_t start = 0, end = units, pos = 0;
    while (end > start && is_pad(unit_at(p, end - 1))) end--;
    while (start < end && is_pad(unit_at(p, start))) start++;
    for (size_t i = start; i < end; i++) {
        unsigned u = unit_at(p, i), cp = u;
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < end) {
            unsigned lo = unit_at(p, i + 1);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
            cp = 0xFFFD;
        put_utf8(out, outlen, &pos, cp);
    }
    out[pos] = '\0';
}

/* Value of a field of 1 to 2 ASCII digits, or -1. */
static int small_code(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

void idcard_decode_text(const uint8_t text[IDCARD_TEXT_LEN], idcard_card_t *card)
{
    /* Byte offsets and sizes from the text block table. */
    decode_field(text + 0, 15, card->name, sizeof card->name);
    decode_field(text + 30, 1, card->sex_code, sizeof card->sex_code);
    decode_field(text + 32, 2, card->nation_code, sizeof card->nation_code);
    decode_field(text + 36, 8, card->birth, sizeof card->birth);
    decode_field(text + 52, 35, card->address, sizeof card->address);
    decode_field(text + 122, 18, card->id_number, sizeof card->id_number);
    decode_field(text + 158, 15, card->authority, sizeof card->authority);
    decode_field(text + 188, 8, card->valid_from, sizeof card->valid_from);
    decode_field(text + 204, 8, card->valid_to, sizeof card->valid_to);

    const char *sex = idcard_sex_label(small_code(card->sex_code));
    snprintf(card->sex, sizeof card->sex, "%s", sex ? sex : card->sex_code);
    const char *nation = idcard_nation_name(small_code(card->nation_code));
    snprintf(card->nation, sizeof card->nation, "%s", nation ? nation : card->nation_code);
    card->id_valid = idnum_valid(card->id_number);
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

int idcard_parse_read(const uint8_t *data, size_t len, idcard_card_t *card)
{
    idcard_card_wipe(card);
    if (!data || len < 4) return -1;
    size_t text_len = be16(data), photo_len = be16(data + 2), at;
    if (4 + text_len + photo_len == len) {
        at = 4;
    } else if (len >= 6 && 6 + text_len + photo_len + be16(data + 4) == len) {
        at = 6;
        card->has_fingerprint_field = true;
        card->fingerprint_len = be16(data + 4);
    } else {
        return -1;
    }
    if (text_len != IDCARD_TEXT_LEN) {
        idcard_card_wipe(card);
        return -1;
    }
    idcard_decode_text(data + at, card);
    card->photo_len = (unsigned)photo_len;
    return 0;
}

void idcard_card_wipe(idcard_card_t *card)
{
    explicit_bzero(card, sizeof *card);
}

