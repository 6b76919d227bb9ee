/* The headphone jack (drivers/jack): the evdev decoder over struct
 * input_event records (plug, pull, frames split anywhere, lost events,
 * other switches), the EVIOCGSW/EVIOCGBIT bit maps, the ALSA decoder fed
 * control names, event numids/masks and values, a fake evdev device (a
 * FIFO) through jack_open/jack_wait, the errors of bad specs, and a real
 * virtual jack through /dev/uinput when the machine offers one (skipped
 * with a message otherwise). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jack/jack.h"
#include "jack/jack_codec.h"
#include "support/jack_frame.h"

/* ---- records ------------------------------------------------------------- */

#define REC_MAX 32
typedef struct {
    struct input_event ev[REC_MAX];
    int n;
} recs_t;

static void rec(recs_t *r, unsigned type, unsigned code, int value)
{
    assert_true(r->n < REC_MAX);
    struct input_event *e = &r->ev[r->n++];
    memset(e, 0, sizeof *e);
    e->type = (unsigned short)type;
    e->code = (unsigned short)code;
    e->value = value;
}

static void plug(recs_t *r, int value)
{
    rec(r, EV_SW, SW_HEADPHONE_INSERT, value);
    rec(r, EV_SYN, SYN_REPORT, 0);
}

static size_t bytes(const recs_t *r)
{
    return (size_t)r->n * sizeof r->ev[0];
}

/* ---- the evdev decoder ---------------------------------------------------- */

static void evdev_plug_and_pull(void **state)
{
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    recs_t r = {0};
    plug(&r, 1);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_IN);
    /* The same state again is no change. */
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), 0);
    r.n = 0;
    plug(&r, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_OUT);
    /* Any non-zero value is "in" (the kernel sends 1). */
    r.n = 0;
    plug(&r, 2);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_IN);
    /* From unknown (a FIFO has no EVIOCGSW), the first frame decides. */
    jack_evdev_init(&d, JACK_UNKNOWN);
    r.n = 0;
    plug(&r, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_OUT);
}

/* A switch event counts only once its SYN_REPORT has come. */
static void evdev_waits_for_the_report(void **state)
{
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    recs_t r = {0};
    rec(&r, EV_SW, SW_HEADPHONE_INSERT, 1);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), 0);
    assert_int_equal(d.state, JACK_OUT);
    r.n = 0;
    rec(&r, EV_SYN, SYN_REPORT, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_IN);
}

/* The same stream cut at every byte gives the same states. */
static void evdev_split_anywhere(void **state)
{
    recs_t r = {0};
    plug(&r, 1);
    rec(&r, EV_SW, SW_MICROPHONE_INSERT, 1);
    rec(&r, EV_SYN, SYN_REPORT, 0);
    plug(&r, 0);
    plug(&r, 1);
    const unsigned char *p = (const unsigned char *)r.ev;
    size_t n = bytes(&r);
    for (size_t cut = 0; cut <= n; cut++) {
        jack_evdev_dec_t d;
        jack_evdev_init(&d, JACK_OUT);
        jack_evdev_feed(&d, p, cut);
        jack_evdev_feed(&d, p + cut, n - cut);
        assert_int_equal(d.state, JACK_IN);
        assert_int_equal(d.npart, 0);
    }
    /* One byte at a time: the changes come out one by one. */
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    int changes = 0;
    for (size_t i = 0; i < n; i++)
        changes += jack_evdev_feed(&d, p + i, 1) & JACK_DEC_CHANGED ? 1 : 0;
    assert_int_equal(changes, 3);
    assert_int_equal(d.state, JACK_IN);
}

/* A plug and a pull in one read: only where it ends counts. */
static void evdev_last_frame_wins(void **state)
{
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    recs_t r = {0};
    plug(&r, 1);
    plug(&r, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), 0);
    assert_int_equal(d.state, JACK_OUT);
    /* Two values in one frame: the later one. */
    r.n = 0;
    rec(&r, EV_SW, SW_HEADPHONE_INSERT, 0);
    rec(&r, EV_SW, SW_HEADPHONE_INSERT, 1);
    rec(&r, EV_SYN, SYN_REPORT, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_IN);
}

