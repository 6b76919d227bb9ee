/* The headphone jack over ALSA controls or evdev (jack.h). */
#include "jack/jack.h"

#include <alsa/asoundlib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(JACK_ALSA_MASK_VALUE == SND_CTL_EVENT_MASK_VALUE, "alsa value mask");
_Static_assert(JACK_ALSA_MASK_REMOVE == SND_CTL_EVENT_MASK_REMOVE, "alsa remove mask");

#define SW_BYTES ((SW_MAX + 8) / 8)

struct jack {
    jack_state_t state;
    char name[160];
    /* evdev */
    int fd;                          /* -1: ALSA */
    jack_evdev_dec_t dec;
    /* ALSA */
    snd_ctl_t *ctl;
    unsigned numids[JACK_ALSA_MAX];
    int n;
};

/* ---- evdev ---------------------------------------------------------------- */

/* EVIOCGSW: the switch's state now (after a drop, or at open). */
static int evdev_read_state(jack_t *j)
{
    unsigned char bits[SW_BYTES] = {0};
    if (ioctl(j->fd, EVIOCGSW(sizeof bits), bits) < 0)
        return -1;
    j->state = jack_evdev_sw_state(bits, sizeof bits);
    return 0;
}

/* Opens PATH if it is an input device with the headphone switch (or a
 * FIFO). 0, or -1 with ERR. */
