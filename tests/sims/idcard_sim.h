/* Simulated resident ID-card reader: the reader side of the SAM serial
 * protocol on a pseudo-terminal, served by its own thread. The driver opens
 * idcard_sim_path() as serial:/dev/pts/N, exactly as it opens a real USB
 * serial adapter. Misbehaviour is configured per test: no card, error
 * statuses, slow replies, corrupted or split frames, a card pulled away
 * between find and read, the firmware variant with a fingerprint field. */
#ifndef TESTS_IDCARD_SIM_H
#define TESTS_IDCARD_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The card's printed fields, UTF-8. Each must fit its UCS-2 field of the
 * text block (name 15 units, address 35, ID number 18, ...). */
typedef struct {
    char name[64];
    char sex[8];            /* code: "1" male, "2" female */
    char nation[8];         /* GB 3304 code: "01" */
    char birth[16];         /* YYYYMMDD */
    char address[128];
    char id_number[32];
    char authority[64];
    char valid_from[16];
    char valid_to[16];      /* YYYYMMDD or 长期 */
} idcard_sim_card_t;

typedef struct {
    bool card_present;
    idcard_sim_card_t card;
    uint8_t find_sw3;       /* answer to find when a card is present (0x9F) */
    uint8_t select_sw3;     /* 0x90; 0x81 = the card was pulled away after find */
    uint8_t read_sw3;       /* 0x90; 0x41 = pulled away during the read */
    uint8_t status_sw3;     /* non-zero: every command is answered with it */
    int delay_ms;           /* before each reply */
    int corrupt_replies;    /* the next N replies go out with a wrong checksum */
    bool garbage;           /* noise, with a fake preamble of impossible length, before each reply */
    int split_pieces;       /* > 1: each reply is written in this many pieces ... */
    int split_pause_ms;     /* ... with this pause between them */
    bool fingerprint;       /* read reply with a fingerprint length field and 1024 bytes of it */
    bool silent;            /* never answers */
} idcard_sim_config_t;

typedef struct idcard_sim idcard_sim_t;

/* The demo card: a believable resident of 幸福里社区 with a valid ID number. */
void idcard_sim_demo_card(idcard_sim_card_t *card);
/* Defaults: the demo card present, every status success, no delay or fault. */
void idcard_sim_config_default(idcard_sim_config_t *cfg);

/* Creates the pty and starts serving CFG (copied). Returns NULL with a reason
 * in ERR when the pty or the thread cannot be created. */
idcard_sim_t *idcard_sim_start(const idcard_sim_config_t *cfg, char *err, size_t errlen);
/* The slave side, "/dev/pts/N": open it as serial:/dev/pts/N. */
const char *idcard_sim_path(const idcard_sim_t *s);
/* Replaces the configuration (thread-safe; takes effect from the next command). */
void idcard_sim_configure(idcard_sim_t *s, const idcard_sim_config_t *cfg);
/* Host frames received with command CMD (CMD << 8 | PARA): find, select or
 * read; 0 counts every command, any other value all the other commands
 * together. Frames that failed their checksum are not counted. */
unsigned idcard_sim_commands(idcard_sim_t *s, uint16_t cmd);
/* Stops the thread and frees everything. NULL is ignored. */
void idcard_sim_stop(idcard_sim_t *s);

/* The 256-byte UCS-2LE text block of CARD, fields padded with spaces.
 * Returns 0, or -1 when a field is not valid UTF-8 or does not fit. */
int idcard_sim_text_block(const idcard_sim_card_t *card, uint8_t out[256]);
/* The reply frame the simulator sends for command CMD under CFG, before any
 * fault injection (delay, corruption, garbage, split). Returns its length,
 * or -1 when OUTLEN is too small or the card does not encode. */
int idcard_sim_reply(const idcard_sim_config_t *cfg, uint16_t cmd, uint8_t *out, size_t outlen);

#endif