/* Other devices' events on the same node are not the jack. */
static void evdev_ignores_others(void **state)
{
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    recs_t r = {0};
    rec(&r, EV_SW, SW_LID, 1);
    rec(&r, EV_SW, SW_LINEOUT_INSERT, 1);
    rec(&r, EV_SW, SW_MICROPHONE_INSERT, 1);
    rec(&r, EV_KEY, KEY_VOLUMEUP, 1);
    rec(&r, EV_MSC, MSC_SCAN, 5);
    rec(&r, EV_SYN, SYN_REPORT, 0);
    rec(&r, EV_KEY, SW_HEADPHONE_INSERT, 1);   /* the same code, another type */
    rec(&r, EV_SYN, SYN_REPORT, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), 0);
    assert_int_equal(d.state, JACK_OUT);
}

/* After SYN_DROPPED the rest of the frame is lost: nothing is believed up
 * to the next SYN_REPORT, and the caller is told to read the state. */
static void evdev_dropped_asks_for_resync(void **state)
{
    jack_evdev_dec_t d;
    jack_evdev_init(&d, JACK_OUT);
    recs_t r = {0};
    rec(&r, EV_SW, SW_HEADPHONE_INSERT, 1);
    rec(&r, EV_SYN, SYN_DROPPED, 0);
    rec(&r, EV_SW, SW_HEADPHONE_INSERT, 1);
    rec(&r, EV_SYN, SYN_REPORT, 0);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_RESYNC);
    assert_int_equal(d.state, JACK_OUT);
    /* The stream goes on as before. */
    r.n = 0;
    plug(&r, 1);
    assert_int_equal(jack_evdev_feed(&d, r.ev, bytes(&r)), JACK_DEC_CHANGED);
    assert_int_equal(d.state, JACK_IN);
}

static void evdev_bit_maps(void **state)
{
    unsigned char bits[(SW_MAX + 8) / 8] = {0};
    assert_false(jack_evdev_has_switch(bits, sizeof bits));
    assert_int_equal(jack_evdev_sw_state(bits, sizeof bits), JACK_OUT);
    bits[SW_LID / 8] |= 1u << (SW_LID % 8);
    bits[SW_MICROPHONE_INSERT / 8] |= 1u << (SW_MICROPHONE_INSERT % 8);
    assert_false(jack_evdev_has_switch(bits, sizeof bits));
    assert_int_equal(jack_evdev_sw_state(bits, sizeof bits), JACK_OUT);
    bits[SW_HEADPHONE_INSERT / 8] |= 1u << (SW_HEADPHONE_INSERT % 8);
    assert_true(jack_evdev_has_switch(bits, sizeof bits));
    assert_int_equal(jack_evdev_sw_state(bits, sizeof bits), JACK_IN);
    /* A map too short to hold the bit has not got it. */
    assert_false(jack_evdev_has_switch(bits, 0));
}

/* ---- the ALSA decoder ----------------------------------------------------- */