static int evdev_open(jack_t *j, const char *path, char *err, int errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, (size_t)errlen, "evdev:%s: %s", path, strerror(errno));
        return -1;
    }
    bool fifo = S_ISFIFO(st.st_mode);
    /* A FIFO read-write: it then never reports end of file between writers. */
    j->fd = open(path, (fifo ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (j->fd < 0) {
        snprintf(err, (size_t)errlen, "evdev:%s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(j->name, sizeof j->name, "evdev:%s", path);
    if (fifo) {
        j->state = JACK_UNKNOWN;
    } else {
        unsigned char bits[SW_BYTES] = {0};
        if (ioctl(j->fd, EVIOCGBIT(EV_SW, sizeof bits), bits) < 0) {
            snprintf(err, (size_t)errlen, "evdev:%s: not an input device (%s)", path, strerror(errno));
            goto fail;
        }
        if (!jack_evdev_has_switch(bits, sizeof bits)) {
            snprintf(err, (size_t)errlen, "evdev:%s: has no SW_HEADPHONE_INSERT switch", path);
            goto fail;
        }
        if (evdev_read_state(j) != 0) {
            snprintf(err, (size_t)errlen, "evdev:%s: EVIOCGSW: %s", path, strerror(errno));
            goto fail;
        }
    }
    jack_evdev_init(&j->dec, j->state);
    return 0;
fail:
    close(j->fd);
    j->fd = -1;
    return -1;
}

static int evdev_scan(jack_t *j)
{
    DIR *d = opendir("/dev/input");
    if (!d)
        return -1;
    struct dirent *e;
    int rc = -1;
    char path[300], err[256];
    while (rc != 0 && (e = readdir(d))) {
        if (strncmp(e->d_name, "event", 5))
            continue;
        snprintf(path, sizeof path, "/dev/input/%s", e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode))
            continue;
        rc = evdev_open(j, path, err, sizeof err);
    }
    closedir(d);
    return rc;
}

static int evdev_wait_ready(jack_t *j, char *err, int errlen)
{
    unsigned char buf[sizeof(struct input_event) * 16];
    for (;;) {
        ssize_t r = read(j->fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (r <= 0) {
            snprintf(err, (size_t)errlen, "%s: %s", j->name, r == 0 ? "closed" : strerror(errno));
            return -1;
        }
        int f = jack_evdev_feed(&j->dec, buf, (size_t)r);
        if (f & JACK_DEC_RESYNC) {
            if (evdev_read_state(j) != 0) {
                snprintf(err, (size_t)errlen, "%s: EVIOCGSW: %s", j->name, strerror(errno));
                return -1;
            }
            j->dec.state = j->state;
        } else {
            j->state = j->dec.state;
        }
    }
}

/* ---- ALSA ----------------------------------------------------------------- */

/* Reads the watched controls' values into j->state. 0 or -1. */
static int alsa_read(jack_t *j)
{
    snd_ctl_elem_value_t *val;
    snd_ctl_elem_value_alloca(&val);
    int values[JACK_ALSA_MAX];
    for (int i = 0; i < j->n; i++) {
        snd_ctl_elem_value_clear(val);
        snd_ctl_elem_value_set_numid(val, j->numids[i]);
        if (snd_ctl_elem_read(j->ctl, val) < 0)
            return -1;
        values[i] = snd_ctl_elem_value_get_boolean(val, 0);
    }
    j->state = jack_alsa_state(values, j->n);
    return 0;
}

/* Opens card DEV ("hw:0") if it has headphone jack controls. 0, or -1
 * with ERR. */
static int alsa_open(jack_t *j, const char *dev, char *err, int errlen)
{
    snd_ctl_elem_list_t *list = NULL;
    snd_ctl_elem_info_t *info;
    snd_ctl_elem_info_alloca(&info);
    int rc = snd_ctl_open(&j->ctl, dev, SND_CTL_NONBLOCK);
    if (rc < 0) {
        snprintf(err, (size_t)errlen, "alsa:%s: %s", dev, snd_strerror(rc));
        j->ctl = NULL;
        return -1;
    }
    /* Subscribed before the first read, so no change falls between them. */
    if ((rc = snd_ctl_subscribe_events(j->ctl, 1)) < 0 || (rc = snd_ctl_elem_list_malloc(&list)) < 0 ||
        (rc = snd_ctl_elem_list(j->ctl, list)) < 0 ||
        (rc = snd_ctl_elem_list_alloc_space(list, snd_ctl_elem_list_get_count(list))) < 0 ||
        (rc = snd_ctl_elem_list(j->ctl, list)) < 0) {
        snprintf(err, (size_t)errlen, "alsa:%s: %s", dev, snd_strerror(rc));
        goto fail;
    }
    const char *first = NULL;
    for (unsigned i = 0; i < snd_ctl_elem_list_get_used(list) && j->n < JACK_ALSA_MAX; i++) {
        snd_ctl_elem_info_clear(info);
        snd_ctl_elem_info_set_numid(info, snd_ctl_elem_list_get_numid(list, i));
        if (snd_ctl_elem_info(j->ctl, info) < 0)
            continue;
        const char *name = snd_ctl_elem_info_get_name(info);
        if (!jack_alsa_is_headphone(snd_ctl_elem_info_get_interface(info) == SND_CTL_ELEM_IFACE_CARD,
                                    snd_ctl_elem_info_get_type(info) == SND_CTL_ELEM_TYPE_BOOLEAN, name))
            continue;
        if (!first)
            snprintf(j->name, sizeof j->name, "alsa:%s (%s)", dev, name);
        first = name;
        j->numids[j->n++] = snd_ctl_elem_info_get_numid(info);
    }
    if (!j->n) {
        snprintf(err, (size_t)errlen, "alsa:%s: no Headphone Jack control", dev);
        goto fail;
    }
    if (alsa_read(j) != 0) {
        snprintf(err, (size_t)errlen, "alsa:%s: cannot read its Headphone Jack control", dev);
        goto fail;
    }
    snd_ctl_elem_list_free_space(list);
    snd_ctl_elem_list_free(list);
    return 0;
fail:
    if (list) {
        snd_ctl_elem_list_free_space(list);
        snd_ctl_elem_list_free(list);
    }
    snd_ctl_close(j->ctl);
    j->ctl = NULL;
    j->n = 0;
    return -1;
}

static int alsa_scan(jack_t *j)
{
    int card = -1;
    char dev[32], err[256];
    while (snd_card_next(&card) == 0 && card >= 0) {
        snprintf(dev, sizeof dev, "hw:%d", card);
        if (alsa_open(j, dev, err, sizeof err) == 0)
            return 0;
    }
    return -1;
}

static int alsa_wait_ready(jack_t *j, char *err, int errlen)
{
    snd_ctl_event_t *ev;
    snd_ctl_event_alloca(&ev);
    bool reread = false;
    int rc;
    while ((rc = snd_ctl_read(j->ctl, ev)) > 0) {
        if (snd_ctl_event_get_type(ev) != SND_CTL_EVENT_ELEM)
            continue;
        jack_alsa_event_t what = jack_alsa_event(j->numids, j->n, snd_ctl_event_elem_get_numid(ev),
                                                 snd_ctl_event_elem_get_mask(ev));
        if (what == JACK_ALSA_GONE) {
            snprintf(err, (size_t)errlen, "%s: the control was removed", j->name);
            return -1;
        }
        reread |= what == JACK_ALSA_REREAD;
    }
    if (rc < 0 && rc != -EAGAIN) {
        snprintf(err, (size_t)errlen, "%s: %s", j->name, snd_strerror(rc));
        return -1;
    }
    if (reread && alsa_read(j) != 0) {
        snprintf(err, (size_t)errlen, "%s: cannot read the control", j->name);
        return -1;
    }
    return 0;
}

/* ---- one API ------------------------------------------------------------- */

/* alsa-lib prints its own errors to stderr ("Cannot get card index for
 * 3"); ours, with the spec, go to the caller, so its are dropped. */
static void alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...)
{
    (void)file, (void)line, (void)function, (void)err, (void)fmt;
}

static void alsa_quiet_once(void)
{
    snd_lib_error_set_handler(alsa_quiet);
}

jack_t *jack_open(const char *spec, char *err, int errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, alsa_quiet_once);
    jack_t *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, (size_t)errlen, "out of memory");
        return NULL;
    }
    j->fd = -1;
    int rc;
    if (!spec || !spec[0] || !strcmp(spec, "auto")) {
        rc = alsa_scan(j) == 0 || evdev_scan(j) == 0 ? 0 : -1;
        if (rc)
            snprintf(err, (size_t)errlen, "no headphone jack found: no ALSA card has a Headphone "
                     "Jack control and no input device has the SW_HEADPHONE_INSERT switch");
    } else if (!strncmp(spec, "alsa:", 5)) {
        char dev[64];
        const char *card = spec + 5;
        /* "alsa:0" is card 0's control device, as "alsa:hw:0". */
        snprintf(dev, sizeof dev, "%s%s", card[0] >= '0' && card[0] <= '9' ? "hw:" : "", card);
        rc = alsa_open(j, dev, err, errlen);
    } else if (!strncmp(spec, "evdev:", 6)) {
        rc = evdev_open(j, spec + 6, err, errlen);
    } else {
        snprintf(err, (size_t)errlen, "%s: want auto, alsa:CARD or evdev:PATH", spec);
        rc = -1;
    }
    if (rc) {
        free(j);
        return NULL;
    }
    return j;
}

