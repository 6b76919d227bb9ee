#include "scanner/hid_keys.h"

#include <linux/input-event-codes.h>
#include <string.h>

void hid_keys_init(hid_keys_t *k)
{
    memset(k, 0, sizeof *k);
}

void hid_keys_reset(hid_keys_t *k)
{
    hid_keys_init(k);
}

/* US layout: the unshifted and shifted character of each key code. */
static const struct {
    unsigned short code;
    char plain, shifted;
} keymap[] = {
    {KEY_1, '1', '!'}, {KEY_2, '2', '@'}, {KEY_3, '3', '#'}, {KEY_4, '4', '$'},
    {KEY_5, '5', '%'}, {KEY_6, '6', '^'}, {KEY_7, '7', '&'}, {KEY_8, '8', '*'},
    {KEY_9, '9', '('}, {KEY_0, '0', ')'}, {KEY_MINUS, '-', '_'}, {KEY_EQUAL, '=', '+'},
    {KEY_TAB, '\t', '\t'},
    {KEY_Q, 'q', 'Q'}, {KEY_W, 'w', 'W'}, {KEY_E, 'e', 'E'}, {KEY_R, 'r', 'R'},
    {KEY_T, 't', 'T'}, {KEY_Y, 'y', 'Y'}, {KEY_U, 'u', 'U'}, {KEY_I, 'i', 'I'},
    {KEY_O, 'o', 'O'}, {KEY_P, 'p', 'P'}, {KEY_LEFTBRACE, '[', '{'}, {KEY_RIGHTBRACE, ']', '}'},
    {KEY_A, 'a', 'A'}, {KEY_S, 's', 'S'}, {KEY_D, 'd', 'D'}, {KEY_F, 'f', 'F'},
    {KEY_G, 'g', 'G'}, {KEY_H, 'h', 'H'}, {KEY_J, 'j', 'J'}, {KEY_K, 'k', 'K'},
    {KEY_L, 'l', 'L'}, {KEY_SEMICOLON, ';', ':'}, {KEY_APOSTROPHE, '\'', '"'},
    {KEY_GRAVE, '`', '~'}, {KEY_BACKSLASH, '\\', '|'},
    {KEY_Z, 'z', 'Z'}, {KEY_X, 'x', 'X'}, {KEY_C, 'c', 'C'}, {KEY_V, 'v', 'V'},
    {KEY_B, 'b', 'B'}, {KEY_N, 'n', 'N'}, {KEY_M, 'm', 'M'}, {KEY_COMMA, ',', '<'},
    {KEY_DOT, '.', '>'}, {KEY_SLASH, '/', '?'}, {KEY_SPACE, ' ', ' '},
    /* The keypad types the same with or without Shift (Num Lock assumed on,
     * as scanners that use the keypad expect). */
    {KEY_KP7, '7', '7'}, {KEY_KP8, '8', '8'}, {KEY_KP9, '9', '9'}, {KEY_KPMINUS, '-', '-'},
    {KEY_KP4, '4', '4'}, {KEY_KP5, '5', '5'}, {KEY_KP6, '6', '6'}, {KEY_KPPLUS, '+', '+'},
    {KEY_KP1, '1', '1'}, {KEY_KP2, '2', '2'}, {KEY_KP3, '3', '3'}, {KEY_KP0, '0', '0'},
    {KEY_KPDOT, '.', '.'}, {KEY_KPASTERISK, '*', '*'}, {KEY_KPSLASH, '/', '/'},
    {KEY_102ND, '\\', '|'},
};

char hid_keys_char(unsigned code, int shift)
{
    for (size_t i = 0; i < sizeof keymap / sizeof *keymap; i++)
        if (keymap[i].code == code) return shift ? keymap[i].shifted : keymap[i].plain;
    return 0;
}

hid_status_t hid_keys_feed(hid_keys_t *k, unsigned code, int value)
{
    if (value != 0 && value != 1) return HID_MORE;   /* 2 = auto-repeat */
    if (code == KEY_LEFTSHIFT || code == KEY_RIGHTSHIFT) {
        *(code == KEY_LEFTSHIFT ? &k->shift_left : &k->shift_right) = value;
        return HID_MORE;
    }
    if (value == 0) return HID_MORE;                 /* characters type on press */

    if (code == KEY_ENTER || code == KEY_KPENTER) {
        if (k->overflow) {
            k->overflow = 0;
            return HID_TOO_LONG;
        }
        if (k->done || k->len == 0) return HID_MORE;
        k->done = 1;   /* the next character starts a new line; this one stays until then */
        return HID_LINE;
    }
    char c = hid_keys_char(code, k->shift_left || k->shift_right);
    if (!c || k->overflow) return HID_MORE;
    if (k->done) {
        k->done = 0;
        k->len = 0;
    }
    if (k->len == HID_LINE_MAX) {
        k->overflow = 1;
        k->len = 0;
        k->line[0] = '\0';
        return HID_MORE;
    }
    k->line[k->len++] = c;
    k->line[k->len] = '\0';
    return HID_MORE;
}

const char *hid_keys_line(const hid_keys_t *k, size_t *len)
{
    if (len) *len = k->len;
    return k->line;
}
