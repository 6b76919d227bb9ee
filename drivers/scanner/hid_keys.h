/* Keyboard-wedge scanners: Linux input key events -> the scanned line.
 *
 * A wedge scanner is a USB keyboard that "types" the code and then Enter.
 * This decodes EV_KEY events (linux/input-event-codes.h codes; value 1 =
 * press, 0 = release, 2 = auto-repeat) for a US layout, the layout wedge
 * scanners default to:
 *   - letters, digits, the punctuation keys, space and Tab, the keypad's
 *     digits and operators; left and right Shift, tracked from their press
 *     and release events (Caps Lock is not tracked: scanners send Shift);
 *   - a line ends at KEY_ENTER or KEY_KPENTER; Enter with nothing typed
 *     yields nothing;
 *   - auto-repeats are ignored (a scanner never holds a key; a repeat is
 *     the kernel's, not a character);
 *   - other keys (Ctrl, Alt, function keys, ...) are ignored;
 *   - a line longer than HID_LINE_MAX characters is dropped: the characters
 *     up to its Enter are discarded and that Enter reports HID_TOO_LONG.
 * Only ASCII can arrive this way: Chinese payloads need a camera (or a
 * scanner in serial mode). Pure; one decoder per device. */
#ifndef DRV_HID_KEYS_H
#define DRV_HID_KEYS_H

#include <stddef.h>

#define HID_LINE_MAX 1024

typedef enum {
    HID_MORE = 0,       /* nothing complete yet */
    HID_LINE = 1,       /* a line is complete: hid_keys_line() */
    HID_TOO_LONG = -1,  /* a line over HID_LINE_MAX ended and was dropped */
} hid_status_t;

typedef struct {
    int shift_left, shift_right;
    int overflow;               /* the current line is being discarded */
    int done;                   /* LINE holds a completed line */
    size_t len;                 /* characters in LINE (always NUL-terminated) */
    char line[HID_LINE_MAX + 1];
} hid_keys_t;

void hid_keys_init(hid_keys_t *k);
/* Forgets the partial line and the Shift state (after lost events). */
void hid_keys_reset(hid_keys_t *k);
/* Feeds one EV_KEY event: CODE a KEY_* code, VALUE 0, 1 or 2 (others are
 * ignored). After HID_LINE the line stays readable until the next call. */
hid_status_t hid_keys_feed(hid_keys_t *k, unsigned code, int value);
/* The completed line (NUL-terminated, printable ASCII and Tab); *LEN its
 * length when LEN is not NULL. Meaningful right after HID_LINE. */
const char *hid_keys_line(const hid_keys_t *k, size_t *len);
/* The character KEY_* CODE types with SHIFT held, or 0 for none. */
char hid_keys_char(unsigned code, int shift);

#endif
