/* One headphone-jack switch frame as the kernel's evdev sends it
 * (SW_HEADPHONE_INSERT = VALUE, then SYN_REPORT): what the jack tests write
 * into a FIFO or a uinput device to plug or pull headphones. Header only,
 * so suites that do not link tests/support use it too. */
#ifndef KIOSK_TEST_JACK_FRAME_H
#define KIOSK_TEST_JACK_FRAME_H

#include <linux/input.h>
#include <string.h>

static inline void jack_frame_fill(struct input_event ev[2], int value)
{
    memset(ev, 0, 2 * sizeof *ev);
    ev[0].type = EV_SW;
    ev[0].code = SW_HEADPHONE_INSERT;
    ev[0].value = value;
    ev[1].type = EV_SYN;
    ev[1].code = SYN_REPORT;
}

#endif