static void alsa_names(void **state)
{
    static const char *const yes[] = {"Headphone Jack", "Front Headphone Jack", "Headphone Mic Jack",
                                      "Rear Headphone Jack"};
    static const char *const no[] = {"Headphone Playback Switch", "Headphone Phantom Jack", "Mic Jack",
                                     "Line Jack", "Speaker Jack", "Headset Mic Jack", "HeadphoneJack",
                                     "Jack", "", "SPDIF Phantom Jack"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (!jack_alsa_is_headphone(true, true, yes[i]))
            fail_msg("\"%s\" is a headphone jack", yes[i]);
        assert_false(jack_alsa_is_headphone(false, true, yes[i]));   /* iface MIXER: a switch */
        assert_false(jack_alsa_is_headphone(true, false, yes[i]));   /* not boolean */
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (jack_alsa_is_headphone(true, true, no[i]))
            fail_msg("\"%s\" is not a headphone jack", no[i]);
    assert_false(jack_alsa_is_headphone(true, true, NULL));
}

static void alsa_events_and_values(void **state)
{
    const unsigned ids[] = {5, 9};
    assert_int_equal(jack_alsa_event(ids, 2, 9, JACK_ALSA_MASK_VALUE), JACK_ALSA_REREAD);
    assert_int_equal(jack_alsa_event(ids, 2, 5, JACK_ALSA_MASK_VALUE | 2u), JACK_ALSA_REREAD);
    assert_int_equal(jack_alsa_event(ids, 2, 5, 2u), JACK_ALSA_IGNORE);     /* info only */
    assert_int_equal(jack_alsa_event(ids, 2, 7, JACK_ALSA_MASK_VALUE), JACK_ALSA_IGNORE);
    assert_int_equal(jack_alsa_event(ids, 2, 9, JACK_ALSA_MASK_REMOVE), JACK_ALSA_GONE);
    assert_int_equal(jack_alsa_event(ids, 2, 7, JACK_ALSA_MASK_REMOVE), JACK_ALSA_IGNORE);
    assert_int_equal(jack_alsa_event(ids, 0, 5, JACK_ALSA_MASK_VALUE), JACK_ALSA_IGNORE);
    assert_int_equal(jack_alsa_state((const int[]){0, 0}, 2), JACK_OUT);
    assert_int_equal(jack_alsa_state((const int[]){0, 1}, 2), JACK_IN);     /* front or rear */
    assert_int_equal(jack_alsa_state((const int[]){1}, 1), JACK_IN);
    assert_int_equal(jack_alsa_state(NULL, 0), JACK_UNKNOWN);
    assert_string_equal(jack_state_name(JACK_IN), "headphones in");
    assert_string_equal(jack_state_name(JACK_UNKNOWN), "no jack");
}

/* ---- devices -------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A fake evdev device: records written into a FIFO. */
static void fifo_device(void **state)
{
    char dir[] = "/tmp/test_jack.XXXXXX", path[64], spec[80], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/event", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    snprintf(spec, sizeof spec, "evdev:%s", path);
    jack_t *j = jack_open(spec, err, sizeof err);
    if (!j)
        fail_msg("%s", err);
    assert_string_equal(jack_name(j), spec);
    assert_int_equal(jack_state(j), JACK_UNKNOWN);
    int w = open(path, O_WRONLY | O_CLOEXEC);
    assert_true(w >= 0);
    /* Nothing written: the wait times out. */
    assert_int_equal(jack_wait(j, -1, 30, err, sizeof err), 0);
    /* Half a frame, then the rest. */
    recs_t r = {0};
    plug(&r, 1);
    size_t half = sizeof r.ev[0] + 5;
    assert_int_equal(write(w, r.ev, half), (ssize_t)half);
    assert_int_equal(jack_wait(j, -1, 1000, err, sizeof err), 0);
    assert_int_equal(jack_state(j), JACK_UNKNOWN);
    assert_int_equal(write(w, (char *)r.ev + half, bytes(&r) - half), (ssize_t)(bytes(&r) - half));
    assert_int_equal(jack_wait(j, -1, 1000, err, sizeof err), 1);
    assert_int_equal(jack_state(j), JACK_IN);
    r.n = 0;
    plug(&r, 0);
    assert_int_equal(write(w, r.ev, bytes(&r)), (ssize_t)bytes(&r));
    assert_int_equal(jack_wait(j, -1, 1000, err, sizeof err), 1);
    assert_int_equal(jack_state(j), JACK_OUT);
    /* The writer going away is not an unplugged device: a FIFO is held open. */
    close(w);
    assert_int_equal(jack_wait(j, -1, 30, err, sizeof err), 0);
    /* A stop descriptor ends a wait without a timeout at once. */
    int stop = eventfd(1, EFD_CLOEXEC);
    assert_true(stop >= 0);
    double t0 = now_ms();
    assert_int_equal(jack_wait(j, stop, -1, err, sizeof err), 0);
    assert_true(now_ms() - t0 < 500);
    close(stop);
    jack_close(j);
    unlink(path);
    rmdir(dir);
}

static void open_errors(void **state)
{
    char err[256];
    assert_null(jack_open("evdev:/nonexistent/event9", err, sizeof err));
    assert_string_equal(err, "evdev:/nonexistent/event9: No such file or directory");
    assert_null(jack_open("evdev:/dev/null", err, sizeof err));
    assert_non_null(strstr(err, "evdev:/dev/null: not an input device"));
    assert_null(jack_open("alsa:hw:99", err, sizeof err));
    assert_non_null(strstr(err, "alsa:hw:99: "));
    assert_null(jack_open("alsa:99", err, sizeof err));
    assert_non_null(strstr(err, "alsa:hw:99: "));
    assert_null(jack_open("pulse:default", err, sizeof err));
    assert_string_equal(err, "pulse:default: want auto, alsa:CARD or evdev:PATH");
    /* auto finds nothing in a container without sound cards or input
     * devices; on a machine with a jack it opens it. */
    jack_t *j = jack_open("auto", err, sizeof err);
    if (j) {
        print_message("auto found %s (%s)\n", jack_name(j), jack_state_name(jack_state(j)));
        assert_true(jack_state(j) == JACK_IN || jack_state(j) == JACK_OUT);
        jack_close(j);
    } else {
        assert_non_null(strstr(err, "no headphone jack found"));
    }
    jack_close(NULL);
}

/* ---- a virtual jack through uinput ---------------------------------------- */

/* A virtual device with the headphone switch at VALUE; -1 (and a message)
 * when this machine has no usable /dev/uinput. Its node goes to NODE. */
static int uinput_jack(int value, char *node, size_t nodelen)
{
    int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        print_message("no usable /dev/uinput (%s): skipping the virtual jack test\n", strerror(errno));
        return -1;
    }
    ioctl(fd, UI_SET_EVBIT, EV_SW);
    ioctl(fd, UI_SET_EVBIT, EV_SYN);
    ioctl(fd, UI_SET_SWBIT, SW_HEADPHONE_INSERT);
    struct uinput_setup us;
    memset(&us, 0, sizeof us);
    us.id.bustype = BUS_VIRTUAL;
    snprintf(us.name, sizeof us.name, "test_jack headphone");
    char sys[64], dir[128];
    if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0 ||
        ioctl(fd, UI_GET_SYSNAME(sizeof sys), sys) < 0) {
        print_message("/dev/uinput cannot create a device (%s): skipping the virtual jack test\n",
                      strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(dir, sizeof dir, "/sys/devices/virtual/input/%s", sys);
    node[0] = '\0';
    for (int i = 0; i < 100 && !node[0]; i++) {
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
            if (!strncmp(de->d_name, "event", 5)) {
                snprintf(node, nodelen, "/dev/input/%s", de->d_name);
                if (access(node, R_OK) != 0)
                    node[0] = '\0';
            }
        if (d)
            closedir(d);
        if (!node[0])
            usleep(20000);
    }
    if (!node[0]) {
        print_message("the uinput device got no /dev/input node: skipping the virtual jack test\n");
        ioctl(fd, UI_DEV_DESTROY);
        close(fd);
        return -1;
    }
    struct input_event ev[2];
    jack_frame_fill(ev, value);
    if (write(fd, ev, sizeof ev) != (ssize_t)sizeof ev)
        print_message("uinput: %s\n", strerror(errno));
    return fd;
}

static void uinput_virtual_jack(void **state)
{
    char node[300], spec[320], err[256];
    int ui = uinput_jack(1, node, sizeof node);
    if (ui < 0)
        skip();
    snprintf(spec, sizeof spec, "evdev:%s", node);
    jack_t *j = jack_open(spec, err, sizeof err);
    if (!j)
        fail_msg("%s", err);
    assert_int_equal(jack_state(j), JACK_IN);          /* EVIOCGSW at open */
    struct input_event ev[2];
    memset(ev, 0, sizeof ev);
    ev[0].type = EV_SW;
    ev[0].code = SW_HEADPHONE_INSERT;
    ev[1].type = EV_SYN;
    ev[1].code = SYN_REPORT;
    assert_int_equal(write(ui, ev, sizeof ev), (ssize_t)sizeof ev);
    assert_int_equal(jack_wait(j, -1, 2000, err, sizeof err), 1);
    assert_int_equal(jack_state(j), JACK_OUT);
    /* The device destroyed: the wait says so. */
    ioctl(ui, UI_DEV_DESTROY);
    close(ui);
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++)
        rc = jack_wait(j, -1, 200, err, sizeof err);
    assert_int_equal(rc, -1);
    jack_close(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(evdev_plug_and_pull),
        cmocka_unit_test(evdev_waits_for_the_report),
        cmocka_unit_test(evdev_split_anywhere),
        cmocka_unit_test(evdev_last_frame_wins),
        cmocka_unit_test(evdev_ignores_others),
        cmocka_unit_test(evdev_dropped_asks_for_resync),
        cmocka_unit_test(evdev_bit_maps),
        cmocka_unit_test(alsa_names),
        cmocka_unit_test(alsa_events_and_values),
        cmocka_unit_test(fifo_device),
        cmocka_unit_test(open_errors),
        cmocka_unit_test(uinput_virtual_jack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
