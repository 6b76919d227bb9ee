/* The headphone jack's two Linux reports, decoded without I/O.
 *
 * Owns: nothing; pure functions over bytes and values (jack.c does the
 * reading, tests/fuzz/fuzz_drv_jack.c fuzzes the byte decoder).
 *
 *   evdev:  an input device with the switch SW_HEADPHONE_INSERT reports
 *           struct input_event records; a plug is EV_SW SW_HEADPHONE_INSERT
 *           value 1, a pull value 0, each made final by EV_SYN SYN_REPORT.
 *           After EV_SYN SYN_DROPPED the kernel lost events: everything up
 *           to the next SYN_REPORT is ignored and the state must be read
 *           again (EVIOCGSW) - the decoder says so (JACK_DEC_RESYNC).
 *   ALSA:   a control of interface CARD, type BOOLEAN, named "Headphone
 *           Jack" (or "Front Headphone Jack", "Headphone Mic Jack"; several
 *           with the same name differ by index). A value event names the
 *           control by numid; its value is read again (snd_ctl_elem_read).
 *
 * Threads: any; a decoder belongs to one thread. Errors: none: a record of
 * no interest is skipped, a record cut short waits for its rest. */
#ifndef DRV_JACK_CODEC_H
#define DRV_JACK_CODEC_H

#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    JACK_UNKNOWN = -1,      /* no jack found, or its device failed */
    JACK_OUT = 0,           /* nothing plugged: the loudspeaker plays */
    JACK_IN = 1,            /* headphones plugged */
} jack_state_t;

/* ---- evdev ---------------------------------------------------------------- */

typedef struct {
    unsigned char part[sizeof(struct input_event)];   /* a record cut by the read: [0, npart) */
    size_t npart;
    int pending;            /* the switch's value in the frame being read; -1: untouched */
    bool dropping;          /* after SYN_DROPPED: skipping to the next SYN_REPORT */
    jack_state_t state;     /* as of the last SYN_REPORT */
} jack_evdev_dec_t;

enum {
    JACK_DEC_CHANGED = 1,   /* state differs from before the call */
    JACK_DEC_RESYNC = 2,    /* events were lost: read the state again (EVIOCGSW) */
};

/* Starts a decoder at STATE (from EVIOCGSW, or JACK_UNKNOWN). */
void jack_evdev_init(jack_evdev_dec_t *d, jack_state_t state);
/* Feeds N bytes of struct input_event records, split anywhere. Returns a
 * mask of JACK_DEC_*; d->state is the state after the last complete frame.
 * Only the last frame counts: a plug and a pull within one read leave the
 * state as it ends. */
int jack_evdev_feed(jack_evdev_dec_t *d, const void *bytes, size_t n);
/* The state in an EVIOCGSW bit map of LEN bytes (bit SW_HEADPHONE_INSERT). */
jack_state_t jack_evdev_sw_state(const unsigned char *bits, size_t len);
/* True when the EVIOCGBIT(EV_SW) map of LEN bytes has SW_HEADPHONE_INSERT:
 * the device reports the headphone jack. */
bool jack_evdev_has_switch(const unsigned char *bits, size_t len);

/* ---- ALSA ----------------------------------------------------------------- */

#define JACK_ALSA_MAX 4     /* headphone jacks watched on one card (front, rear, ...) */
/* The event masks of alsa/control.h (asserted equal in jack.c). */
#define JACK_ALSA_MASK_VALUE 1u
#define JACK_ALSA_MASK_REMOVE (~0u)

typedef enum {
    JACK_ALSA_IGNORE,       /* not one of ours, or not its value */
    JACK_ALSA_REREAD,       /* one of ours changed value: read them again */
    JACK_ALSA_GONE,         /* one of ours was removed (card unplugged) */
} jack_alsa_event_t;

/* Is a control with this interface (IFACE_CARD: true for SND_CTL_ELEM_IFACE_CARD),
 * type (BOOLEAN: true for SND_CTL_ELEM_TYPE_BOOLEAN) and NAME a headphone jack? */
bool jack_alsa_is_headphone(bool iface_card, bool boolean, const char *name);
/* An element event for NUMID with MASK, given the N numids watched. */
jack_alsa_event_t jack_alsa_event(const unsigned *numids, int n, unsigned numid, unsigned mask);
/* The kiosk's state from the N jacks' values: in if any is plugged. */
jack_state_t jack_alsa_state(const int *values, int n);

const char *jack_state_name(jack_state_t s);

#endif
