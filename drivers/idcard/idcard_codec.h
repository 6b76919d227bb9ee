/* Resident ID-card reader (SAM module) serial protocol: the pure part.
 * Bytes in, values out; no I/O, no allocation, no logging, so it can be
 * tested byte for byte and fuzzed (tests/fuzz/fuzz_drv_idcard.c).
 *
 * Frame (both directions, see shared/PROTOCOLS.md):
 *   AA AA AA 96 69 | LEN (2, big-endian) | BODY | CHK
 * LEN counts BODY + CHK; CHK is the XOR of every byte from LEN to the last
 * BODY byte. A host BODY is CMD PARA DATA; a reader BODY is SW1 SW2 SW3 DATA.
 *
 * The text decoded from a card is personal data: an idcard_card_t lives in
 * fixed buffers (no heap copies) and is cleared with idcard_card_wipe; a
 * parser that carried a read reply is cleared with idcard_parser_wipe. */
#ifndef DRV_IDCARD_CODEC_H
#define DRV_IDCARD_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDCARD_PREAMBLE_LEN 5
#define IDCARD_HEADER_LEN 7        /* preamble + LEN */
/* Largest LEN accepted from a reader: the biggest documented reply (text +
 * photo + a 1024-byte fingerprint) is 2314; anything above 4096 is noise. */
#define IDCARD_LEN_MAX 4096
#define IDCARD_FRAME_MAX (IDCARD_HEADER_LEN + IDCARD_LEN_MAX)

/* Commands: CMD << 8 | PARA. */
#define IDCARD_CMD_RESET 0x10FF
#define IDCARD_CMD_SAM_STATUS 0x11FF
#define IDCARD_CMD_SAM_ID 0x12FF
#define IDCARD_CMD_FIND 0x2001
#define IDCARD_CMD_SELECT 0x2002
#define IDCARD_CMD_READ 0x3001
#define IDCARD_CMD_READ_ADDRESS 0x3003
#define IDCARD_CMD_MAX_RF 0x61FF

/* SW3 status codes. */
#define IDCARD_SW_OK 0x90
#define IDCARD_SW_NO_CONTENT 0x91
#define IDCARD_SW_FOUND 0x9F
#define IDCARD_SW_BAD_CHECKSUM 0x10
#define IDCARD_SW_BAD_LENGTH 0x11
#define IDCARD_SW_BAD_COMMAND 0x21
#define IDCARD_SW_NOT_PERMITTED 0x23
#define IDCARD_SW_UNKNOWN_ERROR 0x24
#define IDCARD_SW_CARD_AUTH 0x31
#define IDCARD_SW_READER_AUTH 0x32
#define IDCARD_SW_INFO_CHECK 0x33
#define IDCARD_SW_CARD_TYPE 0x40
#define IDCARD_SW_READ_FAILED 0x41
#define IDCARD_SW_RANDOM 0x47
#define IDCARD_SW_SELF_TEST 0x60
#define IDCARD_SW_NOT_AUTHORISED 0x66
#define IDCARD_SW_FIND_FAILED 0x80
#define IDCARD_SW_SELECT_FAILED 0x81

#define IDCARD_TEXT_LEN 256        /* UCS-2LE text block of a read reply */

/* ------------------------------------------------------------------ frames */

/* Encodes a host command frame into OUT: preamble, LEN, CMD PARA DATA, CHK.
 * Returns the frame length (10 + DATA_LEN), or -1 when OUTLEN is too small
 * or DATA_LEN exceeds IDCARD_LEN_MAX - 3 (OUT is then untouched). */
int idcard_encode_cmd(uint8_t cmd, uint8_t para, const uint8_t *data, size_t data_len,
                      uint8_t *out, size_t outlen);
/* Encodes a reader reply frame (SW1 SW2 SW3 DATA), as the simulator and the
 * tests need it. Same contract as idcard_encode_cmd; 11 + DATA_LEN bytes. */
int idcard_encode_reply(uint8_t sw1, uint8_t sw2, uint8_t sw3, const uint8_t *data,
                        size_t data_len, uint8_t *out, size_t outlen);
/* XOR of LEN bytes at P: the checksum over LEN..last body byte. */
uint8_t idcard_xor(const uint8_t *p, size_t len);

/* A complete, checksum-verified frame. BODY points into the parser's buffer
 * (valid until the next idcard_parser_feed / idcard_parser_next call). */
typedef struct {
    const uint8_t *body;    /* CMD PARA DATA (host) or SW1 SW2 SW3 DATA (reader) */
    size_t body_len;        /* LEN - 1; >= 2 (host) or >= 3 (reader) */
} idcard_frame_t;

/* Reply accessors; F must come from a reader-side parser (body_len >= 3). */
static inline uint8_t idcard_reply_sw1(const idcard_frame_t *f) { return f->body[0]; }
static inline uint8_t idcard_reply_sw2(const idcard_frame_t *f) { return f->body[1]; }
static inline uint8_t idcard_reply_sw3(const idcard_frame_t *f) { return f->body[2]; }
static inline const uint8_t *idcard_reply_data(const idcard_frame_t *f) { return f->body + 3; }
static inline size_t idcard_reply_data_len(const idcard_frame_t *f) { return f->body_len - 3; }

