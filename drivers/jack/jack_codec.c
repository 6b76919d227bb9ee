/* Headphone jack reports decoded (jack_codec.h). */
#include "jack/jack_codec.h"

#include <string.h>

void jack_evdev_init(jack_evdev_dec_t *d, jack_state_t state)
{
    memset(d, 0, sizeof *d);
    d->pending = -1;
    d->state = state;
}

/* One whole record. Returns JACK_DEC_RESYNC when it ends a lost stretch. */
static int record(jack_evdev_dec_t *d, const struct input_event *ev)
{
    if (ev->type == EV_SYN && ev->code == SYN_DROPPED) {
        d->dropping = true;
        d->pending = -1;
        return 0;
    }
    if (ev->type == EV_SYN && ev->code == SYN_REPORT) {
        if (d->dropping) {
            /* The frame that ends a drop is incomplete too: the state is
             * read from the device instead (event-codes.rst, SYN_DROPPED). */
            d->dropping = false;
            d->pending = -1;
            return JACK_DEC_RESYNC;
        }
        if (d->pending >= 0)
            d->state = d->pending ? JACK_IN : JACK_OUT;
        d->pending = -1;
        return 0;
    }
    if (!d->dropping && ev->type == EV_SW && ev->code == SW_HEADPHONE_INSERT)
        d->pending = ev->value != 0;
    return 0;
}

int jack_evdev_feed(jack_evdev_dec_t *d, const void *bytes, size_t n)
{
    const unsigned char *p = bytes;
    jack_state_t before = d->state;
    int flags = 0;
    struct input_event ev;
    while (n > 0) {
        size_t want = sizeof ev - d->npart, k = n < want ? n : want;
        memcpy(d->part + d->npart, p, k);
        d->npart += k;
        p += k;
        n -= k;
        if (d->npart < sizeof ev)
            break;
        memcpy(&ev, d->part, sizeof ev);    /* the bytes may sit at any alignment */
        d->npart = 0;
        flags |= record(d, &ev);
    }
    if (d->state != before)
        flags |= JACK_DEC_CHANGED;
    return flags;
}

static bool bit_set(const unsigned char *bits, size_t len, unsigned bit)
{
    return bit / 8 < len && (bits[bit / 8] >> (bit % 8) & 1);
}

jack_state_t jack_evdev_sw_state(const unsigned char *bits, size_t len)
{
    return bit_set(bits, len, SW_HEADPHONE_INSERT) ? JACK_IN : JACK_OUT;
}

bool jack_evdev_has_switch(const unsigned char *bits, size_t len)
{
    return bit_set(bits, len, SW_HEADPHONE_INSERT);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

bool jack_alsa_is_headphone(bool iface_card, bool boolean, const char *name)
{
    if (!iface_card || !boolean || !name)
        return false;
    /* "Headphone Jack", "Front Headphone Jack", a combo "Headphone Mic
     * Jack"; never a "... Phantom Jack" (a fixed pin that is always "in"). */
    if (strstr(name, "Phantom"))
        return false;
    return (!strncmp(name, "Headphone", 9) || strstr(name, " Headphone")) && ends_with(name, " Jack");
}

jack_alsa_event_t jack_alsa_event(const unsigned *numids, int n, unsigned numid, unsigned mask)
{
    for (int i = 0; i < n; i++) {
        if (numids[i] != numid)
            continue;
        if (mask == JACK_ALSA_MASK_REMOVE)
            return JACK_ALSA_GONE;
        return mask & JACK_ALSA_MASK_VALUE ? JACK_ALSA_REREAD : JACK_ALSA_IGNORE;
    }
    return JACK_ALSA_IGNORE;
}

jack_state_t jack_alsa_state(const int *values, int n)
{
    if (n <= 0)
        return JACK_UNKNOWN;
    for (int i = 0; i < n; i++)
        if (values[i])
            return JACK_IN;
    return JACK_OUT;
}

const char *jack_state_name(jack_state_t s)
{
    return s == JACK_IN ? "headphones in" : s == JACK_OUT ? "headphones out" : "no jack";
}
