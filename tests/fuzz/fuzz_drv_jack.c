/* libFuzzer target for the headphone jack's decoders (drivers/jack/
 * jack_codec.c). The input is read twice as an evdev stream: as raw
 * struct input_event bytes, and in a compact form that reaches the
 * interesting records quickly (three bytes a record: type % 6, code % 8,
 * value as a signed byte; so EV_SW SW_HEADPHONE_INSERT, SYN_REPORT and
 * SYN_DROPPED are common). Its first bytes also make an ALSA control name
 * and event. Built and run by `make fuzz` and tests/checks/fuzz_smoke.sh.
 *
 * Invariants checked on every input (a failed one aborts, so libFuzzer
 * saves the input as a crash):
 *   - the state is always JACK_IN, JACK_OUT or the starting one, and a
 *     record cut short is never more than a record;
 *   - the stream fed whole, cut at a point the input chooses, and one byte
 *     at a time ends in the same state with the same leftover;
 *   - CHANGED is reported exactly when the state differs from before;
 *   - the decoder agrees with a reference model of the kernel's rules
 *     (a frame counts at its SYN_REPORT, its last value wins, after
 *     SYN_DROPPED nothing counts up to and including the next SYN_REPORT,
 *     which asks for a resync);
 *   - a control taken for a headphone jack is named "... Jack" with
 *     "Headphone" in it and not "Phantom"; jack_alsa_event only answers
 *     REREAD or GONE for a watched numid. */
#include "jack/jack_codec.h"

#include <linux/input.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"

#define MAX_RECS 4096

/* The kernel's rules, written plainly over whole records. */
static jack_state_t model(const struct input_event *ev, size_t n, jack_state_t s, int *resyncs)
{
    int pending = -1;
    int dropping = 0;
    *resyncs = 0;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].type == EV_SYN && ev[i].code == SYN_DROPPED) {
            dropping = 1;
            pending = -1;
        } else if (ev[i].type == EV_SYN && ev[i].code == SYN_REPORT) {
            if (dropping)
                (*resyncs)++;
            else if (pending >= 0)
                s = pending ? JACK_IN : JACK_OUT;
            dropping = 0;
            pending = -1;
        } else if (!dropping && ev[i].type == EV_SW && ev[i].code == SW_HEADPHONE_INSERT) {
            pending = ev[i].value != 0;
        }
    }
    return s;
}

static void stream(const unsigned char *p, size_t n, size_t cut, jack_state_t start)
{
    jack_evdev_dec_t a, b, c;
    jack_evdev_init(&a, start);
    jack_evdev_init(&b, start);
    jack_evdev_init(&c, start);
    int fa = jack_evdev_feed(&a, p, n);
    CHECK((fa & JACK_DEC_CHANGED) == (a.state != start ? JACK_DEC_CHANGED : 0), "changed flag %d", fa);
    cut = n ? cut % (n + 1) : 0;
    int fb = jack_evdev_feed(&b, p, cut);
    fb |= jack_evdev_feed(&b, p + cut, n - cut);
    int fc = 0;
    for (size_t i = 0; i < n; i++) {
        jack_state_t before = c.state;
        int f = jack_evdev_feed(&c, p + i, 1);
        CHECK((f & JACK_DEC_CHANGED) == (c.state != before ? JACK_DEC_CHANGED : 0), "byte %zu", i);
        CHECK(c.state == JACK_IN || c.state == JACK_OUT || c.state == start, "state %d", c.state);
        fc |= f;
    }
    CHECK(a.state == b.state && b.state == c.state, "split: %d %d %d", a.state, b.state, c.state);
    CHECK(a.npart == b.npart && b.npart == c.npart && a.npart == n % sizeof(struct input_event),
          "leftover %zu %zu %zu", a.npart, b.npart, c.npart);
    int ra = fa & JACK_DEC_RESYNC, rb = fb & JACK_DEC_RESYNC, rc = fc & JACK_DEC_RESYNC;
    CHECK(ra == rb && rb == rc, "resync %d %d %d", fa, fb, fc);
    size_t whole = n / sizeof(struct input_event);
    struct input_event *ev = malloc(whole ? whole * sizeof *ev : 1);
    CHECK(ev != NULL, "malloc");
    memcpy(ev, p, whole * sizeof *ev);
    int resyncs;
    jack_state_t want = model(ev, whole, start, &resyncs);
    free(ev);
    CHECK(a.state == want, "model says %d, decoder %d", want, a.state);
    CHECK(!!(fa & JACK_DEC_RESYNC) == (resyncs > 0), "resyncs %d, flags %d", resyncs, fa);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    jack_state_t start = data[0] % 3 == 0 ? JACK_UNKNOWN : data[0] % 3 == 1 ? JACK_OUT : JACK_IN;
    size_t cut = size > 1 ? data[1] * 7u : 0;
    stream(data, size, cut, start);

    size_t nrec = size / 3 < MAX_RECS ? size / 3 : MAX_RECS;
    struct input_event *ev = calloc(nrec ? nrec : 1, sizeof *ev);
    CHECK(ev != NULL, "calloc");
    for (size_t i = 0; i < nrec; i++) {
        ev[i].type = (unsigned short)(data[3 * i] % 6);
        ev[i].code = (unsigned short)(data[3 * i + 1] % 8);
        ev[i].value = (signed char)data[3 * i + 2];
    }
    stream((const unsigned char *)ev, nrec * sizeof *ev, cut, start);
    free(ev);

    /* ALSA: a name of up to 44 bytes (a control's name holds 44). */
    char name[45];
    size_t k = size - 1 < sizeof name - 1 ? size - 1 : sizeof name - 1;
    memcpy(name, data + 1, k);
    name[k] = '\0';
    if (jack_alsa_is_headphone(true, true, name)) {
        size_t len = strlen(name);
        CHECK(len >= 5 && !strcmp(name + len - 5, " Jack"), "\"%s\"", name);
        CHECK(strstr(name, "Headphone") && !strstr(name, "Phantom"), "\"%s\"", name);
    }
    CHECK(!jack_alsa_is_headphone(false, true, name), "iface MIXER taken");
    CHECK(!jack_alsa_is_headphone(true, false, name), "a non-boolean taken");
    unsigned ids[JACK_ALSA_MAX];
    int n = data[0] % (JACK_ALSA_MAX + 1);
    for (int i = 0; i < n; i++)
        ids[i] = i + 2 < (int)size ? data[i + 2] % 16 : 0;
    unsigned numid = size > 6 ? data[6] % 16 : 0;
    unsigned mask = size > 7 ? (data[7] == 255 ? JACK_ALSA_MASK_REMOVE : data[7]) : 0;
    jack_alsa_event_t e = jack_alsa_event(ids, n, numid, mask);
    int watched = 0;
    for (int i = 0; i < n; i++)
        watched |= ids[i] == numid;
    CHECK(watched || e == JACK_ALSA_IGNORE, "answer %d for an unwatched numid", e);
    int values[JACK_ALSA_MAX];
    for (int i = 0; i < n; i++)
        values[i] = data[i % size] & 1;
    jack_state_t s = jack_alsa_state(values, n);
    CHECK(n ? s != JACK_UNKNOWN : s == JACK_UNKNOWN, "alsa state %d", s);
    return 0;
}