/* --------------------------------------------------------- stream parser */

typedef enum {
    IDCARD_EV_NONE = 0,         /* no complete frame yet: feed more bytes */
    IDCARD_EV_FRAME,            /* *OUT holds a verified frame */
    IDCARD_EV_BAD_CHECKSUM,     /* a candidate frame failed its checksum; dropped */
    IDCARD_EV_BAD_LENGTH,       /* a preamble with an impossible LEN; dropped */
} idcard_event_t;

#define IDCARD_PARSER_CAP (2 * IDCARD_FRAME_MAX)

typedef struct {
    uint8_t buf[IDCARD_PARSER_CAP];
    size_t have;            /* bytes in BUF */
    size_t consumed;        /* bytes of the last frame returned, dropped on the next call */
    size_t min_len;         /* smallest LEN of this direction: 3 host, 4 reader */
    /* Counters for the caller's diagnostics. */
    unsigned long frames, bad_checksum, bad_length, garbage_bytes;
} idcard_parser_t;

/* READER_SIDE true: parses reader replies (what the driver does); false:
 * host commands (what the simulator does). */
void idcard_parser_init(idcard_parser_t *p, bool reader_side);
/* Takes up to LEN bytes of DATA into the parser and returns how many it took
 * (fewer than LEN only when its buffer is full: call idcard_parser_next
 * until it returns IDCARD_EV_NONE, then feed the rest). Any split of the
 * stream into calls gives the same frames and events. */
size_t idcard_parser_feed(idcard_parser_t *p, const void *data, size_t len);
/* Next event from the bytes fed so far. Bytes before a preamble are skipped
 * (counted in garbage_bytes); after a bad checksum or an impossible length
 * only the first preamble byte is dropped and the search resumes, so a good
 * frame hidden inside a broken one is still found. Never returns a frame
 * whose checksum is wrong. */
idcard_event_t idcard_parser_next(idcard_parser_t *p, idcard_frame_t *out);
/* Forgets buffered bytes (counters kept), clearing them. */
void idcard_parser_reset(idcard_parser_t *p);
/* Clears everything, buffer and counters included (explicit_bzero). */
void idcard_parser_wipe(idcard_parser_t *p);

/* ---------------------------------------------------------------- status */

/* A short English message for an SW3 status: "success", "no card on the
 * reader", "card read failed — keep the card still", ... Never NULL: an
 * undocumented code gives "unknown reader status". */
const char *idcard_sw3_message(uint8_t sw3);
/* Whether SW3 is one of the documented codes. */
bool idcard_sw3_known(uint8_t sw3);

/* ------------------------------------------------------------------ card */

/* Field buffers: a UCS-2 field of N units decodes to at most 3*N UTF-8
 * bytes (a surrogate pair, two units, makes 4). */
typedef struct {
    char name[46];          /* 15 units */
    char sex_code[4];       /* "1" */
    char sex[16];           /* label: 男, 女, 未知, 未说明; the code itself for another */
    char nation_code[7];    /* "01" */
    char nation[64];        /* GB 3304 name; the code itself when not in the table */
    char birth[25];         /* YYYYMMDD */
    char address[106];      /* 35 units */
    char id_number[55];     /* 18 units */
    char authority[46];
    char valid_from[25];    /* YYYYMMDD */
    char valid_to[25];      /* YYYYMMDD or 长期 */
    bool id_valid;          /* id_number passes idnum_valid (idnum.h) */
    unsigned photo_len;     /* bytes of the WLT photo (not kept) */
    unsigned fingerprint_len;   /* 0 unless the firmware sends the field */
    bool has_fingerprint_field;
} idcard_card_t;

/* Decodes the 256-byte UCS-2LE text block TEXT into CARD (every field
 * overwritten). Fields are trimmed of the space/NUL padding; a lone
 * surrogate or a control character becomes U+FFFD, so every field is valid
 * UTF-8 and NUL-terminated within its buffer. Sets id_valid. Cannot fail. */
void idcard_decode_text(const uint8_t text[IDCARD_TEXT_LEN], idcard_card_t *card);
/* Parses the DATA of a successful read reply (after SW3) by its length
 * fields: text length, photo length and, on firmware that sends it, a
 * fingerprint length, then the blocks in that order. The layout is the one
 * whose lengths add up to LEN exactly. Returns 0 with CARD filled, or -1
 * (CARD wiped) when no layout fits or the text length is not 256. */
int idcard_parse_read(const uint8_t *data, size_t len, idcard_card_t *card);
/* Clears CARD with explicit_bzero (the compiler may not drop it). */
void idcard_card_wipe(idcard_card_t *card);

/* GB/T 2261.1 label for a sex code (0 1 2 9), or NULL. */
const char *idcard_sex_label(int code);
/* GB 3304 name for a nation code (1-56, 97, 98), or NULL. */
const char *idcard_nation_name(int code);


#endif
