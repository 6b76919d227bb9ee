/* The jack's worker (jack_watch.h): open, post the state, wait for a
 * change, post it; after a failure, try again later. */
#include "voice/jack_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/log.h"
#include "core/worker.h"
#include "jack/jack.h"

struct jack_watch {
    worker_t *w;
    int stop_fd;               /* eventfd: readable once stopping */
    Uint32 ev_type;
    char spec[256];
};

/* Posts S when it differs from what the UI thread last got. A post the
 * full event queue refused is not taken as done: the caller tries again
 * (an unplug that never reached the UI would keep the headphone rule). */
static void post(jack_watch_t *jw, jack_state_t *posted, jack_state_t s)
{
    if (s == *posted)
        return;
    if (worker_post(jw->ev_type, (Sint32)s, NULL, NULL) == 0)
        *posted = s;
}

static void watch_job(worker_t *w, void *arg)
{
    jack_watch_t *jw = arg;
    jack_state_t posted = JACK_UNKNOWN;
    char err[320], said[320] = "";
    while (!worker_stopping(w)) {
        jack_t *j = jack_open(jw->spec, err, sizeof err);
        if (!j) {
            /* Said once, not every retry: a kiosk without a jack is normal. */
            if (strcmp(err, said)) {
                log_info("voice", "headphone jack: %s; the loudspeaker rule applies", err);
                snprintf(said, sizeof said, "%s", err);
            }
            post(jw, &posted, JACK_UNKNOWN);
            worker_wait(w, posted == JACK_UNKNOWN ? JACK_WATCH_RETRY_MS : JACK_WATCH_REPOST_MS);
            continue;
        }
        said[0] = '\0';
        log_info("voice", "headphone jack: watching %s (%s)", jack_name(j), jack_state_name(jack_state(j)));
        int rc = 0;
        while (rc >= 0 && !worker_stopping(w)) {
            post(jw, &posted, jack_state(j));
            /* Waits for the next change, or retries a refused post soon. */
            int ms = posted == jack_state(j) ? -1 : JACK_WATCH_REPOST_MS;
            rc = jack_wait(j, jw->stop_fd, ms, err, sizeof err);
        }
        if (!worker_stopping(w)) {
            log_warn("voice", "headphone jack: %s; the loudspeaker rule applies", err);
            post(jw, &posted, JACK_UNKNOWN);
            worker_wait(w, posted == JACK_UNKNOWN ? JACK_WATCH_RETRY_MS : JACK_WATCH_REPOST_MS);
        }
        jack_close(j);
    }
}

jack_watch_t *jack_watch_start(const char *spec, Uint32 ev_type)
{
    jack_watch_t *jw = calloc(1, sizeof *jw);
    if (!jw)
        return NULL;
    jw->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    jw->ev_type = ev_type;
    snprintf(jw->spec, sizeof jw->spec, "%s", spec ? spec : "auto");
    jw->w = worker_new("jack");
    if (jw->stop_fd < 0 || !jw->w || worker_start(jw->w, watch_job, jw) != 0)
        goto fail;
    return jw;
fail:
    worker_stop(jw->w);
    if (jw->stop_fd >= 0)
        close(jw->stop_fd);
    free(jw);
    return NULL;
}

void jack_watch_stop(jack_watch_t *jw)
{
    if (!jw)
        return;
    uint64_t one = 1;
    /* The stop flag first, so the woken poll finds it set; the eventfd
     * wakes jack_wait's poll, worker_ask_stop a worker_wait. */
    worker_ask_stop(jw->w);
    if (write(jw->stop_fd, &one, sizeof one) < 0)
        log_warn("voice", "headphone jack: cannot wake its worker");
    worker_stop(jw->w);
    close(jw->stop_fd);
    free(jw);
}