jack_state_t jack_state(const jack_t *j)
{
    return j ? j->state : JACK_UNKNOWN;
}

const char *jack_name(const jack_t *j)
{
    return j ? j->name : "";
}

int jack_wait(jack_t *j, int stop_fd, int timeout_ms, char *err, int errlen)
{
    struct pollfd p[1 + 4];
    int n = 0;
    if (j->ctl) {
        int k = snd_ctl_poll_descriptors(j->ctl, p, 4);
        if (k <= 0) {
            snprintf(err, (size_t)errlen, "%s: no descriptor to wait on", j->name);
            return -1;
        }
        n = k;
    } else {
        p[0] = (struct pollfd){.fd = j->fd, .events = POLLIN};
        n = 1;
    }
    int dev_n = n;
    if (stop_fd >= 0)
        p[n++] = (struct pollfd){.fd = stop_fd, .events = POLLIN};
    int r = poll(p, (nfds_t)n, timeout_ms);
    if (r < 0 && errno == EINTR)
        return 0;
    if (r < 0) {
        snprintf(err, (size_t)errlen, "%s: poll: %s", j->name, strerror(errno));
        return -1;
    }
    if (stop_fd >= 0 && p[dev_n].revents)
        return 0;
    if (r == 0)
        return 0;
    jack_state_t before = j->state;
    if (j->ctl) {
        unsigned short revents = 0;
        snd_ctl_poll_descriptors_revents(j->ctl, p, (unsigned)dev_n, &revents);
        if (revents & (POLLERR | POLLNVAL | POLLHUP)) {
            snprintf(err, (size_t)errlen, "%s: the card went away", j->name);
            return -1;
        }
        if (alsa_wait_ready(j, err, errlen) != 0)
            return -1;
    } else {
        if (p[0].revents & (POLLERR | POLLNVAL)) {
            snprintf(err, (size_t)errlen, "%s: the device went away", j->name);
            return -1;
        }
        if (evdev_wait_ready(j, err, errlen) != 0)
            return -1;
    }
    return j->state != before;
}

void jack_close(jack_t *j)
{
    if (!j)
        return;
    if (j->ctl)
        snd_ctl_close(j->ctl);
    if (j->fd >= 0)
        close(j->fd);
    free(j);
}
